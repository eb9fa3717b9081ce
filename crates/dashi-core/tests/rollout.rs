//! Linear rollout: stride jumping, power ladder, parallel stepping, NaN/Inf guard.

use dashi_core::linear::{
    HashObserver, LinearOperator, MetricsObserver, OperatorError, ParallelStepper, PowerLadder, RolloutError,
    SnapshotObserver, Step, Stepper, StrideJump, random_orthogonal, rollout,
};
use dashi_core::random::SplitMix64;
use dashi_core::state_hash;
use proptest::prelude::*;

const D: usize = 654;

fn z0(d: usize, seed: u64) -> Vec<f64> {
    let mut g = SplitMix64::new(seed);
    (0..d).map(|_| g.normal()).collect()
}

fn rel_l2(a: &[f64], b: &[f64]) -> f64 {
    let num: f64 = a.iter().zip(b).map(|(x, y)| (x - y) * (x - y)).sum();
    let den: f64 = b.iter().map(|y| y * y).sum();
    (num / den).sqrt()
}

/// D = 654, A = random orthogonal × 0.9999, s = 200, 20 snapshots: stride jumping by
/// A^200 agrees with 4000 plain steps to ≤ 1e-10 relative at every snapshot. The
/// observed difference (printed) is rounding: A^200 by 8 squarings loses a few ulps
/// per product, amplified at most by ‖A‖ ≤ 1 — about 1e-13 here.
#[test]
fn stride_jumping_matches_plain_stepping() {
    let op = random_orthogonal(D, 1, 0.9999).unwrap();
    let z = z0(D, 2);
    let (s, snaps) = (200u64, 20u64);
    let mut plain = SnapshotObserver::default();
    let mut stepper = Stepper::for_operator(&op);
    rollout(&mut stepper, &z, s * snaps, s, &mut plain).unwrap();
    let mut jumped = SnapshotObserver::default();
    let summary = StrideJump::new(&op, s).unwrap().rollout(&z, s * snaps, &mut jumped).unwrap();
    assert_eq!(summary.applications, snaps);
    assert_eq!(plain.snapshots.len(), 20);
    assert_eq!(jumped.snapshots.len(), 20);
    let mut worst = 0.0f64;
    for ((tp, a), (tj, b)) in plain.snapshots.iter().zip(&jumped.snapshots) {
        assert_eq!(tp, tj);
        worst = worst.max(rel_l2(b, a));
    }
    println!("stride jumping vs plain: worst rel-L2 over 20 snapshots = {worst:.3e}");
    assert!(worst <= 1e-10, "worst {worst}");
    // Orthogonality check of the test operator itself: ‖z·A^4000‖ = 0.9999^4000 ‖z‖.
    let norm = |v: &[f64]| v.iter().map(|x| x * x).sum::<f64>().sqrt();
    let expected = 0.9999f64.powi(4000) * norm(&z);
    assert!((norm(&plain.snapshots[19].1) / expected - 1.0).abs() < 1e-9);
}

#[test]
fn stride_jumping_handles_a_remainder_and_the_ladder_jumps_anywhere() {
    let op = random_orthogonal(40, 3, 0.999).unwrap();
    let z = z0(40, 4);
    let mut plain = SnapshotObserver::default();
    let summary = rollout(&mut op.clone(), &z, 1003, 1, &mut plain).unwrap();
    let jumped = StrideJump::new(&op, 100).unwrap().rollout(&z, 1003, &mut HashObserver::default()).unwrap();
    assert_eq!(jumped.steps, 1003);
    assert!(rel_l2(&jumped.final_state, &summary.final_state) < 1e-12);
    let ladder = PowerLadder::new(&op, 1003);
    assert!(ladder.max_t() >= 1003);
    for t in [1u64, 2, 3, 77, 512, 1003] {
        let j = ladder.jump(&z, t).unwrap();
        assert!(rel_l2(&j, &plain.snapshots[t as usize - 1].1) < 1e-12, "t = {t}");
    }
    assert!(ladder.jump(&z, ladder.max_t() + 1).is_none());
    assert_eq!(ladder.jump(&z, 0).unwrap(), z);
}

