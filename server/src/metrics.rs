//! The relay's counters and gauges, and their Prometheus text form.
//!
//! One [`Metrics`] per relay (not a process-wide recorder), so two relays in one process,
//! as in the tests, count apart. Updating is an atomic add; fan-out counts a broadcast's
//! deliveries with one add, not one per recipient, so metrics cost nothing per delivery.
//! Serving the text is `metrics_endpoint`'s job.

use prometheus::core::Collector;
use prometheus::{
    Encoder, Histogram, HistogramOpts, IntCounter, IntCounterVec, IntGauge, Opts, Registry,
    TextEncoder,
};

/// Every `reason` label of `confab_handshakes_refused_total`, each shown from the start
/// (at 0), so a dashboard can rate any of them before it first happens.
pub const REFUSAL_REASONS: [&str; 9] = [
    "bad_request",
    "origin",
    "upgrade_required",
    "per_ip_limit",
    "head_too_large",
    "draining",
    "timeout",
    "tls",
    "proxy_header",
];

/// Everything the relay counts.
#[derive(Debug, Clone)]
pub struct Metrics {
    registry: Registry,
    /// Connections open on the main port now: WebSockets (handshaking, joining or joined)
    /// and HTTP connections (the page, `/healthz`), which count against the same limits.
    pub connections_open: IntGauge,
    /// Rooms that exist now (permanent rooms included).
    pub rooms: IntGauge,
    /// Members in all rooms now (not counting reserved names of dropped members).
    pub members: IntGauge,
    /// Chat messages relayed (each counted once, however many receive it).
    pub chats_relayed: IntCounter,
    /// Frames queued to members: chats, notices, typing hints and whispers.
    pub deliveries: IntCounter,
    /// Members removed because their outbox was full (slow consumers).
    pub outbox_evictions: IntCounter,
    /// Frames that broke the protocol (not JSON, unknown type, binary, not joined).
    pub bad_frames: IntCounter,
    /// Requests refused by the rate limit.
    pub rate_limited: IntCounter,
    /// Joins refused because the room did not exist (the code-guessing signal).
    pub failed_joins: IntCounter,
    /// WebSocket handshakes that did not happen, by `reason` ([`REFUSAL_REASONS`]).
    pub handshakes_refused: IntCounterVec,
    /// Bytes read from every connection (TLS included), counted per connection in chunks
    /// (`stream::Counted`), so the last few KiB of an open connection show when it closes.
    pub bytes_in: IntCounter,
    /// Bytes written to every connection, counted like `bytes_in`.
    pub bytes_out: IntCounter,
    /// Cluster mode: times this relay closed its members with 1012 to resume, because it
    /// may have missed bus events (Redis connection lost, bus queue full, taken for dead).
    pub cluster_resyncs: IntCounter,
    /// Cluster mode: dead relays whose members this relay removed.
    pub relays_reaped: IntCounter,
    /// Cluster mode: times the connection to Redis dropped (the client reconnects itself).
    pub redis_disconnects: IntCounter,
    /// Cluster mode: how long Redis took to run a chat's script (sequence, keep, publish),
    /// answer included: the publish latency every chat pays.
    pub redis_chat_seconds: Histogram,
    /// Bytes of attachments this relay holds now, stored and reserved by uploads under way
    /// (in cluster mode: what this relay reserved in Redis and keeps while it uploads).
    pub attachment_bytes: IntGauge,
    /// Attachments stored now.
    pub attachments: IntGauge,
    /// Uploads dropped because they stalled past `upload_timeout`.
    pub uploads_timed_out: IntCounter,
}

