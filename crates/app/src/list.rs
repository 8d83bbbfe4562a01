//! Paging, sorting and keyword parameters shared by every list.

use std::collections::HashMap;

use futures_util::TryStreamExt;
use sea_orm::{
    sea_query::{ColumnRef, Expr, Order},
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, ModelTrait, PaginatorTrait, QueryFilter, QuerySelect, QueryTrait, Select,
    StreamTrait,
};
use serde::{Deserialize, Serialize};

pub const MAX_PER_PAGE: u64 = 100;
/// Rows an Excel export may hold.
pub const MAX_EXPORT_ROWS: u64 = 100_000;

/// What a list request asks for. `sort` is a column key, optionally prefixed
/// with `-` for descending order.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct PageRequest {
    #[serde(default, deserialize_with = "lenient_number")]
    pub page: Option<u64>,
    #[serde(default, deserialize_with = "lenient_number")]
    pub per_page: Option<u64>,
    #[serde(default)]
    pub q: Option<String>,
    #[serde(default)]
    pub sort: Option<String>,
    /// Set by exports: the page may hold up to `MAX_EXPORT_ROWS` rows.
    #[serde(skip)]
    pub export: bool,
}

/// Query strings carry numbers as text; an empty or garbled value means
/// "not given" rather than a failed request.
fn lenient_number<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    let s: Option<String> = Option::deserialize(d)?;
    Ok(s.and_then(|s| s.trim().parse().ok()))
}

impl PageRequest {
    pub fn page(&self) -> u64 {
        self.page.unwrap_or(1).max(1)
    }

    pub fn per_page(&self) -> u64 {
        let max = if self.export { MAX_EXPORT_ROWS } else { MAX_PER_PAGE };
        self.per_page.unwrap_or(20).clamp(1, max)
    }

    pub fn offset(&self) -> u64 {
        (self.page() - 1) * self.per_page()
    }

    /// The trimmed keyword, if any.
    pub fn keyword(&self) -> Option<String> {
        self.q.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string)
    }

    /// The sort key and whether it is descending; falls back to `default`
    /// when the requested key is not among `allowed`.
    pub fn sort_by<'a>(&'a self, allowed: &[&'a str], default: &'a str) -> (&'a str, bool) {
        let raw = self.sort.as_deref().unwrap_or(default);
        let (key, desc) = raw.strip_prefix('-').map_or((raw, false), |k| (k, true));
        if allowed.contains(&key) {
            (key, desc)
        } else {
            let (k, d) = default.strip_prefix('-').map_or((default, false), |k| (k, true));
            (k, d)
        }
    }

    /// The same request for an export: every matching row, up to
    /// `MAX_EXPORT_ROWS`.
    pub fn for_export(&self) -> Self {
        Self { page: Some(1), per_page: Some(MAX_EXPORT_ROWS), export: true, ..self.clone() }
    }
}

/// Matches a keyword list orders and counts at most (not an export, which
/// takes every match): the newest, by id. A common keyword (王, four digits
/// found in thousands of ID numbers) matches tens of thousands of
/// customers; sorting and counting them all took longer than the search,
/// and nobody pages through them: the list says there are more and asks
/// for a longer keyword.
pub const KEYWORD_MATCHES_LISTED: u64 = 1000;

/// One page of a list, with the total count of matching rows.
#[derive(Debug, Clone, Serialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: u64,
    /// More rows match than `total`: the list holds only the newest
    /// `KEYWORD_MATCHES_LISTED` of a keyword's matches.
    pub capped: bool,
}

impl<T> Page<T> {
    /// A page of a list that holds every match.
    pub fn new(items: Vec<T>, total: u64) -> Self {
        Self { items, total, capped: false }
    }

    /// The page of a list read in parts (see `in_parts`), its parts put together.
    pub fn found(items: Vec<T>, found: Found) -> Self {
        Self { items, total: found.total, capped: found.capped }
    }

    /// A page holding every row there is.
    pub fn all(items: Vec<T>) -> Self {
        let total = items.len() as u64;
        Self::new(items, total)
    }
}

/// How many rows match a list whose rows are handed on in parts: a `Page`
/// without its items.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Found {
    pub total: u64,
    /// More rows match than `total` (see `Page::capped`).
    pub capped: bool,
}

impl Found {
    pub fn total(total: u64) -> Self {
        Self { total, capped: false }
    }
}

