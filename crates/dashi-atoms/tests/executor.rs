//! `vertex_velocities_on`: the vertex velocities through the `biot_savart` KernelOp on
//! an executor agree with the rayon direct sum `vertex_velocities` — to 1e-12 relative
//! on the f64 CPU executor (same kernel, same source order; only the background is
//! added last instead of first) and to 1e-4 relative on the GPU (f32 on the device, see
//! `tests/parity_atoms.rs`).

use dashi_atoms::{Atom, AtomState, Background, Mode, Sign, vertex_velocities, vertex_velocities_on};
use dashi_core::ops::{CpuExecutor, Precision};
use dashi_core::random::SplitMix64;
use std::f64::consts::TAU;

/// A mixed state: polylines and blobs of both signs, vertices near the periodic seams,
/// small and large cores, plus a background mode.
fn state(seed: u64, atoms: usize) -> AtomState {
    let mut g = SplitMix64::new(seed);
    let mut list = Vec::new();
    for a in 0..atoms {
        let sign = if g.below(2) == 0 { Sign::Pos } else { Sign::Neg };
        let (x0, y0) = if a % 5 == 0 { (TAU - 0.01, 0.02) } else { (g.uniform(0.0, TAU), g.uniform(0.0, TAU)) };
        let vertices = 1 + g.below(6) as usize;
        let angle = g.uniform(0.0, TAU);
        let poly: Vec<[f64; 2]> = (0..vertices)
            .map(|k| {
                let s = 0.05 * k as f64;
                [(x0 + s * angle.cos()).rem_euclid(TAU), (y0 + s * angle.sin()).rem_euclid(TAU)]
            })
            .collect();
        let core = [0.005, 0.02, 0.1][g.below(3) as usize];
        list.push(Atom::new(poly, sign, g.uniform(0.1, 1.0), core).unwrap());
    }
    let background = Background::new(vec![Mode { kx: 1, ky: 2, re: 0.05, im: 0.02 }]).unwrap();
    AtomState::new(list, background)
}

/// `(max_t |Δ_t|) / (max_t |u_t|)`.
fn max_rel(got: &[[f64; 2]], want: &[[f64; 2]]) -> f64 {
    assert_eq!(got.len(), want.len());
    let d = got.iter().zip(want).map(|(a, b)| (a[0] - b[0]).hypot(a[1] - b[1])).fold(0.0, f64::max);
    d / want.iter().map(|b| b[0].hypot(b[1])).fold(0.0, f64::max)
}

#[test]
fn the_kernel_op_on_the_cpu_executor_matches_the_direct_sum() {
    for (seed, atoms) in [(1, 1), (2, 7), (3, 60)] {
        let s = state(seed, atoms);
        let want = vertex_velocities(&s);
        let got = vertex_velocities_on(&mut CpuExecutor::new(Precision::F64), &s).unwrap();
        let err = max_rel(&got, &want);
        assert!(err <= 1e-12, "{atoms} atoms: {err:e}");
        let got32 = vertex_velocities_on(&mut CpuExecutor::new(Precision::F32), &s).unwrap();
        let err32 = max_rel(&got32, &want);
        assert!(err32 <= 1e-4, "{atoms} atoms, f32 executor: {err32:e}");
    }
    let empty = AtomState::new(Vec::new(), Background::empty());
    assert!(vertex_velocities_on(&mut CpuExecutor::new(Precision::F64), &empty).unwrap().is_empty());
}

#[test]
fn the_kernel_op_on_the_gpu_matches_the_direct_sum() {
    let Some(mut gpu) = dashi_gpu::gpu_or_skip("the_kernel_op_on_the_gpu_matches_the_direct_sum") else { return };
    for (seed, atoms) in [(4, 3), (5, 80)] {
        let s = state(seed, atoms);
        let want = vertex_velocities(&s);
        let got = vertex_velocities_on(&mut gpu, &s).unwrap();
        let err = max_rel(&got, &want);
        eprintln!("vertex_velocities_on GPU, {atoms} atoms ({} vertices): max-norm rel {err:.2e}", want.len());
        assert!(err <= 1e-4, "{atoms} atoms: {err:e}");
    }
}
