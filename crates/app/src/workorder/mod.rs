//! Work orders (SVC-1…3, SLA-1): create from any channel, dispatch, the
//! lifecycle through the domain state machine, SLA due times on the
//! company's working calendar (paused while waiting on the customer), and a
//! timeline of every step.

use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;
use domain::{
    audit::AuditAction,
    money::{order_total, Fen, Qty},
    validation::{is_phone, normalize_phone, normalize_text},
    workorder::{Action, Pause, WorkOrderState},
    FieldErrors,
};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DatabaseTransaction, EntityTrait, IntoActiveModel,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, TransactionTrait,
};
use serde::{Deserialize, Serialize};

use crate::{
    audit::{self, Change},
    customer::record,
    db::{claim_version, labels_by_id},
    entity::{customer, project, room, user, work_order, work_order_event, work_order_material},
    list::{self, Found},
    property::{project as projects, room as rooms},
    settings::{self, CompanySettings},
    AppError, AppResult, Caller, Db, Page, PageRequest,
};

pub mod escalation;
pub mod history;
pub(crate) mod intake;
pub mod lookup;
pub mod photo;
pub mod tally;
pub mod targets;

pub type WorkOrder = work_order::Model;

#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct WorkOrderInput {
    /// The room asked about; or `project_id` + `public_area` for an internal order.
    #[serde(default)]
    pub room_id: Option<i32>,
    #[serde(default)]
    pub project_id: Option<i32>,
    #[serde(default)]
    pub public_area: String,
    #[serde(default)]
    pub customer_id: Option<i32>,
    /// From the `service_category` dictionary.
    #[serde(default)]
    pub category: String,
    /// `paid` or `internal`.
    #[serde(default)]
    pub kind: String,
    /// `emergency` or `normal`.
    #[serde(default)]
    pub priority: String,
    #[serde(default)]
    pub channel: String,
    #[serde(default)]
    pub contact_name: String,
    #[serde(default)]
    pub contact_phone: String,
    #[serde(default)]
    pub description: String,
    /// Requested items picked from the preset phrases (报修常用语).
    #[serde(default)]
    pub requested_items: Vec<String>,
    /// Appointment in the company's time zone, `2026-12-02 14:30`.
    #[serde(default)]
    pub appointment_at: String,
    /// A one-time token of the form: submitting the same token again returns
    /// the order it created instead of a second one.
    #[serde(default)]
    pub request_token: Option<String>,
    /// Photos already checked and stored (`photo::store_uploads`), attached
    /// as 报修照片 with the new order.
    #[serde(skip)]
    pub photos: Vec<photo::StoredPhoto>,
}

/// Parses a local `YYYY-MM-DD HH:MM` (or the `T` of a datetime-local input).
fn parse_local_minute(tz: Tz, text: &str) -> Result<Option<DateTime<Utc>>, &'static str> {
    let t = normalize_text(text).replace('T', " ");
    if t.is_empty() {
        return Ok(None);
    }
    let naive = NaiveDateTime::parse_from_str(&t, "%Y-%m-%d %H:%M").map_err(|_| "请按“2026-12-02 14:30”的格式填写")?;
    utc(tz, naive).map(Some).ok_or("该时间在本时区不存在")
}

async fn by_request_token(db: &impl ConnectionTrait, caller: &Caller, token: &str) -> AppResult<Option<WorkOrder>> {
    Ok(work_order::Entity::find()
        .filter(work_order::Column::CreatedBy.eq(caller.user_id))
        .filter(work_order::Column::RequestToken.eq(token))
        .one(db)
        .await?)
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct EventView {
    pub at: DateTime<Utc>,
    pub user_name: String,
    pub action: String,
    pub action_label: &'static str,
    pub to_state_label: &'static str,
    pub note: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct WorkOrderView {
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub order: WorkOrder,
    pub state_label: &'static str,
    pub project_name: String,
    pub room_code: String,
    pub customer_name: String,
    pub assignee_name: String,
    /// Actions allowed now, as `(code, label)`.
    pub actions: Vec<(String, String)>,
    /// True when a due time has passed while the order is still open.
    pub overdue: bool,
    pub events: Vec<EventView>,
    #[schema(value_type = Vec<Object>)]
    pub materials: Vec<work_order_material::Model>,
    /// The fee to bill, e.g. `¥86.53` (paid orders; the billing module turns it into an ad-hoc bill).
    pub total_text: String,
}

pub fn priority_label(p: &str) -> &'static str {
    if p == "emergency" {
        "紧急"
    } else {
        "一般"
    }
}

pub fn kind_label(k: &str) -> &'static str {
    if k == "paid" {
        "有偿服务"
    } else {
        "内部/免费"
    }
}

