//! The rest of the work-order issue: on-site clock, warranty, requested
//! items, double-submit tokens and measure columns on `work_orders`; SLA
//! targets, warranty periods and escalation rules per company; photos;
//! return and care visits (VIS-1, VIS-3); the in-app inbox and the outbox.

use sea_orm_migration::{prelude::*, schema::*};

use super::helpers::{fk, index, stamps};

#[derive(DeriveMigrationName)]
pub struct Migration;

fn work_order_columns() -> Vec<ColumnDef> {
    vec![
        timestamp_with_time_zone_null("onsite_due"),
        timestamp_with_time_zone_null("arrived_at"),
        boolean("warranty").default(false).to_owned(),
        string_len("contractor", 100).default("").to_owned(),
        string_len("requested_items", 500).default("").to_owned(),
        string_len_null("request_token", 64),
        integer("reopen_count").default(0).to_owned(),
        integer("escalation_level").default(0).to_owned(),
        timestamp_with_time_zone_null("visited_at"),
        string_len("satisfaction", 32).default("").to_owned(),
    ]
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite takes one column per ALTER TABLE.
        for col in work_order_columns() {
            manager.alter_table(Table::alter().table(Alias::new("work_orders")).add_column(col).to_owned()).await?;
        }
        let t = |name: &str| Table::create().table(Alias::new(name)).to_owned();
        let tables = [
            stamps(
                t("sla_targets")
                    .col(pk_auto("id"))
                    .col(integer("company_id"))
                    .col(string_len("category", 64))
                    .col(string_len("priority", 16))
                    .col(integer("response_minutes"))
                    .col(integer("onsite_minutes"))
                    .col(integer("complete_minutes"))
                    .col(boolean("round_the_clock").default(false))
                    .foreign_key(&mut fk(("sla_targets", "company_id"), ("org_units", "id"))),
            )
            .to_owned(),
            stamps(
                t("warranty_periods")
                    .col(pk_auto("id"))
                    .col(integer("company_id"))
                    .col(string_len("category", 64))
                    .col(integer("months"))
                    .col(string_len("contractor", 100).default(""))
                    .foreign_key(&mut fk(("warranty_periods", "company_id"), ("org_units", "id"))),
            )
            .to_owned(),
            stamps(
                t("escalation_rules")
                    .col(pk_auto("id"))
                    .col(integer("company_id"))
                    .col(integer("level"))
                    .col(integer("after_minutes"))
                    .col(string_len("notify", 16))
                    .col(integer_null("role_id"))
                    .foreign_key(&mut fk(("escalation_rules", "company_id"), ("org_units", "id"))),
            )
            .to_owned(),
            t("work_order_photos")
                .col(pk_auto("id"))
                .col(integer("work_order_id"))
                .col(string_len("sha256", 64))
                .col(string_len("content_type", 64))
                .col(big_integer("size"))
                .col(string_len("file_name", 200))
                .col(string_len("stage", 16))
                .col(integer("uploaded_by"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk(("work_order_photos", "work_order_id"), ("work_orders", "id")))
                .to_owned(),
            stamps(
                t("return_visits")
                    .col(pk_auto("id"))
                    .col(integer("company_id"))
                    .col(integer("office_id"))
                    .col(integer_null("project_id"))
                    .col(integer_null("customer_id"))
                    .col(integer_null("work_order_id"))
                    .col(string_len("kind", 16))
                    .col(string_len("method", 16))
                    .col(string_len("satisfaction", 32))
                    .col(string_len("attitude", 16).default(""))
                    .col(text("content"))
                    .col(string_len("follow_up", 16).default("none"))
                    .col(integer_null("complaint_id"))
                    .col(integer("visited_by"))
                    .col(string_len("visited_by_name", 64))
                    .col(timestamp_with_time_zone("visited_at"))
                    .foreign_key(&mut fk(("return_visits", "customer_id"), ("customers", "id")))
                    .foreign_key(&mut fk(("return_visits", "work_order_id"), ("work_orders", "id"))),
            )
            .to_owned(),
            t("notifications")
                .col(pk_auto("id"))
                .col(integer("user_id"))
                .col(string_len("kind", 32))
                .col(string_len("title", 200))
                .col(text("body"))
                .col(string_len("link", 200).default(""))
                .col(timestamp_with_time_zone_null("read_at"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk(("notifications", "user_id"), ("users", "id")))
                .to_owned(),
            t("outbox")
                .col(pk_auto("id"))
                .col(string_len("topic", 64))
                .col(text("payload"))
                .col(integer("attempts").default(0))
                .col(text_null("last_error"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone_null("processed_at"))
                .to_owned(),
        ];
        for table in tables {
            manager.create_table(table).await?;
        }
        for i in [
            index("work_orders", &["created_by", "request_token"], true),
            index("work_orders", &["company_id", "created_at"], false),
            index("work_orders", &["state", "complete_due"], false),
            index("sla_targets", &["company_id", "category", "priority"], true),
            index("warranty_periods", &["company_id", "category"], true),
            index("escalation_rules", &["company_id", "level"], true),
            index("work_order_photos", &["work_order_id"], false),
            index("return_visits", &["office_id", "visited_at"], false),
            index("return_visits", &["work_order_id"], false),
            index("return_visits", &["customer_id"], false),
            index("notifications", &["user_id", "read_at"], false),
            index("outbox", &["processed_at"], false),
        ] {
            manager.create_index(i).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for name in ["outbox", "notifications", "return_visits", "work_order_photos", "escalation_rules", "warranty_periods", "sla_targets"]
        {
            manager.drop_table(Table::drop().table(Alias::new(name)).to_owned()).await?;
        }
        manager
            .drop_index(Index::drop().name("ix_work_orders_created_by_request_token").table(Alias::new("work_orders")).to_owned())
            .await?;
        manager.drop_index(Index::drop().name("ix_work_orders_company_id_created_at").table(Alias::new("work_orders")).to_owned()).await?;
        manager.drop_index(Index::drop().name("ix_work_orders_state_complete_due").table(Alias::new("work_orders")).to_owned()).await?;
        for col in work_order_columns() {
            let name = col.get_column_name();
            manager.alter_table(Table::alter().table(Alias::new("work_orders")).drop_column(Alias::new(name)).to_owned()).await?;
        }
        Ok(())
    }
}
