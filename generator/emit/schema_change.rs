//! The statements that take the tables the applied migrations made to the tables the spec
//! needs now, and notes on what they leave for a person to decide.
//!
//! The rule is that nothing stored is lost and nothing already applied is rewritten:
//!
//! - new tables, columns and indexes are created; a column added to a table that has rows
//!   cannot be `NOT NULL`, so that constraint becomes a note;
//! - on PostgreSQL a column whose type changed is converted in place (`USING "c"::type`:
//!   text to `timestamptz`, `uuid`, `bigint`...), a foreign key is added `NOT VALID` (new
//!   rows are checked, old ones are left as they are), and a `NOT NULL` that went away is
//!   dropped. A new `NOT NULL` on existing rows is a note with the statement to run once no
//!   row holds a null: run blind, it would stop the server at start-up;
//! - SQLite cannot change a column's type or constraints in place: those are notes (its
//!   columns take any type, so the data still reads back);
//! - an enclosing item's key that moved into the item's own field (`parent_post_id` →
//!   `post_id`) is copied over, then the old column and its index are dropped;
//! - columns and tables the spec no longer has are kept with their data, with a note.

use super::migrations::{Dialect, Layout, TableLayout, column_name};

/// A column definition as the layout writes it: `"name" TYPE [PRIMARY KEY] [GENERATED ...]
/// [NOT NULL] [UNIQUE] [CONSTRAINT "n" CHECK (...)] [REFERENCES "t" ("c") ON DELETE ...]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct ColumnDef<'a> {
    name: &'a str,
    ty: &'a str,
    not_null: bool,
    /// `CONSTRAINT "n" CHECK (...)`, an enum's values.
    check: Option<&'a str>,
    references: Option<&'a str>,
}

impl<'a> ColumnDef<'a> {
    fn parse(definition: &'a str) -> Self {
        let name = column_name(definition);
        let rest = definition[name.len()..].trim_start();
        let ty_end = [
            " NOT NULL",
            " PRIMARY KEY",
            " REFERENCES",
            " GENERATED",
            " AUTO_INCREMENT",
            " UNIQUE",
            " CONSTRAINT",
        ]
        .iter()
        .filter_map(|keyword| rest.find(keyword))
        .min()
        .unwrap_or(rest.len());
        Self {
            name,
            ty: &rest[..ty_end],
            not_null: rest.contains(" NOT NULL") || rest.contains(" PRIMARY KEY"),
            check: rest.find(" CONSTRAINT ").map(|at| {
                let check = &rest[at + 1..];
                check
                    .find(" REFERENCES ")
                    .map_or(check, |end| &check[..end])
            }),
            references: rest
                .find(" REFERENCES ")
                .map(|at| &rest[at + " REFERENCES ".len()..]),
        }
    }
}

/// Enclosing keys that moved to another column: (old column, new column), both quoted.
fn moved_parents(before: &TableLayout, after: &TableLayout) -> Vec<(String, String)> {
    let after_columns: Vec<&str> = after.sqlite.iter().map(|d| column_name(d)).collect();
    before
        .parent_columns()
        .into_iter()
        .zip(after.parents.iter())
        .filter(|(old, new)| old != *new && !after_columns.contains(&old.as_str()))
        .map(|(old, new)| (old, new.clone()))
        .collect()
}

/// Whether an index statement covers `column` (quoted).
fn index_covers(index: &str, column: &str) -> bool {
    index
        .rsplit_once('(')
        .is_some_and(|(_, columns)| columns.contains(column))
}

/// The name of the index a statement creates, quoted.
fn index_name(index: &str) -> Option<&str> {
    let rest = index.split(" INDEX ").nth(1)?;
    let rest = rest.strip_prefix("IF NOT EXISTS ").unwrap_or(rest);
    Some(column_name(rest))
}

