//! The attributes of `msdyn_ocliveworkitem` this server has, described once: each is an SQL
//! expression over the one conversation record (`conversations c`), so a value is computed
//! the same way whether it is shown, filtered on or sorted by. The table gives the JSON
//! records, the OpenAPI schema, and what `$select`, `$filter` and `$orderby` accept.
//!
//! `$filter` (the SDK's parser, [`hotline::core::odata::Expr`]) is compiled to SQL whose values
//! are all bind parameters, with the comparison rules of the SDK's evaluator
//! ([`hotline::core::odata::eval`]): `eq null` holds for null, `ne` is always "not `eq`", any
//! other comparison with null is false; strings compare case-sensitively, a GUID literal in any
//! case. Values of different types are refused (400), as Dataverse does.

use hotline::core::json::Json;
use hotline::core::odata::{format_datetime, parse_datetime, CmpOp, Expr, Literal, Operand};
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};
use sqlx::sqlite::SqliteRow;
use sqlx::Row;

use crate::chat::Lifecycle;
use crate::sql::Bind;

/// The entity's logical name.
pub const ENTITY: &str = "msdyn_ocliveworkitem";
/// Its entity set.
pub const ENTITY_SET: &str = "msdyn_ocliveworkitems";
/// The key attribute (= GMS chatId = SuperOffice ChatSessionId's conversation).
pub const KEY: &str = "msdyn_ocliveworkitemid";
/// `msdyn_channel` of every conversation: live chat.
pub const LIVE_CHAT_CHANNEL: i64 = 192_360_000;

const FORMATTED: &str = "@OData.Community.Display.V1.FormattedValue";
const LOOKUP_ENTITY: &str = "@Microsoft.Dynamics.CRM.lookuplogicalname";

/// The type of an attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Text,
    Int,
    /// Stored as ms since the epoch (truncated to whole seconds, as Dataverse keeps them);
    /// shown as ISO 8601 UTC.
    DateTime,
    Bool,
}

impl Kind {
    /// The EDM type, as OData error messages name it.
    pub fn edm(self) -> &'static str {
        match self {
            Kind::Text => "Edm.String",
            Kind::Int => "Edm.Int32",
            Kind::DateTime => "Edm.DateTimeOffset",
            Kind::Bool => "Edm.Boolean",
        }
    }

    fn schema(self) -> Value {
        match self {
            Kind::Text => json!({"type": "string", "nullable": true}),
            Kind::Int => json!({"type": "integer", "format": "int32", "nullable": true}),
            Kind::DateTime => json!({"type": "string", "format": "date-time", "nullable": true}),
            Kind::Bool => json!({"type": "boolean", "nullable": true}),
        }
    }
}

