//! Who is calling: session cookies and API tokens, CSRF, and the extractors
//! that hand a `Caller` to handlers.

use std::net::SocketAddr;

use app::{org::auth, AppError, Caller};
use axum::{
    body::Body,
    extract::{ConnectInfo, FromRequestParts, Request, State},
    http::{header, request::Parts, HeaderMap, Method},
    middleware::Next,
    response::{IntoResponse, Redirect, Response},
};

use crate::{error::ApiError, view::urlencode, SharedState};

pub const SESSION_COOKIE: &str = "gj_session";
pub const FLASH_COOKIE: &str = "gj_flash";
/// Double-submit token of the login form, which has no session yet.
pub const LOGIN_CSRF_COOKIE: &str = "gj_login_csrf";
/// Form field and header carrying the CSRF token.
pub const CSRF_FIELD: &str = "_csrf";
pub const CSRF_HEADER: &str = "x-csrf-token";
const MAX_FORM_BYTES: usize = 2 * 1024 * 1024;

/// The value of a cookie in the request.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

/// A `Set-Cookie` value: HttpOnly, SameSite=Lax, whole site.
pub fn set_cookie(name: &str, value: &str, max_age: Option<i64>, secure: bool) -> String {
    let mut c = format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax");
    if let Some(age) = max_age {
        c.push_str(&format!("; Max-Age={age}"));
    }
    if secure {
        c.push_str("; Secure");
    }
    c
}

pub fn client_ip(parts_ext: &axum::http::Extensions) -> String {
    parts_ext.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip().to_string()).unwrap_or_default()
}

fn bearer(headers: &HeaderMap) -> Option<String> {
    headers.get(header::AUTHORIZATION)?.to_str().ok()?.strip_prefix("Bearer ").map(|t| t.trim().to_string())
}

/// The caller found by the middleware, if any.
#[derive(Clone)]
struct Authenticated(Option<Caller>);

/// Finds the caller and, for cookie sessions, checks the CSRF token of every
/// state-changing request (header `X-CSRF-Token` or form field `_csrf`).
pub async fn authenticate(State(st): State<SharedState>, req: Request, next: Next) -> Response {
    let ip = client_ip(req.extensions());
    let mut req = req;
    let caller = if let Some(token) = bearer(req.headers()) {
        match auth::caller_from_api_token(&st.db, &token, &ip).await {
            Ok(Some(c)) => Some(c),
            Ok(None) => return ApiError(AppError::Unauthorized).into_response(),
            Err(e) => return ApiError(e).into_response(),
        }
    } else if let Some(sid) = cookie(req.headers(), SESSION_COOKIE) {
        match auth::caller_from_session(&st.db, &sid, &ip).await {
            Ok(Some(c)) => {
                // The login form carries the login token (checked by the
                // handler against its own cookie), not the session's: someone
                // still logged in may log in again or as someone else.
                if !is_safe(req.method()) && req.uri().path() != "/login" {
                    match check_csrf(req, &c.csrf_token).await {
                        Ok(r) => req = r,
                        Err(resp) => return resp,
                    }
                }
                Some(c)
            }
            Ok(None) => None,
            Err(e) => return ApiError(e).into_response(),
        }
    } else {
        None
    };
    req.extensions_mut().insert(Authenticated(caller));
    next.run(req).await
}

fn is_safe(m: &Method) -> bool {
    matches!(*m, Method::GET | Method::HEAD | Method::OPTIONS)
}

fn csrf_refused() -> Response {
    ApiError(AppError::Conflict("页面已过期或请求来源不可信（CSRF 校验失败），请刷新页面后重试".into()))
        .into_response_with(axum::http::StatusCode::FORBIDDEN)
}

impl ApiError {
    fn into_response_with(self, status: axum::http::StatusCode) -> Response {
        let mut r = self.into_response();
        *r.status_mut() = status;
        r
    }
}

