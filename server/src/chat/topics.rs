//! Chat topics: the chat services customers can request chats on (GMS `{serviceName}`),
//! which the CRM view shows as SuperOffice `ChatTopic` records.
//!
//! The services given with `--service` are the topics that exist at start (created the first
//! time topics are needed, when missing). A topic created over the API becomes a service as
//! well: its service name is a slug of its name, fixed at creation, so that renaming a topic
//! never moves the customers chatting on it.

use serde_json::{Map, Value};
use sqlx::sqlite::SqliteRow;
use sqlx::{Row, SqliteConnection};

use super::error::ChatError;
use super::service::{check_name, now_ms, ChatService};

/// A chat topic.
#[derive(Debug, Clone, PartialEq)]
pub struct Topic {
    /// SuperOffice `ChatTopicId`.
    pub id: i64,
    /// The GMS service name customers use (`/genesys/2/chat/{service}`, `/service/chatV2/{service}`).
    pub service: String,
    pub name: String,
    /// The other `ChatTopicEntity` properties, keyed by property name.
    pub settings: Map<String, Value>,
    pub created_at: i64,
    pub updated_at: i64,
}

fn topic_from_row(row: &SqliteRow) -> Result<Topic, sqlx::Error> {
    let settings: String = row.try_get("settings")?;
    Ok(Topic {
        id: row.try_get("id")?,
        service: row.try_get("service")?,
        name: row.try_get("name")?,
        settings: match serde_json::from_str(&settings) {
            Ok(Value::Object(map)) => map,
            _ => Map::new(),
        },
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

const TOPIC_COLUMNS: &str = "id, service, name, settings, created_at, updated_at";

async fn load_by_service(
    conn: &mut SqliteConnection,
    service: &str,
) -> Result<Option<Topic>, sqlx::Error> {
    let sql = format!("SELECT {TOPIC_COLUMNS} FROM chat_topics WHERE service = ?");
    sqlx::query(&sql)
        .bind(service)
        .fetch_optional(conn)
        .await?
        .as_ref()
        .map(topic_from_row)
        .transpose()
}

async fn load(conn: &mut SqliteConnection, id: i64) -> Result<Option<Topic>, sqlx::Error> {
    let sql = format!("SELECT {TOPIC_COLUMNS} FROM chat_topics WHERE id = ?");
    sqlx::query(&sql)
        .bind(id)
        .fetch_optional(conn)
        .await?
        .as_ref()
        .map(topic_from_row)
        .transpose()
}

async fn insert(
    conn: &mut SqliteConnection,
    service: &str,
    name: &str,
    settings: &Map<String, Value>,
    now: i64,
) -> Result<i64, sqlx::Error> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO chat_topics (service, name, settings, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(service)
    .bind(name)
    .bind(Value::Object(settings.clone()).to_string())
    .bind(now)
    .bind(now)
    .fetch_one(conn)
    .await?;
    Ok(id)
}

/// The service name a new topic called `name` gets: lower-case letters, digits and `-`.
pub fn service_slug(name: &str) -> String {
    let mut slug = String::new();
    for c in name.trim().chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() || c == '_' || c == '.' {
            slug.push(c);
        } else if !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
    }
    let slug = slug.trim_end_matches('-').to_owned();
    if slug.is_empty() {
        "topic".to_owned()
    } else {
        slug
    }
}

impl ChatService {
    /// Creates the configured services as topics when they are missing (once per process).
    pub async fn seed_topics(&self) -> Result<(), ChatError> {
        self.topics_seeded
            .get_or_try_init(|| async {
                let _guard = self.write_lock.lock().await;
                let mut tx = self.pool().begin().await?;
                let now = now_ms();
                for service in self.services() {
                    if load_by_service(&mut tx, service).await?.is_none() {
                        insert(&mut tx, service, service, &Map::new(), now).await?;
                    }
                }
                tx.commit().await?;
                Ok::<(), ChatError>(())
            })
            .await?;
        Ok(())
    }

    /// The topic customers reach as `service`.
    pub async fn topic_by_service(&self, service: &str) -> Result<Option<Topic>, ChatError> {
        self.seed_topics().await?;
        let mut conn = self.pool().acquire().await?;
        Ok(load_by_service(&mut conn, service).await?)
    }

    pub async fn topic(&self, id: i64) -> Result<Topic, ChatError> {
        self.seed_topics().await?;
        let mut conn = self.pool().acquire().await?;
        load(&mut conn, id)
            .await?
            .ok_or(ChatError::UnknownTopic(id))
    }

    /// Every topic, by id.
    pub async fn topics(&self) -> Result<Vec<Topic>, ChatError> {
        self.seed_topics().await?;
        let mut conn = self.pool().acquire().await?;
        let sql = format!("SELECT {TOPIC_COLUMNS} FROM chat_topics ORDER BY id");
        let rows = sqlx::query(&sql).fetch_all(&mut *conn).await?;
        Ok(rows.iter().map(topic_from_row).collect::<Result<_, _>>()?)
    }

    /// Creates a topic; from now on customers can request chats on its service.
    pub async fn create_topic(
        &self,
        name: &str,
        settings: Map<String, Value>,
    ) -> Result<Topic, ChatError> {
        let name = checked_topic_name(name)?;
        self.seed_topics().await?;
        let _guard = self.write_lock.lock().await;
        let mut tx = self.pool().begin().await?;
        let base = service_slug(&name);
        let mut service = base.clone();
        let mut n = 1;
        while load_by_service(&mut tx, &service).await?.is_some() {
            n += 1;
            service = format!("{base}-{n}");
        }
        let id = insert(&mut tx, &service, &name, &settings, now_ms()).await?;
        let topic = load(&mut tx, id)
            .await?
            .ok_or(ChatError::UnknownTopic(id))?;
        tx.commit().await?;
        Ok(topic)
    }

    /// Renames a topic and replaces its settings (its service name stays).
    pub async fn update_topic(
        &self,
        id: i64,
        name: &str,
        settings: Map<String, Value>,
    ) -> Result<Topic, ChatError> {
        let name = checked_topic_name(name)?;
        self.seed_topics().await?;
        let _guard = self.write_lock.lock().await;
        let mut tx = self.pool().begin().await?;
        let done = sqlx::query(
            "UPDATE chat_topics SET name = ?, settings = ?, updated_at = ? WHERE id = ?",
        )
        .bind(&name)
        .bind(Value::Object(settings).to_string())
        .bind(now_ms())
        .bind(id)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(ChatError::UnknownTopic(id));
        }
        let topic = load(&mut tx, id)
            .await?
            .ok_or(ChatError::UnknownTopic(id))?;
        tx.commit().await?;
        Ok(topic)
    }

    /// Deletes a topic: customers can no longer request chats on it. Refused while a
    /// conversation on it has not ended.
    pub async fn delete_topic(&self, id: i64) -> Result<(), ChatError> {
        self.seed_topics().await?;
        let _guard = self.write_lock.lock().await;
        let mut tx = self.pool().begin().await?;
        let topic = load(&mut tx, id)
            .await?
            .ok_or(ChatError::UnknownTopic(id))?;
        let open: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM conversations WHERE service = ? AND ended_at IS NULL",
        )
        .bind(&topic.service)
        .fetch_one(&mut *tx)
        .await?;
        if open > 0 {
            return Err(ChatError::Conflict(format!(
                "chat topic {id} has {open} conversation(s) that have not ended"
            )));
        }
        sqlx::query("DELETE FROM chat_topics WHERE id = ?")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }
}

