//! Logs and metrics: the tracing subscriber (text or JSON), the process-wide Prometheus
//! recorder, and what each request records.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::{OnceLock, RwLock};
use std::time::Duration;

use axum::http::Method;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use tracing::{Event, Subscriber};
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Layer};

use super::log_writer;
use super::platform::with_current_request_id;
use super::settings::{LogFormat, Settings};
use super::store::Database;

/// Latency buckets, in seconds: from a cached read to a slow report.
const LATENCY_BUCKETS: &[f64] = &[
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// Keeps the log writer thread alive; dropping it (at the end of `main`) flushes the lines
/// still queued.
#[must_use = "logs written after the guard is dropped are lost"]
pub struct LogGuard {
    _writer: Option<log_writer::FlushGuard>,
}

/// Installs the global tracing subscriber: `RUST_LOG` filters, `LOG_FORMAT=json` writes one
/// JSON object per line (with the request span's fields), and `OTEL_EXPORTER_OTLP_ENDPOINT`
/// adds trace export when the `otel` feature is built. Call once, at start-up, and keep the
/// guard until the process ends.
///
/// Lines go to stderr in batches ([`log_writer`]), so a request never waits for a `write`
/// system call or wakes another thread. If the output falls far behind, lines are dropped
/// (and counted) rather than requests slowed.
pub fn init_tracing(settings: &Settings) -> LogGuard {
    let (writer, guard) = log_writer::spawn(std::io::stderr());
    let filter =
        EnvFilter::try_new(&settings.log_filter).unwrap_or_else(|_| EnvFilter::new("info"));
    let registry = tracing_subscriber::registry().with(filter);
    let otel = otel_layer(settings);
    REQUEST_SPANS.store(otel.is_some(), Ordering::Relaxed);
    let result = registry
        .with(otel)
        .with(log_layer(settings.log_format, writer))
        .try_init();
    if result.is_err() {
        tracing::debug!("a tracing subscriber was already installed");
        return LogGuard { _writer: None };
    }
    for warning in &settings.warnings {
        tracing::warn!("{warning}");
    }
    LogGuard {
        _writer: Some(guard),
    }
}

/// The layer that writes log lines to `writer`: `format` lines without colours, each
/// written while serving a request carrying its id ([`LineFormat`]).
pub fn log_layer<S, W>(format: LogFormat, writer: W) -> Box<dyn Layer<S> + Send + Sync>
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    W: for<'w> MakeWriter<'w> + Send + Sync + 'static,
{
    let layer = tracing_subscriber::fmt::layer()
        .with_ansi(false)
        .with_writer(writer);
    match format {
        LogFormat::Json => Box::new(
            layer
                .json()
                .with_current_span(true)
                .with_span_list(false)
                .map_event_format(|json| LineFormat::new(json, format)),
        ),
        LogFormat::Text => Box::new(layer.map_event_format(|text| LineFormat::new(text, format))),
    }
}

/// Whether each request gets a tracing span: only when traces are exported, where the span
/// is the trace. Log lines do not need one for the request id (see [`LineFormat`]).
static REQUEST_SPANS: AtomicBool = AtomicBool::new(false);

/// Whether [`platform::Edge`](super::platform::Edge) opens a span for each request.
pub fn request_spans() -> bool {
    REQUEST_SPANS.load(Ordering::Relaxed)
}

/// The event format of every log line: tracing-subscriber's text or JSON line, with the
/// id of the request being served added to each line written while serving it
/// (`request_id=...` at the end of a text line, a `request_id` member of a JSON line).
///
/// Lines written outside any span (all of them, unless traces are exported) are written
/// here, field by field, in exactly the wrapped format's layout: the general formatter
/// spent about 11,000 instructions on the access line, a tenth of a small request. Lines
/// inside a span, lines from the `log` crate, and values the wrapped format escapes or
/// expands (terminal control characters, errors, bytes) go to the wrapped format.
pub struct LineFormat<F> {
    inner: F,
    format: LogFormat,
}

impl<F> LineFormat<F> {
    pub fn new(inner: F, format: LogFormat) -> Self {
        Self { inner, format }
    }

    /// The wrapped format's line, with the request id added unless a request span (which
    /// shows the id itself) encloses the event.
    fn format_wrapped<S, N>(
        &self,
        ctx: &FmtContext<'_, S, N>,
        mut writer: Writer<'_>,
        event: &Event<'_>,
    ) -> std::fmt::Result
    where
        S: Subscriber + for<'a> LookupSpan<'a>,
        N: for<'a> FormatFields<'a> + 'static,
        F: FormatEvent<S, N>,
    {
        let in_request_span = ctx
            .event_scope()
            .is_some_and(|mut scope| scope.any(|span| span.name() == "request"));
        let suffix = (!in_request_span)
            .then(|| with_current_request_id(|id| id_suffix(id, self.format)))
            .flatten();
        let Some(suffix) = suffix else {
            return self.inner.format_event(ctx, writer, event);
        };
        let mut text = String::with_capacity(256);
        self.inner
            .format_event(ctx, Writer::new(&mut text), event)?;
        let newline = text.ends_with('\n');
        let body = text.trim_end_matches('\n');
        match self.format {
            LogFormat::Json => match body.strip_suffix('}') {
                Some(open) => write!(writer, "{open}{suffix}}}")?,
                None => writer.write_str(body)?,
            },
            LogFormat::Text => write!(writer, "{body}{suffix}")?,
        }
        if newline {
            writer.write_char('\n')?;
        }
        Ok(())
    }
}

impl<S, N, F> FormatEvent<S, N> for LineFormat<F>
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
    F: FormatEvent<S, N>,
{
    fn format_event(
        &self,
        ctx: &FmtContext<'_, S, N>,
        mut writer: Writer<'_>,
        event: &Event<'_>,
    ) -> std::fmt::Result {
        let from_log_crate = event.metadata().fields().field("log.target").is_some();
        if ctx.event_scope().is_some() || from_log_crate {
            return self.format_wrapped(ctx, writer, event);
        }
        let written = LINE.with(|line| {
            let Ok(mut line) = line.try_borrow_mut() else {
                return None;
            };
            line.clear();
            write_line(&mut line, self.format, event).then(|| writer.write_str(&line))
        });
        match written {
            Some(result) => result,
            None => self.format_wrapped(ctx, writer, event),
        }
    }
}

thread_local! {
    /// The line being written, kept so that a line costs no allocation.
    static LINE: std::cell::RefCell<String> = std::cell::RefCell::new(String::with_capacity(256));
}

/// Writes `event` as one line in `format` (newline included) and returns `true`, or returns
/// `false` when the line needs the wrapped format (see [`LineFormat`]).
fn write_line(line: &mut String, format: LogFormat, event: &Event<'_>) -> bool {
    let meta = event.metadata();
    if format == LogFormat::Json {
        line.push_str("{\"timestamp\":\"");
    }
    if !timestamp(line) {
        return false;
    }
    let mut fields = LineFields {
        line,
        format,
        first: true,
        fallback: false,
    };
    match format {
        LogFormat::Text => {
            let level = match *meta.level() {
                tracing::Level::TRACE => "TRACE ",
                tracing::Level::DEBUG => "DEBUG ",
                tracing::Level::INFO => " INFO ",
                tracing::Level::WARN => " WARN ",
                tracing::Level::ERROR => "ERROR ",
            };
            fields.line.push(' ');
            fields.line.push_str(level);
            fields.line.push_str(meta.target());
            fields.line.push_str(": ");
            event.record(&mut fields);
            if fields.fallback {
                return false;
            }
            with_current_request_id(|id| {
                line.push_str(" request_id=");
                line.push_str(id);
            });
        }
        LogFormat::Json => {
            fields.line.push_str("\",\"level\":\"");
            fields.line.push_str(meta.level().as_str());
            fields.line.push_str("\",\"fields\":{");
            event.record(&mut fields);
            if fields.fallback {
                return false;
            }
            line.push_str("},\"target\":");
            push_json_string(line, meta.target());
            with_current_request_id(|id| {
                line.push_str(",\"request_id\":");
                push_json_string(line, id);
            });
            line.push('}');
        }
    }
    line.push('\n');
    true
}

/// Writes the time as tracing-subscriber does (`2026-11-22T05:16:01.467873Z`, UTC). The
/// date and time of day are worked out once a second per thread. `false` for a clock set
/// before 1970.
fn timestamp(line: &mut String) -> bool {
    thread_local! {
        static SECOND: std::cell::Cell<(u64, [u8; 19])> = const { std::cell::Cell::new((u64::MAX, [0; 19])) };
    }
    let Ok(now) = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH) else {
        return false;
    };
    let seconds = now.as_secs();
    let (cached, mut text) = SECOND.get();
    if cached != seconds {
        text = date_time(seconds);
        SECOND.set((seconds, text));
    }
    line.push_str(std::str::from_utf8(&text).unwrap_or("0000-00-00T00:00:00"));
    let micros = now.subsec_micros();
    let mut fraction = *b".000000Z";
    for (place, digit) in fraction[1..7]
        .iter_mut()
        .rev()
        .zip(std::iter::successors(Some(micros), |rest| Some(rest / 10)).map(|rest| rest % 10))
    {
        *place = b'0' + digit as u8;
    }
    line.push_str(std::str::from_utf8(&fraction).unwrap_or(".000000Z"));
    true
}

