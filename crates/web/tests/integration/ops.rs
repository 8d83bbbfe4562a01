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
