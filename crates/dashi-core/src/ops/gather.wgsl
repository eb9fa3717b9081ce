// Gather and scatter. Threads{m, 256} (OpSpec): one invocation per index; the last
// workgroup's tail (i ≥ m) does nothing. Values are copied, never computed, so the
// results equal the f32 inputs bit for bit.

// gather: out[i] = x[idx[i]] if idx[i] < n else 0
@group(0) @binding(0) var<storage, read> gather_x: array<f32>;
@group(0) @binding(1) var<storage, read> gather_idx: array<u32>;
@group(0) @binding(2) var<storage, read_write> gather_out: array<f32>;
@group(0) @binding(3) var<uniform> gather_params: GatherParams;

@compute @workgroup_size(256)
fn gather(@builtin(global_invocation_id) gid: vec3<u32>) {
    let i = gid.x;
    if i < gather_params.m {
        let j = gather_idx[i];
        var v = 0.0;
        if j < gather_params.n {
            v = gather_x[j];
        }
        gather_out[i] = v;
    }
}

// scatter: out[idx[i]] = x[i] for idx[i] < n; other entries of out untouched.
// In-range indices are distinct by contract (the CPU executor rejects duplicates), so
// no two invocations write the same element and the order of writes does not matter.
@group(0) @binding(0) var<storage, read> scatter_x: array<f32>;
@group(0) @binding(1) var<storage, read> scatter_idx: array<u32>;
@group(0) @binding(2) var<storage, read_write> scatter_out: array<f32>;
@group(0) @binding(3) var<uniform> scatter_params: GatherParams;

@compute @workgroup_size(256)
fn scatter(@builtin(global_invocation_id) gid: vec3<u32>) {
    let i = gid.x;
    if i < scatter_params.m {
        let j = scatter_idx[i];
        if j < scatter_params.n {
            scatter_out[j] = scatter_x[i];
        }
    }
}
