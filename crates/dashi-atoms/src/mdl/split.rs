//! The split rules (module docs of [`crate::mdl`]): long segment, self-intersection,
//! sharp turn, too many vertices — first matching rule, applied to a fixed point.

use super::SplitConfig;
use super::trace::{MdlEvent, Tagged, Trace};
use crate::atom::Atom;
use crate::geometry;
use crate::ledger::Ledger;

/// Where to cut one polyline: the vertex index lists of the two children.
pub(super) fn split_point(a: &Atom, config: &SplitConfig) -> Option<(Vec<usize>, Vec<usize>)> {
    let v = a.vertices();
    let n = v.len();
    if n < 2 {
        return None;
    }
    if let Some(max) = config.max_segment
        && let Some(k) = v.windows(2).position(|w| geometry::distance(w[0], w[1]) > max)
    {
        return Some(((0..=k).collect(), (k + 1..n).collect()));
    }
    if config.self_intersection
        && let Some((i, j)) = geometry::first_self_intersection(v)
    {
        let loop_part = (i + 1..=j).collect();
        let rest = (0..=i).chain(j + 1..n).collect();
        return Some((rest, loop_part));
    }
    if let Some(max) = config.max_turn {
        let turns = geometry::turning_angles(v);
        let mut best: Option<(usize, f64)> = None;
        for (i, &t) in turns.iter().enumerate() {
            if t > max && best.is_none_or(|(_, b)| t > b) {
                best = Some((i + 1, t));
            }
        }
        if let Some((k, _)) = best {
            return Some(((0..=k).collect(), (k + 1..n).collect()));
        }
    }
    if let Some(max) = config.max_vertices
        && n > max
    {
        return Some(((0..n / 2).collect(), (n / 2..n).collect()));
    }
    None
}

/// The two children of a split; Γ shared by vertex count so each vertex keeps σΓ/V.
pub(super) fn children(a: &Atom, parts: &(Vec<usize>, Vec<usize>)) -> (Atom, Atom) {
    let n = a.vertex_count() as f64;
    let gamma_a = a.gamma() * (parts.0.len() as f64 / n);
    let gamma_b = a.gamma() - gamma_a;
    let make = |idx: &[usize], gamma: f64| {
        let verts = idx.iter().map(|&i| a.vertices()[i]).collect();
        Atom::raw(verts, a.sign(), gamma, a.core(), a.channels().to_vec())
    };
    (make(&parts.0, gamma_a), make(&parts.1, gamma_b))
}

/// Splits every atom to a fixed point (each cut strictly shortens both children, so it
/// terminates). Atoms are processed in the given (canonical) order, children depth-first.
pub(super) fn split_all(atoms: &mut Vec<Tagged>, config: &SplitConfig, ledger: &mut Ledger, trace: &mut Trace) {
    let mut out = Vec::with_capacity(atoms.len());
    for tagged in atoms.drain(..) {
        let mut stack = vec![tagged];
        while let Some(t) = stack.pop() {
            let a = &t.atom;
            match split_point(a, config) {
                None => out.push(t),
                Some(parts) => {
                    let (c1, c2) = children(a, &parts);
                    let (n1, n2) = (trace.node(&c1), trace.node(&c2));
                    trace.events.push(MdlEvent::Split { parent: t.node, children: [n1, n2] });
                    ledger.split.add(
                        c1.gamma() + c2.gamma() - a.gamma(),
                        c1.signed_gamma() + c2.signed_gamma() - a.signed_gamma(),
                    );
                    ledger.events.splits += 1;
                    stack.push(Tagged { atom: c2, node: n2 });
                    stack.push(Tagged { atom: c1, node: n1 });
                }
            }
        }
    }
    *atoms = out;
}
