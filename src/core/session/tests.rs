use super::*;
use crate::core::gms::{EventKind, Operation, Party, PartyType};

const NOW: f64 = 1_700_000_000_000.0;

fn party(id: u64, name: &str, party_type: PartyType) -> Party {
    Party {
        id: Json::from(id),
        name: name.into(),
        party_type,
    }
}

fn client() -> Party {
    party(1, "Ann", PartyType::Client)
}

fn agent() -> Party {
    party(2, "Agent Smith", PartyType::Agent)
}

fn system() -> Party {
    party(3, "system", PartyType::External)
}

fn event(index: u64, kind: EventKind, from: Party, text: Option<&str>) -> TranscriptEvent {
    TranscriptEvent {
        index,
        kind,
        party: from,
        text: text.map(str::to_owned),
        message_type: None,
        utc_time_ms: Some(1000.0 * index as f64),
        user_data: None,
    }
}

fn message(index: u64, from: Party, text: &str) -> TranscriptEvent {
    event(index, EventKind::Message, from, Some(text))
}

fn one(emitted: Vec<Emitted>) -> (GweEvent, String) {
    assert_eq!(emitted.len(), 1, "{emitted:?}");
    let e = &emitted[0];
    (e.event, e.payload.to_string())
}

fn names(emitted: &[Emitted]) -> Vec<&'static str> {
    emitted.iter().map(|e| e.event.name()).collect()
}

fn indices(emitted: &[Emitted]) -> Vec<u64> {
    emitted
        .iter()
        .filter_map(|e| e.payload.get("index").and_then(Json::as_u64))
        .collect()
}

fn history_strings(session: &ChatSession, event: GweEvent) -> Vec<String> {
    session.history(event).map(Json::to_string).collect()
}

#[test]
fn participant_joined_is_agent_connected_also_for_the_client() {
    let mut session = ChatSession::new();
    let out = session.ingest(
        &[event(1, EventKind::ParticipantJoined, client(), None)],
        NOW,
    );
    assert_eq!(
        one(out),
        (
            GweEvent::AgentConnected,
            r#"{"party":{"id":1,"name":"Ann","type":"Client"},"index":1,"timestamp":1000,"restored":false}"#.into()
        )
    );
    let out = session.ingest(
        &[event(2, EventKind::ParticipantJoined, agent(), None)],
        NOW,
    );
    assert_eq!(
        one(out).1,
        r#"{"party":{"id":2,"name":"Agent Smith","type":"Agent"},"index":2,"timestamp":2000,"restored":false}"#
    );
}

#[test]
fn participant_left_is_agent_disconnected() {
    let mut session = ChatSession::new();
    let out = session.ingest(&[event(5, EventKind::ParticipantLeft, agent(), None)], NOW);
    assert_eq!(
        one(out),
        (
            GweEvent::AgentDisconnected,
            r#"{"party":{"id":2,"name":"Agent Smith","type":"Agent"},"index":5,"timestamp":5000,"restored":false}"#.into()
        )
    );
}

#[test]
fn typing_of_others_is_agent_typing_not_memorised_and_own_typing_is_silent() {
    let mut session = ChatSession::new();
    let out = session.ingest(
        &[
            event(1, EventKind::TypingStarted, agent(), Some("Hel")),
            event(2, EventKind::TypingStarted, client(), None),
            event(3, EventKind::TypingStopped, client(), None),
            event(4, EventKind::TypingStopped, agent(), None),
        ],
        NOW,
    );
    assert_eq!(names(&out), ["AgentTyping", "AgentTyping"]);
    assert_eq!(
        out[0].payload.to_string(),
        r#"{"party":{"id":2,"name":"Agent Smith","type":"Agent"},"isTyping":true,"index":1}"#
    );
    assert_eq!(
        out[1].payload.to_string(),
        r#"{"party":{"id":2,"name":"Agent Smith","type":"Agent"},"isTyping":false,"index":4}"#
    );
    assert_eq!(session.history(GweEvent::AgentTyping).len(), 0);
    // Own typing still counts for dedupe.
    assert_eq!(session.last_index(), 4);
}

