//! Parity of the carrier family (`dashi-core/src/ops/carrier.wgsl`): `threshold`, `majority`,
//! `annihilate`, `coherence_stats` on the GPU executor against the CPU reference.
//!
//! Tolerances, per op:
//! * `threshold` — bit-exact against [`CpuExecutor`] in f32: both sides compare the same
//!   f32 values with the same f32 τ (no arithmetic on x), so there is nothing to round.
//! * `majority`, `annihilate` — bit-exact: integer votes over the same neighbourhood.
//! * `coherence_stats` counts — exact (integer counts).
//! * `coherence_stats` energy — relative error ≤ `(m + 12)·2⁻²⁴` against the CPU value,
//!   where `m` is the most cells one of the 256 invocations sums. The terms `f²` are
//!   ≥ 0 (no cancellation), so the f32 result is within `γ_k ≈ k·2⁻²⁴` of the exact
//!   value for `k` = rounding steps on the longest path: one per square, `m` sequential
//!   additions in the invocation, 8 tree levels, one division; the CPU side accumulates
//!   in f64 and rounds once to f32 (one more). For 128×128 (m = 64) that is ≈ 4.5e-6.
//!
//! Every run poisons the output buffers with `0xDEADBEEF` first, and allocates one spare
//! word past the spec's length, which must keep its poison (no write out of range).
//! Inputs are fresh SplitMix64 carriers that are never all zero.

use dashi_core::carrier::{Carrier, Field, Neighbourhood, Shape, Stencil};
use dashi_core::kernel::{Annihilate, CoherenceStats, Kernel, Majority, threshold_planes};
use dashi_core::ops::{
    ANNIHILATE, BufferId, CARRIER, COHERENCE_STATS, CoherenceBuffers, CpuExecutor, ElemType, ExecError, Executor,
    MAJORITY, OpSpec, Precision, StencilBuffers, StencilParams, THRESHOLD, ThresholdParams,
};
use dashi_core::random::SplitMix64;
use dashi_gpu::gpu_or_skip;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use std::cell::RefCell;

const POISON: u32 = 0xDEAD_BEEF;

/// Grid shapes `(height, width)`: single cell, rings both ways, extent-2 axes, small odd
/// grids, cell counts that are not multiples of 32 (15, 765, 1023, 3500), and powers of two.
const SHAPES: &[(usize, usize)] = &[
    (1, 1),
    (1, 2),
    (1, 7),
    (1, 40),
    (1, 100),
    (2, 1),
    (7, 1),
    (33, 1),
    (2, 2),
    (2, 5),
    (3, 5),
    (5, 3),
    (17, 45),
    (31, 33),
    (50, 70),
    (64, 64),
    (128, 128),
];

/// `(support density, fraction of negatives)`, cycled over the cases.
const DENSITIES: &[(f64, f64)] = &[(0.1, 0.5), (0.5, 0.5), (0.9, 0.5), (1.0, 0.5), (0.7, 0.1), (0.7, 0.9), (1.0, 0.0)];

/// The largest radius with `2r + 1 ≤ extent` on every non-degenerate axis (`None` on a
/// 1×1 grid, where every radius is allowed).
fn max_radius(h: usize, w: usize) -> Option<usize> {
    [h, w].into_iter().filter(|&e| e > 1).map(|e| (e - 1) / 2).min()
}

/// Radii tested on a shape: `0..=2` where they fit, plus the largest that fits on
/// grids small enough for the CPU reference to be quick.
fn radii(h: usize, w: usize) -> Vec<usize> {
    let max = max_radius(h, w).unwrap_or(7);
    let mut r: Vec<usize> = (0..=max.min(2)).collect();
    if max > 2 && h * w <= 1100 {
        r.push(max);
    }
    r
}

fn random_carrier(g: &mut SplitMix64, h: usize, w: usize, (density, negative): (f64, f64)) -> Carrier {
    let n = h * w;
    let mut v: Vec<i8> =
        (0..n).map(|_| if g.next_f64() < density { if g.next_f64() < negative { -1 } else { 1 } } else { 0 }).collect();
    if v.iter().all(|&t| t == 0) {
        v[g.below(n as u64) as usize] = if g.next_f64() < 0.5 { 1 } else { -1 };
    }
    Carrier::from_i8(Shape::d2(h, w).expect("shape"), &v).expect("carrier")
}

fn stencil_of(code: u32) -> Stencil {
    Stencil::from_code(code).expect("stencil code")
}

