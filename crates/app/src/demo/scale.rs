//! `guanjia gen-data`: a whole property group at the size the benchmarks
//! need, deterministic for a seed. Everything goes through the app's own
//! use cases: the org tree, projects, roles and logins through the same
//! functions as the pages; rooms and customers (with their occupancy
//! history) through the Excel import, every row validated; past work orders
//! and return visits through `workorder::history`.

use std::time::{Duration, Instant};

use chrono::NaiveDate;
use chrono_tz::Tz;
use domain::org::OrgUnitKind;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

use super::{agent_permissions, create_login, create_root, engineer_permissions, is_empty, unit_input, DEMO_PASSWORD};
use crate::{
    customer,
    entity::{self, project as projects},
    import::{ImportMode, Progress, SheetRow},
    org::{
        self,
        role::{self, RoleInput},
        unit,
        user::UserInput,
    },
    property::{self, project::ProjectInput},
    synth::Rng,
    workorder::history::{self, Plan},
    AppError, AppResult, Caller, Db,
};

/// How big a group to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scale {
    /// A few thousand rooms, for tests and CI.
    S,
    /// A large group: 200,000 rooms, 250,000 customers, 1,000,000 orders.
    L,
}

/// The shape of the group at a scale.
#[derive(Debug, Clone, Copy)]
pub struct Size {
    pub companies: usize,
    pub offices_per_company: usize,
    pub projects_per_office: usize,
    pub buildings_per_project: usize,
    /// Floors of every building; each floor has 2 units × 2 rooms.
    pub floors: usize,
    pub work_orders: usize,
    /// Days of work-order history, ending today.
    pub history_days: i64,
}

impl Scale {
    pub fn from_code(code: &str) -> Option<Self> {
        match code {
            "S" | "s" => Some(Scale::S),
            "L" | "l" => Some(Scale::L),
            _ => None,
        }
    }

    pub fn size(self) -> Size {
        match self {
            Scale::S => Size {
                companies: 2,
                offices_per_company: 2,
                projects_per_office: 2,
                buildings_per_project: 5,
                floors: 12,
                work_orders: 10_000,
                history_days: 730,
            },
            Scale::L => Size {
                companies: 5,
                offices_per_company: 10,
                projects_per_office: 4,
                buildings_per_project: 10,
                floors: 25,
                work_orders: 1_000_000,
                history_days: 730,
            },
        }
    }
}

impl Size {
    pub fn rooms_per_project(&self) -> usize {
        self.buildings_per_project * self.floors * UNITS * ROOMS_PER_FLOOR
    }
}

const UNITS: usize = 2;
const ROOMS_PER_FLOOR: usize = 2;
/// Engineers per management office.
const ENGINEERS: usize = 3;
/// How many times the long-history customer's room is among the first
/// office's places: about 300 orders over two years.
const REGULAR_WEIGHT: usize = 52;

/// One step of the run: what, how many, how long.
pub struct Step {
    pub what: &'static str,
    pub count: u64,
    pub took: Duration,
}

/// Cities of the companies, with the district code their residents' ID
/// numbers start with.
const CITIES: &[(&str, &str, &str)] = &[
    ("深圳", "440305", "南山区"),
    ("广州", "440106", "天河区"),
    ("上海", "310104", "徐汇区"),
    ("成都", "510107", "武侯区"),
    ("武汉", "420106", "武昌区"),
];
const PLACE_NAMES: &[&str] = &[
    "翠湖",
    "君林",
    "碧海",
    "云山",
    "锦绣",
    "金域",
    "星河",
    "华润",
    "万科",
    "龙湖",
    "紫荆",
    "桃源",
    "梧桐",
    "香蜜",
    "丽景",
    "春华",
    "滨江",
    "东方",
    "御景",
    "天悦",
    "盛世",
    "海韵",
    "月亮湾",
    "半岛",
    "松湖",
];
const ESTATE_SUFFIXES: &[&str] = &["花园", "华庭", "雅苑", "山庄", "天地", "名邸", "公馆", "豪庭"];

/// A generated project: where it is and its rooms' delivery date.
struct GenProject {
    id: i32,
    code: String,
    office_name: String,
    delivered: NaiveDate,
}

