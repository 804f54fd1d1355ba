//! The web APIs the adapters use, through `host.js`: one import per job instead of one per
//! web API method (see the file's header for why).

use js_sys::{Function, Promise};
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::JsValue;

#[wasm_bindgen(module = "/src/browser/host.js")]
extern "C" {
    /// `fetch`: resolves with `{status, text}`, rejects with a string (`"timeout"` or why).
    #[wasm_bindgen(js_name = hostFetch)]
    pub fn host_fetch(
        method: &str,
        url: &str,
        body: Option<&str>,
        content_type: Option<&str>,
        header_lines: &str,
        timeout_ms: u32,
    ) -> Promise;

    /// Opens a WebSocket reporting `(kind, data)`: 0 open, 1 text frame, 2 closed.
    #[wasm_bindgen(js_name = hostSocketOpen, catch)]
    pub fn host_socket_open(url: &str, on_event: &Function) -> Result<JsValue, JsValue>;

    /// Sends a text frame; false when the socket is not open.
    #[wasm_bindgen(js_name = hostSocketSend)]
    pub fn host_socket_send(socket: &JsValue, text: &str) -> bool;

    /// Closes the socket and detaches its handlers.
    #[wasm_bindgen(js_name = hostSocketClose)]
    pub fn host_socket_close(socket: &JsValue);

    /// Calls `on_leave` when the page is hidden or left; returns the remover.
    #[wasm_bindgen(js_name = hostOnLeave)]
    pub fn host_on_leave(on_leave: &Function) -> Function;

    /// `{title, url, referrer}` of the page, as JSON text.
    #[wasm_bindgen(js_name = hostPageContext)]
    pub fn host_page_context() -> String;

    /// The JSON text of `options` without the top-level members named in `skip`
    /// (comma-separated); `None` when `options` is not an object.
    #[wasm_bindgen(js_name = hostPlainJson, catch)]
    pub fn host_plain_json(options: &JsValue, skip: &str) -> Result<Option<String>, JsValue>;

    /// An `Error` with `code`, `description` and `error: {code, description}`.
    #[wasm_bindgen(js_name = hostChatError)]
    pub fn host_chat_error(code: u32, description: &str) -> JsValue;

    /// Calls a custom transport's method: resolves with the JSON text of its result, rejects
    /// with the JSON text of its rejection (or of `{error: {code, description}}`).
    #[wasm_bindgen(js_name = hostTransportCall)]
    pub fn host_transport_call(
        transport: &JsValue,
        name: &str,
        argument_json: Option<String>,
        optional: bool,
    ) -> Promise;

    /// Registers `on_event(index, json)` with the transport's event registrations `names`
    /// (comma-separated); throws a string when one of them throws.
    #[wasm_bindgen(js_name = hostTransportListen, catch)]
    pub fn host_transport_listen(
        transport: &JsValue,
        names: &str,
        on_event: &Function,
    ) -> Result<(), JsValue>;

    /// `"name: message"` for an `Error` or `DOMException`, the value itself for a string.
    #[wasm_bindgen(js_name = describe)]
    pub fn host_describe(error: &JsValue) -> String;

    /// A Promise that resolves after `delay_ms` milliseconds.
    #[wasm_bindgen(js_name = hostSleep)]
    pub fn host_sleep(delay_ms: f64) -> Promise;

    /// A Promise whose `resolve` function is its `resolve` property.
    #[wasm_bindgen(js_name = hostDeferred)]
    pub fn host_deferred() -> Promise;
}
