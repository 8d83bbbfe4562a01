//! Excel import (PRP-4, CUS-8): reading workbooks, the two modes ("import
//! nothing until clean" or "import the clean rows"), error reports with the
//! reason beside each bad row, templates, and the job that runs an import in
//! the background with its progress in the database.
//!
//! What a row means is decided by the contexts: `property::import` for
//! rooms, `customer::import` for customers with their rooms and roles.

use std::io::Cursor;

use calamine::{open_workbook_from_rs, Data, DataType, Reader, Xlsx};
use chrono::Utc;
use domain::validation::normalize_text;
use rust_xlsxwriter::{Format, Workbook};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder, QuerySelect};
use serde::Serialize;

use crate::{customer, entity::import_job, property, AppError, AppResult, Caller, Db};

/// The most rows one import may hold.
pub const MAX_ROWS: usize = 100_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportKind {
    Rooms,
    Customers,
}

impl ImportKind {
    pub fn code(self) -> &'static str {
        match self {
            Self::Rooms => "rooms",
            Self::Customers => "customers",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        match code {
            "rooms" => Some(Self::Rooms),
            "customers" => Some(Self::Customers),
            _ => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Rooms => "房间",
            Self::Customers => "客户及入住关系",
        }
    }

    /// Column headers of the template, in order; `*` marks required ones.
    pub fn headers(self) -> &'static [&'static str] {
        match self {
            Self::Rooms => property::import::HEADERS,
            Self::Customers => customer::import::HEADERS,
        }
    }

    fn example(self) -> &'static [&'static str] {
        match self {
            Self::Rooms => property::import::EXAMPLE,
            Self::Customers => customer::import::EXAMPLE,
        }
    }

    fn permission(self) -> &'static str {
        match self {
            Self::Rooms => "property.import",
            Self::Customers => "customer.import",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportMode {
    /// Nothing is imported unless every row is valid.
    AllOrNothing,
    /// The valid rows are imported; the others come back in the report.
    CleanRows,
}

impl ImportMode {
    pub fn code(self) -> &'static str {
        match self {
            Self::AllOrNothing => "all_or_nothing",
            Self::CleanRows => "clean_rows",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        match code {
            "all_or_nothing" => Some(Self::AllOrNothing),
            "clean_rows" => Some(Self::CleanRows),
            _ => None,
        }
    }
}

/// One data row of a sheet: its line number in the workbook and its cells
/// as normalised text.
#[derive(Debug, Clone)]
pub struct SheetRow {
    pub line: usize,
    pub cells: Vec<String>,
}

impl SheetRow {
    pub fn cell(&self, i: usize) -> &str {
        self.cells.get(i).map(String::as_str).unwrap_or("")
    }
}

/// A refused row with every reason found.
#[derive(Debug, Clone)]
pub struct RowError {
    pub row: SheetRow,
    pub reasons: Vec<String>,
}

fn cell_text(d: &Data) -> String {
    match d {
        Data::Empty => String::new(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::DateTime(_) | Data::DateTimeIso(_) => d.as_date().map(|x| x.to_string()).unwrap_or_else(|| d.to_string()),
        other => normalize_text(&other.to_string()),
    }
}

/// Reads the first sheet; the first row is the header and is skipped, as are
/// blank rows.
pub fn read_sheet(bytes: &[u8]) -> Result<Vec<SheetRow>, String> {
    let mut wb: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes)).map_err(|_| "无法读取文件，请上传 Excel（.xlsx）工作簿".to_string())?;
    let range = wb.worksheet_range_at(0).ok_or("工作簿中没有工作表")?.map_err(|_| "无法读取第一个工作表".to_string())?;
    let rows: Vec<SheetRow> = range
        .rows()
        .enumerate()
        .skip(1)
        .map(|(i, r)| SheetRow { line: i + 1, cells: r.iter().map(cell_text).collect() })
        .filter(|r| r.cells.iter().any(|c| !c.is_empty()))
        .collect();
    if rows.len() > MAX_ROWS {
        return Err(format!("一次最多导入 {MAX_ROWS} 行，请拆分文件"));
    }
    Ok(rows)
}

