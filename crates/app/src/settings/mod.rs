//! Dictionaries, numbering rules and the working calendar (SYS-7), kept per
//! company and seeded with Chinese defaults when a company is created.

mod calendar;
mod company;
mod dictionary;
mod numbering;

use calendar::clock_calendar;

pub use company::{for_request, of_company, CompanySettings};

pub use calendar::{add_holiday, delete_holiday, get_calendar, list_holidays, update_calendar, CalendarInput, HolidayInput};
pub use dictionary::{create_item, get_item, list_items, options, update_item, DictItemInput};
pub use numbering::{get_rule, list_rules, next_number, reserve_by_rule, reserve_numbers, update_rule, RuleInput};

use chrono::{NaiveDate, Utc};
use domain::settings::{HolidayKind, DICTIONARIES, NUMBERING_DEFAULTS};
use sea_orm::{ActiveValue::Set, ConnectionTrait, EntityTrait};

use crate::{
    entity::{dict_item, holiday, numbering_rule, work_calendar},
    AppError, AppResult, Caller,
};

/// The 2026 public holidays and swapped working days of the mainland
/// calendar, as published by the State Council; companies edit them.
const HOLIDAYS_2026: &[(&str, &str, HolidayKind)] = &[
    ("2026-01-01", "元旦", HolidayKind::Holiday),
    ("2026-01-02", "元旦", HolidayKind::Holiday),
    ("2026-01-03", "元旦", HolidayKind::Holiday),
    ("2026-01-04", "元旦调休", HolidayKind::Workday),
    ("2026-02-14", "春节调休", HolidayKind::Workday),
    ("2026-02-15", "春节", HolidayKind::Holiday),
    ("2026-02-16", "春节", HolidayKind::Holiday),
    ("2026-02-17", "春节", HolidayKind::Holiday),
    ("2026-02-18", "春节", HolidayKind::Holiday),
    ("2026-02-19", "春节", HolidayKind::Holiday),
    ("2026-02-20", "春节", HolidayKind::Holiday),
    ("2026-02-21", "春节", HolidayKind::Holiday),
    ("2026-02-22", "春节", HolidayKind::Holiday),
    ("2026-02-23", "春节", HolidayKind::Holiday),
    ("2026-02-28", "春节调休", HolidayKind::Workday),
    ("2026-04-04", "清明节", HolidayKind::Holiday),
    ("2026-04-05", "清明节", HolidayKind::Holiday),
    ("2026-04-06", "清明节", HolidayKind::Holiday),
    ("2026-05-01", "劳动节", HolidayKind::Holiday),
    ("2026-05-02", "劳动节", HolidayKind::Holiday),
    ("2026-05-03", "劳动节", HolidayKind::Holiday),
    ("2026-05-04", "劳动节", HolidayKind::Holiday),
    ("2026-05-05", "劳动节", HolidayKind::Holiday),
    ("2026-05-09", "劳动节调休", HolidayKind::Workday),
    ("2026-06-19", "端午节", HolidayKind::Holiday),
    ("2026-06-20", "端午节", HolidayKind::Holiday),
    ("2026-06-21", "端午节", HolidayKind::Holiday),
    ("2026-09-20", "国庆节调休", HolidayKind::Workday),
    ("2026-09-25", "中秋节", HolidayKind::Holiday),
    ("2026-09-26", "中秋节", HolidayKind::Holiday),
    ("2026-09-27", "中秋节", HolidayKind::Holiday),
    ("2026-10-01", "国庆节", HolidayKind::Holiday),
    ("2026-10-02", "国庆节", HolidayKind::Holiday),
    ("2026-10-03", "国庆节", HolidayKind::Holiday),
    ("2026-10-04", "国庆节", HolidayKind::Holiday),
    ("2026-10-05", "国庆节", HolidayKind::Holiday),
    ("2026-10-06", "国庆节", HolidayKind::Holiday),
    ("2026-10-07", "国庆节", HolidayKind::Holiday),
    ("2026-10-10", "国庆节调休", HolidayKind::Workday),
];

/// Seeds a new company's dictionaries, numbering rules and calendar.
pub async fn seed_company(db: &impl ConnectionTrait, company_id: i32) -> AppResult<()> {
    let now = Utc::now();
    let items: Vec<dict_item::ActiveModel> = DICTIONARIES
        .iter()
        .flat_map(|d| {
            d.defaults.iter().enumerate().map(move |(i, label)| dict_item::ActiveModel {
                company_id: Set(company_id),
                dict_type: Set(d.code.into()),
                label: Set((*label).into()),
                sort_order: Set(i as i32 + 1),
                enabled: Set(true),
                version: Set(1),
                created_at: Set(now),
                updated_at: Set(now),
                ..Default::default()
            })
        })
        .collect();
    dict_item::Entity::insert_many(items).exec(db).await?;
    let rules: Vec<numbering_rule::ActiveModel> = NUMBERING_DEFAULTS
        .iter()
        .map(|(code, _, prefix, reset, width)| numbering_rule::ActiveModel {
            company_id: Set(company_id),
            doc_type: Set((*code).into()),
            prefix: Set((*prefix).into()),
            reset: Set(reset.code().into()),
            width: Set(*width as i32),
            version: Set(1),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        })
        .collect();
    numbering_rule::Entity::insert_many(rules).exec(db).await?;
    work_calendar::Entity::insert(work_calendar::ActiveModel {
        company_id: Set(company_id),
        work_days: Set("12345".into()),
        work_start: Set("09:00".into()),
        work_end: Set("18:00".into()),
        lunch_start: Set("12:00".into()),
        lunch_end: Set("13:30".into()),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    })
    .exec(db)
    .await?;
    let days: Vec<holiday::ActiveModel> = HOLIDAYS_2026
        .iter()
        .map(|(day, name, kind)| holiday::ActiveModel {
            company_id: Set(company_id),
            day: Set(NaiveDate::parse_from_str(day, "%Y-%m-%d").expect("valid seed date")),
            kind: Set(kind.code().into()),
            name: Set((*name).into()),
            ..Default::default()
        })
        .collect();
    holiday::Entity::insert_many(days).exec(db).await?;
    Ok(())
}

/// The company whose settings a request addresses: the one asked for when the
/// caller sees it, else the caller's default. Unknown or foreign: NotFound.
pub fn company_for(caller: &Caller, requested: Option<i32>) -> AppResult<i32> {
    match requested {
        Some(c) if caller.scope.sees_company(c) => Ok(c),
        Some(_) => Err(AppError::NotFound),
        None => caller.default_company().ok_or(AppError::NotFound),
    }
}
