//! `manifest.json`: the list of truths in an output root.

use super::error::TruthError;
use super::meta::TruthMeta;
use super::timestamp::Timestamp;
use serde::{Deserialize, Serialize};
use std::path::{Component, Path, PathBuf};

/// The manifest's `format` value.
const MANIFEST_FORMAT: &str = "dashi-truth-manifest";
/// The largest manifest read (64 MiB: hundreds of thousands of entries).
const MAX_MANIFEST_BYTES: u64 = 64 << 20;
/// The manifest version this crate reads and writes.
const MANIFEST_VERSION: u32 = 1;

/// One truth listed in `manifest.json`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ManifestEntry {
    /// The truth's id.
    pub truth_id: String,
    /// Its directory, relative to the output root.
    pub path: String,
    /// When its run started.
    pub created: Timestamp,
    /// Backend that ran it (`cpu` or `gpu`).
    pub backend_used: String,
    /// Grid size.
    pub n: usize,
    /// Number of stored frames.
    pub frames: u64,
    /// The solver that produced it.
    pub solver_id: String,
}

impl ManifestEntry {
    /// The entry of a finished truth stored in `<root>/<truth_id>`.
    pub(crate) fn for_truth(meta: &TruthMeta) -> Self {
        Self {
            truth_id: meta.truth_id.clone(),
            path: meta.truth_id.clone(),
            created: meta.created,
            backend_used: meta.backend_used.clone(),
            n: meta.n,
            frames: meta.frames,
            solver_id: meta.solver_id.clone(),
        }
    }
}

/// The contents of `<root>/manifest.json`:
/// `{"format": "dashi-truth-manifest", "version": 1, "truths": [ManifestEntry…]}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    format: String,
    version: u32,
    truths: Vec<ManifestEntry>,
}

impl Default for Manifest {
    fn default() -> Self {
        Self { format: MANIFEST_FORMAT.to_string(), version: MANIFEST_VERSION, truths: Vec::new() }
    }
}

impl Manifest {
    /// The manifest's file name in an output root.
    pub const FILE_NAME: &'static str = "manifest.json";

    /// The manifest's path in `root`.
    pub fn path_in(root: &Path) -> PathBuf {
        root.join(Self::FILE_NAME)
    }

    /// Reads `<root>/manifest.json`: `None` if there is none; [`TruthError::Corrupt`] if it
    /// is not a valid manifest of a version this crate reads.
    pub fn load(root: &Path) -> Result<Option<Self>, TruthError> {
        let path = Self::path_in(root);
        let text = match dashi_core::files::read_bounded(&path, MAX_MANIFEST_BYTES) {
            Ok(text) => text,
            Err(dashi_core::files::BoundedReadError::Io { source, .. })
                if source.kind() == std::io::ErrorKind::NotFound =>
            {
                return Ok(None);
            }
            Err(e) => return Err(super::reader::bounded_error(&path, e)),
        };
        let manifest: Self =
            serde_json::from_slice(&text).map_err(|e| TruthError::corrupt(&path, format!("invalid JSON: {e}")))?;
        if manifest.format != MANIFEST_FORMAT || manifest.version != MANIFEST_VERSION {
            return Err(TruthError::corrupt(
                &path,
                format!(
                    "format {:?} version {}, this crate reads {MANIFEST_FORMAT:?} version {MANIFEST_VERSION}",
                    manifest.format, manifest.version
                ),
            ));
        }
        let mut seen = std::collections::HashSet::new();
        for entry in &manifest.truths {
            let shown = entry.truth_id.escape_debug().to_string();
            if let Err(e) = super::meta::validate_truth_id(&entry.truth_id) {
                return Err(TruthError::corrupt(&path, format!("entry \"{shown}\": {e}")));
            }
            if !seen.insert(entry.truth_id.as_str()) {
                return Err(TruthError::corrupt(&path, format!("truth id \"{shown}\" is listed twice")));
            }
            // A truth lives in one plain directory of the root, never a hidden (staging)
            // one.
            let plain = relative_truth_path(&entry.path)
                .filter(|p| p.components().count() == 1 && !entry.path.starts_with('.'));
            if plain.is_none() {
                return Err(TruthError::corrupt(
                    &path,
                    format!(
                        "entry \"{shown}\": path {:?} is not a plain directory name of the root",
                        entry.path.escape_debug().to_string()
                    ),
                ));
            }
        }
        Ok(Some(manifest))
    }

    /// The truths listed, in the order they were finished.
    pub fn entries(&self) -> &[ManifestEntry] {
        &self.truths
    }

    /// The directory of `entry` under `root`.
    pub fn entry_dir(root: &Path, entry: &ManifestEntry) -> PathBuf {
        root.join(relative_truth_path(&entry.path).unwrap_or_default())
    }

    /// Adds `entry`, replacing an entry of the same id (a stale one: its directory did not
    /// exist when the writer started).
    pub(crate) fn upsert(&mut self, entry: ManifestEntry) {
        self.truths.retain(|e| e.truth_id != entry.truth_id);
        self.truths.push(entry);
    }

    /// Writes `<root>/manifest.json` atomically (a unique temporary name, then rename).
    pub(crate) fn store(&self, root: &Path) -> Result<(), TruthError> {
        let mut text = serde_json::to_vec_pretty(self).expect("a manifest always serialises");
        text.push(b'\n');
        dashi_core::files::write_atomically(&Self::path_in(root), &text)
            .map_err(|(path, source)| TruthError::Io { path, source })
    }
}

/// `path` as a relative path of normal components only (no `..`, no root), or `None`.
fn relative_truth_path(path: &str) -> Option<PathBuf> {
    let path = Path::new(path);
    let plain = path.components().all(|c| matches!(c, Component::Normal(_)));
    (plain && path.components().next().is_some()).then(|| path.to_path_buf())
}
