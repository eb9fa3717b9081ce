//! The spectral layer against first principles (docs/DESIGN.md §4): a naive O(N⁴) DFT, round
//! trips, Parseval, single Fourier modes in exactly the right bins with the right scale
//! and sign, derivatives, the inverse Laplacian, masks, the filter, energies, and typed
//! errors for bad input.

use dashi_core::random::SplitMix64;
use dashi_core::spectral::{
    BandCuts, Complex, ExponentialFilter, FFT_NORM, Fft2, Fft2Planner, Layout, SpectralError, SpectralGrid,
    band_energies, band_mask, dealias, dealias_bits, dealias_mask, inverse_laplacian, mul_i_kx, mul_i_ky, mul_neg_k2,
    shell_spectrum, shell_spectrum_from_vorticity, stream_function, velocity_from_vorticity,
};
use std::f64::consts::TAU;

type C64 = Complex<f64>;

fn grid(n: usize) -> SpectralGrid {
    SpectralGrid::new(n).unwrap()
}

fn plan64(n: usize) -> Fft2<f64> {
    Fft2Planner::new().plan_n(n).unwrap()
}

fn random_complex(n: usize, seed: u64) -> Vec<C64> {
    let mut g = SplitMix64::new(seed);
    (0..n * n).map(|_| C64::new(g.normal(), g.normal())).collect()
}

fn random_real(n: usize, seed: u64) -> Vec<f64> {
    let mut g = SplitMix64::new(seed);
    (0..n * n).map(|_| g.normal()).collect()
}

fn rel_l2(a: &[C64], b: &[C64]) -> f64 {
    assert_eq!(a.len(), b.len());
    let num: f64 = a.iter().zip(b).map(|(x, y)| (x - y).norm_sqr()).sum();
    let den: f64 = b.iter().map(|y| y.norm_sqr()).sum();
    (num / den).sqrt()
}

fn rel_l2_real(a: &[f64], b: &[f64]) -> f64 {
    let num: f64 = a.iter().zip(b).map(|(x, y)| (x - y).powi(2)).sum();
    let den: f64 = b.iter().map(|y| y * y).sum();
    (num / den).sqrt()
}

fn as_complex(v: &[f64]) -> Vec<C64> {
    v.iter().map(|&x| C64::new(x, 0.0)).collect()
}

/// The first N/2+1 columns of a full N×N spectrum.
fn half_of(full: &[C64], n: usize) -> Vec<C64> {
    full.chunks(n).flat_map(|row| row[..n / 2 + 1].to_vec()).collect()
}

/// Naive 2D DFT straight from the docs/DESIGN.md §4 formula, with the e^{∓2πim/N} table exact in
/// f64: forward unscaled, inverse × 1/N².
fn naive_dft(f: &[C64], n: usize, inverse: bool) -> Vec<C64> {
    let sign = if inverse { 1.0 } else { -1.0 };
    let tw: Vec<C64> = (0..n).map(|m| C64::from_polar(1.0, sign * TAU * m as f64 / n as f64)).collect();
    let scale = if inverse { 1.0 / (n * n) as f64 } else { 1.0 };
    let mut out = vec![C64::new(0.0, 0.0); n * n];
    for ky in 0..n {
        for kx in 0..n {
            let mut acc = C64::new(0.0, 0.0);
            for y in 0..n {
                for x in 0..n {
                    acc += f[y * n + x] * tw[(kx * x + ky * y) % n];
                }
            }
            out[ky * n + kx] = acc * scale;
        }
    }
    out
}

