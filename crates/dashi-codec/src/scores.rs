//! Scores of a decoded field against truth (docs/DESIGN.md §6), one definition for every method
//! compared (our decoder, baselines, SZ3/ZFP peers).
//!
//! For fields `a` (decoded) and `b` (truth) on the N×N grid:
//! ```text
//! rel_l2         = ‖a − b‖₂ / ‖b‖₂
//! correlation    = Pearson r = Σ(a − ā)(b − b̄) / √(Σ(a − ā)² Σ(b − b̄)²)
//! energy_ratio   = E(a)/E(b),  E = ½·mean(u² + v²) = Σ_s E(s)   (u from ω via ψ, docs/DESIGN.md §4)
//! enstrophy_ratio= Z(a)/Z(b),  Z = ½·mean(ω²)
//! lsd            = √( mean_{s=1..⌊N/3⌋} (log₁₀(E_a(s) + δ) − log₁₀(E_b(s) + δ))² ),
//!                  δ = 10⁻¹²·max_s E_b(s)
//! ```
//! `E(s)` is the shell-averaged kinetic-energy spectrum ([`dashi_core::spectral::shell_spectrum_from_vorticity`]).
//! The LSD runs over the shells the 2/3-dealiased LES resolves (1 ≤ s ≤ N/3); δ keeps a
//! band a method leaves empty finite (an empty shell costs about 12 minus its decades
//! below the spectrum's peak). The high-correlation time is the first frame time at
//! which the correlation drops below 0.95 (Kochkov et al. 2021).

use dashi_core::spectral::{Fft2Planner, Layout, SpectralGrid, shell_spectrum_from_vorticity};

/// Correlation threshold of the high-correlation time.
pub const HIGH_CORRELATION: f64 = 0.95;

/// Scores of one frame.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct FrameScores {
    /// Relative L2 error.
    pub rel_l2: f64,
    /// Pearson correlation.
    pub correlation: f64,
    /// Kinetic energy ratio (decoded / truth).
    pub energy_ratio: f64,
    /// Enstrophy ratio (decoded / truth).
    pub enstrophy_ratio: f64,
    /// Log-spectral distance of E(k), decades.
    pub lsd: f64,
}

/// Scores fields against truth on one grid, caching the FFT plan.
#[derive(Debug)]
pub struct Scorer {
    n: usize,
    grid: SpectralGrid,
    fft: dashi_core::spectral::Fft2<f64>,
}

impl Scorer {
    /// A scorer for N×N fields.
    pub fn new(n: usize) -> Result<Self, crate::CodecError> {
        let grid = SpectralGrid::new(n).map_err(|e| crate::error::config_error("n", n, e.to_string()))?;
        let fft = Fft2Planner::<f64>::new().plan(grid);
        Ok(Scorer { n, grid, fft })
    }

    /// The kinetic-energy shell spectrum `E(s)`, `s = 0 … round(N/√2)`.
    pub fn energy_spectrum(&self, omega: &[f64]) -> Vec<f64> {
        let half = self.fft.rfft2(omega).expect("an N×N field");
        shell_spectrum_from_vorticity(self.grid, Layout::Half, &half).expect("a half-layout spectrum")
    }

    /// All scores of `decoded` against `truth` (both N×N, row-major).
    pub fn score(&self, decoded: &[f64], truth: &[f64]) -> FrameScores {
        let n2 = self.n * self.n;
        assert_eq!(decoded.len(), n2, "decoded field size");
        assert_eq!(truth.len(), n2, "truth field size");
        let (ea, eb) = (self.energy_spectrum(decoded), self.energy_spectrum(truth));
        let enstrophy = |f: &[f64]| 0.5 * f.iter().map(|v| v * v).sum::<f64>() / n2 as f64;
        FrameScores {
            rel_l2: rel_l2(decoded, truth),
            correlation: correlation(decoded, truth),
            energy_ratio: ratio(ea.iter().sum(), eb.iter().sum()),
            enstrophy_ratio: ratio(enstrophy(decoded), enstrophy(truth)),
            lsd: log_spectral_distance(&ea, &eb, self.n / 3),
        }
    }
}

fn ratio(a: f64, b: f64) -> f64 {
    if b == 0.0 { if a == 0.0 { 1.0 } else { f64::INFINITY } } else { a / b }
}

