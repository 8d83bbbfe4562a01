use std::collections::BTreeSet;

use app::{
    audit::{self, AuditFilter, AuditRow, LoginFilter, LoginRow},
    AppError, PageRequest,
};
use askama::Template;
use axum::{
    extract::{Path, Query, State},
    response::Response,
};
use domain::audit::{entity_label, AuditAction, AUDITED_ENTITIES};
use serde::Deserialize;

use super::utc_range;
use crate::{
    auth::PageAuth,
    error::PageError,
    shell::{list_page, render, shell, ListMode, Shell},
    view::{local_time, Cell, FilterField, ListView, Row, RowAction},
    SharedState,
};

#[derive(Debug, Deserialize, Default)]
pub struct AuditQuery {
    #[serde(default)]
    user: Option<String>,
    #[serde(default)]
    entity: Option<String>,
    #[serde(default)]
    entity_id: Option<String>,
    #[serde(default)]
    action: Option<String>,
    #[serde(default)]
    from: Option<String>,
    #[serde(default)]
    to: Option<String>,
    #[serde(default)]
    success: Option<String>,
}

fn nonempty(v: &Option<String>) -> bool {
    v.as_deref().is_some_and(|s| !s.is_empty())
}

async fn build_audit(st: &SharedState, auth: &PageAuth, req: &PageRequest, q: &AuditQuery) -> Result<ListView, AppError> {
    let (from, to) = utc_range(st.tz, q.from.as_deref(), q.to.as_deref());
    let filter =
        AuditFilter { user: q.user.clone(), entity: q.entity.clone(), entity_id: q.entity_id.clone(), action: q.action.clone(), from, to };
    let mut l = ListView::new(
        "操作日志",
        "/system/audit",
        req,
        &[
            ("user", q.user.clone()),
            ("entity", q.entity.clone()),
            ("entity_id", q.entity_id.clone()),
            ("action", q.action.clone()),
            ("from", q.from.clone()),
            ("to", q.to.clone()),
        ],
    );
    l.search_hint = "摘要关键字".into();
    l.filters.push(FilterField::select(
        "entity",
        "对象",
        q.entity.clone(),
        AUDITED_ENTITIES.iter().map(|(c, l)| (c.to_string(), l.to_string())).collect(),
    ));
    l.filters.push(FilterField::select(
        "action",
        "操作",
        q.action.clone(),
        AuditAction::ALL.iter().map(|a| (a.code().to_string(), a.label().to_string())).collect(),
    ));
    l.advanced.push(FilterField::input("text", "user", "操作人", q.user.clone()));
    l.advanced.push(FilterField::input("text", "entity_id", "对象编号", q.entity_id.clone()));
    l.advanced.push(FilterField::input("date", "from", "开始日期", q.from.clone()));
    l.advanced.push(FilterField::input("date", "to", "结束日期", q.to.clone()));
    l.advanced_open = nonempty(&q.user) || nonempty(&q.entity_id) || nonempty(&q.from) || nonempty(&q.to);
    if auth.caller.can("audit.export") {
        l.export("/system/audit/export");
    }
    l.column("时间", None, false)
        .column("操作人", None, false)
        .column("IP", None, false)
        .column("对象", None, false)
        .column("操作", None, false)
        .column("摘要", None, false);
    let tz = st.tz;
    let row = |r: &AuditRow| Row {
        cells: vec![
            Cell::text(local_time(tz, r.at)),
            Cell::text(&r.user_name),
            Cell::text(&r.ip),
            Cell::text(format!("{} #{}", entity_label(&r.entity), r.entity_id)),
            Cell::tag(AuditAction::label_of(&r.action), "blue"),
            Cell::text(&r.summary),
        ],
        actions: vec![RowAction::get("详情", format!("/system/audit/{}", r.id))],
    };
    let found = audit::list_audit_each(&st.db, &auth.caller, req, &filter, |rows| l.extend(rows, row)).await?;
    l.finish(found);
    l.empty_hint = "没有符合条件的操作记录".into();
    Ok(l)
}

pub async fn audit_list(
    State(st): State<SharedState>,
    auth: PageAuth,
    Query(req): Query<PageRequest>,
    Query(q): Query<AuditQuery>,
    mode: ListMode,
) -> Result<Response, PageError> {
    let req = mode.prepare(&auth.caller, "audit.export", req)?;
    let l = build_audit(&st, &auth, &req, &q).await?;
    Ok(list_page(&st, &auth, "system", l, mode.export).await)
}

