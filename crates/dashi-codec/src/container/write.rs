//! Encoding a container to bytes, and the file side: atomic writes and bounded reads.

use super::error::{ContainerError, SectionProblem};
use super::section::SectionData;
use super::{Container, FORMAT_VERSION, Limits, MAGIC, PREAMBLE_LEN};
use std::collections::HashSet;
use std::fs::{File, OpenOptions};
use std::io::{ErrorKind, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// Encodes `container`, refusing anything that [`super::read`]'s decoder (with the same
/// limits) would reject.
pub(crate) fn encode(container: &Container, limits: &Limits) -> Result<Vec<u8>, ContainerError> {
    let mut names = HashSet::with_capacity(container.sections.len());
    for section in &container.sections {
        section.validate()?;
        if !names.insert(section.name.as_str()) {
            return Err(ContainerError::InvalidSection {
                name: section.name.clone(),
                problem: SectionProblem::DuplicateName { name: section.name.clone() },
            });
        }
    }
    let count = container.sections.len() as u64;
    if count > u64::from(limits.max_sections) {
        return Err(ContainerError::TooManySections { count, max: limits.max_sections });
    }
    let header = serde_json::to_vec(&container.header)
        .map_err(|e| ContainerError::InvalidHeader { offset: PREAMBLE_LEN as u64, reason: e.to_string() })?;
    if header.len() as u64 > u64::from(limits.max_header_bytes) {
        return Err(ContainerError::HeaderTooLarge { len: header.len() as u64, max: limits.max_header_bytes });
    }

    // Exact size first, so that the limit is checked before the buffer is allocated.
    let total = container.sections.iter().fold(PREAMBLE_LEN as u64 + header.len() as u64 + 4, |acc, s| {
        acc.saturating_add(1 + s.name.len() as u64 + 2 + 8 * s.shape.len() as u64 + 8 + s.data.byte_len() as u64 + 4)
    });
    if total > limits.max_file_bytes {
        return Err(ContainerError::FileTooLarge { len: total, max: limits.max_file_bytes });
    }
    let mut out = Vec::with_capacity(usize::try_from(total).unwrap_or(0));

    // Preamble. Both counts fit u32: they are at most the u32 limits.
    out.extend_from_slice(&MAGIC);
    out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    out.extend_from_slice(&(header.len() as u32).to_le_bytes());
    out.extend_from_slice(&(count as u32).to_le_bytes());
    let crc = crc32fast::hash(&out);
    out.extend_from_slice(&crc.to_le_bytes());

    // Header.
    out.extend_from_slice(&header);
    out.extend_from_slice(&crc32fast::hash(&header).to_le_bytes());

    // Sections.
    for section in &container.sections {
        let start = out.len();
        // The name length fits a byte: validate() checked it is at most MAX_NAME_BYTES.
        out.push(section.name.len() as u8);
        out.extend_from_slice(section.name.as_bytes());
        out.push(section.dtype().code());
        out.push(section.shape.len() as u8);
        for &n in &section.shape {
            out.extend_from_slice(&n.to_le_bytes());
        }
        out.extend_from_slice(&(section.data.byte_len() as u64).to_le_bytes());
        match &section.data {
            SectionData::F64(v) => v.iter().for_each(|x| out.extend_from_slice(&x.to_le_bytes())),
            SectionData::F32(v) => v.iter().for_each(|x| out.extend_from_slice(&x.to_le_bytes())),
            SectionData::U32(v) => v.iter().for_each(|x| out.extend_from_slice(&x.to_le_bytes())),
            SectionData::U8(v) => out.extend_from_slice(v),
        }
        let crc = crc32fast::hash(&out[start..]);
        out.extend_from_slice(&crc.to_le_bytes());
    }
    debug_assert_eq!(out.len() as u64, total);
    Ok(out)
}

/// Reads `path` into memory after checking its length against `limits.max_file_bytes`.
pub(crate) fn read_file(path: &Path, limits: &Limits) -> Result<Vec<u8>, ContainerError> {
    // Regular files only: a FIFO would block the open forever, a device never ends.
    let (mut file, len) = dashi_core::files::open_regular(path).map_err(|e| match e {
        dashi_core::files::BoundedReadError::Io { source, .. } => ContainerError::io(path)(source),
        other => ContainerError::io(path)(std::io::Error::new(std::io::ErrorKind::InvalidInput, other.to_string())),
    })?;
    if len > limits.max_file_bytes {
        return Err(ContainerError::FileTooLarge { len, max: limits.max_file_bytes });
    }
    // The length is only a hint (the file may change under us); `take` bounds the read.
    let mut bytes = Vec::with_capacity(usize::try_from(len).unwrap_or(0));
    Read::by_ref(&mut file)
        .take(limits.max_file_bytes.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(ContainerError::io(path))?;
    if bytes.len() as u64 > limits.max_file_bytes {
        return Err(ContainerError::FileTooLarge { len: bytes.len() as u64, max: limits.max_file_bytes });
    }
    Ok(bytes)
}

/// Writes `bytes` to `path` atomically; see [`Container::write_atomic`].
pub(crate) fn write_atomic(path: &Path, bytes: &[u8], overwrite: bool) -> Result<(), ContainerError> {
    if !overwrite && exists(path) {
        return Err(ContainerError::AlreadyExists { path: path.to_path_buf() });
    }
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let file_name = path.file_name().ok_or_else(|| ContainerError::Io {
        path: path.to_path_buf(),
        source: std::io::Error::new(ErrorKind::InvalidInput, "the path has no file name"),
    })?;

    let (temp, mut file) = create_temp(dir, file_name)?;
    let written = file.write_all(bytes).and_then(|()| file.sync_all());
    drop(file);
    if let Err(source) = written {
        let _ = std::fs::remove_file(&temp);
        return Err(ContainerError::Io { path: temp, source });
    }

    let published =
        if overwrite { std::fs::rename(&temp, path).map_err(Published::Io) } else { publish_no_clobber(&temp, path) };
    if let Err(error) = published {
        let _ = std::fs::remove_file(&temp);
        return Err(match error {
            Published::Exists => ContainerError::AlreadyExists { path: path.to_path_buf() },
            Published::Io(source) => ContainerError::Io { path: path.to_path_buf(), source },
        });
    }
    sync_dir(dir)
}

/// Whether something (a file, a directory, a symbolic link, even a dangling one) is at `path`.
fn exists(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok()
}

/// Creates a new temporary file `.<name>.<pid>.<n>.tmp` in `dir`, never reusing an existing
/// name.
fn create_temp(dir: &Path, name: &std::ffi::OsStr) -> Result<(PathBuf, File), ContainerError> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    loop {
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let mut temp_name = std::ffi::OsString::from(".");
        temp_name.push(name);
        temp_name.push(format!(".{}.{n}.tmp", std::process::id()));
        let temp = dir.join(temp_name);
        match OpenOptions::new().write(true).create_new(true).open(&temp) {
            Ok(file) => return Ok((temp, file)),
            Err(e) if e.kind() == ErrorKind::AlreadyExists => continue,
            Err(source) => return Err(ContainerError::Io { path: temp, source }),
        }
    }
}

/// Why publishing without overwriting failed.
enum Published {
    Exists,
    Io(std::io::Error),
}

/// Gives `temp` the name `dest` unless `dest` exists, atomically where the file system
/// supports hard links (`link` fails if the new name exists), then removes `temp`. On file
/// systems without hard links it falls back to check-then-rename, which has a small race.
fn publish_no_clobber(temp: &Path, dest: &Path) -> Result<(), Published> {
    match std::fs::hard_link(temp, dest) {
        Ok(()) => {
            let _ = std::fs::remove_file(temp);
            Ok(())
        }
        Err(e) if e.kind() == ErrorKind::AlreadyExists => Err(Published::Exists),
        Err(_) => {
            if exists(dest) {
                Err(Published::Exists)
            } else {
                std::fs::rename(temp, dest).map_err(Published::Io)
            }
        }
    }
}

/// Flushes a directory's entries to disk. Only Unix can open directories for this;
/// elsewhere it does nothing.
fn sync_dir(dir: &Path) -> Result<(), ContainerError> {
    if cfg!(unix) {
        File::open(dir).and_then(|d| d.sync_all()).map_err(ContainerError::io(dir))?;
    }
    Ok(())
}