#[test]
fn fft2_matches_naive_dft_for_every_small_n() {
    for n in [2, 4, 8, 16, 32] {
        let plan = plan64(n);
        let z = random_complex(n, n as u64);
        let fwd = naive_dft(&z, n, false);
        assert!(rel_l2(&plan.fft2(&z).unwrap(), &fwd) <= 1e-12, "fft2 complex N = {n}");
        let inv = naive_dft(&z, n, true);
        assert!(rel_l2(&plan.ifft2(&z).unwrap(), &inv) <= 1e-12, "ifft2 complex N = {n}");
        let mut inplace = z.clone();
        plan.fft2_inplace(&mut inplace).unwrap();
        assert!(rel_l2(&inplace, &fwd) <= 1e-12, "fft2_inplace N = {n}");

        let r = random_real(n, 100 + n as u64);
        let rz = as_complex(&r);
        let rfwd = naive_dft(&rz, n, false);
        assert!(rel_l2(&plan.fft2(&rz).unwrap(), &rfwd) <= 1e-12, "fft2 real N = {n}");
        assert!(rel_l2(&plan.rfft2(&r).unwrap(), &half_of(&rfwd, n)) <= 1e-12, "rfft2 N = {n}");
        // Inverse of a Hermitian spectrum: the naive inverse is real up to rounding.
        let back: Vec<f64> = naive_dft(&rfwd, n, true).iter().map(|c| c.re).collect();
        let ours = plan.irfft2(&half_of(&rfwd, n)).unwrap();
        assert!(rel_l2_real(&ours, &back) <= 1e-12, "irfft2 N = {n}");
        assert!(rel_l2(&plan.ifft2(&rfwd).unwrap(), &naive_dft(&rfwd, n, true)) <= 1e-12, "ifft2 real N = {n}");
    }
}

#[test]
fn f32_matches_naive_dft() {
    for n in [2, 4, 8, 16, 32] {
        let plan: Fft2<f32> = Fft2Planner::new().plan_n(n).unwrap();
        let z = random_complex(n, 7 * n as u64);
        let z32: Vec<Complex<f32>> = z.iter().map(|c| Complex::new(c.re as f32, c.im as f32)).collect();
        let exact: Vec<C64> = z32.iter().map(|c| C64::new(c.re as f64, c.im as f64)).collect();
        let ours: Vec<C64> = plan.fft2(&z32).unwrap().iter().map(|c| C64::new(c.re as f64, c.im as f64)).collect();
        assert!(rel_l2(&ours, &naive_dft(&exact, n, false)) <= 1e-6, "f32 fft2 N = {n}");
    }
}

#[test]
fn round_trips_for_every_n_up_to_1024() {
    let mut planner64 = Fft2Planner::<f64>::new();
    let mut planner32 = Fft2Planner::<f32>::new();
    let mut n = 2;
    while n <= 1024 {
        let p = planner64.plan_n(n).unwrap();
        let z = random_complex(n, n as u64 + 1);
        assert!(rel_l2(&p.ifft2(&p.fft2(&z).unwrap()).unwrap(), &z) <= 1e-12, "c2c f64 N = {n}");
        let r = random_real(n, n as u64 + 2);
        assert!(rel_l2_real(&p.irfft2(&p.rfft2(&r).unwrap()).unwrap(), &r) <= 1e-12, "r2c f64 N = {n}");
        let mut w = z.clone();
        p.fft2_inplace(&mut w).unwrap();
        p.ifft2_inplace(&mut w).unwrap();
        assert!(rel_l2(&w, &z) <= 1e-12, "in place f64 N = {n}");

        // f32: bound 1e-6 (measured: at most 2.4e-7 up to N = 1024).
        let p = planner32.plan_n(n).unwrap();
        let z32: Vec<Complex<f32>> = z.iter().map(|c| Complex::new(c.re as f32, c.im as f32)).collect();
        let back = p.ifft2(&p.fft2(&z32).unwrap()).unwrap();
        let up = |v: &[Complex<f32>]| v.iter().map(|c| C64::new(c.re as f64, c.im as f64)).collect::<Vec<_>>();
        assert!(rel_l2(&up(&back), &up(&z32)) <= 1e-6, "c2c f32 N = {n}");
        let r32: Vec<f32> = r.iter().map(|&x| x as f32).collect();
        let back = p.irfft2(&p.rfft2(&r32).unwrap()).unwrap();
        let upr = |v: &[f32]| v.iter().map(|&x| x as f64).collect::<Vec<_>>();
        assert!(rel_l2_real(&upr(&back), &upr(&r32)) <= 1e-6, "r2c f32 N = {n}");
        n *= 2;
    }
}

