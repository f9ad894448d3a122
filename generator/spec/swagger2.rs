//! Swagger 2.0 → OpenAPI 3.0 conversion.
//!
//! The rest of the generator reads only the OpenAPI 3.0 object model, so a 2.0 document is
//! rewritten into the 3.0 shape first, following the swagger2openapi semantics: `definitions`,
//! global `parameters`, `responses` and `securityDefinitions` move under `components`, `body`
//! and `formData` parameters become request bodies, `consumes`/`produces` become media-type
//! keys, and parameter types move into a `schema`.
//!
//! The input is untrusted: any field may be missing or of the wrong type. Nothing here
//! panics; what cannot be expressed in 3.0 is dropped or approximated with a warning that
//! points (RFC 6901) at the place in the *original* 2.0 document.

use std::collections::HashSet;

use serde_json::{Map, Value, json};

use super::version::Normalised;
use super::{escape_pointer_token, unescape_pointer_token};

type Object = Map<String, Value>;

/// The OpenAPI version the converted document declares.
const OPENAPI_VERSION: &str = "3.0.3";
/// The media type assumed when neither the operation nor the document declares one.
const DEFAULT_MEDIA_TYPE: &str = "application/json";
/// The media type of a file response whose operation declares no `produces`.
const FILE_MEDIA_TYPE: &str = "application/octet-stream";
const MULTIPART: &str = "multipart/form-data";
const URLENCODED: &str = "application/x-www-form-urlencoded";
/// The operations a 2.0 path item may hold (2.0 has no `trace`).
const METHODS: [&str; 7] = ["get", "put", "post", "delete", "options", "head", "patch"];
/// The fields of a non-body parameter (or header) that describe its value, and so move into
/// the 3.0 `schema`.
const VALUE_FIELDS: [&str; 17] = [
    "type",
    "format",
    "items",
    "enum",
    "default",
    "maximum",
    "minimum",
    "exclusiveMaximum",
    "exclusiveMinimum",
    "maxLength",
    "minLength",
    "pattern",
    "maxItems",
    "minItems",
    "uniqueItems",
    "multipleOf",
    "x-nullable",
];
/// Operation fields whose 2.0 and 3.0 forms are the same.
const OPERATION_FIELDS_AS_IS: [&str; 7] = [
    "tags",
    "summary",
    "description",
    "externalDocs",
    "operationId",
    "deprecated",
    "security",
];
/// Top-level 2.0 fields the converter reads; any other non-`x-` field is reported.
const DOCUMENT_FIELDS: [&str; 15] = [
    "swagger",
    "info",
    "host",
    "basePath",
    "schemes",
    "consumes",
    "produces",
    "paths",
    "definitions",
    "parameters",
    "responses",
    "securityDefinitions",
    "security",
    "tags",
    "externalDocs",
];

/// Converts a Swagger 2.0 document into an OpenAPI 3.0 one.
///
/// Fails only when the document is not a mapping; every other problem becomes a warning so
/// that as much of the API as possible reaches the generator.
pub(crate) fn convert(document: Value) -> Result<Normalised, (String, String)> {
    let Value::Object(source) = document else {
        return Err((
            String::new(),
            "a Swagger 2.0 document must be a mapping at the top level".to_owned(),
        ));
    };
    let mut converter = Converter::new(&source);
    let document = converter.document();
    Ok(Normalised {
        document: Value::Object(document),
        warnings: dedup(converter.warnings),
    })
}

/// A 2.0 parameter sorted by what it becomes in 3.0.
#[derive(Debug, Clone)]
enum Param<'a> {
    /// Stays a parameter: the converted 3.0 parameter or a `$ref` to a component one.
    Plain(Value),
    /// A `body` parameter, which becomes the operation's request body.
    Body(BodyParam<'a>),
    /// A `formData` parameter, which becomes one property of a form request body.
    Form(FormField<'a>),
}

/// A `body` parameter, declared inline or referenced from the global `parameters`.
#[derive(Debug, Clone)]
struct BodyParam<'a> {
    source: &'a Object,
    pointer: String,
    /// The escaped name under `#/parameters/` when the operation referenced a global one.
    global: Option<String>,
}

/// A `formData` parameter with its name, declared inline or referenced.
#[derive(Debug, Clone)]
struct FormField<'a> {
    name: String,
    source: &'a Object,
    pointer: String,
}

/// The conversion state: the source document and the warnings collected so far.
struct Converter<'a> {
    source: &'a Object,
    /// The document's `consumes`, when it declares any.
    consumes: Option<Vec<String>>,
    /// The document's `produces`, when it declares any.
    produces: Option<Vec<String>>,
    /// Names of the global parameters that became `components.parameters`, so refs to the
    /// ones that were dropped are dropped too instead of dangling.
    component_parameters: HashSet<String>,
    warnings: Vec<(String, String)>,
}

impl<'a> Converter<'a> {
    /// Reads the document-wide defaults every operation falls back to.
    fn new(source: &'a Object) -> Self {
        let mut converter = Self {
            source,
            consumes: None,
            produces: None,
            component_parameters: HashSet::new(),
            warnings: Vec::new(),
        };
        converter.consumes = converter.media_types(source.get("consumes"), "/consumes");
        converter.produces = converter.media_types(source.get("produces"), "/produces");
        converter
    }

    /// Records something the conversion dropped or approximated.
    fn warn(&mut self, pointer: &str, message: impl Into<String>) {
        self.warnings.push((pointer.to_owned(), message.into()));
    }

    /// Builds the 3.0 document in a fixed top-level order, so output is deterministic.
    fn document(&mut self) -> Object {
        let source = self.source;
        let mut out = Object::new();
        out.insert("openapi".into(), json!(OPENAPI_VERSION));
        if let Some(info) = source.get("info") {
            out.insert("info".into(), info.clone());
        }
        let servers = self.servers(source.get("schemes"), "/schemes");
        if !servers.is_empty() {
            out.insert("servers".into(), Value::Array(servers));
        }
        for field in ["tags", "externalDocs", "security"] {
            if let Some(value) = source.get(field) {
                out.insert(field.into(), value.clone());
            }
        }
        // Components first: paths refer to what they hold.
        let components = self.components();
        out.insert("paths".into(), self.paths());
        if !components.is_empty() {
            out.insert("components".into(), Value::Object(components));
        }
        for (key, value) in source {
            if key.starts_with("x-") {
                out.insert(key.clone(), value.clone());
            } else if !DOCUMENT_FIELDS.contains(&key.as_str()) {
                self.warn(
                    &child("", key),
                    format!("`{key}` is not a Swagger 2.0 field; dropped"),
                );
            }
        }
        out
    }

    // ----- servers -----

    /// `host` + `basePath` + `schemes` → one server per scheme (https when none is given);
    /// a `basePath` without a `host` becomes a relative server URL.
    fn servers(&mut self, schemes: Option<&Value>, schemes_pointer: &str) -> Vec<Value> {
        let host = self.top_level_string("host");
        let base_path = self.top_level_string("basePath");
        let Some(host) = host else {
            return base_path
                .map(|path| vec![json!({ "url": path })])
                .unwrap_or_default();
        };
        let base_path = base_path.unwrap_or_default();
        let base_path = base_path.trim_end_matches('/');
        let schemes = self
            .string_list(schemes, schemes_pointer)
            .unwrap_or_else(|| vec!["https".to_owned()]);
        schemes
            .iter()
            .map(|scheme| json!({ "url": format!("{scheme}://{host}{base_path}") }))
            .collect()
    }

    /// A top-level string field, warning when it has another type.
    fn top_level_string(&mut self, field: &str) -> Option<String> {
        let value = self.source.get(field)?;
        match value.as_str() {
            Some(text) => Some(text.to_owned()),
            None => {
                self.warn(
                    &child("", field),
                    format!("`{field}` must be a string; ignored"),
                );
                None
            }
        }
    }

    /// An operation's own `schemes` → its own servers, when they differ from the document's.
    fn operation_servers(&mut self, schemes: &Value, pointer: &str) -> Option<Value> {
        if self.source.get("host").is_none() || self.source.get("schemes") == Some(schemes) {
            return None;
        }
        let servers = self.servers(Some(schemes), pointer);
        (!servers.is_empty()).then_some(Value::Array(servers))
    }

    // ----- media types -----

    /// A declared `consumes`/`produces` list; an empty or invalid one counts as undeclared.
    fn media_types(&mut self, value: Option<&Value>, pointer: &str) -> Option<Vec<String>> {
        let types = self.string_list(value, pointer)?;
        (!types.is_empty()).then_some(types)
    }

    /// A list of strings, warning about (and skipping) anything else.
    fn string_list(&mut self, value: Option<&Value>, pointer: &str) -> Option<Vec<String>> {
        let value = value?;
        let Some(items) = value.as_array() else {
            self.warn(pointer, "must be a list of strings; ignored");
            return None;
        };
        let mut strings = Vec::new();
        for (index, item) in items.iter().enumerate() {
            match item.as_str() {
                Some(text) => strings.push(text.to_owned()),
                None => self.warn(&child(pointer, &index.to_string()), "not a string; ignored"),
            }
        }
        Some(strings)
    }

    /// The media types a request body is sent in: the operation's, else the document's,
    /// else `application/json`.
    fn effective_consumes(&mut self, operation: &Object, pointer: &str) -> Vec<String> {
        let own = self.media_types(operation.get("consumes"), &child(pointer, "consumes"));
        own.or_else(|| self.consumes.clone())
            .unwrap_or_else(|| vec![DEFAULT_MEDIA_TYPE.to_owned()])
    }

    /// The media types responses are declared in (the operation's, else the document's),
    /// or `None` when neither declares any, so file responses can pick their own default.
    fn declared_produces(&mut self, operation: &Object, pointer: &str) -> Option<Vec<String>> {
        let own = self.media_types(operation.get("produces"), &child(pointer, "produces"));
        own.or_else(|| self.produces.clone())
    }

    // ----- components -----

    /// `definitions`, global `parameters`, `responses` and `securityDefinitions` → the
    /// matching `components` maps (global `formData` parameters are inlined where used).
    fn components(&mut self) -> Object {
        let mut out = Object::new();
        let schemas = self.component_map("definitions", Self::schema);
        let responses = self.component_map("responses", |this, value, pointer| {
            let produces = this.produces.clone();
            this.response(value, pointer, produces.as_deref())
        });
        let (parameters, request_bodies) = self.global_parameters();
        let schemes = self.component_map("securityDefinitions", |this, value, pointer| {
            this.security_scheme(value, pointer)
        });
        let sections = [
            ("schemas", schemas),
            ("responses", responses),
            ("parameters", parameters),
            ("requestBodies", request_bodies),
            ("securitySchemes", schemes),
        ];
        for (name, section) in sections {
            if !section.is_empty() {
                out.insert(name.into(), Value::Object(section));
            }
        }
        out
    }

