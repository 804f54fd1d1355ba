//! CIF core: the seed examples verbatim, templates, slugs and typed parameters, the session
//! limit, focus and tab rules, presence and panel, events, and every error.

use super::params::{
    convert, is_false_text, lookup_slug, odata_slugs, resolve_tab_parameters, to_boolean,
};
use super::*;
use crate::core::json::Json;

// ---------------------------------------------------------------------------------------------
// Helpers

fn json(text: &str) -> Json {
    Json::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"))
}

/// The value a JS object literal such as the seeds write evaluates to: `var input = {…};`
/// with `//` comments, unquoted keys and trailing commas. (Test-only; enough for the seeds.)
fn js_literal(source: &str) -> Json {
    let source = source.trim();
    let source = source.strip_prefix("var input =").unwrap_or(source);
    let source = source.trim().trim_end_matches(';');
    // Pass 1: drop comments (outside strings).
    let mut plain = String::new();
    let mut chars = source.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' => {
                plain.push(c);
                while let Some(c) = chars.next() {
                    plain.push(c);
                    if c == '\\' {
                        plain.extend(chars.next());
                    } else if c == '"' {
                        break;
                    }
                }
            }
            '/' if chars.peek() == Some(&'/') => {
                for c in chars.by_ref() {
                    if c == '\n' {
                        plain.push('\n');
                        break;
                    }
                }
            }
            _ => plain.push(c),
        }
    }
    // Pass 2: quote keys, drop trailing commas.
    let chars: Vec<char> = plain.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    let next_non_space = |from: usize| chars[from..].iter().copied().find(|c| !c.is_whitespace());
    while i < chars.len() {
        let c = chars[i];
        if c == '"' {
            out.push(c);
            i += 1;
            while i < chars.len() {
                out.push(chars[i]);
                if chars[i] == '\\' {
                    i += 1;
                    out.push(chars[i]);
                } else if chars[i] == '"' {
                    break;
                }
                i += 1;
            }
            i += 1;
        } else if c.is_alphabetic() || c == '_' || c == '$' {
            let start = i;
            while i < chars.len()
                && (chars[i].is_alphanumeric() || chars[i] == '_' || chars[i] == '$')
            {
                i += 1;
            }
            let word: String = chars[start..i].iter().collect();
            if next_non_space(i) == Some(':') {
                out.push_str(&format!("\"{word}\""));
            } else {
                out.push_str(&word);
            }
        } else if c == ',' && matches!(next_non_space(i + 1), Some('}' | ']')) {
            i += 1;
        } else {
            out.push(c);
            i += 1;
        }
    }
    json(&out)
}

fn workspace() -> Workspace {
    Workspace::new(Templates::defaults())
}

fn create(ws: &mut Workspace, input: &str) -> String {
    ws.create_session(&json(input))
        .unwrap_or_else(|e| panic!("{input}: {e}"))
        .value
}

fn chat(ws: &mut Workspace, customer: &str) -> String {
    create(
        ws,
        &format!(
            r#"{{"templateName":"msdyn_chat_session","templateParameters":{{"customer":"{customer}"}}}}"#
        ),
    )
}

fn switched(id: &str, focused: bool) -> Event {
    Event::SessionSwitched {
        session_id: id.into(),
        focused,
        context: Json::Null,
    }
}

fn focused_ev(id: &str) -> Event {
    Event::SessionFocused {
        session_id: id.into(),
    }
}

fn tab_ev(kind: fn(String, String) -> Event, session: &str, tab: &str) -> Event {
    kind(session.into(), tab.into())
}

fn tab_created(session_id: String, tab_id: String) -> Event {
    Event::TabCreated { session_id, tab_id }
}

fn tab_focused(session_id: String, tab_id: String) -> Event {
    Event::TabFocused { session_id, tab_id }
}

/// The CIF-visible events only, as (name, handler argument).
fn cif_events(events: &[Event]) -> Vec<(String, String)> {
    events
        .iter()
        .filter_map(|e| Some((e.cif_name()?.to_owned(), e.handler_argument())))
        .collect()
}

// ---------------------------------------------------------------------------------------------
// The seeds, verbatim

/// The input of seed `000_063675bf4608c2c6.txt`, as written there.
const SEED_000_INPUT: &str = r#"var input = {
   // unique name of the configured template   
    templateName: "msdyn_chat_session",
 
    templateParameters: {
        customer: "Contoso",
    }
    // Global and application tab template parameters, these values will override configured values
   };"#;

/// The input of seed `001_7dd489c7271071ed.txt`, as written there.
const SEED_001_INPUT: &str = r#"var input = {

templateName: "CallSessionTemplate",

// name of the configured template

templateParameters: {

customer: "Contoso",

}

// Global and application tab template parameters, these values will override configured values

};"#;

