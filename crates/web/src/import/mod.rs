//! Excel import pages and API: templates, upload, progress, error reports.

use app::import::{self, ImportKind, ImportMode, JobView};
use askama::Template;
use axum::{
    extract::{DefaultBodyLimit, Multipart, Path, State},
    http::{header, StatusCode},
    response::{IntoResponse, Response},
    routing::{get, post},
    Json, Router,
};

use crate::{
    auth::{redirect_with_flash, ApiAuth, PageAuth},
    error::{ApiError, PageError},
    shell::{render, shell, Shell},
    view::{local_time, urlencode},
    SharedState,
};

/// Workbooks of 100,000 rows stay well under this.
const MAX_UPLOAD: usize = 64 * 1024 * 1024;

pub fn routes() -> Router<SharedState> {
    Router::new()
        .route("/imports", get(page).post(upload))
        .route("/imports/templates/{kind}", get(template))
        .route("/imports/{id}", get(job_row))
        .route("/imports/{id}/report", get(report))
        .route("/api/v1/imports", post(api_upload))
        .route("/api/v1/imports/{id}", get(api_job))
        .route("/api/v1/imports/{id}/report", get(api_report))
        .route("/api/v1/imports/templates/{kind}", get(api_template))
        .layer(DefaultBodyLimit::max(MAX_UPLOAD))
}

/// A job as the page shows it.
pub struct JobRow {
    id: i32,
    created: String,
    kind_label: &'static str,
    mode_label: &'static str,
    file_name: String,
    status: String,
    total: i32,
    done: i32,
    imported: i32,
    error_count: i32,
    message: String,
    has_report: bool,
}

fn row(tz: chrono_tz::Tz, j: JobView) -> JobRow {
    JobRow {
        id: j.id,
        created: local_time(tz, j.created_at),
        kind_label: j.kind_label,
        mode_label: if j.mode == ImportMode::CleanRows.code() { "只导入正确的行" } else { "有错误则全部不导入" },
        file_name: j.file_name,
        status: j.status,
        total: j.total,
        done: j.done,
        imported: j.imported,
        error_count: j.error_count,
        message: j.message,
        has_report: j.has_report,
    }
}

#[derive(Template)]
#[template(path = "import/page.html")]
struct ImportPage {
    shell: Shell,
    kinds: Vec<(&'static str, &'static str, String)>,
    jobs: Vec<JobRow>,
    error: Option<String>,
}

async fn import_page(st: &SharedState, auth: &PageAuth, error: Option<String>, status: StatusCode) -> Result<Response, PageError> {
    let kinds: Vec<_> = [(ImportKind::Rooms, "property.import"), (ImportKind::Customers, "customer.import")]
        .into_iter()
        .filter(|(_, p)| auth.caller.can(p))
        .map(|(k, _)| (k.code(), k.label(), k.headers().join("、")))
        .collect();
    if kinds.is_empty() {
        return Err(app::AppError::Forbidden.into());
    }
    let jobs = import::recent_jobs(&st.db, &auth.caller).await?.into_iter().map(|j| row(st.tz, j)).collect();
    let page = ImportPage { shell: shell(st, auth, "customer", "数据导入").await, kinds, jobs, error };
    let mut r = render(&page, auth.flash.is_some());
    *r.status_mut() = status;
    Ok(r)
}

pub async fn page(State(st): State<SharedState>, auth: PageAuth) -> Result<Response, PageError> {
    import_page(&st, &auth, None, StatusCode::OK).await
}

/// The fields of an upload form.
struct Upload {
    kind: Option<ImportKind>,
    mode: ImportMode,
    file_name: String,
    bytes: Vec<u8>,
}

async fn read_upload(mut m: Multipart) -> Result<Upload, String> {
    let mut u = Upload { kind: None, mode: ImportMode::AllOrNothing, file_name: String::new(), bytes: Vec::new() };
    while let Some(field) = m.next_field().await.map_err(|_| "上传的文件不完整，请重试".to_string())? {
        match field.name().unwrap_or("") {
            "kind" => u.kind = ImportKind::from_code(&field.text().await.unwrap_or_default()),
            "mode" => u.mode = ImportMode::from_code(&field.text().await.unwrap_or_default()).unwrap_or(ImportMode::AllOrNothing),
            "file" => {
                u.file_name = field.file_name().unwrap_or("").to_string();
                u.bytes = field.bytes().await.map_err(|_| "文件过大或上传中断（单个文件不超过 64MB）".to_string())?.to_vec();
            }
            _ => {}
        }
    }
    if u.bytes.is_empty() {
        return Err("请选择要导入的 Excel 文件".into());
    }
    Ok(u)
}

