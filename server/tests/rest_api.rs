//! GMS chat v2 over plain HTTP and the agents' API, with a real HTTP client.

mod support;

use std::time::Duration;

use serde_json::{json, Value};
use support::{agent_get, agent_post, agent_token, gms_form, indexes, TestServer, SERVICE};

#[tokio::test]
async fn a_whole_chat_over_gms_rest_with_an_agent_answering() {
    let server = TestServer::start().await;
    let http = server.http();
    let url = &server.url;

    let (status, chat) = gms_form(
        &http,
        url,
        SERVICE,
        &[
            ("firstName", "First"),
            ("lastName", "Last"),
            ("subject", "Subject to"),
            ("userData[TimeZone]", "-480"),
            ("userData[OrderId]", "42"),
        ],
    )
    .await;
    assert_eq!(status, 200, "{chat}");
    assert_eq!(chat["statusCode"], 0);
    assert_eq!(chat["chatEnded"], false);
    assert_eq!(chat["alias"], "1");
    for field in ["chatId", "userId", "secureKey"] {
        assert!(
            chat[field].as_str().is_some_and(|v| !v.is_empty()),
            "{field} in {chat}"
        );
    }
    assert_eq!(
        chat["messages"][0],
        json!({"from":{"nickname":"First Last","participantId":1,"type":"Client"},"index":1,
               "type":"ParticipantJoined","utcTime":chat["messages"][0]["utcTime"]})
    );
    assert_eq!(chat["nextPosition"], 2);
    let chat_id = chat["chatId"].as_str().unwrap().to_owned();
    let key = chat["secureKey"].as_str().unwrap().to_owned();
    let user_id = chat["userId"].as_str().unwrap().to_owned();
    let alias = chat["alias"].as_str().unwrap().to_owned();
    let common = |extra: &[(&'static str, String)]| {
        let mut fields = vec![
            ("secureKey", key.clone()),
            ("userId", user_id.clone()),
            ("alias", alias.clone()),
        ];
        fields.extend(extra.iter().cloned());
        fields
    };
    let post = |op: &str, fields: Vec<(&'static str, String)>| {
        let http = http.clone();
        let target = format!("{url}/genesys/2/chat/{SERVICE}/{chat_id}/{op}");
        async move {
            let response = http.post(target).form(&fields).send().await.unwrap();
            let status = response.status().as_u16();
            (status, response.json::<Value>().await.unwrap())
        }
    };

    let (status, sent) = post(
        "send",
        common(&[
            ("message", "Hello".into()),
            ("transcriptPosition", "1".into()),
        ]),
    )
    .await;
    assert_eq!(status, 200, "{sent}");
    assert_eq!(indexes(&sent), vec![1, 2]);
    assert_eq!(sent["messages"][1]["text"], "Hello");
    let (status, _) = post("startTyping", common(&[("message", "Are y".into())])).await;
    assert_eq!(status, 200);
    let (status, _) = post("stopTyping", common(&[])).await;
    assert_eq!(status, 200);
    let (status, _) = post("updateData", common(&[("userData[Plan]", "gold".into())])).await;
    assert_eq!(status, 200);
    let (status, _) = post("updateNickname", common(&[("nickname", "Firsty".into())])).await;
    assert_eq!(status, 200);
    let (status, _) = post(
        "customNotice",
        common(&[("message", "file scanned".into())]),
    )
    .await;
    assert_eq!(status, 200);

    // An agent answers.
    let token = agent_token(&http, url, "bob", "bob-secret").await;
    let (status, queue) = agent_get(&http, url, &token, "/api/v1/conversations?scope=queue").await;
    assert_eq!(status, 200);
    let queued = queue["conversations"].as_array().unwrap();
    assert_eq!(queued.len(), 1);
    assert_eq!(queued[0]["chatId"], chat_id.as_str());
    assert_eq!(queued[0]["status"], "queued");
    assert_eq!(queued[0]["subject"], "Subject to");
    assert_eq!(
        queued[0]["userData"],
        json!({"TimeZone":"-480","OrderId":"42","Plan":"gold"})
    );
    assert_eq!(queued[0]["nickname"], "Firsty");
    let (status, accepted) = agent_post(
        &http,
        url,
        &token,
        &format!("/api/v1/conversations/{chat_id}/accept"),
        json!({}),
    )
    .await;
    assert_eq!(status, 200, "{accepted}");
    assert_eq!(accepted["conversation"]["status"], "active");
    let (status, sent) = agent_post(
        &http,
        url,
        &token,
        &format!("/api/v1/conversations/{chat_id}/messages"),
        json!({"text": "Hi, Bob here"}),
    )
    .await;
    assert_eq!(status, 200, "{sent}");
    let reply_index = sent["index"].as_u64().unwrap();

    // The customer's refresh sees the agent join and speak, from where it left off.
    let (status, refreshed) = post("refresh", common(&[("transcriptPosition", "3".into())])).await;
    assert_eq!(status, 200);
    let events: Vec<(String, String)> = refreshed["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["type"].as_str().unwrap().to_owned(),
                m["from"]["type"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let expected: Vec<(String, String)> = [
        ("TypingStarted", "Client"),
        ("TypingStopped", "Client"),
        ("NicknameUpdated", "Client"),
        ("CustomNotice", "Client"),
        ("ParticipantJoined", "Agent"),
        ("Message", "Agent"),
    ]
    .iter()
    .map(|(a, b)| (a.to_string(), b.to_string()))
    .collect();
    assert_eq!(events, expected);
    assert_eq!(refreshed["messages"][5]["index"], reply_index);
    assert_eq!(refreshed["nextPosition"], reply_index + 1);

    // The agent ends the chat; the customer is told, and can do nothing more but read.
    let (status, ended) = agent_post(
        &http,
        url,
        &token,
        &format!("/api/v1/conversations/{chat_id}/end"),
        json!({}),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(ended["conversation"]["status"], "closed");
    let (status, after) = post("refresh", common(&[])).await;
    assert_eq!(status, 200);
    assert_eq!(after["chatEnded"], true);
    let (status, refused) = post("send", common(&[("message", "hello?".into())])).await;
    assert_eq!(status, 409);
    assert_eq!(refused["statusCode"], 2);
    assert_eq!(refused["chatEnded"], true);
    assert_eq!(refused["errors"][0]["code"], 52);
    server.stop().await;
}

#[tokio::test]
async fn gms_rest_accepts_json_bodies_and_customer_disconnect_ends_the_chat() {
    let server = TestServer::start().await;
    let http = server.http();
    let url = &server.url;
    let response = http
        .post(format!("{url}/genesys/2/chat/{SERVICE}"))
        .json(&json!({"nickname": "Ann", "subject": "Billing", "userData": {"source": "web"}, "text": "Hi!"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let chat: Value = response.json().await.unwrap();
    assert_eq!(indexes(&chat), vec![1, 2]);
    assert_eq!(chat["messages"][1]["text"], "Hi!");
    let chat_id = chat["chatId"].as_str().unwrap();
    let response = http
        .post(format!(
            "{url}/genesys/2/chat/{SERVICE}/{chat_id}/disconnect"
        ))
        .json(&json!({"secureKey": chat["secureKey"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let left: Value = response.json().await.unwrap();
    assert_eq!(left["chatEnded"], true);
    assert_eq!(left["statusCode"], 0);
    server.stop().await;
}

#[tokio::test]
async fn gms_rest_refusals_carry_status_codes_and_gwe_errors() {
    let server = TestServer::start().await;
    let http = server.http();
    let url = &server.url;

    // Missing names.
    let (status, body) = gms_form(&http, url, SERVICE, &[("subject", "no name")]).await;
    assert_eq!(
        (
            status,
            body["statusCode"].clone(),
            body["errors"][0]["code"].clone()
        ),
        (400, json!(2), json!(2))
    );
    // Unknown service.
    let (status, body) = gms_form(&http, url, "no-such-service", &[("nickname", "Ann")]).await;
    assert_eq!((status, body["errors"][0]["code"].clone()), (404, json!(3)));
    // Malformed JSON.
    let response = http
        .post(format!("{url}/genesys/2/chat/{SERVICE}"))
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["statusCode"], 2);
    // A media type nobody speaks.
    let response = http
        .post(format!("{url}/genesys/2/chat/{SERVICE}"))
        .header("content-type", "text/xml")
        .body("<chat/>")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 415);

    let (_, chat) = gms_form(&http, url, SERVICE, &[("nickname", "Ann")]).await;
    let chat_id = chat["chatId"].as_str().unwrap();
    // Wrong secureKey, missing secureKey, unknown chat, unknown operation.
    let (status, body) = gms_form(
        &http,
        url,
        &format!("{SERVICE}/{chat_id}/send"),
        &[("secureKey", "wrong"), ("message", "x")],
    )
    .await;
    assert_eq!(
        (
            status,
            body["statusCode"].clone(),
            body["errors"][0]["code"].clone()
        ),
        (404, json!(2), json!(50))
    );
    let (status, body) = gms_form(
        &http,
        url,
        &format!("{SERVICE}/{chat_id}/send"),
        &[("message", "x")],
    )
    .await;
    assert_eq!((status, body["errors"][0]["code"].clone()), (400, json!(2)));
    let key = chat["secureKey"].as_str().unwrap();
    let (status, body) = gms_form(
        &http,
        url,
        &format!("{SERVICE}/NOSUCHCHAT/send"),
        &[("secureKey", key), ("message", "x")],
    )
    .await;
    assert_eq!(
        (status, body["errors"][0]["code"].clone()),
        (404, json!(50))
    );
    let (status, body) = gms_form(
        &http,
        url,
        &format!("{SERVICE}/{chat_id}/dance"),
        &[("secureKey", key)],
    )
    .await;
    assert_eq!((status, body["errors"][0]["code"].clone()), (400, json!(1)));
    let (status, _) = gms_form(
        &http,
        url,
        &format!("{SERVICE}/{chat_id}/refresh"),
        &[("secureKey", key), ("transcriptPosition", "abc")],
    )
    .await;
    assert_eq!(status, 400);
    server.stop().await;
}

#[tokio::test]
async fn agents_must_sign_in_and_may_act_only_in_their_own_conversations() {
    let server = TestServer::start().await;
    let http = server.http();
    let url = &server.url;

    // Sign-in refusals.
    let response = http
        .post(format!("{url}/api/v1/agents/login"))
        .json(&json!({"username": "bob", "password": "wrong"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
    assert!(response.headers().get("www-authenticate").is_some());
    let response = http
        .get(format!("{url}/api/v1/conversations"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
    let (status, _) = agent_get(&http, url, "forged-token", "/api/v1/conversations").await;
    assert_eq!(status, 401);
    let response = http
        .post(format!("{url}/api/v1/agents/login"))
        .header("content-type", "application/json")
        .body("{")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);

    // Basic credentials work on any route.
    let response = http
        .get(format!("{url}/api/v1/agents/me"))
        .basic_auth("eve", Some("eve-secret"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.json::<Value>().await.unwrap()["agentId"], "eve");

    let bob = agent_token(&http, url, "bob", "bob-secret").await;
    let eve = agent_token(&http, url, "eve", "eve-secret").await;
    let (_, chat) = gms_form(&http, url, SERVICE, &[("nickname", "Ann")]).await;
    let chat_id = chat["chatId"].as_str().unwrap();
    let path = |op: &str| format!("/api/v1/conversations/{chat_id}/{op}");

    // Not accepted yet: nobody may talk in it.
    let (status, body) =
        agent_post(&http, url, &bob, &path("messages"), json!({"text": "hi"})).await;
    assert_eq!(
        (status, body["error"]["code"].clone()),
        (403, json!("not_a_participant"))
    );
    let (status, _) = agent_post(&http, url, &bob, &path("accept"), json!({})).await;
    assert_eq!(status, 200);
    let (status, body) = agent_post(&http, url, &eve, &path("accept"), json!({})).await;
    assert_eq!(
        (status, body["error"]["code"].clone()),
        (409, json!("already_accepted"))
    );
    let (status, _) = agent_post(&http, url, &eve, &path("messages"), json!({"text": "hi"})).await;
    assert_eq!(status, 403);
    let (status, _) = agent_post(&http, url, &eve, &path("end"), json!({})).await;
    assert_eq!(status, 403);
    let (status, _) = agent_post(&http, url, &bob, &path("messages"), json!({})).await;
    assert_eq!(status, 400);
    let (status, _) =
        agent_post(&http, url, &bob, &path("typing"), json!({"isTyping": true})).await;
    assert_eq!(status, 200);

    // Lists by scope.
    let (_, mine) = agent_get(&http, url, &bob, "/api/v1/conversations?scope=mine").await;
    assert_eq!(mine["conversations"].as_array().unwrap().len(), 1);
    let (_, theirs) = agent_get(&http, url, &eve, "/api/v1/conversations?scope=mine").await;
    assert_eq!(theirs["conversations"].as_array().unwrap().len(), 0);
    let (_, queue) = agent_get(&http, url, &eve, "/api/v1/conversations?scope=queue").await;
    assert_eq!(queue["conversations"].as_array().unwrap().len(), 0);
    let (status, _) = agent_get(&http, url, &eve, "/api/v1/conversations?scope=everything").await;
    assert_eq!(status, 400);
    let (_, active) = agent_get(&http, url, &eve, "/api/v1/conversations?status=active").await;
    assert_eq!(active["conversations"].as_array().unwrap().len(), 1);
    let (status, _) = agent_get(&http, url, &eve, "/api/v1/conversations?status=sleeping").await;
    assert_eq!(status, 400);

    // Leaving returns the chat to the queue, where Eve can take it.
    let (status, left) = agent_post(&http, url, &bob, &path("leave"), json!({})).await;
    assert_eq!(
        (status, left["conversation"]["status"].clone()),
        (200, json!("queued"))
    );
    let (status, _) = agent_post(&http, url, &eve, &path("accept"), json!({})).await;
    assert_eq!(status, 200);
    let (status, transcript) =
        agent_get(&http, url, &eve, &format!("{}?from=2", path("transcript"))).await;
    assert_eq!(status, 200);
    let kinds: Vec<&str> = transcript["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["type"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        vec![
            "ParticipantJoined",
            "TypingStarted",
            "ParticipantLeft",
            "ParticipantJoined"
        ]
    );
    assert_eq!(transcript["nextPosition"], 6);
    let (status, _) = agent_get(&http, url, &eve, "/api/v1/conversations/NOSUCHCHAT").await;
    assert_eq!(status, 404);
    let (status, _) = agent_post(
        &http,
        url,
        &eve,
        "/api/v1/conversations/NOSUCHCHAT/accept",
        json!({}),
    )
    .await;
    assert_eq!(status, 404);
    server.stop().await;
}

#[tokio::test]
async fn browsers_on_other_origins_may_call_with_credentials() {
    let server = TestServer::start().await;
    let http = server.http();
    let response = http
        .request(reqwest::Method::OPTIONS, format!("{}/cometd", server.url))
        .header("origin", "http://shop.example")
        .header("access-control-request-method", "POST")
        .header("access-control-request-headers", "content-type")
        .send()
        .await
        .unwrap();
    assert!(response.status().is_success());
    let headers = response.headers();
    assert_eq!(
        headers["access-control-allow-origin"],
        "http://shop.example"
    );
    assert_eq!(headers["access-control-allow-credentials"], "true");
    server.stop().await;

    // A server limited to one origin does not answer others.
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("h.db").to_string_lossy().into_owned();
    let server = TestServer::start_on(&db, &["--allowed-origin", "http://shop.example"]).await;
    let response = server
        .http()
        .post(format!("{}/genesys/2/chat/{SERVICE}", server.url))
        .header("origin", "http://evil.example")
        .form(&[("nickname", "Ann")])
        .send()
        .await
        .unwrap();
    assert!(response
        .headers()
        .get("access-control-allow-origin")
        .is_none());
    server.stop().await;
}

/// A REST customer has no connection to lose: when it stops polling for the idle timeout, the
/// conversation waits for it (as for a Bayeux customer whose client is gone), and its next
/// request makes it active again.
#[tokio::test]
async fn a_silent_rest_customer_is_shown_as_waiting_until_it_polls_again() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("hotline.db").to_string_lossy().into_owned();
    let server = TestServer::start_on(&db, &["--rest-idle-timeout-ms", "400"]).await;
    let http = server.http();
    let url = &server.url;
    let token = agent_token(&http, url, "bob", "bob-secret").await;

    let (status, chat) = gms_form(&http, url, SERVICE, &[("nickname", "Quiet")]).await;
    assert_eq!(status, 200, "{chat}");
    let chat_id = chat["chatId"].as_str().unwrap().to_owned();
    let key = chat["secureKey"].as_str().unwrap().to_owned();
    let (status, accepted) = agent_post(
        &http,
        url,
        &token,
        &format!("/api/v1/conversations/{chat_id}/accept"),
        json!({}),
    )
    .await;
    assert_eq!(status, 200, "{accepted}");
    let status_now = || {
        let (http, url, token, chat_id) =
            (http.clone(), url.clone(), token.clone(), chat_id.clone());
        async move {
            let (_, record) = agent_get(
                &http,
                &url,
                &token,
                &format!("/api/v1/conversations/{chat_id}"),
            )
            .await;
            record["conversation"]["status"]
                .as_str()
                .unwrap_or_default()
                .to_owned()
        }
    };
    let refresh = || {
        let (http, url, key, chat_id) = (http.clone(), url.clone(), key.clone(), chat_id.clone());
        async move {
            let response = http
                .post(format!("{url}/genesys/2/chat/{SERVICE}/{chat_id}/refresh"))
                .form(&[("secureKey", key.as_str())])
                .send()
                .await
                .unwrap();
            assert_eq!(response.status().as_u16(), 200);
        }
    };

    // Polling within the timeout keeps the customer present.
    for _ in 0..4 {
        tokio::time::sleep(Duration::from_millis(200)).await;
        refresh().await;
        assert_eq!(status_now().await, "active");
    }

    // Silent: waiting (within the timeout plus a sweep period, with some slack).
    let silent_since = std::time::Instant::now();
    let mut status = status_now().await;
    while status != "waiting" && silent_since.elapsed() < Duration::from_secs(10) {
        tokio::time::sleep(Duration::from_millis(50)).await;
        status = status_now().await;
    }
    assert_eq!(status, "waiting");
    assert!(
        silent_since.elapsed() >= Duration::from_millis(300),
        "not before the customer was silent for the timeout"
    );

    // Back: the next request makes it active again.
    refresh().await;
    assert_eq!(status_now().await, "active");
}
