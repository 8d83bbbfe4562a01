//! JSON API of work orders.

use app::{
    workorder::{self, lookup::Candidate, photo::PhotoView, ActInput, WorkOrderFilter, WorkOrderInput, WorkOrderView},
    AppError, PageRequest,
};
use axum::{
    extract::{DefaultBodyLimit, Path, Query, State},
    response::Response,
    routing::{get, post},
    Json, Router,
};
use serde::Deserialize;

use super::photo::{image_response, uploads_of};
use crate::{
    api::{ApiResult, ListBody},
    auth::ApiAuth,
    error::ApiError,
    form::{FormData, MAX_UPLOAD_BODY},
    SharedState,
};

pub fn routes() -> Router<SharedState> {
    Router::new()
        .route("/api/v1/work-orders", get(list).post(create))
        .route("/api/v1/work-orders/lookup", get(lookup))
        .route("/api/v1/work-orders/{id}", get(get_one))
        .route("/api/v1/work-orders/{id}/actions", post(act))
        .route("/api/v1/work-orders/{id}/photos", get(list_photos).post(add_photos).layer(DefaultBodyLimit::max(MAX_UPLOAD_BODY)))
        .route("/api/v1/work-order-photos/{id}", get(photo_bytes))
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
    /// Created on or after this day, e.g. `2026-11-01` (company time zone).
    created_from: Option<chrono::NaiveDate>,
    /// Created on or before this day (company time zone).
    created_to: Option<chrono::NaiveDate>,
}

#[utoipa::path(get, path = "/api/v1/work-orders", tag = "工单", params(Params), responses((status = 200, body = ListBody<WorkOrderView>)))]
pub async fn list(
    State(st): State<SharedState>,
    ApiAuth(c): ApiAuth,
    Query(req): Query<PageRequest>,
    Query(p): Query<Params>,
) -> ApiResult<ListBody<WorkOrderView>> {
    let f = WorkOrderFilter {
        state: p.state,
        project_id: p.project_id,
        mine: p.mine,
        customer_id: p.customer_id,
        overdue: p.overdue,
        created_from: p.created_from,
        created_to: p.created_to,
    };
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
    Ok(Json(ListBody::all(items)))
}

fn photo_list(items: Vec<PhotoView>) -> ListBody<PhotoView> {
    ListBody::all(items)
}

/// The multipart body of a photo upload.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)] // describes the body in the OpenAPI document; the handler reads the parts
pub struct PhotoUpload {
    /// One or more image files (JPEG, PNG, WebP, HEIC), at most 10 MB each
    /// and 9 per order; the type is recognised from the bytes.
    #[schema(value_type = Vec<String>, format = Binary)]
    photos: Vec<Vec<u8>>,
}

/// Adds photos to an order: 报修照片 until the engineer has started, 完工照片
/// after. A photo already on the order is not added again. Answers the
/// order's photos.
#[utoipa::path(post, path = "/api/v1/work-orders/{id}/photos", tag = "工单",
    request_body(content = inline(PhotoUpload), content_type = "multipart/form-data"),
    responses((status = 200, body = ListBody<PhotoView>), (status = 404), (status = 409), (status = 422)))]
pub async fn add_photos(
    State(st): State<SharedState>,
    ApiAuth(c): ApiAuth,
    Path(id): Path<i32>,
    mut f: FormData,
) -> ApiResult<ListBody<PhotoView>> {
    let uploads = uploads_of(&mut f);
    if let Some(m) = f.upload_error() {
        return Err(AppError::field(workorder::photo::FIELD, m).into());
    }
    Ok(Json(photo_list(workorder::photo::add_photos(&st.db, &*st.blobs, &c, id, &uploads).await?)))
}

/// The photos of an order, in upload order.
#[utoipa::path(get, path = "/api/v1/work-orders/{id}/photos", tag = "工单", responses((status = 200, body = ListBody<PhotoView>), (status = 404)))]
pub async fn list_photos(State(st): State<SharedState>, ApiAuth(c): ApiAuth, Path(id): Path<i32>) -> ApiResult<ListBody<PhotoView>> {
    Ok(Json(photo_list(workorder::photo::list(&st.db, &c, id).await?)))
}

/// The bytes of a photo, with the type recognised at upload.
#[utoipa::path(get, path = "/api/v1/work-order-photos/{id}", tag = "工单",
    responses((status = 200, description = "图片内容（image/jpeg、image/png、image/webp、image/heic 或 image/heif）"), (status = 404)))]
pub async fn photo_bytes(State(st): State<SharedState>, ApiAuth(c): ApiAuth, Path(id): Path<i32>) -> Result<Response, ApiError> {
    let (content_type, bytes) = workorder::photo::open(&st.db, &*st.blobs, &c, id).await?;
    Ok(image_response(content_type, bytes))
}
