use app::{
    messaging::announcement::{self, AnnouncementInput, AnnouncementView},
    org::unit,
    AppError, PageRequest,
};
use askama::Template;
use axum::{
    extract::{Path, Query, State},
    http::StatusCode,
    response::Response,
};

use super::{input_local, parse_local};
use crate::{
    auth::{redirect_with_flash, PageAuth},
    error::PageError,
    form::FormData,
    shell::{form_page, list_page, refused, render, shell, state_change, ListMode, Shell},
    view::{local_time, local_time_opt, Cell, Field, FormView, Link, ListView, Row, RowAction, Section, SelectOption},
    SharedState,
};

const BASE: &str = "/system/announcements";

fn status_colour(status: &str) -> &'static str {
    match status {
        "published" => "green",
        "withdrawn" => "grey",
        _ => "blue",
    }
}

fn row(a: &AnnouncementView, tz: chrono_tz::Tz, caller: &app::Caller) -> Row {
    let mut actions = vec![RowAction::get("查看", format!("{BASE}/{}", a.id))];
    if caller.can("announcement.edit") {
        actions.push(RowAction::get("编辑", format!("{BASE}/{}/edit", a.id)));
    }
    if caller.can("announcement.publish") {
        if a.status == "published" {
            actions.push(RowAction::post(
                "撤回",
                format!("{BASE}/{}/withdraw", a.id),
                a.version,
                "撤回后员工将看不到这条公告，确定撤回？",
                true,
            ));
        } else {
            actions.push(RowAction::post("发布", format!("{BASE}/{}/publish", a.id), a.version, "", false));
        }
    }
    Row {
        cells: vec![
            Cell::link(&a.title, format!("{BASE}/{}", a.id)),
            Cell::tag(a.status_label, status_colour(&a.status)),
            Cell::text(local_time(tz, a.publish_from)),
            Cell::text(local_time_opt(tz, a.publish_to)),
            Cell::text(a.target_names.join("、")),
            Cell::text(local_time(tz, a.updated_at)),
        ],
        actions,
    }
}

pub async fn list(
    State(st): State<SharedState>,
    auth: PageAuth,
    Query(req): Query<PageRequest>,
    mode: ListMode,
) -> Result<Response, PageError> {
    let req = mode.prepare(&auth.caller, "announcement.export", req)?;
    let export = mode.export;
    let page = announcement::list(&st.db, &auth.caller, &req).await?;
    let mut l = ListView::new("公告", BASE, &req, &[]);
    l.search_hint = "公告标题".into();
    if auth.caller.can("announcement.create") {
        l.toolbar.push(Link::new("新增公告", format!("{BASE}/new")));
    }
    l.column("标题", None, false)
        .column("状态", None, false)
        .column("发布时间", None, false)
        .column("有效至", None, false)
        .column("发布范围", None, false)
        .column("更新时间", None, false);
    l.fill(page, |a| row(a, st.tz, &auth.caller));
    l.empty_hint =
        if auth.caller.can("announcement.create") { "暂无公告，点击“新增公告”发布通知" } else { "暂无公告" }.into();
    if auth.caller.can("announcement.export") {
        l.export(&format!("{BASE}/export"));
    }
    Ok(list_page(&st, &auth, "system", l, export).await)
}

async fn form(
    st: &SharedState,
    auth: &PageAuth,
    existing: Option<&AnnouncementView>,
    input: &AnnouncementInput,
    from_text: &str,
    to_text: &str,
) -> Result<FormView, AppError> {
    let targets = unit::tree(&st.db, &auth.caller)
        .await?
        .into_iter()
        .map(|n| SelectOption::new(n.unit.id, format!("{}（{}）", n.unit.name, n.kind_label), input.target_unit_ids.contains(&n.unit.id)))
        .collect();
    let sections = vec![
        Section::new(
            "公告内容",
            vec![
                Field::new("text", "title", "标题", input.title.clone()).required(),
                Field::new("textarea", "body", "正文", input.body.clone()).required(),
            ],
        ),
        Section::new(
            "发布设置",
            vec![
                Field::new("datetime-local", "publish_from", "开始时间", from_text).hint("留空为立即生效"),
                Field::new("datetime-local", "publish_to", "结束时间", to_text).hint("留空为长期有效"),
                Field::new("checks", "target_unit_ids", "发布范围", "").required().options(targets).hint("所选组织及其下级的员工可见"),
            ],
        ),
    ];
    Ok(match existing {
        Some(a) => FormView::new("编辑公告", format!("{BASE}/{}/edit", a.id), BASE, sections),
        None => FormView::new("新增公告", format!("{BASE}/new"), BASE, sections),
    })
}

/// Reads the form; an unreadable time is a field error, not "now".
fn input_of(st: &SharedState, f: &FormData) -> (AnnouncementInput, domain::FieldErrors) {
    let mut errors = domain::FieldErrors::new();
    let mut time = |name: &str| {
        let text = f.get(name);
        if text.trim().is_empty() {
            return None;
        }
        let t = parse_local(st.tz, &text);
        if t.is_none() {
            errors.add(name, "时间格式不正确");
        }
        t
    };
    let publish_from = time("publish_from");
    let publish_to = time("publish_to");
    (
        AnnouncementInput {
            title: f.get("title"),
            body: f.get("body"),
            publish_from,
            publish_to,
            target_unit_ids: f.ints("target_unit_ids"),
        },
        errors,
    )
}

