use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "occupancies")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub room_id: i32,
    pub customer_id: i32,
    pub project_id: i32,
    pub role: String,
    pub start_date: Date,
    pub end_date: Option<Date>,
    pub lease_start: Option<Date>,
    pub lease_end: Option<Date>,
    pub end_reason: String,
    pub handover_id: Option<i32>,
    pub created_by: i32,
    pub created_at: DateTimeUtc,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
