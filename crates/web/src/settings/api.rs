//! JSON API of settings: dictionaries, numbering rules, calendar, holidays.

use app::{
    entity::{dict_item, holiday, numbering_rule, work_calendar},
    settings::{self, CalendarInput, DictItemInput, HolidayInput, RuleInput},
};
use axum::{
    extract::{Path, Query, State},
    http::StatusCode,
    routing::{get, put},
    Json, Router,
};
use serde::{Deserialize, Serialize};

use crate::{
    api::{ApiResult, ListBody, Versioned},
    auth::ApiAuth,
    error::ApiError,
    SharedState,
};

pub fn routes() -> Router<SharedState> {
    Router::new()
        .route("/api/v1/dictionary-types", get(dictionary_types))
        .route("/api/v1/dictionaries", get(list_items).post(create_item))
        .route("/api/v1/dictionaries/{id}", put(update_item))
        .route("/api/v1/numbering-rules", get(list_rules))
        .route("/api/v1/numbering-rules/{id}", put(update_rule))
        .route("/api/v1/calendar", get(get_calendar).put(update_calendar))
        .route("/api/v1/holidays", get(list_holidays).post(add_holiday))
        .route("/api/v1/holidays/{id}", axum::routing::delete(delete_holiday))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct CompanyQuery {
    /// Company id; defaults to the caller's company.
    company: Option<i32>,
    /// Dictionary type code (dictionaries only).
    #[serde(rename = "type")]
    dict_type: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DictionaryTypeBody {
    code: &'static str,
    label: &'static str,
}

#[utoipa::path(get, path = "/api/v1/dictionary-types", tag = "辅助资料与参数", responses((status = 200, body = [DictionaryTypeBody])))]
pub async fn dictionary_types(_auth: ApiAuth) -> Json<Vec<DictionaryTypeBody>> {
    Json(domain::settings::DICTIONARIES.iter().map(|d| DictionaryTypeBody { code: d.code, label: d.label }).collect())
}

#[utoipa::path(get, path = "/api/v1/dictionaries", tag = "辅助资料与参数", params(CompanyQuery), responses((status = 200, body = Object)))]
pub async fn list_items(
    State(st): State<SharedState>,
    ApiAuth(c): ApiAuth,
    Query(q): Query<CompanyQuery>,
) -> ApiResult<ListBody<dict_item::Model>> {
    let company = settings::company_for(&c, q.company)?;
    let items = settings::list_items(&st.db, &c, company, q.dict_type.as_deref().unwrap_or("")).await?;
    Ok(Json(ListBody::all(items)))
}

#[utoipa::path(post, path = "/api/v1/dictionaries", tag = "辅助资料与参数", params(CompanyQuery), request_body = DictItemInput, responses((status = 200, body = Object), (status = 422)))]
pub async fn create_item(
    State(st): State<SharedState>,
    ApiAuth(c): ApiAuth,
    Query(q): Query<CompanyQuery>,
    Json(b): Json<DictItemInput>,
) -> ApiResult<dict_item::Model> {
    let company = settings::company_for(&c, q.company)?;
    Ok(Json(settings::create_item(&st.db, &c, company, &b).await?))
}

#[utoipa::path(put, path = "/api/v1/dictionaries/{id}", tag = "辅助资料与参数", request_body = DictItemInput, responses((status = 200, body = Object), (status = 404), (status = 409), (status = 422)))]
pub async fn update_item(
    State(st): State<SharedState>,
    ApiAuth(c): ApiAuth,
    Path(id): Path<i32>,
    Json(b): Json<Versioned<DictItemInput>>,
) -> ApiResult<dict_item::Model> {
    Ok(Json(settings::update_item(&st.db, &c, id, b.version, &b.data).await?))
}

#[utoipa::path(get, path = "/api/v1/numbering-rules", tag = "辅助资料与参数", params(CompanyQuery), responses((status = 200, body = Object)))]
pub async fn list_rules(
    State(st): State<SharedState>,
    ApiAuth(c): ApiAuth,
    Query(q): Query<CompanyQuery>,
) -> ApiResult<ListBody<numbering_rule::Model>> {
    let company = settings::company_for(&c, q.company)?;
    let items = settings::list_rules(&st.db, &c, company).await?;
    Ok(Json(ListBody::all(items)))
}

#[utoipa::path(put, path = "/api/v1/numbering-rules/{id}", tag = "辅助资料与参数", request_body = RuleInput, responses((status = 200, body = Object), (status = 404), (status = 409), (status = 422)))]
pub async fn update_rule(
    State(st): State<SharedState>,
    ApiAuth(c): ApiAuth,
    Path(id): Path<i32>,
    Json(b): Json<Versioned<RuleInput>>,
) -> ApiResult<numbering_rule::Model> {
    Ok(Json(settings::update_rule(&st.db, &c, id, b.version, &b.data).await?))
}

#[utoipa::path(get, path = "/api/v1/calendar", tag = "辅助资料与参数", params(CompanyQuery), responses((status = 200, body = Object)))]
pub async fn get_calendar(
    State(st): State<SharedState>,
    ApiAuth(c): ApiAuth,
    Query(q): Query<CompanyQuery>,
) -> ApiResult<work_calendar::Model> {
    let company = settings::company_for(&c, q.company)?;
    Ok(Json(settings::get_calendar(&st.db, &c, company).await?))
}

#[utoipa::path(put, path = "/api/v1/calendar", tag = "辅助资料与参数", params(CompanyQuery), request_body = CalendarInput, responses((status = 200, body = Object), (status = 409), (status = 422)))]
pub async fn update_calendar(
    State(st): State<SharedState>,
    ApiAuth(c): ApiAuth,
    Query(q): Query<CompanyQuery>,
    Json(b): Json<Versioned<CalendarInput>>,
) -> ApiResult<work_calendar::Model> {
    let company = settings::company_for(&c, q.company)?;
    Ok(Json(settings::update_calendar(&st.db, &c, company, b.version, &b.data).await?))
}

#[utoipa::path(get, path = "/api/v1/holidays", tag = "辅助资料与参数", params(CompanyQuery), responses((status = 200, body = Object)))]
pub async fn list_holidays(
    State(st): State<SharedState>,
    ApiAuth(c): ApiAuth,
    Query(q): Query<CompanyQuery>,
) -> ApiResult<ListBody<holiday::Model>> {
    let company = settings::company_for(&c, q.company)?;
    let items = settings::list_holidays(&st.db, &c, company).await?;
    Ok(Json(ListBody::all(items)))
}

#[utoipa::path(post, path = "/api/v1/holidays", tag = "辅助资料与参数", params(CompanyQuery), request_body = HolidayInput, responses((status = 200, body = Object), (status = 422)))]
pub async fn add_holiday(
    State(st): State<SharedState>,
    ApiAuth(c): ApiAuth,
    Query(q): Query<CompanyQuery>,
    Json(b): Json<HolidayInput>,
) -> ApiResult<holiday::Model> {
    let company = settings::company_for(&c, q.company)?;
    Ok(Json(settings::add_holiday(&st.db, &c, company, &b).await?))
}

#[utoipa::path(delete, path = "/api/v1/holidays/{id}", tag = "辅助资料与参数", responses((status = 204), (status = 404)))]
pub async fn delete_holiday(State(st): State<SharedState>, ApiAuth(c): ApiAuth, Path(id): Path<i32>) -> Result<StatusCode, ApiError> {
    settings::delete_holiday(&st.db, &c, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
