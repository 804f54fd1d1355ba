//! The options of `chat.startSession(options)` and `chat.restoreSession(options)`.
//!
//! The JS layer passes `JSON.parse(JSON.stringify(options))`, so functions are gone and
//! `undefined` members are absent; it says separately, with [`GivenObjects`], whether the
//! `transport`, `stateStorage` and `logger` objects were given. In the JSON, `null` counts as
//! absent for every option. Note that `JSON.stringify` turns `NaN` and `±Infinity` into
//! `null`, so a non-finite `maxOfflineDuration` reaches this parser as "absent" unless the JS
//! layer checks it first.
//!
//! | Option | Alias | Type | Default |
//! |---|---|---|---|
//! | `serverUrl` | `chatServerUrl` | string | none; mandatory for `startSession` unless a `transport` is given |
//! | `username` | | string | `'User'` (also for `''`) |
//! | `subject` | | string | none (`''` is none) |
//! | `userData` | | object | none |
//! | `maxOfflineDuration` | `cookieMaxAge` | positive finite number, seconds | 5 |
//! | `disableWebSockets` | | boolean | false |
//! | `service` | | GMS service name: letters, digits, `-`, `_`, `.`, `~` | `'customer-support'` |
//! | `storage` | | `'cookie'` or `'localStorage'` | `'cookie'` |
//!
//! When both a name and its alias are given, the name wins. Errors: no server URL and no
//! transport → [`ChatError::MissingServerUrl`]; options that are not an object →
//! [`ChatError::InvalidArgument`]; an option of the wrong type or value →
//! [`ChatError::InvalidOption`] naming the option as the page spelled it. All of them are
//! thrown by the JS layer as `TypeError` ([`ChatError::type_error_message`]).
//!
//! # Endpoints
//!
//! [`Endpoints::new`] derives, from the normalised server URL (trimmed, trailing `/` dropped)
//! with any final `/cometd` taken off as `base`:
//! - the Bayeux URL `{base}/cometd` (so `…/cometd` is kept as given);
//! - the REST base `{base}/genesys/2/chat/{service}`, or `{base}/2/chat/{service}` when `base`
//!   already ends with `/genesys` (a GMS URL such as `https://gms/genesys/cometd`);
//! - the Bayeux channel `/service/chatV2/{service}`.

use crate::core::error::ChatError;
use crate::core::gms::Operation;
use crate::core::json::{concat, Json};
use crate::core::session::{merge_user_data, PageContext};

/// The nickname of a visitor who gives none.
pub const DEFAULT_USERNAME: &str = "User";
/// The GMS chat service used when `service` is not given.
pub const DEFAULT_SERVICE: &str = "customer-support";
/// The default `maxOfflineDuration`, in seconds.
pub const DEFAULT_MAX_OFFLINE_SECS: f64 = 5.0;

/// Where the default state storage keeps the state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum StorageKind {
    /// A cookie (GWE's default), one-shot, living `maxOfflineDuration` seconds.
    #[default]
    Cookie,
    /// `localStorage`.
    LocalStorage,
}

/// Which of the option objects JSON cannot carry were given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct GivenObjects {
    /// `transport`: a custom transport object.
    pub transport: bool,
    /// `stateStorage`: a custom `{read, write}` storage.
    pub state_storage: bool,
    /// `logger`: a logging function.
    pub logger: bool,
}

/// The URLs derived from a server URL and a service (see the [module docs](self)).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoints {
    /// The normalised server URL (what the state saves).
    pub server_url: String,
    /// The Bayeux (CometD) URL.
    pub bayeux_url: String,
    /// The REST base: `POST` here for `requestChat`, `{rest_base}/{chatId}/{op}` after.
    pub rest_base: String,
    /// The Bayeux channel: `/service/chatV2/{service}`.
    pub channel: String,
}

impl Endpoints {
    /// The endpoints for `server_url` and `service`; `None` when the URL is empty or blank.
    pub fn new(server_url: &str, service: &str) -> Option<Self> {
        let server_url = normalize_server_url(server_url)?;
        let base = server_url.strip_suffix("/cometd").unwrap_or(&server_url);
        let genesys = if base.ends_with("/genesys") {
            ""
        } else {
            "/genesys"
        };
        Some(Endpoints {
            bayeux_url: concat(&[base, "/cometd"]),
            rest_base: concat(&[base, genesys, "/2/chat/", service]),
            channel: concat(&["/service/chatV2/", service]),
            server_url,
        })
    }
}

