//! The foundation: org tree, projects, users, roles, sessions, tokens, audit,
//! dictionaries, numbering, calendar and announcements.

use sea_orm_migration::{prelude::*, schema::*};

use super::helpers::{fk, index, stamps};

#[derive(DeriveMigrationName)]
pub struct Migration;

fn tables() -> Vec<TableCreateStatement> {
    let t = |name: &str| Table::create().table(Alias::new(name)).to_owned();
    vec![
        stamps(
            t("org_units")
                .col(pk_auto("id"))
                .col(integer_null("parent_id"))
                .col(string_len("kind", 16))
                .col(string_len("name", 100))
                .col(string_len("code", 32).default(""))
                .col(string_len("path", 255))
                .col(integer_null("company_id"))
                .col(integer("sort_order").default(0))
                .col(boolean("enabled").default(true))
                .foreign_key(&mut fk(("org_units", "parent_id"), ("org_units", "id"))),
        )
        .to_owned(),
        stamps(
            t("projects")
                .col(pk_auto("id"))
                .col(integer("org_unit_id"))
                .col(integer("company_id"))
                .col(string_len("code", 32))
                .col(string_len("name", 100))
                .col(string_len("address", 255).default(""))
                .col(boolean("enabled").default(true))
                .foreign_key(&mut fk(("projects", "org_unit_id"), ("org_units", "id"))),
        )
        .to_owned(),
        stamps(
            t("users")
                .col(pk_auto("id"))
                .col(string_len("username", 64))
                .col(string_len("display_name", 64))
                .col(string_len("phone", 32).default(""))
                .col(integer("org_unit_id"))
                .col(integer_null("company_id"))
                .col(string_len("password_hash", 255))
                .col(boolean("must_change_password").default(true))
                .col(boolean("enabled").default(true))
                .col(boolean("superuser").default(false))
                .col(boolean("all_projects").default(false))
                .col(timestamp_with_time_zone_null("locked_until"))
                .col(timestamp_with_time_zone_null("last_login_at"))
                .foreign_key(&mut fk(("users", "org_unit_id"), ("org_units", "id"))),
        )
        .to_owned(),
        stamps(
            t("roles")
                .col(pk_auto("id"))
                .col(integer("org_unit_id"))
                .col(string_len("name", 64))
                .col(string_len("description", 255).default(""))
                .col(boolean("enabled").default(true))
                .foreign_key(&mut fk(("roles", "org_unit_id"), ("org_units", "id"))),
        )
        .to_owned(),
        t("role_permissions")
            .col(integer("role_id"))
            .col(string_len("permission", 64))
            .primary_key(Index::create().col(Alias::new("role_id")).col(Alias::new("permission")))
            .foreign_key(&mut fk(("role_permissions", "role_id"), ("roles", "id")))
            .to_owned(),
        t("user_roles")
            .col(integer("user_id"))
            .col(integer("role_id"))
            .primary_key(Index::create().col(Alias::new("user_id")).col(Alias::new("role_id")))
            .foreign_key(&mut fk(("user_roles", "user_id"), ("users", "id")))
            .foreign_key(&mut fk(("user_roles", "role_id"), ("roles", "id")))
            .to_owned(),
        t("user_projects")
            .col(integer("user_id"))
            .col(integer("project_id"))
            .primary_key(Index::create().col(Alias::new("user_id")).col(Alias::new("project_id")))
            .foreign_key(&mut fk(("user_projects", "user_id"), ("users", "id")))
            .foreign_key(&mut fk(("user_projects", "project_id"), ("projects", "id")))
            .to_owned(),
        t("sessions")
            .col(string_len("id", 64).primary_key())
            .col(integer("user_id"))
            .col(string_len("csrf_token", 64))
            .col(string_len("ip", 64).default(""))
            .col(timestamp_with_time_zone("created_at"))
            .col(timestamp_with_time_zone("last_seen_at"))
            .col(timestamp_with_time_zone("expires_at"))
            .foreign_key(&mut fk(("sessions", "user_id"), ("users", "id")))
            .to_owned(),
        t("api_tokens")
            .col(pk_auto("id"))
            .col(integer("user_id"))
            .col(string_len("name", 64))
            .col(string_len("token_hash", 64))
            .col(string_len("prefix", 16))
            .col(timestamp_with_time_zone("created_at"))
            .col(timestamp_with_time_zone_null("last_used_at"))
            .col(timestamp_with_time_zone_null("revoked_at"))
            .foreign_key(&mut fk(("api_tokens", "user_id"), ("users", "id")))
            .to_owned(),
        t("login_log")
            .col(pk_auto("id"))
            .col(timestamp_with_time_zone("at"))
            .col(string_len("username", 64))
            .col(integer_null("user_id"))
            .col(integer_null("company_id"))
            .col(string_len("ip", 64).default(""))
            .col(boolean("success"))
            .col(string_len("reason", 64).default(""))
            .to_owned(),
        t("audit_log")
            .col(pk_auto("id"))
            .col(timestamp_with_time_zone("at"))
            .col(integer_null("user_id"))
            .col(string_len("user_name", 64).default(""))
            .col(string_len("ip", 64).default(""))
            .col(integer_null("company_id"))
            .col(string_len("entity", 32))
            .col(string_len("entity_id", 32))
            .col(string_len("action", 32))
            .col(string_len("summary", 255).default(""))
            .col(text_null("before"))
            .col(text_null("after"))
            .to_owned(),
        stamps(
            t("dict_items")
                .col(pk_auto("id"))
                .col(integer("company_id"))
                .col(string_len("dict_type", 32))
                .col(string_len("label", 64))
                .col(integer("sort_order").default(0))
                .col(boolean("enabled").default(true))
                .foreign_key(&mut fk(("dict_items", "company_id"), ("org_units", "id"))),
        )
        .to_owned(),
        stamps(
            t("numbering_rules")
                .col(pk_auto("id"))
                .col(integer("company_id"))
                .col(string_len("doc_type", 32))
                .col(string_len("prefix", 16))
                .col(string_len("reset", 16))
                .col(integer("width"))
                .foreign_key(&mut fk(("numbering_rules", "company_id"), ("org_units", "id"))),
        )
        .to_owned(),
        t("number_counters")
            .col(integer("rule_id"))
            .col(string_len("period_key", 16))
            .col(big_integer("last_value"))
            .primary_key(Index::create().col(Alias::new("rule_id")).col(Alias::new("period_key")))
            .foreign_key(&mut fk(("number_counters", "rule_id"), ("numbering_rules", "id")))
            .to_owned(),
        stamps(
            t("work_calendars")
                .col(pk_auto("id"))
                .col(integer("company_id"))
                .col(string_len("work_days", 7))
                .col(string_len("work_start", 5))
                .col(string_len("work_end", 5))
                .col(string_len("lunch_start", 5).default(""))
                .col(string_len("lunch_end", 5).default(""))
                .foreign_key(&mut fk(("work_calendars", "company_id"), ("org_units", "id"))),
        )
        .to_owned(),
        t("holidays")
            .col(pk_auto("id"))
            .col(integer("company_id"))
            .col(date("day"))
            .col(string_len("kind", 16))
            .col(string_len("name", 64))
            .foreign_key(&mut fk(("holidays", "company_id"), ("org_units", "id")))
            .to_owned(),
        stamps(
            t("announcements")
                .col(pk_auto("id"))
                .col(integer("org_unit_id"))
                .col(string_len("title", 200))
                .col(text("body"))
                .col(string_len("status", 16))
                .col(timestamp_with_time_zone("publish_from"))
                .col(timestamp_with_time_zone_null("publish_to"))
                .col(integer("created_by"))
                .foreign_key(&mut fk(("announcements", "org_unit_id"), ("org_units", "id"))),
        )
        .to_owned(),
        t("announcement_targets")
            .col(integer("announcement_id"))
            .col(integer("org_unit_id"))
            .primary_key(Index::create().col(Alias::new("announcement_id")).col(Alias::new("org_unit_id")))
            .foreign_key(&mut fk(("announcement_targets", "announcement_id"), ("announcements", "id")))
            .foreign_key(&mut fk(("announcement_targets", "org_unit_id"), ("org_units", "id")))
            .to_owned(),
    ]
}

fn indexes() -> Vec<IndexCreateStatement> {
    vec![
        index("org_units", &["parent_id"], false),
        index("org_units", &["path"], false),
        index("projects", &["company_id", "code"], true),
        index("projects", &["org_unit_id"], false),
        index("users", &["username"], true),
        index("users", &["org_unit_id"], false),
        index("roles", &["org_unit_id", "name"], true),
        index("sessions", &["user_id"], false),
        index("api_tokens", &["token_hash"], true),
        index("login_log", &["username", "at"], false),
        index("login_log", &["at"], false),
        index("audit_log", &["at"], false),
        index("audit_log", &["entity", "entity_id"], false),
        index("audit_log", &["company_id", "at"], false),
        index("dict_items", &["company_id", "dict_type", "label"], true),
        index("numbering_rules", &["company_id", "doc_type"], true),
        index("work_calendars", &["company_id"], true),
        index("holidays", &["company_id", "day"], true),
        index("announcements", &["org_unit_id"], false),
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
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for t in tables().into_iter().rev() {
            let name = t.get_table_name().cloned().expect("named table");
            manager.drop_table(Table::drop().table(name).to_owned()).await?;
        }
        Ok(())
    }
}
