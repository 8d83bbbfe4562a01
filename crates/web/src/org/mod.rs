//! Org tree, users, roles, login and the personal center — pages and API.

mod account;
pub mod api;
mod roles;
mod units;
mod users;

use axum::{
    routing::{get, post},
    Router,
};

use crate::SharedState;

pub fn routes() -> Router<SharedState> {
    Router::new()
        .route("/login", get(account::login_page).post(account::login_submit))
        .route("/logout", post(account::logout))
        .route("/me", get(account::me))
        .route("/me/password", get(account::password_page).post(account::password_submit))
        .route("/me/tokens", post(account::token_issue))
        .route("/me/tokens/{id}/revoke", post(account::token_revoke))
        .route("/system/org", get(units::list))
        .route("/system/org/export", get(units::list))
        .route("/system/org/new", get(units::new_form).post(units::create))
        .route("/system/org/{id}/edit", get(units::edit_form).post(units::update))
        .route("/system/org/{id}/move", get(units::move_form).post(units::move_submit))
        .route("/system/org/{id}/enable", post(units::enable))
        .route("/system/org/{id}/disable", post(units::disable))
        .route("/system/org/{id}/delete", post(units::delete))
        .route("/system/users", get(users::list))
        .route("/system/users/export", get(users::list))
        .route("/system/users/new", get(users::new_form).post(users::create))
        .route("/system/users/{id}/edit", get(users::edit_form).post(users::update))
        .route("/system/users/{id}/password", get(users::reset_form).post(users::reset_submit))
        .route("/system/users/{id}/unlock", post(users::unlock))
        .route("/system/users/{id}/enable", post(users::enable))
        .route("/system/users/{id}/disable", post(users::disable))
        .route("/system/roles", get(roles::list))
        .route("/system/roles/export", get(roles::list))
        .route("/system/roles/new", get(roles::new_form).post(roles::create))
        .route("/system/roles/{id}/edit", get(roles::edit_form).post(roles::update))
        .route("/system/roles/{id}/enable", post(roles::enable))
        .route("/system/roles/{id}/disable", post(roles::disable))
        .merge(api::routes())
}
