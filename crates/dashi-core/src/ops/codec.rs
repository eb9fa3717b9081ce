//! CPU reference of the `codec` family: the per-frame steps of the v4 proxy codec
//! (SPEC §6) that run on the executor. Conventions of SPEC §4: full-layout spectra
//! `[ky][kx]` with interleaved `(re, im)`; carriers as support/sign `u32` words (bit
//! `i % 32` of word `i / 32` = cell `i`); real fields row-major `[iy][ix]`.
//!
//! ```text
//! proxy_pack:      z[e] = spectrum[slot_e]  or a header value (0, E_mid, E_high, K)
//! proxy_spectrum:  Z[m] = LP[m] + i·RES[m]  (both Hermitian: ifft(Z) = ω_lp + i·ω_res)
//!                  RES: anchors from z; mid/high modes s_band·w[m]·e^{2πi·u(seed, rep(m))}
//! box_smooth:      periodic (2r+1)×(2r+1) mean
//! threshold_gate:  T_{τ_rel·max}(x), gated by the previous mask (a fining level)
//! fining_select / fining_closure: the closure rule of kernel::Fining kept on the device
//! mask_combine:    ω = ω_lp + |m|·ω_res
//! ```
//!
//! Random phases: `u(seed, j) = mode_uniform24(seed, j)/2²⁴` ([`crate::random::mode_uniform24`]),
//! one xorshift32 stream per representative mode `j` of a conjugate pair, so the
//! synthesised residual is real and independent of evaluation order.

use super::params::{ProxyPackParams, ProxySpectrumParams};
use crate::carrier::{Field, Shape};
use crate::kernel::threshold_planes;
use crate::random::mode_uniform24;
use crate::scalar::Real;

/// `proxy_pack`.
pub(crate) fn proxy_pack<T: Real>(spectrum: &[T], slots: &[u32], bands: &[T], anchors: u32, z: &mut [T]) {
    let limit = spectrum.len() as u64;
    for (out, &code) in z.iter_mut().zip(slots) {
        *out = if u64::from(code) < limit {
            spectrum[code as usize]
        } else if code >= ProxyPackParams::HEADER_BASE {
            match code - ProxyPackParams::HEADER_BASE {
                1 => bands[1],
                2 => bands[2],
                3 => T::from_f64(f64::from(anchors)),
                _ => T::from_f64(0.0),
            }
        } else {
            T::from_f64(0.0)
        };
    }
}

/// Energy `Σ_a |anchor_a|²/n⁴` of the anchors (each stands for itself and its conjugate).
fn anchor_energy<T: Real>(z: &[T], low: usize, anchors: usize, n: usize) -> f64 {
    let base = 2 * low + 4;
    let n4 = (n as f64).powi(4);
    (0..anchors)
        .map(|a| {
            let (re, im) = (z[base + a].to_f64(), z[base + anchors + a].to_f64());
            re * re + im * im
        })
        .sum::<f64>()
        / n4
}

