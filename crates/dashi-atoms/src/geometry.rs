//! Periodic geometry on the torus [0, L)², L = 2π (docs/DESIGN.md §4).
//!
//! Positions are stored wrapped into [0, L). Every difference between two positions is
//! taken as the **minimal image** `d − L·round(d/L)` ∈ [−L/2, L/2], so a polyline's
//! segments are the short way round the torus. This requires every segment to be
//! shorter than L/2 = π; the MDL split rule `max_segment` (if enabled) keeps it so.

/// The side of the periodic box, L = 2π (the workspace's domain, docs/DESIGN.md §4: x_j = 2πj/N).
pub const DOMAIN_LENGTH: f64 = crate::kernel::DOMAIN_LENGTH;

/// `x` wrapped into [0, L). Never returns L itself (a tiny negative input whose remainder
/// rounds to L maps to 0).
pub fn wrap(x: f64) -> f64 {
    let r = x.rem_euclid(DOMAIN_LENGTH);
    if r >= DOMAIN_LENGTH { 0.0 } else { r }
}

/// A position wrapped into the box.
pub fn wrap_point(p: [f64; 2]) -> [f64; 2] {
    [wrap(p[0]), wrap(p[1])]
}

/// The minimal image of a coordinate difference: `d − L·round(d/L)` ∈ [−L/2, L/2].
pub fn min_image(d: f64) -> f64 {
    crate::kernel::min_image(d)
}

/// `b − a` as the minimal-image vector.
pub fn delta(a: [f64; 2], b: [f64; 2]) -> [f64; 2] {
    [min_image(b[0] - a[0]), min_image(b[1] - a[1])]
}

/// Periodic distance |b − a| (minimal image).
pub fn distance(a: [f64; 2], b: [f64; 2]) -> f64 {
    let d = delta(a, b);
    d[0].hypot(d[1])
}

/// The polyline as a continuous (unwrapped) path starting at its first vertex:
/// `p₀ = v₀`, `p_{k+1} = p_k + minimal_image(v_{k+1} − v_k)`.
pub fn unwrapped(vertices: &[[f64; 2]]) -> Vec<[f64; 2]> {
    let mut out = Vec::with_capacity(vertices.len());
    let mut prev: Option<([f64; 2], [f64; 2])> = None; // (wrapped, unwrapped)
    for &v in vertices {
        let p = match prev {
            None => v,
            Some((w, u)) => {
                let d = delta(w, v);
                [u[0] + d[0], u[1] + d[1]]
            }
        };
        out.push(p);
        prev = Some((v, p));
    }
    out
}

/// Total length Σ |v_{k+1} − v_k| of the polyline (minimal-image segments); 0 for one vertex.
pub fn polyline_length(vertices: &[[f64; 2]]) -> f64 {
    vertices.windows(2).map(|w| distance(w[0], w[1])).sum()
}

/// Turning angle |θ_k| ∈ [0, π] at each interior vertex k = 1..V−2: the angle between
/// segments (k−1, k) and (k, k+1). A zero-length segment gives angle 0.
pub fn turning_angles(vertices: &[[f64; 2]]) -> Vec<f64> {
    vertices
        .windows(3)
        .map(|w| {
            let a = delta(w[0], w[1]);
            let b = delta(w[1], w[2]);
            let cross = a[0] * b[1] - a[1] * b[0];
            let dot = a[0] * b[0] + a[1] * b[1];
            if cross == 0.0 && dot == 0.0 { 0.0 } else { cross.atan2(dot).abs() }
        })
        .collect()
}

/// The first pair (i, j), i < j − 1, of non-adjacent segments that cross properly
/// (segment k joins vertices k and k+1), in lexicographic (i, j) order; `None` if the
/// polyline is simple. Touching or collinear overlaps are not counted (a simplification:
/// they have measure zero under transport). O(V²).
pub fn first_self_intersection(vertices: &[[f64; 2]]) -> Option<(usize, usize)> {
    let segments = vertices.len().saturating_sub(1);
    for i in 0..segments {
        let p = vertices[i];
        let q = add(p, delta(p, vertices[i + 1]));
        for j in i + 2..segments {
            let r = add(p, delta(p, vertices[j]));
            let s = add(r, delta(vertices[j], vertices[j + 1]));
            if segments_cross(p, q, r, s) {
                return Some((i, j));
            }
        }
    }
    None
}

fn add(a: [f64; 2], d: [f64; 2]) -> [f64; 2] {
    [a[0] + d[0], a[1] + d[1]]
}

fn orient(a: [f64; 2], b: [f64; 2], c: [f64; 2]) -> f64 {
    (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])
}

/// Proper crossing of segments pq and rs (strictly opposite orientations on both sides).
fn segments_cross(p: [f64; 2], q: [f64; 2], r: [f64; 2], s: [f64; 2]) -> bool {
    let o1 = orient(p, q, r);
    let o2 = orient(p, q, s);
    let o3 = orient(r, s, p);
    let o4 = orient(r, s, q);
    o1 * o2 < 0.0 && o3 * o4 < 0.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrap_stays_in_box() {
        assert_eq!(wrap(-1e-300), 0.0);
        assert!(wrap(-1e-17) < DOMAIN_LENGTH);
        assert!((wrap(7.0) - (7.0 - DOMAIN_LENGTH)).abs() < 1e-15);
        assert!((min_image(6.0) - (6.0 - DOMAIN_LENGTH)).abs() < 1e-15);
    }

    #[test]
    fn unwrapping_crosses_the_seam() {
        let v = [[6.2, 1.0], [0.05, 1.0]];
        let u = unwrapped(&v);
        assert!((u[1][0] - (0.05 + DOMAIN_LENGTH)).abs() < 1e-12);
        assert!((polyline_length(&v) - (0.05 + DOMAIN_LENGTH - 6.2)).abs() < 1e-12);
    }

    #[test]
    fn figure_eight_self_intersects_and_turns() {
        let v = [[1.0, 1.0], [2.0, 2.0], [2.0, 1.0], [1.0, 2.0]];
        assert_eq!(first_self_intersection(&v), Some((0, 2)));
        let straight = [[1.0, 1.0], [1.5, 1.0], [2.0, 1.0]];
        assert_eq!(first_self_intersection(&straight), None);
        assert!(turning_angles(&straight)[0].abs() < 1e-15);
        let corner = [[1.0, 1.0], [2.0, 1.0], [2.0, 2.0]];
        assert!((turning_angles(&corner)[0] - std::f64::consts::FRAC_PI_2).abs() < 1e-15);
    }
}
