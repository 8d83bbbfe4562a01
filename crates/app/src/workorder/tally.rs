//! The service measures' tallies of each project's orders per local month
//! of creation (`work_order_tallies`), so that the workbench's card and the
//! measures per project or month read a row per project and month rather
//! than sum every order of the period (SLA-3, RPT-1, RPT-3).
//!
//! Every write that adds an order or changes what it counts — a create, a
//! step of its life, a return visit — calls [`shift`] with the order before
//! and after, in its own transaction, so a tally changes exactly when the
//! orders it counts commit. What a tally counts is what `report::measures`
//! sums from the orders ([`sums`]), except the one figure that changes with
//! the clock alone: open orders past their completion due time, which the
//! report reads from the orders' `next_due` index.
//!
//! The same writes keep how many of each project's orders are in each state
//! now (`work_order_state_tallies`), for the workbench's counts of orders
//! waiting for a dispatch or a return visit ([`in_state`]).
//!
//! A month is local to the configured time zone, so the zone the tallies
//! were counted in is kept with them; [`keep_in_zone`] counts them again
//! from the orders when the server starts in another zone, or finds none.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use domain::{
    visit::Satisfaction,
    workorder::{measures::month_code, WorkOrderState},
};
use sea_orm::{
    sea_query::{Alias, Expr, Func, OnConflict, Query},
    ActiveValue::Set,
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, IdenStatic, QueryFilter, QueryOrder, QuerySelect, QueryTrait, Select,
};

use super::WorkOrder;
use crate::{
    entity::{work_order, work_order_state_tally, work_order_tally, work_order_tally_zone},
    report::measures::month_of_creation,
    AppError, AppResult, Caller, Db,
};

/// The kept counts, in the order of the table's columns.
const COUNTS: [work_order_tally::Column; 8] = {
    use work_order_tally::Column as T;
    [T::Orders, T::Completed, T::OnTime, T::FirstTime, T::CompletedVisited, T::Visited, T::Satisfied, T::HandlingSeconds]
};

type Counts = [i64; 8];

/// A row to upsert: for a new row its counts, for a kept one what to add.
fn delta_row(project_id: i32, month: String, d: Counts) -> work_order_tally::ActiveModel {
    let [orders, completed, on_time, first_time, completed_visited, visited, satisfied, handling_seconds] = d.map(Set);
    work_order_tally::ActiveModel {
        project_id: Set(project_id),
        month: Set(month),
        orders,
        completed,
        on_time,
        first_time,
        completed_visited,
        visited,
        satisfied,
        handling_seconds,
    }
}

/// The local month (`2026-12`) an instant falls in.
pub(crate) fn month_of(tz: Tz, t: DateTime<Utc>) -> String {
    month_code(t.with_timezone(&tz).date_naive())
}

/// What one order adds to its project's month; nothing for a voided order.
/// The same definitions as [`sums`], one order at a time.
fn counted(tz: Tz, o: &WorkOrder) -> Option<((i32, String), Counts)> {
    if o.state == WorkOrderState::Voided.code() {
        return None;
    }
    let done = o.completed_at.is_some();
    let visited = o.visited_at.is_some();
    let on_time = o.completed_at.is_some_and(|at| o.complete_due.is_none_or(|due| at <= due));
    let satisfied = visited && Satisfaction::from_code(&o.satisfaction).is_some_and(Satisfaction::is_satisfied);
    let [orders, completed, on_time, first_time, completed_visited, visited, satisfied] =
        [true, done, on_time, done && o.reopen_count == 0, done && visited, visited, satisfied].map(i64::from);
    let counts = [orders, completed, on_time, first_time, completed_visited, visited, satisfied, o.handling_seconds.unwrap_or(0)];
    Some(((o.project_id, month_of(tz, o.created_at)), counts))
}

