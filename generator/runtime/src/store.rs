//! Storage: one database, SQLite or PostgreSQL as `DATABASE_URL` says at run time, its
//! migrations, and the statements every resource table shares.
//!
//! Items are written as JSON objects ([`Record`]) and read back as the repository's model
//! (or a `Record`), so one set of statements serves every resource: scalar fields live in
//! typed columns, nested values in JSON columns. Every value reaches the database as a
//! bound parameter; the only text spliced into SQL is table and column names from the
//! spec, always quoted.

use super::date_time;
use super::problem::Problem;
use axum::http::StatusCode;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde::de::value::MapDeserializer;
use serde_json::{Map, Value};
use sqlx::any::{AnyArguments, AnyPoolOptions, AnyRow};
use sqlx::{AnyPool, Arguments, AssertSqlSafe, Executor, Row};
use std::borrow::Cow;
use std::fmt;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

/// An item as stored: its fields by wire name.
pub type Record = Map<String, Value>;

/// The SQL dialect of the connected database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

/// A connection pool and the dialect it speaks. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Database {
    pool: AnyPool,
    dialect: Dialect,
    /// Turns to write to SQLite; see [`Database::write_turn`].
    writers: Arc<tokio::sync::Semaphore>,
    /// SQLite connections kept out of the pool between statements; see [`Leases`].
    leases: Option<Arc<Leases>>,
}

/// Held while writing to SQLite: past a few writers at once, the others wait their turn.
pub type WriteTurn<'a> = Option<tokio::sync::SemaphorePermit<'a>>;

/// Why a storage call failed.
#[derive(Debug)]
pub enum StoreError {
    /// The database refused or could not be reached.
    Database(sqlx::Error),
    /// A write would break a uniqueness rule (the identifier is taken).
    Conflict(String),
    /// A stored item no longer fits its type (the spec changed under old data).
    Corrupt(String),
    /// The item a nested collection belongs to does not exist.
    ParentNotFound,
    /// `DATABASE_URL` or a pool setting is wrong.
    Config(String),
    Migrate(sqlx::migrate::MigrateError),
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StoreError::Database(error) => write!(f, "database error: {error}"),
            StoreError::Conflict(detail) => write!(f, "conflict: {detail}"),
            StoreError::Corrupt(detail) => write!(f, "stored data does not fit its type: {detail}"),
            StoreError::ParentNotFound => f.write_str("the enclosing item does not exist"),
            StoreError::Config(detail) => write!(f, "database configuration: {detail}"),
            StoreError::Migrate(error) => write!(f, "migration failed: {error}"),
        }
    }
}

impl std::error::Error for StoreError {}

impl From<sqlx::Error> for StoreError {
    fn from(error: sqlx::Error) -> Self {
        match &error {
            sqlx::Error::Database(db) if db.is_unique_violation() => {
                StoreError::Conflict("an item with this identifier already exists".to_owned())
            }
            _ => StoreError::Database(error),
        }
    }
}

impl From<StoreError> for Problem {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::Conflict(detail) => Problem::new(StatusCode::CONFLICT).with_detail(detail),
            StoreError::ParentNotFound => {
                Problem::not_found().with_detail("the enclosing item does not exist")
            }
            StoreError::Database(sqlx::Error::PoolTimedOut) => {
                tracing::warn!("database pool exhausted");
                Problem::new(StatusCode::SERVICE_UNAVAILABLE)
                    .with_detail("the database is busy; try again")
            }
            other => Problem::internal(other),
        }
    }
}

/// Pool settings (`DATABASE_MAX_CONNECTIONS`, `DATABASE_ACQUIRE_TIMEOUT_SECS`,
/// `DATABASE_MAX_WRITERS`, read and
/// checked by [`super::settings::Settings`]).
#[derive(Debug, Clone, Copy)]
pub struct PoolSettings {
    pub max_connections: u32,
    pub acquire_timeout: Duration,
    /// How many writes go to SQLite at once; `None`: as many as there are connections.
    pub max_writers: Option<usize>,
}

/// How many writers go to SQLite at once unless `DATABASE_MAX_WRITERS` says: two per
/// core, and one more (see [`Database::write_turn`] for how that was chosen).
pub fn default_max_writers() -> usize {
    2 * std::thread::available_parallelism().map_or(1, usize::from) + 1
}

/// The default database: a SQLite file under `data/`.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://data/app.db?mode=rwc";

impl Database {
    /// Connects to `url`: `sqlite:...` or `postgres://...`.
    pub async fn connect(url: &str, settings: PoolSettings) -> Result<Self, StoreError> {
        sqlx::any::install_default_drivers();
        let dialect = if url.starts_with("sqlite:") {
            Dialect::Sqlite
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Dialect::Postgres
        } else {
            return Err(StoreError::Config(format!(
                "DATABASE_URL must start with `sqlite:` or `postgres://`, got `{}`",
                url.split(':').next().unwrap_or_default()
            )));
        };
        let memory = dialect == Dialect::Sqlite && url.contains(":memory:");
        if dialect == Dialect::Sqlite && !memory {
            create_parent_dir(url)?;
        }
        let mut options = AnyPoolOptions::new()
            .max_connections(if memory { 1 } else { settings.max_connections })
            .acquire_timeout(settings.acquire_timeout);
        if memory {
            // Each connection to `:memory:` is its own database: keep exactly one, forever.
            options = options
                .min_connections(1)
                .idle_timeout(None)
                .max_lifetime(None);
        }
        if dialect == Dialect::Sqlite {
            // A local file needs no ping before each use: that would be one more hand-off
            // to the connection's worker thread per query.
            options = options.test_before_acquire(false);
            options = options.after_connect(|connection, _| {
                Box::pin(async move {
                    for pragma in [
                        "PRAGMA journal_mode = WAL",
                        "PRAGMA synchronous = NORMAL",
                        "PRAGMA busy_timeout = 5000",
                        "PRAGMA foreign_keys = ON",
                    ] {
                        connection.execute(pragma).await?;
                    }
                    Ok(())
                })
            });
        }
        let pool = options.connect(url).await?;
        let writers = settings
            .max_writers
            .unwrap_or(tokio::sync::Semaphore::MAX_PERMITS);
        let mut database = Self::new(pool, dialect, writers);
        // All but one connection may be leased; the last stays in the pool for health
        // checks, migrations and queries through `pool()`.
        let leasable = settings.max_connections.saturating_sub(1) as usize;
        if dialect == Dialect::Sqlite && !memory && leasable > 0 {
            database.leases = Some(Arc::new(Leases::new(leasable, settings.acquire_timeout)));
        }
        Ok(database)
    }

    /// A private in-memory SQLite database, as tests use.
    pub async fn in_memory() -> Result<Self, StoreError> {
        Self::connect(
            "sqlite::memory:",
            PoolSettings {
                max_connections: 1,
                acquire_timeout: Duration::from_secs(30),
                max_writers: Some(default_max_writers()),
            },
        )
        .await
    }

    /// A database of its own for one test: in-memory SQLite, or a fresh schema of the
    /// PostgreSQL database `TEST_DATABASE_URL` names (left behind for inspection).
    pub async fn for_tests() -> Result<Self, StoreError> {
        let Ok(url) = std::env::var("TEST_DATABASE_URL") else {
            return Self::in_memory().await;
        };
        if url.starts_with("sqlite:") {
            return Self::in_memory().await;
        }
        sqlx::any::install_default_drivers();
        let schema = format!("test_{}", uuid::Uuid::new_v4().simple());
        let admin = AnyPoolOptions::new()
            .max_connections(1)
            .connect(&url)
            .await?;
        sqlx::query(AssertSqlSafe(format!("CREATE SCHEMA {}", quote(&schema))))
            .execute(&admin)
            .await?;
        admin.close().await;
        let set_path = format!("SET search_path TO {}", quote(&schema));
        let pool = AnyPoolOptions::new()
            .max_connections(4)
            .after_connect(move |connection, _| {
                let set_path = set_path.clone();
                Box::pin(async move {
                    connection.execute(AssertSqlSafe(set_path)).await?;
                    Ok(())
                })
            })
            .connect(&url)
            .await?;
        Ok(Self::new(pool, Dialect::Postgres, default_max_writers()))
    }

    fn new(pool: AnyPool, dialect: Dialect, writers: usize) -> Self {
        Self {
            pool,
            dialect,
            writers: Arc::new(tokio::sync::Semaphore::new(writers)),
            leases: None,
        }
    }

