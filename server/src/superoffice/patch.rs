//! PATCH bodies: JSON Patch (RFC 6902: `add`, `replace`, `remove`, `test`) and JSON Merge
//! Patch (RFC 7396, turned into JSON Patch operations). As in SuperOffice, paths ignore case
//! and their leading `/` is optional; `move` and `copy` are refused. An entity keeps its
//! shape: removing a property sets it to `null`.

use serde_json::{Map, Value};

use super::errors::SoError;

/// One JSON Patch operation.
#[derive(Debug, Clone, PartialEq)]
pub enum Op {
    Add(String, Value),
    Replace(String, Value),
    Remove(String),
    Test(String, Value),
}

impl Op {
    pub fn path(&self) -> &str {
        match self {
            Op::Add(path, _) | Op::Replace(path, _) | Op::Remove(path) | Op::Test(path, _) => path,
        }
    }
}

/// Reads a JSON Patch document.
pub fn parse_json_patch(body: &Value) -> Result<Vec<Op>, SoError> {
    let Value::Array(items) = body else {
        return Err(SoError::bad_request(
            "a JSON Patch body is an array of operations",
        ));
    };
    items
        .iter()
        .map(|item| {
            let Value::Object(fields) = item else {
                return Err(SoError::bad_request("a JSON Patch operation is an object"));
            };
            let get = |name: &str| {
                fields
                    .iter()
                    .find(|(key, _)| key.eq_ignore_ascii_case(name))
                    .map(|(_, v)| v)
            };
            let op = get("op")
                .and_then(Value::as_str)
                .ok_or_else(|| SoError::bad_request("a JSON Patch operation needs \"op\""))?;
            let path = get("path")
                .and_then(Value::as_str)
                .ok_or_else(|| SoError::bad_request("a JSON Patch operation needs \"path\""))?
                .to_owned();
            let value = || {
                get("value").cloned().ok_or_else(|| {
                    SoError::bad_request(format!("JSON Patch '{op}' needs \"value\""))
                })
            };
            match op.to_ascii_lowercase().as_str() {
                "add" => Ok(Op::Add(path, value()?)),
                "replace" => Ok(Op::Replace(path, value()?)),
                "remove" => Ok(Op::Remove(path)),
                "test" => Ok(Op::Test(path, value()?)),
                "move" | "copy" => Err(SoError::bad_request(format!(
                    "JSON Patch '{op}' is not supported: use add, replace, remove or test"
                ))),
                other => Err(SoError::bad_request(format!(
                    "unknown JSON Patch operation '{other}'"
                ))),
            }
        })
        .collect()
}

/// Turns a merge patch into operations on `current` (objects merge member by member; `null`
/// removes).
pub fn merge_patch_ops(patch: &Value, current: &Value) -> Result<Vec<Op>, SoError> {
    let Value::Object(_) = patch else {
        return Err(SoError::bad_request("a JSON Merge Patch body is an object"));
    };
    let mut ops = Vec::new();
    merge_into(&mut ops, "", patch, current);
    Ok(ops)
}

fn merge_into(ops: &mut Vec<Op>, prefix: &str, patch: &Value, current: &Value) {
    let Value::Object(members) = patch else {
        return;
    };
    for (key, value) in members {
        let path = format!("{prefix}/{}", escape(key));
        let existing = match current {
            Value::Object(map) => map
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(key))
                .map(|(_, v)| v),
            _ => None,
        };
        match (value, existing) {
            (Value::Null, _) => ops.push(Op::Remove(path)),
            (Value::Object(_), Some(existing @ Value::Object(_))) => {
                merge_into(ops, &path, value, existing)
            }
            (Value::Object(_), _) => ops.push(Op::Add(path, strip_nulls(value))),
            _ => ops.push(Op::Add(path, value.clone())),
        }
    }
}

fn strip_nulls(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k.clone(), strip_nulls(v)))
                .collect(),
        ),
        other => other.clone(),
    }
}

