//! `Microsoft.CIFramework` and `Microsoft.Omnichannel`: the agent console's APIs.
//!
//! Every method returns a Promise. Failures reject with an `Error` that has `message`,
//! `msdyn_name` (the API name) and `errorCode`. A trailing `correlationId` is accepted on every
//! method, logged, and sent to the server as `x-correlation-id`.

use std::future::Future;
use std::pin::Pin;

use js_sys::{Function, Promise, Reflect};
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};

use crate::browser::agent::{agent, ConversationAction};
use crate::browser::listeners::{from_js, to_js};
use crate::core::cif::{ApiError, CifError};
use crate::core::json::Json;

/// The `Error` a rejected `Microsoft.*` promise carries.
fn api_error(error: &ApiError) -> JsValue {
    let value = js_sys::Error::new(&error.message());
    let _ = Reflect::set(
        &value,
        &"msdyn_name".into(),
        &JsValue::from_str(error.msdyn_name()),
    );
    let _ = Reflect::set(
        &value,
        &"errorCode".into(),
        &JsValue::from(error.error_code()),
    );
    value.into()
}

fn settled(result: Result<Json, ApiError>) -> Promise {
    match result {
        Ok(value) => Promise::resolve(&to_js(&value)),
        Err(error) => Promise::reject(&api_error(&error)),
    }
}

/// One `future_to_promise` instance for every asynchronous call (size).
fn later(
    api: &'static str,
    future: Pin<Box<dyn Future<Output = Result<Json, CifError>>>>,
) -> Promise {
    wasm_bindgen_futures::future_to_promise(async move {
        future
            .await
            .map(|value| to_js(&value))
            .map_err(|error| api_error(&error.at(api)))
    })
}

fn text(value: &JsValue) -> String {
    value.as_string().unwrap_or_default()
}

fn optional_text(value: &JsValue) -> Option<String> {
    value.as_string().filter(|s| !s.is_empty())
}

/// The Microsoft namespace: `Microsoft.CIFramework`, `Microsoft.Omnichannel`.
#[wasm_bindgen(js_name = Microsoft)]
pub struct MicrosoftNamespace;

#[wasm_bindgen(js_class = Microsoft)]
impl MicrosoftNamespace {
    /// Dynamics 365 Channel Integration Framework 2.0 for the agent console.
    #[wasm_bindgen(getter, js_name = CIFramework)]
    pub fn cif_framework() -> CIFramework {
        CIFramework
    }

    /// The Omnichannel agent conversation API.
    #[wasm_bindgen(getter, js_name = Omnichannel)]
    pub fn omnichannel() -> Omnichannel {
        Omnichannel
    }
}

/// `Microsoft.CIFramework`: sessions, tabs, presence, the panel, and events.
#[wasm_bindgen]
pub struct CIFramework;

#[wasm_bindgen]
impl CIFramework {
    /// Connects the console: `{serverUrl, username, password}` (or `token`), optional
    /// `templates` (inline session and tab templates over the server's), optional `logger`.
    /// Dispatches `CIFInitDone` on `window` when ready; other calls reject until then.
    pub fn initialize(&self, options: JsValue) -> Promise {
        let logger = Reflect::get(&options, &"logger".into())
            .ok()
            .and_then(|f| f.dyn_into::<Function>().ok());
        let options = from_js(&options);
        later("initialize", Box::pin(agent().initialize(options, logger)))
    }

    /// Opens a session from a Generic session template: `{templateName | templateTag,
    /// templateParameters}` (object or JSON text). Resolves with the session id.
    #[wasm_bindgen(js_name = createSession)]
    pub fn create_session(&self, input: JsValue, correlation_id: JsValue) -> Promise {
        settled(agent().call("createSession", &text(&correlation_id), |w| {
            w.create_session(&from_js(&input))
                .map(map_value(Json::from))
        }))
    }

    /// Whether another session may be opened (at most 10).
    #[wasm_bindgen(js_name = canCreateSession)]
    pub fn can_create_session(&self, _correlation_id: JsValue) -> Promise {
        settled(agent().read("canCreateSession", |w| {
            Ok(Json::Bool(w.can_create_session()))
        }))
    }

