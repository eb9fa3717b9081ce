//! The regularised Biot–Savart kernel in the periodic box [0, L)², L = 2π: the one
//! definition of the velocity induced by a vortex blob, used by the atom dynamics and by
//! the `biot_savart` KernelOp's CPU kernel ([`crate::ops::BIOT_SAVART`], mirrored in f32
//! by `ops/atoms.wgsl`).
//!
//! The direct sum over S sources at T targets is O(S·T) kernel evaluations (each one
//! `exp`, one `sin_cos`, one `exp_m1` and ~(4M + 3) divisions), independent of any grid:
//!
//! ```text
//! u(t) = Σ_s w_s · K_{ε_s}(t − x_s),   w_s = σΓ/V of the source vertex
//! ```
//!
//! **Conventions (docs/DESIGN.md §4).** ∇²ψ = −ω, u = ∂ψ/∂y, v = −∂ψ/∂x; in complex form the
//! free-space point vortex of circulation Γ at the origin induces
//! `u − iv = Γ / (2πi z)`, z = x + iy (counter-clockwise for Γ > 0).
//!
//! **Periodic point vortex.** Sum the images column by column: a column of vortices at
//! (0, nL), n ∈ ℤ, induces `u − iv = Γ/(2iL) · coth(πz/L)` (exactly periodic in y).
//! Summing the columns at x = mL symmetrically, |m| ≤ M, and subtracting the linear
//! field `v = −Γx/L²` of the uniform neutralising background −Γ/L² gives the velocity
//! of the zero-mean periodic solution (the Fourier solution ψ̂ = ω̂/|k|², ψ̂(0) = 0):
//!
//! ```text
//! u − iv = Γ/(2iL) · Σ_{|m|≤M} coth(π(z − mL)/L) + iΓx/L²,   x, y ∈ [−L/2, L/2]
//! coth(a + ib) = (sinh 2a − i sin 2b) / (cosh 2a − cos 2b)
//! ```
//!
//! (odd in z, periodic in x and y, curl = Γδ − Γ/L², divergence-free: it is that
//! solution; `tests/kernel.rs` checks it against the row-by-row sum, an
//! independent derivation.)
//! **Truncation error**: column m ≠ 0 differs from ±1 by at most ≈ 2e^{−|x−mL|}, so the
//! neglected columns |m| > M cost at most
//! `|δu| ≤ Γ/(2L) · 4e^{−(M+½)L} / (1 − e^{−L})`; with M = [`COLUMNS`] = 3 that is
//! **≈ 9·10⁻¹¹ · Γ** (the tests measure it against M = 12).
//!
//! **Blob regularisation.** Vertex blobs are Gaussians `ω = Γ e^{−r²/ε²}/(πε²)`
//! (the decode mollifier of [`crate::rasterise`]), whose free-space velocity is the
//! Lamb–Oseen profile `u_θ = Γ(1 − e^{−r²/ε²})/(2πr)`. The periodic blob kernel is the
//! periodic point vortex with the nearest image's singular part replaced by that
//! profile. To avoid cancellation near r = 0 the m = 0 column is evaluated as
//! `coth(w) − 1/w` (a Laurent series for |w| < 1/4) and the blob term added in closed
//! form with `(1 − e^{−s})/s` by `expm1`. Images beyond the nearest of the Gaussian
//! correction are neglected: ≤ e^{−π²/ε²}/(2π²) ≈ 4·10⁻¹⁹ for ε ≤ ½
//! ([`crate::MAX_CORE`]; larger cores lose that bound, not the periodicity).
//!
//! **Near-field rotation.** Expanding the periodic part about the vortex gives
//! `u = Γy/(2L²), v = −Γx/(2L²)`: a solid-body rotation at −Γ/(2L²) and no strain (the
//! square lattice's images cancel at second order). Consequently a two-vortex
//! configuration at separation d runs slower than in free space by the factor
//! `1 − π d²/L²` (= 1 − d²/(4π): −0.32 % at d = 0.2); the two-atom tests check it.

use std::f64::consts::PI;

/// The side L = 2π of the periodic box [0, L)² (docs/DESIGN.md §4).
pub const DOMAIN_LENGTH: f64 = std::f64::consts::TAU;

/// Largest number of image columns the `biot_savart` op accepts: e^{(M + ½)L} must stay
/// in f32 range on the device (M = 12: e^{78.5} ≈ 1.2·10³⁴ < f32::MAX ≈ 3.4·10³⁸).
pub const MAX_COLUMNS: usize = 12;

/// The minimal image of a displacement: `d − L·round(d/L)` ∈ [−L/2, L/2].
pub fn min_image(d: f64) -> f64 {
    d - DOMAIN_LENGTH * (d / DOMAIN_LENGTH).round()
}

/// Number M of image columns on each side of the central one in the periodic sum.
pub const COLUMNS: usize = 3;

/// Velocity (u, v) at displacement `(dx, dy) = x_target − x_source` induced by a
/// Gaussian blob of **unit** circulation and core `eps` in the periodic box (any
/// displacement; reduced to the minimal image here). Multiply by σΓ_vertex.
pub fn blob_velocity(dx: f64, dy: f64, eps: f64) -> [f64; 2] {
    blob_velocity_columns(dx, dy, eps, COLUMNS)
}

/// The periodic point-vortex velocity of unit circulation (no core), for the tests and
/// for callers who want the singular kernel. Infinite at the vortex itself.
pub fn point_velocity(dx: f64, dy: f64) -> [f64; 2] {
    let x = min_image(dx);
    let y = min_image(dy);
    let r2 = x * x + y * y;
    let [u, v] = periodic_remainder(x, y, COLUMNS);
    [u - y / (2.0 * PI * r2), v + x / (2.0 * PI * r2)]
}

