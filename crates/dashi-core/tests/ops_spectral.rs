//! The `spectral` family (`spectral_mul`, `shell_spectrum`, `band_energies`,
//! `real_pairs`, `split_pair_spectra`, `combine_pair_spectra`) on the CPU executor
//! against `dashi_core::spectral` and the pair formulas, both precisions, poisoned
//! outputs; `RealFft2Program` against rustfft.

#[macro_use]
mod common;

use common::*;
use dashi_core::ops::{CpuExecutor, ElemType, ExecError, Executor, Precision};
use dashi_core::random::SplitMix64;
use dashi_core::scalar::Real;

/// The pair-packing ops against their formulas (exact: pure data movement, or one add
/// and an exact halving per component), both precisions, poisoned destinations; and
/// `RealFft2Program` on the CPU executor against rustfft's 2D FFT of each real field.
#[test]
fn pair_ops_match_their_formulas_and_real_fft2_matches_rustfft() {
    use dashi_core::ops::{COMBINE_PAIR_SPECTRA, PairParams, REAL_PAIRS, RealFft2Program, SPLIT_PAIR_SPECTRA};
    use dashi_core::spectral::{Complex, Fft2Planner};
    for prec in PRECISIONS {
        let (n, pairs) = (8usize, 2usize);
        let n2 = n * n;
        let mut g = SplitMix64::new(seed(23, n, prec));
        let mut ex = CpuExecutor::new(prec);
        let reals: Vec<f64> = (0..2 * pairs * n2).map(|_| round_to(prec, g.uniform(-1.0, 1.0))).collect();
        let spectra: Vec<f64> = (0..4 * pairs * n2).map(|_| round_to(prec, g.uniform(-1.0, 1.0))).collect();
        let (r, packed, back) = (
            ex.alloc(ElemType::Real, reals.len()).unwrap(),
            ex.alloc(ElemType::Real, reals.len()).unwrap(),
            ex.alloc(ElemType::Real, reals.len()).unwrap(),
        );
        ex.upload_real(r, &reals).unwrap();
        ex.upload_real(packed, &vec![12345.0; reals.len()]).unwrap();
        ex.upload_real(back, &vec![12345.0; reals.len()]).unwrap();
        REAL_PAIRS.run(&mut ex, [r, packed], &PairParams::new(n as u32, pairs as u32, false)).unwrap();
        REAL_PAIRS.run(&mut ex, [packed, back], &PairParams::new(n as u32, pairs as u32, true)).unwrap();
        let z = ex.download_real(packed).unwrap();
        for f in 0..pairs {
            for i in 0..n2 {
                assert_eq!(z[2 * (f * n2 + i)], reals[2 * f * n2 + i], "{prec:?} pack re");
                assert_eq!(z[2 * (f * n2 + i) + 1], reals[(2 * f + 1) * n2 + i], "{prec:?} pack im");
            }
        }
        assert_eq!(ex.download_real(back).unwrap(), reals, "{prec:?}: unpack ∘ pack = identity");

        // split: A = (Z + conj Z(−k))/2, B = (Z − conj Z(−k))/(2i); combine: Z = A + iB.
        let (zb, ab, zb2) = (
            ex.alloc(ElemType::Real, 2 * pairs * n2).unwrap(),
            ex.alloc(ElemType::Real, 4 * pairs * n2).unwrap(),
            ex.alloc(ElemType::Real, 2 * pairs * n2).unwrap(),
        );
        let zs = &spectra[..2 * pairs * n2];
        ex.upload_real(zb, zs).unwrap();
        ex.upload_real(ab, &vec![12345.0; 4 * pairs * n2]).unwrap();
        SPLIT_PAIR_SPECTRA.run(&mut ex, [zb, ab], &PairParams::new(n as u32, pairs as u32, false)).unwrap();
        let split = ex.download_real(ab).unwrap();
        for f in 0..pairs {
            for ky in 0..n {
                for kx in 0..n {
                    let at = f * n2 + ky * n + kx;
                    let m = f * n2 + ((n - ky) % n) * n + (n - kx) % n;
                    let (zr, zi, mr, mi) = (zs[2 * at], zs[2 * at + 1], zs[2 * m], zs[2 * m + 1]);
                    let a = 2 * (2 * f * n2 + ky * n + kx);
                    let b = a + 2 * n2;
                    let want = [(zr + mr) / 2.0, (zi - mi) / 2.0, (zi + mi) / 2.0, (mr - zr) / 2.0];
                    let got = [split[a], split[a + 1], split[b], split[b + 1]];
                    let want = want.map(|v| round_to(prec, v));
                    assert_eq!(got, want, "{prec:?} split f={f} k=({kx},{ky})");
                }
            }
        }
        ex.upload_real(ab, &spectra).unwrap();
        ex.upload_real(zb2, &vec![12345.0; 2 * pairs * n2]).unwrap();
        COMBINE_PAIR_SPECTRA.run(&mut ex, [ab, zb2], &PairParams::new(n as u32, pairs as u32, false)).unwrap();
        let combined = ex.download_real(zb2).unwrap();
        for f in 0..pairs {
            for i in 0..n2 {
                let (a, b) = (2 * (2 * f * n2 + i), 2 * ((2 * f + 1) * n2 + i));
                let want = [round_to(prec, spectra[a] - spectra[b + 1]), round_to(prec, spectra[a + 1] + spectra[b])];
                assert_eq!([combined[2 * (f * n2 + i)], combined[2 * (f * n2 + i) + 1]], want, "{prec:?} combine");
            }
        }

        // The whole real FFT program against rustfft per field, and back.
        let (n, fields) = (16usize, 4usize);
        let program = RealFft2Program::new(&mut ex, n, fields).unwrap();
        let x: Vec<f64> = (0..program.real_len()).map(|_| round_to(prec, g.uniform(-1.0, 1.0))).collect();
        let (xb, sb, yb) = (
            ex.alloc(ElemType::Real, program.real_len()).unwrap(),
            ex.alloc(ElemType::Real, program.spectrum_len()).unwrap(),
            ex.alloc(ElemType::Real, program.real_len()).unwrap(),
        );
        ex.upload_real(xb, &x).unwrap();
        program.forward(&mut ex, xb, sb).unwrap();
        program.inverse(&mut ex, sb, yb).unwrap();
        let got = ex.download_real(sb).unwrap();
        let plan = Fft2Planner::<f64>::new().plan_n(n).unwrap();
        let want: Vec<f64> = x
            .chunks_exact(n * n)
            .flat_map(|field| {
                let c: Vec<Complex<f64>> = field.iter().map(|&v| Complex::new(v, 0.0)).collect();
                plan.fft2(&c).unwrap().into_iter().flat_map(|z| [z.re, z.im])
            })
            .collect();
        let tol = if prec == Precision::F64 { 1e-12 } else { 1e-6 };
        let rel = |a: &[f64], b: &[f64]| {
            let num: f64 = a.iter().zip(b).map(|(p, q)| (p - q).powi(2)).sum();
            (num / b.iter().map(|q| q * q).sum::<f64>()).sqrt()
        };
        assert!(rel(&got, &want) <= tol, "{prec:?} real fft2: {:.3e}", rel(&got, &want));
        let back = ex.download_real(yb).unwrap();
        assert!(rel(&back, &x) <= tol, "{prec:?} real fft2 round trip: {:.3e}", rel(&back, &x));
        assert!(RealFft2Program::new(&mut ex, n, 3).is_err(), "odd field count");
    }
}

