//! Health, OpenAPI, embedded assets and backup.

use reqwest::StatusCode;

use crate::harness::TestApp;

#[tokio::test]
async fn health_openapi_docs_and_assets_are_served() {
    let app = TestApp::empty().await;
    let c = reqwest::Client::new();
    let r = c.get(format!("{}/healthz", app.base)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let spec: serde_json::Value = c.get(format!("{}/api/openapi.json", app.base)).send().await.unwrap().json().await.unwrap();
    for path in [
        "/api/v1/auth/login",
        "/api/v1/users",
        "/api/v1/org-units/{id}",
        "/api/v1/roles",
        "/api/v1/audit-logs",
        "/api/v1/dictionaries",
        "/api/v1/announcements",
        "/api/v1/projects",
        "/api/v1/calendar",
        "/api/v1/workbench",
    ] {
        assert!(spec["paths"][path].is_object(), "OpenAPI documents {path}");
    }
    let docs = c.get(format!("{}/api/docs", app.base)).send().await.unwrap().text().await.unwrap();
    assert!(docs.contains("/assets/vendor/swagger-ui-bundle.js"));
    for asset in [
        "/assets/app.css",
        "/assets/app.js",
        "/assets/vendor/htmx.min.js",
        "/assets/vendor/swagger-ui-bundle.js",
        "/assets/vendor/swagger-ui.css",
    ] {
        let r = c.get(format!("{}{asset}", app.base)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{asset}");
        assert!(r.bytes().await.unwrap().len() > 1000, "{asset} has content");
    }
    assert_eq!(c.get(format!("{}/assets/nope.js", app.base)).send().await.unwrap().status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn backup_copies_a_sqlite_database_and_is_refused_on_postgres() {
    let app = TestApp::demo().await;
    let target = std::env::temp_dir().join(format!("guanjia-backup-{}.db", app::org::auth::random_token(4)));
    let result = app.db.backup_sqlite(target.to_str().unwrap()).await;
    if app.db.backend() == sea_orm::DatabaseBackend::Sqlite {
        result.unwrap();
        let copy = app::Db::connect(&format!("sqlite://{}", target.display())).await.unwrap();
        use sea_orm::{EntityTrait, PaginatorTrait};
        assert_eq!(app::entity::user::Entity::find().count(&copy.conn).await.unwrap(), 6, "the copy holds the demo users");
        std::fs::remove_file(&target).ok();
    } else {
        let message = result.unwrap_err().to_string();
        assert!(!message.is_empty());
        assert!(!target.exists());
    }
}

#[tokio::test]
async fn the_demo_is_populated_with_rooms_owners_and_tenants() {
    let app = TestApp::demo().await;
    let (rooms, customers) = app::demo::populate(&app.db, 2).await.expect("populate");
    assert_eq!(rooms, 4 * 4 * 2 * 2 * 4, "4 projects × 4 buildings × 2 units × 2 floors × 4 rooms");
    assert!(customers > rooms / 2, "most rooms are handed over: {customers}");
    let s = app.login("manager").await;
    let (_, owners) = s.get("/api/v1/customers?role=owner&per_page=1").await;
    assert!(owners["total"].as_u64().unwrap() > 50);
    let (_, tenants) = s.get("/api/v1/customers?role=tenant&per_page=1").await;
    assert!(tenants["total"].as_u64().unwrap() > 0);
    let (_, leases) = s.get("/api/v1/leases/expiring?days=366").await;
    assert!(!leases["items"].as_array().unwrap().is_empty());
    for state in ["pending_dispatch", "dispatched", "in_progress", "waiting_customer", "completed", "accepted", "closed"] {
        let (_, orders) = s.get(&format!("/api/v1/work-orders?state={state}&per_page=1")).await;
        assert!(orders["total"].as_u64().unwrap() > 0, "demo orders in state {state}");
    }
    let (_, queue) = s.get("/api/v1/return-visits/queue?per_page=1").await;
    assert!(queue["total"].as_u64().unwrap() > 0, "accepted orders wait for their visit");
    let (_, visits) = s.get("/api/v1/return-visits?kind=order&per_page=1").await;
    assert!(visits["total"].as_u64().unwrap() > 0, "closed orders were visited");
}
