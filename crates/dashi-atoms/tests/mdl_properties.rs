//! Property tests of Π_MDL (issue 8 acceptance): determinism under any input order and
//! curve direction, idempotence, budget never exceeded, fidelity monotone in the budget
//! and in λ, the carrier never conflated, and every change of ΣΓ / ΣσΓ attributed.

mod common;

use common::scrambled;
use dashi_atoms::{
    Atom, AtomState, Background, Budget, MdlConfig, MergeConfig, Sign, SplitConfig, captured_enstrophy, enstrophy,
    normal_form, rasterise, totals,
};
use dashi_core::Trit;
use proptest::prelude::*;

/// (start, segment steps, positive?, Γ, ε)
type AtomSpec = ((f64, f64), Vec<(f64, f64)>, bool, f64, f64);

fn atom_spec() -> impl Strategy<Value = AtomSpec> {
    (
        (2.0..4.0f64, 2.0..4.0f64),
        prop::collection::vec((0.01..0.45f64, -3.2..3.2f64), 0..5),
        any::<bool>(),
        prop_oneof![1 => Just(0.0), 9 => 0.001..2.0f64],
        0.02..0.3f64,
    )
}

fn build(spec: &AtomSpec) -> Atom {
    let ((x, y), steps, pos, gamma, core) = spec;
    let mut v = vec![[*x, *y]];
    for (len, angle) in steps {
        let last = v[v.len() - 1];
        v.push([last[0] + len * angle.cos(), last[1] + len * angle.sin()]);
    }
    let sign = if *pos { Sign::Pos } else { Sign::Neg };
    Atom::new(v, sign, *gamma, *core).unwrap()
}

fn config() -> impl Strategy<Value = MdlConfig> {
    (
        (0.0..0.3f64, 0.0..0.2f64),
        (prop::option::of(0.1..0.5f64), prop::option::of(0.5..3.0f64), any::<bool>(), prop::option::of(2usize..6)),
        prop::option::of((0.0..0.6f64, 0.0..1.0f64, any::<bool>())),
        (prop::option::of(0usize..12), prop::option::of(0usize..80), 0.0..0.002f64),
    )
        .prop_map(
            |((gamma_min, length_min), (max_segment, max_turn, self_intersection, max_vertices), merge, b)| MdlConfig {
                gamma_min,
                length_min,
                split: Some(SplitConfig { max_segment, max_turn, self_intersection, max_vertices }),
                merge: merge.map(|(distance, align_cos, opposite)| MergeConfig { distance, align_cos, opposite }),
                budget: Budget { max_atoms: b.0, max_floats: b.1, lambda: b.2 },
            },
        )
}

