//! Form bodies with repeated keys (checkbox lists) and files, read the way
//! browsers send them: urlencoded, or `multipart/form-data` when the form
//! has a file input. `axum::Form` cannot collect repeated keys into a list.

use axum::{
    body::Bytes,
    extract::{FromRequest, Multipart, Request},
    http::header,
    response::{IntoResponse, Response},
};

/// The body limit of routes whose forms carry files: nine photos of the
/// largest size fit, so a refused photo gets its own message rather than a
/// cut connection.
pub const MAX_UPLOAD_BODY: usize = 100 * 1024 * 1024;

/// A file sent in a multipart form.
#[derive(Debug, Clone)]
pub struct FormFile {
    /// The form field it came in.
    pub field: String,
    /// The name the browser gave; shown, never trusted.
    pub file_name: String,
    pub bytes: Vec<u8>,
}

#[derive(Debug, Clone, Default)]
pub struct FormData {
    fields: Vec<(String, String)>,
    files: Vec<FormFile>,
    /// Why a multipart body could not be read whole (too large, cut off);
    /// the fields before the failure are kept.
    upload_error: Option<String>,
}

impl FormData {
    /// The first value of a field, empty when absent.
    pub fn get(&self, name: &str) -> String {
        self.fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()).unwrap_or_default()
    }

    /// Every value of a repeated field.
    pub fn all(&self, name: &str) -> Vec<String> {
        self.fields.iter().filter(|(k, _)| k == name).map(|(_, v)| v.clone()).collect()
    }

    /// Takes the files sent in field `name` (none for a urlencoded body or
    /// a file input left empty).
    pub fn take_files(&mut self, name: &str) -> Vec<FormFile> {
        let (taken, kept) = std::mem::take(&mut self.files).into_iter().partition(|f| f.field == name);
        self.files = kept;
        taken
    }

    /// Set when a multipart body could not be read whole.
    pub fn upload_error(&self) -> Option<&str> {
        self.upload_error.as_deref()
    }

    pub fn int(&self, name: &str) -> Option<i32> {
        self.get(name).trim().parse().ok()
    }

    pub fn ints(&self, name: &str) -> Vec<i32> {
        self.all(name).iter().filter_map(|v| v.trim().parse().ok()).collect()
    }

    pub fn checked(&self, name: &str) -> bool {
        matches!(self.get(name).as_str(), "1" | "on" | "true")
    }

    /// The optimistic-locking version the form was rendered with.
    pub fn version(&self) -> i32 {
        self.int("version").unwrap_or(0)
    }
}

impl<S: Send + Sync> FromRequest<S> for FormData {
    type Rejection = Response;

    async fn from_request(req: Request, state: &S) -> Result<Self, Response> {
        let multipart =
            req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|v| v.starts_with("multipart/form-data"));
        if multipart {
            let m = Multipart::from_request(req, state).await.map_err(IntoResponse::into_response)?;
            return Ok(read_multipart(m).await);
        }
        let bytes = Bytes::from_request(req, state).await.map_err(IntoResponse::into_response)?;
        let fields: Vec<(String, String)> = serde_urlencoded::from_bytes(&bytes).unwrap_or_default();
        Ok(Self { fields, ..Default::default() })
    }
}

/// Reads text fields and files in the order sent. A body over the route's
/// limit or cut off ends the reading with `upload_error` set, so the
/// handler can show the form again with what arrived.
async fn read_multipart(mut m: Multipart) -> FormData {
    let mut form = FormData::default();
    let failed = || format!("上传的内容不完整或超过 {} MB，请重新选择文件后再提交", MAX_UPLOAD_BODY / (1024 * 1024));
    loop {
        let field = match m.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(_) => {
                form.upload_error = Some(failed());
                break;
            }
        };
        let name = field.name().unwrap_or("").to_string();
        let file_name = field.file_name().map(str::to_string);
        let Ok(bytes) = field.bytes().await else {
            form.upload_error = Some(failed());
            break;
        };
        match file_name {
            // An empty file input is sent as a part with no name and no bytes.
            Some(n) if n.is_empty() && bytes.is_empty() => {}
            Some(file_name) => form.files.push(FormFile { field: name, file_name, bytes: bytes.to_vec() }),
            None => form.fields.push((name, String::from_utf8_lossy(&bytes).into_owned())),
        }
    }
    form
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_keys() {
        let f =
            FormData { fields: vec![("r".into(), "1".into()), ("r".into(), "2".into()), ("n".into(), " x ".into())], ..Default::default() };
        assert_eq!(f.ints("r"), vec![1, 2]);
        assert_eq!(f.get("n"), " x ");
        assert_eq!(f.get("missing"), "");
        assert!(!f.checked("n"));
    }

    /// A body as a browser sends a form with two file inputs, one left empty.
    fn browser_multipart() -> Request {
        let body = concat!(
            "--b\r\nContent-Disposition: form-data; name=\"description\"\r\n\r\n漏水\r\n",
            "--b\r\nContent-Disposition: form-data; name=\"items\"\r\n\r\n1\r\n",
            "--b\r\nContent-Disposition: form-data; name=\"items\"\r\n\r\n2\r\n",
            "--b\r\nContent-Disposition: form-data; name=\"other\"; filename=\"\"\r\nContent-Type: application/octet-stream\r\n\r\n\r\n",
            "--b\r\nContent-Disposition: form-data; name=\"photos\"; filename=\"a.png\"\r\nContent-Type: image/png\r\n\r\nPNG!\r\n",
            "--b--\r\n",
        );
        Request::builder().header(header::CONTENT_TYPE, "multipart/form-data; boundary=b").body(axum::body::Body::from(body)).unwrap()
    }

    #[tokio::test]
    async fn multipart_bodies_give_fields_and_files() {
        let mut f = FormData::from_request(browser_multipart(), &()).await.unwrap();
        assert_eq!(f.get("description"), "漏水");
        assert_eq!(f.ints("items"), vec![1, 2]);
        assert!(f.upload_error().is_none());
        assert!(f.take_files("other").is_empty(), "an empty file input sends nothing");
        let photos = f.take_files("photos");
        assert_eq!((photos[0].file_name.as_str(), photos[0].bytes.as_slice()), ("a.png", &b"PNG!"[..]));
        assert!(f.take_files("photos").is_empty(), "taken once");
    }

    #[tokio::test]
    async fn a_cut_multipart_body_keeps_the_fields_before_the_cut() {
        let body = "--b\r\nContent-Disposition: form-data; name=\"description\"\r\n\r\n漏水\r\n--b\r\nContent-Disposition: form-data; name=\"photos\"; filename=\"a.png\"\r\n\r\nPNG";
        let req =
            Request::builder().header(header::CONTENT_TYPE, "multipart/form-data; boundary=b").body(axum::body::Body::from(body)).unwrap();
        let f = FormData::from_request(req, &()).await.unwrap();
        assert_eq!(f.get("description"), "漏水");
        assert!(f.upload_error().unwrap().contains("100 MB"));
    }
}
