//! The `codec` family: the per-frame steps of the v4 proxy codec (docs/CODEC.md,
//! docs/MATH.md §6) that run on the executor, CPU kernels here and WGSL in `codec.wgsl`.
//! Conventions of docs/DESIGN.md §4: full-layout spectra `[ky][kx]` with interleaved
//! `(re, im)`; carriers as support/sign `u32` words (bit `i % 32` of word `i / 32` =
//! cell `i`); real fields row-major `[iy][ix]`.
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
//! Random phases: `u(seed, j) = mode_uniform24(seed, j)/2²⁴` ([`mode_uniform24`]), one
//! xorshift32 stream per representative mode `j` of a conjugate pair, so the
//! synthesised residual is real and independent of evaluation order. Slot and mode
//! codes are the layout's ([`crate::codes`]), declared to the WGSL from Rust.

use crate::codes;
use dashi_core::carrier::{Field, Shape};
use dashi_core::kernel::{MAX_FINING_LEVELS, threshold_planes};
use dashi_core::ops::Access::{Read, ReadWrite};
use dashi_core::ops::ElemType::{I32, Real as R, U32};
use dashi_core::ops::LenRule::{Complex as C, Fixed, Product, Words};
use dashi_core::ops::{
    BufferId, CpuIo, Dispatch, Family, LenParams, PER_ELEMENT, PER_MODE, WGSL_CARRIER_WORDS, WgslConst, binding,
    spectral_n,
};
use dashi_core::random::xorshift32;
use dashi_core::scalar::Real;

dashi_core::op_params! {
    /// `{ n, d, anchors }` — `proxy_pack`: gather a proxy vector of length `d` from one
    /// full-layout `n×n` spectrum (see [`codes::HEADER_BASE`] for header slots).
    pub struct ProxyPackParams {
        /// Grid size N.
        pub n: u32,
        /// Proxy length D.
        pub d: u32,
        /// Number of anchors K (written into the header slot `HEADER_BASE + 3`).
        pub anchors: u32,
    }
}

impl ProxyPackParams {
    /// Grid `n`, proxy length `d`, `anchors` anchors.
    pub fn new(n: u32, d: u32, anchors: u32) -> Self {
        ProxyPackParams { n, d, anchors, ..Default::default() }
    }
}

dashi_core::op_params! {
    /// `{ n, d, low, anchors, residual, seed }` — `proxy_spectrum`: the packed spectrum
    /// `Z = LP + i·RES` of a proxy vector.
    pub struct ProxySpectrumParams {
        /// Grid size N.
        pub n: u32,
        /// Proxy length D = 2L + 4 + 2K.
        pub d: u32,
        /// Low-band modes L.
        pub low: u32,
        /// Anchors K.
        pub anchors: u32,
        /// 0 = no residual (low-pass only), 1 = anchors + seeded synthesis.
        pub residual: u32,
        /// Frame seed (`decode_seed + 1000003·t`, wrapping).
        pub seed: u32,
    }
}

impl ProxySpectrumParams {
    /// Grid `n`, `low` low modes, `anchors` anchors, residual on or off, frame seed.
    pub fn new(n: u32, low: u32, anchors: u32, residual: bool, seed: u32) -> Self {
        ProxySpectrumParams {
            n,
            d: 2 * low + 4 + 2 * anchors,
            low,
            anchors,
            residual: u32::from(residual),
            seed,
            ..Default::default()
        }
    }
}

dashi_core::op_params! {
    /// `{ width, height, radius }` — `box_smooth`.
    pub struct BoxSmoothParams {
        /// Columns.
        pub width: u32,
        /// Rows.
        pub height: u32,
        /// Half-width r (`2r + 1 ≤ min(width, height)`).
        pub radius: u32,
    }
}

impl BoxSmoothParams {
    /// A `height × width` periodic grid, half-width `radius`.
    pub fn new(width: u32, height: u32, radius: u32) -> Self {
        BoxSmoothParams { width, height, radius, ..Default::default() }
    }
}

