//! The database a server talks to: connecting to what `DATABASE_URL` names, the pool's
//! settings, SQLite's write turns, and shutdown. Connections themselves are handed out by
//! `leases.rs`; the statements run on them live in `items.rs`.

use super::leases::Leases;
use super::table::quote;
use super::{Dialect, StoreError};
use sqlx::any::AnyPoolOptions;
use sqlx::{AnyPool, AssertSqlSafe, Executor};
use std::sync::Arc;
use std::time::Duration;

/// A connection pool and the dialect it speaks. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Database {
    pub(super) pool: AnyPool,
    pub(super) dialect: Dialect,
    /// Turns to write to SQLite; see [`Database::write_turn`].
    writers: Arc<tokio::sync::Semaphore>,
    /// SQLite connections kept out of the pool between statements; see [`Leases`].
    pub(super) leases: Option<Arc<Leases>>,
}

/// Held while writing to SQLite: past a few writers at once, the others wait their turn.
pub type WriteTurn<'a> = Option<tokio::sync::SemaphorePermit<'a>>;

/// Pool settings (`DATABASE_MAX_CONNECTIONS`, `DATABASE_ACQUIRE_TIMEOUT_SECS`,
/// `DATABASE_MAX_WRITERS`, read and
/// checked by [`crate::settings::Settings`]).
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

/// What each MySQL connection sets first: `ANSI_QUOTES`, so that identifiers are quoted
/// with `"` as on the other dialects; strict tables, so that a value a column cannot hold
/// is refused rather than cut or zeroed; and UTC, which `DATETIME` columns hold.
const MYSQL_SESSION: &str = "SET SESSION sql_mode = CONCAT(@@sql_mode, \
    ',ANSI_QUOTES,STRICT_ALL_TABLES,NO_ZERO_IN_DATE,NO_ZERO_DATE,ERROR_FOR_DIVISION_BY_ZERO'), \
    time_zone = '+00:00'";

/// The dialect a `DATABASE_URL` names, by its scheme.
fn dialect_of(url: &str) -> Result<Dialect, StoreError> {
    let scheme = url.split(':').next().unwrap_or_default();
    match scheme {
        "sqlite" => Ok(Dialect::Sqlite),
        "postgres" | "postgresql" => Ok(Dialect::Postgres),
        "mysql" => Ok(Dialect::MySql),
        _ => Err(StoreError::Config(format!(
            "DATABASE_URL must start with `sqlite:`, `postgres://` or `mysql://`, got `{scheme}`"
        ))),
    }
}

/// `url` with its path naming database `name` instead (its query kept).
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = url
        .split_once('?')
        .map_or((url, None), |(b, q)| (b, Some(q)));
    let authority_end = base.find("://").map_or(0, |at| {
        at + 3 + base[at + 3..].find('/').unwrap_or(base.len() - at - 3)
    });
    let mut out = format!("{}/{name}", &base[..authority_end]);
    if let Some(query) = query {
        out.push('?');
        out.push_str(query);
    }
    out
}

/// The default database: a SQLite file under `data/`.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://data/app.db?mode=rwc";

impl Database {
    /// Connects to `url`: `sqlite:...`, `postgres://...` or `mysql://...` (MySQL or
    /// MariaDB).
    pub async fn connect(url: &str, settings: PoolSettings) -> Result<Self, StoreError> {
        sqlx::any::install_default_drivers();
        let dialect = dialect_of(url)?;
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
        if dialect == Dialect::MySql {
            options = options.after_connect(|connection, _| {
                Box::pin(async move {
                    connection.execute(MYSQL_SESSION).await?;
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

    /// A database of its own for one test: in-memory SQLite, a fresh schema of the
    /// PostgreSQL database `TEST_DATABASE_URL` names, or a fresh database on the MySQL
    /// server it names (left behind for inspection).
    pub async fn for_tests() -> Result<Self, StoreError> {
        // Set but empty reads as unset, as a CI matrix leaves it for SQLite.
        let url = std::env::var("TEST_DATABASE_URL").unwrap_or_default();
        if url.trim().is_empty() {
            return Self::in_memory().await;
        }
        sqlx::any::install_default_drivers();
        match dialect_of(&url)? {
            Dialect::Sqlite => Self::in_memory().await,
            Dialect::Postgres => Self::postgres_schema_for_tests(&url).await,
            Dialect::MySql => Self::mysql_database_for_tests(&url).await,
        }
    }

    /// A fresh database on the MySQL server `url` names, for one test.
    pub(super) async fn mysql_database_for_tests(url: &str) -> Result<Self, StoreError> {
        let name = format!("test_{}", uuid::Uuid::new_v4().simple());
        let admin = AnyPoolOptions::new()
            .max_connections(1)
            .connect(url)
            .await?;
        sqlx::query(AssertSqlSafe(format!(
            "CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin"
        )))
        .execute(&admin)
        .await?;
        admin.close().await;
        let settings = PoolSettings {
            max_connections: 4,
            acquire_timeout: Duration::from_secs(30),
            max_writers: None,
        };
        Self::connect(&with_database(url, &name), settings).await
    }

    async fn postgres_schema_for_tests(url: &str) -> Result<Self, StoreError> {
        let schema = format!("test_{}", uuid::Uuid::new_v4().simple());
        let admin = AnyPoolOptions::new()
            .max_connections(1)
            .connect(url)
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
            .connect(url)
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
            Dialect::Postgres | Dialect::MySql => None,
        }
    }

    pub fn dialect(&self) -> Dialect {
        self.dialect
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_url_scheme_names_the_dialect_and_an_unknown_one_is_refused_by_name() {
        assert_eq!(dialect_of("sqlite::memory:").ok(), Some(Dialect::Sqlite));
        assert_eq!(
            dialect_of("postgresql://h/db").ok(),
            Some(Dialect::Postgres)
        );
        assert_eq!(
            dialect_of("mysql://root@h:3306/db").ok(),
            Some(Dialect::MySql)
        );
        let refused = dialect_of("oracle://h/db").expect_err("not a dialect");
        assert!(refused.to_string().contains("`oracle`"), "{refused}");
    }

    #[test]
    fn a_test_database_replaces_the_path_and_keeps_the_query() {
        assert_eq!(
            with_database("mysql://root@127.0.0.1:3306/app?ssl-mode=disabled", "t1"),
            "mysql://root@127.0.0.1:3306/t1?ssl-mode=disabled"
        );
        assert_eq!(with_database("mysql://root@h", "t2"), "mysql://root@h/t2");
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
