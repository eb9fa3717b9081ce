//! [`SpectralGrid`] and [`Layout`]: the N×N periodic grid, its wavenumbers and shells.

use super::{MAX_N, MIN_N, SpectralError};
use crate::scalar::Real;
use rustfft::num_complex::Complex;

/// Which spectrum a complex buffer holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Layout {
    /// The whole N×N spectrum of `fft2`, row-major `[ky][kx]`, both axes in FFT order
    /// (`k = fftfreq(N)·N`: 0, 1, …, N/2−1, −N/2, …, −1).
    Full,
    /// The half spectrum of `rfft2` of a real field: N rows × (N/2+1) columns,
    /// `[ky][kx]` with `ky` in FFT order and `kx = 0, 1, …, N/2` (NumPy's
    /// `rfftfreq(N)·N`, so the last column is `kx = +N/2`). The modes with `kx < 0`
    /// are the complex conjugates of those at `−k` and are not stored.
    Half,
}

/// The N×N grid on the periodic domain [0, 2π)² (docs/DESIGN.md §4): N a power of two,
/// [`MIN_N`] ≤ N ≤ [`MAX_N`]. A `SpectralGrid` exists only for valid N, so every
/// method is infallible.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SpectralGrid {
    n: usize,
}

impl SpectralGrid {
    /// The grid with N points per side; [`SpectralError::BadSize`] unless N is a power
    /// of two in `MIN_N ..= MAX_N`.
    pub fn new(n: usize) -> Result<Self, SpectralError> {
        if n.is_power_of_two() && (MIN_N..=MAX_N).contains(&n) {
            Ok(SpectralGrid { n })
        } else {
            Err(SpectralError::BadSize { n })
        }
    }

    /// N, points per side.
    pub fn n(&self) -> usize {
        self.n
    }

    /// N², the number of physical grid points (and of full-spectrum modes).
    pub fn points(&self) -> usize {
        self.n * self.n
    }

    /// Columns of a spectrum in `layout`: N (full) or N/2 + 1 (half).
    pub fn width(&self, layout: Layout) -> usize {
        match layout {
            Layout::Full => self.n,
            Layout::Half => self.n / 2 + 1,
        }
    }

    /// Values in a spectrum of `layout`: N·N or N·(N/2+1).
    pub fn spectrum_len(&self, layout: Layout) -> usize {
        self.n * self.width(layout)
    }

    /// `k_max = N/2`, the Nyquist wavenumber: the scale of the exponential filter, which
    /// is zero for `|k| ≥ k_max`.
    pub fn k_max(&self) -> f64 {
        (self.n / 2) as f64
    }

    /// Grid coordinate `x_j = 2πj/N` (the same formula for y).
    pub fn coordinate(&self, j: usize) -> f64 {
        std::f64::consts::TAU * j as f64 / self.n as f64
    }

    /// `fftfreq(N)·N` at index `i < N`: `i` for `i < N/2`, else `i − N`
    /// (so index N/2 is −N/2).
    #[inline]
    pub fn wavenumber(&self, i: usize) -> i64 {
        let (i, n) = (i as i64, self.n as i64);
        if i < n / 2 { i } else { i - n }
    }

    /// `ky` of row `iy` (both layouts): [`wavenumber`](Self::wavenumber).
    #[inline]
    pub fn ky(&self, iy: usize) -> i64 {
        self.wavenumber(iy)
    }

    /// `kx` of column `ix`: [`wavenumber`](Self::wavenumber) in the full layout, `ix`
    /// itself in the half layout (0 … N/2).
    #[inline]
    pub fn kx(&self, layout: Layout, ix: usize) -> i64 {
        match layout {
            Layout::Full => self.wavenumber(ix),
            Layout::Half => ix as i64,
        }
    }

    /// All `ky` (= `fftfreq(N)·N`), one per row.
    pub fn ky_all(&self) -> Vec<i64> {
        (0..self.n).map(|i| self.ky(i)).collect()
    }

