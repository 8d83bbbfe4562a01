//! Integration tests: the real router over a fresh database per test, driven
//! over HTTP. Runs on SQLite, and on PostgreSQL when `TEST_DATABASE_URL` is
//! set.

mod harness;

mod import;

mod audit;
mod auth;
mod cache;
mod customer;
mod escalation;
mod gen_data;
mod locking;
mod measures;
mod ops;
mod org;
mod photo;
mod property;
mod scope;
mod settings;
mod visit;
mod workbench;
mod workorder;
mod workorder_service;
mod xss;
