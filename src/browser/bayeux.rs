//! Runs the sans-IO [`BayeuxClient`] in the browser: it performs the machine's actions with
//! `fetch` (long-polling), a `WebSocket`, and `setTimeout`, and feeds back what happens.
//!
//! Every callback (timers, socket handlers, responses) holds only a `Weak` reference to the
//! connection, so dropping the last [`BayeuxConnection`] stops everything; closures are owned
//! by the timers and the socket that use them, never leaked.

use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};

use super::http::{self, Body};
use super::timer::Timeout;
use super::websocket::{websocket_url, Socket, SocketEvent};
use crate::core::bayeux::{
    Action, BayeuxClient, BayeuxConfig, ConnectionType, PublishId, RequestId, State, Timer,
};
use crate::core::json::Json;

/// What the connection reports to its owner: the machine's notifications
/// ([`Action::StateChanged`], [`Action::Handshaken`], [`Action::Interrupted`],
/// [`Action::Continued`], [`Action::Deliver`], [`Action::PublishAcked`],
/// [`Action::SubscribeAcked`]), handed over as they are. I/O actions are performed by the
/// connection and never reported.
pub type BayeuxEvent = Action;

struct Inner {
    url: String,
    machine: RefCell<BayeuxClient>,
    socket: RefCell<Option<Socket>>,
    /// Frames written before the socket opened.
    socket_backlog: RefCell<Vec<String>>,
    /// Armed timers (a handful at most: a Vec is smaller in the wasm than a hash map).
    timers: RefCell<Vec<(Timer, Timeout)>>,
    /// Long-polling requests the machine gave up on: their answers are ignored.
    aborted: RefCell<Vec<RequestId>>,
    handler: Box<dyn Fn(BayeuxEvent)>,
    stopped: Cell<bool>,
}

/// A Bayeux client connection; cheap to clone.
#[derive(Clone)]
pub struct BayeuxConnection {
    inner: Rc<Inner>,
}

fn now_ms() -> f64 {
    js_sys::Date::now()
}

impl BayeuxConnection {
    /// `url` is the http(s) Bayeux endpoint (e.g. `https://host/cometd`).
    pub fn new(url: String, config: BayeuxConfig, handler: impl Fn(BayeuxEvent) + 'static) -> Self {
        Self {
            inner: Rc::new(Inner {
                url,
                machine: RefCell::new(BayeuxClient::new(config, js_sys::Math::random)),
                socket: RefCell::new(None),
                socket_backlog: RefCell::new(Vec::new()),
                timers: RefCell::new(Vec::new()),
                aborted: RefCell::new(Vec::new()),
                handler: Box::new(handler),
                stopped: Cell::new(false),
            }),
        }
    }

    pub fn start(&self) {
        let actions = self.inner.machine.borrow_mut().start(now_ms());
        perform(&self.inner, actions);
    }

    pub fn subscribe(&self, channel: &str) {
        let actions = self.inner.machine.borrow_mut().subscribe(channel);
        perform(&self.inner, actions);
    }

    pub fn publish(&self, channel: &str, data: Json) -> PublishId {
        let (id, actions) = self.inner.machine.borrow_mut().publish(channel, data);
        perform(&self.inner, actions);
        id
    }

    pub fn state(&self) -> State {
        self.inner.machine.borrow().state()
    }

    /// Says goodbye to the server and stops: no timers, no socket, nothing reported after.
    pub fn disconnect(&self) {
        let actions = self.inner.machine.borrow_mut().disconnect(now_ms());
        perform(&self.inner, actions);
        self.inner.stopped.set(true);
        self.inner.timers.borrow_mut().clear();
        discard_socket(&self.inner);
    }
}

/// Performs the machine's actions in order.
fn perform(inner: &Rc<Inner>, actions: Vec<Action>) {
    for action in actions {
        match action {
            Action::Send {
                request_id,
                messages,
                connection_type,
                timeout_ms,
                ..
            } => match connection_type {
                ConnectionType::LongPolling => post(inner, request_id, messages, timeout_ms),
                ConnectionType::WebSocket => write_frame(inner, messages),
            },
            Action::Abort { request_id } => inner.aborted.borrow_mut().push(request_id),
            Action::CloseWebSocket | Action::UseTransport(_) => discard_socket(inner),
            Action::SetTimer { timer, delay_ms } => arm(inner, timer, delay_ms),
            Action::CancelTimer(timer) => drop(take_timer(inner, timer)),
            // Notifications go to the owner as they are.
            notification => notify(inner, notification),
        }
    }
}

fn notify(inner: &Rc<Inner>, event: BayeuxEvent) {
    if !inner.stopped.get() {
        (inner.handler)(event);
    }
}

