//! `AppError` → HTTP: JSON for the API, a Chinese error page for browsers.
//! Internal causes are logged with a request id and never shown.

use app::AppError;
use axum::{
    http::StatusCode,
    response::{Html, IntoResponse, Response},
    Json,
};
use serde_json::json;

pub fn status_of(e: &AppError) -> StatusCode {
    match e {
        AppError::NotFound => StatusCode::NOT_FOUND,
        AppError::Forbidden => StatusCode::FORBIDDEN,
        AppError::Unauthorized => StatusCode::UNAUTHORIZED,
        AppError::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
        AppError::Conflict(_) => StatusCode::CONFLICT,
        AppError::Db(_) | AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

fn code_of(e: &AppError) -> &'static str {
    match e {
        AppError::NotFound => "not_found",
        AppError::Forbidden => "forbidden",
        AppError::Unauthorized => "unauthorized",
        AppError::Validation(_) => "validation",
        AppError::Conflict(_) => "conflict",
        AppError::Db(_) | AppError::Internal(_) => "internal",
    }
}

/// Logs an internal failure under a fresh id and returns the id, which the
/// user can quote to support.
pub fn log_internal(e: &AppError) -> Option<String> {
    if matches!(e, AppError::Db(_) | AppError::Internal(_)) {
        let id = app::org::auth::random_token(6);
        tracing::error!(request_id = %id, error = ?e, "request failed");
        Some(id)
    } else {
        None
    }
}

fn message_of(e: &AppError, request_id: Option<&str>) -> String {
    match request_id {
        Some(id) => format!("系统内部错误，请稍后重试（错误编号 {id}）"),
        None => e.to_string(),
    }
}

/// An error answered as `{"error":{"code","message","fields"}}`.
#[derive(Debug)]
pub struct ApiError(pub AppError);

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        Self(e)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let id = log_internal(&self.0);
        let fields = match &self.0 {
            AppError::Validation(f) => serde_json::to_value(f).unwrap_or_default(),
            _ => json!({}),
        };
        let body = json!({"error": {"code": code_of(&self.0), "message": message_of(&self.0, id.as_deref()), "fields": fields}});
        (status_of(&self.0), Json(body)).into_response()
    }
}

#[derive(askama::Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    title: &'a str,
    message: &'a str,
}

/// An error shown to a browser as a page.
#[derive(Debug)]
pub struct PageError(pub AppError);

impl From<AppError> for PageError {
    fn from(e: AppError) -> Self {
        Self(e)
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let id = log_internal(&self.0);
        let title = match self.0 {
            AppError::NotFound => "页面不存在",
            AppError::Forbidden => "没有权限",
            _ => "操作未完成",
        };
        let message = message_of(&self.0, id.as_deref());
        let page = ErrorPage { title, message: &message };
        let body = askama::Template::render(&page).unwrap_or_else(|_| message.clone());
        (status_of(&self.0), Html(body)).into_response()
    }
}
