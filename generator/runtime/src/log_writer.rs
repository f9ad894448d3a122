//! Where log lines go: one shared buffer that a flusher thread writes out in batches.
//!
//! A log line costs the request a copy under a short lock, never a system call and never a
//! thread wake-up: the flusher is woken by the first line after a quiet spell, lets lines
//! gather for [`GATHER_FOR`], then writes them all with one call. (A channel to a writer
//! thread, as `tracing-appender` does it, wakes that thread for almost every line under
//! load; on a small machine those wake-ups cost more than formatting the line.) An idle
//! server's flusher sleeps until there is something to write.
//!
//! If the output cannot keep up and [`MAX_BUFFERED`] bytes are waiting, further lines are
//! dropped, counted, and the count is logged once the output drains: a slow log sink never
//! slows requests or grows memory without bound.

use std::io::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// How long the flusher lets lines gather after the first one: the most a line waits.
pub const GATHER_FOR: Duration = Duration::from_millis(50);

/// Past this many waiting bytes the flusher writes at once instead of waiting out
/// [`GATHER_FOR`].
const FLUSH_AT: usize = 256 * 1024;

/// Past this many waiting bytes lines are dropped (and counted) instead of buffered.
pub const MAX_BUFFERED: usize = 8 * 1024 * 1024;

#[derive(Default)]
struct State {
    buffer: Vec<u8>,
    closed: bool,
}

#[derive(Default)]
struct Shared {
    state: Mutex<State>,
    wake: Condvar,
    dropped: AtomicU64,
}

impl Shared {
    /// The state, also after a thread panicked while holding it: a log buffer is always
    /// fit to append to.
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// The writer to hand to `tracing_subscriber::fmt::layer().with_writer(...)`. Cheap to
/// clone; every clone feeds the same flusher.
#[derive(Clone)]
pub struct BatchedWriter {
    shared: Arc<Shared>,
}

/// Stops the flusher when dropped, after it has written every line still waiting.
#[must_use = "dropping the guard stops the log output"]
pub struct FlushGuard {
    shared: Arc<Shared>,
    flusher: Option<JoinHandle<()>>,
}

/// Starts a flusher thread writing to `output` and returns the writer that feeds it. When
/// the thread cannot be started, lines are written directly instead.
pub fn spawn<W: Write + Send + 'static>(output: W) -> (BatchedWriter, FlushGuard) {
    let shared = Arc::new(Shared::default());
    let flusher = {
        let shared = shared.clone();
        std::thread::Builder::new()
            .name("log-writer".to_owned())
            .spawn(move || flush_until_closed(&shared, output))
            .ok()
    };
    if flusher.is_none() {
        eprintln!("cannot start the log writer thread; logging is disabled");
        shared.lock().closed = true;
    }
    (
        BatchedWriter {
            shared: shared.clone(),
        },
        FlushGuard { shared, flusher },
    )
}

fn flush_until_closed<W: Write>(shared: &Shared, mut output: W) {
    let mut batch = Vec::new();
    loop {
        let closed = {
            let mut state = shared.lock();
            while state.buffer.is_empty() && !state.closed {
                state = shared.wake.wait(state).unwrap_or_else(|p| p.into_inner());
            }
            let deadline = Instant::now() + GATHER_FOR;
            while !state.closed && state.buffer.len() < FLUSH_AT {
                let left = deadline.saturating_duration_since(Instant::now());
                if left.is_zero() {
                    break;
                }
                state = shared
                    .wake
                    .wait_timeout(state, left)
                    .map_or_else(|p| p.into_inner().0, |(state, _)| state);
            }
            std::mem::swap(&mut state.buffer, &mut batch);
            state.closed
        };
        let dropped = shared.dropped.swap(0, Ordering::Relaxed);
        if dropped > 0 {
            let _ = writeln!(
                batch,
                "WARN log output fell behind: {dropped} lines were dropped"
            );
        }
        // Nowhere to report a failed write to but the output that failed.
        let _ = output.write_all(&batch).and_then(|()| output.flush());
        batch.clear();
        if batch.capacity() > FLUSH_AT * 4 {
            batch.shrink_to(FLUSH_AT);
        }
        if closed && shared.lock().buffer.is_empty() {
            return;
        }
    }
}

/// One line's way into the buffer.
pub struct LineSink<'a> {
    shared: &'a Shared,
}

