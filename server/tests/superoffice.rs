//! The SuperOffice face (`/api/v1/ChatSession`, `/api/v1/ChatTopic`) with a real HTTP client,
//! and the same conversations seen over Bayeux and GMS REST.

mod support;

use std::time::Duration;

use reqwest::{Method, RequestBuilder, Response};
use serde_json::{json, Value};
use support::bayeux_client::{BayeuxClient, Transport};
use support::{agent_post, agent_token, gms_form, TestServer, SERVICE};

const CHANNEL: &str = "/service/chatV2/customer-support";
const BOB: (&str, &str) = ("bob", "bob-secret");
const EVE: (&str, &str) = ("eve", "eve-secret");

/// The seed's sample request body, verbatim.
const SEED_BODY: &str = r#"{
"ChatSessionId": 452,
"TopicId": 699,
"User": null,
"Person": null,
"CustomerAlias": "officiis",
"CustomerHost": "et",
"CustomerName": "Sipes Group",
"CustomerEmail": "ida_marquardt@mills.com",
"CustomerPhone": "627.849.5733 x0016",
"CustomerConsented": true,
"CustomerCompanyName": "Baumbach, Konopelski and Farrell",
"Status": "Closed",
"FirstMessage": "qui",
"LastMessage": "perferendis",
"WhenRequested": "2001-10-03T17:54:07.9762203+02:00",
"WhenStarted": "1998-09-26T17:54:07.9762203+02:00",
"WhenEnded": "2014-09-26T17:54:07.9762203+02:00",
"WhenIdle": "2020-07-07T17:54:07.9762203+02:00",
"WhenFetched": "2014-09-17T17:54:07.9762203+02:00",
"SessionKey": "sapiente",
"InitialQueuePos": 201,
"AlertLevel": 405,
"Rank": 69,
"Flags": "CustomerIsTyping",
"Contact": null,
"Project": null,
"Sale": null,
"Ticket": null,
"TransferTo": null,
"ChatbotIsActive": false,
"Rating": 579
}"#;

/// A client of the SuperOffice face for one user.
struct So {
    url: String,
    http: reqwest::Client,
    user: (&'static str, &'static str),
}

impl So {
    fn new(server: &TestServer, user: (&'static str, &'static str)) -> Self {
        Self {
            url: server.url.clone(),
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(20))
                .build()
                .unwrap(),
            user,
        }
    }

    fn request(&self, method: Method, path: &str) -> RequestBuilder {
        self.http
            .request(method, format!("{}{path}", self.url))
            .basic_auth(self.user.0, Some(self.user.1))
    }

    async fn call(&self, method: Method, path: &str, body: Option<Value>) -> (u16, Value) {
        let mut request = self.request(method, path);
        if let Some(body) = body {
            request = request.json(&body);
        }
        read(request.send().await.unwrap()).await
    }

    async fn get(&self, path: &str) -> (u16, Value) {
        self.call(Method::GET, path, None).await
    }

    async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        self.call(Method::POST, path, Some(body)).await
    }

    async fn patch_with(&self, path: &str, content_type: &str, body: Value) -> (u16, Value) {
        let response = self
            .request(Method::PATCH, path)
            .header("content-type", content_type)
            .body(body.to_string())
            .send()
            .await
            .unwrap();
        read(response).await
    }
}

