//! Resource detection: which operations become CRUD on a table, and which stay plain
//! handlers. Snapshots show what a resource becomes.

mod common;

use std::path::Path;

use common::generate_fixture;
use specgen::ir::{
    Api, ColumnKind, FillKind, ItemOwner, KeyKind, ListShape, OnDelete, OperationId,
};
use specgen::spec::SourceFile;

fn lower(yaml: &str) -> Api {
    let source = SourceFile::from_text(Path::new("spec.yaml"), yaml.to_owned());
    let loaded = specgen::spec::load_source(source).unwrap_or_else(|d| panic!("loads:\n{d}"));
    specgen::ir::lower(&loaded)
        .unwrap_or_else(|d| panic!("lowers:\n{d}"))
        .0
}

fn fixture_api() -> Api {
    let text = std::fs::read_to_string(common::fixture("resource.yaml")).expect("fixture");
    lower(&text)
}

fn operation_id(api: &Api, id: Option<OperationId>) -> Option<&str> {
    id.map(|id| api.operation(id).id.as_str())
}

#[test]
fn a_collection_and_its_item_path_become_one_resource_with_every_crud_role() {
    let api = fixture_api();
    let notes = &api.resources[0];
    assert_eq!(notes.table, "notes");
    assert_eq!(notes.collection_path, "/notes");
    assert_eq!(notes.key.field, "id");
    assert_eq!(notes.key.kind, KeyKind::Uuid);
    let ops = &notes.ops;
    assert_eq!(
        operation_id(&api, ops.list.as_ref().map(|l| l.operation)),
        Some("listNotes")
    );
    assert_eq!(operation_id(&api, ops.create), Some("createNote"));
    assert_eq!(operation_id(&api, ops.get), Some("getNote"));
    assert_eq!(operation_id(&api, ops.patch), Some("updateNote"));
    assert_eq!(operation_id(&api, ops.delete), Some("deleteNote"));
    assert_eq!(ops.replace, None, "the spec has no PUT");
}

#[test]
fn scalar_fields_get_typed_columns_and_nested_values_json() {
    let api = fixture_api();
    let kinds: Vec<(&str, ColumnKind)> = api.resources[0]
        .columns
        .iter()
        .map(|c| (c.field.as_str(), c.kind))
        .collect();
    assert_eq!(
        kinds,
        [
            ("title", ColumnKind::Text),
            ("pinned", ColumnKind::Boolean),
            ("rating", ColumnKind::Real),
            ("labels", ColumnKind::Json),
            ("created_at", ColumnKind::Timestamp),
            ("author", ColumnKind::Text),
        ]
    );
}

#[test]
fn the_server_fills_required_fields_from_defaults_and_formats() {
    let api = fixture_api();
    let fills: Vec<(&str, &FillKind)> = api.resources[0]
        .fills
        .iter()
        .map(|f| (f.field.as_str(), &f.kind))
        .collect();
    assert_eq!(
        fills,
        [
            ("title", &FillKind::Keep),
            ("pinned", &FillKind::Value(serde_json::json!(false))),
            ("labels", &FillKind::Value(serde_json::json!([]))),
            ("created_at", &FillKind::Now),
            ("author", &FillKind::Undecided),
        ]
    );
}

#[test]
fn a_required_field_the_server_cannot_know_is_a_warning_and_a_marked_placeholder_not_a_fill() {
    let source = SourceFile::from_text(
        Path::new("resource.yaml"),
        std::fs::read_to_string(common::fixture("resource.yaml")).expect("the fixture"),
    );
    let loaded = specgen::spec::load_source(source).unwrap_or_else(|d| panic!("loads:\n{d}"));
    let (_, warnings) = specgen::ir::lower(&loaded).unwrap_or_else(|d| panic!("lowers:\n{d}"));
    let warning = warnings
        .iter()
        .find(|w| {
            w.message
                .contains("`author` is required in a stored `Note`")
        })
        .unwrap_or_else(|| panic!("a warning about `author`: {warnings:?}"));
    assert_eq!(
        warning.pointer.as_deref(),
        Some("/components/schemas/Note/properties/author")
    );
    let files = generate_fixture("resource.yaml");
    let tables = files.get("generated/src/resources.rs");
    assert!(
        !tables.contains("Ada"),
        "the table invents nothing for `author`:\n{tables}"
    );
    let service = files.get("src/services/notes.rs");
    assert!(
        service.contains("author: placeholder_as(\"author\", \"\\\"Ada\\\"\")?"),
        "the service marks its placeholder:\n{service}"
    );
}