/// Rows a list reads by id and makes into views at a time (`in_parts`). An
/// export's page holds up to `MAX_EXPORT_ROWS`; read whole, it held every
/// row, every related row and every view at once (an export of 10,000
/// orders 58 MB of driver rows alone), and a statement reading the related
/// rows of 100,000 ids failed on SQLite, which takes at most 32,766
/// parameters (PostgreSQL 65,535).
pub const PART: usize = 1_000;

/// Hands `each` the views of `ids` `PART` at a time, in their order:
/// `views` reads one part's rows (with `rows_by_id`) and makes them views,
/// and each part is handed on before the next is read.
pub async fn in_parts<T, Er, Fut>(ids: &[i32], mut views: impl FnMut(Vec<i32>) -> Fut, mut each: impl FnMut(Vec<T>)) -> Result<(), Er>
where
    Fut: std::future::Future<Output = Result<Vec<T>, Er>>,
{
    for part in ids.chunks(PART) {
        each(views(part.to_vec()).await?);
    }
    Ok(())
}

/// The ids of the rows of `query` a request's page holds, in its order: a
/// list reads them first, then its rows in parts by id (`in_parts`), and a
/// deep page skips its offset over ids, not whole rows.
pub async fn page_ids<E: EntityTrait>(
    db: &impl ConnectionTrait,
    query: Select<E>,
    id_col: E::Column,
    req: &PageRequest,
) -> Result<Vec<i32>, DbErr> {
    query.select_only().column(id_col).offset(req.offset()).limit(req.per_page()).into_tuple().all(db).await
}

/// The rows of `E` with `ids`, in the order of `ids`, read as a stream (see
/// `page_rows`). A row deleted since its id was read is left out.
pub async fn rows_by_id<E: EntityTrait>(
    db: &(impl ConnectionTrait + StreamTrait),
    id_col: E::Column,
    ids: &[i32],
) -> Result<Vec<E::Model>, DbErr>
where
    E::Model: Send + Sync,
{
    let mut rows: HashMap<i32, E::Model> = HashMap::with_capacity(ids.len());
    let mut read = E::find().filter(id_col.is_in(ids.iter().copied())).stream(db).await?;
    while let Some(model) = read.try_next().await? {
        if let sea_orm::Value::Int(Some(id)) = model.get(id_col) {
            rows.insert(id, model);
        }
    }
    Ok(ids.iter().filter_map(|id| rows.remove(id)).collect())
}

/// Rows by the id of what they belong to (`of`), each group in the rows'
/// order: a view finds its own without looking through every row.
pub fn grouped<T>(rows: Vec<T>, of: impl Fn(&T) -> i32) -> HashMap<i32, Vec<T>> {
    let mut groups: HashMap<i32, Vec<T>> = HashMap::new();
    for row in rows {
        groups.entry(of(&row)).or_default().push(row);
    }
    groups
}

/// The rows of `query` a request's page holds (its offset and limit). Read
/// as a stream, each row turned into its model as it comes: a whole read
/// first holds every row as the driver returned it, each column a value of
/// its own, about 6 KB a work order, and an export of 10,000 orders held
/// 58 MB of them at once.
pub async fn page_rows<E, C>(db: &C, query: Select<E>, req: &PageRequest) -> Result<Vec<E::Model>, DbErr>
where
    E: EntityTrait,
    E::Model: Send + Sync,
    C: ConnectionTrait + StreamTrait,
{
    query.offset(req.offset()).limit(req.per_page()).stream(db).await?.try_collect().await
}

/// Name of the total each row of `page_ids_and_total` carries.
const TOTAL: &str = "list_total";

