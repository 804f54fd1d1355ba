//! Writes to an entity: the entity a POST, PUT or PATCH asks for, and the properties it
//! changes.
//!
//! - POST and PUT bodies are entities: the properties they name replace the current ones;
//!   properties they leave out keep their value; read-only properties and unknown names are
//!   ignored (so a body taken from a GET can be sent back as it is).
//! - PATCH bodies are JSON Patch (`application/json-patch+json`, or an array) or JSON Merge
//!   Patch (`application/merge-patch+json`, or an object). Changing a read-only property is
//!   refused with 400; a failed `test` is 409; an unknown path is 400.

use serde_json::{Map, Value};

use super::auth::Body;
use super::dates::DateStyle;
use super::errors::SoError;
use super::fields::{check_value, find, FieldSpec, Kind, META_KEYS};
use super::odata::parse_flags;
use super::patch;
use crate::chat::ChatSessionStatus;

/// How a body is applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteMode {
    /// POST or PUT: an entity.
    Replace,
    /// PATCH: JSON Patch or Merge Patch.
    Patch,
}

/// One property a write changes.
#[derive(Debug, Clone)]
pub struct Change {
    pub field: &'static FieldSpec,
    pub old: Value,
    /// Checked against the property's kind.
    pub new: Value,
}

/// Whether two values of a property mean the same.
pub fn same_value(kind: Kind, a: &Value, b: &Value, dates: &DateStyle) -> bool {
    if a == b {
        return true;
    }
    match (kind, a, b) {
        (Kind::Date, Value::String(x), Value::String(y)) => {
            matches!((dates.parse(x), dates.parse(y)), (Ok(p), Ok(q)) if p == q)
        }
        (Kind::Status, _, _) => status_of(a).is_some() && status_of(a) == status_of(b),
        (Kind::Flags, Value::String(x), Value::String(y)) => {
            parse_flags(x).is_some() && parse_flags(x) == parse_flags(y)
        }
        (Kind::Int, _, _) => {
            let number = |v: &Value| match v {
                Value::Number(n) => n.as_i64(),
                Value::String(s) => s.trim().parse().ok(),
                _ => None,
            };
            number(a).is_some() && number(a) == number(b)
        }
        (Kind::Text, Value::String(x), Value::Null)
        | (Kind::Text, Value::Null, Value::String(x)) => x.is_empty(),
        _ => false,
    }
}

/// A status given by name or value.
pub fn status_of(value: &Value) -> Option<ChatSessionStatus> {
    match value {
        Value::String(name) => ChatSessionStatus::parse(name),
        Value::Number(n) => n.as_i64().and_then(ChatSessionStatus::from_value),
        _ => None,
    }
}

/// The entity the body asks for, from `current` (which holds every property).
pub fn written_entity(
    current: &Value,
    body: Body,
    fields: &'static [FieldSpec],
    dates: &DateStyle,
    mode: WriteMode,
) -> Result<Value, SoError> {
    let mut document = current.clone();
    if let Value::Object(map) = &mut document {
        for key in META_KEYS {
            map.remove(key);
        }
    }
    match mode {
        WriteMode::Replace => {
            let object = match body {
                Body::Empty => Map::new(),
                Body::Json(Value::Object(object)) => object,
                _ => {
                    return Err(SoError::bad_request(
                        "the body must be an entity: a JSON object",
                    ))
                }
            };
            if let Value::Object(map) = &mut document {
                for (key, value) in object {
                    if let Some(field) = find(fields, &key) {
                        map.insert(field.name.to_owned(), value);
                    }
                }
            }
        }
        WriteMode::Patch => {
            let ops = match body {
                Body::JsonPatch(ops) => patch::parse_json_patch(&ops)?,
                Body::MergePatch(merge) => patch::merge_patch_ops(&merge, &document)?,
                Body::Json(value @ Value::Array(_)) => patch::parse_json_patch(&value)?,
                Body::Json(value @ Value::Object(_)) => patch::merge_patch_ops(&value, &document)?,
                Body::Json(_) | Body::Empty => {
                    return Err(SoError::bad_request(
                        "a PATCH body is a JSON Patch array or a JSON Merge Patch object",
                    ))
                }
            };
            let equal = |path: &[String], expected: &Value, actual: &Value| match (
                path,
                path.first().and_then(|name| find(fields, name)),
            ) {
                ([_], Some(field)) => same_value(field.kind, expected, actual, dates),
                _ => expected == actual,
            };
            patch::apply(&mut document, &ops, &equal)?;
        }
    }
    Ok(document)
}