/// Runs a stencil op on `exec`: poisoned outputs with a spare word, returns both output
/// planes (spare word included) and frees the buffers.
fn run_stencil<E: Executor>(exec: &mut E, op: &'static OpSpec, c: &Carrier, p: &StencilParams) -> (Vec<u32>, Vec<u32>) {
    let words = c.support_words().len();
    let with_spare = |plane: &[u32]| {
        let mut v = plane.to_vec();
        v.push(POISON);
        v
    };
    let bufs: Vec<BufferId> = (0..4).map(|_| exec.alloc(ElemType::U32, words + 1).expect("alloc")).collect();
    exec.upload_u32(bufs[0], &with_spare(c.support_words())).expect("upload support");
    exec.upload_u32(bufs[1], &with_spare(c.sign_words())).expect("upload sign");
    exec.upload_u32(bufs[2], &vec![POISON; words + 1]).expect("poison support_out");
    exec.upload_u32(bufs[3], &vec![POISON; words + 1]).expect("poison sign_out");
    exec.enqueue(op, &bufs, bytemuck::bytes_of(p)).unwrap_or_else(|e| panic!("{} {:?}: {e}", op.name, p));
    let out = (exec.download_u32(bufs[2]).expect("download"), exec.download_u32(bufs[3]).expect("download"));
    for b in bufs {
        exec.free(b).expect("free");
    }
    out
}

/// The cells where two (support, sign) plane pairs differ, as `(index, cpu, gpu)` trits (first few).
fn diff_cells(cpu: &(Vec<u32>, Vec<u32>), gpu: &(Vec<u32>, Vec<u32>), cells: usize) -> Vec<(usize, i32, i32)> {
    let trit = |(sup, sgn): &(Vec<u32>, Vec<u32>), i: usize| {
        let (w, b) = (i / 32, i % 32);
        match ((sup[w] >> b) & 1, (sgn[w] >> b) & 1) {
            (0, 0) => 0,
            (1, 0) => 1,
            (1, 1) => -1,
            _ => 99, // sign without support: non-canonical
        }
    };
    (0..cells).filter(|&i| trit(cpu, i) != trit(gpu, i)).take(8).map(|i| (i, trit(cpu, i), trit(gpu, i))).collect()
}

/// Checks one stencil op on one carrier: GPU against the CPU executor, and the CPU
/// executor against the kernel itself. Returns an error message instead of panicking
/// (for proptest).
fn check_stencil(
    gpu: &mut dashi_gpu::GpuExecutor,
    cpu: &mut CpuExecutor,
    op: &'static OpSpec,
    c: &Carrier,
    p: &StencilParams,
) -> Result<(), String> {
    let (h, w) = (p.height as usize, p.width as usize);
    let nbhd = Neighbourhood::new(stencil_of(p.stencil), p.radius as usize);
    let want = run_stencil(cpu, op, c, p);
    let kernel_out = if op.name == "majority" {
        Majority::new(nbhd, p.eta).expect("eta >= 1").apply(c)
    } else {
        Annihilate::new(nbhd).apply(c)
    }
    .expect("kernel");
    let words = c.support_words().len();
    if want.0[..words] != *kernel_out.support_words() || want.1[..words] != *kernel_out.sign_words() {
        return Err(format!("{} {h}×{w} {p:?}: CPU executor disagrees with the kernel", op.name));
    }
    let got = run_stencil(gpu, op, c, p);
    if got != want {
        let spare = (got.0[words], got.1[words]);
        return Err(format!(
            "{} {h}×{w} {p:?}: GPU ≠ CPU; differing cells (index, cpu, gpu): {:?}; spare words {:08x?}",
            op.name,
            diff_cells(&want, &got, h * w),
            spare
        ));
    }
    Ok(())
}

#[test]
fn carrier_shaders_match_specs() {
    let names: Vec<&str> = CARRIER.ops.iter().map(|s| s.name).collect();
    assert_eq!(names, ["threshold", "majority", "annihilate", "coherence_stats"]);
    dashi_gpu::reflect::check_family(&CARRIER).unwrap_or_else(|e| panic!("carrier.wgsl: {e}"));
}

/// Runs `threshold` on `exec` with poisoned outputs (one spare word); returns both planes.
fn run_threshold<E: Executor>(e: &mut E, x: &[f64], words: usize, p: &ThresholdParams) -> (Vec<u32>, Vec<u32>) {
    let xb = e.alloc(ElemType::Real, x.len()).expect("alloc");
    let sup = e.alloc(ElemType::U32, words + 1).expect("alloc");
    let sgn = e.alloc(ElemType::U32, words + 1).expect("alloc");
    e.upload_real(xb, x).expect("upload");
    e.upload_u32(sup, &vec![POISON; words + 1]).expect("poison");
    e.upload_u32(sgn, &vec![POISON; words + 1]).expect("poison");
    THRESHOLD.run(e, [xb, sup, sgn], p).expect("threshold");
    let out = (e.download_u32(sup).expect("download"), e.download_u32(sgn).expect("download"));
    for b in [xb, sup, sgn] {
        e.free(b).expect("free");
    }
    out
}

