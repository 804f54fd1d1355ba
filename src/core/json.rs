//! A small, strict JSON value with a parser and a serializer.
//!
//! Why not serde_json: the SDK must stay within a tight download budget, and the page's own
//! JavaScript engine already parses JSON where the facade meets JS. The core still needs to read
//! and write wire messages (Bayeux, GMS) natively and in tests; this module does exactly that
//! and nothing more. It follows RFC 8259, never panics, and refuses nesting deeper than
//! [`MAX_DEPTH`] so that hostile input cannot exhaust the stack.

use std::fmt;

/// Deepest nesting of arrays and objects [`Json::parse`] accepts.
pub const MAX_DEPTH: usize = 64;

/// A JSON value. Objects keep their members in order; numbers are `f64`, as in JavaScript.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Json {
    #[default]
    Null,
    Bool(bool),
    Number(f64),
    String(String),
    Array(Vec<Json>),
    Object(Vec<(String, Json)>),
}

/// Why a text is not the JSON [`Json::parse`] accepts. Its text is
/// `invalid JSON at byte {offset}: {reason}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonError {
    pub offset: usize,
    pub reason: &'static str,
}

impl JsonError {
    /// The `Display` text, without `fmt` (callers in the wasm use this, not `to_string`).
    pub(crate) fn text(&self) -> String {
        let mut text = String::from("invalid JSON at byte ");
        push_u64(&mut text, self.offset as u64);
        push_all(&mut text, &[": ", self.reason]);
        text
    }
}

impl fmt::Display for JsonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text())
    }
}

impl std::error::Error for JsonError {}

impl Json {
    /// Parses one JSON text (surrounding white space allowed, nothing else after it).
    pub fn parse(text: &str) -> Result<Json, JsonError> {
        let mut parser = Parser {
            bytes: text.as_bytes(),
            pos: 0,
        };
        let value = parser.value(0)?;
        parser.skip_ws();
        if parser.pos != parser.bytes.len() {
            return Err(parser.error("unexpected text after the value"));
        }
        Ok(value)
    }

    /// An object from `(key, value)` pairs.
    pub fn object<K: AsRef<str>>(members: impl IntoIterator<Item = (K, Json)>) -> Json {
        // This is instantiated once per array length at the call sites: keep the generic part
        // a bare loop, and the copying of the key and the growing of the vector in one
        // non-generic function.
        let mut out = Vec::new();
        for (k, v) in members {
            push_member(&mut out, k.as_ref(), v);
        }
        Json::Object(out)
    }

    pub fn str(text: impl Into<String>) -> Json {
        Json::String(text.into())
    }

    /// The member `key` of an object (the last one, if repeated), or `None`.
    pub fn get(&self, key: &str) -> Option<&Json> {
        match self {
            Json::Object(members) => {
                // A plain loop: smaller in the wasm than `rev().find(..).map(..)`.
                let mut at = members.len();
                while at > 0 {
                    at -= 1;
                    if let Some((k, v)) = members.get(at) {
                        if k == key {
                            return Some(v);
                        }
                    }
                }
                None
            }
            _ => None,
        }
    }

    /// Sets `key` on an object, replacing an earlier value; does nothing on other values.
    pub fn set(&mut self, key: impl AsRef<str>, value: Json) {
        // The generic part only borrows the key: one shared body for every key type, which
        // copies the key only when it adds a member.
        self.set_key(key.as_ref(), value);
    }

    #[inline(never)]
    fn set_key(&mut self, key: &str, value: Json) {
        if let Json::Object(members) = self {
            // A plain loop: smaller in the wasm than `iter_mut().find(..)`.
            for (k, slot) in members.iter_mut() {
                if k == key {
                    *slot = value;
                    return;
                }
            }
            members.push((key.to_owned(), value));
        }
    }

