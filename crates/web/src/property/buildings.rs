//! Project page with its buildings, building forms, batch room generation.

use app::{
    org::unit,
    property::{
        building::{self, BuildingInput, BuildingView},
        project,
        room::{self, BatchInput, BatchPlan, RoomInput},
    },
    AppError,
};
use askama::Template;
use axum::{
    extract::{Path, Query, State},
    http::StatusCode,
    response::Response,
};
use domain::property::{Area, RoomStatus, RoomType};
use serde::Deserialize;

use crate::{
    auth::{redirect_with_flash, PageAuth},
    error::PageError,
    form::FormData,
    shell::{form_page, refused, render, shell, Shell},
    view::{Field, FormView, Section, SelectOption},
    SharedState,
};

#[derive(Template)]
#[template(path = "property/project.html")]
struct ProjectPage {
    shell: Shell,
    p: app::property::project::Project,
    office: String,
    area: String,
    buildings: Vec<BuildingView>,
    room_total: u64,
    can_create: bool,
    can_edit: bool,
}

pub async fn project_page(State(st): State<SharedState>, auth: PageAuth, Path(id): Path<i32>) -> Result<Response, PageError> {
    let p = project::get(&st.db.conn, &auth.caller, id).await?;
    let buildings = building::list(&st.db, &auth.caller, id).await?;
    let page = ProjectPage {
        shell: shell(&st, &auth, "property", &p.name).await,
        office: unit::name_of(&st.db, p.org_unit_id).await?,
        area: Area(p.total_area).to_string(),
        room_total: buildings.iter().map(|b| b.rooms).sum(),
        buildings,
        can_create: auth.caller.can("property.create"),
        can_edit: auth.caller.can("property.edit"),
        p,
    };
    Ok(render(&page, auth.flash.is_some()))
}

fn building_form(id: Option<i32>, input: &BuildingInput) -> FormView {
    let project = input.project_id.unwrap_or_default();
    let fields = vec![
        Field::new("text", "code", "楼栋编码", input.code.clone()).required().hint("如 C3，用于生成房间代码"),
        Field::new("text", "name", "楼栋名称", input.name.clone()).example("如 C3 栋，留空同编码"),
        Field::new("number", "floors_above", "地上层数", input.floors_above.map(|n| n.to_string()).unwrap_or_default()),
        Field::new("number", "floors_below", "地下层数", input.floors_below.map(|n| n.to_string()).unwrap_or_default()),
    ];
    let back = format!("/property/projects/{project}");
    match id {
        Some(id) => FormView::new("编辑楼栋", format!("/property/buildings/{id}/edit"), &back, vec![Section::new("楼栋信息", fields)]),
        None => FormView::new(
            "新增楼栋",
            format!("/property/buildings/new?project_id={project}"),
            &back,
            vec![Section::new("楼栋信息", fields)],
        ),
    }
}

fn building_input(f: &FormData, project_id: Option<i32>) -> BuildingInput {
    BuildingInput {
        project_id,
        code: f.get("code"),
        name: f.get("name"),
        floors_above: f.int("floors_above"),
        floors_below: f.int("floors_below"),
    }
}

#[derive(Deserialize)]
pub struct ProjectQuery {
    project_id: Option<i32>,
}

pub async fn new_form(State(st): State<SharedState>, auth: PageAuth, Query(q): Query<ProjectQuery>) -> Result<Response, PageError> {
    auth.caller.require("property.create")?;
    let p = project::get(&st.db.conn, &auth.caller, q.project_id.unwrap_or_default()).await?;
    let input = BuildingInput { project_id: Some(p.id), ..Default::default() };
    Ok(form_page(&st, &auth, "property", building_form(None, &input), StatusCode::OK).await)
}

pub async fn create(
    State(st): State<SharedState>,
    auth: PageAuth,
    Query(q): Query<ProjectQuery>,
    f: FormData,
) -> Result<Response, PageError> {
    let input = building_input(&f, q.project_id);
    match building::create(&st.db, &auth.caller, &input).await {
        Ok(b) => Ok(redirect_with_flash(&format!("/property/projects/{}", b.project_id), &format!("已新增楼栋 {}", b.name))),
        Err(e) => {
            let (form, status) = refused(e, building_form(None, &input))?;
            Ok(form_page(&st, &auth, "property", form, status).await)
        }
    }
}

