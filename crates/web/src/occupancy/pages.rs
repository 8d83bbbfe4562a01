use app::{
    customer::record,
    entity::occupancy as occ_e,
    occupancy::{self, HandoverInput, MoveInInput, MoveOutInput, RoomCustomerFilter, RoomCustomers, RoomOccupancy},
    property::{project, room},
    settings, AppError, PageRequest,
};
use askama::Template;
use axum::{
    extract::{Path, Query, State},
    http::StatusCode,
    response::Response,
};
use chrono::Utc;
use domain::occupancy::OccupantRole;
use serde::Deserialize;

use crate::{
    auth::{redirect_with_flash, PageAuth},
    error::PageError,
    form::FormData,
    shell::{form_page, list_page, refused, render, shell, ListMode, Shell},
    view::{Cell, Field, FilterField, FormView, ListView, Row, RowAction, Section, SelectOption},
    SharedState,
};

#[derive(Template)]
#[template(path = "occupancy/room.html")]
struct RoomPage {
    shell: Shell,
    r: room::RoomView,
    occ: RoomOccupancy,
    can_occupy: bool,
    can_edit: bool,
}

pub async fn room_page(State(st): State<SharedState>, auth: PageAuth, Path(id): Path<i32>) -> Result<Response, PageError> {
    let r = room::get(&st.db, &auth.caller, id).await?;
    let occ = occupancy::of_room(&st.db, &auth.caller, id).await?;
    let page = RoomPage {
        shell: shell(&st, &auth, "property", &format!("房间 {}", r.room.code)).await,
        r,
        occ,
        can_occupy: auth.caller.can("occupancy.create"),
        can_edit: auth.caller.can("property.edit"),
    };
    Ok(render(&page, auth.flash.is_some()))
}

#[derive(Deserialize)]
pub struct RoomQuery {
    room_id: Option<i32>,
}

/// The room of a form, with its management office for customer lookup.
async fn room_of(st: &SharedState, auth: &PageAuth, room_id: Option<i32>) -> Result<(room::RoomView, i32), AppError> {
    room::with_office(&st.db, &auth.caller, room_id.unwrap_or_default()).await
}

/// Resolves the typed customer code within the room's office.
async fn customer_id(st: &SharedState, auth: &PageAuth, office: i32, code: &str) -> Result<Option<i32>, AppError> {
    Ok(record::by_code(&st.db.conn, &auth.caller, office, code).await?.map(|c| c.id))
}

fn customer_field(code: &str) -> Field {
    let mut f = Field::new("text", "customer_code", "客户编号", code)
        .required()
        .suggest("/api/v1/customers")
        .hint("输入客户编号、姓名或手机号后四位，从下拉建议中选择");
    f.example = "如 C3-1-0301".into();
    f
}

/// Today in the company's zone, for date fields' defaults.
fn today(tz: chrono_tz::Tz) -> String {
    Utc::now().with_timezone(&tz).date_naive().to_string()
}

fn handover_view(r: &room::RoomView, code: &str, input: &HandoverInput) -> FormView {
    let mut form = FormView::new(
        &format!("入伙登记：{}", r.room.code),
        format!("/occupancy/handover/new?room_id={}", r.room.id),
        &format!("/property/rooms/{}", r.room.id),
        vec![
            Section::new(
                "业主与单据",
                vec![
                    customer_field(code),
                    Field::new("date", "date", "入伙日期", input.date.clone()).required(),
                    Field::new("text", "contract_no", "购房合同号", input.contract_no.clone()),
                    Field::new("text", "document_no", "入伙单号", input.document_no.clone()),
                ],
            ),
            Section::new(
                "验收与迁出",
                vec![
                    Field::new("textarea", "notes", "业主验收意见", input.notes.clone()),
                    Field::new("bool", "move_out_others", "原住用人", if input.move_out_others { "1" } else { "" })
                        .hint("原有业主、租户、住户全部迁出（默认）；不勾选则只替换原业主"),
                ],
            ),
        ],
    );
    form.submit_label = "确认入伙".into();
    form
}