/// `YYYY-MM-DDTHH:MM:SS` of a Unix time, in UTC (Howard Hinnant's `civil_from_days`).
fn date_time(seconds: u64) -> [u8; 19] {
    let days = (seconds / 86_400) as i64;
    let of_day = seconds % 86_400;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1_460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_index + 2) / 5 + 1;
    let month = if month_index < 10 {
        month_index + 3
    } else {
        month_index - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    let mut text = *b"0000-00-00T00:00:00";
    let mut put = |at: usize, width: usize, value: u64| {
        let mut value = value;
        for place in text[at..at + width].iter_mut().rev() {
            *place = b'0' + (value % 10) as u8;
            value /= 10;
        }
    };
    put(0, 4, year.clamp(0, 9_999) as u64);
    put(5, 2, month as u64);
    put(8, 2, day as u64);
    put(11, 2, of_day / 3_600);
    put(14, 2, of_day / 60 % 60);
    put(17, 2, of_day % 60);
    text
}

/// Writes an event's fields as tracing-subscriber's text and JSON formats do.
struct LineFields<'a> {
    line: &'a mut String,
    format: LogFormat,
    first: bool,
    /// A value this writer leaves to the wrapped format.
    fallback: bool,
}

impl LineFields<'_> {
    /// Starts a field: the separator, then its name (the message has none in text).
    fn name(&mut self, field: &tracing::field::Field) {
        let name = field.name();
        let name = name.strip_prefix("r#").unwrap_or(name);
        match self.format {
            LogFormat::Text => {
                if !self.first {
                    self.line.push(' ');
                }
                if name != "message" {
                    self.line.push_str(name);
                    self.line.push('=');
                }
            }
            LogFormat::Json => {
                if !self.first {
                    self.line.push(',');
                }
                push_json_string(self.line, field.name());
                self.line.push(':');
            }
        }
        self.first = false;
    }

    /// A value written as text: `Debug` in text lines, a string in JSON lines.
    fn text(&mut self, field: &tracing::field::Field, value: std::fmt::Arguments<'_>) {
        self.name(field);
        match self.format {
            LogFormat::Text => {
                let start = self.line.len();
                let _ = self.line.write_fmt(value);
                // The wrapped format escapes terminal control characters in messages.
                if field.name() == "message" && needs_terminal_escape(&self.line[start..]) {
                    self.fallback = true;
                }
            }
            LogFormat::Json => {
                self.line.push('"');
                let _ = JsonEscaped(self.line).write_fmt(value);
                self.line.push('"');
            }
        }
    }
}