dashi_core::op_params! {
    /// `{ n, tau_rel, gated }` — `threshold_gate`.
    pub struct ThresholdGateParams {
        /// Number of cells.
        pub n: u32,
        /// Relative threshold τ_rel ∈ (0, 1]; the threshold is τ_rel·scale[0].
        pub tau_rel: f32,
        /// 1: keep only cells where the gate carrier agrees; 0: no gate.
        pub gated: u32,
    }
}

impl ThresholdGateParams {
    /// `n` cells, relative threshold, gate on or off.
    pub fn new(n: u32, tau_rel: f32, gated: bool) -> Self {
        ThresholdGateParams { n, tau_rel, gated: u32::from(gated), ..Default::default() }
    }
}

dashi_core::op_params! {
    /// `{ level, epsilon }` — `fining_closure`.
    pub struct FiningClosureParams {
        /// The level whose counts are read (0 = the seed: resets the state).
        pub level: u32,
        /// Closure tolerance ε ≥ 0 on the relative change of active cells.
        pub epsilon: f32,
    }
}

impl FiningClosureParams {
    /// Level `level`, tolerance `epsilon`.
    pub fn new(level: u32, epsilon: f32) -> Self {
        FiningClosureParams { level, epsilon, ..Default::default() }
    }
}

/// The family.
pub static CODEC: Family = Family {
    name: "codec",
    owner: "dashi-codec",
    doc: "the v4 codec's per-frame steps: encode packing, residual synthesis, the mask pipeline",
    wgsl: include_str!("codec.wgsl"),
    imports: &[&WGSL_CARRIER_WORDS],
    constants: &[
        WgslConst { name: "HEADER_BASE", value: codes::HEADER_BASE },
        WgslConst { name: "CLASS_LOW", value: codes::CLASS_LOW },
        WgslConst { name: "CLASS_ANCHOR", value: codes::CLASS_ANCHOR },
        WgslConst { name: "CLASS_MID", value: codes::CLASS_MID },
        WgslConst { name: "CLASS_HIGH", value: codes::CLASS_HIGH },
        WgslConst { name: "CONJ_BIT", value: codes::CONJ_BIT },
        WgslConst { name: "INDEX_MASK", value: codes::INDEX_MASK },
    ],
    ops: &[
        PROXY_PACK.spec(),
        PROXY_SPECTRUM.spec(),
        BOX_SMOOTH.spec(),
        THRESHOLD_GATE.spec(),
        FINING_SELECT.spec(),
        FINING_CLOSURE.spec(),
        MASK_COMBINE.spec(),
    ],
    trusted: false,
    zero_workgroup_memory: true,
};

/// The per-mode uniform draw of the codec's seeded residual synthesis: a xorshift32
/// stream started from `seed ⊕ (index·0x9E3779B9)` (folded `x ⊕= x ≫ 16`, a zero start
/// replaced by `0x6D2B79F5`), advanced four steps; the top 24 bits are returned, so
/// `u = value / 2²⁴ ∈ [0, 1)` is exact in f32 and f64 alike. One stream per
/// frequency index keeps the draw independent of evaluation order (CPU loop or GPU
/// thread) — the WGSL `proxy_spectrum` computes the same integers.
pub const fn mode_uniform24(seed: u32, index: u32) -> u32 {
    let mut x = seed ^ index.wrapping_mul(0x9E37_79B9);
    x ^= x >> 16;
    if x == 0 {
        x = 0x6D2B_79F5;
    }
    let mut round = 0;
    while round < 4 {
        x = xorshift32(x);
        round += 1;
    }
    x >> 8
}

const N: &[&str] = &["n"];

fn proxy_pack_domain(p: &ProxyPackParams) -> Result<(), String> {
    spectral_n(p.n)?;
    if p.d == 0 {
        return Err("d = 0: the proxy vector must not be empty".into());
    }
    Ok(())
}

