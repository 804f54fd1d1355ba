//! CIF session templates and application tab templates for the agents' console
//! (`GET /api/v1/templates`).
//!
//! The operator keeps them in a JSON file (`--templates PATH`, `HOTLINE_TEMPLATES`); without
//! one the server serves the shipped defaults, `templates/default-templates.json` at the root
//! of the repository, embedded in the binary (the SDK embeds the same file). The file is read
//! and checked once, at start: a broken file stops the server with a message naming the
//! problem.
//!
//! The shape is the one the SDK reads ([`hotline::core::cif::Templates::from_json`]), and the
//! SDK's reader is what checks it here, so the two cannot disagree:
//!
//! ```json
//! {
//!   "sessionTemplates": [{"name": "msdyn_chat_session", "type": "Generic",
//!     "title": "Chat with {customer}", "anchorTab": "msdyn_chat_conversation",
//!     "additionalTabs": ["msdyn_customer_search"], "tags": ["chat"], "panelMode": "docked",
//!     "applyTitleToAnchorTab": false}],
//!   "applicationTabTemplates": [{"name": "msdyn_chat_conversation", "pageType": "entityrecord",
//!     "title": "Conversation", "tags": [], "parameters": {
//!       "entityId": {"type": "string", "value": "{conversationId}", "isRuntime": true}}}]
//! }
//! ```
//!
//! On top of the SDK's reader the server checks what only the whole file can tell: unique
//! names are not repeated, every `anchorTab` and `additionalTabs` entry names an application
//! tab template of the file, and every `pageType` is one CIF knows. The file is served as it
//! was written.

use std::path::Path;
use std::sync::Arc;

use axum::extract::State;
use axum::http::{header, HeaderMap};
use axum::Json;
use hotline::core::cif::Templates;
use serde_json::{json, Value};

use crate::api::ApiError;
use crate::app::AppState;
use crate::openapi::{schema_ref, ApiTable, Operation, Security};

/// The templates Hotline ships (`templates/default-templates.json`).
pub const DEFAULT_TEMPLATES: &str = include_str!("../../templates/default-templates.json");

/// Page types of application tab templates (cif-omnichannel.md, A.2), without spaces, in
/// lower case.
pub const PAGE_TYPES: [&str; 8] = [
    "dashboard",
    "entitylist",
    "entityrecord",
    "search",
    "webresource",
    "thirdpartywebsite",
    "custom",
    "control",
];

/// The templates the server serves, checked.
#[derive(Debug, Clone)]
pub struct TemplateSet {
    /// The JSON document as written.
    pub document: Value,
    /// Where it came from: a file path, or `built-in defaults`.
    pub source: String,
}

impl TemplateSet {
    /// The shipped defaults.
    pub fn defaults() -> Result<Self, String> {
        Ok(Self {
            document: check(DEFAULT_TEMPLATES)
                .map_err(|problem| format!("the built-in templates: {problem}"))?,
            source: "built-in defaults".into(),
        })
    }

    /// The file at `path`, or the defaults when there is none.
    pub fn load(path: Option<&Path>) -> Result<Self, String> {
        let Some(path) = path else {
            return Self::defaults();
        };
        let shown = path.display();
        let text = std::fs::read_to_string(path)
            .map_err(|error| format!("templates file {shown}: cannot be read: {error}"))?;
        Ok(Self {
            document: check(&text)
                .map_err(|problem| format!("templates file {shown}: {problem}"))?,
            source: shown.to_string(),
        })
    }
}

