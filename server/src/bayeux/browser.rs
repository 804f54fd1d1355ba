//! The `BAYEUX_BROWSER` cookie, which tells the server which clients share one browser (several
//! tabs), so that they do not each hold a long-poll and exhaust the browser's connections.

use axum::http::header::{HeaderMap, HeaderValue, COOKIE};

use super::token::random_token;

/// Name of the cookie, as recommended by the Bayeux specification.
pub(crate) const COOKIE_NAME: &str = "BAYEUX_BROWSER";

/// The browser a request came from.
#[derive(Debug, Clone)]
pub(crate) struct Browser {
    pub id: String,
    /// True when the request carried no cookie and the response must set one.
    pub is_new: bool,
}

impl Browser {
    /// The browser id from the request's cookies, or a new one. `None` only when no random id
    /// can be made; the request is then served without browser tracking.
    pub(crate) fn from_headers(headers: &HeaderMap) -> Option<Self> {
        match cookie_value(headers) {
            Some(id) => Some(Self { id, is_new: false }),
            None => random_token().ok().map(|id| Self { id, is_new: true }),
        }
    }

    /// The `Set-Cookie` header for a new browser id; `None` when the request already had one.
    pub(crate) fn set_cookie(&self) -> Option<HeaderValue> {
        if !self.is_new {
            return None;
        }
        HeaderValue::from_str(&format!(
            "{COOKIE_NAME}={}; Path=/; HttpOnly; SameSite=Lax",
            self.id
        ))
        .ok()
    }
}

/// The value of the first well-formed `BAYEUX_BROWSER` cookie in the request.
fn cookie_value(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|header| header.to_str().ok())
        .flat_map(|header| header.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .filter(|(name, _)| *name == COOKIE_NAME)
        .map(|(_, value)| value.trim())
        // Our own ids are hex; accept any short token, refuse what could be mischief.
        .find(|value| {
            !value.is_empty()
                && value.len() <= 128
                && value
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
        })
        .map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(cookies: &[&str]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for cookie in cookies {
            if let Ok(value) = HeaderValue::from_str(cookie) {
                headers.append(COOKIE, value);
            }
        }
        headers
    }

    #[test]
    fn reads_the_cookie_among_others() {
        let browser = Browser::from_headers(&headers(&["a=1; BAYEUX_BROWSER=abc123; b=2"]));
        assert_eq!(browser.as_ref().map(|b| b.id.as_str()), Some("abc123"));
        assert_eq!(browser.map(|b| b.is_new), Some(false));
        let browser = Browser::from_headers(&headers(&["a=1", "BAYEUX_BROWSER=x-y"]));
        assert_eq!(browser.map(|b| b.id), Some("x-y".to_owned()));
    }

    #[test]
    fn makes_a_new_id_and_cookie_when_absent_or_bad() {
        for cookies in [&[][..], &["BAYEUX_BROWSER="], &["BAYEUX_BROWSER=a,b"]] {
            let browser = Browser::from_headers(&headers(cookies));
            assert_eq!(browser.as_ref().map(|b| b.is_new), Some(true));
            let cookie = browser.and_then(|b| b.set_cookie());
            let cookie = cookie.as_ref().and_then(|c| c.to_str().ok()).unwrap_or("");
            assert!(cookie.starts_with("BAYEUX_BROWSER="), "{cookie}");
            assert!(
                cookie.ends_with("; Path=/; HttpOnly; SameSite=Lax"),
                "{cookie}"
            );
        }
    }
}
