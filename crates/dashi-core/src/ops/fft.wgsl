// One Stockham step of batched length-n FFTs along the rows (axis 0) or columns
// (axis 1) of n×n complex fields (docs/DESIGN.md §4; the op contract is FFT_STEP in dashi-core):
//
//   for each line and each group j < n/L, with Ns = span, jm = j mod Ns:
//     y_p = c(src[j + p·n/L]) · W_n^{jm·p·n/(Ns·L)}           p < L
//     Y   = DFT_L(y)            Y_q = Σ_p y_p · W_L^{pq},  W_m = e^{−2πi/m}
//     dst[(j − jm)·L + jm + q·Ns] = s · c'(Y_q)                q < L
//
// Inverse transforms use forward butterflies on conjugated data: c = conj on the first
// step (Ns = 1), c' = conj and s = 1/n on the last (Ns·L = n). Steps (L₁,1), (L₂,L₁), …
// compose to the DFT in natural order, so no transpose pass exists anywhere.
//
// Work layout. A workgroup of 256 invocations transforms 4096 complex values: P = 4096/L
// groups ("items"), L/16 invocations per item, 16 values per invocation held in
// registers. The L-point DFT itself runs as Stockham sub-steps of radix 16 in registers
// (straight-line dft16 below), closed by one radix-2/4/8 tail when log₂L is not a
// multiple of 4; between sub-steps values cross invocations through workgroup memory,
// one component at a time (4096 + 128 f32 = 16.5 KiB, see `slot` for the padding).
// Measured on an H100 in one run: exchanging whole vec2 values through a 32 KiB array
// (two barriers instead of four, XOR-swizzled slots) was 15–20% slower at every N, the
// larger workgroup footprint costing more than the saved barriers.
//
// Global memory: the first sub-step reads element j + p·n/L with p = jj + r·L/16, so
// consecutive invocations read consecutive elements of a row (axis 0); along columns
// (axis 1) consecutive invocations take consecutive items = adjacent columns, so each
// row segment read is 8·min(P, n) bytes (P = 4 columns = one 32-byte sector for L =
// 1024; 64 columns = 512 bytes for L = 64). Stores mirror the loads.
//
// This family is compiled without wgpu's injected bounds checks (shaders::TRUSTED_FAMILIES):
// every storage index is a position < n of an item whose index was checked against the
// batch (`in_batch`), twiddle indices are masked to the table, workgroup slots are < 4224
// by construction (item·L + pos < 4096; < 8448 on the wide tiles, item·L + pos < 8192),
// and register arrays are indexed by loop constants only.

// Pipeline-overridable constants. The host compiles one pipeline per (n, axis, radix)
// (dashi-gpu's `shaders::specialization`), so the driver's compiler sees every loop
// count and shift of the step and each pipeline gets its own register allocation;
// FFT_SPEC_N = 0 (the default, never used by the host) reads them from the parameter
// block. Measured on an H100 in one run against one generic pipeline: row steps 7–15%
// faster, the 2D transforms (default column splits) 4–16%. FFT_SPEC_WIDE = 1 selects the wide column tiles
// (below), and sizes the two exchange arrays so each pipeline declares only the one it
// uses: a single 33 KiB array shared by every step made the 4096-value-tile steps
// 12–34% slower (lower occupancy). Workgroup memory is not zero-initialised
// (shaders::NO_ZERO_INIT_FAMILIES): every slot a phase reads was written in that phase.
override FFT_SPEC_N: u32 = 0u;
override FFT_SPEC_AXIS: u32 = 0u;
override FFT_SPEC_RADIX: u32 = 16u;
override FFT_SPEC_WIDE: u32 = 0u;
override FFT_EXCHANGE_WORDS: u32 = select(4224u, 1u, FFT_SPEC_WIDE == 1u);
override FFT_EXCHANGE_WIDE_WORDS: u32 = select(1u, 8448u, FFT_SPEC_WIDE == 1u);

const FFT_WG: u32 = 256u;
// FFT_TILE (4096, the complex values per workgroup) is declared from Rust (fft.rs).

// Sized per pipeline (FFT_SPEC_WIDE above): 4224 f32 = 16.5 KiB for the 4096-value
// tiles, 8448 = 33 KiB for the wide column tiles, and 1 for the array a pipeline does
// not use.
var<workgroup> fft_exchange: array<f32, FFT_EXCHANGE_WORDS>;
var<workgroup> fft_exchange_wide: array<f32, FFT_EXCHANGE_WIDE_WORDS>;

