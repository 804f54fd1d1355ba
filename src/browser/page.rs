//! The page around the session: its title, URL and referrer, and the moments it is left.

use js_sys::Function;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};

use super::host::{host_on_leave, host_page_context};
use crate::core::json::Json;
use crate::core::session::PageContext;

/// `document.title`, `location.href` and `document.referrer` (empty where there is no page).
pub fn page_context() -> PageContext {
    let context = Json::parse(&host_page_context()).unwrap_or(Json::Null);
    let text = |key: &str| {
        context
            .get(key)
            .and_then(Json::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    PageContext {
        title: text("title"),
        url: text("url"),
        referrer: text("referrer"),
    }
}

/// Calls back when the page is hidden or left (`visibilitychange` to hidden, `pagehide`,
/// `beforeunload`): mobile browsers and the back/forward cache often skip `unload`, so state is
/// saved at each of these. Dropping the hooks removes the listeners.
pub struct LeaveHooks {
    remove: Function,
    _handler: Closure<dyn FnMut()>,
}

impl LeaveHooks {
    pub fn new(on_leave: impl Fn() + 'static) -> Self {
        let handler = Closure::<dyn FnMut()>::new(on_leave);
        let remove = host_on_leave(handler.as_ref().unchecked_ref());
        Self {
            remove,
            _handler: handler,
        }
    }
}

impl Drop for LeaveHooks {
    fn drop(&mut self) {
        let _ = self.remove.call0(&JsValue::UNDEFINED);
    }
}
