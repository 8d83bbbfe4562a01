//! Room list and room forms (PRP-2).

use app::{
    property::{
        building, project,
        room::{self, RoomFilter, RoomInput, RoomView},
    },
    PageRequest,
};
use axum::{
    extract::{Path, Query, State},
    http::StatusCode,
    response::Response,
};
use domain::property::{Area, RoomStatus, RoomType};
use serde::Deserialize;

use super::buildings::{room_status_options, room_type_options};
use crate::{
    auth::{redirect_with_flash, PageAuth},
    error::PageError,
    form::FormData,
    shell::{form_page, list_page, refused, ListMode},
    view::{Cell, Field, FilterField, FormView, ListView, Row, RowAction, Section},
    SharedState,
};

const BASE: &str = "/property/rooms";

#[derive(Debug, Deserialize, Default)]
pub struct ListQuery {
    #[serde(default)]
    project_id: Option<String>,
    #[serde(default)]
    building_id: Option<String>,
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    room_type: Option<String>,
}

fn status_colour(status: &str) -> &'static str {
    match status {
        "occupied" => "green",
        "renovating" => "orange",
        "vacant" => "blue",
        _ => "grey",
    }
}

fn row(r: &RoomView, can_edit: bool) -> Row {
    Row {
        cells: vec![
            Cell::link(&r.room.code, format!("{BASE}/{}", r.room.id)),
            Cell::text(&r.project_name),
            Cell::text(&r.building_name),
            Cell::text(&r.unit),
            Cell { right: true, ..Cell::text(r.room.floor.to_string()) },
            Cell { right: true, ..Cell::text(&r.building_area_text) },
            Cell { right: true, ..Cell::text(&r.inner_area_text) },
            Cell::text(r.room_type_label),
            Cell::tag(r.status_label, status_colour(&r.room.status)),
            Cell::text(r.room.delivery_date.map(|d| d.to_string()).unwrap_or_default()),
        ],
        actions: {
            let mut a = vec![RowAction::get("查看", format!("{BASE}/{}", r.room.id))];
            if can_edit {
                a.push(RowAction::get("编辑", format!("{BASE}/{}/edit", r.room.id)));
            }
            a
        },
    }
}

pub async fn list(
    State(st): State<SharedState>,
    auth: PageAuth,
    Query(req): Query<PageRequest>,
    Query(q): Query<ListQuery>,
    mode: ListMode,
) -> Result<Response, PageError> {
    let req = mode.prepare(&auth.caller, "property.export", req)?;
    let id = |v: &Option<String>| v.as_deref().and_then(|s| s.parse::<i32>().ok());
    let filter = RoomFilter {
        project_id: id(&q.project_id),
        building_id: id(&q.building_id),
        status: q.status.clone(),
        room_type: q.room_type.clone(),
    };
    let mut l = ListView::new(
        "房间",
        BASE,
        &req,
        &[
            ("project_id", q.project_id.clone()),
            ("building_id", q.building_id.clone()),
            ("status", q.status.clone()),
            ("room_type", q.room_type.clone()),
        ],
    );
    l.search_hint = "房间代码，如 C3-1-0301".into();
    let projects = project::in_scope(&st.db, &auth.caller).await?;
    l.filters.push(FilterField::select(
        "project_id",
        "项目",
        q.project_id.clone(),
        projects.iter().map(|p| (p.id.to_string(), p.name.clone())).collect(),
    ));
    if let Some(p) = filter.project_id {
        let buildings = building::list(&st.db, &auth.caller, p).await?;
        l.filters.push(FilterField::select(
            "building_id",
            "楼栋",
            q.building_id.clone(),
            buildings.iter().map(|b| (b.building.id.to_string(), b.building.name.clone())).collect(),
        ));
    }
    l.filters.push(FilterField::select(
        "status",
        "状态",
        q.status.clone(),
        RoomStatus::ALL.iter().map(|s| (s.code().to_string(), s.label().to_string())).collect(),
    ));
    l.advanced.push(FilterField::select(
        "room_type",
        "类型",
        q.room_type.clone(),
        RoomType::ALL.iter().map(|t| (t.code().to_string(), t.label().to_string())).collect(),
    ));
    l.advanced_open = q.room_type.as_deref().is_some_and(|s| !s.is_empty());
    if auth.caller.can("property.export") {
        l.export(&format!("{BASE}/export"));
    }
    l.column("房间代码", Some("code"), false)
        .column("项目", None, false)
        .column("楼栋", None, false)
        .column("单元", None, false)
        .column("楼层", Some("floor"), true)
        .column("建筑面积㎡", Some("building_area"), true)
        .column("套内面积㎡", None, true)
        .column("类型", None, false)
        .column("状态", None, false)
        .column("交付日期", None, false);
    let can_edit = auth.caller.can("property.edit");
    let found = room::list_each(&st.db, &auth.caller, &req, &filter, |views| l.extend(views, |r| row(r, can_edit))).await?;
    l.finish(found);
    l.empty_hint = "没有符合条件的房间。可在项目的楼栋中“批量生成房间”".into();
    Ok(list_page(&st, &auth, "property", l, mode.export).await)
}

