//! SQLite persistence of conversations, participants and transcripts (sqlx, with migrations).

use std::path::Path;
use std::str::FromStr;

use serde_json::{Map, Value};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteRow, SqliteSynchronous,
};
use sqlx::{Row, SqliteConnection, SqlitePool};

use super::model::{
    ConversationLinks, ConversationSummary, EventType, Lifecycle, LifecycleFacts, Party, PartyType,
    RecordLink, TranscriptEvent,
};

/// The participant id of the customer in every conversation.
pub const CUSTOMER_PARTICIPANT_ID: i64 = 1;

/// How SQLite makes a commit durable (`PRAGMA synchronous`, in WAL mode).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Synchronous {
    /// No sync at each commit: nothing is lost when the server crashes or is killed; after a
    /// power cut or an OS crash the last commits may be missing (the database stays sound).
    /// About a millisecond less per message.
    #[default]
    Normal,
    /// A sync at every commit: commits also survive a power cut.
    Full,
}

/// Where the data lives: a file path or an `sqlite:` URL (`sqlite::memory:` for tests).
pub async fn open(database: &str) -> Result<SqlitePool, sqlx::Error> {
    open_with(database, Synchronous::default()).await
}

/// [`open`] with a choice of commit durability.
pub async fn open_with(
    database: &str,
    synchronous: Synchronous,
) -> Result<SqlitePool, sqlx::Error> {
    let options = if database.starts_with("sqlite:") {
        SqliteConnectOptions::from_str(database)?
    } else {
        if let Some(parent) = Path::new(database).parent() {
            if !parent.as_os_str().is_empty() {
                std::fs::create_dir_all(parent)?;
            }
        }
        SqliteConnectOptions::new().filename(database)
    };
    let options = options
        .create_if_missing(true)
        .foreign_keys(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(match synchronous {
            Synchronous::Normal => SqliteSynchronous::Normal,
            Synchronous::Full => SqliteSynchronous::Full,
        });
    // An in-memory database exists per connection: keep exactly one.
    let max_connections = if database.contains(":memory:") { 1 } else { 4 };
    let pool = SqlitePoolOptions::new()
        .max_connections(max_connections)
        .connect_with(options)
        .await?;
    sqlx::migrate!("./migrations").run(&pool).await?;
    Ok(pool)
}

/// Someone in a conversation.
#[derive(Debug, Clone, PartialEq)]
pub struct Participant {
    pub participant_id: i64,
    pub party_type: PartyType,
    pub nickname: String,
    /// The agent's account name, for agents.
    pub agent_id: Option<String>,
    pub joined_at: i64,
    pub left_at: Option<i64>,
}

impl Participant {
    pub fn party(&self) -> Party {
        Party {
            nickname: self.nickname.clone(),
            participant_id: self.participant_id,
            party_type: self.party_type,
        }
    }

    pub fn is_present(&self) -> bool {
        self.left_at.is_none()
    }
}

/// A conversation record with its participants, as one unit of work loads and saves it.
#[derive(Debug, Clone)]
pub struct Conversation {
    pub id: String,
    pub service: String,
    pub user_id: String,
    pub nickname: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub email: Option<String>,
    pub subject: Option<String>,
    pub user_data: Map<String, Value>,
    pub customer_connected: bool,
    pub customer_left_at: Option<i64>,
    pub ended_at: Option<i64>,
    pub last_speaker: Option<PartyType>,
    pub next_index: u64,
    pub created_at: i64,
    pub updated_at: i64,
    pub participants: Vec<Participant>,
    /// The conversation number (SuperOffice `ChatSessionId`), unique and never reused.
    pub number: i64,
    /// The agent a transfer was asked to, while it is pending.
    pub transfer_to: Option<String>,
    /// Conversations waiting in the queue, plus one, when this one was requested.
    pub initial_queue_pos: i64,
    /// Fields only the CRM view has, keyed by their SuperOffice property name.
    pub crm: Map<String, Value>,
    /// The customer and case records linked to the conversation.
    pub links: ConversationLinks,
}

impl Conversation {
    pub fn status(&self) -> Lifecycle {
        Lifecycle::derive(LifecycleFacts {
            ended: self.ended_at.is_some(),
            customer_left: self.customer_left_at.is_some(),
            customer_connected: self.customer_connected,
            active_agents: self.active_agents().count(),
        })
    }

    /// Over for the customer: ended, or the customer left.
    pub fn is_over_for_customer(&self) -> bool {
        self.ended_at.is_some() || self.customer_left_at.is_some()
    }

    pub fn active_agents(&self) -> impl Iterator<Item = &Participant> {
        self.participants
            .iter()
            .filter(|p| p.agent_id.is_some() && p.is_present())
    }

    pub fn agent_participant(&self, agent_id: &str) -> Option<&Participant> {
        self.active_agents()
            .find(|p| p.agent_id.as_deref() == Some(agent_id))
    }

    pub fn customer(&self) -> Party {
        self.participants
            .iter()
            .find(|p| p.participant_id == CUSTOMER_PARTICIPANT_ID)
            .map(Participant::party)
            .unwrap_or(Party {
                nickname: self.nickname.clone(),
                participant_id: CUSTOMER_PARTICIPANT_ID,
                party_type: PartyType::Client,
            })
    }

    pub fn next_participant_id(&self) -> i64 {
        self.participants
            .iter()
            .map(|p| p.participant_id)
            .max()
            .unwrap_or(0)
            + 1
    }

    pub fn summary(&self) -> ConversationSummary {
        ConversationSummary {
            chat_id: self.id.clone(),
            service: self.service.clone(),
            status: self.status(),
            user_id: self.user_id.clone(),
            nickname: self.nickname.clone(),
            first_name: self.first_name.clone(),
            last_name: self.last_name.clone(),
            email_address: self.email.clone(),
            subject: self.subject.clone(),
            user_data: self.user_data.clone(),
            customer_connected: self.customer_connected,
            agent_ids: self
                .active_agents()
                .filter_map(|p| p.agent_id.clone())
                .collect(),
            last_speaker: self.last_speaker,
            last_index: self.next_index.saturating_sub(1),
            created_at: self.created_at,
            updated_at: self.updated_at,
            ended_at: self.ended_at,
            chat_session_id: self.number,
            transfer_to: self.transfer_to.clone(),
            links: self.links.clone(),
        }
    }
}

/// A conversation about to be created.
pub struct NewConversation<'a> {
    pub id: &'a str,
    pub service: &'a str,
    pub secure_key_hash: &'a str,
    pub user_id: &'a str,
    pub nickname: &'a str,
    pub first_name: Option<&'a str>,
    pub last_name: Option<&'a str>,
    pub email: Option<&'a str>,
    pub subject: Option<&'a str>,
    pub user_data: &'a Map<String, Value>,
    /// Fields only the CRM view has (see [`Conversation::crm`]).
    pub crm: &'a Map<String, Value>,
    pub now: i64,
}