/// Trims `url` and drops trailing slashes; `None` when nothing is left.
pub fn normalize_server_url(url: &str) -> Option<String> {
    let url = url.trim().trim_end_matches('/');
    (!url.is_empty()).then(|| url.to_owned())
}

/// The parsed options.
#[derive(Debug, Clone, PartialEq)]
pub struct ChatOptions {
    /// The normalised server URL (`serverUrl` or `chatServerUrl`), if given.
    pub server_url: Option<String>,
    /// The visitor's nickname.
    pub username: String,
    pub subject: Option<String>,
    /// The caller's `userData` object as given (see [`ChatOptions::user_data_with_defaults`]).
    pub user_data: Option<Json>,
    /// `maxOfflineDuration` (or `cookieMaxAge`), seconds: positive and finite.
    pub max_offline_duration_secs: f64,
    /// Long-polling only in the built-in Bayeux transport.
    pub disable_websockets: bool,
    /// The GMS chat service name.
    pub service: String,
    /// The default state storage's medium (ignored when a `stateStorage` is given).
    pub storage: StorageKind,
    /// Which option objects were given.
    pub given: GivenObjects,
}

impl ChatOptions {
    /// Parses `startSession` options: as [`parse_restore`](Self::parse_restore), and a server
    /// URL or a transport is mandatory ([`ChatError::MissingServerUrl`]).
    pub fn parse_start(options: &Json, given: GivenObjects) -> Result<Self, ChatError> {
        let parsed = Self::parse_restore(options, given)?;
        if parsed.server_url.is_none() && !given.transport {
            return Err(ChatError::MissingServerUrl);
        }
        Ok(parsed)
    }

    /// Parses `restoreSession` options: nothing is mandatory (the server URL comes from the
    /// saved state). `options` may be `null` (no options) or an object.
    pub fn parse_restore(options: &Json, given: GivenObjects) -> Result<Self, ChatError> {
        match options {
            Json::Null | Json::Object(_) => {}
            _ => {
                return Err(ChatError::InvalidArgument(
                    "options must be an object".into(),
                ))
            }
        }
        // Options are checked on borrowed values and copied at the end, so that an early
        // return has nothing to drop (smaller error paths in the wasm).
        let server_url = match pick(options, "serverUrl", "chatServerUrl") {
            None => None,
            Some((_, Json::String(url))) => Some(url),
            Some((name, _)) => return Err(invalid(name, "must be a string (a URL)")),
        };
        let username = match string_option(options, "username")? {
            Some(name) if !name.is_empty() => name,
            _ => DEFAULT_USERNAME,
        };
        let subject = string_option(options, "subject")?.filter(|s| !s.is_empty());
        let user_data = match pick(options, "userData", "userData") {
            None => None,
            Some((_, value @ Json::Object(_))) => Some(value),
            Some((name, _)) => return Err(invalid(name, "must be an object")),
        };
        let max_offline_duration_secs = match pick(options, "maxOfflineDuration", "cookieMaxAge") {
            None => DEFAULT_MAX_OFFLINE_SECS,
            Some((_, Json::Number(secs))) if secs.is_finite() && *secs > 0.0 => *secs,
            Some((name, Json::Number(_))) => {
                return Err(invalid(
                    name,
                    "must be a positive, finite number of seconds",
                ))
            }
            Some((name, _)) => return Err(invalid(name, "must be a number of seconds")),
        };
        let disable_websockets = match pick(options, "disableWebSockets", "disableWebSockets") {
            None => false,
            Some((_, Json::Bool(flag))) => *flag,
            Some((name, _)) => return Err(invalid(name, "must be true or false")),
        };
        let service = match string_option(options, "service")? {
            None => DEFAULT_SERVICE,
            Some(service) if is_service_name(service) => service,
            Some(_) => {
                return Err(invalid(
                    "service",
                    "must be a GMS service name (letters, digits, '-', '_', '.', '~')",
                ))
            }
        };
        let storage = match string_option(options, "storage")? {
            None | Some("cookie") => StorageKind::Cookie,
            Some("localStorage") => StorageKind::LocalStorage,
            Some(_) => return Err(invalid("storage", "must be 'cookie' or 'localStorage'")),
        };
        Ok(ChatOptions {
            server_url: server_url.and_then(|url| normalize_server_url(url)),
            username: username.to_owned(),
            subject: subject.map(str::to_owned),
            user_data: user_data.cloned(),
            max_offline_duration_secs,
            disable_websockets,
            service: service.to_owned(),
            storage,
            given,
        })
    }