fn room_form(id: Option<i32>, building_id: i32, input: &RoomInput) -> FormView {
    let sections = vec![
        Section::new(
            "基本信息",
            vec![
                Field::new("text", "code", "房间代码", input.code.clone()).required().hint("项目内唯一，如 C3-1-0301"),
                Field::new("text", "unit", "单元", input.unit.clone()),
                Field::new("number", "floor", "楼层", "").required(),
                Field::new("select", "room_type", "房间类型", "").required().options(room_type_options(&input.room_type)),
                Field::new("select", "status", "房间状态", "").required().options(room_status_options(&input.status)),
                Field::new("date", "delivery_date", "交付日期", input.delivery_date.clone()),
            ],
        ),
        Section::new(
            "面积",
            vec![
                Field::new("text", "building_area", "建筑面积（㎡）", input.building_area.clone()).example("如 89.25"),
                Field::new("text", "inner_area", "套内面积（㎡）", input.inner_area.clone()).example("如 72.10"),
                Field::new("text", "remarks", "备注", input.remarks.clone()),
            ],
        ),
    ];
    let mut form = match id {
        Some(id) => FormView::new("编辑房间", format!("{BASE}/{id}/edit"), BASE, sections),
        None => FormView::new("新增房间", format!("{BASE}/new?building_id={building_id}"), BASE, sections),
    };
    if let Some(f) = form.sections[0].fields.iter_mut().find(|f| f.name == "floor") {
        f.value = input.floor.map(|n| n.to_string()).unwrap_or_default();
    }
    form
}

fn input_of(f: &FormData, building_id: i32) -> RoomInput {
    RoomInput {
        building_id: Some(building_id),
        unit: f.get("unit"),
        code: f.get("code"),
        floor: f.int("floor"),
        building_area: f.get("building_area"),
        inner_area: f.get("inner_area"),
        room_type: f.get("room_type"),
        status: f.get("status"),
        delivery_date: f.get("delivery_date"),
        remarks: f.get("remarks"),
    }
}

#[derive(Deserialize)]
pub struct BuildingQuery {
    building_id: Option<i32>,
}

pub async fn new_form(State(st): State<SharedState>, auth: PageAuth, Query(q): Query<BuildingQuery>) -> Result<Response, PageError> {
    auth.caller.require("property.create")?;
    let b = building::get(&st.db.conn, &auth.caller, q.building_id.unwrap_or_default()).await?;
    let input =
        RoomInput { room_type: RoomType::Residential.code().into(), status: RoomStatus::Unsold.code().into(), ..Default::default() };
    Ok(form_page(&st, &auth, "property", room_form(None, b.id, &input), StatusCode::OK).await)
}

pub async fn create(
    State(st): State<SharedState>,
    auth: PageAuth,
    Query(q): Query<BuildingQuery>,
    f: FormData,
) -> Result<Response, PageError> {
    let building_id = q.building_id.unwrap_or_default();
    let input = input_of(&f, building_id);
    match room::create(&st.db, &auth.caller, &input).await {
        Ok(r) => Ok(redirect_with_flash(
            &format!("{BASE}?project_id={}&building_id={}", r.project_id, r.building_id),
            &format!("已新增房间 {}", r.code),
        )),
        Err(e) => {
            let (form, status) = refused(e, room_form(None, building_id, &input))?;
            Ok(form_page(&st, &auth, "property", form, status).await)
        }
    }
}

pub async fn edit_form(State(st): State<SharedState>, auth: PageAuth, Path(id): Path<i32>) -> Result<Response, PageError> {
    auth.caller.require("property.edit")?;
    let r = room::get(&st.db, &auth.caller, id).await?;
    let input = RoomInput {
        building_id: Some(r.room.building_id),
        unit: r.unit.clone(),
        code: r.room.code.clone(),
        floor: Some(r.room.floor),
        building_area: Area(r.room.building_area).to_string(),
        inner_area: Area(r.room.inner_area).to_string(),
        room_type: r.room.room_type.clone(),
        status: r.room.status.clone(),
        delivery_date: r.room.delivery_date.map(|d| d.to_string()).unwrap_or_default(),
        remarks: r.room.remarks.clone(),
    };
    Ok(form_page(&st, &auth, "property", room_form(Some(id), r.room.building_id, &input).version(r.room.version), StatusCode::OK).await)
}

pub async fn update(State(st): State<SharedState>, auth: PageAuth, Path(id): Path<i32>, f: FormData) -> Result<Response, PageError> {
    let existing = room::get_model(&st.db.conn, &auth.caller, id).await?;
    let input = input_of(&f, existing.building_id);
    match room::update(&st.db, &auth.caller, id, f.version(), &input).await {
        Ok(r) => Ok(redirect_with_flash(&format!("{BASE}?project_id={}&building_id={}", r.project_id, r.building_id), "已保存")),
        Err(e) => {
            let (form, status) = refused(e, room_form(Some(id), existing.building_id, &input).version(f.version()))?;
            Ok(form_page(&st, &auth, "property", form, status).await)
        }
    }
}
