//! GMS chat v2: operations parsed from Bayeux `data` or REST form fields, and the response
//! envelope (`statusCode`, `chatId`, `secureKey`, `messages`, `nextPosition`, `chatEnded` …).

use serde_json::{json, Map, Value};

use crate::chat::{ChatError, ChatRequest, CustomerAction, CustomerReply, TranscriptEvent};

/// A parsed GMS request.
#[derive(Debug, Clone, PartialEq)]
pub enum GmsRequest {
    RequestChat(ChatRequest),
    Customer {
        secure_key: String,
        action: CustomerAction,
        /// Which part of the transcript the answer carries (1-based; see [`CustomerAction`]).
        transcript_position: Option<u64>,
    },
}

/// Parses the operation `operation` with its fields (a JSON object: Bayeux `data`, a JSON
/// body, or form fields gathered by [`form_to_object`]).
pub fn parse_request(
    operation: &str,
    fields: &Map<String, Value>,
) -> Result<GmsRequest, ChatError> {
    if operation == "requestChat" {
        return Ok(GmsRequest::RequestChat(ChatRequest {
            nickname: optional_string(fields, "nickname")?,
            first_name: optional_string(fields, "firstName")?,
            last_name: optional_string(fields, "lastName")?,
            subject: optional_string(fields, "subject")?,
            email_address: optional_string(fields, "emailAddress")?,
            user_data: optional_object(fields, "userData")?.unwrap_or_default(),
            text: optional_string(fields, "text")?,
        }));
    }
    let position = optional_position(fields)?;
    let (action, transcript_position) = match operation {
        "requestNotifications" | "refresh" => {
            (CustomerAction::Refresh, Some(position.unwrap_or(1)))
        }
        "sendMessage" | "send" => (
            CustomerAction::SendMessage {
                message: required_string(fields, "message")?,
                message_type: optional_string(fields, "messageType")?,
            },
            position,
        ),
        "startTyping" => (
            CustomerAction::StartTyping {
                preview: optional_string(fields, "message")?,
            },
            position,
        ),
        "stopTyping" => (
            CustomerAction::StopTyping {
                preview: optional_string(fields, "message")?,
            },
            position,
        ),
        "disconnect" => (CustomerAction::Disconnect, position),
        "customNotice" => (
            CustomerAction::CustomNotice {
                message: optional_string(fields, "message")?.unwrap_or_default(),
            },
            position,
        ),
        "updateData" => (
            CustomerAction::UpdateData {
                user_data: optional_object(fields, "userData")?
                    .ok_or(ChatError::MissingParameter("userData"))?,
            },
            position,
        ),
        "updateNickname" => (
            CustomerAction::UpdateNickname {
                nickname: required_string(fields, "nickname")?,
            },
            position,
        ),
        other => return Err(ChatError::UnknownOperation(other.to_owned())),
    };
    let secure_key = required_string(fields, "secureKey")?;
    Ok(GmsRequest::Customer {
        secure_key,
        action,
        transcript_position: transcript_position.map(|p| p.max(1)),
    })
}

/// Gathers form fields into a JSON object: `userData[key]=value` pairs become the object
/// `userData`, everything else a string field (the last value wins).
pub fn form_to_object(pairs: Vec<(String, String)>) -> Map<String, Value> {
    let mut object = Map::new();
    for (key, value) in pairs {
        match key
            .strip_suffix(']')
            .and_then(|k| k.split_once('['))
            .filter(|(_, inner)| !inner.is_empty())
        {
            Some((outer, inner)) => {
                let entry = object
                    .entry(outer.to_owned())
                    .or_insert_with(|| Value::Object(Map::new()));
                if let Value::Object(map) = entry {
                    map.insert(inner.to_owned(), Value::String(value));
                }
            }
            None => {
                object.insert(key, Value::String(value));
            }
        }
    }
    object
}

fn optional_string(
    fields: &Map<String, Value>,
    name: &'static str,
) -> Result<Option<String>, ChatError> {
    match fields.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) => Ok(Some(text.clone())),
        Some(Value::Number(number)) => Ok(Some(number.to_string())),
        Some(Value::Bool(flag)) => Ok(Some(flag.to_string())),
        Some(_) => Err(ChatError::InvalidParameter {
            name,
            reason: "must be a string".into(),
        }),
    }
}

fn required_string(fields: &Map<String, Value>, name: &'static str) -> Result<String, ChatError> {
    optional_string(fields, name)?.ok_or(ChatError::MissingParameter(name))
}

fn optional_object(
    fields: &Map<String, Value>,
    name: &'static str,
) -> Result<Option<Map<String, Value>>, ChatError> {
    match fields.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(map)) => Ok(Some(map.clone())),
        Some(_) => Err(ChatError::InvalidParameter {
            name,
            reason: "must be an object".into(),
        }),
    }
}

