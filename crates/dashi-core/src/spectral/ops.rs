//! Operators on spectra: derivatives, Laplacian and its inverse, stream function and
//! velocity, the 2/3 dealias mask, the exponential filter. Conventions: module docs of
//! [`crate::spectral`].
//!
//! Each operator takes the grid, the [`Layout`] of the buffer (full N×N or half
//! N×(N/2+1)) and the spectrum, checks its length and finiteness *before* touching it,
//! and then works in place, one pass, row by row (`ky` fixed per row).

use super::grid::check_finite;
use super::{Layout, SpectralError, SpectralGrid};
use crate::scalar::Real;
use rustfft::num_complex::Complex;

/// Length and NaN/Inf check of a spectrum.
fn check<T: Real>(
    grid: SpectralGrid,
    layout: Layout,
    what: &'static str,
    s: &[Complex<T>],
) -> Result<(), SpectralError> {
    grid.check_len(what, grid.spectrum_len(layout), s.len())?;
    check_finite(what, s, grid.width(layout))
}

/// `s ← s · factor(iy, ix)` for a real factor computed in f64.
fn scale_by<T: Real>(grid: SpectralGrid, layout: Layout, s: &mut [Complex<T>], factor: impl Fn(usize, usize) -> f64) {
    let w = grid.width(layout);
    for (iy, row) in s.chunks_mut(w).enumerate() {
        for (ix, c) in row.iter_mut().enumerate() {
            let f = T::from_f64(factor(iy, ix));
            *c = Complex::new(c.re * f, c.im * f);
        }
    }
}

/// `s ← i·k·s` with `k` from `k_of(iy, ix)`: `(a + ib)·ik = −bk + iak`.
fn times_i_k<T: Real>(grid: SpectralGrid, layout: Layout, s: &mut [Complex<T>], k_of: impl Fn(usize, usize) -> i64) {
    let w = grid.width(layout);
    for (iy, row) in s.chunks_mut(w).enumerate() {
        for (ix, c) in row.iter_mut().enumerate() {
            let k = T::from_f64(k_of(iy, ix) as f64);
            *c = Complex::new(-(c.im * k), c.re * k);
        }
    }
}

/// `ŝ ← i·kx·ŝ`: the x-derivative `∂/∂x`.
pub fn mul_i_kx<T: Real>(grid: SpectralGrid, layout: Layout, spectrum: &mut [Complex<T>]) -> Result<(), SpectralError> {
    check(grid, layout, "spectrum", spectrum)?;
    times_i_k(grid, layout, spectrum, |_, ix| grid.kx(layout, ix));
    Ok(())
}

/// `ŝ ← i·ky·ŝ`: the y-derivative `∂/∂y`.
pub fn mul_i_ky<T: Real>(grid: SpectralGrid, layout: Layout, spectrum: &mut [Complex<T>]) -> Result<(), SpectralError> {
    check(grid, layout, "spectrum", spectrum)?;
    times_i_k(grid, layout, spectrum, |iy, _| grid.ky(iy));
    Ok(())
}

/// `ŝ ← −|k|²·ŝ`: the Laplacian `∇²`.
pub fn mul_neg_k2<T: Real>(
    grid: SpectralGrid,
    layout: Layout,
    spectrum: &mut [Complex<T>],
) -> Result<(), SpectralError> {
    check(grid, layout, "spectrum", spectrum)?;
    scale_by(grid, layout, spectrum, |iy, ix| -(grid.k2_at(layout, iy, ix) as f64));
    Ok(())
}

/// `ŝ ← −ŝ/|k|²` for k ≠ 0 and `ŝ(0) ← 0`: the inverse Laplacian `∇⁻²` on zero-mean
/// fields (it undoes [`mul_neg_k2`] except at k = 0).
pub fn inverse_laplacian<T: Real>(
    grid: SpectralGrid,
    layout: Layout,
    spectrum: &mut [Complex<T>],
) -> Result<(), SpectralError> {
    check(grid, layout, "spectrum", spectrum)?;
    scale_by(grid, layout, spectrum, |iy, ix| match grid.k2_at(layout, iy, ix) {
        0 => 0.0,
        k2 => -1.0 / k2 as f64,
    });
    Ok(())
}

/// `ω̂ ← ψ̂ = ω̂/|k|²` for k ≠ 0, `ψ̂(0) = 0`: the stream function of `∇²ψ = −ω`.
pub fn stream_function<T: Real>(
    grid: SpectralGrid,
    layout: Layout,
    vorticity: &mut [Complex<T>],
) -> Result<(), SpectralError> {
    check(grid, layout, "vorticity", vorticity)?;
    scale_by(grid, layout, vorticity, |iy, ix| match grid.k2_at(layout, iy, ix) {
        0 => 0.0,
        k2 => 1.0 / k2 as f64,
    });
    Ok(())
}

/// The two velocity spectra `(û, v̂)` of [`velocity_from_vorticity`].
pub type VelocitySpectra<T> = (Vec<Complex<T>>, Vec<Complex<T>>);

