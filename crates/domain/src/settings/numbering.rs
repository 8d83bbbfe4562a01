use chrono::{Datelike, NaiveDate};

/// When a numbering sequence starts again from 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResetPeriod {
    Daily,
    Monthly,
    Yearly,
    Never,
}

impl ResetPeriod {
    pub const ALL: [ResetPeriod; 4] = [Self::Daily, Self::Monthly, Self::Yearly, Self::Never];

    pub fn code(self) -> &'static str {
        match self {
            Self::Daily => "daily",
            Self::Monthly => "monthly",
            Self::Yearly => "yearly",
            Self::Never => "never",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.code() == code)
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Daily => "按日",
            Self::Monthly => "按月",
            Self::Yearly => "按年",
            Self::Never => "不重置",
        }
    }

    /// The date part printed in the number, which is also the key of the
    /// counter: a new key starts the sequence again.
    pub fn date_part(self, date: NaiveDate) -> String {
        match self {
            Self::Daily => date.format("%Y%m%d").to_string(),
            Self::Monthly => format!("{:04}{:02}", date.year(), date.month()),
            Self::Yearly => format!("{:04}", date.year()),
            Self::Never => String::new(),
        }
    }
}

/// A numbering rule such as `WO-20261122-0001`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NumberingRule {
    pub prefix: String,
    pub reset: ResetPeriod,
    pub width: u32,
}

impl NumberingRule {
    pub fn format(&self, date: NaiveDate, seq: i64) -> String {
        let date_part = self.reset.date_part(date);
        let width = self.width as usize;
        let mut parts: Vec<String> = Vec::with_capacity(3);
        if !self.prefix.is_empty() {
            parts.push(self.prefix.clone());
        }
        if !date_part.is_empty() {
            parts.push(date_part);
        }
        parts.push(format!("{seq:0width$}"));
        parts.join("-")
    }

    /// Checks the rule's fields; returns (field, message) pairs.
    pub fn validate(prefix: &str, width: i64) -> Vec<(&'static str, &'static str)> {
        let mut errors = Vec::new();
        if prefix.chars().count() > 10 || !prefix.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            errors.push(("prefix", "前缀为不超过 10 位的字母或数字"));
        }
        if !(3..=8).contains(&width) {
            errors.push(("width", "流水号位数须在 3 到 8 之间"));
        }
        errors
    }
}

/// The documents numbered by the system, with their default rules:
/// (code, label, prefix, reset, width).
pub const NUMBERING_DEFAULTS: &[(&str, &str, &str, ResetPeriod, u32)] = &[
    ("work_order", "服务派工单", "WO", ResetPeriod::Daily, 4),
    ("reception", "接待记录", "RC", ResetPeriod::Daily, 4),
    ("task", "任务", "TK", ResetPeriod::Daily, 4),
    ("rename_order", "客户更名单", "RN", ResetPeriod::Monthly, 4),
    ("handover", "入伙登记", "HO", ResetPeriod::Monthly, 4),
    ("renovation", "装修申请", "ZX", ResetPeriod::Monthly, 4),
    ("pass", "出入证", "CR", ResetPeriod::Monthly, 4),
    ("bill", "临时费用单", "FY", ResetPeriod::Monthly, 5),
    ("receipt", "收据", "SJ", ResetPeriod::Yearly, 6),
    ("compensation", "赔付登记", "PF", ResetPeriod::Yearly, 4),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_like_the_spec() {
        let rule = NumberingRule { prefix: "WO".into(), reset: ResetPeriod::Daily, width: 4 };
        let d = NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
        assert_eq!(rule.format(d, 1), "WO-20261122-0001");
        assert_eq!(rule.format(d, 12345), "WO-20261122-12345");
        let never = NumberingRule { prefix: "SJ".into(), reset: ResetPeriod::Never, width: 6 };
        assert_eq!(never.format(d, 7), "SJ-000007");
        assert_eq!(ResetPeriod::Monthly.date_part(d), "202611");
        assert_eq!(ResetPeriod::Yearly.date_part(d), "2026");
    }

    #[test]
    fn validation() {
        assert!(NumberingRule::validate("WO", 4).is_empty());
        assert_eq!(NumberingRule::validate("工单", 4)[0].0, "prefix");
        assert_eq!(NumberingRule::validate("WO", 2)[0].0, "width");
    }
}
