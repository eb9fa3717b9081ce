//! The 2D FFT: [`Fft2Planner`] (plan cache) and [`Fft2`] (one N's plans, ready to run).
//!
//! Both precisions run the same generic code, instantiated for f64 and f32 through
//! [`SpectralReal`] (`Real` + rustfft's `FftNum`); nothing is specialised by hand.
//!
//! # How a 2D transform runs
//!
//! `fft2` of an N×N row-major field is N row FFTs followed by N column FFTs (the order
//! does not change the result beyond rounding). Rows are contiguous, so rustfft runs
//! them in place. Columns are strided by N, so the column pass gathers
//! [`COL_BATCH`] columns at a time into a contiguous `COL_BATCH × (N + COL_PAD)` buffer
//! (a small transposition that fits in L2), runs rustfft on each gathered column, and
//! scatters the results back, fusing the 1/N² of the inverse into the scatter. The real
//! transforms are the same with realfft's r2c/c2r on the rows and N/2 + 1 columns.
//!
//! The out-of-place forms fuse the input copy and the NaN/Inf check into the row pass
//! (the row is in L1 there), so they read and write the N² values twice in all — the
//! same traffic as NumPy, which allocates a new array per axis. The inverse real
//! transform starts with the column pass, so there the check rides on the gather.
//!
//! # Threads
//!
//! Each pass is split over [`Fft2::threads`] workers (default: the available
//! parallelism) once N ≥ [`PARALLEL_MIN_N`]: rows by blocks of rows, columns by blocks
//! of columns (every row cut at the block boundary, so each worker owns disjoint
//! `&mut` slices and no `unsafe` is needed). The workers come from rayon's global pool.
//!
//! Measured on the 2-core build machine (Xeon with AVX-512, shared with other jobs) with
//! `fft_bench --dtypes f64 --kinds c2c`, median over three interleaved rounds of the
//! median ms per fft2 — one thread vs two workers as scoped std threads spawned per
//! pass vs two workers from a rayon pool:
//!
//! | N | 1 thread | 2 × `std::thread::scope` | 2 × rayon |
//! |---:|---:|---:|---:|
//! | 128 | **0.107** | 0.158 | 0.126 |
//! | 256 | 0.456 | 0.406 | **0.351** |
//! | 512 | 2.53 | **1.74** | 1.77 |
//! | 1024 | 13.8 | **7.24** | 7.65 |
//!
//! Rayon wins at N = 256 (no thread spawn per pass: a pass there takes ~0.1 ms, a spawn
//! tens of µs), and the two are equal within the machine's noise above, so the pool
//! is rayon's. At N = 128 the whole field (256 KiB) stays in one core's L2 and a single
//! thread beats both — hence [`PARALLEL_MIN_N`] = 256.
//!
//! # Where the time goes
//!
//! `perf` on one thread at N = 1024: the row FFTs take 2.8 ms, the column FFTs the same;
//! the rest (≈ 5 ms) is memory traffic — reading the input, the column gather and
//! scatter — with the stalls on the loads and stores, not on instructions. Two things
//! mattered: a batch buffer whose columns are exactly N apart maps all of them to the
//! same L1 sets (N·16 B is a multiple of 4 KiB), so columns are padded by
//! `COL_PAD` values (18 → 11 ms at N = 1024, 0.75 → 0.46 ms at N = 256, one
//! thread); and moving four rows per step fills whole cache lines of each column. The
//! batch width hardly matters between 8 and 32.

use super::grid::{first_non_finite, first_non_finite_real, non_finite};
use super::parallel::{column_blocks, column_blocks_ref, column_bounds, for_each_part};
use super::{Layout, SpectralError, SpectralGrid};
use crate::scalar::Real;
use realfft::{ComplexToReal, RealFftPlanner, RealToComplex};
use rustfft::num_complex::Complex;
use rustfft::{Fft, FftNum, FftPlanner};
use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

/// Columns gathered per batch in the column pass. 16 complex f64 are 256 B of each row
/// (four cache lines); the batch buffer is 16·N values (256 KiB at N = 1024), well
/// inside L2.
pub const COL_BATCH: usize = 16;

