//! sea-orm entities, one per table.

pub mod announcement;
pub mod announcement_target;
pub mod api_token;
pub mod audit_log;
pub mod building;
pub mod building_unit;
pub mod dict_item;
pub mod holiday;
pub mod login_log;
pub mod number_counter;
pub mod numbering_rule;
pub mod org_unit;
pub mod project;
pub mod role;
pub mod role_permission;
pub mod room;
pub mod session;
pub mod user;
pub mod user_project;
pub mod user_role;
pub mod work_calendar;
