//! The atom: a signed filament of circulation with an explicit carrier factorisation.
//!
//! ```text
//! a = (γ, σ, Γ, ε, ξ)
//!   γ  polyline vertices v_0 … v_{V−1} ∈ [0, 2π)²   (V = 1: a point vortex blob)
//!   σ  sign ∈ {−1, +1}                                (Sign: there is no zero sign)
//!   Γ  magnitude (circulation) ≥ 0, finite
//!   ε  core radius, 0 < ε ≤ MAX_CORE
//!   ξ  optional channels (Vec<f64>, carried, not yet dynamic)
//! support = the atom is present in the state's list; a "dead" atom is absent, never
//! kept with a zero sign or a NaN.
//! ```
//!
//! **Circulation on the vertices.** The atom's signed circulation σΓ is carried by its
//! vertices in **equal shares** `w_k = 1/V`: vertex k is a Gaussian blob of circulation
//! σΓ/V. The shares are material (they move with the vertices and never change under
//! transport), which is what Kelvin's theorem asks of a Lagrangian blob method; weighting
//! by segment length would make them change as the curve stretches.
//!
//! **Direction.** In 2D the vorticity is a scalar, so a polyline's direction carries no
//! physics (the sign σ does). The constructor stores the direction whose vertex sequence
//! is lexicographically smaller (by `f64::total_cmp` on x, then y) — a canonical chart.

use crate::error::AtomError;
use crate::geometry;
use dashi_core::Trit;
use std::cmp::Ordering;
use std::f64::consts::PI;

/// Largest accepted core radius. The periodic blob kernel sums the Gaussian core
/// correction over the nearest image only; with ε ≤ 0.5 the neglected images contribute
/// at most e^{−π²/ε²}/(2π²) ≈ 4·10⁻¹⁹ per unit circulation.
pub const MAX_CORE: f64 = 0.5;

/// The sign of a live atom: −1 or +1. There is no zero: an atom with no circulation
/// has no support and is removed, never kept with a zero sign.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Sign {
    /// σ = −1 (clockwise circulation).
    Neg,
    /// σ = +1 (counter-clockwise circulation).
    Pos,
}

impl Sign {
    /// σ as a float, ±1.
    pub const fn value(self) -> f64 {
        match self {
            Sign::Neg => -1.0,
            Sign::Pos => 1.0,
        }
    }

    /// The carrier value of a live atom with this sign (never [`Trit::Zero`]).
    pub const fn to_trit(self) -> Trit {
        match self {
            Sign::Neg => Trit::Neg,
            Sign::Pos => Trit::Pos,
        }
    }

    /// The sign of a supported carrier value; `None` for [`Trit::Zero`] (no support).
    pub const fn from_trit(t: Trit) -> Option<Sign> {
        match t {
            Trit::Neg => Some(Sign::Neg),
            Trit::Zero => None,
            Trit::Pos => Some(Sign::Pos),
        }
    }

    /// The sign of a non-zero finite number; `None` for 0, −0 and NaN.
    pub fn of(x: f64) -> Option<Sign> {
        if x > 0.0 {
            Some(Sign::Pos)
        } else if x < 0.0 {
            Some(Sign::Neg)
        } else {
            None
        }
    }
}

/// One filament atom (see the module docs for the contract). Fields are private so the
/// carrier invariants (finite wrapped vertices, Γ ≥ 0 finite, 0 < ε ≤ [`MAX_CORE`],
/// canonical direction) always hold.
#[derive(Clone, Debug, PartialEq)]
pub struct Atom {
    vertices: Vec<[f64; 2]>,
    sign: Sign,
    gamma: f64,
    core: f64,
    channels: Vec<f64>,
}

impl Atom {
    /// A polyline atom. Vertices are wrapped into [0, 2π)² and stored in canonical
    /// direction. Errors: no vertex, a non-finite coordinate, Γ < 0 or non-finite,
    /// ε ∉ (0, [`MAX_CORE`]].
    pub fn new(vertices: Vec<[f64; 2]>, sign: Sign, gamma: f64, core: f64) -> Result<Atom, AtomError> {
        if vertices.is_empty() {
            return Err(AtomError::atom("vertices", "[]", "at least one vertex"));
        }
        if let Some(v) = vertices.iter().find(|v| !v[0].is_finite() || !v[1].is_finite()) {
            return Err(AtomError::atom("vertices", format!("{v:?}"), "finite coordinates"));
        }
        if !(gamma.is_finite() && gamma >= 0.0) {
            return Err(AtomError::atom("gamma", gamma, "finite and ≥ 0"));
        }
        if !(core.is_finite() && core > 0.0 && core <= MAX_CORE) {
            return Err(AtomError::atom("core", core, "0 < ε ≤ MAX_CORE = 0.5"));
        }
        let vertices = vertices.into_iter().map(geometry::wrap_point).collect();
        Ok(Atom::raw(vertices, sign, gamma, core, Vec::new()))
    }

