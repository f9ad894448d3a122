//! Resources: collections of stored items that the spec manages with CRUD operations.
//!
//! A resource is a collection path (`/pets`: GET lists, POST creates) with its item path
//! (`/pets/{petId}`: GET, PUT, PATCH, DELETE), possibly nested under other items
//! (`/users/{userId}/posts`). Detection is deliberately conservative: an operation joins a
//! resource only when its request and response bodies line up with the item schema, so the
//! generated CRUD code always type-checks and the operations that fit no resource stay
//! plain handlers. `x-specgen-resource` on a path item or operation overrides the guess:
//! `false` opts out, a string names the resource, and `{name, id}` also names the item
//! field that identifies it. Lowering parses it once into a [`ResourceHint`] on the
//! [`Operation`].

use super::names::{NameRegistry, pascal_ident, shouty_ident, snake_ident};
use super::types::Finding;
use super::*;
use crate::spec::Severity;
use std::collections::BTreeSet;

/// The column that numbers the rows of a table whose key is not assigned in creation order
/// (PostgreSQL; SQLite has its `rowid`).
pub const SEQUENCE_COLUMN: &str = "_seq";

/// The hidden column that records who created an item (`<kind>:<subject>`), as the
/// runtime names it (`store::OWNER_COLUMN`).
pub const OWNER_COLUMN: &str = "_owner";

/// The extension that overrides resource detection.
pub const RESOURCE_EXTENSION: &str = "x-specgen-resource";

/// The extension that says who a resource's items belong to (also accepted as `owner`
/// inside `x-specgen-resource`).
pub const OWNER_EXTENSION: &str = "x-specgen-owner";

/// What `x-specgen-owner` asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OwnerHint {
    /// `false`: every caller shares the items (a catalogue managed by administrators).
    Shared,
    /// `true`: each item belongs to the principal who created it (the default for a
    /// resource with secured operations).
    Creator,
    /// A field name: that field holds the creator's subject.
    Field(String),
}

impl OwnerHint {
    pub fn parse(value: &Value) -> Result<Self, String> {
        match value {
            Value::Bool(false) => Ok(OwnerHint::Shared),
            Value::Bool(true) => Ok(OwnerHint::Creator),
            Value::String(field) if !field.trim().is_empty() => {
                Ok(OwnerHint::Field(field.trim().to_owned()))
            }
            other => Err(format!(
                "expected `false` (shared items), `true` (owned by their creator) or the name of \
                 the field that holds the owner, not `{other}`"
            )),
        }
    }
}

/// Who a resource's items belong to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ItemOwner {
    /// Every caller sees every item: the resource has no secured operation, says
    /// `x-specgen-owner: false`, or is nested in an owned resource (its items follow
    /// their enclosing item's owner).
    Shared,
    /// A hidden column records the principal who created each item; secured operations
    /// find only the caller's items.
    Creator,
    /// An item field holds the creator's subject, set by the server.
    Field {
        /// The field's name on the wire.
        field: String,
        column: String,
    },
}

/// What `x-specgen-resource` says about an operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResourceHint {
    /// `false`: the operation is never part of a resource.
    OptOut,
    /// `name`, or `{name?, id?, on_delete?}`.
    Settings(ResourceSettings),
}

/// The object form of `x-specgen-resource` (a bare string is `{name: string}`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ResourceSettings {
    /// The table name.
    pub name: Option<String>,
    /// The item field that is the key.
    pub id: Option<String>,
    /// What deleting the enclosing item does to this nested resource's items.
    pub on_delete: Option<OnDelete>,
    /// Who the items belong to (`owner`, or `x-specgen-owner` beside the extension).
    pub owner: Option<OwnerHint>,
}

/// What deleting an item does to the items nested under it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum OnDelete {
    /// They are deleted with it: the default, because a nested item is reachable only
    /// through its parent's path, so one left behind would be data no route can reach.
    #[default]
    Cascade,
    /// The delete is refused (409) while any exist: for children worth more than the
    /// convenience (invoices under a customer).
    Restrict,
}

impl ResourceHint {
    /// Parses the extension's value; `Err` says what is wrong with it. `true` asks for
    /// nothing beyond what detection does anyway.
    pub fn parse(value: &Value) -> Result<Option<Self>, String> {
        let text = |key: &str, value: Option<&Value>| match value {
            None => Ok(None),
            Some(Value::String(text)) if !text.trim().is_empty() => Ok(Some(text.clone())),
            Some(other) => Err(format!("`{key}` must be a non-empty string, not `{other}`")),
        };
        match value {
            Value::Bool(false) => Ok(Some(ResourceHint::OptOut)),
            Value::Bool(true) => Ok(None),
            Value::String(_) => Ok(text("name", Some(value))?.map(|name| {
                ResourceHint::Settings(ResourceSettings {
                    name: Some(name),
                    ..ResourceSettings::default()
                })
            })),
            Value::Object(map) => {
                if let Some(unknown) = map
                    .keys()
                    .find(|k| !["name", "id", "on_delete", "owner"].contains(&k.as_str()))
                {
                    return Err(format!(
                        "unknown key `{unknown}`; the object form takes `name`, `id`, `on_delete` and `owner`"
                    ));
                }
                let on_delete = match text("on_delete", map.get("on_delete"))?.as_deref() {
                    None => None,
                    Some("cascade") => Some(OnDelete::Cascade),
                    Some("restrict") => Some(OnDelete::Restrict),
                    Some(other) => {
                        return Err(format!(
                            "`on_delete` is `cascade` or `restrict`, not `{other}`"
                        ));
                    }
                };
                let owner = map
                    .get("owner")
                    .map(OwnerHint::parse)
                    .transpose()
                    .map_err(|problem| format!("`owner`: {problem}"))?;
                let settings = ResourceSettings {
                    name: text("name", map.get("name"))?,
                    id: text("id", map.get("id"))?,
                    on_delete,
                    owner,
                };
                if settings == ResourceSettings::default() {
                    return Err(
                        "the object form needs `name`, `id`, `on_delete` or `owner`".to_owned()
                    );
                }
                Ok(Some(ResourceHint::Settings(settings)))
            }
            other => Err(format!(
                "expected `false`, a resource name or `{{name, id, on_delete}}`, not `{other}`"
            )),
        }
    }

    fn settings(&self) -> Option<&ResourceSettings> {
        match self {
            ResourceHint::OptOut => None,
            ResourceHint::Settings(settings) => Some(settings),
        }
    }

    /// The table name the hint asks for.
    pub fn name(&self) -> Option<&str> {
        self.settings()?.name.as_deref()
    }

    /// The item field the hint names as the key.
    pub fn key(&self) -> Option<&str> {
        self.settings()?.id.as_deref()
    }

