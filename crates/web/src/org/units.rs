//! Org tree pages (SYS-1).

use app::{
    org::unit::{self, OrgUnitInput, TreeNode},
    AppError, PageRequest,
};
use axum::{
    extract::{Path, Query, State},
    http::StatusCode,
    response::Response,
};
use domain::org::OrgUnitKind;

use crate::{
    auth::{redirect_with_flash, PageAuth},
    error::PageError,
    form::FormData,
    shell::{form_page, list_page, refused, state_change, ListMode},
    view::{Cell, Field, FormView, Link, ListView, Row, RowAction, Section, SelectOption},
    SharedState,
};

const BASE: &str = "/system/org";

fn row(n: &TreeNode, caller: &app::Caller) -> Row {
    let u = &n.unit;
    let indent = "　".repeat(n.depth);
    let mut actions = vec![];
    if caller.can("org.edit") {
        actions.push(RowAction::get("编辑", format!("{BASE}/{}/edit", u.id)));
        if u.parent_id.is_some() {
            actions.push(RowAction::get("移动", format!("{BASE}/{}/move", u.id)));
        }
        if u.enabled {
            actions.push(RowAction::post("禁用", format!("{BASE}/{}/disable", u.id), u.version, &format!("确定禁用“{}”？", u.name), true));
        } else {
            actions.push(RowAction::post("启用", format!("{BASE}/{}/enable", u.id), u.version, "", false));
        }
    }
    if caller.can("org.create") && u.kind != OrgUnitKind::Office.code() {
        actions.push(RowAction::get("新增下级", format!("{BASE}/new?parent_id={}", u.id)));
    }
    if caller.can("org.delete") && u.parent_id.is_some() {
        actions.push(RowAction::post(
            "删除",
            format!("{BASE}/{}/delete", u.id),
            u.version,
            &format!("确定删除“{}”？只有没有下级、项目、用户和角色的组织可以删除。", u.name),
            true,
        ));
    }
    Row {
        cells: vec![
            Cell::text(format!("{indent}{}{}", if n.depth > 0 { "└ " } else { "" }, u.name)),
            Cell::tag(n.kind_label, "blue"),
            Cell::text(&u.code),
            if u.enabled { Cell::tag("启用", "green") } else { Cell::tag("已禁用", "struck") },
        ],
        actions,
    }
}

/// Units whose name or code contains the keyword, with their ancestors so
/// the tree stays readable.
fn matching(nodes: Vec<TreeNode>, keyword: Option<&str>) -> Vec<TreeNode> {
    let Some(k) = keyword else { return nodes };
    let k = k.to_lowercase();
    let keep: std::collections::BTreeSet<i32> = nodes
        .iter()
        .filter(|n| n.unit.name.to_lowercase().contains(&k) || n.unit.code.to_lowercase().contains(&k))
        .flat_map(|n| n.unit.path.split('/').filter_map(|id| id.parse().ok()).collect::<Vec<i32>>())
        .collect();
    nodes.into_iter().filter(|n| keep.contains(&n.unit.id)).collect()
}

pub async fn list(
    State(st): State<SharedState>,
    auth: PageAuth,
    Query(req): Query<PageRequest>,
    mode: ListMode,
) -> Result<Response, PageError> {
    mode.prepare(&auth.caller, "org.export", PageRequest::default())?;
    let export = mode.export;
    let nodes = matching(unit::tree(&st.db, &auth.caller).await?, req.keyword().as_deref());
    let mut l = ListView::new("组织架构", BASE, &req, &[]);
    l.search_hint = "组织名称/编码".into();
    if auth.caller.can("org.create") {
        l.toolbar.push(Link::new("新增组织", format!("{BASE}/new")));
    }
    l.column("组织名称", None, false).column("类型", None, false).column("编码", None, false).column("状态", None, false);
    let page = app::Page::all(nodes);
    l.per_page = page.total.max(1);
    l.fill(page, |n| row(n, &auth.caller));
    l.page = 1;
    l.empty_hint = "没有名称或编码包含该关键字的组织".into();
    if auth.caller.can("org.export") {
        l.export(&format!("{BASE}/export"));
    }
    Ok(list_page(&st, &auth, "system", l, export).await)
}

