//! The properties of a SuperOffice entity, described once: they give the JSON shape, the
//! `FieldProperties` of responses, the OpenAPI schema, `$select`, and the checks on writes.

use serde_json::{json, Map, Value};

use super::errors::SoError;

/// What a property holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Int,
    Bool,
    Text,
    Date,
    /// `ChatSessionStatus`, written as its name.
    Status,
    /// `ChatSessionFlags`, written as names joined by `, `.
    Flags,
    /// An `Associate` (a SuperOffice user = an agent account).
    Associate,
    /// An object this server keeps as given (Person, Contact …).
    Object,
}

impl Kind {
    /// The .NET type SuperOffice gives in `FieldProperties.FieldType`.
    pub fn field_type(self) -> &'static str {
        match self {
            Kind::Int => "System.Int32",
            Kind::Bool => "System.Boolean",
            Kind::Text | Kind::Status | Kind::Flags => "System.String",
            Kind::Date => "System.DateTime",
            Kind::Associate | Kind::Object => "System.Object",
        }
    }

    /// Its OpenAPI schema.
    pub fn schema(self) -> Value {
        match self {
            Kind::Int => json!({"type": "integer", "format": "int32"}),
            Kind::Bool => json!({"type": "boolean"}),
            Kind::Text => json!({"type": "string", "nullable": true}),
            Kind::Date => json!({"type": "string", "format": "date-time", "nullable": true}),
            Kind::Status => json!({"allOf": [{"$ref": "#/components/schemas/ChatSessionStatus"}]}),
            Kind::Flags => json!({"type": "string", "description":
                "ChatSessionFlags names joined by ', ': CustomerIsTyping, UserIsTyping; empty when nobody types"}),
            Kind::Associate => {
                json!({"allOf": [{"$ref": "#/components/schemas/Associate"}], "nullable": true})
            }
            Kind::Object => {
                json!({"type": "object", "nullable": true, "additionalProperties": true})
            }
        }
    }
}

/// One property of an entity.
#[derive(Debug, Clone, Copy)]
pub struct FieldSpec {
    pub name: &'static str,
    pub kind: Kind,
    /// Whether a client may change it (`FieldRight.Mask` `FULL`), or only read it (`Read`).
    pub writable: bool,
    /// `FieldLength` (0 when it does not apply); longer text is refused on writes.
    pub length: u32,
    pub description: &'static str,
}

/// Finds a property by name, ignoring case.
pub fn find<'a>(fields: &'a [FieldSpec], name: &str) -> Option<&'a FieldSpec> {
    fields.iter().find(|f| f.name.eq_ignore_ascii_case(name))
}

/// `FieldProperties` of a response.
pub fn field_properties(fields: &[FieldSpec]) -> Value {
    let mut map = Map::new();
    for field in fields {
        map.insert(
            field.name.to_owned(),
            json!({
                "FieldRight": {"Mask": if field.writable { "FULL" } else { "Read" }, "Reason": ""},
                "FieldType": field.kind.field_type(),
                "FieldLength": field.length,
            }),
        );
    }
    Value::Object(map)
}

/// `TableRight` of a response: agents may do everything.
pub fn table_right() -> Value {
    json!({"Mask": "Delete", "Reason": ""})
}

/// The OpenAPI schema of an entity with these properties (and the response-only ones).
pub fn entity_schema(description: &str, fields: &[FieldSpec]) -> Value {
    let mut properties = Map::new();
    for field in fields {
        let mut schema = field.kind.schema();
        if let Value::Object(map) = &mut schema {
            map.insert(
                "description".into(),
                Value::String(field.description.into()),
            );
            if !field.writable {
                map.insert("readOnly".into(), Value::Bool(true));
            }
            if field.length > 0 && field.kind == Kind::Text {
                map.insert("maxLength".into(), json!(field.length));
            }
        }
        properties.insert(field.name.to_owned(), schema);
    }
    properties.insert(
        "TableRight".into(),
        json!({"allOf": [{"$ref": "#/components/schemas/TableRight"}], "nullable": true, "readOnly": true}),
    );
    properties.insert(
        "FieldProperties".into(),
        json!({"type": "object", "readOnly": true, "additionalProperties": {"$ref": "#/components/schemas/FieldProperty"}}),
    );
    properties.insert(
        "_Links".into(),
        json!({"type": "object", "readOnly": true, "additionalProperties": {"type": "string"}}),
    );
    json!({"type": "object", "description": description, "properties": properties})
}

