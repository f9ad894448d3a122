//! OpenAPI 3.1 (and 3.2) → 3.0: the pre-pass that lets the 3.0 object model read a 3.1 document.
//!
//! `openapiv3` reads only the 3.0 object model, whose schemas are an extended subset of JSON
//! Schema draft 5; 3.1 schemas are full JSON Schema 2020-12. This pass rewrites a 3.1/3.2
//! document into the 3.0 shape on plain JSON. It walks every place a schema can appear
//! (components, path items, operations, callbacks, webhooks and the subschemas of each schema)
//! and rewrites each schema children first, so every rule sees already converted subschemas.
//!
//! What 3.0 can say differently is converted (`type: [T, "null"]` → `nullable`, `const` → `enum`,
//! numeric `exclusiveMinimum` → `minimum` + flag, `$ref` with siblings → `allOf`, path item
//! `$ref`s → inlined). What it cannot say is approximated or dropped, each with a warning that
//! points (RFC 6901) at the place in the *original* document; that is why the walker carries the
//! original pointer next to the value rather than computing it from the output.
//! Values that are data (`example`, `examples`, `default`, `enum`, `const`, `x-` extensions) are
//! never rewritten. 3.0 spellings that 3.1 documents still use (`nullable`, a boolean
//! `exclusiveMinimum`, `example`) pass through unchanged.
//!
//! The input is untrusted: any field may be missing or of the wrong type. Nothing here panics;
//! a malformed value is passed through for the 3.0 model to reject with a located error.

use std::collections::{BTreeSet, HashSet};

use serde_json::{Map, Value, json};

use super::escape_pointer_token;
use super::version::Normalised;

type Object = Map<String, Value>;

/// The OpenAPI version the converted document declares.
const OPENAPI_VERSION: &str = "3.0.3";
/// The operations a 3.0 path item may hold.
const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];
/// The longest chain of path item `$ref`s followed before calling it a cycle.
const MAX_REF_HOPS: usize = 32;
/// How deep path items may nest (through callbacks) and how many `$ref`s are inlined in all.
/// Inlining copies, so a document whose path items refer to each other twice per level could
/// otherwise grow exponentially; real documents stay far below both.
const MAX_INLINING_DEPTH: usize = 16;
const MAX_INLINED: usize = 10_000;
/// Schema keywords that describe a value without constraining it. Where a branch is merged
/// into its parent these never conflict: the parent's (outer, more specific) text wins.
const ANNOTATIONS: [&str; 11] = [
    "title",
    "description",
    "example",
    "examples",
    "default",
    "deprecated",
    "readOnly",
    "writeOnly",
    "externalDocs",
    "nullable",
    "$comment",
];
/// JSON Schema keywords with no OpenAPI 3.0 form, and what is lost when they are dropped.
const UNSUPPORTED: [(&str, &str); 17] = [
    ("$schema", "3.0 schemas have one fixed dialect"),
    ("$id", "refer to schemas by JSON pointer instead"),
    ("$anchor", "refer to schemas by JSON pointer instead"),
    ("$dynamicAnchor", "dynamic references are not resolved"),
    ("$dynamicRef", "dynamic references are not resolved"),
    ("$vocabulary", "3.0 schemas have one fixed vocabulary"),
    ("$comment", "the comment is not kept"),
    ("if", "the conditional schema is not checked"),
    ("then", "the conditional schema is not checked"),
    ("else", "the conditional schema is not checked"),
    ("dependentSchemas", "the dependent schemas are not checked"),
    (
        "dependentRequired",
        "the dependent required properties are not checked",
    ),
    ("propertyNames", "property names are not checked"),
    ("contains", "array contents are not checked against it"),
    ("minContains", "array contents are not counted"),
    ("maxContains", "array contents are not counted"),
    ("unevaluatedItems", "extra array items are not checked"),
];

/// Rewrites a 3.1 (or 3.2) document into the 3.0 shape.
///
/// Fails only when the document is not a mapping; everything else converts, with warnings
/// for what 3.0 cannot express.
pub(crate) fn downgrade(document: Value) -> Result<Normalised, (String, String)> {
    let Value::Object(root) = document else {
        return Err((
            String::new(),
            "an OpenAPI document must be a mapping at the top level".to_owned(),
        ));
    };
    let mut converter = Converter::new(Value::Object(root.clone()));
    let document = converter.document(root);
    Ok(Normalised {
        document,
        warnings: converter.warnings,
    })
}

/// A `$defs` entry that some `$ref` points into, and the `components.schemas` name it moves to
/// (the IR resolves references only into `#/components/<kind>/`).
struct Hoist {
    /// Where the entry lives in the original document.
    pointer: String,
    /// The `$ref` prefix that names it: `#` followed by `pointer`.
    target: String,
    /// Its name under `components.schemas`.
    name: String,
}

/// The state of one conversion: what the original document holds and what was found so far.
struct Converter {
    /// The untouched input, for following path item `$ref`s.
    original: Value,
    /// 3.2 relaxes some rules 3.0 keeps (a response needs no `description`).
    is_3_2: bool,
    /// `$defs` entries that move to `components.schemas`, longest pointer first.
    hoists: Vec<Hoist>,
    /// The converted `$defs` entries, by their new component name, in the order met.
    hoisted: Object,
    /// Security schemes of type `mutualTLS`, which 3.0 cannot declare.
    mutual_tls: BTreeSet<String>,
    /// Pointers of the path items being converted, to stop a path item that reaches itself
    /// through a callback `$ref`.
    inlining: Vec<String>,
    /// How many `$ref`s have been inlined so far (see [`MAX_INLINED`]).
    inlined: usize,
    warnings: Vec<(String, String)>,
    /// The warnings already given; a path item inlined twice would otherwise repeat them.
    seen: HashSet<(String, String)>,
}

impl Converter {
    /// Reads what the conversion needs to know before it starts rewriting.
    fn new(original: Value) -> Self {
        let is_3_2 = original
            .get("openapi")
            .and_then(Value::as_str)
            .is_some_and(|version| version.starts_with("3.2"));
        Self {
            hoists: plan_hoists(&original),
            mutual_tls: mutual_tls_schemes(&original),
            original,
            is_3_2,
            hoisted: Object::new(),
            inlining: Vec::new(),
            inlined: 0,
            warnings: Vec::new(),
            seen: HashSet::new(),
        }
    }

    /// Records a warning once, at a pointer into the original document.
    fn warn(&mut self, pointer: &str, message: impl Into<String>) {
        let warning = (pointer.to_owned(), message.into());
        if self.seen.insert(warning.clone()) {
            self.warnings.push(warning);
        }
    }

    // ----- document level -------------------------------------------------------------------

    /// Converts the top-level object, keeping its key order.
    fn document(&mut self, root: Object) -> Value {
        let mut out = Object::new();
        for (key, value) in root {
            match key.as_str() {
                "openapi" => {
                    out.insert(key, Value::String(OPENAPI_VERSION.to_owned()));
                }
                "jsonSchemaDialect" => self.dialect(&value),
                "info" => {
                    out.insert(key, info(value));
                }
                "paths" => {
                    let paths = self.paths(value);
                    out.insert(key, paths);
                }
                "webhooks" => {
                    let webhooks = self.webhooks(value);
                    merge_entries(&mut out, "x-webhooks", webhooks);
                }
                "x-webhooks" => merge_entries(&mut out, "x-webhooks", value),
                "components" => {
                    let components = self.components(value);
                    out.insert(key, components);
                }
                "security" => {
                    let security = self.security(value);
                    out.insert(key, security);
                }
                _ => {
                    out.insert(key, value);
                }
            }
        }
        if !out.contains_key("paths") {
            // 3.1 makes `paths` optional (webhook-only APIs); the 3.0 model requires it.
            out.insert("paths".to_owned(), json!({}));
        }
        self.attach_hoisted(&mut out);
        Value::Object(out)
    }

    /// Drops `jsonSchemaDialect`: 3.0 has one dialect. Only a dialect other than the OpenAPI
    /// one is worth a warning, because only then may schemas mean something else.
    fn dialect(&mut self, value: &Value) {
        let standard = value
            .as_str()
            .is_some_and(|dialect| dialect.starts_with("https://spec.openapis.org/oas/3."));
        if !standard {
            self.warn(
                "/jsonSchemaDialect",
                format!(
                    "the schema dialect {} is not supported; schemas are read with the OpenAPI 3.0 rules",
                    display(value)
                ),
            );
        }
    }

    /// Converts every path item of `paths`; keys that are not paths (extensions) stay.
    fn paths(&mut self, value: Value) -> Value {
        let Value::Object(paths) = value else {
            return value;
        };
        let mut out = Object::new();
        for (path, item) in paths {
            let item = if path.starts_with('/') {
                self.path_item(item, &at("/paths", &path))
            } else {
                item
            };
            out.insert(path, item);
        }
        Value::Object(out)
    }

    /// Keeps webhooks under `x-webhooks` (converted, so a later stage can read them) and warns
    /// once per webhook operation, because the generated server only answers requests.
    fn webhooks(&mut self, value: Value) -> Value {
        let Value::Object(hooks) = value else {
            return value;
        };
        let mut out = Object::new();
        for (name, item) in hooks {
            let pointer = at("/webhooks", &name);
            let item = self.path_item(item, &pointer);
            self.warn_webhook_operations(&name, &item, &pointer);
            out.insert(name, item);
        }
        Value::Object(out)
    }

    /// One warning per operation of a webhook, at the operation when it is written there and
    /// at the webhook when it comes through a `$ref`.
    fn warn_webhook_operations(&mut self, name: &str, item: &Value, pointer: &str) {
        let Some(item) = item.as_object() else {
            return;
        };
        let written_here = self.original.pointer(pointer);
        let located: Vec<(String, String)> = item
            .keys()
            .filter(|key| METHODS.contains(&key.as_str()))
            .map(
                |method| match written_here.and_then(|item| item.get(method)) {
                    Some(_) => (at(pointer, method), method.to_uppercase()),
                    None => (pointer.to_owned(), method.to_uppercase()),
                },
            )
            .collect();
        for (pointer, method) in located {
            self.warn(
                &pointer,
                format!(
                    "webhook `{name}` ({method}) is not served: webhooks are requests this API sends, not ones it answers; it is kept under `x-webhooks`"
                ),
            );
        }
    }

    /// Converts the component maps that hold schemas; `pathItems` go, having been inlined where
    /// they are used.
    fn components(&mut self, value: Value) -> Value {
        let Value::Object(components) = value else {
            return value;
        };
        let mut out = Object::new();
        for (key, value) in components {
            let pointer = at("/components", &key);
            let value = match key.as_str() {
                "schemas" => self.entries(value, &pointer, Self::schema),
                "responses" => self.entries(value, &pointer, Self::response),
                "parameters" => self.component_parameters(value, &pointer),
                "requestBodies" => self.entries(value, &pointer, Self::request_body),
                "headers" => self.entries(value, &pointer, Self::parameter),
                "callbacks" => self.entries(value, &pointer, Self::callback),
                "securitySchemes" => self.security_schemes(value, &pointer),
                "pathItems" => continue,
                _ => value,
            };
            out.insert(key, value);
        }
        Value::Object(out)
    }

    /// Puts the `$defs` entries that are referred to into `components.schemas`.
    fn attach_hoisted(&mut self, out: &mut Object) {
        let hoisted = std::mem::take(&mut self.hoisted);
        if hoisted.is_empty() {
            return;
        }
        let components = out.entry("components").or_insert_with(|| json!({}));
        let Some(components) = components.as_object_mut() else {
            return;
        };
        let schemas = components.entry("schemas").or_insert_with(|| json!({}));
        if let Some(schemas) = schemas.as_object_mut() {
            schemas.extend(hoisted);
        }
    }

