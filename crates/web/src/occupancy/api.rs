//! JSON API of occupancy: handover, move-in, move-out, room occupancy,
//! the room–customer table and expiring leases.

use app::{
    entity::handover,
    occupancy::{self, HandoverInput, HolderView, LeaseDue, MoveInInput, MoveOutInput, RoomCustomerFilter, RoomCustomers, RoomOccupancy},
    PageRequest,
};
use axum::{
    extract::{Path, Query, State},
    routing::{get, post},
    Json, Router,
};
use serde::{Deserialize, Serialize};

use crate::{
    api::{ApiResult, ListBody},
    auth::ApiAuth,
    SharedState,
};

pub fn routes() -> Router<SharedState> {
    Router::new()
        .route("/api/v1/rooms/{id}/occupancy", get(room_occupancy))
        .route("/api/v1/handovers", post(create_handover))
        .route("/api/v1/occupancies", post(move_in))
        .route("/api/v1/occupancies/{id}/move-out", post(move_out))
        .route("/api/v1/room-customers", get(room_customers))
        .route("/api/v1/leases/expiring", get(leases))
}

/// Current holders, history and billing party of a room.
#[utoipa::path(get, path = "/api/v1/rooms/{id}/occupancy", tag = "入住", responses((status = 200, body = RoomOccupancy), (status = 404)))]
pub async fn room_occupancy(State(st): State<SharedState>, ApiAuth(c): ApiAuth, Path(id): Path<i32>) -> ApiResult<RoomOccupancy> {
    Ok(Json(occupancy::of_room(&st.db, &c, id).await?))
}

/// Handover (入伙): the owner takes the room; earlier occupants move out.
#[utoipa::path(post, path = "/api/v1/handovers", tag = "入住", request_body = HandoverInput, responses((status = 200, body = Object), (status = 422)))]
pub async fn create_handover(
    State(st): State<SharedState>,
    ApiAuth(c): ApiAuth,
    Json(b): Json<HandoverInput>,
) -> ApiResult<handover::Model> {
    Ok(Json(occupancy::handover(&st.db, &c, &b).await?))
}

/// Move-in as owner, tenant or resident; replaces the holder of that role.
#[utoipa::path(post, path = "/api/v1/occupancies", tag = "入住", request_body = MoveInInput, responses((status = 200, body = HolderView), (status = 422)))]
pub async fn move_in(State(st): State<SharedState>, ApiAuth(c): ApiAuth, Json(b): Json<MoveInInput>) -> ApiResult<HolderView> {
    Ok(Json(occupancy::move_in(&st.db, &c, &b).await?))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct MoveOutBody {
    version: i32,
    #[serde(flatten)]
    data: MoveOutInput,
}

#[utoipa::path(post, path = "/api/v1/occupancies/{id}/move-out", tag = "入住", request_body = MoveOutBody, responses((status = 200, body = HolderView), (status = 404), (status = 409), (status = 422)))]
pub async fn move_out(
    State(st): State<SharedState>,
    ApiAuth(c): ApiAuth,
    Path(id): Path<i32>,
    Json(b): Json<MoveOutBody>,
) -> ApiResult<HolderView> {
    Ok(Json(occupancy::move_out(&st.db, &c, id, b.version, &b.data).await?))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct TableParams {
    project_id: Option<i32>,
    building_id: Option<i32>,
}

/// Every room with owner, tenant, resident and billing party (OCC-6).
#[utoipa::path(get, path = "/api/v1/room-customers", tag = "入住", params(TableParams), responses((status = 200, body = ListBody<RoomCustomers>)))]
pub async fn room_customers(
    State(st): State<SharedState>,
    ApiAuth(c): ApiAuth,
    Query(req): Query<PageRequest>,
    Query(p): Query<TableParams>,
) -> ApiResult<ListBody<RoomCustomers>> {
    let f = RoomCustomerFilter { project_id: p.project_id, building_id: p.building_id };
    Ok(Json(occupancy::room_customers(&st.db, &c, &req, &f).await?.into()))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct LeaseParams {
    /// Days ahead (default 30).
    days: Option<i64>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct LeaseList {
    days: i64,
    items: Vec<LeaseDue>,
}

/// Tenants whose lease ends within `days` (OCC-7).
#[utoipa::path(get, path = "/api/v1/leases/expiring", tag = "入住", params(LeaseParams), responses((status = 200, body = LeaseList)))]
pub async fn leases(State(st): State<SharedState>, ApiAuth(c): ApiAuth, Query(p): Query<LeaseParams>) -> ApiResult<LeaseList> {
    let days = p.days.unwrap_or(30).clamp(1, 366);
    Ok(Json(LeaseList { days, items: occupancy::leases_ending(&st.db, &c, days, 1000).await? }))
}