#[test]
fn parallel_stepping_is_bit_identical_to_serial() {
    for d in [1usize, 2, 7, 255, 256, 654] {
        let op = random_orthogonal(d, 5, 0.9999).unwrap();
        let z = z0(d, 6);
        let mut serial = HashObserver::default();
        let a = rollout(&mut op.clone(), &z, 300, 10, &mut serial).unwrap();
        let mut parallel = HashObserver::default();
        let mut p = ParallelStepper::new(&op).unwrap();
        let b = rollout(&mut p, &z, 300, 10, &mut parallel).unwrap();
        assert_eq!(serial.hashes, parallel.hashes, "d = {d}");
        assert_eq!(state_hash(&a.final_state), state_hash(&b.final_state));
    }
}

#[test]
fn row_vector_convention() {
    // z·A with A = [[1, 2], [3, 4]] and z = [1, 1] is [4, 6] (column sums), not A·z = [3, 7].
    let op = LinearOperator::new(2, vec![1.0, 2.0, 3.0, 4.0]).unwrap();
    let mut out = [0.0; 2];
    op.apply(&[1.0, 1.0], &mut out).unwrap();
    assert_eq!(out, [4.0, 6.0]);
    // Powers compose on the right: z·(A·B) = (z·A)·B.
    let b = LinearOperator::new(2, vec![0.0, 1.0, 1.0, 0.0]).unwrap();
    let mut ab = [0.0; 2];
    op.then(&b).unwrap().apply(&[1.0, 1.0], &mut ab).unwrap();
    assert_eq!(ab, [6.0, 4.0]);
    assert_eq!(op.power(0), LinearOperator::identity(2).unwrap());
    assert_eq!(op.power(3), op.then(&op).unwrap().then(&op).unwrap());
}

/// A step map that poisons the state at a chosen step (a stand-in for a model that
/// diverges there): the rollout must stop with an error naming exactly that step.
struct PoisonAt<S> {
    inner: S,
    step: u64,
    calls: u64,
    value: f64,
}

impl<S: Step<f64>> Step<f64> for PoisonAt<S> {
    fn dim(&self) -> usize {
        self.inner.dim()
    }
    fn step(&mut self, z: &[f64], out: &mut [f64]) {
        self.inner.step(z, out);
        self.calls += 1;
        if self.calls == self.step {
            out[3] = self.value;
        }
    }
}

#[test]
fn nan_and_inf_are_reported_at_their_step() {
    let op = random_orthogonal(16, 7, 0.9999).unwrap();
    let z = z0(16, 8);
    for (k, value) in [(1u64, f64::NAN), (37, f64::NAN), (500, f64::INFINITY), (999, f64::NEG_INFINITY)] {
        let mut map = PoisonAt { inner: op.clone(), step: k, calls: 0, value };
        let mut obs = MetricsObserver::default();
        let err = rollout(&mut map, &z, 1000, 10, &mut obs).unwrap_err();
        match err {
            RolloutError::NonFinite { step, index, .. } => {
                assert_eq!((step, index), (k, 3));
            }
            other => panic!("unexpected {other:?}"),
        }
        assert_eq!(obs.metrics.len() as u64, (k - 1) / 10, "observed only the states before step {k}");
        assert!(err.to_string().contains(&format!("step {k}")));
    }
    // Overflow through the operator itself: 1.5·MAX/8 doubled passes f64::MAX at t = 3.
    let doubling = LinearOperator::new(1, vec![2.0]).unwrap();
    let start = [f64::MAX / 8.0 * 1.5];
    let err = rollout(&mut doubling.clone(), &start, 10, 1, &mut HashObserver::default()).unwrap_err();
    assert!(matches!(err, RolloutError::NonFinite { step: 3, .. }), "{err:?}");
    // A bad initial state is step 0.
    let err = rollout(&mut doubling.clone(), &[f64::NAN], 1, 1, &mut HashObserver::default()).unwrap_err();
    assert!(matches!(err, RolloutError::NonFinite { step: 0, .. }));
}

