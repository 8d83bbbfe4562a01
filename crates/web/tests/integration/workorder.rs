//! Work orders: create with SLA due times, the lifecycle, illegal steps,
//! concurrent dispatch, scope.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::harness::{id_where, Session, TestApp};

pub async fn room_with_owner(s: &Session) -> (i64, i64) {
    let (_, projects) = s.get("/api/v1/projects").await;
    let project = projects["items"].as_array().unwrap().iter().find(|p| p["code"] == "JLTX").unwrap().clone();
    let (_, b) = s.post("/api/v1/buildings", json!({"project_id": project["id"], "code": "W1"})).await;
    let room = json!({"building_id": b["id"], "code": "W1-0101", "floor": 1, "room_type": "residential", "status": "vacant"});
    let (_, r) = s.post("/api/v1/rooms", room).await;
    let owner = json!({"org_unit_id": project["org_unit_id"], "code": "W1-0101", "name": "白展堂", "phones": ["13700007777"]});
    let (_, c) = s.post("/api/v1/customers", owner).await;
    let (status, h) = s.post("/api/v1/handovers", json!({"room_id": r["id"], "customer_id": c["id"], "date": "2026-01-01"})).await;
    assert_eq!(status, StatusCode::OK, "{h}");
    (r["id"].as_i64().unwrap(), c["id"].as_i64().unwrap())
}

pub async fn act(s: &Session, o: &Value, action: &str, extra: Value) -> (StatusCode, Value) {
    let mut body = json!({"version": o["version"], "action": action});
    body.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
    s.post(&format!("/api/v1/work-orders/{}/actions", o["id"]), body).await
}

