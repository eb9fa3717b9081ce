//! The KernelOp ABI itself on the CPU executor, over every op of this crate's
//! families (`dashi_core::ops::FAMILIES`):
//!
//! * every op has a correctness test (in the `ops_<family>.rs` file listed here);
//! * the parameter-block layout of every `OpSpec` against its Rust struct, and the
//!   spec's own consistency (shared checks, `common/abi.rs`);
//! * dispatch validation: workgroup counts, and typed errors (never panics) for bad
//!   dispatches, allocations and transfers;
//! * upload/download round trips, timings and device information;
//! * a proptest fuzz of the raw `enqueue` with random ops, buffers and parameter bytes;
//! * regression tests for defects found in `src/` while the suite was written.
//!
//! Error cases go through the raw path `Executor::enqueue` where the typed
//! `Op::run` would not compile (wrong parameter block, wrong number of buffers).

#[path = "common/abi.rs"]
mod abi;
mod common;

use abi::{FieldValue, ParamStruct};
use common::*;
use dashi_core::bytemuck;
use dashi_core::carrier::{Neighbourhood, Stencil};
use dashi_core::ops::{
    ADD, ANNIHILATE, AXPY, Backend, BandParams, BufferDesc, BufferId, CpuExecutor, DeviceType, ElemType, ExecError,
    Executor, FAMILIES, FftStepParams, GEMM_BATCHED, GEMV_ROW, GatherParams, GemmParams, GemvParams, LenParams,
    MAJORITY, MUL, OpSpec, PairParams, Precision, REDUCE_SUM, SCALE, SCATTER, ScalarParams, ShellParams,
    SpectralMulParams, StencilParams, THRESHOLD, TOP_K, ThresholdParams, TopKParams, find_op, ops,
};
use dashi_core::random::SplitMix64;
use proptest::prelude::*;
use std::collections::BTreeMap;
use std::panic::{AssertUnwindSafe, catch_unwind};

// ---------------------------------------------------------------------------------
// Every op has a correctness test
// ---------------------------------------------------------------------------------

#[test]
fn every_op_has_a_correctness_test() {
    let elementwise = include_str!("ops_elementwise.rs");
    let linear = include_str!("ops_linear.rs");
    let reduce = include_str!("ops_reduce.rs");
    let select = include_str!("ops_select.rs");
    let gather = include_str!("ops_gather.rs");
    let carrier = include_str!("ops_carrier.rs");
    let fft = include_str!("ops_fft.rs");
    let spectral = include_str!("ops_spectral.rs");
    abi::assert_every_op_tested(FAMILIES, &[carrier, elementwise, fft, gather, linear, reduce, select, spectral]);
}

// ---------------------------------------------------------------------------------
// OpSpec ↔ Rust parameter structs
// ---------------------------------------------------------------------------------

