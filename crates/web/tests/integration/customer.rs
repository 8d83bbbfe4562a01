//! Customers (CUS-1…7) and occupancy (OCC-1, OCC-3…7).

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::harness::{id_where, Session, TestApp};

/// A valid 18-digit mainland ID number for the given first 17 digits.
fn id_number(first17: &str) -> String {
    const W: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = first17.bytes().zip(W).map(|(b, w)| u32::from(b - b'0') * w).sum();
    format!("{first17}{}", b"10X98765432"[(sum % 11) as usize] as char)
}

async fn office(s: &Session, name: &str) -> i64 {
    let (_, projects) = s.get("/api/v1/projects?per_page=100").await;
    let (_, units) = s.get("/api/v1/org-units").await;
    if units["items"].is_array() && units["items"].as_array().unwrap().iter().any(|u| u["name"] == name) {
        return id_where(&units, "name", name);
    }
    // Users without org.view find their office through their projects.
    projects["items"][0]["org_unit_id"].as_i64().unwrap()
}

async fn customer(s: &Session, office: i64, code: &str, name: &str, phone: &str) -> Value {
    let (status, c) =
        s.post("/api/v1/customers", json!({"org_unit_id": office, "code": code, "name": name, "kind": "person", "phones": [phone]})).await;
    assert_eq!(status, StatusCode::OK, "{c}");
    c
}

/// A building with `n` rooms in project `project_code`; returns room ids.
async fn rooms(s: &Session, project_code: &str, building: &str, n: i32) -> Vec<i64> {
    let (_, projects) = s.get("/api/v1/projects").await;
    let project = id_where(&projects, "code", project_code);
    let (_, b) = s.post("/api/v1/buildings", json!({"project_id": project, "code": building})).await;
    let (status, _) = s
        .post("/api/v1/rooms/batch", json!({"building_id": b["id"], "floor_from": 1, "floor_to": 1, "rooms_per_floor": n, "pattern": "{building}-{floor:02}{no:02}", "room_type": "residential", "status": "unsold"}))
        .await;
    assert_eq!(status, StatusCode::OK);
    let (_, list) = s.get(&format!("/api/v1/rooms?building_id={}&sort=code", b["id"])).await;
    list["items"].as_array().unwrap().iter().map(|r| r["id"].as_i64().unwrap()).collect()
}

