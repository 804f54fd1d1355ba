//! Cookie strings: building the text assigned to `document.cookie` and finding one cookie in
//! the text read from it (RFC 6265). Pure string handling; the browser adapter that uses it is
//! `crate::browser::CookieStore`.

use crate::core::json::push_u64;
use crate::core::storage::StorageError;

/// The size browsers guarantee for one cookie's name plus value, in bytes (RFC 6265 §6.1).
pub const MAX_COOKIE_BYTES: usize = 4096;

/// The `SameSite` attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SameSite {
    /// `SameSite=Strict`.
    Strict,
    /// `SameSite=Lax`: sent on top-level navigations from other sites, not on sub-requests.
    #[default]
    Lax,
}

impl SameSite {
    fn as_str(self) -> &'static str {
        match self {
            SameSite::Strict => "Strict",
            SameSite::Lax => "Lax",
        }
    }
}

/// The attributes written with a cookie.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CookieAttributes {
    /// `Path`; `/` makes the cookie visible to every page of the site.
    pub path: String,
    /// `Domain`; `None` makes a host-only cookie.
    pub domain: Option<String>,
    /// `Max-Age` in seconds.
    pub max_age_secs: u64,
    /// `Secure`: only sent over https.
    pub secure: bool,
    /// `SameSite`.
    pub same_site: SameSite,
}

impl Default for CookieAttributes {
    fn default() -> Self {
        Self {
            path: "/".into(),
            domain: None,
            max_age_secs: 5,
            secure: false,
            same_site: SameSite::Lax,
        }
    }
}

/// Whether `name` is a valid cookie name (an RFC 7230 token).
pub fn is_valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.bytes().all(|b| {
            b.is_ascii_graphic()
                && !matches!(
                    b,
                    b'(' | b')'
                        | b'<'
                        | b'>'
                        | b'@'
                        | b','
                        | b';'
                        | b':'
                        | b'\\'
                        | b'"'
                        | b'/'
                        | b'['
                        | b']'
                        | b'?'
                        | b'='
                        | b'{'
                        | b'}'
                )
        })
}

/// Whether `value` only has RFC 6265 `cookie-octet`s (no spaces, `"`, `,`, `;` or `\`).
pub fn is_valid_value(value: &str) -> bool {
    value
        .bytes()
        .all(|b| b.is_ascii_graphic() && !matches!(b, b'"' | b',' | b';' | b'\\'))
}

/// Whether `text` can be used as a `Path` or `Domain` attribute value.
fn is_valid_attribute(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|b| b.is_ascii_graphic() && b != b';')
}

/// The error for an invalid cookie name or attribute, quoting at most 64 characters of it.
pub(crate) fn invalid(what: &'static str, value: &str, reason: &'static str) -> StorageError {
    // A plain loop: smaller in the wasm than `chars().take(64).collect()`.
    let mut quoted = String::new();
    for (count, c) in value.chars().enumerate() {
        if count == 64 {
            break;
        }
        quoted.push(c);
    }
    StorageError::Invalid {
        what,
        value: quoted,
        reason,
    }
}

fn check(name: &str, attrs: &CookieAttributes) -> Result<(), StorageError> {
    if !is_valid_name(name) {
        return Err(invalid(
            "cookie name",
            name,
            "a cookie name is one or more visible ASCII characters without separators",
        ));
    }
    if !is_valid_attribute(&attrs.path) {
        return Err(invalid(
            "cookie path",
            &attrs.path,
            "must be visible ASCII without `;`",
        ));
    }
    if let Some(domain) = &attrs.domain {
        if !is_valid_attribute(domain) {
            return Err(invalid(
                "cookie domain",
                domain,
                "must be visible ASCII without `;`",
            ));
        }
    }
    Ok(())
}

fn push_attributes(out: &mut String, attrs: &CookieAttributes, max_age_secs: u64) {
    out.push_str("; Path=");
    out.push_str(&attrs.path);
    if let Some(domain) = &attrs.domain {
        out.push_str("; Domain=");
        out.push_str(domain);
    }
    out.push_str("; Max-Age=");
    push_u64(out, max_age_secs);
    out.push_str("; SameSite=");
    out.push_str(attrs.same_site.as_str());
    if attrs.secure {
        out.push_str("; Secure");
    }
}

/// The text to assign to `document.cookie` to set `name=value` with `attrs`.
///
/// Refuses names, values and attributes that would change the meaning of the text, and
/// name plus value longer than [`MAX_COOKIE_BYTES`].
pub fn set_cookie_string(
    name: &str,
    value: &str,
    attrs: &CookieAttributes,
) -> Result<String, StorageError> {
    check(name, attrs)?;
    if !is_valid_value(value) {
        return Err(invalid(
            "cookie value",
            value,
            "a cookie value cannot hold spaces, quotes, `,`, `;`, `\\` or non-ASCII characters",
        ));
    }
    let len = name.len() + 1 + value.len();
    if len > MAX_COOKIE_BYTES {
        return Err(StorageError::TooLarge {
            medium: "a cookie",
            len,
            max: MAX_COOKIE_BYTES,
        });
    }
    let mut out = String::with_capacity(len + 64);
    out.push_str(name);
    out.push('=');
    out.push_str(value);
    push_attributes(&mut out, attrs, attrs.max_age_secs);
    Ok(out)
}

/// The text to assign to `document.cookie` to delete the cookie `name` set with `attrs`
/// (same path and domain, `Max-Age=0`).
pub fn delete_cookie_string(name: &str, attrs: &CookieAttributes) -> Result<String, StorageError> {
    check(name, attrs)?;
    let mut out = String::with_capacity(name.len() + 64);
    out.push_str(name);
    out.push('=');
    push_attributes(&mut out, attrs, 0);
    Ok(out)
}

