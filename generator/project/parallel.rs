//! Splitting independent file work (hashing, compressing, writing and syncing) over
//! threads.

/// `work` applied to every item, the items split into `threads` even chunks, one scoped
/// thread each; the results in the order of `items`. A panic in `work` is re-raised here.
pub fn in_chunks<T: Sync, R: Send>(
    items: &[T],
    threads: usize,
    work: impl Fn(&T) -> R + Sync,
) -> Vec<R> {
    let chunk = items.len().div_ceil(threads.max(1)).max(1);
    let work = &work;
    std::thread::scope(|scope| {
        let workers: Vec<_> = items
            .chunks(chunk)
            .map(|chunk| scope.spawn(move || chunk.iter().map(work).collect::<Vec<R>>()))
            .collect();
        workers
            .into_iter()
            .flat_map(|worker| match worker.join() {
                Ok(results) => results,
                Err(panic) => std::panic::resume_unwind(panic),
            })
            .collect()
    })
}

/// The number of cores, for CPU-bound work.
pub fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_come_back_in_the_order_of_the_items_whatever_the_thread_count() {
        let items: Vec<u32> = (0..37).collect();
        for threads in [0, 1, 2, 8, 64] {
            let doubled = in_chunks(&items, threads, |n| n * 2);
            assert_eq!(doubled, items.iter().map(|n| n * 2).collect::<Vec<_>>());
        }
        assert!(in_chunks(&[] as &[u32], 4, |n| *n).is_empty());
    }
}
