//! Kept counts of each project's orders per state, for the workbench's
//! 待回访工单 and 待派工工单. Counting them read every order in the state on
//! each workbench: at scale L 60,000 orders wait for their return visit
//! (4 ms on SQLite, 11 ms on PostgreSQL, a third of the workbench's database
//! time there). The order writes keep the counts in their own transactions
//! instead (see `workorder::tally`). Filled here from the orders stored.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

const TABLE: &str = "work_order_state_tallies";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let table = Table::create()
            .table(Alias::new(TABLE))
            .col(integer("project_id"))
            .col(string_len("state", 32))
            .col(big_integer("orders").default(0))
            .primary_key(Index::create().col(Alias::new("project_id")).col(Alias::new("state")))
            .to_owned();
        manager.create_table(table).await?;
        let counted = Query::select()
            .columns([Alias::new("project_id"), Alias::new("state")])
            .expr(Expr::col(Alias::new("id")).count())
            .from(Alias::new("work_orders"))
            .group_by_columns([Alias::new("project_id"), Alias::new("state")])
            .to_owned();
        let fill = Query::insert()
            .into_table(Alias::new(TABLE))
            .columns([Alias::new("project_id"), Alias::new("state"), Alias::new("orders")])
            .select_from(counted)
            .map_err(|e| DbErr::Migration(e.to_string()))?
            .to_owned();
        manager.exec_stmt(fill).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(Alias::new(TABLE)).to_owned()).await
    }
}
