//! Role pages (SYS-3): roles with their permission points.

use app::{
    org::{
        role::{self, RoleInput, RoleView},
        unit,
    },
    AppError, PageRequest,
};
use axum::{
    extract::{Path, Query, State},
    http::StatusCode,
    response::Response,
};
use domain::org::{module_label, PERMISSIONS};

use crate::{
    auth::{redirect_with_flash, PageAuth},
    error::PageError,
    form::FormData,
    shell::{form_page, list_page, refused, state_change, ListMode},
    view::{Cell, Field, FormView, Link, ListView, Row, RowAction, Section, SelectOption},
    SharedState,
};

const BASE: &str = "/system/roles";

fn row(r: &RoleView, caller: &app::Caller) -> Row {
    let mut actions = vec![];
    if caller.can("role.edit") {
        actions.push(RowAction::get("编辑", format!("{BASE}/{}/edit", r.id)));
        if r.enabled {
            actions.push(RowAction::post(
                "禁用",
                format!("{BASE}/{}/disable", r.id),
                r.version,
                &format!("禁用后拥有“{}”的用户将失去其权限，确定禁用？", r.name),
                true,
            ));
        } else {
            actions.push(RowAction::post("启用", format!("{BASE}/{}/enable", r.id), r.version, "", false));
        }
    }
    Row {
        cells: vec![
            Cell::link(&r.name, format!("{BASE}/{}/edit", r.id)),
            Cell::text(&r.org_unit_name),
            Cell::text(&r.description),
            Cell { right: true, ..Cell::text(r.permissions.len().to_string()) },
            Cell { right: true, ..Cell::text(r.user_count.to_string()) },
            if r.enabled { Cell::tag("启用", "green") } else { Cell::tag("已禁用", "struck") },
        ],
        actions,
    }
}

async fn build_list(st: &SharedState, auth: &PageAuth, req: &PageRequest) -> Result<ListView, AppError> {
    let page = role::list(&st.db, &auth.caller, req).await?;
    let mut l = ListView::new("角色权限", BASE, req, &[]);
    l.search_hint = "角色名称".into();
    if auth.caller.can("role.create") {
        l.toolbar.push(Link::new("新增角色", format!("{BASE}/new")));
    }
    if auth.caller.can("role.export") {
        l.export(&format!("{BASE}/export"));
    }
    l.column("角色名称", Some("name"), false)
        .column("所属组织", None, false)
        .column("说明", None, false)
        .column("权限点数", None, true)
        .column("用户数", None, true)
        .column("状态", None, false);
    l.fill(page, |r| row(r, &auth.caller));
    l.empty_hint =
        if auth.caller.can("role.create") { "暂无角色，点击“新增角色”添加" } else { "没有符合条件的角色" }.into();
    Ok(l)
}

pub async fn list(
    State(st): State<SharedState>,
    auth: PageAuth,
    Query(req): Query<PageRequest>,
    mode: ListMode,
) -> Result<Response, PageError> {
    let req = mode.prepare(&auth.caller, "role.export", req)?;
    let l = build_list(&st, &auth, &req).await?;
    Ok(list_page(&st, &auth, "system", l, mode.export).await)
}

/// Every permission point as a checkbox, grouped by module.
fn permission_options(selected: &[String]) -> Vec<SelectOption> {
    let mut last = "";
    PERMISSIONS
        .iter()
        .map(|p| {
            let mut o = SelectOption::new(p.code, p.label, selected.iter().any(|s| s == p.code));
            if p.module != last {
                o.group = Some(module_label(p.module).to_string());
                last = p.module;
            }
            o
        })
        .collect()
}

