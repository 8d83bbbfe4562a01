//! JSON API of the audit logs (read-only).

use app::{
    audit::{self, AuditFilter, AuditRow, LoginFilter, LoginRow},
    PageRequest,
};
use axum::{
    extract::{Path, Query, State},
    routing::get,
    Json, Router,
};
use serde::Deserialize;

use super::utc_range;
use crate::{
    api::{ApiResult, ListBody},
    auth::ApiAuth,
    SharedState,
};

pub fn routes() -> Router<SharedState> {
    Router::new()
        .route("/api/v1/audit-logs", get(list_audit))
        .route("/api/v1/audit-logs/{id}", get(get_audit))
        .route("/api/v1/login-logs", get(list_logins))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct AuditParams {
    /// Part of the operator's name.
    user: Option<String>,
    entity: Option<String>,
    entity_id: Option<String>,
    action: Option<String>,
    /// Local date `YYYY-MM-DD`, inclusive.
    from: Option<String>,
    /// Local date `YYYY-MM-DD`, inclusive.
    to: Option<String>,
    /// Login log only: `1` successes, `0` failures.
    success: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/audit-logs", tag = "审计", params(AuditParams), responses((status = 200, body = Object)))]
pub async fn list_audit(
    State(st): State<SharedState>,
    ApiAuth(c): ApiAuth,
    Query(req): Query<PageRequest>,
    Query(p): Query<AuditParams>,
) -> ApiResult<ListBody<AuditRow>> {
    let (from, to) = utc_range(st.tz, p.from.as_deref(), p.to.as_deref());
    let f = AuditFilter { user: p.user, entity: p.entity, entity_id: p.entity_id, action: p.action, from, to };
    Ok(Json(audit::list_audit(&st.db, &c, &req, &f).await?.into()))
}

#[utoipa::path(get, path = "/api/v1/audit-logs/{id}", tag = "审计", responses((status = 200, body = Object), (status = 404)))]
pub async fn get_audit(State(st): State<SharedState>, ApiAuth(c): ApiAuth, Path(id): Path<i32>) -> ApiResult<AuditRow> {
    Ok(Json(audit::get_audit(&st.db, &c, id).await?))
}

#[utoipa::path(get, path = "/api/v1/login-logs", tag = "审计", params(AuditParams), responses((status = 200, body = Object)))]
pub async fn list_logins(
    State(st): State<SharedState>,
    ApiAuth(c): ApiAuth,
    Query(req): Query<PageRequest>,
    Query(p): Query<AuditParams>,
) -> ApiResult<ListBody<LoginRow>> {
    let (from, to) = utc_range(st.tz, p.from.as_deref(), p.to.as_deref());
    let f = LoginFilter { success: p.success, from, to };
    Ok(Json(audit::list_logins(&st.db, &c, &req, &f).await?.into()))
}
