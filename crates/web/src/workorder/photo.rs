//! Photos on the order page: the 照片 section, its upload form, and the
//! images themselves (served with the type sniffed at upload).

use app::{
    workorder::{
        self,
        photo::{self, PhotoView, Upload},
        WorkOrderView,
    },
    AppError, Caller,
};
use axum::{
    extract::{DefaultBodyLimit, Path, State},
    http::{header, StatusCode},
    response::{IntoResponse, Response},
    routing::{get, post},
    Router,
};
use domain::workorder::{
    photo::{ImageType, PhotoStage, ACCEPTED_TYPES, MAX_PHOTOS_PER_ORDER},
    WorkOrderState,
};

use super::{show_page, CompletionDraft, Refusal};
use crate::{
    auth::{redirect_with_flash, PageAuth},
    error::PageError,
    form::{FormData, MAX_UPLOAD_BODY},
    view::local_time,
    SharedState,
};

pub fn routes() -> Router<SharedState> {
    Router::new()
        .route("/workorders/{id}/photos", post(upload).layer(DefaultBodyLimit::max(MAX_UPLOAD_BODY)))
        .route("/workorders/photos/{id}", get(image))
}

/// The hint beside every photo input.
pub fn hint() -> String {
    format!("{ACCEPTED_TYPES}，每张不超过 10 MB，每张工单最多 {MAX_PHOTOS_PER_ORDER} 张；提交被退回时需重新选择照片")
}

/// The files of the `photos` field as uploads.
pub fn uploads_of(f: &mut FormData) -> Vec<Upload> {
    f.take_files(photo::FIELD).into_iter().map(|x| Upload { file_name: x.file_name, bytes: x.bytes }).collect()
}

/// An image answer: the type sniffed at upload, never re-guessed by the
/// browser; cached for good, as a photo's bytes never change.
pub fn image_response(content_type: String, bytes: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".into()),
            (header::CACHE_CONTROL, "private, max-age=31536000, immutable".into()),
        ],
        bytes,
    )
        .into_response()
}

/// One photo in the 照片 section.
pub struct Tile {
    pub url: String,
    pub file_name: String,
    /// Shown as an image; HEIC/HEIF (which most browsers cannot show) as a link.
    pub inline: bool,
    pub title: String,
}

/// The 照片 section: photos grouped by stage, and the stage a new upload
/// gets when the caller may add one.
pub struct Section {
    pub groups: Vec<(&'static str, Vec<Tile>)>,
    pub upload_stage: Option<&'static str>,
    pub hint: String,
}

pub async fn section(st: &SharedState, caller: &Caller, o: &WorkOrderView) -> Result<Section, AppError> {
    let photos = photo::list(&st.db, caller, o.order.id).await?;
    let groups = PhotoStage::ALL
        .into_iter()
        .map(|stage| (stage.label(), photos.iter().filter(|p| p.stage == stage.code()).map(|p| tile(st, p)).collect::<Vec<_>>()))
        .filter(|(_, tiles)| !tiles.is_empty())
        .collect();
    let may_add = caller.can("workorder.create") || caller.can("workorder.handle");
    let state = WorkOrderState::from_code(&o.order.state).unwrap_or(WorkOrderState::PendingDispatch);
    let upload_stage = PhotoStage::for_order(state, o.order.arrived_at.is_some()).ok().filter(|_| may_add).map(PhotoStage::label);
    Ok(Section { groups, upload_stage, hint: hint() })
}

fn tile(st: &SharedState, p: &PhotoView) -> Tile {
    Tile {
        url: format!("/workorders/photos/{}", p.id),
        file_name: p.file_name.clone(),
        inline: ImageType::browsers_show(&p.content_type),
        title: format!("{}（{}，{} 上传于 {}）", p.file_name, size_text(p.size), p.uploaded_by_name, local_time(st.tz, p.created_at)),
    }
}

fn size_text(bytes: i64) -> String {
    if bytes >= 1024 * 1024 {
        format!("{:.1} MB", bytes as f64 / (1024.0 * 1024.0))
    } else {
        format!("{} KB", (bytes + 1023) / 1024)
    }
}

/// The upload form of the order page.
pub async fn upload(State(st): State<SharedState>, auth: PageAuth, Path(id): Path<i32>, mut f: FormData) -> Result<Response, PageError> {
    let uploads = uploads_of(&mut f);
    let result = match f.upload_error() {
        Some(m) => Err(AppError::field(photo::FIELD, m)),
        None => photo::add_photos(&st.db, &*st.blobs, &auth.caller, id, &uploads).await,
    };
    let (message, status) = match result {
        Ok(photos) => {
            return Ok(redirect_with_flash(&format!("/workorders/{id}#photos"), &format!("照片已上传，本工单共 {} 张", photos.len())))
        }
        Err(AppError::Validation(e)) => (e.iter().map(|(_, m)| m.clone()).collect::<Vec<_>>().join("；"), StatusCode::UNPROCESSABLE_ENTITY),
        Err(AppError::Conflict(m)) => (m, StatusCode::CONFLICT),
        Err(e) => return Err(e.into()),
    };
    let o = workorder::get(&st.db, &auth.caller, id).await?;
    show_page(&st, &auth, o, String::new(), CompletionDraft::default(), Some(Refusal::Photos(message)), status).await
}

/// A photo, opened from its thumbnail.
pub async fn image(State(st): State<SharedState>, auth: PageAuth, Path(id): Path<i32>) -> Result<Response, PageError> {
    let (content_type, bytes) = photo::open(&st.db, &*st.blobs, &auth.caller, id).await?;
    Ok(image_response(content_type, bytes))
}
