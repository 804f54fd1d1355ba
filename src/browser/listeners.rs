//! The page's callbacks for session events (`session.onMessageReceived(fn)` …).
//!
//! Memorised: a callback registered late first receives every earlier payload of its kind, in
//! order (the payloads come from [`crate::core::session::ChatSession::history`]). A callback
//! that throws is logged and never breaks the session or the other callbacks.

use std::cell::{Cell, RefCell};

use js_sys::Function;
use wasm_bindgen::JsValue;

use super::describe_js_error;
use crate::core::json::Json;
use crate::core::session::GweEvent;

/// Callbacks by event kind, each with an id for unsubscribing.
#[derive(Default)]
pub struct Listeners {
    entries: RefCell<Vec<(u32, GweEvent, Function)>>,
    next_id: Cell<u32>,
}

impl Listeners {
    /// Adds `callback` for `event` after replaying `history` to it; returns its id.
    pub fn add(&self, event: GweEvent, callback: Function, history: &[Json]) -> u32 {
        for payload in history {
            call(&callback, event, payload);
        }
        let id = self.next_id.get().wrapping_add(1);
        self.next_id.set(id);
        self.entries.borrow_mut().push((id, event, callback));
        id
    }

    pub fn remove(&self, id: u32) {
        // A plain loop: `retain` with a closure costs more wasm.
        let mut entries = self.entries.borrow_mut();
        let mut at = entries.len();
        while at > 0 {
            at -= 1;
            if entries.get(at).is_some_and(|(entry, _, _)| *entry == id) {
                entries.remove(at);
            }
        }
    }

    /// Calls every callback of `event` with `payload`.
    pub fn emit(&self, event: GweEvent, payload: &Json) {
        // Copy the list first: a callback may register or remove callbacks.
        let mut callbacks = Vec::new();
        for (_, kind, callback) in self.entries.borrow().iter() {
            if *kind == event {
                callbacks.push(callback.clone());
            }
        }
        for callback in callbacks {
            call(&callback, event, payload);
        }
    }

    pub fn clear(&self) {
        self.entries.borrow_mut().clear();
    }
}

/// Calls one callback with the payload as a fresh JS object.
fn call(callback: &Function, event: GweEvent, payload: &Json) {
    let value = to_js(payload);
    if let Err(error) = callback.call1(&JsValue::UNDEFINED, &value) {
        web_sys::console::error_2(
            &JsValue::from_str(&["hotline: an on", event.name(), " callback threw:"].concat()),
            &JsValue::from_str(&describe_js_error(&error)),
        );
    }
}

/// A JS value for a core JSON value (through the engine's own `JSON.parse`).
pub fn to_js(value: &Json) -> JsValue {
    js_sys::JSON::parse(&value.to_string()).unwrap_or(JsValue::NULL)
}

/// A core JSON value for a JS value (through `JSON.stringify`); functions and `undefined`
/// become absent members, as in JSON.
pub fn from_js(value: &JsValue) -> Json {
    if value.is_undefined() {
        return Json::Null;
    }
    js_sys::JSON::stringify(value)
        .ok()
        .and_then(|text| text.as_string())
        .and_then(|text| Json::parse(&text).ok())
        .unwrap_or(Json::Null)
}