    /// Removes `key` from an object and returns its value.
    pub fn remove(&mut self, key: &str) -> Option<Json> {
        match self {
            Json::Object(members) => {
                // A plain loop: smaller in the wasm than `iter().position(..)`.
                let mut at = 0;
                while let Some((k, _)) = members.get(at) {
                    if k == key {
                        return Some(members.remove(at).1);
                    }
                    at += 1;
                }
                None
            }
            _ => None,
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self, Json::Null)
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Json::String(text) => Some(text),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Json::Bool(flag) => Some(*flag),
            _ => None,
        }
    }

    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Json::Number(number) => Some(*number),
            _ => None,
        }
    }

    /// A whole, non-negative number that fits exactly (up to 2^53).
    pub fn as_u64(&self) -> Option<u64> {
        match self {
            Json::Number(n) if *n >= 0.0 && n.fract() == 0.0 && *n <= 9_007_199_254_740_992.0 => {
                Some(*n as u64)
            }
            _ => None,
        }
    }

    /// A whole number that fits exactly (within ±2^53).
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Json::Number(n) if n.fract() == 0.0 && n.abs() <= 9_007_199_254_740_992.0 => {
                Some(*n as i64)
            }
            _ => None,
        }
    }

    pub fn as_array(&self) -> Option<&[Json]> {
        match self {
            Json::Array(items) => Some(items),
            _ => None,
        }
    }

    pub fn as_object(&self) -> Option<&[(String, Json)]> {
        match self {
            Json::Object(members) => Some(members),
            _ => None,
        }
    }
}

/// What a member read with [`Json::member`] must be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Want {
    /// A whole number, 0 or more ([`Json::as_u64`]).
    Count,
    /// `true` or `false`.
    Bool,
    /// A finite number.
    Number,
    /// A string.
    Str,
    /// A string or a number; the error says "a string".
    StrOrNumber,
    /// A number or a string; the error says so.
    Id,
    /// An object.
    Object,
    /// An array.
    Array,
}

impl Want {
    /// The reason given when a value is not what is wanted.
    pub(crate) fn reason(self) -> &'static str {
        match self {
            Want::Count => "must be a whole number, 0 or more",
            Want::Bool => "must be true or false",
            Want::Number => "must be a number",
            Want::Str | Want::StrOrNumber => "must be a string",
            Want::Id => "must be a number or a string",
            Want::Object => "must be an object",
            Want::Array => "must be an array",
        }
    }

    /// Whether `value` is what is wanted.
    pub(crate) fn fits(self, value: &Json) -> bool {
        match (self, value) {
            (Want::Count, v) => v.as_u64().is_some(),
            (Want::Bool, Json::Bool(_))
            | (Want::Str, Json::String(_))
            | (Want::StrOrNumber | Want::Id, Json::String(_) | Json::Number(_))
            | (Want::Object, Json::Object(_))
            | (Want::Array, Json::Array(_)) => true,
            (Want::Number, Json::Number(n)) => n.is_finite(),
            _ => false,
        }
    }
}

impl Json {
    /// The member `key` checked against `want`: `Ok(None)` when absent or `null`,
    /// `Err(reason)` ([`Want::reason`]) when of another kind. One routine for every lenient
    /// reader (envelopes, transcript and raw events), which keeps them small in the wasm.
    pub(crate) fn member(&self, key: &str, want: Want) -> Result<Option<&Json>, &'static str> {
        match self.get(key).filter(|v| !v.is_null()) {
            None => Ok(None),
            Some(value) if want.fits(value) => Ok(Some(value)),
            Some(_) => Err(want.reason()),
        }
    }
}

/// Where a checked value is: a name (empty for the value read itself) and, for an element of
/// an array, its index. Errors are named from it only when they happen, so that valid input
/// builds no names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct At<'p>(pub &'p str, pub Option<usize>);

/// The first failed check of a [`Check`]: where, which member, and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Fault<'p> {
    pub at: At<'p>,
    /// The member's path as the reader names it (`.from.nickname`, `party.name`; the key is
    /// what follows the last `.`); empty for the value at `at` itself.
    pub path: &'p str,
    pub reason: &'static str,
}