/// Where a value comes from.
#[derive(Debug, Clone, Copy)]
pub enum Source {
    /// An SQL expression over `conversations c`.
    Sql(&'static str),
    /// `statuscode`, from [`Lifecycle::omnichannel_statuscode`].
    StatusCode,
    /// `statecode`, from [`Lifecycle::omnichannel_statecode`].
    StateCode,
    /// The workstream id of the conversation's chat service ([`workstream_id`]).
    Workstream,
}

/// What `@OData.Community.Display.V1.FormattedValue` shows.
#[derive(Debug, Clone, Copy)]
pub enum Formatted {
    None,
    /// The label of an option value.
    Label(fn(i64) -> Option<&'static str>),
    /// An SQL expression.
    Sql(&'static str),
}

/// The entity a lookup points to (`@Microsoft.Dynamics.CRM.lookuplogicalname`).
#[derive(Debug, Clone, Copy)]
pub enum Lookup {
    None,
    Entity(&'static str),
    /// An SQL expression (a customer is a contact or an account).
    Sql(&'static str),
}

/// One attribute.
#[derive(Debug, Clone, Copy)]
pub struct Attribute {
    /// The Dataverse Web API name (lookups as `_x_value`).
    pub name: &'static str,
    /// Another name accepted in queries; the record then shows the value under that name
    /// (lookups by their logical name, as `Microsoft.Omnichannel.getConversations` writes them).
    pub alias: Option<&'static str>,
    pub kind: Kind,
    pub source: Source,
    pub formatted: Formatted,
    pub lookup: Lookup,
    /// What `$orderby` sorts by when it is not the value: date-times by the instant to the
    /// millisecond (the value is in whole seconds), so that newer comes after older.
    pub sort: Option<&'static str>,
    pub description: &'static str,
}

impl Attribute {
    /// Whether `name` names this attribute (exactly: Web API names are case-sensitive).
    pub fn is_named(&self, name: &str) -> bool {
        self.name == name || self.alias == Some(name)
    }
}

/// An expression over the active agent's participant row `p`.
macro_rules! active_agent {
    ($expression:literal) => {
        concat!(
            "(SELECT ",
            $expression,
            " FROM participants p WHERE p.conversation_id = c.id AND p.agent_id IS NOT NULL \
             AND (p.left_at IS NULL OR c.status = 'closed') \
             ORDER BY p.left_at IS NULL DESC, p.participant_id DESC LIMIT 1)"
        )
    };
}

const AGENT_EVER_JOINED: &str = "EXISTS (SELECT 1 FROM participants p \
    WHERE p.conversation_id = c.id AND p.agent_id IS NOT NULL)";

fn status_label(code: i64) -> Option<&'static str> {
    Lifecycle::ALL
        .into_iter()
        .find(|status| i64::from(status.omnichannel_statuscode()) == code)
        .map(Lifecycle::omnichannel_status_label)
}

fn state_label(code: i64) -> Option<&'static str> {
    match code {
        0 => Some("Open"),
        1 => Some("Closed"),
        _ => None,
    }
}

fn channel_label(code: i64) -> Option<&'static str> {
    (code == LIVE_CHAT_CHANNEL).then_some("Live chat")
}

/// Every attribute, in the order a whole record shows them.
pub const ATTRIBUTES: &[Attribute] = &[
    Attribute {
        name: KEY,
        alias: None,
        kind: Kind::Text,
        source: Source::Sql("c.id"),
        formatted: Formatted::None,
        lookup: Lookup::None,
        sort: None,
        description: "The conversation id: the GMS chatId (every record has it)",
    },
    Attribute {
        name: "msdyn_title",
        alias: None,
        kind: Kind::Text,
        source: Source::Sql(
            "(CASE WHEN trim(COALESCE(c.subject, '')) = '' THEN c.nickname \
             ELSE c.nickname || ': ' || c.subject END)",
        ),
        formatted: Formatted::None,
        lookup: Lookup::None,
        sort: None,
        description: "The customer's nickname, and the subject when there is one",
    },
    Attribute {
        name: "subject",
        alias: None,
        kind: Kind::Text,
        source: Source::Sql("c.subject"),
        formatted: Formatted::None,
        lookup: Lookup::None,
        sort: None,
        description: "The subject the customer gave (GMS subject)",
    },
    Attribute {
        name: "statuscode",
        alias: None,
        kind: Kind::Int,
        source: Source::StatusCode,
        formatted: Formatted::Label(status_label),
        lookup: Lookup::None,
        sort: None,
        description: "1 Open (queued), 2 Active, 3 Waiting (customer gone), 4 Closed, 5 Wrap-up",
    },
    Attribute {
        name: "statecode",
        alias: None,
        kind: Kind::Int,
        source: Source::StateCode,
        formatted: Formatted::Label(state_label),
        lookup: Lookup::None,
        sort: None,
        description: "0 Open (statuscode 1, 2, 3, 5), 1 Closed (statuscode 4)",
    },
    Attribute {
        name: "createdon",
        alias: None,
        kind: Kind::DateTime,
        source: Source::Sql("((c.created_at / 1000) * 1000)"),
        formatted: Formatted::None,
        lookup: Lookup::None,
        sort: Some("c.created_at"),
        description: "When the customer requested the chat (UTC)",
    },
    Attribute {
        name: "modifiedon",
        alias: None,
        kind: Kind::DateTime,
        source: Source::Sql("((c.updated_at / 1000) * 1000)"),
        formatted: Formatted::None,
        lookup: Lookup::None,
        sort: Some("c.updated_at"),
        description: "When the conversation last changed (UTC)",
    },
    Attribute {
        name: "msdyn_closedon",
        alias: None,
        kind: Kind::DateTime,
        source: Source::Sql("((c.ended_at / 1000) * 1000)"),
        formatted: Formatted::None,
        lookup: Lookup::None,
        sort: Some("c.ended_at"),
        description: "When the conversation ended (UTC); null while it has not",
    },
    Attribute {
        name: "msdyn_channel",
        alias: None,
        kind: Kind::Int,
        // Not a bare number: ORDER BY would read that as a column position.
        source: Source::Sql("CAST(192360000 AS INTEGER)"),
        formatted: Formatted::Label(channel_label),
        lookup: Lookup::None,
        sort: None,
        description: "192360000 Live chat",
    },
    Attribute {
        name: "msdyn_liveworkstreamid",
        alias: Some("_msdyn_liveworkstreamid_value"),
        kind: Kind::Text,
        source: Source::Workstream,
        formatted: Formatted::Sql("(SELECT t.name FROM chat_topics t WHERE t.service = c.service)"),
        lookup: Lookup::Entity("msdyn_liveworkstream"),
        sort: None,
        description: "The workstream: a stable GUID per chat service (GMS serviceName); \
                      the formatted value is the chat topic's name",
    },
    Attribute {
        name: "msdyn_lastsessionid",
        alias: Some("_msdyn_lastsessionid_value"),
        kind: Kind::Text,
        source: Source::Sql(
            "(SELECT c.id || '-' || MAX(p.participant_id) FROM participants p \
             WHERE p.conversation_id = c.id AND p.agent_id IS NOT NULL)",
        ),
        formatted: Formatted::None,
        lookup: Lookup::Entity("msdyn_ocsession"),
        sort: None,
        description: "The latest agent session: {chatId}-{participantId} of the agent who \
                      joined last; null before any agent has",
    },
    Attribute {
        name: "_msdyn_activeagentid_value",
        alias: Some("msdyn_activeagentid"),
        kind: Kind::Text,
        source: Source::Sql(active_agent!("p.agent_id")),
        formatted: Formatted::Sql(active_agent!("p.nickname")),
        lookup: Lookup::Entity("systemuser"),
        sort: None,
        description: "The agent in the conversation (agent id = account name); for a closed \
                      conversation the agent who was in it last; null in the queue",
    },
    Attribute {
        name: "msdyn_activeagentassignedon",
        alias: None,
        kind: Kind::DateTime,
        source: Source::Sql(active_agent!("((p.joined_at / 1000) * 1000)")),
        formatted: Formatted::None,
        lookup: Lookup::None,
        sort: Some(active_agent!("p.joined_at")),
        description: "When the active agent joined (UTC)",
    },
    Attribute {
        name: "msdyn_isagentaccepted",
        alias: None,
        kind: Kind::Bool,
        source: Source::Sql(AGENT_EVER_JOINED),
        formatted: Formatted::None,
        lookup: Lookup::None,
        sort: None,
        description: "Whether an agent has ever joined",
    },
    Attribute {
        name: "msdyn_isabandoned",
        alias: None,
        kind: Kind::Bool,
        source: Source::Sql(
            "(c.ended_at IS NOT NULL AND NOT EXISTS (SELECT 1 FROM participants p \
             WHERE p.conversation_id = c.id AND p.agent_id IS NOT NULL))",
        ),
        formatted: Formatted::None,
        lookup: Lookup::None,
        sort: None,
        description: "Whether the conversation ended before any agent joined",
    },
    Attribute {
        name: "_msdyn_customer_value",
        alias: Some("msdyn_customer"),
        kind: Kind::Text,
        source: Source::Sql("c.link_customer_id"),
        formatted: Formatted::Sql("c.link_customer_name"),
        lookup: Lookup::Sql("c.link_customer_entity"),
        sort: None,
        description: "The linked customer: a contact or an account (POST \
                      /api/v1/conversations/{chat_id}/links)",
    },
    Attribute {
        name: "_msdyn_issueid_value",
        alias: Some("msdyn_issueid"),
        kind: Kind::Text,
        source: Source::Sql("c.link_case_id"),
        formatted: Formatted::Sql("c.link_case_name"),
        lookup: Lookup::Entity("incident"),
        sort: None,
        description: "The linked case (incident)",
    },
];

/// The attribute `name` names (its Web API name or its alias).
pub fn find(name: &str) -> Option<&'static Attribute> {
    ATTRIBUTES.iter().find(|attribute| attribute.is_named(name))
}

/// The stable workstream GUID of a chat service: derived from its name (SHA-256, as a version 8
/// UUID), so it is the same on every server and after every restart.
pub fn workstream_id(service: &str) -> String {
    let digest = Sha256::digest(format!("hotline workstream\n{service}").as_bytes());
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    bytes[6] = (bytes[6] & 0x0f) | 0x80;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

/// Why a query cannot run (a 400 in Dataverse's words).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryError(pub String);

fn unknown(name: &str) -> QueryError {
    QueryError(format!(
        "Could not find a property named '{name}' on type 'Microsoft.Dynamics.CRM.{ENTITY}'."
    ))
}

/// The attribute `name` names, or the Dataverse error for an unknown property.
pub fn resolve(name: &str) -> Result<&'static Attribute, QueryError> {
    find(name).ok_or_else(|| unknown(name))
}

fn operator_kind(op: CmpOp) -> &'static str {
    match op {
        CmpOp::Eq => "Equal",
        CmpOp::Ne => "NotEqual",
        CmpOp::Lt => "LessThan",
        CmpOp::Le => "LessThanOrEqual",
        CmpOp::Gt => "GreaterThan",
        CmpOp::Ge => "GreaterThanOrEqual",
    }
}

