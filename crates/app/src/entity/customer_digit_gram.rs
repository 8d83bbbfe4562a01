use sea_orm::entity::prelude::*;
use serde::Serialize;

/// One run of four digits in a customer's searched text (a phone's, an ID
/// number's, a room code's), as a number: four-digit keywords are found by
/// an index (see `customer::search`).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "customer_digit_grams")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub gram: i32,
    #[sea_orm(primary_key, auto_increment = false)]
    pub customer_id: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