@group(0) @binding(0) var<storage, read> fft_step_src: array<vec2<f32>>;
@group(0) @binding(1) var<storage, read_write> fft_step_dst: array<vec2<f32>>;
@group(0) @binding(2) var<storage, read> fft_step_twiddles: array<vec2<f32>>;
@group(0) @binding(3) var<uniform> fft_step_params: FftStepParams;

fn cmul(a: vec2<f32>, b: vec2<f32>) -> vec2<f32> {
    return vec2<f32>(a.x * b.x - a.y * b.y, a.x * b.y + a.y * b.x);
}

// a · (−i)
fn mul_neg_i(a: vec2<f32>) -> vec2<f32> {
    return vec2<f32>(a.y, -a.x);
}

// W_n^k for k < n from the table of W_n^k, k < n/2 (W_n^{k+n/2} = −W_n^k).
fn twiddle(k: u32, n: u32) -> vec2<f32> {
    let half = n >> 1u;
    let w = fft_step_twiddles[k & (half - 1u)];
    return select(w, -w, (k & half) != 0u);
}

// Multiplies v[r] by base·w^r, r < 16, from four table reads (w, w², w⁴, w⁸ as
// W_n^{k}, W_n^{2k}, W_n^{4k}, W_n^{8k}) instead of sixteen: w^r = low[r mod 4]·high[r div 4]
// with low = (1, w, w², w³), high = (1, w⁴, w⁸, w¹²). Each factor is at most three
// roundings from the exact table value (≈ 3 ulp), well inside the FFT's error budget.
fn twiddle_run(v: ptr<function, array<vec2<f32>, 16>>, base: vec2<f32>, k: u32, n: u32) {
    let one = vec2<f32>(1.0, 0.0);
    let w1 = twiddle(k, n);
    let w2 = twiddle(2u * k, n);
    let w4 = twiddle(4u * k, n);
    let w8 = twiddle(8u * k, n);
    let low = array<vec2<f32>, 4>(base, cmul(base, w1), cmul(base, w2), cmul(cmul(base, w2), w1));
    let high = array<vec2<f32>, 4>(one, w4, w8, cmul(w8, w4));
    for (var r = 0u; r < 16u; r++) {
        (*v)[r] = cmul((*v)[r], cmul(low[r & 3u], high[r >> 2u]));
    }
}

// The tail's twiddles W_L^{g·r} (g = jj + u·L/16, register u·R + r, R = 2^tail): per
// group the table gives w = W_L^g, w², w⁴ and w^r is their product over the bits of r
// (≤ 2 roundings) — 6 table reads instead of 14 for R = 8. One code path per R, so
// every register index is a loop constant.
fn tail_twiddles(v: ptr<function, array<vec2<f32>, 16>>, jj: u32, log2l: u32, log2n: u32, tail: u32) {
    let n = 1u << log2n;
    if tail == 3u {
        for (var u = 0u; u < 2u; u++) {
            let k = (jj + (u << (log2l - 4u))) << (log2n - log2l);
            let w1 = twiddle(k, n);
            let w2 = twiddle(2u * k, n);
            let w3 = cmul(w2, w1);
            let w4 = twiddle(4u * k, n);
            (*v)[8u * u + 1u] = cmul((*v)[8u * u + 1u], w1);
            (*v)[8u * u + 2u] = cmul((*v)[8u * u + 2u], w2);
            (*v)[8u * u + 3u] = cmul((*v)[8u * u + 3u], w3);
            (*v)[8u * u + 4u] = cmul((*v)[8u * u + 4u], w4);
            (*v)[8u * u + 5u] = cmul((*v)[8u * u + 5u], cmul(w4, w1));
            (*v)[8u * u + 6u] = cmul((*v)[8u * u + 6u], cmul(w4, w2));
            (*v)[8u * u + 7u] = cmul((*v)[8u * u + 7u], cmul(w4, w3));
        }
    } else if tail == 2u {
        for (var u = 0u; u < 4u; u++) {
            let k = (jj + (u << (log2l - 4u))) << (log2n - log2l);
            let w1 = twiddle(k, n);
            let w2 = twiddle(2u * k, n);
            (*v)[4u * u + 1u] = cmul((*v)[4u * u + 1u], w1);
            (*v)[4u * u + 2u] = cmul((*v)[4u * u + 2u], w2);
            (*v)[4u * u + 3u] = cmul((*v)[4u * u + 3u], cmul(w2, w1));
        }
    } else {
        for (var u = 0u; u < 8u; u++) {
            let k = (jj + (u << (log2l - 4u))) << (log2n - log2l);
            (*v)[2u * u + 1u] = cmul((*v)[2u * u + 1u], twiddle(k, n));
        }
    }
}

