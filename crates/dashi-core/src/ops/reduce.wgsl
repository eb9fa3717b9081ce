// Reductions over x[0..n) into out[0]. Dispatch Single{256} (OpSpec): exactly one
// workgroup of 256 invocations. Invocation `lid` visits x[lid], x[lid + 256], … (reads
// coalesced across the workgroup), keeps a private partial, and the 256 partials are
// combined by a tree reduction in workgroup memory (8 levels); invocation 0 writes out.
//
// Sums: f32 accumulation. The private partial is itself two-level: up to BLOCK strided
// terms go into a block sum, which is then added to the running total. Every term
// passes through at most
//     h(n) = min(T, BLOCK) + ⌈T / BLOCK⌉ + 8      additions,  T = ⌈n / 256⌉,
// so |gpu − exact| ≤ h(n)·u·Σ|x| / (1 − h(n)·u) with u = 2⁻²⁴ (the standard bound for a
// summation tree of height h). For n = 2²⁰, h = 136 instead of 4104 for a plain
// strided sum. The CPU reference sums in f64 and rounds once; the parity tests use
// this bound.
//
// max_abs and argmax are exact (comparisons only). NaN is recognised from the bit
// pattern, not by `v != v`, because WGSL lets implementations assume NaN is absent
// from floating-point arithmetic; integer tests cannot be folded away.
//   max_abs: NaN is ignored (like the reference: a NaN never compares greater); an
//            all-NaN input gives 0.
//   argmax:  lowest index among the maximal values; NaN ranks after every number and
//            NaNs among themselves by index, so an all-NaN input gives 0.

const WG: u32 = 256u;
const BLOCK: u32 = 64u;

var<workgroup> reduce_partial: array<f32, 256>;
var<workgroup> reduce_partial_index: array<u32, 256>;

// Blocked summation: terms are added into a block of at most BLOCK terms, blocks into
// a running total, which bounds the additions any term goes through (see the tests).
struct BlockedSum { total: f32, block: f32, count: u32 }

fn blocked_add(s: BlockedSum, v: f32) -> BlockedSum {
    var r = s;
    r.block += v;
    r.count += 1u;
    if r.count == BLOCK {
        r.total += r.block;
        r.block = 0.0;
        r.count = 0u;
    }
    return r;
}

// Sums reduce_partial[0..WG) by a fixed-order tree; every invocation must call it
// (it contains barriers) and all get the total.
fn tree_sum(lid: u32) -> f32 {
    workgroupBarrier();
    for (var stride = WG / 2u; stride > 0u; stride >>= 1u) {
        if lid < stride {
            reduce_partial[lid] += reduce_partial[lid + stride];
        }
        workgroupBarrier();
    }
    return reduce_partial[0];
}

// reduce_sum: out[0] = Σ x[i]
@group(0) @binding(0) var<storage, read> reduce_sum_x: array<f32>;
@group(0) @binding(1) var<storage, read_write> reduce_sum_out: array<f32>;
@group(0) @binding(2) var<uniform> reduce_sum_params: LenParams;

@compute @workgroup_size(256)
fn reduce_sum(@builtin(local_invocation_index) lid: u32) {
    let n = reduce_sum_params.n;
    var acc = BlockedSum(0.0, 0.0, 0u);
    for (var i = lid; i < n; i += WG) {
        acc = blocked_add(acc, reduce_sum_x[i]);
    }
    reduce_partial[lid] = acc.total + acc.block;
    let total = tree_sum(lid);
    if lid == 0u {
        reduce_sum_out[0] = total;
    }
}

// reduce_sum_sq: out[0] = Σ x[i]²
@group(0) @binding(0) var<storage, read> reduce_sum_sq_x: array<f32>;
@group(0) @binding(1) var<storage, read_write> reduce_sum_sq_out: array<f32>;
@group(0) @binding(2) var<uniform> reduce_sum_sq_params: LenParams;

@compute @workgroup_size(256)
fn reduce_sum_sq(@builtin(local_invocation_index) lid: u32) {
    let n = reduce_sum_sq_params.n;
    var acc = BlockedSum(0.0, 0.0, 0u);
    for (var i = lid; i < n; i += WG) {
        let v = reduce_sum_sq_x[i];
        acc = blocked_add(acc, v * v);
    }
    reduce_partial[lid] = acc.total + acc.block;
    let total = tree_sum(lid);
    if lid == 0u {
        reduce_sum_sq_out[0] = total;
    }
}

// reduce_max_abs: out[0] = max |x[i]| (NaN ignored; 0 if every value is NaN)
@group(0) @binding(0) var<storage, read> reduce_max_abs_x: array<f32>;
@group(0) @binding(1) var<storage, read_write> reduce_max_abs_out: array<f32>;
@group(0) @binding(2) var<uniform> reduce_max_abs_params: LenParams;

@compute @workgroup_size(256)
fn reduce_max_abs(@builtin(local_invocation_index) lid: u32) {
    let n = reduce_max_abs_params.n;
    // A comparison, not max(): max() with a NaN operand is implementation-defined.
    var m = 0.0;
    for (var i = lid; i < n; i += WG) {
        let a = abs(reduce_max_abs_x[i]);
        if !is_nan(a) && a > m {
            m = a;
        }
    }
    reduce_partial[lid] = m;
    workgroupBarrier();
    for (var stride = WG / 2u; stride > 0u; stride >>= 1u) {
        if lid < stride {
            let other = reduce_partial[lid + stride];
            if other > reduce_partial[lid] {
                reduce_partial[lid] = other;
            }
        }
        workgroupBarrier();
    }
    if lid == 0u {
        reduce_max_abs_out[0] = reduce_partial[0];
    }
}

// argmax: out[0] = min{ i : x[i] = max_j x[j] } (NaN never wins; all NaN → 0)
@group(0) @binding(0) var<storage, read> argmax_x: array<f32>;
@group(0) @binding(1) var<storage, read_write> argmax_out: array<u32>;
@group(0) @binding(2) var<uniform> argmax_params: LenParams;

@compute @workgroup_size(256)
fn argmax(@builtin(local_invocation_index) lid: u32) {
    let n = argmax_params.n;
    var best = 0.0;
    var best_index = NONE;
    for (var i = lid; i < n; i += WG) {
        let v = argmax_x[i];
        if ranks_before(v, i, best, best_index) {
            best = v;
            best_index = i;
        }
    }
    reduce_partial[lid] = best;
    reduce_partial_index[lid] = best_index;
    workgroupBarrier();
    for (var stride = WG / 2u; stride > 0u; stride >>= 1u) {
        if lid < stride {
            let v = reduce_partial[lid + stride];
            let i = reduce_partial_index[lid + stride];
            if ranks_before(v, i, reduce_partial[lid], reduce_partial_index[lid]) {
                reduce_partial[lid] = v;
                reduce_partial_index[lid] = i;
            }
        }
        workgroupBarrier();
    }
    if lid == 0u {
        argmax_out[0] = reduce_partial_index[0];
    }
}
