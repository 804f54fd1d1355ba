//! Evaluating a query over records held as JSON objects (what a server does with it).
//!
//! A record is a [`Json`] object; a property path `a/b` reads member `b` of member `a`; a
//! missing member is `null`.
//!
//! Comparison rules:
//! - `null`: `eq null` holds for null or missing values, `ne null` for the others; any other
//!   comparison with a null side is false (`x ne 5` holds when `x` is null, as `ne` is always
//!   "not `eq`").
//! - numbers compare numerically; booleans with `false < true`;
//! - strings compare ordinally (case-sensitive, by UTF-8 bytes);
//! - a GUID literal equals a string that is the same GUID in any case;
//! - a date-time literal compares by instant with a string holding an ISO date-time
//!   (`2024-05-01T10:00:00Z`, any offset); a string that is not a date-time never compares;
//! - values of different kinds are never equal and never ordered.

use std::cmp::Ordering;

use super::datetime::parse_datetime;
use super::filter::{CmpOp, Expr, Literal, Operand};
use super::query::{OrderBy, Query};
use crate::core::json::Json;

/// The value at a property path of a record, if present.
pub fn property<'a>(record: &'a Json, path: &str) -> Option<&'a Json> {
    if let Some(value) = record.get(path) {
        return Some(value);
    }
    if !path.contains('/') {
        return None;
    }
    path.split('/')
        .try_fold(record, |value, key| value.get(key))
}