#[test]
fn parseval_holds_for_full_and_half_spectra() {
    for n in [2, 16, 128, 512] {
        let p = plan64(n);
        let z = random_complex(n, 3 * n as u64);
        let phys: f64 = z.iter().map(|c| c.norm_sqr()).sum();
        let spec: f64 = p.fft2(&z).unwrap().iter().map(|c| c.norm_sqr()).sum::<f64>() / (n * n) as f64;
        assert!((phys - spec).abs() <= 1e-12 * phys, "complex N = {n}");

        let r = random_real(n, 5 * n as u64);
        let phys: f64 = r.iter().map(|x| x * x).sum();
        let half = p.rfft2(&r).unwrap();
        let w = n / 2 + 1;
        let spec: f64 = half
            .iter()
            .enumerate()
            .map(|(i, c)| if i % w == 0 || i % w == n / 2 { 1.0 } else { 2.0 } * c.norm_sqr())
            .sum::<f64>()
            / (n * n) as f64;
        assert!((phys - spec).abs() <= 1e-12 * phys, "real N = {n}");
    }
}

/// Bin index of wavenumber k on an N grid (k mod N).
fn bin(k: i64, n: usize) -> usize {
    k.rem_euclid(n as i64) as usize
}

#[test]
fn single_mode_lands_in_exactly_its_bins_with_scale_n2_over_2() {
    let n = 16;
    let g = grid(n);
    let p = plan64(n);
    let big = (n * n) as f64;
    for (kx, ky) in [(1, 0), (0, 1), (3, 2), (-2, 5), (7, -7), (-1, -4), (5, 0)] {
        let field = |f: fn(f64) -> f64| -> Vec<f64> {
            (0..n * n).map(|i| f(kx as f64 * g.coordinate(i % n) + ky as f64 * g.coordinate(i / n))).collect()
        };
        let plus = bin(ky, n) * n + bin(kx, n);
        let minus = bin(-ky, n) * n + bin(-kx, n);
        // cos → N²/2 at +k and −k, real.
        let spec = p.fft2(&as_complex(&field(f64::cos))).unwrap();
        for (i, c) in spec.iter().enumerate() {
            let want = if i == plus || i == minus { big / 2.0 } else { 0.0 };
            assert!((c - C64::new(want, 0.0)).norm() < 1e-11 * big, "cos k = ({kx},{ky}) bin {i}: {c}");
        }
        // sin → −i·N²/2 at +k, +i·N²/2 at −k (the e^{−ik·x} sign).
        let spec = p.fft2(&as_complex(&field(f64::sin))).unwrap();
        for (i, c) in spec.iter().enumerate() {
            let want = if i == plus {
                C64::new(0.0, -big / 2.0)
            } else if i == minus {
                C64::new(0.0, big / 2.0)
            } else {
                C64::new(0.0, 0.0)
            };
            assert!((c - want).norm() < 1e-11 * big, "sin k = ({kx},{ky}) bin {i}: {c}");
        }
        // rfft2 stores the one of ±k with kx ≥ 0 (both if kx = 0).
        let half = p.rfft2(&field(f64::sin)).unwrap();
        let w = n / 2 + 1;
        for (i, c) in half.iter().enumerate() {
            let (iy, ix) = (i / w, i % w);
            let want = if (iy, ix) == (bin(ky, n), bin(kx, n)) {
                C64::new(0.0, -big / 2.0)
            } else if (iy, ix) == (bin(-ky, n), bin(-kx, n)) {
                C64::new(0.0, big / 2.0)
            } else {
                C64::new(0.0, 0.0)
            };
            assert!((c - want).norm() < 1e-11 * big, "rfft2 sin k = ({kx},{ky}) ({iy},{ix}): {c}");
        }
    }
    // The constant field: N² at k = 0.
    let ones = p.rfft2(&vec![1.0; n * n]).unwrap();
    assert!((ones[0].re - big).abs() < 1e-12 && ones[1..].iter().all(|c| c.norm() < 1e-12));
}

