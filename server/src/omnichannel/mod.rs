//! The Omnichannel face: conversations as Dataverse `msdyn_ocliveworkitem` records, read with
//! the Dataverse Web API's shape and an OData subset (`$select`, `$filter`, `$orderby`,
//! `$top`):
//!
//! - `GET /api/data/v9.2/msdyn_ocliveworkitems` → `{"@odata.context", "value": [records]}`;
//! - `GET /api/data/v9.2/msdyn_ocliveworkitems({id})` → one record (`$select` only).
//!
//! It is a view of the one conversation record (DESIGN.md, "one conversation, three views"):
//! `msdyn_ocliveworkitemid` is the GMS chatId, `statuscode` follows the one status table
//! ([`crate::chat::Lifecycle::omnichannel_statuscode`]). The attributes are in [`attributes`].
//! The query text is parsed by the SDK's own OData module ([`hotline::core::odata`]), the one
//! `Microsoft.Omnichannel.getConversations` writes its queries with.
//!
//! Errors have Dataverse's shape, `{"error": {"code", "message"}}`, with its codes:
//! `0x80060888` for a query that cannot run (unknown property, syntax, types), `0x80040217` for
//! a record that does not exist.

pub mod attributes;

use std::sync::Arc;

use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use hotline::core::odata::Query;
use serde_json::{json, Value};

use crate::api::{base_url, ApiError};
use crate::app::AppState;
use crate::chat::ChatError;
use crate::openapi::{schema_ref, ApiTable, Operation, Security};
use crate::sql::{bind_all, Bind};
use attributes::{Attribute, Columns, QueryError, ATTRIBUTES, ENTITY, ENTITY_SET, KEY};

const TAG: &str = "Omnichannel";

/// Where the entity set is served.
pub const COLLECTION_PATH: &str = "/api/data/v9.2/msdyn_ocliveworkitems";

/// Dataverse's code for a query it cannot run.
const BAD_QUERY: &str = "0x80060888";
/// Dataverse's code for a record that does not exist.
const NOT_FOUND: &str = "0x80040217";

fn bad_query(message: impl Into<String>) -> ApiError {
    ApiError {
        status: StatusCode::BAD_REQUEST,
        code: BAD_QUERY,
        message: message.into(),
    }
}

impl From<QueryError> for ApiError {
    fn from(error: QueryError) -> Self {
        bad_query(error.0)
    }
}

fn not_found(message: String) -> ApiError {
    ApiError {
        status: StatusCode::NOT_FOUND,
        code: NOT_FOUND,
        message,
    }
}

/// Adds the face's routes and schemas to the table.
pub fn register(table: &mut ApiTable<Arc<AppState>>) {
    table.tag(
        TAG,
        "Conversations as Dataverse msdyn_ocliveworkitem records (Web API shape, OData subset)",
    );
    table.schema("LiveWorkItem", attributes::record_schema());
    table.schema(
        "LiveWorkItemCollection",
        json!({"type": "object", "properties": {
            "@odata.context": {"type": "string"},
            "value": {"type": "array", "items": schema_ref("LiveWorkItem")}}}),
    );
    table.schema(
        "DataverseError",
        json!({"type": "object", "properties": {"error": {"type": "object", "properties": {
            "code": {"type": "string", "description": "0x80060888: the query cannot run; 0x80040217: no such record"},
            "message": {"type": "string"}}}}}),
    );
    let error = || Some(schema_ref("DataverseError"));
    let select = |operation: Operation| {
        operation.query(
            "$select",
            json!({"type": "string"}),
            "Attributes to return, comma-separated (msdyn_ocliveworkitemid and @odata.etag are \
             always there); default: all",
        )
    };
    let secured = |operation: Operation| {
        operation
            .secured(Security::Agent)
            .response(
                401,
                "Missing or invalid credentials",
                Some(schema_ref("AgentsError")),
            )
            .response(
                400,
                "Unknown attribute, or a query that cannot run",
                error(),
            )
    };
    table.add(
        secured(select(Operation::get(
            COLLECTION_PATH,
            "LiveWorkItems_List",
            TAG,
            "Conversations as msdyn_ocliveworkitem records",
        )))
        .describe(
            "Microsoft.Omnichannel.getConversations asks this, e.g. \
             $select=msdyn_ocliveworkitemid,statuscode,createdon,msdyn_title&\
             $filter=msdyn_activeagentid eq 'bob' and statuscode eq 3&$orderby=createdon desc. \
             Other system query options ($expand, $skip, $count …) are refused.",
        )
        .query(
            "$filter",
            json!({"type": "string"}),
            "eq ne lt le gt ge, and or not, parentheses; 'strings' (with '' for a quote), \
             numbers, true, false, null, bare GUIDs and ISO dates or date-times",
        )
        .query(
            "$orderby",
            json!({"type": "string"}),
            "Attributes, each optionally followed by asc or desc, comma-separated",
        )
        .query(
            "$top",
            json!({"type": "integer", "minimum": 0}),
            "At most this many records",
        )
        .response(
            200,
            "The records",
            Some(schema_ref("LiveWorkItemCollection")),
        ),
        list,
    );
    table.add(
        secured(select(Operation::get(
            "/api/data/v9.2/msdyn_ocliveworkitems({id})",
            "LiveWorkItems_Get",
            TAG,
            "One conversation as an msdyn_ocliveworkitem record",
        )))
        .path_param(
            "id",
            json!({"type": "string"}),
            "The msdyn_ocliveworkitemid (the GMS chatId), bare or quoted ('…')",
        )
        .response(200, "The record", Some(schema_ref("LiveWorkItem")))
        .response(404, "No such conversation", error()),
        one,
    );
}

