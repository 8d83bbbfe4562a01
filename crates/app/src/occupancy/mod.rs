//! Occupancy (OCC-1, OCC-3…7): handover, move-in, move-out, the billing
//! party, the room–customer table and lease-expiry reminders.
//!
//! Arrears and prepayment transfer on handover and move-in (OCC-1, OCC-3)
//! and developer-paid fees (OCC-2) arrive with billing; they will join these
//! use cases' transactions.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{NaiveDate, Utc};
use domain::{
    audit::AuditAction,
    occupancy::{billing_party, check_move_in, replaced_by, Holder, OccupantRole},
    property::RoomStatus,
    validation::normalize_text,
    FieldErrors,
};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait, IntoActiveModel, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect,
};
use serde::{Deserialize, Serialize};

use crate::{
    audit::{self, Change},
    customer::record,
    db::labels_by_id,
    entity::{customer, handover, occupancy, project, room},
    list::{self, Found},
    property::room as rooms,
    settings, AppError, AppResult, Caller, Db, Page, PageRequest,
};

/// A current holder of a room with the customer's name.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct HolderView {
    pub occupancy_id: i32,
    pub customer_id: i32,
    pub customer_name: String,
    pub customer_code: String,
    pub role: String,
    pub role_label: &'static str,
    pub start_date: NaiveDate,
    pub end_date: Option<NaiveDate>,
    pub lease_start: Option<NaiveDate>,
    pub lease_end: Option<NaiveDate>,
    pub end_reason: String,
}

async fn holder_views(db: &impl ConnectionTrait, occs: Vec<occupancy::Model>) -> AppResult<Vec<HolderView>> {
    let customers: BTreeMap<i32, customer::Model> = customer::Entity::find()
        .filter(customer::Column::Id.is_in(occs.iter().map(|o| o.customer_id).collect::<BTreeSet<_>>()))
        .all(db)
        .await?
        .into_iter()
        .map(|c| (c.id, c))
        .collect();
    Ok(occs
        .into_iter()
        .map(|o| {
            let c = customers.get(&o.customer_id);
            HolderView {
                occupancy_id: o.id,
                customer_id: o.customer_id,
                customer_name: c.map(|c| c.name.clone()).unwrap_or_default(),
                customer_code: c.map(|c| c.code.clone()).unwrap_or_default(),
                role_label: OccupantRole::from_code(&o.role).map_or("", OccupantRole::label),
                role: o.role,
                start_date: o.start_date,
                end_date: o.end_date,
                lease_start: o.lease_start,
                lease_end: o.lease_end,
                end_reason: o.end_reason,
            }
        })
        .collect())
}

async fn current(db: &impl ConnectionTrait, room_id: i32) -> AppResult<Vec<occupancy::Model>> {
    Ok(occupancy::Entity::find().filter(occupancy::Column::RoomId.eq(room_id)).filter(occupancy::Column::EndDate.is_null()).all(db).await?)
}

fn holders_of(occs: &[occupancy::Model]) -> Vec<Holder<i32>> {
    occs.iter().filter_map(|o| OccupantRole::from_code(&o.role).map(|role| Holder { customer: o.customer_id, role })).collect()
}

/// Everything the room page shows about who lives there.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RoomOccupancy {
    pub current: Vec<HolderView>,
    pub history: Vec<HolderView>,
    /// The billing party (OCC-5): resident, else tenant, else owner.
    pub billing_party: Option<HolderView>,
}

pub async fn of_room(db: &Db, caller: &Caller, room_id: i32) -> AppResult<RoomOccupancy> {
    rooms::get_model(&db.conn, caller, room_id).await?;
    let all = occupancy::Entity::find()
        .filter(occupancy::Column::RoomId.eq(room_id))
        .order_by_desc(occupancy::Column::StartDate)
        .order_by_desc(occupancy::Column::Id)
        .all(&db.conn)
        .await?;
    let current_occs: Vec<occupancy::Model> = all.iter().filter(|o| o.end_date.is_none()).cloned().collect();
    let party = billing_party(&holders_of(&current_occs));
    let views = holder_views(&db.conn, all).await?;
    let current: Vec<HolderView> = views.iter().filter(|v| v.end_date.is_none()).cloned().collect();
    let billing_party = party.and_then(|p| current.iter().find(|v| v.customer_id == p.customer && v.role == p.role.code()).cloned());
    Ok(RoomOccupancy { current, history: views, billing_party })
}