    /// The endpoints for the server URL and service, when a server URL was given.
    pub fn endpoints(&self) -> Option<Endpoints> {
        Endpoints::new(self.server_url.as_deref()?, &self.service)
    }

    /// `maxOfflineDuration` in whole seconds, rounded up (what
    /// [`PersistedState::check_fresh`](crate::core::state::PersistedState::check_fresh) and
    /// a cookie's `Max-Age` take); at least 1.
    pub fn max_offline_secs(&self) -> u64 {
        // Saturating float-to-int conversion; the value is positive and finite.
        (self.max_offline_duration_secs.ceil() as u64).max(1)
    }

    /// `maxOfflineDuration` in milliseconds, rounded up.
    pub fn max_offline_ms(&self) -> u64 {
        ((self.max_offline_duration_secs * 1000.0).ceil() as u64).max(1)
    }

    /// The user data `requestChat` sends (see [`merge_user_data`]).
    pub fn user_data_with_defaults(&self, page: &PageContext) -> Json {
        merge_user_data(self.user_data.as_ref(), page)
    }

    /// The `requestChat` operation: `username` as nickname, `subject`, and the merged user
    /// data.
    pub fn request_chat(&self, page: &PageContext) -> Operation {
        Operation::RequestChat {
            nickname: self.username.clone(),
            first_name: None,
            last_name: None,
            subject: self.subject.clone(),
            email: None,
            user_data: self.user_data_with_defaults(page),
        }
    }
}

/// The option `name`, or else `alias`, with the name the caller used; `null` is absent.
fn pick<'a>(
    options: &'a Json,
    name: &'static str,
    alias: &'static str,
) -> Option<(&'static str, &'a Json)> {
    let given = |key: &'static str| {
        options
            .get(key)
            .filter(|value| !value.is_null())
            .map(|value| (key, value))
    };
    given(name).or_else(|| given(alias))
}

fn string_option<'a>(options: &'a Json, name: &'static str) -> Result<Option<&'a str>, ChatError> {
    match pick(options, name, name) {
        None => Ok(None),
        Some((_, Json::String(text))) => Ok(Some(text)),
        Some((name, _)) => Err(invalid(name, "must be a string")),
    }
}

fn invalid(option: &'static str, reason: &str) -> ChatError {
    ChatError::InvalidOption {
        option,
        reason: reason.to_owned(),
    }
}

