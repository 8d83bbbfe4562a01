//! Occupancy — the room page, handover, move-in, move-out, the
//! room–customer table and lease reminders — pages and API.

pub mod api;
mod pages;

use axum::{routing::get, Router};

use crate::SharedState;

pub fn routes() -> Router<SharedState> {
    Router::new()
        .route("/property/rooms/{id}", get(pages::room_page))
        .route("/occupancy/handover/new", get(pages::handover_form).post(pages::handover_submit))
        .route("/occupancy/move-in/new", get(pages::move_in_form).post(pages::move_in_submit))
        .route("/occupancy/{id}/move-out", get(pages::move_out_form).post(pages::move_out_submit))
        .route("/occupancy/rooms", get(pages::room_customers))
        .route("/occupancy/rooms/export", get(pages::room_customers))
        .route("/occupancy/leases", get(pages::leases))
        .merge(api::routes())
}
