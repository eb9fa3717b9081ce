//! Provenance of one Π_MDL application: which input atoms became which output atoms.
//!
//! Every atom that exists at some point inside Π_MDL is a **node**: the inputs are nodes
//! `0 … inputs−1` (in the order they were given), and each split child and merge result
//! gets the next free id when it is created. Each stage records what it did to nodes:
//!
//! ```text
//! Pruned(n)                      node n removed by the prune rule          ΔQ = −Q(n)
//! Split { parent, children }     parent replaced by two children            ΔQ = Q(c₁) + Q(c₂) − Q(p)
//! Merged { parents, child }      two parents replaced by one child, or by
//!                                none on exact annihilation (s = 0)        ΔQ = Q(c) − Q(p₁) − Q(p₂)
//! BudgetDropped(n)               node n dropped by the budget               ΔQ = −Q(n)
//! ```
//!
//! for Q ∈ {Γ, σΓ}; `outputs[j]` is the node of the j-th output atom. The records are
//! exact (they are written by the rules themselves, in the order the rules apply), so
//! the genealogy built from them ([`crate::threads`]) needs no matching.

use crate::atom::Atom;
use crate::ledger::{Balance, Events};

/// One operation of Π_MDL on nodes (see the module docs).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MdlEvent {
    /// Removed by the prune rule (Γ = 0, Γ < Γ_min, or too short).
    Pruned(usize),
    /// One parent replaced by two children (children in the rule's order A, B).
    Split {
        /// The node that was cut.
        parent: usize,
        /// The two new nodes.
        children: [usize; 2],
    },
    /// Two parents (canonical order i < j of that merge round) replaced by one child,
    /// or by none when their signed circulations cancel exactly.
    Merged {
        /// The two merged nodes.
        parents: [usize; 2],
        /// The new node, `None` on exact annihilation.
        child: Option<usize>,
    },
    /// Dropped by the budget.
    BudgetDropped(usize),
}

/// The provenance record of one Π_MDL application (see the module docs).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Trace {
    /// Number of input nodes (nodes `0 … inputs−1` are the inputs, in the given order).
    pub inputs: usize,
    /// (Γ, σΓ) of every node, indexed by node id.
    pub values: Vec<(f64, f64)>,
    /// The operations, in the order Π_MDL applied them.
    pub events: Vec<MdlEvent>,
    /// `outputs[j]` = the node of the j-th output atom (outputs in canonical order).
    pub outputs: Vec<usize>,
}

impl Trace {
    /// Operation counts, in the [`Events`] convention of the [`crate::Ledger`]
    /// (every merge of opposite-sign nodes counts as a merge and as an annihilation,
    /// whether or not it leaves a child).
    pub fn event_counts(&self) -> Events {
        let mut e = Events::default();
        for ev in &self.events {
            match ev {
                MdlEvent::Pruned(_) => e.pruned += 1,
                MdlEvent::Split { .. } => e.splits += 1,
                MdlEvent::Merged { parents, .. } => {
                    e.merges += 1;
                    if (self.values[parents[0]].1 > 0.0) != (self.values[parents[1]].1 > 0.0) {
                        e.annihilations += 1;
                    }
                }
                MdlEvent::BudgetDropped(_) => e.budget_dropped += 1,
            }
        }
        e
    }

    /// The change of (ΣΓ, ΣσΓ) caused by one event, from the node values.
    pub fn change(&self, event: &MdlEvent) -> Balance {
        let q = |n: usize| self.values[n];
        let (g, s) = match *event {
            MdlEvent::Pruned(n) | MdlEvent::BudgetDropped(n) => (-q(n).0, -q(n).1),
            MdlEvent::Split { parent, children: [a, b] } => {
                (q(a).0 + q(b).0 - q(parent).0, q(a).1 + q(b).1 - q(parent).1)
            }
            MdlEvent::Merged { parents: [a, b], child } => {
                let (cg, cs) = child.map_or((0.0, 0.0), q);
                (cg - q(a).0 - q(b).0, cs - q(a).1 - q(b).1)
            }
        };
        Balance { gamma: g, signed: s }
    }
}

/// An atom inside Π_MDL with its node id.
#[derive(Clone, Debug)]
pub(crate) struct Tagged {
    pub(crate) atom: Atom,
    pub(crate) node: usize,
}

/// Sorts tagged atoms into canonical order (stable, like [`crate::canonical_sort`]).
pub(crate) fn sort_tagged(atoms: &mut [Tagged]) {
    atoms.sort_by(|a, b| a.atom.canonical_cmp(&b.atom));
}

impl Trace {
    /// A new node for an atom created inside Π_MDL.
    pub(crate) fn node(&mut self, atom: &Atom) -> usize {
        self.values.push((atom.gamma(), atom.signed_gamma()));
        self.values.len() - 1
    }
}