pub async fn insert_conversation(
    conn: &mut SqliteConnection,
    new: NewConversation<'_>,
) -> Result<(), sqlx::Error> {
    let number: i64 = sqlx::query_scalar(
        "UPDATE counters SET value = value + 1 WHERE name = 'conversation_number' RETURNING value",
    )
    .fetch_one(&mut *conn)
    .await?;
    sqlx::query(
        "INSERT INTO conversations (id, service, secure_key_hash, user_id, nickname, first_name,
            last_name, email, subject, user_data, status, created_at, updated_at, number,
            crm_fields, initial_queue_pos)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,
            (SELECT COUNT(*) + 1 FROM conversations WHERE status = 'queued'))",
    )
    .bind(new.id)
    .bind(new.service)
    .bind(new.secure_key_hash)
    .bind(new.user_id)
    .bind(new.nickname)
    .bind(new.first_name)
    .bind(new.last_name)
    .bind(new.email)
    .bind(new.subject)
    .bind(Value::Object(new.user_data.clone()).to_string())
    .bind(Lifecycle::Queued.as_str())
    .bind(new.now)
    .bind(new.now)
    .bind(number)
    .bind(Value::Object(new.crm.clone()).to_string())
    .execute(&mut *conn)
    .await?;
    insert_participant(
        conn,
        new.id,
        &Participant {
            participant_id: CUSTOMER_PARTICIPANT_ID,
            party_type: PartyType::Client,
            nickname: new.nickname.to_owned(),
            agent_id: None,
            joined_at: new.now,
            left_at: None,
        },
    )
    .await
}

pub async fn insert_participant(
    conn: &mut SqliteConnection,
    conversation_id: &str,
    participant: &Participant,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO participants (conversation_id, participant_id, party_type, nickname, agent_id,
            joined_at, left_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(conversation_id)
    .bind(participant.participant_id)
    .bind(participant.party_type.as_str())
    .bind(&participant.nickname)
    .bind(&participant.agent_id)
    .bind(participant.joined_at)
    .bind(participant.left_at)
    .execute(conn)
    .await?;
    Ok(())
}

/// Writes back what a unit of work may change on a participant.
pub async fn update_participant(
    conn: &mut SqliteConnection,
    conversation_id: &str,
    participant: &Participant,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE participants SET nickname = ?, left_at = ?
         WHERE conversation_id = ? AND participant_id = ?",
    )
    .bind(&participant.nickname)
    .bind(participant.left_at)
    .bind(conversation_id)
    .bind(participant.participant_id)
    .execute(conn)
    .await?;
    Ok(())
}

