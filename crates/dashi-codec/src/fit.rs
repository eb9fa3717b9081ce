//! Ridge fit of the operator (docs/DESIGN.md §6): `A = argmin Σ_t ‖z_{t+1} − z_t·A‖² + λ‖A − P‖²`
//! over the training transitions, row-vector convention `z_{t+1} = z_t·A`, with prior
//! `P = 0` (the design's formula, docs/DESIGN.md §6; [`Prior::Zero`]) or `P = I` ([`Prior::Identity`]).
//!
//! The components of z differ by orders of magnitude (unnormalised Fourier
//! coefficients next to band energies and the constant K), so the fit runs in
//! standardised coordinates and maps back exactly:
//! ```text
//! S = diag(s_i),  s_i = RMS over the training inputs of component i (1 if zero)
//! X̃ = X·S⁻¹,  Ỹ = (Y − X·P)·S⁻¹,  B̃ = (X̃ᵀX̃ + λ·T·I)⁻¹ X̃ᵀỸ,  A = P + S⁻¹·B̃·S
//! ```
//! (`S⁻¹·I·S = I`, so the identity prior is the same in both coordinates.) When there
//! are fewer training transitions than D, the data fix A only on the span of the
//! training states; the prior decides the rest.
//! (T = training transitions; `λ·T` is λ times the mean diagonal of `X̃ᵀX̃`, so λ is
//! scale-free). The normal equations are solved by Cholesky (nalgebra). One-step
//! residuals `‖Y − X·A‖_F/‖Y‖_F` are reported for the training and eval transitions.
//!
//! **Stable fits** ([`FitConfig::stable`]). With `Ã_total = S·A·S⁻¹ = U·Σ·Vᵀ` (A in
//! standardised coordinates; similar to A, so the same eigenvalues), the stable operator
//! is `A = S⁻¹·U·min(Σ, 1)·Vᵀ·S`, the nearest operator (Frobenius, standardised) with
//! `‖Ã_total‖₂ ≤ 1`. Then `w_t = z_t·S⁻¹` obeys `w_{t+1} = w_t·Ã_total`, so
//! `‖w_t‖₂ ≤ ‖w_0‖₂` for every t: no rollout overflows, and `ρ(A) ≤ 1`.
//!
//! **Spectral radius.** ρ(A) from the real Schur form (bounded iteration count); when that
//! does not converge, Gelfand's formula `ρ(A) = lim_k ‖A^k‖^{1/k}` evaluated at k = 2¹⁶
//! by repeated squaring (rescaled at every squaring) gives an upper bound that is close to
//! ρ — so a value is always reported.

use crate::config::{FitConfig, Prior};
use crate::error::CodecError;
use dashi_core::linear::LinearOperator;
use nalgebra::DMatrix;

/// A fitted operator and its fit statistics.
#[derive(Clone, Debug)]
pub struct Fitted {
    /// The operator A (D×D, row-major, `z_{t+1} = z_t·A`).
    pub operator: LinearOperator<f64>,
    /// Training transitions used (frames 0..=train).
    pub train_transitions: usize,
    /// One-step relative residual on the training transitions.
    pub train_residual: f64,
    /// One-step relative residual on the remaining (eval) transitions (`None` if none).
    pub eval_residual: Option<f64>,
    /// Largest |eigenvalue| of A (> 1: the autonomous rollout grows): from the Schur form,
    /// else the Gelfand bound (module docs). Always `Some` for fits made by this version;
    /// `Option` because older model files may lack it.
    pub spectral_radius: Option<f64>,
}

/// Number of training transitions for `frames` frames and `train_frac`.
pub fn train_transitions(frames: usize, train_frac: f64) -> usize {
    let transitions = frames.saturating_sub(1);
    ((transitions as f64 * train_frac).round() as usize).clamp(1, transitions.max(1))
}

