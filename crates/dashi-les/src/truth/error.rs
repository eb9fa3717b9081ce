//! Errors of truth files, the manifest and selectors.

use std::path::{Path, PathBuf};

/// What is wrong with an NPY file (see [`TruthError::Npy`], which names the file).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum NpyProblem {
    /// The file ends before its preamble or header does.
    #[error("truncated: the file is {file_bytes} bytes, its NPY preamble and header need {needed_bytes}")]
    TruncatedHeader {
        /// Size of the file.
        file_bytes: u64,
        /// Bytes the preamble and header claim.
        needed_bytes: u64,
    },
    /// The file does not start with `\x93NUMPY`.
    #[error("not an NPY file (missing the magic bytes \\x93NUMPY)")]
    BadMagic,
    /// A format version other than 1.0, 2.0 or 3.0.
    #[error("unsupported NPY format version {major}.{minor} (1.0, 2.0 and 3.0 are read)")]
    UnsupportedVersion {
        /// Major version byte.
        major: u8,
        /// Minor version byte.
        minor: u8,
    },
    /// The header is not the Python dictionary literal NPY prescribes.
    #[error("malformed NPY header: {reason}")]
    MalformedHeader {
        /// What the parser found wrong.
        reason: String,
    },
    /// An element type other than the one this file must hold.
    #[error("dtype descr `{found}`, expected `{expected}`")]
    UnsupportedDescr {
        /// The header's `descr`.
        found: String,
        /// The only `descr` accepted for this file.
        expected: &'static str,
    },
    /// `fortran_order: True` on an array of rank ≥ 2 (only C order is read).
    #[error("fortran_order is True; only C-ordered arrays are read")]
    FortranOrder,
    /// A shape with the wrong number of axes.
    #[error("shape {shape:?} has rank {}, expected rank {expected}", shape.len())]
    UnexpectedRank {
        /// The rank this file must have.
        expected: usize,
        /// The header's shape.
        shape: Vec<u64>,
    },
    /// A shape whose byte size does not fit in memory addresses.
    #[error("shape {shape:?} is too large to address")]
    ShapeOverflow {
        /// The header's shape.
        shape: Vec<u64>,
    },
    /// The data after the header is not exactly as long as the shape needs.
    #[error("data is {found_bytes} bytes, shape {shape:?} needs exactly {expected_bytes}")]
    DataLength {
        /// The header's shape.
        shape: Vec<u64>,
        /// `product(shape) · element size`.
        expected_bytes: u64,
        /// Bytes after the header.
        found_bytes: u64,
    },
}

