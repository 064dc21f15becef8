//! How results are shown: an aligned table for people and one JSON line for scripts.

use std::fmt::Write as _;

use hdrhistogram::Histogram;
use serde::Serialize;

/// Latency percentiles in microseconds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Latency {
    /// Samples recorded.
    pub samples: u64,
    /// Median.
    pub p50_us: f64,
    /// 90th percentile.
    pub p90_us: f64,
    /// 99th percentile.
    pub p99_us: f64,
    /// 99.9th percentile.
    pub p999_us: f64,
    /// Largest.
    pub max_us: f64,
    /// Mean.
    pub mean_us: f64,
}

impl Latency {
    /// Percentiles of a histogram of nanoseconds.
    pub fn from_histogram(ns: &Histogram<u64>) -> Self {
        let us = |v: u64| v as f64 / 1000.0;
        Self {
            samples: ns.len(),
            p50_us: us(ns.value_at_quantile(0.50)),
            p90_us: us(ns.value_at_quantile(0.90)),
            p99_us: us(ns.value_at_quantile(0.99)),
            p999_us: us(ns.value_at_quantile(0.999)),
            max_us: us(ns.max()),
            mean_us: ns.mean() / 1000.0,
        }
    }
}

/// Renders `report` as a two-column table: one row per field, nested objects flattened
/// with dots (`latency.p99_us`).
pub fn table(report: &impl Serialize) -> String {
    let value = serde_json::to_value(report).unwrap_or_default();
    let mut rows = Vec::new();
    flatten("", &value, &mut rows);
    let width = rows.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
    let mut out = String::new();
    for (key, value) in rows {
        let _ = writeln!(out, "{key:<width$}  {value}");
    }
    out
}

/// Renders `report` as one line of JSON.
pub fn json_line(report: &impl Serialize) -> String {
    serde_json::to_string(report).unwrap_or_default()
}

fn flatten(prefix: &str, value: &serde_json::Value, rows: &mut Vec<(String, String)>) {
    match value {
        serde_json::Value::Object(fields) => {
            for (key, inner) in fields {
                let key = if prefix.is_empty() {
                    key.clone()
                } else {
                    format!("{prefix}.{key}")
                };
                flatten(&key, inner, rows);
            }
        }
        serde_json::Value::Number(n) => {
            let shown = n
                .as_f64()
                .filter(|_| n.is_f64())
                .map_or_else(|| n.to_string(), |f| format!("{f:.3}"));
            rows.push((prefix.to_owned(), shown));
        }
        serde_json::Value::Null => rows.push((prefix.to_owned(), "-".to_owned())),
        other => rows.push((prefix.to_owned(), other.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize)]
    struct Example {
        name: &'static str,
        latency: Latency,
        missing: Option<u64>,
    }

    #[test]
    fn tables_flatten_nested_fields_and_show_missing_ones_as_dashes() {
        let example = Example {
            name: "x",
            latency: Latency {
                p99_us: 1.5,
                ..Latency::default()
            },
            missing: None,
        };
        let shown = table(&example);
        assert!(shown.contains("latency.p99_us"), "{shown}");
        assert!(shown.contains("1.500"), "{shown}");
        assert!(
            shown
                .lines()
                .any(|l| l.starts_with("missing") && l.ends_with('-'))
        );
        assert!(json_line(&example).starts_with('{'));
    }
}
