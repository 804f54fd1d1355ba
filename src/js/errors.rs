//! JS errors: chat failures become real `Error` objects with a stable `code`, the readable
//! `description`, and `error: {code, description}` as GWE's `fail` callbacks expect.

use wasm_bindgen::JsValue;

use crate::browser::host::host_chat_error;
use crate::core::ChatError;

/// The `Error` (named `HotlineChatError`) a rejected chat promise carries.
pub fn chat_error(error: &ChatError) -> JsValue {
    host_chat_error(u32::from(error.code()), &error.description())
}

/// A `TypeError` with this message (GWE throws these synchronously for misuse).
pub fn type_error(message: &str) -> JsValue {
    js_sys::TypeError::new(message).into()
}

/// What a call throws synchronously for `error`: GWE's `TypeError` for misuse, otherwise the
/// coded `Error`.
pub fn thrown_error(error: &ChatError) -> JsValue {
    match error.type_error_message() {
        Some(message) => type_error(&message),
        None => chat_error(error),
    }
}
