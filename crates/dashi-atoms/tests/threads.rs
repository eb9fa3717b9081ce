//! Threads (issue 8 acceptance "Thread audit"): the genealogy DAG of a run and its
//! conservation audit. With prune / split / merge / budget disabled ΣΓ and ΣσΓ are
//! conserved exactly and every edge is a transport continuation; with every rule on,
//! the audit's attributed changes sum to the total change within 1e-12, the DAG's event
//! counts agree with the ledger, and the DAG does not depend on the input order.

mod common;

use common::{all_rules, lcg, scrambled, state};
use dashi_atoms::{
    Atom, AtomState, Background, Balance, Budget, Cause, DeathCause, EdgeKind, Events, Genealogy, MatchConfig,
    MdlConfig, MergeConfig, Provenance, Scheme, Sign, SplitConfig, StepConfig, StepEvents, match_atoms, run,
    run_with_threads,
};
use proptest::prelude::*;

fn add(e: &mut Events, x: &Events) {
    e.pruned += x.pruned;
    e.splits += x.splits;
    e.merges += x.merges;
    e.annihilations += x.annihilations;
    e.budget_dropped += x.budget_dropped;
}

/// Structural invariants of any exact genealogy.
fn check_structure(g: &Genealogy) {
    assert_eq!(g.provenance(), Provenance::Exact);
    for t in 0..g.steps() {
        let (before, after) = (g.nodes(t), g.nodes(t + 1));
        let edges = g.edges(t);
        assert!(edges.windows(2).all(|w| (w[0].from, w[0].to) < (w[1].from, w[1].to)), "edges sorted, unique");
        let mut out_share = vec![0.0; before.len()];
        let mut has_parent = vec![false; after.len()];
        for e in edges {
            assert!(e.from < before.len() && e.to < after.len());
            assert!(e.share > 0.0 && e.share <= 1.0 + 1e-12, "{e:?}");
            out_share[e.from] += e.share;
            has_parent[e.to] = true;
        }
        // Every node after step 0 has a parent: Π_MDL creates no atom from nothing.
        assert!(has_parent.iter().all(|&p| p), "step {}: a node without parent", t + 1);
        // A node dies iff it has no child; each death once.
        let dead: Vec<usize> = g.deaths(t).iter().map(|d| d.index).collect();
        for (i, share) in out_share.iter().enumerate() {
            assert_eq!(g.children(t, i).is_empty(), dead.contains(&i), "step {t} node {i}");
            assert!(*share <= 1.0 + 1e-12);
        }
        assert!(dead.windows(2).all(|w| w[0] < w[1]));
        // Thread-flow balance per child: Γ_j = Σ share·Γ_i when all parents share the
        // child's sign; ≤ otherwise (opposite-sign merges annihilate).
        for (j, n) in after.iter().enumerate() {
            let parents = g.parents(t + 1, j);
            let inflow: f64 = parents.iter().map(|e| e.share * before[e.from].gamma).sum();
            if parents.iter().all(|e| before[e.from].sign == n.sign) {
                assert!((n.gamma - inflow).abs() <= 1e-12 * inflow.max(1.0), "{} vs {inflow}", n.gamma);
            } else {
                assert!(n.gamma <= inflow * (1.0 + 1e-12));
            }
            // Continuations keep the thread.
            if let [e] = parents.as_slice()
                && e.kind == EdgeKind::Continue
            {
                assert_eq!(n.thread, before[e.from].thread);
            }
        }
        // Threads are unique within a step.
        let mut ids: Vec<usize> = after.iter().map(|n| n.thread).collect();
        ids.sort_unstable();
        assert!(ids.windows(2).all(|w| w[0] < w[1]));
    }
    // Lifetimes are intervals: one node per step in between.
    for l in g.lifetimes() {
        let nodes = g.thread(l.thread);
        assert_eq!(nodes.len(), l.span() + 1, "{l:?}");
        assert!(nodes.iter().enumerate().all(|(k, n)| n.step == l.first + k));
    }
}

