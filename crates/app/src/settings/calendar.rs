use chrono::{NaiveDate, Utc};
use domain::{
    audit::AuditAction,
    settings::{parse_hhmm, HolidayKind, WorkWeek},
    FieldErrors,
};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, IntoActiveModel, PaginatorTrait, QueryFilter, QueryOrder};
use serde::{Deserialize, Serialize};

use crate::{
    audit::{self, Change},
    db::claim_version,
    entity::{holiday, work_calendar},
    AppError, AppResult, Caller, Db,
};

#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct CalendarInput {
    /// ISO weekday numbers worked, e.g. `["1","2","3","4","5"]`.
    #[serde(default)]
    pub work_days: Vec<String>,
    #[serde(default)]
    pub work_start: String,
    #[serde(default)]
    pub work_end: String,
    #[serde(default)]
    pub lunch_start: String,
    #[serde(default)]
    pub lunch_end: String,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct HolidayInput {
    #[serde(default)]
    pub day: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub name: String,
}

pub async fn get_calendar(db: &Db, caller: &Caller, company_id: i32) -> AppResult<work_calendar::Model> {
    caller.require("settings.view")?;
    if !caller.scope.sees_company(company_id) {
        return Err(AppError::NotFound);
    }
    work_calendar::Entity::find().filter(work_calendar::Column::CompanyId.eq(company_id)).one(&db.conn).await?.ok_or(AppError::NotFound)
}

fn check_calendar(input: &CalendarInput) -> Result<String, FieldErrors> {
    let mut errors = FieldErrors::new();
    let days = match WorkWeek::parse(&input.work_days.concat()) {
        Ok(w) => w.code(),
        Err(m) => {
            errors.add("work_days", m);
            String::new()
        }
    };
    let start = parse_hhmm(&input.work_start);
    let end = parse_hhmm(&input.work_end);
    if start.is_none() {
        errors.add("work_start", "请按 HH:MM 填写上班时间");
    }
    if end.is_none() {
        errors.add("work_end", "请按 HH:MM 填写下班时间");
    }
    if let (Some(s), Some(e)) = (start, end) {
        if s >= e {
            errors.add("work_end", "下班时间须晚于上班时间");
        }
    }
    let lunch = (input.lunch_start.trim(), input.lunch_end.trim());
    if lunch != ("", "") {
        match (parse_hhmm(lunch.0), parse_hhmm(lunch.1)) {
            (Some(ls), Some(le)) if ls < le && start.is_none_or(|s| s <= ls) && end.is_none_or(|e| le <= e) => {}
            (Some(_), Some(_)) => errors.add("lunch_end", "午休须在上班时间之内且结束晚于开始"),
            _ => errors.add("lunch_start", "请按 HH:MM 填写午休时间，或两项都留空"),
        }
    }
    errors.into_result().map(|_| days)
}

pub async fn update_calendar(
    db: &Db,
    caller: &Caller,
    company_id: i32,
    version: i32,
    input: &CalendarInput,
) -> AppResult<work_calendar::Model> {
    caller.require("settings.configure")?;
    let before = get_calendar(db, caller, company_id).await?;
    let days = check_calendar(input)?;
    let txn = db.begin().await?;
    claim_version::<work_calendar::Entity>(&*txn, work_calendar::Column::Id, work_calendar::Column::Version, before.id, version).await?;
    let mut am = before.clone().into_active_model();
    am.work_days = Set(days);
    am.work_start = Set(input.work_start.trim().into());
    am.work_end = Set(input.work_end.trim().into());
    am.lunch_start = Set(input.lunch_start.trim().into());
    am.lunch_end = Set(input.lunch_end.trim().into());
    am.version = Set(version + 1);
    am.updated_at = Set(Utc::now());
    let after = am.update(&*txn).await?;
    audit::record(
        &*txn,
        caller,
        Change::new("calendar", after.id, AuditAction::Update)
            .company(Some(company_id))
            .summary("修改工作日历")
            .before(&before)
            .after(&after),
    )
    .await?;
    txn.commit().await?;
    Ok(after)
}

