//! Coherence statistics of a carrier against the field it was cut from.
//!
//! * active cells `|supp s|`;
//! * sign balance `Σ_x s(x)`;
//! * interface count `I(s) = #{edges (x, x+e_a) : s(x)·s(x+e_a) = −1}` over the edges
//!   of the periodic grid graph, one edge per cell and non-degenerate axis `a`
//!   (the 4-neighbourhood in 2D; on an axis of extent 2 the two edges between the
//!   same cells both count);
//! * energy on support `½·mean_{x ∈ supp s} f(x)²` (0 on an empty support) — the
//!   enstrophy definition `½·mean(ω²)` restricted to the support.

use super::KernelError;
use crate::carrier::{Carrier, CarrierError, Field};

/// Statistics of a carrier (and the field it was cut from).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CoherenceStats {
    /// `|supp s|`.
    pub active_cells: u64,
    /// `Σ_x s(x)`.
    pub sign_balance: i64,
    /// `I(s)`.
    pub interface_count: u64,
    /// `½·mean_{supp s} f²`.
    pub energy_on_support: f64,
}

impl CoherenceStats {
    /// Computes the statistics of `s` against `field` (same shape).
    pub fn of(s: &Carrier, field: &Field) -> Result<Self, KernelError> {
        if s.shape() != field.shape() {
            return Err(
                CarrierError::ShapeMismatch { expected: s.shape().clone(), found: field.shape().clone() }.into()
            );
        }
        let mut sum_sq = 0.0;
        for (i, v) in field.values().iter().enumerate() {
            if s.is_supported(i) {
                sum_sq += v * v;
            }
        }
        let active = s.support_count() as u64;
        Ok(CoherenceStats {
            active_cells: active,
            sign_balance: s.sign_balance(),
            interface_count: interface_count(s),
            energy_on_support: if active == 0 { 0.0 } else { 0.5 * sum_sq / active as f64 },
        })
    }
}

/// The interface count `I(s)` (see the module docs).
pub fn interface_count(s: &Carrier) -> u64 {
    let shape = s.shape();
    let dims = shape.dims();
    let mut count = 0u64;
    let mut inner = 1usize;
    for axis in (0..dims.len()).rev() {
        let extent = dims[axis];
        if extent > 1 {
            for i in 0..s.len() {
                let c = (i / inner) % extent;
                let j = if c + 1 == extent { i + inner - extent * inner } else { i + inner };
                if s.value(i) * s.value(j) == -1 {
                    count += 1;
                }
            }
        }
        inner *= extent;
    }
    count
}