impl tracing::field::Visit for LineFields<'_> {
    fn record_str(&mut self, field: &tracing::field::Field, value: &str) {
        if self.format == LogFormat::Text && field.name() == "message" {
            self.text(field, format_args!("{value}"));
        } else if self.format == LogFormat::Text {
            // `Debug` leaves printable ASCII other than `"` and `\` as it is: route
            // templates, methods and ids need no formatting machinery.
            if value
                .bytes()
                .all(|b| matches!(b, b' '..=b'~') && b != b'"' && b != b'\\')
            {
                self.name(field);
                self.line.push('"');
                self.line.push_str(value);
                self.line.push('"');
            } else {
                self.text(field, format_args!("{value:?}"));
            }
        } else {
            self.name(field);
            push_json_string(self.line, value);
        }
    }

    fn record_u64(&mut self, field: &tracing::field::Field, value: u64) {
        self.name(field);
        push_decimal(self.line, value);
    }

    fn record_i64(&mut self, field: &tracing::field::Field, value: i64) {
        self.name(field);
        if value < 0 {
            self.line.push('-');
        }
        push_decimal(self.line, value.unsigned_abs());
    }

    fn record_bool(&mut self, field: &tracing::field::Field, value: bool) {
        self.name(field);
        self.line.push_str(if value { "true" } else { "false" });
    }

    fn record_f64(&mut self, field: &tracing::field::Field, value: f64) {
        self.name(field);
        if push_thousandths(self.line, value) {
            return;
        }
        match self.format {
            LogFormat::Text => {
                let _ = write!(self.line, "{value:?}");
            }
            LogFormat::Json => {
                let _ = write!(self.line, "{}", serde_json::Value::from(value));
            }
        }
    }

    fn record_i128(&mut self, _: &tracing::field::Field, _: i128) {
        self.fallback = true;
    }

    fn record_u128(&mut self, _: &tracing::field::Field, _: u128) {
        self.fallback = true;
    }

    fn record_bytes(&mut self, _: &tracing::field::Field, _: &[u8]) {
        self.fallback = true;
    }

    fn record_error(&mut self, _: &tracing::field::Field, _: &(dyn std::error::Error + 'static)) {
        self.fallback = true;
    }

    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        if self.format == LogFormat::Text && field.name().starts_with("log.") {
            return;
        }
        self.text(field, format_args!("{value:?}"));
    }
}