/// The statements that take `old` to `new`, and notes on what they leave alone.
pub(super) fn difference(
    old: &Layout,
    new: &Layout,
    dialect: Dialect,
) -> (Vec<String>, Vec<String>) {
    let mysql = dialect == Dialect::MySql;
    let definitions = |t: &TableLayout| t.columns(dialect).to_vec();
    let mut statements = Vec::new();
    let mut foreign_keys = Vec::new();
    let mut checks = Vec::new();
    let mut notes = Vec::new();
    for (position, table) in new.tables.iter().enumerate() {
        let name = &table.name;
        let Some(before) = old.tables.iter().find(|t| t.name == table.name) else {
            // Tables this migration creates after this one.
            let later: Vec<&str> = new.tables[position + 1..]
                .iter()
                .filter(|t| !old.tables.iter().any(|o| o.name == t.name))
                .map(|t| t.name.as_str())
                .collect();
            let (defs, deferred) = if dialect == Dialect::Sqlite {
                (definitions(table), Vec::new())
            } else {
                defer_forward_references(name, &definitions(table), &later)
            };
            statements.push(create_table(name, &defs, dialect));
            statements.extend(table.indexes.iter().cloned());
            foreign_keys.extend(deferred);
            continue;
        };
        let before_definitions = definitions(before);
        let now = definitions(table);
        let moved = moved_parents(before, table);
        let mut safe_not_null: Vec<&str> = Vec::new();
        let mut later = Vec::new();
        for definition in &now {
            let new_def = ColumnDef::parse(definition);
            let Some(previous) = before_definitions
                .iter()
                .find(|d| column_name(d) == new_def.name)
            else {
                // A column added to a table with rows cannot be NOT NULL; a foreign key on
                // it is added like any other (below). A sequence fills itself.
                let plain = format!("{} {}", new_def.name, new_def.ty);
                let generated =
                    definition.contains(" GENERATED ") || definition.contains(" AUTO_INCREMENT");
                statements.push(format!(
                    "ALTER TABLE {name} ADD COLUMN {}",
                    if generated { definition } else { &plain }
                ));
                if new_def.not_null && !generated {
                    later.push(new_def);
                }
                if let Some(check) = new_def.check {
                    add_check(&mut checks, dialect, name, check);
                }
                if let Some(references) = new_def.references {
                    add_foreign_key(
                        &mut foreign_keys,
                        &mut notes,
                        dialect,
                        name,
                        new_def.name,
                        references,
                    );
                }
                continue;
            };
            if previous == definition {
                continue;
            }
            let old_def = ColumnDef::parse(previous);
            if old_def.ty != new_def.ty {
                match dialect {
                    Dialect::Postgres => statements.push(format!(
                        "ALTER TABLE {name} ALTER COLUMN {} TYPE {} USING {}::{}",
                        new_def.name,
                        new_def.ty,
                        new_def.name,
                        new_def.ty.to_ascii_lowercase()
                    )),
                    Dialect::MySql => statements.push(format!(
                        "ALTER TABLE {name} MODIFY COLUMN {} {}{}",
                        new_def.name,
                        new_def.ty,
                        if old_def.not_null && new_def.not_null {
                            " NOT NULL"
                        } else {
                            ""
                        }
                    )),
                    Dialect::Sqlite => notes.push(format!(
                        "{name}.{} is declared `{}` now (was `{}`); SQLite stores either, so it is left as it is",
                        new_def.name, new_def.ty, old_def.ty
                    )),
                }
            }
            if new_def.not_null && !old_def.not_null {
                later.push(new_def);
            }
            if old_def.not_null && !new_def.not_null {
                match dialect {
                    Dialect::Postgres => statements.push(format!(
                        "ALTER TABLE {name} ALTER COLUMN {} DROP NOT NULL",
                        new_def.name
                    )),
                    // A retyped column's MODIFY above dropped it already.
                    Dialect::MySql if old_def.ty != new_def.ty => {}
                    Dialect::MySql => statements.push(format!(
                        "ALTER TABLE {name} MODIFY COLUMN {} {}",
                        new_def.name, new_def.ty
                    )),
                    Dialect::Sqlite => notes.push(format!(
                        "{name}.{} may be null now; SQLite cannot drop NOT NULL in place: rebuild the table (https://www.sqlite.org/lang_altertable.html#otheralter)",
                        new_def.name
                    )),
                }
            }
            if old_def.check != new_def.check {
                if let Some(check) = old_def.check {
                    let constraint = column_name(&check["CONSTRAINT ".len()..]);
                    statements.push(format!("ALTER TABLE {name} DROP CONSTRAINT {constraint}"));
                }
                if let Some(check) = new_def.check {
                    add_check(&mut checks, dialect, name, check);
                }
            }
            if old_def.references != new_def.references {
                if old_def.references.is_some() {
                    let constraint = constraint_name(name, new_def.name);
                    match dialect {
                        Dialect::Postgres => statements.push(format!(
                            "ALTER TABLE {name} DROP CONSTRAINT IF EXISTS {constraint}"
                        )),
                        Dialect::MySql => statements
                            .push(format!("ALTER TABLE {name} DROP FOREIGN KEY {constraint}")),
                        Dialect::Sqlite => {}
                    }
                }
                if let Some(references) = new_def.references {
                    add_foreign_key(
                        &mut foreign_keys,
                        &mut notes,
                        dialect,
                        name,
                        new_def.name,
                        references,
                    );
                }
            }
        }
        // Enclosing keys that moved into the item's own field: copy, then drop the old
        // column (and its index first: SQLite refuses to drop an indexed column).
        for (from, to) in &moved {
            let ty = now
                .iter()
                .find(|d| column_name(d) == to)
                .map(|d| ColumnDef::parse(d).ty)
                .unwrap_or("TEXT");
            if mysql {
                // MySQL's CAST knows none of the column types: it converts on assignment.
                statements.push(format!("UPDATE {name} SET {to} = {from}"));
            } else {
                statements.push(format!("UPDATE {name} SET {to} = CAST({from} AS {ty})"));
            }
            for index in before.indexes.iter().filter(|i| index_covers(i, from)) {
                if let Some(index) = index_name(index) {
                    statements.push(if mysql {
                        format!("DROP INDEX {index} ON {name}")
                    } else {
                        format!("DROP INDEX IF EXISTS {index}")
                    });
                }
            }
            statements.push(format!("ALTER TABLE {name} DROP COLUMN {from}"));
            safe_not_null.push(to);
        }
        for column in later {
            let set_not_null = match dialect {
                Dialect::Postgres => Some(format!(
                    "ALTER TABLE {name} ALTER COLUMN {} SET NOT NULL",
                    column.name
                )),
                Dialect::MySql => Some(format!(
                    "ALTER TABLE {name} MODIFY COLUMN {} {} NOT NULL",
                    column.name, column.ty
                )),
                Dialect::Sqlite => None,
            };
            match set_not_null {
                Some(statement) if safe_not_null.contains(&column.name) => {
                    statements.push(statement);
                }
                Some(statement) => notes.push(format!(
                    "{name}.{} is required now: once no row holds null, run `{statement}`",
                    column.name
                )),
                None => notes.push(format!(
                    "{name}.{} is required now; SQLite cannot add NOT NULL in place: rebuild the table once no row holds null (https://www.sqlite.org/lang_altertable.html#otheralter)",
                    column.name
                )),
            }
        }
        for gone in before_definitions
            .iter()
            .map(|d| column_name(d))
            .filter(|gone| {
                !now.iter().any(|n| column_name(n) == *gone)
                    && !moved.iter().any(|(from, _)| from == gone)
            })
        {
            notes.push(format!(
                "{name}.{gone} is no longer in the spec; kept with its data (drop it when it can go)"
            ));
        }
        for index in table.indexes.iter().filter(|i| !before.indexes.contains(i)) {
            // MySQL has no `IF NOT EXISTS` for indexes (MariaDB does).
            statements.push(if mysql {
                index.clone()
            } else {
                index
                    .replacen("CREATE INDEX", "CREATE INDEX IF NOT EXISTS", 1)
                    .replacen(
                        "CREATE UNIQUE INDEX",
                        "CREATE UNIQUE INDEX IF NOT EXISTS",
                        1,
                    )
            });
        }
    }
    if mysql && !foreign_keys.is_empty() {
        // As `NOT VALID` on PostgreSQL: rows written before are not checked, new ones are.
        foreign_keys.insert(0, "SET FOREIGN_KEY_CHECKS = 0".to_owned());
        foreign_keys.push("SET FOREIGN_KEY_CHECKS = 1".to_owned());
    }
    statements.extend(foreign_keys);
    if mysql && !checks.is_empty() {
        // As `NOT VALID` on PostgreSQL: MariaDB leaves the rows it holds unchecked (the
        // `/*M! */` comment is MariaDB's alone; MySQL checks them, and refuses a value the
        // spec dropped until such rows change).
        checks.insert(0, "/*M! SET check_constraint_checks = 0 */".to_owned());
        checks.push("/*M! SET check_constraint_checks = 1 */".to_owned());
    }
    statements.extend(checks);
    for gone in old
        .tables
        .iter()
        .filter(|t| !new.tables.iter().any(|n| n.name == t.name))
    {
        notes.push(format!(
            "table {} is no longer in the spec; kept with its data (drop it when it can go)",
            gone.name
        ));
    }
    (statements, notes)
}

