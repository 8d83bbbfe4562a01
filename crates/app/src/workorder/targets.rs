//! Per-company work-order parameters: SLA targets per service category ×
//! priority (SLA-1) and warranty periods per trade (SVC-7). A category
//! without a row of its own takes the company's row for the priority
//! (category ""), else the defaults of `domain::workorder`.

use chrono::{Duration, NaiveDate, Utc};
use domain::{
    audit::AuditAction,
    validation::normalize_text,
    workorder::{warranty, Targets},
    FieldErrors,
};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter};
use serde::{Deserialize, Serialize};

use crate::{
    audit::{self, Change},
    entity::{sla_target, warranty_period},
    settings::{self, CompanySettings},
    AppError, AppResult, Caller, Db,
};

/// The targets of an order of `category` and priority under a company's settings.
pub fn for_order(settings: &CompanySettings, category: &str, emergency: bool) -> Targets {
    in_force(settings.sla_targets(), category, emergency, settings.calendar().working_day())
}

/// The targets in force among a company's rows: the category's own row for
/// the priority, else the company's row for the priority (category ""),
/// else the defaults.
fn in_force(rows: &[sla_target::Model], category: &str, emergency: bool, working_day: Duration) -> Targets {
    let priority = if emergency { "emergency" } else { "normal" };
    let of = |c: &str| rows.iter().find(|r| r.priority == priority && r.category == c);
    of(category).or_else(|| of("")).map_or_else(|| Targets::default_for_category(category, emergency, working_day), targets_of)
}

fn targets_of(r: &sla_target::Model) -> Targets {
    Targets {
        response: Duration::minutes(r.response_minutes.into()),
        onsite: Duration::minutes(r.onsite_minutes.into()),
        complete: Duration::minutes(r.complete_minutes.into()),
        round_the_clock: r.round_the_clock,
    }
}

/// One line of the SLA settings page: a category × priority with the
/// targets in force and whether they are the company's own or the default.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TargetLine {
    pub category: String,
    pub priority: String,
    pub response_minutes: i64,
    pub onsite_minutes: i64,
    pub complete_minutes: i64,
    pub round_the_clock: bool,
    /// The company's own row; `None` when the default applies.
    pub id: Option<i32>,
    pub version: Option<i32>,
}

