use app::{
    customer::{
        record::{self, BankInput, ContactInput, CustomerFilter, CustomerInput, CustomerView, MemberInput, VehicleInput},
        rename::{self, RenameInput, RenameView},
    },
    property::project,
    settings, AppError, Caller, PageRequest,
};
use askama::Template;
use axum::{
    extract::{Path, Query, State},
    http::StatusCode,
    response::Response,
};
use chrono::NaiveDate;
use domain::{audit::AuditAction, customer::IdType, occupancy::OccupantRole, FieldErrors};
use serde::Deserialize;

use crate::{
    auth::{redirect_with_flash, PageAuth},
    error::PageError,
    form::FormData,
    shell::{form_page, list_page, refused, render, shell, state_change, ListMode, Shell},
    view::{local_time, Cell, Field, FilterField, FormView, Link, ListView, Row, RowAction, Section, SelectOption},
    SharedState,
};

const BASE: &str = "/customers";

#[derive(Debug, Deserialize, Default)]
pub struct ListQuery {
    #[serde(default)]
    kind: Option<String>,
    #[serde(default)]
    role: Option<String>,
    #[serde(default)]
    project_id: Option<String>,
    #[serde(default)]
    building_id: Option<String>,
    #[serde(default)]
    enabled: Option<String>,
    #[serde(default)]
    tag: Option<String>,
    #[serde(default)]
    moved_in_from: Option<String>,
    #[serde(default)]
    moved_in_to: Option<String>,
}

fn date(s: &Option<String>) -> Option<NaiveDate> {
    s.as_deref().and_then(|d| NaiveDate::parse_from_str(d.trim(), "%Y-%m-%d").ok())
}

fn nonempty(s: &Option<String>) -> bool {
    s.as_deref().is_some_and(|v| !v.is_empty())
}

fn row(c: &CustomerView) -> Row {
    let rooms: Vec<String> = c.rooms.iter().map(|r| format!("{} {}", r.room_code, r.role_label)).collect();
    Row {
        cells: vec![
            Cell::link(&c.customer.code, format!("{BASE}/{}", c.customer.id)),
            Cell::link(&c.customer.name, format!("{BASE}/{}", c.customer.id)),
            Cell::text(c.kind_label),
            Cell::text(c.phones.join("、")),
            Cell::text(rooms.join("、")),
            Cell::text(&c.office_name),
            Cell::text(c.tags.join("、")),
            if c.customer.enabled { Cell::tag("正常", "green") } else { Cell::tag("已禁用", "struck") },
        ],
        actions: vec![RowAction::get("查看", format!("{BASE}/{}", c.customer.id))],
    }
}

/// Tag labels of the caller's company dictionary.
async fn dictionary(st: &SharedState, caller: &Caller, dict_type: &str) -> Vec<String> {
    match caller.default_company() {
        Some(c) => settings::options(&st.db, c, dict_type).await.unwrap_or_default(),
        None => vec![],
    }
}

