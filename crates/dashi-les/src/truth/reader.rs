//! Reading a truth directory back, with every file checked against the others.

use super::diagnostics::{DiagnosticsRow, read_diagnostics_csv};
use super::error::TruthError;
use super::meta::TruthMeta;
use super::npy::{NpyFile, read_npy};
use super::{DIAGNOSTICS_FILE, META_FILE, OMEGA_FILE, SPECTRUM_FILE, TIMES_FILE};
use std::fmt;
use std::path::{Path, PathBuf};

/// Frames checked for finiteness per read while [`Truth::open`] streams `omega.npy`.
const CHECK_CHUNK_FRAMES: usize = 16;

/// A checked truth: metadata, times, spectra and diagnostics in memory; vorticity frames
/// (f32) read from `omega.npy` on demand ([`Truth::frame`], [`Truth::frames`]), so memory
/// follows what a command reads, not the file's size.
pub struct Truth {
    dir: PathBuf,
    meta: TruthMeta,
    omega: NpyFile<f32>,
    times: Vec<f64>,
    spectra: Vec<f64>,
    shells: usize,
    diagnostics: Vec<DiagnosticsRow>,
}

impl fmt::Debug for Truth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Truth")
            .field("dir", &self.dir)
            .field("truth_id", &self.meta.truth_id)
            .field("n", &self.meta.n)
            .field("frames", &self.times.len())
            .field("shells", &self.shells)
            .finish_non_exhaustive()
    }
}

/// The largest `meta.json` read (its `params` are a handful of numbers).
const MAX_META_BYTES: u64 = 16 << 20;

/// Reads and parses a truth's `meta.json` (at most [`MAX_META_BYTES`]).
pub(crate) fn read_meta(path: &Path) -> Result<TruthMeta, TruthError> {
    let json = dashi_core::files::read_bounded(path, MAX_META_BYTES).map_err(|e| bounded_error(path, e))?;
    serde_json::from_slice(&json).map_err(|e| TruthError::corrupt(path, format!("invalid meta.json: {e}")))
}

/// A bounded read's error as a [`TruthError`] on `path`.
pub(crate) fn bounded_error(path: &Path, e: dashi_core::files::BoundedReadError) -> TruthError {
    match e {
        dashi_core::files::BoundedReadError::Io { path, source } => TruthError::Io { path, source },
        other => TruthError::corrupt(path, other.to_string()),
    }
}

/// The index of the first non-finite value of `values`, and the value.
fn first_non_finite<T: Copy + Into<f64>>(values: &[T]) -> Option<(usize, f64)> {
    values.iter().map(|&v| v.into()).enumerate().find(|(_, v)| !v.is_finite())
}

impl Truth {
    /// Reads the truth directory `dir` (see [`resolve`](super::resolve) to find one).
    ///
    /// Checks, before trusting anything: `meta.json` parses and `stored_dtype` is `f32`;
    /// `omega.npy` is `<f4` `[frames, n, n]`, `t.npy` is `<f8` `[frames]`, `spectrum.npy`
    /// is `<f8` `[frames, K]` (each validated as NPY, allocation bounded by the file size);
    /// `diagnostics.csv` has one row per frame with the times of `t.npy`; every value is
    /// finite.
    pub fn open(dir: &Path) -> Result<Self, TruthError> {
        let truth = Self::open_lazy(dir)?;
        // Stream the frames through a bounded buffer: every value is checked, none kept.
        let count = truth.frame_count();
        let mut start = 0;
        while start < count {
            let end = (start + CHECK_CHUNK_FRAMES).min(count);
            truth.frames(start..end)?;
            start = end;
        }
        Ok(truth)
    }

