//! Promises for the GWE-style API: a real `Promise` that also has chainable `done(fn)` and
//! `fail(fn)`, each returning the same promise.

use std::future::Future;
use std::pin::Pin;

use js_sys::Promise;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::JsValue;

#[wasm_bindgen(inline_js = r#"
export function withDoneFail(promise) {
  // `done`/`fail` register through `then` with both handlers, so that using only one of them
  // leaves no second, unhandled promise behind.
  promise.done = function (callback) {
    promise.then(function (value) { callback(value); }, function () {});
    return promise;
  };
  promise.fail = function (callback) {
    promise.then(function () {}, function (error) { callback(error); });
    return promise;
  };
  return promise;
}
"#)]
extern "C" {
    #[wasm_bindgen(js_name = withDoneFail)]
    fn with_done_fail(promise: Promise) -> Promise;
}

/// Runs `future` and returns its outcome as a Promise with `done`/`fail`.
pub fn done_fail_promise<F>(future: F) -> Promise
where
    F: Future<Output = Result<JsValue, JsValue>> + 'static,
{
    boxed_promise(Box::pin(future))
}

/// One instance of `future_to_promise` for every command: each generic instance costs
/// kilobytes of wasm.
fn boxed_promise(future: Pin<Box<dyn Future<Output = Result<JsValue, JsValue>>>>) -> Promise {
    with_done_fail(wasm_bindgen_futures::future_to_promise(future))
}