/// Appends `value` as both `Debug` (text lines) and serde_json (JSON lines) write it, when it
/// is a whole number of thousandths below a billion, such as a latency in milliseconds:
/// the shortest decimal that reads back as `value` is then those thousandths, trailing
/// zeros dropped (`0.054`, `12.5`, `3.0`). Anything else is left to the caller (`false`).
fn push_thousandths(line: &mut String, value: f64) -> bool {
    if !(0.0..1e9).contains(&value) {
        return false;
    }
    let thousandths = (value * 1000.0).round();
    if thousandths / 1000.0 != value {
        return false;
    }
    let thousandths = thousandths as u64;
    push_decimal(line, thousandths / 1000);
    line.push('.');
    let mut fraction = thousandths % 1000;
    if fraction == 0 {
        line.push('0');
        return true;
    }
    let mut width = 3;
    while fraction.is_multiple_of(10) {
        fraction /= 10;
        width -= 1;
    }
    let digits = [fraction / 100 % 10, fraction / 10 % 10, fraction % 10];
    for digit in &digits[3 - width..] {
        line.push(char::from(b'0' + *digit as u8));
    }
    true
}

/// Appends `value` in decimal, as `Display` writes it, without the formatting machinery.
fn push_decimal(line: &mut String, value: u64) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    let mut rest = value;
    loop {
        at -= 1;
        digits[at] = b'0' + (rest % 10) as u8;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    line.push_str(std::str::from_utf8(&digits[at..]).unwrap_or_default());
}

