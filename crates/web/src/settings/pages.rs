use app::{
    entity::{dict_item, holiday, numbering_rule, work_calendar},
    org::unit,
    settings::{self, CalendarInput, DictItemInput, HolidayInput, RuleInput},
    AppError, Caller, Page, PageRequest,
};
use askama::Template;
use axum::{
    extract::{Path, Query, State},
    http::StatusCode,
    response::Response,
};
use chrono::{Datelike, Utc};
use domain::{
    org::OrgUnitKind,
    settings::{NumberingRule, ResetPeriod, WorkWeek, DICTIONARIES},
    FieldErrors,
};
use serde::Deserialize;

use crate::{
    auth::{redirect_with_flash, PageAuth},
    error::PageError,
    form::FormData,
    shell::{form_page, list_page, refused, render, shell, ListMode, Shell},
    view::{Cell, Field, FilterField, FormView, Link, ListView, Row, RowAction, Section, SelectOption},
    SharedState,
};

#[derive(Debug, Deserialize, Default)]
pub struct SettingsQuery {
    #[serde(default)]
    company: Option<String>,
    #[serde(default, rename = "type")]
    dict_type: Option<String>,
}

impl SettingsQuery {
    fn company(&self, caller: &Caller) -> Result<i32, AppError> {
        settings::company_for(caller, self.company.as_deref().and_then(|c| c.parse().ok()))
    }

    fn dict_type(&self) -> &'static str {
        DICTIONARIES.iter().find(|d| Some(d.code) == self.dict_type.as_deref()).map_or(DICTIONARIES[0].code, |d| d.code)
    }
}

pub async fn company_options(st: &SharedState, caller: &Caller, selected: i32) -> Result<Vec<SelectOption>, AppError> {
    Ok(unit::tree(&st.db, caller)
        .await
        .or_else(|_| Ok::<_, AppError>(vec![]))?
        .into_iter()
        .filter(|n| n.unit.kind == OrgUnitKind::Company.code())
        .map(|n| SelectOption::new(n.unit.id, n.unit.name, n.unit.id == selected))
        .collect())
}

// ---- dictionaries ----

pub async fn dictionaries(
    State(st): State<SharedState>,
    auth: PageAuth,
    Query(q): Query<SettingsQuery>,
    mode: ListMode,
) -> Result<Response, PageError> {
    mode.prepare(&auth.caller, "settings.export", PageRequest::default())?;
    let export = mode.export;
    let company = q.company(&auth.caller)?;
    let dict_type = q.dict_type();
    let items = settings::list_items(&st.db, &auth.caller, company, dict_type).await?;
    let req = PageRequest { per_page: Some(items.len().max(1) as u64), ..Default::default() };
    let mut l = ListView::new(
        "辅助资料",
        "/system/dictionaries",
        &req,
        &[("company", Some(company.to_string())), ("type", Some(dict_type.into()))],
    );
    l.search_hint = "".into();
    let company_options = company_options(&st, &auth.caller, company).await?;
    if company_options.len() > 1 {
        l.filters.push(FilterField::select(
            "company",
            "公司",
            Some(company.to_string()),
            company_options.iter().map(|o| (o.value.clone(), o.label.clone())).collect(),
        ));
    }
    l.filters.push(FilterField::select(
        "type",
        "资料类别",
        Some(dict_type.into()),
        DICTIONARIES.iter().map(|d| (d.code.to_string(), d.label.to_string())).collect(),
    ));
    if auth.caller.can("settings.configure") {
        l.toolbar.push(Link::new("新增", format!("/system/dictionaries/new?company={company}&type={dict_type}")));
    }
    l.column("名称", None, false).column("排序", None, true).column("状态", None, false);
    let can_edit = auth.caller.can("settings.configure");
    let page = Page::all(items);
    l.fill(page, |i: &dict_item::Model| Row {
        cells: vec![
            Cell::text(&i.label),
            Cell { right: true, ..Cell::text(i.sort_order.to_string()) },
            if i.enabled { Cell::tag("启用", "green") } else { Cell::tag("已停用", "struck") },
        ],
        actions: if can_edit { vec![RowAction::get("编辑", format!("/system/dictionaries/{}/edit", i.id))] } else { vec![] },
    });
    l.empty_hint = "该类别暂无资料，点击“新增”添加".into();
    if auth.caller.can("settings.export") {
        l.export("/system/dictionaries/export");
    }
    Ok(list_page(&st, &auth, "system", l, export).await)
}