/// Every category of the dictionary × both priorities, with the targets in force.
pub async fn list_targets(db: &Db, caller: &Caller, company_id: i32) -> AppResult<Vec<TargetLine>> {
    caller.require("workorder.view")?;
    let company_id = settings::company_for(caller, Some(company_id))?;
    let company = settings::of_company(db, company_id).await?;
    let (day, rows) = (company.calendar().working_day(), company.sla_targets());
    let mut out = Vec::new();
    for category in company.options("service_category") {
        for emergency in [true, false] {
            let priority = if emergency { "emergency" } else { "normal" };
            let own = rows.iter().find(|r| &r.category == category && r.priority == priority);
            let t = in_force(rows, category, emergency, day);
            out.push(TargetLine {
                category: category.clone(),
                priority: priority.into(),
                response_minutes: t.response.num_minutes(),
                onsite_minutes: t.onsite.num_minutes(),
                complete_minutes: t.complete.num_minutes(),
                round_the_clock: t.round_the_clock,
                id: own.map(|r| r.id),
                version: own.map(|r| r.version),
            });
        }
    }
    Ok(out)
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct TargetInput {
    pub category: String,
    /// `emergency` or `normal`.
    pub priority: String,
    /// Minutes of working time (or of clock time when `round_the_clock`).
    pub response_minutes: String,
    pub onsite_minutes: String,
    pub complete_minutes: String,
    #[serde(default)]
    pub round_the_clock: bool,
    /// The version read, when the company's own row is being changed.
    #[serde(default)]
    pub version: Option<i32>,
}

fn minutes(errors: &mut FieldErrors, field: &str, label: &str, text: &str) -> i32 {
    match normalize_text(text).parse::<i32>() {
        Ok(m) if (1..=60 * 24 * 90).contains(&m) => m,
        _ => {
            errors.add(field, format!("{label}请填写 1 至 129600 之间的分钟数"));
            0
        }
    }
}

/// Sets the targets of a category × priority for a company (insert or update).
pub async fn save_target(db: &Db, caller: &Caller, company_id: i32, input: &TargetInput) -> AppResult<sla_target::Model> {
    caller.require("workorder.configure")?;
    let company_id = settings::company_for(caller, Some(company_id))?;
    let mut errors = FieldErrors::new();
    let category = normalize_text(&input.category);
    if !category.is_empty() && !settings::options(db, company_id, "service_category").await?.contains(&category) {
        errors.add("category", "请从服务类别中选择");
    }
    if !matches!(input.priority.as_str(), "emergency" | "normal") {
        errors.add("priority", "请选择紧急程度");
    }
    let r = minutes(&mut errors, "response_minutes", "响应时限", &input.response_minutes);
    let o = minutes(&mut errors, "onsite_minutes", "到场时限", &input.onsite_minutes);
    let c = minutes(&mut errors, "complete_minutes", "完成时限", &input.complete_minutes);
    errors.into_result()?;
    let t = Targets {
        response: Duration::minutes(r.into()),
        onsite: Duration::minutes(o.into()),
        complete: Duration::minutes(c.into()),
        round_the_clock: input.round_the_clock,
    };
    t.check().map_err(|m| AppError::field("onsite_minutes", m))?;
    let txn = db.begin().await?;
    let existing = sla_target::Entity::find()
        .filter(sla_target::Column::CompanyId.eq(company_id))
        .filter(sla_target::Column::Category.eq(&category))
        .filter(sla_target::Column::Priority.eq(&input.priority))
        .one(&*txn)
        .await?;
    let now = Utc::now();
    let (saved, change) = match existing {
        Some(row) => {
            if input.version != Some(row.version) {
                return Err(AppError::stale());
            }
            let before = row.clone();
            let mut am = row.into_active_model();
            am.response_minutes = Set(r);
            am.onsite_minutes = Set(o);
            am.complete_minutes = Set(c);
            am.round_the_clock = Set(input.round_the_clock);
            am.version = Set(before.version + 1);
            am.updated_at = Set(now);
            let after = am.update(&*txn).await?;
            let change = Change::new("sla_target", after.id, AuditAction::Update).before(&before).after(&after);
            (after, change)
        }
        None => {
            let row = sla_target::ActiveModel {
                company_id: Set(company_id),
                category: Set(category.clone()),
                priority: Set(input.priority.clone()),
                response_minutes: Set(r),
                onsite_minutes: Set(o),
                complete_minutes: Set(c),
                round_the_clock: Set(input.round_the_clock),
                version: Set(1),
                created_at: Set(now),
                updated_at: Set(now),
                ..Default::default()
            }
            .insert(&*txn)
            .await?;
            let change = Change::new("sla_target", row.id, AuditAction::Create).after(&row);
            (row, change)
        }
    };
    let summary = format!(
        "服务时限 {} {}",
        if category.is_empty() { "（全部类别）" } else { &category },
        crate::workorder::priority_label(&input.priority)
    );
    audit::record(&*txn, caller, change.company(Some(company_id)).summary(summary)).await?;
    txn.commit().await?;
    Ok(saved)
}

/// Drops a company's own targets: the default applies again.
pub async fn reset_target(db: &Db, caller: &Caller, id: i32) -> AppResult<()> {
    caller.require("workorder.configure")?;
    let txn = db.begin().await?;
    let row = sla_target::Entity::find_by_id(id)
        .filter(caller.units_condition(sla_target::Column::CompanyId))
        .one(&*txn)
        .await?
        .ok_or(AppError::NotFound)?;
    sla_target::Entity::delete_by_id(id).exec(&*txn).await?;
    audit::record(
        &*txn,
        caller,
        Change::new("sla_target", id, AuditAction::Delete)
            .company(Some(row.company_id))
            .summary(format!("恢复默认服务时限 {} {}", row.category, crate::workorder::priority_label(&row.priority)))
            .before(&row),
    )
    .await?;
    txn.commit().await
}

/// The warranty of an order: `Some(contractor)` when the room's delivery
/// date plus the trade's period covers `today`.
pub fn warranty_for(settings: &CompanySettings, category: &str, delivery: Option<NaiveDate>, today: NaiveDate) -> Option<String> {
    let delivery = delivery?;
    let (months, contractor) = match settings.warranty_period(category) {
        Some(r) => (u32::try_from(r.months).unwrap_or(0), r.contractor.clone()),
        None => (warranty::default_months(category).unwrap_or(0), String::new()),
    };
    warranty::in_warranty(delivery, months, today).then_some(contractor)
}

/// One line of the warranty settings: a category with the period in force.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct WarrantyLine {
    pub category: String,
    pub months: i32,
    pub contractor: String,
    pub id: Option<i32>,
    pub version: Option<i32>,
}

