//! Return visits (SVC-5, VIS-1, VIS-3): the queue of accepted orders waiting
//! for a visit, recording a visit after an order or a standalone care call,
//! and the visit records. Visits are scoped by the management office they
//! belong to (the order's project's office, or the customer's office).

use chrono::NaiveDate;
use chrono_tz::Tz;
use domain::visit::{Attitude, FollowUp, Method, Satisfaction, VisitKind};
use sea_orm::{sea_query::Query, ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};
use serde::{Deserialize, Serialize};

use crate::{
    db::labels_by_id,
    entity::{customer, project, return_visit, work_order},
    list::{self, Found},
    AppError, AppResult, Caller, Db, Page, PageRequest,
};

mod queue;
mod record;
pub mod tally;

pub use queue::{pending_count, queue, queue_each, QueueFilter, QueueItem};
pub use record::{record_care_visit, record_order_visit, CareVisitInput, ComplaintRequest, VisitInput, COMPLAINT_REQUESTED};

pub type Visit = return_visit::Model;

/// A visit with the labels of its codes and the names it refers to.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct VisitView {
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub visit: Visit,
    pub kind_label: &'static str,
    pub method_label: &'static str,
    pub satisfaction_label: &'static str,
    pub attitude_label: &'static str,
    pub follow_up_label: &'static str,
    /// 非常满意 / 满意: what the satisfaction rate counts.
    pub satisfied: bool,
    pub dissatisfied: bool,
    pub customer_name: String,
    pub project_name: String,
    pub work_order_number: String,
}

async fn views(db: &impl ConnectionTrait, rows: Vec<Visit>) -> AppResult<Vec<VisitView>> {
    let customers =
        labels_by_id::<customer::Entity>(db, customer::Column::Id, customer::Column::Name, rows.iter().filter_map(|v| v.customer_id))
            .await?;
    let projects =
        labels_by_id::<project::Entity>(db, project::Column::Id, project::Column::Name, rows.iter().filter_map(|v| v.project_id)).await?;
    let orders = labels_by_id::<work_order::Entity>(
        db,
        work_order::Column::Id,
        work_order::Column::Number,
        rows.iter().filter_map(|v| v.work_order_id),
    )
    .await?;
    let name = |map: &std::collections::BTreeMap<i32, String>, id: Option<i32>| id.and_then(|i| map.get(&i).cloned()).unwrap_or_default();
    Ok(rows
        .into_iter()
        .map(|v| {
            let satisfaction = Satisfaction::from_code(&v.satisfaction);
            VisitView {
                kind_label: VisitKind::from_code(&v.kind).map_or("", VisitKind::label),
                method_label: Method::from_code(&v.method).map_or("", Method::label),
                satisfaction_label: satisfaction.map_or("", Satisfaction::label),
                attitude_label: Attitude::from_code(&v.attitude).map_or("", Attitude::label),
                follow_up_label: FollowUp::from_code(&v.follow_up).map_or("", FollowUp::label),
                satisfied: satisfaction.is_some_and(Satisfaction::is_satisfied),
                dissatisfied: satisfaction.is_some_and(Satisfaction::is_dissatisfied),
                customer_name: name(&customers, v.customer_id),
                project_name: name(&projects, v.project_id),
                work_order_number: name(&orders, v.work_order_id),
                visit: v,
            }
        })
        .collect())
}

/// Filters of the visit records; empty fields do not filter.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct VisitFilter {
    /// `order` or `care`.
    #[serde(default)]
    pub kind: Option<String>,
    #[serde(default)]
    pub satisfaction: Option<String>,
    #[serde(default)]
    pub follow_up: Option<String>,
    #[serde(default)]
    pub project_id: Option<i32>,
    #[serde(default)]
    pub customer_id: Option<i32>,
    #[serde(default)]
    pub work_order_id: Option<i32>,
    /// Visited on or after this day (company time zone).
    #[serde(default)]
    pub from: Option<NaiveDate>,
    /// Visited on or before this day (company time zone).
    #[serde(default)]
    pub to: Option<NaiveDate>,
}