/// The properties that differ between `current` and `written`. Read-only ones are refused
/// (`strict`, for PATCH) or left out.
pub fn changes(
    current: &Value,
    written: &Value,
    fields: &'static [FieldSpec],
    dates: &DateStyle,
    strict: bool,
) -> Result<Vec<Change>, SoError> {
    let mut found = Vec::new();
    for field in fields {
        let old = current.get(field.name).cloned().unwrap_or(Value::Null);
        let new = written.get(field.name).cloned().unwrap_or(Value::Null);
        if same_value(field.kind, &old, &new, dates) {
            continue;
        }
        if !field.writable {
            if strict {
                return Err(SoError::bad_request(format!("{} is read-only", field.name)));
            }
            continue;
        }
        let new = check_value(field, &new)?;
        found.push(Change { field, old, new });
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    static FIELDS: [FieldSpec; 4] = [
        FieldSpec {
            name: "Id",
            kind: Kind::Int,
            writable: false,
            length: 0,
            description: "",
        },
        FieldSpec {
            name: "Name",
            kind: Kind::Text,
            writable: true,
            length: 0,
            description: "",
        },
        FieldSpec {
            name: "When",
            kind: Kind::Date,
            writable: false,
            length: 0,
            description: "",
        },
        FieldSpec {
            name: "Status",
            kind: Kind::Status,
            writable: true,
            length: 0,
            description: "",
        },
    ];

    fn current() -> Value {
        json!({"Id": 1, "Name": "a", "When": "2018-12-24T12:34:45Z", "Status": "InQueue",
            "_Links": {"Self": "x"}})
    }

    #[test]
    fn put_ignores_read_only_and_unknown_properties() {
        let dates = DateStyle::default();
        let body = Body::Json(json!({"id": 99, "NAME": "b", "When": "2001-01-01", "Nope": 1}));
        let written =
            written_entity(&current(), body, &FIELDS, &dates, WriteMode::Replace).unwrap();
        let changed = changes(&current(), &written, &FIELDS, &dates, false).unwrap();
        assert_eq!(changed.len(), 1);
        assert_eq!(changed[0].field.name, "Name");
        assert_eq!(changed[0].new, json!("b"));
    }

    #[test]
    fn patch_refuses_read_only_changes_but_accepts_equal_values() {
        let dates = DateStyle::from_header(Some("UTC+1")).unwrap();
        let body = Body::JsonPatch(json!([
            {"op": "test", "path": "/When", "value": "2018-12-24T13:34:45"},
            {"op": "test", "path": "/status", "value": "inqueue"},
            {"op": "replace", "path": "/When", "value": "2018-12-24T13:34:45+01:00"},
            {"op": "replace", "path": "/Status", "value": "Closed"}
        ]));
        let written = written_entity(&current(), body, &FIELDS, &dates, WriteMode::Patch).unwrap();
        let changed = changes(&current(), &written, &FIELDS, &dates, true).unwrap();
        assert_eq!(changed.len(), 1);
        assert_eq!(changed[0].field.name, "Status");
        let body = Body::MergePatch(json!({"Id": 5}));
        let written = written_entity(&current(), body, &FIELDS, &dates, WriteMode::Patch).unwrap();
        let error = changes(&current(), &written, &FIELDS, &dates, true).unwrap_err();
        assert_eq!(error.status.as_u16(), 400);
        let body = Body::JsonPatch(json!([{"op": "replace", "path": "/_Links", "value": 1}]));
        assert!(written_entity(&current(), body, &FIELDS, &dates, WriteMode::Patch).is_err());
    }
}
