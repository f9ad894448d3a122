//! Custom reads: a [`Select`] of the items that pass typed conditions, in an order, a page
//! at a time, written once and run on every dialect.
//!
//! Each resource gets a generated enum of its fields (`TaskField::Due`) implementing
//! [`Field`], so a condition names a column the table has and the compiler checks it:
//!
//! ```ignore
//! let due: Vec<models::Task> = db
//!     .select(
//!         &TASKS,
//!         &scope,
//!         &Select::new()
//!             .filter(TaskField::Status.equals("open"))
//!             .filter(TaskField::Due.less_than(chrono::Utc::now()))
//!             .filter(TaskField::Title.contains("invoice"))
//!             .order_by(TaskField::Due, Order::Ascending)
//!             .limit(20),
//!     )
//!     .await?;
//! ```
//!
//! The SQL is built by sea-query and bound by its sqlx binder: every value is a parameter,
//! dates, times and UUIDs are cast to their column types on PostgreSQL, and text matching
//! ignores ASCII case on every dialect (`ILIKE` on PostgreSQL, `LIKE` on SQLite, `LIKE` on
//! lower-cased text on MySQL). The
//! CRUD statements the handlers run stay hand-built and cached (`table.rs`): they are the
//! measured hot path, and these reads are not.

use super::binder::{Bound, mysql_time};
use super::nul_safe;
use super::{ColumnKind, Database, Dialect, Scope, StoreError, Table};
use sea_query::extension::postgres::PgExpr;
use sea_query::{
    Alias, Condition, Expr, ExprTrait, Func, LikeExpr, MysqlQueryBuilder, PostgresQueryBuilder,
    Query, SelectStatement, SqliteQueryBuilder, Value as SqlValue,
};
use sea_query_sqlx::SqlxBinder;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use sqlx::{AssertSqlSafe, Row};

/// A column of a resource's table, as the generated field enum of each resource names it.
pub trait Field: Copy {
    /// The column's name in the table.
    fn column(self) -> &'static str;
    /// How the column stores its values.
    fn kind(self) -> ColumnKind;

    /// The field equals `value`.
    fn equals(self, value: impl Serialize) -> Filter {
        Filter::compare(self, Comparison::Equal, value)
    }
    /// The field holds a value other than `value` (a missing value matches neither).
    fn differs_from(self, value: impl Serialize) -> Filter {
        Filter::compare(self, Comparison::NotEqual, value)
    }
    fn less_than(self, value: impl Serialize) -> Filter {
        Filter::compare(self, Comparison::Less, value)
    }
    fn at_most(self, value: impl Serialize) -> Filter {
        Filter::compare(self, Comparison::AtMost, value)
    }
    fn greater_than(self, value: impl Serialize) -> Filter {
        Filter::compare(self, Comparison::Greater, value)
    }
    fn at_least(self, value: impl Serialize) -> Filter {
        Filter::compare(self, Comparison::AtLeast, value)
    }
    /// `low <= field <= high`.
    fn between(self, low: impl Serialize, high: impl Serialize) -> Filter {
        Filter::new(self, Test::Between(json(low), json(high)))
    }
    /// The field equals one of `values` (none: nothing matches).
    fn one_of<V: Serialize>(self, values: impl IntoIterator<Item = V>) -> Filter {
        Filter::new(self, Test::OneOf(values.into_iter().map(json).collect()))
    }
    /// The text holds `part`, ignoring ASCII case; `%` and `_` in it match themselves.
    fn contains(self, part: &str) -> Filter {
        Filter::new(self, Test::Contains(part.to_owned()))
    }
    fn is_missing(self) -> Filter {
        Filter::new(self, Test::Missing(true))
    }
    fn is_present(self) -> Filter {
        Filter::new(self, Test::Missing(false))
    }
}

fn json(value: impl Serialize) -> Value {
    serde_json::to_value(value).unwrap_or(Value::Null)
}

/// One condition on one field.
#[derive(Debug, Clone)]
pub struct Filter {
    column: &'static str,
    kind: ColumnKind,
    test: Test,
}

#[derive(Debug, Clone, Copy)]
enum Comparison {
    Equal,
    NotEqual,
    Less,
    AtMost,
    Greater,
    AtLeast,
}

#[derive(Debug, Clone)]
enum Test {
    Compare(Comparison, Value),
    Between(Value, Value),
    OneOf(Vec<Value>),
    Contains(String),
    Missing(bool),
}

impl Filter {
    fn new(field: impl Field, test: Test) -> Self {
        Self {
            column: field.column(),
            kind: field.kind(),
            test,
        }
    }

