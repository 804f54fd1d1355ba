use super::*;

/// A success envelope exactly as `server/src/gms.rs` `envelope` writes it (serde_json sorts
/// the keys; `TranscriptEvent` leaves absent options out).
const SERVER_ENVELOPE: &str = r#"{"alias":"hotline-1","chatEnded":false,"chatId":"00048aAPEQJ8000U","messages":[{"from":{"nickname":"First Last","participantId":1,"type":"Client"},"index":1,"type":"ParticipantJoined","utcTime":1432845088000},{"from":{"nickname":"Agent Smith","participantId":2,"type":"Agent"},"index":2,"text":"Hello","messageType":"text","type":"Message","utcTime":1432845099000,"userData":{"k":"v"}}],"nextPosition":3,"secureKey":"4ee15d7e1c343c8e","statusCode":0,"userId":"007555677B20000A"}"#;

/// A notification as `notification` writes it: no `secureKey`.
const SERVER_NOTIFICATION: &str = r#"{"alias":"hotline-1","chatEnded":true,"chatId":"00048aAPEQJ8000U","messages":[{"from":{"nickname":"Agent Smith","participantId":2,"type":"Agent"},"index":3,"type":"ParticipantLeft","utcTime":1432845100000}],"nextPosition":4,"statusCode":0,"userId":"007555677B20000A"}"#;

/// An error envelope as `error_envelope` writes it.
const SERVER_ERROR: &str = r#"{"alias":"hotline-1","chatEnded":false,"errors":[{"advice":"chat session is unknown or the secureKey does not match it","code":50}],"messages":[],"statusCode":2}"#;

fn obj(text: &str) -> Json {
    Json::parse(text).unwrap()
}