    /// Drops `mutualTLS` schemes, which 3.0 cannot declare. Client certificates are checked by
    /// whatever terminates TLS, never by the generated handlers, so nothing is lost there.
    fn security_schemes(&mut self, value: Value, pointer: &str) -> Value {
        let Value::Object(schemes) = value else {
            return value;
        };
        let mut out = Object::new();
        for (name, scheme) in schemes {
            if self.mutual_tls.contains(&name) {
                self.warn(
                    &at(pointer, &name),
                    "`mutualTLS` security schemes have no OpenAPI 3.0 form; dropped (and from every security requirement): client certificates are checked by the TLS layer, not by the generated server",
                );
                continue;
            }
            out.insert(name, scheme);
        }
        Value::Object(out)
    }

    /// Removes dropped `mutualTLS` schemes from a list of security requirements.
    fn security(&self, value: Value) -> Value {
        if self.mutual_tls.is_empty() {
            return value;
        }
        let Value::Array(requirements) = value else {
            return value;
        };
        let requirements = requirements
            .into_iter()
            .map(|requirement| match requirement {
                Value::Object(mut schemes) => {
                    schemes.retain(|name, _| !self.mutual_tls.contains(name));
                    Value::Object(schemes)
                }
                other => other,
            });
        Value::Array(requirements.collect())
    }

    // ----- path items and operations --------------------------------------------------------

    /// Converts a path item, first inlining it when it is a `$ref`: the IR reads only inline
    /// path items, and callbacks in the 3.0 model cannot hold a `$ref` at all.
    fn path_item(&mut self, value: Value, pointer: &str) -> Value {
        let Value::Object(item) = value else {
            return value;
        };
        let (item, pointer) = match self.inline(item, pointer, "path item") {
            Ok(resolved) => resolved,
            Err(unresolved) => return Value::Object(unresolved),
        };
        self.inlining.push(pointer.clone());
        let converted = self.path_item_object(item, &pointer);
        self.inlining.pop();
        converted
    }

    /// Converts the operations and parameters of an inline path item.
    fn path_item_object(&mut self, item: Object, pointer: &str) -> Value {
        let mut out = Object::new();
        for (key, value) in item {
            let here = at(pointer, &key);
            let value = match key.as_str() {
                method if METHODS.contains(&method) => self.operation(value, &here),
                "parameters" => self.parameters(value, &here),
                "query" => {
                    self.warn(
                        &here,
                        "QUERY operations (OpenAPI 3.2) have no OpenAPI 3.0 form; this operation is not served",
                    );
                    continue;
                }
                "additionalOperations" => {
                    self.warn_additional_operations(&value, &here);
                    continue;
                }
                _ => value,
            };
            out.insert(key, value);
        }
        Value::Object(out)
    }

    /// 3.2's `additionalOperations` holds methods 3.0 cannot name; each is reported.
    fn warn_additional_operations(&mut self, value: &Value, pointer: &str) {
        let Some(operations) = value.as_object() else {
            return;
        };
        for method in operations.keys() {
            self.warn(
                &at(pointer, method),
                format!(
                    "the {method} operation (OpenAPI 3.2 `additionalOperations`) has no OpenAPI 3.0 form; it is not served"
                ),
            );
        }
    }

    /// Converts the schemas an operation holds: parameters, body, responses and callbacks.
    /// 3.1 makes `responses` optional; the 3.0 model requires it, so an empty one is added.
    fn operation(&mut self, value: Value, pointer: &str) -> Value {
        let Value::Object(mut operation) = value else {
            return value;
        };
        if !operation.contains_key("responses") {
            operation.insert("responses".to_owned(), json!({}));
        }
        let mut out = Object::new();
        for (key, value) in operation {
            let here = at(pointer, &key);
            let value = match key.as_str() {
                "parameters" => self.parameters(value, &here),
                "requestBody" => self.request_body(value, &here),
                "responses" => self.entries_except_extensions(value, &here, Self::response),
                "callbacks" => self.entries(value, &here, Self::callback),
                "security" => self.security(value),
                _ => value,
            };
            out.insert(key, value);
        }
        Value::Object(out)
    }

    /// Follows a local `$ref` (and the `$ref`s it leads to) to the object it names, with the
    /// referring object's other fields laid over it (3.1 lets them override `summary` and
    /// `description`). Returns the object and the pointer its content lives at, or gives the
    /// object back unchanged, with a warning, when the reference cannot be followed.
    fn inline(
        &mut self,
        item: Object,
        pointer: &str,
        what: &str,
    ) -> Result<(Object, String), Object> {
        if !item.contains_key("$ref") {
            return Ok((item, pointer.to_owned()));
        }
        if self.inlined >= MAX_INLINED || self.inlining.len() >= MAX_INLINING_DEPTH {
            self.warn(
                &at(pointer, "$ref"),
                format!(
                    "{what} `$ref`s nest too deep or too often to inline; this one is left as it is"
                ),
            );
            return Err(item);
        }
        let mut siblings = item.clone();
        siblings.shift_remove("$ref");
        let mut current = item.clone();
        let mut location = pointer.to_owned();
        for _ in 0..MAX_REF_HOPS {
            let Some(reference) = current.get("$ref") else {
                current.extend(siblings);
                self.inlined += 1;
                return Ok((current, location));
            };
            let found = match reference {
                Value::String(reference) => self.lookup(reference),
                other => Err(format!("`$ref` must be a string, not {}", display(other))),
            };
            match found {
                Ok((target, _)) if self.inlining.contains(&target) => {
                    self.warn(
                        &at(pointer, "$ref"),
                        format!("this {what} refers to itself; the `$ref` is left as it is"),
                    );
                    return Err(item);
                }
                Ok((target, object)) => {
                    location = target;
                    current = object;
                }
                Err(message) => {
                    self.warn(
                        &at(pointer, "$ref"),
                        format!("{message}; the `$ref` is left as it is"),
                    );
                    return Err(item);
                }
            }
        }
        self.warn(
            &at(pointer, "$ref"),
            format!(
                "this {what}'s `$ref` chain is too long or circular; the `$ref` is left as it is"
            ),
        );
        Err(item)
    }

    /// Finds the object a local `$ref` names, trying the fragment as written and then
    /// percent-decoded (a fragment is a URI-encoded JSON pointer, e.g. `~1pets~1%7Bid%7D`).
    fn lookup(&self, reference: &str) -> Result<(String, Object), String> {
        let Some(fragment) = reference.strip_prefix('#') else {
            return Err(format!(
                "`$ref: {reference}` points into another document, which is not supported"
            ));
        };
        let candidates = [Some(fragment.to_owned()), percent_decode(fragment)];
        for candidate in candidates.into_iter().flatten() {
            if let Some(Value::Object(found)) = self.original.pointer(&candidate) {
                return Ok((candidate, found.clone()));
            }
        }
        Err(format!(
            "`$ref: {reference}` does not resolve to an object in this document"
        ))
    }

    /// Converts a list of parameters, dropping the ones 3.0 cannot express.
    fn parameters(&mut self, value: Value, pointer: &str) -> Value {
        let Value::Array(parameters) = value else {
            return value;
        };
        let mut out = Vec::new();
        for (index, parameter) in parameters.into_iter().enumerate() {
            let here = at(pointer, &index.to_string());
            if self.is_unsupported_parameter(&parameter, &here) {
                continue;
            }
            out.push(self.parameter(parameter, &here));
        }
        Value::Array(out)
    }

    /// Converts `components.parameters`, dropping the ones 3.0 cannot express.
    fn component_parameters(&mut self, value: Value, pointer: &str) -> Value {
        let Value::Object(parameters) = value else {
            return value;
        };
        let mut out = Object::new();
        for (name, parameter) in parameters {
            let here = at(pointer, &name);
            if !self.is_unsupported_parameter(&parameter, &here) {
                let parameter = self.parameter(parameter, &here);
                out.insert(name, parameter);
            }
        }
        Value::Object(out)
    }

    /// 3.2's `in: querystring` (the whole query string as one value) has no 3.0 form, and the
    /// 3.0 model rejects the whole document on an unknown `in`; such a parameter is dropped.
    fn is_unsupported_parameter(&mut self, parameter: &Value, pointer: &str) -> bool {
        let querystring = parameter.get("in").and_then(Value::as_str) == Some("querystring");
        if querystring {
            self.warn(
                pointer,
                "`in: querystring` parameters (OpenAPI 3.2) have no OpenAPI 3.0 form; this parameter is dropped",
            );
        }
        querystring
    }

    /// Converts the schema of a parameter or a header (both hold `schema` or `content`).
    fn parameter(&mut self, value: Value, pointer: &str) -> Value {
        let Value::Object(mut parameter) = value else {
            return value;
        };
        if !parameter.contains_key("$ref") {
            self.subschema(&mut parameter, pointer, "schema");
            self.content_at(&mut parameter, pointer);
        }
        Value::Object(parameter)
    }

    /// Converts the schemas of a request body.
    fn request_body(&mut self, value: Value, pointer: &str) -> Value {
        let Value::Object(mut body) = value else {
            return value;
        };
        if !body.contains_key("$ref") {
            self.content_at(&mut body, pointer);
        }
        Value::Object(body)
    }

    /// Converts the headers and content of a response. 3.2 makes `description` optional; the
    /// 3.0 model requires it, so an empty one is added.
    fn response(&mut self, value: Value, pointer: &str) -> Value {
        let Value::Object(mut response) = value else {
            return value;
        };
        if response.contains_key("$ref") {
            return Value::Object(response);
        }
        if let Some(headers) = response.get_mut("headers") {
            let converted = self.entries(headers.take(), &at(pointer, "headers"), Self::parameter);
            *headers = converted;
        }
        self.content_at(&mut response, pointer);
        if self.is_3_2 && !response.contains_key("description") {
            response.insert("description".to_owned(), Value::String(String::new()));
        }
        Value::Object(response)
    }

    /// Converts the path items of a callback (a map from runtime expression to path item).
    fn callback(&mut self, value: Value, pointer: &str) -> Value {
        match value {
            Value::Object(callback) if !callback.contains_key("$ref") => {
                self.entries_except_extensions(Value::Object(callback), pointer, Self::path_item)
            }
            other => other,
        }
    }

    /// Converts the `content` map found in `object`, if any.
    fn content_at(&mut self, object: &mut Object, pointer: &str) {
        if let Some(content) = object.get_mut("content") {
            let converted = self.entries(content.take(), &at(pointer, "content"), Self::media_type);
            *content = converted;
        }
    }

    /// Converts the schema of one media type and the headers of its encodings. A 3.2 media
    /// type may be a `$ref` to `components.mediaTypes`, which 3.0 lacks, so it is inlined.
    fn media_type(&mut self, value: Value, pointer: &str) -> Value {
        let Value::Object(media_type) = value else {
            return value;
        };
        let (mut media_type, pointer) = match self.inline(media_type, pointer, "media type") {
            Ok(resolved) => resolved,
            Err(unresolved) => return Value::Object(unresolved),
        };
        self.subschema(&mut media_type, &pointer, "schema");
        if media_type.shift_remove("itemSchema").is_some() {
            self.warn(
                &pointer,
                "`itemSchema` (OpenAPI 3.2 streaming) has no OpenAPI 3.0 form; the items of this stream are not described",
            );
        }
        if let Some(encodings) = media_type.get_mut("encoding") {
            let converted =
                self.entries(encodings.take(), &at(&pointer, "encoding"), Self::encoding);
            *encodings = converted;
        }
        Value::Object(media_type)
    }

    /// Converts the header schemas of one encoding object.
    fn encoding(&mut self, value: Value, pointer: &str) -> Value {
        let Value::Object(mut encoding) = value else {
            return value;
        };
        if let Some(headers) = encoding.get_mut("headers") {
            let converted = self.entries(headers.take(), &at(pointer, "headers"), Self::parameter);
            *headers = converted;
        }
        Value::Object(encoding)
    }

    /// Applies `convert` to every entry of a map of OpenAPI objects whose keys are names.
    fn entries(
        &mut self,
        value: Value,
        pointer: &str,
        convert: fn(&mut Self, Value, &str) -> Value,
    ) -> Value {
        self.map_entries(value, pointer, convert, false)
    }

