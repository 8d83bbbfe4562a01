use std::collections::BTreeMap;

use app::{
    org::unit,
    property::project::{self, Project, ProjectFilter, ProjectInput},
    AppError, PageRequest,
};
use axum::{
    extract::{Path, Query, State},
    http::StatusCode,
    response::Response,
};
use domain::org::OrgUnitKind;
use serde::Deserialize;

use crate::{
    auth::{redirect_with_flash, PageAuth},
    error::PageError,
    form::FormData,
    shell::{form_page, list_page, refused, ListMode},
    view::{Cell, Field, FilterField, FormView, Link, ListView, Row, RowAction, Section, SelectOption},
    SharedState,
};

const BASE: &str = "/property/projects";

#[derive(Debug, Deserialize, Default)]
pub struct ListQuery {
    #[serde(default)]
    org_unit_id: Option<String>,
}

/// Offices of the projects the caller sees (no org-tree permission needed).
async fn offices(st: &SharedState, caller: &app::Caller) -> Result<BTreeMap<i32, String>, AppError> {
    Ok(project::offices_in_scope(&st.db, caller).await?.into_iter().collect())
}

/// Offices a project may be put in: every office the caller's org tree shows.
async fn office_choices(st: &SharedState, caller: &app::Caller) -> Result<BTreeMap<i32, String>, AppError> {
    Ok(unit::tree(&st.db, caller)
        .await?
        .into_iter()
        .filter(|n| n.unit.kind == OrgUnitKind::Office.code())
        .map(|n| (n.unit.id, n.unit.name))
        .collect())
}

async fn build_list(st: &SharedState, auth: &PageAuth, req: &PageRequest, q: &ListQuery) -> Result<ListView, AppError> {
    let filter = ProjectFilter { org_unit_id: q.org_unit_id.as_deref().and_then(|v| v.parse().ok()) };
    let page = project::list(&st.db, &auth.caller, req, &filter).await?;
    let offices = offices(st, &auth.caller).await?;
    let mut l = ListView::new("项目", BASE, req, &[("org_unit_id", q.org_unit_id.clone())]);
    l.search_hint = "项目名称/编码/地址".into();
    l.filters.push(FilterField::select(
        "org_unit_id",
        "管理处",
        q.org_unit_id.clone(),
        offices.iter().map(|(id, n)| (id.to_string(), n.clone())).collect(),
    ));
    if auth.caller.can("property.create") {
        l.toolbar.push(Link::new("新增项目", format!("{BASE}/new")));
    }
    if auth.caller.can("property.export") {
        l.export(&format!("{BASE}/export"));
    }
    l.column("项目编码", Some("code"), false)
        .column("项目名称", Some("name"), false)
        .column("管理处", None, false)
        .column("地址", None, false)
        .column("总户数", None, true)
        .column("开发商", None, false)
        .column("状态", None, false);
    let can_edit = auth.caller.can("property.edit");
    l.fill(page, |p: &Project| Row {
        cells: vec![
            Cell::text(&p.code),
            Cell::link(&p.name, format!("{BASE}/{}", p.id)),
            Cell::text(offices.get(&p.org_unit_id).cloned().unwrap_or_default()),
            Cell::text(&p.address),
            Cell { right: true, ..Cell::text(p.households.to_string()) },
            Cell::text(&p.developer),
            if p.enabled { Cell::tag("在管", "green") } else { Cell::tag("已停用", "struck") },
        ],
        actions: {
            let mut a = vec![RowAction::get("楼栋", format!("{BASE}/{}", p.id))];
            if can_edit {
                a.push(RowAction::get("编辑", format!("{BASE}/{}/edit", p.id)));
            }
            a
        },
    });
    l.empty_hint = "暂无项目".into();
    Ok(l)
}

pub async fn list(
    State(st): State<SharedState>,
    auth: PageAuth,
    Query(req): Query<PageRequest>,
    Query(q): Query<ListQuery>,
    mode: ListMode,
) -> Result<Response, PageError> {
    let req = mode.prepare(&auth.caller, "property.export", req)?;
    let l = build_list(&st, &auth, &req, &q).await?;
    Ok(list_page(&st, &auth, "property", l, mode.export).await)
}

