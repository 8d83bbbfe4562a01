//! Excel import (PRP-4, CUS-8): both modes, error reports, full-width input.

use std::io::Cursor;

use calamine::{open_workbook_from_rs, Reader, Xlsx};
use reqwest::StatusCode;
use rust_xlsxwriter::Workbook;
use serde_json::Value;

use crate::harness::{Session, TestApp};

fn workbook(rows: &[Vec<&str>]) -> Vec<u8> {
    let mut wb = Workbook::new();
    let sheet = wb.add_worksheet();
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            sheet.write(r as u32, c as u16, *v).unwrap();
        }
    }
    wb.save_to_buffer().unwrap()
}

async fn import(s: &Session, kind: &str, mode: &str, bytes: Vec<u8>) -> Value {
    let form = reqwest::multipart::Form::new()
        .text("kind", kind.to_string())
        .text("mode", mode.to_string())
        .part("file", reqwest::multipart::Part::bytes(bytes).file_name("data.xlsx"));
    let r = s.client.post(format!("{}/api/v1/imports", s.base)).header("X-CSRF-Token", &s.csrf).multipart(form).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let job: Value = r.json().await.unwrap();
    for _ in 0..600 {
        let (_, j) = s.get(&format!("/api/v1/imports/{}", job["id"])).await;
        if j["status"] != "running" {
            assert_eq!(j["status"], "done", "{j}");
            return j;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("import did not finish");
}

/// The refused rows of an import's error report: (line, reasons).
async fn report(s: &Session, job: &Value) -> Vec<(String, String)> {
    let r = s.client.get(format!("{}/api/v1/imports/{}/report", s.base, job["id"])).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let bytes = r.bytes().await.unwrap().to_vec();
    let mut wb: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes)).unwrap();
    let range = wb.worksheet_range_at(0).unwrap().unwrap();
    range.rows().skip(1).map(|r| (r[0].to_string(), r[1].to_string())).collect()
}

