//! Service measures (SLA-3): a known set of orders, driven through their
//! lives over the API, then dated into past months; the API, the page and
//! the Excel export must show the hand-computed figures per project,
//! category, engineer and month, plus the total row; another company sees
//! none of it.

use std::io::Cursor;

use calamine::{open_workbook_from_rs, Reader, Xlsx};
use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use reqwest::StatusCode;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, EntityTrait, IntoActiveModel};
use serde_json::{json, Value};

use app::entity::{work_order, work_order_tally};

use crate::harness::{id_where, Session, TestApp};

/// A time in the company's zone (Asia/Shanghai), `2025-09-10 10:00`.
fn local(s: &str) -> DateTime<Utc> {
    let naive = NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap();
    chrono_tz::Asia::Shanghai.from_local_datetime(&naive).unwrap().with_timezone(&Utc)
}

#[derive(Clone, Copy, PartialEq)]
enum Life {
    Pending,
    Voided,
    InProgress,
    Completed,
    /// Completed, rejected by the customer (验收未通过), completed again.
    Rejected,
}

/// One order of the data set and the facts the API cannot fake.
struct Spec {
    project: &'static str,
    category: &'static str,
    /// 0: 张伟 (engineer), 1: 王建国 (manager), None: not dispatched.
    engineer: Option<usize>,
    life: Life,
    created: &'static str,
    due: Option<&'static str>,
    completed: Option<&'static str>,
    /// The satisfaction code of a return visit.
    visit: Option<&'static str>,
}

