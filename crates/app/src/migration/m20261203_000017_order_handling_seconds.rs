//! A completed order's handling time in seconds (completed − created), for
//! the service measures (SLA-3). With it every measure is a count or a sum
//! that both engines compute the same way, so a report groups the orders
//! in SQL and reads a row per project instead of every order of the period
//! (40,000 for a month of a large group). SQL has no date difference that
//! SQLite and PostgreSQL share, so the fill computes it here, in pages,
//! like every later write does (`workorder::with_derived_columns`).

use chrono::{DateTime, Utc};
use sea_orm_migration::{
    prelude::*,
    schema::*,
    sea_orm::{ConnectionTrait, TransactionTrait},
};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Orders read and written per round of the fill.
const BATCH: u64 = 5000;

/// A table of (order, seconds) filled from Rust, then applied in one UPDATE
/// per page: a statement per order would take minutes on PostgreSQL.
const FILL: &str = "work_order_handling_fill";

fn col(name: &str) -> Alias {
    Alias::new(name)
}

/// One page of completed orders after `after`, with their handling seconds.
async fn page(db: &impl ConnectionTrait, after: i32) -> Result<Vec<(i32, i64)>, DbErr> {
    let q = Query::select()
        .columns([col("id"), col("created_at"), col("completed_at")])
        .from(col("work_orders"))
        .and_where(Expr::col(col("id")).gt(after))
        .and_where(Expr::col(col("completed_at")).is_not_null())
        .order_by(col("id"), Order::Asc)
        .limit(BATCH)
        .to_owned();
    let mut out = Vec::new();
    for row in db.query_all(db.get_database_backend().build(&q)).await? {
        let created: DateTime<Utc> = row.try_get("", "created_at")?;
        let completed: DateTime<Utc> = row.try_get("", "completed_at")?;
        out.push((row.try_get("", "id")?, (completed - created).num_seconds()));
    }
    Ok(out)
}

async fn apply(db: &impl ConnectionTrait, rows: &[(i32, i64)]) -> Result<(), DbErr> {
    let backend = db.get_database_backend();
    let mut insert = Query::insert();
    insert.into_table(col(FILL)).columns([col("id"), col("seconds")]);
    for (id, seconds) in rows {
        insert.values_panic([(*id).into(), (*seconds).into()]);
    }
    db.execute(backend.build(&insert)).await?;
    let seconds = Query::select()
        .column(col("seconds"))
        .from(col(FILL))
        .and_where(Expr::col((col(FILL), col("id"))).equals((col("work_orders"), col("id"))))
        .to_owned();
    let ids = Query::select().column(col("id")).from(col(FILL)).to_owned();
    let update = Query::update()
        .table(col("work_orders"))
        .value(col("handling_seconds"), SimpleExpr::SubQuery(None, Box::new(seconds.into_sub_query_statement())))
        .and_where(Expr::col(col("id")).in_subquery(ids))
        .to_owned();
    db.execute(backend.build(&update)).await?;
    db.execute(backend.build(&Query::delete().from_table(col(FILL)).to_owned())).await?;
    Ok(())
}

async fn fill(db: &impl ConnectionTrait) -> Result<(), DbErr> {
    let backend = db.get_database_backend();
    let table = Table::create().table(col(FILL)).col(integer("id").primary_key()).col(big_integer("seconds")).to_owned();
    db.execute(backend.build(&table)).await?;
    let mut after = 0;
    loop {
        let rows = page(db, after).await?;
        let Some(&(last, _)) = rows.last() else { break };
        apply(db, &rows).await?;
        after = last;
    }
    db.execute(backend.build(&Table::drop().table(col(FILL)).to_owned())).await?;
    Ok(())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let txn = manager.get_connection().begin().await?;
        let add = Table::alter().table(col("work_orders")).add_column(big_integer_null("handling_seconds")).to_owned();
        txn.execute(txn.get_database_backend().build(&add)).await?;
        fill(&txn).await?;
        txn.commit().await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let drop = Table::alter().table(col("work_orders")).drop_column(col("handling_seconds")).to_owned();
        manager.alter_table(drop).await
    }
}