    /// Like [`Self::entries`], for objects whose `x-` keys are extensions, not entries
    /// (responses, callbacks): extension values are data and stay as they are.
    fn entries_except_extensions(
        &mut self,
        value: Value,
        pointer: &str,
        convert: fn(&mut Self, Value, &str) -> Value,
    ) -> Value {
        self.map_entries(value, pointer, convert, true)
    }

    /// The shared walk of [`Self::entries`] and [`Self::entries_except_extensions`].
    fn map_entries(
        &mut self,
        value: Value,
        pointer: &str,
        convert: fn(&mut Self, Value, &str) -> Value,
        skip_extensions: bool,
    ) -> Value {
        let Value::Object(map) = value else {
            return value;
        };
        let mut out = Object::new();
        for (key, value) in map {
            let value = if skip_extensions && key.starts_with("x-") {
                value
            } else {
                convert(self, value, &at(pointer, &key))
            };
            out.insert(key, value);
        }
        Value::Object(out)
    }

    // ----- schemas --------------------------------------------------------------------------

    /// Converts one schema. A schema position may hold any JSON value: 3.1's boolean schemas
    /// become their 3.0 equivalents, anything else that is not an object passes through.
    fn schema(&mut self, value: Value, pointer: &str) -> Value {
        match value {
            Value::Bool(true) => Value::Object(Object::new()),
            Value::Bool(false) => {
                self.warn(
                    pointer,
                    "the `false` schema (no value is valid) has no OpenAPI 3.0 form; written as `not: {}`",
                );
                json!({ "not": {} })
            }
            Value::Object(schema) => Value::Object(self.schema_object(schema, pointer)),
            other => other,
        }
    }

    /// Converts a schema object: first its subschemas, then its own keywords. The order of the
    /// steps matters: `const` becomes `enum` before a type list is split (so the values reach
    /// the right branch), and `$ref` siblings are judged last, once every sibling is 3.0.
    fn schema_object(&mut self, mut schema: Object, pointer: &str) -> Object {
        self.drop_unsupported(&mut schema, pointer);
        self.hoist_defs(&mut schema, pointer);
        let emptied = self.subschemas(&mut schema, pointer);
        self.rewrite_ref(&mut schema);
        const_to_enum(&mut schema);
        examples_to_example(&mut schema);
        exclusive_bound(
            &mut schema,
            "exclusiveMinimum",
            "minimum",
            |exclusive, inclusive| exclusive >= inclusive,
        );
        exclusive_bound(
            &mut schema,
            "exclusiveMaximum",
            "maximum",
            |exclusive, inclusive| exclusive <= inclusive,
        );
        self.content_keywords(&mut schema, pointer);
        self.type_list(&mut schema, pointer);
        self.absorb_null_branches(&mut schema, pointer, &emptied);
        wrap_ref_with_siblings(&mut schema);
        schema
    }

    /// Drops the keywords 3.0 has no form for, one warning each, in document order.
    fn drop_unsupported(&mut self, schema: &mut Object, pointer: &str) {
        let found: Vec<String> = schema
            .keys()
            .filter(|key| unsupported(key).is_some())
            .cloned()
            .collect();
        for keyword in found {
            schema.shift_remove(&keyword);
            let consequence = unsupported(&keyword).unwrap_or_default();
            self.warn(
                pointer,
                format!("`{keyword}` has no OpenAPI 3.0 form and is dropped: {consequence}"),
            );
        }
    }

    /// Moves the `$defs` entries some `$ref` points into to `components.schemas` (where the
    /// rewritten references find them) and drops the rest with one warning.
    fn hoist_defs(&mut self, schema: &mut Object, pointer: &str) {
        let Some(defs) = schema.shift_remove("$defs") else {
            return;
        };
        let base = at(pointer, "$defs");
        let mut dropped = Vec::new();
        if let Value::Object(defs) = defs {
            for (name, def) in defs {
                let here = at(&base, &name);
                let hoist = self.hoists.iter().find(|hoist| hoist.pointer == here);
                match hoist.map(|hoist| hoist.name.clone()) {
                    Some(component) => {
                        let converted = self.schema(def, &here);
                        self.hoisted.insert(component, converted);
                    }
                    None => dropped.push(format!("`{name}`")),
                }
            }
        }
        if !dropped.is_empty() {
            self.warn(
                pointer,
                format!(
                    "`$defs` has no OpenAPI 3.0 form and nothing refers to {}; dropped",
                    dropped.join(", ")
                ),
            );
        }
    }

    /// Converts every subschema of `schema` in place. Returns the `anyOf`/`oneOf` keywords
    /// that lost a `null` branch, for [`Self::absorb_null_branches`].
    fn subschemas(&mut self, schema: &mut Object, pointer: &str) -> Vec<&'static str> {
        self.schema_map(schema, pointer, "properties");
        if matches!(schema.get("additionalProperties"), Some(Value::Object(_))) {
            self.subschema(schema, pointer, "additionalProperties");
        }
        self.subschema(schema, pointer, "not");
        self.items(schema, pointer);
        self.pattern_properties(schema, pointer);
        self.unevaluated_properties(schema, pointer);
        self.compositions(schema, pointer)
    }

    /// Converts the schema under `key`, if there is one.
    fn subschema(&mut self, schema: &mut Object, pointer: &str, key: &str) {
        if let Some(value) = schema.get_mut(key) {
            let converted = self.schema(value.take(), &at(pointer, key));
            *value = converted;
        }
    }

    /// Converts every schema of the name → schema map under `key` (`properties`). Its keys are
    /// names, so an `x-` key is a property here, not an extension.
    fn schema_map(&mut self, schema: &mut Object, pointer: &str, key: &str) {
        let Some(Value::Object(entries)) = schema.get_mut(key) else {
            return;
        };
        let base = at(pointer, key);
        for (name, value) in entries.iter_mut() {
            let converted = self.schema(value.take(), &at(&base, name));
            *value = converted;
        }
    }

    /// `items` is a schema in both versions. 3.1's tuple form `prefixItems` has no 3.0 form: the
    /// tuple's schemas (and `items`, which covers the elements after them) become one `anyOf`
    /// that every element must match; `items: false` (no more elements) becomes `maxItems`.
    fn items(&mut self, schema: &mut Object, pointer: &str) {
        let Some(prefix) = schema.shift_remove("prefixItems") else {
            self.subschema(schema, pointer, "items");
            return;
        };
        self.warn(
            pointer,
            "`prefixItems` (a tuple) has no OpenAPI 3.0 form; each element may now match any of the tuple's schemas, whatever its position",
        );
        let Value::Array(prefix) = prefix else {
            self.subschema(schema, pointer, "items");
            return;
        };
        let base = at(pointer, "prefixItems");
        let mut schemas = Vec::new();
        for (index, item) in prefix.into_iter().enumerate() {
            schemas.push(self.schema(item, &at(&base, &index.to_string())));
        }
        let count = schemas.len();
        match schema.shift_remove("items") {
            Some(Value::Bool(false)) if !schema.contains_key("maxItems") => {
                schema.insert("maxItems".to_owned(), json!(count));
            }
            Some(Value::Bool(false)) | None => {}
            Some(rest) => schemas.push(self.schema(rest, &at(pointer, "items"))),
        }
        if let Some(items) = any_of(schemas) {
            schema.insert("items".to_owned(), items);
        }
    }

    /// `patternProperties` has no 3.0 form. Its schemas become the schema of additional
    /// properties (joined with an existing `additionalProperties` schema), which keeps the
    /// common use, a map whose keys follow a pattern, readable; the patterns themselves are lost.
    fn pattern_properties(&mut self, schema: &mut Object, pointer: &str) {
        let Some(patterns) = schema.shift_remove("patternProperties") else {
            return;
        };
        let Value::Object(patterns) = patterns else {
            self.warn(
                pointer,
                "`patternProperties` has no OpenAPI 3.0 form and is not a mapping; dropped",
            );
            return;
        };
        if patterns.is_empty() {
            return;
        }
        self.warn(
            pointer,
            "`patternProperties` has no OpenAPI 3.0 form; its schemas now apply to every additional property, and the patterns are not checked",
        );
        let base = at(pointer, "patternProperties");
        let mut schemas = Vec::new();
        for (pattern, value) in patterns {
            schemas.push(self.schema(value, &at(&base, &pattern)));
        }
        let additional = match schema.shift_remove("additionalProperties") {
            Some(Value::Bool(true)) => Some(Value::Bool(true)),
            None | Some(Value::Bool(false)) => any_of(schemas),
            Some(existing) => {
                schemas.push(existing);
                any_of(schemas)
            }
        };
        if let Some(additional) = additional {
            schema.insert("additionalProperties".to_owned(), additional);
        }
    }

    /// `unevaluatedProperties` becomes `additionalProperties` where the two mean the same: on a
    /// schema that declares all its properties itself. Next to `allOf`/`anyOf`/`oneOf`/`$ref`,
    /// `additionalProperties: false` would reject the properties those declare, so it is
    /// dropped there, and unknown properties are accepted.
    fn unevaluated_properties(&mut self, schema: &mut Object, pointer: &str) {
        let Some(value) = schema.shift_remove("unevaluatedProperties") else {
            return;
        };
        if value == Value::Bool(true) || schema.contains_key("additionalProperties") {
            return;
        }
        let composed = ["allOf", "anyOf", "oneOf", "$ref"]
            .iter()
            .any(|key| schema.contains_key(*key));
        if composed {
            self.warn(
                pointer,
                "`unevaluatedProperties` has no OpenAPI 3.0 form next to `allOf`, `anyOf`, `oneOf` or `$ref`; dropped, so unknown properties are accepted",
            );
            return;
        }
        let converted = match value {
            Value::Bool(false) => Value::Bool(false),
            other => self.schema(other, &at(pointer, "unevaluatedProperties")),
        };
        schema.insert("additionalProperties".to_owned(), converted);
    }

    /// Converts the branches of `allOf`/`anyOf`/`oneOf`. A branch that admits only `null` is
    /// 3.1's way to say "nullable": it is removed here (before conversion, so it does not warn
    /// as a lone `type: null`), and the keywords that lost one are returned.
    fn compositions(&mut self, schema: &mut Object, pointer: &str) -> Vec<&'static str> {
        let mut emptied = Vec::new();
        for key in ["allOf", "anyOf", "oneOf"] {
            let Some(Value::Array(branches)) = schema.get_mut(key) else {
                continue;
            };
            let branches = std::mem::take(branches);
            let base = at(pointer, key);
            let mut kept = Vec::new();
            for (index, branch) in branches.into_iter().enumerate() {
                if key != "allOf" && is_null_schema(&branch) {
                    if !emptied.contains(&key) {
                        emptied.push(key);
                    }
                    continue;
                }
                kept.push(self.schema(branch, &at(&base, &index.to_string())));
            }
            schema.insert(key.to_owned(), Value::Array(kept));
        }
        emptied
    }

    /// Points a `$ref` into a hoisted `$defs` entry at its new home in `components.schemas`.
    fn rewrite_ref(&self, schema: &mut Object) {
        if let Some(Value::String(reference)) = schema.get_mut("$ref")
            && let Some(rewritten) = self.rewritten_ref(reference)
        {
            *reference = rewritten;
        }
    }

    /// The new spelling of a `$ref` into a hoisted `$defs` entry, or `None` when it is not one.
    fn rewritten_ref(&self, reference: &str) -> Option<String> {
        self.hoists.iter().find_map(|hoist| {
            let rest = reference.strip_prefix(&hoist.target)?;
            (rest.is_empty() || rest.starts_with('/')).then(|| {
                format!(
                    "#/components/schemas/{}{rest}",
                    escape_pointer_token(&hoist.name)
                )
            })
        })
    }

    /// 3.1 marks binary strings with `contentEncoding`/`contentMediaType`, 3.0 with `format`:
    /// base64 → `byte`, a media type without encoding → `binary`. An explicit `format` wins.
    fn content_keywords(&mut self, schema: &mut Object, pointer: &str) {
        let encoding = schema.shift_remove("contentEncoding");
        let media_type = schema.shift_remove("contentMediaType");
        if schema.shift_remove("contentSchema").is_some() {
            self.warn(
                pointer,
                "`contentSchema` has no OpenAPI 3.0 form and is dropped: the encoded content is not described",
            );
        }
        let format = match &encoding {
            Some(Value::String(name)) if name.eq_ignore_ascii_case("base64") => Some("byte"),
            Some(other) => {
                self.warn(
                    pointer,
                    format!(
                        "`contentEncoding: {}` has no OpenAPI 3.0 format; the value is read as a plain string",
                        display(other)
                    ),
                );
                None
            }
            None if media_type.is_some() => Some("binary"),
            None => None,
        };
        if let Some(format) = format
            && !schema.contains_key("format")
            && describes_string(schema)
        {
            schema.insert("format".to_owned(), Value::String(format.to_owned()));
        }
    }

    /// A 3.1 type list: `null` in it becomes `nullable: true`, one remaining type becomes the
    /// `type` string, several become an `anyOf` with one branch per type, each taking the
    /// keywords that constrain its type.
    fn type_list(&mut self, schema: &mut Object, pointer: &str) {
        let Some(types) = declared_types(schema.get("type")) else {
            return;
        };
        let nullable = types.iter().any(|name| name == "null");
        let mut others: Vec<String> = Vec::new();
        for name in types {
            if name != "null" && !others.contains(&name) {
                others.push(name);
            }
        }
        if nullable {
            schema.insert("nullable".to_owned(), Value::Bool(true));
        }
        match others.as_slice() {
            [] => {
                schema.shift_remove("type");
                if nullable {
                    self.warn_null_only(pointer);
                }
            }
            [single] => {
                let single = Value::String(single.clone());
                schema.insert("type".to_owned(), single);
            }
            several => {
                schema.shift_remove("type");
                let branches = split_by_type(schema, several);
                attach_type_branches(schema, branches);
            }
        }
    }

    /// Turns the `anyOf`/`oneOf` keywords that lost a `null` branch into `nullable: true`,
    /// collapsing a keyword left with one branch into the schema itself.
    fn absorb_null_branches(&mut self, schema: &mut Object, pointer: &str, emptied: &[&str]) {
        if emptied.is_empty() {
            return;
        }
        schema.insert("nullable".to_owned(), Value::Bool(true));
        for key in emptied {
            let remaining = match schema.get(*key) {
                Some(Value::Array(branches)) => branches.len(),
                _ => continue,
            };
            match remaining {
                0 => {
                    schema.shift_remove(*key);
                    if !schema.contains_key("type") {
                        self.warn_null_only(pointer);
                    }
                }
                1 => {
                    if let Some(Value::Array(mut branches)) = schema.shift_remove(*key)
                        && let Some(branch) = branches.pop()
                    {
                        merge_branch(schema, branch);
                    }
                }
                _ => {}
            }
        }
    }

    /// The warning for a schema that admits only `null`, which 3.0 cannot say.
    fn warn_null_only(&mut self, pointer: &str) {
        self.warn(
            pointer,
            "a schema that admits only `null` has no OpenAPI 3.0 form; written as `nullable: true` without a type",
        );
    }
}

