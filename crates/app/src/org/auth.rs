//! Login, sessions, password changes and API tokens (SYS-5).

use argon2::{
    password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString},
    Argon2,
};
use chrono::{DateTime, Duration, Utc};
use domain::{
    audit::AuditAction,
    org::{check_password_policy, LoginThrottle, LOCKOUT_WINDOW_MINUTES},
    FieldErrors,
};
use rand::RngCore;
use sea_orm::{
    query::{SelectA, SelectB},
    ActiveModelTrait,
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult, IdenStatic, IntoActiveModel, QueryFilter, QueryOrder, QuerySelect,
    QueryTrait, SelectTwo,
};
use sha2::{Digest, Sha256};

use crate::{
    audit::{self, Change},
    cache::{self, Versions},
    entity::{api_token, login_log, session, user},
    AppError, AppResult, Caller, Db,
};

/// How long an idle session lives.
pub const SESSION_IDLE_HOURS: i64 = 12;

/// Hashes a password with argon2id and a random salt.
pub async fn hash_password(password: &str) -> AppResult<String> {
    let password = password.to_string();
    argon2_work(move || {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| anyhow::anyhow!("argon2: {e}").into())
    })
    .await?
}

async fn verify_password(password: &str, hash: &str) -> AppResult<bool> {
    let (password, hash) = (password.to_string(), hash.to_string());
    argon2_work(move || {
        PasswordHash::new(&hash).map(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok()).unwrap_or(false)
    })
    .await
}

/// Runs an argon2id computation (tens of milliseconds of CPU and 19 MB of
/// memory each) on the blocking pool, at most one per core at a time: run
/// on the async workers it stalled every other request, and eight logins at
/// once held eight times the memory without finishing any sooner.
async fn argon2_work<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> AppResult<T> {
    static PERMITS: std::sync::OnceLock<tokio::sync::Semaphore> = std::sync::OnceLock::new();
    let permits = PERMITS.get_or_init(|| tokio::sync::Semaphore::new(std::thread::available_parallelism().map_or(2, |n| n.get())));
    let _permit = permits.acquire().await.map_err(|e| anyhow::anyhow!("argon2 permits: {e}"))?;
    Ok(tokio::task::spawn_blocking(work).await.map_err(|e| anyhow::anyhow!("argon2 task: {e}"))?)
}

/// A random secret as hex: session ids, CSRF tokens, API tokens, one-time
/// passwords.
pub fn random_token(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::thread_rng().fill_bytes(&mut buf);
    hex::encode(buf)
}

/// Only the hash of a session id or API token is stored, so a leaked
/// database does not hand out live sessions.
pub fn token_hash(raw: &str) -> String {
    hex::encode(Sha256::digest(raw.as_bytes()))
}

/// A readable one-time password that satisfies the password policy.
pub fn one_time_password() -> String {
    const LETTERS: &[u8] = b"abcdefghjkmnpqrstuvwxyz";
    const DIGITS: &[u8] = b"23456789";
    let mut buf = [0u8; 12];
    rand::thread_rng().fill_bytes(&mut buf);
    buf.iter()
        .enumerate()
        .map(|(i, b)| {
            let set = if i % 3 == 2 { DIGITS } else { LETTERS };
            set[*b as usize % set.len()] as char
        })
        .collect()
}

/// Why a login was refused, as shown to the user. Deliberately vague about
/// whether the account exists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoginRefusal {
    BadCredentials,
    Locked(DateTime<Utc>),
    Disabled,
}

pub struct LoginSuccess {
    /// The raw session id for the cookie (only its hash is stored).
    pub session_id: String,
    pub must_change_password: bool,
    pub user_id: i32,
}

