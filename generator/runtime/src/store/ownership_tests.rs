//! Items owned by their creator: a scope narrowed to a caller finds only the caller's
//! items, an administrator's finds every item, and nested items follow their enclosing
//! item's owner. On SQLite in memory; the generated projects' tests run the same calls on
//! PostgreSQL and MySQL.

use super::test_support::{LISTING, record};
use super::{
    Column, ColumnKind, Database, Key, KeyColumn, KeyKind, ListQuery, OWNER_COLUMN, OwnerColumn,
    Page, Parent, Record, Scope, Select, Statements, StoreError, Table,
};
use crate::context::{Credential, Principal};
use serde_json::{Value, json};

/// Boxes, owned through the hidden owner column.
static BOXES: Table = Table {
    name: "boxes",
    owner: Some(OwnerColumn {
        column: OWNER_COLUMN,
        field: None,
    }),
    key: KeyColumn {
        field: "id",
        column: "id",
        kind: KeyKind::Integer,
    },
    parents: &[],
    parent: None,
    columns: &[Column {
        field: "label",
        name: "label",
        kind: ColumnKind::Text,
        required: true,
        unique: false,
        references: None,
    }],
    fills: &[],
    read_only: &[],
    sequence: false,
    statements: Statements::new(),
};

/// Slips in a box: no owner of their own, they follow their box's.
static SLIPS: Table = Table {
    name: "slips",
    owner: None,
    key: KeyColumn {
        field: "id",
        column: "id",
        kind: KeyKind::Integer,
    },
    parents: &[Parent {
        column: "parent_box_id",
        kind: ColumnKind::Integer,
        field: None,
    }],
    parent: Some(&BOXES),
    columns: &[Column {
        field: "text",
        name: "text",
        kind: ColumnKind::Text,
        required: true,
        unique: false,
        references: None,
    }],
    fills: &[],
    read_only: &[],
    sequence: false,
    statements: Statements::new(),
};

/// Remarks on a box, owned by whoever wrote them: any caller may remark on a box that
/// exists (comments on a post).
static REMARKS: Table = Table {
    name: "remarks",
    owner: Some(OwnerColumn {
        column: OWNER_COLUMN,
        field: None,
    }),
    key: KeyColumn {
        field: "id",
        column: "id",
        kind: KeyKind::Integer,
    },
    parents: &[Parent {
        column: "parent_box_id",
        kind: ColumnKind::Integer,
        field: None,
    }],
    parent: Some(&BOXES),
    columns: &[Column {
        field: "text",
        name: "text",
        kind: ColumnKind::Text,
        required: true,
        unique: false,
        references: None,
    }],
    fills: &[],
    read_only: &[],
    sequence: false,
    statements: Statements::new(),
};

/// Memos, owned through their `author` field (`x-specgen-owner: author`).
static MEMOS: Table = Table {
    name: "memos",
    owner: Some(OwnerColumn {
        column: "author",
        field: Some("author"),
    }),
    key: KeyColumn {
        field: "id",
        column: "id",
        kind: KeyKind::Integer,
    },
    parents: &[],
    parent: None,
    columns: &[
        Column {
            field: "author",
            name: "author",
            kind: ColumnKind::Text,
            required: true,
            unique: false,
            references: None,
        },
        Column {
            field: "text",
            name: "text",
            kind: ColumnKind::Text,
            required: true,
            unique: false,
            references: None,
        },
    ],
    fills: &[],
    read_only: &[],
    sequence: false,
    statements: Statements::new(),
};

async fn database() -> Database {
    let db = Database::in_memory().await.expect("in-memory SQLite");
    for ddl in [
        r#"CREATE TABLE "boxes" ("id" INTEGER PRIMARY KEY AUTOINCREMENT, "_owner" TEXT, "label" TEXT NOT NULL)"#,
        r#"CREATE TABLE "slips" ("id" INTEGER PRIMARY KEY AUTOINCREMENT,
            "parent_box_id" INTEGER NOT NULL REFERENCES "boxes" ("id") ON DELETE CASCADE, "text" TEXT NOT NULL)"#,
        r#"CREATE TABLE "remarks" ("id" INTEGER PRIMARY KEY AUTOINCREMENT, "_owner" TEXT,
            "parent_box_id" INTEGER NOT NULL REFERENCES "boxes" ("id") ON DELETE CASCADE, "text" TEXT NOT NULL)"#,
        r#"CREATE TABLE "memos" ("id" INTEGER PRIMARY KEY AUTOINCREMENT, "author" TEXT NOT NULL, "text" TEXT NOT NULL)"#,
    ] {
        sqlx::query(ddl)
            .execute(db.pool())
            .await
            .expect("the table is created");
    }
    db
}

fn caller(subject: &str) -> Scope {
    Scope::root().seen_by_principal(Some(&Principal::new(subject, Credential::Token, "bearer")))
}

