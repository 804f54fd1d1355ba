//! The SuperOffice-style face: chat sessions and topics as CRM records
//! (`/api/v1/ChatSession`, `/api/v1/ChatSession/{id}/Messages`, `/api/v1/ChatTopic`).
//!
//! It is a view of the one conversation record (DESIGN.md, "one conversation, three views"):
//! every change goes through [`crate::chat::ChatService`], so a session picked up, written to,
//! transferred or closed here is seen at once by the customer's browser (over Bayeux or GMS
//! REST) and by the agents' channels.
//!
//! - Ids: `ChatSessionId` is the conversation number; every `{id}` also takes the GMS chatId.
//! - `SessionKey` is always `null` (it is the GMS secureKey, stored only hashed).
//! - Auth, `X-XSRF-TOKEN` and content negotiation: [`auth`]. Errors: [`errors`].
//! - Dates and `SO-TimeZone`: [`dates`]. `$select`: [`fields`]. `$filter`, `$orderBy`:
//!   [`odata`]. PATCH: [`patch`], [`writes`].

pub mod auth;
pub mod dates;
pub mod errors;
pub mod fields;
pub mod odata;
pub mod patch;
pub mod session_entity;
pub mod sessions;
pub mod topic_entity;
pub mod topics;
pub mod writes;

use std::sync::Arc;

use serde_json::{json, Value};

use crate::app::AppState;
use crate::chat::ChatSessionStatus;
use crate::openapi::{array_of, schema_ref, ApiTable, Operation, Security};

const SESSION_TAG: &str = "ChatSession";
const TOPIC_TAG: &str = "ChatTopic";

/// Headers every operation of the face reads.
fn common(operation: Operation) -> Operation {
    operation
        .secured(Security::SuperOffice)
        .header(
            "X-XSRF-TOKEN",
            "Required on unsafe methods of cookie-authenticated callers: the XSRF-TOKEN cookie",
        )
        .header(
            "SO-TimeZone",
            "Time zone for dates: a SuperOffice code (NO, US-NY…), 261, an IANA name, UTC or a \
             fixed offset; append ', includeTZOffset' for dates with an offset",
        )
        .header("Accept-Language", "Accepted; nothing is translated")
        .header("SO-Language", "Accepted; nothing is translated")
        .header(
            "SO-Culture",
            "Accepted; JSON dates and numbers are culture-neutral",
        )
        .response(
            401,
            "Missing or invalid credentials",
            Some(schema_ref("SoError")),
        )
        .response(
            403,
            "Not allowed (e.g. a cookie caller without X-XSRF-TOKEN)",
            Some(schema_ref("SoError")),
        )
        .response(
            406,
            "Accept allows no JSON type",
            Some(schema_ref("SoError")),
        )
}

fn select(operation: Operation) -> Operation {
    operation.query(
        "$select",
        json!({"type": "string"}),
        "Comma-separated properties (nested with /, any case) to keep; the others are null",
    )
}

fn with_body(operation: Operation, schema: Value, required: bool) -> Operation {
    operation
        .body(
            &[
                "application/json",
                "text/json",
                "application/x-www-form-urlencoded",
            ],
            schema,
            required,
        )
        .response(
            400,
            "Malformed body or invalid value",
            Some(schema_ref("SoError")),
        )
        .response(415, "Unsupported Content-Type", Some(schema_ref("SoError")))
}

fn patch_body(operation: Operation, entity: &str) -> Operation {
    let patch = json!({"oneOf": [array_of("JsonPatchOperation"), {"type": "object",
        "description": format!("A JSON Merge Patch of {entity}")}]});
    operation
        .body(
            &[
                "application/json-patch+json",
                "application/merge-patch+json",
                "application/json",
            ],
            patch,
            true,
        )
        .response(
            400,
            "Malformed patch, unknown path or read-only property",
            Some(schema_ref("SoError")),
        )
        .response(409, "A test operation failed", Some(schema_ref("SoError")))
        .response(
            412,
            "Changed since If-Unmodified-Since",
            Some(schema_ref("SoError")),
        )
        .response(415, "Unsupported Content-Type", Some(schema_ref("SoError")))
        .header(
            "If-Unmodified-Since",
            "412 when the record changed after this date",
        )
}