/// An order: (project, category, engineer), its life, (created, due,
/// completed) and the satisfaction of its visit.
type Who = (&'static str, &'static str, Option<usize>);
type When = (&'static str, Option<&'static str>, Option<&'static str>);

const fn spec(who: Who, life: Life, when: When, visit: Option<&'static str>) -> Spec {
    Spec { project: who.0, category: who.1, engineer: who.2, life, created: when.0, due: when.1, completed: when.2, visit }
}

/// The data set; the expected figures below are computed by hand from it.
const ORDERS: [Spec; 10] = [
    // September 2025.
    spec(
        ("JLTX", "水电", Some(0)),
        Life::Completed,
        ("2025-09-10 10:00", Some("2025-09-12 18:00"), Some("2025-09-11 10:00")),
        Some("very_satisfied"),
    ),
    spec(
        ("JLTX", "水电", Some(0)),
        Life::Rejected,
        ("2025-09-10 10:00", Some("2025-09-11 18:00"), Some("2025-09-12 22:00")),
        Some("neutral"),
    ),
    spec(("JLTX", "门窗", Some(1)), Life::Completed, ("2025-09-15 10:00", Some("2025-09-16 18:00"), Some("2025-09-15 16:00")), None),
    spec(("JLHT", "水电", Some(1)), Life::InProgress, ("2025-09-16 10:00", Some("2025-09-20 18:00"), None), None),
    spec(("JLHT", "门窗", None), Life::Voided, ("2025-09-17 10:00", Some("2025-09-20 18:00"), None), None),
    // Open and not yet due: in no timeliness denominator.
    spec(("JLHT", "门窗", None), Life::Pending, ("2025-09-18 10:00", None, None), None),
    // October 2025.
    spec(
        ("JLTX", "水电", Some(0)),
        Life::Completed,
        ("2025-10-08 10:00", Some("2025-10-09 18:00"), Some("2025-10-08 13:00")),
        Some("satisfied"),
    ),
    // No due time: timely when completed.
    spec(("JLHT", "门窗", Some(0)), Life::Completed, ("2025-10-20 10:00", None, Some("2025-10-21 10:30")), Some("dissatisfied")),
    // The last half hour of October in Shanghai (15:30 UTC).
    spec(("JLTX", "水电", Some(1)), Life::Completed, ("2025-10-31 23:30", Some("2025-11-02 18:00"), Some("2025-11-01 01:30")), None),
    // The first half hour of November in Shanghai, still October 31st in UTC.
    spec(("JLTX", "水电", Some(1)), Life::Completed, ("2025-11-01 00:30", Some("2025-11-02 18:00"), Some("2025-11-01 02:30")), None),
];

async fn act(s: &Session, o: Value, action: &str, extra: Value) -> Value {
    let mut body = json!({"version": o["version"], "action": action});
    body.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
    let (status, after) = s.post(&format!("/api/v1/work-orders/{}/actions", o["id"]), body).await;
    assert_eq!(status, StatusCode::OK, "{action}: {after}");
    after
}

struct World {
    app: TestApp,
    manager: Session,
    agent: Session,
    /// Project code → id.
    projects: Vec<(String, i64)>,
    /// 张伟, 王建国.
    engineers: [i64; 2],
}

impl World {
    fn project(&self, code: &str) -> i64 {
        self.projects.iter().find(|(c, _)| c == code).unwrap().1
    }
}

/// Drives one order through its life like the people would, then sets its
/// dates and visit in the database.
async fn build(w: &World, eng: &Session, s: &Spec) {
    let body = json!({"project_id": w.project(s.project), "public_area": "3栋电梯厅", "category": s.category, "kind": "internal", "priority": "normal", "description": "公共区域报修"});
    let (status, mut o) = w.agent.post("/api/v1/work-orders", body).await;
    assert_eq!(status, StatusCode::OK, "{o}");
    let handler = s.engineer.map(|e| (w.engineers[e], if e == 0 { eng } else { &w.manager }));
    if s.life == Life::Voided {
        o = act(&w.manager, o, "void", json!({"note": "重复报修"})).await;
    }
    if let Some((id, by)) = handler {
        o = act(&w.agent, o, "dispatch", json!({"assignee_id": id})).await;
        o = act(by, o, "start", json!({})).await;
        if matches!(s.life, Life::Completed | Life::Rejected) {
            o = act(by, o, "complete", json!({"result": "已修复"})).await;
        }
        if s.life == Life::Rejected {
            o = act(&w.manager, o, "customer_reject", json!({"note": "仍然漏水"})).await;
            o = act(by, o, "complete", json!({"result": "更换阀门"})).await;
        }
        if matches!(s.life, Life::Completed | Life::Rejected) {
            o = act(&w.manager, o, "customer_accept", json!({})).await;
        }
        if s.visit.is_some() {
            // The visit's answers are set below with the rest of the facts.
            let visit = json!({"work_order_id": o["id"], "version": o["version"], "method": "phone", "satisfaction": "satisfied"});
            let (status, v) = w.manager.post("/api/v1/return-visits", visit).await;
            assert_eq!(status, StatusCode::OK, "{v}");
            o = w.manager.get(&format!("/api/v1/work-orders/{}", o["id"])).await.1;
        }
    }
    assert_eq!(o["reopen_count"], i64::from(s.life == Life::Rejected));
    let model = work_order::Entity::find_by_id(o["id"].as_i64().unwrap() as i32).one(&w.app.db.conn).await.unwrap().unwrap();
    let mut am = model.into_active_model();
    am.created_at = Set(local(s.created));
    // An open order not yet due stays due a month from now.
    am.complete_due = Set(match (s.due, s.life) {
        (None, Life::Pending) => Some(Utc::now() + chrono::Duration::days(30)),
        (due, _) => due.map(local),
    });
    am.completed_at = Set(s.completed.map(local));
    am.visited_at = Set(s.visit.and(s.completed).map(local));
    am.satisfaction = Set(s.visit.unwrap_or_default().to_string());
    am.update(&w.app.db.conn).await.unwrap();
    // Set under the application, as an operator would: the kept tallies are
    // counted again from the orders.
    app::workorder::tally::rebuild(&w.app.db, chrono_tz::Asia::Shanghai).await.unwrap();
}

async fn world() -> (World, Session) {
    let app = TestApp::demo().await;
    let manager = app.login("manager").await;
    let agent = app.login("agent").await;
    let eng = app.login("engineer").await;
    let (_, projects) = manager.get("/api/v1/projects").await;
    let projects = projects["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["code"].as_str().unwrap().to_string(), p["id"].as_i64().unwrap()))
        .collect();
    let (_, users) = manager.get("/api/v1/users?per_page=100").await;
    let engineers = [id_where(&users, "username", "engineer"), id_where(&users, "username", "manager")];
    (World { app, manager, agent, projects, engineers }, eng)
}

/// A row as the page shows it: label, 工单数, 已完工, 超时, 及时率, 一次修复率,
/// 平均处理时长, 回访率, 满意率.
type Figures = [&'static str; 9];

fn api_row(row: &Value) -> Vec<String> {
    let m = &row["measures"];
    let rate = |k: &str| m[k]["text"].as_str().unwrap().to_string();
    vec![
        row["label"].as_str().unwrap().to_string(),
        m["orders"].to_string(),
        m["completed"].to_string(),
        m["overdue"].to_string(),
        rate("timeliness"),
        rate("first_time_fix"),
        m["average_handling_hours"].as_str().unwrap().to_string(),
        rate("return_visit"),
        rate("satisfaction"),
    ]
}

fn expected(rows: &[Figures]) -> Vec<Vec<String>> {
    rows.iter().map(|r| r.iter().map(|c| c.to_string()).collect()).collect()
}

/// The rows of the page's table, as the text of their cells.
fn page_rows(html: &str) -> Vec<Vec<String>> {
    let body = html.split("<tbody>").nth(1).unwrap().split("</tbody>").next().unwrap();
    let strip = |cell: &str| {
        let mut out = String::new();
        let mut in_tag = false;
        for ch in cell.chars() {
            match ch {
                '<' => in_tag = true,
                '>' => in_tag = false,
                c if !in_tag => out.push(c),
                _ => {}
            }
        }
        out.trim().to_string()
    };
    body.split("</tr>")
        .filter(|r| r.contains("<td"))
        .map(|r| r.split("<td").skip(1).map(|c| strip(&format!("<td{}", c.split("</td>").next().unwrap()))).collect())
        .collect()
}

async fn api(s: &Session, query: &str) -> Value {
    let (status, body) = s.get(&format!("/api/v1/work-order-measures?{query}")).await;
    assert_eq!(status, StatusCode::OK, "{query}: {body}");
    body
}

/// The API's rows plus its total, and the page's table, both equal `rows`.
async fn assert_report(s: &Session, query: &str, rows: &[Figures]) {
    let body = api(s, query).await;
    let mut got: Vec<Vec<String>> = body["rows"].as_array().unwrap().iter().map(api_row).collect();
    got.push(api_row(&body["total"]));
    assert_eq!(got, expected(rows), "API {query}");
    let (status, html) = s.page(&format!("/reports/workorder-measures?{query}")).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert_eq!(page_rows(&html), expected(rows), "page {query}");
}

const PERIOD: &str = "from=2025-09&to=2025-10";
const TOTAL: Figures = ["合计", "8", "6", "2", "71.4%", "83.3%", "19.9", "66.7%", "50.0%"];

#[tokio::test]
async fn measures_per_project_category_engineer_and_month() {
    let (w, eng) = world().await;
    for s in &ORDERS {
        build(&w, &eng, s).await;
    }
    let m = &w.manager;

    assert_report(
        m,
        &format!("group_by=project&{PERIOD}"),
        &[
            ["君林华庭", "3", "1", "1", "50.0%", "100.0%", "24.5", "100.0%", "0.0%"],
            ["君林天下", "5", "5", "1", "80.0%", "80.0%", "19.0", "60.0%", "66.7%"],
            TOTAL,
        ],
    )
    .await;
    assert_report(
        m,
        &format!("group_by=category&{PERIOD}"),
        &[
            ["水电", "5", "4", "2", "60.0%", "75.0%", "22.3", "75.0%", "66.7%"],
            ["门窗", "3", "2", "0", "100.0%", "100.0%", "15.3", "50.0%", "0.0%"],
            TOTAL,
        ],
    )
    .await;
    assert_report(
        m,
        &format!("group_by=engineer&{PERIOD}"),
        &[
            ["张伟", "4", "4", "1", "75.0%", "75.0%", "27.9", "100.0%", "50.0%"],
            ["王建国", "3", "2", "1", "66.7%", "100.0%", "4.0", "0.0%", "—"],
            ["未派工", "1", "0", "0", "—", "—", "—", "—", "—"],
            TOTAL,
        ],
    )
    .await;
    assert_report(
        m,
        &format!("group_by=month&{PERIOD}"),
        &[
            ["2025-09", "5", "3", "2", "50.0%", "66.7%", "30.0", "66.7%", "50.0%"],
            ["2025-10", "3", "3", "0", "100.0%", "100.0%", "9.8", "66.7%", "50.0%"],
            TOTAL,
        ],
    )
    .await;

    // Numerators and denominators of the total.
    let body = api(m, PERIOD).await;
    let t = &body["total"]["measures"];
    let pair = |k: &str| (t[k]["numerator"].as_u64().unwrap(), t[k]["denominator"].as_u64().unwrap());
    assert_eq!(pair("timeliness"), (5, 7));
    assert_eq!(pair("first_time_fix"), (5, 6));
    assert_eq!(pair("return_visit"), (4, 6));
    assert_eq!(pair("satisfaction"), (2, 4));
    assert_eq!(t["handling_seconds"], 119 * 3600 + 1800);
    assert_eq!(body["group_by"], "project", "by project unless asked");
    assert_eq!((body["from"].as_str(), body["to"].as_str()), (Some("2025-09"), Some("2025-10")));

    // Filters: one project by engineer, one engineer by month, one category.
    let jltx = w.project("JLTX");
    assert_report(
        m,
        &format!("group_by=engineer&{PERIOD}&project_id={jltx}"),
        &[
            ["张伟", "3", "3", "1", "66.7%", "66.7%", "29.0", "100.0%", "66.7%"],
            ["王建国", "2", "2", "0", "100.0%", "100.0%", "4.0", "0.0%", "—"],
            ["合计", "5", "5", "1", "80.0%", "80.0%", "19.0", "60.0%", "66.7%"],
        ],
    )
    .await;
    assert_report(
        m,
        &format!("group_by=month&{PERIOD}&engineer_id={}", w.engineers[0]),
        &[
            ["2025-09", "2", "2", "1", "50.0%", "50.0%", "42.0", "100.0%", "50.0%"],
            ["2025-10", "2", "2", "0", "100.0%", "100.0%", "13.8", "100.0%", "50.0%"],
            ["合计", "4", "4", "1", "75.0%", "75.0%", "27.9", "100.0%", "50.0%"],
        ],
    )
    .await;
    let body = api(m, &format!("{PERIOD}&category=门窗")).await;
    assert_eq!(api_row(&body["total"]), expected(&[["合计", "3", "2", "0", "100.0%", "100.0%", "15.3", "50.0%", "0.0%"]])[0]);

    // The month is the company's: 00:30 on November 1st in Shanghai is November.
    assert_report(
        m,
        "group_by=month&from=2025-11&to=2025-11",
        &[
            ["2025-11", "1", "1", "0", "100.0%", "100.0%", "2.0", "0.0%", "—"],
            ["合计", "1", "1", "0", "100.0%", "100.0%", "2.0", "0.0%", "—"],
        ],
    )
    .await;
    // A month without orders is a row of zeros, never a gap.
    assert_report(
        m,
        "group_by=month&from=2025-08&to=2025-09",
        &[
            ["2025-08", "0", "0", "0", "—", "—", "—", "—", "—"],
            ["2025-09", "5", "3", "2", "50.0%", "66.7%", "30.0", "66.7%", "50.0%"],
            ["合计", "5", "3", "2", "50.0%", "66.7%", "30.0", "66.7%", "50.0%"],
        ],
    )
    .await;

    // The Excel export holds the same rows under the same headings.
    let (_, html) = m.page(&format!("/reports/workorder-measures?group_by=project&{PERIOD}")).await;
    assert!(
        html.contains("/reports/workorder-measures/export?group_by=project&#38;from=2025-09&#38;to=2025-10"),
        "the export link keeps the filters"
    );
    let r = m.client.get(format!("{}/reports/workorder-measures/export?group_by=project&{PERIOD}", m.base)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let bytes = r.bytes().await.unwrap().to_vec();
    assert_eq!(&bytes[..4], b"PK\x03\x04", "an xlsx file");
    let mut wb: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes)).unwrap();
    let sheet = wb.worksheet_range_at(0).unwrap().unwrap();
    let cells: Vec<Vec<String>> = sheet.rows().map(|r| r.iter().map(|c| c.to_string()).collect()).collect();
    assert_eq!(cells[0], ["项目", "工单数", "已完工", "超时", "及时率", "一次修复率", "平均处理时长（小时）", "回访率", "满意率"]);
    assert_eq!(cells[1..], page_rows(&html)[..]);

    // The agent may view but not export.
    let (_, html) = w.agent.page(&format!("/reports/workorder-measures?{PERIOD}")).await;
    assert!(!html.contains("导出 Excel") && html.contains("71.4%"));
    assert_eq!(w.agent.page(&format!("/reports/workorder-measures/export?{PERIOD}")).await.0, StatusCode::FORBIDDEN);

    // The other company sees none of it.
    let gz = w.app.login("gz_agent").await;
    let body = api(&gz, &format!("group_by=project&{PERIOD}")).await;
    assert_eq!(body["rows"], json!([]));
    assert_eq!(api_row(&body["total"]), expected(&[["合计", "0", "0", "0", "—", "—", "—", "—", "—"]])[0]);
    let (status, html) = gz.page(&format!("/reports/workorder-measures?{PERIOD}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(page_rows(&html), expected(&[["合计", "0", "0", "0", "—", "—", "—", "—", "—"]]));
    assert!(!html.contains("君林"), "no Shenzhen project is offered");
    assert_eq!(gz.get(&format!("/api/v1/work-order-measures?{PERIOD}&project_id={jltx}")).await.0, StatusCode::NOT_FOUND);
    assert_eq!(gz.get(&format!("/api/v1/work-order-measures?{PERIOD}&engineer_id={}", w.engineers[0])).await.0, StatusCode::NOT_FOUND);
    assert_eq!(gz.page(&format!("/reports/workorder-measures?{PERIOD}&project_id={jltx}")).await.0, StatusCode::NOT_FOUND);
}

/// The rules at their edges, summed by the database: completing exactly at
/// the due time is on time, a minute after is late, an open order past its
/// due time is late, and only the two satisfied codes count.
#[tokio::test]
async fn the_rules_at_their_edges() {
    let (w, eng) = world().await;
    let who = ("JLTX", "水电", Some(0));
    let edges = [
        spec(who, Life::Completed, ("2025-08-01 10:00", Some("2025-08-02 10:00"), Some("2025-08-02 10:00")), Some("very_satisfied")),
        spec(who, Life::Completed, ("2025-08-03 10:00", Some("2025-08-04 10:00"), Some("2025-08-04 10:01")), Some("satisfied")),
        spec(who, Life::Completed, ("2025-08-05 10:00", None, Some("2025-08-05 12:00")), Some("neutral")),
        spec(who, Life::Completed, ("2025-08-06 10:00", Some("2025-08-07 10:00"), Some("2025-08-06 11:00")), Some("dissatisfied")),
        spec(who, Life::Completed, ("2025-08-07 10:00", Some("2025-08-08 10:00"), Some("2025-08-07 13:00")), Some("very_dissatisfied")),
        spec(who, Life::InProgress, ("2025-08-08 10:00", Some("2025-08-09 10:00"), None), None),
    ];
    for s in &edges {
        build(&w, &eng, s).await;
    }
    // 24 h + 24 h 1 min + 2 h + 1 h + 3 h over 5 = 10.80 h.
    let row = ["君林天下", "6", "5", "2", "66.7%", "100.0%", "10.8", "100.0%", "40.0%"];
    assert_report(&w.manager, "from=2025-08&to=2025-08", &[row, ["合计", row[1], row[2], row[3], row[4], row[5], row[6], row[7], row[8]]])
        .await;
    let t = &api(&w.manager, "from=2025-08&to=2025-08").await["total"]["measures"];
    assert_eq!(t["handling_seconds"], (24 + 24 + 2 + 1 + 3) * 3600 + 60);
}

#[tokio::test]
async fn this_months_measures_are_on_the_workbench() {
    let (w, eng) = world().await;
    let (_, html) = w.manager.page("/").await;
    assert!(html.contains("本月服务指标") && html.contains("工单 0 · 已完工 0 · 超时 0"), "an empty month");
    let body = json!({"project_id": w.project("JLTX"), "public_area": "会所", "category": "水电", "kind": "internal", "priority": "normal", "description": "灯不亮"});
    let (_, o) = w.agent.post("/api/v1/work-orders", body).await;
    let o = act(&w.agent, o, "dispatch", json!({"assignee_id": w.engineers[0]})).await;
    let o = act(&eng, o, "start", json!({})).await;
    act(&eng, o, "complete", json!({"result": "更换灯管"})).await;
    let (_, html) = w.manager.page("/").await;
    assert!(html.contains("工单 1 · 已完工 1 · 超时 0"), "{html}");
    assert!(html.contains("title=\"1 / 1\">100.0%<"), "timely and fixed the first time");
    assert!(html.contains("href=\"/reports/workorder-measures\""), "the card opens the report");
    let (_, body) = w.manager.get("/api/v1/workbench").await;
    assert_eq!(body["service_measures"]["timeliness"]["text"], "100.0%");
    assert_eq!(body["service_measures"]["return_visit"]["text"], "0.0%");
}

#[tokio::test]
async fn a_bad_period_is_refused_with_the_reason() {
    let (w, _) = world().await;
    let (status, body) = w.manager.get("/api/v1/work-order-measures?from=2025-13&to=2025-10").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["error"]["fields"]["from"], "起始月份格式应为 2026-11");
    let (status, body) = w.manager.get("/api/v1/work-order-measures?from=2025-10&to=2025-09").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["error"]["fields"]["to"], "结束月份不能早于起始月份");
    let (status, body) = w.manager.get("/api/v1/work-order-measures?group_by=room").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body["error"]["fields"]["group_by"].is_string());
    let (status, html) = w.manager.page("/reports/workorder-measures?from=2024-01&to=2025-06").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("统计区间最长 12 个月") && html.contains("value=\"2024-01\""), "the typed months are kept");
}

