//! The merge rule (module docs of [`crate::mdl`]): greedy rounds over candidate pairs
//! ordered by (distance, i, j) in canonical indices, until no merge applies.

use super::trace::{MdlEvent, Tagged, Trace, sort_tagged};
use super::{MergeConfig, SplitConfig, split};
use crate::atom::{Atom, MAX_CORE, Sign};
use crate::geometry;
use crate::ledger::Ledger;

/// Periodic distance between the vertex sets of two atoms. O(V_a·V_b).
fn set_distance(a: &Atom, b: &Atom) -> f64 {
    let mut best = f64::INFINITY;
    for &p in a.vertices() {
        for &q in b.vertices() {
            best = best.min(geometry::distance(p, q));
        }
    }
    best
}

/// End-to-end chord (minimal-image unwrapped), for the alignment test.
fn chord(a: &Atom) -> [f64; 2] {
    let u = geometry::unwrapped(a.vertices());
    let (first, last) = (u[0], u[u.len() - 1]);
    [last[0] - first[0], last[1] - first[1]]
}

fn aligned(a: &Atom, b: &Atom, align_cos: f64) -> bool {
    if a.vertex_count() < 2 || b.vertex_count() < 2 {
        return true;
    }
    let (p, q) = (chord(a), chord(b));
    let (np, nq) = (p[0].hypot(p[1]), q[0].hypot(q[1]));
    if np == 0.0 || nq == 0.0 {
        return true;
    }
    ((p[0] * q[0] + p[1] * q[1]) / (np * nq)).abs() >= align_cos
}

fn candidate(a: &Atom, b: &Atom, config: &MergeConfig) -> Option<f64> {
    if (a.sign() != b.sign() && !config.opposite) || a.channels().len() != b.channels().len() {
        return None;
    }
    let d = set_distance(a, b);
    (d < config.distance && aligned(a, b, config.align_cos)).then_some(d)
}

/// The merged atom, `Some(None)` on exact annihilation, `None` if refused (the split
/// rules would cut the result).
fn merged(a: &Atom, b: &Atom, split: Option<&SplitConfig>) -> Option<Option<Atom>> {
    let s = a.signed_gamma() + b.signed_gamma();
    let Some(sign) = Sign::of(s) else { return Some(None) };
    let gamma = s.abs();
    let (ga, gb) = (a.gamma(), b.gamma());
    let weight_b = gb / (ga + gb);
    let channels: Vec<f64> = a.channels().iter().zip(b.channels()).map(|(x, y)| x + weight_b * (y - x)).collect();
    let atom = if a.vertex_count() == 1 && b.vertex_count() == 1 {
        let (pa, pb) = (a.vertices()[0], b.vertices()[0]);
        let d = geometry::delta(pa, pb);
        let c = geometry::wrap_point([pa[0] + weight_b * d[0], pa[1] + weight_b * d[1]]);
        let second = (1.0 - weight_b) * (a.core().powi(2) + geometry::distance(pa, c).powi(2))
            + weight_b * (b.core().powi(2) + geometry::distance(pb, c).powi(2));
        Atom::raw(vec![c], sign, gamma, second.sqrt().min(MAX_CORE), channels)
    } else {
        let core = ((1.0 - weight_b) * a.core().powi(2) + weight_b * b.core().powi(2)).sqrt();
        Atom::raw(concatenate(a.vertices(), b.vertices()), sign, gamma, core.min(MAX_CORE), channels)
    };
    if let Some(cfg) = split
        && split::split_point(&atom, cfg).is_some()
    {
        return None;
    }
    Some(Some(atom))
}

/// Concatenation across the shortest end-to-end join (ties: the first of
/// end_a→start_b, end_a→end_b, start_a→start_b, start_a→end_b).
fn concatenate(a: &[[f64; 2]], b: &[[f64; 2]]) -> Vec<[f64; 2]> {
    let (sa, ea, sb, eb) = (a[0], a[a.len() - 1], b[0], b[b.len() - 1]);
    let joins = [
        geometry::distance(ea, sb),
        geometry::distance(ea, eb),
        geometry::distance(sa, sb),
        geometry::distance(sa, eb),
    ];
    let mut best = 0;
    for (i, d) in joins.iter().enumerate() {
        if *d < joins[best] {
            best = i;
        }
    }
    let fwd = |v: &[[f64; 2]]| v.to_vec();
    let rev = |v: &[[f64; 2]]| v.iter().rev().copied().collect::<Vec<_>>();
    let (first, second) = match best {
        0 => (fwd(a), fwd(b)),
        1 => (fwd(a), rev(b)),
        2 => (rev(a), fwd(b)),
        _ => (fwd(b), fwd(a)),
    };
    first.into_iter().chain(second).collect()
}

/// Merges to a fixed point; leaves the atoms in canonical order.
pub(super) fn merge_all(
    atoms: &mut Vec<Tagged>,
    config: &MergeConfig,
    split: Option<&SplitConfig>,
    ledger: &mut Ledger,
    trace: &mut Trace,
) {
    loop {
        sort_tagged(atoms);
        let n = atoms.len();
        let mut pairs = Vec::new();
        for i in 0..n {
            for j in i + 1..n {
                if let Some(d) = candidate(&atoms[i].atom, &atoms[j].atom, config) {
                    pairs.push((d, i, j));
                }
            }
        }
        pairs.sort_by(|x, y| x.0.total_cmp(&y.0).then(x.1.cmp(&y.1)).then(x.2.cmp(&y.2)));
        let mut used = vec![false; n];
        let mut born = Vec::new();
        for (_, i, j) in pairs {
            if used[i] || used[j] {
                continue;
            }
            let (a, b) = (&atoms[i].atom, &atoms[j].atom);
            let Some(child) = merged(a, b, split) else { continue };
            let node = child.as_ref().map(|c| trace.node(c));
            trace.events.push(MdlEvent::Merged { parents: [atoms[i].node, atoms[j].node], child: node });
            used[i] = true;
            used[j] = true;
            let (g, s) = child.as_ref().map_or((0.0, 0.0), |c| (c.gamma(), c.signed_gamma()));
            ledger.merge.add(g - a.gamma() - b.gamma(), s - a.signed_gamma() - b.signed_gamma());
            ledger.events.merges += 1;
            if a.sign() != b.sign() {
                ledger.events.annihilations += 1;
            }
            born.extend(child.zip(node).map(|(atom, node)| Tagged { atom, node }));
        }
        if born.is_empty() && !used.iter().any(|&u| u) {
            return;
        }
        let mut next: Vec<Tagged> = atoms.drain(..).zip(used).filter_map(|(a, u)| (!u).then_some(a)).collect();
        next.extend(born);
        *atoms = next;
    }
}
