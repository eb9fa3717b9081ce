// Batched FFTs along rows, the building block of the 2D FFT (SPEC §4):
//   forward  X_k = Σ_j x_j · e^{−2πi jk/n}            (unscaled)
//   inverse  x_j = (1/n) Σ_k X_k · e^{+2πi jk/n}
// Complex values are interleaved (re, im) f32 pairs. A workgroup holds 4096 complex
// values (32 KiB) in workgroup memory — 4096/n whole rows — loads them in bit-reversed
// order, runs log₂n in-place radix-2 decimation-in-time stages, and writes them out,
// either in place or with each n×n block transposed (so that two passes give a 2D FFT
// in natural orientation). Twiddles W_n^k = e^{−2πi k/n}, k < n/2, are computed on the
// host in f64 and uploaded; the inverse conjugates them.

struct FftParams { n: u32, rows: u32, log2n: u32, inverse: u32, transpose: u32, pad0: u32, pad1: u32, pad2: u32 }

const FFT_CAP: u32 = 4096u;
const FFT_WG: u32 = 256u;

var<workgroup> fft_buf: array<vec2<f32>, 4096>;

fn complex_mul(a: vec2<f32>, b: vec2<f32>) -> vec2<f32> {
    return vec2<f32>(a.x * b.x - a.y * b.y, a.x * b.y + a.y * b.x);
}

@group(0) @binding(0) var<storage, read> fft_rows_src: array<f32>;
@group(0) @binding(1) var<storage, read_write> fft_rows_dst: array<f32>;
@group(0) @binding(2) var<storage, read> fft_rows_twiddles: array<f32>;
@group(0) @binding(3) var<uniform> fft_rows_params: FftParams;

@compute @workgroup_size(256)
fn fft_rows(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) t: u32) {
    let n = fft_rows_params.n;
    let log2n = fft_rows_params.log2n;
    let rows = fft_rows_params.rows;
    let per = FFT_CAP / n;
    let row0 = wg.x * per;
    let here = min(per, rows - row0);
    let count = here * n;
    let mask = n - 1u;
    // Load: element (r, j) goes to slot r·n + bitreverse(j).
    for (var e = t; e < count; e += FFT_WG) {
        let r = e >> log2n;
        let j = e & mask;
        let g = 2u * ((row0 + r) * n + j);
        let rev = reverseBits(j) >> (32u - log2n);
        fft_buf[r * n + rev] = vec2<f32>(fft_rows_src[g], fft_rows_src[g + 1u]);
    }
    workgroupBarrier();
    let conj = select(1.0, -1.0, fft_rows_params.inverse == 1u);
    let butterflies = count / 2u;
    for (var s = 0u; s < log2n; s++) {
        let half = 1u << s;
        let stride = n >> (s + 1u); // twiddle index step: W_{2·half}^k = W_n^{k·n/(2·half)}
        for (var b = t; b < butterflies; b += FFT_WG) {
            let r = b >> (log2n - 1u);
            let j = b & ((n >> 1u) - 1u);
            let k = j & (half - 1u);
            let i0 = r * n + ((j >> s) << (s + 1u)) + k;
            let i1 = i0 + half;
            let ti = 2u * k * stride;
            let w = vec2<f32>(fft_rows_twiddles[ti], conj * fft_rows_twiddles[ti + 1u]);
            let a = fft_buf[i0];
            let wb = complex_mul(w, fft_buf[i1]);
            fft_buf[i0] = a + wb;
            fft_buf[i1] = a - wb;
        }
        workgroupBarrier();
    }
    let scale = select(1.0, 1.0 / f32(n), fft_rows_params.inverse == 1u);
    if fft_rows_params.transpose == 1u {
        // Consecutive invocations take consecutive rows of one column, so each column
        // of the output receives `per` contiguous values (coalesced for n ≤ 1024).
        for (var e = t; e < count; e += FFT_WG) {
            let r = e % here;
            let k = e / here;
            let row = row0 + r;
            let block = row >> log2n;
            let at = 2u * ((block * n + k) * n + (row & mask));
            let v = fft_buf[r * n + k] * scale;
            fft_rows_dst[at] = v.x;
            fft_rows_dst[at + 1u] = v.y;
        }
    } else {
        for (var e = t; e < count; e += FFT_WG) {
            let at = 2u * (row0 * n + e);
            let v = fft_buf[e] * scale;
            fft_rows_dst[at] = v.x;
            fft_rows_dst[at + 1u] = v.y;
        }
    }
}