#[test]
fn bad_rollout_inputs_are_typed_errors() {
    let op = random_orthogonal(4, 9, 1.0).unwrap();
    let mut obs = HashObserver::default();
    assert_eq!(rollout(&mut op.clone(), &[1.0; 4], 3, 0, &mut obs), Err(RolloutError::ZeroStride));
    assert!(matches!(
        rollout(&mut op.clone(), &[1.0; 3], 3, 1, &mut obs),
        Err(RolloutError::Operator(OperatorError::StateLength { d: 4, found: 3 }))
    ));
    assert!(matches!(StrideJump::new(&op, 0), Err(RolloutError::ZeroStride)));
    assert_eq!(LinearOperator::<f64>::new(0, vec![]), Err(OperatorError::ZeroDimension));
    assert!(matches!(LinearOperator::new(2, vec![1.0; 3]), Err(OperatorError::WrongSize { d: 2, found: 3 })));
    assert!(matches!(
        LinearOperator::new(2, vec![1.0, f64::NAN, 0.0, 0.0]),
        Err(OperatorError::NonFinite { row: 0, col: 1, .. })
    ));
    assert!(random_orthogonal(0, 1, 1.0).is_err());
    let mut out = [0.0; 4];
    assert!(op.apply(&[1.0; 5], &mut out).is_err());
    assert!(op.apply_batch(&[], &mut []).is_err());
    assert!(op.apply_batch(&[1.0; 6], &mut [0.0; 6]).is_err());
}

#[test]
fn f32_rollout_tracks_f64_and_hashes_per_backend() {
    let op = random_orthogonal(64, 10, 0.9999).unwrap();
    let z = z0(64, 11);
    let mut h64 = HashObserver::default();
    let a = rollout(&mut op.clone(), &z, 2000, 500, &mut h64).unwrap();
    let z32: Vec<f32> = z.iter().map(|&v| v as f32).collect();
    let mut h32 = HashObserver::default();
    let b = rollout(&mut op.cast::<f32>(), &z32, 2000, 500, &mut h32).unwrap();
    let b64: Vec<f64> = b.final_state.iter().map(|&v| f64::from(v)).collect();
    // f32 rounding (~6e-8 per op) accumulates like a random walk over 2000 steps of
    // an orthogonal map: ~6e-8·√(2000·64) ≈ 2e-5 relative; 1e-4 leaves margin.
    assert!(rel_l2(&b64, &a.final_state) < 1e-4);
    assert_eq!(h64.hashes.len(), 4);
    assert_ne!(h64.hashes, h32.hashes, "hashes are per backend precision");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Fuzz-style: arbitrary shapes and values never panic the public entry points.
    #[test]
    fn arbitrary_operator_inputs_never_panic(d in 0usize..6, len in 0usize..40, zlen in 0usize..8, steps in 0u64..20, stride in 0u64..4, vals in prop::collection::vec(prop_oneof![any::<f64>(), -2.0f64..2.0], 40)) {
        let data = vals[..len].to_vec();
        if let Ok(op) = LinearOperator::new(d, data) {
            let z = &vals[..zlen];
            let _ = rollout(&mut op.clone(), z, steps, stride, &mut HashObserver::default());
            let _ = StrideJump::new(&op, stride).map(|j| j.rollout(z, steps, &mut HashObserver::default()));
            let mut out = vec![0.0; zlen];
            let _ = op.apply(z, &mut out);
            let _ = op.apply_batch(z, &mut out);
            let _ = PowerLadder::new(&op, steps).jump(z, steps);
        }
    }
}
