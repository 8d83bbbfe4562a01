//! Dictionaries, numbering and the calendar (SYS-7).

use std::collections::BTreeSet;

use reqwest::StatusCode;
use serde_json::json;

use crate::harness::{id_where, TestApp};

#[tokio::test]
async fn numbers_are_sequential_per_period_and_never_shared() {
    let app = TestApp::demo().await;
    let s = app.login("admin").await;
    let (_, units) = s.get("/api/v1/org-units").await;
    let sz = id_where(&units, "name", "深圳安居物业服务有限公司") as i32;
    let day = chrono::NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
    let mut tasks = vec![];
    for _ in 0..20 {
        let db = app.db.clone();
        tasks.push(tokio::spawn(async move {
            let txn = db.begin().await.unwrap();
            let n = app::settings::next_number(&*txn, sz, "work_order", day).await.unwrap();
            txn.commit().await.unwrap();
            n
        }));
    }
    let mut numbers = BTreeSet::new();
    for t in tasks {
        numbers.insert(t.await.unwrap());
    }
    assert_eq!(numbers.len(), 20, "no duplicates under concurrency");
    assert!(numbers.contains("WO-20261122-0001") && numbers.contains("WO-20261122-0020"));
    let txn = app.db.begin().await.unwrap();
    let next_day = app::settings::next_number(&*txn, sz, "work_order", day.succ_opt().unwrap()).await.unwrap();
    txn.commit().await.unwrap();
    assert_eq!(next_day, "WO-20261123-0001", "a daily rule restarts each day");

    let (_, rules) = s.get(&format!("/api/v1/numbering-rules?company={sz}")).await;
    let rule = rules["items"].as_array().unwrap().iter().find(|r| r["doc_type"] == "work_order").unwrap().clone();
    let (status, body) = s
        .put(
            &format!("/api/v1/numbering-rules/{}", rule["id"]),
            json!({"version": rule["version"], "prefix": "工单", "reset": "daily", "width": 2}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body["error"]["fields"]["prefix"].is_string() && body["error"]["fields"]["width"].is_string());
}

#[tokio::test]
async fn dictionaries_calendar_and_holidays_validate() {
    let app = TestApp::demo().await;
    let s = app.login("manager").await;
    let (status, body) = s.post("/api/v1/dictionaries", json!({"dict_type": "channel", "label": "电话"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["error"]["fields"]["label"], "该类别下已存在“电话”");
    let (status, item) = s.post("/api/v1/dictionaries", json!({"dict_type": "channel", "label": "小程序", "sort_order": 8})).await;
    assert_eq!(status, StatusCode::OK);
    let (status, item) = s
        .put(&format!("/api/v1/dictionaries/{}", item["id"]), json!({"version": item["version"], "label": "微信小程序", "enabled": false}))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(item["enabled"], false);

    let (_, cal) = s.get("/api/v1/calendar").await;
    let (status, body) = s
        .put(
            "/api/v1/calendar",
            json!({"version": cal["version"], "work_days": [], "work_start": "18:00", "work_end": "09:00", "lunch_start": "12:00"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields = &body["error"]["fields"];
    assert_eq!(fields["work_days"], "请至少选择一个工作日");
    assert_eq!(fields["work_end"], "下班时间须晚于上班时间");
    assert!(fields["lunch_start"].is_string());
    let (status, saved) = s.put("/api/v1/calendar", json!({"version": cal["version"], "work_days": ["1","2","3","4","5","6"], "work_start": "08:30", "work_end": "17:30", "lunch_start": "12:00", "lunch_end": "13:00"})).await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    assert_eq!(saved["work_days"], "123456");

    let (status, body) = s.post("/api/v1/holidays", json!({"day": "2026-10-01", "kind": "holiday", "name": "重复"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body["error"]["fields"]["day"].as_str().unwrap().contains("已设置过"));
    let (status, _) = s.post("/api/v1/holidays", json!({"day": "2027-01-01", "kind": "holiday", "name": "元旦"})).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn announcements_reach_the_units_they_target_within_their_window() {
    let app = TestApp::demo().await;
    let admin = app.login("admin").await;
    let (_, units) = admin.get("/api/v1/org-units").await;
    let gz = id_where(&units, "name", "广州安居物业服务有限公司");
    let (_, ann) =
        admin.post("/api/v1/announcements", json!({"title": "广州台风预警", "body": "请做好防风", "target_unit_ids": [gz]})).await;
    let (status, _) = admin.post(&format!("/api/v1/announcements/{}/withdraw", ann["id"]), json!({"version": ann["version"]})).await;
    assert_eq!(status, StatusCode::CONFLICT, "a draft cannot be withdrawn");
    admin.post(&format!("/api/v1/announcements/{}/publish", ann["id"]), json!({"version": ann["version"]})).await;
    let gz_agent = app.login("gz_agent").await;
    let sz_agent = app.login("agent").await;
    assert!(gz_agent.get("/api/v1/announcements/mine").await.1.to_string().contains("广州台风预警"));
    assert!(!sz_agent.get("/api/v1/announcements/mine").await.1.to_string().contains("广州台风预警"));
    let (_, html) = gz_agent.page("/").await;
    assert!(html.contains("广州台风预警") && html.contains("管家系统正式上线"));

    let (status, body) = admin.post("/api/v1/announcements", json!({"title": "过期", "body": "x", "target_unit_ids": [gz], "publish_from": "2026-01-02T00:00:00Z", "publish_to": "2026-01-01T00:00:00Z"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["error"]["fields"]["publish_to"], "结束时间须晚于开始时间");
}