/// The kept tallies, in key order, without the rows whose orders were all
/// voided (a row of zeros, which counting again does not write).
async fn kept_tallies(app: &TestApp) -> Vec<work_order_tally::Model> {
    let mut rows = work_order_tally::Entity::find().all(&app.db.conn).await.unwrap();
    rows.retain(|t| {
        [t.orders, t.completed, t.on_time, t.first_time, t.completed_visited, t.visited, t.satisfied, t.handling_seconds]
            .iter()
            .any(|n| *n != 0)
    });
    rows.sort_by(|a, b| (a.project_id, &a.month).cmp(&(b.project_id, &b.month)));
    rows
}

fn stat(workbench: &Value, label: &str) -> Value {
    workbench["stats"].as_array().unwrap().iter().find(|s| s["label"] == label).unwrap_or_else(|| panic!("no {label}"))["value"].clone()
}

async fn visit(w: &World, o: &Value, satisfaction: &str, follow_up: &str) -> Value {
    let body = json!({"work_order_id": o["id"], "version": o["version"], "method": "phone", "satisfaction": satisfaction, "follow_up": follow_up, "content": "维修后仍有问题"});
    let (status, v) = w.manager.post("/api/v1/return-visits", body).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    w.manager.get(&format!("/api/v1/work-orders/{}", o["id"])).await.1
}

