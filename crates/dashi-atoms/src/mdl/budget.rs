//! Budget enforcement (module docs of [`crate::mdl`]): keep atoms with
//! benefit − λ·cost ≥ 0, ranked by benefit per float, longest prefix within the budget.

use super::Budget;
use super::trace::{MdlEvent, Tagged, Trace};
use crate::atom::Atom;
use crate::ledger::Ledger;

/// Captured enstrophy of an atom set: Σ self-enstrophy (0.5·mean(ω²) units). This is the
/// enstrophy the atoms would render with no overlap between different atoms; the decoded
/// field's enstrophy adds cross terms, which are positive for same-sign neighbours and
/// negative for opposite-sign ones.
pub fn captured_enstrophy(atoms: &[Atom]) -> f64 {
    atoms.iter().map(Atom::self_enstrophy).sum()
}

/// Keeps the budget's prefix; the input is in canonical order and so is the output.
pub(super) fn enforce(atoms: &mut Vec<Tagged>, budget: &Budget, ledger: &mut Ledger, trace: &mut Trace) {
    let scored: Vec<(f64, f64, usize)> = atoms
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let a = &t.atom;
            let (b, c) = (a.self_enstrophy(), a.floats() as f64);
            (b, b / c, i)
        })
        .collect();
    let mut ranked: Vec<&(f64, f64, usize)> = scored.iter().collect();
    ranked.sort_by(|x, y| y.1.total_cmp(&x.1).then(x.2.cmp(&y.2)));
    let mut keep = vec![false; atoms.len()];
    let (mut count, mut floats) = (0usize, 0usize);
    for &&(benefit, _, i) in &ranked {
        let cost = atoms[i].atom.floats();
        let worth = benefit - budget.lambda * cost as f64 >= 0.0;
        let fits = budget.max_atoms.is_none_or(|m| count < m) && budget.max_floats.is_none_or(|m| floats + cost <= m);
        if !(worth && fits) {
            break;
        }
        keep[i] = true;
        count += 1;
        floats += cost;
    }
    let mut i = 0;
    atoms.retain(|t| {
        let a = &t.atom;
        let k = keep[i];
        i += 1;
        if !k {
            trace.events.push(MdlEvent::BudgetDropped(t.node));
            ledger.budget.add(-a.gamma(), -a.signed_gamma());
            ledger.events.budget_dropped += 1;
        }
        k
    });
}
