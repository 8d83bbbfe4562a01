//! `guanjia`: the whole product in one binary.

mod config;

use std::net::SocketAddr;

use anyhow::Context;
use clap::{Parser, Subcommand};
use config::Config;

#[derive(Parser)]
#[command(name = "guanjia", version, about = "管家 · 物业客户关系与服务系统")]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// 启动服务（页面、接口、后台任务）
    Serve {
        /// 演示模式：使用独立的演示数据库并预置演示公司和各角色账号
        #[arg(long)]
        demo: bool,
    },
    /// 只执行数据库迁移
    Migrate,
    /// 生成大规模演示数据（用于基准测试）：写入空数据库，相同种子结果相同
    GenData {
        /// 规模：S（约两千间房、一万张工单，用于测试）或 L（20 万间房、25 万客户、100 万张工单）
        #[arg(long, value_parser = parse_scale)]
        scale: app::demo::scale::Scale,
        /// 随机种子
        #[arg(long, default_value_t = 20261201)]
        seed: u64,
    },
    /// 在线备份 SQLite 数据库到文件（VACUUM INTO）
    Backup {
        /// 备份文件路径（不能已存在）
        file: String,
    },
}

/// Every allocation, Rust's and SQLite's, goes to mimalloc: per-thread heaps
/// without a shared lock. With glibc's malloc a fifth of the server's time
/// under 32 clients creating orders was in malloc and free, and more in
/// waking threads that waited on its arenas' locks (`perf`; glibc had to be
/// held to two arenas, or every SQLite worker thread's arena stayed at the
/// peak of the largest read it served). Creates went from about 520 to
/// 660–880 per second; measured in bench/RESULTS.md.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// mimalloc's `mi_option_purge_delay` (its `mimalloc.h`, version 3: not
/// among the option names the bindings give).
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// Memory freed is given back to the system at once rather than after a
/// second: a thread that built a large export otherwise held its pages, and
/// the server's RSS peak at the 10,000-order export was 240–260 MB instead
/// of 160–180, for no measurable gain in throughput.
fn return_freed_memory_at_once() {
    // SAFETY: sets a process-wide option; called first thing in `main`.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, 0) };
}

fn main() -> anyhow::Result<()> {
    return_freed_memory_at_once();
    tokio::runtime::Builder::new_multi_thread().enable_all().build()?.block_on(run())
}

async fn run() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info,sqlx=warn,sea_orm=warn".into()))
        .init();
    let cli = Cli::parse();
    let config = Config::load()?;
    match cli.command.unwrap_or(Command::Serve { demo: false }) {
        Command::Serve { demo } => serve(config, demo).await,
        Command::Migrate => {
            let db = app::Db::connect_with(config.slow_query, &config.database_url(false)?).await?;
            upgrade(&db, config.timezone).await?;
            println!("数据库迁移完成");
            Ok(())
        }
        Command::GenData { scale, seed } => gen_data(config, scale, seed).await,
        Command::Backup { file } => {
            if std::path::Path::new(&file).exists() {
                anyhow::bail!("备份文件 {file} 已存在，请换一个文件名");
            }
            let db = app::Db::connect_with(config.slow_query, &config.database_url(false)?).await?;
            db.backup_sqlite(&file).await?;
            println!("已备份到 {file}");
            Ok(())
        }
    }
}

fn parse_scale(text: &str) -> Result<app::demo::scale::Scale, String> {
    app::demo::scale::Scale::from_code(text).ok_or_else(|| format!("规模应为 S 或 L，而不是 {text}"))
}

/// Brings the database to this version's schema, and the work orders'
/// tallies to the configured time zone (counted again from the orders when
/// the zone changed or the tallies are new).
async fn upgrade(db: &app::Db, tz: chrono_tz::Tz) -> anyhow::Result<()> {
    db.migrate().await.context("数据库迁移失败")?;
    let started = std::time::Instant::now();
    if app::workorder::tally::keep_in_zone(db, tz).await.context("工单统计失败")? {
        println!("已按时区 {tz} 统计工单服务指标，用时 {:.1} 秒。", started.elapsed().as_secs_f64());
    }
    Ok(())
}