/// The Rust parameter struct of a core op, with a sample value and its public fields
/// in order (written here by hand, independently of the specs).
fn params_struct(layout: &str) -> ParamStruct {
    use FieldValue::{F, U};
    match layout {
        "ScalarParams" => {
            let s = ScalarParams::new(11, 2.5);
            ParamStruct::of(&s, vec![("n", U(s.n)), ("alpha", F(s.alpha))])
        }
        "LenParams" => {
            let s = LenParams::new(11);
            ParamStruct::of(&s, vec![("n", U(s.n))])
        }
        "GemvParams" => {
            let s = GemvParams::new(11, 13);
            ParamStruct::of(&s, vec![("rows", U(s.rows)), ("cols", U(s.cols))])
        }
        "GemmParams" => {
            let s = GemmParams::new(7, 11, 13);
            ParamStruct::of(&s, vec![("batch", U(s.batch)), ("rows", U(s.rows)), ("cols", U(s.cols))])
        }
        "TopKParams" => {
            let s = TopKParams::new(11, 3);
            ParamStruct::of(&s, vec![("n", U(s.n)), ("k", U(s.k))])
        }
        "GatherParams" => {
            let s = GatherParams::new(11, 13);
            ParamStruct::of(&s, vec![("n", U(s.n)), ("m", U(s.m))])
        }
        "ThresholdParams" => {
            let s = ThresholdParams::new(11, 0.25);
            ParamStruct::of(&s, vec![("n", U(s.n)), ("tau", F(s.tau))])
        }
        "StencilParams" => {
            let s = StencilParams::new(11, 13, Neighbourhood::new(Stencil::Moore, 2), 5);
            let fields = vec![
                ("width", U(s.width)),
                ("height", U(s.height)),
                ("radius", U(s.radius)),
                ("stencil", U(s.stencil)),
                ("eta", U(s.eta)),
            ];
            ParamStruct::of(&s, fields)
        }
        "FftStepParams" => {
            let f = FftStepParams::new(64, 3, 1, 16, 4, true);
            let fields = vec![
                ("n", U(f.n)),
                ("fields", U(f.fields)),
                ("axis", U(f.axis)),
                ("radix", U(f.radix)),
                ("span", U(f.span)),
                ("inverse", U(f.inverse)),
            ];
            ParamStruct::of(&f, fields)
        }
        "SpectralMulParams" => {
            let f = SpectralMulParams::filter(64, 3, 36.0, 8.0);
            let fields =
                vec![("n", U(f.n)), ("batch", U(f.batch)), ("kind", U(f.kind)), ("alpha", F(f.alpha)), ("p", F(f.p))];
            ParamStruct::of(&f, fields)
        }
        "ShellParams" => {
            let f = ShellParams::new(64, 47);
            ParamStruct::of(&f, vec![("n", U(f.n)), ("shells", U(f.shells))])
        }
        "BandParams" => {
            let f = BandParams::new(64, 25, 300);
            ParamStruct::of(&f, vec![("n", U(f.n)), ("low_k2", U(f.low_k2)), ("mid_k2", U(f.mid_k2))])
        }
        "PairParams" => {
            let f = PairParams::new(32, 3, true);
            let fields =
                vec![("n", U(f.n)), ("pairs", U(f.pairs)), ("fields", U(f.fields)), ("direction", U(f.direction))];
            ParamStruct::of(&f, fields)
        }
        other => panic!("parameter struct {other} has no field list in this test: add one"),
    }
}

#[test]
fn op_specs_match_their_param_structs() {
    abi::check_specs(FAMILIES, params_struct);
    // The core lookups agree with the families.
    let names: Vec<&str> = FAMILIES.iter().flat_map(|f| f.ops.iter().map(|o| o.name)).collect();
    assert_eq!(ops().map(|s| s.name).collect::<Vec<_>>(), names, "ops() lists FAMILIES' ops in order");
    for spec in ops() {
        assert!(std::ptr::eq(find_op(spec.name).unwrap(), spec), "find_op({})", spec.name);
    }
    assert!(find_op("no_such_op").is_none());
    // Family names are unique (the device's module cache key).
    let mut families: Vec<&str> = FAMILIES.iter().map(|f| f.name).collect();
    families.sort_unstable();
    families.dedup();
    assert_eq!(families.len(), FAMILIES.len(), "duplicate family name");
}

#[test]
fn checked_dispatch_reports_workgroups() {
    let descs = |lens: &[(ElemType, usize)]| -> Vec<BufferDesc> {
        lens.iter().enumerate().map(|(i, &(elem, len))| BufferDesc { id: i as u32, elem, len }).collect()
    };
    let r = ElemType::Real;
    let p = LenParams::new(257);
    assert_eq!(ADD.check(bytemuck::bytes_of(&p), &descs(&[(r, 257), (r, 257), (r, 257)])), Ok([2, 1, 1]));
    // 128×64 (rows × columns) output tiles: ⌈33/64⌉ × ⌈17/128⌉ and ⌈130/64⌉ × ⌈129/128⌉.
    let p = GemmParams::new(17, 3, 33);
    assert_eq!(GEMM_BATCHED.check(bytemuck::bytes_of(&p), &descs(&[(r, 51), (r, 99), (r, 561)])), Ok([1, 1, 1]));
    let p = GemmParams::new(129, 2, 130);
    assert_eq!(GEMM_BATCHED.check(bytemuck::bytes_of(&p), &descs(&[(r, 258), (r, 260), (r, 16770)])), Ok([3, 2, 1]));
    let p = LenParams::new(1);
    assert_eq!(REDUCE_SUM.check(bytemuck::bytes_of(&p), &descs(&[(r, 1), (r, 1)])), Ok([1, 1, 1]));
    let p = StencilParams::new(33, 3, Neighbourhood::FOUR, 1);
    let u = ElemType::U32;
    // 99 cells → 4 words → 1 workgroup of 64 words.
    assert_eq!(MAJORITY.check(bytemuck::bytes_of(&p), &descs(&[(u, 4), (u, 4), (u, 4), (u, 4)])), Ok([1, 1, 1]));
}

