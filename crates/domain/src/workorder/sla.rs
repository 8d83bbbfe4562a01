//! The SLA clock (SLA-1): targets counted in working time on a company's
//! calendar (working weekdays, hours with a lunch break, public holidays and
//! swapped working days), or round the clock for emergencies; paused while
//! an order waits on the customer. All times are local to the company.

use std::collections::BTreeMap;

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime};

use crate::settings::{HolidayKind, WorkWeek};

/// A span when the clock stood still; `to: None` means it still does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pause {
    pub from: NaiveDateTime,
    pub to: Option<NaiveDateTime>,
}

/// When the clock runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Calendar {
    /// Every minute counts (emergency on-site targets).
    RoundTheClock,
    Working {
        week: WorkWeek,
        start: NaiveTime,
        end: NaiveTime,
        lunch: Option<(NaiveTime, NaiveTime)>,
        days: BTreeMap<NaiveDate, HolidayKind>,
    },
}

/// The promises of SLA-1 for one category × priority: first response
/// (the engineer acknowledges / contacts the customer), arrival on site and
/// completion, each measured from the order's creation. Response and on-site
/// may run round the clock (emergencies); completion always counts on the
/// company's working calendar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Targets {
    pub response: Duration,
    pub onsite: Duration,
    pub complete: Duration,
    pub round_the_clock: bool,
}

impl Targets {
    /// The defaults, as promised in the seeds: an emergency is answered within
    /// 15 minutes and on site within 30, round the clock, and fixed within four
    /// working hours; a normal request gets contact and a visit within one
    /// working day and is done within three.
    pub fn default_for(emergency: bool, working_day: Duration) -> Self {
        if emergency {
            Self { response: Duration::minutes(15), onsite: Duration::minutes(30), complete: Duration::hours(4), round_the_clock: true }
        } else {
            Self { response: working_day, onsite: working_day, complete: working_day * 3, round_the_clock: false }
        }
    }

    /// The default of a category: a normal order's completion follows the
    /// trade (cleaning in a day, public facilities and greenery in five).
    pub fn default_for_category(category: &str, emergency: bool, working_day: Duration) -> Self {
        let t = Self::default_for(emergency, working_day);
        match (emergency, DEFAULT_COMPLETION_DAYS.iter().find(|(c, _)| *c == category)) {
            (false, Some((_, days))) => Self { complete: working_day * *days, ..t },
            _ => t,
        }
    }

    /// Checks a configured target: positive, response ≤ on site ≤ completion.
    pub fn check(&self) -> Result<(), &'static str> {
        if self.response <= Duration::zero() || self.onsite <= Duration::zero() || self.complete <= Duration::zero() {
            return Err("时限必须大于 0");
        }
        if self.response > self.onsite || self.onsite > self.complete {
            return Err("须满足：响应时限 ≤ 到场时限 ≤ 完成时限");
        }
        Ok(())
    }
}

/// Due times of an order created at `created` (local), pauses excluded from
/// the completion clock: (response, on site, completion).
pub fn due_times(
    calendar: &Calendar,
    targets: &Targets,
    created: NaiveDateTime,
    pauses: &[Pause],
) -> (Option<NaiveDateTime>, Option<NaiveDateTime>, Option<NaiveDateTime>) {
    let quick = if targets.round_the_clock { &Calendar::RoundTheClock } else { calendar };
    (quick.due(created, targets.response, &[]), quick.due(created, targets.onsite, &[]), calendar.due(created, targets.complete, pauses))
}

/// How an open clock stands at `now`: the time left (negative when overdue)
/// and whether it is within the last fifth of the target (UI.md: orange).
pub fn standing(created: NaiveDateTime, due: NaiveDateTime, now: NaiveDateTime) -> (Duration, bool) {
    let left = due - now;
    (left, left >= Duration::zero() && left * 5 < due - created)
}

/// Working days to complete a normal order, by the default service
/// categories; others take three.
pub const DEFAULT_COMPLETION_DAYS: &[(&str, i32)] =
    &[("清洁", 1), ("水电", 2), ("管道疏通", 1), ("电梯", 2), ("安防", 2), ("门窗", 3), ("公共设施", 5), ("绿化", 5), ("有偿家政", 2)];

