//! Append-only migrations. The first generation writes `0001_init.sql` for each dialect;
//! when a later spec changes the tables, regen writes the next numbered file with just the
//! difference (new tables, new columns, new indexes) and never touches one that may have
//! been applied. The layout the migrations so far create is recorded in
//! `.specgen/schema.json`, which is what the next difference is computed against.

use askama::Template;
use serde::{Deserialize, Serialize};

use super::schema_change;
use super::{EmitError, OutputFile, Ownership};
use crate::ir::{
    Api, Column, ColumnKind, ItemOwner, KeyKind, OWNER_COLUMN, OnDelete, Resource, SEQUENCE_COLUMN,
};

/// Where the layout of the applied migrations is recorded.
pub const LAYOUT_PATH: &str = ".specgen/schema.json";

/// A SQL dialect migrations are written for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
    /// MySQL and MariaDB.
    MySql,
}

impl Dialect {
    pub const ALL: [Dialect; 3] = [Dialect::Sqlite, Dialect::Postgres, Dialect::MySql];

    /// The folder under `migrations/`, and the name the files' headers give.
    pub fn folder(self) -> &'static str {
        match self {
            Dialect::Sqlite => "sqlite",
            Dialect::Postgres => "postgres",
            Dialect::MySql => "mysql",
        }
    }
}

/// The tables the migrations create, per dialect.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Layout {
    pub tables: Vec<TableLayout>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableLayout {
    /// Quoted table name.
    pub name: String,
    /// Column definitions (quoted name, type, constraints), by dialect.
    pub sqlite: Vec<String>,
    pub postgres: Vec<String>,
    /// Empty in layouts recorded before MySQL was a dialect.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub mysql: Vec<String>,
    /// `CREATE INDEX` statements.
    pub indexes: Vec<String>,
    /// Quoted names of the columns that hold the enclosing items' keys, outermost first.
    /// Layouts recorded before this was (when those were always `parent_*` columns) read
    /// as empty; [`TableLayout::parent_columns`] finds them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub parents: Vec<String>,
}

impl TableLayout {
    /// The columns holding the enclosing items' keys: recorded, or for a layout recorded
    /// before they were, the `parent_*` columns, which were always `NOT NULL` text.
    pub fn parent_columns(&self) -> Vec<String> {
        if !self.parents.is_empty() {
            return self.parents.clone();
        }
        self.sqlite
            .iter()
            .filter(|d| d.starts_with("\"parent_") && d.ends_with(" TEXT NOT NULL"))
            .map(|d| column_name(d).to_owned())
            .collect()
    }
}

impl TableLayout {
    /// The column definitions for `dialect`.
    pub fn columns(&self, dialect: Dialect) -> &[String] {
        match dialect {
            Dialect::Sqlite => &self.sqlite,
            Dialect::Postgres => &self.postgres,
            Dialect::MySql => &self.mysql,
        }
    }
}

/// A migration file already in the project: its version and description.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExistingMigration {
    pub version: i64,
    pub description: String,
}

/// What the project already has: its migrations and the layout they create.
#[derive(Debug, Clone, Default)]
pub struct MigrationHistory {
    /// The SQLite and PostgreSQL migrations (the two always have the same files).
    pub migrations: Vec<ExistingMigration>,
    /// The MySQL migrations: none in a project made before MySQL was a dialect.
    pub mysql: Vec<ExistingMigration>,
    pub layout: Option<Layout>,
}

/// Every migration of a project, by dialect.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MigrationLists {
    /// SQLite's and PostgreSQL's.
    pub shared: Vec<ExistingMigration>,
    pub mysql: Vec<ExistingMigration>,
}