/// Everything that can go wrong writing, reading or selecting truths.
#[derive(Debug, thiserror::Error)]
pub enum TruthError {
    /// An operating-system I/O error on a path.
    #[error("I/O error on {}: {source}", path.display())]
    Io {
        /// The file or directory involved.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The target already exists; truths are never overwritten.
    #[error("{} already exists; truths are never overwritten", path.display())]
    AlreadyExists {
        /// The existing path.
        path: PathBuf,
    },
    /// The staging directory of this truth id exists: another writer is producing it, or
    /// an earlier run died before cleaning up.
    #[error("staging directory {} exists: another run is writing this truth, or one died; remove it if no run is", path.display())]
    StagingInUse {
        /// The staging directory.
        path: PathBuf,
    },
    /// A truth id that cannot name a directory of the output root.
    #[error("invalid truth id `{}`: {reason}", id.escape_debug())]
    InvalidTruthId {
        /// The id as given.
        id: String,
        /// The rule it breaks.
        reason: &'static str,
    },
    /// Metadata that cannot describe a truth this crate writes.
    #[error("invalid truth metadata: {field}: {reason}")]
    InvalidMeta {
        /// The offending field of `meta.json`.
        field: &'static str,
        /// What is wrong with it.
        reason: String,
    },
    /// No truth matches a selector.
    #[error("no truth matches `{selector}`; available: {}", list_or_none(available))]
    SelectorNotFound {
        /// The selector as given.
        selector: String,
        /// What the manifest holds (truth ids, with details where they help).
        available: Vec<String>,
    },
    /// Several truths match a selector that must name one.
    #[error("`{selector}` is ambiguous; it matches: {}", matches.join(", "))]
    SelectorAmbiguous {
        /// The selector as given.
        selector: String,
        /// The matching truth ids.
        matches: Vec<String>,
    },
    /// The selector is not a truth directory and the root has no manifest to look it up in.
    #[error("`{selector}` is not a truth directory (no meta.json) and there is no manifest at {}", manifest.display())]
    NoManifest {
        /// The selector as given.
        selector: String,
        /// Where the manifest was looked for.
        manifest: PathBuf,
    },
    /// A corrupt or unsupported NPY file.
    #[error("{}: {problem}", path.display())]
    Npy {
        /// The NPY file.
        path: PathBuf,
        /// What is wrong with it.
        problem: NpyProblem,
    },
    /// A corrupt or unsupported file other than NPY (JSON, CSV) or a truth whose files
    /// disagree with each other.
    #[error("{} is corrupt: {reason}", path.display())]
    Corrupt {
        /// The file (or truth directory) at fault.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// An array of the wrong shape.
    #[error("{what}: expected shape {expected:?}, found {found:?}")]
    ShapeMismatch {
        /// Which array.
        what: String,
        /// The shape it must have.
        expected: Vec<usize>,
        /// The shape it has.
        found: Vec<usize>,
    },
    /// A NaN or infinity (or a finite f64 beyond the f32 range where f32 is stored).
    #[error("{what}: non-finite value {value} at frame {frame}, index {index}")]
    NonFinite {
        /// Which array or field.
        what: String,
        /// Frame index (0-based).
        frame: u64,
        /// Index within the frame.
        index: usize,
        /// The value as given.
        value: f64,
    },
    /// An earlier write of this writer failed, so its files are inconsistent.
    #[error("an earlier write into {} failed; this truth cannot be continued or finished", staging.display())]
    WriterFailed {
        /// The writer's staging directory.
        staging: PathBuf,
    },
    /// Frames asked for beyond the truth's end.
    #[error("frames {start}..{end} requested, the truth has {frames}")]
    FrameRange {
        /// First frame asked for.
        start: usize,
        /// One past the last.
        end: usize,
        /// Frames in the truth.
        frames: usize,
    },
    /// Reading this much would take more memory than can be had.
    #[error("{what}: reading it needs {bytes} bytes, more than this machine can allocate")]
    TooLarge {
        /// The file (and part) being read.
        what: String,
        /// Bytes requested.
        bytes: u64,
    },
    /// The truth was complete but the manifest could not be updated; the truth was then
    /// removed again (`rolled_back`), so its id stays free.
    #[error(
        "{} was not updated ({source}); {}",
        manifest.display(),
        if *rolled_back { format!("the truth was not kept (its id {} stays free)", truth_dir.display()) }
        else { format!("the truth is left unlisted in {}", truth_dir.display()) }
    )]
    ManifestUpdate {
        /// The truth directory (removed again if `rolled_back`).
        truth_dir: PathBuf,
        /// Whether the finished truth was removed again.
        rolled_back: bool,
        /// The manifest that could not be updated.
        manifest: PathBuf,
        /// Why.
        source: Box<TruthError>,
    },
}

impl TruthError {
    /// A closure turning an [`std::io::Error`] on `path` into [`TruthError::Io`].
    pub(crate) fn io(path: &Path) -> impl FnOnce(std::io::Error) -> TruthError + '_ {
        move |source| TruthError::Io { path: path.to_path_buf(), source }
    }

    /// [`TruthError::Npy`] for `path`.
    pub(crate) fn npy(path: &Path, problem: NpyProblem) -> TruthError {
        TruthError::Npy { path: path.to_path_buf(), problem }
    }

    /// [`TruthError::Corrupt`] for `path`.
    pub(crate) fn corrupt(path: &Path, reason: impl Into<String>) -> TruthError {
        TruthError::Corrupt { path: path.to_path_buf(), reason: reason.into() }
    }
}

fn list_or_none(items: &[String]) -> String {
    if items.is_empty() { "none".to_string() } else { items.join(", ") }
}
