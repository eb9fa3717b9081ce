//! Rendering (decode) and extraction (encode) on the grid chart.

use dashi_atoms::{
    Atom, AtomError, AtomState, Background, DOMAIN_LENGTH as L, EncodeConfig, Mode, Sign, encode, rasterise,
};
use std::f64::consts::PI;

fn grid_sum(field: &[f64], n: usize) -> f64 {
    let h = L / n as f64;
    field.iter().sum::<f64>() * h * h
}

#[test]
fn cell_averages_carry_the_net_circulation_exactly() {
    let n = 64;
    let h = L / n as f64;
    // Cores below and above the cell size, vertices on the seam.
    let atoms = vec![
        Atom::blob(0.0, 0.0, Sign::Pos, 1.3, 0.3 * h).unwrap(),
        Atom::blob(L - 1e-9, 3.0, Sign::Neg, 0.4, 2.0 * h).unwrap(),
        Atom::new(vec![[6.0, 6.2], [0.1, 6.25], [0.3, 0.05]], Sign::Pos, 0.7, 0.45).unwrap(),
    ];
    let state = AtomState::new(atoms, Background::empty());
    let field = rasterise(&state, n).unwrap();
    let (_, net) = state.totals();
    assert!((grid_sum(&field, n) - net).abs() < 1e-12, "{} vs {net}", grid_sum(&field, n));
}

#[test]
fn wide_blob_matches_the_gaussian_at_grid_points() {
    let n = 128;
    let h = L / n as f64;
    let eps = 0.3;
    let (gamma, c) = (2.0, [PI, PI]);
    let field = rasterise(
        &AtomState::new(vec![Atom::blob(c[0], c[1], Sign::Pos, gamma, eps).unwrap()], Background::empty()),
        n,
    )
    .unwrap();
    let mut worst: f64 = 0.0;
    for iy in 0..n {
        for ix in 0..n {
            let (x, y) = (ix as f64 * h - c[0], iy as f64 * h - c[1]);
            let exact = gamma * (-(x * x + y * y) / (eps * eps)).exp() / (PI * eps * eps);
            worst = worst.max((field[iy * n + ix] - exact).abs());
        }
    }
    // Cell average vs point value: relative O(h²/(6ε²)) of the peak Γ/(πε²).
    let peak = gamma / (PI * eps * eps);
    assert!(worst < peak * h * h / (3.0 * eps * eps), "{worst} vs peak {peak}");
}

#[test]
fn background_alone_round_trips_a_band_limited_field() {
    let n = 32;
    let h = L / n as f64;
    let bg = Background::new(vec![
        Mode { kx: 1, ky: 0, re: 0.3, im: -0.1 },
        Mode { kx: -2, ky: 1, re: 0.05, im: 0.2 },
        Mode { kx: 0, ky: 3, re: -0.15, im: 0.0 },
    ])
    .unwrap();
    let field = rasterise(&AtomState::new(vec![], bg.clone()), n).unwrap();
    // Point values agree with the analytic evaluation.
    assert!((field[5 * n + 7] - bg.vorticity_at([7.0 * h, 5.0 * h])).abs() < 1e-14);
    // No component is big enough to be an atom: everything goes to the background.
    let config = EncodeConfig { min_cells: n * n + 1, background_k: 3, ..EncodeConfig::default() };
    let state = encode(&field, n, &config).unwrap();
    assert!(state.atoms.is_empty());
    let back = rasterise(&state, n).unwrap();
    let worst = field.iter().zip(&back).map(|(a, b)| (a - b).abs()).fold(0.0, f64::max);
    assert!(worst < 1e-13, "{worst:e}");
}