#[tokio::test]
async fn identity_documents_are_checked_and_tell_birth_and_gender() {
    let app = TestApp::demo().await;
    let s = app.login("manager").await;
    let o = office(&s, "君林天下管理处").await;
    let good = id_number("44030519850612003");
    let mut bad = good.clone();
    bad.pop();
    bad.push(if good.ends_with('0') { '1' } else { '0' });
    let body = |id: &str, birthday: &str| json!({"org_unit_id": o, "code": "C-ID", "name": "林晓", "id_type": "mainland_id", "id_number": id, "birthday": birthday, "phones": ["13812345678"]});
    let (status, err) = s.post("/api/v1/customers", body(&bad, "")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(err["error"]["fields"]["id_number"], "身份证号校验位不正确，请核对");
    let (status, err) = s.post("/api/v1/customers", body(&good, "1990-01-01")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(err["error"]["fields"]["birthday"], "出生日期与身份证号不一致");
    let (status, c) = s.post("/api/v1/customers", body(&good, "")).await;
    assert_eq!(status, StatusCode::OK, "{c}");
    assert_eq!(c["birthday"], "1985-06-12");
    assert_eq!(c["gender"], "male");
    let (status, c) = s
        .post(
            "/api/v1/customers",
            json!({"org_unit_id": o, "code": "C-OLD", "name": "老王", "id_type": "mainland_id", "id_number": "110105491231002"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "15-digit legacy numbers: {c}");
    assert_eq!(c["gender"], "female");
    let (status, err) = s
        .post("/api/v1/customers", json!({"org_unit_id": o, "code": "C-PP", "name": "John", "id_type": "passport", "id_number": "E12-34"}))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(err["error"]["fields"]["id_number"].as_str().unwrap().contains("护照"));
    let (status, err) =
        s.post("/api/v1/customers", json!({"org_unit_id": o, "code": "C-PH", "name": "错号", "phones": ["1234"], "email": "x"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(err["error"]["fields"]["phones"].is_string() && err["error"]["fields"]["email"].is_string());
}

#[tokio::test]
async fn codes_are_unique_per_office_with_a_suffix_offered() {
    let app = TestApp::demo().await;
    let s = app.login("manager").await;
    let (_, units) = s.get("/api/v1/org-units").await;
    let junlin = id_where(&units, "name", "君林天下管理处");
    let cuihu = id_where(&units, "name", "翠湖山庄管理处");
    customer(&s, junlin, "C3-0301", "张伟", "13811110001").await;
    let (status, err) = s.post("/api/v1/customers", json!({"org_unit_id": junlin, "code": "C3-0301", "name": "李娜"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(err["error"]["fields"]["code"], "君林天下管理处下已存在客户编号 C3-0301，更换业主后可使用 C3-0301-01");
    customer(&s, cuihu, "C3-0301", "李娜", "13811110002").await;
    customer(&s, junlin, "C3-0301-01", "李娜", "13811110003").await;
    let (_, err) = s.post("/api/v1/customers", json!({"org_unit_id": junlin, "code": "C3-0301", "name": "王芳"})).await;
    assert!(err["error"]["fields"]["code"].as_str().unwrap().ends_with("C3-0301-02"));
}

#[tokio::test]
async fn household_vehicles_and_exactly_one_primary_account() {
    let app = TestApp::demo().await;
    let s = app.login("manager").await;
    let o = office(&s, "君林天下管理处").await;
    let acct = |primary: bool, no: &str| json!({"account_name": "周杰", "bank": "招商银行", "account_no": no, "is_primary": primary});
    let base = |accounts: Value| {
        json!({"org_unit_id": o, "code": "B-1", "name": "周杰", "phones": ["13900001111", "0755-88886666"], "tags": ["VIP", "重点关注"],
               "members": [{"relation": "配偶", "name": "昆凌", "phone": "13900002222", "gender": "female"}],
               "contacts": [{"name": "周母", "relation": "母亲", "phone": "13900003333"}],
               "vehicles": [{"plate": "粤b12345", "vehicle_type": "小型轿车", "parking_space": "B2-018"}],
               "bank_accounts": accounts})
    };
    let (status, err) = s.post("/api/v1/customers", base(json!([acct(false, "6225880011112222"), acct(false, "6225880033334444")]))).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(err["error"]["fields"]["bank_accounts"], "请指定一个默认托收账户");
    let (_, err) = s.post("/api/v1/customers", base(json!([acct(true, "6225880011112222"), acct(true, "6225880033334444")]))).await;
    assert_eq!(err["error"]["fields"]["bank_accounts"], "只能有一个默认托收账户");
    let (status, c) = s.post("/api/v1/customers", base(json!([acct(false, "6225 8800 1111 2222")]))).await;
    assert_eq!(status, StatusCode::OK, "{c}");
    assert_eq!(c["bank_accounts"][0]["is_primary"], true, "a single account is the primary one");
    assert_eq!(c["bank_accounts"][0]["account_no"], "6225880011112222");
    assert_eq!(c["vehicles"][0]["plate"], "粤B12345");
    assert_eq!(c["members"][0]["name"], "昆凌");
    assert_eq!(c["phones"].as_array().unwrap().len(), 2);
    assert_eq!(c["tags"], json!(["VIP", "重点关注"]));
}

#[tokio::test]
async fn search_by_short_names_phone_suffix_room_code_and_id() {
    let app = TestApp::demo().await;
    let s = app.login("manager").await;
    let o = office(&s, "君林天下管理处").await;
    let zhang = customer(&s, o, "S-1", "张伟", "13912345678").await;
    customer(&s, o, "S-2", "张伟强", "13800001111").await;
    customer(&s, o, "S-3", "王芳", "0755-26668888").await;
    let (_, c) = s
        .post(
            "/api/v1/customers",
            json!({"org_unit_id": o, "code": "S-4", "name": "李四", "id_type": "mainland_id", "id_number": id_number("44030519900101123")}),
        )
        .await;
    let count = |v: &Value| v["total"].as_u64().unwrap_or_else(|| panic!("not a list: {v}"));
    assert_eq!(count(&s.get("/api/v1/customers?q=张").await.1), 2, "one character");
    assert_eq!(count(&s.get("/api/v1/customers?q=张伟").await.1), 2, "two characters");
    assert_eq!(count(&s.get("/api/v1/customers?q=张伟强").await.1), 1, "three characters (trigram index)");
    assert_eq!(count(&s.get("/api/v1/customers?q=5678").await.1), 1, "phone suffix");
    assert_eq!(count(&s.get("/api/v1/customers?q=26668888").await.1), 1, "landline part");
    assert_eq!(
        count(&s.get(&format!("/api/v1/customers?q={}", &c["id_number"].as_str().unwrap()[6..14])).await.1),
        1,
        "part of the ID number"
    );
    let room = rooms(&s, "JLTX", "K1", 1).await[0];
    let (status, _) = s.post("/api/v1/handovers", json!({"room_id": room, "customer_id": zhang["id"], "date": "2026-01-15"})).await;
    assert_eq!(status, StatusCode::OK);
    let (_, found) = s.get("/api/v1/customers?q=K1-0101").await;
    assert_eq!(count(&found), 1, "room code after handover");
    assert_eq!(found["items"][0]["rooms"][0]["role"], "owner");
    let (_, found) = s.get("/api/v1/customers?role=owner").await;
    assert_eq!(count(&found), 1, "role filter");

    let (status, _) = s.post(&format!("/api/v1/customers/{}/disable", zhang["id"]), json!({"version": zhang["version"]})).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(count(&s.get("/api/v1/customers").await.1), 3, "disabled customers are hidden by default");
    assert_eq!(count(&s.get("/api/v1/customers?q=张伟").await.1), 2, "but found by search");
    assert_eq!(count(&s.get("/api/v1/customers?enabled=0").await.1), 1);
    let (_, html) = s.page("/customers?q=%E5%BC%A0%E4%BC%9F").await;
    assert!(html.contains("张伟强") && html.contains("已禁用"));
}

#[tokio::test]
async fn four_digits_follow_every_change_of_phones_and_id_numbers() {
    let app = TestApp::demo().await;
    let s = app.login("manager").await;
    let o = office(&s, "君林天下管理处").await;
    // Whether 邓四位 is among a search's matches (the demo's customers have
    // digits of their own).
    let finds = |q: &'static str| {
        let s = &s;
        async move { names_found(s, q).await.iter().any(|n| n == "邓四位") }
    };
    let c = customer(&s, o, "D-1", "邓四位", "13911112468").await;
    assert!(finds("2468").await && finds("1111").await, "any four digits of the phone");
    let body = json!({"org_unit_id": o, "code": "D-1", "name": "邓四位", "kind": "person", "phones": ["13977773579"],
                      "id_type": "mainland_id", "id_number": id_number("44030519850612003"), "version": c["version"]});
    let (status, c) = s.put(&format!("/api/v1/customers/{}", c["id"]), body).await;
    assert_eq!(status, StatusCode::OK, "{c}");
    assert!(!finds("2468").await, "the old phone is forgotten");
    assert!(finds("3579").await && finds("0612").await, "the new phone and the ID number (440305198506120031)");
    assert!(!finds("3113").await, "the ID number's last digits and the phone's first never join");
    let (status, _) = s.send(Method::DELETE, &format!("/api/v1/customers/{}", c["id"]), json!({"version": c["version"]})).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert!(!finds("3579").await, "a deleted customer's digits go with them");
}

/// The names found by a search, in code order.
async fn names_found(s: &Session, q: &str) -> Vec<String> {
    let (status, list) = s.get(&format!("/api/v1/customers?q={q}&per_page=100")).await;
    assert_eq!(status, StatusCode::OK, "{list}");
    assert_eq!(list["total"].as_u64().unwrap() as usize, list["items"].as_array().unwrap().len(), "total agrees with the page");
    list["items"].as_array().unwrap().iter().map(|c| c["name"].as_str().unwrap().to_string()).collect()
}

#[tokio::test]
async fn one_and_two_character_searches_find_any_piece_of_a_name_within_scope() {
    let app = TestApp::demo().await;
    let admin = app.login("admin").await;
    let s = app.login("manager").await;
    let o = office(&s, "君林天下管理处").await;
    let (_, units) = admin.get("/api/v1/org-units").await;
    let yunshan = id_where(&units, "name", "云山雅苑管理处");
    customer(&s, o, "N-1", "李晓东", "13500000001").await;
    customer(&s, o, "N-2", "欧阳娜娜", "13500000002").await;
    customer(&admin, yunshan, "N-1", "李晓东", "13500000003").await;

    assert_eq!(names_found(&s, "晓东").await, ["李晓东"], "a middle pair; another company's 李晓东 is out of scope");
    assert_eq!(names_found(&admin, "晓东").await, ["李晓东", "李晓东"], "the group sees both");
    assert_eq!(names_found(&s, "李").await, ["李晓东"], "one character: the surname");
    assert_eq!(names_found(&s, "东").await, ["李晓东"], "one character: the last one");
    assert_eq!(names_found(&s, "阳娜").await, ["欧阳娜娜"]);
    assert_eq!(names_found(&s, "娜娜").await, ["欧阳娜娜"], "a repeated character");
    assert_eq!(names_found(&s, "娜").await, ["欧阳娜娜"], "found once, not once per occurrence");
    assert!(names_found(&s, "晓娜").await.is_empty(), "characters not next to each other");
    assert!(names_found(&s, "N-").await.is_empty(), "one or two characters search names only, not codes");
    assert_eq!(names_found(&s, "N-1").await, ["李晓东"], "three characters search codes too");
}

#[tokio::test]
async fn a_search_pages_with_its_total_on_every_page_and_past_the_end() {
    let app = TestApp::demo().await;
    let s = app.login("manager").await;
    let o = office(&s, "君林天下管理处").await;
    for i in 1..=5 {
        customer(&s, o, &format!("PG-{i}"), &format!("翁{i}号"), &format!("1390000770{i}")).await;
    }
    let page = |q: &'static str, page: u32| {
        let s = &s;
        async move {
            let (status, list) = s.get(&format!("/api/v1/customers?q={q}&per_page=2&page={page}")).await;
            assert_eq!(status, StatusCode::OK, "{list}");
            let codes: Vec<String> = list["items"].as_array().unwrap().iter().map(|c| c["code"].as_str().unwrap().to_string()).collect();
            (list["total"].as_u64().unwrap(), codes)
        }
    };
    for q in ["翁", "0000770"] {
        assert_eq!(page(q, 1).await, (5, vec!["PG-1".into(), "PG-2".into()]), "{q}: page 1");
        assert_eq!(page(q, 3).await, (5, vec!["PG-5".into()]), "{q}: the last page");
        assert_eq!(page(q, 4).await, (5, vec![]), "{q}: past the end the total is still known");
    }
    assert_eq!(page("翁9", 1).await, (0, vec![]), "nothing found");
    let (_, list) = s.get("/api/v1/customers?q=翁&sort=-code&per_page=2").await;
    let codes: Vec<&str> = list["items"].as_array().unwrap().iter().map(|c| c["code"].as_str().unwrap()).collect();
    assert_eq!(codes, ["PG-5", "PG-4"], "descending");
}

#[tokio::test]
async fn the_kept_customer_counts_follow_every_write() {
    let app = TestApp::demo().await;
    let manager = app.login("manager").await;
    let admin = app.login("admin").await;
    let total = |s: &Session| {
        let s = s.clone();
        async move { s.get("/api/v1/customers?per_page=1").await.1["total"].as_u64().unwrap() }
    };
    let disabled = |s: &Session| {
        let s = s.clone();
        async move { s.get("/api/v1/customers?enabled=0&per_page=1").await.1["total"].as_u64().unwrap() }
    };
    let (m0, a0, d0) = (total(&manager).await, total(&admin).await, disabled(&manager).await);
    app.assert_customer_counts_kept().await;
    let junlin = office(&manager, "君林天下管理处").await;
    let first = customer(&manager, junlin, "TL-1", "司马一", "13900008801").await;
    let second = customer(&manager, junlin, "TL-2", "司马二", "13900008802").await;
    assert_eq!(total(&manager).await, m0 + 2, "two created");
    app.assert_customer_counts_kept().await;

    let (status, first) = manager.post(&format!("/api/v1/customers/{}/disable", first["id"]), json!({"version": first["version"]})).await;
    assert_eq!(status, StatusCode::OK, "{first}");
    assert_eq!(total(&manager).await, m0 + 1, "one disabled");
    let (_, first) = manager.post(&format!("/api/v1/customers/{}/enable", first["id"]), json!({"version": first["version"]})).await;
    assert_eq!(total(&manager).await, m0 + 2, "enabled again");
    let (_, first) = manager.post(&format!("/api/v1/customers/{}/disable", first["id"]), json!({"version": first["version"]})).await;
    assert_eq!(disabled(&manager).await, d0 + 1, "the disabled list counts its rows");
    app.assert_customer_counts_kept().await;

    // Moved to another company's office: out of the manager's count, still in the group's.
    let yunshan = office(&admin, "云山雅苑管理处").await;
    let (status, moved) = admin
        .put(&format!("/api/v1/customers/{}", second["id"]), json!({"version": second["version"], "org_unit_id": yunshan, "code": "TL-2", "name": "司马二", "kind": "person", "phones": ["13900008802"]}))
        .await;
    assert_eq!(status, StatusCode::OK, "{moved}");
    assert_eq!((total(&manager).await, total(&admin).await), (m0, a0 + 1), "moved between offices");
    app.assert_customer_counts_kept().await;

    for c in [&first, &moved] {
        let (status, res) = admin.send(Method::DELETE, &format!("/api/v1/customers/{}", c["id"]), json!({"version": c["version"]})).await;
        assert_eq!(status, StatusCode::NO_CONTENT, "{res}");
    }
    assert_eq!((total(&manager).await, total(&admin).await), (m0, a0), "both deleted");
    app.assert_customer_counts_kept().await;
}

#[tokio::test]
async fn a_rename_takes_effect_only_when_someone_else_approves() {
    let app = TestApp::demo().await;
    let manager = app.login("manager").await;
    let agent = app.login("agent").await;
    let o = office(&manager, "君林天下管理处").await;
    let c = customer(&agent, o, "R-1", "陈小春", "13700001111").await;
    let (status, _) = agent
        .put(
            &format!("/api/v1/customers/{}", c["id"]),
            json!({"version": c["version"], "org_unit_id": o, "code": "R-1", "name": "改名了", "phones": ["13700001111"]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(agent.get(&format!("/api/v1/customers/{}", c["id"])).await.1["name"], "陈小春", "an edit never renames");
    assert!(names_found(&agent, "改名").await.is_empty(), "nor does it change what a short search finds");
    assert_eq!(names_found(&agent, "小春").await, ["陈小春"]);
    let (status, err) =
        agent.post(&format!("/api/v1/customers/{}/rename-orders", c["id"]), json!({"new_name": "陈晓春", "reason": ""})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(err["error"]["fields"]["reason"], "请填写更名原因");
    let (status, order) =
        agent.post(&format!("/api/v1/customers/{}/rename-orders", c["id"]), json!({"new_name": "陈晓春", "reason": "身份证更名"})).await;
    assert_eq!(status, StatusCode::OK, "{order}");
    assert!(order["number"].as_str().unwrap().starts_with("RN-"));
    let (status, _) = agent.post(&format!("/api/v1/rename-orders/{}/approve", order["id"]), json!({"version": order["version"]})).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "the agent holds no approval permission");
    let (status, body) =
        manager.post(&format!("/api/v1/customers/{}/rename-orders", c["id"]), json!({"new_name": "陈某", "reason": "x"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "one pending order at a time: {body}");
    assert_eq!(agent.get(&format!("/api/v1/customers/{}", c["id"])).await.1["name"], "陈小春", "pending: unchanged");
    let (status, decided) =
        manager.post(&format!("/api/v1/rename-orders/{}/approve", order["id"]), json!({"version": order["version"]})).await;
    assert_eq!(status, StatusCode::OK, "{decided}");
    assert_eq!(agent.get(&format!("/api/v1/customers/{}", c["id"])).await.1["name"], "陈晓春");
    assert!(names_found(&agent, "小春").await.is_empty(), "the old name is no longer found");
    assert!(names_found(&agent, "小").await.is_empty(), "not even by one character");
    assert_eq!(names_found(&agent, "晓春").await, ["陈晓春"], "the new one is");
    assert_eq!(names_found(&agent, "晓").await, ["陈晓春"]);
    let (status, _) = manager.post(&format!("/api/v1/rename-orders/{}/reject", order["id"]), json!({"version": decided["version"]})).await;
    assert_eq!(status, StatusCode::CONFLICT, "decided once");
    let (_, own) =
        manager.post(&format!("/api/v1/customers/{}/rename-orders", c["id"]), json!({"new_name": "陈三", "reason": "测试"})).await;
    let (status, body) = manager.post(&format!("/api/v1/rename-orders/{}/approve", own["id"]), json!({"version": own["version"]})).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body["error"]["message"], "不能审批自己提交的更名单");
    let (_, history) = manager.get(&format!("/api/v1/rename-orders?customer_id={}", c["id"])).await;
    assert_eq!(history["total"], 2, "history kept");
}

#[tokio::test]
async fn handover_move_in_move_out_and_the_billing_party() {
    let app = TestApp::demo().await;
    let s = app.login("manager").await;
    let o = office(&s, "君林天下管理处").await;
    let room = rooms(&s, "JLTX", "H1", 1).await[0];
    let old_owner = customer(&s, o, "H-1", "老业主", "13600000001").await;
    let tenant = customer(&s, o, "H-2", "租客甲", "13600000002").await;
    let new_owner = customer(&s, o, "H-3", "新业主", "13600000003").await;
    let resident = customer(&s, o, "H-4", "住户乙", "13600000004").await;
    let path = format!("/api/v1/rooms/{room}/occupancy");
    assert!(s.get(&path).await.1["billing_party"].is_null(), "vacant: no billing party");
    let (status, _) = s
        .post("/api/v1/handovers", json!({"room_id": room, "customer_id": old_owner["id"], "date": "2025-01-10", "contract_no": "HT-001"}))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(s.get(&path).await.1["billing_party"]["customer_name"], "老业主");
    let (status, err) =
        s.post("/api/v1/occupancies", json!({"room_id": room, "customer_id": tenant["id"], "role": "tenant", "date": "2025-03-01"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(err["error"]["fields"]["lease_end"], "租户须填写租期起止日期");
    let soon = (chrono::Utc::now().date_naive() + chrono::Duration::days(20)).to_string();
    let (status, _) = s.post("/api/v1/occupancies", json!({"room_id": room, "customer_id": tenant["id"], "role": "tenant", "date": "2025-03-01", "lease_start": "2025-03-01", "lease_end": soon})).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(s.get(&path).await.1["billing_party"]["customer_name"], "租客甲", "a tenant is billed before the owner");
    let (_, due) = s.get("/api/v1/leases/expiring?days=30").await;
    assert_eq!(due["items"][0]["customer_name"], "租客甲");
    assert_eq!(s.get("/api/v1/leases/expiring?days=10").await.1["items"].as_array().unwrap().len(), 0);
    let (status, res) = s
        .post("/api/v1/occupancies", json!({"room_id": room, "customer_id": resident["id"], "role": "resident", "date": "2025-03-02"}))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(s.get(&path).await.1["billing_party"]["customer_name"], "住户乙", "a resident is billed first");

    let (status, h) = s.post("/api/v1/handovers", json!({"room_id": room, "customer_id": new_owner["id"], "date": "2026-02-01"})).await;
    assert_eq!(status, StatusCode::OK, "{h}");
    let now = s.get(&path).await.1;
    let current = now["current"].as_array().unwrap();
    assert_eq!(current.len(), 1, "a handover moves every earlier occupant out: {now}");
    assert_eq!(current[0]["customer_name"], "新业主");
    assert_eq!(now["history"].as_array().unwrap().len(), 4, "history kept");
    assert!(now["history"].as_array().unwrap().iter().filter(|h| h["end_date"] == "2026-02-01").count() == 3);
    // The room table's note counts each project's rooms handed over, this
    // one once although it was handed over twice, and every other room none.
    let (_, page) = s.page("/occupancy/rooms").await;
    let (_, projects) = s.get("/api/v1/projects?per_page=100").await;
    for p in projects["items"].as_array().unwrap() {
        let (_, rooms) = s.get(&format!("/api/v1/rooms?project_id={}", p["id"])).await;
        let handed = if p["code"] == "JLTX" { 1 } else { 0 };
        let counted = format!("{} {handed}/{}", p["name"].as_str().unwrap(), rooms["total"]);
        assert!(page.contains(&counted), "{counted} in the note");
    }
    app.assert_visit_and_room_counts_kept().await;

    let (status, _) = s.post("/api/v1/occupancies", json!({"room_id": room, "customer_id": tenant["id"], "role": "tenant", "date": "2026-03-01", "lease_start": "2026-03-01", "lease_end": "2027-02-28"})).await;
    assert_eq!(status, StatusCode::OK);
    let (status, t2) = s.post("/api/v1/occupancies", json!({"room_id": room, "customer_id": resident["id"], "role": "tenant", "date": "2026-04-01", "lease_start": "2026-04-01", "lease_end": "2027-03-31"})).await;
    assert_eq!(status, StatusCode::OK);
    let now = s.get(&path).await.1;
    let roles: Vec<(&str, &str)> =
        now["current"].as_array().unwrap().iter().map(|h| (h["role"].as_str().unwrap(), h["customer_name"].as_str().unwrap())).collect();
    assert!(
        roles.contains(&("tenant", "住户乙")) && !roles.contains(&("tenant", "租客甲")),
        "moving in as tenant replaces the tenant: {roles:?}"
    );
    assert!(roles.contains(&("owner", "新业主")), "and leaves the owner");
    let (status, err) = s
        .post(
            &format!("/api/v1/occupancies/{}/move-out", t2["occupancy_id"]),
            json!({"version": 1, "date": "2026-03-01", "reason": "租约到期"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{err}");
    let (status, _) = s
        .post(
            &format!("/api/v1/occupancies/{}/move-out", t2["occupancy_id"]),
            json!({"version": 1, "date": "2026-05-01", "reason": "租约到期"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(s.get(&path).await.1["billing_party"]["customer_name"], "新业主");
    let (_, table) = s.get("/api/v1/room-customers?q=H1-0101").await;
    assert_eq!(table["items"][0]["owner"], "新业主");
    assert_eq!(table["items"][0]["billing_party"], "新业主");
    let _ = res;

    let (status, body) =
        s.send(Method::DELETE, &format!("/api/v1/customers/{}", old_owner["id"]), json!({"version": old_owner["version"]})).await;
    assert_eq!(status, StatusCode::CONFLICT, "a customer with history is never deleted: {body}");
    let spare = customer(&s, o, "H-9", "误录客户", "13600000009").await;
    assert_eq!(names_found(&s, "误录").await, ["误录客户"]);
    let (status, _) = s.send(Method::DELETE, &format!("/api/v1/customers/{}", spare["id"]), json!({"version": spare["version"]})).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert!(names_found(&s, "误录").await.is_empty(), "a deleted customer leaves no name grams behind");
    let (_, timeline) = s.get(&format!("/api/v1/audit-logs?entity=handover&entity_id={}", h["id"])).await;
    assert_eq!(timeline["total"], 1);
    let (status, html) = s.page(&format!("/customers/{}", new_owner["id"])).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("H1-0101") && html.contains("入伙"), "the 360 page shows rooms and the timeline");
}

#[tokio::test]
async fn the_customer_form_keeps_rows_and_puts_errors_beside_fields() {
    let app = TestApp::demo().await;
    let s = app.login("manager").await;
    let o = office(&s, "君林天下管理处").await.to_string();
    let fields = [
        ("org_unit_id", o.as_str()),
        ("code", "F-1"),
        ("name", "赵敏"),
        ("kind", "person"),
        ("id_type", "mainland_id"),
        ("id_number", "440305198506120031"),
        ("phones", "13512345678"),
        ("phones", "0755-8888"),
        ("member_relation", "子女"),
        ("member_name", "赵小敏"),
        ("member_phone", ""),
        ("member_gender", "female"),
        ("member_birthday", "2015-05-01"),
        ("vehicle_plate", "粤B88888"),
        ("vehicle_type", "SUV"),
        ("vehicle_space", "A-01"),
    ];
    let (status, html) = s.form("/customers/new", &fields).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("身份证号校验位不正确") || html.contains("身份证号"), "ID error shown");
    assert!(html.contains("电话号码 0755-8888 不正确"));
    assert!(
        html.contains("value=\"赵小敏\"") && html.contains("value=\"粤B88888\"") && html.contains("value=\"13512345678\""),
        "rows kept"
    );
    let good = id_number("44030519850612003");
    let mut fixed = fields.to_vec();
    fixed[5] = ("id_number", good.as_str());
    fixed[7] = ("phones", "0755-88886666");
    let (status, _) = s.form("/customers/new", &fixed).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, found) = s.get("/api/v1/customers?q=赵敏").await;
    assert_eq!(found["items"][0]["members"][0]["name"], "赵小敏");
    assert_eq!(found["items"][0]["vehicles"][0]["parking_space"], "A-01");
}
