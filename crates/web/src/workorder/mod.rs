//! Work orders (服务派工) — queue, my orders, create, the order page with its
//! actions and timeline — pages and API.

pub mod api;
pub mod escalation;

use app::{
    property::{project, room},
    settings,
    workorder::{self, kind_label, priority_label, ActInput, MaterialInput, WorkOrderFilter, WorkOrderInput, WorkOrderView},
    AppError, PageRequest,
};
use askama::Template;
use axum::{
    extract::{Path, Query, State},
    http::StatusCode,
    response::Response,
    routing::{get, post},
    Router,
};
use chrono::Utc;
use domain::{money::Fen, workorder::WorkOrderState};
use serde::Deserialize;

use crate::{
    auth::{redirect_with_flash, PageAuth},
    error::PageError,
    form::FormData,
    shell::{form_page, list_page, refused, render, shell, ListMode, Shell},
    view::{local_time, local_time_opt, Cell, Field, FilterField, FormView, Link, ListView, Row, RowAction, Section, SelectOption},
    SharedState,
};

const BASE: &str = "/workorders";

pub fn routes() -> Router<SharedState> {
    Router::new()
        .route(BASE, get(list))
        .route("/workorders/export", get(list))
        .route("/workorders/new", get(new_form).post(create))
        .route("/workorders/{id}", get(show))
        .route("/workorders/{id}/act", post(act))
        .route("/workorders/{id}/print", get(print))
        .merge(api::routes())
        .merge(escalation::routes())
}

/// State colours of UI.md: waiting blue, in hand orange, done green, closed grey.
fn state_colour(state: &str) -> &'static str {
    match WorkOrderState::from_code(state) {
        Some(WorkOrderState::PendingDispatch | WorkOrderState::WaitingCustomer) => "blue",
        Some(WorkOrderState::Dispatched | WorkOrderState::InProgress) => "orange",
        Some(WorkOrderState::Completed | WorkOrderState::Accepted | WorkOrderState::Visited) => "green",
        Some(WorkOrderState::Voided) => "struck",
        _ => "grey",
    }
}

#[derive(Debug, Deserialize, Default)]
pub struct ListQuery {
    #[serde(default)]
    state: Option<String>,
    #[serde(default)]
    project_id: Option<String>,
    #[serde(default)]
    mine: Option<String>,
}

pub async fn list(
    State(st): State<SharedState>,
    auth: PageAuth,
    Query(req): Query<PageRequest>,
    Query(q): Query<ListQuery>,
    mode: ListMode,
) -> Result<Response, PageError> {
    let req = mode.prepare(&auth.caller, "workorder.export", req)?;
    let mine = q.mine.as_deref() == Some("1");
    let filter = WorkOrderFilter {
        state: q.state.clone(),
        project_id: q.project_id.as_deref().and_then(|p| p.parse().ok()),
        mine,
        customer_id: None,
    };
    let page = workorder::list(&st.db, &auth.caller, &req, &filter).await?;
    let title = if mine { "我的工单" } else { "工单队列" };
    let mut l =
        ListView::new(title, BASE, &req, &[("state", q.state.clone()), ("project_id", q.project_id.clone()), ("mine", q.mine.clone())]);
    l.search_hint = "工单号/内容/电话".into();
    l.filters.push(FilterField::select(
        "state",
        "状态",
        q.state.clone(),
        WorkOrderState::ALL.iter().map(|s| (s.code().to_string(), s.label().to_string())).collect(),
    ));
    let projects = project::in_scope(&st.db, &auth.caller).await?;
    l.filters.push(FilterField::select(
        "project_id",
        "项目",
        q.project_id.clone(),
        projects.iter().map(|p| (p.id.to_string(), p.name.clone())).collect(),
    ));
    if auth.caller.can("workorder.create") {
        l.toolbar.push(Link::new("新建工单", format!("{BASE}/new")));
    }
    if auth.caller.can("workorder.export") {
        l.export(&format!("{BASE}/export"));
    }
    l.column("工单号", None, false)
        .column("状态", None, false)
        .column("紧急", None, false)
        .column("项目", None, false)
        .column("房间/区域", None, false)
        .column("类别", None, false)
        .column("内容", None, false)
        .column("处理人", None, false)
        .column("完成时限", None, false)
        .column("创建时间", None, false);
    let tz = st.tz;
    l.fill(&page, |o: &WorkOrderView| Row {
        cells: vec![
            Cell::link(&o.order.number, format!("{BASE}/{}", o.order.id)),
            Cell::tag(o.state_label, state_colour(&o.order.state)),
            if o.order.priority == "emergency" { Cell::tag("紧急", "red") } else { Cell::text("一般") },
            Cell::text(&o.project_name),
            Cell::text(if o.room_code.is_empty() { &o.order.public_area } else { &o.room_code }),
            Cell::text(&o.order.category),
            Cell::text(&o.order.description),
            Cell::text(&o.assignee_name),
            if o.overdue {
                Cell::tag(local_time_opt(tz, o.order.complete_due), "red")
            } else {
                Cell::text(local_time_opt(tz, o.order.complete_due))
            },
            Cell::text(local_time(tz, o.order.created_at)),
        ],
        actions: vec![RowAction::get("处理", format!("{BASE}/{}", o.order.id))],
    });
    l.empty_hint = if mine { "没有分派给您的工单" } else { "没有符合条件的工单" }.into();
    Ok(list_page(&st, &auth, "workorder", l, mode.export).await)
}

