//! 工单 → 升级规则: a company's escalation levels of overdue orders — the
//! settings page and the JSON API.

use app::{
    settings,
    workorder::escalation::{self, field, LevelInput, RulesInput, RulesView},
    AppError,
};
use axum::{
    extract::{Query, State},
    http::StatusCode,
    response::Response,
    routing::get,
    Json, Router,
};
use domain::workorder::escalation::{Notify, MAX_LEVEL};
use serde::Deserialize;

use crate::{
    api::ApiResult,
    auth::{redirect_with_flash, ApiAuth, PageAuth},
    error::PageError,
    form::FormData,
    shell::{form_page, refused},
    view::{Field, FormView, Section, SelectOption},
    SharedState,
};

const PAGE: &str = "/workorders/escalation";

pub fn routes() -> Router<SharedState> {
    Router::new().route(PAGE, get(page).post(save)).route("/api/v1/escalation-rules", get(get_rules).put(put_rules))
}

#[derive(Debug, Deserialize, Default, utoipa::IntoParams)]
pub struct CompanyQuery {
    /// Company id; defaults to the caller's company.
    #[serde(default)]
    company: Option<String>,
}

impl CompanyQuery {
    fn company(&self, caller: &app::Caller) -> Result<i32, AppError> {
        settings::company_for(caller, self.company.as_deref().and_then(|c| c.trim().parse().ok()))
    }
}

fn inputs_of(v: &RulesView) -> Vec<LevelInput> {
    v.levels
        .iter()
        .map(|l| LevelInput { after_minutes: l.after_minutes.to_string(), notify: l.notify.clone(), role_id: l.role_id })
        .collect()
}

fn rules_form(company: i32, company_name: String, levels: &[LevelInput], roles: &[(i32, String)], is_default: bool) -> FormView {
    let mut sections = vec![Section::new(
        "",
        vec![Field::new("text", "company_name", "适用公司", company_name).readonly().hint(if is_default {
            "尚未设置，以下为默认规则；保存后按本公司规则升级"
        } else {
            "工单超过响应、到场或完成时限后，按以下各级依次通知"
        })],
    )];
    for level in 1..=MAX_LEVEL {
        let l = levels.get(level as usize - 1).cloned().unwrap_or_default();
        let notify_options = Notify::CHOICES.iter().map(|(code, label)| SelectOption::new(code, *label, l.notify == *code)).collect();
        let role_options = roles.iter().map(|(id, name)| SelectOption::new(id, name.clone(), l.role_id == Some(*id))).collect();
        let mut minutes = Field::new("number", &field("after_minutes", level), "超时后（分钟）", l.after_minutes.clone());
        let mut notify = Field::new("select", &field("notify", level), "通知对象", "").options(notify_options);
        if level == 1 {
            minutes = minutes.required().hint("从最早超过的时限算起；0 表示一超时即通知");
            notify = notify.required().hint("处理人：尚未派工时通知调度/班组长");
        } else {
            minutes = minutes.hint("须大于上一级的分钟数");
            notify = notify.hint("不选则不启用本级及以后各级");
        }
        let role = Field::new("select", &field("role_id", level), "指定角色", "").options(role_options).hint("通知对象为“指定角色”时选择");
        sections.push(Section::new(&format!("第 {level} 级"), vec![minutes, notify, role]));
    }
    FormView::new("升级规则", format!("{PAGE}?company={company}"), "/workorders", sections)
}

async fn form_for(st: &SharedState, auth: &PageAuth, company: i32, levels: &[LevelInput], is_default: bool) -> Result<FormView, AppError> {
    let roles = escalation::company_roles(&st.db, &auth.caller, company).await?;
    let name = app::org::unit::name_of(&st.db, company).await?;
    Ok(rules_form(company, name, levels, &roles, is_default))
}

pub async fn page(State(st): State<SharedState>, auth: PageAuth, Query(q): Query<CompanyQuery>) -> Result<Response, PageError> {
    auth.caller.require("workorder.configure")?;
    let company = q.company(&auth.caller)?;
    let rules = escalation::list_rules(&st.db, &auth.caller, company).await?;
    let form = form_for(&st, &auth, company, &inputs_of(&rules), rules.is_default).await?.version(rules.version);
    Ok(form_page(&st, &auth, "workorder", form, StatusCode::OK).await)
}

/// The levels typed in the form: the first ones up to the last with
/// anything filled in (a blank level after them is not used).
fn typed_levels(f: &FormData) -> Vec<LevelInput> {
    let mut levels: Vec<LevelInput> = (1..=MAX_LEVEL)
        .map(|level| LevelInput {
            after_minutes: f.get(&field("after_minutes", level)),
            notify: f.get(&field("notify", level)),
            role_id: f.int(&field("role_id", level)),
        })
        .collect();
    while levels.len() > 1 && levels.last().is_some_and(|l| l.notify.is_empty() && l.after_minutes.trim().is_empty()) {
        levels.pop();
    }
    levels
}

pub async fn save(
    State(st): State<SharedState>,
    auth: PageAuth,
    Query(q): Query<CompanyQuery>,
    f: FormData,
) -> Result<Response, PageError> {
    let company = q.company(&auth.caller)?;
    let input = RulesInput { version: f.version(), levels: typed_levels(&f) };
    match escalation::save_rules(&st.db, &auth.caller, company, &input).await {
        Ok(_) => Ok(redirect_with_flash(&format!("{PAGE}?company={company}"), "升级规则已保存")),
        Err(e) => {
            let (form, status) =
                refused(e, form_for(&st, &auth, company, &input.levels, input.version == 0).await?.version(input.version))?;
            Ok(form_page(&st, &auth, "workorder", form, status).await)
        }
    }
}

/// The company's escalation levels in force (the defaults until it sets its own).
#[utoipa::path(get, path = "/api/v1/escalation-rules", tag = "工单", params(CompanyQuery), responses((status = 200, body = RulesView), (status = 404)))]
pub async fn get_rules(State(st): State<SharedState>, ApiAuth(c): ApiAuth, Query(q): Query<CompanyQuery>) -> ApiResult<RulesView> {
    let company = q.company(&c)?;
    Ok(Json(escalation::list_rules(&st.db, &c, company).await?))
}

/// Replaces the company's levels: 1–3 levels with strictly increasing
/// minutes; 409 when `version` is stale, 422 with messages per field
/// (`after_minutes_2`, `notify_2`, `role_id_2`, `levels`).
#[utoipa::path(put, path = "/api/v1/escalation-rules", tag = "工单", params(CompanyQuery), request_body = RulesInput, responses((status = 200, body = RulesView), (status = 404), (status = 409), (status = 422)))]
pub async fn put_rules(
    State(st): State<SharedState>,
    ApiAuth(c): ApiAuth,
    Query(q): Query<CompanyQuery>,
    Json(b): Json<RulesInput>,
) -> ApiResult<RulesView> {
    let company = q.company(&c)?;
    Ok(Json(escalation::save_rules(&st.db, &c, company, &b).await?))
}
