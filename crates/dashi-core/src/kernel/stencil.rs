//! Neighbourhood counting shared by the stencil kernels.

use crate::carrier::{Carrier, CarrierError, Neighbourhood};

/// For every cell `x`, the number of positive and negative cells in the closed
/// neighbourhood `N[x]` (periodic).
pub(crate) fn sign_counts(s: &Carrier, nbhd: &Neighbourhood) -> Result<(Vec<u32>, Vec<u32>), CarrierError> {
    let shape = s.shape();
    let offsets = nbhd.closed_offsets(shape)?;
    let values = s.to_i8();
    let n = values.len();
    let dims = shape.dims();
    let ndim = dims.len();
    let mut pos = vec![0u32; n];
    let mut neg = vec![0u32; n];
    let mut coords = vec![0usize; ndim];
    for i in 0..n {
        shape.coords_into(i, &mut coords);
        for o in &offsets {
            let mut j = 0usize;
            for a in 0..ndim {
                let d = dims[a] as isize;
                j = j * dims[a] + (coords[a] as isize + o[a]).rem_euclid(d) as usize;
            }
            match values[j] {
                1 => pos[i] += 1,
                -1 => neg[i] += 1,
                _ => {}
            }
        }
    }
    Ok((pos, neg))
}