fn optional_position(fields: &Map<String, Value>) -> Result<Option<u64>, ChatError> {
    let invalid = || ChatError::InvalidParameter {
        name: "transcriptPosition",
        reason: "must be a whole number, 0 or more".into(),
    };
    match fields.get("transcriptPosition") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(number)) => number.as_u64().map(Some).ok_or_else(invalid),
        Some(Value::String(text)) if text.trim().is_empty() => Ok(None),
        Some(Value::String(text)) => text.trim().parse().map(Some).map_err(|_| invalid()),
        Some(_) => Err(invalid()),
    }
}

/// The success envelope.
pub fn envelope(reply: &CustomerReply, alias: &str) -> Value {
    let mut body = json!({
        "statusCode": 0,
        "alias": alias,
        "chatEnded": reply.chat_ended,
        "chatId": reply.chat_id,
        "userId": reply.user_id,
        "messages": reply.messages,
        "nextPosition": reply.next_position,
    });
    if let (Some(key), Value::Object(map)) = (&reply.secure_key, &mut body) {
        map.insert("secureKey".into(), Value::String(key.clone()));
    }
    body
}

/// A notification of new events for a customer.
pub fn notification(
    chat_id: &str,
    user_id: &str,
    events: &[TranscriptEvent],
    next_position: u64,
    chat_ended: bool,
    alias: &str,
) -> Value {
    json!({
        "statusCode": 0,
        "alias": alias,
        "chatEnded": chat_ended,
        "chatId": chat_id,
        "userId": user_id,
        "messages": events,
        "nextPosition": next_position,
    })
}

/// The error envelope: `statusCode` 1 or 2, with `errors: [{code, advice}]` (GWE codes).
pub fn error_envelope(error: &ChatError, alias: &str) -> Value {
    json!({
        "statusCode": error.status_code(),
        "alias": alias,
        "chatEnded": error.chat_ended(),
        "messages": [],
        "errors": [{"code": error.gwe_code(), "advice": error.to_string()}],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn object(value: Value) -> Map<String, Value> {
        match value {
            Value::Object(map) => map,
            _ => Map::new(),
        }
    }

    #[test]
    fn form_fields_with_brackets_become_user_data() {
        let pairs = vec![
            ("nickname".to_owned(), "Ann".to_owned()),
            ("userData[FirstName]".to_owned(), "Ann".to_owned()),
            ("userData[TimeZone]".to_owned(), "-480".to_owned()),
            ("odd[".to_owned(), "kept as is".to_owned()),
        ];
        let fields = form_to_object(pairs);
        assert_eq!(
            Value::Object(fields),
            json!({"nickname":"Ann","userData":{"FirstName":"Ann","TimeZone":"-480"},"odd[":"kept as is"})
        );
    }

    #[test]
    fn operations_parse_with_their_fields() {
        let request = parse_request(
            "requestChat",
            &object(json!({"firstName":"A","lastName":"B","subject":"S","userData":{"k":"v"}})),
        )
        .unwrap();
        let GmsRequest::RequestChat(chat) = request else {
            panic!("expected requestChat")
        };
        assert_eq!(chat.first_name.as_deref(), Some("A"));
        assert_eq!(chat.user_data.get("k"), Some(&json!("v")));

        let send = parse_request(
            "send",
            &object(json!({"message":"hi","secureKey":"k","transcriptPosition":"3"})),
        )
        .unwrap();
        assert_eq!(
            send,
            GmsRequest::Customer {
                secure_key: "k".into(),
                action: CustomerAction::SendMessage {
                    message: "hi".into(),
                    message_type: None
                },
                transcript_position: Some(3),
            }
        );
        let refresh =
            parse_request("requestNotifications", &object(json!({"secureKey":"k"}))).unwrap();
        assert!(matches!(
            refresh,
            GmsRequest::Customer {
                transcript_position: Some(1),
                ..
            }
        ));
    }

    #[test]
    fn bad_requests_name_the_problem() {
        let missing_key = parse_request("sendMessage", &object(json!({"message":"hi"})));
        assert!(matches!(
            missing_key,
            Err(ChatError::MissingParameter("secureKey"))
        ));
        let missing_message = parse_request("sendMessage", &object(json!({"secureKey":"k"})));
        assert!(matches!(
            missing_message,
            Err(ChatError::MissingParameter("message"))
        ));
        let unknown = parse_request("dance", &object(json!({"secureKey":"k"})));
        assert!(matches!(unknown, Err(ChatError::UnknownOperation(_))));
        let bad_data = parse_request("updateData", &object(json!({"secureKey":"k","userData":5})));
        assert!(matches!(
            bad_data,
            Err(ChatError::InvalidParameter {
                name: "userData",
                ..
            })
        ));
        let bad_position = parse_request(
            "refresh",
            &object(json!({"secureKey":"k","transcriptPosition":-1})),
        );
        assert!(matches!(
            bad_position,
            Err(ChatError::InvalidParameter { .. })
        ));
    }
}
