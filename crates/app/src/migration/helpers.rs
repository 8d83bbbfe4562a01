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
