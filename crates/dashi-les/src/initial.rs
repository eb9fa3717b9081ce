//! Initial conditions (vorticity fields, row-major `[iy][ix]`, `x_j = 2πj/N`).

/// Taylor–Green vortex: `ω(x, y) = 2 cos x cos y` (stream function `ψ = cos x cos y`,
/// `u = −cos x sin y`, `v = sin x cos y`). A steady solution of the Euler equations
/// (u·∇ω = 0); with viscosity every mode decays as `e^{−2ν₀t}` (|k|² = 2), so the
/// enstrophy ratio is `e^{−4ν₀t}` exactly.
pub fn taylor_green(n: usize) -> Vec<f64> {
    let h = 2.0 * std::f64::consts::PI / n as f64;
    (0..n * n).map(|i| 2.0 * ((i % n) as f64 * h).cos() * ((i / n) as f64 * h).cos()).collect()
}
