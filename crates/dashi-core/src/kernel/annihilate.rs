//! `Annihilate(N)`: `K_ann`, opposite signs that touch cancel.
//!
//! ```text
//! K_ann(s)(x) = 0      if ∃ y ∈ N[x] with s(y) = −s(x) ≠ 0
//!               s(x)   otherwise
//! ```
//!
//! **Idempotent:** a surviving cell `x` saw no opposite sign in `N[x]` in the input;
//! the output only zeroes cells, so `N[x]` still holds none and `x` survives again;
//! zeroed cells stay zero. **Interface count never increases:** the output is the
//! input with some cells zeroed, and zeroing a cell can only remove pairs with
//! `s(x)s(y) = −1`. Sign-preserving, support-decreasing, and equivariant under
//! translations and (both stencils being isotropic) the dihedral group.

use super::stencil::sign_counts;
use super::{Kernel, KernelClass, KernelError, Symmetry};
use crate::carrier::{Carrier, Neighbourhood, Trit};

/// Annihilation of touching opposite signs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Annihilate {
    nbhd: Neighbourhood,
}

impl Annihilate {
    /// Annihilation over `nbhd`.
    pub fn new(nbhd: Neighbourhood) -> Self {
        Annihilate { nbhd }
    }

    /// The neighbourhood.
    pub fn neighbourhood(&self) -> Neighbourhood {
        self.nbhd
    }
}

impl Kernel for Annihilate {
    fn name(&self) -> String {
        format!("annihilate({:?} r={})", self.nbhd.stencil, self.nbhd.radius)
    }

    fn class(&self) -> KernelClass {
        KernelClass::Idempotent
    }

    fn symmetry(&self) -> Symmetry {
        Symmetry::TranslationsAndDihedral
    }

    fn apply(&self, input: &Carrier) -> Result<Carrier, KernelError> {
        let (pos, neg) = sign_counts(input, &self.nbhd)?;
        let mut out = input.clone();
        for i in 0..input.len() {
            let opposite = match input.value(i) {
                1 => neg[i],
                -1 => pos[i],
                _ => 0,
            };
            if opposite > 0 {
                out.set(i, Trit::Zero);
            }
        }
        Ok(out)
    }
}
