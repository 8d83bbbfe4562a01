//! Chinese substring search over customers: the one place where SQLite and
//! PostgreSQL need different SQL. SQLite: an FTS5 trigram index for queries
//! of three characters or more, `LIKE` below that (trigrams need three).
//! PostgreSQL: a `pg_trgm` GIN index that serves `ILIKE` of any length ≥ 3
//! and falls back to a scan below. The searched text (`customers.search_text`)
//! is built by `search_text` in one code path for both.

use domain::validation::normalize_text;
use sea_orm::{
    sea_query::{extension::postgres::PgExpr, Expr, LikeExpr, SimpleExpr},
    ConnectionTrait, DatabaseBackend, DbErr,
};

use crate::{entity::customer, list::like_pattern};

pub async fn create_index(db: &impl ConnectionTrait) -> Result<(), DbErr> {
    let statements: &[&str] = match db.get_database_backend() {
        DatabaseBackend::Sqlite => &[
            "CREATE VIRTUAL TABLE customers_fts USING fts5(search_text, content='customers', content_rowid='id', tokenize='trigram')",
            "CREATE TRIGGER customers_fts_insert AFTER INSERT ON customers BEGIN \
             INSERT INTO customers_fts(rowid, search_text) VALUES (new.id, new.search_text); END",
            "CREATE TRIGGER customers_fts_delete AFTER DELETE ON customers BEGIN \
             INSERT INTO customers_fts(customers_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text); END",
            "CREATE TRIGGER customers_fts_update AFTER UPDATE OF search_text ON customers BEGIN \
             INSERT INTO customers_fts(customers_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text); \
             INSERT INTO customers_fts(rowid, search_text) VALUES (new.id, new.search_text); END",
        ],
        _ => &[
            "CREATE EXTENSION IF NOT EXISTS pg_trgm",
            "CREATE INDEX ix_customers_search_trgm ON customers USING gin (search_text gin_trgm_ops)",
        ],
    };
    for s in statements {
        db.execute_unprepared(s).await?;
    }
    Ok(())
}

pub async fn drop_index(db: &impl ConnectionTrait) -> Result<(), DbErr> {
    let statements: &[&str] = match db.get_database_backend() {
        DatabaseBackend::Sqlite => &[
            "DROP TRIGGER IF EXISTS customers_fts_insert",
            "DROP TRIGGER IF EXISTS customers_fts_delete",
            "DROP TRIGGER IF EXISTS customers_fts_update",
            "DROP TABLE IF EXISTS customers_fts",
        ],
        _ => &["DROP INDEX IF EXISTS ix_customers_search_trgm"],
    };
    for s in statements {
        db.execute_unprepared(s).await?;
    }
    Ok(())
}

/// The text a customer is found by: name, code, phones, ID number, work
/// unit, and the codes of the rooms they hold — lower-cased.
pub fn search_text(parts: &[&str]) -> String {
    parts.iter().map(|p| normalize_text(p).to_lowercase()).filter(|p| !p.is_empty()).collect::<Vec<_>>().join(" | ")
}

/// The condition "customer matches the keyword".
pub fn matches(backend: DatabaseBackend, keyword: &str) -> SimpleExpr {
    let k = normalize_text(keyword).to_lowercase();
    let column = Expr::col((customer::Entity, customer::Column::SearchText));
    match backend {
        DatabaseBackend::Sqlite if k.chars().count() >= 3 => {
            let phrase = format!("\"{}\"", k.replace('"', "\"\""));
            Expr::cust_with_values("customers.id IN (SELECT rowid FROM customers_fts WHERE customers_fts MATCH ?)", [phrase])
        }
        DatabaseBackend::Sqlite => column.like(LikeExpr::new(like_pattern(&k)).escape('\\')),
        // Backslash is PostgreSQL's default LIKE escape character.
        _ => column.ilike(LikeExpr::new(like_pattern(&k))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_text_is_normalised() {
        assert_eq!(search_text(&["张伟", "", "Ｃ３－0301", "13800138000"]), "张伟 | c3-0301 | 13800138000");
    }
}
