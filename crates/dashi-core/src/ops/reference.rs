//! CPU reference implementations of the ops, generic over [`Real`].
//!
//! Where an op's result depends on evaluation order (reductions), the reference
//! defines it: sums accumulate in f64 in ascending index order and are rounded once to
//! the executor's precision. Device implementations may order differently; parity
//! tests state the resulting tolerance.

use crate::scalar::Real;
use std::cmp::Ordering;

/// `Σ x` accumulated in f64, ascending index.
pub(crate) fn sum<T: Real>(x: &[T]) -> T {
    T::from_f64(x.iter().fold(0.0, |acc, v| acc + v.to_f64()))
}

/// `Σ x²` accumulated in f64, ascending index.
pub(crate) fn sum_sq<T: Real>(x: &[T]) -> T {
    T::from_f64(x.iter().fold(0.0, |acc, v| acc + v.to_f64() * v.to_f64()))
}

/// `max |x|` (NaN ignored; 0 for an all-NaN input).
pub(crate) fn max_abs<T: Real>(x: &[T]) -> T {
    x.iter().fold(T::ZERO, |m, &v| if v.abs() > m { v.abs() } else { m })
}

/// Orders candidates by value descending, NaN last, then index ascending.
fn rank<T: Real>(x: &[T], i: usize, j: usize) -> Ordering {
    let (a, b) = (x[i], x[j]);
    let key = |v: T| v.partial_cmp(&v).map(|_| v);
    match (key(a), key(b)) {
        (Some(a), Some(b)) => b.partial_cmp(&a).expect("not NaN").then(i.cmp(&j)),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => i.cmp(&j),
    }
}

/// The index of the largest value, lowest index on ties; NaN never wins unless every
/// value is NaN (then 0). `None` for an empty slice.
pub fn argmax<T: Real>(x: &[T]) -> Option<usize> {
    (0..x.len()).min_by(|&i, &j| rank(x, i, j))
}

/// Indices of the `k` largest values, ordered by value descending then index
/// ascending (ties → lower index first); NaN ranks below every number. Returns
/// `min(k, len)` indices.
pub fn top_k<T: Real>(x: &[T], k: usize) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..x.len()).collect();
    let k = k.min(x.len());
    if k == 0 {
        return Vec::new();
    }
    idx.select_nth_unstable_by(k - 1, |&i, &j| rank(x, i, j));
    idx.truncate(k);
    idx.sort_unstable_by(|&i, &j| rank(x, i, j));
    idx
}

thread_local! {
    static PLANNER_F64: std::cell::RefCell<rustfft::FftPlanner<f64>> = std::cell::RefCell::new(rustfft::FftPlanner::new());
    static PLANNER_F32: std::cell::RefCell<rustfft::FftPlanner<f32>> = std::cell::RefCell::new(rustfft::FftPlanner::new());
}

/// Precisions with a per-thread cached rustfft planner (rustfft's planner caches plans
/// per length and direction).
pub(crate) trait CachedFft: rustfft::FftNum + Real {
    /// The plan for length `n` in the given direction.
    fn plan(n: usize, inverse: bool) -> std::sync::Arc<dyn rustfft::Fft<Self>>;
}

fn direction(inverse: bool) -> rustfft::FftDirection {
    if inverse { rustfft::FftDirection::Inverse } else { rustfft::FftDirection::Forward }
}

impl CachedFft for f64 {
    fn plan(n: usize, inverse: bool) -> std::sync::Arc<dyn rustfft::Fft<f64>> {
        PLANNER_F64.with(|p| p.borrow_mut().plan_fft(n, direction(inverse)))
    }
}

impl CachedFft for f32 {
    fn plan(n: usize, inverse: bool) -> std::sync::Arc<dyn rustfft::Fft<f32>> {
        PLANNER_F32.with(|p| p.borrow_mut().plan_fft(n, direction(inverse)))
    }
}

/// Geometry of the `fft_step` op: the index of element `m` of line `line` of field
/// `field` — rows are contiguous (`axis` 0), columns have stride `n` (`axis` 1).
#[derive(Clone, Copy, Debug)]
pub(crate) struct FftStep {
    pub n: usize,
    pub fields: usize,
    pub axis: u32,
    pub radix: usize,
    pub span: usize,
    pub inverse: bool,
}