/// The notes' `author` is required in a stored note, `readOnly`, and in no create body:
/// the service decides it (`NewNoteRow`), a client's body never sets it, and the project's
/// own tests (create, read back, server code's update) pass with it stored.
#[test]
fn a_field_the_service_decides_is_stored_and_the_project_passes_its_tests() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let project = dir.path().join("notes");
    let spec = common::fixture("resource.yaml");
    let (code, stderr) = common::run_gen(
        dir.path(),
        &[
            "new",
            &spec.to_string_lossy(),
            "--out",
            &project.to_string_lossy(),
            "--name",
            "notes",
        ],
    );
    assert_eq!(code, 0, "gen new succeeds: {stderr}");
    let repository = common::read(&project.join("src/repositories/notes.rs"));
    assert!(
        repository.contains("insert_as_server(&NOTES, scope, new.to_record()?)"),
        "the row is stored as the server wrote it:\n{repository}"
    );
    common::assert_tests_pass(&project);
}

#[test]
fn the_list_pages_by_its_own_parameters_filters_by_fields_and_finds_its_envelope() {
    let api = fixture_api();
    let list = api.resources[0].ops.list.as_ref().expect("a list");
    assert_eq!(list.limit.as_deref(), Some("limit"));
    assert_eq!(list.offset.as_deref(), Some("offset"));
    assert_eq!(list.sort.as_deref(), Some("sort"));
    assert_eq!(list.default_limit, 10);
    assert_eq!(list.max_limit, 50);
    assert_eq!(list.filters, [("pinned".to_owned(), "pinned".to_owned())]);
    match &list.shape {
        ListShape::Envelope { items, total, .. } => {
            assert_eq!(items, "items");
            assert_eq!(total.as_deref(), Some("total"));
        }
        other => panic!("expected an envelope, got {other:?}"),
    }
}

#[test]
fn a_nested_collection_is_scoped_by_its_parent_parameter() {
    let api = fixture_api();
    let comments = &api.resources[1];
    assert_eq!(comments.table, "comments");
    assert_eq!(comments.parents.len(), 1);
    assert_eq!(comments.parents[0].param, "noteId");
    assert_eq!(
        comments.parents[0].field.as_deref(),
        Some("note_id"),
        "the note's key lives in the comment's own `note_id`"
    );
    assert_eq!(comments.parents[0].column, "note_id");
    assert_eq!(comments.parents[0].kind, ColumnKind::Uuid);
    assert_eq!(comments.on_delete, OnDelete::Cascade);
    assert_eq!(comments.key.kind, KeyKind::Integer);
    assert_eq!(
        comments
            .parent
            .map(|notes| api.resource(notes).table.as_str()),
        Some("notes"),
        "a comment's note must exist"
    );
    assert_eq!(
        comments.ops.list.as_ref().map(|l| &l.shape),
        Some(&ListShape::Array)
    );
}

#[test]
fn operations_that_fit_no_resource_stay_plain_handlers() {
    let api = fixture_api();
    let (stats, _) = api
        .each_operation()
        .find(|(_, op)| op.id == "getStats")
        .expect("getStats");
    assert!(api.resource_of(stats).is_none());
}

