//! Recording a visit: after an accepted order (SVC-5) or as a standalone care
//! call (VIS-3). A dissatisfied customer is followed up in the same
//! transaction: the order goes back to 处理中, or a complaint is requested.

use chrono::Utc;
use chrono_tz::Tz;
use domain::{
    audit::AuditAction,
    validation::normalize_text,
    visit::{follow_up_for, Attitude, FollowUp, Method, Satisfaction, VisitKind},
    workorder::{Action, WorkOrderState},
    FieldErrors,
};
use sea_orm::{sea_query::Expr, ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};
use serde::{Deserialize, Serialize};

use super::{views, Visit, VisitView};
use crate::{
    audit::{self, Change},
    entity::{customer, project, return_visit, work_order},
    outbox,
    workorder::{self, ActInput},
    AppError, AppResult, Caller, Db,
};

/// The outbox topic of a dissatisfied visit that asks for a complaint. The
/// complaint module consumes it: it opens a complaint from the payload
/// ([`ComplaintRequest`]) and stores the complaint's id in
/// `return_visits.complaint_id` of the visit.
pub const COMPLAINT_REQUESTED: &str = "visit.complaint_requested";

/// The payload of [`COMPLAINT_REQUESTED`].
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct ComplaintRequest {
    pub visit_id: i32,
    pub customer_id: Option<i32>,
    pub work_order_id: Option<i32>,
    /// What the customer was dissatisfied with, as the visitor wrote it.
    pub content: String,
}

/// The answers of a visit.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct VisitInput {
    /// `phone`, `onsite` or `sms`.
    #[serde(default)]
    pub method: String,
    /// `very_satisfied`, `satisfied`, `neutral`, `dissatisfied` or `very_dissatisfied`.
    #[serde(default)]
    pub satisfaction: String,
    /// Optional: `good`, `fair` or `poor`.
    #[serde(default)]
    pub attitude: String,
    /// The customer's comments (up to 2000 characters; required when dissatisfied).
    #[serde(default)]
    pub content: String,
    /// `none`, `reopen` (work-order visits) or `complaint`; only when
    /// dissatisfied, and then it must be chosen.
    #[serde(default)]
    pub follow_up: String,
}

/// A care visit: the customer by id, or by the code typed in a picker.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct CareVisitInput {
    #[serde(default)]
    pub customer_id: Option<i32>,
    #[serde(default)]
    pub customer_code: String,
    #[serde(flatten)]
    pub visit: VisitInput,
}

/// Answers that passed validation.
struct Answers {
    method: Method,
    satisfaction: Satisfaction,
    attitude: Option<Attitude>,
    content: String,
    follow_up: FollowUp,
}

impl Answers {
    /// The line the order's timeline shows, e.g. `电话回访：满意，服务态度好。谢谢师傅`.
    fn summary(&self) -> String {
        let attitude = self.attitude.map(|a| format!("，服务态度{}", a.label())).unwrap_or_default();
        let comment = if self.content.is_empty() { String::new() } else { format!("。{}", self.content) };
        format!("{}回访：{}{attitude}{comment}", self.method.label(), self.satisfaction.label())
    }
}

/// Checks the answers of a visit of `kind`, every field at once.
fn check(kind: VisitKind, input: &VisitInput, errors: &mut FieldErrors) -> Option<Answers> {
    let method = Method::from_code(input.method.trim());
    if method.is_none() {
        errors.add("method", "请选择回访方式");
    }
    let satisfaction = Satisfaction::from_code(input.satisfaction.trim());
    if satisfaction.is_none() {
        errors.add("satisfaction", "请选择满意度");
    }
    let attitude = match input.attitude.trim() {
        "" => None,
        code => Attitude::from_code(code).or_else(|| {
            errors.add("attitude", "请从列表中选择服务态度");
            None
        }),
    };
    // Comments keep the customer's words, including full-width punctuation.
    let content = input.content.trim().to_string();
    errors.max_chars("content", "回访内容", &content, 2000);
    let chosen = match input.follow_up.trim() {
        "" => Ok(None),
        code => FollowUp::from_code(code).map(Some).ok_or("请从列表中选择跟进方式"),
    };
    let follow_up = match (satisfaction, chosen) {
        (_, Err(m)) => {
            errors.add("follow_up", m);
            None
        }
        (Some(s), Ok(c)) => follow_up_for(kind, s, c).map_err(|m| errors.add("follow_up", m)).ok(),
        (None, Ok(_)) => None,
    };
    if satisfaction.is_some_and(Satisfaction::is_dissatisfied) && content.is_empty() {
        errors.add("content", "客户不满意，请记录不满意的具体内容");
    }
    Some(Answers { method: method?, satisfaction: satisfaction?, attitude, content, follow_up: follow_up? })
}