async fn read(response: Response) -> (u16, Value) {
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// Asserts the SuperOffice error body.
fn assert_error(status: u16, body: &Value, expected: u16) {
    assert_eq!(status, expected, "{body}");
    assert_eq!(body["Error"], true, "{body}");
    for key in ["ErrorType", "ErrorMessage", "ErrorSource"] {
        assert!(
            body[key].as_str().is_some_and(|v| !v.is_empty()),
            "{key} in {body}"
        );
    }
}

fn has_message(kind: &'static str, party: &'static str) -> impl Fn(&Value) -> bool {
    move |data: &Value| {
        data["messages"].as_array().is_some_and(|messages| {
            messages
                .iter()
                .any(|m| m["type"] == kind && m["from"]["type"] == party)
        })
    }
}

/// A customer on Bayeux who requested a chat: client, chatId, secureKey.
async fn bayeux_customer(url: &str, nickname: &str) -> (BayeuxClient, String, String) {
    let mut client = BayeuxClient::handshake(url, Transport::LongPolling, None)
        .await
        .expect("handshake");
    client.subscribe(CHANNEL).await;
    client
        .publish(
            CHANNEL,
            json!({"operation": "requestChat", "nickname": nickname, "firstName": "Ann",
                   "lastName": "Lee", "emailAddress": "ann@example.com", "text": "Hello there"}),
        )
        .await;
    let envelope = client
        .next_on(CHANNEL, |data| data.get("secureKey").is_some())
        .await;
    let chat_id = envelope["chatId"].as_str().unwrap().to_owned();
    let key = envelope["secureKey"].as_str().unwrap().to_owned();
    (client, chat_id, key)
}

/// A chat requested over GMS REST: chatId and secureKey.
async fn gms_chat(server: &TestServer, service: &str, nickname: &str) -> (String, String) {
    let (status, chat) = gms_form(
        &server.http(),
        &server.url,
        service,
        &[("nickname", nickname)],
    )
    .await;
    assert_eq!(status, 200, "{chat}");
    (
        chat["chatId"].as_str().unwrap().to_owned(),
        chat["secureKey"].as_str().unwrap().to_owned(),
    )
}

#[tokio::test]
async fn the_seed_sample_body_is_accepted_verbatim() {
    let server = TestServer::start().await;
    let bob = So::new(&server, BOB);
    let response = bob
        .request(Method::POST, "/api/v1/ChatSession")
        .header("accept", "application/json; charset=utf-8")
        .header("accept-language", "sv")
        .header("content-type", "application/json; charset=utf-8")
        .body(SEED_BODY)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert!(response.headers().get("last-modified").is_some());
    let (_, entity) = read(response).await;
    let number = entity["ChatSessionId"].as_i64().unwrap();
    assert!(number >= 1 && number != 452, "{entity}");
    // Topic 699 does not exist: the default topic (customer-support) is used.
    let (_, topics) = bob.get("/api/v1/ChatTopic").await;
    assert_eq!(entity["TopicId"], topics[0]["ChatTopicId"]);
    for (key, value) in [
        ("CustomerAlias", json!("officiis")),
        ("CustomerHost", json!("et")),
        ("CustomerName", json!("Sipes Group")),
        ("CustomerEmail", json!("ida_marquardt@mills.com")),
        ("CustomerPhone", json!("627.849.5733 x0016")),
        ("CustomerConsented", json!(true)),
        (
            "CustomerCompanyName",
            json!("Baumbach, Konopelski and Farrell"),
        ),
        // Closed before any user joined.
        ("Status", json!("ClosedFromQueue")),
        ("FirstMessage", json!("qui")),
        ("LastMessage", json!("qui")),
        ("SessionKey", Value::Null),
        ("AlertLevel", json!(405)),
        ("Rank", json!(0)),
        ("Flags", json!("")),
        ("ChatbotIsActive", json!(false)),
        ("Rating", json!(579)),
        ("User", Value::Null),
        ("TransferTo", Value::Null),
        ("Contact", Value::Null),
    ] {
        assert_eq!(entity[key], value, "{key} in {entity}");
    }
    assert!(entity["WhenEnded"].as_str().unwrap().ends_with('Z'));
    assert!(entity["WhenRequested"].is_string());
    assert_eq!(entity["InitialQueuePos"], 1);
    assert_eq!(entity["TableRight"]["Mask"], "Delete");
    assert_eq!(
        entity["FieldProperties"]["ChatSessionId"]["FieldRight"]["Mask"],
        "Read"
    );
    assert_eq!(
        entity["FieldProperties"]["CustomerAlias"]["FieldLength"],
        64
    );
    assert_eq!(
        entity["_Links"]["Self"],
        format!("{}/api/v1/ChatSession/{number}", server.url)
    );
    // Every property of the seed is there.
    let seed: Value = serde_json::from_str(SEED_BODY).unwrap();
    for key in seed.as_object().unwrap().keys() {
        assert!(entity.get(key).is_some(), "{key} missing");
    }
    // The same record is a conversation of the agents' API.
    let token = agent_token(&server.http(), &server.url, "bob", "bob-secret").await;
    let (status, conversation) = support::agent_get(
        &server.http(),
        &server.url,
        &token,
        "/api/v1/conversations?scope=all",
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(conversation["conversations"][0]["chatSessionId"], number);
    assert_eq!(conversation["conversations"][0]["status"], "closed");
    server.stop().await;
}

#[tokio::test]
async fn a_bayeux_chat_is_a_chat_session_and_messages_cross_faces() {
    let server = TestServer::start().await;
    let bob = So::new(&server, BOB);
    let (mut ann, chat_id, key) = bayeux_customer(&server.url, "Annie").await;

    // Visible by GMS chatId and by number.
    let (status, by_chat_id) = bob.get(&format!("/api/v1/ChatSession/{chat_id}")).await;
    assert_eq!(status, 200, "{by_chat_id}");
    let number = by_chat_id["ChatSessionId"].as_i64().unwrap();
    let (_, session) = bob.get(&format!("/api/v1/ChatSession/{number}")).await;
    assert_eq!(session["CustomerAlias"], "Annie");
    assert_eq!(session["CustomerName"], "Ann Lee");
    assert_eq!(session["CustomerEmail"], "ann@example.com");
    assert_eq!(session["Status"], "InQueue");
    assert_eq!(session["FirstMessage"], "Hello there");
    assert_eq!(session["User"], Value::Null);
    assert_eq!(session["SessionKey"], Value::Null);
    assert!(
        !session.to_string().contains(&key),
        "the secureKey never shows"
    );

    // Pickup: the customer sees the agent join.
    let (status, picked) = bob
        .post(&format!("/api/v1/ChatSession/{number}/Pickup"), json!({}))
        .await;
    assert_eq!(status, 200, "{picked}");
    assert_eq!(picked["Status"], "CustomerLast");
    assert_eq!(picked["User"]["Name"], "bob");
    assert_eq!(picked["User"]["AssociateId"], 1);
    assert_eq!(picked["Rank"], 1);
    assert!(picked["WhenStarted"].is_string());
    ann.next_on(CHANNEL, has_message("ParticipantJoined", "Agent"))
        .await;

    // A message posted here reaches the customer's browser over Bayeux.
    let (status, posted) = bob
        .post(
            &format!("/api/v1/ChatSession/{number}/Messages"),
            json!({"ChatSessionId": number, "Message": "Hi Ann, Bob here", "Author": "ignored"}),
        )
        .await;
    assert_eq!(status, 200, "{posted}");
    assert_eq!(posted["Message"], "Hi Ann, Bob here");
    assert_eq!(posted["Author"], "bob");
    assert_eq!(posted["ChatSessionId"], number);
    let delivered = ann.next_on(CHANNEL, has_message("Message", "Agent")).await;
    assert_eq!(delivered["messages"][0]["text"], "Hi Ann, Bob here");
    assert_eq!(delivered["messages"][0]["index"], posted["ChatMessageId"]);

    // The customer types and answers; the messages show up here.
    ann.publish(
        CHANNEL,
        json!({"operation": "startTyping", "secureKey": key}),
    )
    .await;
    let (_, typing) = bob
        .get(&format!("/api/v1/ChatSession/{number}?$select=Flags"))
        .await;
    assert_eq!(typing["Flags"], "CustomerIsTyping");
    ann.publish(
        CHANNEL,
        json!({"operation": "sendMessage", "message": "Thanks Bob", "secureKey": key}),
    )
    .await;
    let (status, messages) = bob
        .get(&format!("/api/v1/ChatSession/{number}/Messages"))
        .await;
    assert_eq!(status, 200);
    let texts: Vec<(&str, &str)> = messages
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["Type"] == "Message")
        .map(|m| {
            (
                m["Author"].as_str().unwrap(),
                m["Message"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        texts,
        vec![
            ("Annie", "Hello there"),
            ("bob", "Hi Ann, Bob here"),
            ("Annie", "Thanks Bob")
        ]
    );
    assert!(messages
        .as_array()
        .unwrap()
        .iter()
        .all(|m| m["Type"] != "TypingStarted"));
    let after = posted["ChatMessageId"].as_u64().unwrap();
    let (_, later) = bob
        .get(&format!(
            "/api/v1/ChatSession/{chat_id}/Messages?after={after}"
        ))
        .await;
    let later: Vec<&Value> = later.as_array().unwrap().iter().collect();
    assert_eq!(later.len(), 1, "{later:?}");
    assert_eq!(later[0]["Message"], "Thanks Bob");
    assert!(later[0]["ChatMessageId"].as_u64().unwrap() > after);
    assert_eq!(later[0]["ReadByCustomer"], 1);
    let (_, session) = bob.get(&format!("/api/v1/ChatSession/{number}")).await;
    assert_eq!(session["LastMessage"], "Thanks Bob");
    assert_eq!(session["Status"], "CustomerLast");
    assert_eq!(session["Flags"], "");

    // The transcript, as text and HTML.
    let (status, text) = bob
        .post(
            &format!("/api/v1/ChatSession/{number}/Transcript"),
            json!({}),
        )
        .await;
    assert_eq!(status, 200);
    let text = text.as_str().unwrap();
    assert!(text.contains("Annie: Hello there"), "{text}");
    assert!(text.contains("bob: Hi Ann, Bob here"), "{text}");
    assert!(text.contains("bob joined the chat"), "{text}");
    let (_, html) = bob
        .post(
            &format!("/api/v1/ChatSession/{number}/Transcript?html=true"),
            json!({}),
        )
        .await;
    assert!(html
        .as_str()
        .unwrap()
        .starts_with("<div class=\"chat-transcript\">"));
    assert!(html.as_str().unwrap().contains("<b>Annie</b>: Hello there"));

    // PATCH Status Closed ends the chat: the customer is told chatEnded.
    let (status, closed) = bob
        .patch_with(
            &format!("/api/v1/ChatSession/{number}"),
            "application/json-patch+json",
            json!([{"op": "replace", "path": "Status", "value": "Closed"}]),
        )
        .await;
    assert_eq!(status, 200, "{closed}");
    assert_eq!(closed["Status"], "Closed");
    assert!(closed["WhenEnded"].is_string());
    assert_eq!(
        closed["User"]["Name"], "bob",
        "the user who handled it stays"
    );
    let ended = ann.next_on(CHANNEL, |d| d["chatEnded"] == true).await;
    assert_eq!(ended["chatId"], chat_id.as_str());
    server.stop().await;
}

#[tokio::test]
async fn a_session_updated_here_changes_the_gms_and_agent_views() {
    let server = TestServer::start().await;
    let bob = So::new(&server, BOB);
    let (chat_id, key) = gms_chat(&server, SERVICE, "Carl").await;

    // Merge patch of CRM and GMS fields.
    let (status, patched) = bob
        .patch_with(
            &format!("/api/v1/ChatSession/{chat_id}"),
            "application/merge-patch+json",
            json!({"CustomerAlias": "Carlos", "customerphone": "555-1234", "Rating": 4,
                   "Contact": {"ContactId": 17, "Name": "Acme"}, "ChatbotIsActive": true}),
        )
        .await;
    assert_eq!(status, 200, "{patched}");
    assert_eq!(patched["CustomerAlias"], "Carlos");
    assert_eq!(patched["CustomerPhone"], "555-1234");
    assert_eq!(patched["Rating"], 4);
    assert_eq!(patched["Contact"]["ContactId"], 17);
    assert_eq!(patched["ChatbotIsActive"], true);
    let token = agent_token(&server.http(), &server.url, "bob", "bob-secret").await;
    let (_, conversation) = support::agent_get(
        &server.http(),
        &server.url,
        &token,
        &format!("/api/v1/conversations/{chat_id}"),
    )
    .await;
    assert_eq!(conversation["conversation"]["nickname"], "Carlos");

    // JSON Patch: add, replace, remove, test.
    let path = format!("/api/v1/ChatSession/{chat_id}");
    let (status, patched) = bob
        .patch_with(
            &path,
            "application/json-patch+json",
            json!([
                {"op": "test", "path": "/customeralias", "value": "Carlos"},
                {"op": "add", "path": "/Contact/Department", "value": "Sales"},
                {"op": "replace", "path": "AlertLevel", "value": 3},
                {"op": "remove", "path": "/CustomerPhone"}
            ]),
        )
        .await;
    assert_eq!(status, 200, "{patched}");
    assert_eq!(
        patched["Contact"],
        json!({"ContactId": 17, "Name": "Acme", "Department": "Sales"})
    );
    assert_eq!(patched["AlertLevel"], 3);
    assert_eq!(patched["CustomerPhone"], Value::Null);
    // A failed test is 409 and changes nothing.
    let (status, body) = bob
        .patch_with(
            &path,
            "application/json-patch+json",
            json!([
                {"op": "replace", "path": "/Rating", "value": 1},
                {"op": "test", "path": "/CustomerAlias", "value": "Somebody"}
            ]),
        )
        .await;
    assert_error(status, &body, 409);
    assert_eq!(bob.get(&path).await.1["Rating"], 4);
    // Read-only, unknown paths, move and bad values are 400.
    for bad in [
        json!([{"op": "replace", "path": "/ChatSessionId", "value": 9}]),
        json!([{"op": "replace", "path": "/WhenRequested", "value": "2001-01-01T00:00:00Z"}]),
        json!([{"op": "replace", "path": "/Nope", "value": 1}]),
        json!([{"op": "move", "from": "/Rating", "path": "/AlertLevel"}]),
        json!([{"op": "replace", "path": "/Rating", "value": "many"}]),
        json!([{"op": "replace", "path": "/Status", "value": "Faq"}]),
        json!([{"op": "replace", "path": "/TopicId", "value": 4242}]),
        json!([{"op": "replace", "path": "/User", "value": "nobody"}]),
        json!([{"op": "replace", "path": "/Flags", "value": "CustomerIsTyping"}]),
    ] {
        let (status, body) = bob
            .patch_with(&path, "application/json-patch+json", bad.clone())
            .await;
        assert_error(status, &body, 400);
    }
    // A read-only property written with its current value is fine.
    let (_, current) = bob.get(&path).await;
    let (status, _) = bob
        .patch_with(
            &path,
            "application/json",
            json!([{"op": "replace", "path": "/ChatSessionId", "value": current["ChatSessionId"]}]),
        )
        .await;
    assert_eq!(status, 200);

    // PUT: a GET body sent back with changes; read-only properties are ignored.
    let mut entity = current.clone();
    entity["CustomerCompanyName"] = json!("Acme AS");
    entity["WhenRequested"] = json!("1999-01-01T00:00:00Z");
    entity["User"] = json!({"AssociateId": 2});
    let (status, put) = bob.call(Method::PUT, &path, Some(entity)).await;
    assert_eq!(status, 200, "{put}");
    assert_eq!(put["CustomerCompanyName"], "Acme AS");
    assert_eq!(put["WhenRequested"], current["WhenRequested"]);
    assert_eq!(
        put["User"]["Name"], "eve",
        "writing User assigns the session"
    );
    assert_eq!(put["Status"], "CustomerLast");

    // The customer sees the agent join over GMS REST, and keeps chatting.
    let (status, refreshed) = gms_form(
        &server.http(),
        &server.url,
        &format!("{SERVICE}/{chat_id}/refresh"),
        &[("secureKey", &key)],
    )
    .await;
    assert_eq!(status, 200);
    assert!(has_message("ParticipantJoined", "Agent")(&refreshed));

    // Status InQueue puts it back in the queue; Finished lets the customer go.
    let (status, queued) = bob
        .patch_with(
            &path,
            "application/merge-patch+json",
            json!({"Status": "InQueue"}),
        )
        .await;
    assert_eq!(status, 200, "{queued}");
    assert_eq!(queued["Status"], "InQueue");
    assert_eq!(queued["User"], Value::Null);
    let (status, active) = bob
        .patch_with(
            &path,
            "application/merge-patch+json",
            json!({"Status": "UserLast"}),
        )
        .await;
    assert_eq!(status, 200, "{active}");
    assert_eq!(active["User"]["Name"], "bob", "the caller picks it up");
    let (status, finished) = bob
        .patch_with(
            &path,
            "application/merge-patch+json",
            json!({"Status": "Finished"}),
        )
        .await;
    assert_eq!(status, 200, "{finished}");
    assert_eq!(finished["Status"], "Finished");
    let (_, refreshed) = gms_form(
        &server.http(),
        &server.url,
        &format!("{SERVICE}/{chat_id}/refresh"),
        &[("secureKey", &key)],
    )
    .await;
    assert_eq!(refreshed["chatEnded"], true);
    let (status, body) = bob
        .patch_with(
            &path,
            "application/merge-patch+json",
            json!({"Status": "InQueue"}),
        )
        .await;
    assert_error(status, &body, 400);

    // DELETE: 204, then 404.
    let response = bob.request(Method::DELETE, &path).send().await.unwrap();
    assert_eq!(response.status(), 204);
    let (status, body) = bob.get(&path).await;
    assert_error(status, &body, 404);
    let (status, body) = bob.get("/api/v1/ChatSession/999999").await;
    assert_error(status, &body, 404);
    server.stop().await;
}

#[tokio::test]
async fn if_unmodified_since_guards_writes() {
    let server = TestServer::start().await;
    let bob = So::new(&server, BOB);
    let (chat_id, _) = gms_chat(&server, SERVICE, "Dora").await;
    let path = format!("/api/v1/ChatSession/{chat_id}");
    let response = bob.request(Method::GET, &path).send().await.unwrap();
    let last_modified = response
        .headers()
        .get("last-modified")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    // Not modified since: 304.
    let response = bob
        .request(Method::GET, &path)
        .header("if-modified-since", &last_modified)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 304);
    // Unchanged since the date: the write goes through.
    let response = bob
        .request(Method::PATCH, &path)
        .header("if-unmodified-since", &last_modified)
        .json(&json!({"Rating": 5}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    // Changed since an older date: 412, for PUT, PATCH and DELETE.
    let old = "Wed, 03 Oct 2001 15:54:07 GMT";
    for method in [Method::PUT, Method::PATCH, Method::DELETE] {
        let mut request = bob
            .request(method.clone(), &path)
            .header("if-unmodified-since", old);
        if method != Method::DELETE {
            request = request.json(&json!({"Rating": 1}));
        }
        let (status, body) = read(request.send().await.unwrap()).await;
        assert_error(status, &body, 412);
    }
    assert_eq!(bob.get(&path).await.1["Rating"], 5);
    server.stop().await;
}

#[tokio::test]
async fn authentication_schemes_xsrf_and_content_negotiation() {
    let server = TestServer::start().await;
    let url = &server.url;
    let plain = reqwest::Client::new();

    // No credentials, wrong ones, an unknown scheme: 401 with the error body.
    let response = plain
        .get(format!("{url}/api/v1/ChatSession"))
        .send()
        .await
        .unwrap();
    assert!(response.headers().get("www-authenticate").is_some());
    let (status, body) = read(response).await;
    assert_error(status, &body, 401);
    for authorization in [
        "Basic Ym9iOndyb25n",
        "Bearer nope",
        "SOTicket 7T:nope",
        "Digest x",
    ] {
        let (status, body) = read(
            plain
                .get(format!("{url}/api/v1/ChatSession"))
                .header("authorization", authorization)
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_error(status, &body, 401);
    }

    // Bearer and SOTicket from the agents' login.
    let login: Value = plain
        .post(format!("{url}/api/v1/agents/login"))
        .json(&json!({"username": "eve", "password": "eve-secret"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    for authorization in [
        format!("Bearer {}", login["token"].as_str().unwrap()),
        format!("SOTicket {}", login["ticket"].as_str().unwrap()),
    ] {
        let response = plain
            .get(format!("{url}/api/v1/ChatSession/ForCurrentUser"))
            .header("authorization", authorization)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
    }

    // Cookie login: safe methods pass; unsafe ones need X-XSRF-TOKEN.
    let browser = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap();
    let response = browser
        .post(format!("{url}/api/v1/agents/session"))
        .json(&json!({"username": "bob", "password": "bob-secret"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let cookies: Vec<String> = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect();
    assert!(cookies
        .iter()
        .any(|c| c.starts_with("HOTLINE_SESSION=") && c.contains("HttpOnly")));
    let xsrf_cookie = cookies
        .iter()
        .find_map(|c| c.strip_prefix("XSRF-TOKEN="))
        .and_then(|c| c.split(';').next())
        .unwrap()
        .to_owned();
    let session: Value = response.json().await.unwrap();
    assert_eq!(session["xsrfToken"], xsrf_cookie.as_str());
    let response = browser
        .get(format!("{url}/api/v1/ChatTopic"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let (status, body) = read(
        browser
            .post(format!("{url}/api/v1/ChatSession"))
            .json(&json!({"CustomerAlias": "Xena"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_error(status, &body, 403);
    let (status, body) = read(
        browser
            .post(format!("{url}/api/v1/ChatSession"))
            .header("x-xsrf-token", "forged")
            .json(&json!({"CustomerAlias": "Xena"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_error(status, &body, 403);
    let (status, created) = read(
        browser
            .post(format!("{url}/api/v1/ChatSession"))
            .header("x-xsrf-token", &xsrf_cookie)
            .json(&json!({"CustomerAlias": "Xena"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200, "{created}");
    assert_eq!(created["CustomerAlias"], "Xena");
    // Sign out: the cookie no longer works.
    let response = browser
        .delete(format!("{url}/api/v1/agents/session"))
        .header("x-xsrf-token", &xsrf_cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 204);
    let (status, body) = read(
        browser
            .get(format!("{url}/api/v1/ChatTopic"))
            .header(
                "cookie",
                format!("HOTLINE_SESSION={}", session["ticket"].as_str().unwrap()),
            )
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_error(status, &body, 401);

    // Accept and Content-Type: JSON in all its names; XML is refused with the error body.
    let bob = So::new(&server, BOB);
    for accept in [
        "application/json",
        "text/json",
        "*/*",
        "application/json; charset=utf-8",
    ] {
        let response = bob
            .request(Method::GET, "/api/v1/ChatSession/default")
            .header("accept", accept)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{accept}");
    }
    for accept in ["application/xml", "text/xml"] {
        let (status, body) = read(
            bob.request(Method::GET, "/api/v1/ChatSession/default")
                .header("accept", accept)
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_error(status, &body, 406);
    }
    for content_type in ["application/xml", "text/xml", "text/plain"] {
        let (status, body) = read(
            bob.request(Method::POST, "/api/v1/ChatSession")
                .header("content-type", content_type)
                .body("<ChatSessionEntity/>")
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_error(status, &body, 415);
    }
    let (status, body) = read(
        bob.request(Method::POST, "/api/v1/ChatSession")
            .header("content-type", "application/json")
            .body("{not json")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_error(status, &body, 400);
    let (status, via_text_json) = read(
        bob.request(Method::POST, "/api/v1/ChatSession")
            .header("content-type", "text/json")
            .body(r#"{"CustomerAlias": "Tex"}"#)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(via_text_json["CustomerAlias"], "Tex");
    let (status, via_form) = read(
        bob.request(Method::POST, "/api/v1/ChatSession")
            .form(&[
                ("CustomerAlias", "Formy"),
                ("Rating", "3"),
                ("CustomerConsented", "true"),
            ])
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200, "{via_form}");
    assert_eq!(via_form["Rating"], 3);
    assert_eq!(via_form["CustomerConsented"], true);
    // Language headers are accepted.
    let response = bob
        .request(Method::GET, "/api/v1/ChatTopic")
        .header("accept-language", "sv")
        .header("so-language", "nb-no")
        .header("so-culture", "nb-no")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    server.stop().await;
}

#[tokio::test]
async fn select_and_time_zones_shape_the_entity() {
    let server = TestServer::start().await;
    let bob = So::new(&server, BOB);
    let (chat_id, _) = gms_chat(&server, SERVICE, "Eva").await;
    bob.post(&format!("/api/v1/ChatSession/{chat_id}/Pickup"), json!({}))
        .await;
    let path = format!("/api/v1/ChatSession/{chat_id}");
    let (status, full) = bob.get(&path).await;
    assert_eq!(status, 200);
    let (status, selected) = bob
        .get(&format!("{path}?$select=customeralias,USER/name,Status"))
        .await;
    assert_eq!(status, 200, "{selected}");
    assert_eq!(
        selected.as_object().unwrap().keys().collect::<Vec<_>>(),
        full.as_object().unwrap().keys().collect::<Vec<_>>(),
        "the shape is kept"
    );
    assert_eq!(selected["CustomerAlias"], "Eva");
    assert_eq!(selected["Status"], "CustomerLast");
    assert_eq!(selected["User"]["Name"], "bob");
    assert_eq!(selected["User"]["AssociateId"], Value::Null);
    assert_eq!(selected["ChatSessionId"], Value::Null);
    assert_eq!(selected["WhenRequested"], Value::Null);
    let (status, body) = bob.get(&format!("{path}?$select=Nope")).await;
    assert_error(status, &body, 400);

    // SO-TimeZone converts dates; includeTZOffset adds the offset.
    let utc = full["WhenRequested"].as_str().unwrap().to_owned();
    assert!(utc.ends_with('Z'), "{utc}");
    let in_zone = |zone: &'static str| {
        let request = bob.request(Method::GET, &path).header("so-timezone", zone);
        async move { read(request.send().await.unwrap()).await }
    };
    let (_, plus_five) = in_zone("+05:00, includeTZOffset").await;
    let shifted = plus_five["WhenRequested"].as_str().unwrap();
    assert!(shifted.ends_with("+0500"), "{shifted}");
    let (_, no_offset) = in_zone("+05:00").await;
    let local = no_offset["WhenRequested"].as_str().unwrap();
    assert_eq!(&shifted[..shifted.len() - 5], local);
    assert!(!local.ends_with('Z'));
    let (_, oslo) = in_zone("NO, includeTZOffset").await;
    let oslo = oslo["WhenRequested"].as_str().unwrap();
    assert!(oslo.ends_with("+0100") || oslo.ends_with("+0200"), "{oslo}");
    let (status, body) = in_zone("Atlantis/Lost").await;
    assert_error(status, &body, 400);
    server.stop().await;
}

#[tokio::test]
async fn the_archive_list_filters_orders_and_pages() {
    let server = TestServer::start().await;
    let bob = So::new(&server, BOB);
    let mut chats = Vec::new();
    for name in ["Alma", "Bert", "Cleo", "Dan"] {
        chats.push(gms_chat(&server, SERVICE, name).await.0);
    }
    // Bert is picked up by bob, Cleo is closed.
    bob.post(
        &format!("/api/v1/ChatSession/{}/Pickup", chats[1]),
        json!({}),
    )
    .await;
    bob.patch_with(
        &format!("/api/v1/ChatSession/{}", chats[2]),
        "application/merge-patch+json",
        json!({"Status": "Closed", "Rating": 2}),
    )
    .await;

    let list = |query: &'static str| bob.get_owned(format!("/api/v1/ChatSession{query}"));
    let (status, all) = list("").await;
    assert_eq!(status, 200, "{all}");
    let rows = all["value"].as_array().unwrap();
    assert_eq!(rows.len(), 4);
    assert_eq!(rows[0]["EntityName"], "chat");
    assert_eq!(rows[0]["PrimaryKey"], rows[0]["ChatSessionId"]);
    assert!(all["odata.metadata"].is_string());
    assert_eq!(all["odata.nextLink"], Value::Null);

    let aliases = |body: &Value| -> Vec<String> {
        body["value"]
            .as_array()
            .unwrap()
            .iter()
            .map(|row| row["CustomerAlias"].as_str().unwrap_or("").to_owned())
            .collect()
    };
    for (query, expected) in [
        ("?$filter=Status eq InQueue", vec!["Alma", "Dan"]),
        ("?$filter=status eq 'closedfromqueue'", vec!["Cleo"]),
        ("?$filter=Status ne 'InQueue' and Rating eq 2", vec!["Cleo"]),
        ("?$filter=(CustomerAlias eq 'alma' or CustomerAlias eq 'DAN') and not (Status eq Closed)", vec!["Alma", "Dan"]),
        ("?$filter=startswith(CustomerAlias,'B')", vec!["Bert"]),
        ("?$filter=contains(customeralias,'le')", vec!["Cleo"]),
        ("?$filter=User/Name eq 'bob'", vec!["Bert"]),
        ("?$filter=User/AssociateId eq 1", vec!["Bert"]),
        ("?$filter=WhenEnded ne null", vec!["Cleo"]),
        ("?$filter=WhenRequested gt 2001-01-01T00:00:00Z and WhenRequested lt 2999-01-01", vec!["Alma", "Bert", "Cleo", "Dan"]),
        ("?$filter=WhenRequested lt 2001-01-01", vec![]),
        ("?$orderBy=CustomerAlias desc", vec!["Dan", "Cleo", "Bert", "Alma"]),
        ("?$orderBy=Status,CustomerAlias desc", vec!["Dan", "Alma", "Bert", "Cleo"]),
        ("?$top=2&$skip=1", vec!["Bert", "Cleo"]),
    ] {
        let (status, body) = list(query).await;
        assert_eq!(status, 200, "{query}: {body}");
        assert_eq!(aliases(&body), expected, "{query}");
    }
    let (_, paged) = list("?$top=2&$filter=ChatSessionId gt 0").await;
    let next = paged["odata.nextLink"].as_str().unwrap();
    assert!(
        next.contains("%24skip=2") || next.contains("$skip=2"),
        "{next}"
    );
    let next_path = next.strip_prefix(&server.url).unwrap().to_owned();
    let (_, second) = bob.get(&next_path).await;
    assert_eq!(aliases(&second), vec!["Cleo", "Dan"]);
    assert_eq!(second["odata.nextLink"], Value::Null);

    let (_, columns) = list("?$select=CustomerAlias,user/name&$filter=User ne null").await;
    let row = columns["value"][0].as_object().unwrap();
    let mut keys: Vec<&String> = row.keys().collect();
    keys.sort();
    assert_eq!(
        keys,
        vec!["CustomerAlias", "EntityName", "PrimaryKey", "User/name"]
    );
    assert_eq!(row["User/name"], "bob");

    for query in [
        "?$filter=Nope eq 1",
        "?$filter=Status eq 'Pending'",
        "?$filter=CustomerAlias eq",
        "?$orderBy=Nope",
        "?$select=Nope",
        "?$top=-1",
        "?$skip=x",
        "?$filter=WhenRequested gt 'tomorrow'",
    ] {
        let (status, body) = list(query).await;
        assert_error(status, &body, 400);
    }
    // A date without an offset is read in the SO-TimeZone zone.
    let (_, session) = bob.get(&format!("/api/v1/ChatSession/{}", chats[0])).await;
    let requested = session["WhenRequested"].as_str().unwrap().to_owned();
    let (_, in_zone) = read(
        bob.request(Method::GET, &format!("/api/v1/ChatSession/{}", chats[0]))
            .header("so-timezone", "+03:00")
            .send()
            .await
            .unwrap(),
    )
    .await;
    let local = in_zone["WhenRequested"].as_str().unwrap();
    let (status, body) = read(
        bob.request(Method::GET, "/api/v1/ChatSession")
            .header("so-timezone", "+03:00")
            .query(&[(
                "$filter",
                format!("WhenRequested le '{local}' and CustomerAlias eq 'Alma'"),
            )])
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(aliases(&body), vec!["Alma"], "{requested} vs {local}");
    server.stop().await;
}

impl So {
    async fn get_owned(&self, path: String) -> (u16, Value) {
        self.get(&path).await
    }
}

#[tokio::test]
async fn transfer_pickup_and_reset() {
    let server = TestServer::start().await;
    let bob = So::new(&server, BOB);
    let eve = So::new(&server, EVE);
    let (mut ann, chat_id, _) = bayeux_customer(&server.url, "Ann").await;
    let (status, body) = bob.post("/api/v1/ChatSession/Pickup", json!({})).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["CustomerAlias"], "Ann");
    let number = body["ChatSessionId"].as_i64().unwrap();
    let base = format!("/api/v1/ChatSession/{number}");
    // Nothing else waits.
    let (status, body) = eve.post("/api/v1/ChatSession/Pickup", json!({})).await;
    assert_error(status, &body, 404);
    let (status, body) = eve.post(&format!("{base}/Pickup"), json!({})).await;
    assert_error(status, &body, 409);

    // A transfer asked by someone not in the session does nothing.
    let (status, body) = eve.post(&format!("{base}/TransferTo/bob"), json!({})).await;
    assert_eq!(status, 200);
    assert_eq!(body["TransferTo"], Value::Null);
    let (status, body) = bob
        .post(&format!("{base}/TransferTo/nobody"), json!({}))
        .await;
    assert_error(status, &body, 404);
    let (status, body) = eve.post(&format!("{base}/AcceptTransfer"), json!({})).await;
    assert_error(status, &body, 409);

    // bob asks for a transfer to eve (by associate id); eve sees it, rejects, then accepts.
    let (status, body) = bob.post(&format!("{base}/TransferTo/2"), json!({})).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["TransferTo"]["Name"], "eve");
    let (_, mine) = eve.get("/api/v1/ChatSession/ForCurrentUser").await;
    assert!(mine
        .as_array()
        .unwrap()
        .iter()
        .any(|s| s["ChatSessionId"] == number));
    let (status, body) = bob.post(&format!("{base}/AcceptTransfer"), json!({})).await;
    assert_error(status, &body, 403);
    let (status, body) = eve.post(&format!("{base}/RejectTransfer"), json!({})).await;
    assert_eq!(status, 200);
    assert_eq!(body["TransferTo"], Value::Null);
    assert_eq!(body["User"]["Name"], "bob");
    bob.post(&format!("{base}/TransferTo/eve"), json!({})).await;
    let (status, body) = eve.post(&format!("{base}/AcceptTransfer"), json!({})).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["User"]["Name"], "eve");
    assert_eq!(body["TransferTo"], Value::Null);
    // The customer saw bob leave and eve join.
    let joined = ann
        .next_on(CHANNEL, |d| {
            d["messages"].as_array().is_some_and(|m| {
                m.iter()
                    .any(|e| e["type"] == "ParticipantJoined" && e["from"]["nickname"] == "eve")
            })
        })
        .await;
    assert!(joined["messages"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["type"] == "ParticipantLeft" && e["from"]["nickname"] == "bob"));
    // bob is no longer in it: his message is refused.
    let (status, body) = bob
        .post(
            &format!("{base}/Messages"),
            json!({"Message": "still here?"}),
        )
        .await;
    assert_error(status, &body, 403);
    let (status, body) = bob.post(&format!("{base}/Messages"), json!({})).await;
    assert_error(status, &body, 400);

    // Reset: back to the queue for a human, the bot flag cleared.
    eve.patch_with(&base, "application/json", json!({"ChatbotIsActive": true}))
        .await;
    let (status, body) = eve.post(&format!("{base}/Reset"), json!({})).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["Status"], "InQueue");
    assert_eq!(body["User"], Value::Null);
    assert_eq!(body["ChatbotIsActive"], false);
    ann.next_on(CHANNEL, |d| {
        d["messages"].as_array().is_some_and(|m| {
            m.iter()
                .any(|e| e["type"] == "ParticipantLeft" && e["from"]["nickname"] == "eve")
        })
    })
    .await;
    let (_, queue) = bob.get("/api/v1/ChatSession/ForCurrentUser").await;
    assert!(queue
        .as_array()
        .unwrap()
        .iter()
        .any(|s| s["ChatSessionId"] == number));

    // The agents' API sees the same record.
    let token = agent_token(&server.http(), &server.url, "bob", "bob-secret").await;
    let (status, accepted) = agent_post(
        &server.http(),
        &server.url,
        &token,
        &format!("/api/v1/conversations/{chat_id}/accept"),
        json!({}),
    )
    .await;
    assert_eq!(status, 200, "{accepted}");
    assert_eq!(accepted["conversation"]["chatSessionId"], number);
    let (_, session) = bob.get(&base).await;
    assert_eq!(session["User"]["Name"], "bob");
    // Ended sessions refuse life-cycle operations.
    bob.patch_with(&base, "application/json", json!({"Status": "Closed"}))
        .await;
    for action in ["Reset", "Pickup", "TransferTo/eve"] {
        let (status, body) = bob.post(&format!("{base}/{action}"), json!({})).await;
        assert_error(status, &body, 409);
    }
    server.stop().await;
}

#[tokio::test]
async fn topics_are_chat_services() {
    let server = TestServer::start().await;
    let bob = So::new(&server, BOB);
    let (status, topics) = bob.get("/api/v1/ChatTopic").await;
    assert_eq!(status, 200);
    assert_eq!(topics.as_array().unwrap().len(), 1);
    assert_eq!(topics[0]["Name"], SERVICE);
    let (status, default) = bob.get("/api/v1/ChatTopic/default").await;
    assert_eq!(status, 200);
    assert_eq!(default["ChatTopicId"], 0);

    // A new topic is a service customers can chat on at once.
    let (status, created) = bob
        .post(
            "/api/v1/ChatTopic",
            json!({"Name": "Sales Team", "Description": "Buying things", "WelcomeMessage": "Hi!",
                   "OpeningHoursEnabled": false, "WarnNewChatSeconds": 30}),
        )
        .await;
    assert_eq!(status, 200, "{created}");
    let id = created["ChatTopicId"].as_i64().unwrap();
    assert_eq!(created["Description"], "Buying things");
    assert_eq!(created["WarnNewChatSeconds"], 30);
    let gms_link = created["_Links"]["GmsChat"].as_str().unwrap();
    assert!(
        gms_link.ends_with("/genesys/2/chat/sales-team"),
        "{gms_link}"
    );
    let (chat_id, _) = gms_chat(&server, "sales-team", "Gus").await;
    let (_, session) = bob.get(&format!("/api/v1/ChatSession/{chat_id}")).await;
    assert_eq!(session["TopicId"], id);
    // Over Bayeux too.
    let mut client = BayeuxClient::handshake(&server.url, Transport::LongPolling, None)
        .await
        .unwrap();
    let channel = "/service/chatV2/sales-team";
    client.subscribe(channel).await;
    let reply = client
        .publish(
            channel,
            json!({"operation": "requestChat", "nickname": "Hal"}),
        )
        .await;
    assert_eq!(reply["successful"], true, "{reply}");

    // Sessions of the topic; a session created on it.
    let (status, created_session) = bob
        .post(
            &format!("/api/v1/ChatTopic/{id}/Sessions"),
            json!({"CustomerAlias": "Ivy", "TopicId": 1}),
        )
        .await;
    assert_eq!(status, 200, "{created_session}");
    assert_eq!(created_session["TopicId"], id);
    let response = bob
        .request(Method::POST, &format!("/api/v1/ChatTopic/{id}/Sessions"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "no body is fine");
    let (status, sessions) = bob.get(&format!("/api/v1/ChatTopic/{id}/Sessions")).await;
    assert_eq!(status, 200);
    let aliases: Vec<&str> = sessions
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["CustomerAlias"].as_str().unwrap())
        .collect();
    assert_eq!(aliases, vec!["Gus", "Hal", "Ivy", "Customer"]);

    // Moving a session to the topic by PATCH.
    let (other, _) = gms_chat(&server, SERVICE, "Jo").await;
    let (status, moved) = bob
        .patch_with(
            &format!("/api/v1/ChatSession/{other}"),
            "application/merge-patch+json",
            json!({"TopicId": id}),
        )
        .await;
    assert_eq!(status, 200, "{moved}");
    assert_eq!(moved["TopicId"], id);

    // Update: PUT keeps the service name, PATCH with test.
    let (status, renamed) = bob
        .call(
            Method::PUT,
            &format!("/api/v1/ChatTopic/{id}"),
            Some(json!({"Name": "Sales", "BadgeHeader": "Talk to sales"})),
        )
        .await;
    assert_eq!(status, 200, "{renamed}");
    assert_eq!(renamed["Name"], "Sales");
    assert_eq!(renamed["Description"], "Buying things");
    assert_eq!(renamed["_Links"]["GmsChat"], created["_Links"]["GmsChat"]);
    let (status, body) = bob
        .patch_with(
            &format!("/api/v1/ChatTopic/{id}"),
            "application/json-patch+json",
            json!([{"op": "test", "path": "/Name", "value": "Nope"}]),
        )
        .await;
    assert_error(status, &body, 409);
    let (status, body) = bob
        .patch_with(
            &format!("/api/v1/ChatTopic/{id}"),
            "application/json-patch+json",
            json!([{"op": "replace", "path": "/ChatTopicId", "value": 5}]),
        )
        .await;
    assert_error(status, &body, 400);

    // IsOpen follows the opening hours.
    let (status, open) = bob.get(&format!("/api/v1/ChatTopic/{id}/IsOpen")).await;
    assert_eq!(status, 200);
    assert_eq!(open, true);
    let closed_all_week: serde_json::Map<String, Value> =
        ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
            .iter()
            .map(|day| (format!("{day}Enabled"), json!(false)))
            .collect();
    let (status, _) = bob
        .patch_with(
            &format!("/api/v1/ChatTopic/{id}"),
            "application/merge-patch+json",
            json!({"OpeningHoursEnabled": true, "OpeningHours": closed_all_week}),
        )
        .await;
    assert_eq!(status, 200);
    let (_, open) = bob.get(&format!("/api/v1/ChatTopic/{id}/IsOpen")).await;
    assert_eq!(open, false);

    // Delete: refused while sessions are open; then gone, and no longer a service.
    let (status, body) = bob
        .call(Method::DELETE, &format!("/api/v1/ChatTopic/{id}"), None)
        .await;
    assert_error(status, &body, 409);
    let (_, sessions) = bob.get(&format!("/api/v1/ChatTopic/{id}/Sessions")).await;
    for session in sessions.as_array().unwrap() {
        let number = session["ChatSessionId"].as_i64().unwrap();
        let response = bob
            .request(Method::DELETE, &format!("/api/v1/ChatSession/{number}"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 204);
    }
    let response = bob
        .request(Method::DELETE, &format!("/api/v1/ChatTopic/{id}"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 204);
    let (status, body) = bob.get(&format!("/api/v1/ChatTopic/{id}")).await;
    assert_error(status, &body, 404);
    let (status, _) = gms_form(
        &server.http(),
        &server.url,
        "sales-team",
        &[("nickname", "Kim")],
    )
    .await;
    assert_eq!(status, 404);
    for path in ["/api/v1/ChatTopic/999", "/api/v1/ChatTopic/abc/IsOpen"] {
        let (status, body) = bob.get(path).await;
        assert_error(status, &body, 404);
    }
    let (status, body) = bob
        .post("/api/v1/ChatTopic", json!({"Description": "no name"}))
        .await;
    assert_error(status, &body, 400);
    server.stop().await;
}

#[tokio::test]
async fn default_entities_and_creating_with_status_and_user() {
    let server = TestServer::start().await;
    let bob = So::new(&server, BOB);
    let (status, default) = bob.get("/api/v1/ChatSession/default").await;
    assert_eq!(status, 200);
    assert_eq!(default["ChatSessionId"], 0);
    assert_eq!(default["Status"], "InQueue");
    assert!(default["TopicId"].as_i64().unwrap() >= 1);
    // The default entity can be posted back as it is.
    let (status, created) = bob.post("/api/v1/ChatSession", default.clone()).await;
    assert_eq!(status, 200, "{created}");
    assert_eq!(created["Status"], "InQueue");
    assert_eq!(created["CustomerAlias"], "Customer");
    // With a user: picked up by that user.
    let (status, created) = bob
        .post(
            "/api/v1/ChatSession?$select=User,Status",
            json!({"CustomerAlias": "Lou", "User": {"UserName": "eve"}, "Status": "UserLast"}),
        )
        .await;
    assert_eq!(status, 200, "{created}");
    assert_eq!(created["User"]["Name"], "eve");
    assert_eq!(created["Status"], "CustomerLast");
    assert_eq!(created["CustomerAlias"], Value::Null, "$select on POST");
    // Without one, an active status makes the caller pick it up.
    let (_, created) = bob
        .post(
            "/api/v1/ChatSession",
            json!({"CustomerAlias": "Max", "Status": "CustomerLast"}),
        )
        .await;
    assert_eq!(created["User"]["Name"], "bob");
    let (status, body) = bob
        .post(
            "/api/v1/ChatSession",
            json!({"CustomerAlias": "Ned", "Status": "OfflineForm"}),
        )
        .await;
    assert_error(status, &body, 400);
    let (status, body) = bob
        .post(
            "/api/v1/ChatSession",
            json!({"CustomerAlias": "Ned", "User": "zed"}),
        )
        .await;
    assert_error(status, &body, 400);
    server.stop().await;
}