/// Padding (in values) after each gathered column, so the `COL_BATCH` columns of the
/// batch buffer do not sit a power of two apart: with a stride of exactly N, every
/// column maps to the same L1 sets and the gather thrashes them.
const COL_PAD: usize = 8;

/// Rows moved together by the gather/scatter.
const GATHER_ROWS: usize = 4;

/// Smallest N whose passes are split over threads; below it one thread is faster.
pub const PARALLEL_MIN_N: usize = 256;

/// The two precisions of the spectral layer: [`Real`] that rustfft and realfft can
/// transform (implemented for `f32` and `f64`).
///
/// rustfft's `FftNum` brings num-traits' `FromPrimitive`, whose `from_f64` returns an
/// `Option`; in code generic over `SpectralReal` write `<T as Real>::from_f64(x)` for
/// ours.
pub trait SpectralReal: Real + FftNum {}
impl SpectralReal for f32 {}
impl SpectralReal for f64 {}

type C<T> = Complex<T>;

/// A cache of FFT plans, as rustfft's own planner is: one rustfft plan per
/// (N, direction) and one realfft r2c / c2r plan per N, built once and shared (`Arc`)
/// by every [`Fft2`] this planner hands out. Planning is the expensive part
/// (it measures nothing, but builds twiddle tables); plan once per N and reuse.
pub struct Fft2Planner<T: SpectralReal> {
    complex: FftPlanner<T>,
    real: RealFftPlanner<T>,
    c2c: HashMap<(usize, bool), Arc<dyn Fft<T>>>,
    r2c: HashMap<usize, Arc<dyn RealToComplex<T>>>,
    c2r: HashMap<usize, Arc<dyn ComplexToReal<T>>>,
}

impl<T: SpectralReal> Default for Fft2Planner<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: SpectralReal> fmt::Debug for Fft2Planner<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut sizes: Vec<usize> = self.c2c.keys().map(|k| k.0).chain(self.r2c.keys().copied()).collect();
        sizes.sort_unstable();
        sizes.dedup();
        f.debug_struct("Fft2Planner").field("dtype", &T::NAME).field("cached_n", &sizes).finish()
    }
}

impl<T: SpectralReal> Fft2Planner<T> {
    /// An empty planner.
    pub fn new() -> Self {
        Fft2Planner {
            complex: FftPlanner::new(),
            real: RealFftPlanner::new(),
            c2c: HashMap::new(),
            r2c: HashMap::new(),
            c2r: HashMap::new(),
        }
    }

    /// The 2D transforms for `grid` (plans built on first use of this N, then cached).
    pub fn plan(&mut self, grid: SpectralGrid) -> Fft2<T> {
        let n = grid.n();
        let forward = self.complex_plan(n, false);
        let inverse = self.complex_plan(n, true);
        let real = &mut self.real;
        let r2c = self.r2c.entry(n).or_insert_with(|| real.plan_fft_forward(n)).clone();
        let c2r = self.c2r.entry(n).or_insert_with(|| real.plan_fft_inverse(n)).clone();
        let threads = std::thread::available_parallelism().map_or(1, |t| t.get());
        Fft2 { grid, forward, inverse, r2c, c2r, threads }
    }

    /// [`plan`](Self::plan) for N points per side; [`SpectralError::BadSize`] unless N is
    /// a power of two in `MIN_N ..= MAX_N`.
    pub fn plan_n(&mut self, n: usize) -> Result<Fft2<T>, SpectralError> {
        Ok(self.plan(SpectralGrid::new(n)?))
    }

    fn complex_plan(&mut self, n: usize, inverse: bool) -> Arc<dyn Fft<T>> {
        let planner = &mut self.complex;
        self.c2c
            .entry((n, inverse))
            .or_insert_with(|| if inverse { planner.plan_fft_inverse(n) } else { planner.plan_fft_forward(n) })
            .clone()
    }
}

