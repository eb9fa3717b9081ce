// Spectral ops on full-layout n×n spectra: interleaved (re, im) f32, row-major [ky][kx],
// k = fftfreq(n)·n (index i ↦ i for i < n/2, else i − n; index n/2 is −n/2), docs/DESIGN.md §4 and
// dashi_core::spectral. |k|² is computed in exact u32 integer arithmetic (≤ 2·4096² for
// n ≤ 8192), so every mask and every shell / band membership is exact.

// Neumaier accumulation of a non-negative term: (sum, lost low-order part).
fn acc_add(acc: vec2<f32>, x: f32) -> vec2<f32> {
    let t = acc.x + x;
    var c = acc.y;
    if abs(acc.x) >= abs(x) {
        c = c + ((acc.x - t) + x);
    } else {
        c = c + ((x - t) + acc.x);
    }
    return vec2<f32>(t, c);
}

// Sum of two Neumaier accumulators (TwoSum of the leading parts).
fn acc_merge(a: vec2<f32>, b: vec2<f32>) -> vec2<f32> {
    let t = a.x + b.x;
    let bb = t - a.x;
    let err = (a.x - (t - bb)) + (b.x - bb);
    return vec2<f32>(t, a.y + b.y + err);
}

// Largest r with r² ≤ x (x < 2^31).
fn isqrt(x: u32) -> u32 {
    var r = u32(sqrt(f32(x)));
    while r > 0u && r * r > x {
        r = r - 1u;
    }
    while (r + 1u) * (r + 1u) <= x {
        r = r + 1u;
    }
    return r;
}

// Smallest r with r² ≥ x (x < 2^31).
fn isqrt_ceil(x: u32) -> u32 {
    let r = isqrt(x);
    if r * r == x {
        return r;
    }
    return r + 1u;
}

// spectral_mul: x ← f(k)·x for every mode of `batch` spectra. One invocation per mode,
// x = column, y = row of the stacked batch (OpSpec: Grid{n × n·batch, 64×4}). The products are the CPU reference's
// expressions in the same order (i·k: (−im·k, re·k); real factors: (re·f, im·f)), so
// kinds 0, 1, 2 and 4 reproduce the f32 reference bit for bit; kind 3 divides in f32
// (≤ 2.5 ulp), kind 5 evaluates exp/pow in f32.
@group(0) @binding(0) var<storage, read_write> spectral_mul_x: array<f32>;
@group(0) @binding(1) var<uniform> spectral_mul_params: SpectralMulParams;

// The real factor of kinds 2 … 5 at (kx, ky) on an n-grid.
fn real_factor(kind: u32, ax: u32, ay: u32, n: u32, alpha: f32, p: f32) -> f32 {
    let k2 = ax * ax + ay * ay;
    switch kind {
        case 2u: {
            return -f32(k2);
        }
        case 3u: {
            if k2 == 0u {
                return 0.0;
            }
            return 1.0 / f32(k2);
        }
        case 4u: {
            if 3u * ax <= n && 3u * ay <= n {
                return 1.0;
            }
            return 0.0;
        }
        default: {
            let h = n / 2u;
            if k2 >= h * h {
                return 0.0;
            }
            let ratio = sqrt(f32(k2)) / f32(h);
            if k2 == 0u {
                return 1.0;
            }
            return exp(-alpha * pow(ratio, p));
        }
    }
}

@compute @workgroup_size(64, 4)
fn spectral_mul(@builtin(global_invocation_id) gid: vec3<u32>) {
    let n = spectral_mul_params.n;
    let ix = gid.x;
    let row = gid.y;
    if ix >= n || row >= n * spectral_mul_params.batch {
        return;
    }
    let iy = row % n;
    let i = row * n + ix;
    let kind = spectral_mul_params.kind;
    let re = spectral_mul_x[2u * i];
    let im = spectral_mul_x[2u * i + 1u];
    if kind <= 1u {
        var k = f32(wavenumber(ix, n));
        if kind == 1u {
            k = f32(wavenumber(iy, n));
        }
        spectral_mul_x[2u * i] = -(im * k);
        spectral_mul_x[2u * i + 1u] = re * k;
        return;
    }
    let f = real_factor(kind, abs_wavenumber(ix, n), abs_wavenumber(iy, n), n, spectral_mul_params.alpha, spectral_mul_params.p);
    spectral_mul_x[2u * i] = re * f;
    spectral_mul_x[2u * i + 1u] = im * f;
}

