use app::{
    customer::record,
    property::project,
    visit::{self, CareVisitInput, QueueFilter, QueueItem, VisitFilter, VisitInput, VisitView},
    workorder::{self, WorkOrderView},
    AppError, PageRequest,
};
use askama::Template;
use axum::{
    extract::{Path, Query, State},
    http::StatusCode,
    response::Response,
};
use domain::{
    visit::{Attitude, FollowUp, Method, Satisfaction, VisitKind},
    workorder::{Action, WorkOrderState},
    FieldErrors,
};
use serde::Deserialize;

use super::{satisfaction_colour, waited};
use crate::{
    auth::{redirect_with_flash, PageAuth},
    error::PageError,
    form::FormData,
    shell::{form_page, list_page, refused, render, shell, ListMode, Shell},
    view::{local_time, local_time_opt, Cell, Field, FilterField, FormView, Link, ListView, Row, RowAction, Section, SelectOption},
    SharedState,
};

const BASE: &str = "/visits";
const QUEUE: &str = "/visits/queue";

fn options<T: Copy>(all: &[T], code: fn(T) -> &'static str, label: fn(T) -> &'static str) -> Vec<(String, String)> {
    all.iter().map(|x| (code(*x).to_string(), label(*x).to_string())).collect()
}

fn select(all: &[(String, String)], selected: &str) -> Vec<SelectOption> {
    all.iter().map(|(v, l)| SelectOption::new(v, l.clone(), v == selected)).collect()
}

#[derive(Debug, Deserialize, Default)]
pub struct QueueQuery {
    #[serde(default)]
    project_id: Option<String>,
}

/// 待回访工单 (VIS-1): accepted orders, the longest-waiting first.
pub async fn queue(
    State(st): State<SharedState>,
    auth: PageAuth,
    Query(req): Query<PageRequest>,
    Query(q): Query<QueueQuery>,
    mode: ListMode,
) -> Result<Response, PageError> {
    let req = mode.prepare(&auth.caller, "visit.export", req)?;
    let filter = QueueFilter { project_id: q.project_id.as_deref().and_then(|p| p.parse().ok()) };
    let mut l = ListView::new("待回访工单", QUEUE, &req, &[("project_id", q.project_id.clone())]);
    l.search_hint = "工单号/内容/电话".into();
    let projects = project::in_scope(&st.db, &auth.caller).await?;
    l.filters.push(FilterField::select(
        "project_id",
        "项目",
        q.project_id.clone(),
        projects.iter().map(|p| (p.id.to_string(), p.name.clone())).collect(),
    ));
    if auth.caller.can("visit.export") {
        l.export(&format!("{QUEUE}/export"));
    }
    l.column("工单号", None, false)
        .column("项目", None, false)
        .column("房间/区域", None, false)
        .column("客户", None, false)
        .column("类别", None, false)
        .column("报修内容", None, false)
        .column("处理人", None, false)
        .column("验收时间", None, false)
        .column("已等待", None, false);
    let (tz, can_visit) = (st.tz, auth.caller.can("visit.create"));
    let row = |o: &QueueItem| Row {
        cells: vec![
            Cell::link(&o.number, format!("/workorders/{}", o.work_order_id)),
            Cell::text(&o.project_name),
            Cell::text(&o.location),
            Cell::text(&o.customer_name),
            Cell::text(&o.category),
            Cell::text(&o.description),
            Cell::text(&o.assignee_name),
            Cell::text(local_time_opt(tz, o.accepted_at)),
            // A visit is due within a day of acceptance; later ones stand out.
            if o.waiting_minutes >= 1440 { Cell::tag(waited(o.waiting_minutes), "orange") } else { Cell::text(waited(o.waiting_minutes)) },
        ],
        actions: if can_visit { vec![RowAction::get("回访", format!("{BASE}/new?work_order_id={}", o.work_order_id))] } else { vec![] },
    };
    let found = visit::queue_each(&st.db, &auth.caller, &req, &filter, |part| l.extend(part, row)).await?;
    l.finish(found);
    l.empty_hint = "没有待回访的工单：客户验收后的工单会出现在这里".into();
    Ok(list_page(&st, &auth, "visit", l, mode.export).await)
}

#[derive(Debug, Deserialize, Default)]
pub struct ListQuery {
    #[serde(default)]
    kind: Option<String>,
    #[serde(default)]
    satisfaction: Option<String>,
    #[serde(default)]
    follow_up: Option<String>,
    #[serde(default)]
    project_id: Option<String>,
    #[serde(default)]
    customer_id: Option<String>,
    #[serde(default)]
    from: Option<String>,
    #[serde(default)]
    to: Option<String>,
}

