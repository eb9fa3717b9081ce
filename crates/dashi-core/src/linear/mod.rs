//! Linear rollout in the **row-vector convention**.
//!
//! The state `z ∈ ℝ^D` is a *row* vector and one step is
//!
//! ```text
//! z_{t+1} = z_t · A        i.e.   z_{t+1}[j] = Σ_i z_t[i] · A[i][j]
//! ```
//!
//! with `A` stored row-major (`A[i][j]` at `i·D + j`) — the prototype's NumPy
//! `z @ A`. Consequently `z_t = z_0 · A^t` and powers compose on the right.
//!
//! * [`LinearOperator`] — the dense `D×D` matrix, with [`LinearOperator::power`] by
//!   repeated squaring and a cached [`PowerLadder`] of `A^(2^j)` for jumps to any `t`;
//! * [`Stepper`] — the fastest bit-identical step on this machine (two cores split the
//!   output columns when `D ≥ 256`);
//! * [`rollout`] — steps any [`Step`] with double-buffered state, checks every state
//!   for NaN/Inf (an error naming the step) and calls an [`Observer`] at strides;
//! * [`rollout_jumping`] — when only every `s`-th state is observed, steps by `A^s`
//!   instead (one gemv per snapshot instead of `s`);
//! * [`DeviceRollout`] / [`rollout_on`] — the same rollout on any executor (CPU or
//!   GPU), state device-resident, read back only at observations.
//!
//! The gemv kernel ([`gemv_row`]) sums each output in ascending `i` with plain
//! multiply-then-add, so results are bit-identical whatever SIMD the CPU offers, and
//! state hashes ([`crate::hash`]) are reproducible across machines.

mod device;
mod gemv;
mod ladder;
mod operator;
mod orthogonal;
mod parallel;
mod rollout;

pub use device::{DeviceRollout, SUBMIT_STEPS, rollout_on};
pub use gemv::{gemm_rows, gemv_row};
pub use ladder::PowerLadder;
pub use operator::{LinearOperator, OperatorError};
pub use orthogonal::random_orthogonal;
pub use parallel::{PARALLEL_MIN_DIM, ParallelStepper, Stepper};
pub use rollout::{
    HashObserver, MetricsObserver, Observer, RolloutError, RolloutSummary, SnapshotObserver, StateMetrics, Step,
    StrideJump, rollout, rollout_jumping,
};
