//! [`StateStore`] in a first-party cookie, through
//! [`document.cookie`](https://developer.mozilla.org/en-US/docs/Web/API/Document/cookie).

use wasm_bindgen::JsCast;
use web_sys::HtmlDocument;

use super::describe_js_error;
use crate::core::cookie::{
    delete_cookie_string, find_cookie, find_cookies, invalid, is_valid_name, set_cookie_string,
    CookieAttributes, SameSite,
};
use crate::core::{StateStore, StorageError};

/// The default cookie name, as in GWE (`cookieName` option).
pub const DEFAULT_COOKIE_NAME: &str = "gcState";

/// The default state storage: one cookie, `gcState` unless named otherwise.
///
/// The cookie is written with `Path=/; SameSite=Lax`, `Secure` when the page is served over
/// https, and `Max-Age` equal to the maximum offline duration, so the browser drops state that
/// `restoreSession` would refuse anyway. It is host-only unless a domain is given with
/// [`with_domain`](Self::with_domain) (to share state between sub-domains; this does not work
/// on `localhost` or IP addresses).
///
/// Reading does not delete the cookie (GWE's one-shot read breaks restores in a second tab);
/// `write(None)` deletes it. A written value must be cookie-safe, as
/// [`PersistedState::encode`](crate::core::PersistedState::encode) output is, and at most
/// 4096 bytes with the name. An empty cookie reads as `None`.
#[derive(Debug, Clone)]
pub struct CookieStore {
    document: HtmlDocument,
    name: String,
    attributes: CookieAttributes,
}

impl CookieStore {
    /// A store for the cookie `gcState`, living `max_offline_secs` seconds (at least 1).
    pub fn new(max_offline_secs: u64) -> Result<Self, StorageError> {
        Self::with_name(DEFAULT_COOKIE_NAME, max_offline_secs)
    }

    /// A store for the cookie `name`, living `max_offline_secs` seconds (at least 1).
    ///
    /// Fails when the name is not a valid cookie name or there is no `document`.
    pub fn with_name(name: &str, max_offline_secs: u64) -> Result<Self, StorageError> {
        if !is_valid_name(name) {
            return Err(invalid(
                "cookie name",
                name,
                "a cookie name is one or more visible ASCII characters without separators",
            ));
        }
        let window = web_sys::window().ok_or_else(|| {
            StorageError::Unavailable("no `window`: cookies need a browser page".into())
        })?;
        let document = window.document().ok_or_else(|| {
            StorageError::Unavailable("no `document`: cookies need a browser page".into())
        })?;
        let secure = window
            .location()
            .protocol()
            .is_ok_and(|protocol| protocol == "https:");
        Ok(Self {
            // `cookie` is defined on `Document` in current browsers; the binding is structural.
            document: document.unchecked_into(),
            name: name.to_owned(),
            attributes: CookieAttributes {
                path: "/".into(),
                domain: None,
                max_age_secs: max_offline_secs.max(1),
                secure,
                same_site: SameSite::Lax,
            },
        })
    }

    /// The same store, with the cookie set for `domain` (e.g. `example.com` to share it with
    /// every sub-domain) instead of host-only.
    pub fn with_domain(mut self, domain: &str) -> Result<Self, StorageError> {
        let probe = CookieAttributes {
            domain: Some(domain.to_owned()),
            ..self.attributes.clone()
        };
        delete_cookie_string(&self.name, &probe)?;
        self.attributes = probe;
        Ok(self)
    }

    /// The cookie name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The attributes the cookie is written with.
    pub fn attributes(&self) -> &CookieAttributes {
        &self.attributes
    }

    fn cookie_text(&self) -> Result<String, StorageError> {
        // Throws a SecurityError in sandboxed frames and documents without an origin.
        self.document.cookie().map_err(|err| {
            StorageError::Unavailable(
                ["document.cookie cannot be read: ", &describe_js_error(&err)].concat(),
            )
        })
    }

    fn assign(&self, text: &str) -> Result<(), StorageError> {
        self.document.set_cookie(text).map_err(|err| {
            StorageError::Write(
                [
                    "document.cookie cannot be written: ",
                    &describe_js_error(&err),
                ]
                .concat(),
            )
        })
    }
}

impl StateStore for CookieStore {
    fn read(&self) -> Result<Option<String>, StorageError> {
        let text = self.cookie_text()?;
        Ok(find_cookie(&text, &self.name)
            .filter(|value| !value.is_empty())
            .map(str::to_owned))
    }

    fn write(&self, value: Option<&str>) -> Result<(), StorageError> {
        let Some(value) = value else {
            return self.assign(&delete_cookie_string(&self.name, &self.attributes)?);
        };
        self.assign(&set_cookie_string(&self.name, value, &self.attributes)?)?;
        // The browser ignores cookies silently (cookies disabled, wrong domain, `Secure` on
        // http): read back to find out.
        let text = self.cookie_text()?;
        if find_cookies(&text, &self.name).any(|stored| stored == value) {
            Ok(())
        } else {
            Err(StorageError::Write(
                "the browser did not keep the cookie (cookies disabled or blocked, or a domain \
                 that does not match the page)"
                    .into(),
            ))
        }
    }
}
