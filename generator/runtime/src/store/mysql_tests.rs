//! The store's calls on MySQL (as MariaDB speaks it): native column types read back as the
//! text an item holds, keys in creation order, parent keys with `ON DELETE` rules, unique
//! indexes, text compared byte for byte, a write that changes nothing, and custom reads.
//! Each test runs in a fresh database on the server `TEST_MYSQL_URL` names
//! (`mysql://root@127.0.0.1:3306`) and is skipped when it is unset.

use super::test_support::{
    BIG, DEVICES, DeviceField, GADGETS, KEPT_PARTS, LISTING, NOTES, OWNER, PARTS, a_device,
    devices_compare_across_offsets, lamp, record, rows_in,
};
use super::{Database, Dialect, Field, Key, ListQuery, Page, Record, Scope, Select, StoreError};
use serde_json::{Value, json};
use sqlx::{AssertSqlSafe, Executor};

/// A fresh database on the MySQL server `TEST_MYSQL_URL` names, holding the tables `ddl`
/// creates; `None` (the test is skipped) when no server is named.
async fn mysql(test: &str, ddl: &[&str]) -> Option<Database> {
    let Ok(url) = std::env::var("TEST_MYSQL_URL") else {
        eprintln!("{test} skipped: TEST_MYSQL_URL is not set");
        return None;
    };
    sqlx::any::install_default_drivers();
    let db = Database::mysql_database_for_tests(&url)
        .await
        .expect("a fresh database on the TEST_MYSQL_URL server");
    assert_eq!(db.dialect(), Dialect::MySql);
    for statement in ddl {
        db.pool()
            .execute(AssertSqlSafe(*statement))
            .await
            .unwrap_or_else(|error| panic!("{statement} failed: {error}"));
    }
    Some(db)
}

/// The options the generated migrations give every table.
macro_rules! table {
    ($body:literal) => {
        concat!(
            $body,
            " ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin"
        )
    };
}

const DEVICES_DDL: &str = table!(
    r#"CREATE TABLE "devices" ("id" CHAR(36) PRIMARY KEY,
    "seen_at" DATETIME(6), "born_on" DATE, "owner_id" CHAR(36), "settings" JSON,
    "active" BOOLEAN, "weight" DOUBLE, "count" BIGINT,
    "_seq" BIGINT NOT NULL AUTO_INCREMENT UNIQUE)"#
);

const GADGETS_DDL: &[&str] = &[
    table!(
        r#"CREATE TABLE "gadgets" ("id" BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
        "name" LONGTEXT NOT NULL, "nick_name" LONGTEXT, "serial" VARCHAR(768), "count" BIGINT,
        "ratio" DOUBLE, "on" BOOLEAN, "extra" JSON)"#
    ),
    r#"CREATE UNIQUE INDEX "gadgets_serial_key" ON "gadgets" ("serial")"#,
];

const PARTS_DDL: &[&str] = &[
    GADGETS_DDL[0],
    GADGETS_DDL[1],
    table!(
        r#"CREATE TABLE "parts" ("id" BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
        "gadget_id" BIGINT NOT NULL, "name" LONGTEXT NOT NULL,
        CONSTRAINT "parts_gadget_id_fkey" FOREIGN KEY ("gadget_id") REFERENCES "gadgets" ("id") ON DELETE CASCADE)"#
    ),
    table!(
        r#"CREATE TABLE "kept_parts" ("id" BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
        "gadget_id" BIGINT NOT NULL, "name" LONGTEXT NOT NULL,
        CONSTRAINT "kept_parts_gadget_id_fkey" FOREIGN KEY ("gadget_id") REFERENCES "gadgets" ("id") ON DELETE RESTRICT)"#
    ),
];

const NOTES_DDL: &str = table!(
    r#"CREATE TABLE "notes" ("slug" VARCHAR(255) PRIMARY KEY, "body" LONGTEXT,
    "_seq" BIGINT NOT NULL AUTO_INCREMENT UNIQUE)"#
);