#[test]
fn derivatives_of_sines_are_cosines() {
    let n = 64;
    let g = grid(n);
    let p = plan64(n);
    let x = |i: usize| g.coordinate(i % n);
    let y = |i: usize| g.coordinate(i / n);
    let f: Vec<f64> = (0..n * n).map(|i| (3.0 * x(i)).sin()).collect();
    let want: Vec<f64> = (0..n * n).map(|i| 3.0 * (3.0 * x(i)).cos()).collect();
    let max_err = |a: &[f64]| a.iter().zip(&want).map(|(a, b)| (a - b).abs()).fold(0.0, f64::max);
    // Full spectrum.
    let mut s = p.fft2(&as_complex(&f)).unwrap();
    mul_i_kx(g, Layout::Full, &mut s).unwrap();
    let d: Vec<f64> = p.ifft2(&s).unwrap().iter().map(|c| c.re).collect();
    assert!(max_err(&d) < 1e-12, "full: {}", max_err(&d));
    // Half spectrum.
    let mut h = p.rfft2(&f).unwrap();
    mul_i_kx(g, Layout::Half, &mut h).unwrap();
    let d = p.irfft2(&h).unwrap();
    assert!(max_err(&d) < 1e-12, "half: {}", max_err(&d));
    // y: ∂/∂y sin(5y) = 5 cos(5y); ∂/∂x of it is 0.
    let f: Vec<f64> = (0..n * n).map(|i| (5.0 * y(i)).sin()).collect();
    let mut h = p.rfft2(&f).unwrap();
    let mut hx = h.clone();
    mul_i_ky(g, Layout::Half, &mut h).unwrap();
    mul_i_kx(g, Layout::Half, &mut hx).unwrap();
    let dy = p.irfft2(&h).unwrap();
    assert!((0..n * n).all(|i| (dy[i] - 5.0 * (5.0 * y(i)).cos()).abs() < 1e-12));
    assert!(p.irfft2(&hx).unwrap().iter().all(|v| v.abs() < 1e-12));
    // Laplacian of sin(3x)cos(2y) is −13 sin(3x)cos(2y).
    let f: Vec<f64> = (0..n * n).map(|i| (3.0 * x(i)).sin() * (2.0 * y(i)).cos()).collect();
    let mut h = p.rfft2(&f).unwrap();
    mul_neg_k2(g, Layout::Half, &mut h).unwrap();
    let lap = p.irfft2(&h).unwrap();
    assert!((0..n * n).all(|i| (lap[i] + 13.0 * f[i]).abs() < 1e-11));
}

#[test]
fn inverse_laplacian_inverts_neg_k2_except_at_zero() {
    for layout in [Layout::Full, Layout::Half] {
        let n = 32;
        let g = grid(n);
        let mut rng = SplitMix64::new(11);
        let s: Vec<C64> = (0..g.spectrum_len(layout)).map(|_| C64::new(rng.normal(), rng.normal())).collect();
        let mut t = s.clone();
        mul_neg_k2(g, layout, &mut t).unwrap();
        inverse_laplacian(g, layout, &mut t).unwrap();
        assert_eq!(t[0], C64::new(0.0, 0.0));
        assert!(rel_l2(&t[1..], &s[1..]) < 1e-15, "{layout:?}");
        let mut t = s.clone();
        inverse_laplacian(g, layout, &mut t).unwrap();
        mul_neg_k2(g, layout, &mut t).unwrap();
        assert!(t[0] == C64::new(0.0, 0.0) && rel_l2(&t[1..], &s[1..]) < 1e-15);
    }
}