#[test]
fn seed_000_create_chat_session() {
    let input = js_literal(SEED_000_INPUT);
    assert_eq!(
        input,
        json(
            r#"{"templateName":"msdyn_chat_session","templateParameters":{"customer":"Contoso"}}"#
        )
    );
    let mut ws = workspace();
    let done = ws.create_session(&input).unwrap();
    assert_eq!(done.value, "session-id-1");
    assert_eq!(
        done.events,
        vec![
            Event::SessionCreated {
                session_id: "session-id-1".into()
            },
            tab_ev(tab_created, "session-id-1", "tab-id-1"),
            focused_ev("session-id-1"),
            switched("session-id-1", true),
            tab_ev(tab_created, "session-id-1", "tab-id-2"),
        ]
    );
    let session = ws.session("session-id-1").unwrap();
    assert_eq!(session.title, "Chat with Contoso");
    assert_eq!(session.template, "msdyn_chat_session");
    assert_eq!(session.template_params, json(r#"{"customer":"Contoso"}"#));
    assert_eq!(session.tabs.len(), 2);
    let anchor = &session.tabs[0];
    assert!(anchor.is_anchor);
    assert_eq!(anchor.id, "tab-id-1");
    assert_eq!(anchor.template, "msdyn_chat_conversation");
    assert_eq!(anchor.page_type, "entityrecord");
    assert_eq!(anchor.title, "Conversation");
    assert_eq!(
        anchor.parameters,
        json(r#"{"entityName":"msdyn_ocliveworkitem","entityId":""}"#)
    );
    let search = &session.tabs[1];
    assert!(!search.is_anchor);
    assert_eq!(search.title, "Search: Contoso");
    assert_eq!(search.page_type, "search");
    assert_eq!(
        search.parameters,
        json(r#"{"searchType":1,"searchText":"Contoso"}"#)
    );
    // The new session has focus; its anchor tab too; the additional tab is in the background.
    assert_eq!(ws.focused_session(), Some("session-id-1"));
    assert_eq!(ws.focused_tab(), Some("tab-id-1"));
    assert_eq!(
        ws.get_session("session-id-1").unwrap(),
        json(
            r#"{"sessionId":"session-id-1","conversationId":null,"context":null,"isFocused":true,"focused":true}"#
        )
    );
    // The documented parameter type is a JSON string: the same text works.
    let mut ws2 = workspace();
    let as_text = Json::str(input.to_string());
    assert_eq!(ws2.create_session(&as_text).unwrap(), done);
}

#[test]
fn seed_001_create_call_session() {
    let input = js_literal(SEED_001_INPUT);
    assert_eq!(
        input,
        json(
            r#"{"templateName":"CallSessionTemplate","templateParameters":{"customer":"Contoso"}}"#
        )
    );
    let mut ws = workspace();
    let id = ws.create_session(&input).unwrap().value;
    let session = ws.session(&id).unwrap();
    assert_eq!(session.title, "Call from Contoso");
    let titles: Vec<&str> = session.tabs.iter().map(|t| t.title.as_str()).collect();
    assert_eq!(titles, ["Call", "Search: Contoso"]);
    assert_eq!(ws.focused_tab(), Some(session.tabs[0].id.as_str()));
    // The setSessionTitle doc example on this template.
    let title = ws
        .set_session_title(&json(&format!(
            r#"{{"sessionId":"{id}","customer":"John"}}"#
        )))
        .unwrap()
        .value;
    assert_eq!(title, "Call from John");
}

// ---------------------------------------------------------------------------------------------
// Templates

#[test]
fn default_templates() {
    let t = Templates::defaults();
    assert!(!t.sessions.is_empty() && !t.tabs.is_empty());
    for name in ["msdyn_chat_session", "CallSessionTemplate"] {
        let s = t.session_template(name).unwrap();
        assert_eq!(s.kind, SessionKind::Generic);
        assert_eq!(s.panel_mode, Some(MODE_DOCKED));
        assert!(t.tab_template(&s.anchor_tab).is_some());
        for extra in &s.additional_tabs {
            assert!(t.tab_template(extra).is_some());
        }
    }
    assert_eq!(
        t.session_template("msdyn_case_session").unwrap().kind,
        SessionKind::Entity
    );
    // Every referenced tab template exists.
    for s in &t.sessions {
        assert!(t.tab_template(&s.anchor_tab).is_some(), "{}", s.name);
    }
    assert_eq!(Workspace::default().templates(), &t);
}

#[test]
fn templates_from_json_every_field() {
    let t = Templates::from_json(&json(
        r#"{"sessionTemplates":[
            {"uniqueName":"contoso_s","type":"entity","title":"T","anchorTab":"contoso_a",
             "additionalTabs":"contoso_b","tags":["x","y"],"panelMode":100000002,
             "applyTitleToAnchorTab":true,"entity":"incident"},
            {"name":"contoso_g","anchorTab":"contoso_a","panelMode":"Minimized"}],
            "applicationTabTemplates":[
            {"name":"contoso_a","pageType":"webresource","title":"A",
             "parameters":"{\"n\":{\"type\":\"number\",\"value\":\"2\",\"isRuntime\":true}}"},
            {"name":"contoso_b","parameters":{"plain":"text {x}"}}]}"#,
    ))
    .unwrap();
    let s = &t.sessions[0];
    assert_eq!(s.name, "contoso_s");
    assert_eq!(s.kind, SessionKind::Entity);
    assert_eq!(s.additional_tabs, ["contoso_b"]);
    assert_eq!(s.tags, ["x", "y"]);
    assert_eq!(s.panel_mode, Some(MODE_HIDDEN));
    assert!(s.apply_title_to_anchor_tab);
    assert_eq!(s.entity.as_deref(), Some("incident"));
    let g = &t.sessions[1];
    assert_eq!(g.kind, SessionKind::Generic);
    assert_eq!(g.panel_mode, Some(MODE_MINIMIZED));
    assert_eq!(g.title, "");
    let a = &t.tabs[0];
    assert_eq!(
        a.parameters,
        vec![(
            "n".to_string(),
            ParamDef {
                kind: "number".into(),
                value: Json::str("2"),
                is_runtime: true
            }
        )]
    );
    assert_eq!(
        t.tabs[1].parameters[0].1,
        ParamDef {
            kind: "string".into(),
            value: Json::str("text {x}"),
            is_runtime: false
        }
    );
    // The same object as JSON text.
    assert_eq!(
        Templates::from_json(&Json::str(
            r#"{"applicationTabTemplates":[{"name":"x_y"}]}"#
        ))
        .unwrap()
        .tabs
        .len(),
        1
    );
    // Panel modes.
    for (value, mode) in [
        ("0", Some(0)),
        ("1", Some(1)),
        ("2", Some(2)),
        ("100000000", Some(1)),
        ("100000001", Some(0)),
        ("\"HIDDEN\"", Some(2)),
        ("3", None),
        ("1.5", None),
        ("\"open\"", None),
        ("true", None),
    ] {
        assert_eq!(templates::parse_panel_mode(&json(value)), mode, "{value}");
    }
}

#[test]
fn templates_from_json_errors() {
    for bad in [
        r#"[]"#,
        r#"{"sessionTemplates":{}}"#,
        r#"{"sessionTemplates":[{"title":"no name"}]}"#,
        r#"{"sessionTemplates":[{"name":" "}]}"#,
        r#"{"sessionTemplates":[{"name":"a_b"}]}"#,
        r#"{"sessionTemplates":[{"name":"a_b","anchorTab":"x","type":"Other"}]}"#,
        r#"{"sessionTemplates":[{"name":"a_b","anchorTab":"x","panelMode":"open"}]}"#,
        r#"{"sessionTemplates":[{"name":"a_b","anchorTab":"x","tags":[1]}]}"#,
        r#"{"sessionTemplates":[{"name":"a_b","anchorTab":7}]}"#,
        r#"{"applicationTabTemplates":[{"name":"a_b","parameters":"{bad"}]}"#,
        r#"{"applicationTabTemplates":[{"name":"a_b","parameters":"[1]"}]}"#,
        r#"{"applicationTabTemplates":[{"name":"a_b","parameters":[1]}]}"#,
        r#"{"applicationTabTemplates":[{"name":"a_b","parameters":{"p":1}}]}"#,
        r#"{"applicationTabTemplates":[{"name":"a_b","parameters":{"p":{"type":1}}}]}"#,
    ] {
        let err = Templates::from_json(&json(bad)).unwrap_err();
        assert_eq!(err.name(), "InvalidTemplates", "{bad}");
    }
    assert!(Templates::from_json(&Json::str("{nope")).is_err());
    assert_eq!(
        Templates::from_json(&json(r#"{"sessionTemplates":[{"name":"a_b"}]}"#))
            .unwrap_err()
            .to_string(),
        "Invalid templates: session template a_b has no anchorTab"
    );
    // An Entity template may do without an anchor tab.
    assert!(Templates::from_json(&json(
        r#"{"sessionTemplates":[{"name":"a_b","type":"Entity"}]}"#
    ))
    .is_ok());
}

#[test]
fn templates_merge_and_lookup() {
    let mut t = Templates::defaults();
    let count = t.sessions.len();
    t.merge(
        Templates::from_json(&json(
            r#"{"sessionTemplates":[
                {"name":"msdyn_chat_session","title":"Mine: {customer}","anchorTab":"msdyn_chat_conversation","tags":["chat"]},
                {"name":"contoso_new","anchorTab":"msdyn_chat_conversation","tags":["Voice"]}]}"#,
        ))
        .unwrap(),
    );
    assert_eq!(t.sessions.len(), count + 1);
    assert_eq!(
        t.session_template("msdyn_chat_session").unwrap().title,
        "Mine: {customer}"
    );
    assert_eq!(
        t.session_template("MSDYN_CHAT_SESSION").unwrap().name,
        "msdyn_chat_session"
    );
    assert!(t.session_template("nope").is_none());
    // The first template with the tag wins (the default CallSessionTemplate has "voice").
    assert_eq!(
        t.session_template_by_tag("VOICE").unwrap().name,
        "CallSessionTemplate"
    );
    assert_eq!(
        t.session_template_by_tag("chat").unwrap().name,
        "msdyn_chat_session"
    );
    assert!(t.tab_template("msdyn_customer_search").is_some());
}

// ---------------------------------------------------------------------------------------------
// Slugs

#[test]
fn slug_global_and_scoped_lookup() {
    let bag = json(
        r#"{"customer":"Contoso","n":7,"flag":false,"none":null,"obj":{"a":1},
            "my_tab":{"customer":"Scoped","only":"here"}}"#,
    );
    let global = SlugContext::new(&bag, "other_tab");
    let scoped = SlugContext::new(&bag, "my_tab");
    assert_eq!(resolve_slugs("Hi {customer}!", &global), "Hi Contoso!");
    assert_eq!(resolve_slugs("Hi {customer}!", &scoped), "Hi Scoped!");
    assert_eq!(resolve_slugs("{only}", &scoped), "here");
    assert_eq!(resolve_slugs("{only}", &global), "");
    assert_eq!(
        resolve_slugs("{n}/{flag}/{none}/{obj}", &global),
        "7/false//{\"a\":1}"
    );
    assert_eq!(
        resolve_slugs("{customer} and {customer}", &global),
        "Contoso and Contoso"
    );
    assert_eq!(resolve_slugs("{missing}", &global), "");
    assert_eq!(resolve_slugs("a{missing}b", &global), "ab");
    assert_eq!(resolve_slugs("no slugs", &global), "no slugs");
    assert_eq!(resolve_slugs("é{customer}ü", &global), "éContosoü");
    // Not placeholders: `{}`, an unclosed brace.
    assert_eq!(
        resolve_slugs("{} and {customer", &global),
        "{} and {customer"
    );
    // A placeholder ends at the first `}`.
    assert_eq!(resolve_slugs("{customer}x}", &global), "Contosox}");
    // Replacements are not scanned again.
    let tricky = json(r#"{"a":"{b}","b":"B"}"#);
    assert_eq!(
        resolve_slugs("{a}{b}", &SlugContext::new(&tricky, "s")),
        "{b}B"
    );
    // A bag that is not an object resolves nothing.
    assert_eq!(
        resolve_slugs("[{x}]", &SlugContext::new(&Json::Null, "s")),
        "[]"
    );
}

#[test]
fn slug_prefixes() {
    let bag = json(
        r#"{"customerName":"Ada","entityId":"global-id","tab-id-1":{"entityId":"from-bag"},
            "scope_t":{"x":"scoped"}}"#,
    );
    let anchor_params = json(r#"{"entityId":"anchor-id","entityName":"incident"}"#);
    let current_params = json(r#"{"entityId":"current-id"}"#);
    let ctx = SlugContext {
        params: &bag,
        scope: "scope_t",
        anchor_tab: Some(TabRef {
            id: "tab-id-1",
            params: &anchor_params,
        }),
        current_tab: Some(TabRef {
            id: "tab-id-2",
            params: &current_params,
        }),
    };
    assert_eq!(resolve_slugs("{ChannelProvider.customerName}", &ctx), "Ada");
    assert_eq!(
        resolve_slugs("{ChannelProvider.a.b.customerName}", &ctx),
        "Ada"
    );
    // Anchor tab: the bag under the tab id first, then the tab's own parameters, then global.
    assert_eq!(
        resolve_slugs("{Session.AnchorTab.entityId}", &ctx),
        "from-bag"
    );
    assert_eq!(
        resolve_slugs("{Session.AnchorTab.entityName}", &ctx),
        "incident"
    );
    assert_eq!(
        resolve_slugs("{Session.AnchorTab.customerName}", &ctx),
        "Ada"
    );
    assert_eq!(
        resolve_slugs("{Session.CurrentTab.entityId}", &ctx),
        "current-id"
    );
    // Other Session.… names keep only the last segment, in the template's scope.
    assert_eq!(resolve_slugs("{Session.Whatever.x}", &ctx), "scoped");
    assert_eq!(resolve_slugs("{Session.customerName}", &ctx), "Ada");
    // Without tabs (e.g. Home), a tab slug falls back to the scope and the bag.
    let no_tabs = SlugContext::new(&bag, "scope_t");
    assert_eq!(
        resolve_slugs("{Session.AnchorTab.entityId}", &no_tabs),
        "global-id"
    );
    assert_eq!(lookup_slug("Session.CurrentTab.nope", &ctx), None);
}

#[test]
fn slug_nesting_one_level() {
    let bag = json(
        r#"{"caseId":"42","kind":"customer","customer":"Contoso",
            "$odata.incident.title.?$filter=incidentid eq '42'":"Broken printer"}"#,
    );
    let ctx = SlugContext::new(&bag, "s");
    // The inner placeholder resolves first, then the outer name.
    assert_eq!(resolve_slugs("{{kind}}", &ctx), "Contoso");
    assert_eq!(
        resolve_slugs(
            "Case: {$odata.incident.title.?$filter=incidentid eq '{caseId}'}",
            &ctx
        ),
        "Case: Broken printer"
    );
    // Unresolved OData slugs become "".
    assert_eq!(
        resolve_slugs(
            "[{$odata.account.name.?$filter=accountid eq '{caseId}'}]",
            &ctx
        ),
        "[]"
    );
    // Two levels are not a placeholder: the outer brace stays, the rest resolves.
    assert_eq!(resolve_slugs("{a{b{c}}}", &ctx), "{a}");
    // OData slugs are listed with their inner placeholders resolved (4 parts only).
    assert_eq!(
        odata_slugs(
            "{$odata.incident.title.?$filter=incidentid eq '{caseId}'} {$odata.bad} {customer} \
             {$odata.incident.title.?$filter=incidentid eq '{caseId}'}",
            &ctx
        ),
        vec!["$odata.incident.title.?$filter=incidentid eq '42'".to_string()]
    );
}

// ---------------------------------------------------------------------------------------------
// Typed parameters

#[test]
fn boolean_conversion_false_list() {
    for text in ["", "0", "no", "No", "NO", "false", "False", "FALSE"] {
        assert!(is_false_text(text), "{text:?}");
        assert!(!to_boolean(&Json::str(text)), "{text:?}");
    }
    for text in [
        "1", "yes", "true", "off", " ", "00", "nope", "0.0", " false",
    ] {
        assert!(!is_false_text(text), "{text:?}");
        assert!(to_boolean(&Json::str(text)), "{text:?}");
    }
    assert!(!to_boolean(&Json::Null));
    assert!(!to_boolean(&json("0")));
    assert!(to_boolean(&json("2")));
    assert!(to_boolean(&json("true")));
    assert!(!to_boolean(&json("false")));
    assert!(to_boolean(&json("[]")));
    assert!(to_boolean(&json("{}")));
}

#[test]
fn typed_conversion() {
    let bag = json(r#"{"who":"Ada"}"#);
    let ctx = SlugContext::new(&bag, "s");
    let conv = |kind: &str, value: &str| convert(kind, &json(value), &ctx);
    assert_eq!(conv("number", r#""42""#), Some(json("42")));
    assert_eq!(conv("number", r#"" -2.5 ""#), Some(json("-2.5")));
    assert_eq!(conv("number", r#""+5""#), Some(json("5")));
    assert_eq!(conv("number", r#""1e3""#), Some(json("1000")));
    assert_eq!(conv("number", r#""""#), Some(json("0")));
    assert_eq!(conv("number", r#""abc""#), Some(json(r#""abc""#)));
    assert_eq!(conv("number", "7"), Some(json("7")));
    assert_eq!(conv("number", "true"), Some(json("1")));
    assert_eq!(conv("Number", r#""3""#), Some(json("3")));
    assert_eq!(conv("boolean", r#""no""#), Some(json("false")));
    assert_eq!(conv("boolean", r#""Yes""#), Some(json("true")));
    assert_eq!(conv("boolean", r#""""#), Some(json("false")));
    assert_eq!(conv("boolean", "1"), Some(json("true")));
    assert_eq!(
        conv("json", r#""{\"a\":[1,2]}""#),
        Some(json(r#"{"a":[1,2]}"#))
    );
    assert_eq!(conv("json", r#""{bad""#), Some(json(r#""{bad""#)));
    assert_eq!(conv("json", "[1]"), Some(json("[1]")));
    assert_eq!(conv("string", r#""Hi {who}""#), Some(json(r#""Hi Ada""#)));
    assert_eq!(conv("string", "5"), Some(json("5")));
    assert_eq!(conv("lookup", r#""{who}""#), Some(json(r#""{who}""#)));
    assert_eq!(conv("", r#"{"k":1}"#), Some(json(r#"{"k":1}"#)));
    for kind in ["number", "boolean", "json", "string", "other"] {
        assert_eq!(conv(kind, "null"), None, "{kind}");
    }
}

fn tab_template() -> TabTemplate {
    TabTemplate::from_json(&json(
        r#"{"name":"contoso_tab","pageType":"entityrecord","parameters":{
            "fixed":{"type":"string","value":"configured"},
            "rt":{"type":"string","isRuntime":true},
            "rtWithDefault":{"type":"number","value":"1","isRuntime":true},
            "slug":{"type":"string","value":"id={caseId}"},
            "flag":{"type":"boolean","value":"false"},
            "data":{"type":"json","value":"{\"x\":1}"}}}"#,
    ))
    .unwrap()
}

#[test]
fn runtime_values_override_configured_ones_as_documented() {
    let template = tab_template();
    let bag = json(
        r#"{"fixed":"global","rt":"g-{caseId}","caseId":"C1","flag":"yes",
            "contoso_tab":{"rtWithDefault":"5","fixed":"per-tab"}}"#,
    );
    let ctx = SlugContext::new(&bag, "contoso_tab");
    assert_eq!(
        resolve_tab_parameters(&template, &ctx, Precedence::Runtime),
        json(
            r#"{"fixed":"per-tab","rt":"g-C1","rtWithDefault":5,"slug":"id=C1","flag":true,"data":{"x":1}}"#
        )
    );
    // The 2020 source: configured values win unless runtime and unset.
    assert_eq!(
        resolve_tab_parameters(&template, &ctx, Precedence::Configured),
        json(
            r#"{"fixed":"configured","rt":"g-C1","rtWithDefault":1,"slug":"id=C1","flag":false,"data":{"x":1}}"#
        )
    );
    // Nothing at run time: configured values, converted; runtime-only parameters left out.
    let empty = json("{}");
    let ctx = SlugContext::new(&empty, "contoso_tab");
    assert_eq!(
        resolve_tab_parameters(&template, &ctx, Precedence::Runtime),
        json(
            r#"{"fixed":"configured","rtWithDefault":1,"slug":"id=","flag":false,"data":{"x":1}}"#
        )
    );
    // A runtime null does not override (documented mode).
    let nulls = json(r#"{"fixed":null}"#);
    let ctx = SlugContext::new(&nulls, "contoso_tab");
    assert_eq!(
        resolve_tab_parameters(&template, &ctx, Precedence::Runtime).get("fixed"),
        Some(&Json::str("configured"))
    );
}

#[test]
fn workspace_precedence_switch() {
    let mut ws = workspace();
    assert_eq!(ws.precedence(), Precedence::Runtime);
    let input = r#"{"templateName":"msdyn_chat_session","templateParameters":{"customer":"C",
        "msdyn_customer_search":{"searchType":"0"},"entityName":"incident"}}"#;
    let id = create(&mut ws, input);
    let s = ws.session(&id).unwrap();
    assert_eq!(
        s.tabs[0].parameters.get("entityName"),
        Some(&Json::str("incident"))
    );
    assert_eq!(s.tabs[1].parameters.get("searchType"), Some(&json("0")));
    ws.set_precedence(Precedence::Configured);
    let id = create(&mut ws, input);
    let s = ws.session(&id).unwrap();
    assert_eq!(
        s.tabs[0].parameters.get("entityName"),
        Some(&Json::str("msdyn_ocliveworkitem"))
    );
    assert_eq!(s.tabs[1].parameters.get("searchType"), Some(&json("1")));
}

// ---------------------------------------------------------------------------------------------
// Sessions

#[test]
fn at_most_ten_sessions() {
    let mut ws = workspace();
    assert!(ws.can_create_session());
    for i in 1..=MAX_SESSIONS {
        assert!(ws.can_create_session());
        assert_eq!(chat(&mut ws, "c"), format!("session-id-{i}"));
    }
    assert!(!ws.can_create_session());
    let err = ws
        .create_session(&json(r#"{"templateName":"msdyn_chat_session"}"#))
        .unwrap_err();
    assert_eq!(err, CifError::SessionLimit);
    assert_eq!(
        err.to_string(),
        "Maximum sessions reached. Close a session before opening another."
    );
    assert_eq!(ws.all_sessions().len(), 10);
    ws.close_session("session-id-3").unwrap();
    assert!(ws.can_create_session());
    // Ids are never reused.
    assert_eq!(chat(&mut ws, "c"), "session-id-11");
    assert!(!ws.can_create_session());
}

#[test]
fn switching_fires_old_false_then_new_true() {
    let mut ws = workspace();
    let a = create(
        &mut ws,
        r#"{"templateName":"msdyn_chat_session","context":{"ticket":1}}"#,
    );
    let done = ws
        .create_session(&json(r#"{"templateName":"CallSessionTemplate"}"#))
        .unwrap();
    let b = done.value.clone();
    assert_eq!(
        cif_events(&done.events),
        vec![
            (
                "onSessionSwitched".to_string(),
                format!(
                    r#"{{"sessionId":"{a}","focussed":false,"focused":false,"context":{{"ticket":1}}}}"#
                )
            ),
            (
                "onSessionSwitched".to_string(),
                format!(r#"{{"sessionId":"{b}","focussed":true,"focused":true,"context":null}}"#)
            ),
        ]
    );
    assert_eq!(ws.focused_session(), Some(b.as_str()));
    assert_eq!(
        ws.get_session(&a).unwrap().get("isFocused"),
        Some(&json("false"))
    );

    // focusSession back to a.
    let done = ws.focus_session(&a).unwrap();
    assert_eq!(
        done.events,
        vec![
            switched(&b, false),
            focused_ev(&a),
            Event::SessionSwitched {
                session_id: a.clone(),
                focused: true,
                context: json(r#"{"ticket":1}"#)
            },
        ]
    );
    // Focusing the focused session changes nothing.
    assert!(ws.focus_session(&a).unwrap().events.is_empty());
    // Home: only the old session's focused:false reaches CIF handlers.
    let done = ws.focus_session(HOME_SESSION_ID).unwrap();
    assert_eq!(cif_events(&done.events).len(), 1, "{:?}", done.events);
    assert_eq!(done.events[1], focused_ev(HOME_SESSION_ID));
    assert_eq!(ws.focused_session(), None);
    assert_eq!(ws.focused_session_id(), HOME_SESSION_ID);
    // From Home into a session: only focused:true.
    let done = ws.focus_session(&b).unwrap();
    assert_eq!(done.events, vec![focused_ev(&b), switched(&b, true)]);
    assert_eq!(ws.all_sessions(), vec![a, b]);
}

#[test]
fn closing_the_focused_session_focuses_the_most_recently_focused() {
    let mut ws = workspace();
    let a = chat(&mut ws, "a");
    let b = chat(&mut ws, "b");
    let c = chat(&mut ws, "c");
    ws.focus_session(&a).unwrap();
    ws.focus_session(&b).unwrap();
    // Focus history: c, a, b (b focused). Closing b goes back to a.
    let done = ws.close_session(&b).unwrap();
    assert!(done.value);
    assert_eq!(
        done.events,
        vec![
            switched(&b, false),
            Event::SessionClosed {
                session_id: b.clone(),
                context: Json::Null
            },
            focused_ev(&a),
            switched(&a, true),
        ]
    );
    assert_eq!(
        cif_events(&done.events)[1],
        (
            "onSessionClosed".to_string(),
            format!(r#"{{"sessionId":"{b}","context":null}}"#)
        )
    );
    assert_eq!(ws.focused_session(), Some(a.as_str()));
    // Closing an unfocused session: only onSessionClosed.
    let done = ws.close_session(&c).unwrap();
    assert_eq!(
        done.events,
        vec![Event::SessionClosed {
            session_id: c.clone(),
            context: Json::Null
        }]
    );
    assert_eq!(ws.focused_session(), Some(a.as_str()));
    // Closing the last one: Home takes focus.
    let done = ws.close_session(&a).unwrap();
    assert_eq!(done.events.last(), Some(&focused_ev(HOME_SESSION_ID)));
    assert_eq!(ws.focused_session(), None);
    assert!(ws.all_sessions().is_empty());
    assert_eq!(
        ws.close_session(&a).unwrap_err(),
        CifError::SessionNotFound(a)
    );
    assert_eq!(
        ws.close_session(HOME_SESSION_ID).unwrap_err().to_string(),
        "The Home session cannot be closed"
    );
    assert_eq!(
        ws.close_session("").unwrap_err(),
        CifError::MissingParameter("sessionId")
    );
}

#[test]
fn closing_focused_session_prefers_home_when_it_was_more_recent() {
    let mut ws = workspace();
    let a = chat(&mut ws, "a");
    ws.focus_session(HOME_SESSION_ID).unwrap();
    let b = chat(&mut ws, "b");
    ws.close_session(&b).unwrap();
    assert_eq!(ws.focused_session_id(), HOME_SESSION_ID);
    assert_eq!(ws.all_sessions(), vec![a]);
}

#[test]
fn get_session_shapes_and_errors() {
    let mut ws = workspace();
    let id = create(
        &mut ws,
        r#"{"templateName":"msdyn_chat_session","context":{"k":[1]},
            "templateParameters":{"conversationId":"conv-1","customerName":"Ada"}}"#,
    );
    assert_eq!(
        ws.get_session(&id).unwrap(),
        json(&format!(
            r#"{{"sessionId":"{id}","conversationId":"conv-1","context":{{"k":[1]}},"isFocused":true,"focused":true}}"#
        ))
    );
    let session = ws.session(&id).unwrap();
    assert_eq!(session.customer_name.as_deref(), Some("Ada"));
    // The conversation tab opens the conversation record.
    assert_eq!(
        session.tabs[0].parameters,
        json(r#"{"entityName":"msdyn_ocliveworkitem","entityId":"conv-1"}"#)
    );
    assert_eq!(ws.session_for_conversation("conv-1"), Some(id.as_str()));
    ws.set_conversation_id(&id, "conv-2").unwrap();
    assert_eq!(ws.session_for_conversation("conv-1"), None);
    assert_eq!(
        ws.get_session(&id).unwrap().get("conversationId"),
        Some(&Json::str("conv-2"))
    );
    assert_eq!(
        ws.set_conversation_id("session-id-9", "x").unwrap_err(),
        CifError::SessionNotFound("session-id-9".into())
    );
    // conversationId from the input or the context.
    let other = create(
        &mut ws,
        r#"{"templateName":"msdyn_chat_session","conversationId":"conv-9","customerName":"Bo","context":{"conversationId":"ignored"}}"#,
    );
    assert_eq!(
        ws.get_session(&other).unwrap().get("conversationId"),
        Some(&Json::str("conv-9"))
    );
    assert_eq!(
        ws.session(&other).unwrap().customer_name.as_deref(),
        Some("Bo")
    );
    let third = create(
        &mut ws,
        r#"{"templateName":"msdyn_chat_session","context":{"conversationId":"conv-c"}}"#,
    );
    assert_eq!(ws.session_for_conversation("conv-c"), Some(third.as_str()));

    let err = ws.get_session("session-id-99").unwrap_err();
    assert_eq!(
        err.to_string(),
        "Session with ID:session-id-99 does not exist"
    );
    assert_eq!(err.name(), "SessionNotFound");
    assert_eq!(
        ws.get_session(HOME_SESSION_ID).unwrap_err(),
        CifError::SessionNotFound(HOME_SESSION_ID.into())
    );
    assert_eq!(
        ws.get_session(" ").unwrap_err().to_string(),
        "The sessionId parameter is required but is null or empty"
    );
}

#[test]
fn create_session_by_tag_and_errors() {
    let mut ws = workspace();
    let id = create(
        &mut ws,
        r#"{"templateTag":"voice","templateParameters":{"customer":"X"}}"#,
    );
    assert_eq!(ws.session(&id).unwrap().template, "CallSessionTemplate");
    // templateName wins over templateTag.
    let id = create(
        &mut ws,
        r#"{"templateName":"msdyn_chat_session","templateTag":"voice"}"#,
    );
    assert_eq!(ws.session(&id).unwrap().title, "Chat with ");

    let err = |ws: &mut Workspace, input: Json| ws.create_session(&input).unwrap_err();
    assert_eq!(err(&mut ws, Json::Null), CifError::NullInput);
    assert_eq!(
        err(&mut ws, Json::Null).to_string(),
        "Some of required parameters are null"
    );
    assert!(matches!(
        err(&mut ws, Json::str("msdyn_chat_session")),
        CifError::InvalidJson(_)
    ));
    assert!(matches!(
        err(&mut ws, json("[1]")),
        CifError::InvalidParameter { name: "input", .. }
    ));
    assert!(matches!(
        err(&mut ws, Json::str("42")),
        CifError::InvalidParameter { name: "input", .. }
    ));
    assert_eq!(
        err(&mut ws, json("{}")),
        CifError::MissingParameter("templateName")
    );
    assert_eq!(
        err(&mut ws, json(r#"{"templateName":""}"#)),
        CifError::MissingParameter("templateName")
    );
    assert_eq!(
        err(&mut ws, json(r#"{"templateName":"nope"}"#)).to_string(),
        "Did not find template by name (nope)"
    );
    assert_eq!(
        err(&mut ws, json(r#"{"templateTag":"nope"}"#)).to_string(),
        "Error retrieving template by tag (nope) : no session template has this tag"
    );
    assert_eq!(
        err(&mut ws, json(r#"{"templateName":"msdyn_case_session"}"#)),
        CifError::TemplateNotGeneric("msdyn_case_session".into())
    );
    assert!(matches!(
        err(
            &mut ws,
            json(r#"{"templateName":"msdyn_chat_session","templateParameters":[1]}"#)
        ),
        CifError::InvalidParameter {
            name: "templateParameters",
            ..
        }
    ));
    // templateParameters as a JSON string is read.
    let id = create(
        &mut ws,
        r#"{"templateName":"msdyn_chat_session","templateParameters":"{\"customer\":\"Str\"}"}"#,
    );
    assert_eq!(ws.session(&id).unwrap().title, "Chat with Str");
    // A template whose tabs are missing.
    let mut broken = Templates::defaults();
    broken.merge(
        Templates::from_json(&json(
            r#"{"sessionTemplates":[
                {"name":"x_noanchor","anchorTab":"x_missing"},
                {"name":"x_noextra","anchorTab":"msdyn_chat_conversation","additionalTabs":["x_gone"]}]}"#,
        ))
        .unwrap(),
    );
    ws.set_templates(broken);
    let count = ws.all_sessions().len();
    assert_eq!(
        err(&mut ws, json(r#"{"templateName":"x_noanchor"}"#)),
        CifError::TemplateNotFound("x_missing".into())
    );
    assert_eq!(
        err(&mut ws, json(r#"{"templateName":"x_noextra"}"#)),
        CifError::TemplateNotFound("x_gone".into())
    );
    // Failed calls create nothing and use no id.
    assert_eq!(ws.all_sessions().len(), count);
    let next = create(&mut ws, r#"{"templateName":"msdyn_chat_session"}"#);
    assert_eq!(next, format!("session-id-{}", count + 1));
}

#[test]
fn session_title_slugs_reach_tabs() {
    let mut ws = workspace();
    ws.set_templates({
        let mut t = Templates::defaults();
        t.merge(
            Templates::from_json(&json(
                r#"{"sessionTemplates":[{"name":"x_s","title":"{Session.AnchorTab.entityId} for {ChannelProvider.customer}",
                    "anchorTab":"x_anchor","additionalTabs":["x_extra"],"applyTitleToAnchorTab":true}],
                    "applicationTabTemplates":[
                    {"name":"x_anchor","title":"anchor","parameters":{"entityId":{"type":"string","value":"{caseId}"}}},
                    {"name":"x_extra","title":"Extra {Session.AnchorTab.entityId}/{Session.CurrentTab.entityId}",
                     "parameters":{"ref":{"type":"string","value":"{Session.AnchorTab.entityId}"}}}]}"#,
            ))
            .unwrap(),
        );
        t
    });
    let id = create(
        &mut ws,
        r#"{"templateName":"x_s","templateParameters":{"caseId":"CAS-1","customer":"Ada"}}"#,
    );
    let s = ws.session(&id).unwrap();
    assert_eq!(s.title, "CAS-1 for Ada");
    // applyTitleToAnchorTab.
    assert_eq!(s.tabs[0].title, "CAS-1 for Ada");
    assert_eq!(s.tabs[1].title, "Extra CAS-1/CAS-1");
    assert_eq!(s.tabs[1].parameters, json(r#"{"ref":"CAS-1"}"#));
}

#[test]
fn request_focus_does_not_move_focus() {
    let mut ws = workspace();
    let a = chat(&mut ws, "a");
    let b = chat(&mut ws, "b");
    let done = ws.request_focus_session(&a, &json("3")).unwrap();
    assert_eq!(
        done.events,
        vec![Event::SessionUpdated {
            session_id: a.clone()
        }]
    );
    assert!(cif_events(&done.events).is_empty());
    assert_eq!(ws.focused_session(), Some(b.as_str()));
    let s = ws.session(&a).unwrap();
    assert!(s.focus_requested);
    assert_eq!(s.messages_count, Some(3.0));
    // A correlation id in second place is not a count.
    ws.request_focus_session(&a, &Json::str("corr-id")).unwrap();
    assert_eq!(ws.session(&a).unwrap().messages_count, None);
    // On the focused session: nothing.
    assert!(ws
        .request_focus_session(&b, &Json::Null)
        .unwrap()
        .events
        .is_empty());
    assert!(!ws.session(&b).unwrap().focus_requested);
    // Taking focus clears it.
    ws.focus_session(&a).unwrap();
    assert!(!ws.session(&a).unwrap().focus_requested);
    assert_eq!(
        ws.request_focus_session("session-id-7", &Json::Null)
            .unwrap_err()
            .to_string(),
        "Session with ID:session-id-7 does not exist"
    );
    assert_eq!(
        ws.request_focus_session("", &Json::Null).unwrap_err(),
        CifError::MissingParameter("sessionId")
    );
}

#[test]
fn set_session_title_rules() {
    let mut ws = workspace();
    // Home focused, no sessionId.
    assert_eq!(
        ws.set_session_title(&json(r#"{"customer":"x"}"#))
            .unwrap_err()
            .to_string(),
        "Focused session does not belong to the provider"
    );
    let call = create(&mut ws, r#"{"templateName":"CallSessionTemplate"}"#);
    // Without sessionId: the focused session; the input is the bag (a JSON string works too).
    let done = ws
        .set_session_title(&Json::str(r#"{"customer":"Eve"}"#))
        .unwrap();
    assert_eq!(done.value, "Call from Eve");
    assert_eq!(
        done.events,
        vec![Event::SessionUpdated {
            session_id: call.clone()
        }]
    );
    assert_eq!(ws.session(&call).unwrap().title, "Call from Eve");
    // Only the input counts: the template params are not consulted.
    assert_eq!(
        ws.set_session_title(&json(r#"{"title":"literal"}"#))
            .unwrap()
            .value,
        "Call from "
    );
    assert_eq!(
        ws.set_session_title(&json(r#"{"sessionId":"session-id-0","title":"x"}"#))
            .unwrap_err(),
        CifError::HomeSession("renamed")
    );
    assert_eq!(
        ws.set_session_title(&json(r#"{"sessionId":"session-id-5"}"#))
            .unwrap_err(),
        CifError::SessionNotFound("session-id-5".into())
    );
    assert_eq!(
        ws.set_session_title(&Json::Null).unwrap_err(),
        CifError::NullInput
    );
    // A template without a title takes input.title.
    ws.set_templates({
        let mut t = Templates::defaults();
        t.merge(
            Templates::from_json(&json(
                r#"{"sessionTemplates":[{"name":"x_untitled","anchorTab":"msdyn_chat_conversation"}]}"#,
            ))
            .unwrap(),
        );
        t
    });
    let untitled = create(&mut ws, r#"{"templateName":"x_untitled"}"#);
    assert_eq!(ws.session(&untitled).unwrap().title, "");
    assert_eq!(
        ws.set_session_title(&json(r#"{"title":"Literal {not resolved}"}"#))
            .unwrap()
            .value,
        "Literal {not resolved}"
    );
    assert_eq!(
        ws.set_session_title(&json(r#"{"customer":"x"}"#))
            .unwrap_err(),
        CifError::MissingParameter("title")
    );
}

#[test]
fn new_activity_and_kpi_breach() {
    let mut ws = workspace();
    let a = chat(&mut ws, "a");
    let b = chat(&mut ws, "b");
    let done = ws.notify_new_activity(&a, &json("4")).unwrap();
    assert_eq!(
        done.events,
        vec![Event::SessionUpdated {
            session_id: a.clone()
        }]
    );
    assert_eq!(ws.session(&a).unwrap().unread, 4);
    // The focused session gets no badge.
    assert!(ws
        .notify_new_activity(&b, &json("2"))
        .unwrap()
        .events
        .is_empty());
    assert_eq!(ws.session(&b).unwrap().unread, 0);
    for bad in ["-1", "1.5", "\"3\"", "null"] {
        assert!(
            matches!(
                ws.notify_new_activity(&a, &json(bad)).unwrap_err(),
                CifError::InvalidParameter { name: "count", .. }
            ),
            "{bad}"
        );
    }
    assert_eq!(
        ws.notify_new_activity("nope", &json("1")).unwrap_err(),
        CifError::SessionNotFound("nope".into())
    );
    // Focus clears the badge.
    ws.focus_session(&a).unwrap();
    assert_eq!(ws.session(&a).unwrap().unread, 0);

    ws.notify_kpi_breach(&b, false, json(r#"{"kpi":"wait"}"#))
        .unwrap();
    assert!(ws.session(&b).unwrap().kpi_breach);
    assert_eq!(
        ws.session(&b).unwrap().kpi_details,
        json(r#"{"kpi":"wait"}"#)
    );
    ws.notify_kpi_breach(&b, true, Json::Null).unwrap();
    assert!(!ws.session(&b).unwrap().kpi_breach);
    assert_eq!(
        ws.notify_kpi_breach(HOME_SESSION_ID, false, Json::Null)
            .unwrap_err(),
        CifError::SessionNotFound(HOME_SESSION_ID.into())
    );
}

#[test]
fn update_context_merges_and_deletes() {
    let mut ws = workspace();
    assert_eq!(
        ws.update_context(&json(r#"{"a":1}"#), "", false)
            .unwrap_err(),
        CifError::InvalidSessionId
    );
    let a = create(
        &mut ws,
        r#"{"templateName":"msdyn_chat_session","templateParameters":{"customer":"C","x":1}}"#,
    );
    let done = ws
        .update_context(&json(r#"{"x":2,"y":"new"}"#), "", false)
        .unwrap();
    assert_eq!(done.value, json(r#"{"customer":"C","x":2,"y":"new"}"#));
    assert_eq!(
        done.events,
        vec![Event::SessionUpdated {
            session_id: a.clone()
        }]
    );
    // Delete by object keys (documented) and by an array of keys (source), JSON strings too.
    let done = ws.update_context(&json(r#"{"x":null}"#), &a, true).unwrap();
    assert_eq!(done.value, json(r#"{"customer":"C","y":"new"}"#));
    let done = ws
        .update_context(&Json::str(r#"["y","absent"]"#), &a, true)
        .unwrap();
    assert_eq!(done.value, json(r#"{"customer":"C"}"#));
    assert_eq!(
        ws.session(&a).unwrap().template_params,
        json(r#"{"customer":"C"}"#)
    );
    // The bag feeds later tabs.
    ws.update_context(&json(r#"{"customer":"Later"}"#), &a, false)
        .unwrap();
    let tab = ws
        .create_tab(&json(r#"{"templateName":"msdyn_customer_search"}"#))
        .unwrap()
        .value;
    assert_eq!(
        ws.session(&a).unwrap().tab(&tab).unwrap().title,
        "Search: Later"
    );
    for (input, id, delete) in [
        (r#"{"a":1}"#, "session-id-9", false),
        (r#"{"a":1}"#, HOME_SESSION_ID, false),
    ] {
        let err = ws.update_context(&json(input), id, delete).unwrap_err();
        assert_eq!(err.to_string(), "Please provide valid session id");
    }
    assert!(matches!(
        ws.update_context(&json("[1]"), &a, false).unwrap_err(),
        CifError::InvalidParameter { name: "input", .. }
    ));
    assert!(matches!(
        ws.update_context(&json("3"), &a, true).unwrap_err(),
        CifError::InvalidParameter { name: "input", .. }
    ));
    assert_eq!(
        ws.update_context(&Json::Null, &a, false).unwrap_err(),
        CifError::NullInput
    );
}

// ---------------------------------------------------------------------------------------------
// Tabs

#[test]
fn create_tab_focus_and_resolution() {
    let mut ws = workspace();
    let s = create(
        &mut ws,
        r#"{"templateName":"msdyn_chat_session","templateParameters":{"customer":"C","conversationId":"conv-7"}}"#,
    );
    ws.set_templates({
        let mut t = Templates::defaults();
        t.merge(
            Templates::from_json(&json(
                r#"{"applicationTabTemplates":[{"name":"x_case","pageType":"entityrecord","title":"Case of {customer}",
                    "tags":["Case"],"parameters":{"entityName":{"type":"string","value":"incident"},
                    "conv":{"type":"string","value":"{Session.AnchorTab.entityId}"},
                    "validateRecord":{"type":"boolean","value":"no"},
                    "data":{"type":"json","isRuntime":true}}}]}"#,
            ))
            .unwrap(),
        );
        t
    });
    // isFocused defaults to false.
    let done = ws
        .create_tab(&json(
            r#"{"templateName":"x_case","templateParameters":{"customer":"Override","data":"{\"title\":\"t\"}"}}"#,
        ))
        .unwrap();
    let t1 = done.value.clone();
    assert_eq!(done.events, vec![tab_ev(tab_created, &s, &t1)]);
    assert_eq!(ws.focused_tab(), Some("tab-id-1"));
    let tab = ws.session(&s).unwrap().tab(&t1).unwrap().clone();
    assert_eq!(tab.title, "Case of Override");
    assert!(!tab.is_anchor);
    assert_eq!(
        tab.parameters,
        json(
            r#"{"entityName":"incident","conv":"conv-7","validateRecord":false,"data":{"title":"t"}}"#
        )
    );
    // The session's bag is not changed by a tab's templateParameters.
    assert_eq!(
        ws.session(&s).unwrap().template_params.get("customer"),
        Some(&Json::str("C"))
    );
    // isFocused: true.
    let done = ws
        .create_tab(&Json::str(r#"{"templateName":"x_case","isFocused":true}"#))
        .unwrap();
    let t2 = done.value.clone();
    assert_eq!(
        done.events,
        vec![tab_ev(tab_created, &s, &t2), tab_ev(tab_focused, &s, &t2)]
    );
    assert_eq!(ws.focused_tab(), Some(t2.as_str()));
    // {Session.CurrentTab.x} now sees the focused tab.
    ws.set_templates({
        let mut t = ws.templates().clone();
        t.merge(
            Templates::from_json(&json(
                r#"{"applicationTabTemplates":[{"name":"x_cur","title":"{Session.CurrentTab.entityName}"}]}"#,
            ))
            .unwrap(),
        );
        t
    });
    let t3 = ws
        .create_tab(&json(r#"{"templateName":"x_cur"}"#))
        .unwrap()
        .value;
    assert_eq!(ws.session(&s).unwrap().tab(&t3).unwrap().title, "incident");

    // Errors.
    assert_eq!(
        ws.create_tab(&json("{}")).unwrap_err(),
        CifError::MissingParameter("templateName")
    );
    assert_eq!(
        ws.create_tab(&json(r#"{"templateName":"x_nope"}"#))
            .unwrap_err(),
        CifError::TemplateNotFound("x_nope".into())
    );
    assert!(matches!(
        ws.create_tab(&json(
            r#"{"templateName":"x_case","templateParameters":"[]"}"#
        ))
        .unwrap_err(),
        CifError::InvalidParameter {
            name: "templateParameters",
            ..
        }
    ));
    assert_eq!(ws.create_tab(&Json::Null).unwrap_err(), CifError::NullInput);
}

#[test]
fn tabs_in_the_home_session() {
    let mut ws = workspace();
    assert_eq!(ws.focused_tab(), None);
    assert!(ws.get_tabs(None, &Json::Null).unwrap().is_empty());
    // The first tab of a session without a focused tab takes focus.
    let done = ws
        .create_tab(&json(r#"{"templateName":"msdyn_customer_search"}"#))
        .unwrap();
    let t1 = done.value.clone();
    assert_eq!(
        done.events,
        vec![
            tab_ev(tab_created, HOME_SESSION_ID, &t1),
            tab_ev(tab_focused, HOME_SESSION_ID, &t1)
        ]
    );
    assert_eq!(ws.focused_tab(), Some(t1.as_str()));
    let t2 = ws
        .create_tab(&json(r#"{"templateName":"msdyn_chat_conversation"}"#))
        .unwrap()
        .value;
    assert_eq!(ws.focused_tab(), Some(t1.as_str()));
    // Home has no anchor tab: every tab can be closed.
    ws.close_tab(&t1).unwrap();
    assert_eq!(ws.focused_tab(), Some(t2.as_str()));
    ws.close_tab(&t2).unwrap();
    assert_eq!(ws.focused_tab(), None);
    assert_eq!(ws.session(HOME_SESSION_ID).unwrap().tabs.len(), 0);
}

#[test]
fn get_tabs_focus_refresh_title_close() {
    let mut ws = workspace();
    let other = chat(&mut ws, "other");
    let other_tab = ws.session(&other).unwrap().tabs[1].id.clone();
    let s = chat(&mut ws, "Ada");
    let tabs: Vec<String> = ws
        .session(&s)
        .unwrap()
        .tabs
        .iter()
        .map(|t| t.id.clone())
        .collect();
    let (anchor, search) = (tabs[0].clone(), tabs[1].clone());
    let extra = ws
        .create_tab(&json(r#"{"templateName":"msdyn_customer_search"}"#))
        .unwrap()
        .value;

    // getTabs: by name, else by tags, else all.
    assert_eq!(
        ws.get_tabs(Some("msdyn_customer_search"), &Json::str("conversation"))
            .unwrap(),
        vec![search.clone(), extra.clone()]
    );
    assert_eq!(
        ws.get_tabs(None, &json(r#"["CONVERSATION"]"#)).unwrap(),
        vec![anchor.clone()]
    );
    assert_eq!(
        ws.get_tabs(Some(""), &json(r#"["search","conversation"]"#))
            .unwrap(),
        vec![anchor.clone(), search.clone(), extra.clone()]
    );
    assert_eq!(ws.get_tabs(None, &Json::Null).unwrap().len(), 3);
    assert!(ws.get_tabs(Some("nope"), &Json::Null).unwrap().is_empty());
    assert!(matches!(
        ws.get_tabs(None, &json("7")).unwrap_err(),
        CifError::InvalidParameter { name: "tags", .. }
    ));

    // focusTab.
    let done = ws.focus_tab(&search).unwrap();
    assert_eq!(done.events, vec![tab_ev(tab_focused, &s, &search)]);
    assert_eq!(ws.focused_tab(), Some(search.as_str()));
    assert!(ws.focus_tab(&search).unwrap().events.is_empty());
    let err = ws.focus_tab(&other_tab).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("Tab with ID:{other_tab} does not exist in the focused session")
    );
    assert_eq!(
        ws.focus_tab("").unwrap_err(),
        CifError::MissingParameter("tabId")
    );

    // refreshTab.
    let done = ws.refresh_tab(&extra).unwrap();
    assert!(done.value);
    assert_eq!(
        done.events,
        vec![Event::TabRefreshed {
            session_id: s.clone(),
            tab_id: extra.clone()
        }]
    );
    assert_eq!(
        ws.refresh_tab("tab-id-999").unwrap_err().name(),
        "TabNotFound"
    );

    // setTabTitle: the template title resolved with the input.
    let done = ws
        .set_tab_title(&search, &json(r#"{"customer":"Bob"}"#))
        .unwrap();
    assert_eq!(done.value, "Search: Bob");
    assert_eq!(
        done.events,
        vec![Event::TabUpdated {
            session_id: s.clone(),
            tab_id: search.clone()
        }]
    );
    assert_eq!(
        ws.session(&s).unwrap().tab(&search).unwrap().title,
        "Search: Bob"
    );
    assert_eq!(
        ws.set_tab_title(&other_tab, &json("{}")).unwrap_err(),
        CifError::TabNotFound(other_tab.clone())
    );
    assert_eq!(
        ws.set_tab_title(&search, &Json::Null).unwrap_err(),
        CifError::NullInput
    );

    // closeTab: not the anchor; the focused tab passes focus to the one before it.
    let err = ws.close_tab(&anchor).unwrap_err();
    assert_eq!(err, CifError::AnchorTab);
    assert_eq!(
        err.to_string(),
        "The anchor tab of a session cannot be closed"
    );
    let done = ws.close_tab(&search).unwrap();
    assert!(done.value);
    assert_eq!(
        done.events,
        vec![
            Event::TabClosed {
                session_id: s.clone(),
                tab_id: search.clone()
            },
            tab_ev(tab_focused, &s, &anchor),
        ]
    );
    assert_eq!(ws.focused_tab(), Some(anchor.as_str()));
    // Closing an unfocused tab moves nothing.
    let done = ws.close_tab(&extra).unwrap();
    assert_eq!(done.events.len(), 1);
    assert_eq!(
        ws.close_tab(&extra).unwrap_err(),
        CifError::TabNotFound(extra)
    );
    assert_eq!(ws.get_tabs(None, &Json::Null).unwrap(), vec![anchor]);
    // The other session's tabs are untouched.
    assert_eq!(ws.session(&other).unwrap().tabs.len(), 2);
}

#[test]
fn close_focused_first_non_anchor_tab_in_home_focuses_next() {
    let mut ws = workspace();
    let t1 = ws
        .create_tab(&json(r#"{"templateName":"msdyn_customer_search"}"#))
        .unwrap()
        .value;
    let t2 = ws
        .create_tab(&json(r#"{"templateName":"msdyn_customer_search"}"#))
        .unwrap()
        .value;
    let t3 = ws
        .create_tab(&json(r#"{"templateName":"msdyn_customer_search"}"#))
        .unwrap()
        .value;
    ws.focus_tab(&t2).unwrap();
    ws.close_tab(&t2).unwrap();
    assert_eq!(ws.focused_tab(), Some(t1.as_str()));
    ws.close_tab(&t1).unwrap();
    assert_eq!(ws.focused_tab(), Some(t3.as_str()));
}

#[test]
fn set_tab_title_without_template_title() {
    let mut ws = workspace();
    ws.set_templates({
        let mut t = Templates::defaults();
        t.merge(
            Templates::from_json(&json(r#"{"applicationTabTemplates":[{"name":"x_plain"}]}"#))
                .unwrap(),
        );
        t
    });
    let tab = ws
        .create_tab(&json(r#"{"templateName":"x_plain","isFocused":"true"}"#))
        .unwrap()
        .value;
    assert_eq!(ws.focused_tab(), Some(tab.as_str()));
    assert_eq!(
        ws.set_tab_title(&tab, &json(r#"{"title":"Literal {x}"}"#))
            .unwrap()
            .value,
        "Literal {x}"
    );
    assert_eq!(
        ws.set_tab_title(&tab, &json(r#"{"x":1}"#)).unwrap_err(),
        CifError::MissingParameter("title")
    );
}

// ---------------------------------------------------------------------------------------------
// Presence, panel, events

#[test]
fn presence() {
    let mut ws = workspace();
    assert_eq!(ws.get_presence(), "Available");
    let done = ws.set_presence(&Json::str("Busy")).unwrap();
    assert!(done.value);
    assert_eq!(
        cif_events(&done.events),
        vec![(
            "onPresenceChange".to_string(),
            r##"{"presenceId":"busy","presenceInfo":{"basePresenceStatus":"BUSY","presenceColor":"#FF0000","presenceId":"busy","presenceText":"Busy"}}"##
                .to_string()
        )]
    );
    assert_eq!(ws.get_presence(), "Busy");
    // The same presence again: no event.
    assert!(ws
        .set_presence(&Json::str("Busy"))
        .unwrap()
        .events
        .is_empty());
    // Exact match only.
    let done = ws.set_presence(&Json::str("busy")).unwrap();
    assert!(!done.value && done.events.is_empty());
    assert_eq!(ws.get_presence(), "Busy");
    assert!(matches!(
        ws.set_presence(&json("1")).unwrap_err(),
        CifError::InvalidParameter {
            name: "presenceText",
            ..
        }
    ));
    // A served list without the current presence: it becomes unknown.
    let list = Presence::list_from_json(&json(
        r##"[{"presenceId":"p1","presenceText":"On a call","basePresenceStatus":"BUSY","presenceColor":"#f00"}]"##,
    ))
    .unwrap();
    ws.set_presences(list.clone());
    assert_eq!(ws.presences(), list.as_slice());
    assert_eq!(ws.presence(), None);
    assert_eq!(ws.get_presence(), "FAILED");
    let done = ws.set_presence(&Json::str("On a call")).unwrap();
    assert!(done.value);
    assert_eq!(done.events, vec![Event::PresenceChanged(list[0].clone())]);
    // A list that still has it keeps it.
    let mut longer = Presence::defaults();
    longer.push(list[0].clone());
    ws.set_presences(longer);
    assert_eq!(ws.get_presence(), "On a call");
    assert!(Presence::list_from_json(&json("{}")).is_err());
    assert!(Presence::list_from_json(&json(r#"[{"presenceId":"x"}]"#)).is_err());
    // No presences at all.
    ws.set_presences(Vec::new());
    assert!(!ws.set_presence(&Json::str("Busy")).unwrap().value);
    assert_eq!(ws.get_presence(), "FAILED");
}

#[test]
fn mode_only_0_1_2_and_per_session() {
    let mut ws = workspace();
    assert_eq!(ws.mode(), MODE_DOCKED);
    for bad in ["3", "-1", "1.5", "\"1\"", "null", "true", "[0]"] {
        let err = ws.set_mode(&json(bad)).unwrap_err();
        assert_eq!(err, CifError::InvalidMode, "{bad}");
        assert_eq!(
            err.to_string(),
            "The setMode paramter value must be 0, 1 or 2."
        );
    }
    let done = ws.set_mode(&json("0")).unwrap();
    assert_eq!(
        cif_events(&done.events),
        vec![("onmodechanged".to_string(), "0".to_string())]
    );
    assert!(ws.set_mode(&json("0")).unwrap().events.is_empty());
    assert_eq!(ws.mode(), MODE_MINIMIZED);
    // A new session applies its template's mode (docked); Home remembers minimized.
    let done = ws
        .create_session(&json(r#"{"templateName":"msdyn_chat_session"}"#))
        .unwrap();
    let a = done.value.clone();
    assert!(done.events.contains(&Event::ModeChanged(MODE_DOCKED)));
    assert_eq!(ws.mode(), MODE_DOCKED);
    ws.set_mode(&json("2")).unwrap();
    let done = ws.focus_session(HOME_SESSION_ID).unwrap();
    assert_eq!(
        done.events.last(),
        Some(&Event::ModeChanged(MODE_MINIMIZED))
    );
    let done = ws.focus_session(&a).unwrap();
    assert_eq!(done.events.last(), Some(&Event::ModeChanged(MODE_HIDDEN)));
    assert_eq!(ws.mode(), MODE_HIDDEN);
}

#[test]
fn width() {
    let mut ws = workspace();
    assert_eq!(ws.width(), 340.0);
    let done = ws.set_width(&json("420")).unwrap();
    assert_eq!(
        cif_events(&done.events),
        vec![("onsizechanged".to_string(), "420".to_string())]
    );
    assert!(ws.set_width(&json("420")).unwrap().events.is_empty());
    assert_eq!(ws.width(), 420.0);
    ws.set_width(&json("0")).unwrap();
    for bad in ["-1", "\"400\"", "null"] {
        assert!(
            matches!(
                ws.set_width(&json(bad)).unwrap_err(),
                CifError::InvalidParameter { name: "width", .. }
            ),
            "{bad}"
        );
    }
}

#[test]
fn custom_events_and_handlers() {
    let mut ws = workspace();
    ws.add_handler("onSessionSwitched", 1).unwrap();
    ws.add_handler("onsessionswitched", 2).unwrap();
    ws.add_handler("onSessionSwitched", 1).unwrap(); // once only
    ws.add_handler("myEvent", 3).unwrap();
    ws.add_handler("onclicktoact", 1).unwrap();
    assert_eq!(ws.handlers().for_event("ONSESSIONSWITCHED"), vec![1, 2]);
    assert_eq!(ws.handlers().for_event("myEvent"), vec![3]);
    assert_eq!(
        ws.add_handler(" ", 4).unwrap_err(),
        CifError::MissingParameter("eventName")
    );
    assert!(ws.remove_handler("onSessionSwitched", 1));
    assert!(!ws.remove_handler("onSessionSwitched", 1));
    assert_eq!(ws.handlers().for_event("onSessionSwitched"), vec![2]);
    assert!(ws.handlers().is_used(1));
    assert!(ws.remove_handler("onclicktoact", 1));
    assert!(!ws.handlers().is_used(1));

    let done = ws.raise_event("myEvent", json(r#"{"a":1}"#)).unwrap();
    assert_eq!(
        cif_events(&done.events),
        vec![("myEvent".to_string(), r#"{"a":1}"#.to_string())]
    );
    // A string payload is passed as it is.
    let done = ws
        .raise_event("onclicktoact", Json::str(r#"{"value":"+1 555"}"#))
        .unwrap();
    assert_eq!(done.events[0].handler_argument(), r#"{"value":"+1 555"}"#);
    assert_eq!(done.events[0].cif_name(), Some("onclicktoact"));
    assert_eq!(
        ws.raise_event("", Json::Null).unwrap_err(),
        CifError::MissingParameter("eventName")
    );
    // Console events have no CIF name.
    let console = Event::TabCreated {
        session_id: "s".into(),
        tab_id: "t".into(),
    };
    assert_eq!(console.cif_name(), None);
    assert_eq!(console.payload(), json(r#"{"sessionId":"s","tabId":"t"}"#));
    assert_eq!(focused_ev("s").payload(), json(r#"{"sessionId":"s"}"#));
}

// ---------------------------------------------------------------------------------------------
// Errors

#[test]
fn every_error_has_a_distinct_name_and_code() {
    let all = [
        CifError::NullInput,
        CifError::InvalidJson("x".into()),
        CifError::MissingParameter("sessionId"),
        CifError::invalid("width", "bad"),
        CifError::TemplateNotFound("t".into()),
        CifError::TemplateTagNotFound("t".into()),
        CifError::TemplateNotGeneric("t".into()),
        CifError::SessionLimit,
        CifError::SessionNotFound("s".into()),
        CifError::FocusedSessionNotOwned,
        CifError::InvalidSessionId,
        CifError::HomeSession("closed"),
        CifError::TabNotFound("t".into()),
        CifError::AnchorTab,
        CifError::InvalidMode,
        CifError::InvalidTemplates("x".into()),
        CifError::NotInitialized,
        CifError::NotSignedIn,
        CifError::Server {
            status: 404,
            message: "not found".into(),
        },
    ];
    for (i, error) in all.iter().enumerate() {
        assert_eq!(usize::from(error.code()), i + 1, "{error:?}");
        assert!(!error.to_string().is_empty());
        for other in &all[i + 1..] {
            assert_ne!(error.name(), other.name());
        }
        assert!(format!("{error:?}").starts_with(error.name()));
    }
}

#[test]
fn api_error_carries_msdyn_name_and_code() {
    let mut ws = workspace();
    let error = ws.get_session("session-id-4").unwrap_err().at("getSession");
    assert_eq!(
        error.message(),
        "Session with ID:session-id-4 does not exist"
    );
    assert_eq!(error.msdyn_name(), "getSession");
    assert_eq!(error.error_code(), 9);
    assert_eq!(error.to_string(), error.message());
    assert_eq!(
        error.to_json(),
        json(
            r#"{"message":"Session with ID:session-id-4 does not exist","msdyn_name":"getSession","errorCode":9}"#
        )
    );
    let error = ws.set_mode(&json("5")).unwrap_err().at("setMode");
    assert_eq!(error.error.name(), "InvalidMode");
    assert_eq!(error.error_code(), 15);
}

#[test]
fn conversations_errors_convert() {
    use crate::core::odata::conversations_query;
    let to_cif = |input: Json| CifError::from(conversations_query(&input, 0.0).unwrap_err());
    let missing = to_cif(json("{}"));
    assert_eq!(missing, CifError::MissingParameter("agentId"));
    assert_eq!(
        missing.at("getConversations").to_json().get("message"),
        Some(&Json::str(
            "The agentId parameter is required but is null or empty"
        ))
    );
    assert_eq!(to_cif(Json::Null), CifError::NullInput);
    assert!(matches!(to_cif(Json::str("{")), CifError::InvalidJson(_)));
    assert!(matches!(
        to_cif(json(r#"{"agentId":"a","status":["x"]}"#)),
        CifError::InvalidParameter { name: "status", .. }
    ));
}

#[test]
fn hostile_input_never_panics() {
    let bag = json(r#"{"a":"{b}","b":"é","{a}":"x","":"empty"}"#);
    let ctx = SlugContext::new(&bag, "a");
    let pieces = [
        "{",
        "}",
        "a",
        "é",
        "😀",
        "{a}",
        "{{a}}",
        "Session.",
        "AnchorTab.",
        ".",
        "$odata",
        "",
    ];
    for p in pieces {
        for q in pieces {
            for r in pieces {
                let text = format!("{p}{q}{r}");
                let _ = resolve_slugs(&text, &ctx);
                let _ = odata_slugs(&text, &ctx);
            }
        }
    }
    let mut ws = workspace();
    for input in [
        "null",
        "true",
        "0",
        "\"\"",
        "\"{\"",
        "[]",
        "{}",
        r#"{"templateName":7}"#,
        r#"{"templateName":"msdyn_chat_session","templateParameters":{"customer":{"deep":[1,{"x":null}]}}}"#,
        r#"{"templateName":"msdyn_chat_session","templateParameters":{"msdyn_customer_search":"not an object"}}"#,
        r#"{"templateTag":["chat"]}"#,
        r#"{"templateName":"msdyn_chat_session","context":"{"}"#,
    ] {
        let value = json(input);
        let _ = ws.create_session(&value);
        let _ = ws.create_tab(&value);
        let _ = ws.set_session_title(&value);
        let _ = ws.update_context(&value, "", true);
        let _ = ws.set_mode(&value);
        let _ = ws.set_width(&value);
        let _ = ws.set_presence(&value);
        let _ = ws.get_tabs(None, &value);
        let _ = Templates::from_json(&value);
    }
    // An object as a slug value prints as JSON. (The session title was resolved again by
    // setSessionTitle with the input itself as the bag, where `customer` is absent.)
    let id = ws.all_sessions()[0].clone();
    let session = ws.session(&id).unwrap();
    assert_eq!(session.title, "Chat with ");
    assert_eq!(session.tabs[1].title, r#"Search: {"deep":[1,{"x":null}]}"#);
}