async fn log_login(db: &Db, username: &str, u: Option<&user::Model>, ip: &str, ok: bool, reason: &str) -> AppResult<()> {
    login_log::Entity::insert(login_log::ActiveModel {
        at: Set(Utc::now()),
        username: Set(username.chars().take(64).collect()),
        user_id: Set(u.map(|u| u.id)),
        company_id: Set(u.and_then(|u| u.company_id)),
        ip: Set(ip.to_string()),
        success: Set(ok),
        reason: Set(reason.to_string()),
        ..Default::default()
    })
    .exec(&db.conn)
    .await?;
    Ok(())
}

/// Recent failures of an account since its last success, newest first.
async fn recent_failures(db: &Db, user_id: i32, now: DateTime<Utc>) -> AppResult<Vec<DateTime<Utc>>> {
    let rows: Vec<(DateTime<Utc>, bool)> = login_log::Entity::find()
        .select_only()
        .column(login_log::Column::At)
        .column(login_log::Column::Success)
        .filter(login_log::Column::UserId.eq(user_id))
        .filter(login_log::Column::At.gt(now - Duration::minutes(LOCKOUT_WINDOW_MINUTES * 2)))
        .order_by_desc(login_log::Column::Id)
        .into_tuple()
        .all(&db.conn)
        .await?;
    Ok(rows.into_iter().take_while(|(_, success)| !success).map(|(at, _)| at).collect())
}

/// Checks the credentials, applies the lockout rule, logs the attempt and
/// opens a session.
pub async fn login(db: &Db, username: &str, password: &str, ip: &str) -> AppResult<Result<LoginSuccess, LoginRefusal>> {
    let username = username.trim();
    let now = Utc::now();
    let found = user::Entity::find().filter(user::Column::Username.eq(username)).one(&db.conn).await?;
    let Some(u) = found else {
        // Same work as for a real account, so timing does not reveal names.
        let _ = hash_password(password).await;
        log_login(db, username, None, ip, false, "用户名不存在").await?;
        return Ok(Err(LoginRefusal::BadCredentials));
    };
    if let Some(until) = u.locked_until.filter(|t| *t > now) {
        log_login(db, username, Some(&u), ip, false, "账号已锁定").await?;
        return Ok(Err(LoginRefusal::Locked(until)));
    }
    if !verify_password(password, &u.password_hash).await? {
        log_login(db, username, Some(&u), ip, false, "密码错误").await?;
        // Evaluated after logging, so the attempt just made counts.
        let after = Utc::now();
        let failures = recent_failures(db, u.id, after).await?;
        if let LoginThrottle::LockedUntil(until) = LoginThrottle::evaluate(&failures, after) {
            let mut am = u.clone().into_active_model();
            am.locked_until = Set(Some(until));
            am.update(&db.conn).await?;
            return Ok(Err(LoginRefusal::Locked(until)));
        }
        return Ok(Err(LoginRefusal::BadCredentials));
    }
    if !u.enabled {
        log_login(db, username, Some(&u), ip, false, "账号已停用").await?;
        return Ok(Err(LoginRefusal::Disabled));
    }
    log_login(db, username, Some(&u), ip, true, "").await?;
    let session_id = open_session(db, &u, ip).await?;
    let must_change_password = u.must_change_password;
    let user_id = u.id;
    let mut am = u.into_active_model();
    am.last_login_at = Set(Some(now));
    am.locked_until = Set(None);
    am.update(&db.conn).await?;
    Ok(Ok(LoginSuccess { session_id, must_change_password, user_id }))
}

async fn open_session(db: &Db, u: &user::Model, ip: &str) -> AppResult<String> {
    let raw = random_token(32);
    let now = Utc::now();
    session::Entity::insert(session::ActiveModel {
        id: Set(token_hash(&raw)),
        user_id: Set(u.id),
        csrf_token: Set(random_token(24)),
        ip: Set(ip.to_string()),
        created_at: Set(now),
        last_seen_at: Set(now),
        expires_at: Set(now + Duration::hours(SESSION_IDLE_HOURS)),
    })
    .exec(&db.conn)
    .await?;
    Ok(raw)
}

