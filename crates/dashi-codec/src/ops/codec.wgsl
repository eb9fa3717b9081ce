// The codec family: the per-frame steps of the v4 proxy codec (docs/DESIGN.md §6) that run on
// the device. CPU kernels in dashi_codec::ops (proxy.rs); the mode and slot codes
// (HEADER_BASE, CLASS_*, CONJ_BIT, INDEX_MASK) are declared from dashi_codec::codes. Full-layout n×n spectra are
// interleaved (re, im) f32, row-major [ky][kx]; carriers are support/sign u32 words
// (bit i % 32 of word i / 32 is cell i, tail bits of the last word zero); real fields
// are row-major [iy][ix].
//
// proxy_pack:      z[e] = spectrum[slot_e] or a header value (0, E_mid, E_high, K)
// proxy_spectrum:  Z[m] = LP[m] + i·RES[m]; RES from the anchors and seeded synthesis
// box_smooth:      periodic (2r+1)×(2r+1) mean
// threshold_gate:  T_{τ_rel·scale}(x), optionally gated by the previous level's mask
// fining_select / fining_closure: the closure rule of kernel::Fining, on the device
// mask_combine:    ω = ω_lp + |m|·ω_res
//
// Helpers take values; only entry points touch globals.

// ---------------------------------------------------------------------------------------
// Seeded phases: dashi_codec::ops::mode_uniform24, the same u32 integers (WGSL u32
// arithmetic wraps like Rust's wrapping_mul).

fn xorshift32(x0: u32) -> u32 {
    var x = x0;
    x ^= x << 13u;
    x ^= x >> 17u;
    x ^= x << 5u;
    return x;
}

fn mode_uniform24(seed: u32, index: u32) -> u32 {
    var x = seed ^ (index * 0x9E3779B9u);
    x ^= x >> 16u;
    if x == 0u {
        x = 0x6D2B79F5u;
    }
    for (var step = 0u; step < 4u; step++) {
        x = xorshift32(x);
    }
    return x >> 8u;
}

// (cos φ, sin φ) for φ = 2π·k/2²⁴, k < 2²⁴. The quarter turn q = round(k/2²²) and the
// remainder r = k − q·2²² ∈ [−2²¹, 2²¹) are exact integers, so θ = r·(π/2)/2²² ∈
// [−π/4, π/4) carries only one rounding (≤ 1.5 ulp with the rounded constant); cos θ and
// sin θ are Taylor polynomials (truncation < 2e-9 on that interval) evaluated in f32,
// then rotated by q quarter turns exactly. This does not depend on the device's
// sin/cos, whose WGSL accuracy bound (2⁻¹¹ absolute) would be far too loose.
fn unit_phasor(k: u32) -> vec2<f32> {
    let q = (k + 0x200000u) >> 22u;
    let r = i32(k) - i32(q << 22u);
    // (π/2)/2²² = π/2²³, an exact power-of-two scaling of π/2 in f32.
    let theta = f32(r) * 3.745070387e-7;
    let s = theta * theta;
    let sin_t = theta + theta * s * (-1.66666672e-1 + s * (8.33333377e-3 + s * (-1.98412701e-4 + s * 2.75573188e-6)));
    let cos_t = 1.0 + s * (-0.5 + s * (4.16666679e-2 + s * (-1.38888892e-3 + s * (2.48015876e-5 - s * 2.75573200e-7))));
    switch q & 3u {
        case 0u: {
            return vec2<f32>(cos_t, sin_t);
        }
        case 1u: {
            return vec2<f32>(-sin_t, cos_t);
        }
        case 2u: {
            return vec2<f32>(-cos_t, -sin_t);
        }
        default: {
            return vec2<f32>(sin_t, -cos_t);
        }
    }
}

// ---------------------------------------------------------------------------------------
// proxy_pack: z[e] = spectrum[slots[e]] for slots[e] < 2n²; header codes HEADER_BASE + j
// write 0 (j = 0), bands[1] (j = 1), bands[2] (j = 2), f32(anchors) (j = 3); every other
// code writes 0. OpSpec: Threads { d, workgroup 64 }. A copy: bit-exact.

