//! Rooms (PRP-2) and batch room generation (PRP-3).

use std::collections::{BTreeMap, BTreeSet};

use chrono::{NaiveDate, Utc};
use domain::{
    audit::AuditAction,
    property::{plan_rooms, Area, BatchSpec, PlannedRoom, RoomStatus, RoomType},
    validation::normalize_text,
    FieldErrors,
};
use sea_orm::{
    sea_query::{Expr, Func, LikeExpr},
    ActiveModelTrait,
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};
use serde::{Deserialize, Serialize};

use super::{building, project};
use crate::{
    audit::{self, Change},
    db::{claim_version, labels_by_id},
    entity::{building as building_e, building_unit, project as project_e, room},
    list::{self, like_pattern, Found},
    AppError, AppResult, Caller, Db, Page, PageRequest,
};

pub type Room = room::Model;

#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct RoomInput {
    #[serde(default)]
    pub building_id: Option<i32>,
    /// Unit (stairwell) code; created on the building when new.
    #[serde(default)]
    pub unit: String,
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub floor: Option<i32>,
    /// Square metres, up to two decimals, e.g. `"89.25"`.
    #[serde(default)]
    pub building_area: String,
    #[serde(default)]
    pub inner_area: String,
    #[serde(default)]
    pub room_type: String,
    #[serde(default)]
    pub status: String,
    /// `YYYY-MM-DD`.
    #[serde(default)]
    pub delivery_date: String,
    #[serde(default)]
    pub remarks: String,
}

/// A room with the names around it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RoomView {
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub room: Room,
    pub project_name: String,
    pub building_name: String,
    pub unit: String,
    pub building_area_text: String,
    pub inner_area_text: String,
    pub room_type_label: &'static str,
    pub status_label: &'static str,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct RoomFilter {
    #[serde(default)]
    pub project_id: Option<i32>,
    #[serde(default)]
    pub building_id: Option<i32>,
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub room_type: Option<String>,
}

async fn views(db: &impl ConnectionTrait, rooms: Vec<Room>) -> AppResult<Vec<RoomView>> {
    let projects =
        labels_by_id::<project_e::Entity>(db, project_e::Column::Id, project_e::Column::Name, rooms.iter().map(|r| r.project_id)).await?;
    let buildings =
        labels_by_id::<building_e::Entity>(db, building_e::Column::Id, building_e::Column::Name, rooms.iter().map(|r| r.building_id))
            .await?;
    let units = labels_by_id::<building_unit::Entity>(
        db,
        building_unit::Column::Id,
        building_unit::Column::Code,
        rooms.iter().filter_map(|r| r.building_unit_id),
    )
    .await?;
    Ok(rooms
        .into_iter()
        .map(|r| RoomView {
            project_name: projects.get(&r.project_id).cloned().unwrap_or_default(),
            building_name: buildings.get(&r.building_id).cloned().unwrap_or_default(),
            unit: r.building_unit_id.and_then(|u| units.get(&u).cloned()).unwrap_or_default(),
            building_area_text: area_text(r.building_area),
            inner_area_text: area_text(r.inner_area),
            room_type_label: RoomType::from_code(&r.room_type).map_or("", RoomType::label),
            status_label: RoomStatus::from_code(&r.status).map_or("", RoomStatus::label),
            room: r,
        })
        .collect())
}

/// An area for display; an area never entered shows blank, not 0.00.
fn area_text(hundredths: i64) -> String {
    if hundredths == 0 {
        String::new()
    } else {
        Area(hundredths).to_string()
    }
}

pub async fn list(db: &Db, caller: &Caller, req: &PageRequest, f: &RoomFilter) -> AppResult<Page<RoomView>> {
    let mut items = Vec::new();
    let found = list_each(db, caller, req, f, |views| items.extend(views)).await?;
    Ok(Page::found(items, found))
}