pub async fn list_holidays(db: &Db, caller: &Caller, company_id: i32) -> AppResult<Vec<holiday::Model>> {
    caller.require("settings.view")?;
    if !caller.scope.sees_company(company_id) {
        return Err(AppError::NotFound);
    }
    Ok(holiday::Entity::find().filter(holiday::Column::CompanyId.eq(company_id)).order_by_desc(holiday::Column::Day).all(&db.conn).await?)
}

pub async fn add_holiday(db: &Db, caller: &Caller, company_id: i32, input: &HolidayInput) -> AppResult<holiday::Model> {
    caller.require("settings.configure")?;
    if !caller.scope.sees_company(company_id) {
        return Err(AppError::NotFound);
    }
    let mut errors = FieldErrors::new();
    let day = NaiveDate::parse_from_str(input.day.trim(), "%Y-%m-%d").ok();
    if day.is_none() {
        errors.add("day", "请选择日期");
    }
    let kind = HolidayKind::from_code(&input.kind);
    if kind.is_none() {
        errors.add("kind", "请选择类型");
    }
    let name = errors.required("name", "名称", &input.name);
    errors.max_chars("name", "名称", &name, 64);
    let txn = db.begin().await?;
    if let Some(d) = day {
        let exists = holiday::Entity::find()
            .filter(holiday::Column::CompanyId.eq(company_id))
            .filter(holiday::Column::Day.eq(d))
            .count(&*txn)
            .await?;
        if exists > 0 {
            errors.add("day", format!("{d} 已设置过，请先删除原设置"));
        }
    }
    errors.into_result()?;
    let h = holiday::ActiveModel {
        company_id: Set(company_id),
        day: Set(day.expect("validated")),
        kind: Set(kind.expect("validated").code().into()),
        name: Set(name),
        ..Default::default()
    }
    .insert(&*txn)
    .await?;
    audit::record(
        &*txn,
        caller,
        Change::new("holiday", h.id, AuditAction::Create)
            .company(Some(company_id))
            .summary(format!("设置 {} 为{}（{}）", h.day, HolidayKind::from_code(&h.kind).map_or("", HolidayKind::label), h.name))
            .after(&h),
    )
    .await?;
    txn.commit().await?;
    Ok(h)
}

pub async fn delete_holiday(db: &Db, caller: &Caller, id: i32) -> AppResult<()> {
    caller.require("settings.configure")?;
    let txn = db.begin().await?;
    let h =
        holiday::Entity::find_by_id(id).one(&*txn).await?.filter(|h| caller.scope.sees_company(h.company_id)).ok_or(AppError::NotFound)?;
    holiday::Entity::delete_by_id(id).exec(&*txn).await?;
    audit::record(
        &*txn,
        caller,
        Change::new("holiday", id, AuditAction::Delete).company(Some(h.company_id)).summary(format!("删除节假日设置 {}", h.day)).before(&h),
    )
    .await?;
    txn.commit().await
}

/// A company's working calendar as the SLA clock reads it (no permission
/// needed: it only serves computations of other use cases).
pub(super) async fn clock_calendar(db: &impl sea_orm::ConnectionTrait, company_id: i32) -> AppResult<domain::workorder::Calendar> {
    let c =
        work_calendar::Entity::find().filter(work_calendar::Column::CompanyId.eq(company_id)).one(db).await?.ok_or(AppError::NotFound)?;
    let days = holiday::Entity::find().filter(holiday::Column::CompanyId.eq(company_id)).all(db).await?;
    Ok(calendar_of(&c, &days))
}

/// The SLA clock's calendar of a company's calendar row and holidays.
fn calendar_of(c: &work_calendar::Model, holidays: &[holiday::Model]) -> domain::workorder::Calendar {
    let days = holidays.iter().filter_map(|h| HolidayKind::from_code(&h.kind).map(|k| (h.day, k))).collect();
    let time =
        |s: &str, fallback: (u32, u32)| parse_hhmm(s).unwrap_or(chrono::NaiveTime::from_hms_opt(fallback.0, fallback.1, 0).expect("time"));
    let lunch = parse_hhmm(&c.lunch_start).zip(parse_hhmm(&c.lunch_end));
    domain::workorder::Calendar::Working {
        week: WorkWeek::parse(&c.work_days).unwrap_or_else(|_| WorkWeek::parse("12345").expect("weekdays")),
        start: time(&c.work_start, (9, 0)),
        end: time(&c.work_end, (18, 0)),
        lunch,
        days,
    }
}