// Forward 4-point DFT of (a, b, c, d).
fn dft4(a: vec2<f32>, b: vec2<f32>, c: vec2<f32>, d: vec2<f32>) -> array<vec2<f32>, 4> {
    let t0 = a + c;
    let t1 = a - c;
    let t2 = b + d;
    let t3 = mul_neg_i(b - d);
    return array<vec2<f32>, 4>(t0 + t2, t1 + t3, t0 - t2, t1 - t3);
}

// W_16^m, m = 1, 2, 3, 6, 9 (forward: e^{−2πi m/16}).
const C16_1: f32 = 0.92387953251128674;
const S16_1: f32 = 0.38268343236508978;
const R2: f32 = 0.70710678118654752;

// Forward 16-point DFT in place: 16 = 4 × 4, input index r = r0 + 4·r1, output index
// k = k1 + 4·k0; X_k = Σ_{r0} W_16^{r0·k1} · W_4^{r0·k0} · (Σ_{r1} x_{r0+4r1} W_4^{r1·k1}).
fn dft16(v: ptr<function, array<vec2<f32>, 16>>) {
    let a0 = dft4((*v)[0], (*v)[4], (*v)[8], (*v)[12]);
    let a1 = dft4((*v)[1], (*v)[5], (*v)[9], (*v)[13]);
    let a2 = dft4((*v)[2], (*v)[6], (*v)[10], (*v)[14]);
    let a3 = dft4((*v)[3], (*v)[7], (*v)[11], (*v)[15]);
    let w1 = vec2<f32>(C16_1, -S16_1);
    let w2 = vec2<f32>(R2, -R2);
    let w3 = vec2<f32>(S16_1, -C16_1);
    let w6 = vec2<f32>(-R2, -R2);
    let w9 = vec2<f32>(-C16_1, S16_1);
    let b0 = dft4(a0[0], a1[0], a2[0], a3[0]);
    let b1 = dft4(a0[1], cmul(a1[1], w1), cmul(a2[1], w2), cmul(a3[1], w3));
    let b2 = dft4(a0[2], cmul(a1[2], w2), mul_neg_i(a2[2]), cmul(a3[2], w6));
    let b3 = dft4(a0[3], cmul(a1[3], w3), cmul(a2[3], w6), cmul(a3[3], w9));
    (*v)[0] = b0[0];
    (*v)[1] = b1[0];
    (*v)[2] = b2[0];
    (*v)[3] = b3[0];
    (*v)[4] = b0[1];
    (*v)[5] = b1[1];
    (*v)[6] = b2[1];
    (*v)[7] = b3[1];
    (*v)[8] = b0[2];
    (*v)[9] = b1[2];
    (*v)[10] = b2[2];
    (*v)[11] = b3[2];
    (*v)[12] = b0[3];
    (*v)[13] = b1[3];
    (*v)[14] = b2[3];
    (*v)[15] = b3[3];
}

// Two forward 8-point DFTs, on v[0..8] and v[8..16]: 8 = 2 × 4, r = r0 + 2·r1,
// k = k1 + 4·k0.
fn dft8_pair(v: ptr<function, array<vec2<f32>, 16>>) {
    let w1 = vec2<f32>(R2, -R2);
    let w3 = vec2<f32>(-R2, -R2);
    for (var u = 0u; u < 16u; u += 8u) {
        let e = dft4((*v)[u], (*v)[u + 2u], (*v)[u + 4u], (*v)[u + 6u]);
        let o = dft4((*v)[u + 1u], (*v)[u + 3u], (*v)[u + 5u], (*v)[u + 7u]);
        let o1 = cmul(o[1], w1);
        let o2 = mul_neg_i(o[2]);
        let o3 = cmul(o[3], w3);
        (*v)[u] = e[0] + o[0];
        (*v)[u + 1u] = e[1] + o1;
        (*v)[u + 2u] = e[2] + o2;
        (*v)[u + 3u] = e[3] + o3;
        (*v)[u + 4u] = e[0] - o[0];
        (*v)[u + 5u] = e[1] - o1;
        (*v)[u + 6u] = e[2] - o2;
        (*v)[u + 7u] = e[3] - o3;
    }
}