// ---------------------------------------------------------------------------------
// Typed errors
// ---------------------------------------------------------------------------------

/// The raw enqueue path with a parameter struct's bytes: what the typed `Op::run`
/// does, but for any spec, parameter block and number of buffers.
fn raw<P: bytemuck::Pod>(ex: &mut CpuExecutor, op: &'static OpSpec, ids: &[BufferId], p: &P) -> Result<(), ExecError> {
    ex.enqueue(op, ids, bytemuck::bytes_of(p))
}

#[test]
fn bad_dispatches_are_typed_errors() {
    use ExecError::{
        Aliased, BindingCount, BufferTooSmall, InvalidParams, OpFailed, ParamsSize, UnknownBuffer, ZeroSize,
    };
    let mut ex = CpuExecutor::new(Precision::F64);
    let mut g = SplitMix64::new(18);
    let (x, _) = real_buf(&mut ex, &random_reals(&mut g, 8));
    let (y, _) = real_buf(&mut ex, &random_reals(&mut g, 8));
    let out = poisoned_real(&mut ex, 8);
    let words = ex.alloc(ElemType::U32, 8).unwrap();
    let p8 = ScalarParams::new(8, 2.0);

    // Wrong params size (too short, too long, another op's struct).
    let e = ex.enqueue(&AXPY, &[x, y], &[0u8; 8]).unwrap_err();
    assert_eq!(e, ParamsSize { op: "axpy", expected: 16, found: 8 });
    assert!(matches!(ex.enqueue(&AXPY, &[x, y], &[0u8; 32]), Err(ParamsSize { found: 32, .. })));
    let e = raw(&mut ex, &MAJORITY, &[words, words, out, out], &LenParams::new(8)).unwrap_err();
    assert_eq!(e, ParamsSize { op: "majority", expected: 32, found: 16 });
    // Wrong binding count.
    assert_eq!(raw(&mut ex, &AXPY, &[x], &p8), Err(BindingCount { op: "axpy", expected: 2, found: 1 }));
    assert_eq!(raw(&mut ex, &AXPY, &[x, y, out], &p8), Err(BindingCount { op: "axpy", expected: 2, found: 3 }));
    // Wrong element type.
    assert_eq!(
        raw(&mut ex, &AXPY, &[words, y], &p8),
        Err(ExecError::ElemType { op: "axpy", binding: 0, name: "x", expected: ElemType::Real, found: ElemType::U32 })
    );
    // Buffer too small, and a huge size refused the same way (nothing allocated).
    assert_eq!(
        raw(&mut ex, &AXPY, &[x, y], &ScalarParams::new(9, 1.0)),
        Err(BufferTooSmall { op: "axpy", binding: 0, name: "x", required: 9, found: 8 })
    );
    assert_eq!(
        raw(&mut ex, &AXPY, &[x, y], &ScalarParams::new(u32::MAX, 1.0)),
        Err(BufferTooSmall { op: "axpy", binding: 0, name: "x", required: u32::MAX as usize, found: 8 })
    );
    let huge = GemmParams::new(u32::MAX, u32::MAX, u32::MAX);
    assert!(matches!(raw(&mut ex, &GEMM_BATCHED, &[x, y, out], &huge), Err(BufferTooSmall { binding: 0, .. })));
    let huge = StencilParams::new(u32::MAX, u32::MAX, Neighbourhood::FOUR, 1);
    assert!(matches!(
        raw(&mut ex, &MAJORITY, &[words, words, out, out], &huge),
        Err(BufferTooSmall { binding: 0, .. })
    ));
    // Zero size.
    assert_eq!(raw(&mut ex, &AXPY, &[x, y], &ScalarParams::new(0, 1.0)), Err(ZeroSize { op: "axpy", param: "n" }));
    assert_eq!(
        raw(&mut ex, &GEMV_ROW, &[x, y, out], &GemvParams::new(2, 0)),
        Err(ZeroSize { op: "gemv_row", param: "cols" })
    );
    let k0 = TopKParams::new(8, 0);
    assert_eq!(raw(&mut ex, &TOP_K, &[x, words], &k0), Err(ZeroSize { op: "top_k", param: "k" }));
    // Aliasing a written buffer with another binding; two reads of one buffer are fine.
    assert_eq!(raw(&mut ex, &AXPY, &[x, x], &p8), Err(Aliased { op: "axpy", buffer: x.0, first: "x", second: "y" }));
    assert_eq!(
        raw(&mut ex, &ADD, &[x, y, y], &LenParams::new(8)),
        Err(Aliased { op: "add", buffer: y.0, first: "y", second: "out" })
    );
    raw(&mut ex, &ADD, &[x, x, out], &LenParams::new(8)).unwrap();
    let (w2, w3) = (ex.alloc(ElemType::U32, 1).unwrap(), ex.alloc(ElemType::U32, 1).unwrap());
    let th = ThresholdParams::new(8, 0.5);
    assert!(matches!(
        raw(&mut ex, &THRESHOLD, &[x, w2, w2], &th),
        Err(Aliased { first: "support", second: "sign", .. })
    ));
    raw(&mut ex, &THRESHOLD, &[x, w2, w3], &th).unwrap();
    // k > n.
    let idx = ex.alloc(ElemType::U32, 9).unwrap();
    assert!(matches!(raw(&mut ex, &TOP_K, &[x, idx], &TopKParams::new(8, 9)), Err(InvalidParams { op: "top_k", .. })));
    // Stencil domains: code, radius, eta.
    let (s1, g1, s2, g2) =
        (u32_buf(&mut ex, &[0]), u32_buf(&mut ex, &[0]), poisoned_u32(&mut ex, 1), poisoned_u32(&mut ex, 1));
    let planes = [s1, g1, s2, g2];
    let mut bad = StencilParams::new(5, 5, Neighbourhood::FOUR, 1);
    bad.stencil = 2;
    assert!(matches!(raw(&mut ex, &MAJORITY, &planes, &bad), Err(InvalidParams { op: "majority", .. })));
    assert!(matches!(raw(&mut ex, &ANNIHILATE, &planes, &bad), Err(InvalidParams { op: "annihilate", .. })));
    let too_wide = StencilParams::new(5, 5, Neighbourhood::new(Stencil::Moore, 3), 1);
    assert!(matches!(raw(&mut ex, &MAJORITY, &planes, &too_wide), Err(InvalidParams { .. })));
    assert!(matches!(raw(&mut ex, &ANNIHILATE, &planes, &too_wide), Err(InvalidParams { .. })));
    let eta0 = StencilParams::new(5, 5, Neighbourhood::FOUR, 0);
    assert!(matches!(raw(&mut ex, &MAJORITY, &planes, &eta0), Err(InvalidParams { op: "majority", .. })));
    raw(&mut ex, &ANNIHILATE, &planes, &eta0).unwrap(); // eta is majority's only
    // On a 1×1 grid the radius is unconstrained (degenerate axes).
    raw(&mut ex, &MAJORITY, &planes, &StencilParams::new(1, 1, Neighbourhood::new(Stencil::Moore, 1000), 1)).unwrap();
    // tau ≤ 0, NaN, ±∞.
    for tau in [0.0, -0.0, -1.0, f32::NAN, f32::INFINITY, f32::NEG_INFINITY] {
        let r = raw(&mut ex, &THRESHOLD, &[x, w2, w3], &ThresholdParams::new(8, tau));
        assert!(matches!(r, Err(InvalidParams { op: "threshold", .. })), "tau = {tau}: {r:?}");
    }
    // Duplicate scatter indices (in range): OpFailed, output untouched.
    let (vals, _) = real_buf(&mut ex, &[1.0, 2.0, 3.0]);
    let dup = u32_buf(&mut ex, &[4, 1, 4]);
    let target = poisoned_real(&mut ex, 8);
    let r = raw(&mut ex, &SCATTER, &[vals, dup, target], &GatherParams::new(8, 3));
    assert!(matches!(r, Err(OpFailed { op: "scatter", .. })), "{r:?}");
    assert_eq!(ex.download_real(target).unwrap(), [POISON_REAL; 8], "failed scatter leaves out untouched");
    // Repeated out-of-range indices are skipped, not duplicates.
    let oob = u32_buf(&mut ex, &[9, 1, 9]);
    raw(&mut ex, &SCATTER, &[vals, oob, target], &GatherParams::new(8, 3)).unwrap();
    assert_eq!(ex.download_real(target).unwrap()[..3], [POISON_REAL, 2.0, POISON_REAL]);
    // Non-canonical planes: sign without support, and bits past the last cell.
    let p25 = StencilParams::new(5, 5, Neighbourhood::FOUR, 1);
    let (sup, sgn) = (u32_buf(&mut ex, &[0b01]), u32_buf(&mut ex, &[0b11]));
    let (o1, o2) = (poisoned_u32(&mut ex, 1), poisoned_u32(&mut ex, 1));
    let r = raw(&mut ex, &MAJORITY, &[sup, sgn, o1, o2], &p25);
    assert!(matches!(r, Err(OpFailed { op: "majority", .. })), "{r:?}");
    let (tail, zero) = (u32_buf(&mut ex, &[1 << 25]), u32_buf(&mut ex, &[0]));
    let r = raw(&mut ex, &MAJORITY, &[tail, zero, o1, o2], &p25);
    assert!(matches!(r, Err(OpFailed { op: "majority", .. })), "{r:?}");
    let r = raw(&mut ex, &ANNIHILATE, &[tail, zero, o1, o2], &p25);
    assert!(matches!(r, Err(OpFailed { op: "annihilate", .. })), "{r:?}");
    assert_eq!(ex.download_u32(o1).unwrap(), [POISON_U32], "failed op leaves outputs untouched");
    // Unknown and freed buffer ids in enqueue.
    assert_eq!(raw(&mut ex, &AXPY, &[x, BufferId(9999)], &p8), Err(UnknownBuffer(9999)));
    let tmp = ex.alloc(ElemType::Real, 8).unwrap();
    ex.free(tmp).unwrap();
    assert_eq!(raw(&mut ex, &AXPY, &[tmp, y], &p8), Err(UnknownBuffer(tmp.0)));
    // None of the refused dispatches reached the op: y is still what was uploaded.
}