pub(super) fn quote_sql(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// A column's type per dialect. SQLite keeps dates, times and UUIDs as text (its own
/// date functions read RFC 3339 text); PostgreSQL and MySQL get their native types.
fn sql_types(kind: ColumnKind) -> (&'static str, &'static str) {
    match kind {
        ColumnKind::Text => ("TEXT", "TEXT"),
        ColumnKind::Integer => ("INTEGER", "BIGINT"),
        ColumnKind::Real => ("REAL", "DOUBLE PRECISION"),
        // The Any driver cannot read SQLite's BOOLEAN type: store 0/1.
        ColumnKind::Boolean => ("INTEGER", "BOOLEAN"),
        ColumnKind::Timestamp => ("TEXT", "TIMESTAMPTZ"),
        ColumnKind::Date => ("TEXT", "DATE"),
        ColumnKind::Uuid => ("TEXT", "UUID"),
        ColumnKind::Json => ("TEXT", "JSONB"),
    }
}

/// What MySQL indexes text in: a key, a column that holds one, a unique column. Its
/// `TEXT` types cannot be keys, and an index entry holds at most 3072 bytes, 768
/// four-byte characters; a longer value is refused as unstorable (400), never cut.
const MYSQL_KEY_TEXT: &str = "VARCHAR(255)";
const MYSQL_UNIQUE_TEXT: &str = "VARCHAR(768)";

/// A column's MySQL type. Times are `DATETIME(6)` in UTC (the runtime sets the session's
/// zone to UTC and writes UTC); text is `LONGTEXT` unless it is indexed.
fn mysql_type(kind: ColumnKind, indexed: Option<&'static str>) -> &'static str {
    match kind {
        ColumnKind::Text => indexed.unwrap_or("LONGTEXT"),
        ColumnKind::Integer => "BIGINT",
        ColumnKind::Real => "DOUBLE",
        ColumnKind::Boolean => "BOOLEAN",
        ColumnKind::Timestamp => "DATETIME(6)",
        ColumnKind::Date => "DATE",
        ColumnKind::Uuid => "CHAR(36)",
        ColumnKind::Json => "JSON",
    }
}

/// The options every MySQL table is created with: InnoDB (foreign keys, transactions)
/// and text compared byte for byte, as on the other dialects (MySQL's default collations
/// ignore case, so `Bob` would find `bob`'s item and collide with it in a unique index).
pub(super) const MYSQL_TABLE_OPTIONS: &str =
    " ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin";

fn table_layout(api: &Api, resource: &Resource) -> TableLayout {
    let key = quote_sql(&resource.key.column);
    let mut sqlite = vec![match resource.key.kind {
        KeyKind::Integer => format!("{key} INTEGER PRIMARY KEY AUTOINCREMENT"),
        _ => format!("{key} TEXT PRIMARY KEY"),
    }];
    let mut postgres = vec![match resource.key.kind {
        KeyKind::Integer => format!("{key} BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY"),
        KeyKind::Uuid => format!("{key} UUID PRIMARY KEY"),
        KeyKind::Text => format!("{key} TEXT PRIMARY KEY"),
    }];
    let mut mysql = vec![match resource.key.kind {
        KeyKind::Integer => format!("{key} BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY"),
        KeyKind::Uuid => format!("{key} CHAR(36) PRIMARY KEY"),
        KeyKind::Text => format!("{key} {MYSQL_KEY_TEXT} PRIMARY KEY"),
    }];
    // The enclosing item's key refers to it: deleting it cascades, or is refused.
    let link = resource
        .parent_link()
        .zip(resource.parent)
        .map(|(link, parent)| {
            let parent = api.resource(parent);
            let action = match resource.on_delete {
                OnDelete::Cascade => "CASCADE",
                OnDelete::Restrict => "RESTRICT",
            };
            (
                link.column.as_str(),
                format!(
                    " REFERENCES {} ({}) ON DELETE {action}",
                    quote_sql(&parent.table),
                    quote_sql(&parent.key.column)
                ),
            )
        });
    // A field that refers to another resource's items: deleting one of those is refused
    // while it is referred to, or clears the reference when the field may be null.
    let referring: Vec<(&str, String)> = resource
        .columns
        .iter()
        .filter_map(|column| {
            let target = api.resource(column.references?);
            let action = if column.not_null {
                "RESTRICT"
            } else {
                "SET NULL"
            };
            Some((
                column.name.as_str(),
                format!(
                    " REFERENCES {} ({}) ON DELETE {action}",
                    quote_sql(&target.table),
                    quote_sql(&target.key.column)
                ),
            ))
        })
        .collect();
    let references = |column: &str| match &link {
        Some((linked, clause)) if *linked == column => clause.clone(),
        _ => referring
            .iter()
            .find(|(name, _)| *name == column)
            .map(|(_, clause)| clause.clone())
            .unwrap_or_default(),
    };
    for parent in resource.parents.iter().filter(|p| p.field.is_none()) {
        let (lite, pg) = sql_types(parent.kind);
        let name = quote_sql(&parent.column);
        let references = references(&parent.column);
        let my = mysql_type(parent.kind, Some(MYSQL_KEY_TEXT));
        sqlite.push(format!("{name} {lite} NOT NULL{references}"));
        postgres.push(format!("{name} {pg} NOT NULL{references}"));
        mysql.push(format!("{name} {my} NOT NULL{references}"));
    }
    for column in &resource.columns {
        let name = quote_sql(&column.name);
        let (lite, pg) = sql_types(column.kind);
        let not_null = if column.not_null { " NOT NULL" } else { "" };
        let references = references(&column.name);
        let indexed = if !references.is_empty() {
            Some(MYSQL_KEY_TEXT)
        } else if column.unique {
            Some(MYSQL_UNIQUE_TEXT)
        } else {
            None
        };
        let my = mysql_type(column.kind, indexed);
        let check = enum_check(&resource.table, column);
        sqlite.push(format!("{name} {lite}{not_null}{references}"));
        postgres.push(format!("{name} {pg}{not_null}{check}{references}"));
        mysql.push(format!("{name} {my}{not_null}{check}{references}"));
    }
    // Who created each item (`<kind>:<subject>`); null for items stored before owners were
    // recorded, which only administrators see.
    if resource.owner == ItemOwner::Creator {
        let name = quote_sql(OWNER_COLUMN);
        sqlite.push(format!("{name} TEXT"));
        postgres.push(format!("{name} TEXT"));
        mysql.push(format!("{name} {MYSQL_KEY_TEXT}"));
    }
    if resource.needs_sequence() {
        postgres.push(format!(
            "{} BIGINT GENERATED BY DEFAULT AS IDENTITY UNIQUE",
            quote_sql(SEQUENCE_COLUMN)
        ));
        mysql.push(format!(
            "{} BIGINT NOT NULL AUTO_INCREMENT UNIQUE",
            quote_sql(SEQUENCE_COLUMN)
        ));
    }
    let table = quote_sql(&resource.table);
    let mut indexes = Vec::new();
    let parents: Vec<String> = resource
        .parents
        .iter()
        .map(|p| quote_sql(&p.column))
        .collect();
    if !parents.is_empty() {
        // Named after its columns: a project from before parent keys moved into their
        // fields has `<table>_parent_idx` on the old columns.
        let name = resource
            .parents
            .iter()
            .map(|p| p.column.as_str())
            .collect::<Vec<_>>()
            .join("_");
        indexes.push(format!(
            "CREATE INDEX {} ON {table} ({})",
            quote_sql(&sql_name(&format!("{}_{name}_idx", resource.table))),
            parents.join(", ")
        ));
    }
    // Lists of a caller's items filter on the owner.
    let owner_column = match &resource.owner {
        ItemOwner::Shared => None,
        ItemOwner::Creator => Some(OWNER_COLUMN),
        ItemOwner::Field { column, .. } => Some(column.as_str()),
    };
    if let Some(column) = owner_column {
        indexes.push(format!(
            "CREATE INDEX {} ON {table} ({})",
            quote_sql(&sql_name(&format!(
                "{}_{}_idx",
                resource.table,
                column.trim_start_matches('_')
            ))),
            quote_sql(column)
        ));
    }
    for column in resource.columns.iter().filter(|c| c.unique) {
        indexes.push(format!(
            "CREATE UNIQUE INDEX {} ON {table} ({})",
            quote_sql(&unique_index_name(resource, &column.name)),
            quote_sql(&column.name)
        ));
    }
    TableLayout {
        name: table,
        sqlite,
        postgres,
        mysql,
        indexes,
        parents,
    }
}

/// ` CONSTRAINT "<table>_<column>_check" CHECK ("column" IN (...))` for an enum field,
/// else nothing. Named, so that a spec that changes the values replaces it. Not on SQLite:
/// it cannot change a `CHECK` without rebuilding the table, and an enum that gains a value
/// would be refused there until someone did.
fn enum_check(table: &str, column: &Column) -> String {
    if column.allowed.is_empty() {
        return String::new();
    }
    let values: Option<Vec<String>> = column
        .allowed
        .iter()
        .map(|value| match column.kind {
            ColumnKind::Integer => value.parse::<i64>().ok().map(|i| i.to_string()),
            ColumnKind::Text => Some(format!("'{}'", value.replace('\'', "''"))),
            _ => None,
        })
        .collect();
    let Some(values) = values else {
        return String::new();
    };
    format!(
        " CONSTRAINT {} CHECK ({} IN ({}))",
        quote_sql(&sql_name(&format!("{table}_{}_check", column.name))),
        quote_sql(&column.name),
        values.join(", ")
    )
}

/// The unique index on a column: the runtime finds the field a conflict is about by it.
pub fn unique_index_name(resource: &Resource, column: &str) -> String {
    sql_name(&format!("{}_{column}_key", resource.table))
}

/// A constraint or index name as every dialect keeps it: as it is when it fits
/// PostgreSQL's 63 bytes (MySQL allows 64 characters; PostgreSQL cuts longer names, MySQL
/// refuses them), else cut at a character boundary and ended with a hash of the whole name,
/// so that two long names that begin alike stay apart. The runtime's `store::table`
/// shortens the names it looks for the same way (a test in each pins the same result).
pub fn sql_name(name: &str) -> String {
    const MAX: usize = 63;
    if name.len() <= MAX {
        return name.to_owned();
    }
    // FNV-1a, 32 bits: stable across Rust versions, unlike std's hasher.
    let hash = name.bytes().fold(0x811c_9dc5_u32, |hash, byte| {
        (hash ^ u32::from(byte)).wrapping_mul(0x0100_0193)
    });
    let mut cut = MAX - 9;
    while !name.is_char_boundary(cut) {
        cut -= 1;
    }
    format!("{}_{hash:08x}", &name[..cut])
}

/// The layout the spec's resources need now.
pub fn layout(api: &Api) -> Layout {
    Layout {
        tables: api
            .resources
            .iter()
            .map(|resource| table_layout(api, resource))
            .collect(),
    }
}

#[derive(Template)]
#[template(path = "sql/init.sql.txt", escape = "none")]
struct InitSql<'a> {
    title: &'a str,
    dialect: &'a str,
    /// What the project's migrations already did, for a dialect that joins later.
    preamble: Option<String>,
    tables: Vec<TableDdl>,
    /// Foreign keys added once every table exists.
    trailer: Vec<String>,
}

#[derive(Template)]
#[template(path = "sql/change.sql.txt", escape = "none")]
struct ChangeSql<'a> {
    title: &'a str,
    dialect: &'a str,
    statements: Vec<String>,
    notes: Vec<String>,
}

