//! Customers (CUS-1…7): the record with household, contacts, vehicles, bank
//! accounts and tags; search; rename orders.

pub mod import;
pub mod record;
pub mod rename;
pub mod search;
pub mod tally;
