//! Decode = rendering chart: ω on an N×N grid from a state (the state is not the grid).
//!
//! ```text
//! ω(x) = Σ_atoms Σ_k (σΓ/V) · φ_ε(x − v_k)  +  ω_bg(x),    φ_ε(r) = e^{−r²/ε²}/(πε²)
//! ```
//!
//! Grid: row-major `[iy][ix]`, x_j = 2πj/N (docs/DESIGN.md §4), cell spacing h = 2π/N.
//! Atom blobs are rendered as **cell averages** of φ_ε over the cell
//! [x_j − h/2, x_j + h/2] × [y_i − h/2, y_i + h/2], which factorise into 1D erf
//! differences `½[erf((x_j + h/2 − a)/ε) − erf((x_j − h/2 − a)/ε)]`. Summed over the cells
//! these telescope, so `Σ ω·h² = ΣσΓ` to rounding for any ε, even ε < h (tested);
//! for ε ≫ h a cell average differs from the point value by O(h²/ε²). Windows reach 6ε
//! (erfc(6) ≈ 2·10⁻¹⁷) and wrap periodically. The background, band-limited, is
//! point-sampled. Cost O(V·(12ε/h)²) + O(N²·modes).

use crate::error::AtomError;
use crate::geometry::DOMAIN_LENGTH;
use crate::state::{AtomState, Background};

/// Largest accepted grid side.
pub const MAX_GRID: usize = 1 << 14;

pub(crate) fn check_grid(n: usize) -> Result<(), AtomError> {
    if n < 2 || !n.is_power_of_two() || n > MAX_GRID {
        return Err(AtomError::Grid { n, requirement: "a power of two, 2 ≤ N ≤ 16384" });
    }
    Ok(())
}

/// ω of the state on an N×N grid (row-major `[iy][ix]`).
pub fn rasterise(state: &AtomState, n: usize) -> Result<Vec<f64>, AtomError> {
    check_grid(n)?;
    let mut field = vec![0.0; n * n];
    let h = DOMAIN_LENGTH / n as f64;
    for atom in &state.atoms {
        let w = atom.vertex_circulation() / (h * h);
        let eps = atom.core();
        for &v in atom.vertices() {
            let (x0, fx) = weights_1d(v[0], eps, h);
            let (y0, fy) = weights_1d(v[1], eps, h);
            for (dy, wy) in fy.iter().enumerate() {
                let iy = (y0 + dy as i64).rem_euclid(n as i64) as usize;
                let row = &mut field[iy * n..(iy + 1) * n];
                for (dx, wx) in fx.iter().enumerate() {
                    let ix = (x0 + dx as i64).rem_euclid(n as i64) as usize;
                    row[ix] += w * wy * wx;
                }
            }
        }
    }
    add_background(&mut field, &state.background, n);
    Ok(field)
}

/// 1D cell masses of a unit Gaussian (variance ε²/2) centred at `a`, over cells
/// j0..j0+len (unwrapped indices).
fn weights_1d(a: f64, eps: f64, h: f64) -> (i64, Vec<f64>) {
    let reach = (6.0 * eps / h).ceil() as i64 + 1;
    let centre = (a / h).round() as i64;
    let j0 = centre - reach;
    let len = (2 * reach + 1) as usize;
    let edge = |j: i64| libm::erf(((j as f64 - 0.5) * h - a) / eps);
    let mut out = Vec::with_capacity(len);
    let mut lo = edge(j0);
    for j in j0..j0 + len as i64 {
        let hi = edge(j + 1);
        out.push(0.5 * (hi - lo));
        lo = hi;
    }
    (j0, out)
}

fn add_background(field: &mut [f64], bg: &Background, n: usize) {
    if bg.is_empty() {
        return;
    }
    let h = DOMAIN_LENGTH / n as f64;
    for m in bg.modes() {
        // e^{i(kx x + ky y)} separably: cos/sin tables per axis.
        let ex: Vec<(f64, f64)> = (0..n).map(|j| (m.kx as f64 * j as f64 * h).sin_cos()).collect();
        for iy in 0..n {
            let (sy, cy) = (m.ky as f64 * iy as f64 * h).sin_cos();
            let row = &mut field[iy * n..(iy + 1) * n];
            for (ix, &(sx, cx)) in ex.iter().enumerate() {
                let (c, s) = (cx * cy - sx * sy, sx * cy + cx * sy);
                row[ix] += 2.0 * (m.re * c - m.im * s);
            }
        }
    }
}

/// Enstrophy `0.5·mean(ω²)` of a grid field (the workspace's one definition, docs/DESIGN.md §0).
pub fn enstrophy(field: &[f64]) -> f64 {
    0.5 * field.iter().map(|w| w * w).sum::<f64>() / field.len().max(1) as f64
}
