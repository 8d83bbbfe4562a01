//! `gen-data` at scale S: the generated group is complete, valid, usable
//! through the API and the same for the same seed.

use app::{
    demo::scale::{self, Scale},
    entity::{customer, occupancy, work_order},
};
use std::io::Cursor;

use calamine::{open_workbook_from_rs, Reader, Xlsx};
use reqwest::StatusCode;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect};

use crate::harness::{Session, TestApp};

const SEED: u64 = 7;

async fn generated() -> TestApp {
    let app = TestApp::empty().await;
    let mut steps = Vec::new();
    scale::generate(&app.db, Scale::S, SEED, chrono_tz::Asia::Shanghai, &mut |s| steps.push(s.what)).await.expect("generate");
    assert_eq!(steps.len(), 5, "every step reports: {steps:?}");
    app
}

/// What the seed decides: people and the orders' numbers and kinds.
async fn fingerprint(db: &app::Db) -> Vec<String> {
    let people: Vec<(String, String, String)> = customer::Entity::find()
        .select_only()
        .columns([customer::Column::Code, customer::Column::Name, customer::Column::IdNumber])
        .order_by_asc(customer::Column::Code)
        .limit(200)
        .into_tuple()
        .all(&db.conn)
        .await
        .unwrap();
    let orders: Vec<(String, String, String)> = work_order::Entity::find()
        .select_only()
        .columns([work_order::Column::Number, work_order::Column::Category, work_order::Column::Description])
        // Numbers repeat across companies; the company breaks the tie.
        .order_by_asc(work_order::Column::Number)
        .order_by_asc(work_order::Column::CompanyId)
        .limit(200)
        .into_tuple()
        .all(&db.conn)
        .await
        .unwrap();
    people.into_iter().chain(orders).map(|(a, b, c)| format!("{a}|{b}|{c}")).collect()
}

#[tokio::test]
async fn scale_s_generates_a_whole_valid_group_deterministically() {
    let app = generated().await;
    let counts: std::collections::HashMap<_, _> = scale::counts(&app.db).await.unwrap().into_iter().collect();
    let size = Scale::S.size();
    assert_eq!(counts["项目"], 8);
    assert_eq!(counts["房间"] as usize, 8 * size.rooms_per_project());
    assert_eq!(counts["工单"], 10_000);
    // 85% of rooms lived in, 1.47 people per household over the years.
    let customers = counts["客户"] as f64 / counts["房间"] as f64;
    assert!((1.1..1.4).contains(&customers), "customers per room {customers}");
    assert!(counts["工单处理记录"] > 5 * counts["工单"], "timelines: {counts:?}");
    assert!(counts["回访"] > counts["工单"] / 2, "visits: {counts:?}");
    assert_eq!(counts["账号"], 1 + 4 * 4, "admin and per office one agent and three engineers");
    app.assert_customer_counts_kept().await;
    app.assert_visit_and_room_counts_kept().await;
    let states = app.assert_order_state_counts_kept().await;
    // Which open states the newest orders are in depends on the hour the
    // group is generated (their clocks run from now); closed, voided and
    // accepted ones are always there.
    let projects: std::collections::BTreeSet<_> = states.keys().map(|(project, _)| *project).collect();
    let kinds: std::collections::BTreeSet<_> = states.keys().map(|(_, state)| state.as_str()).collect();
    assert!(projects.len() == 8 && states.len() >= 8 * 3 && kinds.len() >= 5, "orders of every project in many states: {states:?}");
    // The upgrades that brought the per-state, visit and room counts filled
    // them from what was stored.
    use sea_orm_migration::MigratorTrait;
    let all = app::migration::Migrator::migrations();
    let state_tallies = all.iter().position(|m| m.name() == "m20261208_000025_order_state_tallies").unwrap();
    app::migration::Migrator::down(&app.db.conn, Some((all.len() - state_tallies) as u32)).await.unwrap();
    app::migration::Migrator::up(&app.db.conn, None).await.unwrap();
    assert_eq!(app.assert_order_state_counts_kept().await, states);
    app.assert_visit_and_room_counts_kept().await;

    // Resold rooms: the earlier owner's occupancy was ended by the new owner's move-in.
    let ended = occupancy::Entity::find().filter(occupancy::Column::EndDate.is_not_null()).count(&app.db.conn).await.unwrap();
    assert!(ended > 0 && ended < counts["房间"] / 5, "ended occupancies {ended}");

    // Every ID number passes the same check as a typed one.
    let today = app::clock::today();
    let ids: Vec<String> = customer::Entity::find()
        .select_only()
        .column(customer::Column::IdNumber)
        .filter(customer::Column::IdNumber.ne(""))
        .into_tuple()
        .all(&app.db.conn)
        .await
        .unwrap();
    assert!(ids.len() > counts["客户"] as usize / 2);
    for id in &ids {
        assert!(domain::customer::IdCard::parse(id, today).is_ok(), "{id}");
    }

    let other = TestApp::empty().await;
    scale::generate(&other.db, Scale::S, SEED, chrono_tz::Asia::Shanghai, &mut |_| {}).await.unwrap();
    assert_eq!(fingerprint(&app.db).await, fingerprint(&other.db).await, "the same seed gives the same group");
}

