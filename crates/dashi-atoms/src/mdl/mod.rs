//! Π_MDL — the deterministic minimum-description-length normal form of an atom set.
//!
//! ```text
//! Π = budget ∘ prune ∘ merge* ∘ prune ∘ split* ∘ prune ∘ canonicalise
//! ```
//!
//! * **canonicalise** — every atom in canonical direction, the set sorted by
//!   [`Atom::canonical_cmp`]. All later tie-breaks use these indices, so the output
//!   does not depend on input order (tested).
//! * **prune** — remove atoms with Γ = 0 (always: no support means no atom), Γ < Γ_min,
//!   or (polylines only, V ≥ 2) length < L_min. Blobs have no length and are exempt.
//! * **split*** — to a fixed point, first matching rule per atom:
//!   (1) a segment longer than `max_segment` is cut out (A = v₀..v_k, B = v_{k+1}..);
//!   (2) the first properly crossing segment pair (i, j) cuts off the loop
//!   v_{i+1}..v_j, the rest v₀..v_i ++ v_{j+1}.. stays (reconnection);
//!   (3) the sharpest turning angle above `max_turn` (lowest index on ties) ends
//!   A = v₀..v_k, B = v_{k+1}..;
//!   (4) more than `max_vertices` vertices: halves v₀..v_{⌊V/2⌋−1}, v_{⌊V/2⌋}...
//!   Children take Γ in proportion to their vertex counts (Γ_A = Γ·V_A/V,
//!   Γ_B = Γ − Γ_A), so every vertex keeps its circulation σΓ/V: **a split does not
//!   change the decoded field or the velocity** (tested), only the chart.
//! * **merge*** — rounds until none applies: candidate pairs (i < j canonical) with
//!   periodic vertex-set distance < `distance`, equal channel counts, aligned (both
//!   polylines: |cos| of the angle between end-to-end chords ≥ `align_cos`; a blob is
//!   aligned with anything), same sign unless `opposite` is set. Pairs are taken
//!   greedily by (distance, i, j) ascending, each atom at most once per round. Result:
//!   `s = σ₁Γ₁ + σ₂Γ₂`, Γ = |s|, σ = sgn s (= the sign of the larger Γ; same signs:
//!   Γ = Γ₁ + Γ₂). s = 0 annihilates both (no child). Geometry: two blobs → one blob at
//!   the Γ-weighted periodic centroid with ε² = Σ(Γ_i/ΣΓ)(ε_i² + |x_i − c|²) (keeps the
//!   second moment, capped at [`crate::MAX_CORE`]); otherwise the polylines are
//!   concatenated across the shortest of the four end-to-end joins (ties in the order
//!   end₁→start₂, end₁→end₂, start₁→start₂, start₁→end₂), ε = Γ-weighted RMS of the
//!   cores, channels Γ-weighted means. **Simplification:** the concatenated polyline
//!   spreads Γ equally over V₁ + V₂ vertices, so a polyline merge moves circulation
//!   between vertices. A merge whose result the split rules would cut is refused, so
//!   merge and split never undo each other and Π is idempotent.
//! * **budget** — MDL score per atom: benefit b = self-enstrophy
//!   ([`Atom::self_enstrophy`], in 0.5·mean(ω²) units), cost c = floats stored
//!   ([`Atom::floats`]). An atom is worth keeping iff `b − λc ≥ 0`; the survivors are
//!   ranked by benefit per float b/c (descending; canonical index on ties) and the
//!   longest prefix within `max_atoms` and `max_floats` is kept (it stops at the first
//!   atom that does not fit). Ranking by b/c rather than by b − λc makes the kept sets
//!   for different (λ, budgets) prefixes of **one** ranking, hence nested: a larger
//!   budget or a smaller λ never drops an atom that a tighter setting keeps, so the
//!   captured enstrophy Σb is monotone (tested). (Ranking by b − λc would not nest
//!   across λ; skipping an atom that does not fit, knapsack-style, would not nest
//!   across `max_floats`.)
//!
//! Every stage writes its (ΔΓ, ΔσΓ) into a [`Ledger`] and, for [`normal_form_traced`],
//! which nodes it consumed and created into a [`Trace`] (the exact provenance behind
//! [`crate::threads`]). Cost: prune O(V); split O(Σ V_a²)
//! (self-intersection); merge O(rounds · V²); budget O(Σ V_a² + n log n).

mod budget;
mod merge;
mod prune;
mod split;
pub mod trace;

use crate::atom::Atom;
use crate::error::AtomError;
use crate::ledger::Ledger;

pub use budget::captured_enstrophy;
pub use trace::{MdlEvent, Trace};
use trace::{Tagged, sort_tagged};

/// Split thresholds (any `None` disables that rule).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SplitConfig {
    /// Cut segments longer than this (also keeps segments < L/2 = π, which the
    /// minimal-image geometry needs).
    pub max_segment: Option<f64>,
    /// Split at the sharpest vertex whose turning angle exceeds this (radians, 0..π).
    pub max_turn: Option<f64>,
    /// Cut self-intersecting polylines.
    pub self_intersection: bool,
    /// Halve atoms with more vertices than this (≥ 2).
    pub max_vertices: Option<usize>,
}

/// Merge thresholds.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MergeConfig {
    /// Merge atoms whose vertex sets come closer than this (periodic distance).
    pub distance: f64,
    /// Two polylines are aligned when |cos(angle between chords)| ≥ this (0..1).
    pub align_cos: f64,
    /// Also merge opposite-sign atoms (annihilating the smaller Γ).
    pub opposite: bool,
}