struct Subject {
    kind: VisitKind,
    company_id: i32,
    office_id: i32,
    project_id: Option<i32>,
    customer_id: Option<i32>,
    work_order_id: Option<i32>,
}

/// Writes the visit and, when the customer asks for one, the complaint
/// request; records the audit row.
async fn insert(txn: &impl ConnectionTrait, caller: &Caller, s: &Subject, a: &Answers, summary: String) -> AppResult<Visit> {
    let now = Utc::now();
    let visit = return_visit::ActiveModel {
        company_id: Set(s.company_id),
        office_id: Set(s.office_id),
        project_id: Set(s.project_id),
        customer_id: Set(s.customer_id),
        work_order_id: Set(s.work_order_id),
        kind: Set(s.kind.code().into()),
        method: Set(a.method.code().into()),
        satisfaction: Set(a.satisfaction.code().into()),
        attitude: Set(a.attitude.map_or("", Attitude::code).into()),
        content: Set(a.content.clone()),
        follow_up: Set(a.follow_up.code().into()),
        complaint_id: Set(None),
        visited_by: Set(caller.user_id),
        visited_by_name: Set(caller.display_name.clone()),
        visited_at: Set(now),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    super::tally::recorded(txn, [visit.office_id]).await?;
    if a.follow_up == FollowUp::Complaint {
        let request = ComplaintRequest {
            visit_id: visit.id,
            customer_id: visit.customer_id,
            work_order_id: visit.work_order_id,
            content: visit.content.clone(),
        };
        outbox::publish(txn, COMPLAINT_REQUESTED, &request).await?;
    }
    audit::record(
        txn,
        caller,
        Change::new("return_visit", visit.id, AuditAction::Create).company(Some(s.company_id)).summary(summary).after(&visit),
    )
    .await?;
    Ok(visit)
}

fn act(action: Action, note: String) -> ActInput {
    ActInput { action: action.code().into(), note, ..Default::default() }
}

/// Records the return visit of an accepted order (SVC-5) in one transaction:
/// the visit, the order to 已回访 with its satisfaction, and the follow-up a
/// dissatisfied customer gets — back to 处理中 (`reopen`, version + 1 again)
/// or a complaint request on the outbox (`complaint`). `version` is the
/// order's; a stale one is refused (409), as is an order not 已验收.
pub async fn record_order_visit(
    db: &Db,
    caller: &Caller,
    tz: Tz,
    work_order_id: i32,
    version: i32,
    input: &VisitInput,
) -> AppResult<VisitView> {
    caller.require("visit.create")?;
    let txn = db.begin().await?;
    let order = work_order::Entity::find_by_id(work_order_id)
        .filter(caller.projects_condition(work_order::Column::ProjectId))
        .one(&*txn)
        .await?
        .ok_or(AppError::NotFound)?;
    let state = WorkOrderState::from_code(&order.state).unwrap_or(WorkOrderState::PendingDispatch);
    state.transition(Action::ReturnVisit).map_err(|m| AppError::Conflict(m.into()))?;
    let mut errors = FieldErrors::new();
    let answers = check(VisitKind::Order, input, &mut errors);
    if answers.as_ref().is_some_and(|a| a.follow_up == FollowUp::Reopen) && !caller.can(Action::Reopen.permission()) {
        errors.add("follow_up", "您没有重新处理工单的权限，请选择转投诉");
    }
    errors.into_result()?;
    let a = answers.expect("validated");
    let project = project::Entity::find_by_id(order.project_id).one(&*txn).await?.ok_or(AppError::NotFound)?;
    let visited = workorder::act_in(&txn, caller, tz, work_order_id, version, &act(Action::ReturnVisit, a.summary())).await?;
    let answered = workorder::WorkOrder { visited_at: Some(Utc::now()), satisfaction: a.satisfaction.code().into(), ..visited.clone() };
    work_order::Entity::update_many()
        .col_expr(work_order::Column::VisitedAt, Expr::value(answered.visited_at))
        .col_expr(work_order::Column::Satisfaction, Expr::value(answered.satisfaction.clone()))
        .filter(work_order::Column::Id.eq(work_order_id))
        .exec(&*txn)
        .await?;
    workorder::tally::shift(&*txn, tz, [(Some(&visited), Some(&answered))]).await?;
    if a.follow_up == FollowUp::Reopen {
        let note = format!("回访{}：{}", a.satisfaction.label(), a.content);
        workorder::act_in(&txn, caller, tz, work_order_id, visited.version, &act(Action::Reopen, note)).await?;
    }
    let subject = Subject {
        kind: VisitKind::Order,
        company_id: order.company_id,
        office_id: project.org_unit_id,
        project_id: Some(order.project_id),
        customer_id: order.customer_id,
        work_order_id: Some(order.id),
    };
    let summary = format!("工单 {} 回访：{}（{}）", order.number, a.satisfaction.label(), a.follow_up.label());
    let visit = insert(&*txn, caller, &subject, &a, summary).await?;
    txn.commit().await?;
    Ok(views(&db.conn, vec![visit]).await?.remove(0))
}

/// Finds the customer of a care visit in the caller's offices: by id (another
/// office's is not found), or by the code typed in the picker (a code used by
/// several offices must be picked from the customer's own page).
async fn care_customer(
    db: &impl ConnectionTrait,
    caller: &Caller,
    input: &CareVisitInput,
    errors: &mut FieldErrors,
) -> AppResult<Option<customer::Model>> {
    let scoped = || customer::Entity::find().filter(caller.offices_condition(customer::Column::OrgUnitId));
    if let Some(id) = input.customer_id {
        return Ok(Some(scoped().filter(customer::Column::Id.eq(id)).one(db).await?.ok_or(AppError::NotFound)?));
    }
    let code = normalize_text(&input.customer_code);
    if code.is_empty() {
        errors.add("customer_code", "请选择客户");
        return Ok(None);
    }
    // Two rows are enough to tell one match from several.
    let mut found = scoped().filter(customer::Column::Code.eq(code.as_str())).limit(2).all(db).await?;
    match found.len() {
        1 => Ok(found.pop()),
        0 => {
            errors.add("customer_code", format!("没有客户编号 {code}，请从下拉建议中选择"));
            Ok(None)
        }
        _ => {
            errors.add("customer_code", format!("多个管理处都有客户编号 {code}，请在该客户的资料页点“关怀回访”"));
            Ok(None)
        }
    }
}

/// Records a standalone care call to a customer in the caller's offices
/// (VIS-3); a dissatisfied customer may have a complaint requested.
pub async fn record_care_visit(db: &Db, caller: &Caller, input: &CareVisitInput) -> AppResult<VisitView> {
    caller.require("visit.create")?;
    let txn = db.begin().await?;
    let mut errors = FieldErrors::new();
    let customer = care_customer(&*txn, caller, input, &mut errors).await?;
    let answers = check(VisitKind::Care, &input.visit, &mut errors);
    errors.into_result()?;
    let (c, a) = (customer.expect("validated"), answers.expect("validated"));
    let subject = Subject {
        kind: VisitKind::Care,
        company_id: c.company_id,
        office_id: c.org_unit_id,
        project_id: None,
        customer_id: Some(c.id),
        work_order_id: None,
    };
    let summary = format!("关怀回访 {}：{}（{}）", c.name, a.satisfaction.label(), a.follow_up.label());
    let visit = insert(&*txn, caller, &subject, &a, summary).await?;
    txn.commit().await?;
    Ok(views(&db.conn, vec![visit]).await?.remove(0))
}