#[test]
fn threshold_parity_f32_bit_exact() {
    let Some(mut gpu) = gpu_or_skip("threshold_parity_f32_bit_exact") else { return };
    let mut cpu = CpuExecutor::new(Precision::F32);
    let mut g = SplitMix64::new(0x7468_7265_7368);
    let sizes = [1usize, 5, 31, 32, 33, 64, 100, 1023, 4103, 16384, 65537];
    let taus = [0.5f32, 1.0, 0.013, 2.75];
    for &n in &sizes {
        for &tau in &taus {
            // f32 values (exactly representable, so the upload's narrowing is the
            // identity), with the boundary values ±τ, their f32 neighbours and ±0 planted.
            let mut x: Vec<f32> = (0..n).map(|_| (g.normal() * f64::from(tau) * 1.5) as f32).collect();
            let up = |v: f32| f32::from_bits(v.to_bits() + 1);
            let down = |v: f32| f32::from_bits(v.to_bits() - 1);
            for v in [tau, -tau, up(tau), down(tau), -up(tau), -down(tau), 0.0, -0.0] {
                let i = g.below(n as u64) as usize;
                x[i] = v;
            }
            let x64: Vec<f64> = x.iter().map(|&v| f64::from(v)).collect();
            let words = n.div_ceil(32);
            let p = ThresholdParams::new(n as u32, tau);
            let got = &run_threshold(&mut gpu, &x64, words, &p);
            let want = &run_threshold(&mut cpu, &x64, words, &p);
            // The CPU executor must be `threshold_planes` in f32 (sanity of the reference).
            let (mut sup, mut sgn) = (vec![0u32; words], vec![0u32; words]);
            threshold_planes(&x, tau, &mut sup, &mut sgn);
            assert_eq!((&want.0[..words], &want.1[..words]), (&sup[..], &sgn[..]), "CPU executor vs threshold_planes");
            assert_eq!((want.0[words], want.1[words]), (POISON, POISON), "CPU wrote past the spec length");
            if got != want {
                panic!(
                    "threshold n={n} tau={tau}: GPU ≠ CPU; differing cells (index, x, cpu, gpu): {:?}",
                    diff_cells(want, got, n).iter().map(|&(i, c, g)| (i, x[i], c, g)).collect::<Vec<_>>()
                );
            }
        }
    }
}

#[test]
fn majority_parity_bit_exact() {
    let Some(mut gpu) = gpu_or_skip("majority_parity_bit_exact") else { return };
    let mut cpu = CpuExecutor::new(Precision::F32);
    let mut g = SplitMix64::new(0x6d61_6a6f_7269_7479);
    let mut case = 0usize;
    for &(h, w) in SHAPES {
        for r in radii(h, w) {
            for stencil in [Stencil::VonNeumann, Stencil::Moore] {
                for eta in 1..=4 {
                    let c = random_carrier(&mut g, h, w, DENSITIES[case % DENSITIES.len()]);
                    case += 1;
                    let p = StencilParams::new(w as u32, h as u32, Neighbourhood::new(stencil, r), eta);
                    check_stencil(&mut gpu, &mut cpu, &MAJORITY, &c, &p).unwrap_or_else(|e| panic!("{e}"));
                }
            }
        }
    }
    println!("majority: {case} cases bit-exact");
}

#[test]
fn annihilate_parity_bit_exact() {
    let Some(mut gpu) = gpu_or_skip("annihilate_parity_bit_exact") else { return };
    let mut cpu = CpuExecutor::new(Precision::F32);
    let mut g = SplitMix64::new(0x616e_6e69_6869_6c61);
    let mut case = 0usize;
    for &(h, w) in SHAPES {
        for r in radii(h, w) {
            for stencil in [Stencil::VonNeumann, Stencil::Moore] {
                // Two densities per configuration: annihilation is all-or-nothing at
                // high mixed density, so sparse inputs are where survivors are.
                for _ in 0..2 {
                    let c = random_carrier(&mut g, h, w, DENSITIES[case % DENSITIES.len()]);
                    case += 1;
                    let p = StencilParams::new(w as u32, h as u32, Neighbourhood::new(stencil, r), 0);
                    check_stencil(&mut gpu, &mut cpu, &ANNIHILATE, &c, &p).unwrap_or_else(|e| panic!("{e}"));
                }
            }
        }
    }
    println!("annihilate: {case} cases bit-exact");
}

