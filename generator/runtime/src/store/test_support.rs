//! What the store's tests share: a `gadgets` table (and its model), a listing, and
//! databases holding it, in memory or in a SQLite file of their own; and the tables the
//! tests on PostgreSQL and MySQL share (each file has their DDL in its dialect).

use super::{
    Column, ColumnKind, Database, Key, KeyColumn, KeyKind, ListShape, Listing, Parent,
    PoolSettings, Record, Scope, Statements, Table, default_max_writers,
};
use serde_json::{Value, json};
use sqlx::AssertSqlSafe;
use std::time::Duration;

/// A table of every column kind, at the top level.
pub(super) static GADGETS: Table = Table {
    name: "gadgets",
    owner: None,
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

/// How many rows `table` holds.
pub(super) async fn rows_in(db: &Database, table: &str) -> i64 {
    sqlx::query_scalar(AssertSqlSafe(format!("SELECT COUNT(*) FROM \"{table}\"")))
        .fetch_one(db.pool())
        .await
        .expect("rows counted")
}

/// Devices, keyed by a UUID and listed in creation order: a column of every native type.
pub(super) static DEVICES: Table = Table {
    name: "devices",
    owner: None,
    key: KeyColumn {
        field: "id",
        column: "id",
        kind: KeyKind::Uuid,
    },
    parents: &[],
    parent: None,
    columns: &[
        Column {
            field: "seenAt",
            name: "seen_at",
            kind: ColumnKind::Timestamp,
            required: false,
            unique: false,
            references: None,
        },
        Column {
            field: "bornOn",
            name: "born_on",
            kind: ColumnKind::Date,
            required: false,
            unique: false,
            references: None,
        },
        Column {
            field: "ownerId",
            name: "owner_id",
            kind: ColumnKind::Uuid,
            required: false,
            unique: false,
            references: None,
        },
        Column {
            field: "settings",
            name: "settings",
            kind: ColumnKind::Json,
            required: false,
            unique: false,
            references: None,
        },
        Column {
            field: "active",
            name: "active",
            kind: ColumnKind::Boolean,
            required: false,
            unique: false,
            references: None,
        },
        Column {
            field: "weight",
            name: "weight",
            kind: ColumnKind::Real,
            required: false,
            unique: false,
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
    ],
    fills: &[],
    read_only: &[],
    sequence: true,
    statements: Statements::new(),
};

pub(super) const OWNER: &str = "6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b";

/// Past 2^53: an integer a float would round.
pub(super) const BIG: i64 = 9_007_199_254_740_993;

pub(super) fn a_device() -> Record {
    record(json!({
        "seenAt": "2024-03-10T14:30:15.123456+02:00",
        "bornOn": "2024-02-29",
        "ownerId": OWNER,
        "settings": {"tags": ["a", "b"], "depth": 1.5, "on": null},
        "active": true,
        "weight": 2.5,
        "count": BIG,
    }))
}

/// Parts of a gadget: the gadget's key is the part's `gadgetId` field, and a part goes
/// with its gadget.
pub(super) static PARTS: Table = Table {
    name: "parts",
    owner: None,
    key: KeyColumn {
        field: "id",
        column: "id",
        kind: KeyKind::Integer,
    },
    parents: PART_PARENTS,
    parent: Some(&GADGETS),
    columns: PART_COLUMNS,
    fills: &[],
    read_only: &["gadgetId"],
    sequence: false,
    statements: Statements::new(),
};

/// The same parts, kept when their gadget is deleted: deleting it is refused.
pub(super) static KEPT_PARTS: Table = Table {
    name: "kept_parts",
    owner: None,
    key: KeyColumn {
        field: "id",
        column: "id",
        kind: KeyKind::Integer,
    },
    parents: PART_PARENTS,
    parent: Some(&GADGETS),
    columns: PART_COLUMNS,
    fills: &[],
    read_only: &["gadgetId"],
    sequence: false,
    statements: Statements::new(),
};

pub(super) const PART_PARENTS: &[Parent] = &[Parent {
    column: "gadget_id",
    kind: ColumnKind::Integer,
    field: Some("gadgetId"),
}];
pub(super) const PART_COLUMNS: &[Column] = &[
    Column {
        field: "gadgetId",
        name: "gadget_id",
        kind: ColumnKind::Integer,
        required: true,
        unique: false,
        references: None,
    },
    Column {
        field: "name",
        name: "name",
        kind: ColumnKind::Text,
        required: true,
        unique: false,
        references: None,
    },
];

pub(super) async fn lamp(db: &Database) -> Key {
    let (gadget, _): (Key, Record) = db
        .insert(&GADGETS, &Scope::root(), record(json!({"name": "lamp"})))
        .await
        .expect("stored");
    gadget
}

/// Notes keyed by client-chosen text.
pub(super) static NOTES: Table = Table {
    name: "notes",
    owner: None,
    key: KeyColumn {
        field: "slug",
        column: "slug",
        kind: KeyKind::Text,
    },
    parents: &[],
    parent: None,
    columns: &[Column {
        field: "body",
        name: "body",
        kind: ColumnKind::Text,
        required: false,
        unique: false,
        references: None,
    }],
    fills: &[],
    read_only: &[],
    sequence: true,
    statements: Statements::new(),
};

/// The devices' fields, as a resource's generated enum names them.
#[derive(Debug, Clone, Copy)]
pub(super) enum DeviceField {
    SeenAt,
    BornOn,
    OwnerId,
}

impl crate::store::Field for DeviceField {
    fn column(self) -> &'static str {
        match self {
            DeviceField::SeenAt => "seen_at",
            DeviceField::BornOn => "born_on",
            DeviceField::OwnerId => "owner_id",
        }
    }

    fn kind(self) -> ColumnKind {
        match self {
            DeviceField::SeenAt => ColumnKind::Timestamp,
            DeviceField::BornOn => ColumnKind::Date,
            DeviceField::OwnerId => ColumnKind::Uuid,
        }
    }
}

/// Three devices seen at times in different offsets: a custom read compares the instants,
/// whatever offset each was written in, and orders by them.
pub(super) async fn devices_compare_across_offsets(db: &Database) {
    use super::{Field, Order, Select};
    for (seen, born) in [
        ("2024-03-10T12:00:00Z", "2020-01-01"),
        ("2024-03-10T13:30:00+02:00", "2021-06-15"),
        ("2024-03-10T15:00:00+01:00", "2022-12-31"),
    ] {
        let _: (Key, Record) = db
            .insert(
                &DEVICES,
                &Scope::root(),
                record(json!({"seenAt": seen, "bornOn": born, "ownerId": OWNER})),
            )
            .await
            .expect("stored");
    }
    // 13:30+02:00 is 11:30Z, before noon; 15:00+01:00 is 14:00Z, after it.
    let after_noon: Vec<Record> = db
        .select(
            &DEVICES,
            &Scope::root(),
            &Select::new()
                .filter(DeviceField::SeenAt.at_least("2024-03-10T14:00:00+02:00"))
                .order_by(DeviceField::SeenAt, Order::Descending),
        )
        .await
        .expect("selected");
    let born: Vec<&Value> = after_noon.iter().map(|d| &d["bornOn"]).collect();
    assert_eq!(born, [&json!("2022-12-31"), &json!("2020-01-01")]);
}
