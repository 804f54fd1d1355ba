//! `GET /api/openapi.json`: a valid OpenAPI 3 document that lists exactly the routes the
//! router has.

mod support;

use std::collections::BTreeSet;
use std::path::Path;

use reqwest::Method;
use serde_json::{json, Value};
use support::{gms_form, TestServer, SERVICE};

const METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];

async fn document(server: &TestServer) -> Value {
    let response = reqwest::get(format!("{}/api/openapi.json", server.url))
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert!(response.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("application/json"));
    response.json().await.unwrap()
}

/// Every `$ref` in `value`.
fn refs<'a>(value: &'a Value, found: &mut Vec<&'a str>) {
    match value {
        Value::Object(map) => {
            for (key, inner) in map {
                if key == "$ref" {
                    if let Some(target) = inner.as_str() {
                        found.push(target);
                    }
                } else {
                    refs(inner, found);
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|item| refs(item, found)),
        _ => {}
    }
}

/// Resolves a local JSON pointer reference (`#/components/schemas/X`).
fn resolve<'a>(document: &'a Value, reference: &str) -> Option<&'a Value> {
    let pointer = reference.strip_prefix('#')?;
    document.pointer(pointer)
}

#[tokio::test]
async fn the_document_is_valid_openapi_3() {
    let server = TestServer::start().await;
    let doc = document(&server).await;
    // Required top-level fields.
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.0."));
    assert!(doc["info"]["title"].is_string());
    assert!(doc["info"]["version"].is_string());
    let paths = doc["paths"].as_object().unwrap();
    assert!(!paths.is_empty());
    let mut operation_ids = BTreeSet::new();
    let tags: BTreeSet<&str> = doc["tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    let schemes = doc["components"]["securitySchemes"].as_object().unwrap();
    for (path, item) in paths {
        assert!(path.starts_with('/'), "{path}");
        // A parameter is a whole segment, or an OData key at the end of one: `items({id})`.
        let declared_in_path: Vec<&str> = path
            .split('/')
            .filter_map(|s| {
                let s = s.strip_suffix(')').map_or(s, |key| {
                    key.rsplit_once('(').map_or(key, |(_, inner)| inner)
                });
                s.strip_prefix('{')?.strip_suffix('}')
            })
            .collect();
        let item = item.as_object().unwrap();
        assert!(!item.is_empty(), "{path} has no operation");
        for (method, operation) in item {
            assert!(METHODS.contains(&method.as_str()), "{path}: {method}");
            let id = operation["operationId"].as_str().unwrap();
            assert!(
                operation_ids.insert(id.to_owned()),
                "operationId {id} twice"
            );
            assert!(operation["summary"].as_str().is_some_and(|s| !s.is_empty()));
            for tag in operation["tags"].as_array().unwrap() {
                assert!(tags.contains(tag.as_str().unwrap()), "{id}: tag {tag}");
            }
            // Responses: at least one, keyed by status code, each with a description.
            let responses = operation["responses"].as_object().unwrap();
            assert!(!responses.is_empty(), "{id}");
            for (status, response) in responses {
                let code: u16 = status.parse().unwrap_or_else(|_| panic!("{id}: {status}"));
                assert!((100..600).contains(&code));
                assert!(response["description"].is_string(), "{id} {status}");
            }
            // Parameters: each path parameter declared once, required; nothing else in path.
            let parameters = operation["parameters"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            let mut seen = BTreeSet::new();
            for parameter in &parameters {
                let name = parameter["name"].as_str().unwrap();
                let place = parameter["in"].as_str().unwrap();
                assert!(
                    ["path", "query", "header", "cookie"].contains(&place),
                    "{id}"
                );
                assert!(seen.insert((name, place)), "{id}: {name} in {place} twice");
                assert!(parameter["schema"].is_object(), "{id}: {name}");
                if place == "path" {
                    assert_eq!(parameter["required"], true, "{id}: {name}");
                    assert!(
                        declared_in_path.contains(&name),
                        "{id}: {name} not in {path}"
                    );
                }
                if place == "header" {
                    let lower = name.to_ascii_lowercase();
                    assert!(
                        !["accept", "content-type", "authorization"].contains(&lower.as_str()),
                        "{id}: {name} may not be a header parameter"
                    );
                }
            }
            for name in &declared_in_path {
                assert!(
                    seen.contains(&(*name, "path")),
                    "{id}: {{{name}}} not declared"
                );
            }
            if let Some(body) = operation.get("requestBody") {
                let content = body["content"].as_object().unwrap();
                assert!(!content.is_empty(), "{id}");
                for media in content.values() {
                    assert!(media["schema"].is_object(), "{id}");
                }
            }
            for requirement in operation["security"].as_array().unwrap() {
                for scheme in requirement.as_object().unwrap().keys() {
                    assert!(schemes.contains_key(scheme), "{id}: scheme {scheme}");
                }
            }
        }
    }
    // Every $ref resolves.
    let mut found = Vec::new();
    refs(&doc, &mut found);
    assert!(found.len() > 20);
    for reference in found {
        assert!(
            resolve(&doc, reference).is_some(),
            "{reference} does not resolve"
        );
    }
    // The SuperOffice entity schema has every property of the seed.
    let session = &doc["components"]["schemas"]["ChatSessionEntity"]["properties"];
    for key in [
        "ChatSessionId",
        "TopicId",
        "User",
        "Status",
        "Flags",
        "SessionKey",
        "TransferTo",
        "Rating",
        "TableRight",
        "FieldProperties",
        "_Links",
    ] {
        assert!(session[key].is_object(), "{key}");
    }
    assert_eq!(
        doc["components"]["schemas"]["ChatSessionStatus"]["enum"]
            .as_array()
            .unwrap()
            .len(),
        12
    );
    server.stop().await;
}

/// Real values for a path's parameters.
fn concrete(path: &str, chat_id: &str, number: i64, topic: i64) -> String {
    path.replace("{service}", SERVICE)
        .replace("{chat_id}", chat_id)
        .replace("{operation}", "refresh")
        .replace("{associate}", "eve")
        .replace("{entity_name}", "incident")
        .replace(
            "{id}",
            &if path.starts_with("/api/v1/ChatTopic") {
                topic.to_string()
            } else if path.starts_with("/api/data/") {
                chat_id.to_owned()
            } else {
                number.to_string()
            },
        )
}

#[tokio::test]
async fn every_documented_route_exists_and_no_other_method_does() {
    let server = TestServer::start().await;
    let doc = document(&server).await;
    let http = reqwest::Client::new();
    let (_, chat) = gms_form(
        &server.http(),
        &server.url,
        SERVICE,
        &[("nickname", "Probe")],
    )
    .await;
    let chat_id = chat["chatId"].as_str().unwrap().to_owned();
    let session: Value = http
        .get(format!("{}/api/v1/ChatSession/{chat_id}", server.url))
        .basic_auth("bob", Some("bob-secret"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let number = session["ChatSessionId"].as_i64().unwrap();
    let topic = session["TopicId"].as_i64().unwrap();

    let mut probed = 0;
    let paths = doc["paths"].as_object().unwrap();
    for (path, item) in paths {
        let url = format!("{}{}", server.url, concrete(path, &chat_id, number, topic));
        for method in METHODS {
            let documented = item.get(method).is_some();
            // Deleting would remove what the other probes use: DELETE is probed with a
            // precondition that fails, which still needs the route to exist.
            let request = http
                .request(
                    Method::from_bytes(method.to_uppercase().as_bytes()).unwrap(),
                    &url,
                )
                .basic_auth("bob", Some("bob-secret"))
                .header("if-unmodified-since", "Mon, 01 Jan 2001 00:00:00 GMT")
                .header("content-type", "application/json")
                .body(if method == "get" || method == "delete" {
                    ""
                } else {
                    "{}"
                });
            let response = request.send().await.unwrap();
            let status = response.status().as_u16();
            let body = response.text().await.unwrap();
            if documented {
                probed += 1;
                assert_ne!(status, 405, "{method} {path} is documented but not routed");
                assert!(
                    status != 404 || !body.is_empty(),
                    "{method} {path} is documented but the router has no such route"
                );
            } else {
                assert_eq!(
                    status, 405,
                    "{method} {path} answers {status} but is not documented: {body}"
                );
            }
        }
    }
    assert!(probed >= 40, "only {probed} operations");
    // A path that is not in the table is not routed.
    for path in ["/api/v1/Nope", "/api/v1/ChatSession/1/Nope", "/genesys/2"] {
        let response = http
            .get(format!("{}{path}", server.url))
            .basic_auth("bob", Some("bob-secret"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 404, "{path}");
        assert!(response.text().await.unwrap().is_empty(), "{path}");
    }
    server.stop().await;
}

/// Every Rust source file under `dir`.
fn sources(dir: &Path, found: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, found);
        } else if path.extension().is_some_and(|e| e == "rs") {
            found.push(path);
        }
    }
}

#[test]
fn the_route_table_is_the_only_source_of_rest_routes() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&src, &mut files);
    // Only the route table and the Bayeux endpoint (not REST) make axum routes.
    let allowed = ["openapi.rs", "bayeux/mod.rs"];
    for file in files {
        let relative = file
            .strip_prefix(&src)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        let text = std::fs::read_to_string(&file).unwrap();
        let code: String = text
            .lines()
            .filter(|line| !line.trim_start().starts_with("//"))
            .collect::<Vec<_>>()
            .join("\n");
        for needle in [
            ".route(",
            ".nest(",
            ".route_service(",
            "routing::get(",
            "routing::post(",
        ] {
            if code.contains(needle) {
                assert!(
                    allowed.contains(&relative.as_str()),
                    "{relative} uses {needle}: add REST routes to the route table (src/openapi.rs) instead"
                );
            }
        }
    }
    let app = std::fs::read_to_string(src.join("app.rs")).unwrap();
    assert!(
        app.contains("route_table()"),
        "app.rs builds its routes from the table"
    );
}

