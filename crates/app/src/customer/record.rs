use std::collections::BTreeMap;

use chrono::{NaiveDate, Utc};
use domain::{
    audit::AuditAction,
    customer::{check_id_number, IdType},
    occupancy::OccupantRole,
    org::OrgUnitKind,
    validation::{is_email, is_phone, normalize_phone, normalize_text},
    FieldErrors,
};
use sea_orm::{
    sea_query::{Expr, Query, SimpleExpr},
    ActiveModelTrait,
    ActiveValue::Set,
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, FromQueryResult, IntoActiveModel, Order, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, QueryTrait, Select,
};
use serde::{Deserialize, Serialize};

use super::{search, tally};
use crate::{
    audit::{self, Change},
    db::{claim_version, labels_by_id},
    entity::{
        bank_account, customer, customer_phone, customer_tag, emergency_contact, handover, household_member, occupancy, org_unit,
        rename_order, room, vehicle,
    },
    list::{self, grouped, Found, KEYWORD_MATCHES_LISTED},
    AppError, AppResult, Caller, Db, Page, PageRequest,
};

pub type Customer = customer::Model;

#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct MemberInput {
    #[serde(default)]
    pub relation: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub gender: String,
    #[serde(default)]
    pub birthday: String,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct ContactInput {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub relation: String,
    #[serde(default)]
    pub phone: String,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct VehicleInput {
    #[serde(default)]
    pub plate: String,
    #[serde(default)]
    pub vehicle_type: String,
    #[serde(default)]
    pub parking_space: String,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct BankInput {
    #[serde(default)]
    pub account_name: String,
    #[serde(default)]
    pub bank: String,
    #[serde(default)]
    pub account_no: String,
    #[serde(default)]
    pub is_primary: bool,
}

/// The whole customer record as a form or API body; lists replace the
/// stored ones on update.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct CustomerInput {
    #[serde(default)]
    pub org_unit_id: Option<i32>,
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub name: String,
    /// `person` or `company`.
    #[serde(default)]
    pub kind: String,
    /// `male`, `female` or empty; derived from a mainland ID number.
    #[serde(default)]
    pub gender: String,
    #[serde(default)]
    pub id_type: String,
    #[serde(default)]
    pub id_number: String,
    /// `YYYY-MM-DD`; derived from a mainland ID number when empty.
    #[serde(default)]
    pub birthday: String,
    #[serde(default)]
    pub phones: Vec<String>,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub work_unit: String,
    #[serde(default)]
    pub category: String,
    #[serde(default)]
    pub remarks: String,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub members: Vec<MemberInput>,
    #[serde(default)]
    pub contacts: Vec<ContactInput>,
    #[serde(default)]
    pub vehicles: Vec<VehicleInput>,
    #[serde(default)]
    pub bank_accounts: Vec<BankInput>,
}

/// A room a customer holds (or held).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct HeldRoom {
    pub occupancy_id: i32,
    pub room_id: i32,
    pub room_code: String,
    pub project_id: i32,
    pub role: String,
    pub role_label: &'static str,
    pub start_date: NaiveDate,
    pub end_date: Option<NaiveDate>,
    pub lease_end: Option<NaiveDate>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CustomerView {
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub customer: Customer,
    pub office_name: String,
    pub kind_label: &'static str,
    pub id_type_label: &'static str,
    pub phones: Vec<String>,
    pub tags: Vec<String>,
    #[schema(value_type = Vec<Object>)]
    pub members: Vec<household_member::Model>,
    #[schema(value_type = Vec<Object>)]
    pub contacts: Vec<emergency_contact::Model>,
    #[schema(value_type = Vec<Object>)]
    pub vehicles: Vec<vehicle::Model>,
    #[schema(value_type = Vec<Object>)]
    pub bank_accounts: Vec<bank_account::Model>,
    /// Rooms currently held.
    pub rooms: Vec<HeldRoom>,
}

pub fn kind_label(kind: &str) -> &'static str {
    if kind == "company" {
        "单位"
    } else {
        "个人"
    }
}

