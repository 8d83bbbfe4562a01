//! Kept counts of enabled customers, one row per management office, for the
//! workbench's 在册客户 and the total of the customer list as it opens.
//! Counting them meant reading 250,000 index entries on every workbench and
//! every page of the list (16 ms SQLite, 28 ms PostgreSQL); the customer
//! writes keep the counts in their own transactions instead (see
//! `customer::tally`). Filled here from the customers already stored.
//!
//! Also drops the index on `customers (name)`: migration 19's
//! `(enabled, name, id)` serves every list sorted by name, and a keyword
//! search finds names through the search index, so it only cost writes.

use sea_orm_migration::{prelude::*, schema::*};

use super::helpers::{drop_index, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

const TABLE: &str = "customer_tallies";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Alias::new(TABLE))
                    .col(integer("org_unit_id").primary_key())
                    .col(big_integer("enabled").default(0))
                    .to_owned(),
            )
            .await?;
        let counted = Query::select()
            .column(Alias::new("org_unit_id"))
            .expr(Expr::col(Alias::new("id")).count())
            .from(Alias::new("customers"))
            .and_where(Expr::col(Alias::new("enabled")).eq(true))
            .group_by_col(Alias::new("org_unit_id"))
            .to_owned();
        let fill = Query::insert()
            .into_table(Alias::new(TABLE))
            .columns([Alias::new("org_unit_id"), Alias::new("enabled")])
            .select_from(counted)
            .map_err(|e| DbErr::Migration(e.to_string()))?
            .to_owned();
        manager.exec_stmt(fill).await?;
        drop_index(manager, "customers", &["name"]).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.create_index(index("customers", &["name"], false)).await?;
        manager.drop_table(Table::drop().table(Alias::new(TABLE)).to_owned()).await
    }
}
