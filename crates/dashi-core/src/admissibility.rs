//! PDA admissibility decisions.
//!
//! A projection onto the carrier alphabet (PDA: project, decide, admit) classifies a
//! candidate value by its distance `d` to the nearest element of `T = {−1, 0, +1}`:
//!
//! * [`Admissibility::Accept`] — `d ≤ accept_tol`: already a trit, kept as is;
//! * [`Admissibility::Project`] — `accept_tol < d ≤ reject_tol`: snapped to the nearest trit;
//! * [`Admissibility::Reject`] — `d > reject_tol` (or not finite): refused.
//!
//! This is a separate type on purpose: "reject" is a decision about a value, not a
//! value, and must never be encoded as a carrier sign.

use crate::carrier::Trit;

/// The outcome of an admissibility check.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Admissibility {
    /// The value is admissible as it is.
    Accept,
    /// The value is admissible after projection to the nearest trit.
    Project,
    /// The value is not admissible.
    Reject,
}

/// Tolerances of [`classify`]; requires `0 ≤ accept_tol ≤ reject_tol`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct AdmissibilityRule {
    /// Largest distance to T accepted without change.
    pub accept_tol: f64,
    /// Largest distance to T accepted after projection.
    pub reject_tol: f64,
}

/// The nearest trit to `x` (ties at ±0.5 go towards zero).
pub fn nearest_trit(x: f64) -> Trit {
    if x > 0.5 {
        Trit::Pos
    } else if x < -0.5 {
        Trit::Neg
    } else {
        Trit::Zero
    }
}

/// Classifies `x` under `rule`, returning the decision and, unless rejected, the
/// admitted trit.
pub fn classify(x: f64, rule: AdmissibilityRule) -> (Admissibility, Option<Trit>) {
    if !x.is_finite() {
        return (Admissibility::Reject, None);
    }
    let t = nearest_trit(x);
    let d = (x - f64::from(t.to_i8())).abs();
    if d <= rule.accept_tol {
        (Admissibility::Accept, Some(t))
    } else if d <= rule.reject_tol {
        (Admissibility::Project, Some(t))
    } else {
        (Admissibility::Reject, None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decisions_follow_distance_to_t() {
        let rule = AdmissibilityRule { accept_tol: 1e-9, reject_tol: 0.25 };
        assert_eq!(classify(1.0, rule), (Admissibility::Accept, Some(Trit::Pos)));
        assert_eq!(classify(-0.9, rule), (Admissibility::Project, Some(Trit::Neg)));
        assert_eq!(classify(0.1, rule), (Admissibility::Project, Some(Trit::Zero)));
        assert_eq!(classify(0.5, rule), (Admissibility::Reject, None));
        assert_eq!(classify(f64::NAN, rule), (Admissibility::Reject, None));
    }
}