    /// A connection for the statements of one store call: a leased SQLite connection when
    /// one is kept (see [`Leases`]), otherwise one from the pool. Call [`Lease::done`] once
    /// every statement succeeded; a lease dropped without it (an error, a cancelled
    /// request) goes back to the pool, which checks the connection first.
    async fn lease(&self) -> Result<Lease<'_>, StoreError> {
        let Some(leases) = &self.leases else {
            return Ok(Lease {
                connection: self.pool.acquire().await?,
                kept: None,
            });
        };
        // One deadline for the turn and, when no connection is kept, the pool.
        let deadline = tokio::time::Instant::now() + leases.acquire_timeout;
        let timed_out = || StoreError::Database(sqlx::Error::PoolTimedOut);
        let turn = match tokio::time::timeout_at(deadline, leases.turns.acquire()).await {
            Ok(Ok(turn)) => turn,
            Ok(Err(_)) | Err(_) => return Err(timed_out()),
        };
        let kept = leases.lock().connections.pop();
        let connection = match kept {
            Some(connection) => connection,
            None => tokio::time::timeout_at(deadline, self.pool.acquire())
                .await
                .map_err(|_| timed_out())??,
        };
        Ok(Lease {
            connection,
            kept: Some((leases, turn)),
        })
    }

    /// Waits for a turn to write, and holds it until the guard drops; take it before a
    /// write statement or a transaction that writes (the shared statements below do).
    ///
    /// SQLite lets one connection write at a time and makes the others retry with growing
    /// sleeps (1, 2, 5, 10, ... 100 ms): with every pooled connection writing at once,
    /// that polling, not the writes, sets the tail latency. Only `DATABASE_MAX_WRITERS`
    /// writers go to SQLite at once; the rest wait here, first come, first served, and
    /// start the moment a turn frees. Fewer turns shorten the tail and cost throughput,
    /// because a queued write starts only after the previous one's result has travelled
    /// back from SQLite's thread. Measured on 2 cores, 8 connections, 32 clients inserting
    /// (p99, inserts/s against no limit): 3 turns 9 ms and about 0.75; 5 turns 19-25 ms
    /// and about 0.85; no limit 34 ms. The default, two per core and one more, keeps the
    /// tail well under the unlimited one for a small loss; `0` lifts the limit. Other
    /// processes on the same file still meet SQLite's `busy_timeout`. PostgreSQL locks
    /// rows rather than the database, so it is not queued.
    pub async fn write_turn(&self) -> WriteTurn<'_> {
        match self.dialect {
            Dialect::Sqlite => self.writers.acquire().await.ok(),
            Dialect::Postgres => None,
        }
    }

    pub fn dialect(&self) -> Dialect {
        self.dialect
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Applies the migrations not applied yet, for this database's dialect. Refuses to
    /// start when an applied migration was edited since (migrations are append-only).
    pub async fn migrate(&self, migrations: &Migrations) -> Result<(), StoreError> {
        let files = match self.dialect {
            Dialect::Sqlite => migrations.sqlite,
            Dialect::Postgres => migrations.postgres,
        };
        let migrator = sqlx::migrate::Migrator::new(EmbeddedMigrations(files))
            .await
            .map_err(StoreError::Migrate)?;
        migrator.run(&self.pool).await.map_err(StoreError::Migrate)
    }

    /// Answers whether the database takes queries (for health checks).
    pub async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    /// The pool's open connections and how many of them are idle, for metrics (kept
    /// SQLite connections waiting for their next lease count as idle).
    pub fn pool_state(&self) -> (u32, u32) {
        let kept = self
            .leases
            .as_ref()
            .map_or(0, |leases| leases.lock().connections.len());
        let idle = u32::try_from(self.pool.num_idle() + kept).unwrap_or(u32::MAX);
        (self.pool.size(), idle)
    }

    /// The most connections the pool opens.
    pub fn max_connections(&self) -> u32 {
        self.pool.options().get_max_connections()
    }

    /// Closes every connection once it is returned; what a graceful shutdown ends with.
    pub async fn close(&self) {
        if let Some(leases) = &self.leases {
            // Kept connections go back to the pool (and leases still out will, when they
            // end), or the pool would wait for them forever.
            let kept = {
                let mut state = leases.lock();
                state.closed = true;
                std::mem::take(&mut state.connections)
            };
            drop(kept);
        }
        self.pool.close().await;
    }
}

/// SQLite connections held out of the pool between store calls.
///
/// sqlx's pool checks every connection it gets back with a ping, a round trip to the
/// connection's worker thread, from a task spawned for the purpose: for a query that is
/// itself one round trip, twice the thread hand-offs. A SQLite file needs no such check
/// after a statement that succeeded, so those connections go back here instead, with a
/// lock and a push, and the next store call takes one from here. All connections but one
/// may be leased at once; the pool keeps the last for everything else. Writers take
/// their write turn before a lease, so queued writers never sit on connections. Kept
/// connections stay open while the server runs (the pool's idle and lifetime limits do
/// not reach them), which a local file does not mind.
#[derive(Debug)]
struct Leases {
    turns: tokio::sync::Semaphore,
    state: std::sync::Mutex<Kept>,
    /// How long a lease may wait, for its turn and a connection together.
    acquire_timeout: Duration,
}

#[derive(Debug, Default)]
struct Kept {
    connections: Vec<sqlx::pool::PoolConnection<sqlx::Any>>,
    /// Set by [`Database::close`]: from then on, connections go back to the pool.
    closed: bool,
}

impl Drop for Leases {
    /// The last handle went away without [`Database::close`]. sqlx takes connections back
    /// from a task it spawns, which needs a Tokio runtime: outside one, close the kept
    /// connections directly instead.
    fn drop(&mut self) {
        if tokio::runtime::Handle::try_current().is_err() {
            for connection in std::mem::take(&mut self.lock().connections) {
                drop(connection.detach());
            }
        }
    }
}

impl Leases {
    fn new(leasable: usize, acquire_timeout: Duration) -> Self {
        Self {
            turns: tokio::sync::Semaphore::new(leasable),
            state: std::sync::Mutex::new(Kept::default()),
            acquire_timeout,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Kept> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// A connection for one store call; see [`Database::lease`].
struct Lease<'a> {
    connection: sqlx::pool::PoolConnection<sqlx::Any>,
    /// Where it goes back to, and the turn it holds, when it is a kept SQLite connection.
    kept: Option<(&'a Leases, tokio::sync::SemaphorePermit<'a>)>,
}

impl Lease<'_> {
    /// Every statement succeeded: the connection may serve the next lease as it is.
    fn done(self) {
        let Lease { connection, kept } = self;
        let Some((leases, _turn)) = kept else {
            return;
        };
        let mut state = leases.lock();
        if !state.closed {
            state.connections.push(connection);
        }
    }
}

impl std::ops::Deref for Lease<'_> {
    type Target = sqlx::AnyConnection;

    fn deref(&self) -> &sqlx::AnyConnection {
        &self.connection
    }
}

impl std::ops::DerefMut for Lease<'_> {
    fn deref_mut(&mut self) -> &mut sqlx::AnyConnection {
        &mut self.connection
    }
}

fn create_parent_dir(url: &str) -> Result<(), StoreError> {
    let path = url
        .trim_start_matches("sqlite://")
        .trim_start_matches("sqlite:")
        .split('?')
        .next()
        .unwrap_or_default();
    if let Some(parent) = std::path::Path::new(path).parent()
        && !parent.as_os_str().is_empty()
    {
        std::fs::create_dir_all(parent).map_err(|error| {
            StoreError::Config(format!("cannot create {}: {error}", parent.display()))
        })?;
    }
    Ok(())
}

/// The project's migrations, one list per dialect: (version, description, SQL).
#[derive(Debug, Clone, Copy)]
pub struct Migrations {
    pub sqlite: &'static [(i64, &'static str, &'static str)],
    pub postgres: &'static [(i64, &'static str, &'static str)],
}

#[derive(Debug)]
struct EmbeddedMigrations(&'static [(i64, &'static str, &'static str)]);

impl sqlx::migrate::MigrationSource<'static> for EmbeddedMigrations {
    fn resolve(
        self,
    ) -> std::pin::Pin<
        Box<
            dyn Future<Output = Result<Vec<sqlx::migrate::Migration>, sqlx::error::BoxDynError>>
                + Send
                + 'static,
        >,
    > {
        Box::pin(async move {
            Ok(self
                .0
                .iter()
                .map(|(version, description, sql)| {
                    sqlx::migrate::Migration::new(
                        *version,
                        Cow::Borrowed(*description),
                        sqlx::migrate::MigrationType::Simple,
                        sqlx::SqlSafeStr::into_sql_str(*sql),
                        false,
                    )
                })
                .collect())
        })
    }
}

/// How a table stores one resource.
#[derive(Debug)]
pub struct Table {
    pub name: &'static str,
    pub key: KeyColumn,
    /// Columns holding the keys of the enclosing items, outermost first.
    pub parents: &'static [&'static str],
    /// The table of the enclosing items, when they are a resource too: an item of this
    /// table exists only while its enclosing item does.
    pub parent: Option<&'static Table>,
    pub columns: &'static [Column],
    /// Values the server writes into required fields a write left empty.
    pub fills: &'static [Fill],
    /// Fields only the server sets (`readOnly`): dropped from what a client sends.
    pub read_only: &'static [&'static str],
    /// Statement texts made on first use: `Statements::new()`.
    pub statements: Statements,
}

