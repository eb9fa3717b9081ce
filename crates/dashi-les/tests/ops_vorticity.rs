//! The `vorticity` family (`vorticity_fields`, `vorticity_nonlinear`, `vorticity_rhs`)
//! on the CPU executor against `dashi_core::spectral`'s operators and direct formulas,
//! with poisoned outputs (the harness, `dashi_core::ops::testing`); and the KernelOp
//! ABI over the family's ops: every op tested, the parameter structs against the
//! specs, and the enqueue fuzz (the shared checks of `dashi-core/tests/common/`,
//! included by path).

#[path = "../../dashi-core/tests/common/abi.rs"]
mod abi;
#[path = "../../dashi-core/tests/common/mod.rs"]
mod common;

use abi::{FieldValue, ParamStruct};
use common::*;
use dashi_core::bytemuck;
use dashi_core::ops::testing::{self, Buf};
use dashi_core::ops::{CpuExecutor, OpSpec, Precision};
use dashi_core::random::SplitMix64;
use dashi_les::ops::{
    FAMILIES, NonlinearParams, VORTICITY_FIELDS, VORTICITY_NONLINEAR, VORTICITY_RHS, VorticityFieldParams,
    VorticityRhsParams,
};
use proptest::prelude::*;

// ---------------------------------------------------------------------------------
// The KernelOp ABI over the vorticity family
// ---------------------------------------------------------------------------------

#[test]
fn every_op_has_a_correctness_test() {
    let here = include_str!("ops_vorticity.rs");
    abi::assert_every_op_tested(FAMILIES, &[here]);
}

/// The Rust parameter struct of a vorticity op, with a sample value and its public
/// fields in order (written here by hand, independently of the specs).
fn params_struct(layout: &str) -> ParamStruct {
    use FieldValue::{F, U};
    match layout {
        "VorticityFieldParams" => {
            let f = VorticityFieldParams::new(64, 2);
            ParamStruct::of(&f, vec![("n", U(f.n)), ("kind", U(f.kind))])
        }
        "NonlinearParams" => {
            let f = NonlinearParams::smagorinsky(64, 0.17);
            let fields = vec![
                ("n", U(f.n)),
                ("smagorinsky", U(f.smagorinsky)),
                ("coeff_hi", F(f.coeff_hi)),
                ("coeff_lo", F(f.coeff_lo)),
            ];
            ParamStruct::of(&f, fields)
        }
        "VorticityRhsParams" => {
            let f = VorticityRhsParams::new(64, 1e-3, 0.1);
            let fields = vec![
                ("n", U(f.n)),
                ("nu_hi", F(f.nu_hi)),
                ("nu_lo", F(f.nu_lo)),
                ("drag_hi", F(f.drag_hi)),
                ("drag_lo", F(f.drag_lo)),
            ];
            ParamStruct::of(&f, fields)
        }
        other => panic!("parameter struct {other} has no field list in this test: add one"),
    }
}