pub async fn handover_form(State(st): State<SharedState>, auth: PageAuth, Query(q): Query<RoomQuery>) -> Result<Response, PageError> {
    auth.caller.require("occupancy.create")?;
    let (r, _) = room_of(&st, &auth, q.room_id).await?;
    let input = HandoverInput { date: today(st.tz), move_out_others: true, ..Default::default() };
    Ok(form_page(&st, &auth, "property", handover_view(&r, &r.room.code, &input), StatusCode::OK).await)
}

pub async fn handover_submit(
    State(st): State<SharedState>,
    auth: PageAuth,
    Query(q): Query<RoomQuery>,
    f: FormData,
) -> Result<Response, PageError> {
    let (r, office) = room_of(&st, &auth, q.room_id).await?;
    let code = f.get("customer_code");
    let input = HandoverInput {
        room_id: Some(r.room.id),
        customer_id: customer_id(&st, &auth, office, &code).await?,
        contract_no: f.get("contract_no"),
        document_no: f.get("document_no"),
        date: f.get("date"),
        notes: f.get("notes"),
        move_out_others: f.checked("move_out_others"),
    };
    let result = match input.customer_id {
        Some(_) => occupancy::handover(&st.db, &auth.caller, &input).await,
        None => Err(AppError::field("customer_code", format!("本管理处没有客户编号 {code}，请先新增客户"))),
    };
    match result {
        Ok(h) => Ok(redirect_with_flash(&format!("/property/rooms/{}", r.room.id), &format!("已办理入伙 {}", h.number))),
        Err(e) => {
            let e = rename_customer_error(e);
            let (form, status) = refused(e, handover_view(&r, &code, &input))?;
            Ok(form_page(&st, &auth, "property", form, status).await)
        }
    }
}

/// Errors about the customer id belong beside the code the user typed.
fn rename_customer_error(e: AppError) -> AppError {
    match e {
        AppError::Validation(errors) => {
            let mut out = domain::FieldErrors::new();
            for (k, v) in errors.iter() {
                out.add(if k == "customer_id" { "customer_code" } else { k }, v.clone());
            }
            AppError::Validation(out)
        }
        other => other,
    }
}

fn role_options(selected: &str) -> Vec<SelectOption> {
    OccupantRole::ALL.into_iter().map(|r| SelectOption::new(r.code(), r.label(), r.code() == selected)).collect()
}

fn move_in_view(r: &room::RoomView, code: &str, input: &MoveInInput) -> FormView {
    let mut form = FormView::new(
        &format!("客户迁入：{}", r.room.code),
        format!("/occupancy/move-in/new?room_id={}", r.room.id),
        &format!("/property/rooms/{}", r.room.id),
        vec![
            Section::new(
                "迁入信息",
                vec![
                    customer_field(code),
                    Field::new("select", "role", "迁入身份", "")
                        .required()
                        .options(role_options(&input.role))
                        .hint("以业主迁入替换原业主，租户替换原租户，住户替换原住户"),
                    Field::new("date", "date", "迁入日期", input.date.clone()).required(),
                ],
            ),
            Section::new(
                "租期（租户必填）",
                vec![
                    Field::new("date", "lease_start", "租期开始", input.lease_start.clone()),
                    Field::new("date", "lease_end", "租期结束", input.lease_end.clone()),
                ],
            ),
        ],
    );
    form.submit_label = "确认迁入".into();
    form
}

pub async fn move_in_form(State(st): State<SharedState>, auth: PageAuth, Query(q): Query<RoomQuery>) -> Result<Response, PageError> {
    auth.caller.require("occupancy.create")?;
    let (r, _) = room_of(&st, &auth, q.room_id).await?;
    let input = MoveInInput { role: OccupantRole::Tenant.code().into(), date: today(st.tz), ..Default::default() };
    Ok(form_page(&st, &auth, "property", move_in_view(&r, "", &input), StatusCode::OK).await)
}

