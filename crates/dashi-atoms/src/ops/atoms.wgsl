// Family `atoms`: the v5 filament-atom ops (dashi_atoms::ops::BIOT_SAVART; CPU kernel in
// ops/biot_savart.rs, kernel dashi_atoms::kernel — the one definition, mirrored here in f32).
//
// biot_savart:  vel[t] = Σ_s w_s·K_{ε_s}(targets[t] − pos[s]),  s = 0 … S−1 in order
//
// Box [0, 2π)², ∇²ψ = −ω, u = ∂ψ/∂y, v = −∂ψ/∂x (zero-mean periodic field). K_ε: the
// periodic point vortex as `columns` image columns each side (coth), the m = 0 column as
// coth(w) − 1/w (Laurent series for |w| < 1/4), plus the Gaussian blob 1 − e^{−r²/ε²} on
// the nearest image. One invocation per target; sources stream through workgroup memory
// in tiles of 64 (the N-body pattern: every invocation of a workgroup takes part in the
// loads and barriers, out-of-range targets only skip the arithmetic). O(S·T).
//
// Helpers take values; only the entry point touches globals.

@group(0) @binding(0) var<storage, read> biot_savart_pos: array<vec2<f32>>;
@group(0) @binding(1) var<storage, read> biot_savart_blobs: array<vec2<f32>>;
@group(0) @binding(2) var<storage, read> biot_savart_targets: array<vec2<f32>>;
@group(0) @binding(3) var<storage, read_write> biot_savart_vel: array<vec2<f32>>;
@group(0) @binding(4) var<uniform> biot_savart_params: BiotSavartParams;

const TILE: u32 = 64u;
// MAX_COLUMNS (dashi_atoms::kernel, declared from Rust; the host checks it, clamped again here).
const L: f32 = 6.2831855;        // 2π
const INV_L: f32 = 0.15915494;   // 1/(2π)
const Q: f32 = 0.0018674427;     // e^{−2π}
const INV_Q: f32 = 535.4917;     // e^{2π}

var<workgroup> tile_pos: array<vec2<f32>, 64>;
var<workgroup> tile_blobs: array<vec2<f32>, 64>;

// d − L·round(d/L) ∈ [−L/2, L/2].
fn min_image(d: f32) -> f32 {
    return d - L * round(d * INV_L);
}

// p·w + c for complex p, w and real c.
fn cmul_add(p: vec2<f32>, w: vec2<f32>, c: f32) -> vec2<f32> {
    return vec2<f32>(p.x * w.x - p.y * w.y + c, p.x * w.y + p.y * w.x);
}

// coth(w) − 1/w for w = a + ib as (re, im), given sinh 2a, cosh 2a, sin 2b, cos 2b.
fn coth_minus_inverse(a: f32, b: f32, sh2a: f32, ch2a: f32, s2b: f32, c2b: f32) -> vec2<f32> {
    let r2 = a * a + b * b;
    if r2 < 0.0625 {
        // w/3 − w³/45 + 2w⁵/945 − w⁷/4725 + 2w⁹/93555 − 1382w¹¹/638512875, Horner in w².
        let w2 = vec2<f32>(a * a - b * b, 2.0 * a * b);
        var p = vec2<f32>(-1382.0 / 638512875.0, 0.0);
        p = cmul_add(p, w2, 2.0 / 93555.0);
        p = cmul_add(p, w2, -1.0 / 4725.0);
        p = cmul_add(p, w2, 2.0 / 945.0);
        p = cmul_add(p, w2, -1.0 / 45.0);
        p = cmul_add(p, w2, 1.0 / 3.0);
        return vec2<f32>(p.x * a - p.y * b, p.x * b + p.y * a);
    }
    let den = ch2a - c2b;
    return vec2<f32>(sh2a / den - a / r2, -s2b / den + b / r2);
}

// Periodic point vortex minus the free-space one, unit Γ, minimal-image (x, y).
fn periodic_remainder(x: f32, y: f32, columns: u32) -> vec2<f32> {
    let sin_y = sin(y);
    let cos_y = cos(y);
    let ex = exp(x);
    let inv = 1.0 / ex;
    var c = coth_minus_inverse(0.5 * x, 0.5 * y, 0.5 * (ex - inv), 0.5 * (ex + inv), sin_y, cos_y);
    var down = 1.0;
    var up = 1.0;
    for (var m = 0u; m < columns; m++) {
        down *= Q;
        up *= INV_Q;
        // Shift +mL: e = e^x·e^{−mL}; shift −mL: e = e^x·e^{+mL}.
        let e1 = ex * down;
        let i1 = inv * up;
        let den1 = 0.5 * (e1 + i1) - cos_y;
        let e2 = ex * up;
        let i2 = inv * down;
        let den2 = 0.5 * (e2 + i2) - cos_y;
        c.x += 0.5 * (e1 - i1) / den1 + 0.5 * (e2 - i2) / den2;
        c.y -= sin_y / den1 + sin_y / den2;
    }
    return vec2<f32>(c.y / (2.0 * L), c.x / (2.0 * L) - x / (L * L));
}

// (1 − e^{−s})/s without cancellation near 0 (series for s < 1/2: next term < 2⁻²⁴).
fn one_minus_exp_over(s: f32) -> f32 {
    if s < 0.5 {
        let p = 1.0 / 40320.0 - s / 362880.0;
        let p6 = 1.0 / 5040.0 - s * p;
        let p5 = 1.0 / 720.0 - s * p6;
        let p4 = 1.0 / 120.0 - s * p5;
        let p3 = 1.0 / 24.0 - s * p4;
        let p2 = 1.0 / 6.0 - s * p3;
        let p1 = 0.5 - s * p2;
        return 1.0 - s * p1;
    }
    return (1.0 - exp(-s)) / s;
}

// Velocity at displacement (dx, dy) = target − source of a unit-Γ blob of core eps.
fn blob_velocity(dx: f32, dy: f32, eps: f32, columns: u32) -> vec2<f32> {
    let x = min_image(dx);
    let y = min_image(dy);
    let rem = periodic_remainder(x, y, columns);
    let eps2 = eps * eps;
    let g = one_minus_exp_over((x * x + y * y) / eps2) / eps2;
    // Free-space Lamb–Oseen blob: u = −y·g/(2π), v = x·g/(2π), g = (1 − e^{−r²/ε²})/r².
    return vec2<f32>(rem.x - y * g * INV_L, rem.y + x * g * INV_L);
}

@compute @workgroup_size(64)
fn biot_savart(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
    let sources = biot_savart_params.sources;
    let targets = biot_savart_params.targets;
    let columns = min(biot_savart_params.columns, MAX_COLUMNS);
    let t = gid.x;
    let live = t < targets;
    var at = vec2<f32>(0.0, 0.0);
    if live {
        at = biot_savart_targets[t];
    }
    var acc = vec2<f32>(0.0, 0.0);
    for (var base = 0u; base < sources; base += TILE) {
        let s = base + lid;
        if s < sources {
            tile_pos[lid] = biot_savart_pos[s];
            tile_blobs[lid] = biot_savart_blobs[s];
        }
        workgroupBarrier();
        if live {
            let count = min(TILE, sources - base);
            for (var k = 0u; k < count; k++) {
                let d = at - tile_pos[k];
                let blob = tile_blobs[k];
                acc += blob.x * blob_velocity(d.x, d.y, blob.y, columns);
            }
        }
        workgroupBarrier();
    }
    if live {
        biot_savart_vel[t] = acc;
    }
}
