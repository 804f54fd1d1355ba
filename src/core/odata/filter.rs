//! `$filter` expressions: the AST, the parser ([`Expr::parse`]) and the printer (`Display`).
//!
//! Grammar (precedence from loosest to tightest; keywords are lower case, as in OData):
//!
//! ```text
//! or_expr    = and_expr *( "or" and_expr )
//! and_expr   = unary *( "and" unary )
//! unary      = "not" unary / "(" or_expr ")" / comparison
//! comparison = operand ( "eq" / "ne" / "lt" / "le" / "gt" / "ge" ) operand
//! operand    = property / literal
//! property   = ( ALPHA / "_" ) *( ALPHA / DIGIT / "_" / "/" )
//! literal    = 'text' ('' is a quote) / number / true / false / null / GUID / date / date-time
//! ```
//!
//! Numbers follow the JSON grammar (`-3`, `2.5`, `1e3`). GUIDs are written bare
//! (`2b330c52-6844-4d36-8e05-03c78c9681dc`), as are dates and date-times
//! (`2024-05-01`, `2024-05-01T10:00:00Z`; see [`super::datetime`]).
//!
//! `and` and `or` chains are n-ary ([`Expr::And`], [`Expr::Or`]), so a long chain does not make
//! a deep tree; parentheses and `not` may nest at most [`MAX_FILTER_DEPTH`] levels. The tree
//! depth is therefore bounded for anything the parser returns, and printing, evaluating and
//! dropping it cannot exhaust the stack.
//!
//! The printer writes the canonical form: single spaces, `not (…)` always parenthesised, and
//! parentheses exactly where the tree needs them, so `Expr::parse(&e.to_string()) == Ok(e)`
//! for every parsed `e`.

use std::fmt::{self, Write as _};

use super::datetime::parse_datetime;
use super::ODataError;
use crate::core::json::Json;

/// Deepest nesting of parentheses and `not` that [`Expr::parse`] accepts.
pub const MAX_FILTER_DEPTH: usize = 32;

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CmpOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl CmpOp {
    /// The OData keyword (`eq`, `ne`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            CmpOp::Eq => "eq",
            CmpOp::Ne => "ne",
            CmpOp::Lt => "lt",
            CmpOp::Le => "le",
            CmpOp::Gt => "gt",
            CmpOp::Ge => "ge",
        }
    }

    /// The operator of a keyword (lower case only, as OData writes them).
    pub fn from_keyword(word: &str) -> Option<CmpOp> {
        Some(match word {
            "eq" => CmpOp::Eq,
            "ne" => CmpOp::Ne,
            "lt" => CmpOp::Lt,
            "le" => CmpOp::Le,
            "gt" => CmpOp::Gt,
            "ge" => CmpOp::Ge,
            _ => return None,
        })
    }
}

/// A literal value.
#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    Null,
    Bool(bool),
    Number(f64),
    /// The text, unescaped (`'O''Brien'` is `O'Brien`).
    String(String),
    /// A bare GUID, as written.
    Guid(String),
    /// A bare date or date-time, as written; [`Literal::datetime_ms`] gives the instant.
    DateTime(String),
}

impl Literal {
    /// The instant of a [`Literal::DateTime`], in ms since the epoch.
    pub fn datetime_ms(&self) -> Option<f64> {
        match self {
            Literal::DateTime(text) => parse_datetime(text),
            _ => None,
        }
    }
}

/// One side of a comparison.
#[derive(Debug, Clone, PartialEq)]
pub enum Operand {
    /// A property name or path (`statuscode`, `customer/name`).
    Property(String),
    Literal(Literal),
}

/// A `$filter` expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    Compare {
        left: Operand,
        op: CmpOp,
        right: Operand,
    },
    /// All of the items hold (an empty list is true).
    And(Vec<Expr>),
    /// At least one item holds (an empty list is false).
    Or(Vec<Expr>),
    Not(Box<Expr>),
}

impl Expr {
    /// Parses a `$filter` value (already percent-decoded).
    pub fn parse(text: &str) -> Result<Expr, ODataError> {
        let tokens = lex(text)?;
        let mut parser = Parser {
            tokens,
            index: 0,
            end: text.len(),
        };
        let expr = parser.or_expr(0)?;
        match parser.peek() {
            Tok::End => Ok(expr),
            Tok::RParen => Err(parser.error("unexpected ')'")),
            _ => Err(parser.error("expected 'and', 'or' or the end of the expression")),
        }
    }

    /// `property op literal`.
    pub fn compare(property: impl Into<String>, op: CmpOp, literal: Literal) -> Expr {
        Expr::Compare {
            left: Operand::Property(property.into()),
            op,
            right: Operand::Literal(literal),
        }
    }

