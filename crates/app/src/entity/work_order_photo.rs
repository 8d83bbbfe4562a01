//! Photos of a work order; the bytes live in the blob store under their hash.
use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "work_order_photos")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub work_order_id: i32,
    /// The content hash, also the key in the blob store.
    pub sha256: String,
    pub content_type: String,
    pub size: i64,
    pub file_name: String,
    /// `report` (with the request) or `completion`.
    pub stage: String,
    pub uploaded_by: i32,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
