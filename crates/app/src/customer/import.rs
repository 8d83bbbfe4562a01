//! Excel import of customers with their rooms and roles (CUS-8): every row
//! checked (ID checksum, phone format, duplicate code in the file and the
//! database, unknown room, bad dates); all stored in one transaction.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use chrono::{NaiveDate, Utc};
use domain::{
    audit::AuditAction,
    customer::{check_id_number, IdType},
    occupancy::{check_move_in, OccupantRole},
    property::RoomStatus,
    validation::{is_email, is_phone, normalize_phone},
};
use sea_orm::{sea_query::Expr, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QuerySelect};

use super::search;
use crate::{
    audit::{self, Change},
    entity::{customer, customer_phone, occupancy, org_unit, room},
    import::{ImportMode, Outcome, Progress, RowError, SheetRow},
    property::project as projects,
    AppResult, Caller, Db,
};

pub const HEADERS: &[&str] = &[
    "管理处*",
    "客户编号*",
    "客户名称*",
    "客户类型",
    "证件类型",
    "证件号码",
    "手机",
    "其他电话",
    "电子邮箱",
    "项目编码",
    "房间代码",
    "身份",
    "迁入日期",
    "租期开始",
    "租期结束",
];
pub const EXAMPLE: &[&str] = &[
    "君林天下管理处",
    "JLTX-C3-1-0301",
    "张伟",
    "个人",
    "居民身份证",
    "11010519491231002X",
    "13800138000",
    "",
    "",
    "JLTX",
    "JLTX-C3-1-0301",
    "业主",
    "2025-07-01",
    "",
    "",
];

struct CustomerRow {
    office: i32,
    company: i32,
    code: String,
    name: String,
    kind: &'static str,
    id_type: String,
    id_number: String,
    gender: String,
    birthday: Option<NaiveDate>,
    phones: Vec<String>,
    email: String,
    room: Option<RoomLink>,
}

/// The room a row moves its customer into.
#[derive(Clone)]
struct RoomLink {
    room_id: i32,
    project_id: i32,
    code: String,
    role: OccupantRole,
    start: NaiveDate,
    lease_start: Option<NaiveDate>,
    lease_end: Option<NaiveDate>,
}

fn date(reasons: &mut Vec<String>, label: &str, text: &str) -> Option<NaiveDate> {
    if text.is_empty() {
        return None;
    }
    let d = NaiveDate::parse_from_str(text, "%Y-%m-%d").ok();
    if d.is_none() {
        reasons.push(format!("{label}“{text}”格式应为 2025-07-01"));
    }
    d
}

/// What the import looks rows up in, loaded once.
struct Lookups {
    offices: HashMap<String, (i32, i32)>,
    codes: HashSet<(i32, String)>,
    projects: HashMap<String, (i32, i32)>,
    rooms: HashMap<(i32, String), i32>,
}

async fn lookups(db: &Db, caller: &Caller) -> AppResult<Lookups> {
    let office_ids: Vec<i32> = projects::offices_in_scope(db, caller).await?.into_iter().map(|(id, _)| id).collect();
    let offices = org_unit::Entity::find()
        .filter(org_unit::Column::Id.is_in(office_ids.clone()))
        .all(&db.conn)
        .await?
        .into_iter()
        .map(|o| (o.name, (o.id, o.company_id.unwrap_or_default())))
        .collect();
    let codes: Vec<(i32, String)> = customer::Entity::find()
        .select_only()
        .column(customer::Column::OrgUnitId)
        .column(customer::Column::Code)
        .filter(customer::Column::OrgUnitId.is_in(office_ids))
        .into_tuple()
        .all(&db.conn)
        .await?;
    let in_scope = projects::in_scope(db, caller).await?;
    let project_ids: Vec<i32> = in_scope.iter().map(|p| p.id).collect();
    let mut rooms = HashMap::new();
    for chunk in project_ids.chunks(200) {
        let rows: Vec<(i32, i32, String)> = room::Entity::find()
            .select_only()
            .column(room::Column::Id)
            .column(room::Column::ProjectId)
            .column(room::Column::Code)
            .filter(room::Column::ProjectId.is_in(chunk.to_vec()))
            .into_tuple()
            .all(&db.conn)
            .await?;
        rooms.extend(rows.into_iter().map(|(id, p, code)| ((p, code), id)));
    }
    Ok(Lookups {
        offices,
        codes: codes.into_iter().collect(),
        projects: in_scope.into_iter().map(|p| (p.code, (p.id, p.org_unit_id))).collect(),
        rooms,
    })
}