/// Fits A on the trajectory `z` (`frames × dim`, row-major).
pub fn fit(z: &[f64], dim: usize, config: &FitConfig) -> Result<Fitted, CodecError> {
    config.validate()?;
    if dim == 0 || !z.len().is_multiple_of(dim) {
        return Err(CodecError::Shape {
            what: "fit trajectory",
            expected: format!("frames × {dim}"),
            found: z.len().to_string(),
        });
    }
    let frames = z.len() / dim;
    if frames < 2 {
        return Err(CodecError::Fit(format!("{frames} frame(s): at least 2 are needed for one transition")));
    }
    if let Some(index) = z.iter().position(|v| !v.is_finite()) {
        return Err(CodecError::NonFinite { what: "fit trajectory".into(), index, value: z[index] });
    }
    let train = train_transitions(frames, config.train_frac);
    let rows = |from: usize, count: usize| DMatrix::from_row_slice(count, dim, &z[from * dim..(from + count) * dim]);
    let (x, y) = (rows(0, train), rows(1, train));
    let scale: Vec<f64> = (0..dim)
        .map(|i| {
            let rms = (x.column(i).iter().map(|v| v * v).sum::<f64>() / train as f64).sqrt();
            if rms > 0.0 { rms } else { 1.0 }
        })
        .collect();
    let inv = DMatrix::from_diagonal(&nalgebra::DVector::from_iterator(dim, scale.iter().map(|s| 1.0 / s)));
    let target = match config.prior {
        Prior::Zero => y.clone(),
        Prior::Identity => &y - &x,
    };
    let (xs, ys) = (&x * &inv, &target * &inv);
    let mut gram = xs.transpose() * &xs;
    for i in 0..dim {
        gram[(i, i)] += config.ridge * train as f64;
    }
    let rhs = xs.transpose() * &ys;
    let chol = gram.cholesky().ok_or_else(|| {
        CodecError::Fit(format!(
            "the normal equations are singular (D = {dim}, {train} training transitions); raise --ridge above {}",
            config.ridge
        ))
    })?;
    let a_scaled = chol.solve(&rhs);
    // A = S⁻¹·Ã·S: entry (i, j) = Ã_ij·s_j/s_i.
    let identity = if config.prior == Prior::Identity { 1.0 } else { 0.0 };
    // Ã_total = Ã + P in standardised coordinates (S⁻¹·I·S = I).
    let mut standardised = DMatrix::from_fn(dim, dim, |i, j| a_scaled[(i, j)] + if i == j { identity } else { 0.0 });
    if config.stable {
        standardised = clip_singular_values(standardised)?;
    }
    let a = DMatrix::from_fn(dim, dim, |i, j| standardised[(i, j)] * scale[j] / scale[i]);
    let residual = |x: &DMatrix<f64>, y: &DMatrix<f64>| (y - x * &a).norm() / y.norm().max(f64::MIN_POSITIVE);
    let train_residual = residual(&x, &y);
    let eval = frames - 1 - train;
    let eval_residual = (eval > 0).then(|| residual(&rows(train, eval), &rows(train + 1, eval)));
    // ρ of the standardised operator (similar to A: the same eigenvalues, far better
    // conditioned, and ‖·‖₂ ≤ 1 for stable fits, so the Gelfand bound stays ≤ 1 too).
    let spectral_radius = Some(spectral_radius(&standardised));
    let row_major: Vec<f64> = (0..dim).flat_map(|i| (0..dim).map(move |j| (i, j))).map(|(i, j)| a[(i, j)]).collect();
    let operator = LinearOperator::new(dim, row_major).map_err(|e| CodecError::Fit(e.to_string()))?;
    Ok(Fitted { operator, train_transitions: train, train_residual, eval_residual, spectral_radius })
}

/// `U·min(Σ, 1)·Vᵀ` of `m = U·Σ·Vᵀ`: the nearest matrix (Frobenius) with ‖·‖₂ ≤ 1.
fn clip_singular_values(m: DMatrix<f64>) -> Result<DMatrix<f64>, CodecError> {
    let mut svd = nalgebra::linalg::SVD::try_new(m, true, true, f64::EPSILON, 100_000)
        .ok_or_else(|| CodecError::Fit("the SVD of the fitted operator did not converge".into()))?;
    svd.singular_values.iter_mut().for_each(|s| *s = s.min(1.0));
    svd.recompose().map_err(|e| CodecError::Fit(format!("recomposing the stable operator: {e}")))
}

