//! Bounded reading: a reader opens only regular files (a FIFO would block forever, a
//! device such as `/dev/zero` never ends) and refuses one larger than the caller's cap
//! before allocating anything; the read itself is bounded too, in case the file grows.

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

/// Why a bounded read failed.
#[derive(Debug, thiserror::Error)]
pub enum BoundedReadError {
    /// An I/O error (not found, permission, …).
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// Not a regular file (a directory, FIFO, socket or device).
    #[error("{}: not a regular file ({kind}); only regular files are read", path.display())]
    NotRegular {
        /// The path.
        path: PathBuf,
        /// What it is instead.
        kind: &'static str,
    },
    /// Larger than the cap.
    #[error("{}: {len} bytes, more than the {max} bytes this file may have", path.display())]
    TooLarge {
        /// The file.
        path: PathBuf,
        /// Its size (or the bytes read before stopping).
        len: u64,
        /// The cap.
        max: u64,
    },
}

/// What `metadata` describes, for errors.
fn kind_of(metadata: &std::fs::Metadata) -> &'static str {
    let t = metadata.file_type();
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return "a FIFO";
        }
        if t.is_char_device() || t.is_block_device() {
            return "a device";
        }
        if t.is_socket() {
            return "a socket";
        }
    }
    if t.is_dir() { "a directory" } else { "not a file" }
}

/// Opens `path` (symlinks followed) if it is a regular file; checked with `stat` before
/// `open`, so a FIFO is refused rather than waited on. Returns the file and its length.
pub fn open_regular(path: &Path) -> Result<(File, u64), BoundedReadError> {
    let io = |source| BoundedReadError::Io { path: path.to_path_buf(), source };
    let metadata = std::fs::metadata(path).map_err(io)?;
    if !metadata.is_file() {
        return Err(BoundedReadError::NotRegular { path: path.to_path_buf(), kind: kind_of(&metadata) });
    }
    let file = File::open(path).map_err(io)?;
    Ok((file, metadata.len()))
}

/// Reads the whole regular file `path` if it holds at most `max_bytes`.
pub fn read_bounded(path: &Path, max_bytes: u64) -> Result<Vec<u8>, BoundedReadError> {
    let (file, len) = open_regular(path)?;
    let too_large = |len| BoundedReadError::TooLarge { path: path.to_path_buf(), len, max: max_bytes };
    if len > max_bytes {
        return Err(too_large(len));
    }
    let mut bytes = Vec::with_capacity(usize::try_from(len).unwrap_or(0));
    file.take(max_bytes.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|source| BoundedReadError::Io { path: path.to_path_buf(), source })?;
    if bytes.len() as u64 > max_bytes {
        return Err(too_large(bytes.len() as u64));
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_devices_directories_and_large_files() {
        #[cfg(unix)]
        {
            let err = read_bounded(Path::new("/dev/zero"), 1 << 20).unwrap_err();
            assert!(matches!(err, BoundedReadError::NotRegular { kind: "a device", .. }), "{err}");
        }
        let dir = std::env::temp_dir().join(format!("dashi-bounded-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        assert!(matches!(read_bounded(&dir, 10).unwrap_err(), BoundedReadError::NotRegular { .. }));
        let file = dir.join("f");
        std::fs::write(&file, b"0123456789").unwrap();
        assert_eq!(read_bounded(&file, 10).unwrap(), b"0123456789");
        assert!(matches!(read_bounded(&file, 9).unwrap_err(), BoundedReadError::TooLarge { len: 10, max: 9, .. }));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