fn is_service_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<ChatOptions, ChatError> {
        ChatOptions::parse_start(&Json::parse(text).unwrap(), GivenObjects::default())
    }

    fn option_error(text: &str) -> (&'static str, String) {
        match parse(text) {
            Err(ChatError::InvalidOption { option, reason }) => (option, reason),
            other => panic!("expected an option error for {text}, got {other:?}"),
        }
    }

    #[test]
    fn defaults() {
        let options = parse(r#"{"serverUrl":"https://chat.example.com"}"#).unwrap();
        assert_eq!(
            options,
            ChatOptions {
                server_url: Some("https://chat.example.com".into()),
                username: "User".into(),
                subject: None,
                user_data: None,
                max_offline_duration_secs: 5.0,
                disable_websockets: false,
                service: "customer-support".into(),
                storage: StorageKind::Cookie,
                given: GivenObjects::default(),
            }
        );
        assert_eq!(options.max_offline_secs(), 5);
        assert_eq!(options.max_offline_ms(), 5_000);
    }

    #[test]
    fn every_option_is_read() {
        let options = parse(
            r#"{"serverUrl":" https://chat.example.com/ ","username":"Ann","subject":"Billing",
                "userData":{"FirstName":"Ann"},"maxOfflineDuration":30,"disableWebSockets":true,
                "service":"request-chat-v2","storage":"localStorage","unknown":1}"#,
        )
        .unwrap();
        assert_eq!(
            options.server_url.as_deref(),
            Some("https://chat.example.com")
        );
        assert_eq!(options.username, "Ann");
        assert_eq!(options.subject.as_deref(), Some("Billing"));
        assert_eq!(
            options.user_data,
            Some(Json::object([("FirstName", Json::str("Ann"))]))
        );
        assert_eq!(options.max_offline_duration_secs, 30.0);
        assert!(options.disable_websockets);
        assert_eq!(options.service, "request-chat-v2");
        assert_eq!(options.storage, StorageKind::LocalStorage);
        assert_eq!(
            parse(r#"{"serverUrl":"u","storage":"cookie"}"#)
                .unwrap()
                .storage,
            StorageKind::Cookie
        );
        assert!(
            !parse(r#"{"serverUrl":"u","disableWebSockets":false}"#)
                .unwrap()
                .disable_websockets
        );
    }

    #[test]
    fn aliases_are_accepted_and_the_documented_name_wins() {
        let alias = parse(r#"{"chatServerUrl":"https://a.example/","cookieMaxAge":12}"#).unwrap();
        assert_eq!(alias.server_url.as_deref(), Some("https://a.example"));
        assert_eq!(alias.max_offline_duration_secs, 12.0);
        let both = parse(
            r#"{"serverUrl":"https://doc","chatServerUrl":"https://copy","maxOfflineDuration":7,"cookieMaxAge":12}"#,
        )
        .unwrap();
        assert_eq!(both.server_url.as_deref(), Some("https://doc"));
        assert_eq!(both.max_offline_duration_secs, 7.0);
        // A null name falls back to the alias.
        let null_name = parse(r#"{"serverUrl":null,"chatServerUrl":"https://copy"}"#).unwrap();
        assert_eq!(null_name.server_url.as_deref(), Some("https://copy"));
    }

    #[test]
    fn empty_username_and_subject_get_defaults_and_null_is_absent() {
        let options = parse(
            r#"{"serverUrl":"u","username":"","subject":"","userData":null,"service":null,
                "storage":null,"maxOfflineDuration":null,"disableWebSockets":null}"#,
        )
        .unwrap();
        assert_eq!(options.username, "User");
        assert_eq!(options.subject, None);
        assert_eq!(options.user_data, None);
        assert_eq!(options.service, "customer-support");
        assert_eq!(options.max_offline_duration_secs, 5.0);
    }

    #[test]
    fn server_url_or_transport_is_mandatory_for_start() {
        for text in [
            "{}",
            "null",
            r#"{"serverUrl":""}"#,
            r#"{"serverUrl":"  / "}"#,
            r#"{"serverUrl":null}"#,
        ] {
            let err = parse(text).unwrap_err();
            assert_eq!(err, ChatError::MissingServerUrl, "{text}");
            assert_eq!(
                err.type_error_message().as_deref(),
                Some("Genesys Chat: either serverUrl or a custom transport must be provided")
            );
        }
        let with_transport = GivenObjects {
            transport: true,
            ..GivenObjects::default()
        };
        let options =
            ChatOptions::parse_start(&Json::parse(r#"{"transport":{}}"#).unwrap(), with_transport)
                .unwrap();
        assert_eq!(options.server_url, None);
        assert_eq!(options.endpoints(), None);
        assert!(options.given.transport);
        // restoreSession takes the URL from the saved state.
        assert!(ChatOptions::parse_restore(&Json::Null, GivenObjects::default()).is_ok());
    }

    #[test]
    fn given_objects_are_kept() {
        let given = GivenObjects {
            transport: false,
            state_storage: true,
            logger: true,
        };
        let options = ChatOptions::parse_start(
            &Json::parse(r#"{"serverUrl":"u","stateStorage":{}}"#).unwrap(),
            given,
        )
        .unwrap();
        assert_eq!(options.given, given);
    }

    #[test]
    fn wrong_types_name_the_option() {
        let cases = [
            (r#"{"serverUrl":5}"#, "serverUrl"),
            (r#"{"chatServerUrl":true}"#, "chatServerUrl"),
            (r#"{"serverUrl":"u","username":3}"#, "username"),
            (r#"{"serverUrl":"u","subject":[]}"#, "subject"),
            (r#"{"serverUrl":"u","userData":"x"}"#, "userData"),
            (r#"{"serverUrl":"u","userData":[1]}"#, "userData"),
            (
                r#"{"serverUrl":"u","maxOfflineDuration":"x"}"#,
                "maxOfflineDuration",
            ),
            (
                r#"{"serverUrl":"u","maxOfflineDuration":0}"#,
                "maxOfflineDuration",
            ),
            (
                r#"{"serverUrl":"u","maxOfflineDuration":-3}"#,
                "maxOfflineDuration",
            ),
            (r#"{"serverUrl":"u","cookieMaxAge":"5"}"#, "cookieMaxAge"),
            (
                r#"{"serverUrl":"u","disableWebSockets":"yes"}"#,
                "disableWebSockets",
            ),
            (r#"{"serverUrl":"u","service":1}"#, "service"),
            (r#"{"serverUrl":"u","service":""}"#, "service"),
            (r#"{"serverUrl":"u","service":"a/b"}"#, "service"),
            (r#"{"serverUrl":"u","service":"*"}"#, "service"),
            (r#"{"serverUrl":"u","storage":"session"}"#, "storage"),
            (r#"{"serverUrl":"u","storage":1}"#, "storage"),
        ];
        for (text, name) in cases {
            let (option, reason) = option_error(text);
            assert_eq!(option, name, "{text}");
            assert!(!reason.is_empty());
            let err = parse(text).unwrap_err();
            assert_eq!(err.code(), 3);
            assert!(err
                .type_error_message()
                .unwrap()
                .starts_with(&format!("Genesys Chat: option `{name}` is incorrect: ")));
        }
        assert_eq!(
            option_error(r#"{"serverUrl":"u","maxOfflineDuration":"x"}"#).1,
            "must be a number of seconds"
        );
        assert_eq!(
            ChatOptions::parse_start(&Json::str("https://x"), GivenObjects::default()),
            Err(ChatError::InvalidArgument(
                "options must be an object".into()
            ))
        );
    }

    #[test]
    fn fractional_offline_duration_rounds_up() {
        let options = parse(r#"{"serverUrl":"u","maxOfflineDuration":0.25}"#).unwrap();
        assert_eq!(options.max_offline_secs(), 1);
        assert_eq!(options.max_offline_ms(), 250);
        let options = parse(r#"{"serverUrl":"u","maxOfflineDuration":1e300}"#).unwrap();
        assert_eq!(options.max_offline_secs(), u64::MAX);
    }

    #[test]
    fn endpoints_are_derived() {
        let e = Endpoints::new(" https://chat.example.com/ ", "customer-support").unwrap();
        assert_eq!(e.server_url, "https://chat.example.com");
        assert_eq!(e.bayeux_url, "https://chat.example.com/cometd");
        assert_eq!(
            e.rest_base,
            "https://chat.example.com/genesys/2/chat/customer-support"
        );
        assert_eq!(e.channel, "/service/chatV2/customer-support");

        let e = Endpoints::new("https://chat.example.com/cometd/", "svc").unwrap();
        assert_eq!(e.server_url, "https://chat.example.com/cometd");
        assert_eq!(e.bayeux_url, "https://chat.example.com/cometd");
        assert_eq!(e.rest_base, "https://chat.example.com/genesys/2/chat/svc");

        let e = Endpoints::new("https://gms.example.com/genesys/cometd", "svc").unwrap();
        assert_eq!(e.bayeux_url, "https://gms.example.com/genesys/cometd");
        assert_eq!(e.rest_base, "https://gms.example.com/genesys/2/chat/svc");

        let e = Endpoints::new("https://gms.example.com/genesys", "svc").unwrap();
        assert_eq!(e.bayeux_url, "https://gms.example.com/genesys/cometd");
        assert_eq!(e.rest_base, "https://gms.example.com/genesys/2/chat/svc");

        let e = Endpoints::new("http://127.0.0.1:8080///", "s").unwrap();
        assert_eq!(e.bayeux_url, "http://127.0.0.1:8080/cometd");

        assert_eq!(Endpoints::new("   ", "s"), None);
        assert_eq!(normalize_server_url("/"), None);

        let options = parse(r#"{"serverUrl":"https://h/","service":"sales"}"#).unwrap();
        assert_eq!(
            options.endpoints().unwrap().rest_base,
            "https://h/genesys/2/chat/sales"
        );
    }

    #[test]
    fn request_chat_uses_username_subject_and_merged_user_data() {
        let options = parse(
            r#"{"serverUrl":"u","username":"Ann","subject":"Hi","userData":{"FirstName":"Ann","referrer":null}}"#,
        )
        .unwrap();
        let page = PageContext {
            title: "Shop".into(),
            url: "https://shop/".into(),
            referrer: "https://search/".into(),
        };
        let operation = options.request_chat(&page);
        assert_eq!(
            operation.bayeux_data("").to_string(),
            r#"{"operation":"requestChat","nickname":"Ann","subject":"Hi","userData":{"source":"web","pageTitle":"Shop","url":"https://shop/","FirstName":"Ann"}}"#
        );
        let anonymous = parse(r#"{"serverUrl":"u"}"#).unwrap().request_chat(&page);
        let Operation::RequestChat {
            nickname, subject, ..
        } = anonymous
        else {
            panic!("not requestChat")
        };
        assert_eq!(nickname, "User");
        assert_eq!(subject, None);
    }
}