#[test]
fn without_rules_gamma_is_conserved_exactly_and_every_edge_continues() {
    let s0 = state(40);
    for scheme in [Scheme::Rk2, Scheme::Rk4] {
        for viscosity in [0.0, 1e-3] {
            let config = StepConfig { dt: 0.01, scheme, viscosity, mdl: MdlConfig::default() };
            let (end, g, reports) = run_with_threads(&s0, &config, 25).unwrap();
            let (end_plain, reports_plain) = run(&s0, &config, 25).unwrap();
            assert_eq!(end, end_plain);
            assert_eq!(reports, reports_plain);
            check_structure(&g);
            assert_eq!(g.audits().len(), 25);
            for a in g.audits() {
                assert_eq!(a.before, a.after, "ΣΓ, ΣσΓ bit for bit");
                assert_eq!(a.change(), Balance::default());
                assert_eq!(a.attributed(), Balance::default());
            }
            for t in 0..25 {
                assert_eq!(g.edges(t).len(), 40);
                assert!(
                    g.edges(t)
                        .iter()
                        .all(|e| e.kind == EdgeKind::Continue && e.cause == Cause::Transport && e.share == 1.0)
                );
                assert!(g.deaths(t).is_empty());
            }
            assert_eq!(g.thread_count(), 40);
            assert_eq!(g.thread_of(25, 7), Some(g.nodes(25)[7].thread));
            assert_eq!(g.thread_of(26, 0), None);
            assert_eq!(g.thread(g.nodes(25)[7].thread).len(), 26);
            assert!(g.lifetimes().iter().all(|l| l.first == 0 && l.last == 25));
            let row = StepEvents { step: 3, atoms_before: 40, atoms_after: 40, continues: 40, ..StepEvents::default() };
            assert_eq!(g.timeline()[3], row);
        }
    }
}

#[test]
fn every_residual_is_attributed_and_the_dag_agrees_with_the_ledger() {
    // The run of tests/conservation.rs (40 atoms), and a denser one (160 atoms).
    for (count, max_atoms, max_floats) in [(40, 30, 150), (160, 120, 600)] {
        let mut mdl = all_rules();
        mdl.budget.max_atoms = Some(max_atoms);
        mdl.budget.max_floats = Some(max_floats);
        audited_run(count, mdl);
    }
}

fn audited_run(count: usize, mdl: MdlConfig) {
    let s0 = state(count);
    let config = StepConfig { dt: 0.01, scheme: Scheme::Rk4, viscosity: 1e-3, mdl };
    let steps = 30;
    let (end, g, reports) = run_with_threads(&s0, &config, steps).unwrap();
    assert_eq!((end.clone(), reports.clone()), run(&s0, &config, steps).unwrap(), "same run as `run`");
    check_structure(&g);
    let mut worst: f64 = 0.0;
    let mut ops = Events::default();
    let mut sums = [0usize; 11];
    for (t, (a, r)) in g.audits().iter().zip(&reports).enumerate() {
        // The audit (from the trace) equals the ledger, stage by stage, bit for bit.
        let l = &r.ledger;
        assert_eq!(
            (a.prune, a.split, a.merge, a.budget, a.viscosity),
            (l.prune, l.split, l.merge, l.budget, l.viscosity)
        );
        assert_eq!(a.transport, Balance::default(), "transport + core spreading leave Γ untouched");
        assert_eq!(a.viscosity, Balance::default());
        let res = a.residual();
        worst = worst.max(res.gamma.abs()).max(res.signed.abs());
        // Operation counts from the trace = the ledger's events.
        assert_eq!(g.operations()[t], l.events);
        add(&mut ops, &l.events);
        // Atom count: each split +1, merge −1 (−2 when σ₁Γ₁ + σ₂Γ₂ = 0 exactly, which
        // only an opposite-sign merge can do), prune / budget −1.
        let e = l.events;
        let exact_annihilations =
            (g.nodes(t).len() + e.splits) - (g.nodes(t + 1).len() + e.merges + e.pruned + e.budget_dropped);
        assert!(exact_annihilations <= e.annihilations, "{e:?}");
        // DAG events bounded by operations.
        let row = g.timeline()[t];
        assert!(row.splits <= e.splits && row.merges <= e.merges, "{row:?} {e:?}");
        // A death needs an operation of its cause (one prune can kill several inputs:
        // the pieces of a merge are one node).
        assert!((row.deaths_prune == 0 || e.pruned > 0) && (row.deaths_budget == 0 || e.budget_dropped > 0));
        assert!((row.deaths_annihilation == 0 || e.annihilations > 0) && row.deaths_unmatched == 0);
        assert_eq!(row.births, 0);
        assert_eq!(row.deaths(), g.deaths(t).len());
        for (sum, v) in sums.iter_mut().zip(row.values()) {
            *sum += v;
        }
    }
    let causes: std::collections::BTreeSet<Cause> =
        (0..steps).flat_map(|t| g.edges(t).iter().map(|e| e.cause)).collect();
    let lifetimes = g.lifetimes();
    let longest = lifetimes.iter().map(|l| l.span()).max().unwrap();
    let rows: Vec<String> = StepEvents::COLUMNS.iter().zip(sums).skip(3).map(|(c, v)| format!("{c} {v}")).collect();
    println!(
        "{count} atoms, {steps} steps: operations {ops:?}; DAG totals [{}]; edge causes {causes:?}; {} threads, longest {longest} steps; \
         worst |change − attributed| = {worst:.1e}",
        rows.join(", "),
        g.thread_count()
    );
    assert!(worst <= 1e-12, "{worst:e}");
    assert!(ops.pruned > 0 && ops.splits > 0 && ops.merges > 0 && ops.budget_dropped > 0, "{ops:?}");
    assert!(sums[4] > 0 && sums[5] > 0 && sums[6] + sums[7] > 0, "{rows:?}");
    // CSV timeline: header + one line per step.
    let csv = g.timeline_csv();
    assert_eq!(csv.lines().count(), steps + 1);
    assert!(csv.starts_with("step,atoms_before,atoms_after,continue,split,merge,death_prune"));
}

