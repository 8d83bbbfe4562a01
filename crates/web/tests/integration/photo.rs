//! Photos of work orders: uploaded through the API and the forms, read back
//! byte for byte with the type recognised from the bytes, stored once per
//! content, refused with the file named when they are not photos, too big
//! or too many.

use reqwest::{
    header,
    multipart::{Form, Part},
    StatusCode,
};
use serde_json::{json, Value};

use crate::harness::{id_where, Session, TestApp};

/// A complete 1×1 PNG (one red pixel).
pub const PNG: &[u8] = &[
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00,
    0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F, 0x15, 0xC4, 0x89, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9C, 0x63,
    0xF8, 0xCF, 0xC0, 0xF0, 0x1F, 0x00, 0x05, 0x00, 0x01, 0xFF, 0x89, 0x99, 0x3D, 0x1D, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4E, 0x44,
    0xAE, 0x42, 0x60, 0x82,
];

/// A complete baseline JPEG: 8×8 grey, one component, every coefficient
/// zero, with one-code Huffman tables.
pub fn jpeg() -> Vec<u8> {
    let mut j = vec![0xFF, 0xD8];
    j.extend([0xFF, 0xE0, 0x00, 0x10, b'J', b'F', b'I', b'F', 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00]);
    j.extend([0xFF, 0xDB, 0x00, 0x43, 0x00]);
    j.extend([1u8; 64]);
    j.extend([0xFF, 0xC0, 0x00, 0x0B, 0x08, 0x00, 0x08, 0x00, 0x08, 0x01, 0x01, 0x11, 0x00]);
    for class in [0x00, 0x10] {
        j.extend([0xFF, 0xC4, 0x00, 0x14, class, 0x01]);
        j.extend([0u8; 15]);
        j.push(0x00);
    }
    j.extend([0xFF, 0xDA, 0x00, 0x08, 0x01, 0x01, 0x00, 0x00, 0x3F, 0x00]);
    // DC difference 0 (code 0), end of block (code 0), padded with ones.
    j.push(0x3F);
    j.extend([0xFF, 0xD9]);
    j
}

/// The PNG with `n` appended after its end: another file, still a PNG.
fn png_no(n: u8) -> Vec<u8> {
    let mut p = PNG.to_vec();
    p.extend([b'#', n]);
    p
}

fn files_under(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = vec![];
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        if e.path().is_dir() {
            out.extend(files_under(&e.path()));
        } else {
            out.push(e.path());
        }
    }
    out
}

