//! Escalation of overdue work orders (SLA-2) and the in-app inbox: the scan
//! fires each level once, to the right people, through the outbox; the
//! timeline and the audit log record it; the order's version stays; rules
//! are configurable per company; notifications are the reader's own.

use chrono::{DateTime, Duration, Utc};
use reqwest::StatusCode;
use sea_orm::{EntityTrait, QueryOrder};
use serde_json::{json, Value};

use crate::harness::{id_where, Session, TestApp};

const TZ: chrono_tz::Tz = chrono_tz::Asia::Shanghai;

/// An emergency order on a public area of 君林天下, dispatched by the agent
/// to the demo engineer (the manager looks the engineer up).
async fn dispatched_order(agent: &Session, manager: &Session) -> Value {
    let (_, projects) = agent.get("/api/v1/projects").await;
    let project = id_where(&projects, "code", "JLTX");
    let (status, o) = agent
        .post(
            "/api/v1/work-orders",
            json!({"project_id": project, "public_area": "3栋电梯厅", "category": "电梯", "kind": "internal", "priority": "emergency", "description": "电梯困人"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{o}");
    let (_, users) = manager.get("/api/v1/users?q=engineer").await;
    let engineer = id_where(&users, "username", "engineer");
    let (status, o) = agent
        .post(
            &format!("/api/v1/work-orders/{}/actions", o["id"]),
            json!({"version": o["version"], "action": "dispatch", "assignee_id": engineer}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{o}");
    o
}

fn time(o: &Value, field: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(o[field].as_str().unwrap()).unwrap().with_timezone(&Utc)
}

/// The first due time of an order: where its escalation is counted from.
fn first_due(o: &Value) -> DateTime<Utc> {
    ["response_due", "onsite_due", "complete_due"].into_iter().filter(|f| o[f].is_string()).map(|f| time(o, f)).min().unwrap()
}

async fn escalate_and_deliver(app: &TestApp, at: DateTime<Utc>) -> usize {
    let fired = app::workorder::escalation::scan(&app.db, TZ, at).await.unwrap();
    app::outbox::deliver_pending(&app.db, Utc::now()).await.unwrap();
    fired
}

fn titles(list: &Value) -> Vec<String> {
    list["items"].as_array().unwrap().iter().map(|n| n["title"].as_str().unwrap().to_string()).collect()
}

#[tokio::test]
async fn an_overdue_order_escalates_once_per_level_to_the_assignee_then_dispatchers_then_managers() {
    let app = TestApp::demo().await;
    let agent = app.login("agent").await;
    let engineer = app.login("engineer").await;
    let manager = app.login("manager").await;
    let gz = app.login("gz_agent").await;
    let o = dispatched_order(&agent, &manager).await;
    let number = o["number"].as_str().unwrap();
    let due = first_due(&o);

    assert_eq!(escalate_and_deliver(&app, due - Duration::minutes(1)).await, 0, "not overdue yet");
    assert_eq!(escalate_and_deliver(&app, due + Duration::minutes(30)).await, 1, "level 1 as soon as the target is missed");
    let (_, inbox) = engineer.get("/api/v1/notifications").await;
    assert_eq!(inbox["total"], 1, "the assignee is told: {inbox}");
    let n = &inbox["items"][0];
    assert_eq!(n["kind"], "escalation");
    assert_eq!(n["link"], format!("/workorders/{}", o["id"]));
    assert!(n["title"].as_str().unwrap().contains(number) && n["title"].as_str().unwrap().contains("第 1 级"), "{n}");
    let body = n["body"].as_str().unwrap();
    assert!(body.starts_with("君林天下 3栋电梯厅 电梯：电梯困人。响应时限 ") && body.ends_with("已超时 30 分钟。"), "{n}");
    assert!(n["read_at"].is_null());
    assert_eq!(agent.get("/api/v1/notifications").await.1["total"], 0, "level 1 is the assignee's alone");
    assert_eq!(engineer.get("/api/v1/notifications/unread-count").await.1["count"], 1);

    let (_, now) = agent.get(&format!("/api/v1/work-orders/{}", o["id"])).await;
    let escalations: Vec<&Value> = now["events"].as_array().unwrap().iter().filter(|e| e["action"] == "escalate").collect();
    assert_eq!(escalations.len(), 1);
    assert_eq!(escalations[0]["action_label"], "超时升级");
    assert_eq!(escalations[0]["user_name"], "系统");
    assert_eq!(escalations[0]["note"], "超时升级（第 1 级）：已通知 张伟");
    assert_eq!(now["escalation_level"], 1);
    assert_eq!(now["version"], o["version"], "escalating does not make an open form stale");

    assert_eq!(escalate_and_deliver(&app, due + Duration::minutes(30)).await, 0, "a second scan at the same time fires nothing");
    assert_eq!(escalate_and_deliver(&app, due + Duration::minutes(59)).await, 0);
    assert_eq!(engineer.get("/api/v1/notifications").await.1["total"], 1, "and tells nobody again");

    // The worker was away: every missed level fires at once, in order.
    assert_eq!(escalate_and_deliver(&app, due + Duration::hours(5)).await, 2);
    let (_, inbox) = agent.get("/api/v1/notifications").await;
    assert_eq!(titles(&inbox), [format!("工单 {number} 已超时（第 2 级升级）")], "the dispatch desk is told at level 2");
    let (_, inbox) = manager.get("/api/v1/notifications").await;
    let mut got = titles(&inbox);
    got.sort();
    assert_eq!(
        got,
        [format!("工单 {number} 已超时（第 2 级升级）"), format!("工单 {number} 已超时（第 3 级升级）")],
        "the manager also dispatches"
    );
    assert_eq!(gz.get("/api/v1/notifications").await.1["total"], 0, "another company's staff hear nothing");
    assert_eq!(escalate_and_deliver(&app, due + Duration::days(3)).await, 0, "nothing above level 3");

    let (_, now) = agent.get(&format!("/api/v1/work-orders/{}", o["id"])).await;
    let notes: Vec<&str> =
        now["events"].as_array().unwrap().iter().filter(|e| e["action"] == "escalate").map(|e| e["note"].as_str().unwrap()).collect();
    assert_eq!(notes.len(), 3, "{notes:?}");
    assert!(notes[1].starts_with("超时升级（第 2 级）：已通知") && notes[1].contains("李静") && notes[1].contains("王建国"), "{notes:?}");
    assert_eq!(notes[2], "超时升级（第 3 级）：已通知 王建国");
    assert_eq!(now["escalation_level"], 3);
    assert_eq!(now["version"], o["version"]);
    let (status, _) = manager
        .post(&format!("/api/v1/work-orders/{}/actions", o["id"]), json!({"version": o["version"], "action": "void", "note": "重复报修"}))
        .await;
    assert_eq!(status, StatusCode::OK, "a form read before the escalations still saves");

    let (_, html) = manager.page(&format!("/workorders/{}", o["id"])).await;
    assert!(html.contains("超时升级（第 3 级）：已通知 王建国"), "the escalations are on the timeline");
    let (_, audit) = manager.get(&format!("/api/v1/audit-logs?entity=work_order&entity_id={}", o["id"])).await;
    let system_rows: Vec<&Value> = audit["items"].as_array().unwrap().iter().filter(|a| a["user_name"] == "系统").collect();
    assert_eq!(system_rows.len(), 2, "one audit row per escalating scan: {audit}");
    assert!(system_rows.iter().any(|a| a["summary"].as_str().unwrap().contains("超时升级至第 3 级")));
}

#[tokio::test]
async fn the_inbox_is_the_readers_own() {
    let app = TestApp::demo().await;
    let agent = app.login("agent").await;
    let engineer = app.login("engineer").await;
    let manager = app.login("manager").await;
    let o = dispatched_order(&agent, &manager).await;
    escalate_and_deliver(&app, first_due(&o) + Duration::hours(5)).await;
    let (_, mine) = engineer.get("/api/v1/notifications").await;
    let id = mine["items"][0]["id"].as_i64().unwrap();

    let (_, home) = engineer.page("/").await;
    assert!(home.contains("data-inbox") && home.contains("<span class=\"badge\">1</span>"), "the bell shows one unread");
    let (status, page) = engineer.page("/inbox").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains(o["number"].as_str().unwrap()) && page.contains("未读") && page.contains("全部标为已读"));

    assert_eq!(
        agent.post(&format!("/api/v1/notifications/{id}/read"), json!({})).await.0,
        StatusCode::NOT_FOUND,
        "another user's notification"
    );
    assert_eq!(agent.form(&format!("/inbox/{id}/open"), &[]).await.0, StatusCode::NOT_FOUND);
    assert_eq!(engineer.get("/api/v1/notifications/unread-count").await.1["count"], 1, "still unread");

    let (status, _) = engineer.form(&format!("/inbox/{id}/open"), &[]).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "opening goes to the order");
    let (_, n) = engineer.post(&format!("/api/v1/notifications/{id}/read"), json!({})).await;
    assert!(n["read_at"].is_string(), "opened means read: {n}");
    assert_eq!(engineer.get("/api/v1/notifications?unread=true").await.1["total"], 0);

    let (_, before) = agent.get("/api/v1/notifications?unread=true").await;
    assert!(before["total"].as_u64().unwrap() >= 1);
    let (status, all) = agent.post("/api/v1/notifications/read-all", json!({})).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(all["count"], before["total"]);
    assert_eq!(agent.get("/api/v1/notifications/unread-count").await.1["count"], 0);
    assert_eq!(agent.get("/api/v1/notifications").await.1["total"], before["total"], "read ones stay in the inbox");
}

#[tokio::test]
async fn configured_rules_change_the_thresholds_and_are_checked() {
    let app = TestApp::demo().await;
    let manager = app.login("manager").await;
    let agent = app.login("agent").await;
    let engineer = app.login("engineer").await;
    let gz = app.login("gz_agent").await;
    let (_, units) = manager.get("/api/v1/org-units").await;
    let sz = id_where(&units, "name", "深圳安居物业服务有限公司");

    let (status, rules) = manager.get("/api/v1/escalation-rules").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!((rules["is_default"].clone(), rules["version"].clone(), rules["company_id"].clone()), (json!(true), json!(0), json!(sz)));
    let defaults: Vec<(i64, &str)> =
        rules["levels"].as_array().unwrap().iter().map(|l| (l["after_minutes"].as_i64().unwrap(), l["notify"].as_str().unwrap())).collect();
    assert_eq!(defaults, [(0, "assignee"), (60, "dispatchers"), (240, "managers")]);

    let level = |m: &str, notify: &str| json!({"after_minutes": m, "notify": notify});
    let (status, err) = manager
        .put(
            "/api/v1/escalation-rules",
            json!({"version": 0, "levels": [level("0", "assignee"), level("30", "managers"), level("30", "managers")]}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{err}");
    assert_eq!(err["error"]["fields"]["after_minutes_3"], "须晚于上一级（分钟数逐级递增）");
    let (status, err) = manager
        .put(
            "/api/v1/escalation-rules",
            json!({"version": 0, "levels": [level("x", "assignee"), level("10", "role"), level("20", "boss")]}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let f = &err["error"]["fields"];
    assert!(f["after_minutes_1"].is_string() && f["role_id_2"].is_string() && f["notify_3"].is_string(), "{err}");
    let (status, err) = manager.put("/api/v1/escalation-rules", json!({"version": 0, "levels": []})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(err["error"]["fields"]["levels"].is_string());

    let (_, roles) = manager.get("/api/v1/roles").await;
    let engineers = id_where(&roles, "name", "维修工程师");
    let (status, saved) = manager
        .put(
            "/api/v1/escalation-rules",
            json!({"version": 0, "levels": [level("10", "dispatchers"), {"after_minutes": 20, "notify": "role", "role_id": engineers}]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    assert_eq!(saved["version"], 1);
    assert_eq!(saved["is_default"], false);
    assert_eq!(saved["levels"][1]["role_name"], "维修工程师");
    assert_eq!(saved["levels"].as_array().unwrap().len(), 2, "two levels are enough");
    let (status, _) = manager.put("/api/v1/escalation-rules", json!({"version": 0, "levels": [level("5", "assignee")]})).await;
    assert_eq!(status, StatusCode::CONFLICT, "a stale version is refused");
    assert_eq!(
        agent.put("/api/v1/escalation-rules", json!({"version": 1, "levels": [level("5", "assignee")]})).await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(gz.get(&format!("/api/v1/escalation-rules?company={sz}")).await.0, StatusCode::NOT_FOUND, "another company's rules");

    let o = dispatched_order(&agent, &manager).await;
    let due = first_due(&o);
    assert_eq!(escalate_and_deliver(&app, due + Duration::minutes(9)).await, 0, "the company's first level is at 10 minutes");
    assert_eq!(escalate_and_deliver(&app, due + Duration::minutes(15)).await, 1);
    assert_eq!(agent.get("/api/v1/notifications").await.1["total"], 1, "level 1 now tells the dispatch desk");
    assert_eq!(engineer.get("/api/v1/notifications").await.1["total"], 0);
    assert_eq!(escalate_and_deliver(&app, due + Duration::minutes(25)).await, 1);
    assert_eq!(engineer.get("/api/v1/notifications").await.1["total"], 1, "level 2 tells the engineers' role");
    assert_eq!(escalate_and_deliver(&app, due + Duration::days(2)).await, 0, "no third level configured");

    // The settings page: 工单 → 升级规则.
    let (status, html) = manager.page("/workorders/escalation").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("升级规则") && html.contains("第 3 级") && html.contains("维修工程师"), "the form with the role picker");
    assert_eq!(agent.page("/workorders/escalation").await.0, StatusCode::FORBIDDEN);
    let (status, html) = manager
        .form(
            "/workorders/escalation",
            &[("version", "1"), ("after_minutes_1", "30"), ("notify_1", "assignee"), ("after_minutes_2", "15"), ("notify_2", "managers")],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("须晚于上一级") && html.contains("value=\"15\""), "the message beside the field, the input kept");
    let (status, _) = manager
        .form(
            "/workorders/escalation",
            &[("version", "1"), ("after_minutes_1", "0"), ("notify_1", "assignee"), ("after_minutes_2", "90"), ("notify_2", "managers")],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, rules) = manager.get("/api/v1/escalation-rules").await;
    assert_eq!(rules["version"], 2);
    assert_eq!(rules["levels"][1]["after_minutes"], 90);
    assert_eq!(rules["levels"].as_array().unwrap().len(), 2, "the blank third level is not used");
}

#[tokio::test]
async fn an_undeliverable_event_is_kept_with_its_error_and_retried_with_backoff() {
    use app::entity::{notification, outbox};
    let app = TestApp::empty().await;
    app::demo::bootstrap(&app.db).await.unwrap();
    let txn = app.db.begin().await.unwrap();
    app::outbox::publish(&*txn, "fax", &json!({"to": "0755-0000"})).await.unwrap();
    let notice =
        app::outbox::Notice {
            user_ids: vec![1, 1], title: "测试通知".into(), body: "内容".into(), link: "/".into(), kind: "test".into()
        };
    app::outbox::publish(&*txn, app::outbox::NOTIFY, &notice).await.unwrap();
    txn.commit().await.unwrap();

    let now = Utc::now();
    assert_eq!(app::outbox::deliver_pending(&app.db, now).await.unwrap(), 1, "a failing event does not hold up the next");
    let rows = outbox::Entity::find().order_by_asc(outbox::Column::Id).all(&app.db.conn).await.unwrap();
    let (bad, good) = (&rows[0], &rows[1]);
    assert!(good.processed_at.is_some() && good.attempts == 1);
    assert_eq!(notification::Entity::find().all(&app.db.conn).await.unwrap().len(), 1, "one inbox row per user");
    assert_eq!(bad.attempts, 1);
    assert_eq!(bad.last_error.as_deref(), Some("未知的事件主题：fax"));
    assert!(bad.processed_at.is_none(), "an unknown topic is never dropped silently");
    let wait = bad.next_attempt_at.expect("a time to try again") - now;
    assert!((wait - Duration::seconds(30)).num_milliseconds().abs() < 1000, "tried again in 30 s: {wait}");

    assert_eq!(app::outbox::deliver_pending(&app.db, now + Duration::seconds(10)).await.unwrap(), 0);
    let attempts = || async { outbox::Entity::find_by_id(bad.id).one(&app.db.conn).await.unwrap().unwrap().attempts };
    assert_eq!(attempts().await, 1, "not retried before its backoff");
    app::outbox::deliver_pending(&app.db, now + Duration::seconds(31)).await.unwrap();
    assert_eq!(attempts().await, 2);
    for hour in 1..=20 {
        app::outbox::deliver_pending(&app.db, now + Duration::hours(hour)).await.unwrap();
    }
    let bad = outbox::Entity::find_by_id(bad.id).one(&app.db.conn).await.unwrap().unwrap();
    assert_eq!(bad.attempts, app::outbox::MAX_ATTEMPTS, "given up after the last attempt");
    assert!(bad.processed_at.is_none() && bad.last_error.is_some(), "and still there to see");
    assert_eq!(notification::Entity::find().all(&app.db.conn).await.unwrap().len(), 1, "the delivered one is never delivered twice");
}

/// More overdue orders than one page of the scan, all due at the same
/// instant: the scan pages by due time and id, so each is escalated once.
#[tokio::test]
async fn a_scan_pages_through_every_overdue_order_even_when_they_are_due_together() {
    use app::entity::work_order;
    use sea_orm::{ActiveValue::NotSet, ColumnTrait, IntoActiveModel, QueryFilter};
    let app = TestApp::demo().await;
    let agent = app.login("agent").await;
    let manager = app.login("manager").await;
    let o = dispatched_order(&agent, &manager).await;
    let model = work_order::Entity::find_by_id(o["id"].as_i64().unwrap() as i32).one(&app.db.conn).await.unwrap().unwrap();
    let copies = (1..=450).map(|i| {
        let mut am = model.clone().into_active_model();
        am.id = NotSet;
        am.number = sea_orm::ActiveValue::Set(format!("{}-{i:03}", model.number));
        am.request_token = sea_orm::ActiveValue::Set(None);
        am
    });
    work_order::Entity::insert_many(copies).exec(&app.db.conn).await.unwrap();
    let ours = || async {
        work_order::Entity::find().filter(work_order::Column::Number.starts_with(&model.number)).all(&app.db.conn).await.unwrap()
    };
    assert_eq!(ours().await.len(), 451);
    escalate_and_deliver(&app, first_due(&o) + Duration::minutes(30)).await;
    let levels: Vec<i32> = ours().await.into_iter().map(|o| o.escalation_level).collect();
    assert!(levels.iter().all(|l| *l == 1), "every one escalated once: {levels:?}");
}