#[test]
fn encode_recovers_separated_blobs() {
    let n = 128;
    let h = L / n as f64;
    let truth = vec![
        Atom::blob(1.0, 1.5, Sign::Pos, 1.0, 0.15).unwrap(),
        Atom::blob(4.0, 2.0, Sign::Neg, 0.7, 0.2).unwrap(),
        Atom::blob(2.5, 5.0, Sign::Pos, 0.5, 0.12).unwrap(),
    ];
    let field = rasterise(&AtomState::new(truth.clone(), Background::empty()), n).unwrap();
    let tau = 0.1;
    let max = field.iter().fold(0.0f64, |m, w| m.max(w.abs()));
    let state = encode(&field, n, &EncodeConfig { threshold: tau, ..EncodeConfig::default() }).unwrap();
    let raw =
        encode(&field, n, &EncodeConfig { threshold: tau, gaussian_tails: false, ..EncodeConfig::default() }).unwrap();
    assert_eq!(state.atoms.len(), 3);
    for t in &truth {
        let e = state
            .atoms
            .iter()
            .find(|a| dashi_atoms::geometry::distance(a.vertices()[0], t.vertices()[0]) < 0.5)
            .unwrap();
        let pos = dashi_atoms::geometry::distance(e.vertices()[0], t.vertices()[0]);
        // A Gaussian blob holds a fraction 1 − e^{−r²/ε²} of Γ within r; above τ·peak
        // that is 1 − τ (minus the threshold's cell quantisation).
        let ratio = e.gamma() / t.gamma();
        let (ratio_raw, core_raw) = {
            let r = raw
                .atoms
                .iter()
                .find(|a| dashi_atoms::geometry::distance(a.vertices()[0], t.vertices()[0]) < 0.5)
                .unwrap();
            (r.gamma() / t.gamma(), r.core())
        };
        // Without the tail correction the blob keeps the fraction 1 − τ·max|ω|/peak.
        let expect_raw = 1.0 - tau * max / (t.gamma() / (PI * t.core() * t.core()));
        println!(
            "blob Γ = {:.2}, ε = {:.2}: Γ ratio {ratio:.4}, ε {:.4} (no tail correction: Γ ratio {ratio_raw:.3}, expected {expect_raw:.3}, ε {core_raw:.3}), position error {pos:.1e} (h = {h:.3})",
            t.gamma(),
            t.core(),
            e.core()
        );
        assert_eq!(e.sign(), t.sign());
        assert!(pos < 0.1 * h);
        assert!((ratio - 1.0).abs() < 0.02, "{ratio}");
        assert!((e.core() / t.core() - 1.0).abs() < 0.03, "{}", e.core());
        assert!((ratio_raw - expect_raw).abs() < 0.03, "{ratio_raw} vs {expect_raw}");
    }
}

#[test]
fn encode_turns_an_elongated_structure_into_a_polyline() {
    let n = 128;
    let line: Vec<[f64; 2]> = (0..9).map(|k| [2.0 + 0.1 * k as f64, 3.0 + 0.05 * k as f64]).collect();
    let truth = Atom::new(line, Sign::Neg, 1.0, 0.08).unwrap();
    let field = rasterise(&AtomState::new(vec![truth.clone()], Background::empty()), n).unwrap();
    let state = encode(&field, n, &EncodeConfig { split_at_peaks: false, ..EncodeConfig::default() }).unwrap();
    assert_eq!(state.atoms.len(), 1);
    let a = &state.atoms[0];
    println!(
        "filament: V = {}, length {:.3} (truth {:.3}), ε {:.3} (truth 0.08)",
        a.vertex_count(),
        a.length(),
        truth.length(),
        a.core()
    );
    assert!(a.vertex_count() >= 3);
    assert_eq!(a.sign(), Sign::Neg);
    assert!((a.length() - truth.length()).abs() < 0.25 * truth.length());
}

#[test]
fn bad_inputs_are_typed_errors() {
    let ok = EncodeConfig::default();
    assert!(matches!(encode(&[0.0; 10], 4, &ok), Err(AtomError::Shape { .. })));
    assert!(matches!(encode(&[0.0; 9], 3, &ok), Err(AtomError::Grid { .. })));
    let mut nan = vec![0.0; 16];
    nan[5] = f64::NAN;
    assert!(matches!(encode(&nan, 4, &ok), Err(AtomError::NonFiniteField { index: 5, .. })));
    assert!(matches!(encode(&[0.0; 16], 4, &EncodeConfig { threshold: 1.5, ..ok }), Err(AtomError::Config { .. })));
    assert!(matches!(rasterise(&AtomState::default(), 0), Err(AtomError::Grid { .. })));
    assert!(encode(&[0.0; 16], 4, &ok).unwrap().atoms.is_empty());
}

#[test]
fn peaks_split_vortices_that_touch_above_the_threshold() {
    let n = 128;
    let truth =
        vec![Atom::blob(2.0, 3.0, Sign::Pos, 1.0, 0.15).unwrap(), Atom::blob(2.3, 3.0, Sign::Pos, 0.8, 0.15).unwrap()];
    let field = rasterise(&AtomState::new(truth, Background::empty()), n).unwrap();
    let joined =
        encode(&field, n, &EncodeConfig { threshold: 0.2, split_at_peaks: false, ..EncodeConfig::default() }).unwrap();
    let split = encode(&field, n, &EncodeConfig { threshold: 0.2, ..EncodeConfig::default() }).unwrap();
    assert_eq!(joined.atoms.len(), 1);
    assert_eq!(split.atoms.len(), 2);
    let xs: Vec<f64> = split.atoms.iter().map(|a| a.vertices()[0][0]).collect();
    let total: f64 = split.atoms.iter().map(|a| a.gamma()).sum();
    println!("basins: centres x = {xs:?} (truth 2.0, 2.3), ΣΓ = {total:.3} (truth 1.8)");
    // Basins cut at a saddle get no Gaussian tail correction (their tail is the
    // neighbour's), so nothing is counted twice.
    assert!(total < 1.8);
    assert!(xs.iter().any(|x| (x - 2.0).abs() < 0.05) && xs.iter().any(|x| (x - 2.3).abs() < 0.05));
}
