//! Who calls the SuperOffice face, and how the request wants its answer.
//!
//! The agent accounts are the SuperOffice users ("associates"). A caller authenticates with
//! one of:
//! - `Authorization: Basic base64(name:password)`;
//! - `Authorization: Bearer <token>`, the `token` of `POST /api/v1/agents/login`;
//! - `Authorization: SOTicket <ticket>`, the `ticket` of that same answer (tickets are issued
//!   like tokens; the two are the same secret);
//! - the session cookie set by `POST /api/v1/agents/session` (a cookie login for browsers).
//!   Cookie callers must send the `X-XSRF-TOKEN` header, with the value of the `XSRF-TOKEN`
//!   cookie (also in the login answer), on every unsafe method (POST, PUT, PATCH, DELETE):
//!   403 otherwise. An `Authorization` header, when present, wins over the cookie.
//!
//! Missing or invalid credentials give 401 with the SuperOffice error body.

use std::sync::Arc;
use std::time::{Duration, UNIX_EPOCH};

use axum::body::Bytes;
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};

use super::dates::DateStyle;
use super::errors::SoError;
use crate::agents::AuthError;
use crate::app::AppState;
use crate::chat::AgentRef;

/// The cookie that carries the session token of a cookie login.
pub const SESSION_COOKIE: &str = "HOTLINE_SESSION";
/// The cookie a browser script reads to send `X-XSRF-TOKEN`.
pub const XSRF_COOKIE: &str = "XSRF-TOKEN";
pub const XSRF_HEADER: &str = "x-xsrf-token";

/// The XSRF value that goes with a session token (derived, so nothing more is stored).
pub fn xsrf_for(token: &str) -> String {
    let digest = Sha256::digest(format!("hotline-xsrf:{token}").as_bytes());
    digest.iter().take(20).map(|b| format!("{b:02x}")).collect()
}

fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.trim())
}

/// Authenticates a request of the SuperOffice face.
pub fn authenticate(
    state: &AppState,
    method: &Method,
    headers: &HeaderMap,
) -> Result<AgentRef, SoError> {
    if let Some(authorization) = headers.get(header::AUTHORIZATION) {
        let authorization = authorization
            .to_str()
            .map_err(|_| SoError::from(AuthError::Invalid))?
            .trim();
        let (scheme, credentials) = authorization.split_once(' ').unwrap_or((authorization, ""));
        if scheme.eq_ignore_ascii_case("sOTicket") {
            return Ok(state.agents.agent_for_token(credentials.trim())?);
        }
        return Ok(state.agents.authenticate(Some(authorization))?);
    }
    if let Some(token) = cookie(headers, SESSION_COOKIE) {
        let agent = state.agents.agent_for_token(token)?;
        let safe = matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS);
        if !safe {
            let sent = headers
                .get(XSRF_HEADER)
                .and_then(|value| value.to_str().ok())
                .map(str::trim);
            if sent != Some(xsrf_for(token).as_str()) {
                return Err(SoError::forbidden(
                    "a cookie-authenticated request must send the X-XSRF-TOKEN header with the \
                     value of the XSRF-TOKEN cookie",
                ));
            }
        }
        return Ok(agent);
    }
    Err(SoError::unauthorized(
        "credentials are missing: send Authorization: Basic, Bearer or SOTicket, or sign in \
         with POST /api/v1/agents/session",
    ))
}

/// Media types this face writes, and the ranges that include them.
const ANSWERABLE: [&str; 8] = [
    "application/json",
    "text/json",
    "application/json-patch+json",
    "application/merge-patch+json",
    "application/*",
    "text/*",
    "*/*",
    "*",
];

/// Whether `Accept` lets us answer in JSON.
pub fn accepts_json(headers: &HeaderMap) -> Result<(), SoError> {
    let values: Vec<&str> = headers
        .get_all(header::ACCEPT)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .collect();
    if values.is_empty() || values.iter().all(|v| v.trim().is_empty()) {
        return Ok(());
    }
    let accepted = values
        .iter()
        .flat_map(|value| value.split(','))
        .filter_map(|range| {
            let mut parts = range.split(';').map(str::trim);
            let media = parts.next()?.to_ascii_lowercase();
            let refused = parts.any(|param| {
                param
                    .split_once('=')
                    .filter(|(key, _)| key.trim().eq_ignore_ascii_case("q"))
                    .and_then(|(_, q)| q.trim().parse::<f32>().ok())
                    .is_some_and(|q| q <= 0.0)
            });
            (!refused).then_some(media)
        })
        .any(|media| ANSWERABLE.contains(&media.as_str()));
    if accepted {
        Ok(())
    } else {
        Err(SoError::not_acceptable(&values.join(", ")))
    }
}

