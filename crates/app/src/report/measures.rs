//! Service measures of work orders (SLA-3, RPT-3) per project, category,
//! engineer or month, with a total row; and this month's figures for the
//! workbench (RPT-1). The definitions are in `domain::workorder::measures`.
//!
//! Built for a million orders. By project or month (the workbench's card,
//! the group's report), the figures are the tallies the order writes keep
//! per project and month (`workorder::tally`): a row per project and month
//! of the period, plus the one figure that changes with the clock alone,
//! the open orders past their due time, read from the index on `next_due`.
//! By category or engineer, or filtered by them, one query sums the same
//! tallies from the orders in the database, grouped by the report's key,
//! over an indexed range (`company_id` of the caller's companies,
//! `created_at` of the period: `ix_work_orders_company_id_created_at`), and
//! returns a row per group, not per order. Every tally is a count or a sum
//! that SQLite and PostgreSQL compute alike (the handling time is stored per
//! order for it: `handling_seconds`). Month boundaries are in the company's
//! time zone, computed here and given to the query as instants.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, Months, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use domain::{
    org::OrgUnitKind,
    workorder::{
        measures::{month_code, parse_month, Measures, Rate},
        WorkOrderState,
    },
    FieldErrors,
};
use sea_orm::{
    sea_query::{Alias, CaseStatement, Expr, SimpleExpr},
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, FromQueryResult, QueryFilter, QueryResult, QuerySelect, QueryTrait, Select,
};
use serde::{Deserialize, Serialize};

use crate::{
    db::labels_by_id,
    entity::{org_unit, project, user, work_order, work_order_tally},
    workorder::tally::{self, how_many},
    AppError, AppResult, Caller, Db,
};

/// The longest period of one report, in months.
pub const MAX_MONTHS: u32 = 12;

/// What the rows of a report are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum GroupBy {
    #[default]
    Project,
    Category,
    Engineer,
    Month,
}

impl GroupBy {
    pub const ALL: [GroupBy; 4] = [Self::Project, Self::Category, Self::Engineer, Self::Month];

    pub fn code(self) -> &'static str {
        match self {
            Self::Project => "project",
            Self::Category => "category",
            Self::Engineer => "engineer",
            Self::Month => "month",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|g| g.code() == code)
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Project => "项目",
            Self::Category => "服务类别",
            Self::Engineer => "处理人",
            Self::Month => "月份",
        }
    }
}

/// The filters of a report; months as `2026-11`, empty for this month.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct MeasureFilter {
    #[serde(default)]
    pub from_month: String,
    #[serde(default)]
    pub to_month: String,
    #[serde(default)]
    pub project_id: Option<i32>,
    #[serde(default)]
    pub category: Option<String>,
    /// The engineer the orders are assigned to.
    #[serde(default)]
    pub engineer_id: Option<i32>,
}

/// A rate as numerator, denominator and its text (`93.5%`, `—` without a denominator).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct RateView {
    pub numerator: u64,
    pub denominator: u64,
    pub text: String,
}

impl From<Rate> for RateView {
    fn from(r: Rate) -> Self {
        Self { numerator: r.numerator, denominator: r.denominator, text: r.text() }
    }
}

/// The measures of one group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct MeasuresView {
    /// 工单数: orders created in the period, not voided.
    pub orders: u64,
    /// 已完工: orders with a completion time.
    pub completed: u64,
    /// 超时: completed after the due time, or open past it.
    pub overdue: u64,
    /// 及时率
    pub timeliness: RateView,
    /// 一次修复率
    pub first_time_fix: RateView,
    /// Total handling time (completed − created) of the completed orders, in seconds.
    pub handling_seconds: i64,
    /// 平均处理时长 in hours with one decimal (`12.5`), `—` without completed orders.
    pub average_handling_hours: String,
    /// 回访率
    pub return_visit: RateView,
    /// 满意率
    pub satisfaction: RateView,
}

impl From<&Measures> for MeasuresView {
    fn from(m: &Measures) -> Self {
        Self {
            orders: m.orders,
            completed: m.completed,
            overdue: m.overdue(),
            timeliness: m.timeliness.into(),
            first_time_fix: m.first_time_fix.into(),
            handling_seconds: m.handling_seconds,
            average_handling_hours: m.average_handling_text(),
            return_visit: m.return_visit.into(),
            satisfaction: m.satisfaction.into(),
        }
    }
}