/// One long-polling request; its answer goes back to the machine.
fn post(inner: &Rc<Inner>, request_id: RequestId, messages: String, timeout_ms: u64) {
    let weak = Rc::downgrade(inner);
    let url = inner.url.clone();
    // The machine runs its own request timer; the fetch gets a little longer so that the
    // machine's verdict comes first.
    let fetch_timeout = u32::try_from(timeout_ms.saturating_add(2_000)).unwrap_or(u32::MAX);
    crate::browser::spawn(async move {
        let result = http::request("POST", &url, Body::Json(&messages), fetch_timeout).await;
        let Some(inner) = weak.upgrade() else { return };
        let was_aborted = {
            let mut aborted = inner.aborted.borrow_mut();
            let position = aborted.iter().position(|id| *id == request_id);
            position.map(|at| aborted.swap_remove(at)).is_some()
        };
        if inner.stopped.get() || was_aborted {
            return;
        }
        let actions = match result {
            Ok(body) => inner
                .machine
                .borrow_mut()
                .receive_http(now_ms(), request_id, &body),
            Err(_) => inner
                .machine
                .borrow_mut()
                .request_failed(now_ms(), request_id),
        };
        perform(&inner, actions);
    });
}

/// Writes a frame on the socket, opening it first when there is none.
fn write_frame(inner: &Rc<Inner>, frame: String) {
    let mut socket = inner.socket.borrow_mut();
    if socket.is_none() {
        let weak = Rc::downgrade(inner);
        match Socket::open(&websocket_url(&inner.url), move |event| {
            on_socket_event(&weak, event)
        }) {
            Ok(opened) => *socket = Some(opened),
            Err(_) => {
                drop(socket);
                // Could not even create it (e.g. blocked by policy): the machine falls back.
                let weak = Rc::downgrade(inner);
                crate::browser::spawn(async move {
                    if let Some(inner) = weak.upgrade() {
                        let actions = inner.machine.borrow_mut().websocket_closed(now_ms());
                        perform(&inner, actions);
                    }
                });
                return;
            }
        }
    }
    if !socket.as_ref().is_some_and(|open| open.send(&frame)) {
        inner.socket_backlog.borrow_mut().push(frame);
    }
}

fn on_socket_event(weak: &Weak<Inner>, event: SocketEvent) {
    let Some(inner) = weak.upgrade() else { return };
    if inner.stopped.get() {
        return;
    }
    let actions = match event {
        SocketEvent::Open => {
            let backlog = std::mem::take(&mut *inner.socket_backlog.borrow_mut());
            if let Some(socket) = inner.socket.borrow().as_ref() {
                for frame in backlog {
                    socket.send(&frame);
                }
            }
            return;
        }
        SocketEvent::Text(text) => inner
            .machine
            .borrow_mut()
            .receive_websocket(now_ms(), &text),
        SocketEvent::Closed => {
            discard_socket(&inner);
            inner.machine.borrow_mut().websocket_closed(now_ms())
        }
    };
    perform(&inner, actions);
}

/// Closes and forgets the socket. It is dropped on a later turn: this may run inside one of
/// the socket's own handlers, and a closure must not be freed while it runs.
fn discard_socket(inner: &Rc<Inner>) {
    inner.socket_backlog.borrow_mut().clear();
    if let Some(socket) = inner.socket.borrow_mut().take() {
        crate::browser::spawn(async move { drop(socket) });
    }
}

fn arm(inner: &Rc<Inner>, timer: Timer, delay_ms: u64) {
    let weak = Rc::downgrade(inner);
    let fired = move || {
        let Some(inner) = weak.upgrade() else { return };
        // Freed on a later turn: this runs inside the timer's own closure.
        let spent = take_timer(&inner, timer);
        crate::browser::spawn(async move { drop(spent) });
        if inner.stopped.get() {
            return;
        }
        let actions = inner.machine.borrow_mut().timer_fired(now_ms(), timer);
        perform(&inner, actions);
    };
    match Timeout::new(delay_ms as f64, fired) {
        Ok(timeout) => {
            // Replacing an armed timer clears it (not from inside its own callback).
            let replaced = take_timer(inner, timer);
            inner.timers.borrow_mut().push((timer, timeout));
            drop(replaced);
        }
        Err(_) => {
            // No timers at all: nothing sensible is left to do but report the failure.
            notify(
                inner,
                Action::StateChanged(State::Terminated {
                    error: Some("setTimeout is not available".into()),
                }),
            );
        }
    }
}

/// Removes an armed timer (dropping the result clears it).
fn take_timer(inner: &Inner, timer: Timer) -> Option<Timeout> {
    let mut timers = inner.timers.borrow_mut();
    let position = timers.iter().position(|(armed, _)| *armed == timer)?;
    Some(timers.swap_remove(position).1)
}
