//! Escalation of overdue work orders (SLA-2): when a target is missed the
//! order climbs up to three levels, each told to more senior people a set
//! number of minutes after the first missed due time — by default the
//! assignee at once, the dispatch desk after an hour, the office manager
//! after four. Each level fires once, in order, never again.

use chrono::{DateTime, Utc};

/// The highest level an order can reach.
pub const MAX_LEVEL: i32 = 3;

/// The timeline action code of an escalation. It is not an [`Action`]
/// (nobody performs it and it moves no state), so it has its own code.
///
/// [`Action`]: super::Action
pub const EVENT_ACTION: &str = "escalate";
pub const EVENT_LABEL: &str = "超时升级";

/// The latest threshold a company may configure: 30 days.
pub const MAX_AFTER_MINUTES: i32 = 60 * 24 * 30;

/// Who a level tells.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Notify {
    /// The order's assignee (处理人); the dispatchers while nobody is assigned.
    Assignee,
    /// Team leaders and the dispatch desk: holders of `workorder.dispatch`
    /// whose scope covers the order's project.
    Dispatchers,
    /// Office managers: holders of `workorder.configure` covering the project.
    Managers,
    /// The users of one role (by id) covering the project.
    Role(i32),
}

impl Notify {
    /// The codes a rule may name, with their labels, for pickers.
    pub const CHOICES: [(&'static str, &'static str); 4] =
        [("assignee", "处理人"), ("dispatchers", "调度/班组长"), ("managers", "管理处主任"), ("role", "指定角色")];

    pub fn code(self) -> &'static str {
        match self {
            Self::Assignee => "assignee",
            Self::Dispatchers => "dispatchers",
            Self::Managers => "managers",
            Self::Role(_) => "role",
        }
    }

    pub fn label(self) -> &'static str {
        Self::CHOICES.iter().find(|(c, _)| *c == self.code()).map_or("", |(_, l)| l)
    }

    /// Reads the stored pair (`notify`, `role_id`); `role` needs a role.
    pub fn from_parts(code: &str, role_id: Option<i32>) -> Option<Self> {
        match (code, role_id) {
            ("assignee", _) => Some(Self::Assignee),
            ("dispatchers", _) => Some(Self::Dispatchers),
            ("managers", _) => Some(Self::Managers),
            ("role", Some(r)) => Some(Self::Role(r)),
            _ => None,
        }
    }

    pub fn role_id(self) -> Option<i32> {
        match self {
            Self::Role(r) => Some(r),
            _ => None,
        }
    }

    /// Whom to tell for an order that has (or has not) an assignee: an
    /// unassigned order's "assignee" level goes to the dispatchers, who
    /// still have to hand it to someone.
    pub fn for_order(self, has_assignee: bool) -> Self {
        match self {
            Self::Assignee if !has_assignee => Self::Dispatchers,
            other => other,
        }
    }

    /// The permission whose holders are told, for the permission-based groups.
    pub fn permission(self) -> Option<&'static str> {
        match self {
            Self::Dispatchers => Some("workorder.dispatch"),
            Self::Managers => Some("workorder.configure"),
            Self::Assignee | Self::Role(_) => None,
        }
    }
}

/// One level of a company's escalation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    pub level: i32,
    /// Minutes after the first missed due time.
    pub after_minutes: i32,
    pub notify: Notify,
}

/// The levels of a company that configured none.
pub fn defaults() -> Vec<Rule> {
    vec![
        Rule { level: 1, after_minutes: 0, notify: Notify::Assignee },
        Rule { level: 2, after_minutes: 60, notify: Notify::Dispatchers },
        Rule { level: 3, after_minutes: 240, notify: Notify::Managers },
    ]
}

/// What is wrong with a configured set of levels: the level and the message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleError {
    pub level: i32,
    pub message: &'static str,
}

