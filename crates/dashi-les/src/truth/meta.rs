//! `meta.json`: what produced a truth, and truth ids.

use super::error::TruthError;
use super::timestamp::Timestamp;
use serde::{Deserialize, Serialize};
use std::path::Path;

/// Longest truth id accepted (it names a directory).
const MAX_TRUTH_ID_LEN: usize = 128;

/// The contents of a truth's `meta.json`.
///
/// Unknown fields are ignored on reading, so later versions may add fields.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TruthMeta {
    /// The truth's id, also its directory name (see [`validate_truth_id`]).
    pub truth_id: String,
    /// The solver and its version of the equations, e.g. `spectral_les_v1`.
    pub solver_id: String,
    /// When the run started.
    pub created: Timestamp,
    /// Version of the crate that wrote the truth.
    pub crate_version: String,
    /// FFT normalisation convention (docs/DESIGN.md §4): `backward`.
    pub fft_norm: String,
    /// Floating-point type the solver computed in: `f64` (CPU reference) or `f32` (GPU).
    pub dtype: String,
    /// Element type of `omega.npy`: `f32`.
    pub stored_dtype: String,
    /// Backend asked for: `cpu`, `gpu` or `auto`.
    pub backend_requested: String,
    /// Backend that actually ran: `cpu` or `gpu` (what `latest:gpu` / `latest:cpu` select on).
    pub backend_used: String,
    /// Name of the device that ran (a CPU Vulkan device is named as such).
    pub device: String,
    /// Grid size: each frame is `n × n`.
    pub n: usize,
    /// Number of frames stored (set by the writer when it finishes).
    pub frames: u64,
    /// Every run parameter (dt, nu, cs, ic, seed, stride, steps, scheme, dealias,
    /// forcing, drag, …) as the caller supplies them.
    pub params: serde_json::Map<String, serde_json::Value>,
}

impl TruthMeta {
    /// Metadata created now by this crate, with `fft_norm = "backward"`,
    /// `dtype = "f64"`, `stored_dtype = "f32"`, zero frames and the backend fields empty:
    /// set them with [`with_backend`](Self::with_backend) (the writer refuses empty ones).
    pub fn new(
        truth_id: impl Into<String>,
        solver_id: impl Into<String>,
        n: usize,
        params: serde_json::Map<String, serde_json::Value>,
    ) -> Self {
        Self {
            truth_id: truth_id.into(),
            solver_id: solver_id.into(),
            created: Timestamp::now(),
            crate_version: env!("CARGO_PKG_VERSION").to_string(),
            fft_norm: "backward".to_string(),
            dtype: "f64".to_string(),
            stored_dtype: "f32".to_string(),
            backend_requested: String::new(),
            backend_used: String::new(),
            device: String::new(),
            n,
            frames: 0,
            params,
        }
    }

    /// Sets the backend requested, the backend used and the device name.
    pub fn with_backend(
        mut self,
        requested: impl Into<String>,
        used: impl Into<String>,
        device: impl Into<String>,
    ) -> Self {
        self.backend_requested = requested.into();
        self.backend_used = used.into();
        self.device = device.into();
        self
    }

    /// Sets the compute dtype (`f64` or `f32`).
    pub fn with_dtype(mut self, dtype: impl Into<String>) -> Self {
        self.dtype = dtype.into();
        self
    }

    /// Checks that this metadata can describe a truth this crate writes.
    pub fn validate(&self) -> Result<(), TruthError> {
        validate_truth_id(&self.truth_id)?;
        let invalid = |field, reason: &str| Err(TruthError::InvalidMeta { field, reason: reason.to_string() });
        let named = [
            ("solver_id", &self.solver_id),
            ("dtype", &self.dtype),
            ("backend_requested", &self.backend_requested),
            ("backend_used", &self.backend_used),
            ("device", &self.device),
        ];
        if let Some((field, _)) = named.iter().find(|(_, value)| value.trim().is_empty()) {
            return invalid(field, "must not be empty");
        }
        if self.n == 0 {
            return invalid("n", "the grid must have at least one point");
        }
        if self.fft_norm != "backward" {
            return invalid("fft_norm", "the only convention (docs/DESIGN.md §4) is \"backward\"");
        }
        if self.stored_dtype != "f32" {
            return invalid("stored_dtype", "omega.npy is stored as \"f32\"");
        }
        Ok(())
    }
}

/// Checks that `id` can name a truth: 1–128 characters from `A–Z a–z 0–9 . _ -`, starting
/// with a letter or digit, and none of the reserved names (`latest`, the manifest's files).
pub fn validate_truth_id(id: &str) -> Result<(), TruthError> {
    let invalid = |reason| Err(TruthError::InvalidTruthId { id: id.to_string(), reason });
    if id.is_empty() || id.len() > MAX_TRUTH_ID_LEN {
        return invalid("must be 1 to 128 characters long");
    }
    if !id.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-')) {
        return invalid("may only contain ASCII letters, digits, '.', '_' and '-'");
    }
    if !id.as_bytes()[0].is_ascii_alphanumeric() {
        return invalid("must start with a letter or digit");
    }
    if id == "latest" || id.starts_with("manifest.json") {
        return invalid("is reserved");
    }
    Ok(())
}

/// A fresh truth id `les-{ic}-n{n}-s{seed}-{backend}-{YYYYMMDDTHHMMSSZ}` for `root`:
/// `ic` and `backend` are lower-cased with other characters than letters and digits
/// replaced by `-`; when the id is taken (its directory or staging directory exists), a
/// suffix `-2`, `-3`, … is appended.
pub fn default_truth_id(root: &Path, ic: &str, n: usize, seed: u64, backend: &str, created: Timestamp) -> String {
    let slug = |text: &str| -> String {
        let slug: String =
            text.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' }).collect();
        if slug.is_empty() { "x".to_string() } else { slug }
    };
    let base = format!("les-{}-n{n}-s{seed}-{}-{}", slug(ic), slug(backend), created.to_compact());
    let taken = |id: &str| root.join(id).exists() || root.join(super::staging_dir_name(id)).exists();
    if !taken(&base) {
        return base;
    }
    (2u64..).map(|k| format!("{base}-{k}")).find(|id| !taken(id)).expect("a finite directory has a free name")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truth_ids() {
        for good in ["les-mcwilliams-n128-s1-cpu-20260501T120000Z", "a", "run1.5_b"] {
            validate_truth_id(good).unwrap();
        }
        for bad in ["", ".hidden", "-x", "a/b", "..", "a b", "latest", "latest:gpu", "manifest.json", "é"] {
            assert!(validate_truth_id(bad).is_err(), "accepted {bad:?}");
        }
        assert!(validate_truth_id(&"x".repeat(129)).is_err());
    }

    #[test]
    fn json_round_trip() {
        let mut params = serde_json::Map::new();
        params.insert("dt".into(), 0.01.into());
        let meta = TruthMeta::new("t1", "spectral_les_v1", 64, params).with_backend("auto", "cpu", "host CPU");
        let text = serde_json::to_string(&meta).unwrap();
        assert_eq!(serde_json::from_str::<TruthMeta>(&text).unwrap(), meta);
        meta.validate().unwrap();
        assert!(TruthMeta { backend_used: String::new(), ..meta }.validate().is_err());
    }
}
