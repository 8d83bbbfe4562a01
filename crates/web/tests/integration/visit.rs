//! Return visits: the queue of accepted orders, a visit moving the order on,
//! dissatisfaction followed up by reopening or a complaint request, care
//! visits, the visit records, and scope.

use reqwest::StatusCode;
use sea_orm::EntityTrait;
use serde_json::{json, Value};

use crate::{
    harness::{id_where, Session, TestApp},
    workorder::{act, room_with_owner},
};

/// An order taken to 已验收 the way the staff do it: the agent creates and
/// dispatches, the engineer starts and completes, the customer's acceptance
/// is recorded by the manager.
async fn accepted_order(app: &TestApp, agent: &Session, manager: &Session, room: i64, customer: i64, description: &str) -> Value {
    let o = reported_order(agent, room, customer, description).await;
    accept(app, agent, manager, &o).await
}

async fn reported_order(agent: &Session, room: i64, customer: i64, description: &str) -> Value {
    let (status, o) = agent
        .post(
            "/api/v1/work-orders",
            json!({"room_id": room, "customer_id": customer, "category": "水电", "kind": "internal", "priority": "normal", "description": description}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{o}");
    o
}

/// A reported order dispatched, done and accepted (see `accepted_order`).
async fn accept(app: &TestApp, agent: &Session, manager: &Session, o: &Value) -> Value {
    let (_, users) = manager.get("/api/v1/users?q=engineer").await;
    let engineer = id_where(&users, "username", "engineer");
    let (_, o) = act(agent, o, "dispatch", json!({"assignee_id": engineer})).await;
    let eng = app.login("engineer").await;
    let (_, o) = act(&eng, &o, "start", json!({})).await;
    let (status, o) = act(&eng, &o, "complete", json!({"result": "更换阀芯，试水正常"})).await;
    assert_eq!(status, StatusCode::OK, "{o}");
    let (status, o) = act(manager, &o, "customer_accept", json!({})).await;
    assert_eq!(status, StatusCode::OK, "{o}");
    assert_eq!(o["state"], "accepted");
    o
}

fn order_visit(o: &Value, answers: Value) -> Value {
    let mut body = json!({"work_order_id": o["id"], "version": o["version"]});
    body.as_object_mut().unwrap().extend(answers.as_object().unwrap().clone());
    body
}

async fn order(s: &Session, o: &Value) -> Value {
    s.get(&format!("/api/v1/work-orders/{}", o["id"])).await.1
}

/// The longest-waiting first: by the time of acceptance, not of creation.
#[tokio::test]
async fn the_queue_is_oldest_acceptance_first() {
    let app = TestApp::demo().await;
    let agent = app.login("agent").await;
    let manager = app.login("manager").await;
    let (room, customer) = room_with_owner(&manager).await;
    let first = reported_order(&agent, room, customer, "先报修，后验收").await;
    let second = accepted_order(&app, &agent, &manager, room, customer, "后报修，先验收").await;
    let first = accept(&app, &agent, &manager, &first).await;
    let (_, q) = agent.get("/api/v1/return-visits/queue").await;
    let numbers: Vec<&Value> = q["items"].as_array().unwrap().iter().map(|i| &i["number"]).collect();
    assert_eq!(numbers, [&second["number"], &first["number"]], "accepted first, listed first");
    assert_eq!(q["items"][1]["accepted_at"], first["accepted_at"], "when it was accepted");
}

#[tokio::test]
async fn a_satisfied_visit_moves_the_order_to_visited_and_leaves_the_queue() {
    let app = TestApp::demo().await;
    let agent = app.login("agent").await;
    let manager = app.login("manager").await;
    let (room, customer) = room_with_owner(&manager).await;
    let o = accepted_order(&app, &agent, &manager, room, customer, "卫生间水龙头滴水").await;

    let (status, q) = agent.get("/api/v1/return-visits/queue").await;
    assert_eq!(status, StatusCode::OK, "{q}");
    assert_eq!(q["total"], 1);
    let item = &q["items"][0];
    assert_eq!(item["number"], o["number"]);
    assert_eq!(item["customer_name"], "白展堂");
    assert_eq!(item["assignee_name"], "张伟");
    assert_eq!(item["location"], "W1-0101");
    assert!(item["accepted_at"].is_string() && item["waiting_minutes"].as_i64().unwrap() >= 0, "{item}");
    let (_, html) = agent.page("/visits/queue").await;
    assert!(html.contains(o["number"].as_str().unwrap()) && html.contains(&format!("/visits/new?work_order_id={}", o["id"])));
    assert!(html.contains(">回访<"), "the 回访 module is in the navigation");

    // The order page offers the visit form, not a bare 回访 action.
    let (_, page) = agent.page(&format!("/workorders/{}", o["id"])).await;
    assert!(page.contains(&format!("/visits/new?work_order_id={}&amp;from=order", o["id"])), "a 回访 button");
    assert!(!page.contains("value=\"return_visit\""), "no generic return_visit action");
    let (status, form) = agent.page(&format!("/visits/new?work_order_id={}", o["id"])).await;
    assert_eq!(status, StatusCode::OK);
    assert!(form.contains("卫生间水龙头滴水") && form.contains("更换阀芯") && form.contains("满意度"), "the order's facts above the form");

    // Saved through the browser form: a toast and back to the queue.
    let (status, _) = agent
        .form(
            &format!("/visits/new?work_order_id={}", o["id"]),
            &[
                ("version", &o["version"].to_string()),
                ("satisfaction", "very_satisfied"),
                ("attitude", "good"),
                ("method", "phone"),
                ("follow_up", ""),
                ("content", "师傅很专业，准时上门"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let after = order(&agent, &o).await;
    assert_eq!(after["state"], "visited");
    assert_eq!(after["satisfaction"], "very_satisfied");
    assert!(after["visited_at"].is_string());
    assert_eq!(after["version"], o["version"].as_i64().unwrap() + 1);
    let last = after["events"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["action"], "return_visit");
    assert!(last["note"].as_str().unwrap().contains("非常满意"), "the timeline shows the visit: {last}");
    assert_eq!(agent.get("/api/v1/return-visits/queue").await.1["total"], 0, "visited orders leave the queue");

    let (_, visits) = agent.get(&format!("/api/v1/return-visits?work_order_id={}", o["id"])).await;
    assert_eq!(visits["total"], 1);
    let v = &visits["items"][0];
    assert_eq!(
        (v["kind"].as_str(), v["satisfaction_label"].as_str(), v["follow_up"].as_str()),
        (Some("order"), Some("非常满意"), Some("none"))
    );
    assert_eq!(v["visited_by_name"], "李静");
    assert_eq!(v["customer_id"], customer);
    let (status, one) = agent.get(&format!("/api/v1/return-visits/{}", v["id"])).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(one["work_order_number"], o["number"]);
    let (status, detail) = agent.page(&format!("/visits/{}", v["id"])).await;
    assert_eq!(status, StatusCode::OK);
    assert!(detail.contains("师傅很专业") && detail.contains("非常满意"));
    let (_, page) = agent.page(&format!("/workorders/{}", o["id"])).await;
    assert!(page.contains("师傅很专业") && page.contains("已回访"), "the order page lists its visit");
    let (_, c360) = agent.page(&format!("/customers/{customer}")).await;
    assert!(c360.contains("师傅很专业") && c360.contains("关怀回访"), "the customer page lists visits and offers a care visit");
    let (_, audit) = manager.get("/api/v1/audit-logs?entity=return_visit").await;
    assert_eq!(audit["total"], 1, "{audit}");
}

#[tokio::test]
async fn a_dissatisfied_visit_can_reopen_the_order() {
    let app = TestApp::demo().await;
    let agent = app.login("agent").await;
    let manager = app.login("manager").await;
    let (room, customer) = room_with_owner(&manager).await;
    let o = accepted_order(&app, &agent, &manager, room, customer, "阳台地漏反水").await;
    let answers =
        json!({"method": "phone", "satisfaction": "dissatisfied", "attitude": "fair", "content": "地漏还是反水", "follow_up": "reopen"});
    let cashier = app.login("cashier").await;
    let (status, err) = cashier.post("/api/v1/return-visits", order_visit(&o, answers.clone())).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "recording visits takes 回访登记: {err}");

    let (status, v) = agent.post("/api/v1/return-visits", order_visit(&o, answers)).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["follow_up"], "reopen");
    let after = order(&manager, &o).await;
    assert_eq!(after["state"], "in_progress");
    assert_eq!(after["reopen_count"], 1);
    assert_eq!(after["satisfaction"], "dissatisfied");
    assert_eq!(after["version"], o["version"].as_i64().unwrap() + 2, "two steps, one transaction");
    let steps: Vec<&str> = after["events"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(steps[steps.len() - 2..], ["return_visit", "reopen"]);
    assert!(after["events"].as_array().unwrap().last().unwrap()["note"].as_str().unwrap().contains("地漏还是反水"));
    assert_eq!(manager.get("/api/v1/return-visits/queue").await.1["total"], 0);

    // Fixed and accepted again, the order waits for a new visit.
    let eng = app.login("engineer").await;
    let (_, done) = act(&eng, &after, "complete", json!({"result": "疏通地漏并加装防臭芯"})).await;
    let (_, accepted) = act(&manager, &done, "customer_accept", json!({})).await;
    assert_eq!(accepted["state"], "accepted");
    let (_, q) = agent.get("/api/v1/return-visits/queue").await;
    assert_eq!(q["total"], 1);
    assert_eq!(q["items"][0]["version"], accepted["version"]);
}

#[tokio::test]
async fn a_dissatisfied_visit_can_raise_a_complaint() {
    let app = TestApp::demo().await;
    let agent = app.login("agent").await;
    let manager = app.login("manager").await;
    let (room, customer) = room_with_owner(&manager).await;
    let o = accepted_order(&app, &agent, &manager, room, customer, "入户门异响").await;
    let answers = json!({"method": "onsite", "satisfaction": "very_dissatisfied", "attitude": "poor", "content": "师傅态度差，乱收费", "follow_up": "complaint"});
    let (status, v) = agent.post("/api/v1/return-visits", order_visit(&o, answers)).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["follow_up"], "complaint");
    assert!(v["complaint_id"].is_null(), "the complaint module fills it in");
    assert_eq!(order(&agent, &o).await["state"], "visited");
    let events = app::entity::outbox::Entity::find().all(&app.db.conn).await.unwrap();
    let requests: Vec<_> = events.iter().filter(|e| e.topic == "visit.complaint_requested").collect();
    assert_eq!(requests.len(), 1);
    let payload: Value = serde_json::from_str(&requests[0].payload).unwrap();
    assert_eq!(payload, json!({"visit_id": v["id"], "customer_id": customer, "work_order_id": o["id"], "content": "师傅态度差，乱收费"}));
    let (_, listed) = agent.get("/api/v1/return-visits?follow_up=complaint").await;
    assert_eq!(listed["total"], 1);
}

#[tokio::test]
async fn visits_are_checked_before_anything_changes() {
    let app = TestApp::demo().await;
    let agent = app.login("agent").await;
    let manager = app.login("manager").await;
    let (room, customer) = room_with_owner(&manager).await;
    let o = accepted_order(&app, &agent, &manager, room, customer, "客厅灯不亮").await;
    let post = |answers: Value| agent.post("/api/v1/return-visits", order_visit(&o, answers));

    let (status, err) = post(json!({"method": "phone", "satisfaction": "satisfied", "follow_up": "complaint"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(err["error"]["fields"]["follow_up"].as_str().unwrap().contains("无需跟进"), "{err}");
    let (status, err) = post(json!({"method": "fax", "satisfaction": "happy", "follow_up": "later"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let f = &err["error"]["fields"];
    assert!(f["method"].is_string() && f["satisfaction"].is_string() && f["follow_up"].is_string(), "{err}");
    let (status, err) = post(json!({"method": "phone", "satisfaction": "dissatisfied"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(err["error"]["fields"]["follow_up"], "客户不满意，请选择跟进方式");
    assert!(err["error"]["fields"]["content"].is_string(), "what displeased the customer is written down");
    let (status, err) = post(json!({"method": "phone", "satisfaction": "dissatisfied", "follow_up": "none", "content": "不满意"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "an order visit reopens or complains: {err}");
    let (status, err) = post(json!({"method": "phone", "satisfaction": "neutral", "content": "长".repeat(2001)})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(err["error"]["fields"]["content"].as_str().unwrap().contains("2000"));

    let stale =
        json!({"work_order_id": o["id"], "version": o["version"].as_i64().unwrap() - 1, "method": "phone", "satisfaction": "satisfied"});
    let (status, err) = agent.post("/api/v1/return-visits", stale).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(err["error"]["message"].as_str().unwrap().contains("已被他人修改"), "{err}");
    let (status, _) =
        agent.post("/api/v1/return-visits", json!({"work_order_id": o["id"], "method": "phone", "satisfaction": "satisfied"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "an order visit carries the version");

    let (_, fresh) = agent
        .post(
            "/api/v1/work-orders",
            json!({"room_id": room, "category": "水电", "kind": "internal", "priority": "normal", "description": "新报修"}),
        )
        .await;
    let (status, err) =
        agent.post("/api/v1/return-visits", order_visit(&fresh, json!({"method": "phone", "satisfaction": "satisfied"}))).await;
    assert_eq!(status, StatusCode::CONFLICT, "only accepted orders are visited: {err}");
    assert_eq!(err["error"]["message"], "请先派工");

    // The browser form keeps what was typed and says what to fix.
    let (status, html) = agent
        .form(
            &format!("/visits/new?work_order_id={}", o["id"]),
            &[
                ("version", &o["version"].to_string()),
                ("satisfaction", "satisfied"),
                ("method", "sms"),
                ("follow_up", "complaint"),
                ("content", "还可以吧"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("无需跟进，请选择") && html.contains("还可以吧"));

    assert_eq!(agent.get("/api/v1/return-visits").await.1["total"], 0, "nothing was recorded");
    let after = order(&agent, &o).await;
    assert_eq!((after["state"].as_str(), &after["version"]), (Some("accepted"), &o["version"]));
    let (_, page) = agent.page(&format!("/visits/new?work_order_id={}", fresh["id"])).await;
    assert!(page.contains("请先派工") && !page.contains("保存回访"), "a form for an order that cannot be visited says why");
}

#[tokio::test]
async fn care_visits_and_the_visit_records() {
    let app = TestApp::demo().await;
    let agent = app.login("agent").await;
    let manager = app.login("manager").await;
    let (room, customer) = room_with_owner(&manager).await;
    let o = accepted_order(&app, &agent, &manager, room, customer, "厨房插座跳闸").await;
    let (status, _) = agent
        .post("/api/v1/return-visits", order_visit(&o, json!({"method": "phone", "satisfaction": "satisfied", "content": "已解决"})))
        .await;
    assert_eq!(status, StatusCode::OK);

    let (status, err) = agent
        .post("/api/v1/return-visits", json!({"customer_id": customer, "method": "phone", "satisfaction": "dissatisfied", "content": "电梯常坏", "follow_up": "reopen"}))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "a care visit has no order to reopen: {err}");
    assert!(err["error"]["fields"]["follow_up"].is_string());
    let (status, care) = agent
        .post("/api/v1/return-visits", json!({"customer_id": customer, "method": "onsite", "satisfaction": "dissatisfied", "content": "电梯常坏，晚上噪音大", "follow_up": "complaint"}))
        .await;
    assert_eq!(status, StatusCode::OK, "{care}");
    assert_eq!((care["kind"].as_str(), care["customer_name"].as_str()), (Some("care"), Some("白展堂")));
    assert!(care["work_order_id"].is_null());
    let requests = app::entity::outbox::Entity::find().all(&app.db.conn).await.unwrap();
    assert_eq!(requests.iter().filter(|e| e.topic == "visit.complaint_requested").count(), 1, "the same complaint hook");

    // From the module: the customer picked by code.
    let (status, html) =
        agent.form("/visits/care/new", &[("customer_code", "NOPE"), ("method", "phone"), ("satisfaction", "satisfied")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("没有客户编号 NOPE"));
    let (status, _) = agent
        .form(
            "/visits/care/new",
            &[("customer_code", "W1-0101"), ("method", "phone"), ("satisfaction", "very_satisfied"), ("content", "节日问候")],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, form) = agent.page(&format!("/visits/care/new?customer_id={customer}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(form.contains("白展堂"));

    let total = |path: String| {
        let agent = &agent;
        async move { agent.get(&path).await.1["total"].as_i64().unwrap() }
    };
    assert_eq!(total("/api/v1/return-visits".into()).await, 3);
    assert_eq!(total("/api/v1/return-visits?kind=care".into()).await, 2);
    assert_eq!(total("/api/v1/return-visits?kind=order".into()).await, 1);
    assert_eq!(total("/api/v1/return-visits?satisfaction=dissatisfied".into()).await, 1);
    assert_eq!(total("/api/v1/return-visits?follow_up=complaint".into()).await, 1);
    assert_eq!(total(format!("/api/v1/return-visits?customer_id={customer}")).await, 3);
    assert_eq!(total(format!("/api/v1/return-visits?project_id={}", o["project_id"])).await, 1, "care visits belong to no project");
    assert_eq!(total("/api/v1/return-visits?q=噪音".into()).await, 1);
    assert_eq!(total("/api/v1/return-visits?q=白展".into()).await, 3, "the customer's name");
    let today = chrono::Utc::now().with_timezone(&chrono_tz::Asia::Shanghai).date_naive();
    assert_eq!(total(format!("/api/v1/return-visits?from={today}&to={today}")).await, 3);
    assert_eq!(total(format!("/api/v1/return-visits?from={}", today.succ_opt().unwrap())).await, 0);
    assert_eq!(agent.get("/api/v1/return-visits?from=yesterday").await.0, StatusCode::UNPROCESSABLE_ENTITY);
    let (_, oldest) = agent.get("/api/v1/return-visits?sort=visited_at").await;
    assert_eq!(oldest["items"][0]["kind"], "order", "oldest first on request");

    let (_, page) = agent.page("/visits?kind=care").await;
    assert!(page.contains("电梯常坏") && page.contains("节日问候") && !page.contains("已解决"));
    assert_eq!(app.login("cashier").await.page("/visits/export").await.0, StatusCode::FORBIDDEN, "the cashier holds no visit.export");
    let r = manager.client.get(format!("{}/visits/export?kind=care", manager.base)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.headers()["content-type"].to_str().unwrap().contains("spreadsheetml"));
    let (_, c360) = agent.page(&format!("/customers/{customer}")).await;
    assert!(c360.contains("电梯常坏") && c360.contains("关怀回访"), "order and care visits on the customer page");
    app.assert_visit_and_room_counts_kept().await;
}

#[tokio::test]
async fn another_company_cannot_see_or_record_visits() {
    let app = TestApp::demo().await;
    let agent = app.login("agent").await;
    let manager = app.login("manager").await;
    let gz = app.login("gz_agent").await;
    let (room, customer) = room_with_owner(&manager).await;
    let o = accepted_order(&app, &agent, &manager, room, customer, "楼道灯坏").await;
    let (_, care) = agent
        .post(
            "/api/v1/return-visits",
            json!({"customer_id": customer, "method": "phone", "satisfaction": "satisfied", "content": "深圳关怀"}),
        )
        .await;

    let answers = json!({"method": "phone", "satisfaction": "satisfied"});
    assert_eq!(gz.post("/api/v1/return-visits", order_visit(&o, answers.clone())).await.0, StatusCode::NOT_FOUND);
    let mut to_customer = answers.clone();
    to_customer["customer_id"] = json!(customer);
    assert_eq!(gz.post("/api/v1/return-visits", to_customer).await.0, StatusCode::NOT_FOUND);
    assert_eq!(gz.get(&format!("/api/v1/return-visits/{}", care["id"])).await.0, StatusCode::NOT_FOUND);
    assert_eq!(gz.page(&format!("/visits/{}", care["id"])).await.0, StatusCode::NOT_FOUND);
    assert_eq!(gz.page(&format!("/visits/new?work_order_id={}", o["id"])).await.0, StatusCode::NOT_FOUND);
    assert_eq!(gz.page(&format!("/visits/care/new?customer_id={customer}")).await.0, StatusCode::NOT_FOUND);
    let fields = [("version", "1"), ("method", "phone"), ("satisfaction", "satisfied")];
    assert_eq!(gz.form(&format!("/visits/new?work_order_id={}", o["id"]), &fields).await.0, StatusCode::NOT_FOUND);
    assert_eq!(gz.form(&format!("/visits/care/new?customer_id={customer}"), &fields).await.0, StatusCode::NOT_FOUND);
    let (status, html) =
        gz.form("/visits/care/new", &[("customer_code", "W1-0101"), ("method", "phone"), ("satisfaction", "satisfied")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "another company's customer code is unknown");
    assert!(html.contains("没有客户编号 W1-0101"));
    assert_eq!(gz.get("/api/v1/return-visits").await.1["total"], 0);
    assert_eq!(gz.get("/api/v1/return-visits/queue").await.1["total"], 0);
    let (_, page) = gz.page("/visits/queue").await;
    assert!(!page.contains(o["number"].as_str().unwrap()));
    assert_eq!(order(&agent, &o).await["state"], "accepted", "nothing changed");
    assert_eq!(agent.get("/api/v1/return-visits").await.1["total"], 1);
}