/// Checks a configured set: one to three levels numbered 1, 2, 3 in order,
/// thresholds between 0 and 30 days and strictly increasing (a later
/// level after an earlier one). Reports every wrong level.
pub fn check(rules: &[Rule]) -> Result<(), Vec<RuleError>> {
    if rules.is_empty() || rules.len() > MAX_LEVEL as usize {
        return Err(vec![RuleError { level: 0, message: "请设置 1 至 3 级升级" }]);
    }
    let mut errors = Vec::new();
    let mut previous: Option<i32> = None;
    for (i, r) in rules.iter().enumerate() {
        if r.level != i as i32 + 1 {
            errors.push(RuleError { level: r.level, message: "升级级别须依次为第 1、2、3 级" });
        } else if !(0..=MAX_AFTER_MINUTES).contains(&r.after_minutes) {
            errors.push(RuleError { level: r.level, message: "请填写 0 至 43200 之间的分钟数" });
        } else if previous.is_some_and(|p| r.after_minutes <= p) {
            errors.push(RuleError { level: r.level, message: "须晚于上一级（分钟数逐级递增）" });
        }
        previous = Some(r.after_minutes);
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

/// The levels to fire now for an order overdue by `overdue_minutes` that
/// has reached `current_level` (0 = none): every level above the current
/// one whose threshold has passed, in order. A scan that ran late fires
/// all the levels it missed at once; a fired level never fires again.
pub fn levels_due(rules: &[Rule], overdue_minutes: i64, current_level: i32) -> Vec<i32> {
    if overdue_minutes < 0 {
        return vec![];
    }
    let mut due: Vec<i32> =
        rules.iter().filter(|r| r.level > current_level && i64::from(r.after_minutes) <= overdue_minutes).map(|r| r.level).collect();
    due.sort_unstable();
    due
}

/// One clock of an order: its due time and when it was met, if ever.
pub type Clock = (Option<DateTime<Utc>>, Option<DateTime<Utc>>);

/// The first missed due time at `now` of an order's clocks: a clock counts
/// while it is unmet and its due time has passed.
pub fn first_missed(clocks: &[Clock], now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    clocks.iter().filter(|(_, met)| met.is_none()).filter_map(|(due, _)| *due).filter(|d| *d < now).min()
}

/// The timeline note of a level: who was told, or that nobody could be.
pub fn note(level: i32, names: &[String]) -> String {
    if names.is_empty() {
        format!("{EVENT_LABEL}（第 {level} 级）：没有可通知的人员")
    } else {
        format!("{EVENT_LABEL}（第 {level} 级）：已通知 {}", names.join("、"))
    }
}

/// "2 小时 5 分", "45 分钟", "3 天 2 小时" for an overdue span.
pub fn overdue_text(minutes: i64) -> String {
    let (d, h, m) = (minutes / (60 * 24), minutes / 60 % 24, minutes % 60);
    match (d, h) {
        (0, 0) => format!("{m} 分钟"),
        (0, _) => format!("{h} 小时 {m} 分"),
        _ => format!("{d} 天 {h} 小时"),
    }
}

#[cfg(test)]
mod tests {
    use chrono::{Duration, TimeZone};

    use super::*;

    fn rules(minutes: &[i32]) -> Vec<Rule> {
        minutes.iter().enumerate().map(|(i, m)| Rule { level: i as i32 + 1, after_minutes: *m, notify: Notify::Managers }).collect()
    }

    #[test]
    fn defaults_are_assignee_then_dispatchers_then_managers() {
        let d = defaults();
        assert_eq!(d.iter().map(|r| (r.level, r.after_minutes)).collect::<Vec<_>>(), [(1, 0), (2, 60), (3, 240)]);
        assert_eq!(d.iter().map(|r| r.notify).collect::<Vec<_>>(), [Notify::Assignee, Notify::Dispatchers, Notify::Managers]);
        assert_eq!(check(&d), Ok(()));
    }

    #[test]
    fn each_level_fires_once_when_its_threshold_passes() {
        let d = defaults();
        assert_eq!(levels_due(&d, 0, 0), [1], "the assignee is told as soon as the target is missed");
        assert_eq!(levels_due(&d, 59, 1), Vec::<i32>::new());
        assert_eq!(levels_due(&d, 60, 1), [2]);
        assert_eq!(levels_due(&d, 61, 2), Vec::<i32>::new(), "level 2 never fires twice");
        assert_eq!(levels_due(&d, 240, 2), [3]);
        assert_eq!(levels_due(&d, 10_000, 3), Vec::<i32>::new(), "nothing above the last level");
    }

    #[test]
    fn a_late_scan_fires_every_missed_level_in_order() {
        let d = defaults();
        assert_eq!(levels_due(&d, 300, 0), [1, 2, 3]);
        assert_eq!(levels_due(&d, 300, 1), [2, 3]);
        assert_eq!(levels_due(&d, 90, 0), [1, 2]);
        let shuffled = vec![d[2], d[0], d[1]];
        assert_eq!(levels_due(&shuffled, 300, 0), [1, 2, 3], "in level order whatever the order of the rules");
    }

    #[test]
    fn not_yet_overdue_fires_nothing() {
        assert_eq!(levels_due(&defaults(), -1, 0), Vec::<i32>::new());
        assert_eq!(levels_due(&rules(&[30]), 29, 0), Vec::<i32>::new());
        assert_eq!(levels_due(&[], 1000, 0), Vec::<i32>::new(), "no levels, no escalation");
    }

    #[test]
    fn configured_levels_must_increase_strictly() {
        assert_eq!(check(&rules(&[0, 30, 120])), Ok(()));
        assert_eq!(check(&rules(&[15])), Ok(()), "one level is enough");
        assert_eq!(check(&rules(&[0, 60, 60])), Err(vec![RuleError { level: 3, message: "须晚于上一级（分钟数逐级递增）" }]));
        let e = check(&rules(&[100, 50, 10])).unwrap_err();
        assert_eq!(e.iter().map(|e| e.level).collect::<Vec<_>>(), [2, 3], "every wrong level is reported");
    }

    #[test]
    fn configured_levels_are_one_to_three_in_order_within_bounds() {
        assert_eq!(check(&[]).unwrap_err()[0].level, 0);
        assert_eq!(check(&rules(&[0, 1, 2, 3])).unwrap_err()[0].level, 0, "at most three levels");
        assert_eq!(check(&rules(&[-1])).unwrap_err()[0].message, "请填写 0 至 43200 之间的分钟数");
        assert!(check(&rules(&[0, MAX_AFTER_MINUTES])).is_ok());
        assert!(check(&rules(&[0, MAX_AFTER_MINUTES + 1])).is_err());
        let skipped =
            [Rule { level: 1, after_minutes: 0, notify: Notify::Assignee }, Rule { level: 3, after_minutes: 10, notify: Notify::Managers }];
        assert_eq!(check(&skipped).unwrap_err()[0].message, "升级级别须依次为第 1、2、3 级");
    }

    #[test]
    fn whom_each_level_tells() {
        assert_eq!(Notify::Assignee.for_order(true), Notify::Assignee);
        assert_eq!(Notify::Assignee.for_order(false), Notify::Dispatchers, "no assignee yet: the dispatch desk");
        assert_eq!(Notify::Managers.for_order(false), Notify::Managers);
        assert_eq!(Notify::Dispatchers.permission(), Some("workorder.dispatch"));
        assert_eq!(Notify::Managers.permission(), Some("workorder.configure"));
        assert_eq!(Notify::Role(7).permission(), None);
        for (code, label) in Notify::CHOICES {
            let n = Notify::from_parts(code, Some(7)).unwrap();
            assert_eq!((n.code(), n.label()), (code, label));
        }
        assert_eq!(Notify::from_parts("role", None), None, "a role level names its role");
        assert_eq!(Notify::from_parts("role", Some(4)).and_then(Notify::role_id), Some(4));
        assert_eq!(Notify::from_parts("boss", None), None);
    }

    #[test]
    fn the_first_missed_clock_counts() {
        let t = |h: i64| Utc.with_ymd_and_hms(2026, 12, 1, 8, 0, 0).unwrap() + Duration::hours(h);
        let now = t(10);
        assert_eq!(first_missed(&[(Some(t(2)), None), (Some(t(4)), None), (Some(t(20)), None)], now), Some(t(2)));
        assert_eq!(first_missed(&[(Some(t(2)), Some(t(3))), (Some(t(4)), None)], now), Some(t(4)), "a met clock no longer counts");
        assert_eq!(first_missed(&[(Some(t(12)), None), (None, None)], now), None, "nothing missed yet");
        assert_eq!(first_missed(&[(Some(now), None)], now), None, "due exactly now is not missed");
    }

    #[test]
    fn notes_and_spans_read_naturally() {
        assert_eq!(note(2, &["李静".into(), "王建国".into()]), "超时升级（第 2 级）：已通知 李静、王建国");
        assert_eq!(note(1, &[]), "超时升级（第 1 级）：没有可通知的人员");
        assert_eq!(overdue_text(45), "45 分钟");
        assert_eq!(overdue_text(125), "2 小时 5 分");
        assert_eq!(overdue_text(60 * 24 * 3 + 120), "3 天 2 小时");
    }
}