/// Rooms held by customers (current ones unless `history`), by customer.
pub async fn held_rooms(db: &impl ConnectionTrait, customer_ids: &[i32], history: bool) -> AppResult<BTreeMap<i32, Vec<HeldRoom>>> {
    let mut q = occupancy::Entity::find().filter(occupancy::Column::CustomerId.is_in(customer_ids.to_vec()));
    if !history {
        q = q.filter(occupancy::Column::EndDate.is_null());
    }
    let occs = q.order_by_desc(occupancy::Column::StartDate).order_by_desc(occupancy::Column::Id).all(db).await?;
    let codes = labels_by_id::<room::Entity>(db, room::Column::Id, room::Column::Code, occs.iter().map(|o| o.room_id)).await?;
    let mut out: BTreeMap<i32, Vec<HeldRoom>> = BTreeMap::new();
    for o in occs {
        out.entry(o.customer_id).or_default().push(HeldRoom {
            occupancy_id: o.id,
            room_id: o.room_id,
            room_code: codes.get(&o.room_id).cloned().unwrap_or_default(),
            project_id: o.project_id,
            role_label: OccupantRole::from_code(&o.role).map_or("", OccupantRole::label),
            role: o.role,
            start_date: o.start_date,
            end_date: o.end_date,
            lease_end: o.lease_end,
        });
    }
    Ok(out)
}

