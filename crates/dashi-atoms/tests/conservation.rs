//! Conservation audit (issue 8 acceptance): with prune / split / merge / budget disabled
//! ΣΓ and ΣσΓ are conserved bit for bit by transport (and by core spreading); with every
//! rule enabled, the ledger's attributed changes sum to the total change within 1e-12.

mod common;

use common::{all_rules, state};
use dashi_atoms::{MdlConfig, Scheme, StepConfig, run};

#[test]
fn transport_conserves_circulation_bit_for_bit() {
    let s0 = state(30);
    for scheme in [Scheme::Rk2, Scheme::Rk4] {
        for viscosity in [0.0, 1e-3] {
            let config = StepConfig { dt: 0.01, scheme, viscosity, mdl: MdlConfig::default() };
            let (s1, reports) = run(&s0, &config, 25).unwrap();
            assert_eq!(s1.atoms.len(), s0.atoms.len());
            assert_eq!(s1.totals(), s0.totals(), "{scheme:?} ν = {viscosity}");
            for r in &reports {
                assert_eq!(r.before, r.after);
                assert!(r.ledger.is_quiet());
            }
        }
    }
}

#[test]
fn every_residual_is_attributed() {
    let s0 = state(40);
    let mdl = all_rules();
    let config = StepConfig { dt: 0.01, scheme: Scheme::Rk4, viscosity: 1e-3, mdl };
    let (_, reports) = run(&s0, &config, 30).unwrap();
    let mut events = dashi_atoms::Events::default();
    let mut worst: f64 = 0.0;
    for r in &reports {
        let att = r.ledger.attributed();
        worst = worst.max((r.after.0 - r.before.0 - att.gamma).abs()).max((r.after.1 - r.before.1 - att.signed).abs());
        events.pruned += r.ledger.events.pruned;
        events.splits += r.ledger.events.splits;
        events.merges += r.ledger.events.merges;
        events.annihilations += r.ledger.events.annihilations;
        events.budget_dropped += r.ledger.events.budget_dropped;
    }
    println!("30 steps: {events:?}, worst |total change − attributed| = {worst:.1e}");
    assert!(worst <= 1e-12, "{worst:e}");
    assert!(events.pruned > 0 && events.splits > 0 && events.merges > 0 && events.budget_dropped > 0, "{events:?}");
}
