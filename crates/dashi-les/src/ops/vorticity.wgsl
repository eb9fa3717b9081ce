// The vorticity family: fused steps of the vorticity equation's right-hand side
// (docs/DESIGN.md §5), CPU kernels in dashi_les::ops (vorticity.rs). Full-layout n×n spectra,
// interleaved (re, im) f32, row-major [ky][kx], k = fftfreq(n)·n (docs/DESIGN.md §4).
// Coefficients arrive as hi + lo f32 pairs for the f64 CPU reference; in f32 the sum
// rounds to hi, so only hi is read here.

// vorticity_fields: out = f_kind(k)·omega (one invocation per mode; OpSpec grid n × n,
// 64×4). Factors as in the CPU reference: velocity (kx + i·ky)/|k|², gradient
// −ky + i·kx, strain (−kx·ky + i·(kx² − ky²)/2)/|k|², Laplacian −|k|²; k = 0 → 0 where
// divided. Integer wavenumbers are exact in f32; the division rounds once.
@group(0) @binding(0) var<storage, read> vorticity_fields_omega: array<f32>;
@group(0) @binding(1) var<storage, read_write> vorticity_fields_out: array<f32>;
@group(0) @binding(2) var<uniform> vorticity_fields_params: VorticityFieldParams;

@compute @workgroup_size(64, 4)
fn vorticity_fields(@builtin(global_invocation_id) gid: vec3<u32>) {
    let n = vorticity_fields_params.n;
    let ix = gid.x;
    let iy = gid.y;
    if ix >= n || iy >= n {
        return;
    }
    let kx = signed_k(ix, n);
    let ky = signed_k(iy, n);
    let k2 = kx * kx + ky * ky;
    var inv = 0.0;
    if k2 > 0.0 {
        inv = 1.0 / k2;
    }
    var f = vec2<f32>(-k2, 0.0);
    switch vorticity_fields_params.kind {
        case 0u: {
            f = vec2<f32>(kx * inv, ky * inv);
        }
        case 1u: {
            f = vec2<f32>(-ky, kx);
        }
        case 2u: {
            f = vec2<f32>(-kx * ky * inv, 0.5 * (kx * kx - ky * ky) * inv);
        }
        default: {}
    }
    let i = iy * n + ix;
    let re = vorticity_fields_omega[2u * i];
    let im = vorticity_fields_omega[2u * i + 1u];
    vorticity_fields_out[2u * i] = re * f.x - im * f.y;
    vorticity_fields_out[2u * i + 1u] = re * f.y + im * f.x;
}

// vorticity_nonlinear: out[j] = (−(u·ωx + v·ωy) [+ 2·coeff·sqrt(S11² + S12²)·∇²ω], 0)
// from packed (u + i·v), (ωx + i·ωy), (S11 + i·S12) and ∇²ω (one invocation per grid
// point; OpSpec grid n × n, 64×4). Without the Smagorinsky term the strain and
// Laplacian bindings are not read.
@group(0) @binding(0) var<storage, read> vorticity_nonlinear_velocity: array<f32>;
@group(0) @binding(1) var<storage, read> vorticity_nonlinear_gradient: array<f32>;
@group(0) @binding(2) var<storage, read> vorticity_nonlinear_strain: array<f32>;
@group(0) @binding(3) var<storage, read> vorticity_nonlinear_laplacian: array<f32>;
@group(0) @binding(4) var<storage, read_write> vorticity_nonlinear_out: array<f32>;
@group(0) @binding(5) var<uniform> vorticity_nonlinear_params: NonlinearParams;

@compute @workgroup_size(64, 4)
fn vorticity_nonlinear(@builtin(global_invocation_id) gid: vec3<u32>) {
    let n = vorticity_nonlinear_params.n;
    if gid.x >= n || gid.y >= n {
        return;
    }
    let at = 2u * (gid.y * n + gid.x);
    var value = -(vorticity_nonlinear_velocity[at] * vorticity_nonlinear_gradient[at]
        + vorticity_nonlinear_velocity[at + 1u] * vorticity_nonlinear_gradient[at + 1u]);
    if vorticity_nonlinear_params.smagorinsky == 1u {
        let s11 = vorticity_nonlinear_strain[at];
        let s12 = vorticity_nonlinear_strain[at + 1u];
        let c = 2.0 * vorticity_nonlinear_params.coeff_hi;
        value = value + c * sqrt(s11 * s11 + s12 * s12) * vorticity_nonlinear_laplacian[at];
    }
    vorticity_nonlinear_out[at] = value;
    vorticity_nonlinear_out[at + 1u] = 0.0;
}

// vorticity_rhs: out = D(k)·nonlinear − (ν|k|² + μ)·omega + forcing (one invocation
// per mode; OpSpec grid n × n, 64×4), D the 2/3 mask 3|kx| ≤ n ∧ 3|ky| ≤ n.
@group(0) @binding(0) var<storage, read> vorticity_rhs_omega: array<f32>;
@group(0) @binding(1) var<storage, read> vorticity_rhs_nonlinear: array<f32>;
@group(0) @binding(2) var<storage, read> vorticity_rhs_forcing: array<f32>;
@group(0) @binding(3) var<storage, read_write> vorticity_rhs_out: array<f32>;
@group(0) @binding(4) var<uniform> vorticity_rhs_params: VorticityRhsParams;

@compute @workgroup_size(64, 4)
fn vorticity_rhs(@builtin(global_invocation_id) gid: vec3<u32>) {
    let n = vorticity_rhs_params.n;
    let ix = gid.x;
    let iy = gid.y;
    if ix >= n || iy >= n {
        return;
    }
    let kx = signed_k(ix, n);
    let ky = signed_k(iy, n);
    var keep = 0.0;
    if 3.0 * abs(kx) <= f32(n) && 3.0 * abs(ky) <= f32(n) {
        keep = 1.0;
    }
    let damping = -(vorticity_rhs_params.nu_hi * (kx * kx + ky * ky) + vorticity_rhs_params.drag_hi);
    let i = 2u * (iy * n + ix);
    for (var c = 0u; c < 2u; c = c + 1u) {
        var advected = 0.0;
        if keep == 1.0 {
            advected = vorticity_rhs_nonlinear[i + c];
        }
        vorticity_rhs_out[i + c] = advected + damping * vorticity_rhs_omega[i + c] + vorticity_rhs_forcing[i + c];
    }
}