/// The 2D FFTs of one grid, in one precision: `fft2`/`ifft2` (complex N×N ↔ N×N) and
/// `rfft2`/`irfft2` (real N×N ↔ half spectrum N×(N/2+1)), docs/DESIGN.md §4 conventions
/// (forward unnormalised with e^{−i k·x}, inverse × 1/N²: NumPy's `"backward"`).
///
/// Cheap to clone (the plans are shared) and `Send + Sync`: one `Fft2` may run
/// transforms from several threads at once.
///
/// Every method checks buffer lengths and rejects NaN/±∞ input with
/// [`SpectralError::NonFinite`] naming the first offending index. The `*_inplace` forms
/// find bad values while transforming; when they return that error the buffer holds
/// partly transformed data. The other forms never modify their input.
#[derive(Clone)]
pub struct Fft2<T: SpectralReal> {
    grid: SpectralGrid,
    forward: Arc<dyn Fft<T>>,
    inverse: Arc<dyn Fft<T>>,
    r2c: Arc<dyn RealToComplex<T>>,
    c2r: Arc<dyn ComplexToReal<T>>,
    threads: usize,
}

impl<T: SpectralReal> fmt::Debug for Fft2<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Fft2")
            .field("n", &self.grid.n())
            .field("dtype", &T::NAME)
            .field("threads", &self.threads)
            .finish()
    }
}

impl<T: SpectralReal> Fft2<T> {
    /// The grid these transforms are for.
    pub fn grid(&self) -> SpectralGrid {
        self.grid
    }

    /// Worker threads a transform may use (N ≥ [`PARALLEL_MIN_N`] only).
    pub fn threads(&self) -> usize {
        self.threads
    }

    /// The same plans limited to `threads` workers (at least 1).
    pub fn with_threads(mut self, threads: usize) -> Self {
        self.threads = threads.max(1);
        self
    }

    fn parts(&self) -> usize {
        if self.grid.n() < PARALLEL_MIN_N { 1 } else { self.threads }
    }

    fn inverse_scale(&self) -> T {
        <T as Real>::from_f64(1.0 / self.grid.points() as f64)
    }

    /// Forward FFT of a complex N×N field: `F[ky][kx] = Σ f[y][x]·e^{−i(kx·x + ky·y)}`
    /// (NumPy `fft2`), in a new buffer.
    pub fn fft2(&self, input: &[C<T>]) -> Result<Vec<C<T>>, SpectralError> {
        let mut out = vec![C::default(); self.grid.points()];
        self.fft2_into(input, &mut out)?;
        Ok(out)
    }

    /// [`fft2`](Self::fft2) into `output` (N² values).
    pub fn fft2_into(&self, input: &[C<T>], output: &mut [C<T>]) -> Result<(), SpectralError> {
        self.c2c_into(input, output, false)
    }

    /// Inverse FFT with the 1/N² scaling (NumPy `ifft2`), in a new buffer.
    pub fn ifft2(&self, input: &[C<T>]) -> Result<Vec<C<T>>, SpectralError> {
        let mut out = vec![C::default(); self.grid.points()];
        self.ifft2_into(input, &mut out)?;
        Ok(out)
    }

    /// [`ifft2`](Self::ifft2) into `output` (N² values).
    pub fn ifft2_into(&self, input: &[C<T>], output: &mut [C<T>]) -> Result<(), SpectralError> {
        self.c2c_into(input, output, true)
    }

    /// [`fft2`](Self::fft2) in place.
    pub fn fft2_inplace(&self, data: &mut [C<T>]) -> Result<(), SpectralError> {
        self.c2c_inplace(data, false)
    }

    /// [`ifft2`](Self::ifft2) in place.
    pub fn ifft2_inplace(&self, data: &mut [C<T>]) -> Result<(), SpectralError> {
        self.c2c_inplace(data, true)
    }

    /// Forward FFT of a real N×N field, keeping `kx = 0 … N/2` ([`Layout::Half`], NumPy
    /// `rfft2`): N·(N/2+1) values, equal to the first N/2 + 1 columns of
    /// [`fft2`](Self::fft2) of the same field.
    pub fn rfft2(&self, input: &[T]) -> Result<Vec<C<T>>, SpectralError> {
        let mut out = vec![C::default(); self.grid.spectrum_len(Layout::Half)];
        self.rfft2_into(input, &mut out)?;
        Ok(out)
    }

