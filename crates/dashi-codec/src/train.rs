//! From truth frames to a [`Model`]: encode every frame, fit on the training prefix.

use crate::config::{DecodeConfig, EncodeConfig, FitConfig};
use crate::encode::Encoder;
use crate::error::CodecError;
use crate::fit::fit;
use crate::model::{CODEC_VERSION, MODEL_KIND, Model, ModelMeta};
use dashi_core::ops::Executor;

/// Where the truth came from (recorded in the model header).
#[derive(Clone, Debug, PartialEq)]
pub struct TruthInfo {
    /// Truth id.
    pub truth_id: String,
    /// Solver id (e.g. `spectral_les_v1`).
    pub solver_id: String,
    /// Simulated time between frames (stride × dt).
    pub frame_dt: f64,
}

/// Settings of a training run.
#[derive(Clone, Copy, Debug, PartialEq, Default)]
pub struct TrainConfig {
    /// Encoder.
    pub encode: EncodeConfig,
    /// Fit.
    pub fit: FitConfig,
    /// Decoder defaults stored with the model.
    pub decode: DecodeConfig,
}

/// Encodes `frames` (`[T][N][N]`) on `exec` and fits the operator on the first
/// `train_frac` of the transitions. `progress(done, total)` is called per encoded frame.
pub fn train<E: Executor + ?Sized>(
    exec: &mut E,
    n: usize,
    frames: &[f64],
    truth: &TruthInfo,
    config: &TrainConfig,
    progress: impl FnMut(usize),
) -> Result<Model, CodecError> {
    config.decode.validate(n)?;
    if !frames.len().is_multiple_of(n * n) || frames.is_empty() {
        return Err(CodecError::Shape {
            what: "truth frames",
            expected: format!("T × {n}×{n}"),
            found: frames.len().to_string(),
        });
    }
    let count = frames.len() / (n * n);
    let mut encoder = Encoder::new(exec, n, &config.encode)?;
    let z = encoder.encode_all(exec, frames, progress)?;
    let layout = encoder.layout().clone();
    encoder.free(exec)?;
    let d = layout.dim();
    let fitted = fit(&z, d, &config.fit)?;
    let device = exec.device();
    let meta = ModelMeta {
        kind: MODEL_KIND.into(),
        codec_version: CODEC_VERSION,
        crate_version: env!("CARGO_PKG_VERSION").into(),
        n,
        encode: config.encode,
        decode: config.decode,
        fit: config.fit,
        dim: d,
        low_modes: layout.low_modes().len(),
        anchors: layout.anchors().len(),
        truth_id: truth.truth_id.clone(),
        solver_id: truth.solver_id.clone(),
        frame_dt: truth.frame_dt,
        frames: count,
        train_transitions: fitted.train_transitions,
        train_residual: fitted.train_residual,
        eval_residual: fitted.eval_residual,
        spectral_radius: fitted.spectral_radius,
        fft_norm: dashi_core::spectral::FFT_NORM.into(),
        encode_backend: format!("{} ({}, {})", device.backend, device.device_name, device.precision),
    };
    Ok(Model {
        meta,
        z0: z[..d].to_vec(),
        z_truth: Some(z.iter().map(|&v| v as f32).collect()),
        layout,
        operator: fitted.operator,
    })
}