fn proxy_spectrum_domain(p: &ProxySpectrumParams) -> Result<(), String> {
    let n = spectral_n(p.n)?;
    let (low, anchors, d) = (u64::from(p.low), u64::from(p.anchors), u64::from(p.d));
    if d != 2 * low + 4 + 2 * anchors {
        return Err(format!("d = {d} must be 2·low + 4 + 2·anchors = {}", 2 * low + 4 + 2 * anchors));
    }
    if u64::from(n) * u64::from(n) > u64::from(codes::INDEX_MASK) {
        return Err(format!("n = {n}: n² exceeds the 27-bit mode index"));
    }
    match p.residual {
        0 | 1 => Ok(()),
        r => Err(format!("residual = {r} (0 = low-pass only, 1 = anchors + seeded synthesis)")),
    }
}

fn box_smooth_domain(p: &BoxSmoothParams) -> Result<(), String> {
    let (w, h, r) = (p.width, p.height, p.radius);
    if w == 0 || h == 0 {
        return Err(format!("grid {h}×{w} is empty"));
    }
    let side = w.min(h);
    if 2 * u64::from(r) + 1 > u64::from(side) {
        return Err(format!("radius = {r}: 2r + 1 must not exceed the shorter side {side}"));
    }
    Ok(())
}

fn threshold_gate_domain(p: &ThresholdGateParams) -> Result<(), String> {
    let tau = p.tau_rel;
    if !(tau > 0.0 && tau <= 1.0) {
        return Err(format!("tau_rel = {tau} must be in (0, 1]"));
    }
    match p.gated {
        0 | 1 => Ok(()),
        g => Err(format!("gated = {g} (0 or 1)")),
    }
}

fn fining_closure_domain(p: &FiningClosureParams) -> Result<(), String> {
    let eps = p.epsilon;
    if !(eps.is_finite() && eps >= 0.0) {
        return Err(format!("epsilon = {eps} must be finite and >= 0"));
    }
    if p.level as usize > MAX_FINING_LEVELS {
        return Err(format!("level = {} exceeds {MAX_FINING_LEVELS}", p.level));
    }
    Ok(())
}

fn any_len(_: &LenParams) -> Result<(), String> {
    Ok(())
}

dashi_core::buffer_set! {
    /// The buffers of `proxy_pack`.
    pub struct ProxyPackBuffers { spectrum, slots, bands, z }
}

fn proxy_pack<T: Real>(p: &ProxyPackParams, io: &mut CpuIo<'_, '_, T>) -> Result<(), String> {
    let (n, d) = (p.n as usize, p.d as usize);
    let (spectrum, slots, bands) = (&io.reals(0)[..2 * n * n], &io.words(1)[..d], &io.reals(2)[..3]);
    proxy_pack_reference(spectrum, slots, bands, p.anchors, &mut io.reals_mut(3)[..d]);
    Ok(())
}

dashi_core::kernel_op! {
    /// Encode: the proxy vector `z` of one full-layout spectrum, slot by slot.
    pub static PROXY_PACK: Op<ProxyPackParams, ProxyPackBuffers> = {
        name: "proxy_pack",
        family: &CODEC,
        summary: "z[e] = spectrum[slots[e]] if slots[e] < 2n²; header slot B+j (B = 0xFFFFFF00): j = 0 → 0, 1 → bands[1], 2 → bands[2], 3 → anchors; other codes → 0",
        bindings: &[
            binding(0, "spectrum", Read, R, C(&["n", "n"])),
            binding(1, "slots", Read, U32, Product(&["d"])),
            binding(2, "bands", Read, R, Fixed(3)),
            binding(3, "z", ReadWrite, R, Product(&["d"])),
        ],
        sizes: &["n", "d"],
        dispatch: Dispatch::Threads { count: Product(&["d"]), workgroup: 64 },
        domain: proxy_pack_domain,
        cpu: proxy_pack,
    };
}

dashi_core::buffer_set! {
    /// The buffers of `proxy_spectrum`.
    pub struct ProxySpectrumBuffers { z, modes, weights, out }
}

fn proxy_spectrum<T: Real>(p: &ProxySpectrumParams, io: &mut CpuIo<'_, '_, T>) -> Result<(), String> {
    let n = p.n as usize;
    let (z, modes, weights) = (&io.reals(0)[..p.d as usize], io.words(1), io.reals(2));
    proxy_spectrum_reference(z, modes, weights, io.reals_mut(3), n, p);
    Ok(())
}

