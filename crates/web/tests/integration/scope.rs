//! Data scope (SYS-4): a user of company A with every permission tries every
//! read and write endpoint on company B's records by id. Every one answers
//! 404 and changes nothing. Grow this test with every module.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::harness::{id_where, Session, TestApp};

/// Creates, as the superuser, a role with every permission in `company` and
/// a user holding it with access to all the company's projects.
async fn all_powerful_user(admin: &Session, company: i64, office: i64, username: &str) {
    let perms: Vec<String> =
        admin.get("/api/v1/permissions").await.1.as_array().unwrap().iter().map(|p| p["code"].as_str().unwrap().to_string()).collect();
    let (status, role) =
        admin.post("/api/v1/roles", json!({"org_unit_id": company, "name": format!("全部权限-{username}"), "permissions": perms})).await;
    assert_eq!(status, StatusCode::OK, "{role}");
    let (status, user) = admin
        .post("/api/v1/users", json!({"username": username, "display_name": username, "org_unit_id": office, "password": "start1234", "role_ids": [role["id"]], "all_projects": true}))
        .await;
    assert_eq!(status, StatusCode::OK, "{user}");
}

async fn logged_in_after_first_change(app: &TestApp, username: &str) -> Session {
    let s = app.login_with(username, "start1234").await;
    let (status, _) = s
        .post("/api/v1/me/password", json!({"old_password": "start1234", "new_password": "ready12345", "confirm_password": "ready12345"}))
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    app.login_with(username, "ready12345").await
}

/// Company B's records as seen by B's own user.
struct Records {
    company: i64,
    office: i64,
    user: i64,
    role: i64,
    project: i64,
    announcement: i64,
    audit: i64,
    dict_item: i64,
    rule: i64,
    holiday: i64,
    building: i64,
    room: i64,
    customer: i64,
    occupancy: i64,
    /// An accepted work order, waiting for its return visit.
    order: i64,
    order_version: i64,
    visit: i64,
}

async fn snapshot(s: &Session, r: &Records) -> Vec<Value> {
    let mut out = vec![];
    for path in [
        format!("/api/v1/org-units/{}", r.company),
        format!("/api/v1/org-units/{}", r.office),
        format!("/api/v1/users/{}", r.user),
        format!("/api/v1/roles/{}", r.role),
        format!("/api/v1/projects/{}", r.project),
        format!("/api/v1/announcements/{}", r.announcement),
        format!("/api/v1/dictionaries?company={}&type=channel", r.company),
        format!("/api/v1/numbering-rules?company={}", r.company),
        format!("/api/v1/calendar?company={}", r.company),
        format!("/api/v1/holidays?company={}", r.company),
        format!("/api/v1/buildings/{}", r.building),
        format!("/api/v1/rooms/{}", r.room),
        format!("/api/v1/customers/{}", r.customer),
        format!("/api/v1/rooms/{}/occupancy", r.room),
        format!("/api/v1/work-orders/{}", r.order),
        format!("/api/v1/return-visits/{}", r.visit),
        format!("/api/v1/escalation-rules?company={}", r.company),
        format!("/api/v1/sla-targets?company={}", r.company),
        format!("/api/v1/warranty-periods?company={}", r.company),
    ] {
        let (status, body) = s.get(&path).await;
        assert_eq!(status, StatusCode::OK, "B sees its own {path}");
        out.push(body);
    }
    out
}

