//! The route table of the REST faces, and the OpenAPI 3 document made from it.
//!
//! Every REST route of the server is added to an [`ApiTable`] with its description (method,
//! path, operation id, summary, parameters, request and response schemas). The table builds
//! the axum router *and* the OpenAPI document (`GET /api/openapi.json`), so the two cannot
//! drift: adding an entry to the table is the only way to add a REST route (the Bayeux
//! endpoint `/cometd` is the one other route, and it is not REST).
//!
//! Path parameters are taken from the path itself (`{name}`), so each is always declared. A
//! parameter is a whole segment, or an OData key at the end of one (`items({id})`): that is
//! routed as `items{id}`, and the handler receives the parentheses with the key, `(…)`, to
//! check and strip (the router cannot match text after a parameter).

use std::collections::BTreeMap;

use axum::handler::Handler;
use axum::routing::{MethodFilter, MethodRouter};
use axum::Router;
use serde_json::{json, Map, Value};

/// An HTTP method of a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Verb {
    Get,
    Post,
    Put,
    Patch,
    Delete,
}

impl Verb {
    pub const ALL: [Verb; 5] = [Verb::Get, Verb::Post, Verb::Put, Verb::Patch, Verb::Delete];

    /// Lower case, as OpenAPI names it.
    pub fn as_str(self) -> &'static str {
        match self {
            Verb::Get => "get",
            Verb::Post => "post",
            Verb::Put => "put",
            Verb::Patch => "patch",
            Verb::Delete => "delete",
        }
    }

    fn filter(self) -> MethodFilter {
        match self {
            Verb::Get => MethodFilter::GET,
            Verb::Post => MethodFilter::POST,
            Verb::Put => MethodFilter::PUT,
            Verb::Patch => MethodFilter::PATCH,
            Verb::Delete => MethodFilter::DELETE,
        }
    }
}

/// Who may call a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Security {
    /// Anyone (customers prove who they are with the chat's secureKey in the body).
    Public,
    /// Agents: `Authorization: Bearer <token>` or `Basic`.
    Agent,
    /// The SuperOffice face: `Basic`, `Bearer`, `SOTicket`, or the session cookie with
    /// `X-XSRF-TOKEN` on unsafe methods.
    SuperOffice,
}

/// One route: its description and, once added to a table, its handler.
#[derive(Debug, Clone)]
pub struct Operation {
    pub verb: Verb,
    pub path: &'static str,
    pub operation_id: &'static str,
    pub tag: &'static str,
    pub summary: &'static str,
    pub description: Option<String>,
    /// OpenAPI parameter objects (query, header; path parameters given here override the
    /// generated ones).
    pub parameters: Vec<Value>,
    /// An OpenAPI requestBody object.
    pub request_body: Option<Value>,
    /// Status, description, schema of a JSON body (if any).
    pub responses: Vec<(u16, String, Option<Value>)>,
    pub security: Security,
}

impl Operation {
    pub fn new(
        verb: Verb,
        path: &'static str,
        operation_id: &'static str,
        tag: &'static str,
        summary: &'static str,
    ) -> Self {
        Self {
            verb,
            path,
            operation_id,
            tag,
            summary,
            description: None,
            parameters: Vec::new(),
            request_body: None,
            responses: Vec::new(),
            security: Security::Public,
        }
    }

    pub fn get(
        path: &'static str,
        id: &'static str,
        tag: &'static str,
        summary: &'static str,
    ) -> Self {
        Self::new(Verb::Get, path, id, tag, summary)
    }

    pub fn post(
        path: &'static str,
        id: &'static str,
        tag: &'static str,
        summary: &'static str,
    ) -> Self {
        Self::new(Verb::Post, path, id, tag, summary)
    }

    pub fn put(
        path: &'static str,
        id: &'static str,
        tag: &'static str,
        summary: &'static str,
    ) -> Self {
        Self::new(Verb::Put, path, id, tag, summary)
    }

    pub fn patch(
        path: &'static str,
        id: &'static str,
        tag: &'static str,
        summary: &'static str,
    ) -> Self {
        Self::new(Verb::Patch, path, id, tag, summary)
    }

    pub fn delete(
        path: &'static str,
        id: &'static str,
        tag: &'static str,
        summary: &'static str,
    ) -> Self {
        Self::new(Verb::Delete, path, id, tag, summary)
    }

    pub fn describe(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }

    pub fn secured(mut self, security: Security) -> Self {
        self.security = security;
        self
    }

