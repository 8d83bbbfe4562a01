use sea_orm::entity::prelude::*;

/// How many rooms a project has and how many of them were handed over (入伙),
/// kept by the room and handover writes (see `property::tally`).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "project_room_tallies")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub project_id: i32,
    pub rooms: i64,
    pub handed: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