fn header_format() -> Format {
    Format::new().set_bold().set_background_color(0xE6F4FF)
}

/// A template workbook with the Chinese headers and one example row.
pub fn template(kind: ImportKind) -> AppResult<Vec<u8>> {
    let mut wb = Workbook::new();
    let sheet = wb.add_worksheet();
    let build = |sheet: &mut rust_xlsxwriter::Worksheet| -> Result<(), rust_xlsxwriter::XlsxError> {
        sheet.set_name(kind.label())?;
        for (c, h) in kind.headers().iter().enumerate() {
            sheet.write_with_format(0, c as u16, *h, &header_format())?;
            sheet.set_column_width(c as u16, 16)?;
        }
        for (c, v) in kind.example().iter().enumerate() {
            sheet.write(1, c as u16, *v)?;
        }
        Ok(())
    };
    build(sheet).map_err(|e| anyhow::anyhow!(e))?;
    Ok(wb.save_to_buffer().map_err(|e| anyhow::anyhow!(e))?)
}

/// The refused rows with a reason column, to correct and import again.
pub fn error_report(kind: ImportKind, errors: &[RowError]) -> AppResult<Vec<u8>> {
    let mut wb = Workbook::new();
    let sheet = wb.add_worksheet();
    let red = Format::new().set_font_color(0xCF1322);
    let mut write = || -> Result<(), rust_xlsxwriter::XlsxError> {
        sheet.set_name("错误行")?;
        sheet.write_with_format(0, 0, "原行号", &header_format())?;
        sheet.write_with_format(0, 1, "错误原因", &header_format())?;
        sheet.set_column_width(1, 48)?;
        for (c, h) in kind.headers().iter().enumerate() {
            sheet.write_with_format(0, c as u16 + 2, *h, &header_format())?;
            sheet.set_column_width(c as u16 + 2, 16)?;
        }
        for (r, e) in errors.iter().enumerate() {
            let row = r as u32 + 1;
            sheet.write(row, 0, e.row.line as u32)?;
            sheet.write_with_format(row, 1, e.reasons.join("；"), &red)?;
            for (c, v) in e.row.cells.iter().enumerate() {
                sheet.write(row, c as u16 + 2, v)?;
            }
        }
        sheet.set_freeze_panes(1, 2)?;
        Ok(())
    };
    write().map_err(|e| anyhow::anyhow!(e))?;
    Ok(wb.save_to_buffer().map_err(|e| anyhow::anyhow!(e))?)
}

/// Reports progress of a running import (every few thousand rows).
#[derive(Clone)]
pub struct Progress {
    db: Db,
    job_id: Option<i32>,
}

impl Progress {
    /// For an import run in the caller's own task (the data generator),
    /// which no one polls.
    pub fn untracked(db: &Db) -> Self {
        Progress { db: db.clone(), job_id: None }
    }

    pub async fn set(&self, done: usize) -> AppResult<()> {
        let Some(job_id) = self.job_id else { return Ok(()) };
        if let Some(job) = import_job::Entity::find_by_id(job_id).one(&self.db.conn).await? {
            let mut am = job.into_active_model();
            am.done = Set(done as i32);
            am.update(&self.db.conn).await?;
        }
        Ok(())
    }
}