// ----- planning ---------------------------------------------------------------------------------

/// Decides which `$defs` entries move to `components.schemas`: those some `$ref` points into
/// (or inside). Names stay as written unless taken, then get a number. Longest pointers come
/// first so a nested entry wins over the one containing it when references are rewritten.
fn plan_hoists(original: &Value) -> Vec<Hoist> {
    let mut references = BTreeSet::new();
    collect_refs(original, &mut references);
    let mut defs = Vec::new();
    collect_defs(original, "", &mut defs);
    let mut taken: HashSet<String> = original
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .map(|schemas| schemas.keys().cloned().collect())
        .unwrap_or_default();
    let mut hoists = Vec::new();
    for (pointer, name) in defs {
        let target = format!("#{pointer}");
        let referenced = references
            .range(target.clone()..)
            .map_while(|reference| reference.strip_prefix(&target))
            .any(|rest| rest.is_empty() || rest.starts_with('/'));
        if referenced {
            let name = unique_name(&name, &mut taken);
            hoists.push(Hoist {
                pointer,
                target,
                name,
            });
        }
    }
    hoists.sort_by_key(|hoist| std::cmp::Reverse(hoist.target.len()));
    hoists
}

/// Every `$ref` string in the document. Data is scanned too: a false hit only moves a `$defs`
/// entry that did not need moving.
fn collect_refs(value: &Value, out: &mut BTreeSet<String>) {
    match value {
        Value::Object(map) => {
            for (key, value) in map {
                match value {
                    Value::String(reference) if key == "$ref" => {
                        out.insert(reference.clone());
                    }
                    _ => collect_refs(value, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|item| collect_refs(item, out)),
        _ => {}
    }
}

/// The pointer and name of every `$defs` entry in the document.
fn collect_defs(value: &Value, pointer: &str, out: &mut Vec<(String, String)>) {
    match value {
        Value::Object(map) => {
            for (key, value) in map {
                let here = at(pointer, key);
                if key == "$defs"
                    && let Some(defs) = value.as_object()
                {
                    for name in defs.keys() {
                        out.push((at(&here, name), name.clone()));
                    }
                }
                collect_defs(value, &here, out);
            }
        }
        Value::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                collect_defs(item, &at(pointer, &index.to_string()), out);
            }
        }
        _ => {}
    }
}

/// `name`, or `name2`, `name3`… if taken; the result is marked taken.
fn unique_name(name: &str, taken: &mut HashSet<String>) -> String {
    let mut candidate = name.to_owned();
    let mut number = 1_usize;
    while !taken.insert(candidate.clone()) {
        number += 1;
        candidate = format!("{name}{number}");
    }
    candidate
}

/// The names of the security schemes of type `mutualTLS`.
fn mutual_tls_schemes(original: &Value) -> BTreeSet<String> {
    let Some(schemes) = original
        .pointer("/components/securitySchemes")
        .and_then(Value::as_object)
    else {
        return BTreeSet::new();
    };
    schemes
        .iter()
        .filter(|(_, scheme)| scheme.get("type").and_then(Value::as_str) == Some("mutualTLS"))
        .map(|(name, _)| name.clone())
        .collect()
}

// ----- schema keyword rules -------------------------------------------------------------------

/// The consequence of dropping `keyword`, if 3.0 has no form for it.
fn unsupported(keyword: &str) -> Option<&'static str> {
    UNSUPPORTED
        .iter()
        .find(|(name, _)| *name == keyword)
        .map(|(_, consequence)| *consequence)
}

/// `const: v` is `enum: [v]` in 3.0 (`const` wins over an `enum` next to it: it is stricter).
fn const_to_enum(schema: &mut Object) {
    if let Some(value) = schema.get("const").cloned() {
        replace_key(schema, "const", "enum", Value::Array(vec![value]));
    }
}

/// A schema's `examples` list becomes its first entry as `example` (3.0 has one example);
/// an `example` already there wins.
fn examples_to_example(schema: &mut Object) {
    let first = match schema.get("examples") {
        None => return,
        Some(Value::Array(examples)) => examples.first().cloned(),
        Some(_) => None,
    };
    match first {
        Some(first) if !schema.contains_key("example") => {
            replace_key(schema, "examples", "example", first);
        }
        _ => {
            schema.shift_remove("examples");
        }
    }
}

/// 3.1 writes an exclusive bound as a number, 3.0 as the bound plus a boolean flag. When an
/// inclusive bound is given too, the tighter of the two is kept. A boolean (3.0-style) flag
/// is left alone.
fn exclusive_bound(
    schema: &mut Object,
    exclusive: &str,
    inclusive: &str,
    exclusive_is_tighter: fn(f64, f64) -> bool,
) {
    let Some(Value::Number(limit)) = schema.get(exclusive).cloned() else {
        return;
    };
    let tighter = match schema.get(inclusive).and_then(Value::as_f64) {
        Some(existing) => limit
            .as_f64()
            .is_none_or(|limit| exclusive_is_tighter(limit, existing)),
        None => true,
    };
    if tighter {
        replace_key(schema, exclusive, inclusive, Value::Number(limit));
        schema.insert(exclusive.to_owned(), Value::Bool(true));
    } else {
        schema.shift_remove(exclusive);
    }
}

/// Whether a schema may describe a string (no `type`, or `string` among its types), the only
/// kind of value `format: byte`/`binary` applies to.
fn describes_string(schema: &Object) -> bool {
    match schema.get("type") {
        None => true,
        Some(Value::String(name)) => name == "string",
        Some(Value::Array(names)) => names.iter().any(|name| name.as_str() == Some("string")),
        Some(_) => false,
    }
}

/// The type names of a `type` keyword (a string or a list of strings); `None` when absent or
/// malformed (left for the 3.0 model to report).
fn declared_types(value: Option<&Value>) -> Option<Vec<String>> {
    match value? {
        Value::String(name) => Some(vec![name.clone()]),
        Value::Array(names) => names
            .iter()
            .map(|name| name.as_str().map(str::to_owned))
            .collect(),
        _ => None,
    }
}

/// The JSON types a keyword constrains; empty for keywords that apply whatever the type.
fn keyword_types(keyword: &str, value: &Value) -> &'static [&'static str] {
    const NUMBERS: &[&str] = &["number", "integer"];
    match keyword {
        "minLength" | "maxLength" | "pattern" => &["string"],
        "minimum" | "maximum" | "exclusiveMinimum" | "exclusiveMaximum" | "multipleOf" => NUMBERS,
        "properties" | "required" | "additionalProperties" | "minProperties" | "maxProperties" => {
            &["object"]
        }
        "items" | "minItems" | "maxItems" | "uniqueItems" => &["array"],
        "format" if matches!(value.as_str(), Some("int32" | "int64" | "float" | "double")) => {
            NUMBERS
        }
        "format" => &["string"],
        _ => &[],
    }
}

/// Splits a schema with several types into one branch per type, moving each type-specific
/// keyword (and the `enum` values of that type) onto the branches it constrains. A type
/// none of whose `enum` values it could hold gets no branch.
fn split_by_type(schema: &mut Object, types: &[String]) -> Vec<Value> {
    let typed_keys: Vec<String> = schema
        .iter()
        .filter(|(key, value)| !keyword_types(key, value).is_empty())
        .map(|(key, _)| key.clone())
        .collect();
    let typed: Vec<(String, Value)> = typed_keys
        .into_iter()
        .filter_map(|key| schema.shift_remove(&key).map(|value| (key, value)))
        .collect();
    if let Some(Value::Array(values)) = schema.get("enum") {
        let branches: Vec<Value> = types
            .iter()
            .filter_map(|name| type_branch(name, &typed, Some(values)))
            .collect();
        if !branches.is_empty() {
            schema.shift_remove("enum");
            return branches;
        }
    }
    types
        .iter()
        .filter_map(|name| type_branch(name, &typed, None))
        .collect()
}

/// The branch for one type of a split type list; `None` when `values` leave it nothing.
fn type_branch(
    name: &str,
    typed: &[(String, Value)],
    values: Option<&Vec<Value>>,
) -> Option<Value> {
    let mut branch = Object::new();
    branch.insert("type".to_owned(), Value::String(name.to_owned()));
    for (key, value) in typed {
        if keyword_types(key, value).contains(&name) {
            branch.insert(key.clone(), value.clone());
        }
    }
    if let Some(values) = values {
        let kept: Vec<Value> = values
            .iter()
            .filter(|value| has_json_type(value, name))
            .cloned()
            .collect();
        if kept.is_empty() {
            return None;
        }
        branch.insert("enum".to_owned(), Value::Array(kept));
    }
    Some(Value::Object(branch))
}

/// Whether a JSON value is of the named JSON Schema type (an integer may be written `1.0`).
fn has_json_type(value: &Value, name: &str) -> bool {
    match name {
        "string" => value.is_string(),
        "number" => value.is_number(),
        "integer" => value.as_f64().is_some_and(|number| number.fract() == 0.0),
        "boolean" => value.is_boolean(),
        "object" => value.is_object(),
        "array" => value.is_array(),
        _ => false,
    }
}

