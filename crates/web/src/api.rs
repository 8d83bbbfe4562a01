//! Shared pieces of the JSON API: list envelopes and versioned bodies.

use serde::{Deserialize, Serialize};

/// `{"items":[…],"total":N}` — the shape of every list endpoint.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ListBody<T> {
    pub items: Vec<T>,
    pub total: u64,
    /// Present (true) when more rows match than `total`: a keyword search
    /// of customers lists only its newest 1,000 matches.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub capped: bool,
}

impl<T> From<app::Page<T>> for ListBody<T> {
    fn from(p: app::Page<T>) -> Self {
        Self { items: p.items, total: p.total, capped: p.capped }
    }
}

impl<T> ListBody<T> {
    /// A list holding every row there is.
    pub fn all(items: Vec<T>) -> Self {
        app::Page::all(items).into()
    }
}

/// An update body: the fields plus the `version` the client last read
/// (a stale version answers 409).
#[derive(Debug, Deserialize)]
pub struct Versioned<T> {
    pub version: i32,
    #[serde(flatten)]
    pub data: T,
}

/// The body of a state action (enable, disable, publish…).
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct VersionBody {
    pub version: i32,
}

pub type ApiResult<T> = Result<axum::Json<T>, crate::error::ApiError>;
