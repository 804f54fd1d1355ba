//! A small OData v4 query subset, shared by the agent SDK and the server.
//!
//! - [`filter`]: the `$filter` AST ([`Expr`], [`Operand`], [`Literal`], [`CmpOp`]), its parser
//!   ([`Expr::parse`], errors with a byte position) and printer (`Display`, canonical form);
//! - [`query`]: [`Query`] = `$select` + `$filter` + `$orderby` + `$top`, parsed from and written
//!   to a URL query string;
//! - [`eval`]: evaluating a query over records held as [`Json`](crate::core::json::Json)
//!   objects ([`Expr::matches`], [`Query::apply`]);
//! - [`datetime`]: ISO 8601 date-times to and from ms since the epoch;
//! - [`conversations`]: `Microsoft.Omnichannel.getConversations` input → [`Query`] on
//!   [`CONVERSATIONS_PATH`].
//!
//! Nothing here knows about CIF. The parser never panics and bounds its nesting
//! ([`filter::MAX_FILTER_DEPTH`]).
//!
//! ```
//! use hotline::core::odata::{Expr, Query};
//! use hotline::core::json::Json;
//!
//! let query = Query::parse("$filter=statuscode eq 3 and createdon le 2024-05-01T00:00:00Z&$top=10").unwrap();
//! let record = Json::parse(r#"{"statuscode":3,"createdon":"2024-04-30T12:00:00Z"}"#).unwrap();
//! assert!(query.filter.as_ref().unwrap().matches(&record));
//! assert_eq!(
//!     Expr::parse("(a eq 1 or b eq 'x') and not c eq null").unwrap().to_string(),
//!     "(a eq 1 or b eq 'x') and not (c eq null)"
//! );
//! ```

pub mod conversations;
pub mod datetime;
pub mod eval;
pub mod filter;
pub mod query;

pub use conversations::{
    conversations_query, ConversationsError, AGENT_ATTRIBUTE, CONVERSATIONS_PATH,
    DEFAULT_ATTRIBUTES,
};
pub use datetime::{format_datetime, parse_datetime};
pub use filter::{is_guid, is_property_name, CmpOp, Expr, Literal, Operand, MAX_FILTER_DEPTH};
pub use query::{parse_order_by, parse_select, parse_top, OrderBy, Query};

/// Why a query or one of its options cannot be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ODataError {
    /// The `$filter` text is wrong at `position` (a byte offset into the decoded value).
    #[error("invalid $filter at position {position}: {reason}")]
    Filter {
        position: usize,
        reason: &'static str,
    },
    /// Another option (`$select`, `$orderby`, `$top`) or the query string itself is wrong.
    #[error("invalid {option}: {reason}")]
    Option {
        option: &'static str,
        reason: String,
    },
    /// A system query option this subset does not implement (`$expand`, `$skip`, …).
    #[error("the query option {0} is not supported")]
    Unsupported(String),
}

#[cfg(test)]
mod tests;