/// What every request of the face carries: the caller, the date style, and the conditions.
pub struct SoContext {
    pub agent: AgentRef,
    pub dates: DateStyle,
    /// `http://host`, for `_Links`.
    pub base_url: String,
    /// `If-Unmodified-Since`, in epoch seconds.
    pub unmodified_since: Option<i64>,
    /// `If-Modified-Since`, in epoch seconds.
    pub modified_since: Option<i64>,
}

impl SoContext {
    /// 412 when the record changed after `If-Unmodified-Since`.
    pub fn check_unmodified(&self, updated_at_ms: i64) -> Result<(), SoError> {
        match self.unmodified_since {
            Some(since) if updated_at_ms.div_euclid(1000) > since => {
                Err(SoError::precondition_failed(format!(
                    "the record was changed at {}, after If-Unmodified-Since",
                    self.dates.format(updated_at_ms)
                )))
            }
            _ => Ok(()),
        }
    }

    /// Whether a GET may answer 304 (`If-Modified-Since` not older than the last change).
    pub fn not_modified(&self, updated_at_ms: i64) -> bool {
        self.modified_since
            .is_some_and(|since| updated_at_ms.div_euclid(1000) <= since)
    }
}

fn http_date(headers: &HeaderMap, name: header::HeaderName) -> Option<i64> {
    let text = headers.get(name)?.to_str().ok()?.trim();
    if let Ok(time) = httpdate::parse_http_date(text) {
        return time
            .duration_since(UNIX_EPOCH)
            .ok()
            .map(|d| d.as_secs() as i64);
    }
    // ISO 8601 is read as well, for clients that send the entity's own dates.
    DateStyle::default()
        .parse(text)
        .ok()
        .map(|ms| ms.div_euclid(1000))
}

/// `Last-Modified` for a record changed at `updated_at_ms`.
pub fn last_modified(updated_at_ms: i64) -> HeaderValue {
    let time = UNIX_EPOCH + Duration::from_millis(updated_at_ms.max(0) as u64);
    HeaderValue::from_str(&httpdate::fmt_http_date(time))
        .unwrap_or_else(|_| HeaderValue::from_static(""))
}

impl FromRequestParts<Arc<AppState>> for SoContext {
    type Rejection = SoError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &Arc<AppState>,
    ) -> Result<Self, Self::Rejection> {
        let agent = authenticate(state, &parts.method, &parts.headers)?;
        accepts_json(&parts.headers)?;
        let zone = parts
            .headers
            .get("so-timezone")
            .and_then(|value| value.to_str().ok());
        let dates = DateStyle::from_header(zone).map_err(SoError::bad_request)?;
        // Accept-Language, SO-Language and SO-Culture are accepted: this server has no
        // translated resources, and JSON dates and numbers are culture-neutral.
        Ok(SoContext {
            agent,
            dates,
            base_url: crate::api::base_url(&parts.headers),
            unmodified_since: http_date(&parts.headers, header::IF_UNMODIFIED_SINCE),
            modified_since: http_date(&parts.headers, header::IF_MODIFIED_SINCE),
        })
    }
}

/// A request body, by its media type.
#[derive(Debug, Clone, PartialEq)]
pub enum Body {
    Empty,
    /// `application/json`, `text/json` or a form (as an object of strings).
    Json(Value),
    JsonPatch(Value),
    MergePatch(Value),
}

/// Reads a body in a media type this face accepts: 415 for others, 400 for malformed JSON.
pub fn read_body(headers: &HeaderMap, body: &Bytes) -> Result<Body, SoError> {
    let media_type = super::super::api::content_type(headers);
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Body::Empty);
    }
    let json = || {
        serde_json::from_slice::<Value>(body)
            .map_err(|error| SoError::bad_request(format!("malformed JSON body: {error}")))
    };
    match media_type.as_str() {
        "" | "application/json" | "text/json" => Ok(Body::Json(json()?)),
        "application/json-patch+json" => Ok(Body::JsonPatch(json()?)),
        "application/merge-patch+json" => Ok(Body::MergePatch(json()?)),
        "application/x-www-form-urlencoded" => {
            let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(body)
                .map_err(|error| SoError::bad_request(format!("malformed form body: {error}")))?;
            let object: Map<String, Value> = pairs
                .into_iter()
                .map(|(key, value)| (key, Value::String(value)))
                .collect();
            Ok(Body::Json(Value::Object(object)))
        }
        other => Err(SoError::unsupported_media_type(other)),
    }
}

fn session_cookies(token: &str) -> [HeaderValue; 2] {
    let session = format!("{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax");
    let xsrf = format!("{XSRF_COOKIE}={}; Path=/; SameSite=Lax", xsrf_for(token));
    [
        HeaderValue::from_str(&session).unwrap_or_else(|_| HeaderValue::from_static("")),
        HeaderValue::from_str(&xsrf).unwrap_or_else(|_| HeaderValue::from_static("")),
    ]
}