#[derive(Deserialize, Default)]
pub struct NewQuery {
    room_id: Option<i32>,
    customer_id: Option<i32>,
}

async fn order_form(st: &SharedState, auth: &PageAuth, input: &WorkOrderInput) -> Result<FormView, AppError> {
    let categories = match auth.caller.default_company() {
        Some(c) => settings::options(&st.db, c, "service_category").await?,
        None => vec![],
    };
    let channels = match auth.caller.default_company() {
        Some(c) => settings::options(&st.db, c, "channel").await?,
        None => vec![],
    };
    let room_text = match input.room_id {
        Some(r) => room::get(&st.db, &auth.caller, r).await.map(|r| r.room.code).unwrap_or_default(),
        None => String::new(),
    };
    let projects = project::in_scope(&st.db, &auth.caller).await?;
    let opts = |items: Vec<String>, selected: &str| items.into_iter().map(|c| SelectOption::new(&c, c.clone(), c == selected)).collect();
    Ok(FormView::new(
        "新建工单",
        format!("{BASE}/new{}", input.room_id.map(|r| format!("?room_id={r}")).unwrap_or_default()),
        BASE,
        vec![
            Section::new(
                "报修位置",
                vec![
                    Field::new("text", "room", "房间", room_text)
                        .readonly()
                        .hint("从房间页或客户页点“新建工单”带入；公共区域报修请选择项目并填写区域"),
                    Field::new("select", "project_id", "项目", "").options(
                        projects.iter().map(|p| SelectOption::new(p.id, p.name.clone(), Some(p.id) == input.project_id)).collect(),
                    ),
                    Field::new("text", "public_area", "公共区域", input.public_area.clone()).example("如：3栋电梯厅"),
                ],
            ),
            Section::new(
                "报修内容",
                vec![
                    Field::new("select", "category", "服务类别", "").required().options(opts(categories, &input.category)),
                    Field::new("select", "priority", "紧急程度", "").required().options(vec![
                        SelectOption::new("normal", "一般", input.priority != "emergency"),
                        SelectOption::new("emergency", "紧急（30 分钟到场）", input.priority == "emergency"),
                    ]),
                    Field::new("select", "kind", "服务性质", "").required().options(vec![
                        SelectOption::new("internal", "内部/免费", input.kind != "paid"),
                        SelectOption::new("paid", "有偿服务", input.kind == "paid"),
                    ]),
                    Field::new("select", "channel", "来源渠道", "").options(opts(channels, &input.channel)),
                    Field::new("text", "contact_name", "联系人", input.contact_name.clone()).hint("默认为客户本人"),
                    Field::new("text", "contact_phone", "联系电话", input.contact_phone.clone()).hint("默认为客户的第一个电话"),
                    Field::new("textarea", "description", "报修内容", input.description.clone()).required(),
                ],
            ),
        ],
    ))
}