/// Whether tracing-subscriber would escape part of this message: ESC, BEL, BS, FF, DEL
/// and the C1 controls (U+0080 to U+009F, `C2 80` to `C2 9F` in UTF-8).
fn needs_terminal_escape(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.iter().enumerate().any(|(at, byte)| match byte {
        0x1b | 0x07 | 0x08 | 0x0c | 0x7f => true,
        0xc2 => bytes
            .get(at + 1)
            .is_some_and(|next| (0x80..=0x9f).contains(next)),
        _ => false,
    })
}

/// A JSON string as serde_json writes it.
fn push_json_string(line: &mut String, text: &str) {
    line.push('"');
    push_json_escaped(line, text);
    line.push('"');
}

/// Writes into a JSON string, escaping as serde_json does.
struct JsonEscaped<'a>(&'a mut String);

impl std::fmt::Write for JsonEscaped<'_> {
    fn write_str(&mut self, text: &str) -> std::fmt::Result {
        push_json_escaped(self.0, text);
        Ok(())
    }
}

/// `text` with the escapes serde_json writes: quote, backslash and control characters.
fn push_json_escaped(line: &mut String, text: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut plain = 0;
    for (at, byte) in text.bytes().enumerate() {
        let escape = match byte {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0x08 => "\\b",
            0x0c => "\\f",
            0x00..=0x1f => "",
            _ => continue,
        };
        line.push_str(&text[plain..at]);
        plain = at + 1;
        if escape.is_empty() {
            line.push_str("\\u00");
            line.push(char::from(HEX[usize::from(byte >> 4)]));
            line.push(char::from(HEX[usize::from(byte & 0xf)]));
        } else {
            line.push_str(escape);
        }
    }
    line.push_str(&text[plain..]);
}

/// What [`LineFormat`] appends to a wrapped line for `id`. Request ids are visible ASCII
/// without spaces (see `platform::request_id`), but may hold quotes, so JSON gets them
/// escaped.
fn id_suffix(id: &str, format: LogFormat) -> String {
    match format {
        LogFormat::Json => {
            let mut suffix = String::from(",\"request_id\":");
            push_json_string(&mut suffix, id);
            suffix
        }
        LogFormat::Text => format!(" request_id={id}"),
    }
}

#[cfg(feature = "otel")]
fn otel_layer<S>(settings: &Settings) -> Option<impl tracing_subscriber::Layer<S>>
where
    S: tracing::Subscriber + for<'span> tracing_subscriber::registry::LookupSpan<'span>,
{
    use opentelemetry::trace::TracerProvider as _;
    use opentelemetry_otlp::WithExportConfig as _;
    let endpoint = settings.otel_endpoint.as_deref()?;
    let exporter = opentelemetry_otlp::SpanExporter::builder()
        .with_http()
        .with_endpoint(format!("{}/v1/traces", endpoint.trim_end_matches('/')))
        .build()
        .map_err(|error| eprintln!("cannot export traces to {endpoint}: {error}"))
        .ok()?;
    let provider = opentelemetry_sdk::trace::SdkTracerProvider::builder()
        .with_batch_exporter(exporter)
        .build();
    let tracer = provider.tracer(env!("CARGO_PKG_NAME"));
    opentelemetry::global::set_tracer_provider(provider.clone());
    let _ = TRACER_PROVIDER.set(provider);
    Some(tracing_opentelemetry::layer().with_tracer(tracer))
}

/// The exporting provider, kept so shutdown can flush the spans still batched.
#[cfg(feature = "otel")]
static TRACER_PROVIDER: OnceLock<opentelemetry_sdk::trace::SdkTracerProvider> = OnceLock::new();

/// Sends the spans still waiting in the batch; call once, as the server stops.
pub fn shutdown_tracing() {
    #[cfg(feature = "otel")]
    if let Some(provider) = TRACER_PROVIDER.get()
        && let Err(error) = provider.shutdown()
    {
        eprintln!("trace export did not flush: {error}");
    }
}