async fn start(st: &SharedState, caller: &app::Caller, m: Multipart) -> Result<JobView, app::AppError> {
    let u = read_upload(m).await.map_err(|e| app::AppError::field("file", e))?;
    let kind = u.kind.ok_or_else(|| app::AppError::field("kind", "请选择导入类别"))?;
    import::start(&st.db, caller, kind, u.mode, &u.file_name, u.bytes).await
}

pub async fn upload(State(st): State<SharedState>, auth: PageAuth, m: Multipart) -> Result<Response, PageError> {
    match start(&st, &auth.caller, m).await {
        Ok(job) => Ok(redirect_with_flash("/imports", &format!("已开始导入 {}（{} 行）", job.file_name, job.total))),
        Err(app::AppError::Validation(e)) => {
            let message = e.iter().map(|(_, m)| m.clone()).collect::<Vec<_>>().join("；");
            import_page(&st, &auth, Some(message), StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "import/job_row.html")]
struct JobRowFragment {
    j: JobRow,
}

/// One job's row, polled by the page while it runs.
pub async fn job_row(State(st): State<SharedState>, auth: PageAuth, Path(id): Path<i32>) -> Result<Response, PageError> {
    let job = import::get_job(&st.db, &auth.caller, id).await?;
    Ok(render(&JobRowFragment { j: row(st.tz, job.into()) }, false))
}

fn xlsx(name: &str, bytes: Vec<u8>) -> Response {
    let disposition = format!("attachment; filename=\"import.xlsx\"; filename*=UTF-8''{}", urlencode(name));
    (
        [
            (header::CONTENT_TYPE, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response()
}

async fn report_bytes(st: &SharedState, caller: &app::Caller, id: i32) -> Result<Response, app::AppError> {
    let job = import::get_job(&st.db, caller, id).await?;
    let bytes = job.report.ok_or(app::AppError::NotFound)?;
    Ok(xlsx(&format!("导入错误报告-{}.xlsx", job.id), bytes))
}

pub async fn report(State(st): State<SharedState>, auth: PageAuth, Path(id): Path<i32>) -> Result<Response, PageError> {
    Ok(report_bytes(&st, &auth.caller, id).await?)
}

fn template_bytes(kind: &str) -> Result<Response, app::AppError> {
    let kind = ImportKind::from_code(kind).ok_or(app::AppError::NotFound)?;
    Ok(xlsx(&format!("{}导入模板.xlsx", kind.label()), import::template(kind)?))
}

pub async fn template(_auth: PageAuth, Path(kind): Path<String>) -> Result<Response, PageError> {
    Ok(template_bytes(&kind)?)
}

/// Starts an import from a multipart upload (`kind`, `mode`, `file`).
#[utoipa::path(post, path = "/api/v1/imports", tag = "导入", responses((status = 200, body = JobView), (status = 422)))]
pub async fn api_upload(State(st): State<SharedState>, ApiAuth(c): ApiAuth, m: Multipart) -> Result<Json<JobView>, ApiError> {
    Ok(Json(start(&st, &c, m).await?))
}

/// Progress and outcome of an import.
#[utoipa::path(get, path = "/api/v1/imports/{id}", tag = "导入", responses((status = 200, body = JobView), (status = 404)))]
pub async fn api_job(State(st): State<SharedState>, ApiAuth(c): ApiAuth, Path(id): Path<i32>) -> Result<Json<JobView>, ApiError> {
    Ok(Json(import::get_job(&st.db, &c, id).await?.into()))
}

/// The error report workbook of an import with refused rows.
#[utoipa::path(get, path = "/api/v1/imports/{id}/report", tag = "导入", responses((status = 200, description = "xlsx"), (status = 404)))]
pub async fn api_report(State(st): State<SharedState>, ApiAuth(c): ApiAuth, Path(id): Path<i32>) -> Result<Response, ApiError> {
    Ok(report_bytes(&st, &c, id).await?)
}

/// The template workbook of `rooms` or `customers`.
#[utoipa::path(get, path = "/api/v1/imports/templates/{kind}", tag = "导入", responses((status = 200, description = "xlsx"), (status = 404)))]
pub async fn api_template(_auth: ApiAuth, Path(kind): Path<String>) -> Result<Response, ApiError> {
    Ok(template_bytes(&kind)?)
}
