//! The page around the session: its title, URL and referrer, and the moments it is left.

use std::rc::Rc;

use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::{Event, EventTarget, VisibilityState};

use crate::core::session::PageContext;

/// `document.title`, `location.href` and `document.referrer` (empty where there is no page).
pub fn page_context() -> PageContext {
    let window = web_sys::window();
    let document = window.as_ref().and_then(|w| w.document());
    PageContext {
        title: document.as_ref().map(|d| d.title()).unwrap_or_default(),
        url: window
            .as_ref()
            .and_then(|w| w.location().href().ok())
            .unwrap_or_default(),
        referrer: document.as_ref().map(|d| d.referrer()).unwrap_or_default(),
    }
}

/// Calls back when the page is hidden or left (`visibilitychange` to hidden, `pagehide`,
/// `beforeunload`): mobile browsers and the back/forward cache often skip `unload`, so state is
/// saved at each of these. Dropping the hooks removes the listeners.
pub struct LeaveHooks {
    registered: Vec<(EventTarget, &'static str)>,
    _handler: Closure<dyn FnMut(Event)>,
}

impl LeaveHooks {
    pub fn new(on_leave: impl Fn() + 'static) -> Self {
        let on_leave = Rc::new(on_leave);
        let handler = Closure::<dyn FnMut(Event)>::new(move |event: Event| {
            let hidden = event.type_() != "visibilitychange"
                || web_sys::window()
                    .and_then(|w| w.document())
                    .is_some_and(|d| d.visibility_state() == VisibilityState::Hidden);
            if hidden {
                on_leave();
            }
        });
        let mut registered = Vec::new();
        if let Some(window) = web_sys::window() {
            let document = window.document();
            let window: EventTarget = window.into();
            let mut targets = vec![(window.clone(), "pagehide"), (window, "beforeunload")];
            if let Some(document) = document {
                targets.push((document.into(), "visibilitychange"));
            }
            for (target, name) in targets {
                if target
                    .add_event_listener_with_callback(name, handler.as_ref().unchecked_ref())
                    .is_ok()
                {
                    registered.push((target, name));
                }
            }
        }
        Self {
            registered,
            _handler: handler,
        }
    }
}

impl Drop for LeaveHooks {
    fn drop(&mut self) {
        for (target, name) in &self.registered {
            let _ = target
                .remove_event_listener_with_callback(name, self._handler.as_ref().unchecked_ref());
        }
    }
}
