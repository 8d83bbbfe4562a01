//! `gen-data` at scale S: the generated group is complete, valid, usable
//! through the API and the same for the same seed.

use app::{
    demo::scale::{self, Scale},
    entity::{customer, occupancy, work_order},
};
use reqwest::StatusCode;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect};

use crate::harness::TestApp;

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
    let states = app.assert_order_state_counts_kept().await;
    assert!(states.len() > 8 * 5, "orders of every project in many states: {states:?}");
    // The upgrade that brought the per-state counts filled them from the orders stored.
    use sea_orm_migration::MigratorTrait;
    app::migration::Migrator::down(&app.db.conn, Some(1)).await.unwrap();
    app::migration::Migrator::up(&app.db.conn, None).await.unwrap();
    assert_eq!(app.assert_order_state_counts_kept().await, states);

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

    // It only ever writes into an empty database.
    let again = scale::generate(&app.db, Scale::S, SEED, chrono_tz::Asia::Shanghai, &mut |_| {}).await;
    assert!(matches!(again, Err(app::AppError::Conflict(_))));
}
