//! Property records — projects, buildings, rooms, batch room generation.

pub mod api;
mod buildings;
mod projects;
mod rooms;

use axum::{routing::get, Router};

use crate::SharedState;

pub fn routes() -> Router<SharedState> {
    Router::new()
        .route("/property/projects", get(projects::list))
        .route("/property/projects/export", get(projects::list))
        .route("/property/projects/new", get(projects::new_form).post(projects::create))
        .route("/property/projects/{id}", get(buildings::project_page))
        .route("/property/projects/{id}/edit", get(projects::edit_form).post(projects::update))
        .route("/property/buildings/new", get(buildings::new_form).post(buildings::create))
        .route("/property/buildings/{id}/edit", get(buildings::edit_form).post(buildings::update))
        .route("/property/buildings/{id}/generate", get(buildings::generate_form).post(buildings::generate_submit))
        .route("/property/rooms", get(rooms::list))
        .route("/property/rooms/export", get(rooms::list))
        .route("/property/rooms/new", get(rooms::new_form).post(rooms::create))
        .route("/property/rooms/{id}/edit", get(rooms::edit_form).post(rooms::update))
        .merge(api::routes())
}
