//! JSON API of work orders.

use app::{
    workorder::{self, lookup::Candidate, ActInput, WorkOrderFilter, WorkOrderInput, WorkOrderView},
    PageRequest,
};
use axum::{
    extract::{Path, Query, State},
    routing::{get, post},
    Json, Router,
};
use serde::Deserialize;

use crate::{
    api::{ApiResult, ListBody},
    auth::ApiAuth,
    SharedState,
};

pub fn routes() -> Router<SharedState> {
    Router::new()
        .route("/api/v1/work-orders", get(list).post(create))
        .route("/api/v1/work-orders/lookup", get(lookup))
        .route("/api/v1/work-orders/{id}", get(get_one))
        .route("/api/v1/work-orders/{id}/actions", post(act))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct Params {
    /// A state code, e.g. pending_dispatch, in_progress.
    state: Option<String>,
    project_id: Option<i32>,
    customer_id: Option<i32>,
    /// `true`: only orders assigned to the caller.
    #[serde(default)]
    mine: bool,
    /// `true`: only open orders with a clock run out.
    #[serde(default)]
    overdue: bool,
}

#[utoipa::path(get, path = "/api/v1/work-orders", tag = "工单", params(Params), responses((status = 200, body = ListBody<WorkOrderView>)))]
pub async fn list(
    State(st): State<SharedState>,
    ApiAuth(c): ApiAuth,
    Query(req): Query<PageRequest>,
    Query(p): Query<Params>,
) -> ApiResult<ListBody<WorkOrderView>> {
    let f = WorkOrderFilter { state: p.state, project_id: p.project_id, mine: p.mine, customer_id: p.customer_id, overdue: p.overdue };
    Ok(Json(workorder::list(&st.db, &c, &req, &f).await?.into()))
}

/// Creates an order: numbered, with SLA due times, on the timeline.
#[utoipa::path(post, path = "/api/v1/work-orders", tag = "工单", request_body = WorkOrderInput, responses((status = 200, body = WorkOrderView), (status = 422)))]
pub async fn create(State(st): State<SharedState>, ApiAuth(c): ApiAuth, Json(b): Json<WorkOrderInput>) -> ApiResult<WorkOrderView> {
    Ok(Json(workorder::create(&st.db, &c, st.tz, &b).await?))
}

#[utoipa::path(get, path = "/api/v1/work-orders/{id}", tag = "工单", responses((status = 200, body = WorkOrderView), (status = 404)))]
pub async fn get_one(State(st): State<SharedState>, ApiAuth(c): ApiAuth, Path(id): Path<i32>) -> ApiResult<WorkOrderView> {
    Ok(Json(workorder::get(&st.db, &c, id).await?))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct ActBody {
    version: i32,
    #[serde(flatten)]
    data: ActInput,
}

/// Dispatch, start, complete, void… — 409 for an illegal step or a stale version.
#[utoipa::path(post, path = "/api/v1/work-orders/{id}/actions", tag = "工单", request_body = ActBody, responses((status = 200, body = WorkOrderView), (status = 404), (status = 409), (status = 422)))]
pub async fn act(
    State(st): State<SharedState>,
    ApiAuth(c): ApiAuth,
    Path(id): Path<i32>,
    Json(b): Json<ActBody>,
) -> ApiResult<WorkOrderView> {
    Ok(Json(workorder::act(&st.db, &c, st.tz, id, b.version, &b.data).await?))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct LookupParams {
    /// A room code, a name, the last digits of a phone or an ID number.
    #[serde(default)]
    q: String,
}

/// The caller picker of the new-order form: rooms with their current customers.
#[utoipa::path(get, path = "/api/v1/work-orders/lookup", tag = "工单", params(LookupParams), responses((status = 200, body = ListBody<Candidate>)))]
pub async fn lookup(State(st): State<SharedState>, ApiAuth(c): ApiAuth, Query(p): Query<LookupParams>) -> ApiResult<ListBody<Candidate>> {
    let items = workorder::lookup::lookup(&st.db, &c, &p.q, 10).await?;
    Ok(Json(ListBody { total: items.len() as u64, items }))
}