/// Writes back the mutable fields of a conversation, with its derived status.
pub async fn update_conversation(
    conn: &mut SqliteConnection,
    conversation: &Conversation,
) -> Result<(), sqlx::Error> {
    let customer = conversation.links.customer.as_ref();
    let case = conversation.links.case.as_ref();
    sqlx::query(
        "UPDATE conversations SET nickname = ?, user_data = ?, status = ?, customer_connected = ?,
            customer_left_at = ?, ended_at = ?, last_speaker = ?, next_index = ?, updated_at = ?,
            service = ?, first_name = ?, last_name = ?, email = ?, transfer_to = ?,
            crm_fields = ?, link_customer_entity = ?, link_customer_id = ?,
            link_customer_name = ?, link_case_id = ?, link_case_name = ?
         WHERE id = ?",
    )
    .bind(&conversation.nickname)
    .bind(Value::Object(conversation.user_data.clone()).to_string())
    .bind(conversation.status().as_str())
    .bind(conversation.customer_connected)
    .bind(conversation.customer_left_at)
    .bind(conversation.ended_at)
    .bind(conversation.last_speaker.map(PartyType::as_str))
    .bind(conversation.next_index as i64)
    .bind(conversation.updated_at)
    .bind(&conversation.service)
    .bind(&conversation.first_name)
    .bind(&conversation.last_name)
    .bind(&conversation.email)
    .bind(&conversation.transfer_to)
    .bind(Value::Object(conversation.crm.clone()).to_string())
    .bind(customer.map(|link| &link.entity_name))
    .bind(customer.map(|link| &link.entity_id))
    .bind(customer.and_then(|link| link.display_name.as_ref()))
    .bind(case.map(|link| &link.entity_id))
    .bind(case.and_then(|link| link.display_name.as_ref()))
    .bind(&conversation.id)
    .execute(conn)
    .await?;
    Ok(())
}

const CONVERSATION_COLUMNS: &str = "id, service, user_id, nickname, first_name, last_name, email,
    subject, user_data, customer_connected, customer_left_at, ended_at, last_speaker, next_index,
    created_at, updated_at, number, transfer_to, initial_queue_pos, crm_fields,
    link_customer_entity, link_customer_id, link_customer_name, link_case_id, link_case_name";

fn conversation_from_row(row: &SqliteRow) -> Result<Conversation, sqlx::Error> {
    let user_data: String = row.try_get("user_data")?;
    let crm: String = row.try_get("crm_fields")?;
    let last_speaker: Option<String> = row.try_get("last_speaker")?;
    Ok(Conversation {
        id: row.try_get("id")?,
        service: row.try_get("service")?,
        user_id: row.try_get("user_id")?,
        nickname: row.try_get("nickname")?,
        first_name: row.try_get("first_name")?,
        last_name: row.try_get("last_name")?,
        email: row.try_get("email")?,
        subject: row.try_get("subject")?,
        user_data: match serde_json::from_str(&user_data) {
            Ok(Value::Object(map)) => map,
            _ => Map::new(),
        },
        customer_connected: row.try_get("customer_connected")?,
        customer_left_at: row.try_get("customer_left_at")?,
        ended_at: row.try_get("ended_at")?,
        last_speaker: last_speaker.as_deref().and_then(PartyType::parse),
        next_index: row.try_get::<i64, _>("next_index")?.max(1) as u64,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
        participants: Vec::new(),
        number: row.try_get::<Option<i64>, _>("number")?.unwrap_or(0),
        transfer_to: row.try_get("transfer_to")?,
        initial_queue_pos: row.try_get("initial_queue_pos")?,
        crm: match serde_json::from_str(&crm) {
            Ok(Value::Object(map)) => map,
            _ => Map::new(),
        },
        links: links_from_row(row)?,
    })
}

fn links_from_row(row: &SqliteRow) -> Result<ConversationLinks, sqlx::Error> {
    let customer_entity: Option<String> = row.try_get("link_customer_entity")?;
    let customer_id: Option<String> = row.try_get("link_customer_id")?;
    let case_id: Option<String> = row.try_get("link_case_id")?;
    Ok(ConversationLinks {
        customer: match (customer_entity, customer_id) {
            (Some(entity_name), Some(entity_id)) => Some(RecordLink {
                entity_name,
                entity_id,
                display_name: row.try_get("link_customer_name")?,
            }),
            _ => None,
        },
        case: match case_id {
            Some(entity_id) => Some(RecordLink {
                entity_name: "incident".into(),
                entity_id,
                display_name: row.try_get("link_case_name")?,
            }),
            None => None,
        },
    })
}