    /// What deleting the enclosing item does, when the hint says.
    pub fn on_delete(&self) -> Option<OnDelete> {
        self.settings()?.on_delete
    }

    /// Who the items belong to, when the hint says.
    pub fn owner(&self) -> Option<&OwnerHint> {
        self.settings()?.owner.as_ref()
    }
}

/// Reads `x-specgen-resource` and `x-specgen-owner` at `pointer` (an operation or path
/// item): a malformed value is a warning there and counts as no hint.
pub(crate) fn hint_at(
    extensions: &indexmap::IndexMap<String, Value>,
    pointer: &str,
    findings: &mut Vec<Finding>,
) -> Option<ResourceHint> {
    let mut ignored = |extension: &str, problem: String| {
        findings.push(Finding {
            severity: Severity::Warning,
            pointer: format!("{pointer}/{extension}"),
            message: format!("`{extension}` is ignored: {problem}"),
        })
    };
    let hint = extensions.get(RESOURCE_EXTENSION).and_then(|value| {
        ResourceHint::parse(value)
            .map_err(|problem| ignored(RESOURCE_EXTENSION, problem))
            .ok()
            .flatten()
    });
    let owner = extensions.get(OWNER_EXTENSION).and_then(|value| {
        OwnerHint::parse(value)
            .map_err(|problem| ignored(OWNER_EXTENSION, problem))
            .ok()
    });
    match (hint, owner) {
        (Some(ResourceHint::Settings(mut settings)), Some(owner)) => {
            settings.owner = Some(owner);
            Some(ResourceHint::Settings(settings))
        }
        (None, Some(owner)) => Some(ResourceHint::Settings(ResourceSettings {
            owner: Some(owner),
            ..ResourceSettings::default()
        })),
        (hint, _) => hint,
    }
}

/// Whether an operation or path item carries one of the resource extensions.
pub(crate) fn has_hint(extensions: &indexmap::IndexMap<String, Value>) -> bool {
    extensions.contains_key(RESOURCE_EXTENSION) || extensions.contains_key(OWNER_EXTENSION)
}

/// A stored collection and the operations that manage it.
#[derive(Debug, Clone)]
pub struct Resource {
    /// Table name and the resource's name in the code (snake_case, plural as in the path).
    pub table: String,
    /// Singular snake_case name, for types and methods (`pet`).
    pub singular: String,
    /// The `static` describing the table (`PETS`), unique among the resources' statics.
    pub table_static: String,
    /// The `static` describing how the list pages and wraps items (`PETS_LISTING`).
    pub listing_static: String,
    /// The enum naming the item's stored fields for custom reads (`PetField`).
    pub field_enum: String,
    /// The stored item's type (a struct).
    pub item: TypeId,
    pub key: Key,
    /// Path parameters of the collection path, outermost first: each scopes the items to
    /// one parent (`/users/{userId}/posts` stores `parent_user_id` with each post).
    pub parents: Vec<ParentScope>,
    /// The collection path as written in the spec.
    pub collection_path: String,
    /// The resource whose items enclose this one's (`/carts/{cartId}/items` → carts): its
    /// item must exist for this collection to.
    pub parent: Option<ResourceId>,
    /// One column per item field except the key.
    pub columns: Vec<Column>,
    /// Values the server sets when a write leaves a required field without one.
    pub fills: Vec<Fill>,
    /// Item fields marked `readOnly`: the server sets them, whatever a client sends.
    pub read_only: Vec<String>,
    /// What deleting the enclosing item does to this resource's items (nested resources).
    pub on_delete: OnDelete,
    /// Who the items belong to.
    pub owner: ItemOwner,
    pub ops: ResourceOps,
}

/// The item field that identifies an item, and how its values are made.
#[derive(Debug, Clone)]
pub struct Key {
    /// The field's name on the wire.
    pub field: String,
    pub column: String,
    pub kind: KeyKind,
    /// Its variant in the resource's field enum (`Id`).
    pub variant: String,
}