    /// Converts every entry of the top-level map `field` with `convert`, keeping its order.
    fn component_map(
        &mut self,
        field: &str,
        mut convert: impl FnMut(&mut Self, &Value, &str) -> Option<Value>,
    ) -> Object {
        let mut out = Object::new();
        let Some(entries) = self.top_level_object(field) else {
            return out;
        };
        for (name, value) in entries {
            let pointer = child(&child("", field), name);
            if let Some(converted) = convert(self, value, &pointer) {
                out.insert(name.clone(), converted);
            }
        }
        out
    }

    /// A top-level mapping, warning when the field holds something else.
    fn top_level_object(&mut self, field: &str) -> Option<&'a Object> {
        let value = self.source.get(field)?;
        let object = value.as_object();
        if object.is_none() {
            self.warn(&child("", field), "must be a mapping; ignored");
        }
        object
    }

    /// Global parameters → (`components.parameters`, `components.requestBodies`); `body`
    /// ones become request bodies in the document's media types, `formData` ones are left
    /// out because 3.0 has no component for a single form field.
    fn global_parameters(&mut self) -> (Object, Object) {
        let mut parameters = Object::new();
        let mut bodies = Object::new();
        let Some(entries) = self.top_level_object("parameters") else {
            return (parameters, bodies);
        };
        let consumes = self
            .consumes
            .clone()
            .unwrap_or_else(|| vec![DEFAULT_MEDIA_TYPE.to_owned()]);
        for (name, value) in entries {
            let pointer = child("/parameters", name);
            match self.parameter_entry(value, &pointer) {
                Some(Param::Plain(parameter)) => {
                    self.component_parameters.insert(name.clone());
                    parameters.insert(name.clone(), parameter);
                }
                Some(Param::Body(body)) => {
                    let body = self.body_request(&body, &consumes);
                    bodies.insert(name.clone(), body);
                }
                Some(Param::Form(_)) | None => {}
            }
        }
        (parameters, bodies)
    }

    /// The global parameter `#/parameters/<escaped>`, if it exists and is a mapping.
    fn global_parameter(&self, escaped: &str) -> Option<&'a Object> {
        let name = unescape_pointer_token(escaped);
        self.source
            .get("parameters")?
            .as_object()?
            .get(&name)?
            .as_object()
    }

    /// Whether `#/parameters/<escaped>` is a `body` parameter (so refs to it must point at
    /// `components.requestBodies`).
    fn is_global_body(&self, escaped: &str) -> bool {
        self.global_parameter(escaped)
            .and_then(|parameter| parameter.get("in"))
            .and_then(Value::as_str)
            == Some("body")
    }

    // ----- references -----

    /// Rewrites a local 2.0 `$ref` to where the 3.0 document keeps the same thing; refs to
    /// other files (and anything else) are kept as they are.
    fn rewrite_ref(&self, reference: &str) -> String {
        let moves = [
            ("#/definitions/", "#/components/schemas/"),
            ("#/responses/", "#/components/responses/"),
            ("#/securityDefinitions/", "#/components/securitySchemes/"),
        ];
        for (from, to) in moves {
            if let Some(rest) = reference.strip_prefix(from) {
                return format!("{to}{rest}");
            }
        }
        if let Some(rest) = reference.strip_prefix("#/parameters/") {
            let name = rest.split('/').next().unwrap_or_default();
            let section = if self.is_global_body(name) {
                "requestBodies"
            } else {
                "parameters"
            };
            return format!("#/components/{section}/{rest}");
        }
        reference.to_owned()
    }

    /// Whether a local `$ref` (`#/…`) names something in the source document; refs to other
    /// files and percent-encoded ones are not checked.
    fn resolves(&self, reference: &str) -> bool {
        let Some(pointer) = reference.strip_prefix('#') else {
            return true;
        };
        if pointer.contains('%') {
            return true;
        }
        let mut tokens = pointer.split('/').skip(1).map(unescape_pointer_token);
        let Some(first) = tokens.next() else {
            return true;
        };
        let mut target = self.source.get(&first);
        for token in tokens {
            target = target.and_then(|value| match value {
                Value::Object(object) => object.get(&token),
                Value::Array(items) => token.parse::<usize>().ok().and_then(|i| items.get(i)),
                _ => None,
            });
        }
        target.is_some()
    }

    /// `{"$ref": …}` with the reference rewritten, or `None` (with a warning) when `$ref` is
    /// not a string.
    fn reference(&mut self, object: &Object, pointer: &str) -> Option<Value> {
        let reference = object.get("$ref")?;
        match reference.as_str() {
            Some(text) => {
                if !self.resolves(text) {
                    self.warn(
                        &child(pointer, "$ref"),
                        format!("`{text}` points at nothing in this document"),
                    );
                }
                Some(json!({ "$ref": self.rewrite_ref(text) }))
            }
            None => {
                self.warn(&child(pointer, "$ref"), "`$ref` must be a string; ignored");
                None
            }
        }
    }

    // ----- paths and operations -----

    /// Converts every path item, keeping `x-` entries and dropping keys 3.0 cannot read.
    fn paths(&mut self) -> Value {
        let mut out = Object::new();
        let Some(paths) = self.source.get("paths") else {
            self.warn(
                "",
                "the document has no `paths`; it describes no operations",
            );
            return Value::Object(out);
        };
        let Some(paths) = paths.as_object() else {
            self.warn("/paths", "`paths` must be a mapping; ignored");
            return Value::Object(out);
        };
        for (path, item) in paths {
            let pointer = child("/paths", path);
            if path.starts_with("x-") {
                out.insert(path.clone(), item.clone());
            } else if !path.starts_with('/') {
                self.warn(&pointer, "a path must start with `/`; dropped");
            } else if let Some(item) = self.path_item(item, &pointer) {
                out.insert(path.clone(), item);
            }
        }
        Value::Object(out)
    }

    /// A path item: its own non-body parameters stay on it; its `body`/`formData` ones are
    /// handed to every operation, which turns them into a request body.
    fn path_item(&mut self, item: &'a Value, pointer: &str) -> Option<Value> {
        let Some(item) = item.as_object() else {
            self.warn(pointer, "a path item must be a mapping; dropped");
            return None;
        };
        let shared = self.parameter_list(item.get("parameters"), &child(pointer, "parameters"));
        let mut out = Object::new();
        for (key, value) in item {
            let key_pointer = child(pointer, key);
            match key.as_str() {
                "$ref" => {
                    if let Some(reference) = self.reference(item, pointer) {
                        out.insert(key.clone(), reference["$ref"].clone());
                    }
                }
                "parameters" => {
                    let plain = plain_parameters(&shared);
                    if !plain.is_empty() {
                        out.insert(key.clone(), Value::Array(plain));
                    }
                }
                method if METHODS.contains(&method) => {
                    if let Some(operation) = self.operation(value, &key_pointer, &shared) {
                        out.insert(key.clone(), operation);
                    }
                }
                extension if extension.starts_with("x-") => {
                    out.insert(key.clone(), value.clone());
                }
                _ => self.warn(
                    &key_pointer,
                    format!("`{key}` is not a Swagger 2.0 path item field; dropped"),
                ),
            }
        }
        Some(Value::Object(out))
    }

    /// An operation: fields that are the same in 3.0 are copied, parameters are split into
    /// parameters and a request body, responses get media types from `produces`.
    fn operation(
        &mut self,
        operation: &'a Value,
        pointer: &str,
        shared: &[Param<'a>],
    ) -> Option<Value> {
        let Some(operation) = operation.as_object() else {
            self.warn(pointer, "an operation must be a mapping; dropped");
            return None;
        };
        let consumes = self.effective_consumes(operation, pointer);
        let produces = self.declared_produces(operation, pointer);
        let own = self.parameter_list(operation.get("parameters"), &child(pointer, "parameters"));
        let plain = plain_parameters(&own);
        let merged = merge_parameters(shared, own);
        let mut request_body = self.request_body(&merged, &consumes);
        let mut out = Object::new();
        for (key, value) in operation {
            let key_pointer = child(pointer, key);
            match key.as_str() {
                field if OPERATION_FIELDS_AS_IS.contains(&field) => {
                    out.insert(key.clone(), value.clone());
                }
                "parameters" => {
                    if !plain.is_empty() {
                        out.insert(key.clone(), Value::Array(plain.clone()));
                    }
                    if let Some(body) = request_body.take() {
                        out.insert("requestBody".into(), body);
                    }
                }
                "responses" => {
                    let responses = self.responses(value, &key_pointer, produces.as_deref());
                    out.insert(key.clone(), responses);
                }
                "schemes" => {
                    if let Some(servers) = self.operation_servers(value, &key_pointer) {
                        out.insert("servers".into(), servers);
                    }
                }
                "consumes" | "produces" => {}
                extension if extension.starts_with("x-") => {
                    out.insert(key.clone(), value.clone());
                }
                _ => self.warn(
                    &key_pointer,
                    format!("`{key}` is not a Swagger 2.0 operation field; dropped"),
                ),
            }
        }
        if let Some(body) = request_body {
            out.insert("requestBody".into(), body);
        }
        if !out.contains_key("responses") {
            self.warn(pointer, "the operation has no `responses`");
            out.insert("responses".into(), json!({}));
        }
        Some(Value::Object(out))
    }

    // ----- parameters -----

    /// Sorts a 2.0 `parameters` list into plain parameters, a body and form fields.
    fn parameter_list(&mut self, list: Option<&'a Value>, pointer: &str) -> Vec<Param<'a>> {
        let Some(list) = list else {
            return Vec::new();
        };
        let Some(items) = list.as_array() else {
            self.warn(pointer, "`parameters` must be a list; ignored");
            return Vec::new();
        };
        items
            .iter()
            .enumerate()
            .filter_map(|(index, item)| {
                self.parameter_entry(item, &child(pointer, &index.to_string()))
            })
            .collect()
    }

    /// One parameter (inline or `$ref`) sorted by what it becomes; `None` when it is
    /// dropped with a warning.
    fn parameter_entry(&mut self, value: &'a Value, pointer: &str) -> Option<Param<'a>> {
        let Some(parameter) = value.as_object() else {
            self.warn(pointer, "a parameter must be a mapping; dropped");
            return None;
        };
        match parameter.get("$ref") {
            Some(Value::String(reference)) => self.referenced_parameter(reference, pointer),
            Some(_) => {
                self.warn(&child(pointer, "$ref"), "`$ref` must be a string; dropped");
                None
            }
            None => self.inline_parameter(parameter, pointer),
        }
    }

    /// A `$ref` parameter: refs to global `body`/`formData` parameters are resolved here
    /// (they become request bodies), the rest stay refs into `components.parameters`.
    fn referenced_parameter(&mut self, reference: &str, pointer: &str) -> Option<Param<'a>> {
        let Some(escaped) = reference.strip_prefix("#/parameters/") else {
            return Some(Param::Plain(json!({ "$ref": self.rewrite_ref(reference) })));
        };
        let Some(target) = self.global_parameter(escaped) else {
            self.warn(
                pointer,
                format!("`{reference}` points at no global parameter; dropped"),
            );
            return None;
        };
        let target_pointer = format!("/parameters/{escaped}");
        match target.get("in").and_then(Value::as_str) {
            Some("body") => Some(Param::Body(BodyParam {
                source: target,
                pointer: target_pointer,
                global: Some(escaped.to_owned()),
            })),
            Some("formData") => self.form_field(target, &target_pointer),
            _ if self
                .component_parameters
                .contains(&unescape_pointer_token(escaped)) =>
            {
                Some(Param::Plain(json!({ "$ref": self.rewrite_ref(reference) })))
            }
            _ => {
                self.warn(
                    pointer,
                    format!("`{reference}` points at a parameter that was dropped; dropped"),
                );
                None
            }
        }
    }

    /// An inline parameter, sorted by its `in`.
    fn inline_parameter(&mut self, parameter: &'a Object, pointer: &str) -> Option<Param<'a>> {
        match parameter.get("in").and_then(Value::as_str) {
            Some("body") => Some(Param::Body(BodyParam {
                source: parameter,
                pointer: pointer.to_owned(),
                global: None,
            })),
            Some("formData") => self.form_field(parameter, pointer),
            Some(location @ ("query" | "header" | "path")) => self
                .parameter(parameter, location, pointer)
                .map(Param::Plain),
            Some(other) => {
                self.warn(
                    &child(pointer, "in"),
                    format!("`in: {other}` is not a Swagger 2.0 parameter location; dropped"),
                );
                None
            }
            None => {
                self.warn(pointer, "a parameter needs `in`; dropped");
                None
            }
        }
    }

    /// A `formData` parameter with a string name; `None` (with a warning) without one.
    fn form_field(&mut self, parameter: &'a Object, pointer: &str) -> Option<Param<'a>> {
        let Some(name) = parameter.get("name").and_then(Value::as_str) else {
            self.warn(pointer, "a parameter needs a string `name`; dropped");
            return None;
        };
        Some(Param::Form(FormField {
            name: name.to_owned(),
            source: parameter,
            pointer: pointer.to_owned(),
        }))
    }

    /// A query/header/path parameter: value fields move into `schema`, `collectionFormat`
    /// becomes `style`/`explode`, descriptive fields and extensions stay.
    fn parameter(&mut self, parameter: &Object, location: &str, pointer: &str) -> Option<Value> {
        if !parameter.get("name").is_some_and(Value::is_string) {
            self.warn(pointer, "a parameter needs a string `name`; dropped");
            return None;
        }
        let mut out = Object::new();
        for (key, value) in parameter {
            let key_pointer = child(pointer, key);
            match key.as_str() {
                "name" | "in" | "description" | "required" | "deprecated" | "example" => {
                    out.insert(key.clone(), value.clone());
                }
                "allowEmptyValue" if location == "query" => {
                    out.insert(key.clone(), value.clone());
                }
                "allowEmptyValue" => self.warn(
                    &key_pointer,
                    "`allowEmptyValue` applies only to query parameters in OpenAPI 3.0; dropped",
                ),
                "collectionFormat" => {}
                field if VALUE_FIELDS.contains(&field) => {}
                extension if extension.starts_with("x-") => {
                    out.insert(key.clone(), value.clone());
                }
                _ => self.warn(
                    &key_pointer,
                    format!("`{key}` is not a Swagger 2.0 parameter field; dropped"),
                ),
            }
        }
        let schema = self.value_schema(parameter, pointer);
        out.insert("schema".into(), Value::Object(schema));
        if let Some((style, explode)) = self.parameter_style(parameter, location, pointer) {
            out.insert("style".into(), json!(style));
            if let Some(explode) = explode {
                out.insert("explode".into(), json!(explode));
            }
        }
        Some(Value::Object(out))
    }

    /// The 3.0 schema of a non-body parameter, form field or header: its value fields
    /// (`type`, `format`, `items`, limits…) gathered and converted like any schema.
    fn value_schema(&mut self, parameter: &Object, pointer: &str) -> Object {
        let mut schema = Object::new();
        for (key, value) in parameter {
            if VALUE_FIELDS.contains(&key.as_str()) {
                schema.insert(key.clone(), value.clone());
            }
        }
        if let Some(items) = schema.get_mut("items") {
            self.strip_item_formats(items, &child(pointer, "items"));
        }
        match self.schema(&Value::Object(schema), pointer) {
            Some(Value::Object(converted)) => converted,
            _ => Object::new(),
        }
    }

    /// Removes `collectionFormat` from nested `items` (arrays of arrays), which 3.0 cannot
    /// express, with a warning at each.
    fn strip_item_formats(&mut self, items: &mut Value, pointer: &str) {
        let Some(items) = items.as_object_mut() else {
            return;
        };
        if items.remove("collectionFormat").is_some() {
            self.warn(
                &child(pointer, "collectionFormat"),
                "OpenAPI 3.0 cannot describe how nested arrays are serialised; dropped",
            );
        }
        if let Some(nested) = items.get_mut("items") {
            self.strip_item_formats(nested, &child(pointer, "items"));
        }
    }

    /// The 3.0 `style`/`explode` of an array parameter from its `collectionFormat`
    /// (default `csv`); `None` for a non-array.
    fn parameter_style(
        &mut self,
        parameter: &Object,
        location: &str,
        pointer: &str,
    ) -> Option<(&'static str, Option<bool>)> {
        let format_pointer = child(pointer, "collectionFormat");
        let declared = parameter.get("collectionFormat");
        if parameter.get("type").and_then(Value::as_str) != Some("array") {
            if declared.is_some() {
                self.warn(
                    &format_pointer,
                    "`collectionFormat` applies only to arrays; ignored",
                );
            }
            return None;
        }
        let format = self.collection_format(declared, &format_pointer);
        let (style, explode, problem) = collection_style(&format, location);
        if let Some(problem) = problem {
            self.warn(&format_pointer, problem);
        }
        Some((style, explode))
    }

    /// The declared `collectionFormat`, or `csv` (the 2.0 default) when absent or invalid.
    fn collection_format(&mut self, declared: Option<&Value>, pointer: &str) -> String {
        match declared {
            None => "csv".to_owned(),
            Some(Value::String(format)) => format.clone(),
            Some(_) => {
                self.warn(
                    pointer,
                    "`collectionFormat` must be a string; `csv` assumed",
                );
                "csv".to_owned()
            }
        }
    }

    // ----- request bodies -----

    /// The request body of an operation from its (merged) `body` or `formData` parameters;
    /// a `body` parameter wins, since 2.0 forbids having both.
    fn request_body(&mut self, params: &[Param<'a>], consumes: &[String]) -> Option<Value> {
        let bodies: Vec<&BodyParam> = params
            .iter()
            .filter_map(|param| match param {
                Param::Body(body) => Some(body),
                _ => None,
            })
            .collect();
        let fields: Vec<&FormField> = params
            .iter()
            .filter_map(|param| match param {
                Param::Form(field) => Some(field),
                _ => None,
            })
            .collect();
        let Some((body, extra)) = bodies.split_first() else {
            return (!fields.is_empty()).then(|| self.form_request(&fields, consumes));
        };
        for dropped in extra {
            self.warn(
                &dropped.pointer,
                "an operation can have only one `body` parameter; dropped",
            );
        }
        for field in &fields {
            self.warn(
                &field.pointer,
                "an operation cannot have both `body` and `formData` parameters; dropped",
            );
        }
        Some(self.operation_body(body, consumes))
    }

    /// A `body` parameter of an operation: a ref to the component request body when the
    /// operation uses the document's media types, else an inline copy in its own types.
    fn operation_body(&mut self, body: &BodyParam, consumes: &[String]) -> Value {
        let document_consumes = self
            .consumes
            .clone()
            .unwrap_or_else(|| vec![DEFAULT_MEDIA_TYPE.to_owned()]);
        match &body.global {
            Some(escaped) if consumes == document_consumes.as_slice() => {
                json!({ "$ref": format!("#/components/requestBodies/{escaped}") })
            }
            _ => self.body_request(body, consumes),
        }
    }

    /// A `body` parameter → `{description, required, content: {type: {schema}}}`.
    fn body_request(&mut self, body: &BodyParam, consumes: &[String]) -> Value {
        let pointer = body.pointer.as_str();
        let schema = match body.source.get("schema") {
            Some(schema) => self.schema(schema, &child(pointer, "schema")),
            None => {
                self.warn(
                    pointer,
                    "a `body` parameter needs a `schema`; any value accepted",
                );
                None
            }
        };
        let schema = schema.unwrap_or_else(|| json!({}));
        let mut out = Object::new();
        for (key, value) in body.source {
            match key.as_str() {
                "description" | "required" => {
                    out.insert(key.clone(), value.clone());
                }
                extension if extension.starts_with("x-") => {
                    out.insert(key.clone(), value.clone());
                }
                "name" | "in" | "schema" => {}
                _ => self.warn(
                    &child(pointer, key),
                    format!("`{key}` is not a Swagger 2.0 body parameter field; dropped"),
                ),
            }
        }
        out.insert("content".into(), content_for(consumes, &schema));
        Value::Object(out)
    }

    /// `formData` parameters → one request body holding an object schema with a property
    /// per field: `multipart/form-data` when a field is a file or the operation consumes
    /// multipart, else `application/x-www-form-urlencoded`.
    fn form_request(&mut self, fields: &[&FormField], consumes: &[String]) -> Value {
        let has_file = fields
            .iter()
            .any(|field| field.source.get("type").and_then(Value::as_str) == Some("file"));
        let multipart = has_file || consumes.iter().any(|media| media == MULTIPART);
        let mut properties = Object::new();
        let mut required = Vec::new();
        let mut encoding = Object::new();
        for field in fields {
            properties.insert(field.name.clone(), self.form_property(field));
            if field.source.get("required") == Some(&Value::Bool(true)) {
                required.push(json!(field.name));
            }
            if let Some(entry) = self.form_encoding(field, multipart) {
                encoding.insert(field.name.clone(), entry);
            }
        }
        let mut schema = Object::new();
        schema.insert("type".into(), json!("object"));
        schema.insert("properties".into(), Value::Object(properties));
        let mut media = Object::new();
        let mut out = Object::new();
        if !required.is_empty() {
            schema.insert("required".into(), Value::Array(required));
            out.insert("required".into(), json!(true));
        }
        media.insert("schema".into(), Value::Object(schema));
        if !encoding.is_empty() {
            media.insert("encoding".into(), Value::Object(encoding));
        }
        let media_type = if multipart { MULTIPART } else { URLENCODED };
        out.insert("content".into(), json!({ media_type: media }));
        Value::Object(out)
    }

    /// One form field → its property schema (value fields, plus `description` and
    /// extensions, which a schema can carry).
    fn form_property(&mut self, field: &FormField) -> Value {
        let pointer = field.pointer.as_str();
        let mut schema = self.value_schema(field.source, pointer);
        for (key, value) in field.source {
            match key.as_str() {
                "description" => {
                    schema.insert(key.clone(), value.clone());
                }
                "allowEmptyValue" => self.warn(
                    &child(pointer, key),
                    "OpenAPI 3.0 has no `allowEmptyValue` for a form field; dropped",
                ),
                "name" | "in" | "required" | "collectionFormat" => {}
                field if VALUE_FIELDS.contains(&field) => {}
                extension if extension.starts_with("x-") => {
                    schema.insert(key.clone(), value.clone());
                }
                _ => self.warn(
                    &child(pointer, key),
                    format!("`{key}` is not a Swagger 2.0 parameter field; dropped"),
                ),
            }
        }
        Value::Object(schema)
    }

    /// How an array form field is serialised: `encoding` style/explode for a urlencoded
    /// body; multipart sends each item as its own part, so only `multi` fits there.
    fn form_encoding(&mut self, field: &FormField, multipart: bool) -> Option<Value> {
        let pointer = child(&field.pointer, "collectionFormat");
        let declared = field.source.get("collectionFormat");
        if field.source.get("type").and_then(Value::as_str) != Some("array") {
            if declared.is_some() {
                self.warn(
                    &pointer,
                    "`collectionFormat` applies only to arrays; ignored",
                );
            }
            return None;
        }
        let format = self.collection_format(declared, &pointer);
        if multipart {
            if declared.is_some() && format != "multi" {
                self.warn(
                    &pointer,
                    format!(
                        "multipart/form-data sends each array item as its own part; \
                         `{format}` cannot be expressed"
                    ),
                );
            }
            return None;
        }
        let (style, explode, problem) = collection_style(&format, "query");
        if let Some(problem) = problem {
            self.warn(&pointer, problem);
        }
        Some(json!({ "style": style, "explode": explode.unwrap_or(false) }))
    }

    // ----- responses -----

    /// An operation's `responses`: status codes and `default` converted, extensions kept.
    fn responses(
        &mut self,
        responses: &Value,
        pointer: &str,
        produces: Option<&[String]>,
    ) -> Value {
        let mut out = Object::new();
        let Some(responses) = responses.as_object() else {
            self.warn(pointer, "`responses` must be a mapping; ignored");
            return Value::Object(out);
        };
        for (status, response) in responses {
            let status_pointer = child(pointer, status);
            if status.starts_with("x-") {
                out.insert(status.clone(), response.clone());
            } else if !is_status_key(status) {
                self.warn(
                    &status_pointer,
                    format!("`{status}` is not an HTTP status code or `default`; dropped"),
                );
            } else if let Some(converted) = self.response(response, &status_pointer, produces) {
                out.insert(status.clone(), converted);
            }
        }
        Value::Object(out)
    }

    /// One response: `schema` → `content` per produced media type, `examples` → each media
    /// type's `example`, headers' value fields → `schema`; `description` is required in 3.0.
    fn response(
        &mut self,
        response: &Value,
        pointer: &str,
        produces: Option<&[String]>,
    ) -> Option<Value> {
        let Some(response) = response.as_object() else {
            self.warn(pointer, "a response must be a mapping; dropped");
            return None;
        };
        if let Some(reference) = self.reference(response, pointer) {
            return Some(reference);
        }
        let description = match response.get("description") {
            Some(Value::String(text)) => text.clone(),
            Some(_) => {
                self.warn(&child(pointer, "description"), "must be a string; ignored");
                String::new()
            }
            None => String::new(),
        };
        let mut out = Object::new();
        out.insert("description".into(), json!(description));
        let mut content = match response.get("schema") {
            Some(schema) => self.response_content(schema, &child(pointer, "schema"), produces),
            None => Object::new(),
        };
        for (key, value) in response {
            let key_pointer = child(pointer, key);
            match key.as_str() {
                "headers" => {
                    let headers = self.headers(value, &key_pointer);
                    if !headers.is_empty() {
                        out.insert(key.clone(), Value::Object(headers));
                    }
                }
                "examples" => self.add_examples(&mut content, value, &key_pointer),
                extension if extension.starts_with("x-") => {
                    out.insert(key.clone(), value.clone());
                }
                "description" | "schema" | "$ref" => {}
                _ => self.warn(
                    &key_pointer,
                    format!("`{key}` is not a Swagger 2.0 response field; dropped"),
                ),
            }
        }
        if !content.is_empty() {
            out.insert("content".into(), Value::Object(content));
        }
        Some(Value::Object(out))
    }

    /// A response schema under each produced media type; a `type: file` response is binary
    /// and defaults to `application/octet-stream` instead of JSON.
    fn response_content(
        &mut self,
        schema: &Value,
        pointer: &str,
        produces: Option<&[String]>,
    ) -> Object {
        let is_file = schema.get("type").and_then(Value::as_str) == Some("file");
        let default = if is_file {
            FILE_MEDIA_TYPE
        } else {
            DEFAULT_MEDIA_TYPE
        };
        let types = produces
            .map(<[String]>::to_vec)
            .unwrap_or_else(|| vec![default.to_owned()]);
        let schema = self.schema(schema, pointer).unwrap_or_else(|| json!({}));
        match content_for(&types, &schema) {
            Value::Object(content) => content,
            _ => Object::new(),
        }
    }

    /// 2.0 `examples: {media type: value}` → `content[media type].example`; a media type
    /// the response does not produce gets its own entry (with the same schema).
    fn add_examples(&mut self, content: &mut Object, examples: &Value, pointer: &str) {
        let Some(examples) = examples.as_object() else {
            self.warn(pointer, "`examples` must be a mapping; ignored");
            return;
        };
        let schema = content
            .values()
            .find_map(|media| media.get("schema"))
            .cloned();
        for (media_type, example) in examples {
            let entry = content.entry(media_type.clone()).or_insert_with(|| {
                schema
                    .clone()
                    .map_or_else(|| json!({}), |schema| json!({ "schema": schema }))
            });
            if let Some(entry) = entry.as_object_mut() {
                entry.insert("example".into(), example.clone());
            }
        }
    }

    /// Response `headers`: each header's value fields move into a `schema`.
    fn headers(&mut self, headers: &Value, pointer: &str) -> Object {
        let mut out = Object::new();
        let Some(headers) = headers.as_object() else {
            self.warn(pointer, "`headers` must be a mapping; ignored");
            return out;
        };
        for (name, header) in headers {
            if let Some(converted) = self.header(header, &child(pointer, name)) {
                out.insert(name.clone(), converted);
            }
        }
        out
    }

    /// One response header → `{description, schema}` (headers are `simple`-style, so only
    /// the default `csv` array format is expressible).
    fn header(&mut self, header: &Value, pointer: &str) -> Option<Value> {
        let Some(header) = header.as_object() else {
            self.warn(pointer, "a header must be a mapping; dropped");
            return None;
        };
        let mut out = Object::new();
        for (key, value) in header {
            match key.as_str() {
                "description" => {
                    out.insert(key.clone(), value.clone());
                }
                extension if extension.starts_with("x-") && !VALUE_FIELDS.contains(&extension) => {
                    out.insert(key.clone(), value.clone());
                }
                field if VALUE_FIELDS.contains(&field) || field == "collectionFormat" => {}
                _ => self.warn(
                    &child(pointer, key),
                    format!("`{key}` is not a Swagger 2.0 header field; dropped"),
                ),
            }
        }
        let schema = self.value_schema(header, pointer);
        out.insert("schema".into(), Value::Object(schema));
        // Headers are always `simple`; the style adds nothing but its warnings.
        let _ = self.parameter_style(header, "header", pointer);
        Some(Value::Object(out))
    }

    // ----- security -----

    /// A security definition → a 3.0 security scheme (`basic` → `http`, oauth2 `flow` →
    /// `flows`); `None` for an unknown type.
    fn security_scheme(&mut self, scheme: &Value, pointer: &str) -> Option<Value> {
        let Some(scheme) = scheme.as_object() else {
            self.warn(pointer, "a security definition must be a mapping; dropped");
            return None;
        };
        let kind = scheme.get("type").and_then(Value::as_str);
        let mut out = match kind {
            Some("basic") => Object::from_iter([
                ("type".to_owned(), json!("http")),
                ("scheme".to_owned(), json!("basic")),
            ]),
            Some("apiKey") => return Some(Value::Object(scheme.clone())),
            Some("oauth2") => self.oauth2(scheme, pointer),
            _ => {
                self.warn(
                    &child(pointer, "type"),
                    "a security definition's `type` must be `basic`, `apiKey` or `oauth2`; dropped",
                );
                return None;
            }
        };
        for (key, value) in scheme {
            if key == "description" || key.starts_with("x-") {
                out.insert(key.clone(), value.clone());
            }
        }
        Some(Value::Object(out))
    }

    /// An oauth2 definition → `{type: oauth2, flows: {<3.0 flow>: {urls, scopes}}}`.
    fn oauth2(&mut self, scheme: &Object, pointer: &str) -> Object {
        let flow = scheme
            .get("flow")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let (name, urls): (&str, &[&str]) = match flow {
            "implicit" => ("implicit", &["authorizationUrl"]),
            "password" => ("password", &["tokenUrl"]),
            "application" => ("clientCredentials", &["tokenUrl"]),
            "accessCode" => ("authorizationCode", &["authorizationUrl", "tokenUrl"]),
            _ => {
                self.warn(
                    &child(pointer, "flow"),
                    "`flow` must be `implicit`, `password`, `application` or `accessCode`; \
                     no flow converted",
                );
                return oauth2_scheme(json!({}));
            }
        };
        let mut flow_out = Object::new();
        for url in urls {
            let value = scheme.get(*url).and_then(Value::as_str);
            if value.is_none() {
                self.warn(pointer, format!("the `{flow}` flow needs a string `{url}`"));
            }
            flow_out.insert((*url).into(), json!(value.unwrap_or_default()));
        }
        let scopes = match scheme.get("scopes") {
            Some(Value::Object(scopes)) => Value::Object(scopes.clone()),
            None => json!({}),
            Some(_) => {
                self.warn(
                    &child(pointer, "scopes"),
                    "`scopes` must be a mapping; ignored",
                );
                json!({})
            }
        };
        flow_out.insert("scopes".into(), scopes);
        oauth2_scheme(json!({ name: flow_out }))
    }

    // ----- schemas -----

    /// A 2.0 schema → 3.0: refs rewritten, `x-nullable` → `nullable`, `type: file` →
    /// binary string, string `discriminator` → object; descends into subschemas but not
    /// into `example`, `default`, `enum` or extensions. `None` for a non-mapping.
    fn schema(&mut self, schema: &Value, pointer: &str) -> Option<Value> {
        let Some(schema) = schema.as_object() else {
            self.warn(pointer, "a schema must be a mapping; dropped");
            return None;
        };
        if let Some(reference) = self.reference(schema, pointer) {
            return Some(nullable_reference(reference, schema));
        }
        let mut out = Object::new();
        let mut lifted_required = Vec::new();
        for (key, value) in schema {
            let key_pointer = child(pointer, key);
            match key.as_str() {
                "$ref" => {}
                "type" => self.schema_type(value, &key_pointer, &mut out),
                "x-nullable" => self.nullable(value, &key_pointer, &mut out),
                "discriminator" => self.discriminator(value, &key_pointer, &mut out),
                "required" => self.required(value, &key_pointer, &mut out),
                "properties" => {
                    let properties = self.properties(value, &key_pointer, &mut lifted_required);
                    out.insert(key.clone(), properties);
                }
                "items" | "not" => {
                    let subschema = self.items(value, &key_pointer);
                    out.insert(key.clone(), subschema);
                }
                "allOf" | "anyOf" | "oneOf" => {
                    let list = self.schema_list(value, &key_pointer);
                    out.insert(key.clone(), list);
                }
                "additionalProperties" => {
                    if let Some(additional) = self.additional_properties(value, &key_pointer) {
                        out.insert(key.clone(), additional);
                    }
                }
                _ => {
                    out.insert(key.clone(), value.clone());
                }
            }
        }
        if out.get("type").and_then(Value::as_str) == Some("file") {
            out.insert("type".into(), json!("string"));
            out.insert("format".into(), json!("binary"));
        }
        add_required(&mut out, lifted_required);
        Some(Value::Object(out))
    }

    /// `type`: a string is kept (`file` is rewritten by the caller); a list (not 2.0, but
    /// seen in the wild) keeps its one non-null type and sets `nullable`.
    fn schema_type(&mut self, value: &Value, pointer: &str, out: &mut Object) {
        match value {
            Value::String(_) => {
                out.insert("type".into(), value.clone());
            }
            Value::Array(types) => {
                let named: Vec<&str> = types.iter().filter_map(Value::as_str).collect();
                let non_null: Vec<&str> = named
                    .iter()
                    .copied()
                    .filter(|name| *name != "null")
                    .collect();
                if named.len() > non_null.len() {
                    out.insert("nullable".into(), json!(true));
                }
                if let [single] = non_null.as_slice() {
                    out.insert("type".into(), json!(single));
                } else {
                    self.warn(pointer, "OpenAPI 3.0 allows a single `type`; dropped");
                }
            }
            _ => self.warn(pointer, "`type` must be a string; dropped"),
        }
    }

    /// `x-nullable: true` → `nullable: true`.
    fn nullable(&mut self, value: &Value, pointer: &str, out: &mut Object) {
        match value {
            Value::Bool(true) => {
                out.insert("nullable".into(), json!(true));
            }
            Value::Bool(false) => {}
            _ => self.warn(pointer, "`x-nullable` must be a boolean; ignored"),
        }
    }

    /// 2.0 `discriminator: "prop"` → 3.0 `discriminator: {propertyName: "prop"}`.
    fn discriminator(&mut self, value: &Value, pointer: &str, out: &mut Object) {
        match value {
            Value::String(name) => {
                out.insert("discriminator".into(), json!({ "propertyName": name }));
            }
            Value::Object(object) if object.get("propertyName").is_some_and(Value::is_string) => {
                out.insert("discriminator".into(), value.clone());
            }
            _ => self.warn(pointer, "`discriminator` must be a property name; dropped"),
        }
    }

    /// `required` must be a list of property names in 3.0; other entries are dropped.
    fn required(&mut self, value: &Value, pointer: &str, out: &mut Object) {
        let Some(names) = value.as_array() else {
            self.warn(
                pointer,
                "`required` must be a list of property names; dropped",
            );
            return;
        };
        let strings: Vec<Value> = names
            .iter()
            .filter(|name| name.is_string())
            .cloned()
            .collect();
        if strings.len() != names.len() {
            self.warn(
                pointer,
                "`required` entries must be strings; others dropped",
            );
        }
        out.insert("required".into(), Value::Array(strings));
    }

    /// `properties`: each converted; a property's boolean `required: true` (a common 2.0
    /// mistake) is lifted into the parent's `required` list.
    fn properties(&mut self, value: &Value, pointer: &str, lifted: &mut Vec<String>) -> Value {
        let mut out = Object::new();
        let Some(properties) = value.as_object() else {
            self.warn(pointer, "`properties` must be a mapping; dropped");
            return Value::Object(out);
        };
        for (name, property) in properties {
            let property_pointer = child(pointer, name);
            let property = self.lift_required(property, name, &property_pointer, lifted);
            let converted = self
                .schema(&property, &property_pointer)
                .unwrap_or_else(|| json!({}));
            out.insert(name.clone(), converted);
        }
        Value::Object(out)
    }

    /// A property without its boolean `required` (recorded in `lifted` when true).
    fn lift_required(
        &mut self,
        property: &Value,
        name: &str,
        pointer: &str,
        lifted: &mut Vec<String>,
    ) -> Value {
        let mut property = property.clone();
        let Some(object) = property.as_object_mut() else {
            return property;
        };
        if let Some(Value::Bool(required)) = object.get("required").cloned() {
            object.remove("required");
            if required {
                lifted.push(name.to_owned());
            }
            self.warn(
                &child(pointer, "required"),
                "a boolean `required` on a property is not valid; moved to the parent's `required` list",
            );
        }
        property
    }

    /// `items`/`not`: one subschema (a tuple-style list has no 3.0 form and accepts any item).
    fn items(&mut self, value: &Value, pointer: &str) -> Value {
        if value.is_array() {
            self.warn(
                pointer,
                "OpenAPI 3.0 has no tuple `items`; any item accepted",
            );
            return json!({});
        }
        self.schema(value, pointer).unwrap_or_else(|| json!({}))
    }

    /// `allOf`/`anyOf`/`oneOf`: each subschema converted, non-mappings dropped.
    fn schema_list(&mut self, value: &Value, pointer: &str) -> Value {
        let Some(list) = value.as_array() else {
            self.warn(pointer, "must be a list of schemas; dropped");
            return json!([]);
        };
        let converted = list
            .iter()
            .enumerate()
            .filter_map(|(index, item)| self.schema(item, &child(pointer, &index.to_string())))
            .collect();
        Value::Array(converted)
    }

    /// `additionalProperties`: a boolean as is, a schema converted.
    fn additional_properties(&mut self, value: &Value, pointer: &str) -> Option<Value> {
        match value {
            Value::Bool(_) => Some(value.clone()),
            _ => self.schema(value, pointer),
        }
    }
}

/// An oauth2 security scheme with the given `flows`.
fn oauth2_scheme(flows: Value) -> Object {
    Object::from_iter([
        ("type".to_owned(), json!("oauth2")),
        ("flows".to_owned(), flows),
    ])
}

/// A pointer one level below `pointer`.
fn child(pointer: &str, token: &str) -> String {
    format!("{pointer}/{}", escape_pointer_token(token))
}

/// The `{media type: {schema}}` map of a request or response body.
fn content_for(media_types: &[String], schema: &Value) -> Value {
    let content: Object = media_types
        .iter()
        .map(|media| (media.clone(), json!({ "schema": schema })))
        .collect();
    Value::Object(content)
}

/// The converted plain (non-body, non-form) parameters of a list, in order.
fn plain_parameters(params: &[Param]) -> Vec<Value> {
    params
        .iter()
        .filter_map(|param| match param {
            Param::Plain(value) => Some(value.clone()),
            _ => None,
        })
        .collect()
}

/// The body and form parameters an operation uses: the path item's, minus those the
/// operation redefines (any body; a form field of the same name), then the operation's.
/// Plain path-item parameters are not repeated: they stay on the 3.0 path item.
fn merge_parameters<'a>(shared: &[Param<'a>], own: Vec<Param<'a>>) -> Vec<Param<'a>> {
    let own_has_body = own.iter().any(|param| matches!(param, Param::Body(_)));
    let own_fields: HashSet<&str> = own
        .iter()
        .filter_map(|param| match param {
            Param::Form(field) => Some(field.name.as_str()),
            _ => None,
        })
        .collect();
    let inherited = shared.iter().filter(|param| match param {
        Param::Plain(_) => false,
        Param::Body(_) => !own_has_body,
        Param::Form(field) => !own_fields.contains(field.name.as_str()),
    });
    let mut merged: Vec<Param<'a>> = inherited.cloned().collect();
    merged.extend(own);
    merged
}

/// The 3.0 `style`, `explode` and, when not exact, why, for a 2.0 `collectionFormat` of a
/// parameter in `location` (form bodies use the query rules).
fn collection_style(format: &str, location: &str) -> (&'static str, Option<bool>, Option<String>) {
    if location == "query" {
        return match format {
            "csv" => ("form", Some(false), None),
            "multi" => ("form", Some(true), None),
            "ssv" => ("spaceDelimited", None, None),
            "pipes" => ("pipeDelimited", None, None),
            "tsv" => (
                "form",
                Some(false),
                Some("OpenAPI 3.0 has no tab-separated style; written as comma-separated".into()),
            ),
            other => (
                "form",
                Some(false),
                Some(format!(
                    "unknown `collectionFormat: {other}`; `csv` assumed"
                )),
            ),
        };
    }
    match format {
        "csv" => ("simple", None, None),
        "tsv" => (
            "simple",
            None,
            Some("OpenAPI 3.0 has no tab-separated style; written as comma-separated".into()),
        ),
        other => (
            "simple",
            None,
            Some(format!(
                "`collectionFormat: {other}` cannot be expressed for a {location} value in \
                 OpenAPI 3.0; written as comma-separated"
            )),
        ),
    }
}

/// A schema `$ref` as 3.0 reads it: siblings of a `$ref` are ignored, so go-swagger's
/// `x-nullable: true` beside one is kept by wrapping the ref in `allOf` under `nullable`.
fn nullable_reference(reference: Value, schema: &Object) -> Value {
    if schema.get("x-nullable") == Some(&Value::Bool(true)) {
        json!({ "nullable": true, "allOf": [reference] })
    } else {
        reference
    }
}

/// Appends `names` to the schema's `required` list (creating it), skipping duplicates.
fn add_required(schema: &mut Object, names: Vec<String>) {
    if names.is_empty() {
        return;
    }
    let entry = schema
        .entry("required")
        .or_insert_with(|| Value::Array(Vec::new()));
    if let Value::Array(list) = entry {
        for name in names {
            let name = Value::String(name);
            if !list.contains(&name) {
                list.push(name);
            }
        }
    }
}

/// Whether a `responses` key is `default`, a status code (100–999) or a range like `2XX`.
fn is_status_key(key: &str) -> bool {
    if key == "default" {
        return true;
    }
    let bytes = key.as_bytes();
    let [first, second, third] = bytes else {
        return false;
    };
    let rest_digits = second.is_ascii_digit() && third.is_ascii_digit();
    let rest_range = second.eq_ignore_ascii_case(&b'X') && third.eq_ignore_ascii_case(&b'X');
    (b'1'..=b'9').contains(first) && (rest_digits || rest_range)
}

/// Drops repeated warnings (a global parameter used by many operations is converted, and
/// reported, once per use), keeping the first of each in order.
fn dedup(warnings: Vec<(String, String)>) -> Vec<(String, String)> {
    let mut seen = HashSet::new();
    warnings
        .into_iter()
        .filter(|warning| seen.insert(warning.clone()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A minimal valid 2.0 document with `extra` merged in at the top level.
    fn document(extra: Value) -> Value {
        let mut base = json!({
            "swagger": "2.0",
            "info": { "title": "T", "version": "1" },
            "paths": {},
        });
        if let (Some(base), Value::Object(extra)) = (base.as_object_mut(), extra) {
            base.extend(extra);
        }
        base
    }

    /// Converts, checks the result reads as OpenAPI 3.0, and returns it.
    fn converted(extra: Value) -> Normalised {
        let normalised = convert(document(extra)).expect("a mapping always converts");
        if let Err(error) =
            serde_json::from_value::<openapiv3::OpenAPI>(normalised.document.clone())
        {
            panic!("not OpenAPI 3.0: {error}\n{:#}", normalised.document);
        }
        normalised
    }

    /// The converted document of a single operation `GET /p` with `operation`'s fields.
    fn operation(operation: Value) -> Value {
        let extra = json!({ "paths": { "/p": { "post": operation } } });
        converted(extra).document["paths"]["/p"]["post"].clone()
    }

    fn warned(normalised: &Normalised, pointer: &str) -> bool {
        normalised.warnings.iter().any(|(at, _)| at == pointer)
    }

    #[test]
    fn declares_openapi_3_0_3_and_keeps_info() {
        let result = converted(json!({ "info": { "title": "Pets", "version": "2", "x-a": 1 } }));
        assert_eq!(result.document["openapi"], "3.0.3");
        assert_eq!(
            result.document["info"],
            json!({ "title": "Pets", "version": "2", "x-a": 1 })
        );
        assert!(result.document.get("swagger").is_none());
        assert!(result.warnings.is_empty());
    }

    #[test]
    fn host_base_path_and_schemes_become_one_server_per_scheme() {
        let result = converted(json!({
            "host": "api.example.com", "basePath": "/v1", "schemes": ["http", "https"],
        }));
        assert_eq!(
            result.document["servers"],
            json!([{ "url": "http://api.example.com/v1" }, { "url": "https://api.example.com/v1" }])
        );
    }

    #[test]
    fn a_host_without_schemes_is_served_over_https() {
        let result = converted(json!({ "host": "example.com" }));
        assert_eq!(
            result.document["servers"],
            json!([{ "url": "https://example.com" }])
        );
    }

    #[test]
    fn a_base_path_alone_becomes_a_relative_server() {
        let result = converted(json!({ "basePath": "/v1.40", "schemes": ["http"] }));
        assert_eq!(result.document["servers"], json!([{ "url": "/v1.40" }]));
    }

    #[test]
    fn tags_external_docs_security_and_extensions_are_kept_as_is() {
        let extra = json!({
            "tags": [{ "name": "pets", "description": "d" }],
            "externalDocs": { "url": "https://docs" },
            "security": [{ "key": [] }],
            "x-logo": { "url": "l" },
        });
        let result = converted(extra.clone());
        for field in ["tags", "externalDocs", "security", "x-logo"] {
            assert_eq!(result.document[field], extra[field], "{field}");
        }
    }

    #[test]
    fn definitions_become_component_schemas() {
        let result = converted(json!({ "definitions": {
            "Pet": { "type": "object", "properties": { "id": { "type": "integer" } } },
        }}));
        assert_eq!(
            result.document["components"]["schemas"]["Pet"],
            json!({ "type": "object", "properties": { "id": { "type": "integer" } } })
        );
    }

    #[test]
    fn global_parameters_become_parameters_request_bodies_or_inline_form_fields() {
        let result = converted(json!({
            "parameters": {
                "limit": { "name": "limit", "in": "query", "type": "integer" },
                "pet": { "name": "pet", "in": "body", "schema": { "$ref": "#/definitions/Pet" } },
                "file": { "name": "file", "in": "formData", "type": "file" },
            },
            "definitions": { "Pet": { "type": "object" } },
            "paths": { "/p": { "post": {
                "parameters": [{ "$ref": "#/parameters/file" }],
                "responses": { "200": { "description": "ok" } },
            }}},
        }));
        let components = &result.document["components"];
        assert_eq!(
            components["parameters"]["limit"],
            json!({ "name": "limit", "in": "query", "schema": { "type": "integer" } })
        );
        assert_eq!(
            components["requestBodies"]["pet"],
            json!({ "content": { "application/json": {
                "schema": { "$ref": "#/components/schemas/Pet" } } } })
        );
        assert!(components["parameters"].get("file").is_none());
        let body = &result.document["paths"]["/p"]["post"]["requestBody"];
        assert_eq!(
            body["content"]["multipart/form-data"]["schema"]["properties"]["file"],
            json!({ "type": "string", "format": "binary" })
        );
    }

    #[test]
    fn global_responses_become_component_responses() {
        let result = converted(json!({ "produces": ["application/xml"], "responses": {
            "NotFound": { "description": "gone", "schema": { "type": "string" } },
        }}));
        assert_eq!(
            result.document["components"]["responses"]["NotFound"],
            json!({ "description": "gone", "content": {
                "application/xml": { "schema": { "type": "string" } } } })
        );
    }

    #[test]
    fn security_definitions_become_security_schemes() {
        let result = converted(json!({ "securityDefinitions": {
            "basic": { "type": "basic", "description": "b" },
            "key": { "type": "apiKey", "name": "X-Key", "in": "header" },
            "implicit": { "type": "oauth2", "flow": "implicit",
                          "authorizationUrl": "https://a", "scopes": { "r": "read" } },
            "password": { "type": "oauth2", "flow": "password", "tokenUrl": "https://t", "scopes": {} },
            "application": { "type": "oauth2", "flow": "application", "tokenUrl": "https://t" },
            "accessCode": { "type": "oauth2", "flow": "accessCode",
                            "authorizationUrl": "https://a", "tokenUrl": "https://t", "scopes": {} },
        }}));
        let schemes = &result.document["components"]["securitySchemes"];
        assert_eq!(
            schemes["basic"],
            json!({ "type": "http", "scheme": "basic", "description": "b" })
        );
        assert_eq!(
            schemes["key"],
            json!({ "type": "apiKey", "name": "X-Key", "in": "header" })
        );
        assert_eq!(
            schemes["implicit"]["flows"],
            json!({ "implicit": { "authorizationUrl": "https://a", "scopes": { "r": "read" } } })
        );
        assert_eq!(
            schemes["password"]["flows"],
            json!({ "password": { "tokenUrl": "https://t", "scopes": {} } })
        );
        assert_eq!(
            schemes["application"]["flows"],
            json!({ "clientCredentials": { "tokenUrl": "https://t", "scopes": {} } })
        );
        assert_eq!(
            schemes["accessCode"]["flows"],
            json!({ "authorizationCode": {
                "authorizationUrl": "https://a", "tokenUrl": "https://t", "scopes": {} } })
        );
    }

    #[test]
    fn refs_are_rewritten_to_components_and_refs_to_other_files_are_kept() {
        let result = converted(json!({
            "definitions": {
                "Pet": { "type": "object" },
                "Owner": { "type": "object", "properties": {
                    "pet": { "$ref": "#/definitions/Pet" },
                    "remote": { "$ref": "other.yaml#/definitions/Remote" },
                }},
            },
            "parameters": {
                "id": { "name": "id", "in": "path", "required": true, "type": "string" },
                "body": { "name": "body", "in": "body", "schema": { "$ref": "#/definitions/Pet" } },
            },
            "responses": { "Err": { "description": "e" } },
            "paths": { "/p/{id}": { "put": {
                "parameters": [{ "$ref": "#/parameters/id" }, { "$ref": "#/parameters/body" }],
                "responses": { "default": { "$ref": "#/responses/Err" } },
            }}},
        }));
        let owner = &result.document["components"]["schemas"]["Owner"]["properties"];
        assert_eq!(owner["pet"]["$ref"], "#/components/schemas/Pet");
        assert_eq!(owner["remote"]["$ref"], "other.yaml#/definitions/Remote");
        let put = &result.document["paths"]["/p/{id}"]["put"];
        assert_eq!(
            put["parameters"],
            json!([{ "$ref": "#/components/parameters/id" }])
        );
        assert_eq!(
            put["requestBody"],
            json!({ "$ref": "#/components/requestBodies/body" })
        );
        assert_eq!(
            put["responses"]["default"],
            json!({ "$ref": "#/components/responses/Err" })
        );
    }

    #[test]
    fn media_types_come_from_the_operation_else_the_document_else_json() {
        let body = json!({ "name": "b", "in": "body", "schema": { "type": "string" } });
        let ok = json!({ "200": { "description": "", "schema": { "type": "string" } } });
        let own = json!({ "consumes": ["text/plain"], "produces": ["text/csv"],
                          "parameters": [body], "responses": ok });
        let inherited = json!({ "parameters": [body], "responses": ok });
        let result = converted(json!({
            "consumes": ["application/xml"], "produces": ["application/xml"],
            "paths": { "/own": { "post": own }, "/inherited": { "post": inherited } },
        }));
        let paths = &result.document["paths"];
        let content_types = |operation: &Value, at: &str| -> Vec<String> {
            operation[at]["content"]
                .as_object()
                .map(|c| c.keys().cloned().collect())
                .unwrap_or_default()
        };
        let own = &paths["/own"]["post"];
        assert_eq!(content_types(own, "requestBody"), ["text/plain"]);
        assert_eq!(content_types(&own["responses"], "200"), ["text/csv"]);
        let inherited = &paths["/inherited"]["post"];
        assert_eq!(content_types(inherited, "requestBody"), ["application/xml"]);
        assert_eq!(
            content_types(&inherited["responses"], "200"),
            ["application/xml"]
        );
        let neither = operation(json!({ "parameters": [body], "responses": ok }));
        assert_eq!(content_types(&neither, "requestBody"), ["application/json"]);
        assert_eq!(
            content_types(&neither["responses"], "200"),
            ["application/json"]
        );
    }

    #[test]
    fn a_body_parameter_becomes_the_request_body() {
        let post = operation(json!({
            "consumes": ["application/json", "application/xml"],
            "parameters": [{ "name": "pet", "in": "body", "description": "the pet",
                             "required": true, "schema": { "$ref": "#/definitions/Pet" } }],
            "responses": { "204": { "description": "done" } },
        }));
        let schema = json!({ "schema": { "$ref": "#/components/schemas/Pet" } });
        assert_eq!(
            post["requestBody"],
            json!({ "description": "the pet", "required": true,
                    "content": { "application/json": schema, "application/xml": schema } })
        );
        assert!(post.get("parameters").is_none());
    }

    #[test]
    fn form_data_parameters_become_a_urlencoded_object_body() {
        let post = operation(json!({
            "parameters": [
                { "name": "name", "in": "formData", "type": "string", "required": true,
                  "description": "who" },
                { "name": "age", "in": "formData", "type": "integer" },
            ],
            "responses": { "200": { "description": "" } },
        }));
        assert_eq!(
            post["requestBody"],
            json!({ "content": { "application/x-www-form-urlencoded": { "schema": {
                "type": "object",
                "properties": {
                    "name": { "type": "string", "description": "who" },
                    "age": { "type": "integer" },
                },
                "required": ["name"],
            }}}, "required": true })
        );
    }

    #[test]
    fn a_file_field_or_multipart_consumes_makes_the_form_multipart() {
        let file = operation(json!({
            "parameters": [{ "name": "upload", "in": "formData", "type": "file" }],
            "responses": { "200": { "description": "" } },
        }));
        assert_eq!(
            file["requestBody"]["content"]["multipart/form-data"]["schema"]["properties"]["upload"],
            json!({ "type": "string", "format": "binary" })
        );
        let declared = operation(json!({
            "consumes": ["multipart/form-data"],
            "parameters": [{ "name": "note", "in": "formData", "type": "string" }],
            "responses": { "200": { "description": "" } },
        }));
        assert!(
            declared["requestBody"]["content"]
                .get("multipart/form-data")
                .is_some()
        );
    }

    #[test]
    fn an_array_form_field_keeps_its_collection_format_as_encoding() {
        let post = operation(json!({
            "parameters": [
                { "name": "tags", "in": "formData", "type": "array", "items": { "type": "string" } },
                { "name": "ids", "in": "formData", "type": "array", "collectionFormat": "multi",
                  "items": { "type": "integer" } },
            ],
            "responses": { "200": { "description": "" } },
        }));
        assert_eq!(
            post["requestBody"]["content"]["application/x-www-form-urlencoded"]["encoding"],
            json!({ "tags": { "style": "form", "explode": false },
                    "ids": { "style": "form", "explode": true } })
        );
    }

    #[test]
    fn path_item_parameters_stay_on_the_path_and_bodies_reach_every_operation() {
        let result = converted(json!({ "paths": { "/p/{id}": {
            "parameters": [
                { "name": "id", "in": "path", "required": true, "type": "string" },
                { "name": "note", "in": "formData", "type": "string" },
                { "name": "size", "in": "formData", "type": "integer" },
            ],
            "post": {
                "parameters": [{ "name": "size", "in": "formData", "type": "number" }],
                "responses": { "200": { "description": "" } },
            },
            "put": { "responses": { "200": { "description": "" } } },
        }}}));
        let item = &result.document["paths"]["/p/{id}"];
        assert_eq!(
            item["parameters"],
            json!([{ "name": "id", "in": "path", "required": true, "schema": { "type": "string" } }])
        );
        let form = "application/x-www-form-urlencoded";
        let post = &item["post"]["requestBody"]["content"][form]["schema"]["properties"];
        assert_eq!(
            post,
            &json!({ "note": { "type": "string" }, "size": { "type": "number" } })
        );
        let put = &item["put"]["requestBody"]["content"][form]["schema"]["properties"];
        assert_eq!(
            put,
            &json!({ "note": { "type": "string" }, "size": { "type": "integer" } })
        );
    }

    #[test]
    fn an_operation_body_replaces_the_path_item_body() {
        let result = converted(json!({ "paths": { "/p": {
            "parameters": [{ "name": "a", "in": "body", "schema": { "type": "string" } }],
            "post": {
                "parameters": [{ "name": "b", "in": "body", "schema": { "type": "integer" } }],
                "responses": { "200": { "description": "" } },
            },
        }}}));
        let body = &result.document["paths"]["/p"]["post"]["requestBody"];
        assert_eq!(
            body["content"]["application/json"]["schema"],
            json!({ "type": "integer" })
        );
    }

    #[test]
    fn value_fields_of_a_parameter_move_into_its_schema() {
        let post = operation(json!({
            "parameters": [{
                "name": "limit", "in": "query", "description": "max", "required": false,
                "allowEmptyValue": true, "x-example": 3, "type": "integer", "format": "int32",
                "default": 10, "minimum": 1, "maximum": 100, "exclusiveMaximum": true,
                "multipleOf": 1, "enum": [10, 20],
            }, {
                "name": "name", "in": "header", "type": "string", "maxLength": 5,
                "minLength": 1, "pattern": "^a", "allowEmptyValue": true,
            }],
            "responses": { "200": { "description": "" } },
        }));
        assert_eq!(
            post["parameters"][0],
            json!({
                "name": "limit", "in": "query", "description": "max", "required": false,
                "allowEmptyValue": true, "x-example": 3,
                "schema": { "type": "integer", "format": "int32", "default": 10, "minimum": 1,
                            "maximum": 100, "exclusiveMaximum": true, "multipleOf": 1,
                            "enum": [10, 20] },
            })
        );
        assert_eq!(
            post["parameters"][1],
            json!({ "name": "name", "in": "header",
                    "schema": { "type": "string", "maxLength": 5, "minLength": 1, "pattern": "^a" } })
        );
    }

    #[test]
    fn allow_empty_value_outside_query_is_dropped_with_a_warning() {
        let result = converted(json!({ "paths": { "/p": { "get": {
            "parameters": [{ "name": "h", "in": "header", "type": "string", "allowEmptyValue": true }],
            "responses": { "200": { "description": "" } },
        }}}}));
        assert!(warned(
            &result,
            "/paths/~1p/get/parameters/0/allowEmptyValue"
        ));
    }

    /// The converted `style`/`explode` of an array parameter in `location` with `format`.
    fn style_of(location: &str, format: Option<&str>) -> (Value, Vec<(String, String)>) {
        let mut parameter = json!({ "name": "v", "in": location, "required": true,
                                    "type": "array", "items": { "type": "string" } });
        if let Some(format) = format {
            parameter["collectionFormat"] = json!(format);
        }
        let result = converted(json!({ "paths": { "/p/{v}": { "get": {
            "parameters": [parameter], "responses": { "200": { "description": "" } },
        }}}}));
        let converted = &result.document["paths"]["/p/{v}"]["get"]["parameters"][0];
        let style = json!({ "style": converted["style"], "explode": converted["explode"] });
        (style, result.warnings)
    }

    #[test]
    fn collection_formats_become_styles() {
        let cases = [
            ("query", None, json!({ "style": "form", "explode": false })),
            (
                "query",
                Some("csv"),
                json!({ "style": "form", "explode": false }),
            ),
            (
                "query",
                Some("multi"),
                json!({ "style": "form", "explode": true }),
            ),
            (
                "query",
                Some("ssv"),
                json!({ "style": "spaceDelimited", "explode": null }),
            ),
            (
                "query",
                Some("pipes"),
                json!({ "style": "pipeDelimited", "explode": null }),
            ),
            ("path", None, json!({ "style": "simple", "explode": null })),
            (
                "header",
                Some("csv"),
                json!({ "style": "simple", "explode": null }),
            ),
        ];
        for (location, format, expected) in cases {
            let (style, warnings) = style_of(location, format);
            assert_eq!(style, expected, "{location} {format:?}");
            assert!(warnings.is_empty(), "{location} {format:?}: {warnings:?}");
        }
    }

    #[test]
    fn tsv_and_formats_a_location_cannot_take_are_comma_separated_with_a_warning() {
        for (location, format, expected) in [
            ("query", "tsv", json!({ "style": "form", "explode": false })),
            ("path", "tsv", json!({ "style": "simple", "explode": null })),
            (
                "header",
                "multi",
                json!({ "style": "simple", "explode": null }),
            ),
        ] {
            let (style, warnings) = style_of(location, Some(format));
            assert_eq!(style, expected, "{location} {format}");
            assert_eq!(warnings.len(), 1, "{location} {format}");
            assert!(warnings[0].0.ends_with("/parameters/0/collectionFormat"));
        }
    }

    #[test]
    fn a_response_schema_is_served_in_every_produced_media_type() {
        let post = operation(json!({
            "produces": ["application/json", "text/plain"],
            "responses": { "200": { "description": "ok", "schema": { "type": "string" } } },
        }));
        let schema = json!({ "schema": { "type": "string" } });
        assert_eq!(
            post["responses"]["200"],
            json!({ "description": "ok", "content": { "application/json": schema, "text/plain": schema } })
        );
    }

    #[test]
    fn a_file_response_is_binary_and_defaults_to_octet_stream() {
        let undeclared = operation(json!({
            "responses": { "200": { "description": "", "schema": { "type": "file" } } },
        }));
        assert_eq!(
            undeclared["responses"]["200"]["content"],
            json!({ "application/octet-stream": { "schema": { "type": "string", "format": "binary" } } })
        );
        let declared = operation(json!({
            "produces": ["image/png"],
            "responses": { "200": { "description": "", "schema": { "type": "file" } } },
        }));
        assert!(
            declared["responses"]["200"]["content"]
                .get("image/png")
                .is_some()
        );
    }

    #[test]
    fn response_examples_become_media_type_examples() {
        let post = operation(json!({
            "produces": ["application/json"],
            "responses": { "200": {
                "description": "", "schema": { "type": "object" },
                "examples": { "application/json": { "id": 1 }, "text/plain": "one" },
            }},
        }));
        assert_eq!(
            post["responses"]["200"]["content"],
            json!({
                "application/json": { "schema": { "type": "object" }, "example": { "id": 1 } },
                "text/plain": { "schema": { "type": "object" }, "example": "one" },
            })
        );
    }

    #[test]
    fn response_header_value_fields_move_into_a_schema() {
        let post = operation(
            json!({ "responses": { "200": { "description": "", "headers": {
                "X-Rate": { "description": "left", "type": "integer", "format": "int32" },
                "X-Tags": { "type": "array", "items": { "type": "string" } },
            }}}}),
        );
        assert_eq!(
            post["responses"]["200"]["headers"],
            json!({
                "X-Rate": { "description": "left", "schema": { "type": "integer", "format": "int32" } },
                "X-Tags": { "schema": { "type": "array", "items": { "type": "string" } } },
            })
        );
    }

    #[test]
    fn a_response_without_schema_keeps_only_its_description_which_defaults_to_empty() {
        let post =
            operation(json!({ "responses": { "204": { "description": "gone" }, "404": {} } }));
        assert_eq!(
            post["responses"],
            json!({ "204": { "description": "gone" }, "404": { "description": "" } })
        );
    }

    #[test]
    fn schemas_are_converted_at_every_depth() {
        let result = converted(json!({ "definitions": {
            "Pet": {
                "type": "object",
                "discriminator": "kind",
                "required": ["kind"],
                "x-nullable": true,
                "properties": {
                    "kind": { "type": "string", "readOnly": true },
                    "photo": { "type": "file" },
                    "tags": { "type": "array", "items": { "type": "string", "x-nullable": true } },
                    "meta": { "type": "object",
                              "additionalProperties": { "$ref": "#/definitions/Pet" } },
                },
            },
            "Cat": { "allOf": [{ "$ref": "#/definitions/Pet" }, { "x-nullable": true }] },
            "Owner": { "type": "object", "properties": {
                "pet": { "$ref": "#/definitions/Pet", "x-nullable": true, "description": "ignored" },
            }},
        }}));
        let schemas = &result.document["components"]["schemas"];
        assert_eq!(
            schemas["Pet"],
            json!({
                "type": "object",
                "discriminator": { "propertyName": "kind" },
                "required": ["kind"],
                "nullable": true,
                "properties": {
                    "kind": { "type": "string", "readOnly": true },
                    "photo": { "type": "string", "format": "binary" },
                    "tags": { "type": "array", "items": { "type": "string", "nullable": true } },
                    "meta": { "type": "object",
                              "additionalProperties": { "$ref": "#/components/schemas/Pet" } },
                },
            })
        );
        assert_eq!(schemas["Cat"]["allOf"][1], json!({ "nullable": true }));
        assert_eq!(
            schemas["Owner"]["properties"]["pet"],
            json!({ "nullable": true, "allOf": [{ "$ref": "#/components/schemas/Pet" }] })
        );
    }

    #[test]
    fn example_default_enum_and_extensions_are_not_rewritten() {
        let opaque = json!({ "$ref": "#/definitions/X", "type": "file", "x-nullable": true });
        let result = converted(json!({ "definitions": { "S": {
            "type": "object", "example": opaque, "default": opaque, "enum": [opaque],
            "x-data": opaque,
        }}}));
        let schema = &result.document["components"]["schemas"]["S"];
        for field in ["example", "default", "x-data"] {
            assert_eq!(schema[field], opaque, "{field}");
        }
        assert_eq!(schema["enum"], json!([opaque]));
    }

    #[test]
    fn operation_security_and_status_codes_are_kept() {
        let post = operation(json!({
            "security": [{ "oauth": ["read"] }],
            "responses": { "200": { "description": "" }, "4XX": { "description": "" },
                           "default": { "description": "" }, "x-note": 1 },
        }));
        assert_eq!(post["security"], json!([{ "oauth": ["read"] }]));
        let codes: Vec<&String> = post["responses"]
            .as_object()
            .map(|r| r.keys().collect())
            .unwrap_or_default();
        assert_eq!(codes, ["200", "4XX", "default", "x-note"]);
    }

    #[test]
    fn what_cannot_be_expressed_is_reported_where_it_was_in_the_2_0_document() {
        let result = converted(json!({ "paths": { "/pets": { "get": {
            "parameters": [
                { "name": "a", "in": "query", "type": "string" },
                { "name": "b", "in": "query", "type": "string" },
                { "name": "c", "in": "cookie", "type": "string" },
            ],
            "responses": { "200": { "description": "" } },
        }}}}));
        assert!(
            warned(&result, "/paths/~1pets/get/parameters/2/in"),
            "{:?}",
            result.warnings
        );
        let parameters = &result.document["paths"]["/pets"]["get"]["parameters"];
        assert_eq!(parameters.as_array().map(Vec::len), Some(2));
    }

    #[test]
    fn body_and_form_data_together_keep_the_body_and_report_the_fields() {
        let result = converted(json!({ "paths": { "/p": { "post": {
            "parameters": [
                { "name": "b", "in": "body", "schema": {} },
                { "name": "f", "in": "formData", "type": "string" },
            ],
            "responses": { "200": { "description": "" } },
        }}}}));
        assert!(warned(&result, "/paths/~1p/post/parameters/1"));
        let body = &result.document["paths"]["/p"]["post"]["requestBody"];
        assert!(body["content"].get("application/json").is_some());
    }

    #[test]
    fn a_boolean_required_on_a_property_moves_to_the_parent() {
        let result = converted(json!({ "definitions": { "S": {
            "type": "object", "properties": { "id": { "type": "string", "required": true } },
        }}}));
        let schema = &result.document["components"]["schemas"]["S"];
        assert_eq!(schema["required"], json!(["id"]));
        assert_eq!(schema["properties"]["id"], json!({ "type": "string" }));
        assert!(warned(&result, "/definitions/S/properties/id/required"));
    }

    #[test]
    fn refs_to_missing_global_parameters_are_dropped_with_a_warning() {
        let result = converted(json!({ "paths": { "/p": { "get": {
            "parameters": [{ "$ref": "#/parameters/nope" }],
            "responses": { "200": { "description": "" } },
        }}}}));
        assert!(warned(&result, "/paths/~1p/get/parameters/0"));
        assert!(
            result.document["paths"]["/p"]["get"]
                .get("parameters")
                .is_none()
        );
    }

    #[test]
    fn a_document_that_is_not_a_mapping_is_refused() {
        assert!(convert(json!(["swagger"])).is_err());
        assert!(convert(json!("2.0")).is_err());
    }

    #[test]
    fn values_of_the_wrong_type_anywhere_never_panic() {
        let junk = [
            json!(null),
            json!(1),
            json!("s"),
            json!([1, {}]),
            json!({ "a": [] }),
            json!(true),
        ];
        let fields = [
            "info",
            "host",
            "basePath",
            "schemes",
            "consumes",
            "produces",
            "paths",
            "definitions",
            "parameters",
            "responses",
            "securityDefinitions",
            "security",
            "tags",
        ];
        for value in &junk {
            for field in fields {
                let _ = convert(json!({ "swagger": "2.0", field: value }));
            }
            let nested = json!({
                "swagger": "2.0",
                "parameters": { "p": value, "q": { "in": "query", "name": value, "type": value } },
                "definitions": { "D": { "properties": value, "items": value, "allOf": value,
                                        "type": value, "discriminator": value, "required": value,
                                        "x-nullable": value, "additionalProperties": value } },
                "securityDefinitions": { "s": { "type": "oauth2", "flow": value, "scopes": value } },
                "paths": { "/p": {
                    "parameters": value,
                    "get": { "parameters": [value, { "$ref": value }, { "in": "body", "schema": value },
                                            { "in": "formData", "name": "f", "type": value,
                                              "collectionFormat": value }],
                             "consumes": value, "produces": value, "schemes": value,
                             "responses": { "200": value, "201": { "schema": value, "headers": value,
                                                                   "examples": value, "description": value } } },
                    "post": value,
                }},
            });
            let _ = convert(nested);
        }
    }

    #[test]
    fn the_output_keeps_the_source_order() {
        let result = converted(json!({ "definitions": {
            "Z": { "type": "object", "properties": { "z": {}, "a": {}, "m": {} } },
            "A": { "type": "string" },
        }}));
        let schemas = &result.document["components"]["schemas"];
        let names: Vec<&String> = schemas
            .as_object()
            .map(|s| s.keys().collect())
            .unwrap_or_default();
        assert_eq!(names, ["Z", "A"]);
        let properties: Vec<&String> = schemas["Z"]["properties"]
            .as_object()
            .map(|p| p.keys().collect())
            .unwrap_or_default();
        assert_eq!(properties, ["z", "a", "m"]);
    }

    // ----- the Swagger 2.0 specs of the corpus -----

    /// Every local `$ref` in `value` that does not resolve in `root`, with where it is.
    fn dangling_refs(root: &Value, value: &Value, at: &str, out: &mut Vec<String>) {
        match value {
            Value::Object(object) => {
                if let Some(Value::String(reference)) = object.get("$ref")
                    && let Some(pointer) = reference.strip_prefix('#')
                    && root.pointer(pointer).is_none()
                {
                    out.push(format!("{at}: {reference}"));
                }
                for (key, child_value) in object {
                    dangling_refs(root, child_value, &child(at, key), out);
                }
            }
            Value::Array(items) => {
                for (index, item) in items.iter().enumerate() {
                    dangling_refs(root, item, &child(at, &index.to_string()), out);
                }
            }
            _ => {}
        }
    }

    /// Loads, converts and reads one corpus spec as OpenAPI 3.0, and checks its refs.
    fn converts_corpus_spec(name: &str) -> Normalised {
        let path = std::path::Path::new(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../shared/specs-corpus"
        ))
        .join(name);
        let source = crate::spec::SourceFile::read(&path).expect("corpus spec readable");
        let value = source.parse_value().expect("corpus spec parses");
        let normalised = convert(value).unwrap_or_else(|error| panic!("{name}: {error:?}"));
        if let Err(error) =
            serde_json::from_value::<openapiv3::OpenAPI>(normalised.document.clone())
        {
            panic!("{name}: not OpenAPI 3.0: {error}");
        }
        let mut dangling = Vec::new();
        dangling_refs(
            &normalised.document,
            &normalised.document,
            "",
            &mut dangling,
        );
        assert!(dangling.is_empty(), "{name}: dangling refs {dangling:?}");
        normalised
    }

    #[test]
    fn every_swagger_2_spec_of_the_corpus_converts_to_valid_openapi_3_0() {
        let specs = [
            "goswagger__docker-v19.03.13.yaml",
            "goswagger__ms-cog-sci.json",
            "goswagger__quay-io.json",
            "goswaggerex__oauth2.yaml",
            "goswaggerex__task-tracker.yaml",
            "oai__petstore-v2.json",
            "oai__uber-v2.yaml",
            "redoc__demo-swagger.yaml",
        ];
        for name in specs {
            let normalised = converts_corpus_spec(name);
            for (pointer, message) in &normalised.warnings {
                eprintln!("{name}: {pointer}: {message}");
            }
        }
    }
}