#[test]
fn messages_urls_and_notices_are_message_received() {
    let mut session = ChatSession::new();
    let mut url_message = message(3, agent(), "https://example.com/faq");
    url_message.message_type = Some("url".into());
    let mut text_typed = message(6, agent(), "typed");
    text_typed.message_type = Some("text".into());
    let out = session.ingest(
        &[
            message(1, client(), "Hi"),
            message(2, agent(), "Hello"),
            url_message,
            event(
                4,
                EventKind::PushUrl,
                agent(),
                Some("https://example.com/pushed"),
            ),
            event(
                5,
                EventKind::CustomNotice,
                system(),
                Some("Agent will be with you"),
            ),
            text_typed,
            event(7, EventKind::Other("Notice".into()), system(), Some("n")),
        ],
        NOW,
    );
    let payloads: Vec<String> = out.iter().map(|e| e.payload.to_string()).collect();
    assert!(out.iter().all(|e| e.event == GweEvent::MessageReceived));
    assert_eq!(
        payloads,
        [
            r#"{"content":{"text":"Hi","type":"text"},"timestamp":1000,"index":1,"restored":false,"party":{"id":1,"name":"Ann","type":{"client":true}}}"#,
            r#"{"content":{"text":"Hello","type":"text"},"timestamp":2000,"index":2,"restored":false,"party":{"id":2,"name":"Agent Smith","type":{"agent":true}}}"#,
            r#"{"content":{"text":"https://example.com/faq","type":"url"},"timestamp":3000,"index":3,"restored":false,"party":{"id":2,"name":"Agent Smith","type":{"agent":true}}}"#,
            r#"{"content":{"text":"https://example.com/pushed","type":"url"},"timestamp":4000,"index":4,"restored":false,"party":{"id":2,"name":"Agent Smith","type":{"agent":true}}}"#,
            r#"{"content":{"text":"Agent will be with you","type":"notice"},"timestamp":5000,"index":5,"restored":false,"party":{"id":3,"name":"system","type":{"external":true}}}"#,
            r#"{"content":{"text":"typed","type":"text"},"timestamp":6000,"index":6,"restored":false,"party":{"id":2,"name":"Agent Smith","type":{"agent":true}}}"#,
            r#"{"content":{"text":"n","type":"notice"},"timestamp":7000,"index":7,"restored":false,"party":{"id":3,"name":"system","type":{"external":true}}}"#,
        ]
    );
}