fn contains_all(big: &[Atom], small: &[Atom]) -> bool {
    let mut pool: Vec<&Atom> = big.iter().collect();
    small.iter().all(|a| match pool.iter().position(|b| *b == a) {
        Some(i) => {
            pool.swap_remove(i);
            true
        }
        None => false,
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn deterministic_under_order_and_direction(specs in prop::collection::vec(atom_spec(), 0..14),
                                               cfg in config(), seed in any::<u64>()) {
        let atoms: Vec<Atom> = specs.iter().map(build).collect();
        let a = normal_form(atoms.clone(), &cfg).unwrap();
        let b = normal_form(scrambled(&atoms, seed), &cfg).unwrap();
        prop_assert_eq!(a, b);
    }

    #[test]
    fn idempotent_within_budget_and_never_conflated(specs in prop::collection::vec(atom_spec(), 0..14),
                                                    cfg in config()) {
        let atoms: Vec<Atom> = specs.iter().map(build).collect();
        let (once, ledger) = normal_form(atoms.clone(), &cfg).unwrap();
        let (twice, ledger2) = normal_form(once.clone(), &cfg).unwrap();
        prop_assert_eq!(&once, &twice);
        prop_assert!(ledger2.is_quiet(), "{:?}", ledger2);
        if let Some(m) = cfg.budget.max_atoms { prop_assert!(once.len() <= m); }
        if let Some(m) = cfg.budget.max_floats { prop_assert!(once.iter().map(Atom::floats).sum::<usize>() <= m); }
        for a in &once {
            prop_assert!(a.gamma() > 0.0 && a.gamma().is_finite() && a.gamma() >= cfg.gamma_min);
            prop_assert!(a.trit() != Trit::Zero);
            prop_assert_eq!(a.signed_gamma(), a.sign().value() * a.gamma());
        }
        // Every change is attributed.
        let (g0, s0) = totals(&atoms);
        let (g1, s1) = totals(&once);
        let att = ledger.attributed();
        let scale = 1.0f64.max(atoms.iter().map(Atom::gamma).sum::<f64>());
        prop_assert!((g1 - g0 - att.gamma).abs() <= 1e-12 * scale, "{} vs {}", g1 - g0, att.gamma);
        prop_assert!((s1 - s0 - att.signed).abs() <= 1e-12 * scale, "{} vs {}", s1 - s0, att.signed);
    }

    #[test]
    fn fidelity_monotone_in_budget_and_lambda(specs in prop::collection::vec(atom_spec(), 0..14),
                                              cfg in config(),
                                              extra_atoms in 0usize..5, extra_floats in 0usize..40,
                                              lambda_cut in 0.0..1.0f64) {
        let atoms: Vec<Atom> = specs.iter().map(build).collect();
        let tight = cfg;
        let mut loose = cfg;
        loose.budget.max_atoms = cfg.budget.max_atoms.map(|m| m + extra_atoms);
        loose.budget.max_floats = cfg.budget.max_floats.map(|m| m + extra_floats);
        loose.budget.lambda = cfg.budget.lambda * lambda_cut;
        let (small, _) = normal_form(atoms.clone(), &tight).unwrap();
        let (big, _) = normal_form(atoms, &loose).unwrap();
        prop_assert!(contains_all(&big, &small), "a looser budget dropped an atom the tighter one kept");
        let (zs, zb) = (captured_enstrophy(&small), captured_enstrophy(&big));
        prop_assert!(zb >= zs * (1.0 - 1e-12), "{} < {}", zb, zs);
    }

    #[test]
    fn decoded_enstrophy_monotone_for_same_sign_atoms(specs in prop::collection::vec(atom_spec(), 0..10),
                                                      cfg in config(), extra in 1usize..4) {
        // Same-sign atoms overlap constructively, so the decoded field's own enstrophy
        // (0.5·mean ω²) is monotone too (with mixed signs only Σ self-enstrophy is).
        let atoms: Vec<Atom> = specs.iter().map(|s| { let mut s = s.clone(); s.2 = true; build(&s) }).collect();
        let mut loose = cfg;
        loose.budget.max_atoms = cfg.budget.max_atoms.map(|m| m + extra);
        let decode = |c: &MdlConfig| {
            let (a, _) = normal_form(atoms.clone(), c).unwrap();
            enstrophy(&rasterise(&AtomState::new(a, Background::empty()), 32).unwrap())
        };
        let (zs, zb) = (decode(&cfg), decode(&loose));
        prop_assert!(zb >= zs * (1.0 - 1e-12), "{} < {}", zb, zs);
    }
}

#[test]
fn zero_circulation_is_never_kept() {
    // Even with every rule disabled, an atom without magnitude has no support.
    let zero = Atom::blob(1.0, 1.0, Sign::Pos, 0.0, 0.1).unwrap();
    let live = Atom::blob(2.0, 1.0, Sign::Neg, 0.5, 0.1).unwrap();
    let (out, ledger) = normal_form(vec![zero, live.clone()], &MdlConfig::default()).unwrap();
    assert_eq!(out, vec![live]);
    assert_eq!(ledger.events.pruned, 1);
    // An exactly cancelling opposite-sign merge annihilates both atoms (no child).
    let a = Atom::blob(1.0, 1.0, Sign::Pos, 0.5, 0.1).unwrap();
    let b = Atom::blob(1.05, 1.0, Sign::Neg, 0.5, 0.1).unwrap();
    let cfg = MdlConfig {
        merge: Some(MergeConfig { distance: 0.1, align_cos: 0.0, opposite: true }),
        ..MdlConfig::default()
    };
    let (out, ledger) = normal_form(vec![a, b], &cfg).unwrap();
    assert!(out.is_empty());
    assert_eq!((ledger.events.merges, ledger.events.annihilations), (1, 1));
    assert_eq!(ledger.merge.gamma, -1.0);
    assert_eq!(ledger.merge.signed, 0.0);
}

#[test]
fn merge_sign_follows_the_net_circulation() {
    let a = Atom::blob(1.0, 1.0, Sign::Pos, 0.3, 0.1).unwrap();
    let b = Atom::blob(1.05, 1.0, Sign::Neg, 0.8, 0.1).unwrap();
    let cfg = MdlConfig {
        merge: Some(MergeConfig { distance: 0.1, align_cos: 0.0, opposite: true }),
        ..MdlConfig::default()
    };
    let (out, _) = normal_form(vec![a, b], &cfg).unwrap();
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].sign(), Sign::Neg);
    assert!((out[0].gamma() - 0.5).abs() < 1e-15);
}

#[test]
fn split_changes_the_chart_not_the_field() {
    // A polyline with a right-angle corner and a long segment: split by both rules.
    let atom =
        Atom::new(vec![[1.0, 1.0], [1.1, 1.0], [1.2, 1.0], [1.2, 1.1], [1.2, 1.6]], Sign::Pos, 1.0, 0.08).unwrap();
    let cfg = MdlConfig {
        split: Some(SplitConfig {
            max_segment: Some(0.3),
            max_turn: Some(1.0),
            self_intersection: true,
            max_vertices: None,
        }),
        ..MdlConfig::default()
    };
    let (out, ledger) = normal_form(vec![atom.clone()], &cfg).unwrap();
    assert_eq!(ledger.events.splits, 2);
    assert_eq!(out.len(), 3);
    let before = rasterise(&AtomState::new(vec![atom], Background::empty()), 64).unwrap();
    let after = rasterise(&AtomState::new(out, Background::empty()), 64).unwrap();
    let worst = before.iter().zip(&after).map(|(a, b)| (a - b).abs()).fold(0.0, f64::max);
    assert!(worst < 1e-12, "{worst:e}");
}
