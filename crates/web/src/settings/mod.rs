//! Dictionaries, numbering rules and the working calendar (SYS-7) — pages
//! and API. Settings are per company; a group-level user picks the company.

pub mod api;
pub mod pages;

use axum::{
    routing::{get, post},
    Router,
};

use crate::SharedState;

pub fn routes() -> Router<SharedState> {
    Router::new()
        .route("/system/dictionaries", get(pages::dictionaries))
        .route("/system/dictionaries/export", get(pages::dictionaries))
        .route("/system/dictionaries/new", get(pages::dict_new).post(pages::dict_create))
        .route("/system/dictionaries/{id}/edit", get(pages::dict_edit).post(pages::dict_update))
        .route("/system/numbering", get(pages::numbering))
        .route("/system/numbering/export", get(pages::numbering))
        .route("/system/numbering/{id}/edit", get(pages::rule_edit).post(pages::rule_update))
        .route("/system/calendar", get(pages::calendar).post(pages::calendar_update))
        .route("/system/calendar/holidays", post(pages::holiday_add))
        .route("/system/calendar/holidays/{id}/delete", post(pages::holiday_delete))
        .merge(api::routes())
}
