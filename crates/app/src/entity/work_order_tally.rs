use sea_orm::entity::prelude::*;

/// The service measures' tallies of one project's orders created in one
/// local month (`2026-12`), kept by the order writes (see `workorder::tally`).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "work_order_tallies")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub project_id: i32,
    #[sea_orm(primary_key, auto_increment = false)]
    pub month: String,
    pub orders: i64,
    pub completed: i64,
    pub on_time: i64,
    pub first_time: i64,
    pub completed_visited: i64,
    pub visited: i64,
    pub satisfied: i64,
    pub handling_seconds: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