    /// `{sessionId, conversationId, context, isFocused}` of a session.
    #[wasm_bindgen(js_name = getSession)]
    pub fn get_session(&self, session_id: JsValue, _correlation_id: JsValue) -> Promise {
        settled(agent().read("getSession", |w| w.get_session(&text(&session_id))))
    }

    /// The focused session's id, or null when Home or another provider's session is in front.
    #[wasm_bindgen(js_name = getFocusedSession)]
    pub fn get_focused_session(&self, _correlation_id: JsValue) -> Promise {
        settled(agent().read("getFocusedSession", |w| {
            Ok(Json::from(w.focused_session().map(str::to_owned)))
        }))
    }

    /// The ids of every session this provider opened.
    #[wasm_bindgen(js_name = getAllSessions)]
    pub fn get_all_sessions(&self, _correlation_id: JsValue) -> Promise {
        settled(agent().read("getAllSessions", |w| {
            Ok(Json::Array(
                w.all_sessions().into_iter().map(Json::from).collect(),
            ))
        }))
    }

    /// Asks for attention on a session without switching to it (a blue dot).
    #[wasm_bindgen(js_name = requestFocusSession)]
    pub fn request_focus_session(
        &self,
        session_id: JsValue,
        messages_count: JsValue,
        correlation_id: JsValue,
    ) -> Promise {
        settled(
            agent().call("requestFocusSession", &text(&correlation_id), |w| {
                w.request_focus_session(&text(&session_id), &from_js(&messages_count))
                    .map(unit)
            }),
        )
    }

    /// Sets the focused session's title from its template title and `input`.
    #[wasm_bindgen(js_name = setSessionTitle)]
    pub fn set_session_title(&self, input: JsValue, correlation_id: JsValue) -> Promise {
        settled(
            agent().call("setSessionTitle", &text(&correlation_id), |w| {
                w.set_session_title(&from_js(&input))
                    .map(map_value(Json::from))
            }),
        )
    }

    /// Shows a count of new activity on a session that is not in front.
    #[wasm_bindgen(js_name = notifyNewActivity)]
    pub fn notify_new_activity(
        &self,
        session_id: JsValue,
        count: JsValue,
        correlation_id: JsValue,
    ) -> Promise {
        settled(
            agent().call("notifyNewActivity", &text(&correlation_id), |w| {
                w.notify_new_activity(&text(&session_id), &from_js(&count))
                    .map(unit)
            }),
        )
    }

    /// Marks (or with `shouldReset` clears) a KPI breach on a session.
    #[wasm_bindgen(js_name = notifyKpiBreach)]
    pub fn notify_kpi_breach(
        &self,
        session_id: JsValue,
        should_reset: JsValue,
        details: JsValue,
        correlation_id: JsValue,
    ) -> Promise {
        settled(
            agent().call("notifyKpiBreach", &text(&correlation_id), |w| {
                w.notify_kpi_breach(
                    &text(&session_id),
                    should_reset.is_truthy(),
                    from_js(&details),
                )
                .map(unit)
            }),
        )
    }

    /// Merges `input` into a session's context (or removes its keys when `isDelete`).
    #[wasm_bindgen(js_name = updateContext)]
    pub fn update_context(
        &self,
        input: JsValue,
        session_id: JsValue,
        is_delete: JsValue,
        correlation_id: JsValue,
    ) -> Promise {
        settled(agent().call("updateContext", &text(&correlation_id), |w| {
            w.update_context(&from_js(&input), &text(&session_id), is_delete.is_truthy())
        }))
    }

    /// Brings a session to the front (Hotline; CIF itself cannot).
    #[wasm_bindgen(js_name = focusSession)]
    pub fn focus_session(&self, session_id: JsValue) -> Promise {
        settled(agent().call("focusSession", "", |w| {
            w.focus_session(&text(&session_id)).map(unit)
        }))
    }

    /// Closes a session (Hotline; CIF itself cannot).
    #[wasm_bindgen(js_name = closeSession)]
    pub fn close_session(&self, session_id: JsValue) -> Promise {
        settled(agent().call("closeSession", "", |w| {
            w.close_session(&text(&session_id))
                .map(map_value(Json::Bool))
        }))
    }

