//! Name grams for short customer searches: every 1- and 2-character piece of
//! each customer's name, so that a search by 王伟 reads an index instead of
//! scanning every customer (see `customer::search`). Filled here from the
//! existing customers, in one transaction, so a failed fill leaves nothing.

use sea_orm_migration::{
    prelude::*,
    schema::*,
    sea_orm::{ConnectionTrait, TransactionTrait},
};

use super::helpers::{fk, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

const TABLE: &str = "customer_name_grams";

/// Customers read and stored per round of the fill.
const BATCH: u64 = 5000;

fn table() -> TableCreateStatement {
    Table::create()
        .table(Alias::new(TABLE))
        // Two characters (PostgreSQL counts characters, not bytes).
        .col(string_len("gram", 2))
        .col(integer("customer_id"))
        .primary_key(Index::create().col(Alias::new("gram")).col(Alias::new("customer_id")))
        .foreign_key(&mut fk((TABLE, "customer_id"), ("customers", "id")))
        .to_owned()
}

/// Grams of all customers, in batches by id.
async fn fill(db: &impl ConnectionTrait) -> Result<(), DbErr> {
    let mut after = 0;
    loop {
        let page = Query::select()
            .columns([Alias::new("id"), Alias::new("name")])
            .from(Alias::new("customers"))
            .and_where(Expr::col(Alias::new("id")).gt(after))
            .order_by(Alias::new("id"), Order::Asc)
            .limit(BATCH)
            .to_owned();
        let mut names: Vec<(i32, String)> = Vec::new();
        for row in db.query_all(db.get_database_backend().build(&page)).await? {
            names.push((row.try_get("", "id")?, row.try_get("", "name")?));
        }
        let Some(&(last, _)) = names.last() else { return Ok(()) };
        let pairs: Vec<(i32, &str)> = names.iter().map(|(id, n)| (*id, n.as_str())).collect();
        crate::customer::search::store_name_grams(db, &pairs).await?;
        after = last;
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let txn = manager.get_connection().begin().await?;
        let backend = txn.get_database_backend();
        txn.execute(backend.build(&table())).await?;
        txn.execute(backend.build(&index(TABLE, &["customer_id"], false))).await?;
        fill(&txn).await?;
        // The planner should know the new table's size (it may be millions
        // of rows on a database that has been analysed before).
        txn.execute_unprepared(&format!("ANALYZE {TABLE}")).await?;
        txn.commit().await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(Alias::new(TABLE)).to_owned()).await
    }
}
