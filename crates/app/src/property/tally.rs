//! The rooms of each project and how many of them were handed over (入伙),
//! kept as counts so that the room table (OCC-6) reads a row per project
//! rather than group 200,000 rooms on every page. Every write that adds rooms
//! calls [`rooms_added`] and the first handover of a room [`handed_over`], in
//! its own transaction.

use std::collections::BTreeMap;

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use crate::{
    db::{add_to_counts, one_each},
    entity::project_room_tally,
    AppResult, Caller, Db,
};

use project_room_tally::Column as C;

/// Counts rooms added: their projects, one per room.
pub async fn rooms_added(db: &impl ConnectionTrait, projects: impl IntoIterator<Item = i32>) -> AppResult<()> {
    add_to_counts::<project_room_tally::Entity>(db, C::ProjectId, C::Rooms, one_each(projects)).await
}

/// Counts a room of `project` handed over for the first time.
pub async fn handed_over(db: &impl ConnectionTrait, project: i32) -> AppResult<()> {
    add_to_counts::<project_room_tally::Entity>(db, C::ProjectId, C::Handed, one_each([project])).await
}

/// How many rooms the caller's projects (or `project` among them) have.
pub async fn rooms(db: &Db, caller: &Caller, project: Option<i32>) -> AppResult<u64> {
    let mut rows = project_room_tally::Entity::find().filter(caller.projects_condition(C::ProjectId));
    if let Some(p) = project {
        rows = rows.filter(C::ProjectId.eq(p));
    }
    crate::db::summed(&db.conn, rows, C::Rooms).await
}

/// The kept counts of the caller's projects: project → (rooms, handed over).
pub async fn of_projects(db: &Db, caller: &Caller) -> AppResult<BTreeMap<i32, (u64, u64)>> {
    let rows = project_room_tally::Entity::find().filter(caller.projects_condition(C::ProjectId)).all(&db.conn).await?;
    let n = |v: i64| u64::try_from(v).unwrap_or_default();
    Ok(rows.into_iter().map(|t| (t.project_id, (n(t.rooms), n(t.handed)))).collect())
}
