//! Where the chat session keeps its state between page loads.
//!
//! The session sees storage through [`StateStore`], a string slot: `read` returns what was
//! written last, `write(Some(_))` replaces it and `write(None)` clears it. The value is an
//! encoded [`PersistedState`](crate::core::state::PersistedState); the store does not look
//! inside it. Browser adapters (cookie, `localStorage`) implement the trait in
//! `crate::browser`; [`MemoryStore`] is the in-memory implementation, used in tests and as the
//! fallback when the browser refuses storage.

use std::cell::Cell;
use std::rc::Rc;

use crate::core::json::{push_all, push_u64};

/// Failure of a state store. The texts (`Display`) are given with each variant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StorageError {
    /// The medium cannot be used at all (missing, disabled, blocked by the browser).
    /// Text: "state storage is unavailable: {0}".
    Unavailable(String),

    /// Reading failed.
    /// Text: "reading the saved state failed: {0}".
    Read(String),

    /// Writing or clearing failed.
    /// Text: "saving the state failed: {0}".
    Write(String),

    /// The value does not fit the medium.
    /// Text: "the state is too large for {medium}: {len} bytes, the limit is {max}".
    TooLarge {
        /// The medium, e.g. `"a cookie"`.
        medium: &'static str,
        /// The size that was refused, in bytes.
        len: usize,
        /// The limit, in bytes.
        max: usize,
    },

    /// A name, key or value the medium cannot hold.
    /// Text: "invalid {what} `{value}`: {reason}".
    Invalid {
        /// What was refused, e.g. `"cookie name"`.
        what: &'static str,
        /// The refused value (truncated for display when long).
        value: String,
        /// Why it was refused.
        reason: &'static str,
    },
}

impl StorageError {
    /// Appends the `Display` text, with `push_str` (the formatting machinery is large in the
    /// wasm).
    pub(crate) fn push_text(&self, out: &mut String) {
        match self {
            StorageError::Unavailable(why) => {
                push_all(out, &["state storage is unavailable: ", why]);
            }
            StorageError::Read(why) => push_all(out, &["reading the saved state failed: ", why]),
            StorageError::Write(why) => push_all(out, &["saving the state failed: ", why]),
            StorageError::TooLarge { medium, len, max } => {
                push_all(out, &["the state is too large for ", medium, ": "]);
                push_u64(out, *len as u64);
                out.push_str(" bytes, the limit is ");
                push_u64(out, *max as u64);
            }
            StorageError::Invalid {
                what,
                value,
                reason,
            } => push_all(out, &["invalid ", what, " `", value, "`: ", reason]),
        }
    }
}

impl std::fmt::Display for StorageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut text = String::new();
        self.push_text(&mut text);
        f.write_str(&text)
    }
}

impl std::error::Error for StorageError {}

/// A slot that holds the session's encoded state.
///
/// Implementations must not panic: they run inside the page's only wasm instance.
pub trait StateStore {
    /// The value written last, or `None` when nothing is stored (or it was cleared).
    fn read(&self) -> Result<Option<String>, StorageError>;

    /// Stores `Some(value)`, replacing the previous value, or clears the slot with `None`.
    fn write(&self, value: Option<&str>) -> Result<(), StorageError>;
}

impl<T: StateStore + ?Sized> StateStore for &T {
    fn read(&self) -> Result<Option<String>, StorageError> {
        (**self).read()
    }
    fn write(&self, value: Option<&str>) -> Result<(), StorageError> {
        (**self).write(value)
    }
}

impl<T: StateStore + ?Sized> StateStore for Box<T> {
    fn read(&self) -> Result<Option<String>, StorageError> {
        (**self).read()
    }
    fn write(&self, value: Option<&str>) -> Result<(), StorageError> {
        (**self).write(value)
    }
}

impl<T: StateStore + ?Sized> StateStore for Rc<T> {
    fn read(&self) -> Result<Option<String>, StorageError> {
        (**self).read()
    }
    fn write(&self, value: Option<&str>) -> Result<(), StorageError> {
        (**self).write(value)
    }
}

/// A [`StateStore`] that keeps the value in memory; it never fails.
///
/// The value lives as long as the store, so it does not survive a page load.
#[derive(Default)]
pub struct MemoryStore {
    value: Cell<Option<String>>,
}

impl std::fmt::Debug for MemoryStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The value may hold a secure key: show only whether there is one.
        f.debug_struct("MemoryStore")
            .field("has_value", &self.get().is_some())
            .finish()
    }
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// A store that already holds `value`.
    pub fn with_value(value: impl Into<String>) -> Self {
        Self {
            value: Cell::new(Some(value.into())),
        }
    }

    /// The stored value, without going through the trait.
    pub fn get(&self) -> Option<String> {
        let value = self.value.take();
        let copy = value.clone();
        self.value.set(value);
        copy
    }

    /// Stores or clears the value, without going through the trait.
    pub fn set(&self, value: Option<&str>) {
        self.value.set(value.map(str::to_owned));
    }
}

impl StateStore for MemoryStore {
    fn read(&self) -> Result<Option<String>, StorageError> {
        Ok(self.get())
    }

    fn write(&self, value: Option<&str>) -> Result<(), StorageError> {
        self.set(value);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn starts_empty() {
        let store = MemoryStore::new();
        assert_eq!(store.read(), Ok(None));
    }

    #[test]
    fn write_then_read() {
        let store = MemoryStore::new();
        store.write(Some("v=1&sid=abc")).unwrap();
        assert_eq!(store.read().unwrap().as_deref(), Some("v=1&sid=abc"));
        // Reading does not consume the value.
        assert_eq!(store.read().unwrap().as_deref(), Some("v=1&sid=abc"));
    }

    #[test]
    fn write_replaces() {
        let store = MemoryStore::with_value("old");
        store.write(Some("new")).unwrap();
        assert_eq!(store.read().unwrap().as_deref(), Some("new"));
    }

    #[test]
    fn write_none_clears() {
        let store = MemoryStore::with_value("old");
        store.write(None).unwrap();
        assert_eq!(store.read(), Ok(None));
        // Clearing an empty store is fine.
        store.write(None).unwrap();
        assert_eq!(store.read(), Ok(None));
    }

    #[test]
    fn empty_string_is_a_value() {
        let store = MemoryStore::new();
        store.write(Some("")).unwrap();
        assert_eq!(store.read(), Ok(Some(String::new())));
    }

    #[test]
    fn works_through_shared_handles_and_trait_objects() {
        let store = Rc::new(MemoryStore::new());
        let shared: Rc<dyn StateStore> = store.clone();
        shared.write(Some("x")).unwrap();
        assert_eq!(store.get().as_deref(), Some("x"));

        let boxed: Box<dyn StateStore> = Box::new(MemoryStore::with_value("y"));
        assert_eq!(boxed.read().unwrap().as_deref(), Some("y"));

        fn through_ref(store: &impl StateStore) -> Option<String> {
            store.read().ok().flatten()
        }
        assert_eq!(through_ref(&&*store).as_deref(), Some("x"));
    }

    #[test]
    fn errors_read_well() {
        let err = StorageError::TooLarge {
            medium: "a cookie",
            len: 5000,
            max: 4096,
        };
        assert_eq!(
            err.to_string(),
            "the state is too large for a cookie: 5000 bytes, the limit is 4096"
        );
        assert_eq!(
            StorageError::Unavailable("localStorage is disabled".into()).to_string(),
            "state storage is unavailable: localStorage is disabled"
        );
    }
}
