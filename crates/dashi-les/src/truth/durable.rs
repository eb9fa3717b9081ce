//! Durable file system updates: fsync of directories and atomic replacement of files.

use super::error::TruthError;
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Flushes a directory's entries (new, renamed or removed names) to disk. Only Unix can
/// open directories for this; elsewhere it does nothing.
pub(crate) fn sync_dir(dir: &Path) -> Result<(), TruthError> {
    if cfg!(unix) {
        File::open(dir).and_then(|d| d.sync_all()).map_err(TruthError::io(dir))?;
    }
    Ok(())
}

/// The temporary name [`write_atomically`] uses for `path`: `path` with `.tmp` appended.
pub(crate) fn temporary_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".tmp");
    path.with_file_name(name)
}

/// Replaces `path` by `bytes` atomically: writes `<path>.tmp`, fsyncs it, renames it over
/// `path` and fsyncs the directory. Readers see the old or the new file, never a part.
pub(crate) fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), TruthError> {
    let temporary = temporary_path(path);
    let written = File::create(&temporary).and_then(|mut file| {
        file.write_all(bytes)?;
        file.sync_all()
    });
    if let Err(source) = written {
        let _ = std::fs::remove_file(&temporary);
        return Err(TruthError::Io { path: temporary, source });
    }
    std::fs::rename(&temporary, path).map_err(TruthError::io(path))?;
    sync_dir(path.parent().unwrap_or(Path::new(".")))
}