async fn form(st: &SharedState, auth: &PageAuth, id: Option<i32>, input: &ProjectInput) -> Result<FormView, AppError> {
    let options = office_choices(st, &auth.caller)
        .await?
        .into_iter()
        .map(|(oid, n)| SelectOption::new(oid, n, Some(oid) == input.org_unit_id))
        .collect();
    let sections = vec![Section::new(
        "基本信息",
        vec![
            Field::new("text", "code", "项目编码", input.code.clone()).required().hint("本公司内唯一，如 JLTX"),
            Field::new("text", "name", "项目名称", input.name.clone()).required(),
            Field::new("select", "org_unit_id", "所属管理处", "").required().options(options),
            Field::new("text", "address", "地址", input.address.clone()),
            Field::new("text", "total_area", "总建筑面积（㎡）", input.total_area.clone()).example("如 125000.50"),
            Field::new("number", "households", "总户数", input.households.map(|h| h.to_string()).unwrap_or_default()),
            Field::new("text", "developer", "开发商", input.developer.clone()),
        ],
    )];
    Ok(match id {
        Some(id) => FormView::new("编辑项目", format!("{BASE}/{id}/edit"), BASE, sections),
        None => FormView::new("新增项目", format!("{BASE}/new"), BASE, sections),
    })
}

fn input_of(f: &FormData) -> ProjectInput {
    ProjectInput {
        org_unit_id: f.int("org_unit_id"),
        code: f.get("code"),
        name: f.get("name"),
        address: f.get("address"),
        total_area: f.get("total_area"),
        households: f.int("households"),
        developer: f.get("developer"),
    }
}

pub async fn new_form(State(st): State<SharedState>, auth: PageAuth) -> Result<Response, PageError> {
    auth.caller.require("property.create")?;
    let view = form(&st, &auth, None, &ProjectInput::default()).await?;
    Ok(form_page(&st, &auth, "property", view, StatusCode::OK).await)
}

pub async fn create(State(st): State<SharedState>, auth: PageAuth, f: FormData) -> Result<Response, PageError> {
    let input = input_of(&f);
    match project::create(&st.db, &auth.caller, &input).await {
        Ok(p) => Ok(redirect_with_flash(BASE, &format!("已新增项目“{}”", p.name))),
        Err(e) => {
            let (view, status) = refused(e, form(&st, &auth, None, &input).await?)?;
            Ok(form_page(&st, &auth, "property", view, status).await)
        }
    }
}

pub async fn edit_form(State(st): State<SharedState>, auth: PageAuth, Path(id): Path<i32>) -> Result<Response, PageError> {
    auth.caller.require("property.edit")?;
    let p = project::get(&st.db.conn, &auth.caller, id).await?;
    let input = ProjectInput {
        org_unit_id: Some(p.org_unit_id),
        code: p.code.clone(),
        name: p.name.clone(),
        address: p.address.clone(),
        total_area: domain::property::Area(p.total_area).to_string(),
        households: Some(p.households),
        developer: p.developer.clone(),
    };
    let view = form(&st, &auth, Some(id), &input).await?.version(p.version);
    Ok(form_page(&st, &auth, "property", view, StatusCode::OK).await)
}

pub async fn update(State(st): State<SharedState>, auth: PageAuth, Path(id): Path<i32>, f: FormData) -> Result<Response, PageError> {
    let input = input_of(&f);
    match project::update(&st.db, &auth.caller, id, f.version(), &input).await {
        Ok(p) => Ok(redirect_with_flash(BASE, &format!("已保存项目“{}”", p.name))),
        Err(e) => {
            let (view, status) = refused(e, form(&st, &auth, Some(id), &input).await?.version(f.version()))?;
            Ok(form_page(&st, &auth, "property", view, status).await)
        }
    }
}
