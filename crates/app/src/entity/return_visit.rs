//! Return visits (VIS-1, SVC-5) and standalone care visits (VIS-3).
use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "return_visits")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub company_id: i32,
    /// The management office whose staff may see the visit.
    pub office_id: i32,
    pub project_id: Option<i32>,
    pub customer_id: Option<i32>,
    pub work_order_id: Option<i32>,
    /// `order` (after an accepted work order) or `care` (standalone care call).
    pub kind: String,
    /// `phone`, `onsite` or `sms`.
    pub method: String,
    pub satisfaction: String,
    pub attitude: String,
    pub content: String,
    /// `none`, `reopen` or `complaint`.
    pub follow_up: String,
    /// The complaint raised from a dissatisfied visit (set by the complaint module).
    pub complaint_id: Option<i32>,
    pub visited_by: i32,
    pub visited_by_name: String,
    pub visited_at: DateTimeUtc,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