#[test]
fn stream_function_and_velocity_follow_spec_signs() {
    let n = 32;
    let g = grid(n);
    let p = plan64(n);
    let x = |i: usize| g.coordinate(i % n);
    let y = |i: usize| g.coordinate(i / n);
    // ψ = sin(2y) + cos(3x) ⇒ ω = −∇²ψ = 4 sin(2y) + 9 cos(3x),
    // u = ∂ψ/∂y = 2 cos(2y), v = −∂ψ/∂x = 3 sin(3x).
    let omega: Vec<f64> = (0..n * n).map(|i| 4.0 * (2.0 * y(i)).sin() + 9.0 * (3.0 * x(i)).cos()).collect();
    for layout in [Layout::Full, Layout::Half] {
        let w_hat = match layout {
            Layout::Full => p.fft2(&as_complex(&omega)).unwrap(),
            Layout::Half => p.rfft2(&omega).unwrap(),
        };
        let back = |s: &[C64]| -> Vec<f64> {
            match layout {
                Layout::Full => p.ifft2(s).unwrap().iter().map(|c| c.re).collect(),
                Layout::Half => p.irfft2(s).unwrap(),
            }
        };
        let mut psi = w_hat.clone();
        stream_function(g, layout, &mut psi).unwrap();
        let psi = back(&psi);
        let (u, v) = velocity_from_vorticity(g, layout, &w_hat).unwrap();
        let (u, v) = (back(&u), back(&v));
        for i in 0..n * n {
            assert!((psi[i] - ((2.0 * y(i)).sin() + (3.0 * x(i)).cos())).abs() < 1e-12);
            assert!((u[i] - 2.0 * (2.0 * y(i)).cos()).abs() < 1e-12, "{layout:?} u at {i}");
            assert!((v[i] - 3.0 * (3.0 * x(i)).sin()).abs() < 1e-12, "{layout:?} v at {i}");
        }
    }
}

#[test]
fn dealias_mask_counts_and_zeroing() {
    let mut n = 2;
    while n <= 1024 {
        let g = grid(n);
        let keep_axis = 2 * (n / 3) + 1;
        let full = dealias_mask(g, Layout::Full);
        assert_eq!(full.iter().filter(|&&k| k).count(), keep_axis * keep_axis, "full N = {n}");
        let half = dealias_mask(g, Layout::Half);
        assert_eq!(half.iter().filter(|&&k| k).count(), keep_axis * (n / 3 + 1), "half N = {n}");
        for layout in [Layout::Full, Layout::Half] {
            let mask = dealias_mask(g, layout);
            let bits = dealias_bits(g, layout);
            assert_eq!(bits.len(), mask.len().div_ceil(32));
            for (i, &keep) in mask.iter().enumerate() {
                assert_eq!(bits[i / 32] >> (i % 32) & 1 == 1, keep, "N = {n} mode {i}");
            }
            assert_eq!(
                bits.iter().map(|w| w.count_ones() as usize).sum::<usize>(),
                mask.iter().filter(|&&k| k).count()
            );
        }
        n *= 2;
    }
    // N = 16: |k| ≤ 5 kept; kx = 6 zeroed.
    let g = grid(16);
    let mut s = vec![C64::new(1.0, 1.0); g.spectrum_len(Layout::Full)];
    dealias(g, Layout::Full, &mut s).unwrap();
    let mask = dealias_mask(g, Layout::Full);
    for (i, c) in s.iter().enumerate() {
        assert_eq!(*c == C64::new(1.0, 1.0), mask[i]);
        assert!(mask[i] || *c == C64::new(0.0, 0.0));
    }
    assert!(mask[5] && !mask[6] && mask[16 - 5] && !mask[16 - 6] && mask[5 * 16] && !mask[6 * 16]);
}

