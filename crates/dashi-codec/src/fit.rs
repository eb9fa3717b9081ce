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
    /// Largest |eigenvalue| of A (> 1: the autonomous rollout grows; `None` if the
    /// Schur iteration did not converge).
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
    let a =
        DMatrix::from_fn(dim, dim, |i, j| a_scaled[(i, j)] * scale[j] / scale[i] + if i == j { identity } else { 0.0 });
    let residual = |x: &DMatrix<f64>, y: &DMatrix<f64>| (y - x * &a).norm() / y.norm().max(f64::MIN_POSITIVE);
    let train_residual = residual(&x, &y);
    let eval = frames - 1 - train;
    let eval_residual = (eval > 0).then(|| residual(&rows(train, eval), &rows(train + 1, eval)));
    // Real Schur form with a bounded iteration count (nalgebra's unbounded default can
    // stall on nearly defective matrices such as a near-identity A).
    let spectral_radius = nalgebra::linalg::Schur::try_new(a.clone(), f64::EPSILON, 20_000)
        .map(|schur| schur.complex_eigenvalues().iter().map(|c| c.norm()).fold(0.0, f64::max));
    let row_major: Vec<f64> = (0..dim).flat_map(|i| (0..dim).map(move |j| (i, j))).map(|(i, j)| a[(i, j)]).collect();
    let operator = LinearOperator::new(dim, row_major).map_err(|e| CodecError::Fit(e.to_string()))?;
    Ok(Fitted { operator, train_transitions: train, train_residual, eval_residual, spectral_radius })
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
            let fitted = fit(&z, dim, &FitConfig { train_frac: 0.6, ridge: 0.0, prior }).unwrap();
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
            let f = fit(&z, 4, &FitConfig { train_frac: 1.0, ridge: 1.0, prior }).unwrap();
            assert!((f.operator.entry(3, 3) - diag).abs() < 1e-12, "{prior:?}: {}", f.operator.entry(3, 3));
        }
    }

    #[test]
    fn refuses_too_little_data() {
        assert!(matches!(fit(&[1.0, 2.0], 2, &FitConfig::default()), Err(CodecError::Fit(_))));
        let nan = [1.0, f64::NAN, 2.0, 3.0];
        assert!(matches!(fit(&nan, 2, &FitConfig::default()), Err(CodecError::NonFinite { index: 1, .. })));
    }
}