fn literal_edm(literal: &Literal) -> &'static str {
    match literal {
        Literal::Null => "null",
        Literal::Bool(_) => "Edm.Boolean",
        Literal::Number(n) if n.fract() == 0.0 => "Edm.Int32",
        Literal::Number(_) => "Edm.Decimal",
        Literal::String(_) => "Edm.String",
        Literal::Guid(_) => "Edm.Guid",
        Literal::DateTime(_) => "Edm.DateTimeOffset",
    }
}

fn incompatible(left: &str, right: &str, op: CmpOp) -> QueryError {
    QueryError(format!(
        "A binary operator with incompatible types was detected. Found operand types '{left}' \
         and '{right}' for operator kind '{}'.",
        operator_kind(op)
    ))
}

/// `a op b` as SQL that is always 0 or 1 (never NULL): `IS` for equality, so that null equals
/// null, and any ordering with a null side is false.
fn comparison_sql(a: &str, op: CmpOp, b: &str) -> String {
    match op {
        CmpOp::Eq => format!("({a} IS {b})"),
        CmpOp::Ne => format!("({a} IS NOT {b})"),
        CmpOp::Lt => format!("COALESCE({a} < {b}, 0)"),
        CmpOp::Le => format!("COALESCE({a} <= {b}, 0)"),
        CmpOp::Gt => format!("COALESCE({a} > {b}, 0)"),
        CmpOp::Ge => format!("COALESCE({a} >= {b}, 0)"),
    }
}

