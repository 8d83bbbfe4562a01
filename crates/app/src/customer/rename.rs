//! Rename orders (CUS-7): the name changes only when a permitted user other
//! than the requester approves; the history is kept.

use chrono::Utc;
use domain::{audit::AuditAction, customer::RenameStatus, validation::normalize_text, FieldErrors};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, IntoActiveModel, PaginatorTrait, QueryFilter, QueryOrder};
use serde::{Deserialize, Serialize};

use super::record;
use crate::{
    audit::{self, Change},
    db::claim_version,
    entity::{customer, rename_order, user},
    settings, AppError, AppResult, Caller, Db, Page, PageRequest,
};

#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct RenameInput {
    #[serde(default)]
    pub new_name: String,
    #[serde(default)]
    pub reason: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RenameView {
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub order: rename_order::Model,
    pub status_label: &'static str,
    pub customer_code: String,
    pub requested_by_name: String,
    pub decided_by_name: String,
}

async fn views(db: &Db, rows: Vec<rename_order::Model>) -> AppResult<Vec<RenameView>> {
    let mut out = Vec::with_capacity(rows.len());
    for o in rows {
        let name_of = |id: Option<i32>| async move {
            match id {
                Some(id) => user::Entity::find_by_id(id).one(&db.conn).await.map(|u| u.map(|u| u.display_name).unwrap_or_default()),
                None => Ok(String::new()),
            }
        };
        let customer_code = customer::Entity::find_by_id(o.customer_id).one(&db.conn).await?.map(|c| c.code).unwrap_or_default();
        out.push(RenameView {
            status_label: RenameStatus::from_code(&o.status).label(),
            customer_code,
            requested_by_name: name_of(Some(o.requested_by)).await?,
            decided_by_name: name_of(o.decided_by).await?,
            order: o,
        });
    }
    Ok(out)
}

/// Rename orders in the caller's offices; `status` filters, `customer_id`
/// limits to one customer.
pub async fn list(
    db: &Db,
    caller: &Caller,
    req: &PageRequest,
    status: Option<&str>,
    customer_id: Option<i32>,
) -> AppResult<Page<RenameView>> {
    caller.require("customer.view")?;
    let mut q = rename_order::Entity::find().filter(caller.offices_condition(rename_order::Column::OrgUnitId));
    if let Some(s) = status.filter(|s| !s.is_empty()) {
        q = q.filter(rename_order::Column::Status.eq(s));
    }
    if let Some(c) = customer_id {
        q = q.filter(rename_order::Column::CustomerId.eq(c));
    }
    if let Some(k) = req.keyword() {
        q = q.filter(
            sea_orm::Condition::any()
                .add(rename_order::Column::Number.contains(&k))
                .add(rename_order::Column::OldName.contains(&k))
                .add(rename_order::Column::NewName.contains(&k)),
        );
    }
    let total = q.clone().count(&db.conn).await?;
    let rows = crate::list::page_rows(&db.conn, q.order_by_desc(rename_order::Column::Id), req).await?;
    Ok(Page::new(views(db, rows).await?, total))
}

pub async fn request(db: &Db, caller: &Caller, customer_id: i32, input: &RenameInput) -> AppResult<RenameView> {
    caller.require("rename.create")?;
    let txn = db.begin().await?;
    let c = record::get_model(&*txn, caller, customer_id).await?;
    let mut errors = FieldErrors::new();
    let new_name = errors.required("new_name", "新名称", &normalize_text(&input.new_name));
    errors.max_chars("new_name", "新名称", &new_name, 100);
    if new_name == c.name {
        errors.add("new_name", "新名称与原名称相同");
    }
    let reason = errors.required("reason", "更名原因", &normalize_text(&input.reason));
    errors.max_chars("reason", "更名原因", &reason, 500);
    let pending = rename_order::Entity::find()
        .filter(rename_order::Column::CustomerId.eq(customer_id))
        .filter(rename_order::Column::Status.eq(RenameStatus::Pending.code()))
        .count(&*txn)
        .await?;
    if pending > 0 {
        errors.add("new_name", "该客户已有待审批的更名单");
    }
    errors.into_result()?;
    let now = Utc::now();
    let number = settings::next_number(&*txn, c.company_id, "rename_order", crate::clock::today()).await?;
    let o = rename_order::ActiveModel {
        number: Set(number),
        customer_id: Set(c.id),
        org_unit_id: Set(c.org_unit_id),
        old_name: Set(c.name.clone()),
        new_name: Set(new_name),
        reason: Set(reason),
        status: Set(RenameStatus::Pending.code().into()),
        requested_by: Set(caller.user_id),
        decided_by: Set(None),
        decided_at: Set(None),
        decision_note: Set(String::new()),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&*txn)
    .await?;
    audit::record(
        &*txn,
        caller,
        Change::new("rename_order", o.id, AuditAction::Create)
            .company(Some(c.company_id))
            .summary(format!("客户更名申请 {}：{} → {}", o.number, o.old_name, o.new_name))
            .after(&o),
    )
    .await?;
    txn.commit().await?;
    Ok(views(db, vec![o]).await?.remove(0))
}

/// Approves or rejects; an approval renames the customer in the same
/// transaction.
pub async fn decide(db: &Db, caller: &Caller, id: i32, version: i32, approve: bool, note: &str) -> AppResult<RenameView> {
    caller.require("rename.approve")?;
    let txn = db.begin().await?;
    let o = rename_order::Entity::find_by_id(id)
        .filter(caller.offices_condition(rename_order::Column::OrgUnitId))
        .one(&*txn)
        .await?
        .ok_or(AppError::NotFound)?;
    let next =
        RenameStatus::from_code(&o.status).decide(approve, o.requested_by, caller.user_id).map_err(|m| AppError::Conflict(m.into()))?;
    claim_version::<rename_order::Entity>(&*txn, rename_order::Column::Id, rename_order::Column::Version, id, version).await?;
    let before = o.clone();
    let mut am = o.into_active_model();
    am.status = Set(next.code().into());
    am.decided_by = Set(Some(caller.user_id));
    am.decided_at = Set(Some(Utc::now()));
    am.decision_note = Set(normalize_text(note));
    am.version = Set(version + 1);
    am.updated_at = Set(Utc::now());
    let after = am.update(&*txn).await?;
    let c = customer::Entity::find_by_id(after.customer_id).one(&*txn).await?.ok_or(AppError::NotFound)?;
    if next == RenameStatus::Approved {
        let old = c.clone();
        let mut cm = c.clone().into_active_model();
        cm.name = Set(after.new_name.clone());
        cm.version = Set(c.version + 1);
        cm.updated_at = Set(Utc::now());
        let renamed = cm.update(&*txn).await?;
        record::refresh_search(&*txn, &[renamed.id]).await?;
        audit::record(
            &*txn,
            caller,
            Change::new("customer", renamed.id, AuditAction::Update)
                .company(Some(renamed.company_id))
                .summary(format!("更名单 {} 批准：{} → {}", after.number, old.name, renamed.name))
                .before(&old)
                .after(&renamed),
        )
        .await?;
    }
    let action = if approve { AuditAction::Approve } else { AuditAction::Reject };
    audit::record(
        &*txn,
        caller,
        Change::new("rename_order", id, action)
            .company(Some(c.company_id))
            .summary(format!("{}更名单 {}", action.label(), after.number))
            .before(&before)
            .after(&after),
    )
    .await?;
    txn.commit().await?;
    Ok(views(db, vec![after]).await?.remove(0))
}
