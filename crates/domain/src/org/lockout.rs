use chrono::{DateTime, Duration, Utc};

/// Failures within the window that lock an account (SYS-5).
pub const LOCKOUT_FAILURES: usize = 5;
pub const LOCKOUT_WINDOW_MINUTES: i64 = 15;

/// The login throttle decision for one account, from its recent failures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoginThrottle {
    Open,
    LockedUntil(DateTime<Utc>),
}

impl LoginThrottle {
    /// `failures` are the times of failed attempts since the last successful
    /// login or unlock. Five of them within fifteen minutes lock the account
    /// for fifteen minutes after the fifth.
    pub fn evaluate(failures: &[DateTime<Utc>], now: DateTime<Utc>) -> Self {
        let window = Duration::minutes(LOCKOUT_WINDOW_MINUTES);
        let mut recent: Vec<DateTime<Utc>> = failures.iter().copied().filter(|t| *t > now - window * 2 && *t <= now).collect();
        recent.sort();
        // Slide over every run of LOCKOUT_FAILURES consecutive failures; a run
        // that fits in the window locks until window after its last failure.
        let locked_until = recent
            .windows(LOCKOUT_FAILURES)
            .filter(|run| run[LOCKOUT_FAILURES - 1] - run[0] <= window)
            .map(|run| run[LOCKOUT_FAILURES - 1] + window)
            .max();
        match locked_until {
            Some(until) if until > now => Self::LockedUntil(until),
            _ => Self::Open,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(min: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000 + min * 60, 0).unwrap()
    }

    #[test]
    fn four_failures_leave_it_open() {
        let f = [at(0), at(1), at(2), at(3)];
        assert_eq!(LoginThrottle::evaluate(&f, at(4)), LoginThrottle::Open);
    }

    #[test]
    fn five_failures_in_window_lock_for_fifteen_minutes() {
        let f = [at(0), at(1), at(2), at(3), at(4)];
        assert_eq!(LoginThrottle::evaluate(&f, at(5)), LoginThrottle::LockedUntil(at(19)));
        assert_eq!(LoginThrottle::evaluate(&f, at(19)), LoginThrottle::Open);
    }

    #[test]
    fn five_failures_spread_over_more_than_window_do_not_lock() {
        let f = [at(0), at(5), at(10), at(15), at(20)];
        assert_eq!(LoginThrottle::evaluate(&f, at(21)), LoginThrottle::Open);
    }

    #[test]
    fn old_failures_are_forgotten() {
        let f = [at(0), at(1), at(2), at(3), at(4)];
        assert_eq!(LoginThrottle::evaluate(&f, at(120)), LoginThrottle::Open);
    }
}