/// Every step of an order's life moves the kept tallies as counting them
/// from the orders would; the report by project or month (read from the
/// tallies) agrees with the report by category or engineer (summed from the
/// orders) and with the workbench's card.
#[tokio::test]
async fn the_kept_tallies_follow_every_step_of_an_orders_life() {
    let (w, eng) = world().await;
    let new = |project: &str, category: &str| {
        let body = json!({"project_id": w.project(project), "public_area": "会所", "category": category, "kind": "internal", "priority": "normal", "description": "公共区域报修"});
        let agent = &w.agent;
        async move {
            let (status, o) = agent.post("/api/v1/work-orders", body).await;
            assert_eq!(status, StatusCode::OK, "{o}");
            o
        }
    };
    let started = |o: Value| {
        let (agent, eng, engineer) = (&w.agent, &eng, w.engineers[0]);
        async move {
            let o = act(agent, o, "dispatch", json!({"assignee_id": engineer})).await;
            act(eng, o, "start", json!({})).await
        }
    };
    // Waiting, not dispatched.
    new("JLHT", "门窗").await;
    // Voided.
    let o = new("JLHT", "水电").await;
    act(&w.manager, o, "void", json!({"note": "重复报修"})).await;
    // Waited on the customer, resumed.
    let o = started(new("JLTX", "门窗").await).await;
    let o = act(&eng, o, "wait_customer", json!({})).await;
    act(&eng, o, "resume", json!({})).await;
    // Completed, accepted, visited satisfied, closed.
    let o = act(&eng, started(new("JLTX", "水电").await).await, "complete", json!({"result": "已修复"})).await;
    let o = act(&w.manager, o, "customer_accept", json!({})).await;
    let o = visit(&w, &o, "satisfied", "none").await;
    act(&w.manager, o, "close", json!({})).await;
    // Rejected, completed again, visited dissatisfied and reopened.
    let o = act(&eng, started(new("JLTX", "水电").await).await, "complete", json!({"result": "已修复"})).await;
    let o = act(&w.manager, o, "customer_reject", json!({"note": "仍然漏水"})).await;
    let o = act(&eng, o, "complete", json!({"result": "更换阀门"})).await;
    let o = act(&w.manager, o, "customer_accept", json!({})).await;
    let o = visit(&w, &o, "dissatisfied", "reopen").await;
    assert_eq!(o["reopen_count"], 2, "{o}");
    // Dispatched and past its completion due time: late by the clock alone,
    // which the tallies do not keep.
    let o = act(&w.agent, new("JLHT", "门窗").await, "dispatch", json!({"assignee_id": w.engineers[0]})).await;
    let row = work_order::Entity::find_by_id(o["id"].as_i64().unwrap() as i32).one(&w.app.db.conn).await.unwrap().unwrap();
    let mut am = row.into_active_model();
    am.complete_due = Set(Some(Utc::now() - chrono::Duration::hours(1)));
    am.update(&w.app.db.conn).await.unwrap();

    // Accepted, waiting for its return visit.
    let o = act(&eng, started(new("JLHT", "水电").await).await, "complete", json!({"result": "已修复"})).await;
    act(&w.manager, o, "customer_accept", json!({})).await;

    let states = w.app.assert_order_state_counts_kept().await;
    assert!(states.keys().any(|(_, s)| s == "accepted") && states.keys().any(|(_, s)| s == "pending_dispatch"), "{states:?}");
    let (_, bench) = w.manager.get("/api/v1/workbench").await;
    let (_, waiting) = w.manager.get("/api/v1/work-orders?state=pending_dispatch&per_page=1").await;
    let (_, queue) = w.manager.get("/api/v1/return-visits/queue?per_page=1").await;
    assert_eq!(stat(&bench, "待派工工单"), waiting["total"], "{bench}");
    assert_eq!(stat(&bench, "待回访工单"), queue["total"], "{bench}");
    assert_eq!(queue["total"], 1);
    let gz = w.app.login("gz_agent").await;
    let (_, theirs) = gz.get("/api/v1/workbench").await;
    assert_eq!(stat(&theirs, "待派工工单"), 0, "another company's orders are not counted");
    assert_eq!(stat(&theirs, "待回访工单"), 0);

    let kept = kept_tallies(&w.app).await;
    assert_eq!(kept.len(), 2, "a row for each project this month: {kept:?}");
    // Counting again also counts the orders per state (after an edit by hand, OPERATIONS.md).
    app::entity::work_order_state_tally::Entity::delete_many().exec(&w.app.db.conn).await.unwrap();
    app::workorder::tally::rebuild(&w.app.db, chrono_tz::Asia::Shanghai).await.unwrap();
    assert_eq!(kept, kept_tallies(&w.app).await, "kept as counted from the orders");
    assert_eq!(w.app.assert_order_state_counts_kept().await, states);

    let total = |group_by: &'static str| {
        let m = &w.manager;
        async move { api(m, &format!("group_by={group_by}")).await["total"]["measures"].clone() }
    };
    let by_project = total("project").await;
    for other in ["month", "category", "engineer"] {
        assert_eq!(total(other).await, by_project, "by {other}");
    }
    assert_eq!(by_project["orders"], 6, "{by_project}");
    assert_eq!(by_project["completed"], 3);
    assert_eq!(by_project["overdue"], 1, "the open order past due");
    assert_eq!(by_project["timeliness"]["text"], "75.0%");
    assert_eq!(by_project["first_time_fix"]["text"], "66.7%");
    assert_eq!(by_project["return_visit"]["text"], "66.7%", "the accepted order is not visited yet");
    assert_eq!(by_project["satisfaction"]["text"], "50.0%");
    let (_, bench) = w.manager.get("/api/v1/workbench").await;
    assert_eq!(bench["service_measures"], by_project, "the workbench's card");
    // One project, read from its tallies, against its categories summed.
    let jltx = w.project("JLTX");
    let one = api(&w.manager, &format!("group_by=project&project_id={jltx}")).await["total"]["measures"].clone();
    assert_eq!(one, api(&w.manager, &format!("group_by=category&project_id={jltx}")).await["total"]["measures"]);
    assert_eq!(one["orders"], 3);
}

