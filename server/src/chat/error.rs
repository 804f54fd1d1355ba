//! Errors of the chat domain, with their GMS `statusCode`, GWE error code and HTTP status.

/// Why a chat operation was refused.
#[derive(Debug, thiserror::Error)]
pub enum ChatError {
    #[error("unknown chat operation '{0}'")]
    UnknownOperation(String),
    #[error("missing mandatory parameter: {0}")]
    MissingParameter(&'static str),
    #[error("invalid value for parameter {name}: {reason}")]
    InvalidParameter { name: &'static str, reason: String },
    #[error("unknown chat service '{0}'")]
    UnknownService(String),
    /// Unknown chat id or a secureKey that does not match it. Both give the same answer, so
    /// that nobody can probe which chat ids exist.
    #[error("chat session is unknown or the secureKey does not match it")]
    UnknownChat,
    #[error("the chat has ended")]
    ChatEnded,
    #[error("agent '{0}' is not in this conversation")]
    NotAParticipant(String),
    #[error("the conversation already has an agent")]
    AlreadyAccepted,
    #[error("chat topic {0} does not exist")]
    UnknownTopic(i64),
    #[error("agent '{0}' does not exist")]
    UnknownAgent(String),
    /// Nothing of this entity (or not this record) is linked to the conversation.
    #[error("no {0} is linked to this conversation")]
    NotLinked(String),
    /// The request does not fit the conversation's (or topic's) current state.
    #[error("{0}")]
    Conflict(String),
    #[error("storage failed: {0}")]
    Storage(#[from] sqlx::Error),
}

impl ChatError {
    /// GMS `statusCode`: 1 = the client may retry, 2 = repeating will not help.
    pub fn status_code(&self) -> u8 {
        match self {
            ChatError::Storage(_) => 1,
            _ => 2,
        }
    }

    /// The GWE chat error code (see the reference's error-code table).
    pub fn gwe_code(&self) -> u16 {
        match self {
            ChatError::UnknownOperation(_) => 1,
            ChatError::MissingParameter(_) => 2,
            ChatError::InvalidParameter { .. }
            | ChatError::UnknownService(_)
            | ChatError::UnknownTopic(_)
            | ChatError::UnknownAgent(_)
            | ChatError::NotLinked(_) => 3,
            ChatError::UnknownChat => 50,
            ChatError::ChatEnded
            | ChatError::NotAParticipant(_)
            | ChatError::AlreadyAccepted
            | ChatError::Conflict(_) => 52,
            ChatError::Storage(_) => 100,
        }
    }

    /// HTTP status for the REST faces.
    pub fn http_status(&self) -> u16 {
        match self {
            ChatError::UnknownOperation(_)
            | ChatError::MissingParameter(_)
            | ChatError::InvalidParameter { .. } => 400,
            ChatError::UnknownService(_)
            | ChatError::UnknownChat
            | ChatError::UnknownTopic(_)
            | ChatError::UnknownAgent(_)
            | ChatError::NotLinked(_) => 404,
            ChatError::NotAParticipant(_) => 403,
            ChatError::ChatEnded | ChatError::AlreadyAccepted | ChatError::Conflict(_) => 409,
            ChatError::Storage(_) => 503,
        }
    }

    /// Whether the chat is known to be over (sets `chatEnded` in the error envelope).
    pub fn chat_ended(&self) -> bool {
        matches!(self, ChatError::ChatEnded)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_error_has_codes_for_every_face() {
        let all = [
            ChatError::UnknownOperation("x".into()),
            ChatError::MissingParameter("message"),
            ChatError::InvalidParameter {
                name: "userData",
                reason: "not an object".into(),
            },
            ChatError::UnknownService("nope".into()),
            ChatError::UnknownChat,
            ChatError::ChatEnded,
            ChatError::NotAParticipant("a".into()),
            ChatError::AlreadyAccepted,
            ChatError::UnknownTopic(7),
            ChatError::UnknownAgent("zed".into()),
            ChatError::NotLinked("incident".into()),
            ChatError::Conflict("no transfer".into()),
            ChatError::Storage(sqlx::Error::PoolTimedOut),
        ];
        let table: Vec<(u8, u16, u16)> = all
            .iter()
            .map(|e| (e.status_code(), e.gwe_code(), e.http_status()))
            .collect();
        assert_eq!(
            table,
            vec![
                (2, 1, 400),
                (2, 2, 400),
                (2, 3, 400),
                (2, 3, 404),
                (2, 50, 404),
                (2, 52, 409),
                (2, 52, 403),
                (2, 52, 409),
                (2, 3, 404),
                (2, 3, 404),
                (2, 3, 404),
                (2, 52, 409),
                (1, 100, 503),
            ]
        );
        assert!(ChatError::ChatEnded.chat_ended());
        assert!(!ChatError::UnknownChat.chat_ended());
    }
}
