//! 工单 → 服务参数: SLA targets per category × priority (SLA-1) and warranty
//! periods per trade (SVC-7), per company — page and API.

use app::{
    settings,
    workorder::{
        priority_label,
        targets::{self, TargetInput, TargetLine, WarrantyInput, WarrantyLine},
    },
    AppError,
};
use askama::Template;
use axum::{
    extract::{Path, Query, State},
    http::StatusCode,
    response::Response,
    routing::{get, post},
    Json, Router,
};
use domain::FieldErrors;
use serde::Deserialize;

use crate::{
    api::ApiResult,
    auth::{redirect_with_flash, ApiAuth, PageAuth},
    error::PageError,
    form::FormData,
    settings::pages::company_options,
    shell::{render, shell, Shell},
    view::SelectOption,
    SharedState,
};

const PAGE: &str = "/workorders/settings";

pub fn routes() -> Router<SharedState> {
    Router::new()
        .route(PAGE, get(page))
        .route("/workorders/settings/sla", post(save_target))
        .route("/workorders/settings/sla/{id}/reset", post(reset_target))
        .route("/workorders/settings/warranty", post(save_warranty))
        .route("/api/v1/sla-targets", get(api_targets).put(api_save_target))
        .route("/api/v1/warranty-periods", get(api_warranties).put(api_save_warranty))
}

#[derive(Debug, Deserialize, Default, utoipa::IntoParams)]
pub struct CompanyQuery {
    /// The company; the caller's own by default.
    company: Option<i32>,
}

impl CompanyQuery {
    fn resolve(&self, caller: &app::Caller) -> Result<i32, AppError> {
        settings::company_for(caller, self.company)
    }
}

/// A row being edited again after a refused save: its key, what was typed and why.
#[derive(Default)]
struct Draft {
    key: String,
    values: Vec<String>,
    errors: FieldErrors,
}

struct TargetRow {
    category: String,
    priority: &'static str,
    emergency: bool,
    values: [String; 3],
    round_the_clock: bool,
    own: Option<(i32, i32)>,
    error: String,
}

struct WarrantyRow {
    category: String,
    months: String,
    contractor: String,
    version: Option<i32>,
    error: String,
}

#[derive(Template)]
#[template(path = "workorder/settings.html")]
struct SettingsPage {
    shell: Shell,
    company: i32,
    companies: Vec<SelectOption>,
    can_edit: bool,
    working_day: i64,
    targets: Vec<TargetRow>,
    warranties: Vec<WarrantyRow>,
}

fn error_text(errors: &FieldErrors) -> String {
    errors.iter().map(|(_, m)| m.as_str()).collect::<Vec<_>>().join("；")
}

fn target_rows(lines: Vec<TargetLine>, draft: &Draft) -> Vec<TargetRow> {
    lines
        .into_iter()
        .map(|l| {
            let key = format!("{}|{}", l.category, l.priority);
            let typed = draft.key == key;
            let values = if typed {
                [0, 1, 2].map(|i| draft.values.get(i).cloned().unwrap_or_default())
            } else {
                [l.response_minutes, l.onsite_minutes, l.complete_minutes].map(|m| m.to_string())
            };
            TargetRow {
                round_the_clock: if typed { draft.values.get(3).is_some_and(|v| v == "1") } else { l.round_the_clock },
                error: if typed { error_text(&draft.errors) } else { String::new() },
                priority: priority_label(&l.priority),
                emergency: l.priority == "emergency",
                own: l.id.zip(l.version),
                category: l.category,
                values,
            }
        })
        .collect()
}

fn warranty_rows(lines: Vec<WarrantyLine>, draft: &Draft) -> Vec<WarrantyRow> {
    lines
        .into_iter()
        .map(|l| {
            let key = format!("w|{}", l.category);
            let typed = draft.key == key;
            WarrantyRow {
                months: if typed { draft.values.first().cloned().unwrap_or_default() } else { l.months.to_string() },
                contractor: if typed { draft.values.get(1).cloned().unwrap_or_default() } else { l.contractor },
                error: if typed { error_text(&draft.errors) } else { String::new() },
                version: l.version,
                category: l.category,
            }
        })
        .collect()
}

async fn settings_page(st: &SharedState, auth: &PageAuth, company: i32, draft: Draft, status: StatusCode) -> Result<Response, PageError> {
    let targets = target_rows(targets::list_targets(&st.db, &auth.caller, company).await?, &draft);
    let warranties = warranty_rows(targets::list_warranties(&st.db, &auth.caller, company).await?, &draft);
    let page = SettingsPage {
        shell: shell(st, auth, "workorder", "服务参数").await,
        companies: company_options(st, &auth.caller, company).await?,
        can_edit: auth.caller.can("workorder.configure"),
        working_day: settings::of_company(&st.db, company).await?.calendar().working_day().num_minutes(),
        company,
        targets,
        warranties,
    };
    let mut r = render(&page, auth.flash.is_some());
    *r.status_mut() = status;
    Ok(r)
}

pub async fn page(State(st): State<SharedState>, auth: PageAuth, Query(q): Query<CompanyQuery>) -> Result<Response, PageError> {
    let company = q.resolve(&auth.caller)?;
    settings_page(&st, &auth, company, Draft::default(), StatusCode::OK).await
}