fn input_of(f: &FormData, q: &NewQuery) -> WorkOrderInput {
    WorkOrderInput {
        room_id: q.room_id,
        project_id: f.int("project_id"),
        public_area: f.get("public_area"),
        customer_id: f.int("customer_id").or(q.customer_id),
        category: f.get("category"),
        kind: f.get("kind"),
        priority: f.get("priority"),
        channel: f.get("channel"),
        contact_name: f.get("contact_name"),
        contact_phone: f.get("contact_phone"),
        description: f.get("description"),
        requested_items: f.all("requested_items"),
        appointment_at: f.get("appointment_at"),
        request_token: Some(f.get("request_token")).filter(|t| !t.is_empty()),
    }
}

pub async fn new_form(State(st): State<SharedState>, auth: PageAuth, Query(q): Query<NewQuery>) -> Result<Response, PageError> {
    auth.caller.require("workorder.create")?;
    let input = WorkOrderInput {
        room_id: q.room_id,
        customer_id: q.customer_id,
        kind: "internal".into(),
        priority: "normal".into(),
        ..Default::default()
    };
    let form = order_form(&st, &auth, &input).await?;
    Ok(form_page(&st, &auth, "workorder", form, StatusCode::OK).await)
}

pub async fn create(State(st): State<SharedState>, auth: PageAuth, Query(q): Query<NewQuery>, f: FormData) -> Result<Response, PageError> {
    let input = input_of(&f, &q);
    match workorder::create(&st.db, &auth.caller, st.tz, &input).await {
        Ok(o) => Ok(redirect_with_flash(&format!("{BASE}/{}", o.order.id), &format!("已新建工单 {}", o.order.number))),
        Err(e) => {
            let (form, status) = refused(e, order_form(&st, &auth, &input).await?)?;
            Ok(form_page(&st, &auth, "workorder", form, status).await)
        }
    }
}

#[derive(Template)]
#[template(path = "workorder/show.html")]
struct ShowPage {
    shell: Shell,
    o: WorkOrderView,
    state_colour: &'static str,
    kind: &'static str,
    response_due: String,
    complete_due: String,
    remaining: String,
    remaining_colour: &'static str,
    engineers: Vec<(i32, String)>,
    events: Vec<(String, String, String)>,
    note: String,
    error: Option<String>,
    can_complete: bool,
    result: String,
    material_rows: Vec<(String, String, String)>,
    labour: String,
    materials: Vec<(String, String, String, String)>,
    labour_total: String,
}

/// What the user typed in the completion form, kept on a refused save.
#[derive(Default)]
struct CompletionDraft {
    result: String,
    rows: Vec<(String, String, String)>,
    labour: String,
}

/// "剩 3 小时 20 分" or "超时 1 小时 5 分", coloured green → orange → red.
fn remaining(o: &WorkOrderView) -> (String, &'static str) {
    let Some(due) = o.order.complete_due else { return (String::new(), "grey") };
    if o.order.completed_at.is_some() || o.order.state == "voided" {
        return (String::new(), "grey");
    }
    let left = due - Utc::now();
    let text = |d: chrono::Duration| format!("{} 小时 {} 分", d.num_hours(), d.num_minutes() % 60);
    if left < chrono::Duration::zero() {
        (format!("超时 {}", text(-left)), "red")
    } else {
        let total = due - o.order.created_at;
        (format!("剩 {}", text(left)), if left * 5 < total { "orange" } else { "green" })
    }
}

