//! The plain-HTTP faces: GMS chat v2 REST, the agents' API, the SuperOffice face
//! ([`crate::superoffice`]), the Dataverse face ([`crate::omnichannel`]), the CIF templates
//! ([`crate::templates`]) and the OpenAPI document of them all.

pub mod agents;
pub mod gms_rest;

use std::sync::{Arc, OnceLock};

use axum::Router;

use crate::app::AppState;
use crate::openapi::{ApiTable, Operation};

/// Every REST route of the server, from the one route table ([`crate::openapi`]), with
/// `GET /api/openapi.json` describing them all. Add a route by adding it to the table in its
/// face's `register`.
pub fn route_table() -> Result<Router<Arc<AppState>>, String> {
    let mut table = ApiTable::new();
    gms_rest::register(&mut table);
    agents::register(&mut table);
    crate::superoffice::register(&mut table);
    crate::omnichannel::register(&mut table);
    crate::templates::register(&mut table);
    let document: Arc<OnceLock<serde_json::Value>> = Arc::new(OnceLock::new());
    let served = document.clone();
    table.tag("Meta", "About this API");
    table.add(
        Operation::get(
            "/api/openapi.json",
            "OpenApi_Document",
            "Meta",
            "This OpenAPI document, generated from the server's route table",
        )
        .response(
            200,
            "The OpenAPI 3 document",
            Some(serde_json::json!({"type": "object"})),
        ),
        move || {
            let served = served.clone();
            async move { Json(served.get().cloned().unwrap_or_default()) }
        },
    );
    let _ = document.set(table.document());
    table.into_router()
}

use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::de::DeserializeOwned;
use serde_json::{json, Map, Value};

use crate::agents::AuthError;
use crate::chat::ChatError;

/// An error answer of the agents' API: `{"error": {"code", "message"}}` with an HTTP status.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
}

impl ApiError {
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            code: "bad_request",
            message: message.into(),
        }
    }

    pub fn unsupported_media_type(content_type: &str) -> Self {
        Self {
            status: StatusCode::UNSUPPORTED_MEDIA_TYPE,
            code: "unsupported_media_type",
            message: format!("content type '{content_type}' is not supported; send JSON"),
        }
    }
}

impl From<AuthError> for ApiError {
    fn from(error: AuthError) -> Self {
        Self {
            status: StatusCode::UNAUTHORIZED,
            code: "unauthorized",
            message: error.to_string(),
        }
    }
}

impl From<ChatError> for ApiError {
    fn from(error: ChatError) -> Self {
        let code = match &error {
            ChatError::UnknownOperation(_) => "unknown_operation",
            ChatError::MissingParameter(_) => "missing_parameter",
            ChatError::InvalidParameter { .. } => "invalid_parameter",
            ChatError::UnknownService(_) => "unknown_service",
            ChatError::UnknownChat => "not_found",
            ChatError::ChatEnded => "chat_ended",
            ChatError::NotAParticipant(_) => "not_a_participant",
            ChatError::AlreadyAccepted => "already_accepted",
            ChatError::UnknownTopic(_) => "unknown_topic",
            ChatError::UnknownAgent(_) => "unknown_agent",
            ChatError::NotLinked(_) => "not_linked",
            ChatError::Conflict(_) => "conflict",
            ChatError::Storage(_) => "storage_unavailable",
        };
        Self {
            status: StatusCode::from_u16(error.http_status())
                .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            code,
            message: error.to_string(),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = (
            self.status,
            Json(json!({"error": {"code": self.code, "message": self.message}})),
        )
            .into_response();
        if self.status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                header::HeaderValue::from_static("Bearer, Basic realm=\"hotline\""),
            );
        }
        response
    }
}

/// `scheme://host` of a request, for absolute links: the `Host` header, and `https` when
/// `X-Forwarded-Proto` says so.
pub fn base_url(headers: &HeaderMap) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|value| value.to_str().ok())
        .unwrap_or("localhost");
    let scheme = headers
        .get("x-forwarded-proto")
        .and_then(|value| value.to_str().ok())
        .filter(|proto| *proto == "https")
        .unwrap_or("http");
    format!("{scheme}://{host}")
}

/// The media type of a request body, lower-cased, without parameters.
pub fn content_type(headers: &HeaderMap) -> String {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split(';').next())
        .map(|value| value.trim().to_ascii_lowercase())
        .unwrap_or_default()
}

/// Parses a JSON body (an empty body reads as `{}`), refusing other media types.
pub fn json_body<T: DeserializeOwned>(headers: &HeaderMap, body: &[u8]) -> Result<T, ApiError> {
    let media_type = content_type(headers);
    if !body.is_empty() && !media_type.is_empty() && media_type != "application/json" {
        return Err(ApiError::unsupported_media_type(&media_type));
    }
    let body = if body.iter().all(u8::is_ascii_whitespace) {
        b"{}".as_slice()
    } else {
        body
    };
    serde_json::from_slice(body)
        .map_err(|error| ApiError::bad_request(format!("malformed JSON body: {error}")))
}

/// Fields of a form-urlencoded or JSON object body, as a JSON object.
pub fn form_or_json_fields(
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Map<String, Value>, ApiError> {
    let media_type = content_type(headers);
    match media_type.as_str() {
        "application/json" => match serde_json::from_slice(body) {
            Ok(Value::Object(map)) => Ok(map),
            Ok(_) => Err(ApiError::bad_request("the JSON body must be an object")),
            Err(error) => Err(ApiError::bad_request(format!(
                "malformed JSON body: {error}"
            ))),
        },
        "" | "application/x-www-form-urlencoded" => {
            let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(body)
                .map_err(|error| ApiError::bad_request(format!("malformed form body: {error}")))?;
            Ok(crate::gms::form_to_object(pairs))
        }
        other => Err(ApiError::unsupported_media_type(other)),
    }
}
