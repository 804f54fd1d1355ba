//! `ChatSessionEntity`: the CRM view of the one conversation record.
//!
//! Every property is either a column of the record, derived from its participants and
//! transcript (in SQL, so that `$filter` and `$orderBy` work on it), or one of the CRM-only
//! fields kept with the record (`crm_fields`).
//!
//! | property | from |
//! |---|---|
//! | ChatSessionId | the conversation number (unique, never reused; `{id}` routes also take the GMS chatId) |
//! | TopicId | the topic whose service the conversation is on |
//! | User | the agent in the conversation (after it ended: the last one who was) |
//! | CustomerAlias | the customer's nickname |
//! | CustomerName | first and last name (written: stored as the first name) |
//! | CustomerEmail | the email address |
//! | Status | the life-cycle, through [`crate::chat::Lifecycle::chat_session_status`] |
//! | FirstMessage / LastMessage | the first and last `Message` of the transcript |
//! | WhenRequested / WhenEnded | when the conversation was created / ended |
//! | WhenStarted | when the first agent joined |
//! | WhenIdle | the last `Message` |
//! | WhenFetched | the customer's last event in the transcript |
//! | SessionKey | always `null`: it is the GMS secureKey, stored only hashed |
//! | InitialQueuePos | conversations in the queue, plus one, at creation |
//! | Rank | 1-based position of the conversation among its agent's current ones, by join time; 0 without an agent |
//! | Flags | `CustomerIsTyping` / `UserIsTyping` from the last typing events |
//! | TransferTo | the agent a pending transfer goes to |
//! | CustomerHost, CustomerPhone, CustomerCompanyName, CustomerConsented, AlertLevel, ChatbotIsActive, Rating, Person, Contact, Project, Sale, Ticket | CRM-only fields |

use std::sync::OnceLock;

use serde_json::{json, Map, Value};
use sqlx::sqlite::SqliteRow;
use sqlx::Row;

use super::dates::DateStyle;
use super::errors::SoError;
use super::fields::{field_properties, find, table_right, FieldSpec, Kind};
use super::odata::{format_flags, Bind, Column, Columns};
use crate::agents::AgentDirectory;
use crate::chat::{ChatSessionStatus, Lifecycle, PartyType};

const fn field(
    name: &'static str,
    kind: Kind,
    writable: bool,
    length: u32,
    description: &'static str,
) -> FieldSpec {
    FieldSpec {
        name,
        kind,
        writable,
        length,
        description,
    }
}

/// The properties of `ChatSessionEntity`, in SuperOffice's order.
pub static SESSION_FIELDS: [FieldSpec; 31] = [
    field("ChatSessionId", Kind::Int, false, 0, "The primary key (auto-incremented): the conversation number"),
    field("TopicId", Kind::Int, true, 0, "The chat topic (a chat service customers request chats on)"),
    field("User", Kind::Associate, true, 0, "User agent handling this session; writing it reassigns the session, null puts it back in the queue"),
    field("Person", Kind::Object, true, 0, "Customer person in this session, kept as given"),
    field("CustomerAlias", Kind::Text, true, 64, "The alias (nickname) of the customer"),
    field("CustomerHost", Kind::Text, true, 255, "The hostname or IP address for the customer"),
    field("CustomerName", Kind::Text, true, 0, "The name of customer, if provided"),
    field("CustomerEmail", Kind::Text, true, 0, "The email address of the customer, if provided"),
    field("CustomerPhone", Kind::Text, true, 32, "The phone number of the customer, if provided"),
    field("CustomerConsented", Kind::Bool, true, 0, "The customer consented when starting the session"),
    field("CustomerCompanyName", Kind::Text, true, 0, "The name of the customer's company, if provided"),
    field("Status", Kind::Status, true, 0, "The status, derived from the conversation's life-cycle; writing InQueue, CustomerLast/UserLast, Finished or Closed runs the matching operation"),
    field("FirstMessage", Kind::Text, false, 1024, "A copy of the first message in the chat session"),
    field("LastMessage", Kind::Text, false, 1024, "A copy of the last message in the chat session"),
    field("WhenRequested", Kind::Date, false, 0, "When the session was requested by the customer"),
    field("WhenStarted", Kind::Date, false, 0, "When the session was accepted by a user"),
    field("WhenEnded", Kind::Date, false, 0, "When the session was ended"),
    field("WhenIdle", Kind::Date, false, 0, "The last time anyone sent a message for this session"),
    field("WhenFetched", Kind::Date, false, 0, "The customer's last activity in the transcript"),
    field("SessionKey", Kind::Text, false, 255, "Always null: the key (the GMS secureKey) is stored only hashed and never shown"),
    field("InitialQueuePos", Kind::Int, false, 0, "The number of sessions in the queue + 1 when the session was requested"),
    field("AlertLevel", Kind::Int, true, 0, "The alert level for this chat session"),
    field("Rank", Kind::Int, false, 0, "Position among the user's current sessions, starting at 1 (0 without a user)"),
    field("Flags", Kind::Flags, true, 0, "CustomerIsTyping, UserIsTyping; writing UserIsTyping makes the caller type"),
    field("Contact", Kind::Object, true, 0, "Contact this session is connected to, kept as given"),
    field("Project", Kind::Object, true, 0, "Project this session is connected to, kept as given"),
    field("Sale", Kind::Object, true, 0, "Sale this session is connected to, kept as given"),
    field("Ticket", Kind::Object, true, 0, "Ticket this session is connected to, kept as given"),
    field("TransferTo", Kind::Associate, true, 0, "User agent that has a pending transfer of the chat session"),
    field("ChatbotIsActive", Kind::Bool, true, 0, "A chatbot is active on the session; cleared by Reset"),
    field("Rating", Kind::Int, true, 0, "Rating of this chat conversation given by the customer"),
];