#[tokio::test]
async fn mysql_native_columns_read_back_as_the_text_and_values_written() {
    let Some(db) = mysql("mysql_native_columns", &[DEVICES_DDL]).await else {
        return;
    };
    let (key, stored): (Key, Record) = db
        .insert(&DEVICES, &Scope::root(), a_device())
        .await
        .expect("stored");
    let Key::Text(id) = &key else {
        panic!("a UUID key is text, got {key:?}");
    };
    assert!(uuid::Uuid::try_parse(id).is_ok(), "{id} is a UUID");
    assert_eq!(stored["id"], json!(id));
    // 14:30:15.123456 at +02:00 is 12:30:15.123456 in UTC, to the microsecond.
    assert_eq!(stored["seenAt"], json!("2024-03-10T12:30:15.123456Z"));
    assert_eq!(stored["bornOn"], json!("2024-02-29"));
    assert_eq!(stored["ownerId"], json!(OWNER));
    assert_eq!(
        stored["settings"],
        json!({"tags": ["a", "b"], "depth": 1.5, "on": null})
    );
    assert_eq!(stored["active"], json!(true));
    assert_eq!(stored["weight"], json!(2.5));
    assert_eq!(stored["count"], json!(BIG));
    assert!(!stored.contains_key("_seq"), "{stored:?}");

    let fetched: Option<Record> = db
        .fetch(&DEVICES, &Scope::root(), &key)
        .await
        .expect("read");
    assert_eq!(fetched, Some(stored));
}

#[tokio::test]
async fn mysql_a_list_of_items_with_uuid_keys_is_in_creation_order() {
    let Some(db) = mysql("mysql_creation_order", &[DEVICES_DDL]).await else {
        return;
    };
    let ids = [
        "c0000000-0000-4000-8000-000000000000",
        "10000000-0000-4000-8000-000000000000",
        "f0000000-0000-4000-8000-000000000000",
    ];
    for (count, id) in ids.iter().enumerate() {
        let _: (Key, Record) = db
            .insert(
                &DEVICES,
                &Scope::root(),
                record(json!({"id": id, "count": count})),
            )
            .await
            .expect("stored");
    }
    let page: Page<Record> = db
        .list(&DEVICES, &LISTING, &Scope::root(), &ListQuery::new())
        .await
        .expect("listed");
    let listed: Vec<&Value> = page.items.iter().map(|item| &item["id"]).collect();
    assert_eq!(listed, ids);
    assert_eq!(page.total, 3);
}

#[tokio::test]
async fn mysql_deleting_a_parent_cascades_or_is_refused_as_its_foreign_key_says() {
    let Some(db) = mysql("mysql_parents", PARTS_DDL).await else {
        return;
    };
    let gadget = lamp(&db).await;
    let kept = lamp(&db).await;
    for name in ["bulb", "fuse"] {
        let (_, part): (Key, Record) = db
            .insert(
                &PARTS,
                &Scope::of([gadget.clone()]),
                record(json!({ "name": name, "gadgetId": 999 })),
            )
            .await
            .expect("stored");
        let Key::Integer(id) = gadget else {
            panic!("a gadget's key is an integer, got {gadget:?}");
        };
        assert_eq!(
            part["gadgetId"],
            json!(id),
            "the path's key, not the body's"
        );
    }
    let _: (Key, Record) = db
        .insert(
            &KEPT_PARTS,
            &Scope::of([kept.clone()]),
            record(json!({"name": "cord"})),
        )
        .await
        .expect("stored");

    assert!(
        db.delete(&GADGETS, &Scope::root(), &gadget)
            .await
            .expect("deleted")
    );
    assert_eq!(
        rows_in(&db, "parts").await,
        0,
        "the parts went with their gadget"
    );

    match db.delete(&GADGETS, &Scope::root(), &kept).await {
        Err(StoreError::Conflict(detail)) => assert!(detail.contains("belong"), "{detail}"),
        other => panic!("expected a conflict, got {other:?}"),
    }
    assert_eq!(rows_in(&db, "kept_parts").await, 1);

    let orphan = db
        .insert::<Record>(
            &PARTS,
            &Scope::of([Key::Integer(404)]),
            record(json!({"name": "x"})),
        )
        .await;
    assert!(
        matches!(orphan, Err(StoreError::ParentNotFound)),
        "{orphan:?}"
    );
}

