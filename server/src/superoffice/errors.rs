//! The SuperOffice error body: `{Error, ErrorType, ErrorMessage, ErrorSource}` with an HTTP
//! status.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

use crate::agents::AuthError;
use crate::chat::ChatError;

/// `ErrorSource` of every error this face gives.
pub const ERROR_SOURCE: &str = "hotline_server::superoffice";

/// An error answer of the SuperOffice face.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SoError {
    pub status: StatusCode,
    pub error_type: &'static str,
    pub message: String,
}

impl SoError {
    fn new(status: StatusCode, error_type: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            error_type,
            message: message.into(),
        }
    }

    /// 400: the request is malformed or asks for something impossible.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "ArgumentException", message)
    }

    /// 401: no valid credentials.
    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "SoNotLoggedInException", message)
    }

    /// 403: authenticated, but not allowed (e.g. a cookie caller without `X-XSRF-TOKEN`).
    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "SoAccessDeniedException", message)
    }

    /// 404.
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "SoNotFoundException", message)
    }

    /// 406: the `Accept` header allows nothing this face writes.
    pub fn not_acceptable(accept: &str) -> Self {
        Self::new(
            StatusCode::NOT_ACCEPTABLE,
            "NotAcceptableException",
            format!("cannot answer in '{accept}': this server writes application/json only"),
        )
    }

    /// 409: a JSON Patch `test` failed, or the request does not fit the current state.
    pub fn conflict(message: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, "SoConflictException", message)
    }

    /// 412: `If-Unmodified-Since` is older than the last change.
    pub fn precondition_failed(message: impl Into<String>) -> Self {
        Self::new(
            StatusCode::PRECONDITION_FAILED,
            "SoPreconditionFailedException",
            message,
        )
    }

    /// 415: a body in a media type this face does not read.
    pub fn unsupported_media_type(media_type: &str) -> Self {
        Self::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "UnsupportedMediaTypeException",
            format!(
                "content type '{media_type}' is not supported: send application/json, text/json, \
                 application/json-patch+json, application/merge-patch+json or \
                 application/x-www-form-urlencoded"
            ),
        )
    }
}

impl From<AuthError> for SoError {
    fn from(error: AuthError) -> Self {
        SoError::unauthorized(error.to_string())
    }
}

impl From<ChatError> for SoError {
    fn from(error: ChatError) -> Self {
        let message = error.to_string();
        match error {
            ChatError::UnknownOperation(_)
            | ChatError::MissingParameter(_)
            | ChatError::InvalidParameter { .. } => SoError::bad_request(message),
            ChatError::UnknownService(_)
            | ChatError::UnknownChat
            | ChatError::UnknownTopic(_)
            | ChatError::UnknownAgent(_)
            | ChatError::NotLinked(_) => SoError::not_found(message),
            ChatError::NotAParticipant(_) => SoError::forbidden(message),
            ChatError::ChatEnded | ChatError::AlreadyAccepted | ChatError::Conflict(_) => {
                SoError::conflict(message)
            }
            ChatError::Storage(_) => SoError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "SoStorageException",
                message,
            ),
        }
    }
}

impl IntoResponse for SoError {
    fn into_response(self) -> Response {
        let mut response = (
            self.status,
            Json(json!({
                "Error": true,
                "ErrorType": self.error_type,
                "ErrorMessage": self.message,
                "ErrorSource": ERROR_SOURCE,
            })),
        )
            .into_response();
        if self.status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Basic realm=\"hotline\", Bearer, SOTicket"),
            );
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chat_errors_map_to_the_documented_statuses() {
        let cases = [
            (ChatError::MissingParameter("x"), 400),
            (ChatError::UnknownChat, 404),
            (ChatError::UnknownTopic(3), 404),
            (ChatError::NotAParticipant("a".into()), 403),
            (ChatError::ChatEnded, 409),
            (ChatError::Conflict("c".into()), 409),
            (ChatError::Storage(sqlx::Error::PoolTimedOut), 503),
        ];
        for (error, status) in cases {
            assert_eq!(SoError::from(error).status.as_u16(), status);
        }
        assert_eq!(SoError::from(AuthError::Missing).status.as_u16(), 401);
    }
}
