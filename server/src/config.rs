//! Command-line flags (each also readable from the environment).

use std::path::PathBuf;

use clap::Parser;

use crate::chat::store::Synchronous;

/// hotline-server: Bayeux/CometD and GMS chat v2 backend for Hotline, with an agents' API,
/// on SQLite.
#[derive(Debug, Clone, Parser)]
#[command(name = "hotline-server", version, about, long_about = None)]
pub struct Config {
    /// Address to listen on; port 0 picks a free port (the bound address is printed).
    #[arg(long, env = "HOTLINE_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: String,

    /// SQLite database: a file path (created on first run, with its folder) or an sqlite: URL.
    #[arg(long, env = "HOTLINE_DB", default_value = "data/hotline.db")]
    pub db: String,

    /// When a commit is on disk (SQLite `synchronous`, WAL mode): `normal` survives a crash or
    /// kill of the server; `full` also survives a power cut, at about a millisecond per message.
    #[arg(long, env = "HOTLINE_DB_SYNCHRONOUS", value_enum, default_value_t = Synchronous::Normal)]
    pub db_synchronous: Synchronous,

    /// Folder served at / (the demo page: index.html, www/, pkg/). Nothing is served when unset.
    #[arg(long, env = "HOTLINE_STATIC_DIR")]
    pub static_dir: Option<PathBuf>,

    /// Agent account as name:password; repeat the flag for more. From the environment:
    /// HOTLINE_AGENTS=name:password,name2:password2.
    #[arg(
        long = "agent",
        value_name = "NAME:PASSWORD",
        env = "HOTLINE_AGENTS",
        value_delimiter = ','
    )]
    pub agents: Vec<String>,

    /// Chat service customers may request chats on (GMS `{serviceName}`); repeatable.
    #[arg(
        long = "service",
        value_name = "NAME",
        env = "HOTLINE_SERVICES",
        value_delimiter = ',',
        default_value = "customer-support"
    )]
    pub services: Vec<String>,

    /// Name of this server instance, sent to clients as the GMS `alias`.
    #[arg(long, env = "HOTLINE_ALIAS", default_value = "1")]
    pub alias: String,

    /// Origin allowed to call the server from a browser (CORS, with credentials); repeatable.
    /// Unset: any origin (a chat backend serves pages on other sites).
    #[arg(
        long = "allowed-origin",
        value_name = "ORIGIN",
        env = "HOTLINE_ALLOWED_ORIGINS",
        value_delimiter = ','
    )]
    pub allowed_origins: Vec<String>,

    /// JSON file of the CIF session templates and application tab templates served at
    /// /api/v1/templates (checked at start). Unset: the shipped defaults
    /// (templates/default-templates.json).
    #[arg(long = "templates", value_name = "PATH", env = "HOTLINE_TEMPLATES")]
    pub templates: Option<PathBuf>,

    /// How long a Bayeux /meta/connect is held when there is nothing to send (ms).
    #[arg(long, env = "HOTLINE_BAYEUX_TIMEOUT_MS", default_value_t = 25_000)]
    pub bayeux_timeout_ms: u64,

    /// A Bayeux client that sends no /meta/connect for this long is dropped (ms); a customer
    /// whose last client is dropped is shown as waiting.
    #[arg(long, env = "HOTLINE_BAYEUX_MAX_INTERVAL_MS", default_value_t = 10_000)]
    pub bayeux_max_interval_ms: u64,

    /// A customer on GMS REST that sends no request for this long is shown as waiting, like a
    /// Bayeux customer whose last client is dropped (Chat Server's `flex-disconnect-timeout`,
    /// 45 s by default); its next request shows it is back (ms).
    #[arg(long, env = "HOTLINE_REST_IDLE_TIMEOUT_MS", default_value_t = 45_000)]
    pub rest_idle_timeout_ms: u64,
}
