//! The return visits of each office, kept as a count so that the visit
//! records as they open (no filter) read a row per office rather than count
//! every visit of the group. Every visit written calls [`recorded`] in its
//! own transaction.

use sea_orm::{ConnectionTrait, EntityTrait, QueryFilter};

use crate::{
    db::{add_to_counts, one_each},
    entity::visit_tally,
    AppResult, Caller, Db,
};

/// Counts visits recorded: their offices, one per visit.
pub async fn recorded(db: &impl ConnectionTrait, offices: impl IntoIterator<Item = i32>) -> AppResult<()> {
    add_to_counts::<visit_tally::Entity>(db, visit_tally::Column::OrgUnitId, visit_tally::Column::Visits, one_each(offices)).await
}

/// How many visits the caller's offices have recorded.
pub async fn visits(db: &Db, caller: &Caller) -> AppResult<u64> {
    let rows = visit_tally::Entity::find().filter(caller.offices_condition(visit_tally::Column::OrgUnitId));
    crate::db::summed(&db.conn, rows, visit_tally::Column::Visits).await
}