async fn views(db: &impl ConnectionTrait, rows: Vec<WorkOrder>, with_events: bool) -> AppResult<Vec<WorkOrderView>> {
    let projects =
        labels_by_id::<project::Entity>(db, project::Column::Id, project::Column::Name, rows.iter().map(|o| o.project_id)).await?;
    let rooms = labels_by_id::<room::Entity>(db, room::Column::Id, room::Column::Code, rows.iter().filter_map(|o| o.room_id)).await?;
    let customers =
        labels_by_id::<customer::Entity>(db, customer::Column::Id, customer::Column::Name, rows.iter().filter_map(|o| o.customer_id))
            .await?;
    let users =
        labels_by_id::<user::Entity>(db, user::Column::Id, user::Column::DisplayName, rows.iter().filter_map(|o| o.assignee_id)).await?;
    let now = Utc::now();
    let mut out = Vec::with_capacity(rows.len());
    for o in rows {
        let (events, materials) = if with_events {
            let events = work_order_event::Entity::find()
                .filter(work_order_event::Column::WorkOrderId.eq(o.id))
                .order_by_asc(work_order_event::Column::Id)
                .all(db)
                .await?;
            let materials = work_order_material::Entity::find()
                .filter(work_order_material::Column::WorkOrderId.eq(o.id))
                .order_by_asc(work_order_material::Column::Id)
                .all(db)
                .await?;
            (events, materials)
        } else {
            (vec![], vec![])
        };
        let names = Names {
            project: projects.get(&o.project_id).cloned().unwrap_or_default(),
            room: o.room_id.and_then(|r| rooms.get(&r).cloned()).unwrap_or_default(),
            customer: o.customer_id.and_then(|c| customers.get(&c).cloned()).unwrap_or_default(),
            assignee: o.assignee_id.and_then(|u| users.get(&u).cloned()).unwrap_or_default(),
        };
        out.push(view_of(o, names, events, materials, now));
    }
    Ok(out)
}

/// The names an order's view shows for its ids.
struct Names {
    project: String,
    room: String,
    customer: String,
    assignee: String,
}

fn view_of(
    o: WorkOrder,
    names: Names,
    events: Vec<work_order_event::Model>,
    materials: Vec<work_order_material::Model>,
    now: DateTime<Utc>,
) -> WorkOrderView {
    let state = WorkOrderState::from_code(&o.state).unwrap_or(WorkOrderState::PendingDispatch);
    let events = events
        .into_iter()
        .map(|e| EventView {
            at: e.at,
            user_name: e.user_name,
            action_label: match Action::from_code(&e.action) {
                Some(a) => a.label(),
                None if e.action == photo::EVENT => photo::EVENT_LABEL,
                None if e.action == domain::workorder::escalation::EVENT_ACTION => domain::workorder::escalation::EVENT_LABEL,
                None => "新建",
            },
            to_state_label: WorkOrderState::from_code(&e.to_state).map_or("", WorkOrderState::label),
            action: e.action,
            note: e.note,
        })
        .collect();
    WorkOrderView {
        state_label: state.label(),
        project_name: names.project,
        room_code: names.room,
        customer_name: names.customer,
        assignee_name: names.assignee,
        actions: state.actions().into_iter().map(|a| (a.code().to_string(), a.label().to_string())).collect(),
        overdue: is_overdue(&o, state, now),
        events,
        materials,
        total_text: Fen(o.total_fee).display(),
        order: o,
    }
}

