//! `GET /api/v1/templates`: the shipped defaults, an operator's file (flag and environment), a
//! broken file refused at start, and the agents-only access.

mod support;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use clap::Parser;
use hotline_server::{Config, StartError};
use serde_json::{json, Value};
use support::{agent_token, base_args, TestServer};

fn repo_file(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(relative)
}

async fn get_templates(server: &TestServer, auth: Option<(&str, &str)>) -> reqwest::Response {
    let mut request = server
        .http()
        .get(format!("{}/api/v1/templates", server.url));
    if let Some((name, password)) = auth {
        request = request.basic_auth(name, Some(password));
    }
    request.send().await.unwrap()
}

fn names(document: &Value, list: &str) -> Vec<String> {
    document[list]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn the_defaults_are_the_shipped_file_and_serve_both_seed_examples() {
    let server = TestServer::start().await;
    let response = get_templates(&server, Some(("bob", "bob-secret"))).await;
    assert_eq!(response.status(), 200);
    let served: Value = response.json().await.unwrap();
    let shipped: Value = serde_json::from_str(
        &std::fs::read_to_string(repo_file("templates/default-templates.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(served, shipped);

    // Seeds 000 and 001 call createSession with these template names and `customer`.
    let sessions = names(&served, "sessionTemplates");
    let tabs = names(&served, "applicationTabTemplates");
    for name in ["msdyn_chat_session", "CallSessionTemplate"] {
        assert!(sessions.contains(&name.to_owned()), "{name}");
        let template = served["sessionTemplates"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["name"] == name)
            .unwrap();
        assert_eq!(template["type"], "Generic", "{name}");
        assert!(
            template["title"].as_str().unwrap().contains("{customer}"),
            "{name}: the seed's templateParameters.customer shows in the title"
        );
        // The anchor tab shows the conversation.
        let anchor = template["anchorTab"].as_str().unwrap();
        assert!(tabs.contains(&anchor.to_owned()), "{anchor}");
        let tab = served["applicationTabTemplates"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["name"] == anchor)
            .unwrap();
        assert_eq!(tab["pageType"], "entityrecord");
        assert_eq!(
            tab["parameters"]["entityName"]["value"],
            "msdyn_ocliveworkitem"
        );
        for extra in template["additionalTabs"].as_array().unwrap() {
            assert!(tabs.contains(&extra.as_str().unwrap().to_owned()));
        }
    }
    // The SDK reads the served document with its own parser.
    let parsed = hotline::core::cif::Templates::from_json(
        &hotline::core::json::Json::parse(&served.to_string()).unwrap(),
    )
    .unwrap();
    assert_eq!(
        parsed
            .session_template("CallSessionTemplate")
            .unwrap()
            .title,
        "Call from {customer}"
    );
    server.stop().await;
}

#[tokio::test]
async fn only_agents_may_read_them() {
    let server = TestServer::start().await;
    let response = get_templates(&server, None).await;
    assert_eq!(response.status(), 401);
    assert!(response.headers().contains_key("www-authenticate"));
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], "unauthorized");
    assert_eq!(
        get_templates(&server, Some(("bob", "wrong")))
            .await
            .status(),
        401
    );
    let token = agent_token(&server.http(), &server.url, "eve", "eve-secret").await;
    let response = server
        .http()
        .get(format!("{}/api/v1/templates", server.url))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    server.stop().await;
}

const OPERATOR_FILE: &str = r#"{
  "sessionTemplates": [
    {"name": "contoso_chat", "type": "Generic", "title": "Contoso: {customerName}",
     "anchorTab": "contoso_conversation", "panelMode": "minimized", "tags": ["chat"],
     "comment": "kept as written"}
  ],
  "applicationTabTemplates": [
    {"name": "contoso_conversation", "pageType": "entityrecord", "title": "Conversation",
     "parameters": {"entityName": "msdyn_ocliveworkitem",
                    "entityId": {"type": "string", "value": "{conversationId}", "isRuntime": true}}}
  ]
}"#;

#[tokio::test]
async fn an_operator_file_given_by_flag_is_served_as_written() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("templates.json");
    std::fs::write(&path, OPERATOR_FILE).unwrap();
    let db = dir.path().join("hotline.db").to_string_lossy().into_owned();
    let server = TestServer::start_on(&db, &["--templates", path.to_str().unwrap()]).await;
    let response = get_templates(&server, Some(("bob", "bob-secret"))).await;
    assert_eq!(response.status(), 200);
    let served: Value = response.json().await.unwrap();
    assert_eq!(
        served,
        serde_json::from_str::<Value>(OPERATOR_FILE).unwrap()
    );
    assert_eq!(names(&served, "sessionTemplates"), vec!["contoso_chat"]);
    server.stop().await;
}

