//! An honest OData subset for archive lists: `$filter`, `$orderBy`, `$top`, `$skip`.
//!
//! `$filter` supports `eq ne lt le gt ge`, `and`, `or`, `not`, parentheses, the functions
//! `startswith`, `endswith` and `contains`, and literals: `'strings'` (`''` escapes a quote),
//! numbers, `true`/`false`, `null`, dates (`2024-05-01`, `2024-05-01T10:00:00Z`, or
//! `datetime'…'`) and enum names (`Status eq Closed` or `Status eq 'Closed'`). It is parsed
//! into an [`Expr`] and compiled to SQL whose values are all bind parameters.

use super::dates::{looks_like_date, DateStyle};
use super::errors::SoError;
use super::fields::Kind;
use crate::chat::ChatSessionStatus;

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CmpOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl CmpOp {
    fn parse(word: &str) -> Option<Self> {
        Some(match word.to_ascii_lowercase().as_str() {
            "eq" => CmpOp::Eq,
            "ne" => CmpOp::Ne,
            "lt" => CmpOp::Lt,
            "le" => CmpOp::Le,
            "gt" => CmpOp::Gt,
            "ge" => CmpOp::Ge,
            _ => return None,
        })
    }

    fn sql(self) -> &'static str {
        match self {
            CmpOp::Eq => "=",
            CmpOp::Ne => "<>",
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
        }
    }

    /// The operator with its operands swapped (`5 lt X` is `X gt 5`).
    fn flipped(self) -> Self {
        match self {
            CmpOp::Lt => CmpOp::Gt,
            CmpOp::Le => CmpOp::Ge,
            CmpOp::Gt => CmpOp::Lt,
            CmpOp::Ge => CmpOp::Le,
            other => other,
        }
    }
}

/// A string function.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Func {
    StartsWith,
    EndsWith,
    Contains,
}

/// A literal in a filter.
#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    Null,
    Bool(bool),
    Int(i64),
    Real(f64),
    Text(String),
    Date(String),
    /// A bare word that is not a property: an enum name.
    Word(String),
}

/// A parsed `$filter`.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    Not(Box<Expr>),
    Compare {
        field: String,
        op: CmpOp,
        value: Literal,
    },
    Call {
        func: Func,
        field: String,
        value: String,
    },
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    LParen,
    RParen,
    Comma,
    Word(String),
    Text(String),
    Number(String),
    Date(String),
}

fn bad(message: impl Into<String>) -> SoError {
    SoError::bad_request(format!("$filter: {}", message.into()))
}

fn tokenize(text: &str) -> Result<Vec<Token>, SoError> {
    let chars: Vec<char> = text.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            c if c.is_whitespace() => i += 1,
            '(' => {
                tokens.push(Token::LParen);
                i += 1;
            }
            ')' => {
                tokens.push(Token::RParen);
                i += 1;
            }
            ',' => {
                tokens.push(Token::Comma);
                i += 1;
            }
            '\'' => {
                let mut value = String::new();
                i += 1;
                loop {
                    match chars.get(i) {
                        None => return Err(bad("unterminated string")),
                        Some('\'') if chars.get(i + 1) == Some(&'\'') => {
                            value.push('\'');
                            i += 2;
                        }
                        Some('\'') => {
                            i += 1;
                            break;
                        }
                        Some(c) => {
                            value.push(*c);
                            i += 1;
                        }
                    }
                }
                // datetime'2024-01-01' is a date.
                if let Some(Token::Word(word)) = tokens.last() {
                    if word.eq_ignore_ascii_case("datetime")
                        || word.eq_ignore_ascii_case("datetimeoffset")
                    {
                        tokens.pop();
                        tokens.push(Token::Date(value));
                        continue;
                    }
                }
                tokens.push(Token::Text(value));
            }
            c if c.is_ascii_digit()
                || (c == '-' && chars.get(i + 1).is_some_and(char::is_ascii_digit)) =>
            {
                let start = i;
                i += 1;
                while i < chars.len()
                    && (chars[i].is_ascii_alphanumeric()
                        || matches!(chars[i], '.' | ':' | '-' | '+'))
                {
                    i += 1;
                }
                let word: String = chars[start..i].iter().collect();
                if looks_like_date(&word) {
                    tokens.push(Token::Date(word));
                } else {
                    tokens.push(Token::Number(word));
                }
            }
            c if c.is_alphabetic() || c == '_' || c == '$' => {
                let start = i;
                while i < chars.len()
                    && (chars[i].is_alphanumeric() || matches!(chars[i], '_' | '/' | '.' | '$'))
                {
                    i += 1;
                }
                tokens.push(Token::Word(chars[start..i].iter().collect()));
            }
            other => return Err(bad(format!("unexpected character '{other}'"))),
        }
    }
    Ok(tokens)
}

