//! The in-app inbox (通知): each user's own notifications, delivered by the
//! outbox worker (`outbox::deliver_pending`). Nobody sees another user's
//! notifications; another user's id answers 404 like an unknown one.
//!
//! Reading a notification is not audited: it changes nothing of the
//! business, only the reader's own inbox (like a login's last-seen time).

use chrono::{DateTime, Utc};
use sea_orm::{
    sea_query::{Expr, Order},
    ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
};
use serde::Serialize;

use crate::{entity::notification, AppError, AppResult, Caller, Db, Page, PageRequest};

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct NotificationView {
    pub id: i32,
    /// What it is about, e.g. `escalation`.
    pub kind: String,
    pub title: String,
    pub body: String,
    /// Where it leads, e.g. `/workorders/12`.
    pub link: String,
    pub read_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

impl From<notification::Model> for NotificationView {
    fn from(n: notification::Model) -> Self {
        Self { id: n.id, kind: n.kind, title: n.title, body: n.body, link: n.link, read_at: n.read_at, created_at: n.created_at }
    }
}

/// The caller's notifications, unread first, newest first within each.
pub async fn list(db: &Db, caller: &Caller, req: &PageRequest, unread_only: bool) -> AppResult<Page<NotificationView>> {
    let mut q = notification::Entity::find().filter(notification::Column::UserId.eq(caller.user_id));
    if unread_only {
        q = q.filter(notification::Column::ReadAt.is_null());
    }
    let total = q.clone().count(&db.conn).await?;
    let rows = crate::list::page_rows(
        &db.conn,
        q.order_by(Expr::col(notification::Column::ReadAt).is_null(), Order::Desc).order_by_desc(notification::Column::Id),
        req,
    )
    .await?;
    Ok(Page::new(rows.into_iter().map(Into::into).collect(), total))
}

/// How many of the caller's notifications are unread: the bell's count, on
/// every page, served by the index on (user_id, read_at).
pub async fn unread_count(db: &Db, caller: &Caller) -> AppResult<u64> {
    Ok(notification::Entity::find()
        .filter(notification::Column::UserId.eq(caller.user_id))
        .filter(notification::Column::ReadAt.is_null())
        .count(&db.conn)
        .await?)
}

/// Marks one of the caller's notifications read (again is harmless).
pub async fn mark_read(db: &Db, caller: &Caller, id: i32) -> AppResult<NotificationView> {
    let own = || notification::Entity::find_by_id(id).filter(notification::Column::UserId.eq(caller.user_id));
    own().one(&db.conn).await?.ok_or(AppError::NotFound)?;
    notification::Entity::update_many()
        .col_expr(notification::Column::ReadAt, Expr::value(Utc::now()))
        .filter(notification::Column::Id.eq(id))
        .filter(notification::Column::UserId.eq(caller.user_id))
        .filter(notification::Column::ReadAt.is_null())
        .exec(&db.conn)
        .await?;
    Ok(own().one(&db.conn).await?.ok_or(AppError::NotFound)?.into())
}

/// Marks all the caller's notifications read; returns how many were unread.
pub async fn mark_all_read(db: &Db, caller: &Caller) -> AppResult<u64> {
    let res = notification::Entity::update_many()
        .col_expr(notification::Column::ReadAt, Expr::value(Utc::now()))
        .filter(notification::Column::UserId.eq(caller.user_id))
        .filter(notification::Column::ReadAt.is_null())
        .exec(&db.conn)
        .await?;
    Ok(res.rows_affected)
}