    fn compare(field: impl Field, comparison: Comparison, value: impl Serialize) -> Self {
        Self::new(field, Test::Compare(comparison, json(value)))
    }
}

/// Which way an order runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Order {
    Ascending,
    Descending,
}

/// What a custom read asks for: conditions (all must hold), an order (then creation
/// order), and a window.
#[derive(Debug, Clone, Default)]
pub struct Select {
    filters: Vec<Filter>,
    order: Vec<(&'static str, Order)>,
    limit: Option<u64>,
    offset: u64,
}

impl Select {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a condition; every one must hold.
    pub fn filter(mut self, filter: Filter) -> Self {
        self.filters.push(filter);
        self
    }

    /// Orders by a field; several calls order by each in turn.
    pub fn order_by(mut self, field: impl Field, order: Order) -> Self {
        self.order.push((field.column(), order));
        self
    }

    pub fn limit(mut self, limit: u64) -> Self {
        self.limit = Some(limit);
        self
    }

    pub fn offset(mut self, offset: u64) -> Self {
        self.offset = offset;
        self
    }
}

impl Database {
    /// The items in `scope` that pass every condition of `select`, in its order, as `T`.
    pub async fn select<T: DeserializeOwned>(
        &self,
        table: &Table,
        scope: &Scope,
        select: &Select,
    ) -> Result<Vec<T>, StoreError> {
        let mut lease = self.lease().await?;
        let items = self.select_on(&mut lease, table, scope, select).await?;
        lease.done();
        Ok(items)
    }

    /// [`Database::select`] on `connection` (a transaction's).
    pub(super) async fn select_on<T: DeserializeOwned>(
        &self,
        connection: &mut sqlx::AnyConnection,
        table: &Table,
        scope: &Scope,
        select: &Select,
    ) -> Result<Vec<T>, StoreError> {
        let mut statement = self.statement(table, scope, select)?;
        statement.expr(Expr::cust(table.select_list(self.dialect)));
        for (column, order) in &select.order {
            statement.order_by(Alias::new(*column), sort(*order));
        }
        statement.order_by(
            Alias::new(table.order_column(self.dialect)),
            sea_query::Order::Asc,
        );
        if let Some(limit) = select.limit {
            statement.limit(limit);
        }
        if select.offset > 0 {
            statement.offset(select.offset);
        }
        let (sql, values) = self.build(&statement);
        self.ensure_parent(connection, table, scope).await?;
        let rows = sqlx::query_with(AssertSqlSafe(sql), values)
            .fetch_all(&mut *connection)
            .await?;
        rows.iter()
            .map(|row| table.item_of_row(self.dialect, row))
            .collect()
    }

    /// How many items in `scope` pass every condition of `select` (its order and window
    /// aside).
    pub async fn count(
        &self,
        table: &Table,
        scope: &Scope,
        select: &Select,
    ) -> Result<u64, StoreError> {
        let mut lease = self.lease().await?;
        let total = self.count_on(&mut lease, table, scope, select).await?;
        lease.done();
        Ok(total)
    }

    /// [`Database::count`] on `connection` (a transaction's).
    pub(super) async fn count_on(
        &self,
        connection: &mut sqlx::AnyConnection,
        table: &Table,
        scope: &Scope,
        select: &Select,
    ) -> Result<u64, StoreError> {
        let mut statement = self.statement(table, scope, select)?;
        statement.expr(Expr::cust("COUNT(*)"));
        let (sql, values) = self.build(&statement);
        self.ensure_parent(connection, table, scope).await?;
        let total: i64 = sqlx::query_with(AssertSqlSafe(sql), values)
            .fetch_one(&mut *connection)
            .await?
            .try_get(0)?;
        Ok(u64::try_from(total).unwrap_or(0))
    }

    /// `SELECT ... FROM table WHERE scope AND conditions`, without its select list.
    fn statement(
        &self,
        table: &Table,
        scope: &Scope,
        select: &Select,
    ) -> Result<SelectStatement, StoreError> {
        let mut condition = Condition::all();
        let owner = table.owner_condition(scope);
        let parents = table
            .parents
            .iter()
            .zip(&scope.parents)
            .map(|(parent, key)| (parent.column, Bound::key_as(key, parent.kind), parent.kind));
        for (column, bound, kind) in parents.chain(owner) {
            let value = self.value(kind, &bound_json(bound));
            condition = condition.add(Expr::col(Alias::new(column)).eq(value));
        }
        for filter in &select.filters {
            let known = filter.column == table.key.column
                || table.columns.iter().any(|c| c.name == filter.column);
            if !known {
                return Err(StoreError::Query(format!(
                    "`{}` has no column `{}`",
                    table.name, filter.column
                )));
            }
            condition = condition.add(self.condition(filter)?);
        }
        for (column, _) in &select.order {
            if !table.columns.iter().any(|c| c.name == *column) && *column != table.key.column {
                return Err(StoreError::Query(format!(
                    "`{}` has no column `{column}`",
                    table.name
                )));
            }
        }
        let mut statement = Query::select();
        statement.from(Alias::new(table.name)).cond_where(condition);
        Ok(statement)
    }

