//! What the operations need from the data, found once before measuring
//! through the same API: the project, rooms, the 360 customer, the previous
//! month, the deep page of the order list.

use anyhow::{anyhow, bail, Context};
use domain::workorder::WorkOrderState;
use serde::Deserialize;

use crate::{cli::Args, http::Api};

/// Largest page the API serves (`app::list::MAX_PER_PAGE`).
pub const MAX_PER_PAGE: u64 = 100;
/// The list's page size when none is asked for.
pub const DEFAULT_PER_PAGE: u64 = 20;
/// The page of the deep-paging operation.
pub const DEEP_PAGE: u64 = 500;

#[derive(Debug, Deserialize)]
pub struct List<T> {
    pub items: Vec<T>,
    pub total: u64,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Project {
    pub id: i32,
    pub code: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Room {
    pub id: i32,
    pub code: String,
}

#[derive(Debug, Deserialize)]
struct Customer {
    id: i32,
    name: String,
    rooms: Vec<HeldRoom>,
}

#[derive(Debug, Deserialize)]
struct HeldRoom {
    room_code: String,
    role: String,
}

/// Every state code of a work order, as the server stores them.
pub fn state_codes() -> Vec<&'static str> {
    WorkOrderState::ALL.iter().map(|s| s.code()).collect()
}

/// Percent-encodes a query value (names are Chinese).
pub fn enc(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// splitmix64: a stable, seeded sequence without a dependency, so the same
/// seed asks the same queries in every run.
pub fn mix(seed: u64, n: u64) -> u64 {
    let mut z = seed.wrapping_add(n.wrapping_mul(0x9E37_79B9_7F4A_7C15)).wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

pub fn shuffle<T>(items: &mut [T], seed: u64) {
    for i in (1..items.len()).rev() {
        let j = (mix(seed, i as u64) % (i as u64 + 1)) as usize;
        items.swap(i, j);
    }
}

/// Every project the caller sees, page by page.
pub async fn projects(api: &Api) -> anyhow::Result<Vec<Project>> {
    let mut all = Vec::new();
    for page in 1.. {
        let l: List<Project> = api.fetch(&format!("/api/v1/projects?per_page={MAX_PER_PAGE}&page={page}")).await?;
        let done = l.items.is_empty() || all.len() + l.items.len() >= l.total as usize;
        all.extend(l.items);
        if done {
            break;
        }
    }
    Ok(all)
}

pub fn project_by_code(projects: &[Project], code: &str) -> anyhow::Result<Project> {
    projects.iter().find(|p| p.code == code).cloned().ok_or_else(|| {
        let known: Vec<&str> = projects.iter().take(12).map(|p| p.code.as_str()).collect();
        anyhow!("no project with code {code} (pass --project-code; some codes: {})", known.join(", "))
    })
}

/// About `want` rooms from pages spread over the whole room list, so they
/// come from every project, in a seeded random order.
pub async fn rooms(api: &Api, want: u64, seed: u64) -> anyhow::Result<Vec<Room>> {
    let first: List<Room> = api.fetch(&format!("/api/v1/rooms?per_page={MAX_PER_PAGE}&page=1")).await?;
    let pages = first.total.div_ceil(MAX_PER_PAGE).max(1);
    let wanted_pages = want.div_ceil(MAX_PER_PAGE).clamp(1, pages);
    let mut rooms = first.items;
    for i in 1..wanted_pages {
        let page = 1 + i * pages / wanted_pages;
        let l: List<Room> = api.fetch(&format!("/api/v1/rooms?per_page={MAX_PER_PAGE}&page={page}")).await?;
        rooms.extend(l.items);
    }
    if rooms.is_empty() {
        bail!("the server has no rooms");
    }
    shuffle(&mut rooms, seed);
    rooms.truncate(want as usize);
    Ok(rooms)
}

/// The customer whose 360 page is fetched: `--customer-id`, else the owner
/// of `--room-code` found by the customer search.
pub async fn customer_360(api: &Api, args: &Args) -> anyhow::Result<(i32, String)> {
    if let Some(id) = args.customer_id {
        return Ok((id, format!("customer {id}")));
    }
    let code = &args.room_code;
    let found: List<Customer> = api.fetch(&format!("/api/v1/customers?q={}", enc(code))).await?;
    let holds = |c: &Customer, role: &str| c.rooms.iter().any(|r| r.room_code == *code && r.role == role);
    let owner = found.items.iter().find(|c| holds(c, "owner")).or_else(|| found.items.iter().find(|c| holds(c, "tenant")));
    let c = owner.ok_or_else(|| anyhow!("no owner of room {code} found by the customer search (pass --room-code or --customer-id)"))?;
    Ok((c.id, format!("customer {} {} (owner of {code})", c.id, c.name)))
}

/// The previous calendar month in the server's zone: the measures answer
/// the current month by default, and this steps back from it.
pub async fn previous_month(api: &Api) -> anyhow::Result<String> {
    let r: serde_json::Value = api.fetch("/api/v1/work-order-measures").await?;
    let current = r["from"].as_str().ok_or_else(|| anyhow!("measures answer has no `from` month"))?;
    month_before(current).with_context(|| format!("month {current:?}"))
}

fn month_before(month: &str) -> anyhow::Result<String> {
    let (y, m) = month.split_once('-').ok_or_else(|| anyhow!("not YYYY-MM"))?;
    let (y, m): (i32, u32) = (y.parse()?, m.parse()?);
    Ok(if m <= 1 { format!("{}-12", y - 1) } else { format!("{y}-{:02}", m - 1) })
}

/// Orders matching a list query (`total` of a one-row page).
pub async fn order_count(api: &Api, query: &str) -> anyhow::Result<u64> {
    let sep = if query.is_empty() { "" } else { "&" };
    let l: List<serde_json::Value> = api.fetch(&format!("/api/v1/work-orders?per_page=1{sep}{query}")).await?;
    Ok(l.total)
}

/// How page 500 of a project's list is asked: the page size at which it
/// still has rows, and the states that have that many orders.
#[derive(Debug, Clone)]
pub struct DeepList {
    pub per_page: u64,
    pub states: Vec<(&'static str, u64)>,
}

/// Page 500 at the default 20 rows needs 10,000 orders in one state of one
/// project; with fewer, the largest page size that still reaches page 500 is
/// used, and only the states that reach it rotate.
pub async fn deep_list(api: &Api, project: &Project) -> anyhow::Result<Result<DeepList, String>> {
    let mut totals = Vec::new();
    for s in state_codes() {
        totals.push((s, order_count(api, &format!("state={s}&project_id={}", project.id)).await?));
    }
    let largest = totals.iter().map(|(_, n)| *n).max().unwrap_or(0);
    let per_page = (largest / DEEP_PAGE).min(DEFAULT_PER_PAGE);
    if per_page == 0 {
        return Ok(Err(format!(
            "no state of project {} has {DEEP_PAGE} orders (largest: {largest}); page {DEEP_PAGE} is empty at any size",
            project.code
        )));
    }
    let states = totals.into_iter().filter(|(_, n)| *n >= DEEP_PAGE * per_page).collect();
    Ok(Ok(DeepList { per_page, states }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_step_back() {
        assert_eq!(month_before("2026-11").unwrap(), "2026-10");
        assert_eq!(month_before("2027-01").unwrap(), "2026-12");
        assert!(month_before("2026").is_err());
    }

    #[test]
    fn encoding_and_shuffling() {
        assert_eq!(enc("王伟"), "%E7%8E%8B%E4%BC%9F");
        assert_eq!(enc("P001-01-1-0101"), "P001-01-1-0101");
        let mut a: Vec<u32> = (0..50).collect();
        shuffle(&mut a, 7);
        let mut b: Vec<u32> = (0..50).collect();
        shuffle(&mut b, 7);
        assert_eq!(a, b, "same seed, same order");
        assert_ne!(a, (0..50).collect::<Vec<_>>());
        a.sort();
        assert_eq!(a, (0..50).collect::<Vec<_>>());
    }
}