/// Checks a templates document and returns it as JSON, or says what is wrong with it.
pub fn check(text: &str) -> Result<Value, String> {
    let document: Value =
        serde_json::from_str(text).map_err(|error| format!("not valid JSON: {error}"))?;
    if !document.is_object() {
        return Err("expected an object {sessionTemplates, applicationTabTemplates}".into());
    }
    let parsed = hotline::core::json::Json::parse(text)
        .map_err(|error| format!("not valid JSON: {error}"))?;
    let templates = Templates::from_json(&parsed).map_err(|error| error.to_string())?;
    check_names(
        "session template",
        templates.sessions.iter().map(|t| t.name.as_str()),
    )?;
    check_names(
        "application tab template",
        templates.tabs.iter().map(|t| t.name.as_str()),
    )?;
    let is_tab = |name: &str| templates.tabs.iter().any(|tab| tab.name == name);
    for session in &templates.sessions {
        if !session.anchor_tab.is_empty() && !is_tab(&session.anchor_tab) {
            return Err(format!(
                "session template {}: anchorTab '{}' is not an application tab template of \
                 this file",
                session.name, session.anchor_tab
            ));
        }
        if let Some(missing) = session.additional_tabs.iter().find(|tab| !is_tab(tab)) {
            return Err(format!(
                "session template {}: additionalTabs entry '{missing}' is not an application \
                 tab template of this file",
                session.name
            ));
        }
    }
    for tab in &templates.tabs {
        let page_type: String = tab
            .page_type
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_ascii_lowercase();
        if page_type.is_empty() {
            return Err(format!(
                "application tab template {} has no pageType",
                tab.name
            ));
        }
        if !PAGE_TYPES.contains(&page_type.as_str()) {
            return Err(format!(
                "application tab template {}: pageType '{}' is not one of {}",
                tab.name,
                tab.page_type,
                PAGE_TYPES.join(", ")
            ));
        }
    }
    Ok(document)
}

fn check_names<'a>(what: &str, names: impl Iterator<Item = &'a str>) -> Result<(), String> {
    let mut seen: Vec<&str> = Vec::new();
    for name in names {
        if seen.iter().any(|known| known.eq_ignore_ascii_case(name)) {
            return Err(format!("{what} {name} is defined twice"));
        }
        seen.push(name);
    }
    Ok(())
}

const TAG: &str = "Templates";

/// Adds `GET /api/v1/templates` to the route table.
pub fn register(table: &mut ApiTable<Arc<AppState>>) {
    table.tag(
        TAG,
        "CIF session templates and application tab templates for the agents' console",
    );
    table.schema(
        "SessionTemplate",
        json!({"type": "object", "required": ["name"], "additionalProperties": true,
            "description": "A session template (msdyn_sessiontemplate)",
            "properties": {
                "name": {"type": "string", "description": "The unique name (createSession's templateName); uniqueName is read when name is missing"},
                "type": {"type": "string", "enum": ["Generic", "Entity"], "description": "Default Generic; only Generic templates work with createSession"},
                "title": {"type": "string", "description": "The session title; may contain slugs such as {customer}"},
                "anchorTab": {"type": "string", "description": "The unique name of the anchor tab's application tab template (required for Generic)"},
                "additionalTabs": {"type": "array", "items": {"type": "string"}, "description": "Application tab templates opened in the background"},
                "tags": {"type": "array", "items": {"type": "string"}},
                "panelMode": {"oneOf": [{"type": "string", "enum": ["docked", "minimized", "hidden"]}, {"type": "integer"}],
                    "description": "docked, minimized or hidden (any case), 0/1/2, or the option values 100000000–100000002"},
                "applyTitleToAnchorTab": {"type": "boolean"},
                "entity": {"type": "string", "description": "The entity of an Entity template"}}}),
    );
    table.schema(
        "TemplateParameter",
        json!({"type": "object", "additionalProperties": true,
            "description": "How a parameter is configured (msdyn_templateparameters); a bare string means {type: string, value}",
            "properties": {
                "type": {"type": "string", "description": "string, number, boolean, json; anything else passes the value through"},
                "value": {"description": "The configured value; string parameters may contain slugs"},
                "isRuntime": {"type": "boolean"}}}),
    );
    table.schema(
        "ApplicationTabTemplate",
        json!({"type": "object", "required": ["name", "pageType"], "additionalProperties": true,
            "description": "An application tab template (msdyn_applicationtabtemplate)",
            "properties": {
                "name": {"type": "string", "description": "The unique name; uniqueName is read when name is missing"},
                "pageType": {"type": "string", "enum": PAGE_TYPES},
                "title": {"type": "string", "description": "May contain slugs"},
                "tags": {"type": "array", "items": {"type": "string"}},
                "parameters": {"type": "object", "additionalProperties": {"oneOf": [
                    schema_ref("TemplateParameter"), {"type": "string"}]},
                    "description": "By parameter name (entityName, entityId, searchText, url, data …)"}}}),
    );
    table.schema(
        "Templates",
        json!({"type": "object", "properties": {
            "sessionTemplates": {"type": "array", "items": schema_ref("SessionTemplate")},
            "applicationTabTemplates": {"type": "array", "items": schema_ref("ApplicationTabTemplate")}}}),
    );
    table.add(
        Operation::get(
            "/api/v1/templates",
            "Templates_List",
            TAG,
            "The session templates and application tab templates",
        )
        .describe(
            "The operator's templates file (--templates, HOTLINE_TEMPLATES) as written, or the \
             shipped defaults (templates/default-templates.json), which include \
             msdyn_chat_session and CallSessionTemplate.",
        )
        .secured(Security::Agent)
        .response(200, "The templates", Some(schema_ref("Templates")))
        .response(
            401,
            "Missing or invalid credentials",
            Some(schema_ref("AgentsError")),
        ),
        list,
    );
}

