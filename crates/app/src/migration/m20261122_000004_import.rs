//! Excel import jobs: progress and the error report of each import.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Alias::new("import_jobs"))
                    .col(pk_auto("id"))
                    .col(integer("user_id"))
                    .col(string_len("kind", 16))
                    .col(string_len("mode", 16))
                    .col(string_len("file_name", 255))
                    .col(string_len("status", 16))
                    .col(integer("total").default(0))
                    .col(integer("done").default(0))
                    .col(integer("imported").default(0))
                    .col(integer("error_count").default(0))
                    .col(string_len("message", 500).default(""))
                    .col(blob_null("report"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone_null("finished_at"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create().name("ix_import_jobs_user_id").table(Alias::new("import_jobs")).col(Alias::new("user_id")).to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(Alias::new("import_jobs")).to_owned()).await
    }
}