dashi_core::kernel_op! {
    /// Decode: the packed spectrum `Z = LP + i·RES` of a proxy vector — low band from z,
    /// anchors and seeded random-phase synthesis in the residual — so that one inverse
    /// FFT gives `ω_lp + i·ω_res`.
    pub static PROXY_SPECTRUM: Op<ProxySpectrumParams, ProxySpectrumBuffers> = {
        name: "proxy_spectrum",
        family: &CODEC,
        summary: "per mode m with code c = modes[m] (class c≫28, conj bit 27, index j): low → Z = z[j] + i·z[L+j]; anchor → Z = i·(z[2L+4+j] + i·z[2L+4+K+j]); mid/high → Z = i·s_band·w[m]·e^{2πi·u(seed, j)}, s_mid = √max(z[2L+1] − Σ_a |anchor_a|²/n⁴, 0), s_high = √max(z[2L+2], 0); conj bit → the stored value conjugated before the i·; residual = 0 → only the low band; zero class → 0",
        bindings: &[
            binding(0, "z", Read, R, Product(&["d"])),
            binding(1, "modes", Read, U32, Product(&["n", "n"])),
            binding(2, "weights", Read, R, Product(&["n", "n"])),
            binding(3, "out", ReadWrite, R, C(&["n", "n"])),
        ],
        sizes: &["n", "d"],
        dispatch: PER_MODE,
        domain: proxy_spectrum_domain,
        cpu: proxy_spectrum,
    };
}

fn box_smooth<T: Real>(p: &BoxSmoothParams, io: &mut CpuIo<'_, '_, T>) -> Result<(), String> {
    let (w, h) = (p.width as usize, p.height as usize);
    let x = io.reals(0);
    box_smooth_reference(x, &mut io.reals_mut(1)[..w * h], w, h, p.radius as usize);
    Ok(())
}

const WH: &[&str] = &["width", "height"];

dashi_core::kernel_op! {
    /// Periodic box smoothing ([`dashi_core::carrier::Field::box_smooth`]).
    pub static BOX_SMOOTH: Op<BoxSmoothParams, [BufferId; 2]> = {
        name: "box_smooth",
        family: &CODEC,
        summary: "out[y][x] = mean_{|dx|, |dy| ≤ r} x[(y + dy) mod h][(x + dx) mod w]",
        bindings: &[binding(0, "x", Read, R, Product(WH)), binding(1, "out", ReadWrite, R, Product(WH))],
        sizes: WH,
        dispatch: Dispatch::Grid { x: Product(&["width"]), y: Product(&["height"]), wx: 16, wy: 16 },
        domain: box_smooth_domain,
        cpu: box_smooth,
    };
}

dashi_core::buffer_set! {
    /// The buffers of `threshold_gate`.
    pub struct ThresholdGateBuffers { x, scale, gate_support, gate_sign, support, sign }
}

fn threshold_gate<T: Real>(p: &ThresholdGateParams, io: &mut CpuIo<'_, '_, T>) -> Result<(), String> {
    let len = p.n as usize;
    let words = dashi_core::carrier::words_for(len);
    let x = &io.reals(0)[..len];
    let scale = io.reals(1)[0];
    let gate = (p.gated == 1).then(|| (&io.words(2)[..words], &io.words(3)[..words]));
    let (support, sign) = io.words_pair_mut(4, 5);
    threshold_gate_reference(x, scale, p.tau_rel, gate, &mut support[..words], &mut sign[..words]);
    Ok(())
}

