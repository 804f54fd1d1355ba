//! A [`WebSocket`](https://developer.mozilla.org/en-US/docs/Web/API/WebSocket) that owns its
//! event handlers: dropping the [`Socket`] closes it and frees them, so reconnecting never
//! leaks closures.

use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};

use super::host::{host_socket_close, host_socket_open, host_socket_send};

/// What the socket reports.
pub enum SocketEvent {
    Open,
    Text(String),
    /// Closed, by either side or by a failure. No event follows.
    Closed,
}

/// An open or opening WebSocket.
pub struct Socket {
    socket: JsValue,
    _on_event: Closure<dyn FnMut(u32, String)>,
}

impl Socket {
    /// Opens `url` (`ws:` or `wss:`); `on_event` gets every [`SocketEvent`].
    pub fn open(url: &str, on_event: impl Fn(SocketEvent) + 'static) -> Result<Self, String> {
        let on_event = Closure::<dyn FnMut(u32, String)>::new(move |kind: u32, data: String| {
            on_event(match kind {
                0 => SocketEvent::Open,
                1 => SocketEvent::Text(data),
                _ => SocketEvent::Closed,
            })
        });
        let socket = host_socket_open(url, on_event.as_ref().unchecked_ref())
            .map_err(|reason| reason.as_string().unwrap_or_default())?;
        Ok(Self {
            socket,
            _on_event: on_event,
        })
    }

    /// Sends a frame; false when the socket is not open (yet) or refused it.
    pub fn send(&self, text: &str) -> bool {
        host_socket_send(&self.socket, text)
    }
}

impl Drop for Socket {
    fn drop(&mut self) {
        host_socket_close(&self.socket);
    }
}

/// The WebSocket URL for an http(s) URL (`http:` → `ws:`, `https:` → `wss:`).
pub fn websocket_url(http_url: &str) -> String {
    if let Some(rest) = http_url.strip_prefix("https://") {
        ["wss://", rest].concat()
    } else if let Some(rest) = http_url.strip_prefix("http://") {
        ["ws://", rest].concat()
    } else {
        http_url.to_owned()
    }
}
