// Carrier ops: ternary threshold, majority, annihilation and coherence statistics.
//
// Carrier layout (dashi_core::carrier): two bit-planes of u32 words, bit i % 32 of word
// i / 32 is cell i; support = 1 iff s != 0, sign = 1 iff s = -1. Canonical: sign bits
// only where support, tail bits of the last word zero. Every op here writes canonical
// planes and never writes a word past ceil(cells / 32).
//
// 2D grids are row-major [height][width] (cell i = y * width + x), periodic on both
// axes. An axis of extent 1 is degenerate: only offset 0 along it (a 1 x n grid is a
// ring). Along every other axis the domain check guarantees 2r + 1 <= extent, so the
// closed neighbourhood N[x] = { x + o : |o| <= r } is a set (no cell reached twice).
//
// Helpers take plane words and coordinates as values; only entry points touch globals.

// The trit of bit `bit` of a (support, sign) word pair, as -1, 0 or +1.
fn cell_value(support: u32, sign: u32, bit: u32) -> i32 {
    if ((support >> bit) & 1u) == 0u {
        return 0;
    }
    return select(1, -1, ((sign >> bit) & 1u) == 1u);
}

// The radius along an axis: 0 on a degenerate axis (extent 1), else r.
fn axis_radius(radius: u32, extent: u32) -> u32 {
    return select(radius, 0u, extent == 1u);
}

// |a - b| for u32.
fn abs_diff(a: u32, b: u32) -> u32 {
    return select(b - a, a - b, a >= b);
}

// Whether the offset (ox - rx, oy - ry) lies in the stencil of radius r:
// von Neumann (stencil 0) |dx| + |dy| <= r, Moore (stencil 1) every offset of the box.
fn in_stencil(ox: u32, oy: u32, rx: u32, ry: u32, radius: u32, stencil: u32) -> bool {
    if stencil == 1u {
        return true;
    }
    return abs_diff(ox, rx) + abs_diff(oy, ry) <= radius;
}

// ---------------------------------------------------------------------------------------
// threshold: s[i] = +1 if x[i] >= tau, -1 if x[i] <= -tau, else 0.
// OpSpec: Threads { ceil(n / 32) words, workgroup 64 }; invocation w builds word w of
// both planes from cells 32w .. min(32w + 32, n). Plain f32 comparisons (no arithmetic
// on x), so the result is bit-exact with the CPU reference run in f32.

@group(0) @binding(0) var<storage, read> threshold_x: array<f32>;
@group(0) @binding(1) var<storage, read_write> threshold_support: array<u32>;
@group(0) @binding(2) var<storage, read_write> threshold_sign: array<u32>;
@group(0) @binding(3) var<uniform> threshold_params: ThresholdParams;

@compute @workgroup_size(64)
fn threshold(@builtin(global_invocation_id) gid: vec3<u32>) {
    let n = threshold_params.n;
    let tau = threshold_params.tau;
    let w = gid.x;
    if w >= word_count(n) {
        return;
    }
    let base = w * 32u;
    let count = min(n - base, 32u);
    var support = 0u;
    var sign = 0u;
    for (var b = 0u; b < count; b++) {
        let x = threshold_x[base + b];
        let bit = 1u << b;
        if x >= tau {
            support |= bit;
        } else if x <= -tau {
            support |= bit;
            sign |= bit;
        }
    }
    threshold_support[w] = support;
    threshold_sign[w] = sign;
}

// ---------------------------------------------------------------------------------------
// majority: s'(x) = s(x) if s(x) * sum_{y in N[x]} s(y) >= eta, else 0 (unsupported
// cells stay 0). OpSpec: Threads { ceil(width * height / 32) words, workgroup 64 };
// invocation w computes output word w. The vote s·Σ is compared with eta without
// narrowing eta (as the CPU reference's i64 comparison): only a positive vote can
// reach eta ≥ 1, and |Σ| ≤ |N[x]| fits u32.