/// The caller behind a session cookie, if the session is alive and the user
/// enabled. Extends the idle timeout at most once a minute, to keep reads
/// from turning into writes.
pub async fn caller_from_session(db: &Db, raw: &str, ip: &str) -> AppResult<Option<Caller>> {
    let now = Utc::now();
    let Some((s, u, versions)) =
        with_user_and_versions(db, session::Entity::find_by_id(token_hash(raw)).find_also_related(user::Entity)).await?
    else {
        return Ok(None);
    };
    if s.expires_at <= now {
        session::Entity::delete_by_id(s.id).exec(&db.conn).await?;
        return Ok(None);
    }
    let Some(u) = u else {
        return Ok(None);
    };
    if !u.enabled {
        return Ok(None);
    }
    if now - s.last_seen_at > Duration::minutes(1) {
        let mut am = s.clone().into_active_model();
        am.last_seen_at = Set(now);
        am.expires_at = Set(now + Duration::hours(SESSION_IDLE_HOURS));
        am.update(&db.conn).await?;
    }
    Ok(Some(super::scope::caller_as_of(db, u, versions, ip, s.csrf_token).await?))
}

/// The caller behind `Authorization: Bearer <token>`.
pub async fn caller_from_api_token(db: &Db, raw: &str, ip: &str) -> AppResult<Option<Caller>> {
    let tokens = api_token::Entity::find()
        .find_also_related(user::Entity)
        .filter(api_token::Column::TokenHash.eq(token_hash(raw)))
        .filter(api_token::Column::RevokedAt.is_null());
    let Some((t, Some(u), versions)) = with_user_and_versions(db, tokens).await? else {
        return Ok(None);
    };
    if !u.enabled {
        return Ok(None);
    }
    let now = Utc::now();
    if t.last_used_at.is_none_or(|at| now - at > Duration::minutes(1)) {
        let mut am = t.into_active_model();
        am.last_used_at = Set(Some(now));
        am.update(&db.conn).await?;
    }
    let mut caller = super::scope::caller_as_of(db, u, versions, ip, String::new()).await?;
    // A token acts for its owner but never needs a forced password change.
    caller.must_change_password = false;
    Ok(Some(caller))
}

/// The first row of a session's or token's read, its user and the
/// configuration counters, in one statement: this runs for every request.
async fn with_user_and_versions<E: EntityTrait>(
    db: &Db,
    select: SelectTwo<E, user::Entity>,
) -> AppResult<Option<(E::Model, Option<user::Model>, Versions)>> {
    let mut select = select.limit(1).into_query();
    cache::select_versions(&mut select);
    let Some(row) = db.conn.query_one(db.conn.get_database_backend().build(&select)).await? else {
        return Ok(None);
    };
    let first = E::Model::from_query_result(&row, SelectA.as_str())?;
    let user = user::Model::from_query_result_optional(&row, SelectB.as_str())?;
    Ok(Some((first, user, cache::versions_in(&row)?)))
}

pub async fn logout(db: &Db, raw: &str) -> AppResult<()> {
    session::Entity::delete_by_id(token_hash(raw)).exec(&db.conn).await?;
    Ok(())
}

/// Ends every session of a user (after a reset, disable or password change).
pub async fn end_sessions(db: &impl sea_orm::ConnectionTrait, user_id: i32, keep: Option<&str>) -> AppResult<()> {
    let mut q = session::Entity::delete_many().filter(session::Column::UserId.eq(user_id));
    if let Some(raw) = keep {
        q = q.filter(session::Column::Id.ne(token_hash(raw)));
    }
    q.exec(db).await?;
    Ok(())
}

#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct PasswordChange {
    #[serde(default)]
    pub old_password: String,
    #[serde(default)]
    pub new_password: String,
    #[serde(default)]
    pub confirm_password: String,
}