/// The spectral module's operator of `kind` on each `n×n` field of `x`, in `T`.
fn spectral_module_mul<T: Real>(x: &[f64], n: usize, kind: u32, alpha: f32, p: f32) -> Vec<f64> {
    use dashi_core::spectral::{self as sp, Layout::Full, SpectralGrid};
    let grid = SpectralGrid::new(n).unwrap();
    let mut out = Vec::new();
    for field in x.chunks_exact(2 * n * n) {
        let mut c = complex_of::<T>(field);
        match kind {
            0 => sp::mul_i_kx(grid, Full, &mut c).unwrap(),
            1 => sp::mul_i_ky(grid, Full, &mut c).unwrap(),
            2 => sp::mul_neg_k2(grid, Full, &mut c).unwrap(),
            3 => sp::stream_function(grid, Full, &mut c).unwrap(),
            4 => sp::dealias(grid, Full, &mut c).unwrap(),
            _ => sp::ExponentialFilter::new(grid, Full, f64::from(alpha), f64::from(p)).unwrap().apply(&mut c).unwrap(),
        }
        out.extend(reals_of(&c));
    }
    out
}

/// spectral_mul equals the spectral module's operators exactly (both precisions), on
/// a batch, leaving a poisoned tail alone; kind 3 is ψ̂ = ω̂/|k|² (∇²ψ = −ω).
#[test]
fn spectral_mul_matches_the_spectral_module() {
    use dashi_core::ops::{SPECTRAL_MUL, SpectralMulParams};
    for prec in PRECISIONS {
        for n in [2usize, 4, 8, 16, 64] {
            let batch = 3;
            let len = 2 * n * n * batch;
            for (kind, alpha, p) in [
                (0, 0.0, 0.0),
                (1, 0.0, 0.0),
                (2, 0.0, 0.0),
                (3, 0.0, 0.0),
                (4, 0.0, 0.0),
                (5, 36.0, 8.0),
                (5, 12.0, 4.0),
            ] {
                let mut g = SplitMix64::new(seed(30 + u64::from(kind), n, prec));
                let x = random_spectra(&mut g, len, prec);
                let mut ex = CpuExecutor::new(prec);
                let mut data = x.clone();
                data.extend([POISON_REAL; 3]);
                let buf = ex.alloc(ElemType::Real, data.len()).unwrap();
                ex.upload_real(buf, &data).unwrap();
                let params = if kind == 5 {
                    SpectralMulParams::filter(n as u32, batch as u32, alpha, p)
                } else {
                    SpectralMulParams::new(n as u32, batch as u32, kind)
                };
                SPECTRAL_MUL.run(&mut ex, [buf], &params).unwrap();
                let got = ex.download_real(buf).unwrap();
                let want = in_precision!(prec, spectral_module_mul(&x, n, kind, alpha, p));
                let what = format!("spectral_mul {prec} n={n} kind={kind}");
                assert_bits(&got[..len], &want, &what);
                assert_tail_real(&got, len, &what);
            }
        }
    }
    // Hand-computed: N = 4, mode (ky, kx) = (1, −1) at row 1, column 3, value 2 + 3i.
    let mut ex = CpuExecutor::new(Precision::F64);
    let buf = ex.alloc(ElemType::Real, 32).unwrap();
    for (kind, want) in [(0u32, [3.0, -2.0]), (1, [-3.0, 2.0]), (2, [-4.0, -6.0]), (3, [1.0, 1.5]), (4, [2.0, 3.0])] {
        let mut x = vec![0.0; 32];
        x[2 * 7] = 2.0;
        x[2 * 7 + 1] = 3.0;
        ex.upload_real(buf, &x).unwrap();
        SPECTRAL_MUL.run(&mut ex, [buf], &SpectralMulParams::new(4, 1, kind)).unwrap();
        let got = ex.download_real(buf).unwrap();
        assert_eq!([got[14], got[15]], want, "kind {kind}");
    }
    // The 2/3 rule at N = 4 removes |k| = 2 (3·2 > 4) and keeps |k| = 1.
    let mut x = vec![1.0; 32];
    ex.upload_real(buf, &x).unwrap();
    SPECTRAL_MUL.run(&mut ex, [buf], &SpectralMulParams::new(4, 1, 4)).unwrap();
    for (m, v) in x.chunks_exact_mut(2).enumerate() {
        let keep = m / 4 != 2 && m % 4 != 2;
        v.fill(if keep { 1.0 } else { 0.0 });
    }
    assert_eq!(ex.download_real(buf).unwrap(), x);
    // Bad kinds and filter parameters are typed errors.
    for params in [
        SpectralMulParams::new(4, 1, 6),
        SpectralMulParams::filter(4, 1, -1.0, 8.0),
        SpectralMulParams::filter(4, 1, 36.0, 0.0),
        SpectralMulParams::filter(4, 1, f32::NAN, 8.0),
        SpectralMulParams::new(3, 1, 0),
        SpectralMulParams::new(6, 1, 0),
    ] {
        let e = SPECTRAL_MUL.run(&mut ex, [buf], &params).unwrap_err();
        assert!(matches!(e, ExecError::InvalidParams { .. }), "{params:?}: {e:?}");
    }
}

