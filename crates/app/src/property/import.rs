//! Excel import of rooms (PRP-4): every row validated, buildings and units
//! created as needed, all rooms stored in one transaction.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use chrono::{NaiveDate, Utc};
use domain::{
    audit::AuditAction,
    property::{Area, RoomStatus, RoomType},
};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QuerySelect};

use super::project;
use crate::{
    audit::{self, Change},
    entity::{building, building_unit, room},
    import::{ImportMode, Outcome, Progress, RowError, SheetRow},
    AppResult, Caller, Db,
};

pub const HEADERS: &[&str] =
    &["项目编码*", "楼栋编码*", "单元", "房间代码*", "楼层*", "建筑面积", "套内面积", "房间类型*", "房间状态*", "交付日期"];
pub const EXAMPLE: &[&str] = &["JLTX", "C3", "1", "JLTX-C3-1-0301", "3", "89.25", "72.10", "住宅", "未售", "2025-06-30"];

struct RoomRow {
    project_id: i32,
    building: String,
    unit: String,
    code: String,
    floor: i32,
    building_area: i64,
    inner_area: i64,
    room_type: RoomType,
    status: RoomStatus,
    delivery_date: Option<NaiveDate>,
}

fn area(reasons: &mut Vec<String>, label: &str, text: &str) -> i64 {
    if text.is_empty() {
        return 0;
    }
    Area::parse(text).map(|a| a.0).unwrap_or_else(|m| {
        reasons.push(format!("{label}：{m}"));
        0
    })
}

pub async fn import(db: &Db, caller: &Caller, mode: ImportMode, rows: Vec<SheetRow>, progress: &Progress) -> AppResult<Outcome> {
    caller.require("property.import")?;
    let projects: BTreeMap<String, Vec<i32>> = project::in_scope(db, caller).await?.into_iter().fold(BTreeMap::new(), |mut m, p| {
        m.entry(p.code).or_insert_with(Vec::new).push(p.id);
        m
    });
    let project_ids: Vec<i32> = projects.values().flatten().copied().collect();
    let mut existing: HashSet<(i32, String)> = HashSet::new();
    for chunk in project_ids.chunks(500) {
        let codes: Vec<(i32, String)> = room::Entity::find()
            .select_only()
            .column(room::Column::ProjectId)
            .column(room::Column::Code)
            .filter(room::Column::ProjectId.is_in(chunk.to_vec()))
            .into_tuple()
            .all(&db.conn)
            .await?;
        existing.extend(codes);
    }
    let mut valid = Vec::new();
    let mut errors = Vec::new();
    let mut in_file: HashSet<(i32, String)> = HashSet::new();
    for (i, row) in rows.into_iter().enumerate() {
        if i % 5000 == 4999 {
            progress.set(i + 1).await?;
        }
        let mut reasons = Vec::new();
        let project_id = match projects.get(row.cell(0)).map(Vec::as_slice) {
            Some([id]) => Some(*id),
            Some(_) => {
                reasons.push(format!("项目编码 {} 在多个公司存在，请分公司导入", row.cell(0)));
                None
            }
            None if row.cell(0).is_empty() => {
                reasons.push("缺少项目编码".into());
                None
            }
            None => {
                reasons.push(format!("项目编码 {} 不存在或无权访问", row.cell(0)));
                None
            }
        };
        let building = row.cell(1).to_string();
        if building.is_empty() {
            reasons.push("缺少楼栋编码".into());
        }
        let code = row.cell(3).to_string();
        if code.is_empty() {
            reasons.push("缺少房间代码".into());
        } else if code.chars().count() > 64 {
            reasons.push("房间代码不能超过 64 个字".into());
        }
        let floor = row.cell(4).parse::<i32>().ok().filter(|f| *f != 0 && (-10..=200).contains(f));
        if floor.is_none() {
            reasons.push(format!("楼层“{}”应为非零整数", row.cell(4)));
        }
        let building_area = area(&mut reasons, "建筑面积", row.cell(5));
        let inner_area = area(&mut reasons, "套内面积", row.cell(6));
        let room_type = RoomType::from_label(row.cell(7)).or_else(|| RoomType::from_code(row.cell(7)));
        if room_type.is_none() {
            reasons.push(format!("房间类型“{}”应为 住宅/商铺/写字楼/车位/储藏室", row.cell(7)));
        }
        let status = RoomStatus::from_label(row.cell(8)).or_else(|| RoomStatus::from_code(row.cell(8)));
        if status.is_none() {
            reasons.push(format!("房间状态“{}”应为 未售/空置/已入住/装修中", row.cell(8)));
        }
        let delivery_date = match row.cell(9) {
            "" => None,
            t => {
                let d = NaiveDate::parse_from_str(t, "%Y-%m-%d").ok();
                if d.is_none() {
                    reasons.push(format!("交付日期“{t}”格式应为 2025-06-30"));
                }
                d
            }
        };
        if let Some(p) = project_id {
            if existing.contains(&(p, code.clone())) {
                reasons.push(format!("房间代码 {code} 已存在"));
            } else if !code.is_empty() && !in_file.insert((p, code.clone())) {
                reasons.push(format!("房间代码 {code} 在文件中重复"));
            }
        }
        if reasons.is_empty() {
            valid.push(RoomRow {
                project_id: project_id.expect("checked"),
                building,
                unit: row.cell(2).to_string(),
                code,
                floor: floor.expect("checked"),
                building_area,
                inner_area,
                room_type: room_type.expect("checked"),
                status: status.expect("checked"),
                delivery_date,
            });
        } else {
            errors.push(RowError { row, reasons });
        }
    }
    if valid.is_empty() || (mode == ImportMode::AllOrNothing && !errors.is_empty()) {
        return Ok(Outcome { imported: 0, errors });
    }
    let imported = store(db, caller, &valid).await?;
    Ok(Outcome { imported, errors })
}

