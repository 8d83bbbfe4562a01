//! Counters of configuration changes, one per kind of cached configuration
//! (see `crate::cache`): a process keeps what it derived from the
//! configuration for as long as the counter it read with it is unchanged.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

const TABLE: &str = "config_versions";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Alias::new(TABLE))
                    .col(string_len("kind", 32).primary_key())
                    .col(big_integer("version").default(0))
                    .to_owned(),
            )
            .await?;
        let mut rows = Query::insert();
        rows.into_table(Alias::new(TABLE)).columns([Alias::new("kind"), Alias::new("version")]);
        for kind in crate::cache::Kind::ALL {
            rows.values_panic([kind.code().into(), 0i64.into()]);
        }
        manager.exec_stmt(rows).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(Alias::new(TABLE)).to_owned()).await
    }
}
