//! Retries of the outbox with backoff: when a failed event may be tried
//! again. (The outbox kept only its attempts and last error, so a worker
//! could not tell how long ago an event last failed.)

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(Table::alter().table(Alias::new("outbox")).add_column(timestamp_with_time_zone_null("next_attempt_at")).to_owned())
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.alter_table(Table::alter().table(Alias::new("outbox")).drop_column(Alias::new("next_attempt_at")).to_owned()).await
    }
}