/// The ids of one page of an ordered query and the number of its matches,
/// from one evaluation: the total rides on every row as `COUNT(*) OVER ()`. For
/// queries whose matches come from a search index (a keyword) — a separate
/// count would run the search and read every matching row a second time.
/// Only a page past the end, which has no row to carry it, counts again.
/// Not for queries a count can answer from an index alone: the window makes
/// the database read every match.
///
/// The window keeps every match until it is counted and the sort keeps
/// every match it orders, so both carry only the id (`id_col`) and the sort
/// keys; the page's own rows are read afterwards by id (`in_parts`). With
/// whole rows a common four digits (6,000 matches) spent longer copying them
/// than searching.
///
/// With `cap`, only the newest `cap` matches are ordered and counted, read
/// down `newest_by` (the id, or a column the query equals to it that an
/// index keeps in order), and the page says whether more match: the search
/// runs once, in the read of those ids, and `order` sorts them alone.
pub async fn page_ids_and_total<E: EntityTrait>(
    db: &impl ConnectionTrait,
    query: Select<E>,
    order: impl Fn(Select<E>) -> Select<E>,
    id_col: E::Column,
    offset: u64,
    limit: u64,
    cap: Option<(u64, ColumnRef)>,
) -> Result<(Vec<i32>, Found), DbErr>
where
    E::Model: Sync,
{
    let newest = |skip: u64, count: u64, by: &ColumnRef| {
        let mut ids = query.clone().select_only().column(id_col).into_query();
        ids.order_by(by.clone(), Order::Desc).offset(skip).limit(count);
        ids
    };
    let listed = match &cap {
        Some((cap, by)) => order(E::find().filter(id_col.in_subquery(newest(0, *cap, by)))),
        None => order(query.clone()),
    };
    let page = listed.clone().select_only().column(id_col).column_as(Expr::cust("COUNT(*) OVER ()"), TOTAL).offset(offset).limit(limit);
    let ids: Vec<(i32, i64)> = page.into_tuple().all(db).await?;
    let total = match ids.first() {
        Some((_, total)) => (*total).try_into().unwrap_or_default(),
        None if offset == 0 => 0,
        None => listed.count(db).await?,
    };
    let capped = match cap {
        // Exactly `cap` listed: one more beyond them says whether they are all.
        Some((cap, by)) if total == cap => db.query_one(db.get_database_backend().build(&newest(cap, 1, &by))).await?.is_some(),
        _ => false,
    };
    Ok((ids.into_iter().map(|(id, _)| id).collect(), Found { total, capped }))
}

/// Escapes `%` and `_` for a `LIKE` pattern (with `\` as the escape
/// character) and wraps it for a substring match.
pub fn like_pattern(keyword: &str) -> String {
    let escaped = keyword.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
    format!("%{escaped}%")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paging_defaults_and_bounds() {
        let r = PageRequest::default();
        assert_eq!((r.page(), r.per_page(), r.offset()), (1, 20, 0));
        let r = PageRequest { page: Some(3), per_page: Some(1000), ..Default::default() };
        assert_eq!((r.per_page(), r.offset()), (100, 200));
    }

    #[test]
    fn sorting_only_allowed_keys() {
        let r = PageRequest { sort: Some("-name".into()), ..Default::default() };
        assert_eq!(r.sort_by(&["name"], "id"), ("name", true));
        assert_eq!(r.sort_by(&["code"], "-id"), ("id", true));
    }

    #[tokio::test]
    async fn parts_are_read_in_order_none_larger_than_a_part() {
        let ids: Vec<i32> = (1..=2_500).rev().collect();
        let (mut read, mut handed) = (Vec::new(), Vec::new());
        let views = |part: Vec<i32>| {
            read.push(part.len());
            async move { Ok::<_, DbErr>(part.into_iter().map(|id| format!("#{id}")).collect()) }
        };
        in_parts(&ids, views, |part: Vec<String>| handed.extend(part)).await.unwrap();
        assert_eq!(read, [PART, PART, 500]);
        assert_eq!(handed, ids.iter().map(|id| format!("#{id}")).collect::<Vec<_>>());

        let failing = |_: Vec<i32>| async { Err::<Vec<String>, _>(DbErr::Custom("lost".into())) };
        let mut after_failure = 0;
        assert!(in_parts(&ids, failing, |_| after_failure += 1).await.is_err());
        assert_eq!(after_failure, 0, "a failed part is not handed on, nor any after it");
    }

    #[test]
    fn rows_are_grouped_by_what_they_belong_to_in_their_order() {
        let phones = vec![(7, "a"), (3, "b"), (7, "c")];
        let groups = grouped(phones, |p| p.0);
        assert_eq!(groups[&7], [(7, "a"), (7, "c")]);
        assert_eq!(groups[&3], [(3, "b")]);
        assert_eq!(groups.len(), 2);
    }

    #[test]
    fn like_escapes() {
        assert_eq!(like_pattern("5%_a"), "%5\\%\\_a%");
    }
}