    fn condition(&self, filter: &Filter) -> Result<Expr, StoreError> {
        let column = Expr::col(Alias::new(filter.column));
        if filter.kind == ColumnKind::Json && !matches!(filter.test, Test::Missing(_)) {
            return Err(StoreError::Query(format!(
                "`{}` holds JSON: only `is_missing` and `is_present` apply",
                filter.column
            )));
        }
        let value = |value: &Value| self.value(filter.kind, value);
        Ok(match &filter.test {
            Test::Compare(comparison, v) => {
                let v = value(v);
                match comparison {
                    Comparison::Equal => column.eq(v),
                    Comparison::NotEqual => column.ne(v),
                    Comparison::Less => column.lt(v),
                    Comparison::AtMost => column.lte(v),
                    Comparison::Greater => column.gt(v),
                    Comparison::AtLeast => column.gte(v),
                }
            }
            Test::Between(low, high) => column.between(value(low), value(high)),
            Test::OneOf(values) if values.is_empty() => Expr::cust("1 = 0"),
            Test::OneOf(values) => column.is_in(values.iter().map(value)),
            Test::Contains(part) => {
                // MySQL's columns compare bytes (`utf8mb4_bin`): both sides in lower case.
                let part = match self.dialect {
                    Dialect::MySql => part.to_lowercase(),
                    _ => part.clone(),
                };
                let escaped = part
                    .replace('\\', "\\\\")
                    .replace('%', "\\%")
                    .replace('_', "\\_");
                let pattern = LikeExpr::new(format!("%{escaped}%")).escape('\\');
                match self.dialect {
                    Dialect::Postgres => column.ilike(pattern),
                    Dialect::Sqlite => column.like(pattern),
                    Dialect::MySql => Expr::expr(Func::lower(column)).like(pattern),
                }
            }
            Test::Missing(true) => column.is_null(),
            Test::Missing(false) => column.is_not_null(),
        })
    }

    /// A value as the column stores it: text checked and normalised like a write (a
    /// value the column cannot hold is a null, which matches nothing), cast on PostgreSQL
    /// to the column's native type.
    fn value(&self, kind: ColumnKind, value: &Value) -> Expr {
        let bound = Bound::of(kind, Some(value));
        let plain = match bound {
            Bound::Null(_) => SqlValue::String(None),
            Bound::Bool(b) => SqlValue::Bool(Some(b)),
            Bound::Integer(i) => SqlValue::BigInt(Some(i)),
            Bound::Real(f) => SqlValue::Double(Some(f)),
            Bound::Text(text) => SqlValue::String(Some(match self.dialect {
                Dialect::Postgres if kind == ColumnKind::Text => {
                    nul_safe::encode(&text).into_owned()
                }
                Dialect::MySql if kind == ColumnKind::Timestamp => mysql_time(&text),
                _ => text,
            })),
        };
        let cast = match (self.dialect, kind) {
            (Dialect::Postgres, ColumnKind::Timestamp) => Some("timestamptz"),
            (Dialect::Postgres, ColumnKind::Date) => Some("date"),
            (Dialect::Postgres, ColumnKind::Uuid) => Some("uuid"),
            _ => None,
        };
        match cast {
            Some(type_name) => Expr::val(plain).cast_as(Alias::new(type_name)),
            None => Expr::val(plain),
        }
    }