pub async fn edit_form(State(st): State<SharedState>, auth: PageAuth, Path(id): Path<i32>) -> Result<Response, PageError> {
    auth.caller.require("property.edit")?;
    let b = building::get(&st.db.conn, &auth.caller, id).await?;
    let input = BuildingInput {
        project_id: Some(b.project_id),
        code: b.code.clone(),
        name: b.name.clone(),
        floors_above: Some(b.floors_above),
        floors_below: Some(b.floors_below),
    };
    Ok(form_page(&st, &auth, "property", building_form(Some(id), &input).version(b.version), StatusCode::OK).await)
}

pub async fn update(State(st): State<SharedState>, auth: PageAuth, Path(id): Path<i32>, f: FormData) -> Result<Response, PageError> {
    let existing = building::get(&st.db.conn, &auth.caller, id).await?;
    let input = building_input(&f, Some(existing.project_id));
    match building::update(&st.db, &auth.caller, id, f.version(), &input).await {
        Ok(b) => Ok(redirect_with_flash(&format!("/property/projects/{}", b.project_id), "已保存")),
        Err(e) => {
            let (form, status) = refused(e, building_form(Some(id), &input).version(f.version()))?;
            Ok(form_page(&st, &auth, "property", form, status).await)
        }
    }
}

/// Room type and status pickers shared by room forms and batches.
pub fn room_type_options(selected: &str) -> Vec<SelectOption> {
    RoomType::ALL.into_iter().map(|t| SelectOption::new(t.code(), t.label(), t.code() == selected)).collect()
}

pub fn room_status_options(selected: &str) -> Vec<SelectOption> {
    RoomStatus::ALL.into_iter().map(|s| SelectOption::new(s.code(), s.label(), s.code() == selected)).collect()
}