/// `(û, v̂) = (i·ky·ψ̂, −i·kx·ψ̂)` with `ψ̂ = ω̂/|k|²` ([`stream_function`]): the velocity
/// `u = ∂ψ/∂y`, `v = −∂ψ/∂x` of a vorticity spectrum, as two new spectra.
pub fn velocity_from_vorticity<T: Real>(
    grid: SpectralGrid,
    layout: Layout,
    vorticity: &[Complex<T>],
) -> Result<VelocitySpectra<T>, SpectralError> {
    let mut psi = vorticity.to_vec();
    stream_function(grid, layout, &mut psi)?;
    let mut u = psi.clone();
    times_i_k(grid, layout, &mut u, |iy, _| grid.ky(iy));
    let mut v = psi;
    times_i_k(grid, layout, &mut v, |_, ix| -grid.kx(layout, ix));
    Ok((u, v))
}

/// Whether the 2/3 rule keeps the mode at row `iy`, column `ix`: `|kx| ≤ N/3` and
/// `|ky| ≤ N/3`, in exact integer arithmetic (`3|k| ≤ N`).
#[inline]
pub fn dealias_keeps(grid: SpectralGrid, layout: Layout, iy: usize, ix: usize) -> bool {
    let n = grid.n() as u64;
    3 * grid.kx(layout, ix).unsigned_abs() <= n && 3 * grid.ky(iy).unsigned_abs() <= n
}

/// Zeroes every mode the 2/3 rule removes (`|kx| > N/3` or `|ky| > N/3`).
pub fn dealias<T: Real>(grid: SpectralGrid, layout: Layout, spectrum: &mut [Complex<T>]) -> Result<(), SpectralError> {
    check(grid, layout, "spectrum", spectrum)?;
    let w = grid.width(layout);
    for (iy, row) in spectrum.chunks_mut(w).enumerate() {
        for (ix, c) in row.iter_mut().enumerate() {
            if !dealias_keeps(grid, layout, iy, ix) {
                *c = Complex::new(T::ZERO, T::ZERO);
            }
        }
    }
    Ok(())
}

/// The 2/3 mask, row-major, `true` = kept.
pub fn dealias_mask(grid: SpectralGrid, layout: Layout) -> Vec<bool> {
    let w = grid.width(layout);
    (0..grid.n()).flat_map(|iy| (0..w).map(move |ix| dealias_keeps(grid, layout, iy, ix))).collect()
}

/// The 2/3 mask packed 32 modes per word: mode `i` (row-major) is bit `i % 32` (least
/// significant first) of word `i / 32`, 1 = kept; unused high bits of the last word are 0.
/// The form a GPU kernel uploads.
pub fn dealias_bits(grid: SpectralGrid, layout: Layout) -> Vec<u32> {
    let mask = dealias_mask(grid, layout);
    mask.chunks(32).map(|c| c.iter().enumerate().fold(0u32, |word, (b, &keep)| word | (u32::from(keep) << b))).collect()
}

/// The exponential filter `σ(|k|) = exp(−α(|k|/k_max)^p)` for `|k| < k_max = N/2`,
/// 0 for `|k| ≥ k_max`, with the factor of every mode precomputed (f64).
#[derive(Debug, Clone, PartialEq)]
pub struct ExponentialFilter {
    grid: SpectralGrid,
    layout: Layout,
    alpha: f64,
    p: f64,
    factors: Vec<f64>,
}

impl ExponentialFilter {
    /// The filter for `grid` and `layout`; [`SpectralError::Parameter`] unless
    /// `α ≥ 0` and `p > 0` are finite.
    pub fn new(grid: SpectralGrid, layout: Layout, alpha: f64, p: f64) -> Result<Self, SpectralError> {
        if !(alpha.is_finite() && alpha >= 0.0) {
            return Err(SpectralError::Parameter { name: "alpha", value: alpha, requirement: "finite and ≥ 0" });
        }
        if !(p.is_finite() && p > 0.0) {
            return Err(SpectralError::Parameter { name: "p", value: p, requirement: "finite and > 0" });
        }
        let w = grid.width(layout);
        let k_max = grid.k_max();
        let factors = (0..grid.n())
            .flat_map(|iy| (0..w).map(move |ix| grid.k2_at(layout, iy, ix)))
            .map(|k2| Self::sigma((k2 as f64).sqrt(), k_max, alpha, p))
            .collect();
        Ok(ExponentialFilter { grid, layout, alpha, p, factors })
    }

    /// `σ(|k|)` for the given `k_max`, α, p (no validation).
    pub fn sigma(k: f64, k_max: f64, alpha: f64, p: f64) -> f64 {
        if k >= k_max { 0.0 } else { (-alpha * (k / k_max).powf(p)).exp() }
    }

    /// α.
    pub fn alpha(&self) -> f64 {
        self.alpha
    }

    /// p.
    pub fn p(&self) -> f64 {
        self.p
    }

    /// The factor of every mode, row-major in the filter's layout.
    pub fn factors(&self) -> &[f64] {
        &self.factors
    }

    /// `ŝ ← ŝ·σ(|k|)`, each factor rounded once to `T`.
    pub fn apply<T: Real>(&self, spectrum: &mut [Complex<T>]) -> Result<(), SpectralError> {
        check(self.grid, self.layout, "spectrum", spectrum)?;
        for (c, &f) in spectrum.iter_mut().zip(&self.factors) {
            let f = T::from_f64(f);
            *c = Complex::new(c.re * f, c.im * f);
        }
        Ok(())
    }
}
