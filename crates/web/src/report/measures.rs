//! 报表 → 服务指标 (SLA-3, RPT-3): the service measures of work orders per
//! project, category, engineer or month with a total row, its Excel export,
//! the workbench card and the JSON API.

use app::{
    property::project,
    report::measures::{self, GroupBy, MeasureFilter, MeasureReport, MeasureRow, MeasuresView, RateView},
    settings, AppError,
};
use askama::Template;
use axum::{
    extract::{Query, State},
    response::Response,
    routing::get,
    Json, Router,
};
use serde::Deserialize;

use crate::{
    api::ApiResult,
    auth::{ApiAuth, PageAuth},
    error::PageError,
    shell::{list_page, render, shell, ListMode, Shell},
    view::{thousands, urlencode, Cell, ListView, Row, SelectOption},
    SharedState,
};

pub const BASE: &str = "/reports/workorder-measures";

pub fn routes() -> Router<SharedState> {
    Router::new()
        .route(BASE, get(page))
        .route("/reports/workorder-measures/export", get(page))
        .route("/api/v1/work-order-measures", get(api))
}

/// The page's filters as they come in the URL (an empty select is 全部).
#[derive(Debug, Deserialize, Default)]
pub struct PageQuery {
    #[serde(default)]
    group_by: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    project_id: String,
    #[serde(default)]
    category: String,
    #[serde(default)]
    engineer_id: String,
}

impl PageQuery {
    fn group_by(&self) -> GroupBy {
        GroupBy::from_code(&self.group_by).unwrap_or_default()
    }

    fn filter(&self) -> MeasureFilter {
        MeasureFilter {
            from_month: self.from.clone(),
            to_month: self.to.clone(),
            project_id: self.project_id.trim().parse().ok(),
            category: Some(self.category.trim().to_string()).filter(|c| !c.is_empty()),
            engineer_id: self.engineer_id.trim().parse().ok(),
        }
    }

    /// `path` with the current filters, some of them changed.
    fn href(&self, path: &str, changes: &[(&str, String)]) -> String {
        let mut params = [
            ("group_by", self.group_by().code().to_string()),
            ("from", self.from.clone()),
            ("to", self.to.clone()),
            ("project_id", self.project_id.clone()),
            ("category", self.category.clone()),
            ("engineer_id", self.engineer_id.clone()),
        ];
        for (k, v) in changes {
            if let Some(p) = params.iter_mut().find(|(name, _)| name == k) {
                p.1 = v.clone();
            }
        }
        let q: Vec<String> = params.iter().filter(|(_, v)| !v.is_empty()).map(|(k, v)| format!("{k}={}", urlencode(v))).collect();
        format!("{path}?{}", q.join("&"))
    }
}

const COLUMNS: [&str; 8] = ["工单数", "已完工", "超时", "及时率", "一次修复率", "平均处理时长（小时）", "回访率", "满意率"];

fn right(text: String, title: String) -> Cell {
    Cell { right: true, title, ..Cell::text(text) }
}

fn rate(r: &RateView) -> Cell {
    right(r.text.clone(), format!("{} / {}", r.numerator, r.denominator))
}

fn cells(m: &MeasuresView) -> Vec<Cell> {
    vec![
        right(thousands(m.orders), String::new()),
        right(thousands(m.completed), String::new()),
        right(thousands(m.overdue), String::new()),
        rate(&m.timeliness),
        rate(&m.first_time_fix),
        right(m.average_handling_hours.clone(), String::new()),
        rate(&m.return_visit),
        rate(&m.satisfaction),
    ]
}

/// A project's or engineer's row opens its months over the same period.
fn drill_down(q: &PageQuery, group_by: GroupBy, row: &MeasureRow) -> Option<String> {
    let param = match group_by {
        GroupBy::Project => "project_id",
        GroupBy::Engineer if !row.key.is_empty() => "engineer_id",
        _ => return None,
    };
    Some(q.href(BASE, &[("group_by", GroupBy::Month.code().into()), (param, row.key.clone())]))
}

/// The report as a table: one row per group and the total last. The page
/// and the Excel export show these same rows.
fn table(q: &PageQuery, group_by: GroupBy, report: Option<&MeasureReport>) -> ListView {
    let mut l = ListView { title: "服务指标".into(), base: BASE.into(), ..Default::default() };
    l.column(group_by.label(), None, false);
    for c in COLUMNS {
        l.column(c, None, true);
    }
    if let Some(r) = report {
        l.title = format!("服务指标（按{}）{}至{}", group_by.label(), r.from, r.to);
        for row in &r.rows {
            let label = match drill_down(q, group_by, row) {
                Some(href) => Cell::link(&row.label, href),
                None => Cell::text(&row.label),
            };
            l.rows.push(Row { cells: [vec![label], cells(&row.measures)].concat(), actions: vec![] });
        }
        l.rows.push(Row { cells: [vec![Cell::text(&r.total.label)], cells(&r.total.measures)].concat(), actions: vec![] });
    }
    l
}

