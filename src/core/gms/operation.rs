//! The operations a customer sends to GMS, in their Bayeux and REST forms.

use super::Credentials;
use crate::core::json::{concat, u64_text, Json};

/// A GMS chat v2 operation of the customer's side.
#[derive(Debug, Clone, PartialEq)]
pub enum Operation {
    /// Opens a chat. GMS needs `nickname`, or both `first_name` and `last_name`.
    RequestChat {
        nickname: String,
        first_name: Option<String>,
        last_name: Option<String>,
        subject: Option<String>,
        /// Sent as `emailAddress`.
        email: Option<String>,
        /// A JSON object; anything else is sent as an empty object.
        user_data: Json,
    },
    /// A message; `message_type` is free text (`url` marks a URL).
    SendMessage {
        message: String,
        message_type: Option<String>,
    },
    /// The customer started typing; `preview` is what is typed so far.
    StartTyping { preview: Option<String> },
    /// The customer stopped typing.
    StopTyping { preview: Option<String> },
    /// The customer leaves the chat.
    Disconnect,
    /// A notice for a customised agent desktop.
    CustomNotice { message: String },
    /// Adds or replaces user data of the interaction (a JSON object).
    UpdateData { user_data: Json },
    /// Changes the customer's nickname.
    UpdateNickname { nickname: String },
    /// Asks for the transcript from a 1-based position (Bayeux: re-attaches notifications
    /// after a reconnect or a page load; REST: `refresh`, the poll). `None` or 0 means all.
    RequestNotifications { transcript_position: Option<u64> },
}

impl Operation {
    /// The Bayeux `operation` name.
    pub fn name(&self) -> &'static str {
        match self {
            Operation::RequestChat { .. } => "requestChat",
            Operation::SendMessage { .. } => "sendMessage",
            Operation::StartTyping { .. } => "startTyping",
            Operation::StopTyping { .. } => "stopTyping",
            Operation::Disconnect => "disconnect",
            Operation::CustomNotice { .. } => "customNotice",
            Operation::UpdateData { .. } => "updateData",
            Operation::UpdateNickname { .. } => "updateNickname",
            Operation::RequestNotifications { .. } => "requestNotifications",
        }
    }

    /// The REST path suffix after `/genesys/2/chat/{service}/{chatId}/`; empty for
    /// `requestChat`, which posts to `/genesys/2/chat/{service}` itself.
    pub fn rest_path(&self) -> &'static str {
        match self {
            Operation::RequestChat { .. } => "",
            Operation::SendMessage { .. } => "send",
            Operation::StartTyping { .. } => "startTyping",
            Operation::StopTyping { .. } => "stopTyping",
            Operation::Disconnect => "disconnect",
            Operation::CustomNotice { .. } => "customNotice",
            Operation::UpdateData { .. } => "updateData",
            Operation::UpdateNickname { .. } => "updateNickname",
            Operation::RequestNotifications { .. } => "refresh",
        }
    }

    /// The REST URL: `rest_base` (e.g. `https://host/genesys/2/chat/customer-support`) for
    /// `requestChat`, `{rest_base}/{chatId}/{rest_path}` otherwise. The chat id is
    /// percent-encoded as a path segment.
    pub fn rest_url(&self, rest_base: &str, chat_id: &str) -> String {
        match self.rest_path() {
            "" => rest_base.to_owned(),
            path => concat(&[rest_base, "/", &encode_path_segment(chat_id), "/", path]),
        }
    }

    /// The `data` of the Bayeux publish on `/service/chatV2/{service}`:
    /// `{"operation": …, <fields>…, "secureKey": …}`. `secure_key` is ignored for
    /// `requestChat` (there is none yet); `chatId`, `userId` and `alias` are never sent
    /// over Bayeux.
    pub fn bayeux_data(&self, secure_key: &str) -> Json {
        let mut data = Json::object([("operation", Json::str(self.name()))]);
        match self {
            Operation::RequestChat {
                nickname,
                first_name,
                last_name,
                subject,
                email,
                user_data,
            } => {
                data.set("nickname", Json::str(nickname.as_str()));
                set_opt(&mut data, "firstName", first_name);
                set_opt(&mut data, "lastName", last_name);
                set_opt(&mut data, "subject", subject);
                set_opt(&mut data, "emailAddress", email);
                data.set("userData", object_or_empty(user_data));
                return data;
            }
            Operation::SendMessage {
                message,
                message_type,
            } => {
                data.set("message", Json::str(message.as_str()));
                set_opt(&mut data, "messageType", message_type);
            }
            Operation::StartTyping { preview } | Operation::StopTyping { preview } => {
                set_opt(&mut data, "message", preview);
            }
            Operation::Disconnect => {}
            Operation::CustomNotice { message } => data.set("message", Json::str(message.as_str())),
            Operation::UpdateData { user_data } => data.set("userData", object_or_empty(user_data)),
            Operation::UpdateNickname { nickname } => {
                data.set("nickname", Json::str(nickname.as_str()));
            }
            Operation::RequestNotifications {
                transcript_position,
            } => {
                if let Some(position) = transcript_position {
                    data.set("transcriptPosition", Json::from(*position));
                }
            }
        }
        data.set("secureKey", Json::str(secure_key));
        data
    }

    /// The form fields of the REST request, in order: the operation's own fields, then (for
    /// every operation but `requestChat`) `secureKey`, `userId`, `alias` from `credentials`,
    /// then `transcriptPosition`.
    ///
    /// `transcript_position` asks any operation to return the transcript from that position
    /// in its response; [`RequestNotifications`](Self::RequestNotifications) uses its own
    /// position when it has one. User data goes as `userData[key]=value` (see
    /// [`user_data_fields`]).
    pub fn rest_fields(
        &self,
        credentials: &Credentials,
        transcript_position: Option<u64>,
    ) -> Vec<(String, String)> {
        let mut fields = Vec::new();
        let mut position = transcript_position;
        match self {
            Operation::RequestChat {
                nickname,
                first_name,
                last_name,
                subject,
                email,
                user_data,
            } => {
                push_field(&mut fields, "nickname", nickname);
                for (key, value) in [
                    ("firstName", first_name),
                    ("lastName", last_name),
                    ("subject", subject),
                    ("emailAddress", email),
                ] {
                    if let Some(value) = value {
                        push_field(&mut fields, key, value);
                    }
                }
                push_user_data_fields(&mut fields, user_data);
                return fields;
            }
            Operation::SendMessage {
                message,
                message_type,
            } => {
                push_field(&mut fields, "message", message);
                if let Some(message_type) = message_type {
                    push_field(&mut fields, "messageType", message_type);
                }
            }
            Operation::StartTyping { preview } | Operation::StopTyping { preview } => {
                if let Some(preview) = preview {
                    push_field(&mut fields, "message", preview);
                }
            }
            Operation::Disconnect => {}
            Operation::CustomNotice { message } => push_field(&mut fields, "message", message),
            Operation::UpdateData { user_data } => push_user_data_fields(&mut fields, user_data),
            Operation::UpdateNickname { nickname } => push_field(&mut fields, "nickname", nickname),
            Operation::RequestNotifications {
                transcript_position,
            } => position = transcript_position.or(position),
        }
        push_field(&mut fields, "secureKey", &credentials.secure_key);
        push_field(&mut fields, "userId", &credentials.user_id);
        push_field(&mut fields, "alias", &credentials.alias);
        if let Some(position) = position {
            push_field(&mut fields, "transcriptPosition", &u64_text(position));
        }
        fields
    }
}

