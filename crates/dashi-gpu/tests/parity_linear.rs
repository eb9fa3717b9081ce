//! GPU vs CPU parity of the linear ops (gemv_row, gemm_batched) and the element-wise
//! ops, on fresh random inputs with poisoned outputs.

use dashi_core::ops::*;
use dashi_core::random::SplitMix64;
use dashi_gpu::{GpuExecutor, gpu_or_skip};

fn random(g: &mut SplitMix64, n: usize) -> Vec<f64> {
    (0..n).map(|_| g.uniform(-1.0, 1.0)).collect()
}

fn f32_round(v: &[f64]) -> Vec<f64> {
    v.iter().map(|&x| f64::from(x as f32)).collect()
}

/// Runs `op` on both executors with the same inputs (real buffers: `inputs`, the
/// output poisoned with 12345) and returns (gpu, cpu f64 on the f32-rounded inputs).
fn both(
    gpu: &mut GpuExecutor,
    op: &'static OpSpec,
    inputs: &[Vec<f64>],
    out_len: usize,
    params: &[u8],
) -> (Vec<f64>, Vec<f64>) {
    let mut cpu = CpuExecutor::new(Precision::F64);
    let mut results = Vec::new();
    for exec in [gpu as &mut dyn ExecutorDyn, &mut cpu as &mut dyn ExecutorDyn] {
        let mut ids = Vec::new();
        for v in inputs {
            let id = exec.alloc_dyn(v.len());
            exec.upload_dyn(id, &f32_round(v));
            ids.push(id);
        }
        let out = exec.alloc_dyn(out_len);
        exec.upload_dyn(out, &vec![12345.0; out_len]);
        ids.push(out);
        exec.enqueue_dyn(op, &ids, params);
        results.push(exec.download_dyn(out));
    }
    let cpu_result = results.pop().unwrap();
    (results.pop().unwrap(), cpu_result)
}

