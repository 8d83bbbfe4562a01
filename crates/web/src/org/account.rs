//! Login, logout, forced and voluntary password change, personal center.

use app::{
    org::{
        auth::{self, LoginRefusal, PasswordChange},
        user,
    },
    AppError,
};
use askama::Template;
use axum::{
    extract::{Path, Query, State},
    http::{header, HeaderMap, StatusCode},
    response::{IntoResponse, Redirect, Response},
};
use serde::Deserialize;

use crate::{
    auth::{client_ip, constant_eq, cookie, redirect_with_flash, set_cookie, PageAuth, LOGIN_CSRF_COOKIE, SESSION_COOKIE},
    error::PageError,
    form::FormData,
    shell::{form_page, refused, render, shell, Shell},
    view::{local_time, local_time_opt, Field, FormView, Section},
    SharedState,
};

#[derive(Template)]
#[template(path = "org/login.html")]
struct LoginPage {
    csrf: String,
    next: String,
    username: String,
    error: Option<String>,
}

#[derive(Deserialize)]
pub struct NextQuery {
    #[serde(default)]
    next: Option<String>,
}

/// Only same-site paths are followed after login (no open redirect).
fn safe_next(next: &str) -> String {
    if next.starts_with('/') && !next.starts_with("//") && !next.starts_with("/\\") {
        next.to_string()
    } else {
        "/".into()
    }
}

fn login_form(st: &SharedState, next: &str, username: &str, error: Option<String>, status: StatusCode) -> Response {
    let csrf = auth::random_token(16);
    let page = LoginPage { csrf: csrf.clone(), next: safe_next(next), username: username.into(), error };
    let mut r = render(&page, false);
    *r.status_mut() = status;
    if let Ok(v) = set_cookie(LOGIN_CSRF_COOKIE, &csrf, Some(3600), st.secure_cookies).parse() {
        r.headers_mut().append(header::SET_COOKIE, v);
    }
    r
}

pub async fn login_page(State(st): State<SharedState>, Query(q): Query<NextQuery>) -> Response {
    login_form(&st, q.next.as_deref().unwrap_or("/"), "", None, StatusCode::OK)
}

pub async fn login_submit(
    State(st): State<SharedState>,
    headers: HeaderMap,
    ext: axum::http::Extensions,
    f: FormData,
) -> Result<Response, PageError> {
    let username = f.get("username");
    let next = f.get("next");
    let expected = cookie(&headers, LOGIN_CSRF_COOKIE).unwrap_or_default();
    if expected.is_empty() || !constant_eq(&f.get("_csrf"), &expected) {
        return Ok(login_form(&st, &next, &username, Some("登录页面已过期，请重新输入密码登录".into()), StatusCode::FORBIDDEN));
    }
    if username.trim().is_empty() || f.get("password").is_empty() {
        return Ok(login_form(&st, &next, &username, Some("请输入用户名和密码".into()), StatusCode::UNPROCESSABLE_ENTITY));
    }
    let ip = client_ip(&ext);
    match auth::login(&st.db, &username, &f.get("password"), &ip).await? {
        Ok(ok) => {
            let to = if ok.must_change_password { "/me/password".to_string() } else { safe_next(&next) };
            let mut r = Redirect::to(&to).into_response();
            let c = set_cookie(SESSION_COOKIE, &ok.session_id, None, st.secure_cookies);
            r.headers_mut().append(header::SET_COOKIE, c.parse().map_err(|e: header::InvalidHeaderValue| AppError::Internal(e.into()))?);
            Ok(r)
        }
        Err(refusal) => {
            let message = match refusal {
                LoginRefusal::BadCredentials => "用户名或密码错误".to_string(),
                LoginRefusal::Disabled => "该账号已停用，请联系管理员".to_string(),
                LoginRefusal::Locked(until) => {
                    format!("密码错误次数过多，账号已锁定至 {}，请稍后再试或联系管理员解锁", local_time(st.tz, until))
                }
            };
            Ok(login_form(&st, &next, &username, Some(message), StatusCode::UNAUTHORIZED))
        }
    }
}

pub async fn logout(State(st): State<SharedState>, headers: HeaderMap) -> Result<Response, PageError> {
    if let Some(sid) = cookie(&headers, SESSION_COOKIE) {
        auth::logout(&st.db, &sid).await?;
    }
    let mut r = Redirect::to("/login").into_response();
    if let Ok(v) = set_cookie(SESSION_COOKIE, "", Some(0), st.secure_cookies).parse() {
        r.headers_mut().append(header::SET_COOKIE, v);
    }
    Ok(r)
}

