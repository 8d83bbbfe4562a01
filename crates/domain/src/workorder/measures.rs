//! Service measures of work orders (SLA-3): timeliness, first-time fix,
//! average handling time, return visits and satisfaction, computed from a
//! few facts per order with exact integer arithmetic.
//!
//! The base is the orders created in the period (a month in the company's
//! time zone) that are not voided; the caller selects them.
//! - 及时率 timeliness = orders completed by their completion due time /
//!   (completed orders + open orders already past their completion due
//!   time). An order with no due time counts as timely when completed.
//! - 一次修复率 first-time fix = completed orders with `reopen_count = 0` /
//!   completed orders (`completed_at` not null).
//! - 平均处理时长 average handling time = mean of (completed_at − created_at)
//!   over completed orders, shown in hours with one decimal.
//! - 回访率 return-visit rate = orders with `visited_at` not null /
//!   completed orders.
//! - 满意率 satisfaction = visited orders whose satisfaction is
//!   `very_satisfied` or `satisfied` / visited orders.
//!
//! "Completed" means `completed_at` is set: an order the customer sent back
//! (验收未通过) keeps its latest completion time and counts as completed but
//! not fixed the first time; "open" means not completed.

use chrono::{DateTime, Datelike, NaiveDate, Utc};

/// What the measures need to know of one order of the base.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OrderFacts {
    pub created_at: DateTime<Utc>,
    pub complete_due: Option<DateTime<Utc>>,
    pub completed_at: Option<DateTime<Utc>>,
    /// Times the order went back to 处理中 after completion.
    pub reopen_count: i32,
    /// A return visit was recorded (`visited_at` set).
    pub visited: bool,
    /// The visit's satisfaction counts as satisfied (see [`is_satisfied`]).
    pub satisfied: bool,
}

/// Whether a return visit's satisfaction code counts toward 满意率.
///
/// The codes are very_satisfied, satisfied, neutral, dissatisfied and
/// very_dissatisfied; only the first two are satisfied. The visit module
/// owns the full list; this is the one place the measures decide which
/// codes count, so the rule is not spread over queries.
pub fn is_satisfied(code: &str) -> bool {
    matches!(code, "very_satisfied" | "satisfied")
}

/// A rate as numerator / denominator, kept exact until it is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Rate {
    pub numerator: u64,
    pub denominator: u64,
}

impl Rate {
    /// Tenths of a percent, rounded half up; `None` without a denominator.
    pub fn permille(self) -> Option<u64> {
        (self.denominator > 0).then(|| (self.numerator * 2000 + self.denominator) / (self.denominator * 2))
    }

    /// `93.5%`, or `—` when the denominator is 0.
    pub fn text(self) -> String {
        match self.permille() {
            Some(p) => format!("{}.{}%", p / 10, p % 10),
            None => "—".into(),
        }
    }

    fn count(&mut self, counted: bool) {
        self.denominator += 1;
        self.numerator += u64::from(counted);
    }
}

/// The measures of a group of orders (a project, a category, an engineer,
/// a month, or all of them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Measures {
    /// 工单数: orders of the base.
    pub orders: u64,
    /// 已完工: orders with a completion time.
    pub completed: u64,
    pub timeliness: Rate,
    pub first_time_fix: Rate,
    /// Sum of (completed_at − created_at) in seconds over completed orders.
    pub handling_seconds: i64,
    pub return_visit: Rate,
    pub satisfaction: Rate,
}

impl Measures {
    /// The measures of `facts` as of `now` (an open order is late once its
    /// completion due time has passed).
    pub fn of(facts: impl IntoIterator<Item = OrderFacts>, now: DateTime<Utc>) -> Self {
        let mut m = Self::default();
        for f in facts {
            m.add(&f, now);
        }
        m
    }

