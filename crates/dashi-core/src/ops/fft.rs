//! The `fft` family: `fft_step`, one Stockham step of batched length-`n` FFTs along
//! the rows or columns of `n×n` complex fields (`fft.wgsl`); [`super::Fft2Program`]
//! composes the steps into 2D transforms.
//!
//! Steps `(L₁, 1), (L₂, L₁), …, (L_k, L₁⋯L_{k−1})` with `L₁⋯L_k = n` compose to the
//! full DFT in natural order, `W_n = e^{−2πi/n}` (forward, unscaled; the inverse
//! conjugates on the first step and conjugates and scales by `1/n` on the last —
//! `fft_norm = "backward"`, docs/DESIGN.md §4). The CPU kernel gathers each radix-`L`
//! group, applies the step twiddles from the `twiddles` binding (as the shader does)
//! and runs an `L`-point rustfft.

use super::Access::{Read, ReadWrite};
use super::ElemType::Real as R;
use super::LenRule::{Complex as C, Fixed, Product};
use super::{BufferId, CpuIo, Dispatch, Family, Overrides, WgslConst, binding};
use crate::scalar::Real;

crate::op_params! {
    /// `{ n, fields, axis, radix, span, inverse }` — `fft_step`, one Stockham step of a
    /// length-`n` FFT along the rows (`axis` 0) or columns (`axis` 1) of `n×n` fields.
    pub struct FftStepParams {
        /// Transform length and field side (a power of two, 16 ..= 4096).
        pub n: u32,
        /// Number of `n×n` fields.
        pub fields: u32,
        /// 0 = transform along rows (contiguous), 1 = along columns (stride `n`).
        pub axis: u32,
        /// Radix `L` of this step: the DFT size done in one workgroup (16 ..= n).
        pub radix: u32,
        /// Span `Ns`: the product of the radices of the earlier steps (1 for the first).
        pub span: u32,
        /// 0 = forward (`e^{−2πi jk/n}`, unscaled), 1 = inverse (`e^{+2πi jk/n}`, the last
        /// step scales by `1/n`).
        pub inverse: u32,
    }
}

impl FftStepParams {
    /// Step `(radix, span)` over `fields` fields of `n×n` along `axis`.
    pub fn new(n: u32, fields: u32, axis: u32, radix: u32, span: u32, inverse: bool) -> Self {
        FftStepParams { n, fields, axis, radix, span, inverse: u32::from(inverse), ..bytemuck::Zeroable::zeroed() }
    }
}

/// Largest FFT length (one radix-`n` step holds 4096 complex f32 values, the most one
/// `fft_step` workgroup holds).
pub const FFT_MAX_N: u32 = 4096;
/// Smallest FFT length (one workgroup thread holds a radix-16 butterfly).
pub const FFT_MIN_N: u32 = 16;
/// Complex values one `fft_step` workgroup transforms (256 invocations × 16 values).
pub const FFT_TILE: u32 = 4096;

/// Smallest column-step radix that runs on wide tiles (see `fft.wgsl`): at n = 2048 the
/// one-step column pass on 4 columns per tile took 103 µs where the two-step split
/// took 59 + 58 µs; at radix 1024 (8 columns per tile instead of 4) the wide tiles
/// were slower, 85.8 vs 72.3 µs (H100, same run, docs/BENCHMARKS.md).
pub const FFT_WIDE_MIN_RADIX: u32 = 2048;

/// The family.
pub static FFT: Family = Family {
    name: "fft",
    owner: "dashi-core",
    doc: "Stockham FFT steps along rows or columns",
    wgsl: include_str!("fft.wgsl"),
    imports: &[],
    constants: &[WgslConst { name: "FFT_TILE", value: FFT_TILE }],
    ops: &[FFT_STEP.spec()],
    // The hot path of the LES and the decode: guarded indices, bounded loops, in-range
    // workgroup arrays (docs/BENCHMARKS.md measured the clamps).
    trusted: true,
    // Every workgroup slot read is written in the same exchange phase (a permutation of
    // the tile), so zeroing it was pure overhead.
    zero_workgroup_memory: false,
};

