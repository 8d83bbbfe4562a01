use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "work_orders")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub number: String,
    pub company_id: i32,
    pub project_id: i32,
    pub room_id: Option<i32>,
    pub customer_id: Option<i32>,
    pub public_area: String,
    pub category: String,
    pub kind: String,
    pub priority: String,
    pub channel: String,
    pub contact_name: String,
    pub contact_phone: String,
    pub description: String,
    pub appointment_at: Option<DateTimeUtc>,
    pub state: String,
    pub assignee_id: Option<i32>,
    pub created_by: i32,
    pub response_due: Option<DateTimeUtc>,
    pub complete_due: Option<DateTimeUtc>,
    pub responded_at: Option<DateTimeUtc>,
    pub completed_at: Option<DateTimeUtc>,
    pub result: Option<String>,
    pub labour_fee: i64,
    pub total_fee: i64,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
