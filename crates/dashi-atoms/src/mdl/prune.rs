//! The prune rule: no support (Γ = 0), too weak (Γ < Γ_min), or a polyline too short.

use super::MdlConfig;
use super::trace::{MdlEvent, Tagged, Trace};
use crate::atom::Atom;
use crate::ledger::Ledger;

/// True if the atom survives pruning.
pub(super) fn keeps(a: &Atom, config: &MdlConfig) -> bool {
    let weak = a.gamma() == 0.0 || a.gamma() < config.gamma_min;
    let short = a.vertex_count() >= 2 && a.length() < config.length_min;
    !(weak || short)
}

/// Removes pruned atoms (order of the rest preserved) and books their (Γ, σΓ).
pub(super) fn prune(atoms: &mut Vec<Tagged>, config: &MdlConfig, ledger: &mut Ledger, trace: &mut Trace) {
    atoms.retain(|t| {
        let a = &t.atom;
        let keep = keeps(a, config);
        if !keep {
            trace.events.push(MdlEvent::Pruned(t.node));
            ledger.prune.add(-a.gamma(), -a.signed_gamma());
            ledger.events.pruned += 1;
        }
        keep
    });
}
