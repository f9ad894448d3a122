//! Logs and metrics: the tracing subscriber (text or JSON), the process-wide Prometheus
//! recorder, and what each request records.

use std::collections::HashMap;
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
    LogGuard {
        _writer: Some(guard),
    }
}

/// The layer that writes log lines to `writer`: `format` lines without colours, each
/// written while serving a request carrying its id ([`WithRequestId`]).
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
                .map_event_format(|json| WithRequestId::new(json, format)),
        ),
        LogFormat::Text => {
            Box::new(layer.map_event_format(|text| WithRequestId::new(text, format)))
        }
    }
}

/// Whether each request gets a tracing span: only when traces are exported, where the span
/// is the trace. Log lines do not need one for the request id (see [`WithRequestId`]).
static REQUEST_SPANS: AtomicBool = AtomicBool::new(false);

/// Whether [`platform::Edge`](super::platform::Edge) opens a span for each request.
pub fn request_spans() -> bool {
    REQUEST_SPANS.load(Ordering::Relaxed)
}

/// An event format that adds the id of the request being served to every line written
/// while serving it: `request_id=...` at the end of a text line, a `request_id` member of
/// a JSON line. Outside a request, or inside a request span (which shows the id itself),
/// the line is the wrapped format's.
pub struct WithRequestId<F> {
    inner: F,
    format: LogFormat,
}

impl<F> WithRequestId<F> {
    pub fn new(inner: F, format: LogFormat) -> Self {
        Self { inner, format }
    }
}

impl<S, N, F> FormatEvent<S, N> for WithRequestId<F>
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
        let in_request_span = ctx
            .event_scope()
            .is_some_and(|mut scope| scope.any(|span| span.name() == "request"));
        let line = (!in_request_span)
            .then(|| with_current_request_id(|id| id_suffix(id, self.format)))
            .flatten();
        let Some(suffix) = line else {
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

/// What [`WithRequestId`] appends for `id`. Request ids are visible ASCII without spaces
/// (see `platform::request_id`), but may hold quotes, so JSON gets them escaped.
fn id_suffix(id: &str, format: LogFormat) -> String {
    match format {
        LogFormat::Json => format!(",\"request_id\":{}", serde_json::Value::from(id)),
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

/// One finished request, by route template (never the raw path, which would make a
/// series per id) and status. Nothing is recorded while no app serves `/metrics`.
pub fn record_request(method: &Method, route: &str, status: u16, latency: Duration) {
    if PROMETHEUS.get().is_none() {
        return;
    }
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