/// The checks of one lenient read, keeping the first failure. Readers built on it never
/// return early: after a failure they go on with neutral values, and the caller turns the
/// kept [`Fault`] into its error once at the end. One error exit instead of one per `?`,
/// and no error text until one is needed, keep the readers small in the wasm.
#[derive(Debug, Default)]
pub(crate) struct Check<'p> {
    pub fault: Option<Fault<'p>>,
}

impl<'p> Check<'p> {
    /// Keeps the failure of `path` at `at` unless an earlier one is kept.
    pub(crate) fn fail(&mut self, at: At<'p>, path: &'p str, reason: &'static str) {
        if self.fault.is_none() {
            self.fault = Some(Fault { at, path, reason });
        }
    }

    /// The member named by `path` (its key is what follows the last `.`), checked against
    /// `want`; `None` when absent, `null`, or wrong (then failed).
    pub(crate) fn field<'a>(
        &mut self,
        object: &'a Json,
        at: At<'p>,
        path: &'p str,
        want: Want,
    ) -> Option<&'a Json> {
        // A byte search: `rsplit('.')` would link the reverse char searcher into the wasm.
        let key = match path.bytes().rposition(|b| b == b'.') {
            Some(dot) => path.get(dot + 1..).unwrap_or_default(),
            None => path,
        };
        match object.member(key, want) {
            Ok(value) => value,
            Err(reason) => {
                self.fail(at, path, reason);
                None
            }
        }
    }

    /// Whether `value` is an object (failed otherwise).
    pub(crate) fn object(&mut self, value: &Json, at: At<'p>) -> bool {
        let object = value.as_object().is_some();
        if !object {
            self.fail(at, "", Want::Object.reason());
        }
        object
    }
}

#[inline(never)]
fn push_member(members: &mut Vec<(String, Json)>, key: &str, value: Json) {
    members.push((key.to_owned(), value));
}

impl From<&str> for Json {
    fn from(text: &str) -> Self {
        Json::String(text.to_owned())
    }
}

impl From<String> for Json {
    fn from(text: String) -> Self {
        Json::String(text)
    }
}

impl From<bool> for Json {
    fn from(flag: bool) -> Self {
        Json::Bool(flag)
    }
}

impl From<u64> for Json {
    fn from(number: u64) -> Self {
        Json::Number(number as f64)
    }
}

impl From<i64> for Json {
    fn from(number: i64) -> Self {
        Json::Number(number as f64)
    }
}

impl From<f64> for Json {
    fn from(number: f64) -> Self {
        Json::Number(number)
    }
}

impl<T: Into<Json>> From<Option<T>> for Json {
    fn from(value: Option<T>) -> Self {
        value.map_or(Json::Null, Into::into)
    }
}

impl fmt::Display for Json {
    /// Compact JSON text (see [`Json::write_to`]).
    fn fmt(&self, out: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut text = String::new();
        self.write_to(&mut text);
        out.write_str(&text)
    }
}

impl Json {
    /// Appends the compact JSON text of the value to `out`; `to_string` gives the same text.
    /// Non-finite numbers, which JSON cannot carry, are written as `null` (as
    /// `JSON.stringify` does).
    ///
    /// Written with `push`/`push_str` rather than through `fmt::Formatter`: one plain
    /// recursive function is much smaller in the wasm than the formatting machinery.
    pub fn write_to(&self, out: &mut String) {
        match self {
            Json::Null => out.push_str("null"),
            Json::Bool(flag) => out.push_str(if *flag { "true" } else { "false" }),
            Json::Number(n) => write_number(out, *n),
            Json::String(text) => write_string(out, text),
            Json::Array(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    item.write_to(out);
                }
                out.push(']');
            }
            Json::Object(members) => {
                out.push('{');
                for (i, (key, value)) in members.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    write_string(out, key);
                    out.push(':');
                    value.write_to(out);
                }
                out.push('}');
            }
        }
    }
}

