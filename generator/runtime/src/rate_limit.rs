//! Per-client rate limits: a token bucket in this process by default, or the same bucket
//! kept in Redis when `REDIS_URL` is set, so that the limit holds across replicas.
//!
//! Both are the generic cell rate algorithm (GCRA): a client may send `burst` requests at
//! once and then `per_second` a second, with no window edge where twice the rate gets
//! through (as fixed windows allow). In Redis it is one Lua script per request, run
//! atomically on Redis's own clock, so replicas whose clocks drift agree.

use std::num::NonZeroU32;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

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

/// Why a request may not go ahead.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The client is over its limit: it may try again after this long.
    Limited(Duration),
    /// The limit could not be checked (Redis failed).
    Unavailable,
}

/// GCRA, one cell per request. KEYS[1]: the client's key. ARGV[1]: the burst; ARGV[2]: the
/// emission interval in microseconds. Returns 0 when the request may go ahead, otherwise
/// how many microseconds until it may. The key holds the theoretical arrival time and
/// expires once it is in the past, so idle clients cost nothing.
const GCRA: &str = r"
local burst = tonumber(ARGV[1])
local interval = tonumber(ARGV[2])
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000000 + tonumber(clock[2])
local tat = tonumber(redis.call('GET', KEYS[1])) or now
if tat < now then tat = now end
local next_tat = tat + interval
local allowed_from = next_tat - burst * interval
if allowed_from > now then
  return allowed_from - now
end
redis.call('SET', KEYS[1], next_tat, 'PX', math.floor((next_tat - now) / 1000) + 1)
return 0
";

fn gcra() -> &'static redis::Script {
    static SCRIPT: std::sync::OnceLock<redis::Script> = std::sync::OnceLock::new();
    SCRIPT.get_or_init(|| redis::Script::new(GCRA))
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

    /// `Ok` when `client` may go ahead; otherwise why not. Only the Redis backend can be
    /// [`Refusal::Unavailable`]: the caller decides whether that lets the request through
    /// (`RATE_LIMIT_FAIL_OPEN`).
    pub async fn check(&self, client: &str) -> Result<(), Refusal> {
        match &*self.0 {
            Backend::Local { limiter, checks } => {
                if checks.fetch_add(1, Ordering::Relaxed) % FORGET_EVERY == FORGET_EVERY - 1 {
                    limiter.retain_recent();
                    limiter.shrink_to_fit();
                }
                limiter.check_key(&client.to_owned()).map_err(|not_until| {
                    Refusal::Limited(not_until.wait_time_from(DefaultClock::default().now()))
                })
            }
            Backend::Redis { connection, limit } => {
                let interval_micros = 1_000_000 / u64::from(limit.per_second.max(1));
                let burst = limit.burst.max(1);
                let mut connection = connection.clone();
                let wait: Result<u64, _> = gcra()
                    .key(format!("ratelimit:{client}"))
                    .arg(burst)
                    .arg(interval_micros)
                    .invoke_async(&mut connection)
                    .await;
                match wait {
                    Ok(0) => Ok(()),
                    Ok(micros) => Err(Refusal::Limited(Duration::from_micros(micros))),
                    Err(error) => {
                        tracing::warn!(%error, "rate limiter: Redis failed");
                        Err(Refusal::Unavailable)
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rediss_url_is_accepted_because_the_runtime_speaks_tls() {
        let client = redis::Client::open("rediss://:pw@redis.example:6380");
        assert!(client.is_ok(), "{:?}", client.err());
    }

    /// How long `client` is asked to wait the first time it is refused, out of ten more
    /// requests sent at once: past a burst of 3 at 1 a second, one of them is refused
    /// unless the ten take seven seconds, however busy the machine.
    async fn first_refusal(limiter: &RateLimiter, client: &str) -> Duration {
        for _ in 0..10 {
            match limiter.check(client).await {
                Ok(()) => {}
                Err(Refusal::Limited(wait)) => return wait,
                Err(Refusal::Unavailable) => panic!("the limiter could not be asked"),
            }
        }
        panic!("ten requests past the burst all went through");
    }

    #[tokio::test]
    async fn the_local_bucket_lets_a_burst_through_then_asks_to_wait() {
        let limiter = RateLimiter::local(RateLimit {
            per_second: 1,
            burst: 3,
        });
        for _ in 0..3 {
            assert_eq!(limiter.check("ann").await, Ok(()), "the burst goes through");
        }
        let wait = first_refusal(&limiter, "ann").await;
        assert!(wait <= Duration::from_secs(1), "{wait:?}");
        assert_eq!(
            limiter.check("bob").await,
            Ok(()),
            "another client's own bucket"
        );
    }

    /// The same behaviour from the Redis script, on the Redis `TEST_REDIS_URL` names.
    #[tokio::test]
    async fn the_redis_bucket_lets_a_burst_through_then_asks_to_wait() {
        let Ok(url) = std::env::var("TEST_REDIS_URL") else {
            eprintln!(
                "the_redis_bucket_lets_a_burst_through_then_asks_to_wait skipped: TEST_REDIS_URL is not set"
            );
            return;
        };
        let limit = RateLimit {
            per_second: 1,
            burst: 3,
        };
        let limiter = RateLimiter::redis(&url, limit).await.expect("Redis");
        let client = format!("test-{}", uuid::Uuid::new_v4());
        for _ in 0..3 {
            assert_eq!(
                limiter.check(&client).await,
                Ok(()),
                "the burst goes through"
            );
        }
        let wait = first_refusal(&limiter, &client).await;
        assert!(
            wait > Duration::ZERO && wait <= Duration::from_secs(1),
            "{wait:?}"
        );
        let other = format!("test-{}", uuid::Uuid::new_v4());
        assert_eq!(
            limiter.check(&other).await,
            Ok(()),
            "another client's own bucket"
        );
    }
}
