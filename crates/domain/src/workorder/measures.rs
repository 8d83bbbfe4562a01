//! Service measures of work orders (SLA-3): timeliness, first-time fix,
//! average handling time, return visits and satisfaction, kept as exact
//! integer tallies until they are shown.
//!
//! The base is the orders created in the period (a month in the company's
//! time zone) that are not voided. The tallies are counts and sums over the
//! base, so the caller adds them up where the orders are (in SQL, one row
//! per group: `app::report::measures`) and groups add up to their total.
//! - 及时率 timeliness = orders completed by their completion due time /
//!   (completed orders + open orders already past their completion due
//!   time). An order with no due time counts as timely when completed;
//!   completing exactly at the due time is on time; an open order is late
//!   only after its due time.
//! - 一次修复率 first-time fix = completed orders with `reopen_count = 0` /
//!   completed orders (`completed_at` not null).
//! - 平均处理时长 average handling time = mean of (completed_at − created_at)
//!   over completed orders, shown in hours with one decimal.
//! - 回访率 return-visit rate = completed orders with `visited_at` not null /
//!   completed orders.
//! - 满意率 satisfaction = visited orders whose satisfaction counts as
//!   satisfied (`visit::Satisfaction::is_satisfied`) / visited orders.
//!
//! "Completed" means `completed_at` is set: an order the customer sent back
//! (验收未通过) keeps its latest completion time and counts as completed but
//! not fixed the first time; "open" means not completed.

use chrono::{Datelike, NaiveDate};

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
    /// Adds the tallies of another group (a total is the sum of its rows).
    pub fn merge(&mut self, other: &Measures) {
        self.orders += other.orders;
        self.completed += other.completed;
        self.handling_seconds += other.handling_seconds;
        for (mine, theirs) in [
            (&mut self.timeliness, other.timeliness),
            (&mut self.first_time_fix, other.first_time_fix),
            (&mut self.return_visit, other.return_visit),
            (&mut self.satisfaction, other.satisfaction),
        ] {
            mine.numerator += theirs.numerator;
            mine.denominator += theirs.denominator;
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

    fn rate(numerator: u64, denominator: u64) -> Rate {
        Rate { numerator, denominator }
    }

    #[test]
    fn an_empty_group_shows_dashes() {
        let m = Measures::default();
        assert_eq!((m.orders, m.completed, m.overdue()), (0, 0, 0));
        for r in [m.timeliness, m.first_time_fix, m.return_visit, m.satisfaction] {
            assert_eq!(r.text(), "—");
        }
        assert_eq!(m.average_handling_text(), "—");
    }

    #[test]
    fn groups_add_up_to_their_total() {
        let a = Measures {
            orders: 6,
            completed: 3,
            timeliness: rate(2, 4),
            first_time_fix: rate(2, 3),
            handling_seconds: 38 * 3600,
            return_visit: rate(2, 3),
            satisfaction: rate(1, 2),
        };
        let b = Measures {
            orders: 1,
            completed: 1,
            timeliness: rate(0, 1),
            first_time_fix: rate(1, 1),
            handling_seconds: 3600,
            ..Default::default()
        };
        let mut total = Measures::default();
        total.merge(&a);
        total.merge(&b);
        assert_eq!((total.orders, total.completed, total.overdue()), (7, 4, 3));
        assert_eq!((total.timeliness, total.first_time_fix), (rate(2, 5), rate(3, 4)));
        assert_eq!((total.return_visit, total.satisfaction), (rate(2, 3), rate(1, 2)));
        assert_eq!(total.average_handling_text(), "9.8", "39 h / 4 = 9.75 h");
    }

    #[test]
    fn percentages_round_half_up_to_one_decimal() {
        let r = |n, d| rate(n, d).text();
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
            let completed = minutes.len() as u64;
            Measures { completed, handling_seconds: minutes.iter().sum::<i64>() * 60, ..Default::default() }.average_handling_text()
        };
        assert_eq!(with(&[90]), "1.5");
        assert_eq!(with(&[3]), "0.1", "0.05 h rounds up");
        assert_eq!(with(&[2]), "0.0", "0.033 h rounds down");
        assert_eq!(with(&[60, 61]), "1.0", "60.5 min = 1.008 h");
        assert_eq!(with(&[0]), "0.0");
        assert_eq!(with(&[48 * 60 + 57]), "49.0", "48.95 h rounds up");
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
