//! Property records (PRP-1…3): buildings, rooms, batch generation.

use reqwest::StatusCode;
use serde_json::json;

use crate::harness::{id_where, TestApp};

async fn building(s: &crate::harness::Session, project_code: &str, code: &str) -> i64 {
    let (_, projects) = s.get("/api/v1/projects").await;
    let project = id_where(&projects, "code", project_code);
    let (status, b) = s.post("/api/v1/buildings", json!({"project_id": project, "code": code, "floors_above": 18})).await;
    assert_eq!(status, StatusCode::OK, "{b}");
    b["id"].as_i64().unwrap()
}

fn batch(building: i64) -> serde_json::Value {
    json!({
        "building_id": building, "units": "1,2", "floor_from": 1, "floor_to": 15, "rooms_per_floor": 4,
        "skip_floors": "4，13、14", "pattern": "{building}-{unit}-{floor:02}{no:02}",
        "building_area": "89.25", "inner_area": "72.10", "room_type": "residential", "status": "unsold", "delivery_date": "2025-06-30"
    })
}

#[tokio::test]
async fn batch_generation_previews_commits_once_and_refuses_duplicates() {
    let app = TestApp::demo().await;
    let s = app.login("manager").await;
    let b = building(&s, "JLTX", "C3").await;
    let (status, plan) = s.post("/api/v1/rooms/batch/preview", batch(b)).await;
    assert_eq!(status, StatusCode::OK, "{plan}");
    assert_eq!(plan["rooms"].as_array().unwrap().len(), 2 * 12 * 4);
    assert_eq!(plan["rooms"][0]["code"], "C3-1-0101");
    assert_eq!(plan["existing"].as_array().unwrap().len(), 0);
    let (_, rooms) = s.get(&format!("/api/v1/rooms?building_id={b}")).await;
    assert_eq!(rooms["total"], 0, "a preview writes nothing");

    let (status, created) = s.post("/api/v1/rooms/batch", batch(b)).await;
    assert_eq!(status, StatusCode::OK, "{created}");
    assert_eq!(created["created"], 96);
    let (_, rooms) = s.get(&format!("/api/v1/rooms?building_id={b}&q=C3-2-15&sort=code")).await;
    assert_eq!(rooms["total"], 4);
    assert_eq!(rooms["items"][0]["building_area_text"], "89.25");
    assert_eq!(rooms["items"][0]["unit"], "2");
    let (_, skipped) = s.get(&format!("/api/v1/rooms?building_id={b}&q=-04")).await;
    assert!(skipped["items"].as_array().unwrap().iter().all(|r| r["floor"] != 4), "floor 4 skipped");

    let mut overlapping = batch(b);
    overlapping["floor_from"] = json!(15);
    overlapping["floor_to"] = json!(16);
    let (_, plan) = s.post("/api/v1/rooms/batch/preview", overlapping.clone()).await;
    assert_eq!(plan["existing"].as_array().unwrap().len(), 8);
    let (status, body) = s.post("/api/v1/rooms/batch", overlapping).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body["error"]["fields"]["pattern"].as_str().unwrap().contains("已存在"), "{body}");
    let (_, rooms) = s.get(&format!("/api/v1/rooms?building_id={b}")).await;
    assert_eq!(rooms["total"], 96, "nothing partial: floor 16 was not created either");

    let (_, audit) = s.get(&format!("/api/v1/audit-logs?entity=building&entity_id={b}&action=create")).await;
    assert_eq!(audit["total"], 2, "the building and its batch are audited");
    app.assert_visit_and_room_counts_kept().await;
}

#[tokio::test]
async fn bad_batches_and_rooms_are_refused_beside_the_field() {
    let app = TestApp::demo().await;
    let s = app.login("manager").await;
    let b = building(&s, "JLTX", "D1").await;
    let mut bad = batch(b);
    bad["pattern"] = json!("{building}-{floor:02}{no:02}");
    let (status, body) = s.post("/api/v1/rooms/batch/preview", bad).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body["error"]["fields"]["pattern"].as_str().unwrap().contains("{unit}"));
    let mut bad = batch(b);
    bad["floor_from"] = json!(9);
    bad["floor_to"] = json!(3);
    bad["building_area"] = json!("89.255");
    let (_, body) = s.post("/api/v1/rooms/batch/preview", bad).await;
    assert!(body["error"]["fields"]["building_area"].is_string(), "{body}");

    let (status, body) = s
        .post(
            "/api/v1/rooms",
            json!({"building_id": b, "code": "", "floor": null, "building_area": "abc", "room_type": "castle", "status": "unsold"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let f = &body["error"]["fields"];
    assert_eq!(f["code"], "请填写房间代码");
    assert_eq!(f["floor"], "请填写楼层");
    assert!(f["building_area"].is_string() && f["room_type"].is_string());
    let (status, room) = s.post("/api/v1/rooms", json!({"building_id": b, "code": "Ｄ１－０１０１ ", "floor": 1, "building_area": "100", "inner_area": "80.5", "room_type": "shop", "status": "vacant"})).await;
    assert_eq!(status, StatusCode::OK, "{room}");
    assert_eq!(room["code"], "D1-0101", "full-width input is normalised");
    let (status, body) =
        s.post("/api/v1/rooms", json!({"building_id": b, "code": "D1-0101", "floor": 1, "room_type": "shop", "status": "vacant"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["error"]["fields"]["code"], "本项目已有房间代码 D1-0101");
    let (status, dup) = s.post("/api/v1/buildings", json!({"project_id": room["project_id"], "code": "D1"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{dup}");
    app.assert_visit_and_room_counts_kept().await;
}

#[tokio::test]
async fn the_batch_page_previews_then_generates() {
    let app = TestApp::demo().await;
    let s = app.login("manager").await;
    let b = building(&s, "JLHT", "E2").await;
    let path = format!("/property/buildings/{b}/generate");
    let fields = [
        ("units", "1"),
        ("floor_from", "1"),
        ("floor_to", "6"),
        ("rooms_per_floor", "2"),
        ("skip_floors", "4"),
        ("pattern", "{building}-{floor:02}{no:02}"),
        ("room_type", "residential"),
        ("status", "unsold"),
        ("building_area", "95.5"),
    ];
    let (status, html) = s.form(&path, &fields).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("预览：共 10 间") && html.contains("E2-0101") && html.contains("确认生成 10 间房"), "preview shown");
    let mut commit = fields.to_vec();
    commit.push(("action", "commit"));
    let (status, _) = s.form(&path, &commit).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, html) = s.page("/property/rooms?q=E2-06").await;
    assert!(html.contains("E2-0601") && html.contains("95.50"));
    let (status, html) = s.form(&path, &commit).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "re-running the same range is refused");
    assert!(html.contains("已存在") && html.contains("value=\"{building}-{floor:02}{no:02}\""), "message beside the field, input kept");
}
