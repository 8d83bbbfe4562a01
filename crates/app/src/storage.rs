//! Where uploaded files live (photos of work orders, later attachments):
//! content-addressed blobs behind one interface, kept on the local disk by
//! default.

use std::{
    io::Write,
    path::{Path, PathBuf},
};

use rand::Rng;
use sha2::{Digest, Sha256};

use crate::AppResult;

/// A store of immutable blobs keyed by the SHA-256 of their content.
///
/// The key is the lowercase hex SHA-256 of the bytes, so the same bytes
/// always land under the same key: `put` is idempotent, two uploads of one
/// photo share one blob, and a blob written by a use case whose transaction
/// then rolled back is only an orphan, never wrong data. Nothing is ever
/// overwritten with other content or deleted by the application.
///
/// An S3-compatible store (MinIO, OSS, COS, S3…) implements it with the key
/// as the object name, under a prefix if the bucket is shared:
/// `put` computes the SHA-256, skips the upload when `HEAD <key>` finds the
/// object (optional: a repeated `PUT` of the same bytes is harmless), and
/// otherwise `PUT`s the object — object stores make a `PUT` visible whole or
/// not at all, which is the atomicity `FsBlobStore` gets from a rename;
/// `get` is `GET <key>`, mapping "no such key" (404) to `None`. Keys are
/// checked with [`is_key`] before use in either store.
#[async_trait::async_trait]
pub trait BlobStore: Send + Sync {
    /// Stores `bytes` and returns their key (hex SHA-256).
    async fn put(&self, bytes: &[u8]) -> AppResult<String>;
    /// The bytes stored under `key`; `None` when there are none.
    async fn get(&self, key: &str) -> AppResult<Option<Vec<u8>>>;
}

/// The key of `bytes`: their SHA-256 in lowercase hex.
pub fn key_of(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Whether `key` looks like a key (64 lowercase hex digits), so that it can
/// never name a path outside the store.
pub fn is_key(key: &str) -> bool {
    key.len() == 64 && key.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// Blobs as files under a directory: `<root>/ab/cd/<sha256>`, the first two
/// byte pairs of the hash as folders so no folder grows past 65,536 entries.
/// Several processes may share the directory: a blob is written to a
/// temporary file beside its place and renamed into it, so a reader sees a
/// whole file or none, and two writers of one key write the same bytes.
#[derive(Debug, Clone)]
pub struct FsBlobStore {
    root: PathBuf,
}

impl FsBlobStore {
    /// A store rooted at `root` (created on the first `put`).
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    fn path_of(&self, key: &str) -> PathBuf {
        self.root.join(&key[0..2]).join(&key[2..4]).join(key)
    }
}

#[async_trait::async_trait]
impl BlobStore for FsBlobStore {
    async fn put(&self, bytes: &[u8]) -> AppResult<String> {
        let key = key_of(bytes);
        let path = self.path_of(&key);
        let bytes = bytes.to_vec();
        tokio::task::spawn_blocking(move || put_file(&path, &bytes))
            .await
            .map_err(|e| crate::AppError::Internal(e.into()))?
            .map_err(|e| crate::AppError::Internal(e.into()))?;
        Ok(key)
    }

    async fn get(&self, key: &str) -> AppResult<Option<Vec<u8>>> {
        if !is_key(key) {
            return Ok(None);
        }
        match tokio::fs::read(self.path_of(key)).await {
            Ok(bytes) => Ok(Some(bytes)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(crate::AppError::Internal(e.into())),
        }
    }
}

/// Writes a blob unless it is there: to a new temporary file beside its
/// place, flushed to disk, then renamed into place, so a crash never leaves
/// a partial blob under a key.
fn put_file(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    if path.exists() {
        return Ok(());
    }
    let dir = path.parent().expect("a blob path has folders");
    std::fs::create_dir_all(dir)?;
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("blob");
    let tmp = dir.join(format!(".{name}.{:016x}.tmp", rand::thread_rng().gen::<u64>()));
    let written = write_synced(&tmp, bytes).and_then(|()| std::fs::rename(&tmp, path));
    if let Err(e) = written {
        let _ = std::fs::remove_file(&tmp);
        // Where a rename cannot replace a file, another writer may have put
        // the same bytes first: then the blob is there.
        if !path.exists() {
            return Err(e);
        }
    }
    // Makes the rename durable where directories can be synced (Unix); the
    // blob is complete either way.
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

fn write_synced(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut f = std::fs::OpenOptions::new().write(true).create_new(true).open(path)?;
    f.write_all(bytes)?;
    f.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::temp_dir::TempDir;

    fn temp_dir() -> TempDir {
        TempDir::new("blobs")
    }

    fn files_under(dir: &Path) -> Vec<PathBuf> {
        let mut out = vec![];
        for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            if e.path().is_dir() {
                out.extend(files_under(&e.path()));
            } else {
                out.push(e.path());
            }
        }
        out
    }

    #[tokio::test]
    async fn blobs_are_kept_under_their_hash_once() {
        let dir = temp_dir();
        let store = FsBlobStore::new(dir.0.join("blobs"));
        let key = store.put(b"abc").await.unwrap();
        assert_eq!(key, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", "the SHA-256 of abc");
        assert_eq!(store.get(&key).await.unwrap().as_deref(), Some(&b"abc"[..]));
        assert!(dir.0.join("blobs/ba/78").join(&key).is_file(), "<root>/ab/cd/<sha256>");
        assert_eq!(store.put(b"abc").await.unwrap(), key, "put is idempotent");
        store.put(b"").await.unwrap();
        assert_eq!(files_under(&dir.0).len(), 2, "one file per distinct content, no temporary files left");
    }

    #[tokio::test]
    async fn unknown_and_malformed_keys_have_nothing() {
        let dir = temp_dir();
        let store = FsBlobStore::new(dir.0.clone());
        assert_eq!(store.get(&key_of(b"never stored")).await.unwrap(), None);
        assert_eq!(store.get("../../etc/passwd").await.unwrap(), None);
        assert_eq!(store.get(&"A".repeat(64)).await.unwrap(), None, "upper case is not a key");
        assert!(is_key(&key_of(b"x")) && !is_key("abc"));
    }

    #[tokio::test]
    async fn concurrent_writers_of_one_blob_agree() {
        let dir = temp_dir();
        let store = FsBlobStore::new(dir.0.clone());
        let bytes = vec![7u8; 256 * 1024];
        let puts = (0..8).map(|_| {
            let (s, b) = (store.clone(), bytes.clone());
            tokio::spawn(async move { s.put(&b).await.unwrap() })
        });
        let keys: Vec<String> = futures_keys(puts).await;
        assert!(keys.iter().all(|k| *k == keys[0]));
        assert_eq!(store.get(&keys[0]).await.unwrap().unwrap(), bytes);
        assert_eq!(files_under(&dir.0).len(), 1);
    }

    async fn futures_keys(handles: impl Iterator<Item = tokio::task::JoinHandle<String>>) -> Vec<String> {
        let mut out = vec![];
        for h in handles.collect::<Vec<_>>() {
            out.push(h.await.unwrap());
        }
        out
    }
}