/// ρ(a): the largest |eigenvalue| from the real Schur form (bounded iteration count:
/// nalgebra's unbounded default can stall on nearly defective matrices such as a
/// near-identity A), else the Gelfand bound ‖a^k‖₂^{1/k} at k = 2¹⁶ (module docs).
/// [`fit`] passes the standardised operator `S·A·S⁻¹` (same eigenvalues as A).
pub fn spectral_radius(a: &DMatrix<f64>) -> f64 {
    if let Some(schur) = nalgebra::linalg::Schur::try_new(a.clone(), f64::EPSILON, 20_000) {
        return schur.complex_eigenvalues().iter().map(|c| c.norm()).fold(0.0, f64::max);
    }
    gelfand_bound(a, 16)
}

/// ‖a^(2^squarings)‖₂^(2^-squarings), by repeated squaring with a rescale at each step:
/// `a^(2k) = (c·b)²` is kept as `b` with the log of its scale accumulated.
fn gelfand_bound(a: &DMatrix<f64>, squarings: u32) -> f64 {
    let mut b = a.clone();
    let mut log_scale = 0.0f64; // a^k = e^{log_scale}·b, with k = 2^i
    for _ in 0..squarings {
        let norm = b.norm();
        if norm == 0.0 || !norm.is_finite() {
            return if norm == 0.0 { 0.0 } else { f64::INFINITY };
        }
        b /= norm;
        log_scale += norm.ln();
        b = &b * &b;
        log_scale *= 2.0;
    }
    let k = f64::from(2u32.pow(squarings));
    let spectral = nalgebra::linalg::SVD::new(b.clone(), false, false).singular_values.max();
    ((log_scale + spectral.max(f64::MIN_POSITIVE).ln()) / k).exp()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recovers_a_known_operator() {
        // z_{t+1} = z_t·A with A = S⁻¹·Q·S (Q orthogonal, so the S-weighted norm is kept)
        // and component scales spanning seven decades.
        let dim = 6;
        let scales = [1e4, 1.0, 1e-3, 5.0, 1e2, 0.1];
        let q = dashi_core::linear::random_orthogonal(dim, 3, 1.0).unwrap();
        let a: Vec<f64> =
            (0..dim * dim).map(|k| q.entry(k / dim, k % dim) * scales[k % dim] / scales[k / dim]).collect();
        let op = LinearOperator::new(dim, a).unwrap();
        let mut g = dashi_core::random::SplitMix64::new(3);
        let mut z = vec![0.0; 60 * dim];
        for (i, s) in scales.iter().enumerate() {
            z[i] = s * g.uniform(-1.0, 1.0);
        }
        for t in 1..60 {
            let (prev, next) = z.split_at_mut(t * dim);
            op.apply(&prev[(t - 1) * dim..], &mut next[..dim]).unwrap();
        }
        for prior in [Prior::Zero, Prior::Identity] {
            let fitted = fit(&z, dim, &FitConfig { train_frac: 0.6, ridge: 0.0, prior, stable: false }).unwrap();
            assert_eq!(fitted.train_transitions, 35);
            assert!(fitted.train_residual < 1e-9, "{prior:?}: {}", fitted.train_residual);
            assert!(fitted.eval_residual.unwrap() < 1e-8, "{prior:?}: {:?}", fitted.eval_residual);
        }
    }

    #[test]
    fn priors_decide_the_unvisited_directions() {
        // Two training states spanning only the first two of four axes: a huge ridge
        // leaves A ≈ P off that span.
        let z = [1.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 1.0, 1.0, 0.0, 0.0];
        for (prior, diag) in [(Prior::Zero, 0.0), (Prior::Identity, 1.0)] {
            let f = fit(&z, 4, &FitConfig { train_frac: 1.0, ridge: 1.0, prior, stable: false }).unwrap();
            assert!((f.operator.entry(3, 3) - diag).abs() < 1e-12, "{prior:?}: {}", f.operator.entry(3, 3));
        }
    }

    #[test]
    fn refuses_too_little_data() {
        assert!(matches!(fit(&[1.0, 2.0], 2, &FitConfig::default()), Err(CodecError::Fit(_))));
        let nan = [1.0, f64::NAN, 2.0, 3.0];
        assert!(matches!(fit(&nan, 2, &FitConfig::default()), Err(CodecError::NonFinite { index: 1, .. })));
    }

    /// A trajectory of `z_{t+1} = z_t·A` with `A = growth·S⁻¹·Q·S` (Q orthogonal), plus
    /// `noise` relative jitter.
    fn trajectory(dim: usize, frames: usize, growth: f64, noise: f64, seed: u64) -> Vec<f64> {
        let scales: Vec<f64> = (0..dim).map(|i| 10f64.powi(i as i32 % 5 - 2)).collect();
        let q = dashi_core::linear::random_orthogonal(dim, seed, 1.0).unwrap();
        let a: Vec<f64> =
            (0..dim * dim).map(|k| growth * q.entry(k / dim, k % dim) * scales[k % dim] / scales[k / dim]).collect();
        let op = LinearOperator::new(dim, a).unwrap();
        let mut g = dashi_core::random::SplitMix64::new(seed + 1);
        let mut z = vec![0.0; frames * dim];
        for (i, s) in scales.iter().enumerate() {
            z[i] = s * g.uniform(-1.0, 1.0);
        }
        for t in 1..frames {
            let (prev, next) = z.split_at_mut(t * dim);
            op.apply(&prev[(t - 1) * dim..], &mut next[..dim]).unwrap();
            for (v, s) in next[..dim].iter_mut().zip(&scales) {
                *v += noise * s * g.uniform(-1.0, 1.0);
            }
        }
        z
    }

    #[test]
    fn stable_fits_have_spectral_radius_at_most_one_and_million_step_rollouts_stay_finite() {
        let dim = 8;
        for (name, z) in [
            ("growing dynamics", trajectory(dim, 80, 1.05, 0.0, 5)),
            ("noisy growing dynamics", trajectory(dim, 80, 1.02, 0.05, 6)),
            ("pure noise", {
                let mut g = dashi_core::random::SplitMix64::new(9);
                (0..30 * dim).map(|_| g.uniform(-1.0, 1.0)).collect()
            }),
        ] {
            let free =
                fit(&z, dim, &FitConfig { train_frac: 1.0, ridge: 1e-9, prior: Prior::Zero, stable: false }).unwrap();
            let stable =
                fit(&z, dim, &FitConfig { train_frac: 1.0, ridge: 1e-9, prior: Prior::Zero, stable: true }).unwrap();
            let rho = stable.spectral_radius.unwrap();
            assert!(rho <= 1.0 + 1e-12, "{name}: stable fit has rho = {rho}");
            if name == "growing dynamics" {
                assert!(free.spectral_radius.unwrap() > 1.04, "{name}: the free fit sees the growth");
            }
            let mut state = z[..dim].to_vec();
            let mut next = vec![0.0; dim];
            let start: f64 = state.iter().map(|v| v * v).sum::<f64>().sqrt();
            let mut largest = start;
            for _ in 0..1_000_000 {
                stable.operator.apply(&state, &mut next).unwrap();
                std::mem::swap(&mut state, &mut next);
                largest = largest.max(state.iter().map(|v| v * v).sum::<f64>().sqrt());
            }
            assert!(state.iter().all(|v| v.is_finite()), "{name}: the rollout overflowed");
            // ‖w_t‖ ≤ ‖w_0‖ in standardised coordinates bounds ‖z_t‖ by the scale spread.
            assert!(largest <= start * 1e5, "{name}: the rollout grew from {start} to {largest}");
        }
    }

    #[test]
    fn the_spectral_radius_always_answers() {
        let dim = 12;
        let q = dashi_core::linear::random_orthogonal(dim, 4, 1.0).unwrap();
        let a = DMatrix::from_fn(dim, dim, |i, j| 0.9 * q.entry(i, j) + if i == j + 1 { 0.3 } else { 0.0 });
        let exact = spectral_radius(&a);
        let bound = gelfand_bound(&a, 10);
        assert!(bound >= exact * (1.0 - 1e-9) && bound <= exact * 1.05, "Gelfand {bound} vs Schur {exact}");
        assert_eq!(gelfand_bound(&DMatrix::zeros(3, 3), 10), 0.0);
    }
}