/// `POST /api/v1/agents/session`: a cookie login. Body `{"username", "password"}` (JSON or
/// form) or Basic credentials.
pub async fn cookie_login(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, SoError> {
    let fields = match read_body(&headers, &body)? {
        Body::Json(Value::Object(fields)) => fields,
        Body::Empty => Map::new(),
        _ => {
            return Err(SoError::bad_request(
                "send {\"username\", \"password\"} or Basic credentials",
            ))
        }
    };
    let text = |name: &str| fields.get(name).and_then(Value::as_str).map(str::to_owned);
    let (token, agent) = match (text("username"), text("password")) {
        (Some(username), Some(password)) => state.agents.login(&username, &password)?,
        _ => {
            let authorization = headers
                .get(header::AUTHORIZATION)
                .and_then(|value| value.to_str().ok());
            let agent = state.agents.authenticate(authorization)?;
            state.agents.issue_token(&agent.agent_id)?
        }
    };
    let mut response = Json(json!({
        "agentId": agent.agent_id,
        "name": agent.nickname,
        "ticket": token,
        "xsrfToken": xsrf_for(&token),
    }))
    .into_response();
    for cookie in session_cookies(&token) {
        response.headers_mut().append(header::SET_COOKIE, cookie);
    }
    Ok(response)
}

/// `DELETE /api/v1/agents/session`: ends the cookie session.
pub async fn cookie_logout(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
) -> Result<Response, SoError> {
    authenticate(&state, &Method::DELETE, &headers)?;
    if let Some(token) = cookie(&headers, SESSION_COOKIE) {
        state.agents.revoke(token);
    }
    let mut response = StatusCode::NO_CONTENT.into_response();
    for name in [SESSION_COOKIE, XSRF_COOKIE] {
        if let Ok(value) = HeaderValue::from_str(&format!("{name}=; Path=/; Max-Age=0")) {
            response.headers_mut().append(header::SET_COOKIE, value);
        }
    }
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, HeaderValue::from_str(value).unwrap());
        }
        map
    }

    #[test]
    fn accept_allows_json_and_refuses_the_rest() {
        for ok in [
            "",
            "application/json",
            "application/json; charset=utf-8",
            "text/json",
            "*/*",
            "application/xml, application/json;q=0.5",
            "application/merge-patch+json",
        ] {
            assert!(accepts_json(&headers(&[("accept", ok)])).is_ok(), "{ok}");
        }
        for refused in [
            "application/xml",
            "text/xml",
            "application/json;q=0",
            "image/png",
        ] {
            let error = accepts_json(&headers(&[("accept", refused)])).unwrap_err();
            assert_eq!(error.status.as_u16(), 406, "{refused}");
        }
    }

    #[test]
    fn bodies_are_read_by_media_type() {
        let body = Bytes::from_static(b"{\"a\":1}");
        let read = |ct: &str| read_body(&headers(&[("content-type", ct)]), &body);
        assert_eq!(
            read("application/json; charset=utf-8").unwrap(),
            Body::Json(json!({"a": 1}))
        );
        assert_eq!(read("text/json").unwrap(), Body::Json(json!({"a": 1})));
        assert_eq!(
            read("application/merge-patch+json").unwrap(),
            Body::MergePatch(json!({"a": 1}))
        );
        assert_eq!(read("application/xml").unwrap_err().status.as_u16(), 415);
        assert_eq!(read("text/xml").unwrap_err().status.as_u16(), 415);
        let form = Bytes::from_static(b"Name=x&Rating=3");
        assert_eq!(
            read_body(
                &headers(&[("content-type", "application/x-www-form-urlencoded")]),
                &form
            )
            .unwrap(),
            Body::Json(json!({"Name": "x", "Rating": "3"}))
        );
        let broken = Bytes::from_static(b"{");
        assert_eq!(
            read_body(&headers(&[("content-type", "application/json")]), &broken)
                .unwrap_err()
                .status
                .as_u16(),
            400
        );
        assert_eq!(
            read_body(&HeaderMap::new(), &Bytes::new()).unwrap(),
            Body::Empty
        );
    }

    #[test]
    fn cookies_are_found_and_xsrf_is_stable() {
        let map = headers(&[("cookie", "a=1; HOTLINE_SESSION=tok; XSRF-TOKEN=x")]);
        assert_eq!(cookie(&map, SESSION_COOKIE), Some("tok"));
        assert_eq!(cookie(&map, "b"), None);
        assert_eq!(xsrf_for("tok"), xsrf_for("tok"));
        assert_ne!(xsrf_for("tok"), xsrf_for("tok2"));
    }
}