/// `b op a` for `a op' b`.
fn flipped(op: CmpOp) -> CmpOp {
    match op {
        CmpOp::Lt => CmpOp::Gt,
        CmpOp::Le => CmpOp::Ge,
        CmpOp::Gt => CmpOp::Lt,
        CmpOp::Ge => CmpOp::Le,
        other => other,
    }
}

fn number_bind(n: f64) -> Bind {
    if n.fract() == 0.0 && n.abs() < 9.0e15 {
        Bind::Int(n as i64)
    } else {
        Bind::Real(n)
    }
}

/// The SQL of the attributes for one request: it knows the chat services, to give each its
/// workstream id.
pub struct Columns {
    /// `(service, workstream id)`.
    workstreams: Vec<(String, String)>,
}

impl Columns {
    /// For conversations on these chat services.
    pub fn new(services: impl IntoIterator<Item = String>) -> Self {
        let mut workstreams: Vec<(String, String)> = Vec::new();
        for service in services {
            if !workstreams.iter().any(|(known, _)| *known == service) {
                let id = workstream_id(&service);
                workstreams.push((service, id));
            }
        }
        Self { workstreams }
    }

    /// The value of `attribute` as an SQL expression, with the values it binds.
    pub fn value(&self, attribute: &Attribute) -> (String, Vec<Bind>) {
        match attribute.source {
            Source::Sql(sql) => (sql.to_owned(), Vec::new()),
            Source::StatusCode | Source::StateCode => {
                let mut sql = String::from("(CASE c.status");
                for status in Lifecycle::ALL {
                    let code = match attribute.source {
                        Source::StatusCode => status.omnichannel_statuscode(),
                        _ => status.omnichannel_statecode(),
                    };
                    sql.push_str(&format!(" WHEN '{}' THEN {code}", status.as_str()));
                }
                sql.push_str(" END)");
                (sql, Vec::new())
            }
            Source::Workstream => {
                if self.workstreams.is_empty() {
                    return ("NULL".into(), Vec::new());
                }
                let mut sql = String::from("(CASE c.service");
                let mut binds = Vec::new();
                for (service, id) in &self.workstreams {
                    sql.push_str(" WHEN ? THEN ?");
                    binds.push(Bind::Text(service.clone()));
                    binds.push(Bind::Text(id.clone()));
                }
                sql.push_str(" END)");
                (sql, binds)
            }
        }
    }