pub async fn new_form(State(st): State<SharedState>, auth: PageAuth) -> Result<Response, PageError> {
    auth.caller.require("announcement.create")?;
    let input =
        AnnouncementInput { target_unit_ids: vec![auth.caller.company_id.unwrap_or(auth.caller.org_unit_id)], ..Default::default() };
    let view = form(&st, &auth, None, &input, "", "").await?;
    Ok(form_page(&st, &auth, "system", view, StatusCode::OK).await)
}

pub async fn create(State(st): State<SharedState>, auth: PageAuth, f: FormData) -> Result<Response, PageError> {
    let (input, time_errors) = input_of(&st, &f);
    let result = if time_errors.is_empty() {
        announcement::create(&st.db, &auth.caller, &input).await
    } else {
        Err(AppError::Validation(time_errors))
    };
    match result {
        Ok(a) => Ok(redirect_with_flash(BASE, &format!("已保存公告“{}”（草稿，发布后员工可见）", a.title))),
        Err(e) => {
            let view = form(&st, &auth, None, &input, &f.get("publish_from"), &f.get("publish_to")).await?;
            let (view, status) = refused(e, view)?;
            Ok(form_page(&st, &auth, "system", view, status).await)
        }
    }
}

pub async fn edit_form(State(st): State<SharedState>, auth: PageAuth, Path(id): Path<i32>) -> Result<Response, PageError> {
    auth.caller.require("announcement.edit")?;
    let a = announcement::get(&st.db, &auth.caller, id).await?;
    let input = AnnouncementInput {
        title: a.title.clone(),
        body: a.body.clone(),
        publish_from: Some(a.publish_from),
        publish_to: a.publish_to,
        target_unit_ids: a.target_unit_ids.clone(),
    };
    let to = a.publish_to.map(|t| input_local(st.tz, t)).unwrap_or_default();
    let view = form(&st, &auth, Some(&a), &input, &input_local(st.tz, a.publish_from), &to).await?.version(a.version);
    Ok(form_page(&st, &auth, "system", view, StatusCode::OK).await)
}

pub async fn update(State(st): State<SharedState>, auth: PageAuth, Path(id): Path<i32>, f: FormData) -> Result<Response, PageError> {
    let existing = announcement::get(&st.db, &auth.caller, id).await?;
    let (input, time_errors) = input_of(&st, &f);
    let result = if time_errors.is_empty() {
        announcement::update(&st.db, &auth.caller, id, f.version(), &input).await
    } else {
        Err(AppError::Validation(time_errors))
    };
    match result {
        Ok(_) => Ok(redirect_with_flash(BASE, "已保存")),
        Err(e) => {
            let view = form(&st, &auth, Some(&existing), &input, &f.get("publish_from"), &f.get("publish_to")).await?.version(f.version());
            let (view, status) = refused(e, view)?;
            Ok(form_page(&st, &auth, "system", view, status).await)
        }
    }
}

pub async fn publish(State(st): State<SharedState>, auth: PageAuth, Path(id): Path<i32>, f: FormData) -> Result<Response, PageError> {
    let r = announcement::set_published(&st.db, &auth.caller, id, f.version(), true).await.map(|a| format!("已发布“{}”", a.title));
    state_change(BASE, r)
}

pub async fn withdraw(State(st): State<SharedState>, auth: PageAuth, Path(id): Path<i32>, f: FormData) -> Result<Response, PageError> {
    let r = announcement::set_published(&st.db, &auth.caller, id, f.version(), false).await.map(|a| format!("已撤回“{}”", a.title));
    state_change(BASE, r)
}

#[derive(Template)]
#[template(path = "messaging/show.html")]
struct ShowPage {
    shell: Shell,
    a: AnnouncementView,
    from: String,
    to: String,
    paragraphs: Vec<String>,
}

/// Reading an announcement: management may open any in scope, other staff
/// those addressed to them (the workbench list).
pub async fn show(State(st): State<SharedState>, auth: PageAuth, Path(id): Path<i32>) -> Result<Response, PageError> {
    let a = match announcement::get(&st.db, &auth.caller, id).await {
        Ok(a) => a,
        Err(AppError::NotFound | AppError::Forbidden) => {
            announcement::for_workbench(&st.db, &auth.caller, 1000).await?.into_iter().find(|a| a.id == id).ok_or(AppError::NotFound)?
        }
        Err(e) => return Err(e.into()),
    };
    let page = ShowPage {
        shell: shell(&st, &auth, "report", &a.title).await,
        from: local_time(st.tz, a.publish_from),
        to: local_time_opt(st.tz, a.publish_to),
        paragraphs: a.body.lines().filter(|l| !l.trim().is_empty()).map(str::to_string).collect(),
        a,
    };
    Ok(render(&page, auth.flash.is_some()))
}