/// The rooms of `list`, handed to `each` as views a part at a time
/// (`list::in_parts`), and how many match.
pub async fn list_each(db: &Db, caller: &Caller, req: &PageRequest, f: &RoomFilter, each: impl FnMut(Vec<RoomView>)) -> AppResult<Found> {
    caller.require("property.view")?;
    let mut cond = caller.projects_condition(room::Column::ProjectId);
    if let Some(k) = req.keyword() {
        let p = like_pattern(&normalize_text(&k).to_lowercase());
        cond = cond.add(Expr::expr(Func::lower(Expr::col(room::Column::Code))).like(LikeExpr::new(p).escape('\\')));
    }
    if let Some(p) = f.project_id {
        cond = cond.add(room::Column::ProjectId.eq(p));
    }
    if let Some(b) = f.building_id {
        cond = cond.add(room::Column::BuildingId.eq(b));
    }
    if let Some(s) = f.status.as_deref().filter(|s| !s.is_empty()) {
        cond = cond.add(room::Column::Status.eq(s));
    }
    if let Some(t) = f.room_type.as_deref().filter(|s| !s.is_empty()) {
        cond = cond.add(room::Column::RoomType.eq(t));
    }
    let query = room::Entity::find().filter(cond);
    let narrowed = req.keyword().is_some()
        || f.building_id.is_some()
        || [&f.status, &f.room_type].into_iter().any(|v| v.as_deref().is_some_and(|s| !s.is_empty()));
    // Every room of the caller's projects, or of one: the kept counts answer.
    let total = if narrowed { query.clone().count(&db.conn).await? } else { super::tally::rooms(db, caller, f.project_id).await? };
    let (key, desc) = req.sort_by(&["code", "floor", "building_area"], "code");
    let col = match key {
        "floor" => room::Column::Floor,
        "building_area" => room::Column::BuildingArea,
        _ => room::Column::Code,
    };
    let query = if desc { query.order_by_desc(col) } else { query.order_by_asc(col) };
    let ids = list::page_ids(&db.conn, query.order_by_asc(room::Column::Id), room::Column::Id, req).await?;
    let read =
        |part: Vec<i32>| async move { views(&db.conn, list::rows_by_id::<room::Entity>(&db.conn, room::Column::Id, &part).await?).await };
    list::in_parts(&ids, read, each).await?;
    Ok(Found::total(total))
}

pub async fn get_model(db: &impl ConnectionTrait, caller: &Caller, id: i32) -> AppResult<Room> {
    caller.require("property.view")?;
    room::Entity::find_by_id(id).filter(caller.projects_condition(room::Column::ProjectId)).one(db).await?.ok_or(AppError::NotFound)
}

/// A room in scope and its project, read together (a work order's create
/// needs both, and each read is a round trip under its turn).
pub async fn get_with_project(db: &impl ConnectionTrait, caller: &Caller, id: i32) -> AppResult<(Room, project_e::Model)> {
    caller.require("property.view")?;
    let found = room::Entity::find_by_id(id)
        .filter(caller.projects_condition(room::Column::ProjectId))
        .find_also_related(project_e::Entity)
        .one(db)
        .await?;
    match found {
        Some((r, Some(p))) => Ok((r, p)),
        _ => Err(AppError::NotFound),
    }
}

pub async fn get(db: &Db, caller: &Caller, id: i32) -> AppResult<RoomView> {
    let r = get_model(&db.conn, caller, id).await?;
    Ok(views(&db.conn, vec![r]).await?.remove(0))
}

fn parse_area(errors: &mut FieldErrors, field: &str, text: &str) -> i64 {
    let t = normalize_text(text);
    if t.is_empty() {
        return 0;
    }
    match Area::parse(&t) {
        Ok(a) => a.0,
        Err(m) => {
            errors.add(field, m);
            0
        }
    }
}

/// The attributes every room of a form or batch shares.
struct RoomAttrs {
    building_area: i64,
    inner_area: i64,
    room_type: RoomType,
    status: RoomStatus,
    delivery_date: Option<NaiveDate>,
}

fn check_attrs(errors: &mut FieldErrors, input: &RoomInput) -> RoomAttrs {
    let building_area = parse_area(errors, "building_area", &input.building_area);
    let inner_area = parse_area(errors, "inner_area", &input.inner_area);
    if inner_area > building_area && building_area > 0 {
        errors.add("inner_area", "套内面积不能大于建筑面积");
    }
    let room_type = RoomType::from_code(&input.room_type).unwrap_or_else(|| {
        errors.add("room_type", "请选择房间类型");
        RoomType::Residential
    });
    let status = RoomStatus::from_code(&input.status).unwrap_or_else(|| {
        errors.add("status", "请选择房间状态");
        RoomStatus::Unsold
    });
    let delivery_date = errors.date("delivery_date", "交付日期", &input.delivery_date);
    RoomAttrs { building_area, inner_area, room_type, status, delivery_date }
}