    /// What `$orderby` sorts `attribute` by, with the values it binds.
    pub fn sort(&self, attribute: &Attribute) -> (String, Vec<Bind>) {
        match attribute.sort {
            Some(sql) => (sql.to_owned(), Vec::new()),
            None => self.value(attribute),
        }
    }

    /// SQL for a `$filter`, with its binds appended to `binds`.
    pub fn filter(&self, expr: &Expr, binds: &mut Vec<Bind>) -> Result<String, QueryError> {
        Ok(match expr {
            Expr::And(items) | Expr::Or(items) if items.is_empty() => {
                (if matches!(expr, Expr::And(_)) {
                    "1"
                } else {
                    "0"
                })
                .to_owned()
            }
            Expr::And(items) | Expr::Or(items) => {
                let joint = if matches!(expr, Expr::And(_)) {
                    " AND "
                } else {
                    " OR "
                };
                let parts = items
                    .iter()
                    .map(|item| self.filter(item, binds))
                    .collect::<Result<Vec<_>, _>>()?;
                format!("({})", parts.join(joint))
            }
            Expr::Not(inner) => format!("(NOT {})", self.filter(inner, binds)?),
            Expr::Compare { left, op, right } => match (left, right) {
                (Operand::Literal(_), Operand::Literal(_)) => {
                    // A constant, such as the `true eq true` the SDK writes for "everything":
                    // evaluated as the SDK does.
                    (if expr.matches(&Json::Null) { "1" } else { "0" }).to_owned()
                }
                (Operand::Property(name), Operand::Literal(literal)) => {
                    self.against_literal(name, *op, literal, binds)?
                }
                (Operand::Literal(literal), Operand::Property(name)) => {
                    self.against_literal(name, flipped(*op), literal, binds)?
                }
                (Operand::Property(a), Operand::Property(b)) => {
                    let (a, b) = (resolve(a)?, resolve(b)?);
                    if a.kind != b.kind {
                        return Err(incompatible(a.kind.edm(), b.kind.edm(), *op));
                    }
                    let (a_sql, a_binds) = self.value(a);
                    let (b_sql, b_binds) = self.value(b);
                    binds.extend(a_binds);
                    binds.extend(b_binds);
                    comparison_sql(&a_sql, *op, &b_sql)
                }
            },
        })
    }