fn non_empty(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// Whether a filter or the keyword leaves out some of the caller's visits.
fn narrows(req: &PageRequest, f: &VisitFilter) -> bool {
    let VisitFilter { kind, satisfaction, follow_up, project_id, customer_id, work_order_id, from, to } = f;
    req.keyword().is_some()
        || [kind, satisfaction, follow_up].into_iter().any(|s| non_empty(s).is_some())
        || project_id.is_some()
        || customer_id.is_some()
        || work_order_id.is_some()
        || from.is_some()
        || to.is_some()
}

fn filter_condition(caller: &Caller, tz: Tz, req: &PageRequest, f: &VisitFilter) -> Condition {
    let mut cond = caller.offices_condition(return_visit::Column::OfficeId);
    if let Some(k) = non_empty(&f.kind) {
        cond = cond.add(return_visit::Column::Kind.eq(k));
    }
    if let Some(s) = non_empty(&f.satisfaction) {
        cond = cond.add(return_visit::Column::Satisfaction.eq(s));
    }
    if let Some(s) = non_empty(&f.follow_up) {
        cond = cond.add(return_visit::Column::FollowUp.eq(s));
    }
    if let Some(p) = f.project_id {
        cond = cond.add(return_visit::Column::ProjectId.eq(p));
    }
    if let Some(c) = f.customer_id {
        cond = cond.add(return_visit::Column::CustomerId.eq(c));
    }
    if let Some(o) = f.work_order_id {
        cond = cond.add(return_visit::Column::WorkOrderId.eq(o));
    }
    if let Some(d) = f.from {
        cond = cond.add(return_visit::Column::VisitedAt.gte(crate::clock::day_start(tz, d)));
    }
    if let Some(d) = f.to.and_then(|d| d.succ_opt()) {
        cond = cond.add(return_visit::Column::VisitedAt.lt(crate::clock::day_start(tz, d)));
    }
    if let Some(k) = req.keyword() {
        let named = Query::select()
            .column(customer::Column::Id)
            .from(customer::Entity)
            .cond_where(caller.offices_condition(customer::Column::OrgUnitId).add(customer::Column::Name.contains(&k)))
            .to_owned();
        cond = cond
            .add(Condition::any().add(return_visit::Column::Content.contains(&k)).add(return_visit::Column::CustomerId.in_subquery(named)));
    }
    cond
}

/// Visit records in the caller's offices, newest first (`sort=visited_at`
/// for oldest first); the keyword searches the comments and the customer's name.
pub async fn list(db: &Db, caller: &Caller, tz: Tz, req: &PageRequest, f: &VisitFilter) -> AppResult<Page<VisitView>> {
    let mut items = Vec::new();
    let found = list_each(db, caller, tz, req, f, |views| items.extend(views)).await?;
    Ok(Page::found(items, found))
}

/// The visits of `list`, handed to `each` as views a part at a time
/// (`list::in_parts`), and how many match.
pub async fn list_each(
    db: &Db,
    caller: &Caller,
    tz: Tz,
    req: &PageRequest,
    f: &VisitFilter,
    each: impl FnMut(Vec<VisitView>),
) -> AppResult<Found> {
    caller.require("visit.view")?;
    let q = return_visit::Entity::find().filter(filter_condition(caller, tz, req, f));
    // The records as they open, every visit in scope, have a kept count.
    let total = if narrows(req, f) { q.clone().count(&db.conn).await? } else { tally::visits(db, caller).await? };
    let (_, desc) = req.sort_by(&["visited_at"], "-visited_at");
    let q = if desc {
        q.order_by_desc(return_visit::Column::VisitedAt).order_by_desc(return_visit::Column::Id)
    } else {
        q.order_by_asc(return_visit::Column::VisitedAt).order_by_asc(return_visit::Column::Id)
    };
    let ids = list::page_ids(&db.conn, q, return_visit::Column::Id, req).await?;
    let read = |part: Vec<i32>| async move {
        views(&db.conn, list::rows_by_id::<return_visit::Entity>(&db.conn, return_visit::Column::Id, &part).await?).await
    };
    list::in_parts(&ids, read, each).await?;
    Ok(Found::total(total))
}

/// One visit; outside the caller's offices it does not exist.
pub async fn get(db: &Db, caller: &Caller, id: i32) -> AppResult<VisitView> {
    caller.require("visit.view")?;
    let v = return_visit::Entity::find_by_id(id)
        .filter(caller.offices_condition(return_visit::Column::OfficeId))
        .one(&db.conn)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(views(&db.conn, vec![v]).await?.remove(0))
}
