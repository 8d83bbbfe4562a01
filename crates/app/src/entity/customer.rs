use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "customers")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub org_unit_id: i32,
    pub company_id: i32,
    pub code: String,
    pub name: String,
    pub kind: String,
    pub gender: String,
    pub id_type: String,
    pub id_number: String,
    pub birthday: Option<Date>,
    pub email: String,
    pub work_unit: String,
    pub category: String,
    pub remarks: String,
    pub enabled: bool,
    #[serde(skip)]
    pub search_text: String,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