/// Runs `coherence_stats` on `exec` with poisoned outputs; returns (counts, energy).
fn run_coherence<E: Executor>(exec: &mut E, c: &Carrier, field: &[f64], p: &StencilParams) -> (Vec<i32>, Vec<f64>) {
    let words = c.support_words().len();
    let sup = exec.alloc(ElemType::U32, words).expect("alloc");
    let sgn = exec.alloc(ElemType::U32, words).expect("alloc");
    let f = exec.alloc(ElemType::Real, field.len()).expect("alloc");
    let counts = exec.alloc(ElemType::I32, 5).expect("alloc");
    let energy = exec.alloc(ElemType::Real, 2).expect("alloc");
    exec.upload_u32(sup, c.support_words()).expect("upload");
    exec.upload_u32(sgn, c.sign_words()).expect("upload");
    exec.upload_real(f, field).expect("upload");
    exec.upload_i32(counts, &[POISON as i32; 5]).expect("poison");
    let poison_f = f64::from(f32::from_bits(POISON));
    exec.upload_real(energy, &[poison_f; 2]).expect("poison");
    let buffers = CoherenceBuffers { support: sup, sign: sgn, field: f, counts, energy };
    COHERENCE_STATS.run(exec, buffers, p).unwrap_or_else(|e| panic!("coherence_stats: {e}"));
    let out = (exec.download_i32(counts).expect("download"), exec.download_real(energy).expect("download"));
    for b in [sup, sgn, f, counts, energy] {
        exec.free(b).expect("free");
    }
    assert_eq!(out.0[4], POISON as i32, "counts written past its 4 entries");
    assert_eq!(out.1[1], poison_f, "energy written past its 1 entry");
    out
}

/// The energy tolerance of the module docs for a grid of `cells` cells.
fn energy_tolerance(cells: usize) -> f64 {
    let per_invocation = 32 * cells.div_ceil(32).div_ceil(256);
    (per_invocation + 12) as f64 * 2f64.powi(-24)
}

#[test]
fn coherence_stats_parity() {
    let Some(mut gpu) = gpu_or_skip("coherence_stats_parity") else { return };
    let mut cpu = CpuExecutor::new(Precision::F32);
    let mut g = SplitMix64::new(0x636f_6865_7265);
    let mut case = 0usize;
    let mut worst = 0.0f64;
    for &(h, w) in SHAPES {
        for _ in 0..3 {
            let c = random_carrier(&mut g, h, w, DENSITIES[case % DENSITIES.len()]);
            case += 1;
            let field: Vec<f64> = (0..h * w).map(|_| f64::from((g.normal() * 3.0) as f32)).collect();
            // The op reads only width and height; radius 0 satisfies every shape's domain.
            let p = StencilParams::new(w as u32, h as u32, Neighbourhood::new(Stencil::VonNeumann, 0), 0);
            let (want_counts, want_energy) = run_coherence(&mut cpu, &c, &field, &p);
            let stats =
                CoherenceStats::of(&c, &Field::new(c.shape().clone(), field.clone()).expect("field")).expect("stats");
            let exact = [stats.active_cells as i32, stats.sign_balance as i32, stats.interface_count as i32, 0];
            assert_eq!(want_counts[..4], exact, "CPU executor vs CoherenceStats");
            let (got_counts, got_energy) = run_coherence(&mut gpu, &c, &field, &p);
            assert_eq!(got_counts[..4], want_counts[..4], "coherence_stats {h}×{w}: counts [active, Σs, I, 0]");
            let rel = (got_energy[0] - want_energy[0]).abs() / want_energy[0].abs().max(f64::MIN_POSITIVE);
            let tol = energy_tolerance(h * w);
            assert!(
                rel <= tol,
                "coherence_stats {h}×{w}: energy gpu {} cpu {} (exact {}): rel {rel:e} > {tol:e}",
                got_energy[0],
                want_energy[0],
                stats.energy_on_support
            );
            worst = worst.max(rel);
        }
    }
    println!("coherence_stats: {case} cases, counts exact, worst energy rel err {worst:e}");
}

#[test]
fn coherence_stats_empty_support_is_zero() {
    let Some(mut gpu) = gpu_or_skip("coherence_stats_empty_support_is_zero") else { return };
    // The one deliberately empty carrier: it exercises the "0 on empty support" branch
    // (the field is non-zero, so a missing guard would show).
    for (h, w) in [(1, 1), (3, 5), (31, 33)] {
        let c = Carrier::zeros(Shape::d2(h, w).expect("shape"));
        let field: Vec<f64> = (0..h * w).map(|i| 1.0 + i as f64).collect();
        let p = StencilParams::new(w as u32, h as u32, Neighbourhood::new(Stencil::VonNeumann, 0), 0);
        let (counts, energy) = run_coherence(&mut gpu, &c, &field, &p);
        assert_eq!(counts[..4], [0, 0, 0, 0], "{h}×{w}");
        assert_eq!(energy[0].to_bits(), 0f64.to_bits(), "{h}×{w}: energy must be +0");
    }
}