#[test]
fn op_specs_match_their_param_structs() {
    abi::check_specs(FAMILIES, params_struct);
    // No vorticity op shadows a core op's name (names are global, e.g. in timings).
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
// The ops against the spectral module
// ---------------------------------------------------------------------------------

/// Runs `op` on the f64 CPU executor with `inputs` bound in order and one more
/// binding (poisoned, with the harness's poisoned tail) for the output; returns the
/// output's `len` elements.
fn run_vorticity_op(op: &'static OpSpec, inputs: &[&[f64]], len: usize, params: &[u8]) -> Vec<f64> {
    let mut ex = CpuExecutor::new(Precision::F64);
    let mut bufs: Vec<Buf> = inputs.iter().map(|x| Buf::Real(x.to_vec())).collect();
    bufs.push(Buf::poison_real(len));
    let out = testing::run(&mut ex, op, &bufs, params).unwrap_or_else(|e| panic!("{}: {e}", op.name));
    out.last().unwrap().reals().to_vec()
}

/// The three `vorticity` ops against the spectral module's operators and direct
/// formulas (f64): packed fields = `a + i·b` of the separately computed spectra,
/// the nonlinear term per point, the right-hand side with the module's dealias mask.
#[test]
fn vorticity_ops_match_the_spectral_module() {
    use dashi_core::spectral::{self as sp, Complex, Layout::Full, SpectralGrid};
    let close = |a: &[f64], b: &[f64], what: &str| {
        let scale = b.iter().fold(1e-300f64, |m, v| m.max(v.abs()));
        for (i, (x, y)) in a.iter().zip(b).enumerate() {
            assert!((x - y).abs() <= 1e-13 * scale, "{what}: element {i}: {x} vs {y}");
        }
    };
    for n in [2usize, 4, 16, 64] {
        let grid = SpectralGrid::new(n).unwrap();
        let len = 2 * n * n;
        let mut g = SplitMix64::new(seed(90, n, Precision::F64));
        let omega = random_spectra(&mut g, len, Precision::F64);
        let w = complex_of::<f64>(&omega);
        // a + i·b of two spectra.
        let pack = |a: &[Complex<f64>], b: &[Complex<f64>]| -> Vec<f64> {
            reals_of(&a.iter().zip(b).map(|(x, y)| x + Complex::new(-y.im, y.re)).collect::<Vec<_>>())
        };
        let field = |kind: u32| {
            let p = VorticityFieldParams::new(n as u32, kind);
            run_vorticity_op(&VORTICITY_FIELDS, &[&omega], len, bytemuck::bytes_of(&p))
        };
        let (u, v) = sp::velocity_from_vorticity(grid, Full, &w).unwrap();
        close(&field(VorticityFieldParams::VELOCITY), &pack(&u, &v), &format!("velocity n={n}"));
        let (mut wx, mut wy) = (w.clone(), w.clone());
        sp::mul_i_kx(grid, Full, &mut wx).unwrap();
        sp::mul_i_ky(grid, Full, &mut wy).unwrap();
        close(&field(VorticityFieldParams::GRADIENT), &pack(&wx, &wy), &format!("gradient n={n}"));
        // S11 = ∂x u, S12 = (∂y u + ∂x v)/2.
        let (mut s11, mut uy, mut vx) = (u.clone(), u.clone(), v.clone());
        sp::mul_i_kx(grid, Full, &mut s11).unwrap();
        sp::mul_i_ky(grid, Full, &mut uy).unwrap();
        sp::mul_i_kx(grid, Full, &mut vx).unwrap();
        let s12: Vec<Complex<f64>> = uy.iter().zip(&vx).map(|(a, b)| (a + b) * 0.5).collect();
        close(&field(VorticityFieldParams::STRAIN), &pack(&s11, &s12), &format!("strain n={n}"));
        let mut lap = w.clone();
        sp::mul_neg_k2(grid, Full, &mut lap).unwrap();
        close(&field(VorticityFieldParams::LAPLACIAN), &reals_of(&lap), &format!("laplacian n={n}"));

        // Nonlinear term, point by point, with and without the closure.
        let [vel, grad, strain, laplacian] = [0, 1, 2, 3].map(|_| random_spectra(&mut g, len, Precision::F64));
        for coeff in [None, Some(0.0123)] {
            let p = coeff.map_or(NonlinearParams::advection(n as u32), |c| NonlinearParams::smagorinsky(n as u32, c));
            let got = run_vorticity_op(
                &VORTICITY_NONLINEAR,
                &[&vel, &grad, &strain, &laplacian],
                len,
                bytemuck::bytes_of(&p),
            );
            for j in 0..n * n {
                let (r, i) = (2 * j, 2 * j + 1);
                let mut want = -(vel[r] * grad[r] + vel[i] * grad[i]);
                if let Some(c) = coeff {
                    // |S| = sqrt(2(S11² + S22² + 2·S12²)) with S22 = −S11.
                    let s = (2.0 * (strain[r].powi(2) + strain[r].powi(2) + 2.0 * strain[i].powi(2))).sqrt();
                    want += c * s * laplacian[r];
                }
                assert!((got[r] - want).abs() <= 1e-12 * want.abs().max(1.0), "nonlinear n={n} {coeff:?} at {j}");
                assert_eq!(got[i], 0.0);
            }
        }

        // Right-hand side: D·N̂ − (ν|k|² + μ)·ω̂ + F̂.
        let (nonlinear, forcing) =
            (random_spectra(&mut g, len, Precision::F64), random_spectra(&mut g, len, Precision::F64));
        let (nu, drag) = (1.234e-3, 0.1);
        let p = VorticityRhsParams::new(n as u32, nu, drag);
        let got = run_vorticity_op(&VORTICITY_RHS, &[&omega, &nonlinear, &forcing], len, bytemuck::bytes_of(&p));
        let mut masked = complex_of::<f64>(&nonlinear);
        sp::dealias(grid, Full, &mut masked).unwrap();
        let masked = reals_of(&masked);
        for ky in 0..n {
            for kx in 0..n {
                let k2 = grid.k2_at(Full, ky, kx) as f64;
                for c in 0..2 {
                    let at = 2 * (ky * n + kx) + c;
                    let want = masked[at] - (nu * k2 + drag) * omega[at] + forcing[at];
                    assert!((got[at] - want).abs() <= 1e-13 * want.abs().max(1.0), "rhs n={n} at ({ky}, {kx})");
                }
            }
        }
    }
}
