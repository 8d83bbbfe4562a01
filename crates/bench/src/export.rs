//! Choosing the filters of the work-order export so that about N rows come
//! out. The order list filters by project, state and a keyword that also
//! matches the order number; numbers carry the creation date
//! (`WO-20261122-0001`), so a number prefix is a period: a year, a month, ten
//! days. Starting from every order the caller sees, each step adds the one
//! filter whose count comes closest to N, until none comes closer.
//!
//! A period is tried at every size at once (years, the months of a year with
//! more than N orders, the ten-day thirds of the newest months with more than
//! N): stepping down one size at a time would stop at the first size that is
//! further from N than a project is, although a third of a month may be the
//! closest of all.

use std::collections::HashMap;

use crate::{
    http::Api,
    setup::{enc, order_count, state_codes, List, Project},
};

/// A bound on the count queries (a period count scans the orders).
const MAX_COUNTS: usize = 600;
/// Months whose thirds are tried: the newest ones with more than N orders.
const MONTHS_SPLIT: usize = 2;
/// Close enough: within 10 % of N (ln 1.1).
const CLOSE_ENOUGH: f64 = 0.0953;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Filter {
    pub project: Option<(i32, String)>,
    pub state: Option<&'static str>,
    /// A prefix of the order number: `WO-2026`, `WO-202611`, `WO-2026112`.
    pub number: Option<String>,
}

impl Filter {
    /// The query string of both the list API and the export page.
    pub fn query(&self) -> String {
        let mut q = Vec::new();
        if let Some((id, _)) = &self.project {
            q.push(format!("project_id={id}"));
        }
        if let Some(s) = self.state {
            q.push(format!("state={s}"));
        }
        if let Some(n) = &self.number {
            q.push(format!("q={}", enc(n)));
        }
        q.join("&")
    }

    pub fn describe(&self) -> String {
        let mut d = Vec::new();
        if let Some((_, code)) = &self.project {
            d.push(format!("project {code}"));
        }
        if let Some(s) = self.state {
            d.push(format!("state {s}"));
        }
        if let Some(n) = &self.number {
            d.push(format!("number prefix {n}"));
        }
        if d.is_empty() {
            "every order the export user sees".into()
        } else {
            d.join(", ")
        }
    }

    fn with_number(&self, prefix: String) -> Filter {
        Filter { number: Some(prefix), ..self.clone() }
    }
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

/// Counts asked once each, up to `MAX_COUNTS`.
struct Counts<C> {
    source: C,
    known: HashMap<String, u64>,
}

impl<C: Counter> Counts<C> {
    /// The count of `f`, or `None` when the budget is spent.
    async fn of(&mut self, f: &Filter) -> anyhow::Result<Option<u64>> {
        let q = f.query();
        if let Some(n) = self.known.get(&q) {
            return Ok(Some(*n));
        }
        if self.known.len() >= MAX_COUNTS {
            return Ok(None);
        }
        let n = self.source.count(&q).await?;
        self.known.insert(q, n);
        Ok(Some(n))
    }

