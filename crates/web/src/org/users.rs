//! User pages (SYS-2): list, create, edit, reset password, unlock, disable.

use app::{
    org::{
        role, unit,
        user::{self, AccountAction, UserFilter, UserInput, UserView},
    },
    property::project,
    AppError, PageRequest,
};
use axum::{
    extract::{Path, Query, State},
    http::StatusCode,
    response::Response,
};
use chrono::Utc;
use serde::Deserialize;

use crate::{
    auth::{redirect_with_flash, PageAuth},
    error::PageError,
    form::FormData,
    shell::{form_page, list_page, refused, state_change, ListMode},
    view::{local_time_opt, Cell, Field, FilterField, FormView, Link, ListView, Row, RowAction, Section, SelectOption},
    SharedState,
};

const BASE: &str = "/system/users";

#[derive(Debug, Deserialize, Default)]
pub struct ListQuery {
    #[serde(default)]
    org_unit_id: Option<String>,
    #[serde(default)]
    role_id: Option<String>,
    #[serde(default)]
    enabled: Option<String>,
}

fn status_cell(u: &UserView) -> Cell {
    if !u.enabled {
        Cell::tag("已停用", "struck")
    } else if u.locked_until.is_some_and(|t| t > Utc::now()) {
        Cell::tag("已锁定", "red")
    } else if u.must_change_password {
        Cell::tag("待修改初始密码", "orange")
    } else {
        Cell::tag("正常", "green")
    }
}

fn row(u: &UserView, st: &SharedState, caller: &app::Caller) -> Row {
    let mut actions = vec![];
    if caller.can("user.edit") {
        actions.push(RowAction::get("编辑", format!("{BASE}/{}/edit", u.id)));
    }
    if caller.can("user.reset_password") {
        actions.push(RowAction::get("重置密码", format!("{BASE}/{}/password", u.id)));
    }
    if caller.can("user.edit") {
        if u.locked_until.is_some_and(|t| t > Utc::now()) {
            actions.push(RowAction::post("解锁", format!("{BASE}/{}/unlock", u.id), u.version, "", false));
        }
        if u.enabled {
            actions.push(RowAction::post(
                "停用",
                format!("{BASE}/{}/disable", u.id),
                u.version,
                &format!("停用后“{}”将无法登录，确定停用？", u.display_name),
                true,
            ));
        } else {
            actions.push(RowAction::post("启用", format!("{BASE}/{}/enable", u.id), u.version, "", false));
        }
    }
    let roles = if u.superuser { format!("超级管理员 {}", u.role_names.join("、")) } else { u.role_names.join("、") };
    Row {
        cells: vec![
            Cell::link(&u.username, format!("{BASE}/{}/edit", u.id)),
            Cell::text(&u.display_name),
            Cell::text(&u.phone),
            Cell::text(&u.org_unit_name),
            Cell::text(roles.trim()),
            status_cell(u),
            Cell::text(local_time_opt(st.tz, u.last_login_at)),
        ],
        actions,
    }
}

async fn build_list(st: &SharedState, auth: &PageAuth, req: &PageRequest, q: &ListQuery) -> Result<ListView, AppError> {
    let filter = UserFilter {
        org_unit_id: q.org_unit_id.as_deref().and_then(|v| v.parse().ok()),
        role_id: q.role_id.as_deref().and_then(|v| v.parse().ok()),
        enabled: q.enabled.clone(),
    };
    let page = user::list(&st.db, &auth.caller, req, &filter).await?;
    let mut l = ListView::new(
        "用户",
        BASE,
        req,
        &[("org_unit_id", q.org_unit_id.clone()), ("role_id", q.role_id.clone()), ("enabled", q.enabled.clone())],
    );
    l.search_hint = "登录名/姓名/手机号".into();
    let units = unit::tree(&st.db, &auth.caller).await.unwrap_or_default();
    l.filters.push(FilterField::select(
        "org_unit_id",
        "所属组织",
        q.org_unit_id.clone(),
        units.iter().map(|n| (n.unit.id.to_string(), format!("{}{}", "　".repeat(n.depth), n.unit.name))).collect(),
    ));
    l.filters.push(FilterField::select(
        "enabled",
        "状态",
        q.enabled.clone(),
        vec![("1".into(), "启用".into()), ("0".into(), "已停用".into())],
    ));
    let roles = role::assignable(&st.db, &auth.caller).await?;
    l.advanced.push(FilterField::select(
        "role_id",
        "角色",
        q.role_id.clone(),
        roles.iter().map(|r| (r.id.to_string(), r.name.clone())).collect(),
    ));
    l.advanced_open = q.role_id.as_deref().is_some_and(|s| !s.is_empty());
    if auth.caller.can("user.create") {
        l.toolbar.push(Link::new("新增用户", format!("{BASE}/new")));
    }
    if auth.caller.can("user.export") {
        l.export(&format!("{BASE}/export"));
    }
    l.column("登录名", Some("username"), false)
        .column("姓名", Some("display_name"), false)
        .column("手机", None, false)
        .column("所属组织", None, false)
        .column("角色", None, false)
        .column("状态", None, false)
        .column("最近登录", Some("last_login_at"), false);
    l.fill(page, |u| row(u, st, &auth.caller));
    l.empty_hint =
        if auth.caller.can("user.create") { "暂无用户，点击“新增用户”添加" } else { "没有符合条件的用户" }.into();
    Ok(l)
}