    /// [`rfft2`](Self::rfft2) into `output` (N·(N/2+1) values).
    pub fn rfft2_into(&self, input: &[T], output: &mut [C<T>]) -> Result<(), SpectralError> {
        let n = self.grid.n();
        let w = self.grid.width(Layout::Half);
        self.grid.check_len("input", self.grid.points(), input.len())?;
        self.grid.check_len("output", self.grid.spectrum_len(Layout::Half), output.len())?;
        let parts = self.parts();
        let rows = n.div_ceil(parts);
        let r2c = &*self.r2c;
        let bad = std::sync::Mutex::new(None::<usize>);
        let items: Vec<_> = input.chunks(rows * n).zip(output.chunks_mut(rows * w)).enumerate().collect();
        for_each_part(items, &|(p, (src, dst)): (usize, (&[T], &mut [C<T>]))| {
            let mut row = vec![T::ZERO; n];
            let mut scratch = r2c.make_scratch_vec();
            let mut first_bad = None;
            for (r, (s, d)) in src.chunks(n).zip(dst.chunks_mut(w)).enumerate() {
                if first_bad.is_none()
                    && let Some(i) = first_non_finite_real(s)
                {
                    first_bad = Some((p * rows + r) * n + i);
                }
                row.copy_from_slice(s);
                let ok = r2c.process_with_scratch(&mut row, d, &mut scratch);
                debug_assert!(ok.is_ok(), "r2c with checked lengths failed: {ok:?}");
            }
            note_bad(&bad, first_bad);
        });
        if let Some(i) = bad.into_inner().unwrap_or_else(|e| e.into_inner()) {
            return Err(non_finite("input", i, n));
        }
        column_pass(&*self.forward, output, w, parts, None);
        Ok(())
    }

    /// Inverse of [`rfft2`](Self::rfft2) with the 1/N² scaling (NumPy `irfft2` with
    /// `s = (N, N)`): a half spectrum N×(N/2+1) → real N×N field. As in NumPy, the
    /// imaginary parts that a Hermitian spectrum cannot have (`kx = 0` and `kx = N/2`
    /// after the inverse along y) are dropped.
    pub fn irfft2(&self, input: &[C<T>]) -> Result<Vec<T>, SpectralError> {
        let mut out = vec![T::ZERO; self.grid.points()];
        self.irfft2_into(input, &mut out)?;
        Ok(out)
    }

    /// [`irfft2`](Self::irfft2) into `output` (N² values).
    pub fn irfft2_into(&self, input: &[C<T>], output: &mut [T]) -> Result<(), SpectralError> {
        let n = self.grid.n();
        let w = self.grid.width(Layout::Half);
        self.grid.check_len("input", self.grid.spectrum_len(Layout::Half), input.len())?;
        self.grid.check_len("output", self.grid.points(), output.len())?;
        let parts = self.parts();
        let mut work = vec![C::default(); input.len()];
        if !column_pass_from(&*self.inverse, input, &mut work, w, parts, Some(self.inverse_scale())) {
            let i = first_non_finite(input).unwrap_or(0);
            return Err(non_finite("input", i, w));
        }
        let rows = n.div_ceil(parts);
        let c2r = &*self.c2r;
        let items: Vec<_> = work.chunks_mut(rows * w).zip(output.chunks_mut(rows * n)).collect();
        for_each_part(items, &|(src, dst): (&mut [C<T>], &mut [T])| {
            let mut scratch = c2r.make_scratch_vec();
            for (s, d) in src.chunks_mut(w).zip(dst.chunks_mut(n)) {
                s[0].im = T::ZERO;
                s[w - 1].im = T::ZERO;
                let ok = c2r.process_with_scratch(s, d, &mut scratch);
                debug_assert!(ok.is_ok(), "c2r with checked lengths failed: {ok:?}");
            }
        });
        Ok(())
    }