#[test]
fn exponential_filter_values() {
    let n = 32;
    let g = grid(n);
    let (alpha, p) = (36.0, 8.0);
    let filt = ExponentialFilter::new(g, Layout::Full, alpha, p).unwrap();
    let f = filt.factors();
    assert_eq!(f[0], 1.0);
    // |k| = 8 = k_max/2: exp(−36/256).
    assert!((f[8] - (-alpha / 256.0_f64).exp()).abs() < 1e-15);
    // |k| = 5 at (3, 4).
    assert!((f[4 * n + 3] - (-alpha * (5.0_f64 / 16.0).powf(p)).exp()).abs() < 1e-15);
    // |k| ≥ k_max = 16 → 0: the Nyquist column and the corners.
    assert_eq!(f[16], 0.0);
    assert_eq!(f[12 * n + 12], 0.0); // k = (12, 12), |k| ≈ 16.97
    let k = 241.0_f64.sqrt(); // k = (15, 4), |k| ≈ 15.52 < 16: tiny but not zero
    assert_eq!(f[4 * n + 15], (-alpha * (k / 16.0).powf(p)).exp());
    assert!(f[15] > 4e-10 && f[15] < 5e-10); // |k| = 15: exp(−36·(15/16)^8) ≈ 4.6e-10
    assert_eq!(ExponentialFilter::sigma(16.0, 16.0, alpha, p), 0.0);
    // α = 0 keeps everything below k_max.
    let flat = ExponentialFilter::new(g, Layout::Half, 0.0, 4.0).unwrap();
    assert!(
        flat.factors().iter().zip(g.k_squared(Layout::Half)).all(|(&s, k2)| s == if k2 >= 256.0 { 0.0 } else { 1.0 })
    );
    // apply = multiply by the factors.
    let mut s = vec![C64::new(2.0, -1.0); g.spectrum_len(Layout::Full)];
    filt.apply(&mut s).unwrap();
    assert!(s.iter().zip(f).all(|(c, &x)| *c == C64::new(2.0 * x, -x)));
    for (a, p) in [(-1.0, 8.0), (f64::NAN, 8.0), (36.0, 0.0), (36.0, f64::INFINITY)] {
        assert!(matches!(ExponentialFilter::new(g, Layout::Full, a, p), Err(SpectralError::Parameter { .. })));
    }
}

/// ½·mean(u² + v²).
fn kinetic_energy(u: &[f64], v: &[f64]) -> f64 {
    0.5 * u.iter().zip(v).map(|(a, b)| a * a + b * b).sum::<f64>() / u.len() as f64
}

#[test]
fn shell_spectrum_sums_to_energy() {
    for n in [2, 8, 64, 256] {
        let g = grid(n);
        let p = plan64(n);
        let (u, v) = (random_real(n, 21 * n as u64), random_real(n, 22 * n as u64));
        let energy = kinetic_energy(&u, &v);
        let (uh, vh) = (p.rfft2(&u).unwrap(), p.rfft2(&v).unwrap());
        let half = shell_spectrum(g, Layout::Half, &[&uh, &vh]).unwrap();
        assert_eq!(half.len(), g.shell_count());
        assert!((half.iter().sum::<f64>() - energy).abs() < 1e-12 * energy, "half N = {n}");
        let (uf, vf) = (p.fft2(&as_complex(&u)).unwrap(), p.fft2(&as_complex(&v)).unwrap());
        let full = shell_spectrum(g, Layout::Full, &[&uf, &vf]).unwrap();
        assert!((full.iter().sum::<f64>() - energy).abs() < 1e-12 * energy, "full N = {n}");
        for (a, b) in half.iter().zip(&full) {
            assert!((a - b).abs() <= 1e-12 * energy, "half and full shells agree, N = {n}");
        }

        // From vorticity: the energy of the velocity it induces. Dealiased first: an odd
        // derivative of a Nyquist mode is not a real field (see the module docs).
        let omega = random_real(n, 23 * n as u64);
        let mut wh = p.rfft2(&omega).unwrap();
        dealias(g, Layout::Half, &mut wh).unwrap();
        let (uh, vh) = velocity_from_vorticity(g, Layout::Half, &wh).unwrap();
        let energy = kinetic_energy(&p.irfft2(&uh).unwrap(), &p.irfft2(&vh).unwrap());
        let e = shell_spectrum_from_vorticity(g, Layout::Half, &wh).unwrap();
        assert!((e.iter().sum::<f64>() - energy).abs() <= 1e-12 * energy, "vorticity N = {n}");
        assert!(n < 8 || energy > 0.0, "N = {n}: the dealiased field still carries energy");
    }
    // cos(3x + 4y): energy ½·½ = ¼, all in shell 5.
    let n = 32;
    let g = grid(n);
    let f: Vec<f64> = (0..n * n).map(|i| (3.0 * g.coordinate(i % n) + 4.0 * g.coordinate(i / n)).cos()).collect();
    let e = shell_spectrum(g, Layout::Half, &[&plan64(n).rfft2(&f).unwrap()]).unwrap();
    for (s, &es) in e.iter().enumerate() {
        assert!((es - if s == 5 { 0.25 } else { 0.0 }).abs() < 1e-14, "shell {s}: {es}");
    }
}

