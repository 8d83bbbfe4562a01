//! Starts the real router on port 0 against a fresh database per test:
//! a SQLite temp file, or a new database on the PostgreSQL server named by
//! `TEST_DATABASE_URL`.

use std::{collections::BTreeMap, net::SocketAddr};

use reqwest::{Client, Method, Response, StatusCode};
use sea_orm::{ConnectionTrait, Database, Statement};
use serde_json::{json, Value};

pub struct TestApp {
    pub base: String,
    pub db: app::Db,
    /// The database's URL, for another server on it.
    pub url: String,
    /// Where this app keeps its uploaded files.
    pub blobs: std::path::PathBuf,
    _dir: Option<TempDir>,
    _blobs: TempDir,
}

/// A temporary directory removed on drop.
pub struct TempDir(pub std::path::PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn unique() -> String {
    app::org::auth::random_token(6)
}

/// Serves the router over `db` on a free port; returns its base URL.
async fn serve(db: app::Db, blobs: &std::path::Path) -> String {
    let store = std::sync::Arc::new(app::storage::FsBlobStore::new(blobs.to_path_buf()));
    let state = web::AppState { db, tz: chrono_tz::Asia::Shanghai, secure_cookies: false, blobs: store };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        axum::serve(listener, web::router(state).into_make_service_with_connect_info::<SocketAddr>()).await.unwrap();
    });
    format!("http://{addr}")
}

async fn fresh_database() -> (String, Option<TempDir>) {
    match std::env::var("TEST_DATABASE_URL").ok().filter(|s| !s.is_empty()) {
        Some(url) => {
            let admin = Database::connect(&url).await.expect("connect to TEST_DATABASE_URL");
            let name = format!("gj_t_{}", unique());
            admin.execute_unprepared(&format!("CREATE DATABASE {name}")).await.expect("create test database");
            admin.close().await.ok();
            let base = url.rsplit_once('/').expect("database url with a name").0;
            (format!("{base}/{name}"), None)
        }
        None => {
            let dir = std::env::temp_dir().join(format!("guanjia-test-{}", unique()));
            std::fs::create_dir_all(&dir).unwrap();
            (format!("sqlite://{}?mode=rwc", dir.join("t.db").display()), Some(TempDir(dir)))
        }
    }
}

impl TestApp {
    /// A server over an empty, migrated database.
    pub async fn empty() -> Self {
        // Internal errors are logged, not shown; a failing test prints them.
        let _ = tracing_subscriber::fmt().with_test_writer().with_env_filter("warn").try_init();
        let (url, dir) = fresh_database().await;
        let db = app::Db::connect(&url).await.expect("connect");
        db.migrate().await.expect("migrate");
        app::workorder::tally::keep_in_zone(&db, chrono_tz::Asia::Shanghai).await.expect("tallies");
        let blobs = TempDir(std::env::temp_dir().join(format!("guanjia-test-blobs-{}", unique())));
        let base = serve(db.clone(), &blobs.0).await;
        Self { base, db, url, blobs: blobs.0.clone(), _dir: dir, _blobs: blobs }
    }

    /// The base URL of a second server on the same database and files, with
    /// a connection pool and caches of its own: another process.
    pub async fn another_process(&self) -> String {
        serve(app::Db::connect(&self.url).await.expect("connect"), &self.blobs).await
    }

    /// A server over the demo company (two companies, offices, roles, users).
    pub async fn demo() -> Self {
        let app = Self::empty().await;
        assert!(app::demo::seed_demo(&app.db).await.unwrap());
        app
    }

    /// A logged-in client for a demo user.
    pub async fn login(&self, username: &str) -> Session {
        self.login_with(username, app::demo::DEMO_PASSWORD).await
    }

    pub async fn login_with(&self, username: &str, password: &str) -> Session {
        login_at(&self.base, username, password).await
    }

    /// `k → n` of a query's rows.
    async fn counts(&self, sql: &'static str) -> BTreeMap<i32, i64> {
        let rows = self.db.conn.query_all(Statement::from_string(self.db.conn.get_database_backend(), sql)).await.unwrap();
        rows.iter().map(|r| (r.try_get::<i32>("", "k").unwrap(), r.try_get::<i64>("", "n").unwrap())).collect()
    }

    /// The kept counts of enabled customers (`customer_tallies`) are the
    /// customers themselves, office by office (run after every kind of
    /// customer write: create, edit, enable, disable, delete, import).
    pub async fn assert_customer_counts_kept(&self) {
        let counted =
            self.counts("SELECT org_unit_id AS k, CAST(COUNT(*) AS BIGINT) AS n FROM customers WHERE enabled GROUP BY org_unit_id").await;
        let kept = self.counts("SELECT org_unit_id AS k, enabled AS n FROM customer_tallies WHERE enabled <> 0").await;
        assert_eq!(kept, counted, "kept counts by office");
    }