// Four forward 4-point DFTs on v[4u..4u+4].
fn dft4_quad(v: ptr<function, array<vec2<f32>, 16>>) {
    for (var u = 0u; u < 16u; u += 4u) {
        let x = dft4((*v)[u], (*v)[u + 1u], (*v)[u + 2u], (*v)[u + 3u]);
        (*v)[u] = x[0];
        (*v)[u + 1u] = x[1];
        (*v)[u + 2u] = x[2];
        (*v)[u + 3u] = x[3];
    }
}

// Eight 2-point DFTs on v[2u..2u+2].
fn dft2_octet(v: ptr<function, array<vec2<f32>, 16>>) {
    for (var u = 0u; u < 16u; u += 2u) {
        let a = (*v)[u];
        let b = (*v)[u + 1u];
        (*v)[u] = a + b;
        (*v)[u + 1u] = a - b;
    }
}

// The item-local geometry of one invocation.
struct Lane {
    // item index within the workgroup, and the invocation's index within its item
    item: u32,
    jj: u32,
    // P = 4096/L items per workgroup, L/16 invocations per item
    per_wg: u32,
    log2l: u32,
    axis: u32,
}

// Padded workgroup slot of position `pos` of the lane's item: items contiguous along
// rows (consecutive invocations share an item), interleaved along columns
// (consecutive invocations are consecutive items). One word of padding per 32
// (i + i/32) sends the stride-16 writes of a radix-16 sub-step to distinct banks.
fn slot(lane: Lane, pos: u32) -> u32 {
    var i = (lane.item << lane.log2l) + pos;
    if lane.axis == 1u {
        i = pos * lane.per_wg + lane.item;
    }
    return i + (i >> 5u);
}

// Output position of register `r` after a radix-16 sub-step of span 2^ls.
fn out16(jj: u32, ls: u32, r: u32) -> u32 {
    let jm = jj & ((1u << ls) - 1u);
    return ((jj - jm) << 4u) + jm + (r << ls);
}

// Input position of register `idx` of a radix-2^b tail: group jj + u·L/16,
// element r at stride L/R, with idx = u·R + r.
fn in_tail(jj: u32, log2l: u32, b: u32, idx: u32) -> u32 {
    return jj + ((idx >> b) << (log2l - 4u)) + ((idx & ((1u << b) - 1u)) << (log2l - b));
}

// Moves the registers through workgroup memory, one component at a time: register idx
// leaves from position `leave[idx]` and the register idx of the next sub-step arrives
// from position `arrive[idx]`.
fn exchange(lane: Lane, v: ptr<function, array<vec2<f32>, 16>>, leave: array<u32, 16>, arrive: array<u32, 16>) {
    workgroupBarrier();
    for (var idx = 0u; idx < 16u; idx++) {
        fft_exchange[slot(lane, leave[idx])] = (*v)[idx].x;
    }
    workgroupBarrier();
    for (var idx = 0u; idx < 16u; idx++) {
        (*v)[idx].x = fft_exchange[slot(lane, arrive[idx])];
    }
    workgroupBarrier();
    for (var idx = 0u; idx < 16u; idx++) {
        fft_exchange[slot(lane, leave[idx])] = (*v)[idx].y;
    }
    workgroupBarrier();
    for (var idx = 0u; idx < 16u; idx++) {
        (*v)[idx].y = fft_exchange[slot(lane, arrive[idx])];
    }
}

// ---- Wide column tiles -------------------------------------------------------------
//
// Column steps of radix L >= 2048 (FFT_SPEC_WIDE = 1, chosen by the host) run on tiles
// of 8192 values: 8192/L adjacent columns, 4 at L = 2048 (one 32-byte sector per row
// segment) instead of 2 with the 4096-value tile. Each invocation plays two virtual
// invocations, t and t + 256, of a 512-invocation layout, with its own 33 KiB exchange
// array. The dispatch (FFT_TILE = 4096 values per workgroup) launches twice the
// workgroups needed; the upper half returns at once (a workgroup-uniform branch).
// Positions are recomputed from jj rather than kept in registers. At n = 2048 this
// makes the whole column transform one pass (103 µs for two fields on an H100, against
// 59 + 58 µs for the steps [128, 16]); every wide step has span 1 and radix n (no
// split of n <= 4096 into radices >= 16 holds one >= 2048 and another).
const FFT_WIDE_LOG2_TILE: u32 = 13u;

