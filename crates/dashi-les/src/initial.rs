//! Initial conditions (docs/DESIGN.md §5): vorticity fields, row-major `[iy][ix]`, `x_j = 2πj/N`,
//! generated on the host in f64 so every backend starts from the same numbers.

use dashi_core::random::SplitMix64;
use dashi_core::spectral::{Complex, Fft2Planner, Layout, SpectralGrid, dealias_keeps};

/// Taylor–Green vortex `ω(x, y) = 2 sin x sin y` (docs/DESIGN.md §5): stream function
/// `ψ = sin x sin y`, `u = ∂ψ/∂y = sin x cos y`, `v = −∂ψ/∂x = −cos x sin y`. A steady
/// solution of the Euler equations (u·∇ω = 0); with viscosity every mode decays as
/// `e^{−2ν₀t}` (|k|² = 2), so the enstrophy ratio is `e^{−4ν₀t}` exactly.
pub fn taylor_green(n: usize) -> Vec<f64> {
    let h = 2.0 * std::f64::consts::PI / n as f64;
    (0..n * n).map(|i| 2.0 * ((i % n) as f64 * h).sin() * ((i / n) as f64 * h).sin()).collect()
}

/// McWilliams-type random vorticity (docs/DESIGN.md §5): random phases with the isotropic energy
/// spectrum `E(k) ∝ k⁴·exp(−2(k/k0)²)`, normalised to enstrophy ½ (mean ω² = 1).
///
/// Construction: for every mode `k ≠ 0` inside the 2/3-dealiased square, amplitude
/// `|ω̂(k)| = sqrt(k·E(k))` (a shell of radius k holds ~2πk modes and `|ω̂|² = k²|û|²`,
/// so `Σ_shell |û|²/2 ∝ E(k)`) and a phase uniform in [0, 2π) from [`SplitMix64`]
/// seeded with `seed`; ω is the real part of the inverse FFT (which symmetrises the
/// spectrum), then scaled so that mean ω² = 1. `n` must be a power of two ≥ 2.
pub fn mcwilliams(n: usize, seed: u64, k0: f64) -> Vec<f64> {
    let grid = SpectralGrid::new(n).expect("n is a power of two");
    let mut g = SplitMix64::new(seed);
    let mut spectrum = vec![Complex::new(0.0, 0.0); n * n];
    for ky in 0..n {
        for kx in 0..n {
            let phase = g.uniform(0.0, 2.0 * std::f64::consts::PI);
            let kk = (grid.k2_at(Layout::Full, ky, kx) as f64).sqrt();
            if kk == 0.0 || !dealias_keeps(grid, Layout::Full, ky, kx) {
                continue;
            }
            let energy = kk.powi(4) * (-2.0 * (kk / k0).powi(2)).exp();
            let amplitude = (kk * energy).sqrt();
            spectrum[ky * n + kx] = Complex::new(amplitude * phase.cos(), amplitude * phase.sin());
        }
    }
    let plan = Fft2Planner::<f64>::new().plan(grid);
    let field: Vec<f64> = plan.ifft2(&spectrum).expect("finite spectrum").iter().map(|z| z.re).collect();
    let rms = (field.iter().map(|w| w * w).sum::<f64>() / (n * n) as f64).sqrt();
    field.iter().map(|w| w / rms).collect()
}
