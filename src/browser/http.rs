//! HTTP requests with [`fetch`](https://developer.mozilla.org/en-US/docs/Web/API/Fetch_API),
//! with a timeout (an `AbortController`) and cookies included, so that the Bayeux
//! `BAYEUX_BROWSER` cookie travels with long-polling requests.

use js_sys::Reflect;
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;

use super::host::host_fetch;

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
    let (body, content_type) = match body {
        Body::Json(text) => (Some(text), Some("application/json;charset=UTF-8")),
        Body::Form(text) => (
            Some(text),
            Some("application/x-www-form-urlencoded;charset=UTF-8"),
        ),
        Body::None => (None, None),
    };
    let mut header_lines = String::new();
    for (name, value) in headers {
        header_lines.push_str(name);
        header_lines.push_str(": ");
        header_lines.push_str(value);
        header_lines.push('\n');
    }
    let promise = host_fetch(method, url, body, content_type, &header_lines, timeout_ms);
    let answer = match JsFuture::from(promise).await {
        Ok(answer) => answer,
        Err(reason) => {
            let reason = reason.as_string().unwrap_or_default();
            return Err(if reason == "timeout" {
                HttpError::Timeout(timeout_ms)
            } else {
                HttpError::Network(reason)
            });
        }
    };
    let field = |name: &str| Reflect::get(&answer, &JsValue::from_str(name)).unwrap_or_default();
    let status = field("status").as_f64().unwrap_or_default() as u16;
    let text = field("text").as_string().unwrap_or_default();
    if (200..300).contains(&status) {
        Ok(text)
    } else {
        Err(HttpError::Status { status, body: text })
    }
}

/// `application/x-www-form-urlencoded` text for `fields`.
pub fn form_encode(fields: &[(String, String)]) -> String {
    let mut out = String::new();
    for (key, value) in fields {
        if !out.is_empty() {
            out.push('&');
        }
        out.push_str(&encode_component(key));
        out.push('=');
        out.push_str(&encode_component(value));
    }
    out
}

fn encode_component(text: &str) -> String {
    js_sys::encode_uri_component(text)
        .as_string()
        .unwrap_or_default()
}