fn visit_row(tz: chrono_tz::Tz, v: &VisitView) -> Row {
    let href = format!("{BASE}/{}", v.visit.id);
    Row {
        cells: vec![
            Cell::link(local_time(tz, v.visit.visited_at), href.clone()),
            Cell::text(v.kind_label),
            match v.visit.customer_id {
                Some(c) => Cell::link(&v.customer_name, format!("/customers/{c}")),
                None => Cell::text(""),
            },
            Cell::text(&v.project_name),
            match v.visit.work_order_id {
                Some(o) => Cell::link(&v.work_order_number, format!("/workorders/{o}")),
                None => Cell::text(""),
            },
            Cell::tag(v.satisfaction_label, satisfaction_colour(v)),
            Cell::text(v.attitude_label),
            Cell::text(v.method_label),
            if v.visit.follow_up == FollowUp::None.code() { Cell::text(v.follow_up_label) } else { Cell::tag(v.follow_up_label, "orange") },
            Cell::text(&v.visit.visited_by_name),
            Cell::text(&v.visit.content),
        ],
        actions: vec![RowAction::get("查看", href)],
    }
}

/// 回访记录: every visit in the caller's offices, with filters and export.
pub async fn list(
    State(st): State<SharedState>,
    auth: PageAuth,
    Query(req): Query<PageRequest>,
    Query(q): Query<ListQuery>,
    mode: ListMode,
) -> Result<Response, PageError> {
    let req = mode.prepare(&auth.caller, "visit.export", req)?;
    let mut dates = FieldErrors::new();
    let filter = VisitFilter {
        kind: q.kind.clone(),
        satisfaction: q.satisfaction.clone(),
        follow_up: q.follow_up.clone(),
        project_id: q.project_id.as_deref().and_then(|p| p.parse().ok()),
        customer_id: q.customer_id.as_deref().and_then(|c| c.parse().ok()),
        work_order_id: None,
        from: dates.date("from", "回访日期", q.from.as_deref().unwrap_or_default()),
        to: dates.date("to", "回访日期", q.to.as_deref().unwrap_or_default()),
    };
    let mut l = ListView::new(
        "回访记录",
        BASE,
        &req,
        &[
            ("kind", q.kind.clone()),
            ("satisfaction", q.satisfaction.clone()),
            ("follow_up", q.follow_up.clone()),
            ("project_id", q.project_id.clone()),
            ("customer_id", q.customer_id.clone()),
            ("from", q.from.clone()),
            ("to", q.to.clone()),
        ],
    );
    l.search_hint = "回访内容/客户姓名".into();
    l.filters.push(FilterField::select(
        "satisfaction",
        "满意度",
        q.satisfaction.clone(),
        options(&Satisfaction::ALL, Satisfaction::code, Satisfaction::label),
    ));
    l.filters.push(FilterField::select("kind", "类型", q.kind.clone(), options(&VisitKind::ALL, VisitKind::code, VisitKind::label)));
    let projects = project::in_scope(&st.db, &auth.caller).await?;
    l.filters.push(FilterField::select(
        "project_id",
        "项目",
        q.project_id.clone(),
        projects.iter().map(|p| (p.id.to_string(), p.name.clone())).collect(),
    ));
    l.advanced.push(FilterField::select(
        "follow_up",
        "跟进方式",
        q.follow_up.clone(),
        options(&FollowUp::ALL, FollowUp::code, FollowUp::label),
    ));
    l.advanced.push(FilterField::input("date", "from", "回访日期从", q.from.clone()));
    l.advanced.push(FilterField::input("date", "to", "回访日期至", q.to.clone()));
    let given = |s: &Option<String>| s.as_deref().is_some_and(|v| !v.is_empty());
    l.advanced_open = given(&q.follow_up) || given(&q.from) || given(&q.to);
    if !dates.is_empty() {
        l.note = dates.iter().map(|(_, m)| m.clone()).collect::<Vec<_>>().join("；");
    }
    if auth.caller.can("visit.create") {
        l.toolbar.push(Link::new("关怀回访", format!("{BASE}/care/new")));
    }
    if auth.caller.can("visit.export") {
        l.export(&format!("{BASE}/export"));
    }
    l.column("回访时间", Some("visited_at"), false)
        .column("类型", None, false)
        .column("客户", None, false)
        .column("项目", None, false)
        .column("工单号", None, false)
        .column("满意度", None, false)
        .column("服务态度", None, false)
        .column("回访方式", None, false)
        .column("跟进方式", None, false)
        .column("回访人", None, false)
        .column("回访内容", None, false);
    let tz = st.tz;
    let found = visit::list_each(&st.db, &auth.caller, tz, &req, &filter, |views| l.extend(views, |v| visit_row(tz, v))).await?;
    l.finish(found);
    l.empty_hint = "没有符合条件的回访记录".into();
    Ok(list_page(&st, &auth, "visit", l, mode.export).await)
}