fn check_row(row: &SheetRow, l: &Lookups, in_file: &mut HashSet<(i32, String)>, today: NaiveDate) -> Result<CustomerRow, Vec<String>> {
    let mut reasons = Vec::new();
    let office = l.offices.get(row.cell(0)).copied();
    if office.is_none() {
        reasons.push(if row.cell(0).is_empty() {
            "缺少管理处".into()
        } else {
            format!("管理处“{}”不存在或无权访问", row.cell(0))
        });
    }
    let code = row.cell(1).to_string();
    if code.is_empty() {
        reasons.push("缺少客户编号".into());
    }
    let name = row.cell(2).to_string();
    if name.is_empty() {
        reasons.push("缺少客户名称".into());
    } else if name.chars().count() > 100 {
        reasons.push("客户名称不能超过 100 个字".into());
    }
    let kind = match row.cell(3) {
        "" | "个人" => "person",
        "单位" => "company",
        other => {
            reasons.push(format!("客户类型“{other}”应为 个人 或 单位"));
            "person"
        }
    };
    let (mut id_type, mut id_number, mut gender, mut birthday) = (String::new(), String::new(), String::new(), None);
    if !row.cell(5).is_empty() {
        match IdType::from_label(if row.cell(4).is_empty() { "居民身份证" } else { row.cell(4) }) {
            None => reasons.push(format!("证件类型“{}”无法识别", row.cell(4))),
            Some(t) => match check_id_number(t, row.cell(5), today) {
                Ok((n, card)) => {
                    id_type = t.code().into();
                    id_number = n;
                    if let Some(c) = card {
                        gender = c.gender.code().into();
                        birthday = Some(c.birth);
                    }
                }
                Err(m) => reasons.push(m.into()),
            },
        }
    }
    let mut phones = Vec::new();
    for (label, text) in [("手机", row.cell(6)), ("其他电话", row.cell(7))] {
        let p = normalize_phone(text);
        if p.is_empty() {
            continue;
        }
        if is_phone(&p) {
            phones.push(p);
        } else {
            reasons.push(format!("{label}“{text}”格式不正确"));
        }
    }
    let email = row.cell(8).to_string();
    if !email.is_empty() && !is_email(&email) {
        reasons.push(format!("电子邮箱“{email}”格式不正确"));
    }
    let mut room_link = None;
    if !row.cell(10).is_empty() {
        let project = l.projects.get(row.cell(9)).copied();
        let room_id = project.and_then(|(p, _)| l.rooms.get(&(p, row.cell(10).to_string())).copied());
        match (project, room_id) {
            (None, _) => reasons.push(format!("项目编码“{}”不存在或无权访问", row.cell(9))),
            (Some(_), None) => reasons.push(format!("房间“{}”不存在", row.cell(10))),
            (Some((p, project_office)), Some(r)) => {
                if office.is_some_and(|(o, _)| o != project_office) {
                    reasons.push("房间与客户不属于同一管理处".into());
                }
                let role = OccupantRole::from_label(row.cell(11)).or_else(|| OccupantRole::from_code(row.cell(11)));
                let start = date(&mut reasons, "迁入日期", row.cell(12));
                let lease_start = date(&mut reasons, "租期开始", row.cell(13));
                let lease_end = date(&mut reasons, "租期结束", row.cell(14));
                match (role, start) {
                    (None, _) => reasons.push(format!("身份“{}”应为 业主/租户/住户", row.cell(11))),
                    (_, None) if row.cell(12).is_empty() => reasons.push("缺少迁入日期".into()),
                    (Some(role), Some(start)) => match check_move_in(role, start, lease_start.zip(lease_end), today) {
                        Ok(()) => {
                            room_link = Some(RoomLink {
                                room_id: r,
                                project_id: p,
                                code: row.cell(10).to_string(),
                                role,
                                start,
                                lease_start,
                                lease_end,
                            })
                        }
                        Err((_, m)) => reasons.push(m.into()),
                    },
                    _ => {}
                }
            }
        }
    }
    if let (Some((o, _)), false) = (office, code.is_empty()) {
        if l.codes.contains(&(o, code.clone())) {
            reasons.push(format!("客户编号 {code} 在该管理处已存在"));
        } else if !in_file.insert((o, code.clone())) {
            reasons.push(format!("客户编号 {code} 在文件中重复"));
        }
    }
    if !reasons.is_empty() {
        return Err(reasons);
    }
    let (office, company) = office.expect("checked");
    Ok(CustomerRow { office, company, code, name, kind, id_type, id_number, gender, birthday, phones, email, room: room_link })
}

