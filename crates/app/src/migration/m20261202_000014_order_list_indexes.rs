//! Work-order indexes that end in the order's id, the lists' sort key. A
//! page of a project's orders in one state (`ORDER BY id DESC LIMIT 20`)
//! then reads 20 index entries. Without the id PostgreSQL, expecting many
//! matches, scanned the primary key backwards instead and read most of the
//! table when the matches were old (0.5 s for a project's closed orders at
//! scale L) or absent (the workbench's "my orders" of a user who is assigned
//! none, 0.8 s). SQLite keeps the row id in every index, so the old indexes
//! already sorted there; the new ones replace them, so inserts maintain no
//! more indexes than before.

use sea_orm_migration::prelude::*;

use super::helpers::replace_index;

#[derive(DeriveMigrationName)]
pub struct Migration;

const TABLE: &str = "work_orders";

/// (old columns, new columns)
const REPLACED: &[(&[&str], &[&str])] =
    &[(&["project_id", "state"], &["project_id", "state", "id"]), (&["assignee_id", "state"], &["assignee_id", "id"])];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (old, new) in REPLACED {
            replace_index(manager, TABLE, old, new).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (old, new) in REPLACED {
            replace_index(manager, TABLE, new, old).await?;
        }
        Ok(())
    }
}