/// shell_spectrum equals spectral::shell_spectrum (full layout) rounded once to the
/// executor's precision; shells past the last are 0; Σ E(s) is the energy.
#[test]
fn shell_spectrum_matches_the_spectral_module() {
    use dashi_core::ops::{SHELL_SPECTRUM, ShellParams};
    use dashi_core::spectral::{Layout::Full, SpectralGrid, shell_spectrum};
    for prec in PRECISIONS {
        for n in [2usize, 4, 8, 16, 64, 128] {
            let grid = SpectralGrid::new(n).unwrap();
            let count = grid.shell_count();
            let mut g = SplitMix64::new(seed(40, n, prec));
            let x = random_spectra(&mut g, 2 * n * n, prec);
            let mut ex = CpuExecutor::new(prec);
            let (bx, _) = real_buf(&mut ex, &x);
            for shells in [1, count, count + 2] {
                let out = poisoned_real(&mut ex, shells + 1);
                SHELL_SPECTRUM.run(&mut ex, [bx, out], &ShellParams::new(n as u32, shells as u32)).unwrap();
                let got = ex.download_real(out).unwrap();
                let want: Vec<f64> = if prec == Precision::F64 {
                    shell_spectrum(grid, Full, &[&complex_of::<f64>(&x)]).unwrap()
                } else {
                    shell_spectrum(grid, Full, &[&complex_of::<f32>(&x)]).unwrap()
                };
                let want: Vec<f64> = (0..shells).map(|s| round_to(prec, want.get(s).copied().unwrap_or(0.0))).collect();
                let what = format!("shell_spectrum {prec} n={n} shells={shells}");
                assert_bits(&got[..shells], &want, &what);
                assert_tail_real(&got, shells, &what);
                if shells >= count {
                    let energy = 0.5 * x.iter().map(|v| v * v).sum::<f64>() / (n * n * n * n) as f64;
                    let total: f64 = got[..shells].iter().sum();
                    assert!((total / energy - 1.0).abs() < 1e-6, "{what}: Σ = {total}, energy {energy}");
                }
            }
        }
    }
}

