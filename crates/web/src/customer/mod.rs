//! Customers — list with search, the record form, the 360 page, rename
//! orders — pages and API.

pub mod api;
mod pages;

use axum::{
    routing::{get, post},
    Router,
};

use crate::SharedState;

pub fn routes() -> Router<SharedState> {
    Router::new()
        .route("/customers", get(pages::list))
        .route("/customers/export", get(pages::list))
        .route("/customers/new", get(pages::new_form).post(pages::create))
        .route("/customers/renames", get(pages::renames))
        .route("/customers/renames/{id}/approve", post(pages::approve))
        .route("/customers/renames/{id}/reject", post(pages::reject))
        .route("/customers/{id}", get(pages::show))
        .route("/customers/{id}/edit", get(pages::edit_form).post(pages::update))
        .route("/customers/{id}/enable", post(pages::enable))
        .route("/customers/{id}/disable", post(pages::disable))
        .route("/customers/{id}/delete", post(pages::delete))
        .route("/customers/{id}/rename", get(pages::rename_form).post(pages::rename_submit))
        .merge(api::routes())
}
