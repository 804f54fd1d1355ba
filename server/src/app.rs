//! Builds the whole server: database, chat service, agents, Bayeux engine and routes.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::Request;
use axum::http::{header, HeaderName, HeaderValue, Method};
use axum::middleware::Next;
use axum::response::Response;
use axum::Router;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::services::ServeDir;
use tower_http::trace::TraceLayer;

use crate::agents::{AgentAccount, AgentDirectory};
use crate::bayeux::{Bayeux, BayeuxConfig};
use crate::chat::rest_presence::RestPresence;
use crate::chat::{store, ChatService};
use crate::config::Config;
use crate::hub::ChatHub;
use crate::templates::TemplateSet;

/// The request header that ties a request to a caller's operation (CIF and Omnichannel calls
/// take a `correlationId`): logged in the request's span and sent back in the response.
pub const CORRELATION_ID: HeaderName = HeaderName::from_static("x-correlation-id");

/// Longest correlation id taken from a request.
const MAX_CORRELATION_ID_LEN: usize = 200;

/// What the HTTP handlers share.
pub struct AppState {
    pub chat: Arc<ChatService>,
    pub agents: Arc<AgentDirectory>,
    pub bayeux: Bayeux,
    /// GMS `alias` of this instance.
    pub alias: String,
    /// The CIF templates served at `/api/v1/templates`.
    pub templates: TemplateSet,
    /// When GMS REST customers were last heard from.
    pub rest_presence: Arc<RestPresence>,
}

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("{0}")]
    Config(String),
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
}

/// Opens the database and wires every part; returns the router and the shared state.
pub async fn build(config: &Config) -> Result<(Router, Arc<AppState>), StartError> {
    let templates = TemplateSet::load(config.templates.as_deref()).map_err(StartError::Config)?;
    tracing::info!(source = %templates.source, "CIF templates loaded");
    let accounts = config
        .agents
        .iter()
        .filter(|spec| !spec.trim().is_empty())
        .map(|spec| AgentAccount::parse(spec))
        .collect::<Result<Vec<_>, _>>()
        .map_err(StartError::Config)?;
    let services: Vec<String> = config
        .services
        .iter()
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .collect();
    if services.is_empty() {
        return Err(StartError::Config(
            "at least one --service is needed".into(),
        ));
    }
    let pool = store::open_with(&config.db, config.db_synchronous).await?;
    let chat = Arc::new(ChatService::new(pool, services));
    chat.seed_topics()
        .await
        .map_err(|error| StartError::Config(format!("chat topics: {error}")))?;
    let agents = Arc::new(AgentDirectory::new(accounts));
    if agents.is_empty() {
        tracing::warn!(
            "no agent accounts: pass --agent name:password so that chats can be answered"
        );
    }
    let hub = ChatHub::new(chat.clone(), agents.clone(), config.alias.clone());
    let bayeux = Bayeux::new(
        BayeuxConfig {
            timeout: Duration::from_millis(config.bayeux_timeout_ms),
            max_interval: Duration::from_millis(config.bayeux_max_interval_ms),
            ..BayeuxConfig::default()
        },
        hub.clone(),
    );
    hub.attach(bayeux.clone());
    chat.add_listener(hub);

    let rest_presence = RestPresence::new(
        chat.clone(),
        Duration::from_millis(config.rest_idle_timeout_ms),
    );
    rest_presence.spawn_sweeper();
    let state = Arc::new(AppState {
        rest_presence,
        chat,
        agents,
        bayeux: bayeux.clone(),
        alias: config.alias.clone(),
        templates,
    });
    let api = crate::api::route_table().map_err(StartError::Config)?;
    let mut router = api.with_state(state.clone()).merge(bayeux.router());
    if let Some(dir) = &config.static_dir {
        router = router.fallback_service(ServeDir::new(dir));
    }
    let cors = cors_layer(&config.allowed_origins)?;
    let trace = TraceLayer::new_for_http().make_span_with(|request: &Request| {
        tracing::info_span!(
            "request",
            method = %request.method(),
            uri = %request.uri(),
            correlation_id = correlation_id(request).map(tracing::field::display),
        )
    });
    Ok((
        router
            .layer(cors)
            .layer(trace)
            .layer(axum::middleware::from_fn(echo_correlation_id)),
        state,
    ))
}

/// The request's `x-correlation-id`, when it is printable text of a sensible length.
fn correlation_id(request: &Request) -> Option<&str> {
    request
        .headers()
        .get(&CORRELATION_ID)
        .and_then(|value| value.to_str().ok())
        .map(str::trim)
        .filter(|id| !id.is_empty() && id.len() <= MAX_CORRELATION_ID_LEN)
}

/// Sends the request's correlation id back on the response (every route, errors included).
async fn echo_correlation_id(request: Request, next: Next) -> Response {
    let id = correlation_id(&request).and_then(|id| HeaderValue::from_str(id).ok());
    let mut response = next.run(request).await;
    if let Some(id) = id {
        response.headers_mut().insert(CORRELATION_ID, id);
    }
    response
}

/// Browsers may call from the configured origins (any, when none is configured), with
/// credentials so that the `BAYEUX_BROWSER` cookie travels with long-polling requests.
fn cors_layer(origins: &[String]) -> Result<CorsLayer, StartError> {
    let allow_origin = if origins.is_empty() {
        AllowOrigin::mirror_request()
    } else {
        let values = origins
            .iter()
            .map(|origin| {
                HeaderValue::from_str(origin.trim()).map_err(|_| {
                    StartError::Config(format!("--allowed-origin '{origin}' is not a valid origin"))
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        AllowOrigin::list(values)
    };
    Ok(CorsLayer::new()
        .allow_origin(allow_origin)
        .allow_credentials(true)
        .allow_methods([
            Method::GET,
            Method::POST,
            Method::PUT,
            Method::PATCH,
            Method::DELETE,
            Method::OPTIONS,
        ])
        .allow_headers([
            header::CONTENT_TYPE,
            header::AUTHORIZATION,
            header::ACCEPT,
            CORRELATION_ID,
            // The SuperOffice face.
            header::ACCEPT_LANGUAGE,
            header::IF_MODIFIED_SINCE,
            header::IF_UNMODIFIED_SINCE,
            HeaderName::from_static("x-xsrf-token"),
            HeaderName::from_static("so-timezone"),
            HeaderName::from_static("so-language"),
            HeaderName::from_static("so-culture"),
            HeaderName::from_static("so-apptoken"),
        ])
        .expose_headers([header::LAST_MODIFIED, CORRELATION_ID]))
}