pub async fn list(
    State(st): State<SharedState>,
    auth: PageAuth,
    Query(req): Query<PageRequest>,
    Query(q): Query<ListQuery>,
    mode: ListMode,
) -> Result<Response, PageError> {
    let req = mode.prepare(&auth.caller, "customer.export", req)?;
    let filter = CustomerFilter {
        kind: q.kind.clone(),
        role: q.role.clone(),
        project_id: q.project_id.as_deref().and_then(|p| p.parse().ok()),
        building_id: q.building_id.as_deref().and_then(|b| b.parse().ok()),
        enabled: q.enabled.clone(),
        tag: q.tag.clone(),
        moved_in_from: date(&q.moved_in_from),
        moved_in_to: date(&q.moved_in_to),
    };
    let mut l = ListView::new(
        "客户资料",
        BASE,
        &req,
        &[
            ("kind", q.kind.clone()),
            ("role", q.role.clone()),
            ("project_id", q.project_id.clone()),
            ("building_id", q.building_id.clone()),
            ("enabled", q.enabled.clone()),
            ("tag", q.tag.clone()),
            ("moved_in_from", q.moved_in_from.clone()),
            ("moved_in_to", q.moved_in_to.clone()),
        ],
    );
    l.search_hint = "姓名/房号/手机号（可输后四位）/证件号".into();
    let projects = project::in_scope(&st.db, &auth.caller).await?;
    l.filters.push(FilterField::select(
        "project_id",
        "项目",
        q.project_id.clone(),
        projects.iter().map(|p| (p.id.to_string(), p.name.clone())).collect(),
    ));
    l.filters.push(FilterField::select(
        "role",
        "身份",
        q.role.clone(),
        OccupantRole::ALL.iter().map(|r| (r.code().to_string(), r.label().to_string())).collect(),
    ));
    l.advanced.push(FilterField::select(
        "kind",
        "客户类型",
        q.kind.clone(),
        vec![("person".into(), "个人".into()), ("company".into(), "单位".into())],
    ));
    l.advanced.push(FilterField::select(
        "enabled",
        "状态",
        q.enabled.clone(),
        vec![("1".into(), "正常".into()), ("0".into(), "已禁用".into())],
    ));
    let tags = dictionary(&st, &auth.caller, "customer_tag").await;
    l.advanced.push(FilterField::select("tag", "标签", q.tag.clone(), tags.into_iter().map(|t| (t.clone(), t)).collect()));
    l.advanced.push(FilterField::input("date", "moved_in_from", "迁入日期从", q.moved_in_from.clone()));
    l.advanced.push(FilterField::input("date", "moved_in_to", "迁入日期至", q.moved_in_to.clone()));
    l.advanced_open =
        nonempty(&q.kind) || nonempty(&q.enabled) || nonempty(&q.tag) || nonempty(&q.moved_in_from) || nonempty(&q.moved_in_to);
    if auth.caller.can("customer.create") {
        l.toolbar.push(Link::new("新增客户", format!("{BASE}/new")));
    }
    l.toolbar.push(Link::new("更名审批", format!("{BASE}/renames?status=pending")));
    if auth.caller.can("customer.export") {
        l.export(&format!("{BASE}/export"));
    }
    l.column("客户编号", Some("code"), false)
        .column("客户名称", Some("name"), false)
        .column("类型", None, false)
        .column("电话", None, false)
        .column("房产", None, false)
        .column("管理处", None, false)
        .column("标签", None, false)
        .column("状态", None, false);
    let found = record::list_each(&st.db, &auth.caller, &req, &filter, |views| l.extend(views, row)).await?;
    l.finish(found);
    l.empty_hint = if auth.caller.can("customer.create") {
        "没有符合条件的客户，点击“新增客户”登记"
    } else {
        "没有符合条件的客户"
    }
    .into();
    Ok(list_page(&st, &auth, "customer", l, mode.export).await)
}

/// Form values with at least one empty row in every repeatable section.
fn padded(mut v: CustomerInput) -> CustomerInput {
    if v.phones.is_empty() {
        v.phones.push(String::new());
    }
    if v.members.is_empty() {
        v.members.push(MemberInput::default());
    }
    if v.contacts.is_empty() {
        v.contacts.push(ContactInput::default());
    }
    if v.vehicles.is_empty() {
        v.vehicles.push(VehicleInput::default());
    }
    if v.bank_accounts.is_empty() {
        v.bank_accounts.push(BankInput::default());
    }
    v
}

#[derive(Template)]
#[template(path = "customer/form.html")]
struct CustomerForm {
    shell: Shell,
    title: String,
    action: String,
    cancel: String,
    version: Option<i32>,
    editing: bool,
    error: Option<String>,
    errors: FieldErrors,
    v: CustomerInput,
    offices: Vec<SelectOption>,
    id_types: Vec<SelectOption>,
    categories: Vec<String>,
    tags: Vec<(String, bool)>,
    relations: Vec<String>,
    vehicle_types: Vec<String>,
    bank_names: Vec<String>,
}

struct FormState {
    id: Option<i32>,
    version: Option<i32>,
    error: Option<String>,
    errors: FieldErrors,
    status: StatusCode,
}