impl FftStep {
    fn index(&self, field: usize, line: usize, m: usize) -> usize {
        let n = self.n;
        if self.axis == 0 { (field * n + line) * n + m } else { field * n * n + m * n + line }
    }
}

/// The `fft_step` reference (see `FFT_STEP`): gathers each radix-`L` group, applies the
/// step twiddles `W_n^{(j mod Ns)·p·n/(Ns·L)}` taken from the `twiddles` binding (as the
/// shader does), runs an `L`-point rustfft and scatters in Stockham order.
pub(crate) fn fft_step<T: CachedFft>(src: &[T], dst: &mut [T], twiddles: &[T], step: FftStep) {
    use rustfft::num_complex::Complex;
    if step.span == 1 && step.radix == step.n {
        return whole_lines(src, dst, step);
    }
    let FftStep { n, fields, radix, span, inverse, .. } = step;
    let fft = T::plan(radix, false);
    let mut scratch = vec![Complex::new(T::ZERO, T::ZERO); fft.get_inplace_scratch_len()];
    let (first, last) = (span == 1, span * radix == n);
    let scale = if inverse && last { <T as Real>::from_f64(1.0 / n as f64) } else { T::ONE };
    let twiddle = |k: usize| {
        let (re, im) = (twiddles[2 * (k % (n / 2))], twiddles[2 * (k % (n / 2)) + 1]);
        if k < n / 2 { Complex::new(re, im) } else { Complex::new(-re, -im) }
    };
    let mut group = vec![Complex::new(T::ZERO, T::ZERO); radix];
    for field in 0..fields {
        for line in 0..n {
            for j in 0..n / radix {
                let jm = j % span;
                for (p, y) in group.iter_mut().enumerate() {
                    let at = step.index(field, line, j + p * (n / radix));
                    let x = Complex::new(src[2 * at], src[2 * at + 1]);
                    let x = if inverse && first { x.conj() } else { x };
                    *y = x * twiddle(jm * p * (n / (span * radix)));
                }
                fft.process_with_scratch(&mut group, &mut scratch);
                for (q, y) in group.iter().enumerate() {
                    let at = step.index(field, line, (j - jm) * radix + jm + q * span);
                    let y = if inverse && last { y.conj() } else { *y };
                    dst[2 * at] = y.re * scale;
                    dst[2 * at + 1] = y.im * scale;
                }
            }
        }
    }
}

/// The single-step case (`span` 1, `radix` n: every line transformed whole, no step
/// twiddles) — every row pass and the column pass up to n = 1024. The same n-point DFT
/// per line as the general path, arranged for speed on the host: the interleaved
/// buffers are viewed as `Complex<T>` (no conversion), rows are copied and transformed
/// in place by rayon tasks of [`LINES_PER_TASK`] lines with rustfft's forward or inverse
/// plan (the inverse scaled by 1/n in the same task); columns are gathered 16 at a time
/// per row into contiguous lines, transformed, and written back by a second parallel
/// pass over blocks of rows, so every task owns the memory it writes.
fn whole_lines<T: CachedFft>(src: &[T], dst: &mut [T], step: FftStep) {
    use rayon::prelude::*;
    use rustfft::num_complex::Complex;
    let FftStep { n, fields, inverse, axis, .. } = step;
    let scale = <T as Real>::from_f64(1.0 / n as f64);
    let block = LINES_PER_TASK.min(n);
    // rustfft in place over contiguous lines; the inverse scaled by 1/n in the same task.
    let transform = |lines: &mut [Complex<T>]| {
        let fft = T::plan(n, inverse);
        let mut scratch = vec![Complex::new(T::ZERO, T::ZERO); fft.get_inplace_scratch_len()];
        fft.process_with_scratch(lines, &mut scratch);
        if inverse {
            lines.iter_mut().for_each(|z| *z = Complex::new(z.re * scale, z.im * scale));
        }
    };
    let src: &[Complex<T>] = bytemuck::cast_slice(&src[..2 * n * n * fields]);
    let dst: &mut [Complex<T>] = bytemuck::cast_slice_mut(&mut dst[..2 * n * n * fields]);
    for (src, dst) in src.chunks_exact(n * n).zip(dst.chunks_exact_mut(n * n)) {
        if axis == 0 {
            dst.par_chunks_mut(n * block).zip(src.par_chunks(n * block)).for_each(|(out, input)| {
                out.copy_from_slice(input);
                transform(out);
            });
        } else {
            // Column c of the field is line c of `lines`.
            let mut lines = vec![Complex::new(T::ZERO, T::ZERO); n * n];
            lines.par_chunks_mut(n * block).enumerate().for_each(|(task, chunk)| {
                let first = task * block;
                for m in 0..n {
                    for (j, &z) in src[m * n + first..m * n + first + block].iter().enumerate() {
                        chunk[j * n + m] = z;
                    }
                }
                transform(chunk);
            });
            dst.par_chunks_mut(n * block).enumerate().for_each(|(task, out)| {
                let first_row = task * block;
                for c in 0..n {
                    for (r, &z) in lines[c * n + first_row..c * n + first_row + block].iter().enumerate() {
                        out[r * n + c] = z;
                    }
                }
            });
        }
    }
}

