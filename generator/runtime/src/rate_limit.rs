//! Per-client rate limits: a token bucket in this process by default, or fixed one-second
//! windows in Redis when `REDIS_URL` is set, so that the limit holds across replicas.

use std::num::NonZeroU32;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota};

use super::settings::RateLimit;

/// How often (in checks) the in-process limiter forgets clients it has not seen lately.
const FORGET_EVERY: u64 = 4096;

/// A shared, cheaply cloned rate limiter.
#[derive(Clone)]
pub struct RateLimiter(Arc<Backend>);

enum Backend {
    Local {
        limiter: DefaultKeyedRateLimiter<String>,
        checks: AtomicU64,
    },
    Redis {
        connection: redis::aio::ConnectionManager,
        limit: RateLimit,
    },
}

impl RateLimiter {
    /// An in-process token bucket per client.
    pub fn local(limit: RateLimit) -> Self {
        let per_second = NonZeroU32::new(limit.per_second).unwrap_or(NonZeroU32::MIN);
        let burst = NonZeroU32::new(limit.burst).unwrap_or(per_second);
        let quota = Quota::per_second(per_second).allow_burst(burst);
        Self(Arc::new(Backend::Local {
            limiter: DefaultKeyedRateLimiter::keyed(quota),
            checks: AtomicU64::new(0),
        }))
    }

    /// Limits kept in Redis at `url`, shared by every replica. Fails when Redis cannot be
    /// reached at start-up.
    pub async fn redis(url: &str, limit: RateLimit) -> Result<Self, redis::RedisError> {
        let client = redis::Client::open(url)?;
        let connection = redis::aio::ConnectionManager::new(client).await?;
        Ok(Self(Arc::new(Backend::Redis { connection, limit })))
    }

    /// `Ok` when `client` may go ahead; otherwise how long it should wait. When Redis
    /// fails the request is let through (and logged): the limiter must not take the API
    /// down with it.
    pub async fn check(&self, client: &str) -> Result<(), Duration> {
        match &*self.0 {
            Backend::Local { limiter, checks } => {
                if checks.fetch_add(1, Ordering::Relaxed) % FORGET_EVERY == FORGET_EVERY - 1 {
                    limiter.retain_recent();
                    limiter.shrink_to_fit();
                }
                limiter
                    .check_key(&client.to_owned())
                    .map_err(|not_until| not_until.wait_time_from(DefaultClock::default().now()))
            }
            Backend::Redis { connection, limit } => {
                let now = SystemTime::now()
                    .duration_since(UNIX_EPOCH)
                    .unwrap_or_default();
                let window = now.as_secs();
                let key = format!("ratelimit:{client}:{window}");
                let mut connection = connection.clone();
                let count: Result<(u64,), _> = redis::pipe()
                    .atomic()
                    .incr(&key, 1u64)
                    .expire(&key, 2)
                    .ignore()
                    .query_async(&mut connection)
                    .await;
                match count {
                    Ok((count,)) if count > u64::from(limit.burst.max(limit.per_second)) => {
                        Err(Duration::from_secs(1)
                            .saturating_sub(Duration::from_nanos(u64::from(now.subsec_nanos()))))
                    }
                    Ok(_) => Ok(()),
                    Err(error) => {
                        tracing::warn!(%error, "rate limiter: Redis failed; letting the request through");
                        Ok(())
                    }
                }
            }
        }
    }
}
