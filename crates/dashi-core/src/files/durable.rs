//! Durable file replacement, defined once for every crate that writes files
//! (docs/RELIABILITY.md).
//!
//! [`write_atomically`] writes a temporary sibling with a name no other writer uses —
//! `.<name>.<pid>.<counter>.tmp`, created with `create_new`, so it never reuses (or
//! silently consumes) a file that happens to exist — flushes it to disk, renames it over
//! the target and flushes the directory. Readers see the old file or the complete new
//! one, never a part; concurrent writers never share a temporary file.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// Distinguishes the temporary files of one process.
static COUNTER: AtomicU64 = AtomicU64::new(0);

/// The directory holding `path` (`.` for a bare file name).
pub fn parent_dir(path: &Path) -> &Path {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    }
}

/// A fresh temporary name beside `path`: `.<name>.<pid>.<counter>.tmp`.
pub fn temporary_sibling(path: &Path) -> PathBuf {
    let mut name = std::ffi::OsString::from(".");
    name.push(path.file_name().unwrap_or_default());
    name.push(format!(".{}.{}.tmp", std::process::id(), COUNTER.fetch_add(1, Ordering::Relaxed)));
    parent_dir(path).join(name)
}

/// Flushes a directory's entries (new, renamed or removed names) to disk. Only Unix can
/// open directories for this; elsewhere it does nothing.
pub fn sync_dir(dir: &Path) -> std::io::Result<()> {
    if cfg!(unix) {
        File::open(dir)?.sync_all()?;
    }
    Ok(())
}

/// Replaces `path` by `bytes` atomically (see the module docs). On an error the
/// temporary file is removed and the error names the path that failed.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), (PathBuf, std::io::Error)> {
    let temporary = temporary_sibling(path);
    let written = OpenOptions::new().write(true).create_new(true).open(&temporary).and_then(|mut file| {
        file.write_all(bytes)?;
        file.sync_all()
    });
    if let Err(e) = written {
        let _ = std::fs::remove_file(&temporary);
        return Err((temporary, e));
    }
    if let Err(e) = std::fs::rename(&temporary, path) {
        let _ = std::fs::remove_file(&temporary);
        return Err((path.to_path_buf(), e));
    }
    sync_dir(parent_dir(path)).map_err(|e| (parent_dir(path).to_path_buf(), e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_whole_files_and_never_touches_a_user_tmp_file() {
        let dir = std::env::temp_dir().join(format!("dashi-durable-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let target = dir.join("manifest.json");
        // A user's file with the old fixed temporary name survives.
        std::fs::write(dir.join("manifest.json.tmp"), b"mine").unwrap();
        write_atomically(&target, b"one").unwrap();
        write_atomically(&target, b"two").unwrap();
        assert_eq!(std::fs::read(&target).unwrap(), b"two");
        assert_eq!(std::fs::read(dir.join("manifest.json.tmp")).unwrap(), b"mine");
        let left: Vec<_> = std::fs::read_dir(&dir).unwrap().flatten().map(|e| e.file_name()).collect();
        assert_eq!(left.len(), 2, "no temporary file left: {left:?}");
        assert_ne!(temporary_sibling(&target), temporary_sibling(&target));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