/// The texts of the statements a table reuses as they are: they depend only on the table
/// and the dialect, and building one for each read cost about as much as decoding the row
/// it reads.
#[derive(Debug)]
pub struct Statements {
    /// `SELECT` of one item, by dialect.
    fetch: [OnceLock<Arc<str>>; 2],
    /// `INSERT ... RETURNING` of one item, by dialect and by whether the key is given.
    insert: [OnceLock<Arc<str>>; 4],
}

impl Statements {
    pub const fn new() -> Self {
        Self {
            fetch: [const { OnceLock::new() }; 2],
            insert: [const { OnceLock::new() }; 4],
        }
    }
}

impl Default for Statements {
    fn default() -> Self {
        Self::new()
    }
}

#[derive(Debug)]
pub struct KeyColumn {
    pub field: &'static str,
    pub column: &'static str,
    pub kind: KeyKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyKind {
    /// Assigned by the database.
    Integer,
    /// A random UUID.
    Uuid,
    /// Chosen by the client, or a random UUID.
    Text,
}

#[derive(Debug)]
pub struct Column {
    pub field: &'static str,
    pub name: &'static str,
    pub kind: ColumnKind,
    /// Written as `null` in the item rather than left out.
    pub required: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnKind {
    Text,
    Integer,
    Real,
    Boolean,
    Json,
}

#[derive(Debug)]
pub struct Fill {
    pub field: &'static str,
    pub value: FillValue,
}

#[derive(Debug)]
pub enum FillValue {
    Now,
    Today,
    Uuid,
    /// A JSON literal.
    Json(&'static str),
}

/// An item's identifier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Key {
    Integer(i64),
    Text(String),
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Key::Integer(value) => write!(f, "{value}"),
            Key::Text(value) => f.write_str(value),
        }
    }
}

macro_rules! integer_keys {
    ($($ty:ty),*) => {$(
        impl From<$ty> for Key {
            fn from(value: $ty) -> Self {
                Key::Integer(i64::try_from(value).unwrap_or(i64::MAX))
            }
        }
    )*};
}
integer_keys!(i32, i64, u32, u64);

impl From<String> for Key {
    fn from(value: String) -> Self {
        Key::Text(value)
    }
}

impl From<&str> for Key {
    fn from(value: &str) -> Self {
        Key::Text(value.to_owned())
    }
}

impl From<uuid::Uuid> for Key {
    fn from(value: uuid::Uuid) -> Self {
        Key::Text(value.to_string())
    }
}

/// The keys of the items enclosing a nested resource, outermost first (empty at the top).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scope(pub Vec<Key>);

impl Scope {
    /// The top level: no enclosing items.
    pub fn root() -> Self {
        Self(Vec::new())
    }

    pub fn of(keys: impl IntoIterator<Item = Key>) -> Self {
        Self(keys.into_iter().collect())
    }
}

/// One page of a list.
#[derive(Debug, Clone)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Items matching the filters, on every page.
    pub total: u64,
    pub limit: u64,
    pub offset: u64,
}

impl Page<Record> {
    /// The page with each item as `T`. (Reads return models directly; this serves
    /// repositories that read pages of records, as they were scaffolded before.)
    pub fn typed<T: DeserializeOwned>(self) -> Result<Page<T>, StoreError> {
        Ok(Page {
            items: self
                .items
                .into_iter()
                .map(typed)
                .collect::<Result<_, _>>()?,
            total: self.total,
            limit: self.limit,
            offset: self.offset,
        })
    }
}

/// A record as `T`. (Reads return models directly; this serves repositories that hold
/// records, as they were scaffolded before.)
pub fn typed<T: DeserializeOwned>(record: Record) -> Result<T, StoreError> {
    serde_json::from_value(Value::Object(record))
        .map_err(|error| StoreError::Corrupt(error.to_string()))
}

/// A request body as a record.
pub fn record_of<T: Serialize>(value: &T) -> Result<Record, Problem> {
    match serde_json::to_value(value) {
        Ok(Value::Object(record)) => Ok(record),
        Ok(_) => Err(Problem::internal(
            "a body that is not an object cannot be stored",
        )),
        Err(error) => Err(Problem::internal(error)),
    }
}

/// What a list asks for: paging, filters and order, as the request gave them.
#[derive(Debug, Clone, Default)]
pub struct ListQuery {
    limit: Option<i64>,
    offset: Option<i64>,
    page: Option<i64>,
    cursor: Option<String>,
    sort: Option<String>,
    descending: Option<bool>,
    filters: Vec<(&'static str, Value)>,
}

fn as_i64(value: impl Serialize) -> Option<i64> {
    match serde_json::to_value(value).ok()? {
        Value::Number(n) => n.as_i64().or_else(|| n.as_f64().map(|f| f as i64)),
        Value::String(s) => s.parse().ok(),
        _ => None,
    }
}

fn as_text(value: impl Serialize) -> Option<String> {
    match serde_json::to_value(value).ok()? {
        Value::String(s) => Some(s),
        Value::Null => None,
        other => Some(other.to_string()),
    }
}

impl ListQuery {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn limit(mut self, value: impl Serialize) -> Self {
        self.limit = as_i64(value);
        self
    }

    pub fn offset(mut self, value: impl Serialize) -> Self {
        self.offset = as_i64(value);
        self
    }

    pub fn page(mut self, value: impl Serialize) -> Self {
        self.page = as_i64(value);
        self
    }

    /// An opaque cursor this server issued (the offset of the next page).
    pub fn cursor(mut self, value: impl Serialize) -> Self {
        self.cursor = as_text(value);
        self
    }

    /// `name`, `-name`, `+name`, `name:desc` or `name desc`; the first key of a list.
    pub fn sort(mut self, value: impl Serialize) -> Self {
        self.sort = as_text(value);
        self
    }

    /// `asc` or `desc`.
    pub fn direction(mut self, value: impl Serialize) -> Self {
        self.descending = as_text(value)
            .map(|d| d.eq_ignore_ascii_case("desc") || d.eq_ignore_ascii_case("descending"));
        self
    }

    /// Only items whose `column` equals `value` (no filter when `value` is `null`).
    pub fn filter(mut self, column: &'static str, value: impl Serialize) -> Self {
        if let Ok(value) = serde_json::to_value(value)
            && !value.is_null()
        {
            self.filters.push((column, value));
        }
        self
    }
}

/// How a list operation pages and wraps its items.
#[derive(Debug)]
pub struct Listing {
    pub default_limit: u32,
    pub max_limit: u32,
    pub zero_based_page: bool,
    pub shape: ListShape,
}

#[derive(Debug)]
pub enum ListShape {
    Array,
    Envelope {
        items: &'static str,
        total: Option<&'static str>,
        limit: Option<&'static str>,
        offset: Option<&'static str>,
        page: Option<&'static str>,
        next_cursor: Option<&'static str>,
        /// Other required fields, as JSON literals.
        extra: &'static [(&'static str, &'static str)],
    },
}

impl Listing {
    /// The response body for a page, as the spec shapes it.
    pub fn body<T: Serialize, B: DeserializeOwned>(&self, page: &Page<T>) -> Result<B, Problem> {
        let items = serde_json::to_value(&page.items).map_err(Problem::internal)?;
        let body = match &self.shape {
            ListShape::Array => items,
            ListShape::Envelope {
                items: field,
                total,
                limit,
                offset,
                page: page_field,
                next_cursor,
                extra,
            } => {
                let mut body = Map::new();
                body.insert((*field).to_owned(), items);
                if let Some(total) = total {
                    body.insert((*total).to_owned(), page.total.into());
                }
                if let Some(limit) = limit {
                    body.insert((*limit).to_owned(), page.limit.into());
                }
                if let Some(offset) = offset {
                    body.insert((*offset).to_owned(), page.offset.into());
                }
                if let Some(page_field) = page_field {
                    let number = page.offset / page.limit.max(1) + u64::from(!self.zero_based_page);
                    body.insert((*page_field).to_owned(), number.into());
                }
                let next = page.offset + page.items.len() as u64;
                if let Some(cursor) = next_cursor
                    && next < page.total
                {
                    body.insert((*cursor).to_owned(), next.to_string().into());
                }
                for (name, literal) in *extra {
                    let value = serde_json::from_str(literal).map_err(Problem::internal)?;
                    body.insert((*name).to_owned(), value);
                }
                Value::Object(body)
            }
        };
        serde_json::from_value(body).map_err(Problem::internal)
    }

