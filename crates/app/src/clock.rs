//! The company's calendar day. Dates a user types ("入伙日期不能晚于今天")
//! and numbering periods are days in the configured zone
//! (`GUANJIA_TIMEZONE`), not in UTC: at 03:00 in Shanghai it is already
//! tomorrow there while UTC is still on yesterday. One zone per process,
//! set once at startup.

use std::sync::OnceLock;

use chrono::{DateTime, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;

static ZONE: OnceLock<Tz> = OnceLock::new();

/// Sets the zone of this process (the first call wins).
pub fn set_zone(tz: Tz) {
    let _ = ZONE.set(tz);
}

pub fn zone() -> Tz {
    ZONE.get().copied().unwrap_or(chrono_tz::Asia::Shanghai)
}

/// Today in the company's zone.
pub fn today() -> NaiveDate {
    Utc::now().with_timezone(&zone()).date_naive()
}

/// The start of a local day as UTC: where a date filter "from this day" or
/// "up to this day" (the start of the next) cuts a timestamp column.
pub fn day_start(tz: Tz, day: NaiveDate) -> DateTime<Utc> {
    let t = day.and_time(NaiveTime::MIN);
    tz.from_local_datetime(&t).earliest().map_or_else(|| t.and_utc(), |x| x.with_timezone(&Utc))
}