pub async fn import(db: &Db, caller: &Caller, mode: ImportMode, rows: Vec<SheetRow>, progress: &Progress) -> AppResult<Outcome> {
    caller.require("customer.import")?;
    let l = lookups(db, caller).await?;
    let today = crate::clock::today();
    let mut in_file = HashSet::new();
    let (mut valid, mut errors) = (Vec::new(), Vec::new());
    for (i, row) in rows.into_iter().enumerate() {
        if i % 5000 == 4999 {
            progress.set(i + 1).await?;
        }
        match check_row(&row, &l, &mut in_file, today) {
            Ok(c) => valid.push(c),
            Err(reasons) => errors.push(RowError { row, reasons }),
        }
    }
    if valid.is_empty() || (mode == ImportMode::AllOrNothing && !errors.is_empty()) {
        return Ok(Outcome { imported: 0, errors });
    }
    store(db, caller, &valid).await?;
    Ok(Outcome { imported: valid.len(), errors })
}

async fn store(db: &Db, caller: &Caller, rows: &[CustomerRow]) -> AppResult<()> {
    let txn = db.begin().await?;
    let now = Utc::now();
    let models: Vec<customer::ActiveModel> = rows
        .iter()
        .map(|r| {
            let mut parts: Vec<&str> = vec![&r.name, &r.code, &r.id_number];
            parts.extend(r.phones.iter().map(String::as_str));
            if let Some(link) = &r.room {
                parts.push(&link.code);
            }
            customer::ActiveModel {
                org_unit_id: Set(r.office),
                company_id: Set(r.company),
                code: Set(r.code.clone()),
                name: Set(r.name.clone()),
                kind: Set(r.kind.into()),
                gender: Set(r.gender.clone()),
                id_type: Set(r.id_type.clone()),
                id_number: Set(r.id_number.clone()),
                birthday: Set(r.birthday),
                email: Set(r.email.clone()),
                work_unit: Set(String::new()),
                category: Set(String::new()),
                remarks: Set(String::new()),
                enabled: Set(true),
                search_text: Set(search::search_text(&parts)),
                version: Set(1),
                created_at: Set(now),
                updated_at: Set(now),
                ..Default::default()
            }
        })
        .collect();
    for chunk in models.chunks(300) {
        customer::Entity::insert_many(chunk.to_vec()).exec(&*txn).await?;
    }
    super::tally::shift(&*txn, rows.iter().map(|r| (None, Some((r.office, true))))).await?;
    let offices: BTreeSet<i32> = rows.iter().map(|r| r.office).collect();
    let mut ids: HashMap<(i32, String), i32> = HashMap::new();
    for o in offices {
        let found: Vec<(i32, String)> = customer::Entity::find()
            .select_only()
            .column(customer::Column::Id)
            .column(customer::Column::Code)
            .filter(customer::Column::OrgUnitId.eq(o))
            .into_tuple()
            .all(&*txn)
            .await?;
        ids.extend(found.into_iter().map(|(id, code)| ((o, code), id)));
    }
    let phones: Vec<customer_phone::ActiveModel> = rows
        .iter()
        .flat_map(|r| {
            let id = ids[&(r.office, r.code.clone())];
            r.phones.iter().enumerate().map(move |(i, p)| customer_phone::ActiveModel {
                customer_id: Set(id),
                phone: Set(p.clone()),
                sort_order: Set(i as i32),
                ..Default::default()
            })
        })
        .collect();
    for chunk in phones.chunks(500) {
        customer_phone::Entity::insert_many(chunk.to_vec()).exec(&*txn).await?;
    }
    let grams: Vec<(i32, &str, &str)> = rows
        .iter()
        .zip(&models)
        .map(|(r, m)| (ids[&(r.office, r.code.clone())], r.name.as_str(), m.search_text.as_ref().as_str()))
        .collect();
    search::store_grams(&*txn, &grams).await?;
    store_occupancies(&txn, caller, rows, &ids).await?;
    audit::record(
        &*txn,
        caller,
        Change::new("customer", "import", AuditAction::Create).summary(format!("Excel 导入 {} 位客户", rows.len())),
    )
    .await?;
    txn.commit().await
}

