//! Kept counts for two lists that counted a whole group on every page: the
//! visit records of each office (`visit_tallies`: the list as it opens
//! counted the 907,851 visits of scale L, 6 ms on SQLite, 45 ms on
//! PostgreSQL, before its first row) and the rooms and handed-over rooms of
//! each project (`project_room_tallies`: the room table's 入伙 counts per
//! project grouped 200,000 rooms, 10 ms and 40 ms). Under eight clients
//! these made the two pages' p99 107 and 152 ms on SQLite, 466 and 472 ms
//! on PostgreSQL. The writes keep them in their own transactions (see
//! `visit::tally` and `property::tally`); filled here from what is stored.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

const VISITS: &str = "visit_tallies";
const ROOMS: &str = "project_room_tallies";

fn col(name: &str) -> Alias {
    Alias::new(name)
}

/// `INSERT INTO table (key, count) SELECT group, COUNT(id) FROM source … GROUP BY group`.
async fn fill(manager: &SchemaManager<'_>, table: &str, key: &str, count: &str, source: SelectStatement) -> Result<(), DbErr> {
    let fill = Query::insert()
        .into_table(col(table))
        .columns([col(key), col(count)])
        .select_from(source)
        .map_err(|e| DbErr::Migration(e.to_string()))?
        .to_owned();
    manager.exec_stmt(fill).await
}

fn counted(from: &str, group: &str) -> SelectStatement {
    Query::select().column(col(group)).expr(Expr::col(col("id")).count()).from(col(from)).group_by_col(col(group)).to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let visits =
            Table::create().table(col(VISITS)).col(integer("org_unit_id").primary_key()).col(big_integer("visits").default(0)).to_owned();
        manager.create_table(visits).await?;
        fill(manager, VISITS, "org_unit_id", "visits", counted("return_visits", "office_id")).await?;
        let rooms = Table::create()
            .table(col(ROOMS))
            .col(integer("project_id").primary_key())
            .col(big_integer("rooms").default(0))
            .col(big_integer("handed").default(0))
            .to_owned();
        manager.create_table(rooms).await?;
        fill(manager, ROOMS, "project_id", "rooms", counted("rooms", "project_id")).await?;
        let handed = "UPDATE project_room_tallies SET handed = (SELECT COUNT(r.id) FROM rooms r \
             WHERE r.project_id = project_room_tallies.project_id AND r.id IN (SELECT room_id FROM handovers))";
        manager.get_connection().execute_unprepared(handed).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(col(ROOMS)).to_owned()).await?;
        manager.drop_table(Table::drop().table(col(VISITS)).to_owned()).await
    }
}