/// The customer who pays for a room now (its billing party), for a room the
/// caller has already been allowed to see: one read of its current occupancies.
pub async fn billing_customer(db: &impl ConnectionTrait, room_id: i32) -> AppResult<Option<i32>> {
    let current = occupancy::Entity::find()
        .filter(occupancy::Column::RoomId.eq(room_id))
        .filter(occupancy::Column::EndDate.is_null())
        .order_by_desc(occupancy::Column::StartDate)
        .order_by_desc(occupancy::Column::Id)
        .all(db)
        .await?;
    Ok(billing_party(&holders_of(&current)).map(|p| p.customer))
}

/// Ends occupancies at `date` with a reason, inside the caller's transaction.
async fn end(db: &impl ConnectionTrait, occs: &[occupancy::Model], date: NaiveDate, reason: &str) -> AppResult<()> {
    for o in occs {
        let mut am = o.clone().into_active_model();
        am.end_date = Set(Some(date.max(o.start_date)));
        am.end_reason = Set(reason.into());
        am.version = Set(o.version + 1);
        am.update(db).await?;
    }
    Ok(())
}

/// Room status follows occupancy: someone holds it → occupied; nobody →
/// vacant (an unsold room stays unsold until handed over).
async fn sync_room_status(db: &impl ConnectionTrait, room: &room::Model) -> AppResult<()> {
    let held = !current(db, room.id).await?.is_empty();
    let status = match (held, RoomStatus::from_code(&room.status)) {
        (true, Some(RoomStatus::Renovating)) => RoomStatus::Renovating,
        (true, _) => RoomStatus::Occupied,
        (false, Some(RoomStatus::Occupied)) => RoomStatus::Vacant,
        (false, s) => s.unwrap_or(RoomStatus::Vacant),
    };
    if status.code() != room.status {
        let mut am = room.clone().into_active_model();
        am.status = Set(status.code().into());
        am.version = Set(room.version + 1);
        am.updated_at = Set(Utc::now());
        am.update(db).await?;
    }
    Ok(())
}