/// The workbook of `export` (the first sheet's rows below the heading).
async fn exported(user: &Session, export: &str) -> Vec<Vec<String>> {
    let r = user.client.get(format!("{}{export}", user.base)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK, "{export}");
    let mut wb: Xlsx<_> = open_workbook_from_rs(Cursor::new(r.bytes().await.unwrap().to_vec())).unwrap();
    let sheet = wb.worksheet_range_at(0).unwrap().unwrap();
    sheet.rows().skip(1).map(|row| row.iter().map(|c| c.to_string()).collect()).collect()
}

/// `field` of every item of an API list, read a page of 100 at a time.
async fn listed(user: &Session, api: &str, field: &str) -> Vec<String> {
    let mut values = Vec::new();
    for page in 1.. {
        let sep = if api.contains('?') { '&' } else { '?' };
        let (status, list) = user.get(&format!("{api}{sep}per_page=100&page={page}")).await;
        assert_eq!(status, StatusCode::OK, "{api}");
        let items = list["items"].as_array().unwrap();
        values.extend(items.iter().map(|i| i[field].as_str().unwrap_or_default().to_string()));
        if values.len() as u64 >= list["total"].as_u64().unwrap() || items.is_empty() {
            return values;
        }
    }
    unreachable!()
}

/// An export reads its list a part at a time (`app::list::in_parts`), a
/// page of the API in one: each large list's export holds the rows of
/// every page of its list, in the same order, none twice or lost.
async fn exports_hold_their_whole_lists(admin: &Session) {
    // Rows each list has at least: all but the queue more than one part.
    let parts = app::list::PART + 1;
    let lists = [
        ("/customers/export", "/api/v1/customers", "code", 0, parts),
        ("/property/rooms/export", "/api/v1/rooms", "code", 0, parts),
        ("/occupancy/rooms/export", "/api/v1/room-customers", "room_code", 0, parts),
        ("/occupancy/rooms/export", "/api/v1/room-customers", "owner", 2, parts),
        ("/visits/export", "/api/v1/return-visits", "work_order_number", 4, parts),
        ("/visits/export", "/api/v1/return-visits", "customer_name", 2, parts),
        ("/visits/queue/export", "/api/v1/return-visits/queue", "number", 0, 201),
    ];
    for (export, api, field, column, at_least) in lists {
        let rows = exported(admin, export).await;
        let expected = listed(admin, api, field).await;
        assert!(expected.len() >= at_least, "{export} has {} rows", expected.len());
        let column: Vec<String> = rows.iter().map(|r| r[column].clone()).collect();
        assert_eq!(column, expected, "{export}: {field}");
    }
}

