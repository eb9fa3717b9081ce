//! Helpers shared by the dashi-atoms integration tests.

#![allow(dead_code)] // each test binary uses a subset

use dashi_atoms::{Atom, AtomState, Background, Budget, MdlConfig, MergeConfig, Mode, Sign, SplitConfig};

pub fn lcg(seed: u64) -> impl FnMut() -> f64 {
    let mut s = seed;
    move || {
        s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (s >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// The mixed, clustered state of tests/conservation.rs: blobs and short polylines of
/// both signs, close enough that merges and splits happen.
pub fn state(count: usize) -> AtomState {
    let mut next = lcg(12345);
    let atoms = (0..count)
        .map(|i| {
            let (x, y) = (2.0 + 2.0 * next(), 2.0 + 2.0 * next());
            let sign = if next() < 0.6 { Sign::Pos } else { Sign::Neg };
            let gamma = 0.05 + next();
            let core = 0.03 + 0.05 * next();
            let vertices = if i % 3 == 0 {
                let a = 6.3 * next();
                (0..4).map(|k| [x + 0.06 * k as f64 * a.cos(), y + 0.06 * k as f64 * a.sin()]).collect()
            } else {
                vec![[x, y]]
            };
            Atom::new(vertices, sign, gamma, core).unwrap()
        })
        .collect();
    let background =
        Background::new(vec![Mode { kx: 1, ky: 0, re: 0.05, im: 0.0 }, Mode { kx: 0, ky: 1, re: 0.0, im: 0.03 }])
            .unwrap();
    AtomState::new(atoms, background)
}

pub fn scrambled(atoms: &[Atom], seed: u64) -> Vec<Atom> {
    let mut out: Vec<Atom> = atoms
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let mut v = a.vertices().to_vec();
            if i % 2 == 0 {
                v.reverse();
            }
            Atom::new(v, a.sign(), a.gamma(), a.core()).unwrap()
        })
        .collect();
    let mut s = seed | 1;
    for i in (1..out.len()).rev() {
        s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        out.swap(i, (s >> 33) as usize % (i + 1));
    }
    out
}

/// Every Π_MDL rule on, with thresholds that make each fire on [`state`].
pub fn all_rules() -> MdlConfig {
    MdlConfig {
        gamma_min: 0.08,
        length_min: 0.05,
        split: Some(SplitConfig {
            max_segment: Some(0.15),
            max_turn: Some(1.2),
            self_intersection: true,
            max_vertices: Some(6),
        }),
        merge: Some(MergeConfig { distance: 0.12, align_cos: 0.5, opposite: true }),
        budget: Budget { max_atoms: Some(30), max_floats: Some(150), lambda: 1e-4 },
    }
}