    fn build(&self, statement: &SelectStatement) -> (String, sea_query_sqlx::SqlxValues) {
        match self.dialect {
            Dialect::Postgres => statement.build_sqlx(PostgresQueryBuilder),
            Dialect::Sqlite => statement.build_sqlx(SqliteQueryBuilder),
            Dialect::MySql => statement.build_sqlx(MysqlQueryBuilder),
        }
    }
}

fn sort(order: Order) -> sea_query::Order {
    match order {
        Order::Ascending => sea_query::Order::Asc,
        Order::Descending => sea_query::Order::Desc,
    }
}

/// A bound key as the JSON value [`Database::value`] takes.
fn bound_json(bound: Bound) -> Value {
    match bound {
        Bound::Integer(i) => Value::from(i),
        Bound::Text(text) => Value::from(text),
        Bound::Real(f) => Value::from(f),
        Bound::Bool(b) => Value::from(b),
        Bound::Null(_) => Value::Null,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::test_support::{GADGETS, gadgets, record};
    use crate::store::{Key, Record};

    /// The gadgets' fields, as a resource's generated enum names them.
    #[derive(Debug, Clone, Copy)]
    enum GadgetField {
        Name,
        Count,
        Ratio,
        On,
        Extra,
    }

    impl Field for GadgetField {
        fn column(self) -> &'static str {
            match self {
                GadgetField::Name => "name",
                GadgetField::Count => "count",
                GadgetField::Ratio => "ratio",
                GadgetField::On => "on",
                GadgetField::Extra => "extra",
            }
        }

        fn kind(self) -> ColumnKind {
            match self {
                GadgetField::Name => ColumnKind::Text,
                GadgetField::Count => ColumnKind::Integer,
                GadgetField::Ratio => ColumnKind::Real,
                GadgetField::On => ColumnKind::Boolean,
                GadgetField::Extra => ColumnKind::Json,
            }
        }
    }

    async fn stocked() -> Database {
        let db = gadgets().await;
        for (name, count, on) in [
            ("Desk lamp", 3, true),
            ("fan", 7, false),
            ("Lamp shade", 1, true),
            ("kettle", 12, true),
            ("100%_cotton", 5, false),
        ] {
            let _: (Key, Record) = db
                .insert(
                    &GADGETS,
                    &Scope::root(),
                    record(serde_json::json!({"name": name, "count": count, "on": on})),
                )
                .await
                .expect("stored");
        }
        db
    }

    async fn names(db: &Database, select: Select) -> Vec<String> {
        db.select::<Record>(&GADGETS, &Scope::root(), &select)
            .await
            .expect("selected")
            .into_iter()
            .map(|item| item["name"].as_str().unwrap_or_default().to_owned())
            .collect()
    }

    #[tokio::test]
    async fn conditions_all_hold_and_the_order_is_the_requested_one() {
        let db = stocked().await;
        let select = Select::new()
            .filter(GadgetField::On.equals(true))
            .filter(GadgetField::Count.at_least(2))
            .order_by(GadgetField::Count, Order::Descending);
        assert_eq!(names(&db, select).await, ["kettle", "Desk lamp"]);
        let ranged = Select::new()
            .filter(GadgetField::Count.between(3, 7))
            .order_by(GadgetField::Name, Order::Ascending);
        assert_eq!(
            names(&db, ranged).await,
            ["100%_cotton", "Desk lamp", "fan"]
        );
    }

    #[tokio::test]
    async fn one_of_contains_and_missing_values_select_what_they_say() {
        let db = stocked().await;
        let some = Select::new().filter(GadgetField::Count.one_of([1, 12, 99]));
        assert_eq!(names(&db, some).await, ["Lamp shade", "kettle"]);
        let none = Select::new().filter(GadgetField::Count.one_of(Vec::<i64>::new()));
        assert!(names(&db, none).await.is_empty());
        let lamps = Select::new().filter(GadgetField::Name.contains("LAMP"));
        assert_eq!(names(&db, lamps).await, ["Desk lamp", "Lamp shade"]);
        let literal = Select::new().filter(GadgetField::Name.contains("%_c"));
        assert_eq!(
            names(&db, literal).await,
            ["100%_cotton"],
            "% and _ match themselves"
        );
        let unrated = Select::new()
            .filter(GadgetField::Ratio.is_missing())
            .filter(GadgetField::Name.differs_from("fan"));
        assert_eq!(names(&db, unrated).await.len(), 4);
    }

    #[tokio::test]
    async fn a_window_pages_in_creation_order_and_count_ignores_it() {
        let db = stocked().await;
        let page = Select::new().limit(2).offset(1);
        assert_eq!(names(&db, page.clone()).await, ["fan", "Lamp shade"]);
        let total = db
            .count(
                &GADGETS,
                &Scope::root(),
                &page.filter(GadgetField::On.equals(true)),
            )
            .await
            .expect("counted");
        assert_eq!(total, 3);
    }

    #[tokio::test]
    async fn a_test_a_column_cannot_take_is_an_error_not_a_guess() {
        let db = stocked().await;
        let refused = db
            .select::<Record>(
                &GADGETS,
                &Scope::root(),
                &Select::new().filter(GadgetField::Extra.equals(1)),
            )
            .await;
        assert!(matches!(refused, Err(StoreError::Query(_))), "{refused:?}");
    }
}