/// Moves the tallies for orders that were `before` and are now `after`
/// (none for an order just inserted), one pair per order.
pub(crate) async fn shift<'a>(
    db: &impl ConnectionTrait,
    tz: Tz,
    changes: impl IntoIterator<Item = (Option<&'a WorkOrder>, Option<&'a WorkOrder>)>,
) -> AppResult<()> {
    // In key order, the months' rows before the states': two writers that
    // touch the same rows lock them in the same order on PostgreSQL, so
    // they queue instead of deadlocking.
    let mut months: BTreeMap<(i32, String), Counts> = BTreeMap::new();
    let mut states: BTreeMap<(i32, String), i64> = BTreeMap::new();
    for (before, after) in changes {
        for (order, sign) in [(before, -1), (after, 1)] {
            let Some(o) = order else { continue };
            *states.entry((o.project_id, o.state.clone())).or_default() += sign;
            if let Some((key, counts)) = counted(tz, o) {
                let delta = months.entry(key).or_default();
                for (d, c) in delta.iter_mut().zip(counts) {
                    *d += sign * c;
                }
            }
        }
    }
    let months: Vec<work_order_tally::ActiveModel> =
        months.into_iter().filter(|(_, d)| d.iter().any(|n| *n != 0)).map(|((project, month), d)| delta_row(project, month, d)).collect();
    if !months.is_empty() {
        let add = COUNTS.map(|c| (c, Expr::col((work_order_tally::Entity, c)).add(Expr::cust(format!("excluded.{}", c.as_str())))));
        let upsert = OnConflict::columns([work_order_tally::Column::ProjectId, work_order_tally::Column::Month]).values(add).to_owned();
        work_order_tally::Entity::insert_many(months).on_conflict(upsert).exec_without_returning(db).await?;
    }
    shift_states(db, states).await
}

/// Adds each delta to its project's count of orders in that state.
async fn shift_states(db: &impl ConnectionTrait, deltas: BTreeMap<(i32, String), i64>) -> AppResult<()> {
    use work_order_state_tally::Column as S;
    let rows: Vec<work_order_state_tally::ActiveModel> = deltas
        .into_iter()
        .filter(|(_, d)| *d != 0)
        .map(|((project_id, state), orders)| work_order_state_tally::ActiveModel {
            project_id: Set(project_id),
            state: Set(state),
            orders: Set(orders),
        })
        .collect();
    if rows.is_empty() {
        return Ok(());
    }
    let add = Expr::col((work_order_state_tally::Entity, S::Orders)).add(Expr::cust("excluded.orders"));
    let upsert = OnConflict::columns([S::ProjectId, S::State]).value(S::Orders, add).to_owned();
    work_order_state_tally::Entity::insert_many(rows).on_conflict(upsert).exec_without_returning(db).await?;
    Ok(())
}

/// How many orders of the caller's projects (or of `project` among them)
/// are in `state` now.
pub async fn in_state(db: &Db, caller: &Caller, state: WorkOrderState, project: Option<i32>) -> AppResult<u64> {
    use work_order_state_tally::Column as S;
    let mut rows = work_order_state_tally::Entity::find().filter(S::State.eq(state.code())).filter(caller.projects_condition(S::ProjectId));
    if let Some(p) = project {
        rows = rows.filter(S::ProjectId.eq(p));
    }
    crate::db::summed(&db.conn, rows, S::Orders).await
}

/// `COALESCE(SUM(CASE WHEN cond THEN 1 ELSE 0 END), 0)`: how many orders of
/// the group meet `cond` (0, not NULL, for a period without orders).
pub(crate) fn how_many(cond: Condition) -> sea_orm::sea_query::SimpleExpr {
    Func::coalesce([Func::sum(Expr::case(cond, 1).finally(0)).into(), Expr::val(0).into()]).into()
}

/// The kept counts summed over the orders of a query's groups, one column
/// each, named as the table's columns (SLA-3's definitions; see
/// `domain::workorder::measures`).
pub(crate) fn sums(select: Select<work_order::Entity>) -> Select<work_order::Entity> {
    use work_order::Column as C;
    let done = || Condition::all().add(C::CompletedAt.is_not_null());
    let satisfied_codes = Satisfaction::ALL.into_iter().filter(|s| s.is_satisfied()).map(Satisfaction::code);
    // PostgreSQL sums a BIGINT as NUMERIC; the cast keeps one integer type.
    let seconds = Func::cast_as(Func::sum(Expr::col(C::HandlingSeconds)), Alias::new("BIGINT"));
    let on_time = done().add(Condition::any().add(C::CompleteDue.is_null()).add(Expr::col(C::CompletedAt).lte(Expr::col(C::CompleteDue))));
    let satisfied = Condition::all().add(C::VisitedAt.is_not_null()).add(C::Satisfaction.is_in(satisfied_codes));
    let columns: [sea_orm::sea_query::SimpleExpr; 8] = [
        Func::count(Expr::col(C::Id)).into(),
        Func::count(Expr::col(C::CompletedAt)).into(),
        how_many(on_time),
        how_many(done().add(C::ReopenCount.eq(0))),
        how_many(done().add(C::VisitedAt.is_not_null())),
        Func::count(Expr::col(C::VisitedAt)).into(),
        how_many(satisfied),
        Func::coalesce([seconds.into(), Expr::val(0i64).into()]).into(),
    ];
    COUNTS.into_iter().zip(columns).fold(select, |s, (name, expr)| s.expr_as(expr, name.as_str()))
}