/// The parts joined into one string: `format!` without `fmt` (much smaller in the wasm).
pub(crate) fn concat(parts: &[&str]) -> String {
    let mut out = String::new();
    push_all(&mut out, parts);
    out
}

/// Appends the parts to `out`.
pub(crate) fn push_all(out: &mut String, parts: &[&str]) {
    for part in parts {
        out.push_str(part);
    }
}

/// `n` in decimal, without `fmt`.
pub(crate) fn u64_text(n: u64) -> String {
    let mut out = String::new();
    push_u64(&mut out, n);
    out
}

/// Appends `n` in decimal, without `fmt` (a few bytes of wasm instead of the formatter).
pub(crate) fn push_u64(out: &mut String, mut n: u64) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    loop {
        at -= 1;
        if let Some(slot) = digits.get_mut(at) {
            *slot = b'0' + (n % 10) as u8;
        }
        n /= 10;
        if n == 0 || at == 0 {
            break;
        }
    }
    for &digit in digits.get(at..).unwrap_or_default() {
        out.push(char::from(digit));
    }
}

/// `text` read as `u64::from_str` does (an optional `+`, then decimal digits only; `None`
/// when empty, malformed or too large), without the standard parser: one shared function
/// instead of one instance per integer type, and no 128-bit multiplication in the wasm.
pub(crate) fn parse_u64(text: &str) -> Option<u64> {
    let bytes = text.as_bytes();
    let digits = bytes.strip_prefix(b"+").unwrap_or(bytes);
    if digits.is_empty() {
        return None;
    }
    let mut value: u64 = 0;
    for &b in digits {
        if !b.is_ascii_digit() {
            return None;
        }
        let digit = u64::from(b - b'0');
        // `value * 10 + digit` fits exactly when this holds.
        if value > (u64::MAX - digit) / 10 {
            return None;
        }
        value = value * 10 + digit;
    }
    Some(value)
}

/// Appends `n` in decimal (with a `-` when negative), without `fmt`.
pub(crate) fn push_i64(out: &mut String, n: i64) {
    if n < 0 {
        out.push('-');
    }
    push_u64(out, n.unsigned_abs());
}

/// Writes a number without Rust's float formatting (which would add ~15 KB to the wasm):
/// whole numbers exactly; others as a decimal with up to 15 significant digits, which is
/// what a chat protocol carries (indexes, times, durations) and close to what JS prints.
/// Non-finite numbers, which JSON cannot carry, are written as `null`, as `JSON.stringify`
/// does.
fn write_number(out: &mut String, n: f64) {
    if !n.is_finite() {
        return out.push_str("null");
    }
    if n.fract() == 0.0 && n.abs() < 1e18 {
        return push_i64(out, n as i64);
    }
    if n < 0.0 {
        out.push('-');
    }
    let magnitude = n.abs();
    // Scale into [1e14, 1e15) so that the digits are an integer, and remember the exponent.
    let mut exponent = 0i32;
    let mut scaled = magnitude;
    while scaled >= 1e15 {
        scaled /= 10.0;
        exponent += 1;
    }
    while scaled < 1e14 {
        scaled *= 10.0;
        exponent -= 1;
    }
    let mut digits = scaled.round() as u64;
    if digits >= 1_000_000_000_000_000 {
        digits /= 10;
        exponent += 1;
    }
    let mut text = String::new();
    push_u64(&mut text, digits);
    // The value is digits × 10^exponent; place the decimal point.
    let point = text.len() as i32 + exponent;
    while text.len() > 1 && text.ends_with('0') {
        text.pop();
    }
    let len = text.len() as i32;
    // Where a `.` goes among the digits (none when it would come last), and the exponent
    // written after them (none when 0 is not needed).
    let (dot, e) = if point <= 0 {
        if point < -6 {
            // d.ddd × 10^(point − 1)
            (1, Some(point - 1))
        } else {
            out.push_str("0.");
            for _ in 0..-point {
                out.push('0');
            }
            (0, None)
        }
    } else if point >= len {
        // Whole, but too large for the exact path above.
        (0, Some(point - len))
    } else {
        (point, None)
    };
    for (i, digit) in text.chars().enumerate() {
        if dot > 0 && i as i32 == dot {
            out.push('.');
        }
        out.push(digit);
    }
    if let Some(e) = e {
        out.push('e');
        push_i64(out, i64::from(e));
    }
}