async fn gen_data(config: Config, scale: app::demo::scale::Scale, seed: u64) -> anyhow::Result<()> {
    let db = app::Db::connect_with(config.slow_query, &config.database_url(false)?).await.context("无法连接数据库")?;
    upgrade(&db, config.timezone).await?;
    let started = std::time::Instant::now();
    println!("正在生成 {scale:?} 规模数据（种子 {seed}）…");
    let mut log = |step: &app::demo::scale::Step| println!("  {:<24} {:>9}  {:>7.1} 秒", step.what, step.count, step.took.as_secs_f64());
    app::demo::scale::generate(&db, scale, seed, config.timezone, &mut log).await?;
    println!("完成，总用时 {:.1} 秒。数据库中现有：", started.elapsed().as_secs_f64());
    for (what, n) in app::demo::scale::counts(&db).await? {
        println!("  {what:<8} {n:>9}");
    }
    println!("登录：admin（集团，系统管理员），agent001… 各管理处客服，eng0011… 各管理处工程师；密码均为 {}", app::demo::DEMO_PASSWORD);
    Ok(())
}

async fn serve(config: Config, demo: bool) -> anyhow::Result<()> {
    let url = config.database_url(demo)?;
    let db = app::Db::connect_with(config.slow_query, &url).await.context("无法连接数据库")?;
    upgrade(&db, config.timezone).await?;
    let listener = tokio::net::TcpListener::bind(&config.listen).await.with_context(|| format!("无法监听 {}", config.listen))?;
    let addr = listener.local_addr()?;
    if demo {
        if config.database_url.is_some() {
            anyhow::bail!("演示模式只能使用内置的演示数据库，请去掉 DATABASE_URL");
        }
        if app::demo::seed_demo(&db).await? {
            println!("正在生成演示数据（楼栋、房间、业主和租户），首次启动约需半分钟…");
            let started = std::time::Instant::now();
            let (rooms, customers) = app::demo::populate(&db, 24).await?;
            println!("已创建演示数据：{rooms} 间房、{customers} 位客户，用时 {:.1} 秒。", started.elapsed().as_secs_f64());
        }
        println!("演示账号（密码均为 {}）: admin 系统管理员, manager 管理处主任, agent 客服专员, engineer 维修工程师, cashier 收费员, gz_agent 广州公司客服", app::demo::DEMO_PASSWORD);
    } else if let Some(password) = app::demo::bootstrap(&db).await? {
        println!("初始管理员: admin 一次性密码: {password}");
        println!("请用它登录并立即修改密码；此密码不会再次显示。");
    } else {
        println!("请使用您的账号登录。");
    }
    if let Some(metrics_addr) = &config.metrics_listen {
        start_metrics(metrics_addr).await?;
    }
    println!("管家已启动: http://{addr}/");
    // The demo keeps its photos apart, as it keeps its own database file.
    let blobs = app::storage::FsBlobStore::new(config.data_dir.join(if demo { "blobs-demo" } else { "blobs" }));
    let worker = tokio::spawn(worker(db.clone(), config.timezone));
    let state = web::AppState { db, tz: config.timezone, secure_cookies: config.secure_cookies, blobs: std::sync::Arc::new(blobs) };
    let app = web::router(state);
    let served = axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await;
    worker.abort();
    served?;
    Ok(())
}

/// The background worker of `serve`: escalates overdue work orders every
/// minute and delivers the outbox every five seconds. A failure is logged
/// and tried again on the next tick; it never takes the server down. Every
/// step is its own transaction, so stopping between ticks loses nothing, and
/// several server processes may run it at once (escalations and deliveries
/// are claimed with guarded updates).
async fn worker(db: app::Db, tz: chrono_tz::Tz) {
    use tokio::time::{interval, Duration, MissedTickBehavior};
    let mut scan = interval(Duration::from_secs(60));
    let mut deliver = interval(Duration::from_secs(5));
    scan.set_missed_tick_behavior(MissedTickBehavior::Delay);
    deliver.set_missed_tick_behavior(MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = scan.tick() => match app::workorder::escalation::scan(&db, tz, chrono::Utc::now()).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(levels = n, "overdue work orders escalated"),
                Err(e) => tracing::error!(error = ?e, "escalation scan failed"),
            },
            _ = deliver.tick() => {
                if let Err(e) = app::outbox::deliver_pending(&db, chrono::Utc::now()).await {
                    tracing::error!(error = ?e, "outbox delivery failed");
                }
            }
        }
    }
}

/// Prometheus metrics on their own listener, so they are never exposed on
/// the public port by accident.
async fn start_metrics(addr: &str) -> anyhow::Result<()> {
    let handle = metrics_exporter_prometheus::PrometheusBuilder::new().install_recorder()?;
    let listener = tokio::net::TcpListener::bind(addr).await.with_context(|| format!("无法监听指标端口 {addr}"))?;
    println!("Prometheus 指标: http://{}/metrics", listener.local_addr()?);
    let router = axum::Router::new().route("/metrics", axum::routing::get(move || std::future::ready(handle.render())));
    tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, router).await {
            tracing::error!(error = %e, "metrics listener stopped");
        }
    });
    Ok(())
}
