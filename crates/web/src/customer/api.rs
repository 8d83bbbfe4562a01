//! JSON API of customers and rename orders.

use app::{
    customer::{
        record::{self, CustomerFilter, CustomerInput, CustomerView, HeldRoom},
        rename::{self, RenameInput, RenameView},
    },
    PageRequest,
};
use axum::{
    extract::{Path, Query, State},
    http::StatusCode,
    routing::{get, post},
    Json, Router,
};
use chrono::NaiveDate;
use serde::Deserialize;

use crate::{
    api::{ApiResult, ListBody, VersionBody, Versioned},
    auth::ApiAuth,
    error::ApiError,
    SharedState,
};

pub fn routes() -> Router<SharedState> {
    Router::new()
        .route("/api/v1/customers", get(list).post(create))
        .route("/api/v1/customers/{id}", get(get_one).put(update).delete(delete))
        .route("/api/v1/customers/{id}/rooms", get(rooms))
        .route("/api/v1/customers/{id}/enable", post(enable))
        .route("/api/v1/customers/{id}/disable", post(disable))
        .route("/api/v1/customers/{id}/rename-orders", post(request_rename))
        .route("/api/v1/rename-orders", get(list_renames))
        .route("/api/v1/rename-orders/{id}/approve", post(approve))
        .route("/api/v1/rename-orders/{id}/reject", post(reject))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct CustomerParams {
    /// person | company
    kind: Option<String>,
    /// owner | tenant | resident (current holders)
    role: Option<String>,
    project_id: Option<i32>,
    building_id: Option<i32>,
    /// `1` enabled, `0` disabled; default enabled unless `q` is given.
    enabled: Option<String>,
    tag: Option<String>,
    moved_in_from: Option<NaiveDate>,
    moved_in_to: Option<NaiveDate>,
}

/// Search by any part of the name, room code, phone (last four digits
/// included) or ID number with `q`, plus filters.
#[utoipa::path(get, path = "/api/v1/customers", tag = "客户", params(CustomerParams), responses((status = 200, body = ListBody<CustomerView>)))]
pub async fn list(
    State(st): State<SharedState>,
    ApiAuth(c): ApiAuth,
    Query(req): Query<PageRequest>,
    Query(p): Query<CustomerParams>,
) -> ApiResult<ListBody<CustomerView>> {
    let f = CustomerFilter {
        kind: p.kind,
        role: p.role,
        project_id: p.project_id,
        building_id: p.building_id,
        enabled: p.enabled,
        tag: p.tag,
        moved_in_from: p.moved_in_from,
        moved_in_to: p.moved_in_to,
    };
    Ok(Json(record::list(&st.db, &c, &req, &f).await?.into()))
}

#[utoipa::path(post, path = "/api/v1/customers", tag = "客户", request_body = CustomerInput, responses((status = 200, body = CustomerView), (status = 422)))]
pub async fn create(State(st): State<SharedState>, ApiAuth(c): ApiAuth, Json(b): Json<CustomerInput>) -> ApiResult<CustomerView> {
    Ok(Json(record::create(&st.db, &c, &b).await?))
}

#[utoipa::path(get, path = "/api/v1/customers/{id}", tag = "客户", responses((status = 200, body = CustomerView), (status = 404)))]
pub async fn get_one(State(st): State<SharedState>, ApiAuth(c): ApiAuth, Path(id): Path<i32>) -> ApiResult<CustomerView> {
    Ok(Json(record::get(&st.db, &c, id).await?))
}

/// Updates the record; the name changes only through a rename order.
#[utoipa::path(put, path = "/api/v1/customers/{id}", tag = "客户", request_body = CustomerInput, responses((status = 200, body = CustomerView), (status = 404), (status = 409), (status = 422)))]
pub async fn update(
    State(st): State<SharedState>,
    ApiAuth(c): ApiAuth,
    Path(id): Path<i32>,
    Json(b): Json<Versioned<CustomerInput>>,
) -> ApiResult<CustomerView> {
    Ok(Json(record::update(&st.db, &c, id, b.version, &b.data).await?))
}

/// Deletes a customer without history; one with history answers 409.
#[utoipa::path(delete, path = "/api/v1/customers/{id}", tag = "客户", request_body = VersionBody, responses((status = 204), (status = 404), (status = 409)))]
pub async fn delete(
    State(st): State<SharedState>,
    ApiAuth(c): ApiAuth,
    Path(id): Path<i32>,
    Json(b): Json<VersionBody>,
) -> Result<StatusCode, ApiError> {
    record::delete(&st.db, &c, id, b.version).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Every room the customer holds or held, newest first.
#[utoipa::path(get, path = "/api/v1/customers/{id}/rooms", tag = "客户", responses((status = 200, body = [HeldRoom]), (status = 404)))]
pub async fn rooms(State(st): State<SharedState>, ApiAuth(c): ApiAuth, Path(id): Path<i32>) -> ApiResult<Vec<HeldRoom>> {
    Ok(Json(record::room_history(&st.db, &c, id).await?))
}

#[utoipa::path(post, path = "/api/v1/customers/{id}/enable", tag = "客户", request_body = VersionBody, responses((status = 200, body = CustomerView)))]
pub async fn enable(
    State(st): State<SharedState>,
    ApiAuth(c): ApiAuth,
    Path(id): Path<i32>,
    Json(b): Json<VersionBody>,
) -> ApiResult<CustomerView> {
    Ok(Json(record::set_enabled(&st.db, &c, id, b.version, true).await?))
}

#[utoipa::path(post, path = "/api/v1/customers/{id}/disable", tag = "客户", request_body = VersionBody, responses((status = 200, body = CustomerView)))]
pub async fn disable(
    State(st): State<SharedState>,
    ApiAuth(c): ApiAuth,
    Path(id): Path<i32>,
    Json(b): Json<VersionBody>,
) -> ApiResult<CustomerView> {
    Ok(Json(record::set_enabled(&st.db, &c, id, b.version, false).await?))
}

#[utoipa::path(post, path = "/api/v1/customers/{id}/rename-orders", tag = "客户", request_body = RenameInput, responses((status = 200, body = RenameView), (status = 422)))]
pub async fn request_rename(
    State(st): State<SharedState>,
    ApiAuth(c): ApiAuth,
    Path(id): Path<i32>,
    Json(b): Json<RenameInput>,
) -> ApiResult<RenameView> {
    Ok(Json(rename::request(&st.db, &c, id, &b).await?))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct RenameParams {
    /// pending | approved | rejected
    status: Option<String>,
    customer_id: Option<i32>,
}

#[utoipa::path(get, path = "/api/v1/rename-orders", tag = "客户", params(RenameParams), responses((status = 200, body = ListBody<RenameView>)))]
pub async fn list_renames(
    State(st): State<SharedState>,
    ApiAuth(c): ApiAuth,
    Query(req): Query<PageRequest>,
    Query(p): Query<RenameParams>,
) -> ApiResult<ListBody<RenameView>> {
    Ok(Json(rename::list(&st.db, &c, &req, p.status.as_deref(), p.customer_id).await?.into()))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct DecisionBody {
    version: i32,
    #[serde(default)]
    note: String,
}

#[utoipa::path(post, path = "/api/v1/rename-orders/{id}/approve", tag = "客户", request_body = DecisionBody, responses((status = 200, body = RenameView), (status = 409)))]
pub async fn approve(
    State(st): State<SharedState>,
    ApiAuth(c): ApiAuth,
    Path(id): Path<i32>,
    Json(b): Json<DecisionBody>,
) -> ApiResult<RenameView> {
    Ok(Json(rename::decide(&st.db, &c, id, b.version, true, &b.note).await?))
}

#[utoipa::path(post, path = "/api/v1/rename-orders/{id}/reject", tag = "客户", request_body = DecisionBody, responses((status = 200, body = RenameView), (status = 409)))]
pub async fn reject(
    State(st): State<SharedState>,
    ApiAuth(c): ApiAuth,
    Path(id): Path<i32>,
    Json(b): Json<DecisionBody>,
) -> ApiResult<RenameView> {
    Ok(Json(rename::decide(&st.db, &c, id, b.version, false, &b.note).await?))
}
