//! [`LinearOperator`]: a dense `D×D` matrix acting on row vectors, `z ↦ z · A`.

use super::gemv::{gemm_rows, gemv_row};
use super::rollout::Step;
use crate::scalar::Real;

/// Errors of operator construction and use.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum OperatorError {
    /// `D = 0`.
    #[error("operator dimension must be at least 1")]
    ZeroDimension,
    /// Data length is not `D²`.
    #[error("operator data has {found} values, expected {d}×{d} = {}", d * d)]
    WrongSize {
        /// The dimension D.
        d: usize,
        /// Values supplied.
        found: usize,
    },
    /// A NaN or infinite entry.
    #[error("operator entry A[{row}][{col}] = {value} is not finite")]
    NonFinite {
        /// Row.
        row: usize,
        /// Column.
        col: usize,
        /// The value.
        value: f64,
    },
    /// A state of the wrong length.
    #[error("state has {found} components, operator dimension is {d}")]
    StateLength {
        /// The dimension D.
        d: usize,
        /// Components supplied.
        found: usize,
    },
    /// Operators of different dimension composed.
    #[error("cannot compose operators of dimension {left} and {right}")]
    DimensionMismatch {
        /// Left dimension.
        left: usize,
        /// Right dimension.
        right: usize,
    },
}

/// A dense `D×D` operator in the row-vector convention `z_{t+1} = z_t · A`, stored
/// row-major (`A[i][j]` at `i·D + j`). `T` is f64 (the reference) or f32.
#[derive(Clone, Debug, PartialEq)]
pub struct LinearOperator<T: Real = f64> {
    d: usize,
    a: Vec<T>,
}

impl<T: Real> LinearOperator<T> {
    /// Wraps row-major `a` (`d·d` finite values).
    pub fn new(d: usize, a: Vec<T>) -> Result<Self, OperatorError> {
        if d == 0 {
            return Err(OperatorError::ZeroDimension);
        }
        if a.len() != d.saturating_mul(d) {
            return Err(OperatorError::WrongSize { d, found: a.len() });
        }
        if let Some(k) = a.iter().position(|v| !v.is_finite()) {
            return Err(OperatorError::NonFinite { row: k / d, col: k % d, value: a[k].to_f64() });
        }
        Ok(LinearOperator { d, a })
    }

    /// The identity `I_D`.
    pub fn identity(d: usize) -> Result<Self, OperatorError> {
        let mut a = vec![T::ZERO; d * d];
        for i in 0..d {
            a[i * d + i] = T::ONE;
        }
        Self::new(d, a)
    }

    /// The dimension D.
    pub fn dim(&self) -> usize {
        self.d
    }

    /// The entries, row-major.
    pub fn as_slice(&self) -> &[T] {
        &self.a
    }

    /// The entry `A[i][j]`.
    pub fn entry(&self, i: usize, j: usize) -> T {
        self.a[i * self.d + j]
    }

    /// `out = z · A`.
    pub fn apply(&self, z: &[T], out: &mut [T]) -> Result<(), OperatorError> {
        self.check_state(z.len())?;
        self.check_state(out.len())?;
        gemv_row(z, &self.a, self.d, out);
        Ok(())
    }

    /// `Out = Z · A` for `M` row states stacked row-major in `z` (`M·D` values).
    pub fn apply_batch(&self, z: &[T], out: &mut [T]) -> Result<(), OperatorError> {
        if z.is_empty() || !z.len().is_multiple_of(self.d) {
            return Err(OperatorError::StateLength { d: self.d, found: z.len() });
        }
        if out.len() != z.len() {
            return Err(OperatorError::StateLength { d: self.d, found: out.len() });
        }
        gemm_rows(z, &self.a, self.d, self.d, out);
        Ok(())
    }

    /// The product `self · rhs`; applying it equals applying `self` then `rhs`:
    /// `z · (A·B) = (z·A)·B`.
    pub fn then(&self, rhs: &LinearOperator<T>) -> Result<LinearOperator<T>, OperatorError> {
        if self.d != rhs.d {
            return Err(OperatorError::DimensionMismatch { left: self.d, right: rhs.d });
        }
        let mut out = vec![T::ZERO; self.d * self.d];
        gemm_rows(&self.a, &rhs.a, self.d, self.d, &mut out);
        Ok(LinearOperator { d: self.d, a: out })
    }

    /// `A^s` by repeated squaring (`⌊log₂ s⌋` squarings and at most as many products);
    /// `A^0 = I`.
    pub fn power(&self, mut s: u64) -> LinearOperator<T> {
        let mut result: Option<LinearOperator<T>> = None;
        let mut base = self.clone();
        while s > 0 {
            if s & 1 == 1 {
                result = Some(match result {
                    None => base.clone(),
                    Some(r) => r.then(&base).expect("same dimension"),
                });
            }
            s >>= 1;
            if s > 0 {
                base = base.then(&base).expect("same dimension");
            }
        }
        result.unwrap_or_else(|| Self::identity(self.d).expect("d >= 1"))
    }

    /// The same operator in another precision (nearest values).
    pub fn cast<U: Real>(&self) -> LinearOperator<U> {
        LinearOperator { d: self.d, a: self.a.iter().map(|&v| U::from_f64(v.to_f64())).collect() }
    }

    /// `self` with every entry multiplied by `c` (which must keep it finite).
    pub fn scaled(&self, c: T) -> Result<LinearOperator<T>, OperatorError> {
        Self::new(self.d, self.a.iter().map(|&v| v * c).collect())
    }

    fn check_state(&self, len: usize) -> Result<(), OperatorError> {
        if len != self.d {
            return Err(OperatorError::StateLength { d: self.d, found: len });
        }
        Ok(())
    }
}

impl<T: Real> Step<T> for LinearOperator<T> {
    fn dim(&self) -> usize {
        self.d
    }

    fn step(&mut self, z: &[T], out: &mut [T]) {
        gemv_row(z, &self.a, self.d, out);
    }
}
