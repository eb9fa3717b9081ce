//! One definition of velocity: the atoms' Biot–Savart velocity equals the docs/DESIGN.md §4
//! spectral velocity (ψ̂ = ω̂/|k|², u = ∂ψ/∂y, v = −∂ψ/∂x, via dashi-core) of the field
//! they decode to. The residual is the cell averaging of the decode, a factor
//! sinc(kx·h/2)·sinc(ky·h/2) ≈ 1 − (kh)²/24 on the spectrum: ~h²/(24ε²) relative.

use dashi_atoms::{Atom, AtomState, Background, DOMAIN_LENGTH as L, Mode, Sign, rasterise, velocity_at};
use dashi_core::spectral::{Complex, Fft2Planner, Layout, SpectralGrid, velocity_from_vorticity};

/// Relative max difference for cores of `cells` grid cells: one blob, or a mixed state
/// (blobs of both signs, a polyline, a blob across the seam, a background mode).
fn relative_difference(cells: f64, mixed: bool) -> f64 {
    let n = 128;
    let h = L / n as f64;
    let eps = cells * h;
    let mut atoms = vec![
        Atom::blob(1.0, 2.0, Sign::Pos, 1.0, eps).unwrap(),
        Atom::blob(1.4, 2.1, Sign::Neg, 0.6, eps).unwrap(),
        Atom::new(vec![[4.0, 4.0], [4.3, 4.2], [4.6, 4.5], [4.8, 4.9]], Sign::Pos, 0.8, eps).unwrap(),
        Atom::blob(6.1, 0.2, Sign::Neg, 0.4, eps).unwrap(), // across the seam
    ];
    let mut background = Background::new(vec![Mode { kx: 2, ky: 1, re: 0.1, im: -0.05 }]).unwrap();
    if !mixed {
        atoms.truncate(1);
        background = Background::empty();
    }
    let state = AtomState::new(atoms, background);
    let omega = rasterise(&state, n).unwrap();

    let grid = SpectralGrid::new(n).unwrap();
    let fft = Fft2Planner::<f64>::new().plan(grid);
    let input: Vec<Complex<f64>> = omega.iter().map(|&w| Complex::new(w, 0.0)).collect();
    let spectrum = fft.fft2(&input).unwrap();
    let (u_hat, v_hat) = velocity_from_vorticity(grid, Layout::Full, &spectrum).unwrap();
    let (u, v) = (fft.ifft2(&u_hat).unwrap(), fft.ifft2(&v_hat).unwrap());

    let points: Vec<[f64; 2]> = (0..n * n).map(|i| [(i % n) as f64 * h, (i / n) as f64 * h]).collect();
    let exact = velocity_at(&state, &points);
    let max_speed = exact.iter().fold(0.0f64, |m, e| m.max(e[0].hypot(e[1])));
    let worst = exact
        .iter()
        .enumerate()
        .map(|(i, e)| (e[0] - u[i].re).abs().max((e[1] - v[i].re).abs()))
        .fold(0.0f64, f64::max);
    worst / max_speed
}

#[test]
fn biot_savart_matches_the_spectral_velocity_of_the_decoded_field() {
    let (a, b) = (relative_difference(4.0, false), relative_difference(8.0, false));
    let (c, d) = (relative_difference(4.0, true), relative_difference(8.0, true));
    println!(
        "max |u_atoms − u_spectral| / max speed: one blob ε = 4h: {a:.2e}, 8h: {b:.2e} (ratio {:.2}); \
         mixed state ε = 4h: {c:.2e}, 8h: {d:.2e}",
        a / b
    );
    // Second order in h/ε: doubling ε divides the difference by ≈ 4; a convention error
    // (sign, factor of 2π, missing image) would be O(1) and would not shrink.
    assert!(a < 1e-2 && b < 2.5e-3 && a / b > 3.5);
    assert!(c < 1e-2 && d < 4e-3);
}
