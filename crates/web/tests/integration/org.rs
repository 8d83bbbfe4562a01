//! Org tree rules (SYS-1), roles and users across it.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::harness::{id_where, TestApp};

#[tokio::test]
async fn the_tree_keeps_its_shape() {
    let app = TestApp::demo().await;
    let s = app.login("admin").await;
    let (_, units) = s.get("/api/v1/org-units").await;
    let region = id_where(&units, "name", "华南区域");
    let sz = id_where(&units, "name", "深圳安居物业服务有限公司");
    let (status, body) = s.post("/api/v1/org-units", json!({"parent_id": region, "kind": "office", "name": "错层管理处"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["error"]["fields"]["parent_id"], "管理处只能建在公司下");
    let (status, body) = s.post("/api/v1/org-units", json!({"parent_id": sz, "kind": "office", "name": "君林天下管理处"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body["error"]["fields"]["name"].as_str().unwrap().contains("已存在"));

    let (status, company) = s
        .post("/api/v1/org-units", json!({"parent_id": region, "kind": "company", "name": "珠海安居物业服务有限公司", "code": "ZH"}))
        .await;
    assert_eq!(status, StatusCode::OK);
    let (_, dicts) = s.get(&format!("/api/v1/dictionaries?company={}&type=service_category", company["id"])).await;
    assert!(dicts.to_string().contains("有偿家政"), "a new company gets the default dictionaries");
    let (_, rules) = s.get(&format!("/api/v1/numbering-rules?company={}", company["id"])).await;
    assert!(rules["total"].as_u64().unwrap() >= 5);

    let (status, body) = s.send(Method::DELETE, &format!("/api/v1/org-units/{sz}"), json!({"version": 1})).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(body["error"]["message"].as_str().unwrap().contains("仍被引用"));
    let (status, _) = s.send(Method::DELETE, &format!("/api/v1/org-units/{}", company["id"]), json!({"version": company["version"]})).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "an unreferenced leaf can be deleted");
    let (_, after) = s.get("/api/v1/org-units").await;
    assert!(!after.to_string().contains("珠海"));
}

#[tokio::test]
async fn moving_an_office_takes_its_staff_and_projects_to_the_new_company() {
    let app = TestApp::demo().await;
    let s = app.login("admin").await;
    let (_, units) = s.get("/api/v1/org-units").await;
    let gz = id_where(&units, "name", "广州安居物业服务有限公司");
    let cuihu = id_where(&units, "name", "翠湖山庄管理处");
    let (_, office) = s.get(&format!("/api/v1/org-units/{cuihu}")).await;
    let (status, body) =
        s.post(&format!("/api/v1/org-units/{cuihu}/move"), json!({"version": office["version"], "parent_id": cuihu})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (status, moved) = s.post(&format!("/api/v1/org-units/{cuihu}/move"), json!({"version": office["version"], "parent_id": gz})).await;
    assert_eq!(status, StatusCode::OK, "{moved}");
    assert_eq!(moved["company_id"], gz);
    let (_, projects) = s.get("/api/v1/projects?q=CHSZ").await;
    assert_eq!(projects["items"][0]["company_id"], gz);
    let gz_agent = app.login("gz_agent").await;
    let (_, visible) = gz_agent.get("/api/v1/projects").await;
    assert!(visible.to_string().contains("翠湖山庄"), "Guangzhou staff with all company projects now see it");
}

#[tokio::test]
async fn a_role_grants_exactly_its_permissions() {
    let app = TestApp::demo().await;
    let s = app.login("admin").await;
    let (_, units) = s.get("/api/v1/org-units").await;
    let sz = id_where(&units, "name", "深圳安居物业服务有限公司");
    let junlin = id_where(&units, "name", "君林天下管理处");
    let (status, body) = s.post("/api/v1/roles", json!({"org_unit_id": sz, "name": "坏角色", "permissions": ["no.such"]})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body["error"]["fields"]["permissions"].as_str().unwrap().contains("未知的权限点"));
    let (_, role) = s.post("/api/v1/roles", json!({"org_unit_id": sz, "name": "查看用户", "permissions": ["user.view"]})).await;
    s.post(
        "/api/v1/users",
        json!({"username": "viewer", "display_name": "只读", "org_unit_id": junlin, "password": "view1234", "role_ids": [role["id"]]}),
    )
    .await;
    let v = app.login_with("viewer", "view1234").await;
    v.post("/api/v1/me/password", json!({"old_password": "view1234", "new_password": "view5678", "confirm_password": "view5678"})).await;
    let v = app.login_with("viewer", "view5678").await;
    assert_eq!(v.get("/api/v1/users").await.0, StatusCode::OK);
    assert_eq!(v.post("/api/v1/users", json!({})).await.0, StatusCode::FORBIDDEN);
    assert_eq!(v.get("/api/v1/roles").await.0, StatusCode::FORBIDDEN);
    let (status, _) = s.post(&format!("/api/v1/roles/{}/disable", role["id"]), json!({"version": role["version"]})).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(v.get("/api/v1/users").await.0, StatusCode::FORBIDDEN, "a disabled role grants nothing");
}

/// A list reads its page's ids first and then their rows by id
/// (`app::list::rows_by_id`; here the demo's users): the rows come in the
/// ids' order, whatever order the database returns them in, and a row
/// deleted meanwhile is left out.
#[tokio::test]
async fn rows_read_by_id_keep_the_order_of_the_ids() {
    use app::entity::user as c;
    use sea_orm::{EntityTrait, QueryOrder, QuerySelect};
    let app = TestApp::demo().await;
    let mut ids: Vec<i32> = c::Entity::find()
        .select_only()
        .column(c::Column::Id)
        .order_by_asc(c::Column::Id)
        .limit(5)
        .into_tuple()
        .all(&app.db.conn)
        .await
        .unwrap();
    assert_eq!(ids.len(), 5, "the demo has users");
    ids.swap(0, 4);
    ids.swap(1, 2);
    let gone = i32::MAX;
    ids.insert(2, gone);
    let rows = app::list::rows_by_id::<c::Entity>(&app.db.conn, c::Column::Id, &ids).await.unwrap();
    let read: Vec<i32> = rows.iter().map(|r| r.id).collect();
    assert_eq!(read, ids.into_iter().filter(|id| *id != gone).collect::<Vec<_>>());
}