impl Key {
    /// How a column that refers to this key stores it.
    pub fn column_kind(&self) -> ColumnKind {
        match self.kind {
            KeyKind::Integer => ColumnKind::Integer,
            KeyKind::Uuid => ColumnKind::Uuid,
            KeyKind::Text => ColumnKind::Text,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyKind {
    /// Assigned by the database (auto-increment).
    Integer,
    /// A random UUID, as text.
    Uuid,
    /// Text chosen by the client, or a random UUID when it gives none.
    Text,
}

#[derive(Debug, Clone)]
pub struct ParentScope {
    /// The path parameter's name in the spec.
    pub param: String,
    pub column: String,
    /// The item field that holds the enclosing item's key (`project_id` for
    /// `/projects/{projectId}/tasks`), when the item has one of the same type: the key is
    /// stored there, always the path's. Otherwise `column` is a column of its own.
    pub field: Option<String>,
    /// How the key is stored: like the enclosing resource's key.
    pub kind: ColumnKind,
}

impl Resource {
    /// The item path, with the spec's parameter name for the key.
    pub fn item_path_shape(&self) -> String {
        operations::route_shape(&format!("{}/{{key}}", self.collection_path))
    }

    /// The enclosing item's key column, when the enclosing items are a resource too: it
    /// gets a foreign key to that resource's table.
    pub fn parent_link(&self) -> Option<&ParentScope> {
        self.parent.and(self.parents.last())
    }

    /// Who the items belong to, in words: what `gen validate` and the generated README say.
    pub fn owner_summary(&self, api: &Api) -> String {
        match &self.owner {
            ItemOwner::Creator => "owned by their creator".to_owned(),
            ItemOwner::Field { field, .. } => format!("owned by the principal in `{field}`"),
            ItemOwner::Shared => match self.owned_ancestor(api) {
                Some(ancestor) => format!("following their `{}` item's owner", ancestor.table),
                None => "shared by every caller".to_owned(),
            },
        }
    }

    /// The nearest enclosing resource that records owners: a shared nested resource's
    /// items follow its owner.
    pub fn owned_ancestor<'a>(&self, api: &'a Api) -> Option<&'a Resource> {
        let mut current = self.parent.map(|id| api.resource(id));
        while let Some(parent) = current {
            if parent.owner != ItemOwner::Shared {
                return Some(parent);
            }
            current = parent.parent.map(|id| api.resource(id));
        }
        None
    }

    /// Lists are in creation order by default. An integer key is assigned in that order;
    /// any other key needs a sequence of its own.
    pub fn needs_sequence(&self) -> bool {
        self.key.kind != KeyKind::Integer
    }
}

#[derive(Debug, Clone)]
pub struct Column {
    /// The item field's name on the wire.
    pub field: String,
    pub name: String,
    pub kind: ColumnKind,
    /// The item schema requires the field (it is written as `null` rather than left out).
    pub required: bool,
    /// Required and not nullable: the column is `NOT NULL`.
    pub not_null: bool,
    /// `x-specgen-unique`: no two items hold the same value (a unique index; a write that
    /// would break it is a 409 naming the field).
    pub unique: bool,
    /// Its variant in the resource's field enum (`CreatedAt`).
    pub variant: String,
    /// `x-specgen-references`: the value is the key of an item of this resource (a foreign
    /// key; a write naming none is a 409 at the field, deleting a referenced item a 409, or the
    /// reference is cleared when the field may be null).
    pub references: Option<ResourceId>,
    /// The values an enum field allows, as text (an integer enum's as numbers): the column
    /// gets a `CHECK` where a later spec can replace it (PostgreSQL, MySQL). Empty for
    /// other fields.
    pub allowed: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnKind {
    Text,
    Integer,
    Real,
    Boolean,
    /// `format: date-time`: `timestamptz` on PostgreSQL, RFC 3339 text on SQLite.
    Timestamp,
    /// `format: date`: `date` on PostgreSQL, text on SQLite.
    Date,
    /// `format: uuid`: `uuid` on PostgreSQL, text on SQLite.
    Uuid,
    /// Objects, arrays and anything else: stored as JSON.
    Json,
}

#[derive(Debug, Clone)]
pub struct Fill {
    pub field: String,
    pub kind: FillKind,
}

#[derive(Debug, Clone, PartialEq)]
pub enum FillKind {
    /// The current time (RFC 3339).
    Now,
    /// The current time on every write (`updated_at`, `modified_at`, `last_modified`).
    Touched,
    /// Today's date.
    Today,
    /// A random UUID.
    Uuid,
    /// The schema's default.
    Value(Value),
    /// Nothing on create, where the body requires the field; a replace that leaves it out
    /// keeps the stored value.
    Keep,
    /// Nothing the server can know: a create body may leave the field out and the spec
    /// gives no default. The store invents nothing; the scaffold service sets a marked
    /// placeholder for the user to replace, and lowering warns.
    Undecided,
}

/// The operations each CRUD role is served by.
#[derive(Debug, Clone, Default)]
pub struct ResourceOps {
    pub list: Option<ListOp>,
    pub create: Option<OperationId>,
    pub get: Option<OperationId>,
    pub replace: Option<OperationId>,
    pub patch: Option<OperationId>,
    pub delete: Option<OperationId>,
}

impl ResourceOps {
    /// Each CRUD role the resource serves, with the operation that serves it, in the
    /// order list, create, get, replace, patch, delete.
    pub fn served(&self) -> impl Iterator<Item = (&'static str, OperationId)> + '_ {
        [
            ("list", self.list.as_ref().map(|l| l.operation)),
            ("create", self.create),
            ("get", self.get),
            ("replace", self.replace),
            ("patch", self.patch),
            ("delete", self.delete),
        ]
        .into_iter()
        .filter_map(|(role, op)| op.map(|op| (role, op)))
    }

    pub fn all(&self) -> impl Iterator<Item = OperationId> + '_ {
        self.served().map(|(_, op)| op)
    }
}

/// The list operation: how its query parameters page, filter and sort, and how the page is
/// wrapped in the response.
#[derive(Debug, Clone)]
pub struct ListOp {
    pub operation: OperationId,
    pub shape: ListShape,
    /// A required response header that carries the total (`X-Total-Count`).
    pub total_header: Option<String>,
    /// Parameter names (wire) by role.
    pub limit: Option<String>,
    pub offset: Option<String>,
    pub page: Option<String>,
    /// Pages are numbered from 0 rather than 1.
    pub zero_based_page: bool,
    pub cursor: Option<String>,
    pub sort: Option<String>,
    /// A separate `asc`/`desc` parameter.
    pub direction: Option<String>,
    /// Query parameters that filter by equality on a column: (param wire name, column name).
    pub filters: Vec<(String, String)>,
    pub default_limit: u32,
    pub max_limit: u32,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ListShape {
    /// The body is the array of items.
    Array,
    /// The body is an object holding the items in one field, with optional metadata.
    Envelope {
        items: String,
        total: Option<String>,
        limit: Option<String>,
        offset: Option<String>,
        page: Option<String>,
        next_cursor: Option<String>,
        /// Other required fields, with values that satisfy their schemas.
        extra: Vec<(String, Ty)>,
    },
}

/// Finds the resources of an API; what cannot be honoured in `x-specgen-references` is a
/// finding.
pub fn detect(api: &Api, findings: &mut Vec<Finding>) -> Vec<Resource> {
    let mut names = NameRegistry::reserving(["_specgen_migrations"]);
    // The generated resources module also holds `MIGRATIONS`.
    let mut statics = NameRegistry::reserving(["MIGRATIONS"]);
    // The field enums live beside the repository traits and the store's names.
    let mut field_enums = NameRegistry::reserving(["Field", "Filter", "Order", "Select"]);
    let mut resources = Vec::new();
    let mut claimed: BTreeSet<OperationId> = BTreeSet::new();
    let routes = RouteIndex::new(api);
    // Collection paths in spec order.
    let mut collections: Vec<&str> = Vec::new();
    let mut seen = BTreeSet::new();
    for op in &api.operations {
        if !op.path.ends_with('}') && seen.insert(op.path.as_str()) {
            collections.push(&op.path);
        }
    }
    let mut owner_hints = Vec::new();
    for collection in collections {
        if let Some((resource, owner_hint)) = detect_one(
            api,
            &routes,
            collection,
            &claimed,
            &mut names,
            &mut statics,
            &mut field_enums,
        ) {
            claimed.extend(resource.ops.all());
            resources.push(resource);
            owner_hints.push(owner_hint);
        }
    }
    // A nested collection's parent: the resource whose item path its path extends.
    let item_paths: Vec<String> = resources.iter().map(Resource::item_path_shape).collect();
    for resource in &mut resources {
        if resource.parents.is_empty() {
            continue;
        }
        let Some((enclosing, _)) = resource.collection_path.rsplit_once('/') else {
            continue;
        };
        let shape = operations::route_shape(enclosing);
        resource.parent = item_paths.iter().position(|p| *p == shape).map(ResourceId);
    }
    link_references(api, &mut resources, findings);
    // A parent link needs the enclosing key stored as the enclosing table stores it.
    let key_kinds: Vec<ColumnKind> = resources.iter().map(|r| r.key.column_kind()).collect();
    for resource in &mut resources {
        if let (Some(parent), Some(link)) = (resource.parent, resource.parents.last())
            && key_kinds[parent.0] != link.kind
        {
            resource.parent = None;
        }
    }
    decide_owners(api, &mut resources, &owner_hints, findings);
    for resource in &resources {
        let Some(item) = struct_of(api, resource.item) else {
            continue;
        };
        for field in item.fields.iter().filter(|f| f.write_only) {
            findings.push(Finding {
                severity: Severity::Warning,
                pointer: format!(
                    "/paths/{}",
                    crate::spec::escape_pointer_token(&resource.collection_path)
                ),
                message: format!(
                    "`{}` of the `{}` items is writeOnly: it is never stored and no response \
                     carries it; a service that needs it (to hash a password) reads it from the \
                     request body and keeps what it derives in a field of its own",
                    field.wire_name, resource.table
                ),
            });
        }
    }
    resources
}

/// The operations by route shape, built once: looking them up by scanning every operation
/// for every candidate collection was quadratic, a minute on a spec with 10,000 operations.
struct RouteIndex {
    by_shape: std::collections::HashMap<String, Vec<OperationId>>,
}

impl RouteIndex {
    fn new(api: &Api) -> Self {
        let mut by_shape: std::collections::HashMap<String, Vec<OperationId>> = Default::default();
        for (id, op) in api.each_operation() {
            by_shape
                .entry(operations::route_shape(&op.path))
                .or_default()
                .push(id);
        }
        Self { by_shape }
    }

