//! Values bound to the `?` placeholders of SQL built at run time (the OData faces compile
//! their `$filter` and `$orderby` to SQL whose values are all bind parameters).

use sqlx::query::Query;
use sqlx::sqlite::{Sqlite, SqliteArguments};

/// A value bound to a `?` of generated SQL.
#[derive(Debug, Clone, PartialEq)]
pub enum Bind {
    Null,
    Int(i64),
    Real(f64),
    Text(String),
}

/// Binds values to a query, in order.
pub fn bind_all<'q>(
    mut query: Query<'q, Sqlite, SqliteArguments<'q>>,
    binds: Vec<Bind>,
) -> Query<'q, Sqlite, SqliteArguments<'q>> {
    for bind in binds {
        query = match bind {
            Bind::Null => query.bind(None::<String>),
            Bind::Int(n) => query.bind(n),
            Bind::Real(x) => query.bind(x),
            Bind::Text(t) => query.bind(t),
        };
    }
    query
}
