//! The operations: what each sample requests, and what is prepared (not
//! measured) before its clients start.

use std::sync::Arc;

use anyhow::{anyhow, Context as _};
use reqwest::Url;

use crate::{
    cli::Args,
    export,
    http::{list_total, Api, Browser},
    runner::{run, Limits, Measured},
    setup::{self, enc, mix, Project, Room, DEEP_PAGE},
};

/// Common full names of two characters: a two-character query is served by
/// `LIKE` rather than the trigram index, which makes it the slow case.
const NAMES: &[&str] = &[
    "王伟", "李娜", "张敏", "刘洋", "陈静", "杨勇", "黄磊", "赵军", "吴艳", "周杰", "徐娟", "孙涛", "马明", "朱超", "胡霞", "郭平", "何刚",
    "林华", "罗文", "高辉", "郑鑫", "梁婷", "谢宇", "宋浩", "唐强", "许芳", "韩丽", "冯静", "邓洋", "曹敏",
];

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// What the run shares: the flags, the API client and the project.
pub struct Context {
    pub args: Args,
    pub base: Url,
    pub api: Api,
    pub project: Project,
}

/// What a sample's number means, for the notes column.
#[derive(Debug, Clone, Copy)]
pub enum Metric {
    /// Matching rows (`total` of a list answer).
    Hits,
    Kilobytes,
}

/// One operation's result.
pub struct Done {
    pub clients: usize,
    pub measured: Measured,
    pub metric: Option<Metric>,
    pub note: String,
}

impl Context {
    fn limits(&self, clients: usize) -> Limits {
        Limits { clients, duration: Some(self.args.duration), max_requests: self.args.max_requests }
    }

    /// `n` browsers, each logged in with its own session (not measured).
    async fn logged_in_browsers(&self, n: usize) -> anyhow::Result<Arc<Vec<Browser>>> {
        let mut all = Vec::with_capacity(n);
        for _ in 0..n {
            let b = Browser::new(&self.base)?;
            b.login(&self.args.user, &self.args.password).await.map_err(|f| anyhow!("browser login as {}: {f}", self.args.user))?;
            all.push(b);
        }
        Ok(Arc::new(all))
    }

    /// Rooms for the creates (one each) and the room searches.
    async fn rooms(&self, want: u64) -> anyhow::Result<Arc<Vec<Room>>> {
        Ok(Arc::new(setup::rooms(&self.api, want, self.args.seed).await?))
    }
}

pub async fn run_operation(name: &str, cx: &Context) -> anyhow::Result<Done> {
    match name {
        "login+workbench" => login_workbench(cx).await,
        "workbench" => workbench(cx).await,
        "search name2" => search(cx, |seq, _| NAMES[seq as usize % NAMES.len()].to_string()).await,
        "search phone4" => search(cx, |seq, seed| format!("{:04}", mix(seed, seq) % 10_000)).await,
        "search room" => search_room(cx).await,
        "customer list" => customer_list(cx).await,
        "customer 360" => customer_360(cx).await,
        "workorder create" => workorder_create(cx).await,
        "workorder list p1" => workorder_list_first(cx).await,
        "workorder list p500" => workorder_list_deep(cx).await,
        "visit queue" => pages(cx, &["/visits/queue", "/visits/queue?page=100"]).await,
        "visit list" => pages(cx, &["/visits", "/visits?page=500"]).await,
        "room customers" => pages(cx, &["/occupancy/rooms", "/occupancy/rooms?page=500"]).await,
        "measures project-month" => measures(cx, Some(cx.project.clone())).await,
        "measures group-month" => measures(cx, None).await,
        "export 10k orders" => export_orders(cx).await,
        other => Err(anyhow!("unknown operation {other}")),
    }
}

/// A new browser's whole sign-in: login form, POST, workbench.
async fn login_workbench(cx: &Context) -> anyhow::Result<Done> {
    let clients = cx.args.clients;
    let browsers: Arc<Vec<Browser>> = Arc::new((0..clients).map(|_| Browser::new(&cx.base)).collect::<Result<_, _>>()?);
    let (user, password) = (Arc::new(cx.args.user.clone()), Arc::new(cx.args.password.clone()));
    let measured = run(cx.limits(clients), move |c, _| {
        let (b, user, password) = (browsers[c].clone(), user.clone(), password.clone());
        async move {
            b.login(&user, &password).await?;
            b.page("/").await.map(|_| 0)
        }
    })
    .await;
    Ok(Done { clients, measured, metric: None, note: "GET /login, POST /login (303 to /), GET / — one sample".into() })
}

async fn workbench(cx: &Context) -> anyhow::Result<Done> {
    let clients = cx.args.clients;
    let browsers = cx.logged_in_browsers(clients).await?;
    let measured = run(cx.limits(clients), move |c, _| {
        let b = browsers[c].clone();
        async move { b.page("/").await.map(|body| body.len() as u64) }
    })
    .await;
    Ok(Done { clients, measured, metric: Some(Metric::Kilobytes), note: "GET / with a logged-in session".into() })
}