fn dict_form(id: Option<i32>, company: i32, input: &DictItemInput) -> FormView {
    let type_options = DICTIONARIES.iter().map(|d| SelectOption::new(d.code, d.label, d.code == input.dict_type)).collect();
    let mut type_field = Field::new("select", "dict_type", "资料类别", "").required().options(type_options);
    if id.is_some() {
        type_field = type_field.readonly();
    }
    let fields = vec![
        type_field,
        Field::new("text", "label", "名称", input.label.clone()).required(),
        Field::new("number", "sort_order", "排序", input.sort_order.map(|s| s.to_string()).unwrap_or_default()).hint("数字小的在前"),
        Field::new("bool", "enabled", "状态", if input.enabled.unwrap_or(true) { "1" } else { "" })
            .hint("启用（停用后不再出现在选择列表中，历史数据不受影响）"),
    ];
    let back = format!("/system/dictionaries?company={company}&type={}", input.dict_type);
    match id {
        Some(id) => FormView::new("编辑辅助资料", format!("/system/dictionaries/{id}/edit"), &back, vec![Section::new("", fields)]),
        None => FormView::new("新增辅助资料", format!("/system/dictionaries/new?company={company}"), &back, vec![Section::new("", fields)]),
    }
}

fn dict_input(f: &FormData) -> DictItemInput {
    DictItemInput {
        dict_type: f.get("dict_type"),
        label: f.get("label"),
        sort_order: f.int("sort_order"),
        enabled: Some(f.checked("enabled")),
    }
}

pub async fn dict_new(State(st): State<SharedState>, auth: PageAuth, Query(q): Query<SettingsQuery>) -> Result<Response, PageError> {
    auth.caller.require("settings.configure")?;
    let company = q.company(&auth.caller)?;
    let input = DictItemInput { dict_type: q.dict_type().into(), enabled: Some(true), ..Default::default() };
    Ok(form_page(&st, &auth, "system", dict_form(None, company, &input), StatusCode::OK).await)
}

pub async fn dict_create(
    State(st): State<SharedState>,
    auth: PageAuth,
    Query(q): Query<SettingsQuery>,
    f: FormData,
) -> Result<Response, PageError> {
    let company = q.company(&auth.caller)?;
    let input = dict_input(&f);
    match settings::create_item(&st.db, &auth.caller, company, &input).await {
        Ok(i) => Ok(redirect_with_flash(
            &format!("/system/dictionaries?company={company}&type={}", i.dict_type),
            &format!("已新增“{}”", i.label),
        )),
        Err(e) => {
            let (form, status) = refused(e, dict_form(None, company, &input))?;
            Ok(form_page(&st, &auth, "system", form, status).await)
        }
    }
}

pub async fn dict_edit(State(st): State<SharedState>, auth: PageAuth, Path(id): Path<i32>) -> Result<Response, PageError> {
    auth.caller.require("settings.configure")?;
    let i = settings::get_item(&st.db.conn, &auth.caller, id).await?;
    let input =
        DictItemInput { dict_type: i.dict_type.clone(), label: i.label.clone(), sort_order: Some(i.sort_order), enabled: Some(i.enabled) };
    Ok(form_page(&st, &auth, "system", dict_form(Some(id), i.company_id, &input).version(i.version), StatusCode::OK).await)
}