@group(0) @binding(0) var<storage, read> majority_support_in: array<u32>;
@group(0) @binding(1) var<storage, read> majority_sign_in: array<u32>;
@group(0) @binding(2) var<storage, read_write> majority_support_out: array<u32>;
@group(0) @binding(3) var<storage, read_write> majority_sign_out: array<u32>;
@group(0) @binding(4) var<uniform> majority_params: StencilParams;

@compute @workgroup_size(64)
fn majority(@builtin(global_invocation_id) gid: vec3<u32>) {
    let p = majority_params;
    let cells = p.width * p.height;
    let w = gid.x;
    if w >= word_count(cells) {
        return;
    }
    let support = majority_support_in[w];
    let sign = majority_sign_in[w];
    let base = w * 32u;
    let count = min(cells - base, 32u);
    let rx = axis_radius(p.radius, p.width);
    let ry = axis_radius(p.radius, p.height);
    let eta = p.eta;
    var keep = 0u;
    for (var b = 0u; b < count; b++) {
        let s = cell_value(support, sign, b);
        if s == 0 {
            continue;
        }
        let i = base + b;
        let x = i % p.width;
        let y = i / p.width;
        var sum = 0;
        for (var oy = 0u; oy <= 2u * ry; oy++) {
            let row = wrap_coord(y, oy, ry, p.height) * p.width;
            for (var ox = 0u; ox <= 2u * rx; ox++) {
                if !in_stencil(ox, oy, rx, ry, p.radius, p.stencil) {
                    continue;
                }
                let j = row + wrap_coord(x, ox, rx, p.width);
                sum += cell_value(majority_support_in[j / 32u], majority_sign_in[j / 32u], j % 32u);
            }
        }
        let vote = s * sum;
        if vote > 0 && u32(vote) >= eta {
            keep |= 1u << b;
        }
    }
    majority_support_out[w] = keep;
    majority_sign_out[w] = sign & keep;
}

// ---------------------------------------------------------------------------------------
// annihilate: s'(x) = 0 if some y in N[x] has s(y) = -s(x) != 0, else s(x).
// OpSpec: Threads { ceil(width * height / 32) words, workgroup 64 }; invocation w
// computes output word w. (eta is not used.)

@group(0) @binding(0) var<storage, read> annihilate_support_in: array<u32>;
@group(0) @binding(1) var<storage, read> annihilate_sign_in: array<u32>;
@group(0) @binding(2) var<storage, read_write> annihilate_support_out: array<u32>;
@group(0) @binding(3) var<storage, read_write> annihilate_sign_out: array<u32>;
@group(0) @binding(4) var<uniform> annihilate_params: StencilParams;

@compute @workgroup_size(64)
fn annihilate(@builtin(global_invocation_id) gid: vec3<u32>) {
    let p = annihilate_params;
    let cells = p.width * p.height;
    let w = gid.x;
    if w >= word_count(cells) {
        return;
    }
    let support = annihilate_support_in[w];
    let sign = annihilate_sign_in[w];
    let base = w * 32u;
    let count = min(cells - base, 32u);
    let rx = axis_radius(p.radius, p.width);
    let ry = axis_radius(p.radius, p.height);
    var keep = 0u;
    for (var b = 0u; b < count; b++) {
        let s = cell_value(support, sign, b);
        if s == 0 {
            continue;
        }
        let i = base + b;
        let x = i % p.width;
        let y = i / p.width;
        var opposite = false;
        for (var oy = 0u; oy <= 2u * ry && !opposite; oy++) {
            let row = wrap_coord(y, oy, ry, p.height) * p.width;
            for (var ox = 0u; ox <= 2u * rx && !opposite; ox++) {
                if !in_stencil(ox, oy, rx, ry, p.radius, p.stencil) {
                    continue;
                }
                let j = row + wrap_coord(x, ox, rx, p.width);
                let t = cell_value(annihilate_support_in[j / 32u], annihilate_sign_in[j / 32u], j % 32u);
                opposite = s * t < 0;
            }
        }
        if !opposite {
            keep |= 1u << b;
        }
    }
    annihilate_support_out[w] = keep;
    annihilate_sign_out[w] = sign & keep;
}