/// Finds or creates a unit of a building by code.
async fn unit_id(db: &impl ConnectionTrait, building_id: i32, code: &str) -> AppResult<Option<i32>> {
    if code.is_empty() {
        return Ok(None);
    }
    if let Some(u) = building_unit::Entity::find()
        .filter(building_unit::Column::BuildingId.eq(building_id))
        .filter(building_unit::Column::Code.eq(code))
        .one(db)
        .await?
    {
        return Ok(Some(u.id));
    }
    let u = building_unit::ActiveModel {
        building_id: Set(building_id),
        code: Set(code.into()),
        name: Set(format!("{code}单元")),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(Some(u.id))
}

async fn code_taken(db: &impl ConnectionTrait, project_id: i32, code: &str, except: Option<i32>) -> AppResult<bool> {
    let mut q = room::Entity::find().filter(room::Column::ProjectId.eq(project_id)).filter(room::Column::Code.eq(code));
    if let Some(id) = except {
        q = q.filter(room::Column::Id.ne(id));
    }
    Ok(q.count(db).await? > 0)
}

pub async fn create(db: &Db, caller: &Caller, input: &RoomInput) -> AppResult<Room> {
    caller.require("property.create")?;
    let txn = db.begin().await?;
    let mut errors = FieldErrors::new();
    let code = errors.required("code", "房间代码", &normalize_text(&input.code));
    errors.max_chars("code", "房间代码", &code, 64);
    let attrs = check_attrs(&mut errors, input);
    let b = match input.building_id {
        Some(id) => building::get(&*txn, caller, id).await.ok(),
        None => None,
    };
    if b.is_none() {
        errors.add("building_id", "请选择楼栋");
    }
    if input.floor.is_none() {
        errors.add("floor", "请填写楼层");
    }
    if let (Some(b), false) = (&b, code.is_empty()) {
        if code_taken(&*txn, b.project_id, &code, None).await? {
            errors.add("code", format!("本项目已有房间代码 {code}"));
        }
    }
    errors.into_result()?;
    let b = b.expect("validated");
    let unit = unit_id(&*txn, b.id, &normalize_text(&input.unit)).await?;
    let now = Utc::now();
    let r = room::ActiveModel {
        project_id: Set(b.project_id),
        building_id: Set(b.id),
        building_unit_id: Set(unit),
        code: Set(code),
        floor: Set(input.floor.unwrap_or(1)),
        no: Set(0),
        building_area: Set(attrs.building_area),
        inner_area: Set(attrs.inner_area),
        room_type: Set(attrs.room_type.code().into()),
        status: Set(attrs.status.code().into()),
        delivery_date: Set(attrs.delivery_date),
        remarks: Set(normalize_text(&input.remarks)),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&*txn)
    .await?;
    super::tally::rooms_added(&*txn, [r.project_id]).await?;
    let company = project::get(&*txn, caller, r.project_id).await?.company_id;
    audit::record(
        &*txn,
        caller,
        Change::new("room", r.id, AuditAction::Create).company(Some(company)).summary(format!("新增房间 {}", r.code)).after(&r),
    )
    .await?;
    txn.commit().await?;
    Ok(r)
}

pub async fn update(db: &Db, caller: &Caller, id: i32, version: i32, input: &RoomInput) -> AppResult<Room> {
    caller.require("property.edit")?;
    let txn = db.begin().await?;
    let before = get_model(&*txn, caller, id).await?;
    let mut errors = FieldErrors::new();
    let code = errors.required("code", "房间代码", &normalize_text(&input.code));
    errors.max_chars("code", "房间代码", &code, 64);
    let attrs = check_attrs(&mut errors, input);
    if !code.is_empty() && code_taken(&*txn, before.project_id, &code, Some(id)).await? {
        errors.add("code", format!("本项目已有房间代码 {code}"));
    }
    errors.into_result()?;
    claim_version::<room::Entity>(&*txn, room::Column::Id, room::Column::Version, id, version).await?;
    let unit = unit_id(&*txn, before.building_id, &normalize_text(&input.unit)).await?;
    let mut am = before.clone().into_active_model();
    am.code = Set(code);
    am.building_unit_id = Set(unit);
    am.floor = Set(input.floor.unwrap_or(before.floor));
    am.building_area = Set(attrs.building_area);
    am.inner_area = Set(attrs.inner_area);
    am.room_type = Set(attrs.room_type.code().into());
    am.status = Set(attrs.status.code().into());
    am.delivery_date = Set(attrs.delivery_date);
    am.remarks = Set(normalize_text(&input.remarks));
    am.version = Set(version + 1);
    am.updated_at = Set(Utc::now());
    let after = am.update(&*txn).await?;
    let company = project::get(&*txn, caller, after.project_id).await?.company_id;
    audit::record(
        &*txn,
        caller,
        Change::new("room", id, AuditAction::Update)
            .company(Some(company))
            .summary(format!("修改房间 {}", after.code))
            .before(&before)
            .after(&after),
    )
    .await?;
    txn.commit().await?;
    Ok(after)
}

/// A batch generation request (PRP-3).
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct BatchInput {
    #[serde(default)]
    pub building_id: Option<i32>,
    /// Unit codes separated by commas, e.g. `"1,2"`.
    #[serde(default)]
    pub units: String,
    #[serde(default)]
    pub floor_from: Option<i32>,
    #[serde(default)]
    pub floor_to: Option<i32>,
    #[serde(default)]
    pub rooms_per_floor: Option<i32>,
    /// Floors to skip separated by commas, e.g. `"4,13,14"`.
    #[serde(default)]
    pub skip_floors: String,
    /// e.g. `{building}-{unit}-{floor:02}{no:02}`.
    #[serde(default)]
    pub pattern: String,
    #[serde(flatten)]
    pub defaults: RoomInput,
}

/// What a batch would create, and which of its codes already exist.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct BatchPlan {
    #[schema(value_type = Vec<Object>)]
    pub rooms: Vec<PlannedRoomView>,
    pub existing: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PlannedRoomView {
    pub unit: String,
    pub floor: i32,
    pub no: i32,
    pub code: String,
}

impl From<PlannedRoom> for PlannedRoomView {
    fn from(r: PlannedRoom) -> Self {
        Self { unit: r.unit, floor: r.floor, no: r.no, code: r.code }
    }
}

fn split_list(s: &str) -> Vec<String> {
    normalize_text(s).split([',', '，', '、', ' ']).map(str::trim).filter(|t| !t.is_empty()).map(str::to_string).collect()
}

struct CheckedBatch {
    building: building_e::Model,
    rooms: Vec<PlannedRoom>,
    attrs: RoomAttrs,
}

async fn check_batch(db: &impl ConnectionTrait, caller: &Caller, input: &BatchInput) -> AppResult<CheckedBatch> {
    let mut errors = FieldErrors::new();
    let b = match input.building_id {
        Some(id) => building::get(db, caller, id).await.ok(),
        None => None,
    };
    let Some(b) = b else { return Err(AppError::field("building_id", "请选择楼栋")) };
    let p = project::get(db, caller, b.project_id).await?;
    let mut skip = BTreeSet::new();
    for f in split_list(&input.skip_floors) {
        match f.parse::<i32>() {
            Ok(n) => {
                skip.insert(n);
            }
            Err(_) => errors.add("skip_floors", "跳过楼层应为用逗号分隔的数字，如 4,13,14"),
        }
    }
    let mut units = split_list(&input.units);
    if units.is_empty() {
        units.push(String::new());
    }
    for (field, v) in [("floor_from", input.floor_from), ("floor_to", input.floor_to), ("rooms_per_floor", input.rooms_per_floor)] {
        if v.is_none() {
            errors.add(field, "请填写数字");
        }
    }
    let attrs = check_attrs(&mut errors, &input.defaults);
    errors.clone().into_result()?;
    let spec = BatchSpec {
        project_code: p.code.clone(),
        building_code: b.code.clone(),
        units,
        floor_from: input.floor_from.unwrap_or(1),
        floor_to: input.floor_to.unwrap_or(1),
        rooms_per_floor: input.rooms_per_floor.unwrap_or(1),
        skip_floors: skip,
        pattern: input.pattern.trim().to_string(),
    };
    let rooms = plan_rooms(&spec).map_err(|(field, m)| AppError::field(field, m))?;
    Ok(CheckedBatch { building: b, rooms, attrs })
}

async fn existing_codes(db: &impl ConnectionTrait, project_id: i32, codes: &[String]) -> AppResult<Vec<String>> {
    let mut found = Vec::new();
    for chunk in codes.chunks(500) {
        let rows: Vec<String> = room::Entity::find()
            .select_only()
            .column(room::Column::Code)
            .filter(room::Column::ProjectId.eq(project_id))
            .filter(room::Column::Code.is_in(chunk.to_vec()))
            .into_tuple()
            .all(db)
            .await?;
        found.extend(rows);
    }
    found.sort();
    Ok(found)
}

/// The rooms a batch would create, for the preview table.
pub async fn preview_batch(db: &Db, caller: &Caller, input: &BatchInput) -> AppResult<BatchPlan> {
    caller.require("property.create")?;
    let batch = check_batch(&db.conn, caller, input).await?;
    let codes: Vec<String> = batch.rooms.iter().map(|r| r.code.clone()).collect();
    let existing = existing_codes(&db.conn, batch.building.project_id, &codes).await?;
    Ok(BatchPlan { rooms: batch.rooms.into_iter().map(Into::into).collect(), existing })
}

/// Creates every room of a batch in one transaction, or none: a code that
/// already exists refuses the whole batch.
pub async fn commit_batch(db: &Db, caller: &Caller, input: &BatchInput) -> AppResult<u64> {
    caller.require("property.create")?;
    let txn = db.begin().await?;
    let batch = check_batch(&*txn, caller, input).await?;
    let b = &batch.building;
    let codes: Vec<String> = batch.rooms.iter().map(|r| r.code.clone()).collect();
    let existing = existing_codes(&*txn, b.project_id, &codes).await?;
    if !existing.is_empty() {
        let sample: Vec<&str> = existing.iter().take(5).map(String::as_str).collect();
        return Err(AppError::field(
            "pattern",
            format!("房间代码 {} 等 {} 个已存在，本次未生成任何房间；请调整楼层范围或命名规则", sample.join("、"), existing.len()),
        ));
    }
    let mut unit_ids = BTreeMap::new();
    for unit in batch.rooms.iter().map(|r| r.unit.clone()).collect::<BTreeSet<_>>() {
        unit_ids.insert(unit.clone(), unit_id(&*txn, b.id, &unit).await?);
    }
    let now = Utc::now();
    let a = &batch.attrs;
    let count = batch.rooms.len() as u64;
    let models: Vec<room::ActiveModel> = batch
        .rooms
        .iter()
        .map(|r| room::ActiveModel {
            project_id: Set(b.project_id),
            building_id: Set(b.id),
            building_unit_id: Set(unit_ids.get(&r.unit).copied().flatten()),
            code: Set(r.code.clone()),
            floor: Set(r.floor),
            no: Set(r.no),
            building_area: Set(a.building_area),
            inner_area: Set(a.inner_area),
            room_type: Set(a.room_type.code().into()),
            status: Set(a.status.code().into()),
            delivery_date: Set(a.delivery_date),
            remarks: Set(String::new()),
            version: Set(1),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        })
        .collect();
    for chunk in models.chunks(400) {
        room::Entity::insert_many(chunk.to_vec()).exec(&*txn).await?;
    }
    super::tally::rooms_added(&*txn, std::iter::repeat_n(b.project_id, batch.rooms.len())).await?;
    let company = project::get(&*txn, caller, b.project_id).await?.company_id;
    audit::record(
        &*txn,
        caller,
        Change::new("building", b.id, AuditAction::Create)
            .company(Some(company))
            .summary(format!(
                "楼栋 {} 批量生成 {} 间房（{} 至 {}）",
                b.name,
                count,
                codes.first().cloned().unwrap_or_default(),
                codes.last().cloned().unwrap_or_default()
            ))
            .after(input),
    )
    .await?;
    txn.commit().await?;
    Ok(count)
}

/// A room in scope with the management office it belongs to.
pub async fn with_office(db: &Db, caller: &Caller, id: i32) -> AppResult<(RoomView, i32)> {
    let r = get(db, caller, id).await?;
    let office = project_e::Entity::find_by_id(r.room.project_id).one(&db.conn).await?.map(|p| p.org_unit_id).ok_or(AppError::NotFound)?;
    Ok((r, office))
}