#[derive(Template)]
#[template(path = "audit/detail.html")]
struct DetailPage {
    shell: Shell,
    row: AuditRow,
    at: String,
    entity: &'static str,
    action: &'static str,
    diff: Vec<(String, String, String, bool)>,
}

fn fields(json: &Option<String>) -> serde_json::Map<String, serde_json::Value> {
    json.as_deref().and_then(|s| serde_json::from_str::<serde_json::Value>(s).ok()).and_then(|v| v.as_object().cloned()).unwrap_or_default()
}

fn show(v: Option<&serde_json::Value>) -> String {
    use serde_json::Value;
    match v {
        None | Some(Value::Null) => String::new(),
        Some(Value::Bool(b)) => (if *b { "是" } else { "否" }).into(),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Array(items)) => items.iter().map(|i| show(Some(i))).collect::<Vec<_>>().join("、"),
        Some(other) => other.to_string(),
    }
}

/// Field-by-field before/after, changed fields flagged.
fn diff(before: &Option<String>, after: &Option<String>) -> Vec<(String, String, String, bool)> {
    let (b, a) = (fields(before), fields(after));
    let keys: BTreeSet<&String> = b.keys().chain(a.keys()).collect();
    keys.into_iter()
        .map(|k| {
            let (old, new) = (show(b.get(k)), show(a.get(k)));
            let changed = before.is_some() && after.is_some() && old != new;
            (domain::audit::field_label(k).to_string(), old, new, changed)
        })
        .collect()
}

pub async fn audit_detail(State(st): State<SharedState>, auth: PageAuth, Path(id): Path<i32>) -> Result<Response, PageError> {
    let row = audit::get_audit(&st.db, &auth.caller, id).await?;
    let page = DetailPage {
        shell: shell(&st, &auth, "system", "操作日志详情").await,
        at: local_time(st.tz, row.at),
        entity: entity_label(&row.entity),
        action: AuditAction::label_of(&row.action),
        diff: diff(&row.before, &row.after),
        row,
    };
    Ok(render(&page, auth.flash.is_some()))
}

async fn build_logins(st: &SharedState, auth: &PageAuth, req: &PageRequest, q: &AuditQuery) -> Result<ListView, AppError> {
    let (from, to) = utc_range(st.tz, q.from.as_deref(), q.to.as_deref());
    let filter = LoginFilter { success: q.success.clone(), from, to };
    let page = audit::list_logins(&st.db, &auth.caller, req, &filter).await?;
    let mut l =
        ListView::new("登录日志", "/system/logins", req, &[("success", q.success.clone()), ("from", q.from.clone()), ("to", q.to.clone())]);
    l.search_hint = "用户名".into();
    l.filters.push(FilterField::select(
        "success",
        "结果",
        q.success.clone(),
        vec![("1".into(), "成功".into()), ("0".into(), "失败".into())],
    ));
    l.filters.push(FilterField::input("date", "from", "开始日期", q.from.clone()));
    l.filters.push(FilterField::input("date", "to", "结束日期", q.to.clone()));
    if auth.caller.can("audit.export") {
        l.export("/system/logins/export");
    }
    l.column("时间", None, false)
        .column("用户名", None, false)
        .column("IP", None, false)
        .column("结果", None, false)
        .column("说明", None, false);
    let tz = st.tz;
    l.fill(page, |r: &LoginRow| Row {
        cells: vec![
            Cell::text(local_time(tz, r.at)),
            Cell::text(&r.username),
            Cell::text(&r.ip),
            if r.success { Cell::tag("成功", "green") } else { Cell::tag("失败", "red") },
            Cell::text(&r.reason),
        ],
        actions: vec![],
    });
    l.empty_hint = "没有符合条件的登录记录".into();
    Ok(l)
}

pub async fn login_list(
    State(st): State<SharedState>,
    auth: PageAuth,
    Query(req): Query<PageRequest>,
    Query(q): Query<AuditQuery>,
    mode: ListMode,
) -> Result<Response, PageError> {
    let req = mode.prepare(&auth.caller, "audit.export", req)?;
    let l = build_logins(&st, &auth, &req, &q).await?;
    Ok(list_page(&st, &auth, "system", l, mode.export).await)
}
