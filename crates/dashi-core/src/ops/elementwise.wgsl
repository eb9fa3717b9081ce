// The elementwise family (CPU kernels in elementwise.rs). One invocation per element;
// workgroup 256 (OpSpec: Threads{n, 256}). Parameter structs are generated from the specs.
// Contract: out-of-range invocations (the last workgroup's tail) do nothing.

// axpy: y[i] <- alpha * x[i] + y[i]
@group(0) @binding(0) var<storage, read> axpy_x: array<f32>;
@group(0) @binding(1) var<storage, read_write> axpy_y: array<f32>;
@group(0) @binding(2) var<uniform> axpy_params: ScalarParams;

@compute @workgroup_size(256)
fn axpy(@builtin(global_invocation_id) gid: vec3<u32>) {
    let i = gid.x;
    if i < axpy_params.n {
        axpy_y[i] = axpy_params.alpha * axpy_x[i] + axpy_y[i];
    }
}

// scale: x[i] <- alpha * x[i]
@group(0) @binding(0) var<storage, read_write> scale_x: array<f32>;
@group(0) @binding(1) var<uniform> scale_params: ScalarParams;

@compute @workgroup_size(256)
fn scale(@builtin(global_invocation_id) gid: vec3<u32>) {
    let i = gid.x;
    if i < scale_params.n {
        scale_x[i] = scale_params.alpha * scale_x[i];
    }
}

// add: out[i] = x[i] + y[i]
@group(0) @binding(0) var<storage, read> add_x: array<f32>;
@group(0) @binding(1) var<storage, read> add_y: array<f32>;
@group(0) @binding(2) var<storage, read_write> add_out: array<f32>;
@group(0) @binding(3) var<uniform> add_params: LenParams;

@compute @workgroup_size(256)
fn add(@builtin(global_invocation_id) gid: vec3<u32>) {
    let i = gid.x;
    if i < add_params.n {
        add_out[i] = add_x[i] + add_y[i];
    }
}

// mul: out[i] = x[i] * y[i]
@group(0) @binding(0) var<storage, read> mul_x: array<f32>;
@group(0) @binding(1) var<storage, read> mul_y: array<f32>;
@group(0) @binding(2) var<storage, read_write> mul_out: array<f32>;
@group(0) @binding(3) var<uniform> mul_params: LenParams;

@compute @workgroup_size(256)
fn mul(@builtin(global_invocation_id) gid: vec3<u32>) {
    let i = gid.x;
    if i < mul_params.n {
        mul_out[i] = mul_x[i] * mul_y[i];
    }
}

// copy: out[i] = x[i]
@group(0) @binding(0) var<storage, read> copy_x: array<f32>;
@group(0) @binding(1) var<storage, read_write> copy_out: array<f32>;
@group(0) @binding(2) var<uniform> copy_params: LenParams;

@compute @workgroup_size(256)
fn copy(@builtin(global_invocation_id) gid: vec3<u32>) {
    let i = gid.x;
    if i < copy_params.n {
        copy_out[i] = copy_x[i];
    }
}
