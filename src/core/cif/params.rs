//! Template parameters: typed conversion and the resolution of parameterised strings (slugs),
//! as in cif-omnichannel.md A.3.
//!
//! # Slugs
//!
//! [`resolve_slugs`] replaces each `{name}` in a string with a value from the template-params
//! bag (the `templateParameters` of the call, for a session also its automation dictionary):
//!
//! 1. `{ChannelProvider.x}` → key `x`; `{Session.AnchorTab.x}` / `{Session.CurrentTab.x}` →
//!    key `x` in the scope of that tab of the session being worked on (any other
//!    `Session.….x` → key `x`): only the last dot-separated segment is kept.
//! 2. Lookup: `bag[scope][key]`, then `bag[key]`. The scope is the unique name of the template
//!    being instantiated; for a tab slug it is the tab, where `bag[<tab id>][key]` is tried, then
//!    the tab's own resolved parameters, then `bag[key]`.
//! 3. One level of nesting: in `{$odata.incident.title.?$filter=incidentid eq '{caseId}'}` the
//!    inner placeholders are resolved first, then the outer name is looked up. `{$odata.…}`
//!    placeholders are not queried (no I/O here): they resolve from the bag under their resolved
//!    name if the caller put a value there (see [`odata_slugs`]), else to `""`.
//! 4. Values: strings as they are, numbers as JS prints them, booleans `true`/`false`, `null`
//!    as `""`, arrays and objects as JSON. An unresolved placeholder becomes `""`.
//!
//! Differences from the CIF source, all deliberate: placeholders end at the first `}` (the
//! source's regex could run to a later one: `{a}x}`), `{}` is left as it is, a replacement is
//! never scanned again for placeholders, and `0`/`false` print as `0`/`false` (the source's
//! `val || ""` dropped them).
//!
//! # Parameters
//!
//! [`resolve_tab_parameters`] gives an application tab's page input: for each configured
//! parameter, the runtime value (`bag[<tab template name>][param]`, else `bag[param]`) or the
//! configured one, converted by type ([`convert`]). With [`Precedence::Runtime`] (the default,
//! as documented) a supplied runtime value always wins; [`Precedence::Configured`] is the 2020
//! source's rule (the configured value wins unless the parameter is runtime and has none).

use crate::core::json::Json;

use super::templates::TabTemplate;

/// Which value wins when a parameter has both a configured and a runtime value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Precedence {
    /// Documented: "these values will override configured values".
    #[default]
    Runtime,
    /// The 2020 CIF source: `isRuntime && value == null ? runtime : configured`.
    Configured,
}

/// A tab that `{Session.AnchorTab.x}` / `{Session.CurrentTab.x}` can refer to.
#[derive(Debug, Clone, Copy)]
pub struct TabRef<'a> {
    pub id: &'a str,
    /// Its resolved parameters (a JSON object).
    pub params: &'a Json,
}

/// Everything slug resolution reads.
#[derive(Debug, Clone, Copy)]
pub struct SlugContext<'a> {
    /// The template-params bag (a JSON object; anything else resolves nothing).
    pub params: &'a Json,
    /// The unique name of the template being instantiated.
    pub scope: &'a str,
    pub anchor_tab: Option<TabRef<'a>>,
    pub current_tab: Option<TabRef<'a>>,
}

impl<'a> SlugContext<'a> {
    /// A context with no tabs.
    pub fn new(params: &'a Json, scope: &'a str) -> Self {
        SlugContext {
            params,
            scope,
            anchor_tab: None,
            current_tab: None,
        }
    }
}

/// The text a value takes in a resolved string.
pub fn value_text(value: &Json) -> String {
    match value {
        Json::String(text) => text.clone(),
        Json::Null => String::new(),
        other => other.to_string(),
    }
}

/// The length in bytes of the placeholder at the start of `text` (which starts with `{`),
/// allowing one level of nested `{…}`; `None` when it is not closed or nests deeper.
fn placeholder_len(text: &str) -> Option<usize> {
    let mut nested = false;
    for (i, byte) in text.bytes().enumerate().skip(1) {
        match byte {
            b'{' if nested => return None,
            b'{' => nested = true,
            b'}' if nested => nested = false,
            b'}' => return Some(i + 1),
            _ => {}
        }
    }
    None
}

/// Calls `found` with the name of each placeholder of `input` (inner placeholders resolved)
/// and appends to the returned string the text between them and what `found` returns.
fn scan(input: &str, ctx: &SlugContext<'_>, found: &mut dyn FnMut(&str) -> String) -> String {
    let mut out = String::with_capacity(input.len());
    let mut rest = input;
    while let Some(open) = rest.find('{') {
        let (before, after) = rest.split_at(open);
        out.push_str(before);
        match placeholder_len(after).filter(|len| *len > 2) {
            Some(len) => {
                // `{` and `}` are ASCII, so these are character boundaries.
                let inner = after.get(1..len - 1).unwrap_or_default();
                let name = if inner.contains('{') {
                    resolve_slugs(inner, ctx)
                } else {
                    inner.to_owned()
                };
                out.push_str(&found(&name));
                rest = after.get(len..).unwrap_or_default();
            }
            None => {
                out.push('{');
                rest = after.get(1..).unwrap_or_default();
            }
        }
    }
    out.push_str(rest);
    out
}