/// Appends `text` as a JSON string (quoted and escaped).
pub(crate) fn write_string(out: &mut String, text: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            // U+2028 and U+2029 are escaped so that the text is also safe inside a script.
            c if (c as u32) < 0x20 || c == '\u{2028}' || c == '\u{2029}' => {
                out.push_str("\\u");
                for shift in [12, 8, 4, 0] {
                    out.push(char::from(HEX[(c as usize >> shift) & 0xf]));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// The value of a JSON number already checked by the parser, without Rust's float parser
/// (which would add ~10 KB to the wasm): exact for integers up to 2^53 and for decimals with
/// up to 19 significant digits times a power of ten within ±22; otherwise within a few units
/// in the last place, which is all a chat protocol needs.
fn decimal_value(text: &[u8]) -> f64 {
    let mut negative = false;
    let mut mantissa: u64 = 0;
    let mut exponent: i32 = 0;
    let mut in_fraction = false;
    let mut iter = text.iter().peekable();
    if iter.peek() == Some(&&b'-') {
        negative = true;
        iter.next();
    }
    while let Some(&byte) = iter.next() {
        match byte {
            b'0'..=b'9' => {
                if mantissa < 1_000_000_000_000_000_000 {
                    mantissa = mantissa * 10 + u64::from(byte - b'0');
                    if in_fraction {
                        exponent -= 1;
                    }
                } else if !in_fraction {
                    exponent += 1;
                }
            }
            b'.' => in_fraction = true,
            b'e' | b'E' => {
                let mut sign = 1i32;
                let mut value: i32 = 0;
                for &byte in iter.by_ref() {
                    match byte {
                        b'-' => sign = -1,
                        b'+' => {}
                        digit => {
                            value = value
                                .saturating_mul(10)
                                .saturating_add(i32::from(digit - b'0'))
                        }
                    }
                }
                exponent = exponent.saturating_add(sign * value);
            }
            _ => {}
        }
    }
    let mut value = mantissa as f64;
    // Exact powers of ten up to 1e22 keep simple decimals exact.
    const EXACT: [f64; 23] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
        1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ];
    let mut remaining = exponent;
    while remaining != 0 && value != 0.0 && value.is_finite() {
        let step = remaining.unsigned_abs().min(22) as usize;
        let factor = EXACT.get(step).copied().unwrap_or(1.0);
        if remaining > 0 {
            value *= factor;
            remaining -= step as i32;
        } else {
            value /= factor;
            remaining += step as i32;
        }
    }
    if negative {
        -value
    } else {
        value
    }
}

struct Parser<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl Parser<'_> {
    fn error(&self, reason: &'static str) -> JsonError {
        JsonError {
            offset: self.pos,
            reason,
        }
    }

    fn skip_ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.bytes.get(self.pos) {
            self.pos += 1;
        }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn expect_literal(&mut self, literal: &'static str, value: Json) -> Result<Json, JsonError> {
        if self
            .bytes
            .get(self.pos..)
            .unwrap_or_default()
            .starts_with(literal.as_bytes())
        {
            self.pos += literal.len();
            Ok(value)
        } else {
            Err(self.error("unknown literal"))
        }
    }

    fn value(&mut self, depth: usize) -> Result<Json, JsonError> {
        self.skip_ws();
        match self.peek() {
            None => Err(self.error("unexpected end of input")),
            Some(b'n') => self.expect_literal("null", Json::Null),
            Some(b't') => self.expect_literal("true", Json::Bool(true)),
            Some(b'f') => self.expect_literal("false", Json::Bool(false)),
            Some(b'"') => self.string().map(Json::String),
            Some(b'[') => self.container(false, depth + 1),
            Some(b'{') => self.container(true, depth + 1),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(_) => Err(self.error("unexpected character")),
        }
    }

    /// An array or (`object`) an object: one loop for both, which is smaller in the wasm.
    fn container(&mut self, object: bool, depth: usize) -> Result<Json, JsonError> {
        if depth > MAX_DEPTH {
            return Err(self.error("nested too deeply"));
        }
        self.pos += 1;
        let (close, expected) = if object {
            (b'}', "expected ',' or '}'")
        } else {
            (b']', "expected ',' or ']'")
        };
        let mut items = Vec::new();
        let mut members = Vec::new();
        self.skip_ws();
        if self.peek() == Some(close) {
            self.pos += 1;
        } else {
            loop {
                if object {
                    self.skip_ws();
                    if self.peek() != Some(b'"') {
                        return Err(self.error("expected a member name"));
                    }
                    let key = self.string()?;
                    self.skip_ws();
                    if self.peek() != Some(b':') {
                        return Err(self.error("expected ':'"));
                    }
                    self.pos += 1;
                    let value = self.value(depth)?;
                    members.push((key, value));
                } else {
                    items.push(self.value(depth)?);
                }
                self.skip_ws();
                match self.peek() {
                    Some(b',') => self.pos += 1,
                    Some(b) if b == close => {
                        self.pos += 1;
                        break;
                    }
                    _ => return Err(self.error(expected)),
                }
            }
        }
        Ok(if object {
            Json::Object(members)
        } else {
            Json::Array(items)
        })
    }

    fn number(&mut self) -> Result<Json, JsonError> {
        let start = self.pos;
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        match self.peek() {
            Some(b'0') => self.pos += 1,
            Some(b'1'..=b'9') => self.digits(),
            _ => return Err(self.error("expected a digit")),
        }
        if self.peek() == Some(b'.') {
            self.pos += 1;
            if !matches!(self.peek(), Some(b'0'..=b'9')) {
                return Err(self.error("expected a digit after '.'"));
            }
            self.digits();
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.pos += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.pos += 1;
            }
            if !matches!(self.peek(), Some(b'0'..=b'9')) {
                return Err(self.error("expected a digit in the exponent"));
            }
            self.digits();
        }
        Ok(Json::Number(decimal_value(
            self.bytes.get(start..self.pos).unwrap_or_default(),
        )))
    }

    fn digits(&mut self) {
        while let Some(b'0'..=b'9') = self.peek() {
            self.pos += 1;
        }
    }

    fn hex4(&mut self) -> Result<u32, JsonError> {
        let mut code = 0u32;
        for _ in 0..4 {
            let digit = match self.peek() {
                Some(b @ b'0'..=b'9') => b - b'0',
                Some(b @ b'a'..=b'f') => b - b'a' + 10,
                Some(b @ b'A'..=b'F') => b - b'A' + 10,
                _ => return Err(self.error("expected four hex digits")),
            };
            code = code * 16 + u32::from(digit);
            self.pos += 1;
        }
        Ok(code)
    }

    fn string(&mut self) -> Result<String, JsonError> {
        self.pos += 1;
        let mut text = String::new();
        loop {
            // Copy the run of plain characters at once; the input is valid UTF-8 and runs end
            // on ASCII bytes, so the slice boundaries are character boundaries.
            let run_start = self.pos;
            while let Some(b) = self.peek() {
                if b == b'"' || b == b'\\' || b < 0x20 {
                    break;
                }
                self.pos += 1;
            }
            if self.pos > run_start {
                let run =
                    std::str::from_utf8(self.bytes.get(run_start..self.pos).unwrap_or_default())
                        .map_err(|_| self.error("invalid UTF-8"))?;
                text.push_str(run);
            }
            match self.peek() {
                None => return Err(self.error("unterminated string")),
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(text);
                }
                Some(b'\\') => {
                    self.pos += 1;
                    let escaped = self
                        .peek()
                        .ok_or_else(|| self.error("unterminated escape"))?;
                    self.pos += 1;
                    // The character first, then one `push` for every escape.
                    let c = match escaped {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => {
                            let first = self.hex4()?;
                            let code = if (0xD800..0xDC00).contains(&first) {
                                if !self
                                    .bytes
                                    .get(self.pos..)
                                    .unwrap_or_default()
                                    .starts_with(b"\\u")
                                {
                                    return Err(self.error("lone surrogate"));
                                }
                                self.pos += 2;
                                let second = self.hex4()?;
                                if !(0xDC00..0xE000).contains(&second) {
                                    return Err(self.error("lone surrogate"));
                                }
                                0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
                            } else {
                                first
                            };
                            char::from_u32(code).ok_or_else(|| self.error("lone surrogate"))?
                        }
                        _ => return Err(self.error("unknown escape")),
                    };
                    text.push(c);
                }
                Some(_) => return Err(self.error("control character in string")),
            }
        }
    }
}

