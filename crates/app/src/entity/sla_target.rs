//! SLA targets per company, category and priority (SLA-1).
use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "sla_targets")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub company_id: i32,
    /// A service category, or "" for the company's default of the priority.
    pub category: String,
    pub priority: String,
    pub response_minutes: i32,
    pub onsite_minutes: i32,
    pub complete_minutes: i32,
    /// Response and on-site counted round the clock (emergencies) instead of in working time.
    pub round_the_clock: bool,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