async fn parent_options(
    st: &SharedState,
    auth: &PageAuth,
    selected: Option<i32>,
    exclude_under: Option<&str>,
) -> Result<Vec<SelectOption>, AppError> {
    Ok(unit::tree(&st.db, &auth.caller)
        .await?
        .into_iter()
        .filter(|n| n.unit.kind != OrgUnitKind::Office.code())
        .filter(|n| exclude_under.is_none_or(|p| !n.unit.path.starts_with(p)))
        .map(|n| {
            SelectOption::new(
                n.unit.id,
                format!("{}{}（{}）", "　".repeat(n.depth), n.unit.name, n.kind_label),
                Some(n.unit.id) == selected,
            )
        })
        .collect())
}

fn kind_options(selected: &str) -> Vec<SelectOption> {
    OrgUnitKind::ALL.into_iter().map(|k| SelectOption::new(k.code(), k.label(), k.code() == selected)).collect()
}

async fn unit_form(st: &SharedState, auth: &PageAuth, id: Option<i32>, input: &OrgUnitInput) -> Result<FormView, AppError> {
    let mut fields = vec![];
    if id.is_none() {
        fields.push(
            Field::new("select", "parent_id", "上级组织", "")
                .options(parent_options(st, auth, input.parent_id, None).await?)
                .hint("集团不选上级"),
        );
        fields.push(Field::new("select", "kind", "组织类型", "").required().options(kind_options(&input.kind)));
    }
    fields.push(Field::new("text", "name", "名称", input.name.clone()).required());
    fields.push(Field::new("text", "code", "编码", input.code.clone()).hint("可选，用于报表和编号"));
    fields.push(Field::new("number", "sort_order", "排序", input.sort_order.unwrap_or(0).to_string()).hint("同级内数字小的在前"));
    let (title, action) = match id {
        Some(id) => ("编辑组织", format!("{BASE}/{id}/edit")),
        None => ("新增组织", format!("{BASE}/new")),
    };
    Ok(FormView::new(title, action, BASE, vec![Section::new("基本信息", fields)]))
}

fn input_of(f: &FormData) -> OrgUnitInput {
    OrgUnitInput {
        parent_id: f.int("parent_id"),
        kind: f.get("kind"),
        name: f.get("name"),
        code: f.get("code"),
        sort_order: f.int("sort_order"),
    }
}

#[derive(serde::Deserialize)]
pub struct NewQuery {
    parent_id: Option<i32>,
}

pub async fn new_form(
    State(st): State<SharedState>,
    auth: PageAuth,
    axum::extract::Query(q): axum::extract::Query<NewQuery>,
) -> Result<Response, PageError> {
    auth.caller.require("org.create")?;
    let mut input = OrgUnitInput { parent_id: q.parent_id, ..Default::default() };
    if let Some(p) = q.parent_id {
        let parent = unit::get(&st.db.conn, &auth.caller, p).await?;
        input.kind = match OrgUnitKind::from_code(&parent.kind) {
            Some(OrgUnitKind::Company) => OrgUnitKind::Office.code().into(),
            _ => OrgUnitKind::Company.code().into(),
        };
    }
    let form = unit_form(&st, &auth, None, &input).await?;
    Ok(form_page(&st, &auth, "system", form, StatusCode::OK).await)
}

pub async fn create(State(st): State<SharedState>, auth: PageAuth, f: FormData) -> Result<Response, PageError> {
    let input = input_of(&f);
    match unit::create(&st.db, &auth.caller, &input).await {
        Ok(u) => Ok(redirect_with_flash(BASE, &format!("已新增“{}”", u.name))),
        Err(e) => {
            let (form, status) = refused(e, unit_form(&st, &auth, None, &input).await?)?;
            Ok(form_page(&st, &auth, "system", form, status).await)
        }
    }
}

