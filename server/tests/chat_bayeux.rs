//! GMS chat v2 over Bayeux (long-polling and WebSocket), the agents' live channels, their
//! refusals, resuming with requestNotifications, and a server restart.

mod support;

use std::time::Duration;

use serde_json::{json, Value};
use support::bayeux_client::{BayeuxClient, Transport};
use support::{agent_get, agent_post, agent_token, indexes, ServerProcess, TestServer};

const CHANNEL: &str = "/service/chatV2/customer-support";

fn has_message(kind: &'static str, party: &'static str) -> impl Fn(&Value) -> bool {
    move |data: &Value| {
        data["messages"].as_array().is_some_and(|messages| {
            messages
                .iter()
                .any(|m| m["type"] == kind && m["from"]["type"] == party)
        })
    }
}

/// A customer that requested a chat: its client, chatId and secureKey.
async fn customer(url: &str, transport: Transport) -> (BayeuxClient, String, String) {
    let mut client = BayeuxClient::handshake(url, transport, None)
        .await
        .expect("customer handshake");
    let subscribed = client.subscribe(CHANNEL).await;
    assert_eq!(subscribed["successful"], true, "{subscribed}");
    let published = client
        .publish(
            CHANNEL,
            json!({"operation": "requestChat", "nickname": "Ann", "subject": "Billing",
                                 "userData": {"source": "web"}}),
        )
        .await;
    assert_eq!(published["successful"], true, "{published}");
    let envelope = client
        .next_on(CHANNEL, |data| data.get("secureKey").is_some())
        .await;
    assert_eq!(envelope["statusCode"], 0);
    assert_eq!(envelope["chatEnded"], false);
    assert_eq!(indexes(&envelope), vec![1]);
    assert_eq!(envelope["messages"][0]["type"], "ParticipantJoined");
    assert_eq!(
        envelope["messages"][0]["from"],
        json!({"nickname":"Ann","participantId":1,"type":"Client"})
    );
    assert_eq!(envelope["nextPosition"], 2);
    for field in ["chatId", "userId", "alias"] {
        assert!(envelope[field].is_string(), "{field} in {envelope}");
    }
    let chat_id = envelope["chatId"].as_str().unwrap().to_owned();
    let key = envelope["secureKey"].as_str().unwrap().to_owned();
    (client, chat_id, key)
}