/// The properties of `ChatSessionEntity`.
pub fn session_fields() -> &'static [FieldSpec] {
    &SESSION_FIELDS
}

/// Where a property's value comes from.
enum Source {
    Sql(&'static str),
    Status,
    Crm,
}

const USER_SQL: &str = "(SELECT p.agent_id FROM participants p WHERE p.conversation_id = c.id
    AND p.agent_id IS NOT NULL AND (p.left_at IS NULL OR c.ended_at IS NOT NULL)
    ORDER BY (p.left_at IS NULL) DESC, p.participant_id DESC LIMIT 1)";

const RANK_SQL: &str = "COALESCE((SELECT (SELECT COUNT(*) FROM participants p2
        WHERE p2.agent_id = p.agent_id AND p2.left_at IS NULL
          AND (p2.joined_at < p.joined_at
               OR (p2.joined_at = p.joined_at AND p2.conversation_id <= p.conversation_id)))
    FROM participants p WHERE p.conversation_id = c.id AND p.agent_id IS NOT NULL
      AND p.left_at IS NULL ORDER BY p.participant_id LIMIT 1), 0)";

const FLAGS_SQL: &str = "(CASE WHEN c.ended_at IS NOT NULL THEN 0 ELSE
    (CASE WHEN (SELECT e.event_type FROM transcript_events e WHERE e.conversation_id = c.id
        AND e.party_type = 'Client'
        AND e.event_type IN ('TypingStarted', 'TypingStopped', 'Message', 'ParticipantLeft')
        ORDER BY e.idx DESC LIMIT 1) = 'TypingStarted' THEN 1 ELSE 0 END)
  + (CASE WHEN (SELECT e.event_type FROM transcript_events e WHERE e.conversation_id = c.id
        AND e.party_type IN ('Agent', 'Supervisor')
        AND e.event_type IN ('TypingStarted', 'TypingStopped', 'Message', 'ParticipantLeft')
        ORDER BY e.idx DESC LIMIT 1) = 'TypingStarted' THEN 2 ELSE 0 END) END)";