dashi_core::kernel_op! {
    /// Ternary threshold relative to a device-side scale, optionally gated by a carrier
    /// (one level of [`dashi_core::kernel::Fining`]).
    pub static THRESHOLD_GATE: Op<ThresholdGateParams, ThresholdGateBuffers> = {
        name: "threshold_gate",
        family: &CODEC,
        summary: "τ = tau_rel·scale[0]; t = T_τ(x) (all 0 if scale[0] ≤ 0); gated: s = t where gate = t, else 0; ungated: s = t",
        bindings: &[
            binding(0, "x", Read, R, Product(N)),
            binding(1, "scale", Read, R, Fixed(1)),
            binding(2, "gate_support", Read, U32, Words(N)),
            binding(3, "gate_sign", Read, U32, Words(N)),
            binding(4, "support", ReadWrite, U32, Words(N)),
            binding(5, "sign", ReadWrite, U32, Words(N)),
        ],
        sizes: N,
        dispatch: Dispatch::Threads { count: Words(N), workgroup: 64 },
        domain: threshold_gate_domain,
        cpu: threshold_gate,
    };
}

dashi_core::buffer_set! {
    /// The buffers of `fining_select`.
    pub struct FiningSelectBuffers { support_in, sign_in, state, support_out, sign_out }
}

fn fining_select<T: Real>(p: &LenParams, io: &mut CpuIo<'_, '_, T>) -> Result<(), String> {
    let words = dashi_core::carrier::words_for(p.n as usize);
    if io.ints(2)[0] == 0 {
        let (support_in, sign_in) = (&io.words(0)[..words], &io.words(1)[..words]);
        let (support, sign) = io.words_pair_mut(3, 4);
        support[..words].copy_from_slice(support_in);
        sign[..words].copy_from_slice(sign_in);
    }
    Ok(())
}

dashi_core::kernel_op! {
    /// Copies a level's mask into the selected mask while fining has not closed.
    pub static FINING_SELECT: Op<LenParams, FiningSelectBuffers> = {
        name: "fining_select",
        family: &CODEC,
        summary: "if state[0] = 0 (not closed): (support_out, sign_out) = (support_in, sign_in); else unchanged",
        bindings: &[
            binding(0, "support_in", Read, U32, Words(N)),
            binding(1, "sign_in", Read, U32, Words(N)),
            binding(2, "state", Read, I32, Fixed(4)),
            binding(3, "support_out", ReadWrite, U32, Words(N)),
            binding(4, "sign_out", ReadWrite, U32, Words(N)),
        ],
        sizes: N,
        dispatch: Dispatch::Threads { count: Words(N), workgroup: 64 },
        domain: any_len,
        cpu: fining_select,
    };
}

fn fining_closure<T: Real>(p: &FiningClosureParams, io: &mut CpuIo<'_, '_, T>) -> Result<(), String> {
    let counts = io.ints(0);
    fining_closure_reference(counts, io.ints_mut(1), p.level, p.epsilon);
    Ok(())
}

dashi_core::kernel_op! {
    /// The closure rule of [`dashi_core::kernel::Fining`], kept on the device.
    pub static FINING_CLOSURE: Op<FiningClosureParams, [BufferId; 2]> = {
        name: "fining_closure",
        family: &CODEC,
        summary: "a = counts[0]; level 0: state = [0, 0, a, 0]; level ℓ > 0 while state[0] = 0: if |a − state[2]| < epsilon·max(state[2], 1) then state[0] = 1, state[1] = ℓ; state[2] = a, state[3] = ℓ; once closed, unchanged",
        bindings: &[binding(0, "counts", Read, I32, Fixed(4)), binding(1, "state", ReadWrite, I32, Fixed(4))],
        sizes: &[],
        dispatch: Dispatch::Single { workgroup: 64 },
        domain: fining_closure_domain,
        cpu: fining_closure,
    };
}

fn mask_combine<T: Real>(p: &LenParams, io: &mut CpuIo<'_, '_, T>) -> Result<(), String> {
    let n = p.n as usize;
    let (pair, support) = (&io.reals(0)[..2 * n], io.words(1));
    mask_combine_reference(pair, support, io.reals_mut(2), n);
    Ok(())
}

dashi_core::kernel_op! {
    /// `ω = ω_lp + |m|·ω_res` from the unpacked pair `[ω_lp | ω_res]` and the mask's support.
    pub static MASK_COMBINE: Op<LenParams, [BufferId; 3]> = {
        name: "mask_combine",
        family: &CODEC,
        summary: "out[i] = pair[i] + |m(i)|·pair[n + i], |m(i)| = support bit i",
        bindings: &[
            binding(0, "pair", Read, R, C(N)),
            binding(1, "support", Read, U32, Words(N)),
            binding(2, "out", ReadWrite, R, Product(N)),
        ],
        sizes: N,
        dispatch: PER_ELEMENT,
        domain: any_len,
        cpu: mask_combine,
    };
}

