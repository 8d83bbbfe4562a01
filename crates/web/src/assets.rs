//! Static files embedded in the binary: no CDN, works on an intranet.

use axum::{
    extract::Path,
    http::{header, StatusCode},
    response::{IntoResponse, Response},
    routing::get,
    Router,
};

use crate::SharedState;

const FILES: &[(&str, &str, &[u8])] = &[
    ("app.css", "text/css; charset=utf-8", include_bytes!("../assets/app.css")),
    ("app.js", "text/javascript; charset=utf-8", include_bytes!("../assets/app.js")),
    ("vendor/htmx.min.js", "text/javascript; charset=utf-8", include_bytes!("../assets/vendor/htmx.min.js")),
    ("vendor/swagger-ui-bundle.js", "text/javascript; charset=utf-8", include_bytes!("../assets/vendor/swagger-ui-bundle.js")),
    ("vendor/swagger-ui.css", "text/css; charset=utf-8", include_bytes!("../assets/vendor/swagger-ui.css")),
];

async fn asset(Path(path): Path<String>) -> Response {
    match FILES.iter().find(|(name, _, _)| *name == path) {
        Some((_, mime, body)) => ([(header::CONTENT_TYPE, *mime), (header::CACHE_CONTROL, "public, max-age=3600")], *body).into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

pub fn routes() -> Router<SharedState> {
    Router::new().route("/assets/{*path}", get(asset))
}