async fn list(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
) -> Result<Json<Value>, ApiError> {
    let authorization = headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok());
    state.agents.authenticate(authorization)?;
    Ok(Json(state.templates.document.clone()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_defaults_are_valid_and_have_the_seed_templates() {
        let set = TemplateSet::defaults().unwrap();
        let names: Vec<&str> = set.document["sessionTemplates"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|t| t["name"].as_str())
            .collect();
        assert!(names.contains(&"msdyn_chat_session"));
        assert!(names.contains(&"CallSessionTemplate"));
        assert_eq!(set.source, "built-in defaults");
    }

    #[test]
    fn broken_documents_say_what_is_wrong() {
        let tab = r#"{"name":"t_tab","pageType":"entityrecord"}"#;
        let cases = [
            ("{", "not valid JSON"),
            ("[]", "expected an object"),
            (
                r#"{"sessionTemplates":{}}"#,
                "sessionTemplates must be an array",
            ),
            (
                r#"{"sessionTemplates":[{"name":"s_one","type":"Weird","anchorTab":"t_tab"}]}"#,
                "Generic or Entity",
            ),
            (
                r#"{"sessionTemplates":[{"name":"s_one"}]}"#,
                "s_one has no anchorTab",
            ),
            (
                r#"{"sessionTemplates":[{"name":"s_one","anchorTab":"t_nope"}]}"#,
                "anchorTab 't_nope'",
            ),
            (
                &format!(
                    r#"{{"sessionTemplates":[{{"name":"s_one","anchorTab":"t_tab","additionalTabs":["t_x"]}}],"applicationTabTemplates":[{tab}]}}"#
                ),
                "additionalTabs entry 't_x'",
            ),
            (
                &format!(r#"{{"applicationTabTemplates":[{tab},{tab}]}}"#),
                "t_tab is defined twice",
            ),
            (
                r#"{"applicationTabTemplates":[{"name":"t_tab","pageType":"page"}]}"#,
                "pageType 'page'",
            ),
            (
                r#"{"applicationTabTemplates":[{"name":"t_tab"}]}"#,
                "t_tab has no pageType",
            ),
        ];
        for (text, expected) in cases {
            let problem = check(text).unwrap_err();
            assert!(problem.contains(expected), "{text}: {problem}");
        }
        let good = format!(
            r#"{{"sessionTemplates":[{{"uniqueName":"s_one","anchorTab":"t_tab","extra":1}}],"applicationTabTemplates":[{tab}]}}"#
        );
        assert_eq!(check(&good).unwrap()["sessionTemplates"][0]["extra"], 1);
    }
}
