//! The enabled customers of each office, kept as a count so that the
//! workbench and the customer list as it opens read a row per office rather
//! than count 250,000 customers. Every write that adds, removes, enables,
//! disables or moves a customer calls [`shift`] in its own transaction, so a
//! count changes exactly when the customers it counts commit.

use std::collections::BTreeMap;

use sea_orm::{ConnectionTrait, EntityTrait, QueryFilter};

use crate::{db::add_to_counts, entity::customer_tally, AppResult, Caller, Db};

/// Where a customer counts: its office, and whether it is enabled.
pub type Place = (i32, bool);

/// Changes the counts for customers that were at `before` and are now at
/// `after` (none for a customer added or deleted), one pair per customer.
pub async fn shift(db: &impl ConnectionTrait, moves: impl IntoIterator<Item = (Option<Place>, Option<Place>)>) -> AppResult<()> {
    let mut deltas: BTreeMap<i32, i64> = BTreeMap::new();
    for (before, after) in moves {
        for (place, sign) in [(before, -1), (after, 1)] {
            if let Some((office, true)) = place {
                *deltas.entry(office).or_default() += sign;
            }
        }
    }
    use customer_tally::Column as C;
    add_to_counts::<customer_tally::Entity>(db, C::OrgUnitId, C::Enabled, deltas).await
}

/// How many enabled customers the caller's offices have.
pub async fn enabled(db: &Db, caller: &Caller) -> AppResult<u64> {
    let rows = customer_tally::Entity::find().filter(caller.offices_condition(customer_tally::Column::OrgUnitId));
    crate::db::summed(&db.conn, rows, customer_tally::Column::Enabled).await
}