/// Resolves the placeholders of `input` (see the module docs).
pub fn resolve_slugs(input: &str, ctx: &SlugContext<'_>) -> String {
    if !input.contains('{') {
        return input.to_owned();
    }
    scan(input, ctx, &mut |name| {
        lookup_slug(name, ctx).map(value_text).unwrap_or_default()
    })
}

/// The value a placeholder name resolves to, if any (see the module docs for the rules).
pub fn lookup_slug<'a>(name: &str, ctx: &SlugContext<'a>) -> Option<&'a Json> {
    let params = ctx.params;
    let mut key = name;
    let mut tab = None;
    if name.starts_with("ChannelProvider") || name.starts_with("Session") {
        key = name.rsplit('.').next().unwrap_or(name);
        if name.starts_with("Session") {
            tab = match name.split('.').nth(1) {
                Some("AnchorTab") => ctx.anchor_tab,
                Some("CurrentTab") => ctx.current_tab,
                _ => None,
            };
        }
    }
    let scoped = match tab {
        Some(tab) => params
            .get(tab.id)
            .and_then(|bag| bag.get(key))
            .or_else(|| tab.params.get(key)),
        None => params.get(ctx.scope).and_then(|bag| bag.get(key)),
    };
    scoped.or_else(|| params.get(key))
}

/// The resolved names of the `{$odata.<entity>.<attribute>.<query>}` placeholders of `input`
/// (exactly four dot-separated parts, as the CIF source requires). A caller that can run the
/// queries puts each result in the bag under its name before resolving.
pub fn odata_slugs(input: &str, ctx: &SlugContext<'_>) -> Vec<String> {
    let mut names = Vec::new();
    scan(input, ctx, &mut |name| {
        if name.starts_with("$odata.")
            && name.split('.').count() == 4
            && !names.iter().any(|n| n == name)
        {
            names.push(name.to_owned());
        }
        String::new()
    });
    names
}

/// Whether a text is one of the boolean false values: `""`, `"0"`, `"no"`, `"false"` (any
/// case); every other text is true (the 2020 CIF rule).
pub fn is_false_text(text: &str) -> bool {
    text.is_empty()
        || text == "0"
        || text.eq_ignore_ascii_case("no")
        || text.eq_ignore_ascii_case("false")
}

/// The boolean a value converts to: strings by [`is_false_text`], numbers false for 0 and NaN,
/// null false, arrays and objects true.
pub fn to_boolean(value: &Json) -> bool {
    match value {
        Json::Bool(flag) => *flag,
        Json::String(text) => !is_false_text(text),
        Json::Number(n) => *n != 0.0 && !n.is_nan(),
        Json::Null => false,
        Json::Array(_) | Json::Object(_) => true,
    }
}

/// Converts a parameter value by its configured type (`number`, `boolean`, `json`, `string`,
/// in any case; other types pass the value through). `None` for a null value: the parameter
/// is left out. A value that does not convert is kept as it is (CIF logs and keeps it):
///
/// - `number`: numbers as they are; strings trimmed and read as JSON numbers (`""` is 0, as
///   `Number("")` is); booleans 1/0;
/// - `boolean`: [`to_boolean`];
/// - `json`: strings parsed as JSON;
/// - `string`: strings with their slugs resolved ([`resolve_slugs`]).
pub fn convert(kind: &str, value: &Json, ctx: &SlugContext<'_>) -> Option<Json> {
    if value.is_null() {
        return None;
    }
    let is = |name: &str| kind.eq_ignore_ascii_case(name);
    Some(match value {
        Json::String(text) if is("number") => {
            let text = text.trim();
            let text = text.strip_prefix('+').unwrap_or(text);
            if text.is_empty() {
                Json::Number(0.0)
            } else {
                match Json::parse(text) {
                    Ok(number @ Json::Number(_)) => number,
                    _ => value.clone(),
                }
            }
        }
        Json::Bool(flag) if is("number") => Json::Number(if *flag { 1.0 } else { 0.0 }),
        _ if is("boolean") => Json::Bool(to_boolean(value)),
        Json::String(text) if is("json") => Json::parse(text).unwrap_or_else(|_| value.clone()),
        Json::String(text) if is("string") => Json::String(resolve_slugs(text, ctx)),
        other => other.clone(),
    })
}

static NULL: Json = Json::Null;

/// The page input of a tab from its template: each configured parameter, with the runtime
/// value or the configured one (per `precedence`), converted by type. `ctx.scope` should be the
/// template's unique name.
pub fn resolve_tab_parameters(
    template: &TabTemplate,
    ctx: &SlugContext<'_>,
    precedence: Precedence,
) -> Json {
    let mut out = Vec::with_capacity(template.parameters.len());
    for (name, def) in &template.parameters {
        let runtime = ctx
            .params
            .get(&template.name)
            .and_then(|bag| bag.get(name))
            .or_else(|| ctx.params.get(name));
        let chosen = match precedence {
            Precedence::Runtime => runtime.filter(|v| !v.is_null()).unwrap_or(&def.value),
            Precedence::Configured if def.is_runtime && def.value.is_null() => {
                runtime.unwrap_or(&NULL)
            }
            Precedence::Configured => &def.value,
        };
        if let Some(value) = convert(&def.kind, chosen, ctx) {
            out.push((name.clone(), value));
        }
    }
    Json::Object(out)
}