struct WideItem {
    lane: Lane,
    base: u32,
    j: u32,
    ok: bool,
}

fn wide_item(vt: u32, wgx: u32, log2n: u32, log2l: u32) -> WideItem {
    let n = 1u << log2n;
    let log2p = FFT_WIDE_LOG2_TILE - log2l;
    var it: WideItem;
    it.lane.item = vt & ((1u << log2p) - 1u);
    it.lane.jj = vt >> log2p;
    it.lane.per_wg = 1u << log2p;
    it.lane.log2l = log2l;
    it.lane.axis = 1u;
    let groups = n >> log2l;
    let q = (wgx << log2p) + it.lane.item;
    it.ok = q < fft_step_params.fields * n * groups;
    let rest = q >> log2n;
    it.j = rest & (groups - 1u);
    it.base = ((rest >> (log2n - log2l)) << (2u * log2n)) + (q & (n - 1u));
    return it;
}

fn wide_load(v: ptr<function, array<vec2<f32>, 16>>, it: WideItem, log2n: u32, log2l: u32, span: u32, conj_in: bool) {
    let n = 1u << log2n;
    let jj = it.lane.jj;
    for (var r = 0u; r < 16u; r++) {
        let p = jj + (r << (log2l - 4u));
        var x = vec2<f32>(0.0, 0.0);
        if it.ok {
            x = fft_step_src[it.base + ((it.j + (p << (log2n - log2l))) << log2n)];
        }
        if conj_in {
            x.y = -x.y;
        }
        (*v)[r] = x;
    }
    if span != 1u {
        let jm = it.j & (span - 1u);
        let step_tw = jm << (log2n - log2l - countTrailingZeros(span));
        twiddle_run(v, twiddle(step_tw * jj, n), step_tw << (log2l - 4u), n);
    }
}

// Arrival position of register idx: the next radix-16 sub-step (tail = 0) or the tail.
fn wide_arrive(jj: u32, log2l: u32, tail: u32, idx: u32) -> u32 {
    if tail == 0u {
        return jj + (idx << (log2l - 4u));
    }
    return in_tail(jj, log2l, tail, idx);
}

// Both virtual invocations' registers through workgroup memory (see `exchange`): they
// leave from the outputs of the radix-16 sub-step of span 2^ls.
fn wide_exchange(
    l0: Lane,
    l1: Lane,
    v0: ptr<function, array<vec2<f32>, 16>>,
    v1: ptr<function, array<vec2<f32>, 16>>,
    ls: u32,
    tail: u32,
) {
    let log2l = l0.log2l;
    workgroupBarrier();
    for (var idx = 0u; idx < 16u; idx++) {
        fft_exchange_wide[slot(l0, out16(l0.jj, ls, idx))] = (*v0)[idx].x;
        fft_exchange_wide[slot(l1, out16(l1.jj, ls, idx))] = (*v1)[idx].x;
    }
    workgroupBarrier();
    for (var idx = 0u; idx < 16u; idx++) {
        (*v0)[idx].x = fft_exchange_wide[slot(l0, wide_arrive(l0.jj, log2l, tail, idx))];
        (*v1)[idx].x = fft_exchange_wide[slot(l1, wide_arrive(l1.jj, log2l, tail, idx))];
    }
    workgroupBarrier();
    for (var idx = 0u; idx < 16u; idx++) {
        fft_exchange_wide[slot(l0, out16(l0.jj, ls, idx))] = (*v0)[idx].y;
        fft_exchange_wide[slot(l1, out16(l1.jj, ls, idx))] = (*v1)[idx].y;
    }
    workgroupBarrier();
    for (var idx = 0u; idx < 16u; idx++) {
        (*v0)[idx].y = fft_exchange_wide[slot(l0, wide_arrive(l0.jj, log2l, tail, idx))];
        (*v1)[idx].y = fft_exchange_wide[slot(l1, wide_arrive(l1.jj, log2l, tail, idx))];
    }
}

fn wide_tail(v: ptr<function, array<vec2<f32>, 16>>, jj: u32, log2l: u32, log2n: u32, tail: u32) {
    tail_twiddles(v, jj, log2l, log2n, tail);
    if tail == 3u {
        dft8_pair(v);
    } else if tail == 2u {
        dft4_quad(v);
    } else {
        dft2_octet(v);
    }
}