fn admin() -> Scope {
    let mut principal = Principal::new("root", Credential::Token, "bearer");
    principal.admin = true;
    Scope::root().seen_by_principal(Some(&principal))
}

async fn labels(db: &Database, scope: &Scope) -> Vec<String> {
    let page: Page<Record> = db
        .list(&BOXES, &LISTING, scope, &ListQuery::new())
        .await
        .expect("listed");
    page.items
        .iter()
        .map(|item| item["label"].as_str().unwrap_or_default().to_owned())
        .collect()
}

async fn a_box(db: &Database, scope: &Scope, label: &str) -> Key {
    let (key, _): (Key, Record) = db
        .insert(&BOXES, scope, record(json!({ "label": label })))
        .await
        .expect("stored");
    key
}

#[tokio::test]
async fn another_caller_can_neither_see_nor_change_an_item_and_gets_no_hint_that_it_exists() {
    let db = database().await;
    let alice = caller("alice");
    let bob = caller("bob");
    let key = a_box(&db, &alice, "alice's").await;
    a_box(&db, &bob, "bob's").await;

    let found: Option<Record> = db.fetch(&BOXES, &bob, &key).await.expect("read");
    assert_eq!(found, None);
    assert_eq!(labels(&db, &bob).await, ["bob's"]);
    let replaced: Option<Record> = db
        .replace(&BOXES, &bob, &key, record(json!({"label": "bob was here"})))
        .await
        .expect("no error, no item");
    assert_eq!(replaced, None);
    let patched: Option<Record> = db
        .patch(
            &BOXES,
            &bob,
            &key,
            &record(json!({"label": "bob was here"})),
        )
        .await
        .expect("no error, no item");
    assert_eq!(patched, None);
    let updated: Option<Record> = db
        .update(&BOXES, &bob, &key, |item: &mut Record| {
            item.insert("label".into(), json!("bob was here"));
        })
        .await
        .expect("no error, no item");
    assert_eq!(updated, None);
    assert!(!db.delete(&BOXES, &bob, &key).await.expect("no error"));
    let selected: Vec<Record> = db
        .select(&BOXES, &bob, &Select::new())
        .await
        .expect("selected");
    assert_eq!(selected.len(), 1, "only bob's own box: {selected:?}");
    assert_eq!(
        db.count(&BOXES, &bob, &Select::new())
            .await
            .expect("counted"),
        1
    );

    let own: Option<Record> = db.fetch(&BOXES, &alice, &key).await.expect("read");
    assert_eq!(
        own.map(|item| item["label"].clone()),
        Some(json!("alice's"))
    );
    assert!(db.delete(&BOXES, &alice, &key).await.expect("deleted"));
}

#[tokio::test]
async fn an_administrator_and_the_server_see_every_item_and_the_owner_is_not_part_of_the_item() {
    let db = database().await;
    let key = a_box(&db, &caller("alice"), "alice's").await;
    a_box(&db, &admin(), "the admin's").await;

    assert_eq!(labels(&db, &admin()).await, ["alice's", "the admin's"]);
    assert_eq!(
        labels(&db, &Scope::root()).await,
        ["alice's", "the admin's"]
    );
    assert_eq!(labels(&db, &caller("alice")).await, ["alice's"]);
    let patched: Option<Record> = db
        .patch(
            &BOXES,
            &admin(),
            &key,
            &record(json!({"label": "moderated"})),
        )
        .await
        .expect("patched");
    let patched = patched.expect("the admin finds alice's box");
    assert_eq!(
        patched.get("_owner"),
        None,
        "the owner stays out of the item"
    );
    // The admin's change did not take the box from alice.
    assert_eq!(labels(&db, &caller("alice")).await, ["moderated"]);
}

#[tokio::test]
async fn items_without_an_owner_are_seen_only_by_administrators_and_anonymous_callers_see_none() {
    let db = database().await;
    // Written by the server's own code, or stored before owners were recorded.
    a_box(&db, &Scope::root(), "unowned").await;
    a_box(&db, &caller("alice"), "alice's").await;

    assert_eq!(labels(&db, &caller("alice")).await, ["alice's"]);
    assert_eq!(labels(&db, &admin()).await, ["unowned", "alice's"]);
    let anonymous = Scope::root().seen_by_principal(None);
    assert!(anonymous.is_narrowed());
    assert_eq!(labels(&db, &anonymous).await, Vec::<String>::new());
}

#[tokio::test]
async fn the_same_subject_through_another_kind_of_credential_is_another_caller() {
    let db = database().await;
    a_box(&db, &caller("alice"), "alice's").await;
    let key_named_alice =
        Scope::root().seen_by_principal(Some(&Principal::new("alice", Credential::ApiKey, "key")));
    assert_eq!(labels(&db, &key_named_alice).await, Vec::<String>::new());
}

