//! # dashi-core — the CORE lane of DASHI
//!
//! Everything in DASHI sits on a **ternary carrier**: values in `T = {−1, 0, +1}`,
//! always stored factored as *support* ∈ {0,1} × *sign* ∈ {−1,+1} (two bit-planes,
//! canonical: the sign bit is 0 wherever the support bit is 0). This crate holds:
//!
//! * [`carrier`] — [`Trit`], [`Shape`], [`Carrier`], periodic neighbourhoods;
//! * [`packing`] — the lossless 5-trits-per-byte transport form (3⁵ = 243 ≤ 256);
//! * [`admissibility`] — PDA decisions (Accept / Project / Reject), never a carrier sign;
//! * [`kernel`] — carrier kernels with a declared invariant class and a reusable
//!   invariant checker; `Threshold`, `Majority`, `MajorityFusion`, `Annihilate`,
//!   `Fining`, coherence statistics;
//! * [`ops`] — the KernelOp ABI: typed ops ([`ops::Op`], [`ops::OpSpec`]) that carry
//!   their CPU kernel and WGSL, the [`ops::Executor`] trait, the CPU executor
//!   [`ops::CpuExecutor`] (f64 or f32), the generic op families (elementwise, linear,
//!   reduce, select, gather, carrier, fft, spectral) and the shared op-test harness;
//! * [`linear`] — [`linear::LinearOperator`] with the **row-vector convention**
//!   `z_{t+1} = z_t · A`, rollout with observers and a NaN/Inf guard, stride jumping
//!   by `A^s`, power-ladder jumps to any `t`;
//! * [`hash`] — the canonical BLAKE2b-128 state hash;
//! * [`random`] — the seeded generators every backend reproduces bit for bit;
//! * [`spectral`] — the spectral layer (conventions in docs/DESIGN.md §4): cached 2D FFTs (rustfft/realfft, f64 and
//!   f32, `fft_norm = "backward"`), derivatives, inverse Laplacian, 2/3 dealiasing, the
//!   exponential filter, shell spectrum and band energies.
//!
//! The crate is pure: no GPU, no file IO. Every fallible public entry point returns a
//! typed error (`thiserror`); none panics on user input.
#![deny(missing_docs)]

/// Re-exported for the op-definition macros ([`op_params!`], [`buffer_set!`], [`kernel_op!`]).
pub use bytemuck;

pub mod admissibility;
pub mod carrier;
pub mod files;
pub mod hash;
pub mod kernel;
pub mod linear;
pub mod ops;
pub mod packing;
pub mod random;
pub mod scalar;
pub mod spectral;

pub use admissibility::Admissibility;
pub use carrier::{Carrier, CarrierError, Neighbourhood, Shape, Stencil, Trit};
pub use hash::{StateHash, state_hash, state_hash_f32};

/// The README's example, compiled and run as a doctest so it cannot rot.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
