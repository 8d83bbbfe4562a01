//! Customers with their household, contacts, vehicles, bank accounts and
//! tags; occupancy history, handovers and rename orders; customer search.

use sea_orm_migration::{prelude::*, schema::*};

use super::helpers::{fk, index, stamps};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// A child table of customers: id, customer_id and the given columns.
fn child(name: &str, cols: Vec<ColumnDef>) -> TableCreateStatement {
    let mut t = Table::create().table(Alias::new(name)).col(pk_auto("id")).col(integer("customer_id")).to_owned();
    for mut c in cols {
        t.col(&mut c);
    }
    t.foreign_key(&mut fk((name, "customer_id"), ("customers", "id"))).to_owned()
}

fn tables() -> Vec<TableCreateStatement> {
    let t = |name: &str| Table::create().table(Alias::new(name)).to_owned();
    vec![
        stamps(
            t("customers")
                .col(pk_auto("id"))
                .col(integer("org_unit_id"))
                .col(integer("company_id"))
                .col(string_len("code", 64))
                .col(string_len("name", 100))
                .col(string_len("kind", 16))
                .col(string_len("gender", 8).default(""))
                .col(string_len("id_type", 32).default(""))
                .col(string_len("id_number", 32).default(""))
                .col(date_null("birthday"))
                .col(string_len("email", 100).default(""))
                .col(string_len("work_unit", 100).default(""))
                .col(string_len("category", 64).default(""))
                .col(string_len("remarks", 500).default(""))
                .col(boolean("enabled").default(true))
                .col(text("search_text"))
                .foreign_key(&mut fk(("customers", "org_unit_id"), ("org_units", "id"))),
        )
        .to_owned(),
        child("customer_phones", vec![string_len("phone", 32), integer("sort_order").default(0).to_owned()]),
        child("customer_tags", vec![string_len("tag", 64)]),
        child(
            "household_members",
            vec![
                string_len("relation", 32),
                string_len("name", 64),
                string_len("phone", 32).default("").to_owned(),
                string_len("gender", 8).default("").to_owned(),
                date_null("birthday"),
            ],
        ),
        child(
            "emergency_contacts",
            vec![string_len("name", 64), string_len("relation", 32).default("").to_owned(), string_len("phone", 32)],
        ),
        child(
            "vehicles",
            vec![
                string_len("plate", 16),
                string_len("vehicle_type", 32).default("").to_owned(),
                string_len("parking_space", 32).default("").to_owned(),
            ],
        ),
        child(
            "bank_accounts",
            vec![
                string_len("account_name", 64),
                string_len("bank", 64),
                string_len("account_no", 32),
                boolean("is_primary").default(false).to_owned(),
            ],
        ),
        t("occupancies")
            .col(pk_auto("id"))
            .col(integer("room_id"))
            .col(integer("customer_id"))
            .col(integer("project_id"))
            .col(string_len("role", 16))
            .col(date("start_date"))
            .col(date_null("end_date"))
            .col(date_null("lease_start"))
            .col(date_null("lease_end"))
            .col(string_len("end_reason", 64).default(""))
            .col(integer_null("handover_id"))
            .col(integer("created_by"))
            .col(timestamp_with_time_zone("created_at"))
            .col(integer("version").default(1))
            .foreign_key(&mut fk(("occupancies", "room_id"), ("rooms", "id")))
            .foreign_key(&mut fk(("occupancies", "customer_id"), ("customers", "id")))
            .to_owned(),
        t("handovers")
            .col(pk_auto("id"))
            .col(string_len("number", 32))
            .col(integer("room_id"))
            .col(integer("customer_id"))
            .col(integer("project_id"))
            .col(string_len("contract_no", 64).default(""))
            .col(string_len("document_no", 64).default(""))
            .col(date("handover_date"))
            .col(string_len("notes", 500).default(""))
            .col(boolean("moved_out_others").default(true))
            .col(integer("created_by"))
            .col(timestamp_with_time_zone("created_at"))
            .foreign_key(&mut fk(("handovers", "room_id"), ("rooms", "id")))
            .foreign_key(&mut fk(("handovers", "customer_id"), ("customers", "id")))
            .to_owned(),
        stamps(
            t("rename_orders")
                .col(pk_auto("id"))
                .col(string_len("number", 32))
                .col(integer("customer_id"))
                .col(integer("org_unit_id"))
                .col(string_len("old_name", 100))
                .col(string_len("new_name", 100))
                .col(string_len("reason", 500))
                .col(string_len("status", 16))
                .col(integer("requested_by"))
                .col(integer_null("decided_by"))
                .col(timestamp_with_time_zone_null("decided_at"))
                .col(string_len("decision_note", 500).default(""))
                .foreign_key(&mut fk(("rename_orders", "customer_id"), ("customers", "id"))),
        )
        .to_owned(),
    ]
}

fn indexes() -> Vec<IndexCreateStatement> {
    vec![
        index("customers", &["org_unit_id", "code"], true),
        index("customers", &["company_id"], false),
        index("customers", &["name"], false),
        index("customer_phones", &["customer_id"], false),
        index("customer_phones", &["phone"], false),
        index("customer_tags", &["customer_id"], false),
        index("customer_tags", &["tag"], false),
        index("household_members", &["customer_id"], false),
        index("emergency_contacts", &["customer_id"], false),
        index("vehicles", &["customer_id"], false),
        index("bank_accounts", &["customer_id"], false),
        index("occupancies", &["room_id", "end_date"], false),
        index("occupancies", &["customer_id"], false),
        index("occupancies", &["project_id", "role", "end_date"], false),
        index("handovers", &["room_id"], false),
        index("rename_orders", &["customer_id"], false),
        index("rename_orders", &["org_unit_id", "status"], false),
    ]
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for t in tables() {
            manager.create_table(t).await?;
        }
        for i in indexes() {
            manager.create_index(i).await?;
        }
        crate::customer::search::create_index(manager.get_connection()).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        crate::customer::search::drop_index(manager.get_connection()).await?;
        for t in tables().into_iter().rev() {
            let name = t.get_table_name().cloned().expect("named table");
            manager.drop_table(Table::drop().table(name).to_owned()).await?;
        }
        Ok(())
    }
}