    /// Like [`open`](Self::open) but without reading the vorticity frames: their count,
    /// shape and file length are checked, their values when they are read. What
    /// commands that need one frame or none use.
    pub fn open_lazy(dir: &Path) -> Result<Self, TruthError> {
        let meta_path = dir.join(META_FILE);
        let meta = read_meta(&meta_path)?;
        if meta.stored_dtype != "f32" {
            let reason = format!("stored_dtype {:?}; this crate reads \"f32\" truths", meta.stored_dtype);
            return Err(TruthError::corrupt(&meta_path, reason));
        }
        if meta.n == 0 || meta.n.checked_mul(meta.n).is_none() {
            return Err(TruthError::corrupt(&meta_path, format!("n = {} is not a usable grid size", meta.n)));
        }
        let frames = usize::try_from(meta.frames)
            .map_err(|_| TruthError::corrupt(&meta_path, format!("frames = {} does not fit in memory", meta.frames)))?;
        let mismatch = |path: &Path, expected: Vec<usize>, found: Vec<usize>| TruthError::ShapeMismatch {
            what: format!("{} (meta.json: frames = {frames}, n = {})", path.display(), meta.n),
            expected,
            found,
        };
        let non_finite = |path: &Path, frame_len: usize, (flat, value): (usize, f64)| TruthError::NonFinite {
            what: path.display().to_string(),
            frame: (flat / frame_len.max(1)) as u64,
            index: flat % frame_len.max(1),
            value,
        };

        let omega_path = dir.join(OMEGA_FILE);
        let omega = NpyFile::<f32>::open(&omega_path, 3)?;
        if omega.shape != [frames, meta.n, meta.n] {
            return Err(mismatch(&omega_path, vec![frames, meta.n, meta.n], omega.shape));
        }

        let times_path = dir.join(TIMES_FILE);
        let times = read_npy::<f64>(&times_path, 1)?;
        if times.shape != [frames] {
            return Err(mismatch(&times_path, vec![frames], times.shape));
        }
        if let Some(bad) = first_non_finite(&times.data) {
            return Err(non_finite(&times_path, 1, bad));
        }
        if let Some(i) = times.data.windows(2).position(|w| w[1] <= w[0]) {
            let reason = format!(
                "times must increase: t[{}] = {:e} is not after t[{i}] = {:e}",
                i + 1,
                times.data[i + 1],
                times.data[i]
            );
            return Err(TruthError::corrupt(&times_path, reason));
        }

        let spectrum_path = dir.join(SPECTRUM_FILE);
        let spectra = read_npy::<f64>(&spectrum_path, 2)?;
        let shells = spectra.shape[1];
        if spectra.shape[0] != frames {
            return Err(mismatch(&spectrum_path, vec![frames, shells], spectra.shape));
        }
        if let Some(bad) = first_non_finite(&spectra.data) {
            return Err(non_finite(&spectrum_path, shells, bad));
        }

        let diagnostics_path = dir.join(DIAGNOSTICS_FILE);
        let diagnostics = read_diagnostics_csv(&diagnostics_path, 4096 + 1024 * meta.frames)?;
        if diagnostics.len() != frames {
            let reason = format!("{} rows, expected one per frame ({frames})", diagnostics.len());
            return Err(TruthError::corrupt(&diagnostics_path, reason));
        }
        if let Some((i, (row, t))) =
            diagnostics.iter().zip(&times.data).enumerate().find(|(_, (row, t))| row.time != **t)
        {
            let reason = format!("row {i}: time {:e} differs from t.npy[{i}] = {t:e}", row.time);
            return Err(TruthError::corrupt(&diagnostics_path, reason));
        }

        Ok(Self { dir: dir.to_path_buf(), meta, omega, times: times.data, spectra: spectra.data, shells, diagnostics })
    }

    /// The directory read.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The truth's `meta.json`.
    pub fn meta(&self) -> &TruthMeta {
        &self.meta
    }

    /// Grid size: frames are `n × n`.
    pub fn n(&self) -> usize {
        self.meta.n
    }

    /// Number of frames.
    pub fn frame_count(&self) -> usize {
        self.times.len()
    }

    /// Vorticity of frame `i` (row-major `[iy][ix]`, `n²` values), read from
    /// `omega.npy`; [`TruthError::FrameRange`] past the end, [`TruthError::NonFinite`] if
    /// a value is not finite.
    pub fn frame(&self, i: usize) -> Result<Vec<f32>, TruthError> {
        self.frames(i..i.saturating_add(1))
    }

    /// Frames `range` back to back (`[frames][n][n]` in C order), read from `omega.npy`
    /// into one fallibly reserved buffer ([`TruthError::TooLarge`] if it cannot be had).
    pub fn frames(&self, range: std::ops::Range<usize>) -> Result<Vec<f32>, TruthError> {
        let count = self.frame_count();
        if range.start > range.end || range.end > count {
            return Err(TruthError::FrameRange { start: range.start, end: range.end, frames: count });
        }
        let len = self.meta.n * self.meta.n;
        let values = self.omega.read(range.start * len, (range.end - range.start) * len)?;
        if let Some((flat, value)) = first_non_finite(&values) {
            return Err(TruthError::NonFinite {
                what: self.dir.join(OMEGA_FILE).display().to_string(),
                frame: (range.start + flat / len.max(1)) as u64,
                index: flat % len.max(1),
                value,
            });
        }
        Ok(values)
    }

    /// Simulated time of every frame.
    pub fn times(&self) -> &[f64] {
        &self.times
    }

    /// Number of spectrum shells per frame.
    pub fn shells(&self) -> usize {
        self.shells
    }

    /// Shell spectrum E(k) of frame `i`, or `None` past the end.
    pub fn spectrum(&self, i: usize) -> Option<&[f64]> {
        if i >= self.frame_count() {
            return None;
        }
        self.spectra.get(i * self.shells..(i + 1) * self.shells)
    }

    /// Diagnostics of every frame.
    pub fn diagnostics(&self) -> &[DiagnosticsRow] {
        &self.diagnostics
    }
}