impl Metrics {
    /// Fresh metrics, all zero.
    pub fn new() -> Self {
        let registry = Registry::new();
        Self {
            connections_open: gauge(
                &registry,
                "confab_connections_open",
                "Connections open now (WebSockets and HTTP)",
            ),
            rooms: gauge(&registry, "confab_rooms", "Rooms that exist now"),
            members: gauge(&registry, "confab_members", "Members in all rooms now"),
            chats_relayed: counter(
                &registry,
                "confab_chats_relayed_total",
                "Chat messages relayed",
            ),
            deliveries: counter(
                &registry,
                "confab_deliveries_total",
                "Frames queued to members",
            ),
            outbox_evictions: counter(
                &registry,
                "confab_outbox_evictions_total",
                "Members evicted as slow consumers",
            ),
            bad_frames: counter(
                &registry,
                "confab_bad_frames_total",
                "Frames that broke the protocol",
            ),
            rate_limited: counter(
                &registry,
                "confab_rate_limited_total",
                "Requests refused by the rate limit",
            ),
            failed_joins: counter(
                &registry,
                "confab_failed_joins_total",
                "Joins refused for a room that does not exist",
            ),
            handshakes_refused: registered(
                &registry,
                IntCounterVec::new(
                    Opts::new(
                        "confab_handshakes_refused_total",
                        "WebSocket handshakes refused or failed, by reason",
                    ),
                    &["reason"],
                ),
            ),
            bytes_in: counter(
                &registry,
                "confab_bytes_in_total",
                "Bytes read from connections",
            ),
            bytes_out: counter(
                &registry,
                "confab_bytes_out_total",
                "Bytes written to connections",
            ),
            cluster_resyncs: counter(
                &registry,
                "confab_cluster_resyncs_total",
                "Times local members were sent to resume after missed bus events",
            ),
            relays_reaped: counter(
                &registry,
                "confab_relays_reaped_total",
                "Dead relays whose members this relay removed",
            ),
            redis_disconnects: counter(
                &registry,
                "confab_redis_disconnects_total",
                "Times the connection to Redis dropped",
            ),
            redis_chat_seconds: registered(
                &registry,
                Histogram::with_opts(
                    HistogramOpts::new(
                        "confab_redis_chat_seconds",
                        "Time Redis took to sequence and publish a chat",
                    )
                    .buckets(vec![
                        0.0002, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.5, 2.0,
                    ]),
                ),
            ),
            attachment_bytes: gauge(
                &registry,
                "confab_attachment_bytes",
                "Bytes of attachments this relay holds now: stored and reserved (memory mode), reserved by uploads under way on it (cluster mode)",
            ),
            attachments: gauge(&registry, "confab_attachments", "Attachments stored now"),
            uploads_timed_out: counter(
                &registry,
                "confab_uploads_timed_out_total",
                "Uploads dropped because they stalled",
            ),
            registry,
        }
        .with_every_reason()
    }

    fn with_every_reason(self) -> Self {
        for reason in REFUSAL_REASONS {
            let _ = self.handshakes_refused.with_label_values(&[reason]);
        }
        self
    }

    /// Counts one refused handshake under `reason` (one of [`REFUSAL_REASONS`]).
    pub fn refused(&self, reason: &str) {
        self.handshakes_refused.with_label_values(&[reason]).inc();
    }

    /// The Prometheus text exposition format (version 0.0.4) of every metric.
    pub fn render(&self) -> String {
        let mut text = Vec::new();
        // Encoding into a Vec fails only on a metric family without metrics, which
        // `new` never registers; an empty page is then the honest answer.
        if let Err(err) = TextEncoder::new().encode(&self.registry.gather(), &mut text) {
            tracing::error!(%err, "could not encode metrics");
        }
        String::from_utf8(text).unwrap_or_default()
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

/// The `Content-Type` of [`Metrics::render`]'s text.
pub const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

fn counter(registry: &Registry, name: &str, help: &str) -> IntCounter {
    registered(registry, IntCounter::new(name, help))
}

fn gauge(registry: &Registry, name: &str, help: &str) -> IntGauge {
    registered(registry, IntGauge::new(name, help))
}

/// Registers a freshly made metric. Names and help texts are constants of this file, valid
/// and distinct, so neither step can fail; `metrics_are_created_and_rendered` checks every
/// one.
#[allow(clippy::expect_used)]
fn registered<M: Collector + Clone + 'static>(
    registry: &Registry,
    metric: prometheus::Result<M>,
) -> M {
    let metric = metric.expect("metric names are valid constants");
    registry
        .register(Box::new(metric.clone()))
        .expect("metric names are distinct");
    metric
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metrics_are_created_and_rendered() {
        let metrics = Metrics::new();
        metrics.chats_relayed.inc_by(3);
        metrics.members.set(2);
        let text = metrics.render();
        assert!(text.contains("confab_chats_relayed_total 3\n"), "{text}");
        assert!(text.contains("confab_members 2\n"), "{text}");
        assert_eq!(text.matches("# TYPE confab_").count(), 19, "{text}");
        assert!(
            text.contains("confab_handshakes_refused_total{reason=\"tls\"} 0\n"),
            "{text}"
        );
    }
}