    /// The kept counts of visits per office (`visit_tallies`) and of rooms
    /// and handed-over rooms per project (`project_room_tallies`) are the
    /// visits and rooms themselves.
    pub async fn assert_visit_and_room_counts_kept(&self) {
        let visits = self.counts("SELECT office_id AS k, CAST(COUNT(*) AS BIGINT) AS n FROM return_visits GROUP BY office_id").await;
        let kept = self.counts("SELECT org_unit_id AS k, visits AS n FROM visit_tallies WHERE visits <> 0").await;
        assert_eq!(kept, visits, "kept visit counts by office");
        let rooms = self.counts("SELECT project_id AS k, CAST(COUNT(*) AS BIGINT) AS n FROM rooms GROUP BY project_id").await;
        let kept = self.counts("SELECT project_id AS k, rooms AS n FROM project_room_tallies WHERE rooms <> 0").await;
        assert_eq!(kept, rooms, "kept room counts by project");
        let handed = self
            .counts(
                "SELECT project_id AS k, CAST(COUNT(*) AS BIGINT) AS n FROM rooms \
                 WHERE id IN (SELECT room_id FROM handovers) GROUP BY project_id",
            )
            .await;
        let kept = self.counts("SELECT project_id AS k, handed AS n FROM project_room_tallies WHERE handed <> 0").await;
        assert_eq!(kept, handed, "kept handed-over counts by project");
    }

    /// The kept counts of orders per project and state
    /// (`work_order_state_tallies`) are the orders themselves; gives them.
    pub async fn assert_order_state_counts_kept(&self) -> BTreeMap<(i32, String), i64> {
        let by_state = |sql: &'static str| async move {
            let rows = self.db.conn.query_all(Statement::from_string(self.db.conn.get_database_backend(), sql)).await.unwrap();
            rows.iter()
                .map(|r| {
                    (
                        (r.try_get::<i32>("", "project_id").unwrap(), r.try_get::<String>("", "state").unwrap()),
                        r.try_get::<i64>("", "n").unwrap(),
                    )
                })
                .collect::<BTreeMap<_, _>>()
        };
        let counted = by_state("SELECT project_id, state, CAST(COUNT(*) AS BIGINT) AS n FROM work_orders GROUP BY project_id, state").await;
        let kept = by_state("SELECT project_id, state, orders AS n FROM work_order_state_tallies WHERE orders <> 0").await;
        assert_eq!(kept, counted, "kept counts by project and state");
        kept
    }
}

/// A logged-in client of the server at `base`.
pub async fn login_at(base: &str, username: &str, password: &str) -> Session {
    let s = Session::new(base);
    let r =
        s.client.post(format!("{base}/api/v1/auth/login")).json(&json!({"username": username, "password": password})).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK, "login {username}: {}", r.text().await.unwrap_or_default());
    let body: Value = r.json().await.unwrap();
    Session { csrf: body["csrf_token"].as_str().unwrap().to_string(), ..s }
}

/// A cookie-carrying client, the way a browser or integrator calls.
#[derive(Clone)]
pub struct Session {
    pub client: Client,
    pub base: String,
    pub csrf: String,
}

impl Session {
    pub fn new(base: &str) -> Self {
        let client = Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build().unwrap();
        Self { client, base: base.into(), csrf: String::new() }
    }

    pub async fn call(&self, method: Method, path: &str, body: Option<Value>) -> Response {
        let mut req = self.client.request(method, format!("{}{path}", self.base)).header("X-CSRF-Token", &self.csrf);
        if let Some(b) = body {
            req = req.json(&b);
        }
        req.send().await.unwrap()
    }

    pub async fn get(&self, path: &str) -> (StatusCode, Value) {
        let r = self.call(Method::GET, path, None).await;
        let status = r.status();
        (status, r.json().await.unwrap_or(Value::Null))
    }

    pub async fn send(&self, method: Method, path: &str, body: Value) -> (StatusCode, Value) {
        let r = self.call(method, path, Some(body)).await;
        let status = r.status();
        (status, r.json().await.unwrap_or(Value::Null))
    }

    pub async fn post(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.send(Method::POST, path, body).await
    }

    pub async fn put(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.send(Method::PUT, path, body).await
    }

    /// Fetches an HTML page.
    pub async fn page(&self, path: &str) -> (StatusCode, String) {
        let r = self.client.get(format!("{}{path}", self.base)).send().await.unwrap();
        (r.status(), r.text().await.unwrap())
    }

    /// Submits an HTML form the way a browser does (urlencoded, `_csrf`).
    pub async fn form(&self, path: &str, fields: &[(&str, &str)]) -> (StatusCode, String) {
        let mut all: Vec<(&str, &str)> = vec![("_csrf", &self.csrf)];
        all.extend_from_slice(fields);
        let r = self.client.post(format!("{}{path}", self.base)).form(&all).send().await.unwrap();
        (r.status(), r.text().await.unwrap())
    }
}

/// Finds the id of an item by a field value in a list answer.
pub fn id_where(list: &Value, field: &str, value: &str) -> i64 {
    list["items"].as_array().unwrap().iter().find(|i| i[field] == value).unwrap_or_else(|| panic!("no {field}={value} in {list}"))["id"]
        .as_i64()
        .unwrap()
}