pub async fn list(
    State(st): State<SharedState>,
    auth: PageAuth,
    Query(req): Query<PageRequest>,
    Query(q): Query<ListQuery>,
    mode: ListMode,
) -> Result<Response, PageError> {
    let req = mode.prepare(&auth.caller, "user.export", req)?;
    let l = build_list(&st, &auth, &req, &q).await?;
    Ok(list_page(&st, &auth, "system", l, mode.export).await)
}

async fn user_form(st: &SharedState, auth: &PageAuth, existing: Option<&UserView>, input: &UserInput) -> Result<FormView, AppError> {
    let units = unit::tree(&st.db, &auth.caller).await?;
    let unit_options = units
        .iter()
        .map(|n| {
            SelectOption::new(
                n.unit.id,
                format!("{}{}（{}）", "　".repeat(n.depth), n.unit.name, n.kind_label),
                Some(n.unit.id) == input.org_unit_id,
            )
        })
        .collect();
    let roles = role::assignable(&st.db, &auth.caller).await?;
    let role_options = roles.iter().map(|r| SelectOption::new(r.id, r.name.clone(), input.role_ids.contains(&r.id))).collect();
    let projects = project::in_scope(&st.db, &auth.caller).await?;
    let project_options =
        projects.iter().map(|p| SelectOption::new(p.id, format!("{}（{}）", p.name, p.code), input.project_ids.contains(&p.id))).collect();
    let mut basic = vec![];
    let username = Field::new("text", "username", "登录名", input.username.clone()).required();
    basic.push(if existing.is_some() {
        username.readonly()
    } else {
        username.hint("3–64 位字母、数字或 . _ - @，创建后不可修改")
    });
    basic.push(Field::new("text", "display_name", "姓名", input.display_name.clone()).required());
    basic.push(Field::new("text", "phone", "手机", input.phone.clone()).example("11 位手机号或固定电话"));
    basic.push(Field::new("select", "org_unit_id", "所属组织", "").required().options(unit_options));
    if existing.is_none() {
        basic.push(Field::new("password", "password", "初始密码", "").required().hint("至少 8 位字母和数字；用户首次登录时须修改"));
    }
    let mut scope = vec![
        Field::new("bool", "all_projects", "数据范围", if input.all_projects { "1" } else { "" }).hint("可访问本公司全部项目"),
        Field::new("checks", "project_ids", "指定项目", "").options(project_options).hint("未勾选“全部项目”时，只能访问这里勾选的项目"),
    ];
    if auth.caller.is_superuser() {
        scope.push(Field::new("bool", "superuser", "超级管理员", if input.superuser { "1" } else { "" }).hint("拥有全部权限和全部数据"));
    }
    let sections = vec![
        Section::new("基本信息", basic),
        Section::new("角色", vec![Field::new("checks", "role_ids", "角色", "").options(role_options)]),
        Section::new("数据范围", scope),
    ];
    Ok(match existing {
        Some(u) => FormView::new(&format!("编辑用户：{}", u.display_name), format!("{BASE}/{}/edit", u.id), BASE, sections),
        None => FormView::new("新增用户", format!("{BASE}/new"), BASE, sections),
    })
}

fn input_of(f: &FormData, existing: Option<&UserView>) -> UserInput {
    UserInput {
        username: existing.map_or_else(|| f.get("username"), |u| u.username.clone()),
        display_name: f.get("display_name"),
        phone: f.get("phone"),
        org_unit_id: f.int("org_unit_id"),
        password: f.get("password"),
        role_ids: f.ints("role_ids"),
        all_projects: f.checked("all_projects"),
        project_ids: f.ints("project_ids"),
        superuser: f.checked("superuser"),
    }
}

pub async fn new_form(State(st): State<SharedState>, auth: PageAuth) -> Result<Response, PageError> {
    auth.caller.require("user.create")?;
    let input = UserInput { org_unit_id: Some(auth.caller.org_unit_id), ..Default::default() };
    let form = user_form(&st, &auth, None, &input).await?;
    Ok(form_page(&st, &auth, "system", form, StatusCode::OK).await)
}

