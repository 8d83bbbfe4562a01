//! The server's resident memory, sampled from /proc/PID/status while the
//! operations run: the peak of the whole run, of each operation, and the
//! value at the end.

use std::{
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc,
    },
    time::Duration,
};

const EVERY: Duration = Duration::from_millis(100);

/// VmRSS of a process in kB, if it still runs.
pub fn vm_rss_kb(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    parse_vm_rss(&status)
}

fn parse_vm_rss(status: &str) -> Option<u64> {
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

pub fn mb(kb: u64) -> f64 {
    kb as f64 / 1024.0
}

/// A background sampler; dropping it stops the sampling.
pub struct Sampler {
    pid: u32,
    peak: Arc<AtomicU64>,
    window: Arc<AtomicU64>,
    task: tokio::task::JoinHandle<()>,
}

impl Sampler {
    pub fn start(pid: u32) -> anyhow::Result<Self> {
        let now = vm_rss_kb(pid).ok_or_else(|| anyhow::anyhow!("--pid {pid}: no such process (or no VmRSS in /proc/{pid}/status)"))?;
        let peak = Arc::new(AtomicU64::new(now));
        let window = Arc::new(AtomicU64::new(now));
        let (p, w) = (peak.clone(), window.clone());
        let task = tokio::spawn(async move {
            let mut tick = tokio::time::interval(EVERY);
            loop {
                tick.tick().await;
                if let Some(kb) = vm_rss_kb(pid) {
                    p.fetch_max(kb, Ordering::Relaxed);
                    w.fetch_max(kb, Ordering::Relaxed);
                }
            }
        });
        Ok(Self { pid, peak, window, task })
    }

    /// Starts an operation's own peak from the current value.
    pub fn begin_window(&self) {
        self.window.store(vm_rss_kb(self.pid).unwrap_or(0), Ordering::Relaxed);
    }

    /// The peak since `begin_window`, the end of the window included.
    pub fn window_peak_kb(&self) -> u64 {
        let now = self.sample();
        self.window.load(Ordering::Relaxed).max(now)
    }

    pub fn peak_kb(&self) -> u64 {
        self.peak.load(Ordering::Relaxed).max(self.sample())
    }

    /// Samples now (and records it in the peaks).
    pub fn sample(&self) -> u64 {
        let kb = vm_rss_kb(self.pid).unwrap_or(0);
        self.peak.fetch_max(kb, Ordering::Relaxed);
        self.window.fetch_max(kb, Ordering::Relaxed);
        kb
    }
}

impl Drop for Sampler {
    fn drop(&mut self) {
        self.task.abort();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_vm_rss() {
        assert_eq!(parse_vm_rss("Name:\tguanjia\nVmPeak:\t 900 kB\nVmRSS:\t  214332 kB\n"), Some(214332));
        assert_eq!(parse_vm_rss("Name:\tx\n"), None);
        assert!(vm_rss_kb(std::process::id()).is_some_and(|kb| kb > 0));
    }
}
