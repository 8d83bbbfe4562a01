//! An open order's next due time (SLA-2): the earliest of its response,
//! on-site and completion due times not yet met; empty once the order is
//! completed, closed or voided. The overdue list and count, the workbench's
//! "about to breach" list and the escalation scan asked for "response due
//! and not responded, or on-site due and not arrived, or completion due" of
//! every open order: an OR that no index serves, so each read every open
//! order of the group (60 ms at scale L, several times per workbench). On
//! one column they read an index range. The column replaces
//! `(state, complete_due)`, which served only those reads.

use sea_orm_migration::{prelude::*, schema::*};

use super::helpers::replace_index;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The open states when this migration was written.
const OPEN: &str = "'pending_dispatch', 'dispatched', 'taken', 'in_progress', 'waiting_customer'";

/// The earliest of the unmet due times, in SQL both engines run (SQLite's
/// `min` of several values is NULL when one is, PostgreSQL's `LEAST` skips
/// NULLs, so neither is used).
fn earliest_unmet() -> String {
    let a = "(CASE WHEN responded_at IS NULL THEN response_due END)";
    let b = "(CASE WHEN arrived_at IS NULL THEN onsite_due END)";
    let c = "complete_due";
    format!(
        "CASE WHEN {a} IS NOT NULL AND ({b} IS NULL OR {a} <= {b}) AND ({c} IS NULL OR {a} <= {c}) THEN {a} \
         WHEN {b} IS NOT NULL AND ({c} IS NULL OR {b} <= {c}) THEN {b} ELSE {c} END"
    )
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let add = Table::alter().table(Alias::new("work_orders")).add_column(timestamp_with_time_zone_null("next_due")).to_owned();
        manager.alter_table(add).await?;
        let fill = format!("UPDATE work_orders SET next_due = {} WHERE state IN ({OPEN})", earliest_unmet());
        manager.get_connection().execute_unprepared(&fill).await?;
        replace_index(manager, "work_orders", &["state", "complete_due"], &["next_due"]).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        replace_index(manager, "work_orders", &["next_due"], &["state", "complete_due"]).await?;
        let drop = Table::alter().table(Alias::new("work_orders")).drop_column(Alias::new("next_due")).to_owned();
        manager.alter_table(drop).await
    }
}