/// `‖a − b‖₂ / ‖b‖₂` (0 when both are zero, ∞ when only b is).
pub fn rel_l2(a: &[f64], b: &[f64]) -> f64 {
    let num: f64 = a.iter().zip(b).map(|(x, y)| (x - y) * (x - y)).sum();
    let den: f64 = b.iter().map(|y| y * y).sum();
    ratio(num.sqrt(), den.sqrt())
}

/// Pearson correlation (0 when either field is constant).
pub fn correlation(a: &[f64], b: &[f64]) -> f64 {
    let len = a.len() as f64;
    let (ma, mb) = (a.iter().sum::<f64>() / len, b.iter().sum::<f64>() / len);
    let (mut sab, mut saa, mut sbb) = (0.0, 0.0, 0.0);
    for (x, y) in a.iter().zip(b) {
        let (dx, dy) = (x - ma, y - mb);
        sab += dx * dy;
        saa += dx * dx;
        sbb += dy * dy;
    }
    if saa == 0.0 || sbb == 0.0 { 0.0 } else { sab / (saa * sbb).sqrt() }
}

/// Log-spectral distance over shells `1..=max_shell` with floor `δ = 1e-12·max E_b`.
pub fn log_spectral_distance(ea: &[f64], eb: &[f64], max_shell: usize) -> f64 {
    let top = max_shell.min(ea.len() - 1).min(eb.len() - 1);
    if top == 0 {
        return 0.0;
    }
    let delta = 1e-12 * eb[1..=top].iter().cloned().fold(0.0, f64::max).max(f64::MIN_POSITIVE);
    let sum: f64 = (1..=top).map(|s| ((ea[s] + delta).log10() - (eb[s] + delta).log10()).powi(2)).sum();
    (sum / top as f64).sqrt()
}

/// The first time whose correlation is below [`HIGH_CORRELATION`]; `None` if it never
/// drops (the horizon is then a lower bound).
pub fn high_correlation_time(times: &[f64], correlations: &[f64]) -> Option<f64> {
    times.iter().zip(correlations).find(|(_, c)| **c < HIGH_CORRELATION).map(|(t, _)| *t)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(n: usize, f: impl Fn(f64, f64) -> f64) -> Vec<f64> {
        let h = std::f64::consts::TAU / n as f64;
        (0..n * n).map(|i| f((i % n) as f64 * h, (i / n) as f64 * h)).collect()
    }

    #[test]
    fn identical_fields_score_perfectly() {
        let n = 32;
        let w = field(n, |x, y| (2.0 * x).sin() * y.cos() + 0.3 * (5.0 * y).sin());
        let s = Scorer::new(n).unwrap().score(&w, &w);
        assert_eq!(s.rel_l2, 0.0);
        assert!((s.correlation - 1.0).abs() < 1e-12);
        assert!((s.energy_ratio - 1.0).abs() < 1e-12 && (s.enstrophy_ratio - 1.0).abs() < 1e-12);
        assert!(s.lsd < 1e-12);
    }

    #[test]
    fn known_answers() {
        let n = 32;
        // ω = 2 sin x sin y: |k|² = 2, E = Z/|k|² = Z/2, Z = ½·mean(ω²) = ½·1 = 0.5.
        let w = field(n, |x, y| 2.0 * x.sin() * y.sin());
        let half: Vec<f64> = w.iter().map(|v| 0.5 * v).collect();
        let scorer = Scorer::new(n).unwrap();
        let e: f64 = scorer.energy_spectrum(&w).iter().sum();
        assert!((e - 0.25).abs() < 1e-12, "energy {e}");
        let s = scorer.score(&half, &w);
        assert!((s.rel_l2 - 0.5).abs() < 1e-12);
        assert!((s.correlation - 1.0).abs() < 1e-12);
        assert!((s.energy_ratio - 0.25).abs() < 1e-12 && (s.enstrophy_ratio - 0.25).abs() < 1e-12);
        // One non-empty shell (s = 1, |k| = √2 rounds to 1) with ratio 1/4: log10(4)/√(N/3 shells).
        assert!((s.lsd - 4f64.log10() / (10f64).sqrt()).abs() < 1e-9, "lsd {}", s.lsd);
        let neg: Vec<f64> = w.iter().map(|v| -v).collect();
        assert!((scorer.score(&neg, &w).correlation + 1.0).abs() < 1e-12);
    }

    #[test]
    fn high_correlation_time_is_the_first_drop() {
        assert_eq!(high_correlation_time(&[1.0, 2.0, 3.0], &[0.99, 0.94, 0.97]), Some(2.0));
        assert_eq!(high_correlation_time(&[1.0, 2.0], &[0.99, 0.96]), None);
    }
}