async fn load_participants(
    conn: &mut SqliteConnection,
    conversation: &mut Conversation,
) -> Result<(), sqlx::Error> {
    let rows = sqlx::query(
        "SELECT participant_id, party_type, nickname, agent_id, joined_at, left_at
         FROM participants WHERE conversation_id = ? ORDER BY participant_id",
    )
    .bind(&conversation.id)
    .fetch_all(conn)
    .await?;
    conversation.participants = rows
        .iter()
        .map(|row| {
            let party_type: String = row.try_get("party_type")?;
            Ok(Participant {
                participant_id: row.try_get("participant_id")?,
                party_type: PartyType::parse(&party_type).unwrap_or(PartyType::External),
                nickname: row.try_get("nickname")?,
                agent_id: row.try_get("agent_id")?,
                joined_at: row.try_get("joined_at")?,
                left_at: row.try_get("left_at")?,
            })
        })
        .collect::<Result<_, sqlx::Error>>()?;
    Ok(())
}

pub async fn load(
    conn: &mut SqliteConnection,
    chat_id: &str,
) -> Result<Option<Conversation>, sqlx::Error> {
    let sql = format!("SELECT {CONVERSATION_COLUMNS} FROM conversations WHERE id = ?");
    let Some(row) = sqlx::query(&sql)
        .bind(chat_id)
        .fetch_optional(&mut *conn)
        .await?
    else {
        return Ok(None);
    };
    let mut conversation = conversation_from_row(&row)?;
    load_participants(conn, &mut conversation).await?;
    Ok(Some(conversation))
}

/// The conversation with this number (SuperOffice `ChatSessionId`).
pub async fn load_by_number(
    conn: &mut SqliteConnection,
    number: i64,
) -> Result<Option<Conversation>, sqlx::Error> {
    let id: Option<String> = sqlx::query_scalar("SELECT id FROM conversations WHERE number = ?")
        .bind(number)
        .fetch_optional(&mut *conn)
        .await?;
    match id {
        Some(id) => load(conn, &id).await,
        None => Ok(None),
    }
}

/// Deletes a conversation with its participants and transcript.
pub async fn delete(conn: &mut SqliteConnection, chat_id: &str) -> Result<bool, sqlx::Error> {
    let done = sqlx::query("DELETE FROM conversations WHERE id = ?")
        .bind(chat_id)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() > 0)
}

pub async fn load_by_key_hash(
    conn: &mut SqliteConnection,
    secure_key_hash: &str,
) -> Result<Option<Conversation>, sqlx::Error> {
    let sql = format!("SELECT {CONVERSATION_COLUMNS} FROM conversations WHERE secure_key_hash = ?");
    let Some(row) = sqlx::query(&sql)
        .bind(secure_key_hash)
        .fetch_optional(&mut *conn)
        .await?
    else {
        return Ok(None);
    };
    let mut conversation = conversation_from_row(&row)?;
    load_participants(conn, &mut conversation).await?;
    Ok(Some(conversation))
}

/// Which conversations a list shows.
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    pub statuses: Option<Vec<Lifecycle>>,
    /// Only conversations this agent is in now.
    pub with_agent: Option<String>,
    /// Only conversations no agent is in now.
    pub without_agent: bool,
}

pub async fn list(
    conn: &mut SqliteConnection,
    filter: &ListFilter,
) -> Result<Vec<Conversation>, sqlx::Error> {
    let mut sql = format!("SELECT {CONVERSATION_COLUMNS} FROM conversations c WHERE 1 = 1");
    if let Some(statuses) = &filter.statuses {
        let list: Vec<String> = statuses
            .iter()
            .map(|s| format!("'{}'", s.as_str()))
            .collect();
        sql.push_str(&format!(" AND status IN ({})", list.join(",")));
    }
    let agent_present = "EXISTS (SELECT 1 FROM participants p WHERE p.conversation_id = c.id
        AND p.agent_id IS NOT NULL AND p.left_at IS NULL";
    if filter.with_agent.is_some() {
        sql.push_str(&format!(" AND {agent_present} AND p.agent_id = ?)"));
    }
    if filter.without_agent {
        sql.push_str(&format!(" AND NOT {agent_present})"));
    }
    sql.push_str(" ORDER BY created_at, id");
    let mut query = sqlx::query(&sql);
    if let Some(agent) = &filter.with_agent {
        query = query.bind(agent);
    }
    let rows = query.fetch_all(&mut *conn).await?;
    let mut conversations = Vec::with_capacity(rows.len());
    for row in &rows {
        let mut conversation = conversation_from_row(row)?;
        load_participants(conn, &mut conversation).await?;
        conversations.push(conversation);
    }
    Ok(conversations)
}

