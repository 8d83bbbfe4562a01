//! A directory of the unit tests' own, removed when it is dropped.

use std::path::PathBuf;

use rand::Rng;

pub struct TempDir(pub PathBuf);

impl TempDir {
    /// A new, not yet created, directory named after `what`.
    pub fn new(what: &str) -> TempDir {
        TempDir(std::env::temp_dir().join(format!("guanjia-{what}-{:016x}", rand::thread_rng().gen::<u64>())))
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