#[test]
fn supervisor_and_unknown_parties() {
    let mut session = ChatSession::new();
    let out = session.ingest(
        &[
            message(1, party(4, "Sup", PartyType::Supervisor), "s"),
            message(2, party(5, "Bot", PartyType::Other("Bot".into())), "b"),
            message(3, party(6, "", PartyType::Other(String::new())), "x"),
        ],
        NOW,
    );
    let types: Vec<String> = out
        .iter()
        .map(|e| {
            e.payload
                .get("party")
                .unwrap()
                .get("type")
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(
        types,
        [
            r#"{"agent":true,"supervisor":true}"#,
            r#"{"bot":true}"#,
            "{}"
        ]
    );
}

#[test]
fn events_without_a_gwe_event_only_advance_the_index() {
    let mut session = ChatSession::new();
    let out = session.ingest(
        &[
            event(1, EventKind::NicknameUpdated, client(), Some("Annie")),
            event(2, EventKind::Other("FileUploaded".into()), client(), None),
        ],
        NOW,
    );
    assert!(out.is_empty());
    assert_eq!(session.last_index(), 2);
    assert_eq!(session.notification_position(), 3);
}

#[test]
fn missing_time_uses_now_and_missing_text_is_empty() {
    let mut session = ChatSession::new();
    let mut bare = event(1, EventKind::Message, agent(), None);
    bare.utc_time_ms = None;
    let (_, payload) = one(session.ingest(&[bare], NOW));
    assert_eq!(
        payload,
        r#"{"content":{"text":"","type":"text"},"timestamp":1700000000000,"index":1,"restored":false,"party":{"id":2,"name":"Agent Smith","type":{"agent":true}}}"#
    );
}

#[test]
fn dedupe_drops_duplicates_and_late_events() {
    let mut session = ChatSession::new();
    assert_eq!(session.notification_position(), 1);
    let out = session.ingest(&[message(1, agent(), "a"), message(2, agent(), "b")], NOW);
    assert_eq!(indices(&out), [1, 2]);
    // The same notification again.
    assert!(session
        .ingest(&[message(1, agent(), "a"), message(2, agent(), "b")], NOW)
        .is_empty());
    // Overlapping batch: only the new one.
    let out = session.ingest(&[message(2, agent(), "b"), message(3, agent(), "c")], NOW);
    assert_eq!(indices(&out), [3]);
    // Out of order within a batch: sorted, each once.
    let out = session.ingest(
        &[
            message(6, agent(), "f"),
            message(4, agent(), "d"),
            message(6, agent(), "f"),
            message(5, agent(), "e"),
        ],
        NOW,
    );
    assert_eq!(indices(&out), [4, 5, 6]);
    // Out of order across batches: 8 then 7 → 7 is late and dropped.
    assert_eq!(
        indices(&session.ingest(&[message(8, agent(), "h")], NOW)),
        [8]
    );
    assert!(session.ingest(&[message(7, agent(), "g")], NOW).is_empty());
    assert_eq!(session.last_index(), 8);
    assert_eq!(session.notification_position(), 9);
    // History holds each once, in order.
    let history: Vec<u64> = session
        .history(GweEvent::MessageReceived)
        .filter_map(|p| p.get("index").and_then(Json::as_u64))
        .collect();
    assert_eq!(history, [1, 2, 3, 4, 5, 6, 8]);
}

#[test]
fn restore_replay_then_live() {
    let mut session = ChatSession::restored(3);
    // Before the replay arrives, the saved index is what gets persisted again.
    assert_eq!(session.last_index(), 3);
    assert_eq!(session.notification_position(), 1);
    let replay = [
        event(1, EventKind::ParticipantJoined, client(), None),
        event(2, EventKind::TypingStarted, agent(), None),
        message(3, agent(), "before reload"),
        message(4, agent(), "during reload"),
    ];
    let out = session.ingest(&replay, NOW);
    assert_eq!(
        names(&out),
        ["AgentConnected", "MessageReceived", "MessageReceived"]
    );
    let restored: Vec<bool> = out
        .iter()
        .map(|e| e.payload.get("restored").and_then(Json::as_bool).unwrap())
        .collect();
    assert_eq!(restored, [true, true, false]);
    // Live notifications overlapping the replay are dropped; new ones are live.
    let out = session.ingest(
        &[
            message(4, agent(), "during reload"),
            message(5, agent(), "live"),
        ],
        NOW,
    );
    assert_eq!(indices(&out), [5]);
    assert_eq!(out[0].payload.get("restored"), Some(&Json::Bool(false)));
    assert_eq!(session.last_index(), 5);
    // A restored session with nothing saved replays nothing as restored.
    let mut fresh = ChatSession::restored(0);
    let out = fresh.ingest(&[message(1, agent(), "x")], NOW);
    assert_eq!(out[0].payload.get("restored"), Some(&Json::Bool(false)));
}

#[test]
fn memorised_history_keeps_every_payload_in_order() {
    let mut session = ChatSession::restored(2);
    let mut fired = Vec::new();
    fired.extend(session.ingest(
        &[
            event(1, EventKind::ParticipantJoined, client(), None),
            event(2, EventKind::ParticipantJoined, agent(), None),
            message(3, agent(), "one"),
            event(4, EventKind::TypingStarted, agent(), None),
            message(5, client(), "two"),
            event(6, EventKind::ParticipantLeft, agent(), None),
        ],
        NOW,
    ));
    fired.extend(session.interrupted(NOW));
    fired.extend(session.continued(NOW + 1.0));
    fired.extend(session.error(&ChatError::remote(100, "down")));
    fired.extend(session.end(EndReason::Agent));
    // A late callback for each memorised kind gets exactly what fired, in order.
    for kind in GweEvent::ALL {
        let expected: Vec<String> = fired
            .iter()
            .filter(|e| e.event == kind)
            .map(|e| e.payload.to_string())
            .collect();
        if kind.is_memorised() {
            assert_eq!(history_strings(&session, kind), expected, "{kind:?}");
            assert!(!expected.is_empty(), "{kind:?}");
        } else {
            assert_eq!(expected.len(), 1);
            assert!(history_strings(&session, kind).is_empty());
        }
    }
    let connected = history_strings(&session, GweEvent::AgentConnected);
    assert!(connected[0].contains(r#""restored":true"#));
    assert!(connected[1].contains(r#""restored":true"#));
}

#[test]
fn history_is_capped_and_thousands_of_messages_work() {
    let mut session = ChatSession::new();
    let many: Vec<TranscriptEvent> = (1..=5000).map(|i| message(i, agent(), "m")).collect();
    assert_eq!(session.ingest(&many, NOW).len(), 5000);
    assert_eq!(session.history(GweEvent::MessageReceived).len(), 5000);
    assert_eq!(session.forgotten(GweEvent::MessageReceived), 0);

    let mut small = ChatSession::new().with_history_cap(3);
    let out = small.ingest(&many[..5], NOW);
    assert_eq!(out.len(), 5);
    let kept: Vec<u64> = small
        .history(GweEvent::MessageReceived)
        .filter_map(|p| p.get("index").and_then(Json::as_u64))
        .collect();
    assert_eq!(kept, [3, 4, 5]);
    assert_eq!(small.forgotten(GweEvent::MessageReceived), 2);
    assert_eq!(ChatSession::new().with_history_cap(0).history_cap, 1);
}

#[test]
fn chat_ended_envelope_ends_the_session() {
    let mut session = ChatSession::new();
    assert!(session.check_active().is_ok());
    let envelope = Envelope::parse(
        r#"{"statusCode":0,"chatEnded":true,"messages":[{"index":1,"type":"ParticipantLeft","from":{"nickname":"Agent Smith","participantId":2,"type":"Agent"},"utcTime":5}]}"#,
    )
    .unwrap();
    let out = session.ingest_envelope(&envelope, NOW);
    assert_eq!(names(&out), ["AgentDisconnected", "SessionEnded"]);
    assert_eq!(
        out[1].payload.to_string(),
        r#"{"reason":{"agent":true},"restored":false}"#
    );
    assert!(session.is_ended());
    assert!(!session.is_active());
    let err = session.check_active().unwrap_err();
    assert_eq!(err, ChatError::SessionEnded);
    assert_eq!(
        err.type_error_message().as_deref(),
        Some("Genesys Chat: session has ended")
    );
    // Nothing more is produced.
    assert!(session
        .ingest(&[message(2, agent(), "late")], NOW)
        .is_empty());
    assert!(session.ingest_envelope(&envelope, NOW).is_empty());
    assert!(session.end(EndReason::Error).is_none());
    assert!(session.error(&ChatError::remote(52, "x")).is_none());
    assert!(session.interrupted(NOW).is_none());
    assert!(session.begin_leave().is_err());
    assert!(session.finish_leave().is_none());
    assert_eq!(session.history(GweEvent::SessionEnded).len(), 1);
}

#[test]
fn error_envelopes_fire_nothing_but_end_with_reason_error_when_chat_ended() {
    let mut session = ChatSession::new();
    let refused = Envelope::parse(
        r#"{"statusCode":2,"chatEnded":false,"messages":[{"index":9,"type":"Message"}],"errors":[{"code":3,"advice":"bad"}]}"#,
    )
    .unwrap();
    assert!(session.ingest_envelope(&refused, NOW).is_empty());
    assert_eq!(
        session.last_index(),
        0,
        "messages of an error envelope are ignored"
    );
    // The facade reports an unsolicited error through onError.
    let (event, payload) = one(session
        .error(&refused.error().unwrap())
        .into_iter()
        .collect());
    assert_eq!(event, GweEvent::Error);
    assert_eq!(
        payload,
        r#"{"error":{"code":3,"description":"bad"},"restored":false}"#
    );

    let ended = Envelope::parse(
        r#"{"statusCode":2,"chatEnded":true,"errors":[{"code":52,"advice":"the chat has ended"}]}"#,
    )
    .unwrap();
    let (event, payload) = one(session.ingest_envelope(&ended, NOW));
    assert_eq!(event, GweEvent::SessionEnded);
    assert_eq!(payload, r#"{"reason":{"error":true},"restored":false}"#);
}

#[test]
fn leave_cleans_up_first_then_fires_session_ended() {
    let mut session = ChatSession::new();
    session.ingest(
        &[event(1, EventKind::ParticipantJoined, client(), None)],
        NOW,
    );
    session.begin_leave().unwrap();
    // Commands fail from here on …
    assert_eq!(session.check_active(), Err(ChatError::SessionEnded));
    assert_eq!(session.begin_leave(), Err(ChatError::SessionEnded));
    assert!(!session.is_ended());
    // … but the disconnect response's delta is still replayed …
    let out = session.ingest(&[event(2, EventKind::ParticipantLeft, client(), None)], NOW);
    assert_eq!(names(&out), ["AgentDisconnected"]);
    // … before the session fires SessionEnded itself.
    let (event, payload) = one(session.finish_leave().into_iter().collect());
    assert_eq!(event, GweEvent::SessionEnded);
    assert_eq!(
        payload,
        r#"{"reason":{"leaveRequest":true},"restored":false}"#
    );
    assert!(session.is_ended());
    // The server's chatEnded afterwards does not fire a second SessionEnded.
    let ended = Envelope::parse(r#"{"statusCode":0,"chatEnded":true}"#).unwrap();
    assert!(session.ingest_envelope(&ended, NOW).is_empty());
    assert!(session.finish_leave().is_none());
}

#[test]
fn leave_with_the_servers_disconnect_response() {
    // What hotline-server answers to `disconnect`: the customer's ParticipantLeft, and
    // chatEnded. The end is the leave request, not the agent.
    let mut session = ChatSession::new();
    session.ingest(
        &[event(1, EventKind::ParticipantJoined, client(), None)],
        NOW,
    );
    session.begin_leave().unwrap();
    let response = Envelope::parse(
        r#"{"alias":"hl-1","chatEnded":true,"chatId":"c","messages":[{"from":{"nickname":"Ann","participantId":1,"type":"Client"},"index":2,"type":"ParticipantLeft","utcTime":8}],"nextPosition":3,"statusCode":0,"userId":"u"}"#,
    )
    .unwrap();
    let out = session.ingest_envelope(&response, NOW);
    assert_eq!(names(&out), ["AgentDisconnected"]);
    assert!(!session.is_ended());
    // A transport's own SessionEnded during leave is also left to finish_leave.
    let pushed = RawEvent::from_json_as(
        GweEvent::SessionEnded,
        &Json::parse(r#"{"reason":{"id":2}}"#).unwrap(),
    )
    .unwrap();
    assert!(session.ingest_raw(&[pushed], Origin::Live, NOW).is_empty());
    let (_, payload) = one(session.finish_leave().into_iter().collect());
    assert_eq!(
        payload,
        r#"{"reason":{"leaveRequest":true},"restored":false}"#
    );
    assert_eq!(
        history_strings(&session, GweEvent::SessionEnded),
        [r#"{"reason":{"leaveRequest":true},"restored":false}"#]
    );
}

#[test]
fn interrupted_and_continued_alternate() {
    let mut session = ChatSession::new();
    assert!(session.continued(NOW).is_none(), "not interrupted yet");
    let (event, payload) = one(session.interrupted(NOW).into_iter().collect());
    assert_eq!(
        (event, payload.as_str()),
        (GweEvent::Interrupted, r#"{"timestamp":1700000000000}"#)
    );
    assert!(session.is_interrupted());
    assert!(
        session.interrupted(NOW + 5.0).is_none(),
        "already interrupted"
    );
    let (event, payload) = one(session.continued(NOW + 9.0).into_iter().collect());
    assert_eq!(
        (event, payload.as_str()),
        (GweEvent::Continued, r#"{"timestamp":1700000000009}"#)
    );
    assert!(!session.is_interrupted());
    // Commands still work while interrupted.
    session.interrupted(NOW);
    assert!(session.check_active().is_ok());
}

#[test]
fn event_names() {
    for event in GweEvent::ALL {
        assert_eq!(GweEvent::from_name(event.name()), Some(event));
        assert_eq!(
            GweEvent::from_name(&format!("on{}", event.name())),
            Some(event)
        );
        assert_eq!(event.is_memorised(), event != GweEvent::AgentTyping);
    }
    assert_eq!(GweEvent::from_name("FileReceived"), None);
    for reason in [EndReason::LeaveRequest, EndReason::Agent, EndReason::Error] {
        assert_eq!(EndReason::from_id(u64::from(reason.id())), Some(reason));
    }
    assert_eq!(EndReason::from_id(0), None);
}

#[test]
fn raw_events_from_a_custom_transport() {
    let mut session = ChatSession::new();
    let raw = [
        r#"{"type":"AgentConnected","index":0,"timestamp":10,"party":{"id":"a1","name":"Bob","type":"Agent"}}"#,
        r#"{"type":"MessageReceived","index":1,"timestamp":11,"party":{"id":"a1","name":"Bob","type":"Agent"},"content":{"text":"https://x","type":"url"}}"#,
        r#"{"type":"MessageReceived","index":1,"timestamp":11,"party":{"id":"a1","name":"Bob","type":"Agent"},"content":{"text":"dup","type":"text"}}"#,
        r#"{"type":"AgentTyping","index":2,"party":{"id":"a1","name":"Bob","type":"Agent"},"isTyping":true}"#,
        r#"{"type":"SessionEnded","reason":{"id":2}}"#,
    ]
    .map(|text| RawEvent::from_json(&Json::parse(text).unwrap()).unwrap());
    let out = session.ingest_raw(&raw, Origin::Live, NOW);
    let payloads: Vec<String> = out.iter().map(|e| e.payload.to_string()).collect();
    assert_eq!(
        payloads,
        [
            r#"{"party":{"id":"a1","name":"Bob","type":"Agent"},"index":0,"timestamp":10,"restored":false}"#,
            r#"{"content":{"text":"https://x","type":"url"},"timestamp":11,"index":1,"restored":false,"party":{"id":"a1","name":"Bob","type":{"agent":true}}}"#,
            r#"{"party":{"id":"a1","name":"Bob","type":"Agent"},"isTyping":true,"index":2}"#,
            r#"{"reason":{"agent":true},"restored":false}"#,
        ]
    );
    assert!(session.is_ended());
}

#[test]
fn raw_replay_is_restored_and_skips_typing() {
    let mut session = ChatSession::restored(2);
    let raw = [
        r#"{"type":"AgentConnected","index":1,"timestamp":10,"party":{"id":1,"name":"Bob","type":"Agent"}}"#,
        r#"{"type":"AgentTyping","index":2,"party":{"id":1,"name":"Bob","type":"Agent"},"isTyping":true}"#,
        r#"{"type":"MessageReceived","index":3,"timestamp":12,"party":{"id":1,"name":"Bob","type":"Agent"},"content":{"text":"hi","type":"text"}}"#,
    ]
    .map(|text| RawEvent::from_json(&Json::parse(text).unwrap()).unwrap());
    let out = session.ingest_raw(&raw, Origin::Restored, NOW);
    assert_eq!(names(&out), ["AgentConnected", "MessageReceived"]);
    assert!(out
        .iter()
        .all(|e| e.payload.get("restored") == Some(&Json::Bool(true))));
}

#[test]
fn raw_events_without_index_are_never_dropped_and_have_no_index() {
    let mut session = ChatSession::new();
    session.ingest(&[message(5, agent(), "x")], NOW);
    let pushed = RawEvent::from_json_as(
        GweEvent::MessageReceived,
        &Json::parse(r#"{"type":"ignored","party":{"name":"Bob","type":"Agent"},"content":{"text":"no index"}}"#)
            .unwrap(),
    )
    .unwrap();
    let (_, payload) = one(session
        .ingest_raw(&[pushed.clone(), pushed], Origin::Live, NOW)
        .split_off(1));
    assert_eq!(
        payload,
        r#"{"content":{"text":"no index","type":"text"},"timestamp":1700000000000,"restored":false,"party":{"id":null,"name":"Bob","type":{"agent":true}}}"#
    );
    assert_eq!(session.last_index(), 5);
}

#[test]
fn raw_session_ended_reasons() {
    for (reason, key) in [
        (r#"{"id":1}"#, "leaveRequest"),
        (r#"{"id":2}"#, "agent"),
        (r#"{"id":3}"#, "error"),
        (r#"{"id":9}"#, "agent"),
        ("{}", "agent"),
        ("null", "agent"),
    ] {
        let raw = RawEvent::from_json_as(
            GweEvent::SessionEnded,
            &Json::parse(&format!(r#"{{"reason":{reason}}}"#)).unwrap(),
        )
        .unwrap();
        let mut session = ChatSession::new();
        let (_, payload) = one(session.ingest_raw(&[raw], Origin::Live, NOW));
        assert_eq!(
            payload,
            format!(r#"{{"reason":{{"{key}":true}},"restored":false}}"#)
        );
    }
}

#[test]
fn bad_raw_events_are_transport_errors() {
    let cases = [
        (
            GweEvent::MessageReceived,
            "5",
            "the event must be an object",
        ),
        (
            GweEvent::MessageReceived,
            r#"{"index":"1"}"#,
            "index must be a whole number, 0 or more",
        ),
        (
            GweEvent::MessageReceived,
            r#"{"timestamp":"now"}"#,
            "timestamp must be a number",
        ),
        (
            GweEvent::MessageReceived,
            r#"{"party":"Bob"}"#,
            "party must be an object",
        ),
        (
            GweEvent::MessageReceived,
            r#"{"party":{"name":1}}"#,
            "party.name must be a string",
        ),
        (
            GweEvent::MessageReceived,
            r#"{"party":{"type":true}}"#,
            "party.type must be a string",
        ),
        (
            GweEvent::MessageReceived,
            r#"{"content":"hi"}"#,
            "content must be an object",
        ),
        (
            GweEvent::MessageReceived,
            r#"{"content":{"text":1}}"#,
            "content.text must be a string",
        ),
        (
            GweEvent::MessageReceived,
            r#"{"content":{"type":1}}"#,
            "content.type must be a string",
        ),
        (
            GweEvent::AgentTyping,
            r#"{"isTyping":"yes"}"#,
            "isTyping must be true or false",
        ),
        (
            GweEvent::SessionEnded,
            r#"{"reason":2}"#,
            "reason must be an object",
        ),
        (
            GweEvent::SessionEnded,
            r#"{"reason":{"id":"2"}}"#,
            "reason.id must be 1, 2 or 3",
        ),
        (GweEvent::Error, "{}", "not an event a transport delivers"),
    ];
    for (kind, text, reason) in cases {
        let error = RawEvent::from_json_as(kind, &Json::parse(text).unwrap()).unwrap_err();
        assert_eq!(error.code(), 0);
        assert_eq!(
            error.description(),
            format!("Transport error in {} event ({reason})", kind.name()),
            "{text}"
        );
    }
    for text in [
        r#"{"type":"Nope"}"#,
        "{}",
        r#"{"type":"onMessageReceived"}"#,
        r#"{"type":"Error"}"#,
    ] {
        let error = RawEvent::from_json(&Json::parse(text).unwrap()).unwrap_err();
        assert!(matches!(error, ChatError::BadEvent { .. }), "{text}");
    }
}

#[test]
fn raw_event_round_trip_and_gms_mapping() {
    let gms = event(3, EventKind::TypingStopped, agent(), None);
    let raw = RawEvent::from_transcript(&gms).unwrap();
    assert_eq!(
        raw.to_json().to_string(),
        r#"{"type":"AgentTyping","index":3,"timestamp":3000,"party":{"id":2,"name":"Agent Smith","type":"Agent"},"isTyping":false}"#
    );
    assert_eq!(RawEvent::from_json(&raw.to_json()).unwrap(), raw);
    let ended =
        RawEvent::from_json(&Json::parse(r#"{"type":"SessionEnded","reason":{"id":1}}"#).unwrap())
            .unwrap();
    assert_eq!(
        ended.to_json().to_string(),
        r#"{"type":"SessionEnded","reason":{"id":1}}"#
    );
    assert!(
        RawEvent::from_transcript(&event(1, EventKind::NicknameUpdated, client(), None)).is_none()
    );
}

#[test]
fn get_transcript_from_index() {
    assert_eq!(parse_from_index(&Json::Null), Ok(0));
    assert_eq!(parse_from_index(&Json::parse("{}").unwrap()), Ok(0));
    assert_eq!(
        parse_from_index(&Json::parse(r#"{"fromIndex":null}"#).unwrap()),
        Ok(0)
    );
    assert_eq!(
        parse_from_index(&Json::parse(r#"{"fromIndex":0}"#).unwrap()),
        Ok(0)
    );
    assert_eq!(
        parse_from_index(&Json::parse(r#"{"fromIndex":4}"#).unwrap()),
        Ok(4)
    );
    let negative = parse_from_index(&Json::parse(r#"{"fromIndex":-1}"#).unwrap()).unwrap_err();
    assert_eq!(
        negative.type_error_message().as_deref(),
        Some("Genesys Chat: option `fromIndex` is incorrect: must be 0 or more")
    );
    for bad in [r#"{"fromIndex":1.5}"#, r#"{"fromIndex":"2"}"#] {
        assert!(matches!(
            parse_from_index(&Json::parse(bad).unwrap()),
            Err(ChatError::InvalidOption {
                option: "fromIndex",
                ..
            })
        ));
    }
    assert!(matches!(
        parse_from_index(&Json::from(3u64)),
        Err(ChatError::InvalidArgument(_))
    ));
    assert_eq!(from_index_to_position(0), 1);
    assert_eq!(from_index_to_position(4), 5);
    assert_eq!(from_index_to_position(u64::MAX), u64::MAX);
}

#[test]
fn get_transcript_payload_is_raw_events_from_the_position() {
    let events = [
        event(3, EventKind::TypingStarted, agent(), None),
        event(1, EventKind::ParticipantJoined, client(), None),
        message(2, agent(), "Hello"),
        event(4, EventKind::NicknameUpdated, client(), Some("Annie")),
        message(2, agent(), "Hello"),
        event(5, EventKind::CustomNotice, system(), Some("n")),
    ];
    assert_eq!(
        transcript_payload(&events, 0).to_string(),
        concat!(
            r#"{"transcript":["#,
            r#"{"type":"AgentConnected","index":1,"timestamp":1000,"party":{"id":1,"name":"Ann","type":"Client"}},"#,
            r#"{"type":"MessageReceived","index":2,"timestamp":2000,"party":{"id":2,"name":"Agent Smith","type":"Agent"},"content":{"text":"Hello","type":"text"}},"#,
            r#"{"type":"AgentTyping","index":3,"timestamp":3000,"party":{"id":2,"name":"Agent Smith","type":"Agent"},"isTyping":true},"#,
            r#"{"type":"MessageReceived","index":5,"timestamp":5000,"party":{"id":3,"name":"system","type":"External"},"content":{"text":"n","type":"notice"}}"#,
            "]}"
        )
    );
    // fromIndex 2 (0-based) starts at the third event, GMS index 3.
    let from_2 = transcript_payload(&events, 2);
    let listed: Vec<u64> = from_2
        .get("transcript")
        .and_then(Json::as_array)
        .unwrap()
        .iter()
        .filter_map(|e| e.get("index").and_then(Json::as_u64))
        .collect();
    assert_eq!(listed, [3, 5]);
    assert_eq!(
        transcript_payload(&events, 10).to_string(),
        r#"{"transcript":[]}"#
    );
    assert_eq!(transcript_json(&[]).to_string(), r#"{"transcript":[]}"#);
    // getTranscript fires nothing: it does not touch a session at all.
}

#[test]
fn user_data_defaults_merge() {
    let page = PageContext {
        title: "Shop".into(),
        url: "https://shop.example/cart".into(),
        referrer: "https://search.example/".into(),
    };
    assert_eq!(
        merge_user_data(None, &page).to_string(),
        r#"{"source":"web","pageTitle":"Shop","url":"https://shop.example/cart","referrer":"https://search.example/"}"#
    );
    let caller = Json::parse(
        r#"{"FirstName":"John","source":"mobile","referrer":null,"LastName":"Doe","nothing":null}"#,
    )
    .unwrap();
    assert_eq!(
        merge_user_data(Some(&caller), &page).to_string(),
        r#"{"source":"mobile","pageTitle":"Shop","url":"https://shop.example/cart","FirstName":"John","LastName":"Doe"}"#
    );
    // Not an object: ignored.
    assert_eq!(
        merge_user_data(Some(&Json::str("x")), &PageContext::default()).to_string(),
        r#"{"source":"web","pageTitle":"","url":"","referrer":""}"#
    );
}

#[test]
fn send_message_arguments() {
    let text = |message: &str, message_type: Option<&str>| Operation::SendMessage {
        message: message.into(),
        message_type: message_type.map(str::to_owned),
    };
    assert_eq!(parse_send_message(&Json::str("hi")), Ok(text("hi", None)));
    assert_eq!(
        parse_send_message(&Json::parse(r#"{"message":"hi"}"#).unwrap()),
        Ok(text("hi", None))
    );
    assert_eq!(
        parse_send_message(&Json::parse(r#"{"message":"hi","type":"text"}"#).unwrap()),
        Ok(text("hi", None))
    );
    assert_eq!(
        parse_send_message(&Json::parse(r#"{"message":"https://x","type":"url"}"#).unwrap()),
        Ok(text("https://x", Some("url")))
    );
    let wrong =
        parse_send_message(&Json::parse(r#"{"message":"hi","type":"html"}"#).unwrap()).unwrap_err();
    assert_eq!(
        wrong.type_error_message().as_deref(),
        Some(r#"Genesys Chat: type must be "url" or "text""#)
    );
    for bad in [r#"{"type":"text"}"#, r#"{"message":5}"#, "5", "null"] {
        assert!(matches!(
            parse_send_message(&Json::parse(bad).unwrap()),
            Err(ChatError::InvalidArgument(_))
        ));
    }
}

#[test]
fn send_typing_arguments() {
    assert_eq!(
        parse_send_typing(&Json::Null),
        Ok(Operation::StartTyping { preview: None })
    );
    assert_eq!(
        parse_send_typing(&Json::parse("{}").unwrap()),
        Ok(Operation::StartTyping { preview: None })
    );
    assert_eq!(
        parse_send_typing(&Json::parse(r#"{"isTyping":true,"typedText":"Hel"}"#).unwrap()),
        Ok(Operation::StartTyping {
            preview: Some("Hel".into())
        })
    );
    assert_eq!(
        parse_send_typing(&Json::parse(r#"{"isTyping":false}"#).unwrap()),
        Ok(Operation::StopTyping { preview: None })
    );
    for bad in [r#"{"isTyping":"no"}"#, r#"{"typedText":1}"#, "true"] {
        assert!(matches!(
            parse_send_typing(&Json::parse(bad).unwrap()),
            Err(ChatError::InvalidArgument(_))
        ));
    }
}

#[test]
fn set_user_data_arguments() {
    let data = Json::parse(r#"{"OrderId":"1"}"#).unwrap();
    assert_eq!(
        parse_set_user_data(&data),
        Ok(Operation::UpdateData { user_data: data })
    );
    assert!(matches!(
        parse_set_user_data(&Json::str("x")),
        Err(ChatError::InvalidArgument(_))
    ));
}