// shell_spectrum: out[s] = Σ_{round(|k|) = s} ½|x|²/n⁴. One workgroup of 256 per shell
// (OpSpec: Tiled, one shell per workgroup); shell s holds exactly the integers
// s² − s + 1 ≤ |k|² ≤ s² + s (s ≥ 1; shell 0 is k = 0), so invocation t walks rows
// t, t + 256, … and, per row, only the |kx| range of its annulus: O(n/256 + modes/256)
// each. The partial sums meet in a pairwise tree in workgroup memory, so the rounding
// error grows like log₂(256) + modes/256 ulps instead of with the shell size — without
// relying on compensated arithmetic, which NVIDIA's Vulkan compiler may reassociate
// away (measured: 1.2e-6 relative at n = 512 with a per-shell serial Neumaier sum).
// The exact power-of-two 1/(2n⁴) is applied last.
@group(0) @binding(0) var<storage, read> shell_spectrum_x: array<f32>;
@group(0) @binding(1) var<storage, read_write> shell_spectrum_out: array<f32>;
@group(0) @binding(2) var<uniform> shell_spectrum_params: ShellParams;

var<workgroup> shell_partial: array<f32, 256>;

@compute @workgroup_size(256)
fn shell_spectrum(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) t: u32) {
    let n = shell_spectrum_params.n;
    let s = wg.x;
    let h = n / 2u;
    var acc = 0.0;
    // Largest |k|² on the grid is 2·h²; shells beyond it are empty (and s² would overflow).
    if s < shell_spectrum_params.shells && s <= 2u * h + 1u {
        var lo = 0u;
        if s > 0u {
            lo = s * s - s + 1u;
        }
        let hi = s * s + s;
        for (var iy = t; iy < n; iy = iy + 256u) {
            let ay = abs_wavenumber(iy, n);
            let ky2 = ay * ay;
            if ky2 > hi {
                continue;
            }
            var a_lo = 0u;
            if lo > ky2 {
                a_lo = isqrt_ceil(lo - ky2);
            }
            let a_hi = min(isqrt(hi - ky2), h);
            for (var a = a_lo; a <= a_hi; a = a + 1u) {
                // Columns with |kx| = a: ix = a (a < h) and ix = n − a (0 < a ≤ h).
                if a < h {
                    let j = 2u * (iy * n + a);
                    let re = shell_spectrum_x[j];
                    let im = shell_spectrum_x[j + 1u];
                    acc = acc + (re * re + im * im);
                }
                if a > 0u {
                    let j = 2u * (iy * n + n - a);
                    let re = shell_spectrum_x[j];
                    let im = shell_spectrum_x[j + 1u];
                    acc = acc + (re * re + im * im);
                }
            }
        }
    }
    shell_partial[t] = acc;
    workgroupBarrier();
    for (var stride = 128u; stride > 0u; stride = stride / 2u) {
        if t < stride {
            shell_partial[t] = shell_partial[t] + shell_partial[t + stride];
        }
        workgroupBarrier();
    }
    if t == 0u && s < shell_spectrum_params.shells {
        let n2 = f32(n * n);
        shell_spectrum_out[s] = shell_partial[0] * (0.5 / n2 / n2);
    }
}

// band_energies: out = [low, mid, high] of ½|x|²/n⁴. One workgroup of 256 (OpSpec:
// Single{256}); invocation t takes modes t, t + 256, …, Neumaier-compensated per band,
// then a compensated tree reduction in workgroup memory.
@group(0) @binding(0) var<storage, read> band_energies_x: array<f32>;
@group(0) @binding(1) var<storage, read_write> band_energies_out: array<f32>;
@group(0) @binding(2) var<uniform> band_energies_params: BandParams;

var<workgroup> band_partial: array<array<vec2<f32>, 3>, 256>;

@compute @workgroup_size(256)
fn band_energies(@builtin(local_invocation_index) t: u32) {
    let n = band_energies_params.n;
    let h = n / 2u;
    let low_k2 = band_energies_params.low_k2;
    let mid_k2 = band_energies_params.mid_k2;
    var acc = array<vec2<f32>, 3>(vec2<f32>(0.0, 0.0), vec2<f32>(0.0, 0.0), vec2<f32>(0.0, 0.0));
    for (var m = t; m < n * n; m = m + 256u) {
        let ix = m % n;
        let iy = m / n;
        let ax = abs_wavenumber(ix, n);
        let ay = abs_wavenumber(iy, n);
        let k2 = ax * ax + ay * ay;
        var band = 2u;
        if k2 <= low_k2 {
            band = 0u;
        } else if k2 <= mid_k2 && ix != h && iy != h {
            band = 1u;
        }
        let re = band_energies_x[2u * m];
        let im = band_energies_x[2u * m + 1u];
        acc[band] = acc_add(acc[band], re * re + im * im);
    }
    band_partial[t] = acc;
    workgroupBarrier();
    for (var stride = 128u; stride > 0u; stride = stride / 2u) {
        if t < stride {
            for (var b = 0u; b < 3u; b = b + 1u) {
                band_partial[t][b] = acc_merge(band_partial[t][b], band_partial[t + stride][b]);
            }
        }
        workgroupBarrier();
    }
    if t == 0u {
        let n2 = f32(n * n);
        let norm = 0.5 / n2 / n2;
        for (var b = 0u; b < 3u; b = b + 1u) {
            let v = band_partial[0][b];
            band_energies_out[b] = (v.x + v.y) * norm;
        }
    }
}