/// [`blob_velocity`] with M columns (for measuring the truncation error).
pub fn blob_velocity_columns(dx: f64, dy: f64, eps: f64, columns: usize) -> [f64; 2] {
    let x = min_image(dx);
    let y = min_image(dy);
    let [mut u, mut v] = periodic_remainder(x, y, columns);
    // Free-space Lamb–Oseen blob: u = −y·g/(2π), v = x·g/(2π), g = (1 − e^{−r²/ε²})/r².
    let eps2 = eps * eps;
    let s = (x * x + y * y) / eps2;
    let g = if s == 0.0 { 1.0 / eps2 } else { -(-s).exp_m1() / s / eps2 };
    u -= y * g / (2.0 * PI);
    v += x * g / (2.0 * PI);
    [u, v]
}

/// Periodic point vortex minus the free-space one (a smooth, odd function), unit Γ,
/// for the minimal-image displacement (x, y) ∈ [−L/2, L/2]².
fn periodic_remainder(x: f64, y: f64, columns: usize) -> [f64; 2] {
    const L: f64 = DOMAIN_LENGTH;
    let (sin_y, cos_y) = y.sin_cos();
    // C = Σ_{m≠0} coth((z − mL)/2) + (coth(z/2) − 2/z)  (π/L = 1/2 since L = 2π).
    // e^{x ∓ mL} from one exp: e^x·e^{∓mL}, with e^{−mL} = q^m, q = e^{−L} (≤ m ulp).
    const Q: f64 = 0.001_867_442_731_707_989_3; // e^{−2π}
    let ex = x.exp();
    let inv = 1.0 / ex;
    let hyper = (0.5 * (ex - inv), 0.5 * (ex + inv)); // (sinh x, cosh x)
    let (mut cr, mut ci) = coth_minus_inverse(0.5 * x, 0.5 * y, hyper, (sin_y, cos_y));
    let (mut down, mut up) = (1.0, 1.0); // e^{−mL}, e^{+mL}
    for _ in 1..=columns {
        down *= Q;
        up /= Q;
        // shift +mL: e = e^x·e^{−mL};  shift −mL: e = e^x·e^{+mL}
        for (e, e_inv) in [(ex * down, inv * up), (ex * up, inv * down)] {
            let den = 0.5 * (e + e_inv) - cos_y;
            cr += 0.5 * (e - e_inv) / den;
            ci -= sin_y / den;
        }
    }
    // Γ/(2iL)·C = (Ci − i·Cr)/(2L): u = Ci/(2L), v = Cr/(2L); background: v −= x/L².
    [ci / (2.0 * L), cr / (2.0 * L) - x / (L * L)]
}

/// coth(w) − 1/w for w = a + ib (smooth; radius of convergence π for the series), given
/// (sinh 2a, cosh 2a) and (sin 2b, cos 2b).
fn coth_minus_inverse(a: f64, b: f64, (sh2a, ch2a): (f64, f64), (s2b, c2b): (f64, f64)) -> (f64, f64) {
    let r2 = a * a + b * b;
    if r2 < 1.0 / 16.0 {
        // w/3 − w³/45 + 2w⁵/945 − w⁷/4725 + 2w⁹/93555 − 1382w¹¹/638512875 (|w| < 1/4:
        // next term ≤ 2(|w|/π)^{12}/|w| relative ≈ 10⁻¹³ of the sum).
        const C: [f64; 6] =
            [1.0 / 3.0, -1.0 / 45.0, 2.0 / 945.0, -1.0 / 4725.0, 2.0 / 93555.0, -1382.0 / 638_512_875.0];
        let (w2r, w2i) = (a * a - b * b, 2.0 * a * b);
        let (mut pr, mut pi) = (0.0, 0.0);
        for &c in C.iter().rev() {
            let (nr, ni) = (pr * w2r - pi * w2i + c, pr * w2i + pi * w2r);
            pr = nr;
            pi = ni;
        }
        (pr * a - pi * b, pr * b + pi * a)
    } else {
        let den = ch2a - c2b;
        // coth(w) = (sinh 2a − i sin 2b)/den;  1/w = (a − ib)/r².
        (sh2a / den - a / r2, -s2b / den + b / r2)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn series_and_closed_form_agree_at_the_switch() {
        for &(a, b) in &[(0.2499, 0.0), (0.0, 0.2499), (0.17, 0.17), (-0.1, 0.23)] {
            let s = coth_minus_inverse(a, b, ((2.0 * a).sinh(), (2.0 * a).cosh()), (2.0 * b).sin_cos());
            let (s2b, c2b) = (2.0 * b).sin_cos();
            let den = (2.0 * a).cosh() - c2b;
            let r2 = a * a + b * b;
            let d = ((2.0 * a).sinh() / den - a / r2, -s2b / den + b / r2);
            assert!((s.0 - d.0).abs() < 1e-13 && (s.1 - d.1).abs() < 1e-13, "{s:?} vs {d:?}");
        }
    }

    #[test]
    fn exp_constant_is_e_to_minus_two_pi() {
        assert!((0.001_867_442_731_707_989_3f64 / (-DOMAIN_LENGTH).exp() - 1.0).abs() < 1e-15);
    }

    #[test]
    fn remainder_is_odd_and_zero_at_origin() {
        assert_eq!(periodic_remainder(0.0, 0.0, COLUMNS), [0.0, 0.0]);
        let p = periodic_remainder(0.7, -1.3, COLUMNS);
        let q = periodic_remainder(-0.7, 1.3, COLUMNS);
        assert!((p[0] + q[0]).abs() < 1e-15 && (p[1] + q[1]).abs() < 1e-15);
    }
}