#[test]
fn buffer_management_errors_are_typed() {
    use ExecError::{NonFinite, TransferMismatch, UnknownBuffer, ZeroSizedBuffer};
    for prec in PRECISIONS {
        let mut ex = CpuExecutor::new(prec);
        for elem in [ElemType::Real, ElemType::U32, ElemType::I32] {
            assert_eq!(ex.alloc(elem, 0), Err(ZeroSizedBuffer), "alloc({elem:?}, 0)");
        }
        let r = ex.alloc(ElemType::Real, 4).unwrap();
        let u = ex.alloc(ElemType::U32, 4).unwrap();
        let i = ex.alloc(ElemType::I32, 4).unwrap();
        // Upload with the wrong length.
        let mismatch = |buffer: BufferId, elem, found| TransferMismatch { buffer: buffer.0, elem, expected: 4, found };
        assert_eq!(ex.upload_real(r, &[1.0; 3]), Err(mismatch(r, ElemType::Real, 3)));
        assert_eq!(ex.upload_real(r, &[1.0; 5]), Err(mismatch(r, ElemType::Real, 5)));
        assert_eq!(ex.upload_u32(u, &[]), Err(mismatch(u, ElemType::U32, 0)));
        assert_eq!(ex.upload_i32(i, &[1; 7]), Err(mismatch(i, ElemType::I32, 7)));
        // Upload/download of the wrong type.
        assert_eq!(ex.upload_real(u, &[1.0; 4]), Err(mismatch(u, ElemType::U32, 4)));
        assert_eq!(ex.upload_u32(r, &[1; 4]), Err(mismatch(r, ElemType::Real, 4)));
        assert_eq!(ex.upload_i32(u, &[1; 4]), Err(mismatch(u, ElemType::U32, 4)));
        assert_eq!(ex.download_real(u), Err(mismatch(u, ElemType::U32, 0)));
        assert_eq!(ex.download_u32(i), Err(mismatch(i, ElemType::I32, 0)));
        assert_eq!(ex.download_i32(r), Err(mismatch(r, ElemType::Real, 0)));
        // Non-finite uploads name the first bad index; the buffer is untouched.
        ex.upload_real(r, &[1.0, 2.0, 3.0, 4.0]).unwrap();
        // (NonFinite carries NaN, never `==` itself: match structurally.)
        let e = ex.upload_real(r, &[0.0, f64::NAN, 1.0, f64::INFINITY]).unwrap_err();
        assert!(matches!(e, NonFinite { buffer, index: 1, value, .. } if buffer == r.0 && value.is_nan()), "{e:?}");
        let e = ex.upload_real(r, &[0.0, 1.0, f64::NEG_INFINITY, 1.0]).unwrap_err();
        assert!(matches!(e, NonFinite { index: 2, value, .. } if value == f64::NEG_INFINITY), "{e:?}");
        assert_eq!(ex.download_real(r).unwrap(), [1.0, 2.0, 3.0, 4.0]);
        // Unknown and freed ids everywhere.
        let ghost = BufferId(4242);
        assert_eq!(ex.download_real(ghost), Err(UnknownBuffer(4242)));
        assert_eq!(ex.upload_u32(ghost, &[1]), Err(UnknownBuffer(4242)));
        assert_eq!(ex.buffer_desc(ghost), Err(UnknownBuffer(4242)));
        assert_eq!(ex.free(ghost), Err(UnknownBuffer(4242)));
        ex.free(u).unwrap();
        assert_eq!(ex.free(u), Err(UnknownBuffer(u.0)), "double free");
        assert_eq!(ex.download_u32(u), Err(UnknownBuffer(u.0)));
        assert_eq!(ex.upload_u32(u, &[0; 4]), Err(UnknownBuffer(u.0)));
        assert_eq!(ex.buffer_desc(u), Err(UnknownBuffer(u.0)));
        // Ids are not reused after free.
        let again = ex.alloc(ElemType::U32, 4).unwrap();
        assert_ne!(again, u);
        assert_eq!(ex.download_u32(u), Err(UnknownBuffer(u.0)));
    }
}

