//! `Microsoft.Omnichannel.getConversations(input)`: the input, turned into a [`Query`] on
//! `GET /api/data/v9.2/msdyn_ocliveworkitems`.
//!
//! | input | query |
//! |---|---|
//! | `agentId` (or `agentID`), required | `msdyn_activeagentid eq <GUID>` (or `eq '<text>'` when it is not a GUID) |
//! | `includeQueue: true` (Hotline) | `(msdyn_activeagentid eq … or msdyn_activeagentid eq null)`: also the conversations no agent has yet, the queue |
//! | `status: [3, "4"]` (numbers, numeric strings, or `"3,4"`) | `statuscode eq 3` / `(statuscode eq 3 or statuscode eq 4)` |
//! | `createdBeforeDays: n` (n ≥ 0) | `createdon le <now − n days>` (ISO date-time, UTC) |
//! | `attributes: ["msdyn_title", …]` | appended to `$select` after [`DEFAULT_ATTRIBUTES`] |
//! | `orderBy: [{attributeName, descending}]` | `$orderby=createdon desc,…` |
//!
//! The filter is the conjunction, in that order. Attribute names are logical names: trimmed
//! and lower-cased (the docs write `StatusCode`, `CreatedOn`), duplicates dropped. Lookups are
//! named by their logical name (`msdyn_activeagentid`, `msdyn_liveworkstreamid`), not by the
//! Dataverse Web API `_x_value` form; the Hotline server serves them under these names.

use super::datetime::format_datetime;
use super::filter::{is_guid, is_property_name, CmpOp, Expr, Literal};
use super::query::{OrderBy, Query};
use crate::core::json::Json;

/// The path of the entity set on the server.
pub const CONVERSATIONS_PATH: &str = "/api/data/v9.2/msdyn_ocliveworkitems";

/// The attributes every record carries, whatever `attributes` asks for.
pub const DEFAULT_ATTRIBUTES: [&str; 5] = [
    "msdyn_ocliveworkitemid",
    "msdyn_liveworkstreamid",
    "msdyn_lastsessionid",
    "statuscode",
    "createdon",
];

/// The attribute `agentId` is compared with.
pub const AGENT_ATTRIBUTE: &str = "msdyn_activeagentid";

const MS_PER_DAY: f64 = 86_400_000.0;

/// Why a `getConversations` input cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConversationsError {
    #[error("The input parameter is required: pass an object such as {{agentId: \"<agent id>\"}}")]
    NullInput,
    #[error("The input is not valid JSON: {0}")]
    InvalidJson(String),
    #[error(
        "The agentId parameter is required: pass the id of the agent whose conversations to fetch"
    )]
    MissingAgentId,
    #[error("The {parameter} parameter is not valid: {reason}")]
    Invalid {
        parameter: &'static str,
        reason: String,
    },
}

fn invalid(parameter: &'static str, reason: impl Into<String>) -> ConversationsError {
    ConversationsError::Invalid {
        parameter,
        reason: reason.into(),
    }
}

/// The items of a parameter that may be one value, an array, or a comma-separated string
/// (strings inside an array are split at commas too).
fn items_of(value: &Json) -> Vec<Json> {
    let mut out = Vec::new();
    let values = match value {
        Json::Null => return out,
        Json::Array(items) => items.as_slice(),
        other => std::slice::from_ref(other),
    };
    for value in values {
        match value {
            Json::String(text) => out.extend(
                text.split(',')
                    .map(str::trim)
                    .filter(|part| !part.is_empty())
                    .map(Json::from),
            ),
            other => out.push(other.clone()),
        }
    }
    out
}

fn attribute_name(parameter: &'static str, value: &Json) -> Result<String, ConversationsError> {
    let name = value
        .as_str()
        .ok_or_else(|| invalid(parameter, "attribute names must be strings"))?
        .trim()
        .to_ascii_lowercase();
    if is_property_name(&name) {
        Ok(name)
    } else {
        Err(invalid(
            parameter,
            format!("'{name}' is not an attribute name"),
        ))
    }
}

/// A status code: a whole number, or a string holding one.
fn status_code(value: &Json) -> Result<f64, ConversationsError> {
    let number = match value {
        Json::Number(n) => Some(*n),
        Json::String(text) => match Json::parse(text.trim()) {
            Ok(Json::Number(n)) => Some(n),
            _ => None,
        },
        _ => None,
    };
    match number {
        Some(n) if n.fract() == 0.0 && n.abs() < 1e15 => Ok(n),
        _ => Err(invalid(
            "status",
            format!("{value} is not a status code (a whole number such as 3)"),
        )),
    }
}