    fn against_literal(
        &self,
        name: &str,
        op: CmpOp,
        literal: &Literal,
        binds: &mut Vec<Bind>,
    ) -> Result<String, QueryError> {
        let attribute = resolve(name)?;
        let (sql, column_binds) = self.value(attribute);
        if *literal == Literal::Null {
            binds.extend(column_binds);
            return Ok(match op {
                CmpOp::Eq => format!("({sql} IS NULL)"),
                CmpOp::Ne => format!("({sql} IS NOT NULL)"),
                // Nothing is ordered against null.
                _ => "0".to_owned(),
            });
        }
        let mismatch = || incompatible(attribute.kind.edm(), literal_edm(literal), op);
        let (bind, placeholder) = match (attribute.kind, literal) {
            (Kind::Text, Literal::String(text)) => (Bind::Text(text.clone()), "?"),
            (Kind::Text, Literal::Guid(guid)) => (Bind::Text(guid.clone()), "? COLLATE NOCASE"),
            (Kind::Int, Literal::Number(n)) => (number_bind(*n), "?"),
            (Kind::DateTime, Literal::DateTime(text) | Literal::String(text)) => {
                let ms = parse_datetime(text).ok_or_else(mismatch)?;
                (Bind::Int(ms.floor() as i64), "?")
            }
            (Kind::Bool, Literal::Bool(flag)) => (Bind::Int(i64::from(*flag)), "?"),
            _ => return Err(mismatch()),
        };
        binds.extend(column_binds);
        binds.push(bind);
        Ok(comparison_sql(&sql, op, placeholder))
    }
}

/// The columns a query reads for `selected` attributes: the SELECT list and its binds.
/// Column `v{i}` holds the value of `selected[i]`, `f{i}` its formatted value and `l{i}` the
/// entity of a lookup; `etag` the record's version.
pub fn select_list(columns: &Columns, selected: &[(String, &Attribute)]) -> (String, Vec<Bind>) {
    let mut list = String::from("c.updated_at AS etag");
    let mut binds = Vec::new();
    for (i, (_, attribute)) in selected.iter().enumerate() {
        let (sql, value_binds) = columns.value(attribute);
        list.push_str(&format!(", {sql} AS v{i}"));
        binds.extend(value_binds);
        if let Formatted::Sql(sql) = attribute.formatted {
            list.push_str(&format!(", {sql} AS f{i}"));
        }
        if let Lookup::Sql(sql) = attribute.lookup {
            list.push_str(&format!(", {sql} AS l{i}"));
        }
    }
    (list, binds)
}

/// A record from a row of [`select_list`]: each attribute under the name it was selected by,
/// with its annotations.
pub fn render(row: &SqliteRow, selected: &[(String, &Attribute)]) -> Result<Value, sqlx::Error> {
    let mut record = Map::new();
    let version: i64 = row.try_get("etag")?;
    record.insert("@odata.etag".into(), json!(format!("W/\"{version}\"")));
    for (i, (key, attribute)) in selected.iter().enumerate() {
        let column = format!("v{i}");
        let (value, number) = match attribute.kind {
            Kind::Text => (
                row.try_get::<Option<String>, _>(column.as_str())?
                    .map_or(Value::Null, Value::String),
                None,
            ),
            Kind::Int => {
                let n: Option<i64> = row.try_get(column.as_str())?;
                (n.map_or(Value::Null, |n| json!(n)), n)
            }
            Kind::DateTime => (
                row.try_get::<Option<i64>, _>(column.as_str())?
                    .map_or(Value::Null, |ms| json!(format_datetime(ms as f64))),
                None,
            ),
            Kind::Bool => (
                row.try_get::<Option<i64>, _>(column.as_str())?
                    .map_or(Value::Null, |n| json!(n != 0)),
                None,
            ),
        };
        let present = !value.is_null();
        record.insert(key.clone(), value);
        if !present {
            continue;
        }
        let formatted = match attribute.formatted {
            Formatted::None => None,
            Formatted::Label(label) => number.and_then(label).map(str::to_owned),
            Formatted::Sql(_) => row.try_get::<Option<String>, _>(format!("f{i}").as_str())?,
        };
        if let Some(formatted) = formatted {
            record.insert(format!("{key}{FORMATTED}"), json!(formatted));
        }
        let entity = match attribute.lookup {
            Lookup::None => None,
            Lookup::Entity(entity) => Some(entity.to_owned()),
            Lookup::Sql(_) => row.try_get::<Option<String>, _>(format!("l{i}").as_str())?,
        };
        if let Some(entity) = entity {
            record.insert(format!("{key}{LOOKUP_ENTITY}"), json!(entity));
        }
    }
    Ok(Value::Object(record))
}

