//! Warranty awareness (SVC-7): a room is inside the developer's warranty
//! for a trade until the delivery date plus that trade's period.

use chrono::{Months, NaiveDate};

/// Default warranty periods in months by service category, after the
/// minimums of 《建设工程质量管理条例》 第四十条: waterproofing five years,
/// plumbing, electrical, doors and windows and fittings two years.
pub const DEFAULT_WARRANTY_MONTHS: &[(&str, u32)] =
    &[("水电", 24), ("门窗", 24), ("管道疏通", 24), ("公共设施", 24), ("电梯", 24), ("安防", 24)];

/// Whether `today` falls inside a warranty of `months` from `delivery`.
pub fn in_warranty(delivery: NaiveDate, months: u32, today: NaiveDate) -> bool {
    months > 0 && today >= delivery && delivery.checked_add_months(Months::new(months)).is_some_and(|end| today < end)
}

/// The default period of a category, if the trade has one.
pub fn default_months(category: &str) -> Option<u32> {
    DEFAULT_WARRANTY_MONTHS.iter().find(|(c, _)| *c == category).map(|(_, m)| *m)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn the_period_runs_from_delivery_to_the_same_day_months_later() {
        assert!(in_warranty(d("2025-06-30"), 24, d("2025-06-30")));
        assert!(in_warranty(d("2025-06-30"), 24, d("2027-06-29")));
        assert!(!in_warranty(d("2025-06-30"), 24, d("2027-06-30")), "the end day is outside");
        assert!(!in_warranty(d("2025-06-30"), 24, d("2025-06-29")), "not before delivery");
        assert!(!in_warranty(d("2025-06-30"), 0, d("2025-07-01")), "no period, no warranty");
        assert!(
            in_warranty(d("2024-02-29"), 12, d("2025-02-27")) && !in_warranty(d("2024-02-29"), 12, d("2025-02-28")),
            "leap day ends on 02-28"
        );
    }

    #[test]
    fn defaults_by_trade() {
        assert_eq!(default_months("水电"), Some(24));
        assert_eq!(default_months("清洁"), None);
    }
}
