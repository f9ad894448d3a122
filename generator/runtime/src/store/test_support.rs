//! What the store's tests share: a `gadgets` table (and its model), a listing, and
//! databases holding it, in memory or in a SQLite file of their own.

use super::{
    Column, ColumnKind, Database, KeyColumn, KeyKind, ListShape, Listing, PoolSettings, Record,
    Statements, Table, default_max_writers,
};
use serde_json::Value;
use std::time::Duration;

/// A table of every column kind, at the top level.
pub(super) static GADGETS: Table = Table {
    name: "gadgets",
    key: KeyColumn {
        field: "id",
        column: "id",
        kind: KeyKind::Integer,
    },
    parents: &[],
    parent: None,
    columns: &[
        Column {
            field: "name",
            name: "name",
            kind: ColumnKind::Text,
            required: true,
            unique: false,
            references: None,
        },
        Column {
            field: "nickName",
            name: "nick_name",
            kind: ColumnKind::Text,
            required: false,
            unique: false,
            references: None,
        },
        Column {
            field: "serial",
            name: "serial",
            kind: ColumnKind::Text,
            required: true,
            unique: true,
            references: None,
        },
        Column {
            field: "count",
            name: "count",
            kind: ColumnKind::Integer,
            required: false,
            unique: false,
            references: None,
        },
        Column {
            field: "ratio",
            name: "ratio",
            kind: ColumnKind::Real,
            required: false,
            unique: false,
            references: None,
        },
        Column {
            field: "on",
            name: "on",
            kind: ColumnKind::Boolean,
            required: false,
            unique: false,
            references: None,
        },
        Column {
            field: "extra",
            name: "extra",
            kind: ColumnKind::Json,
            required: false,
            unique: false,
            references: None,
        },
    ],
    fills: &[],
    read_only: &[],
    sequence: false,
    statements: Statements::new(),
};

/// A plain array of items, 20 to a page.
pub(super) static LISTING: Listing = Listing {
    default_limit: 20,
    max_limit: 100,
    zero_based_page: false,
    shape: ListShape::Array,
};

/// The model of an item of [`GADGETS`].
#[derive(Debug, PartialEq, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Gadget {
    pub(super) id: i64,
    pub(super) name: String,
    pub(super) nick_name: Option<String>,
    pub(super) serial: Option<String>,
    pub(super) count: Option<i64>,
    pub(super) ratio: Option<f64>,
    pub(super) on: Option<bool>,
    pub(super) extra: Option<Value>,
}

/// An in-memory database with the gadgets table.
pub(super) async fn gadgets() -> Database {
    let db = Database::in_memory().await.expect("in-memory SQLite");
    sqlx::query(
        r#"CREATE TABLE "gadgets" ("id" INTEGER PRIMARY KEY AUTOINCREMENT, "name" TEXT NOT NULL,
            "nick_name" TEXT, "serial" TEXT UNIQUE, "count" INTEGER, "ratio" REAL, "on" INTEGER, "extra" TEXT)"#,
    )
    .execute(db.pool())
    .await
    .expect("the table is created");
    db
}

/// A JSON object as a record.
pub(super) fn record(value: Value) -> Record {
    match value {
        Value::Object(record) => record,
        other => panic!("not an object: {other}"),
    }
}

/// A SQLite file of its own with the gadgets table, on a pool of `connections`.
pub(super) async fn gadgets_on_file(connections: u32) -> (Database, std::path::PathBuf) {
    gadgets_on_file_with(connections, default_max_writers()).await
}

/// The same, with `writers` write turns.
pub(super) async fn gadgets_on_file_with(
    connections: u32,
    writers: usize,
) -> (Database, std::path::PathBuf) {
    let path = std::env::temp_dir().join(format!(
        "specgen-store-{}.db",
        uuid::Uuid::new_v4().simple()
    ));
    let settings = PoolSettings {
        max_connections: connections,
        acquire_timeout: Duration::from_secs(1),
        max_writers: Some(writers),
    };
    let url = format!("sqlite://{}?mode=rwc", path.display());
    let db = Database::connect(&url, settings)
        .await
        .expect("a SQLite file");
    sqlx::query(
        r#"CREATE TABLE "gadgets" ("id" INTEGER PRIMARY KEY AUTOINCREMENT, "name" TEXT NOT NULL,
            "nick_name" TEXT, "serial" TEXT UNIQUE, "count" INTEGER, "ratio" REAL, "on" INTEGER, "extra" TEXT)"#,
    )
    .execute(db.pool())
    .await
    .expect("the table is created");
    (db, path)
}

/// Removes a SQLite file and its WAL companions.
pub(super) fn remove_database(path: &std::path::Path) {
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
}