/// Without the `otel` feature there is nothing to export to; say so once if it was asked for.
#[cfg(not(feature = "otel"))]
fn otel_layer(settings: &Settings) -> Option<tracing_subscriber::layer::Identity> {
    if settings.otel_endpoint.is_some() {
        eprintln!(
            "OTEL_EXPORTER_OTLP_ENDPOINT is set but this build has no `otel` feature; build with `--features otel` to export traces"
        );
    }
    None
}

static PROMETHEUS: OnceLock<PrometheusHandle> = OnceLock::new();

/// The process-wide Prometheus recorder. The `metrics` facade allows one recorder per
/// process, so every app (and every test) shares this one.
pub fn prometheus() -> &'static PrometheusHandle {
    PROMETHEUS.get_or_init(|| {
        let builder = PrometheusBuilder::new()
            .set_buckets_for_metric(
                Matcher::Full("http_request_duration_seconds".to_owned()),
                LATENCY_BUCKETS,
            )
            .unwrap_or_else(|_| PrometheusBuilder::new());
        let recorder = builder.build_recorder();
        let handle = recorder.handle();
        if metrics::set_global_recorder(recorder).is_err() {
            tracing::warn!("another metrics recorder is installed; /metrics will be empty");
        }
        spawn_upkeep(handle.clone());
        handle
    })
}

/// How often latency samples are folded into their histograms.
const UPKEEP_EVERY: Duration = Duration::from_secs(5);

/// Folds the latency samples recorded since the last time into their histogram buckets,
/// every [`UPKEEP_EVERY`]. The recorder keeps every sample until then (about 32 bytes per
/// request), and only a scrape of `/metrics` would otherwise fold them: a server nobody
/// scrapes grew by gigabytes a day under load.
fn spawn_upkeep(handle: PrometheusHandle) {
    let started = std::thread::Builder::new()
        .name("metrics-upkeep".to_owned())
        .spawn(move || {
            loop {
                std::thread::sleep(UPKEEP_EVERY);
                handle.run_upkeep();
            }
        });
    if let Err(error) = started {
        tracing::warn!(%error, "cannot start the metrics upkeep thread; samples are folded only when /metrics is scraped");
    }
}

/// The counter and histogram of one (method, route template, status).
type RouteSeries = (metrics::Counter, metrics::Histogram);

/// The series of one route template, by method and status: a handful each.
type SeriesOfRoute = Vec<(Method, u16, RouteSeries)>;

/// Handles by route template, then method and status, so a request costs a hash look-up
/// under a read lock instead of building labels and a key (four allocations) for the
/// registry twice. The set is bounded: route templates, never raw paths.
static ROUTE_SERIES: OnceLock<RwLock<HashMap<Box<str>, SeriesOfRoute>>> = OnceLock::new();

/// The method as a metric label knows it: the standard ones by name, any other as
/// `OTHER`. HTTP lets a client send any token as a method; a series per token would let
/// it grow the registry (and the scan of each route's series) without end.
fn method_label(method: &Method) -> Method {
    const KNOWN: [Method; 9] = [
        Method::GET,
        Method::HEAD,
        Method::POST,
        Method::PUT,
        Method::PATCH,
        Method::DELETE,
        Method::OPTIONS,
        Method::TRACE,
        Method::CONNECT,
    ];
    if KNOWN.contains(method) {
        method.clone()
    } else {
        Method::from_bytes(b"OTHER").unwrap_or(Method::GET)
    }
}

