//! The in-app inbox (通知): the caller's own notifications, unread first;
//! opening one marks it read and follows its link. Pages and API.

use app::{
    messaging::inbox::{self, NotificationView},
    PageRequest,
};
use askama::Template;
use axum::{
    extract::{Path, Query, State},
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
    Json, Router,
};
use serde::{Deserialize, Serialize};

use crate::{
    api::{ApiResult, ListBody},
    auth::{redirect_with_flash, ApiAuth, PageAuth},
    error::PageError,
    shell::{render, shell, Shell},
    view::local_time,
    SharedState,
};

const BASE: &str = "/inbox";

pub fn routes() -> Router<SharedState> {
    Router::new()
        .route(BASE, get(page))
        .route("/inbox/read-all", post(read_all_page))
        .route("/inbox/{id}/open", post(open))
        .route("/api/v1/notifications", get(list))
        .route("/api/v1/notifications/unread-count", get(unread_count))
        .route("/api/v1/notifications/read-all", post(read_all))
        .route("/api/v1/notifications/{id}/read", post(read))
}

#[derive(Debug, Deserialize, Default, utoipa::IntoParams)]
pub struct InboxQuery {
    /// `true` (or `1`): only unread notifications.
    #[serde(default)]
    unread: Option<String>,
}

impl InboxQuery {
    fn unread_only(&self) -> bool {
        matches!(self.unread.as_deref(), Some("1" | "true"))
    }
}

/// One line of the inbox page.
struct Item {
    id: i32,
    title: String,
    body: String,
    at: String,
    unread: bool,
}

#[derive(Template)]
#[template(path = "messaging/inbox.html")]
struct InboxPage {
    shell: Shell,
    items: Vec<Item>,
    total: u64,
    unread_only: bool,
    prev_href: Option<String>,
    next_href: Option<String>,
}

pub async fn page(
    State(st): State<SharedState>,
    auth: PageAuth,
    Query(req): Query<PageRequest>,
    Query(q): Query<InboxQuery>,
) -> Result<Response, PageError> {
    let unread_only = q.unread_only();
    let found = inbox::list(&st.db, &auth.caller, &req, unread_only).await?;
    let pages = found.total.div_ceil(req.per_page()).max(1);
    let href = |p: u64| format!("{BASE}?page={p}&per_page={}{}", req.per_page(), if unread_only { "&unread=1" } else { "" });
    let items = found
        .items
        .into_iter()
        .map(|n| Item { id: n.id, title: n.title, body: n.body, at: local_time(st.tz, n.created_at), unread: n.read_at.is_none() })
        .collect();
    let page = InboxPage {
        shell: shell(&st, &auth, "", "通知").await,
        items,
        total: found.total,
        unread_only,
        prev_href: (req.page() > 1).then(|| href(req.page() - 1)),
        next_href: (req.page() < pages).then(|| href(req.page() + 1)),
    };
    Ok(render(&page, auth.flash.is_some()))
}

/// Opens a notification: marks it read and goes where it leads (only ever
/// a page of this site).
pub async fn open(State(st): State<SharedState>, auth: PageAuth, Path(id): Path<i32>) -> Result<Response, PageError> {
    let n = inbox::mark_read(&st.db, &auth.caller, id).await?;
    let local = n.link.starts_with('/') && !n.link.starts_with("//");
    Ok(Redirect::to(if local { &n.link } else { BASE }).into_response())
}

pub async fn read_all_page(State(st): State<SharedState>, auth: PageAuth) -> Result<Response, PageError> {
    let n = inbox::mark_all_read(&st.db, &auth.caller).await?;
    Ok(redirect_with_flash(BASE, &if n == 0 { "没有未读通知".to_string() } else { format!("已将 {n} 条通知标为已读") }))
}

/// The caller's notifications, unread first, newest first.
#[utoipa::path(get, path = "/api/v1/notifications", tag = "通知", params(InboxQuery), responses((status = 200, body = ListBody<NotificationView>)))]
pub async fn list(
    State(st): State<SharedState>,
    ApiAuth(c): ApiAuth,
    Query(req): Query<PageRequest>,
    Query(q): Query<InboxQuery>,
) -> ApiResult<ListBody<NotificationView>> {
    Ok(Json(inbox::list(&st.db, &c, &req, q.unread_only()).await?.into()))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Count {
    pub count: u64,
}

/// How many of the caller's notifications are unread (the bell's count).
#[utoipa::path(get, path = "/api/v1/notifications/unread-count", tag = "通知", responses((status = 200, body = Count)))]
pub async fn unread_count(State(st): State<SharedState>, ApiAuth(c): ApiAuth) -> ApiResult<Count> {
    Ok(Json(Count { count: inbox::unread_count(&st.db, &c).await? }))
}

/// Marks one of the caller's notifications read; another user's id is 404.
#[utoipa::path(post, path = "/api/v1/notifications/{id}/read", tag = "通知", responses((status = 200, body = NotificationView), (status = 404)))]
pub async fn read(State(st): State<SharedState>, ApiAuth(c): ApiAuth, Path(id): Path<i32>) -> ApiResult<NotificationView> {
    Ok(Json(inbox::mark_read(&st.db, &c, id).await?))
}

/// Marks all the caller's notifications read; answers how many were unread.
#[utoipa::path(post, path = "/api/v1/notifications/read-all", tag = "通知", responses((status = 200, body = Count)))]
pub async fn read_all(State(st): State<SharedState>, ApiAuth(c): ApiAuth) -> ApiResult<Count> {
    Ok(Json(Count { count: inbox::mark_all_read(&st.db, &c).await? }))
}
