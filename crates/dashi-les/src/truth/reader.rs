//! Reading a truth directory back, with every file checked against the others.

use super::diagnostics::{DiagnosticsRow, read_diagnostics_csv};
use super::error::TruthError;
use super::meta::TruthMeta;
use super::npy::read_npy;
use super::{DIAGNOSTICS_FILE, META_FILE, OMEGA_FILE, SPECTRUM_FILE, TIMES_FILE};
use std::fmt;
use std::path::{Path, PathBuf};

/// A truth loaded into memory: metadata, vorticity frames (f32), times, spectra and
/// diagnostics.
pub struct Truth {
    dir: PathBuf,
    meta: TruthMeta,
    omega: Vec<f32>,
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
        let meta_path = dir.join(META_FILE);
        let meta_json = std::fs::read(&meta_path).map_err(TruthError::io(&meta_path))?;
        let meta: TruthMeta = serde_json::from_slice(&meta_json)
            .map_err(|e| TruthError::corrupt(&meta_path, format!("invalid meta.json: {e}")))?;
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
        let omega = read_npy::<f32>(&omega_path, 3)?;
        if omega.shape != [frames, meta.n, meta.n] {
            return Err(mismatch(&omega_path, vec![frames, meta.n, meta.n], omega.shape));
        }
        if let Some(bad) = first_non_finite(&omega.data) {
            return Err(non_finite(&omega_path, meta.n * meta.n, bad));
        }

        let times_path = dir.join(TIMES_FILE);
        let times = read_npy::<f64>(&times_path, 1)?;
        if times.shape != [frames] {
            return Err(mismatch(&times_path, vec![frames], times.shape));
        }
        if let Some(bad) = first_non_finite(&times.data) {
            return Err(non_finite(&times_path, 1, bad));
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
        let diagnostics = read_diagnostics_csv(&diagnostics_path)?;
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

        Ok(Self {
            dir: dir.to_path_buf(),
            meta,
            omega: omega.data,
            times: times.data,
            spectra: spectra.data,
            shells,
            diagnostics,
        })
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

    /// Vorticity of frame `i` (row-major `[iy][ix]`, `n²` values), or `None` past the end.
    pub fn frame(&self, i: usize) -> Option<&[f32]> {
        let len = self.meta.n * self.meta.n;
        self.omega.get(i.checked_mul(len)?..i.checked_add(1)?.checked_mul(len)?)
    }

    /// All frames back to back: `[frames][n][n]` in C order.
    pub fn omega(&self) -> &[f32] {
        &self.omega
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
