//! SQLite connections leased past the pool: a store call takes one, runs its statements
//! and puts it back without the pool's ping (see [`Leases`] for why).

use super::{Database, StoreError};
use std::time::Duration;

impl Database {
    /// A connection for the statements of one store call: a leased SQLite connection when
    /// one is kept (see [`Leases`]), otherwise one from the pool. Call [`Lease::done`] once
    /// every statement succeeded; a lease dropped without it (an error, a cancelled
    /// request) goes back to the pool, which checks the connection first.
    pub(super) async fn lease(&self) -> Result<Lease<'_>, StoreError> {
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
pub(super) struct Leases {
    turns: tokio::sync::Semaphore,
    state: std::sync::Mutex<Kept>,
    /// How long a lease may wait, for its turn and a connection together.
    acquire_timeout: Duration,
}

#[derive(Debug, Default)]
pub(super) struct Kept {
    pub(super) connections: Vec<sqlx::pool::PoolConnection<sqlx::Any>>,
    /// Set by [`Database::close`]: from then on, connections go back to the pool.
    pub(super) closed: bool,
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
    pub(super) fn new(leasable: usize, acquire_timeout: Duration) -> Self {
        Self {
            turns: tokio::sync::Semaphore::new(leasable),
            state: std::sync::Mutex::new(Kept::default()),
            acquire_timeout,
        }
    }

    pub(super) fn lock(&self) -> std::sync::MutexGuard<'_, Kept> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// A connection for one store call; see [`Database::lease`].
pub(super) struct Lease<'a> {
    connection: sqlx::pool::PoolConnection<sqlx::Any>,
    /// Where it goes back to, and the turn it holds, when it is a kept SQLite connection.
    kept: Option<(&'a Leases, tokio::sync::SemaphorePermit<'a>)>,
}

impl Lease<'_> {
    /// Every statement succeeded: the connection may serve the next lease as it is.
    pub(super) fn done(self) {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::test_support::{
        GADGETS, Gadget, LISTING, gadgets_on_file, gadgets_on_file_with, record, remove_database,
    };
    use crate::store::{Key, ListQuery, Page, Record, Scope};

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
}
