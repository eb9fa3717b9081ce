//! Unit tests of the grid arithmetic; the transforms and operators are tested end to end
//! in `tests/spectral.rs`.

use super::grid::shell_of_k2;
use super::*;

#[test]
fn grid_accepts_only_powers_of_two_in_range() {
    for n in [2, 4, 8, 1024, 8192] {
        assert_eq!(SpectralGrid::new(n).unwrap().n(), n);
    }
    for n in [0, 1, 3, 6, 12, 1000, 16384, usize::MAX] {
        assert_eq!(SpectralGrid::new(n), Err(SpectralError::BadSize { n }));
    }
}

#[test]
fn wavenumbers_are_fftfreq_times_n() {
    let g = SpectralGrid::new(8).unwrap();
    assert_eq!(g.ky_all(), vec![0, 1, 2, 3, -4, -3, -2, -1]);
    assert_eq!(g.kx_all(Layout::Full), vec![0, 1, 2, 3, -4, -3, -2, -1]);
    assert_eq!(g.kx_all(Layout::Half), vec![0, 1, 2, 3, 4]);
    let g2 = SpectralGrid::new(2).unwrap();
    assert_eq!(g2.ky_all(), vec![0, -1]);
    assert_eq!(g2.kx_all(Layout::Half), vec![0, 1]);
    assert_eq!(g.width(Layout::Half), 5);
    assert_eq!(g.spectrum_len(Layout::Half), 40);
    assert_eq!(g.k_max(), 4.0);
    assert!((g.coordinate(2) - std::f64::consts::FRAC_PI_2).abs() < 1e-15);
}

#[test]
fn k_squared_and_nyquist_lines() {
    let g = SpectralGrid::new(4).unwrap();
    // Rows ky = 0, 1, −2, −1; full columns kx = 0, 1, −2, −1.
    let expected = [0., 1., 4., 1., 1., 2., 5., 2., 4., 5., 8., 5., 1., 2., 5., 2.];
    assert_eq!(g.k_squared(Layout::Full), expected);
    assert_eq!(g.k_squared(Layout::Half), [0., 1., 4., 1., 2., 5., 4., 5., 8., 1., 2., 5.]);
    let nyq: Vec<bool> = (0..4).flat_map(|iy| (0..4).map(move |ix| g.is_nyquist(Layout::Full, iy, ix))).collect();
    assert_eq!(nyq.iter().filter(|&&b| b).count(), 7);
    assert!(g.is_nyquist(Layout::Half, 0, 2) && g.is_nyquist(Layout::Half, 2, 0) && !g.is_nyquist(Layout::Half, 1, 1));
}

#[test]
fn shells_are_nearest_integers_of_k() {
    for k2 in 0..100_000u64 {
        let s = shell_of_k2(k2);
        let k = (k2 as f64).sqrt();
        assert!((k - s as f64).abs() < 0.5, "k2 {k2} shell {s}");
    }
    for n in [2usize, 4, 8, 64, 1024, 8192] {
        let g = SpectralGrid::new(n).unwrap();
        let max = (n as f64 / 2.0) * std::f64::consts::SQRT_2;
        assert_eq!(g.shell_count(), max.round() as usize + 1, "N = {n}");
    }
}

#[test]
fn norm_is_backward() {
    assert_eq!(FFT_NORM, "backward");
}
