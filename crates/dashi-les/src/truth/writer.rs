//! Writing a truth directory frame by frame, under a staging name until it is complete.

use super::diagnostics::{CSV_HEADER, DiagnosticsRow};
use super::error::TruthError;
use super::manifest::{Manifest, ManifestEntry};
use super::meta::TruthMeta;
use super::npy::NpyFrameWriter;
use super::root_lock::{RootLock, WriterLock, remove_stale_staging};
use super::{DIAGNOSTICS_FILE, META_FILE, OMEGA_FILE, SPECTRUM_FILE, TIMES_FILE, staging_dir_name};
use dashi_core::files::sync_dir;
use std::fmt;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

/// A staging directory, removed when dropped unless kept.
#[derive(Debug)]
struct StagingDir {
    path: PathBuf,
    keep: bool,
}

impl Drop for StagingDir {
    fn drop(&mut self) {
        if !self.keep {
            let _ = std::fs::remove_dir_all(&self.path);
        }
    }
}

/// Writes one truth into `<root>/.<truth_id>.partial/` and, on [`finish`](Self::finish),
/// renames it to `<root>/<truth_id>/` and lists it in `<root>/manifest.json`.
///
/// A writer dropped without finishing (an error, a panic, a cancelled run) removes its
/// staging directory, so no half-written truth is left under any name. Frames are checked
/// before anything is written: a refused frame leaves the writer usable; an I/O error
/// while writing leaves it failed ([`TruthError::WriterFailed`] from then on).
pub struct TruthWriter {
    root: PathBuf,
    final_dir: PathBuf,
    meta: TruthMeta,
    omega: NpyFrameWriter<f32>,
    times: NpyFrameWriter<f64>,
    /// Created with the first frame, which fixes the number of shells.
    spectrum: Option<NpyFrameWriter<f64>>,
    diagnostics: BufWriter<File>,
    /// The current frame converted to f32.
    omega_f32: Vec<f32>,
    frames: u64,
    failed: bool,
    /// This writer's lock on its staging directory (tells later writers it is alive).
    writer_lock: WriterLock,
    /// Declared last so that it is dropped (and removed) after the files are closed.
    staging: StagingDir,
}

impl fmt::Debug for TruthWriter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TruthWriter")
            .field("truth_id", &self.meta.truth_id)
            .field("staging", &self.staging.path)
            .field("n", &self.meta.n)
            .field("frames", &self.frames)
            .field("failed", &self.failed)
            .finish_non_exhaustive()
    }
}