    fn window(&self, query: &ListQuery) -> (i64, i64) {
        let limit = query
            .limit
            .unwrap_or(i64::from(self.default_limit))
            .clamp(1, i64::from(self.max_limit));
        let offset = if let Some(offset) = query.offset {
            offset
        } else if let Some(cursor) = &query.cursor {
            cursor.parse().unwrap_or(0)
        } else if let Some(page) = query.page {
            let first = i64::from(!self.zero_based_page);
            (page - first).saturating_mul(limit)
        } else {
            0
        };
        (limit, offset.max(0))
    }
}

/// A value bound to a statement.
#[derive(Debug, Clone)]
enum Bound {
    Null(ColumnKind),
    Bool(bool),
    Integer(i64),
    Real(f64),
    Text(String),
}

impl Bound {
    fn of(kind: ColumnKind, value: Option<&Value>) -> Self {
        let Some(value) = value.filter(|v| !v.is_null()) else {
            return Bound::Null(kind);
        };
        match kind {
            ColumnKind::Json => Bound::Text(value.to_string()),
            ColumnKind::Boolean => value.as_bool().map_or(Bound::Null(kind), Bound::Bool),
            ColumnKind::Integer => match value.as_i64() {
                Some(i) => Bound::Integer(i),
                None => value
                    .as_f64()
                    .map_or(Bound::Null(kind), |f| Bound::Integer(f as i64)),
            },
            ColumnKind::Real => value.as_f64().map_or(Bound::Null(kind), Bound::Real),
            ColumnKind::Text => match value {
                Value::String(s) => Bound::Text(s.clone()),
                other => Bound::Text(other.to_string()),
            },
        }
    }

    fn key(key: &Key) -> Self {
        match key {
            Key::Integer(i) => Bound::Integer(*i),
            Key::Text(s) => Bound::Text(s.clone()),
        }
    }
}

/// Collects bound values and writes their placeholders.
struct Binder {
    dialect: Dialect,
    values: Vec<Bound>,
}

impl Binder {
    fn new(dialect: Dialect) -> Self {
        Self {
            dialect,
            values: Vec::new(),
        }
    }

    /// The placeholder for a new value, cast for JSON columns on PostgreSQL.
    fn push(&mut self, value: Bound, kind: ColumnKind) -> String {
        self.bind(value, kind);
        Self::placeholder(self.dialect, self.values.len(), kind)
    }

    /// The placeholder of the `position`th value bound (from 1), as [`Self::push`] writes
    /// it: for statements whose text is built once and cached.
    fn placeholder(dialect: Dialect, position: usize, kind: ColumnKind) -> String {
        match dialect {
            Dialect::Sqlite => "?".to_owned(),
            Dialect::Postgres if kind == ColumnKind::Json => format!("${position}::jsonb"),
            Dialect::Postgres => format!("${position}"),
        }
    }

    /// Adds a value without writing its placeholder, for a statement whose text is cached.
    fn bind(&mut self, value: Bound, kind: ColumnKind) {
        let value = match value {
            Bound::Text(text) if self.dialect == Dialect::Postgres && kind != ColumnKind::Json => {
                Bound::Text(nul_safe::encode(&text).into_owned())
            }
            other => other,
        };
        self.values.push(value);
    }

    /// The placeholder for a field's value, stored as `kind`.
    fn push_value(&mut self, kind: ColumnKind, value: Option<&Value>) -> String {
        self.bind_value(kind, value);
        Self::placeholder(self.dialect, self.values.len(), kind)
    }

    /// Adds a field's value, stored as `kind`, without writing its placeholder.
    fn bind_value(&mut self, kind: ColumnKind, value: Option<&Value>) {
        if self.dialect == Dialect::Postgres
            && kind == ColumnKind::Json
            && let Some(value) = value
            && nul_safe::needed_in(value)
        {
            let mut value = value.clone();
            nul_safe::map_strings(&mut value, nul_safe::encode);
            return self.bind(Bound::of(kind, Some(&value)), kind);
        }
        self.bind(Bound::of(kind, value), kind)
    }

    fn arguments(self) -> Result<AnyArguments, StoreError> {
        let mut arguments = AnyArguments::default();
        for value in self.values {
            let added = match value {
                Bound::Null(ColumnKind::Boolean) => arguments.add(None::<bool>),
                Bound::Null(ColumnKind::Integer) => arguments.add(None::<i64>),
                // sqlx 0.9's PostgreSQL mapping of Any swaps the two float nulls (a null
                // `f64` is sent as float4, which poisons the cached statement for later
                // non-null values): a null `f32` arrives as a float8 null.
                Bound::Null(ColumnKind::Real) => arguments.add(None::<f32>),
                Bound::Null(_) => arguments.add(None::<String>),
                Bound::Bool(b) => arguments.add(b),
                Bound::Integer(i) => arguments.add(i),
                Bound::Real(f) => arguments.add(f),
                Bound::Text(s) => arguments.add(s),
            };
            added.map_err(|error| StoreError::Database(sqlx::Error::Encode(error)))?;
        }
        Ok(arguments)
    }
}

fn quote(name: &str) -> String {
    let mut quoted = String::with_capacity(name.len() + 2);
    push_quoted(&mut quoted, name);
    quoted
}

/// Appends `name` as a quoted SQL identifier (`"a""b"` for `a"b`).
fn push_quoted(out: &mut String, name: &str) {
    out.push('"');
    for part in name.split_inclusive('"') {
        out.push_str(part);
        if part.ends_with('"') {
            out.push('"');
        }
    }
    out.push('"');
}

impl Table {
    /// The key column, then every other column, quoted; JSON columns read as text on
    /// PostgreSQL. Built into one string: it is part of every read.
    fn select_list(&self, dialect: Dialect) -> String {
        let mut list = String::with_capacity(24 * (self.columns.len() + 1));
        push_quoted(&mut list, self.key.column);
        for column in self.columns {
            list.push_str(", ");
            push_quoted(&mut list, column.name);
            if dialect == Dialect::Postgres && column.kind == ColumnKind::Json {
                list.push_str("::text AS ");
                push_quoted(&mut list, column.name);
            }
        }
        list
    }

    fn key_bound(&self, key: &Key) -> Bound {
        match (self.key.kind, key) {
            (KeyKind::Integer, Key::Text(text)) => text
                .parse()
                .map_or(Bound::Null(ColumnKind::Integer), Bound::Integer),
            (KeyKind::Uuid | KeyKind::Text, Key::Integer(i)) => Bound::Text(i.to_string()),
            _ => Bound::key(key),
        }
    }

    fn key_kind(&self) -> ColumnKind {
        match self.key.kind {
            KeyKind::Integer => ColumnKind::Integer,
            KeyKind::Uuid | KeyKind::Text => ColumnKind::Text,
        }
    }

    /// `"key" = ? AND "parent" = ?...`
    fn where_item(&self, binder: &mut Binder, scope: &Scope, key: &Key) -> String {
        equalities(binder, self.item_condition(scope, key)).join(" AND ")
    }

    /// Binds what [`Table::where_item`] compares, without writing the clause.
    fn bind_item(&self, binder: &mut Binder, scope: &Scope, key: &Key) {
        for (_, value, kind) in self.item_condition(scope, key) {
            binder.bind(value, kind);
        }
    }