#[tokio::test]
async fn mysql_a_repeated_unique_value_is_a_conflict_naming_the_field_and_case_counts() {
    let Some(db) = mysql("mysql_unique", GADGETS_DDL).await else {
        return;
    };
    let _: (Key, Record) = db
        .insert(
            &GADGETS,
            &Scope::root(),
            record(json!({"name": "lamp", "serial": "A-1"})),
        )
        .await
        .expect("stored");
    let repeated = db
        .insert::<Record>(
            &GADGETS,
            &Scope::root(),
            record(json!({"name": "fan", "serial": "A-1"})),
        )
        .await;
    match repeated {
        Err(StoreError::Conflict(detail)) => {
            assert!(detail.contains("`serial` must be unique"), "{detail}")
        }
        other => panic!("expected a conflict, got {other:?}"),
    }
    // Text compares byte for byte, as on the other dialects: `a-1` is another value.
    let (other, _): (Key, Record) = db
        .insert(
            &GADGETS,
            &Scope::root(),
            record(json!({"name": "fan", "serial": "a-1"})),
        )
        .await
        .expect("another case is another value");
    assert_eq!(rows_in(&db, "gadgets").await, 2);

    // A replace that changes nothing still finds its item (MySQL counts changed rows
    // unless told to count found ones).
    let same: Option<Record> = db
        .replace(
            &GADGETS,
            &Scope::root(),
            &other,
            record(json!({"name": "fan", "serial": "a-1"})),
        )
        .await
        .expect("replaced");
    assert_eq!(same.map(|item| item["serial"].clone()), Some(json!("a-1")));
}

#[tokio::test]
async fn mysql_a_value_too_long_for_its_column_is_unstorable_not_cut() {
    let Some(db) = mysql("mysql_too_long", &[NOTES_DDL]).await else {
        return;
    };
    let slug = "s".repeat(256);
    let refused = db
        .insert::<Record>(
            &NOTES,
            &Scope::root(),
            record(json!({"slug": slug, "body": "x"})),
        )
        .await;
    assert!(
        matches!(refused, Err(StoreError::Unstorable(_))),
        "{refused:?}"
    );
    assert_eq!(rows_in(&db, "notes").await, 0);

    let (key, _): (Key, Record) = db
        .insert(
            &NOTES,
            &Scope::root(),
            record(json!({"slug": "Intro", "body": "x"})),
        )
        .await
        .expect("stored");
    let other_case: Option<Record> = db
        .fetch(&NOTES, &Scope::root(), &Key::from("intro"))
        .await
        .expect("read");
    assert_eq!(other_case, None, "keys compare byte for byte");
    assert!(
        db.fetch::<Record>(&NOTES, &Scope::root(), &key)
            .await
            .expect("read")
            .is_some()
    );
}

#[tokio::test]
async fn mysql_a_custom_read_compares_native_columns_and_matches_text_in_any_case() {
    let Some(db) = mysql("mysql_custom_read", &[DEVICES_DDL, GADGETS_DDL[0]]).await else {
        return;
    };
    devices_compare_across_offsets(&db).await;
    let early = db
        .count(
            &DEVICES,
            &Scope::root(),
            &Select::new().filter(DeviceField::BornOn.between("2020-01-01", "2021-12-31")),
        )
        .await
        .expect("counted");
    assert_eq!(early, 2);

    for name in ["Desk Lamp", "fan", "LAMP_100%"] {
        let _: (Key, Record) = db
            .insert(&GADGETS, &Scope::root(), record(json!({"name": name})))
            .await
            .expect("stored");
    }
    let lamps: Vec<Record> = db
        .select(
            &GADGETS,
            &Scope::root(),
            &Select::new().filter(GadgetName.contains("lamp")),
        )
        .await
        .expect("selected");
    let names: Vec<&Value> = lamps.iter().map(|g| &g["name"]).collect();
    assert_eq!(names, [&json!("Desk Lamp"), &json!("LAMP_100%")]);
    let percent = db
        .count(
            &GADGETS,
            &Scope::root(),
            &Select::new().filter(GadgetName.contains("0%")),
        )
        .await
        .expect("counted");
    assert_eq!(percent, 1, "`%` is matched as itself");
}

/// The gadgets' `name`, as a generated field enum names it.
#[derive(Debug, Clone, Copy)]
struct GadgetName;

impl Field for GadgetName {
    fn column(self) -> &'static str {
        "name"
    }
    fn kind(self) -> super::ColumnKind {
        super::ColumnKind::Text
    }
}