struct Parser {
    tokens: Vec<Token>,
    at: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.at)
    }

    fn next(&mut self) -> Option<Token> {
        let token = self.tokens.get(self.at).cloned();
        self.at += 1;
        token
    }

    fn keyword(&self, word: &str) -> bool {
        matches!(self.peek(), Some(Token::Word(w)) if w.eq_ignore_ascii_case(word))
    }

    fn expect(&mut self, token: Token) -> Result<(), SoError> {
        match self.next() {
            Some(found) if found == token => Ok(()),
            other => Err(bad(format!("expected {token:?}, found {other:?}"))),
        }
    }

    fn or(&mut self) -> Result<Expr, SoError> {
        let mut left = self.and()?;
        while self.keyword("or") {
            self.at += 1;
            let right = self.and()?;
            left = Expr::Or(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Expr, SoError> {
        let mut left = self.unary()?;
        while self.keyword("and") {
            self.at += 1;
            let right = self.unary()?;
            left = Expr::And(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn unary(&mut self) -> Result<Expr, SoError> {
        if self.keyword("not") {
            self.at += 1;
            return Ok(Expr::Not(Box::new(self.unary()?)));
        }
        self.primary()
    }

    fn primary(&mut self) -> Result<Expr, SoError> {
        if self.peek() == Some(&Token::LParen) {
            self.at += 1;
            let inner = self.or()?;
            self.expect(Token::RParen)?;
            return Ok(inner);
        }
        // A function call?
        if let (Some(Token::Word(name)), Some(Token::LParen)) =
            (self.tokens.get(self.at), self.tokens.get(self.at + 1))
        {
            let func = match name.to_ascii_lowercase().as_str() {
                "startswith" => Func::StartsWith,
                "endswith" => Func::EndsWith,
                "contains" | "substringof" => Func::Contains,
                other => return Err(bad(format!("unknown function '{other}'"))),
            };
            self.at += 2;
            let field = match self.next() {
                Some(Token::Word(field)) => field,
                other => return Err(bad(format!("expected a property, found {other:?}"))),
            };
            self.expect(Token::Comma)?;
            let value = match self.next() {
                Some(Token::Text(value)) => value,
                other => return Err(bad(format!("expected a 'string', found {other:?}"))),
            };
            self.expect(Token::RParen)?;
            return Ok(Expr::Call { func, field, value });
        }
        let left = self.operand()?;
        let op = match self.next() {
            Some(Token::Word(word)) => {
                CmpOp::parse(&word).ok_or_else(|| bad(format!("unknown operator '{word}'")))?
            }
            other => return Err(bad(format!("expected an operator, found {other:?}"))),
        };
        let right = self.operand()?;
        match (left, right) {
            (Operand::Field(field), Operand::Literal(value)) => {
                Ok(Expr::Compare { field, op, value })
            }
            (Operand::Literal(value), Operand::Field(field)) => Ok(Expr::Compare {
                field,
                op: op.flipped(),
                value,
            }),
            // `Status eq Closed`: the right-hand word is an enum name.
            (Operand::Field(field), Operand::Field(word)) => Ok(Expr::Compare {
                field,
                op,
                value: Literal::Word(word),
            }),
            _ => Err(bad("a comparison needs a property on one side")),
        }
    }

    fn operand(&mut self) -> Result<Operand, SoError> {
        match self.next() {
            Some(Token::Word(word)) => Ok(match word.to_ascii_lowercase().as_str() {
                "null" => Operand::Literal(Literal::Null),
                "true" => Operand::Literal(Literal::Bool(true)),
                "false" => Operand::Literal(Literal::Bool(false)),
                _ => Operand::Field(word),
            }),
            Some(Token::Text(text)) => Ok(Operand::Literal(Literal::Text(text))),
            Some(Token::Date(text)) => Ok(Operand::Literal(Literal::Date(text))),
            Some(Token::Number(text)) => {
                if let Ok(n) = text.parse::<i64>() {
                    Ok(Operand::Literal(Literal::Int(n)))
                } else if let Ok(x) = text.parse::<f64>() {
                    Ok(Operand::Literal(Literal::Real(x)))
                } else {
                    Err(bad(format!("'{text}' is not a number")))
                }
            }
            other => Err(bad(format!(
                "expected a property or a value, found {other:?}"
            ))),
        }
    }
}

enum Operand {
    Field(String),
    Literal(Literal),
}

/// Parses a `$filter` expression.
pub fn parse_filter(text: &str) -> Result<Expr, SoError> {
    let tokens = tokenize(text)?;
    if tokens.is_empty() {
        return Err(bad("empty expression"));
    }
    let mut parser = Parser { tokens, at: 0 };
    let expr = parser.or()?;
    if parser.at < parser.tokens.len() {
        return Err(bad(format!("unexpected {:?}", parser.tokens[parser.at])));
    }
    Ok(expr)
}

pub use crate::sql::Bind;

/// A property as SQL sees it.
#[derive(Debug, Clone)]
pub struct Column {
    /// An SQL expression over the list's tables; it may hold `?` for `binds`.
    pub sql: String,
    pub binds: Vec<Bind>,
    pub kind: Kind,
}

/// Resolves a property path (`Status`, `User/Name`, `Contact/ContactId` …) to a column.
pub trait Columns {
    fn column(&self, path: &str) -> Result<Column, SoError>;
    /// Maps an associate id to the user name it stands for.
    fn associate_name(&self, id: i64) -> Option<String>;
}

/// SQL for a filter, with its binds in order.
pub fn compile(
    expr: &Expr,
    columns: &dyn Columns,
    dates: &DateStyle,
    binds: &mut Vec<Bind>,
) -> Result<String, SoError> {
    Ok(match expr {
        Expr::And(a, b) => format!(
            "({} AND {})",
            compile(a, columns, dates, binds)?,
            compile(b, columns, dates, binds)?
        ),
        Expr::Or(a, b) => format!(
            "({} OR {})",
            compile(a, columns, dates, binds)?,
            compile(b, columns, dates, binds)?
        ),
        Expr::Not(inner) => format!(
            "(NOT COALESCE({}, 0))",
            compile(inner, columns, dates, binds)?
        ),
        Expr::Call { func, field, value } => {
            let column = columns.column(field)?;
            if !matches!(column.kind, Kind::Text | Kind::Associate | Kind::Object) {
                return Err(bad(format!("{field} is not text")));
            }
            binds.extend(column.binds.iter().cloned());
            let needle = Bind::Text(value.to_lowercase());
            match func {
                Func::Contains => {
                    binds.push(needle);
                    format!("(instr(lower({}), ?) > 0)", column.sql)
                }
                Func::StartsWith => {
                    binds.push(needle.clone());
                    binds.push(needle);
                    format!("(substr(lower({}), 1, length(?)) = ?)", column.sql)
                }
                Func::EndsWith => {
                    binds.push(needle.clone());
                    binds.push(needle);
                    format!("(substr(lower({}), -length(?)) = ?)", column.sql)
                }
            }
        }
        Expr::Compare { field, op, value } => {
            let column = columns.column(field)?;
            if *value == Literal::Null {
                binds.extend(column.binds.iter().cloned());
                return match op {
                    CmpOp::Eq => Ok(format!("({} IS NULL)", column.sql)),
                    CmpOp::Ne => Ok(format!("({} IS NOT NULL)", column.sql)),
                    _ => Err(bad(format!(
                        "null can only be compared with eq or ne ({field})"
                    ))),
                };
            }
            let (bind, collate) = literal_for(field, &column, *op, value, columns, dates)?;
            binds.extend(column.binds.iter().cloned());
            binds.push(bind);
            let collate = if collate { " COLLATE NOCASE" } else { "" };
            format!("({} {} ?{collate})", column.sql, op.sql())
        }
    })
}

/// The bound value for comparing `column` with `value`, and whether text compares without
/// regard to case.
fn literal_for(
    field: &str,
    column: &Column,
    op: CmpOp,
    value: &Literal,
    columns: &dyn Columns,
    dates: &DateStyle,
) -> Result<(Bind, bool), SoError> {
    let mismatch = || bad(format!("{value:?} cannot be compared with {field}"));
    let equality_only = || {
        if matches!(op, CmpOp::Eq | CmpOp::Ne) {
            Ok(())
        } else {
            Err(bad(format!("{field} can only be compared with eq or ne")))
        }
    };
    Ok(match column.kind {
        Kind::Int => match value {
            Literal::Int(n) => (Bind::Int(*n), false),
            Literal::Real(x) => (Bind::Real(*x), false),
            Literal::Text(t) => (Bind::Int(t.trim().parse().map_err(|_| mismatch())?), false),
            _ => return Err(mismatch()),
        },
        Kind::Bool => {
            equality_only()?;
            match value {
                Literal::Bool(b) => (Bind::Int(i64::from(*b)), false),
                _ => return Err(mismatch()),
            }
        }
        Kind::Text => match value {
            Literal::Text(t) | Literal::Word(t) | Literal::Date(t) => (Bind::Text(t.clone()), true),
            Literal::Int(n) => (Bind::Text(n.to_string()), true),
            _ => return Err(mismatch()),
        },
        Kind::Date => match value {
            Literal::Date(t) | Literal::Text(t) => (Bind::Int(dates.parse(t).map_err(bad)?), false),
            _ => return Err(mismatch()),
        },
        Kind::Status => {
            let status = match value {
                Literal::Text(t) | Literal::Word(t) => ChatSessionStatus::parse(t),
                Literal::Int(n) => ChatSessionStatus::from_value(*n),
                _ => None,
            }
            .ok_or_else(|| bad(format!("{value:?} is not a ChatSessionStatus")))?;
            (Bind::Int(status.value()), false)
        }
        Kind::Flags => {
            equality_only()?;
            match value {
                Literal::Text(t) | Literal::Word(t) => {
                    (
                        Bind::Int(parse_flags(t).ok_or_else(|| {
                            bad(format!("'{t}' is not a set of ChatSessionFlags"))
                        })?),
                        false,
                    )
                }
                _ => return Err(mismatch()),
            }
        }
        Kind::Associate => {
            equality_only()?;
            match value {
                Literal::Text(t) | Literal::Word(t) => (Bind::Text(t.clone()), true),
                Literal::Int(id) => (
                    columns
                        .associate_name(*id)
                        .map(Bind::Text)
                        .unwrap_or(Bind::Null),
                    true,
                ),
                _ => return Err(mismatch()),
            }
        }
        Kind::Object => match value {
            Literal::Text(t) | Literal::Word(t) | Literal::Date(t) => {
                (Bind::Text(t.clone()), false)
            }
            Literal::Int(n) => (Bind::Int(*n), false),
            Literal::Real(x) => (Bind::Real(*x), false),
            Literal::Bool(b) => (Bind::Int(i64::from(*b)), false),
            Literal::Null => (Bind::Null, false),
        },
    })
}

/// `CustomerIsTyping, UserIsTyping` → bits 1 and 2; `""` → 0.
pub fn parse_flags(text: &str) -> Option<i64> {
    let mut mask = 0;
    for name in text
        .split([',', '|'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        mask |= FLAG_NAMES
            .iter()
            .find(|(flag, _)| flag.eq_ignore_ascii_case(name))
            .map(|(_, bit)| *bit)?;
    }
    Some(mask)
}

/// Bits → `CustomerIsTyping, UserIsTyping`.
pub fn format_flags(mask: i64) -> String {
    FLAG_NAMES
        .iter()
        .filter(|(_, bit)| mask & bit != 0)
        .map(|(name, _)| *name)
        .collect::<Vec<_>>()
        .join(", ")
}

/// `ChatSessionFlags` names and the bit this server gives each.
pub const FLAG_NAMES: [(&str, i64); 2] = [("CustomerIsTyping", 1), ("UserIsTyping", 2)];

/// A parsed `$orderBy`: SQL and binds.
pub fn order_by(
    text: &str,
    columns: &dyn Columns,
    binds: &mut Vec<Bind>,
) -> Result<Vec<String>, SoError> {
    let mut terms = Vec::new();
    for item in text.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let mut words = item.split_whitespace();
        let field = words.next().unwrap_or_default();
        let direction = match words.next().map(str::to_ascii_lowercase).as_deref() {
            None | Some("asc") => "ASC",
            Some("desc") => "DESC",
            Some(other) => {
                return Err(SoError::bad_request(format!(
                    "$orderBy: '{other}' is not asc or desc"
                )))
            }
        };
        if words.next().is_some() {
            return Err(SoError::bad_request(format!(
                "$orderBy: cannot read '{item}'"
            )));
        }
        let column = columns
            .column(field)
            .map_err(|e| SoError::bad_request(e.message.replace("$filter", "$orderBy")))?;
        binds.extend(column.binds);
        terms.push(format!("{} {direction}", column.sql));
    }
    Ok(terms)
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Fake;

    impl Columns for Fake {
        fn column(&self, path: &str) -> Result<Column, SoError> {
            let (sql, kind) = match path.to_ascii_lowercase().as_str() {
                "id" => ("c.id", Kind::Int),
                "name" => ("c.name", Kind::Text),
                "status" => ("c.status", Kind::Status),
                "when" => ("c.at", Kind::Date),
                "busy" => ("c.busy", Kind::Bool),
                "user" | "user/name" => ("c.agent", Kind::Associate),
                "flags" => ("c.flags", Kind::Flags),
                "contact/contactid" => {
                    return Ok(Column {
                        sql: "json_extract(c.crm, ?)".into(),
                        binds: vec![Bind::Text("$.Contact.ContactId".into())],
                        kind: Kind::Object,
                    })
                }
                _ => return Err(bad(format!("unknown property '{path}'"))),
            };
            Ok(Column {
                sql: sql.into(),
                binds: Vec::new(),
                kind,
            })
        }

        fn associate_name(&self, id: i64) -> Option<String> {
            (id == 1).then(|| "bob".to_owned())
        }
    }

    fn sql(filter: &str) -> Result<(String, Vec<Bind>), SoError> {
        let expr = parse_filter(filter)?;
        let mut binds = Vec::new();
        let sql = compile(&expr, &Fake, &DateStyle::default(), &mut binds)?;
        Ok((sql, binds))
    }

    #[test]
    fn the_ast_follows_precedence_and_parentheses() {
        let expr = parse_filter("id eq 1 or id eq 2 and not (name eq 'x')").unwrap();
        let cmp = |n| Expr::Compare {
            field: "id".into(),
            op: CmpOp::Eq,
            value: Literal::Int(n),
        };
        assert_eq!(
            expr,
            Expr::Or(
                Box::new(cmp(1)),
                Box::new(Expr::And(
                    Box::new(cmp(2)),
                    Box::new(Expr::Not(Box::new(Expr::Compare {
                        field: "name".into(),
                        op: CmpOp::Eq,
                        value: Literal::Text("x".into()),
                    })))
                ))
            )
        );
        assert_eq!(
            parse_filter("5 lt id").unwrap(),
            Expr::Compare {
                field: "id".into(),
                op: CmpOp::Gt,
                value: Literal::Int(5)
            }
        );
        assert_eq!(
            parse_filter("Status EQ Closed").unwrap(),
            Expr::Compare {
                field: "Status".into(),
                op: CmpOp::Eq,
                value: Literal::Word("Closed".into())
            }
        );
        assert_eq!(
            parse_filter("startswith(name,'O''Brien')").unwrap(),
            Expr::Call {
                func: Func::StartsWith,
                field: "name".into(),
                value: "O'Brien".into()
            }
        );
        assert_eq!(
            parse_filter("when ge 2024-05-01T10:00:00+02:00").unwrap(),
            Expr::Compare {
                field: "when".into(),
                op: CmpOp::Ge,
                value: Literal::Date("2024-05-01T10:00:00+02:00".into())
            }
        );
        assert_eq!(
            parse_filter("when lt datetime'2024-05-01'").unwrap(),
            Expr::Compare {
                field: "when".into(),
                op: CmpOp::Lt,
                value: Literal::Date("2024-05-01".into())
            }
        );
    }

    #[test]
    fn malformed_filters_are_refused() {
        for bad in [
            "",
            "id eq",
            "id eq 1 and",
            "(id eq 1",
            "id eq 1)",
            "id like 1",
            "name eq 'open",
            "frob(name,'x')",
            "1 eq 2",
            "id eq 1 id",
            "name eq #",
        ] {
            assert_eq!(
                parse_filter(bad).map(|_| ()).unwrap_err().status.as_u16(),
                400,
                "{bad}"
            );
        }
    }

    #[test]
    fn sql_binds_every_value() {
        let (text, binds) =
            sql("(name eq 'Robert''); DROP TABLE x; --' or id ge 3) and busy eq true").unwrap();
        assert_eq!(
            text,
            "(((c.name = ? COLLATE NOCASE) OR (c.id >= ?)) AND (c.busy = ?))"
        );
        assert_eq!(
            binds,
            vec![
                Bind::Text("Robert'); DROP TABLE x; --".into()),
                Bind::Int(3),
                Bind::Int(1)
            ]
        );
        let (text, binds) = sql("status eq 'closed' or status lt InQueue").unwrap();
        assert_eq!(text, "((c.status = ?) OR (c.status < ?))");
        assert_eq!(binds, vec![Bind::Int(9), Bind::Int(4)]);
        let (text, binds) = sql("when gt '2018-12-24T12:34:45Z' and name ne null").unwrap();
        assert_eq!(text, "((c.at > ?) AND (c.name IS NOT NULL))");
        assert_eq!(binds, vec![Bind::Int(1_545_654_885_000)]);
        let (text, binds) = sql("contains(name, 'Ann')").unwrap();
        assert_eq!(text, "(instr(lower(c.name), ?) > 0)");
        assert_eq!(binds, vec![Bind::Text("ann".into())]);
        let (_, binds) = sql("user eq 1").unwrap();
        assert_eq!(binds, vec![Bind::Text("bob".into())]);
        let (_, binds) = sql("flags eq 'UserIsTyping'").unwrap();
        assert_eq!(binds, vec![Bind::Int(2)]);
        let (text, binds) = sql("contact/contactid eq 7").unwrap();
        assert_eq!(text, "(json_extract(c.crm, ?) = ?)");
        assert_eq!(
            binds,
            vec![Bind::Text("$.Contact.ContactId".into()), Bind::Int(7)]
        );
    }

    #[test]
    fn unknown_properties_and_wrong_types_are_400() {
        for bad in [
            "nope eq 1",
            "status eq 'Pending'",
            "busy gt true",
            "when eq 'soon'",
            "id eq 'x'",
            "startswith(id,'1')",
            "status lt null",
        ] {
            let error = sql(bad).unwrap_err();
            assert_eq!(error.status.as_u16(), 400, "{bad}");
        }
    }

    #[test]
    fn order_by_and_flags() {
        let mut binds = Vec::new();
        assert_eq!(
            order_by("Status desc, name", &Fake, &mut binds).unwrap(),
            vec!["c.status DESC", "c.name ASC"]
        );
        assert!(order_by("nope", &Fake, &mut binds).is_err());
        assert!(order_by("name sideways", &Fake, &mut binds).is_err());
        assert_eq!(parse_flags("CustomerIsTyping, UserIsTyping"), Some(3));
        assert_eq!(parse_flags(""), Some(0));
        assert_eq!(parse_flags("Dancing"), None);
        assert_eq!(format_flags(3), "CustomerIsTyping, UserIsTyping");
        assert_eq!(format_flags(0), "");
    }
}