    /// The columns that single out an item and the values they must hold: its key, then
    /// the keys of the items enclosing it.
    fn item_condition<'a>(
        &'a self,
        scope: &'a Scope,
        key: &Key,
    ) -> impl Iterator<Item = (&'static str, Bound, ColumnKind)> + 'a {
        let own = (self.key.column, self.key_bound(key), self.key_kind());
        std::iter::once(own).chain(self.scope_condition(scope))
    }

    /// The columns holding the keys of the enclosing items and the keys they must hold.
    fn scope_condition<'a>(
        &'a self,
        scope: &'a Scope,
    ) -> impl Iterator<Item = (&'static str, Bound, ColumnKind)> + 'a {
        self.parents
            .iter()
            .zip(&scope.0)
            .map(|(column, key)| (*column, Bound::Text(key.to_string()), ColumnKind::Text))
    }

    /// The statement that reads one item: made once per dialect for items at this
    /// table's depth (the only depth a well-formed scope has), otherwise each time.
    fn fetch_sql(&self, dialect: Dialect, scope: &Scope, key: &Key) -> Arc<str> {
        let make = || -> Arc<str> {
            let mut placeholders = Binder::new(dialect);
            format!(
                "SELECT {} FROM {} WHERE {}",
                self.select_list(dialect),
                quote(self.name),
                self.where_item(&mut placeholders, scope, key)
            )
            .into()
        };
        if scope.0.len() != self.parents.len() {
            return make();
        }
        let slot = match dialect {
            Dialect::Sqlite => &self.statements.fetch[0],
            Dialect::Postgres => &self.statements.fetch[1],
        };
        slot.get_or_init(make).clone()
    }

    /// `INSERT ... RETURNING` with the first `parents` parent keys, the key when the
    /// caller gives it, then every column, in the order `insert` binds them. One round
    /// trip: the stored item comes back as the select list reads it. Built once per
    /// dialect and key presence when every parent key is given (always, for a nested
    /// resource's routes).
    fn insert_sql(&self, dialect: Dialect, parents: usize, with_key: bool) -> Arc<str> {
        let make = || -> Arc<str> {
            let mut names = Vec::new();
            let mut values = Vec::new();
            let mut next = |name: &str, kind: ColumnKind| {
                names.push(quote(name));
                values.push(Binder::placeholder(dialect, values.len() + 1, kind));
            };
            for column in &self.parents[..parents] {
                next(column, ColumnKind::Text);
            }
            if with_key {
                next(self.key.column, self.key_kind());
            }
            for column in self.columns {
                next(column.name, column.kind);
            }
            format!(
                "INSERT INTO {} ({}) VALUES ({}) RETURNING {}",
                quote(self.name),
                names.join(", "),
                values.join(", "),
                self.select_list(dialect)
            )
            .into()
        };
        if parents != self.parents.len() {
            return make();
        }
        let slot = usize::from(dialect == Dialect::Postgres) * 2 + usize::from(with_key);
        self.statements.insert[slot].get_or_init(make).clone()
    }

    fn where_scope(&self, binder: &mut Binder, scope: &Scope) -> Vec<String> {
        equalities(binder, self.scope_condition(scope))
    }

    /// Drops what a client may not set: `readOnly` fields, the key among them when it is.
    fn drop_read_only(&self, record: &mut Record) {
        for field in self.read_only {
            record.remove(*field);
        }
    }

    /// Sets the server's values in required fields the record leaves empty.
    fn fill(&self, record: &mut Record) {
        for fill in self.fills {
            if record.get(fill.field).is_none_or(Value::is_null) {
                let value = match &fill.value {
                    FillValue::Now => Value::from(date_time::to_string(
                        &chrono::Utc::now(),
                        date_time::Fraction::Millis,
                    )),
                    FillValue::Today => {
                        Value::from(date_time::date::to_string(chrono::Utc::now().date_naive()))
                    }
                    FillValue::Uuid => Value::from(uuid::Uuid::new_v4().to_string()),
                    FillValue::Json(literal) => {
                        serde_json::from_str(literal).unwrap_or(Value::Null)
                    }
                };
                record.insert(fill.field.to_owned(), value);
            }
        }
    }

    /// The fields of the item a row holds, in the order the select list reads them: the
    /// key, then each column that has a value or is required (`null` then).
    fn fields_of_row(
        &self,
        dialect: Dialect,
        row: &AnyRow,
    ) -> Result<Vec<(&'static str, Value)>, StoreError> {
        let mut fields = Vec::with_capacity(self.columns.len() + 1);
        let key = match self.key.kind {
            KeyKind::Integer => Value::from(row.try_get::<i64, _>(0)?),
            KeyKind::Uuid | KeyKind::Text => {
                let text: String = row.try_get(0)?;
                match dialect {
                    Dialect::Postgres => Value::from(nul_safe::decode(&text).into_owned()),
                    Dialect::Sqlite => Value::from(text),
                }
            }
        };
        fields.push((self.key.field, key));
        for (index, column) in self.columns.iter().enumerate() {
            let value = decode(row, index + 1, column.kind, dialect)?;
            if !value.is_null() || column.required {
                fields.push((column.field, value));
            }
        }
        Ok(fields)
    }

    /// The item a row holds, as `T`: a model, or a [`Record`]. The row's fields are
    /// deserialized straight into `T`. Building a [`Record`] first, and a model from that,
    /// allocated every field name and a map node per field and walked the map a second
    /// time: 2.5k of a GET's 88k instructions.
    fn item_of_row<T: DeserializeOwned>(
        &self,
        dialect: Dialect,
        row: &AnyRow,
    ) -> Result<T, StoreError> {
        let fields = self.fields_of_row(dialect, row)?;
        T::deserialize(MapDeserializer::new(fields.into_iter()))
            .map_err(|error: serde_json::Error| StoreError::Corrupt(error.to_string()))
    }
}

/// `"column" = ?` for each condition, its value bound.
fn equalities(
    binder: &mut Binder,
    conditions: impl Iterator<Item = (&'static str, Bound, ColumnKind)>,
) -> Vec<String> {
    conditions
        .map(|(column, value, kind)| format!("{} = {}", quote(column), binder.push(value, kind)))
        .collect()
}

fn decode(
    row: &AnyRow,
    index: usize,
    kind: ColumnKind,
    dialect: Dialect,
) -> Result<Value, StoreError> {
    let postgres = dialect == Dialect::Postgres;
    Ok(match kind {
        ColumnKind::Text => match row.try_get::<Option<String>, _>(index)? {
            Some(text) if postgres => Value::from(nul_safe::decode(&text).into_owned()),
            Some(text) => Value::from(text),
            None => Value::Null,
        },
        ColumnKind::Integer => row
            .try_get::<Option<i64>, _>(index)?
            .map_or(Value::Null, Value::from),
        ColumnKind::Real => row
            .try_get::<Option<f64>, _>(index)
            .or_else(|_| {
                row.try_get::<Option<i64>, _>(index)
                    .map(|v| v.map(|i| i as f64))
            })?
            .map_or(Value::Null, Value::from),
        ColumnKind::Boolean => row
            .try_get::<Option<bool>, _>(index)
            .or_else(|_| {
                row.try_get::<Option<i64>, _>(index)
                    .map(|v| v.map(|i| i != 0))
            })?
            .map_or(Value::Null, Value::from),
        ColumnKind::Json => match row.try_get::<Option<String>, _>(index)? {
            Some(text) => {
                let mut value: Value =
                    serde_json::from_str(&text).map_err(|e| StoreError::Corrupt(e.to_string()))?;
                if postgres && text.contains(nul_safe::ESCAPE) {
                    nul_safe::map_strings(&mut value, nul_safe::decode);
                }
                value
            }
            None => Value::Null,
        },
    })
}

impl Database {
    async fn fetch_with<'c, E, T>(
        &self,
        executor: E,
        table: &Table,
        scope: &Scope,
        key: &Key,
    ) -> Result<Option<T>, StoreError>
    where
        E: Executor<'c, Database = sqlx::Any>,
        T: DeserializeOwned,
    {
        let row = self.fetch_row(executor, table, scope, key).await?;
        row.map(|row| table.item_of_row(self.dialect, &row))
            .transpose()
    }

    /// The row of the item with this key, undecoded.
    async fn fetch_row<'c, E>(
        &self,
        executor: E,
        table: &Table,
        scope: &Scope,
        key: &Key,
    ) -> Result<Option<AnyRow>, StoreError>
    where
        E: Executor<'c, Database = sqlx::Any>,
    {
        let mut binder = Binder::new(self.dialect);
        table.bind_item(&mut binder, scope, key);
        let sql = table.fetch_sql(self.dialect, scope, key);
        Ok(sqlx::query_with(AssertSqlSafe(sql), binder.arguments()?)
            .fetch_optional(executor)
            .await?)
    }

    /// Fails with [`StoreError::ParentNotFound`] when the enclosing item is gone.
    async fn ensure_parent(
        &self,
        connection: &mut sqlx::AnyConnection,
        table: &Table,
        scope: &Scope,
    ) -> Result<(), StoreError> {
        let (Some(parent), Some((key, outer))) = (table.parent, scope.0.split_last()) else {
            return Ok(());
        };
        let outer = Scope(outer.to_vec());
        match self.fetch_row(connection, parent, &outer, key).await? {
            Some(_) => Ok(()),
            None => Err(StoreError::ParentNotFound),
        }
    }

    /// The item with this key, if there is one, as `T`: the resource's model, or a
    /// [`Record`].
    pub async fn fetch<T: DeserializeOwned>(
        &self,
        table: &Table,
        scope: &Scope,
        key: &Key,
    ) -> Result<Option<T>, StoreError> {
        let mut lease = self.lease().await?;
        self.ensure_parent(&mut lease, table, scope).await?;
        let item = self.fetch_with(&mut *lease, table, scope, key).await?;
        lease.done();
        Ok(item)
    }