/// Adds the branches of a split type list: one is merged into the schema; several become its
/// `anyOf`, or, when it has one already, an `anyOf` inside its `allOf`.
fn attach_type_branches(schema: &mut Object, mut branches: Vec<Value>) {
    if branches.len() == 1 {
        if let Some(branch) = branches.pop() {
            merge_branch(schema, branch);
        }
    } else if schema.contains_key("anyOf") {
        push_all_of(schema, json!({ "anyOf": branches }));
    } else {
        schema.insert("anyOf".to_owned(), Value::Array(branches));
    }
}

/// Whether a schema admits only `null` (`type: "null"`, `const: null`, `enum: [null]`, with at
/// most annotations beside): 3.1's spelling of the nullable branch of a union.
fn is_null_schema(value: &Value) -> bool {
    let Some(schema) = value.as_object() else {
        return false;
    };
    let null_type = match schema.get("type") {
        Some(Value::String(name)) => name == "null",
        Some(Value::Array(names)) => {
            !names.is_empty() && names.iter().all(|name| name.as_str() == Some("null"))
        }
        _ => false,
    };
    let null_value = schema.get("const") == Some(&Value::Null)
        || matches!(schema.get("enum"), Some(Value::Array(values)) if values.as_slice() == [Value::Null]);
    (null_type || null_value)
        && schema
            .keys()
            .all(|key| matches!(key.as_str(), "type" | "const" | "enum") || is_annotation(key))
}

/// Whether a keyword only describes (see [`ANNOTATIONS`]) or is an extension.
fn is_annotation(keyword: &str) -> bool {
    ANNOTATIONS.contains(&keyword) || keyword.starts_with("x-")
}

/// Puts the one branch left of a union back into its parent: merged when that loses nothing
/// (no keyword the parent has with another value, other than annotations, where the parent
/// wins), else appended to the parent's `allOf`. A `$ref` branch always goes to `allOf`,
/// because 3.0 ignores the siblings of a `$ref`.
fn merge_branch(parent: &mut Object, branch: Value) {
    match branch {
        Value::Object(branch) if !branch.contains_key("$ref") && mergeable(parent, &branch) => {
            for (key, value) in branch {
                parent.entry(key).or_insert(value);
            }
        }
        other => push_all_of(parent, other),
    }
}

/// Whether every keyword of `branch` can join `parent` without changing what either means.
fn mergeable(parent: &Object, branch: &Object) -> bool {
    branch.iter().all(|(key, value)| {
        is_annotation(key) || parent.get(key).is_none_or(|existing| existing == value)
    })
}

/// Appends a schema to `allOf`, creating it when missing.
fn push_all_of(schema: &mut Object, item: Value) {
    match schema.get_mut("allOf") {
        Some(Value::Array(all_of)) => all_of.push(item),
        _ => {
            schema.insert("allOf".to_owned(), Value::Array(vec![item]));
        }
    }
}

/// 3.0 ignores everything next to `$ref`. When 3.1 siblings say something (a description, a
/// default, `nullable`…) they are kept by moving the `$ref` into `allOf`; a `$ref` with
/// nothing but extensions beside it stays a plain reference.
fn wrap_ref_with_siblings(schema: &mut Object) {
    let Some(reference) = schema.get("$ref").cloned() else {
        return;
    };
    let inert = |key: &String| key == "$ref" || key == "summary" || key.starts_with("x-");
    if schema.keys().all(inert) {
        return;
    }
    let target = json!({ "$ref": reference });
    if let Some(Value::Array(all_of)) = schema.get_mut("allOf") {
        all_of.insert(0, target);
        schema.shift_remove("$ref");
    } else {
        replace_key(schema, "$ref", "allOf", Value::Array(vec![target]));
    }
}

/// The one schema that stands for "any of `schemas`": the schema itself when there is one,
/// `None` when there are none.
fn any_of(mut schemas: Vec<Value>) -> Option<Value> {
    match schemas.len() {
        0 => None,
        1 => schemas.pop(),
        _ => Some(json!({ "anyOf": schemas })),
    }
}

// ----- small helpers ----------------------------------------------------------------------------

/// Drops `summary` and `license.identifier` from `info`: 3.0 has neither, and neither matters to
/// the generated code.
fn info(value: Value) -> Value {
    let Value::Object(mut info) = value else {
        return value;
    };
    info.shift_remove("summary");
    if let Some(Value::Object(license)) = info.get_mut("license") {
        license.shift_remove("identifier");
    }
    Value::Object(info)
}

/// Adds the entries of `value` to the mapping under `key`, or sets it when either is not a
/// mapping (used to join `webhooks` and an existing `x-webhooks`).
fn merge_entries(out: &mut Object, key: &str, value: Value) {
    match (out.get_mut(key), value) {
        (Some(Value::Object(existing)), Value::Object(entries)) => existing.extend(entries),
        (_, value) => {
            out.insert(key.to_owned(), value);
        }
    }
}

/// Renames `old` to `new` with a new value, keeping the key's place so the converted document
/// reads in the author's order. An existing `new` key is replaced; when `old` is missing, `new`
/// goes last.
fn replace_key(map: &mut Object, old: &str, new: &str, value: Value) {
    let entries = std::mem::take(map);
    let mut value = Some(value);
    for (key, existing) in entries {
        if key == old {
            if let Some(value) = value.take() {
                map.insert(new.to_owned(), value);
            }
        } else if key != new {
            map.insert(key, existing);
        }
    }
    if let Some(value) = value {
        map.insert(new.to_owned(), value);
    }
}

/// Extends a JSON pointer by one reference token.
fn at(pointer: &str, token: &str) -> String {
    format!("{pointer}/{}", escape_pointer_token(token))
}