    /// Adds a parameter object as it is.
    pub fn parameter(mut self, parameter: Value) -> Self {
        self.parameters.push(parameter);
        self
    }

    pub fn query(self, name: &str, schema: Value, description: &str) -> Self {
        self.parameter(json!({"name": name, "in": "query", "required": false,
            "schema": schema, "description": description}))
    }

    pub fn header(self, name: &str, description: &str) -> Self {
        self.parameter(json!({"name": name, "in": "header", "required": false,
            "schema": {"type": "string"}, "description": description}))
    }

    pub fn path_param(self, name: &str, schema: Value, description: &str) -> Self {
        self.parameter(json!({"name": name, "in": "path", "required": true,
            "schema": schema, "description": description}))
    }

    /// A request body in these media types, all with `schema`.
    pub fn body(mut self, media_types: &[&str], schema: Value, required: bool) -> Self {
        let content: Map<String, Value> = media_types
            .iter()
            .map(|media| (media.to_string(), json!({"schema": schema})))
            .collect();
        self.request_body = Some(json!({"required": required, "content": content}));
        self
    }

    pub fn response(mut self, status: u16, description: &str, schema: Option<Value>) -> Self {
        self.responses
            .push((status, description.to_owned(), schema));
        self
    }

    /// The path parameters named in the path, in order.
    pub fn path_parameters(&self) -> Vec<&str> {
        path_parameters(self.path)
    }
}

/// The `{name}` parameters of a path: whole segments, or OData keys (`items({name})`).
pub fn path_parameters(path: &str) -> Vec<&str> {
    path.split('/')
        .filter_map(|segment| {
            let start = segment.find('{')?;
            let rest = segment.get(start + 1..)?;
            rest.get(..rest.find('}')?)
        })
        .collect()
}

/// The path the router matches for a documented path: an OData key segment `items({id})`
/// becomes `items{id}` (see the module docs). `None` when a parameter is neither a whole
/// segment nor such a key.
pub fn router_path(path: &str) -> Option<String> {
    let segments = path
        .split('/')
        .map(|segment| {
            let Some(start) = segment.find('{') else {
                return (!segment.contains('}')).then(|| segment.to_owned());
            };
            let (prefix, parameter) = segment.split_at(start);
            let whole = parameter.ends_with('}') && parameter.matches('{').count() == 1;
            if prefix.is_empty() && whole && parameter.matches('}').count() == 1 {
                return Some(segment.to_owned());
            }
            let key = parameter.strip_suffix(')')?;
            let prefix = prefix.strip_suffix('(')?;
            let simple = key.ends_with('}')
                && key.matches('{').count() == 1
                && key.matches('}').count() == 1
                && !prefix.is_empty()
                && !prefix.contains(['(', ')', '}']);
            simple.then(|| format!("{prefix}{key}"))
        })
        .collect::<Option<Vec<String>>>()?;
    Some(segments.join("/"))
}

/// A `$ref` to a component schema.
pub fn schema_ref(name: &str) -> Value {
    json!({"$ref": format!("#/components/schemas/{name}")})
}

/// An array of a component schema.
pub fn array_of(name: &str) -> Value {
    json!({"type": "array", "items": schema_ref(name)})
}

/// The routes of the REST faces, their descriptions and the schemas they use.
pub struct ApiTable<S> {
    operations: Vec<Operation>,
    /// By router path ([`router_path`]).
    routes: BTreeMap<String, MethodRouter<S>>,
    schemas: Map<String, Value>,
    tags: Vec<(String, String)>,
    errors: Vec<String>,
}

impl<S: Clone + Send + Sync + 'static> Default for ApiTable<S> {
    fn default() -> Self {
        Self::new()
    }
}