    /// Operation indices at a path (compared by shape: parameter names do not matter), in
    /// spec order.
    fn at<'a>(&self, api: &'a Api, path: &str) -> Vec<(OperationId, &'a Operation)> {
        self.with_shape(api, &operations::route_shape(path))
    }

    fn with_shape<'a>(&self, api: &'a Api, shape: &str) -> Vec<(OperationId, &'a Operation)> {
        self.by_shape
            .get(shape)
            .into_iter()
            .flatten()
            .map(|&id| (id, api.operation(id)))
            .collect()
    }
}

fn detect_one(
    api: &Api,
    routes: &RouteIndex,
    collection: &str,
    claimed: &BTreeSet<OperationId>,
    names: &mut NameRegistry,
    statics: &mut NameRegistry,
    field_enums: &mut NameRegistry,
) -> Option<(Resource, Option<OwnerHint>)> {
    let usable = |index: OperationId, op: &Operation| {
        !claimed.contains(&index) && op.resource_hint != Some(ResourceHint::OptOut)
    };
    let collection_ops: Vec<(OperationId, &Operation)> = routes
        .at(api, collection)
        .into_iter()
        .filter(|(i, op)| usable(*i, op))
        .collect();
    // The item path: the collection path plus one parameter segment.
    let item_shape = format!("{}/{{}}", operations::route_shape(collection));
    let item_ops: Vec<(OperationId, &Operation)> = routes
        .with_shape(api, &item_shape)
        .into_iter()
        .filter(|(i, op)| usable(*i, op) && is_item_path_of(&op.path, collection))
        .collect();
    let item_param = item_ops.first().and_then(|(_, op)| {
        let params = operations::template_params(&op.path);
        params.last().cloned()
    });

    // Opted-out operations are filtered out above, so the first hint names the resource.
    let hint = collection_ops
        .iter()
        .chain(&item_ops)
        .find_map(|(_, op)| op.resource_hint.as_ref());
    let hinted_name = hint.and_then(ResourceHint::name);
    let hinted_key = hint.and_then(ResourceHint::key);

    fn find<'o>(
        ops: &[(OperationId, &'o Operation)],
        method: HttpMethod,
    ) -> Option<(OperationId, &'o Operation)> {
        ops.iter().find(|(_, op)| op.method == method).copied()
    }
    let get = find(&item_ops, HttpMethod::Get);
    let create = find(&collection_ops, HttpMethod::Post);
    // The item type: what GET item answers, else what create answers.
    let item = get
        .and_then(|(_, op)| success_json_struct(api, op))
        .or_else(|| create.and_then(|(_, op)| success_json_struct(api, op)))?;
    let item_struct = struct_of(api, item)?;

    let key_field = pick_key(item_struct, item_param.as_deref(), hinted_key)?;
    let key_kind = match &key_field.ty.kind {
        TyKind::Integer(_) => KeyKind::Integer,
        TyKind::String(StringFormat::Uuid) => KeyKind::Uuid,
        TyKind::String(StringFormat::Plain | StringFormat::Other(_)) => KeyKind::Text,
        _ => return None,
    };
    // Item operations must take the key as a path parameter of a matching type.
    let key_param_fits = |op: &Operation| {
        op.params_in(ParamLocation::Path).last().is_some_and(|p| {
            p.style == ParamStyle::Simple
                && match key_kind {
                    KeyKind::Integer => matches!(p.ty.kind, TyKind::Integer(_)),
                    KeyKind::Uuid => matches!(p.ty.kind, TyKind::String(StringFormat::Uuid)),
                    KeyKind::Text => matches!(
                        p.ty.kind,
                        TyKind::String(StringFormat::Plain | StringFormat::Other(_))
                    ),
                }
        })
    };
    // Every parent parameter must be a plain scalar in the path.
    let parent_params: Vec<&Param> = collection_ops
        .first()
        .map(|(_, op)| op.params_in(ParamLocation::Path).collect())
        .unwrap_or_default();
    if parent_params.iter().any(|p| {
        p.style != ParamStyle::Simple
            || !matches!(p.ty.kind, TyKind::Integer(_) | TyKind::String(_))
    }) {
        return None;
    }

    let mut ops = ResourceOps::default();
    let item_ty = Ty::new(TyKind::Named(item));
    if let Some((index, op)) = get
        && key_param_fits(op)
        && success_content_is(api, op, item)
        && op.body.is_none()
    {
        ops.get = Some(index);
    }
    if let Some((index, op)) = create
        && success_content_is(api, op, item)
        && json_struct_body(api, op).is_some()
        && success_headers_fit(op)
    {
        ops.create = Some(index);
    }
    if let Some((index, op)) = find(&item_ops, HttpMethod::Put)
        && key_param_fits(op)
        && success_content_is(api, op, item)
        && json_struct_body(api, op).is_some()
        && success_headers_fit(op)
    {
        ops.replace = Some(index);
    }
    if let Some((index, op)) = find(&item_ops, HttpMethod::Patch)
        && key_param_fits(op)
        && success_content_is(api, op, item)
        && json_struct_body(api, op).is_some()
        && success_headers_fit(op)
    {
        ops.patch = Some(index);
    }
    if let Some((index, op)) = find(&item_ops, HttpMethod::Delete)
        && key_param_fits(op)
        && op.body.is_none()
        && op
            .success_response()
            .is_some_and(|r| r.content.is_none() && r.headers.iter().all(|h| !h.required))
    {
        ops.delete = Some(index);
    }
    let table = names.claim(&snake_ident(
        hinted_name.unwrap_or_else(|| last_static_segment(collection)),
    ));
    let parents: Vec<ParentScope> = parent_params
        .iter()
        .map(|p| parent_scope(api, item_struct, &key_field.wire_name, p))
        .collect();
    let columns = columns_of(api, item_struct, &key_field.wire_name, &parents);
    if let Some((index, op)) = find(&collection_ops, HttpMethod::Get)
        && op.body.is_none()
    {
        ops.list = list_op(api, index, op, &item_ty, &columns);
    }
    // A store nobody can write to, or read from, is no resource.
    if ops.create.is_none() || (ops.get.is_none() && ops.list.is_none()) {
        return None;
    }

    let create_body = ops
        .create
        .and_then(|id| json_struct_body(api, api.operation(id)))
        .and_then(|id| struct_of(api, id));
    let fills = fills_of(item_struct, create_body, &key_field.wire_name, &parents);
    let table_static = statics.claim(&shouty_ident(&table));
    let field_enum = field_enums.claim(&format!("{}Field", pascal_ident(&singular(&table))));
    let resource = Resource {
        field_enum,
        listing_static: statics.claim(&format!("{}_LISTING", shouty_ident(&table))),
        table_static,
        singular: singular(&table),
        table,
        item,
        key: Key {
            field: key_field.wire_name.clone(),
            column: column_name(&key_field.wire_name),
            kind: key_kind,
            variant: pascal_ident(&key_field.wire_name),
        },
        parents,
        collection_path: collection.to_owned(),
        parent: None,
        read_only: item_struct
            .fields
            .iter()
            .filter(|f| f.read_only)
            .map(|f| f.wire_name.clone())
            .collect(),
        columns,
        fills,
        on_delete: hint.and_then(ResourceHint::on_delete).unwrap_or_default(),
        // Decided once every resource's parent is known: `decide_owners`.
        owner: ItemOwner::Shared,
        ops,
    };
    Some((resource, hint.and_then(ResourceHint::owner).cloned()))
}

impl Api {
    /// Whether `op` is a public operation that creates items of a resource recording their
    /// owner: it learns who calls, when the caller sends credentials, without refusing
    /// anyone (a signed-in caller owns what they create; an anonymous one, nothing).
    pub fn identifies_caller(&self, op: &Operation) -> bool {
        op.security.is_empty()
            && !self.used_schemes().is_empty()
            && self.resources.iter().any(|resource| {
                resource.owner != ItemOwner::Shared
                    && resource
                        .ops
                        .create
                        .is_some_and(|id| std::ptr::eq(self.operation(id), op))
            })
    }
}

/// Decides who each resource's items belong to, parents first: what `x-specgen-owner`
/// asks for; otherwise a nested resource in an owned one follows its enclosing item's
/// owner, and any other resource with a secured operation is owned by its creators. An
/// owner field that is not one of the item's text fields is a warning, and the hidden
/// column is used instead.
fn decide_owners(
    api: &Api,
    resources: &mut [Resource],
    hints: &[Option<OwnerHint>],
    findings: &mut Vec<Finding>,
) {
    fn decide(
        index: usize,
        api: &Api,
        resources: &mut [Resource],
        hints: &[Option<OwnerHint>],
        decided: &mut [bool],
        findings: &mut Vec<Finding>,
    ) {
        if decided[index] {
            return;
        }
        decided[index] = true;
        let parent_owned = match resources[index].parent {
            Some(parent) => {
                decide(parent.0, api, resources, hints, decided, findings);
                resources[parent.0].owner != ItemOwner::Shared
            }
            None => false,
        };
        let resource = &resources[index];
        let secured = resource
            .ops
            .all()
            .any(|id| !api.operation(id).security.is_empty());
        let owner = match &hints[index] {
            Some(OwnerHint::Shared) => ItemOwner::Shared,
            Some(OwnerHint::Creator) => ItemOwner::Creator,
            Some(OwnerHint::Field(field)) => match resource
                .columns
                .iter()
                .find(|c| c.field == *field && c.kind == ColumnKind::Text)
            {
                Some(column) => ItemOwner::Field {
                    field: field.clone(),
                    column: column.name.clone(),
                },
                None => {
                    findings.push(Finding {
                        severity: Severity::Warning,
                        pointer: format!(
                            "/paths/{}/{OWNER_EXTENSION}",
                            crate::spec::escape_pointer_token(&resource.collection_path)
                        ),
                        message: format!(
                            "`{field}` is not a string field of the `{}` items, so it cannot hold \
                             the owner's subject; the items' owner is recorded in a column of its own",
                            resource.table
                        ),
                    });
                    ItemOwner::Creator
                }
            },
            None if parent_owned || !secured => ItemOwner::Shared,
            None => ItemOwner::Creator,
        };
        resources[index].owner = owner;
    }
    let mut decided = vec![false; resources.len()];
    for index in 0..resources.len() {
        decide(index, api, resources, hints, &mut decided, findings);
    }
}

/// Resolves each column's `x-specgen-references` to the resource it names (by table, or by
/// item schema name) when the column stores that resource's key type; otherwise a warning
/// at the property.
fn link_references(api: &Api, resources: &mut [Resource], findings: &mut Vec<Finding>) {
    let targets: Vec<(String, String, ColumnKind)> = resources
        .iter()
        .map(|r| {
            let item = api.ty(r.item);
            (
                r.table.clone(),
                item.spec_name.clone().unwrap_or_else(|| item.name.clone()),
                r.key.column_kind(),
            )
        })
        .collect();
    for resource in resources.iter_mut() {
        let item = api.ty(resource.item);
        let NamedKind::Struct(item_struct) = &item.kind else {
            continue;
        };
        for column in &mut resource.columns {
            let Some(target) = item_struct
                .fields
                .iter()
                .find(|f| f.wire_name == column.field)
                .and_then(|f| f.references.as_ref())
            else {
                continue;
            };
            let pointer = format!(
                "{}/properties/{}/x-specgen-references",
                item.pointer,
                crate::spec::escape_pointer_token(&column.field)
            );
            let found = targets
                .iter()
                .position(|(table, schema, _)| table == target || schema == target);
            match found {
                Some(index) if targets[index].2 == column.kind => {
                    column.references = Some(ResourceId(index));
                }
                Some(index) => findings.push(Finding {
                    severity: Severity::Warning,
                    pointer,
                    message: format!(
                        "`{}` cannot refer to `{target}`: it is not stored like that resource's key ({:?} vs {:?}); no foreign key",
                        column.field, column.kind, targets[index].2
                    ),
                }),
                None => findings.push(Finding {
                    severity: Severity::Warning,
                    pointer,
                    message: format!(
                        "`{target}` is not a resource of this spec (resources: {}); no foreign key",
                        targets
                            .iter()
                            .map(|(table, _, _)| format!("`{table}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                }),
            }
        }
    }
}

/// Where a nested item keeps its enclosing item's key: the item field named like the path
/// parameter (`projectId` → `project_id`) when it has the parameter's type, else a column
/// of its own, `parent_project_id`.
fn parent_scope(api: &Api, item: &StructType, key: &str, param: &Param) -> ParentScope {
    let kind = match &param.ty.kind {
        TyKind::Integer(_) => ColumnKind::Integer,
        TyKind::String(StringFormat::Uuid) => ColumnKind::Uuid,
        _ => ColumnKind::Text,
    };
    let column = column_name(&param.wire_name);
    let field = item
        .fields
        .iter()
        .find(|f| {
            f.wire_name != key
                && column_name(&f.wire_name) == column
                && column_kind(api, &f.ty) == kind
                && !f.ty.nullable
        })
        .map(|f| f.wire_name.clone());
    ParentScope {
        param: param.wire_name.clone(),
        column: match field {
            Some(_) => column,
            None => format!("parent_{column}"),
        },
        field,
        kind,
    }
}

/// `/pets/{id}` is the item path of `/pets`.
fn is_item_path_of(path: &str, collection: &str) -> bool {
    let Some(rest) = path.strip_prefix(collection) else {
        return false;
    };
    let Some(segment) = rest.strip_prefix('/') else {
        return false;
    };
    segment.starts_with('{')
        && segment.ends_with('}')
        && !segment[1..].contains(['/', '{'])
        && operations::route_shape(&path[..collection.len()]) == operations::route_shape(collection)
}

fn last_static_segment(path: &str) -> &str {
    path.rsplit('/')
        .find(|s| !s.is_empty() && !s.starts_with('{'))
        .unwrap_or("items")
}

/// `pets` → `pet`, `categories` → `category`, `addresses` → `address`, `news` → `news_item`.
fn singular(plural: &str) -> String {
    if let Some(stem) = plural.strip_suffix("ies") {
        format!("{stem}y")
    } else if plural.ends_with("sses") || plural.ends_with("xes") || plural.ends_with("ches") {
        plural[..plural.len() - 2].to_owned()
    } else if let Some(stem) = plural.strip_suffix('s').filter(|s| !s.ends_with('s')) {
        stem.to_owned()
    } else {
        format!("{plural}_item")
    }
}

/// Follows aliases to a named type.
fn resolve(api: &Api, ty: &Ty) -> Option<TypeId> {
    let mut ty = ty;
    for _ in 0..8 {
        let TyKind::Named(id) = ty.kind else {
            return None;
        };
        match &api.ty(id).kind {
            NamedKind::Alias(target) => ty = target,
            _ => return Some(id),
        }
    }
    None
}

fn struct_of(api: &Api, id: TypeId) -> Option<&StructType> {
    match &api.ty(id).kind {
        NamedKind::Struct(s) => Some(s),
        _ => None,
    }
}

fn success_json_struct(api: &Api, op: &Operation) -> Option<TypeId> {
    let content = op.success_response()?.content.as_ref()?;
    if content.kind != BodyKind::Json || content.ty.nullable {
        return None;
    }
    let id = resolve(api, &content.ty)?;
    struct_of(api, id).map(|_| id)
}

fn success_content_is(api: &Api, op: &Operation, item: TypeId) -> bool {
    success_json_struct(api, op) == Some(item)
}

/// The only required response headers CRUD handlers know how to fill is `Location`.
fn success_headers_fit(op: &Operation) -> bool {
    op.success_response().is_some_and(|r| {
        r.headers.iter().all(|h| {
            !h.required
                || (h.wire_name.eq_ignore_ascii_case("location")
                    && matches!(h.ty.kind, TyKind::String(_)))
        })
    })
}

/// A JSON request body whose (only) media type is an object.
fn json_struct_body(api: &Api, op: &Operation) -> Option<TypeId> {
    let body = op.body.as_ref()?;
    let [content] = body.contents.as_slice() else {
        return None;
    };
    if content.kind != BodyKind::Json || !body.required {
        return None;
    }
    let id = resolve(api, &content.ty)?;
    struct_of(api, id).map(|_| id)
}

fn pick_key<'a>(
    item: &'a StructType,
    param: Option<&str>,
    hinted: Option<&str>,
) -> Option<&'a Field> {
    let by_name = |name: &str| item.fields.iter().find(|f| f.wire_name == name);
    if let Some(hinted) = hinted {
        return by_name(hinted);
    }
    let scalar = |f: &&Field| matches!(f.ty.kind, TyKind::Integer(_) | TyKind::String(_));
    param
        .and_then(by_name)
        .or_else(|| by_name("id"))
        .or_else(|| {
            // `petId` → `id`-like fields: `pet_id`, `petId`.
            let param = param?;
            item.fields
                .iter()
                .find(|f| snake_ident(&f.wire_name) == snake_ident(param))
        })
        .or_else(|| by_name("uuid"))
        .or_else(|| by_name("key"))
        .filter(scalar)
}

fn column_name(wire: &str) -> String {
    let name = snake_ident(wire);
    name.strip_prefix("r#").unwrap_or(&name).to_owned()
}

fn column_kind(api: &Api, ty: &Ty) -> ColumnKind {
    match &ty.kind {
        TyKind::Bool => ColumnKind::Boolean,
        TyKind::Integer(_) => ColumnKind::Integer,
        TyKind::Number(_) => ColumnKind::Real,
        TyKind::String(StringFormat::Binary) => ColumnKind::Json,
        TyKind::String(StringFormat::DateTime) => ColumnKind::Timestamp,
        TyKind::String(StringFormat::Date) => ColumnKind::Date,
        TyKind::String(StringFormat::Uuid) => ColumnKind::Uuid,
        TyKind::String(_) => ColumnKind::Text,
        TyKind::Named(id) => match &api.ty(*id).kind {
            NamedKind::Enum(e) if e.integer => ColumnKind::Integer,
            NamedKind::Enum(_) => ColumnKind::Text,
            NamedKind::Alias(target) => column_kind(api, target),
            _ => ColumnKind::Json,
        },
        _ => ColumnKind::Json,
    }
}

fn columns_of(api: &Api, item: &StructType, key: &str, parents: &[ParentScope]) -> Vec<Column> {
    let key_column = column_name(key);
    let mut variants = NameRegistry::reserving([pascal_ident(key).as_str()]);
    // Columns of their own (the key, enclosing keys no field holds, the sequence lists are
    // ordered by) are out of the fields' reach.
    let own = parents
        .iter()
        .filter(|p| p.field.is_none())
        .map(|p| p.column.as_str());
    let mut names = NameRegistry::reserving(
        [key_column.as_str(), SEQUENCE_COLUMN, OWNER_COLUMN]
            .into_iter()
            .chain(own),
    );
    // A `writeOnly` field is never stored: no column (F3 of the security review), and the
    // models never serialize it, so no response carries it either.
    item.fields
        .iter()
        .filter(|f| f.wire_name != key && !f.write_only)
        .map(|f| Column {
            field: f.wire_name.clone(),
            name: names.claim(&column_name(&f.wire_name)),
            kind: column_kind(api, &f.ty),
            required: f.required,
            not_null: f.required && !f.ty.nullable,
            unique: f.unique,
            variant: variants.claim(&pascal_ident(&f.wire_name)),
            references: None,
            allowed: allowed_values(api, &f.ty),
        })
        .collect()
}

/// The wire values of an enum type, through aliases; none for any other type.
fn allowed_values(api: &Api, ty: &Ty) -> Vec<String> {
    match &ty.kind {
        TyKind::Named(id) => match &api.ty(*id).kind {
            NamedKind::Enum(e) => e.variants.iter().map(|v| v.value.clone()).collect(),
            NamedKind::Alias(target) => allowed_values(api, target),
            _ => Vec::new(),
        },
        _ => Vec::new(),
    }
}

/// What the server writes into a required field that a write left empty: only what a
/// server can know. The item's default comes first, then the create body's
/// (`published: default false`), then the time, today or a new UUID for those formats, and
/// a new item's empty list, zero or `false`; a field the create body requires needs
/// nothing; anything else is [`FillKind::Undecided`].
fn fills_of(
    item: &StructType,
    create_body: Option<&StructType>,
    key: &str,
    parents: &[ParentScope],
) -> Vec<Fill> {
    item.fields
        .iter()
        .filter(|f| f.wire_name != key && f.required && !f.ty.nullable)
        .filter(|f| {
            !parents
                .iter()
                .any(|p| p.field.as_ref() == Some(&f.wire_name))
        })
        .map(|f| {
            let in_body =
                create_body.and_then(|b| b.fields.iter().find(|g| g.wire_name == f.wire_name));
            let body_requires =
                in_body.is_some_and(|g| g.required && !g.ty.nullable && !g.read_only);
            let body_default = in_body.and_then(|g| g.ty.default.as_ref());
            let kind = match (f.ty.default.as_ref().or(body_default), &f.ty.kind) {
                (Some(default), _) => FillKind::Value(default.clone()),
                (None, TyKind::String(StringFormat::DateTime))
                    if is_modification_time(&f.wire_name) =>
                {
                    FillKind::Touched
                }
                (None, TyKind::String(StringFormat::DateTime)) => FillKind::Now,
                (None, TyKind::String(StringFormat::Date)) => FillKind::Today,
                (None, TyKind::String(StringFormat::Uuid)) => FillKind::Uuid,
                // A new item starts empty and at zero where the schema allows it.
                (None, TyKind::Array(_)) if f.ty.constraints.min_items.unwrap_or(0) == 0 => {
                    FillKind::Value(Value::Array(Vec::new()))
                }
                (None, TyKind::Integer(_) | TyKind::Number(_)) if allows_zero(&f.ty) => {
                    FillKind::Value(Value::from(0))
                }
                (None, TyKind::Bool) => FillKind::Value(Value::Bool(false)),
                (None, _) if body_requires => FillKind::Keep,
                (None, _) => FillKind::Undecided,
            };
            Fill {
                field: f.wire_name.clone(),
                kind,
            }
        })
        .collect()
}

/// `updated_at`, `modifiedAt`, `last_modified`, `lastUpdated`...: a time the server moves
/// on every write.
fn is_modification_time(wire: &str) -> bool {
    let name = snake_ident(wire);
    let name = name.trim_start_matches("r#");
    [
        "updated_at",
        "modified_at",
        "last_modified",
        "last_modified_at",
        "last_updated",
        "last_updated_at",
        "updated",
        "modified",
    ]
    .contains(&name)
}

fn allows_zero(ty: &Ty) -> bool {
    let c = &ty.constraints;
    let above_min = c
        .minimum
        .is_none_or(|m| m < 0.0 || (m == 0.0 && !c.exclusive_minimum));
    let below_max = c
        .maximum
        .is_none_or(|m| m > 0.0 || (m == 0.0 && !c.exclusive_maximum));
    above_min && below_max && (c.enumeration.is_empty() || c.enumeration.contains(&Value::from(0)))
}

const LIMIT_NAMES: &[&str] = &[
    "limit",
    "per_page",
    "perpage",
    "page_size",
    "pagesize",
    "size",
    "max_results",
    "count",
    "top",
    "first",
];
const OFFSET_NAMES: &[&str] = &["offset", "skip", "start"];
const PAGE_NAMES: &[&str] = &["page", "page_number", "pagenumber", "page_no"];
const CURSOR_NAMES: &[&str] = &[
    "cursor",
    "after",
    "page_token",
    "pagetoken",
    "starting_after",
    "continuation_token",
    "next_token",
    "next",
];
const SORT_NAMES: &[&str] = &["sort", "sort_by", "sortby", "order_by", "orderby"];
const DIRECTION_NAMES: &[&str] = &[
    "order",
    "direction",
    "sort_order",
    "sortorder",
    "sort_direction",
    "dir",
];
const TOTAL_NAMES: &[&str] = &[
    "total",
    "total_count",
    "totalcount",
    "count",
    "total_items",
    "totalitems",
    "total_results",
    "totalresults",
];
const NEXT_NAMES: &[&str] = &[
    "next_cursor",
    "nextcursor",
    "next_page_token",
    "nextpagetoken",
    "cursor",
    "next",
];

fn normalized(name: &str) -> String {
    snake_ident(name).trim_start_matches("r#").replace('_', "")
}

fn role_of(name: &str, names: &[&str]) -> bool {
    let n = normalized(name);
    names
        .iter()
        .any(|candidate| candidate.replace('_', "") == n)
}

fn is_integer(ty: &Ty) -> bool {
    matches!(ty.kind, TyKind::Integer(_))
}

fn list_op(
    api: &Api,
    index: OperationId,
    op: &Operation,
    item: &Ty,
    columns: &[Column],
) -> Option<ListOp> {
    let content = op.success_response()?.content.as_ref()?;
    if content.kind != BodyKind::Json {
        return None;
    }
    // The only required header a list can fill is its total (`X-Total-Count`).
    let mut total_header = None;
    for header in op.success_response()?.headers.iter().filter(|h| h.required) {
        let name = header.wire_name.to_ascii_lowercase();
        let name = name.trim_start_matches("x-");
        if role_of(name, TOTAL_NAMES) && is_integer(&header.ty) {
            total_header = Some(header.wire_name.clone());
        } else {
            return None;
        }
    }
    let item_id = resolve(api, item)?;
    let is_item_array = |ty: &Ty| match &ty.kind {
        TyKind::Array(inner) => !inner.nullable && resolve(api, inner) == Some(item_id),
        _ => false,
    };
    let shape = if is_item_array(&content.ty) {
        ListShape::Array
    } else {
        let envelope = struct_of(api, resolve(api, &content.ty)?)?;
        let items = envelope.fields.iter().find(|f| is_item_array(&f.ty))?;
        let field = |names: &[&str]| {
            envelope
                .fields
                .iter()
                .find(|f| {
                    f.wire_name != items.wire_name
                        && role_of(&f.wire_name, names)
                        && is_integer(&f.ty)
                })
                .map(|f| f.wire_name.clone())
        };
        let total = field(TOTAL_NAMES);
        let limit = field(LIMIT_NAMES);
        let offset = field(OFFSET_NAMES);
        let page = field(PAGE_NAMES);
        let next_cursor = envelope
            .fields
            .iter()
            .find(|f| {
                role_of(&f.wire_name, NEXT_NAMES)
                    && matches!(f.ty.kind, TyKind::String(StringFormat::Plain))
            })
            .map(|f| f.wire_name.clone());
        let known = [
            Some(&items.wire_name),
            total.as_ref(),
            limit.as_ref(),
            offset.as_ref(),
            page.as_ref(),
            next_cursor.as_ref(),
        ];
        let extra = envelope
            .fields
            .iter()
            .filter(|f| f.required && !known.contains(&Some(&f.wire_name)))
            .map(|f| (f.wire_name.clone(), f.ty.clone()))
            .collect();
        ListShape::Envelope {
            items: items.wire_name.clone(),
            total,
            limit,
            offset,
            page,
            next_cursor,
            extra,
        }
    };
    let query: Vec<&Param> = op.params_in(ParamLocation::Query).collect();
    let find = |names: &[&str], integer: bool| {
        query
            .iter()
            .find(|p| role_of(&p.wire_name, names) && (!integer || is_integer(&p.ty)))
            .copied()
    };
    let limit = find(LIMIT_NAMES, true);
    let page = find(PAGE_NAMES, true);
    let zero_based_page = page.is_some_and(|p| p.ty.constraints.minimum == Some(0.0));
    let default_limit = limit
        .and_then(|p| p.ty.default.as_ref())
        .and_then(Value::as_u64)
        .map_or(20, |v| v.clamp(1, 1000) as u32);
    let max_limit = limit
        .and_then(|p| p.ty.constraints.maximum)
        .map_or(100, |v| v.clamp(1.0, 1000.0) as u32)
        .max(default_limit);
    let scalar_param = |p: &&&Param| {
        matches!(
            p.ty.kind,
            TyKind::Bool
                | TyKind::Integer(_)
                | TyKind::Number(_)
                | TyKind::String(_)
                | TyKind::Named(_)
        )
    };
    let mut filters = Vec::new();
    for param in query.iter().filter(scalar_param) {
        if let Some(column) = columns
            .iter()
            .find(|c| c.field == param.wire_name && c.kind != ColumnKind::Json)
        {
            filters.push((param.wire_name.clone(), column.name.clone()));
        }
    }
    Some(ListOp {
        operation: index,
        shape,
        total_header,
        limit: limit.map(|p| p.wire_name.clone()),
        offset: find(OFFSET_NAMES, true).map(|p| p.wire_name.clone()),
        page: page.map(|p| p.wire_name.clone()),
        zero_based_page,
        cursor: find(CURSOR_NAMES, false)
            .filter(|p| matches!(p.ty.kind, TyKind::String(_)))
            .map(|p| p.wire_name.clone()),
        sort: find(SORT_NAMES, false)
            .filter(|p| matches!(p.ty.kind, TyKind::String(_) | TyKind::Named(_)))
            .map(|p| p.wire_name.clone()),
        direction: find(DIRECTION_NAMES, false)
            .filter(|p| matches!(p.ty.kind, TyKind::String(_) | TyKind::Named(_)))
            .map(|p| p.wire_name.clone()),
        filters,
        default_limit,
        max_limit,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn every_documented_form_of_the_resource_hint_parses() {
        let parse = |value: Value| ResourceHint::parse(&value);
        assert_eq!(parse(json!(false)), Ok(Some(ResourceHint::OptOut)));
        assert_eq!(parse(json!(true)), Ok(None));
        let settings = |name: Option<&str>, id: Option<&str>, on_delete| {
            Ok(Some(ResourceHint::Settings(ResourceSettings {
                name: name.map(Into::into),
                id: id.map(Into::into),
                on_delete,
                owner: None,
            })))
        };
        assert_eq!(
            parse(json!("gadgets")),
            settings(Some("gadgets"), None, None)
        );
        assert_eq!(
            parse(json!({"name": "gadgets"})),
            settings(Some("gadgets"), None, None)
        );
        assert_eq!(
            parse(json!({"name": "gadgets", "id": "sku"})),
            settings(Some("gadgets"), Some("sku"), None)
        );
        assert_eq!(
            parse(json!({"id": "sku"})),
            settings(None, Some("sku"), None)
        );
        assert_eq!(
            parse(json!({"on_delete": "restrict"})),
            settings(None, None, Some(OnDelete::Restrict))
        );
        assert_eq!(
            parse(json!({"name": "parts", "on_delete": "cascade"})),
            settings(Some("parts"), None, Some(OnDelete::Cascade))
        );
        let owner = |hint| {
            Ok(Some(ResourceHint::Settings(ResourceSettings {
                owner: Some(hint),
                ..ResourceSettings::default()
            })))
        };
        assert_eq!(parse(json!({"owner": false})), owner(OwnerHint::Shared));
        assert_eq!(parse(json!({"owner": true})), owner(OwnerHint::Creator));
        assert_eq!(
            parse(json!({"owner": "author_id"})),
            owner(OwnerHint::Field("author_id".into()))
        );
        assert!(
            parse(json!({"owner": 3}))
                .unwrap_err()
                .contains("`owner`: expected `false`")
        );
    }

    #[test]
    fn a_resource_hint_of_the_wrong_shape_says_what_is_wrong() {
        let problem = |value: Value| ResourceHint::parse(&value).expect_err("malformed");
        assert!(problem(json!(3)).contains("expected `false`"));
        assert!(problem(json!("")).contains("non-empty"));
        assert!(problem(json!({"name": 3})).contains("`name`"));
        assert!(problem(json!({"id": ["a"]})).contains("`id`"));
        assert!(problem(json!({"table": "x"})).contains("unknown key `table`"));
        assert!(problem(json!({})).contains("needs"));
        assert!(problem(json!({"on_delete": "nullify"})).contains("`cascade` or `restrict`"));
    }
}