#[test]
fn upload_download_round_trip_rounds_to_precision() {
    let mut g = SplitMix64::new(17);
    let x = random_reals(&mut g, 33);
    for prec in PRECISIONS {
        let mut ex = CpuExecutor::new(prec);
        let (_, stored) = real_buf(&mut ex, &x);
        let want: Vec<f64> = x.iter().map(|&v| round_to(prec, v)).collect();
        assert_bits(&stored, &want, &format!("round trip {prec}"));
        let fresh = ex.alloc(ElemType::Real, 5).unwrap();
        assert_eq!(ex.download_real(fresh).unwrap(), [0.0; 5], "alloc zero-initialises");
        let u = ex.alloc(ElemType::U32, 3).unwrap();
        ex.upload_u32(u, &[0, u32::MAX, 7]).unwrap();
        assert_eq!(ex.download_u32(u).unwrap(), [0, u32::MAX, 7]);
        let i = ex.alloc(ElemType::I32, 3).unwrap();
        ex.upload_i32(i, &[i32::MIN, -1, i32::MAX]).unwrap();
        assert_eq!(ex.download_i32(i).unwrap(), [i32::MIN, -1, i32::MAX]);
        assert_eq!(ex.buffer_desc(i).unwrap(), (ElemType::I32, 3));
    }
}