pub async fn edit_form(State(st): State<SharedState>, auth: PageAuth, Path(id): Path<i32>) -> Result<Response, PageError> {
    auth.caller.require("org.edit")?;
    let u = unit::get(&st.db.conn, &auth.caller, id).await?;
    let input = OrgUnitInput { parent_id: u.parent_id, kind: u.kind, name: u.name, code: u.code, sort_order: Some(u.sort_order) };
    let form = unit_form(&st, &auth, Some(id), &input).await?.version(u.version);
    Ok(form_page(&st, &auth, "system", form, StatusCode::OK).await)
}

pub async fn update(State(st): State<SharedState>, auth: PageAuth, Path(id): Path<i32>, f: FormData) -> Result<Response, PageError> {
    let input = input_of(&f);
    match unit::update(&st.db, &auth.caller, id, f.version(), &input).await {
        Ok(u) => Ok(redirect_with_flash(BASE, &format!("已保存“{}”", u.name))),
        Err(e) => {
            let (form, status) = refused(e, unit_form(&st, &auth, Some(id), &input).await?.version(f.version()))?;
            Ok(form_page(&st, &auth, "system", form, status).await)
        }
    }
}

async fn move_view(
    st: &SharedState,
    auth: &PageAuth,
    u: &app::org::unit::OrgUnit,
    selected: Option<i32>,
    version: i32,
) -> Result<FormView, AppError> {
    let options = parent_options(st, auth, selected, Some(&u.path)).await?;
    let mut form = FormView::new(
        &format!("移动“{}”", u.name),
        format!("{BASE}/{}/move", u.id),
        BASE,
        vec![Section::new(
            "",
            vec![Field::new("select", "parent_id", "新的上级组织", "").required().options(options).hint("下级组织、项目和用户随之移动")],
        )],
    )
    .version(version);
    form.submit_label = "确认移动".into();
    Ok(form)
}

pub async fn move_form(State(st): State<SharedState>, auth: PageAuth, Path(id): Path<i32>) -> Result<Response, PageError> {
    auth.caller.require("org.edit")?;
    let u = unit::get(&st.db.conn, &auth.caller, id).await?;
    let form = move_view(&st, &auth, &u, u.parent_id, u.version).await?;
    Ok(form_page(&st, &auth, "system", form, StatusCode::OK).await)
}

pub async fn move_submit(State(st): State<SharedState>, auth: PageAuth, Path(id): Path<i32>, f: FormData) -> Result<Response, PageError> {
    let target = f.int("parent_id");
    let result = match target {
        Some(p) => unit::move_to(&st.db, &auth.caller, id, f.version(), p).await,
        None => Err(AppError::field("parent_id", "请选择新的上级组织")),
    };
    match result {
        Ok(u) => Ok(redirect_with_flash(BASE, &format!("已移动“{}”", u.name))),
        Err(e) => {
            let u = unit::get(&st.db.conn, &auth.caller, id).await?;
            let (form, status) = refused(e, move_view(&st, &auth, &u, target, f.version()).await?)?;
            Ok(form_page(&st, &auth, "system", form, status).await)
        }
    }
}

pub async fn enable(State(st): State<SharedState>, auth: PageAuth, Path(id): Path<i32>, f: FormData) -> Result<Response, PageError> {
    let r = unit::set_enabled(&st.db, &auth.caller, id, f.version(), true).await.map(|u| format!("已启用“{}”", u.name));
    state_change(BASE, r)
}

pub async fn disable(State(st): State<SharedState>, auth: PageAuth, Path(id): Path<i32>, f: FormData) -> Result<Response, PageError> {
    let r = unit::set_enabled(&st.db, &auth.caller, id, f.version(), false).await.map(|u| format!("已禁用“{}”", u.name));
    state_change(BASE, r)
}

pub async fn delete(State(st): State<SharedState>, auth: PageAuth, Path(id): Path<i32>, f: FormData) -> Result<Response, PageError> {
    let r = unit::delete(&st.db, &auth.caller, id, f.version()).await.map(|_| "已删除".to_string());
    state_change(BASE, r)
}
