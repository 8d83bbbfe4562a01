//! Chinese substring search over customers.
//!
//! What a keyword searches depends on its length (after the same
//! normalisation as the stored text: full-width to half-width, trimmed,
//! lower-cased):
//!
//! - One or two characters (王, 王伟): the customer's **name only**, looked up
//!   in `customer_name_grams`, which holds every 1- and 2-character piece of
//!   every name. Neither trigram index can serve keywords this short, and the
//!   `LIKE '%王伟%'` they fell back to scanned every customer (1.6 s at
//!   250,000 customers, twice per list: the total and the page). The same
//!   query on both engines.
//! - Four digits (5678): the runs of four digits in the searched text below
//!   (phones, ID numbers, codes), looked up in `customer_digit_grams`. The
//!   trigram index answered them from the lists of their two three-digit
//!   pieces, which hold most customers (every ID number's and phone's
//!   digits): 15 ms for a common one before a single match was read. The
//!   same matches as the substring search, and the same query on both
//!   engines.
//! - Three characters or more: name, code, phones, ID number, work unit and
//!   the codes of the rooms held (`customers.search_text`). This is the one
//!   place where SQLite and PostgreSQL need different SQL. SQLite: an FTS5
//!   trigram index. PostgreSQL: a `pg_trgm` GIN index serving `ILIKE`.
//!
//! A list by keyword orders and counts only its newest matches
//! (`list::KEYWORD_MATCHES_LISTED`, see `list::page_ids_and_total`).
//!
//! The searched text is built by `search_text` and the grams by `name_grams`,
//! each in one code path for both engines; `store_grams` must run in the
//! transaction of every write of a customer's searched text.

use std::collections::{BTreeMap, BTreeSet};

use domain::validation::normalize_text;
use sea_orm::{
    sea_query::{extension::postgres::PgExpr, ColumnRef, Expr, IntoColumnRef, LikeExpr, SimpleExpr},
    ActiveModelTrait,
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, DatabaseBackend, DbErr, EntityTrait, IntoActiveModel, JoinType, QueryFilter, QuerySelect, Select,
};

use crate::{
    entity::{customer, customer_digit_gram, customer_name_gram},
    list::like_pattern,
};

/// Keywords up to this many characters are looked up in the name grams.
pub const GRAM_MAX: usize = 2;

/// Keywords of exactly this many digits are looked up in the digit grams.
pub const DIGIT_GRAM_LEN: usize = 4;

/// Gram rows per INSERT (two parameters each: far below the bind limits of
/// SQLite and PostgreSQL, large enough to keep a 50,000-row import fast).
const GRAM_CHUNK: usize = 1000;

/// Customer ids per DELETE of old grams.
const ID_CHUNK: usize = 500;

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

/// The 1- and 2-character pieces of a name, normalised as `search_text`,
/// each once: 欧阳娜娜 → 欧, 阳, 娜, 欧阳, 阳娜, 娜娜. Pieces with whitespace
/// are left out: keywords are trimmed, so a short one never holds any.
pub fn name_grams(name: &str) -> Vec<String> {
    let chars: Vec<char> = normalize_text(name).to_lowercase().chars().collect();
    let mut grams: Vec<String> = Vec::new();
    for len in 1..=GRAM_MAX {
        for piece in chars.windows(len).filter(|w| !w.iter().any(|c| c.is_whitespace())) {
            let gram: String = piece.iter().collect();
            if !grams.contains(&gram) {
                grams.push(gram);
            }
        }
    }
    grams
}

/// Every run of `DIGIT_GRAM_LEN` digits in a searched text, each once, as a
/// number: `p001-0101 | 13508563638` → 1, 101, 1350, 3508, …, 3638.
pub fn digit_grams(text: &str) -> Vec<i32> {
    let mut grams = BTreeSet::new();
    for run in text.split(|c: char| !c.is_ascii_digit()) {
        grams.extend(run.as_bytes().windows(DIGIT_GRAM_LEN).map(digits_value));
    }
    grams.into_iter().collect()
}

