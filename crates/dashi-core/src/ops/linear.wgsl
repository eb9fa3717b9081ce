// Linear algebra in the row-vector convention: out = z · A, A row-major (a[i*cols + j]).

// ---------------------------------------------------------------------------------
// gemv_row: out[j] = Σ_i z[i] · a[i*cols + j].
// Latency, not bandwidth, bounds one step (A is 1.7 MB and stays in L2), so the
// kernel maximises independent loads in flight: a workgroup (8, 32) covers 8 columns;
// invocation (x, y) sums rows i ≡ y (mod 32) of column 8·wg + x into eight
// independent accumulators (8 loads per trip), then the 32 partial sums of a column
// are combined by a fixed 5-level tree in workgroup memory. At D = 654 that is 82
// workgroups and ~21 rows (three trips) per invocation. Summation order differs from
// the CPU reference (ascending i): parity tolerance is stated in the tests.
@group(0) @binding(0) var<storage, read> gemv_row_z: array<f32>;
@group(0) @binding(1) var<storage, read> gemv_row_a: array<f32>;
@group(0) @binding(2) var<storage, read_write> gemv_row_out: array<f32>;
@group(0) @binding(3) var<uniform> gemv_row_params: GemvParams;

var<workgroup> gemv_partial: array<f32, 256>;

@compute @workgroup_size(8, 32)
fn gemv_row(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
    let rows = gemv_row_params.rows;
    let cols = gemv_row_params.cols;
    let j = wg.x * 8u + lid.x;
    var acc = array<f32, 8>(0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0);
    if j < cols {
        var i = lid.y;
        loop {
            if i + 224u >= rows { break; }
            let a0 = gemv_row_a[i * cols + j];
            let a1 = gemv_row_a[(i + 32u) * cols + j];
            let a2 = gemv_row_a[(i + 64u) * cols + j];
            let a3 = gemv_row_a[(i + 96u) * cols + j];
            let a4 = gemv_row_a[(i + 128u) * cols + j];
            let a5 = gemv_row_a[(i + 160u) * cols + j];
            let a6 = gemv_row_a[(i + 192u) * cols + j];
            let a7 = gemv_row_a[(i + 224u) * cols + j];
            acc[0] += gemv_row_z[i] * a0;
            acc[1] += gemv_row_z[i + 32u] * a1;
            acc[2] += gemv_row_z[i + 64u] * a2;
            acc[3] += gemv_row_z[i + 96u] * a3;
            acc[4] += gemv_row_z[i + 128u] * a4;
            acc[5] += gemv_row_z[i + 160u] * a5;
            acc[6] += gemv_row_z[i + 192u] * a6;
            acc[7] += gemv_row_z[i + 224u] * a7;
            i += 256u;
        }
        loop {
            if i >= rows { break; }
            acc[0] += gemv_row_z[i] * gemv_row_a[i * cols + j];
            i += 32u;
        }
    }
    let t = lid.y * 8u + lid.x;
    gemv_partial[t] = ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
    workgroupBarrier();
    for (var half = 16u; half > 0u; half >>= 1u) {
        if lid.y < half {
            gemv_partial[t] += gemv_partial[t + half * 8u];
        }
        workgroupBarrier();
    }
    if lid.y == 0u && j < cols {
        gemv_row_out[j] = gemv_partial[lid.x];
    }
}

// ---------------------------------------------------------------------------------
// gemm_batched: out[m*cols + j] = Σ_i z[m*rows + i] · a[i*cols + j]  (M = batch states).
// Register-tiled SGEMM. A workgroup of 256 invocations computes a 128×64 tile of
// `out`; invocation (tx, ty) = (t % 16, t / 16) owns rows ty·8 … ty·8+7 and columns
// tx·4 … tx·4+3 as eight vec4 accumulators. The inner dimension advances 16 at a time
// through workgroup memory: Z's tile stored transposed ([k][m], so an invocation's 8
// rows are two vec4 reads; each vec4 slot is written whole by one invocation) and A's tile as [k][n] (one vec4 read); each k then costs
// 3 vec4 loads for 32 multiply-adds. 128×64 tiles keep ~40 registers of accumulators
// per invocation (several workgroups per SM) and waste ≤ 7% on D = 654 columns. Edge
// tiles are zero-padded on load; stores are bounds-checked.
@group(0) @binding(0) var<storage, read> gemm_batched_z: array<f32>;
@group(0) @binding(1) var<storage, read> gemm_batched_a: array<f32>;
@group(0) @binding(2) var<storage, read_write> gemm_batched_out: array<f32>;
@group(0) @binding(3) var<uniform> gemm_batched_params: GemmParams;

const TILE_M: u32 = 128u;
const TILE_N: u32 = 64u;
const TILE_K: u32 = 16u;

