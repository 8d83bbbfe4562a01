//! Org tree, users, roles, login, sessions and API tokens (SYS-1…SYS-5).

pub mod auth;
pub mod role;
mod scope;
pub mod unit;
pub mod user;

pub use scope::{load_caller, Access};