pub async fn dict_update(State(st): State<SharedState>, auth: PageAuth, Path(id): Path<i32>, f: FormData) -> Result<Response, PageError> {
    let existing = settings::get_item(&st.db.conn, &auth.caller, id).await?;
    let input = DictItemInput { dict_type: existing.dict_type.clone(), ..dict_input(&f) };
    match settings::update_item(&st.db, &auth.caller, id, f.version(), &input).await {
        Ok(i) => Ok(redirect_with_flash(&format!("/system/dictionaries?company={}&type={}", i.company_id, i.dict_type), "已保存")),
        Err(e) => {
            let (form, status) = refused(e, dict_form(Some(id), existing.company_id, &input).version(f.version()))?;
            Ok(form_page(&st, &auth, "system", form, status).await)
        }
    }
}

// ---- numbering ----

fn doc_label(code: &str) -> &'static str {
    domain::settings::NUMBERING_DEFAULTS.iter().find(|d| d.0 == code).map_or("", |d| d.1)
}

fn example(r: &numbering_rule::Model, tz: chrono_tz::Tz) -> String {
    let rule = NumberingRule {
        prefix: r.prefix.clone(),
        reset: ResetPeriod::from_code(&r.reset).unwrap_or(ResetPeriod::Never),
        width: r.width as u32,
    };
    rule.format(Utc::now().with_timezone(&tz).date_naive(), 1)
}

pub async fn numbering(
    State(st): State<SharedState>,
    auth: PageAuth,
    Query(q): Query<SettingsQuery>,
    mode: ListMode,
) -> Result<Response, PageError> {
    mode.prepare(&auth.caller, "settings.export", PageRequest::default())?;
    let export = mode.export;
    let company = q.company(&auth.caller)?;
    let rules = settings::list_rules(&st.db, &auth.caller, company).await?;
    let req = PageRequest { per_page: Some(rules.len().max(1) as u64), ..Default::default() };
    let mut l = ListView::new("编号规则", "/system/numbering", &req, &[("company", Some(company.to_string()))]);
    let company_options = company_options(&st, &auth.caller, company).await?;
    if company_options.len() > 1 {
        l.filters.push(FilterField::select(
            "company",
            "公司",
            Some(company.to_string()),
            company_options.iter().map(|o| (o.value.clone(), o.label.clone())).collect(),
        ));
    }
    l.column("单据", None, false).column("前缀", None, false).column("重置周期", None, false).column("流水号位数", None, true).column(
        "编号示例",
        None,
        false,
    );
    let can_edit = auth.caller.can("settings.configure");
    let tz = st.tz;
    let page = Page::all(rules);
    l.fill(page, |r: &numbering_rule::Model| Row {
        cells: vec![
            Cell::text(doc_label(&r.doc_type)),
            Cell::text(&r.prefix),
            Cell::text(ResetPeriod::from_code(&r.reset).map_or("", ResetPeriod::label)),
            Cell { right: true, ..Cell::text(r.width.to_string()) },
            Cell::text(example(r, tz)),
        ],
        actions: if can_edit { vec![RowAction::get("编辑", format!("/system/numbering/{}/edit", r.id))] } else { vec![] },
    });
    if auth.caller.can("settings.export") {
        l.export("/system/numbering/export");
    }
    Ok(list_page(&st, &auth, "system", l, export).await)
}

fn rule_form(r: &numbering_rule::Model, input: &RuleInput) -> FormView {
    let resets = ResetPeriod::ALL.into_iter().map(|p| SelectOption::new(p.code(), p.label(), p.code() == input.reset)).collect();
    FormView::new(
        &format!("编辑编号规则：{}", doc_label(&r.doc_type)),
        format!("/system/numbering/{}/edit", r.id),
        &format!("/system/numbering?company={}", r.company_id),
        vec![Section::new(
            "",
            vec![
                Field::new("text", "prefix", "前缀", input.prefix.clone()).required().hint("字母或数字，如 WO"),
                Field::new("select", "reset", "重置周期", "")
                    .required()
                    .options(resets)
                    .hint("按日：WO-20261122-0001；按月：WO-202611-0001"),
                Field::new("number", "width", "流水号位数", input.width.map(|w| w.to_string()).unwrap_or_default()).required(),
            ],
        )],
    )
}

