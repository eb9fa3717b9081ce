//! GPU rollout (f32 on the device, core's `rollout_on` / `DeviceRollout`) against the
//! CPU reference (f64).

use dashi_core::linear::{
    HashObserver, LinearOperator, RolloutError, SnapshotObserver, random_orthogonal, rollout, rollout_on,
};
use dashi_core::random::SplitMix64;
use dashi_gpu::{GpuExecutor, gpu_or_skip};

/// One trajectory on the device (`gemv_row` chains).
fn gpu_rollout(
    gpu: &mut GpuExecutor,
    op: &LinearOperator<f64>,
    z0: &[f64],
    steps: u64,
    stride: u64,
    observer: &mut (impl dashi_core::linear::Observer<f64> + ?Sized),
) -> Result<dashi_core::linear::RolloutSummary<f64>, RolloutError> {
    rollout_on(gpu, op, z0, 1, steps, stride, observer)
}

/// `batch` trajectories on the device (`gemm_batched` chains).
fn rollout_batched(
    gpu: &mut GpuExecutor,
    op: &LinearOperator<f64>,
    z0: &[f64],
    batch: usize,
    steps: u64,
    stride: u64,
    observer: &mut (impl dashi_core::linear::Observer<f64> + ?Sized),
) -> Result<dashi_core::linear::RolloutSummary<f64>, RolloutError> {
    rollout_on(gpu, op, z0, batch, steps, stride, observer)
}

fn rel_l2(a: &[f64], b: &[f64]) -> f64 {
    let num: f64 = a.iter().zip(b).map(|(x, y)| (x - y) * (x - y)).sum();
    (num / b.iter().map(|y| y * y).sum::<f64>()).sqrt()
}

/// The device holds f32: every observed (f64) state must be exactly an f32 value.
fn widen(v: &[f64]) -> Vec<f64> {
    assert!(v.iter().all(|&x| f64::from(x as f32) == x), "an observed device state is not f32");
    v.to_vec()
}

/// D = 654, A = random orthogonal × 0.9999, 20,000 steps, f32 on the device against
/// the f64 CPU reference. Tolerance: the dominant error is systematic — A itself is
/// rounded to f32 (`‖δA‖ ≲ 2⁻²⁴·‖A‖`), and `z·(A+δA)^t − z·A^t` grows at most linearly,
/// `≤ t·‖δA‖ ≈ 20,000 · 6e-8 = 1.2e-3` relative; per-step rounding of the 654-term sums
/// adds a random walk (≈ 2⁻²⁴·√(D·t) ≈ 2e-4). We require ≤ 2e-3. Measured: 2.4e-5 at
/// t = 20,000 on lavapipe and 2.0e-5 on an H200, growing linearly as predicted. Hashes
/// at every stride are printed per backend (they differ by design: f32 vs f64).
#[test]
fn gpu_rollout_tracks_the_f64_reference_for_20000_steps() {
    let Some(mut gpu) = gpu_or_skip("gpu_rollout_tracks_the_f64_reference_for_20000_steps") else { return };
    let d = 654;
    let op = random_orthogonal(d, 42, 0.9999).unwrap();
    let mut g = SplitMix64::new(3);
    let z0: Vec<f64> = (0..d).map(|_| g.normal()).collect();
    let (steps, stride) = (20_000u64, 2_000u64);
    let mut cpu = (SnapshotObserver::default(), HashObserver::default());
    rollout(&mut op.clone(), &z0, steps, stride, &mut cpu).unwrap();
    let mut dev = (SnapshotObserver::<f64>::default(), HashObserver::default());
    let summary = gpu_rollout(&mut gpu, &op, &z0, steps, stride, &mut dev).unwrap();
    assert_eq!(summary.observations, 10);
    let mut worst = 0.0f64;
    for (((t, c), (tg, gs)), ((_, hc), (_, hg))) in
        cpu.0.snapshots.iter().zip(&dev.0.snapshots).zip(cpu.1.hashes.iter().zip(&dev.1.hashes))
    {
        assert_eq!(t, tg);
        let e = rel_l2(&widen(gs), c);
        worst = worst.max(e);
        println!("t = {t:>6}: rel-L2 {e:.3e}   hash cpu(f64) {hc}   hash {}(f32) {hg}", gpu.adapter().name);
    }
    assert!(worst <= 2e-3, "worst rel-L2 {worst}");
    let timings = dashi_core::ops::Executor::timings(&gpu);
    let gemv = timings.iter().find(|t| t.op == "gemv_row").expect("gemv timed");
    assert_eq!(gemv.dispatches, 20_000, "one gemv per step, no more");
}

#[test]
fn batched_rollout_matches_per_trajectory_reference() {
    let Some(mut gpu) = gpu_or_skip("batched_rollout_matches_per_trajectory_reference") else { return };
    let (d, m) = (70, 5);
    let op = random_orthogonal(d, 7, 0.999).unwrap();
    let mut g = SplitMix64::new(8);
    let z0: Vec<f64> = (0..m * d).map(|_| g.normal()).collect();
    let mut dev = SnapshotObserver::<f64>::default();
    let summary = rollout_batched(&mut gpu, &op, &z0, m, 300, 100, &mut dev).unwrap();
    assert_eq!(dev.snapshots.len(), 3);
    for k in 0..m {
        let mut cpu = SnapshotObserver::default();
        rollout(&mut op.clone(), &z0[k * d..(k + 1) * d], 300, 100, &mut cpu).unwrap();
        for ((t, c), (_, gs)) in cpu.snapshots.iter().zip(&dev.snapshots) {
            let e = rel_l2(&widen(&gs[k * d..(k + 1) * d]), c);
            // 2⁻²⁴·√(D·t) ≈ 1e-5 at t = 300; 1e-4 leaves margin for the rounding of A.
            assert!(e < 1e-4, "trajectory {k} t {t}: {e}");
        }
        assert!(rel_l2(&widen(&summary.final_state[k * d..(k + 1) * d]), &cpu.snapshots[2].1) < 1e-4);
    }
}

#[test]
fn overflow_is_reported_at_the_observed_step() {
    let Some(mut gpu) = gpu_or_skip("overflow_is_reported_at_the_observed_step") else { return };
    // z·(10 I)^t with z = 1e30 passes f32::MAX (3.4e38) at t = 9.
    let op = LinearOperator::new(2, vec![10.0, 0.0, 0.0, 10.0]).unwrap();
    let err = gpu_rollout(&mut gpu, &op, &[1e30, 1.0], 20, 1, &mut HashObserver::default()).unwrap_err();
    assert!(matches!(err, RolloutError::NonFinite { step: 9, index: 0, .. }), "{err:?}");
    let err = gpu_rollout(&mut gpu, &op, &[1e30, 1.0], 20, 4, &mut HashObserver::default()).unwrap_err();
    assert!(matches!(err, RolloutError::NonFinite { step: 12, .. }), "{err:?}");
    let err = gpu_rollout(&mut gpu, &op, &[1.0, 1.0], 20, 0, &mut HashObserver::default()).unwrap_err();
    assert_eq!(err, RolloutError::ZeroStride);
    let err = rollout_batched(&mut gpu, &op, &[1.0; 3], 2, 20, 1, &mut HashObserver::default()).unwrap_err();
    assert!(matches!(err, RolloutError::Operator(_)), "{err:?}");
}
