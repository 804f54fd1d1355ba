//! A query: `$select`, `$filter`, `$orderby` and `$top`, to and from a URL query string.

use std::fmt;

use super::filter::{is_property_name, Expr};
use super::ODataError;

/// One `$orderby` item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderBy {
    pub property: String,
    pub descending: bool,
}

/// The system query options of one request. Empty vectors and `None` mean "not given".
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Query {
    pub select: Vec<String>,
    pub filter: Option<Expr>,
    pub order_by: Vec<OrderBy>,
    pub top: Option<u64>,
}

fn option_error(option: &'static str, reason: impl Into<String>) -> ODataError {
    ODataError::Option {
        option,
        reason: reason.into(),
    }
}

/// Parses a `$select` value: property names separated by commas (spaces allowed around them).
pub fn parse_select(text: &str) -> Result<Vec<String>, ODataError> {
    text.split(',')
        .map(|item| {
            let item = item.trim();
            if is_property_name(item) {
                Ok(item.to_owned())
            } else if item.is_empty() {
                Err(option_error("$select", "a property name is missing"))
            } else {
                Err(option_error(
                    "$select",
                    format!("'{item}' is not a property name"),
                ))
            }
        })
        .collect()
}

/// Parses an `$orderby` value: `property [asc|desc]` items separated by commas.
pub fn parse_order_by(text: &str) -> Result<Vec<OrderBy>, ODataError> {
    text.split(',')
        .map(|item| {
            let mut words = item.split_ascii_whitespace();
            let property = words.next().unwrap_or_default();
            if !is_property_name(property) {
                return Err(if property.is_empty() {
                    option_error("$orderby", "a property name is missing")
                } else {
                    option_error("$orderby", format!("'{property}' is not a property name"))
                });
            }
            let descending = match words.next() {
                None | Some("asc") => false,
                Some("desc") => true,
                Some(other) => {
                    return Err(option_error(
                        "$orderby",
                        format!("expected asc or desc after {property}, found '{other}'"),
                    ))
                }
            };
            if let Some(extra) = words.next() {
                return Err(option_error(
                    "$orderby",
                    format!("unexpected '{extra}' after {property}"),
                ));
            }
            Ok(OrderBy {
                property: property.to_owned(),
                descending,
            })
        })
        .collect()
}

/// Parses a `$top` value: a whole number of records.
pub fn parse_top(text: &str) -> Result<u64, ODataError> {
    let text = text.trim();
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(option_error("$top", "must be a whole number of records"));
    }
    text.parse()
        .map_err(|_| option_error("$top", "is too large"))
}

impl Query {
    /// Parses a URL query string (`?` optional): `$select`, `$filter`, `$orderby` and `$top`,
    /// percent-decoded, with `+` as a space (as browsers' `URLSearchParams` write it; send a
    /// literal plus as `%2B`). Option names may be in any case. Parameters without a `$` are
    /// ignored; other `$` options are [`ODataError::Unsupported`]; an option given twice is an
    /// error.
    pub fn parse(query: &str) -> Result<Query, ODataError> {
        let query = query.strip_prefix('?').unwrap_or(query);
        let mut out = Query::default();
        let mut seen = [false; 4];
        for pair in query.split('&').filter(|pair| !pair.is_empty()) {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            let key = percent_decode(key)
                .ok_or_else(|| option_error("query string", "bad percent-encoding"))?;
            if !key.starts_with('$') {
                continue;
            }
            let (slot, name) = match key.to_ascii_lowercase().as_str() {
                "$select" => (0, "$select"),
                "$filter" => (1, "$filter"),
                "$orderby" => (2, "$orderby"),
                "$top" => (3, "$top"),
                _ => return Err(ODataError::Unsupported(key)),
            };
            if let Some(done) = seen.get_mut(slot) {
                if *done {
                    return Err(option_error(name, "is given more than once"));
                }
                *done = true;
            }
            let value =
                percent_decode(value).ok_or_else(|| option_error(name, "bad percent-encoding"))?;
            match slot {
                0 => out.select = parse_select(&value)?,
                1 => out.filter = Some(Expr::parse(&value)?),
                2 => out.order_by = parse_order_by(&value)?,
                _ => out.top = Some(parse_top(&value)?),
            }
        }
        Ok(out)
    }

    /// The query string to put after `?`: options in the order `$select`, `$filter`,
    /// `$orderby`, `$top`, values percent-encoded (spaces as `%20`). Empty when nothing is set.
    pub fn to_query_string(&self) -> String {
        let mut out = String::new();
        self.write_options(&mut |name, value| {
            if !out.is_empty() {
                out.push('&');
            }
            out.push_str(name);
            out.push('=');
            percent_encode_into(&mut out, value);
        });
        out
    }

    fn write_options(&self, emit: &mut dyn FnMut(&str, &str)) {
        if !self.select.is_empty() {
            emit("$select", &self.select.join(","));
        }
        if let Some(filter) = &self.filter {
            emit("$filter", &filter.to_string());
        }
        if !self.order_by.is_empty() {
            let items: Vec<String> = self
                .order_by
                .iter()
                .map(|o| {
                    if o.descending {
                        format!("{} desc", o.property)
                    } else {
                        o.property.clone()
                    }
                })
                .collect();
            emit("$orderby", &items.join(","));
        }
        if let Some(top) = self.top {
            emit("$top", &top.to_string());
        }
    }
}

impl fmt::Display for Query {
    /// The readable, unencoded form: `$select=a,b&$filter=x eq 1&$orderby=a desc`.
    fn fmt(&self, out: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut result = Ok(());
        let mut first = true;
        self.write_options(&mut |name, value| {
            let sep = if first { "" } else { "&" };
            first = false;
            if result.is_ok() {
                result = write!(out, "{sep}{name}={value}");
            }
        });
        result
    }
}

/// Decodes `%XX` escapes and `+` (a space); `None` on a bad escape or on bytes that are not
/// UTF-8.
pub fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'%' => {
                let hex = |at: usize| bytes.get(at).and_then(|&h| (h as char).to_digit(16));
                let (Some(hi), Some(lo)) = (hex(i + 1), hex(i + 2)) else {
                    return None;
                };
                out.push((hi * 16 + lo) as u8);
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            _ => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

/// Appends `text` percent-encoded for a query-string value: letters, digits and
/// `-._~$,'():/@*!;` stay as they are; everything else (space, `&`, `=`, `+`, `#`, `%`,
/// non-ASCII …) becomes `%XX`.
pub fn percent_encode_into(out: &mut String, text: &str) {
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~$,'():/@*!;".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push('%');
            for nibble in [b >> 4, b & 15] {
                let digit = char::from_digit(u32::from(nibble), 16).unwrap_or('0');
                out.push(digit.to_ascii_uppercase());
            }
        }
    }
}