fn source(name: &str) -> Source {
    Source::Sql(match name {
        "ChatSessionId" => "c.number",
        "TopicId" => "COALESCE((SELECT t.id FROM chat_topics t WHERE t.service = c.service), 0)",
        "User" => USER_SQL,
        "CustomerAlias" => "c.nickname",
        "CustomerName" => {
            "NULLIF(TRIM(COALESCE(c.first_name, '') || ' ' || COALESCE(c.last_name, '')), '')"
        }
        "CustomerEmail" => "c.email",
        "Status" => return Source::Status,
        "FirstMessage" => {
            "(SELECT e.text FROM transcript_events e WHERE e.conversation_id = c.id
              AND e.event_type = 'Message' ORDER BY e.idx LIMIT 1)"
        }
        "LastMessage" => {
            "(SELECT e.text FROM transcript_events e WHERE e.conversation_id = c.id
              AND e.event_type = 'Message' ORDER BY e.idx DESC LIMIT 1)"
        }
        "WhenRequested" => "c.created_at",
        "WhenStarted" => {
            "(SELECT MIN(p.joined_at) FROM participants p WHERE p.conversation_id = c.id
              AND p.agent_id IS NOT NULL)"
        }
        "WhenEnded" => "c.ended_at",
        "WhenIdle" => {
            "(SELECT MAX(e.utc_time) FROM transcript_events e WHERE e.conversation_id = c.id
              AND e.event_type = 'Message')"
        }
        "WhenFetched" => {
            "(SELECT MAX(e.utc_time) FROM transcript_events e WHERE e.conversation_id = c.id
              AND e.party_type = 'Client')"
        }
        "SessionKey" => "NULL",
        "InitialQueuePos" => "c.initial_queue_pos",
        "Rank" => RANK_SQL,
        "Flags" => FLAGS_SQL,
        "TransferTo" => "c.transfer_to",
        _ => return Source::Crm,
    })
}

/// `Status` in SQL: the status value, from the one mapping in [`Lifecycle`].
fn status_sql() -> &'static str {
    static SQL: OnceLock<String> = OnceLock::new();
    SQL.get_or_init(|| {
        let mut sql = String::from(
            "(CASE c.status || ':' || COALESCE(c.last_speaker, '') || ':' ||
               EXISTS (SELECT 1 FROM participants p WHERE p.conversation_id = c.id
                       AND p.agent_id IS NOT NULL)",
        );
        let speakers = [
            None,
            Some(PartyType::Client),
            Some(PartyType::Agent),
            Some(PartyType::Supervisor),
            Some(PartyType::External),
        ];
        for lifecycle in Lifecycle::ALL {
            for speaker in speakers {
                for joined in [false, true] {
                    let status = lifecycle.chat_session_status(speaker, joined);
                    sql.push_str(&format!(
                        " WHEN '{}:{}:{}' THEN {}",
                        lifecycle.as_str(),
                        speaker.map(PartyType::as_str).unwrap_or(""),
                        u8::from(joined),
                        status.value()
                    ));
                }
            }
        }
        sql.push_str(" ELSE 0 END)");
        sql
    })
}

/// The columns of `$filter` and `$orderBy` on the ChatSession archive.
pub struct SessionColumns<'a> {
    pub agents: &'a AgentDirectory,
}

/// An identifier usable in a JSON path.
fn plain_identifier(text: &str) -> bool {
    !text.is_empty() && text.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

impl Columns for SessionColumns<'_> {
    fn column(&self, path: &str) -> Result<Column, SoError> {
        let unknown = || SoError::bad_request(format!("$filter: unknown property '{path}'"));
        let mut parts = path.split('/');
        let head = parts.next().unwrap_or_default();
        let rest: Vec<&str> = parts.collect();
        let field = find(session_fields(), head).ok_or_else(unknown)?;
        let crm_path = |segments: &[&str]| {
            let mut json_path = format!("$.{}", field.name);
            for segment in segments {
                json_path.push('.');
                json_path.push_str(segment);
            }
            json_path
        };
        let column = |sql: String, binds: Vec<Bind>, kind: Kind| Column { sql, binds, kind };
        match (source(field.name), rest.as_slice()) {
            (Source::Status, []) => Ok(column(status_sql().to_owned(), Vec::new(), Kind::Status)),
            (Source::Sql(sql), []) => Ok(column(sql.to_owned(), Vec::new(), field.kind)),
            (Source::Sql(sql), [sub]) if field.kind == Kind::Associate => {
                let known = ["AssociateId", "Name", "UserName", "FullName", "FormalName"];
                if known.iter().any(|k| k.eq_ignore_ascii_case(sub)) {
                    Ok(column(sql.to_owned(), Vec::new(), Kind::Associate))
                } else {
                    Err(unknown())
                }
            }
            (Source::Crm, []) => Ok(column(
                "json_extract(c.crm_fields, ?)".into(),
                vec![Bind::Text(crm_path(&[]))],
                field.kind,
            )),
            (Source::Crm, segments)
                if field.kind == Kind::Object && segments.iter().all(|s| plain_identifier(s)) =>
            {
                Ok(column(
                    "json_extract(c.crm_fields, ?)".into(),
                    vec![Bind::Text(crm_path(segments))],
                    Kind::Object,
                ))
            }
            _ => Err(unknown()),
        }
    }

    fn associate_name(&self, id: i64) -> Option<String> {
        self.agents
            .find(&id.to_string())
            .map(|agent| agent.agent_id)
    }
}

