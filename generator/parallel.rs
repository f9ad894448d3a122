//! The one way the generator spreads independent work over threads: emitting the parts of
//! a project, formatting its files, hashing, compressing and writing them.

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Stack for a worker thread. syn and prettyplease recurse once per level of an
/// expression: the default 2 MiB overflowed on Microsoft Graph's spec when its 10,000
/// routes were one `.route()` chain. The router is a flat table now; the large stack stays
/// as a margin for whatever else nests deeply, and costs only the pages used.
const STACK_BYTES: usize = 512 * 1024 * 1024;

/// Threads for CPU-bound work: one per core, at most 8.
pub fn cores() -> usize {
    std::thread::available_parallelism()
        .map_or(1, std::num::NonZeroUsize::get)
        .clamp(1, 8)
}

/// `work` applied to every item on up to `threads` threads, each taking the next item as
/// it finishes one (so put the largest items first); the results come back in the order of
/// `items`, whichever thread made them. A panic in `work` is re-raised here. When no
/// thread can be started, the items are worked here, one after another.
pub fn map<T: Send, R: Send>(
    items: Vec<T>,
    threads: usize,
    work: impl Fn(T) -> R + Sync,
) -> Vec<R> {
    let count = items.len();
    let items: Vec<Mutex<Option<T>>> = items
        .into_iter()
        .map(|item| Mutex::new(Some(item)))
        .collect();
    let take = |index: usize| items[index].lock().ok().and_then(|mut item| item.take());
    let next = AtomicUsize::new(0);
    let mut done: Vec<(usize, R)> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads.clamp(1, count.max(1)))
            .filter_map(|_| {
                std::thread::Builder::new()
                    .stack_size(STACK_BYTES)
                    .spawn_scoped(scope, || {
                        let mut done = Vec::new();
                        loop {
                            let index = next.fetch_add(1, Ordering::Relaxed);
                            if index >= count {
                                return done;
                            }
                            if let Some(item) = take(index) {
                                done.push((index, work(item)));
                            }
                        }
                    })
                    .ok()
            })
            .collect();
        let mut done = Vec::with_capacity(count);
        for worker in workers {
            match worker.join() {
                Ok(results) => done.extend(results),
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
        done
    });
    // Items no thread took (none could be started): worked here.
    for index in 0..count {
        if let Some(item) = take(index) {
            done.push((index, work(item)));
        }
    }
    done.sort_by_key(|(index, _)| *index);
    done.into_iter().map(|(_, result)| result).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_come_back_in_the_order_of_the_items_whatever_the_thread_count() {
        let items: Vec<u32> = (0..37).collect();
        for threads in [0, 1, 2, 8, 64] {
            let doubled = map(items.clone(), threads, |n| n * 2);
            assert_eq!(doubled, items.iter().map(|n| n * 2).collect::<Vec<_>>());
        }
        assert!(map(Vec::<u32>::new(), 4, |n| n).is_empty());
    }

    #[test]
    fn work_that_recurses_deeply_has_room_on_a_worker() {
        fn depth(n: u64) -> u64 {
            let padding = [n; 64];
            if n == 0 {
                0
            } else {
                1 + depth(n - 1) + padding[63] - n
            }
        }
        // Far beyond the 2 MiB a spawned thread gets by default.
        assert_eq!(map(vec![100_000], 2, depth), [100_000]);
    }

    #[test]
    #[should_panic(expected = "item 3")]
    fn a_panic_in_the_work_is_raised_to_the_caller() {
        map((0..8).collect(), 2, |n| assert_ne!(n, 3, "item 3"));
    }
}