@group(0) @binding(0) var<storage, read> proxy_pack_spectrum: array<f32>;
@group(0) @binding(1) var<storage, read> proxy_pack_slots: array<u32>;
@group(0) @binding(2) var<storage, read> proxy_pack_bands: array<f32>;
@group(0) @binding(3) var<storage, read_write> proxy_pack_z: array<f32>;
@group(0) @binding(4) var<uniform> proxy_pack_params: ProxyPackParams;

@compute @workgroup_size(64)
fn proxy_pack(@builtin(global_invocation_id) gid: vec3<u32>) {
    let p = proxy_pack_params;
    let e = gid.x;
    if e >= p.d {
        return;
    }
    let code = proxy_pack_slots[e];
    var value = 0.0f;
    if code < 2u * p.n * p.n {
        value = proxy_pack_spectrum[code];
    } else if code >= HEADER_BASE {
        switch code - HEADER_BASE {
            case 1u: {
                value = proxy_pack_bands[1];
            }
            case 2u: {
                value = proxy_pack_bands[2];
            }
            case 3u: {
                value = f32(p.anchors);
            }
            default: {}
        }
    }
    proxy_pack_z[e] = value;
}

// ---------------------------------------------------------------------------------------
// proxy_spectrum: the packed spectrum Z = LP + i·RES of a proxy vector
// z = [low_re (L), low_im (L), header (0, E_mid, E_high, K), anchor_re (K), anchor_im (K)].
// Per mode m with code c = modes[m] (class c >> 28, conj bit 27, index j):
//   low:      value = z[j] + i·z[L + j]                              (in LP)
//   anchor:   value = z[2L+4+j] + i·z[2L+4+K+j]                     (in RES, residual = 1)
//   mid/high: value = s_band·w[m]·e^{2πi·u(seed, j)}                 (in RES, residual = 1)
//   else 0; the conj bit conjugates the value; a RES value v is written as i·v.
// s_mid = sqrt(max(E_mid − Σ_a |anchor_a|²/n⁴, 0)), s_high = sqrt(max(E_high, 0)).
// OpSpec: Grid { n × n, 64×4 }; invocation (x, y) = mode (kx index, ky index).
// The anchor energy is reduced once per workgroup (256 invocations stride over the
// anchors, then a pairwise tree in workgroup memory), each term as (re/n²)² + (im/n²)²
// (1/n² is an exact power of two). Indices out of the proxy (a malformed mode table)
// read as 0 instead of out of range.

var<workgroup> proxy_anchor_energy: array<f32, 256>;

@group(0) @binding(0) var<storage, read> proxy_spectrum_z: array<f32>;
@group(0) @binding(1) var<storage, read> proxy_spectrum_modes: array<u32>;
@group(0) @binding(2) var<storage, read> proxy_spectrum_weights: array<f32>;
@group(0) @binding(3) var<storage, read_write> proxy_spectrum_out: array<f32>;
@group(0) @binding(4) var<uniform> proxy_spectrum_params: ProxySpectrumParams;

