//! The reusable invariant checker.
//!
//! [`check_invariants`] applies a [`Kernel`] to a carrier and verifies everything the
//! kernel declares: determinism, shape preservation, no support creation, its class
//! (idempotence, or monotone defect with a fixed point reached) and its symmetry.
//! Property tests drive it with random carriers; downstream crates can use it for
//! their own kernels.

use super::{Kernel, KernelClass, KernelError, Symmetry};
use crate::carrier::{Carrier, Shape};

/// What to check beyond the declared class.
#[derive(Clone, Debug, Default)]
pub struct CheckConfig {
    /// Translations to check equivariance under (each of `ndim` components), if the
    /// kernel claims translation symmetry.
    pub shifts: Vec<Vec<isize>>,
    /// Upper bound on iterations to a fixed point for contractive kernels; `None`
    /// uses `|supp s| + 2`.
    pub max_iterations: Option<usize>,
}

/// What [`check_invariants`] established.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InvariantReport {
    /// Applications of the kernel to reach a fixed point from the input (1 for an
    /// idempotent kernel: `K(s)` is already fixed).
    pub iterations_to_fixed_point: usize,
    /// Equivariance checks performed (translations + dihedral elements).
    pub symmetry_checks: usize,
}

/// A broken invariant, with the evidence.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum InvariantViolation {
    /// The kernel returned an error.
    #[error("kernel failed: {0}")]
    Kernel(#[from] KernelError),
    /// Two applications to the same input differ.
    #[error("{kernel}: not deterministic")]
    NotDeterministic {
        /// Kernel name.
        kernel: String,
    },
    /// The output shape differs from the input shape.
    #[error("{kernel}: output shape {found} differs from input shape {expected}")]
    ShapeChanged {
        /// Kernel name.
        kernel: String,
        /// Input shape.
        expected: Shape,
        /// Output shape.
        found: Shape,
    },
    /// A cell outside the input support is supported in the output.
    #[error("{kernel}: created support at cell {cell}")]
    SupportCreated {
        /// Kernel name.
        kernel: String,
        /// First offending cell.
        cell: usize,
    },
    /// `K(K(s)) ≠ K(s)` for a kernel declared idempotent.
    #[error("{kernel}: declared idempotent but K(K(s)) differs from K(s) in {cells} cells")]
    NotIdempotent {
        /// Kernel name.
        kernel: String,
        /// Hamming distance.
        cells: usize,
    },
    /// The defect rose along the iteration.
    #[error("{kernel}: defect rose from {before} to {after} at iteration {iteration}")]
    DefectIncreased {
        /// Kernel name.
        kernel: String,
        /// Iteration index.
        iteration: usize,
        /// Defect before.
        before: u64,
        /// Defect after.
        after: u64,
    },
    /// No fixed point within the iteration bound.
    #[error("{kernel}: no fixed point within {iterations} iterations")]
    NoFixedPoint {
        /// Kernel name.
        kernel: String,
        /// The bound.
        iterations: usize,
    },
    /// `K(g·s) ≠ g·K(s)` for a claimed symmetry `g`.
    #[error("{kernel}: not equivariant under {transform}")]
    NotEquivariant {
        /// Kernel name.
        kernel: String,
        /// The transform, e.g. `translate [1, -2]` or `dihedral 5`.
        transform: String,
    },
}

/// Checks every invariant `kernel` declares on `input`.
pub fn check_invariants<K: Kernel + ?Sized>(
    kernel: &K,
    input: &Carrier,
    config: &CheckConfig,
) -> Result<InvariantReport, InvariantViolation> {
    let name = kernel.name();
    let out = kernel.apply(input)?;
    if kernel.apply(input)? != out {
        return Err(InvariantViolation::NotDeterministic { kernel: name });
    }
    if out.shape() != input.shape() {
        return Err(InvariantViolation::ShapeChanged {
            kernel: name,
            expected: input.shape().clone(),
            found: out.shape().clone(),
        });
    }
    if let Some(cell) = (0..input.len()).find(|&i| out.is_supported(i) && !input.is_supported(i)) {
        return Err(InvariantViolation::SupportCreated { kernel: name, cell });
    }

    let iterations_to_fixed_point = match kernel.class() {
        KernelClass::Idempotent => {
            let again = kernel.apply(&out)?;
            if again != out {
                let cells = again.hamming_distance(&out).map_err(KernelError::from)?;
                return Err(InvariantViolation::NotIdempotent { kernel: name, cells });
            }
            1
        }
        KernelClass::Contractive(defect) => {
            let bound = config.max_iterations.unwrap_or(input.support_count() + 2);
            let mut current = input.clone();
            let mut value = defect.eval(&current);
            let mut fixed = None;
            for iteration in 1..=bound {
                let next = kernel.apply(&current)?;
                let next_value = defect.eval(&next);
                if next_value > value {
                    return Err(InvariantViolation::DefectIncreased {
                        kernel: name,
                        iteration,
                        before: value,
                        after: next_value,
                    });
                }
                if next == current {
                    fixed = Some(iteration);
                    break;
                }
                current = next;
                value = next_value;
            }
            fixed.ok_or(InvariantViolation::NoFixedPoint { kernel: name.clone(), iterations: bound })?
        }
    };

    let mut symmetry_checks = 0;
    if matches!(kernel.symmetry(), Symmetry::Translations | Symmetry::TranslationsAndDihedral) {
        for shift in &config.shifts {
            let moved_then_k = kernel.apply(&input.translate(shift).map_err(KernelError::from)?)?;
            let k_then_moved = out.translate(shift).map_err(KernelError::from)?;
            if moved_then_k != k_then_moved {
                return Err(InvariantViolation::NotEquivariant {
                    kernel: name,
                    transform: format!("translate {shift:?}"),
                });
            }
            symmetry_checks += 1;
        }
    }
    let dims = input.shape().dims();
    let square = dims.len() == 2 && dims[0] == dims[1];
    if kernel.symmetry() == Symmetry::TranslationsAndDihedral && square {
        for element in 1..8u8 {
            let moved_then_k = kernel.apply(&input.dihedral(element).map_err(KernelError::from)?)?;
            let k_then_moved = out.dihedral(element).map_err(KernelError::from)?;
            if moved_then_k != k_then_moved {
                return Err(InvariantViolation::NotEquivariant {
                    kernel: name,
                    transform: format!("dihedral {element}"),
                });
            }
            symmetry_checks += 1;
        }
    }
    Ok(InvariantReport { iterations_to_fixed_point, symmetry_checks })
}
