//! The workbench (RPT-1): announcements, the caller's to-dos and the counts
//! of what they manage. Later modules add their to-dos and counts here.
//! Reports live in submodules (`measures`: 服务指标).

pub mod measures;

use app::{
    messaging::announcement::{self, AnnouncementView},
    occupancy::{self, LeaseDue},
    org::user,
    PageRequest,
};
use askama::Template;
use axum::{extract::State, response::Response, routing::get, Json, Router};
use serde::Serialize;

use crate::{
    api::ApiResult,
    auth::{ApiAuth, PageAuth},
    error::PageError,
    shell::{render, shell, Shell},
    view::{local_time, thousands},
    SharedState,
};

pub fn routes() -> Router<SharedState> {
    Router::new().route("/", get(workbench)).route("/api/v1/workbench", get(workbench_api)).merge(measures::routes())
}

/// A to-do of the caller. Modules that create work (orders, tasks,
/// approvals, visits) contribute theirs.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Todo {
    pub kind: String,
    pub title: String,
    pub href: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Stat {
    pub label: &'static str,
    pub value: u64,
    pub href: &'static str,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct WorkbenchBody {
    pub announcements: Vec<AnnouncementView>,
    pub todos: Vec<Todo>,
    pub stats: Vec<Stat>,
    /// Tenants whose lease ends within 30 days (OCC-7).
    pub leases_ending: Vec<LeaseDue>,
    /// This month's service measures of the caller's scope (with `report.view`).
    pub service_measures: Option<app::report::measures::MeasuresView>,
    /// Open orders overdue or due within two hours, the most urgent first (SLA-2).
    pub at_risk: Vec<AtRisk>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AtRisk {
    pub id: i32,
    pub number: String,
    pub room_or_area: String,
    pub description: String,
    pub assignee_name: String,
    pub state_label: &'static str,
    pub due: Option<chrono::DateTime<chrono::Utc>>,
    /// Minutes left; negative when overdue.
    pub minutes_left: i64,
}

async fn at_risk(st: &SharedState, c: &app::Caller) -> Result<Vec<AtRisk>, app::AppError> {
    let now = chrono::Utc::now();
    Ok(app::workorder::at_risk(&st.db, c, chrono::Duration::hours(2), 10)
        .await?
        .into_iter()
        .map(|o| {
            let due = app::workorder::next_due(&o.order);
            AtRisk {
                id: o.order.id,
                number: o.order.number.clone(),
                room_or_area: if o.room_code.is_empty() { o.order.public_area.clone() } else { o.room_code.clone() },
                description: o.order.description.clone(),
                assignee_name: o.assignee_name.clone(),
                state_label: o.state_label,
                minutes_left: due.map_or(0, |d| (d - now).num_minutes()),
                due,
            }
        })
        .collect())
}

async fn gather(st: &SharedState, c: &app::Caller) -> Result<WorkbenchBody, app::AppError> {
    let announcements = announcement::for_workbench(&st.db, c, 8).await?;
    let mut stats = vec![Stat {
        label: "可访问项目",
        value: if c.is_superuser() { app::property::project::count_in_scope(&st.db, c).await? } else { c.scope.projects.len() as u64 },
        href: "/property/projects",
    }];
    if c.can("user.view") {
        stats.push(Stat { label: "在用账号", value: user::count_enabled(&st.db, c).await?, href: "/system/users" });
    }
    let leases_ending = if c.can("occupancy.view") { occupancy::leases_ending(&st.db, c, 30, 10).await? } else { vec![] };
    if c.can("customer.view") {
        let total = app::customer::record::count_enabled(&st.db, c).await?;
        stats.push(Stat { label: "在册客户", value: total, href: "/customers" });
    }
    if c.can("occupancy.view") {
        let all = occupancy::leases_ending_count(&st.db, c, 30).await?;
        stats.push(Stat { label: "30 天内租约到期", value: all, href: "/occupancy/leases" });
    }
    let mut todos = vec![];
    let mut risks = vec![];
    if c.can("workorder.view") {
        let overdue = app::workorder::count(&st.db, c, &app::workorder::WorkOrderFilter { overdue: true, ..Default::default() }).await?;
        stats.push(Stat { label: "超时工单", value: overdue, href: "/workorders?overdue=1" });
    }
    if c.can("visit.view") {
        stats.push(Stat { label: "待回访工单", value: app::visit::pending_count(&st.db, c).await?, href: "/visits/queue" });
    }
    if c.can("workorder.view") || c.can("workorder.handle") {
        risks = at_risk(st, c).await?;
        let open = PageRequest { per_page: Some(20), ..Default::default() };
        let mine = app::workorder::list(&st.db, c, &open, &app::workorder::WorkOrderFilter { mine: true, ..Default::default() }).await?;
        todos.extend(
            mine.items
                .into_iter()
                .filter(|o| !o.actions.is_empty() && !matches!(o.order.state.as_str(), "completed" | "accepted" | "visited"))
                .map(|o| Todo {
                    kind: if o.overdue { "超时工单".into() } else { "我的工单".into() },
                    title: format!("{} {} {}", o.order.number, o.room_code, o.order.description),
                    href: format!("/workorders/{}", o.order.id),
                }),
        );
        if c.can("workorder.dispatch") {
            let waiting = app::workorder::count_in_state(&st.db, c, domain::workorder::WorkOrderState::PendingDispatch).await?;
            stats.push(Stat { label: "待派工工单", value: waiting, href: "/workorders?state=pending_dispatch" });
        }
    }
    let service_measures = if c.can("report.view") { Some(app::report::measures::this_month(&st.db, c, st.tz).await?) } else { None };
    Ok(WorkbenchBody { announcements, todos, stats, leases_ending, at_risk: risks, service_measures })
}

struct AnnouncementRow {
    id: i32,
    title: String,
    at: String,
}

#[derive(Template)]
#[template(path = "report/workbench.html")]
struct WorkbenchPage {
    shell: Shell,
    greeting: String,
    announcements: Vec<AnnouncementRow>,
    todos: Vec<Todo>,
    stats: Vec<(String, String, &'static str)>,
    leases: Vec<LeaseDue>,
    service_measures: Option<measures::MeasuresCard>,
    risks: Vec<RiskRow>,
}

/// An at-risk order as the workbench table shows it.
struct RiskRow {
    risk: AtRisk,
    due: String,
    status: String,
    colour: &'static str,
}

fn risk_status(minutes_left: i64) -> (String, &'static str) {
    let span = |m: i64| if m >= 60 { format!("{} 小时 {} 分", m / 60, m % 60) } else { format!("{m} 分") };
    if minutes_left < 0 {
        (format!("已超时 {}", span(-minutes_left)), "red")
    } else {
        (format!("剩余 {}", span(minutes_left)), "orange")
    }
}

pub async fn workbench(State(st): State<SharedState>, auth: PageAuth) -> Result<Response, PageError> {
    let body = gather(&st, &auth.caller).await?;
    let page = WorkbenchPage {
        shell: shell(&st, &auth, "report", "我的工作台").await,
        greeting: format!("{}，您好", auth.caller.display_name),
        announcements: body
            .announcements
            .into_iter()
            .map(|a| AnnouncementRow { id: a.id, title: a.title, at: local_time(st.tz, a.publish_from) })
            .collect(),
        todos: body.todos,
        stats: body.stats.into_iter().map(|s| (s.label.to_string(), thousands(s.value), s.href)).collect(),
        leases: body.leases_ending,
        risks: body
            .at_risk
            .into_iter()
            .map(|risk| {
                let (status, colour) = risk_status(risk.minutes_left);
                RiskRow { due: crate::view::local_time_opt(st.tz, risk.due), status, colour, risk }
            })
            .collect(),
        service_measures: body.service_measures.as_ref().map(Into::into),
    };
    Ok(render(&page, auth.flash.is_some()))
}

/// The workbench as JSON: announcements, to-dos and counts.
#[utoipa::path(get, path = "/api/v1/workbench", tag = "工作台", responses((status = 200, body = WorkbenchBody)))]
pub async fn workbench_api(State(st): State<SharedState>, ApiAuth(c): ApiAuth) -> ApiResult<WorkbenchBody> {
    Ok(Json(gather(&st, &c).await?))
}