#[derive(Template)]
#[template(path = "report/measures.html")]
struct MeasuresPage {
    shell: Shell,
    q: PageQuery,
    period: String,
    group_options: Vec<SelectOption>,
    projects: Vec<SelectOption>,
    categories: Vec<SelectOption>,
    engineers: Vec<SelectOption>,
    table: ListView,
    error: Option<String>,
    export_href: Option<String>,
}

/// The service measures page, or its Excel export under `…/export`.
pub async fn page(
    State(st): State<SharedState>,
    auth: PageAuth,
    Query(q): Query<PageQuery>,
    mode: ListMode,
) -> Result<Response, PageError> {
    let c = &auth.caller;
    if mode.export {
        c.require("report.export")?;
    }
    let group_by = q.group_by();
    let (report, error) = match measures::measures(&st.db, c, st.tz, &q.filter(), group_by).await {
        Ok(r) => (Some(r), None),
        Err(AppError::Validation(e)) if !mode.export => (None, Some(e.iter().map(|(_, m)| m.as_str()).collect::<Vec<_>>().join("；"))),
        Err(e) => return Err(e.into()),
    };
    let table = table(&q, group_by, report.as_ref());
    if mode.export {
        return Ok(list_page(&st, &auth, "reports", table, true).await);
    }
    let option = |value: String, label: String, current: &str| {
        let selected = value == current;
        SelectOption::new(value, label, selected)
    };
    let projects = project::in_scope(&st.db, c).await?.into_iter().map(|p| option(p.id.to_string(), p.name, &q.project_id)).collect();
    let categories = match c.default_company() {
        Some(company) => settings::options(&st.db, company, "service_category").await?,
        None => vec![],
    };
    let page = MeasuresPage {
        shell: shell(&st, &auth, "reports", "服务指标").await,
        period: report.as_ref().map(|r| format!("{} 至 {}", r.from, r.to)).unwrap_or_default(),
        group_options: GroupBy::ALL.iter().map(|g| option(g.code().into(), format!("按{}", g.label()), group_by.code())).collect(),
        projects,
        categories: categories.into_iter().map(|k| option(k.clone(), k, &q.category)).collect(),
        engineers: measures::engineers(&st.db, c)
            .await?
            .into_iter()
            .map(|(id, name)| option(id.to_string(), name, &q.engineer_id))
            .collect(),
        export_href: (c.can("report.export") && report.is_some()).then(|| q.href(&format!("{BASE}/export"), &[])),
        table,
        error,
        q,
    };
    let mut r = render(&page, auth.flash.is_some());
    if page.error.is_some() {
        *r.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(r)
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct Params {
    /// `project` (default), `category`, `engineer` or `month`.
    group_by: Option<String>,
    /// First month, `2026-11`; default the current month.
    from: Option<String>,
    /// Last month, `2026-11`; default the current month; at most 12 months after `from`.
    to: Option<String>,
    project_id: Option<i32>,
    /// A service category, e.g. 水电.
    category: Option<String>,
    /// The engineer the orders are assigned to.
    engineer_id: Option<i32>,
}

/// Service measures (SLA-3) of the work orders created in the period, per
/// project, category, engineer or month, plus the total row: each rate with
/// its numerator, denominator and text (`93.5%`, `—` without a denominator).
#[utoipa::path(get, path = "/api/v1/work-order-measures", tag = "报表", params(Params), responses((status = 200, body = MeasureReport), (status = 404), (status = 422)))]
pub async fn api(State(st): State<SharedState>, ApiAuth(c): ApiAuth, Query(p): Query<Params>) -> ApiResult<MeasureReport> {
    let group_by = match p.group_by.as_deref().map(str::trim).filter(|g| !g.is_empty()) {
        None => GroupBy::default(),
        Some(code) => {
            GroupBy::from_code(code).ok_or_else(|| AppError::field("group_by", "统计维度应为 project、category、engineer 或 month"))?
        }
    };
    let filter = MeasureFilter {
        from_month: p.from.unwrap_or_default(),
        to_month: p.to.unwrap_or_default(),
        project_id: p.project_id,
        category: p.category,
        engineer_id: p.engineer_id,
    };
    Ok(Json(measures::measures(&st.db, &c, st.tz, &filter, group_by).await?))
}

/// The workbench card 本月服务指标: the five rates of the caller's scope.
pub struct MeasuresCard {
    pub rates: Vec<(&'static str, String, String)>,
    pub orders: String,
    pub completed: String,
    pub overdue: String,
    pub href: &'static str,
}

impl From<&MeasuresView> for MeasuresCard {
    fn from(m: &MeasuresView) -> Self {
        let rate = |label, r: &RateView| (label, r.text.clone(), format!("{} / {}", r.numerator, r.denominator));
        Self {
            rates: vec![
                rate("及时率", &m.timeliness),
                rate("一次修复率", &m.first_time_fix),
                (
                    "平均处理时长",
                    if m.completed == 0 { m.average_handling_hours.clone() } else { format!("{} 小时", m.average_handling_hours) },
                    format!("{} 单已完工", m.completed),
                ),
                rate("回访率", &m.return_visit),
                rate("满意率", &m.satisfaction),
            ],
            orders: thousands(m.orders),
            completed: thousands(m.completed),
            overdue: thousands(m.overdue),
            href: BASE,
        }
    }
}