pub async fn rule_edit(State(st): State<SharedState>, auth: PageAuth, Path(id): Path<i32>) -> Result<Response, PageError> {
    auth.caller.require("settings.configure")?;
    let r = settings::get_rule(&st.db, &auth.caller, id).await?;
    let input = RuleInput { prefix: r.prefix.clone(), reset: r.reset.clone(), width: Some(r.width as i64) };
    Ok(form_page(&st, &auth, "system", rule_form(&r, &input).version(r.version), StatusCode::OK).await)
}

pub async fn rule_update(State(st): State<SharedState>, auth: PageAuth, Path(id): Path<i32>, f: FormData) -> Result<Response, PageError> {
    let r = settings::get_rule(&st.db, &auth.caller, id).await?;
    let input = RuleInput { prefix: f.get("prefix"), reset: f.get("reset"), width: f.get("width").trim().parse().ok() };
    match settings::update_rule(&st.db, &auth.caller, id, f.version(), &input).await {
        Ok(r) => Ok(redirect_with_flash(&format!("/system/numbering?company={}", r.company_id), "已保存")),
        Err(e) => {
            let (form, status) = refused(e, rule_form(&r, &input).version(f.version()))?;
            Ok(form_page(&st, &auth, "system", form, status).await)
        }
    }
}

// ---- calendar ----

struct HolidayRow {
    id: i32,
    day: String,
    weekday: &'static str,
    kind: String,
    name: String,
}

#[derive(Template)]
#[template(path = "settings/calendar.html")]
struct CalendarPage {
    shell: Shell,
    companies: Vec<SelectOption>,
    company: i32,
    form: FormView,
    can_edit: bool,
    holidays: Vec<HolidayRow>,
    holiday_day: String,
    holiday_kind: String,
    holiday_name: String,
    holiday_errors: FieldErrors,
}

const WEEKDAYS: [&str; 7] = ["星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日"];

fn calendar_form(company: i32, input: &CalendarInput, can_edit: bool) -> FormView {
    let days = input.work_days.concat();
    let day_options = WEEKDAYS.iter().enumerate().map(|(i, l)| SelectOption::new(i + 1, *l, days.contains(&(i + 1).to_string()))).collect();
    let mut form = FormView::new(
        "工作时间",
        format!("/system/calendar?company={company}"),
        "/system/calendar",
        vec![
            Section::new("工作日", vec![Field::new("checks", "work_days", "每周工作日", "").required().options(day_options)]),
            Section::new(
                "工作时间",
                vec![
                    Field::new("time", "work_start", "上班时间", input.work_start.clone()).required(),
                    Field::new("time", "work_end", "下班时间", input.work_end.clone()).required(),
                    Field::new("time", "lunch_start", "午休开始", input.lunch_start.clone()).hint("不设午休请留空"),
                    Field::new("time", "lunch_end", "午休结束", input.lunch_end.clone()),
                ],
            ),
        ],
    );
    if !can_edit {
        form.submit_label = String::new();
    }
    form
}

fn calendar_input(c: &work_calendar::Model) -> CalendarInput {
    CalendarInput {
        work_days: WorkWeek::parse(&c.work_days).map(|w| w.code()).unwrap_or_default().chars().map(String::from).collect(),
        work_start: c.work_start.clone(),
        work_end: c.work_end.clone(),
        lunch_start: c.lunch_start.clone(),
        lunch_end: c.lunch_end.clone(),
    }
}

struct HolidayDraft {
    input: HolidayInput,
    errors: FieldErrors,
}