#[test]
fn each_rule_alone_maps_to_its_dag_event() {
    let s0 = state(40);
    let base = StepConfig { dt: 0.01, scheme: Scheme::Rk4, viscosity: 1e-3, mdl: MdlConfig::default() };
    let split =
        SplitConfig { max_segment: Some(0.15), max_turn: Some(1.2), self_intersection: true, max_vertices: Some(3) };
    let cases = [
        ("prune", MdlConfig { gamma_min: 0.3, length_min: 0.1, ..MdlConfig::default() }),
        ("split", MdlConfig { split: Some(split), ..MdlConfig::default() }),
        (
            "merge",
            MdlConfig {
                merge: Some(MergeConfig { distance: 0.12, align_cos: 0.0, opposite: false }),
                ..MdlConfig::default()
            },
        ),
        (
            "budget",
            MdlConfig { budget: Budget { max_atoms: Some(25), max_floats: None, lambda: 0.0 }, ..MdlConfig::default() },
        ),
    ];
    for (name, mdl) in cases {
        let (_, g, reports) = run_with_threads(&s0, &StepConfig { mdl, ..base }, 10).unwrap();
        check_structure(&g);
        let mut fired = 0;
        for (t, r) in reports.iter().enumerate() {
            let (row, e) = (g.timeline()[t], r.ledger.events);
            let out_degree_excess: usize =
                (0..g.nodes(t).len()).map(|i| g.children(t, i).len().saturating_sub(1)).sum();
            let in_degree_excess: usize = (0..g.nodes(t + 1).len()).map(|j| g.parents(t + 1, j).len() - 1).sum();
            match name {
                "prune" => {
                    assert_eq!((row.deaths_prune, row.deaths(), row.continues), (e.pruned, e.pruned, row.atoms_after))
                }
                // Each split operation adds one child to a tree of pieces.
                "split" => assert_eq!((out_degree_excess, row.deaths(), row.merges), (e.splits, 0, 0)),
                // Each same-sign merge removes one parent.
                "merge" => assert_eq!((in_degree_excess, row.deaths(), row.splits), (e.merges, 0, 0)),
                _ => assert_eq!(
                    (row.deaths_budget, row.deaths(), row.continues),
                    (e.budget_dropped, e.budget_dropped, row.atoms_after)
                ),
            }
            fired += e.pruned + e.splits + e.merges + e.budget_dropped;
            if name == "split" {
                assert!(g.edges(t).iter().all(|x| matches!(x.cause, Cause::Split | Cause::Transport)));
            }
        }
        assert!(fired > 0, "{name} never fired");
        println!("{name} alone, 10 steps: {fired} operations");
    }
}

