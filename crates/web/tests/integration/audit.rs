//! Audit (SYS-6): every change writes an operation-log row with before and
//! after; the logs cannot be changed through any endpoint.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::harness::{id_where, TestApp};

#[tokio::test]
async fn every_change_is_audited_with_before_and_after() {
    let app = TestApp::demo().await;
    let s = app.login("admin").await;
    let count = |body: &serde_json::Value| body["total"].as_u64().unwrap();
    let (_, units) = s.get("/api/v1/org-units").await;
    let sz = id_where(&units, "name", "深圳安居物业服务有限公司");
    let junlin = id_where(&units, "name", "君林天下管理处");

    let (_, office) = s.post("/api/v1/org-units", json!({"parent_id": sz, "kind": "office", "name": "香蜜湖管理处"})).await;
    s.put(&format!("/api/v1/org-units/{}", office["id"]), json!({"version": office["version"], "name": "香蜜湖一期管理处"})).await;
    let (_, role) = s.post("/api/v1/roles", json!({"org_unit_id": sz, "name": "保安队长", "permissions": ["report.view"]})).await;
    let (_, user) = s
        .post(
            "/api/v1/users",
            json!({"username": "guard", "display_name": "赵强", "org_unit_id": junlin, "password": "guard1234", "role_ids": [role["id"]]}),
        )
        .await;
    s.post(&format!("/api/v1/users/{}/reset-password", user["id"]), json!({"version": user["version"], "password": "reset1234"})).await;
    let (_, project) = s.post("/api/v1/projects", json!({"org_unit_id": junlin, "code": "JLSY", "name": "君林尚苑"})).await;
    let (_, item) = s.post(&format!("/api/v1/dictionaries?company={sz}"), json!({"dict_type": "channel", "label": "小程序"})).await;
    let (_, cal) = s.get(&format!("/api/v1/calendar?company={sz}")).await;
    s.put(
        &format!("/api/v1/calendar?company={sz}"),
        json!({"version": cal["version"], "work_days": ["1","2","3","4","5","6"], "work_start": "08:30", "work_end": "17:30"}),
    )
    .await;
    s.post(&format!("/api/v1/holidays?company={sz}"), json!({"day": "2026-12-31", "kind": "holiday", "name": "年终盘点"})).await;
    let (_, ann) = s.post("/api/v1/announcements", json!({"title": "消防演练", "body": "周五下午", "target_unit_ids": [sz]})).await;
    s.post(&format!("/api/v1/announcements/{}/publish", ann["id"]), json!({"version": ann["version"]})).await;

    for (entity, id, action) in [
        ("org_unit", &office["id"], "create"),
        ("org_unit", &office["id"], "update"),
        ("role", &role["id"], "create"),
        ("user", &user["id"], "create"),
        ("user", &user["id"], "reset_password"),
        ("project", &project["id"], "create"),
        ("dict_item", &item["id"], "create"),
        ("calendar", &cal["id"], "update"),
        ("announcement", &ann["id"], "create"),
        ("announcement", &ann["id"], "publish"),
    ] {
        let (_, rows) = s.get(&format!("/api/v1/audit-logs?entity={entity}&entity_id={id}&action={action}")).await;
        assert_eq!(count(&rows), 1, "{entity} {id} {action}");
        assert_eq!(rows["items"][0]["user_name"], "系统管理员");
    }
    let (_, rows) = s.get(&format!("/api/v1/audit-logs?entity=org_unit&entity_id={}&action=update", office["id"])).await;
    let row = &rows["items"][0];
    assert!(row["before"].as_str().unwrap().contains("香蜜湖管理处"));
    assert!(row["after"].as_str().unwrap().contains("香蜜湖一期管理处"));
    let (_, rows) = s.get(&format!("/api/v1/audit-logs?entity=user&entity_id={}", user["id"])).await;
    assert!(!rows.to_string().contains("argon2"), "password hashes never reach the log");

    let (status, html) = s.page(&format!("/system/audit/{}", row["id"])).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("香蜜湖一期管理处"));

    let (_, filtered) = s.get("/api/v1/audit-logs?user=系统&from=2000-01-01&to=2999-12-31&per_page=1").await;
    assert!(count(&filtered) >= 10);
    let (_, none) = s.get("/api/v1/audit-logs?from=2000-01-01&to=2000-01-02").await;
    assert_eq!(count(&none), 0);

    let id = row["id"].as_i64().unwrap();
    for method in [Method::PUT, Method::DELETE, Method::PATCH] {
        let (status, _) = s.send(method.clone(), &format!("/api/v1/audit-logs/{id}"), json!({})).await;
        assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED, "{method} on the audit log");
    }
}

#[tokio::test]
async fn exports_are_real_workbooks() {
    let app = TestApp::demo().await;
    let s = app.login("admin").await;
    for path in
        ["/system/users/export", "/system/roles/export", "/system/audit/export", "/system/logins/export", "/property/projects/export"]
    {
        let r = s.client.get(format!("{}{path}", app.base)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{path}");
        assert_eq!(r.headers()["content-type"], "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
        let bytes = r.bytes().await.unwrap();
        assert_eq!(&bytes[..2], b"PK", "{path} is a zip (xlsx)");
    }
    let engineer = app.login("engineer").await;
    assert_eq!(engineer.page("/system/users/export").await.0, StatusCode::FORBIDDEN);
}