#[tokio::test]
async fn an_order_lives_from_creation_to_close() {
    let app = TestApp::demo().await;
    let agent = app.login("agent").await;
    let manager = app.login("manager").await;
    let (room, customer) = room_with_owner(&manager).await;
    let (status, err) = agent
        .post("/api/v1/work-orders", json!({"room_id": room, "category": "不存在", "kind": "x", "priority": "normal", "description": ""}))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let f = &err["error"]["fields"];
    assert!(f["category"].is_string() && f["kind"].is_string() && f["description"].is_string(), "{err}");
    let (status, o) = agent.post("/api/v1/work-orders", json!({"room_id": room, "customer_id": customer, "category": "水电", "kind": "internal", "priority": "normal", "channel": "电话", "description": "厨房水龙头漏水"})).await;
    assert_eq!(status, StatusCode::OK, "{o}");
    assert!(o["number"].as_str().unwrap().starts_with("WO-"));
    assert_eq!(o["state"], "pending_dispatch");
    assert_eq!(o["contact_phone"], "13700007777", "the customer's phone is the contact phone");
    assert!(o["response_due"].is_string() && o["complete_due"].is_string());
    let created = chrono::DateTime::parse_from_rfc3339(o["created_at"].as_str().unwrap()).unwrap();
    let due = chrono::DateTime::parse_from_rfc3339(o["complete_due"].as_str().unwrap()).unwrap();
    assert!(due - created >= chrono::Duration::hours(22), "three working days count in working time, not wall-clock: {created} → {due}");

    let (status, body) = act(&agent, &o, "start", json!({})).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "agents dispatch, engineers handle: {body}");
    let (_, users) = manager.get("/api/v1/users?q=engineer").await;
    let engineer = id_where(&users, "username", "engineer");
    let (status, body) = act(&agent, &o, "dispatch", json!({})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (status, o) = act(&agent, &o, "dispatch", json!({"assignee_id": engineer})).await;
    assert_eq!(status, StatusCode::OK, "{o}");
    assert_eq!(o["assignee_name"], "张伟");
    let eng = app.login("engineer").await;
    let (_, mine) = eng.get("/api/v1/work-orders?mine=true").await;
    assert_eq!(mine["total"], 1, "the engineer's 我的工单");
    let (_, home) = eng.page("/").await;
    assert!(home.contains(o["number"].as_str().unwrap()), "the order is on the engineer's workbench");
    let (status, body) = act(&eng, &o, "close", json!({})).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let (status, o) = act(&eng, &o, "start", json!({})).await;
    assert_eq!(status, StatusCode::OK);
    assert!(o["responded_at"].is_string());
    let due_before = o["complete_due"].clone();
    let (_, o) = act(&eng, &o, "wait_customer", json!({"note": "客户出差，约下周上门"})).await;
    assert_eq!(o["state"], "waiting_customer");
    let (_, o) = act(&eng, &o, "resume", json!({})).await;
    assert!(o["complete_due"].as_str().unwrap() >= due_before.as_str().unwrap(), "the wait does not eat the time");
    let (status, body) = act(&eng, &o, "close", json!({})).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let (status, body) = act(&manager, &o, "close", json!({})).await;
    assert_eq!(status, StatusCode::CONFLICT, "an in-progress order cannot be closed: {body}");
    assert_eq!(body["error"]["message"], "当前状态下不能执行此操作");
    let (status, err) =
        act(&eng, &o, "complete", json!({"materials": [{"item": "水龙头", "quantity": "1.2345", "unit_price": "x"}]})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{err}");
    assert!(err["error"]["fields"]["result"].is_string() && err["error"]["fields"]["materials"].is_string());
    let (status, o) = act(
        &eng,
        &o,
        "complete",
        json!({"result": "更换水龙头阀芯", "materials": [{"item": "阀芯", "quantity": "1", "unit_price": "35"}], "labour_fee": "20"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{o}");
    assert_eq!(o["total_fee"], 0, "an internal order bills nothing");
    let (status, body) = act(&manager, &o, "void", json!({"note": "重复"})).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body["error"]["message"], "已完工的工单不能作废");
    let (_, o) = act(&manager, &o, "customer_accept", json!({})).await;
    let (status, _) = act(&manager, &o, "return_visit", json!({"note": "满意"})).await;
    assert_eq!(status, StatusCode::CONFLICT, "a return visit is recorded with its answers");
    let visit = json!({"work_order_id": o["id"], "version": o["version"], "method": "phone", "satisfaction": "satisfied", "attitude": "good", "content": "满意"});
    let (status, v) = manager.post("/api/v1/return-visits", visit).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    let (_, o) = manager.get(&format!("/api/v1/work-orders/{}", o["id"])).await;
    let (status, o) = act(&manager, &o, "close", json!({})).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(o["state"], "closed");
    let steps: Vec<&str> = o["events"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(steps, ["create", "dispatch", "start", "wait_customer", "resume", "complete", "customer_accept", "return_visit", "close"]);
    let (status, html) = manager.page(&format!("/workorders/{}", o["id"])).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("已关闭") && html.contains("客户出差"));
    let (_, page360) = manager.page(&format!("/customers/{customer}")).await;
    assert!(page360.contains(o["number"].as_str().unwrap()), "the order is on the customer's 360 page");
    let (status, slip) = manager.page(&format!("/workorders/{}/print", o["id"])).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        slip.contains("报修受理单")
            && slip.contains("客户签字")
            && slip.contains("深圳安居物业服务有限公司")
            && !slip.contains("class=\"topbar\""),
        "a printable slip without navigation"
    );
}

#[tokio::test]
async fn two_agents_dispatching_the_same_order_one_wins() {
    let app = TestApp::demo().await;
    let a = app.login("agent").await;
    let b = app.login("manager").await;
    let (room, _) = room_with_owner(&b).await;
    let (_, o) = a
        .post(
            "/api/v1/work-orders",
            json!({"room_id": room, "category": "门窗", "kind": "paid", "priority": "emergency", "description": "入户门锁坏了"}),
        )
        .await;
    assert_eq!(o["customer_name"], "白展堂", "the room's billing party is the customer by default");
    let created = chrono::DateTime::parse_from_rfc3339(o["created_at"].as_str().unwrap()).unwrap();
    let onsite = chrono::DateTime::parse_from_rfc3339(o["onsite_due"].as_str().unwrap()).unwrap();
    assert_eq!((onsite - created).num_minutes(), 30, "emergencies: on site within 30 minutes, round the clock");
    let (_, users) = b.get("/api/v1/users?q=engineer").await;
    let engineer = id_where(&users, "username", "engineer");
    let body = json!({"version": o["version"], "action": "dispatch", "assignee_id": engineer});
    let path = format!("/api/v1/work-orders/{}/actions", o["id"]);
    let (r1, r2) = tokio::join!(a.post(&path, body.clone()), b.post(&path, body));
    let mut statuses = [r1.0, r2.0];
    statuses.sort();
    assert_eq!(statuses, [StatusCode::OK, StatusCode::CONFLICT], "{:?} {:?}", r1.1, r2.1);
    let (_, now) = a.get(&format!("/api/v1/work-orders/{}", o["id"])).await;
    assert_eq!(now["events"].as_array().unwrap().len(), 2, "one dispatch recorded");
}

#[tokio::test]
async fn orders_of_another_company_are_not_found() {
    let app = TestApp::demo().await;
    let sz = app.login("manager").await;
    let gz = app.login("gz_agent").await;
    let (room, _) = room_with_owner(&sz).await;
    let (_, o) = sz
        .post(
            "/api/v1/work-orders",
            json!({"room_id": room, "category": "水电", "kind": "internal", "priority": "normal", "description": "漏水"}),
        )
        .await;
    assert_eq!(gz.get(&format!("/api/v1/work-orders/{}", o["id"])).await.0, StatusCode::NOT_FOUND);
    assert_eq!(act(&gz, &o, "dispatch", json!({"assignee_id": 1})).await.0, StatusCode::NOT_FOUND);
    assert_eq!(gz.page(&format!("/workorders/{}", o["id"])).await.0, StatusCode::NOT_FOUND);
    assert_eq!(
        gz.form(&format!("/workorders/{}/act", o["id"]), &[("action", "dispatch"), ("assignee_id", "1"), ("version", "1")]).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(gz.get("/api/v1/work-orders").await.1["total"], 0);
    let (status, _) = gz
        .post(
            "/api/v1/work-orders",
            json!({"room_id": room, "category": "水电", "kind": "internal", "priority": "normal", "description": "x"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "another company's room cannot be used");
}

#[tokio::test]
async fn a_paid_order_bills_materials_and_labour_exactly() {
    let app = TestApp::demo().await;
    let manager = app.login("manager").await;
    let (room, _) = room_with_owner(&manager).await;
    let (_, o) = manager
        .post(
            "/api/v1/work-orders",
            json!({"room_id": room, "category": "有偿家政", "kind": "paid", "priority": "normal", "description": "更换水管"}),
        )
        .await;
    let (_, users) = manager.get("/api/v1/users?q=engineer").await;
    let engineer = id_where(&users, "username", "engineer");
    let (_, o) = act(&manager, &o, "dispatch", json!({"assignee_id": engineer})).await;
    let eng = app.login("engineer").await;
    let (_, o) = act(&eng, &o, "start", json!({})).await;
    let materials = json!([
        {"item": "PPR 水管", "quantity": "1.5", "unit_price": "12.35"},
        {"item": "垫片", "quantity": "3", "unit_price": "0.33"},
        {"item": "", "quantity": "", "unit_price": ""}
    ]);
    let (status, o) = act(&eng, &o, "complete", json!({"result": "更换厨房水管 1.5 米", "materials": materials, "labour_fee": "50"})).await;
    assert_eq!(status, StatusCode::OK, "{o}");
    assert_eq!(o["total_fee"], 1853 + 99 + 5000, "¥18.53 (18.525 rounded half up) + ¥0.99 + ¥50.00");
    assert_eq!(o["total_text"], "¥69.52");
    assert_eq!(o["materials"].as_array().unwrap().len(), 2, "blank rows are ignored");
    assert_eq!(o["materials"][0]["amount"], 1853);
    let (_, html) = manager.page(&format!("/workorders/{}", o["id"])).await;
    assert!(html.contains("¥69.52") && html.contains("PPR 水管"));
}