/// One finished request, by route template (never the raw path, which would make a
/// series per id) and status. Nothing is recorded while no app serves `/metrics`.
pub fn record_request(method: &Method, route: &str, status: u16, latency: Duration) {
    if PROMETHEUS.get().is_none() {
        return;
    }
    let method = &method_label(method);
    let series = ROUTE_SERIES.get_or_init(Default::default);
    let find = |of_route: &SeriesOfRoute| {
        of_route
            .iter()
            .find(|(m, s, _)| m == method && *s == status)
            .map(|(_, _, handles)| handles.clone())
    };
    let cached = series
        .read()
        .ok()
        .and_then(|map| map.get(route).and_then(find));
    let (counter, histogram) = cached.unwrap_or_else(|| {
        let labels = [
            ("method", method.as_str().to_owned()),
            ("route", route.to_owned()),
            ("status", status.to_string()),
        ];
        let made = (
            metrics::counter!("http_requests_total", &labels),
            metrics::histogram!("http_request_duration_seconds", &labels),
        );
        if let Ok(mut map) = series.write() {
            let of_route = map.entry(Box::from(route)).or_default();
            if find(of_route).is_none() {
                of_route.push((method.clone(), status, made.clone()));
            }
        }
        made
    });
    counter.increment(1);
    histogram.record(latency.as_secs_f64());
}

/// Requests being served now. A plain atomic, published as a gauge at each scrape: two
/// registry look-ups per request for a value only a scrape reads would be waste.
static IN_FLIGHT: AtomicI64 = AtomicI64::new(0);

/// Counts a request as in flight until the guard is dropped, also when the client goes
/// away and the request future is dropped half-way.
pub struct InFlight(());

impl InFlight {
    pub fn start() -> Self {
        IN_FLIGHT.fetch_add(1, Ordering::Relaxed);
        Self(())
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        IN_FLIGHT.fetch_sub(1, Ordering::Relaxed);
    }
}

