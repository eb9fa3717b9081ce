//! `Majority(N, η)`: support-preserving, sign-preserving majority.
//!
//! For a supported cell `x` let `Σ(x) = Σ_{y ∈ N[x]} s(y)` over the closed
//! neighbourhood (the cell itself included). Then
//!
//! ```text
//! M(s)(x) = s(x)   if s(x) ≠ 0 and s(x)·Σ(x) ≥ η
//!           0      otherwise                          (η ≥ 1)
//! ```
//!
//! i.e. a supported cell keeps `sgn Σ(x)` when the vote is at least η strong and agrees
//! with it; a weak vote (`|Σ| < η`) **or an opposing one** zeroes it. Unsupported
//! cells stay 0.
//!
//! *Why opposing votes abstain instead of flipping:* the flipping rule
//! (`x ↦ sgn Σ(x)`) is a synchronous threshold network and, by Goles–Olivos, can end in
//! 2-cycles instead of fixed points — on a checkerboard every cell is outvoted and the
//! whole pattern flips sign each step, forever. No defect functional can be
//! non-increasing along a cycle *and* reach a fixed point, so that rule cannot satisfy
//! the CORE contract. Abstaining keeps the kernel sign-preserving: any change strictly
//! lowers `D = |supp s|`, hence it is **contractive** with that defect and iteration
//! reaches a fixed point within `|supp s| + 1` steps. It is not idempotent in general
//! (removing a cell can weaken its neighbours' votes).
//!
//! Symmetry: both stencils are invariant under translations and under the dihedral
//! group of the square, and the rule is pointwise in `(s(x), Σ(x))`, so `M` is
//! equivariant under both.

use super::stencil::sign_counts;
use super::{Defect, Kernel, KernelClass, KernelError, Symmetry, invalid};
use crate::carrier::{Carrier, Neighbourhood, Trit};

/// Support- and sign-preserving majority over a closed neighbourhood.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Majority {
    nbhd: Neighbourhood,
    eta: u32,
}

impl Majority {
    /// Majority over `nbhd` with vote strength `eta ≥ 1`.
    pub fn new(nbhd: Neighbourhood, eta: u32) -> Result<Self, KernelError> {
        if eta == 0 {
            return Err(invalid("eta", eta, "must be >= 1 (η = 0 would keep outvoted cells)"));
        }
        Ok(Majority { nbhd, eta })
    }

    /// The neighbourhood.
    pub fn neighbourhood(&self) -> Neighbourhood {
        self.nbhd
    }

    /// The vote strength η.
    pub fn eta(&self) -> u32 {
        self.eta
    }
}

impl Kernel for Majority {
    fn name(&self) -> String {
        format!("majority({:?} r={}, η={})", self.nbhd.stencil, self.nbhd.radius, self.eta)
    }

    fn class(&self) -> KernelClass {
        KernelClass::Contractive(Defect::SupportCount)
    }

    fn symmetry(&self) -> Symmetry {
        Symmetry::TranslationsAndDihedral
    }

    fn apply(&self, input: &Carrier) -> Result<Carrier, KernelError> {
        let (pos, neg) = sign_counts(input, &self.nbhd)?;
        let mut out = input.clone();
        for i in 0..input.len() {
            let s = input.value(i);
            if s != 0 {
                let vote = i64::from(s) * (i64::from(pos[i]) - i64::from(neg[i]));
                if vote < i64::from(self.eta) {
                    out.set(i, Trit::Zero);
                }
            }
        }
        Ok(out)
    }
}
