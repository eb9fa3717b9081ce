//! GPU ↔ CPU parity of the `atoms` family (`src/ops/atoms.wgsl`): `biot_savart`, the
//! periodic regularised Biot–Savart velocity of vortex blobs (kernel:
//! `dashi_atoms::kernel`, the one definition).
//!
//! Every case uploads fresh seeded random blobs and targets (never zero) rounded to f32,
//! so the f64 CPU reference sees exactly the values the device sees, and poisons the
//! output `TAIL` elements past its end (the op-test harness, `dashi_core::ops::testing`:
//! the tail must keep its poison). The sets mix uniform positions with close pairs
//! straddling the periodic boundary (a source at x ≈ 0 and a target at x ≈ 2π, and
//! the same in y and at a corner) and targets on the sources themselves (the
//! vertex-velocity case), with cores ε from 1e-3 (small against separations of
//! 0.02 – 0.2: the point-vortex near field 1/(2πr) dominates) to 0.3.
//!
//! Tolerance: relative error of the velocity field ≤ 1e-4 against the f64 reference,
//! measured three ways — `‖Δ‖₂/‖u‖₂` over all targets, `max_t |Δ_t| / max_t |u_t|`, and
//! per target `|Δ_t| ≤ 1e-4·A_t` with `A_t = Σ_s |w_s|·|K_{ε_s}(t − x_s)|` (the sum of
//! magnitudes, the scale at which f32 cancellation errors live). Budget: each kernel
//! evaluation has ~30 f32 roundings on O(1) quantities (≲ 1e-6 relative, the f32
//! minimal image of a displacement costs ≤ 5e-7 absolute, i.e. ≤ 2.5e-5 relative at
//! the smallest separation 0.02 here), and the f32 sum over S ≤ 600 terms ≲ √S·u·A_t;
//! 1e-4 leaves a margin of ≥ 4 over the worst case and the tests print what they measure.

use dashi_atoms::kernel::{MAX_COLUMNS, blob_velocity_columns};
use dashi_atoms::ops::{BIOT_SAVART, BiotSavartParams};
use dashi_core::ops::testing::{self, Buf};
use dashi_core::ops::*;
use dashi_core::random::SplitMix64;
use dashi_gpu::gpu_or_skip;
use std::f64::consts::TAU;

const TOL: f64 = 1e-4;

fn f32_round(v: f64) -> f64 {
    f64::from(v as f32)
}

/// A random blob set: `[x, y]` positions and `[w, ε]` per source, and `[x, y]` targets.
struct Case {
    pos: Vec<f64>,
    blobs: Vec<f64>,
    targets: Vec<f64>,
}

fn random_case(g: &mut SplitMix64, sources: usize, targets: usize, near_boundary: bool) -> Case {
    let mut pos = Vec::with_capacity(2 * sources);
    let mut blobs = Vec::with_capacity(2 * sources);
    for _ in 0..sources {
        pos.extend([g.uniform(0.0, TAU), g.uniform(0.0, TAU)]);
        let sign = if g.below(2) == 0 { -1.0 } else { 1.0 };
        let eps = [1e-3, 0.01, 0.05, 0.3][g.below(4) as usize] * g.uniform(0.8, 1.2);
        blobs.extend([sign * g.uniform(0.5, 1.5) * 0.05, eps]);
    }
    let mut at = Vec::with_capacity(2 * targets);
    for t in 0..targets {
        match t % 4 {
            // On a source (the vertex-velocity case).
            0 => {
                let s = g.below(sources as u64) as usize;
                at.extend([pos[2 * s], pos[2 * s + 1]]);
            }
            // Near a source, the short way round the box where the source is near an edge.
            1 => {
                let s = g.below(sources as u64) as usize;
                let d = g.uniform(0.02, 0.2);
                let angle = g.uniform(0.0, TAU);
                at.extend([
                    (pos[2 * s] + d * angle.cos()).rem_euclid(TAU),
                    (pos[2 * s + 1] + d * angle.sin()).rem_euclid(TAU),
                ]);
            }
            _ => at.extend([g.uniform(0.0, TAU), g.uniform(0.0, TAU)]),
        }
    }
    if near_boundary {
        // Sources just inside x = 0, y = 0 and the corner, targets just inside the
        // opposite edges: separations 0.02 – 0.1 across the periodic boundary.
        let pairs = [
            ([0.01, 2.0], [TAU - 0.02, 2.03]),
            ([3.0, 0.005], [3.04, TAU - 0.01]),
            ([0.004, 0.006], [TAU - 0.05, TAU - 0.05]),
        ];
        for (k, (s, t)) in pairs.iter().enumerate() {
            let (ks, kt) = (k % sources, k % targets);
            pos[2 * ks..2 * ks + 2].copy_from_slice(s);
            blobs[2 * ks + 1] = 2e-3;
            at[2 * kt..2 * kt + 2].copy_from_slice(t);
        }
    }
    let round = |v: Vec<f64>| v.into_iter().map(f32_round).collect::<Vec<_>>();
    Case { pos: round(pos), blobs: round(blobs), targets: round(at) }
}