pub async fn move_in_submit(
    State(st): State<SharedState>,
    auth: PageAuth,
    Query(q): Query<RoomQuery>,
    f: FormData,
) -> Result<Response, PageError> {
    let (r, office) = room_of(&st, &auth, q.room_id).await?;
    let code = f.get("customer_code");
    let input = MoveInInput {
        room_id: Some(r.room.id),
        customer_id: customer_id(&st, &auth, office, &code).await?,
        role: f.get("role"),
        date: f.get("date"),
        lease_start: f.get("lease_start"),
        lease_end: f.get("lease_end"),
    };
    let result = match input.customer_id {
        Some(_) => occupancy::move_in(&st.db, &auth.caller, &input).await,
        None => Err(AppError::field("customer_code", format!("本管理处没有客户编号 {code}，请先新增客户"))),
    };
    match result {
        Ok(h) => {
            Ok(redirect_with_flash(&format!("/property/rooms/{}", r.room.id), &format!("{} 已以{}身份迁入", h.customer_name, h.role_label)))
        }
        Err(e) => {
            let (form, status) = refused(rename_customer_error(e), move_in_view(&r, &code, &input))?;
            Ok(form_page(&st, &auth, "property", form, status).await)
        }
    }
}

async fn occupancy_of(st: &SharedState, auth: &PageAuth, id: i32) -> Result<occ_e::Model, AppError> {
    occupancy::get(&st.db, &auth.caller, id).await
}

async fn move_out_view(
    st: &SharedState,
    auth: &PageAuth,
    o: &occ_e::Model,
    input: &MoveOutInput,
    version: i32,
) -> Result<FormView, AppError> {
    let reasons = match auth.caller.default_company() {
        Some(c) => settings::options(&st.db, c, "moveout_reason").await?,
        None => vec![],
    };
    let reason_options = reasons.into_iter().map(|r| SelectOption::new(&r, r.clone(), r == input.reason)).collect();
    let mut form = FormView::new(
        "客户迁出",
        format!("/occupancy/{}/move-out", o.id),
        &format!("/property/rooms/{}", o.room_id),
        vec![Section::new(
            "迁出信息",
            vec![
                Field::new("date", "date", "迁出日期", input.date.clone()).required(),
                Field::new("select", "reason", "迁出原因", "").required().options(reason_options),
            ],
        )],
    )
    .version(version);
    form.submit_label = "确认迁出".into();
    Ok(form)
}

pub async fn move_out_form(State(st): State<SharedState>, auth: PageAuth, Path(id): Path<i32>) -> Result<Response, PageError> {
    auth.caller.require("occupancy.create")?;
    let o = occupancy_of(&st, &auth, id).await?;
    let form = move_out_view(&st, &auth, &o, &MoveOutInput { date: today(st.tz), reason: String::new() }, o.version).await?;
    Ok(form_page(&st, &auth, "property", form, StatusCode::OK).await)
}

pub async fn move_out_submit(
    State(st): State<SharedState>,
    auth: PageAuth,
    Path(id): Path<i32>,
    f: FormData,
) -> Result<Response, PageError> {
    let o = occupancy_of(&st, &auth, id).await?;
    let input = MoveOutInput { date: f.get("date"), reason: f.get("reason") };
    match occupancy::move_out(&st.db, &auth.caller, id, f.version(), &input).await {
        Ok(h) => Ok(redirect_with_flash(&format!("/property/rooms/{}", o.room_id), &format!("{} 已迁出", h.customer_name))),
        Err(e) => {
            let (form, status) = refused(e, move_out_view(&st, &auth, &o, &input, f.version()).await?)?;
            Ok(form_page(&st, &auth, "property", form, status).await)
        }
    }
}

#[derive(Debug, Deserialize, Default)]
pub struct TableQuery {
    #[serde(default)]
    project_id: Option<String>,
}

/// Projects the 入伙 note names one by one: a group's hundreds would push the
/// table off the screen, so a larger scope sees their total, and a project
/// chosen in the filter its own counts.
const NOTE_PROJECTS: usize = 6;

fn handover_note(counts: &[occupancy::ProjectHandovers]) -> String {
    if counts.len() <= NOTE_PROJECTS {
        let each: Vec<String> = counts.iter().map(|c| format!("{} {}/{}", c.name, c.handed, c.rooms)).collect();
        return format!("已入伙房间：{}", each.join("，"));
    }
    let (handed, rooms) = counts.iter().fold((0, 0), |(h, r), c| (h + c.handed, r + c.rooms));
    format!("已入伙房间：{} 个项目共 {handed}/{rooms}（选择项目查看该项目）", counts.len())
}

