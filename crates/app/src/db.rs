//! The database handle: one code path over SQLite and PostgreSQL.

use std::{
    ops::Deref,
    sync::{Arc, Weak},
    time::Duration,
};

use sea_orm::{
    sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous},
    ConnectOptions, ConnectionTrait, Database, DatabaseBackend, DatabaseConnection, DatabaseTransaction, TransactionTrait,
};
use sea_orm_migration::MigratorTrait;

use crate::{cache::Caches, migration::Migrator, AppResult};

/// A connection pool plus, on SQLite, the writer: a pool of one connection.
///
/// SQLite allows one writer at a time; with deferred transactions two writers
/// that both read first deadlock into `SQLITE_BUSY`. Queuing write
/// transactions for the one writer connection instead makes every one wait
/// its turn and succeed, and that connection's page cache keeps the b-tree
/// pages that writes touch (the leaves of every index of the tables written
/// most), which the readers' caches would not.
#[derive(Clone)]
pub struct Db {
    pub conn: DatabaseConnection,
    writer: Option<DatabaseConnection>,
    /// Configuration derived once per change, not once per request.
    pub caches: Arc<Caches>,
    /// Work-order creates waiting to be committed in a group.
    pub(crate) intake: Arc<crate::workorder::intake::Intake>,
    /// Held by every clone on SQLite; the checkpointer stops when the last
    /// one is dropped.
    _checkpointer: Option<Arc<()>>,
}

/// A write transaction; holds the SQLite writer until commit or drop.
pub struct WriteTxn {
    txn: DatabaseTransaction,
}

impl Deref for WriteTxn {
    type Target = DatabaseTransaction;
    fn deref(&self) -> &DatabaseTransaction {
        &self.txn
    }
}

impl WriteTxn {
    pub async fn commit(self) -> AppResult<()> {
        self.txn.commit().await?;
        Ok(())
    }

    /// Undoes the transaction now (dropping it also does, but later).
    pub async fn rollback(self) -> AppResult<()> {
        self.txn.rollback().await?;
        Ok(())
    }
}

/// Page cache of the SQLite writer, which keeps the index pages inserts
/// touch: with SQLite's default of 2 MB an insert into the million-row
/// work-order table read most of its nine index leaves back from the
/// operating system (0.8 ms, under the writer lock). Readers keep the
/// default: in WAL mode a reader drops its whole cache whenever the database
/// changed since its last read, so under a steady stream of writes a larger
/// reader cache only holds memory (measured in bench/RESULTS.md).
const WRITER_CACHE_KIB: u32 = 16 * 1024;

/// Log pages after which the writer checkpoints in its own commit (SQLite's
/// default is 1,000). Each such checkpoint syncs the log and the database
/// while every other write waits; at the default that was a dozen times a
/// second under a stream of creates. The checkpointer (below) copies the
/// log into the database meanwhile, off the writer's path, so when the
/// writer's turn comes little is left to copy, and the writer's checkpoint
/// still lets its next transaction start the log again from the beginning,
/// which keeps the log about this long (40 MB).
const WRITER_CHECKPOINT_PAGES: u32 = 10_000;

/// What the log's file is cut back to when the log starts again, in bytes:
/// the file keeps the size of the longest log until then.
const LOG_SIZE_LIMIT: u64 = 2 * WRITER_CHECKPOINT_PAGES as u64 * 4096;

/// The checkpointer's pause after each copy of the log into the database.
/// A passive checkpoint takes no lock a reader or the writer waits for.
const CHECKPOINT_EVERY: Duration = Duration::from_millis(250);

fn pool(url: &str, slow: Duration, connections: u32) -> ConnectOptions {
    let mut opts = ConnectOptions::new(url.to_string());
    opts.max_connections(connections)
        .min_connections(1)
        .acquire_timeout(Duration::from_secs(30))
        .sqlx_logging(true)
        .sqlx_logging_level(tracing::log::LevelFilter::Off)
        .sqlx_slow_statements_logging_settings(tracing::log::LevelFilter::Warn, slow);
    opts
}

