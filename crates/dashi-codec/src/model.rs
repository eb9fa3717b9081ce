//! The fitted model and its `.dashi` file (docs/DESIGN.md §6): JSON header [`ModelMeta`] plus
//! sections `operator` (f64 [D, D], row-major, `z_{t+1} = z_t·A`), `z0` (f64 [D]),
//! `anchors` (u32 [K], full-layout mode indices in selection order) and optionally
//! `z_truth` (f32 [T, D], the encoded truth trajectory, for scoring without the truth).

use crate::config::{DecodeConfig, EncodeConfig, FitConfig};
use crate::container::{Container, Section};
use crate::error::CodecError;
use crate::layout::ProxyLayout;
use dashi_core::linear::LinearOperator;
use serde::{Deserialize, Serialize};
use std::path::Path;

/// The header's `kind`.
pub const MODEL_KIND: &str = "dashi-v4-model";
/// The header's `codec_version` this build reads and writes.
pub const CODEC_VERSION: u32 = 1;

/// Everything about a model except its arrays (the container's JSON header).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ModelMeta {
    /// Always [`MODEL_KIND`].
    pub kind: String,
    /// Layout/semantics version of the model ([`CODEC_VERSION`]).
    pub codec_version: u32,
    /// Version of the crate that wrote it.
    pub crate_version: String,
    /// Grid size N.
    pub n: usize,
    /// Encoder settings.
    pub encode: EncodeConfig,
    /// Decoder settings (defaults for `dashi decode`; flags may override).
    pub decode: DecodeConfig,
    /// Fit settings.
    pub fit: FitConfig,
    /// Proxy dimension D = 2L + 4 + 2K.
    pub dim: usize,
    /// Low-band modes stored, L.
    pub low_modes: usize,
    /// Anchors, K.
    pub anchors: usize,
    /// Truth the model was fitted on.
    pub truth_id: String,
    /// Solver that produced the truth (e.g. `spectral_les_v1`).
    pub solver_id: String,
    /// Simulated time per operator step: one step advances one truth frame (stride × dt).
    pub frame_dt: f64,
    /// Truth frames encoded.
    pub frames: usize,
    /// Training transitions (frames 0..=train_transitions); the rest is the eval horizon.
    pub train_transitions: usize,
    /// One-step relative residual on the training transitions.
    pub train_residual: f64,
    /// One-step relative residual on the eval transitions.
    pub eval_residual: Option<f64>,
    /// Largest |eigenvalue| of A (`None`: not computed, the Schur iteration did not converge).
    pub spectral_radius: Option<f64>,
    /// FFT normalisation of the stored coefficients (docs/DESIGN.md §4): `"backward"`.
    pub fft_norm: String,
    /// Backend and device that encoded the truth.
    pub encode_backend: String,
}

/// A fitted v4 model.
#[derive(Clone, Debug)]
pub struct Model {
    /// Header.
    pub meta: ModelMeta,
    /// Layout with the frozen anchors.
    pub layout: ProxyLayout,
    /// The operator A.
    pub operator: LinearOperator<f64>,
    /// Initial proxy state (the encoded first truth frame).
    pub z0: Vec<f64>,
    /// Encoded truth trajectory `[frames][D]`, if stored.
    pub z_truth: Option<Vec<f32>>,
}

fn bad(message: impl Into<String>) -> CodecError {
    CodecError::Model(message.into())
}

impl Model {
    /// The container form.
    pub fn to_container(&self) -> Result<Container, CodecError> {
        let header = match serde_json::to_value(&self.meta).map_err(|e| bad(e.to_string()))? {
            serde_json::Value::Object(map) => map,
            _ => return Err(bad("model header is not a JSON object")),
        };
        let d = self.meta.dim as u64;
        let mut c = Container::new(header);
        c.push(Section::f64("operator", &[d, d], self.operator.as_slice().to_vec())?)?;
        c.push(Section::f64("z0", &[d], self.z0.clone())?)?;
        let anchors = self.layout.anchors().to_vec();
        c.push(Section::u32("anchors", &[anchors.len() as u64], anchors)?)?;
        if let Some(z) = &self.z_truth {
            c.push(Section::f32("z_truth", &[(z.len() as u64) / d.max(1), d], z.clone())?)?;
        }
        Ok(c)
    }

