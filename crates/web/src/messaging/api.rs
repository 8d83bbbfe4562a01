//! JSON API of announcements.

use app::{
    messaging::announcement::{self, AnnouncementInput, AnnouncementView},
    PageRequest,
};
use axum::{
    extract::{Path, Query, State},
    routing::{get, post},
    Json, Router,
};

use crate::{
    api::{ApiResult, ListBody, VersionBody, Versioned},
    auth::ApiAuth,
    SharedState,
};

pub fn routes() -> Router<SharedState> {
    Router::new()
        .route("/api/v1/announcements", get(list).post(create))
        .route("/api/v1/announcements/mine", get(mine))
        .route("/api/v1/announcements/{id}", get(get_one).put(update))
        .route("/api/v1/announcements/{id}/publish", post(publish))
        .route("/api/v1/announcements/{id}/withdraw", post(withdraw))
}

#[utoipa::path(get, path = "/api/v1/announcements", tag = "公告", responses((status = 200, body = ListBody<AnnouncementView>)))]
pub async fn list(
    State(st): State<SharedState>,
    ApiAuth(c): ApiAuth,
    Query(req): Query<PageRequest>,
) -> ApiResult<ListBody<AnnouncementView>> {
    Ok(Json(announcement::list(&st.db, &c, &req).await?.into()))
}

/// Published announcements addressed to the caller (the workbench list).
#[utoipa::path(get, path = "/api/v1/announcements/mine", tag = "公告", responses((status = 200, body = [AnnouncementView])))]
pub async fn mine(State(st): State<SharedState>, ApiAuth(c): ApiAuth) -> ApiResult<Vec<AnnouncementView>> {
    Ok(Json(announcement::for_workbench(&st.db, &c, 50).await?))
}

#[utoipa::path(post, path = "/api/v1/announcements", tag = "公告", request_body = AnnouncementInput, responses((status = 200, body = AnnouncementView), (status = 422)))]
pub async fn create(State(st): State<SharedState>, ApiAuth(c): ApiAuth, Json(b): Json<AnnouncementInput>) -> ApiResult<AnnouncementView> {
    Ok(Json(announcement::create(&st.db, &c, &b).await?))
}

#[utoipa::path(get, path = "/api/v1/announcements/{id}", tag = "公告", responses((status = 200, body = AnnouncementView), (status = 404)))]
pub async fn get_one(State(st): State<SharedState>, ApiAuth(c): ApiAuth, Path(id): Path<i32>) -> ApiResult<AnnouncementView> {
    Ok(Json(announcement::get(&st.db, &c, id).await?))
}

#[utoipa::path(put, path = "/api/v1/announcements/{id}", tag = "公告", request_body = AnnouncementInput, responses((status = 200, body = AnnouncementView), (status = 404), (status = 409), (status = 422)))]
pub async fn update(
    State(st): State<SharedState>,
    ApiAuth(c): ApiAuth,
    Path(id): Path<i32>,
    Json(b): Json<Versioned<AnnouncementInput>>,
) -> ApiResult<AnnouncementView> {
    Ok(Json(announcement::update(&st.db, &c, id, b.version, &b.data).await?))
}

#[utoipa::path(post, path = "/api/v1/announcements/{id}/publish", tag = "公告", request_body = VersionBody, responses((status = 200, body = AnnouncementView), (status = 409)))]
pub async fn publish(
    State(st): State<SharedState>,
    ApiAuth(c): ApiAuth,
    Path(id): Path<i32>,
    Json(b): Json<VersionBody>,
) -> ApiResult<AnnouncementView> {
    Ok(Json(announcement::set_published(&st.db, &c, id, b.version, true).await?))
}

#[utoipa::path(post, path = "/api/v1/announcements/{id}/withdraw", tag = "公告", request_body = VersionBody, responses((status = 200, body = AnnouncementView), (status = 409)))]
pub async fn withdraw(
    State(st): State<SharedState>,
    ApiAuth(c): ApiAuth,
    Path(id): Path<i32>,
    Json(b): Json<VersionBody>,
) -> ApiResult<AnnouncementView> {
    Ok(Json(announcement::set_published(&st.db, &c, id, b.version, false).await?))
}