fn sqlite_pool(url: &str, slow: Duration, connections: u32, cache_kib: Option<u32>) -> ConnectOptions {
    let mut opts = pool(url, slow, connections);
    // A file does not hang up: the ping before every acquire is a round trip
    // to the connection's thread that finds nothing, and on the writer it
    // sits between one transaction and the next.
    opts.test_before_acquire(false);
    // Set on every connection the pool opens, not once: `synchronous`,
    // `busy_timeout` and the cache are per connection (only the WAL mode is
    // kept in the file), and a connection left at `synchronous=FULL` syncs
    // the disk on every commit.
    opts.map_sqlx_sqlite_opts(move |o| {
        let o = o
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(Duration::from_secs(10))
            .foreign_keys(true);
        match cache_kib {
            Some(kib) => o
                .pragma("cache_size", format!("-{kib}"))
                .pragma("wal_autocheckpoint", WRITER_CHECKPOINT_PAGES.to_string())
                .pragma("journal_size_limit", LOG_SIZE_LIMIT.to_string()),
            None => o,
        }
    });
    opts
}

/// Copies the SQLite log into the database, pausing `CHECKPOINT_EVERY`
/// between copies, on a connection of its own until the handle is dropped.
fn start_checkpointer(conn: DatabaseConnection, handle: Weak<()>) {
    tokio::spawn(async move {
        // A pause after each checkpoint, not a fixed rate: a checkpoint of
        // a long log can outlast the period, and back-to-back checkpoints
        // would hold the checkpoint lock the writer's own one needs.
        while handle.upgrade().is_some() {
            // Passive: it copies what no reader still needs and never
            // waits; a checkpoint already running (the writer's) is only
            // reported as busy.
            if let Err(e) = conn.execute_unprepared("PRAGMA wal_checkpoint(PASSIVE)").await {
                tracing::warn!(error = %e, "checkpoint of the SQLite log failed");
            }
            tokio::time::sleep(CHECKPOINT_EVERY).await;
        }
    });
}

impl Db {
    /// Connects to `url` (`sqlite://path?mode=rwc` or `postgres://…`).
    pub async fn connect(url: &str) -> AppResult<Self> {
        Self::connect_with(Duration::from_millis(200), url).await
    }

    /// Connects, logging every statement slower than `slow` with its SQL
    /// (WARN, target `sqlx::query`): where a slow page spends its time.
    pub async fn connect_with(slow: Duration, url: &str) -> AppResult<Self> {
        if !url.starts_with("sqlite:") {
            let conn = Database::connect(pool(url, slow, 32)).await?;
            return Ok(Self { conn, writer: None, caches: Arc::default(), intake: Arc::default(), _checkpointer: None });
        }
        let conn = Database::connect(sqlite_pool(url, slow, 8, None)).await?;
        let writer = Database::connect(sqlite_pool(url, slow, 1, Some(WRITER_CACHE_KIB))).await?;
        let checkpoints = Arc::new(());
        start_checkpointer(Database::connect(sqlite_pool(url, slow, 1, None)).await?, Arc::downgrade(&checkpoints));
        Ok(Self { conn, writer: Some(writer), caches: Arc::default(), intake: Arc::default(), _checkpointer: Some(checkpoints) })
    }

    /// The same connections without the queue of work-order creates: the
    /// handle the queue's own writer holds (`workorder::intake`).
    pub(crate) fn without_intake(&self) -> Db {
        Db { intake: Arc::default(), ..self.clone() }
    }

    pub fn backend(&self) -> DatabaseBackend {
        self.conn.get_database_backend()
    }

    /// Applies pending migrations. When any ran (an upgrade may add indexes
    /// to tables of millions of rows), the planner's statistics are renewed,
    /// or it keeps planning without the new indexes.
    pub async fn migrate(&self) -> AppResult<()> {
        let pending = Migrator::get_pending_migrations(&self.conn).await?.len();
        let fresh = Migrator::get_applied_migrations(&self.conn).await?.is_empty();
        Migrator::up(&self.conn, None).await?;
        if pending > 0 && !fresh {
            self.analyze().await?;
        }
        Ok(())
    }