    /// Opens a tab in the focused session from an application tab template.
    #[wasm_bindgen(js_name = createTab)]
    pub fn create_tab(&self, input: JsValue, correlation_id: JsValue) -> Promise {
        settled(agent().call("createTab", &text(&correlation_id), |w| {
            w.create_tab(&from_js(&input)).map(map_value(Json::from))
        }))
    }

    /// The focused tab's id.
    #[wasm_bindgen(js_name = getFocusedTab)]
    pub fn get_focused_tab(&self, _correlation_id: JsValue) -> Promise {
        settled(agent().read("getFocusedTab", |w| {
            Ok(Json::from(w.focused_tab().map(str::to_owned)))
        }))
    }

    /// The ids of the focused session's tabs, by template name and/or tags.
    #[wasm_bindgen(js_name = getTabs)]
    pub fn get_tabs(&self, name: JsValue, tags: JsValue, _correlation_id: JsValue) -> Promise {
        settled(agent().read("getTabs", |w| {
            let name = optional_text(&name);
            w.get_tabs(name.as_deref(), &from_js(&tags))
                .map(|ids| Json::Array(ids.into_iter().map(Json::from).collect()))
        }))
    }

    #[wasm_bindgen(js_name = focusTab)]
    pub fn focus_tab(&self, tab_id: JsValue, correlation_id: JsValue) -> Promise {
        settled(agent().call("focusTab", &text(&correlation_id), |w| {
            w.focus_tab(&text(&tab_id)).map(unit)
        }))
    }

    #[wasm_bindgen(js_name = refreshTab)]
    pub fn refresh_tab(&self, tab_id: JsValue, correlation_id: JsValue) -> Promise {
        settled(agent().call("refreshTab", &text(&correlation_id), |w| {
            w.refresh_tab(&text(&tab_id)).map(map_value(Json::Bool))
        }))
    }

    #[wasm_bindgen(js_name = setTabTitle)]
    pub fn set_tab_title(
        &self,
        tab_id: JsValue,
        input: JsValue,
        correlation_id: JsValue,
    ) -> Promise {
        settled(agent().call("setTabTitle", &text(&correlation_id), |w| {
            w.set_tab_title(&text(&tab_id), &from_js(&input))
                .map(map_value(Json::from))
        }))
    }

    /// Closes a tab; the anchor tab cannot be closed.
    #[wasm_bindgen(js_name = closeTab)]
    pub fn close_tab(&self, tab_id: JsValue, correlation_id: JsValue) -> Promise {
        settled(agent().call("closeTab", &text(&correlation_id), |w| {
            w.close_tab(&text(&tab_id)).map(map_value(Json::Bool))
        }))
    }

    #[wasm_bindgen(js_name = setPresence)]
    pub fn set_presence(&self, presence: JsValue, correlation_id: JsValue) -> Promise {
        settled(agent().call("setPresence", &text(&correlation_id), |w| {
            w.set_presence(&from_js(&presence))
                .map(map_value(Json::Bool))
        }))
    }

    #[wasm_bindgen(js_name = getPresence)]
    pub fn get_presence(&self, _correlation_id: JsValue) -> Promise {
        settled(agent().read("getPresence", |w| Ok(Json::from(w.get_presence()))))
    }

    /// Panel mode: 0 minimized, 1 docked, 2 hidden.
    #[wasm_bindgen(js_name = setMode)]
    pub fn set_mode(&self, mode: JsValue, correlation_id: JsValue) -> Promise {
        settled(agent().call("setMode", &text(&correlation_id), |w| {
            w.set_mode(&from_js(&mode)).map(unit)
        }))
    }

    #[wasm_bindgen(js_name = getMode)]
    pub fn get_mode(&self, _correlation_id: JsValue) -> Promise {
        settled(agent().read("getMode", |w| Ok(Json::from(u64::from(w.mode())))))
    }