/// Adds an enum's `CHECK` to an existing table: on PostgreSQL `NOT VALID` (rows written
/// before are not checked, new ones are); nothing on SQLite, whose columns have none.
fn add_check(statements: &mut Vec<String>, dialect: Dialect, table: &str, check: &str) {
    match dialect {
        Dialect::Postgres => statements.push(format!("ALTER TABLE {table} ADD {check} NOT VALID")),
        Dialect::MySql => statements.push(format!("ALTER TABLE {table} ADD {check}")),
        Dialect::Sqlite => {}
    }
}

/// `CREATE TABLE` of `defs`. MySQL ignores a foreign key written on its column, and
/// MariaDB names no `CHECK` written there, so on MySQL each becomes a table constraint, and
/// the table gets its options.
pub(super) fn create_table(name: &str, defs: &[String], dialect: Dialect) -> String {
    let (body, options) = table_body(name, defs, dialect);
    format!(
        "CREATE TABLE {name} (\n    {}\n){options}",
        body.join(",\n    ")
    )
}

/// The lines of a `CREATE TABLE` and what follows its closing parenthesis.
pub(super) fn table_body(
    name: &str,
    defs: &[String],
    dialect: Dialect,
) -> (Vec<String>, &'static str) {
    if dialect != Dialect::MySql {
        return (defs.to_vec(), "");
    }
    let mut columns = Vec::with_capacity(defs.len());
    let mut constraints = Vec::new();
    for definition in defs {
        let def = ColumnDef::parse(definition);
        let end = [" CONSTRAINT ", " REFERENCES "]
            .iter()
            .filter_map(|keyword| definition.find(keyword))
            .min()
            .unwrap_or(definition.len());
        columns.push(definition[..end].to_owned());
        // MariaDB names no constraint written on a column.
        if let Some(check) = def.check {
            constraints.push(check.to_owned());
        }
        if let Some(references) = def.references {
            constraints.push(format!(
                "CONSTRAINT {} FOREIGN KEY ({}) REFERENCES {references}",
                constraint_name(name, def.name),
                def.name
            ));
        }
    }
    columns.extend(constraints);
    (columns, super::migrations::MYSQL_TABLE_OPTIONS)
}

