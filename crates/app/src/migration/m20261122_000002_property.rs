//! Property records: project details, buildings, units (stairwells), rooms.

use sea_orm_migration::{prelude::*, schema::*};

use super::helpers::{fk, index, stamps};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite takes one column per ALTER TABLE.
        for col in [big_integer("total_area").default(0), integer("households").default(0), string_len("developer", 100).default("")] {
            manager.alter_table(Table::alter().table(Alias::new("projects")).add_column(col).to_owned()).await?;
        }
        let t = |name: &str| Table::create().table(Alias::new(name)).to_owned();
        manager
            .create_table(
                stamps(
                    t("buildings")
                        .col(pk_auto("id"))
                        .col(integer("project_id"))
                        .col(string_len("code", 32))
                        .col(string_len("name", 100))
                        .col(integer("floors_above").default(0))
                        .col(integer("floors_below").default(0))
                        .col(boolean("enabled").default(true))
                        .foreign_key(&mut fk(("buildings", "project_id"), ("projects", "id"))),
                )
                .to_owned(),
            )
            .await?;
        manager
            .create_table(
                t("building_units")
                    .col(pk_auto("id"))
                    .col(integer("building_id"))
                    .col(string_len("code", 32))
                    .col(string_len("name", 64))
                    .foreign_key(&mut fk(("building_units", "building_id"), ("buildings", "id")))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                stamps(
                    t("rooms")
                        .col(pk_auto("id"))
                        .col(integer("project_id"))
                        .col(integer("building_id"))
                        .col(integer_null("building_unit_id"))
                        .col(string_len("code", 64))
                        .col(integer("floor"))
                        .col(integer("no").default(0))
                        .col(big_integer("building_area").default(0))
                        .col(big_integer("inner_area").default(0))
                        .col(string_len("room_type", 16))
                        .col(string_len("status", 16))
                        .col(date_null("delivery_date"))
                        .col(string_len("remarks", 255).default(""))
                        .foreign_key(&mut fk(("rooms", "project_id"), ("projects", "id")))
                        .foreign_key(&mut fk(("rooms", "building_id"), ("buildings", "id")))
                        .foreign_key(&mut fk(("rooms", "building_unit_id"), ("building_units", "id"))),
                )
                .to_owned(),
            )
            .await?;
        for i in [
            index("buildings", &["project_id", "code"], true),
            index("building_units", &["building_id", "code"], true),
            index("rooms", &["project_id", "code"], true),
            index("rooms", &["building_id", "floor"], false),
            index("rooms", &["code"], false),
        ] {
            manager.create_index(i).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for name in ["rooms", "building_units", "buildings"] {
            manager.drop_table(Table::drop().table(Alias::new(name)).to_owned()).await?;
        }
        for col in ["total_area", "households", "developer"] {
            manager.alter_table(Table::alter().table(Alias::new("projects")).drop_column(Alias::new(col)).to_owned()).await?;
        }
        Ok(())
    }
}