/// Whether a clock of an open order has run out: completion, or response /
/// on site while not yet met.
pub fn is_overdue(o: &WorkOrder, state: WorkOrderState, now: DateTime<Utc>) -> bool {
    let missed = |due: Option<DateTime<Utc>>, met: Option<DateTime<Utc>>| met.is_none() && due.is_some_and(|d| d < now);
    state.is_open() && (missed(o.complete_due, None) || missed(o.response_due, o.responded_at) || missed(o.onsite_due, o.arrived_at))
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct WorkOrderFilter {
    #[serde(default)]
    pub state: Option<String>,
    #[serde(default)]
    pub project_id: Option<i32>,
    /// Only orders assigned to the caller (我的工单).
    #[serde(default)]
    pub mine: bool,
    #[serde(default)]
    pub customer_id: Option<i32>,
    /// Only open orders with a clock run out (超时工单).
    #[serde(default)]
    pub overdue: bool,
    /// Created on or after this day (company time zone).
    #[serde(default)]
    pub created_from: Option<NaiveDate>,
    /// Created on or before this day (company time zone).
    #[serde(default)]
    pub created_to: Option<NaiveDate>,
}

/// The orders a caller may see: every order of their projects with
/// `workorder.view`; an engineer who only handles orders
/// (`workorder.handle` without `view`) sees just the ones assigned to them.
fn visible(caller: &Caller) -> AppResult<Condition> {
    let in_projects = caller.projects_condition(work_order::Column::ProjectId);
    if caller.can("workorder.view") {
        Ok(in_projects)
    } else if caller.can("workorder.handle") {
        Ok(in_projects.add(work_order::Column::AssigneeId.eq(caller.user_id)))
    } else {
        Err(AppError::Forbidden)
    }
}

/// What the keyword box of an order list searches: number, content, phone.
pub(crate) fn keyword_condition(k: &str) -> Condition {
    Condition::any()
        .add(work_order::Column::Number.contains(k))
        .add(work_order::Column::Description.contains(k))
        .add(work_order::Column::ContactPhone.contains(k))
}

/// Open orders whose completion, response or on-site clock has run out
/// (`next_due` is empty for orders no longer open).
fn overdue_condition(now: DateTime<Utc>) -> Condition {
    Condition::all().add(work_order::Column::NextDue.lt(now))
}

pub async fn list(db: &Db, caller: &Caller, req: &PageRequest, f: &WorkOrderFilter) -> AppResult<Page<WorkOrderView>> {
    let mut items = Vec::new();
    let found = list_each(db, caller, req, f, |views| items.extend(views)).await?;
    Ok(Page::found(items, found))
}

/// The orders of `list`, newest first, handed to `each` as views a part at
/// a time (`list::in_parts`), and how many match.
pub async fn list_each(
    db: &Db,
    caller: &Caller,
    req: &PageRequest,
    f: &WorkOrderFilter,
    each: impl FnMut(Vec<WorkOrderView>),
) -> AppResult<Found> {
    let mut cond = filter_condition(caller, f)?;
    if let Some(k) = req.keyword() {
        cond = cond.add(keyword_condition(&k));
    }
    let q = work_order::Entity::find().filter(cond);
    let total = q.clone().count(&db.conn).await?;
    let ids = list::page_ids(&db.conn, q.order_by_desc(work_order::Column::Id), work_order::Column::Id, req).await?;
    let read = |part: Vec<i32>| async move {
        let orders = list::rows_by_id::<work_order::Entity>(&db.conn, work_order::Column::Id, &part).await?;
        views(&db.conn, orders, false).await
    };
    list::in_parts(&ids, read, each).await?;
    Ok(Found::total(total))
}

/// How many orders the filter finds, without reading any (the workbench's counts).
pub async fn count(db: &Db, caller: &Caller, f: &WorkOrderFilter) -> AppResult<u64> {
    Ok(work_order::Entity::find().filter(filter_condition(caller, f)?).count(&db.conn).await?)
}

fn filter_condition(caller: &Caller, f: &WorkOrderFilter) -> AppResult<Condition> {
    let mut cond = visible(caller)?;
    if f.overdue {
        cond = cond.add(overdue_condition(Utc::now()));
    }
    if let Some(s) = f.state.as_deref().filter(|s| !s.is_empty()) {
        cond = cond.add(work_order::Column::State.eq(s));
    }
    if let Some(p) = f.project_id {
        cond = cond.add(work_order::Column::ProjectId.eq(p));
    }
    if f.mine {
        cond = cond.add(work_order::Column::AssigneeId.eq(caller.user_id));
    }
    if let Some(c) = f.customer_id {
        cond = cond.add(work_order::Column::CustomerId.eq(c));
    }
    let tz = crate::clock::zone();
    if let Some(d) = f.created_from {
        cond = cond.add(work_order::Column::CreatedAt.gte(crate::clock::day_start(tz, d)));
    }
    if let Some(d) = f.created_to.and_then(|d| d.succ_opt()) {
        cond = cond.add(work_order::Column::CreatedAt.lt(crate::clock::day_start(tz, d)));
    }
    Ok(cond)
}

/// How many orders the caller sees in `state` now, from the kept counts
/// (the workbench's 待派工工单); one who only handles orders counts their own.
pub async fn count_in_state(db: &Db, caller: &Caller, state: WorkOrderState) -> AppResult<u64> {
    if caller.can("workorder.view") {
        return tally::in_state(db, caller, state, None).await;
    }
    count(db, caller, &WorkOrderFilter { state: Some(state.code().into()), mine: true, ..Default::default() }).await
}

/// The earliest unmet due time of an open order: what breaches next.
pub fn next_due(o: &WorkOrder) -> Option<DateTime<Utc>> {
    earliest_unmet(o.response_due, o.responded_at, o.onsite_due, o.arrived_at, o.complete_due)
}

fn earliest_unmet(
    response_due: Option<DateTime<Utc>>,
    responded_at: Option<DateTime<Utc>>,
    onsite_due: Option<DateTime<Utc>>,
    arrived_at: Option<DateTime<Utc>>,
    complete_due: Option<DateTime<Utc>>,
) -> Option<DateTime<Utc>> {
    let unmet = |due: Option<DateTime<Utc>>, met: Option<DateTime<Utc>>| due.filter(|_| met.is_none());
    [unmet(response_due, responded_at), unmet(onsite_due, arrived_at), complete_due].into_iter().flatten().min()
}

/// Sets the columns derived from an order's state and clocks, so reads can
/// use an index or a sum instead of computing them per order: `next_due`
/// (the overdue reads), empty once the order is no longer open, and
/// `handling_seconds` (the service measures), set once it is completed.
/// Every save of an order calls it (the entity's `before_save`), and so does
/// `insert_orders`. A column whose inputs are not all in a partial model is
/// left as it is.
pub fn with_derived_columns(mut am: work_order::ActiveModel) -> work_order::ActiveModel {
    let v = |c: &sea_orm::ActiveValue<Option<DateTime<Utc>>>| c.try_as_ref().copied();
    if let (Some(state), Some(response_due), Some(responded_at), Some(onsite_due), Some(arrived_at), Some(complete_due)) =
        (am.state.try_as_ref(), v(&am.response_due), v(&am.responded_at), v(&am.onsite_due), v(&am.arrived_at), v(&am.complete_due))
    {
        let open = WorkOrderState::from_code(state).is_some_and(|s| s.is_open());
        let next = earliest_unmet(response_due, responded_at, onsite_due, arrived_at, complete_due);
        am.next_due = Set(next.filter(|_| open));
    }
    if let (Some(created), Some(completed)) = (am.created_at.try_as_ref().copied(), v(&am.completed_at)) {
        am.handling_seconds = Set(completed.map(|done| (done - created).num_seconds()));
    }
    am
}

/// Inserts numbered orders in one statement and gives them back in the order
/// given (the returned rows' order is not promised: matched by number), and
/// counts them in the tallies. A bulk insert skips the entity's
/// `before_save`, so the derived columns are set here.
pub(crate) async fn insert_orders(db: &impl ConnectionTrait, tz: Tz, orders: Vec<work_order::ActiveModel>) -> AppResult<Vec<WorkOrder>> {
    let orders: Vec<work_order::ActiveModel> = orders.into_iter().map(with_derived_columns).collect();
    let numbers: Vec<String> = orders.iter().map(|o| o.number.as_ref().clone()).collect();
    let mut by_number: std::collections::HashMap<String, WorkOrder> =
        work_order::Entity::insert_many(orders).exec_with_returning_many(db).await?.into_iter().map(|o| (o.number.clone(), o)).collect();
    let inserted: Vec<WorkOrder> = numbers
        .iter()
        .map(|n| by_number.remove(n).ok_or_else(|| AppError::Internal(anyhow::anyhow!("order {n} not returned"))))
        .collect::<AppResult<_>>()?;
    tally::shift(db, tz, inserted.iter().map(|o| (None, Some(o)))).await?;
    Ok(inserted)
}

/// Open orders that have breached or will breach a clock within `within`,
/// the most urgent first (the agent's "about to breach" list, SLA-2).
pub async fn at_risk(db: &Db, caller: &Caller, within: chrono::Duration, limit: u64) -> AppResult<Vec<WorkOrderView>> {
    let cond = visible(caller)?.add(overdue_condition(Utc::now() + within));
    let rows = work_order::Entity::find()
        .filter(cond)
        .order_by_asc(work_order::Column::NextDue)
        .order_by_asc(work_order::Column::Id)
        .limit(limit)
        .all(&db.conn)
        .await?;
    views(&db.conn, rows, false).await
}

async fn get_model(db: &impl ConnectionTrait, caller: &Caller, id: i32) -> AppResult<WorkOrder> {
    work_order::Entity::find_by_id(id).filter(visible(caller)?).one(db).await?.ok_or(AppError::NotFound)
}

pub async fn get(db: &Db, caller: &Caller, id: i32) -> AppResult<WorkOrderView> {
    let o = get_model(&db.conn, caller, id).await?;
    Ok(views(&db.conn, vec![o], true).await?.remove(0))
}

fn local(tz: Tz, t: DateTime<Utc>) -> NaiveDateTime {
    t.with_timezone(&tz).naive_local()
}

fn utc(tz: Tz, t: NaiveDateTime) -> Option<DateTime<Utc>> {
    tz.from_local_datetime(&t).earliest().map(|x| x.with_timezone(&Utc))
}

/// Response, on-site and completion due times (UTC) of an order created at
/// `created`, with the pauses so far (SLA-1).
type DueTimes = (Option<DateTime<Utc>>, Option<DateTime<Utc>>, Option<DateTime<Utc>>);

fn order_due_times(
    settings: &CompanySettings,
    tz: Tz,
    category: &str,
    priority: &str,
    created: DateTime<Utc>,
    pauses: &[Pause],
) -> DueTimes {
    let t = targets::for_order(settings, category, priority == "emergency");
    let (r, o, c) = domain::workorder::due_times(settings.calendar(), &t, local(tz, created), pauses);
    (r.and_then(|x| utc(tz, x)), o.and_then(|x| utc(tz, x)), c.and_then(|x| utc(tz, x)))
}

/// Pauses of an order: from each wait-on-customer to the next resume.
fn pauses(events: &[work_order_event::Model], tz: Tz) -> Vec<Pause> {
    let mut out: Vec<Pause> = Vec::new();
    for e in events {
        match Action::from_code(&e.action) {
            Some(Action::WaitCustomer) => out.push(Pause { from: local(tz, e.at), to: None }),
            Some(Action::Resume) | Some(Action::Void) => {
                if let Some(p) = out.last_mut().filter(|p| p.to.is_none()) {
                    p.to = Some(local(tz, e.at));
                }
            }
            _ => {}
        }
    }
    out
}

/// A step's timeline row, at the time the step wrote on the order (its
/// `completed_at`, `accepted_at`, …), from state `states.0` to `states.1`.
async fn event(
    db: &impl ConnectionTrait,
    caller: &Caller,
    order: i32,
    at: DateTime<Utc>,
    action: &str,
    states: (&str, &str),
    note: &str,
) -> AppResult<work_order_event::Model> {
    Ok(event_row(order, at, caller.user_id, &caller.display_name, action, states.0, states.1, note).insert(db).await?)
}

/// A timeline row, written alone by a step or in bulk by a group commit or
/// the history generator.
#[allow(clippy::too_many_arguments)]
fn event_row(
    order: i32,
    at: DateTime<Utc>,
    user_id: i32,
    user_name: &str,
    action: &str,
    from: &str,
    to: &str,
    note: &str,
) -> work_order_event::ActiveModel {
    work_order_event::ActiveModel {
        work_order_id: Set(order),
        at: Set(at),
        user_id: Set(user_id),
        user_name: Set(user_name.into()),
        action: Set(action.into()),
        from_state: Set(from.into()),
        to_state: Set(to.into()),
        note: Set(note.chars().take(500).collect()),
        ..Default::default()
    }
}

/// The order an earlier submission of the same form made, as the create answers it.
async fn first_submission(db: &Db, caller: &Caller, token: &str) -> AppResult<Option<WorkOrderView>> {
    match by_request_token(&db.conn, caller, token).await? {
        Some(first) => Ok(Some(views(&db.conn, vec![first], true).await?.remove(0))),
        None => Ok(None),
    }
}

/// Creates an order (SVC-1): numbered, due times computed, on the timeline.
pub async fn create(db: &Db, caller: &Caller, tz: Tz, input: &WorkOrderInput) -> AppResult<WorkOrderView> {
    caller.require("workorder.create")?;
    // A form submitted again (a double click, a retry after a lost answer)
    // carries the same token and gets the order its first submission made:
    // the insert meets the unique (created_by, request_token) and the first
    // order is answered; if the form no longer passes the checks, it is
    // looked up before the errors are answered.
    let token = input.request_token.as_deref().map(str::trim).filter(|t| !t.is_empty() && t.len() <= 64);
    // Everything is checked and looked up before the create is queued for
    // the writer (`intake`), which writes just the number, the rows and the
    // audit. The lookups share one read transaction: one connection taken
    // and given back instead of one per lookup, one consistent view, and on
    // SQLite one check of the connection's page cache against the commits
    // since its last read.
    let reads = db.conn.begin().await?;
    let conn = &reads;
    let mut errors = FieldErrors::new();
    let (room, project) = match input.room_id {
        Some(id) => rooms::get_with_project(conn, caller, id).await.ok().unzip(),
        None => (None, None),
    };
    // Without a room (or with one out of reach, refused below) the project
    // chosen on the form.
    let project = match (project, input.project_id) {
        (None, Some(p)) => projects::get(conn, caller, p).await.ok(),
        (project, _) => project,
    };
    let public_area = normalize_text(&input.public_area);
    if input.room_id.is_some() && room.is_none() {
        errors.add("room_id", "房间不存在或无权访问");
    } else if room.is_none() && (project.is_none() || public_area.is_empty()) {
        errors.add("room_id", "请选择房间，或选择项目并填写公共区域");
    }
    // A room's order is the billing party's unless another customer is named.
    let customer_id = match (input.customer_id, &room) {
        (Some(id), _) => Some(id),
        (None, Some(r)) => crate::occupancy::billing_customer(conn, r.id).await?,
        (None, None) => None,
    };
    let (customer, first_phone) = match customer_id {
        Some(id) => record::get_with_first_phone(conn, caller, id).await.ok().unzip(),
        None => (None, None),
    };
    if customer_id.is_some() && customer.is_none() {
        errors.add("customer_id", "客户不存在或无权访问");
    }
    let phone = normalize_phone(&input.contact_phone);
    // Given back before anything else takes a connection (the settings on a
    // cache miss, the token's first order): creates that held one while
    // waiting for another could take the whole pool and wait forever.
    reads.commit().await?;
    let company = match &project {
        Some(p) => Some(settings::for_request(db, caller, p.company_id).await?),
        None => None,
    };
    let options = |dict_type| company.as_ref().map_or(&[][..], |c| c.options(dict_type));
    let category = errors.required("category", "服务类别", &normalize_text(&input.category));
    if company.is_some() && !category.is_empty() && !options("service_category").contains(&category) {
        errors.add("category", "请从服务类别中选择");
    }
    if !matches!(input.kind.as_str(), "paid" | "internal") {
        errors.add("kind", "请选择有偿或内部");
    }
    if !matches!(input.priority.as_str(), "emergency" | "normal") {
        errors.add("priority", "请选择紧急程度");
    }
    let description = errors.required("description", "报修内容", &normalize_text(&input.description));
    errors.max_chars("description", "报修内容", &description, 2000);
    let phrases = options("repair_phrase");
    let items: Vec<String> = input.requested_items.iter().map(|i| normalize_text(i)).filter(|i| !i.is_empty()).collect();
    if items.iter().any(|i| !phrases.contains(i)) {
        errors.add("requested_items", "请从报修常用语中选择");
    }
    let requested_items = items.join("、");
    errors.max_chars("requested_items", "报修事项", &requested_items, 500);
    let appointment_at = parse_local_minute(tz, &input.appointment_at).unwrap_or_else(|m| {
        errors.add("appointment_at", m);
        None
    });
    if !phone.is_empty() && !is_phone(&phone) {
        errors.add("contact_phone", "联系电话格式不正确");
    }
    if let Err(e) = errors.into_result() {
        return match token {
            Some(t) => first_submission(db, caller, t).await?.ok_or(e.into()),
            None => Err(e.into()),
        };
    }
    let (project, company) = (project.expect("validated"), company.expect("validated"));
    // The customer's first phone is the contact phone unless one is typed.
    let phone = if phone.is_empty() { first_phone.flatten().unwrap_or_default() } else { phone };
    // The customer is the contact unless another name is typed.
    let typed: String = normalize_text(&input.contact_name).chars().take(64).collect();
    let contact_name = if typed.is_empty() { customer.as_ref().map(|c| c.name.clone()).unwrap_or_default() } else { typed };
    let now = Utc::now();
    let (response_due, onsite_due, complete_due) = order_due_times(&company, tz, &category, &input.priority, now, &[]);
    let contractor = targets::warranty_for(&company, &category, room.as_ref().and_then(|r| r.delivery_date), local(tz, now).date());
    let rule = company.numbering_rule("work_order")?.clone();
    let order = work_order::ActiveModel {
        // Taken when the order is written, in the order creates arrive.
        number: Set(String::new()),
        company_id: Set(project.company_id),
        project_id: Set(project.id),
        room_id: Set(room.as_ref().map(|r| r.id)),
        customer_id: Set(customer.as_ref().map(|c| c.id)),
        public_area: Set(public_area),
        category: Set(category),
        kind: Set(input.kind.clone()),
        priority: Set(input.priority.clone()),
        channel: Set(normalize_text(&input.channel)),
        contact_name: Set(contact_name),
        contact_phone: Set(phone),
        description: Set(description),
        appointment_at: Set(appointment_at),
        warranty: Set(contractor.is_some()),
        contractor: Set(contractor.unwrap_or_default()),
        requested_items: Set(requested_items),
        request_token: Set(token.map(str::to_string)),
        state: Set(WorkOrderState::PendingDispatch.code().into()),
        assignee_id: Set(None),
        created_by: Set(caller.user_id),
        response_due: Set(response_due),
        onsite_due: Set(onsite_due),
        complete_due: Set(complete_due),
        responded_at: Set(None),
        completed_at: Set(None),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    };
    let draft = intake::Draft { order, rule, day: local(tz, now).date(), tz, caller: caller.clone(), photos: input.photos.clone() };
    let intake::Created { order: o, event: created } = match (db.intake.submit(db, draft).await, token) {
        // The same form submitted again: the first submission made the order.
        (Err(AppError::Db(e)), Some(t)) if crate::error::is_unique_violation(&e) => {
            return first_submission(db, caller, t).await?.ok_or(AppError::Db(e));
        }
        (written, _) => written?,
    };
    // The view from what is at hand rather than read back: a new order has
    // one event and no materials.
    let names = Names {
        project: project.name,
        room: room.map(|r| r.code).unwrap_or_default(),
        customer: customer.map(|c| c.name).unwrap_or_default(),
        assignee: String::new(),
    };
    Ok(view_of(o, names, vec![created], vec![], Utc::now()))
}

/// One line of materials used (SVC-4).
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct MaterialInput {
    #[serde(default)]
    pub item: String,
    /// Up to three decimals, e.g. `"1.5"`.
    #[serde(default)]
    pub quantity: String,
    /// Yuan with up to two decimals, e.g. `"12.35"`.
    #[serde(default)]
    pub unit_price: String,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct ActInput {
    /// An action code: dispatch, reassign, start, wait_customer, resume,
    /// complete, customer_accept, customer_reject, return_visit, reopen, close, void.
    pub action: String,
    /// The engineer to dispatch or reassign to.
    #[serde(default)]
    pub assignee_id: Option<i32>,
    #[serde(default)]
    pub note: String,
    /// Completion only: what was done.
    #[serde(default)]
    pub result: String,
    /// Completion only: materials used.
    #[serde(default)]
    pub materials: Vec<MaterialInput>,
    /// Completion only: labour in yuan, e.g. `"50"`.
    #[serde(default)]
    pub labour_fee: String,
}

/// The checked completion: result, material lines and the fee (SVC-4).
struct Completion {
    result: String,
    lines: Vec<(String, Qty, Fen, Fen)>,
    labour: Fen,
    total: Fen,
}

/// Checks a completion; the fee of a paid order is the exact sum of its
/// material lines (each rounded once) and labour, an internal order's is 0.
fn check_completion(input: &ActInput, paid: bool) -> Result<Completion, FieldErrors> {
    let mut errors = FieldErrors::new();
    let result = errors.required("result", "处理结果", &normalize_text(&input.result));
    errors.max_chars("result", "处理结果", &result, 2000);
    let mut lines = Vec::new();
    for (i, m) in input.materials.iter().enumerate() {
        let item = normalize_text(&m.item);
        if item.is_empty() && m.quantity.trim().is_empty() && m.unit_price.trim().is_empty() {
            continue;
        }
        match (Qty::parse(&normalize_text(&m.quantity)), Fen::parse(&normalize_text(&m.unit_price))) {
            (Ok(q), Ok(p)) if !item.is_empty() && p.0 >= 0 => lines.push((item, q, p, q.times(p))),
            _ => errors.add("materials", format!("第 {} 行材料：请填写名称、数量（最多三位小数）和单价（元）", i + 1)),
        }
    }
    let labour = match normalize_text(&input.labour_fee).as_str() {
        "" => Fen(0),
        t => Fen::parse(t).unwrap_or_else(|m| {
            errors.add("labour_fee", m);
            Fen(0)
        }),
    };
    errors.into_result()?;
    let total = if paid { order_total(&lines.iter().map(|(_, q, p, _)| (*q, *p)).collect::<Vec<_>>(), labour) } else { Fen(0) };
    Ok(Completion { result, lines, labour, total })
}

/// Moves an order through its lifecycle (SVC-2, SVC-3). Two agents acting on
/// the same version: the first wins, the second is told (409).
pub async fn act(db: &Db, caller: &Caller, tz: Tz, id: i32, version: i32, input: &ActInput) -> AppResult<WorkOrderView> {
    // A return visit is recorded with its answers (satisfaction, method) by
    // `visit::record_order_visit`, which moves the order in its own transaction.
    if input.action == Action::ReturnVisit.code() {
        return Err(AppError::Conflict("回访请通过回访登记填写满意度和回访方式".into()));
    }
    let txn = db.begin().await?;
    let after = act_in(&txn, caller, tz, id, version, input).await?;
    txn.commit().await?;
    Ok(views(&db.conn, vec![after], true).await?.remove(0))
}

/// One step of the lifecycle inside the caller's transaction, so that other
/// use cases (a return visit, an escalation) change the order together with
/// their own records. Checks the permission, the scope, the transition and
/// the version; writes the event and the audit row.
pub async fn act_in(txn: &DatabaseTransaction, caller: &Caller, tz: Tz, id: i32, version: i32, input: &ActInput) -> AppResult<WorkOrder> {
    let action = Action::from_code(&input.action).ok_or_else(|| AppError::field("action", "未知的操作"))?;
    caller.require(action.permission())?;
    let o = get_model(txn, caller, id).await?;
    let from = WorkOrderState::from_code(&o.state).unwrap_or(WorkOrderState::PendingDispatch);
    let to = from.transition(action).map_err(|m| AppError::Conflict(m.into()))?;
    let note = normalize_text(&input.note);
    if action == Action::Void && note.is_empty() {
        return Err(AppError::field("note", "请填写作废原因"));
    }
    let completion = if action == Action::Complete { Some(check_completion(input, o.kind == "paid")?) } else { None };
    let assignee = if action.needs_assignee() {
        let u = match input.assignee_id {
            Some(uid) => {
                user::Entity::find_by_id(uid)
                    .filter(caller.units_condition(user::Column::OrgUnitId))
                    .filter(user::Column::Enabled.eq(true))
                    .one(txn)
                    .await?
            }
            None => None,
        };
        Some(u.ok_or_else(|| AppError::field("assignee_id", "请选择处理人"))?)
    } else {
        None
    };
    claim_version::<work_order::Entity>(txn, work_order::Column::Id, work_order::Column::Version, id, version).await?;
    let before = o.clone();
    let mut am = o.clone().into_active_model();
    am.state = Set(to.code().into());
    if let Some(u) = &assignee {
        am.assignee_id = Set(Some(u.id));
    }
    let now = Utc::now();
    if matches!(action, Action::Take | Action::Start) && o.responded_at.is_none() {
        am.responded_at = Set(Some(now));
    }
    if action == Action::Start && o.arrived_at.is_none() {
        am.arrived_at = Set(Some(now));
    }
    if action == Action::WaitCustomer {
        // The completion clock stands still until the customer is back (resume recomputes it).
        am.complete_due = Set(None);
    }
    if action == Action::CustomerAccept {
        am.accepted_at = Set(Some(now));
    }
    if matches!(action, Action::CustomerReject | Action::Reopen) {
        am.reopen_count = Set(o.reopen_count + 1);
    }
    if let Some(c) = &completion {
        am.completed_at = Set(Some(now));
        am.result = Set(Some(c.result.clone()));
        am.labour_fee = Set(c.labour.0);
        am.total_fee = Set(c.total.0);
        work_order_material::Entity::delete_many().filter(work_order_material::Column::WorkOrderId.eq(id)).exec(txn).await?;
        for (item, q, p, amount) in &c.lines {
            work_order_material::ActiveModel {
                work_order_id: Set(id),
                item: Set(item.clone()),
                quantity: Set(q.0),
                unit_price: Set(p.0),
                amount: Set(amount.0),
                ..Default::default()
            }
            .insert(txn)
            .await?;
        }
    }
    am.version = Set(version + 1);
    am.updated_at = Set(now);
    let label = match (&assignee, &completion) {
        (Some(u), _) => format!("{}：{}", action.label(), u.display_name),
        (None, Some(c)) if c.total.0 > 0 => format!("{}（费用 {}）", action.label(), c.total),
        _ => action.label().to_string(),
    };
    let note = if note.is_empty() { label.clone() } else { format!("{label}（{note}）") };
    event(txn, caller, id, now, action.code(), (from.code(), to.code()), &note).await?;
    if action == Action::Resume {
        // The wait on the customer is over: the completion due time moves by it.
        let events = work_order_event::Entity::find()
            .filter(work_order_event::Column::WorkOrderId.eq(id))
            .order_by_asc(work_order_event::Column::Id)
            .all(txn)
            .await?;
        let settings = CompanySettings::load(txn, o.company_id).await?;
        let (_, _, complete_due) = order_due_times(&settings, tz, &o.category, &o.priority, o.created_at, &pauses(&events, tz));
        am.complete_due = Set(complete_due);
    }
    let after = am.update(txn).await?;
    tally::shift(txn, tz, [(Some(&before), Some(&after))]).await?;
    audit::record(
        txn,
        caller,
        Change::new("work_order", id, AuditAction::Update)
            .company(Some(after.company_id))
            .summary(format!("工单 {} {}", after.number, label))
            .before(&before)
            .after(&after),
    )
    .await?;
    Ok(after)
}

/// Staff who may handle orders, for the dispatch picker.
pub async fn engineers(db: &Db, caller: &Caller) -> AppResult<Vec<(i32, String)>> {
    caller.require("workorder.dispatch")?;
    staff(db, caller).await
}

/// Enabled users of the caller's units by name, as `姓名（登录名）`; the
/// caller of this checks the permission of the list it fills.
pub(crate) async fn staff(db: &Db, caller: &Caller) -> AppResult<Vec<(i32, String)>> {
    Ok(user::Entity::find()
        .filter(caller.units_condition(user::Column::OrgUnitId))
        .filter(user::Column::Enabled.eq(true))
        .order_by_asc(user::Column::DisplayName)
        .all(&db.conn)
        .await?
        .into_iter()
        .map(|u| (u.id, format!("{}（{}）", u.display_name, u.username)))
        .collect())
}
