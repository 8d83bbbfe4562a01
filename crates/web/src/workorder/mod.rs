//! Work orders (服务派工) — queue, my orders, create, the order page with its
//! actions and timeline — pages and API.

pub mod api;
pub mod escalation;
pub mod photo;
pub mod service_settings;

use app::{
    property::{project, room},
    settings,
    workorder::{
        self, kind_label, photo::store_uploads, priority_label, ActInput, MaterialInput, WorkOrderFilter, WorkOrderInput, WorkOrderView,
    },
    AppError, PageRequest,
};
use askama::Template;
use axum::{
    extract::{DefaultBodyLimit, Path, Query, State},
    http::StatusCode,
    response::Response,
    routing::{get, post},
    Router,
};
use chrono::Utc;
use domain::{
    money::Fen,
    workorder::{Action, WorkOrderState},
    FieldErrors,
};
use serde::Deserialize;

use crate::{
    auth::{redirect_with_flash, PageAuth},
    error::PageError,
    form::{FormData, MAX_UPLOAD_BODY},
    shell::{form_page, list_page, refused, render, shell, ListMode, Shell},
    view::{local_time, local_time_opt, Cell, Field, FilterField, FormView, Link, ListView, Row, RowAction, Section, SelectOption},
    SharedState,
};

const BASE: &str = "/workorders";

pub fn routes() -> Router<SharedState> {
    Router::new()
        .route(BASE, get(list))
        .route("/workorders/export", get(list))
        .route("/workorders/new", get(new_form).post(create).layer(DefaultBodyLimit::max(MAX_UPLOAD_BODY)))
        .route("/workorders/{id}", get(show))
        .route("/workorders/{id}/act", post(act))
        .route("/workorders/{id}/print", get(print))
        .merge(api::routes())
        .merge(service_settings::routes())
        .merge(photo::routes())
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
    #[serde(default)]
    overdue: Option<String>,
    #[serde(default)]
    created_from: Option<String>,
    #[serde(default)]
    created_to: Option<String>,
}