/// A value as it appears in a message: strings bare, anything else as JSON.
fn display(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

/// Decodes `%XX` escapes; `None` when the result is not UTF-8.
pub(crate) fn percent_decode(text: &str) -> Option<String> {
    let mut bytes = Vec::with_capacity(text.len());
    let mut rest = text.as_bytes();
    while let Some((&first, tail)) = rest.split_first() {
        let decoded = match (first, tail) {
            (b'%', [high, low, ..]) => hex_value(*high).zip(hex_value(*low)),
            _ => None,
        };
        match decoded {
            Some((high, low)) => {
                bytes.push(high * 16 + low);
                rest = tail.get(2..).unwrap_or_default();
            }
            None => {
                bytes.push(first);
                rest = tail;
            }
        }
    }
    String::from_utf8(bytes).ok()
}

/// The value of one hexadecimal digit.
fn hex_value(digit: u8) -> Option<u8> {
    char::from(digit)
        .to_digit(16)
        .and_then(|value| u8::try_from(value).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    type Warnings = Vec<(String, String)>;

    /// A 3.1 document whose `components.schemas` are `schemas`.
    fn document_with_schemas(schemas: Value) -> Value {
        json!({
            "openapi": "3.1.0",
            "info": { "title": "t", "version": "1" },
            "paths": {},
            "components": { "schemas": schemas }
        })
    }

    /// Converts a document and checks that the result loads into the 3.0 model.
    fn convert(document: Value) -> Normalised {
        let normalised = downgrade(document).expect("a mapping converts");
        if let Err(error) =
            serde_path_to_error::deserialize::<_, openapiv3::OpenAPI>(&normalised.document)
        {
            panic!(
                "the converted document does not load at {}: {error}\n{:#}",
                error.path(),
                normalised.document
            );
        }
        normalised
    }

    /// Converts `schema`, written as `components.schemas.S` (next to a plain `T` to refer to).
    fn convert_schema(schema: Value) -> (Value, Warnings) {
        let normalised = convert(document_with_schemas(
            json!({ "S": schema, "T": { "type": "string" } }),
        ));
        let converted = normalised.document["components"]["schemas"]["S"].clone();
        (converted, normalised.warnings)
    }

    /// The pointers of `warnings`, in order.
    fn pointers(warnings: &Warnings) -> Vec<&str> {
        warnings
            .iter()
            .map(|(pointer, _)| pointer.as_str())
            .collect()
    }

    const S: &str = "/components/schemas/S";

    // ----- type lists ---------------------------------------------------------------------------

    #[test]
    fn a_type_list_with_null_becomes_the_type_and_nullable() {
        let (schema, warnings) =
            convert_schema(json!({ "type": ["string", "null"], "maxLength": 3 }));
        assert_eq!(
            schema,
            json!({ "type": "string", "maxLength": 3, "nullable": true })
        );
        assert!(warnings.is_empty());
    }

    #[test]
    fn a_type_list_of_one_type_becomes_that_type() {
        let (schema, _) = convert_schema(json!({ "type": ["integer"] }));
        assert_eq!(schema, json!({ "type": "integer" }));
    }

    #[test]
    fn several_types_become_an_any_of_with_each_keyword_on_its_branch() {
        let (schema, warnings) = convert_schema(json!({
            "type": ["string", "integer", "null"],
            "maxLength": 5,
            "minimum": 1,
            "format": "uuid",
            "description": "an id"
        }));
        assert_eq!(
            schema,
            json!({
                "description": "an id",
                "nullable": true,
                "anyOf": [
                    { "type": "string", "maxLength": 5, "format": "uuid" },
                    { "type": "integer", "minimum": 1 }
                ]
            })
        );
        assert!(warnings.is_empty());
    }

    #[test]
    fn enum_values_of_a_type_list_go_to_the_branch_of_their_type() {
        let (schema, _) =
            convert_schema(json!({ "type": ["string", "integer"], "enum": [1, "two"] }));
        assert_eq!(
            schema,
            json!({ "anyOf": [
                { "type": "string", "enum": ["two"] },
                { "type": "integer", "enum": [1] }
            ] })
        );
        let (schema, _) = convert_schema(json!({ "type": ["string", "boolean"], "enum": ["a"] }));
        assert_eq!(schema, json!({ "type": "string", "enum": ["a"] }));
    }

    #[test]
    fn a_type_list_next_to_an_any_of_goes_into_all_of() {
        let (schema, _) = convert_schema(json!({
            "type": ["string", "number"],
            "anyOf": [{ "minLength": 1 }, { "minimum": 0 }]
        }));
        assert_eq!(
            schema,
            json!({
                "anyOf": [{ "minLength": 1 }, { "minimum": 0 }],
                "allOf": [{ "anyOf": [{ "type": "string" }, { "type": "number" }] }]
            })
        );
    }

    #[test]
    fn type_null_alone_becomes_nullable_without_a_type_and_warns() {
        let (schema, warnings) =
            convert_schema(json!({ "type": "null", "description": "always null" }));
        assert_eq!(
            schema,
            json!({ "description": "always null", "nullable": true })
        );
        assert_eq!(pointers(&warnings), [S]);
        assert!(warnings[0].1.contains("only `null`"), "{warnings:?}");
    }

    // ----- null branches of unions --------------------------------------------------------------

    #[test]
    fn a_null_branch_of_any_of_becomes_nullable() {
        let (schema, warnings) = convert_schema(json!({
            "anyOf": [{ "type": "string" }, { "type": "integer" }, { "type": "null" }]
        }));
        assert_eq!(
            schema,
            json!({ "anyOf": [{ "type": "string" }, { "type": "integer" }], "nullable": true })
        );
        assert!(warnings.is_empty());
    }

    #[test]
    fn a_reference_or_null_becomes_all_of_the_reference_and_nullable() {
        let (schema, _) = convert_schema(json!({
            "anyOf": [{ "$ref": "#/components/schemas/T" }, { "type": "null" }]
        }));
        assert_eq!(
            schema,
            json!({ "allOf": [{ "$ref": "#/components/schemas/T" }], "nullable": true })
        );
    }

    #[test]
    fn an_inline_branch_or_null_collapses_into_the_parent_whose_annotations_win() {
        let (schema, _) = convert_schema(json!({
            "description": "outer",
            "oneOf": [
                { "type": "integer", "format": "int64", "description": "inner" },
                { "const": null }
            ]
        }));
        assert_eq!(
            schema,
            json!({ "description": "outer", "nullable": true, "type": "integer", "format": "int64" })
        );
        let (schema, _) =
            convert_schema(json!({ "anyOf": [{ "type": "string" }, { "enum": [null] }] }));
        assert_eq!(schema, json!({ "nullable": true, "type": "string" }));
    }

    #[test]
    fn a_remaining_branch_that_conflicts_with_the_parent_goes_into_all_of() {
        let (schema, _) = convert_schema(json!({
            "type": "object",
            "properties": { "a": { "type": "string" } },
            "anyOf": [
                { "type": "object", "properties": { "b": { "type": "string" } } },
                { "type": "null" }
            ]
        }));
        assert_eq!(
            schema,
            json!({
                "type": "object",
                "properties": { "a": { "type": "string" } },
                "nullable": true,
                "allOf": [{ "type": "object", "properties": { "b": { "type": "string" } } }]
            })
        );
    }

    #[test]
    fn a_union_of_only_null_becomes_nullable_and_warns() {
        let (schema, warnings) = convert_schema(json!({ "oneOf": [{ "type": "null" }] }));
        assert_eq!(schema, json!({ "nullable": true }));
        assert_eq!(pointers(&warnings), [S]);
    }

    // ----- single keywords ----------------------------------------------------------------------

    #[test]
    fn const_becomes_a_one_value_enum_without_touching_the_value() {
        let (schema, _) = convert_schema(json!({ "type": "string", "const": "active" }));
        assert_eq!(schema, json!({ "type": "string", "enum": ["active"] }));
        let (schema, _) = convert_schema(json!({ "const": { "type": ["a", "null"] } }));
        assert_eq!(schema, json!({ "enum": [{ "type": ["a", "null"] }] }));
    }

    #[test]
    fn schema_examples_become_the_first_example_unless_one_is_given() {
        let (schema, _) = convert_schema(json!({ "type": "string", "examples": ["a", "b"] }));
        assert_eq!(schema, json!({ "type": "string", "example": "a" }));
        let (schema, _) = convert_schema(json!({ "example": "x", "examples": ["a"] }));
        assert_eq!(schema, json!({ "example": "x" }));
    }

    #[test]
    fn numeric_exclusive_bounds_become_the_bound_and_a_flag() {
        let (schema, warnings) = convert_schema(json!({
            "type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 10.5
        }));
        assert_eq!(
            schema,
            json!({
                "type": "number",
                "minimum": 0, "exclusiveMinimum": true,
                "maximum": 10.5, "exclusiveMaximum": true
            })
        );
        assert!(warnings.is_empty());
    }

    #[test]
    fn of_an_inclusive_and_an_exclusive_bound_the_tighter_is_kept() {
        let (schema, _) =
            convert_schema(json!({ "type": "integer", "minimum": 5, "exclusiveMinimum": 3 }));
        assert_eq!(schema, json!({ "type": "integer", "minimum": 5 }));
        let (schema, _) =
            convert_schema(json!({ "type": "integer", "minimum": 1, "exclusiveMinimum": 3 }));
        assert_eq!(
            schema,
            json!({ "type": "integer", "minimum": 3, "exclusiveMinimum": true })
        );
        let (schema, _) =
            convert_schema(json!({ "type": "integer", "maximum": 10, "exclusiveMaximum": 12 }));
        assert_eq!(schema, json!({ "type": "integer", "maximum": 10 }));
        let (schema, _) =
            convert_schema(json!({ "type": "integer", "maximum": 10, "exclusiveMaximum": 10 }));
        assert_eq!(
            schema,
            json!({ "type": "integer", "maximum": 10, "exclusiveMaximum": true })
        );
    }

    #[test]
    fn three_point_zero_spellings_in_a_three_point_one_document_are_accepted_as_they_are() {
        let written = json!({
            "type": "number", "minimum": 0, "exclusiveMinimum": true,
            "nullable": true, "example": 1
        });
        let (schema, warnings) = convert_schema(written.clone());
        assert_eq!(schema, written);
        assert!(warnings.is_empty());
    }

    #[test]
    fn a_reference_with_meaningful_siblings_moves_into_all_of() {
        let (schema, _) = convert_schema(json!({
            "$ref": "#/components/schemas/T", "description": "d", "readOnly": true
        }));
        assert_eq!(
            schema,
            json!({ "allOf": [{ "$ref": "#/components/schemas/T" }], "description": "d", "readOnly": true })
        );
        let (schema, _) = convert_schema(json!({
            "$ref": "#/components/schemas/T", "allOf": [{ "minLength": 1 }], "nullable": true
        }));
        assert_eq!(
            schema,
            json!({ "allOf": [{ "$ref": "#/components/schemas/T" }, { "minLength": 1 }], "nullable": true })
        );
    }

    #[test]
    fn a_reference_alone_or_with_only_extensions_stays_a_reference() {
        let (schema, _) = convert_schema(json!({ "$ref": "#/components/schemas/T" }));
        assert_eq!(schema, json!({ "$ref": "#/components/schemas/T" }));
        let (schema, _) =
            convert_schema(json!({ "$ref": "#/components/schemas/T", "x-skip": true }));
        assert_eq!(
            schema,
            json!({ "$ref": "#/components/schemas/T", "x-skip": true })
        );
    }

    #[test]
    fn boolean_schemas_become_empty_and_not_empty_and_false_warns() {
        let (schema, warnings) = convert_schema(json!({
            "type": "object",
            "properties": { "anything": true, "never": false },
            "additionalProperties": false
        }));
        assert_eq!(
            schema,
            json!({
                "type": "object",
                "properties": { "anything": {}, "never": { "not": {} } },
                "additionalProperties": false
            })
        );
        assert_eq!(pointers(&warnings), [format!("{S}/properties/never")]);
    }

    #[test]
    fn content_encoding_and_media_type_become_formats() {
        let (schema, warnings) = convert_schema(json!({
            "type": "object",
            "properties": {
                "base64": { "type": "string", "contentEncoding": "base64" },
                "file": { "type": "string", "contentMediaType": "image/png" },
                "both": { "type": "string", "contentEncoding": "base64", "contentMediaType": "image/png" },
                "dated": { "type": "string", "format": "date", "contentMediaType": "application/octet-stream" },
                "url_safe": { "type": "string", "contentEncoding": "base64url" }
            }
        }));
        assert_eq!(
            schema["properties"],
            json!({
                "base64": { "type": "string", "format": "byte" },
                "file": { "type": "string", "format": "binary" },
                "both": { "type": "string", "format": "byte" },
                "dated": { "type": "string", "format": "date" },
                "url_safe": { "type": "string" }
            })
        );
        assert_eq!(pointers(&warnings), [format!("{S}/properties/url_safe")]);
    }

    // ----- keywords without a 3.0 form ----------------------------------------------------------

    #[test]
    fn prefix_items_become_items_any_of_and_warn() {
        let (schema, warnings) = convert_schema(json!({
            "type": "array",
            "prefixItems": [{ "type": "string" }, { "type": ["integer", "null"] }],
            "items": false
        }));
        assert_eq!(
            schema,
            json!({
                "type": "array",
                "maxItems": 2,
                "items": { "anyOf": [{ "type": "string" }, { "type": "integer", "nullable": true }] }
            })
        );
        assert_eq!(pointers(&warnings), [S]);
        let (schema, _) = convert_schema(json!({
            "type": "array", "prefixItems": [{ "type": "string" }], "items": { "type": "number" }
        }));
        assert_eq!(
            schema,
            json!({ "type": "array", "items": { "anyOf": [{ "type": "string" }, { "type": "number" }] } })
        );
    }

    #[test]
    fn pattern_properties_become_additional_properties_and_warn() {
        let (schema, warnings) = convert_schema(json!({
            "type": "object",
            "patternProperties": { "^S_": { "type": "string" }, "^I_": { "type": "integer" } }
        }));
        assert_eq!(
            schema,
            json!({
                "type": "object",
                "additionalProperties": { "anyOf": [{ "type": "string" }, { "type": "integer" }] }
            })
        );
        assert_eq!(pointers(&warnings), [S]);
    }

    #[test]
    fn unevaluated_properties_false_becomes_additional_properties_false() {
        let (schema, warnings) = convert_schema(json!({
            "type": "object", "properties": { "a": { "type": "string" } }, "unevaluatedProperties": false
        }));
        assert_eq!(
            schema,
            json!({
                "type": "object",
                "properties": { "a": { "type": "string" } },
                "additionalProperties": false
            })
        );
        assert!(warnings.is_empty());
    }

    #[test]
    fn unevaluated_properties_next_to_a_union_is_dropped_with_a_warning() {
        let (schema, warnings) = convert_schema(json!({
            "unevaluatedProperties": false,
            "oneOf": [
                { "type": "object", "properties": { "card": { "type": "string" } } },
                { "type": "object", "properties": { "iban": { "type": "string" } } }
            ]
        }));
        assert!(schema.get("additionalProperties").is_none(), "{schema}");
        assert!(schema.get("unevaluatedProperties").is_none(), "{schema}");
        assert_eq!(pointers(&warnings), [S]);
    }

    #[test]
    fn keywords_without_a_three_point_zero_form_are_dropped_with_one_warning_each() {
        let (schema, warnings) = convert_schema(json!({
            "type": "object",
            "properties": {
                "a/b": {
                    "$schema": "https://json-schema.org/draft/2020-12/schema",
                    "$id": "https://example.com/a",
                    "$anchor": "a",
                    "$comment": "c",
                    "type": "array",
                    "contains": { "type": "string" },
                    "minContains": 1,
                    "maxContains": 2
                }
            },
            "if": { "properties": { "kind": { "const": "x" } } },
            "then": { "required": ["x"] },
            "else": { "required": ["y"] },
            "dependentSchemas": { "a": {} },
            "dependentRequired": { "a": ["b"] },
            "propertyNames": { "maxLength": 3 }
        }));
        assert_eq!(
            schema,
            json!({ "type": "object", "properties": { "a/b": { "type": "array" } } })
        );
        let nested = format!("{S}/properties/a~1b");
        let expected: Vec<(&str, &str)> = vec![
            (S, "if"),
            (S, "then"),
            (S, "else"),
            (S, "dependentSchemas"),
            (S, "dependentRequired"),
            (S, "propertyNames"),
            (&nested, "$schema"),
            (&nested, "$id"),
            (&nested, "$anchor"),
            (&nested, "$comment"),
            (&nested, "contains"),
            (&nested, "minContains"),
            (&nested, "maxContains"),
        ];
        assert_eq!(warnings.len(), expected.len(), "{warnings:#?}");
        for ((pointer, message), (expected_pointer, keyword)) in warnings.iter().zip(expected) {
            assert_eq!(pointer, expected_pointer);
            assert!(message.starts_with(&format!("`{keyword}`")), "{message}");
        }
    }

    #[test]
    fn referenced_defs_move_to_components_and_unreferenced_ones_are_dropped() {
        let normalised = convert(document_with_schemas(json!({
            "Inner": { "type": "boolean" },
            "Outer": {
                "type": "object",
                "properties": { "inner": { "$ref": "#/components/schemas/Outer/$defs/Inner" } },
                "$defs": {
                    "Inner": { "type": ["string", "null"] },
                    "Unused": { "type": "string" }
                }
            }
        })));
        let schemas = &normalised.document["components"]["schemas"];
        assert_eq!(schemas["Inner"], json!({ "type": "boolean" }));
        assert_eq!(
            schemas["Inner2"],
            json!({ "type": "string", "nullable": true })
        );
        assert_eq!(
            schemas["Outer"],
            json!({
                "type": "object",
                "properties": { "inner": { "$ref": "#/components/schemas/Inner2" } }
            })
        );
        assert_eq!(
            pointers(&normalised.warnings),
            ["/components/schemas/Outer"]
        );
        assert!(normalised.warnings[0].1.contains("`Unused`"));
    }

    // ----- schema positions ---------------------------------------------------------------------

    #[test]
    fn every_subschema_of_a_schema_is_converted() {
        let nullable_string = json!({ "type": ["string", "null"] });
        let (schema, _) = convert_schema(json!({
            "type": "object",
            "properties": {
                "list": { "type": "array", "items": nullable_string },
                "nested": { "type": "object", "properties": { "deep": nullable_string } }
            },
            "additionalProperties": nullable_string,
            "allOf": [nullable_string],
            "oneOf": [nullable_string, { "type": "integer" }],
            "not": nullable_string
        }));
        let converted = json!({ "type": "string", "nullable": true });
        for pointer in [
            "/properties/list/items",
            "/properties/nested/properties/deep",
            "/additionalProperties",
            "/allOf/0",
            "/oneOf/0",
            "/not",
        ] {
            assert_eq!(schema.pointer(pointer), Some(&converted), "at {pointer}");
        }
    }

    #[test]
    fn every_schema_position_of_the_document_is_converted() {
        let nullable = json!({ "type": ["string", "null"] });
        let media = json!({
            "schema": nullable,
            "encoding": { "part": { "headers": { "X-Part": { "schema": nullable } } } }
        });
        let response = json!({
            "description": "ok",
            "headers": { "x-rate-limit": { "schema": nullable } },
            "content": { "application/json": media }
        });
        let operation = json!({
            "parameters": [
                { "name": "q", "in": "query", "schema": nullable },
                { "name": "f", "in": "query", "content": { "application/json": { "schema": nullable } } }
            ],
            "requestBody": { "content": { "application/json": media } },
            "responses": { "200": response, "x-note": { "type": ["kept"] } },
            "callbacks": {
                "done": { "{$request.body#/url}": { "post": {
                    "requestBody": { "content": { "application/json": { "schema": nullable } } },
                    "responses": { "204": { "description": "seen" } }
                } } }
            }
        });
        let normalised = convert(json!({
            "openapi": "3.1.0",
            "info": { "title": "t", "version": "1" },
            "paths": { "/a": { "parameters": [{ "name": "p", "in": "query", "schema": nullable }], "post": operation } },
            "components": {
                "parameters": { "P": { "name": "p", "in": "header", "schema": nullable } },
                "headers": { "H": { "schema": nullable } },
                "requestBodies": { "B": { "content": { "application/json": media } } },
                "responses": { "R": response },
                "callbacks": { "C": { "{$url}": { "put": { "responses": { "200": response } } } } }
            }
        }));
        let document = &normalised.document;
        let converted = json!({ "type": "string", "nullable": true });
        for pointer in [
            "/paths/~1a/parameters/0/schema",
            "/paths/~1a/post/parameters/0/schema",
            "/paths/~1a/post/parameters/1/content/application~1json/schema",
            "/paths/~1a/post/requestBody/content/application~1json/schema",
            "/paths/~1a/post/requestBody/content/application~1json/encoding/part/headers/X-Part/schema",
            "/paths/~1a/post/responses/200/headers/x-rate-limit/schema",
            "/paths/~1a/post/responses/200/content/application~1json/schema",
            "/paths/~1a/post/callbacks/done/{$request.body#~1url}/post/requestBody/content/application~1json/schema",
            "/components/parameters/P/schema",
            "/components/headers/H/schema",
            "/components/requestBodies/B/content/application~1json/schema",
            "/components/responses/R/content/application~1json/schema",
            "/components/callbacks/C/{$url}/put/responses/200/headers/x-rate-limit/schema",
        ] {
            assert_eq!(document.pointer(pointer), Some(&converted), "at {pointer}");
        }
        assert_eq!(
            document.pointer("/paths/~1a/post/responses/x-note"),
            Some(&json!({ "type": ["kept"] })),
            "extensions are data"
        );
    }

    #[test]
    fn data_values_are_never_rewritten() {
        let data = json!({ "type": ["string", "null"], "const": 1, "examples": [1, 2], "exclusiveMinimum": 3 });
        let (schema, _) = convert_schema(json!({
            "type": "object",
            "default": data,
            "example": data,
            "enum": [data],
            "x-data": data
        }));
        assert_eq!(
            schema,
            json!({ "type": "object", "default": data, "example": data, "enum": [data], "x-data": data })
        );
    }

    // ----- path items ---------------------------------------------------------------------------

    #[test]
    fn a_path_item_reference_is_inlined_with_its_siblings_and_path_items_go() {
        let normalised = convert(json!({
            "openapi": "3.1.0",
            "info": { "title": "t", "version": "1" },
            "paths": {
                "/pets": { "$ref": "#/components/pathItems/Pets", "summary": "overridden" }
            },
            "components": {
                "pathItems": {
                    "Pets": {
                        "summary": "original",
                        "get": { "responses": { "200": {
                            "description": "ok",
                            "content": { "application/json": { "schema": { "type": "string", "$comment": "c" } } }
                        } } }
                    }
                }
            }
        }));
        let document = &normalised.document;
        assert_eq!(
            document.pointer("/paths/~1pets/summary"),
            Some(&json!("overridden"))
        );
        assert!(document.pointer("/paths/~1pets/$ref").is_none());
        assert_eq!(
            document.pointer("/paths/~1pets/get/responses/200/content/application~1json/schema"),
            Some(&json!({ "type": "string" }))
        );
        assert!(document.pointer("/components/pathItems").is_none());
        assert_eq!(
            pointers(&normalised.warnings),
            ["/components/pathItems/Pets/get/responses/200/content/application~1json/schema"],
            "warnings point where the content is written"
        );
    }

    #[test]
    fn a_callback_path_item_reference_is_inlined() {
        let normalised = convert(json!({
            "openapi": "3.1.0",
            "info": { "title": "t", "version": "1" },
            "paths": { "/subscribe": { "post": {
                "responses": { "201": { "description": "ok" } },
                "callbacks": { "event": { "{$request.body#/url}": { "$ref": "#/components/pathItems/Event" } } }
            } } },
            "components": { "pathItems": { "Event": {
                "post": { "responses": { "200": { "description": "seen" } } }
            } } }
        }));
        assert_eq!(
            normalised.document.pointer(
                "/paths/~1subscribe/post/callbacks/event/{$request.body#~1url}/post/responses/200/description"
            ),
            Some(&json!("seen"))
        );
    }

    #[test]
    fn a_percent_encoded_path_item_reference_resolves() {
        let normalised = convert(json!({
            "openapi": "3.1.0",
            "info": { "title": "t", "version": "1" },
            "paths": {
                "/pets/{id}": { "get": { "responses": { "200": { "description": "ok" } } } },
                "/animals/{id}": { "$ref": "#/paths/~1pets~1%7Bid%7D" }
            }
        }));
        assert_eq!(
            normalised
                .document
                .pointer("/paths/~1animals~1{id}/get/responses/200/description"),
            Some(&json!("ok"))
        );
        assert!(normalised.warnings.is_empty());
    }

    #[test]
    fn path_item_references_that_cannot_be_followed_stay_and_warn() {
        let normalised = convert(json!({
            "openapi": "3.1.0",
            "info": { "title": "t", "version": "1" },
            "paths": {
                "/missing": { "$ref": "#/components/pathItems/Nope" },
                "/external": { "$ref": "other.yaml#/paths/~1x" },
                "/loop": { "$ref": "#/paths/~1loop" },
                "/self": { "post": {
                    "responses": { "200": { "description": "ok" } },
                    "callbacks": { "again": { "{$url}": { "$ref": "#/paths/~1self" } } }
                } }
            }
        }));
        assert_eq!(
            normalised.document.pointer("/paths/~1missing"),
            Some(&json!({ "$ref": "#/components/pathItems/Nope" }))
        );
        assert_eq!(
            pointers(&normalised.warnings),
            [
                "/paths/~1missing/$ref",
                "/paths/~1external/$ref",
                "/paths/~1loop/$ref",
                "/paths/~1self/post/callbacks/again/{$url}/$ref"
            ]
        );
    }

    #[test]
    fn path_items_that_refer_to_each_other_many_times_do_not_explode() {
        let mut path_items = Map::new();
        for level in 0..40 {
            let next = json!({ "$ref": format!("#/components/pathItems/P{}", level + 1) });
            path_items.insert(
                format!("P{level}"),
                json!({ "post": {
                    "responses": { "200": { "description": "ok" } },
                    "callbacks": { "a": { "{$x}": next }, "b": { "{$y}": next } }
                } }),
            );
        }
        path_items.insert("P40".to_owned(), json!({}));
        let normalised = downgrade(json!({
            "openapi": "3.1.0",
            "info": { "title": "t", "version": "1" },
            "paths": { "/a": { "$ref": "#/components/pathItems/P0" } },
            "components": { "pathItems": path_items }
        }))
        .expect("converts");
        assert!(
            normalised
                .warnings
                .iter()
                .any(|(_, message)| message.contains("too deep or too often")),
            "{:?}",
            normalised.warnings
        );
    }

    // ----- document level -----------------------------------------------------------------------

    #[test]
    fn the_document_says_three_point_zero_and_loses_three_point_one_only_fields() {
        let normalised = convert(json!({
            "openapi": "3.1.0",
            "jsonSchemaDialect": "https://spec.openapis.org/oas/3.1/dialect/base",
            "info": {
                "title": "t", "summary": "short", "version": "1",
                "license": { "name": "MIT", "identifier": "MIT" }
            }
        }));
        assert_eq!(
            normalised.document,
            json!({
                "openapi": "3.0.3",
                "info": { "title": "t", "version": "1", "license": { "name": "MIT" } },
                "paths": {}
            })
        );
        assert!(normalised.warnings.is_empty());
    }

    #[test]
    fn a_foreign_schema_dialect_warns() {
        let normalised = convert(json!({
            "openapi": "3.1.0",
            "jsonSchemaDialect": "https://json-schema.org/draft/2020-12/schema",
            "info": { "title": "t", "version": "1" },
            "paths": {}
        }));
        assert_eq!(pointers(&normalised.warnings), ["/jsonSchemaDialect"]);
    }

    #[test]
    fn webhooks_are_kept_under_x_webhooks_with_one_warning_per_operation() {
        let normalised = convert(json!({
            "openapi": "3.1.0",
            "info": { "title": "t", "version": "1" },
            "webhooks": {
                "newPet": {
                    "post": {
                        "requestBody": { "content": { "application/json": { "schema": { "type": ["string", "null"] } } } },
                        "responses": { "200": { "description": "ok" } }
                    },
                    "put": { "responses": { "200": { "description": "ok" } } }
                },
                "shared": { "$ref": "#/components/pathItems/Hook" }
            },
            "components": { "pathItems": { "Hook": {
                "post": { "responses": { "200": { "description": "ok" } } }
            } } }
        }));
        let document = &normalised.document;
        assert!(document.get("webhooks").is_none());
        assert_eq!(
            document
                .pointer("/x-webhooks/newPet/post/requestBody/content/application~1json/schema"),
            Some(&json!({ "type": "string", "nullable": true }))
        );
        assert_eq!(
            document.pointer("/x-webhooks/shared/post/responses/200/description"),
            Some(&json!("ok"))
        );
        assert_eq!(
            pointers(&normalised.warnings),
            [
                "/webhooks/newPet/post",
                "/webhooks/newPet/put",
                "/webhooks/shared"
            ]
        );
    }

    #[test]
    fn mutual_tls_schemes_are_dropped_from_components_and_requirements() {
        let normalised = convert(json!({
            "openapi": "3.1.0",
            "info": { "title": "t", "version": "1" },
            "security": [{ "mtls": [], "key": [] }],
            "paths": { "/a": { "get": {
                "security": [{ "mtls": [] }],
                "responses": { "200": { "description": "ok" } }
            } } },
            "components": { "securitySchemes": {
                "mtls": { "type": "mutualTLS" },
                "key": { "type": "apiKey", "in": "header", "name": "X-Key" }
            } }
        }));
        let document = &normalised.document;
        assert_eq!(document["security"], json!([{ "key": [] }]));
        assert_eq!(
            document.pointer("/paths/~1a/get/security"),
            Some(&json!([{}]))
        );
        assert!(
            document
                .pointer("/components/securitySchemes/mtls")
                .is_none()
        );
        assert_eq!(
            pointers(&normalised.warnings),
            ["/components/securitySchemes/mtls"]
        );
    }

    #[test]
    fn three_point_two_additions_without_a_three_point_zero_form_are_dropped_with_warnings() {
        let normalised = convert(json!({
            "openapi": "3.2.0",
            "info": { "title": "t", "version": "1" },
            "paths": { "/search": {
                "query": { "responses": { "200": { "description": "ok" } } },
                "additionalOperations": { "LINK": { "responses": { "200": { "description": "ok" } } } },
                "get": {
                    "parameters": [
                        { "name": "all", "in": "querystring", "content": { "application/x-www-form-urlencoded": {} } },
                        { "name": "q", "in": "query", "schema": { "type": "string" } }
                    ],
                    "responses": {
                        "200": { "content": { "text/event-stream": { "itemSchema": { "type": "string" } } } }
                    }
                }
            } }
        }));
        let item = &normalised.document["paths"]["/search"];
        assert!(item.get("query").is_none() && item.get("additionalOperations").is_none());
        assert_eq!(
            item["get"]["parameters"],
            json!([{ "name": "q", "in": "query", "schema": { "type": "string" } }])
        );
        assert_eq!(item["get"]["responses"]["200"]["description"], json!(""));
        assert_eq!(
            pointers(&normalised.warnings),
            [
                "/paths/~1search/query",
                "/paths/~1search/additionalOperations/LINK",
                "/paths/~1search/get/parameters/0",
                "/paths/~1search/get/responses/200/content/text~1event-stream"
            ]
        );
    }

    // ----- robustness ---------------------------------------------------------------------------

    #[test]
    fn a_document_that_is_not_a_mapping_is_refused() {
        let error = downgrade(json!(["openapi", "3.1.0"])).expect_err("a list is not a document");
        assert_eq!(error.0, "");
    }

    #[test]
    fn malformed_input_converts_without_panicking() {
        let odd_schemas = [
            json!(5),
            json!(null),
            json!({ "type": 5 }),
            json!({ "type": [1, "null"] }),
            json!({ "type": [] }),
            json!({ "allOf": "x", "anyOf": [null, true, false], "oneOf": {} }),
            json!({ "properties": [], "items": [1, 2], "additionalProperties": 3 }),
            json!({ "prefixItems": {}, "patternProperties": [], "unevaluatedProperties": 1 }),
            json!({ "prefixItems": [], "patternProperties": {}, "items": false }),
            json!({ "exclusiveMinimum": "x", "exclusiveMaximum": null, "minimum": "y" }),
            json!({ "exclusiveMinimum": 1e308, "minimum": -1e308 }),
            json!({ "$ref": 5, "description": 1 }),
            json!({ "$ref": "#/components/schemas/S/$defs/%zz", "$defs": 3 }),
            json!({ "$defs": { "a": { "$defs": { "b": {} } } }, "$ref": "#/components/schemas/S/$defs/a/$defs/b" }),
            json!({ "enum": 3, "const": null, "examples": {} }),
            json!({ "type": ["string", "integer"], "enum": "x" }),
            json!({ "contentEncoding": 7, "contentMediaType": [] }),
        ];
        for schema in odd_schemas {
            let _ = downgrade(document_with_schemas(json!({ "S": schema })));
        }
        let odd_documents = [
            json!({}),
            json!({ "openapi": 3.1, "paths": [], "webhooks": "x", "components": [] }),
            json!({ "paths": { "/a": "x", "/b": { "get": { "parameters": "x", "responses": [] } } } }),
            json!({ "paths": { "/a": { "$ref": 5 }, "/b": { "$ref": "#" }, "/c": { "$ref": "#/paths/~1c/%" } } }),
            json!({ "paths": { "/a": { "get": { "callbacks": { "c": { "e": { "$ref": "#/x" } } }, "requestBody": { "content": [] } } } } }),
            json!({ "components": { "schemas": [], "responses": { "R": { "headers": [], "content": { "a": 1 } } } } }),
            json!({ "components": { "securitySchemes": { "m": { "type": "mutualTLS" } } }, "security": [1, { "m": [] }] }),
            json!({ "webhooks": { "w": { "post": 1, "parameters": [{ "in": "querystring" }] } }, "x-webhooks": [] }),
        ];
        for document in odd_documents {
            let _ = downgrade(document);
        }
    }

    #[test]
    fn percent_decoding_leaves_malformed_escapes_alone() {
        assert_eq!(
            percent_decode("~1pets~1%7Bid%7D").as_deref(),
            Some("~1pets~1{id}")
        );
        assert_eq!(percent_decode("%").as_deref(), Some("%"));
        assert_eq!(percent_decode("%zz%4").as_deref(), Some("%zz%4"));
        assert_eq!(percent_decode("%ff"), None);
    }

    #[test]
    fn the_output_is_deterministic_and_keeps_the_authors_key_order() {
        let document = document_with_schemas(json!({
            "S": {
                "description": "first",
                "const": "x",
                "type": ["string", "null"],
                "examples": ["x"],
                "properties": { "z": {}, "a": {}, "m": {} }
            }
        }));
        let first = serde_json::to_string(&convert(document.clone()).document).expect("serialises");
        let second = serde_json::to_string(&convert(document).document).expect("serialises");
        assert_eq!(first, second);
        assert!(
            first.contains(r#""S":{"description":"first","enum":["x"],"type":"string","example":"x","properties":{"z":{},"a":{},"m":{}},"nullable":true}"#),
            "{first}"
        );
    }

    // ----- the corpus ---------------------------------------------------------------------------

    const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/specs-corpus/");

    /// Converts a corpus spec and checks that it loads into the 3.0 model, that no 3.1 type list
    /// or numeric exclusive bound is left, and that every warning points into the original.
    fn check_corpus_spec(file: &str) {
        let path = std::path::PathBuf::from(format!("{CORPUS}{file}"));
        let source = crate::spec::SourceFile::read(&path).expect("the corpus file reads");
        let original = match source.parse_value() {
            Ok(original) => original,
            Err(error) => parse_past_wide_integers(&source).unwrap_or_else(|| panic!("{error:?}")),
        };
        let normalised = downgrade(original.clone()).expect("the corpus file converts");
        if let Err(error) =
            serde_path_to_error::deserialize::<_, openapiv3::OpenAPI>(&normalised.document)
        {
            panic!("{file} does not load at {}: {error}", error.path());
        }
        let document = serde_json::from_value::<openapiv3::OpenAPI>(normalised.document.clone())
            .expect("loads with plain serde_json too");
        assert_eq!(document.openapi, OPENAPI_VERSION);
        assert_no_three_point_one_schemas(&normalised.document, "", file);
        for (pointer, message) in &normalised.warnings {
            assert!(
                original.pointer(pointer).is_some(),
                "{file}: the warning `{message}` points at {pointer}, which is not in the spec"
            );
        }
    }

    /// The loader (`source.rs`) cannot read YAML integers beyond the `i64` range, which the
    /// OpenAI spec writes as JavaScript prints `i64::MIN`/`MAX` (`-9223372036854776000`). This
    /// rewrites those two literals to the exact bounds, so the conversion is still tested on
    /// that spec; once the loader reads wide integers, `parse_value` succeeds and this is unused.
    fn parse_past_wide_integers(source: &crate::spec::SourceFile) -> Option<Value> {
        let text = source
            .text
            .replace("-9223372036854776000", "-9223372036854775808")
            .replace("9223372036854776000", "9223372036854775807");
        let patched = crate::spec::SourceFile::from_text(&source.path, text);
        patched.parse_value().ok()
    }

    /// Fails on a `type` list or a numeric exclusive bound anywhere outside data.
    fn assert_no_three_point_one_schemas(value: &Value, pointer: &str, file: &str) {
        match value {
            Value::Object(map) => {
                for (key, value) in map {
                    let here = at(pointer, key);
                    if matches!(key.as_str(), "example" | "examples" | "default" | "enum")
                        || key.starts_with("x-")
                    {
                        continue;
                    }
                    let leftover = (key == "type" && value.is_array())
                        || (key.starts_with("exclusiveM") && value.is_number());
                    assert!(!leftover, "{file}: 3.1 syntax left at {here}");
                    assert_no_three_point_one_schemas(value, &here, file);
                }
            }
            Value::Array(items) => {
                for (index, item) in items.iter().enumerate() {
                    assert_no_three_point_one_schemas(item, &at(pointer, &index.to_string()), file);
                }
            }
            _ => {}
        }
    }

    /// One test per 3.1 corpus spec (so they run in parallel and fail by name), plus the list
    /// of their files.
    macro_rules! corpus_tests {
        ($($name:ident => $file:literal,)*) => {
            $(
                #[test]
                fn $name() {
                    check_corpus_spec($file);
                }
            )*
            const CORPUS_3_1: &[&str] = &[$($file),*];
        };
    }

    corpus_tests! {
        corpus_adyen_balance_notification_loads => "adyen__balanceplatform-balance-notification-v1.json",
        corpus_adyen_checkout_loads => "adyen__checkout-v71.json",
        corpus_oai_non_oauth_scopes_loads => "oai__non-oauth-scopes.yaml",
        corpus_oai_tictactoe_loads => "oai__tictactoe.yaml",
        corpus_oai_webhook_example_loads => "oai__webhook-example.yaml",
        corpus_oapicodegen_openapi31_features_loads => "oapicodegen__openapi31-features.yaml",
        corpus_oapicodegen_tree_farm_callback_loads => "oapicodegen__tree-farm-callback.yaml",
        corpus_realworld_conduit_loads => "realworld__conduit.yaml",
        corpus_redoc_demo_openapi_3_1_loads => "redoc__demo-openapi-3-1.yaml",
        corpus_traintravel_loads => "traintravel__train-travel.yaml",
        corpus_xero_webhooks_loads => "xero__webhooks.yaml",
        corpus_openai_loads => "large/openai__openapi.yaml",
    }

    #[test]
    fn every_three_point_one_spec_of_the_corpus_is_tested() {
        let sources =
            std::fs::read_to_string(format!("{CORPUS}SOURCES.tsv")).expect("SOURCES.tsv reads");
        let mut lines = sources.lines();
        let header: Vec<&str> = lines.next().unwrap_or_default().split('\t').collect();
        let column = |name: &str| {
            header
                .iter()
                .position(|field| *field == name)
                .expect("a column")
        };
        let (file, version) = (column("file"), column("oas_version"));
        let mut listed: Vec<String> = lines
            .map(|line| line.split('\t').collect::<Vec<_>>())
            .filter(|fields| {
                fields
                    .get(version)
                    .is_some_and(|v| v.starts_with("3.1") || v.starts_with("3.2"))
            })
            .filter_map(|fields| fields.get(file).map(|f| f.to_string()))
            .collect();
        listed.sort();
        listed.dedup();
        let mut tested: Vec<String> = CORPUS_3_1.iter().map(|path| path.to_string()).collect();
        tested.sort();
        assert_eq!(listed, tested);
    }

    #[test]
    fn the_corpus_features_spec_converts_as_its_comments_expect() {
        let path =
            std::path::PathBuf::from(format!("{CORPUS}oapicodegen__openapi31-features.yaml"));
        let source = crate::spec::SourceFile::read(&path).expect("reads");
        let normalised = convert(source.parse_value().expect("parses"));
        let schemas = &normalised.document["components"]["schemas"];
        assert_eq!(
            schemas["Status"],
            json!({ "type": "string", "enum": ["active"] })
        );
        assert_eq!(
            schemas["FileUploadFields"]["properties"]["rawFile"]["format"],
            json!("binary")
        );
        assert_eq!(
            schemas["FileUploadFields"]["properties"]["base64Field"]["format"],
            json!("byte")
        );
        assert_eq!(
            schemas["Pet"]["properties"]["name"]["example"],
            json!("Whiskers")
        );
        assert_eq!(
            schemas["Measurement"]["properties"]["nullableValue"],
            json!({ "nullable": true, "anyOf": [{ "type": "string" }, { "type": "number" }] })
        );
    }
}
