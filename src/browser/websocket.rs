//! A [`WebSocket`](https://developer.mozilla.org/en-US/docs/Web/API/WebSocket) that owns its
//! event handlers: dropping the [`Socket`] closes it and frees them, so reconnecting never
//! leaks closures.

use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::{CloseEvent, Event, MessageEvent, WebSocket};

use super::describe_js_error;

/// What the socket reports.
pub enum SocketEvent {
    Open,
    Text(String),
    /// Closed, by either side or by a failure (`was_clean` false). No event follows.
    Closed {
        code: u16,
        was_clean: bool,
    },
}

/// An open or opening WebSocket.
pub struct Socket {
    socket: WebSocket,
    _on_open: Closure<dyn FnMut(Event)>,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_close: Closure<dyn FnMut(CloseEvent)>,
}

impl Socket {
    /// Opens `url` (`ws:` or `wss:`); `on_event` gets every [`SocketEvent`].
    pub fn open(url: &str, on_event: impl Fn(SocketEvent) + 'static) -> Result<Self, String> {
        let socket = WebSocket::new(url).map_err(|e| describe_js_error(&e))?;
        let on_event = std::rc::Rc::new(on_event);
        let on_open = {
            let on_event = on_event.clone();
            Closure::<dyn FnMut(Event)>::new(move |_| on_event(SocketEvent::Open))
        };
        let on_message = {
            let on_event = on_event.clone();
            Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
                if let Some(text) = event.data().as_string() {
                    on_event(SocketEvent::Text(text));
                }
            })
        };
        let on_close = Closure::<dyn FnMut(CloseEvent)>::new(move |event: CloseEvent| {
            on_event(SocketEvent::Closed {
                code: event.code(),
                was_clean: event.was_clean(),
            })
        });
        socket.set_onopen(Some(on_open.as_ref().unchecked_ref()));
        socket.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        // An error is always followed by a close event, which carries what we need.
        socket.set_onclose(Some(on_close.as_ref().unchecked_ref()));
        Ok(Self {
            socket,
            _on_open: on_open,
            _on_message: on_message,
            _on_close: on_close,
        })
    }

    pub fn is_open(&self) -> bool {
        self.socket.ready_state() == WebSocket::OPEN
    }

    pub fn send(&self, text: &str) -> Result<(), String> {
        self.socket
            .send_with_str(text)
            .map_err(|e| describe_js_error(&e))
    }
}

impl Drop for Socket {
    fn drop(&mut self) {
        self.socket.set_onopen(None);
        self.socket.set_onmessage(None);
        self.socket.set_onclose(None);
        let _ = self.socket.close();
    }
}

/// The WebSocket URL for an http(s) URL (`http:` → `ws:`, `https:` → `wss:`).
pub fn websocket_url(http_url: &str) -> String {
    if let Some(rest) = http_url.strip_prefix("https://") {
        format!("wss://{rest}")
    } else if let Some(rest) = http_url.strip_prefix("http://") {
        format!("ws://{rest}")
    } else {
        http_url.to_owned()
    }
}