const MINIMAL: &str = r#"
openapi: 3.0.3
info: {title: T, version: '1'}
paths:
  /things:
    EXTENSION
    post:
      operationId: createThing
      requestBody: {required: true, content: {application/json: {schema: {$ref: '#/components/schemas/Thing'}}}}
      responses: {'201': {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/Thing'}}}}}
  /things/{id}:
    get:
      operationId: getThing
      parameters: [{name: id, in: path, required: true, schema: {type: integer}}]
      responses: {'200': {description: ok, content: {application/json: {schema: RESPONSE}}}}
components:
  schemas:
    Thing: {type: object, properties: {id: {type: integer}, name: {type: string}}}
    Other: {type: object, properties: {id: {type: integer}}}
"#;

fn minimal(extension: &str, response: &str) -> Api {
    lower(
        &MINIMAL
            .replace("EXTENSION", extension)
            .replace("RESPONSE", response),
    )
}

#[test]
fn x_specgen_resource_false_opts_out_and_a_string_renames_the_table() {
    let detected = minimal("", "{$ref: '#/components/schemas/Thing'}");
    assert_eq!(detected.resources.len(), 1);
    let opted_out = minimal(
        "x-specgen-resource: false",
        "{$ref: '#/components/schemas/Thing'}",
    );
    assert!(
        opted_out.resources.is_empty(),
        "false opts the collection out"
    );
    let renamed = minimal(
        "x-specgen-resource: gadgets",
        "{$ref: '#/components/schemas/Thing'}",
    );
    assert_eq!(renamed.resources[0].table, "gadgets");
}

#[test]
fn an_item_read_that_answers_another_schema_leaves_a_create_only_collection_plain() {
    let api = minimal("", "{$ref: '#/components/schemas/Other'}");
    // GET cannot serve a Thing, and nothing else reads Things back: no resource at all.
    assert!(api.resources.is_empty(), "{:?}", api.resources);
}

#[test]
fn a_resource_becomes_a_table_a_repository_a_service_and_implemented_handlers() {
    let files = generate_fixture("resource.yaml");
    insta::assert_snapshot!("resource_tables", files.get("generated/src/resources.rs"));
    insta::assert_snapshot!("resource_handlers", files.get("src/handlers/notes.rs"));
    insta::assert_snapshot!(
        "resource_repository",
        files.get("src/repositories/notes.rs")
    );
    insta::assert_snapshot!("resource_service", files.get("src/services/notes.rs"));
    insta::assert_snapshot!(
        "resource_sqlite_migration",
        files.get("migrations/sqlite/0001_init.sql")
    );
    insta::assert_snapshot!(
        "resource_postgres_migration",
        files.get("migrations/postgres/0001_init.sql")
    );
}

#[test]
fn a_list_without_paging_or_filter_parameters_does_not_name_a_request_it_never_reads() {
    // An unused `request` would be a compiler warning in the user's fresh project.
    let spec = MINIMAL
        .replace(
            "EXTENSION",
            "get: {operationId: listThings, responses: {'200': {description: ok, content: {application/json: {schema: {type: array, items: {$ref: '#/components/schemas/Thing'}}}}}}}",
        )
        .replace("RESPONSE", "{$ref: '#/components/schemas/Thing'}");
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("spec.yaml");
    std::fs::write(&path, spec).expect("spec written");
    let files = common::generate_path(&path);
    let handlers = files.get("src/handlers/default.rs");
    assert!(
        handlers.contains("_request: ListThingsRequest"),
        "the list ignores its request:\n{handlers}"
    );
    assert!(
        handlers.contains("request: GetThingRequest")
            && !handlers.contains("_request: GetThingRequest"),
        "the item read uses its key:\n{handlers}"
    );
}

/// `/probe/{a}` and `/probe/{b}` are one route, so the second GET is dropped before resource
/// detection. The hint on `/pets/{id}` must still rename pets, not the operation after it.
const SKEWED: &str = r#"
openapi: 3.0.3
info: {title: T, version: '1'}
paths:
  /probe/{a}:
    get:
      operationId: probeA
      parameters: [{name: a, in: path, required: true, schema: {type: integer}}]
      responses: {'204': {description: ok}}
  /probe/{b}:
    get:
      operationId: probeB
      parameters: [{name: b, in: path, required: true, schema: {type: integer}}]
      responses: {'204': {description: ok}}
  /pets:
    post:
      operationId: createPet
      requestBody: {required: true, content: {application/json: {schema: {$ref: '#/components/schemas/Pet'}}}}
      responses: {'201': {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/Pet'}}}}}
  /pets/{id}:
    get:
      x-specgen-resource: animals
      operationId: getPet
      parameters: [{name: id, in: path, required: true, schema: {type: integer}}]
      responses: {'200': {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/Pet'}}}}}
  /toys:
    post:
      operationId: createToy
      requestBody: {required: true, content: {application/json: {schema: {$ref: '#/components/schemas/Toy'}}}}
      responses: {'201': {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/Toy'}}}}}
  /toys/{id}:
    get:
      operationId: getToy
      parameters: [{name: id, in: path, required: true, schema: {type: integer}}]
      responses: {'200': {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/Toy'}}}}}
components:
  schemas:
    Pet: {type: object, properties: {id: {type: integer}, name: {type: string}}}
    Toy: {type: object, properties: {id: {type: integer}, name: {type: string}}}
"#;

#[test]
fn a_resource_hint_stays_on_its_operation_when_an_earlier_duplicate_route_is_dropped() {
    let api = lower(SKEWED);
    assert!(
        api.operations.iter().all(|op| op.id != "probeB"),
        "the duplicate route is dropped"
    );
    let tables: Vec<(&str, &str)> = api
        .resources
        .iter()
        .map(|r| (r.collection_path.as_str(), r.table.as_str()))
        .collect();
    assert_eq!(tables, [("/pets", "animals"), ("/toys", "toys")]);
}

#[test]
fn a_malformed_resource_hint_is_a_warning_at_the_extension_and_changes_nothing() {
    let yaml = MINIMAL
        .replace("EXTENSION", "x-specgen-resource: {name: gadgets, key: sku}")
        .replace("RESPONSE", "{$ref: '#/components/schemas/Thing'}");
    let source = SourceFile::from_text(Path::new("spec.yaml"), yaml);
    let loaded = specgen::spec::load_source(source).unwrap_or_else(|d| panic!("loads:\n{d}"));
    let (api, warnings) = specgen::ir::lower(&loaded).unwrap_or_else(|d| panic!("lowers:\n{d}"));
    let warning = warnings
        .warnings()
        .find(|w| w.message.contains("x-specgen-resource"))
        .unwrap_or_else(|| panic!("a warning about the hint in:\n{warnings}"));
    assert_eq!(
        warning.pointer.as_deref(),
        Some("/paths/~1things/x-specgen-resource")
    );
    assert!(warning.message.contains("`key`"), "{}", warning.message);
    assert!(warning.location.is_some(), "{warning:?}");
    assert_eq!(api.resources[0].table, "things", "the hint is ignored");
}

const NESTED: &str = r#"
openapi: 3.0.3
info: {title: t, version: '1'}
paths:
  /projects:
    post:
      requestBody: {required: true, content: {application/json: {schema: {$ref: '#/components/schemas/Project'}}}}
      responses: {'201': {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/Project'}}}}}
  /projects/{projectId}:
    parameters: [{name: projectId, in: path, required: true, schema: {type: integer}}]
    get:
      responses: {'200': {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/Project'}}}}}
  /projects/{projectId}/tasks:
    parameters: [{name: projectId, in: path, required: true, schema: {type: integer}}]
    post:
      EXTENSION
      requestBody: {required: true, content: {application/json: {schema: {$ref: '#/components/schemas/Task'}}}}
      responses: {'201': {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/Task'}}}}}
  /projects/{projectId}/tasks/{taskId}:
    parameters:
      - {name: projectId, in: path, required: true, schema: {type: integer}}
      - {name: taskId, in: path, required: true, schema: {type: integer}}
    get:
      responses: {'200': {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/Task'}}}}}
components:
  schemas:
    Email: {type: string, format: email}
    Project:
      type: object
      required: [id, name]
      x-specgen-unique: [owner_email, nickname]
      properties:
        id: {type: integer, readOnly: true}
        name: {type: string, x-specgen-unique: true}
        owner_email: {$ref: '#/components/schemas/Email'}
        code: {type: string, x-specgen-unique: yes please}
    Task:
      type: object
      required: [id, project_id, title]
      properties:
        id: {type: integer, readOnly: true}
        project_id: {PARENT_FIELD}
        title: {type: string}
"#;

fn nested(extension: &str, parent_field: &str) -> (Api, Vec<String>) {
    let spec = NESTED
        .replace("EXTENSION", extension)
        .replace("{PARENT_FIELD}", parent_field);
    let source = SourceFile::from_text(Path::new("nested.yaml"), spec);
    let loaded = specgen::spec::load_source(source).unwrap_or_else(|d| panic!("loads:\n{d}"));
    let (api, warnings) = specgen::ir::lower(&loaded).unwrap_or_else(|d| panic!("lowers:\n{d}"));
    let warnings = warnings
        .iter()
        .map(|w| format!("{} at {:?}", w.message, w.pointer))
        .collect();
    (api, warnings)
}

#[test]
fn a_nested_item_keeps_its_parent_key_in_the_field_named_like_the_path_parameter() {
    let (api, _) = nested("", "{type: integer, readOnly: true}");
    let tasks = &api.resources[1];
    assert_eq!(tasks.parents[0].field.as_deref(), Some("project_id"));
    assert_eq!(tasks.parents[0].column, "project_id");
    assert_eq!(tasks.parents[0].kind, ColumnKind::Integer);
    assert!(tasks.parent_link().is_some(), "a foreign key to projects");
    let columns: Vec<&str> = tasks.columns.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(columns, ["project_id", "title"], "no hidden parent column");
}

#[test]
fn a_parent_field_of_another_type_leaves_the_key_in_a_column_of_its_own() {
    let (api, _) = nested("", "{type: string}");
    let tasks = &api.resources[1];
    assert_eq!(tasks.parents[0].field, None);
    assert_eq!(tasks.parents[0].column, "parent_project_id");
    assert_eq!(
        tasks.parents[0].kind,
        ColumnKind::Integer,
        "typed like the project's key"
    );
}

#[test]
fn on_delete_restrict_is_read_from_the_resource_hint() {
    let (api, _) = nested(
        "x-specgen-resource: {on_delete: restrict}",
        "{type: integer, readOnly: true}",
    );
    assert_eq!(api.resources[1].on_delete, OnDelete::Restrict);
    let (api, _) = nested("", "{type: integer, readOnly: true}");
    assert_eq!(api.resources[1].on_delete, OnDelete::Cascade);
}

#[test]
fn unique_fields_come_from_the_property_or_the_object_and_a_bad_value_is_a_warning() {
    let (api, warnings) = nested("", "{type: integer, readOnly: true}");
    let unique: Vec<&str> = api.resources[0]
        .columns
        .iter()
        .filter(|c| c.unique)
        .map(|c| c.field.as_str())
        .collect();
    assert_eq!(unique, ["name", "owner_email"]);
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("names \"nickname\", which is not a property")),
        "{warnings:?}"
    );
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("is `true` or `false`, not `\"yes please\"`")),
        "{warnings:?}"
    );
}

#[test]
fn required_columns_are_not_null_and_dates_times_and_uuids_get_their_own_kinds() {
    let (api, _) = nested("", "{type: integer, readOnly: true}");
    let tasks = &api.resources[1];
    let not_null: Vec<&str> = tasks
        .columns
        .iter()
        .filter(|c| c.not_null)
        .map(|c| c.field.as_str())
        .collect();
    assert_eq!(not_null, ["project_id", "title"]);
}

#[test]
fn a_reference_names_a_resource_by_table_or_schema_and_a_bad_one_is_a_warning() {
    let spec = NESTED
        .replace("EXTENSION", "")
        .replace("{PARENT_FIELD}", "{type: integer, readOnly: true}")
        .replace(
            "        title: {type: string}\n",
            "        title: {type: string}\n        reviewer_id: {type: integer, x-specgen-references: projects}\n        helper_id: {type: integer, x-specgen-references: Project}\n        owner: {type: string, x-specgen-references: projects}\n        ghost_id: {type: integer, x-specgen-references: ghosts}\n",
        );
    let source = SourceFile::from_text(Path::new("refs.yaml"), spec);
    let loaded = specgen::spec::load_source(source).unwrap_or_else(|d| panic!("loads:\n{d}"));
    let (api, warnings) = specgen::ir::lower(&loaded).unwrap_or_else(|d| panic!("lowers:\n{d}"));
    let tasks = &api.resources[1];
    let linked: Vec<(&str, Option<&str>)> = tasks
        .columns
        .iter()
        .map(|c| {
            (
                c.field.as_str(),
                c.references.map(|r| api.resource(r).table.as_str()),
            )
        })
        .filter(|(_, target)| target.is_some())
        .collect();
    assert_eq!(
        linked,
        [
            ("reviewer_id", Some("projects")),
            ("helper_id", Some("projects"))
        ]
    );
    let messages: Vec<&str> = warnings.iter().map(|w| w.message.as_str()).collect();
    assert!(
        messages
            .iter()
            .any(|m| m.contains("`owner` cannot refer to `projects`")),
        "{messages:?}"
    );
    assert!(
        messages
            .iter()
            .any(|m| m.contains("`ghosts` is not a resource of this spec")),
        "{messages:?}"
    );
}

/// A spec with `users` (secured writes, public reads), `docs` (secured, with an owner
/// field) and nested `notes` under users; `EXTENSIONS` goes on the `/users` path item.
const OWNED: &str = r#"
openapi: 3.0.3
info: {title: T, version: '1'}
components:
  securitySchemes:
    bearer: {type: http, scheme: bearer}
  schemas:
    User:
      type: object
      required: [id, name]
      properties:
        id: {type: integer, readOnly: true}
        name: {type: string}
        password: {type: string, writeOnly: true}
        level: {type: integer}
    Note:
      type: object
      required: [id, text]
      properties:
        id: {type: integer, readOnly: true}
        text: {type: string}
paths:
  /users:
    EXTENSIONS
    get:
      security: []
      responses: {'200': {description: ok, content: {application/json: {schema: {type: array, items: {$ref: '#/components/schemas/User'}}}}}}
    post:
      security: [{bearer: []}]
      requestBody: {required: true, content: {application/json: {schema: {$ref: '#/components/schemas/User'}}}}
      responses: {'201': {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/User'}}}}}
  /users/{id}:
    parameters: [{name: id, in: path, required: true, schema: {type: integer}}]
    get:
      security: []
      responses: {'200': {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/User'}}}}}
    delete:
      security: [{bearer: []}]
      responses: {'204': {description: gone}}
  /users/{id}/notes:
    parameters: [{name: id, in: path, required: true, schema: {type: integer}}]
    post:
      security: [{bearer: []}]
      requestBody: {required: true, content: {application/json: {schema: {$ref: '#/components/schemas/Note'}}}}
      responses: {'201': {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/Note'}}}}}
  /users/{id}/notes/{noteId}:
    parameters:
      - {name: id, in: path, required: true, schema: {type: integer}}
      - {name: noteId, in: path, required: true, schema: {type: integer}}
    get:
      security: [{bearer: []}]
      responses: {'200': {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/Note'}}}}}
"#;

fn owned(extensions: &str) -> (Api, Vec<String>) {
    let source = SourceFile::from_text(
        Path::new("owned.yaml"),
        OWNED.replace("EXTENSIONS", extensions),
    );
    let loaded = specgen::spec::load_source(source).unwrap_or_else(|d| panic!("loads:\n{d}"));
    let (api, warnings) = specgen::ir::lower(&loaded).unwrap_or_else(|d| panic!("lowers:\n{d}"));
    let warnings = warnings
        .iter()
        .map(|w| format!("{} at {}", w.message, w.pointer.as_deref().unwrap_or("?")))
        .collect();
    (api, warnings)
}

#[test]
fn a_resource_with_secured_operations_is_owned_by_its_creators_and_nested_items_follow_it() {
    let (api, _) = owned("");
    let [users, notes] = &api.resources[..] else {
        panic!("two resources: {:?}", api.resources)
    };
    assert_eq!(users.owner, ItemOwner::Creator);
    assert_eq!(notes.owner, ItemOwner::Shared);
    assert_eq!(
        notes.owner_summary(&api),
        "following their `users` item's owner"
    );
}

#[test]
fn x_specgen_owner_shares_a_resource_or_binds_an_owner_field() {
    let (shared, _) = owned("x-specgen-owner: false");
    assert_eq!(shared.resources[0].owner, ItemOwner::Shared);
    // With nothing to follow, the nested notes (secured) record their own creators.
    assert_eq!(shared.resources[1].owner, ItemOwner::Creator);

    let (bound, warnings) = owned("x-specgen-owner: name");
    assert_eq!(
        bound.resources[0].owner,
        ItemOwner::Field {
            field: "name".into(),
            column: "name".into()
        }
    );
    assert!(
        !warnings.iter().any(|w| w.contains("x-specgen-owner")),
        "{warnings:?}"
    );
}

#[test]
fn an_owner_field_that_cannot_hold_a_subject_is_a_warning_and_the_hidden_column_serves() {
    for (value, problem) in [
        ("level", "not a string field"),
        ("nickname", "not a string field"),
    ] {
        let (api, warnings) = owned(&format!("x-specgen-owner: {value}"));
        assert_eq!(api.resources[0].owner, ItemOwner::Creator, "{value}");
        assert!(
            warnings
                .iter()
                .any(|w| w.contains(problem) && w.ends_with("/paths/~1users/x-specgen-owner")),
            "{value}: {warnings:?}"
        );
    }
    let (_, warnings) = owned("x-specgen-owner: 7");
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("`x-specgen-owner` is ignored") && w.contains("not `7`")),
        "{warnings:?}"
    );
}

#[test]
fn a_write_only_field_gets_no_column_is_never_serialized_and_is_reported() {
    let (api, warnings) = owned("");
    let columns: Vec<&str> = api.resources[0]
        .columns
        .iter()
        .map(|c| c.field.as_str())
        .collect();
    assert_eq!(columns, ["name", "level"], "no column for the password");
    assert!(
        warnings.iter().any(
            |w| w.contains("`password` of the `users` items is writeOnly")
                && w.ends_with("/paths/~1users")
        ),
        "{warnings:?}"
    );
    let dir = tempfile::tempdir().expect("a temporary directory");
    let spec = dir.path().join("owned.yaml");
    std::fs::write(&spec, OWNED.replace("EXTENSIONS", "")).expect("the spec is written");
    let files = common::generate_path(&spec);
    let models = files.get("generated/src/models.rs");
    let password = models
        .find("pub password:")
        .expect("the model has the field, for requests");
    let attributes = &models[models[..password].rfind("///").unwrap_or(0)..password];
    assert!(
        attributes.contains("skip_serializing)") || attributes.contains("skip_serializing,"),
        "a response never carries it:\n{attributes}"
    );
}
