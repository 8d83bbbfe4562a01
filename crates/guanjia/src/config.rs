//! Configuration: optional `guanjia.toml`, overridden by environment
//! variables (the stable interface documented in README.md).

use std::path::{Path, PathBuf};

use serde::Deserialize;

#[derive(Debug, Clone, Deserialize, Default)]
#[serde(default)]
struct FileConfig {
    listen: Option<String>,
    data_dir: Option<String>,
    database_url: Option<String>,
    metrics_listen: Option<String>,
    timezone: Option<String>,
    secure_cookies: Option<bool>,
    slow_query_ms: Option<u64>,
}

#[derive(Debug, Clone)]
pub struct Config {
    pub listen: String,
    pub data_dir: PathBuf,
    /// `None`: the SQLite file in the data directory.
    pub database_url: Option<String>,
    pub metrics_listen: Option<String>,
    pub timezone: chrono_tz::Tz,
    pub secure_cookies: bool,
    /// Statements slower than this are logged with their SQL (WARN).
    pub slow_query: std::time::Duration,
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

impl Config {
    pub fn load() -> anyhow::Result<Self> {
        let file: FileConfig = match std::fs::read_to_string("guanjia.toml") {
            Ok(text) => toml::from_str(&text).map_err(|e| anyhow::anyhow!("guanjia.toml: {e}"))?,
            Err(_) => FileConfig::default(),
        };
        let tz_name = env("GUANJIA_TIMEZONE").or(file.timezone).unwrap_or_else(|| "Asia/Shanghai".into());
        Ok(Self {
            listen: env("GUANJIA_LISTEN").or(file.listen).unwrap_or_else(|| "127.0.0.1:8080".into()),
            data_dir: PathBuf::from(env("GUANJIA_DATA_DIR").or(file.data_dir).unwrap_or_else(|| "./data".into())),
            database_url: env("DATABASE_URL").or(file.database_url),
            metrics_listen: env("GUANJIA_METRICS_LISTEN").or(file.metrics_listen),
            timezone: tz_name.parse().map_err(|_| anyhow::anyhow!("未知时区 {tz_name}"))?,
            secure_cookies: env("GUANJIA_SECURE_COOKIES").map(|v| v == "1" || v == "true").or(file.secure_cookies).unwrap_or(false),
            slow_query: std::time::Duration::from_millis(
                env("GUANJIA_SLOW_QUERY_MS").and_then(|v| v.parse().ok()).or(file.slow_query_ms).unwrap_or(200),
            ),
        })
    }

    /// The database URL: the configured one, or a SQLite file in the data
    /// directory (`guanjia.db`, or `guanjia-demo.db` in demo mode).
    pub fn database_url(&self, demo: bool) -> anyhow::Result<String> {
        if let Some(url) = &self.database_url {
            return Ok(url.clone());
        }
        std::fs::create_dir_all(&self.data_dir)?;
        let file = self.data_dir.join(if demo { "guanjia-demo.db" } else { "guanjia.db" });
        Ok(sqlite_url(&file))
    }
}

fn sqlite_url(path: &Path) -> String {
    format!("sqlite://{}?mode=rwc", path.display())
}