#[test]
fn parses_the_server_success_envelope() {
    let envelope = Envelope::parse(SERVER_ENVELOPE).unwrap();
    assert!(envelope.is_ok());
    assert!(!envelope.is_retryable());
    assert_eq!(envelope.error(), None);
    assert_eq!(envelope.status_code, 0);
    assert!(!envelope.chat_ended);
    assert_eq!(envelope.chat_id.as_deref(), Some("00048aAPEQJ8000U"));
    assert_eq!(envelope.user_id.as_deref(), Some("007555677B20000A"));
    assert_eq!(envelope.secure_key.as_deref(), Some("4ee15d7e1c343c8e"));
    assert_eq!(envelope.alias.as_deref(), Some("hotline-1"));
    assert_eq!(envelope.next_position, Some(3));
    assert!(envelope.errors.is_empty());
    assert_eq!(
        envelope.messages,
        vec![
            TranscriptEvent {
                index: 1,
                kind: EventKind::ParticipantJoined,
                party: Party {
                    id: Json::from(1u64),
                    name: "First Last".into(),
                    party_type: PartyType::Client,
                },
                text: None,
                message_type: None,
                utc_time_ms: Some(1_432_845_088_000.0),
                user_data: None,
            },
            TranscriptEvent {
                index: 2,
                kind: EventKind::Message,
                party: Party {
                    id: Json::from(2u64),
                    name: "Agent Smith".into(),
                    party_type: PartyType::Agent,
                },
                text: Some("Hello".into()),
                message_type: Some("text".into()),
                utc_time_ms: Some(1_432_845_099_000.0),
                user_data: Some(obj(r#"{"k":"v"}"#)),
            },
        ]
    );
}

#[test]
fn parses_the_server_notification() {
    let envelope = Envelope::parse(SERVER_NOTIFICATION).unwrap();
    assert!(envelope.is_ok());
    assert!(envelope.chat_ended);
    assert_eq!(envelope.secure_key, None);
    assert_eq!(envelope.next_position, Some(4));
    assert_eq!(envelope.messages.len(), 1);
    assert_eq!(envelope.messages[0].kind, EventKind::ParticipantLeft);
}

#[test]
fn parses_the_server_error_envelope() {
    let envelope = Envelope::parse(SERVER_ERROR).unwrap();
    assert!(!envelope.is_ok());
    assert!(!envelope.is_retryable());
    assert_eq!(envelope.chat_id, None);
    assert_eq!(
        envelope.errors,
        vec![EnvelopeError {
            code: 50,
            advice: "chat session is unknown or the secureKey does not match it".into(),
        }]
    );
    let error = envelope.error().unwrap();
    assert_eq!(error.code(), 50);
    assert_eq!(
        error.description(),
        "chat session is unknown or the secureKey does not match it"
    );
}

#[test]
fn error_envelope_maps_every_gwe_code() {
    // (statusCode, code) pairs the server sends (server/src/chat/error.rs `gwe_code`), and
    // the other documented codes.
    for (status, code) in [
        (2, 1),
        (2, 2),
        (2, 3),
        (2, 50),
        (2, 51),
        (2, 52),
        (1, 100),
        (2, 101),
        (1, 150),
        (2, 0),
    ] {
        let text = format!(
            r#"{{"statusCode":{status},"alias":"a","chatEnded":false,"messages":[],"errors":[{{"code":{code},"advice":"why {code}"}}]}}"#
        );
        let envelope = Envelope::parse(&text).unwrap();
        assert_eq!(envelope.is_retryable(), status == 1);
        let error = envelope.error().unwrap();
        assert_eq!(error.code(), code, "{text}");
        assert_eq!(error.description(), format!("why {code}"));
        assert_eq!(error, ChatError::remote(code, format!("why {code}")));
    }
}

#[test]
fn error_envelope_variants() {
    // Empty advice: the table's text for the code.
    let empty = Envelope::parse(r#"{"statusCode":2,"errors":[{"code":101}]}"#).unwrap();
    assert_eq!(
        empty.error().unwrap().description(),
        "Login to Chat Server was failed"
    );
    // `message` instead of `advice`, code as a string.
    let message =
        Envelope::parse(r#"{"statusCode":1,"errors":[{"code":"100","message":"down"}]}"#).unwrap();
    let error = message.error().unwrap();
    assert_eq!(
        (error.code(), error.description()),
        (100, "down".to_owned())
    );
    // No errors at all.
    let bare = Envelope::parse(r#"{"statusCode":2,"chatEnded":true}"#).unwrap();
    let error = bare.error().unwrap();
    assert_eq!(error.code(), 0);
    assert!(error.description().contains("statusCode 2"));
    // Codes that are not u16 become 0.
    let huge = Envelope::parse(r#"{"statusCode":2,"errors":[{"code":70000},{"code":5}]}"#).unwrap();
    assert_eq!(huge.error().unwrap().code(), 0);
    let fraction = Envelope::parse(r#"{"statusCode":2,"errors":[{"code":1.5}]}"#).unwrap();
    assert_eq!(fraction.error().unwrap().code(), 0);
}

#[test]
fn lenient_about_absent_and_unknown_fields() {
    let envelope = Envelope::parse(r#"{"extra":{"x":[1]}}"#).unwrap();
    assert_eq!(envelope, Envelope::default());
    let nulls = Envelope::parse(
        r#"{"statusCode":null,"chatEnded":null,"chatId":null,"messages":null,"nextPosition":null,"errors":null}"#,
    )
    .unwrap();
    assert_eq!(nulls, Envelope::default());
    // Numeric ids and alias are kept as text.
    let numeric = Envelope::parse(r#"{"alias":117,"chatId":42,"userId":7,"secureKey":9}"#).unwrap();
    assert_eq!(numeric.alias.as_deref(), Some("117"));
    assert_eq!(numeric.chat_id.as_deref(), Some("42"));
    // A bare event: only the index.
    let event = TranscriptEvent::from_json(&obj(r#"{"index":4,"unknown":true}"#), "m").unwrap();
    assert_eq!(event.kind, EventKind::Other(String::new()));
    assert_eq!(event.party.party_type, PartyType::Other(String::new()));
    assert_eq!(event.party.id, Json::Null);
    assert_eq!(event.party.name, "");
    assert_eq!(event.utc_time_ms, None);
    // String participant ids are kept as strings.
    let event = TranscriptEvent::from_json(
        &obj(r#"{"index":4,"from":{"participantId":"p-9","type":"Customer"},"type":"Notice"}"#),
        "m",
    )
    .unwrap();
    assert_eq!(event.party.id, Json::str("p-9"));
    assert_eq!(event.party.party_type, PartyType::Client);
    assert_eq!(event.kind, EventKind::Other("Notice".into()));
}

#[test]
fn wrong_types_are_clear_errors() {
    let cases = [
        ("[]", "the envelope must be an object"),
        (
            r#"{"statusCode":"0"}"#,
            "`statusCode` must be a whole number, 0 or more",
        ),
        (r#"{"statusCode":-1}"#, "`statusCode`"),
        (
            r#"{"chatEnded":"false"}"#,
            "`chatEnded` must be true or false",
        ),
        (r#"{"nextPosition":1.5}"#, "`nextPosition`"),
        (r#"{"messages":{}}"#, "`messages` must be an array"),
        (r#"{"messages":[1]}"#, "`messages[0]` must be an object"),
        (
            r#"{"messages":[{"index":1},{"type":"Message"}]}"#,
            "`messages[1].index` is missing",
        ),
        (
            r#"{"messages":[{"index":"1"}]}"#,
            "`messages[0].index` must be a whole number",
        ),
        (r#"{"messages":[{"index":-1}]}"#, "`messages[0].index`"),
        (
            r#"{"messages":[{"index":1,"from":"x"}]}"#,
            "`messages[0].from` must be an object",
        ),
        (
            r#"{"messages":[{"index":1,"from":{"nickname":5}}]}"#,
            "`messages[0].from.nickname` must be a string",
        ),
        (
            r#"{"messages":[{"index":1,"from":{"participantId":[]}}]}"#,
            "`messages[0].from.participantId` must be a number or a string",
        ),
        (
            r#"{"messages":[{"index":1,"from":{"type":{}}}]}"#,
            "`messages[0].from.type` must be a string",
        ),
        (
            r#"{"messages":[{"index":1,"type":7}]}"#,
            "`messages[0].type` must be a string",
        ),
        (
            r#"{"messages":[{"index":1,"text":7}]}"#,
            "`messages[0].text` must be a string",
        ),
        (
            r#"{"messages":[{"index":1,"messageType":false}]}"#,
            "`messages[0].messageType` must be a string",
        ),
        (
            r#"{"messages":[{"index":1,"utcTime":"now"}]}"#,
            "`messages[0].utcTime` must be a number",
        ),
        (r#"{"chatId":{}}"#, "`chatId` must be a string"),
        (r#"{"alias":[]}"#, "`alias` must be a string"),
        (r#"{"errors":"boom"}"#, "`errors` must be an array"),
        (r#"{"errors":[5]}"#, "`errors[0]` must be an object"),
        (
            r#"{"errors":[{"code":true}]}"#,
            "`errors[0].code` must be a number",
        ),
        (
            r#"{"errors":[{"advice":1}]}"#,
            "`errors[0].advice` must be a string",
        ),
        ("{", "invalid JSON"),
    ];
    for (text, expected) in cases {
        let error = Envelope::parse(text).unwrap_err();
        assert!(matches!(error, ChatError::BadResponse(_)), "{text}");
        assert_eq!(error.code(), 0);
        assert!(
            error.description().contains(expected),
            "{text}: {}",
            error.description()
        );
    }
}

#[test]
fn event_kinds_and_party_types_round_trip() {
    for kind in [
        EventKind::ParticipantJoined,
        EventKind::ParticipantLeft,
        EventKind::Message,
        EventKind::TypingStarted,
        EventKind::TypingStopped,
        EventKind::CustomNotice,
        EventKind::NicknameUpdated,
        EventKind::PushUrl,
        EventKind::Other("FileUploaded".into()),
    ] {
        assert_eq!(EventKind::parse(kind.as_str()), kind);
    }
    for party in [
        PartyType::Client,
        PartyType::Agent,
        PartyType::Supervisor,
        PartyType::External,
        PartyType::Other("Bot".into()),
    ] {
        assert_eq!(PartyType::parse(party.as_str()), party);
    }
}

#[test]
fn transcript_event_writes_back_in_gms_shape() {
    let envelope = Envelope::parse(SERVER_ENVELOPE).unwrap();
    let written = envelope.messages[1].to_json();
    assert_eq!(
        written.to_string(),
        r#"{"from":{"nickname":"Agent Smith","participantId":2,"type":"Agent"},"index":2,"type":"Message","text":"Hello","messageType":"text","utcTime":1432845099000,"userData":{"k":"v"}}"#
    );
    let again = TranscriptEvent::from_json(&written, "x").unwrap();
    assert_eq!(again, envelope.messages[1]);
}

#[test]
fn credentials_take_the_latest_alias_and_keep_the_first_key() {
    let mut credentials = Credentials::default();
    assert!(!credentials.is_complete());
    credentials.absorb(&Envelope::parse(SERVER_ENVELOPE).unwrap());
    assert_eq!(
        credentials,
        Credentials {
            chat_id: "00048aAPEQJ8000U".into(),
            user_id: "007555677B20000A".into(),
            secure_key: "4ee15d7e1c343c8e".into(),
            alias: "hotline-1".into(),
        }
    );
    assert!(credentials.is_complete());
    credentials.absorb(
        &Envelope::parse(r#"{"statusCode":0,"alias":"hotline-2","secureKey":"other","chatId":""}"#)
            .unwrap(),
    );
    assert_eq!(credentials.alias, "hotline-2");
    assert_eq!(credentials.secure_key, "4ee15d7e1c343c8e");
    assert_eq!(credentials.chat_id, "00048aAPEQJ8000U");
    // Error envelopes change nothing.
    credentials.absorb(&Envelope::parse(r#"{"statusCode":2,"alias":"hotline-3"}"#).unwrap());
    assert_eq!(credentials.alias, "hotline-2");
}

fn credentials() -> Credentials {
    Credentials {
        chat_id: "c 1".into(),
        user_id: "u1".into(),
        secure_key: "k1".into(),
        alias: "a1".into(),
    }
}

fn fields(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

type Fields = Vec<(String, String)>;

fn all_operations() -> Vec<Operation> {
    vec![
        Operation::RequestChat {
            nickname: "Ann".into(),
            first_name: Some("Ann".into()),
            last_name: Some("Lee".into()),
            subject: Some("Billing".into()),
            email: Some("ann@example.com".into()),
            user_data: obj(
                r#"{"FirstName":"Ann","TimeZone":-480,"vip":true,"gone":null,"tags":["a"]}"#,
            ),
        },
        Operation::SendMessage {
            message: "Hello".into(),
            message_type: Some("url".into()),
        },
        Operation::StartTyping {
            preview: Some("Hel".into()),
        },
        Operation::StopTyping { preview: None },
        Operation::Disconnect,
        Operation::CustomNotice {
            message: "Please wait".into(),
        },
        Operation::UpdateData {
            user_data: obj(r#"{"OrderId":"12345"}"#),
        },
        Operation::UpdateNickname {
            nickname: "Annie".into(),
        },
        Operation::RequestNotifications {
            transcript_position: Some(4),
        },
    ]
}

#[test]
fn every_operation_has_its_bayeux_data() {
    let expected = [
        r#"{"operation":"requestChat","nickname":"Ann","firstName":"Ann","lastName":"Lee","subject":"Billing","emailAddress":"ann@example.com","userData":{"FirstName":"Ann","TimeZone":-480,"vip":true,"gone":null,"tags":["a"]}}"#,
        r#"{"operation":"sendMessage","message":"Hello","messageType":"url","secureKey":"k1"}"#,
        r#"{"operation":"startTyping","message":"Hel","secureKey":"k1"}"#,
        r#"{"operation":"stopTyping","secureKey":"k1"}"#,
        r#"{"operation":"disconnect","secureKey":"k1"}"#,
        r#"{"operation":"customNotice","message":"Please wait","secureKey":"k1"}"#,
        r#"{"operation":"updateData","userData":{"OrderId":"12345"},"secureKey":"k1"}"#,
        r#"{"operation":"updateNickname","nickname":"Annie","secureKey":"k1"}"#,
        r#"{"operation":"requestNotifications","transcriptPosition":4,"secureKey":"k1"}"#,
    ];
    for (operation, expected) in all_operations().iter().zip(expected) {
        assert_eq!(operation.bayeux_data("k1").to_string(), expected);
    }
    // Minimal forms.
    let minimal = Operation::RequestChat {
        nickname: "User".into(),
        first_name: None,
        last_name: None,
        subject: None,
        email: None,
        user_data: Json::Null,
    };
    assert_eq!(
        minimal.bayeux_data("ignored").to_string(),
        r#"{"operation":"requestChat","nickname":"User","userData":{}}"#
    );
    assert_eq!(
        Operation::SendMessage {
            message: "hi".into(),
            message_type: None
        }
        .bayeux_data("k")
        .to_string(),
        r#"{"operation":"sendMessage","message":"hi","secureKey":"k"}"#
    );
    assert_eq!(
        Operation::RequestNotifications {
            transcript_position: None
        }
        .bayeux_data("k")
        .to_string(),
        r#"{"operation":"requestNotifications","secureKey":"k"}"#
    );
}

#[test]
fn every_operation_has_its_rest_path_and_fields() {
    let creds = credentials();
    let base = "https://h/genesys/2/chat/customer-support";
    let after = |own: &[(&str, &str)]| {
        let mut all = fields(own);
        all.extend(fields(&[
            ("secureKey", "k1"),
            ("userId", "u1"),
            ("alias", "a1"),
        ]));
        all
    };
    let expected: Vec<(&str, &str, Fields)> = vec![
        (
            "requestChat",
            "",
            fields(&[
                ("nickname", "Ann"),
                ("firstName", "Ann"),
                ("lastName", "Lee"),
                ("subject", "Billing"),
                ("emailAddress", "ann@example.com"),
                ("userData[FirstName]", "Ann"),
                ("userData[TimeZone]", "-480"),
                ("userData[vip]", "true"),
                ("userData[tags]", r#"["a"]"#),
            ]),
        ),
        (
            "sendMessage",
            "send",
            after(&[("message", "Hello"), ("messageType", "url")]),
        ),
        ("startTyping", "startTyping", after(&[("message", "Hel")])),
        ("stopTyping", "stopTyping", after(&[])),
        ("disconnect", "disconnect", after(&[])),
        (
            "customNotice",
            "customNotice",
            after(&[("message", "Please wait")]),
        ),
        (
            "updateData",
            "updateData",
            after(&[("userData[OrderId]", "12345")]),
        ),
        (
            "updateNickname",
            "updateNickname",
            after(&[("nickname", "Annie")]),
        ),
        ("requestNotifications", "refresh", {
            let mut all = after(&[]);
            all.push(("transcriptPosition".into(), "4".into()));
            all
        }),
    ];
    for (operation, (name, path, fields)) in all_operations().iter().zip(expected) {
        assert_eq!(operation.name(), name);
        assert_eq!(operation.rest_path(), path);
        assert_eq!(operation.rest_fields(&creds, None), fields, "{name}");
        let url = operation.rest_url(base, &creds.chat_id);
        if path.is_empty() {
            assert_eq!(url, base);
        } else {
            assert_eq!(url, format!("{base}/c%201/{path}"));
        }
    }
}

#[test]
fn rest_transcript_position() {
    let creds = credentials();
    let send = Operation::SendMessage {
        message: "hi".into(),
        message_type: None,
    };
    let with_position = send.rest_fields(&creds, Some(7));
    assert_eq!(
        with_position.last(),
        Some(&("transcriptPosition".to_owned(), "7".to_owned()))
    );
    // refresh: its own position wins over the argument, which is the fallback.
    let refresh = Operation::RequestNotifications {
        transcript_position: Some(3),
    };
    assert_eq!(
        refresh.rest_fields(&creds, Some(9)).last(),
        Some(&("transcriptPosition".to_owned(), "3".to_owned()))
    );
    let refresh_all = Operation::RequestNotifications {
        transcript_position: None,
    };
    assert_eq!(
        refresh_all.rest_fields(&creds, Some(9)).last(),
        Some(&("transcriptPosition".to_owned(), "9".to_owned()))
    );
    assert_eq!(refresh_all.rest_fields(&creds, None).len(), 3);
    // requestChat never sends credentials or a position.
    let request = Operation::RequestChat {
        nickname: "N".into(),
        first_name: None,
        last_name: None,
        subject: None,
        email: None,
        user_data: Json::Null,
    };
    assert_eq!(
        request.rest_fields(&creds, Some(1)),
        fields(&[("nickname", "N")])
    );
}

#[test]
fn form_encoding_matches_url_search_params() {
    let body = form_encode(&fields(&[
        ("userData[First Name]", "Zoë & co"),
        ("message", "a+b=c/d?e*f-g.h_i~j\n"),
    ]));
    assert_eq!(
        body,
        "userData%5BFirst+Name%5D=Zo%C3%AB+%26+co&message=a%2Bb%3Dc%2Fd%3Fe*f-g.h_i%7Ej%0A"
    );
    assert_eq!(form_encode(&[]), "");
    assert_eq!(user_data_fields(&Json::str("not an object")), vec![]);
}

#[test]
fn the_server_reads_what_the_rest_fields_say() {
    // The server's form_to_object turns `userData[key]` back into an object: check that
    // our keys have exactly that shape (outer `userData`, non-empty inner key).
    for (key, _) in user_data_fields(&obj(r#"{"a":"1","b c":"2"}"#)) {
        let inner = key
            .strip_prefix("userData[")
            .and_then(|k| k.strip_suffix(']'))
            .unwrap();
        assert!(!inner.is_empty());
    }
}
