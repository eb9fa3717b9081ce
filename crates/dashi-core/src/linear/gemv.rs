//! The row-vector gemv kernel `out = z · A` and the row-parallel gemm built on it.
//!
//! Performance notes (measured in `docs/BENCHMARKS.md`): at D = 654 the f64 matrix is
//! 3.4 MB, so a step streams A once and is bound by cache bandwidth, not flops. The
//! kernel walks A row by row (unit stride, the order it is stored in), keeps `out`
//! (5 KB) in L1, and takes four rows per sweep so `out` is loaded and stored once per
//! four rows instead of once per row. The accumulation order per output column is
//! still strictly ascending in `i` — `((out + z₀a₀) + z₁a₁) + …` — so blocking and
//! vector width never change a bit of the result. An AVX2 build of the same loop is
//! chosen at run time when the CPU has it.

use crate::scalar::Real;

/// `out[j] = Σ_i z[i] · a[i·cols + j]` for `j < cols` (row vector times row-major
/// matrix), summing in ascending `i`. `a` must hold `z.len() · cols` values and `out`
/// `cols`.
pub fn gemv_row<T: Real>(z: &[T], a: &[T], cols: usize, out: &mut [T]) {
    gemv_row_range(z, a, cols, 0, out);
}

/// Columns `first .. first + out.len()` of `z · A` (A row-major with `cols` columns).
pub(crate) fn gemv_row_range<T: Real>(z: &[T], a: &[T], cols: usize, first: usize, out: &mut [T]) {
    assert_eq!(a.len(), z.len() * cols, "matrix has {} values, expected {}×{}", a.len(), z.len(), cols);
    assert!(first + out.len() <= cols, "column range past the matrix");
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU supports AVX2, checked just above.
            unsafe { gemv_avx2(z, a, cols, first, out) };
            return;
        }
    }
    gemv_portable(z, a, cols, first, out);
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn gemv_avx2<T: Real>(z: &[T], a: &[T], cols: usize, first: usize, out: &mut [T]) {
    gemv_portable(z, a, cols, first, out);
}

#[inline(always)]
fn gemv_portable<T: Real>(z: &[T], a: &[T], cols: usize, first: usize, out: &mut [T]) {
    let width = out.len();
    out.fill(T::ZERO);
    let row = |i: usize| &a[i * cols + first..i * cols + first + width];
    let rows = z.len();
    let mut i = 0;
    while i + 4 <= rows {
        let (z0, z1, z2, z3) = (z[i], z[i + 1], z[i + 2], z[i + 3]);
        let (r0, r1, r2, r3) = (row(i), row(i + 1), row(i + 2), row(i + 3));
        for j in 0..width {
            out[j] = (((out[j] + z0 * r0[j]) + z1 * r1[j]) + z2 * r2[j]) + z3 * r3[j];
        }
        i += 4;
    }
    while i < rows {
        let (zi, r) = (z[i], row(i));
        for j in 0..width {
            out[j] += zi * r[j];
        }
        i += 1;
    }
}

/// `C = X · Y` for row-major `X` (`rows × inner`) and `Y` (`inner × cols`): each row of
/// `C` is the row-vector gemv of the matching row of `X`, so `C` rows equal
/// [`gemv_row`] bit for bit. Rows are split over the available cores.
pub fn gemm_rows<T: Real>(x: &[T], y: &[T], inner: usize, cols: usize, out: &mut [T]) {
    assert!(inner > 0 && cols > 0, "empty gemm");
    assert_eq!(x.len() % inner, 0, "X is not a whole number of rows");
    let rows = x.len() / inner;
    assert_eq!(out.len(), rows * cols, "output has the wrong size");
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(rows).max(1);
    let per = rows.div_ceil(threads);
    if threads == 1 || rows * inner * cols < 1 << 16 {
        for (xr, orow) in x.chunks(inner).zip(out.chunks_mut(cols)) {
            gemv_row(xr, y, cols, orow);
        }
        return;
    }
    std::thread::scope(|scope| {
        for (xs, os) in x.chunks(per * inner).zip(out.chunks_mut(per * cols)) {
            scope.spawn(move || {
                for (xr, orow) in xs.chunks(inner).zip(os.chunks_mut(cols)) {
                    gemv_row(xr, y, cols, orow);
                }
            });
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_naive_sum_bit_for_bit() {
        let mut g = crate::random::SplitMix64::new(7);
        for (rows, cols) in [(1, 1), (3, 5), (4, 4), (7, 3), (13, 31)] {
            let z: Vec<f64> = (0..rows).map(|_| g.normal()).collect();
            let a: Vec<f64> = (0..rows * cols).map(|_| g.normal()).collect();
            let mut out = vec![f64::NAN; cols];
            gemv_row(&z, &a, cols, &mut out);
            for j in 0..cols {
                let mut s = 0.0;
                for i in 0..rows {
                    s += z[i] * a[i * cols + j];
                }
                assert_eq!(out[j].to_bits(), s.to_bits(), "rows {rows} cols {cols} col {j}");
            }
        }
    }
}