// ---------------------------------------------------------------------------------
// Regression tests for defects found in src/ while writing this suite (all fixed).
// ---------------------------------------------------------------------------------

#[test]
fn f32_upload_beyond_f32_range_is_refused() {
    let mut ex = CpuExecutor::new(Precision::F32);
    let b = ex.alloc(ElemType::Real, 2).unwrap();
    let r = ex.upload_real(b, &[1.0, 1e300]);
    let stored = ex.download_real(b).unwrap();
    assert!(r.is_err(), "upload accepted 1e300 into an f32 buffer; buffer now holds {stored:?}");
}

#[test]
fn alloc_of_huge_length_is_a_typed_error() {
    let mut ex = CpuExecutor::new(Precision::F64);
    let r = catch_unwind(AssertUnwindSafe(|| ex.alloc(ElemType::Real, usize::MAX)));
    assert!(r.is_ok(), "alloc(Real, usize::MAX) panicked");
    assert!(r.unwrap().is_err(), "alloc(Real, usize::MAX) succeeded");
}

#[test]
fn non_finite_alpha_is_refused() {
    let mut ex = CpuExecutor::new(Precision::F64);
    let (x, _) = real_buf(&mut ex, &[1.0, 2.0]);
    for alpha in [f32::NAN, f32::INFINITY] {
        let r = SCALE.run(&mut ex, [x], &ScalarParams::new(2, alpha));
        let now = ex.download_real(x).unwrap();
        assert!(r.is_err(), "scale by {alpha} accepted; x = {now:?}");
    }
}