async fn whole_chat(transport: Transport) {
    let server = TestServer::start().await;
    let url = server.url.clone();
    let http = server.http();
    let (mut ann, chat_id, key) = customer(&url, transport).await;

    // The agent watches the queue and sees the new chat arrive there.
    let token = agent_token(&http, &url, "bob", "bob-secret").await;
    let mut bob = BayeuxClient::handshake(&url, transport, Some(json!({"agentToken": token})))
        .await
        .expect("agent handshake");
    assert_eq!(bob.subscribe("/agent/queue").await["successful"], true);
    // Not accepted yet: the conversation channel is refused.
    let early = bob
        .subscribe(&format!("/agent/conversations/{chat_id}"))
        .await;
    assert_eq!(early["successful"], false);
    assert!(
        early["error"].as_str().unwrap().starts_with("403"),
        "{early}"
    );

    ann.publish(
        CHANNEL,
        json!({"operation": "sendMessage", "message": "Hello", "secureKey": key}),
    )
    .await;
    let own = ann.next_on(CHANNEL, has_message("Message", "Client")).await;
    assert_eq!(indexes(&own), vec![2]);
    assert_eq!(own["messages"][0]["text"], "Hello");
    assert_eq!(own["nextPosition"], 3);

    let (status, _) = agent_post(
        &http,
        &url,
        &token,
        &format!("/api/v1/conversations/{chat_id}/accept"),
        json!({}),
    )
    .await;
    assert_eq!(status, 200);
    let queued = bob
        .next_on("/agent/queue", |d| d["status"] == "active")
        .await;
    assert_eq!(queued["chatId"], chat_id.as_str());
    let joined = bob
        .subscribe(&format!("/agent/conversations/{chat_id}"))
        .await;
    assert_eq!(joined["successful"], true, "{joined}");

    // The customer sees the agent join; the agent sees the customer type and write.
    ann.next_on(CHANNEL, has_message("ParticipantJoined", "Agent"))
        .await;
    ann.publish(
        CHANNEL,
        json!({"operation": "startTyping", "message": "Is an", "secureKey": key}),
    )
    .await;
    ann.publish(
        CHANNEL,
        json!({"operation": "sendMessage", "message": "Is anyone there?", "secureKey": key}),
    )
    .await;
    let typing = bob
        .next_on(
            &format!("/agent/conversations/{chat_id}"),
            has_message("TypingStarted", "Client"),
        )
        .await;
    assert_eq!(typing["messages"][0]["text"], "Is an");
    let seen = bob
        .next_on(
            &format!("/agent/conversations/{chat_id}"),
            has_message("Message", "Client"),
        )
        .await;
    assert_eq!(seen["messages"][0]["text"], "Is anyone there?");
    assert_eq!(seen["status"], "active");

    // The agent types and answers; the customer gets both.
    agent_post(
        &http,
        &url,
        &token,
        &format!("/api/v1/conversations/{chat_id}/typing"),
        json!({"isTyping": true}),
    )
    .await;
    let (_, sent) = agent_post(
        &http,
        &url,
        &token,
        &format!("/api/v1/conversations/{chat_id}/messages"),
        json!({"text": "Yes, Bob here"}),
    )
    .await;
    ann.next_on(CHANNEL, has_message("TypingStarted", "Agent"))
        .await;
    let answer = ann.next_on(CHANNEL, has_message("Message", "Agent")).await;
    assert_eq!(answer["messages"][0]["text"], "Yes, Bob here");
    assert_eq!(answer["messages"][0]["index"], sent["index"]);
    assert_eq!(answer["messages"][0]["from"]["nickname"], "bob");

    // updateData and updateNickname reach the record.
    ann.publish(
        CHANNEL,
        json!({"operation": "updateData", "userData": {"OrderId": "12345"}, "secureKey": key}),
    )
    .await;
    ann.publish(
        CHANNEL,
        json!({"operation": "updateNickname", "nickname": "Annie", "secureKey": key}),
    )
    .await;
    ann.publish(
        CHANNEL,
        json!({"operation": "customNotice", "message": "scan done", "secureKey": key}),
    )
    .await;
    ann.next_on(CHANNEL, has_message("CustomNotice", "Client"))
        .await;
    let (_, record) = agent_get(
        &http,
        &url,
        &token,
        &format!("/api/v1/conversations/{chat_id}"),
    )
    .await;
    assert_eq!(
        record["conversation"]["userData"],
        json!({"source": "web", "OrderId": "12345"})
    );
    assert_eq!(record["conversation"]["nickname"], "Annie");

    // The customer leaves: told chatEnded; the agent sees wrap-up.
    ann.publish(
        CHANNEL,
        json!({"operation": "disconnect", "secureKey": key}),
    )
    .await;
    let ended = ann.next_on(CHANNEL, |d| d["chatEnded"] == true).await;
    assert_eq!(ended["messages"][0]["type"], "ParticipantLeft");
    let wrap = bob
        .next_on("/agent/queue", |d| d["status"] == "wrapup")
        .await;
    assert_eq!(wrap["chatId"], chat_id.as_str());

    // Every event reached the customer once, in order.
    let (_, transcript) = agent_get(
        &http,
        &url,
        &token,
        &format!("/api/v1/conversations/{chat_id}/transcript"),
    )
    .await;
    let last = transcript["messages"].as_array().unwrap().last().unwrap()["index"]
        .as_u64()
        .unwrap();
    assert_eq!(indexes(&transcript), (1..=last).collect::<Vec<u64>>());
    server.stop().await;
}

#[tokio::test]
async fn a_whole_chat_over_long_polling() {
    whole_chat(Transport::LongPolling).await;
}

#[tokio::test]
async fn a_whole_chat_over_websocket() {
    whole_chat(Transport::WebSocket).await;
}

