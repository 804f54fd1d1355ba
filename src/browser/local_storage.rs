//! [`StateStore`] in
//! [`window.localStorage`](https://developer.mozilla.org/en-US/docs/Web/API/Window/localStorage),
//! with an in-memory fallback.

use std::cell::RefCell;

use web_sys::Storage;

use super::describe_js_error;
use crate::core::{MemoryStore, StateStore, StorageError};

/// The default `localStorage` key.
pub const DEFAULT_STORAGE_KEY: &str = "hotline.chat.state";

enum Backend {
    Web(Storage),
    Memory { store: MemoryStore, reason: String },
}

/// State in `localStorage` under one key (`hotline.chat.state` unless named otherwise).
///
/// When `window.localStorage` is missing or its getter throws (storage disabled, sandboxed
/// frame), or later when a call on it throws (quota exceeded, storage blocked after the fact),
/// the store switches to memory for the rest of its life and keeps working: the state then
/// lasts only as long as the page. [`is_fallback`](Self::is_fallback) tells whether that
/// happened and [`fallback_reason`](Self::fallback_reason) why. The switch is made on the first
/// failing call, so a storage that fails only on writes is noticed at the first write.
pub struct LocalStorageStore {
    key: String,
    backend: RefCell<Backend>,
}

impl std::fmt::Debug for LocalStorageStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LocalStorageStore")
            .field("key", &self.key)
            .field("fallback_reason", &self.fallback_reason())
            .finish()
    }
}

impl LocalStorageStore {
    /// A store for the key `hotline.chat.state` in `window.localStorage`.
    pub fn new() -> Self {
        Self::with_key(DEFAULT_STORAGE_KEY)
    }

    /// A store for `key` in `window.localStorage`.
    pub fn with_key(key: &str) -> Self {
        let storage = match web_sys::window() {
            None => Err("there is no `window`".to_owned()),
            Some(window) => match window.local_storage() {
                Ok(Some(storage)) => Ok(storage),
                Ok(None) => Err("window.localStorage is missing".to_owned()),
                Err(err) => Err(["window.localStorage threw ", &describe_js_error(&err)].concat()),
            },
        };
        Self::build(key, storage)
    }

    /// A store for `key` in `storage` (any `Storage`, e.g. `sessionStorage`), or in memory
    /// when `storage` is `None`.
    pub fn from_storage(key: &str, storage: Option<Storage>) -> Self {
        Self::build(
            key,
            storage.ok_or_else(|| "no Storage object was given".to_owned()),
        )
    }

    fn build(key: &str, storage: Result<Storage, String>) -> Self {
        let backend = match storage {
            Ok(storage) => Backend::Web(storage),
            Err(reason) => Backend::Memory {
                store: MemoryStore::new(),
                reason,
            },
        };
        Self {
            key: key.to_owned(),
            backend: RefCell::new(backend),
        }
    }

    /// The key the state is stored under.
    pub fn key(&self) -> &str {
        &self.key
    }

    /// Whether the store has fallen back to memory.
    pub fn is_fallback(&self) -> bool {
        self.fallback_reason().is_some()
    }

    /// Why the store has fallen back to memory, if it has.
    pub fn fallback_reason(&self) -> Option<String> {
        match &*self.backend.try_borrow().ok()? {
            Backend::Web(_) => None,
            Backend::Memory { reason, .. } => Some(reason.clone()),
        }
    }

    /// The web storage, or `None` when in memory. Clones the handle so that no borrow is
    /// held while JavaScript runs.
    fn web(&self) -> Result<Option<Storage>, StorageError> {
        let backend = self
            .backend
            .try_borrow()
            .map_err(|_| StorageError::Read("re-entrant use of the state store".into()))?;
        Ok(match &*backend {
            Backend::Web(storage) => Some(storage.clone()),
            Backend::Memory { .. } => None,
        })
    }

    fn with_memory<T>(&self, f: impl FnOnce(&MemoryStore) -> T) -> Result<T, StorageError> {
        let backend = self
            .backend
            .try_borrow()
            .map_err(|_| StorageError::Read("re-entrant use of the state store".into()))?;
        match &*backend {
            Backend::Memory { store, .. } => Ok(f(store)),
            Backend::Web(_) => Err(StorageError::Unavailable(
                "the in-memory fallback is not active".into(),
            )),
        }
    }

    /// Switches to memory, empty, unless already there.
    fn fall_back(&self, reason: String) -> Result<(), StorageError> {
        let mut backend = self
            .backend
            .try_borrow_mut()
            .map_err(|_| StorageError::Write("re-entrant use of the state store".into()))?;
        if let Backend::Web(_) = &*backend {
            *backend = Backend::Memory {
                store: MemoryStore::new(),
                reason,
            };
        }
        Ok(())
    }
}

impl Default for LocalStorageStore {
    fn default() -> Self {
        Self::new()
    }
}

impl StateStore for LocalStorageStore {
    fn read(&self) -> Result<Option<String>, StorageError> {
        let Some(storage) = self.web()? else {
            return self.with_memory(MemoryStore::get);
        };
        match storage.get_item(&self.key) {
            Ok(value) => Ok(value),
            Err(err) => {
                let reason = ["localStorage.getItem threw ", &describe_js_error(&err)].concat();
                self.fall_back(reason)?;
                self.with_memory(MemoryStore::get)
            }
        }
    }

    fn write(&self, value: Option<&str>) -> Result<(), StorageError> {
        let Some(storage) = self.web()? else {
            return self.with_memory(|store| store.set(value));
        };
        let result = match value {
            Some(value) => storage.set_item(&self.key, value),
            None => storage.remove_item(&self.key),
        };
        if let Err(err) = result {
            let call = if value.is_some() {
                "setItem"
            } else {
                "removeItem"
            };
            let reason = ["localStorage.", call, " threw ", &describe_js_error(&err)].concat();
            // Best effort: do not leave an older value behind for the next page load.
            let _ = storage.remove_item(&self.key);
            self.fall_back(reason)?;
            self.with_memory(|store| store.set(value))?;
        }
        Ok(())
    }
}
