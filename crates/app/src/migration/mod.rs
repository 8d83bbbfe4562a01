//! One migration tree for SQLite and PostgreSQL (sea-orm-migration).

use sea_orm_migration::prelude::*;

mod helpers;
mod m20261122_000001_foundation;
mod m20261122_000002_property;
mod m20261122_000003_customer;
mod m20261122_000004_import;
mod m20261122_000005_workorder;
mod m20261122_000006_workorder_fees;
mod m20261201_000007_service;
mod m20261201_000010_escalation;
mod m20261201_000011_scale_indexes;
mod m20261201_000012_customer_name_grams;
mod m20261202_000013_config_versions;
mod m20261202_000014_order_list_indexes;
mod m20261202_000015_customer_history_indexes;
mod m20261202_000016_order_next_due;
mod m20261203_000017_order_handling_seconds;
mod m20261203_000018_order_state_index;
mod m20261204_000019_customer_sort_indexes;
mod m20261205_000020_customer_tallies;
mod m20261205_000021_order_project_created_index;
mod m20261206_000022_order_tallies;
mod m20261207_000023_order_project_next_due_index;
mod m20261207_000024_customer_digit_grams;
mod m20261208_000025_order_state_tallies;
mod m20261209_000026_visit_visited_at_index;
mod m20261209_000027_order_accepted_at;
mod m20261209_000028_visit_and_room_tallies;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261122_000001_foundation::Migration),
            Box::new(m20261122_000002_property::Migration),
            Box::new(m20261122_000003_customer::Migration),
            Box::new(m20261122_000004_import::Migration),
            Box::new(m20261122_000005_workorder::Migration),
            Box::new(m20261122_000006_workorder_fees::Migration),
            Box::new(m20261201_000007_service::Migration),
            Box::new(m20261201_000010_escalation::Migration),
            Box::new(m20261201_000011_scale_indexes::Migration),
            Box::new(m20261201_000012_customer_name_grams::Migration),
            Box::new(m20261202_000013_config_versions::Migration),
            Box::new(m20261202_000014_order_list_indexes::Migration),
            Box::new(m20261202_000015_customer_history_indexes::Migration),
            Box::new(m20261202_000016_order_next_due::Migration),
            Box::new(m20261203_000017_order_handling_seconds::Migration),
            Box::new(m20261203_000018_order_state_index::Migration),
            Box::new(m20261204_000019_customer_sort_indexes::Migration),
            Box::new(m20261205_000020_customer_tallies::Migration),
            Box::new(m20261205_000021_order_project_created_index::Migration),
            Box::new(m20261206_000022_order_tallies::Migration),
            Box::new(m20261207_000023_order_project_next_due_index::Migration),
            Box::new(m20261207_000024_customer_digit_grams::Migration),
            Box::new(m20261208_000025_order_state_tallies::Migration),
            Box::new(m20261209_000026_visit_visited_at_index::Migration),
            Box::new(m20261209_000027_order_accepted_at::Migration),
            Box::new(m20261209_000028_visit_and_room_tallies::Migration),
        ]
    }
}