/// Reads `_csrf` from a urlencoded body when no header carries it, then puts
/// the body back for the handler.
async fn check_csrf(req: Request, expected: &str) -> Result<Request, Response> {
    let header_token = req.headers().get(CSRF_HEADER).and_then(|v| v.to_str().ok()).map(str::to_string);
    if let Some(t) = header_token {
        return if constant_eq(&t, expected) { Ok(req) } else { Err(csrf_refused()) };
    }
    // A multipart upload from a plain HTML form carries the token in its
    // action URL; the body is not read here.
    let multipart =
        req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|v| v.starts_with("multipart/form-data"));
    if multipart {
        let query: Vec<(String, String)> = serde_urlencoded::from_str(req.uri().query().unwrap_or("")).unwrap_or_default();
        let ok = query.iter().any(|(k, v)| k == CSRF_FIELD && constant_eq(v, expected));
        return if ok { Ok(req) } else { Err(csrf_refused()) };
    }
    let is_form = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return Err(csrf_refused());
    }
    let (parts, body) = req.into_parts();
    let bytes = axum::body::to_bytes(body, MAX_FORM_BYTES).await.map_err(|_| csrf_refused())?;
    let fields: Vec<(String, String)> = serde_urlencoded::from_bytes(&bytes).unwrap_or_default();
    let ok = fields.iter().any(|(k, v)| k == CSRF_FIELD && constant_eq(v, expected));
    if ok {
        Ok(Request::from_parts(parts, Body::from(bytes)))
    } else {
        Err(csrf_refused())
    }
}

/// Compares secrets without an early exit.
pub fn constant_eq(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Paths a user who must change their password may still use.
fn allowed_before_password_change(path: &str) -> bool {
    matches!(path, "/me/password" | "/logout" | "/api/v1/me" | "/api/v1/me/password" | "/api/v1/auth/logout")
}

/// An authenticated caller for a page; otherwise a redirect to the login
/// page (or to the forced password change).
pub struct PageAuth {
    pub caller: Caller,
    pub flash: Option<String>,
    pub path: String,
}

impl<S: Send + Sync> FromRequestParts<S> for PageAuth {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Response> {
        let path = parts.uri.path().to_string();
        let caller = parts.extensions.get::<Authenticated>().and_then(|a| a.0.clone());
        let Some(caller) = caller else {
            let next = parts.uri.path_and_query().map(|p| p.as_str()).unwrap_or("/");
            return Err(Redirect::to(&format!("/login?next={}", urlencode(next))).into_response());
        };
        if caller.must_change_password && !allowed_before_password_change(&path) {
            return Err(Redirect::to("/me/password").into_response());
        }
        let flash = cookie(&parts.headers, FLASH_COOKIE).map(|v| percent_decode(&v));
        Ok(Self { caller, flash, path })
    }
}

/// An authenticated caller for the JSON API; otherwise 401 (or 403 with
/// code `password_change_required`).
pub struct ApiAuth(pub Caller);

impl<S: Send + Sync> FromRequestParts<S> for ApiAuth {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Response> {
        let caller = parts.extensions.get::<Authenticated>().and_then(|a| a.0.clone());
        let Some(caller) = caller else {
            return Err(ApiError(AppError::Unauthorized).into_response());
        };
        if caller.must_change_password && !allowed_before_password_change(parts.uri.path()) {
            let body = serde_json::json!({"error": {"code": "password_change_required", "message": "首次登录或密码已重置，请先修改密码", "fields": {}}});
            return Err((axum::http::StatusCode::FORBIDDEN, axum::Json(body)).into_response());
        }
        Ok(Self(caller))
    }
}

pub fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let Some(b) = std::str::from_utf8(&bytes[i + 1..i + 3]).ok().and_then(|h| u8::from_str_radix(h, 16).ok()) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(if bytes[i] == b'+' { b' ' } else { bytes[i] });
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Redirects after a successful change and leaves a one-time message that
/// the next page shows as a toast.
pub fn redirect_with_flash(to: &str, message: &str) -> Response {
    let mut r = Redirect::to(to).into_response();
    if let Ok(v) = set_cookie(FLASH_COOKIE, &urlencode(message), Some(60), false).parse() {
        r.headers_mut().append(header::SET_COOKIE, v);
    }
    r
}

/// Clears the flash cookie once a page has shown it.
pub fn clear_flash(resp: &mut Response) {
    if let Ok(v) = set_cookie(FLASH_COOKIE, "", Some(0), false).parse() {
        resp.headers_mut().append(header::SET_COOKIE, v);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_and_decoding() {
        let mut h = HeaderMap::new();
        h.insert(header::COOKIE, "a=1; gj_session=abc; b=2".parse().unwrap());
        assert_eq!(cookie(&h, SESSION_COOKIE).as_deref(), Some("abc"));
        assert_eq!(cookie(&h, "x"), None);
        assert_eq!(percent_decode(&urlencode("已保存 ok")), "已保存 ok");
        assert!(constant_eq("abc", "abc") && !constant_eq("abc", "abd") && !constant_eq("a", "ab"));
    }
}
