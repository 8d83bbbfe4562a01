//! Cached configuration (scope, permissions, company settings) is never
//! stale: a change made through one server takes effect at once on another
//! server over the same database, which has caches of its own.

use reqwest::StatusCode;
use serde_json::json;

use crate::{
    harness::{id_where, login_at, TestApp},
    workorder::room_with_owner,
};

#[tokio::test]
async fn a_role_change_on_one_server_applies_on_another_at_once() {
    let app = TestApp::demo().await;
    let other = app.another_process().await;
    let admin = app.login("admin").await;
    let (_, units) = admin.get("/api/v1/org-units").await;
    let sz = id_where(&units, "name", "深圳安居物业服务有限公司");
    let junlin = id_where(&units, "name", "君林天下管理处");
    let (_, role) = admin.post("/api/v1/roles", json!({"org_unit_id": sz, "name": "查看用户", "permissions": ["user.view"]})).await;
    let (status, _) = admin
        .post(
            "/api/v1/users",
            json!({"username": "viewer", "display_name": "只读", "org_unit_id": junlin, "password": "view1234", "role_ids": [role["id"]]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let first = login_at(&other, "viewer", "view1234").await;
    first
        .post("/api/v1/me/password", json!({"old_password": "view1234", "new_password": "view5678", "confirm_password": "view5678"}))
        .await;
    let viewer = login_at(&other, "viewer", "view5678").await;
    // Twice: the second answer comes from the other server's cache.
    assert_eq!(viewer.get("/api/v1/users").await.0, StatusCode::OK);
    assert_eq!(viewer.get("/api/v1/users").await.0, StatusCode::OK);
    assert_eq!(viewer.get("/api/v1/roles").await.0, StatusCode::FORBIDDEN);

    let (status, role) = admin
        .put(
            &format!("/api/v1/roles/{}", role["id"]),
            json!({"version": role["version"], "org_unit_id": sz, "name": "查看用户", "permissions": ["user.view", "role.view"]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{role}");
    assert_eq!(viewer.get("/api/v1/roles").await.0, StatusCode::OK, "a granted permission applies on the other server");
    let (status, _) = admin.post(&format!("/api/v1/roles/{}/disable", role["id"]), json!({"version": role["version"]})).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(viewer.get("/api/v1/users").await.0, StatusCode::FORBIDDEN, "a disabled role grants nothing on the other server");
}

#[tokio::test]
async fn a_settings_change_on_one_server_applies_on_another_at_once() {
    let app = TestApp::demo().await;
    let other = app.another_process().await;
    let manager = app.login("manager").await;
    let (room, _) = room_with_owner(&manager).await;
    let agent = login_at(&other, "agent", app::demo::DEMO_PASSWORD).await;
    let order = json!({"room_id": room, "category": "水电", "kind": "internal", "priority": "normal", "channel": "电话", "description": "厨房水龙头漏水"});
    let (status, o) = agent.post("/api/v1/work-orders", order.clone()).await;
    assert_eq!(status, StatusCode::OK, "{o}");
    let number = o["number"].as_str().unwrap().to_string();

    // The company renames its 水电 category and changes the order numbers' prefix.
    let admin = app.login("admin").await;
    let (_, units) = admin.get("/api/v1/org-units").await;
    let sz = id_where(&units, "name", "深圳安居物业服务有限公司");
    let (_, items) = admin.get(&format!("/api/v1/dictionaries?company={sz}&type=service_category")).await;
    let item = items["items"].as_array().unwrap().iter().find(|i| i["label"] == "水电").unwrap().clone();
    let (status, _) = admin
        .put(&format!("/api/v1/dictionaries/{}", item["id"]), json!({"version": item["version"], "label": "水电维修", "enabled": true}))
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, err) = agent.post("/api/v1/work-orders", order.clone()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{err}");
    assert_eq!(err["error"]["fields"]["category"], "请从服务类别中选择");

    let (_, rules) = admin.get(&format!("/api/v1/numbering-rules?company={sz}")).await;
    let rule = rules["items"].as_array().unwrap().iter().find(|r| r["doc_type"] == "work_order").unwrap().clone();
    let body = json!({"version": rule["version"], "prefix": "BX", "reset": rule["reset"], "width": rule["width"]});
    let (status, r) = admin.put(&format!("/api/v1/numbering-rules/{}", rule["id"]), body).await;
    assert_eq!(status, StatusCode::OK, "{r}");
    let mut renamed = order.clone();
    renamed["category"] = json!("水电维修");
    let (status, o) = agent.post("/api/v1/work-orders", renamed).await;
    assert_eq!(status, StatusCode::OK, "{o}");
    assert!(number.starts_with("WO-"), "{number}");
    assert!(o["number"].as_str().unwrap().starts_with("BX"), "the new prefix numbers the next order: {o}");
}