fn digits_value(digits: &[u8]) -> i32 {
    digits.iter().fold(0, |n, d| n * 10 + i32::from(d - b'0'))
}

/// The gram a keyword is looked up by, when it is `DIGIT_GRAM_LEN` digits.
fn digit_gram_of(keyword: &str) -> Option<i32> {
    (keyword.len() == DIGIT_GRAM_LEN && keyword.bytes().all(|b| b.is_ascii_digit())).then(|| digits_value(keyword.as_bytes()))
}

/// Replaces the grams of customers (id, name, searched text); run it in the
/// transaction that writes them. A customer listed twice keeps the last
/// given.
pub async fn store_grams(db: &impl ConnectionTrait, customers: &[(i32, &str, &str)]) -> Result<(), DbErr> {
    let customers: BTreeMap<i32, (&str, &str)> = customers.iter().map(|&(id, name, text)| (id, (name, text))).collect();
    let ids: Vec<i32> = customers.keys().copied().collect();
    delete_grams(db, &ids).await?;
    insert_name_grams(db, customers.iter().map(|(id, (name, _))| (*id, *name))).await?;
    insert_digit_grams(db, customers.iter().map(|(id, (_, text))| (*id, *text))).await
}

/// Adds the digit grams of customers (id, searched text) that have none yet
/// (the migration that fills the table, and `store_grams`).
pub async fn insert_digit_grams<'a>(db: &impl ConnectionTrait, texts: impl Iterator<Item = (i32, &'a str)>) -> Result<(), DbErr> {
    let rows = texts.flat_map(|(id, text)| {
        digit_grams(text).into_iter().map(move |g| customer_digit_gram::ActiveModel { gram: Set(g), customer_id: Set(id) })
    });
    insert_in_chunks(db, rows.collect()).await
}

/// Adds the name grams of customers that have none yet (the migration that
/// fills the table, and `store_grams`).
pub async fn insert_name_grams<'a>(db: &impl ConnectionTrait, names: impl Iterator<Item = (i32, &'a str)>) -> Result<(), DbErr> {
    let rows = names.flat_map(|(id, name)| {
        name_grams(name).into_iter().map(move |g| customer_name_gram::ActiveModel { gram: Set(g), customer_id: Set(id) })
    });
    insert_in_chunks(db, rows.collect()).await
}

/// Inserts gram rows `GRAM_CHUNK` to a statement.
async fn insert_in_chunks<A>(db: &impl ConnectionTrait, rows: Vec<A>) -> Result<(), DbErr>
where
    A: ActiveModelTrait,
    <A::Entity as EntityTrait>::Model: IntoActiveModel<A>,
{
    for chunk in rows.chunks(GRAM_CHUNK) {
        A::Entity::insert_many(chunk.to_vec()).exec_without_returning(db).await?;
    }
    Ok(())
}

/// Removes the grams of customers (before they are deleted).
pub async fn delete_grams(db: &impl ConnectionTrait, ids: &[i32]) -> Result<(), DbErr> {
    for chunk in ids.chunks(ID_CHUNK) {
        customer_name_gram::Entity::delete_many().filter(customer_name_gram::Column::CustomerId.is_in(chunk.to_vec())).exec(db).await?;
        customer_digit_gram::Entity::delete_many().filter(customer_digit_gram::Column::CustomerId.is_in(chunk.to_vec())).exec(db).await?;
    }
    Ok(())
}