/// SQL written with `"` identifiers, as MySQL reads it without `ANSI_QUOTES`: each
/// identifier in backticks. String literals and `--` comments are copied as they are.
pub(super) fn mysql_identifiers(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '-' if chars.peek() == Some(&'-') => {
                out.push(c);
                for c in chars.by_ref() {
                    out.push(c);
                    if c == '\n' {
                        break;
                    }
                }
            }
            '\'' => {
                out.push(c);
                while let Some(c) = chars.next() {
                    out.push(c);
                    if c == '\'' {
                        if chars.peek() == Some(&'\'') {
                            out.push('\'');
                            chars.next();
                        } else {
                            break;
                        }
                    }
                }
            }
            '"' => {
                out.push('`');
                while let Some(c) = chars.next() {
                    match c {
                        '"' if chars.peek() == Some(&'"') => {
                            chars.next();
                            out.push('"');
                        }
                        '"' => break,
                        '`' => out.push_str("``"),
                        other => out.push(other),
                    }
                }
                out.push('`');
            }
            other => out.push(other),
        }
    }
    out
}

/// `defs` without the foreign keys to tables in `later` (created after this one by the same
/// migration: PostgreSQL wants a referenced table to exist), and the statements that add
/// those once every table does.
pub(super) fn defer_forward_references(
    table: &str,
    defs: &[String],
    later: &[&str],
) -> (Vec<String>, Vec<String>) {
    let mut kept = Vec::with_capacity(defs.len());
    let mut deferred = Vec::new();
    for definition in defs {
        let def = ColumnDef::parse(definition);
        match def.references {
            Some(references) if later.contains(&column_name(references)) => {
                let at = definition.find(" REFERENCES ").unwrap_or(definition.len());
                kept.push(definition[..at].to_owned());
                deferred.push(format!(
                    "ALTER TABLE {table} ADD CONSTRAINT {} FOREIGN KEY ({}) REFERENCES {references}",
                    constraint_name(table, def.name),
                    def.name
                ));
            }
            _ => kept.push(definition.clone()),
        }
    }
    (kept, deferred)
}

