//! Choosing the filters of the work-order export so that about N rows come
//! out. The order list filters by project, state and a keyword that also
//! matches the order number; numbers carry the creation date
//! (`WO-20261122-0001`), so a number prefix is a period: a year, a month, ten
//! days. The search narrows step by step from all orders, taking each time
//! the one extra filter that comes closest to N, and stops when no filter
//! comes closer.

use std::collections::HashMap;

use crate::{
    http::Api,
    setup::{enc, order_count, state_codes, List, Project},
};

/// Enough count queries to narrow twice over 200 projects.
const MAX_COUNTS: usize = 600;

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
            "all orders".into()
        } else {
            d.join(", ")
        }
    }

    /// This filter with one more condition each way.
    fn narrower(&self, projects: &[Project], years: &[i32], scheme: &str) -> Vec<Filter> {
        let mut out = Vec::new();
        for n in number_refinements(self.number.as_deref(), years, scheme) {
            out.push(Filter { number: Some(n), ..self.clone() });
        }
        if self.state.is_none() {
            out.extend(state_codes().into_iter().map(|s| Filter { state: Some(s), ..self.clone() }));
        }
        if self.project.is_none() {
            out.extend(projects.iter().map(|p| Filter { project: Some((p.id, p.code.clone())), ..self.clone() }));
        }
        out
    }
}

/// Prefixes one step narrower than `prefix`: years, then the months 0x/1x of
/// a year, then months, then the ten-day thirds of a month.
fn number_refinements(prefix: Option<&str>, years: &[i32], scheme: &str) -> Vec<String> {
    let Some(p) = prefix else {
        return years.iter().map(|y| format!("{scheme}{y}")).collect();
    };
    let digits = &p[scheme.len()..];
    let tail: Vec<String> = match digits.len() {
        4 => vec!["0".into(), "1".into()],
        5 if digits.ends_with('0') => (1..=9).map(|m| m.to_string()).collect(),
        5 => (0..=2).map(|m| m.to_string()).collect(),
        6 => (0..=3).map(|d| d.to_string()).collect(),
        _ => vec![],
    };
    tail.into_iter().map(|t| format!("{p}{t}")).collect()
}

/// `WO-` and the year of a number like `WO-20261122-0001`.
fn number_scheme(number: &str) -> Option<(String, i32)> {
    let start = number.find(|c: char| c.is_ascii_digit())?;
    let year: i32 = number.get(start..start + 4)?.parse().ok()?;
    Some((number[..start].to_string(), year))
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

/// The filters whose order count is closest to `target`.
pub async fn choose(api: &Api, projects: &[Project], target: u64) -> anyhow::Result<Plan> {
    let newest: List<Numbered> = api.fetch("/api/v1/work-orders?per_page=1").await?;
    let scheme = newest.items.first().and_then(|o| number_scheme(&o.number));
    let (prefix, years) = match &scheme {
        Some((p, y)) => (p.clone(), (y - 3..=*y).collect::<Vec<_>>()),
        None => (String::new(), vec![]),
    };
    let mut counts: HashMap<String, u64> = HashMap::new();
    let (mut filter, mut rows) = (Filter::default(), newest.total);
    while !prefix.is_empty() {
        let mut closest: Option<(Filter, u64)> = None;
        for f in filter.narrower(projects, &years, &prefix) {
            if counts.len() >= MAX_COUNTS {
                break;
            }
            let q = f.query();
            let n = match counts.get(&q) {
                Some(n) => *n,
                None => *counts.entry(q.clone()).or_insert(order_count(api, &q).await?),
            };
            if closest.as_ref().is_none_or(|(_, m)| distance(n, target) < distance(*m, target)) {
                closest = Some((f, n));
            }
        }
        match closest {
            Some((f, n)) if distance(n, target) < distance(rows, target) => (filter, rows) = (f, n),
            _ => break,
        }
    }
    Ok(Plan { filter, rows, counts_asked: counts.len() + 1 })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn number_prefixes_narrow_by_period() {
        assert_eq!(number_scheme("WO-20261122-0001"), Some(("WO-".into(), 2026)));
        assert_eq!(number_scheme("no digits"), None);
        assert_eq!(number_refinements(None, &[2025, 2026], "WO-"), vec!["WO-2025", "WO-2026"]);
        assert_eq!(number_refinements(Some("WO-2026"), &[], "WO-"), vec!["WO-20260", "WO-20261"]);
        assert_eq!(number_refinements(Some("WO-20261"), &[], "WO-"), vec!["WO-202610", "WO-202611", "WO-202612"]);
        assert_eq!(number_refinements(Some("WO-20260"), &[], "WO-").len(), 9);
        assert_eq!(number_refinements(Some("WO-202611"), &[], "WO-").last().unwrap(), "WO-2026113");
        assert!(number_refinements(Some("WO-2026113"), &[], "WO-").is_empty());
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
        assert_eq!(Filter::default().describe(), "all orders");
    }
}