/// The SELECT list of a session query (after `c.id, c.updated_at, c.crm_fields`).
pub fn select_list() -> String {
    let mut list = String::from("c.id AS chat_id, c.updated_at AS updated_at, c.crm_fields AS crm");
    for field in session_fields() {
        match source(field.name) {
            Source::Sql(sql) => list.push_str(&format!(", {sql} AS \"f_{}\"", field.name)),
            Source::Status => list.push_str(&format!(", {} AS \"f_Status\"", status_sql())),
            Source::Crm => {}
        }
    }
    list
}

/// An `Associate` carrier for an agent account.
pub fn associate(agents: &AgentDirectory, name: &str) -> Value {
    let id = agents.associate_id(name);
    json!({
        "AssociateId": id.unwrap_or(0),
        "Name": name,
        "PersonId": 0,
        "Rank": id.unwrap_or(0),
        "Tooltip": name,
        "Type": "InternalAssociate",
        "GroupIdx": 0,
        "FullName": name,
        "FormalName": name,
        "Deleted": id.is_none(),
        "EjUserId": 0,
        "UserName": name,
        "TableRight": null,
        "FieldProperties": {},
    })
}

/// What rendering needs besides the row.
pub struct Render<'a> {
    pub agents: &'a AgentDirectory,
    pub dates: &'a DateStyle,
    pub base_url: &'a str,
}

/// One session row, rendered.
pub struct SessionRow {
    pub chat_id: String,
    pub number: i64,
    pub updated_at: i64,
    pub entity: Value,
}

/// Renders a row of a query made with [`select_list`].
pub fn render(row: &SqliteRow, render: &Render<'_>) -> Result<SessionRow, sqlx::Error> {
    let crm: String = row.try_get("crm")?;
    let crm: Map<String, Value> = match serde_json::from_str(&crm) {
        Ok(Value::Object(map)) => map,
        _ => Map::new(),
    };
    let mut entity = Map::new();
    for field in session_fields() {
        let value = match source(field.name) {
            Source::Crm => match (crm.get(field.name), field.kind) {
                (Some(value), _) if !value.is_null() => value.clone(),
                (_, Kind::Int) => json!(0),
                (_, Kind::Bool) => json!(false),
                _ => Value::Null,
            },
            Source::Sql(_) | Source::Status => {
                let column = format!("f_{}", field.name);
                match field.kind {
                    Kind::Int => {
                        json!(row.try_get::<Option<i64>, _>(column.as_str())?.unwrap_or(0))
                    }
                    Kind::Bool => {
                        json!(row.try_get::<Option<i64>, _>(column.as_str())?.unwrap_or(0) != 0)
                    }
                    Kind::Text | Kind::Object => row
                        .try_get::<Option<String>, _>(column.as_str())?
                        .map(Value::String)
                        .unwrap_or(Value::Null),
                    Kind::Date => row
                        .try_get::<Option<i64>, _>(column.as_str())?
                        .map(|ms| Value::String(render.dates.format(ms)))
                        .unwrap_or(Value::Null),
                    Kind::Status => {
                        let value = row.try_get::<Option<i64>, _>(column.as_str())?.unwrap_or(0);
                        json!(ChatSessionStatus::from_value(value)
                            .unwrap_or(ChatSessionStatus::Invalid)
                            .name())
                    }
                    Kind::Flags => json!(format_flags(
                        row.try_get::<Option<i64>, _>(column.as_str())?.unwrap_or(0)
                    )),
                    Kind::Associate => row
                        .try_get::<Option<String>, _>(column.as_str())?
                        .map(|name| associate(render.agents, &name))
                        .unwrap_or(Value::Null),
                }
            }
        };
        entity.insert(field.name.to_owned(), value);
    }
    let number = entity["ChatSessionId"].as_i64().unwrap_or(0);
    entity.insert("TableRight".into(), table_right());
    entity.insert("FieldProperties".into(), field_properties(session_fields()));
    entity.insert(
        "_Links".into(),
        json!({
            "Self": format!("{}/api/v1/ChatSession/{number}", render.base_url),
            "Archive": format!("{}/api/v1/ChatSession", render.base_url),
            "Messages": format!("{}/api/v1/ChatSession/{number}/Messages", render.base_url),
        }),
    );
    Ok(SessionRow {
        chat_id: row.try_get("chat_id")?,
        number,
        updated_at: row.try_get("updated_at")?,
        entity: Value::Object(entity),
    })
}

