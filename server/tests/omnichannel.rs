//! The Omnichannel face: conversations as Dataverse `msdyn_ocliveworkitem` records, queried
//! the way the SDK's `Microsoft.Omnichannel.getConversations` asks; linked records in both
//! JSON faces; and the correlation id on every response.

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use hotline::core::json::Json;
use hotline::core::odata::conversations_query;
use serde_json::{json, Value};
use support::bayeux_client::{BayeuxClient, Transport};
use support::{agent_get, agent_post, agent_token, gms_form, TestServer, SERVICE};

const COLLECTION: &str = "/api/data/v9.2/msdyn_ocliveworkitems";
const CHANNEL: &str = "/service/chatV2/customer-support";
const FORMATTED: &str = "@OData.Community.Display.V1.FormattedValue";
const LOOKUP: &str = "@Microsoft.Dynamics.CRM.lookuplogicalname";

/// `GET` on the Dataverse face as bob, with query parameters.
async fn dv(server: &TestServer, path: &str, query: &[(&str, &str)]) -> (u16, Value) {
    let response = server
        .http()
        .get(format!("{}{path}", server.url))
        .query(query)
        .basic_auth("bob", Some("bob-secret"))
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// `GET` with a query string written out (as the SDK sends it).
async fn dv_raw(server: &TestServer, path_and_query: &str) -> (u16, Value) {
    let response = server
        .http()
        .get(format!("{}{path_and_query}", server.url))
        .basic_auth("bob", Some("bob-secret"))
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

fn records(body: &Value) -> &Vec<Value> {
    body["value"].as_array().unwrap_or_else(|| panic!("{body}"))
}

fn ids(body: &Value) -> Vec<String> {
    records(body)
        .iter()
        .map(|r| r["msdyn_ocliveworkitemid"].as_str().unwrap().to_owned())
        .collect()
}

/// A customer on GMS REST: chatId and the fields its requests need.
struct RestCustomer {
    chat_id: String,
    fields: Vec<(&'static str, String)>,
}

async fn rest_customer(server: &TestServer, fields: &[(&str, &str)]) -> RestCustomer {
    let (status, chat) = gms_form(&server.http(), &server.url, SERVICE, fields).await;
    assert_eq!(status, 200, "{chat}");
    RestCustomer {
        chat_id: chat["chatId"].as_str().unwrap().to_owned(),
        fields: vec![
            ("secureKey", chat["secureKey"].as_str().unwrap().to_owned()),
            ("userId", chat["userId"].as_str().unwrap().to_owned()),
            ("alias", chat["alias"].as_str().unwrap().to_owned()),
        ],
    }
}

impl RestCustomer {
    async fn send(&self, server: &TestServer, operation: &str) {
        let fields: Vec<(&str, &str)> = self.fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let (status, body) = gms_form(
            &server.http(),
            &server.url,
            &format!("{SERVICE}/{}/{operation}", self.chat_id),
            &fields,
        )
        .await;
        assert_eq!(status, 200, "{operation}: {body}");
    }
}

/// A customer on GMS over Bayeux (long-polling): its client, chatId and secureKey.
async fn bayeux_customer(url: &str, nickname: &str) -> (BayeuxClient, String, String) {
    let mut client = BayeuxClient::handshake(url, Transport::LongPolling, None)
        .await
        .expect("customer handshake");
    client.subscribe(CHANNEL).await;
    let published = client
        .publish(
            CHANNEL,
            json!({"operation": "requestChat", "nickname": nickname}),
        )
        .await;
    assert_eq!(published["successful"], true, "{published}");
    let envelope = client
        .next_on(CHANNEL, |data| data.get("secureKey").is_some())
        .await;
    let chat_id = envelope["chatId"].as_str().unwrap().to_owned();
    let key = envelope["secureKey"].as_str().unwrap().to_owned();
    (client, chat_id, key)
}

async fn act(server: &TestServer, token: &str, chat_id: &str, action: &str) -> Value {
    let (status, body) = agent_post(
        &server.http(),
        &server.url,
        token,
        &format!("/api/v1/conversations/{chat_id}/{action}"),
        json!({}),
    )
    .await;
    assert_eq!(status, 200, "{action}: {body}");
    body
}

/// The `statuscode` of one conversation.
async fn statuscode(server: &TestServer, chat_id: &str) -> Value {
    let (status, record) = dv(
        server,
        &format!("{COLLECTION}({chat_id})"),
        &[("$select", "statuscode")],
    )
    .await;
    assert_eq!(status, 200, "{record}");
    record["statuscode"].clone()
}

/// Polls until the conversation has `code` (a customer's connection is dropped by a sweep).
async fn wait_for_status(server: &TestServer, chat_id: &str, code: u64) {
    for _ in 0..150 {
        if statuscode(server, chat_id).await == json!(code) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!(
        "{chat_id} never reached statuscode {code}: {}",
        statuscode(server, chat_id).await
    );
}

/// Conversations in every status, by a short name:
///
/// | name | how | statuscode | agent |
/// |---|---|---|---|
/// | q1 | Ann, subject Billing, queued | 1 | – |
/// | a1 | Cid, accepted | 2 | bob |
/// | a2 | Dee, subject O'Brien, accepted | 2 | eve |
/// | f1 | Fay, accepted, ended by the agent | 4 | bob |
/// | g1 | Gus, accepted, the customer left | 5 | bob |
/// | h1 | Hal, left while queued | 4 | – |
/// | w1 | Wes (Bayeux), accepted, connection lost | 3 | bob |
/// | w2 | Val (Bayeux), accepted, connection lost | 3 | eve |
struct Scene {
    server: TestServer,
    ids: BTreeMap<&'static str, String>,
}

impl Scene {
    async fn build() -> Self {
        let server = TestServer::start().await;
        let http = server.http();
        let bob = agent_token(&http, &server.url, "bob", "bob-secret").await;
        let eve = agent_token(&http, &server.url, "eve", "eve-secret").await;
        let mut ids = BTreeMap::new();

        let q1 = rest_customer(&server, &[("nickname", "Ann"), ("subject", "Billing")]).await;
        ids.insert("q1", q1.chat_id.clone());
        let a1 = rest_customer(&server, &[("nickname", "Cid")]).await;
        act(&server, &bob, &a1.chat_id, "accept").await;
        ids.insert("a1", a1.chat_id.clone());
        let a2 = rest_customer(&server, &[("nickname", "Dee"), ("subject", "O'Brien")]).await;
        act(&server, &eve, &a2.chat_id, "accept").await;
        ids.insert("a2", a2.chat_id.clone());
        let f1 = rest_customer(&server, &[("nickname", "Fay")]).await;
        act(&server, &bob, &f1.chat_id, "accept").await;
        act(&server, &bob, &f1.chat_id, "end").await;
        ids.insert("f1", f1.chat_id.clone());
        let g1 = rest_customer(&server, &[("nickname", "Gus")]).await;
        act(&server, &bob, &g1.chat_id, "accept").await;
        g1.send(&server, "disconnect").await;
        ids.insert("g1", g1.chat_id.clone());
        let h1 = rest_customer(&server, &[("nickname", "Hal")]).await;
        h1.send(&server, "disconnect").await;
        ids.insert("h1", h1.chat_id.clone());

        let (w1_client, w1, _) = bayeux_customer(&server.url, "Wes").await;
        act(&server, &bob, &w1, "accept").await;
        let (w2_client, w2, _) = bayeux_customer(&server.url, "Val").await;
        act(&server, &eve, &w2, "accept").await;
        // The pages go away without a word.
        drop(w1_client);
        drop(w2_client);
        wait_for_status(&server, &w1, 3).await;
        wait_for_status(&server, &w2, 3).await;
        ids.insert("w1", w1);
        ids.insert("w2", w2);
        Self { server, ids }
    }

    fn id(&self, name: &str) -> &str {
        &self.ids[name]
    }

    /// The short names of the records of a list answer, in order.
    fn names(&self, body: &Value) -> Vec<&'static str> {
        ids(body)
            .iter()
            .map(|id| {
                *self
                    .ids
                    .iter()
                    .find(|(_, known)| *known == id)
                    .unwrap_or_else(|| panic!("unknown record {id}"))
                    .0
            })
            .collect()
    }

    async fn filter(&self, filter: &str) -> BTreeSet<&'static str> {
        let (status, body) = dv(&self.server, COLLECTION, &[("$filter", filter)]).await;
        assert_eq!(status, 200, "{filter}: {body}");
        self.names(&body).into_iter().collect()
    }
}

fn set(names: &[&'static str]) -> BTreeSet<&'static str> {
    names.iter().copied().collect()
}

#[tokio::test]
async fn the_seed_get_conversations_query_returns_the_agents_waiting_conversations() {
    let scene = Scene::build().await;
    let server = &scene.server;
    let now_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as f64;

    // Seed 002, as written: the agent id is a GUID no agent of this server has.
    let seed = r#"{
        "attributes": ["msdyn_title", "msdyn_channel"],
        "agentId": "2b330c52-6844-4d36-8e05-03c78c9681dc",
        "status": [3],
        "orderBy": [{"attributeName": "createdon", "descending": true}]
    }"#;
    let query = conversations_query(&Json::parse(seed).unwrap(), now_ms).unwrap();
    let (status, body) = dv_raw(server, &format!("{COLLECTION}?{}", query.to_query_string())).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(records(&body).len(), 0);
    assert!(body["@odata.context"].as_str().unwrap().ends_with(
        "/api/data/v9.2/$metadata#msdyn_ocliveworkitems(msdyn_ocliveworkitemid,\
         msdyn_liveworkstreamid,msdyn_lastsessionid,statuscode,createdon,msdyn_title,msdyn_channel)"
    ));

    // The same for bob (agent ids are account names here): his waiting conversation.
    let input = Json::parse(&seed.replace("2b330c52-6844-4d36-8e05-03c78c9681dc", "bob")).unwrap();
    let query = conversations_query(&input, now_ms).unwrap();
    let (status, body) = dv_raw(server, &format!("{COLLECTION}?{}", query.to_query_string())).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(scene.names(&body), vec!["w1"]);
    let record = &records(&body)[0];
    let keys: BTreeSet<&str> = record
        .as_object()
        .unwrap()
        .keys()
        .map(|k| k.as_str())
        .collect();
    let mut expected: BTreeSet<&str> = [
        "@odata.etag",
        "msdyn_ocliveworkitemid",
        "msdyn_liveworkstreamid",
        "msdyn_lastsessionid",
        "statuscode",
        "createdon",
        "msdyn_title",
        "msdyn_channel",
    ]
    .into();
    let annotated = [
        format!("msdyn_liveworkstreamid{FORMATTED}"),
        format!("msdyn_liveworkstreamid{LOOKUP}"),
        format!("msdyn_lastsessionid{LOOKUP}"),
        format!("statuscode{FORMATTED}"),
        format!("msdyn_channel{FORMATTED}"),
    ];
    expected.extend(annotated.iter().map(String::as_str));
    assert_eq!(keys, expected, "{record}");
    assert_eq!(record["statuscode"], 3);
    assert_eq!(record[format!("statuscode{FORMATTED}")], "Waiting");
    assert_eq!(record["msdyn_title"], "Wes");
    assert_eq!(record["msdyn_channel"], 192_360_000);
    assert_eq!(record[format!("msdyn_channel{FORMATTED}")], "Live chat");
    assert_eq!(
        record["msdyn_lastsessionid"],
        format!("{}-2", scene.id("w1"))
    );

    // Active or waiting, newest first.
    let input = Json::parse(
        r#"{"agentId": "bob", "status": [2, "3"],
        "orderBy": [{"attributeName": "createdon", "descending": true}]}"#,
    )
    .unwrap();
    let query = conversations_query(&input, now_ms).unwrap();
    let (_, body) = dv_raw(server, &format!("{COLLECTION}?{}", query.to_query_string())).await;
    assert_eq!(scene.names(&body), vec!["w1", "a1"]);
    // createdBeforeDays: 0 days means created up to now.
    let input = Json::parse(r#"{"agentId": "eve", "createdBeforeDays": 0}"#).unwrap();
    let query = conversations_query(&input, now_ms + 1000.0).unwrap();
    let (_, body) = dv_raw(server, &format!("{COLLECTION}?{}", query.to_query_string())).await;
    assert_eq!(scene.names(&body), vec!["a2", "w2"]);
    let query = conversations_query(&input, now_ms - 3_600_000.0).unwrap();
    let (_, body) = dv_raw(server, &format!("{COLLECTION}?{}", query.to_query_string())).await;
    assert!(records(&body).is_empty());

    // The brief's hand-written form of the seed query.
    let (status, body) = dv(
        server,
        COLLECTION,
        &[
            (
                "$select",
                "msdyn_ocliveworkitemid,msdyn_title,msdyn_channel,statuscode,createdon",
            ),
            ("$filter", "(statuscode eq 3)"),
            ("$orderby", "createdon desc"),
        ],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(scene.names(&body), vec!["w2", "w1"]);
    let created: Vec<&str> = records(&body)
        .iter()
        .map(|r| r["createdon"].as_str().unwrap())
        .collect();
    assert!(created.windows(2).all(|w| w[0] >= w[1]), "{created:?}");
    scene.server.stop().await;
}

#[tokio::test]
async fn every_operator_literal_and_precedence_case() {
    let scene = Scene::build().await;
    let all = set(&["q1", "a1", "a2", "f1", "g1", "h1", "w1", "w2"]);
    let cases: Vec<(&str, BTreeSet<&str>)> = vec![
        ("statuscode eq 2", set(&["a1", "a2"])),
        ("statuscode ne 2", set(&["q1", "f1", "g1", "h1", "w1", "w2"])),
        ("statuscode lt 2", set(&["q1"])),
        ("statuscode le 2", set(&["q1", "a1", "a2"])),
        ("statuscode gt 4", set(&["g1"])),
        ("statuscode ge 4", set(&["f1", "g1", "h1"])),
        ("2 lt statuscode", set(&["f1", "g1", "h1", "w1", "w2"])),
        ("statecode eq 1", set(&["f1", "h1"])),
        // `and` binds tighter than `or`; parentheses change that.
        (
            "statuscode eq 1 or statuscode eq 2 and msdyn_activeagentid eq 'eve'",
            set(&["q1", "a2"]),
        ),
        (
            "(statuscode eq 1 or statuscode eq 2) and msdyn_activeagentid eq 'eve'",
            set(&["a2"]),
        ),
        (
            "statuscode eq 3 or statuscode eq 5 and msdyn_activeagentid eq 'eve' or statuscode eq 1",
            set(&["w1", "w2", "q1"]),
        ),
        (
            "((statuscode eq 3 or statuscode eq 5) and (msdyn_activeagentid eq 'bob'))",
            set(&["w1", "g1"]),
        ),
        ("not statuscode eq 2", set(&["q1", "f1", "g1", "h1", "w1", "w2"])),
        (
            "not (statuscode eq 2 or statuscode ge 3)",
            set(&["q1"]),
        ),
        // Literals: strings (with a quote), numbers, booleans, null.
        ("subject eq 'O''Brien'", set(&["a2"])),
        ("msdyn_title eq 'Ann: Billing'", set(&["q1"])),
        ("msdyn_title gt 'V'", set(&["w1", "w2"])),
        ("subject eq null", set(&["a1", "f1", "g1", "h1", "w1", "w2"])),
        ("subject ne 'Billing'", set(&["a1", "a2", "f1", "g1", "h1", "w1", "w2"])),
        ("subject gt null", set(&[])),
        ("msdyn_channel eq 192360000", all.clone()),
        ("msdyn_channel eq 192360000.5", set(&[])),
        ("msdyn_isabandoned eq true", set(&["h1"])),
        ("msdyn_isagentaccepted eq false", set(&["q1", "h1"])),
        ("_msdyn_activeagentid_value eq null", set(&["q1", "h1"])),
        ("msdyn_activeagentid eq 'bob'", set(&["a1", "f1", "g1", "w1"])),
        ("msdyn_activeagentid eq 'BOB'", set(&[])),
        ("msdyn_closedon ne null", set(&["f1", "h1"])),
        ("_msdyn_customer_value eq null", all.clone()),
        // Dates and date-times.
        ("createdon gt 2000-01-01", all.clone()),
        ("createdon lt 2000-01-01T00:00:00Z", set(&[])),
        ("createdon ge '2000-01-01T00:00:00+02:00'", all.clone()),
        // Two properties; constants.
        ("createdon le modifiedon", all.clone()),
        ("true eq true", all.clone()),
        ("true eq false or 1 gt 2", set(&[])),
    ];
    for (filter, expected) in cases {
        assert_eq!(scene.filter(filter).await, expected, "{filter}");
    }

    // GUIDs: the workstream id, in any case.
    let (_, body) = dv(
        &scene.server,
        COLLECTION,
        &[("$select", "msdyn_liveworkstreamid")],
    )
    .await;
    let workstream = records(&body)[0]["msdyn_liveworkstreamid"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(records(&body)
        .iter()
        .all(|r| r["msdyn_liveworkstreamid"] == workstream.as_str()));
    assert_eq!(
        scene
            .filter(&format!(
                "msdyn_liveworkstreamid eq {}",
                workstream.to_uppercase()
            ))
            .await,
        all
    );
    assert_eq!(
        scene
            .filter(&format!("_msdyn_liveworkstreamid_value ne {workstream}"))
            .await,
        set(&[])
    );

    // A date-time taken from a record: every record created in that second or later.
    let (_, body) = dv(&scene.server, COLLECTION, &[("$select", "createdon")]).await;
    let created: BTreeMap<&'static str, String> = scene
        .names(&body)
        .into_iter()
        .zip(records(&body).iter())
        .map(|(name, r)| (name, r["createdon"].as_str().unwrap().to_owned()))
        .collect();
    let pivot = created["w1"].clone();
    let expected: BTreeSet<&str> = created
        .iter()
        .filter(|(_, at)| **at >= pivot)
        .map(|(name, _)| *name)
        .collect();
    assert!(expected.contains("w1") && expected.contains("w2"));
    assert_eq!(
        scene.filter(&format!("createdon ge {pivot}")).await,
        expected
    );

    // $orderby with several keys, $top.
    let (status, body) = dv(
        &scene.server,
        COLLECTION,
        &[("$orderby", "statuscode desc,msdyn_title asc")],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        scene.names(&body),
        vec!["g1", "f1", "h1", "w2", "w1", "a1", "a2", "q1"]
    );
    let (_, body) = dv(
        &scene.server,
        COLLECTION,
        &[("$orderby", "statuscode desc, msdyn_title"), ("$top", "3")],
    )
    .await;
    assert_eq!(scene.names(&body), vec!["g1", "f1", "h1"]);
    let (_, body) = dv(
        &scene.server,
        COLLECTION,
        &[
            ("$orderby", "msdyn_title desc"),
            ("$filter", "statuscode eq 2"),
        ],
    )
    .await;
    assert_eq!(scene.names(&body), vec!["a2", "a1"]);
    let (_, body) = dv(&scene.server, COLLECTION, &[("$top", "0")]).await;
    assert!(records(&body).is_empty());
    scene.server.stop().await;
}

#[tokio::test]
async fn records_have_the_dataverse_shape_and_unknown_attributes_are_400() {
    let scene = Scene::build().await;
    let server = &scene.server;
    let a1 = scene.id("a1");

    // One whole record.
    for key in [
        format!("({a1})"),
        format!("('{a1}')"),
        format!("(msdyn_ocliveworkitemid='{a1}')"),
    ] {
        let (status, record) = dv(server, &format!("{COLLECTION}{key}"), &[]).await;
        assert_eq!(status, 200, "{key}: {record}");
        assert!(record["@odata.context"]
            .as_str()
            .unwrap()
            .ends_with("/api/data/v9.2/$metadata#msdyn_ocliveworkitems/$entity"));
        assert_eq!(record["msdyn_ocliveworkitemid"], a1);
    }
    let (_, record) = dv(server, &format!("{COLLECTION}({a1})"), &[]).await;
    assert_eq!(record["statuscode"], 2);
    assert_eq!(record[format!("statuscode{FORMATTED}")], "Active");
    assert_eq!(record["statecode"], 0);
    assert_eq!(record[format!("statecode{FORMATTED}")], "Open");
    assert_eq!(record["msdyn_title"], "Cid");
    assert_eq!(record["subject"], Value::Null);
    let created = record["createdon"].as_str().unwrap();
    assert!(
        created.len() == 20 && created.ends_with('Z') && created.as_bytes()[10] == b'T',
        "{created}"
    );
    assert!(record["modifiedon"].as_str().unwrap() >= created);
    assert_eq!(record["msdyn_closedon"], Value::Null);
    assert_eq!(record["msdyn_channel"], 192_360_000);
    assert!(hotline::core::odata::is_guid(
        record["msdyn_liveworkstreamid"].as_str().unwrap()
    ));
    assert_eq!(
        record[format!("msdyn_liveworkstreamid{FORMATTED}")],
        "customer-support"
    );
    assert_eq!(
        record[format!("msdyn_liveworkstreamid{LOOKUP}")],
        "msdyn_liveworkstream"
    );
    assert_eq!(record["msdyn_lastsessionid"], format!("{a1}-2"));
    assert_eq!(record["_msdyn_activeagentid_value"], "bob");
    assert_eq!(
        record[format!("_msdyn_activeagentid_value{FORMATTED}")],
        "bob"
    );
    assert_eq!(
        record[format!("_msdyn_activeagentid_value{LOOKUP}")],
        "systemuser"
    );
    assert!(record["msdyn_activeagentassignedon"].as_str().unwrap() >= created);
    assert_eq!(record["msdyn_isagentaccepted"], true);
    assert_eq!(record["msdyn_isabandoned"], false);
    assert_eq!(record["_msdyn_customer_value"], Value::Null);
    assert!(record
        .get(format!("_msdyn_customer_value{FORMATTED}"))
        .is_none());
    assert_eq!(record["_msdyn_issueid_value"], Value::Null);
    assert!(record["@odata.etag"].as_str().unwrap().starts_with("W/\""));

    // The queue and a closed one.
    let (_, record) = dv(server, &format!("{COLLECTION}({})", scene.id("q1")), &[]).await;
    assert_eq!(record["msdyn_title"], "Ann: Billing");
    assert_eq!(record["_msdyn_activeagentid_value"], Value::Null);
    assert_eq!(record["msdyn_lastsessionid"], Value::Null);
    let (_, record) = dv(server, &format!("{COLLECTION}({})", scene.id("f1")), &[]).await;
    assert_eq!(record["statuscode"], 4);
    assert_eq!(record["statecode"], 1);
    assert_eq!(record[format!("statecode{FORMATTED}")], "Closed");
    assert_eq!(
        record["_msdyn_activeagentid_value"], "bob",
        "the last agent"
    );
    assert!(record["msdyn_closedon"].is_string());

    // $select on one record, by alias: shown under the name asked for.
    let (status, record) = dv(
        server,
        &format!("{COLLECTION}({a1})"),
        &[("$select", "msdyn_activeagentid,statuscode")],
    )
    .await;
    assert_eq!(status, 200);
    assert!(record["@odata.context"]
        .as_str()
        .unwrap()
        .ends_with("$metadata#msdyn_ocliveworkitems(msdyn_activeagentid,statuscode)/$entity"));
    let keys: BTreeSet<&str> = record
        .as_object()
        .unwrap()
        .keys()
        .map(|k| k.as_str())
        .collect();
    assert_eq!(
        keys,
        BTreeSet::from([
            "@odata.context",
            "@odata.etag",
            "msdyn_ocliveworkitemid",
            "msdyn_activeagentid",
            "msdyn_activeagentid@OData.Community.Display.V1.FormattedValue",
            "msdyn_activeagentid@Microsoft.Dynamics.CRM.lookuplogicalname",
            "statuscode",
            "statuscode@OData.Community.Display.V1.FormattedValue",
        ])
    );

    // Unknown attributes, anywhere: 400 with Dataverse's error.
    for query in [
        [("$select", "msdyn_title,nope")],
        [("$filter", "nope eq 1")],
        [("$orderby", "nope desc")],
        [("$select", "StatusCode")],
        [("$filter", "msdyn_customer/name eq 'x'")],
    ] {
        let (status, body) = dv(server, COLLECTION, &query).await;
        assert_eq!(status, 400, "{query:?}");
        assert_eq!(body["error"]["code"], "0x80060888", "{body}");
        let message = body["error"]["message"].as_str().unwrap();
        assert!(
            message.starts_with("Could not find a property named '")
                && message.ends_with("' on type 'Microsoft.Dynamics.CRM.msdyn_ocliveworkitem'."),
            "{message}"
        );
    }
    // Queries that cannot run.
    for query in [
        [("$filter", "statuscode eq")],
        [("$filter", "(statuscode eq 1")],
        [("$filter", "statuscode eq '3'")],
        [("$filter", "createdon gt 'yesterday'")],
        [("$orderby", "createdon sideways")],
        [("$top", "-1")],
        [("$expand", "msdyn_customer")],
        [("$skip", "2")],
    ] {
        let (status, body) = dv(server, COLLECTION, &query).await;
        assert_eq!(status, 400, "{query:?}: {body}");
        assert_eq!(body["error"]["code"], "0x80060888", "{body}");
        assert!(body["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()));
    }
    let (status, body) = dv(
        server,
        &format!("{COLLECTION}({a1})"),
        &[("$filter", "statuscode eq 2")],
    )
    .await;
    assert_eq!(status, 400, "{body}");
    let (status, body) = dv(server, &format!("{COLLECTION}(nope)"), &[]).await;
    assert_eq!(status, 404);
    assert_eq!(body["error"]["code"], "0x80040217");
    assert_eq!(
        body["error"]["message"],
        "msdyn_ocliveworkitem With Id = nope Does Not Exist"
    );
    let (status, _) = dv(server, &format!("{COLLECTION}x"), &[]).await;
    assert_eq!(status, 404);

    // Agents only.
    let response = server
        .http()
        .get(format!("{}{COLLECTION}", server.url))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
    let response = server
        .http()
        .get(format!("{}{COLLECTION}({a1})", server.url))
        .basic_auth("bob", Some("nope"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
    let token = agent_token(&server.http(), &server.url, "eve", "eve-secret").await;
    let response = server
        .http()
        .get(format!("{}{COLLECTION}", server.url))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["odata-version"], "4.0");
    scene.server.stop().await;
}

#[tokio::test]
async fn a_gms_chat_shows_its_statuscode_through_its_life() {
    let server = TestServer::start().await;
    let http = server.http();
    let bob = agent_token(&http, &server.url, "bob", "bob-secret").await;
    let state = |code: u64, label: &str, statecode: u64| {
        json!({"statuscode": code, "statuscode@OData.Community.Display.V1.FormattedValue": label,
               "statecode": statecode})
    };
    let read = |chat_id: String| {
        let server = &server;
        async move {
            let (status, record) = dv(
                server,
                &format!("{COLLECTION}({chat_id})"),
                &[(
                    "$select",
                    "statuscode,statecode,msdyn_closedon,msdyn_activeagentid",
                )],
            )
            .await;
            assert_eq!(status, 200, "{record}");
            record
        }
    };
    let status_of = |record: &Value| {
        json!({"statuscode": record["statuscode"],
               "statuscode@OData.Community.Display.V1.FormattedValue":
                   record["statuscode@OData.Community.Display.V1.FormattedValue"],
               "statecode": record["statecode"]})
    };

    // Requested over GMS (Bayeux): queued.
    let (client, chat_id, key) = bayeux_customer(&server.url, "Ann").await;
    let record = read(chat_id.clone()).await;
    assert_eq!(status_of(&record), state(1, "Open", 0));
    assert_eq!(record["msdyn_activeagentid"], Value::Null);

    // Accepted.
    act(&server, &bob, &chat_id, "accept").await;
    let record = read(chat_id.clone()).await;
    assert_eq!(status_of(&record), state(2, "Active", 0));
    assert_eq!(record["msdyn_activeagentid"], "bob");

    // The customer's page is gone without leaving: waiting.
    drop(client);
    wait_for_status(&server, &chat_id, 3).await;
    let record = read(chat_id.clone()).await;
    assert_eq!(status_of(&record), state(3, "Waiting", 0));

    // The customer comes back and leaves: the agent wraps up.
    let mut back = BayeuxClient::handshake(&server.url, Transport::WebSocket, None)
        .await
        .unwrap();
    back.subscribe(CHANNEL).await;
    let left = back
        .publish(
            CHANNEL,
            json!({"operation": "disconnect", "secureKey": key}),
        )
        .await;
    assert_eq!(left["successful"], true, "{left}");
    let record = read(chat_id.clone()).await;
    assert_eq!(status_of(&record), state(5, "Wrap-up", 0));
    assert_eq!(record["msdyn_closedon"], Value::Null);

    // The agent ends it: closed.
    act(&server, &bob, &chat_id, "end").await;
    let record = read(chat_id.clone()).await;
    assert_eq!(status_of(&record), state(4, "Closed", 1));
    assert!(record["msdyn_closedon"].is_string());
    assert_eq!(record["msdyn_activeagentid"], "bob");
    server.stop().await;
}

#[tokio::test]
async fn links_replace_old_ones_and_show_in_both_faces() {
    let server = TestServer::start().await;
    let http = server.http();
    let url = server.url.clone();
    let bob = agent_token(&http, &url, "bob", "bob-secret").await;
    let chat = rest_customer(&server, &[("nickname", "Ann")]).await;
    let other = rest_customer(&server, &[("nickname", "Ben")]).await;
    let chat_id = chat.chat_id.clone();
    act(&server, &bob, &chat_id, "accept").await;
    let links = format!("/api/v1/conversations/{chat_id}/links");

    // The agent follows the conversation's channel.
    let mut agent =
        BayeuxClient::handshake(&url, Transport::WebSocket, Some(json!({"agentToken": bob})))
            .await
            .unwrap();
    let channel = format!("/agent/conversations/{chat_id}");
    assert_eq!(agent.subscribe(&channel).await["successful"], true);

    // A contact, with braces and upper case.
    let contact = "{1D5C2B8E-0000-4C5A-9E0B-0123456789AB}";
    let (status, body) = agent_post(
        &http,
        &url,
        &bob,
        &links,
        json!({"entityName": "contact", "entityId": contact, "displayName": "Ann Smith"}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let contact_link = json!({"entityName": "contact",
        "entityId": "1d5c2b8e-0000-4c5a-9e0b-0123456789ab", "displayName": "Ann Smith"});
    assert_eq!(
        body["conversation"]["links"],
        json!({"customer": contact_link, "case": null})
    );
    let announced = agent
        .next_on(&channel, |d| {
            !d["conversation"]["links"]["customer"].is_null()
        })
        .await;
    assert_eq!(announced["conversation"]["links"]["customer"], contact_link);

    // A case, then an account that replaces the contact.
    let (status, _) = agent_post(
        &http,
        &url,
        &bob,
        &links,
        json!({"entityName": "incident", "entityId": "CAS-01042", "displayName": "Refund"}),
    )
    .await;
    assert_eq!(status, 200);
    let account = "7f0e2a1c-1111-4c5a-9e0b-0123456789ab";
    let (status, body) = agent_post(
        &http,
        &url,
        &bob,
        &links,
        json!({"entityName": "account", "entityId": account}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let expected = json!({
        "customer": {"entityName": "account", "entityId": account, "displayName": null},
        "case": {"entityName": "incident", "entityId": "CAS-01042", "displayName": "Refund"}});
    assert_eq!(body["conversation"]["links"], expected);
    let (_, body) = agent_get(
        &http,
        &url,
        &bob,
        &format!("/api/v1/conversations/{chat_id}"),
    )
    .await;
    assert_eq!(body["conversation"]["links"], expected);
    let (_, body) = agent_get(&http, &url, &bob, "/api/v1/conversations").await;
    let listed = body["conversations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["chatId"] == chat_id.as_str())
        .unwrap();
    assert_eq!(listed["links"], expected);

    // The Dataverse face.
    let (_, record) = dv(&server, &format!("{COLLECTION}({chat_id})"), &[]).await;
    assert_eq!(record["_msdyn_customer_value"], account);
    assert_eq!(record[format!("_msdyn_customer_value{LOOKUP}")], "account");
    assert!(record
        .get(format!("_msdyn_customer_value{FORMATTED}"))
        .is_none());
    assert_eq!(record["_msdyn_issueid_value"], "CAS-01042");
    assert_eq!(record[format!("_msdyn_issueid_value{FORMATTED}")], "Refund");
    assert_eq!(record[format!("_msdyn_issueid_value{LOOKUP}")], "incident");
    let by_customer = format!("msdyn_customer eq {}", account.to_uppercase());
    let (_, body) = dv(
        &server,
        COLLECTION,
        &[
            ("$filter", by_customer.as_str()),
            ("$select", "msdyn_customer,msdyn_issueid"),
        ],
    )
    .await;
    assert_eq!(ids(&body), vec![chat_id.clone()]);
    assert_eq!(records(&body)[0]["msdyn_issueid"], "CAS-01042");
    assert_eq!(
        records(&body)[0][format!("msdyn_issueid{FORMATTED}")],
        "Refund"
    );
    let (_, body) = dv(
        &server,
        COLLECTION,
        &[("$filter", "_msdyn_issueid_value eq null")],
    )
    .await;
    assert_eq!(ids(&body), vec![other.chat_id.clone()]);

    // Unlinking: the entity must be the linked one (and the record, when given).
    let unlink = |entity: &str, query: &str| {
        let target = format!("{url}{links}/{entity}{query}");
        let http = http.clone();
        let bob = bob.clone();
        async move {
            let response = http.delete(target).bearer_auth(bob).send().await.unwrap();
            let status = response.status().as_u16();
            (status, response.json::<Value>().await.unwrap())
        }
    };
    let (status, body) = unlink("contact", "").await;
    assert_eq!(status, 404, "{body}");
    assert_eq!(body["error"]["code"], "not_linked");
    let (status, _) = unlink("incident", "?entityId=CAS-9").await;
    assert_eq!(status, 404);
    let (status, body) = unlink("lead", "").await;
    assert_eq!(status, 400, "{body}");
    let (status, body) = unlink("incident", "?entityId=CAS-01042").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["conversation"]["links"]["case"], Value::Null);
    assert_eq!(
        body["conversation"]["links"]["customer"]["entityId"],
        account
    );
    let (status, body) = unlink("account", "").await;
    assert_eq!(status, 200);
    assert_eq!(
        body["conversation"]["links"],
        json!({"customer": null, "case": null})
    );
    let (_, record) = dv(&server, &format!("{COLLECTION}({chat_id})"), &[]).await;
    assert_eq!(record["_msdyn_customer_value"], Value::Null);
    assert_eq!(record["_msdyn_issueid_value"], Value::Null);

    // Refusals.
    for (body, status, code) in [
        (
            json!({"entityName": "lead", "entityId": "x"}),
            400,
            "invalid_parameter",
        ),
        (json!({"entityName": "contact"}), 400, "missing_parameter"),
        (json!({"entityId": "x"}), 400, "missing_parameter"),
    ] {
        let (got, answer) = agent_post(&http, &url, &bob, &links, body.clone()).await;
        assert_eq!(got, status, "{body}: {answer}");
        assert_eq!(answer["error"]["code"], code);
    }
    let (status, _) = agent_post(
        &http,
        &url,
        &bob,
        "/api/v1/conversations/nope/links",
        json!({"entityName": "contact", "entityId": "x"}),
    )
    .await;
    assert_eq!(status, 404);
    let response = http
        .post(format!("{url}{links}"))
        .json(&json!({"entityName": "contact", "entityId": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
    act(&server, &bob, &chat_id, "end").await;
    let (status, body) = agent_post(
        &http,
        &url,
        &bob,
        &links,
        json!({"entityName": "contact", "entityId": "x"}),
    )
    .await;
    assert_eq!(status, 409, "{body}");
    server.stop().await;
}

#[tokio::test]
async fn the_correlation_id_comes_back_on_every_response() {
    let server = TestServer::start().await;
    let http = server.http();
    let id = "5c8a4a0e-3b9e-4c7f-9b1e-4f0d2a6b7c81";
    for (path, auth, status) in [
        ("/api/v1/templates", true, 200),
        ("/api/v1/templates", false, 401),
        (COLLECTION, true, 200),
        ("/api/data/v9.2/msdyn_ocliveworkitems(nope)", true, 404),
        ("/api/openapi.json", false, 200),
        ("/no/such/route", false, 404),
    ] {
        let mut request = http
            .get(format!("{}{path}", server.url))
            .header("x-correlation-id", id);
        if auth {
            request = request.basic_auth("bob", Some("bob-secret"));
        }
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), status, "{path}");
        assert_eq!(response.headers()["x-correlation-id"], id, "{path}");
    }
    // A GMS request and a CORS preflight carry it too; without one, none comes back.
    let response = http
        .post(format!("{}/genesys/2/chat/{SERVICE}", server.url))
        .header("x-correlation-id", "gms-1")
        .form(&[("nickname", "Ann")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["x-correlation-id"], "gms-1");
    let response = http
        .request(
            reqwest::Method::OPTIONS,
            format!("{}{COLLECTION}", server.url),
        )
        .header("origin", "https://console.example")
        .header("access-control-request-method", "GET")
        .header(
            "access-control-request-headers",
            "x-correlation-id, authorization",
        )
        .header("x-correlation-id", "pre-1")
        .send()
        .await
        .unwrap();
    assert!(response.status().is_success());
    let allowed = response.headers()["access-control-allow-headers"]
        .to_str()
        .unwrap()
        .to_ascii_lowercase();
    assert!(allowed.contains("x-correlation-id"), "{allowed}");
    let response = http
        .get(format!("{}{COLLECTION}", server.url))
        .header("origin", "https://console.example")
        .basic_auth("bob", Some("bob-secret"))
        .header("x-correlation-id", "cors-1")
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["x-correlation-id"], "cors-1");
    let exposed = response.headers()["access-control-expose-headers"]
        .to_str()
        .unwrap()
        .to_ascii_lowercase();
    assert!(exposed.contains("x-correlation-id"), "{exposed}");
    let response = http
        .get(format!("{}/api/openapi.json", server.url))
        .send()
        .await
        .unwrap();
    assert!(response.headers().get("x-correlation-id").is_none());
    let too_long = "x".repeat(201);
    let response = http
        .get(format!("{}/api/openapi.json", server.url))
        .header("x-correlation-id", &too_long)
        .send()
        .await
        .unwrap();
    assert!(response.headers().get("x-correlation-id").is_none());
    server.stop().await;
}

#[tokio::test]
async fn the_correlation_id_is_in_the_request_log() {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};

    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("hotline.db");
    let log_path = dir.path().join("server.log");
    let args = support::base_args(db.to_str().unwrap());
    let mut child = Command::new(env!("CARGO_BIN_EXE_hotline-server"))
        .args(&args[1..])
        .env("RUST_LOG", "info,tower_http=debug")
        .env_remove("HOTLINE_TEMPLATES")
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(&log_path).unwrap())
        .spawn()
        .expect("the server binary starts");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line
        .trim()
        .strip_prefix("hotline-server listening on ")
        .unwrap_or_else(|| panic!("unexpected first line: {line:?}"))
        .to_owned();
    let response = reqwest::Client::new()
        .get(format!("{url}{COLLECTION}"))
        .basic_auth("bob", Some("bob-secret"))
        .header("x-correlation-id", "trace-me-42")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let mut found = false;
    for _ in 0..50 {
        let log = std::fs::read_to_string(&log_path).unwrap_or_default();
        if log
            .lines()
            .any(|l| l.contains("correlation_id=trace-me-42") && l.contains(COLLECTION))
        {
            found = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let _ = child.kill();
    let _ = child.wait();
    assert!(
        found,
        "no log line with the correlation id: {}",
        std::fs::read_to_string(&log_path).unwrap_or_default()
    );
}