/// An office with its projects and people.
struct GenOffice {
    company_id: i32,
    region: &'static str,
    projects: Vec<GenProject>,
    agent: (i32, String),
    engineers: Vec<(i32, String)>,
}

/// Generates the group into an empty database and reports each step.
/// `log` hears about each step as it finishes, for a long run's console.
pub async fn generate(db: &Db, scale: Scale, seed: u64, tz: Tz, log: &mut dyn FnMut(&Step)) -> AppResult<Vec<Step>> {
    if !is_empty(db).await? {
        return Err(AppError::Conflict("数据库中已有数据；gen-data 只写入空数据库，请换一个数据目录或数据库".into()));
    }
    let size = scale.size();
    let mut rng = Rng(seed);
    let mut steps = Vec::new();
    let mut done = |what, count, started: Instant, steps: &mut Vec<Step>| {
        let step = Step { what, count, took: started.elapsed() };
        log(&step);
        steps.push(step);
    };

    let started = Instant::now();
    let admin = create_root(db, "鼎盛物业集团", DEMO_PASSWORD, false).await?;
    let caller = org::load_caller(db, admin, "127.0.0.1", String::new()).await?;
    let offices = org_tree(db, &caller, &size, &mut rng).await?;
    let logins = 1 + offices.len() * (1 + ENGINEERS);
    done("公司、管理处、项目、角色和账号", logins as u64, started, &mut steps);

    let started = Instant::now();
    let rooms = import_rooms(db, &caller, &size, &offices, &mut rng).await?;
    done("房间（经 Excel 导入校验）", rooms.len() as u64, started, &mut steps);

    let started = Instant::now();
    let customers = import_customers(db, &caller, &offices, &rooms, &mut rng).await?;
    done("客户与入住记录（经 Excel 导入校验）", customers as u64, started, &mut steps);

    let started = Instant::now();
    let orders = work_orders(db, &caller, tz, &size, &offices, seed).await?;
    done("历史工单、处理记录与回访", orders as u64, started, &mut steps);

    let started = Instant::now();
    db.analyze().await?;
    done("更新查询统计信息（ANALYZE）", 0, started, &mut steps);
    Ok(steps)
}

/// The group's companies, offices, projects, roles and logins.
async fn org_tree(db: &Db, caller: &Caller, size: &Size, rng: &mut Rng) -> AppResult<Vec<GenOffice>> {
    let today = crate::clock::today();
    let mut offices = Vec::new();
    let mut project_no = 0;
    for c in 0..size.companies {
        let (city, region, district) = CITIES[c % CITIES.len()];
        let company = unit::create(
            db,
            caller,
            &unit_input(caller.org_unit_id, OrgUnitKind::Company, &format!("{city}鼎盛物业服务有限公司"), &format!("C{}", c + 1)),
        )
        .await?;
        let role = |name: &str, description: &str, permissions| RoleInput {
            org_unit_id: Some(company.id),
            name: name.into(),
            description: description.into(),
            permissions,
        };
        let agent_role = role::create(db, caller, &role("客服专员", "前台与呼叫中心客服", agent_permissions())).await?.id;
        let engineer_role = role::create(db, caller, &role("维修工程师", "接单维修", engineer_permissions())).await?.id;
        for o in 0..size.offices_per_company {
            let office_no = offices.len() + 1;
            let names: Vec<String> = (0..size.projects_per_office).map(|i| estate_name(project_no + i)).collect();
            let office = unit::create(
                db,
                caller,
                &unit_input(company.id, OrgUnitKind::Office, &format!("{}管理处", names[0]), &format!("C{}O{:02}", c + 1, o + 1)),
            )
            .await?;
            let mut projects = Vec::new();
            for name in names {
                project_no += 1;
                let input = ProjectInput {
                    org_unit_id: Some(office.id),
                    code: format!("P{project_no:03}"),
                    name: name.clone(),
                    address: format!("{city}市{district}{}路 {} 号", name.chars().take(2).collect::<String>(), 1 + rng.below(300)),
                    total_area: format!("{}", size.rooms_per_project() * 95),
                    households: Some(size.rooms_per_project() as i32),
                    developer: "鼎盛置业集团".into(),
                };
                let p = property::project::create(db, caller, &input).await?;
                // Delivered three to twelve years ago.
                let delivered = today - chrono::Duration::days(3 * 365 + rng.below(9 * 365) as i64);
                projects.push(GenProject { id: p.id, code: p.code, office_name: office.name.clone(), delivered });
            }
            let project_ids: Vec<i32> = projects.iter().map(|p| p.id).collect();
            let login = |username: String, name: String, role_id: i32, rng: &mut Rng| UserInput {
                username,
                display_name: name,
                phone: rng.phone(),
                org_unit_id: Some(office.id),
                password: DEMO_PASSWORD.into(),
                role_ids: vec![role_id],
                all_projects: false,
                project_ids: project_ids.clone(),
                superuser: false,
            };
            let agent_name = rng.full_name();
            let input = login(format!("agent{office_no:03}"), agent_name.clone(), agent_role, rng);
            let agent = (create_login(db, caller, &input).await?, agent_name);
            let mut engineers = Vec::new();
            for k in 1..=ENGINEERS {
                let name = rng.full_name();
                let input = login(format!("eng{office_no:03}{k}"), name.clone(), engineer_role, rng);
                engineers.push((create_login(db, caller, &input).await?, name));
            }
            offices.push(GenOffice { company_id: company.id, region, projects, agent, engineers });
        }
    }
    Ok(offices)
}

