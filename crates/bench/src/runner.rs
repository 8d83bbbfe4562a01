//! Runs one operation with C concurrent clients until its time or count
//! bound, and summarises the latencies.

use std::{
    collections::BTreeMap,
    future::Future,
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc,
    },
    time::{Duration, Instant},
};

use tokio::task::JoinSet;

use crate::http::Failure;

/// How much of an operation to run: whichever bound is reached first.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub clients: usize,
    /// `None`: bounded by the count only (the export, a few long requests).
    pub duration: Option<Duration>,
    pub max_requests: u64,
}

/// What the clients of one operation did.
#[derive(Debug, Default)]
pub struct Measured {
    pub wall: Duration,
    /// Latencies of the successful requests, sorted.
    pub latencies: Vec<Duration>,
    /// Failures by kind (`HTTP 500`, `network: timeout`, …).
    pub errors: BTreeMap<String, u64>,
    /// Sum of what the successful samples reported (hits, bytes…), for an average.
    pub metric_sum: u64,
}

impl Measured {
    pub fn ok(&self) -> u64 {
        self.latencies.len() as u64
    }

    pub fn error_count(&self) -> u64 {
        self.errors.values().sum()
    }

    pub fn requests(&self) -> u64 {
        self.ok() + self.error_count()
    }

    /// Successful requests per second of wall time.
    pub fn throughput(&self) -> f64 {
        let secs = self.wall.as_secs_f64();
        if secs > 0.0 {
            self.ok() as f64 / secs
        } else {
            0.0
        }
    }

    /// Nearest-rank percentile of the successful requests, in ms.
    pub fn percentile_ms(&self, p: f64) -> Option<f64> {
        if self.latencies.is_empty() {
            return None;
        }
        let rank = ((p / 100.0) * self.latencies.len() as f64).ceil() as usize;
        let at = rank.clamp(1, self.latencies.len()) - 1;
        Some(self.latencies[at].as_secs_f64() * 1000.0)
    }

    pub fn average_metric(&self) -> Option<f64> {
        (self.ok() > 0).then(|| self.metric_sum as f64 / self.ok() as f64)
    }
}

/// One sample's outcome: a number the operation reports (hits, bytes, or 0),
/// or why it failed.
pub type Outcome = Result<u64, Failure>;

/// Runs `job(client, sequence)` from `limits.clients` tasks. Every sample
/// takes the next sequence number, so a count bound holds across clients and
/// an operation can give each sample its own room or query.
pub async fn run<F, Fut>(limits: Limits, job: F) -> Measured
where
    F: Fn(usize, u64) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Outcome> + Send + 'static,
{
    let job = Arc::new(job);
    let next = Arc::new(AtomicU64::new(0));
    let start = Instant::now();
    let deadline = limits.duration.map(|d| start + d);
    let mut tasks = JoinSet::new();
    for client in 0..limits.clients {
        let (job, next) = (job.clone(), next.clone());
        tasks.spawn(async move {
            let mut mine = Vec::new();
            loop {
                if deadline.is_some_and(|d| Instant::now() >= d) {
                    break;
                }
                let seq = next.fetch_add(1, Ordering::Relaxed);
                if seq >= limits.max_requests {
                    break;
                }
                let t = Instant::now();
                let outcome = job(client, seq).await;
                mine.push((t.elapsed(), outcome));
            }
            mine
        });
    }
    let mut m = Measured::default();
    while let Some(done) = tasks.join_next().await {
        for (latency, outcome) in done.unwrap_or_default() {
            match outcome {
                Ok(metric) => {
                    m.latencies.push(latency);
                    m.metric_sum += metric;
                }
                Err(kind) => *m.errors.entry(kind).or_default() += 1,
            }
        }
    }
    m.wall = start.elapsed();
    m.latencies.sort_unstable();
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentiles() {
        let m = Measured { latencies: (1..=100).map(Duration::from_millis).collect(), ..Default::default() };
        assert_eq!(m.percentile_ms(50.0), Some(50.0));
        assert_eq!(m.percentile_ms(99.0), Some(99.0));
        assert_eq!(m.percentile_ms(100.0), Some(100.0));
        let one = Measured { latencies: vec![Duration::from_millis(7)], ..Default::default() };
        assert_eq!(one.percentile_ms(50.0), Some(7.0));
        assert_eq!(Measured::default().percentile_ms(50.0), None);
    }

    #[tokio::test]
    async fn count_bound_holds_across_clients() {
        let limits = Limits { clients: 4, duration: Some(Duration::from_secs(5)), max_requests: 10 };
        let m = run(limits, |_, seq| async move {
            if seq % 5 == 0 {
                Err("HTTP 500".to_string())
            } else {
                Ok(1)
            }
        })
        .await;
        assert_eq!((m.requests(), m.ok(), m.error_count(), m.metric_sum), (10, 8, 2, 8));
    }
}