fn config_with(file: &Path, db: &Path) -> Config {
    let mut args = base_args(db.to_str().unwrap());
    args.push("--templates".into());
    args.push(file.to_string_lossy().into_owned());
    Config::try_parse_from(args).unwrap()
}

#[tokio::test]
async fn a_broken_file_stops_the_server_with_the_problem_named() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("hotline.db");
    let cases = [
        ("{\"sessionTemplates\": [", "not valid JSON"),
        (
            r#"{"sessionTemplates": [{"name": "x_chat", "anchorTab": "x_missing"}]}"#,
            "session template x_chat: anchorTab 'x_missing' is not an application tab template",
        ),
        (
            r#"{"sessionTemplates": [{"name": "x_chat", "type": "Generic"}]}"#,
            "x_chat has no anchorTab",
        ),
        (
            r#"{"applicationTabTemplates": [{"name": "x_tab", "pageType": "spreadsheet"}]}"#,
            "pageType 'spreadsheet'",
        ),
        (
            r#"{"applicationTabTemplates": [{"name": "x_tab", "pageType": "search"}, {"name": "X_TAB", "pageType": "search"}]}"#,
            "X_TAB is defined twice",
        ),
        (
            r#"{"sessionTemplates": 3}"#,
            "sessionTemplates must be an array",
        ),
    ];
    for (i, (text, expected)) in cases.iter().enumerate() {
        let file = dir.path().join(format!("broken-{i}.json"));
        std::fs::write(&file, text).unwrap();
        let Err(StartError::Config(message)) =
            hotline_server::build(&config_with(&file, &db)).await
        else {
            panic!("{text} was accepted");
        };
        assert!(message.contains(expected), "{text}: {message}");
        assert!(
            message.contains(&file.display().to_string()),
            "the message names the file: {message}"
        );
    }
    let missing = dir.path().join("nope.json");
    let Err(StartError::Config(message)) = hotline_server::build(&config_with(&missing, &db)).await
    else {
        panic!("a missing file was accepted");
    };
    assert!(message.contains("cannot be read"), "{message}");
}

/// Starts the binary with extra flags and environment; its first stdout line, or its exit
/// status and stderr when it stops.
fn run_binary(
    args: &[&str],
    env: &[(&str, &str)],
    db: &Path,
) -> Result<(String, std::process::Child), (bool, String)> {
    let mut all = base_args(db.to_str().unwrap());
    all.extend(args.iter().map(|s| s.to_string()));
    let mut command = Command::new(env!("CARGO_BIN_EXE_hotline-server"));
    command
        .args(&all[1..])
        .env("RUST_LOG", "warn")
        .env_remove("HOTLINE_TEMPLATES")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (key, value) in env {
        command.env(key, value);
    }
    let mut child = command.spawn().expect("the server binary starts");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    if let Some(url) = line.trim().strip_prefix("hotline-server listening on ") {
        return Ok((url.to_owned(), child));
    }
    let output = child.wait_with_output().unwrap();
    Err((
        output.status.success(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    ))
}

#[tokio::test]
async fn the_binary_reads_the_environment_and_refuses_a_broken_file() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("hotline.db");
    let good = dir.path().join("good.json");
    std::fs::write(&good, OPERATOR_FILE).unwrap();
    let (url, mut child) =
        run_binary(&[], &[("HOTLINE_TEMPLATES", good.to_str().unwrap())], &db).unwrap();
    let served: Value = reqwest::Client::new()
        .get(format!("{url}/api/v1/templates"))
        .basic_auth("bob", Some("bob-secret"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(served["sessionTemplates"][0]["name"], "contoso_chat");
    let _ = child.kill();
    let _ = child.wait();

    let broken = dir.path().join("broken.json");
    std::fs::write(
        &broken,
        json!({"sessionTemplates": [{"name": "x_chat", "anchorTab": "x_gone"}]}).to_string(),
    )
    .unwrap();
    let Err((success, stderr)) = run_binary(&["--templates", broken.to_str().unwrap()], &[], &db)
    else {
        panic!("the server started on a broken templates file");
    };
    assert!(!success, "the exit status says it failed");
    assert!(
        stderr.contains("hotline-server: templates file"),
        "{stderr}"
    );
    assert!(stderr.contains("anchorTab 'x_gone'"), "{stderr}");
}