/// One row of the report: a project id, category, engineer id or month
/// as `key`, its name as `label`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct MeasureRow {
    pub key: String,
    pub label: String,
    pub measures: MeasuresView,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MeasureReport {
    pub group_by: &'static str,
    /// First and last month of the period, `2026-11`.
    pub from: String,
    pub to: String,
    pub rows: Vec<MeasureRow>,
    /// 合计 of every row.
    pub total: MeasureRow,
}

/// The label of the orders that nobody was assigned to yet.
const UNASSIGNED: &str = "未派工";

/// The months of a report and their instants in UTC.
struct Period {
    first: NaiveDate,
    last: NaiveDate,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
}

impl Period {
    fn months(&self) -> impl Iterator<Item = NaiveDate> {
        months(self.first, self.last)
    }
}

/// The first days of the months from `first`'s to `last`'s.
fn months(first: NaiveDate, last: NaiveDate) -> impl Iterator<Item = NaiveDate> {
    let first = first.with_day0(0).expect("first day");
    (0..).map_while(move |i| first.checked_add_months(Months::new(i)).filter(|m| *m <= last))
}

/// The first instant of a local day; where a clock change skips midnight
/// (not in China), the day starts at its first hour that exists.
fn start_of(tz: Tz, day: NaiveDate) -> DateTime<Utc> {
    (0..24)
        .find_map(|h| tz.from_local_datetime(&day.and_hms_opt(h, 0, 0)?).earliest())
        .map_or_else(|| day.and_time(chrono::NaiveTime::MIN).and_utc(), |t| t.with_timezone(&Utc))
}

fn this_month_of(tz: Tz, now: DateTime<Utc>) -> NaiveDate {
    let today = now.with_timezone(&tz).date_naive();
    today.with_day0(0).expect("first day")
}

/// Reads the months of the filter; empty months are the current one.
fn period(tz: Tz, f: &MeasureFilter, now: DateTime<Utc>) -> AppResult<Period> {
    let mut errors = FieldErrors::new();
    let mut month = |field: &str, label: &str, text: &str| match text.trim() {
        "" => Some(this_month_of(tz, now)),
        t => parse_month(t).or_else(|| {
            errors.add(field, format!("{label}格式应为 2026-11"));
            None
        }),
    };
    let first = month("from", "起始月份", &f.from_month);
    let last = month("to", "结束月份", &f.to_month);
    if let (Some(a), Some(b)) = (first, last) {
        if b < a {
            errors.add("to", "结束月份不能早于起始月份");
        } else if b > a.checked_add_months(Months::new(MAX_MONTHS - 1)).unwrap_or(b) {
            errors.add("to", format!("统计区间最长 {MAX_MONTHS} 个月"));
        }
    }
    errors.into_result()?;
    let (first, last) = (first.expect("checked"), last.expect("checked"));
    let after = last.checked_add_months(Months::new(1)).ok_or_else(|| AppError::field("to", "结束月份超出范围"))?;
    Ok(Period { first, last, start: start_of(tz, first), end: start_of(tz, after) })
}

/// The companies whose orders the caller may see. Every order belongs to
/// its project's company, so this never narrows the project scope; it lets
/// the query use the index on (company_id, created_at).
async fn companies(db: &Db, caller: &Caller) -> AppResult<Vec<i32>> {
    if !caller.is_superuser() {
        return Ok(caller.scope.companies.iter().copied().collect());
    }
    Ok(org_unit::Entity::find()
        .select_only()
        .column(org_unit::Column::Id)
        .filter(org_unit::Column::Kind.eq(OrgUnitKind::Company.code()))
        .into_tuple()
        .all(&db.conn)
        .await?)
}

/// A project or engineer named in the filter must be in the caller's scope.
async fn check_scope(db: &Db, caller: &Caller, f: &MeasureFilter) -> AppResult<()> {
    if f.project_id.is_some_and(|p| !caller.scope.sees_project(p)) {
        return Err(AppError::NotFound);
    }
    if let Some(e) = f.engineer_id {
        user::Entity::find_by_id(e)
            .select_only()
            .column(user::Column::Id)
            .filter(caller.units_condition(user::Column::OrgUnitId))
            .into_tuple::<i32>()
            .one(&db.conn)
            .await?
            .ok_or(AppError::NotFound)?;
    }
    Ok(())
}

/// The tallies of one group as the database sums them (see
/// `domain::workorder::measures` for what each counts).
#[derive(Debug, Default, FromQueryResult)]
struct Tally {
    orders: i64,
    completed: i64,
    on_time: i64,
    open_late: i64,
    first_time: i64,
    completed_visited: i64,
    visited: i64,
    satisfied: i64,
    handling_seconds: i64,
}

