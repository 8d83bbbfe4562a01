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
    /// On-site due time (SLA-1) and when the engineer arrived (开始处理).
    pub onsite_due: Option<DateTimeUtc>,
    pub arrived_at: Option<DateTimeUtc>,
    /// Inside the developer's warranty period for the category's trade (SVC-7).
    pub warranty: bool,
    pub contractor: String,
    pub requested_items: String,
    /// The one-time token of the form that created the order (a repeated submission returns this order).
    #[serde(skip)]
    pub request_token: Option<String>,
    /// Times the order went back to 处理中 after completion (验收未通过 or reopened after a visit).
    pub reopen_count: i32,
    /// The highest escalation level reached (0 = none).
    pub escalation_level: i32,
    /// The customer's latest acceptance (客户验收): the return-visit queue's order.
    pub accepted_at: Option<DateTimeUtc>,
    pub visited_at: Option<DateTimeUtc>,
    /// The satisfaction code of the return visit.
    pub satisfaction: String,
    /// Open orders only: the earliest due time not yet met (what breaches
    /// next); kept by every write of the order (`workorder::with_derived_columns`, called on save).
    pub next_due: Option<DateTimeUtc>,
    /// Completed orders only: completed − created in seconds, what the
    /// service measures sum (kept like `next_due`).
    pub handling_seconds: Option<i64>,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

#[async_trait::async_trait]
impl ActiveModelBehavior for ActiveModel {
    /// Keeps `next_due` and `handling_seconds` with every insert and update
    /// of a whole order (bulk inserts do not call this and set them themselves).
    async fn before_save<C: ConnectionTrait>(self, _db: &C, _insert: bool) -> Result<Self, DbErr> {
        Ok(crate::workorder::with_derived_columns(self))
    }
}
