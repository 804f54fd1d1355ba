//! Browser adapters behind the traits defined in `core`.