    /// Writes the model atomically (refuses to overwrite unless `overwrite`).
    pub fn write(&self, path: &Path, overwrite: bool) -> Result<(), CodecError> {
        Ok(self.to_container()?.write_atomic(path, overwrite)?)
    }

    /// Reads and validates a model file.
    pub fn read(path: &Path) -> Result<Self, CodecError> {
        Self::from_container(Container::read(path)?)
    }

    /// Validates a container as a model.
    pub fn from_container(c: Container) -> Result<Self, CodecError> {
        let meta: ModelMeta = serde_json::from_value(serde_json::Value::Object(c.header.clone()))
            .map_err(|e| bad(format!("header is not a v4 model header: {e}")))?;
        if meta.kind != MODEL_KIND {
            return Err(bad(format!("kind {:?} is not {MODEL_KIND:?}", meta.kind)));
        }
        if meta.codec_version != CODEC_VERSION {
            return Err(bad(format!("codec_version {} (this build reads {CODEC_VERSION})", meta.codec_version)));
        }
        let section = |name: &str| c.section(name).ok_or_else(|| bad(format!("missing section {name:?}")));
        let anchors = section("anchors")?.as_u32().ok_or_else(|| bad("section \"anchors\" is not u32"))?.to_vec();
        let layout = ProxyLayout::new(meta.n, &meta.encode)?.with_anchors(anchors)?;
        let d = layout.dim();
        if meta.dim != d || meta.low_modes != layout.low_modes().len() || meta.anchors != layout.anchors().len() {
            return Err(bad(format!(
                "header says D = {} (L = {}, K = {}) but the settings and anchors give D = {d} (L = {}, K = {})",
                meta.dim,
                meta.low_modes,
                meta.anchors,
                layout.low_modes().len(),
                layout.anchors().len()
            )));
        }
        let finite = |name: &str, v: &[f64]| match v.iter().position(|x| !x.is_finite()) {
            Some(i) => Err(CodecError::NonFinite { what: format!("model section {name:?}"), index: i, value: v[i] }),
            None => Ok(()),
        };
        if !(meta.frame_dt.is_finite() && meta.frame_dt > 0.0) {
            return Err(bad(format!("frame_dt = {}: one step must be a finite time > 0", meta.frame_dt)));
        }
        meta.fit.validate().map_err(|e| bad(format!("fit settings: {e}")))?;
        let operator_section = section("operator")?;
        if operator_section.shape != [d as u64, d as u64] {
            return Err(bad(format!("operator has shape {:?}, expected [D, D] = [{d}, {d}]", operator_section.shape)));
        }
        let a = operator_section.as_f64().ok_or_else(|| bad("section \"operator\" is not f64"))?;
        if a.len() != d * d {
            return Err(bad(format!("operator has {} entries, D² = {}", a.len(), d * d)));
        }
        finite("operator", a)?;
        let z0 = section("z0")?.as_f64().ok_or_else(|| bad("section \"z0\" is not f64"))?.to_vec();
        if z0.len() != d {
            return Err(bad(format!("z0 has {} entries, D = {d}", z0.len())));
        }
        finite("z0", &z0)?;
        let z_truth = match c.section("z_truth") {
            None => None,
            Some(s) => {
                let z = s.as_f32().ok_or_else(|| bad("section \"z_truth\" is not f32"))?.to_vec();
                if z.len() % d != 0 {
                    return Err(bad(format!("z_truth has {} entries, not a multiple of D = {d}", z.len())));
                }
                Some(z)
            }
        };
        let operator = LinearOperator::new(d, a.to_vec()).map_err(|e| bad(e.to_string()))?;
        Ok(Model { meta, layout, operator, z0, z_truth })
    }
}