fn checked_topic_name(name: &str) -> Result<String, ChatError> {
    let name = name.trim();
    if name.is_empty() {
        return Err(ChatError::MissingParameter("Name"));
    }
    check_name("Name", name)?;
    Ok(name.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chat::store;

    #[test]
    fn slugs_are_url_safe() {
        assert_eq!(service_slug("Sales support"), "sales-support");
        assert_eq!(
            service_slug("  Runte, Yost & Schmeler "),
            "runte-yost-schmeler"
        );
        assert_eq!(service_slug("customer-support"), "customer-support");
        assert_eq!(service_slug("!!!"), "topic");
        assert_eq!(service_slug("Ærlig"), "rlig");
    }

    #[tokio::test]
    async fn configured_services_are_topics_and_new_topics_are_services() {
        let pool = store::open("sqlite::memory:").await.unwrap();
        let chat = ChatService::new(pool, vec!["customer-support".into()]);
        let topics = chat.topics().await.unwrap();
        assert_eq!(topics.len(), 1);
        assert_eq!(topics[0].service, "customer-support");
        assert!(chat.topic_by_service("sales").await.unwrap().is_none());
        let sales = chat.create_topic("Sales", Map::new()).await.unwrap();
        assert_eq!(sales.service, "sales");
        let again = chat.create_topic("sales", Map::new()).await.unwrap();
        assert_eq!(again.service, "sales-2");
        let renamed = chat
            .update_topic(sales.id, "Sales & more", Map::new())
            .await
            .unwrap();
        assert_eq!(renamed.service, "sales");
        assert_eq!(renamed.name, "Sales & more");
        chat.delete_topic(again.id).await.unwrap();
        assert!(matches!(
            chat.topic(again.id).await,
            Err(ChatError::UnknownTopic(_))
        ));
        assert!(matches!(
            chat.create_topic("  ", Map::new()).await,
            Err(ChatError::MissingParameter("Name"))
        ));
    }
}
