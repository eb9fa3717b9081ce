//! The `carrier` family (`threshold`, `majority`, `annihilate`, `coherence_stats`) on
//! the CPU executor against naive computations written here and against the kernels of
//! `dashi_core::kernel`, bit for bit, in f64 and f32, with poisoned output planes; the
//! bit-plane layout (bit `i % 32` of word `i / 32`).

#[macro_use]
mod common;

use common::*;
use dashi_core::carrier::{Carrier, Field, Neighbourhood, Shape, Stencil, Trit, words_for};
use dashi_core::kernel::{Annihilate, CoherenceStats, Kernel, Majority, Threshold, threshold_planes};
use dashi_core::ops::{
    ANNIHILATE, COHERENCE_STATS, CoherenceBuffers, CpuExecutor, Executor, MAJORITY, Precision, StencilBuffers,
    StencilParams, THRESHOLD, ThresholdParams,
};
use dashi_core::random::SplitMix64;
use dashi_core::scalar::Real;

/// The closed neighbourhood of `(y, x)` on the `h × w` torus, degenerate axes fixed.
fn naive_neighbours(h: usize, w: usize, y: usize, x: usize, radius: usize, moore: bool) -> Vec<usize> {
    let r = radius as isize;
    let (ry, rx) = (if h > 1 { r } else { 0 }, if w > 1 { r } else { 0 });
    let mut out = Vec::new();
    for dy in -ry..=ry {
        for dx in -rx..=rx {
            if moore || dy.abs() + dx.abs() <= r {
                let yy = (y as isize + dy).rem_euclid(h as isize) as usize;
                let xx = (x as isize + dx).rem_euclid(w as isize) as usize;
                out.push(yy * w + xx);
            }
        }
    }
    out
}

fn naive_majority(s: &[i32], h: usize, w: usize, radius: usize, moore: bool, eta: u32) -> Vec<i32> {
    (0..h * w)
        .map(|i| {
            let sum: i64 = naive_neighbours(h, w, i / w, i % w, radius, moore).iter().map(|&j| i64::from(s[j])).sum();
            if s[i] != 0 && i64::from(s[i]) * sum >= i64::from(eta) { s[i] } else { 0 }
        })
        .collect()
}

fn naive_annihilate(s: &[i32], h: usize, w: usize, radius: usize, moore: bool) -> Vec<i32> {
    (0..h * w)
        .map(|i| {
            let nb = naive_neighbours(h, w, i / w, i % w, radius, moore);
            if s[i] != 0 && nb.iter().any(|&j| s[j] == -s[i]) { 0 } else { s[i] }
        })
        .collect()
}

/// `(active, balance, interfaces, energy)`; interfaces over right and down edges of
/// the periodic grid, axes of extent 1 skipped.
fn naive_coherence(s: &[i32], f: &[f64], h: usize, w: usize) -> (i32, i32, i32, f64) {
    let active = s.iter().filter(|&&v| v != 0).count() as i32;
    let balance = s.iter().sum();
    let mut interfaces = 0;
    for y in 0..h {
        for x in 0..w {
            let v = s[y * w + x];
            if w > 1 && v * s[y * w + (x + 1) % w] == -1 {
                interfaces += 1;
            }
            if h > 1 && v * s[((y + 1) % h) * w + x] == -1 {
                interfaces += 1;
            }
        }
    }
    let sum_sq: f64 = s.iter().zip(f).filter(|(v, _)| **v != 0).map(|(_, f)| f * f).sum();
    let energy = if active == 0 { 0.0 } else { 0.5 * sum_sq / f64::from(active) };
    (active, balance, interfaces, energy)
}

/// Grid shapes `(height, width)`: cells 1, 7, 33, 35, 256, 257, 261, rings both ways.
const GRIDS: [(usize, usize); 10] =
    [(1, 1), (1, 7), (7, 1), (3, 11), (1, 33), (5, 7), (16, 16), (1, 257), (257, 1), (9, 29)];