struct TableDdl {
    name: String,
    columns: Vec<String>,
    /// Table options after the closing parenthesis (MySQL's engine and collation).
    options: &'static str,
    indexes: Vec<String>,
}

pub(super) fn column_name(definition: &str) -> &str {
    // A definition starts with its quoted name.
    definition
        .strip_prefix('"')
        .and_then(|rest| rest.find('"').map(|end| &definition[..end + 2]))
        .unwrap_or(definition)
}

fn render<T: Template>(template: &T, name: &str) -> Result<String, EmitError> {
    let mut text = template.render().map_err(|e| EmitError::Template {
        template: name.to_owned(),
        message: e.to_string(),
    })?;
    if !text.ends_with('\n') {
        text.push('\n');
    }
    Ok(text)
}

/// The migration files to write now (none when the tables did not change), the list of
/// every migration the project then has, and the layout record.
pub struct Planned {
    pub files: Vec<OutputFile>,
    pub all: MigrationLists,
}

/// The first migration of `dialect`: every table of `layout`.
fn init_sql(
    api: &Api,
    layout: &Layout,
    dialect: Dialect,
    preamble: Option<String>,
) -> Result<String, EmitError> {
    let mut trailer = Vec::new();
    let mut tables = Vec::new();
    for (position, t) in layout.tables.iter().enumerate() {
        let columns = t.columns(dialect);
        let (columns, deferred) = if dialect == Dialect::Sqlite {
            (columns.to_vec(), Vec::new())
        } else {
            let later: Vec<&str> = layout.tables[position + 1..]
                .iter()
                .map(|t| t.name.as_str())
                .collect();
            schema_change::defer_forward_references(&t.name, columns, &later)
        };
        let (columns, options) = schema_change::table_body(&t.name, &columns, dialect);
        trailer.extend(deferred);
        tables.push(TableDdl {
            name: t.name.clone(),
            columns,
            options,
            indexes: t.indexes.clone(),
        });
    }
    let text = render(
        &InitSql {
            title: &api.title,
            dialect: dialect.folder(),
            preamble,
            tables,
            trailer,
        },
        "sql/init.sql.txt",
    )?;
    Ok(for_dialect(text, dialect))
}