    /// Stores a new item and returns its key and the item as stored, as `T`.
    pub async fn insert<T: DeserializeOwned>(
        &self,
        table: &Table,
        scope: &Scope,
        mut record: Record,
    ) -> Result<(Key, T), StoreError> {
        table.drop_read_only(&mut record);
        table.fill(&mut record);
        let given_key = record
            .get(table.key.field)
            .filter(|v| !v.is_null())
            .cloned();
        let key = match (table.key.kind, given_key) {
            (KeyKind::Integer, Some(Value::Number(n))) => n.as_i64().map(Key::Integer),
            (KeyKind::Integer, _) => None,
            (_, Some(Value::String(s))) => Some(Key::Text(s)),
            (_, _) => Some(Key::Text(uuid::Uuid::new_v4().to_string())),
        };
        let mut binder = Binder::new(self.dialect);
        let parents = table.parents.len().min(scope.0.len());
        for key in &scope.0[..parents] {
            binder.bind(Bound::Text(key.to_string()), ColumnKind::Text);
        }
        if let Some(key) = &key {
            binder.bind(table.key_bound(key), table.key_kind());
        }
        for column in table.columns {
            binder.bind_value(column.kind, record.get(column.field));
        }
        let sql = table.insert_sql(self.dialect, parents, key.is_some());
        let arguments = binder.arguments()?;
        // The turn first, then a connection: a writer waiting for its turn holds none that
        // readers could use.
        let turn = self.write_turn().await;
        let mut lease = self.lease().await?;
        self.ensure_parent(&mut lease, table, scope).await?;
        let row = sqlx::query_with(AssertSqlSafe(sql), arguments)
            .fetch_one(&mut *lease)
            .await?;
        drop(turn);
        lease.done();
        let key = match table.key.kind {
            KeyKind::Integer => Key::Integer(row.try_get(0)?),
            KeyKind::Uuid | KeyKind::Text => Key::Text(row.try_get(0)?),
        };
        let stored = table.item_of_row(self.dialect, &row)?;
        Ok((key, stored))
    }

    /// Replaces every field of an item; `None` when there is no such item.
    /// Fields the server fills (creation time, sampled defaults) keep their stored value
    /// when the new body leaves them out.
    pub async fn replace<T: DeserializeOwned>(
        &self,
        table: &Table,
        scope: &Scope,
        key: &Key,
        mut record: Record,
    ) -> Result<Option<T>, StoreError> {
        let _turn = self.write_turn().await;
        let mut lease = self.lease().await?;
        self.ensure_parent(&mut lease, table, scope).await?;
        let mut transaction = sqlx::Connection::begin(&mut *lease).await?;
        let Some(current) = self
            .fetch_with::<_, Record>(&mut *transaction, table, scope, key)
            .await?
        else {
            return Ok(None);
        };
        table.drop_read_only(&mut record);
        for field in table.read_only {
            if let Some(value) = current.get(*field) {
                record.insert((*field).to_owned(), value.clone());
            }
        }
        for fill in table.fills {
            if record.get(fill.field).is_none_or(Value::is_null)
                && let Some(value) = current.get(fill.field)
            {
                record.insert(fill.field.to_owned(), value.clone());
            }
        }
        table.fill(&mut record);
        if !self
            .update_with(&mut *transaction, table, scope, key, &record)
            .await?
        {
            return Ok(None);
        }
        let stored = self
            .fetch_with(&mut *transaction, table, scope, key)
            .await?;
        transaction.commit().await?;
        lease.done();
        Ok(stored)
    }

    /// Applies a JSON merge patch (RFC 7396) to an item, in one transaction; `None` when
    /// there is no such item.
    pub async fn patch<T: DeserializeOwned>(
        &self,
        table: &Table,
        scope: &Scope,
        key: &Key,
        patch: &Record,
    ) -> Result<Option<T>, StoreError> {
        let _turn = self.write_turn().await;
        let mut lease = self.lease().await?;
        self.ensure_parent(&mut lease, table, scope).await?;
        let mut transaction = sqlx::Connection::begin(&mut *lease).await?;
        let Some(current) = self
            .fetch_with::<_, Record>(&mut *transaction, table, scope, key)
            .await?
        else {
            return Ok(None);
        };
        let mut patch = patch.clone();
        table.drop_read_only(&mut patch);
        let mut merged = Value::Object(current);
        merge_patch(&mut merged, &Value::Object(patch));
        let Value::Object(mut record) = merged else {
            return Err(StoreError::Corrupt(
                "a patched item is not an object".to_owned(),
            ));
        };
        table.fill(&mut record);
        self.update_with(&mut *transaction, table, scope, key, &record)
            .await?;
        let stored = self
            .fetch_with(&mut *transaction, table, scope, key)
            .await?;
        transaction.commit().await?;
        lease.done();
        Ok(stored)
    }

    async fn update_with<'c, E>(
        &self,
        executor: E,
        table: &Table,
        scope: &Scope,
        key: &Key,
        record: &Record,
    ) -> Result<bool, StoreError>
    where
        E: Executor<'c, Database = sqlx::Any>,
    {
        let mut binder = Binder::new(self.dialect);
        let assignments: Vec<String> = table
            .columns
            .iter()
            .map(|column| {
                format!(
                    "{} = {}",
                    quote(column.name),
                    binder.push_value(column.kind, record.get(column.field))
                )
            })
            .collect();
        let condition = table.where_item(&mut binder, scope, key);
        let sql = if assignments.is_empty() {
            // Nothing to set: still tell whether the item exists.
            format!(
                "UPDATE {} SET {} = {} WHERE {}",
                quote(table.name),
                quote(table.key.column),
                quote(table.key.column),
                condition
            )
        } else {
            format!(
                "UPDATE {} SET {} WHERE {}",
                quote(table.name),
                assignments.join(", "),
                condition
            )
        };
        let result = sqlx::query_with(AssertSqlSafe(sql), binder.arguments()?)
            .execute(executor)
            .await?;
        Ok(result.rows_affected() > 0)
    }

    /// Deletes an item; `false` when there was none.
    pub async fn delete(
        &self,
        table: &Table,
        scope: &Scope,
        key: &Key,
    ) -> Result<bool, StoreError> {
        let mut binder = Binder::new(self.dialect);
        let sql = format!(
            "DELETE FROM {} WHERE {}",
            quote(table.name),
            table.where_item(&mut binder, scope, key)
        );
        let arguments = binder.arguments()?;
        let turn = self.write_turn().await;
        let mut lease = self.lease().await?;
        self.ensure_parent(&mut lease, table, scope).await?;
        let result = sqlx::query_with(AssertSqlSafe(sql), arguments)
            .execute(&mut *lease)
            .await?;
        drop(turn);
        lease.done();
        Ok(result.rows_affected() > 0)
    }

    /// One page of the items in `scope` that pass the query's filters, in its order.
    pub async fn list<T: DeserializeOwned>(
        &self,
        table: &Table,
        listing: &Listing,
        scope: &Scope,
        query: &ListQuery,
    ) -> Result<Page<T>, StoreError> {
        let mut lease = self.lease().await?;
        self.ensure_parent(&mut lease, table, scope).await?;
        let (limit, offset) = listing.window(query);
        let mut binder = Binder::new(self.dialect);
        let mut conditions = table.where_scope(&mut binder, scope);
        for (column, value) in &query.filters {
            let Some(kind) = table
                .columns
                .iter()
                .find(|c| c.name == *column)
                .map(|c| c.kind)
            else {
                continue;
            };
            conditions.push(format!(
                "{} = {}",
                quote(column),
                binder.push_value(kind, Some(value))
            ));
        }
        let condition = if conditions.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", conditions.join(" AND "))
        };
        let count_sql = format!("SELECT COUNT(*) FROM {}{condition}", quote(table.name));
        let count_arguments = Binder {
            dialect: self.dialect,
            values: binder.values.clone(),
        }
        .arguments()?;
        let total: i64 = sqlx::query_with(AssertSqlSafe(count_sql), count_arguments)
            .fetch_one(&mut *lease)
            .await?
            .try_get(0)?;

        let (order_column, descending) = self.order(table, query);
        let direction = if descending { "DESC" } else { "ASC" };
        let mut order = format!("{} {direction}", quote(order_column));
        if order_column != table.key.column {
            order.push_str(&format!(", {} ASC", quote(table.key.column)));
        }
        let limit_placeholder = binder.push(Bound::Integer(limit), ColumnKind::Integer);
        let offset_placeholder = binder.push(Bound::Integer(offset), ColumnKind::Integer);
        let sql = format!(
            "SELECT {} FROM {}{condition} ORDER BY {order} LIMIT {limit_placeholder} OFFSET {offset_placeholder}",
            table.select_list(self.dialect),
            quote(table.name),
        );
        let rows = sqlx::query_with(AssertSqlSafe(sql), binder.arguments()?)
            .fetch_all(&mut *lease)
            .await?;
        lease.done();
        let items = rows
            .iter()
            .map(|row| table.item_of_row(self.dialect, row))
            .collect::<Result<_, _>>()?;
        Ok(Page {
            items,
            total: u64::try_from(total).unwrap_or(0),
            limit: u64::try_from(limit).unwrap_or(0),
            offset: u64::try_from(offset).unwrap_or(0),
        })
    }

    /// The column and direction a list is ordered by: the requested field when the table
    /// has it (JSON columns excluded), else the key.
    fn order(&self, table: &Table, query: &ListQuery) -> (&'static str, bool) {
        let mut descending = query.descending.unwrap_or(false);
        let Some(sort) = query.sort.as_deref() else {
            return (table.key.column, descending);
        };
        let first = sort.split(',').next().unwrap_or_default().trim();
        let (field, explicit) = if let Some(field) = first.strip_prefix('-') {
            (field, Some(true))
        } else if let Some(field) = first.strip_prefix('+') {
            (field, Some(false))
        } else if let Some((field, direction)) = first.split_once([':', ' ']) {
            (field, Some(direction.trim().eq_ignore_ascii_case("desc")))
        } else {
            (first, None)
        };
        if let Some(explicit) = explicit {
            descending = explicit;
        }
        if field == table.key.field {
            return (table.key.column, descending);
        }
        table
            .columns
            .iter()
            .find(|c| c.field == field && c.kind != ColumnKind::Json)
            .map_or((table.key.column, descending), |c| (c.name, descending))
    }
}

