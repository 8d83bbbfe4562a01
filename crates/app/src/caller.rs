//! Who is calling: the authenticated user with permissions and data scope.

use std::{collections::BTreeSet, sync::Arc};

use domain::org::Scope;

use crate::{cache::Versions, AppError, AppResult};

/// The authenticated caller of a use case, loaded once per request.
#[derive(Debug, Clone)]
pub struct Caller {
    pub user_id: i32,
    pub username: String,
    pub display_name: String,
    pub org_unit_id: i32,
    pub company_id: Option<i32>,
    pub must_change_password: bool,
    /// Shared with the cache of who sees what: a request clones no set.
    pub permissions: Arc<BTreeSet<String>>,
    pub scope: Arc<Scope>,
    /// Client address, for the audit and login logs.
    pub ip: String,
    /// Session CSRF token (empty for API-token callers, who need none).
    pub csrf_token: String,
    /// The configuration counters read when the caller was loaded; the
    /// request's cached settings are checked against them rather than
    /// against a second read (`settings::for_request`). None for the system.
    pub config: Option<Versions>,
}

/// The user id of [`Caller::system`]; no user has it (ids start at 1).
pub const SYSTEM_USER_ID: i32 = 0;

impl Caller {
    /// The system itself, for work nobody asked for in a request (the
    /// background worker's escalations). It holds no permission and sees no
    /// data, so handing it to a scoped use case finds nothing; the audit
    /// rows and timeline events it writes name "系统" and no user.
    pub fn system() -> Self {
        Self {
            user_id: SYSTEM_USER_ID,
            username: String::new(),
            display_name: "系统".into(),
            org_unit_id: 0,
            company_id: None,
            must_change_password: false,
            permissions: Arc::default(),
            scope: Arc::default(),
            ip: String::new(),
            csrf_token: String::new(),
            config: None,
        }
    }

    pub fn is_system(&self) -> bool {
        self.user_id == SYSTEM_USER_ID
    }

    pub fn is_superuser(&self) -> bool {
        self.scope.superuser
    }

    pub fn can(&self, permission: &str) -> bool {
        self.is_superuser() || self.permissions.contains(permission)
    }

    /// Refuses the call unless the caller holds `permission`.
    pub fn require(&self, permission: &str) -> AppResult<()> {
        if self.can(permission) {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }

    /// The company whose settings apply to the caller by default: their own,
    /// or for a group-level user the first company they can see.
    pub fn default_company(&self) -> Option<i32> {
        self.company_id.or_else(|| self.scope.companies.iter().next().copied())
    }
}

impl Caller {
    /// Condition restricting `col` (an org unit id) to the caller's units.
    pub fn units_condition<C: sea_orm::ColumnTrait>(&self, col: C) -> sea_orm::Condition {
        let c = sea_orm::Condition::all();
        if self.is_superuser() {
            c
        } else {
            c.add(col.is_in(self.scope.units.iter().copied()))
        }
    }

    /// Condition restricting `col` (a management office id) to the offices
    /// of the caller's projects.
    pub fn offices_condition<C: sea_orm::ColumnTrait>(&self, col: C) -> sea_orm::Condition {
        let c = sea_orm::Condition::all();
        if self.is_superuser() {
            c
        } else {
            c.add(col.is_in(self.scope.offices.iter().copied()))
        }
    }

    /// Condition restricting `col` (a project id) to the caller's projects.
    pub fn projects_condition<C: sea_orm::ColumnTrait>(&self, col: C) -> sea_orm::Condition {
        let c = sea_orm::Condition::all();
        if self.is_superuser() {
            c
        } else {
            c.add(col.is_in(self.scope.projects.iter().copied()))
        }
    }
}