#[tokio::test]
async fn refusals_over_bayeux() {
    let server = TestServer::start().await;
    let url = server.url.clone();
    let http = server.http();
    let (mut ann, chat_id, key) = customer(&url, Transport::LongPolling).await;

    // A wrong secureKey: the publish fails and a statusCode 2 envelope says why.
    let wrong = ann
        .publish(
            CHANNEL,
            json!({"operation": "sendMessage", "message": "x", "secureKey": "0000"}),
        )
        .await;
    assert_eq!(wrong["successful"], false);
    assert!(wrong["error"].as_str().unwrap().contains(":50:"), "{wrong}");
    let envelope = ann.next_on(CHANNEL, |d| d["statusCode"] == 2).await;
    assert_eq!(envelope["errors"][0]["code"], 50);

    for (data, code) in [
        (json!({"message": "no operation", "secureKey": key}), 2),
        (json!({"operation": "sing", "secureKey": key}), 1),
        (json!({"operation": "sendMessage", "secureKey": key}), 2),
        (json!({"operation": "requestChat"}), 2),
        (json!("not an object"), 3),
    ] {
        let reply = ann.publish(CHANNEL, data.clone()).await;
        assert_eq!(reply["successful"], false, "{data}");
        let envelope = ann.next_on(CHANNEL, |d| d["statusCode"] == 2).await;
        assert_eq!(envelope["errors"][0]["code"], code, "{data}");
    }
    let unknown_service = ann.publish("/service/nothing", json!({})).await;
    assert_eq!(unknown_service["successful"], false);
    assert!(unknown_service["error"]
        .as_str()
        .unwrap()
        .starts_with("404"));
    let other_service = ann
        .publish(
            "/service/chatV2/sales",
            json!({"operation": "requestChat", "nickname": "A"}),
        )
        .await;
    assert_eq!(other_service["successful"], false);

    // A customer can never reach agent channels, however it asks.
    for subscription in [
        "/agent/queue",
        &format!("/agent/conversations/{chat_id}"),
        "/agent/**",
        "/**",
    ] {
        let reply = ann.subscribe(subscription).await;
        assert_eq!(reply["successful"], false, "{subscription}");
        assert!(
            reply["error"].as_str().unwrap().starts_with("403"),
            "{reply}"
        );
    }
    let publish = ann.publish("/agent/queue", json!({"fake": true})).await;
    assert_eq!(publish["successful"], false);
    // Ordinary broadcast channels stay open.
    assert_eq!(ann.subscribe("/chat/lobby").await["successful"], true);

    // A forged agent token is refused at handshake.
    let forged = BayeuxClient::handshake(
        &url,
        Transport::LongPolling,
        Some(json!({"agentToken": "forged"})),
    )
    .await;
    let refusal = forged.err().expect("refused");
    assert_eq!(refusal["successful"], false);
    assert_eq!(refusal["advice"]["reconnect"], "none");

    // An agent may not follow a conversation it has not accepted, nor all of them.
    let token = agent_token(&http, &url, "eve", "eve-secret").await;
    let mut eve = BayeuxClient::handshake(
        &url,
        Transport::LongPolling,
        Some(json!({"agentToken": token})),
    )
    .await
    .expect("agent handshake");
    for subscription in [
        format!("/agent/conversations/{chat_id}"),
        "/agent/conversations/*".into(),
        "/agent/**".into(),
    ] {
        let reply = eve.subscribe(&subscription).await;
        assert_eq!(reply["successful"], false, "{subscription}");
    }

    // Operations on an ended chat.
    ann.publish(
        CHANNEL,
        json!({"operation": "disconnect", "secureKey": key}),
    )
    .await;
    ann.next_on(CHANNEL, |d| d["chatEnded"] == true).await;
    let late = ann
        .publish(
            CHANNEL,
            json!({"operation": "sendMessage", "message": "late", "secureKey": key}),
        )
        .await;
    assert_eq!(late["successful"], false);
    let envelope = ann.next_on(CHANNEL, |d| d["statusCode"] == 2).await;
    assert_eq!(envelope["chatEnded"], true);
    assert_eq!(envelope["errors"][0]["code"], 52);
    server.stop().await;
}

#[tokio::test]
async fn a_new_client_resumes_from_a_transcript_position_and_a_lost_one_makes_the_chat_wait() {
    let server = TestServer::start().await;
    let url = server.url.clone();
    let http = server.http();
    let (mut first, chat_id, key) = customer(&url, Transport::LongPolling).await;
    let token = agent_token(&http, &url, "bob", "bob-secret").await;
    agent_post(
        &http,
        &url,
        &token,
        &format!("/api/v1/conversations/{chat_id}/accept"),
        json!({}),
    )
    .await;
    first
        .publish(
            CHANNEL,
            json!({"operation": "sendMessage", "message": "one", "secureKey": key}),
        )
        .await;
    first
        .next_on(CHANNEL, has_message("Message", "Client"))
        .await;

    // The page goes away without a word: after maxInterval the chat waits for the customer.
    drop(first);
    let mut waited = false;
    for _ in 0..40 {
        tokio::time::sleep(Duration::from_millis(200)).await;
        let (_, record) = agent_get(
            &http,
            &url,
            &token,
            &format!("/api/v1/conversations/{chat_id}"),
        )
        .await;
        if record["conversation"]["status"] == "waiting" {
            waited = true;
            break;
        }
    }
    assert!(waited, "the conversation never showed the customer as gone");

    // Meanwhile the agent wrote.
    agent_post(
        &http,
        &url,
        &token,
        &format!("/api/v1/conversations/{chat_id}/messages"),
        json!({"text": "two"}),
    )
    .await;

    // The reloaded page resumes from the position after the last event it had (index 3).
    let mut second = BayeuxClient::handshake(&url, Transport::WebSocket, None)
        .await
        .expect("handshake");
    second.subscribe(CHANNEL).await;
    let resumed = second
        .publish(
            CHANNEL,
            json!({"operation": "requestNotifications", "transcriptPosition": 4, "secureKey": key}),
        )
        .await;
    assert_eq!(resumed["successful"], true);
    let missed = second.next_on(CHANNEL, |d| d["statusCode"] == 0).await;
    assert_eq!(indexes(&missed), vec![4]);
    assert_eq!(missed["messages"][0]["text"], "two");
    let (_, record) = agent_get(
        &http,
        &url,
        &token,
        &format!("/api/v1/conversations/{chat_id}"),
    )
    .await;
    assert_eq!(record["conversation"]["status"], "active");

    // Live events keep flowing to the new client, once each.
    agent_post(
        &http,
        &url,
        &token,
        &format!("/api/v1/conversations/{chat_id}/messages"),
        json!({"text": "three"}),
    )
    .await;
    let live = second
        .next_on(CHANNEL, has_message("Message", "Agent"))
        .await;
    assert_eq!(indexes(&live), vec![5]);
    let extra = second.drain(CHANNEL, Duration::from_millis(700)).await;
    assert!(extra.is_empty(), "unexpected deliveries: {extra:?}");
    server.stop().await;
}

