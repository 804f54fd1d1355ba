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
    #[wasm_bindgen(unchecked_return_type = "Promise<true>")]
    pub fn initialize(
        &self,
        #[wasm_bindgen(unchecked_param_type = "CifInitializeOptions")] options: JsValue,
    ) -> Promise {
        let logger = Reflect::get(&options, &"logger".into())
            .ok()
            .and_then(|f| f.dyn_into::<Function>().ok());
        let options = from_js(&options);
        later("initialize", Box::pin(agent().initialize(options, logger)))
    }

    /// Opens a session from a Generic session template: `{templateName | templateTag,
    /// templateParameters}` (object or JSON text). Resolves with the session id.
    #[wasm_bindgen(js_name = createSession, unchecked_return_type = "Promise<string>")]
    pub fn create_session(
        &self,
        #[wasm_bindgen(unchecked_param_type = "CreateSessionInput | string")] input: JsValue,
        #[wasm_bindgen(js_name = correlationId, unchecked_optional_param_type = "string")]
        correlation_id: JsValue,
    ) -> Promise {
        settled(agent().call("createSession", &text(&correlation_id), |w| {
            w.create_session(&from_js(&input))
                .map(map_value(Json::from))
        }))
    }

    /// Whether another session may be opened (at most 10).
    #[wasm_bindgen(js_name = canCreateSession, unchecked_return_type = "Promise<boolean>")]
    pub fn can_create_session(
        &self,
        #[wasm_bindgen(js_name = correlationId, unchecked_optional_param_type = "string")]
        _correlation_id: JsValue,
    ) -> Promise {
        settled(agent().read("canCreateSession", |w| {
            Ok(Json::Bool(w.can_create_session()))
        }))
    }

    /// `{sessionId, conversationId, context, isFocused}` of a session.
    #[wasm_bindgen(js_name = getSession, unchecked_return_type = "Promise<CifSessionInfo>")]
    pub fn get_session(
        &self,
        #[wasm_bindgen(js_name = sessionId, unchecked_param_type = "string")] session_id: JsValue,
        #[wasm_bindgen(js_name = correlationId, unchecked_optional_param_type = "string")]
        _correlation_id: JsValue,
    ) -> Promise {
        settled(agent().read("getSession", |w| w.get_session(&text(&session_id))))
    }

    /// The focused session's id, or null when Home or another provider's session is in front.
    #[wasm_bindgen(js_name = getFocusedSession, unchecked_return_type = "Promise<string | null>")]
    pub fn get_focused_session(
        &self,
        #[wasm_bindgen(js_name = correlationId, unchecked_optional_param_type = "string")]
        _correlation_id: JsValue,
    ) -> Promise {
        settled(agent().read("getFocusedSession", |w| {
            Ok(Json::from(w.focused_session().map(str::to_owned)))
        }))
    }

    /// The ids of every session this provider opened.
    #[wasm_bindgen(js_name = getAllSessions, unchecked_return_type = "Promise<string[]>")]
    pub fn get_all_sessions(
        &self,
        #[wasm_bindgen(js_name = correlationId, unchecked_optional_param_type = "string")]
        _correlation_id: JsValue,
    ) -> Promise {
        settled(agent().read("getAllSessions", |w| {
            Ok(Json::Array(
                w.all_sessions().into_iter().map(Json::from).collect(),
            ))
        }))
    }

    /// Asks for attention on a session without switching to it (a blue dot).
    #[wasm_bindgen(js_name = requestFocusSession, unchecked_return_type = "Promise<null>")]
    pub fn request_focus_session(
        &self,
        #[wasm_bindgen(js_name = sessionId, unchecked_param_type = "string")] session_id: JsValue,
        #[wasm_bindgen(js_name = messagesCount, unchecked_optional_param_type = "number")]
        messages_count: JsValue,
        #[wasm_bindgen(js_name = correlationId, unchecked_optional_param_type = "string")]
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
    #[wasm_bindgen(js_name = setSessionTitle, unchecked_return_type = "Promise<string>")]
    pub fn set_session_title(
        &self,
        #[wasm_bindgen(unchecked_param_type = "SessionTitleInput | string")] input: JsValue,
        #[wasm_bindgen(js_name = correlationId, unchecked_optional_param_type = "string")]
        correlation_id: JsValue,
    ) -> Promise {
        settled(
            agent().call("setSessionTitle", &text(&correlation_id), |w| {
                w.set_session_title(&from_js(&input))
                    .map(map_value(Json::from))
            }),
        )
    }

    /// Shows a count of new activity on a session that is not in front.
    #[wasm_bindgen(js_name = notifyNewActivity, unchecked_return_type = "Promise<null>")]
    pub fn notify_new_activity(
        &self,
        #[wasm_bindgen(js_name = sessionId, unchecked_param_type = "string")] session_id: JsValue,
        #[wasm_bindgen(unchecked_param_type = "number")] count: JsValue,
        #[wasm_bindgen(js_name = correlationId, unchecked_optional_param_type = "string")]
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
    #[wasm_bindgen(js_name = notifyKpiBreach, unchecked_return_type = "Promise<null>")]
    pub fn notify_kpi_breach(
        &self,
        #[wasm_bindgen(js_name = sessionId, unchecked_param_type = "string")] session_id: JsValue,
        #[wasm_bindgen(js_name = shouldReset, unchecked_optional_param_type = "boolean")]
        should_reset: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "unknown")] details: JsValue,
        #[wasm_bindgen(js_name = correlationId, unchecked_optional_param_type = "string")]
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
    #[wasm_bindgen(js_name = updateContext, unchecked_return_type = "Promise<JsonObject>")]
    pub fn update_context(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Record<string, unknown> | string[] | string")] input: JsValue,
        #[wasm_bindgen(js_name = sessionId, unchecked_optional_param_type = "string | null")]
        session_id: JsValue,
        #[wasm_bindgen(js_name = isDelete, unchecked_optional_param_type = "boolean")]
        is_delete: JsValue,
        #[wasm_bindgen(js_name = correlationId, unchecked_optional_param_type = "string")]
        correlation_id: JsValue,
    ) -> Promise {
        settled(agent().call("updateContext", &text(&correlation_id), |w| {
            w.update_context(&from_js(&input), &text(&session_id), is_delete.is_truthy())
        }))
    }

    /// Brings a session to the front (Hotline; CIF itself cannot).
    #[wasm_bindgen(js_name = focusSession, unchecked_return_type = "Promise<null>")]
    pub fn focus_session(
        &self,
        #[wasm_bindgen(js_name = sessionId, unchecked_param_type = "string")] session_id: JsValue,
    ) -> Promise {
        settled(agent().call("focusSession", "", |w| {
            w.focus_session(&text(&session_id)).map(unit)
        }))
    }

    /// Closes a session (Hotline; CIF itself cannot).
    #[wasm_bindgen(js_name = closeSession, unchecked_return_type = "Promise<boolean>")]
    pub fn close_session(
        &self,
        #[wasm_bindgen(js_name = sessionId, unchecked_param_type = "string")] session_id: JsValue,
    ) -> Promise {
        settled(agent().call("closeSession", "", |w| {
            w.close_session(&text(&session_id))
                .map(map_value(Json::Bool))
        }))
    }

    /// Opens a tab in the focused session from an application tab template.
    #[wasm_bindgen(js_name = createTab, unchecked_return_type = "Promise<string>")]
    pub fn create_tab(
        &self,
        #[wasm_bindgen(unchecked_param_type = "CreateTabInput | string")] input: JsValue,
        #[wasm_bindgen(js_name = correlationId, unchecked_optional_param_type = "string")]
        correlation_id: JsValue,
    ) -> Promise {
        settled(agent().call("createTab", &text(&correlation_id), |w| {
            w.create_tab(&from_js(&input)).map(map_value(Json::from))
        }))
    }

    /// The focused tab's id.
    #[wasm_bindgen(js_name = getFocusedTab, unchecked_return_type = "Promise<string | null>")]
    pub fn get_focused_tab(
        &self,
        #[wasm_bindgen(js_name = correlationId, unchecked_optional_param_type = "string")]
        _correlation_id: JsValue,
    ) -> Promise {
        settled(agent().read("getFocusedTab", |w| {
            Ok(Json::from(w.focused_tab().map(str::to_owned)))
        }))
    }

    /// The ids of the focused session's tabs, by template name and/or tags.
    #[wasm_bindgen(js_name = getTabs, unchecked_return_type = "Promise<string[]>")]
    pub fn get_tabs(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "string | null")] name: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "string | string[] | null")] tags: JsValue,
        #[wasm_bindgen(js_name = correlationId, unchecked_optional_param_type = "string")]
        _correlation_id: JsValue,
    ) -> Promise {
        settled(agent().read("getTabs", |w| {
            let name = optional_text(&name);
            w.get_tabs(name.as_deref(), &from_js(&tags))
                .map(|ids| Json::Array(ids.into_iter().map(Json::from).collect()))
        }))
    }

    /// Focuses a tab of the focused session (`tabId`); resolves with null.
    #[wasm_bindgen(js_name = focusTab, unchecked_return_type = "Promise<null>")]
    pub fn focus_tab(
        &self,
        #[wasm_bindgen(js_name = tabId, unchecked_param_type = "string")] tab_id: JsValue,
        #[wasm_bindgen(js_name = correlationId, unchecked_optional_param_type = "string")]
        correlation_id: JsValue,
    ) -> Promise {
        settled(agent().call("focusTab", &text(&correlation_id), |w| {
            w.focus_tab(&text(&tab_id)).map(unit)
        }))
    }

    /// Asks a tab to refresh (the console redraws it); resolves with true.
    #[wasm_bindgen(js_name = refreshTab, unchecked_return_type = "Promise<boolean>")]
    pub fn refresh_tab(
        &self,
        #[wasm_bindgen(js_name = tabId, unchecked_param_type = "string")] tab_id: JsValue,
        #[wasm_bindgen(js_name = correlationId, unchecked_optional_param_type = "string")]
        correlation_id: JsValue,
    ) -> Promise {
        settled(agent().call("refreshTab", &text(&correlation_id), |w| {
            w.refresh_tab(&text(&tab_id)).map(map_value(Json::Bool))
        }))
    }

    /// Renames a tab; resolves with its id.
    #[wasm_bindgen(js_name = setTabTitle, unchecked_return_type = "Promise<string>")]
    pub fn set_tab_title(
        &self,
        #[wasm_bindgen(js_name = tabId, unchecked_param_type = "string")] tab_id: JsValue,
        #[wasm_bindgen(unchecked_param_type = "TabTitleInput | string")] input: JsValue,
        #[wasm_bindgen(js_name = correlationId, unchecked_optional_param_type = "string")]
        correlation_id: JsValue,
    ) -> Promise {
        settled(agent().call("setTabTitle", &text(&correlation_id), |w| {
            w.set_tab_title(&text(&tab_id), &from_js(&input))
                .map(map_value(Json::from))
        }))
    }

    /// Closes a tab; the anchor tab cannot be closed.
    #[wasm_bindgen(js_name = closeTab, unchecked_return_type = "Promise<boolean>")]
    pub fn close_tab(
        &self,
        #[wasm_bindgen(js_name = tabId, unchecked_param_type = "string")] tab_id: JsValue,
        #[wasm_bindgen(js_name = correlationId, unchecked_optional_param_type = "string")]
        correlation_id: JsValue,
    ) -> Promise {
        settled(agent().call("closeTab", &text(&correlation_id), |w| {
            w.close_tab(&text(&tab_id)).map(map_value(Json::Bool))
        }))
    }

    /// Sets the agent's presence by its text: resolves with true when the text is one of the
    /// known presences (`onPresenceChange` fires if it changed), false otherwise.
    #[wasm_bindgen(js_name = setPresence, unchecked_return_type = "Promise<boolean>")]
    pub fn set_presence(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] presence: JsValue,
        #[wasm_bindgen(js_name = correlationId, unchecked_optional_param_type = "string")]
        correlation_id: JsValue,
    ) -> Promise {
        settled(agent().call("setPresence", &text(&correlation_id), |w| {
            w.set_presence(&from_js(&presence))
                .map(map_value(Json::Bool))
        }))
    }

    /// The agent's presence text (`"FAILED"` when it is not one of the known presences).
    #[wasm_bindgen(js_name = getPresence, unchecked_return_type = "Promise<string>")]
    pub fn get_presence(
        &self,
        #[wasm_bindgen(js_name = correlationId, unchecked_optional_param_type = "string")]
        _correlation_id: JsValue,
    ) -> Promise {
        settled(agent().read("getPresence", |w| Ok(Json::from(w.get_presence()))))
    }

    /// Panel mode: 0 minimized, 1 docked, 2 hidden.
    #[wasm_bindgen(js_name = setMode, unchecked_return_type = "Promise<null>")]
    pub fn set_mode(
        &self,
        #[wasm_bindgen(unchecked_param_type = "PanelMode")] mode: JsValue,
        #[wasm_bindgen(js_name = correlationId, unchecked_optional_param_type = "string")]
        correlation_id: JsValue,
    ) -> Promise {
        settled(agent().call("setMode", &text(&correlation_id), |w| {
            w.set_mode(&from_js(&mode)).map(unit)
        }))
    }

    /// The panel mode: 0 minimized, 1 docked, 2 hidden.
    #[wasm_bindgen(js_name = getMode, unchecked_return_type = "Promise<PanelMode>")]
    pub fn get_mode(
        &self,
        #[wasm_bindgen(js_name = correlationId, unchecked_optional_param_type = "string")]
        _correlation_id: JsValue,
    ) -> Promise {
        settled(agent().read("getMode", |w| Ok(Json::from(u64::from(w.mode())))))
    }

    /// Sets the panel width in pixels; resolves with null.
    #[wasm_bindgen(js_name = setWidth, unchecked_return_type = "Promise<null>")]
    pub fn set_width(
        &self,
        #[wasm_bindgen(unchecked_param_type = "number")] width: JsValue,
        #[wasm_bindgen(js_name = correlationId, unchecked_optional_param_type = "string")]
        correlation_id: JsValue,
    ) -> Promise {
        settled(agent().call("setWidth", &text(&correlation_id), |w| {
            w.set_width(&from_js(&width)).map(unit)
        }))
    }

    /// The panel width in pixels.
    #[wasm_bindgen(js_name = getWidth, unchecked_return_type = "Promise<number>")]
    pub fn get_width(
        &self,
        #[wasm_bindgen(js_name = correlationId, unchecked_optional_param_type = "string")]
        _correlation_id: JsValue,
    ) -> Promise {
        settled(agent().read("getWidth", |w| Ok(Json::Number(w.width()))))
    }

    /// Registers `handler` for an event: `onSessionSwitched`, `onSessionClosed`,
    /// `onPresenceChange`, `onmodechanged`, `onsizechanged`, Hotline's live events
    /// (`hotline.queueChanged`, `hotline.conversationMessage`, `hotline.conversationTyping`,
    /// `hotline.conversationEnded`, `hotline.sendBox`, `hotline.workspaceChanged`), or any
    /// custom name. Handlers receive the event data as JSON text.
    #[wasm_bindgen(js_name = addHandler, unchecked_return_type = "Promise<true>")]
    pub fn add_handler(
        &self,
        #[wasm_bindgen(js_name = eventName, unchecked_param_type = "CifEventName")] name: JsValue,
        #[wasm_bindgen(unchecked_param_type = "CifHandler")] handler: JsValue,
        #[wasm_bindgen(js_name = correlationId, unchecked_optional_param_type = "string")]
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

    /// Removes a handler added with `addHandler` for an event; resolves with true.
    #[wasm_bindgen(js_name = removeHandler, unchecked_return_type = "Promise<boolean>")]
    pub fn remove_handler(
        &self,
        #[wasm_bindgen(js_name = eventName, unchecked_param_type = "CifEventName")] name: JsValue,
        #[wasm_bindgen(unchecked_param_type = "CifHandler")] handler: JsValue,
        #[wasm_bindgen(js_name = correlationId, unchecked_optional_param_type = "string")]
        _correlation_id: JsValue,
    ) -> Promise {
        let removed = handler
            .dyn_into::<Function>()
            .is_ok_and(|handler| agent().remove_handler(&text(&name), &handler));
        Promise::resolve(&JsValue::from_bool(removed))
    }

    /// Calls the handlers of a (custom) event with `payload`.
    #[wasm_bindgen(js_name = raiseEvent, unchecked_return_type = "Promise<null>")]
    pub fn raise_event(
        &self,
        #[wasm_bindgen(js_name = eventName, unchecked_param_type = "string")] name: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "unknown")] payload: JsValue,
        #[wasm_bindgen(js_name = correlationId, unchecked_optional_param_type = "string")]
        correlation_id: JsValue,
    ) -> Promise {
        settled(agent().call("raiseEvent", &text(&correlation_id), |w| {
            w.raise_event(&text(&name), from_js(&payload)).map(unit)
        }))
    }

    /// Hotline: the sessions and tabs as the console draws them: `{focusedSessionId, presence,
    /// mode, sessions: [{sessionId, conversationId, context, isFocused, title, isHome,
    /// templateName, customerName, unread, focusRequested, messagesCount, kpiBreach,
    /// kpiDetails, focusedTabId, tabs: [{tabId, title, templateName, pageType, parameters,
    /// tags, isAnchor, isFocused}]}]}` (Home first).
    #[wasm_bindgen(js_name = getWorkspace, unchecked_return_type = "WorkspaceSnapshot")]
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
    #[wasm_bindgen(js_name = getConversations, unchecked_return_type = "Promise<ConversationRecord[]>")]
    pub fn get_conversations(
        &self,
        #[wasm_bindgen(unchecked_param_type = "GetConversationsInput")] input: JsValue,
        #[wasm_bindgen(js_name = correlationId, unchecked_optional_param_type = "string")]
        correlation_id: JsValue,
    ) -> Promise {
        later(
            "getConversations",
            Box::pin(agent().get_conversations(from_js(&input), text(&correlation_id))),
        )
    }

    /// The conversation of the focused session.
    #[wasm_bindgen(js_name = getConversationId, unchecked_return_type = "Promise<string | null>")]
    pub fn get_conversation_id(&self) -> Promise {
        settled(
            agent()
                .read("getConversationId", |_| Ok(()))
                .map(|()| Json::from(agent().focused_conversation())),
        )
    }

    /// Opens a conversation in a session from the chat template (accepting it first when no
    /// agent has it). Resolves with the session id.
    #[wasm_bindgen(js_name = openConversation, unchecked_return_type = "Promise<string>")]
    pub fn open_conversation(
        &self,
        #[wasm_bindgen(js_name = conversationId, unchecked_param_type = "string")] conversation_id: JsValue,
        #[wasm_bindgen(js_name = lastSessionId, unchecked_optional_param_type = "string")]
        _last_session_id: JsValue,
        #[wasm_bindgen(js_name = liveWorkStreamId, unchecked_optional_param_type = "string")]
        _live_work_stream_id: JsValue,
    ) -> Promise {
        later(
            "openConversation",
            Box::pin(agent().open_conversation(text(&conversation_id), String::new())),
        )
    }

    /// Links a record (`contact`, `account`, `incident`) to a conversation (the focused one by
    /// default); a new customer or case link replaces the old one.
    #[wasm_bindgen(js_name = linkToConversation, unchecked_return_type = "Promise<true>")]
    pub fn link_to_conversation(
        &self,
        #[wasm_bindgen(js_name = entityLogicalName, unchecked_param_type = "string")]
        entity: JsValue,
        #[wasm_bindgen(js_name = recordId, unchecked_param_type = "string")] record_id: JsValue,
        #[wasm_bindgen(js_name = conversationId, unchecked_optional_param_type = "string | null")]
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

    /// Removes a record link added with `linkToConversation`; resolves with true.
    #[wasm_bindgen(js_name = unlinkFromConversation, unchecked_return_type = "Promise<true>")]
    pub fn unlink_from_conversation(
        &self,
        #[wasm_bindgen(js_name = entityLogicalName, unchecked_param_type = "string")]
        entity: JsValue,
        #[wasm_bindgen(js_name = recordId, unchecked_optional_param_type = "string | null")]
        record_id: JsValue,
        #[wasm_bindgen(js_name = conversationId, unchecked_optional_param_type = "string | null")]
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
    #[wasm_bindgen(js_name = sendMessageToConversation, unchecked_return_type = "Promise<true | SentMessage>")]
    pub fn send_message_to_conversation(
        &self,
        #[wasm_bindgen(unchecked_param_type = "ConversationMessage")] message: JsValue,
        #[wasm_bindgen(js_name = toSendBox, unchecked_optional_param_type = "boolean")] to_send_box: JsValue,
        #[wasm_bindgen(js_name = conversationId, unchecked_optional_param_type = "string | null")]
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
    #[wasm_bindgen(js_name = endConversation, unchecked_return_type = "Promise<{ conversation: AgentConversation }>")]
    pub fn end_conversation(
        &self,
        #[wasm_bindgen(js_name = conversationId, unchecked_optional_param_type = "string | null")]
        conversation_id: JsValue,
    ) -> Promise {
        later(
            "endConversation",
            Box::pin(
                agent()
                    .conversation_action(optional_text(&conversation_id), ConversationAction::End),
            ),
        )
    }

    /// Hotline: tells the customer the agent is (not) typing.
    #[wasm_bindgen(js_name = sendTypingToConversation, unchecked_return_type = "Promise<{ chatId: string; isTyping: boolean }>")]
    pub fn send_typing_to_conversation(
        &self,
        #[wasm_bindgen(js_name = isTyping, unchecked_param_type = "boolean")] is_typing: JsValue,
        #[wasm_bindgen(js_name = conversationId, unchecked_optional_param_type = "string | null")]
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
    #[wasm_bindgen(js_name = getTranscript, unchecked_return_type = "Promise<ConversationTranscript>")]
    pub fn get_transcript(
        &self,
        #[wasm_bindgen(js_name = conversationId, unchecked_optional_param_type = "string | null")]
        conversation_id: JsValue,
    ) -> Promise {
        later(
            "getTranscript",
            Box::pin(agent().conversation_action(
                optional_text(&conversation_id),
                ConversationAction::Transcript,
            )),
        )
    }

    /// Hotline: the signed-in agent's id (what `getConversations` needs as `agentId`).
    #[wasm_bindgen(js_name = getAgentId, unchecked_return_type = "Promise<string | null>")]
    pub fn get_agent_id(&self) -> Promise {
        settled(agent().read("getAgentId", |_| Ok(Json::from(agent().agent_id()))))
    }
}