/// The answers of a visit as typed into the form.
fn input_of(f: &FormData) -> VisitInput {
    VisitInput {
        method: f.get("method"),
        satisfaction: f.get("satisfaction"),
        attitude: f.get("attitude"),
        content: f.get("content"),
        follow_up: f.get("follow_up"),
    }
}

/// The answer fields of a visit of `kind`. 跟进方式 is offered for any answer;
/// the server says when it is needed or not allowed.
fn answer_section(kind: VisitKind, v: &VisitInput) -> Section {
    let follow_ups: Vec<(String, String)> = FollowUp::offered(kind).into_iter().map(|f| (f.code().into(), f.label().into())).collect();
    let hint = match kind {
        VisitKind::Order => "客户不满意时必须选择：重新处理工单或转投诉",
        VisitKind::Care => "客户不满意时必须选择：转投诉或无需跟进",
    };
    // The customer's answer is never preselected: an empty first choice.
    let mut satisfaction = vec![SelectOption::new("", "请选择满意度", v.satisfaction.is_empty())];
    satisfaction.extend(select(&options(&Satisfaction::ALL, Satisfaction::code, Satisfaction::label), &v.satisfaction));
    Section::new(
        "回访结果",
        vec![
            Field::new("select", "satisfaction", "满意度", "").required().options(satisfaction),
            Field::new("select", "attitude", "服务态度", "")
                .options(select(&options(&Attitude::ALL, Attitude::code, Attitude::label), &v.attitude)),
            Field::new("select", "method", "回访方式", "")
                .required()
                .options(select(&options(&Method::ALL, Method::code, Method::label), &v.method)),
            Field::new("select", "follow_up", "跟进方式", "").options(select(&follow_ups, &v.follow_up)).hint(hint),
            Field::new("textarea", "content", "客户意见", v.content.clone()).hint("客户的原话与建议；不满意时请写明不满意的内容"),
        ],
    )
}

#[derive(Deserialize, Default)]
pub struct OrderQuery {
    work_order_id: Option<i32>,
    /// `order`: back to the order page after saving, else to the queue.
    from: Option<String>,
}

#[derive(Template)]
#[template(path = "visit/new.html")]
struct OrderVisitPage {
    shell: Shell,
    o: WorkOrderView,
    state_colour: &'static str,
    form: FormView,
}

fn order_visit_form(o: &WorkOrderView, q: &OrderQuery, input: &VisitInput) -> FormView {
    let back = if q.from.as_deref() == Some("order") { format!("/workorders/{}", o.order.id) } else { QUEUE.into() };
    let from = q.from.as_deref().map(|f| format!("&from={f}")).unwrap_or_default();
    let mut form = FormView::new(
        &format!("回访工单 {}", o.order.number),
        format!("{BASE}/new?work_order_id={}{from}", o.order.id),
        &back,
        vec![answer_section(VisitKind::Order, input)],
    )
    .version(o.order.version);
    form.submit_label = "保存回访".into();
    form
}

async fn order_page(
    st: &SharedState,
    auth: &PageAuth,
    o: WorkOrderView,
    form: FormView,
    status: StatusCode,
) -> Result<Response, PageError> {
    let accepted = o.order.state == WorkOrderState::Accepted.code();
    let page = OrderVisitPage {
        shell: shell(st, auth, "visit", &form.title).await,
        state_colour: if accepted { "green" } else { "grey" },
        o,
        form,
    };
    let mut r = render(&page, auth.flash.is_some());
    *r.status_mut() = status;
    Ok(r)
}

async fn order_of(st: &SharedState, auth: &PageAuth, q: &OrderQuery) -> Result<WorkOrderView, AppError> {
    workorder::get(&st.db, &auth.caller, q.work_order_id.ok_or(AppError::NotFound)?).await
}

/// The visit form of an order, below the order's key facts. An order that
/// is not (or no longer) 已验收 shows why instead of a save button.
pub async fn order_form(State(st): State<SharedState>, auth: PageAuth, Query(q): Query<OrderQuery>) -> Result<Response, PageError> {
    auth.caller.require("visit.create")?;
    let o = order_of(&st, &auth, &q).await?;
    let input = VisitInput { method: Method::Phone.code().into(), ..Default::default() };
    let mut form = order_visit_form(&o, &q, &input);
    let state = WorkOrderState::from_code(&o.order.state).unwrap_or(WorkOrderState::PendingDispatch);
    if let Err(m) = state.transition(Action::ReturnVisit) {
        form = form.with_message(format!("工单当前为“{}”：{m}", state.label()));
        form.submit_label.clear();
    }
    order_page(&st, &auth, o, form, StatusCode::OK).await
}

