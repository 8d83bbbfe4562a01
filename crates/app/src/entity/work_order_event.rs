use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "work_order_events")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub work_order_id: i32,
    pub at: DateTimeUtc,
    pub user_id: i32,
    pub user_name: String,
    pub action: String,
    pub from_state: String,
    pub to_state: String,
    pub note: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