pub async fn create(State(st): State<SharedState>, auth: PageAuth, f: FormData) -> Result<Response, PageError> {
    let input = input_of(&f, None);
    match user::create(&st.db, &auth.caller, &input).await {
        Ok(u) => Ok(redirect_with_flash(&format!("{BASE}/{}/edit", u.id), &format!("已新增用户 {}", u.display_name))),
        Err(e) => {
            let (form, status) = refused(e, user_form(&st, &auth, None, &input).await?)?;
            Ok(form_page(&st, &auth, "system", form, status).await)
        }
    }
}

pub async fn edit_form(State(st): State<SharedState>, auth: PageAuth, Path(id): Path<i32>) -> Result<Response, PageError> {
    auth.caller.require("user.edit")?;
    let u = user::get(&st.db, &auth.caller, id).await?;
    let input = UserInput {
        username: u.username.clone(),
        display_name: u.display_name.clone(),
        phone: u.phone.clone(),
        org_unit_id: Some(u.org_unit_id),
        password: String::new(),
        role_ids: u.role_ids.clone(),
        all_projects: u.all_projects,
        project_ids: u.project_ids.clone(),
        superuser: u.superuser,
    };
    let form = user_form(&st, &auth, Some(&u), &input).await?.version(u.version);
    Ok(form_page(&st, &auth, "system", form, StatusCode::OK).await)
}

pub async fn update(State(st): State<SharedState>, auth: PageAuth, Path(id): Path<i32>, f: FormData) -> Result<Response, PageError> {
    let existing = user::get(&st.db, &auth.caller, id).await?;
    let input = input_of(&f, Some(&existing));
    match user::update(&st.db, &auth.caller, id, f.version(), &input).await {
        Ok(u) => Ok(redirect_with_flash(&format!("{BASE}/{}/edit", u.id), "已保存")),
        Err(e) => {
            let (form, status) = refused(e, user_form(&st, &auth, Some(&existing), &input).await?.version(f.version()))?;
            Ok(form_page(&st, &auth, "system", form, status).await)
        }
    }
}

fn reset_view(u: &UserView, version: i32) -> FormView {
    let mut form = FormView::new(
        &format!("重置密码：{}（{}）", u.display_name, u.username),
        format!("{BASE}/{}/password", u.id),
        BASE,
        vec![Section::new(
            "",
            vec![Field::new("password", "password", "新密码", "")
                .required()
                .hint("至少 8 位字母和数字；用户下次登录时须修改，其现有登录将被注销")],
        )],
    )
    .version(version);
    form.submit_label = "确认重置".into();
    form
}

pub async fn reset_form(State(st): State<SharedState>, auth: PageAuth, Path(id): Path<i32>) -> Result<Response, PageError> {
    auth.caller.require("user.reset_password")?;
    let u = user::get(&st.db, &auth.caller, id).await?;
    Ok(form_page(&st, &auth, "system", reset_view(&u, u.version), StatusCode::OK).await)
}

pub async fn reset_submit(State(st): State<SharedState>, auth: PageAuth, Path(id): Path<i32>, f: FormData) -> Result<Response, PageError> {
    let u = user::get(&st.db, &auth.caller, id).await?;
    match user::account_action(&st.db, &auth.caller, id, f.version(), AccountAction::ResetPassword(f.get("password"))).await {
        Ok(u) => Ok(redirect_with_flash(BASE, &format!("已重置 {} 的密码", u.display_name))),
        Err(e) => {
            let (form, status) = refused(e, reset_view(&u, f.version()))?;
            Ok(form_page(&st, &auth, "system", form, status).await)
        }
    }
}

async fn action(st: &SharedState, auth: &PageAuth, id: i32, f: &FormData, a: AccountAction, done: &str) -> Result<Response, PageError> {
    let r = user::account_action(&st.db, &auth.caller, id, f.version(), a).await.map(|u| format!("{done}：{}", u.display_name));
    state_change(BASE, r)
}

pub async fn unlock(State(st): State<SharedState>, auth: PageAuth, Path(id): Path<i32>, f: FormData) -> Result<Response, PageError> {
    action(&st, &auth, id, &f, AccountAction::Unlock, "已解锁").await
}

pub async fn enable(State(st): State<SharedState>, auth: PageAuth, Path(id): Path<i32>, f: FormData) -> Result<Response, PageError> {
    action(&st, &auth, id, &f, AccountAction::Enable, "已启用").await
}

pub async fn disable(State(st): State<SharedState>, auth: PageAuth, Path(id): Path<i32>, f: FormData) -> Result<Response, PageError> {
    action(&st, &auth, id, &f, AccountAction::Disable, "已停用").await
}