    /// Starts a write transaction (queued for the writer on SQLite).
    pub async fn begin(&self) -> AppResult<WriteTxn> {
        let txn = self.writer.as_ref().unwrap_or(&self.conn).begin().await?;
        Ok(WriteTxn { txn })
    }

    /// Refreshes the planner's statistics, after a bulk load changed the
    /// tables' sizes by orders of magnitude.
    pub async fn analyze(&self) -> AppResult<()> {
        self.conn.execute_unprepared("ANALYZE").await?;
        Ok(())
    }

    /// A consistent online copy of the SQLite database (`VACUUM INTO`).
    pub async fn backup_sqlite(&self, target: &str) -> AppResult<()> {
        if self.backend() != DatabaseBackend::Sqlite {
            return Err(anyhow::anyhow!("backup 命令仅用于 SQLite；PostgreSQL 请使用 pg_dump（见 docs/OPERATIONS.md）").into());
        }
        let escaped = target.replace('\'', "''");
        self.conn.execute_unprepared(&format!("VACUUM INTO '{escaped}'")).await?;
        Ok(())
    }
}

/// Optimistic locking: bumps `version` of row `id` only if it still equals
/// the version the user edited; otherwise the edit is stale and refused.
/// Run it first in the transaction so the row stays claimed until commit.
pub async fn claim_version<E>(txn: &impl ConnectionTrait, id_col: E::Column, version_col: E::Column, id: i32, version: i32) -> AppResult<()>
where
    E: sea_orm::EntityTrait,
{
    use sea_orm::{sea_query::Expr, ColumnTrait, QueryFilter};
    let res = E::update_many()
        .col_expr(version_col, Expr::col(version_col).add(1))
        .filter(id_col.eq(id))
        .filter(version_col.eq(version))
        .exec(txn)
        .await?;
    if res.rows_affected == 1 {
        Ok(())
    } else {
        Err(crate::AppError::stale())
    }
}

/// The sum of a kept count's column over the rows `select` finds (0 when
/// none): how the workbench reads its tallies.
pub async fn summed<E>(db: &impl ConnectionTrait, select: sea_orm::Select<E>, count_col: E::Column) -> AppResult<u64>
where
    E: sea_orm::EntityTrait,
{
    use sea_orm::{
        sea_query::{Alias, Expr, Func},
        QuerySelect,
    };
    // PostgreSQL sums a BIGINT as NUMERIC; the cast keeps one integer type.
    let sum: Option<Option<i64>> =
        select.select_only().expr(Func::cast_as(Func::sum(Expr::col(count_col)), Alias::new("BIGINT"))).into_tuple().one(db).await?;
    Ok(sum.flatten().map_or(0, |n| u64::try_from(n).unwrap_or_default()))
}

/// One count per occurrence of each key: the deltas of things added, for
/// [`add_to_counts`].
pub fn one_each(keys: impl IntoIterator<Item = i32>) -> std::collections::BTreeMap<i32, i64> {
    let mut deltas = std::collections::BTreeMap::new();
    for k in keys {
        *deltas.entry(k).or_default() += 1;
    }
    deltas
}

/// Adds each delta to its key's kept count in `E` (a table of counts keyed by
/// `key_col`; the row is made by the first delta, its other counts at their
/// defaults), inside the caller's transaction, so a count changes exactly
/// when what it counts commits. In key order: two writers touching the same
/// keys lock their rows in the same order on PostgreSQL, so they queue
/// instead of deadlocking.
pub async fn add_to_counts<E>(
    db: &impl ConnectionTrait,
    key_col: E::Column,
    count_col: E::Column,
    deltas: std::collections::BTreeMap<i32, i64>,
) -> AppResult<()>
where
    E: sea_orm::EntityTrait,
{
    use sea_orm::{
        sea_query::{Expr, OnConflict, Query},
        IdenStatic,
    };
    for (key, delta) in deltas.into_iter().filter(|(_, d)| *d != 0) {
        let add = Expr::col((E::default(), count_col)).add(Expr::cust(format!("excluded.{}", count_col.as_str())));
        let upsert = Query::insert()
            .into_table(E::default())
            .columns([key_col, count_col])
            .values_panic([key.into(), delta.into()])
            .on_conflict(OnConflict::column(key_col).value(count_col, add).to_owned())
            .to_owned();
        db.execute(db.get_database_backend().build(&upsert)).await?;
    }
    Ok(())
}