#[test]
fn band_energies_partition_the_energy() {
    let n = 64;
    let g = grid(n);
    let p = plan64(n);
    let (u, v) = (random_real(n, 31), random_real(n, 32));
    let (uh, vh) = (p.rfft2(&u).unwrap(), p.rfft2(&v).unwrap());
    let cuts = BandCuts { k_cut: 8.0, mid_cut: 21.0 };
    let b = band_energies(g, Layout::Half, &[&uh, &vh], cuts).unwrap();
    let energy = kinetic_energy(&u, &v);
    assert!((b.total() - energy).abs() < 1e-12 * energy);
    // Low band = the shells with |k| ≤ 8; equals summing e(k) over the mask.
    let mask = band_mask(g, Layout::Half, cuts).unwrap();
    let k2 = g.k_squared(Layout::Half);
    for (i, &m) in mask.iter().enumerate() {
        let k = k2[i].sqrt();
        let nyq = g.is_nyquist(Layout::Half, i / (n / 2 + 1), i % (n / 2 + 1));
        let want = if k <= 8.0 {
            0
        } else if k <= 21.0 && !nyq {
            1
        } else {
            2
        };
        assert_eq!(m, want, "mode {i}");
    }
    // A pure Nyquist mode cos(32x) is "high" even with mid_cut beyond it.
    let f: Vec<f64> = (0..n * n).map(|i| (32.0 * g.coordinate(i % n)).cos()).collect();
    let fh = p.rfft2(&f).unwrap();
    let b = band_energies(g, Layout::Half, &[&fh], BandCuts { k_cut: 4.0, mid_cut: 100.0 }).unwrap();
    assert!(b.low.abs() < 1e-20 && b.mid.abs() < 1e-20 && (b.high - 0.5).abs() < 1e-14, "{b:?}");
    // The same mode falls in "low" when k_cut covers it.
    let b = band_energies(g, Layout::Half, &[&fh], BandCuts { k_cut: 40.0, mid_cut: 100.0 }).unwrap();
    assert!((b.low - 0.5).abs() < 1e-14);
    for bad in [
        BandCuts { k_cut: -1.0, mid_cut: 2.0 },
        BandCuts { k_cut: 3.0, mid_cut: 2.0 },
        BandCuts { k_cut: 1.0, mid_cut: f64::NAN },
    ] {
        assert!(matches!(band_mask(g, Layout::Half, bad), Err(SpectralError::Parameter { .. })));
    }
}

#[test]
fn rfft2_equals_first_columns_of_fft2() {
    for n in [2, 4, 32, 128, 256] {
        let p = plan64(n);
        let r = random_real(n, 41 * n as u64);
        let full = p.fft2(&as_complex(&r)).unwrap();
        assert!(rel_l2(&p.rfft2(&r).unwrap(), &half_of(&full, n)) <= 1e-13, "N = {n}");
    }
}

#[test]
fn thread_count_does_not_change_a_bit() {
    let n = 256;
    let p = plan64(n);
    let z = random_complex(n, 51);
    let r = random_real(n, 52);
    let one = p.clone().with_threads(1);
    let three = p.clone().with_threads(3);
    for q in [&one, &three] {
        assert_eq!(q.fft2(&z).unwrap(), p.fft2(&z).unwrap());
        assert_eq!(q.ifft2(&z).unwrap(), p.ifft2(&z).unwrap());
        assert_eq!(q.rfft2(&r).unwrap(), p.rfft2(&r).unwrap());
        let h = p.rfft2(&r).unwrap();
        assert_eq!(q.irfft2(&h).unwrap(), p.irfft2(&h).unwrap());
    }
}