    #[wasm_bindgen(js_name = setWidth)]
    pub fn set_width(&self, width: JsValue, correlation_id: JsValue) -> Promise {
        settled(agent().call("setWidth", &text(&correlation_id), |w| {
            w.set_width(&from_js(&width)).map(unit)
        }))
    }

    #[wasm_bindgen(js_name = getWidth)]
    pub fn get_width(&self, _correlation_id: JsValue) -> Promise {
        settled(agent().read("getWidth", |w| Ok(Json::Number(w.width()))))
    }

    /// Registers `handler` for an event: `onSessionSwitched`, `onSessionClosed`,
    /// `onPresenceChange`, `onmodechanged`, `onsizechanged`, Hotline's live events
    /// (`hotline.queueChanged`, `hotline.conversationMessage`, `hotline.conversationTyping`,
    /// `hotline.conversationEnded`, `hotline.sendBox`, `hotline.workspaceChanged`), or any
    /// custom name. Handlers receive the event data as JSON text.
    #[wasm_bindgen(js_name = addHandler)]
    pub fn add_handler(
        &self,
        name: JsValue,
        handler: JsValue,
        _correlation_id: JsValue,
    ) -> Promise {
        let Ok(handler) = handler.dyn_into::<Function>() else {
            return settled(Err(CifError::MissingParameter("handler").at("addHandler")));
        };
        settled(
            agent()
                .add_handler(&text(&name), handler)
                .map(|()| Json::Bool(true)),
        )
    }

    #[wasm_bindgen(js_name = removeHandler)]
    pub fn remove_handler(
        &self,
        name: JsValue,
        handler: JsValue,
        _correlation_id: JsValue,
    ) -> Promise {
        let removed = handler
            .dyn_into::<Function>()
            .is_ok_and(|handler| agent().remove_handler(&text(&name), &handler));
        Promise::resolve(&JsValue::from_bool(removed))
    }

    /// Calls the handlers of a (custom) event with `payload`.
    #[wasm_bindgen(js_name = raiseEvent)]
    pub fn raise_event(&self, name: JsValue, payload: JsValue, correlation_id: JsValue) -> Promise {
        settled(agent().call("raiseEvent", &text(&correlation_id), |w| {
            w.raise_event(&text(&name), from_js(&payload)).map(unit)
        }))
    }

    /// Hotline: the sessions and tabs as the console draws them: `{focusedSessionId, presence,
    /// mode, sessions: [{sessionId, conversationId, context, isFocused, title, isHome,
    /// templateName, customerName, unread, focusRequested, messagesCount, kpiBreach,
    /// kpiDetails, focusedTabId, tabs: [{tabId, title, templateName, pageType, parameters,
    /// tags, isAnchor, isFocused}]}]}` (Home first).
    #[wasm_bindgen(js_name = getWorkspace)]
    pub fn get_workspace(&self) -> JsValue {
        to_js(&agent().snapshot())
    }
}

fn unit(outcome: crate::core::cif::Outcome<()>) -> crate::core::cif::Outcome<Json> {
    map_value(|()| Json::Null)(outcome)
}

fn map_value<T>(
    convert: impl Fn(T) -> Json,
) -> impl FnOnce(crate::core::cif::Outcome<T>) -> crate::core::cif::Outcome<Json> {
    move |outcome| crate::core::cif::Outcome {
        value: convert(outcome.value),
        events: outcome.events,
    }
}

/// `Microsoft.Omnichannel`: the agent's conversations.
#[wasm_bindgen]
pub struct Omnichannel;

#[wasm_bindgen]
impl Omnichannel {
    /// The records of the conversations `input` selects: `{agentId, attributes?, status?,
    /// orderBy?, createdBeforeDays?}`; `msdyn_ocliveworkitemid`, `msdyn_liveworkstreamid`,
    /// `msdyn_lastsessionid`, `statuscode` and `createdon` are always returned. Hotline:
    /// with `includeQueue: true`, also the conversations no agent has yet (the queue; their
    /// `msdyn_activeagentid` is null).
    #[wasm_bindgen(js_name = getConversations)]
    pub fn get_conversations(&self, input: JsValue, correlation_id: JsValue) -> Promise {
        later(
            "getConversations",
            Box::pin(agent().get_conversations(from_js(&input), text(&correlation_id))),
        )
    }