    /// Each filter with its count, as far as the budget goes.
    async fn all(&mut self, filters: Vec<Filter>) -> anyhow::Result<Vec<(Filter, u64)>> {
        let mut out = Vec::new();
        for f in filters {
            match self.of(&f).await? {
                Some(n) => out.push((f, n)),
                None => break,
            }
        }
        Ok(out)
    }
}

/// How order numbers are made: `WO-` and the years orders may come from.
#[derive(Debug, Clone)]
pub struct Scheme {
    pub prefix: String,
    pub years: Vec<i32>,
}

impl Scheme {
    /// From the newest order's number, e.g. `WO-20261122-0001`: that year and
    /// the three before.
    pub fn of_number(number: &str) -> Option<Self> {
        let start = number.find(|c: char| c.is_ascii_digit())?;
        let year: i32 = number.get(start..start + 4)?.parse().ok()?;
        Some(Self { prefix: number[..start].to_string(), years: (year - 3..=year).collect() })
    }
}

/// The period filters narrower than `base`'s: every size at once when it
/// has none, else one size down (months of a year, thirds of a month).
async fn periods<C: Counter>(base: &Filter, scheme: &Scheme, target: u64, counts: &mut Counts<C>) -> anyhow::Result<Vec<(Filter, u64)>> {
    if let Some(p) = &base.number {
        let narrower = one_size_down(p, &scheme.prefix).into_iter().map(|n| base.with_number(n)).collect();
        return counts.all(narrower).await;
    }
    let years = counts.all(scheme.years.iter().map(|y| base.with_number(format!("{}{y}", scheme.prefix))).collect()).await?;
    let mut found = years.clone();
    for (year, _) in years.iter().filter(|(_, n)| *n > target) {
        let months: Vec<Filter> = (1..=12).map(|m| base.with_number(format!("{}{m:02}", year.number.as_deref().unwrap_or("")))).collect();
        found.extend(counts.all(months).await?.into_iter().filter(|(_, n)| *n > 0));
    }
    let mut big_months: Vec<Filter> = found.iter().filter(|(f, n)| is_month(f, scheme) && *n > target).map(|(f, _)| f.clone()).collect();
    big_months.sort_by(|a, b| b.number.cmp(&a.number));
    for month in big_months.into_iter().take(MONTHS_SPLIT) {
        let thirds = one_size_down(month.number.as_deref().unwrap_or(""), &scheme.prefix).into_iter().map(|n| base.with_number(n));
        found.extend(counts.all(thirds.collect()).await?.into_iter().filter(|(_, n)| *n > 0));
    }
    Ok(found)
}

fn is_month(f: &Filter, scheme: &Scheme) -> bool {
    f.number.as_deref().is_some_and(|n| n.len() == scheme.prefix.len() + 6)
}

/// `WO-2026` → its months; `WO-202611` → `WO-2026110` … `WO-2026113` (days
/// 01–09, 10–19, 20–29, 30–31); nothing below that.
fn one_size_down(prefix: &str, scheme: &str) -> Vec<String> {
    match prefix.len().saturating_sub(scheme.len()) {
        4 => (1..=12).map(|m| format!("{prefix}{m:02}")).collect(),
        6 => (0..=3).map(|d| format!("{prefix}{d}")).collect(),
        _ => vec![],
    }
}

/// How far a count is from the target (ratios, so 5,000 and 20,000 are
/// equally far from 10,000).
fn distance(count: u64, target: u64) -> f64 {
    if count == 0 {
        return f64::INFINITY;
    }
    (count as f64 / target.max(1) as f64).ln().abs()
}

#[derive(Debug, Clone)]
pub struct Plan {
    pub filter: Filter,
    pub rows: u64,
    pub counts_asked: usize,
}

#[derive(serde::Deserialize)]
struct Numbered {
    number: String,
}

/// The filters whose order count (as `api`'s user sees them) is closest to `target`.
pub async fn choose(api: &Api, projects: &[Project], target: u64) -> anyhow::Result<Plan> {
    let newest: List<Numbered> = api.fetch("/api/v1/work-orders?per_page=1").await?;
    let scheme = newest.items.first().and_then(|o| Scheme::of_number(&o.number));
    search(api, projects, scheme, newest.total, target).await
}

async fn search<C: Counter>(source: C, projects: &[Project], scheme: Option<Scheme>, all: u64, target: u64) -> anyhow::Result<Plan> {
    let mut counts = Counts { source, known: HashMap::new() };
    let (mut filter, mut rows) = (Filter::default(), all);
    while distance(rows, target) > CLOSE_ENOUGH {
        let mut tried = match &scheme {
            Some(s) => periods(&filter, s, target, &mut counts).await?,
            None => vec![],
        };
        if filter.state.is_none() {
            tried.extend(counts.all(state_codes().into_iter().map(|s| Filter { state: Some(s), ..filter.clone() }).collect()).await?);
        }
        if filter.project.is_none() {
            let each = projects.iter().map(|p| Filter { project: Some((p.id, p.code.clone())), ..filter.clone() });
            tried.extend(counts.all(each.collect()).await?);
        }
        let closest = tried.into_iter().min_by(|(_, a), (_, b)| distance(*a, target).total_cmp(&distance(*b, target)));
        match closest {
            Some((f, n)) if distance(n, target) < distance(rows, target) => (filter, rows) = (f, n),
            _ => break,
        }
    }
    Ok(Plan { filter, rows, counts_asked: counts.known.len() + 1 })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Orders spread evenly over projects and the months of two years, 85 %
    /// of them closed, numbered `WO-YYYYMMDD-…`; counts as the server would
    /// answer them.
    struct Model {
        projects: u64,
        per_project_month: u64,
        asked: usize,
    }

    impl Counter for &mut Model {
        async fn count(&mut self, query: &str) -> anyhow::Result<u64> {
            self.asked += 1;
            let mut n = (self.projects * 24 * self.per_project_month) as f64;
            for (k, v) in query.split('&').filter_map(|kv| kv.split_once('=')) {
                n *= match (k, v.len()) {
                    ("project_id", _) => 1.0 / self.projects as f64,
                    ("state", _) if v == "closed" => 0.85,
                    ("state", _) => 0.15 / 9.0,
                    ("q", 7) if v == "WO-2025" || v == "WO-2026" => 0.5,
                    ("q", 7) => 0.0,
                    ("q", 9) => 1.0 / 24.0,
                    ("q", 10) if v.ends_with('3') => 1.0 / 24.0 / 30.0,
                    ("q", 10) => 1.0 / 24.0 * 0.32,
                    _ => 1.0,
                };
            }
            Ok(n.round() as u64)
        }
    }

    fn projects(n: i32) -> Vec<Project> {
        (1..=n).map(|i| Project { id: i, code: format!("P{i:03}") }).collect()
    }

    async fn plan(projects_n: i32, per_project_month: u64) -> (Plan, usize) {
        let mut model = Model { projects: projects_n as u64, per_project_month, asked: 0 };
        let all = projects_n as u64 * 24 * per_project_month;
        let scheme = Scheme::of_number("WO-20261201-0010");
        let plan = search(&mut model, &projects(projects_n), scheme, all, 10_000).await.unwrap();
        (plan, model.asked)
    }

    #[tokio::test]
    async fn a_large_group_gets_a_third_of_a_month() {
        // 200 projects × 5,000 orders: a project (5,000) is further from
        // 10,000 than the closed orders of ten days.
        let (p, asked) = plan(200, 208).await;
        assert!((8_000..=13_000).contains(&p.rows), "{p:?}");
        assert!(p.filter.number.as_deref().is_some_and(|n| n.len() == 10), "{p:?}");
        assert!(asked <= MAX_COUNTS, "{asked} counts");
    }

    #[tokio::test]
    async fn a_small_group_gets_everything_or_a_year() {
        // 8 projects × 1,250 orders: all 10,000 orders are the closest.
        let (p, _) = plan(8, 52).await;
        assert_eq!(p.filter, Filter::default());
        // Twice as many: one year.
        let (p, _) = plan(8, 104).await;
        assert_eq!(p.filter.number.as_deref().map(str::len), Some(7), "{p:?}");
    }

    #[test]
    fn number_prefixes() {
        let s = Scheme::of_number("WO-20261122-0001").unwrap();
        assert_eq!((s.prefix.as_str(), s.years.clone()), ("WO-", vec![2023, 2024, 2025, 2026]));
        assert!(Scheme::of_number("no digits").is_none());
        assert_eq!(one_size_down("WO-2026", "WO-").len(), 12);
        assert_eq!(one_size_down("WO-202611", "WO-"), vec!["WO-2026110", "WO-2026111", "WO-2026112", "WO-2026113"]);
        assert!(one_size_down("WO-2026113", "WO-").is_empty());
    }

    #[test]
    fn distance_is_a_ratio() {
        assert!((distance(5_000, 10_000) - distance(20_000, 10_000)).abs() < 1e-9);
        assert!(distance(9_000, 10_000) < distance(12_000, 10_000));
        assert!(distance(0, 10_000).is_infinite());
    }

    #[test]
    fn queries() {
        let f = Filter { project: Some((3, "P003".into())), state: Some("closed"), number: Some("WO-202611".into()) };
        assert_eq!(f.query(), "project_id=3&state=closed&q=WO-202611");
        assert_eq!(Filter::default().query(), "");
    }
}