#[cfg(test)]
mod parse_u64_tests {
    use super::parse_u64;

    #[test]
    fn reads_like_from_str() {
        for text in [
            "",
            "+",
            "-",
            "-1",
            "0",
            "+0",
            "7",
            "+42",
            "00012",
            "1 ",
            " 1",
            "1.0",
            "1e3",
            "x",
            "18446744073709551615",
            "18446744073709551616",
            "99999999999999999999",
        ] {
            assert_eq!(parse_u64(text), text.parse::<u64>().ok(), "{text:?}");
            assert_eq!(
                parse_u64(text).and_then(|n| u16::try_from(n).ok()),
                text.parse::<u16>().ok(),
                "{text:?}"
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_writes_back_every_kind_of_value() {
        let text =
            r#"{"a":[1,-2.5,3e2,true,false,null],"b":{"c":"d\n\"e\"\u00e9\ud83d\ude00"},"":""}"#;
        let value = Json::parse(text).unwrap();
        assert_eq!(
            value.get("a").and_then(Json::as_array).map(<[Json]>::len),
            Some(6)
        );
        assert_eq!(
            value.get("a").unwrap().as_array().unwrap()[2].as_u64(),
            Some(300)
        );
        assert_eq!(
            value.get("b").unwrap().get("c").unwrap().as_str(),
            Some("d\n\"e\"é😀")
        );
        let written = value.to_string();
        assert_eq!(Json::parse(&written).unwrap(), value);
        assert_eq!(
            written,
            r#"{"a":[1,-2.5,300,true,false,null],"b":{"c":"d\n\"e\"é😀"},"":""}"#
        );
    }

    #[test]
    fn refuses_what_is_not_json() {
        for bad in [
            "",
            " ",
            "{",
            "[1,]",
            "{\"a\"}",
            "{\"a\":1,}",
            "01",
            "1.",
            "-",
            "1e",
            "tru",
            "nul",
            "\"abc",
            "\"\\x\"",
            "\"\\ud800\"",
            "\"\\ud800\\u0041\"",
            "\"a\u{1}\"",
            "[1] 2",
            "'a'",
            "{a:1}",
            "NaN",
            "Infinity",
        ] {
            assert!(Json::parse(bad).is_err(), "accepted {bad:?}");
        }
    }

    #[test]
    fn refuses_deep_nesting_without_overflowing() {
        let deep = "[".repeat(100_000);
        assert_eq!(Json::parse(&deep).unwrap_err().reason, "nested too deeply");
        let fine = format!("{}{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
        assert!(Json::parse(&fine).is_ok());
    }

    #[test]
    fn numbers_read_as_javascript_reads_them() {
        assert_eq!(
            Json::parse("9007199254740993").unwrap().as_u64(),
            Some(9_007_199_254_740_992)
        );
        assert_eq!(Json::parse("-0").unwrap().as_i64(), Some(0));
        assert_eq!(Json::parse("1.5").unwrap().as_u64(), None);
        assert_eq!(Json::parse("-1").unwrap().as_u64(), None);
        assert_eq!(Json::Number(f64::NAN).to_string(), "null");
        assert_eq!(Json::Number(0.1).to_string(), "0.1");
        assert_eq!(
            Json::Number(1e300).to_string(),
            Json::parse("1e300").unwrap().to_string()
        );
        for (text, value) in [
            ("2.5", 2.5),
            ("-0.125", -0.125),
            ("1e3", 1000.0),
            ("12.5e-1", 1.25),
            ("1E+2", 100.0),
            ("0.000001", 1e-6),
        ] {
            assert_eq!(Json::parse(text).unwrap().as_f64(), Some(value), "{text}");
        }
        for value in [
            2.5,
            -0.125,
            1.25,
            1e-6,
            123.456,
            1e-9,
            3.5e-12,
            3.0e20,
            0.1 + 0.2,
        ] {
            let written = Json::Number(value).to_string();
            let read = Json::parse(&written).unwrap().as_f64().unwrap();
            assert!(
                (read - value).abs() <= value.abs() * 1e-14,
                "{value} -> {written} -> {read}"
            );
        }
        assert_eq!(Json::Number(2.5).to_string(), "2.5");
        assert_eq!(Json::Number(-0.125).to_string(), "-0.125");
        assert_eq!(Json::Number(1e-9).to_string(), "1e-9");
        assert_eq!(Json::Number(3.5e-12).to_string(), "3.5e-12");
        assert_eq!(Json::Number(0.000123).to_string(), "0.000123");
    }

    #[test]
    fn integers_are_written_without_fmt() {
        for (n, text) in [
            (0u64, "0"),
            (7, "7"),
            (10, "10"),
            (u64::MAX, "18446744073709551615"),
        ] {
            let mut out = String::new();
            push_u64(&mut out, n);
            assert_eq!(out, text);
        }
        let mut out = String::new();
        push_i64(&mut out, i64::MIN);
        assert_eq!(out, i64::MIN.to_string());
        assert_eq!(Json::Number(-3.0).to_string(), "-3");
        assert_eq!(Json::Number(-0.0).to_string(), "0");
        assert_eq!(Json::Number(1e18).to_string(), "1e18");
        assert_eq!(
            Json::from("\u{1f}\u{2029}").to_string(),
            r#""\u001f\u2029""#
        );
    }

    #[test]
    fn strings_are_escaped_so_they_stay_one_string() {
        let tricky = "quote\" back\\ tab\t nl\n ctl\u{1} sep\u{2028} </script>";
        let written = Json::from(tricky).to_string();
        assert!(!written.contains('\n') && !written.contains('\u{2028}'));
        assert_eq!(Json::parse(&written).unwrap().as_str(), Some(tricky));
    }

    #[test]
    fn objects_can_be_built_and_edited() {
        let mut value = Json::object([("a", Json::from(1u64)), ("b", Json::Null)]);
        value.set("a", "x".into());
        value.set("c", true.into());
        assert_eq!(value.remove("b"), Some(Json::Null));
        assert_eq!(value.to_string(), r#"{"a":"x","c":true}"#);
        assert_eq!(Json::Null.get("a"), None);
        // Repeated keys: the last one wins, as in JSON.parse.
        assert_eq!(
            Json::parse(r#"{"k":1,"k":2}"#)
                .unwrap()
                .get("k")
                .unwrap()
                .as_u64(),
            Some(2)
        );
    }
}
