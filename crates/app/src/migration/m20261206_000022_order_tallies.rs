//! Kept tallies of the service measures, one row per project and local
//! month of creation, for the workbench's 本月服务 card and the measures
//! report per project or month (RPT-1, RPT-3). Summing a month's orders read
//! every one of them: 28,000 orders at month end took the workbench to
//! 527 ms at scale L, and the group's report for a month 0.7–1.2 s. The
//! order writes keep the tallies in their own transactions instead (see
//! `workorder::tally`).
//!
//! A month is local to the company's time zone, which the server's
//! configuration sets, so the zone the tallies were counted in is kept with
//! them: the server fills the tallies at start when it finds none, or
//! another zone (`workorder::tally::keep_in_zone`), not this migration.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

const TALLIES: &str = "work_order_tallies";
const ZONE: &str = "work_order_tally_zone";

/// The tallies, as `report::measures` sums them from the orders.
const COUNTS: [&str; 8] = ["orders", "completed", "on_time", "first_time", "completed_visited", "visited", "satisfied", "handling_seconds"];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut tallies = Table::create();
        tallies.table(Alias::new(TALLIES)).col(integer("project_id")).col(string_len("month", 7));
        for count in COUNTS {
            tallies.col(big_integer(count).default(0));
        }
        tallies.primary_key(Index::create().col(Alias::new("project_id")).col(Alias::new("month")));
        manager.create_table(tallies).await?;
        let zone = Table::create().table(Alias::new(ZONE)).col(integer("id").primary_key()).col(string_len("zone", 64)).to_owned();
        manager.create_table(zone).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(Alias::new(ZONE)).to_owned()).await?;
        manager.drop_table(Table::drop().table(Alias::new(TALLIES)).to_owned()).await
    }
}