pub async fn record_order(
    State(st): State<SharedState>,
    auth: PageAuth,
    Query(q): Query<OrderQuery>,
    f: FormData,
) -> Result<Response, PageError> {
    let id = q.work_order_id.ok_or(AppError::NotFound)?;
    let input = input_of(&f);
    match visit::record_order_visit(&st.db, &auth.caller, st.tz, id, f.version(), &input).await {
        Ok(v) => {
            let then = match FollowUp::from_code(&v.visit.follow_up) {
                Some(FollowUp::Reopen) => "，工单已退回重新处理",
                Some(FollowUp::Complaint) => "，已转投诉",
                _ => "",
            };
            let back = if q.from.as_deref() == Some("order") { format!("/workorders/{id}") } else { QUEUE.into() };
            Ok(redirect_with_flash(&back, &format!("已记录工单 {} 的回访{then}", v.work_order_number)))
        }
        Err(e) => {
            let o = order_of(&st, &auth, &q).await?;
            // The form keeps what was typed, with the version it was opened at.
            let (form, status) = refused(e, order_visit_form(&o, &q, &input).version(f.version()))?;
            order_page(&st, &auth, o, form, status).await
        }
    }
}

#[derive(Deserialize, Default)]
pub struct CareQuery {
    customer_id: Option<i32>,
}

async fn care_visit_form(st: &SharedState, auth: &PageAuth, q: &CareQuery, input: &CareVisitInput) -> Result<FormView, AppError> {
    let (customer, action, back) = match q.customer_id {
        Some(id) => {
            let c = record::get(&st.db, &auth.caller, id).await?;
            let shown = format!("{}（{}）", c.customer.name, c.customer.code);
            (
                Field::new("text", "customer", "客户", shown).readonly(),
                format!("{BASE}/care/new?customer_id={id}"),
                format!("/customers/{id}"),
            )
        }
        None => {
            let mut f = Field::new("text", "customer_code", "客户编号", input.customer_code.clone())
                .required()
                .suggest("/api/v1/customers")
                .hint("输入客户编号、姓名或手机号后四位，从下拉建议中选择");
            f.example = "如 C3-1-0301".into();
            (f, format!("{BASE}/care/new"), BASE.to_string())
        }
    };
    let mut form = FormView::new(
        "关怀回访",
        action,
        &back,
        vec![Section::new("回访客户", vec![customer]), answer_section(VisitKind::Care, &input.visit)],
    );
    form.submit_label = "保存回访".into();
    Ok(form)
}

/// A standalone care visit (VIS-3), from the module or a customer's page.
pub async fn care_form(State(st): State<SharedState>, auth: PageAuth, Query(q): Query<CareQuery>) -> Result<Response, PageError> {
    auth.caller.require("visit.create")?;
    let input = CareVisitInput { visit: VisitInput { method: Method::Phone.code().into(), ..Default::default() }, ..Default::default() };
    let form = care_visit_form(&st, &auth, &q, &input).await?;
    Ok(form_page(&st, &auth, "visit", form, StatusCode::OK).await)
}

pub async fn record_care(
    State(st): State<SharedState>,
    auth: PageAuth,
    Query(q): Query<CareQuery>,
    f: FormData,
) -> Result<Response, PageError> {
    let input = CareVisitInput { customer_id: q.customer_id, customer_code: f.get("customer_code"), visit: input_of(&f) };
    match visit::record_care_visit(&st.db, &auth.caller, &input).await {
        Ok(v) => {
            let then = if v.visit.follow_up == FollowUp::Complaint.code() { "，已转投诉" } else { "" };
            let back = match q.customer_id {
                Some(c) => format!("/customers/{c}#visits"),
                None => format!("{BASE}/{}", v.visit.id),
            };
            Ok(redirect_with_flash(&back, &format!("已记录对 {} 的关怀回访{then}", v.customer_name)))
        }
        Err(e) => {
            let (form, status) = refused(e, care_visit_form(&st, &auth, &q, &input).await?)?;
            Ok(form_page(&st, &auth, "visit", form, status).await)
        }
    }
}

#[derive(Template)]
#[template(path = "visit/show.html")]
struct ShowPage {
    shell: Shell,
    v: VisitView,
    colour: &'static str,
    visited_at: String,
}

/// A visit's page.
pub async fn show(State(st): State<SharedState>, auth: PageAuth, Path(id): Path<i32>) -> Result<Response, PageError> {
    let v = visit::get(&st.db, &auth.caller, id).await?;
    let page = ShowPage {
        shell: shell(&st, &auth, "visit", &format!("回访记录 {}", v.customer_name)).await,
        colour: satisfaction_colour(&v),
        visited_at: local_time(st.tz, v.visit.visited_at),
        v,
    };
    Ok(render(&page, auth.flash.is_some()))
}
