//! The return-visit queue (VIS-1): accepted orders not yet visited, the
//! longest-waiting first.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use domain::workorder::WorkOrderState;
use sea_orm::{ColumnTrait, Condition, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};
use serde::{Deserialize, Serialize};

use crate::{
    db::labels_by_id,
    entity::{customer, project, room, user, work_order},
    list::{self, Found},
    workorder::tally,
    AppResult, Caller, Db, Page, PageRequest,
};

#[derive(Debug, Clone, Default, Deserialize)]
pub struct QueueFilter {
    #[serde(default)]
    pub project_id: Option<i32>,
}

/// An order waiting for its return visit.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct QueueItem {
    pub work_order_id: i32,
    pub number: String,
    /// The order's version, to send with the visit.
    pub version: i32,
    pub project_name: String,
    /// The room's code, or the public area of an internal order.
    pub location: String,
    pub customer_id: Option<i32>,
    pub customer_name: String,
    pub assignee_name: String,
    pub category: String,
    pub description: String,
    pub result: String,
    pub accepted_at: Option<DateTime<Utc>>,
    /// Minutes since the customer accepted the work.
    pub waiting_minutes: i64,
}

/// Accepted orders in the caller's projects: once visited they move on to
/// 已回访, so the state alone says "not yet visited" (an order reopened after
/// a visit and accepted again waits for a new visit).
fn waiting(caller: &Caller) -> Condition {
    caller.projects_condition(work_order::Column::ProjectId).add(work_order::Column::State.eq(WorkOrderState::Accepted.code()))
}

/// The queue, oldest acceptance first, with the names a visitor needs.
pub async fn queue(db: &Db, caller: &Caller, req: &PageRequest, f: &QueueFilter) -> AppResult<Page<QueueItem>> {
    let mut items = Vec::new();
    let found = queue_each(db, caller, req, f, |part| items.extend(part)).await?;
    Ok(Page::found(items, found))
}

/// The orders of `queue`, handed to `each` a part at a time
/// (`list::in_parts`), and how many wait.
pub async fn queue_each(
    db: &Db,
    caller: &Caller,
    req: &PageRequest,
    f: &QueueFilter,
    each: impl FnMut(Vec<QueueItem>),
) -> AppResult<Found> {
    caller.require("visit.view")?;
    let mut cond = waiting(caller);
    if let Some(p) = f.project_id {
        cond = cond.add(work_order::Column::ProjectId.eq(p));
    }
    let keyword = req.keyword();
    if let Some(k) = &keyword {
        cond = cond.add(crate::workorder::keyword_condition(k));
    }
    let q = work_order::Entity::find().filter(cond);
    // Without a keyword the kept counts answer (as the workbench's 待回访工单):
    // counting the waiting orders read every one of them on PostgreSQL,
    // 200 ms for the 60,000 of scale L.
    let total = match keyword {
        None => tally::in_state(db, caller, WorkOrderState::Accepted, f.project_id).await?,
        Some(_) => q.clone().count(&db.conn).await?,
    };
    let q = q.order_by_asc(work_order::Column::AcceptedAt).order_by_asc(work_order::Column::Id);
    let ids = list::page_ids(&db.conn, q, work_order::Column::Id, req).await?;
    let read = |part: Vec<i32>| async move {
        items(db, list::rows_by_id::<work_order::Entity>(&db.conn, work_order::Column::Id, &part).await?).await
    };
    list::in_parts(&ids, read, each).await?;
    Ok(Found::total(total))
}

/// How many orders wait for a visit in the caller's projects (the workbench).
pub async fn pending_count(db: &Db, caller: &Caller) -> AppResult<u64> {
    caller.require("visit.view")?;
    // The queue is the orders accepted and not yet visited (`waiting`).
    crate::workorder::tally::in_state(db, caller, WorkOrderState::Accepted, None).await
}

async fn items(db: &Db, rows: Vec<work_order::Model>) -> AppResult<Vec<QueueItem>> {
    let c = &db.conn;
    let projects =
        labels_by_id::<project::Entity>(c, project::Column::Id, project::Column::Name, rows.iter().map(|o| o.project_id)).await?;
    let rooms = labels_by_id::<room::Entity>(c, room::Column::Id, room::Column::Code, rows.iter().filter_map(|o| o.room_id)).await?;
    let customers =
        labels_by_id::<customer::Entity>(c, customer::Column::Id, customer::Column::Name, rows.iter().filter_map(|o| o.customer_id))
            .await?;
    let users =
        labels_by_id::<user::Entity>(c, user::Column::Id, user::Column::DisplayName, rows.iter().filter_map(|o| o.assignee_id)).await?;
    let now = Utc::now();
    let name = |map: &BTreeMap<i32, String>, id: Option<i32>| id.and_then(|i| map.get(&i).cloned()).unwrap_or_default();
    Ok(rows
        .into_iter()
        .map(|o| {
            let accepted_at = o.accepted_at;
            QueueItem {
                work_order_id: o.id,
                number: o.number,
                version: o.version,
                project_name: projects.get(&o.project_id).cloned().unwrap_or_default(),
                location: match o.room_id {
                    Some(r) => rooms.get(&r).cloned().unwrap_or_default(),
                    None => o.public_area,
                },
                customer_id: o.customer_id,
                customer_name: name(&customers, o.customer_id),
                assignee_name: name(&users, o.assignee_id),
                category: o.category,
                description: o.description,
                result: o.result.unwrap_or_default(),
                waiting_minutes: accepted_at.map_or(0, |a| (now - a).num_minutes().max(0)),
                accepted_at,
            }
        })
        .collect())
}