/// The response-only keys every entity has; `$select` leaves them alone.
pub const META_KEYS: [&str; 3] = ["TableRight", "FieldProperties", "_Links"];

/// A parsed `$select`: top-level properties, each with the nested paths asked for (empty:
/// the whole property).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Selection {
    paths: Vec<(String, Vec<String>)>,
}

impl Selection {
    /// Parses `Name,department,category/id` against `fields`; names ignore case, unknown
    /// top-level names are refused.
    pub fn parse(text: &str, fields: &[FieldSpec]) -> Result<Option<Self>, SoError> {
        let items: Vec<&str> = text
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .collect();
        if items.is_empty() {
            return Ok(None);
        }
        let mut selection = Selection::default();
        for item in items {
            let mut parts = item.split('/').map(str::trim);
            let head = parts.next().unwrap_or_default();
            let field = find(fields, head).ok_or_else(|| {
                SoError::bad_request(format!("$select: unknown property '{head}'"))
            })?;
            let rest: Vec<String> = parts.map(str::to_owned).collect();
            let entry = match selection
                .paths
                .iter_mut()
                .position(|(name, _)| name == field.name)
            {
                Some(at) => &mut selection.paths[at],
                None => {
                    selection.paths.push((field.name.to_owned(), Vec::new()));
                    selection.paths.last_mut().expect("just pushed")
                }
            };
            if rest.is_empty() {
                entry.1.clear();
                entry.1.push(String::new());
            } else if !entry.1.iter().any(String::is_empty) {
                entry.1.push(rest.join("/"));
            }
        }
        Ok(Some(selection))
    }

    /// Nulls every property that was not selected, keeping the object's shape.
    pub fn apply(&self, entity: &mut Value) {
        let Value::Object(map) = entity else {
            return;
        };
        for (key, value) in map.iter_mut() {
            if META_KEYS.contains(&key.as_str()) {
                continue;
            }
            match self.paths.iter().find(|(name, _)| name == key) {
                None => *value = Value::Null,
                Some((_, nested)) if nested.iter().any(String::is_empty) => {}
                Some((_, nested)) => keep_nested(value, nested),
            }
        }
    }

    /// The selected top-level property names, in the order given.
    pub fn columns(&self) -> Vec<String> {
        let mut columns = Vec::new();
        for (name, nested) in &self.paths {
            if nested.is_empty() || nested.iter().any(String::is_empty) {
                columns.push(name.clone());
            } else {
                columns.extend(nested.iter().map(|path| format!("{name}/{path}")));
            }
        }
        columns
    }
}

/// Keeps only `paths` (relative, `/`-separated, any case) inside `value`.
fn keep_nested(value: &mut Value, paths: &[String]) {
    let Value::Object(map) = value else {
        return;
    };
    for (key, inner) in map.iter_mut() {
        let matching: Vec<String> = paths
            .iter()
            .filter_map(|path| {
                let (head, rest) = path.split_once('/').unwrap_or((path.as_str(), ""));
                head.eq_ignore_ascii_case(key).then(|| rest.to_owned())
            })
            .collect();
        if matching.is_empty() {
            *inner = Value::Null;
        } else if !matching.iter().any(String::is_empty) {
            keep_nested(inner, &matching);
        }
    }
}

/// The value at a `/`-separated path, matching keys without regard to case.
pub fn get_path<'a>(value: &'a Value, path: &str) -> Option<&'a Value> {
    let mut current = value;
    for part in path.split('/').filter(|p| !p.is_empty()) {
        let Value::Object(map) = current else {
            return None;
        };
        current = map
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(part))
            .map(|(_, v)| v)?;
    }
    Some(current)
}