/// 1,500 customers match 批量: a search lists the newest 1,000 of them (in
/// the order asked for) and says there are more; the export takes them all.
async fn assert_more_matches_than_listed(s: &Session) {
    let codes =
        |list: &Value| list["items"].as_array().unwrap().iter().map(|c| c["code"].as_str().unwrap().to_string()).collect::<Vec<_>>();
    let (_, first) = s.get("/api/v1/customers?q=批量&per_page=100").await;
    assert_eq!((&first["total"], &first["capped"]), (&1000.into(), &true.into()), "{}", first["total"]);
    assert_eq!(codes(&first)[..2], ["P-0500", "P-0501"], "the newest 1,000, by code");
    let (_, last) = s.get("/api/v1/customers?q=批量&per_page=100&page=10").await;
    assert_eq!(codes(&last).last().map(String::as_str), Some("P-1499"));
    let (_, past) = s.get("/api/v1/customers?q=批量&per_page=100&page=11").await;
    assert_eq!((codes(&past).len(), &past["total"], &past["capped"]), (0, &1000.into(), &true.into()), "past the end");
    let (_, newest) = s.get("/api/v1/customers?q=批量&sort=-code&per_page=1").await;
    assert_eq!(codes(&newest), ["P-1499"]);
    let (_, html) = s.page("/customers?q=%E6%89%B9%E9%87%8F").await;
    assert!(html.contains("共 1,000+ 条") && html.contains("匹配超过 1,000 条，只列出最近建档的 1,000 条"), "{html}");
    let r = s.client.get(format!("{}/customers/export?q=%E6%89%B9%E9%87%8F", s.base)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let mut wb: Xlsx<_> = open_workbook_from_rs(Cursor::new(r.bytes().await.unwrap().to_vec())).unwrap();
    assert_eq!(wb.worksheet_range_at(0).unwrap().unwrap().rows().count(), 1 + 1500, "the export holds every match");
}

fn room_rows(extra: Vec<Vec<&str>>) -> Vec<Vec<&str>> {
    let mut rows = vec![
        app::import::ImportKind::Rooms.headers().to_vec(),
        vec!["JLTX", "Ｉ１", "1", "  I1-1-0101  ", "1", "89.25", "72.1", "住宅", "未售", "2025-06-30"],
        vec!["JLTX", "I1", "1", "I1-1-0102", "1", "８９.５", "", "住宅", "空置", ""],
    ];
    rows.extend(extra);
    rows
}

#[tokio::test]
async fn room_import_all_or_nothing_then_clean_rows_with_an_error_report() {
    let app = TestApp::demo().await;
    let s = app.login("manager").await;
    let rows = room_rows(vec![
        vec!["JLTX", "I1", "1", "I1-1-0102", "1", "90", "", "住宅", "未售", ""],
        vec!["NOPE", "I1", "1", "I1-1-0103", "x", "90", "", "城堡", "未售", "2025-13-01"],
    ]);
    let job = import(&s, "rooms", "all_or_nothing", workbook(&rows)).await;
    assert_eq!(job["imported"], 0);
    assert_eq!(job["error_count"], 2);
    let (_, rooms) = s.get("/api/v1/rooms?q=I1-1").await;
    assert_eq!(rooms["total"], 0, "nothing partial");
    let bad = report(&s, &job).await;
    assert_eq!(bad.len(), 2);
    assert_eq!(bad[0].0, "4");
    assert!(bad[0].1.contains("在文件中重复"), "{bad:?}");
    assert!(
        bad[1].1.contains("项目编码 NOPE") && bad[1].1.contains("楼层") && bad[1].1.contains("房间类型") && bad[1].1.contains("交付日期"),
        "every reason: {bad:?}"
    );

    let job = import(&s, "rooms", "clean_rows", workbook(&rows)).await;
    assert_eq!(job["imported"], 2);
    assert_eq!(job["error_count"], 2);
    let (_, rooms) = s.get("/api/v1/rooms?q=I1-1&sort=code").await;
    assert_eq!(rooms["total"], 2);
    assert_eq!(rooms["items"][0]["code"], "I1-1-0101", "trailing spaces trimmed");
    assert_eq!(rooms["items"][1]["building_area_text"], "89.50", "full-width digits read");
    assert_eq!(rooms["items"][0]["building_name"], "I1", "full-width building code matched the same building");
    let again = import(&s, "rooms", "clean_rows", workbook(&room_rows(vec![]))).await;
    assert_eq!(again["imported"], 0, "existing codes are refused");
    assert!(report(&s, &again).await[0].1.contains("已存在"));
    app.assert_visit_and_room_counts_kept().await;
}

#[tokio::test]
async fn customer_import_checks_every_row_and_moves_customers_in() {
    let app = TestApp::demo().await;
    let s = app.login("manager").await;
    import(&s, "rooms", "all_or_nothing", workbook(&room_rows(vec![]))).await;
    let headers = app::import::ImportKind::Customers.headers().to_vec();
    let rows = vec![
        headers,
        vec![
            "君林天下管理处",
            "Ｉ１-1-0101 ",
            "  欧阳锋",
            "个人",
            "居民身份证",
            "11010519491231002x",
            "１３８ ０００１ ２３４５",
            "",
            "",
            "JLTX",
            "I1-1-0101",
            "业主",
            "2025-07-01",
            "",
            "",
        ],
        vec![
            "君林天下管理处",
            "I1-1-0102",
            "黄药师",
            "个人",
            "居民身份证",
            "110105194912310021",
            "13800012346",
            "",
            "",
            "JLTX",
            "I1-1-0102",
            "业主",
            "2025-07-01",
            "",
            "",
        ],
        vec!["君林天下管理处", "I1-1-0101", "洪七公", "个人", "", "", "12345", "", "", "", "", "", "", "", ""],
        vec!["君林天下管理处", "X-9", "段智兴", "个人", "", "", "", "", "", "JLTX", "I9-9-9999", "业主", "2025-07-01", "", ""],
        vec!["君林天下管理处", "X-10", "周伯通", "个人", "", "", "13800012347", "", "", "JLTX", "I1-1-0102", "租户", "2025/07/01", "", ""],
        vec!["火星管理处", "X-11", "王重阳", "", "", "", "", "", "", "", "", "", "", "", ""],
    ];
    let job = import(&s, "customers", "all_or_nothing", workbook(&rows)).await;
    assert_eq!(job["imported"], 0);
    assert_eq!(job["error_count"], 5);
    assert_eq!(s.get("/api/v1/customers?q=欧阳").await.1["total"], 0, "nothing until the file is clean");
    app.assert_customer_counts_kept().await;
    let bad = report(&s, &job).await;
    let reasons: Vec<&str> = bad.iter().map(|(_, r)| r.as_str()).collect();
    assert!(reasons[0].contains("校验位"), "{reasons:?}");
    assert!(reasons[1].contains("在文件中重复") && reasons[1].contains("手机"), "{reasons:?}");
    assert!(reasons[2].contains("房间“I9-9-9999”不存在"), "{reasons:?}");
    assert!(reasons[3].contains("迁入日期") || reasons[3].contains("租期"), "{reasons:?}");
    assert!(reasons[4].contains("火星管理处"), "{reasons:?}");

    let job = import(&s, "customers", "clean_rows", workbook(&rows)).await;
    assert_eq!(job["imported"], 1);
    let (_, found) = s.get("/api/v1/customers?q=欧阳").await;
    assert_eq!(found["total"], 1);
    let c = &found["items"][0];
    assert_eq!(c["name"], "欧阳锋", "leading spaces trimmed");
    assert_eq!(c["code"], "I1-1-0101", "full-width code normalised");
    assert_eq!(c["phones"][0], "13800012345");
    assert_eq!(c["birthday"], "1949-12-31");
    assert_eq!(c["rooms"][0]["role"], "owner");
    assert_eq!(s.get("/api/v1/customers?q=阳锋").await.1["total"], 1, "two-character search finds imported rows by any pair");
    assert_eq!(s.get("/api/v1/customers?q=锋").await.1["total"], 1, "and by one character");
    assert_eq!(s.get("/api/v1/customers?q=黄药").await.1["total"], 0, "refused rows leave no name grams");
    assert_eq!(s.get("/api/v1/customers?q=2345").await.1["total"], 1, "phone suffix search finds imported rows");
    assert_eq!(s.get("/api/v1/customers?q=I1-1-0101").await.1["total"], 1, "room code search finds imported rows");
}

#[tokio::test]
async fn thousands_of_rows_import_in_one_go_with_templates_and_pages() {
    let app = TestApp::demo().await;
    let s = app.login("manager").await;
    let codes: Vec<String> = (0..3000).map(|i| format!("Q{}-{:04}", i / 1000, i % 1000)).collect();
    let mut rows = vec![app::import::ImportKind::Rooms.headers().to_vec()];
    for c in &codes {
        rows.push(vec!["JLHT", "Q", "", c, "2", "80", "", "住宅", "未售", ""]);
    }
    let job = import(&s, "rooms", "all_or_nothing", workbook(&rows)).await;
    assert_eq!(job["imported"], 3000);
    assert_eq!(job["total"], 3000);
    assert_eq!(s.get("/api/v1/rooms?q=Q2-").await.1["total"], 1000);

    // Enough customers that their name grams take several INSERTs.
    let names: Vec<(String, String)> = (0..1500).map(|i| (format!("P-{i:04}"), format!("批量{i:04}"))).collect();
    let mut rows = vec![app::import::ImportKind::Customers.headers().to_vec()];
    for (code, name) in &names {
        rows.push(vec!["君林天下管理处", code, name, "个人", "", "", "", "", "", "", "", "", "", "", ""]);
    }
    let job = import(&s, "customers", "all_or_nothing", workbook(&rows)).await;
    assert_eq!(job["imported"], 1500);
    // 批量0000…批量0999 and 批量1000…批量1499: every imported name has its grams.
    let (_, zeros) = s.get("/api/v1/customers?q=量0").await;
    assert_eq!((&zeros["total"], &zeros["capped"]), (&1000.into(), &Value::Null), "exactly as many as a search lists: all of them");
    assert_eq!(s.get("/api/v1/customers?q=量1").await.1["total"], 500);
    assert_more_matches_than_listed(&s).await;
    app.assert_customer_counts_kept().await;

    for kind in ["rooms", "customers"] {
        let r = s.client.get(format!("{}/imports/templates/{kind}", s.base)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let mut wb: Xlsx<_> = open_workbook_from_rs(Cursor::new(r.bytes().await.unwrap().to_vec())).unwrap();
        let header = wb.worksheet_range_at(0).unwrap().unwrap().rows().next().unwrap().iter().map(|c| c.to_string()).collect::<Vec<_>>();
        assert!(header[0].ends_with('*'), "Chinese headers with required marks: {header:?}");
    }
    let (status, html) = s.page("/imports").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("导入房间") && html.contains("导入客户及入住关系") && html.contains("3000/3000"));
    let engineer = app.login("engineer").await;
    assert_eq!(engineer.page("/imports").await.0, StatusCode::FORBIDDEN);
    let (status, _) = s.get(&format!("/api/v1/imports/{}", job["id"])).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(app.login("agent").await.get(&format!("/api/v1/imports/{}", job["id"])).await.0, StatusCode::NOT_FOUND, "jobs are private");
}