    /// The conversation of the focused session.
    #[wasm_bindgen(js_name = getConversationId)]
    pub fn get_conversation_id(&self) -> Promise {
        settled(
            agent()
                .read("getConversationId", |_| Ok(()))
                .map(|()| Json::from(agent().focused_conversation())),
        )
    }

    /// Opens a conversation in a session from the chat template (accepting it first when no
    /// agent has it). Resolves with the session id.
    #[wasm_bindgen(js_name = openConversation)]
    pub fn open_conversation(
        &self,
        conversation_id: JsValue,
        _last_session_id: JsValue,
        _live_work_stream_id: JsValue,
    ) -> Promise {
        later(
            "openConversation",
            Box::pin(agent().open_conversation(text(&conversation_id), String::new())),
        )
    }

    /// Links a record (`contact`, `account`, `incident`) to a conversation (the focused one by
    /// default); a new customer or case link replaces the old one.
    #[wasm_bindgen(js_name = linkToConversation)]
    pub fn link_to_conversation(
        &self,
        entity: JsValue,
        record_id: JsValue,
        conversation_id: JsValue,
    ) -> Promise {
        later(
            "linkToConversation",
            Box::pin(agent().link(
                text(&entity),
                text(&record_id),
                optional_text(&conversation_id),
                false,
            )),
        )
    }

    #[wasm_bindgen(js_name = unlinkFromConversation)]
    pub fn unlink_from_conversation(
        &self,
        entity: JsValue,
        record_id: JsValue,
        conversation_id: JsValue,
    ) -> Promise {
        later(
            "unlinkFromConversation",
            Box::pin(agent().link(
                text(&entity),
                text(&record_id),
                optional_text(&conversation_id),
                true,
            )),
        )
    }

    /// Puts `message` in the console's send box (the default; a `hotline.sendBox` event), or
    /// with `toSendBox` false sends it to the customer at once.
    #[wasm_bindgen(js_name = sendMessageToConversation)]
    pub fn send_message_to_conversation(
        &self,
        message: JsValue,
        to_send_box: JsValue,
        conversation_id: JsValue,
    ) -> Promise {
        let to_send_box = to_send_box.is_undefined() || to_send_box.is_truthy();
        later(
            "sendMessageToConversation",
            Box::pin(agent().send_message_to_conversation(
                from_js(&message),
                to_send_box,
                optional_text(&conversation_id),
            )),
        )
    }

    /// Hotline: ends the conversation (the customer is told the chat ended).
    #[wasm_bindgen(js_name = endConversation)]
    pub fn end_conversation(&self, conversation_id: JsValue) -> Promise {
        later(
            "endConversation",
            Box::pin(
                agent()
                    .conversation_action(optional_text(&conversation_id), ConversationAction::End),
            ),
        )
    }

    /// Hotline: tells the customer the agent is (not) typing.
    #[wasm_bindgen(js_name = sendTypingToConversation)]
    pub fn send_typing_to_conversation(
        &self,
        is_typing: JsValue,
        conversation_id: JsValue,
    ) -> Promise {
        later(
            "sendTypingToConversation",
            Box::pin(agent().conversation_action(
                optional_text(&conversation_id),
                ConversationAction::Typing(is_typing.is_truthy()),
            )),
        )
    }

    /// Hotline: the conversation's transcript, `{chatId, messages, nextPosition}`.
    #[wasm_bindgen(js_name = getTranscript)]
    pub fn get_transcript(&self, conversation_id: JsValue) -> Promise {
        later(
            "getTranscript",
            Box::pin(agent().conversation_action(
                optional_text(&conversation_id),
                ConversationAction::Transcript,
            )),
        )
    }

    /// Hotline: the signed-in agent's id (what `getConversations` needs as `agentId`).
    #[wasm_bindgen(js_name = getAgentId)]
    pub fn get_agent_id(&self) -> Promise {
        settled(agent().read("getAgentId", |_| Ok(Json::from(agent().agent_id()))))
    }
}