/// The outcome of validating and (if the mode allows) storing the rows.
pub struct Outcome {
    pub imported: usize,
    pub errors: Vec<RowError>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct JobView {
    pub id: i32,
    pub kind: String,
    pub kind_label: &'static str,
    pub mode: String,
    pub file_name: String,
    /// running | done | failed
    pub status: String,
    pub total: i32,
    pub done: i32,
    pub imported: i32,
    pub error_count: i32,
    pub message: String,
    pub has_report: bool,
    pub created_at: chrono::DateTime<Utc>,
}

impl From<import_job::Model> for JobView {
    fn from(j: import_job::Model) -> Self {
        Self {
            kind_label: ImportKind::from_code(&j.kind).map_or("", ImportKind::label),
            has_report: j.report.is_some(),
            id: j.id,
            kind: j.kind,
            mode: j.mode,
            file_name: j.file_name,
            status: j.status,
            total: j.total,
            done: j.done,
            imported: j.imported,
            error_count: j.error_count,
            message: j.message,
            created_at: j.created_at,
        }
    }
}

/// Starts an import in the background and returns its job at once; the
/// caller polls `get_job` for progress.
pub async fn start(db: &Db, caller: &Caller, kind: ImportKind, mode: ImportMode, file_name: &str, bytes: Vec<u8>) -> AppResult<JobView> {
    caller.require(kind.permission())?;
    let rows = read_sheet(&bytes).map_err(|m| AppError::field("file", m))?;
    if rows.is_empty() {
        return Err(AppError::field("file", "文件中没有数据行（第一行为表头）"));
    }
    let job = import_job::ActiveModel {
        user_id: Set(caller.user_id),
        kind: Set(kind.code().into()),
        mode: Set(mode.code().into()),
        file_name: Set(file_name.chars().take(200).collect()),
        status: Set("running".into()),
        total: Set(rows.len() as i32),
        done: Set(0),
        imported: Set(0),
        error_count: Set(0),
        message: Set(String::new()),
        report: Set(None),
        created_at: Set(Utc::now()),
        finished_at: Set(None),
        ..Default::default()
    }
    .insert(&db.conn)
    .await?;
    let (db2, caller2, job_id) = (db.clone(), caller.clone(), job.id);
    tokio::spawn(async move {
        let progress = Progress { db: db2.clone(), job_id: Some(job_id) };
        let result = match kind {
            ImportKind::Rooms => property::import::import(&db2, &caller2, mode, rows, &progress).await,
            ImportKind::Customers => customer::import::import(&db2, &caller2, mode, rows, &progress).await,
        };
        if let Err(e) = finish(&db2, job_id, kind, result).await {
            tracing::error!(job_id, error = ?e, "import job could not record its outcome");
        }
    });
    Ok(job.into())
}

async fn finish(db: &Db, job_id: i32, kind: ImportKind, result: AppResult<Outcome>) -> AppResult<()> {
    let job = import_job::Entity::find_by_id(job_id).one(&db.conn).await?.ok_or(AppError::NotFound)?;
    let total = job.total;
    let mut am = job.into_active_model();
    am.finished_at = Set(Some(Utc::now()));
    am.done = Set(total);
    match result {
        Ok(outcome) => {
            am.status = Set("done".into());
            am.imported = Set(outcome.imported as i32);
            am.error_count = Set(outcome.errors.len() as i32);
            if !outcome.errors.is_empty() {
                am.report = Set(Some(error_report(kind, &outcome.errors)?));
            }
        }
        Err(e) => {
            tracing::error!(job_id, error = ?e, "import failed");
            am.status = Set("failed".into());
            am.message = Set(match e {
                AppError::Validation(_) | AppError::Conflict(_) | AppError::Forbidden => e.to_string(),
                _ => "导入过程中发生错误，没有导入任何数据".into(),
            });
        }
    }
    am.update(&db.conn).await?;
    Ok(())
}

/// A job of the caller's own.
pub async fn get_job(db: &Db, caller: &Caller, id: i32) -> AppResult<import_job::Model> {
    import_job::Entity::find_by_id(id).filter(import_job::Column::UserId.eq(caller.user_id)).one(&db.conn).await?.ok_or(AppError::NotFound)
}

/// The caller's recent imports.
pub async fn recent_jobs(db: &Db, caller: &Caller) -> AppResult<Vec<JobView>> {
    Ok(import_job::Entity::find()
        .filter(import_job::Column::UserId.eq(caller.user_id))
        .order_by_desc(import_job::Column::Id)
        .limit(20)
        .all(&db.conn)
        .await?
        .into_iter()
        .map(Into::into)
        .collect())
}