#[test]
fn bad_input_is_a_typed_error_naming_the_index() {
    assert_eq!(Fft2Planner::<f64>::new().plan_n(48).unwrap_err(), SpectralError::BadSize { n: 48 });
    assert!(matches!(SpectralGrid::new(16384), Err(SpectralError::BadSize { n: 16384 })));
    let n = 256;
    let g = grid(n);
    let p = plan64(n);
    // Wrong lengths.
    let short = vec![C64::new(0.0, 0.0); n * n - 1];
    assert_eq!(p.fft2(&short).unwrap_err(), SpectralError::Length { what: "input", expected: n * n, got: n * n - 1 });
    assert!(matches!(p.rfft2(&[0.0; 3]), Err(SpectralError::Length { .. })));
    assert!(matches!(p.irfft2(&short), Err(SpectralError::Length { .. })));
    assert!(matches!(
        p.fft2_into(&random_complex(n, 1), &mut [C64::new(0.0, 0.0); 5]),
        Err(SpectralError::Length { what: "output", .. })
    ));
    assert!(matches!(
        mul_i_kx(g, Layout::Half, &mut vec![C64::new(0.0, 0.0); n * n]),
        Err(SpectralError::Length { .. })
    ));
    // NaN / Inf: the first bad index, in every row block (the workers split rows).
    for index in [0, 7, n * n / 2 + 3, n * n - 1] {
        let want = SpectralError::NonFinite { what: "input", index, row: index / n, col: index % n };
        let mut z = random_complex(n, 2);
        z[index].im = f64::NAN;
        if index != n * n - 1 {
            z[n * n - 1].re = f64::INFINITY; // a later one must not be the one reported
        }
        let before = z.clone();
        assert_eq!(p.fft2(&z).unwrap_err(), want);
        assert_eq!(p.ifft2(&z).unwrap_err(), want);
        assert_eq!(z.iter().zip(&before).filter(|(a, b)| a.re.to_bits() != b.re.to_bits()).count(), 0);
        let mut w = z.clone();
        assert_eq!(
            p.fft2_inplace(&mut w).unwrap_err(),
            SpectralError::NonFinite { what: "data", index, row: index / n, col: index % n }
        );
        let mut r = random_real(n, 3);
        r[index] = f64::NEG_INFINITY;
        assert_eq!(p.rfft2(&r).unwrap_err(), want);
        let w = n / 2 + 1;
        let hi = index % (n * w);
        let mut h = p.rfft2(&random_real(n, 4)).unwrap();
        h[hi].re = f64::NAN;
        assert_eq!(
            p.irfft2(&h).unwrap_err(),
            SpectralError::NonFinite { what: "input", index: hi, row: hi / w, col: hi % w }
        );
        let before = h.clone();
        let e = dealias(g, Layout::Half, &mut h).unwrap_err();
        assert_eq!(e, SpectralError::NonFinite { what: "spectrum", index: hi, row: hi / w, col: hi % w });
        assert!(h.iter().zip(&before).all(|(a, b)| a.re.to_bits() == b.re.to_bits() && a.im == b.im || a.re.is_nan()));
        assert!(matches!(shell_spectrum(g, Layout::Half, &[&h]), Err(SpectralError::NonFinite { .. })));
    }
    // f32 too.
    let p32: Fft2<f32> = Fft2Planner::new().plan_n(8).unwrap();
    let mut r = vec![0.0f32; 64];
    r[9] = f32::NAN;
    assert_eq!(p32.rfft2(&r).unwrap_err(), SpectralError::NonFinite { what: "input", index: 9, row: 1, col: 1 });
    assert!(matches!(shell_spectrum::<f64>(g, Layout::Full, &[]), Err(SpectralError::NoComponents { .. })));
    assert_eq!(FFT_NORM, "backward");
    assert!(format!("{}", SpectralError::BadSize { n: 3 }).contains("power of two"));
}