impl Tally {
    fn add_kept(&mut self, t: &work_order_tally::Model) {
        self.orders += t.orders;
        self.completed += t.completed;
        self.on_time += t.on_time;
        self.first_time += t.first_time;
        self.completed_visited += t.completed_visited;
        self.visited += t.visited;
        self.satisfied += t.satisfied;
        self.handling_seconds += t.handling_seconds;
    }
}

impl From<Tally> for Measures {
    fn from(t: Tally) -> Self {
        let n = |v: i64| u64::try_from(v).unwrap_or_default();
        let rate = |numerator: i64, denominator: i64| Rate { numerator: n(numerator), denominator: n(denominator) };
        Measures {
            orders: n(t.orders),
            completed: n(t.completed),
            timeliness: rate(t.on_time, t.completed + t.open_late),
            first_time_fix: rate(t.first_time, t.completed),
            handling_seconds: t.handling_seconds,
            return_visit: rate(t.completed_visited, t.completed),
            satisfaction: rate(t.satisfied, t.visited),
        }
    }
}

/// The tallies of the SLA-3 definitions, one column each, as of `now` (an
/// open order is late once its completion due time has passed).
fn tally_columns(select: Select<work_order::Entity>, now: DateTime<Utc>) -> Select<work_order::Entity> {
    use work_order::Column as C;
    tally::sums(select).expr_as(how_many(Condition::all().add(C::CompletedAt.is_null()).add(C::CompleteDue.lt(now))), "open_late")
}

/// The orders of the base: created in the period, not voided, in scope and
/// matching the filters. The company condition lets the query read the
/// index on (company_id, created_at) of the period.
async fn base(db: &Db, caller: &Caller, p: &Period, f: &MeasureFilter) -> AppResult<Condition> {
    use work_order::Column as C;
    let mut cond = Condition::all()
        .add(C::CompanyId.is_in(companies(db, caller).await?))
        .add(C::CreatedAt.gte(p.start))
        .add(C::CreatedAt.lt(p.end))
        .add(C::State.ne(WorkOrderState::Voided.code()))
        .add(caller.projects_condition(C::ProjectId));
    if let Some(id) = f.project_id {
        cond = cond.add(C::ProjectId.eq(id));
    }
    if let Some(c) = f.category.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
        cond = cond.add(C::Category.eq(c));
    }
    if let Some(e) = f.engineer_id {
        cond = cond.add(C::AssigneeId.eq(e));
    }
    Ok(cond)
}

/// The name of the grouping column in the report's query.
const GROUP_KEY: &str = "group_key";

/// What the rows are grouped by: a column, or for months the month of
/// `created_at` (its local boundaries are computed here, as instants).
fn group_key(group_by: GroupBy, tz: Tz, p: &Period) -> SimpleExpr {
    use work_order::Column as C;
    match group_by {
        GroupBy::Project => Expr::col(C::ProjectId).into(),
        GroupBy::Category => Expr::col(C::Category).into(),
        GroupBy::Engineer => Expr::col(C::AssigneeId).into(),
        GroupBy::Month => month_of_creation(tz, p.first, p.last),
    }
}

/// The local month (`2026-11`) an order was created in, for orders created
/// in the months of `first` to `last`, as a `CASE` of the months' boundaries.
pub(crate) fn month_of_creation(tz: Tz, first: NaiveDate, last: NaiveDate) -> SimpleExpr {
    let mut case = CaseStatement::new();
    for m in months(first, last) {
        let next = m.checked_add_months(Months::new(1)).expect("a month of the period");
        case = case.case(work_order::Column::CreatedAt.lt(start_of(tz, next)), month_code(m));
    }
    case.into()
}

/// Reads a row's group: an id (project, engineer; none for the orders
/// nobody was assigned to) or a text (category, month).
fn key_of(group_by: GroupBy, row: &QueryResult) -> AppResult<Key> {
    Ok(match group_by {
        GroupBy::Project | GroupBy::Engineer => Key::Id(row.try_get("", GROUP_KEY)?),
        GroupBy::Category | GroupBy::Month => Key::Text(row.try_get("", GROUP_KEY)?),
    })
}

/// What a row groups by; the order of the keys is the order of the rows
/// for months and categories.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Key {
    Id(Option<i32>),
    Text(String),
}

impl Key {
    fn code(&self) -> String {
        match self {
            Key::Id(Some(id)) => id.to_string(),
            Key::Id(None) => String::new(),
            Key::Text(t) => t.clone(),
        }
    }
}

