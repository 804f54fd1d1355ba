//! `ChatTopicEntity`: a chat topic, which is a chat service customers request chats on.
//!
//! `ChatTopicId` and `Name` are columns; `LastAccept` and `SecondsPrAccept` are derived from
//! the topic's conversations; every other property is kept as given.

use serde_json::{json, Map, Value};

use super::dates::DateStyle;
use super::fields::{field_properties, table_right, FieldSpec, Kind};
use crate::chat::topics::Topic;

const fn field(
    name: &'static str,
    kind: Kind,
    writable: bool,
    description: &'static str,
) -> FieldSpec {
    FieldSpec {
        name,
        kind,
        writable,
        length: 0,
        description,
    }
}

/// The properties of `ChatTopicEntity`, in SuperOffice's order.
pub static TOPIC_FIELDS: [FieldSpec; 20] = [
    field("ChatTopicId", Kind::Int, false, "The primary key (auto-incremented)"),
    field("Name", Kind::Text, true, "The name of this chat topic"),
    field("Description", Kind::Text, true, "The description of this topic"),
    field("WelcomeMessage", Kind::Text, true, "The welcome message sent to the customer when the chat session starts"),
    field("Language", Kind::Object, true, "Customer language used in this topic, kept as given"),
    field("LastAccept", Kind::Date, false, "The last time an agent joined a session of this topic"),
    field("SecondsPrAccept", Kind::Int, false, "The average number of seconds from request to the first agent joining"),
    field("AlertRecipient", Kind::Text, true, "The recipient(s) for the alert template"),
    field("AlertTemplate", Kind::Object, true, "Template to use for alerts, kept as given"),
    field("Flags", Kind::Text, true, "Alert by e-mail, popup, etc."),
    field("BadgeHeader", Kind::Text, true, "The badge header of the chat topic"),
    field("CustomQueueText", Kind::Text, true, "A text for the queue message in the chat widget"),
    field("WarnNewChatSeconds", Kind::Int, true, "The user notify time in seconds"),
    field("WarnManagerNewChatSeconds", Kind::Int, true, "The manager notify time in seconds"),
    field("TicketEnabled", Kind::Bool, true, "Enable ticket submission in offline mode"),
    field("TicketCategory", Kind::Object, true, "Category on ticket created from off-line request"),
    field("TicketPriority", Kind::Object, true, "Priority on ticket created from off-line request"),
    field("OpeningHoursEnabled", Kind::Bool, true, "Whether to use opening hours (IsOpen)"),
    field("OpeningHours", Kind::Object, true, "Opening hours: MonEnabled, MonStart, MonStop … SunStop; the times of day of Start and Stop count, in the SO-TimeZone of the IsOpen request"),
    field("Widget", Kind::Object, true, "Settings for the chat widget, kept as given"),
];

/// Facts about a topic's conversations.
#[derive(Debug, Clone, Copy, Default)]
pub struct TopicStats {
    pub last_accept: Option<i64>,
    pub seconds_per_accept: i64,
}

/// Renders a topic.
pub fn render(topic: &Topic, stats: TopicStats, dates: &DateStyle, base_url: &str) -> Value {
    let mut entity = Map::new();
    for field in &TOPIC_FIELDS {
        let value = match field.name {
            "ChatTopicId" => json!(topic.id),
            "Name" => json!(topic.name),
            "LastAccept" => stats
                .last_accept
                .map(|ms| json!(dates.format(ms)))
                .unwrap_or(Value::Null),
            "SecondsPrAccept" => json!(stats.seconds_per_accept),
            name => match (topic.settings.get(name), field.kind) {
                (Some(value), _) if !value.is_null() => value.clone(),
                (_, Kind::Int) => json!(0),
                (_, Kind::Bool) => json!(false),
                _ => Value::Null,
            },
        };
        entity.insert(field.name.to_owned(), value);
    }
    entity.insert("TableRight".into(), table_right());
    entity.insert("FieldProperties".into(), field_properties(&TOPIC_FIELDS));
    entity.insert(
        "_Links".into(),
        json!({
            "Self": format!("{base_url}/api/v1/ChatTopic/{}", topic.id),
            "Archive": format!("{base_url}/api/v1/ChatTopic"),
            "Sessions": format!("{base_url}/api/v1/ChatTopic/{}/Sessions", topic.id),
            "GmsChat": format!("{base_url}/genesys/2/chat/{}", topic.service),
        }),
    );
    Value::Object(entity)
}