#[tokio::test]
async fn after_a_server_crash_a_customer_resumes_and_loses_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("hotline.db").to_string_lossy().into_owned();
    let http = reqwest::Client::new();

    let server = ServerProcess::start(&db);
    let (mut ann, chat_id, key) = customer(&server.url, Transport::LongPolling).await;
    let token = agent_token(&http, &server.url, "bob", "bob-secret").await;
    agent_post(
        &http,
        &server.url,
        &token,
        &format!("/api/v1/conversations/{chat_id}/accept"),
        json!({}),
    )
    .await;
    for text in ["one", "two"] {
        ann.publish(
            CHANNEL,
            json!({"operation": "sendMessage", "message": text, "secureKey": key}),
        )
        .await;
    }
    agent_post(
        &http,
        &server.url,
        &token,
        &format!("/api/v1/conversations/{chat_id}/messages"),
        json!({"text": "three"}),
    )
    .await;
    // The customer has seen everything up to the agent joining (index 2 = "one"? no: 2 = joined).
    let seen = ann
        .next_on(CHANNEL, has_message("ParticipantJoined", "Agent"))
        .await;
    let last_seen = seen["messages"].as_array().unwrap().last().unwrap()["index"]
        .as_u64()
        .unwrap();
    server.kill();

    let server = ServerProcess::start(&db);
    // The old clientId is unknown to the new process: 402 with handshake advice.
    let stale = reqwest::Client::new()
        .post(format!("{}/cometd", server.url))
        .json(&json!([{"channel": "/meta/connect", "clientId": ann.client_id, "connectionType": "long-polling"}]))
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap();
    assert_eq!(stale[0]["successful"], false);
    assert!(stale[0]["error"].as_str().unwrap().starts_with("402"));
    assert_eq!(stale[0]["advice"]["reconnect"], "handshake");

    let mut again = BayeuxClient::handshake(&server.url, Transport::LongPolling, None)
        .await
        .expect("handshake");
    again.subscribe(CHANNEL).await;
    again
        .publish(CHANNEL, json!({"operation": "requestNotifications", "transcriptPosition": last_seen + 1, "secureKey": key}))
        .await;
    let missed = again.next_on(CHANNEL, |d| d["statusCode"] == 0).await;
    let texts: Vec<(u64, String)> = missed["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["index"].as_u64().unwrap(),
                m["text"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect();
    let expected: Vec<(u64, String)> = (last_seen + 1..=last_seen + 3)
        .zip(["one", "two", "three"])
        .map(|(i, t)| (i, t.to_owned()))
        .collect();
    assert_eq!(texts, expected);

    // Tokens lived in the old process: the agent signs in again and carries on.
    let token = agent_token(&http, &server.url, "bob", "bob-secret").await;
    let (status, sent) = agent_post(
        &http,
        &server.url,
        &token,
        &format!("/api/v1/conversations/{chat_id}/messages"),
        json!({"text": "four"}),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(sent["index"], last_seen + 4);
    let live = again
        .next_on(CHANNEL, has_message("Message", "Agent"))
        .await;
    assert_eq!(indexes(&live), vec![last_seen + 4]);
    server.kill();
}