#[tokio::test]
async fn the_generated_group_is_usable_through_the_api_and_scoped() {
    let app = generated().await;
    let admin = app.login("admin").await;
    // The long-history customer the 360 benchmark opens.
    let (status, found) = admin.get("/api/v1/customers?q=P001-01-1-0101").await;
    assert_eq!(status, StatusCode::OK);
    let owner = found["items"].as_array().unwrap().iter().find(|c| c["code"] == "P001-01-1-0101").expect("owner by room code");
    let id = owner["id"].as_i64().unwrap() as i32;
    let history = work_order::Entity::find().filter(work_order::Column::CustomerId.eq(id)).count(&app.db.conn).await.unwrap();
    assert!(history >= 100, "long history: {history} orders");
    let (status, page) = admin.page(&format!("/customers/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("P001-01-1-0101"));

    // Four digits are looked up in the digit grams: the same customers as
    // the substring search of the searched text they replace.
    let first_phone = owner["phones"][0].as_str().unwrap();
    for digits in ["0101", "1010", "8888", "0000", "1990", &first_phone[first_phone.len() - 4..]] {
        let substring = customer::Entity::find()
            .filter(customer::Column::SearchText.contains(digits))
            .filter(customer::Column::Enabled.eq(true))
            .count(&app.db.conn)
            .await
            .unwrap();
        let (_, found) = admin.get(&format!("/api/v1/customers?q={digits}")).await;
        let listed = app::list::KEYWORD_MATCHES_LISTED;
        assert_eq!(found["total"].as_u64().unwrap(), substring.min(listed), "{digits}");
        assert_eq!(found["capped"].as_bool().unwrap_or(false), substring > listed, "{digits}");
    }

    // An office agent logs in with the documented password and sees only
    // the office's projects' orders.
    let agent = app.login("agent001").await;
    let (status, list) = agent.get("/api/v1/work-orders?per_page=100").await;
    assert_eq!(status, StatusCode::OK);
    let total = list["total"].as_u64().unwrap();
    assert!(total > 0 && total < 10_000, "agent001 sees its office only: {total}");
    let own: Vec<i64> = app::entity::project::Entity::find()
        .filter(app::entity::project::Column::Code.is_in(["P001", "P002"]))
        .all(&app.db.conn)
        .await
        .unwrap()
        .into_iter()
        .map(|p| p.id as i64)
        .collect();
    for o in list["items"].as_array().unwrap() {
        assert!(own.contains(&o["project_id"].as_i64().unwrap()), "office 1 has P001 and P002 only: {o}");
    }

    // The export takes every one of them, in the list's order, although the
    // list makes its views a thousand at a time.
    let r = agent.client.get(format!("{}/workorders/export", agent.base)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let mut wb: Xlsx<_> = open_workbook_from_rs(Cursor::new(r.bytes().await.unwrap().to_vec())).unwrap();
    let sheet = wb.worksheet_range_at(0).unwrap().unwrap();
    let numbers: Vec<String> = sheet.rows().skip(1).map(|row| row[0].to_string()).collect();
    assert!(total > 2_000, "the export crosses several parts of views: {total} orders");
    assert_eq!(numbers.len() as u64, total, "every order once");
    let mut newest_first: Vec<(i32, String)> = work_order::Entity::find()
        .filter(work_order::Column::ProjectId.is_in(own.iter().map(|id| *id as i32)))
        .select_only()
        .column(work_order::Column::Id)
        .column(work_order::Column::Number)
        .into_tuple()
        .all(&app.db.conn)
        .await
        .unwrap();
    newest_first.sort_by_key(|(id, _)| std::cmp::Reverse(*id));
    assert_eq!(numbers, newest_first.into_iter().map(|(_, n)| n).collect::<Vec<_>>(), "newest first, none twice or lost");
    assert_eq!(sheet.rows().nth(1).unwrap()[1].to_string(), list["items"][0]["state_label"].as_str().unwrap(), "the cells' text");

    exports_hold_their_whole_lists(&admin).await;
    // The room table's 入伙 note: a group's projects in one total, a project
    // chosen its own, an office's few one by one.
    let note = |html: String| html.split("已入伙房间：").nth(1).and_then(|r| r.split('<').next()).unwrap_or_default().to_string();
    let per_project = Scale::S.size().rooms_per_project();
    let (_, group) = admin.page("/occupancy/rooms").await;
    assert_eq!(note(group), format!("8 个项目共 0/{}（选择项目查看该项目）", 8 * per_project));
    let (_, projects) = admin.get("/api/v1/projects?per_page=100").await;
    let p001 = projects["items"].as_array().unwrap().iter().find(|p| p["code"] == "P001").unwrap();
    let name = p001["name"].as_str().unwrap();
    let (_, chosen) = admin.page(&format!("/occupancy/rooms?project_id={}", p001["id"])).await;
    assert_eq!(note(chosen), format!("{name} 0/{per_project}"));
    let (_, office) = agent.page("/occupancy/rooms").await;
    assert!(note(office).starts_with(&format!("{name} 0/{per_project}，")), "an office's projects one by one");
    // The visit queue counts from the kept counts, of one project too.
    for project in &own {
        let waiting = work_order::Entity::find()
            .filter(work_order::Column::State.eq("accepted"))
            .filter(work_order::Column::ProjectId.eq(*project as i32))
            .count(&app.db.conn)
            .await
            .unwrap();
        let (_, queue) = admin.get(&format!("/api/v1/return-visits/queue?project_id={project}")).await;
        assert!(waiting > 0 && queue["total"] == waiting, "{waiting} waiting in project {project}: {}", queue["total"]);
    }

    // It only ever writes into an empty database.
    let again = scale::generate(&app.db, Scale::S, SEED, chrono_tz::Asia::Shanghai, &mut |_| {}).await;
    assert!(matches!(again, Err(app::AppError::Conflict(_))));
}