    /// Counts one more order of the base.
    pub fn add(&mut self, f: &OrderFacts, now: DateTime<Utc>) {
        self.orders += 1;
        match f.completed_at {
            Some(done) => {
                self.completed += 1;
                self.timeliness.count(f.complete_due.is_none_or(|due| done <= due));
                self.first_time_fix.count(f.reopen_count == 0);
                self.handling_seconds += (done - f.created_at).num_seconds();
                // A visit follows completion in the life of an order (已验收 → 已回访).
                self.return_visit.count(f.visited);
            }
            None => {
                // Open and already late: in the denominator, never timely.
                if f.complete_due.is_some_and(|due| due < now) {
                    self.timeliness.denominator += 1;
                }
            }
        }
        if f.visited {
            self.satisfaction.count(f.satisfied);
        }
    }

    /// 超时: completed late plus open past their due time.
    pub fn overdue(&self) -> u64 {
        self.timeliness.denominator - self.timeliness.numerator
    }

    /// Mean handling time in tenths of an hour, rounded half up; `None`
    /// without completed orders.
    pub fn average_handling_tenths(&self) -> Option<i64> {
        let n = i64::try_from(self.completed).ok().filter(|n| *n > 0)?;
        Some((self.handling_seconds * 20 + 3600 * n).div_euclid(7200 * n))
    }

    /// The mean handling time in hours with one decimal (`12.5`), or `—`.
    pub fn average_handling_text(&self) -> String {
        match self.average_handling_tenths() {
            Some(t) => format!("{}.{}", t.div_euclid(10), t.rem_euclid(10)),
            None => "—".into(),
        }
    }
}

/// Reads a month `2026-11` as its first day.
pub fn parse_month(text: &str) -> Option<NaiveDate> {
    let (y, m) = text.trim().split_once('-')?;
    let (y, m) = (y.parse::<i32>().ok()?, m.parse::<u32>().ok()?);
    (1900..=9999).contains(&y).then(|| NaiveDate::from_ymd_opt(y, m, 1)).flatten()
}