/// `proxy_spectrum`.
pub(crate) fn proxy_spectrum<T: Real>(
    z: &[T],
    modes: &[u32],
    weights: &[T],
    out: &mut [T],
    n: usize,
    p: ProxySpectrumParams,
) {
    let (low, anchors) = (p.low as usize, p.anchors as usize);
    let residual = p.residual == 1;
    let header = 2 * low;
    let scale_mid = (z[header + 1].to_f64() - anchor_energy(z, low, anchors, n)).max(0.0).sqrt();
    let scale_high = z[header + 2].to_f64().max(0.0).sqrt();
    for (m, &code) in modes[..n * n].iter().enumerate() {
        let (class, conj) = (code >> 28, code & ProxySpectrumParams::CONJ_BIT != 0);
        let j = (code & ProxySpectrumParams::INDEX_MASK) as usize;
        // (re, im) of the stored value, and whether it belongs to the residual.
        let (value, in_residual) = match class {
            // Indices outside the table's range read as 0 (as the WGSL does): no panic on a
            // malformed mode table.
            ProxySpectrumParams::CLASS_LOW if j < low => ((z[j].to_f64(), z[low + j].to_f64()), false),
            ProxySpectrumParams::CLASS_ANCHOR if residual && j < anchors => {
                let base = header + 4;
                ((z[base + j].to_f64(), z[base + anchors + j].to_f64()), true)
            }
            ProxySpectrumParams::CLASS_MID | ProxySpectrumParams::CLASS_HIGH if residual => {
                let scale = if class == ProxySpectrumParams::CLASS_MID { scale_mid } else { scale_high };
                let amplitude = scale * weights[m].to_f64();
                let phase = std::f64::consts::TAU * f64::from(mode_uniform24(p.seed, j as u32)) / f64::from(1u32 << 24);
                ((amplitude * phase.cos(), amplitude * phase.sin()), true)
            }
            _ => ((0.0, 0.0), false),
        };
        let (re, im) = if conj { (value.0, -value.1) } else { value };
        // Residual values travel as i·c: Re Z carries LP, Im Z carries RES.
        let (zr, zi) = if in_residual { (-im, re) } else { (re, im) };
        out[2 * m] = T::from_f64(zr);
        out[2 * m + 1] = T::from_f64(zi);
    }
}

/// `box_smooth`: the same separable periodic mean as [`Field::box_smooth`].
pub(crate) fn box_smooth<T: Real>(x: &[T], out: &mut [T], width: usize, height: usize, radius: usize) {
    let values: Vec<f64> = x[..width * height].iter().map(|v| v.to_f64()).collect();
    let shape = Shape::d2(height, width).expect("validated grid");
    let field = Field::new(shape, values).expect("finite values of a checked upload");
    let smoothed = field.box_smooth(radius).expect("validated radius");
    for (o, &v) in out.iter_mut().zip(smoothed.values()) {
        *o = T::from_f64(v);
    }
}

/// `threshold_gate`.
pub(crate) fn threshold_gate<T: Real>(
    x: &[T],
    scale: T,
    tau_rel: f32,
    gate: Option<(&[u32], &[u32])>,
    support: &mut [u32],
    sign: &mut [u32],
) {
    if scale.to_f64() <= 0.0 {
        support.fill(0);
        sign.fill(0);
        return;
    }
    let tau = T::from_f64(f64::from(tau_rel)) * scale;
    threshold_planes(x, tau, support, sign);
    if let Some((gate_support, gate_sign)) = gate {
        for (w, (s, g)) in support.iter_mut().zip(sign.iter_mut()).enumerate() {
            // Keep a cell iff both are supported with the same sign.
            let keep = *s & gate_support[w] & !(*g ^ gate_sign[w]);
            *s = keep;
            *g &= keep;
        }
    }
}

/// `fining_closure`: `state = [closed, closure level, previous count, last level]`.
pub(crate) fn fining_closure(counts: &[i32], state: &mut [i32], level: u32, epsilon: f32) {
    let active = counts[0];
    if level == 0 {
        state[..4].copy_from_slice(&[0, 0, active, 0]);
        return;
    }
    if state[0] == 0 {
        let previous = state[2];
        let change = (i64::from(active) - i64::from(previous)).abs() as f64;
        if change < f64::from(epsilon) * f64::from(previous.max(1)) {
            state[0] = 1;
            state[1] = level as i32;
        }
        state[2] = active;
        state[3] = level as i32;
    }
}

/// `mask_combine`.
pub(crate) fn mask_combine<T: Real>(pair: &[T], support: &[u32], out: &mut [T], n: usize) {
    for (i, o) in out[..n].iter_mut().enumerate() {
        let on = support[i / 32] >> (i % 32) & 1 == 1;
        *o = if on { pair[i] + pair[n + i] } else { pair[i] };
    }
}