    fn c2c_into(&self, input: &[C<T>], output: &mut [C<T>], inverse: bool) -> Result<(), SpectralError> {
        let n = self.grid.n();
        self.grid.check_len("input", self.grid.points(), input.len())?;
        self.grid.check_len("output", self.grid.points(), output.len())?;
        let (fft, scale) = self.direction(inverse);
        let parts = self.parts();
        let rows = n.div_ceil(parts);
        let bad = std::sync::Mutex::new(None::<usize>);
        let items: Vec<_> = input.chunks(rows * n).zip(output.chunks_mut(rows * n)).enumerate().collect();
        for_each_part(items, &|(p, (src, dst))| {
            let mut scratch = vec![C::default(); fft.get_inplace_scratch_len()];
            let mut first_bad = None;
            for (r, (s, d)) in src.chunks(n).zip(dst.chunks_mut(n)).enumerate() {
                if first_bad.is_none()
                    && let Some(i) = first_non_finite(s)
                {
                    first_bad = Some((p * rows + r) * n + i);
                }
                d.copy_from_slice(s);
                fft.process_with_scratch(d, &mut scratch);
            }
            note_bad(&bad, first_bad);
        });
        if let Some(i) = bad.into_inner().unwrap_or_else(|e| e.into_inner()) {
            return Err(non_finite("input", i, n));
        }
        column_pass(fft, output, n, parts, scale);
        Ok(())
    }

    fn c2c_inplace(&self, data: &mut [C<T>], inverse: bool) -> Result<(), SpectralError> {
        let n = self.grid.n();
        self.grid.check_len("data", self.grid.points(), data.len())?;
        let (fft, scale) = self.direction(inverse);
        let parts = self.parts();
        let rows = n.div_ceil(parts);
        let bad = std::sync::Mutex::new(None::<usize>);
        let items: Vec<_> = data.chunks_mut(rows * n).enumerate().collect();
        for_each_part(items, &|(p, block): (usize, &mut [C<T>])| {
            let mut scratch = vec![C::default(); fft.get_inplace_scratch_len()];
            let mut first_bad = None;
            for (r, d) in block.chunks_mut(n).enumerate() {
                if first_bad.is_none()
                    && let Some(i) = first_non_finite(d)
                {
                    first_bad = Some((p * rows + r) * n + i);
                }
                fft.process_with_scratch(d, &mut scratch);
            }
            note_bad(&bad, first_bad);
        });
        if let Some(i) = bad.into_inner().unwrap_or_else(|e| e.into_inner()) {
            return Err(non_finite("data", i, n));
        }
        column_pass(fft, data, n, parts, scale);
        Ok(())
    }

    fn direction(&self, inverse: bool) -> (&dyn Fft<T>, Option<T>) {
        if inverse { (&*self.inverse, Some(self.inverse_scale())) } else { (&*self.forward, None) }
    }
}

/// Keeps the smallest first-bad index reported by the workers. Each worker owns a
/// contiguous block of rows and reports its first bad index, so the minimum is the
/// first bad index of the whole buffer.
fn note_bad(bad: &std::sync::Mutex<Option<usize>>, found: Option<usize>) {
    if let Some(i) = found {
        let mut b = bad.lock().unwrap_or_else(|e| e.into_inner());
        *b = Some(b.map_or(i, |j| j.min(i)));
    }
}

/// FFT along every column of the row-major `data` (`width` columns, `data.len()/width`
/// rows = the FFT length), in place, then × `scale`.
fn column_pass<T: SpectralReal>(fft: &dyn Fft<T>, data: &mut [C<T>], width: usize, parts: usize, scale: Option<T>) {
    let n = data.len() / width;
    let bounds = column_bounds(width, parts, COL_BATCH);
    let blocks = column_blocks(data, width, &bounds);
    for_each_part(blocks, &|mut segs: Vec<&mut [C<T>]>| {
        let cols = segs[0].len();
        let stride = n + COL_PAD;
        let mut buf = vec![C::default(); COL_BATCH.min(cols) * stride];
        let mut scratch = vec![C::default(); fft.get_inplace_scratch_len()];
        let mut c0 = 0;
        while c0 < cols {
            let b = COL_BATCH.min(cols - c0);
            gather(&segs, c0, b, n, stride, &mut buf);
            for col in buf.chunks_mut(stride).take(b) {
                fft.process_with_scratch(&mut col[..n], &mut scratch);
            }
            scatter(&mut segs, c0, b, n, stride, &buf, scale);
            c0 += b;
        }
    });
}