/// `proxy_pack`.
fn proxy_pack_reference<T: Real>(spectrum: &[T], slots: &[u32], bands: &[T], anchors: u32, z: &mut [T]) {
    let limit = spectrum.len() as u64;
    for (out, &code) in z.iter_mut().zip(slots) {
        *out = if u64::from(code) < limit {
            spectrum[code as usize]
        } else if code >= codes::HEADER_BASE {
            match code - codes::HEADER_BASE {
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
fn proxy_spectrum_reference<T: Real>(
    z: &[T],
    modes: &[u32],
    weights: &[T],
    out: &mut [T],
    n: usize,
    p: &ProxySpectrumParams,
) {
    let (low, anchors) = (p.low as usize, p.anchors as usize);
    let residual = p.residual == 1;
    let header = 2 * low;
    let scale_mid = (z[header + 1].to_f64() - anchor_energy(z, low, anchors, n)).max(0.0).sqrt();
    let scale_high = z[header + 2].to_f64().max(0.0).sqrt();
    for (m, &code) in modes[..n * n].iter().enumerate() {
        let (class, conj) = (code >> 28, code & codes::CONJ_BIT != 0);
        let j = (code & codes::INDEX_MASK) as usize;
        // (re, im) of the stored value, and whether it belongs to the residual.
        let (value, in_residual) = match class {
            // Indices outside the table's range read as 0 (as the WGSL does): no panic on a
            // malformed mode table.
            codes::CLASS_LOW if j < low => ((z[j].to_f64(), z[low + j].to_f64()), false),
            codes::CLASS_ANCHOR if residual && j < anchors => {
                let base = header + 4;
                ((z[base + j].to_f64(), z[base + anchors + j].to_f64()), true)
            }
            codes::CLASS_MID | codes::CLASS_HIGH if residual => {
                let scale = if class == codes::CLASS_MID { scale_mid } else { scale_high };
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
fn box_smooth_reference<T: Real>(x: &[T], out: &mut [T], width: usize, height: usize, radius: usize) {
    let values: Vec<f64> = x[..width * height].iter().map(|v| v.to_f64()).collect();
    let shape = Shape::d2(height, width).expect("validated grid");
    let field = Field::new(shape, values).expect("finite values of a checked upload");
    let smoothed = field.box_smooth(radius).expect("validated radius");
    for (o, &v) in out.iter_mut().zip(smoothed.values()) {
        *o = T::from_f64(v);
    }
}

/// `threshold_gate`.
fn threshold_gate_reference<T: Real>(
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
fn fining_closure_reference(counts: &[i32], state: &mut [i32], level: u32, epsilon: f32) {
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
fn mask_combine_reference<T: Real>(pair: &[T], support: &[u32], out: &mut [T], n: usize) {
    for (i, o) in out[..n].iter_mut().enumerate() {
        let on = support[i / 32] >> (i % 32) & 1 == 1;
        *o = if on { pair[i] + pair[n + i] } else { pair[i] };
    }
}

#[cfg(test)]
mod tests {
    use super::mode_uniform24;

    #[test]
    fn mode_uniform24_is_24_bit_and_seed_dependent() {
        let draws: Vec<u32> = (0..1000).map(|i| mode_uniform24(7, i)).collect();
        assert!(draws.iter().all(|&v| v < 1 << 24));
        let mean = draws.iter().map(|&v| f64::from(v) / f64::from(1u32 << 24)).sum::<f64>() / 1000.0;
        assert!((mean - 0.5).abs() < 0.05, "mean {mean}");
        assert_ne!(mode_uniform24(7, 3), mode_uniform24(8, 3));
        // The zero start is replaced, never a stuck zero stream.
        assert_ne!(mode_uniform24(0, 0), 0);
    }
}