/// A value on one side of a comparison.
enum Val<'a> {
    Null,
    Bool(bool),
    Number(f64),
    Str(&'a str),
    Guid(&'a str),
    Time(f64),
    /// Arrays and objects: comparable with nothing.
    Other,
}

fn operand_value<'a>(operand: &'a Operand, record: &'a Json) -> Val<'a> {
    match operand {
        Operand::Property(path) => match property(record, path) {
            None | Some(Json::Null) => Val::Null,
            Some(Json::Bool(b)) => Val::Bool(*b),
            Some(Json::Number(n)) => Val::Number(*n),
            Some(Json::String(s)) => Val::Str(s),
            Some(_) => Val::Other,
        },
        Operand::Literal(literal) => match literal {
            Literal::Null => Val::Null,
            Literal::Bool(b) => Val::Bool(*b),
            Literal::Number(n) => Val::Number(*n),
            Literal::String(s) => Val::Str(s),
            Literal::Guid(g) => Val::Guid(g),
            Literal::DateTime(t) => parse_datetime(t).map_or(Val::Other, Val::Time),
        },
    }
}

fn guid_order(a: &str, b: &str) -> Ordering {
    a.bytes()
        .map(|c| c.to_ascii_lowercase())
        .cmp(b.bytes().map(|c| c.to_ascii_lowercase()))
}

/// The order of two non-null values, or `None` when they do not compare.
fn order(left: &Val<'_>, right: &Val<'_>) -> Option<Ordering> {
    match (left, right) {
        (Val::Bool(a), Val::Bool(b)) => Some(a.cmp(b)),
        (Val::Number(a), Val::Number(b)) => a.partial_cmp(b),
        (Val::Str(a), Val::Str(b)) => Some(a.cmp(b)),
        (Val::Guid(a) | Val::Str(a), Val::Guid(b)) | (Val::Guid(a), Val::Str(b)) => {
            Some(guid_order(a, b))
        }
        (Val::Time(a), Val::Time(b)) => a.partial_cmp(b),
        (Val::Str(s), Val::Time(t)) => parse_datetime(s)?.partial_cmp(t),
        (Val::Time(t), Val::Str(s)) => t.partial_cmp(&parse_datetime(s)?),
        _ => None,
    }
}

fn compare(left: &Val<'_>, op: CmpOp, right: &Val<'_>) -> bool {
    let left_null = matches!(left, Val::Null);
    let right_null = matches!(right, Val::Null);
    if left_null || right_null {
        let both = left_null && right_null;
        return match op {
            CmpOp::Eq => both,
            CmpOp::Ne => !both,
            _ => false,
        };
    }
    let ordering = order(left, right);
    match op {
        CmpOp::Eq => ordering == Some(Ordering::Equal),
        CmpOp::Ne => ordering != Some(Ordering::Equal),
        CmpOp::Lt => ordering == Some(Ordering::Less),
        CmpOp::Le => matches!(ordering, Some(Ordering::Less | Ordering::Equal)),
        CmpOp::Gt => ordering == Some(Ordering::Greater),
        CmpOp::Ge => matches!(ordering, Some(Ordering::Greater | Ordering::Equal)),
    }
}

impl Expr {
    /// Whether `record` (a JSON object) satisfies the expression.
    pub fn matches(&self, record: &Json) -> bool {
        match self {
            Expr::Compare { left, op, right } => compare(
                &operand_value(left, record),
                *op,
                &operand_value(right, record),
            ),
            Expr::And(items) => items.iter().all(|item| item.matches(record)),
            Expr::Or(items) => items.iter().any(|item| item.matches(record)),
            Expr::Not(inner) => !inner.matches(record),
        }
    }
}

/// A total order of JSON values for sorting: null, then booleans, numbers, strings, arrays,
/// objects; within a kind, the natural order (strings ordinally; NaN after other numbers;
/// arrays and objects are all equal).
pub fn sort_order(a: &Json, b: &Json) -> Ordering {
    fn rank(value: &Json) -> u8 {
        match value {
            Json::Null => 0,
            Json::Bool(_) => 1,
            Json::Number(_) => 2,
            Json::String(_) => 3,
            Json::Array(_) => 4,
            Json::Object(_) => 5,
        }
    }
    match (a, b) {
        (Json::Bool(x), Json::Bool(y)) => x.cmp(y),
        (Json::Number(x), Json::Number(y)) => x.total_cmp(y),
        (Json::String(x), Json::String(y)) => x.cmp(y),
        _ => rank(a).cmp(&rank(b)),
    }
}

/// Compares two records by `$orderby` items (a missing property is null, which sorts first
/// when ascending).
pub fn compare_records(a: &Json, b: &Json, order_by: &[OrderBy]) -> Ordering {
    for item in order_by {
        let left = property(a, &item.property).unwrap_or(&Json::Null);
        let right = property(b, &item.property).unwrap_or(&Json::Null);
        let ordering = sort_order(left, right);
        let ordering = if item.descending {
            ordering.reverse()
        } else {
            ordering
        };
        if ordering != Ordering::Equal {
            return ordering;
        }
    }
    Ordering::Equal
}

/// The record with only the `$select` properties, in `$select` order, each `null` when
/// missing; the whole record when `select` is empty.
pub fn project(record: &Json, select: &[String]) -> Json {
    if select.is_empty() {
        return record.clone();
    }
    Json::Object(
        select
            .iter()
            .map(|name| {
                let value = property(record, name).cloned().unwrap_or_default();
                (name.clone(), value)
            })
            .collect(),
    )
}

impl Query {
    /// Runs the query over `records`: keeps those matching `$filter`, sorts them stably by
    /// `$orderby`, keeps the first `$top`, and projects each to `$select`.
    pub fn apply(&self, records: impl IntoIterator<Item = Json>) -> Vec<Json> {
        let mut kept: Vec<Json> = records
            .into_iter()
            .filter(|record| self.filter.as_ref().is_none_or(|f| f.matches(record)))
            .collect();
        if !self.order_by.is_empty() {
            kept.sort_by(|a, b| compare_records(a, b, &self.order_by));
        }
        if let Some(top) = self.top {
            kept.truncate(usize::try_from(top).unwrap_or(usize::MAX));
        }
        kept.iter()
            .map(|record| project(record, &self.select))
            .collect()
    }
}