#[test]
fn deaths_name_their_cause() {
    // Two exactly opposite blobs on top of each other annihilate; a weak one is pruned;
    // the budget keeps the strongest.
    let atoms = vec![
        Atom::blob(1.0, 1.0, Sign::Pos, 0.7, 0.05).unwrap(),
        Atom::blob(1.0, 1.0, Sign::Neg, 0.7, 0.05).unwrap(),
        Atom::blob(4.0, 4.0, Sign::Pos, 0.01, 0.05).unwrap(),
        Atom::blob(2.0, 5.0, Sign::Pos, 1.0, 0.05).unwrap(),
        Atom::blob(5.0, 2.0, Sign::Neg, 0.5, 0.05).unwrap(),
    ];
    let mdl = MdlConfig {
        gamma_min: 0.05,
        merge: Some(MergeConfig { distance: 0.01, align_cos: 0.0, opposite: true }),
        budget: Budget { max_atoms: Some(1), max_floats: None, lambda: 0.0 },
        ..MdlConfig::default()
    };
    // A static pair: dt tiny so the coincident blobs stay coincident to rounding.
    let config = StepConfig { dt: 1e-9, scheme: Scheme::Rk4, viscosity: 0.0, mdl };
    let (_, g, _) = run_with_threads(&AtomState::new(atoms, Background::empty()), &config, 1).unwrap();
    let mut causes: Vec<DeathCause> = g.deaths(0).iter().map(|d| d.cause).collect();
    causes.sort();
    assert_eq!(causes, [DeathCause::Prune, DeathCause::Budget, DeathCause::Annihilation, DeathCause::Annihilation]);
    assert_eq!(g.nodes(1).len(), 1);
    assert_eq!(g.nodes(1)[0].gamma, 1.0);
    let row = g.timeline()[0];
    assert_eq!((row.deaths_prune, row.deaths_budget, row.deaths_annihilation, row.continues), (1, 1, 2, 1));
}

/// A lattice of well-separated blobs (spacing 1, ε = 0.05): per-step displacement ~2e-3
/// against a match radius of 2(ε_a + ε_b) = 0.2.
fn lattice() -> AtomState {
    let mut next = lcg(7);
    let mut atoms = Vec::new();
    for i in 0..6 {
        for j in 0..6 {
            let sign = if next() < 0.5 { Sign::Pos } else { Sign::Neg };
            let x = 0.5 + i as f64 + 0.2 * next();
            let y = 0.5 + j as f64 + 0.2 * next();
            atoms.push(Atom::blob(x, y, sign, 0.2 + 0.8 * next(), 0.05).unwrap());
        }
    }
    AtomState::new(atoms, Background::empty())
}

#[test]
fn matcher_recovers_the_exact_transport_identity() {
    let s0 = lattice();
    let config = StepConfig::transport_only(0.01);
    let (_, exact, _) = run_with_threads(&s0, &config, 20).unwrap();
    let mut states = vec![s0.clone()];
    for _ in 0..20 {
        let (next, _) = run(states.last().unwrap(), &config, 1).unwrap();
        states.push(next);
    }
    let matched = Genealogy::from_states(&states, &MatchConfig::default()).unwrap();
    assert_eq!(matched.provenance(), Provenance::Matched);
    let mut worst: f64 = 0.0;
    for t in 0..20 {
        let pairs = |g: &Genealogy| g.edges(t).iter().map(|e| (e.from, e.to, e.kind)).collect::<Vec<_>>();
        assert_eq!(pairs(&exact), pairs(&matched), "step {t}");
        assert!(matched.deaths(t).is_empty());
        for e in exact.edges(t) {
            let (a, b) = (exact.nodes(t)[e.from], exact.nodes(t + 1)[e.to]);
            let d = dashi_atoms::geometry::distance(a.centroid, b.centroid) / (a.core + b.core);
            worst = worst.max(d);
        }
        assert_eq!(
            exact.nodes(t + 1).iter().map(|n| n.thread).collect::<Vec<_>>(),
            matched.nodes(t + 1).iter().map(|n| n.thread).collect::<Vec<_>>()
        );
    }
    println!("36 blobs, 20 steps: matcher = exact identity; largest matched distance d = {worst:.3} (max 2)");
    assert!(matched.audits().is_empty());
}

