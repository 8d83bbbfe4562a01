//! Choosing the period of the work-order export so that about N rows come
//! out: the orders reported in the newest `d` days (the list's 报修日期
//! filter, `created_from`/`created_to`, indexed), with `d` found by
//! bisection — about a dozen counts, each an index range.

use chrono::{DateTime, Duration, NaiveDate, Utc};

use crate::{
    http::Api,
    setup::{order_count, List},
};

/// The longest period tried, in days.
const MAX_DAYS: i64 = 4000;

#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    /// The query string of both the list API and the export page.
    pub query: String,
    pub days: i64,
    pub rows: u64,
    pub counts_asked: usize,
}

/// Where order counts come from: the list API, or a model in the tests.
trait Counter {
    async fn count(&mut self, query: &str) -> anyhow::Result<u64>;
}

impl Counter for &Api {
    async fn count(&mut self, query: &str) -> anyhow::Result<u64> {
        order_count(self, query).await
    }
}

#[derive(serde::Deserialize)]
struct Created {
    created_at: DateTime<Utc>,
}

/// The newest days whose orders (as `api`'s user sees them) come closest
/// to `target`.
pub async fn choose(api: &Api, target: u64) -> anyhow::Result<Plan> {
    let newest: List<Created> = api.fetch("/api/v1/work-orders?per_page=1").await?;
    // The day after the newest order's UTC day is on or after its local day
    // in any zone the server may use.
    let last = newest.items.first().map_or_else(|| Utc::now().date_naive(), |o| o.created_at.date_naive()) + Duration::days(1);
    search(api, last, target).await
}

fn query(last: NaiveDate, days: i64) -> String {
    format!("created_from={}&created_to={last}", last - Duration::days(days - 1))
}

/// Counts of the newest days, and how many were asked.
struct Days<C> {
    source: C,
    last: NaiveDate,
    asked: usize,
}

impl<C: Counter> Days<C> {
    async fn count(&mut self, days: i64) -> anyhow::Result<(String, u64)> {
        self.asked += 1;
        let q = query(self.last, days);
        let n = self.source.count(&q).await?;
        Ok((q, n))
    }
}

async fn search<C: Counter>(source: C, last: NaiveDate, target: u64) -> anyhow::Result<Plan> {
    let mut d = Days { source, last, asked: 0 };
    // The fewest days with at least `target` orders, then that or one day
    // fewer, whichever is closer.
    let (mut lo, mut hi) = (1, MAX_DAYS);
    while lo < hi {
        let mid = (lo + hi) / 2;
        if d.count(mid).await?.1 >= target {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    let (query, rows) = d.count(lo).await?;
    let mut best = Plan { query, days: lo, rows, counts_asked: 0 };
    if lo > 1 {
        let (query, rows) = d.count(lo - 1).await?;
        // Never an export of nothing: with one day of far more orders than
        // the target (a database the create benchmark has filled today),
        // the day after it is "closer" but measures no export at all.
        if rows > 0 && target.abs_diff(rows) < target.abs_diff(best.rows) {
            best = Plan { query, days: lo - 1, rows, counts_asked: 0 };
        }
    }
    best.counts_asked = d.asked;
    Ok(best)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `per_day` orders on every day from `first` to `newest`.
    struct Model {
        first: NaiveDate,
        newest: NaiveDate,
        per_day: u64,
    }

    impl Counter for &Model {
        async fn count(&mut self, query: &str) -> anyhow::Result<u64> {
            let from = query.split('&').find_map(|kv| kv.strip_prefix("created_from=")).unwrap();
            let to = query.split('&').find_map(|kv| kv.strip_prefix("created_to=")).unwrap();
            let (from, to): (NaiveDate, NaiveDate) = (from.parse()?, to.parse()?);
            let days = (to.min(self.newest) - from.max(self.first)).num_days() + 1;
            Ok(days.max(0) as u64 * self.per_day)
        }
    }

    #[tokio::test]
    async fn finds_the_newest_days_closest_to_the_target_in_few_counts() {
        let last = NaiveDate::from_ymd_opt(2026, 12, 2).unwrap();
        let model = Model { first: NaiveDate::from_ymd_opt(2024, 12, 2).unwrap(), newest: last, per_day: 1370 };
        let plan = search(&model, last, 10_000).await.unwrap();
        assert_eq!((plan.days, plan.rows), (7, 9590), "7 days are closer to 10,000 than 8 (10,960)");
        assert_eq!(plan.query, "created_from=2026-11-26&created_to=2026-12-02");
        assert!(plan.counts_asked <= 15, "{}", plan.counts_asked);
    }

    #[tokio::test]
    async fn takes_everything_when_there_are_fewer_orders_than_the_target() {
        let last = NaiveDate::from_ymd_opt(2026, 12, 2).unwrap();
        let model = Model { first: NaiveDate::from_ymd_opt(2026, 11, 23).unwrap(), newest: last, per_day: 100 };
        let plan = search(&model, last, 10_000).await.unwrap();
        assert_eq!(plan.rows, 1000, "all ten days");
    }

    #[tokio::test]
    async fn never_chooses_an_empty_period() {
        // The search starts the day after the newest order's day.
        let last = NaiveDate::from_ymd_opt(2026, 12, 3).unwrap();
        let newest = NaiveDate::from_ymd_opt(2026, 12, 2).unwrap();
        let model = Model { first: NaiveDate::from_ymd_opt(2024, 12, 2).unwrap(), newest, per_day: 35_000 };
        let plan = search(&model, last, 10_000).await.unwrap();
        assert_eq!((plan.days, plan.rows), (2, 35_000), "the newest day, not the empty one after it");
    }
}