/// A month's `2026-11`.
pub fn month_code(day: NaiveDate) -> String {
    format!("{:04}-{:02}", day.year(), day.month())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn t(day: u32, hour: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, day, hour, 0, 0).unwrap()
    }

    fn order(created: DateTime<Utc>, due: Option<DateTime<Utc>>, done: Option<DateTime<Utc>>) -> OrderFacts {
        OrderFacts { created_at: created, complete_due: due, completed_at: done, reopen_count: 0, visited: false, satisfied: false }
    }

    #[test]
    fn an_empty_group_shows_dashes() {
        let m = Measures::of([], t(30, 0));
        assert_eq!((m.orders, m.completed, m.overdue()), (0, 0, 0));
        for r in [m.timeliness, m.first_time_fix, m.return_visit, m.satisfaction] {
            assert_eq!(r.text(), "—");
        }
        assert_eq!(m.average_handling_text(), "—");
    }

    #[test]
    fn a_hand_computed_group() {
        let now = t(30, 12);
        let visited = |mut o: OrderFacts, satisfied: bool| {
            o.visited = true;
            o.satisfied = satisfied;
            o
        };
        let facts = [
            // On time, 10 h, visited, satisfied.
            visited(order(t(1, 8), Some(t(2, 8)), Some(t(1, 18))), true),
            // Late by an hour, 25 h, sent back once, visited, neutral.
            OrderFacts { reopen_count: 1, ..visited(order(t(2, 8), Some(t(3, 8)), Some(t(3, 9))), false) },
            // No due time: timely when completed; 3 h.
            order(t(3, 8), None, Some(t(3, 11))),
            // Open and past due: late.
            order(t(4, 8), Some(t(5, 8)), None),
            // Open, not yet due: outside the timeliness denominator.
            order(t(29, 8), Some(t(30, 18)), None),
            // Open without a due time: never late.
            order(t(6, 8), None, None),
        ];
        let m = Measures::of(facts, now);
        assert_eq!((m.orders, m.completed, m.overdue()), (6, 3, 2));
        assert_eq!(m.timeliness, Rate { numerator: 2, denominator: 4 });
        assert_eq!(m.timeliness.text(), "50.0%");
        assert_eq!(m.first_time_fix, Rate { numerator: 2, denominator: 3 });
        assert_eq!(m.first_time_fix.text(), "66.7%");
        assert_eq!(m.handling_seconds, (10 + 25 + 3) * 3600);
        assert_eq!(m.average_handling_text(), "12.7", "38 h / 3 = 12.67 h");
        assert_eq!(m.return_visit.text(), "66.7%");
        assert_eq!(m.satisfaction, Rate { numerator: 1, denominator: 2 });
        assert_eq!(m.satisfaction.text(), "50.0%");
    }

    #[test]
    fn completing_exactly_at_the_due_time_is_on_time() {
        let m = Measures::of([order(t(1, 8), Some(t(1, 18)), Some(t(1, 18)))], t(30, 0));
        assert_eq!(m.timeliness.text(), "100.0%");
        let m = Measures::of([order(t(1, 8), Some(t(1, 18)), None)], t(1, 18));
        assert_eq!(m.timeliness.denominator, 0, "an open order is late only after its due time");
    }

    #[test]
    fn percentages_round_half_up_to_one_decimal() {
        let r = |n, d| Rate { numerator: n, denominator: d }.text();
        assert_eq!(r(187, 200), "93.5%");
        assert_eq!(r(1, 3), "33.3%");
        assert_eq!(r(2, 3), "66.7%");
        assert_eq!(r(1, 8), "12.5%", "12.5 exactly");
        assert_eq!(r(1, 16), "6.3%", "6.25 rounds up");
        assert_eq!(r(1, 1600), "0.1%", "0.0625 rounds to 0.1");
        assert_eq!(r(1, 2001), "0.0%", "0.04998 rounds down");
        assert_eq!(r(0, 5), "0.0%");
        assert_eq!(r(5, 5), "100.0%");
        assert_eq!(r(1999, 2000), "100.0%", "99.95 rounds up");
        assert_eq!(r(1_000_000 - 1, 1_000_000), "100.0%");
    }

    #[test]
    fn handling_time_rounds_half_up_to_a_tenth_of_an_hour() {
        let with = |minutes: &[i64]| {
            let facts: Vec<OrderFacts> =
                minutes.iter().map(|m| order(t(1, 0), None, Some(t(1, 0) + chrono::Duration::minutes(*m)))).collect();
            Measures::of(facts, t(30, 0)).average_handling_text()
        };
        assert_eq!(with(&[90]), "1.5");
        assert_eq!(with(&[3]), "0.1", "0.05 h rounds up");
        assert_eq!(with(&[2]), "0.0", "0.033 h rounds down");
        assert_eq!(with(&[60, 61]), "1.0", "60.5 min = 1.008 h");
        assert_eq!(with(&[0]), "0.0");
        assert_eq!(with(&[48 * 60 + 57]), "49.0", "48.95 h rounds up");
    }

    #[test]
    fn only_the_two_satisfied_codes_count() {
        assert!(is_satisfied("very_satisfied") && is_satisfied("satisfied"));
        for code in ["neutral", "dissatisfied", "very_dissatisfied", ""] {
            assert!(!is_satisfied(code), "{code}");
        }
    }

    #[test]
    fn months() {
        assert_eq!(parse_month("2026-11"), NaiveDate::from_ymd_opt(2026, 11, 1));
        assert_eq!(parse_month(" 2026-1 "), NaiveDate::from_ymd_opt(2026, 1, 1));
        for bad in ["2026-13", "2026", "11-2026x", "", "abcd-01", "0000-01"] {
            assert_eq!(parse_month(bad), None, "{bad}");
        }
        assert_eq!(month_code(NaiveDate::from_ymd_opt(2026, 3, 31).unwrap()), "2026-03");
    }
}