/// Largest radius allowed on the grid (2r + 1 ≤ every extent > 1), capped at 3.
fn max_radius(h: usize, w: usize) -> usize {
    [h, w].iter().filter(|&&e| e > 1).map(|&e| (e - 1) / 2).min().unwrap_or(3).min(3)
}

#[test]
fn threshold_matches_naive_and_kernel() {
    for prec in PRECISIONS {
        for n in SIZES {
            let mut ex = CpuExecutor::new(prec);
            let mut g = SplitMix64::new(seed(14, n, prec));
            let tau = g.uniform(0.1, 1.5) as f32;
            let mut x = random_reals(&mut g, n);
            // Exact ties at ±tau (representable in both precisions).
            x[g.below(n as u64) as usize] = f64::from(tau);
            x[g.below(n as u64) as usize] = -f64::from(tau);
            let (bx, xs) = real_buf(&mut ex, &x);
            let words = words_for(n);
            let (sup, sgn) = (poisoned_u32(&mut ex, words + slack(n)), poisoned_u32(&mut ex, words + slack(n)));
            THRESHOLD.run(&mut ex, [bx, sup, sgn], &ThresholdParams::new(n as u32, tau)).unwrap();
            let (gs, gg) = (ex.download_u32(sup).unwrap(), ex.download_u32(sgn).unwrap());
            let what = format!("threshold {prec} n={n}");
            assert_tail_u32(&gs, words, &what);
            assert_tail_u32(&gg, words, &what);
            // Naive: per cell, then packed.
            let t = f64::from(tau);
            let trits: Vec<i32> = xs
                .iter()
                .map(|&v| {
                    if v >= t {
                        1
                    } else if v <= -t {
                        -1
                    } else {
                        0
                    }
                })
                .collect();
            let (ws, wg) = planes_of(&trits);
            assert_eq!((&gs[..words], &gg[..words]), (&ws[..], &wg[..]), "{what}: naive");
            // The kernel is the reference: widening to f64 is exact and monotone, so
            // Threshold::project on the stored values agrees in both precisions.
            let field = Field::new(Shape::d1(n).unwrap(), xs.clone()).unwrap();
            let c = Threshold::new(t).unwrap().project(&field);
            assert_eq!((&gs[..words], &gg[..words]), (c.support_words(), c.sign_words()), "{what}: kernel");
            let (mut ks, mut kg) = (vec![0u32; words], vec![0u32; words]);
            in_precision!(prec, threshold_on(&xs, tau, &mut ks, &mut kg));
            assert_eq!((&gs[..words], &gg[..words]), (&ks[..], &kg[..]), "{what}: threshold_planes");
        }
    }
}

fn threshold_on<T: Real>(xs: &[f64], tau: f32, support: &mut [u32], sign: &mut [u32]) {
    threshold_planes(&narrow::<T>(xs), T::from_f64(f64::from(tau)), support, sign);
}

#[test]
fn threshold_hand_computed() {
    let mut ex = CpuExecutor::new(Precision::F64);
    let (bx, _) = real_buf(&mut ex, &[0.5, -0.5, 0.2, -0.2, 0.75, -3.0]);
    let (sup, sgn) = (poisoned_u32(&mut ex, 1), poisoned_u32(&mut ex, 1));
    THRESHOLD.run(&mut ex, [bx, sup, sgn], &ThresholdParams::new(6, 0.5)).unwrap();
    // trits [+1, −1, 0, 0, +1, −1]
    assert_eq!(ex.download_u32(sup).unwrap(), [0b11_0011]);
    assert_eq!(ex.download_u32(sgn).unwrap(), [0b10_0010]);
}

