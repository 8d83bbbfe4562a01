//! Return visits (回访) — the queue of accepted orders, the visit form of an
//! order, care visits, the visit records and a visit's page — pages and API.

pub mod api;
mod pages;

use app::visit::VisitView;
use axum::{routing::get, Router};

use crate::{view::local_time, SharedState};

pub fn routes() -> Router<SharedState> {
    Router::new()
        .route("/visits", get(pages::list))
        .route("/visits/export", get(pages::list))
        .route("/visits/queue", get(pages::queue))
        .route("/visits/queue/export", get(pages::queue))
        .route("/visits/new", get(pages::order_form).post(pages::record_order))
        .route("/visits/care/new", get(pages::care_form).post(pages::record_care))
        .route("/visits/{id}", get(pages::show))
        .merge(api::routes())
}

/// Tag colour of a satisfaction: satisfied green, dissatisfied red.
pub fn satisfaction_colour(v: &VisitView) -> &'static str {
    if v.satisfied {
        "green"
    } else if v.dissatisfied {
        "red"
    } else {
        "blue"
    }
}

/// A visit as the order page and the customer page list it.
pub struct VisitRow {
    pub id: i32,
    pub at: String,
    pub kind: &'static str,
    pub who: String,
    pub satisfaction: &'static str,
    pub colour: &'static str,
    pub attitude: &'static str,
    pub method: &'static str,
    pub follow_up: &'static str,
    pub content: String,
    pub work_order_id: Option<i32>,
    pub work_order_number: String,
}

impl VisitRow {
    pub fn new(tz: chrono_tz::Tz, v: VisitView) -> Self {
        Self {
            id: v.visit.id,
            at: local_time(tz, v.visit.visited_at),
            kind: v.kind_label,
            colour: satisfaction_colour(&v),
            satisfaction: v.satisfaction_label,
            attitude: v.attitude_label,
            method: v.method_label,
            follow_up: v.follow_up_label,
            who: v.visit.visited_by_name,
            content: v.visit.content,
            work_order_id: v.visit.work_order_id,
            work_order_number: v.work_order_number,
        }
    }
}

/// The visits of an order or a customer for a record page; none without
/// `visit.view`.
pub async fn rows_for(st: &SharedState, caller: &app::Caller, filter: app::visit::VisitFilter) -> Result<Vec<VisitRow>, app::AppError> {
    if !caller.can("visit.view") {
        return Ok(vec![]);
    }
    let req = app::PageRequest { per_page: Some(50), ..Default::default() };
    let page = app::visit::list(&st.db, caller, st.tz, &req, &filter).await?;
    Ok(page.items.into_iter().map(|v| VisitRow::new(st.tz, v)).collect())
}

/// How long an order has waited: `45 分钟`, `3 小时 20 分`, `2 天 5 小时`.
pub fn waited(minutes: i64) -> String {
    let (days, hours, mins) = (minutes / 1440, minutes % 1440 / 60, minutes % 60);
    match (days, hours) {
        (0, 0) => format!("{mins} 分钟"),
        (0, h) => format!("{h} 小时 {mins} 分"),
        (d, h) => format!("{d} 天 {h} 小时"),
    }
}

#[cfg(test)]
mod tests {
    use super::waited;

    #[test]
    fn waiting_reads_in_the_largest_units() {
        assert_eq!(waited(0), "0 分钟");
        assert_eq!(waited(45), "45 分钟");
        assert_eq!(waited(200), "3 小时 20 分");
        assert_eq!(waited(2 * 1440 + 5 * 60 + 7), "2 天 5 小时");
    }
}
