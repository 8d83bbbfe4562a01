//! JSON API of projects.

use app::{
    property::{
        building::{self, Building, BuildingInput, BuildingView},
        project::{self, Project, ProjectFilter, ProjectInput},
        room::{self, BatchInput, BatchPlan, Room, RoomFilter, RoomInput, RoomView},
    },
    PageRequest,
};
use axum::{
    extract::{Path, Query, State},
    routing::get,
    Json, Router,
};
use serde::{Deserialize, Serialize};

use crate::{
    api::{ApiResult, ListBody, Versioned},
    auth::ApiAuth,
    SharedState,
};

pub fn routes() -> Router<SharedState> {
    Router::new()
        .route("/api/v1/projects", get(list).post(create))
        .route("/api/v1/projects/{id}", get(get_one).put(update))
        .merge(building_routes())
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct ProjectParams {
    /// Management office id.
    org_unit_id: Option<i32>,
}

#[utoipa::path(get, path = "/api/v1/projects", tag = "房产", params(ProjectParams), responses((status = 200, body = Object)))]
pub async fn list(
    State(st): State<SharedState>,
    ApiAuth(c): ApiAuth,
    Query(req): Query<PageRequest>,
    Query(p): Query<ProjectParams>,
) -> ApiResult<ListBody<Project>> {
    Ok(Json(project::list(&st.db, &c, &req, &ProjectFilter { org_unit_id: p.org_unit_id }).await?.into()))
}

#[utoipa::path(post, path = "/api/v1/projects", tag = "房产", request_body = ProjectInput, responses((status = 200, body = Object), (status = 422)))]
pub async fn create(State(st): State<SharedState>, ApiAuth(c): ApiAuth, Json(b): Json<ProjectInput>) -> ApiResult<Project> {
    Ok(Json(project::create(&st.db, &c, &b).await?))
}

#[utoipa::path(get, path = "/api/v1/projects/{id}", tag = "房产", responses((status = 200, body = Object), (status = 404)))]
pub async fn get_one(State(st): State<SharedState>, ApiAuth(c): ApiAuth, Path(id): Path<i32>) -> ApiResult<Project> {
    Ok(Json(project::get(&st.db.conn, &c, id).await?))
}

#[utoipa::path(put, path = "/api/v1/projects/{id}", tag = "房产", request_body = ProjectInput, responses((status = 200, body = Object), (status = 404), (status = 409), (status = 422)))]
pub async fn update(
    State(st): State<SharedState>,
    ApiAuth(c): ApiAuth,
    Path(id): Path<i32>,
    Json(b): Json<Versioned<ProjectInput>>,
) -> ApiResult<Project> {
    Ok(Json(project::update(&st.db, &c, id, b.version, &b.data).await?))
}

pub fn building_routes() -> Router<SharedState> {
    Router::new()
        .route("/api/v1/buildings", get(list_buildings).post(create_building))
        .route("/api/v1/buildings/{id}", get(get_building).put(update_building))
        .route("/api/v1/rooms", get(list_rooms).post(create_room))
        .route("/api/v1/rooms/batch/preview", axum::routing::post(preview_batch))
        .route("/api/v1/rooms/batch", axum::routing::post(commit_batch))
        .route("/api/v1/rooms/{id}", get(get_room).put(update_room))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct BuildingParams {
    project_id: i32,
}

#[utoipa::path(get, path = "/api/v1/buildings", tag = "房产", params(BuildingParams), responses((status = 200, body = [BuildingView]), (status = 404)))]
pub async fn list_buildings(
    State(st): State<SharedState>,
    ApiAuth(c): ApiAuth,
    Query(p): Query<BuildingParams>,
) -> ApiResult<ListBody<BuildingView>> {
    let items = building::list(&st.db, &c, p.project_id).await?;
    Ok(Json(ListBody::all(items)))
}

#[utoipa::path(post, path = "/api/v1/buildings", tag = "房产", request_body = BuildingInput, responses((status = 200, body = Object), (status = 422)))]
pub async fn create_building(State(st): State<SharedState>, ApiAuth(c): ApiAuth, Json(b): Json<BuildingInput>) -> ApiResult<Building> {
    Ok(Json(building::create(&st.db, &c, &b).await?))
}

#[utoipa::path(get, path = "/api/v1/buildings/{id}", tag = "房产", responses((status = 200, body = Object), (status = 404)))]
pub async fn get_building(State(st): State<SharedState>, ApiAuth(c): ApiAuth, Path(id): Path<i32>) -> ApiResult<Building> {
    c.require("property.view")?;
    Ok(Json(building::get(&st.db.conn, &c, id).await?))
}

#[utoipa::path(put, path = "/api/v1/buildings/{id}", tag = "房产", request_body = BuildingInput, responses((status = 200, body = Object), (status = 404), (status = 409), (status = 422)))]
pub async fn update_building(
    State(st): State<SharedState>,
    ApiAuth(c): ApiAuth,
    Path(id): Path<i32>,
    Json(b): Json<Versioned<BuildingInput>>,
) -> ApiResult<Building> {
    Ok(Json(building::update(&st.db, &c, id, b.version, &b.data).await?))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct RoomParams {
    project_id: Option<i32>,
    building_id: Option<i32>,
    /// unsold | vacant | occupied | renovating
    status: Option<String>,
    /// residential | shop | office | parking | storage
    room_type: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/rooms", tag = "房产", params(RoomParams), responses((status = 200, body = ListBody<RoomView>)))]
pub async fn list_rooms(
    State(st): State<SharedState>,
    ApiAuth(c): ApiAuth,
    Query(req): Query<PageRequest>,
    Query(p): Query<RoomParams>,
) -> ApiResult<ListBody<RoomView>> {
    let f = RoomFilter { project_id: p.project_id, building_id: p.building_id, status: p.status, room_type: p.room_type };
    Ok(Json(room::list(&st.db, &c, &req, &f).await?.into()))
}

#[utoipa::path(post, path = "/api/v1/rooms", tag = "房产", request_body = RoomInput, responses((status = 200, body = Object), (status = 422)))]
pub async fn create_room(State(st): State<SharedState>, ApiAuth(c): ApiAuth, Json(b): Json<RoomInput>) -> ApiResult<Room> {
    Ok(Json(room::create(&st.db, &c, &b).await?))
}

#[utoipa::path(get, path = "/api/v1/rooms/{id}", tag = "房产", responses((status = 200, body = RoomView), (status = 404)))]
pub async fn get_room(State(st): State<SharedState>, ApiAuth(c): ApiAuth, Path(id): Path<i32>) -> ApiResult<RoomView> {
    Ok(Json(room::get(&st.db, &c, id).await?))
}

#[utoipa::path(put, path = "/api/v1/rooms/{id}", tag = "房产", request_body = RoomInput, responses((status = 200, body = Object), (status = 404), (status = 409), (status = 422)))]
pub async fn update_room(
    State(st): State<SharedState>,
    ApiAuth(c): ApiAuth,
    Path(id): Path<i32>,
    Json(b): Json<Versioned<RoomInput>>,
) -> ApiResult<Room> {
    Ok(Json(room::update(&st.db, &c, id, b.version, &b.data).await?))
}

/// The rooms a batch would create and which codes already exist.
#[utoipa::path(post, path = "/api/v1/rooms/batch/preview", tag = "房产", request_body = BatchInput, responses((status = 200, body = BatchPlan), (status = 422)))]
pub async fn preview_batch(State(st): State<SharedState>, ApiAuth(c): ApiAuth, Json(b): Json<BatchInput>) -> ApiResult<BatchPlan> {
    Ok(Json(room::preview_batch(&st.db, &c, &b).await?))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct BatchCreated {
    created: u64,
}

/// Creates all rooms of a batch in one transaction, or none.
#[utoipa::path(post, path = "/api/v1/rooms/batch", tag = "房产", request_body = BatchInput, responses((status = 200, body = BatchCreated), (status = 422)))]
pub async fn commit_batch(State(st): State<SharedState>, ApiAuth(c): ApiAuth, Json(b): Json<BatchInput>) -> ApiResult<BatchCreated> {
    Ok(Json(BatchCreated { created: room::commit_batch(&st.db, &c, &b).await? }))
}
