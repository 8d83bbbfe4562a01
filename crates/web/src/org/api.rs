//! JSON API of the org context: login, me, org units, users, roles.

use app::{
    org::{
        auth::{self, ApiTokenView, LoginRefusal, PasswordChange},
        role::{self, RoleInput, RoleView},
        unit::{self, OrgUnit, OrgUnitInput, TreeNode},
        user::{self, AccountAction, UserFilter, UserInput, UserView},
    },
    AppError, PageRequest,
};
use axum::{
    extract::{Path, Query, State},
    http::{header, HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    routing::{get, post},
    Json, Router,
};
use serde::{Deserialize, Serialize};

use crate::{
    api::{ApiResult, ListBody, VersionBody, Versioned},
    auth::{client_ip, cookie, set_cookie, ApiAuth, SESSION_COOKIE},
    error::ApiError,
    SharedState,
};

pub fn routes() -> Router<SharedState> {
    Router::new()
        .route("/api/v1/auth/login", post(login))
        .route("/api/v1/auth/logout", post(logout))
        .route("/api/v1/me", get(me))
        .route("/api/v1/me/password", post(change_password))
        .route("/api/v1/me/tokens", get(list_tokens).post(issue_token))
        .route("/api/v1/me/tokens/{id}", axum::routing::delete(revoke_token))
        .route("/api/v1/permissions", get(permissions))
        .route("/api/v1/org-units", get(list_units).post(create_unit))
        .route("/api/v1/org-units/{id}", get(get_unit).put(update_unit).delete(delete_unit))
        .route("/api/v1/org-units/{id}/move", post(move_unit))
        .route("/api/v1/org-units/{id}/enable", post(enable_unit))
        .route("/api/v1/org-units/{id}/disable", post(disable_unit))
        .route("/api/v1/users", get(list_users).post(create_user))
        .route("/api/v1/users/{id}", get(get_user).put(update_user))
        .route("/api/v1/users/{id}/reset-password", post(reset_password))
        .route("/api/v1/users/{id}/unlock", post(unlock_user))
        .route("/api/v1/users/{id}/enable", post(enable_user))
        .route("/api/v1/users/{id}/disable", post(disable_user))
        .route("/api/v1/roles", get(list_roles).post(create_role))
        .route("/api/v1/roles/{id}", get(get_role).put(update_role))
        .route("/api/v1/roles/{id}/enable", post(enable_role))
        .route("/api/v1/roles/{id}/disable", post(disable_role))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct LoginBody {
    username: String,
    password: String,
    /// Also issue an API token named "登录令牌" and return it.
    #[serde(default)]
    token: bool,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct LoginAnswer {
    user_id: i32,
    must_change_password: bool,
    /// The session's CSRF token, to send as `X-CSRF-Token` with cookie auth.
    csrf_token: String,
    /// The raw API token when `"token": true` was asked (shown once).
    token: Option<String>,
}

/// Logs in; answers a session cookie (and an API token on request).
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "认证", request_body = LoginBody,
    responses((status = 200, body = LoginAnswer), (status = 401, description = "用户名或密码错误、账号锁定或停用")))]
pub async fn login(State(st): State<SharedState>, ext: axum::http::Extensions, Json(b): Json<LoginBody>) -> Result<Response, ApiError> {
    let ip = client_ip(&ext);
    let ok = match auth::login(&st.db, &b.username, &b.password, &ip).await? {
        Ok(ok) => ok,
        Err(refusal) => {
            let message = match refusal {
                LoginRefusal::BadCredentials => "用户名或密码错误".to_string(),
                LoginRefusal::Disabled => "该账号已停用".to_string(),
                LoginRefusal::Locked(until) => {
                    format!("账号已锁定至 {}", crate::view::local_time(st.tz, until))
                }
            };
            let body = serde_json::json!({"error": {"code": "login_refused", "message": message, "fields": {}}});
            return Ok((StatusCode::UNAUTHORIZED, Json(body)).into_response());
        }
    };
    let caller = auth::caller_from_session(&st.db, &ok.session_id, &ip).await?.ok_or(AppError::Unauthorized)?;
    let token = if b.token && !ok.must_change_password { Some(auth::issue_token(&st.db, &caller, "登录令牌").await?.1) } else { None };
    let answer = LoginAnswer { user_id: ok.user_id, must_change_password: ok.must_change_password, csrf_token: caller.csrf_token, token };
    let mut r = Json(answer).into_response();
    let c = set_cookie(SESSION_COOKIE, &ok.session_id, None, st.secure_cookies);
    r.headers_mut().append(header::SET_COOKIE, c.parse().map_err(|e: header::InvalidHeaderValue| AppError::Internal(e.into()))?);
    Ok(r)
}

#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "认证", responses((status = 204)))]
pub async fn logout(State(st): State<SharedState>, headers: HeaderMap) -> Result<StatusCode, ApiError> {
    if let Some(sid) = cookie(&headers, SESSION_COOKIE) {
        auth::logout(&st.db, &sid).await?;
    }
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct MeBody {
    #[serde(flatten)]
    user: UserView,
    permissions: Vec<String>,
    project_ids: Vec<i32>,
}

/// The caller, with effective permissions and projects in scope.
#[utoipa::path(get, path = "/api/v1/me", tag = "认证", responses((status = 200, body = MeBody)))]
pub async fn me(State(st): State<SharedState>, ApiAuth(c): ApiAuth) -> ApiResult<MeBody> {
    let user = user::get_self(&st.db, &c).await?;
    let permissions = if c.is_superuser() {
        domain::org::PERMISSIONS.iter().map(|p| p.code.to_string()).collect()
    } else {
        c.permissions.iter().cloned().collect()
    };
    Ok(Json(MeBody { user, permissions, project_ids: c.scope.projects.iter().copied().collect() }))
}

#[utoipa::path(post, path = "/api/v1/me/password", tag = "认证", request_body = PasswordChange, responses((status = 204), (status = 422)))]
pub async fn change_password(
    State(st): State<SharedState>,
    ApiAuth(c): ApiAuth,
    headers: HeaderMap,
    Json(b): Json<PasswordChange>,
) -> Result<StatusCode, ApiError> {
    auth::change_password(&st.db, &c, &b, cookie(&headers, SESSION_COOKIE).as_deref()).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/api/v1/me/tokens", tag = "认证", responses((status = 200, body = [ApiTokenView])))]
pub async fn list_tokens(State(st): State<SharedState>, ApiAuth(c): ApiAuth) -> ApiResult<Vec<ApiTokenView>> {
    Ok(Json(auth::list_tokens(&st.db, &c).await?))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct TokenBody {
    name: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct IssuedToken {
    #[serde(flatten)]
    token: ApiTokenView,
    /// The raw token, shown only in this answer.
    secret: String,
}

#[utoipa::path(post, path = "/api/v1/me/tokens", tag = "认证", request_body = TokenBody, responses((status = 200, body = IssuedToken)))]
pub async fn issue_token(State(st): State<SharedState>, ApiAuth(c): ApiAuth, Json(b): Json<TokenBody>) -> ApiResult<IssuedToken> {
    let (token, secret) = auth::issue_token(&st.db, &c, &b.name).await?;
    Ok(Json(IssuedToken { token, secret }))
}

#[utoipa::path(delete, path = "/api/v1/me/tokens/{id}", tag = "认证", responses((status = 204), (status = 404)))]
pub async fn revoke_token(State(st): State<SharedState>, ApiAuth(c): ApiAuth, Path(id): Path<i32>) -> Result<StatusCode, ApiError> {
    auth::revoke_token(&st.db, &c, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PermissionBody {
    code: &'static str,
    module: &'static str,
    module_label: &'static str,
    label: &'static str,
}

/// The permission catalogue: every module and action roles can grant.
#[utoipa::path(get, path = "/api/v1/permissions", tag = "组织与权限", responses((status = 200, body = [PermissionBody])))]
pub async fn permissions(_auth: ApiAuth) -> Json<Vec<PermissionBody>> {
    Json(
        domain::org::PERMISSIONS
            .iter()
            .map(|p| PermissionBody { code: p.code, module: p.module, module_label: domain::org::module_label(p.module), label: p.label })
            .collect(),
    )
}

#[utoipa::path(get, path = "/api/v1/org-units", tag = "组织与权限", responses((status = 200, body = [TreeNode])))]
pub async fn list_units(State(st): State<SharedState>, ApiAuth(c): ApiAuth) -> ApiResult<ListBody<TreeNode>> {
    let nodes = unit::tree(&st.db, &c).await?;
    Ok(Json(ListBody::all(nodes)))
}

#[utoipa::path(post, path = "/api/v1/org-units", tag = "组织与权限", request_body = OrgUnitInput, responses((status = 200, body = Object), (status = 422)))]
pub async fn create_unit(State(st): State<SharedState>, ApiAuth(c): ApiAuth, Json(b): Json<OrgUnitInput>) -> ApiResult<OrgUnit> {
    Ok(Json(unit::create(&st.db, &c, &b).await?))
}

#[utoipa::path(get, path = "/api/v1/org-units/{id}", tag = "组织与权限", responses((status = 200, body = Object), (status = 404)))]
pub async fn get_unit(State(st): State<SharedState>, ApiAuth(c): ApiAuth, Path(id): Path<i32>) -> ApiResult<OrgUnit> {
    c.require("org.view")?;
    Ok(Json(unit::get(&st.db.conn, &c, id).await?))
}

#[utoipa::path(put, path = "/api/v1/org-units/{id}", tag = "组织与权限", request_body = OrgUnitInput, responses((status = 200, body = Object), (status = 404), (status = 409), (status = 422)))]
pub async fn update_unit(
    State(st): State<SharedState>,
    ApiAuth(c): ApiAuth,
    Path(id): Path<i32>,
    Json(b): Json<Versioned<OrgUnitInput>>,
) -> ApiResult<OrgUnit> {
    Ok(Json(unit::update(&st.db, &c, id, b.version, &b.data).await?))
}

#[utoipa::path(delete, path = "/api/v1/org-units/{id}", tag = "组织与权限", request_body = VersionBody, responses((status = 204), (status = 404), (status = 409)))]
pub async fn delete_unit(
    State(st): State<SharedState>,
    ApiAuth(c): ApiAuth,
    Path(id): Path<i32>,
    Json(b): Json<VersionBody>,
) -> Result<StatusCode, ApiError> {
    unit::delete(&st.db, &c, id, b.version).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct MoveBody {
    version: i32,
    parent_id: i32,
}

#[utoipa::path(post, path = "/api/v1/org-units/{id}/move", tag = "组织与权限", request_body = MoveBody, responses((status = 200, body = Object), (status = 404), (status = 409), (status = 422)))]
pub async fn move_unit(
    State(st): State<SharedState>,
    ApiAuth(c): ApiAuth,
    Path(id): Path<i32>,
    Json(b): Json<MoveBody>,
) -> ApiResult<OrgUnit> {
    Ok(Json(unit::move_to(&st.db, &c, id, b.version, b.parent_id).await?))
}

#[utoipa::path(post, path = "/api/v1/org-units/{id}/enable", tag = "组织与权限", request_body = VersionBody, responses((status = 200, body = Object)))]
pub async fn enable_unit(
    State(st): State<SharedState>,
    ApiAuth(c): ApiAuth,
    Path(id): Path<i32>,
    Json(b): Json<VersionBody>,
) -> ApiResult<OrgUnit> {
    Ok(Json(unit::set_enabled(&st.db, &c, id, b.version, true).await?))
}

#[utoipa::path(post, path = "/api/v1/org-units/{id}/disable", tag = "组织与权限", request_body = VersionBody, responses((status = 200, body = Object)))]
pub async fn disable_unit(
    State(st): State<SharedState>,
    ApiAuth(c): ApiAuth,
    Path(id): Path<i32>,
    Json(b): Json<VersionBody>,
) -> ApiResult<OrgUnit> {
    Ok(Json(unit::set_enabled(&st.db, &c, id, b.version, false).await?))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct UserQuery {
    org_unit_id: Option<i32>,
    role_id: Option<i32>,
    /// `1` enabled only, `0` disabled only.
    enabled: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/users", tag = "组织与权限", params(UserQuery), responses((status = 200, body = ListBody<UserView>)))]
pub async fn list_users(
    State(st): State<SharedState>,
    ApiAuth(c): ApiAuth,
    Query(req): Query<PageRequest>,
    Query(q): Query<UserQuery>,
) -> ApiResult<ListBody<UserView>> {
    let f = UserFilter { org_unit_id: q.org_unit_id, role_id: q.role_id, enabled: q.enabled };
    Ok(Json(user::list(&st.db, &c, &req, &f).await?.into()))
}

#[utoipa::path(post, path = "/api/v1/users", tag = "组织与权限", request_body = UserInput, responses((status = 200, body = UserView), (status = 422)))]
pub async fn create_user(State(st): State<SharedState>, ApiAuth(c): ApiAuth, Json(b): Json<UserInput>) -> ApiResult<UserView> {
    Ok(Json(user::create(&st.db, &c, &b).await?))
}

#[utoipa::path(get, path = "/api/v1/users/{id}", tag = "组织与权限", responses((status = 200, body = UserView), (status = 404)))]
pub async fn get_user(State(st): State<SharedState>, ApiAuth(c): ApiAuth, Path(id): Path<i32>) -> ApiResult<UserView> {
    Ok(Json(user::get(&st.db, &c, id).await?))
}

#[utoipa::path(put, path = "/api/v1/users/{id}", tag = "组织与权限", request_body = UserInput, responses((status = 200, body = UserView), (status = 404), (status = 409), (status = 422)))]
pub async fn update_user(
    State(st): State<SharedState>,
    ApiAuth(c): ApiAuth,
    Path(id): Path<i32>,
    Json(b): Json<Versioned<UserInput>>,
) -> ApiResult<UserView> {
    Ok(Json(user::update(&st.db, &c, id, b.version, &b.data).await?))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct ResetBody {
    version: i32,
    password: String,
}

#[utoipa::path(post, path = "/api/v1/users/{id}/reset-password", tag = "组织与权限", request_body = ResetBody, responses((status = 200, body = UserView)))]
pub async fn reset_password(
    State(st): State<SharedState>,
    ApiAuth(c): ApiAuth,
    Path(id): Path<i32>,
    Json(b): Json<ResetBody>,
) -> ApiResult<UserView> {
    Ok(Json(user::account_action(&st.db, &c, id, b.version, AccountAction::ResetPassword(b.password)).await?))
}

#[utoipa::path(post, path = "/api/v1/users/{id}/unlock", tag = "组织与权限", request_body = VersionBody, responses((status = 200, body = UserView)))]
pub async fn unlock_user(
    State(st): State<SharedState>,
    ApiAuth(c): ApiAuth,
    Path(id): Path<i32>,
    Json(b): Json<VersionBody>,
) -> ApiResult<UserView> {
    Ok(Json(user::account_action(&st.db, &c, id, b.version, AccountAction::Unlock).await?))
}

#[utoipa::path(post, path = "/api/v1/users/{id}/enable", tag = "组织与权限", request_body = VersionBody, responses((status = 200, body = UserView)))]
pub async fn enable_user(
    State(st): State<SharedState>,
    ApiAuth(c): ApiAuth,
    Path(id): Path<i32>,
    Json(b): Json<VersionBody>,
) -> ApiResult<UserView> {
    Ok(Json(user::account_action(&st.db, &c, id, b.version, AccountAction::Enable).await?))
}

#[utoipa::path(post, path = "/api/v1/users/{id}/disable", tag = "组织与权限", request_body = VersionBody, responses((status = 200, body = UserView)))]
pub async fn disable_user(
    State(st): State<SharedState>,
    ApiAuth(c): ApiAuth,
    Path(id): Path<i32>,
    Json(b): Json<VersionBody>,
) -> ApiResult<UserView> {
    Ok(Json(user::account_action(&st.db, &c, id, b.version, AccountAction::Disable).await?))
}

#[utoipa::path(get, path = "/api/v1/roles", tag = "组织与权限", responses((status = 200, body = ListBody<RoleView>)))]
pub async fn list_roles(
    State(st): State<SharedState>,
    ApiAuth(c): ApiAuth,
    Query(req): Query<PageRequest>,
) -> ApiResult<ListBody<RoleView>> {
    Ok(Json(role::list(&st.db, &c, &req).await?.into()))
}

#[utoipa::path(post, path = "/api/v1/roles", tag = "组织与权限", request_body = RoleInput, responses((status = 200, body = RoleView), (status = 422)))]
pub async fn create_role(State(st): State<SharedState>, ApiAuth(c): ApiAuth, Json(b): Json<RoleInput>) -> ApiResult<RoleView> {
    Ok(Json(role::create(&st.db, &c, &b).await?))
}

#[utoipa::path(get, path = "/api/v1/roles/{id}", tag = "组织与权限", responses((status = 200, body = RoleView), (status = 404)))]
pub async fn get_role(State(st): State<SharedState>, ApiAuth(c): ApiAuth, Path(id): Path<i32>) -> ApiResult<RoleView> {
    Ok(Json(role::get(&st.db, &c, id).await?))
}

#[utoipa::path(put, path = "/api/v1/roles/{id}", tag = "组织与权限", request_body = RoleInput, responses((status = 200, body = RoleView), (status = 404), (status = 409), (status = 422)))]
pub async fn update_role(
    State(st): State<SharedState>,
    ApiAuth(c): ApiAuth,
    Path(id): Path<i32>,
    Json(b): Json<Versioned<RoleInput>>,
) -> ApiResult<RoleView> {
    Ok(Json(role::update(&st.db, &c, id, b.version, &b.data).await?))
}

#[utoipa::path(post, path = "/api/v1/roles/{id}/enable", tag = "组织与权限", request_body = VersionBody, responses((status = 200, body = RoleView)))]
pub async fn enable_role(
    State(st): State<SharedState>,
    ApiAuth(c): ApiAuth,
    Path(id): Path<i32>,
    Json(b): Json<VersionBody>,
) -> ApiResult<RoleView> {
    Ok(Json(role::set_enabled(&st.db, &c, id, b.version, true).await?))
}

#[utoipa::path(post, path = "/api/v1/roles/{id}/disable", tag = "组织与权限", request_body = VersionBody, responses((status = 200, body = RoleView)))]
pub async fn disable_role(
    State(st): State<SharedState>,
    ApiAuth(c): ApiAuth,
    Path(id): Path<i32>,
    Json(b): Json<VersionBody>,
) -> ApiResult<RoleView> {
    Ok(Json(role::set_enabled(&st.db, &c, id, b.version, false).await?))
}
