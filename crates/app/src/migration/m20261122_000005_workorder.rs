//! Work orders (SVC-1…3) with their event timeline and SLA due times.

use sea_orm_migration::{prelude::*, schema::*};

use super::helpers::{fk, index, stamps};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let t = |name: &str| Table::create().table(Alias::new(name)).to_owned();
        manager
            .create_table(
                stamps(
                    t("work_orders")
                        .col(pk_auto("id"))
                        .col(string_len("number", 32))
                        .col(integer("company_id"))
                        .col(integer("project_id"))
                        .col(integer_null("room_id"))
                        .col(integer_null("customer_id"))
                        .col(string_len("public_area", 100).default(""))
                        .col(string_len("category", 64))
                        .col(string_len("kind", 16))
                        .col(string_len("priority", 16))
                        .col(string_len("channel", 32).default(""))
                        .col(string_len("contact_name", 64).default(""))
                        .col(string_len("contact_phone", 32).default(""))
                        .col(text("description"))
                        .col(timestamp_with_time_zone_null("appointment_at"))
                        .col(string_len("state", 32))
                        .col(integer_null("assignee_id"))
                        .col(integer("created_by"))
                        .col(timestamp_with_time_zone_null("response_due"))
                        .col(timestamp_with_time_zone_null("complete_due"))
                        .col(timestamp_with_time_zone_null("responded_at"))
                        .col(timestamp_with_time_zone_null("completed_at"))
                        .foreign_key(&mut fk(("work_orders", "project_id"), ("projects", "id")))
                        .foreign_key(&mut fk(("work_orders", "room_id"), ("rooms", "id")))
                        .foreign_key(&mut fk(("work_orders", "customer_id"), ("customers", "id"))),
                )
                .to_owned(),
            )
            .await?;
        manager
            .create_table(
                t("work_order_events")
                    .col(pk_auto("id"))
                    .col(integer("work_order_id"))
                    .col(timestamp_with_time_zone("at"))
                    .col(integer("user_id"))
                    .col(string_len("user_name", 64))
                    .col(string_len("action", 32))
                    .col(string_len("from_state", 32).default(""))
                    .col(string_len("to_state", 32))
                    .col(string_len("note", 500).default(""))
                    .foreign_key(&mut fk(("work_order_events", "work_order_id"), ("work_orders", "id")))
                    .to_owned(),
            )
            .await?;
        for i in [
            index("work_orders", &["company_id", "number"], true),
            index("work_orders", &["project_id", "state"], false),
            index("work_orders", &["assignee_id", "state"], false),
            index("work_orders", &["customer_id"], false),
            index("work_order_events", &["work_order_id"], false),
        ] {
            manager.create_index(i).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for name in ["work_order_events", "work_orders"] {
            manager.drop_table(Table::drop().table(Alias::new(name)).to_owned()).await?;
        }
        Ok(())
    }
}
