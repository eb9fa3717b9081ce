//! The periodic blob kernel against independent derivations and its stated error bounds.

use dashi_atoms::DOMAIN_LENGTH as L;
use dashi_atoms::kernel::{blob_velocity, blob_velocity_columns, point_velocity};
use std::f64::consts::PI;

/// Deterministic points in the box (a simple LCG; no dependency).
fn points(count: usize) -> Vec<[f64; 2]> {
    let mut s: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = || {
        s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (s >> 11) as f64 / (1u64 << 53) as f64
    };
    (0..count).map(|_| [(next() - 0.5) * L, (next() - 0.5) * L]).collect()
}

/// The same periodic point vortex summed row by row instead of column by column:
/// rows at y = nL give u − iv = Γ/(2iL)·cot(π(z − inL)/L), and the neutralising
/// background appears as u = +Γy/L². Agreement with the column sum checks the linear
/// (background) term and the isotropy of the construction.
fn row_sum(x: f64, y: f64, rows: i32) -> [f64; 2] {
    let (mut u, mut v) = (0.0, 0.0);
    for n in -rows..=rows {
        let yy = y - n as f64 * L;
        let den = yy.cosh() - x.cos();
        u -= yy.sinh() / den / (2.0 * L);
        v += x.sin() / den / (2.0 * L);
    }
    [u + y / (L * L), v]
}

#[test]
fn column_sum_equals_row_sum() {
    let mut worst: f64 = 0.0;
    for p in points(2000) {
        if p[0].hypot(p[1]) < 0.05 {
            continue;
        }
        // A tiny core (r ≥ 50ε: the blob is the point vortex to rounding), 12 columns.
        let a = blob_velocity_columns(p[0], p[1], 1e-3, 12);
        let b = row_sum(p[0], p[1], 12);
        let scale = 1.0 / (2.0 * PI * p[0].hypot(p[1]));
        worst = worst.max((a[0] - b[0]).abs().max((a[1] - b[1]).abs()) / scale.max(1.0));
    }
    println!("column vs row sum: worst difference {worst:.2e} (per unit Γ, relative to max(1, 1/(2πr)))");
    assert!(worst < 1e-12, "{worst:e}");
}

#[test]
fn truncation_error_of_three_columns_is_below_1e_10() {
    let mut worst: f64 = 0.0;
    for p in points(2000) {
        let a = blob_velocity_columns(p[0], p[1], 0.1, 3);
        let b = blob_velocity_columns(p[0], p[1], 0.1, 12);
        worst = worst.max((a[0] - b[0]).abs().max((a[1] - b[1]).abs()));
    }
    // Bound from the docs: Γ/(2L)·4e^{−3.5L}/(1 − e^{−L}) ≈ 9.0e-11.
    let bound = 4.0 * (-3.5 * L).exp() / (1.0 - (-L).exp()) / (2.0 * L);
    println!("M = 3 vs M = 12: worst {worst:.2e}, stated bound {bound:.2e}");
    assert!(worst <= bound, "{worst:e} > {bound:e}");
}

#[test]
fn near_field_is_free_vortex_plus_solid_rotation() {
    // periodic − free = (Γy/(2L²), −Γx/(2L²)) + O(r³).
    for &(x, y) in &[(1e-3, 0.0), (0.0, 2e-3), (-7e-4, 5e-4)] {
        let p = point_velocity(x, y);
        let r2 = x * x + y * y;
        let free = [-y / (2.0 * PI * r2), x / (2.0 * PI * r2)];
        let rot = [y / (2.0 * L * L), -x / (2.0 * L * L)];
        let du = p[0] - free[0] - rot[0];
        let dv = p[1] - free[1] - rot[1];
        assert!(du.abs() < 1e-9 && dv.abs() < 1e-9, "({x}, {y}): {du:e} {dv:e}");
    }
}

#[test]
fn divergence_free_with_neutralised_curl() {
    // curl = −Γ/L² away from the vortex (the uniform neutralising background), div = 0.
    let h = 1e-4;
    for p in points(50) {
        if p[0].hypot(p[1]) < 0.5 {
            continue;
        }
        let f = |dx: f64, dy: f64| blob_velocity(p[0] + dx, p[1] + dy, 0.05);
        let (xp, xm, yp, ym) = (f(h, 0.0), f(-h, 0.0), f(0.0, h), f(0.0, -h));
        let div = (xp[0] - xm[0] + yp[1] - ym[1]) / (2.0 * h);
        let curl = (xp[1] - xm[1] - yp[0] + ym[0]) / (2.0 * h);
        assert!(div.abs() < 1e-7, "div {div:e}");
        assert!((curl + 1.0 / (L * L)).abs() < 1e-7, "curl {curl:e}");
    }
}

#[test]
fn blob_is_regular_and_matches_point_vortex_far_away() {
    assert_eq!(blob_velocity(0.0, 0.0, 0.1), [0.0, 0.0]);
    let eps = 0.05;
    // Inside the core: solid-body rotation Γ/(2πε²) (Lamb–Oseen at r → 0).
    let r = 1e-4;
    let u = blob_velocity(r, 0.0, eps);
    assert!((u[1] / r - 1.0 / (2.0 * PI * eps * eps)).abs() < 1e-3 / (2.0 * PI * eps * eps));
    // Far away (r = 20ε): identical to the point vortex (e^{−400} below rounding).
    let (a, b) = (blob_velocity(1.0, 0.3, eps), point_velocity(1.0, 0.3));
    assert!((a[0] - b[0]).abs() < 1e-15 && (a[1] - b[1]).abs() < 1e-15);
    // Periodic in both directions.
    let c = blob_velocity(1.0 + L, 0.3 - 2.0 * L, eps);
    assert!((a[0] - c[0]).abs() < 1e-13 && (a[1] - c[1]).abs() < 1e-13);
}