// Two real fields in one complex FFT (z = a + i·b). One invocation per complex value
// (OpSpec: Grid{n × n·pairs, 64×4}); gid.y = f·n + row of pair f.

// real_pairs: direction 0 packs reals a = src[2f], b = src[2f+1] into dst[f] = (a, b);
// direction 1 unpacks. Pure data movement: bit-exact.
@group(0) @binding(0) var<storage, read> real_pairs_src: array<f32>;
@group(0) @binding(1) var<storage, read_write> real_pairs_dst: array<f32>;
@group(0) @binding(2) var<uniform> real_pairs_params: PairParams;

@compute @workgroup_size(64, 4)
fn real_pairs(@builtin(global_invocation_id) gid: vec3<u32>) {
    let n = real_pairs_params.n;
    if gid.x >= n || gid.y >= n * real_pairs_params.pairs {
        return;
    }
    let n2 = n * n;
    let f = gid.y / n;
    let i = (gid.y % n) * n + gid.x;
    let a = 2u * f * n2 + i;
    let b = a + n2;
    let z = 2u * (f * n2 + i);
    if real_pairs_params.direction == 0u {
        real_pairs_dst[z] = real_pairs_src[a];
        real_pairs_dst[z + 1u] = real_pairs_src[b];
    } else {
        real_pairs_dst[a] = real_pairs_src[z];
        real_pairs_dst[b] = real_pairs_src[z + 1u];
    }
}

// split_pair_spectra: A[k] = (Z[k] + conj Z[−k])/2, B[k] = (Z[k] − conj Z[−k])/(2i),
// in the reference's operation order (one add and one exact halving each): bit-exact.
@group(0) @binding(0) var<storage, read> split_pair_spectra_src: array<f32>;
@group(0) @binding(1) var<storage, read_write> split_pair_spectra_dst: array<f32>;
@group(0) @binding(2) var<uniform> split_pair_spectra_params: PairParams;

@compute @workgroup_size(64, 4)
fn split_pair_spectra(@builtin(global_invocation_id) gid: vec3<u32>) {
    let n = split_pair_spectra_params.n;
    if gid.x >= n || gid.y >= n * split_pair_spectra_params.pairs {
        return;
    }
    let n2 = n * n;
    let f = gid.y / n;
    let ky = gid.y % n;
    let kx = gid.x;
    let at = 2u * (f * n2 + ky * n + kx);
    let mirror = 2u * (f * n2 + ((n - ky) % n) * n + (n - kx) % n);
    let zr = split_pair_spectra_src[at];
    let zi = split_pair_spectra_src[at + 1u];
    let mr = split_pair_spectra_src[mirror];
    let mi = split_pair_spectra_src[mirror + 1u];
    let a = 2u * (2u * f * n2 + ky * n + kx);
    let b = a + 2u * n2;
    split_pair_spectra_dst[a] = (zr + mr) * 0.5;
    split_pair_spectra_dst[a + 1u] = (zi - mi) * 0.5;
    split_pair_spectra_dst[b] = (zi + mi) * 0.5;
    split_pair_spectra_dst[b + 1u] = (mr - zr) * 0.5;
}

// combine_pair_spectra: Z = A + i·B = (Ar − Bi, Ai + Br): bit-exact.
@group(0) @binding(0) var<storage, read> combine_pair_spectra_src: array<f32>;
@group(0) @binding(1) var<storage, read_write> combine_pair_spectra_dst: array<f32>;
@group(0) @binding(2) var<uniform> combine_pair_spectra_params: PairParams;

@compute @workgroup_size(64, 4)
fn combine_pair_spectra(@builtin(global_invocation_id) gid: vec3<u32>) {
    let n = combine_pair_spectra_params.n;
    if gid.x >= n || gid.y >= n * combine_pair_spectra_params.pairs {
        return;
    }
    let n2 = n * n;
    let f = gid.y / n;
    let i = (gid.y % n) * n + gid.x;
    let a = 2u * (2u * f * n2 + i);
    let b = a + 2u * n2;
    let z = 2u * (f * n2 + i);
    combine_pair_spectra_dst[z] = combine_pair_spectra_src[a] - combine_pair_spectra_src[b + 1u];
    combine_pair_spectra_dst[z + 1u] = combine_pair_spectra_src[a + 1u] + combine_pair_spectra_src[b];
}