/// [`column_pass`] reading the columns from `src` and writing them to `dst` (same
/// shape). Returns `false` if `src` held a NaN or ±∞ (then `dst` is garbage).
fn column_pass_from<T: SpectralReal>(
    fft: &dyn Fft<T>,
    src: &[C<T>],
    dst: &mut [C<T>],
    width: usize,
    parts: usize,
    scale: Option<T>,
) -> bool {
    let n = src.len() / width;
    let bounds = column_bounds(width, parts, COL_BATCH);
    let items: Vec<_> =
        column_blocks_ref(src, width, &bounds).into_iter().zip(column_blocks(dst, width, &bounds)).collect();
    let all_finite = std::sync::atomic::AtomicBool::new(true);
    for_each_part(items, &|(from, mut to)| {
        let cols = from[0].len();
        let stride = n + COL_PAD;
        let mut buf = vec![C::default(); COL_BATCH.min(cols) * stride];
        let mut scratch = vec![C::default(); fft.get_inplace_scratch_len()];
        let mut finite = true;
        let mut c0 = 0;
        while c0 < cols {
            let b = COL_BATCH.min(cols - c0);
            gather(&from, c0, b, n, stride, &mut buf);
            for col in buf.chunks_mut(stride).take(b) {
                let col = &mut col[..n];
                finite &= col.iter().fold(true, |ok, c| ok & c.re.is_finite() & c.im.is_finite());
                fft.process_with_scratch(col, &mut scratch);
            }
            scatter(&mut to, c0, b, n, stride, &buf, scale);
            c0 += b;
        }
        if !finite {
            all_finite.store(false, std::sync::atomic::Ordering::Relaxed);
        }
    });
    all_finite.into_inner()
}

/// `buf[j·stride + r] = segs[r][c0 + j]` for `j < b`, `r < n`: columns `c0 .. c0+b`
/// made contiguous. Four rows at a time, so each column of `buf` receives a whole
/// 64-byte line (f64) per step.
#[inline]
fn gather<T: SpectralReal, S: AsRef<[C<T>]>>(
    segs: &[S],
    c0: usize,
    b: usize,
    n: usize,
    stride: usize,
    buf: &mut [C<T>],
) {
    let mut r = 0;
    while r + GATHER_ROWS <= n {
        let rows: [&[C<T>]; GATHER_ROWS] = std::array::from_fn(|i| &segs[r + i].as_ref()[c0..c0 + b]);
        for (j, col) in buf.chunks_mut(stride).take(b).enumerate() {
            let dst = &mut col[r..r + GATHER_ROWS];
            for i in 0..GATHER_ROWS {
                dst[i] = rows[i][j];
            }
        }
        r += GATHER_ROWS;
    }
    for (r, seg) in segs.iter().enumerate().skip(r) {
        for (j, &v) in seg.as_ref()[c0..c0 + b].iter().enumerate() {
            buf[j * stride + r] = v;
        }
    }
}

/// The inverse of [`gather`], times `scale`.
#[inline]
fn scatter<T: SpectralReal>(
    segs: &mut [&mut [C<T>]],
    c0: usize,
    b: usize,
    n: usize,
    stride: usize,
    buf: &[C<T>],
    scale: Option<T>,
) {
    let s = scale.unwrap_or(T::ONE);
    let put = |x: C<T>| if scale.is_some() { C::new(x.re * s, x.im * s) } else { x };
    let mut r = 0;
    while r + GATHER_ROWS <= n {
        let (head, _) = segs[r..].split_at_mut(GATHER_ROWS);
        for (j, col) in buf.chunks(stride).take(b).enumerate() {
            let src = &col[r..r + GATHER_ROWS];
            for (i, seg) in head.iter_mut().enumerate() {
                seg[c0 + j] = put(src[i]);
            }
        }
        r += GATHER_ROWS;
    }
    for (r, seg) in segs.iter_mut().enumerate().skip(r) {
        for (j, v) in seg[c0..c0 + b].iter_mut().enumerate() {
            *v = put(buf[j * stride + r]);
        }
    }
}