/// Runs `biot_savart` on `exec` through the harness; returns the `2T` velocity reals
/// (poisoned tail and read-only bindings checked by [`testing::run`]).
fn run<E: Executor>(exec: &mut E, case: &Case, columns: u32) -> Vec<f64> {
    let (sources, targets) = (case.pos.len() / 2, case.targets.len() / 2);
    let bufs = [
        Buf::Real(case.pos.clone()),
        Buf::Real(case.blobs.clone()),
        Buf::Real(case.targets.clone()),
        Buf::poison_real(2 * targets),
    ];
    let params = BiotSavartParams::new(sources as u32, targets as u32, columns);
    let out = testing::run(exec, &BIOT_SAVART, &bufs, dashi_core::bytemuck::bytes_of(&params))
        .unwrap_or_else(|e| panic!("biot_savart: {e}"));
    out[3].reals().to_vec()
}

/// This crate's families (`dashi_atoms::ops::FAMILIES`): each assembled module validates
/// with naga and every op's entry point agrees with its spec (reflection; no device).
#[test]
fn atoms_families_agree_with_their_specs() {
    for family in dashi_atoms::ops::FAMILIES {
        assert!(!family.ops.is_empty(), "family {} has no op", family.name);
        dashi_gpu::reflect::check_family(family).unwrap_or_else(|e| panic!("{}: {e}", family.name));
    }
}

/// `A_t = Σ_s |w_s|·|K(t − x_s)|` per target.
fn magnitude_scale(case: &Case, columns: usize) -> Vec<f64> {
    case.targets
        .chunks_exact(2)
        .map(|t| {
            case.pos
                .chunks_exact(2)
                .zip(case.blobs.chunks_exact(2))
                .map(|(p, b)| {
                    let k = blob_velocity_columns(t[0] - p[0], t[1] - p[1], b[1], columns);
                    b[0].abs() * k[0].hypot(k[1])
                })
                .sum()
        })
        .collect()
}

/// `(relative L2, max-norm relative, worst |Δ_t|/A_t)` of `got` against `want` (absolute
/// where the reference field is exactly zero).
fn errors(got: &[f64], want: &[f64], scale: &[f64]) -> (f64, f64, f64) {
    let (mut d2, mut w2, mut dmax, mut wmax, mut worst) = (0.0f64, 0.0f64, 0.0f64, 0.0f64, 0.0f64);
    for ((g, w), &a) in got.chunks_exact(2).zip(want.chunks_exact(2)).zip(scale) {
        let d = (g[0] - w[0]).hypot(g[1] - w[1]);
        let m = w[0].hypot(w[1]);
        d2 += d * d;
        w2 += m * m;
        dmax = dmax.max(d);
        wmax = wmax.max(m);
        // A target on a lone source has zero velocity and zero scale: it must be exact.
        worst = worst.max(if a > 0.0 {
            d / a
        } else if d > 0.0 {
            f64::INFINITY
        } else {
            0.0
        });
    }
    let ratio = |num: f64, den: f64| if den > 0.0 { num / den } else { num };
    (ratio(d2, w2).sqrt(), ratio(dmax, wmax), worst)
}

#[test]
fn biot_savart_matches_the_cpu_reference() {
    let Some(mut gpu) = gpu_or_skip("biot_savart_matches_the_cpu_reference") else { return };
    let mut g = SplitMix64::new(81);
    let mut worst = (0.0f64, 0.0f64, 0.0f64);
    for (sources, targets, near) in
        [(1, 1, false), (3, 5, true), (63, 65, true), (64, 64, false), (300, 200, true), (600, 450, true)]
    {
        for columns in [0u32, 3, MAX_COLUMNS as u32] {
            let case = random_case(&mut g, sources, targets, near);
            let got = run(&mut gpu, &case, columns);
            let want = run(&mut CpuExecutor::new(Precision::F64), &case, columns);
            let want32 = run(&mut CpuExecutor::new(Precision::F32), &case, columns);
            let scale = magnitude_scale(&case, columns as usize);
            let what = format!("biot_savart S={sources} T={targets} columns={columns}");
            assert!(got.iter().all(|v| v.is_finite()), "{what}: non-finite velocity");
            let (l2, max, per) = errors(&got, &want, &scale);
            eprintln!("{what}: rel L2 {l2:.2e}, max-norm rel {max:.2e}, worst |Δ|/A {per:.2e}");
            assert!(l2 <= TOL && max <= TOL && per <= TOL, "{what}: L2 {l2:.3e}, max {max:.3e}, per-target {per:.3e}");
            // The f32 CPU executor rounds the f64 sum once: within u of each component.
            for (a, b) in want32.iter().zip(&want) {
                assert!((a - b).abs() <= 6e-8 * b.abs(), "{what}: f32 CPU {a} vs f64 {b}");
            }
            worst = (worst.0.max(l2), worst.1.max(max), worst.2.max(per));
        }
    }
    eprintln!(
        "biot_savart worst over all cases: rel L2 {:.2e}, max-norm rel {:.2e}, |Δ|/A {:.2e}",
        worst.0, worst.1, worst.2
    );
}

#[test]
fn biot_savart_rejects_bad_columns_on_the_device() {
    let Some(mut gpu) = gpu_or_skip("biot_savart_rejects_bad_columns_on_the_device") else { return };
    let ids: Vec<BufferId> = [2, 2, 2, 2]
        .iter()
        .map(|&len| {
            let id = gpu.alloc(ElemType::Real, len).unwrap();
            gpu.upload_real(id, &[1.0, 0.5]).unwrap();
            id
        })
        .collect();
    let params = BiotSavartParams::new(1, 1, MAX_COLUMNS as u32 + 1);
    let err = gpu.enqueue(&BIOT_SAVART, &ids, dashi_core::bytemuck::bytes_of(&params)).unwrap_err();
    assert!(matches!(err, ExecError::InvalidParams { .. }), "{err:?}");
}