/// The OpenAPI schema of a record, from the table.
pub fn record_schema() -> Value {
    let mut properties = Map::new();
    properties.insert(
        "@odata.etag".into(),
        json!({"type": "string", "description": "The record's version, W/\"…\""}),
    );
    for attribute in ATTRIBUTES {
        let mut schema = attribute.kind.schema();
        let mut description = attribute.description.to_owned();
        if let Some(alias) = attribute.alias {
            description.push_str(&format!(
                " (also selected and filtered as {alias}, then shown under that name)"
            ));
        }
        if !matches!(attribute.formatted, Formatted::None) {
            description.push_str(&format!("; with {}{FORMATTED}", attribute.name));
        }
        if !matches!(attribute.lookup, Lookup::None) {
            description.push_str(&format!("; with {}{LOOKUP_ENTITY}", attribute.name));
        }
        schema["description"] = json!(description);
        properties.insert(attribute.name.to_owned(), schema);
    }
    json!({
        "type": "object",
        "description": format!("A conversation as a Dataverse {ENTITY} record; annotations \
            (name@OData.Community.Display.V1.FormattedValue, \
            name@Microsoft.Dynamics.CRM.lookuplogicalname) follow the values they describe"),
        "properties": properties,
        "additionalProperties": true,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sql(filter: &str) -> Result<(String, Vec<Bind>), QueryError> {
        let expr = Expr::parse(filter).map_err(|e| QueryError(e.to_string()))?;
        let columns = Columns::new(["customer-support".to_owned()]);
        let mut binds = Vec::new();
        let sql = columns.filter(&expr, &mut binds)?;
        Ok((sql, binds))
    }

    #[test]
    fn names_and_aliases_are_exact() {
        assert_eq!(find("statuscode").unwrap().name, "statuscode");
        assert_eq!(
            find("msdyn_activeagentid").unwrap().name,
            "_msdyn_activeagentid_value"
        );
        assert_eq!(
            find("_msdyn_liveworkstreamid_value").unwrap().name,
            "msdyn_liveworkstreamid"
        );
        assert!(find("StatusCode").is_none());
        assert_eq!(
            resolve("nope").unwrap_err().0,
            "Could not find a property named 'nope' on type \
             'Microsoft.Dynamics.CRM.msdyn_ocliveworkitem'."
        );
        let mut names: Vec<&str> = ATTRIBUTES.iter().map(|a| a.name).collect();
        names.extend(ATTRIBUTES.iter().filter_map(|a| a.alias));
        let count = names.len();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), count, "a name is used twice");
    }

    #[tokio::test]
    async fn every_attribute_runs_on_sqlite_in_every_clause() {
        let pool = crate::chat::store::open("sqlite::memory:").await.unwrap();
        let columns = Columns::new(["customer-support".to_owned(), "sales".to_owned()]);
        let selected: Vec<(String, &Attribute)> =
            ATTRIBUTES.iter().map(|a| (a.name.to_owned(), a)).collect();
        let (list, mut binds) = select_list(&columns, &selected);
        let mut conditions = Vec::new();
        let mut order = Vec::new();
        for attribute in ATTRIBUTES {
            let (sql, value_binds) = columns.value(attribute);
            conditions.push(format!("({sql} IS NULL OR 1)"));
            binds.extend(value_binds);
        }
        for attribute in ATTRIBUTES {
            let (sql, sort_binds) = columns.sort(attribute);
            order.push(format!("{sql} DESC"));
            binds.extend(sort_binds);
        }
        let sql = format!(
            "SELECT {list} FROM conversations c WHERE {} ORDER BY {}",
            conditions.join(" AND "),
            order.join(", ")
        );
        let rows = crate::sql::bind_all(sqlx::query(&sql), binds)
            .fetch_all(&pool)
            .await
            .unwrap();
        assert!(rows.is_empty());
    }

    #[test]
    fn workstream_ids_are_stable_guids() {
        let id = workstream_id("customer-support");
        assert!(hotline::core::odata::is_guid(&id), "{id}");
        assert_eq!(id, workstream_id("customer-support"));
        assert_ne!(id, workstream_id("sales"));
        assert_eq!(&id[14..15], "8");
    }

    #[test]
    fn filters_compile_to_sql_with_every_value_bound() {
        let (text, binds) = sql("statuscode eq 3 and msdyn_title ne 'x'' or 1'").unwrap();
        assert!(
            text.starts_with("(((CASE c.status WHEN 'queued' THEN 1"),
            "{text}"
        );
        assert!(text.ends_with("IS NOT ?))"), "{text}");
        assert_eq!(binds, vec![Bind::Int(3), Bind::Text("x' or 1".into())]);
        let (text, binds) = sql("5 lt statuscode").unwrap();
        assert!(
            text.starts_with("COALESCE((CASE") && text.ends_with("> ?, 0)"),
            "{text}"
        );
        assert_eq!(binds, vec![Bind::Int(5)]);
        let (text, binds) = sql("createdon ge 2024-05-01T10:00:00Z").unwrap();
        assert_eq!(text, "COALESCE(((c.created_at / 1000) * 1000) >= ?, 0)");
        assert_eq!(binds, vec![Bind::Int(1_714_557_600_000)]);
        let (text, _) = sql("_msdyn_issueid_value eq null").unwrap();
        assert_eq!(text, "(c.link_case_id IS NULL)");
        let (text, _) = sql("_msdyn_issueid_value gt null").unwrap();
        assert_eq!(text, "0");
        let (text, binds) = sql("msdyn_customer eq 2B330C52-6844-4D36-8E05-03C78C9681DC").unwrap();
        assert_eq!(text, "(c.link_customer_id IS ? COLLATE NOCASE)");
        assert_eq!(
            binds,
            vec![Bind::Text("2B330C52-6844-4D36-8E05-03C78C9681DC".into())]
        );
        let (text, binds) = sql("msdyn_liveworkstreamid eq 'x'").unwrap();
        assert_eq!(text, "((CASE c.service WHEN ? THEN ? END) IS ?)");
        assert_eq!(binds.len(), 3);
        let (text, _) = sql("true eq true").unwrap();
        assert_eq!(text, "1");
        let (text, _) = sql("1 gt 2 or not (msdyn_isabandoned eq false)").unwrap();
        assert!(text.starts_with("(0 OR (NOT ("), "{text}");
        let (text, _) = sql("createdon lt modifiedon").unwrap();
        assert!(text.starts_with("COALESCE(((c.created_at"), "{text}");
    }

    #[test]
    fn wrong_types_and_unknown_names_are_refused() {
        for (filter, expected) in [
            ("nope eq 1", "Could not find a property named 'nope'"),
            (
                "statuscode eq '3'",
                "'Edm.Int32' and 'Edm.String' for operator kind 'Equal'",
            ),
            ("msdyn_title lt 3", "'Edm.String' and 'Edm.Int32'"),
            (
                "createdon eq 'soon'",
                "'Edm.DateTimeOffset' and 'Edm.String'",
            ),
            ("msdyn_isabandoned eq 1", "'Edm.Boolean' and 'Edm.Int32'"),
            ("statuscode eq msdyn_title", "'Edm.Int32' and 'Edm.String'"),
            ("msdyn_title eq nope", "named 'nope'"),
        ] {
            let error = sql(filter).unwrap_err();
            assert!(error.0.contains(expected), "{filter}: {}", error.0);
        }
    }
}