async fn role_form(st: &SharedState, auth: &PageAuth, existing: Option<&RoleView>, input: &RoleInput) -> Result<FormView, AppError> {
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
    let sections = vec![
        Section::new(
            "基本信息",
            vec![
                Field::new("text", "name", "角色名称", input.name.clone()).required(),
                Field::new("select", "org_unit_id", "所属组织", "")
                    .required()
                    .options(unit_options)
                    .hint("角色可分配给该组织所在公司的用户"),
                Field::new("text", "description", "说明", input.description.clone()),
            ],
        ),
        Section {
            wide: true,
            ..Section::new(
                "权限点",
                vec![Field::new("checks", "permissions", "功能权限", "").options(permission_options(&input.permissions))],
            )
        },
    ];
    Ok(match existing {
        Some(r) => FormView::new(&format!("编辑角色：{}", r.name), format!("{BASE}/{}/edit", r.id), BASE, sections),
        None => FormView::new("新增角色", format!("{BASE}/new"), BASE, sections),
    })
}

fn input_of(f: &FormData) -> RoleInput {
    RoleInput {
        org_unit_id: f.int("org_unit_id"),
        name: f.get("name"),
        description: f.get("description"),
        permissions: f.all("permissions"),
    }
}

pub async fn new_form(State(st): State<SharedState>, auth: PageAuth) -> Result<Response, PageError> {
    auth.caller.require("role.create")?;
    let input = RoleInput { org_unit_id: auth.caller.company_id.or(Some(auth.caller.org_unit_id)), ..Default::default() };
    let form = role_form(&st, &auth, None, &input).await?;
    Ok(form_page(&st, &auth, "system", form, StatusCode::OK).await)
}

pub async fn create(State(st): State<SharedState>, auth: PageAuth, f: FormData) -> Result<Response, PageError> {
    let input = input_of(&f);
    match role::create(&st.db, &auth.caller, &input).await {
        Ok(r) => Ok(redirect_with_flash(&format!("{BASE}/{}/edit", r.id), &format!("已新增角色“{}”", r.name))),
        Err(e) => {
            let (form, status) = refused(e, role_form(&st, &auth, None, &input).await?)?;
            Ok(form_page(&st, &auth, "system", form, status).await)
        }
    }
}

pub async fn edit_form(State(st): State<SharedState>, auth: PageAuth, Path(id): Path<i32>) -> Result<Response, PageError> {
    auth.caller.require("role.edit")?;
    let r = role::get(&st.db, &auth.caller, id).await?;
    let input = RoleInput {
        org_unit_id: Some(r.org_unit_id),
        name: r.name.clone(),
        description: r.description.clone(),
        permissions: r.permissions.clone(),
    };
    let form = role_form(&st, &auth, Some(&r), &input).await?.version(r.version);
    Ok(form_page(&st, &auth, "system", form, StatusCode::OK).await)
}

pub async fn update(State(st): State<SharedState>, auth: PageAuth, Path(id): Path<i32>, f: FormData) -> Result<Response, PageError> {
    let existing = role::get(&st.db, &auth.caller, id).await?;
    let input = input_of(&f);
    match role::update(&st.db, &auth.caller, id, f.version(), &input).await {
        Ok(r) => Ok(redirect_with_flash(&format!("{BASE}/{}/edit", r.id), "已保存")),
        Err(e) => {
            let (form, status) = refused(e, role_form(&st, &auth, Some(&existing), &input).await?.version(f.version()))?;
            Ok(form_page(&st, &auth, "system", form, status).await)
        }
    }
}

pub async fn enable(State(st): State<SharedState>, auth: PageAuth, Path(id): Path<i32>, f: FormData) -> Result<Response, PageError> {
    let r = role::set_enabled(&st.db, &auth.caller, id, f.version(), true).await.map(|r| format!("已启用“{}”", r.name));
    state_change(BASE, r)
}

pub async fn disable(State(st): State<SharedState>, auth: PageAuth, Path(id): Path<i32>, f: FormData) -> Result<Response, PageError> {
    let r = role::set_enabled(&st.db, &auth.caller, id, f.version(), false).await.map(|r| format!("已禁用“{}”", r.name));
    state_change(BASE, r)
}
