//! The two kinds of client: the JSON API with a bearer token, and a browser
//! with its own cookie jar that logs in through the HTML form.

use std::{
    collections::BTreeMap,
    sync::{Arc, Mutex},
    time::Duration,
};

use anyhow::{anyhow, bail, Context};
use reqwest::{
    cookie::CookieStore,
    header::{HeaderName, HeaderValue, AUTHORIZATION, CONTENT_TYPE, COOKIE, LOCATION, SET_COOKIE},
    redirect::Policy,
    Client, Response, StatusCode, Url,
};
use serde::de::DeserializeOwned;

/// Long enough for an export of 100,000 rows; a hung server still ends the run.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(120);

/// Why a request did not count as a success: the status, or the network.
pub type Failure = String;

/// A cookie jar that can be emptied: every login sample starts as a new
/// browser would (a live session cookie would make the server check the
/// login form against that session's CSRF token).
#[derive(Default)]
pub struct Jar(Mutex<BTreeMap<String, String>>);

impl Jar {
    pub fn clear(&self) {
        self.0.lock().expect("jar").clear();
    }

    fn get(&self, name: &str) -> Option<String> {
        self.0.lock().expect("jar").get(name).cloned()
    }
}

impl CookieStore for Jar {
    // One host and `Path=/` cookies only, so name → value is the whole state.
    fn set_cookies(&self, headers: &mut dyn Iterator<Item = &HeaderValue>, _url: &Url) {
        let mut jar = self.0.lock().expect("jar");
        for h in headers {
            let Some((pair, attributes)) = h.to_str().ok().map(|v| v.split_once(';').unwrap_or((v, ""))) else { continue };
            let Some((name, value)) = pair.split_once('=') else { continue };
            let expired = attributes.split(';').any(|a| a.trim().eq_ignore_ascii_case("max-age=0"));
            if expired || value.is_empty() {
                jar.remove(name.trim());
            } else {
                jar.insert(name.trim().to_string(), value.trim().to_string());
            }
        }
    }

    fn cookies(&self, _url: &Url) -> Option<HeaderValue> {
        let jar = self.0.lock().expect("jar");
        if jar.is_empty() {
            return None;
        }
        let line: Vec<String> = jar.iter().map(|(k, v)| format!("{k}={v}")).collect();
        HeaderValue::from_str(&line.join("; ")).ok()
    }
}

/// Reads the whole body (latency includes it) and fails on a non-2xx status.
async fn body_of(resp: Response) -> Result<Vec<u8>, Failure> {
    let status = resp.status();
    let bytes = resp.bytes().await.map_err(|e| format!("network: {}", short(&e)))?;
    if !status.is_success() {
        return Err(format!("HTTP {}", status.as_u16()));
    }
    Ok(bytes.to_vec())
}

/// A reqwest error without the URL (the same for every sample).
fn short(e: &reqwest::Error) -> String {
    let kind = if e.is_timeout() {
        "timeout"
    } else if e.is_connect() {
        "connect"
    } else if e.is_body() || e.is_decode() {
        "body"
    } else {
        "request"
    };
    kind.to_string()
}

/// The JSON API, authenticated with an API token (or, for a login that may
/// not hold tokens, a session cookie); no cookie jar, so that credential is
/// the only one the server sees.
#[derive(Clone)]
pub struct Api {
    client: Client,
    base: Url,
    credential: (HeaderName, String),
}

impl Api {
    /// Logs in with `POST /api/v1/auth/login` and asks for an API token.
    pub async fn login(base: &Url, user: &str, password: &str) -> anyhow::Result<Self> {
        let (client, body, _) = api_login(base, user, password, true).await?;
        let token = body["token"].as_str().ok_or_else(|| anyhow!("no API token for {user} (must the password be changed first?)"))?;
        Ok(Self { client, base: base.clone(), credential: (AUTHORIZATION, format!("Bearer {token}")) })
    }