pub async fn list_warranties(db: &Db, caller: &Caller, company_id: i32) -> AppResult<Vec<WarrantyLine>> {
    caller.require("workorder.view")?;
    let company_id = settings::company_for(caller, Some(company_id))?;
    let rows = warranty_period::Entity::find().filter(warranty_period::Column::CompanyId.eq(company_id)).all(&db.conn).await?;
    Ok(settings::options(db, company_id, "service_category")
        .await?
        .into_iter()
        .map(|category| match rows.iter().find(|r| r.category == category) {
            Some(r) => {
                WarrantyLine { category, months: r.months, contractor: r.contractor.clone(), id: Some(r.id), version: Some(r.version) }
            }
            None => WarrantyLine {
                months: warranty::default_months(&category).map_or(0, |m| m as i32),
                category,
                contractor: String::new(),
                id: None,
                version: None,
            },
        })
        .collect())
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct WarrantyInput {
    pub category: String,
    /// Months from the delivery date; 0 = no warranty for the trade.
    pub months: String,
    /// The contractor responsible during the warranty (承建商).
    #[serde(default)]
    pub contractor: String,
    #[serde(default)]
    pub version: Option<i32>,
}

pub async fn save_warranty(db: &Db, caller: &Caller, company_id: i32, input: &WarrantyInput) -> AppResult<warranty_period::Model> {
    caller.require("workorder.configure")?;
    let company_id = settings::company_for(caller, Some(company_id))?;
    let mut errors = FieldErrors::new();
    let category = normalize_text(&input.category);
    if !settings::options(db, company_id, "service_category").await?.contains(&category) {
        errors.add("category", "请从服务类别中选择");
    }
    let months = match normalize_text(&input.months).parse::<i32>() {
        Ok(m) if (0..=240).contains(&m) => m,
        _ => {
            errors.add("months", "保修期请填写 0 至 240 之间的月数");
            0
        }
    };
    let contractor: String = normalize_text(&input.contractor);
    errors.max_chars("contractor", "责任承建商", &contractor, 100);
    errors.into_result()?;
    let txn = db.begin().await?;
    let existing = warranty_period::Entity::find()
        .filter(warranty_period::Column::CompanyId.eq(company_id))
        .filter(warranty_period::Column::Category.eq(&category))
        .one(&*txn)
        .await?;
    let now = Utc::now();
    let (saved, change) = match existing {
        Some(row) => {
            if input.version != Some(row.version) {
                return Err(AppError::stale());
            }
            let before = row.clone();
            let mut am = row.into_active_model();
            am.months = Set(months);
            am.contractor = Set(contractor);
            am.version = Set(before.version + 1);
            am.updated_at = Set(now);
            let after = am.update(&*txn).await?;
            let change = Change::new("warranty_period", after.id, AuditAction::Update).before(&before).after(&after);
            (after, change)
        }
        None => {
            let row = warranty_period::ActiveModel {
                company_id: Set(company_id),
                category: Set(category.clone()),
                months: Set(months),
                contractor: Set(contractor),
                version: Set(1),
                created_at: Set(now),
                updated_at: Set(now),
                ..Default::default()
            }
            .insert(&*txn)
            .await?;
            let change = Change::new("warranty_period", row.id, AuditAction::Create).after(&row);
            (row, change)
        }
    };
    audit::record(&*txn, caller, change.company(Some(company_id)).summary(format!("保修期 {category} {months} 个月"))).await?;
    txn.commit().await?;
    Ok(saved)
}
