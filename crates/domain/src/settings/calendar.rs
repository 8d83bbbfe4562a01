use chrono::{NaiveTime, Weekday};

/// Whether a calendar date is a day off or a swapped working day (调休).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HolidayKind {
    /// 法定节假日 / 休息日: no working hours even on a weekday.
    Holiday,
    /// 调休上班: a weekend day that is worked.
    Workday,
}

impl HolidayKind {
    pub fn code(self) -> &'static str {
        match self {
            Self::Holiday => "holiday",
            Self::Workday => "workday",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        match code {
            "holiday" => Some(Self::Holiday),
            "workday" => Some(Self::Workday),
            _ => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Holiday => "放假",
            Self::Workday => "调休上班",
        }
    }
}

/// The regular working week: which weekdays are worked, stored as the string
/// of ISO weekday numbers, e.g. `"12345"` for Monday to Friday.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkWeek(Vec<Weekday>);

impl WorkWeek {
    pub fn parse(code: &str) -> Result<Self, &'static str> {
        let mut days = Vec::new();
        for c in code.chars() {
            let n = c.to_digit(10).ok_or("工作日格式不正确")?;
            if !(1..=7).contains(&n) {
                return Err("工作日格式不正确");
            }
            let day = Weekday::try_from((n - 1) as u8).map_err(|_| "工作日格式不正确")?;
            if !days.contains(&day) {
                days.push(day);
            }
        }
        if days.is_empty() {
            return Err("请至少选择一个工作日");
        }
        days.sort_by_key(|d| d.number_from_monday());
        Ok(Self(days))
    }

    pub fn code(&self) -> String {
        self.0.iter().map(|d| char::from(b'0' + d.number_from_monday() as u8)).collect()
    }

    pub fn contains(&self, day: Weekday) -> bool {
        self.0.contains(&day)
    }
}

/// Parses `HH:MM` working-hour bounds.
pub fn parse_hhmm(s: &str) -> Option<NaiveTime> {
    NaiveTime::parse_from_str(s.trim(), "%H:%M").ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn work_week_round_trip() {
        let w = WorkWeek::parse("54321").unwrap();
        assert_eq!(w.code(), "12345");
        assert!(w.contains(Weekday::Mon) && !w.contains(Weekday::Sat));
        assert!(WorkWeek::parse("").is_err());
        assert!(WorkWeek::parse("8").is_err());
        assert!(WorkWeek::parse("1a").is_err());
    }

    #[test]
    fn hhmm() {
        assert_eq!(parse_hhmm("09:00"), NaiveTime::from_hms_opt(9, 0, 0));
        assert_eq!(parse_hhmm("25:00"), None);
        assert_eq!(parse_hhmm(" 18:30 "), NaiveTime::from_hms_opt(18, 30, 0));
    }
}