fn wide_store(v: ptr<function, array<vec2<f32>, 16>>, it: WideItem, log2n: u32, span: u32, ls: u32, tail: u32, conj_out: bool) {
    if !it.ok {
        return;
    }
    let n = 1u << log2n;
    let log2l = it.lane.log2l;
    let jj = it.lane.jj;
    let scale = select(1.0, 1.0 / f32(n), conj_out);
    let jm = it.j & (span - 1u);
    let origin = ((it.j - jm) << log2l) + jm;
    for (var idx = 0u; idx < 16u; idx++) {
        var pos = out16(jj, ls, idx);
        if tail > 0u {
            let g = jj + ((idx >> tail) << (log2l - 4u));
            pos = g + ((idx & ((1u << tail) - 1u)) << (log2l - tail));
        }
        var y = (*v)[idx] * scale;
        if conj_out {
            y.y = -y.y;
        }
        fft_step_dst[it.base + ((origin + pos * span) << log2n)] = y;
    }
}

fn fft_step_wide(wgx: u32, t: u32, n: u32, radix: u32) {
    let span = fft_step_params.span;
    let log2n = countTrailingZeros(n);
    let log2l = countTrailingZeros(radix);
    // Items (columns × groups) over all fields, 2^(13 − log2l) per wide tile.
    let items = fft_step_params.fields * n * (n >> log2l);
    let log2p = FFT_WIDE_LOG2_TILE - log2l;
    if wgx >= ((items + (1u << log2p) - 1u) >> log2p) {
        return;
    }
    let first = span == 1u;
    let last = span * radix == n;
    let conj_in = fft_step_params.inverse == 1u && first;
    let conj_out = fft_step_params.inverse == 1u && last;
    let i0 = wide_item(t, wgx, log2n, log2l);
    let i1 = wide_item(t + 256u, wgx, log2n, log2l);
    var v0: array<vec2<f32>, 16>;
    var v1: array<vec2<f32>, 16>;
    wide_load(&v0, i0, log2n, log2l, span, conj_in);
    wide_load(&v1, i1, log2n, log2l, span, conj_in);
    let sixteens = log2l >> 2u;
    let tail = log2l & 3u;
    for (var s = 0u; s < sixteens; s++) {
        let ls = 4u * s;
        if s > 0u {
            wide_exchange(i0.lane, i1.lane, &v0, &v1, ls - 4u, 0u);
            twiddle_run(&v0, vec2<f32>(1.0, 0.0), (i0.lane.jj & ((1u << ls) - 1u)) << (log2n - ls - 4u), n);
            twiddle_run(&v1, vec2<f32>(1.0, 0.0), (i1.lane.jj & ((1u << ls) - 1u)) << (log2n - ls - 4u), n);
        }
        dft16(&v0);
        dft16(&v1);
    }
    let ls_last = 4u * (sixteens - 1u);
    if tail > 0u {
        wide_exchange(i0.lane, i1.lane, &v0, &v1, ls_last, tail);
        wide_tail(&v0, i0.lane.jj, log2l, log2n, tail);
        wide_tail(&v1, i1.lane.jj, log2l, log2n, tail);
    }
    wide_store(&v0, i0, log2n, span, ls_last, tail, conj_out);
    wide_store(&v1, i1, log2n, span, ls_last, tail, conj_out);
}

