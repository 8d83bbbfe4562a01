//! Audit (SYS-6): the operation log and the login log. Rows are only ever
//! inserted; no use case updates or deletes them.

mod query;

pub use query::{get_audit, list_audit, list_audit_each, list_logins, timeline, AuditFilter, AuditRow, LoginFilter, LoginRow};

use chrono::Utc;
use domain::audit::AuditAction;
use sea_orm::{ActiveValue::Set, ConnectionTrait, EntityTrait};
use serde::Serialize;

use crate::{entity::audit_log, AppResult, Caller};

/// One change to record: which entity, which action, and the state before
/// and after as JSON (secrets such as password hashes are never serialised).
pub struct Change<'a> {
    pub entity: &'a str,
    pub entity_id: String,
    pub action: AuditAction,
    pub company_id: Option<i32>,
    pub summary: String,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

impl<'a> Change<'a> {
    pub fn new(entity: &'a str, entity_id: impl ToString, action: AuditAction) -> Self {
        Self { entity, entity_id: entity_id.to_string(), action, company_id: None, summary: String::new(), before: None, after: None }
    }

    pub fn company(mut self, company_id: Option<i32>) -> Self {
        self.company_id = company_id;
        self
    }

    pub fn summary(mut self, s: impl Into<String>) -> Self {
        self.summary = s.into();
        self
    }

    pub fn before(mut self, v: &impl Serialize) -> Self {
        self.before = serde_json::to_value(v).ok();
        self
    }

    pub fn after(mut self, v: &impl Serialize) -> Self {
        self.after = serde_json::to_value(v).ok();
        self
    }
}

/// Writes the change in the caller's transaction, so the audit row exists
/// exactly when the change does; a change of configuration also
/// invalidates what processes cached of it (`crate::cache`).
pub async fn record(db: &impl ConnectionTrait, caller: &Caller, change: Change<'_>) -> AppResult<()> {
    record_all(db, vec![(caller, change)]).await
}

/// Writes several changes, each with its own caller, in one statement (the
/// work orders of one group commit).
pub async fn record_all(db: &impl ConnectionTrait, changes: Vec<(&Caller, Change<'_>)>) -> AppResult<()> {
    if changes.is_empty() {
        return Ok(());
    }
    let mut entities: Vec<&str> = changes.iter().map(|(_, c)| c.entity).collect();
    entities.sort_unstable();
    entities.dedup();
    for entity in entities {
        crate::cache::bump_for(db, entity).await?;
    }
    let now = Utc::now();
    let rows = changes.into_iter().map(|(caller, change)| audit_log::ActiveModel {
        at: Set(now),
        user_id: Set((!caller.is_system()).then_some(caller.user_id)),
        user_name: Set(caller.display_name.clone()),
        ip: Set(caller.ip.clone()),
        company_id: Set(change.company_id.or(caller.company_id)),
        entity: Set(change.entity.to_string()),
        entity_id: Set(change.entity_id),
        action: Set(change.action.code().to_string()),
        summary: Set(change.summary.chars().take(255).collect()),
        before: Set(change.before.map(|v| v.to_string())),
        after: Set(change.after.map(|v| v.to_string())),
        ..Default::default()
    });
    audit_log::Entity::insert_many(rows).exec(db).await?;
    Ok(())
}
