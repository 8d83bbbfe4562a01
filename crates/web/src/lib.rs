//! HTTP for Guanjia: server-rendered pages (askama + htmx) and the JSON API
//! (`/api/v1`, OpenAPI), over the use cases of `app`.

mod api;
mod assets;
mod auth;
mod error;
mod form;
mod openapi;
mod shell;
mod view;

mod audit;
mod customer;
mod import;
mod messaging;
mod occupancy;
mod org;
mod property;
mod report;
mod settings;
mod visit;
mod workorder;

use std::sync::Arc;

use axum::{middleware, routing::get, Router};

pub use error::ApiError;

/// Shared state of every handler.
#[derive(Clone)]
pub struct AppState {
    pub db: app::Db,
    /// The company's display time zone (default Asia/Shanghai).
    pub tz: chrono_tz::Tz,
    /// Whether cookies get the `Secure` flag (behind HTTPS).
    pub secure_cookies: bool,
    /// Where uploaded files (work-order photos) are kept.
    pub blobs: Arc<dyn app::storage::BlobStore>,
}

pub type SharedState = Arc<AppState>;

/// The whole application router: pages, API, assets and health.
pub fn router(state: AppState) -> Router {
    app::clock::set_zone(state.tz);
    let state = Arc::new(state);
    Router::new()
        .merge(org::routes())
        .merge(settings::routes())
        .merge(audit::routes())
        .merge(messaging::routes())
        .merge(property::routes())
        .merge(customer::routes())
        .merge(occupancy::routes())
        .merge(import::routes())
        .merge(workorder::routes())
        .merge(visit::routes())
        .merge(report::routes())
        .merge(openapi::routes())
        .layer(middleware::from_fn_with_state(state.clone(), auth::authenticate))
        .merge(assets::routes())
        .route("/healthz", get(|| async { "ok" }))
        .layer(middleware::from_fn(metrics_layer))
        .with_state(state)
}

/// Counts requests and their latency for the Prometheus listener.
async fn metrics_layer(req: axum::extract::Request, next: middleware::Next) -> axum::response::Response {
    let start = std::time::Instant::now();
    let method = req.method().to_string();
    let res = next.run(req).await;
    let status = res.status().as_u16().to_string();
    metrics::counter!("http_requests_total", "method" => method, "status" => status).increment(1);
    metrics::histogram!("http_request_duration_seconds").record(start.elapsed().as_secs_f64());
    res
}