/// The names of the rows' projects or engineers, one query each.
async fn labels(db: &Db, group_by: GroupBy, keys: &[&Key]) -> AppResult<BTreeMap<i32, String>> {
    let ids = keys.iter().filter_map(|k| match k {
        Key::Id(id) => *id,
        Key::Text(_) => None,
    });
    match group_by {
        GroupBy::Project => labels_by_id::<project::Entity>(&db.conn, project::Column::Id, project::Column::Name, ids).await,
        GroupBy::Engineer => labels_by_id::<user::Entity>(&db.conn, user::Column::Id, user::Column::DisplayName, ids).await,
        GroupBy::Category | GroupBy::Month => Ok(BTreeMap::new()),
    }
}

/// The service measures (SLA-3) of the caller's orders in the filter's
/// period, one row per project, category, engineer or month, plus the
/// total. Months of the period without orders are rows too, so a trend has
/// no gaps. Needs `report.view`; a project or engineer outside the caller's
/// scope is not found.
pub async fn measures(db: &Db, caller: &Caller, tz: Tz, filter: &MeasureFilter, group_by: GroupBy) -> AppResult<MeasureReport> {
    caller.require("report.view")?;
    let now = Utc::now();
    let period = period(tz, filter, now)?;
    check_scope(db, caller, filter).await?;
    let mut groups: BTreeMap<Key, Measures> = BTreeMap::new();
    if group_by == GroupBy::Month {
        for m in period.months() {
            groups.insert(Key::Text(month_code(m)), Measures::default());
        }
    }
    let mut total = Measures::default();
    for (key, t) in group_tallies(db, caller, tz, now, &period, filter, group_by).await? {
        let m = Measures::from(t);
        total.merge(&m);
        groups.insert(key, m);
    }
    let names = labels(db, group_by, &groups.keys().collect::<Vec<_>>()).await?;
    let label = |k: &Key| match k {
        Key::Id(Some(id)) => names.get(id).cloned().unwrap_or_default(),
        Key::Id(None) => UNASSIGNED.to_string(),
        Key::Text(t) => t.clone(),
    };
    let mut rows: Vec<MeasureRow> = groups.iter().map(|(k, m)| MeasureRow { key: k.code(), label: label(k), measures: m.into() }).collect();
    if matches!(group_by, GroupBy::Project | GroupBy::Engineer) {
        // By name; the orders nobody was assigned to come last.
        rows.sort_by(|a, b| (a.key.is_empty(), &a.label).cmp(&(b.key.is_empty(), &b.label)));
    }
    Ok(MeasureReport {
        group_by: group_by.code(),
        from: month_code(period.first),
        to: month_code(period.last),
        rows,
        total: MeasureRow { key: "total".into(), label: "合计".into(), measures: (&total).into() },
    })
}

/// The tallies of a report's groups. By project or month, with no filter
/// but the project, they are the kept tallies of the period's months (see
/// `workorder::tally`) and the open orders past due; otherwise the database
/// sums them from the period's orders.
async fn group_tallies(
    db: &Db,
    caller: &Caller,
    tz: Tz,
    now: DateTime<Utc>,
    period: &Period,
    filter: &MeasureFilter,
    group_by: GroupBy,
) -> AppResult<Vec<(Key, Tally)>> {
    let kept = matches!(group_by, GroupBy::Project | GroupBy::Month)
        && filter.category.as_deref().is_none_or(|c| c.trim().is_empty())
        && filter.engineer_id.is_none();
    if kept {
        return kept_tallies(db, caller, tz, now, period, filter.project_id, group_by).await;
    }
    let select = work_order::Entity::find().select_only().expr_as(group_key(group_by, tz, period), GROUP_KEY);
    let select = tally_columns(select, now).filter(base(db, caller, period, filter).await?).group_by(Expr::col(Alias::new(GROUP_KEY)));
    let rows = db.conn.query_all(select.build(db.conn.get_database_backend())).await?;
    rows.iter().map(|row| Ok((key_of(group_by, row)?, Tally::from_query_result(row, "")?))).collect()
}