async fn calendar_page(
    st: &SharedState,
    auth: &PageAuth,
    company: i32,
    form: FormView,
    draft: HolidayDraft,
    status: StatusCode,
) -> Result<Response, PageError> {
    let holidays = settings::list_holidays(&st.db, &auth.caller, company)
        .await?
        .into_iter()
        .map(|h: holiday::Model| HolidayRow {
            id: h.id,
            weekday: WEEKDAYS[h.day.weekday().num_days_from_monday() as usize],
            day: h.day.to_string(),
            kind: h.kind,
            name: h.name,
        })
        .collect();
    let page = CalendarPage {
        shell: shell(st, auth, "system", "工作日历").await,
        companies: company_options(st, &auth.caller, company).await?,
        company,
        form,
        can_edit: auth.caller.can("settings.configure"),
        holidays,
        holiday_day: draft.input.day,
        holiday_kind: if draft.input.kind.is_empty() { "holiday".into() } else { draft.input.kind },
        holiday_name: draft.input.name,
        holiday_errors: draft.errors,
    };
    let mut r = render(&page, auth.flash.is_some());
    *r.status_mut() = status;
    Ok(r)
}

fn no_draft() -> HolidayDraft {
    HolidayDraft { input: HolidayInput::default(), errors: FieldErrors::new() }
}

pub async fn calendar(State(st): State<SharedState>, auth: PageAuth, Query(q): Query<SettingsQuery>) -> Result<Response, PageError> {
    let company = q.company(&auth.caller)?;
    let c = settings::get_calendar(&st.db, &auth.caller, company).await?;
    let form = calendar_form(company, &calendar_input(&c), auth.caller.can("settings.configure")).version(c.version);
    calendar_page(&st, &auth, company, form, no_draft(), StatusCode::OK).await
}

pub async fn calendar_update(
    State(st): State<SharedState>,
    auth: PageAuth,
    Query(q): Query<SettingsQuery>,
    f: FormData,
) -> Result<Response, PageError> {
    let company = q.company(&auth.caller)?;
    let input = CalendarInput {
        work_days: f.all("work_days"),
        work_start: f.get("work_start"),
        work_end: f.get("work_end"),
        lunch_start: f.get("lunch_start"),
        lunch_end: f.get("lunch_end"),
    };
    match settings::update_calendar(&st.db, &auth.caller, company, f.version(), &input).await {
        Ok(_) => Ok(redirect_with_flash(&format!("/system/calendar?company={company}"), "工作日历已保存")),
        Err(e) => {
            let (form, status) = refused(e, calendar_form(company, &input, true).version(f.version()))?;
            calendar_page(&st, &auth, company, form, no_draft(), status).await
        }
    }
}

pub async fn holiday_add(
    State(st): State<SharedState>,
    auth: PageAuth,
    Query(q): Query<SettingsQuery>,
    f: FormData,
) -> Result<Response, PageError> {
    let company = q.company(&auth.caller)?;
    let input = HolidayInput { day: f.get("day"), kind: f.get("kind"), name: f.get("name") };
    match settings::add_holiday(&st.db, &auth.caller, company, &input).await {
        Ok(h) => Ok(redirect_with_flash(&format!("/system/calendar?company={company}"), &format!("已设置 {}", h.day))),
        Err(AppError::Validation(errors)) => {
            let c = settings::get_calendar(&st.db, &auth.caller, company).await?;
            let form = calendar_form(company, &calendar_input(&c), true).version(c.version);
            calendar_page(&st, &auth, company, form, HolidayDraft { input, errors }, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn holiday_delete(
    State(st): State<SharedState>,
    auth: PageAuth,
    Query(q): Query<SettingsQuery>,
    Path(id): Path<i32>,
) -> Result<Response, PageError> {
    let company = q.company(&auth.caller)?;
    settings::delete_holiday(&st.db, &auth.caller, id).await?;
    Ok(redirect_with_flash(&format!("/system/calendar?company={company}"), "已删除"))
}
