//! From the page's options to a [`ChatRuntime`]: `startSession` and `restoreSession`.

use std::rc::Rc;

use js_sys::{Function, Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};

use super::host::host_plain_json;
use super::page::page_context;
use super::session::{ChatRuntime, RuntimeParts, TransportChoice};
use super::state_medium::StateMedium;
use super::transport::StartRequest;
use super::{CookieStore, LocalStorageStore};
use crate::core::json::Json;
use crate::core::options::{ChatOptions, Endpoints, GivenObjects, StorageKind};
use crate::core::session::ChatSession;
use crate::core::state::{PersistedState, TransportKind};
use crate::core::ChatError;

/// The marker property of the descriptor `chat.transports.rest(…)` returns.
pub const REST_TRANSPORT_MARKER: &str = "hotlineTransport";
const REST_TRANSPORT_NAME: &str = "gms-rest";

/// The options that are objects or functions, kept out of the JSON the core parses.
const OBJECT_OPTIONS: &str = "transport,stateStorage,logger";

struct PageOptions {
    json: Json,
    transport: Option<JsValue>,
    state_storage: Option<JsValue>,
    logger: Option<Function>,
}

fn member(object: &JsValue, key: &str) -> Option<JsValue> {
    Reflect::get(object, &JsValue::from_str(key))
        .ok()
        .filter(|value| !value.is_undefined() && !value.is_null())
}

/// Splits the options into plain JSON values and the objects.
fn read_options(options: &JsValue) -> PageOptions {
    // JSON.stringify of anything else than the objects kept as they are; a value it cannot
    // take (a cycle, a BigInt) makes the options unreadable, as if there were none.
    let json = host_plain_json(options, OBJECT_OPTIONS)
        .ok()
        .flatten()
        .and_then(|text| Json::parse(&text).ok())
        .unwrap_or(Json::Null);
    PageOptions {
        json,
        transport: member(options, "transport").filter(JsValue::is_object),
        state_storage: member(options, "stateStorage").filter(JsValue::is_object),
        logger: member(options, "logger").and_then(|f| f.dyn_into::<Function>().ok()),
    }
}

impl PageOptions {
    fn given(&self) -> GivenObjects {
        GivenObjects {
            transport: self.transport.is_some(),
            state_storage: self.state_storage.is_some(),
            logger: self.logger.is_some(),
        }
    }

    /// The REST descriptor's `{serverUrl, service}`, when the transport is one.
    fn rest_transport(&self) -> Option<(String, String)> {
        let transport = self.transport.as_ref()?;
        let marker = member(transport, REST_TRANSPORT_MARKER)?.as_string()?;
        if marker != REST_TRANSPORT_NAME {
            return None;
        }
        let text = |key| member(transport, key).and_then(|v| v.as_string());
        Some((
            text("serverUrl")?,
            text("service").unwrap_or_else(|| "customer-support".into()),
        ))
    }

    fn medium(&self, options: &ChatOptions) -> Result<StateMedium, ChatError> {
        if let Some(storage) = &self.state_storage {
            return StateMedium::from_page_object(storage);
        }
        Ok(match options.storage {
            StorageKind::LocalStorage => StateMedium::LocalStorage(LocalStorageStore::new()),
            StorageKind::Cookie => {
                StateMedium::Cookie(CookieStore::new(options.max_offline_secs())?)
            }
        })
    }
}

/// `chat.transports.rest({serverUrl, service})`: a descriptor that `startSession` recognises.
pub fn rest_transport_descriptor(options: &JsValue) -> Result<JsValue, ChatError> {
    let server_url = member(options, "serverUrl")
        .and_then(|v| v.as_string())
        .ok_or(ChatError::MissingOption("serverUrl"))?;
    let service = member(options, "service")
        .and_then(|v| v.as_string())
        .unwrap_or_else(|| "customer-support".into());
    let descriptor = Object::new();
    let set = |key: &str, value: &str| {
        Reflect::set(
            &descriptor,
            &JsValue::from_str(key),
            &JsValue::from_str(value),
        )
    };
    let _ = set(REST_TRANSPORT_MARKER, REST_TRANSPORT_NAME);
    let _ = set("serverUrl", &server_url);
    let _ = set("service", &service);
    Ok(descriptor.into())
}

/// A runtime for a new chat and the request that starts it (`start`), or for the saved chat
/// when there is fresh saved state. One path for both: most steps are the same, and the
/// wasm then holds them once.
pub fn prepare(
    options: &JsValue,
    start: bool,
) -> Result<(Rc<ChatRuntime>, Option<StartRequest>), ChatError> {
    let page_options = read_options(options);
    let given = page_options.given();
    let mut parsed = if start {
        ChatOptions::parse_start(&page_options.json, given)?
    } else {
        ChatOptions::parse_restore(&page_options.json, given)?
    };
    let rest = page_options.rest_transport();
    if let (true, Some((server_url, service))) = (start, &rest) {
        parsed.server_url = Some(server_url.clone());
        parsed.service = service.clone();
    }
    let max_offline_secs = parsed.max_offline_secs();
    let medium = page_options.medium(&parsed)?;
    let custom = match (&page_options.transport, &rest) {
        (Some(object), None) => Some(object),
        _ => None,
    };
    let (model, state, endpoints, request, user_data);
    if start {
        endpoints = parsed.endpoints();
        let page = page_context();
        let data = parsed.user_data_with_defaults(&page);
        request = Some(StartRequest {
            operation: parsed.request_chat(&page),
            username: parsed.username,
            subject: parsed.subject,
            user_data: data.clone(),
        });
        user_data = data;
        model = ChatSession::new();
        state = PersistedState {
            server_url: endpoints
                .as_ref()
                .map(|e| e.server_url.clone())
                .unwrap_or_default(),
            service: parsed.service,
            transport: match (custom, &page_options.transport) {
                (Some(_), _) => TransportKind::Custom,
                (None, Some(_)) => TransportKind::Rest,
                (None, None) => TransportKind::Bayeux,
            },
            ..PersistedState::default()
        };
    } else {
        state = match medium.load(js_sys::Date::now() as u64, max_offline_secs) {
            Ok(state) => state,
            Err(error) => {
                // Stale or unreadable state is of no use to anyone: forget it.
                if !matches!(error, ChatError::Storage(_)) {
                    let _ = medium.clear();
                }
                return Err(error);
            }
        };
        endpoints = Endpoints::new(&state.server_url, &state.service);
        request = None;
        user_data = Json::object::<String>([]);
        model = ChatSession::restored(state.last_index);
    }
    let choice = match (custom, state.transport) {
        (Some(object), _) => TransportChoice::Custom(object.clone()),
        (None, TransportKind::Rest) => TransportChoice::Rest,
        (None, TransportKind::Bayeux) => TransportChoice::Bayeux {
            websockets: !parsed.disable_websockets,
        },
        (None, TransportKind::Custom) => {
            return Err(ChatError::InvalidArgument(
                "the saved chat used a custom transport: pass it again as options.transport".into(),
            ))
        }
    };
    let runtime = ChatRuntime::new(
        RuntimeParts {
            model,
            medium,
            state,
            endpoints,
            max_offline_secs,
            logger: page_options.logger,
            user_data,
        },
        choice,
    )?;
    Ok((runtime, request))
}