async fn show_page(
    st: &SharedState,
    auth: &PageAuth,
    o: WorkOrderView,
    note: String,
    draft: CompletionDraft,
    error: Option<String>,
    status: StatusCode,
) -> Result<Response, PageError> {
    let engineers = if auth.caller.can("workorder.dispatch") { workorder::engineers(&st.db, &auth.caller).await? } else { vec![] };
    let (rem, colour) = remaining(&o);
    let events = o
        .events
        .iter()
        .map(|e| {
            (local_time(st.tz, e.at), e.user_name.clone(), if e.note.is_empty() { e.action_label.to_string() } else { e.note.clone() })
        })
        .collect();
    let qty = |q: i64| format!("{}", q as f64 / 1000.0);
    let materials =
        o.materials.iter().map(|m| (m.item.clone(), qty(m.quantity), Fen(m.unit_price).display(), Fen(m.amount).display())).collect();
    let mut material_rows = draft.rows;
    if material_rows.is_empty() {
        material_rows.push(Default::default());
    }
    let page = ShowPage {
        can_complete: o.actions.iter().any(|(c, _)| c == "complete") && auth.caller.can("workorder.handle"),
        result: draft.result,
        material_rows,
        labour: draft.labour,
        materials,
        labour_total: Fen(o.order.labour_fee).display(),
        shell: shell(st, auth, "workorder", &format!("工单 {}", o.order.number)).await,
        state_colour: state_colour(&o.order.state),
        kind: kind_label(&o.order.kind),
        response_due: format!("{}（{}）", local_time_opt(st.tz, o.order.response_due), priority_label(&o.order.priority)),
        complete_due: local_time_opt(st.tz, o.order.complete_due),
        remaining: rem,
        remaining_colour: colour,
        engineers,
        events,
        note,
        error,
        o,
    };
    let mut r = render(&page, auth.flash.is_some());
    *r.status_mut() = status;
    Ok(r)
}

pub async fn show(State(st): State<SharedState>, auth: PageAuth, Path(id): Path<i32>) -> Result<Response, PageError> {
    let o = workorder::get(&st.db, &auth.caller, id).await?;
    show_page(&st, &auth, o, String::new(), CompletionDraft::default(), None, StatusCode::OK).await
}

pub async fn act(State(st): State<SharedState>, auth: PageAuth, Path(id): Path<i32>, f: FormData) -> Result<Response, PageError> {
    let (items, quantities, prices) = (f.all("material_item"), f.all("material_quantity"), f.all("material_price"));
    let materials = (0..items.len())
        .map(|i| MaterialInput {
            item: items[i].clone(),
            quantity: quantities.get(i).cloned().unwrap_or_default(),
            unit_price: prices.get(i).cloned().unwrap_or_default(),
        })
        .collect::<Vec<_>>();
    let input = ActInput {
        action: f.get("action"),
        assignee_id: f.int("assignee_id"),
        note: f.get("note"),
        result: f.get("result"),
        materials: materials.clone(),
        labour_fee: f.get("labour_fee"),
    };
    let draft = || CompletionDraft {
        result: input.result.clone(),
        rows: materials.iter().map(|m| (m.item.clone(), m.quantity.clone(), m.unit_price.clone())).collect(),
        labour: input.labour_fee.clone(),
    };
    match workorder::act(&st.db, &auth.caller, st.tz, id, f.version(), &input).await {
        Ok(o) => Ok(redirect_with_flash(&format!("{BASE}/{id}"), &format!("工单 {} 已{}", o.order.number, o.state_label))),
        Err(AppError::Validation(e)) => {
            let o = workorder::get(&st.db, &auth.caller, id).await?;
            let message = e.iter().map(|(_, m)| m.clone()).collect::<Vec<_>>().join("；");
            show_page(&st, &auth, o, input.note.clone(), draft(), Some(message), StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(AppError::Conflict(m)) => {
            let o = workorder::get(&st.db, &auth.caller, id).await?;
            show_page(&st, &auth, o, input.note.clone(), draft(), Some(m), StatusCode::CONFLICT).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "workorder/print.html")]
struct PrintPage {
    o: WorkOrderView,
    company: String,
    created: String,
    kind: &'static str,
    priority: &'static str,
    complete_due: String,
}

/// The printable 报修受理单 (SVC-6): A4, no navigation, signature lines.
pub async fn print(State(st): State<SharedState>, auth: PageAuth, Path(id): Path<i32>) -> Result<Response, PageError> {
    let o = workorder::get(&st.db, &auth.caller, id).await?;
    let page = PrintPage {
        company: app::org::unit::name_of(&st.db, o.order.company_id).await?,
        created: local_time(st.tz, o.order.created_at),
        kind: kind_label(&o.order.kind),
        priority: priority_label(&o.order.priority),
        complete_due: local_time_opt(st.tz, o.order.complete_due),
        o,
    };
    Ok(render(&page, false))
}
