//! The project's migrations, embedded in the binary per dialect and applied at start-up
//! through sqlx's migrator, which refuses edited ones.

use super::{Database, Dialect, StoreError};
use std::borrow::Cow;

/// The project's migrations, one list per dialect: (version, description, SQL).
#[derive(Debug, Clone, Copy)]
pub struct Migrations {
    pub sqlite: &'static [(i64, &'static str, &'static str)],
    pub postgres: &'static [(i64, &'static str, &'static str)],
    /// MySQL and MariaDB. A project made before they were supported begins this list at
    /// the migration that added them, which creates every table as it then was.
    pub mysql: &'static [(i64, &'static str, &'static str)],
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

impl Database {
    /// Applies the migrations not applied yet, for this database's dialect. Refuses to
    /// start when an applied migration was edited since (migrations are append-only).
    pub async fn migrate(&self, migrations: &Migrations) -> Result<(), StoreError> {
        let files = match self.dialect {
            Dialect::Sqlite => migrations.sqlite,
            Dialect::Postgres => migrations.postgres,
            Dialect::MySql => migrations.mysql,
        };
        let migrator = sqlx::migrate::Migrator::new(EmbeddedMigrations(files))
            .await
            .map_err(StoreError::Migrate)?;
        migrator.run(&self.pool).await.map_err(StoreError::Migrate)
    }
}