fn id_param(operation: Operation, what: &str) -> Operation {
    operation.path_param(
        "id",
        json!({"type": "string"}),
        &format!("The {what} (a number; chat sessions also take the GMS chatId)"),
    )
}

fn found(operation: Operation) -> Operation {
    operation.response(404, "Not found", Some(schema_ref("SoError")))
}

/// Adds the face's routes and schemas to the table.
pub fn register(table: &mut ApiTable<Arc<AppState>>) {
    table.tag(
        SESSION_TAG,
        "SuperOffice-style chat sessions: the CRM view of the conversations",
    );
    table.tag(
        TOPIC_TAG,
        "SuperOffice-style chat topics: the chat services",
    );
    schemas(table);
    let session = || Some(schema_ref("ChatSessionEntity"));

    table.add(
        common(select(Operation::get(
            "/api/v1/ChatSession/default",
            "ChatSession_Default",
            SESSION_TAG,
            "A new ChatSessionEntity with default values, to start a POST from",
        )))
        .response(200, "The default entity", session()),
        sessions::get_default,
    );
    table.add(
        common(Operation::get(
            "/api/v1/ChatSession",
            "ChatSession_List",
            SESSION_TAG,
            "The ChatSession archive: rows with the selected columns",
        ))
        .query("$select", json!({"type": "string"}), "Columns (properties, nested with /); default: all")
        .query("$filter", json!({"type": "string"}),
            "eq ne lt le gt ge, and or not, parentheses, startswith/endswith/contains; strings, numbers, dates, enum names")
        .query("$orderBy", json!({"type": "string"}), "Properties, each with asc or desc")
        .query("$top", json!({"type": "integer", "minimum": 0}), "At most this many rows")
        .query("$skip", json!({"type": "integer", "minimum": 0}), "Skip this many rows")
        .query("$format", json!({"type": "string", "enum": ["json"]}), "Only json")
        .response(200, "The rows", Some(schema_ref("ArchiveList")))
        .response(400, "Unknown property or malformed query", Some(schema_ref("SoError"))),
        sessions::list,
    );
    table.add(
        with_body(
            common(select(Operation::post(
                "/api/v1/ChatSession",
                "ChatSession_Create",
                SESSION_TAG,
                "Creates a session (as if a customer requested it, without a browser)",
            )))
            .describe(
                "ChatSessionId, SessionKey, dates and the other read-only properties are \
                 ignored; an unknown TopicId falls back to the default topic; Status picks \
                 the life-cycle (Closed ends the new session, CustomerLast/UserLast/Finished \
                 have the caller pick it up when no User is given).",
            ),
            schema_ref("ChatSessionEntity"),
            false,
        )
        .response(200, "The new session", session()),
        sessions::post,
    );
    table.add(
        common(select(Operation::get(
            "/api/v1/ChatSession/ForCurrentUser",
            "ChatSession_ForCurrentUser",
            SESSION_TAG,
            "Sessions the caller is in, sessions in the queue, and transfers to the caller",
        )))
        .response(200, "The sessions", Some(array_of("ChatSessionEntity"))),
        sessions::for_current_user,
    );
    table.add(
        found(common(select(Operation::post(
            "/api/v1/ChatSession/Pickup",
            "ChatSession_PickupFirst",
            SESSION_TAG,
            "Picks up the session that waited longest in the queue",
        ))))
        .response(200, "The session picked up", session()),
        sessions::pickup_first,
    );
    table.add(
        found(common(select(id_param(
            Operation::get(
                "/api/v1/ChatSession/{id}",
                "ChatSession_Get",
                SESSION_TAG,
                "One session",
            ),
            "ChatSessionId",
        ))))
        .header(
            "If-Modified-Since",
            "304 when the record did not change since",
        )
        .response(200, "The session", session())
        .response(304, "Not modified", None),
        sessions::get_one,
    );
    table.add(
        found(with_body(
            common(select(id_param(
                Operation::put(
                    "/api/v1/ChatSession/{id}",
                    "ChatSession_Put",
                    SESSION_TAG,
                    "Updates a session: the properties given replace the current ones",
                ),
                "ChatSessionId",
            ))),
            schema_ref("ChatSessionEntity"),
            true,
        ))
        .header(
            "If-Unmodified-Since",
            "412 when the record changed after this date",
        )
        .response(200, "The updated session", session())
        .response(
            409,
            "The change does not fit the session's state",
            Some(schema_ref("SoError")),
        )
        .response(
            412,
            "Changed since If-Unmodified-Since",
            Some(schema_ref("SoError")),
        ),
        sessions::put,
    );
    table.add(
        found(patch_body(
            common(select(id_param(
                Operation::patch(
                    "/api/v1/ChatSession/{id}",
                    "ChatSession_Patch",
                    SESSION_TAG,
                    "Updates a session with JSON Patch or JSON Merge Patch",
                ),
                "ChatSessionId",
            ))),
            "ChatSessionEntity",
        ))
        .response(200, "The updated session", session()),
        sessions::patch,
    );
    table.add(
        found(common(id_param(
            Operation::delete(
                "/api/v1/ChatSession/{id}",
                "ChatSession_Delete",
                SESSION_TAG,
                "Deletes a session (one that has not ended is closed first)",
            ),
            "ChatSessionId",
        )))
        .header(
            "If-Unmodified-Since",
            "412 when the record changed after this date",
        )
        .response(204, "Deleted", None)
        .response(
            412,
            "Changed since If-Unmodified-Since",
            Some(schema_ref("SoError")),
        ),
        sessions::delete,
    );
    table.add(
        found(common(select(id_param(
            Operation::post(
                "/api/v1/ChatSession/{id}/TransferTo/{associate}",
                "ChatSession_TransferTo",
                SESSION_TAG,
                "Asks for a transfer to another user; does nothing if the caller is not in the session",
            ),
            "ChatSessionId",
        ))))
        .path_param("associate", json!({"type": "string"}), "User name or associate id")
        .response(200, "The session", session())
        .response(409, "The session has ended", Some(schema_ref("SoError"))),
        sessions::transfer_to,
    );
    for (path, id, summary, handler_kind) in [
        (
            "/api/v1/ChatSession/{id}/AcceptTransfer",
            "ChatSession_AcceptTransfer",
            "The user a transfer was asked to takes the session",
            0,
        ),
        (
            "/api/v1/ChatSession/{id}/RejectTransfer",
            "ChatSession_RejectTransfer",
            "The user a transfer was asked to declines it",
            1,
        ),
    ] {
        let operation = found(common(select(id_param(
            Operation::post(path, id, SESSION_TAG, summary),
            "ChatSessionId",
        ))))
        .response(200, "The session", session())
        .response(
            403,
            "The pending transfer is to another user",
            Some(schema_ref("SoError")),
        )
        .response(409, "No transfer is pending", Some(schema_ref("SoError")));
        if handler_kind == 0 {
            table.add(operation, sessions::accept_transfer);
        } else {
            table.add(operation, sessions::reject_transfer);
        }
    }
    table.add(
        found(common(select(id_param(
            Operation::post(
                "/api/v1/ChatSession/{id}/Pickup",
                "ChatSession_Pickup",
                SESSION_TAG,
                "The caller picks up the session",
            ),
            "ChatSessionId",
        ))))
        .response(200, "The session", session())
        .response(
            409,
            "Another user has it, or it has ended",
            Some(schema_ref("SoError")),
        ),
        sessions::pickup,
    );
    table.add(
        found(common(select(id_param(
            Operation::post(
                "/api/v1/ChatSession/{id}/Reset",
                "ChatSession_Reset",
                SESSION_TAG,
                "Puts the session back in the queue (every user leaves; ChatbotIsActive is cleared)",
            ),
            "ChatSessionId",
        ))))
        .response(200, "The session", session())
        .response(409, "The session has ended", Some(schema_ref("SoError"))),
        sessions::reset,
    );
    table.add(
        found(common(id_param(
            Operation::post(
                "/api/v1/ChatSession/{id}/Transcript",
                "ChatSession_Transcript",
                SESSION_TAG,
                "The transcript as plain text, or HTML with html=true",
            ),
            "ChatSessionId",
        )))
        .query(
            "html",
            json!({"type": "boolean"}),
            "HTML instead of plain text",
        )
        .response(200, "The transcript", Some(json!({"type": "string"}))),
        sessions::transcript,
    );
    table.add(
        found(common(id_param(
            Operation::get(
                "/api/v1/ChatSession/{id}/Messages",
                "ChatSession_GetMessages",
                SESSION_TAG,
                "The messages (every transcript event but typing), optionally after a message id",
            ),
            "ChatSessionId",
        )))
        .query(
            "after",
            json!({"type": "integer", "minimum": 0}),
            "Only messages with a greater ChatMessageId (the transcript index)",
        )
        .response(200, "The messages", Some(array_of("ChatMessage"))),
        sessions::get_messages,
    );
    table.add(
        found(with_body(
            common(id_param(
                Operation::post(
                    "/api/v1/ChatSession/{id}/Messages",
                    "ChatSession_PostMessage",
                    SESSION_TAG,
                    "The caller (a user in the session) sends a message to the customer",
                ),
                "ChatSessionId",
            )),
            schema_ref("ChatMessage"),
            true,
        ))
        .response(200, "The message", Some(schema_ref("ChatMessage")))
        .response(409, "The chat has ended", Some(schema_ref("SoError"))),
        sessions::post_message,
    );

    let topic = || Some(schema_ref("ChatTopicEntity"));
    table.add(
        common(select(Operation::get(
            "/api/v1/ChatTopic",
            "ChatTopic_List",
            TOPIC_TAG,
            "Every chat topic",
        )))
        .response(200, "The topics", Some(array_of("ChatTopicEntity"))),
        topics::list,
    );
    table.add(
        common(select(Operation::get(
            "/api/v1/ChatTopic/default",
            "ChatTopic_Default",
            TOPIC_TAG,
            "A new ChatTopicEntity with default values",
        )))
        .response(200, "The default entity", topic()),
        topics::get_default,
    );
    table.add(
        with_body(
            common(select(Operation::post(
                "/api/v1/ChatTopic",
                "ChatTopic_Create",
                TOPIC_TAG,
                "Creates a topic: customers can request chats on its service at once",
            ))),
            schema_ref("ChatTopicEntity"),
            true,
        )
        .response(200, "The new topic", topic()),
        topics::post,
    );
    table.add(
        found(common(select(id_param(
            Operation::get(
                "/api/v1/ChatTopic/{id}",
                "ChatTopic_Get",
                TOPIC_TAG,
                "One topic",
            ),
            "ChatTopicId",
        ))))
        .header(
            "If-Modified-Since",
            "304 when the topic did not change since",
        )
        .response(200, "The topic", topic())
        .response(304, "Not modified", None),
        topics::get_one,
    );
    table.add(
        found(with_body(
            common(select(id_param(
                Operation::put(
                    "/api/v1/ChatTopic/{id}",
                    "ChatTopic_Put",
                    TOPIC_TAG,
                    "Updates a topic (its service name stays)",
                ),
                "ChatTopicId",
            ))),
            schema_ref("ChatTopicEntity"),
            true,
        ))
        .header(
            "If-Unmodified-Since",
            "412 when the topic changed after this date",
        )
        .response(200, "The topic", topic())
        .response(
            412,
            "Changed since If-Unmodified-Since",
            Some(schema_ref("SoError")),
        ),
        topics::put,
    );
    table.add(
        found(patch_body(
            common(select(id_param(
                Operation::patch(
                    "/api/v1/ChatTopic/{id}",
                    "ChatTopic_Patch",
                    TOPIC_TAG,
                    "Updates a topic with JSON Patch or JSON Merge Patch",
                ),
                "ChatTopicId",
            ))),
            "ChatTopicEntity",
        ))
        .response(200, "The topic", topic()),
        topics::patch,
    );
    table.add(
        found(common(id_param(
            Operation::delete(
                "/api/v1/ChatTopic/{id}",
                "ChatTopic_Delete",
                TOPIC_TAG,
                "Deletes a topic; refused while one of its sessions has not ended",
            ),
            "ChatTopicId",
        )))
        .header(
            "If-Unmodified-Since",
            "412 when the topic changed after this date",
        )
        .response(204, "Deleted", None)
        .response(
            409,
            "A session on the topic has not ended",
            Some(schema_ref("SoError")),
        )
        .response(
            412,
            "Changed since If-Unmodified-Since",
            Some(schema_ref("SoError")),
        ),
        topics::delete,
    );
    table.add(
        found(common(select(id_param(
            Operation::get(
                "/api/v1/ChatTopic/{id}/Sessions",
                "ChatTopic_Sessions",
                TOPIC_TAG,
                "The sessions on a topic",
            ),
            "ChatTopicId",
        ))))
        .response(200, "The sessions", Some(array_of("ChatSessionEntity"))),
        topics::sessions,
    );
    table.add(
        found(with_body(
            common(select(id_param(
                Operation::post(
                    "/api/v1/ChatTopic/{id}/Sessions",
                    "ChatTopic_CreateSession",
                    TOPIC_TAG,
                    "Creates a session on the topic (the body is optional)",
                ),
                "ChatTopicId",
            ))),
            schema_ref("ChatSessionEntity"),
            false,
        ))
        .response(200, "The new session", session()),
        topics::create_session,
    );
    table.add(
        found(common(id_param(
            Operation::get(
                "/api/v1/ChatTopic/{id}/IsOpen",
                "ChatTopic_IsOpen",
                TOPIC_TAG,
                "Whether the topic is open now (its opening hours, when enabled)",
            ),
            "ChatTopicId",
        )))
        .response(200, "Open or not", Some(json!({"type": "boolean"}))),
        topics::is_open_now,
    );
    table.add(
        Operation::post(
            "/api/v1/agents/session",
            "Agents_CookieLogin",
            "Agents",
            "Cookie sign-in for browsers: sets HOTLINE_SESSION and XSRF-TOKEN",
        )
        .describe(
            "Body {username, password} (JSON or form) or Basic credentials. Later requests \
             carry the cookie; their unsafe methods must send X-XSRF-TOKEN with the XSRF-TOKEN \
             cookie's value (also returned here as xsrfToken).",
        )
        .body(
            &["application/json", "application/x-www-form-urlencoded"],
            schema_ref("LoginRequest"),
            false,
        )
        .response(
            200,
            "Signed in; cookies set",
            Some(schema_ref("CookieLogin")),
        )
        .response(400, "Malformed body", Some(schema_ref("SoError")))
        .response(401, "Wrong credentials", Some(schema_ref("SoError"))),
        auth::cookie_login,
    );
    table.add(
        Operation::delete(
            "/api/v1/agents/session",
            "Agents_CookieLogout",
            "Agents",
            "Ends the cookie session",
        )
        .secured(Security::SuperOffice)
        .header("X-XSRF-TOKEN", "The XSRF-TOKEN cookie")
        .response(204, "Signed out; cookies cleared", None)
        .response(401, "Not signed in", Some(schema_ref("SoError")))
        .response(403, "X-XSRF-TOKEN missing", Some(schema_ref("SoError"))),
        auth::cookie_logout,
    );
}