/// `GET /api/v1/customers?q=…` with the query of each sample.
async fn search(cx: &Context, query: fn(u64, u64) -> String) -> anyhow::Result<Done> {
    let (clients, api, seed) = (cx.args.clients, cx.api.clone(), cx.args.seed);
    let measured = run(cx.limits(clients), move |_, seq| {
        let (api, q) = (api.clone(), query(seq, seed));
        async move { hits(&api.get(&format!("/api/v1/customers?q={}", enc(&q))).await?) }
    })
    .await;
    let example = (0..3).map(|i| query(i, seed)).collect::<Vec<_>>().join(", ");
    Ok(Done { clients, measured, metric: Some(Metric::Hits), note: format!("q = {example}, …") })
}

fn hits(body: &[u8]) -> Result<u64, String> {
    list_total(body).ok_or_else(|| "answer without total".to_string())
}

async fn search_room(cx: &Context) -> anyhow::Result<Done> {
    let (clients, api) = (cx.args.clients, cx.api.clone());
    let rooms = cx.rooms(cx.args.max_requests.min(5_000)).await?;
    let note = format!("q = room codes ({} rooms from every project, e.g. {})", rooms.len(), rooms[0].code);
    let measured = run(cx.limits(clients), move |_, seq| {
        let (api, code) = (api.clone(), rooms[seq as usize % rooms.len()].code.clone());
        async move { hits(&api.get(&format!("/api/v1/customers?q={}", enc(&code))).await?) }
    })
    .await;
    Ok(Done { clients, measured, metric: Some(Metric::Hits), note })
}

/// The customer list as it opens, without a keyword: page 1 and a page deep
/// in, in each of its sort orders in turn.
async fn customer_list(cx: &Context) -> anyhow::Result<Done> {
    const ASKED: &[&str] = &["", "sort=-code", "sort=name", "sort=-created_at", "page=500"];
    let (clients, api) = (cx.args.clients, cx.api.clone());
    let measured = run(cx.limits(clients), move |_, seq| {
        let (api, query) = (api.clone(), ASKED[seq as usize % ASKED.len()]);
        async move { hits(&api.get(&format!("/api/v1/customers?{query}")).await?) }
    })
    .await;
    let note = format!(
        "GET /api/v1/customers?… with, in turn: {}",
        ASKED.iter().map(|q| if q.is_empty() { "(nothing)" } else { q }).collect::<Vec<_>>().join(", ")
    );
    Ok(Done { clients, measured, metric: Some(Metric::Hits), note })
}

/// A list page as the staff open it, the first page and a deep one in turn.
async fn pages(cx: &Context, paths: &'static [&'static str]) -> anyhow::Result<Done> {
    let clients = cx.args.clients;
    let browsers = cx.logged_in_browsers(clients).await?;
    let measured = run(cx.limits(clients), move |c, seq| {
        let (b, path) = (browsers[c].clone(), paths[seq as usize % paths.len()]);
        async move { b.page(path).await.map(|body| body.len() as u64) }
    })
    .await;
    Ok(Done { clients, measured, metric: Some(Metric::Kilobytes), note: format!("GET {} in turn", paths.join(", ")) })
}

async fn customer_360(cx: &Context) -> anyhow::Result<Done> {
    let clients = cx.args.clients;
    let (id, who) = setup::customer_360(&cx.api, &cx.args).await?;
    let browsers = cx.logged_in_browsers(clients).await?;
    let path = Arc::new(format!("/customers/{id}"));
    let measured = run(cx.limits(clients), move |c, _| {
        let (b, path) = (browsers[c].clone(), path.clone());
        async move { b.page(&path).await.map(|body| body.len() as u64) }
    })
    .await;
    Ok(Done { clients, measured, metric: Some(Metric::Kilobytes), note: format!("GET /customers/{id}: {who}") })
}

/// `POST /api/v1/work-orders`, every create on another room. A one-time
/// request token per create, as the form sends, unique to this run so that
/// a reused database cannot answer an old order.
async fn workorder_create(cx: &Context) -> anyhow::Result<Done> {
    let clients = cx.args.create_clients;
    let rooms = cx.rooms(cx.args.max_requests).await?;
    let mut limits = cx.limits(clients);
    limits.max_requests = limits.max_requests.min(rooms.len() as u64);
    let run_id = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH)?.as_millis();
    let (api, category) = (cx.api.clone(), Arc::new(cx.args.category.clone()));
    let n_rooms = rooms.len();
    let measured = run(limits, move |_, seq| {
        let room = rooms[seq as usize].id;
        let body = serde_json::json!({
            "room_id": room, "category": *category, "kind": "internal", "priority": "normal", "channel": "电话",
            "description": "压测：卫生间水龙头漏水，请尽快上门查看", "request_token": format!("bench-{run_id}-{seq}"),
        });
        let api = api.clone();
        async move { api.post("/api/v1/work-orders", &body).await.map(|_| 0) }
    })
    .await;
    let note = format!("category {}, internal, normal, 电话; one room each ({n_rooms} rooms ready)", cx.args.category);
    Ok(Done { clients, measured, metric: None, note })
}