/// The months of the tallies are the configured zone's: in another zone
/// they are counted again, once.
#[tokio::test]
async fn the_tallies_are_counted_again_in_another_zone() {
    let (w, _) = world().await;
    let body = json!({"project_id": w.project("JLTX"), "public_area": "会所", "category": "水电", "kind": "internal", "priority": "normal", "description": "灯不亮"});
    let (_, o) = w.agent.post("/api/v1/work-orders", body).await;
    let row = work_order::Entity::find_by_id(o["id"].as_i64().unwrap() as i32).one(&w.app.db.conn).await.unwrap().unwrap();
    let mut am = row.into_active_model();
    // November in Shanghai, still October in UTC.
    am.created_at = Set(local("2025-11-01 00:30"));
    am.update(&w.app.db.conn).await.unwrap();
    let shanghai = chrono_tz::Asia::Shanghai;
    app::workorder::tally::rebuild(&w.app.db, shanghai).await.unwrap();
    let months = |rows: Vec<work_order_tally::Model>| rows.into_iter().map(|t| t.month).collect::<Vec<_>>();
    assert_eq!(months(kept_tallies(&w.app).await), ["2025-11"]);
    assert!(!app::workorder::tally::keep_in_zone(&w.app.db, shanghai).await.unwrap(), "the same zone: kept as they are");
    assert!(app::workorder::tally::keep_in_zone(&w.app.db, chrono_tz::UTC).await.unwrap(), "another zone: counted again");
    assert_eq!(months(kept_tallies(&w.app).await), ["2025-10"]);
    assert!(!app::workorder::tally::keep_in_zone(&w.app.db, chrono_tz::UTC).await.unwrap(), "once");
}