/// An event about to be appended; the store gives it its index.
pub struct NewEvent {
    pub event_type: EventType,
    pub from: Party,
    pub text: Option<String>,
    pub message_type: Option<String>,
    pub user_data: Option<Map<String, Value>>,
}

/// Appends events to the transcript, numbering them from `conversation.next_index`.
pub async fn append_events(
    conn: &mut SqliteConnection,
    conversation: &mut Conversation,
    events: Vec<NewEvent>,
    now: i64,
) -> Result<Vec<TranscriptEvent>, sqlx::Error> {
    let mut appended = Vec::with_capacity(events.len());
    for event in events {
        let index = conversation.next_index;
        sqlx::query(
            "INSERT INTO transcript_events (conversation_id, idx, event_type, participant_id,
                party_type, nickname, text, message_type, user_data, utc_time)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(&conversation.id)
        .bind(index as i64)
        .bind(event.event_type.as_str())
        .bind(event.from.participant_id)
        .bind(event.from.party_type.as_str())
        .bind(&event.from.nickname)
        .bind(&event.text)
        .bind(&event.message_type)
        .bind(
            event
                .user_data
                .as_ref()
                .map(|data| Value::Object(data.clone()).to_string()),
        )
        .bind(now)
        .execute(&mut *conn)
        .await?;
        conversation.next_index += 1;
        appended.push(TranscriptEvent {
            from: event.from,
            index,
            event_type: event.event_type,
            text: event.text,
            message_type: event.message_type,
            user_data: event.user_data,
            utc_time: now,
        });
    }
    Ok(appended)
}

/// The transcript from `from_index` (1-based, inclusive) on.
pub async fn events_from(
    conn: &mut SqliteConnection,
    chat_id: &str,
    from_index: u64,
) -> Result<Vec<TranscriptEvent>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT idx, event_type, participant_id, party_type, nickname, text, message_type,
            user_data, utc_time
         FROM transcript_events WHERE conversation_id = ? AND idx >= ? ORDER BY idx",
    )
    .bind(chat_id)
    .bind(from_index.min(i64::MAX as u64) as i64)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|row| {
            let event_type: String = row.try_get("event_type")?;
            let party_type: String = row.try_get("party_type")?;
            let user_data: Option<String> = row.try_get("user_data")?;
            Ok(TranscriptEvent {
                from: Party {
                    nickname: row.try_get("nickname")?,
                    participant_id: row.try_get("participant_id")?,
                    party_type: PartyType::parse(&party_type).unwrap_or(PartyType::External),
                },
                index: row.try_get::<i64, _>("idx")? as u64,
                event_type: EventType::parse(&event_type).unwrap_or(EventType::CustomNotice),
                text: row.try_get("text")?,
                message_type: row.try_get("message_type")?,
                user_data: user_data.and_then(|text| match serde_json::from_str(&text) {
                    Ok(Value::Object(map)) => Some(map),
                    _ => None,
                }),
                utc_time: row.try_get("utc_time")?,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The configured durability reaches every connection of the pool (`PRAGMA synchronous`:
    /// 1 = NORMAL, 2 = FULL), and the database is in WAL mode.
    #[tokio::test]
    async fn the_synchronous_setting_reaches_the_connections() {
        let dir = tempfile::tempdir().unwrap();
        for (setting, expected) in [(Synchronous::Normal, 1), (Synchronous::Full, 2)] {
            let path = dir.path().join(format!("{setting:?}.db"));
            let pool = open_with(path.to_str().unwrap(), setting).await.unwrap();
            // More connections than one, so that a per-connection setting is seen on several.
            let (mut a, mut b) = (pool.acquire().await.unwrap(), pool.acquire().await.unwrap());
            for connection in [&mut a, &mut b] {
                let level: i64 = sqlx::query_scalar("PRAGMA synchronous")
                    .fetch_one(&mut **connection)
                    .await
                    .unwrap();
                assert_eq!(level, expected, "{setting:?}");
                let mode: String = sqlx::query_scalar("PRAGMA journal_mode")
                    .fetch_one(&mut **connection)
                    .await
                    .unwrap();
                assert_eq!(mode, "wal");
            }
        }
    }
}
