//! Audit (SYS-6): the operation log and the login log — read-only pages and
//! API; nothing here can edit or delete a row.

pub mod api;
mod pages;

use axum::{routing::get, Router};

use crate::SharedState;

pub fn routes() -> Router<SharedState> {
    Router::new()
        .route("/system/audit", get(pages::audit_list))
        .route("/system/audit/export", get(pages::audit_list))
        .route("/system/audit/{id}", get(pages::audit_detail))
        .route("/system/logins", get(pages::login_list))
        .route("/system/logins/export", get(pages::login_list))
        .merge(api::routes())
}

/// A local calendar date range (inclusive) as UTC bounds.
pub(crate) fn utc_range(
    tz: chrono_tz::Tz,
    from: Option<&str>,
    to: Option<&str>,
) -> (Option<chrono::DateTime<chrono::Utc>>, Option<chrono::DateTime<chrono::Utc>>) {
    use chrono::{NaiveDate, TimeZone};
    let start_of =
        |d: NaiveDate| tz.from_local_datetime(&d.and_hms_opt(0, 0, 0).expect("midnight")).earliest().map(|t| t.with_timezone(&chrono::Utc));
    let parse = |s: Option<&str>| s.and_then(|s| NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok());
    (parse(from).and_then(start_of), parse(to).and_then(|d| d.succ_opt()).and_then(start_of))
}

#[cfg(test)]
mod tests {
    #[test]
    fn shanghai_day_bounds() {
        let (from, to) = super::utc_range(chrono_tz::Asia::Shanghai, Some("2026-11-22"), Some("2026-11-22"));
        assert_eq!(from.unwrap().to_rfc3339(), "2026-11-21T16:00:00+00:00");
        assert_eq!(to.unwrap().to_rfc3339(), "2026-11-22T16:00:00+00:00");
        assert_eq!(super::utc_range(chrono_tz::Asia::Shanghai, Some("x"), None), (None, None));
    }
}