/// The kept tallies of the period's months, by project or month, with the
/// open orders past due of the period added.
async fn kept_tallies(
    db: &Db,
    caller: &Caller,
    tz: Tz,
    now: DateTime<Utc>,
    period: &Period,
    project: Option<i32>,
    group_by: GroupBy,
) -> AppResult<Vec<(Key, Tally)>> {
    let key = |project: i32, month: String| if group_by == GroupBy::Project { Key::Id(Some(project)) } else { Key::Text(month) };
    let mut groups: BTreeMap<Key, Tally> = BTreeMap::new();
    for t in tally::kept(db, caller, &month_code(period.first), &month_code(period.last), project).await? {
        groups.entry(key(t.project_id, t.month.clone())).or_default().add_kept(&t);
    }
    for (project, created) in open_late(db, caller, now, period, project).await? {
        groups.entry(key(project, tally::month_of(tz, created))).or_default().open_late += 1;
    }
    // A project whose orders were all voided keeps a row of zeros.
    Ok(groups.into_iter().filter(|(_, t)| t.orders > 0).collect())
}

/// The project and creation time of the caller's orders created in the
/// period that are open past their completion due time. Read from the index
/// on `next_due` (an open order past its completion due time is past its
/// next due time): there are few of them, and the period's orders are many.
async fn open_late(db: &Db, caller: &Caller, now: DateTime<Utc>, p: &Period, project: Option<i32>) -> AppResult<Vec<(i32, DateTime<Utc>)>> {
    use work_order::Column as C;
    let mut q = work_order::Entity::find()
        .select_only()
        .columns([C::ProjectId, C::CreatedAt])
        .filter(C::NextDue.lt(now))
        .filter(C::CompletedAt.is_null())
        .filter(C::CompleteDue.lt(now))
        .filter(C::State.ne(WorkOrderState::Voided.code()))
        .filter(caller.projects_condition(C::ProjectId));
    if let Some(id) = project {
        q = q.filter(C::ProjectId.eq(id));
    }
    let late: Vec<(i32, DateTime<Utc>)> = q.into_tuple().all(&db.conn).await?;
    Ok(late.into_iter().filter(|(_, created)| (p.start..p.end).contains(created)).collect())
}

/// This month's measures of every order in the caller's scope, for the
/// workbench card.
pub async fn this_month(db: &Db, caller: &Caller, tz: Tz) -> AppResult<MeasuresView> {
    caller.require("report.view")?;
    let now = Utc::now();
    let period = period(tz, &MeasureFilter::default(), now)?;
    let mut month = Measures::default();
    for (_, t) in kept_tallies(db, caller, tz, now, &period, None, GroupBy::Month).await? {
        month.merge(&Measures::from(t));
    }
    Ok((&month).into())
}

/// The people orders can be assigned to, for the report's 处理人 filter:
/// enabled users of the caller's units, by name.
pub async fn engineers(db: &Db, caller: &Caller) -> AppResult<Vec<(i32, String)>> {
    caller.require("report.view")?;
    crate::workorder::staff(db, caller).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filter(from: &str, to: &str) -> MeasureFilter {
        MeasureFilter { from_month: from.into(), to_month: to.into(), ..Default::default() }
    }

    #[test]
    fn a_month_is_its_local_days() {
        let tz = chrono_tz::Asia::Shanghai;
        let now = Utc.with_ymd_and_hms(2026, 11, 30, 16, 30, 0).unwrap();
        let p = period(tz, &filter("", ""), now).unwrap();
        assert_eq!((month_code(p.first), month_code(p.last)), ("2026-12".into(), "2026-12".into()), "00:30 on Dec 1st in Shanghai");
        let p = period(tz, &filter("2026-11", "2027-01"), now).unwrap();
        assert_eq!(p.start, Utc.with_ymd_and_hms(2026, 10, 31, 16, 0, 0).unwrap());
        assert_eq!(p.end, Utc.with_ymd_and_hms(2027, 1, 31, 16, 0, 0).unwrap());
        assert_eq!(p.months().map(month_code).collect::<Vec<_>>(), ["2026-11", "2026-12", "2027-01"]);
    }

    #[test]
    fn bad_periods_are_refused_beside_the_field() {
        let tz = chrono_tz::Asia::Shanghai;
        let now = Utc::now();
        let errors = |f: MeasureFilter| match period(tz, &f, now) {
            Err(AppError::Validation(e)) => e.iter().map(|(k, v)| format!("{k}:{v}")).collect::<Vec<_>>(),
            _ => vec![],
        };
        assert_eq!(errors(filter("2026-13", "x")), ["from:起始月份格式应为 2026-11", "to:结束月份格式应为 2026-11"]);
        assert_eq!(errors(filter("2026-11", "2026-10")), ["to:结束月份不能早于起始月份"]);
        assert_eq!(errors(filter("2026-01", "2027-01")), ["to:统计区间最长 12 个月"]);
        assert!(errors(filter("2026-01", "2026-12")).is_empty());
    }
}