async fn form_response(st: &SharedState, auth: &PageAuth, v: CustomerInput, s: FormState) -> Result<Response, PageError> {
    let offices = project::offices_in_scope(&st.db, &auth.caller).await?;
    let offices = offices.into_iter().map(|(id, name)| SelectOption::new(id, name, Some(id) == v.org_unit_id)).collect();
    let id_types = IdType::ALL.into_iter().map(|t| SelectOption::new(t.code(), t.label(), t.code() == v.id_type)).collect();
    let mut tags: Vec<(String, bool)> =
        dictionary(st, &auth.caller, "customer_tag").await.into_iter().map(|t| (t.clone(), v.tags.contains(&t))).collect();
    for t in &v.tags {
        if !tags.iter().any(|(x, _)| x == t) {
            tags.push((t.clone(), true));
        }
    }
    let (title, action, cancel) = match s.id {
        Some(id) => (format!("编辑客户：{}", v.name), format!("{BASE}/{id}/edit"), format!("{BASE}/{id}")),
        None => ("新增客户".to_string(), format!("{BASE}/new"), BASE.to_string()),
    };
    let page = CustomerForm {
        shell: shell(st, auth, "customer", &title).await,
        title,
        action,
        cancel,
        version: s.version,
        editing: s.id.is_some(),
        error: s.error,
        errors: s.errors,
        offices,
        id_types,
        categories: dictionary(st, &auth.caller, "customer_category").await,
        tags,
        relations: dictionary(st, &auth.caller, "relation").await,
        vehicle_types: dictionary(st, &auth.caller, "vehicle_type").await,
        bank_names: dictionary(st, &auth.caller, "bank").await,
        v: padded(v),
    };
    let mut r = render(&page, auth.flash.is_some());
    *r.status_mut() = s.status;
    Ok(r)
}

/// Reads the form, zipping the repeated row fields back into rows.
fn input_of(f: &FormData) -> CustomerInput {
    let col = |name: &str| f.all(name);
    let members = {
        let (rel, name, phone, gender, birthday) =
            (col("member_relation"), col("member_name"), col("member_phone"), col("member_gender"), col("member_birthday"));
        (0..name.len())
            .map(|i| MemberInput {
                relation: rel.get(i).cloned().unwrap_or_default(),
                name: name[i].clone(),
                phone: phone.get(i).cloned().unwrap_or_default(),
                gender: gender.get(i).cloned().unwrap_or_default(),
                birthday: birthday.get(i).cloned().unwrap_or_default(),
            })
            .collect()
    };
    let contacts = {
        let (name, rel, phone) = (col("contact_name"), col("contact_relation"), col("contact_phone"));
        (0..name.len())
            .map(|i| ContactInput {
                name: name[i].clone(),
                relation: rel.get(i).cloned().unwrap_or_default(),
                phone: phone.get(i).cloned().unwrap_or_default(),
            })
            .collect()
    };
    let vehicles = {
        let (plate, kind, space) = (col("vehicle_plate"), col("vehicle_type"), col("vehicle_space"));
        (0..plate.len())
            .map(|i| VehicleInput {
                plate: plate[i].clone(),
                vehicle_type: kind.get(i).cloned().unwrap_or_default(),
                parking_space: space.get(i).cloned().unwrap_or_default(),
            })
            .collect()
    };
    let bank_accounts = {
        let (name, bank, no, primary) = (col("bank_account_name"), col("bank_name"), col("bank_account_no"), col("bank_primary"));
        (0..name.len())
            .map(|i| BankInput {
                account_name: name[i].clone(),
                bank: bank.get(i).cloned().unwrap_or_default(),
                account_no: no.get(i).cloned().unwrap_or_default(),
                is_primary: primary.get(i).is_some_and(|p| p == "1"),
            })
            .collect()
    };
    CustomerInput {
        org_unit_id: f.int("org_unit_id"),
        code: f.get("code"),
        name: f.get("name"),
        kind: f.get("kind"),
        gender: f.get("gender"),
        id_type: f.get("id_type"),
        id_number: f.get("id_number"),
        birthday: f.get("birthday"),
        phones: f.all("phones"),
        email: f.get("email"),
        work_unit: f.get("work_unit"),
        category: f.get("category"),
        remarks: f.get("remarks"),
        tags: f.all("tags"),
        members,
        contacts,
        vehicles,
        bank_accounts,
    }
}

fn ok_state(id: Option<i32>, version: Option<i32>) -> FormState {
    FormState { id, version, error: None, errors: FieldErrors::new(), status: StatusCode::OK }
}

/// The form state after a refused save: messages beside the fields.
fn refused_state(e: AppError, id: Option<i32>, version: Option<i32>) -> Result<FormState, PageError> {
    match e {
        AppError::Validation(errors) => Ok(FormState {
            id,
            version,
            error: Some("提交的内容有误，请检查标出的字段".into()),
            errors,
            status: StatusCode::UNPROCESSABLE_ENTITY,
        }),
        AppError::Conflict(m) => Ok(FormState { id, version, error: Some(m), errors: FieldErrors::new(), status: StatusCode::CONFLICT }),
        other => Err(other.into()),
    }
}

#[derive(Deserialize)]
pub struct NewQuery {
    code: Option<String>,
    org_unit_id: Option<i32>,
}

