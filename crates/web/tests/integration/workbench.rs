//! The workbench's counts (counted, not listed) and the order list's date
//! filter — the queries the scale benchmarks reshaped.

use chrono::Duration;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::harness::{Session, TestApp};

fn stat(body: &Value, label: &str) -> u64 {
    body["stats"].as_array().unwrap().iter().find(|s| s["label"] == label).unwrap_or_else(|| panic!("no {label} in {body}"))["value"]
        .as_u64()
        .unwrap()
}

/// A room of JLTX with a customer moved in as `role` (with a lease for tenants).
async fn occupied(s: &Session, code: &str, role: &str, lease_end: &str) -> i64 {
    let (_, projects) = s.get("/api/v1/projects").await;
    let project = projects["items"].as_array().unwrap().iter().find(|p| p["code"] == "JLTX").unwrap().clone();
    let (_, b) = s.post("/api/v1/buildings", json!({"project_id": project["id"], "code": format!("B{code}")})).await;
    let room = json!({"building_id": b["id"], "code": code, "floor": 1, "room_type": "residential", "status": "vacant"});
    let (_, r) = s.post("/api/v1/rooms", room).await;
    let (_, c) = s.post("/api/v1/customers", json!({"org_unit_id": project["org_unit_id"], "code": code, "name": "白展堂"})).await;
    let start = (app::clock::today() - Duration::days(300)).to_string();
    let mut body = json!({"room_id": r["id"], "customer_id": c["id"], "role": role, "date": start});
    if role == "tenant" {
        body["lease_start"] = json!(start);
        body["lease_end"] = json!(lease_end);
    }
    let (status, res) = s.post("/api/v1/occupancies", body).await;
    assert_eq!(status, StatusCode::OK, "{res}");
    c["id"].as_i64().unwrap()
}

#[tokio::test]
async fn the_workbench_counts_customers_and_expiring_leases_in_scope() {
    let app = TestApp::demo().await;
    let manager = app.login("manager").await;
    let (_, before) = manager.get("/api/v1/workbench").await;
    let today = app::clock::today();
    occupied(&manager, "WB-1", "tenant", &(today + Duration::days(10)).to_string()).await;
    occupied(&manager, "WB-2", "tenant", &(today + Duration::days(29)).to_string()).await;
    occupied(&manager, "WB-3", "tenant", &(today + Duration::days(90)).to_string()).await;
    let disabled = occupied(&manager, "WB-4", "owner", "").await;
    let (_, c) = manager.get(&format!("/api/v1/customers/{disabled}")).await;
    let (status, res) = manager.post(&format!("/api/v1/customers/{disabled}/disable"), json!({"version": c["version"]})).await;
    assert_eq!(status, StatusCode::OK, "{res}");

    let (_, after) = manager.get("/api/v1/workbench").await;
    assert_eq!(stat(&after, "30 天内租约到期"), stat(&before, "30 天内租约到期") + 2, "10 and 29 days, not 90");
    assert_eq!(stat(&after, "在册客户"), stat(&before, "在册客户") + 3, "the disabled one is not counted");
    assert_eq!(after["leases_ending"].as_array().unwrap().len(), 2);

    // Another company's agent counts none of them.
    let gz = app.login("gz_agent").await;
    let (_, theirs) = gz.get("/api/v1/workbench").await;
    assert_eq!(stat(&theirs, "30 天内租约到期"), 0);
    assert_eq!(stat(&theirs, "在册客户"), 0);
}

#[tokio::test]
async fn the_workbench_counts_projects_and_enabled_accounts_as_the_lists_do() {
    let app = TestApp::demo().await;
    let admin = app.login("admin").await;
    let (_, before) = admin.get("/api/v1/workbench").await;
    let (_, projects) = admin.get("/api/v1/projects?per_page=1").await;
    let (_, enabled) = admin.get("/api/v1/users?enabled=1&per_page=1").await;
    assert_eq!(stat(&before, "可访问项目"), projects["total"].as_u64().unwrap());
    assert_eq!(stat(&before, "在用账号"), enabled["total"].as_u64().unwrap());

    let (_, users) = admin.get("/api/v1/users?q=gz_agent").await;
    let gz = users["items"].as_array().unwrap().iter().find(|u| u["username"] == "gz_agent").unwrap().clone();
    let (status, res) = admin.post(&format!("/api/v1/users/{}/disable", gz["id"]), json!({"version": gz["version"]})).await;
    assert_eq!(status, StatusCode::OK, "{res}");
    let (_, after) = admin.get("/api/v1/workbench").await;
    assert_eq!(stat(&after, "在用账号"), stat(&before, "在用账号") - 1, "a disabled account is not counted");

    // A company's manager counts the accounts and projects of their company only.
    let manager = app.login("manager").await;
    let (_, theirs) = manager.get("/api/v1/workbench").await;
    let (_, their_users) = manager.get("/api/v1/users?enabled=1&per_page=1").await;
    let (_, their_projects) = manager.get("/api/v1/projects?per_page=1").await;
    assert_eq!(stat(&theirs, "在用账号"), their_users["total"].as_u64().unwrap());
    assert!(stat(&theirs, "在用账号") < stat(&after, "在用账号"));
    assert_eq!(stat(&theirs, "可访问项目"), their_projects["total"].as_u64().unwrap());
}

#[tokio::test]
async fn the_order_list_filters_by_the_day_it_was_reported() {
    let app = TestApp::demo().await;
    let agent = app.login("agent").await;
    let (_, projects) = agent.get("/api/v1/projects").await;
    let project = projects["items"][0]["id"].clone();
    let body = json!({"project_id": project, "public_area": "会所", "category": "水电", "kind": "internal", "priority": "normal", "description": "灯不亮"});
    let (status, o) = agent.post("/api/v1/work-orders", body).await;
    assert_eq!(status, StatusCode::OK, "{o}");
    let today = app::clock::today();
    let (yesterday, tomorrow) = (today - Duration::days(1), today + Duration::days(1));

    let total = |path: String| {
        let agent = &agent;
        async move { agent.get(&path).await.1["total"].as_u64().unwrap() }
    };
    assert_eq!(total(format!("/api/v1/work-orders?created_from={today}&created_to={today}")).await, 1, "today, both ends inclusive");
    assert_eq!(total(format!("/api/v1/work-orders?created_to={yesterday}")).await, 0);
    assert_eq!(total(format!("/api/v1/work-orders?created_from={tomorrow}")).await, 0);

    let (status, page) = agent.page(&format!("/workorders?created_from={today}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains(o["number"].as_str().unwrap()) && page.contains("报修日期从"), "the page filters and shows the fields");
    let (status, page) = agent.page("/workorders?created_from=2026-13-40").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("报修日期") && page.contains("2026-13-40"), "a bad date is named and kept in the field");
    let (status, sheet) = agent.page(&format!("/workorders/export?created_from={tomorrow}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(!sheet.is_empty(), "the export takes the same filter");
}