#[tokio::test]
async fn the_document_needs_no_credentials_and_matches_the_tags() {
    let server = TestServer::start().await;
    let doc = document(&server).await;
    let tags: Vec<&str> = doc["tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    for face in [
        "GMS chat",
        "Agents",
        "ChatSession",
        "ChatTopic",
        "Omnichannel",
        "Templates",
        "Meta",
    ] {
        assert!(tags.contains(&face), "{face}");
    }
    let paths = doc["paths"].as_object().unwrap();
    for path in [
        "/genesys/2/chat/{service}",
        "/genesys/2/chat/{service}/{chat_id}/{operation}",
        "/api/v1/agents/login",
        "/api/v1/conversations/{chat_id}/messages",
        "/api/v1/ChatSession",
        "/api/v1/ChatSession/{id}/Messages",
        "/api/v1/ChatSession/{id}/TransferTo/{associate}",
        "/api/v1/ChatTopic/{id}/IsOpen",
        "/api/v1/templates",
        "/api/v1/conversations/{chat_id}/links",
        "/api/v1/conversations/{chat_id}/links/{entity_name}",
        "/api/data/v9.2/msdyn_ocliveworkitems",
        "/api/data/v9.2/msdyn_ocliveworkitems({id})",
        "/api/openapi.json",
    ] {
        assert!(paths.contains_key(path), "{path}");
    }
    // The Dataverse record schema comes from the attribute table.
    let record = &doc["components"]["schemas"]["LiveWorkItem"]["properties"];
    for key in [
        "msdyn_ocliveworkitemid",
        "statuscode",
        "statecode",
        "createdon",
        "msdyn_liveworkstreamid",
        "msdyn_lastsessionid",
        "_msdyn_activeagentid_value",
        "_msdyn_customer_value",
        "_msdyn_issueid_value",
    ] {
        assert!(record[key].is_object(), "{key}");
    }
    assert_eq!(
        doc["paths"]["/api/data/v9.2/msdyn_ocliveworkitems({id})"]["get"]["parameters"][0]["name"],
        "id"
    );
    assert_eq!(
        doc["paths"]["/api/v1/ChatSession/{id}"]["patch"]["responses"]["409"]["content"]
            ["application/json"]["schema"],
        json!({"$ref": "#/components/schemas/SoError"})
    );
    server.stop().await;
}