fn escape(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

/// Splits a path into unescaped segments (`/a/b`, `a/b`, `A/B` alike).
pub fn segments(path: &str) -> Vec<String> {
    path.trim_start_matches('/')
        .split('/')
        .filter(|s| !s.is_empty())
        .map(|s| s.replace("~1", "/").replace("~0", "~"))
        .collect()
}

/// Applies `ops` to `document` in order. `equal(path, expected, actual)` decides `test`
/// (a failed test is 409). Paths that do not exist are 400 (except `add` of a new member of
/// an existing object below the top level).
pub fn apply(
    document: &mut Value,
    ops: &[Op],
    equal: &dyn Fn(&[String], &Value, &Value) -> bool,
) -> Result<(), SoError> {
    for op in ops {
        let path = segments(op.path());
        if path.is_empty() {
            return Err(SoError::bad_request(
                "JSON Patch on the whole entity is not supported: name a property",
            ));
        }
        match op {
            Op::Test(_, expected) => {
                let actual = resolve(document, &path)
                    .ok_or_else(|| missing(op.path()))?
                    .clone();
                if !equal(&path, expected, &actual) {
                    return Err(SoError::conflict(format!(
                        "JSON Patch test failed: {} is {actual}, not {expected}",
                        op.path()
                    )));
                }
            }
            Op::Replace(_, value) => {
                let target = resolve_mut(document, &path).ok_or_else(|| missing(op.path()))?;
                *target = value.clone();
            }
            Op::Remove(_) => {
                let target = resolve_mut(document, &path).ok_or_else(|| missing(op.path()))?;
                *target = Value::Null;
            }
            Op::Add(_, value) => {
                if let Some(target) = resolve_mut(document, &path) {
                    *target = value.clone();
                    continue;
                }
                // A new member of an existing object (not a new top-level property).
                let (last, parent_path) = path.split_last().expect("not empty");
                if parent_path.is_empty() {
                    return Err(missing(op.path()));
                }
                match resolve_mut(document, parent_path) {
                    Some(Value::Object(map)) => {
                        map.insert(last.clone(), value.clone());
                    }
                    Some(parent @ Value::Null) => {
                        let mut map = Map::new();
                        map.insert(last.clone(), value.clone());
                        *parent = Value::Object(map);
                    }
                    _ => return Err(missing(op.path())),
                }
            }
        }
    }
    Ok(())
}

fn missing(path: &str) -> SoError {
    SoError::bad_request(format!("JSON Patch path '{path}' does not exist"))
}

fn resolve<'a>(document: &'a Value, path: &[String]) -> Option<&'a Value> {
    let mut current = document;
    for part in path {
        current = match current {
            Value::Object(map) => map
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(part))
                .map(|(_, v)| v)?,
            _ => return None,
        };
    }
    Some(current)
}

fn resolve_mut<'a>(document: &'a mut Value, path: &[String]) -> Option<&'a mut Value> {
    let mut current = document;
    for part in path {
        current = match current {
            Value::Object(map) => {
                let key = map.keys().find(|k| k.eq_ignore_ascii_case(part))?.clone();
                map.get_mut(&key)?
            }
            _ => return None,
        };
    }
    Some(current)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn exact(_: &[String], a: &Value, b: &Value) -> bool {
        a == b
    }

    #[test]
    fn json_patch_ops_apply_in_order_with_case_insensitive_paths() {
        let mut doc = json!({"Name": "a", "Count": 1, "Contact": null, "User": {"Name": "bob"}});
        let ops = parse_json_patch(&json!([
            {"op": "test", "path": "/name", "value": "a"},
            {"op": "replace", "path": "NAME", "value": "b"},
            {"op": "remove", "path": "/Count"},
            {"op": "add", "path": "/contact/ContactId", "value": 7},
            {"op": "add", "path": "/User/Name", "value": "eve"}
        ]))
        .unwrap();
        apply(&mut doc, &ops, &exact).unwrap();
        assert_eq!(
            doc,
            json!({"Name": "b", "Count": null, "Contact": {"ContactId": 7}, "User": {"Name": "eve"}})
        );
    }

    #[test]
    fn a_failed_test_is_409_and_bad_paths_are_400() {
        let mut doc = json!({"Name": "a"});
        let ops = parse_json_patch(&json!([{"op": "test", "path": "Name", "value": "z"}])).unwrap();
        assert_eq!(
            apply(&mut doc, &ops, &exact).unwrap_err().status.as_u16(),
            409
        );
        for bad in [
            json!([{"op": "replace", "path": "/Nope", "value": 1}]),
            json!([{"op": "add", "path": "/Nope", "value": 1}]),
            json!([{"op": "remove", "path": "/Name/x"}]),
            json!([{"op": "replace", "path": "/", "value": 1}]),
        ] {
            let ops = parse_json_patch(&bad).unwrap();
            assert_eq!(
                apply(&mut doc, &ops, &exact).unwrap_err().status.as_u16(),
                400
            );
        }
        for bad in [
            json!({"op": "add"}),
            json!([{"op": "move", "from": "/a", "path": "/b"}]),
            json!([{"op": "copy", "from": "/a", "path": "/b"}]),
            json!([{"op": "replace", "path": "/Name"}]),
            json!([{"path": "/Name"}]),
            json!([1]),
        ] {
            assert_eq!(
                parse_json_patch(&bad).unwrap_err().status.as_u16(),
                400,
                "{bad}"
            );
        }
    }

    #[test]
    fn merge_patches_become_operations() {
        let current = json!({"Name": "a", "User": {"Name": "bob", "Id": 1}, "Contact": null});
        let ops = merge_patch_ops(
            &json!({"name": "b", "User": {"Name": "eve"}, "Contact": {"Id": 3, "X": null}, "Count": null}),
            &current,
        )
        .unwrap();
        // Members come in key order.
        assert_eq!(
            ops,
            vec![
                Op::Add("/Contact".into(), json!({"Id": 3})),
                Op::Remove("/Count".into()),
                Op::Add("/User/Name".into(), json!("eve")),
                Op::Add("/name".into(), json!("b")),
            ]
        );
        assert!(merge_patch_ops(&json!([1]), &current).is_err());
        assert_eq!(segments("/a~1b/c~0d"), vec!["a/b", "c~d"]);
    }
}