/// `GET /api/v1/ChatTopic/default`.
pub fn default_entity(base_url: &str) -> Value {
    let topic = Topic {
        id: 0,
        service: String::new(),
        name: String::new(),
        settings: Map::new(),
        created_at: 0,
        updated_at: 0,
    };
    let mut entity = render(
        &topic,
        TopicStats::default(),
        &DateStyle::default(),
        base_url,
    );
    entity["Name"] = Value::Null;
    entity["_Links"] = json!({"Archive": format!("{base_url}/api/v1/ChatTopic")});
    entity
}

/// Whether a topic is open at `now_ms`: always, unless `OpeningHoursEnabled`; then the day's
/// `…Enabled` flag and the times of day of `…Start` and `…Stop`, in `dates`' zone.
pub fn is_open(topic: &Topic, now_ms: i64, dates: &DateStyle) -> bool {
    if topic.settings.get("OpeningHoursEnabled") != Some(&Value::Bool(true)) {
        return true;
    }
    let Some(Value::Object(hours)) = topic.settings.get("OpeningHours") else {
        return true;
    };
    let (weekday, minute) = dates.weekday_and_minute(now_ms);
    let day = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"][(weekday as usize).clamp(1, 7) - 1];
    let get = |suffix: &str| {
        hours
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(&format!("{day}{suffix}")))
            .map(|(_, value)| value)
    };
    if get("Enabled") != Some(&Value::Bool(true)) {
        return false;
    }
    let time_of_day = |value: Option<&Value>| -> Option<i32> {
        let text = value?.as_str()?;
        let clock = text.split_once('T').map_or(text, |(_, clock)| clock);
        let mut parts = clock.split(':');
        let hour: i32 = parts.next()?.trim().parse().ok()?;
        let minute: i32 = parts.next()?.get(..2)?.parse().ok()?;
        Some(hour * 60 + minute)
    };
    match (time_of_day(get("Start")), time_of_day(get("Stop"))) {
        (Some(start), Some(stop)) if start <= stop => (start..stop).contains(&minute),
        (Some(start), Some(stop)) => minute >= start || minute < stop,
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn topic(settings: Value) -> Topic {
        Topic {
            id: 1,
            service: "s".into(),
            name: "S".into(),
            settings: match settings {
                Value::Object(map) => map,
                _ => Map::new(),
            },
            created_at: 0,
            updated_at: 0,
        }
    }

    #[test]
    fn opening_hours_decide_is_open() {
        let dates = DateStyle::default();
        // Monday 24 December 2018, 12:34 UTC.
        let monday_noon = 1_545_654_885_000;
        assert!(is_open(&topic(json!({})), monday_noon, &dates));
        let hours = |enabled: bool, start: &str, stop: &str| {
            topic(json!({"OpeningHoursEnabled": true, "OpeningHours": {
                "MonEnabled": enabled, "MonStart": start, "MonStop": stop}}))
        };
        assert!(is_open(
            &hours(true, "2009-03-02T09:00:00", "2010-07-19T17:00:00"),
            monday_noon,
            &dates
        ));
        assert!(!is_open(
            &hours(true, "2009-03-02T13:00:00", "2010-07-19T17:00:00"),
            monday_noon,
            &dates
        ));
        assert!(!is_open(
            &hours(false, "2009-03-02T09:00:00", "2010-07-19T17:00:00"),
            monday_noon,
            &dates
        ));
        let ny = DateStyle::from_header(Some("US-NY")).unwrap();
        // 07:34 in New York.
        assert!(!is_open(
            &hours(true, "2009-03-02T09:00:00", "2010-07-19T17:00:00"),
            monday_noon,
            &ny
        ));
    }

    #[test]
    fn topics_render_with_every_property() {
        let entity = render(
            &topic(json!({"Description": "d", "TicketEnabled": true})),
            TopicStats::default(),
            &DateStyle::default(),
            "http://h",
        );
        assert_eq!(entity["ChatTopicId"], 1);
        assert_eq!(entity["Description"], "d");
        assert_eq!(entity["TicketEnabled"], true);
        assert_eq!(entity["WarnNewChatSeconds"], 0);
        assert_eq!(entity["Language"], Value::Null);
        assert_eq!(entity["_Links"]["GmsChat"], "http://h/genesys/2/chat/s");
        assert_eq!(entity.as_object().unwrap().len(), TOPIC_FIELDS.len() + 3);
    }
}