/// PostgreSQL text cannot hold NUL (U+0000), which JSON strings may. On PostgreSQL, text is
/// stored with NUL written as U+E000 `0` and U+E000 itself doubled, and read back the same.
mod nul_safe {
    use serde_json::Value;
    use std::borrow::Cow;

    pub const ESCAPE: char = '\u{E000}';

    pub fn encode(text: &str) -> Cow<'_, str> {
        if !text.contains(['\0', ESCAPE]) {
            return Cow::Borrowed(text);
        }
        let mut out = String::with_capacity(text.len() + 4);
        for c in text.chars() {
            match c {
                '\0' => {
                    out.push(ESCAPE);
                    out.push('0');
                }
                ESCAPE => {
                    out.push(ESCAPE);
                    out.push(ESCAPE);
                }
                other => out.push(other),
            }
        }
        Cow::Owned(out)
    }

    pub fn decode(text: &str) -> Cow<'_, str> {
        if !text.contains(ESCAPE) {
            return Cow::Borrowed(text);
        }
        let mut out = String::with_capacity(text.len());
        let mut chars = text.chars();
        while let Some(c) = chars.next() {
            if c != ESCAPE {
                out.push(c);
                continue;
            }
            match chars.next() {
                Some('0') => out.push('\0'),
                Some(ESCAPE) | None => out.push(ESCAPE),
                Some(other) => {
                    out.push(ESCAPE);
                    out.push(other);
                }
            }
        }
        Cow::Owned(out)
    }

    /// Whether a JSON value holds a string (or key) that needs encoding.
    pub fn needed_in(value: &Value) -> bool {
        match value {
            Value::String(s) => s.contains(['\0', ESCAPE]),
            Value::Array(items) => items.iter().any(needed_in),
            Value::Object(map) => map
                .iter()
                .any(|(k, v)| k.contains(['\0', ESCAPE]) || needed_in(v)),
            _ => false,
        }
    }

    pub fn map_strings(value: &mut Value, f: fn(&str) -> Cow<'_, str>) {
        match value {
            Value::String(s) => {
                if let Cow::Owned(mapped) = f(s) {
                    *s = mapped;
                }
            }
            Value::Array(items) => items.iter_mut().for_each(|v| map_strings(v, f)),
            Value::Object(map) => {
                let entries = std::mem::take(map);
                for (key, mut v) in entries {
                    map_strings(&mut v, f);
                    map.insert(f(&key).into_owned(), v);
                }
            }
            _ => {}
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn text_with_nul_and_the_escape_round_trips_without_nul() {
            for text in [
                "plain",
                "a\0b",
                "\u{E000}",
                "\u{E000}0",
                "\0\0\u{E000}\u{E000}",
            ] {
                let encoded = encode(text);
                assert!(!encoded.contains('\0'), "{encoded:?}");
                assert_eq!(decode(&encoded), text);
            }
        }
    }
}