impl Write for LineSink<'_> {
    /// Takes the whole line or, when the buffer is full, drops it whole: a line is never
    /// written in part.
    fn write(&mut self, line: &[u8]) -> std::io::Result<usize> {
        let mut state = self.shared.lock();
        if state.closed {
            drop(state);
            return std::io::stderr().write(line);
        }
        let before = state.buffer.len();
        if before + line.len() > MAX_BUFFERED {
            self.shared.dropped.fetch_add(1, Ordering::Relaxed);
            return Ok(line.len());
        }
        state.buffer.extend_from_slice(line);
        let after = state.buffer.len();
        drop(state);
        // Wake the flusher for the first line of a batch and when the batch grows large;
        // every other line only appends.
        if before == 0 || (before < FLUSH_AT && after >= FLUSH_AT) {
            self.shared.wake.notify_one();
        }
        Ok(line.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for BatchedWriter {
    type Writer = LineSink<'a>;

    fn make_writer(&'a self) -> Self::Writer {
        LineSink {
            shared: &self.shared,
        }
    }
}

impl Drop for FlushGuard {
    fn drop(&mut self) {
        self.shared.lock().closed = true;
        self.shared.wake.notify_one();
        if let Some(flusher) = self.flusher.take() {
            let _ = flusher.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tracing_subscriber::fmt::MakeWriter;

    /// An output the test can read after the flusher is gone.
    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);

    impl Write for Captured {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(bytes);
            Ok(bytes.len())
        }

        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    impl Captured {
        fn text(&self) -> String {
            String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
        }
    }

    #[test]
    fn every_line_from_every_thread_is_written_whole_by_the_time_the_guard_drops() {
        let output = Captured::default();
        let (writer, guard) = spawn(output.clone());
        std::thread::scope(|scope| {
            for thread in 0..4 {
                let writer = writer.clone();
                scope.spawn(move || {
                    for line in 0..500 {
                        // One write per line, as tracing's formatter makes it.
                        let line = format!("thread {thread} line {line}\n");
                        writer.make_writer().write_all(line.as_bytes()).unwrap();
                    }
                });
            }
        });
        drop(guard);
        let text = output.text();
        assert_eq!(text.lines().count(), 2000);
        for thread in 0..4 {
            let lines: Vec<&str> = text
                .lines()
                .filter(|l| l.starts_with(&format!("thread {thread} ")))
                .collect();
            let expected: Vec<String> = (0..500)
                .map(|l| format!("thread {thread} line {l}"))
                .collect();
            assert_eq!(lines, expected, "one thread's lines arrive in order");
        }
    }

    #[test]
    fn a_line_is_written_within_the_gathering_time_without_a_flush() {
        let output = Captured::default();
        let (writer, _guard) = spawn(output.clone());
        writer.make_writer().write_all(b"hello\n").unwrap();
        let deadline = Instant::now() + GATHER_FOR * 40;
        while output.text().is_empty() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(5));
        }
        assert_eq!(output.text(), "hello\n");
    }

    #[test]
    fn lines_beyond_the_buffer_limit_are_dropped_and_counted_not_buffered() {
        /// An output that blocks until the test lets it go, so the buffer fills up.
        struct Stuck(Arc<Mutex<()>>, Captured);
        impl Write for Stuck {
            fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
                let _wait = self.0.lock().unwrap();
                self.1.write(bytes)
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let gate = Arc::new(Mutex::new(()));
        let held = gate.lock().unwrap();
        let output = Captured::default();
        let (writer, guard) = spawn(Stuck(gate.clone(), output.clone()));
        let mut line = vec![b'x'; 1023];
        line.push(b'\n');
        let lines = 3 * MAX_BUFFERED / 1024;
        for _ in 0..lines {
            writer.make_writer().write_all(&line).unwrap();
        }
        drop(held);
        drop(guard);
        let text = output.text();
        let written = text.lines().filter(|l| l.starts_with('x')).count();
        assert!(written < lines, "{written} of {lines} lines were kept");
        assert!(
            written * 1024 <= 2 * MAX_BUFFERED,
            "at most a full buffer per batch"
        );
        assert!(
            text.contains("lines were dropped"),
            "the loss is reported: {}",
            &text[text.len().saturating_sub(200)..]
        );
    }
}