pub async fn list(
    State(st): State<SharedState>,
    auth: PageAuth,
    Query(req): Query<PageRequest>,
    Query(q): Query<ListQuery>,
    mode: ListMode,
) -> Result<Response, PageError> {
    let req = mode.prepare(&auth.caller, "workorder.export", req)?;
    // An engineer without the queue permission sees their own orders only.
    let mine = q.mine.as_deref() == Some("1") || !auth.caller.can("workorder.view");
    let overdue = q.overdue.as_deref() == Some("1");
    let mut dates = FieldErrors::new();
    let filter = WorkOrderFilter {
        state: q.state.clone(),
        project_id: q.project_id.as_deref().and_then(|p| p.parse().ok()),
        mine,
        customer_id: None,
        overdue,
        created_from: dates.date("created_from", "报修日期", q.created_from.as_deref().unwrap_or_default()),
        created_to: dates.date("created_to", "报修日期", q.created_to.as_deref().unwrap_or_default()),
    };
    let title = match (mine, overdue) {
        (_, true) => "超时工单",
        (true, false) => "我的工单",
        (false, false) => "工单队列",
    };
    let mut l = ListView::new(
        title,
        BASE,
        &req,
        &[
            ("state", q.state.clone()),
            ("project_id", q.project_id.clone()),
            ("mine", q.mine.clone()),
            ("overdue", q.overdue.clone()),
            ("created_from", q.created_from.clone()),
            ("created_to", q.created_to.clone()),
        ],
    );
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
    l.filters.push(FilterField::select("overdue", "时效", q.overdue.clone(), vec![("1".into(), "仅超时".into())]));
    l.advanced.push(FilterField::input("date", "created_from", "报修日期从", q.created_from.clone()));
    l.advanced.push(FilterField::input("date", "created_to", "报修日期至", q.created_to.clone()));
    let given = |s: &Option<String>| s.as_deref().is_some_and(|v| !v.is_empty());
    l.advanced_open = given(&q.created_from) || given(&q.created_to);
    if !dates.is_empty() {
        l.note = dates.iter().map(|(_, m)| m.clone()).collect::<Vec<_>>().join("；");
    }
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
    let row = |o: &WorkOrderView| Row {
        cells: vec![
            Cell::link(&o.order.number, format!("{BASE}/{}", o.order.id)),
            Cell::tag(o.state_label, state_colour(&o.order.state)),
            if o.order.priority == "emergency" { Cell::tag("紧急", "red") } else { Cell::text("一般") },
            Cell::text(&o.project_name),
            Cell::text(if o.room_code.is_empty() { &o.order.public_area } else { &o.room_code }),
            if o.order.warranty { Cell::tag(format!("{} · 保修", o.order.category), "orange") } else { Cell::text(&o.order.category) },
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
    };
    let found = workorder::list_each(&st.db, &auth.caller, &req, &filter, |views| l.extend(views, row)).await?;
    l.finish(found);
    l.empty_hint = if mine { "没有分派给您的工单" } else { "没有符合条件的工单" }.into();
    Ok(list_page(&st, &auth, "workorder", l, mode.export).await)
}

#[derive(Deserialize, Default)]
pub struct NewQuery {
    room_id: Option<i32>,
    customer_id: Option<i32>,
}

/// What the caller picker shows for a room brought in from the room or
/// customer page: the room code and the customer's name.
async fn picked_text(st: &SharedState, auth: &PageAuth, input: &WorkOrderInput) -> String {
    let Some(r) = input.room_id else { return String::new() };
    let code = room::get(&st.db, &auth.caller, r).await.map(|r| r.room.code).unwrap_or_default();
    let name = match input.customer_id {
        Some(c) => app::customer::record::get(&st.db, &auth.caller, c).await.map(|c| c.customer.name).unwrap_or_default(),
        None => String::new(),
    };
    format!("{code} {name}").trim().to_string()
}

/// The create form; `picked` is what the caller picker showed, and
/// `chosen_photos` photos were sent with a refused save and must be chosen again.
async fn order_form(
    st: &SharedState,
    auth: &PageAuth,
    input: &WorkOrderInput,
    picked: &str,
    chosen_photos: usize,
) -> Result<FormView, AppError> {
    let options = |dict: &'static str| async move {
        match auth.caller.default_company() {
            Some(c) => settings::options(&st.db, c, dict).await,
            None => Ok(vec![]),
        }
    };
    let categories = options("service_category").await?;
    let channels = options("channel").await?;
    let phrases = options("repair_phrase").await?;
    let room_text = if picked.is_empty() { picked_text(st, auth, input).await } else { picked.to_string() };
    let projects = project::in_scope(&st.db, &auth.caller).await?;
    let opts = |items: Vec<String>, selected: &str| items.into_iter().map(|c| SelectOption::new(&c, c.clone(), c == selected)).collect();
    Ok(FormView::new(
        "新建工单",
        format!("{BASE}/new"),
        BASE,
        vec![
            Section::new(
                "报修位置",
                vec![
                    Field::hidden("request_token", input.request_token.clone().unwrap_or_default()),
                    Field::hidden("room_id", input.room_id.map(|r| r.to_string()).unwrap_or_default()),
                    Field::hidden("customer_id", input.customer_id.map(|c| c.to_string()).unwrap_or_default()),
                    Field::new("text", "picked", "客户 / 房间", room_text)
                        .suggest("/api/v1/work-orders/lookup")
                        .fill("room_id,customer_id,phone:contact_phone")
                        .example("房号、姓名或手机号后四位")
                        .hint("输入后从下拉建议中选择；公共区域报修请改为选择项目并填写区域"),
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
                    Field::new("checks", "requested_items", "报修事项", "")
                        .options(phrases.iter().map(|p| SelectOption::new(p, p.clone(), input.requested_items.contains(p))).collect()),
                    Field::new("textarea", "description", "报修内容", input.description.clone()).required(),
                    Field::new("datetime-local", "appointment_at", "预约上门时间", input.appointment_at.replace(' ', "T"))
                        .hint("客户方便的时间，可不填"),
                ],
            ),
            Section::new(
                "现场照片",
                vec![Field::files(app::workorder::photo::FIELD, "照片", "image/*").hint(&if chosen_photos > 0 {
                    format!("已选的 {chosen_photos} 张照片未保存，请重新选择；{}", photo::hint())
                } else {
                    photo::hint()
                })],
            ),
        ],
    ))
}

fn input_of(f: &FormData) -> WorkOrderInput {
    WorkOrderInput {
        room_id: f.int("room_id"),
        project_id: f.int("project_id"),
        public_area: f.get("public_area"),
        customer_id: f.int("customer_id"),
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
        photos: vec![],
    }
}