/// Lines per rayon task in [`whole_lines`] (16 columns of f64 complex = 256 bytes read
/// per row, and blocks of ≥ 4096 values for n ≥ 256).
const LINES_PER_TASK: usize = 16;

/// `real_pairs`: pack (`unpack = false`) real fields `2f`, `2f+1` of `n2` values into
/// complex field `f` as `(re, im)`, or unpack.
pub(crate) fn real_pairs<T: Copy>(src: &[T], dst: &mut [T], n2: usize, pairs: usize, unpack: bool) {
    for f in 0..pairs {
        for i in 0..n2 {
            let (a, b, z) = ((2 * f) * n2 + i, (2 * f + 1) * n2 + i, 2 * (f * n2 + i));
            if unpack {
                dst[a] = src[z];
                dst[b] = src[z + 1];
            } else {
                dst[z] = src[a];
                dst[z + 1] = src[b];
            }
        }
    }
}

/// `split_pair_spectra`: `A = (Z[k] + Z̄[−k])/2`, `B = (Z[k] − Z̄[−k])/(2i)` per pair.
pub(crate) fn split_pair_spectra<T: Real>(src: &[T], dst: &mut [T], n: usize, pairs: usize) {
    let half = <T as Real>::from_f64(0.5);
    for f in 0..pairs {
        for ky in 0..n {
            for kx in 0..n {
                let at = f * n * n + ky * n + kx;
                let mirror = f * n * n + ((n - ky) % n) * n + (n - kx) % n;
                let (zr, zi) = (src[2 * at], src[2 * at + 1]);
                let (mr, mi) = (src[2 * mirror], src[2 * mirror + 1]);
                // A = (Z + conj M)/2; B = (Z − conj M)/(2i) = ((zi + mi)/2, −(zr − mr)/2).
                let a = 2 * ((2 * f) * n * n + ky * n + kx);
                let b = 2 * ((2 * f + 1) * n * n + ky * n + kx);
                dst[a] = (zr + mr) * half;
                dst[a + 1] = (zi - mi) * half;
                dst[b] = (zi + mi) * half;
                dst[b + 1] = (mr - zr) * half;
            }
        }
    }
}

/// `combine_pair_spectra`: `Z = A + i·B` per pair.
pub(crate) fn combine_pair_spectra<T: Real>(src: &[T], dst: &mut [T], n2: usize, pairs: usize) {
    for f in 0..pairs {
        for i in 0..n2 {
            let (a, b, z) = (2 * ((2 * f) * n2 + i), 2 * ((2 * f + 1) * n2 + i), 2 * (f * n2 + i));
            dst[z] = src[a] - src[b + 1];
            dst[z + 1] = src[a + 1] + src[b];
        }
    }
}

/// `n/2` twiddles `W_n^k = e^{−2πi k/n}`, `k < n/2`, interleaved `(re, im)` (`n` reals),
/// computed in f64 — the `twiddles` binding of `fft_step`.
pub fn fft_twiddles(n: usize) -> Vec<f64> {
    (0..n / 2)
        .flat_map(|k| {
            let angle = -2.0 * std::f64::consts::PI * k as f64 / n as f64;
            [angle.cos(), angle.sin()]
        })
        .collect()
}

/// Interleaved `(re, im)` reals as complex values.
fn to_complex<T: Real>(x: &[T]) -> Vec<crate::spectral::Complex<T>> {
    x.chunks_exact(2).map(|c| crate::spectral::Complex::new(c[0], c[1])).collect()
}

