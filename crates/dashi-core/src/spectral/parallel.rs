//! Splitting a pass of the 2D FFT over the cores, safely.
//!
//! The workers are rayon's global pool (measured faster than spawning scoped threads
//! per pass at N = 256 and equal above; see the table in `fft.rs`). A row pass hands each worker a contiguous block of rows (`chunks_mut`). A column pass
//! hands each worker a contiguous block of *columns*: every row is cut at the block
//! boundaries with `split_at_mut`, so worker `p` owns the `p`-th segment of every row —
//! N disjoint `&mut` slices, no `unsafe`.

/// Runs `f` on every item, items spread over rayon's pool. A single item runs inline on
/// the calling thread (no hand-off to the pool at all).
pub(crate) fn for_each_part<I: Send>(items: Vec<I>, f: &(impl Fn(I) + Sync)) {
    use rayon::prelude::*;
    if items.len() <= 1 {
        items.into_iter().for_each(f);
    } else {
        items.into_par_iter().with_max_len(1).for_each(f);
    }
}

/// Column boundaries splitting `cols` columns into at most `parts` blocks whose sizes
/// are multiples of `align` (except the last): `[0, b₁, …, cols]`.
pub(crate) fn column_bounds(cols: usize, parts: usize, align: usize) -> Vec<usize> {
    let per = cols.div_ceil(parts.max(1)).div_ceil(align) * align;
    let mut bounds = vec![0];
    let mut at = 0;
    while at < cols {
        at = (at + per).min(cols);
        bounds.push(at);
    }
    bounds
}

/// Cuts every row of the row-major `m` (rows of `width` values) at `bounds`: element `p`
/// of the result holds, for every row in order, that row's columns
/// `bounds[p] .. bounds[p+1]`.
pub(crate) fn column_blocks<'a, X>(m: &'a mut [X], width: usize, bounds: &[usize]) -> Vec<Vec<&'a mut [X]>> {
    let parts = bounds.len() - 1;
    let rows = m.len() / width;
    let mut blocks: Vec<Vec<&'a mut [X]>> = (0..parts).map(|_| Vec::with_capacity(rows)).collect();
    for row in m.chunks_mut(width) {
        let mut rest = row;
        for (p, block) in blocks.iter_mut().enumerate() {
            let (seg, tail) = rest.split_at_mut(bounds[p + 1] - bounds[p]);
            block.push(seg);
            rest = tail;
        }
    }
    blocks
}

/// Like [`column_blocks`] for a shared matrix.
pub(crate) fn column_blocks_ref<'a, X>(m: &'a [X], width: usize, bounds: &[usize]) -> Vec<Vec<&'a [X]>> {
    let parts = bounds.len() - 1;
    (0..parts).map(|p| m.chunks(width).map(|row| &row[bounds[p]..bounds[p + 1]]).collect()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds_cover_all_columns_aligned() {
        assert_eq!(column_bounds(513, 2, 8), vec![0, 264, 513]);
        assert_eq!(column_bounds(8, 2, 8), vec![0, 8]);
        assert_eq!(column_bounds(16, 2, 8), vec![0, 8, 16]);
        assert_eq!(column_bounds(3, 4, 1), vec![0, 1, 2, 3]);
        assert_eq!(column_bounds(5, 1, 4), vec![0, 5]);
    }

    #[test]
    fn blocks_partition_the_matrix() {
        let mut m: Vec<usize> = (0..12).collect();
        let bounds = [0, 1, 3];
        let blocks = column_blocks(&mut m, 3, &bounds);
        assert_eq!(blocks.len(), 2);
        let flat: Vec<Vec<usize>> = blocks.iter().map(|b| b.iter().flat_map(|s| s.to_vec()).collect()).collect();
        assert_eq!(flat, vec![vec![0, 3, 6, 9], vec![1, 2, 4, 5, 7, 8, 10, 11]]);
        let shared = column_blocks_ref(&m, 3, &bounds);
        assert_eq!(shared[1][2], &[7, 8]);
    }
}
