//! Column and key helpers shared by the migrations. A helper's output is part
//! of every migration that used it: never change one, add a new one instead.

use sea_orm_migration::{prelude::*, schema::*};

/// Creation and update stamps plus the optimistic-locking version.
pub fn stamps(t: &mut TableCreateStatement) -> &mut TableCreateStatement {
    t.col(integer("version").default(1)).col(timestamp_with_time_zone("created_at")).col(timestamp_with_time_zone("updated_at"))
}

pub fn fk(from: (&str, &str), to: (&str, &str)) -> ForeignKeyCreateStatement {
    ForeignKey::create().from(Alias::new(from.0), Alias::new(from.1)).to(Alias::new(to.0), Alias::new(to.1)).to_owned()
}

/// The name every index of the migrations has: `ix_<table>_<columns>`.
fn index_name(table: &str, cols: &[&str]) -> String {
    format!("ix_{}_{}", table, cols.join("_"))
}

pub fn index(table: &str, cols: &[&str], unique: bool) -> IndexCreateStatement {
    let mut i = Index::create();
    i.name(index_name(table, cols)).table(Alias::new(table));
    for c in cols {
        i.col(Alias::new(*c));
    }
    if unique {
        i.unique();
    }
    i.to_owned()
}

/// Replaces the non-unique index on `old` columns of `table` by one on `new`
/// (the new one first, so queries always have one of them).
pub async fn replace_index(manager: &SchemaManager<'_>, table: &str, old: &[&str], new: &[&str]) -> Result<(), DbErr> {
    manager.create_index(index(table, new, false)).await?;
    drop_index(manager, table, old).await
}

/// Drops the index `index` made on `cols` of `table`.
pub async fn drop_index(manager: &SchemaManager<'_>, table: &str, cols: &[&str]) -> Result<(), DbErr> {
    manager.drop_index(Index::drop().name(index_name(table, cols)).table(Alias::new(table)).to_owned()).await
}

/// The whole of a migration that adds one non-unique index on `$columns` of
/// `$table` (and drops it on the way down); its module's doc says why.
macro_rules! index_migration {
    ($table:literal, $columns:expr) => {
        use sea_orm_migration::prelude::*;

        use super::helpers::{drop_index, index};

        #[derive(DeriveMigrationName)]
        pub struct Migration;

        const TABLE: &str = $table;
        const COLUMNS: &[&str] = $columns;

        #[async_trait::async_trait]
        impl MigrationTrait for Migration {
            async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
                manager.create_index(index(TABLE, COLUMNS, false)).await
            }

            async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
                drop_index(manager, TABLE, COLUMNS).await
            }
        }
    };
}
pub(crate) use index_migration;

/// A table of grams of customers (`gram`, `customer_id`), keyed by the
/// unique index [`gram_indexes`] builds after the fill: SQLite cannot add a
/// primary key to a table, and filling a keyed table took three times as
/// long on 250,000 customers.
pub fn gram_table(table: &str, gram: ColumnDef) -> TableCreateStatement {
    Table::create()
        .table(Alias::new(table))
        .col(gram)
        .col(integer("customer_id"))
        .foreign_key(&mut fk((table, "customer_id"), ("customers", "id")))
        .to_owned()
}

pub fn gram_indexes(table: &str) -> [IndexCreateStatement; 2] {
    [index(table, &["gram", "customer_id"], true), index(table, &["customer_id"], false)]
}

/// Up to `limit` customers after id `after`, by id, with one text column:
/// a round of a fill that reads every customer.
pub async fn customers_after(db: &impl ConnectionTrait, column: &str, after: i32, limit: u64) -> Result<Vec<(i32, String)>, DbErr> {
    let page = Query::select()
        .columns([Alias::new("id"), Alias::new(column)])
        .from(Alias::new("customers"))
        .and_where(Expr::col(Alias::new("id")).gt(after))
        .order_by(Alias::new("id"), Order::Asc)
        .limit(limit)
        .to_owned();
    let mut rows = Vec::new();
    for row in db.query_all(db.get_database_backend().build(&page)).await? {
        rows.push((row.try_get("", "id")?, row.try_get("", column)?));
    }
    Ok(rows)
}

/// The whole of a migration that adds a table of customers' grams and fills
/// it from every customer's `$column` with `$insert` (a function of
/// `customer::search`), in one transaction, so a failed fill leaves nothing.
macro_rules! gram_migration {
    ($table:literal, $gram:expr, $column:literal, $insert:path) => {
        use sea_orm_migration::{
            prelude::*,
            schema::*,
            sea_orm::{ConnectionTrait, TransactionTrait},
        };

        use super::helpers::{customers_after, gram_indexes, gram_table};

        #[derive(DeriveMigrationName)]
        pub struct Migration;

        const TABLE: &str = $table;

        /// Customers read and stored per round of the fill.
        const BATCH: u64 = 5000;

        /// Grams of all customers, in batches by id.
        async fn fill(db: &impl ConnectionTrait) -> Result<(), DbErr> {
            let mut after = 0;
            loop {
                let rows = customers_after(db, $column, after, BATCH).await?;
                let Some(&(last, _)) = rows.last() else { return Ok(()) };
                $insert(db, rows.iter().map(|(id, t)| (*id, t.as_str()))).await?;
                after = last;
            }
        }

        #[async_trait::async_trait]
        impl MigrationTrait for Migration {
            async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
                let txn = manager.get_connection().begin().await?;
                let backend = txn.get_database_backend();
                txn.execute(backend.build(&gram_table(TABLE, $gram))).await?;
                fill(&txn).await?;
                for i in gram_indexes(TABLE) {
                    txn.execute(backend.build(&i)).await?;
                }
                // The planner learns the new table's size from `Db::migrate`,
                // which renews the statistics after an upgrade.
                txn.commit().await
            }

            async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
                manager.drop_table(Table::drop().table(Alias::new(TABLE)).to_owned()).await
            }
        }
    };
}
pub(crate) use gram_migration;