pub async fn new_form(State(st): State<SharedState>, auth: PageAuth, Query(q): Query<NewQuery>) -> Result<Response, PageError> {
    auth.caller.require("customer.create")?;
    let office = q.org_unit_id.or(project::offices_in_scope(&st.db, &auth.caller).await?.first().map(|(id, _)| *id));
    let v = CustomerInput {
        org_unit_id: office,
        code: q.code.unwrap_or_default(),
        kind: "person".into(),
        id_type: IdType::MainlandId.code().into(),
        ..Default::default()
    };
    form_response(&st, &auth, v, ok_state(None, None)).await
}

pub async fn create(State(st): State<SharedState>, auth: PageAuth, f: FormData) -> Result<Response, PageError> {
    let v = input_of(&f);
    match record::create(&st.db, &auth.caller, &v).await {
        Ok(c) => Ok(redirect_with_flash(&format!("{BASE}/{}", c.customer.id), &format!("已新增客户 {}", c.customer.name))),
        Err(e) => {
            let s = refused_state(e, None, None)?;
            form_response(&st, &auth, v, s).await
        }
    }
}

fn input_from_view(c: &CustomerView) -> CustomerInput {
    CustomerInput {
        org_unit_id: Some(c.customer.org_unit_id),
        code: c.customer.code.clone(),
        name: c.customer.name.clone(),
        kind: c.customer.kind.clone(),
        gender: c.customer.gender.clone(),
        id_type: c.customer.id_type.clone(),
        id_number: c.customer.id_number.clone(),
        birthday: c.customer.birthday.map(|d| d.to_string()).unwrap_or_default(),
        phones: c.phones.clone(),
        email: c.customer.email.clone(),
        work_unit: c.customer.work_unit.clone(),
        category: c.customer.category.clone(),
        remarks: c.customer.remarks.clone(),
        tags: c.tags.clone(),
        members: c
            .members
            .iter()
            .map(|m| MemberInput {
                relation: m.relation.clone(),
                name: m.name.clone(),
                phone: m.phone.clone(),
                gender: m.gender.clone(),
                birthday: m.birthday.map(|d| d.to_string()).unwrap_or_default(),
            })
            .collect(),
        contacts: c
            .contacts
            .iter()
            .map(|k| ContactInput { name: k.name.clone(), relation: k.relation.clone(), phone: k.phone.clone() })
            .collect(),
        vehicles: c
            .vehicles
            .iter()
            .map(|v| VehicleInput { plate: v.plate.clone(), vehicle_type: v.vehicle_type.clone(), parking_space: v.parking_space.clone() })
            .collect(),
        bank_accounts: c
            .bank_accounts
            .iter()
            .map(|b| BankInput {
                account_name: b.account_name.clone(),
                bank: b.bank.clone(),
                account_no: b.account_no.clone(),
                is_primary: b.is_primary,
            })
            .collect(),
    }
}

pub async fn edit_form(State(st): State<SharedState>, auth: PageAuth, Path(id): Path<i32>) -> Result<Response, PageError> {
    auth.caller.require("customer.edit")?;
    let c = record::get(&st.db, &auth.caller, id).await?;
    form_response(&st, &auth, input_from_view(&c), ok_state(Some(id), Some(c.customer.version))).await
}

pub async fn update(State(st): State<SharedState>, auth: PageAuth, Path(id): Path<i32>, f: FormData) -> Result<Response, PageError> {
    let existing = record::get_model(&st.db.conn, &auth.caller, id).await?;
    let v = CustomerInput { name: existing.name.clone(), ..input_of(&f) };
    match record::update(&st.db, &auth.caller, id, f.version(), &v).await {
        Ok(c) => Ok(redirect_with_flash(&format!("{BASE}/{}", c.customer.id), "已保存")),
        Err(e) => {
            let s = refused_state(e, Some(id), Some(f.version()))?;
            form_response(&st, &auth, v, s).await
        }
    }
}

/// A work order on the 360 page, with its completion clock (SLA-2).
struct OrderRow {
    order: app::workorder::WorkOrder,
    state: &'static str,
    created: String,
    due: String,
    overdue: bool,
}

#[derive(Template)]
#[template(path = "customer/show.html")]
struct ShowPage {
    shell: Shell,
    c: CustomerView,
    gender: &'static str,
    birthday: String,
    rooms: Vec<record::HeldRoom>,
    renames: Vec<RenameView>,
    timeline: Vec<(String, String, String)>,
    /// The customer's work orders: (id, number, state, category, description, created).
    orders: Vec<OrderRow>,
    can_edit: bool,
    can_rename: bool,
    can_disable: bool,
    /// The customer's order and care visits.
    visits: Vec<crate::visit::VisitRow>,
    can_visit: bool,
}

