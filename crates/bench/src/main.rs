//! guanjia-bench: the HTTP load client of the benchmarks. It drives an
//! already running Guanjia server on 127.0.0.1 from its own process, one
//! operation after the other, and prints a Markdown table of the requests,
//! errors, throughput and latency percentiles of each (see bench/README.md).

mod cli;
mod export;
mod http;
mod ops;
mod report;
mod rss;
mod runner;
mod setup;

use std::{io::Write, process::ExitCode};

use anyhow::Context as _;
use clap::Parser;

use crate::{
    cli::Args,
    http::Api,
    ops::Context,
    report::{Report, Row},
    rss::{mb, Sampler},
};

// One thread: the client shares the machine's cores with the server it
// measures, and a single thread keeps it from taking more than one.
#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    match bench(Args::parse()).await {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(e) => {
            eprintln!("guanjia-bench: {e:#}");
            ExitCode::from(2)
        }
    }
}

/// Runs the selected operations; `Ok(false)` when one failed requests or
/// could not run (the table is printed all the same).
async fn bench(args: Args) -> anyhow::Result<bool> {
    args.check()?;
    let base = args.base_url()?;
    let selected = args.selected()?;
    let sampler = args.pid.map(Sampler::start).transpose()?;
    let api = Api::login(&base, &args.user, &args.password).await?;
    let projects = setup::projects(&api).await.context("listing projects")?;
    let project = setup::project_by_code(&projects, &args.project_code)?;
    let cx = Context { args, base, api, project };
    let mut rows = Vec::new();
    for name in selected {
        eprint!("{name} … ");
        let _ = std::io::stderr().flush();
        if let Some(s) = &sampler {
            s.begin_window();
        }
        let row = match ops::run_operation(name, &cx).await {
            Ok(done) => Row::of(name, done, sampler.as_ref().map(Sampler::window_peak_kb)),
            Err(e) => Row::skipped(name, format!("{e:#}")),
        };
        match &row.skipped {
            Some(why) => eprintln!("skipped: {why}"),
            None => eprintln!("{} requests, {} errors, {:.1} req/s", row.requests, row.errors, row.throughput),
        }
        rows.push(row);
    }
    let report = Report {
        url: cx.base.to_string(),
        user: cx.args.user.clone(),
        clients: cx.args.clients,
        create_clients: cx.args.create_clients,
        duration_s: cx.args.duration.as_secs_f64(),
        max_requests: cx.args.max_requests,
        rows,
        rss_peak_mb: sampler.as_ref().map(|s| mb(s.peak_kb())),
        rss_final_mb: sampler.as_ref().map(|s| mb(s.sample())),
    };
    print!("{}", report.markdown());
    if let Some(path) = &cx.args.json {
        std::fs::write(path, serde_json::to_string_pretty(&report)?).with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(report.clean())
}
