//! The spectral layer (docs/DESIGN.md §4): 2D FFTs on the periodic square and the operators the
//! LES and the codec build on. The GPU backend must reproduce these conventions; this
//! module is its reference.
//!
//! # Conventions
//!
//! **Grid.** The domain is [0, 2π)² sampled at N×N points, N a power of two with
//! [`MIN_N`] ≤ N ≤ [`MAX_N`] (anything else is [`SpectralError::BadSize`], see
//! [`SpectralGrid`]). Arrays are row-major `[iy][ix]` (y slow, x fast), and
//! `x_j = y_j = 2πj/N`.
//!
//! **Wavenumbers.** Integer wavenumbers in FFT order, `k = fftfreq(N)·N`:
//! index i ↦ i for i < N/2 and i − N for i ≥ N/2, so index N/2 is −N/2 (the Nyquist
//! mode, whose sign is a convention). `|k|² = kx² + ky²`. A full spectrum
//! ([`Layout::Full`], N×N) uses this for both axes; a half spectrum of a real field
//! ([`Layout::Half`], N×(N/2+1)) keeps `kx = 0, 1, …, N/2` (NumPy's `rfftfreq`, so
//! its last column is `kx = +N/2`) and `ky` in FFT order.
//!
//! **Transform.** Forward unnormalised with e^{−i k·x}, inverse scaled by 1/N²:
//!
//! ```text
//!   f̂(kx, ky) = Σ_{y=0}^{N−1} Σ_{x=0}^{N−1} f[y][x] · e^{−2πi (kx·x + ky·y)/N}
//!   f[y][x]   = (1/N²) Σ_{ky} Σ_{kx} f̂(kx, ky) · e^{+2πi (kx·x + ky·y)/N}
//! ```
//!
//! This is NumPy's default normalisation, recorded in outputs as
//! `fft_norm = "backward"` ([`FFT_NORM`]); [`Fft2::fft2`], [`Fft2::ifft2`],
//! [`Fft2::rfft2`], [`Fft2::irfft2`] equal `np.fft.fft2`, `ifft2`, `rfft2`, `irfft2`.
//! Hence a single mode `cos(kx·x + ky·y)` transforms to N²/2 in the two bins ±k and 0
//! elsewhere, `sin(kx·x + ky·y)` to ∓i·N²/2 at ±k, and Parseval reads
//! `Σ_x |f|² = (1/N²) Σ_k |f̂|²`.
//!
//! **Derivatives.** `∂/∂x ↦ i·kx`, `∂/∂y ↦ i·ky`, `∇² ↦ −|k|²` ([`mul_i_kx`],
//! [`mul_i_ky`], [`mul_neg_k2`]); the inverse Laplacian multiplies by `−1/|k|²` with
//! the k = 0 mode set to zero ([`inverse_laplacian`]).
//!
//! **Stream function and velocity.** `∇²ψ = −ω`, so `ψ̂ = ω̂/|k|²` for k ≠ 0 and
//! `ψ̂(0) = 0`; `u = ∂ψ/∂y`, `v = −∂ψ/∂x`, i.e. `û = i·ky·ψ̂`, `v̂ = −i·kx·ψ̂`
//! ([`stream_function`], [`velocity_from_vorticity`]).
//!
//! **Dealiasing.** The 2/3 rule zeroes every mode with `|kx| > N/3` or `|ky| > N/3`
//! (tested exactly in integers as `3|k| > N`); it keeps `2⌊N/3⌋+1` wavenumbers per full
//! axis ([`dealias`], [`dealias_mask`], [`dealias_bits`]).
//!
//! **Exponential filter.** `ω̂ ← ω̂ · σ(|k|)` with
//!
//! ```text
//!   σ(|k|) = exp(−α (|k|/k_max)^p)   for |k| < k_max,      σ = 0 for |k| ≥ k_max,
//!   k_max  = N/2  (the Nyquist wavenumber)
//! ```
//!
//! α ≥ 0, p > 0 (prototype defaults α = 36, p = 8; softer α = 12–24, p = 4–8),
//! see [`ExponentialFilter`].
//!
//! **Energy spectrum.** For component spectra `f̂_c` of real fields (velocity: û, v̂)
//! the energy of a mode is
//!
//! ```text
//!   e(k) = w(k) · ½ Σ_c |f̂_c(k)|² / N⁴,
//! ```
//!
//! with `w = 1` in the full layout; in the half layout `w = 2` for `0 < kx < N/2` (the
//! mode and its unstored conjugate at −k) and `w = 1` on the `kx = 0` and `kx = N/2`
//! columns. By Parseval `Σ_k e(k) = ½·mean_x Σ_c f_c²`, for velocity the mean kinetic
//! energy `E = ½·mean(u² + v²)`. Shell `s(k) = round(|k|)` (the integer nearest |k|;
//! never a tie since |k|² is an integer), `s = 0 … round(N/√2)`, and
//!
//! ```text
//!   E(s) = Σ_{k : round(|k|) = s} e(k),      Σ_s E(s) = E    (Parseval).
//! ```
//!
//! This is a shell *sum* — what the turbulence literature calls the shell-averaged
//! spectrum (angle average × shell circumference); see [`shell_spectrum`] and
//! [`shell_spectrum_from_vorticity`] (where `|û|² + |v̂|² = |ω̂|²/|k|²`).
//!
//! **Band energies.** With cuts `0 ≤ k_cut ≤ mid_cut` ([`BandCuts`]): *low* is
//! `|k| ≤ k_cut`; *mid* is `k_cut < |k| ≤ mid_cut` excluding the Nyquist modes
//! (`|kx| = N/2` or `|ky| = N/2`); *high* is every other mode (so low + mid + high = E).
//! Membership compares `√|k|²` (correctly rounded f64) with the cut; [`band_mask`]
//! gives it per mode for other backends to reuse bit for bit.
//!
//! **Nyquist modes and odd derivatives.** On a Nyquist line `i·kx` uses −N/2 in the
//! full layout and +N/2 in the half layout, as NumPy's `fftfreq`/`rfftfreq` do. The 2/3
//! rule and the exponential filter both zero these modes, so dealiased or filtered
//! fields never see the difference.
//!
//! # Precision
//!
//! Everything is generic over [`SpectralReal`] = `f64` or `f32` (one generic code
//! path, two instantiations). Tested bounds (`tests/spectral.rs`): f64 agrees with a
//! naive O(N⁴) DFT and round-trips within 1e-12 relative L2; f32 within 1e-6. Measured
//! (random complex fields, N = 2 … 1024): f64 round trip ≤ 5.4e-16; f32 round trip
//! ≤ 2.4e-7 and f32 forward against f64 ≤ 1.6e-7, growing like log N. Operator factors
//! (1/|k|², σ) are computed in f64 and rounded once to the field's precision; energies
//! are accumulated in f64.
//!
//! # Errors
//!
//! Every entry point checks lengths against the grid and layout
//! ([`SpectralError::Length`]) and rejects NaN/±∞ input with
//! [`SpectralError::NonFinite`] naming the first offending index; operators check
//! before they modify anything, so on error their buffer is unchanged. Bad parameters
//! (α, p, cuts) are [`SpectralError::Parameter`]. Nothing panics on user input.

mod energy;
mod error;
mod fft;
mod grid;
mod ops;
mod parallel;
#[cfg(test)]
mod tests;

pub use energy::{BandCuts, BandEnergies, band_energies, band_mask, shell_spectrum, shell_spectrum_from_vorticity};
pub use error::SpectralError;
pub use fft::{COL_BATCH, Fft2, Fft2Planner, PARALLEL_MIN_N, SpectralReal};
pub use grid::{Layout, SpectralGrid};
pub use ops::{
    ExponentialFilter, VelocitySpectra, dealias, dealias_bits, dealias_keeps, dealias_mask, inverse_laplacian,
    mul_i_kx, mul_i_ky, mul_neg_k2, stream_function, velocity_from_vorticity,
};
/// The complex type of every spectrum: rustfft's re-export of `num_complex::Complex`.
pub use rustfft::num_complex::Complex;

/// The FFT normalisation, as recorded in every output's metadata (docs/DESIGN.md §4): NumPy's
/// `"backward"` — forward unscaled, inverse × 1/N².
pub const FFT_NORM: &str = "backward";

/// Smallest supported N.
pub const MIN_N: usize = 2;

/// Largest supported N (a 8192² f64 complex field is 1 GiB).
pub const MAX_N: usize = 8192;
