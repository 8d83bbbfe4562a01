//! Every text field renders escaped: a script typed anywhere is shown as
//! text, never run.

use reqwest::StatusCode;
use serde_json::json;

use crate::harness::{id_where, TestApp};

const PAYLOAD: &str = "<script>alert('x')</script>\"><img src=x onerror=alert(1)>";

#[tokio::test]
async fn script_payloads_in_every_text_field_render_escaped() {
    let app = TestApp::demo().await;
    let s = app.login("admin").await;
    let (_, units) = s.get("/api/v1/org-units").await;
    let sz = id_where(&units, "name", "深圳安居物业服务有限公司");
    let p = |tag: &str| format!("{tag}{PAYLOAD}");
    let (status, office) = s.post("/api/v1/org-units", json!({"parent_id": sz, "kind": "office", "name": p("O"), "code": "X1"})).await;
    assert_eq!(status, StatusCode::OK, "{office}");
    let (_, role) =
        s.post("/api/v1/roles", json!({"org_unit_id": sz, "name": p("R"), "description": p("D"), "permissions": ["report.view"]})).await;
    let (status, user) = s.post("/api/v1/users", json!({"username": "xss.user", "display_name": p("U"), "org_unit_id": office["id"], "password": "xss12345", "role_ids": [role["id"]]})).await;
    assert_eq!(status, StatusCode::OK, "{user}");
    let (_, project) =
        s.post("/api/v1/projects", json!({"org_unit_id": office["id"], "code": "XSS", "name": p("P"), "address": p("A")})).await;
    s.post(&format!("/api/v1/dictionaries?company={sz}"), json!({"dict_type": "channel", "label": p("L")})).await;
    s.post(&format!("/api/v1/holidays?company={sz}"), json!({"day": "2026-12-30", "kind": "holiday", "name": p("H")})).await;
    let (_, ann) = s.post("/api/v1/announcements", json!({"title": p("T"), "body": p("B"), "target_unit_ids": [office["id"]]})).await;
    s.post(&format!("/api/v1/announcements/{}/publish", ann["id"]), json!({"version": ann["version"]})).await;
    let (_, issued) = s.post("/api/v1/me/tokens", json!({"name": p("K")})).await;
    assert!(issued["secret"].is_string());

    let pages = [
        "/system/org".to_string(),
        format!("/system/org/{}/edit", office["id"]),
        "/system/users".to_string(),
        format!("/system/users/{}/edit", user["id"]),
        "/system/roles".to_string(),
        format!("/system/roles/{}/edit", role["id"]),
        "/property/projects".to_string(),
        format!("/property/projects/{}/edit", project["id"]),
        format!("/system/dictionaries?company={sz}&type=channel"),
        format!("/system/calendar?company={sz}"),
        "/system/announcements".to_string(),
        format!("/system/announcements/{}", ann["id"]),
        "/system/audit".to_string(),
        "/me".to_string(),
        format!("/system/users?q={}", "%3Cscript%3E"),
    ];
    for path in &pages {
        let (status, html) = s.page(path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert!(!html.contains("<script>alert"), "{path} renders a raw script");
        assert!(!html.contains("<img src=x"), "{path} renders a raw tag");
        assert!(
            html.contains("&lt;script&gt;") || html.contains("&#60;script&#62;") || html.contains("&lt;script"),
            "{path} shows the text escaped"
        );
    }
    // The field-error path escapes too.
    let (status, html) = s.form("/system/org/new", &[("kind", "office"), ("name", PAYLOAD)]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(!html.contains("<script>alert"));
}