/// The [`Query`] for a `getConversations` input: an object, or a JSON string holding one.
/// `now_ms` is the current time in ms since the epoch (for `createdBeforeDays`).
pub fn conversations_query(input: &Json, now_ms: f64) -> Result<Query, ConversationsError> {
    let parsed;
    let input = match input {
        Json::Null => return Err(ConversationsError::NullInput),
        Json::String(text) => {
            parsed =
                Json::parse(text).map_err(|e| ConversationsError::InvalidJson(e.to_string()))?;
            &parsed
        }
        other => other,
    };
    if input.as_object().is_none() {
        return Err(invalid("input", "must be an object or a JSON string"));
    }

    let agent = match input.get("agentId").or_else(|| input.get("agentID")) {
        None | Some(Json::Null) => return Err(ConversationsError::MissingAgentId),
        Some(Json::String(text)) if text.trim().is_empty() => {
            return Err(ConversationsError::MissingAgentId)
        }
        Some(Json::String(text)) => text.trim(),
        Some(_) => return Err(invalid("agentId", "must be a string")),
    };
    let agent = if is_guid(agent) {
        Literal::Guid(agent.to_owned())
    } else {
        Literal::String(agent.to_owned())
    };
    let mut agent_condition = Expr::compare(AGENT_ATTRIBUTE, CmpOp::Eq, agent);
    match input.get("includeQueue") {
        None | Some(Json::Null | Json::Bool(false)) => {}
        Some(Json::Bool(true)) => {
            agent_condition = Expr::any(vec![
                agent_condition,
                Expr::compare(AGENT_ATTRIBUTE, CmpOp::Eq, Literal::Null),
            ]);
        }
        Some(_) => return Err(invalid("includeQueue", "must be true or false")),
    }
    let mut conditions = vec![agent_condition];

    let mut statuses: Vec<f64> = Vec::new();
    for item in items_of(input.get("status").unwrap_or(&Json::Null)) {
        let code = status_code(&item)?;
        if !statuses.contains(&code) {
            statuses.push(code);
        }
    }
    if !statuses.is_empty() {
        conditions.push(Expr::any(
            statuses
                .into_iter()
                .map(|code| Expr::compare("statuscode", CmpOp::Eq, Literal::Number(code)))
                .collect(),
        ));
    }

    match input.get("createdBeforeDays") {
        None | Some(Json::Null) => {}
        Some(value) => {
            let days = match value {
                Json::Number(n) => Some(*n),
                Json::String(text) => match Json::parse(text.trim()) {
                    Ok(Json::Number(n)) => Some(n),
                    _ => None,
                },
                _ => None,
            }
            .filter(|d| *d >= 0.0 && d.is_finite())
            .ok_or_else(|| invalid("createdBeforeDays", "must be a number of days, 0 or more"))?;
            let limit = format_datetime(now_ms - days * MS_PER_DAY);
            conditions.push(Expr::compare(
                "createdon",
                CmpOp::Le,
                Literal::DateTime(limit),
            ));
        }
    }

    let mut select: Vec<String> = DEFAULT_ATTRIBUTES.iter().map(|a| (*a).to_owned()).collect();
    for item in items_of(input.get("attributes").unwrap_or(&Json::Null)) {
        let name = attribute_name("attributes", &item)?;
        if !select.contains(&name) {
            select.push(name);
        }
    }

    let mut order_by: Vec<OrderBy> = Vec::new();
    let order_items = match input.get("orderBy") {
        None | Some(Json::Null) => Vec::new(),
        Some(Json::Array(items)) => items.clone(),
        Some(single @ Json::Object(_)) => vec![single.clone()],
        Some(_) => {
            return Err(invalid(
                "orderBy",
                "must be an array of {attributeName, descending}",
            ))
        }
    };
    for item in &order_items {
        if item.as_object().is_none() {
            return Err(invalid(
                "orderBy",
                "each item must be an object {attributeName, descending}",
            ));
        }
        let property = match item.get("attributeName") {
            Some(name @ Json::String(_)) => attribute_name("orderBy", name)?,
            _ => return Err(invalid("orderBy", "attributeName is required in each item")),
        };
        let descending = match item.get("descending") {
            None | Some(Json::Null) => false,
            Some(Json::Bool(flag)) => *flag,
            Some(Json::String(text)) if text.eq_ignore_ascii_case("true") => true,
            Some(Json::String(text)) if text.eq_ignore_ascii_case("false") => false,
            Some(_) => return Err(invalid("orderBy", "descending must be true or false")),
        };
        if !order_by.iter().any(|o| o.property == property) {
            order_by.push(OrderBy {
                property,
                descending,
            });
        }
    }

    Ok(Query {
        select,
        filter: Some(Expr::all(conditions)),
        order_by,
        top: None,
    })
}