pub async fn show(State(st): State<SharedState>, auth: PageAuth, Path(id): Path<i32>) -> Result<Response, PageError> {
    let c = record::get(&st.db, &auth.caller, id).await?;
    let rooms = record::room_history(&st.db, &auth.caller, id).await?;
    let renames =
        rename::list(&st.db, &auth.caller, &PageRequest { per_page: Some(100), ..Default::default() }, None, Some(id)).await?.items;
    let timeline = record::timeline(&st.db, &auth.caller, id)
        .await?
        .into_iter()
        .map(|r| {
            (
                local_time(st.tz, r.at),
                r.user_name,
                if r.summary.is_empty() { AuditAction::label_of(&r.action).to_string() } else { r.summary },
            )
        })
        .collect();
    let orders = if auth.caller.can("workorder.view") {
        let filter = app::workorder::WorkOrderFilter { customer_id: Some(id), ..Default::default() };
        app::workorder::list(&st.db, &auth.caller, &PageRequest { per_page: Some(50), ..Default::default() }, &filter)
            .await?
            .items
            .into_iter()
            .map(|o| OrderRow {
                created: local_time(st.tz, o.order.created_at),
                due: crate::view::local_time_opt(st.tz, o.order.complete_due),
                overdue: o.overdue,
                state: o.state_label,
                order: o.order,
            })
            .collect()
    } else {
        vec![]
    };
    let visits = crate::visit::rows_for(&st, &auth.caller, app::visit::VisitFilter { customer_id: Some(id), ..Default::default() }).await?;
    let page = ShowPage {
        orders,
        visits,
        can_visit: auth.caller.can("visit.create"),
        shell: shell(&st, &auth, "customer", &c.customer.name).await,
        gender: match c.customer.gender.as_str() {
            "male" => "男",
            "female" => "女",
            _ => "",
        },
        birthday: c.customer.birthday.map(|d| d.to_string()).unwrap_or_default(),
        rooms,
        renames,
        timeline,
        can_edit: auth.caller.can("customer.edit"),
        can_rename: auth.caller.can("rename.create"),
        can_disable: auth.caller.can("customer.disable"),
        c,
    };
    Ok(render(&page, auth.flash.is_some()))
}

/// Deletes a customer entered by mistake; one with history is refused with
/// the reason as a toast.
pub async fn delete(State(st): State<SharedState>, auth: PageAuth, Path(id): Path<i32>, f: FormData) -> Result<Response, PageError> {
    match record::delete(&st.db, &auth.caller, id, f.version()).await {
        Ok(()) => Ok(redirect_with_flash(BASE, "已删除误录的客户")),
        Err(AppError::Conflict(m)) => Ok(redirect_with_flash(&format!("{BASE}/{id}"), &format!("!{m}"))),
        Err(e) => Err(e.into()),
    }
}

pub async fn enable(State(st): State<SharedState>, auth: PageAuth, Path(id): Path<i32>, f: FormData) -> Result<Response, PageError> {
    let r = record::set_enabled(&st.db, &auth.caller, id, f.version(), true).await.map(|c| format!("已启用客户 {}", c.customer.name));
    state_change(&format!("{BASE}/{id}"), r)
}

pub async fn disable(State(st): State<SharedState>, auth: PageAuth, Path(id): Path<i32>, f: FormData) -> Result<Response, PageError> {
    let r = record::set_enabled(&st.db, &auth.caller, id, f.version(), false).await.map(|c| format!("已禁用客户 {}", c.customer.name));
    state_change(&format!("{BASE}/{id}"), r)
}

fn rename_view(id: i32, old_name: &str, input: &RenameInput) -> FormView {
    let mut form = FormView::new(
        &format!("客户更名申请：{old_name}"),
        format!("{BASE}/{id}/rename"),
        &format!("{BASE}/{id}"),
        vec![Section::new(
            "",
            vec![
                Field::new("text", "old_name", "原名称", old_name).readonly(),
                Field::new("text", "new_name", "新名称", input.new_name.clone()).required(),
                Field::new("textarea", "reason", "更名原因", input.reason.clone())
                    .required()
                    .hint("如：房屋过户、证件更名；审批通过后名称才会变更"),
            ],
        )],
    );
    form.submit_label = "提交审批".into();
    form
}