/// The `n`-th estate name: every place name with every suffix once.
fn estate_name(n: usize) -> String {
    let place = PLACE_NAMES[n % PLACE_NAMES.len()];
    let suffix = ESTATE_SUFFIXES[(n / PLACE_NAMES.len()) % ESTATE_SUFFIXES.len()];
    let round = n / (PLACE_NAMES.len() * ESTATE_SUFFIXES.len());
    if round == 0 {
        format!("{place}{suffix}")
    } else {
        format!("{place}{suffix}{}期", round + 1)
    }
}

/// A generated room, for the customer rows that move people into it.
struct GenRoom {
    office: usize,
    project: usize,
    code: String,
}

fn sheet(line: usize, cells: Vec<String>) -> SheetRow {
    SheetRow { line, cells }
}

/// Every project's rooms, one import per company (as a company's data
/// officer would upload them).
async fn import_rooms(db: &Db, caller: &Caller, size: &Size, offices: &[GenOffice], rng: &mut Rng) -> AppResult<Vec<GenRoom>> {
    let layouts = [("89.50", "72.30"), ("118.20", "95.60"), ("68.40", "55.10"), ("143.80", "117.20")];
    let mut all = Vec::new();
    for company in company_slices(offices) {
        let mut rows = Vec::new();
        for (oi, office) in offices.iter().enumerate().filter(|(_, o)| o.company_id == company) {
            for (pi, p) in office.projects.iter().enumerate() {
                for b in 1..=size.buildings_per_project {
                    for unit in 1..=UNITS {
                        for floor in 1..=size.floors {
                            for no in 1..=ROOMS_PER_FLOOR {
                                let code = format!("{}-{b:02}-{unit}-{floor:02}{no:02}", p.code);
                                let (area, inner) = layouts[(no - 1 + 2 * (b % 2)) % layouts.len()];
                                let kind = if floor == 1 && rng.chance(20) { "商铺" } else { "住宅" };
                                let cells = vec![
                                    p.code.clone(),
                                    format!("{b:02}"),
                                    unit.to_string(),
                                    code.clone(),
                                    floor.to_string(),
                                    area.into(),
                                    inner.into(),
                                    kind.into(),
                                    "空置".into(),
                                    p.delivered.to_string(),
                                ];
                                rows.push(sheet(rows.len() + 2, cells));
                                all.push(GenRoom { office: oi, project: pi, code });
                            }
                        }
                    }
                }
            }
        }
        let outcome = property::import::import(db, caller, ImportMode::AllOrNothing, rows, &Progress::untracked(db)).await?;
        refuse_errors("房间", &outcome)?;
    }
    Ok(all)
}

/// The distinct company ids of the offices, in order.
fn company_slices(offices: &[GenOffice]) -> Vec<i32> {
    let mut ids: Vec<i32> = offices.iter().map(|o| o.company_id).collect();
    ids.dedup();
    ids
}