async fn store(db: &Db, caller: &Caller, rows: &[RoomRow]) -> AppResult<usize> {
    let txn = db.begin().await?;
    let now = Utc::now();
    let project_ids: BTreeSet<i32> = rows.iter().map(|r| r.project_id).collect();
    let mut buildings: BTreeMap<(i32, String), i32> = building::Entity::find()
        .filter(building::Column::ProjectId.is_in(project_ids.clone()))
        .all(&*txn)
        .await?
        .into_iter()
        .map(|b| ((b.project_id, b.code), b.id))
        .collect();
    for (p, code) in rows.iter().map(|r| (r.project_id, r.building.clone())).collect::<BTreeSet<_>>() {
        if !buildings.contains_key(&(p, code.clone())) {
            let b = building::ActiveModel {
                project_id: Set(p),
                code: Set(code.clone()),
                name: Set(code.clone()),
                floors_above: Set(0),
                floors_below: Set(0),
                enabled: Set(true),
                version: Set(1),
                created_at: Set(now),
                updated_at: Set(now),
                ..Default::default()
            }
            .insert(&*txn)
            .await?;
            buildings.insert((p, code), b.id);
        }
    }
    let building_ids: Vec<i32> = buildings.values().copied().collect();
    let mut units: BTreeMap<(i32, String), i32> = BTreeMap::new();
    for chunk in building_ids.chunks(500) {
        for u in building_unit::Entity::find().filter(building_unit::Column::BuildingId.is_in(chunk.to_vec())).all(&*txn).await? {
            units.insert((u.building_id, u.code), u.id);
        }
    }
    for (b, code) in rows
        .iter()
        .filter(|r| !r.unit.is_empty())
        .map(|r| (buildings[&(r.project_id, r.building.clone())], r.unit.clone()))
        .collect::<BTreeSet<_>>()
    {
        if !units.contains_key(&(b, code.clone())) {
            let u = building_unit::ActiveModel {
                building_id: Set(b),
                code: Set(code.clone()),
                name: Set(format!("{code}单元")),
                ..Default::default()
            }
            .insert(&*txn)
            .await?;
            units.insert((b, code), u.id);
        }
    }
    let models: Vec<room::ActiveModel> = rows
        .iter()
        .map(|r| {
            let b = buildings[&(r.project_id, r.building.clone())];
            room::ActiveModel {
                project_id: Set(r.project_id),
                building_id: Set(b),
                building_unit_id: Set(units.get(&(b, r.unit.clone())).copied()),
                code: Set(r.code.clone()),
                floor: Set(r.floor),
                no: Set(0),
                building_area: Set(r.building_area),
                inner_area: Set(r.inner_area),
                room_type: Set(r.room_type.code().into()),
                status: Set(r.status.code().into()),
                delivery_date: Set(r.delivery_date),
                remarks: Set(String::new()),
                version: Set(1),
                created_at: Set(now),
                updated_at: Set(now),
                ..Default::default()
            }
        })
        .collect();
    for chunk in models.chunks(400) {
        room::Entity::insert_many(chunk.to_vec()).exec(&*txn).await?;
    }
    super::tally::rooms_added(&*txn, rows.iter().map(|r| r.project_id)).await?;
    audit::record(&*txn, caller, Change::new("room", "import", AuditAction::Create).summary(format!("Excel 导入 {} 间房", rows.len())))
        .await?;
    txn.commit().await?;
    Ok(rows.len())
}
