// Selection. top_k: Threads{n, 256} (OpSpec): one invocation per candidate.
//
// Exact selection by rank counting, no sort: invocation i computes
//     rank(i) = #{ j : x[j] ranks before x[i] }
// where "ranks before" is the reference order — larger value first, ties by lower
// index, NaN after every number and NaNs among themselves by index — and writes
// out[rank(i)] = i when rank(i) < k. The order is total and strict, so the ranks of
// x[0..n) are a permutation of 0..n: every out[0..k) is written exactly once, out[k..]
// is untouched. O(n²) comparisons (O(n) per invocation); an invocation stops as soon
// as its rank reaches k (ranks only grow), so small k is cheaper.
//
// NaN is recognised from the bit pattern (WGSL lets implementations assume float
// arithmetic has no NaN, so `v != v` may be folded away; integer tests cannot).

// top_k: out[0..k) = indices of the k largest x, by (x desc, index asc)
@group(0) @binding(0) var<storage, read> top_k_x: array<f32>;
@group(0) @binding(1) var<storage, read_write> top_k_out: array<u32>;
@group(0) @binding(2) var<uniform> top_k_params: TopKParams;

@compute @workgroup_size(256)
fn top_k(@builtin(global_invocation_id) gid: vec3<u32>) {
    let i = gid.x;
    let n = top_k_params.n;
    let k = top_k_params.k;
    if i >= n {
        return;
    }
    let xi = top_k_x[i];
    var rank = 0u;
    for (var j = 0u; j < n; j++) {
        if ranks_before(top_k_x[j], j, xi, i) {
            rank += 1u;
            if rank >= k {
                return;
            }
        }
    }
    top_k_out[rank] = i;
}