fn fft_step_domain(p: &FftStepParams) -> Result<(), String> {
    let FftStepParams { n, fields, axis, radix, span, inverse, .. } = *p;
    if !n.is_power_of_two() || !(FFT_MIN_N..=FFT_MAX_N).contains(&n) {
        return Err(format!("n = {n} must be a power of two in {FFT_MIN_N}..={FFT_MAX_N}"));
    }
    if 2 * u64::from(n) * u64::from(n) * u64::from(fields) > u64::from(u32::MAX) {
        return Err(format!(
            "2·n²·fields = {} reals exceeds u32 indexing",
            2 * u64::from(n).pow(2) * u64::from(fields)
        ));
    }
    if axis > 1 || inverse > 1 {
        return Err(format!("axis = {axis} (0 rows, 1 columns) and inverse = {inverse} (0 or 1)"));
    }
    if !radix.is_power_of_two() || !(FFT_MIN_N..=n).contains(&radix) {
        return Err(format!("radix = {radix} must be a power of two in {FFT_MIN_N}..=n"));
    }
    if !span.is_power_of_two() || u64::from(span) * u64::from(radix) > u64::from(n) {
        return Err(format!("span = {span} must be a power of two with span·radix <= n = {n}"));
    }
    Ok(())
}

/// One pipeline per `(n, axis, radix)` (at most 9·2·9), so the device compiler knows
/// each Stockham step's loop counts and shifts; column steps of radix ≥
/// [`FFT_WIDE_MIN_RADIX`] take the wide (8192-value) tiles of `fft.wgsl`.
fn fft_overrides(params: &[u8]) -> Overrides {
    let p: FftStepParams = bytemuck::pod_read_unaligned(params);
    let wide = u32::from(p.axis == 1 && p.radix >= FFT_WIDE_MIN_RADIX);
    [("FFT_SPEC_N", p.n), ("FFT_SPEC_AXIS", p.axis), ("FFT_SPEC_RADIX", p.radix), ("FFT_SPEC_WIDE", wide)]
}

fn fft_step<T: CachedFft>(p: &FftStepParams, io: &mut CpuIo<'_, '_, T>) -> Result<(), String> {
    let step = FftStep {
        n: p.n as usize,
        fields: p.fields as usize,
        axis: p.axis,
        radix: p.radix as usize,
        span: p.span as usize,
        inverse: p.inverse == 1,
    };
    let len = 2 * step.n * step.n * step.fields;
    let twiddles = &io.reals(2)[..step.n];
    let src = &io.reals(0)[..len];
    fft_step_reference::<T>(src, &mut io.reals_mut(1)[..len], twiddles, step);
    Ok(())
}

crate::kernel_op! {
    /// One Stockham step of batched length-`n` FFTs along the rows or columns of `n×n`
    /// fields. Steps `(L₁, 1), (L₂, L₁), …, (L_k, L₁⋯L_{k−1})` with `L₁⋯L_k = n` compose
    /// to the full DFT in natural order (see [`crate::ops::Fft2Program`]).
    pub static FFT_STEP: Op<FftStepParams, [BufferId; 3]> = {
        name: "fft_step",
        family: &FFT,
        summary: "per line (row if axis = 0, column if 1) and j < n/L: y_p = c(src[j + p·n/L])·W_n^{(j mod Ns)·p·n/(Ns·L)}, Y = DFT_L(y), dst[(j − j mod Ns)·L + j mod Ns + q·Ns] = s·c'(Y_q); W_n = e^{−2πi/n}; inverse: c = conj on the first step (Ns = 1), c' = conj and s = 1/n on the last (Ns·L = n)",
        bindings: &[
            binding(0, "src", Read, R, C(&["n", "n", "fields"])),
            binding(1, "dst", ReadWrite, R, C(&["n", "n", "fields"])),
            binding(2, "twiddles", Read, R, Product(&["n"])),
        ],
        sizes: &["n", "fields"],
        // Each workgroup transforms 4096 complex values: 4096/L groups of L in workgroup memory.
        dispatch: Dispatch::Tiled { x: Product(&["n", "n", "fields"]), y: Fixed(1), tile_x: FFT_TILE, tile_y: 1, wx: 256, wy: 1 },
        domain: fft_step_domain,
        cpu: fft_step,
        overrides: fft_overrides,
    };
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
struct FftStep {
    n: usize,
    fields: usize,
    axis: u32,
    radix: usize,
    span: usize,
    inverse: bool,
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
fn fft_step_reference<T: CachedFft>(src: &[T], dst: &mut [T], twiddles: &[T], step: FftStep) {
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