/// Checks that a written value has the property's type, and returns it normalised (numbers
/// and booleans also accepted as strings, as form bodies send them).
pub fn check_value(field: &FieldSpec, value: &Value) -> Result<Value, SoError> {
    let wrong = |expected: &str| {
        SoError::bad_request(format!("{}: expected {expected}, got {value}", field.name))
    };
    match (field.kind, value) {
        (_, Value::Null) => Ok(Value::Null),
        (Kind::Int, Value::Number(n)) if n.is_i64() => Ok(value.clone()),
        (Kind::Int, Value::String(s)) => s
            .trim()
            .parse::<i64>()
            .map(|n| json!(n))
            .map_err(|_| wrong("an integer")),
        (Kind::Int, _) => Err(wrong("an integer")),
        (Kind::Bool, Value::Bool(_)) => Ok(value.clone()),
        (Kind::Bool, Value::String(s)) if s.eq_ignore_ascii_case("true") || s == "1" => {
            Ok(Value::Bool(true))
        }
        (Kind::Bool, Value::String(s)) if s.eq_ignore_ascii_case("false") || s == "0" => {
            Ok(Value::Bool(false))
        }
        (Kind::Bool, _) => Err(wrong("true or false")),
        (Kind::Text | Kind::Date | Kind::Status | Kind::Flags, Value::String(s)) => {
            if field.kind == Kind::Text
                && field.length > 0
                && s.chars().count() > field.length as usize
            {
                return Err(SoError::bad_request(format!(
                    "{}: longer than {} characters",
                    field.name, field.length
                )));
            }
            Ok(value.clone())
        }
        (Kind::Status, Value::Number(_)) => Ok(value.clone()),
        (Kind::Text | Kind::Date | Kind::Status | Kind::Flags, _) => Err(wrong("a string")),
        (Kind::Associate, Value::Object(_) | Value::String(_) | Value::Number(_)) => {
            Ok(value.clone())
        }
        (Kind::Associate, _) => Err(wrong("an Associate, a user name or an associate id")),
        (Kind::Object, Value::Object(_)) => Ok(value.clone()),
        (Kind::Object, _) => Err(wrong("an object")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIELDS: &[FieldSpec] = &[
        FieldSpec {
            name: "Name",
            kind: Kind::Text,
            writable: true,
            length: 5,
            description: "",
        },
        FieldSpec {
            name: "User",
            kind: Kind::Associate,
            writable: true,
            length: 0,
            description: "",
        },
        FieldSpec {
            name: "Count",
            kind: Kind::Int,
            writable: false,
            length: 0,
            description: "",
        },
    ];

    #[test]
    fn select_nulls_what_was_not_selected_and_keeps_the_shape() {
        let mut entity = json!({"Name": "x", "User": {"AssociateId": 1, "Name": "bob"}, "Count": 3,
            "_Links": {"Self": "s"}});
        let selection = Selection::parse("name, user/NAME", FIELDS)
            .unwrap()
            .unwrap();
        selection.apply(&mut entity);
        assert_eq!(
            entity,
            json!({"Name": "x", "User": {"AssociateId": null, "Name": "bob"}, "Count": null,
                "_Links": {"Self": "s"}})
        );
        assert_eq!(selection.columns(), vec!["Name", "User/NAME"]);
        let whole = Selection::parse("User/Name,user", FIELDS).unwrap().unwrap();
        let mut entity = json!({"Name": "x", "User": {"AssociateId": 1, "Name": "bob"}});
        whole.apply(&mut entity);
        assert_eq!(entity["User"]["AssociateId"], 1);
        assert!(Selection::parse(" , ", FIELDS).unwrap().is_none());
        let error = Selection::parse("Name,Nope", FIELDS).unwrap_err();
        assert_eq!(error.status.as_u16(), 400);
    }

    #[test]
    fn values_are_checked_against_their_kind() {
        assert_eq!(check_value(&FIELDS[2], &json!("42")).unwrap(), json!(42));
        assert!(check_value(&FIELDS[2], &json!(1.5)).is_err());
        assert!(check_value(&FIELDS[0], &json!("toolong")).is_err());
        assert_eq!(check_value(&FIELDS[0], &Value::Null).unwrap(), Value::Null);
        assert!(check_value(&FIELDS[1], &json!(true)).is_err());
        assert_eq!(
            get_path(&json!({"User": {"Name": "bob"}}), "user/name"),
            Some(&json!("bob"))
        );
    }

    #[test]
    fn field_properties_tell_what_may_be_written() {
        let properties = field_properties(FIELDS);
        assert_eq!(properties["Name"]["FieldRight"]["Mask"], "FULL");
        assert_eq!(properties["Count"]["FieldRight"]["Mask"], "Read");
        assert_eq!(properties["Count"]["FieldType"], "System.Int32");
        assert_eq!(properties["Name"]["FieldLength"], 5);
    }
}
