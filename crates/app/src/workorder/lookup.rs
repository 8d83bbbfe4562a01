//! The caller picker of the new-order form (SVC-1): an agent types a room
//! code, a name or the last digits of a phone and picks the room and the
//! customer in one go.

use serde::Serialize;

use crate::{
    customer::record::{self, CustomerFilter},
    AppResult, Caller, Db, PageRequest,
};

/// A room with a customer who holds it now.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Candidate {
    pub room_id: i32,
    pub room_code: String,
    pub customer_id: i32,
    pub customer_code: String,
    pub customer_name: String,
    pub role_label: &'static str,
    /// The customer's first phone: the order's contact phone by default.
    pub phone: String,
    /// What the picker shows and the input keeps, e.g. `C3-1-0301 白展堂（业主）`.
    pub text: String,
}

/// Candidates for a typed text, at most `limit`: every current room of each
/// matching customer (the customer search already matches room codes,
/// names, phone suffixes and ID numbers).
pub async fn lookup(db: &Db, caller: &Caller, q: &str, limit: usize) -> AppResult<Vec<Candidate>> {
    caller.require("workorder.create")?;
    if q.trim().is_empty() {
        return Ok(vec![]);
    }
    let req = PageRequest { q: Some(q.to_string()), per_page: Some(limit as u64), ..Default::default() };
    let page = record::list(db, caller, &req, &CustomerFilter::default()).await?;
    let mut out = Vec::new();
    for c in page.items {
        let phone = c.phones.first().cloned().unwrap_or_default();
        for r in c.rooms.iter().filter(|r| r.end_date.is_none()) {
            out.push(Candidate {
                room_id: r.room_id,
                room_code: r.room_code.clone(),
                customer_id: c.customer.id,
                customer_code: c.customer.code.clone(),
                customer_name: c.customer.name.clone(),
                role_label: r.role_label,
                phone: phone.clone(),
                text: format!("{} {}（{}）", r.room_code, c.customer.name, r.role_label),
            });
        }
    }
    out.truncate(limit);
    Ok(out)
}
