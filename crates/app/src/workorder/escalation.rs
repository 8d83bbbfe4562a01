//! Escalation of overdue work orders (SLA-2): the background worker's
//! `scan` finds open orders whose clock has run out, fires the levels due
//! (`domain::workorder::escalation`), records each on the order's timeline
//! and in the audit log, and publishes a `notify` event to the outbox for
//! the people of the level. The company's levels are configured here too
//! (工单 → 升级规则).
//!
//! Escalating changes only `escalation_level`, with a guarded update (two
//! server processes never escalate one order twice) that leaves `version`
//! alone: an agent with the order's form open can still save it.

use std::collections::{btree_map::Entry, BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use domain::{
    audit::AuditAction,
    validation::normalize_text,
    workorder::{
        escalation::{self, Notify, Rule, MAX_LEVEL},
        WorkOrderState,
    },
    FieldErrors,
};
use sea_orm::{
    sea_query::Expr, ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{event, WorkOrder};
use crate::{
    audit::{self, Change},
    db::claim_version,
    entity::{escalation_rule, org_unit, project, role, role_permission, user, user_project, user_role, work_order},
    outbox::{self, Notice},
    settings, AppError, AppResult, Caller, Db,
};

/// Orders read per query of a scan.
const BATCH: u64 = 200;

/// The company's levels, or the defaults when it configured none.
pub async fn rules_of(db: &impl ConnectionTrait, company_id: i32) -> AppResult<Vec<Rule>> {
    let rows = stored(db, company_id).await?;
    if rows.is_empty() {
        return Ok(escalation::defaults());
    }
    Ok(rows
        .iter()
        .filter_map(|r| {
            Notify::from_parts(&r.notify, r.role_id).map(|notify| Rule { level: r.level, after_minutes: r.after_minutes, notify })
        })
        .collect())
}

async fn stored(db: &impl ConnectionTrait, company_id: i32) -> AppResult<Vec<escalation_rule::Model>> {
    Ok(escalation_rule::Entity::find()
        .filter(escalation_rule::Column::CompanyId.eq(company_id))
        .order_by_asc(escalation_rule::Column::Level)
        .all(db)
        .await?)
}

/// Escalates every overdue open order whose next levels are due at `now`;
/// returns how many levels fired. An order waiting on the customer does not
/// escalate: its clock stands still.
pub async fn scan(db: &Db, tz: Tz, now: DateTime<Utc>) -> AppResult<usize> {
    let running: Vec<&str> = WorkOrderState::ALL.into_iter().filter(|s| s.clock_runs()).map(|s| s.code()).collect();
    let mut rules: BTreeMap<i32, Vec<Rule>> = BTreeMap::new();
    let mut fired = 0;
    // Pages in the order of `next_due`'s index, from where the last one
    // ended: ordered by id instead, SQLite walked the whole table (1 million
    // orders, 550 ms) to find the few dozen overdue ones. An escalation does
    // not move `next_due`, so no order is read twice or skipped.
    let mut after: Option<(DateTime<Utc>, i32)> = None;
    loop {
        let mut batch = work_order::Entity::find()
            .filter(work_order::Column::NextDue.lt(now))
            .filter(work_order::Column::State.is_in(running.clone()))
            .filter(work_order::Column::EscalationLevel.lt(MAX_LEVEL));
        if let Some((due, id)) = after {
            use work_order::Column as C;
            batch = batch.filter(Condition::any().add(C::NextDue.gt(due)).add(Condition::all().add(C::NextDue.eq(due)).add(C::Id.gt(id))));
        }
        let batch = batch.order_by_asc(work_order::Column::NextDue).order_by_asc(work_order::Column::Id).limit(BATCH).all(&db.conn).await?;
        // Every order of the page has a `next_due` (the filter asks for one).
        let Some((due, id)) = batch.last().and_then(|o| Some((o.next_due?, o.id))) else { break };
        after = Some((due, id));
        for o in batch {
            let company_rules = match rules.entry(o.company_id) {
                Entry::Occupied(e) => e.into_mut(),
                Entry::Vacant(e) => e.insert(rules_of(&db.conn, o.company_id).await?),
            };
            let Some(missed) = first_missed(&o, now) else { continue };
            let levels = escalation::levels_due(company_rules, (now - missed.since).num_minutes(), o.escalation_level);
            if levels.is_empty() {
                continue;
            }
            match escalate(db, tz, &o, company_rules, &levels, &missed, now).await {
                Ok(true) => fired += levels.len(),
                Ok(false) => {}
                // One order that cannot be escalated must not hold up the others.
                Err(e) => tracing::error!(order = o.id, error = %e, "escalation failed"),
            }
        }
    }
    Ok(fired)
}

/// The first missed due time of an order and the name of its clock.
struct Missed {
    since: DateTime<Utc>,
    clock: &'static str,
}

fn first_missed(o: &WorkOrder, now: DateTime<Utc>) -> Option<Missed> {
    let clocks = [(o.response_due, o.responded_at, "响应"), (o.onsite_due, o.arrived_at, "到场"), (o.complete_due, o.completed_at, "完成")];
    let since = escalation::first_missed(&clocks.map(|(due, met, _)| (due, met)), now)?;
    let clock = clocks.iter().find(|(due, met, _)| met.is_none() && *due == Some(since)).map_or("完成", |c| c.2);
    Some(Missed { since, clock })
}

/// Fires `levels` for one order in one transaction; `false` when another
/// process escalated it meanwhile.
async fn escalate(db: &Db, tz: Tz, o: &WorkOrder, rules: &[Rule], levels: &[i32], missed: &Missed, now: DateTime<Utc>) -> AppResult<bool> {
    let level = *levels.last().expect("levels to fire");
    let txn = db.begin().await?;
    let claimed = work_order::Entity::update_many()
        .col_expr(work_order::Column::EscalationLevel, Expr::value(level))
        .filter(work_order::Column::Id.eq(o.id))
        .filter(work_order::Column::EscalationLevel.eq(o.escalation_level))
        .exec(&*txn)
        .await?;
    if claimed.rows_affected != 1 {
        return Ok(false);
    }
    let system = Caller::system();
    let project = project::Entity::find_by_id(o.project_id).one(&*txn).await?.ok_or(AppError::NotFound)?;
    let overdue = escalation::overdue_text((now - missed.since).num_minutes());
    let due = missed.since.with_timezone(&tz).format("%Y-%m-%d %H:%M");
    let what: String = o.description.chars().take(60).collect();
    let place =
        [project.name.as_str(), o.public_area.as_str(), o.category.as_str()].into_iter().filter(|p| !p.is_empty()).collect::<Vec<_>>();
    let body = format!("{}：{what}。{}时限 {due}，已超时 {overdue}。", place.join(" "), missed.clock);
    for rule in rules.iter().filter(|r| levels.contains(&r.level)) {
        let people = recipients(&*txn, o, &project, rule.notify.for_order(o.assignee_id.is_some())).await?;
        let names: Vec<String> = people.iter().map(|u| u.display_name.clone()).collect();
        event(&*txn, &system, o.id, now, escalation::EVENT_ACTION, (&o.state, &o.state), &escalation::note(rule.level, &names)).await?;
        if !people.is_empty() {
            let notice = Notice {
                user_ids: people.iter().map(|u| u.id).collect(),
                title: format!("工单 {} 已超时（第 {} 级升级）", o.number, rule.level),
                body: body.clone(),
                link: format!("/workorders/{}", o.id),
                kind: "escalation".into(),
            };
            outbox::publish(&*txn, outbox::NOTIFY, &notice).await?;
        }
    }
    audit::record(
        &*txn,
        &system,
        Change::new("work_order", o.id, AuditAction::Update)
            .company(Some(o.company_id))
            .summary(format!("工单 {} 超时升级至第 {level} 级", o.number))
            .before(&json!({ "escalation_level": o.escalation_level }))
            .after(&json!({ "escalation_level": level })),
    )
    .await?;
    txn.commit().await?;
    Ok(true)
}

/// The enabled users a level tells about an order.
async fn recipients(db: &impl ConnectionTrait, o: &WorkOrder, project: &project::Model, notify: Notify) -> AppResult<Vec<user::Model>> {
    let candidates: Vec<i32> = match notify {
        Notify::Assignee => o.assignee_id.into_iter().collect(),
        Notify::Dispatchers | Notify::Managers => {
            let permission = notify.permission().expect("a permission-based group");
            let roles: Vec<i32> = role_permission::Entity::find()
                .select_only()
                .column(role_permission::Column::RoleId)
                .filter(role_permission::Column::Permission.eq(permission))
                .into_tuple()
                .all(db)
                .await?;
            members(db, roles).await?
        }
        Notify::Role(r) => members(db, vec![r]).await?,
    };
    covering(db, candidates, project).await
}

/// The users holding any of `roles`, counting enabled roles only.
async fn members(db: &impl ConnectionTrait, roles: Vec<i32>) -> AppResult<Vec<i32>> {
    let enabled: Vec<i32> = role::Entity::find()
        .select_only()
        .column(role::Column::Id)
        .filter(role::Column::Id.is_in(roles))
        .filter(role::Column::Enabled.eq(true))
        .into_tuple()
        .all(db)
        .await?;
    Ok(user_role::Entity::find()
        .select_only()
        .column(user_role::Column::UserId)
        .filter(user_role::Column::RoleId.is_in(enabled))
        .into_tuple()
        .all(db)
        .await?)
}

/// Of `ids`, the enabled users whose scope covers the project — the same
/// rule as `org::scope::load_caller`: the project's office lies in their
/// company's subtree (or their own unit's, above company level), and they
/// work on all projects or on this one.
async fn covering(db: &impl ConnectionTrait, ids: Vec<i32>, project: &project::Model) -> AppResult<Vec<user::Model>> {
    if ids.is_empty() {
        return Ok(vec![]);
    }
    let office = org_unit::Entity::find_by_id(project.org_unit_id).one(db).await?.ok_or(AppError::NotFound)?;
    let above: BTreeSet<i32> = office.path.split('/').filter_map(|p| p.parse().ok()).collect();
    let named: BTreeSet<i32> = user_project::Entity::find()
        .select_only()
        .column(user_project::Column::UserId)
        .filter(user_project::Column::ProjectId.eq(project.id))
        .into_tuple::<i32>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    Ok(user::Entity::find()
        .filter(user::Column::Id.is_in(ids))
        .filter(user::Column::Enabled.eq(true))
        .order_by_asc(user::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .filter(|u| above.contains(&u.company_id.unwrap_or(u.org_unit_id)) && (u.all_projects || u.superuser || named.contains(&u.id)))
        .collect())
}

// ---- configuration (工单 → 升级规则) ----

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct LevelView {
    pub level: i32,
    /// Minutes after the first missed due time.
    pub after_minutes: i32,
    /// `assignee`, `dispatchers`, `managers` or `role`.
    pub notify: String,
    pub notify_label: &'static str,
    pub role_id: Option<i32>,
    pub role_name: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RulesView {
    pub company_id: i32,
    /// The version to send back when saving; 0 while the defaults apply.
    pub version: i32,
    /// No levels of the company's own: the defaults apply.
    pub is_default: bool,
    pub levels: Vec<LevelView>,
}

/// The levels in force for a company.
pub async fn list_rules(db: &Db, caller: &Caller, company_id: i32) -> AppResult<RulesView> {
    caller.require("workorder.view")?;
    let company_id = settings::company_for(caller, Some(company_id))?;
    view(&db.conn, company_id).await
}

async fn view(db: &impl ConnectionTrait, company_id: i32) -> AppResult<RulesView> {
    let rows = stored(db, company_id).await?;
    let rules = rules_of(db, company_id).await?;
    let role_names: BTreeMap<i32, String> = role::Entity::find()
        .filter(role::Column::Id.is_in(rules.iter().filter_map(|r| r.notify.role_id())))
        .all(db)
        .await?
        .into_iter()
        .map(|r| (r.id, r.name))
        .collect();
    Ok(RulesView {
        company_id,
        version: rows.first().map_or(0, |r| r.version),
        is_default: rows.is_empty(),
        levels: rules
            .iter()
            .map(|r| LevelView {
                level: r.level,
                after_minutes: r.after_minutes,
                notify: r.notify.code().into(),
                notify_label: r.notify.label(),
                role_id: r.notify.role_id(),
                role_name: r.notify.role_id().and_then(|id| role_names.get(&id).cloned()).unwrap_or_default(),
            })
            .collect(),
    })
}

/// The enabled roles of a company, for the picker of a `role` level.
pub async fn company_roles(db: &Db, caller: &Caller, company_id: i32) -> AppResult<Vec<(i32, String)>> {
    caller.require("workorder.view")?;
    let company_id = settings::company_for(caller, Some(company_id))?;
    roles_of(&db.conn, caller, company_id).await
}

async fn roles_of(db: &impl ConnectionTrait, caller: &Caller, company_id: i32) -> AppResult<Vec<(i32, String)>> {
    let units: Vec<i32> = org_unit::Entity::find()
        .select_only()
        .column(org_unit::Column::Id)
        .filter(org_unit::Column::CompanyId.eq(company_id))
        .into_tuple()
        .all(db)
        .await?;
    Ok(role::Entity::find()
        .filter(role::Column::OrgUnitId.is_in(units))
        .filter(caller.units_condition(role::Column::OrgUnitId))
        .filter(role::Column::Enabled.eq(true))
        .order_by_asc(role::Column::Name)
        .all(db)
        .await?
        .into_iter()
        .map(|r| (r.id, r.name))
        .collect())
}

/// One level as typed.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct LevelInput {
    /// Minutes after the first missed due time, e.g. `60` or `"60"`.
    #[serde(deserialize_with = "text_or_number")]
    #[schema(value_type = String)]
    pub after_minutes: String,
    /// `assignee`, `dispatchers`, `managers` or `role`.
    pub notify: String,
    /// The role told, when `notify` is `role`.
    #[serde(default)]
    pub role_id: Option<i32>,
}

/// Minutes as a form types them (`"60"`) or as `RulesView` answers them
/// (`60`), so an API client can send back what it read.
fn text_or_number<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Minutes {
        Text(String),
        Number(i64),
    }
    Ok(match Minutes::deserialize(d)? {
        Minutes::Text(t) => t,
        Minutes::Number(n) => n.to_string(),
    })
}

/// A company's levels, first to last (one to three).
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct RulesInput {
    /// The version read (`RulesView::version`; 0 while the defaults apply).
    pub version: i32,
    pub levels: Vec<LevelInput>,
}

/// Field names of a level's inputs: `after_minutes_2`, `notify_2`, `role_id_2`.
pub fn field(name: &str, level: i32) -> String {
    format!("{name}_{level}")
}

/// Checks what was typed against the company's roles: the levels, or the
/// messages per field.
fn checked(input: &RulesInput, roles: &[(i32, String)]) -> Result<Vec<Rule>, FieldErrors> {
    let mut errors = FieldErrors::new();
    let mut rules = Vec::new();
    for (i, l) in input.levels.iter().enumerate() {
        let level = i as i32 + 1;
        let minutes = normalize_text(&l.after_minutes).parse::<i32>().ok();
        if minutes.is_none() {
            errors.add(&field("after_minutes", level), "请填写分钟数（整数）");
        }
        let role = l.role_id.filter(|r| roles.iter().any(|(id, _)| id == r));
        let notify = match (l.notify.as_str(), role) {
            ("role", None) => {
                errors.add(&field("role_id", level), "请选择本公司的角色");
                None
            }
            (code, role) => Notify::from_parts(code, role).or_else(|| {
                errors.add(&field("notify", level), "请选择通知对象");
                None
            }),
        };
        if let (Some(after_minutes), Some(notify)) = (minutes, notify) {
            rules.push(Rule { level, after_minutes, notify });
        }
    }
    errors.into_result()?;
    escalation::check(&rules).map_err(|problems| {
        let mut errors = FieldErrors::new();
        for p in problems {
            errors.add(&if p.level == 0 { "levels".into() } else { field("after_minutes", p.level) }, p.message);
        }
        errors
    })?;
    Ok(rules)
}

/// Replaces a company's levels. `version` guards the whole set: every row
/// is claimed at the version read, so of two concurrent saves one is told.
pub async fn save_rules(db: &Db, caller: &Caller, company_id: i32, input: &RulesInput) -> AppResult<RulesView> {
    caller.require("workorder.configure")?;
    let company_id = settings::company_for(caller, Some(company_id))?;
    let roles = roles_of(&db.conn, caller, company_id).await?;
    let rules = checked(input, &roles)?;
    let txn = db.begin().await?;
    let before = stored(&*txn, company_id).await?;
    if input.version != before.first().map_or(0, |r| r.version) {
        return Err(AppError::stale());
    }
    for r in &before {
        claim_version::<escalation_rule::Entity>(&*txn, escalation_rule::Column::Id, escalation_rule::Column::Version, r.id, input.version)
            .await?;
    }
    escalation_rule::Entity::delete_many().filter(escalation_rule::Column::CompanyId.eq(company_id)).exec(&*txn).await?;
    let now = Utc::now();
    let mut after = Vec::new();
    for r in &rules {
        let row = escalation_rule::ActiveModel {
            company_id: Set(company_id),
            level: Set(r.level),
            after_minutes: Set(r.after_minutes),
            notify: Set(r.notify.code().into()),
            role_id: Set(r.notify.role_id()),
            version: Set(input.version + 1),
            created_at: Set(before.first().map_or(now, |b| b.created_at)),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(&*txn)
        .await;
        match row {
            // Another save of the defaults got in first.
            Err(e) if crate::error::is_unique_violation(&e) => return Err(AppError::stale()),
            row => after.push(row?),
        }
    }
    let summary =
        rules.iter().map(|r| format!("第 {} 级 {} 分钟通知{}", r.level, r.after_minutes, r.notify.label())).collect::<Vec<_>>().join("；");
    let action = if before.is_empty() { AuditAction::Create } else { AuditAction::Update };
    audit::record(
        &*txn,
        caller,
        Change::new("escalation_rules", company_id, action)
            .company(Some(company_id))
            .summary(format!("工单升级规则：{summary}"))
            .before(&before)
            .after(&after),
    )
    .await?;
    let saved = view(&*txn, company_id).await?;
    txn.commit().await?;
    Ok(saved)
}
