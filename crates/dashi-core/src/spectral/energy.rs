//! Reductions of spectra to energies: the shell spectrum E(k) and band energies.
//! Definitions (mode energy `e(k)`, half-layout weights, shells, bands): module docs of
//! [`crate::spectral`]. Sums are accumulated in f64, row-major.

use super::grid::check_finite;
use super::{Layout, SpectralError, SpectralGrid};
use crate::scalar::Real;
use rustfft::num_complex::Complex;

/// Weight of column `ix`: 1 in the full layout; in the half layout 2 except on the
/// self-conjugate columns `kx = 0` and `kx = N/2`.
#[inline]
fn weight(grid: SpectralGrid, layout: Layout, ix: usize) -> f64 {
    match layout {
        Layout::Full => 1.0,
        Layout::Half if ix == 0 || ix == grid.n() / 2 => 1.0,
        Layout::Half => 2.0,
    }
}

fn check_components<T: Real>(
    grid: SpectralGrid,
    layout: Layout,
    what: &'static str,
    components: &[&[Complex<T>]],
) -> Result<(), SpectralError> {
    if components.is_empty() {
        return Err(SpectralError::NoComponents { what });
    }
    for c in components {
        grid.check_len("spectrum", grid.spectrum_len(layout), c.len())?;
        check_finite("spectrum", c, grid.width(layout))?;
    }
    Ok(())
}

/// Calls `f(iy, ix, e)` with the energy `e(k) = w·½Σ_c|f̂_c|²/N⁴` of every mode.
fn for_each_mode<T: Real>(
    grid: SpectralGrid,
    layout: Layout,
    components: &[&[Complex<T>]],
    mut f: impl FnMut(usize, usize, f64),
) {
    let w = grid.width(layout);
    let norm = 0.5 / (grid.points() as f64 * grid.points() as f64);
    for iy in 0..grid.n() {
        for ix in 0..w {
            let i = iy * w + ix;
            let sq: f64 = components.iter().map(|c| c[i].re.to_f64().powi(2) + c[i].im.to_f64().powi(2)).sum();
            f(iy, ix, weight(grid, layout, ix) * norm * sq);
        }
    }
}

/// Shell spectrum `E(s) = Σ_{round(|k|) = s} e(k)` for `s = 0 … round(N/√2)` of the
/// listed component spectra (e.g. `&[&u_hat, &v_hat]` for the kinetic energy). By
/// Parseval the entries sum to `½·mean_x Σ_c f_c²`.
pub fn shell_spectrum<T: Real>(
    grid: SpectralGrid,
    layout: Layout,
    components: &[&[Complex<T>]],
) -> Result<Vec<f64>, SpectralError> {
    check_components(grid, layout, "shell_spectrum", components)?;
    let mut e = vec![0.0; grid.shell_count()];
    for_each_mode(grid, layout, components, |iy, ix, m| e[grid.shell_at(layout, iy, ix)] += m);
    Ok(e)
}

/// The kinetic-energy shell spectrum of a vorticity spectrum, using
/// `|û|² + |v̂|² = |k|²|ψ̂|² = |ω̂|²/|k|²` (k ≠ 0; the k = 0 mode carries no velocity).
pub fn shell_spectrum_from_vorticity<T: Real>(
    grid: SpectralGrid,
    layout: Layout,
    vorticity: &[Complex<T>],
) -> Result<Vec<f64>, SpectralError> {
    check_components(grid, layout, "shell_spectrum_from_vorticity", &[vorticity])?;
    let mut e = vec![0.0; grid.shell_count()];
    for_each_mode(grid, layout, &[vorticity], |iy, ix, m| {
        let k2 = grid.k2_at(layout, iy, ix);
        if k2 > 0 {
            e[grid.shell_at(layout, iy, ix)] += m / k2 as f64;
        }
    });
    Ok(e)
}

/// The two cuts of [`band_energies`]: `0 ≤ k_cut ≤ mid_cut`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BandCuts {
    /// Low band: `|k| ≤ k_cut`.
    pub k_cut: f64,
    /// Mid band: `k_cut < |k| ≤ mid_cut`, Nyquist modes excluded.
    pub mid_cut: f64,
}

impl BandCuts {
    fn validate(&self) -> Result<(), SpectralError> {
        if !(self.k_cut.is_finite() && self.k_cut >= 0.0) {
            return Err(SpectralError::Parameter { name: "k_cut", value: self.k_cut, requirement: "finite and ≥ 0" });
        }
        if !(self.mid_cut.is_finite() && self.mid_cut >= self.k_cut) {
            return Err(SpectralError::Parameter {
                name: "mid_cut",
                value: self.mid_cut,
                requirement: "finite and ≥ k_cut",
            });
        }
        Ok(())
    }
}

/// Energy per band; `low + mid + high` is the total energy.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct BandEnergies {
    /// `|k| ≤ k_cut`.
    pub low: f64,
    /// `k_cut < |k| ≤ mid_cut`, not on a Nyquist line.
    pub mid: f64,
    /// Everything else: `|k| > mid_cut`, and Nyquist modes above `k_cut`.
    pub high: f64,
}

impl BandEnergies {
    /// `low + mid + high`.
    pub fn total(&self) -> f64 {
        self.low + self.mid + self.high
    }
}

/// Band of one mode: 0 low, 1 mid, 2 high (cuts already validated).
#[inline]
fn band_of(grid: SpectralGrid, layout: Layout, cuts: BandCuts, iy: usize, ix: usize) -> u8 {
    let k = (grid.k2_at(layout, iy, ix) as f64).sqrt();
    if k <= cuts.k_cut {
        0
    } else if k <= cuts.mid_cut && !grid.is_nyquist(layout, iy, ix) {
        1
    } else {
        2
    }
}

/// Band membership of every mode, row-major: 0 = low, 1 = mid, 2 = high.
pub fn band_mask(grid: SpectralGrid, layout: Layout, cuts: BandCuts) -> Result<Vec<u8>, SpectralError> {
    cuts.validate()?;
    let w = grid.width(layout);
    Ok((0..grid.n()).flat_map(|iy| (0..w).map(move |ix| band_of(grid, layout, cuts, iy, ix))).collect())
}

/// Energies of the listed component spectra in the three bands of `cuts`.
pub fn band_energies<T: Real>(
    grid: SpectralGrid,
    layout: Layout,
    components: &[&[Complex<T>]],
    cuts: BandCuts,
) -> Result<BandEnergies, SpectralError> {
    cuts.validate()?;
    check_components(grid, layout, "band_energies", components)?;
    let mut bands = [0.0; 3];
    for_each_mode(grid, layout, components, |iy, ix, m| bands[band_of(grid, layout, cuts, iy, ix) as usize] += m);
    Ok(BandEnergies { low: bands[0], mid: bands[1], high: bands[2] })
}