fn agent(state: &AppState, headers: &HeaderMap) -> Result<(), ApiError> {
    let authorization = headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok());
    state.agents.authenticate(authorization)?;
    Ok(())
}

/// The chat services conversations may be on: the chat topics, and any service a conversation
/// still names.
async fn columns(state: &AppState) -> Result<Columns, ApiError> {
    let mut services: Vec<String> = state
        .chat
        .topics()
        .await?
        .into_iter()
        .map(|topic| topic.service)
        .collect();
    let used: Vec<String> = sqlx::query_scalar("SELECT DISTINCT service FROM conversations")
        .fetch_all(state.chat.pool())
        .await
        .map_err(ChatError::from)?;
    services.extend(used);
    Ok(Columns::new(services))
}

/// The attributes of `$select` with the names they were asked by (the key first, always),
/// or every attribute.
fn selection(select: &[String]) -> Result<Vec<(String, &'static Attribute)>, ApiError> {
    if select.is_empty() {
        return Ok(ATTRIBUTES.iter().map(|a| (a.name.to_owned(), a)).collect());
    }
    let mut selected: Vec<(String, &'static Attribute)> = Vec::new();
    if !select.iter().any(|name| name == KEY) {
        selected.push((KEY.to_owned(), &ATTRIBUTES[0]));
    }
    for name in select {
        let attribute = attributes::resolve(name)?;
        if !selected.iter().any(|(known, _)| known == name) {
            selected.push((name.clone(), attribute));
        }
    }
    Ok(selected)
}

/// `…/$metadata#msdyn_ocliveworkitems(a,b)`.
fn context(headers: &HeaderMap, select: &[String]) -> String {
    let mut context = format!("{}/api/data/v9.2/$metadata#{ENTITY_SET}", base_url(headers));
    if !select.is_empty() {
        context.push_str(&format!("({})", select.join(",")));
    }
    context
}

fn parse_query(raw: Option<String>) -> Result<Query, ApiError> {
    Query::parse(raw.as_deref().unwrap_or_default()).map_err(|error| bad_query(error.to_string()))
}

/// Runs `SELECT … FROM conversations c WHERE … ORDER BY … LIMIT ?` and renders the records.
async fn fetch(
    state: &AppState,
    columns: &Columns,
    selected: &[(String, &Attribute)],
    where_sql: &str,
    order_sql: &str,
    where_and_order_binds: Vec<Bind>,
    limit: Option<u64>,
) -> Result<Vec<Value>, ApiError> {
    let (list, mut binds) = attributes::select_list(columns, selected);
    let sql = format!(
        "SELECT {list} FROM conversations c WHERE {where_sql} ORDER BY {order_sql}c.created_at, \
         c.id LIMIT ?"
    );
    binds.extend(where_and_order_binds);
    binds.push(Bind::Int(
        limit.map_or(-1, |top| i64::try_from(top).unwrap_or(i64::MAX)),
    ));
    let rows = bind_all(sqlx::query(&sql), binds)
        .fetch_all(state.chat.pool())
        .await
        .map_err(ChatError::from)?;
    rows.iter()
        .map(|row| attributes::render(row, selected).map_err(|e| ChatError::from(e).into()))
        .collect()
}

fn odata_response(body: Value) -> Response {
    let mut response = Json(body).into_response();
    response.headers_mut().insert(
        HeaderName::from_static("odata-version"),
        HeaderValue::from_static("4.0"),
    );
    response
}

/// `GET /api/data/v9.2/msdyn_ocliveworkitems`.
async fn list(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    agent(&state, &headers)?;
    let query = parse_query(raw)?;
    let selected = selection(&query.select)?;
    let columns = columns(&state).await?;
    // WHERE comes before ORDER BY in the SQL text: its binds go first.
    let mut binds = Vec::new();
    let where_sql = match &query.filter {
        Some(filter) => columns.filter(filter, &mut binds)?,
        None => "1".to_owned(),
    };
    let mut order_sql = String::new();
    for item in &query.order_by {
        let attribute = attributes::resolve(&item.property)?;
        let (sql, order_binds) = columns.sort(attribute);
        let direction = if item.descending { "DESC" } else { "ASC" };
        order_sql.push_str(&format!("{sql} {direction}, "));
        binds.extend(order_binds);
    }
    let value = fetch(
        &state, &columns, &selected, &where_sql, &order_sql, binds, query.top,
    )
    .await?;
    Ok(odata_response(json!({
        "@odata.context": context(&headers, &query.select),
        "value": value,
    })))
}

/// The id in an OData key segment: `(abc)`, `('abc')` (with `''` for a quote) or
/// `(msdyn_ocliveworkitemid='abc')`. `None` when the segment is not a key.
pub fn parse_key(segment: &str) -> Option<String> {
    let inner = segment.strip_prefix('(')?.strip_suffix(')')?.trim();
    let inner = inner
        .strip_prefix(KEY)
        .and_then(|rest| rest.trim_start().strip_prefix('='))
        .map_or(inner, str::trim);
    let id = match inner.strip_prefix('\'') {
        Some(quoted) => {
            let body = quoted.strip_suffix('\'')?;
            let mut parts = body.split("''");
            if parts.clone().any(|part| part.contains('\'')) {
                return None;
            }
            let first = parts.next().unwrap_or_default().to_owned();
            parts.fold(first, |mut id, part| {
                id.push('\'');
                id.push_str(part);
                id
            })
        }
        None => inner.to_owned(),
    };
    (!id.is_empty()).then_some(id)
}

/// `GET /api/data/v9.2/msdyn_ocliveworkitems({id})`.
async fn one(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Path(segment): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    agent(&state, &headers)?;
    let Some(id) = parse_key(&segment) else {
        return Err(not_found(format!(
            "Resource not found for the segment '{ENTITY_SET}{segment}'."
        )));
    };
    let query = parse_query(raw)?;
    if query.filter.is_some() || !query.order_by.is_empty() || query.top.is_some() {
        return Err(bad_query(
            "Only $select applies to a single record: $filter, $orderby and $top are for the \
             collection",
        ));
    }
    let selected = selection(&query.select)?;
    let columns = columns(&state).await?;
    let mut record = fetch(
        &state,
        &columns,
        &selected,
        "c.id = ?",
        "",
        vec![Bind::Text(id.clone())],
        Some(1),
    )
    .await?
    .pop()
    .ok_or_else(|| not_found(format!("{ENTITY} With Id = {id} Does Not Exist")))?;
    record["@odata.context"] = json!(format!("{}/$entity", context(&headers, &query.select)));
    Ok(odata_response(record))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_read_bare_quoted_or_named() {
        assert_eq!(parse_key("(abc)").as_deref(), Some("abc"));
        assert_eq!(parse_key("('O''Brien')").as_deref(), Some("O'Brien"));
        assert_eq!(
            parse_key("(msdyn_ocliveworkitemid='abc')").as_deref(),
            Some("abc")
        );
        assert_eq!(parse_key("abc"), None);
        assert_eq!(parse_key("()"), None);
        assert_eq!(parse_key("('')"), None);
        assert_eq!(parse_key("('a'b')"), None);
        assert_eq!(parse_key("('abc)"), None);
    }
}