/// A generator bug shows up as refused rows; stop rather than go on with a
/// smaller group than asked for.
fn refuse_errors(what: &str, outcome: &crate::import::Outcome) -> AppResult<()> {
    match outcome.errors.first() {
        None => Ok(()),
        Some(e) => {
            Err(anyhow::anyhow!("生成的{what}数据有 {} 行未通过校验，第 {} 行：{}", outcome.errors.len(), e.row.line, e.reasons.join("；"))
                .into())
        }
    }
}

/// Who lives in a room over the years.
struct Household {
    /// An earlier owner who sold (moved in at `earlier`, ended by the sale).
    previous: Option<NaiveDate>,
    owner: NaiveDate,
    tenant: Option<(NaiveDate, NaiveDate)>,
    resident: bool,
}

/// Five rooms in six are sold and lived in; some were resold, some are let.
fn household(rng: &mut Rng, delivered: NaiveDate, today: NaiveDate) -> Option<Household> {
    if !rng.chance(85) {
        return None;
    }
    let days = |rng: &mut Rng, lo: i64, hi: i64| chrono::Duration::days(lo + rng.below((hi - lo).max(1) as u64) as i64);
    let first = (delivered + days(rng, 0, 400)).min(today);
    let (previous, owner) = if rng.chance(14) {
        let sale = (first + days(rng, 365, 1500)).min(today);
        (Some(first), sale)
    } else {
        (None, first)
    };
    let tenant = rng.chance(20).then(|| {
        let start = (today - days(rng, 0, 900)).max(owner);
        (start, start + chrono::Duration::days(365 * (1 + rng.below(3) as i64)))
    });
    Some(Household { previous, owner, tenant, resident: rng.chance(13) })
}

/// A customer row of the import template (see `customer::import::HEADERS`).
#[allow(clippy::too_many_arguments)]
fn customer_row(
    line: usize,
    project: &GenProject,
    code: String,
    name: String,
    id_number: String,
    phone: String,
    room: &str,
    role: &str,
    start: NaiveDate,
    lease: Option<(NaiveDate, NaiveDate)>,
) -> SheetRow {
    let date = |d: Option<NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
    let cells = vec![
        project.office_name.clone(),
        code,
        name,
        "个人".into(),
        if id_number.is_empty() { String::new() } else { "居民身份证".into() },
        id_number,
        phone,
        String::new(),
        String::new(),
        project.code.clone(),
        room.into(),
        role.into(),
        start.to_string(),
        date(lease.map(|l| l.0)),
        date(lease.map(|l| l.1)),
    ];
    debug_assert_eq!(cells.len(), customer::import::HEADERS.len());
    sheet(line, cells)
}

/// Owners, earlier owners, tenants and residents, imported per company in
/// two passes: the earlier owners first, so the second pass's owners end
/// their occupancy the way a move-in does.
async fn import_customers(db: &Db, caller: &Caller, offices: &[GenOffice], rooms: &[GenRoom], rng: &mut Rng) -> AppResult<usize> {
    let today = crate::clock::today();
    let mut total = 0;
    for company in company_slices(offices) {
        let (mut earlier, mut current) = (Vec::new(), Vec::new());
        for r in rooms.iter().filter(|r| offices[r.office].company_id == company) {
            let office = &offices[r.office];
            let project = &office.projects[r.project];
            let Some(h) = household(rng, project.delivered, today) else { continue };
            let person = |rng: &mut Rng, with_id: bool| {
                (rng.full_name(), if with_id { rng.id_number(office.region) } else { String::new() }, rng.phone())
            };
            if let Some(start) = h.previous {
                let (name, id, phone) = person(rng, true);
                let code = format!("{}-Q", r.code);
                earlier.push(customer_row(earlier.len() + 2, project, code, name, id, phone, &r.code, "业主", start, None));
            }
            let (name, id, phone) = person(rng, true);
            current.push(customer_row(current.len() + 2, project, r.code.clone(), name, id, phone, &r.code, "业主", h.owner, None));
            if let Some(lease) = h.tenant {
                let with_id = rng.chance(60);
                let (name, id, phone) = person(rng, with_id);
                let code = format!("{}-Z", r.code);
                current.push(customer_row(current.len() + 2, project, code, name, id, phone, &r.code, "租户", lease.0, Some(lease)));
            }
            if h.resident {
                let (name, id, phone) = person(rng, false);
                let code = format!("{}-J", r.code);
                current.push(customer_row(current.len() + 2, project, code, name, id, phone, &r.code, "住户", h.owner, None));
            }
        }
        for rows in [earlier, current] {
            let outcome = customer::import::import(db, caller, ImportMode::AllOrNothing, rows, &Progress::untracked(db)).await?;
            refuse_errors("客户", &outcome)?;
            total += outcome.imported;
        }
    }
    Ok(total)
}

