//! Form bodies with repeated keys (checkbox lists), read the way browsers
//! send them. `axum::Form` cannot collect repeated keys into a list.

use axum::{
    body::Bytes,
    extract::{FromRequest, Request},
    response::{IntoResponse, Response},
};

#[derive(Debug, Clone, Default)]
pub struct FormData(Vec<(String, String)>);

impl FormData {
    /// The first value of a field, empty when absent.
    pub fn get(&self, name: &str) -> String {
        self.0.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()).unwrap_or_default()
    }

    /// Every value of a repeated field.
    pub fn all(&self, name: &str) -> Vec<String> {
        self.0.iter().filter(|(k, _)| k == name).map(|(_, v)| v.clone()).collect()
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
        let bytes = Bytes::from_request(req, state).await.map_err(IntoResponse::into_response)?;
        let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(&bytes).unwrap_or_default();
        Ok(Self(pairs))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_keys() {
        let f = FormData(vec![("r".into(), "1".into()), ("r".into(), "2".into()), ("n".into(), " x ".into())]);
        assert_eq!(f.ints("r"), vec![1, 2]);
        assert_eq!(f.get("n"), " x ");
        assert_eq!(f.get("missing"), "");
        assert!(!f.checked("n"));
    }
}
