//! Per-process caches of configuration that nearly every request reads and
//! that seldom changes: a user's data scope and permissions (eight queries,
//! one of them over every project of the group) and a company's settings
//! (dictionaries, working calendar, SLA targets, warranty periods, numbering
//! rules: seven queries for every work order created).
//!
//! Validity is kept in the database, not in the process: `config_versions`
//! holds a counter per [`Kind`], and the audit record of every change of
//! that kind bumps it in the change's own transaction ([`bump_for`]). A
//! cached value is used only while the counter read before it was loaded is
//! still the counter now, which costs one read of a two-row table per use
//! case. So a change takes effect at once in every process on the same
//! database, and a change that rolls back invalidates nothing.

use std::{
    collections::HashMap,
    hash::Hash,
    sync::{Arc, Mutex},
};

use sea_orm::{
    sea_query::{Alias, Expr, Query, SelectStatement, SimpleExpr},
    ConnectionTrait, DbBackend, QueryResult, Statement,
};

use crate::AppResult;

/// What a counter guards.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Org units, projects, roles and users: who sees what (`org::scope`).
    Access,
    /// Per-company settings (`settings::CompanySettings`).
    Settings,
}

impl Kind {
    pub const ALL: [Kind; 2] = [Kind::Access, Kind::Settings];

    pub fn code(self) -> &'static str {
        match self {
            Kind::Access => "access",
            Kind::Settings => "settings",
        }
    }

    /// The kinds a change of an audited entity invalidates. A new company
    /// (an org unit) also gets its seeded settings.
    fn changed_by(entity: &str) -> &'static [Kind] {
        match entity {
            "org_unit" => &Kind::ALL,
            "project" | "role" | "user" => &[Kind::Access],
            "calendar" | "holiday" | "dict_item" | "sla_target" | "warranty_period" | "numbering_rule" => &[Kind::Settings],
            _ => &[],
        }
    }
}

/// The counters as read at one moment.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Versions {
    pub access: i64,
    pub settings: i64,
}

impl Versions {
    pub fn of(&self, kind: Kind) -> i64 {
        match kind {
            Kind::Access => self.access,
            Kind::Settings => self.settings,
        }
    }
}

/// Adds the counters to a read as two columns (`config_access`,
/// `config_settings`): the requests' authentication reads them with the
/// session or token and its user, in one statement instead of two.
pub fn select_versions(select: &mut SelectStatement) {
    for kind in Kind::ALL {
        let counter = Query::select()
            .column(Alias::new("version"))
            .from(Alias::new("config_versions"))
            .and_where(Expr::col(Alias::new("kind")).eq(kind.code()))
            .to_owned();
        select.expr_as(SimpleExpr::SubQuery(None, Box::new(counter.into_sub_query_statement())), Alias::new(column(kind)));
    }
}

fn column(kind: Kind) -> String {
    format!("config_{}", kind.code())
}

/// The counters from a row of a read that [`select_versions`] extended.
pub fn versions_in(row: &QueryResult) -> AppResult<Versions> {
    let counter = |kind| row.try_get::<Option<i64>>("", &column(kind)).map(Option::unwrap_or_default);
    Ok(Versions { access: counter(Kind::Access)?, settings: counter(Kind::Settings)? })
}

/// Reads the counters.
pub async fn versions(db: &impl ConnectionTrait) -> AppResult<Versions> {
    let mut select = Query::select();
    select_versions(&mut select);
    let row = db.query_one(db.get_database_backend().build(&select)).await?;
    row.as_ref().map_or(Ok(Versions::default()), versions_in)
}

/// Bumps the counters a change of `entity` invalidates, in the change's
/// transaction (called by `audit::record`).
pub async fn bump_for(db: &impl ConnectionTrait, entity: &str) -> AppResult<()> {
    for kind in Kind::changed_by(entity) {
        let backend = db.get_database_backend();
        let sql = match backend {
            DbBackend::Postgres => "UPDATE config_versions SET version = version + 1 WHERE kind = $1",
            _ => "UPDATE config_versions SET version = version + 1 WHERE kind = ?",
        };
        db.execute(Statement::from_sql_and_values(backend, sql, [kind.code().into()])).await?;
    }
    Ok(())
}

/// Values derived from one kind of configuration, each with the counter it
/// was loaded under.
pub struct Memo<K, V> {
    kind: Kind,
    entries: Mutex<HashMap<K, (i64, Arc<V>)>>,
}

/// More entries than any real deployment has users or companies; past it the
/// memo starts over rather than grow without bound.
const MAX_ENTRIES: usize = 10_000;

impl<K: Eq + Hash, V> Memo<K, V> {
    fn new(kind: Kind) -> Self {
        Self { kind, entries: Mutex::new(HashMap::new()) }
    }

    /// The value of `key` if it was loaded under the counters `now`.
    pub fn get(&self, key: &K, now: Versions) -> Option<Arc<V>> {
        let entries = self.entries.lock().expect("memo lock");
        entries.get(key).filter(|(v, _)| *v == now.of(self.kind)).map(|(_, value)| value.clone())
    }

    /// Keeps `value`, loaded after the counters `read` were read.
    pub fn put(&self, key: K, read: Versions, value: V) -> Arc<V> {
        let value = Arc::new(value);
        let mut entries = self.entries.lock().expect("memo lock");
        if entries.len() >= MAX_ENTRIES {
            entries.clear();
        }
        entries.insert(key, (read.of(self.kind), value.clone()));
        value
    }
}

/// The caches of one database handle (shared by its clones).
pub struct Caches {
    pub access: Memo<i32, crate::org::Access>,
    pub settings: Memo<i32, crate::settings::CompanySettings>,
}

impl Default for Caches {
    fn default() -> Self {
        Self { access: Memo::new(Kind::Access), settings: Memo::new(Kind::Settings) }
    }
}
