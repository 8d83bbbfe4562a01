use chrono::{NaiveDate, Utc};
use domain::{
    audit::AuditAction,
    settings::{NumberingRule, ResetPeriod},
    FieldErrors,
};
use sea_orm::{
    sea_query::{Expr, OnConflict, Query},
    ActiveModelTrait,
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, EntityTrait, IdenStatic, IntoActiveModel, QueryFilter, QueryOrder,
};
use serde::{Deserialize, Serialize};

use crate::{
    audit::{self, Change},
    db::claim_version,
    entity::{number_counter, numbering_rule},
    AppError, AppResult, Caller, Db,
};

#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct RuleInput {
    #[serde(default)]
    pub prefix: String,
    #[serde(default)]
    pub reset: String,
    #[serde(default)]
    pub width: Option<i64>,
}

pub async fn list_rules(db: &Db, caller: &Caller, company_id: i32) -> AppResult<Vec<numbering_rule::Model>> {
    caller.require("settings.view")?;
    if !caller.scope.sees_company(company_id) {
        return Err(AppError::NotFound);
    }
    Ok(numbering_rule::Entity::find()
        .filter(numbering_rule::Column::CompanyId.eq(company_id))
        .order_by_asc(numbering_rule::Column::Id)
        .all(&db.conn)
        .await?)
}

pub async fn update_rule(db: &Db, caller: &Caller, id: i32, version: i32, input: &RuleInput) -> AppResult<numbering_rule::Model> {
    caller.require("settings.configure")?;
    let mut errors = FieldErrors::new();
    let prefix = input.prefix.trim().to_uppercase();
    let width = input.width.unwrap_or(0);
    for (field, message) in NumberingRule::validate(&prefix, width) {
        errors.add(field, message);
    }
    let reset = ResetPeriod::from_code(&input.reset);
    if reset.is_none() {
        errors.add("reset", "请选择重置周期");
    }
    errors.into_result()?;
    let txn = db.begin().await?;
    let before = numbering_rule::Entity::find_by_id(id)
        .one(&*txn)
        .await?
        .filter(|r| caller.scope.sees_company(r.company_id))
        .ok_or(AppError::NotFound)?;
    claim_version::<numbering_rule::Entity>(&*txn, numbering_rule::Column::Id, numbering_rule::Column::Version, id, version).await?;
    let mut am = before.clone().into_active_model();
    am.prefix = Set(prefix);
    am.reset = Set(reset.expect("validated").code().into());
    am.width = Set(width as i32);
    am.version = Set(version + 1);
    am.updated_at = Set(Utc::now());
    let after = am.update(&*txn).await?;
    audit::record(
        &*txn,
        caller,
        Change::new("numbering_rule", id, AuditAction::Update)
            .company(Some(after.company_id))
            .summary(format!("修改编号规则 {}", after.doc_type))
            .before(&before)
            .after(&after),
    )
    .await?;
    txn.commit().await?;
    Ok(after)
}

/// The next number of a document type for a company, taken in the caller's
/// transaction: the counter row is incremented atomically, so concurrent
/// documents never share a number and a rolled-back one leaves no gap.
pub async fn next_number(txn: &impl ConnectionTrait, company_id: i32, doc_type: &str, today: NaiveDate) -> AppResult<String> {
    Ok(reserve_numbers(txn, company_id, doc_type, today, 1).await?.remove(0))
}

/// Takes `count` consecutive numbers of the counter of `day` at once, for
/// records written in bulk (history, imports); the same counter as
/// `next_number`, so live and bulk numbers never collide.
pub async fn reserve_numbers(
    txn: &impl ConnectionTrait,
    company_id: i32,
    doc_type: &str,
    day: NaiveDate,
    count: i64,
) -> AppResult<Vec<String>> {
    let rule = numbering_rule::Entity::find()
        .filter(numbering_rule::Column::CompanyId.eq(company_id))
        .filter(numbering_rule::Column::DocType.eq(doc_type))
        .one(txn)
        .await?
        .ok_or_else(|| anyhow::anyhow!("no numbering rule {doc_type} for company {company_id}"))?;
    reserve_by_rule(txn, &rule, day, count).await
}

/// Takes `count` numbers of `rule` (as `reserve_numbers`, for a caller that
/// holds the rule already): one statement that creates the period's counter
/// or advances it, and returns where it stands.
pub async fn reserve_by_rule(
    txn: &impl ConnectionTrait,
    rule: &numbering_rule::Model,
    day: NaiveDate,
    count: i64,
) -> AppResult<Vec<String>> {
    use number_counter::Column as C;
    let reset = ResetPeriod::from_code(&rule.reset).unwrap_or(ResetPeriod::Never);
    let key = match reset.date_part(day) {
        k if k.is_empty() => "-".to_string(),
        k => k,
    };
    let upsert = Query::insert()
        .into_table(number_counter::Entity)
        .columns([C::RuleId, C::PeriodKey, C::LastValue])
        .values_panic([rule.id.into(), key.into(), count.into()])
        .on_conflict(
            OnConflict::columns([C::RuleId, C::PeriodKey])
                .value(C::LastValue, Expr::col((number_counter::Entity, C::LastValue)).add(count))
                .to_owned(),
        )
        .returning_col(C::LastValue)
        .to_owned();
    let row = txn.query_one(txn.get_database_backend().build(&upsert)).await?.ok_or_else(|| anyhow::anyhow!("counter vanished"))?;
    let last: i64 = row.try_get("", C::LastValue.as_str())?;
    let domain_rule = NumberingRule { prefix: rule.prefix.clone(), reset, width: rule.width as u32 };
    Ok((last - count + 1..=last).map(|seq| domain_rule.format(day, seq)).collect())
}

pub async fn get_rule(db: &Db, caller: &Caller, id: i32) -> AppResult<numbering_rule::Model> {
    caller.require("settings.view")?;
    numbering_rule::Entity::find_by_id(id)
        .one(&db.conn)
        .await?
        .filter(|r| caller.scope.sees_company(r.company_id))
        .ok_or(AppError::NotFound)
}