#[test]
fn bit_plane_layout_is_bit_i_mod_32_of_word_i_div_32() {
    // Cell 33 of a 40-cell ring: word 1, bit 1.
    let mut values = vec![0i8; 40];
    values[33] = -1;
    values[0] = 1;
    let c = Carrier::from_i8(Shape::d1(40).unwrap(), &values).unwrap();
    assert_eq!(c.support_words(), [1, 0b10]);
    assert_eq!(c.sign_words(), [0, 0b10]);
    // Through the executor: threshold of a 40-cell field.
    let mut ex = CpuExecutor::new(Precision::F32);
    let x: Vec<f64> = values.iter().map(|&v| f64::from(v)).collect();
    let (bx, _) = real_buf(&mut ex, &x);
    let (sup, sgn) = (poisoned_u32(&mut ex, 2), poisoned_u32(&mut ex, 2));
    THRESHOLD.run(&mut ex, [bx, sup, sgn], &ThresholdParams::new(40, 0.5)).unwrap();
    assert_eq!(ex.download_u32(sup).unwrap(), [1, 0b10]);
    assert_eq!(ex.download_u32(sgn).unwrap(), [0, 0b10]);
}

/// Runs majority (Some(eta)) or annihilate (None) on `values` and returns the output
/// planes (the first `words` of each), checking the slack words stay poisoned.
fn run_stencil(
    ex: &mut CpuExecutor,
    values: &[i32],
    h: usize,
    w: usize,
    nbhd: Neighbourhood,
    eta: Option<u32>,
) -> (Vec<u32>, Vec<u32>) {
    let (sup, sgn) = planes_of(values);
    let words = sup.len();
    let extra = slack(h * w);
    let (bs, bg) = (u32_buf(ex, &sup), u32_buf(ex, &sgn));
    let (os, og) = (poisoned_u32(ex, words + extra), poisoned_u32(ex, words + extra));
    let (op, e) = match eta {
        Some(e) => (&MAJORITY, e),
        None => (&ANNIHILATE, 0),
    };
    let buffers = StencilBuffers { support_in: bs, sign_in: bg, support_out: os, sign_out: og };
    op.run(ex, buffers, &StencilParams::new(w as u32, h as u32, nbhd, e)).unwrap();
    assert_eq!(ex.download_u32(bs).unwrap(), sup, "support_in is read-only");
    assert_eq!(ex.download_u32(bg).unwrap(), sgn, "sign_in is read-only");
    let (gs, gg) = (ex.download_u32(os).unwrap(), ex.download_u32(og).unwrap());
    assert_tail_u32(&gs, words, op.name);
    assert_tail_u32(&gg, words, op.name);
    (gs[..words].to_vec(), gg[..words].to_vec())
}

#[test]
fn majority_and_annihilate_match_kernels_bit_for_bit() {
    for prec in PRECISIONS {
        for (h, w) in GRIDS {
            let mut ex = CpuExecutor::new(prec);
            let mut g = SplitMix64::new(seed(15, h * 1000 + w, prec));
            for _ in 0..6 {
                let values = random_trits(&mut g, h * w);
                let stencil = if g.next_u64() & 1 == 0 { Stencil::VonNeumann } else { Stencil::Moore };
                let radius = g.below(max_radius(h, w) as u64 + 1) as usize;
                let nbhd = Neighbourhood::new(stencil, radius);
                let moore = stencil == Stencil::Moore;
                let eta = 1 + g.below(4) as u32;
                let input = carrier_of(&values, h, w);
                let what = format!("{prec} {h}×{w} {stencil:?} r={radius} eta={eta}");

                let (ms, mg) = run_stencil(&mut ex, &values, h, w, nbhd, Some(eta));
                let kernel = Majority::new(nbhd, eta).unwrap().apply(&input).unwrap();
                assert_eq!((&ms[..], &mg[..]), (kernel.support_words(), kernel.sign_words()), "majority {what}");
                let (ns, ng) = planes_of(&naive_majority(&values, h, w, radius, moore, eta));
                assert_eq!((ms, mg), (ns, ng), "majority {what}: naive");

                let (as_, ag) = run_stencil(&mut ex, &values, h, w, nbhd, None);
                let kernel = Annihilate::new(nbhd).apply(&input).unwrap();
                assert_eq!((&as_[..], &ag[..]), (kernel.support_words(), kernel.sign_words()), "annihilate {what}");
                let (ns, ng) = planes_of(&naive_annihilate(&values, h, w, radius, moore));
                assert_eq!((as_, ag), (ns, ng), "annihilate {what}: naive");
            }
        }
    }
}