    /// A point vortex blob: one vertex at (x, y).
    pub fn blob(x: f64, y: f64, sign: Sign, gamma: f64, core: f64) -> Result<Atom, AtomError> {
        Atom::new(vec![[x, y]], sign, gamma, core)
    }

    /// An atom from a signed circulation s = σΓ: `Ok(None)` when s = 0 (no support).
    pub fn from_signed(vertices: Vec<[f64; 2]>, signed_gamma: f64, core: f64) -> Result<Option<Atom>, AtomError> {
        if !signed_gamma.is_finite() {
            return Err(AtomError::atom("gamma", signed_gamma, "finite"));
        }
        match Sign::of(signed_gamma) {
            None => Ok(None),
            Some(sign) => Atom::new(vertices, sign, signed_gamma.abs(), core).map(Some),
        }
    }

    /// The same atom with channels ξ (finite values).
    pub fn with_channels(mut self, channels: Vec<f64>) -> Result<Atom, AtomError> {
        if let Some(c) = channels.iter().find(|c| !c.is_finite()) {
            return Err(AtomError::atom("channels", c, "finite values"));
        }
        self.channels = channels;
        Ok(self)
    }

    /// Unchecked constructor for values produced inside the crate (already wrapped and
    /// validated); canonicalises the direction.
    pub(crate) fn raw(vertices: Vec<[f64; 2]>, sign: Sign, gamma: f64, core: f64, channels: Vec<f64>) -> Atom {
        let mut atom = Atom { vertices, sign, gamma, core, channels };
        atom.canonicalise_direction();
        atom
    }

    pub(crate) fn canonicalise_direction(&mut self) {
        let forward = self.vertices.iter();
        let backward = self.vertices.iter().rev();
        if cmp_vertex_seq(backward, forward) == Ordering::Less {
            self.vertices.reverse();
        }
    }

    pub(crate) fn vertices_mut(&mut self) -> &mut [[f64; 2]] {
        &mut self.vertices
    }

    pub(crate) fn set_core(&mut self, core: f64) {
        self.core = core;
    }

    /// Polyline vertices in [0, 2π)², canonical direction.
    pub fn vertices(&self) -> &[[f64; 2]] {
        &self.vertices
    }

    /// Number of vertices V ≥ 1.
    pub fn vertex_count(&self) -> usize {
        self.vertices.len()
    }

    /// σ.
    pub fn sign(&self) -> Sign {
        self.sign
    }

    /// The atom's carrier value: support is 1 (it exists) and the sign is σ, so this is
    /// never [`Trit::Zero`].
    pub fn trit(&self) -> Trit {
        self.sign.to_trit()
    }

    /// Γ ≥ 0.
    pub fn gamma(&self) -> f64 {
        self.gamma
    }

    /// σΓ.
    pub fn signed_gamma(&self) -> f64 {
        self.sign.value() * self.gamma
    }

    /// Signed circulation carried by each vertex, σΓ/V.
    pub fn vertex_circulation(&self) -> f64 {
        self.signed_gamma() / self.vertices.len() as f64
    }

    /// Core radius ε.
    pub fn core(&self) -> f64 {
        self.core
    }

    /// Channels ξ (possibly empty).
    pub fn channels(&self) -> &[f64] {
        &self.channels
    }

    /// Polyline length (minimal-image segments); 0 for a blob.
    pub fn length(&self) -> f64 {
        geometry::polyline_length(&self.vertices)
    }

    /// Floats stored for this atom — the MDL cost: 2V (vertices) + 1 (Γ) + 1 (ε) +
    /// channels. The sign is one bit and not counted as a float.
    pub fn floats(&self) -> usize {
        2 * self.vertices.len() + 2 + self.channels.len()
    }

    /// The atom's own enstrophy in the decoded field, in the workspace's units
    /// `Z = 0.5·mean(ω²)` over the box (area 4π²):
    ///
    /// ```text
    /// Z_a = Γ²/(8π²) · Σ_{k,l} (1/V²) · exp(−|v_k − v_l|²/(2ε²)) / (2πε²)
    /// ```
    ///
    /// (the overlap integral of two unit Gaussians of width ε at distance r is
    /// e^{−r²/(2ε²)}/(2πε²); minimal-image distances, neglected images ≤ e^{−π²/(2ε²)}
    /// relative). The MDL *benefit* of keeping the atom. O(V²).
    pub fn self_enstrophy(&self) -> f64 {
        let v = &self.vertices;
        let two_eps2 = 2.0 * self.core * self.core;
        let mut sum = 0.0;
        for (k, a) in v.iter().enumerate() {
            sum += 1.0; // l = k
            for b in &v[k + 1..] {
                let d = geometry::delta(*a, *b);
                sum += 2.0 * (-(d[0] * d[0] + d[1] * d[1]) / two_eps2).exp();
            }
        }
        let n = v.len() as f64;
        self.gamma * self.gamma / (8.0 * PI * PI) * sum / (n * n) / (PI * two_eps2)
    }

