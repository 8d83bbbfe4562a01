//! JSON API of projects.

use app::{
    property::project::{self, Project, ProjectFilter, ProjectInput},
    PageRequest,
};
use axum::{
    extract::{Path, Query, State},
    routing::get,
    Json, Router,
};
use serde::Deserialize;

use crate::{
    api::{ApiResult, ListBody, Versioned},
    auth::ApiAuth,
    SharedState,
};

pub fn routes() -> Router<SharedState> {
    Router::new().route("/api/v1/projects", get(list).post(create)).route("/api/v1/projects/{id}", get(get_one).put(update))
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