async fn workorder_list_first(cx: &Context) -> anyhow::Result<Done> {
    let (clients, api, project) = (cx.args.clients, cx.api.clone(), cx.project.id);
    let states = setup::state_codes();
    let n = states.len();
    let measured = run(cx.limits(clients), move |_, seq| {
        let (api, state) = (api.clone(), states[seq as usize % n]);
        async move { hits(&api.get(&format!("/api/v1/work-orders?state={state}&project_id={project}&page=1")).await?) }
    })
    .await;
    let note = format!("project {}, page 1 (20 per page), the {n} states in turn", cx.project.code);
    Ok(Done { clients, measured, metric: Some(Metric::Hits), note })
}

async fn workorder_list_deep(cx: &Context) -> anyhow::Result<Done> {
    let (clients, api, project) = (cx.args.clients, cx.api.clone(), cx.project.id);
    let deep = setup::deep_list(&cx.api, &cx.project).await?.map_err(|why| anyhow!(why))?;
    let states: Vec<&str> = deep.states.iter().map(|(s, _)| *s).collect();
    let per_page = deep.per_page;
    let measured = run(cx.limits(clients), move |_, seq| {
        let (api, state) = (api.clone(), states[seq as usize % states.len()]);
        async move {
            let body =
                api.get(&format!("/api/v1/work-orders?state={state}&project_id={project}&page={DEEP_PAGE}&per_page={per_page}")).await?;
            // The page was chosen to exist: an empty one means the plan is wrong.
            if contains(&body, b"\"items\":[]") {
                return Err(format!("page {DEEP_PAGE} empty"));
            }
            hits(&body)
        }
    })
    .await;
    let states: Vec<String> = deep.states.iter().map(|(s, n)| format!("{s} ({n})")).collect();
    let note = format!("project {}, page {DEEP_PAGE} ({per_page} per page), states {}", cx.project.code, states.join(", "));
    Ok(Done { clients, measured, metric: Some(Metric::Hits), note })
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// The service measures of the previous month, of one project or of the
/// whole group.
async fn measures(cx: &Context, project: Option<Project>) -> anyhow::Result<Done> {
    let (clients, api) = (cx.args.clients, cx.api.clone());
    let month = setup::previous_month(&cx.api).await?;
    let filter = project.as_ref().map(|p| format!("&project_id={}", p.id)).unwrap_or_default();
    let path = Arc::new(format!("/api/v1/work-order-measures?from={month}&to={month}{filter}"));
    // Asked once first for the note (and as the only warm-up any operation gets).
    let report: serde_json::Value = cx.api.fetch(&path).await?;
    let orders = report["total"]["measures"]["orders"].as_u64().unwrap_or(0);
    let rows = report["rows"].as_array().map_or(0, Vec::len);
    let measured = run(cx.limits(clients), move |_, _| {
        let (api, path) = (api.clone(), path.clone());
        async move { api.get(&path).await.map(|_| 0) }
    })
    .await;
    let scope = project.map_or("all projects".to_string(), |p| format!("project {}", p.code));
    Ok(Done { clients, measured, metric: None, note: format!("{month}, {scope}: {orders} orders; report rows: {rows}") })
}

/// The Excel export of the order list (`/workorders/export`, the same rows
/// as the list), one client, `--export-runs` times, as `--export-user`.
async fn export_orders(cx: &Context) -> anyhow::Result<Done> {
    let user = cx.args.export_user.as_deref().unwrap_or(&cx.args.user);
    let api = Api::login_session(&cx.base, user, &cx.args.password).await?;
    let (query, rows, how) = match &cx.args.export_query {
        Some(q) => (q.clone(), setup::order_count(&api, q).await?, "given".to_string()),
        None => {
            let plan = export::choose(&api, cx.args.export_rows).await.context("choosing the export period")?;
            (plan.query, plan.rows, format!("the newest {} days; chosen after {} counts", plan.days, plan.counts_asked))
        }
    };
    let browser = Browser::new(&cx.base)?;
    browser.login(user, &cx.args.password).await.map_err(|f| anyhow!("browser login as {user}: {f}"))?;
    let path = if query.is_empty() { "/workorders/export".to_string() } else { format!("/workorders/export?{query}") };
    let note = format!("GET {path} as {user}: {rows} rows by the list's total ({how})");
    let path = Arc::new(path);
    let limits = Limits { clients: 1, duration: None, max_requests: cx.args.export_runs };
    let measured = run(limits, move |_, _| {
        let (b, path) = (browser.clone(), path.clone());
        async move {
            let book = b.download(&path, XLSX).await?;
            if !book.starts_with(b"PK\x03\x04") {
                return Err("not a workbook".to_string());
            }
            Ok(book.len() as u64)
        }
    })
    .await;
    Ok(Done { clients: 1, measured, metric: Some(Metric::Kilobytes), note })
}