/// Appends the form field `key=value` (one function for every field: smaller in the wasm).
fn push_field(fields: &mut Vec<(String, String)>, key: &str, value: &str) {
    fields.push((key.to_owned(), value.to_owned()));
}

/// `userData[key]=value` form fields for the members of a JSON object, in order.
///
/// Strings are sent as they are, numbers and booleans as their JSON text, objects and
/// arrays as their JSON text; `null` members are left out. A value that is not an object
/// gives no fields.
pub fn user_data_fields(user_data: &Json) -> Vec<(String, String)> {
    let mut fields = Vec::new();
    push_user_data_fields(&mut fields, user_data);
    fields
}

/// Appends the [`user_data_fields`] (in place: smaller in the wasm than `extend`).
fn push_user_data_fields(fields: &mut Vec<(String, String)>, user_data: &Json) {
    for (key, value) in user_data.as_object().unwrap_or_default() {
        let text = match value {
            Json::Null => continue,
            Json::String(text) => text.clone(),
            other => {
                let mut text = String::new();
                other.write_to(&mut text);
                text
            }
        };
        fields.push((concat(&["userData[", key, "]"]), text));
    }
}

/// The `application/x-www-form-urlencoded` body for form fields: `k=v&k=v`, with every byte
/// outside `A–Z a–z 0–9 * - . _` percent-encoded and spaces written `+` (as `URLSearchParams`
/// does).
pub fn form_encode(fields: &[(String, String)]) -> String {
    let mut out = String::new();
    for (i, (key, value)) in fields.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        encode_form_component(&mut out, key);
        out.push('=');
        encode_form_component(&mut out, value);
    }
    out
}

fn encode_form_component(out: &mut String, text: &str) {
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'*' | b'-' | b'.' | b'_' => {
                out.push(char::from(byte));
            }
            b' ' => out.push('+'),
            other => push_percent(out, other),
        }
    }
}

fn encode_path_segment(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                out.push(char::from(byte));
            }
            other => push_percent(&mut out, other),
        }
    }
    out
}

fn push_percent(out: &mut String, byte: u8) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    out.push('%');
    for nibble in [byte >> 4, byte & 0x0f] {
        out.push(char::from(
            HEX.get(usize::from(nibble)).copied().unwrap_or(b'0'),
        ));
    }
}

fn set_opt(data: &mut Json, key: &str, value: &Option<String>) {
    if let Some(value) = value {
        data.set(key, Json::str(value.as_str()));
    }
}

fn object_or_empty(value: &Json) -> Json {
    match value {
        Json::Object(_) => value.clone(),
        _ => Json::Object(Vec::new()),
    }
}