#[test]
fn stencil_domain_refused_before_dispatch() {
    let Some(mut gpu) = gpu_or_skip("stencil_domain_refused_before_dispatch") else { return };
    let c = Carrier::from_i8(Shape::d2(3, 5).expect("shape"), &[1; 15]).expect("carrier");
    let words = c.support_words().len();
    let bufs: Vec<BufferId> = (0..4).map(|_| gpu.alloc(ElemType::U32, words).expect("alloc")).collect();
    let bad = [
        (&MAJORITY, StencilParams::new(5, 3, Neighbourhood::new(Stencil::Moore, 2), 1)), // 2r+1 > 3
        (&ANNIHILATE, StencilParams::new(5, 3, Neighbourhood::new(Stencil::VonNeumann, 3), 0)), // > 5 too
        (&MAJORITY, StencilParams::new(5, 3, Neighbourhood::FOUR, 0)),                   // eta = 0
    ];
    for (op, p) in bad {
        let buffers = StencilBuffers { support_in: bufs[0], sign_in: bufs[1], support_out: bufs[2], sign_out: bufs[3] };
        match op.run(&mut gpu, buffers, &p) {
            Err(ExecError::InvalidParams { .. }) => {}
            other => panic!("{} {p:?}: expected InvalidParams, got {other:?}", op.name),
        }
    }
}

#[test]
fn majority_annihilate_proptest() {
    let Some(gpu) = gpu_or_skip("majority_annihilate_proptest") else { return };
    let gpu = RefCell::new(gpu);
    let cpu = RefCell::new(CpuExecutor::new(Precision::F32));
    let dim = |max: usize| prop_oneof![1 => Just(1usize), 4 => 2..=max];
    let strategy = (dim(9), dim(40), 0u32..2, 0usize..=4, 1u32..=5).prop_flat_map(|(h, w, stencil, r, eta)| {
        let r = r.min(max_radius(h, w).unwrap_or(4));
        let trits = prop::collection::vec(-1i8..=1, h * w).prop_map(|mut v| {
            if v.iter().all(|&t| t == 0) {
                v[0] = 1;
            }
            v
        });
        (Just(h), Just(w), Just(stencil), Just(r), Just(eta), trits)
    });
    let config = Config { cases: 96, failure_persistence: None, ..Config::default() };
    let mut runner = TestRunner::new(config);
    let result = runner.run(&strategy, |(h, w, stencil, r, eta, trits)| {
        let c = Carrier::from_i8(Shape::d2(h, w).expect("shape"), &trits).expect("carrier");
        let nbhd = Neighbourhood::new(stencil_of(stencil), r);
        let (mut gpu, mut cpu) = (gpu.borrow_mut(), cpu.borrow_mut());
        for (op, eta) in [(&MAJORITY, eta), (&ANNIHILATE, 0)] {
            let p = StencilParams::new(w as u32, h as u32, nbhd, eta);
            check_stencil(&mut gpu, &mut cpu, op, &c, &p).map_err(TestCaseError::fail)?;
        }
        Ok(())
    });
    if let Err(e) = result {
        panic!("{e}");
    }
}

/// η beyond i32::MAX must zero every cell on both backends (the CPU compares in i64,
/// the shader without narrowing η) — the regression of the CPU's former `eta as i32`.
#[test]
fn majority_with_huge_eta_zeroes_everything_on_both_backends() {
    let Some(mut gpu) = gpu_or_skip("majority_with_huge_eta_zeroes_everything_on_both_backends") else { return };
    let mut cpu = CpuExecutor::new(Precision::F32);
    let mut g = SplitMix64::new(77);
    let c = random_carrier(&mut g, 9, 11, (0.8, 0.3));
    for eta in [1u32 << 31, u32::MAX] {
        let p = StencilParams::new(11, 9, Neighbourhood::EIGHT, eta);
        check_stencil(&mut gpu, &mut cpu, &MAJORITY, &c, &p).unwrap();
        let (support, _) = run_stencil(&mut gpu, &MAJORITY, &c, &p);
        assert!(support[..c.support_words().len()].iter().all(|&w| w == 0), "η = {eta} kept cells");
    }
}
