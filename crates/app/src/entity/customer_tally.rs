use sea_orm::entity::prelude::*;

/// How many enabled customers an office has, kept by the customer writes
/// (see `customer::tally`).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "customer_tallies")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub org_unit_id: i32,
    pub enabled: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