@compute @workgroup_size(64, 4)
fn proxy_spectrum(
    @builtin(global_invocation_id) gid: vec3<u32>,
    @builtin(local_invocation_index) t: u32,
) {
    let p = proxy_spectrum_params;
    let n = p.n;
    let low = p.low;
    let k = p.anchors;
    let header = 2u * low;
    let base = header + 4u;
    let residual = p.residual == 1u;
    // Anchor energy Σ_a |anchor_a|²/n⁴ (all invocations reach the barriers).
    let inv_n2 = 1.0 / f32(n * n);
    var partial = 0.0f;
    if residual {
        for (var a = t; a < k; a += 256u) {
            let re = proxy_spectrum_z[base + a] * inv_n2;
            let im = proxy_spectrum_z[base + k + a] * inv_n2;
            partial += re * re + im * im;
        }
    }
    proxy_anchor_energy[t] = partial;
    workgroupBarrier();
    for (var stride = 128u; stride > 0u; stride >>= 1u) {
        if t < stride {
            proxy_anchor_energy[t] += proxy_anchor_energy[t + stride];
        }
        workgroupBarrier();
    }
    let anchor_energy = proxy_anchor_energy[0];

    let ix = gid.x;
    let iy = gid.y;
    if ix >= n || iy >= n {
        return;
    }
    let m = iy * n + ix;
    let code = proxy_spectrum_modes[m];
    let kind = code >> 28u;
    let j = code & INDEX_MASK;
    var value = vec2<f32>(0.0, 0.0);
    var in_residual = false;
    if kind == CLASS_LOW {
        if j < low {
            value = vec2<f32>(proxy_spectrum_z[j], proxy_spectrum_z[low + j]);
        }
    } else if residual && kind == CLASS_ANCHOR {
        in_residual = true;
        if j < k {
            value = vec2<f32>(proxy_spectrum_z[base + j], proxy_spectrum_z[base + k + j]);
        }
    } else if residual && (kind == CLASS_MID || kind == CLASS_HIGH) {
        in_residual = true;
        var scale = sqrt(max(proxy_spectrum_z[header + 2u], 0.0));
        if kind == CLASS_MID {
            scale = sqrt(max(proxy_spectrum_z[header + 1u] - anchor_energy, 0.0));
        }
        let amplitude = scale * proxy_spectrum_weights[m];
        value = amplitude * unit_phasor(mode_uniform24(p.seed, j));
    }
    if (code & CONJ_BIT) != 0u {
        value.y = -value.y;
    }
    // Residual values travel as i·v: Re Z carries LP, Im Z carries RES.
    if in_residual {
        value = vec2<f32>(-value.y, value.x);
    }
    proxy_spectrum_out[2u * m] = value.x;
    proxy_spectrum_out[2u * m + 1u] = value.y;
}

// ---------------------------------------------------------------------------------------
// box_smooth: out[y][x] = mean over |dx|, |dy| ≤ r of x[(y + dy) mod h][(x + dx) mod w].
// OpSpec: Grid { width × height, 16×16 }. Direct (2r+1)² sum in the reference's order of
// normalisation: each row's sum times 1/(2r+1), their sum times 1/(2r+1) again (the CPU
// reference is separable, in f64; the difference is rounding). The domain guarantees
// 2r + 1 ≤ min(width, height), so no cell is counted twice.

@group(0) @binding(0) var<storage, read> box_smooth_x: array<f32>;
@group(0) @binding(1) var<storage, read_write> box_smooth_out: array<f32>;
@group(0) @binding(2) var<uniform> box_smooth_params: BoxSmoothParams;

@compute @workgroup_size(16, 16)
fn box_smooth(@builtin(global_invocation_id) gid: vec3<u32>) {
    let p = box_smooth_params;
    let x = gid.x;
    let y = gid.y;
    if x >= p.width || y >= p.height {
        return;
    }
    let r = p.radius;
    let norm = 1.0 / f32(2u * r + 1u);
    var sum = 0.0f;
    for (var oy = 0u; oy <= 2u * r; oy++) {
        let row = wrap_coord(y, oy, r, p.height) * p.width;
        var row_sum = 0.0f;
        for (var ox = 0u; ox <= 2u * r; ox++) {
            row_sum += box_smooth_x[row + wrap_coord(x, ox, r, p.width)];
        }
        sum += row_sum * norm;
    }
    box_smooth_out[y * p.width + x] = sum * norm;
}

// ---------------------------------------------------------------------------------------
// threshold_gate: τ = tau_rel·scale[0] (f32); s = +1 if x ≥ τ, −1 if x ≤ −τ, else 0;
// all 0 unless scale[0] > 0. Gated: a cell is kept iff the gate carrier holds the same
// non-zero trit. OpSpec: Threads { ceil(n / 32) words, workgroup 64 }; invocation w
// writes word w of both planes from cells 32w .. min(32w + 32, n) (tail bits zero).
// Plain f32 comparisons against the same f32 τ: bit-exact with the CPU run in f32.

