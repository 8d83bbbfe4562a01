//! Org tree, users, roles, permissions, login rules and data scope.

mod lockout;
mod password;
mod permission;
mod scope;
mod unit;

pub use lockout::{LoginThrottle, LOCKOUT_FAILURES, LOCKOUT_WINDOW_MINUTES};
pub use password::check_password_policy;
pub use permission::{module_label, Permission, PermissionModule, MODULES, PERMISSIONS};
pub use scope::Scope;
pub use unit::OrgUnitKind;