impl<S: Clone + Send + Sync + 'static> ApiTable<S> {
    pub fn new() -> Self {
        Self {
            operations: Vec::new(),
            routes: BTreeMap::new(),
            schemas: Map::new(),
            tags: Vec::new(),
            errors: Vec::new(),
        }
    }

    /// Adds a route: `handler` answers `operation.verb` on `operation.path`.
    pub fn add<H, T>(&mut self, operation: Operation, handler: H)
    where
        H: Handler<T, S>,
        T: 'static,
    {
        if self
            .operations
            .iter()
            .any(|known| known.path == operation.path && known.verb == operation.verb)
        {
            self.errors.push(format!(
                "{} {} is in the route table twice",
                operation.verb.as_str(),
                operation.path
            ));
            return;
        }
        if self
            .operations
            .iter()
            .any(|known| known.operation_id == operation.operation_id)
        {
            self.errors.push(format!(
                "operation id {} is used twice",
                operation.operation_id
            ));
            return;
        }
        if operation.path.contains("{*") {
            self.errors.push(format!(
                "{}: wildcard paths cannot be described",
                operation.path
            ));
            return;
        }
        let Some(route) = router_path(operation.path) else {
            self.errors.push(format!(
                "{}: a parameter must be a whole segment or an OData key, name({{id}})",
                operation.path
            ));
            return;
        };
        let filter = operation.verb.filter();
        let method_router = match self.routes.remove(&route) {
            Some(existing) => existing.on(filter, handler),
            None => axum::routing::on(filter, handler),
        };
        self.routes.insert(route, method_router);
        self.operations.push(operation);
    }

    /// Adds a component schema.
    pub fn schema(&mut self, name: &str, schema: Value) {
        self.schemas.insert(name.to_owned(), schema);
    }

    /// Describes a tag (a face of the server).
    pub fn tag(&mut self, name: &str, description: &str) {
        if !self.tags.iter().any(|(known, _)| known == name) {
            self.tags.push((name.to_owned(), description.to_owned()));
        }
    }

    pub fn operations(&self) -> &[Operation] {
        &self.operations
    }

    /// The OpenAPI 3.0 document of every route in the table.
    pub fn document(&self) -> Value {
        let mut paths: BTreeMap<&str, Map<String, Value>> = BTreeMap::new();
        for operation in &self.operations {
            paths.entry(operation.path).or_default().insert(
                operation.verb.as_str().to_owned(),
                operation_object(operation),
            );
        }
        let paths: Map<String, Value> = paths
            .into_iter()
            .map(|(path, item)| (path.to_owned(), Value::Object(item)))
            .collect();
        let mut schemas = self.schemas.clone();
        schemas
            .entry("Error")
            .or_insert_with(|| json!({"type": "object"}));
        json!({
            "openapi": "3.0.3",
            "info": {
                "title": "hotline-server",
                "version": env!("CARGO_PKG_VERSION"),
                "description": "The REST faces of the Hotline reference server: GMS chat v2 over \
                    plain HTTP, the agents' API, SuperOffice-style ChatSession and ChatTopic \
                    records, conversations as Dataverse msdyn_ocliveworkitem records, and the \
                    CIF templates of the agents' console. Generated from the server's route \
                    table. The Bayeux (CometD) endpoint /cometd is not REST and is not \
                    described here. Every request may carry x-correlation-id: it is logged \
                    with the request and sent back on the response.",
            },
            "servers": [{"url": "/"}],
            "tags": self.tags.iter().map(|(name, description)|
                json!({"name": name, "description": description})).collect::<Vec<_>>(),
            "paths": paths,
            "components": {
                "schemas": schemas,
                "securitySchemes": {
                    "basic": {"type": "http", "scheme": "basic"},
                    "bearer": {"type": "http", "scheme": "bearer",
                        "description": "A token from POST /api/v1/agents/login"},
                    "soTicket": {"type": "http", "scheme": "SOTicket",
                        "description": "Authorization: SOTicket <ticket>, the `ticket` of POST /api/v1/agents/login"},
                    "sessionCookie": {"type": "apiKey", "in": "cookie", "name": crate::superoffice::auth::SESSION_COOKIE,
                        "description": "From POST /api/v1/agents/session; unsafe methods also need the X-XSRF-TOKEN header"},
                },
            },
        })
    }

    /// The router of every route in the table, or why the table is wrong.
    pub fn into_router(self) -> Result<Router<S>, String> {
        if !self.errors.is_empty() {
            return Err(self.errors.join("; "));
        }
        let mut router = Router::new();
        for (path, method_router) in self.routes {
            router = router.route(&path, method_router);
        }
        Ok(router)
    }
}