/// Moves the imported customers in; a new holder of a role ends the earlier
/// one, as a move-in does.
async fn store_occupancies(
    txn: &crate::db::WriteTxn,
    caller: &Caller,
    rows: &[CustomerRow],
    ids: &HashMap<(i32, String), i32>,
) -> AppResult<()> {
    let linked: Vec<&CustomerRow> = rows.iter().filter(|r| r.room.is_some()).collect();
    let room_ids: Vec<i32> =
        linked.iter().filter_map(|r| r.room.as_ref().map(|x| x.room_id)).collect::<BTreeSet<_>>().into_iter().collect();
    let mut current: BTreeMap<(i32, String), Vec<occupancy::Model>> = BTreeMap::new();
    for chunk in room_ids.chunks(500) {
        for o in occupancy::Entity::find()
            .filter(occupancy::Column::RoomId.is_in(chunk.to_vec()))
            .filter(occupancy::Column::EndDate.is_null())
            .all(&**txn)
            .await?
        {
            current.entry((o.room_id, o.role.clone())).or_default().push(o);
        }
    }
    let mut ended: Vec<i32> = Vec::new();
    let mut models = Vec::new();
    for r in linked {
        let RoomLink { room_id, project_id, role, start, lease_start, lease_end, .. } = r.room.clone().expect("linked");
        for o in current.remove(&(room_id, role.code().to_string())).unwrap_or_default() {
            occupancy::Entity::update_many()
                .col_expr(occupancy::Column::EndDate, Expr::value(start.max(o.start_date)))
                .col_expr(occupancy::Column::EndReason, Expr::value(format!("新{}迁入（导入）", role.label())))
                .filter(occupancy::Column::Id.eq(o.id))
                .exec(&**txn)
                .await?;
            ended.push(o.customer_id);
        }
        models.push(occupancy::ActiveModel {
            room_id: Set(room_id),
            customer_id: Set(ids[&(r.office, r.code.clone())]),
            project_id: Set(project_id),
            role: Set(role.code().into()),
            start_date: Set(start),
            end_date: Set(None),
            lease_start: Set(lease_start),
            lease_end: Set(lease_end),
            end_reason: Set(String::new()),
            handover_id: Set(None),
            created_by: Set(caller.user_id),
            created_at: Set(Utc::now()),
            version: Set(1),
            ..Default::default()
        });
    }
    for chunk in models.chunks(400) {
        occupancy::Entity::insert_many(chunk.to_vec()).exec(&**txn).await?;
    }
    for chunk in room_ids.chunks(500) {
        room::Entity::update_many()
            .col_expr(room::Column::Status, Expr::value(RoomStatus::Occupied.code()))
            .filter(room::Column::Id.is_in(chunk.to_vec()))
            .filter(room::Column::Status.ne(RoomStatus::Renovating.code()))
            .exec(&**txn)
            .await?;
    }
    super::record::refresh_search(&**txn, &ended).await?;
    Ok(())
}
