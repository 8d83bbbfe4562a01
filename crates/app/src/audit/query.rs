use chrono::{DateTime, Utc};
use sea_orm::{
    sea_query::{Expr, Func, LikeExpr},
    ColumnTrait, Condition, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};
use serde::{Deserialize, Serialize};

use crate::{
    entity::{audit_log, login_log},
    list::{self, like_pattern, Found},
    AppResult, Caller, Db, Page, PageRequest,
};

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct AuditFilter {
    #[serde(default)]
    pub user: Option<String>,
    #[serde(default)]
    pub entity: Option<String>,
    #[serde(default)]
    pub entity_id: Option<String>,
    #[serde(default)]
    pub action: Option<String>,
    #[serde(skip)]
    pub from: Option<DateTime<Utc>>,
    #[serde(skip)]
    pub to: Option<DateTime<Utc>>,
}

pub type AuditRow = audit_log::Model;
pub type LoginRow = login_log::Model;

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct LoginFilter {
    #[serde(default)]
    pub success: Option<String>,
    #[serde(skip)]
    pub from: Option<DateTime<Utc>>,
    #[serde(skip)]
    pub to: Option<DateTime<Utc>>,
}

fn non_empty(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// Rows of companies outside the caller's scope are not shown; rows with no
/// company (group-level actions) only to superusers.
fn company_scope<C: ColumnTrait>(caller: &Caller, col: C) -> Condition {
    if caller.is_superuser() {
        Condition::all()
    } else {
        Condition::all().add(col.is_in(caller.scope.companies.iter().copied()))
    }
}

fn contains<C: ColumnTrait>(col: C, keyword: &str) -> Condition {
    Condition::all().add(Expr::expr(Func::lower(Expr::col(col))).like(LikeExpr::new(like_pattern(&keyword.to_lowercase())).escape('\\')))
}

pub async fn list_audit(db: &Db, caller: &Caller, req: &PageRequest, f: &AuditFilter) -> AppResult<Page<AuditRow>> {
    let mut items = Vec::new();
    let found = list_audit_each(db, caller, req, f, |rows| items.extend(rows)).await?;
    Ok(Page::found(items, found))
}

/// The rows of `list_audit`, newest first, handed to `each` a part at a
/// time (`list::in_parts`): the log grows by every change, and an export
/// may hold 100,000 of its rows.
pub async fn list_audit_each(
    db: &Db,
    caller: &Caller,
    req: &PageRequest,
    f: &AuditFilter,
    each: impl FnMut(Vec<AuditRow>),
) -> AppResult<Found> {
    caller.require("audit.view")?;
    let mut cond = company_scope(caller, audit_log::Column::CompanyId);
    if let Some(u) = non_empty(&f.user) {
        cond = cond.add(contains(audit_log::Column::UserName, u));
    }
    if let Some(e) = non_empty(&f.entity) {
        cond = cond.add(audit_log::Column::Entity.eq(e));
    }
    if let Some(e) = non_empty(&f.entity_id) {
        cond = cond.add(audit_log::Column::EntityId.eq(e));
    }
    if let Some(a) = non_empty(&f.action) {
        cond = cond.add(audit_log::Column::Action.eq(a));
    }
    if let Some(k) = req.keyword() {
        cond = cond.add(contains(audit_log::Column::Summary, &k));
    }
    if let Some(from) = f.from {
        cond = cond.add(audit_log::Column::At.gte(from));
    }
    if let Some(to) = f.to {
        cond = cond.add(audit_log::Column::At.lt(to));
    }
    let query = audit_log::Entity::find().filter(cond);
    let total = query.clone().count(&db.conn).await?;
    let ids = list::page_ids(&db.conn, query.order_by_desc(audit_log::Column::Id), audit_log::Column::Id, req).await?;
    let read = |part: Vec<i32>| async move { list::rows_by_id::<audit_log::Entity>(&db.conn, audit_log::Column::Id, &part).await };
    list::in_parts(&ids, read, each).await?;
    Ok(Found::total(total))
}

pub async fn list_logins(db: &Db, caller: &Caller, req: &PageRequest, f: &LoginFilter) -> AppResult<Page<LoginRow>> {
    caller.require("audit.view")?;
    let mut cond = company_scope(caller, login_log::Column::CompanyId);
    if let Some(k) = req.keyword() {
        cond = cond.add(contains(login_log::Column::Username, &k));
    }
    match non_empty(&f.success) {
        Some("1") => cond = cond.add(login_log::Column::Success.eq(true)),
        Some("0") => cond = cond.add(login_log::Column::Success.eq(false)),
        _ => {}
    }
    if let Some(from) = f.from {
        cond = cond.add(login_log::Column::At.gte(from));
    }
    if let Some(to) = f.to {
        cond = cond.add(login_log::Column::At.lt(to));
    }
    let query = login_log::Entity::find().filter(cond);
    let total = query.clone().count(&db.conn).await?;
    let items = crate::list::page_rows(&db.conn, query.order_by_desc(login_log::Column::Id), req).await?;
    Ok(Page::new(items, total))
}

/// One operation-log row inside the caller's scope.
pub async fn get_audit(db: &Db, caller: &Caller, id: i32) -> AppResult<AuditRow> {
    caller.require("audit.view")?;
    audit_log::Entity::find_by_id(id)
        .filter(company_scope(caller, audit_log::Column::CompanyId))
        .one(&db.conn)
        .await?
        .ok_or(crate::AppError::NotFound)
}

/// The change history of one record and the records around it, newest
/// first: `(entity, ids)` pairs, e.g. a customer with its occupancies. The
/// caller must already be allowed to see the record.
pub async fn timeline(db: &Db, parts: &[(&str, Vec<i32>)], limit: u64) -> AppResult<Vec<AuditRow>> {
    let mut any = Condition::any();
    for (entity, ids) in parts {
        if !ids.is_empty() {
            any = any.add(
                Condition::all()
                    .add(audit_log::Column::Entity.eq(*entity))
                    .add(audit_log::Column::EntityId.is_in(ids.iter().map(|i| i.to_string()))),
            );
        }
    }
    Ok(audit_log::Entity::find().filter(any).order_by_desc(audit_log::Column::Id).limit(limit).all(&db.conn).await?)
}