#[test]
fn majority_and_annihilate_hand_computed() {
    let mut ex = CpuExecutor::new(Precision::F64);
    // Ring of 5, von Neumann r = 1: N[x] = {x−1, x, x+1}.
    let s = [1, 1, 0, -1, 1];
    let read = |(sup, sgn): (Vec<u32>, Vec<u32>)| (0..5).map(|i| trit_at(&sup, &sgn, i)).collect::<Vec<_>>();
    // Sums: cell0 = 1+1+1 = 3, cell1 = 1+1+0 = 2, cell3 = 0−1+1 = 0 (vote 0), cell4 = −1+1+1 = 1.
    assert_eq!(read(run_stencil(&mut ex, &s, 1, 5, Neighbourhood::FOUR, Some(1))), [1, 1, 0, 0, 1]);
    assert_eq!(read(run_stencil(&mut ex, &s, 1, 5, Neighbourhood::FOUR, Some(2))), [1, 1, 0, 0, 0]);
    assert_eq!(read(run_stencil(&mut ex, &s, 1, 5, Neighbourhood::FOUR, Some(3))), [1, 0, 0, 0, 0]);
    // Cells 3 (−1 next to +1 at 4) and 4 (+1 next to −1 at 3) annihilate.
    assert_eq!(read(run_stencil(&mut ex, &s, 1, 5, Neighbourhood::FOUR, None)), [1, 1, 0, 0, 0]);
    // 3×3 checkerboard-ish, Moore r = 1: every cell sees an opposite sign → all zero.
    let s = [1, -1, 1, -1, 1, -1, 1, -1, 1];
    let (sup, sgn) = run_stencil(&mut ex, &s, 3, 3, Neighbourhood::EIGHT, None);
    assert_eq!((sup, sgn), (vec![0], vec![0]));
}

#[test]
fn coherence_stats_match_kernel_and_naive() {
    for prec in PRECISIONS {
        for (h, w) in GRIDS.into_iter().chain([(2, 2), (2, 9), (1, 2)]) {
            let mut ex = CpuExecutor::new(prec);
            let mut g = SplitMix64::new(seed(16, h * 1000 + w, prec));
            for _ in 0..4 {
                let values = random_trits(&mut g, h * w);
                let f = random_reals(&mut g, h * w);
                let (sup, sgn) = planes_of(&values);
                let (bs, bg) = (u32_buf(&mut ex, &sup), u32_buf(&mut ex, &sgn));
                let (bf, fs) = real_buf(&mut ex, &f);
                let extra = slack(h * w);
                let counts = poisoned_i32(&mut ex, 4 + extra);
                let energy = poisoned_real(&mut ex, 1 + extra);
                // radius 0: coherence_stats ignores the stencil but validates it.
                let p = StencilParams::new(w as u32, h as u32, Neighbourhood::new(Stencil::VonNeumann, 0), 0);
                COHERENCE_STATS
                    .run(&mut ex, CoherenceBuffers { support: bs, sign: bg, field: bf, counts, energy }, &p)
                    .unwrap();
                let gc = ex.download_i32(counts).unwrap();
                let ge = ex.download_real(energy).unwrap();
                let what = format!("coherence_stats {prec} {h}×{w}");
                assert!(gc[4..].iter().all(|&v| v == POISON_I32), "{what}: counts tail written");
                assert_tail_real(&ge, 1, &what);
                // The kernel on the stored field is the reference (bit for bit).
                let field = Field::new(Shape::d2(h, w).unwrap(), fs.clone()).unwrap();
                let k = CoherenceStats::of(&carrier_of(&values, h, w), &field).unwrap();
                let want_counts = [k.active_cells as i32, k.sign_balance as i32, k.interface_count as i32, 0];
                assert_eq!(gc[..4], want_counts, "{what}: kernel counts");
                assert_eq!(ge[0].to_bits(), round_to(prec, k.energy_on_support).to_bits(), "{what}: kernel energy");
                // Independent naive (energy may differ from the kernel by the order of ½·Σ/n).
                let (a, b, i, e) = naive_coherence(&values, &fs, h, w);
                assert_eq!(gc[..4], [a, b, i, 0], "{what}: naive counts");
                let tol = match prec {
                    Precision::F64 => 1e-12 * e.abs(),         // a few roundings of a positive sum
                    Precision::F32 => 2.0 * U32_EPS * e.abs(), // f64 result rounded once to f32
                };
                assert!((ge[0] - e).abs() <= tol, "{what}: naive energy {e:e}, got {:e}", ge[0]);
            }
        }
    }
}

