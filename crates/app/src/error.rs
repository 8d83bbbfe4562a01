use domain::FieldErrors;
use sea_orm::{DbErr, RuntimeErr};

/// Every way a use case can refuse or fail. `web` maps each to an HTTP status
/// and a Chinese message.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// Unknown, or outside the caller's scope: the two are indistinguishable
    /// on purpose (SYS-4).
    #[error("记录不存在或无权访问")]
    NotFound,
    /// The caller lacks the permission point for this function.
    #[error("没有执行此操作的权限")]
    Forbidden,
    #[error("请先登录")]
    Unauthorized,
    /// Input that failed validation, with messages per field.
    #[error("提交的内容有误，请检查标出的字段")]
    Validation(FieldErrors),
    /// A stale version or an action not allowed in the current state.
    #[error("{0}")]
    Conflict(String),
    #[error("数据库错误")]
    Db(#[from] DbErr),
    #[error("系统内部错误")]
    Internal(#[from] anyhow::Error),
}

pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        let mut e = FieldErrors::new();
        e.add(field, message);
        Self::Validation(e)
    }

    pub fn stale() -> Self {
        Self::Conflict("该记录已被他人修改，请刷新后重试（您填写的内容已保留）".into())
    }
}

impl From<FieldErrors> for AppError {
    fn from(e: FieldErrors) -> Self {
        Self::Validation(e)
    }
}

/// True when a database error is a unique-key violation on either engine, so
/// a use case can turn it into a field error.
pub fn is_unique_violation(e: &DbErr) -> bool {
    let text = match e {
        DbErr::Exec(RuntimeErr::SqlxError(s)) | DbErr::Query(RuntimeErr::SqlxError(s)) => s.to_string(),
        other => other.to_string(),
    };
    text.contains("UNIQUE constraint failed") || text.contains("duplicate key value")
}
