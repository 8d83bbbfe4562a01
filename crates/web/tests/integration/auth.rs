//! Login, first-login password change, lockout, CSRF, API tokens.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::harness::{Session, TestApp};

#[tokio::test]
async fn bootstrap_admin_must_change_password_before_anything_else() {
    let app = TestApp::empty().await;
    let password = app::demo::bootstrap(&app.db).await.unwrap().expect("fresh database gets an admin");
    assert!(app::demo::bootstrap(&app.db).await.unwrap().is_none(), "only once");
    let s = app.login_with("admin", &password).await;

    let (status, body) = s.get("/api/v1/users").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(body["error"]["code"], "password_change_required");
    let (status, _) = s.page("/system/users").await;
    assert_eq!(status, StatusCode::SEE_OTHER, "pages redirect to the password form");

    let (status, body) =
        s.post("/api/v1/me/password", json!({"old_password": password, "new_password": "short", "confirm_password": "short"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["error"]["fields"]["new_password"], "密码至少 8 位");
    let (status, body) = s
        .post("/api/v1/me/password", json!({"old_password": "wrong", "new_password": "newpass123", "confirm_password": "newpass12"}))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["error"]["fields"]["old_password"], "原密码不正确");
    assert_eq!(body["error"]["fields"]["confirm_password"], "两次输入的新密码不一致");

    let (status, _) = s
        .post("/api/v1/me/password", json!({"old_password": password, "new_password": "newpass123", "confirm_password": "newpass123"}))
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = s.get("/api/v1/users").await;
    assert_eq!(status, StatusCode::OK, "after the change everything opens");
    app.login_with("admin", "newpass123").await;
}

#[tokio::test]
async fn five_failures_lock_the_account_until_an_admin_unlocks_it() {
    let app = TestApp::demo().await;
    let anon = Session::new(&app.base);
    for _ in 0..5 {
        let r = anon
            .client
            .post(format!("{}/api/v1/auth/login", app.base))
            .json(&json!({"username": "agent", "password": "wrong-pass1"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    }
    let r = anon
        .client
        .post(format!("{}/api/v1/auth/login", app.base))
        .json(&json!({"username": "agent", "password": app::demo::DEMO_PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "the right password is refused while locked");
    let body: serde_json::Value = r.json().await.unwrap();
    assert!(body["error"]["message"].as_str().unwrap().contains("锁定"));

    let admin = app.login("admin").await;
    let (_, users) = admin.get("/api/v1/users?q=agent").await;
    let agent = users["items"].as_array().unwrap().iter().find(|u| u["username"] == "agent").unwrap().clone();
    assert!(agent["locked_until"].is_string());
    let (status, _) = admin.post(&format!("/api/v1/users/{}/unlock", agent["id"]), json!({"version": agent["version"]})).await;
    assert_eq!(status, StatusCode::OK);
    app.login("agent").await;

    let (_, logins) = admin.get("/api/v1/login-logs?q=agent&success=0").await;
    assert!(logins["total"].as_u64().unwrap() >= 6, "every failure is in the login log");
}

#[tokio::test]
async fn state_changes_without_the_csrf_token_are_refused() {
    let app = TestApp::demo().await;
    let s = app.login("admin").await;
    let (_, units) = s.get("/api/v1/org-units").await;
    let group = units["items"][0]["id"].as_i64().unwrap();
    let body = json!({"parent_id": group, "kind": "company", "name": "无令牌公司"});

    let r = s.client.post(format!("{}/api/v1/org-units", app.base)).json(&body).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN, "JSON without X-CSRF-Token");
    let r = s.client.post(format!("{}/api/v1/org-units", app.base)).header("X-CSRF-Token", "forged").json(&body).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN, "wrong token");
    let r = s
        .client
        .post(format!("{}/system/org/new", app.base))
        .form(&[("kind", "company"), ("name", "无令牌公司"), ("parent_id", &group.to_string())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN, "HTML form without _csrf");
    let (_, after) = s.get("/api/v1/org-units").await;
    assert!(!after.to_string().contains("无令牌公司"), "nothing was created");

    let (status, _) = s.form("/system/org/new", &[("kind", "company"), ("name", "有令牌公司"), ("parent_id", &group.to_string())]).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "with the token the form saves");
    let (status, _) = s.post("/api/v1/org-units", body).await;
    assert_eq!(status, StatusCode::OK);

    // Login itself is protected by a double-submit token.
    let anon = Session::new(&app.base);
    let r = anon
        .client
        .post(format!("{}/login", app.base))
        .form(&[("username", "admin"), ("password", app::demo::DEMO_PASSWORD), ("_csrf", "x")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn browser_login_sets_a_hardened_cookie_and_logout_ends_the_session() {
    let app = TestApp::demo().await;
    let s = Session::new(&app.base);
    let r = s.client.get(format!("{}/login", app.base)).send().await.unwrap();
    let html = r.text().await.unwrap();
    let token = html.split("name=\"_csrf\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_string();
    let r = s
        .client
        .post(format!("{}/login", app.base))
        .form(&[("username", "agent"), ("password", app::demo::DEMO_PASSWORD), ("_csrf", &token), ("next", "/system/users")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let cookie =
        r.headers().get_all("set-cookie").iter().map(|v| v.to_str().unwrap().to_string()).find(|c| c.starts_with("gj_session=")).unwrap();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"), "{cookie}");
    let (status, html) = s.page("/").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("李静"));
    let csrf = html.split("name=\"csrf-token\" content=\"").nth(1).unwrap().split('"').next().unwrap().to_string();
    let r = s.client.post(format!("{}/logout", app.base)).form(&[("_csrf", csrf.as_str())]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (status, _) = s.page("/").await;
    assert_eq!(status, StatusCode::SEE_OTHER, "logged out: back to login");
}

#[tokio::test]
async fn someone_still_logged_in_can_log_in_as_someone_else_but_not_without_the_login_token() {
    let app = TestApp::demo().await;
    let s = app.login("agent").await;
    let login_form = |s: &Session| {
        let c = s.client.clone();
        let base = app.base.clone();
        async move {
            let html = c.get(format!("{base}/login")).send().await.unwrap().text().await.unwrap();
            html.split("name=\"_csrf\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_string()
        }
    };
    let post = |token: String| {
        s.client
            .post(format!("{}/login", app.base))
            .form(&[("username", "manager"), ("password", app::demo::DEMO_PASSWORD), ("_csrf", &token)])
            .send()
    };
    login_form(&s).await;
    let r = post("forged".into()).await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN, "a login without the login form's token is refused");
    // The refusal shows the form again with a fresh token.
    let token = login_form(&s).await;
    let r = post(token).await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, html) = s.page("/").await;
    assert!(html.contains("王建国"), "now the manager");
}

#[tokio::test]
async fn api_tokens_authenticate_until_revoked() {
    let app = TestApp::demo().await;
    let s = app.login("manager").await;
    let (status, issued) = s.post("/api/v1/me/tokens", json!({"name": "呼叫中心"})).await;
    assert_eq!(status, StatusCode::OK);
    let secret = issued["secret"].as_str().unwrap().to_string();
    let bearer = reqwest::Client::new();
    let r = bearer.get(format!("{}/api/v1/me", app.base)).bearer_auth(&secret).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let me: serde_json::Value = r.json().await.unwrap();
    assert_eq!(me["username"], "manager");
    let r = bearer.post(format!("{}/api/v1/me/tokens", app.base)).bearer_auth(&secret).json(&json!({"name": "二号"})).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK, "bearer calls need no CSRF token");
    let (status, _) = s.send(Method::DELETE, &format!("/api/v1/me/tokens/{}", issued["id"]), json!({})).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let r = bearer.get(format!("{}/api/v1/me", app.base)).bearer_auth(&secret).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let r = bearer.get(format!("{}/api/v1/me", app.base)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn disabled_users_cannot_log_in_and_lose_their_sessions() {
    let app = TestApp::demo().await;
    let agent = app.login("agent").await;
    let admin = app.login("admin").await;
    let (_, users) = admin.get("/api/v1/users?q=agent").await;
    let u = users["items"].as_array().unwrap().iter().find(|u| u["username"] == "agent").unwrap().clone();
    let (status, _) = admin.post(&format!("/api/v1/users/{}/disable", u["id"]), json!({"version": u["version"]})).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = agent.get("/api/v1/me").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let r = reqwest::Client::new()
        .post(format!("{}/api/v1/auth/login", app.base))
        .json(&json!({"username": "agent", "password": app::demo::DEMO_PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
}