#[tokio::test]
async fn nested_items_follow_their_enclosing_items_owner() {
    let db = database().await;
    let alices_box = a_box(&db, &caller("alice"), "alice's").await;
    let within = |subject: &str| {
        Scope::of([alices_box.clone()]).seen_by_principal(Some(&Principal::new(
            subject,
            Credential::Token,
            "bearer",
        )))
    };
    let (slip, _): (Key, Record) = db
        .insert(&SLIPS, &within("alice"), record(json!({"text": "a note"})))
        .await
        .expect("alice writes in her box");

    let refused = db
        .insert::<Record>(&SLIPS, &within("bob"), record(json!({"text": "spam"})))
        .await;
    assert!(
        matches!(refused, Err(StoreError::ParentNotFound)),
        "{refused:?}"
    );
    let listed = db
        .list::<Record>(&SLIPS, &LISTING, &within("bob"), &ListQuery::new())
        .await;
    assert!(
        matches!(listed, Err(StoreError::ParentNotFound)),
        "{listed:?}"
    );
    let read = db.fetch::<Record>(&SLIPS, &within("bob"), &slip).await;
    assert!(matches!(read, Err(StoreError::ParentNotFound)), "{read:?}");
    let deleted = db.delete(&SLIPS, &within("bob"), &slip).await;
    assert!(
        matches!(deleted, Err(StoreError::ParentNotFound)),
        "{deleted:?}"
    );

    let mut root = Principal::new("root", Credential::Token, "bearer");
    root.admin = true;
    let as_admin = Scope::of([alices_box.clone()]).seen_by_principal(Some(&root));
    let page: Page<Record> = db
        .list(&SLIPS, &LISTING, &as_admin, &ListQuery::new())
        .await
        .expect("the admin lists alice's slips");
    assert_eq!(page.items.len(), 1);
}

#[tokio::test]
async fn an_owner_field_holds_the_creator_whatever_the_body_says_and_never_changes_hands() {
    let db = database().await;
    let alice = caller("alice");
    let (key, created): (Key, Record) = db
        .insert(
            &MEMOS,
            &alice,
            record(json!({"author": "mallory", "text": "hello"})),
        )
        .await
        .expect("stored");
    assert_eq!(created["author"], json!("alice"));

    let patched: Option<Record> = db
        .patch(
            &MEMOS,
            &alice,
            &key,
            &record(json!({"author": "bob", "text": "hi"})),
        )
        .await
        .expect("patched");
    let patched = patched.expect("alice finds her memo");
    assert_eq!(
        (&patched["author"], &patched["text"]),
        (&json!("alice"), &json!("hi"))
    );
    let replaced: Option<Record> = db
        .replace(
            &MEMOS,
            &alice,
            &key,
            record(json!({"author": "bob", "text": "hey"})),
        )
        .await
        .expect("replaced");
    assert_eq!(
        replaced.map(|memo| memo["author"].clone()),
        Some(json!("alice"))
    );

    let found: Option<Record> = db.fetch(&MEMOS, &caller("bob"), &key).await.expect("read");
    assert_eq!(
        found, None,
        "bob does not become the author by writing his name"
    );
    let page: Page<Value> = db
        .list(&MEMOS, &LISTING, &caller("bob"), &ListQuery::new())
        .await
        .expect("listed");
    assert!(page.items.is_empty());
}

#[tokio::test]
async fn nested_items_with_owners_of_their_own_need_their_enclosing_item_to_exist_not_to_be_the_callers()
 {
    let db = database().await;
    let alices_box = a_box(&db, &caller("alice"), "alice's").await;
    let within = |subject: &str| {
        Scope::of([alices_box.clone()]).seen_by_principal(Some(&Principal::new(
            subject,
            Credential::Token,
            "bearer",
        )))
    };
    let (remark, _): (Key, Record) = db
        .insert(
            &REMARKS,
            &within("bob"),
            record(json!({"text": "nice box"})),
        )
        .await
        .expect("bob remarks on alice's box");
    let theirs: Option<Record> = db
        .fetch(&REMARKS, &within("alice"), &remark)
        .await
        .expect("read");
    assert_eq!(theirs, None, "the remark is bob's, not the box owner's");
    assert!(
        !db.delete(&REMARKS, &within("alice"), &remark)
            .await
            .expect("no error")
    );
    assert!(
        db.delete(&REMARKS, &within("bob"), &remark)
            .await
            .expect("deleted")
    );

    let missing = db
        .insert::<Record>(
            &REMARKS,
            &Scope::of([Key::Integer(999)]).seen_by_principal(None),
            record(json!({"text": "into the void"})),
        )
        .await;
    assert!(
        matches!(missing, Err(StoreError::ParentNotFound)),
        "{missing:?}"
    );
}