/// Two years of orders per office, shared evenly; the first office's first
/// room has a regular caller with a long history (the 360 page benchmark).
///
/// Companies go in two lanes at once, so one lane drafts while the other
/// writes (on PostgreSQL both write). A company's offices stay in one lane,
/// in order, so its order numbers come out the same for a seed.
async fn work_orders(db: &Db, caller: &Caller, tz: Tz, size: &Size, offices: &[GenOffice], seed: u64) -> AppResult<usize> {
    const LANES: usize = 2;
    let today = crate::clock::today();
    let per_office = size.work_orders / offices.len().max(1);
    let companies = company_slices(offices);
    let mut lanes: Vec<Vec<Plan>> = vec![Vec::new(); LANES];
    for (i, office) in offices.iter().enumerate() {
        let ids: Vec<i32> = office.projects.iter().map(|p| p.id).collect();
        let models = projects::Entity::find().filter(projects::Column::Id.is_in(ids)).all(&db.conn).await?;
        let mut places = history::places(db, &models.iter().collect::<Vec<_>>()).await?;
        if i == 0 {
            if let Some(regular) = regular_place(db, &places, &office.projects[0].code).await? {
                places.extend(std::iter::repeat_n(regular, REGULAR_WEIGHT));
            }
        }
        let lane = companies.iter().position(|c| *c == office.company_id).unwrap_or(0) % LANES;
        lanes[lane].push(Plan {
            company_id: office.company_id,
            places,
            agent: office.agent.clone(),
            engineers: office.engineers.clone(),
            from: today - chrono::Duration::days(size.history_days),
            to: today,
            count: per_office,
            seed: seed + i as u64,
        });
    }
    let mut running = tokio::task::JoinSet::new();
    for plans in lanes {
        let (db, caller) = (db.clone(), caller.clone());
        running.spawn(async move {
            let mut written = 0;
            for plan in plans {
                written += history::generate(&db, &caller, tz, &plan).await?;
            }
            Ok::<usize, AppError>(written)
        });
    }
    let mut total = 0;
    while let Some(lane) = running.join_next().await {
        total += lane.map_err(anyhow::Error::from)??;
    }
    Ok(total)
}

/// The owner's place of room `{project}-01-1-0101`.
async fn regular_place(db: &Db, places: &[history::Place], project_code: &str) -> AppResult<Option<history::Place>> {
    let code = format!("{project_code}-01-1-0101");
    let room = entity::room::Entity::find().filter(entity::room::Column::Code.eq(code)).one(&db.conn).await?;
    Ok(room.and_then(|r| places.iter().find(|p| p.room_id == Some(r.id)).cloned()))
}

/// Row counts of the main tables, for the closing summary.
pub async fn counts(db: &Db) -> AppResult<Vec<(&'static str, u64)>> {
    use entity::*;
    Ok(vec![
        ("项目", project::Entity::find().count(&db.conn).await?),
        ("房间", room::Entity::find().count(&db.conn).await?),
        ("客户", customer::Entity::find().count(&db.conn).await?),
        ("入住记录", occupancy::Entity::find().count(&db.conn).await?),
        ("工单", work_order::Entity::find().count(&db.conn).await?),
        ("工单处理记录", work_order_event::Entity::find().count(&db.conn).await?),
        ("回访", return_visit::Entity::find().count(&db.conn).await?),
        ("账号", user::Entity::find().count(&db.conn).await?),
    ])
}