// ---------------------------------------------------------------------------------
// Timings and device information
// ---------------------------------------------------------------------------------

#[test]
fn timings_and_device_info() {
    for prec in PRECISIONS {
        let mut ex = CpuExecutor::new(prec);
        let info = ex.device().clone();
        assert_eq!(info.backend, Backend::Cpu);
        assert_eq!(info.device_type, DeviceType::Cpu);
        assert_eq!(info.precision, prec);
        assert!(!info.device_name.is_empty() && !info.driver.is_empty());
        assert!(ex.timings().is_empty());

        let mut g = SplitMix64::new(19);
        let (x, _) = real_buf(&mut ex, &random_reals(&mut g, 64));
        let (y, _) = real_buf(&mut ex, &random_reals(&mut g, 64));
        let out = poisoned_real(&mut ex, 64);
        for _ in 0..3 {
            AXPY.run(&mut ex, [x, y], &ScalarParams::new(64, 0.5)).unwrap();
        }
        ADD.run(&mut ex, [x, y, out], &LenParams::new(64)).unwrap();
        ADD.run(&mut ex, [x, y, out], &LenParams::new(64)).unwrap();
        REDUCE_SUM.run(&mut ex, [x, out], &LenParams::new(64)).unwrap();
        // Refused dispatches never run and are not counted.
        assert!(AXPY.run(&mut ex, [x, y], &ScalarParams::new(0, 0.5)).is_err());
        assert!(MUL.run(&mut ex, [x, y, x], &LenParams::new(64)).is_err());
        ex.flush().unwrap();

        let t = ex.timings();
        let by_name: BTreeMap<&str, u64> = t.iter().map(|t| (t.op, t.dispatches)).collect();
        assert_eq!(by_name.len(), t.len(), "one entry per op");
        assert_eq!(by_name, BTreeMap::from([("axpy", 3), ("add", 2), ("reduce_sum", 1)]));
        // The CPU has no device timer: host time is the op's run time, device_ns is None
        // (never the same interval reported twice).
        assert!(t.iter().all(|t| t.device_ns.is_none()));
        ex.reset_timings();
        assert!(ex.timings().is_empty());
        AXPY.run(&mut ex, [x, y], &ScalarParams::new(64, 0.5)).unwrap();
        assert_eq!(ex.timings().iter().map(|t| (t.op, t.dispatches)).collect::<Vec<_>>(), [("axpy", 1)]);
    }
}

// ---------------------------------------------------------------------------------
// Fuzz: enqueue never panics (the plans and the contract check are in common/abi.rs)
// ---------------------------------------------------------------------------------

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn fuzz_enqueue_never_panics(
        f32_precision in any::<bool>(),
        plans in prop::collection::vec(abi::dispatch_strategy(FAMILIES.iter().map(|f| f.ops.len()).sum()), 1..=3),
    ) {
        let ops = abi::ops_of(FAMILIES);
        let mut ex = CpuExecutor::new(if f32_precision { Precision::F32 } else { Precision::F64 });
        for plan in &plans {
            abi::fuzz_dispatch(&mut ex, &ops, plan)?;
        }
    }
}

/// The case the fuzz once shrank to (executor.proptest-regressions, op 17): `fft_step`
/// with `n = fields = u32::MAX` and every other word 0, exactly fitting zeroed buffers.
#[test]
fn fuzz_regression_fft_step_with_huge_sizes() {
    let ops = abi::ops_of(FAMILIES);
    let op = ops.iter().position(|o| o.name == "fft_step").unwrap();
    let plan = abi::plain_plan(op, &[u32::MAX, u32::MAX], &[]);
    let mut ex = CpuExecutor::new(Precision::F64);
    abi::fuzz_dispatch(&mut ex, &ops, &plan).unwrap();
}
