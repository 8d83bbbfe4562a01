//! Work orders beyond the lifecycle: the caller picker, double submission,
//! SLA targets per category × priority, the three clocks, warranty, what an
//! engineer may see, the overdue list.

use std::collections::BTreeSet;

use chrono::{DateTime, Duration, Utc};
use reqwest::StatusCode;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, EntityTrait};
use serde_json::{json, Value};

use crate::harness::{id_where, Session, TestApp};

/// A room of 君林天下 delivered on `delivery` with an owner whose phone ends in 7777.
async fn owned_room(s: &Session, code: &str, delivery: &str) -> (i64, i64) {
    let (_, projects) = s.get("/api/v1/projects").await;
    let project = projects["items"].as_array().unwrap().iter().find(|p| p["code"] == "JLTX").unwrap().clone();
    let (_, b) = s.post("/api/v1/buildings", json!({"project_id": project["id"], "code": format!("B{code}")})).await;
    let room = json!({"building_id": b["id"], "code": code, "floor": 1, "room_type": "residential", "status": "vacant", "delivery_date": delivery});
    let (status, r) = s.post("/api/v1/rooms", room).await;
    assert_eq!(status, StatusCode::OK, "{r}");
    let owner = json!({"org_unit_id": project["org_unit_id"], "code": code, "name": "佟湘玉", "phones": ["13912347777"]});
    let (_, c) = s.post("/api/v1/customers", owner).await;
    let (status, h) = s.post("/api/v1/handovers", json!({"room_id": r["id"], "customer_id": c["id"], "date": "2026-01-01"})).await;
    assert_eq!(status, StatusCode::OK, "{h}");
    (r["id"].as_i64().unwrap(), c["id"].as_i64().unwrap())
}

fn at(v: &Value) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(v.as_str().unwrap_or_else(|| panic!("not a time: {v}"))).unwrap().with_timezone(&Utc)
}

async fn act(s: &Session, o: &Value, action: &str, extra: Value) -> (StatusCode, Value) {
    let mut body = json!({"version": o["version"], "action": action});
    body.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
    s.post(&format!("/api/v1/work-orders/{}/actions", o["id"]), body).await
}

