//! Completion of work orders (SVC-4): result, materials and labour, and the
//! fee of a paid order in fen.

use sea_orm_migration::{prelude::*, schema::*};

use super::helpers::{fk, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite takes one column per ALTER TABLE.
        for col in [text_null("result"), big_integer("labour_fee").default(0).to_owned(), big_integer("total_fee").default(0).to_owned()] {
            manager.alter_table(Table::alter().table(Alias::new("work_orders")).add_column(col).to_owned()).await?;
        }
        manager
            .create_table(
                Table::create()
                    .table(Alias::new("work_order_materials"))
                    .col(pk_auto("id"))
                    .col(integer("work_order_id"))
                    .col(string_len("item", 100))
                    .col(big_integer("quantity"))
                    .col(big_integer("unit_price"))
                    .col(big_integer("amount"))
                    .foreign_key(&mut fk(("work_order_materials", "work_order_id"), ("work_orders", "id")))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("work_order_materials", &["work_order_id"], false)).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(Alias::new("work_order_materials")).to_owned()).await?;
        for col in ["result", "labour_fee", "total_fee"] {
            manager.alter_table(Table::alter().table(Alias::new("work_orders")).drop_column(Alias::new(col)).to_owned()).await?;
        }
        Ok(())
    }
}
