//! Shared by the integration tests: a hotline-server in this process on a free port, a real
//! process for restart tests, and small Bayeux and REST clients.
#![allow(dead_code)]

pub mod bayeux_client;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use clap::Parser;
use hotline_server::Config;
use serde_json::{json, Value};
use tokio::sync::oneshot;

pub const SERVICE: &str = "customer-support";

/// Flags every test server gets: two agents, short Bayeux timings.
pub fn base_args(db: &str) -> Vec<String> {
    [
        "hotline-server",
        "--listen",
        "127.0.0.1:0",
        "--db",
        db,
        "--agent",
        "bob:bob-secret",
        "--agent",
        "eve:eve-secret",
        "--bayeux-timeout-ms",
        "1000",
        "--bayeux-max-interval-ms",
        "1500",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

/// A server running inside the test process.
pub struct TestServer {
    pub url: String,
    pub db: String,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
    _dir: Option<tempfile::TempDir>,
}

impl TestServer {
    pub async fn start() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let db = dir.path().join("hotline.db").to_string_lossy().into_owned();
        let mut server = Self::start_on(&db, &[]).await;
        server._dir = Some(dir);
        server
    }

    pub async fn start_on(db: &str, extra: &[&str]) -> Self {
        let mut args = base_args(db);
        args.extend(extra.iter().map(|s| s.to_string()));
        let config = Config::try_parse_from(args).expect("test config");
        let (router, _state) = hotline_server::build(&config).await.expect("server builds");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let url = format!("http://{}", listener.local_addr().expect("address"));
        let (shutdown, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, router)
                .with_graceful_shutdown(async {
                    let _ = stopped.await;
                })
                .await;
        });
        Self {
            url,
            db: db.to_owned(),
            shutdown: Some(shutdown),
            task: Some(task),
            _dir: None,
        }
    }

    pub async fn stop(mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        if let Some(task) = self.task.take() {
            task.abort();
            let _ = task.await;
        }
    }

    pub fn http(&self) -> reqwest::Client {
        reqwest::Client::builder()
            .cookie_store(true)
            .timeout(Duration::from_secs(20))
            .build()
            .expect("http client")
    }
}

/// The real binary in its own process (for restart tests).
pub struct ServerProcess {
    pub url: String,
    child: Child,
}

impl ServerProcess {
    pub fn start(db: &str) -> Self {
        let args = base_args(db);
        let mut child = Command::new(env!("CARGO_BIN_EXE_hotline-server"))
            .args(&args[1..])
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("the server binary starts");
        let stdout = child.stdout.take().expect("stdout");
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("the server prints its address");
        let url = line
            .trim()
            .strip_prefix("hotline-server listening on ")
            .unwrap_or_else(|| panic!("unexpected first line: {line:?}"))
            .to_owned();
        Self { url, child }
    }

    /// Kills the process without letting it clean up, as a crash would.
    pub fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Signs an agent in and returns its bearer token.
pub async fn agent_token(http: &reqwest::Client, url: &str, name: &str, password: &str) -> String {
    let response = http
        .post(format!("{url}/api/v1/agents/login"))
        .json(&json!({"username": name, "password": password}))
        .send()
        .await
        .expect("login request");
    assert_eq!(response.status(), 200, "login of {name}");
    let body: Value = response.json().await.expect("login body");
    body["token"].as_str().expect("token").to_owned()
}

/// `POST` with a bearer token and a JSON body; returns status and body.
pub async fn agent_post(
    http: &reqwest::Client,
    url: &str,
    token: &str,
    path: &str,
    body: Value,
) -> (u16, Value) {
    let response = http
        .post(format!("{url}{path}"))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .expect("agent request");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

pub async fn agent_get(http: &reqwest::Client, url: &str, token: &str, path: &str) -> (u16, Value) {
    let response = http
        .get(format!("{url}{path}"))
        .bearer_auth(token)
        .send()
        .await
        .expect("agent request");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// `POST` form fields to the GMS REST API; returns status and envelope.
pub async fn gms_form(
    http: &reqwest::Client,
    url: &str,
    path: &str,
    fields: &[(&str, &str)],
) -> (u16, Value) {
    let response = http
        .post(format!("{url}/genesys/2/chat/{path}"))
        .form(fields)
        .send()
        .await
        .expect("gms request");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// The `index` of each message of an envelope.
pub fn indexes(envelope: &Value) -> Vec<u64> {
    envelope["messages"]
        .as_array()
        .map(|messages| {
            messages
                .iter()
                .filter_map(|m| m["index"].as_u64())
                .collect()
        })
        .unwrap_or_default()
}