/// The name of a column's foreign key: PostgreSQL's, as `CREATE TABLE` gives it, when it
/// fits; shortened as every other constraint name otherwise.
fn constraint_name(table: &str, column: &str) -> String {
    let bare = |quoted: &str| quoted.trim_matches('"').replace("\"\"", "\"");
    super::migrations::quote_sql(&super::migrations::sql_name(&format!(
        "{}_{}_fkey",
        bare(table),
        bare(column)
    )))
}

fn add_foreign_key(
    statements: &mut Vec<String>,
    notes: &mut Vec<String>,
    dialect: Dialect,
    table: &str,
    column: &str,
    references: &str,
) {
    if dialect == Dialect::MySql {
        // Run with foreign key checks off (see `difference`): old rows are not checked.
        statements.push(format!(
            "ALTER TABLE {table} ADD CONSTRAINT {} FOREIGN KEY ({column}) REFERENCES {references}",
            constraint_name(table, column)
        ));
    } else if dialect == Dialect::Postgres {
        // NOT VALID: rows written before are not checked (one whose parent is gone would
        // fail the migration); every new row is.
        statements.push(format!(
            "ALTER TABLE {table} ADD CONSTRAINT {} FOREIGN KEY ({column}) REFERENCES {references} NOT VALID",
            constraint_name(table, column)
        ));
    } else {
        notes.push(format!(
            "{table}.{column} refers to {references} now; SQLite cannot add a foreign key to an existing table, so deletes do not reach it until the table is rebuilt (https://www.sqlite.org/lang_altertable.html#otheralter)"
        ));
    }
}