/// The Prometheus text for a scrape, with the database pool's gauges brought up to date.
pub fn render(db: &Database) -> String {
    let handle = prometheus();
    let (size, idle) = db.pool_state();
    metrics::gauge!("db_pool_connections", "state" => "idle").set(f64::from(idle));
    metrics::gauge!("db_pool_connections", "state" => "in_use")
        .set(f64::from(size.saturating_sub(idle)));
    metrics::gauge!("db_pool_max_connections").set(f64::from(db.max_connections()));
    metrics::gauge!("http_requests_in_flight").set(IN_FLIGHT.load(Ordering::Relaxed) as f64);
    handle.render()
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};
    use tracing_subscriber::layer::SubscriberExt;

    #[test]
    fn any_method_a_client_makes_up_is_one_metric_label() {
        let made_up = |name: &str| Method::from_bytes(name.as_bytes()).expect("a token");
        assert_eq!(
            method_label(&made_up("M1")),
            method_label(&made_up("M99999"))
        );
        assert_eq!(method_label(&made_up("PURGE")).as_str(), "OTHER");
        assert_eq!(method_label(&Method::PATCH), Method::PATCH);
    }

    /// A log output a test can read back; clones share it.
    #[derive(Clone, Default)]
    pub(in super::super) struct Captured(Arc<Mutex<Vec<u8>>>);

    impl Captured {
        /// The lines written so far.
        pub(in super::super) fn lines(&self) -> Vec<String> {
            let bytes = self
                .0
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner())
                .clone();
            String::from_utf8_lossy(&bytes)
                .lines()
                .map(str::to_owned)
                .collect()
        }
    }

    impl std::io::Write for Captured {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner())
                .extend_from_slice(bytes);
            Ok(bytes.len())
        }

        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[derive(Debug)]
    #[allow(dead_code)]
    struct Point {
        x: i32,
    }

    /// Events of every shape a line can take: each kind of value, values that need
    /// escaping, no message, a message the wrapped format sanitises, an error, a span.
    fn log_events() {
        tracing::info!("plain message");
        tracing::warn!(method = %"GET", route = "/pets/{petId}", status = 200u16, latency_ms = 0.054, "request finished");
        tracing::error!(
            quoted = "say \"hi\"\n\ttab \\ \u{1}",
            unicode = "grüße ✓",
            negative = -7i64,
            min = i64::MIN,
            zero = 0u64,
            big = u64::MAX,
            plain = "it's a ~plain [text] {of} ascii",
            yes = true,
            huge = 1e21,
            tiny = 1.5e-7,
            whole = 3.0,
            nan = f64::NAN,
            point = ?Point { x: 1 },
            r#type = "kind",
            "with {} args and \"quotes\"", 2
        );
        tracing::debug!(answer = 42);
        tracing::info!(
            a = 0.001,
            b = 0.01,
            c = 0.1,
            d = 0.25,
            e = 12.5,
            f = 1000.25,
            g = 123456.789,
            h = 999999999.999,
            billion = 1e9,
            below = 0.0004,
            between = 0.0545,
            zero = 0.0,
            negative = -2.5,
            "floats"
        );
        tracing::info!("terminal \u{1b}[31m escape \u{85}");
        let error = std::io::Error::other("disk full");
        tracing::warn!(error = &error as &dyn std::error::Error, "write failed");
        tracing::info_span!("work", step = 1).in_scope(|| tracing::info!("inside a span"));
    }

    /// The lines `layer` writes for [`log_events`], timestamps replaced by `<time>` once
    /// their shape is checked.
    fn lines_of<L>(layer: impl FnOnce(Captured) -> L) -> Vec<String>
    where
        L: tracing_subscriber::Layer<tracing_subscriber::Registry> + Send + Sync,
    {
        let captured = Captured::default();
        let subscriber = tracing_subscriber::registry().with(layer(captured.clone()));
        tracing::subscriber::with_default(subscriber, log_events);
        captured
            .lines()
            .iter()
            .map(|line| {
                let at = usize::from(line.starts_with("{\"timestamp\":\"")) * 14;
                let time = &line[at..at + 27];
                assert!(
                    time.bytes().enumerate().all(|(i, b)| match i {
                        4 | 7 => b == b'-',
                        10 => b == b'T',
                        13 | 16 => b == b':',
                        19 => b == b'.',
                        26 => b == b'Z',
                        _ => b.is_ascii_digit(),
                    }),
                    "timestamp {time:?} in {line}"
                );
                format!("{}<time>{}", &line[..at], &line[at + 27..])
            })
            .collect()
    }

    #[test]
    fn text_lines_are_exactly_tracing_subscribers() {
        let ours = lines_of(|out| log_layer(LogFormat::Text, move || out.clone()));
        let theirs = lines_of(|out| {
            tracing_subscriber::fmt::layer()
                .with_ansi(false)
                .with_writer(move || out.clone())
        });
        assert_eq!(ours.len(), 8, "{ours:#?}");
        assert_eq!(ours, theirs);
    }

    #[test]
    fn json_lines_are_exactly_tracing_subscribers() {
        let ours = lines_of(|out| log_layer(LogFormat::Json, move || out.clone()));
        let theirs = lines_of(|out| {
            tracing_subscriber::fmt::layer()
                .with_ansi(false)
                .json()
                .with_current_span(true)
                .with_span_list(false)
                .with_writer(move || out.clone())
        });
        assert_eq!(ours.len(), 8, "{ours:#?}");
        assert_eq!(ours, theirs);
    }

    #[test]
    fn dates_and_times_of_day_match_chrono() {
        let seconds = [
            0,
            59,
            86_399,
            951_782_400,   // 2000-02-29
            1_709_164_800, // 2024-02-29
            1_795_000_000,
            4_102_444_799, // 2099-12-31T23:59:59
            4_107_542_400, // 2100-03-01, after a century without 29 February
            253_402_300_799,
        ];
        for second in seconds {
            let expected = chrono::DateTime::from_timestamp(second as i64, 0)
                .map(|t| t.format("%Y-%m-%dT%H:%M:%S").to_string());
            let ours = date_time(second);
            assert_eq!(
                std::str::from_utf8(&ours).ok(),
                expected.as_deref(),
                "{second}"
            );
        }
    }
}
