//! Stage 2: the API model. Language-neutral facts about the API with every name already
//! resolved to a valid, unique Rust identifier. Emitters read only this.

mod lower;
mod names;
mod operations;
mod refs;
mod resources;
mod security;
mod types;

pub use lower::lower;
pub use names::{NameRegistry, is_rust_keyword, pascal_ident, shouty_ident, snake_ident};
pub use operations::{normalized_template, template_params};
pub use resources::{
    Column, ColumnKind, Fill, FillKind, ItemOwner, Key, KeyKind, ListOp, ListShape, OWNER_COLUMN,
    OnDelete, ParentScope, RESOURCE_EXTENSION, Resource, ResourceHint, ResourceOps,
    ResourceSettings, SEQUENCE_COLUMN,
};
pub use security::requirement_is_satisfiable;

use serde_json::Value;

/// The whole API.
#[derive(Debug, Clone)]
pub struct Api {
    pub title: String,
    pub version: String,
    pub description: Option<String>,
    /// All named types, indexed by [`TypeId`]. Order is stable: component schemas in spec
    /// order, then inline types in the order they were met.
    pub types: Vec<NamedType>,
    /// Operation groups (one per tag); each becomes a trait.
    pub groups: Vec<Group>,
    pub operations: Vec<Operation>,
    pub security_schemes: Vec<SecurityScheme>,
    /// Stored collections managed by CRUD operations.
    pub resources: Vec<Resource>,
    /// The name of the `static` that compiles each `pattern` (by its source), unique
    /// across the API.
    pub pattern_statics: std::collections::BTreeMap<String, String>,
    /// The spec as JSON, when the user's file is YAML: what `/openapi.json` serves.
    pub spec_json: Option<String>,
    /// SHA-256 (hex) of the spec file's text, so the project's tests can tell when the spec
    /// changed without a regen.
    pub spec_sha256: String,
}

impl Api {
    pub fn ty(&self, id: TypeId) -> &NamedType {
        &self.types[id.0]
    }

    pub fn operation(&self, id: OperationId) -> &Operation {
        &self.operations[id.0]
    }

    pub fn group(&self, id: GroupId) -> &Group {
        &self.groups[id.0]
    }

    pub fn resource(&self, id: ResourceId) -> &Resource {
        &self.resources[id.0]
    }

    pub fn scheme(&self, id: SchemeId) -> &SecurityScheme {
        &self.security_schemes[id.0]
    }

    /// The schemes some operation requires, in id order (a declared scheme no operation
    /// uses needs no checking).
    pub fn used_schemes(&self) -> std::collections::BTreeSet<SchemeId> {
        self.operations
            .iter()
            .flat_map(|op| &op.security)
            .flat_map(|requirement| &requirement.schemes)
            .map(|&(id, _)| id)
            .collect()
    }

    /// Which kinds of credential the operations accept: what the server must be configured
    /// with, and what the runtime crate is built with.
    pub fn auth_needs(&self) -> AuthNeeds {
        let mut needs = AuthNeeds::default();
        for id in self.used_schemes() {
            match self.scheme(id).kind {
                SecuritySchemeKind::Bearer { .. }
                | SecuritySchemeKind::OAuth2 { .. }
                | SecuritySchemeKind::OpenIdConnect { .. } => needs.bearer = true,
                SecuritySchemeKind::ApiKey { .. } => needs.api_key = true,
                SecuritySchemeKind::Basic => needs.basic = true,
                SecuritySchemeKind::OtherHttp { .. } => {}
            }
        }
        needs
    }

    /// Every operation with its id, in spec order.
    pub fn each_operation(&self) -> impl Iterator<Item = (OperationId, &Operation)> {
        self.operations
            .iter()
            .enumerate()
            .map(|(index, op)| (OperationId(index), op))
    }

    /// Every group with its id, in the order of [`Api::groups`].
    pub fn each_group(&self) -> impl Iterator<Item = (GroupId, &Group)> {
        self.groups
            .iter()
            .enumerate()
            .map(|(index, group)| (GroupId(index), group))
    }

    /// Every resource with its id, in the order of [`Api::resources`].
    pub fn each_resource(&self) -> impl Iterator<Item = (ResourceId, &Resource)> {
        self.resources
            .iter()
            .enumerate()
            .map(|(index, resource)| (ResourceId(index), resource))
    }

    /// The operations of a group, in spec order.
    pub fn operations_in(&self, group: GroupId) -> impl Iterator<Item = &Operation> {
        self.operations.iter().filter(move |op| op.group == group)
    }

