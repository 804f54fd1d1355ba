//! A one-value channel between callbacks and an `async` caller, woken through a JS Promise
//! (no executor of our own: wasm-bindgen-futures runs the futures).

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Function, Promise, Reflect};
use wasm_bindgen::{JsCast, JsValue};

use super::host::host_deferred;
use wasm_bindgen_futures::JsFuture;

/// Sends one value; dropping it unsent wakes the receiver with nothing.
pub struct Sender<T> {
    slot: Rc<RefCell<Option<T>>>,
    resolve: Option<Function>,
}

pub struct Receiver<T> {
    slot: Rc<RefCell<Option<T>>>,
    promise: Promise,
}

pub fn channel<T>() -> (Sender<T>, Receiver<T>) {
    let slot = Rc::new(RefCell::new(None));
    let promise = host_deferred();
    let resolve = Reflect::get(&promise, &JsValue::from_str("resolve"))
        .ok()
        .and_then(|resolve| resolve.dyn_into::<Function>().ok());
    (
        Sender {
            slot: slot.clone(),
            resolve,
        },
        Receiver { slot, promise },
    )
}

impl<T> Sender<T> {
    pub fn send(mut self, value: T) {
        *self.slot.borrow_mut() = Some(value);
        self.wake();
    }

    fn wake(&mut self) {
        if let Some(resolve) = self.resolve.take() {
            let _ = resolve.call0(&JsValue::UNDEFINED);
        }
    }
}

impl<T> Drop for Sender<T> {
    fn drop(&mut self) {
        self.wake();
    }
}

impl<T> Receiver<T> {
    /// The value, or `None` when the sender was dropped without sending.
    pub async fn recv(self) -> Option<T> {
        let _ = JsFuture::from(self.promise).await;
        self.slot.borrow_mut().take()
    }
}