    /// Logs in and keeps the session cookie: for GETs as a user without the
    /// right to API tokens (a POST would also need the CSRF header).
    pub async fn login_session(base: &Url, user: &str, password: &str) -> anyhow::Result<Self> {
        let (client, _, cookie) = api_login(base, user, password, false).await?;
        let cookie = cookie.ok_or_else(|| anyhow!("API login as {user} set no session cookie"))?;
        Ok(Self { client, base: base.clone(), credential: (COOKIE, cookie) })
    }

    fn url(&self, path_and_query: &str) -> Result<Url, Failure> {
        self.base.join(path_and_query).map_err(|e| format!("bad URL {path_and_query}: {e}"))
    }

    /// One measured GET: the body bytes, or why it failed.
    pub async fn get(&self, path_and_query: &str) -> Result<Vec<u8>, Failure> {
        let (name, value) = &self.credential;
        let resp = self.client.get(self.url(path_and_query)?).header(name, value).send().await;
        let resp = resp.map_err(|e| format!("network: {}", short(&e)))?;
        body_of(resp).await
    }

    /// One measured POST of a JSON body.
    pub async fn post(&self, path: &str, body: &serde_json::Value) -> Result<Vec<u8>, Failure> {
        let (name, value) = &self.credential;
        let resp = self.client.post(self.url(path)?).header(name, value).json(body).send().await;
        let resp = resp.map_err(|e| format!("network: {}", short(&e)))?;
        body_of(resp).await
    }

    /// A GET during setup, decoded; failures stop the run with the path named.
    pub async fn fetch<T: DeserializeOwned>(&self, path_and_query: &str) -> anyhow::Result<T> {
        let bytes = self.get(path_and_query).await.map_err(|f| anyhow!("GET {path_and_query}: {f}"))?;
        serde_json::from_slice(&bytes).with_context(|| format!("GET {path_and_query}: unexpected JSON"))
    }
}

/// `POST /api/v1/auth/login`: the client, the answer and the session cookie
/// (`gj_session=…`) it set.
async fn api_login(base: &Url, user: &str, password: &str, token: bool) -> anyhow::Result<(Client, serde_json::Value, Option<String>)> {
    let client = Client::builder().timeout(REQUEST_TIMEOUT).build()?;
    let resp = client
        .post(base.join("/api/v1/auth/login")?)
        .json(&serde_json::json!({"username": user, "password": password, "token": token}))
        .send()
        .await
        .with_context(|| format!("cannot reach {base}"))?;
    let status = resp.status();
    let cookie = resp
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok()?.split(';').next().map(str::to_string))
        .find(|c| c.starts_with("gj_session="));
    let body: serde_json::Value = resp.json().await.context("login answer is not JSON")?;
    if !status.is_success() {
        bail!("API login as {user} refused ({status}): {body}");
    }
    Ok((client, body, cookie))
}

/// A browser: its own cookie jar, redirects followed by hand so that a
/// redirect to the login page is seen as the failure it is.
#[derive(Clone)]
pub struct Browser {
    client: Client,
    jar: Arc<Jar>,
    base: Url,
}

impl Browser {
    pub fn new(base: &Url) -> anyhow::Result<Self> {
        let jar = Arc::new(Jar::default());
        let client = Client::builder().cookie_provider(jar.clone()).redirect(Policy::none()).timeout(REQUEST_TIMEOUT).build()?;
        Ok(Self { client, jar, base: base.clone() })
    }

    fn url(&self, path: &str) -> Result<Url, Failure> {
        self.base.join(path).map_err(|e| format!("bad URL {path}: {e}"))
    }

    /// GET a page that must answer 200 itself (a redirect means the session
    /// is gone or the page refused); answers the body.
    pub async fn page(&self, path: &str) -> Result<Vec<u8>, Failure> {
        let resp = self.client.get(self.url(path)?).send().await.map_err(|e| format!("network: {}", short(&e)))?;
        if resp.status().is_redirection() {
            return Err(format!("HTTP {} to {}", resp.status().as_u16(), location(&resp)));
        }
        body_of(resp).await
    }

