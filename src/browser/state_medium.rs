//! Where a session's state lives between page loads: the `gcState` cookie (default),
//! `localStorage`, or the page's own `{read(), write(state)}` object.

use js_sys::{Function, Reflect};
use wasm_bindgen::{JsCast, JsValue};

use super::listeners::{from_js, to_js};
use super::{describe_js_error, CookieStore, LocalStorageStore};
use crate::core::state::PersistedState;
use crate::core::{ChatError, StateStore, StorageError};

/// One of the three media.
pub enum StateMedium {
    Cookie(CookieStore),
    LocalStorage(LocalStorageStore),
    /// GWE's `stateStorage` contract: `read()` returns the object written earlier (or
    /// nothing), `write(state)` stores it, `write(null)` clears.
    Page {
        read: Function,
        write: Function,
        target: JsValue,
    },
}

impl StateMedium {
    /// The page's `stateStorage` object, checked for `read` and `write` functions.
    pub fn from_page_object(object: &JsValue) -> Result<Self, ChatError> {
        let method = |name: &str| -> Result<Function, ChatError> {
            Reflect::get(object, &JsValue::from_str(name))
                .ok()
                .and_then(|value| value.dyn_into::<Function>().ok())
                .ok_or_else(|| {
                    ChatError::InvalidArgument(
                        ["stateStorage.", name, " must be a function"].concat(),
                    )
                })
        };
        Ok(StateMedium::Page {
            read: method("read")?,
            write: method("write")?,
            target: object.clone(),
        })
    }

    /// Writes the state, stamped with `now_ms`.
    pub fn save(&self, state: &mut PersistedState, now_ms: u64) -> Result<(), ChatError> {
        match self {
            StateMedium::Cookie(store) => state.save_to(store, now_ms),
            StateMedium::LocalStorage(store) => state.save_to(store, now_ms),
            StateMedium::Page { write, target, .. } => {
                state.saved_at_ms = now_ms;
                write
                    .call1(target, &to_js(&state.to_json()))
                    .map(|_| ())
                    .map_err(|e| StorageError::Write(describe_js_error(&e)).into())
            }
        }
    }

    /// Reads the state and checks that it is fresh enough to restore.
    pub fn load(&self, now_ms: u64, max_offline_secs: u64) -> Result<PersistedState, ChatError> {
        match self {
            StateMedium::Cookie(store) => {
                PersistedState::load_from(store, now_ms, max_offline_secs)
            }
            StateMedium::LocalStorage(store) => {
                PersistedState::load_from(store, now_ms, max_offline_secs)
            }
            StateMedium::Page { read, target, .. } => {
                let value = read
                    .call0(target)
                    .map_err(|e| ChatError::from(StorageError::Read(describe_js_error(&e))))?;
                let state = PersistedState::from_json(&from_js(&value))?;
                state.check_fresh(now_ms, max_offline_secs)?;
                Ok(state)
            }
        }
    }

    /// Forgets the state (`write(null)` for a page's storage).
    pub fn clear(&self) -> Result<(), ChatError> {
        match self {
            StateMedium::Cookie(store) => Ok(store.write(None)?),
            StateMedium::LocalStorage(store) => Ok(store.write(None)?),
            StateMedium::Page { write, target, .. } => write
                .call1(target, &JsValue::NULL)
                .map(|_| ())
                .map_err(|e| StorageError::Write(describe_js_error(&e)).into()),
        }
    }
}
