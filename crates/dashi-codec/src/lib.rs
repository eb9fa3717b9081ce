//! The v4 proxy codec (docs/DESIGN.md §6), written once over [`dashi_core::ops::Executor`]:
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
//! are docs/DESIGN.md §4 (`fft_norm = "backward"`, full-layout spectra `[ky][kx]`, `k = fftfreq(N)·N`).
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
pub mod ops;
mod scores;
mod train;

pub use config::{DEFAULT_FINING_LEVELS, DecodeConfig, EncodeConfig, FitConfig, Prior, Residual};
/// The rollout of a fitted operator: dashi-core's executor rollout (one implementation).
pub use dashi_core::linear::DeviceRollout as Rollout;
pub use decode::{Decoder, MaskLevel, MaskReport};
pub use encode::Encoder;
pub use error::CodecError;
pub use evaluate::{EvalOptions, FrameRecord, evaluate};
pub use fit::{Fitted, fit, train_transitions};
pub use layout::{ProxyLayout, codes};
pub use model::{CODEC_VERSION, MODEL_KIND, Model, ModelMeta};
pub use scores::{
    FrameScores, HIGH_CORRELATION, Scorer, correlation, high_correlation_time, log_spectral_distance, rel_l2,
};
pub use train::{TrainConfig, TruthInfo, train};

/// The README's example, compiled and run as a doctest so it cannot rot.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