    /// The canonical total order used for every tie-break in the crate:
    /// sign (−1 < +1), then Γ, ε, vertex count, the vertex sequence (x then y of each
    /// vertex in turn), the channel count, the channels — all floats by
    /// `f64::total_cmp`. Two atoms compare `Equal` only if they are bitwise identical, so
    /// sorting by this order makes any computation independent of input order.
    pub fn canonical_cmp(&self, other: &Atom) -> Ordering {
        self.sign
            .cmp(&other.sign)
            .then_with(|| self.gamma.total_cmp(&other.gamma))
            .then_with(|| self.core.total_cmp(&other.core))
            .then_with(|| self.vertices.len().cmp(&other.vertices.len()))
            .then_with(|| cmp_vertex_seq(self.vertices.iter(), other.vertices.iter()))
            .then_with(|| self.channels.len().cmp(&other.channels.len()))
            .then_with(|| {
                self.channels
                    .iter()
                    .zip(&other.channels)
                    .map(|(a, b)| a.total_cmp(b))
                    .find(|o| o.is_ne())
                    .unwrap_or(Ordering::Equal)
            })
    }
}

fn cmp_vertex_seq<'a>(a: impl Iterator<Item = &'a [f64; 2]>, b: impl Iterator<Item = &'a [f64; 2]>) -> Ordering {
    for (p, q) in a.zip(b) {
        let o = p[0].total_cmp(&q[0]).then_with(|| p[1].total_cmp(&q[1]));
        if o.is_ne() {
            return o;
        }
    }
    Ordering::Equal
}

/// Sorts atoms into the canonical order ([`Atom::canonical_cmp`]).
pub fn canonical_sort(atoms: &mut [Atom]) {
    atoms.sort_by(Atom::canonical_cmp);
}

/// `(ΣΓ, ΣσΓ)` over the atoms, summed in the given order.
pub fn totals(atoms: &[Atom]) -> (f64, f64) {
    atoms.iter().fold((0.0, 0.0), |(g, s), a| (g + a.gamma(), s + a.signed_gamma()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constructor_validates_and_wraps() {
        assert!(Atom::new(vec![], Sign::Pos, 1.0, 0.1).is_err());
        assert!(Atom::blob(f64::NAN, 0.0, Sign::Pos, 1.0, 0.1).is_err());
        assert!(Atom::blob(0.0, 0.0, Sign::Pos, -1.0, 0.1).is_err());
        assert!(Atom::blob(0.0, 0.0, Sign::Pos, 1.0, 0.0).is_err());
        assert!(Atom::blob(0.0, 0.0, Sign::Pos, 1.0, 0.6).is_err());
        let a = Atom::blob(-1.0, 7.0, Sign::Neg, 2.0, 0.1).unwrap();
        assert!(a.vertices()[0][0] > 5.0 && a.vertices()[0][1] < 1.0);
        assert_eq!(a.signed_gamma(), -2.0);
        assert_eq!(a.trit(), Trit::Neg);
        assert_eq!(Atom::from_signed(vec![[1.0, 1.0]], 0.0, 0.1).unwrap(), None);
    }

    #[test]
    fn direction_is_canonical() {
        let a = Atom::new(vec![[2.0, 1.0], [1.0, 1.0]], Sign::Pos, 1.0, 0.1).unwrap();
        let b = Atom::new(vec![[1.0, 1.0], [2.0, 1.0]], Sign::Pos, 1.0, 0.1).unwrap();
        assert_eq!(a, b);
        assert_eq!(a.vertices()[0], [1.0, 1.0]);
    }

    #[test]
    fn blob_self_enstrophy_matches_closed_form() {
        // One Gaussian blob: ∫ω² = Γ²/(2πε²), Z = ∫ω²/(8π²).
        let a = Atom::blob(1.0, 1.0, Sign::Pos, 2.0, 0.1).unwrap();
        let expect = 4.0 / (2.0 * PI * 0.01) / (8.0 * PI * PI);
        assert!((a.self_enstrophy() - expect).abs() < 1e-12 * expect);
    }
}