/// The caller changes their own password; other sessions are ended.
pub async fn change_password(db: &Db, caller: &Caller, input: &PasswordChange, current_session: Option<&str>) -> AppResult<()> {
    let u = user::Entity::find_by_id(caller.user_id).one(&db.conn).await?.ok_or(AppError::NotFound)?;
    let mut errors = FieldErrors::new();
    if !verify_password(&input.old_password, &u.password_hash).await? {
        errors.add("old_password", "原密码不正确");
    }
    if let Err(m) = check_password_policy(&input.new_password) {
        errors.add("new_password", m);
    }
    if input.new_password != input.confirm_password {
        errors.add("confirm_password", "两次输入的新密码不一致");
    }
    if input.new_password == input.old_password && errors.get("new_password").is_none() {
        errors.add("new_password", "新密码不能与原密码相同");
    }
    errors.into_result()?;
    let txn = db.begin().await?;
    let mut am = u.into_active_model();
    am.password_hash = Set(hash_password(&input.new_password).await?);
    am.must_change_password = Set(false);
    am.updated_at = Set(Utc::now());
    let u = am.update(&*txn).await?;
    end_sessions(&*txn, u.id, current_session).await?;
    audit::record(
        &*txn,
        caller,
        Change::new("user", u.id, AuditAction::ChangePassword).summary(format!("{} 修改了本人密码", u.display_name)),
    )
    .await?;
    txn.commit().await
}

#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct ApiTokenView {
    pub id: i32,
    pub name: String,
    pub prefix: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked: bool,
}

impl From<api_token::Model> for ApiTokenView {
    fn from(t: api_token::Model) -> Self {
        Self {
            id: t.id,
            name: t.name,
            prefix: t.prefix,
            created_at: t.created_at,
            last_used_at: t.last_used_at,
            revoked: t.revoked_at.is_some(),
        }
    }
}

pub async fn list_tokens(db: &Db, caller: &Caller) -> AppResult<Vec<ApiTokenView>> {
    Ok(api_token::Entity::find()
        .filter(api_token::Column::UserId.eq(caller.user_id))
        .order_by_desc(api_token::Column::Id)
        .all(&db.conn)
        .await?
        .into_iter()
        .map(Into::into)
        .collect())
}

/// Issues an API token for the caller; the raw token is returned once and
/// only its hash is kept.
pub async fn issue_token(db: &Db, caller: &Caller, name: &str) -> AppResult<(ApiTokenView, String)> {
    caller.require("api_token.manage")?;
    let mut errors = FieldErrors::new();
    let name = errors.required("name", "令牌名称", name);
    errors.max_chars("name", "令牌名称", &name, 64);
    errors.into_result()?;
    let raw = format!("gj_{}", random_token(24));
    let txn = db.begin().await?;
    let t = api_token::ActiveModel {
        user_id: Set(caller.user_id),
        name: Set(name),
        token_hash: Set(token_hash(&raw)),
        prefix: Set(raw.chars().take(10).collect()),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(&*txn)
    .await?;
    audit::record(&*txn, caller, Change::new("api_token", t.id, AuditAction::IssueToken).summary(format!("签发接口令牌 {}", t.name)))
        .await?;
    txn.commit().await?;
    Ok((t.into(), raw))
}

pub async fn revoke_token(db: &Db, caller: &Caller, id: i32) -> AppResult<()> {
    let txn = db.begin().await?;
    let t = api_token::Entity::find_by_id(id)
        .filter(api_token::Column::UserId.eq(caller.user_id))
        .one(&*txn)
        .await?
        .ok_or(AppError::NotFound)?;
    let name = t.name.clone();
    let mut am = t.into_active_model();
    am.revoked_at = Set(Some(Utc::now()));
    am.update(&*txn).await?;
    audit::record(&*txn, caller, Change::new("api_token", id, AuditAction::RevokeToken).summary(format!("吊销接口令牌 {name}"))).await?;
    txn.commit().await
}
