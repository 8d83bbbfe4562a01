//! Indexes that the benchmarks at scale L (250,000 customers, 1,000,000
//! orders) showed missing: the workbench's expiring leases scanned every
//! occupancy, and its count of enabled customers scanned every customer;
//! the order list's date filter (an export of a week or a month) needs
//! `created_at` for users who see every company (see bench/RESULTS.md).

use sea_orm_migration::prelude::*;

use super::helpers::{drop_index, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

const INDEXES: &[(&str, &[&str])] =
    &[("occupancies", &["lease_end"]), ("customers", &["enabled", "org_unit_id"]), ("work_orders", &["created_at"])];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (table, cols) in INDEXES {
            manager.create_index(index(table, cols, false)).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (table, cols) in INDEXES {
            drop_index(manager, table, cols).await?;
        }
        Ok(())
    }
}
