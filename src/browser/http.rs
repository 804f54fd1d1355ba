//! HTTP requests with [`fetch`](https://developer.mozilla.org/en-US/docs/Web/API/Fetch_API),
//! with a timeout (an `AbortController`) and cookies included, so that the Bayeux
//! `BAYEUX_BROWSER` cookie travels with long-polling requests.

use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, Request, RequestCredentials, RequestInit, Response};

use super::describe_js_error;
use super::timer::Timeout;

/// Why an HTTP request gave no usable answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HttpError {
    #[error("network error: {0}")]
    Network(String),
    #[error("no answer within {0} ms")]
    Timeout(u32),
    #[error("HTTP status {status}")]
    Status { status: u16, body: String },
}

/// A body to send.
pub enum Body<'a> {
    Json(&'a str),
    Form(&'a str),
    None,
}

/// Sends a request and returns the response text; statuses outside 200–299 are errors that
/// carry the body (GMS error envelopes come that way).
pub async fn request(
    method: &str,
    url: &str,
    body: Body<'_>,
    timeout_ms: u32,
) -> Result<String, HttpError> {
    request_with_headers(method, url, body, &[], timeout_ms).await
}

/// [`request`] with extra headers (e.g. `Authorization`, `x-correlation-id`).
pub async fn request_with_headers(
    method: &str,
    url: &str,
    body: Body<'_>,
    headers: &[(&str, &str)],
    timeout_ms: u32,
) -> Result<String, HttpError> {
    let controller =
        AbortController::new().map_err(|e| HttpError::Network(describe_js_error(&e)))?;
    let init = RequestInit::new();
    init.set_method(method);
    init.set_credentials(RequestCredentials::Include);
    init.set_signal(Some(&controller.signal()));
    let content_type = match body {
        Body::Json(text) => {
            init.set_body(&text.into());
            Some("application/json;charset=UTF-8")
        }
        Body::Form(text) => {
            init.set_body(&text.into());
            Some("application/x-www-form-urlencoded;charset=UTF-8")
        }
        Body::None => None,
    };
    let request = Request::new_with_str_and_init(url, &init)
        .map_err(|e| HttpError::Network(describe_js_error(&e)))?;
    if let Some(content_type) = content_type {
        request
            .headers()
            .set("Content-Type", content_type)
            .map_err(|e| HttpError::Network(describe_js_error(&e)))?;
    }
    for (name, value) in headers {
        request
            .headers()
            .set(name, value)
            .map_err(|e| HttpError::Network(describe_js_error(&e)))?;
    }
    let timed_out = std::rc::Rc::new(std::cell::Cell::new(false));
    let _deadline = {
        let controller = controller.clone();
        let timed_out = timed_out.clone();
        Timeout::new(f64::from(timeout_ms), move || {
            timed_out.set(true);
            controller.abort();
        })
        .map_err(HttpError::Network)?
    };
    let fail = |error: wasm_bindgen::JsValue| {
        if timed_out.get() {
            HttpError::Timeout(timeout_ms)
        } else {
            HttpError::Network(describe_js_error(&error))
        }
    };
    let response = JsFuture::from(fetch(&request)).await.map_err(fail)?;
    let response: Response = response.dyn_into().map_err(fail)?;
    let text_promise = response.text().map_err(fail)?;
    let text = JsFuture::from(text_promise)
        .await
        .map_err(fail)?
        .as_string()
        .unwrap_or_default();
    if response.ok() {
        Ok(text)
    } else {
        Err(HttpError::Status {
            status: response.status(),
            body: text,
        })
    }
}

#[wasm_bindgen::prelude::wasm_bindgen]
extern "C" {
    // The global `fetch`, so requests also work where there is no `window` (workers).
    #[wasm_bindgen(js_name = fetch)]
    fn fetch(request: &Request) -> js_sys::Promise;
}

/// `application/x-www-form-urlencoded` text for `fields`.
pub fn form_encode(fields: &[(String, String)]) -> String {
    fields
        .iter()
        .map(|(key, value)| format!("{}={}", encode_component(key), encode_component(value)))
        .collect::<Vec<_>>()
        .join("&")
}

fn encode_component(text: &str) -> String {
    js_sys::encode_uri_component(text)
        .as_string()
        .unwrap_or_default()
}
