//! The results as a Markdown table (for bench/RESULTS.md) and as JSON.

use serde::Serialize;

use crate::{
    ops::{Done, Metric},
    rss::mb,
};

#[derive(Debug, Serialize)]
pub struct Row {
    pub operation: String,
    pub clients: usize,
    pub requests: u64,
    pub errors: u64,
    /// Successful requests per second of wall time.
    pub throughput: f64,
    pub p50_ms: Option<f64>,
    pub p95_ms: Option<f64>,
    pub p99_ms: Option<f64>,
    pub max_ms: Option<f64>,
    pub wall_s: f64,
    /// Mean of the sample's number: hits of a search, KB of a page.
    pub average: Option<f64>,
    pub average_of: Option<&'static str>,
    pub rss_peak_mb: Option<f64>,
    pub note: String,
    /// Failures by kind, e.g. `{"HTTP 500": 3}`.
    pub error_kinds: std::collections::BTreeMap<String, u64>,
    /// Why the operation did not run (its setup failed).
    pub skipped: Option<String>,
}

impl Row {
    pub fn of(operation: &str, done: Done, rss_peak_kb: Option<u64>) -> Self {
        let m = &done.measured;
        let (average, average_of) = match (done.metric, m.average_metric()) {
            (Some(Metric::Hits), Some(a)) => (Some(a), Some("hits")),
            (Some(Metric::Kilobytes), Some(a)) => (Some(a / 1024.0), Some("KB")),
            _ => (None, None),
        };
        Self {
            operation: operation.into(),
            clients: done.clients,
            requests: m.requests(),
            errors: m.error_count(),
            throughput: m.throughput(),
            p50_ms: m.percentile_ms(50.0),
            p95_ms: m.percentile_ms(95.0),
            p99_ms: m.percentile_ms(99.0),
            max_ms: m.percentile_ms(100.0),
            wall_s: m.wall.as_secs_f64(),
            average,
            average_of,
            rss_peak_mb: rss_peak_kb.map(mb),
            note: done.note,
            error_kinds: m.errors.clone(),
            skipped: None,
        }
    }

    pub fn skipped(operation: &str, why: String) -> Self {
        Self {
            operation: operation.into(),
            clients: 0,
            requests: 0,
            errors: 0,
            throughput: 0.0,
            p50_ms: None,
            p95_ms: None,
            p99_ms: None,
            max_ms: None,
            wall_s: 0.0,
            average: None,
            average_of: None,
            rss_peak_mb: None,
            note: String::new(),
            error_kinds: Default::default(),
            skipped: Some(why),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct Report {
    pub url: String,
    pub user: String,
    pub clients: usize,
    pub create_clients: usize,
    pub duration_s: f64,
    pub max_requests: u64,
    pub rows: Vec<Row>,
    pub rss_peak_mb: Option<f64>,
    pub rss_final_mb: Option<f64>,
}

fn ms(v: Option<f64>) -> String {
    v.map_or("—".into(), |v| if v < 10.0 { format!("{v:.2}") } else { format!("{v:.1}") })
}

impl Report {
    pub fn markdown(&self) -> String {
        let rss = self.rss_peak_mb.is_some();
        let mut out = format!(
            "Load: {} clients per operation ({} for `workorder create`, 1 for the export), each operation until {} s or {} requests; \
             latencies of successful requests, req/s = successful requests per second.\n\n",
            self.clients, self.create_clients, self.duration_s, self.max_requests
        );
        out.push_str("| operation | clients | requests | errors | req/s | p50 ms | p95 ms | p99 ms | max ms | avg |");
        out.push_str(if rss { " RSS peak MB |\n" } else { "\n" });
        out.push_str("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|");
        out.push_str(if rss { "--:|\n" } else { "\n" });
        for r in &self.rows {
            let avg = match (r.average, r.average_of) {
                (Some(a), Some(unit)) => format!("{a:.1} {unit}"),
                _ => String::new(),
            };
            if r.skipped.is_some() {
                out.push_str(&format!("| {} | | | | skipped | | | | | |{}\n", r.operation, if rss { " |" } else { "" }));
                continue;
            }
            out.push_str(&format!(
                "| {} | {} | {} | {} | {:.1} | {} | {} | {} | {} | {avg} |",
                r.operation,
                r.clients,
                r.requests,
                r.errors,
                r.throughput,
                ms(r.p50_ms),
                ms(r.p95_ms),
                ms(r.p99_ms),
                ms(r.max_ms)
            ));
            match r.rss_peak_mb {
                Some(peak) if rss => out.push_str(&format!(" {peak:.0} |\n")),
                _ if rss => out.push_str(" |\n"),
                _ => out.push('\n'),
            }
        }
        if let (Some(peak), Some(last)) = (self.rss_peak_mb, self.rss_final_mb) {
            out.push_str(&format!("\nServer RSS: peak {peak:.0} MB, final {last:.0} MB.\n"));
        }
        out.push_str("\nWhat each operation asked:\n\n");
        for r in &self.rows {
            match &r.skipped {
                Some(why) => out.push_str(&format!("- `{}`: skipped — {why}\n", r.operation)),
                None => out.push_str(&format!("- `{}`: {}\n", r.operation, r.note)),
            }
            if !r.error_kinds.is_empty() {
                let kinds: Vec<String> = r.error_kinds.iter().map(|(k, n)| format!("{k} × {n}")).collect();
                out.push_str(&format!("  errors: {}\n", kinds.join(", ")));
            }
        }
        out
    }

    /// Whether every operation ran without a failed request.
    pub fn clean(&self) -> bool {
        self.rows.iter().all(|r| r.skipped.is_none() && r.errors == 0)
    }
}