/// An order for a public area of 君林天下, created by `s`.
pub async fn public_order(s: &Session) -> Value {
    let (_, projects) = s.get("/api/v1/projects").await;
    let project = id_where(&projects, "code", "JLTX");
    let (status, o) = s
        .post(
            "/api/v1/work-orders",
            json!({"project_id": project, "public_area": "3栋电梯厅", "category": "水电", "kind": "internal", "priority": "normal", "description": "电梯厅灯不亮"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{o}");
    o
}

/// A file part as a browser or client sends it, with a claimed type the
/// server must not believe.
pub fn part(name: &str, bytes: Vec<u8>, claimed: &str) -> Part {
    Part::bytes(bytes).file_name(name.to_string()).mime_str(claimed).unwrap()
}

/// Posts files to the API upload of order `id`.
pub async fn upload(s: &Session, id: &Value, files: Vec<Part>) -> (StatusCode, Value) {
    let form = files.into_iter().fold(Form::new(), |f, p| f.part("photos", p));
    let r = s
        .client
        .post(format!("{}/api/v1/work-orders/{id}/photos", s.base))
        .header("X-CSRF-Token", &s.csrf)
        .multipart(form)
        .send()
        .await
        .unwrap();
    let status = r.status();
    (status, r.json().await.unwrap_or(Value::Null))
}

async fn bytes_of(s: &Session, path: &str) -> (StatusCode, header::HeaderMap, Vec<u8>) {
    let r = s.client.get(format!("{}{path}", s.base)).send().await.unwrap();
    (r.status(), r.headers().clone(), r.bytes().await.unwrap().to_vec())
}

#[tokio::test]
async fn photos_come_back_byte_for_byte_with_the_type_of_their_bytes() {
    let app = TestApp::demo().await;
    let agent = app.login("agent").await;
    let o = public_order(&agent).await;
    let (status, list) = upload(
        &agent,
        &o["id"],
        vec![part("漏水.png", PNG.to_vec(), "application/octet-stream"), part("IMG_0001.JPG", jpeg(), "image/png")],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{list}");
    assert_eq!(list["total"], 2);
    let items = list["items"].as_array().unwrap().clone();
    assert_eq!(items[0]["file_name"], "漏水.png");
    assert_eq!(items[0]["content_type"], "image/png", "recognised from the bytes, not the claimed type");
    assert_eq!(items[1]["content_type"], "image/jpeg");
    assert_eq!(items[0]["stage"], "report", "before the engineer started: 报修照片");
    assert_eq!(items[0]["stage_label"], "报修照片");
    assert_eq!(items[0]["uploaded_by_name"], "李静");
    assert_eq!(items[0]["size"], PNG.len());

    for (item, bytes, kind) in [(&items[0], PNG.to_vec(), "image/png"), (&items[1], jpeg(), "image/jpeg")] {
        for path in [format!("/api/v1/work-order-photos/{}", item["id"]), format!("/workorders/photos/{}", item["id"])] {
            let (status, headers, body) = bytes_of(&agent, &path).await;
            assert_eq!(status, StatusCode::OK, "{path}");
            assert_eq!(body, bytes, "{path} answers the uploaded bytes");
            assert_eq!(headers[header::CONTENT_TYPE], kind);
            assert_eq!(headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
            assert_eq!(headers[header::CACHE_CONTROL], "private, max-age=31536000, immutable");
        }
    }
    let (_, order) = agent.get(&format!("/api/v1/work-orders/{}", o["id"])).await;
    let last = order["events"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["note"], "上传照片 2 张", "on the order's timeline");
    assert_eq!(last["action_label"], "上传照片");
    let (_, audit) = app.login("manager").await.get("/api/v1/audit-logs?entity=work_order").await;
    assert!(audit.to_string().contains("上传照片 2 张"), "in the operation log: {audit}");
    let (status, page) = agent.page(&format!("/workorders/{}", o["id"])).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("报修照片（2 张）"), "grouped by stage on the order page");
    assert!(page.contains(&format!("<img src=\"/workorders/photos/{}\"", items[0]["id"])), "thumbnails of the photos");
    assert!(page.contains("enctype=\"multipart/form-data\"") && page.contains("上传报修照片"), "and an upload form");
    let (_, slip) = agent.page(&format!("/workorders/{}/print", o["id"])).await;
    assert!(slip.contains(&format!("src=\"/workorders/photos/{}\"", items[1]["id"])), "thumbnails on the print slip");
}

#[tokio::test]
async fn the_same_photo_is_stored_once_and_attached_once_per_order() {
    let app = TestApp::demo().await;
    let agent = app.login("agent").await;
    let first = public_order(&agent).await;
    let second = public_order(&agent).await;
    assert_eq!(upload(&agent, &first["id"], vec![part("a.png", PNG.to_vec(), "image/png")]).await.0, StatusCode::OK);
    let (status, again) = upload(&agent, &first["id"], vec![part("再传一次.png", PNG.to_vec(), "image/png")]).await;
    assert_eq!(status, StatusCode::OK, "{again}");
    assert_eq!(again["total"], 1, "a photo already on the order is not added again");
    let (_, order) = agent.get(&format!("/api/v1/work-orders/{}", first["id"])).await;
    let photo_events = order["events"].as_array().unwrap().iter().filter(|e| e["action"] == "photo").count();
    assert_eq!(photo_events, 1, "nothing added, nothing on the timeline");
    let (_, other) = upload(&agent, &second["id"], vec![part("b.png", PNG.to_vec(), "image/png")]).await;
    assert_eq!(other["total"], 1, "another order may show the same photo");
    assert_eq!(files_under(&app.blobs).len(), 1, "one blob for one content: {:?}", files_under(&app.blobs));
    let blob = &files_under(&app.blobs)[0];
    let key = other["items"][0]["sha256"].as_str().unwrap();
    assert!(blob.ends_with(format!("{}/{}/{key}", &key[0..2], &key[2..4])), "blobs/ab/cd/<sha256>: {blob:?}");
}

#[tokio::test]
async fn what_is_not_a_photo_too_big_or_too_many_is_refused_by_name() {
    let app = TestApp::demo().await;
    let agent = app.login("agent").await;
    let o = public_order(&agent).await;
    let text = "维修报价：200 元".as_bytes().to_vec();
    let (status, err) = upload(&agent, &o["id"], vec![part("报价单.jpg", text, "image/jpeg")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{err}");
    assert_eq!(err["error"]["fields"]["photos"], "文件“报价单.jpg”不是可识别的图片，只接受 JPEG、PNG、WebP 或 HEIC 格式的照片");

    let mut big = jpeg();
    big.resize(11 * 1024 * 1024, 0);
    let (status, err) = upload(&agent, &o["id"], vec![part("大图.jpg", big, "image/jpeg")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{err}");
    assert_eq!(err["error"]["fields"]["photos"], "照片“大图.jpg”有 11.0 MB，超过每张 10.0 MB 的上限，请压缩后再上传");
    let (status, err) = upload(&agent, &o["id"], vec![part("空.png", vec![], "image/png")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(err["error"]["fields"]["photos"].as_str().unwrap().contains("空文件"), "{err}");
    assert!(files_under(&app.blobs).is_empty(), "nothing refused is stored");

    let nine: Vec<Part> = (0..9).map(|i| part(&format!("{i}.png"), png_no(i), "image/png")).collect();
    let (status, list) = upload(&agent, &o["id"], nine).await;
    assert_eq!(status, StatusCode::OK, "{list}");
    assert_eq!(list["total"], 9);
    let (status, err) = upload(&agent, &o["id"], vec![part("第十张.png", png_no(10), "image/png")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{err}");
    assert_eq!(err["error"]["fields"]["photos"], "每张工单最多 9 张照片，已有 9 张，本次选了 1 张，最多还能上传 0 张");
    assert_eq!(agent.get(&format!("/api/v1/work-orders/{}/photos", o["id"])).await.1["total"], 9);
}

#[tokio::test]
async fn photos_after_the_engineer_started_are_completion_photos() {
    let app = TestApp::demo().await;
    let agent = app.login("agent").await;
    let manager = app.login("manager").await;
    let o = public_order(&agent).await;
    let (_, users) = manager.get("/api/v1/users?q=engineer").await;
    let engineer = id_where(&users, "username", "engineer");
    let (_, o) = agent
        .post(
            &format!("/api/v1/work-orders/{}/actions", o["id"]),
            json!({"version": o["version"], "action": "dispatch", "assignee_id": engineer}),
        )
        .await;
    let eng = app.login("engineer").await;
    let (_, o) = eng.post(&format!("/api/v1/work-orders/{}/actions", o["id"]), json!({"version": o["version"], "action": "start"})).await;
    assert_eq!(o["state"], "in_progress", "{o}");
    let (status, list) = upload(&eng, &o["id"], vec![part("修好了.jpg", jpeg(), "image/jpeg")]).await;
    assert_eq!(status, StatusCode::OK, "engineers add photos on site: {list}");
    assert_eq!(list["items"][0]["stage"], "completion");
    let (_, page) = eng.page(&format!("/workorders/{}", o["id"])).await;
    assert!(page.contains("完工照片（1 张）") && page.contains("上传完工照片"), "{page}");
    let (_, o) = agent.get(&format!("/api/v1/work-orders/{}", o["id"])).await;
    assert_eq!(o["version"], 3, "a photo does not make the order page stale");

    let other = public_order(&agent).await;
    let (_, voided) = manager
        .post(
            &format!("/api/v1/work-orders/{}/actions", other["id"]),
            json!({"version": other["version"], "action": "void", "note": "重复报修"}),
        )
        .await;
    assert_eq!(voided["state"], "voided");
    let (status, err) = upload(&agent, &other["id"], vec![part("a.png", PNG.to_vec(), "image/png")]).await;
    assert_eq!(status, StatusCode::CONFLICT, "{err}");
    assert_eq!(err["error"]["message"], "工单已结束，不能再上传照片");
    let cashier = app.login("cashier").await;
    let (status, _) = upload(&cashier, &o["id"], vec![part("a.png", PNG.to_vec(), "image/png")]).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "who may neither create nor handle orders adds no photos");
}

/// Posts the create form the way a browser does with a file input:
/// multipart, the CSRF token in the address.
async fn post_create_form(s: &Session, fields: &[(&str, String)], files: Vec<Part>) -> reqwest::Response {
    let form = fields.iter().fold(Form::new(), |f, (k, v)| f.text(k.to_string(), v.clone()));
    let form = files.into_iter().fold(form, |f, p| f.part("photos", p));
    s.client.post(format!("{}/workorders/new?_csrf={}", s.base, s.csrf)).multipart(form).send().await.unwrap()
}

async fn create_fields(s: &Session, description: &str) -> Vec<(&'static str, String)> {
    let (_, projects) = s.get("/api/v1/projects").await;
    vec![
        ("project_id", id_where(&projects, "code", "JLTX").to_string()),
        ("public_area", "5栋地下车库".into()),
        ("category", "水电".into()),
        ("kind", "internal".into()),
        ("priority", "normal".into()),
        ("contact_name", "保安队长".into()),
        ("description", description.into()),
    ]
}

#[tokio::test]
async fn an_order_is_created_with_photos_from_the_form() {
    let app = TestApp::demo().await;
    let agent = app.login("agent").await;
    let (status, form) = agent.page("/workorders/new").await;
    assert_eq!(status, StatusCode::OK);
    assert!(form.contains("enctype=\"multipart/form-data\"") && form.contains(&format!("action=\"/workorders/new?_csrf={}\"", agent.csrf)));
    assert!(form.contains("type=\"file\"") && form.contains("accept=\"image/*\"") && form.contains("multiple"), "a photo input");

    let fields = create_fields(&agent, "车库积水").await;
    let r =
        post_create_form(&agent, &fields, vec![part("积水.png", PNG.to_vec(), "image/png"), part("积水2.jpg", jpeg(), "image/jpeg")]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "{}", r.text().await.unwrap());
    let location = r.headers()[header::LOCATION].to_str().unwrap().to_string();
    let id = location.trim_start_matches("/workorders/");
    let (_, list) = agent.get(&format!("/api/v1/work-orders/{id}/photos")).await;
    assert_eq!(list["total"], 2, "{list}");
    assert_eq!(list["items"][0]["stage"], "report");
    assert_eq!(list["items"][1]["content_type"], "image/jpeg");
    let (_, order) = agent.get(&format!("/api/v1/work-orders/{id}")).await;
    assert_eq!(order["description"], "车库积水");

    let r = post_create_form(&agent, &create_fields(&agent, "没有照片也行").await, vec![]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "photos are optional");
}

#[tokio::test]
async fn a_refused_form_keeps_what_was_typed_and_asks_for_the_photos_again() {
    let app = TestApp::demo().await;
    let agent = app.login("agent").await;
    let (_, before) = agent.get("/api/v1/work-orders").await;

    let r = post_create_form(&agent, &create_fields(&agent, "").await, vec![part("积水.png", PNG.to_vec(), "image/png")]).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains("value=\"5栋地下车库\"") && html.contains("value=\"保安队长\""), "typed values are kept");
    assert!(html.contains("请填写报修内容"), "the message beside the field");
    assert!(html.contains("已选的 1 张照片未保存，请重新选择"), "the photo must be chosen again, and the page says so");

    let text = "不是照片".as_bytes().to_vec();
    let r = post_create_form(&agent, &create_fields(&agent, "车库积水").await, vec![part("报价单.jpg", text, "image/jpeg")]).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains("文件“报价单.jpg”不是可识别的图片"), "the refusal beside the photo field");
    assert!(html.contains(">车库积水</textarea>") && html.contains("value=\"保安队长\""), "everything else typed is kept");
    assert_eq!(agent.get("/api/v1/work-orders").await.1["total"], before["total"], "no order was created");
}
