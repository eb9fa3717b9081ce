//! Scoring a model against truth frames (docs/DESIGN.md §6): the autonomous rollout decoded
//! every `decode_every` frames, next to two honest baselines measured on the same frames:
//!
//! - **persistence** `ω(t) = ω(0)` (the truth's first frame);
//! - **ideal low-pass**: the truth itself encoded and decoded with `residual = none`
//!   (its low band `0 < |k| ≤ k_cut`, exactly what the proxy could at best keep);
//!
//! and, optionally, the **reconstruction** `decode(encode(truth_t))` (compression only,
//! no dynamics), whose gap to the rollout is what the operator loses.

use crate::Rollout;
use crate::config::{DecodeConfig, Residual};
use crate::decode::{Decoder, MaskReport};
use crate::encode::Encoder;
use crate::error::CodecError;
use crate::model::Model;
use crate::scores::{FrameScores, Scorer};
use dashi_core::ops::Executor;

/// What to evaluate.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct EvalOptions {
    /// Decode and score every this many frames (≥ 1).
    pub decode_every: usize,
    /// Score the persistence and ideal low-pass baselines per scored frame (they do not
    /// depend on the operator: a sweep over operators or z0 needs them once, not per run).
    pub baselines: bool,
    /// Also score `decode(encode(truth_t))` per scored frame.
    pub reconstruction: bool,
    /// Decoder settings (usually the model's, possibly overridden).
    pub decode: DecodeConfig,
}

/// Scores of one scored frame.
#[derive(Clone, Debug)]
pub struct FrameRecord {
    /// Frame index (0 = the initial state).
    pub frame: usize,
    /// Simulated time `frame · frame_dt`.
    pub time: f64,
    /// The model's rollout, decoded.
    pub rollout: FrameScores,
    /// Persistence baseline (if requested).
    pub persistence: Option<FrameScores>,
    /// Ideal low-pass baseline (if requested).
    pub low_pass: Option<FrameScores>,
    /// `decode(encode(truth))`, if requested.
    pub reconstruction: Option<FrameScores>,
    /// Mask statistics of the rollout's decode.
    pub mask: MaskReport,
}

/// Rolls `model` out over `frames` truth frames (`[T][N][N]`, frame 0 = the model's
/// start) and scores every `decode_every`-th frame. `on_frame` receives each record
/// with the decoded and truth fields (for pictures), in order.
pub fn evaluate<E: Executor + ?Sized>(
    exec: &mut E,
    model: &Model,
    frames: &[f64],
    z_start: &[f64],
    options: &EvalOptions,
    mut on_frame: impl FnMut(&FrameRecord, &[f64], &[f64]) -> Result<(), CodecError>,
) -> Result<Vec<FrameRecord>, CodecError> {
    let n = model.layout.n();
    let n2 = n * n;
    if frames.is_empty() || !frames.len().is_multiple_of(n2) {
        return Err(CodecError::Shape {
            what: "truth frames",
            expected: format!("T × {n}×{n}"),
            found: frames.len().to_string(),
        });
    }
    if options.decode_every == 0 {
        return Err(crate::error::config_error("decode-every", 0, "must be >= 1"));
    }
    let count = frames.len() / n2;
    let scorer = Scorer::new(n)?;
    let mut decoder = Decoder::new(exec, &model.layout, &options.decode)?;
    let low_config = DecodeConfig { residual: Residual::None, ..options.decode };
    let mut low_decoder = Decoder::new(exec, &model.layout, &low_config)?;
    let mut encoder = Encoder::with_layout(exec, model.layout.clone())?;
    let mut rollout = Rollout::new(exec, &model.operator, z_start, 1, 1)?;
    let first = &frames[..n2];
    let mut records = Vec::new();
    for frame in 0..count {
        if frame > 0 {
            rollout.step(exec)?;
        }
        if frame % options.decode_every != 0 && frame != count - 1 {
            continue;
        }
        let truth = &frames[frame * n2..(frame + 1) * n2];
        // Stop with an error naming the frame if the rollout diverged.
        rollout.download(exec)?;
        decoder.enqueue(exec, rollout.state_buffer(), frame as u64)?;
        let decoded = decoder.download(exec)?;
        let mask = decoder.mask_report(exec)?;
        let needs_truth_code = options.baselines || options.reconstruction;
        let z_truth = if needs_truth_code { Some(encoder.encode_on_device(exec, truth)?) } else { None };
        let low_pass = match z_truth.filter(|_| options.baselines) {
            Some(z) => {
                low_decoder.enqueue(exec, z, frame as u64)?;
                Some(scorer.score(&low_decoder.download(exec)?, truth))
            }
            None => None,
        };
        // The encoded truth is already on the device: decode it in place (the rollout's
        // decode has been read back above).
        let reconstruction = match z_truth.filter(|_| options.reconstruction) {
            Some(z) => {
                decoder.enqueue(exec, z, frame as u64)?;
                Some(scorer.score(&decoder.download(exec)?, truth))
            }
            None => None,
        };
        let record = FrameRecord {
            frame,
            time: frame as f64 * model.meta.frame_dt,
            rollout: scorer.score(&decoded, truth),
            persistence: options.baselines.then(|| scorer.score(first, truth)),
            low_pass,
            reconstruction,
            mask,
        };
        on_frame(&record, &decoded, truth)?;
        records.push(record);
    }
    rollout.free(exec)?;
    encoder.free(exec)?;
    decoder.free(exec)?;
    low_decoder.free(exec)?;
    Ok(records)
}