/// Counts every month's tally, and the orders per state, again from the
/// orders, in the zone given, in one transaction (a few seconds for a
/// million orders).
pub async fn rebuild(db: &Db, tz: Tz) -> AppResult<()> {
    use work_order::Column as C;
    let txn = db.begin().await?;
    work_order_tally::Entity::delete_many().exec(&*txn).await?;
    let end = |first: bool| {
        let q = work_order::Entity::find().select_only().column(C::CreatedAt);
        if first { q.order_by_asc(C::CreatedAt) } else { q.order_by_desc(C::CreatedAt) }.into_tuple::<DateTime<Utc>>().one(&*txn)
    };
    if let (Some(first), Some(last)) = (end(true).await?, end(false).await?) {
        let day = |t: DateTime<Utc>| t.with_timezone(&tz).date_naive();
        let select = work_order::Entity::find()
            .select_only()
            .column(C::ProjectId)
            .expr_as(month_of_creation(tz, day(first), day(last)), "month")
            .filter(C::State.ne(WorkOrderState::Voided.code()))
            .group_by(C::ProjectId)
            .group_by(Expr::col(Alias::new("month")));
        let columns = [work_order_tally::Column::ProjectId, work_order_tally::Column::Month].into_iter().chain(COUNTS);
        let fill = Query::insert()
            .into_table(work_order_tally::Entity)
            .columns(columns)
            .select_from(sums(select).into_query())
            .map_err(|e| AppError::Internal(e.into()))?
            .to_owned();
        txn.execute(txn.get_database_backend().build(&fill)).await?;
    }
    count_states(&*txn).await?;
    work_order_tally_zone::Entity::delete_many().exec(&*txn).await?;
    work_order_tally_zone::Entity::insert(work_order_tally_zone::ActiveModel { id: Set(1), zone: Set(tz.name().into()) })
        .exec_without_returning(&*txn)
        .await?;
    txn.commit().await?;
    Ok(())
}

/// Counts the orders per project and state again from the orders.
async fn count_states(txn: &impl ConnectionTrait) -> AppResult<()> {
    use work_order::Column as C;
    use work_order_state_tally::Column as S;
    work_order_state_tally::Entity::delete_many().exec(txn).await?;
    let counted = work_order::Entity::find()
        .select_only()
        .column(C::ProjectId)
        .column(C::State)
        .expr(Func::count(Expr::col(C::Id)))
        .group_by(C::ProjectId)
        .group_by(C::State);
    let fill = Query::insert()
        .into_table(work_order_state_tally::Entity)
        .columns([S::ProjectId, S::State, S::Orders])
        .select_from(counted.into_query())
        .map_err(|e| AppError::Internal(e.into()))?
        .to_owned();
    txn.execute(txn.get_database_backend().build(&fill)).await?;
    Ok(())
}

/// Counts the tallies from the orders when they were counted in another
/// zone, or never (a database just upgraded); true when it did.
pub async fn keep_in_zone(db: &Db, tz: Tz) -> AppResult<bool> {
    let kept = work_order_tally_zone::Entity::find_by_id(1).one(&db.conn).await?;
    if kept.is_some_and(|k| k.zone == tz.name()) {
        return Ok(false);
    }
    rebuild(db, tz).await?;
    Ok(true)
}

/// The kept tallies of the caller's projects (or of the one given) for the
/// months `first..=last` (`2026-12`), a row per project and month.
pub(crate) async fn kept(
    db: &Db,
    caller: &Caller,
    first: &str,
    last: &str,
    project: Option<i32>,
) -> AppResult<Vec<work_order_tally::Model>> {
    use work_order_tally::Column as T;
    let mut q = work_order_tally::Entity::find()
        .filter(T::Month.gte(first))
        .filter(T::Month.lte(last))
        .filter(caller.projects_condition(T::ProjectId));
    if let Some(p) = project {
        q = q.filter(T::ProjectId.eq(p));
    }
    Ok(q.all(&db.conn).await?)
}