/// `GET /api/v1/ChatSession/default`: a new entity with the defaults a POST starts from.
pub fn default_entity(topic_id: i64, render: &Render<'_>) -> Value {
    let mut entity = Map::new();
    for field in session_fields() {
        let value = match field.kind {
            Kind::Int => json!(0),
            Kind::Bool => json!(false),
            Kind::Flags => json!(""),
            _ => Value::Null,
        };
        entity.insert(field.name.to_owned(), value);
    }
    entity.insert("TopicId".into(), json!(topic_id));
    entity.insert("Status".into(), json!(ChatSessionStatus::InQueue.name()));
    entity.insert("InitialQueuePos".into(), json!(1));
    entity.insert("TableRight".into(), table_right());
    entity.insert("FieldProperties".into(), field_properties(session_fields()));
    entity.insert(
        "_Links".into(),
        json!({"Archive": format!("{}/api/v1/ChatSession", render.base_url)}),
    );
    Value::Object(entity)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chat::store;

    #[test]
    fn every_field_has_a_source_and_the_table_matches_the_seed() {
        let names: Vec<&str> = session_fields().iter().map(|f| f.name).collect();
        assert_eq!(
            names,
            vec![
                "ChatSessionId",
                "TopicId",
                "User",
                "Person",
                "CustomerAlias",
                "CustomerHost",
                "CustomerName",
                "CustomerEmail",
                "CustomerPhone",
                "CustomerConsented",
                "CustomerCompanyName",
                "Status",
                "FirstMessage",
                "LastMessage",
                "WhenRequested",
                "WhenStarted",
                "WhenEnded",
                "WhenIdle",
                "WhenFetched",
                "SessionKey",
                "InitialQueuePos",
                "AlertLevel",
                "Rank",
                "Flags",
                "Contact",
                "Project",
                "Sale",
                "Ticket",
                "TransferTo",
                "ChatbotIsActive",
                "Rating"
            ]
        );
        let crm: Vec<&str> = session_fields()
            .iter()
            .filter(|f| matches!(source(f.name), Source::Crm))
            .map(|f| f.name)
            .collect();
        assert_eq!(
            crm,
            vec![
                "Person",
                "CustomerHost",
                "CustomerPhone",
                "CustomerConsented",
                "CustomerCompanyName",
                "AlertLevel",
                "Contact",
                "Project",
                "Sale",
                "Ticket",
                "ChatbotIsActive",
                "Rating"
            ]
        );
    }

    #[tokio::test]
    async fn the_select_list_and_every_filter_column_run_on_sqlite() {
        let pool = store::open("sqlite::memory:").await.unwrap();
        let agents = AgentDirectory::new(Vec::new());
        let columns = SessionColumns { agents: &agents };
        let mut sql = format!("SELECT {} FROM conversations c WHERE 1 = 1", select_list());
        let mut binds = Vec::new();
        for field in session_fields() {
            let column = columns.column(field.name).unwrap();
            sql.push_str(&format!(" AND ({} IS NULL OR 1 = 1)", column.sql));
            binds.extend(column.binds);
        }
        let mut query = sqlx::query(&sql);
        for bind in binds {
            query = match bind {
                Bind::Text(t) => query.bind(t),
                Bind::Int(n) => query.bind(n),
                Bind::Real(x) => query.bind(x),
                Bind::Null => query.bind(None::<String>),
            };
        }
        assert!(query.fetch_all(&pool).await.unwrap().is_empty());
        assert!(columns.column("User/AssociateId").is_ok());
        assert!(columns.column("Contact/ContactId").is_ok());
        assert!(columns.column("Contact/x'y").is_err());
        assert!(columns.column("Status/Name").is_err());
        assert!(columns.column("Nope").is_err());
    }
}