async fn views(db: &impl ConnectionTrait, rows: Vec<Customer>) -> AppResult<Vec<CustomerView>> {
    let ids: Vec<i32> = rows.iter().map(|c| c.id).collect();
    let offices =
        labels_by_id::<org_unit::Entity>(db, org_unit::Column::Id, org_unit::Column::Name, rows.iter().map(|c| c.org_unit_id)).await?;
    let phones = customer_phone::Entity::find()
        .filter(customer_phone::Column::CustomerId.is_in(ids.clone()))
        .order_by_asc(customer_phone::Column::SortOrder)
        .all(db)
        .await?;
    let tags = customer_tag::Entity::find().filter(customer_tag::Column::CustomerId.is_in(ids.clone())).all(db).await?;
    let members = household_member::Entity::find()
        .filter(household_member::Column::CustomerId.is_in(ids.clone()))
        .order_by_asc(household_member::Column::Id)
        .all(db)
        .await?;
    let contacts = emergency_contact::Entity::find()
        .filter(emergency_contact::Column::CustomerId.is_in(ids.clone()))
        .order_by_asc(emergency_contact::Column::Id)
        .all(db)
        .await?;
    let vehicles =
        vehicle::Entity::find().filter(vehicle::Column::CustomerId.is_in(ids.clone())).order_by_asc(vehicle::Column::Id).all(db).await?;
    let banks = bank_account::Entity::find()
        .filter(bank_account::Column::CustomerId.is_in(ids.clone()))
        .order_by_asc(bank_account::Column::Id)
        .all(db)
        .await?;
    let mut rooms = held_rooms(db, &ids, false).await?;
    let mut phones = grouped(phones, |p| p.customer_id);
    let mut tags = grouped(tags, |t| t.customer_id);
    let mut members = grouped(members, |m| m.customer_id);
    let mut contacts = grouped(contacts, |c| c.customer_id);
    let mut vehicles = grouped(vehicles, |v| v.customer_id);
    let mut banks = grouped(banks, |b| b.customer_id);
    Ok(rows
        .into_iter()
        .map(|c| {
            let id = c.id;
            CustomerView {
                office_name: offices.get(&c.org_unit_id).cloned().unwrap_or_default(),
                kind_label: kind_label(&c.kind),
                id_type_label: IdType::from_code(&c.id_type).map_or("", IdType::label),
                phones: phones.remove(&id).unwrap_or_default().into_iter().map(|p| p.phone).collect(),
                tags: tags.remove(&id).unwrap_or_default().into_iter().map(|t| t.tag).collect(),
                members: members.remove(&id).unwrap_or_default(),
                contacts: contacts.remove(&id).unwrap_or_default(),
                vehicles: vehicles.remove(&id).unwrap_or_default(),
                bank_accounts: banks.remove(&id).unwrap_or_default(),
                rooms: rooms.remove(&id).unwrap_or_default(),
                customer: c,
            }
        })
        .collect())
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct CustomerFilter {
    #[serde(default)]
    pub kind: Option<String>,
    #[serde(default)]
    pub role: Option<String>,
    #[serde(default)]
    pub project_id: Option<i32>,
    #[serde(default)]
    pub building_id: Option<i32>,
    /// `1` enabled, `0` disabled, empty: enabled unless searching by keyword.
    #[serde(default)]
    pub enabled: Option<String>,
    #[serde(default)]
    pub tag: Option<String>,
    #[serde(default)]
    pub moved_in_from: Option<NaiveDate>,
    #[serde(default)]
    pub moved_in_to: Option<NaiveDate>,
}

fn some(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

pub async fn list(db: &Db, caller: &Caller, req: &PageRequest, f: &CustomerFilter) -> AppResult<Page<CustomerView>> {
    let mut items = Vec::new();
    let found = list_each(db, caller, req, f, |views| items.extend(views)).await?;
    Ok(Page::found(items, found))
}

/// The customers of `list`, handed to `each` as views a part at a time
/// (`list::in_parts`), and how many match.
pub async fn list_each(
    db: &Db,
    caller: &Caller,
    req: &PageRequest,
    f: &CustomerFilter,
    each: impl FnMut(Vec<CustomerView>),
) -> AppResult<Found> {
    caller.require("customer.view")?;
    let mut cond = caller.offices_condition(customer::Column::OrgUnitId);
    let keyword = req.keyword();
    // The list of every enabled customer in scope, and nothing narrower, has
    // a kept count (`tally`); each filter below says when it narrows it.
    let mut narrowed = keyword.is_some();
    match (some(&f.enabled), keyword.is_some()) {
        (Some("1"), _) | (None, false) => cond = cond.add(customer::Column::Enabled.eq(true)),
        (Some("0"), _) => {
            narrowed = true;
            cond = cond.add(customer::Column::Enabled.eq(false));
        }
        // Enabled and disabled alike: not the kept count either.
        _ => narrowed = true,
    }
    if let Some(k) = some(&f.kind) {
        narrowed = true;
        cond = cond.add(customer::Column::Kind.eq(k));
    }
    if let Some(t) = some(&f.tag) {
        narrowed = true;
        let q = Query::select()
            .column(customer_tag::Column::CustomerId)
            .from(customer_tag::Entity)
            .and_where(customer_tag::Column::Tag.eq(t))
            .to_owned();
        cond = cond.add(customer::Column::Id.in_subquery(q));
    }
    let occupancy_filtered = some(&f.role).is_some()
        || f.project_id.is_some()
        || f.building_id.is_some()
        || f.moved_in_from.is_some()
        || f.moved_in_to.is_some();
    if occupancy_filtered {
        narrowed = true;
        let mut oc =
            Condition::all().add(occupancy::Column::EndDate.is_null()).add(caller.projects_condition(occupancy::Column::ProjectId));
        if let Some(r) = some(&f.role) {
            oc = oc.add(occupancy::Column::Role.eq(r));
        }
        if let Some(p) = f.project_id {
            oc = oc.add(occupancy::Column::ProjectId.eq(p));
        }
        if let Some(b) = f.building_id {
            let rooms = Query::select().column(room::Column::Id).from(room::Entity).and_where(room::Column::BuildingId.eq(b)).to_owned();
            oc = oc.add(occupancy::Column::RoomId.in_subquery(rooms));
        }
        if let Some(d) = f.moved_in_from {
            oc = oc.add(occupancy::Column::StartDate.gte(d));
        }
        if let Some(d) = f.moved_in_to {
            oc = oc.add(occupancy::Column::StartDate.lte(d));
        }
        let q = occupancy::Entity::find().select_only().column(occupancy::Column::CustomerId).filter(oc).into_query();
        cond = cond.add(customer::Column::Id.in_subquery(q));
    }
    let query = customer::Entity::find().filter(cond);
    let (key, desc) = req.sort_by(&["code", "name", "created_at"], "code");
    let col = match key {
        "name" => customer::Column::Name,
        "created_at" => customer::Column::CreatedAt,
        _ => customer::Column::Code,
    };
    // Ties in the sort's direction: one index serves each order both ways.
    let direction = if desc { Order::Desc } else { Order::Asc };
    let order = |q: Select<customer::Entity>| q.order_by(col, direction.clone()).order_by(customer::Column::Id, direction.clone());
    // A keyword's matches come from the search index: counted in the page's
    // own evaluation, the newest `KEYWORD_MATCHES_LISTED` of them unless
    // exported. Other filters are counted on an index alone.
    let (ids, found) = match &keyword {
        Some(k) => {
            let (query, newest_by) = search::matching(db.backend(), query, k);
            let cap = (!req.export).then_some((KEYWORD_MATCHES_LISTED, newest_by));
            list::page_ids_and_total(&db.conn, query, order, customer::Column::Id, req.offset(), req.per_page(), cap).await?
        }
        None => {
            let total = if narrowed { query.clone().count(&db.conn).await? } else { tally::enabled(db, caller).await? };
            (list::page_ids(&db.conn, order(query), customer::Column::Id, req).await?, Found::total(total))
        }
    };
    let read = |part: Vec<i32>| async move {
        views(&db.conn, list::rows_by_id::<customer::Entity>(&db.conn, customer::Column::Id, &part).await?).await
    };
    list::in_parts(&ids, read, each).await?;
    Ok(found)
}

/// How many enabled customers the caller's offices have (the workbench
/// count), from the kept counts.
pub async fn count_enabled(db: &Db, caller: &Caller) -> AppResult<u64> {
    caller.require("customer.view")?;
    tally::enabled(db, caller).await
}

pub async fn get_model(db: &impl ConnectionTrait, caller: &Caller, id: i32) -> AppResult<Customer> {
    caller.require("customer.view")?;
    customer::Entity::find_by_id(id).filter(caller.offices_condition(customer::Column::OrgUnitId)).one(db).await?.ok_or(AppError::NotFound)
}

/// A customer in scope and their first phone, read together (a work
/// order's create takes the phone as its contact's when none is typed).
pub async fn get_with_first_phone(db: &impl ConnectionTrait, caller: &Caller, id: i32) -> AppResult<(Customer, Option<String>)> {
    caller.require("customer.view")?;
    let first_phone = Query::select()
        .column(customer_phone::Column::Phone)
        .from(customer_phone::Entity)
        .and_where(Expr::col((customer_phone::Entity, customer_phone::Column::CustomerId)).equals((customer::Entity, customer::Column::Id)))
        .order_by(customer_phone::Column::SortOrder, Order::Asc)
        .limit(1)
        .to_owned();
    let found = customer::Entity::find_by_id(id)
        .filter(caller.offices_condition(customer::Column::OrgUnitId))
        .column_as(SimpleExpr::SubQuery(None, Box::new(first_phone.into_sub_query_statement())), FIRST_PHONE)
        .build(db.get_database_backend());
    let row = db.query_one(found).await?.ok_or(AppError::NotFound)?;
    Ok((Customer::from_query_result(&row, "")?, row.try_get("", FIRST_PHONE)?))
}

const FIRST_PHONE: &str = "first_phone";

pub async fn get(db: &Db, caller: &Caller, id: i32) -> AppResult<CustomerView> {
    let c = get_model(&db.conn, caller, id).await?;
    Ok(views(&db.conn, vec![c]).await?.remove(0))
}

/// Past and present rooms of a customer, newest first (the 360 page).
pub async fn room_history(db: &Db, caller: &Caller, id: i32) -> AppResult<Vec<HeldRoom>> {
    get_model(&db.conn, caller, id).await?;
    Ok(held_rooms(&db.conn, &[id], true).await?.remove(&id).unwrap_or_default())
}

/// The checked, normalised record, ready to store.
struct Checked {
    office: org_unit::Model,
    code: String,
    name: String,
    kind: String,
    gender: String,
    id_type: String,
    id_number: String,
    birthday: Option<NaiveDate>,
    phones: Vec<String>,
    email: String,
    work_unit: String,
    category: String,
    remarks: String,
    tags: Vec<String>,
    members: Vec<MemberInput>,
    contacts: Vec<ContactInput>,
    vehicles: Vec<VehicleInput>,
    banks: Vec<BankInput>,
}

/// The next free `-01`, `-02` … suffix of a code in an office (offered after
/// a change of owner, CUS-1).
async fn free_suffix(db: &impl ConnectionTrait, office: i32, code: &str) -> AppResult<String> {
    for n in 1..100 {
        let candidate = format!("{code}-{n:02}");
        let taken = customer::Entity::find()
            .filter(customer::Column::OrgUnitId.eq(office))
            .filter(customer::Column::Code.eq(&candidate))
            .count(db)
            .await?
            > 0;
        if !taken {
            return Ok(candidate);
        }
    }
    Ok(format!("{code}-99"))
}

fn check_rows(input: &CustomerInput, errors: &mut FieldErrors) -> (Vec<MemberInput>, Vec<ContactInput>, Vec<VehicleInput>, Vec<BankInput>) {
    let mut members = Vec::new();
    for (i, m) in input.members.iter().enumerate() {
        let m = MemberInput {
            relation: normalize_text(&m.relation),
            name: normalize_text(&m.name),
            phone: normalize_phone(&m.phone),
            gender: m.gender.clone(),
            birthday: normalize_text(&m.birthday),
        };
        if m.name.is_empty() && m.relation.is_empty() && m.phone.is_empty() {
            continue;
        }
        if m.name.is_empty() || m.relation.is_empty() {
            errors.add("members", format!("第 {} 位家庭成员：请填写关系和姓名", i + 1));
        }
        if !m.phone.is_empty() && !is_phone(&m.phone) {
            errors.add("members", format!("第 {} 位家庭成员：电话号码不正确", i + 1));
        }
        if !m.birthday.is_empty() && NaiveDate::parse_from_str(&m.birthday, "%Y-%m-%d").is_err() {
            errors.add("members", format!("第 {} 位家庭成员：出生日期格式应为 2026-11-22", i + 1));
        }
        members.push(m);
    }
    let mut contacts = Vec::new();
    for (i, c) in input.contacts.iter().enumerate() {
        let c = ContactInput { name: normalize_text(&c.name), relation: normalize_text(&c.relation), phone: normalize_phone(&c.phone) };
        if c.name.is_empty() && c.phone.is_empty() {
            continue;
        }
        if c.name.is_empty() || !is_phone(&c.phone) {
            errors.add("contacts", format!("第 {} 位紧急联系人：请填写姓名和正确的电话", i + 1));
        }
        contacts.push(c);
    }
    let mut vehicles = Vec::new();
    for (i, v) in input.vehicles.iter().enumerate() {
        let v = VehicleInput {
            plate: normalize_text(&v.plate).to_uppercase(),
            vehicle_type: normalize_text(&v.vehicle_type),
            parking_space: normalize_text(&v.parking_space),
        };
        if v.plate.is_empty() && v.parking_space.is_empty() {
            continue;
        }
        if !(5..=10).contains(&v.plate.chars().count()) {
            errors.add("vehicles", format!("第 {} 辆车：车牌号应为 5–10 位，如 粤B12345", i + 1));
        }
        vehicles.push(v);
    }
    let mut banks = Vec::new();
    for (i, b) in input.bank_accounts.iter().enumerate() {
        let b = BankInput {
            account_name: normalize_text(&b.account_name),
            bank: normalize_text(&b.bank),
            account_no: normalize_text(&b.account_no).replace(' ', ""),
            is_primary: b.is_primary,
        };
        if b.account_name.is_empty() && b.account_no.is_empty() {
            continue;
        }
        if b.account_name.is_empty()
            || b.bank.is_empty()
            || !(8..=30).contains(&b.account_no.len())
            || !b.account_no.bytes().all(|c| c.is_ascii_digit())
        {
            errors.add("bank_accounts", format!("第 {} 个银行账户：请填写户名、开户行和 8–30 位数字账号", i + 1));
        }
        banks.push(b);
    }
    match banks.iter().filter(|b| b.is_primary).count() {
        0 if banks.len() == 1 => banks[0].is_primary = true,
        0 if banks.len() > 1 => errors.add("bank_accounts", "请指定一个默认托收账户"),
        n if n > 1 => errors.add("bank_accounts", "只能有一个默认托收账户"),
        _ => {}
    }
    (members, contacts, vehicles, banks)
}

async fn check(db: &impl ConnectionTrait, caller: &Caller, input: &CustomerInput, except: Option<i32>) -> AppResult<Checked> {
    let mut errors = FieldErrors::new();
    let code = errors.required("code", "客户编号", &normalize_text(&input.code));
    errors.max_chars("code", "客户编号", &code, 64);
    let name = errors.required("name", "客户名称", &normalize_text(&input.name));
    errors.max_chars("name", "客户名称", &name, 100);
    let kind = match input.kind.as_str() {
        "" | "person" => "person",
        "company" => "company",
        _ => {
            errors.add("kind", "请选择客户类型");
            "person"
        }
    };
    let today = crate::clock::today();
    let mut birthday = errors.date("birthday", "出生日期", &input.birthday);
    let mut gender = match input.gender.as_str() {
        "" | "male" | "female" => input.gender.clone(),
        _ => {
            errors.add("gender", "请选择性别");
            String::new()
        }
    };
    let id_number_text = normalize_text(&input.id_number);
    let (id_type, id_number) = if id_number_text.is_empty() {
        (String::new(), String::new())
    } else {
        match IdType::from_code(&input.id_type) {
            None => {
                errors.add("id_type", "请选择证件类型");
                (String::new(), id_number_text)
            }
            Some(t) => match check_id_number(t, &id_number_text, today) {
                Ok((number, card)) => {
                    if let Some(card) = card {
                        match birthday {
                            Some(b) if b != card.birth => errors.add("birthday", "出生日期与身份证号不一致"),
                            _ => birthday = Some(card.birth),
                        }
                        gender = card.gender.code().into();
                    }
                    (t.code().to_string(), number)
                }
                Err(m) => {
                    errors.add("id_number", m);
                    (t.code().to_string(), id_number_text)
                }
            },
        }
    };
    let mut phones = Vec::new();
    for p in &input.phones {
        let p = normalize_phone(p);
        if p.is_empty() {
            continue;
        }
        if !is_phone(&p) {
            errors.add("phones", format!("电话号码 {p} 不正确：手机为 11 位，固话如 0755-12345678"));
        }
        if !phones.contains(&p) {
            phones.push(p);
        }
    }
    let email = normalize_text(&input.email);
    if !email.is_empty() && !is_email(&email) {
        errors.add("email", "电子邮箱格式不正确");
    }
    let work_unit = normalize_text(&input.work_unit);
    errors.max_chars("work_unit", "工作单位", &work_unit, 100);
    let remarks = normalize_text(&input.remarks);
    errors.max_chars("remarks", "备注", &remarks, 500);
    let mut tags: Vec<String> = input.tags.iter().map(|t| normalize_text(t)).filter(|t| !t.is_empty()).collect();
    tags.sort();
    tags.dedup();
    let (members, contacts, vehicles, banks) = check_rows(input, &mut errors);
    let office = match input.org_unit_id {
        Some(id) => org_unit::Entity::find_by_id(id)
            .one(db)
            .await?
            .filter(|o| o.kind == OrgUnitKind::Office.code() && caller.scope.sees_office(o.id)),
        None => None,
    };
    if office.is_none() {
        errors.add("org_unit_id", "请选择所属管理处");
    }
    if let (Some(o), false) = (&office, code.is_empty()) {
        let mut q = customer::Entity::find().filter(customer::Column::OrgUnitId.eq(o.id)).filter(customer::Column::Code.eq(&code));
        if let Some(id) = except {
            q = q.filter(customer::Column::Id.ne(id));
        }
        if q.count(db).await? > 0 {
            let suggestion = free_suffix(db, o.id, &code).await?;
            errors.add("code", format!("{}下已存在客户编号 {code}，更换业主后可使用 {suggestion}", o.name));
        }
    }
    errors.into_result()?;
    Ok(Checked {
        office: office.expect("validated"),
        code,
        name,
        kind: kind.into(),
        gender,
        id_type,
        id_number,
        birthday,
        phones,
        email,
        work_unit,
        category: normalize_text(&input.category),
        remarks,
        tags,
        members,
        contacts,
        vehicles,
        banks,
    })
}

/// Rebuilds the searched text of customers (after an edit or a change of
/// the rooms they hold), and the grams of those whose text changed: a new
/// name always changes the text, so no writer of a name is missed.
pub async fn refresh_search(db: &impl ConnectionTrait, ids: &[i32]) -> AppResult<()> {
    let rooms = held_rooms(db, ids, false).await?;
    let mut changed: Vec<(i32, String, String)> = Vec::new();
    for c in customer::Entity::find().filter(customer::Column::Id.is_in(ids.to_vec())).all(db).await? {
        let phones: Vec<String> = customer_phone::Entity::find()
            .filter(customer_phone::Column::CustomerId.eq(c.id))
            .all(db)
            .await?
            .into_iter()
            .map(|p| p.phone)
            .collect();
        let codes: Vec<String> = rooms.get(&c.id).map(|r| r.iter().map(|h| h.room_code.clone()).collect()).unwrap_or_default();
        let mut parts: Vec<&str> = vec![&c.name, &c.code, &c.id_number, &c.work_unit];
        parts.extend(phones.iter().map(String::as_str));
        parts.extend(codes.iter().map(String::as_str));
        let text = search::search_text(&parts);
        if text != c.search_text {
            changed.push((c.id, c.name.clone(), text.clone()));
            let mut am = c.into_active_model();
            am.search_text = Set(text);
            am.update(db).await?;
        }
    }
    let grams: Vec<(i32, &str, &str)> = changed.iter().map(|(id, name, text)| (*id, name.as_str(), text.as_str())).collect();
    search::store_grams(db, &grams).await?;
    Ok(())
}

async fn delete_children(db: &impl ConnectionTrait, id: i32) -> AppResult<()> {
    customer_phone::Entity::delete_many().filter(customer_phone::Column::CustomerId.eq(id)).exec(db).await?;
    customer_tag::Entity::delete_many().filter(customer_tag::Column::CustomerId.eq(id)).exec(db).await?;
    household_member::Entity::delete_many().filter(household_member::Column::CustomerId.eq(id)).exec(db).await?;
    emergency_contact::Entity::delete_many().filter(emergency_contact::Column::CustomerId.eq(id)).exec(db).await?;
    vehicle::Entity::delete_many().filter(vehicle::Column::CustomerId.eq(id)).exec(db).await?;
    bank_account::Entity::delete_many().filter(bank_account::Column::CustomerId.eq(id)).exec(db).await?;
    Ok(())
}

async fn replace_children(db: &impl ConnectionTrait, id: i32, c: &Checked) -> AppResult<()> {
    delete_children(db, id).await?;
    for (i, p) in c.phones.iter().enumerate() {
        customer_phone::ActiveModel { customer_id: Set(id), phone: Set(p.clone()), sort_order: Set(i as i32), ..Default::default() }
            .insert(db)
            .await?;
    }
    for t in &c.tags {
        customer_tag::ActiveModel { customer_id: Set(id), tag: Set(t.clone()), ..Default::default() }.insert(db).await?;
    }
    for m in &c.members {
        household_member::ActiveModel {
            customer_id: Set(id),
            relation: Set(m.relation.clone()),
            name: Set(m.name.clone()),
            phone: Set(m.phone.clone()),
            gender: Set(m.gender.clone()),
            birthday: Set(NaiveDate::parse_from_str(&m.birthday, "%Y-%m-%d").ok()),
            ..Default::default()
        }
        .insert(db)
        .await?;
    }
    for k in &c.contacts {
        emergency_contact::ActiveModel {
            customer_id: Set(id),
            name: Set(k.name.clone()),
            relation: Set(k.relation.clone()),
            phone: Set(k.phone.clone()),
            ..Default::default()
        }
        .insert(db)
        .await?;
    }
    for v in &c.vehicles {
        vehicle::ActiveModel {
            customer_id: Set(id),
            plate: Set(v.plate.clone()),
            vehicle_type: Set(v.vehicle_type.clone()),
            parking_space: Set(v.parking_space.clone()),
            ..Default::default()
        }
        .insert(db)
        .await?;
    }
    for b in &c.banks {
        bank_account::ActiveModel {
            customer_id: Set(id),
            account_name: Set(b.account_name.clone()),
            bank: Set(b.bank.clone()),
            account_no: Set(b.account_no.clone()),
            is_primary: Set(b.is_primary),
            ..Default::default()
        }
        .insert(db)
        .await?;
    }
    Ok(())
}

pub async fn create(db: &Db, caller: &Caller, input: &CustomerInput) -> AppResult<CustomerView> {
    caller.require("customer.create")?;
    let txn = db.begin().await?;
    let c = check(&*txn, caller, input, None).await?;
    let now = Utc::now();
    let row = customer::ActiveModel {
        org_unit_id: Set(c.office.id),
        company_id: Set(c.office.company_id.unwrap_or_default()),
        code: Set(c.code.clone()),
        name: Set(c.name.clone()),
        kind: Set(c.kind.clone()),
        gender: Set(c.gender.clone()),
        id_type: Set(c.id_type.clone()),
        id_number: Set(c.id_number.clone()),
        birthday: Set(c.birthday),
        email: Set(c.email.clone()),
        work_unit: Set(c.work_unit.clone()),
        category: Set(c.category.clone()),
        remarks: Set(c.remarks.clone()),
        enabled: Set(true),
        search_text: Set(String::new()),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&*txn)
    .await?;
    tally::shift(&*txn, [(None, Some((row.org_unit_id, true)))]).await?;
    replace_children(&*txn, row.id, &c).await?;
    refresh_search(&*txn, &[row.id]).await?;
    let after = views(&*txn, vec![get_model(&*txn, caller, row.id).await?]).await?.remove(0);
    audit::record(
        &*txn,
        caller,
        Change::new("customer", row.id, AuditAction::Create)
            .company(Some(row.company_id))
            .summary(format!("新增客户 {}（{}）", row.name, row.code))
            .after(&after),
    )
    .await?;
    txn.commit().await?;
    Ok(after)
}

pub async fn update(db: &Db, caller: &Caller, id: i32, version: i32, input: &CustomerInput) -> AppResult<CustomerView> {
    caller.require("customer.edit")?;
    let txn = db.begin().await?;
    let model = get_model(&*txn, caller, id).await?;
    let before = views(&*txn, vec![model.clone()]).await?.remove(0);
    // The name changes only through an approved rename order (CUS-7).
    let input = CustomerInput { name: model.name.clone(), ..input.clone() };
    let c = check(&*txn, caller, &input, Some(id)).await?;
    claim_version::<customer::Entity>(&*txn, customer::Column::Id, customer::Column::Version, id, version).await?;
    tally::shift(&*txn, [(Some((model.org_unit_id, model.enabled)), Some((c.office.id, model.enabled)))]).await?;
    let mut am = model.into_active_model();
    am.org_unit_id = Set(c.office.id);
    am.company_id = Set(c.office.company_id.unwrap_or_default());
    am.code = Set(c.code.clone());
    am.kind = Set(c.kind.clone());
    am.gender = Set(c.gender.clone());
    am.id_type = Set(c.id_type.clone());
    am.id_number = Set(c.id_number.clone());
    am.birthday = Set(c.birthday);
    am.email = Set(c.email.clone());
    am.work_unit = Set(c.work_unit.clone());
    am.category = Set(c.category.clone());
    am.remarks = Set(c.remarks.clone());
    am.version = Set(version + 1);
    am.updated_at = Set(Utc::now());
    am.update(&*txn).await?;
    replace_children(&*txn, id, &c).await?;
    refresh_search(&*txn, &[id]).await?;
    let after = views(&*txn, vec![get_model(&*txn, caller, id).await?]).await?.remove(0);
    audit::record(
        &*txn,
        caller,
        Change::new("customer", id, AuditAction::Update)
            .company(Some(after.customer.company_id))
            .summary(format!("修改客户 {}（{}）", after.customer.name, after.customer.code))
            .before(&before)
            .after(&after),
    )
    .await?;
    txn.commit().await?;
    Ok(after)
}

pub async fn set_enabled(db: &Db, caller: &Caller, id: i32, version: i32, enabled: bool) -> AppResult<CustomerView> {
    caller.require("customer.disable")?;
    let txn = db.begin().await?;
    let model = get_model(&*txn, caller, id).await?;
    claim_version::<customer::Entity>(&*txn, customer::Column::Id, customer::Column::Version, id, version).await?;
    tally::shift(&*txn, [(Some((model.org_unit_id, model.enabled)), Some((model.org_unit_id, enabled)))]).await?;
    let before = model.clone();
    let mut am = model.into_active_model();
    am.enabled = Set(enabled);
    am.version = Set(version + 1);
    am.updated_at = Set(Utc::now());
    let after = am.update(&*txn).await?;
    let action = if enabled { AuditAction::Enable } else { AuditAction::Disable };
    audit::record(
        &*txn,
        caller,
        Change::new("customer", id, action)
            .company(Some(after.company_id))
            .summary(format!("{}客户 {}", action.label(), after.name))
            .before(&before)
            .after(&after),
    )
    .await?;
    txn.commit().await?;
    Ok(views(&db.conn, vec![after]).await?.remove(0))
}

/// Deletes a customer entered by mistake; one with any history (rooms held,
/// handovers, rename orders) can never be deleted, only disabled.
pub async fn delete(db: &Db, caller: &Caller, id: i32, version: i32) -> AppResult<()> {
    caller.require("customer.disable")?;
    let txn = db.begin().await?;
    let model = get_model(&*txn, caller, id).await?;
    if model.version != version {
        return Err(AppError::stale());
    }
    let history = occupancy::Entity::find().filter(occupancy::Column::CustomerId.eq(id)).count(&*txn).await?
        + handover::Entity::find().filter(handover::Column::CustomerId.eq(id)).count(&*txn).await?
        + rename_order::Entity::find().filter(rename_order::Column::CustomerId.eq(id)).count(&*txn).await?;
    if history > 0 {
        return Err(AppError::Conflict(format!("客户 {} 已有入住、入伙或更名记录，不能删除，可改为禁用", model.name)));
    }
    let before = views(&*txn, vec![model.clone()]).await?.remove(0);
    delete_children(&*txn, id).await?;
    search::delete_grams(&*txn, &[id]).await?;
    customer::Entity::delete_by_id(id).exec(&*txn).await?;
    tally::shift(&*txn, [(Some((model.org_unit_id, model.enabled)), None)]).await?;
    audit::record(
        &*txn,
        caller,
        Change::new("customer", id, AuditAction::Delete)
            .company(Some(model.company_id))
            .summary(format!("删除客户 {}（{}）", model.name, model.code))
            .before(&before),
    )
    .await?;
    txn.commit().await
}

/// The 360 page's timeline: changes to the customer, its rooms held,
/// handovers and rename orders.
pub async fn timeline(db: &Db, caller: &Caller, id: i32) -> AppResult<Vec<crate::audit::AuditRow>> {
    get_model(&db.conn, caller, id).await?;
    let occ: Vec<i32> = occupancy::Entity::find()
        .select_only()
        .column(occupancy::Column::Id)
        .filter(occupancy::Column::CustomerId.eq(id))
        .into_tuple()
        .all(&db.conn)
        .await?;
    let hand: Vec<i32> = handover::Entity::find()
        .select_only()
        .column(handover::Column::Id)
        .filter(handover::Column::CustomerId.eq(id))
        .into_tuple()
        .all(&db.conn)
        .await?;
    let ren: Vec<i32> = rename_order::Entity::find()
        .select_only()
        .column(rename_order::Column::Id)
        .filter(rename_order::Column::CustomerId.eq(id))
        .into_tuple()
        .all(&db.conn)
        .await?;
    crate::audit::timeline(db, &[("customer", vec![id]), ("occupancy", occ), ("handover", hand), ("rename_order", ren)], 200).await
}

/// Finds a customer of an office by exact code (pickers type a code).
pub async fn by_code(db: &impl ConnectionTrait, caller: &Caller, office_id: i32, code: &str) -> AppResult<Option<Customer>> {
    Ok(customer::Entity::find()
        .filter(caller.offices_condition(customer::Column::OrgUnitId))
        .filter(customer::Column::OrgUnitId.eq(office_id))
        .filter(customer::Column::Code.eq(normalize_text(code)))
        .one(db)
        .await?)
}