/// Object-safe shim over the two executors (the trait's typed `run` is generic).
trait ExecutorDyn {
    fn alloc_dyn(&mut self, len: usize) -> BufferId;
    fn upload_dyn(&mut self, id: BufferId, v: &[f64]);
    fn enqueue_dyn(&mut self, op: &'static OpSpec, ids: &[BufferId], params: &[u8]);
    fn download_dyn(&mut self, id: BufferId) -> Vec<f64>;
}

impl<E: Executor> ExecutorDyn for E {
    fn alloc_dyn(&mut self, len: usize) -> BufferId {
        self.alloc(ElemType::Real, len).unwrap()
    }
    fn upload_dyn(&mut self, id: BufferId, v: &[f64]) {
        self.upload_real(id, v).unwrap()
    }
    fn enqueue_dyn(&mut self, op: &'static OpSpec, ids: &[BufferId], params: &[u8]) {
        self.enqueue(op, ids, params).unwrap()
    }
    fn download_dyn(&mut self, id: BufferId) -> Vec<f64> {
        self.download_real(id).unwrap()
    }
}

/// |gpu − cpu| ≤ tol · Σ_i |z_i·a_ij| per element: f32 accumulation of `k` terms in
/// any order errs by at most ≈ k·2⁻²⁴ times the sum of magnitudes (Higham's bound);
/// we test the much tighter `tol = 8·2⁻²⁴·√k`-style bound the pairwise/blocked order
/// achieves in practice, with `tol` given by the caller.
fn assert_close(gpu: &[f64], cpu: &[f64], magnitude: &[f64], tol: f64, what: &str) {
    for (j, ((g, c), m)) in gpu.iter().zip(cpu).zip(magnitude).enumerate() {
        assert!((g - c).abs() <= tol * m.max(f64::MIN_POSITIVE), "{what}: element {j}: gpu {g} cpu {c} (scale {m})");
    }
}

#[test]
fn gemv_row_matches_cpu() {
    let Some(mut gpu) = gpu_or_skip("gemv_row_matches_cpu") else { return };
    let mut g = SplitMix64::new(11);
    for (rows, cols) in [(1, 1), (1, 17), (17, 1), (3, 5), (64, 64), (65, 63), (654, 654), (1000, 33)] {
        let z = random(&mut g, rows);
        let a = random(&mut g, rows * cols);
        let params = GemvParams::new(rows as u32, cols as u32);
        let (got, want) = both(&mut gpu, &GEMV_ROW, &[z.clone(), a.clone()], cols, bytemuck::bytes_of(&params));
        let magnitude: Vec<f64> = (0..cols).map(|j| (0..rows).map(|i| (z[i] * a[i * cols + j]).abs()).sum()).collect();
        // f32 sums of `rows` products: the kernel splits them into 32 strided partial
        // sums of 8 interleaved accumulators and adds those by a 5-level tree, so each
        // term passes through ≈ rows/256 + 3 + 5 additions; 2⁻²⁴·8·(4 + log₂ rows)·Σ|terms|
        // bounds that for every size tested (rows ≤ 1000).
        let tol = 2f64.powi(-24) * 8.0 * (4.0 + (rows as f64).log2());
        assert_close(&got, &want, &magnitude, tol, &format!("gemv {rows}×{cols}"));
    }
}

#[test]
fn gemm_batched_matches_cpu() {
    let Some(mut gpu) = gpu_or_skip("gemm_batched_matches_cpu") else { return };
    let mut g = SplitMix64::new(12);
    for (batch, rows, cols) in [(1, 1, 1), (1, 654, 654), (5, 3, 7), (64, 16, 64), (65, 17, 63), (130, 100, 70)] {
        let z = random(&mut g, batch * rows);
        let a = random(&mut g, rows * cols);
        let params = GemmParams::new(batch as u32, rows as u32, cols as u32);
        let (got, want) =
            both(&mut gpu, &GEMM_BATCHED, &[z.clone(), a.clone()], batch * cols, bytemuck::bytes_of(&params));
        let magnitude: Vec<f64> = (0..batch * cols)
            .map(|e| {
                let (m, j) = (e / cols, e % cols);
                (0..rows).map(|i| (z[m * rows + i] * a[i * cols + j]).abs()).sum()
            })
            .collect();
        // Each output is a sequential f32 sum over k (tiles of 16): error ≤ rows·2⁻²⁴·Σ|terms|.
        let tol = 2f64.powi(-24) * (rows as f64 + 1.0);
        assert_close(&got, &want, &magnitude, tol, &format!("gemm {batch}×{rows}×{cols}"));
    }
}

#[test]
fn elementwise_ops_match_cpu() {
    let Some(mut gpu) = gpu_or_skip("elementwise_ops_match_cpu") else { return };
    let mut g = SplitMix64::new(13);
    for n in [1usize, 7, 255, 256, 257, 100_003] {
        let x = random(&mut g, n);
        let y = random(&mut g, n);
        let len = LenParams::new(n as u32);
        // add and mul round once in f32: the GPU result is the f32 rounding of the
        // exact f64 result of the f32 inputs, so |gpu − cpu| ≤ 2⁻²⁴·|cpu|.
        for op in [&ADD, &MUL] {
            let (got, want) = both(&mut gpu, op, &[x.clone(), y.clone()], n, bytemuck::bytes_of(&len));
            let magnitude: Vec<f64> = want.iter().map(|v| v.abs()).collect();
            assert_close(&got, &want, &magnitude, 2f64.powi(-24), op.name);
        }
        // axpy and scale, in place: run on both and compare y.
        let mut cpu = CpuExecutor::new(Precision::F64);
        let alpha = g.uniform(-2.0, 2.0) as f32;
        let mut outs = Vec::new();
        for exec in [&mut gpu as &mut dyn ExecutorDyn, &mut cpu as &mut dyn ExecutorDyn] {
            let (bx, by) = (exec.alloc_dyn(n), exec.alloc_dyn(n));
            exec.upload_dyn(bx, &f32_round(&x));
            exec.upload_dyn(by, &f32_round(&y));
            exec.enqueue_dyn(&AXPY, &[bx, by], bytemuck::bytes_of(&ScalarParams::new(n as u32, alpha)));
            exec.enqueue_dyn(&SCALE, &[by], bytemuck::bytes_of(&ScalarParams::new(n as u32, 0.5)));
            outs.push(exec.download_dyn(by));
        }
        // Two f32 roundings (a·x + y, then ·0.5 exact): ≤ 2·2⁻²⁴·(|a·x| + |y|).
        let magnitude: Vec<f64> = x.iter().zip(&y).map(|(xv, yv)| (f64::from(alpha) * xv).abs() + yv.abs()).collect();
        assert_close(&outs[0], &outs[1], &magnitude, 2.0 * 2f64.powi(-24), "axpy+scale");
    }
}