#[test]
fn matcher_events_on_constructed_cases() {
    let b = |x: f64, y: f64, s: Sign, g: f64| Atom::blob(x, y, s, g, 0.05).unwrap();
    let before = vec![
        b(1.0, 1.0, Sign::Pos, 1.0), // splits into two
        b(3.0, 3.0, Sign::Pos, 0.5), // merges with the next
        b(3.05, 3.0, Sign::Pos, 0.4),
        b(5.0, 5.0, Sign::Pos, 0.3), // dies: its successor has the other sign
        b(6.2, 0.1, Sign::Neg, 0.3), // continues across the periodic boundary
    ];
    let after = vec![
        b(0.97, 1.0, Sign::Pos, 0.6),
        b(1.04, 1.0, Sign::Pos, 0.4),
        b(3.02, 3.0, Sign::Pos, 0.9),
        b(5.0, 5.0, Sign::Neg, 0.3), // born
        b(0.02, 6.25, Sign::Neg, 0.3),
    ];
    let links = match_atoms(&before, &after, &MatchConfig::default()).unwrap();
    assert_eq!(links, [(0, 0), (0, 1), (1, 2), (2, 2), (4, 4)]);
    // Order independence: reversed inputs give the relabelled links.
    let (rb, ra): (Vec<Atom>, Vec<Atom>) =
        (before.iter().rev().cloned().collect(), after.iter().rev().cloned().collect());
    let mut back: Vec<(usize, usize)> =
        match_atoms(&rb, &ra, &MatchConfig::default()).unwrap().into_iter().map(|(i, j)| (4 - i, 4 - j)).collect();
    back.sort_unstable();
    assert_eq!(back, links);
    assert!(match_atoms(&before, &after, &MatchConfig { max_distance: f64::NAN }).is_err());
    let g = Genealogy::from_states(
        &[AtomState::new(before, Background::empty()), AtomState::new(after, Background::empty())],
        &MatchConfig::default(),
    )
    .unwrap();
    let row = g.timeline()[0];
    assert_eq!((row.continues, row.splits, row.merges, row.deaths_unmatched, row.births), (1, 1, 1, 1, 1));
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn genealogy_is_deterministic_under_input_permutation(count in 8usize..24, seed in any::<u64>(), perm in any::<u64>()) {
        let mut next = lcg(seed);
        let atoms: Vec<Atom> = (0..count)
            .map(|i| {
                let (x, y) = (2.5 + next(), 2.5 + next());
                let sign = if next() < 0.6 { Sign::Pos } else { Sign::Neg };
                let v = if i % 2 == 0 {
                    let a = 6.3 * next();
                    (0..5).map(|k| [x + 0.08 * k as f64 * a.cos(), y + 0.08 * k as f64 * a.sin()]).collect()
                } else {
                    vec![[x, y]]
                };
                Atom::new(v, sign, 0.05 + next(), 0.03 + 0.05 * next()).unwrap()
            })
            .collect();
        let config = StepConfig { dt: 0.01, scheme: Scheme::Rk2, viscosity: 1e-3, mdl: all_rules() };
        let a = run_with_threads(&AtomState::new(atoms.clone(), Background::empty()), &config, 4).unwrap();
        let b = run_with_threads(&AtomState::new(scrambled(&atoms, perm), Background::empty()), &config, 4).unwrap();
        prop_assert_eq!(&a.1, &b.1);
        prop_assert_eq!(&a.2, &b.2);
        prop_assert_eq!(&a.0, &b.0);
        check_structure(&a.1);
        for (audit, r) in a.1.audits().iter().zip(&a.2) {
            prop_assert_eq!(audit.merge, r.ledger.merge);
            prop_assert_eq!(audit.split, r.ledger.split);
            prop_assert!(audit.residual().gamma.abs() <= 1e-12 && audit.residual().signed.abs() <= 1e-12);
        }
    }
}