    /// All `kx` of `layout`, one per column.
    pub fn kx_all(&self, layout: Layout) -> Vec<i64> {
        (0..self.width(layout)).map(|i| self.kx(layout, i)).collect()
    }

    /// `|k|² = kx² + ky²` of the mode at row `iy`, column `ix` (exact integer).
    #[inline]
    pub fn k2_at(&self, layout: Layout, iy: usize, ix: usize) -> u64 {
        let (kx, ky) = (self.kx(layout, ix), self.ky(iy));
        (kx * kx + ky * ky) as u64
    }

    /// `|k|²` of every mode of `layout`, row-major (exact: integers below 2²⁶).
    pub fn k_squared(&self, layout: Layout) -> Vec<f64> {
        let w = self.width(layout);
        (0..self.n).flat_map(|iy| (0..w).map(move |ix| self.k2_at(layout, iy, ix) as f64)).collect()
    }

    /// Whether the mode sits on a Nyquist line: its `kx` or `ky` index is N/2
    /// (`|kx| = N/2` or `|ky| = N/2`). Its sign is a convention (±N/2 alias).
    #[inline]
    pub fn is_nyquist(&self, layout: Layout, iy: usize, ix: usize) -> bool {
        let h = self.n / 2;
        iy == h || self.kx(layout, ix).unsigned_abs() as usize == h
    }

    /// The energy-spectrum shell of the mode: the integer nearest `|k|` (never a tie:
    /// `|k|² = s² + s + ¼` has no integer solution).
    #[inline]
    pub fn shell_at(&self, layout: Layout, iy: usize, ix: usize) -> usize {
        shell_of_k2(self.k2_at(layout, iy, ix))
    }

    /// Number of shells, `round(N/√2) + 1`: shells 0 ..= round(|k|_max) with the
    /// largest `|k| = N/√2` at (−N/2, −N/2).
    pub fn shell_count(&self) -> usize {
        let h = (self.n / 2) as u64;
        shell_of_k2(2 * h * h) + 1
    }

    /// Checks a buffer's length against this grid.
    pub(crate) fn check_len(&self, what: &'static str, expected: usize, got: usize) -> Result<(), SpectralError> {
        if expected == got { Ok(()) } else { Err(SpectralError::Length { what, expected, got }) }
    }
}

/// Integer nearest `√k2`.
#[inline]
pub(crate) fn shell_of_k2(k2: u64) -> usize {
    // Exact for k2 < 2⁵²: f64 sqrt is correctly rounded and no √m is within rounding of a
    // half-integer (m = s² + s + ¼ is not an integer).
    ((k2 as f64).sqrt() + 0.5).floor() as usize
}

/// First index whose value is NaN or ±∞, for the error message.
pub(crate) fn first_non_finite_real<T: Real>(v: &[T]) -> Option<usize> {
    if v.iter().fold(true, |ok, x| ok & x.is_finite()) { None } else { v.iter().position(|x| !x.is_finite()) }
}

/// First index whose real or imaginary part is NaN or ±∞.
pub(crate) fn first_non_finite<T: Real>(v: &[Complex<T>]) -> Option<usize> {
    let finite = |c: &Complex<T>| c.re.is_finite() & c.im.is_finite();
    if v.iter().fold(true, |ok, c| ok & finite(c)) { None } else { v.iter().position(|c| !finite(c)) }
}

/// [`SpectralError::NonFinite`] for flat index `index` in a buffer of `width` columns.
pub(crate) fn non_finite(what: &'static str, index: usize, width: usize) -> SpectralError {
    SpectralError::NonFinite { what, index, row: index / width, col: index % width }
}

/// `Err(NonFinite)` naming the first non-finite value of a complex buffer.
pub(crate) fn check_finite<T: Real>(what: &'static str, v: &[Complex<T>], width: usize) -> Result<(), SpectralError> {
    match first_non_finite(v) {
        None => Ok(()),
        Some(i) => Err(non_finite(what, i, width)),
    }
}