    /// The `static` holding a `pattern` met anywhere in the API.
    pub fn pattern_static(&self, source: &str) -> Option<&str> {
        self.pattern_statics.get(source).map(String::as_str)
    }

    /// The resource an operation serves, if any.
    pub fn resource_of(&self, operation: OperationId) -> Option<&Resource> {
        self.resources
            .iter()
            .find(|r| r.ops.all().any(|id| id == operation))
    }
}

/// Index of a [`NamedType`] in [`Api::types`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TypeId(pub usize);

/// Ids of the other things an [`Api`] holds in order. Only `ir` makes them, so each one is
/// an index that exists; emitters look things up with [`Api::operation`] and friends.
macro_rules! ids {
    ($($(#[$doc:meta])* $name:ident;)*) => {$(
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(usize);
    )*};
}

ids! {
    /// An [`Operation`] of [`Api::operations`].
    OperationId;
    /// A [`Group`] of [`Api::groups`].
    GroupId;
    /// A [`Resource`] of [`Api::resources`].
    ResourceId;
    /// A [`SecurityScheme`] of [`Api::security_schemes`].
    SchemeId;
}

/// A type that gets its own Rust item.
#[derive(Debug, Clone)]
pub struct NamedType {
    /// Rust type name (PascalCase, unique).
    pub name: String,
    /// Name in the spec (component key), if it came from one.
    pub spec_name: Option<String>,
    pub doc: Option<String>,
    pub kind: NamedKind,
    /// JSON pointer of the schema it came from.
    pub pointer: String,
}

#[derive(Debug, Clone)]
pub enum NamedKind {
    Struct(StructType),
    /// A string enum; each variant keeps its wire value.
    Enum(EnumType),
    /// A union of alternatives (`oneOf`/`anyOf`).
    Union(UnionType),
    /// A plain alias for another type (`pub type X = Y;`).
    Alias(Box<Ty>),
}

#[derive(Debug, Clone)]
pub struct StructType {
    pub fields: Vec<Field>,
    pub additional: Additional,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Additional {
    /// Unknown properties are accepted and dropped.
    Ignore,
    /// `additionalProperties: false`.
    Deny,
    /// Unknown properties are kept in a map of this value type.
    Map(Box<Ty>),
}

#[derive(Debug, Clone)]
pub struct Field {
    pub wire_name: String,
    pub rust_name: String,
    pub ty: Ty,
    pub required: bool,
    pub doc: Option<String>,
    pub read_only: bool,
    pub write_only: bool,
    /// Indirection needed to break a recursive type.
    pub boxed: bool,
    /// Absent, `null` and a value mean three different things (optional and nullable in a
    /// PATCH body: absent leaves the value alone, `null` clears it).
    pub tri_state: bool,
    /// `x-specgen-unique: true`: no two stored items may hold the same value.
    pub unique: bool,
    /// `x-specgen-references: users`: the value is the key of an item of that resource
    /// (named by its table or its item schema), resolved when resources are known.
    pub references: Option<String>,
}

impl Field {
    /// Whether the Rust field is an `Option`.
    pub fn is_optional(&self) -> bool {
        !self.required || self.ty.nullable
    }
}

#[derive(Debug, Clone)]
pub struct EnumType {
    pub variants: Vec<EnumVariant>,
    /// Values are integers on the wire rather than strings.
    pub integer: bool,
}

#[derive(Debug, Clone)]
pub struct EnumVariant {
    pub rust_name: String,
    /// The wire value (a string, or an integer rendered as text when `integer`).
    pub value: String,
}

#[derive(Debug, Clone)]
pub struct UnionType {
    pub variants: Vec<UnionVariant>,
    pub discriminator: Option<Discriminator>,
}

#[derive(Debug, Clone)]
pub struct UnionVariant {
    pub rust_name: String,
    pub ty: Ty,
    /// The discriminator values that select this variant (first one is used when writing).
    pub tags: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct Discriminator {
    pub property: String,
}

/// A type in a position (field, parameter, body, array item).
#[derive(Debug, Clone, PartialEq)]
pub struct Ty {
    pub kind: TyKind,
    /// `null` is an accepted value.
    pub nullable: bool,
    pub constraints: Constraints,
    pub default: Option<Value>,
    pub example: Option<Value>,
}

impl Ty {
    pub fn new(kind: TyKind) -> Self {
        Self {
            kind,
            nullable: false,
            constraints: Constraints::default(),
            default: None,
            example: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum TyKind {
    Bool,
    Integer(IntFormat),
    Number(FloatFormat),
    String(StringFormat),
    Array(Box<Ty>),
    Map(Box<Ty>),
    Named(TypeId),
    /// Any JSON value.
    Any,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IntFormat {
    I32,
    I64,
    U32,
    U64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FloatFormat {
    F32,
    F64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StringFormat {
    Plain,
    Date,
    DateTime,
    Uuid,
    Email,
    Uri,
    /// Base64-encoded bytes (`format: byte`), kept as text.
    Byte,
    /// Raw bytes (`format: binary`).
    Binary,
    Password,
    /// A format we do not map to a type; kept for documentation and validation.
    Other(String),
}

/// JSON Schema constraints on a value, kept for validation, samples and docs.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Constraints {
    pub min_length: Option<usize>,
    pub max_length: Option<usize>,
    pub pattern: Option<String>,
    pub minimum: Option<f64>,
    pub maximum: Option<f64>,
    pub exclusive_minimum: bool,
    pub exclusive_maximum: bool,
    pub multiple_of: Option<f64>,
    pub min_items: Option<usize>,
    pub max_items: Option<usize>,
    pub unique_items: bool,
    pub min_properties: Option<usize>,
    pub max_properties: Option<usize>,
    /// Allowed values of an inline scalar enum that is not a named type (non-string enums).
    pub enumeration: Vec<Value>,
}

/// A tag's operations; becomes a trait.
#[derive(Debug, Clone)]
pub struct Group {
    pub tag: String,
    pub description: Option<String>,
    /// Trait name, e.g. `PetsApi`.
    pub trait_name: String,
    /// Module name, e.g. `pets`.
    pub module: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum HttpMethod {
    Get,
    Put,
    Post,
    Delete,
    Options,
    Head,
    Patch,
    Trace,
}

impl HttpMethod {
    pub const ALL: [HttpMethod; 8] = [
        HttpMethod::Get,
        HttpMethod::Put,
        HttpMethod::Post,
        HttpMethod::Delete,
        HttpMethod::Options,
        HttpMethod::Head,
        HttpMethod::Patch,
        HttpMethod::Trace,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            HttpMethod::Get => "GET",
            HttpMethod::Put => "PUT",
            HttpMethod::Post => "POST",
            HttpMethod::Delete => "DELETE",
            HttpMethod::Options => "OPTIONS",
            HttpMethod::Head => "HEAD",
            HttpMethod::Patch => "PATCH",
            HttpMethod::Trace => "TRACE",
        }
    }

    pub fn lower(self) -> &'static str {
        match self {
            HttpMethod::Get => "get",
            HttpMethod::Put => "put",
            HttpMethod::Post => "post",
            HttpMethod::Delete => "delete",
            HttpMethod::Options => "options",
            HttpMethod::Head => "head",
            HttpMethod::Patch => "patch",
            HttpMethod::Trace => "trace",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Operation {
    /// The spec's operationId (or the one derived from method and path).
    pub id: String,
    /// Rust method name (snake_case, unique).
    pub method_name: String,
    /// Prefix for the operation's Rust types (PascalCase, unique), e.g. `ListPets`.
    pub type_prefix: String,
    pub method: HttpMethod,
    /// Path template as written in the spec, e.g. `/pets/{petId}`.
    pub path: String,
    /// The route the server registers for it. Spec paths that differ only in parameter
    /// names (`/pets/{id}` and `/pets/{petId}`) are one route, so they share one template;
    /// each path parameter's `route_name` says which capture it reads.
    pub route: String,
    pub group: GroupId,
    pub summary: Option<String>,
    pub description: Option<String>,
    pub deprecated: bool,
    pub params: Vec<Param>,
    pub body: Option<RequestBody>,
    pub responses: Vec<Response>,
    /// Alternatives (OR); each requirement lists schemes that must all hold (AND).
    /// Empty means public.
    pub security: Vec<SecurityRequirement>,
    /// `x-specgen-resource` on the operation, else on its path item.
    pub resource_hint: Option<ResourceHint>,
    pub pointer: String,
}

impl Operation {
    pub fn params_in(&self, location: ParamLocation) -> impl Iterator<Item = &Param> {
        self.params.iter().filter(move |p| p.location == location)
    }

    /// The status for values that parse but break a constraint: 422 when the operation
    /// documents it, else 400 when it documents that (so clients only see documented
    /// statuses), else 422.
    pub fn violation_status(&self) -> u16 {
        let documents = |code: u16| {
            self.responses
                .iter()
                .any(|r| r.status == Status::Code(code))
        };
        if !documents(422) && documents(400) {
            400
        } else {
            422
        }
    }

    /// The first documented success response (2xx), which tests expect from a valid request.
    pub fn success_response(&self) -> Option<&Response> {
        self.responses
            .iter()
            .find(|r| matches!(r.status, Status::Code(code) if (200..300).contains(&code)))
            .or_else(|| {
                self.responses
                    .iter()
                    .find(|r| matches!(r.status, Status::Range(2)))
            })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ParamLocation {
    Path,
    Query,
    Header,
    Cookie,
}

impl ParamLocation {
    pub fn as_str(self) -> &'static str {
        match self {
            ParamLocation::Path => "path",
            ParamLocation::Query => "query",
            ParamLocation::Header => "header",
            ParamLocation::Cookie => "cookie",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Param {
    pub wire_name: String,
    pub rust_name: String,
    pub location: ParamLocation,
    pub required: bool,
    pub ty: Ty,
    /// How an array is serialised: repeated keys (`explode`) or one comma-separated value.
    pub explode: bool,
    /// For path parameters: the capture name in [`Operation::route`].
    pub route_name: String,
    /// How the value is written (OpenAPI `style`, or `Json` for `content`-encoded values).
    pub style: ParamStyle,
    pub doc: Option<String>,
    pub example: Option<Value>,
}

/// OpenAPI parameter styles, plus `Json` for parameters described by `content`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamStyle {
    Simple,
    Label,
    Matrix,
    Form,
    SpaceDelimited,
    PipeDelimited,
    DeepObject,
    Json,
}

impl ParamStyle {
    /// The style a location uses when the spec does not say.
    pub fn default_for(location: ParamLocation) -> Self {
        match location {
            ParamLocation::Path | ParamLocation::Header => ParamStyle::Simple,
            ParamLocation::Query | ParamLocation::Cookie => ParamStyle::Form,
        }
    }
}

#[derive(Debug, Clone)]
pub struct RequestBody {
    pub required: bool,
    pub doc: Option<String>,
    pub contents: Vec<BodyContent>,
}

#[derive(Debug, Clone)]
pub struct BodyContent {
    pub media_type: String,
    /// Rust variant name for this media type where a request body can come as one of
    /// several (`Json`, `Form`, `ImagePng`...), unique within the body.
    pub variant: String,
    pub kind: BodyKind,
    pub ty: Ty,
    pub example: Option<Value>,
}

/// How a body is read and written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyKind {
    Json,
    Form,
    Text,
    /// Anything else: raw bytes, the handler gets them as they came.
    Binary,
    /// `multipart/*` as an operation's only request body: streamed to the handler part by
    /// part, never buffered whole.
    Multipart,
}

impl BodyKind {
    pub fn of(media_type: &str) -> Self {
        let essence = media_type
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        if essence == "application/json" || essence.ends_with("+json") {
            BodyKind::Json
        } else if essence == "application/x-www-form-urlencoded" {
            BodyKind::Form
        } else if essence.starts_with("text/") {
            BodyKind::Text
        } else {
            BodyKind::Binary
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Status {
    Code(u16),
    /// `2XX` etc: the leading digit.
    Range(u8),
    Default,
}

#[derive(Debug, Clone)]
pub struct Response {
    pub status: Status,
    /// Rust variant name, e.g. `Ok`, `NotFound`.
    pub variant: String,
    pub description: String,
    pub content: Option<BodyContent>,
    pub headers: Vec<ResponseHeader>,
}

#[derive(Debug, Clone)]
pub struct ResponseHeader {
    pub wire_name: String,
    pub rust_name: String,
    pub required: bool,
    pub ty: Ty,
    pub doc: Option<String>,
}

#[derive(Debug, Clone)]
pub struct SecurityScheme {
    /// Key in `components.securitySchemes`.
    pub name: String,
    pub description: Option<String>,
    pub kind: SecuritySchemeKind,
}

#[derive(Debug, Clone, PartialEq)]
pub enum SecuritySchemeKind {
    /// `http` with scheme `bearer`.
    Bearer {
        format: Option<String>,
    },
    /// `http` with scheme `basic`.
    Basic,
    /// Another `http` scheme (e.g. digest), carried through as a raw credential.
    OtherHttp {
        scheme: String,
    },
    ApiKey {
        location: ParamLocation,
        name: String,
    },
    OAuth2 {
        scopes: Vec<(String, String)>,
    },
    OpenIdConnect {
        url: String,
    },
}

/// Which kinds of credential an API's operations accept (see [`Api::auth_needs`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AuthNeeds {
    /// Bearer JWTs: `http` bearer, `oauth2` or `openIdConnect`.
    pub bearer: bool,
    pub api_key: bool,
    /// `http` basic, checked against argon2 hashes.
    pub basic: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SecurityRequirement {
    /// Each scheme with the scopes it must grant.
    pub schemes: Vec<(SchemeId, Vec<String>)>,
}