pub async fn room_customers(
    State(st): State<SharedState>,
    auth: PageAuth,
    Query(req): Query<PageRequest>,
    Query(q): Query<TableQuery>,
    mode: ListMode,
) -> Result<Response, PageError> {
    let req = mode.prepare(&auth.caller, "occupancy.export", req)?;
    let filter = RoomCustomerFilter { project_id: q.project_id.as_deref().and_then(|p| p.parse().ok()), building_id: None };
    let counts = occupancy::handover_counts(&st.db, &auth.caller, filter.project_id).await?;
    let mut l = ListView::new("房产客户关系一览表", "/occupancy/rooms", &req, &[("project_id", q.project_id.clone())]);
    l.search_hint = "房间代码".into();
    let projects = project::in_scope(&st.db, &auth.caller).await?;
    l.filters.push(FilterField::select(
        "project_id",
        "项目",
        q.project_id.clone(),
        projects.iter().map(|p| (p.id.to_string(), p.name.clone())).collect(),
    ));
    if auth.caller.can("occupancy.export") {
        l.export("/occupancy/rooms/export");
    }
    l.note = handover_note(&counts);
    l.column("房间", None, false)
        .column("状态", None, false)
        .column("业主", None, false)
        .column("租户", None, false)
        .column("住户", None, false)
        .column("收费对象", None, false)
        .column("收费身份", None, false);
    let row = |r: &RoomCustomers| Row {
        cells: vec![
            Cell::link(&r.room_code, format!("/property/rooms/{}", r.room_id)),
            Cell::text(&r.status),
            Cell::text(&r.owner),
            Cell::text(&r.tenant),
            Cell::text(&r.resident),
            Cell::text(&r.billing_party),
            Cell::text(r.billing_role),
        ],
        actions: vec![RowAction::get("查看", format!("/property/rooms/{}", r.room_id))],
    };
    let found = occupancy::room_customers_each(&st.db, &auth.caller, &req, &filter, |part| l.extend(part, row)).await?;
    l.finish(found);
    l.empty_hint = "没有符合条件的房间".into();
    Ok(list_page(&st, &auth, "customer", l, mode.export).await)
}

#[derive(Debug, Deserialize, Default)]
pub struct LeaseQuery {
    #[serde(default)]
    days: Option<String>,
}

pub async fn leases(State(st): State<SharedState>, auth: PageAuth, Query(q): Query<LeaseQuery>) -> Result<Response, PageError> {
    let days = q.days.as_deref().and_then(|d| d.parse::<i64>().ok()).filter(|d| (1..=366).contains(d)).unwrap_or(30);
    let items = occupancy::leases_ending(&st.db, &auth.caller, days, 1000).await?;
    let req = PageRequest { per_page: Some(items.len().max(1) as u64), ..Default::default() };
    let mut l = ListView::new(&format!("租约到期提醒（{days} 天内）"), "/occupancy/leases", &req, &[("days", Some(days.to_string()))]);
    l.filters.push(FilterField::select(
        "days",
        "提前天数",
        Some(days.to_string()),
        [7, 15, 30, 60, 90].iter().map(|d| (d.to_string(), format!("{d} 天"))).collect(),
    ));
    l.column("租户", None, false).column("房间", None, false).column("租期结束", None, false).column("剩余天数", None, true);
    let page = app::Page::all(items);
    l.fill(page, |d: &occupancy::LeaseDue| Row {
        cells: vec![
            Cell::link(&d.customer_name, format!("/customers/{}", d.customer_id)),
            Cell::link(&d.room_code, format!("/property/rooms/{}", d.room_id)),
            Cell::text(d.lease_end.to_string()),
            Cell { right: true, ..Cell::tag(d.days_left.to_string(), if d.days_left <= 7 { "red" } else { "orange" }) },
        ],
        actions: vec![],
    });
    l.empty_hint = format!("{days} 天内没有到期的租约");
    Ok(list_page(&st, &auth, "customer", l, false).await)
}