/// band_energies with BandParams::from_cuts equals spectral::band_energies; the integer
/// thresholds reproduce band_mask's f64 sqrt comparison for every |k|² on the grid.
#[test]
fn band_energies_match_the_spectral_module() {
    use dashi_core::ops::{BAND_ENERGIES, BandParams};
    use dashi_core::spectral::{BandCuts, Layout::Full, SpectralGrid, band_energies, band_mask};
    for prec in PRECISIONS {
        for n in [2usize, 4, 8, 16, 64, 128] {
            let grid = SpectralGrid::new(n).unwrap();
            let h = (n / 2) as f64;
            let cuts = [
                BandCuts { k_cut: 0.0, mid_cut: 0.0 },
                BandCuts { k_cut: 1.0, mid_cut: h },
                BandCuts { k_cut: h / 3.0, mid_cut: h * 2f64.sqrt() },
                BandCuts { k_cut: f64::from(50f64.sqrt() as f32), mid_cut: 1e12 },
                BandCuts { k_cut: 2.5, mid_cut: (h + 0.25).max(2.5) },
            ];
            let mut g = SplitMix64::new(seed(50, n, prec));
            let x = random_spectra(&mut g, 2 * n * n, prec);
            let mut ex = CpuExecutor::new(prec);
            let (bx, _) = real_buf(&mut ex, &x);
            for c in cuts {
                let params = BandParams::from_cuts(n as u32, c).unwrap();
                // Membership: thresholds vs band_mask for every mode.
                let mask = band_mask(grid, Full, c).unwrap();
                for (m, &band) in mask.iter().enumerate() {
                    let (iy, ix) = (m / n, m % n);
                    let k2 = grid.k2_at(Full, iy, ix);
                    let mine = if k2 <= u64::from(params.low_k2) {
                        0
                    } else if k2 <= u64::from(params.mid_k2) && !grid.is_nyquist(Full, iy, ix) {
                        1
                    } else {
                        2
                    };
                    assert_eq!(mine, band, "n={n} {c:?} mode {m}");
                }
                let out = poisoned_real(&mut ex, 4);
                BAND_ENERGIES.run(&mut ex, [bx, out], &params).unwrap();
                let got = ex.download_real(out).unwrap();
                let e = if prec == Precision::F64 {
                    band_energies(grid, Full, &[&complex_of::<f64>(&x)], c).unwrap()
                } else {
                    band_energies(grid, Full, &[&complex_of::<f32>(&x)], c).unwrap()
                };
                let want = [e.low, e.mid, e.high].map(|v| round_to(prec, v));
                let what = format!("band_energies {prec} n={n} {c:?}");
                assert_bits(&got[..3], &want, &what);
                assert_tail_real(&got, 3, &what);
            }
        }
    }
    // Thresholds: exact squares and irrational cuts.
    let t = |k_cut: f64| BandParams::from_cuts(8, BandCuts { k_cut, mid_cut: k_cut }).unwrap().low_k2;
    assert_eq!([t(0.0), t(0.99), t(1.0), t(2.0), t(2.5), t(50f64.sqrt())], [0, 0, 1, 4, 6, 50]);
    assert_eq!(t(f64::from(50f64.sqrt() as f32)), 50 - u32::from(f64::from(50f64.sqrt() as f32) < 50f64.sqrt()));
    assert!(BandParams::from_cuts(8, BandCuts { k_cut: 2.0, mid_cut: 1.0 }).is_err());
    let mut ex = CpuExecutor::new(Precision::F64);
    let (bx, _) = real_buf(&mut ex, &[1.0; 32]);
    let out = poisoned_real(&mut ex, 3);
    let e = BAND_ENERGIES.run(&mut ex, [bx, out], &BandParams::new(4, 5, 4)).unwrap_err();
    assert!(matches!(e, ExecError::InvalidParams { .. }), "{e:?}");
}