/// RFC 7396: members of `patch` replace those of `target`, `null` removes, objects merge.
pub fn merge_patch(target: &mut Value, patch: &Value) {
    let Value::Object(patch) = patch else {
        *target = patch.clone();
        return;
    };
    if !target.is_object() {
        *target = Value::Object(Map::new());
    }
    if let Value::Object(target) = target {
        for (name, value) in patch {
            if value.is_null() {
                target.remove(name);
            } else {
                merge_patch(target.entry(name.clone()).or_insert(Value::Null), value);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_merge_patch_replaces_removes_and_merges_members() {
        let mut target = serde_json::json!({"a": 1, "b": {"c": 2, "d": 3}, "e": 4});
        merge_patch(
            &mut target,
            &serde_json::json!({"a": 9, "b": {"c": null}, "e": null}),
        );
        assert_eq!(target, serde_json::json!({"a": 9, "b": {"d": 3}}));
    }

    #[test]
    fn identifiers_are_quoted_with_embedded_quotes_doubled() {
        assert_eq!(quote("pets"), "\"pets\"");
        assert_eq!(quote("a\"b"), "\"a\"\"b\"");
        assert_eq!(quote("\"\""), "\"\"\"\"\"\"");
    }

    #[test]
    fn keys_print_as_they_are_sent() {
        assert_eq!(Key::from(42i64).to_string(), "42");
        assert_eq!(Key::from("abc").to_string(), "abc");
    }

    static GADGETS: Table = Table {
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
            },
            Column {
                field: "nickName",
                name: "nick_name",
                kind: ColumnKind::Text,
                required: false,
            },
            Column {
                field: "serial",
                name: "serial",
                kind: ColumnKind::Text,
                required: true,
            },
            Column {
                field: "count",
                name: "count",
                kind: ColumnKind::Integer,
                required: false,
            },
            Column {
                field: "ratio",
                name: "ratio",
                kind: ColumnKind::Real,
                required: false,
            },
            Column {
                field: "on",
                name: "on",
                kind: ColumnKind::Boolean,
                required: false,
            },
            Column {
                field: "extra",
                name: "extra",
                kind: ColumnKind::Json,
                required: false,
            },
        ],
        fills: &[],
        read_only: &[],
        statements: Statements::new(),
    };

    static LISTING: Listing = Listing {
        default_limit: 20,
        max_limit: 100,
        zero_based_page: false,
        shape: ListShape::Array,
    };

    #[derive(Debug, PartialEq, serde::Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Gadget {
        id: i64,
        name: String,
        nick_name: Option<String>,
        serial: Option<String>,
        count: Option<i64>,
        ratio: Option<f64>,
        on: Option<bool>,
        extra: Option<Value>,
    }

    async fn gadgets() -> Database {
        let db = Database::in_memory().await.expect("in-memory SQLite");
        sqlx::query(
            r#"CREATE TABLE "gadgets" ("id" INTEGER PRIMARY KEY AUTOINCREMENT, "name" TEXT NOT NULL,
            "nick_name" TEXT, "serial" TEXT, "count" INTEGER, "ratio" REAL, "on" INTEGER, "extra" TEXT)"#,
        )
        .execute(db.pool())
        .await
        .expect("the table is created");
        db
    }

    fn record(value: Value) -> Record {
        match value {
            Value::Object(record) => record,
            other => panic!("not an object: {other}"),
        }
    }

    #[tokio::test]
    async fn an_item_reads_as_a_record_and_as_a_model_alike() {
        let db = gadgets().await;
        let written = serde_json::json!({
            "name": "lamp", "count": 3, "ratio": 2, "on": true,
            "extra": {"tags": ["a", "b"], "depth": 1.5}
        });
        let (key, stored): (Key, Record) = db
            .insert(&GADGETS, &Scope::root(), record(written))
            .await
            .expect("stored");
        assert_eq!(key, Key::Integer(1));
        // Empty optional fields are left out; empty required ones are written as null.
        let expected = serde_json::json!({
            "id": 1, "name": "lamp", "serial": null, "count": 3, "ratio": 2.0, "on": true,
            "extra": {"tags": ["a", "b"], "depth": 1.5}
        });
        assert_eq!(Value::Object(stored), expected);
        let fetched: Record = db
            .fetch(&GADGETS, &Scope::root(), &key)
            .await
            .expect("read")
            .expect("found");
        assert_eq!(Value::Object(fetched.clone()), expected);

        let model: Gadget = db
            .fetch(&GADGETS, &Scope::root(), &key)
            .await
            .expect("read")
            .expect("found");
        assert_eq!(
            model,
            typed::<Gadget>(fetched).expect("the record is a gadget")
        );
        assert_eq!(model.nick_name, None);
        assert_eq!(model.ratio, Some(2.0));
        assert_eq!(model.extra, Some(expected["extra"].clone()));

        let page: Page<Gadget> = db
            .list(&GADGETS, &LISTING, &Scope::root(), &ListQuery::new())
            .await
            .expect("listed");
        assert_eq!(page.items, vec![model]);
        let missing: Option<Gadget> = db
            .fetch(&GADGETS, &Scope::root(), &Key::Integer(2))
            .await
            .expect("read");
        assert_eq!(missing, None);
    }

    static PARTS: Table = Table {
        name: "parts",
        key: KeyColumn {
            field: "id",
            column: "id",
            kind: KeyKind::Integer,
        },
        parents: &["gadget_id"],
        parent: Some(&GADGETS),
        columns: &[Column {
            field: "name",
            name: "name",
            kind: ColumnKind::Text,
            required: true,
        }],
        fills: &[],
        read_only: &[],
        statements: Statements::new(),
    };

    #[tokio::test]
    async fn a_nested_item_needs_its_enclosing_item() {
        let db = gadgets().await;
        sqlx::query(
            r#"CREATE TABLE "parts" ("id" INTEGER PRIMARY KEY AUTOINCREMENT, "gadget_id" TEXT NOT NULL, "name" TEXT NOT NULL)"#,
        )
        .execute(db.pool())
        .await
        .expect("the table is created");
        let (gadget, _): (Key, Record) = db
            .insert(
                &GADGETS,
                &Scope::root(),
                record(serde_json::json!({"name": "lamp"})),
            )
            .await
            .expect("stored");
        let part = || record(serde_json::json!({"name": "bulb"}));

        let orphan = db
            .insert::<Record>(&PARTS, &Scope::of([Key::Integer(2)]), part())
            .await;
        assert!(
            matches!(orphan, Err(StoreError::ParentNotFound)),
            "{orphan:?}"
        );
        let (key, stored): (Key, Record) = db
            .insert(&PARTS, &Scope::of([gadget.clone()]), part())
            .await
            .expect("stored under its gadget");
        assert_eq!(stored["name"], "bulb");
        let fetched = db
            .fetch::<Record>(&PARTS, &Scope::of([gadget]), &key)
            .await
            .expect("read");
        assert_eq!(fetched, Some(stored));
        let elsewhere = db
            .fetch::<Record>(&PARTS, &Scope::of([Key::Integer(2)]), &key)
            .await;
        assert!(
            matches!(elsewhere, Err(StoreError::ParentNotFound)),
            "{elsewhere:?}"
        );
    }

    /// A SQLite file of its own with the gadgets table, on a pool of `connections`.
    async fn gadgets_on_file(connections: u32) -> (Database, std::path::PathBuf) {
        gadgets_on_file_with(connections, default_max_writers()).await
    }

    /// The same, with `writers` write turns.
    async fn gadgets_on_file_with(
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

    fn remove_database(path: &std::path::Path) {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
        }
    }

    #[tokio::test]
    async fn concurrent_calls_on_a_sqlite_file_share_its_kept_connections() {
        let (db, path) = gadgets_on_file(3).await;
        let calls = (0..40).map(|i| {
            let db = db.clone();
            tokio::spawn(async move {
                let name = format!("gadget {i}");
                let (key, _): (Key, Record) = db
                    .insert(
                        &GADGETS,
                        &Scope::root(),
                        record(serde_json::json!({"name": name})),
                    )
                    .await
                    .expect("stored");
                let fetched: Option<Gadget> = db
                    .fetch(&GADGETS, &Scope::root(), &key)
                    .await
                    .expect("read");
                assert_eq!(fetched.map(|g| g.name), Some(name));
                let page: Page<Gadget> = db
                    .list(&GADGETS, &LISTING, &Scope::root(), &ListQuery::new())
                    .await
                    .expect("listed");
                assert!(page.total > 0);
            })
        });
        for call in calls.collect::<Vec<_>>() {
            call.await.expect("the call finished");
        }
        let page: Page<Gadget> = db
            .list(&GADGETS, &LISTING, &Scope::root(), &ListQuery::new())
            .await
            .expect("listed");
        assert_eq!(page.total, 40);
        // Two of the three connections are kept between calls, and count as idle; the pool
        // opened no more than its three (the third only if it was needed).
        let kept = db.leases.as_ref().map(|l| l.lock().connections.len());
        assert_eq!(kept, Some(2));
        let (open, idle) = db.pool_state();
        assert!(open <= 3 && idle == open, "{open} open, {idle} idle");
        db.close().await;
        remove_database(&path);
    }

    #[tokio::test]
    async fn the_pool_keeps_one_connection_for_others_while_every_lease_is_out() {
        let (db, path) = gadgets_on_file(3).await;
        let first = db.lease().await.expect("a lease");
        let second = db.lease().await.expect("a lease");
        // Health checks and queries through `pool()` still get the last connection.
        db.ping().await.expect("the pool's own connection answers");
        let third = db.lease().await;
        assert!(
            matches!(third, Err(StoreError::Database(sqlx::Error::PoolTimedOut))),
            "a third lease waits for a turn and times out: {:?}",
            third.map(|_| ())
        );
        first.done();
        let again = db.lease().await.expect("a lease once one ended");
        drop((second, again));
        db.close().await;
        remove_database(&path);
    }

    #[tokio::test]
    async fn writers_waiting_for_a_turn_leave_the_connections_to_readers() {
        let (db, path) = gadgets_on_file_with(3, 1).await;
        let turn = db.write_turn().await;
        let writers: Vec<_> = (0..2)
            .map(|i| {
                let db = db.clone();
                tokio::spawn(async move {
                    db.insert::<Record>(
                        &GADGETS,
                        &Scope::root(),
                        record(serde_json::json!({"name": format!("gadget {i}")})),
                    )
                    .await
                })
            })
            .collect();
        // Both writers are now queued for the one turn.
        tokio::time::sleep(Duration::from_millis(50)).await;
        let read = db
            .fetch::<Record>(&GADGETS, &Scope::root(), &Key::Integer(1))
            .await;
        assert!(
            matches!(read, Ok(None)),
            "a reader gets a connection: {read:?}"
        );
        drop(turn);
        for writer in writers {
            writer
                .await
                .expect("the writer finished")
                .expect("stored once its turn came");
        }
        db.close().await;
        remove_database(&path);
    }

    #[tokio::test]
    async fn a_failed_statement_leaves_the_store_working() {
        let (db, path) = gadgets_on_file(2).await;
        let gadget = || record(serde_json::json!({"name": "lamp", "serial": "A-1"}));
        let _: (Key, Record) = db
            .insert(&GADGETS, &Scope::root(), gadget())
            .await
            .expect("stored");
        for _ in 0..3 {
            let again = db
                .insert::<Record>(&GADGETS, &Scope::root(), gadget())
                .await;
            assert!(matches!(again, Err(StoreError::Conflict(_))), "{again:?}");
        }
        let page: Page<Gadget> = db
            .list(&GADGETS, &LISTING, &Scope::root(), &ListQuery::new())
            .await
            .expect("listed after the failures");
        assert_eq!(page.total, 1);
        tokio::time::timeout(Duration::from_secs(5), db.close())
            .await
            .expect("closing does not wait for kept connections");
        remove_database(&path);
    }

    #[tokio::test]
    async fn a_row_that_does_not_fit_the_model_is_reported_as_corrupt() {
        #[derive(Debug, serde::Deserialize)]
        #[allow(dead_code)]
        struct Strict {
            id: i64,
            name: String,
            serial: String,
        }
        let db = gadgets().await;
        let (key, _): (Key, serde::de::IgnoredAny) = db
            .insert(
                &GADGETS,
                &Scope::root(),
                record(serde_json::json!({"name": "lamp"})),
            )
            .await
            .expect("stored");
        let read = db.fetch::<Strict>(&GADGETS, &Scope::root(), &key).await;
        match read {
            Err(StoreError::Corrupt(message)) => assert!(message.contains("null"), "{message}"),
            other => panic!("expected a corrupt item, got {other:?}"),
        }
    }

    #[tokio::test]
    async fn sqlite_writers_past_the_limit_wait_for_a_turn_and_get_one_when_it_frees() {
        let db = Database::in_memory().await.expect("in-memory SQLite");
        let mut turns = Vec::new();
        for _ in 0..default_max_writers() {
            turns.push(db.write_turn().await.expect("SQLite writes take turns"));
        }
        let waiting = tokio::time::timeout(Duration::from_millis(50), db.write_turn()).await;
        assert!(waiting.is_err(), "one writer too many must wait");
        turns.pop();
        let next = tokio::time::timeout(Duration::from_secs(5), db.write_turn()).await;
        assert!(
            matches!(next, Ok(Some(_))),
            "a freed turn goes to the next writer"
        );
    }
}