impl TruthWriter {
    /// Starts the truth described by `meta` (its `frames` is ignored and set at
    /// [`finish`](Self::finish)) in the output root `root`, creating `root` if needed.
    ///
    /// Errors: [`TruthError::InvalidMeta`] / [`TruthError::InvalidTruthId`] for unusable
    /// metadata; [`TruthError::AlreadyExists`] if `<root>/<truth_id>` exists;
    /// [`TruthError::StagingInUse`] if its staging directory exists; a corrupt manifest
    /// ([`TruthError::Corrupt`]) now rather than after the run; [`TruthError::Io`].
    pub fn create(root: &Path, meta: TruthMeta) -> Result<Self, TruthError> {
        meta.validate()?;
        if meta.n.checked_mul(meta.n).and_then(|cells| cells.checked_mul(size_of::<f64>())).is_none() {
            return Err(TruthError::InvalidMeta {
                field: "n",
                reason: format!("an {0}×{0} frame is too large", meta.n),
            });
        }
        std::fs::create_dir_all(root).map_err(TruthError::io(root))?;
        // Under the root lock: no other writer is between creating a staging directory
        // and locking it, so stale ones (their writer died) can be told apart and removed.
        let root_lock = RootLock::acquire(root)?;
        remove_stale_staging(root, &root_lock);
        let final_dir = root.join(&meta.truth_id);
        if final_dir.symlink_metadata().is_ok() {
            return Err(TruthError::AlreadyExists { path: final_dir });
        }
        Manifest::load(root)?;

        let staging_path = root.join(staging_dir_name(&meta.truth_id));
        match std::fs::create_dir(&staging_path) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                return Err(TruthError::StagingInUse { path: staging_path });
            }
            Err(source) => return Err(TruthError::Io { path: staging_path, source }),
        }
        let staging = StagingDir { path: staging_path, keep: false };
        let writer_lock = WriterLock::acquire(&staging.path)?;
        drop(root_lock);
        let omega = NpyFrameWriter::create(&staging.path.join(OMEGA_FILE), &[meta.n, meta.n])?;
        let times = NpyFrameWriter::create(&staging.path.join(TIMES_FILE), &[])?;
        let diagnostics_path = staging.path.join(DIAGNOSTICS_FILE);
        let mut diagnostics =
            BufWriter::new(File::create_new(&diagnostics_path).map_err(TruthError::io(&diagnostics_path))?);
        writeln!(diagnostics, "{CSV_HEADER}").map_err(TruthError::io(&diagnostics_path))?;
        Ok(Self {
            root: root.to_path_buf(),
            final_dir,
            omega_f32: Vec::with_capacity(meta.n * meta.n),
            meta,
            omega,
            times,
            spectrum: None,
            diagnostics,
            frames: 0,
            failed: false,
            writer_lock,
            staging,
        })
    }

    /// The metadata being written (`frames` is set at [`finish`](Self::finish)).
    pub fn meta(&self) -> &TruthMeta {
        &self.meta
    }

    /// Frames written so far.
    pub fn frames(&self) -> u64 {
        self.frames
    }

    /// The staging directory the files are written into.
    pub fn staging_dir(&self) -> &Path {
        &self.staging.path
    }

    /// The directory the truth will have once finished.
    pub fn final_dir(&self) -> &Path {
        &self.final_dir
    }

    /// Appends one frame: the vorticity `omega` (row-major `[iy][ix]`, `n²` values, stored
    /// as f32), its shell spectrum `spectrum` (the same number of shells in every frame)
    /// and its diagnostics (whose `time` also goes to `t.npy`).
    ///
    /// Errors, with nothing written: [`TruthError::ShapeMismatch`] for a wrong length;
    /// [`TruthError::NonFinite`] for a NaN or infinity anywhere, or an omega value beyond
    /// the f32 range.
    pub fn push_frame(
        &mut self,
        omega: &[f64],
        spectrum: &[f64],
        diagnostics: DiagnosticsRow,
    ) -> Result<(), TruthError> {
        if self.failed {
            return Err(TruthError::WriterFailed { staging: self.staging.path.clone() });
        }
        let frame = self.frames;
        let n = self.meta.n;
        if omega.len() != self.omega.frame_len() {
            return Err(TruthError::ShapeMismatch {
                what: format!("omega of frame {frame} (n² values, row-major [iy][ix])"),
                expected: vec![n * n],
                found: vec![omega.len()],
            });
        }
        if let Some(shells) = self.spectrum.as_ref().map(NpyFrameWriter::frame_len)
            && spectrum.len() != shells
        {
            return Err(TruthError::ShapeMismatch {
                what: format!("spectrum of frame {frame} (shells, fixed by frame 0)"),
                expected: vec![shells],
                found: vec![spectrum.len()],
            });
        }
        if let Some((field, value)) = diagnostics.first_non_finite() {
            return Err(TruthError::NonFinite { what: format!("diagnostics.{field}"), frame, index: 0, value });
        }
        if let Some((index, &value)) = spectrum.iter().enumerate().find(|(_, v)| !v.is_finite()) {
            return Err(TruthError::NonFinite { what: "spectrum".to_string(), frame, index, value });
        }
        self.omega_f32.clear();
        for (index, &value) in omega.iter().enumerate() {
            let stored = value as f32;
            if !stored.is_finite() {
                return Err(TruthError::NonFinite { what: "omega (stored as f32)".to_string(), frame, index, value });
            }
            self.omega_f32.push(stored);
        }
        let written = self.write_frame(spectrum, &diagnostics);
        self.failed = written.is_err();
        written
    }

    /// Writes a validated frame (omega already in `omega_f32`) to every file.
    fn write_frame(&mut self, spectrum: &[f64], diagnostics: &DiagnosticsRow) -> Result<(), TruthError> {
        let spectrum_writer = match &mut self.spectrum {
            Some(writer) => writer,
            none => none.insert(NpyFrameWriter::create(&self.staging.path.join(SPECTRUM_FILE), &[spectrum.len()])?),
        };
        spectrum_writer.append(spectrum)?;
        self.omega.append(&self.omega_f32)?;
        self.times.append(&[diagnostics.time])?;
        let diagnostics_path = self.staging.path.join(DIAGNOSTICS_FILE);
        writeln!(self.diagnostics, "{}", diagnostics.to_csv_line()).map_err(TruthError::io(&diagnostics_path))?;
        self.frames += 1;
        Ok(())
    }

    /// Completes the truth: final headers, `meta.json` with the frame count, fsync, rename
    /// to `<root>/<truth_id>/`, and the manifest entry (written atomically). Returns the
    /// truth's directory.
    ///
    /// On an error before the rename the staging directory is removed. If the truth is
    /// complete but the manifest cannot be updated, [`TruthError::ManifestUpdate`] names
    /// the finished directory.
    pub fn finish(self) -> Result<PathBuf, TruthError> {
        let Self {
            root,
            final_dir,
            mut meta,
            omega,
            times,
            spectrum,
            diagnostics,
            frames,
            failed,
            writer_lock,
            mut staging,
            ..
        } = self;
        if failed {
            return Err(TruthError::WriterFailed { staging: staging.path.clone() });
        }
        omega.finish()?;
        times.finish()?;
        let spectrum = match spectrum {
            Some(writer) => writer,
            None => NpyFrameWriter::<f64>::create(&staging.path.join(SPECTRUM_FILE), &[0])?,
        };
        spectrum.finish()?;
        let diagnostics_path = staging.path.join(DIAGNOSTICS_FILE);
        diagnostics
            .into_inner()
            .map_err(|e| e.into_error())
            .and_then(|file| file.sync_all())
            .map_err(TruthError::io(&diagnostics_path))?;

        meta.frames = frames;
        let meta_path = staging.path.join(META_FILE);
        let mut meta_json = serde_json::to_vec_pretty(&meta)
            .map_err(|e| TruthError::InvalidMeta { field: "params", reason: e.to_string() })?;
        meta_json.push(b'\n');
        File::create_new(&meta_path)
            .and_then(|mut file| file.write_all(&meta_json).and_then(|()| file.sync_all()))
            .map_err(TruthError::io(&meta_path))?;
        sync_dir(&staging.path).map_err(TruthError::io(&staging.path))?;

        // The rename and the manifest's read-modify-write happen under the root lock, so
        // concurrent writers never lose each other's entries.
        let root_lock = RootLock::acquire(&root)?;
        if final_dir.symlink_metadata().is_ok() {
            return Err(TruthError::AlreadyExists { path: final_dir });
        }
        writer_lock.release()?;
        std::fs::rename(&staging.path, &final_dir).map_err(TruthError::io(&final_dir))?;
        staging.keep = true;

        let list_in_manifest = || -> Result<(), TruthError> {
            sync_dir(&root).map_err(TruthError::io(&root))?;
            let mut manifest = Manifest::load(&root)?.unwrap_or_default();
            manifest.upsert(ManifestEntry::for_truth(&meta));
            manifest.store(&root)
        };
        if let Err(source) = list_in_manifest() {
            // Roll back: the truth goes back to staging and is removed with it, so no
            // unlisted truth blocks its id.
            let rolled_back = std::fs::rename(&final_dir, &staging.path).is_ok();
            staging.keep = !rolled_back;
            drop(staging);
            drop(root_lock);
            return Err(TruthError::ManifestUpdate {
                truth_dir: final_dir,
                manifest: Manifest::path_in(&root),
                rolled_back,
                source: Box::new(source),
            });
        }
        drop(root_lock);
        Ok(final_dir)
    }
}
