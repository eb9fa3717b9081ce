//! The `atoms` family (`biot_savart`) on the CPU executor against the direct sum of
//! `dashi_atoms::kernel::blob_velocity_columns`, in f64 and f32 with poisoned outputs;
//! and the KernelOp ABI over the family's ops: every op tested, the parameter structs
//! against the specs, and the enqueue fuzz (the shared helpers and checks of
//! `dashi-core/tests/common/`, included by path).

#[path = "../../dashi-core/tests/common/abi.rs"]
mod abi;
#[path = "../../dashi-core/tests/common/mod.rs"]
mod core_common;

use abi::{FieldValue, ParamStruct};
use core_common::*;
use dashi_atoms::ops::{BIOT_SAVART, BiotSavartBuffers, BiotSavartParams, FAMILIES};
use dashi_core::ops::{CpuExecutor, ExecError, Executor, Precision};
use dashi_core::random::SplitMix64;
use proptest::prelude::*;

// ---------------------------------------------------------------------------------
// The KernelOp ABI over the atoms family
// ---------------------------------------------------------------------------------

#[test]
fn every_op_has_a_correctness_test() {
    abi::assert_every_op_tested(FAMILIES, &[include_str!("ops_biot_savart.rs")]);
}

/// The Rust parameter struct of an atoms op, with a sample value and its public
/// fields in order (written here by hand, independently of the specs).
fn params_struct(layout: &str) -> ParamStruct {
    use FieldValue::U;
    match layout {
        "BiotSavartParams" => {
            let f = BiotSavartParams::new(300, 17, 3);
            ParamStruct::of(&f, vec![("sources", U(f.sources)), ("targets", U(f.targets)), ("columns", U(f.columns))])
        }
        other => panic!("parameter struct {other} has no field list in this test: add one"),
    }
}