fn schemas(table: &mut ApiTable<Arc<AppState>>) {
    table.schema(
        "SoError",
        json!({"type": "object", "required": ["Error", "ErrorType", "ErrorMessage", "ErrorSource"],
        "properties": {
            "Error": {"type": "boolean"},
            "ErrorType": {"type": "string"},
            "ErrorMessage": {"type": "string"},
            "ErrorSource": {"type": "string"},
        }}),
    );
    table.schema(
        "ChatSessionStatus",
        json!({"type": "string",
            "enum": ChatSessionStatus::ALL.iter().map(|s| s.name()).collect::<Vec<_>>()}),
    );
    table.schema(
        "TableRight",
        json!({"type": "object", "properties": {
            "Mask": {"type": "string"}, "Reason": {"type": "string"}}}),
    );
    table.schema(
        "FieldProperty",
        json!({"type": "object", "properties": {
            "FieldRight": {"$ref": "#/components/schemas/TableRight"},
            "FieldType": {"type": "string"},
            "FieldLength": {"type": "integer"}}}),
    );
    table.schema(
        "Associate",
        json!({"type": "object", "description": "A user: an agent account",
            "properties": {
                "AssociateId": {"type": "integer", "description": "1-based position of the account in the server's configuration"},
                "Name": {"type": "string"}, "PersonId": {"type": "integer"},
                "Rank": {"type": "integer"}, "Tooltip": {"type": "string"},
                "Type": {"type": "string"}, "GroupIdx": {"type": "integer"},
                "FullName": {"type": "string"}, "FormalName": {"type": "string"},
                "Deleted": {"type": "boolean"}, "EjUserId": {"type": "integer"},
                "UserName": {"type": "string"},
                "TableRight": {"allOf": [{"$ref": "#/components/schemas/TableRight"}], "nullable": true},
                "FieldProperties": {"type": "object"}}}),
    );
    table.schema(
        "ChatSessionEntity",
        fields::entity_schema(
            "A chat session: the CRM view of a conversation",
            session_entity::session_fields(),
        ),
    );
    table.schema(
        "ChatTopicEntity",
        fields::entity_schema(
            "A chat topic: a chat service customers request chats on",
            &topic_entity::TOPIC_FIELDS,
        ),
    );
    table.schema(
        "ChatMessage",
        json!({"type": "object", "properties": {
            "ChatMessageId": {"type": "integer", "readOnly": true, "description": "The transcript index"},
            "ChatSessionId": {"type": "integer", "readOnly": true},
            "Type": {"type": "string", "readOnly": true,
                "description": "The transcript event type: Message, ParticipantJoined, ParticipantLeft, CustomNotice, NicknameUpdated"},
            "Message": {"type": "string"},
            "Author": {"type": "string", "readOnly": true},
            "ReadByCustomer": {"type": "integer", "readOnly": true},
            "SpecialType": {"type": "string", "readOnly": true},
            "SpecialParam": {"type": "string", "description": "The GMS messageType"},
            "WhenPosted": {"type": "string", "format": "date-time", "readOnly": true}},
            "required": ["Message"]}),
    );
    table.schema(
        "JsonPatchOperation",
        json!({"type": "object", "required": ["op", "path"], "properties": {
            "op": {"type": "string", "enum": ["add", "replace", "remove", "test"]},
            "path": {"type": "string", "description": "Any case; the leading / is optional"},
            "value": {}}}),
    );
    table.schema(
        "ArchiveList",
        json!({"type": "object", "properties": {
            "odata.metadata": {"type": "string"},
            "odata.nextLink": {"type": "string", "nullable": true},
            "value": {"type": "array", "items": {"type": "object",
                "properties": {"PrimaryKey": {"type": "integer"}, "EntityName": {"type": "string"}},
                "additionalProperties": true}}}}),
    );
    table.schema(
        "CookieLogin",
        json!({"type": "object", "properties": {
            "agentId": {"type": "string"}, "name": {"type": "string"},
            "ticket": {"type": "string"}, "xsrfToken": {"type": "string"}}}),
    );
}