@compute @workgroup_size(256)
fn fft_step(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) t: u32) {
    let spec = FFT_SPEC_N != 0u;
    let n = select(fft_step_params.n, FFT_SPEC_N, spec);
    let radix = select(fft_step_params.radix, FFT_SPEC_RADIX, spec);
    let axis = select(fft_step_params.axis, FFT_SPEC_AXIS, spec);
    if spec && FFT_SPEC_WIDE == 1u {
        fft_step_wide(wg.x, t, n, radix);
        return;
    }
    let span = fft_step_params.span;
    let log2n = countTrailingZeros(n);
    let log2l = countTrailingZeros(radix);
    let per_wg = FFT_TILE >> log2l;
    let lanes_per_item = radix >> 4u;
    var lane: Lane;
    lane.per_wg = per_wg;
    lane.log2l = log2l;
    lane.axis = axis;
    if axis == 0u {
        lane.item = t >> (log2l - 4u);
        lane.jj = t & (lanes_per_item - 1u);
    } else {
        lane.item = t & (per_wg - 1u);
        lane.jj = t >> countTrailingZeros(per_wg);
    }
    let jj = lane.jj;

    // The item: group j of a line. Rows: q = line·G + j; columns: q = (field·G + j)·n + column.
    let groups = n >> log2l;
    let q = wg.x * per_wg + lane.item;
    let in_batch = q < fft_step_params.fields * n * groups;
    var base = 0u;
    var stride = 1u;
    var j = 0u;
    if axis == 0u {
        j = q & (groups - 1u);
        base = (q >> (log2n - log2l)) << log2n;
    } else {
        let rest = q >> log2n;
        j = rest & (groups - 1u);
        base = ((rest >> (log2n - log2l)) << (2u * log2n)) + (q & (n - 1u));
        stride = n;
    }
    let jm = j & (span - 1u);
    let first = span == 1u;
    let last = span * radix == n;
    let conj_in = fft_step_params.inverse == 1u && first;
    let conj_out = fft_step_params.inverse == 1u && last;

    // Load the first sub-step's inputs p = jj + r·L/16 (element j + p·n/L), with the step
    // twiddle W_n^{jm·p·n/(Ns·L)}.
    var v: array<vec2<f32>, 16>;
    let step_tw = jm << (log2n - log2l - countTrailingZeros(span));
    for (var r = 0u; r < 16u; r++) {
        let p = jj + (r << (log2l - 4u));
        var x = vec2<f32>(0.0, 0.0);
        if in_batch {
            x = fft_step_src[base + (j + (p << (log2n - log2l))) * stride];
        }
        if conj_in {
            x.y = -x.y;
        }
        v[r] = x;
    }
    if !first {
        // W_n^{step_tw·p} with p = jj + r·L/16: base W_n^{step_tw·jj}, ratio W_n^{step_tw·L/16}.
        twiddle_run(&v, twiddle(step_tw * jj, n), step_tw << (log2l - 4u), n);
    }

    // Radix-16 sub-steps of span 2^ls (ls = 0, 4, 8); twiddle W_{16·2^ls}^{(jj mod 2^ls)·r}.
    let sixteens = log2l >> 2u;
    let tail = log2l & 3u;
    // leave[idx]: the position (within the L-point DFT) register idx now holds.
    var leave: array<u32, 16>;
    for (var s = 0u; s < sixteens; s++) {
        let ls = 4u * s;
        if s > 0u {
            var arrive: array<u32, 16>;
            for (var r = 0u; r < 16u; r++) {
                arrive[r] = jj + (r << (log2l - 4u));
            }
            exchange(lane, &v, leave, arrive);
            let inner = (jj & ((1u << ls) - 1u)) << (log2n - ls - 4u);
            twiddle_run(&v, vec2<f32>(1.0, 0.0), inner, n);
        }
        dft16(&v);
        for (var r = 0u; r < 16u; r++) {
            leave[r] = out16(jj, ls, r);
        }
    }

    // Radix-2^tail sub-step of span L/R on groups g = jj + u·L/16: twiddle W_L^{g·r}.
    if tail > 0u {
        var arrive: array<u32, 16>;
        for (var idx = 0u; idx < 16u; idx++) {
            arrive[idx] = in_tail(jj, log2l, tail, idx);
        }
        exchange(lane, &v, leave, arrive);
        for (var idx = 0u; idx < 16u; idx++) {
            let g = jj + ((idx >> tail) << (log2l - 4u));
            let r = idx & ((1u << tail) - 1u);
            leave[idx] = g + (r << (log2l - tail));
        }
        tail_twiddles(&v, jj, log2l, log2n, tail);
        if tail == 3u {
            dft8_pair(&v);
        } else if tail == 2u {
            dft4_quad(&v);
        } else {
            dft2_octet(&v);
        }
    }

    // Store position q of the L-point DFT at (j − jm)·L + jm + q·Ns.
    if in_batch {
        let scale = select(1.0, 1.0 / f32(n), conj_out);
        let origin = ((j - jm) << log2l) + jm;
        for (var idx = 0u; idx < 16u; idx++) {
            var y = v[idx] * scale;
            if conj_out {
                y.y = -y.y;
            }
            fft_step_dst[base + (origin + leave[idx] * span) * stride] = y;
        }
    }
}