/// Success → back to the page with a toast; validation or a stale row → the
/// page again with the typed row kept and the message beside it.
async fn saved<T>(
    st: &SharedState,
    auth: &PageAuth,
    company: i32,
    result: Result<T, AppError>,
    draft: Draft,
) -> Result<Response, PageError> {
    match result {
        Ok(_) => Ok(redirect_with_flash(&format!("{PAGE}?company={company}"), "已保存")),
        Err(AppError::Validation(errors)) => {
            settings_page(st, auth, company, Draft { errors, ..draft }, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(AppError::Conflict(m)) => {
            let mut errors = FieldErrors::new();
            errors.add("version", m);
            settings_page(st, auth, company, Draft { errors, ..draft }, StatusCode::CONFLICT).await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn save_target(
    State(st): State<SharedState>,
    auth: PageAuth,
    Query(q): Query<CompanyQuery>,
    f: FormData,
) -> Result<Response, PageError> {
    let company = q.resolve(&auth.caller)?;
    let input = TargetInput {
        category: f.get("category"),
        priority: f.get("priority"),
        response_minutes: f.get("response_minutes"),
        onsite_minutes: f.get("onsite_minutes"),
        complete_minutes: f.get("complete_minutes"),
        round_the_clock: f.checked("round_the_clock"),
        version: f.int("version"),
    };
    let draft = Draft {
        key: format!("{}|{}", input.category, input.priority),
        values: vec![
            input.response_minutes.clone(),
            input.onsite_minutes.clone(),
            input.complete_minutes.clone(),
            if input.round_the_clock { "1" } else { "0" }.into(),
        ],
        errors: FieldErrors::new(),
    };
    let result = targets::save_target(&st.db, &auth.caller, company, &input).await;
    saved(&st, &auth, company, result, draft).await
}

pub async fn reset_target(
    State(st): State<SharedState>,
    auth: PageAuth,
    Query(q): Query<CompanyQuery>,
    Path(id): Path<i32>,
) -> Result<Response, PageError> {
    let company = q.resolve(&auth.caller)?;
    targets::reset_target(&st.db, &auth.caller, id).await?;
    Ok(redirect_with_flash(&format!("{PAGE}?company={company}"), "已恢复默认时限"))
}

pub async fn save_warranty(
    State(st): State<SharedState>,
    auth: PageAuth,
    Query(q): Query<CompanyQuery>,
    f: FormData,
) -> Result<Response, PageError> {
    let company = q.resolve(&auth.caller)?;
    let input =
        WarrantyInput { category: f.get("category"), months: f.get("months"), contractor: f.get("contractor"), version: f.int("version") };
    let draft = Draft {
        key: format!("w|{}", input.category),
        values: vec![input.months.clone(), input.contractor.clone()],
        errors: FieldErrors::new(),
    };
    let result = targets::save_warranty(&st.db, &auth.caller, company, &input).await;
    saved(&st, &auth, company, result, draft).await
}

/// SLA targets in force for every category × priority (the company's own or the default).
#[utoipa::path(get, path = "/api/v1/sla-targets", tag = "工单", params(CompanyQuery), responses((status = 200, body = Vec<TargetLine>)))]
pub async fn api_targets(State(st): State<SharedState>, ApiAuth(c): ApiAuth, Query(q): Query<CompanyQuery>) -> ApiResult<Vec<TargetLine>> {
    let company = q.resolve(&c)?;
    Ok(Json(targets::list_targets(&st.db, &c, company).await?))
}

/// Sets a category × priority's targets (minutes); `version` when changing the company's own row.
#[utoipa::path(put, path = "/api/v1/sla-targets", tag = "工单", params(CompanyQuery), request_body = TargetInput, responses((status = 200, body = Vec<TargetLine>), (status = 409), (status = 422)))]
pub async fn api_save_target(
    State(st): State<SharedState>,
    ApiAuth(c): ApiAuth,
    Query(q): Query<CompanyQuery>,
    Json(b): Json<TargetInput>,
) -> ApiResult<Vec<TargetLine>> {
    let company = q.resolve(&c)?;
    targets::save_target(&st.db, &c, company, &b).await?;
    Ok(Json(targets::list_targets(&st.db, &c, company).await?))
}

/// Warranty periods in force per service category.
#[utoipa::path(get, path = "/api/v1/warranty-periods", tag = "工单", params(CompanyQuery), responses((status = 200, body = Vec<WarrantyLine>)))]
pub async fn api_warranties(
    State(st): State<SharedState>,
    ApiAuth(c): ApiAuth,
    Query(q): Query<CompanyQuery>,
) -> ApiResult<Vec<WarrantyLine>> {
    let company = q.resolve(&c)?;
    Ok(Json(targets::list_warranties(&st.db, &c, company).await?))
}

#[utoipa::path(put, path = "/api/v1/warranty-periods", tag = "工单", params(CompanyQuery), request_body = WarrantyInput, responses((status = 200, body = Vec<WarrantyLine>), (status = 409), (status = 422)))]
pub async fn api_save_warranty(
    State(st): State<SharedState>,
    ApiAuth(c): ApiAuth,
    Query(q): Query<CompanyQuery>,
    Json(b): Json<WarrantyInput>,
) -> ApiResult<Vec<WarrantyLine>> {
    let company = q.resolve(&c)?;
    targets::save_warranty(&st.db, &c, company, &b).await?;
    Ok(Json(targets::list_warranties(&st.db, &c, company).await?))
}