// ---------------------------------------------------------------------------------------
// coherence_stats: counts = [|supp s|, sum s, I(s), 0], energy[0] = 0.5 * mean over
// supp s of field^2 (0 on an empty support). I(s) counts the edges (x, x + e_a), one per
// cell and non-degenerate axis a (extent > 1), periodic, with s(x) s(x + e_a) = -1; on
// an axis of extent 2 both edges between the same two cells count.
// OpSpec: Single { workgroup 256 }: the invocations stride over plane words, then reduce
// their partial sums in workgroup memory. Counts are exact (u32 partials); the energy
// is an f32 sum of per-invocation partials (ascending cells within an invocation, then a
// pairwise tree), divided once by the count.

var<workgroup> coherence_active: array<u32, 256>;
var<workgroup> coherence_negative: array<u32, 256>;
var<workgroup> coherence_interface: array<u32, 256>;
var<workgroup> coherence_energy: array<f32, 256>;

@group(0) @binding(0) var<storage, read> coherence_stats_support: array<u32>;
@group(0) @binding(1) var<storage, read> coherence_stats_sign: array<u32>;
@group(0) @binding(2) var<storage, read> coherence_stats_field: array<f32>;
@group(0) @binding(3) var<storage, read_write> coherence_stats_counts: array<i32>;
@group(0) @binding(4) var<storage, read_write> coherence_stats_energy: array<f32>;
@group(0) @binding(5) var<uniform> coherence_stats_params: StencilParams;

@compute @workgroup_size(256)
fn coherence_stats(@builtin(local_invocation_index) t: u32) {
    let p = coherence_stats_params;
    let cells = p.width * p.height;
    let words = word_count(cells);
    var supported = 0u;
    var negative = 0u;
    var edges = 0u;
    var energy = 0.0f;
    for (var w = t; w < words; w += 256u) {
        let base = w * 32u;
        let count = min(cells - base, 32u);
        let valid = select((1u << count) - 1u, 0xffffffffu, count == 32u);
        let support = coherence_stats_support[w] & valid;
        let sign = coherence_stats_sign[w] & support;
        supported += countOneBits(support);
        negative += countOneBits(sign);
        var rest = support;
        while rest != 0u {
            let b = countTrailingZeros(rest);
            rest &= rest - 1u;
            let i = base + b;
            let f = coherence_stats_field[i];
            energy += f * f;
            let s = cell_value(support, sign, b);
            let x = i % p.width;
            let y = i / p.width;
            if p.width > 1u {
                let j = y * p.width + select(x + 1u, 0u, x + 1u == p.width);
                let v = cell_value(coherence_stats_support[j / 32u], coherence_stats_sign[j / 32u], j % 32u);
                edges += select(0u, 1u, s * v == -1);
            }
            if p.height > 1u {
                let j = select(y + 1u, 0u, y + 1u == p.height) * p.width + x;
                let v = cell_value(coherence_stats_support[j / 32u], coherence_stats_sign[j / 32u], j % 32u);
                edges += select(0u, 1u, s * v == -1);
            }
        }
    }
    coherence_active[t] = supported;
    coherence_negative[t] = negative;
    coherence_interface[t] = edges;
    coherence_energy[t] = energy;
    workgroupBarrier();
    for (var stride = 128u; stride > 0u; stride >>= 1u) {
        if t < stride {
            coherence_active[t] += coherence_active[t + stride];
            coherence_negative[t] += coherence_negative[t + stride];
            coherence_interface[t] += coherence_interface[t + stride];
            coherence_energy[t] += coherence_energy[t + stride];
        }
        workgroupBarrier();
    }
    if t == 0u {
        let total = coherence_active[0];
        coherence_stats_counts[0] = i32(total);
        coherence_stats_counts[1] = i32(total) - 2 * i32(coherence_negative[0]);
        coherence_stats_counts[2] = i32(coherence_interface[0]);
        coherence_stats_counts[3] = 0;
        var e = 0.0f;
        if total > 0u {
            e = 0.5 * (coherence_energy[0] / f32(total));
        }
        coherence_stats_energy[0] = e;
    }
}
