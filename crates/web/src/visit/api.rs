//! JSON API of return visits.

use app::{
    visit::{self, CareVisitInput, QueueFilter, QueueItem, VisitFilter, VisitInput, VisitView},
    AppError, PageRequest,
};
use axum::{
    extract::{Path, Query, State},
    routing::get,
    Json, Router,
};
use domain::FieldErrors;
use serde::Deserialize;

use crate::{
    api::{ApiResult, ListBody},
    auth::ApiAuth,
    SharedState,
};

pub fn routes() -> Router<SharedState> {
    Router::new()
        .route("/api/v1/return-visits", get(list).post(create))
        .route("/api/v1/return-visits/queue", get(queue))
        .route("/api/v1/return-visits/{id}", get(get_one))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct Params {
    /// `order` or `care`.
    kind: Option<String>,
    /// A satisfaction code, e.g. `dissatisfied`.
    satisfaction: Option<String>,
    /// `none`, `reopen` or `complaint`.
    follow_up: Option<String>,
    project_id: Option<i32>,
    customer_id: Option<i32>,
    work_order_id: Option<i32>,
    /// Visited on or after this day, `2026-12-01`.
    from: Option<String>,
    /// Visited on or before this day.
    to: Option<String>,
}

/// Visit records in the caller's offices, newest first; `q` searches the
/// comments and the customer's name.
#[utoipa::path(get, path = "/api/v1/return-visits", tag = "回访", params(Params), responses((status = 200, body = ListBody<VisitView>), (status = 422)))]
pub async fn list(
    State(st): State<SharedState>,
    ApiAuth(c): ApiAuth,
    Query(req): Query<PageRequest>,
    Query(p): Query<Params>,
) -> ApiResult<ListBody<VisitView>> {
    let mut errors = FieldErrors::new();
    let from = errors.date("from", "开始日期", p.from.as_deref().unwrap_or_default());
    let to = errors.date("to", "结束日期", p.to.as_deref().unwrap_or_default());
    errors.into_result().map_err(AppError::from)?;
    let f = VisitFilter {
        kind: p.kind,
        satisfaction: p.satisfaction,
        follow_up: p.follow_up,
        project_id: p.project_id,
        customer_id: p.customer_id,
        work_order_id: p.work_order_id,
        from,
        to,
    };
    Ok(Json(visit::list(&st.db, &c, st.tz, &req, &f).await?.into()))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct QueueParams {
    project_id: Option<i32>,
}

/// Accepted work orders waiting for their return visit, oldest acceptance first.
#[utoipa::path(get, path = "/api/v1/return-visits/queue", tag = "回访", params(QueueParams), responses((status = 200, body = ListBody<QueueItem>)))]
pub async fn queue(
    State(st): State<SharedState>,
    ApiAuth(c): ApiAuth,
    Query(req): Query<PageRequest>,
    Query(p): Query<QueueParams>,
) -> ApiResult<ListBody<QueueItem>> {
    Ok(Json(visit::queue(&st.db, &c, &req, &QueueFilter { project_id: p.project_id }).await?.into()))
}

#[utoipa::path(get, path = "/api/v1/return-visits/{id}", tag = "回访", responses((status = 200, body = VisitView), (status = 404)))]
pub async fn get_one(State(st): State<SharedState>, ApiAuth(c): ApiAuth, Path(id): Path<i32>) -> ApiResult<VisitView> {
    Ok(Json(visit::get(&st.db, &c, id).await?))
}

/// A visit: `work_order_id` + `version` for the visit of an accepted order,
/// or `customer_id` (or `customer_code`) for a care visit.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct VisitBody {
    #[serde(default)]
    work_order_id: Option<i32>,
    /// The order's version as last read (a stale one answers 409).
    #[serde(default)]
    version: Option<i32>,
    #[serde(default)]
    customer_id: Option<i32>,
    #[serde(default)]
    customer_code: String,
    #[serde(flatten)]
    visit: VisitInput,
}

/// Records a visit. An order visit moves the order to 已回访 (and back to
/// 处理中 on `follow_up: reopen`); `follow_up: complaint` requests a
/// complaint. 404 outside scope, 409 when the order is not 已验收 or the
/// version is stale, 422 with the fields to fix.
#[utoipa::path(post, path = "/api/v1/return-visits", tag = "回访", request_body = VisitBody, responses((status = 200, body = VisitView), (status = 404), (status = 409), (status = 422)))]
pub async fn create(State(st): State<SharedState>, ApiAuth(c): ApiAuth, Json(b): Json<VisitBody>) -> ApiResult<VisitView> {
    let v = match b.work_order_id {
        Some(id) => {
            let version = b.version.ok_or_else(|| AppError::field("version", "请提供工单的版本号"))?;
            visit::record_order_visit(&st.db, &c, st.tz, id, version, &b.visit).await?
        }
        None => {
            let input = CareVisitInput { customer_id: b.customer_id, customer_code: b.customer_code, visit: b.visit };
            visit::record_care_visit(&st.db, &c, &input).await?
        }
    };
    Ok(Json(v))
}