/// The customers of `select` that match the keyword (see the module
/// comment for what each length searches), and the column their ids are
/// best read newest first by. A gram table is joined rather than asked with
/// `IN`: its index holds a gram's customers in id order, so reading them by
/// its `customer_id` stops after the newest a capped list needs, where an
/// `IN` list gathered every match first (30 ms for a four-digit run in
/// 86,000 customers' birth dates). Each customer has a gram once: the join
/// adds no rows.
pub fn matching(backend: DatabaseBackend, select: Select<customer::Entity>, keyword: &str) -> (Select<customer::Entity>, ColumnRef) {
    let k = normalize_text(keyword).to_lowercase();
    if k.chars().count() <= GRAM_MAX {
        use customer_name_gram::Column as G;
        return joined_grams(select, G::Gram.eq(k), G::CustomerId);
    }
    if let Some(gram) = digit_gram_of(&k) {
        use customer_digit_gram::Column as G;
        return joined_grams(select, G::Gram.eq(gram), G::CustomerId);
    }
    let condition = match backend {
        DatabaseBackend::Sqlite => {
            let phrase = format!("\"{}\"", k.replace('"', "\"\""));
            Expr::cust_with_values("customers.id IN (SELECT rowid FROM customers_fts WHERE customers_fts MATCH ?)", [phrase])
        }
        // Backslash is PostgreSQL's default LIKE escape character.
        _ => Expr::col((customer::Entity, customer::Column::SearchText)).ilike(LikeExpr::new(like_pattern(&k))),
    };
    (select.filter(condition), (customer::Entity, customer::Column::Id).into_column_ref())
}

/// The customers of `select` that have the gram of a gram table (`gram`,
/// a condition on its gram column), joined by the table's `customer_id`,
/// and that column to read the newest by.
fn joined_grams<G>(select: Select<customer::Entity>, gram: SimpleExpr, customer_id: G) -> (Select<customer::Entity>, ColumnRef)
where
    G: ColumnTrait,
    G::EntityName: EntityTrait<Column = G>,
{
    let grams = G::EntityName::belongs_to(customer::Entity).from(customer_id).to(customer::Column::Id).into();
    (select.join_rev(JoinType::InnerJoin, grams).filter(gram), (G::EntityName::default(), customer_id).into_column_ref())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_text_is_normalised() {
        assert_eq!(search_text(&["张伟", "", "Ｃ３－0301", "13800138000"]), "张伟 | c3-0301 | 13800138000");
    }

    #[test]
    fn digit_grams_are_every_four_digits_within_a_run_once() {
        assert_eq!(digit_grams("p001-0101 | 1350123"), [101, 123, 1350, 3501, 5012]);
        assert_eq!(digit_grams("1111 | 11111"), [1111], "each once");
        assert!(digit_grams("123 | 456 | 王").is_empty(), "runs shorter than four");
        let text = search_text(&["李娜", "440305198506120031", "13977773579"]);
        assert!(!digit_grams(&text).contains(&3113), "never across parts: {text}");
    }

    #[test]
    fn only_four_digit_keywords_use_the_digit_grams() {
        assert_eq!(digit_gram_of("0101"), Some(101));
        assert_eq!(digit_gram_of("5678"), Some(5678));
        for k in ["010", "01012", "a101", "０１０１"] {
            assert_eq!(digit_gram_of(k), None, "{k}");
        }
    }

    #[test]
    fn name_grams_are_every_one_and_two_character_piece_once() {
        assert_eq!(name_grams("欧阳娜娜"), ["欧", "阳", "娜", "欧阳", "阳娜", "娜娜"]);
        assert_eq!(name_grams("李晓东"), ["李", "晓", "东", "李晓", "晓东"]);
        assert_eq!(name_grams("王"), ["王"]);
        assert!(name_grams("  ").is_empty());
    }

    #[test]
    fn name_grams_are_normalised_like_keywords() {
        // Full-width letters become half-width and lower case, as a keyword does.
        assert_eq!(name_grams("ＡＢ"), ["a", "b", "ab"]);
        // No piece spans a space: a trimmed keyword could never match it.
        assert_eq!(name_grams("Li　Na"), ["l", "i", "n", "a", "li", "na"]);
        for g in name_grams("Éowyn İz 王") {
            assert!(g.chars().count() <= GRAM_MAX, "{g} fits the column");
        }
    }
}
