//! Photos of work orders (SVC-1): checked by their bytes (domain), kept in
//! the blob store under their hash, attached to an order inside a
//! transaction, read back through the order's scope.
//!
//! The same photo (same bytes) is stored once, and attached to an order at
//! most once: uploading it again adds nothing.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use domain::{
    audit::AuditAction,
    workorder::{
        photo::{self as rules, PhotoStage},
        WorkOrderState,
    },
};
use sea_orm::{
    sea_query::Expr, ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use serde::Serialize;

use super::WorkOrder;
use crate::{
    audit::{self, Change},
    db::labels_by_id,
    entity::{user, work_order, work_order_photo},
    storage::BlobStore,
    AppError, AppResult, Caller, Db,
};

/// The form and API field that carries photos; their errors are shown there.
pub const FIELD: &str = "photos";
/// The timeline event of an upload.
pub const EVENT: &str = "photo";
pub const EVENT_LABEL: &str = "上传照片";

/// A file as the user sent it: the name is only shown, never trusted.
#[derive(Debug, Clone)]
pub struct Upload {
    pub file_name: String,
    pub bytes: Vec<u8>,
}

/// A checked photo in the blob store, not yet on an order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredPhoto {
    pub sha256: String,
    /// As sniffed from the bytes.
    pub content_type: String,
    pub size: i64,
    pub file_name: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PhotoView {
    pub id: i32,
    pub work_order_id: i32,
    /// `report` (报修照片) or `completion` (完工照片).
    pub stage: String,
    pub stage_label: &'static str,
    /// Sniffed from the bytes: image/jpeg, image/png, image/webp, image/heic or image/heif.
    pub content_type: String,
    pub size: i64,
    pub file_name: String,
    /// SHA-256 of the bytes.
    pub sha256: String,
    pub uploaded_by: i32,
    pub uploaded_by_name: String,
    pub created_at: DateTime<Utc>,
}

/// Checks every upload (type by its bytes, size, count) and puts the good
/// ones in the store. Nothing is stored unless all pass; a blob stored for
/// a save that then fails is an orphan, harmless under its hash.
pub async fn store_uploads(store: &dyn BlobStore, uploads: &[Upload]) -> AppResult<Vec<StoredPhoto>> {
    let mut refusals: Vec<String> = rules::check_count(0, uploads.len()).err().into_iter().collect();
    let mut checked = Vec::with_capacity(uploads.len());
    for u in uploads {
        match rules::check(&u.file_name, &u.bytes) {
            Ok(c) => checked.push((c, &u.bytes)),
            Err(m) => refusals.push(m),
        }
    }
    if !refusals.is_empty() {
        return Err(AppError::field(FIELD, refusals.join("；")));
    }
    let mut out = Vec::with_capacity(checked.len());
    for (c, bytes) in checked {
        out.push(StoredPhoto {
            sha256: store.put(bytes).await?,
            content_type: c.image_type.content_type().into(),
            size: c.size as i64,
            file_name: c.file_name,
        });
    }
    Ok(out)
}

/// Attaches stored photos to an order inside the caller's transaction; the
/// caller has loaded the order within its scope. A photo already on the
/// order is skipped; the rest must keep the order within 9 photos.
/// Returns the rows added.
pub async fn attach(
    txn: &DatabaseTransaction,
    caller: &Caller,
    order_id: i32,
    stage: PhotoStage,
    photos: &[StoredPhoto],
) -> AppResult<Vec<work_order_photo::Model>> {
    let existing: Vec<String> = work_order_photo::Entity::find()
        .select_only()
        .column(work_order_photo::Column::Sha256)
        .filter(work_order_photo::Column::WorkOrderId.eq(order_id))
        .into_tuple()
        .all(txn)
        .await?;
    let mut seen: HashSet<&str> = existing.iter().map(String::as_str).collect();
    let new: Vec<&StoredPhoto> = photos.iter().filter(|p| seen.insert(&p.sha256)).collect();
    rules::check_count(existing.len(), new.len()).map_err(|m| AppError::field(FIELD, m))?;
    let now = Utc::now();
    let mut added = Vec::with_capacity(new.len());
    for p in new {
        let row = work_order_photo::ActiveModel {
            work_order_id: Set(order_id),
            sha256: Set(p.sha256.clone()),
            content_type: Set(p.content_type.clone()),
            size: Set(p.size),
            file_name: Set(p.file_name.clone()),
            stage: Set(stage.code().into()),
            uploaded_by: Set(caller.user_id),
            created_at: Set(now),
            ..Default::default()
        }
        .insert(txn)
        .await?;
        added.push(row);
    }
    Ok(added)
}

/// The stage a photo added now gets, or why the order takes none.
fn stage_of(o: &WorkOrder) -> AppResult<PhotoStage> {
    let state = WorkOrderState::from_code(&o.state).unwrap_or(WorkOrderState::PendingDispatch);
    PhotoStage::for_order(state, o.arrived_at.is_some()).map_err(|m| AppError::Conflict(m.into()))
}

/// Photos added on the order page or by the API: by whoever may create or
/// handle orders, as 报修照片 until the engineer has started and 完工照片
/// after; on the timeline and in the operation log. Returns the order's
/// photos.
pub async fn add_photos(db: &Db, store: &dyn BlobStore, caller: &Caller, order_id: i32, uploads: &[Upload]) -> AppResult<Vec<PhotoView>> {
    if !caller.can("workorder.create") && !caller.can("workorder.handle") {
        return Err(AppError::Forbidden);
    }
    // Scope and state first, so nothing is stored for an order the caller
    // cannot touch.
    stage_of(&super::get_model(&db.conn, caller, order_id).await?)?;
    if uploads.is_empty() {
        return Err(AppError::field(FIELD, "请选择要上传的照片"));
    }
    let stored = store_uploads(store, uploads).await?;
    let txn = db.begin().await?;
    let o = super::get_model(&*txn, caller, order_id).await?;
    let stage = stage_of(&o)?;
    // Touching the order first makes two uploads to one order queue on
    // PostgreSQL, so the second counts the first one's photos (SQLite has
    // one writer anyway). The version stays: a photo does not make the
    // order page someone has open stale.
    let now = Utc::now();
    work_order::Entity::update_many()
        .col_expr(work_order::Column::UpdatedAt, Expr::value(now))
        .filter(work_order::Column::Id.eq(o.id))
        .exec(&*txn)
        .await?;
    let added = attach(&txn, caller, o.id, stage, &stored).await?;
    if !added.is_empty() {
        let note = format!("{EVENT_LABEL} {} 张", added.len());
        super::event(&*txn, caller, o.id, now, EVENT, (&o.state, &o.state), &note).await?;
        audit::record(
            &*txn,
            caller,
            Change::new("work_order", o.id, AuditAction::Update)
                .company(Some(o.company_id))
                .summary(format!("工单 {} {note}", o.number))
                .after(&added),
        )
        .await?;
    }
    txn.commit().await?;
    list(db, caller, order_id).await
}

/// The photos of an order in upload order; the order must be in scope.
pub async fn list(db: &Db, caller: &Caller, order_id: i32) -> AppResult<Vec<PhotoView>> {
    super::get_model(&db.conn, caller, order_id).await?;
    let rows = work_order_photo::Entity::find()
        .filter(work_order_photo::Column::WorkOrderId.eq(order_id))
        .order_by_asc(work_order_photo::Column::Id)
        .all(&db.conn)
        .await?;
    let names =
        labels_by_id::<user::Entity>(&db.conn, user::Column::Id, user::Column::DisplayName, rows.iter().map(|p| p.uploaded_by)).await?;
    Ok(rows
        .into_iter()
        .map(|p| PhotoView {
            stage_label: PhotoStage::from_code(&p.stage).map_or("", PhotoStage::label),
            uploaded_by_name: names.get(&p.uploaded_by).cloned().unwrap_or_default(),
            id: p.id,
            work_order_id: p.work_order_id,
            stage: p.stage,
            content_type: p.content_type,
            size: p.size,
            file_name: p.file_name,
            sha256: p.sha256,
            uploaded_by: p.uploaded_by,
            created_at: p.created_at,
        })
        .collect())
}

/// A photo's content type and bytes, through its order's scope: a photo of
/// an order the caller cannot see is not found.
pub async fn open(db: &Db, store: &dyn BlobStore, caller: &Caller, photo_id: i32) -> AppResult<(String, Vec<u8>)> {
    caller.require("workorder.view")?;
    let p = work_order_photo::Entity::find_by_id(photo_id).one(&db.conn).await?.ok_or(AppError::NotFound)?;
    super::get_model(&db.conn, caller, p.work_order_id).await?;
    // A row without its blob is lost data (a restore without the blobs):
    // an internal error for the log, not a silent 404.
    let bytes = store
        .get(&p.sha256)
        .await?
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("blob {} of work-order photo {} is missing", p.sha256, p.id)))?;
    Ok((p.content_type, bytes))
}