pub async fn rename_form(State(st): State<SharedState>, auth: PageAuth, Path(id): Path<i32>) -> Result<Response, PageError> {
    auth.caller.require("rename.create")?;
    let c = record::get_model(&st.db.conn, &auth.caller, id).await?;
    Ok(form_page(&st, &auth, "customer", rename_view(id, &c.name, &RenameInput::default()), StatusCode::OK).await)
}

pub async fn rename_submit(State(st): State<SharedState>, auth: PageAuth, Path(id): Path<i32>, f: FormData) -> Result<Response, PageError> {
    let c = record::get_model(&st.db.conn, &auth.caller, id).await?;
    let input = RenameInput { new_name: f.get("new_name"), reason: f.get("reason") };
    match rename::request(&st.db, &auth.caller, id, &input).await {
        Ok(o) => Ok(redirect_with_flash(&format!("{BASE}/{id}"), &format!("已提交更名单 {}，待审批", o.order.number))),
        Err(e) => {
            let (form, status) = refused(e, rename_view(id, &c.name, &input))?;
            Ok(form_page(&st, &auth, "customer", form, status).await)
        }
    }
}

#[derive(Deserialize, Default)]
pub struct RenameQuery {
    status: Option<String>,
}

pub async fn renames(
    State(st): State<SharedState>,
    auth: PageAuth,
    Query(req): Query<PageRequest>,
    Query(q): Query<RenameQuery>,
) -> Result<Response, PageError> {
    let page = rename::list(&st.db, &auth.caller, &req, q.status.as_deref(), None).await?;
    let mut l = ListView::new("客户更名单", &format!("{BASE}/renames"), &req, &[("status", q.status.clone())]);
    l.search_hint = "单号/原名称/新名称".into();
    l.filters.push(FilterField::select(
        "status",
        "状态",
        q.status.clone(),
        vec![("pending".into(), "待审批".into()), ("approved".into(), "已批准".into()), ("rejected".into(), "已驳回".into())],
    ));
    l.column("单号", None, false)
        .column("客户编号", None, false)
        .column("原名称", None, false)
        .column("新名称", None, false)
        .column("原因", None, false)
        .column("申请人", None, false)
        .column("申请时间", None, false)
        .column("状态", None, false)
        .column("审批人", None, false);
    let can_approve = auth.caller.can("rename.approve");
    let me = auth.caller.user_id;
    l.fill(page, |r: &RenameView| Row {
        cells: vec![
            Cell::text(&r.order.number),
            Cell::link(&r.customer_code, format!("{BASE}/{}", r.order.customer_id)),
            Cell::text(&r.order.old_name),
            Cell::text(&r.order.new_name),
            Cell::text(&r.order.reason),
            Cell::text(&r.requested_by_name),
            Cell::text(local_time(st.tz, r.order.created_at)),
            Cell::tag(
                r.status_label,
                if r.order.status == "pending" {
                    "blue"
                } else if r.order.status == "approved" {
                    "green"
                } else {
                    "grey"
                },
            ),
            Cell::text(&r.decided_by_name),
        ],
        actions: if can_approve && r.order.status == "pending" && r.order.requested_by != me {
            vec![
                RowAction::post(
                    "批准",
                    format!("{BASE}/renames/{}/approve", r.order.id),
                    r.order.version,
                    &format!("批准后客户名称将改为“{}”，确定批准？", r.order.new_name),
                    false,
                ),
                RowAction {
                    reason: true,
                    ..RowAction::post("驳回", format!("{BASE}/renames/{}/reject", r.order.id), r.order.version, "确定驳回该更名单？", true)
                },
            ]
        } else {
            vec![]
        },
    });
    l.empty_hint = "没有符合条件的更名单".into();
    Ok(list_page(&st, &auth, "customer", l, false).await)
}

pub async fn approve(State(st): State<SharedState>, auth: PageAuth, Path(id): Path<i32>, f: FormData) -> Result<Response, PageError> {
    let r = rename::decide(&st.db, &auth.caller, id, f.version(), true, &f.get("reason"))
        .await
        .map(|o| format!("已批准更名单 {}", o.order.number));
    state_change(&format!("{BASE}/renames?status=pending"), r)
}

pub async fn reject(State(st): State<SharedState>, auth: PageAuth, Path(id): Path<i32>, f: FormData) -> Result<Response, PageError> {
    let r = rename::decide(&st.db, &auth.caller, id, f.version(), false, &f.get("reason"))
        .await
        .map(|o| format!("已驳回更名单 {}", o.order.number));
    state_change(&format!("{BASE}/renames?status=pending"), r)
}
