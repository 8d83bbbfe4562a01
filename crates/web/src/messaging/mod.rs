//! Announcements to staff (SYS-8) and the in-app inbox (通知) — pages and API.

pub mod api;
pub mod inbox;
mod pages;

use axum::{
    routing::{get, post},
    Router,
};

use crate::SharedState;

pub fn routes() -> Router<SharedState> {
    Router::new()
        .route("/system/announcements", get(pages::list))
        .route("/system/announcements/export", get(pages::list))
        .route("/system/announcements/new", get(pages::new_form).post(pages::create))
        .route("/system/announcements/{id}", get(pages::show))
        .route("/system/announcements/{id}/edit", get(pages::edit_form).post(pages::update))
        .route("/system/announcements/{id}/publish", post(pages::publish))
        .route("/system/announcements/{id}/withdraw", post(pages::withdraw))
        .merge(api::routes())
        .merge(inbox::routes())
}

/// `datetime-local` input value ↔ UTC, in the company's zone.
pub(crate) fn parse_local(tz: chrono_tz::Tz, s: &str) -> Option<chrono::DateTime<chrono::Utc>> {
    use chrono::TimeZone;
    let naive = chrono::NaiveDateTime::parse_from_str(s.trim(), "%Y-%m-%dT%H:%M").ok()?;
    tz.from_local_datetime(&naive).earliest().map(|t| t.with_timezone(&chrono::Utc))
}

pub(crate) fn input_local(tz: chrono_tz::Tz, t: chrono::DateTime<chrono::Utc>) -> String {
    t.with_timezone(&tz).format("%Y-%m-%dT%H:%M").to_string()
}

#[cfg(test)]
mod tests {
    #[test]
    fn local_round_trip() {
        let tz = chrono_tz::Asia::Shanghai;
        let t = super::parse_local(tz, "2026-11-22T09:30").unwrap();
        assert_eq!(t.to_rfc3339(), "2026-11-22T01:30:00+00:00");
        assert_eq!(super::input_local(tz, t), "2026-11-22T09:30");
        assert!(super::parse_local(tz, "bad").is_none());
    }
}
