//! Carrier kernels and their invariant classes.
//!
//! A **kernel** `K` maps a carrier to a carrier of the same shape. Every kernel here
//! declares, and the test suite checks on random carriers:
//!
//! * **determinism** — `K(s)` depends on `s` alone;
//! * **no support creation** — `supp K(s) ⊆ supp s`;
//! * its **class** ([`KernelClass`]): *idempotent*, `K(K(s)) = K(s)`, or *contractive*:
//!   a declared defect functional `D ≥ 0` ([`Defect`]) never increases,
//!   `D(K(s)) ≤ D(s)`, and iterating `K` reaches a fixed point;
//! * its **symmetry** ([`Symmetry`]) — equivariance `K(g·s) = g·K(s)` under periodic
//!   translations, and under the dihedral group of the square for isotropic stencils.
//!
//! All kernels in this module are moreover **sign-preserving**: a cell either keeps
//! its trit or becomes 0. This is what makes `D = |supp s|` a strict Lyapunov
//! functional — any change removes support — so every iteration reaches a fixed point
//! in at most `|supp s| + 1` applications. `docs/MATH.md` has the proof sketches.
//!
//! [`check_invariants`] is the reusable checker: give it any [`Kernel`] and a carrier.

mod annihilate;
mod coherence;
mod fining;
mod fusion;
mod invariants;
mod majority;
mod stencil;
mod threshold;

pub use annihilate::Annihilate;
pub use coherence::{CoherenceStats, interface_count};
pub use fining::{Fining, FiningKernel, FiningOutcome, LevelStats, MAX_FINING_LEVELS};
pub use fusion::MajorityFusion;
pub use invariants::{CheckConfig, InvariantReport, InvariantViolation, check_invariants};
pub use majority::Majority;
pub use threshold::{Threshold, threshold_planes};

use crate::carrier::{Carrier, CarrierError};

/// The invariant class a kernel declares.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KernelClass {
    /// `K(K(s)) = K(s)` for every `s`.
    Idempotent,
    /// `D(K(s)) ≤ D(s)` for the given defect functional, and iteration reaches a
    /// fixed point.
    Contractive(Defect),
}

/// A defect functional `D ≥ 0` on carriers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Defect {
    /// `D(s) = |supp s|`, the number of non-zero cells.
    SupportCount,
    /// `D(s) = I(s)`, the interface count ([`interface_count`]).
    InterfaceCount,
}

impl Defect {
    /// Evaluates the functional.
    pub fn eval(self, s: &Carrier) -> u64 {
        match self {
            Defect::SupportCount => s.support_count() as u64,
            Defect::InterfaceCount => interface_count(s),
        }
    }
}

/// The symmetries a kernel commutes with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Symmetry {
    /// None claimed (e.g. the kernel depends on an external field).
    None,
    /// Periodic translations.
    Translations,
    /// Periodic translations, and on square 2D grids the 8 rotations/reflections.
    TranslationsAndDihedral,
}

/// A carrier-to-carrier kernel.
pub trait Kernel {
    /// A human-readable name with parameters, e.g. `majority(moore r=1, η=2)`.
    fn name(&self) -> String;
    /// The declared invariant class.
    fn class(&self) -> KernelClass;
    /// The declared symmetry.
    fn symmetry(&self) -> Symmetry;
    /// Applies the kernel.
    fn apply(&self, input: &Carrier) -> Result<Carrier, KernelError>;
}

/// Errors of kernel construction and application.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum KernelError {
    /// A carrier-level problem (shape, radius too large for the grid, non-finite field).
    #[error(transparent)]
    Carrier(#[from] CarrierError),
    /// A parameter outside its domain.
    #[error("invalid parameter {name} = {value}: {reason}")]
    InvalidParameter {
        /// Parameter name.
        name: &'static str,
        /// Its value, printed.
        value: String,
        /// The allowed domain.
        reason: &'static str,
    },
    /// A fusion with no channels.
    #[error("majority fusion needs at least one channel")]
    NoChannels,
}

pub(crate) fn invalid(name: &'static str, value: impl ToString, reason: &'static str) -> KernelError {
    KernelError::InvalidParameter { name, value: value.to_string(), reason }
}
