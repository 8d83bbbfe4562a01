//! Pure business rules of Guanjia: no I/O, no async, no database.
//!
//! One module per bounded context, named as in `app` and `web`.

pub mod audit;
pub mod customer;
pub mod messaging;
pub mod money;
pub mod occupancy;
pub mod org;
pub mod property;
pub mod settings;
pub mod validation;
pub mod visit;
pub mod workorder;

pub use validation::FieldErrors;