#[tokio::test]
async fn the_picker_finds_the_caller_by_phone_suffix_and_the_form_keeps_what_was_typed() {
    let app = TestApp::demo().await;
    let manager = app.login("manager").await;
    let (room, customer) = owned_room(&manager, "P1-0101", "2026-01-01").await;
    let agent = app.login("agent").await;
    let (status, found) = agent.get("/api/v1/work-orders/lookup?q=7777").await;
    assert_eq!(status, StatusCode::OK);
    let c = &found["items"][0];
    assert_eq!((c["room_id"].as_i64(), c["customer_id"].as_i64()), (Some(room), Some(customer)), "{found}");
    assert_eq!(c["phone"], "13912347777");
    assert_eq!(c["text"], "P1-0101 佟湘玉（业主）");
    let gz = app.login("gz_agent").await;
    let (_, none) = gz.get("/api/v1/work-orders/lookup?q=7777").await;
    assert_eq!(none["total"], 0, "another company's customers are not offered");

    // A form without a picked room comes back with the message at the picker and the text kept.
    let (status, html) = agent
        .form(
            "/workorders/new",
            &[("picked", "P1-0101"), ("category", "水电"), ("priority", "normal"), ("kind", "internal"), ("description", "卫生间地漏返水")],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("请选择房间，或选择项目并填写公共区域") && html.contains("卫生间地漏返水"), "{html}");
    let (status, _) = agent
        .form(
            "/workorders/new",
            &[
                ("picked", "P1-0101 佟湘玉（业主）"),
                ("room_id", &room.to_string()),
                ("customer_id", &customer.to_string()),
                ("category", "水电"),
                ("priority", "normal"),
                ("kind", "internal"),
                ("requested_items", "水龙头漏水"),
                ("requested_items", "不存在的常用语"),
                ("appointment_at", "2026-12-02T14:30"),
                ("description", "厨房水龙头漏水"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "requested items come from the preset phrases");
    let (status, o) = agent
        .post(
            "/api/v1/work-orders",
            json!({"room_id": room, "category": "水电", "kind": "internal", "priority": "normal", "description": "厨房水龙头漏水",
                   "requested_items": ["水龙头漏水", "下水道堵塞"], "appointment_at": "2026-12-02 14:30"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{o}");
    assert_eq!(o["requested_items"], "水龙头漏水、下水道堵塞");
    assert_eq!(at(&o["appointment_at"]), DateTime::parse_from_rfc3339("2026-12-02T14:30:00+08:00").unwrap().with_timezone(&Utc));
    assert_eq!(o["customer_id"].as_i64(), Some(customer), "the room's billing party by default");
}

#[tokio::test]
async fn a_double_submitted_create_makes_one_order() {
    let app = TestApp::demo().await;
    let manager = app.login("manager").await;
    let (room, _) = owned_room(&manager, "P2-0101", "2026-01-01").await;
    let agent = app.login("agent").await;
    let body = json!({"room_id": room, "category": "门窗", "kind": "internal", "priority": "normal", "description": "入户门关不上", "request_token": "form-7f3a"});
    let (a, b) = tokio::join!(agent.post("/api/v1/work-orders", body.clone()), agent.post("/api/v1/work-orders", body.clone()));
    assert_eq!((a.0, b.0), (StatusCode::OK, StatusCode::OK), "{} {}", a.1, b.1);
    assert_eq!(a.1["id"], b.1["id"], "both submissions answer with the same order");
    let (_, again) = agent.post("/api/v1/work-orders", body).await;
    assert_eq!(again["id"], a.1["id"]);
    let (_, list) = agent.get("/api/v1/work-orders?q=入户门").await;
    assert_eq!(list["total"], 1);
    // The same token from another user is another order.
    let (_, other) = manager
        .post(
            "/api/v1/work-orders",
            json!({"room_id": room, "category": "门窗", "kind": "internal", "priority": "normal", "description": "入户门关不上", "request_token": "form-7f3a"}),
        )
        .await;
    assert_ne!(other["id"], a.1["id"]);
}

#[tokio::test]
async fn creates_at_once_are_written_together_and_each_keeps_its_own_number_timeline_and_audit() {
    let app = TestApp::demo().await;
    let manager = app.login("manager").await;
    let (room, _) = owned_room(&manager, "P4-0101", "2026-01-01").await;
    let agent = app.login("agent").await;
    let body = |token: &str| json!({"room_id": room, "category": "水电", "kind": "internal", "priority": "normal", "description": "阳台地漏反水", "request_token": token});
    let (status, first) = agent.post("/api/v1/work-orders", body("burst-first")).await;
    assert_eq!(status, StatusCode::OK, "{first}");
    // A settings change empties every process's cached settings, so each
    // create of the burst loads them: more at once than the pool has
    // connections, none may hold one while it waits for another.
    let (status, item) = manager.post("/api/v1/dictionaries", json!({"dict_type": "channel", "label": "小程序"})).await;
    assert_eq!(status, StatusCode::OK, "{item}");
    // The day's numbering counter held by another transaction (on SQLite the
    // writer itself), so that the burst queues up behind it and forms groups.
    let day = Utc::now().with_timezone(&app::clock::zone()).date_naive();
    let held = app.db.begin().await.unwrap();
    app::settings::next_number(&*held, first["company_id"].as_i64().unwrap() as i32, "work_order", day).await.unwrap();
    // 24 at once; one of them repeats the first order's token, which fails
    // the group it lands in: the others must still be written, alone.
    let mut burst = tokio::task::JoinSet::new();
    for i in 0..24 {
        let (s, token) = (agent.clone(), if i == 12 { "burst-first".to_string() } else { format!("burst-{i}") });
        let body = body(&token);
        burst.spawn(async move { (i, s.post("/api/v1/work-orders", body).await) });
    }
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    held.rollback().await.unwrap();
    let mut created = Vec::new();
    while let Some(done) = burst.join_next().await {
        let (i, (status, o)) = done.unwrap();
        assert_eq!(status, StatusCode::OK, "{o}");
        if i == 12 {
            assert_eq!(o["id"], first["id"], "a repeated token answers with the first order");
        } else {
            created.push(o);
        }
    }
    let ids: BTreeSet<i64> = created.iter().map(|o| o["id"].as_i64().unwrap()).collect();
    assert_eq!(ids.len(), 23);
    // Numbers: the 24 orders took 24 consecutive numbers of the day, none twice.
    let seq = |o: &Value| o["number"].as_str().unwrap().rsplit('-').next().unwrap().parse::<i64>().unwrap();
    let mut numbers: Vec<i64> = created.iter().map(seq).chain([seq(&first)]).collect();
    numbers.sort_unstable();
    assert_eq!(numbers, (numbers[0]..numbers[0] + 24).collect::<Vec<_>>());
    for o in &created {
        let (_, read) = agent.get(&format!("/api/v1/work-orders/{}", o["id"])).await;
        assert_eq!(read["number"], o["number"]);
        assert_eq!(read["events"].as_array().unwrap().len(), 1, "{read}");
        assert_eq!(
            (read["events"][0]["action"].as_str(), read["events"][0]["user_name"].as_str()),
            (Some("create"), o["events"][0]["user_name"].as_str())
        );
    }
    let admin = app.login("admin").await;
    let (_, audit) = admin.get("/api/v1/audit-logs?entity=work_order&action=create&per_page=100").await;
    let audited: Vec<i64> = audit["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["entity_id"].as_str()?.parse().ok())
        .filter(|id| ids.contains(id))
        .collect();
    assert_eq!(audited.len(), 23, "one audit row per order: {audit}");
    // Orders committed in one group share their first event's time: fewer
    // distinct times than orders shows that groups formed (and were written
    // right, by the checks above).
    let times: BTreeSet<&str> = created.iter().map(|o| o["events"][0]["at"].as_str().unwrap()).collect();
    assert!(times.len() < created.len(), "every create was committed alone");
}

#[tokio::test]
async fn an_upgrade_fills_the_derived_columns_as_the_writes_keep_them() {
    use app::entity::work_order;
    use sea_orm_migration::MigratorTrait;
    let app = TestApp::demo().await;
    let manager = app.login("manager").await;
    let (room, _) = owned_room(&manager, "P5-0101", "2026-01-01").await;
    let order = json!({"room_id": room, "category": "水电", "kind": "internal", "priority": "normal", "description": "厨房插座没电"});
    let (_, open) = manager.post("/api/v1/work-orders", order.clone()).await;
    let (_, voided) = manager.post("/api/v1/work-orders", order.clone()).await;
    let (_, done) = manager.post("/api/v1/work-orders", order).await;
    let (status, v) = act(&manager, &voided, "void", json!({"note": "重复报修"})).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    let (_, users) = manager.get("/api/v1/users?q=engineer").await;
    let engineer = id_where(&users, "username", "engineer");
    let eng = app.login("engineer").await;
    let mut started = Vec::new();
    for o in [&open, &done] {
        let (status, dispatched) = act(&manager, o, "dispatch", json!({"assignee_id": engineer})).await;
        assert_eq!(status, StatusCode::OK, "{dispatched}");
        let (status, o) = act(&eng, &dispatched, "start", json!({})).await;
        assert_eq!(status, StatusCode::OK, "{o}");
        assert_eq!(o["next_due"], o["complete_due"], "responded and on site: completion is what breaches next");
        started.push(o);
    }
    let (status, done) = act(&eng, &started[1], "complete", json!({"result": "更换插座"})).await;
    assert_eq!(status, StatusCode::OK, "{done}");
    let handled = |o: &Value| {
        let at = |k: &str| DateTime::parse_from_rfc3339(o[k].as_str().unwrap()).unwrap();
        (at("completed_at") - at("created_at")).num_seconds()
    };
    assert_eq!(done["handling_seconds"], handled(&done), "set when completed");
    assert_eq!(done["next_due"], Value::Null, "and no longer due");
    let (status, accepted) = act(&manager, &done, "customer_accept", json!({})).await;
    assert_eq!(status, StatusCode::OK, "{accepted}");
    let accepting = accepted["events"].as_array().unwrap().iter().find(|e| e["action"] == "customer_accept").expect("on the timeline");
    let at = |v: &Value| DateTime::parse_from_rfc3339(v.as_str().unwrap()).unwrap();
    assert_eq!(at(&accepted["accepted_at"]), at(&accepting["at"]), "the acceptance's time, as on the timeline");
    let derived = || async {
        type Derived = (i32, String, Option<DateTime<Utc>>, Option<DateTime<Utc>>, Option<i64>, Option<DateTime<Utc>>);
        let mut rows: Vec<Derived> = work_order::Entity::find()
            .all(&app.db.conn)
            .await
            .unwrap()
            .into_iter()
            .map(|o| (o.id, o.state, o.next_due, o.completed_at, o.handling_seconds, o.accepted_at))
            .collect();
        rows.sort();
        rows
    };
    let written = derived().await;
    let open = ["pending_dispatch", "dispatched", "taken", "in_progress", "waiting_customer"];
    assert!(written.iter().any(|(_, s, d, ..)| open.contains(&s.as_str()) && d.is_some()), "open orders have one: {written:?}");
    assert!(
        written.iter().filter(|(_, s, ..)| !open.contains(&s.as_str())).all(|(_, _, d, ..)| d.is_none()),
        "the others do not: {written:?}"
    );
    assert!(written.iter().any(|(.., c, h, _)| c.is_some() && h.is_some()), "the demo's completed orders have a handling time too");
    assert!(written.iter().all(|(.., c, h, _)| c.is_some() == h.is_some()), "only they have one: {written:?}");
    let accepted_ever = ["accepted", "visited", "closed"];
    assert!(
        written.iter().all(|(_, s, .., a)| a.is_some() == accepted_ever.contains(&s.as_str())),
        "the orders the customer accepted, and only they, have the acceptance's time: {written:?}"
    );
    // The migrations take the columns away and compute them again, on one
    // connection: a pooled SQLite connection that last read the table before
    // another dropped a column can still see the column when asked to add it.
    let txn = sea_orm::TransactionTrait::begin(&app.db.conn).await.unwrap();
    let all = app::migration::Migrator::migrations();
    let next_due = all.iter().position(|m| m.name() == "m20261202_000016_order_next_due").unwrap();
    app::migration::Migrator::down(&txn, Some((all.len() - next_due) as u32)).await.unwrap();
    app::migration::Migrator::up(&txn, None).await.unwrap();
    txn.commit().await.unwrap();
    assert_eq!(derived().await, written);
}

#[tokio::test]
async fn targets_per_category_and_priority_set_the_three_clocks() {
    let app = TestApp::demo().await;
    let manager = app.login("manager").await;
    let (room, _) = owned_room(&manager, "P3-0101", "2026-01-01").await;
    let (status, lines) = manager.get("/api/v1/sla-targets").await;
    assert_eq!(status, StatusCode::OK);
    let line = |lines: &Value, cat: &str, pri: &str| {
        lines.as_array().unwrap().iter().find(|l| l["category"] == cat && l["priority"] == pri).unwrap().clone()
    };
    let e = line(&lines, "水电", "emergency");
    assert_eq!(
        (e["response_minutes"].as_i64(), e["onsite_minutes"].as_i64(), e["round_the_clock"].as_bool()),
        (Some(15), Some(30), Some(true))
    );
    assert!(e["id"].is_null(), "the default until set");
    assert_eq!(line(&lines, "清洁", "normal")["complete_minutes"], 450, "cleaning is done within one working day by default");

    let bad =
        json!({"category": "清洁", "priority": "emergency", "response_minutes": "60", "onsite_minutes": "20", "complete_minutes": "120"});
    let (status, err) = manager.put("/api/v1/sla-targets", bad).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{err}");
    assert!(err["error"]["fields"]["onsite_minutes"].as_str().unwrap().contains("响应时限 ≤ 到场时限"));
    let good = json!({"category": "清洁", "priority": "emergency", "response_minutes": "10", "onsite_minutes": "20", "complete_minutes": "120", "round_the_clock": true});
    let (status, lines) = manager.put("/api/v1/sla-targets", good.clone()).await;
    assert_eq!(status, StatusCode::OK, "{lines}");
    let set = line(&lines, "清洁", "emergency");
    assert_eq!((set["onsite_minutes"].as_i64(), set["version"].as_i64()), (Some(20), Some(1)));
    let (status, _) = manager.put("/api/v1/sla-targets", good).await;
    assert_eq!(status, StatusCode::CONFLICT, "changing the company's row needs the version read");
    let agent = app.login("agent").await;
    let (status, _) = agent
        .put(
            "/api/v1/sla-targets",
            json!({"category": "清洁", "priority": "normal", "response_minutes": "1", "onsite_minutes": "2", "complete_minutes": "3"}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let (_, o) = agent
        .post(
            "/api/v1/work-orders",
            json!({"room_id": room, "category": "清洁", "kind": "internal", "priority": "emergency", "description": "楼道有碎玻璃"}),
        )
        .await;
    let created = at(&o["created_at"]);
    assert_eq!(at(&o["response_due"]) - created, Duration::minutes(10));
    assert_eq!(at(&o["onsite_due"]) - created, Duration::minutes(20));
    assert!(at(&o["complete_due"]) - created >= Duration::minutes(120), "completion counts working time");

    // 接单 meets the response clock, 到场处理 the on-site one.
    let (_, users) = manager.get("/api/v1/users?q=engineer").await;
    let engineer = id_where(&users, "username", "engineer");
    let (_, o) = act(&agent, &o, "dispatch", json!({"assignee_id": engineer})).await;
    let eng = app.login("engineer").await;
    let (status, o) = act(&eng, &o, "take", json!({})).await;
    assert_eq!((status, o["state"].as_str()), (StatusCode::OK, Some("taken")), "{o}");
    assert!(o["responded_at"].is_string() && o["arrived_at"].is_null());
    let (_, o) = act(&eng, &o, "start", json!({})).await;
    assert!(o["arrived_at"].is_string());
    assert_eq!(o["state"], "in_progress");
}

#[tokio::test]
async fn warranty_follows_the_delivery_date_and_the_trade() {
    let app = TestApp::demo().await;
    let manager = app.login("manager").await;
    let (new_room, _) = owned_room(&manager, "P4-0101", "2026-03-01").await;
    let (old_room, _) = owned_room(&manager, "P4-0102", "2020-03-01").await;
    let (status, _) = manager.put("/api/v1/warranty-periods", json!({"category": "水电", "months": "24", "contractor": "中建三局"})).await;
    assert_eq!(status, StatusCode::OK);
    let (status, err) = manager.put("/api/v1/warranty-periods", json!({"category": "门窗", "months": "-1"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(err["error"]["fields"]["months"].is_string());
    let order = |room: i64, category: &str| json!({"room_id": room, "category": category, "kind": "internal", "priority": "normal", "description": "报修"});
    let (_, o) = manager.post("/api/v1/work-orders", order(new_room, "水电")).await;
    assert_eq!((o["warranty"].as_bool(), o["contractor"].as_str()), (Some(true), Some("中建三局")), "{o}");
    let (_, o) = manager.post("/api/v1/work-orders", order(new_room, "清洁")).await;
    assert_eq!(o["warranty"], false, "cleaning has no warranty");
    let (_, o) = manager.post("/api/v1/work-orders", order(old_room, "水电")).await;
    assert_eq!(o["warranty"], false, "delivered six years ago");
    let (_, page) = manager.page(&format!("/workorders/{}", o["id"])).await;
    assert!(page.contains("服务时效") && page.contains("响应（接单）"), "the order page shows its clocks");
}

#[tokio::test]
async fn an_engineer_sees_only_the_orders_assigned_to_them_and_overdue_orders_are_listed() {
    let app = TestApp::demo().await;
    let manager = app.login("manager").await;
    let (room, _) = owned_room(&manager, "P5-0101", "2026-01-01").await;
    let agent = app.login("agent").await;
    let new = |d: &str| json!({"room_id": room, "category": "水电", "kind": "internal", "priority": "normal", "description": d});
    let (_, mine) = agent.post("/api/v1/work-orders", new("分给张伟的")).await;
    let (_, other) = agent.post("/api/v1/work-orders", new("还没派的")).await;
    let (_, users) = manager.get("/api/v1/users?q=engineer").await;
    let engineer = id_where(&users, "username", "engineer");
    let (_, mine) = act(&agent, &mine, "dispatch", json!({"assignee_id": engineer})).await;
    let eng = app.login("engineer").await;
    let (_, list) = eng.get("/api/v1/work-orders").await;
    assert_eq!(list["total"], 1, "only the assigned order: {list}");
    assert_eq!(list["items"][0]["id"], mine["id"]);
    let (status, _) = eng.get(&format!("/api/v1/work-orders/{}", other["id"])).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = eng.page(&format!("/workorders/{}", other["id"])).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let (_, overdue) = agent.get("/api/v1/work-orders?overdue=true").await;
    assert_eq!(overdue["total"], 0);
    let past = Utc::now() - Duration::hours(1);
    let row = app::entity::work_order::Entity::find_by_id(other["id"].as_i64().unwrap() as i32).one(&app.db.conn).await.unwrap().unwrap();
    let mut am: app::entity::work_order::ActiveModel = row.into();
    am.response_due = Set(Some(past));
    am.update(&app.db.conn).await.unwrap();
    let (_, overdue) = agent.get("/api/v1/work-orders?overdue=true").await;
    assert_eq!(overdue["total"], 1, "{overdue}");
    assert_eq!(overdue["items"][0]["overdue"], true);
    // The workbench counts what the lists find.
    let (_, waiting) = agent.get("/api/v1/work-orders?state=pending_dispatch").await;
    let (_, bench) = agent.get("/api/v1/workbench").await;
    let stat = |label: &str| bench["stats"].as_array().unwrap().iter().find(|s| s["label"] == label).map(|s| s["value"].clone());
    assert_eq!(stat("超时工单"), Some(json!(1)), "{bench}");
    assert_eq!(stat("待派工工单"), Some(waiting["total"].clone()), "{bench}");
    assert_eq!(bench["at_risk"][0]["id"], other["id"], "the overdue order heads the at-risk list");
    let (_, page) = agent.page("/workorders?overdue=1").await;
    assert!(page.contains("超时工单") && page.contains(other["number"].as_str().unwrap()));
}
