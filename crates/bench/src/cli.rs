//! Command-line flags and their checks.

use std::{path::PathBuf, time::Duration};

use anyhow::{bail, Context};
use clap::Parser;
use reqwest::Url;

/// Drives a running Guanjia server over HTTP and prints, per operation, the
/// requests done, errors, throughput and latency percentiles as a Markdown
/// table (for bench/RESULTS.md).
#[derive(Debug, Parser)]
#[command(name = "guanjia-bench", version)]
pub struct Args {
    /// Base URL of the server; only 127.0.0.1 or localhost is accepted.
    #[arg(long, default_value = "http://127.0.0.1:8080")]
    pub url: String,
    /// Login used for every operation (a superuser sees every project).
    #[arg(long, default_value = "admin")]
    pub user: String,
    #[arg(long, default_value = "demo1234")]
    pub password: String,
    /// Concurrent clients per operation.
    #[arg(long, default_value_t = 8)]
    pub clients: usize,
    /// Concurrent clients of `workorder create`.
    #[arg(long, default_value_t = 32)]
    pub create_clients: usize,
    /// Time bound per operation, e.g. `10s`, `500ms`, `2m`.
    #[arg(long, default_value = "10s", value_parser = parse_duration)]
    pub duration: Duration,
    /// Count bound per operation (whichever of time and count comes first).
    #[arg(long, default_value_t = 20_000)]
    pub max_requests: u64,
    /// Operations to run, comma-separated (default: all), e.g. `workbench,search room`.
    #[arg(long, value_delimiter = ',')]
    pub only: Vec<String>,
    /// Also write the results as JSON to this file.
    #[arg(long)]
    pub json: Option<PathBuf>,
    /// The server's process id: its resident memory (VmRSS) is sampled during the run.
    #[arg(long)]
    pub pid: Option<u32>,
    /// Project of the work-order lists and the project measures (its code).
    #[arg(long, default_value = "P001")]
    pub project_code: String,
    /// Room whose owner's 360 page is fetched (the owner with the longest history).
    #[arg(long, default_value = "P001-01-1-0101")]
    pub room_code: String,
    /// Fetch this customer's 360 page instead of the owner of `--room-code`.
    #[arg(long)]
    pub customer_id: Option<i32>,
    /// Service category of the created work orders (from the company's dictionary).
    #[arg(long, default_value = "水电")]
    pub category: String,
    /// Rows the export should have; filters are chosen to come close.
    #[arg(long, default_value_t = 10_000)]
    pub export_rows: u64,
    /// Query string of the export instead of the chosen one, e.g. `project_id=3&q=WO-202611`.
    #[arg(long)]
    pub export_query: Option<String>,
    /// Export as this login (same password), e.g. an office's agent to export
    /// one office's orders; its scope is what the filters narrow.
    #[arg(long)]
    pub export_user: Option<String>,
    /// How many times the export runs (one client).
    #[arg(long, default_value_t = 5)]
    pub export_runs: u64,
    /// Seed of the phone suffixes and of the order rooms and codes are picked in.
    #[arg(long, default_value_t = 20261122)]
    pub seed: u64,
}

/// The operations, in the order they run.
pub const OPERATIONS: &[&str] = &[
    "login+workbench",
    "workbench",
    "search name2",
    "search phone4",
    "search room",
    "customer list",
    "customer 360",
    "workorder create",
    "workorder list p1",
    "workorder list p500",
    "visit queue",
    "visit list",
    "room customers",
    "measures project-month",
    "measures group-month",
    "export 10k orders",
];

impl Args {
    /// The base URL, refused unless it points at this machine's loopback.
    pub fn base_url(&self) -> anyhow::Result<Url> {
        let url = Url::parse(&self.url).with_context(|| format!("--url {}", self.url))?;
        match url.host_str() {
            Some("127.0.0.1") | Some("localhost") => {}
            other => bail!("--url must point at 127.0.0.1 or localhost, not {}", other.unwrap_or("(no host)")),
        }
        if url.scheme() != "http" {
            bail!("--url must be http:// (the client has no TLS)");
        }
        Ok(url)
    }

    /// The operations selected by `--only`, checked against the known names.
    pub fn selected(&self) -> anyhow::Result<Vec<&'static str>> {
        if self.only.is_empty() {
            return Ok(OPERATIONS.to_vec());
        }
        let wanted: Vec<String> = self.only.iter().map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect();
        if let Some(unknown) = wanted.iter().find(|w| !OPERATIONS.contains(&w.as_str())) {
            bail!("unknown operation {unknown:?}; known: {}", OPERATIONS.join(", "));
        }
        Ok(OPERATIONS.iter().copied().filter(|op| wanted.iter().any(|w| w == op)).collect())
    }

    pub fn check(&self) -> anyhow::Result<()> {
        if self.clients == 0 || self.create_clients == 0 {
            bail!("--clients and --create-clients must be at least 1");
        }
        if self.max_requests == 0 || self.export_runs == 0 {
            bail!("--max-requests and --export-runs must be at least 1");
        }
        Ok(())
    }
}

/// `10s`, `1.5s`, `500ms`, `2m`; a bare number is seconds.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let t = text.trim();
    let (number, unit) = match t.find(|c: char| !(c.is_ascii_digit() || c == '.')) {
        Some(i) => t.split_at(i),
        None => (t, "s"),
    };
    let value: f64 = number.parse().map_err(|_| format!("not a duration: {text:?} (e.g. 10s, 500ms, 2m)"))?;
    let seconds = match unit.trim() {
        "ms" => value / 1000.0,
        "s" => value,
        "m" | "min" => value * 60.0,
        _ => return Err(format!("unknown unit in {text:?}: use ms, s or m")),
    };
    if !(seconds > 0.0 && seconds.is_finite()) {
        return Err(format!("duration must be positive: {text:?}"));
    }
    Ok(Duration::from_secs_f64(seconds))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("10s"), Ok(Duration::from_secs(10)));
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("2m"), Ok(Duration::from_secs(120)));
        assert_eq!(parse_duration("3"), Ok(Duration::from_secs(3)));
        assert!(parse_duration("0s").is_err() && parse_duration("ten").is_err() && parse_duration("5h").is_err());
    }

    #[test]
    fn only_loopback() {
        let args = |url: &str| Args::parse_from(["guanjia-bench", "--url", url]);
        assert!(args("http://127.0.0.1:9000").base_url().is_ok());
        assert!(args("http://localhost:9000/").base_url().is_ok());
        assert!(args("http://10.0.0.5:9000").base_url().is_err());
        assert!(args("https://127.0.0.1:9000").base_url().is_err());
    }

    #[test]
    fn only_known_operations() {
        let a = Args::parse_from(["guanjia-bench", "--only", "workbench,search room"]);
        assert_eq!(a.selected().unwrap(), vec!["workbench", "search room"]);
        let a = Args::parse_from(["guanjia-bench", "--only", "nope"]);
        assert!(a.selected().is_err());
    }
}