/// A migration's text as `dialect` reads it: MySQL's with backtick identifiers, so that it
/// also runs by hand, outside the server (which sets `ANSI_QUOTES`).
fn for_dialect(text: String, dialect: Dialect) -> String {
    match dialect {
        Dialect::MySql => schema_change::mysql_identifiers(&text),
        _ => text,
    }
}

pub fn plan(api: &Api, history: &MigrationHistory) -> Result<Planned, EmitError> {
    let mut new = layout(api);
    if let Some(old) = &history.layout {
        schema_change::keep_existing_indexes(old, &mut new);
    }
    let mut all = MigrationLists {
        shared: history.migrations.clone(),
        mysql: history.mysql.clone(),
    };
    let mut files = Vec::new();
    let next = all
        .shared
        .iter()
        .chain(&all.mysql)
        .map(|m| m.version)
        .max()
        .unwrap_or(0)
        + 1;
    let mut write = |dialect: Dialect, description: &str, text: String| {
        files.push(OutputFile::new(
            format!(
                "migrations/{}/{next:04}_{description}.sql",
                dialect.folder()
            ),
            text,
            Ownership::Scaffold,
        ));
    };
    let added = |list: &mut Vec<ExistingMigration>, description: &str| {
        list.push(ExistingMigration {
            version: next,
            description: description.to_owned(),
        });
    };
    match &history.layout {
        None if new.tables.is_empty() => {}
        None => {
            for dialect in Dialect::ALL {
                write(dialect, "init", init_sql(api, &new, dialect, None)?);
            }
            added(&mut all.shared, "init");
            added(&mut all.mysql, "init");
        }
        Some(old) => {
            if *old != new {
                for dialect in [Dialect::Sqlite, Dialect::Postgres] {
                    let (statements, notes) = schema_change::difference(old, &new, dialect);
                    let text = render(
                        &ChangeSql {
                            title: &api.title,
                            dialect: dialect.folder(),
                            statements,
                            notes,
                        },
                        "sql/change.sql.txt",
                    )?;
                    write(dialect, "spec_change", text);
                }
                added(&mut all.shared, "spec_change");
            }
            let mysql_began =
                old.tables.iter().any(|t| !t.mysql.is_empty()) || !history.mysql.is_empty();
            if !mysql_began && !new.tables.is_empty() {
                // A project from before MySQL was a dialect: its first MySQL migration
                // creates the tables as the others' migrations have made them by now.
                let preamble = format!(
                    "-- The project's migrations up to {:04} made these tables on the other dialects;\n-- MySQL begins here, with every table as it now is.",
                    next - 1
                );
                write(
                    Dialect::MySql,
                    "init_mysql",
                    init_sql(api, &new, Dialect::MySql, Some(preamble))?,
                );
                added(&mut all.mysql, "init_mysql");
            } else if *old != new {
                let (statements, notes) = schema_change::difference(old, &new, Dialect::MySql);
                let text = render(
                    &ChangeSql {
                        title: &api.title,
                        dialect: Dialect::MySql.folder(),
                        statements,
                        notes,
                    },
                    "sql/change.sql.txt",
                )?;
                write(
                    Dialect::MySql,
                    "spec_change",
                    for_dialect(text, Dialect::MySql),
                );
                added(&mut all.mysql, "spec_change");
            }
        }
    }
    if !new.tables.is_empty() || history.layout.is_some() {
        let mut json = serde_json::to_string_pretty(&new).unwrap_or_default();
        json.push('\n');
        files.push(OutputFile::new(LAYOUT_PATH, json, Ownership::Generated));
    }
    Ok(Planned { files, all })
}

/// `0001_init.sql` → version 1, description `init`.
pub fn parse_file_name(name: &str) -> Option<ExistingMigration> {
    let stem = name.strip_suffix(".sql")?;
    let (version, description) = stem.split_once('_').unwrap_or((stem, ""));
    Some(ExistingMigration {
        version: version.parse().ok()?,
        description: description.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_constraint_name_is_cut_to_63_bytes_with_a_hash_of_the_whole() {
        assert_eq!(sql_name("posts_author_id_fkey"), "posts_author_id_fkey");
        let long = "organization_membership_invitations_organization_membership_id_fkey";
        let short = sql_name(long);
        assert_eq!(
            short,
            "organization_membership_invitations_organization_membe_fbb098db"
        );
        assert_eq!(short.len(), 63);
        assert_ne!(
            sql_name(&long.replace("_fkey", "_key")),
            short,
            "names that begin alike stay apart"
        );
    }

    #[test]
    fn migration_file_names_give_version_and_description() {
        assert_eq!(
            parse_file_name("0002_spec_change.sql"),
            Some(ExistingMigration {
                version: 2,
                description: "spec_change".to_owned()
            })
        );
        assert_eq!(parse_file_name("notes.txt"), None);
    }
}