/// B's order taken to 已验收 by B's all-powerful user, and a care visit to
/// the customer.
async fn accepted_order_and_visit(b: &Session, room: i64, customer: i64) -> (Value, Value) {
    let act = |o: &Value, action: &str, extra: Value| {
        let mut body = json!({"version": o["version"], "action": action});
        body.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        let path = format!("/api/v1/work-orders/{}/actions", o["id"]);
        async move { b.post(&path, body).await.1 }
    };
    let (status, o) = b
        .post(
            "/api/v1/work-orders",
            json!({"room_id": room, "customer_id": customer, "category": "水电", "kind": "internal", "priority": "normal", "description": "广州漏水"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{o}");
    let (_, users) = b.get("/api/v1/users?q=gz_all").await;
    let o = act(&o, "dispatch", json!({"assignee_id": id_where(&users, "username", "gz_all")})).await;
    let o = act(&o, "start", json!({})).await;
    let o = act(&o, "complete", json!({"result": "已修好"})).await;
    let o = act(&o, "customer_accept", json!({})).await;
    assert_eq!(o["state"], "accepted", "{o}");
    let (status, visit) = b
        .post(
            "/api/v1/return-visits",
            json!({"customer_id": customer, "method": "phone", "satisfaction": "satisfied", "content": "广州关怀"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{visit}");
    (o, visit)
}

#[tokio::test]
async fn another_companys_records_are_not_found_for_every_endpoint() {
    let app = TestApp::demo().await;
    let admin = app.login("admin").await;
    let (_, units) = admin.get("/api/v1/org-units").await;
    let sz = id_where(&units, "name", "深圳安居物业服务有限公司");
    let gz = id_where(&units, "name", "广州安居物业服务有限公司");
    let junlin = id_where(&units, "name", "君林天下管理处");
    let yunshan = id_where(&units, "name", "云山雅苑管理处");
    all_powerful_user(&admin, sz, junlin, "sz_all").await;
    all_powerful_user(&admin, gz, yunshan, "gz_all").await;
    let a = logged_in_after_first_change(&app, "sz_all").await;
    let b = logged_in_after_first_change(&app, "gz_all").await;

    // Company B's own records, including an announcement and an audit row.
    let (_, ann) = b.post("/api/v1/announcements", json!({"title": "广州停水通知", "body": "明日停水", "target_unit_ids": [gz]})).await;
    let (_, users) = b.get("/api/v1/users").await;
    let (_, roles) = b.get("/api/v1/roles").await;
    let (_, projects) = b.get("/api/v1/projects").await;
    let (_, audit) = b.get("/api/v1/audit-logs?entity=announcement").await;
    let (_, dicts) = b.get(&format!("/api/v1/dictionaries?company={gz}&type=channel")).await;
    let (_, rules) = b.get(&format!("/api/v1/numbering-rules?company={gz}")).await;
    let (_, holidays) = b.get(&format!("/api/v1/holidays?company={gz}")).await;
    let ysyy = id_where(&projects, "code", "YSYY");
    let (_, building) = b.post("/api/v1/buildings", json!({"project_id": ysyy, "code": "G1", "floors_above": 6})).await;
    let (_, room) = b
        .post(
            "/api/v1/rooms",
            json!({"building_id": building["id"], "code": "G1-0101", "floor": 1, "room_type": "residential", "status": "vacant"}),
        )
        .await;
    let (status, cust) = b
        .post("/api/v1/customers", json!({"org_unit_id": yunshan, "code": "G1-0101", "name": "广州业主", "phones": ["13900000001"]}))
        .await;
    assert_eq!(status, StatusCode::OK, "{cust}");
    let (_, occ) = b
        .post("/api/v1/occupancies", json!({"room_id": room["id"], "customer_id": cust["id"], "role": "owner", "date": "2026-01-01"}))
        .await;
    let (_, rename_order) =
        b.post(&format!("/api/v1/customers/{}/rename-orders", cust["id"]), json!({"new_name": "广州业主乙", "reason": "过户"})).await;
    let (order, care_visit) = accepted_order_and_visit(&b, room["id"].as_i64().unwrap(), cust["id"].as_i64().unwrap()).await;
    let r = Records {
        company: gz,
        office: yunshan,
        user: id_where(&users, "username", "gz_agent"),
        role: id_where(&roles, "name", "客服专员"),
        project: id_where(&projects, "code", "YSYY"),
        announcement: ann["id"].as_i64().unwrap(),
        audit: audit["items"][0]["id"].as_i64().unwrap(),
        dict_item: dicts["items"][0]["id"].as_i64().unwrap(),
        rule: rules["items"][0]["id"].as_i64().unwrap(),
        holiday: holidays["items"][0]["id"].as_i64().unwrap(),
        building: building["id"].as_i64().unwrap(),
        room: room["id"].as_i64().unwrap(),
        customer: cust["id"].as_i64().unwrap(),
        occupancy: occ["occupancy_id"].as_i64().unwrap(),
        order: order["id"].as_i64().unwrap(),
        order_version: order["version"].as_i64().unwrap(),
        visit: care_visit["id"].as_i64().unwrap(),
    };
    let rename_id = rename_order["id"].as_i64().unwrap();
    let txn = app.db.begin().await.unwrap();
    let notice = app::outbox::Notice {
        user_ids: vec![r.user as i32],
        title: "广州工单超时".into(),
        body: "x".into(),
        link: "/".into(),
        kind: "escalation".into(),
    };
    app::outbox::publish(&*txn, app::outbox::NOTIFY, &notice).await.unwrap();
    txn.commit().await.unwrap();
    app::outbox::deliver_pending(&app.db, chrono::Utc::now()).await.unwrap();
    let gz_agent = app.login("gz_agent").await;
    let notification = gz_agent.get("/api/v1/notifications").await.1["items"][0]["id"].as_i64().unwrap();
    let before = snapshot(&b, &r).await;
    let audit_before = b.get("/api/v1/audit-logs?per_page=1").await.1["total"].clone();

    let reads = [
        format!("/api/v1/org-units/{}", r.company),
        format!("/api/v1/org-units/{}", r.office),
        format!("/api/v1/users/{}", r.user),
        format!("/api/v1/roles/{}", r.role),
        format!("/api/v1/projects/{}", r.project),
        format!("/api/v1/announcements/{}", r.announcement),
        format!("/api/v1/audit-logs/{}", r.audit),
        format!("/api/v1/dictionaries?company={}&type=channel", r.company),
        format!("/api/v1/numbering-rules?company={}", r.company),
        format!("/api/v1/calendar?company={}", r.company),
        format!("/api/v1/holidays?company={}", r.company),
        format!("/api/v1/buildings/{}", r.building),
        format!("/api/v1/buildings?project_id={}", r.project),
        format!("/api/v1/rooms/{}", r.room),
        format!("/api/v1/customers/{}", r.customer),
        format!("/api/v1/customers/{}/rooms", r.customer),
        format!("/api/v1/rooms/{}/occupancy", r.room),
        format!("/api/v1/return-visits/{}", r.visit),
        format!("/api/v1/work-order-measures?project_id={}", r.project),
        format!("/api/v1/work-order-measures?engineer_id={}", r.user),
        format!("/api/v1/escalation-rules?company={}", r.company),
        format!("/api/v1/sla-targets?company={}", r.company),
        format!("/api/v1/warranty-periods?company={}", r.company),
    ];
    for path in &reads {
        let (status, body) = a.get(path).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "GET {path}: {body}");
    }

    let v = json!({"version": 1});
    let writes: Vec<(Method, String, Value)> = vec![
        (Method::PUT, format!("/api/v1/org-units/{}", r.office), json!({"version": 1, "name": "改名"})),
        (Method::DELETE, format!("/api/v1/org-units/{}", r.office), v.clone()),
        (Method::POST, format!("/api/v1/org-units/{}/move", r.office), json!({"version": 1, "parent_id": sz})),
        (Method::POST, format!("/api/v1/org-units/{}/disable", r.office), v.clone()),
        (Method::POST, format!("/api/v1/org-units/{}/enable", r.office), v.clone()),
        (Method::PUT, format!("/api/v1/users/{}", r.user), json!({"version": 1, "display_name": "改名", "org_unit_id": junlin})),
        (Method::POST, format!("/api/v1/users/{}/reset-password", r.user), json!({"version": 1, "password": "hacked123"})),
        (Method::POST, format!("/api/v1/users/{}/unlock", r.user), v.clone()),
        (Method::POST, format!("/api/v1/users/{}/disable", r.user), v.clone()),
        (Method::POST, format!("/api/v1/users/{}/enable", r.user), v.clone()),
        (Method::PUT, format!("/api/v1/roles/{}", r.role), json!({"version": 1, "name": "改名", "org_unit_id": sz})),
        (Method::POST, format!("/api/v1/roles/{}/disable", r.role), v.clone()),
        (Method::POST, format!("/api/v1/roles/{}/enable", r.role), v.clone()),
        (Method::PUT, format!("/api/v1/projects/{}", r.project), json!({"version": 1, "name": "改名", "code": "X", "org_unit_id": junlin})),
        (
            Method::PUT,
            format!("/api/v1/announcements/{}", r.announcement),
            json!({"version": 1, "title": "改", "body": "改", "target_unit_ids": [sz]}),
        ),
        (Method::POST, format!("/api/v1/announcements/{}/publish", r.announcement), v.clone()),
        (Method::POST, format!("/api/v1/announcements/{}/withdraw", r.announcement), v.clone()),
        (Method::POST, format!("/api/v1/dictionaries?company={}", r.company), json!({"dict_type": "channel", "label": "入侵"})),
        (Method::PUT, format!("/api/v1/dictionaries/{}", r.dict_item), json!({"version": 1, "label": "改名"})),
        (Method::PUT, format!("/api/v1/numbering-rules/{}", r.rule), json!({"version": 1, "prefix": "XX", "reset": "daily", "width": 4})),
        (
            Method::PUT,
            format!("/api/v1/calendar?company={}", r.company),
            json!({"version": 1, "work_days": ["1"], "work_start": "08:00", "work_end": "09:00"}),
        ),
        (Method::POST, format!("/api/v1/holidays?company={}", r.company), json!({"day": "2026-12-25", "kind": "holiday", "name": "入侵"})),
        (Method::DELETE, format!("/api/v1/holidays/{}", r.holiday), json!({})),
        (Method::PUT, format!("/api/v1/buildings/{}", r.building), json!({"version": 1, "code": "X"})),
        (Method::PUT, format!("/api/v1/rooms/{}", r.room), json!({"version": 1, "code": "X", "room_type": "shop", "status": "vacant"})),
        (Method::PUT, format!("/api/v1/customers/{}", r.customer), json!({"version": 1, "code": "X", "name": "X", "org_unit_id": junlin})),
        (Method::DELETE, format!("/api/v1/customers/{}", r.customer), v.clone()),
        (Method::POST, format!("/api/v1/customers/{}/disable", r.customer), v.clone()),
        (Method::POST, format!("/api/v1/customers/{}/enable", r.customer), v.clone()),
        (Method::POST, format!("/api/v1/customers/{}/rename-orders", r.customer), json!({"new_name": "X", "reason": "X"})),
        (Method::POST, format!("/api/v1/rename-orders/{rename_id}/approve"), v.clone()),
        (Method::POST, format!("/api/v1/rename-orders/{rename_id}/reject"), v.clone()),
        (Method::POST, format!("/api/v1/occupancies/{}/move-out", r.occupancy), json!({"version": 1, "date": "2026-02-01", "reason": "X"})),
        (
            Method::POST,
            "/api/v1/return-visits".into(),
            json!({"work_order_id": r.order, "version": r.order_version, "method": "phone", "satisfaction": "satisfied"}),
        ),
        (Method::POST, "/api/v1/return-visits".into(), json!({"customer_id": r.customer, "method": "phone", "satisfaction": "satisfied"})),
        (
            Method::PUT,
            format!("/api/v1/escalation-rules?company={}", r.company),
            json!({"version": 0, "levels": [{"after_minutes": "0", "notify": "assignee"}]}),
        ),
        (Method::POST, format!("/api/v1/notifications/{notification}/read"), json!({})),
        (
            Method::PUT,
            format!("/api/v1/sla-targets?company={}", r.company),
            json!({"category": "水电", "priority": "normal", "response_minutes": "1", "onsite_minutes": "2", "complete_minutes": "3"}),
        ),
        (Method::PUT, format!("/api/v1/warranty-periods?company={}", r.company), json!({"category": "水电", "months": "1"})),
    ];
    for (method, path, body) in &writes {
        let (status, answer) = a.send(method.clone(), path, body.clone()).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{method} {path}: {answer}");
    }

    let page_reads = [
        format!("/system/org/{}/edit", r.office),
        format!("/system/org/{}/move", r.office),
        format!("/system/users/{}/edit", r.user),
        format!("/system/users/{}/password", r.user),
        format!("/system/roles/{}/edit", r.role),
        format!("/property/projects/{}/edit", r.project),
        format!("/system/announcements/{}", r.announcement),
        format!("/system/announcements/{}/edit", r.announcement),
        format!("/system/audit/{}", r.audit),
        format!("/system/dictionaries/{}/edit", r.dict_item),
        format!("/system/dictionaries?company={}", r.company),
        format!("/system/numbering/{}/edit", r.rule),
        format!("/system/numbering?company={}", r.company),
        format!("/system/calendar?company={}", r.company),
        format!("/property/projects/{}", r.project),
        format!("/property/buildings/{}/edit", r.building),
        format!("/property/buildings/{}/generate", r.building),
        format!("/property/buildings/new?project_id={}", r.project),
        format!("/property/rooms/{}/edit", r.room),
        format!("/property/rooms/new?building_id={}", r.building),
        format!("/property/rooms/{}", r.room),
        format!("/customers/{}", r.customer),
        format!("/customers/{}/edit", r.customer),
        format!("/customers/{}/rename", r.customer),
        format!("/occupancy/handover/new?room_id={}", r.room),
        format!("/occupancy/move-in/new?room_id={}", r.room),
        format!("/occupancy/{}/move-out", r.occupancy),
        format!("/visits/{}", r.visit),
        format!("/visits/new?work_order_id={}", r.order),
        format!("/visits/care/new?customer_id={}", r.customer),
        format!("/reports/workorder-measures?project_id={}", r.project),
        format!("/reports/workorder-measures/export?engineer_id={}", r.user),
        format!("/workorders/escalation?company={}", r.company),
        format!("/workorders/settings?company={}", r.company),
    ];
    for path in &page_reads {
        let (status, _) = a.page(path).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "page {path}");
    }
    let page_writes = [
        (format!("/system/org/{}/edit", r.office), vec![("name", "改名"), ("version", "1")]),
        (format!("/system/org/{}/delete", r.office), vec![("version", "1")]),
        (format!("/system/org/{}/disable", r.office), vec![("version", "1")]),
        (format!("/system/users/{}/edit", r.user), vec![("display_name", "改名"), ("version", "1")]),
        (format!("/system/users/{}/password", r.user), vec![("password", "hacked123"), ("version", "1")]),
        (format!("/system/users/{}/disable", r.user), vec![("version", "1")]),
        (format!("/system/roles/{}/edit", r.role), vec![("name", "改名"), ("version", "1")]),
        (format!("/system/roles/{}/disable", r.role), vec![("version", "1")]),
        (format!("/property/projects/{}/edit", r.project), vec![("name", "改名"), ("version", "1")]),
        (format!("/system/announcements/{}/edit", r.announcement), vec![("title", "改"), ("version", "1")]),
        (format!("/system/announcements/{}/publish", r.announcement), vec![("version", "1")]),
        (format!("/system/dictionaries/{}/edit", r.dict_item), vec![("label", "改名"), ("version", "1")]),
        (format!("/system/numbering/{}/edit", r.rule), vec![("prefix", "XX"), ("version", "1")]),
        (format!("/system/calendar?company={}", r.company), vec![("work_start", "08:00"), ("version", "1")]),
        (format!("/system/calendar/holidays/{}/delete?company={}", r.holiday, r.company), vec![]),
        (format!("/property/buildings/{}/edit", r.building), vec![("code", "X"), ("version", "1")]),
        (
            format!("/property/buildings/{}/generate", r.building),
            vec![("floor_from", "1"), ("floor_to", "2"), ("rooms_per_floor", "1"), ("pattern", "{floor}{no}"), ("action", "commit")],
        ),
        (format!("/property/rooms/{}/edit", r.room), vec![("code", "X"), ("version", "1")]),
        (format!("/customers/{}/edit", r.customer), vec![("code", "X"), ("version", "1")]),
        (format!("/customers/{}/disable", r.customer), vec![("version", "1")]),
        (format!("/customers/{}/delete", r.customer), vec![("version", "1")]),
        (format!("/customers/{}/rename", r.customer), vec![("new_name", "X"), ("reason", "X")]),
        (format!("/customers/renames/{rename_id}/approve"), vec![("version", "1")]),
        (format!("/occupancy/handover/new?room_id={}", r.room), vec![("customer_code", "G1-0101"), ("date", "2026-01-01")]),
        (
            format!("/occupancy/move-in/new?room_id={}", r.room),
            vec![("customer_code", "G1-0101"), ("role", "resident"), ("date", "2026-01-01")],
        ),
        (format!("/occupancy/{}/move-out", r.occupancy), vec![("date", "2026-02-01"), ("reason", "X"), ("version", "1")]),
        (format!("/visits/new?work_order_id={}", r.order), vec![("method", "phone"), ("satisfaction", "satisfied"), ("version", "1")]),
        (format!("/visits/care/new?customer_id={}", r.customer), vec![("method", "phone"), ("satisfaction", "satisfied")]),
        (
            format!("/workorders/escalation?company={}", r.company),
            vec![("after_minutes_1", "0"), ("notify_1", "assignee"), ("version", "0")],
        ),
        (format!("/inbox/{notification}/open"), vec![]),
        (
            format!("/workorders/settings/sla?company={}", r.company),
            vec![
                ("category", "水电"),
                ("priority", "normal"),
                ("response_minutes", "1"),
                ("onsite_minutes", "2"),
                ("complete_minutes", "3"),
            ],
        ),
        (format!("/workorders/settings/warranty?company={}", r.company), vec![("category", "水电"), ("months", "1")]),
    ];
    for (path, fields) in &page_writes {
        let (status, _) = a.form(path, fields).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "form POST {path}");
    }

    // Referencing B's records from A's own writes is refused too.
    let (status, _) =
        a.post("/api/v1/users", json!({"username": "spy", "display_name": "间谍", "org_unit_id": yunshan, "password": "spy12345"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _) = a.post("/api/v1/roles", json!({"name": "间谍角色", "org_unit_id": gz})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _) = a.post("/api/v1/projects", json!({"name": "间谍项目", "code": "SPY", "org_unit_id": yunshan})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _) = a.post("/api/v1/announcements", json!({"title": "间谍", "body": "x", "target_unit_ids": [gz]})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _) = a.post("/api/v1/buildings", json!({"project_id": r.project, "code": "SPY"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _) = a
        .post("/api/v1/rooms", json!({"building_id": r.building, "code": "SPY", "floor": 1, "room_type": "shop", "status": "vacant"}))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _) = a.post("/api/v1/customers", json!({"org_unit_id": yunshan, "code": "SPY", "name": "间谍"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _) = a
        .post("/api/v1/occupancies", json!({"room_id": r.room, "customer_id": r.customer, "role": "resident", "date": "2026-01-01"}))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _) = a.post("/api/v1/handovers", json!({"room_id": r.room, "customer_id": r.customer, "date": "2026-01-01"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _) = a.post("/api/v1/rooms/batch", json!({"building_id": r.building, "floor_from": 1, "floor_to": 1, "rooms_per_floor": 1, "pattern": "{floor}{no}", "room_type": "shop", "status": "vacant"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

    // Lists never show B's rows.
    for (path, foreign) in [
        ("/api/v1/users?per_page=100", "周敏"),
        ("/api/v1/projects", "云山雅苑"),
        ("/api/v1/org-units", "云山雅苑管理处"),
        ("/api/v1/roles", "gz_all"),
        ("/api/v1/announcements", "广州停水通知"),
        ("/api/v1/audit-logs?per_page=100", "广州停水通知"),
        ("/api/v1/return-visits", "广州关怀"),
        ("/api/v1/return-visits/queue", "广州漏水"),
        ("/api/v1/notifications", "广州工单超时"),
    ] {
        let (status, body) = a.get(path).await;
        assert_eq!(status, StatusCode::OK);
        assert!(!body.to_string().contains(foreign), "{path} leaks {foreign}");
    }

    assert_eq!(snapshot(&b, &r).await, before, "B's records are unchanged");
    assert_eq!(b.get("/api/v1/audit-logs?per_page=1").await.1["total"], audit_before, "no audit rows were written in B");
    assert_eq!(gz_agent.get("/api/v1/notifications/unread-count").await.1["count"], 1, "B's notification is still unread");
}

#[tokio::test]
async fn an_explicit_project_list_limits_projects_within_the_company() {
    let app = TestApp::demo().await;
    let admin = app.login("admin").await;
    let (_, projects) = admin.get("/api/v1/projects").await;
    let cuihu = id_where(&projects, "code", "CHSZ");
    let junlin = id_where(&projects, "code", "JLTX");
    let agent = app.login("agent").await;
    assert_eq!(agent.get(&format!("/api/v1/projects/{cuihu}")).await.0, StatusCode::NOT_FOUND);
    assert_eq!(agent.get(&format!("/api/v1/projects/{junlin}")).await.0, StatusCode::OK);
    let (_, mine) = agent.get("/api/v1/projects").await;
    assert_eq!(mine["total"], 2);
    let (_, me) = agent.get("/api/v1/me").await;
    assert_eq!(me["project_ids"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn permissions_are_enforced_on_the_server() {
    let app = TestApp::demo().await;
    let engineer = app.login("engineer").await;
    assert_eq!(engineer.get("/api/v1/users").await.0, StatusCode::FORBIDDEN);
    assert_eq!(engineer.post("/api/v1/roles", json!({"name": "x"})).await.0, StatusCode::FORBIDDEN);
    assert_eq!(engineer.page("/system/users").await.0, StatusCode::FORBIDDEN);
    let (_, html) = engineer.page("/").await;
    assert!(!html.contains("href=\"/system/users\""), "menus hide what the role cannot open");
    assert!(!html.contains(">系统<"), "the system module is hidden from engineers");
}

#[tokio::test]
async fn another_companys_work_order_photos_are_not_found() {
    use crate::photo::{part, public_order, upload, PNG};
    let app = TestApp::demo().await;
    let agent = app.login("agent").await;
    let o = public_order(&agent).await;
    let (_, list) = upload(&agent, &o["id"], vec![part("漏水.png", PNG.to_vec(), "image/png")]).await;
    let photo = &list["items"][0]["id"];
    let gz = app.login("gz_agent").await;
    for path in [format!("/api/v1/work-order-photos/{photo}"), format!("/api/v1/work-orders/{}/photos", o["id"])] {
        assert_eq!(gz.get(&path).await.0, StatusCode::NOT_FOUND, "GET {path}");
    }
    for path in [format!("/workorders/photos/{photo}"), format!("/workorders/{}", o["id"])] {
        assert_eq!(gz.page(&path).await.0, StatusCode::NOT_FOUND, "page {path}");
    }
    let (status, _) = upload(&gz, &o["id"], vec![part("入侵.png", PNG.to_vec(), "image/png")]).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "API upload");
    let form = reqwest::multipart::Form::new().part("photos", part("入侵.png", PNG.to_vec(), "image/png"));
    let r = gz.client.post(format!("{}/workorders/{}/photos?_csrf={}", gz.base, o["id"], gz.csrf)).multipart(form).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND, "page upload");
    assert_eq!(agent.get(&format!("/api/v1/work-orders/{}/photos", o["id"])).await.1["total"], 1, "nothing was added");
}