    /// The conjunction of `items`; a single item is returned as it is.
    pub fn all(mut items: Vec<Expr>) -> Expr {
        if items.len() == 1 {
            if let Some(item) = items.pop() {
                return item;
            }
        }
        Expr::And(items)
    }

    /// The disjunction of `items`; a single item is returned as it is.
    pub fn any(mut items: Vec<Expr>) -> Expr {
        if items.len() == 1 {
            if let Some(item) = items.pop() {
                return item;
            }
        }
        Expr::Or(items)
    }

    /// Every property the expression names, in order of appearance (with repeats).
    pub fn properties(&self) -> Vec<&str> {
        let mut out = Vec::new();
        self.collect_properties(&mut out);
        out
    }

    fn collect_properties<'a>(&'a self, out: &mut Vec<&'a str>) {
        match self {
            Expr::Compare { left, right, .. } => {
                for side in [left, right] {
                    if let Operand::Property(name) = side {
                        out.push(name);
                    }
                }
            }
            Expr::And(items) | Expr::Or(items) => {
                for item in items {
                    item.collect_properties(out);
                }
            }
            Expr::Not(inner) => inner.collect_properties(out),
        }
    }
}

/// Whether `text` is a property name or path the parser accepts.
pub fn is_property_name(text: &str) -> bool {
    let mut bytes = text.bytes();
    matches!(bytes.next(), Some(b) if b.is_ascii_alphabetic() || b == b'_')
        && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'/')
}

/// Whether `text` is a GUID written `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx` (hex, any case).
pub fn is_guid(text: &str) -> bool {
    text.len() == 36
        && text.bytes().enumerate().all(|(i, b)| match i {
            8 | 13 | 18 | 23 => b == b'-',
            _ => b.is_ascii_hexdigit(),
        })
}

// ---------------------------------------------------------------------------------------------
// Printing

impl fmt::Display for Literal {
    fn fmt(&self, out: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Literal::Null => out.write_str("null"),
            Literal::Bool(flag) => out.write_str(if *flag { "true" } else { "false" }),
            Literal::Number(n) => write!(out, "{}", Json::Number(*n)),
            Literal::String(text) => {
                out.write_char('\'')?;
                for (i, part) in text.split('\'').enumerate() {
                    if i > 0 {
                        out.write_str("''")?;
                    }
                    out.write_str(part)?;
                }
                out.write_char('\'')
            }
            Literal::Guid(text) | Literal::DateTime(text) => out.write_str(text),
        }
    }
}

impl fmt::Display for Operand {
    fn fmt(&self, out: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Operand::Property(name) => out.write_str(name),
            Operand::Literal(literal) => write!(out, "{literal}"),
        }
    }
}

impl fmt::Display for Expr {
    fn fmt(&self, out: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expr::Compare { left, op, right } => write!(out, "{left} {} {right}", op.as_str()),
            // An empty conjunction is true, an empty disjunction false.
            Expr::And(items) if items.is_empty() => out.write_str("true eq true"),
            Expr::Or(items) if items.is_empty() => out.write_str("true eq false"),
            Expr::And(items) | Expr::Or(items) => {
                let is_and = matches!(self, Expr::And(_));
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.write_str(if is_and { " and " } else { " or " })?;
                    }
                    // `and` binds tighter than `or`: only an `and` inside an `or` goes bare.
                    let bare = match item {
                        Expr::And(_) => !is_and,
                        Expr::Or(_) => false,
                        _ => true,
                    };
                    if bare {
                        write!(out, "{item}")?;
                    } else {
                        write!(out, "({item})")?;
                    }
                }
                Ok(())
            }
            Expr::Not(inner) => write!(out, "not ({inner})"),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Lexing

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    LParen,
    RParen,
    /// A property name or a keyword.
    Word(String),
    Lit(Literal),
    End,
}

fn filter_error(position: usize, reason: &'static str) -> ODataError {
    ODataError::Filter { position, reason }
}

/// Characters of a bare token: names, numbers, GUIDs and date-times.
fn is_token_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'/' | b'.' | b':' | b'+' | b'-')
}