#[test]
fn op_specs_match_their_param_structs() {
    abi::check_specs(FAMILIES, params_struct);
    // No atoms op shadows a core op's name (names are global, e.g. in timings).
    for op in abi::ops_of(FAMILIES) {
        assert!(dashi_core::ops::find_op(op.name).is_none(), "{} is also a core op", op.name);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn fuzz_enqueue_never_panics(
        f32_precision in any::<bool>(),
        plans in prop::collection::vec(abi::dispatch_strategy(abi::ops_of(FAMILIES).len()), 1..=3),
    ) {
        let ops = abi::ops_of(FAMILIES);
        let mut ex = CpuExecutor::new(if f32_precision { Precision::F32 } else { Precision::F64 });
        for plan in &plans {
            abi::fuzz_dispatch(&mut ex, &ops, plan)?;
        }
    }
}

// ---------------------------------------------------------------------------------
// biot_savart against the kernel
// ---------------------------------------------------------------------------------

/// biot_savart against the naive sum of `dashi_atoms::kernel::blob_velocity_columns` in
/// source order (f64: bit-exact; f32: the f64 sum of the f32-stored inputs rounded once),
/// with poisoned tails; the velocity of a lone blob is the kernel itself, a blob on
/// itself moves not at all, and cores ≤ 0 or too many columns are typed errors.
#[test]
fn biot_savart_is_the_direct_sum_of_the_vortex_kernel() {
    use dashi_atoms::kernel::{MAX_COLUMNS, blob_velocity_columns};
    use std::f64::consts::TAU;
    for prec in PRECISIONS {
        for (sources, targets) in [(1usize, 1usize), (1, 7), (7, 1), (33, 64), (257, 33)] {
            for columns in [0usize, 3, MAX_COLUMNS] {
                let mut ex = CpuExecutor::new(prec);
                let mut g = SplitMix64::new(seed(47, sources * 1000 + targets + columns * 1_000_000, prec));
                let pos: Vec<f64> = (0..2 * sources).map(|_| g.uniform(0.0, TAU)).collect();
                let blobs: Vec<f64> = (0..sources).flat_map(|_| [g.normal() * 0.1, g.uniform(1e-3, 0.3)]).collect();
                let at: Vec<f64> = (0..2 * targets).map(|_| g.uniform(-1.0, TAU + 1.0)).collect();
                let (bp, pos) = real_buf(&mut ex, &pos);
                let (bb, blobs) = real_buf(&mut ex, &blobs);
                let (bt, at) = real_buf(&mut ex, &at);
                let len = 2 * targets;
                let out = poisoned_real(&mut ex, len + slack(targets));
                let params = BiotSavartParams::new(sources as u32, targets as u32, columns as u32);
                BIOT_SAVART
                    .run(&mut ex, BiotSavartBuffers { pos: bp, blobs: bb, targets: bt, vel: out }, &params)
                    .unwrap();
                let got = ex.download_real(out).unwrap();
                let what = format!("biot_savart {prec} S={sources} T={targets} M={columns}");
                assert_tail_real(&got, len, &what);
                for (t, v) in at.chunks_exact(2).zip(got.chunks_exact(2)) {
                    let (mut u, mut w) = (0.0, 0.0);
                    for (p, b) in pos.chunks_exact(2).zip(blobs.chunks_exact(2)) {
                        let k = blob_velocity_columns(t[0] - p[0], t[1] - p[1], b[1], columns);
                        u += b[0] * k[0];
                        w += b[0] * k[1];
                    }
                    let want = [u, w].map(|x| if prec == Precision::F32 { f64::from(x as f32) } else { x });
                    assert_eq!([v[0].to_bits(), v[1].to_bits()], want.map(f64::to_bits), "{what}: {v:?} vs {want:?}");
                }
            }
        }
    }
    // A blob on itself: zero velocity (odd kernel, regular core).
    let mut ex = CpuExecutor::new(Precision::F64);
    let (bp, _) = real_buf(&mut ex, &[1.0, 2.0]);
    let (bb, _) = real_buf(&mut ex, &[0.7, 0.05]);
    let (bt, _) = real_buf(&mut ex, &[1.0, 2.0]);
    let out = poisoned_real(&mut ex, 2);
    BIOT_SAVART
        .run(&mut ex, BiotSavartBuffers { pos: bp, blobs: bb, targets: bt, vel: out }, &BiotSavartParams::new(1, 1, 3))
        .unwrap();
    assert_eq!(ex.download_real(out).unwrap(), [0.0, 0.0]);
    // Far from a small core the blob is the periodic point vortex: at r = 0.5 ≫ ε = 0.01
    // the azimuthal speed is Γ/(2πr) up to the periodic correction Γr/(2L²) ≈ 6e-3·Γ.
    let (bt, _) = real_buf(&mut ex, &[1.5, 2.0]);
    let (bb, _) = real_buf(&mut ex, &[1.0, 0.01]);
    BIOT_SAVART
        .run(&mut ex, BiotSavartBuffers { pos: bp, blobs: bb, targets: bt, vel: out }, &BiotSavartParams::new(1, 1, 3))
        .unwrap();
    let v = ex.download_real(out).unwrap();
    assert!(v[0].abs() < 1e-12 && (v[1] - 1.0 / (TAU * 0.5)).abs() < 0.01, "{v:?}");
    // Domain: columns ≤ MAX_COLUMNS, cores finite and > 0 — typed errors, output untouched.
    let too_many = BiotSavartParams::new(1, 1, MAX_COLUMNS as u32 + 1);
    let err = BIOT_SAVART
        .run(&mut ex, BiotSavartBuffers { pos: bp, blobs: bb, targets: bt, vel: out }, &too_many)
        .unwrap_err();
    assert!(matches!(err, ExecError::InvalidParams { .. }), "{err:?}");
    for eps in [0.0, -0.1] {
        let (bad, _) = real_buf(&mut ex, &[1.0, eps]);
        let before = ex.download_real(out).unwrap();
        let err = BIOT_SAVART
            .run(
                &mut ex,
                BiotSavartBuffers { pos: bp, blobs: bad, targets: bt, vel: out },
                &BiotSavartParams::new(1, 1, 3),
            )
            .unwrap_err();
        assert!(matches!(err, ExecError::OpFailed { .. }), "{err:?}");
        assert_eq!(ex.download_real(out).unwrap(), before, "output written despite the error");
    }
}
