//! The v4 proxy codec (SPEC §6), written once over [`dashi_core::ops::Executor`]:
//!
//! ```text
//! encode   ω → z = [low_re, low_im, (0, E_mid, E_high, K), anchor_re, anchor_im]
//! fit      A = argmin Σ‖z_{t+1} − z_t·A‖² + λ‖A‖²      (row-vector convention)
//! rollout  z_{t+1} = z_t·A  (device-resident, stride jumping by A^s, batched)
//! decode   z → ω = ω_lp + |m|·ω_res   (mask m ∈ T from the ternary pipeline + fining)
//! scores   rel-L2, correlation, energy/enstrophy ratios, log-spectral distance,
//!          high-correlation time
//! ```
//!
//! One operator step advances one truth frame (the truth's stride × dt). Conventions
//! are SPEC §4 (`fft_norm = "backward"`, full-layout spectra `[ky][kx]`, `k = fftfreq(N)·N`).
//! Model files are `.dashi` containers ([`container`], [`Model`]).

#![deny(missing_docs)]

mod config;
pub mod container;
mod decode;
mod encode;
mod error;
mod evaluate;
mod fit;
mod layout;
mod model;
mod rollout;
mod scores;
mod train;

pub use config::{DEFAULT_FINING_LEVELS, DecodeConfig, EncodeConfig, FitConfig, Prior, Residual};
pub use decode::{Decoder, MaskLevel, MaskReport};
pub use encode::Encoder;
pub use error::CodecError;
pub use evaluate::{EvalOptions, FrameRecord, evaluate};
pub use fit::{Fitted, fit, train_transitions};
pub use layout::ProxyLayout;
pub use model::{CODEC_VERSION, MODEL_KIND, Model, ModelMeta};
pub use rollout::Rollout;
pub use scores::{
    FrameScores, HIGH_CORRELATION, Scorer, correlation, high_correlation_time, log_spectral_distance, rel_l2,
};
pub use train::{TrainConfig, TruthInfo, train};

/// Enqueues `op` with a typed parameter block on any executor, sized or not
/// ([`dashi_core::ops::Executor::run`] needs `Self: Sized`; the CLI holds `dyn Executor`).
pub(crate) fn dispatch<E: dashi_core::ops::Executor + ?Sized, P: bytemuck::Pod>(
    exec: &mut E,
    op: &'static dashi_core::ops::OpSpec,
    buffers: &[dashi_core::ops::BufferId],
    params: &P,
) -> Result<(), dashi_core::ops::ExecError> {
    exec.enqueue(op, buffers, bytemuck::bytes_of(params))
}

/// The README's example, compiled and run as a doctest so it cannot rot.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