    /// GET a page and check its content type (an export must be a workbook,
    /// not an error page).
    pub async fn download(&self, path: &str, content_type: &str) -> Result<Vec<u8>, Failure> {
        let resp = self.client.get(self.url(path)?).send().await.map_err(|e| format!("network: {}", short(&e)))?;
        let got = resp.headers().get(CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
        let bytes = body_of(resp).await?;
        if !got.starts_with(content_type) {
            return Err(format!("content type {got}"));
        }
        Ok(bytes)
    }

    /// The login form as a new browser fills it in: GET /login (the CSRF
    /// cookie and the same token in a hidden field), POST /login, which must
    /// answer 303 to `/` with the session cookie.
    pub async fn login(&self, user: &str, password: &str) -> Result<(), Failure> {
        self.jar.clear();
        let form = String::from_utf8_lossy(&self.page("/login").await?).into_owned();
        let csrf = hidden_field(&form, "_csrf").ok_or("no _csrf field in the login form")?;
        let fields = [("_csrf", csrf.as_str()), ("next", "/"), ("username", user), ("password", password)];
        let resp = self.client.post(self.url("/login")?).form(&fields).send().await.map_err(|e| format!("network: {}", short(&e)))?;
        let (status, to) = (resp.status(), location(&resp));
        // Drain the body so the connection can be reused.
        let _ = resp.bytes().await;
        if status != StatusCode::SEE_OTHER || to != "/" {
            return Err(format!("login answered HTTP {} to {to:?}", status.as_u16()));
        }
        if self.jar.get("gj_session").is_none() {
            return Err("login set no session cookie".into());
        }
        Ok(())
    }
}

fn location(resp: &Response) -> String {
    resp.headers().get(LOCATION).and_then(|v| v.to_str().ok()).unwrap_or("").to_string()
}

/// The value of `<input type="hidden" name="NAME" value="…">` in a page.
fn hidden_field(html: &str, name: &str) -> Option<String> {
    let at = html.find(&format!("name=\"{name}\""))?;
    let rest = &html[at..];
    let value = rest.find("value=\"")? + "value=\"".len();
    let end = rest[value..].find('"')?;
    Some(rest[value..value + end].to_string())
}

/// `"total":N` of a list answer, found without decoding the whole body:
/// the client shares the machine with the server and should stay light.
pub fn list_total(body: &[u8]) -> Option<u64> {
    const KEY: &[u8] = b"\"total\":";
    let at = body.windows(KEY.len()).rposition(|w| w == KEY)? + KEY.len();
    let digits: Vec<u8> = body[at..].iter().copied().skip_while(|b| *b == b' ').take_while(u8::is_ascii_digit).collect();
    std::str::from_utf8(&digits).ok()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csrf_field_of_the_login_form() {
        let html = r#"<form><input type="hidden" name="_csrf" value="abc123"><input type="hidden" name="next" value="/"></form>"#;
        assert_eq!(hidden_field(html, "_csrf").as_deref(), Some("abc123"));
        assert_eq!(hidden_field(html, "next").as_deref(), Some("/"));
        assert_eq!(hidden_field(html, "missing"), None);
    }

    #[test]
    fn totals_of_list_bodies() {
        assert_eq!(list_total(br#"{"items":[{"total":3}],"total":1234}"#), Some(1234));
        assert_eq!(list_total(br#"{"items":[]}"#), None);
    }

    #[test]
    fn jar_keeps_and_expires_cookies() {
        let jar = Jar::default();
        let url = Url::parse("http://127.0.0.1/").unwrap();
        let set = [HeaderValue::from_static("a=1; Path=/; HttpOnly"), HeaderValue::from_static("b=2; Path=/")];
        jar.set_cookies(&mut set.iter(), &url);
        assert_eq!(jar.cookies(&url).unwrap(), "a=1; b=2");
        let expire = [HeaderValue::from_static("a=; Path=/; Max-Age=0")];
        jar.set_cookies(&mut expire.iter(), &url);
        assert_eq!(jar.cookies(&url).unwrap(), "b=2");
        jar.clear();
        assert!(jar.cookies(&url).is_none());
    }
}