/// The values of every cookie called `name` in `cookies` (the text of `document.cookie`,
/// `a=1; b=2`), in the browser's order (longest path first). Surrounding double quotes are
/// removed. Pairs without `=` are cookies with an empty name and are skipped.
pub fn find_cookies<'a>(cookies: &'a str, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
    cookies.split(';').filter_map(move |pair| {
        let (k, v) = pair.split_once('=')?;
        if k.trim() != name {
            return None;
        }
        let v = v.trim();
        Some(
            v.strip_prefix('"')
                .and_then(|inner| inner.strip_suffix('"'))
                .unwrap_or(v),
        )
    })
}

/// The value of the first cookie called `name` in `cookies`, if any.
pub fn find_cookie<'a>(cookies: &'a str, name: &'a str) -> Option<&'a str> {
    find_cookies(cookies, name).next()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attrs() -> CookieAttributes {
        CookieAttributes::default()
    }

    #[test]
    fn default_attributes() {
        assert_eq!(
            set_cookie_string("gcState", "v=1&sid=a", &attrs()).unwrap(),
            "gcState=v=1&sid=a; Path=/; Max-Age=5; SameSite=Lax"
        );
    }

    #[test]
    fn secure_domain_and_max_age() {
        let attrs = CookieAttributes {
            domain: Some(".example.com".into()),
            max_age_secs: 60,
            secure: true,
            same_site: SameSite::Strict,
            ..attrs()
        };
        assert_eq!(
            set_cookie_string("gcState", "x", &attrs).unwrap(),
            "gcState=x; Path=/; Domain=.example.com; Max-Age=60; SameSite=Strict; Secure"
        );
    }

    #[test]
    fn delete_uses_same_path_and_domain() {
        let attrs = CookieAttributes {
            domain: Some("example.com".into()),
            secure: true,
            ..attrs()
        };
        assert_eq!(
            delete_cookie_string("gcState", &attrs).unwrap(),
            "gcState=; Path=/; Domain=example.com; Max-Age=0; SameSite=Lax; Secure"
        );
    }

    #[test]
    fn refuses_unsafe_names_values_and_attributes() {
        for name in ["", "a b", "a;b", "a=b", "ä", "a\u{0}"] {
            assert!(
                matches!(
                    set_cookie_string(name, "x", &attrs()),
                    Err(StorageError::Invalid {
                        what: "cookie name",
                        ..
                    })
                ),
                "{name:?}"
            );
        }
        for value in ["a b", "a;b", "a,b", "\"a\"", "a\\b", "é"] {
            assert!(
                matches!(
                    set_cookie_string("n", value, &attrs()),
                    Err(StorageError::Invalid {
                        what: "cookie value",
                        ..
                    })
                ),
                "{value:?}"
            );
        }
        let bad_domain = CookieAttributes {
            domain: Some("example.com; Secure".into()),
            ..attrs()
        };
        assert!(delete_cookie_string("n", &bad_domain).is_err());
        let bad_path = CookieAttributes {
            path: String::new(),
            ..attrs()
        };
        assert!(set_cookie_string("n", "x", &bad_path).is_err());
        assert!(set_cookie_string("n", "", &attrs()).is_ok());
    }

    #[test]
    fn refuses_oversize_cookies() {
        let name = "gcState";
        let fits = "a".repeat(MAX_COOKIE_BYTES - name.len() - 1);
        assert!(set_cookie_string(name, &fits, &attrs()).is_ok());
        let too_big = format!("{fits}a");
        assert_eq!(
            set_cookie_string(name, &too_big, &attrs()),
            Err(StorageError::TooLarge {
                medium: "a cookie",
                len: MAX_COOKIE_BYTES + 1,
                max: MAX_COOKIE_BYTES
            })
        );
    }

    #[test]
    fn finds_a_cookie_among_others() {
        let jar = "_ga=GA1.2.3; gcStateOld=no; gcState=v=1&sid=a&c=1; xgcState=no; theme=dark";
        assert_eq!(find_cookie(jar, "gcState"), Some("v=1&sid=a&c=1"));
        assert_eq!(find_cookie(jar, "theme"), Some("dark"));
        assert_eq!(find_cookie(jar, "gcStat"), None);
        assert_eq!(find_cookie(jar, "missing"), None);
    }

    #[test]
    fn finds_first_or_only_cookie_and_handles_odd_text() {
        assert_eq!(find_cookie("gcState=a", "gcState"), Some("a"));
        assert_eq!(find_cookie("", "gcState"), None);
        assert_eq!(find_cookie(";;", "gcState"), None);
        assert_eq!(
            find_cookie("gcState", "gcState"),
            None,
            "no `=`: empty name"
        );
        assert_eq!(find_cookie("gcState=", "gcState"), Some(""));
        assert_eq!(find_cookie("gcState=\"quoted\"", "gcState"), Some("quoted"));
        assert_eq!(find_cookie("gcState=\"", "gcState"), Some("\""));
        assert_eq!(find_cookie(" gcState = a ", "gcState"), Some("a"));
        assert_eq!(
            find_cookie("GCSTATE=a", "gcState"),
            None,
            "names are case-sensitive"
        );
    }

    #[test]
    fn finds_every_cookie_of_a_name_in_order() {
        let jar = "gcState=deep; other=1; gcState=root";
        assert_eq!(
            find_cookies(jar, "gcState").collect::<Vec<_>>(),
            ["deep", "root"]
        );
    }

    #[test]
    fn names() {
        assert!(is_valid_name("gcState"));
        assert!(is_valid_name("__Host-x"));
        assert!(!is_valid_name("a:b"));
    }
}