/// How far ahead the clock looks for working time before giving up (a
/// calendar with no working days would otherwise never end).
const HORIZON_DAYS: i64 = 800;

impl Calendar {
    /// The working time of an ordinary working day (one "working day" of a
    /// target).
    pub fn working_day(&self) -> Duration {
        match self {
            Self::RoundTheClock => Duration::days(1),
            Self::Working { start, end, lunch, .. } => {
                let lunch = match lunch {
                    Some((ls, le)) if start <= ls && ls < le && le <= end => *le - *ls,
                    _ => Duration::zero(),
                };
                (*end - *start) - lunch
            }
        }
    }

    fn is_working_day(&self, date: NaiveDate) -> bool {
        match self {
            Self::RoundTheClock => true,
            Self::Working { week, days, .. } => match days.get(&date) {
                Some(HolidayKind::Holiday) => false,
                Some(HolidayKind::Workday) => true,
                None => week.contains(date.weekday()),
            },
        }
    }

    /// The working spans of one day, in order.
    fn spans(&self, date: NaiveDate) -> Vec<(NaiveDateTime, NaiveDateTime)> {
        if !self.is_working_day(date) {
            return vec![];
        }
        match self {
            Self::RoundTheClock => {
                let midnight = date.and_hms_opt(0, 0, 0).expect("midnight");
                vec![(midnight, midnight + Duration::days(1))]
            }
            Self::Working { start, end, lunch, .. } => {
                let at = |t: NaiveTime| date.and_time(t);
                match lunch {
                    Some((ls, le)) if start <= ls && ls < le && le <= end => vec![(at(*start), at(*ls)), (at(*le), at(*end))],
                    _ => vec![(at(*start), at(*end))],
                }
            }
        }
    }

    /// Working spans from `from` on, with the pauses cut out, day by day.
    fn running_spans<'a>(&'a self, from: NaiveDateTime, pauses: &'a [Pause]) -> impl Iterator<Item = (NaiveDateTime, NaiveDateTime)> + 'a {
        (0..HORIZON_DAYS)
            .map(move |d| from.date() + Duration::days(d))
            .flat_map(move |day| self.spans(day))
            .filter_map(move |(s, e)| (e > from).then_some((s.max(from), e)))
            .flat_map(move |span| cut(span, pauses))
    }

    /// Working time between two instants, pauses excluded.
    pub fn elapsed(&self, from: NaiveDateTime, to: NaiveDateTime, pauses: &[Pause]) -> Duration {
        if to <= from {
            return Duration::zero();
        }
        self.running_spans(from, pauses).take_while(|(s, _)| *s < to).map(|(s, e)| e.min(to) - s).fold(Duration::zero(), |a, b| a + b)
    }

    /// When `target` of working time has passed since `from`, pauses
    /// excluded; `None` while an open pause holds the clock before then.
    pub fn due(&self, from: NaiveDateTime, target: Duration, pauses: &[Pause]) -> Option<NaiveDateTime> {
        let mut left = target;
        if left <= Duration::zero() {
            return Some(from);
        }
        for (s, e) in self.running_spans(from, pauses) {
            if e - s >= left {
                return Some(s + left);
            }
            left -= e - s;
        }
        None
    }
}

