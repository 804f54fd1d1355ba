//! JS errors: chat failures become real `Error` objects with a stable `code`, the readable
//! `description`, and `error: {code, description}` as GWE's `fail` callbacks expect.

use js_sys::{Object, Reflect};
use wasm_bindgen::JsValue;

use crate::core::ChatError;

/// The `Error` a rejected chat promise carries.
pub fn chat_error(error: &ChatError) -> JsValue {
    coded_error(u32::from(error.code()), &error.description())
}

/// An `Error` named `HotlineChatError` with `code`, `description` and `error: {code, description}`.
pub fn coded_error(code: u32, description: &str) -> JsValue {
    let value = js_sys::Error::new(description);
    value.set_name("HotlineChatError");
    let detail = Object::new();
    set(&detail, "code", &JsValue::from(code));
    set(&detail, "description", &JsValue::from_str(description));
    set(&value, "code", &JsValue::from(code));
    set(&value, "description", &JsValue::from_str(description));
    set(&value, "error", &detail);
    value.into()
}

/// A `TypeError` with this message (GWE throws these synchronously for misuse).
pub fn type_error(message: &str) -> JsValue {
    js_sys::TypeError::new(message).into()
}

fn set(target: &JsValue, key: &str, value: &JsValue) {
    // Setting a plain data property on an object we just created cannot fail.
    let _ = Reflect::set(target, &JsValue::from_str(key), value);
}