fn lex(text: &str) -> Result<Vec<(usize, Tok)>, ODataError> {
    let bytes = text.as_bytes();
    let mut tokens = Vec::new();
    let mut pos = 0;
    loop {
        while bytes.get(pos).is_some_and(u8::is_ascii_whitespace) {
            pos += 1;
        }
        let start = pos;
        let Some(&byte) = bytes.get(pos) else {
            tokens.push((pos, Tok::End));
            return Ok(tokens);
        };
        let token = match byte {
            b'(' => {
                pos += 1;
                Tok::LParen
            }
            b')' => {
                pos += 1;
                Tok::RParen
            }
            b'\'' => {
                pos += 1;
                let mut value = String::new();
                let mut run = pos;
                loop {
                    match bytes.get(pos) {
                        None => return Err(filter_error(start, "unterminated string literal")),
                        Some(b'\'') => {
                            // Quotes are ASCII, so these are character boundaries.
                            value.push_str(text.get(run..pos).unwrap_or_default());
                            if bytes.get(pos + 1) == Some(&b'\'') {
                                value.push('\'');
                                pos += 2;
                                run = pos;
                            } else {
                                pos += 1;
                                break;
                            }
                        }
                        Some(_) => pos += 1,
                    }
                }
                Tok::Lit(Literal::String(value))
            }
            b if is_token_byte(b) => {
                while bytes.get(pos).is_some_and(|&b| is_token_byte(b)) {
                    pos += 1;
                }
                let word = text.get(start..pos).unwrap_or_default();
                classify(word).ok_or_else(|| {
                    filter_error(start, "not a property name, number, GUID, date or keyword")
                })?
            }
            _ => return Err(filter_error(start, "unexpected character")),
        };
        tokens.push((start, token));
    }
}

fn classify(word: &str) -> Option<Tok> {
    let first = word.bytes().next()?;
    Some(match word {
        "true" => Tok::Lit(Literal::Bool(true)),
        "false" => Tok::Lit(Literal::Bool(false)),
        "null" => Tok::Lit(Literal::Null),
        _ if is_guid(word) => Tok::Lit(Literal::Guid(word.to_owned())),
        _ if parse_datetime(word).is_some() => Tok::Lit(Literal::DateTime(word.to_owned())),
        _ if first == b'-' || first.is_ascii_digit() => match Json::parse(word) {
            // `1e999` is infinite: not a number OData (or JSON) can carry.
            Ok(Json::Number(n)) if n.is_finite() => Tok::Lit(Literal::Number(n)),
            _ => return None,
        },
        _ if is_property_name(word) => Tok::Word(word.to_owned()),
        _ => return None,
    })
}

// ---------------------------------------------------------------------------------------------
// Parsing

struct Parser {
    tokens: Vec<(usize, Tok)>,
    index: usize,
    /// The length of the text: the position of the end.
    end: usize,
}

impl Parser {
    fn peek(&self) -> &Tok {
        self.tokens.get(self.index).map_or(&Tok::End, |(_, t)| t)
    }

    fn position(&self) -> usize {
        self.tokens.get(self.index).map_or(self.end, |(p, _)| *p)
    }

    fn error(&self, reason: &'static str) -> ODataError {
        filter_error(self.position(), reason)
    }

    fn is_word(&self, keyword: &str) -> bool {
        matches!(self.peek(), Tok::Word(w) if w == keyword)
    }

    fn advance(&mut self) {
        self.index += 1;
    }

    fn or_expr(&mut self, depth: usize) -> Result<Expr, ODataError> {
        let mut items = vec![self.and_expr(depth)?];
        while self.is_word("or") {
            self.advance();
            items.push(self.and_expr(depth)?);
        }
        Ok(Expr::any(items))
    }

    fn and_expr(&mut self, depth: usize) -> Result<Expr, ODataError> {
        let mut items = vec![self.unary(depth)?];
        while self.is_word("and") {
            self.advance();
            items.push(self.unary(depth)?);
        }
        Ok(Expr::all(items))
    }

    fn unary(&mut self, depth: usize) -> Result<Expr, ODataError> {
        if self.is_word("not") || *self.peek() == Tok::LParen {
            if depth >= MAX_FILTER_DEPTH {
                return Err(self.error("nested too deeply"));
            }
            if self.is_word("not") {
                self.advance();
                return Ok(Expr::Not(Box::new(self.unary(depth + 1)?)));
            }
            self.advance();
            let inner = self.or_expr(depth + 1)?;
            if *self.peek() != Tok::RParen {
                return Err(self.error("expected ')'"));
            }
            self.advance();
            return Ok(inner);
        }
        let left = self.operand()?;
        let op = match self.peek() {
            Tok::Word(word) => CmpOp::from_keyword(word),
            _ => None,
        }
        .ok_or_else(|| self.error("expected a comparison operator (eq, ne, lt, le, gt, ge)"))?;
        self.advance();
        let right = self.operand()?;
        Ok(Expr::Compare { left, op, right })
    }

    fn operand(&mut self) -> Result<Operand, ODataError> {
        let operand = match self.peek() {
            Tok::Word(word) if !is_keyword(word) => Operand::Property(word.clone()),
            Tok::Lit(literal) => Operand::Literal(literal.clone()),
            _ => return Err(self.error("expected a property name or a literal")),
        };
        self.advance();
        Ok(operand)
    }
}

fn is_keyword(word: &str) -> bool {
    matches!(word, "and" | "or" | "not") || CmpOp::from_keyword(word).is_some()
}