/// The full-layout grid of a validated `n`.
fn full_grid(n: usize) -> Result<crate::spectral::SpectralGrid, String> {
    crate::spectral::SpectralGrid::new(n).map_err(|e| e.to_string())
}

/// The `spectral_mul` reference: every `n×n` spectrum of `x` (interleaved) through the
/// [`crate::spectral`] operator of `kind` (full layout).
pub(crate) fn spectral_mul<T: Real>(x: &mut [T], n: usize, kind: u32, alpha: f32, p: f32) -> Result<(), String> {
    use crate::spectral::{self as sp, Layout::Full};
    let grid = full_grid(n)?;
    let filter = if kind == 5 {
        Some(sp::ExponentialFilter::new(grid, Full, f64::from(alpha), f64::from(p)).map_err(|e| e.to_string())?)
    } else {
        None
    };
    for field in x.chunks_exact_mut(2 * n * n) {
        let mut c = to_complex(field);
        match kind {
            0 => sp::mul_i_kx(grid, Full, &mut c),
            1 => sp::mul_i_ky(grid, Full, &mut c),
            2 => sp::mul_neg_k2(grid, Full, &mut c),
            3 => sp::stream_function(grid, Full, &mut c),
            4 => sp::dealias(grid, Full, &mut c),
            _ => filter.as_ref().expect("kind 5").apply(&mut c),
        }
        .map_err(|e| e.to_string())?;
        for (d, v) in field.chunks_exact_mut(2).zip(&c) {
            d[0] = v.re;
            d[1] = v.im;
        }
    }
    Ok(())
}

/// The `shell_spectrum` reference: [`crate::spectral::shell_spectrum`] (full layout)
/// for shells `0 .. shells` (0 beyond the last shell).
pub(crate) fn shell_spectrum<T: Real>(x: &[T], n: usize, out: &mut [T]) -> Result<(), String> {
    let grid = full_grid(n)?;
    let c = to_complex(&x[..2 * n * n]);
    let e = crate::spectral::shell_spectrum(grid, crate::spectral::Layout::Full, &[&c]).map_err(|e| e.to_string())?;
    for (s, o) in out.iter_mut().enumerate() {
        *o = T::from_f64(e.get(s).copied().unwrap_or(0.0));
    }
    Ok(())
}

/// The `band_energies` reference: mode energies `½|x̂|²/n⁴` accumulated in f64,
/// row-major, into the bands of the integer thresholds (the membership of
/// [`crate::spectral::band_mask`] for cuts converted by
/// [`super::BandParams::from_cuts`]).
pub(crate) fn band_energies<T: Real>(x: &[T], n: usize, low_k2: u32, mid_k2: u32) -> Result<[T; 3], String> {
    let grid = full_grid(n)?;
    let c = to_complex(&x[..2 * n * n]);
    if let Some(i) = c.iter().position(|v| !(v.re.is_finite() && v.im.is_finite())) {
        return Err(format!("non-finite value at mode {i}"));
    }
    let norm = 0.5 / (grid.points() as f64 * grid.points() as f64);
    let mut bands = [0.0f64; 3];
    for iy in 0..n {
        for ix in 0..n {
            let v = c[iy * n + ix];
            let m = norm * (v.re.to_f64().powi(2) + v.im.to_f64().powi(2));
            let k2 = grid.k2_at(crate::spectral::Layout::Full, iy, ix);
            let band = if k2 <= u64::from(low_k2) {
                0
            } else if k2 <= u64::from(mid_k2) && !grid.is_nyquist(crate::spectral::Layout::Full, iy, ix) {
                1
            } else {
                2
            };
            bands[band] += m;
        }
    }
    Ok(bands.map(T::from_f64))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ties_go_to_the_lower_index() {
        let x = [1.0, 3.0, 3.0, f64::NAN, 2.0, 3.0];
        assert_eq!(argmax(&x), Some(1));
        assert_eq!(top_k(&x, 4), vec![1, 2, 5, 4]);
        assert_eq!(top_k(&x, 6), vec![1, 2, 5, 4, 0, 3]);
        assert_eq!(argmax::<f64>(&[]), None);
        assert_eq!(argmax(&[f64::NAN, f64::NAN]), Some(0));
    }
}