/// Room and customer of an occupancy change, both in scope and in the same
/// management office.
async fn room_and_customer(
    db: &impl ConnectionTrait,
    caller: &Caller,
    room_id: Option<i32>,
    customer_id: Option<i32>,
    errors: &mut FieldErrors,
) -> AppResult<Option<(room::Model, customer::Model)>> {
    let r = match room_id {
        Some(id) => rooms::get_model(db, caller, id).await.ok(),
        None => None,
    };
    if r.is_none() {
        errors.add("room_id", "请选择房间");
    }
    let c = match customer_id {
        Some(id) => record::get_model(db, caller, id).await.ok(),
        None => None,
    };
    if c.is_none() {
        errors.add("customer_id", "请选择客户");
    }
    let (Some(r), Some(c)) = (r, c) else { return Ok(None) };
    let office = project::Entity::find_by_id(r.project_id).one(db).await?.map(|p| p.org_unit_id);
    if office != Some(c.org_unit_id) {
        errors.add("customer_id", "客户与房间不属于同一管理处");
    }
    if !c.enabled {
        errors.add("customer_id", "该客户已禁用");
    }
    Ok(Some((r, c)))
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct MoveInInput {
    #[serde(default)]
    pub room_id: Option<i32>,
    #[serde(default)]
    pub customer_id: Option<i32>,
    /// `owner`, `tenant` or `resident`.
    #[serde(default)]
    pub role: String,
    #[serde(default)]
    pub date: String,
    #[serde(default)]
    pub lease_start: String,
    #[serde(default)]
    pub lease_end: String,
}

/// Moves a customer into a room (OCC-3); the earlier holder of the same role
/// moves out on the same day.
pub async fn move_in(db: &Db, caller: &Caller, input: &MoveInInput) -> AppResult<HolderView> {
    caller.require("occupancy.create")?;
    let txn = db.begin().await?;
    let mut errors = FieldErrors::new();
    let role = OccupantRole::from_code(&input.role);
    if role.is_none() {
        errors.add("role", "请选择迁入身份");
    }
    let date = errors.required_date("date", "日期", &input.date);
    let lease_start = errors.date("lease_start", "租期开始", &input.lease_start);
    let lease_end = errors.date("lease_end", "租期结束", &input.lease_end);
    let pair = room_and_customer(&*txn, caller, input.room_id, input.customer_id, &mut errors).await?;
    if let (Some(role), Some(date)) = (role, date) {
        let lease = lease_start.zip(lease_end);
        if let Err((field, m)) = check_move_in(role, date, lease, crate::clock::today()) {
            errors.add(field, m);
        }
    }
    errors.into_result()?;
    let ((r, c), role, date) = (pair.expect("validated"), role.expect("validated"), date.expect("validated"));
    let now_holders = current(&*txn, r.id).await?;
    let incoming = Holder { customer: c.id, role };
    if holders_of(&now_holders).contains(&incoming) {
        return Err(AppError::field("customer_id", format!("{} 已是该房间的{}", c.name, role.label())));
    }
    let leaving: Vec<occupancy::Model> = replaced_by(&holders_of(&now_holders), incoming, false)
        .into_iter()
        .filter_map(|h| now_holders.iter().find(|o| o.customer_id == h.customer && o.role == h.role.code()).cloned())
        .collect();
    end(&*txn, &leaving, date, &format!("新{}迁入", role.label())).await?;
    let o = occupancy::ActiveModel {
        room_id: Set(r.id),
        customer_id: Set(c.id),
        project_id: Set(r.project_id),
        role: Set(role.code().into()),
        start_date: Set(date),
        end_date: Set(None),
        lease_start: Set(if role == OccupantRole::Tenant { lease_start } else { None }),
        lease_end: Set(if role == OccupantRole::Tenant { lease_end } else { None }),
        end_reason: Set(String::new()),
        handover_id: Set(None),
        created_by: Set(caller.user_id),
        created_at: Set(Utc::now()),
        version: Set(1),
        ..Default::default()
    }
    .insert(&*txn)
    .await?;
    sync_room_status(&*txn, &r).await?;
    let mut touched: Vec<i32> = leaving.iter().map(|o| o.customer_id).collect();
    touched.push(c.id);
    record::refresh_search(&*txn, &touched).await?;
    audit::record(
        &*txn,
        caller,
        Change::new("occupancy", o.id, AuditAction::MoveIn)
            .company(Some(c.company_id))
            .summary(format!("{} 以{}身份迁入 {}", c.name, role.label(), r.code))
            .after(&o),
    )
    .await?;
    txn.commit().await?;
    Ok(holder_views(&db.conn, vec![o]).await?.remove(0))
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct MoveOutInput {
    #[serde(default)]
    pub date: String,
    #[serde(default)]
    pub reason: String,
}

/// Ends one occupancy (OCC-4); the history is kept.
pub async fn move_out(db: &Db, caller: &Caller, occupancy_id: i32, version: i32, input: &MoveOutInput) -> AppResult<HolderView> {
    caller.require("occupancy.create")?;
    let txn = db.begin().await?;
    let o = occupancy::Entity::find_by_id(occupancy_id)
        .filter(caller.projects_condition(occupancy::Column::ProjectId))
        .one(&*txn)
        .await?
        .ok_or(AppError::NotFound)?;
    if o.version != version {
        return Err(AppError::stale());
    }
    if o.end_date.is_some() {
        return Err(AppError::Conflict("该客户已迁出".into()));
    }
    let mut errors = FieldErrors::new();
    let date = errors.required_date("date", "日期", &input.date);
    let reason = errors.required("reason", "迁出原因", &normalize_text(&input.reason));
    if let Some(d) = date {
        if d < o.start_date {
            errors.add("date", format!("迁出日期不能早于迁入日期 {}", o.start_date));
        }
        if d > crate::clock::today() {
            errors.add("date", "迁出日期不能晚于今天");
        }
    }
    errors.into_result()?;
    end(&*txn, std::slice::from_ref(&o), date.expect("validated"), &reason).await?;
    let r = room::Entity::find_by_id(o.room_id).one(&*txn).await?.ok_or(AppError::NotFound)?;
    sync_room_status(&*txn, &r).await?;
    record::refresh_search(&*txn, &[o.customer_id]).await?;
    let after = occupancy::Entity::find_by_id(o.id).one(&*txn).await?.ok_or(AppError::NotFound)?;
    let c = customer::Entity::find_by_id(o.customer_id).one(&*txn).await?.ok_or(AppError::NotFound)?;
    audit::record(
        &*txn,
        caller,
        Change::new("occupancy", o.id, AuditAction::MoveOut)
            .company(Some(c.company_id))
            .summary(format!("{} 迁出 {}（{}）", c.name, r.code, reason))
            .before(&o)
            .after(&after),
    )
    .await?;
    txn.commit().await?;
    Ok(holder_views(&db.conn, vec![after]).await?.remove(0))
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct HandoverInput {
    #[serde(default)]
    pub room_id: Option<i32>,
    #[serde(default)]
    pub customer_id: Option<i32>,
    #[serde(default)]
    pub contract_no: String,
    #[serde(default)]
    pub document_no: String,
    #[serde(default)]
    pub date: String,
    #[serde(default)]
    pub notes: String,
    /// Every earlier occupant moves out (the default); otherwise only the
    /// earlier owner does.
    #[serde(default = "yes")]
    pub move_out_others: bool,
}

fn yes() -> bool {
    true
}

/// Handover (OCC-1, 入伙): the owner takes the room; by default every earlier
/// occupant moves out, all in one transaction.
pub async fn handover(db: &Db, caller: &Caller, input: &HandoverInput) -> AppResult<handover::Model> {
    caller.require("occupancy.create")?;
    let txn = db.begin().await?;
    let mut errors = FieldErrors::new();
    let date = errors.required_date("date", "日期", &input.date);
    if date.is_some_and(|d| d > crate::clock::today()) {
        errors.add("date", "入伙日期不能晚于今天");
    }
    let contract_no = normalize_text(&input.contract_no);
    errors.max_chars("contract_no", "购房合同号", &contract_no, 64);
    let document_no = normalize_text(&input.document_no);
    errors.max_chars("document_no", "入伙单号", &document_no, 64);
    let notes = normalize_text(&input.notes);
    errors.max_chars("notes", "验收意见", &notes, 500);
    let pair = room_and_customer(&*txn, caller, input.room_id, input.customer_id, &mut errors).await?;
    errors.into_result()?;
    let ((r, c), date) = (pair.expect("validated"), date.expect("validated"));
    let now_holders = current(&*txn, r.id).await?;
    let incoming = Holder { customer: c.id, role: OccupantRole::Owner };
    let leaving: Vec<occupancy::Model> = replaced_by(&holders_of(&now_holders), incoming, input.move_out_others)
        .into_iter()
        .filter_map(|h| now_holders.iter().find(|o| o.customer_id == h.customer && o.role == h.role.code()).cloned())
        .collect();
    end(&*txn, &leaving, date, "入伙迁出").await?;
    let number = settings::next_number(&*txn, c.company_id, "handover", crate::clock::today()).await?;
    let first_handover = handover::Entity::find().filter(handover::Column::RoomId.eq(r.id)).one(&*txn).await?.is_none();
    let h = handover::ActiveModel {
        number: Set(number),
        room_id: Set(r.id),
        customer_id: Set(c.id),
        project_id: Set(r.project_id),
        contract_no: Set(contract_no),
        document_no: Set(document_no),
        handover_date: Set(date),
        notes: Set(notes),
        moved_out_others: Set(input.move_out_others),
        created_by: Set(caller.user_id),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(&*txn)
    .await?;
    if first_handover {
        crate::property::tally::handed_over(&*txn, r.project_id).await?;
    }
    if !holders_of(&now_holders).contains(&incoming) {
        occupancy::ActiveModel {
            room_id: Set(r.id),
            customer_id: Set(c.id),
            project_id: Set(r.project_id),
            role: Set(OccupantRole::Owner.code().into()),
            start_date: Set(date),
            end_date: Set(None),
            lease_start: Set(None),
            lease_end: Set(None),
            end_reason: Set(String::new()),
            handover_id: Set(Some(h.id)),
            created_by: Set(caller.user_id),
            created_at: Set(Utc::now()),
            version: Set(1),
            ..Default::default()
        }
        .insert(&*txn)
        .await?;
    }
    let mut am = r.clone().into_active_model();
    am.delivery_date = Set(r.delivery_date.or(Some(date)));
    am.updated_at = Set(Utc::now());
    let r = am.update(&*txn).await?;
    sync_room_status(&*txn, &r).await?;
    let mut touched: Vec<i32> = leaving.iter().map(|o| o.customer_id).collect();
    touched.push(c.id);
    record::refresh_search(&*txn, &touched).await?;
    audit::record(
        &*txn,
        caller,
        Change::new("handover", h.id, AuditAction::Handover)
            .company(Some(c.company_id))
            .summary(format!("入伙登记 {}：{} 收楼 {}，{} 位原住户迁出", h.number, c.name, r.code, leaving.len()))
            .after(&h),
    )
    .await?;
    txn.commit().await?;
    Ok(h)
}

/// One row of the room–customer table (OCC-6).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RoomCustomers {
    pub room_id: i32,
    pub room_code: String,
    pub project_id: i32,
    pub status: String,
    pub owner: String,
    pub tenant: String,
    pub resident: String,
    pub billing_party: String,
    pub billing_role: &'static str,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct RoomCustomerFilter {
    #[serde(default)]
    pub project_id: Option<i32>,
    #[serde(default)]
    pub building_id: Option<i32>,
}

pub async fn room_customers(db: &Db, caller: &Caller, req: &PageRequest, f: &RoomCustomerFilter) -> AppResult<Page<RoomCustomers>> {
    let mut items = Vec::new();
    let found = room_customers_each(db, caller, req, f, |rows| items.extend(rows)).await?;
    Ok(Page::found(items, found))
}

/// The rooms of `room_customers`, by code, handed to `each` with their
/// customers a part at a time (`list::in_parts`), and how many match.
pub async fn room_customers_each(
    db: &Db,
    caller: &Caller,
    req: &PageRequest,
    f: &RoomCustomerFilter,
    each: impl FnMut(Vec<RoomCustomers>),
) -> AppResult<Found> {
    caller.require("occupancy.view")?;
    let mut cond = caller.projects_condition(room::Column::ProjectId);
    if let Some(p) = f.project_id {
        cond = cond.add(room::Column::ProjectId.eq(p));
    }
    if let Some(b) = f.building_id {
        cond = cond.add(room::Column::BuildingId.eq(b));
    }
    let keyword = req.keyword();
    if let Some(k) = &keyword {
        cond = cond.add(room::Column::Code.contains(normalize_text(k)));
    }
    let q = room::Entity::find().filter(cond);
    // Every room of the caller's projects, or of one: the kept counts answer.
    let total = match (&keyword, f.building_id) {
        (None, None) => crate::property::tally::rooms(db, caller, f.project_id).await?,
        _ => q.clone().count(&db.conn).await?,
    };
    let ids = list::page_ids(&db.conn, q.order_by_asc(room::Column::Code), room::Column::Id, req).await?;
    let read = |part: Vec<i32>| async move {
        with_customers(&db.conn, list::rows_by_id::<room::Entity>(&db.conn, room::Column::Id, &part).await?).await
    };
    list::in_parts(&ids, read, each).await?;
    Ok(Found::total(total))
}

/// Rooms with who owns, rents and lives in each now, and who pays.
async fn with_customers(db: &impl ConnectionTrait, rooms: Vec<room::Model>) -> AppResult<Vec<RoomCustomers>> {
    let current = occupancy::Entity::find()
        .filter(occupancy::Column::RoomId.is_in(rooms.iter().map(|r| r.id).collect::<Vec<_>>()))
        .filter(occupancy::Column::EndDate.is_null())
        .all(db)
        .await?;
    let mut occs = list::grouped(current, |o| o.room_id);
    let names =
        labels_by_id::<customer::Entity>(db, customer::Column::Id, customer::Column::Name, occs.values().flatten().map(|o| o.customer_id))
            .await?;
    Ok(rooms
        .into_iter()
        .map(|r| {
            let here = occs.remove(&r.id).unwrap_or_default();
            let name_in = |role: OccupantRole| {
                here.iter()
                    .filter(|o| o.role == role.code())
                    .filter_map(|o| names.get(&o.customer_id).cloned())
                    .collect::<Vec<_>>()
                    .join("、")
            };
            let party = billing_party(&holders_of(&here));
            RoomCustomers {
                room_id: r.id,
                room_code: r.code.clone(),
                project_id: r.project_id,
                status: RoomStatus::from_code(&r.status).map_or("", RoomStatus::label).into(),
                owner: name_in(OccupantRole::Owner),
                tenant: name_in(OccupantRole::Tenant),
                resident: name_in(OccupantRole::Resident),
                billing_party: party.and_then(|p| names.get(&p.customer).cloned()).unwrap_or_default(),
                billing_role: party.map_or("无（空置）", |p| p.role.label()),
            }
        })
        .collect())
}

/// A project's rooms and how many were handed over (入伙), for OCC-6.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectHandovers {
    pub name: String,
    pub rooms: u64,
    pub handed: u64,
}

/// Handed-over rooms per project in scope (or of `project` among them), in
/// project order, from the kept counts (`property::tally`).
pub async fn handover_counts(db: &Db, caller: &Caller, project: Option<i32>) -> AppResult<Vec<ProjectHandovers>> {
    caller.require("occupancy.view")?;
    let mut projects = project::Entity::find().filter(caller.projects_condition(project::Column::Id));
    if let Some(p) = project {
        projects = projects.filter(project::Column::Id.eq(p));
    }
    let projects = projects.order_by_asc(project::Column::Code).all(&db.conn).await?;
    let counts = crate::property::tally::of_projects(db, caller).await?;
    Ok(projects
        .into_iter()
        .map(|p| {
            let (rooms, handed) = counts.get(&p.id).copied().unwrap_or_default();
            ProjectHandovers { name: p.name, rooms, handed }
        })
        .collect())
}

/// A tenant whose lease ends soon (OCC-7).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct LeaseDue {
    pub occupancy_id: i32,
    pub customer_id: i32,
    pub customer_name: String,
    pub room_id: i32,
    pub room_code: String,
    pub lease_end: NaiveDate,
    pub days_left: i64,
}

/// Tenants in scope whose lease ends within `days` (default 30), soonest first.
pub async fn leases_ending(db: &Db, caller: &Caller, days: i64, limit: u64) -> AppResult<Vec<LeaseDue>> {
    let today = crate::clock::today();
    let occs = occupancy::Entity::find()
        .filter(lease_ending_condition(caller, today, days)?)
        .order_by_asc(occupancy::Column::LeaseEnd)
        .limit(limit)
        .all(&db.conn)
        .await?;
    let codes: BTreeMap<i32, String> = room::Entity::find()
        .filter(room::Column::Id.is_in(occs.iter().map(|o| o.room_id).collect::<BTreeSet<_>>()))
        .all(&db.conn)
        .await?
        .into_iter()
        .map(|r| (r.id, r.code))
        .collect();
    let views = holder_views(&db.conn, occs.clone()).await?;
    Ok(occs
        .iter()
        .zip(views)
        .filter_map(|(o, v)| {
            o.lease_end.map(|end| LeaseDue {
                occupancy_id: o.id,
                customer_id: o.customer_id,
                customer_name: v.customer_name,
                room_id: o.room_id,
                room_code: codes.get(&o.room_id).cloned().unwrap_or_default(),
                lease_end: end,
                days_left: (end - today).num_days(),
            })
        })
        .collect())
}

/// How many tenants' leases end within `days` (the workbench count).
pub async fn leases_ending_count(db: &Db, caller: &Caller, days: i64) -> AppResult<u64> {
    let cond = lease_ending_condition(caller, crate::clock::today(), days)?;
    Ok(occupancy::Entity::find().filter(cond).count(&db.conn).await?)
}

/// Current tenants in the caller's projects whose lease ends in
/// `[today, today + days]`; served by the index on `lease_end`.
fn lease_ending_condition(caller: &Caller, today: NaiveDate, days: i64) -> AppResult<Condition> {
    caller.require("occupancy.view")?;
    Ok(Condition::all()
        .add(caller.projects_condition(occupancy::Column::ProjectId))
        .add(occupancy::Column::EndDate.is_null())
        .add(occupancy::Column::Role.eq(OccupantRole::Tenant.code()))
        .add(occupancy::Column::LeaseEnd.gte(today))
        .add(occupancy::Column::LeaseEnd.lte(today + chrono::Duration::days(days))))
}

/// One occupancy whose project is in the caller's scope.
pub async fn get(db: &Db, caller: &Caller, id: i32) -> AppResult<occupancy::Model> {
    occupancy::Entity::find_by_id(id)
        .filter(caller.projects_condition(occupancy::Column::ProjectId))
        .one(&db.conn)
        .await?
        .ok_or(AppError::NotFound)
}