/// Carries the indexes the applied migrations created over to the tables that still exist.
/// Migrations never drop an index, except one on an enclosing key's old column that
/// [`difference`] drops with the column, so they are still in the database; recording them
/// keeps the layout true, and a generator that no longer derives an index (projects made
/// before list filters stopped getting one) writes no migration for it.
pub(super) fn keep_existing_indexes(old: &Layout, new: &mut Layout) {
    for table in &mut new.tables {
        let Some(before) = old.tables.iter().find(|t| t.name == table.name) else {
            continue;
        };
        let moved = moved_parents(before, table);
        for index in &before.indexes {
            let dropped = moved.iter().any(|(from, _)| index_covers(index, from));
            if !dropped && !table.indexes.contains(index) {
                table.indexes.push(index.clone());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(name: &str, columns: &[&str], indexes: &[&str]) -> TableLayout {
        TableLayout {
            name: format!("\"{name}\""),
            sqlite: columns.iter().map(|c| (*c).to_owned()).collect(),
            postgres: columns.iter().map(|c| (*c).to_owned()).collect(),
            mysql: columns.iter().map(|c| (*c).to_owned()).collect(),
            indexes: indexes.iter().map(|c| (*c).to_owned()).collect(),
            parents: Vec::new(),
        }
    }

    fn layout(tables: Vec<TableLayout>) -> Layout {
        Layout { tables }
    }

    #[test]
    fn a_new_table_is_created_and_a_new_column_added_with_not_null_as_a_note() {
        let old = layout(vec![table(
            "pets",
            &["\"id\" TEXT PRIMARY KEY", "\"name\" TEXT"],
            &[],
        )]);
        let new = layout(vec![
            table(
                "pets",
                &[
                    "\"id\" TEXT PRIMARY KEY",
                    "\"name\" TEXT",
                    "\"owner\" TEXT NOT NULL",
                ],
                &[],
            ),
            table("toys", &["\"id\" TEXT PRIMARY KEY"], &[]),
        ]);
        let (statements, notes) = difference(&old, &new, Dialect::Sqlite);
        assert_eq!(
            statements,
            [
                "ALTER TABLE \"pets\" ADD COLUMN \"owner\" TEXT",
                "CREATE TABLE \"toys\" (\n    \"id\" TEXT PRIMARY KEY\n)",
            ]
        );
        assert_eq!(notes.len(), 1, "{notes:?}");
        assert!(notes[0].contains("\"pets\".\"owner\" is required now"));
    }

    #[test]
    fn postgres_converts_a_retyped_column_in_place_and_sqlite_notes_it() {
        let old = layout(vec![table(
            "pets",
            &["\"id\" TEXT PRIMARY KEY", "\"born\" TEXT", "\"tag\" TEXT"],
            &[],
        )]);
        let new = layout(vec![table(
            "pets",
            &["\"id\" UUID PRIMARY KEY", "\"born\" TIMESTAMPTZ"],
            &[],
        )]);
        let (statements, notes) = difference(&old, &new, Dialect::Postgres);
        assert_eq!(
            statements,
            [
                "ALTER TABLE \"pets\" ALTER COLUMN \"id\" TYPE UUID USING \"id\"::uuid",
                "ALTER TABLE \"pets\" ALTER COLUMN \"born\" TYPE TIMESTAMPTZ USING \"born\"::timestamptz",
            ]
        );
        assert_eq!(notes.len(), 1, "{notes:?}");
        assert!(notes[0].contains("\"tag\" is no longer in the spec"));

        let (statements, notes) = difference(&old, &new, Dialect::Sqlite);
        assert!(statements.is_empty(), "{statements:?}");
        assert_eq!(notes.len(), 3, "{notes:?}");
        assert!(notes[0].contains("\"id\" is declared `UUID` now"));
    }

    #[test]
    fn a_parent_key_that_moved_into_its_field_is_copied_then_its_old_column_dropped() {
        let old_index = "CREATE INDEX \"comments_parent_idx\" ON \"comments\" (\"parent_post_id\")";
        let old = layout(vec![table(
            "comments",
            &[
                "\"id\" INTEGER PRIMARY KEY AUTOINCREMENT",
                "\"parent_post_id\" TEXT NOT NULL",
                "\"post_id\" INTEGER",
            ],
            &[old_index],
        )]);
        let new_index = "CREATE INDEX \"comments_post_id_idx\" ON \"comments\" (\"post_id\")";
        let mut comments = table(
            "comments",
            &[
                "\"id\" INTEGER PRIMARY KEY AUTOINCREMENT",
                "\"post_id\" INTEGER NOT NULL REFERENCES \"posts\" (\"id\") ON DELETE CASCADE",
            ],
            &[new_index],
        );
        comments.parents = vec!["\"post_id\"".to_owned()];
        let mut new = layout(vec![comments]);
        keep_existing_indexes(&old, &mut new);
        assert_eq!(
            new.tables[0].indexes,
            [new_index],
            "the old index is dropped"
        );

        let (statements, notes) = difference(&old, &new, Dialect::Postgres);
        assert_eq!(
            statements,
            [
                "UPDATE \"comments\" SET \"post_id\" = CAST(\"parent_post_id\" AS INTEGER)",
                "DROP INDEX IF EXISTS \"comments_parent_idx\"",
                "ALTER TABLE \"comments\" DROP COLUMN \"parent_post_id\"",
                "ALTER TABLE \"comments\" ALTER COLUMN \"post_id\" SET NOT NULL",
                "CREATE INDEX IF NOT EXISTS \"comments_post_id_idx\" ON \"comments\" (\"post_id\")",
                "ALTER TABLE \"comments\" ADD CONSTRAINT \"comments_post_id_fkey\" FOREIGN KEY (\"post_id\") REFERENCES \"posts\" (\"id\") ON DELETE CASCADE NOT VALID",
            ]
        );
        assert!(notes.is_empty(), "{notes:?}");

        let (statements, notes) = difference(&old, &new, Dialect::Sqlite);
        assert_eq!(statements.len(), 4, "{statements:?}");
        assert!(statements[2].contains("DROP COLUMN \"parent_post_id\""));
        assert_eq!(notes.len(), 2, "{notes:?}");
        assert!(notes[0].contains("SQLite cannot add a foreign key"));
        assert!(notes[1].contains("SQLite cannot add NOT NULL"));
    }

    #[test]
    fn a_new_unique_field_gets_its_index_and_a_lost_not_null_is_dropped() {
        let old = layout(vec![table(
            "users",
            &["\"id\" TEXT PRIMARY KEY", "\"email\" TEXT NOT NULL"],
            &[],
        )]);
        let unique = "CREATE UNIQUE INDEX \"users_email_key\" ON \"users\" (\"email\")";
        let new = layout(vec![table(
            "users",
            &["\"id\" TEXT PRIMARY KEY", "\"email\" TEXT"],
            &[unique],
        )]);
        let (statements, notes) = difference(&old, &new, Dialect::Postgres);
        assert_eq!(
            statements,
            [
                "ALTER TABLE \"users\" ALTER COLUMN \"email\" DROP NOT NULL",
                "CREATE UNIQUE INDEX IF NOT EXISTS \"users_email_key\" ON \"users\" (\"email\")",
            ]
        );
        assert!(notes.is_empty(), "{notes:?}");
    }

    #[test]
    fn indexes_made_by_applied_migrations_stay_recorded_and_need_no_migration() {
        let pets_index = "CREATE INDEX \"pets_status_idx\" ON \"pets\" (\"status\")";
        let old = layout(vec![table(
            "pets",
            &["\"id\" TEXT PRIMARY KEY"],
            &[pets_index],
        )]);
        let mut new = layout(vec![
            table("pets", &["\"id\" TEXT PRIMARY KEY"], &[]),
            table("toys", &["\"id\" TEXT PRIMARY KEY"], &[]),
        ]);
        keep_existing_indexes(&old, &mut new);
        assert_eq!(new.tables[0], old.tables[0]);
        assert!(new.tables[1].indexes.is_empty());
        let (statements, notes) = difference(&old, &new, Dialect::Sqlite);
        assert_eq!(
            statements,
            ["CREATE TABLE \"toys\" (\n    \"id\" TEXT PRIMARY KEY\n)"]
        );
        assert!(notes.is_empty(), "{notes:?}");
    }

    #[test]
    fn a_foreign_key_to_a_table_created_later_is_added_once_it_exists() {
        let defs = vec![
            "\"id\" BIGINT PRIMARY KEY".to_owned(),
            "\"owner_id\" UUID NOT NULL REFERENCES \"users\" (\"id\") ON DELETE RESTRICT"
                .to_owned(),
            "\"post_id\" BIGINT REFERENCES \"posts\" (\"id\") ON DELETE SET NULL".to_owned(),
        ];
        let (kept, deferred) = defer_forward_references("\"notes\"", &defs, &["\"users\""]);
        assert_eq!(kept[1], "\"owner_id\" UUID NOT NULL");
        assert_eq!(
            kept[2], defs[2],
            "a table that exists already is referred to in place"
        );
        assert_eq!(
            deferred,
            [
                "ALTER TABLE \"notes\" ADD CONSTRAINT \"notes_owner_id_fkey\" FOREIGN KEY (\"owner_id\") REFERENCES \"users\" (\"id\") ON DELETE RESTRICT"
            ]
        );
    }

    #[test]
    fn mysql_modifies_columns_in_place_and_adds_foreign_keys_without_checking_old_rows() {
        let old = layout(vec![
            table("users", &["\"id\" CHAR(36) PRIMARY KEY"], &[]),
            table(
                "posts",
                &[
                    "\"id\" BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY",
                    "\"seen\" LONGTEXT NOT NULL",
                    "\"owner_id\" CHAR(36)",
                ],
                &[],
            ),
        ]);
        let new = layout(vec![
            table("users", &["\"id\" CHAR(36) PRIMARY KEY"], &[]),
            table(
                "posts",
                &[
                    "\"id\" BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY",
                    "\"seen\" DATETIME(6)",
                    "\"owner_id\" CHAR(36) REFERENCES \"users\" (\"id\") ON DELETE SET NULL",
                    "\"title\" VARCHAR(768) NOT NULL",
                    "\"_seq\" BIGINT NOT NULL AUTO_INCREMENT UNIQUE",
                ],
                &["CREATE UNIQUE INDEX \"posts_title_key\" ON \"posts\" (\"title\")"],
            ),
        ]);
        let (statements, notes) = difference(&old, &new, Dialect::MySql);
        assert_eq!(
            statements,
            [
                "ALTER TABLE \"posts\" MODIFY COLUMN \"seen\" DATETIME(6)",
                "ALTER TABLE \"posts\" ADD COLUMN \"title\" VARCHAR(768)",
                "ALTER TABLE \"posts\" ADD COLUMN \"_seq\" BIGINT NOT NULL AUTO_INCREMENT UNIQUE",
                "CREATE UNIQUE INDEX \"posts_title_key\" ON \"posts\" (\"title\")",
                "SET FOREIGN_KEY_CHECKS = 0",
                "ALTER TABLE \"posts\" ADD CONSTRAINT \"posts_owner_id_fkey\" FOREIGN KEY (\"owner_id\") REFERENCES \"users\" (\"id\") ON DELETE SET NULL",
                "SET FOREIGN_KEY_CHECKS = 1",
            ]
        );
        assert_eq!(notes.len(), 1, "{notes:?}");
        assert!(
            notes[0].contains("MODIFY COLUMN \"title\" VARCHAR(768) NOT NULL"),
            "a new NOT NULL is a note with its statement: {notes:?}"
        );
    }

    #[test]
    fn a_mysql_table_holds_its_foreign_keys_as_table_constraints() {
        let defs = vec![
            "\"id\" BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY".to_owned(),
            "\"post_id\" BIGINT NOT NULL REFERENCES \"posts\" (\"id\") ON DELETE CASCADE"
                .to_owned(),
        ];
        let created = create_table("\"comments\"", &defs, Dialect::MySql);
        assert_eq!(
            created,
            "CREATE TABLE \"comments\" (\n    \"id\" BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,\n    \"post_id\" BIGINT NOT NULL,\n    CONSTRAINT \"comments_post_id_fkey\" FOREIGN KEY (\"post_id\") REFERENCES \"posts\" (\"id\") ON DELETE CASCADE\n) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin"
        );
        assert!(
            create_table("\"comments\"", &defs, Dialect::Postgres).contains("NOT NULL REFERENCES"),
            "PostgreSQL keeps them on the column"
        );
    }

    #[test]
    fn mysql_text_quotes_identifiers_in_backticks_and_leaves_strings_and_comments() {
        let sql = "-- Bob's \"API\"\nCREATE TABLE \"a\"\"b\" (\"c`d\" TEXT DEFAULT 'it''s \"x\"');";
        assert_eq!(
            mysql_identifiers(sql),
            "-- Bob's \"API\"\nCREATE TABLE `a\"b` (`c``d` TEXT DEFAULT 'it''s \"x\"');"
        );
    }

    #[test]
    fn an_enum_that_gains_a_value_has_its_check_replaced_where_the_database_can() {
        let check = |values: &str| {
            format!(
                "\"status\" TEXT NOT NULL CONSTRAINT \"pets_status_check\" CHECK (\"status\" IN ({values}))"
            )
        };
        let pets = |status: &str| {
            let mut t = table("pets", &["\"id\" BIGINT PRIMARY KEY"], &[]);
            t.postgres.push(status.to_owned());
            t.mysql.push(status.to_owned());
            t.sqlite.push("\"status\" TEXT NOT NULL".to_owned());
            t
        };
        let old = layout(vec![pets(&check("'available', 'sold'"))]);
        let new = layout(vec![pets(&check("'available', 'pending', 'sold'"))]);
        let (statements, notes) = difference(&old, &new, Dialect::Postgres);
        assert_eq!(
            statements,
            [
                "ALTER TABLE \"pets\" DROP CONSTRAINT \"pets_status_check\"",
                "ALTER TABLE \"pets\" ADD CONSTRAINT \"pets_status_check\" CHECK (\"status\" IN ('available', 'pending', 'sold')) NOT VALID",
            ]
        );
        assert!(notes.is_empty(), "{notes:?}");
        let (statements, _) = difference(&old, &new, Dialect::MySql);
        assert_eq!(
            statements,
            [
                "ALTER TABLE \"pets\" DROP CONSTRAINT \"pets_status_check\"",
                "/*M! SET check_constraint_checks = 0 */",
                "ALTER TABLE \"pets\" ADD CONSTRAINT \"pets_status_check\" CHECK (\"status\" IN ('available', 'pending', 'sold'))",
                "/*M! SET check_constraint_checks = 1 */",
            ]
        );
        let (statements, notes) = difference(&old, &new, Dialect::Sqlite);
        assert!(
            statements.is_empty() && notes.is_empty(),
            "SQLite has no CHECK to change"
        );

        let (body, _) = table_body("\"pets\"", &new.tables[0].mysql, Dialect::MySql);
        assert_eq!(
            body,
            [
                "\"id\" BIGINT PRIMARY KEY",
                "\"status\" TEXT NOT NULL",
                "CONSTRAINT \"pets_status_check\" CHECK (\"status\" IN ('available', 'pending', 'sold'))",
            ],
            "MySQL holds it as a table constraint"
        );
    }

    #[test]
    fn column_definitions_split_into_name_type_and_constraints() {
        let def = ColumnDef::parse(
            "\"post_id\" BIGINT NOT NULL REFERENCES \"posts\" (\"id\") ON DELETE CASCADE",
        );
        assert_eq!(def.name, "\"post_id\"");
        assert_eq!(def.ty, "BIGINT");
        assert!(def.not_null);
        assert_eq!(def.references, Some("\"posts\" (\"id\") ON DELETE CASCADE"));
        let def = ColumnDef::parse("\"ratio\" DOUBLE PRECISION");
        assert_eq!(
            (def.ty, def.not_null, def.references),
            ("DOUBLE PRECISION", false, None)
        );
    }
}
