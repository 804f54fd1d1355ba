//! hotline-server: the reference backend for Hotline.
//!
//! - [`bayeux`]: Bayeux 1.0 (CometD) over long-polling and WebSocket at `/cometd`;
//! - [`chat`]: the one conversation record and its transcript, persisted in SQLite;
//! - [`hub`]: GMS chat v2 over Bayeux for customers, live channels for agents;
//! - [`api`]: GMS chat v2 over REST and the agents' API, all REST routes in one table;
//! - [`superoffice`]: chat sessions and topics as SuperOffice-style CRM records;
//! - [`omnichannel`]: conversations as Dataverse `msdyn_ocliveworkitem` records (OData subset);
//! - [`templates`]: the CIF session and application tab templates of the agents' console;
//! - [`sql`]: values bound to SQL built at run time;
//! - [`openapi`]: the route table and the OpenAPI document made from it;
//! - [`app`]: wires it all into one router from a [`config::Config`].

pub mod agents;
pub mod api;
pub mod app;
pub mod bayeux;
pub mod chat;
pub mod config;
pub mod gms;
pub mod hub;
pub mod omnichannel;
pub mod openapi;
pub mod sql;
pub mod superoffice;
pub mod templates;

pub use app::{build, AppState, StartError};
pub use config::Config;

/// Binds `config.listen`, prints `hotline-server listening on http://ADDR` on stdout, and
/// serves until `shutdown` completes.
pub async fn run(
    config: Config,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let (router, _state) = build(&config).await?;
    let listener = tokio::net::TcpListener::bind(&config.listen).await?;
    let address = listener.local_addr()?;
    tracing::info!(%address, db = %config.db, "hotline-server started");
    // Tests and scripts wait for this exact line.
    println!("hotline-server listening on http://{address}");
    // Small Bayeux frames and long-poll answers must not wait for Nagle's algorithm (a
    // 40 ms stall per reply with delayed ACKs).
    let listener = axum::serve::ListenerExt::tap_io(listener, |tcp| {
        if let Err(error) = tcp.set_nodelay(true) {
            tracing::debug!(%error, "could not set TCP_NODELAY");
        }
    });
    axum::serve(listener, router)
        .with_graceful_shutdown(shutdown)
        .await?;
    Ok(())
}