/// The batch form's fields, as (name, value) pairs, to carry from preview to
/// commit.
fn batch_fields(input: &BatchInput) -> Vec<(String, String)> {
    let num = |v: Option<i32>| v.map(|n| n.to_string()).unwrap_or_default();
    let d = &input.defaults;
    [
        ("units", input.units.clone()),
        ("floor_from", num(input.floor_from)),
        ("floor_to", num(input.floor_to)),
        ("rooms_per_floor", num(input.rooms_per_floor)),
        ("skip_floors", input.skip_floors.clone()),
        ("pattern", input.pattern.clone()),
        ("building_area", d.building_area.clone()),
        ("inner_area", d.inner_area.clone()),
        ("room_type", d.room_type.clone()),
        ("status", d.status.clone()),
        ("delivery_date", d.delivery_date.clone()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect()
}

fn batch_form(b: &building::Building, input: &BatchInput) -> FormView {
    let v = |k: &str| batch_fields(input).into_iter().find(|(n, _)| n == k).map(|(_, v)| v).unwrap_or_default();
    let mut form = FormView::new(
        &format!("批量生成房间：{}", b.name),
        format!("/property/buildings/{}/generate", b.id),
        &format!("/property/projects/{}", b.project_id),
        vec![
            Section::new(
                "楼层与单元",
                vec![
                    Field::new("text", "units", "单元", v("units")).hint("多个单元用逗号分隔，如 1,2；没有单元留空"),
                    Field::new("text", "pattern", "命名规则", v("pattern")).required(),
                    Field::new("number", "floor_from", "起始楼层", v("floor_from")).required(),
                    Field::new("number", "floor_to", "结束楼层", v("floor_to")).required(),
                    Field::new("number", "rooms_per_floor", "每层户数", v("rooms_per_floor")).required(),
                    Field::new("text", "skip_floors", "跳过楼层", v("skip_floors")).hint("如 4,13,14（不设该楼层）"),
                ],
            ),
            Section::new(
                "房间默认值",
                vec![
                    Field::new("text", "building_area", "建筑面积（㎡）", v("building_area")).example("如 89.25"),
                    Field::new("text", "inner_area", "套内面积（㎡）", v("inner_area")).example("如 72.10"),
                    Field::new("select", "room_type", "房间类型", "").required().options(room_type_options(&input.defaults.room_type)),
                    Field::new("select", "status", "房间状态", "").required().options(room_status_options(&input.defaults.status)),
                    Field::new("date", "delivery_date", "交付日期", v("delivery_date")),
                ],
            ),
        ],
    );
    form.submit_label = "预览".into();
    form
}

fn batch_input(f: &FormData, building_id: i32) -> BatchInput {
    BatchInput {
        building_id: Some(building_id),
        units: f.get("units"),
        floor_from: f.int("floor_from"),
        floor_to: f.int("floor_to"),
        rooms_per_floor: f.int("rooms_per_floor"),
        skip_floors: f.get("skip_floors"),
        pattern: f.get("pattern"),
        defaults: RoomInput {
            building_area: f.get("building_area"),
            inner_area: f.get("inner_area"),
            room_type: f.get("room_type"),
            status: f.get("status"),
            delivery_date: f.get("delivery_date"),
            ..Default::default()
        },
    }
}

#[derive(Template)]
#[template(path = "property/generate.html")]
struct GeneratePage {
    shell: Shell,
    form: FormView,
    project_id: i32,
    building_id: i32,
    plan: Option<BatchPlan>,
    rows: Vec<(String, String, i32, i32, bool)>,
    hidden: Vec<(String, String)>,
}

async fn generate_page(
    st: &SharedState,
    auth: &PageAuth,
    b: &building::Building,
    form: FormView,
    plan: Option<BatchPlan>,
    input: &BatchInput,
    status: StatusCode,
) -> Response {
    let rows = plan
        .as_ref()
        .map(|p| p.rooms.iter().take(300).map(|r| (r.code.clone(), r.unit.clone(), r.floor, r.no, p.existing.contains(&r.code))).collect())
        .unwrap_or_default();
    let page = GeneratePage {
        shell: shell(st, auth, "property", &form.title).await,
        form,
        project_id: b.project_id,
        building_id: b.id,
        plan,
        rows,
        hidden: batch_fields(input),
    };
    let mut r = render(&page, auth.flash.is_some());
    *r.status_mut() = status;
    r
}

pub async fn generate_form(State(st): State<SharedState>, auth: PageAuth, Path(id): Path<i32>) -> Result<Response, PageError> {
    auth.caller.require("property.create")?;
    let b = building::get(&st.db.conn, &auth.caller, id).await?;
    let input = BatchInput {
        building_id: Some(id),
        units: "1".into(),
        floor_from: Some(1),
        floor_to: Some(b.floors_above.max(1)),
        rooms_per_floor: Some(4),
        skip_floors: "4,13,14".into(),
        pattern: "{building}-{unit}-{floor:02}{no:02}".into(),
        defaults: RoomInput {
            room_type: RoomType::Residential.code().into(),
            status: RoomStatus::Unsold.code().into(),
            ..Default::default()
        },
    };
    Ok(generate_page(&st, &auth, &b, batch_form(&b, &input), None, &input, StatusCode::OK).await)
}

/// `action=preview` shows the plan; `action=commit` creates the rooms.
pub async fn generate_submit(
    State(st): State<SharedState>,
    auth: PageAuth,
    Path(id): Path<i32>,
    f: FormData,
) -> Result<Response, PageError> {
    let b = building::get(&st.db.conn, &auth.caller, id).await?;
    let input = batch_input(&f, id);
    let result = if f.get("action") == "commit" {
        match room::commit_batch(&st.db, &auth.caller, &input).await {
            Ok(n) => return Ok(redirect_with_flash(&format!("/property/projects/{}", b.project_id), &format!("已生成 {n} 间房"))),
            Err(e) => Err(e),
        }
    } else {
        room::preview_batch(&st.db, &auth.caller, &input).await
    };
    match result {
        Ok(plan) => Ok(generate_page(&st, &auth, &b, batch_form(&b, &input), Some(plan), &input, StatusCode::OK).await),
        Err(e) if matches!(e, AppError::Validation(_) | AppError::Conflict(_)) => {
            let (form, status) = refused(e, batch_form(&b, &input))?;
            Ok(generate_page(&st, &auth, &b, form, None, &input, status).await)
        }
        Err(e) => Err(e.into()),
    }
}