@group(0) @binding(0) var<storage, read> threshold_gate_x: array<f32>;
@group(0) @binding(1) var<storage, read> threshold_gate_scale: array<f32>;
@group(0) @binding(2) var<storage, read> threshold_gate_gate_support: array<u32>;
@group(0) @binding(3) var<storage, read> threshold_gate_gate_sign: array<u32>;
@group(0) @binding(4) var<storage, read_write> threshold_gate_support: array<u32>;
@group(0) @binding(5) var<storage, read_write> threshold_gate_sign: array<u32>;
@group(0) @binding(6) var<uniform> threshold_gate_params: ThresholdGateParams;

@compute @workgroup_size(64)
fn threshold_gate(@builtin(global_invocation_id) gid: vec3<u32>) {
    let p = threshold_gate_params;
    let w = gid.x;
    if w >= word_count(p.n) {
        return;
    }
    let scale = threshold_gate_scale[0];
    var support = 0u;
    var sign = 0u;
    if scale > 0.0 {
        let tau = p.tau_rel * scale;
        let base = w * 32u;
        let count = min(p.n - base, 32u);
        for (var b = 0u; b < count; b++) {
            let x = threshold_gate_x[base + b];
            let bit = 1u << b;
            if x >= tau {
                support |= bit;
            } else if x <= -tau {
                support |= bit;
                sign |= bit;
            }
        }
        if p.gated == 1u {
            let keep = support & threshold_gate_gate_support[w] & ~(sign ^ threshold_gate_gate_sign[w]);
            support = keep;
            sign &= keep;
        }
    }
    threshold_gate_support[w] = support;
    threshold_gate_sign[w] = sign;
}

// ---------------------------------------------------------------------------------------
// fining_select: while fining is open (state[0] = 0) copy the level's mask into the
// selected mask; once closed, leave it. OpSpec: Threads { ceil(n / 32) words, workgroup 64 }.

@group(0) @binding(0) var<storage, read> fining_select_support_in: array<u32>;
@group(0) @binding(1) var<storage, read> fining_select_sign_in: array<u32>;
@group(0) @binding(2) var<storage, read> fining_select_state: array<i32>;
@group(0) @binding(3) var<storage, read_write> fining_select_support_out: array<u32>;
@group(0) @binding(4) var<storage, read_write> fining_select_sign_out: array<u32>;
@group(0) @binding(5) var<uniform> fining_select_params: LenParams;

@compute @workgroup_size(64)
fn fining_select(@builtin(global_invocation_id) gid: vec3<u32>) {
    let w = gid.x;
    if w >= word_count(fining_select_params.n) || fining_select_state[0] != 0 {
        return;
    }
    fining_select_support_out[w] = fining_select_support_in[w];
    fining_select_sign_out[w] = fining_select_sign_in[w];
}

// ---------------------------------------------------------------------------------------
// fining_closure: state = [closed, closure level, previous count, last level], a =
// counts[0]. Level 0 resets to [0, 0, a, 0]; a level ℓ > 0 while open closes at ℓ iff
// |a − prev| < epsilon·max(prev, 1); it then records a and ℓ. Once closed, unchanged.
// OpSpec: Single { workgroup 64 }; invocation 0 alone acts.
//
// The comparison is exact, in integers: with epsilon = M·2^E (M, E from its f32 bits),
// |a − prev| < M·P·2^E (P = max(prev, 1)) with the 55-bit product M·P in two u32 words.
// The f64 CPU reference is exact too while P < 2²⁹ (a 24-bit M times a 29-bit P), far
// beyond any cell count; an f32 comparison would round epsilon·P and disagree whenever
// the product lies within half an ulp of an integer (e.g. epsilon = 0.05, P = 200).

// a·b as (lo, hi) words.
fn mul_wide(a: u32, b: u32) -> vec2<u32> {
    let a0 = a & 0xFFFFu;
    let a1 = a >> 16u;
    let b0 = b & 0xFFFFu;
    let b1 = b >> 16u;
    let p00 = a0 * b0;
    let p01 = a0 * b1;
    let p10 = a1 * b0;
    let p11 = a1 * b1;
    let mid = (p00 >> 16u) + (p01 & 0xFFFFu) + (p10 & 0xFFFFu);
    let lo = (p00 & 0xFFFFu) | (mid << 16u);
    let hi = p11 + (p01 >> 16u) + (p10 >> 16u) + (mid >> 16u);
    return vec2<u32>(lo, hi);
}

