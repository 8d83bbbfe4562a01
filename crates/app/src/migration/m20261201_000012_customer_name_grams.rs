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

/// Keyed by the unique index on (gram, customer_id) rather than a primary
/// key, so that the index is built once after the fill: SQLite cannot add a
/// primary key to a table, and filling a keyed table took three times as
/// long on 250,000 customers.
fn table() -> TableCreateStatement {
    Table::create()
        .table(Alias::new(TABLE))
        // Two characters (PostgreSQL counts characters, not bytes).
        .col(string_len("gram", 2))
        .col(integer("customer_id"))
        .foreign_key(&mut fk((TABLE, "customer_id"), ("customers", "id")))
        .to_owned()
}

fn indexes() -> [IndexCreateStatement; 2] {
    [index(TABLE, &["gram", "customer_id"], true), index(TABLE, &["customer_id"], false)]
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
        crate::customer::search::insert_name_grams(db, names.iter().map(|(id, n)| (*id, n.as_str()))).await?;
        after = last;
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let txn = manager.get_connection().begin().await?;
        let backend = txn.get_database_backend();
        txn.execute(backend.build(&table())).await?;
        fill(&txn).await?;
        for i in indexes() {
            txn.execute(backend.build(&i)).await?;
        }
        // The planner learns the new table's size from `Db::migrate`, which
        // renews the statistics after an upgrade.
        txn.commit().await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(Alias::new(TABLE)).to_owned()).await
    }
}
