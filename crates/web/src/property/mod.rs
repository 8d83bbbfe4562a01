//! Property records — projects for now (the unit of data scope); buildings
//! and rooms join with the property issue.

pub mod api;
mod pages;

use axum::{routing::get, Router};

use crate::SharedState;

pub fn routes() -> Router<SharedState> {
    Router::new()
        .route("/property/projects", get(pages::list))
        .route("/property/projects/export", get(pages::list))
        .route("/property/projects/new", get(pages::new_form).post(pages::create))
        .route("/property/projects/{id}/edit", get(pages::edit_form).post(pages::update))
        .merge(api::routes())
}