/// Budget and MDL pressure.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Budget {
    /// Most atoms kept (`None`: unlimited).
    pub max_atoms: Option<usize>,
    /// Most floats stored over all atoms (`None`: unlimited).
    pub max_floats: Option<usize>,
    /// MDL pressure λ ≥ 0: keep an atom only if self-enstrophy − λ·floats ≥ 0.
    pub lambda: f64,
}

impl Default for Budget {
    fn default() -> Budget {
        Budget { max_atoms: None, max_floats: None, lambda: 0.0 }
    }
}

/// Π_MDL parameters. `MdlConfig::default()` disables everything except the removal of
/// Γ = 0 atoms and canonical ordering: Π is then the identity on any set of live atoms
/// up to order.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct MdlConfig {
    /// Prune Γ < gamma_min (≥ 0).
    pub gamma_min: f64,
    /// Prune polylines shorter than this (≥ 0).
    pub length_min: f64,
    /// Split rules (`None`: no splitting).
    pub split: Option<SplitConfig>,
    /// Merge rule (`None`: no merging).
    pub merge: Option<MergeConfig>,
    /// Budget.
    pub budget: Budget,
}

impl MdlConfig {
    /// The settings used on turbulent flows (`dashi atoms run` / `threads`, the
    /// `atoms_mcwilliams` example): prune Γ < 1e-4; split segments longer than 0.3, turns
    /// sharper than 2 rad and self-intersections, at most 24 vertices per atom; merge
    /// same-sign atoms closer than 0.02 whose directions agree (|cos| ≥ 0.9); keep at most
    /// `floats` floats.
    pub fn filaments(floats: usize) -> MdlConfig {
        MdlConfig {
            gamma_min: 1e-4,
            length_min: 0.0,
            split: Some(SplitConfig {
                max_segment: Some(0.3),
                max_turn: Some(2.0),
                self_intersection: true,
                max_vertices: Some(24),
            }),
            merge: Some(MergeConfig { distance: 0.02, align_cos: 0.9, opposite: false }),
            budget: Budget { max_atoms: None, max_floats: Some(floats), lambda: 0.0 },
        }
    }

    /// Checks every threshold's range.
    pub fn validate(&self) -> Result<(), AtomError> {
        let nonneg = |name, v: f64| {
            if v.is_finite() && v >= 0.0 { Ok(()) } else { Err(AtomError::config(name, v, "finite and ≥ 0")) }
        };
        nonneg("gamma_min", self.gamma_min)?;
        nonneg("length_min", self.length_min)?;
        nonneg("lambda", self.budget.lambda)?;
        if let Some(s) = &self.split {
            if let Some(m) = s.max_segment.filter(|m| !(m.is_finite() && *m > 0.0 && *m < std::f64::consts::PI)) {
                return Err(AtomError::config("max_segment", m, "0 < max_segment < π"));
            }
            if let Some(t) = s.max_turn.filter(|t| !(t.is_finite() && *t >= 0.0)) {
                return Err(AtomError::config("max_turn", t, "finite and ≥ 0 (radians)"));
            }
            if let Some(v) = s.max_vertices.filter(|v| *v < 2) {
                return Err(AtomError::config("max_vertices", v, "≥ 2"));
            }
        }
        if let Some(m) = &self.merge {
            nonneg("merge distance", m.distance)?;
            if !(m.align_cos.is_finite() && (0.0..=1.0).contains(&m.align_cos)) {
                return Err(AtomError::config("align_cos", m.align_cos, "0 ≤ align_cos ≤ 1"));
            }
        }
        Ok(())
    }
}

/// Applies Π_MDL (see the module docs) and returns the normal form, in canonical order,
/// with the ledger of attributed changes.
pub fn normal_form(atoms: Vec<Atom>, config: &MdlConfig) -> Result<(Vec<Atom>, Ledger), AtomError> {
    normal_form_traced(atoms, config).map(|(atoms, ledger, _)| (atoms, ledger))
}

/// [`normal_form`] with its provenance [`Trace`]: input node k is `atoms[k]` as given;
/// the trace says which inputs became which outputs and by which rule (one code path:
/// [`normal_form`] is this function with the trace dropped).
pub fn normal_form_traced(atoms: Vec<Atom>, config: &MdlConfig) -> Result<(Vec<Atom>, Ledger, Trace), AtomError> {
    config.validate()?;
    let mut ledger = Ledger::default();
    let mut trace = Trace { inputs: atoms.len(), ..Trace::default() };
    let mut atoms: Vec<Tagged> = atoms
        .into_iter()
        .enumerate()
        .map(|(node, mut atom)| {
            atom.canonicalise_direction();
            trace.values.push((atom.gamma(), atom.signed_gamma()));
            Tagged { atom, node }
        })
        .collect();
    sort_tagged(&mut atoms);
    prune::prune(&mut atoms, config, &mut ledger, &mut trace);
    if let Some(split) = &config.split {
        split::split_all(&mut atoms, split, &mut ledger, &mut trace);
        sort_tagged(&mut atoms);
        prune::prune(&mut atoms, config, &mut ledger, &mut trace);
    }
    if let Some(merge) = &config.merge {
        merge::merge_all(&mut atoms, merge, config.split.as_ref(), &mut ledger, &mut trace);
        prune::prune(&mut atoms, config, &mut ledger, &mut trace);
    }
    budget::enforce(&mut atoms, &config.budget, &mut ledger, &mut trace);
    trace.outputs = atoms.iter().map(|t| t.node).collect();
    Ok((atoms.into_iter().map(|t| t.atom).collect(), ledger, trace))
}