var<workgroup> gemm_tile_z: array<vec4<f32>, 512>; // [TILE_K][TILE_M / 4]
var<workgroup> gemm_tile_a: array<vec4<f32>, 256>; // [TILE_K][TILE_N / 4]

// Loads the Z values an invocation contributes to the tile at k0: rows
// row0 + 4·(t/16 + 16e) … +3 at column k0 + t%16, for e = 0, 1 (zero outside).
fn gemm_z_lane(batch: u32, inner: u32, row0: u32, k: u32, mq: u32, lane: u32) -> u32 {
    // Index into Z, or u32::MAX when the element is padding.
    let m = row0 + mq * 4u + lane;
    if m < batch && k < inner {
        return m * inner + k;
    }
    return 0xffffffffu;
}

@compute @workgroup_size(16, 16)
fn gemm_batched(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) t: u32) {
    let batch = gemm_batched_params.batch;
    let inner = gemm_batched_params.rows;
    let cols = gemm_batched_params.cols;
    let row0 = wg.y * TILE_M;
    let col0 = wg.x * TILE_N;
    let tx = t % 16u;
    let ty = t / 16u;
    var acc0 = vec4<f32>(0.0);
    var acc1 = vec4<f32>(0.0);
    var acc2 = vec4<f32>(0.0);
    var acc3 = vec4<f32>(0.0);
    var acc4 = vec4<f32>(0.0);
    var acc5 = vec4<f32>(0.0);
    var acc6 = vec4<f32>(0.0);
    var acc7 = vec4<f32>(0.0);
    // Loaders. Z: invocation t fills whole vec4 slots of the transposed tile — four
    // consecutive rows at one k (k = t % 16, so 16 neighbours read 16 consecutive k
    // of a row) — for rows quads t/16 and t/16 + 16. A: 4 consecutive n of row t/16.
    // The next tile's values are fetched into registers while the current tile is
    // multiplied (software pipelining), so global latency overlaps arithmetic.
    let zk = t % 16u;
    let ak = t / 16u;
    let an = tx * 4u;
    var z_lo = vec4<f32>(0.0);
    var z_hi = vec4<f32>(0.0);
    var a_next = vec4<f32>(0.0);
    for (var k0 = 0u; k0 < inner + TILE_K; k0 += TILE_K) {
        if k0 > 0u {
            gemm_tile_z[zk * (TILE_M / 4u) + ty] = z_lo;
            gemm_tile_z[zk * (TILE_M / 4u) + ty + 16u] = z_hi;
            gemm_tile_a[ak * (TILE_N / 4u) + tx] = a_next;
        }
        workgroupBarrier();
        if k0 < inner {
            for (var lane = 0u; lane < 4u; lane++) {
                let lo = gemm_z_lane(batch, inner, row0, k0 + zk, ty, lane);
                let hi = gemm_z_lane(batch, inner, row0, k0 + zk, ty + 16u, lane);
                z_lo[lane] = select(0.0, gemm_batched_z[min(lo, arrayLength(&gemm_batched_z) - 1u)], lo != 0xffffffffu);
                z_hi[lane] = select(0.0, gemm_batched_z[min(hi, arrayLength(&gemm_batched_z) - 1u)], hi != 0xffffffffu);
            }
            let kk = k0 + ak;
            for (var e = 0u; e < 4u; e++) {
                let n = col0 + an + e;
                let ok = kk < inner && n < cols;
                a_next[e] = select(0.0, gemm_batched_a[select(0u, kk * cols + n, ok)], ok);
            }
        }
        if k0 > 0u {
            for (var k = 0u; k < TILE_K; k++) {
                let zlo = gemm_tile_z[k * (TILE_M / 4u) + ty * 2u];
                let zhi = gemm_tile_z[k * (TILE_M / 4u) + ty * 2u + 1u];
                let b = gemm_tile_a[k * (TILE_N / 4u) + tx];
                acc0 += zlo.x * b;
                acc1 += zlo.y * b;
                acc2 += zlo.z * b;
                acc3 += zlo.w * b;
                acc4 += zhi.x * b;
                acc5 += zhi.y * b;
                acc6 += zhi.z * b;
                acc7 += zhi.w * b;
            }
        }
        workgroupBarrier();
    }
    let accs = array<vec4<f32>, 8>(acc0, acc1, acc2, acc3, acc4, acc5, acc6, acc7);
    for (var r = 0u; r < 8u; r++) {
        let m = row0 + ty * 8u + r;
        if m < batch {
            for (var c = 0u; c < 4u; c++) {
                let n = col0 + tx * 4u + c;
                if n < cols {
                    gemm_batched_out[m * cols + n] = accs[r][c];
                }
            }
        }
    }
}