/// The rows of `E` with the given ids, as id → label: the names shown beside
/// foreign keys in lists, loaded in one query per page rather than per row.
/// Only the two columns are read: an export of 10,000 orders read its
/// customers' and rooms' whole rows for their names.
pub async fn labels_by_id<E>(
    db: &impl ConnectionTrait,
    id_col: E::Column,
    label_col: E::Column,
    ids: impl IntoIterator<Item = i32>,
) -> AppResult<std::collections::BTreeMap<i32, String>>
where
    E: sea_orm::EntityTrait,
{
    use sea_orm::{ColumnTrait, QueryFilter, QuerySelect};
    let ids: Vec<i32> = ids.into_iter().collect::<std::collections::BTreeSet<i32>>().into_iter().collect();
    let mut labels = std::collections::BTreeMap::new();
    // A list hands a part of its page at a time (`list::PART`); a caller
    // with more ids may hand more than SQLite takes as parameters of one
    // statement (32,766).
    for part in ids.chunks(10_000) {
        let rows: Vec<(i32, String)> =
            E::find().select_only().column(id_col).column(label_col).filter(id_col.is_in(part.to_vec())).into_tuple().all(db).await?;
        labels.extend(rows);
    }
    Ok(labels)
}

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    use super::*;
    use crate::temp_dir::TempDir;

    async fn fresh_sqlite() -> (TempDir, PathBuf, Db) {
        let dir = TempDir::new("db");
        std::fs::create_dir_all(&dir.0).unwrap();
        let file = dir.0.join("db.sqlite");
        let db = Db::connect(&format!("sqlite://{}?mode=rwc", file.display())).await.unwrap();
        db.conn.execute_unprepared("CREATE TABLE filler (bytes BLOB NOT NULL)").await.unwrap();
        (dir, file, db)
    }

    /// Writes about `pages` pages of 4 KiB through the writer.
    async fn write_pages(db: &Db, pages: u32) {
        let txn = db.begin().await.unwrap();
        txn.execute_unprepared(&format!(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {pages}) \
             INSERT INTO filler (bytes) SELECT randomblob(4000) FROM n"
        ))
        .await
        .unwrap();
        txn.commit().await.unwrap();
    }

    fn size(path: &Path) -> u64 {
        std::fs::metadata(path).map(|m| m.len()).unwrap_or(0)
    }

    fn log_of(file: &Path) -> PathBuf {
        PathBuf::from(format!("{}-wal", file.display()))
    }

    #[tokio::test]
    async fn the_log_reaches_the_database_without_the_writer() {
        let (_dir, file, db) = fresh_sqlite().await;
        let before = size(&file);
        write_pages(&db, 400).await;
        assert!(size(&log_of(&file)) > 400 * 4096, "the writes are in the log");
        // Far below the writer's own threshold: only the checkpointer copies them.
        for _ in 0..40 {
            if size(&file) > before + 300 * 4096 {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("the log was not copied into the database within two seconds");
    }

    #[tokio::test]
    async fn the_log_starts_again_under_steady_writes() {
        let (_dir, file, db) = fresh_sqlite().await;
        // Three times the writer's threshold, one transaction after another.
        for _ in 0..30 {
            write_pages(&db, WRITER_CHECKPOINT_PAGES / 10).await;
        }
        let log = size(&log_of(&file));
        assert!(log <= LOG_SIZE_LIMIT, "the log grew to {log} bytes, past {LOG_SIZE_LIMIT}: it never started again");
        let rows =
            db.conn.query_one(sea_orm::Statement::from_string(DatabaseBackend::Sqlite, "SELECT COUNT(*) AS n FROM filler")).await.unwrap();
        assert_eq!(rows.unwrap().try_get::<i64>("", "n").unwrap(), 30 * i64::from(WRITER_CHECKPOINT_PAGES / 10), "every write is kept");
    }
}
