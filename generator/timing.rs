//! Stage timings for benchmarks: with `SPECGEN_TIMINGS` set, each stage's wall time is
//! printed to stderr as it ends (`scripts/bench.sh` shows where generation time goes).

use std::sync::OnceLock;
use std::time::Instant;

fn enabled() -> bool {
    static ENABLED: OnceLock<bool> = OnceLock::new();
    *ENABLED.get_or_init(|| std::env::var_os("SPECGEN_TIMINGS").is_some())
}

/// Runs `work`, and reports how long it took under `name` when timings are on.
pub fn stage<T>(name: &str, work: impl FnOnce() -> T) -> T {
    if !enabled() {
        return work();
    }
    let started = Instant::now();
    let result = work();
    eprintln!(
        "timing: {name:<22} {:>7.1} ms",
        started.elapsed().as_secs_f64() * 1000.0
    );
    result
}
