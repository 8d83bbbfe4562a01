//! Optimistic locking: a stale edit is refused, nothing is written,
//! and the form comes back with what the user typed.

use reqwest::StatusCode;
use serde_json::json;

use crate::harness::{id_where, TestApp};

#[tokio::test]
async fn a_stale_api_edit_is_refused_with_409() {
    let app = TestApp::demo().await;
    let first = app.login("admin").await;
    let second = app.login("manager").await;
    let (_, users) = first.get("/api/v1/users?q=engineer").await;
    let id = id_where(&users, "username", "engineer");
    let (_, u) = first.get(&format!("/api/v1/users/{id}")).await;
    let body = |name: &str, version: &serde_json::Value| json!({"version": version, "display_name": name, "phone": u["phone"], "org_unit_id": u["org_unit_id"], "role_ids": u["role_ids"], "all_projects": u["all_projects"], "project_ids": u["project_ids"]});
    let (status, saved) = second.put(&format!("/api/v1/users/{id}"), body("张伟（二）", &u["version"])).await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    let (status, answer) = first.put(&format!("/api/v1/users/{id}"), body("张伟（一）", &u["version"])).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(answer["error"]["message"].as_str().unwrap().contains("已被他人修改"));
    let (_, now) = first.get(&format!("/api/v1/users/{id}")).await;
    assert_eq!(now["display_name"], "张伟（二）", "the first writer's change stands");
}

#[tokio::test]
async fn a_stale_form_keeps_what_was_typed() {
    let app = TestApp::demo().await;
    let s = app.login("admin").await;
    let (_, roles) = s.get("/api/v1/roles").await;
    let id = id_where(&roles, "name", "收费员");
    let (_, role) = s.get(&format!("/api/v1/roles/{id}")).await;
    let (status, _) = s
        .put(
            &format!("/api/v1/roles/{id}"),
            json!({"version": role["version"], "name": "收费主管", "org_unit_id": role["org_unit_id"], "permissions": role["permissions"]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let stale = role["version"].as_i64().unwrap().to_string();
    let unit = role["org_unit_id"].as_i64().unwrap().to_string();
    let (status, html) = s
        .form(
            &format!("/system/roles/{id}/edit"),
            &[
                ("version", &stale),
                ("name", "前台收费员"),
                ("description", "我刚输入的说明"),
                ("org_unit_id", &unit),
                ("permissions", "billing.view"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(html.contains("已被他人修改"));
    assert!(html.contains("value=\"前台收费员\""), "the typed name is kept");
    assert!(html.contains("我刚输入的说明"));
    let (_, now) = s.get(&format!("/api/v1/roles/{id}")).await;
    assert_eq!(now["name"], "收费主管");
}

#[tokio::test]
async fn validation_errors_sit_beside_the_field_and_keep_the_input() {
    let app = TestApp::demo().await;
    let s = app.login("admin").await;
    let (status, html) =
        s.form("/system/users/new", &[("username", "新人"), ("display_name", "王小明"), ("phone", "12345"), ("password", "abc")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("登录名为 3–64 位字母、数字或 . _ - @"));
    assert!(html.contains("请填写正确的手机或固定电话号码"));
    assert!(html.contains("密码至少 8 位"));
    assert!(html.contains("请选择所属组织"));
    assert!(html.contains("value=\"王小明\""), "typed name kept");
    assert!(html.contains("value=\"12345\""), "typed phone kept");
    assert!(!html.contains("value=\"abc\""), "passwords are never echoed");
    let (_, users) = s.get("/api/v1/users?q=王小明").await;
    assert_eq!(users["total"], 0, "nothing written");

    let (status, body) = s.post("/api/v1/users", json!({"username": "admin", "display_name": "", "password": "abcd1234"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["error"]["fields"]["username"], "登录名“admin”已被使用");
    assert_eq!(body["error"]["fields"]["display_name"], "请填写姓名");
}