fn operation_object(operation: &Operation) -> Value {
    let mut parameters: Vec<Value> = Vec::new();
    for name in operation.path_parameters() {
        let given = operation
            .parameters
            .iter()
            .find(|p| p["in"] == "path" && p["name"] == name);
        parameters.push(given.cloned().unwrap_or_else(
            || json!({"name": name, "in": "path", "required": true, "schema": {"type": "string"}}),
        ));
    }
    parameters.extend(
        operation
            .parameters
            .iter()
            .filter(|p| p["in"] != "path")
            .cloned(),
    );
    // Every route takes a correlation id (see `crate::app`).
    if !parameters
        .iter()
        .any(|p| p["in"] == "header" && p["name"] == "x-correlation-id")
    {
        parameters.push(
            json!({"name": "x-correlation-id", "in": "header", "required": false,
            "schema": {"type": "string", "maxLength": 200},
            "description": "Ties the request to the caller's operation: logged with the \
                request and sent back as a response header"}),
        );
    }
    let mut responses = Map::new();
    for (status, description, schema) in &operation.responses {
        let mut response = json!({"description": description});
        if let Some(schema) = schema {
            response["content"] = json!({"application/json": {"schema": schema}});
        }
        responses.insert(status.to_string(), response);
    }
    if responses.is_empty() {
        responses.insert("200".into(), json!({"description": "OK"}));
    }
    let mut object = json!({
        "operationId": operation.operation_id,
        "summary": operation.summary,
        "tags": [operation.tag],
        "responses": responses,
    });
    if let Some(description) = &operation.description {
        object["description"] = json!(description);
    }
    if !parameters.is_empty() {
        object["parameters"] = Value::Array(parameters);
    }
    if let Some(body) = &operation.request_body {
        object["requestBody"] = body.clone();
    }
    object["security"] = match operation.security {
        Security::Public => json!([]),
        Security::Agent => json!([{"bearer": []}, {"basic": []}]),
        Security::SuperOffice => {
            json!([{"basic": []}, {"bearer": []}, {"soTicket": []}, {"sessionCookie": []}])
        }
    };
    object
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_builds_the_router_and_refuses_duplicates() {
        let mut table: ApiTable<()> = ApiTable::new();
        table.add(
            Operation::get("/a/{id}", "getA", "T", "Get an A"),
            || async { "a" },
        );
        table.add(
            Operation::delete("/a/{id}", "deleteA", "T", "Delete an A"),
            || async { "" },
        );
        let document = table.document();
        assert_eq!(document["openapi"], "3.0.3");
        let get = &document["paths"]["/a/{id}"]["get"];
        assert_eq!(get["operationId"], "getA");
        assert_eq!(get["parameters"][0]["name"], "id");
        assert_eq!(get["parameters"][0]["in"], "path");
        assert_eq!(get["parameters"][0]["required"], true);
        assert!(document["paths"]["/a/{id}"]["delete"].is_object());
        assert!(table.into_router().is_ok());

        let mut table: ApiTable<()> = ApiTable::new();
        table.add(Operation::get("/a", "a", "T", "A"), || async { "a" });
        table.add(Operation::get("/a", "b", "T", "A again"), || async { "a" });
        assert!(table.into_router().unwrap_err().contains("twice"));
        let mut table: ApiTable<()> = ApiTable::new();
        table.add(Operation::get("/x/{*rest}", "x", "T", "X"), || async {
            "x"
        });
        assert!(table.into_router().is_err());
    }

    #[test]
    fn path_parameters_come_from_the_path() {
        assert_eq!(
            path_parameters("/genesys/2/chat/{service}/{chat_id}/{operation}"),
            vec!["service", "chat_id", "operation"]
        );
        assert!(path_parameters("/api/openapi.json").is_empty());
        assert_eq!(path_parameters("/api/data/items({id})"), vec!["id"]);
    }

    #[test]
    fn odata_keys_are_routed_as_a_prefix_and_a_parameter() {
        assert_eq!(
            router_path("/a/{b}/c").as_deref(),
            Some("/a/{b}/c"),
            "whole segments stay"
        );
        assert_eq!(
            router_path("/api/data/items({id})").as_deref(),
            Some("/api/data/items{id}")
        );
        for wrong in [
            "/a/x{b}",
            "/a/{b}x",
            "/a/({b})",
            "/a/x({b})y",
            "/a/x({b}{c})",
            "/a/}",
        ] {
            assert_eq!(router_path(wrong), None, "{wrong}");
        }
        let mut table: ApiTable<()> = ApiTable::new();
        table.add(Operation::get("/items", "list", "T", "List"), || async {
            "all"
        });
        table.add(
            Operation::get("/items({id})", "one", "T", "One"),
            |axum::extract::Path(key): axum::extract::Path<String>| async move { key },
        );
        assert_eq!(
            table.document()["paths"]["/items({id})"]["get"]["parameters"][0]["name"],
            "id"
        );
        let mut bad: ApiTable<()> = ApiTable::new();
        bad.add(Operation::get("/x{id}", "x", "T", "X"), || async { "x" });
        assert!(bad.into_router().is_err());
        assert!(table.into_router().is_ok());
    }
}
