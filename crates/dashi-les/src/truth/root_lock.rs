//! Many writers, one output root (docs/RELIABILITY.md).
//!
//! - `<root>/.lock` is locked exclusively (an advisory `flock`, released by the kernel
//!   when the process dies, even by SIGKILL) around every change of the root's names:
//!   creating a staging directory, removing stale ones, renaming a finished truth to its
//!   final name and rewriting `manifest.json`. Read-modify-write of the manifest is
//!   therefore serialised: no entry is ever lost.
//! - `<root>/.<id>.partial/.writer.lock` is locked by its writer for as long as it lives.
//!   A staging directory whose writer lock can be taken belongs to no live writer: the
//!   next writer removes it (a killed run's leftovers are cleaned by the next run).

use super::error::TruthError;
use std::fs::{File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};

/// The root lock's file name.
pub const ROOT_LOCK_FILE: &str = ".lock";
/// The writer lock's file name inside a staging directory.
pub const WRITER_LOCK_FILE: &str = ".writer.lock";

/// Opens (creating if needed) `path` for locking.
fn lock_file(path: &Path) -> Result<File, TruthError> {
    OpenOptions::new().read(true).write(true).create(true).truncate(false).open(path).map_err(TruthError::io(path))
}

/// `<root>/.lock`, held exclusively until dropped.
#[derive(Debug)]
pub struct RootLock {
    _file: File,
}

impl RootLock {
    /// Waits for and takes the lock of `root` (which must exist).
    pub fn acquire(root: &Path) -> Result<Self, TruthError> {
        let path = root.join(ROOT_LOCK_FILE);
        let file = lock_file(&path)?;
        file.lock().map_err(TruthError::io(&path))?;
        Ok(Self { _file: file })
    }
}

/// A writer's lock on its staging directory, held until dropped.
#[derive(Debug)]
pub(crate) struct WriterLock {
    file: Option<File>,
    path: PathBuf,
}

impl WriterLock {
    /// Creates and locks `<staging>/.writer.lock`.
    pub(crate) fn acquire(staging: &Path) -> Result<Self, TruthError> {
        let path = staging.join(WRITER_LOCK_FILE);
        let file = lock_file(&path)?;
        file.try_lock().map_err(|e| match e {
            TryLockError::Error(source) => TruthError::Io { path: path.clone(), source },
            TryLockError::WouldBlock => TruthError::StagingInUse { path: staging.to_path_buf() },
        })?;
        Ok(Self { file: Some(file), path })
    }

    /// Removes the lock file (call with the [`RootLock`] held, just before the staging
    /// directory is renamed, so that no cleaner can see it unlocked).
    pub(crate) fn release(mut self) -> Result<(), TruthError> {
        std::fs::remove_file(&self.path).map_err(TruthError::io(&self.path))?;
        self.file = None;
        Ok(())
    }
}

/// Removes every staging directory of `root` that no live writer holds. Call with the
/// [`RootLock`] held. Returns the directories removed.
pub fn remove_stale_staging(root: &Path, _held: &RootLock) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(root) else { return Vec::new() };
    let mut removed = Vec::new();
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let is_staging = name.starts_with('.') && name.ends_with(".partial") && name.len() > ".partial".len() + 1;
        if !is_staging || !entry.file_type().is_ok_and(|t| t.is_dir()) {
            continue;
        }
        let lock_path = entry.path().join(WRITER_LOCK_FILE);
        // A staging directory without a writer lock was left by a writer that died
        // before taking it, or by an older version: under the root lock nobody can be
        // between creating it and locking it.
        let stale = match OpenOptions::new().read(true).write(true).open(&lock_path) {
            Ok(file) => file.try_lock().is_ok(),
            Err(e) => e.kind() == std::io::ErrorKind::NotFound,
        };
        if stale && std::fs::remove_dir_all(entry.path()).is_ok() {
            removed.push(entry.path());
        }
    }
    removed
}