/// A span with the pauses removed; an open pause removes everything after it.
fn cut(span: (NaiveDateTime, NaiveDateTime), pauses: &[Pause]) -> Vec<(NaiveDateTime, NaiveDateTime)> {
    let mut parts = vec![span];
    for p in pauses {
        let mut next = Vec::with_capacity(parts.len() + 1);
        for (s, e) in parts {
            let (ps, pe) = (p.from, p.to.unwrap_or(NaiveDateTime::MAX));
            if pe <= s || ps >= e {
                next.push((s, e));
                continue;
            }
            if ps > s {
                next.push((s, ps));
            }
            if pe < e {
                next.push((pe, e));
            }
        }
        parts = next;
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
    }

    fn hm(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap()
    }

    /// Mon–Fri 09:00–18:00 with lunch 12:00–13:30 (7.5 working hours a day);
    /// 2026-10-01..07 National Day off, Saturday 2026-10-10 worked.
    fn office() -> Calendar {
        let mut days = BTreeMap::new();
        for d in 1..=7 {
            days.insert(NaiveDate::from_ymd_opt(2026, 10, d).unwrap(), HolidayKind::Holiday);
        }
        days.insert(NaiveDate::from_ymd_opt(2026, 10, 10).unwrap(), HolidayKind::Workday);
        Calendar::Working {
            week: WorkWeek::parse("12345").unwrap(),
            start: hm(9, 0),
            end: hm(18, 0),
            lunch: Some((hm(12, 0), hm(13, 30))),
            days,
        }
    }

    #[test]
    fn within_a_day_skipping_lunch() {
        let c = office();
        assert_eq!(c.due(t("2026-11-23 09:00"), Duration::hours(2), &[]), Some(t("2026-11-23 11:00")));
        assert_eq!(c.due(t("2026-11-23 11:30"), Duration::hours(1), &[]), Some(t("2026-11-23 14:00")), "lunch does not count");
        assert_eq!(
            c.due(t("2026-11-23 07:00"), Duration::minutes(30), &[]),
            Some(t("2026-11-23 09:30")),
            "before hours the clock starts at 09:00"
        );
    }

    #[test]
    fn crossing_nights_and_weekends() {
        let c = office();
        assert_eq!(c.due(t("2026-11-23 17:00"), Duration::hours(2), &[]), Some(t("2026-11-24 10:00")));
        assert_eq!(c.due(t("2026-11-27 17:00"), Duration::hours(2), &[]), Some(t("2026-11-30 10:00")), "Friday to Monday");
        assert_eq!(c.due(t("2026-11-28 15:00"), Duration::hours(1), &[]), Some(t("2026-11-30 10:00")), "created on Saturday");
        assert_eq!(c.due(t("2026-11-23 09:00"), Duration::minutes(7 * 60 + 30), &[]), Some(t("2026-11-23 18:00")), "one working day");
    }

    #[test]
    fn holidays_and_swapped_working_days() {
        let c = office();
        assert_eq!(c.due(t("2026-09-30 17:00"), Duration::hours(2), &[]), Some(t("2026-10-08 10:00")), "the National Day week is skipped");
        assert_eq!(c.due(t("2026-10-09 17:00"), Duration::hours(2), &[]), Some(t("2026-10-10 10:00")), "Saturday 10-10 is worked");
    }

    #[test]
    fn pauses_stop_the_clock() {
        let c = office();
        let pause = [Pause { from: t("2026-11-23 10:00"), to: Some(t("2026-11-24 09:30")) }];
        assert_eq!(c.due(t("2026-11-23 09:00"), Duration::hours(4), &pause), Some(t("2026-11-24 14:00")));
        let open = [Pause { from: t("2026-11-23 10:00"), to: None }];
        assert_eq!(c.due(t("2026-11-23 09:00"), Duration::hours(4), &open), None, "still waiting on the customer");
        assert_eq!(c.due(t("2026-11-23 09:00"), Duration::minutes(30), &open), Some(t("2026-11-23 09:30")), "due before the pause");
        assert_eq!(c.elapsed(t("2026-11-23 09:00"), t("2026-11-24 12:00"), &pause), Duration::minutes(60 + 150));
        assert_eq!(c.elapsed(t("2026-11-23 09:00"), t("2026-11-25 09:00"), &open), Duration::hours(1));
    }

    #[test]
    fn elapsed_counts_only_working_time() {
        let c = office();
        assert_eq!(c.elapsed(t("2026-11-27 17:00"), t("2026-11-30 10:00"), &[]), Duration::hours(2));
        assert_eq!(c.elapsed(t("2026-11-23 12:10"), t("2026-11-23 13:20"), &[]), Duration::zero(), "lunch");
        assert_eq!(c.elapsed(t("2026-11-23 10:00"), t("2026-11-23 09:00"), &[]), Duration::zero());
    }

    #[test]
    fn default_targets_follow_the_promises() {
        let day = office().working_day();
        assert_eq!(day, Duration::minutes(450));
        let e = Targets::default_for(true, day);
        assert_eq!(
            (e.response, e.onsite, e.complete, e.round_the_clock),
            (Duration::minutes(15), Duration::minutes(30), Duration::hours(4), true)
        );
        let n = Targets::default_for(false, day);
        assert_eq!((n.response, n.onsite, n.complete, n.round_the_clock), (day, day, day * 3, false));
        assert!(e.check().is_ok() && n.check().is_ok());
        assert!(Targets { response: Duration::hours(2), ..n }.check().is_ok());
        assert_eq!(Targets { onsite: Duration::minutes(5), ..e }.check(), Err("须满足：响应时限 ≤ 到场时限 ≤ 完成时限"));
        assert_eq!(Targets { response: Duration::zero(), ..e }.check(), Err("时限必须大于 0"));
    }

    #[test]
    fn completion_defaults_follow_the_trade() {
        let day = office().working_day();
        assert_eq!(Targets::default_for_category("清洁", false, day).complete, day);
        assert_eq!(Targets::default_for_category("绿化", false, day).complete, day * 5);
        assert_eq!(Targets::default_for_category("其他", false, day).complete, day * 3);
        assert_eq!(Targets::default_for_category("绿化", true, day), Targets::default_for(true, day), "an emergency is an emergency");
    }

    #[test]
    fn an_emergency_at_night_is_due_on_site_at_night_and_done_next_morning() {
        let c = office();
        let e = Targets::default_for(true, c.working_day());
        let (r, o, d) = due_times(&c, &e, t("2026-11-23 22:00"), &[]);
        assert_eq!(r, Some(t("2026-11-23 22:15")));
        assert_eq!(o, Some(t("2026-11-23 22:30")));
        assert_eq!(d, Some(t("2026-11-24 14:30")), "four working hours from 09:00, lunch excluded");
        let n = Targets::default_for(false, c.working_day());
        let (r, o, d) = due_times(&c, &n, t("2026-11-27 14:00"), &[]);
        assert_eq!(r, Some(t("2026-11-30 14:00")), "one working day over the weekend");
        assert_eq!(o, r);
        assert_eq!(d, Some(t("2026-12-02 14:00")));
    }

    #[test]
    fn standing_turns_orange_in_the_last_fifth() {
        let (created, due) = (t("2026-11-23 09:00"), t("2026-11-23 19:00"));
        assert_eq!(standing(created, due, t("2026-11-23 10:00")), (Duration::hours(9), false));
        assert_eq!(standing(created, due, t("2026-11-23 17:30")), (Duration::minutes(90), true));
        assert_eq!(standing(created, due, t("2026-11-23 20:00")), (Duration::hours(-1), false), "overdue is red, not orange");
    }

    #[test]
    fn emergencies_run_round_the_clock() {
        let c = Calendar::RoundTheClock;
        assert_eq!(c.due(t("2026-11-28 23:50"), Duration::minutes(30), &[]), Some(t("2026-11-29 00:20")));
        assert_eq!(c.elapsed(t("2026-11-28 23:50"), t("2026-11-29 00:20"), &[]), Duration::minutes(30));
    }

    #[test]
    fn a_calendar_without_working_days_never_falls_due() {
        let mut days = BTreeMap::new();
        for d in 0..HORIZON_DAYS + 10 {
            days.insert(NaiveDate::from_ymd_opt(2026, 1, 1).unwrap() + Duration::days(d), HolidayKind::Holiday);
        }
        let c = Calendar::Working { week: WorkWeek::parse("1").unwrap(), start: hm(9, 0), end: hm(10, 0), lunch: None, days };
        assert_eq!(c.due(t("2026-01-01 09:00"), Duration::hours(1), &[]), None);
    }
}