pub async fn new_form(State(st): State<SharedState>, auth: PageAuth, Query(q): Query<NewQuery>) -> Result<Response, PageError> {
    auth.caller.require("workorder.create")?;
    let input = WorkOrderInput {
        room_id: q.room_id,
        customer_id: q.customer_id,
        kind: "internal".into(),
        priority: "normal".into(),
        // One token per form shown: submitting it twice makes one order.
        request_token: Some(app::org::auth::random_token(16)),
        ..Default::default()
    };
    let form = order_form(&st, &auth, &input, "", 0).await?;
    Ok(form_page(&st, &auth, "workorder", form, StatusCode::OK).await)
}

/// Saves the create form with its photos: the photos are checked and
/// stored first, then attached inside the order's transaction.
pub async fn create(State(st): State<SharedState>, auth: PageAuth, mut f: FormData) -> Result<Response, PageError> {
    // Nothing is stored for someone who may not create orders.
    auth.caller.require("workorder.create")?;
    let mut input = input_of(&f);
    let uploads = photo::uploads_of(&mut f);
    let result = match f.upload_error() {
        Some(m) => Err(AppError::field(app::workorder::photo::FIELD, m)),
        None => match store_uploads(&*st.blobs, &uploads).await {
            Ok(photos) => {
                input.photos = photos;
                workorder::create(&st.db, &auth.caller, st.tz, &input).await
            }
            Err(e) => Err(e),
        },
    };
    match result {
        Ok(o) => Ok(redirect_with_flash(&format!("{BASE}/{}", o.order.id), &format!("已新建工单 {}", o.order.number))),
        Err(e) => {
            // The page shows one picker for the room and the customer.
            let e = match e {
                AppError::Validation(errors) => AppError::Validation(errors.moved("room_id", "picked").moved("customer_id", "picked")),
                e => e,
            };
            let (form, status) = refused(e, order_form(&st, &auth, &input, &f.get("picked"), uploads.len()).await?)?;
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
    clocks: Vec<Clock>,
    appointment: String,
    engineers: Vec<(i32, String)>,
    /// Actions shown as buttons: (code, label, needs an assignee, asks a reason).
    buttons: Vec<(String, String, bool, bool)>,
    events: Vec<(String, String, String)>,
    note: String,
    error: Option<String>,
    photos: photo::Section,
    photo_error: Option<String>,
    can_complete: bool,
    result: String,
    material_rows: Vec<(String, String, String)>,
    labour: String,
    materials: Vec<(String, String, String, String)>,
    labour_total: String,
    can_visit: bool,
    visits: Vec<crate::visit::VisitRow>,
}

/// A refusal shown on the order page beside the form that was sent.
enum Refusal {
    Action(String),
    Photos(String),
}

/// What the user typed in the completion form, kept on a refused save.
#[derive(Default)]
struct CompletionDraft {
    result: String,
    rows: Vec<(String, String, String)>,
    labour: String,
}

/// One SLA clock of the order page (SLA-2): due time, and remaining,
/// overdue-by or how it was met, coloured green → orange (last fifth) → red.
struct Clock {
    label: &'static str,
    due: String,
    status: String,
    colour: &'static str,
}

fn span_text(d: chrono::Duration) -> String {
    let m = d.num_minutes().abs();
    match (m / 1440, m % 1440 / 60, m % 60) {
        (0, 0, m) => format!("{m} 分"),
        (0, h, m) => format!("{h} 小时 {m} 分"),
        (d, h, _) => format!("{d} 天 {h} 小时"),
    }
}

fn clock(
    tz: chrono_tz::Tz,
    label: &'static str,
    o: &WorkOrderView,
    due: Option<chrono::DateTime<Utc>>,
    met: Option<chrono::DateTime<Utc>>,
) -> Clock {
    let state = WorkOrderState::from_code(&o.order.state).unwrap_or(WorkOrderState::PendingDispatch);
    let Some(due_at) = due else {
        return Clock { label, due: "待客户确认，计时暂停".into(), status: String::new(), colour: "blue" };
    };
    let (status, colour) = match met {
        Some(at) if at <= due_at => (format!("{} 达成", local_time(tz, at)), "green"),
        Some(at) => (format!("{} 达成，超时 {}", local_time(tz, at), span_text(at - due_at)), "red"),
        None if !state.is_open() => (String::new(), "grey"),
        None => {
            let now = Utc::now().with_timezone(&tz).naive_local();
            let (left, warn) = domain::workorder::standing(
                o.order.created_at.with_timezone(&tz).naive_local(),
                due_at.with_timezone(&tz).naive_local(),
                now,
            );
            if left < chrono::Duration::zero() {
                (format!("已超时 {}", span_text(left)), "red")
            } else {
                (format!("剩余 {}", span_text(left)), if warn { "orange" } else { "green" })
            }
        }
    };
    Clock { label, due: local_time(tz, due_at), status, colour }
}

fn clocks(tz: chrono_tz::Tz, o: &WorkOrderView) -> Vec<Clock> {
    vec![
        clock(tz, "响应（接单）", o, o.order.response_due, o.order.responded_at),
        clock(tz, "到场", o, o.order.onsite_due, o.order.arrived_at),
        clock(tz, "完成", o, o.order.complete_due, o.order.completed_at),
    ]
}

async fn show_page(
    st: &SharedState,
    auth: &PageAuth,
    o: WorkOrderView,
    note: String,
    draft: CompletionDraft,
    refusal: Option<Refusal>,
    status: StatusCode,
) -> Result<Response, PageError> {
    let photos = photo::section(st, &auth.caller, &o).await?;
    let (error, photo_error) = match refusal {
        Some(Refusal::Action(m)) => (Some(m), None),
        Some(Refusal::Photos(m)) => (None, Some(m)),
        None => (None, None),
    };
    let engineers = if auth.caller.can("workorder.dispatch") { workorder::engineers(&st.db, &auth.caller).await? } else { vec![] };
    let buttons = o
        .actions
        .iter()
        .filter(|(code, _)| !matches!(code.as_str(), "complete" | "return_visit"))
        .filter(|(code, _)| Action::from_code(code).is_some_and(|a| auth.caller.can(a.permission())))
        .map(|(code, label)| {
            let a = Action::from_code(code).expect("filtered");
            (code.clone(), label.clone(), a.needs_assignee(), a == Action::Void)
        })
        .collect();
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
    let visits =
        crate::visit::rows_for(st, &auth.caller, app::visit::VisitFilter { work_order_id: Some(o.order.id), ..Default::default() }).await?;
    let visit_code = Action::ReturnVisit.code();
    let page = ShowPage {
        can_visit: o.actions.iter().any(|(c, _)| c == visit_code) && auth.caller.can(Action::ReturnVisit.permission()),
        visits,
        can_complete: o.actions.iter().any(|(c, _)| c == "complete") && auth.caller.can("workorder.handle"),
        result: draft.result,
        material_rows,
        labour: draft.labour,
        materials,
        labour_total: Fen(o.order.labour_fee).display(),
        shell: shell(st, auth, "workorder", &format!("工单 {}", o.order.number)).await,
        state_colour: state_colour(&o.order.state),
        kind: kind_label(&o.order.kind),
        clocks: clocks(st.tz, &o),
        appointment: local_time_opt(st.tz, o.order.appointment_at),
        engineers,
        buttons,
        events,
        note,
        error,
        photos,
        photo_error,
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
        // The void dialog sends its reason as `reason`.
        note: [f.get("note"), f.get("reason")].into_iter().find(|n| !n.trim().is_empty()).unwrap_or_default(),
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
            show_page(&st, &auth, o, input.note.clone(), draft(), Some(Refusal::Action(message)), StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(AppError::Conflict(m)) => {
            let o = workorder::get(&st.db, &auth.caller, id).await?;
            show_page(&st, &auth, o, input.note.clone(), draft(), Some(Refusal::Action(m)), StatusCode::CONFLICT).await
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
    /// Photos a browser can print, as thumbnails.
    photos: Vec<String>,
}

/// The printable 报修受理单 (SVC-6): A4, no navigation, signature lines.
pub async fn print(State(st): State<SharedState>, auth: PageAuth, Path(id): Path<i32>) -> Result<Response, PageError> {
    let o = workorder::get(&st.db, &auth.caller, id).await?;
    let photos = app::workorder::photo::list(&st.db, &auth.caller, id)
        .await?
        .into_iter()
        .filter(|p| domain::workorder::photo::ImageType::browsers_show(&p.content_type))
        .map(|p| format!("/workorders/photos/{}", p.id))
        .collect();
    let page = PrintPage {
        photos,
        company: app::org::unit::name_of(&st.db, o.order.company_id).await?,
        created: local_time(st.tz, o.order.created_at),
        kind: kind_label(&o.order.kind),
        priority: priority_label(&o.order.priority),
        complete_due: local_time_opt(st.tz, o.order.complete_due),
        o,
    };
    Ok(render(&page, false))
}
