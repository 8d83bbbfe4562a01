//! Use cases of Guanjia over the database: entities, migrations, queries,
//! one transaction per use case, Scope checks and audit records.

pub mod audit;
pub mod cache;
pub mod caller;
pub mod clock;
pub mod customer;
pub mod db;
pub mod demo;
pub mod entity;
pub mod error;
pub mod import;
pub mod list;
pub mod messaging;
pub mod migration;
pub mod occupancy;
pub mod org;
pub mod outbox;
pub mod property;
pub mod report;
pub mod settings;
pub mod storage;
pub mod synth;
#[cfg(test)]
mod temp_dir;
pub mod visit;
pub mod workorder;

pub use caller::Caller;
pub use db::Db;
pub use error::{AppError, AppResult};
pub use list::{Page, PageRequest};