// Whether change < epsilon·p exactly (epsilon finite and ≥ 0, p ≥ 1).
fn closes(change: u32, p: u32, epsilon: f32) -> bool {
    let bits = bitcast<u32>(epsilon) & 0x7FFFFFFFu;
    let biased = bits >> 23u;
    var mantissa = bits & 0x7FFFFFu;
    var exponent = -149; // epsilon = mantissa·2^exponent
    if biased != 0u {
        mantissa |= 0x800000u;
        exponent = i32(biased) - 150;
    }
    let x = mul_wide(mantissa, p); // < 2⁵⁵
    if exponent >= 0 {
        // x·2^exponent ≥ 2²³ (x ≠ 0 for a normal epsilon); ≥ 2³² > change once exponent ≥ 9.
        if exponent >= 9 {
            return true;
        }
        let e = u32(exponent);
        var hi = x.y;
        var lo = x.x;
        if e > 0u {
            hi = (hi << e) | (lo >> (32u - e));
            lo = lo << e;
        }
        return hi > 0u || change < lo;
    }
    // change < x/2^s ⇔ change < q or (change = q and the remainder is non-zero).
    let s = u32(-exponent);
    var q_lo = 0u;
    var q_hi = 0u;
    var rest = false;
    if s >= 64u {
        rest = x.x != 0u || x.y != 0u;
    } else if s >= 32u {
        let t = s - 32u;
        q_lo = x.y >> t;
        rest = x.x != 0u || (x.y & ((1u << t) - 1u)) != 0u;
    } else {
        q_lo = (x.x >> s) | (x.y << (32u - s));
        q_hi = x.y >> s;
        rest = (x.x & ((1u << s) - 1u)) != 0u;
    }
    return q_hi > 0u || change < q_lo || (change == q_lo && rest);
}

@group(0) @binding(0) var<storage, read> fining_closure_counts: array<i32>;
@group(0) @binding(1) var<storage, read_write> fining_closure_state: array<i32>;
@group(0) @binding(2) var<uniform> fining_closure_params: FiningClosureParams;

@compute @workgroup_size(64)
fn fining_closure(@builtin(local_invocation_index) t: u32) {
    if t != 0u {
        return;
    }
    let level = fining_closure_params.level;
    let count = fining_closure_counts[0];
    if level == 0u {
        fining_closure_state[0] = 0;
        fining_closure_state[1] = 0;
        fining_closure_state[2] = count;
        fining_closure_state[3] = 0;
        return;
    }
    if fining_closure_state[0] != 0 {
        return;
    }
    let previous = fining_closure_state[2];
    // |count − previous| exactly, as u32 (wrapping subtraction of the larger minus the smaller).
    let ua = bitcast<u32>(count);
    let up = bitcast<u32>(previous);
    let change = select(up - ua, ua - up, count >= previous);
    if closes(change, u32(max(previous, 1)), fining_closure_params.epsilon) {
        fining_closure_state[0] = 1;
        fining_closure_state[1] = i32(level);
    }
    fining_closure_state[2] = count;
    fining_closure_state[3] = i32(level);
}

// ---------------------------------------------------------------------------------------
// mask_combine: out[i] = pair[i] + pair[n + i] where support bit i is set, else pair[i].
// OpSpec: Threads { n, workgroup 256 }. One f32 addition: bit-exact with the CPU in f32.

@group(0) @binding(0) var<storage, read> mask_combine_pair: array<f32>;
@group(0) @binding(1) var<storage, read> mask_combine_support: array<u32>;
@group(0) @binding(2) var<storage, read_write> mask_combine_out: array<f32>;
@group(0) @binding(3) var<uniform> mask_combine_params: LenParams;

@compute @workgroup_size(256)
fn mask_combine(@builtin(global_invocation_id) gid: vec3<u32>) {
    let n = mask_combine_params.n;
    let i = gid.x;
    if i >= n {
        return;
    }
    var value = mask_combine_pair[i];
    if ((mask_combine_support[i / 32u] >> (i % 32u)) & 1u) == 1u {
        value += mask_combine_pair[n + i];
    }
    mask_combine_out[i] = value;
}