#[test]
fn coherence_stats_hand_computed() {
    let mut ex = CpuExecutor::new(Precision::F64);
    // [[+1, −1], [0, +1]] with field [[1, 2], [3, 4]]. On the 2×2 torus each axis has two
    // edges between the same pair: x-edges (0,1),(1,0) both −1; y-edges (1,3),(3,1) both −1.
    let (sup, sgn) = planes_of(&[1, -1, 0, 1]);
    let (bs, bg) = (u32_buf(&mut ex, &sup), u32_buf(&mut ex, &sgn));
    let (bf, _) = real_buf(&mut ex, &[1.0, 2.0, 3.0, 4.0]);
    let (counts, energy) = (poisoned_i32(&mut ex, 4), poisoned_real(&mut ex, 1));
    let p = StencilParams::new(2, 2, Neighbourhood::new(Stencil::VonNeumann, 0), 0);
    COHERENCE_STATS.run(&mut ex, CoherenceBuffers { support: bs, sign: bg, field: bf, counts, energy }, &p).unwrap();
    assert_eq!(ex.download_i32(counts).unwrap(), [3, 1, 4, 0]);
    // ½·(1² + 2² + 4²)/3 = 3.5
    assert_eq!(ex.download_real(energy).unwrap(), [3.5]);
    // Empty support: energy 0, counts 0.
    let (bs0, bg0) = (u32_buf(&mut ex, &[0]), u32_buf(&mut ex, &[0]));
    COHERENCE_STATS.run(&mut ex, CoherenceBuffers { support: bs0, sign: bg0, field: bf, counts, energy }, &p).unwrap();
    assert_eq!(ex.download_i32(counts).unwrap(), [0, 0, 0, 0]);
    assert_eq!(ex.download_real(energy).unwrap(), [0.0]);
}

#[test]
fn carrier_trit_api_agrees_with_planes() {
    // Sanity for the helpers above: planes_of / trit_at invert Carrier's layout.
    let mut g = SplitMix64::new(20);
    let v = random_trits(&mut g, 77);
    let c = carrier_of(&v, 7, 11);
    let (s, n) = planes_of(&v);
    assert_eq!((c.support_words(), c.sign_words()), (&s[..], &n[..]));
    for (i, &t) in v.iter().enumerate() {
        assert_eq!(trit_at(&s, &n, i), t);
        assert_eq!(c.get(i), Trit::try_from(t as i8).unwrap());
    }
}

// ---------------------------------------------------------------------------------
// Regression test for a defect found in src/ while writing this suite (fixed).
// ---------------------------------------------------------------------------------

#[test]
fn majority_with_huge_eta_zeroes_every_cell() {
    // s·Σ ≤ |N[x]| < η for every cell when η = u32::MAX, so the output must be all zero.
    let values = [1, 1, 1, 0, -1];
    let input = carrier_of(&values, 1, 5);
    let kernel = Majority::new(Neighbourhood::FOUR, u32::MAX).unwrap().apply(&input).unwrap();
    let mut ex = CpuExecutor::new(Precision::F64);
    let executor = run_stencil(&mut ex, &values, 1, 5, Neighbourhood::FOUR, Some(u32::MAX));
    assert_eq!(naive_majority(&values, 1, 5, 1, false, u32::MAX), [0; 5]);
    assert_eq!(kernel.support_count(), 0, "kernel kept {:?}", kernel.to_i8());
    assert_eq!(executor, (vec![0], vec![0]), "executor kept cells");
}