fn password_form(forced: bool) -> FormView {
    let hint = "至少 8 位，须同时包含字母和数字";
    let mut form = FormView::new(
        if forced { "首次登录，请设置新密码" } else { "修改密码" },
        "/me/password".into(),
        "/me",
        vec![Section::new(
            "",
            vec![
                Field::new("password", "old_password", if forced { "当前（初始）密码" } else { "原密码" }, "").required(),
                Field::new("password", "new_password", "新密码", "").required().hint(hint),
                Field::new("password", "confirm_password", "确认新密码", "").required(),
            ],
        )],
    );
    form.submit_label = "确认修改".into();
    if forced {
        form.error = Some("为保障账号安全，首次登录或密码被重置后须先修改密码".into());
    }
    form
}

pub async fn password_page(State(st): State<SharedState>, auth: PageAuth) -> Response {
    let forced = auth.caller.must_change_password;
    form_page(&st, &auth, "", password_form(forced), StatusCode::OK).await
}

pub async fn password_submit(
    State(st): State<SharedState>,
    auth: PageAuth,
    headers: HeaderMap,
    f: FormData,
) -> Result<Response, PageError> {
    let input = PasswordChange {
        old_password: f.get("old_password"),
        new_password: f.get("new_password"),
        confirm_password: f.get("confirm_password"),
    };
    let current = cookie(&headers, SESSION_COOKIE);
    match auth::change_password(&st.db, &auth.caller, &input, current.as_deref()).await {
        Ok(()) => Ok(redirect_with_flash("/", "密码已修改")),
        Err(e) => {
            // Passwords are never echoed back into the form.
            let (form, status) = refused(e, password_form(auth.caller.must_change_password))?;
            Ok(form_page(&st, &auth, "", form, status).await)
        }
    }
}

struct TokenRow {
    id: i32,
    name: String,
    prefix: String,
    created: String,
    last_used: String,
    revoked: bool,
}

#[derive(Template)]
#[template(path = "org/me.html")]
struct MePage {
    shell: Shell,
    me: user::UserView,
    last_login: String,
    can_tokens: bool,
    tokens: Vec<TokenRow>,
    new_token: Option<String>,
    token_name: String,
    token_error: Option<String>,
}

async fn me_page(
    st: &SharedState,
    auth: &PageAuth,
    new_token: Option<String>,
    token_name: String,
    token_error: Option<String>,
    status: StatusCode,
) -> Result<Response, PageError> {
    let me = user::get_self(&st.db, &auth.caller).await?;
    let tokens = auth::list_tokens(&st.db, &auth.caller)
        .await?
        .into_iter()
        .map(|t| TokenRow {
            id: t.id,
            name: t.name,
            prefix: t.prefix,
            created: local_time(st.tz, t.created_at),
            last_used: local_time_opt(st.tz, t.last_used_at),
            revoked: t.revoked,
        })
        .collect();
    let page = MePage {
        shell: shell(st, auth, "", "个人中心").await,
        last_login: local_time_opt(st.tz, me.last_login_at),
        me,
        can_tokens: auth.caller.can("api_token.manage"),
        tokens,
        new_token,
        token_name,
        token_error,
    };
    let mut r = render(&page, auth.flash.is_some());
    *r.status_mut() = status;
    Ok(r)
}

pub async fn me(State(st): State<SharedState>, auth: PageAuth) -> Result<Response, PageError> {
    me_page(&st, &auth, None, String::new(), None, StatusCode::OK).await
}

pub async fn token_issue(State(st): State<SharedState>, auth: PageAuth, f: FormData) -> Result<Response, PageError> {
    let name = f.get("name");
    match auth::issue_token(&st.db, &auth.caller, &name).await {
        Ok((_, raw)) => me_page(&st, &auth, Some(raw), String::new(), None, StatusCode::OK).await,
        Err(AppError::Validation(e)) => {
            me_page(&st, &auth, None, name, e.get("name").map(str::to_string), StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn token_revoke(State(st): State<SharedState>, auth: PageAuth, Path(id): Path<i32>) -> Result<Response, PageError> {
    auth::revoke_token(&st.db, &auth.caller, id).await?;
    Ok(redirect_with_flash("/me", "令牌已吊销"))
}
