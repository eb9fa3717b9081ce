//! The `select` family: `top_k`, exact selection by rank counting, one invocation per
//! candidate (`select.wgsl`).
//!
//! ```text
//! top_k  out[0..k) = indices of the k largest x, by (x desc, index asc); NaN last
//! ```

use super::Access::{Read, ReadWrite};
use super::ElemType::{Real as R, U32};
use super::LenRule::Product;
use super::{BufferId, CpuIo, Dispatch, Family, WGSL_ORDERING, binding};
use crate::scalar::Real;
use std::cmp::Ordering;

crate::op_params! {
    /// `{ n, k }` — `top_k`.
    pub struct TopKParams {
        /// Number of candidates.
        pub n: u32,
        /// Number selected (`1 ≤ k ≤ n`).
        pub k: u32,
    }
}

impl TopKParams {
    /// Select `k` of `n`.
    pub fn new(n: u32, k: u32) -> Self {
        TopKParams { n, k, ..bytemuck::Zeroable::zeroed() }
    }
}

/// The family.
pub static SELECT: Family = Family {
    name: "select",
    owner: "dashi-core",
    doc: "exact selection by rank counting",
    wgsl: include_str!("select.wgsl"),
    imports: &[&WGSL_ORDERING],
    constants: &[],
    ops: &[TOP_K.spec()],
    trusted: false,
    zero_workgroup_memory: true,
};

/// The reference order of selections: value descending, NaN last, then index
/// ascending (`Less` = `x[i]` ranks before `x[j]`).
pub(crate) fn rank<T: Real>(x: &[T], i: usize, j: usize) -> Ordering {
    let (a, b) = (x[i], x[j]);
    let key = |v: T| v.partial_cmp(&v).map(|_| v);
    match (key(a), key(b)) {
        (Some(a), Some(b)) => b.partial_cmp(&a).expect("not NaN").then(i.cmp(&j)),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => i.cmp(&j),
    }
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

fn k_within_n(p: &TopKParams) -> Result<(), String> {
    if p.k <= p.n { Ok(()) } else { Err(format!("k = {} exceeds n = {}", p.k, p.n)) }
}

fn top_k_kernel<T: Real>(p: &TopKParams, io: &mut CpuIo<'_, '_, T>) -> Result<(), String> {
    let k = p.k as usize;
    let picked = top_k(&io.reals(0)[..p.n as usize], k);
    for (o, i) in io.words_mut(1)[..k].iter_mut().zip(picked) {
        *o = i as u32;
    }
    Ok(())
}

crate::kernel_op! {
    /// The `k` largest values' indices, by value descending then index ascending.
    pub static TOP_K: Op<TopKParams, [BufferId; 2]> = {
        name: "top_k",
        family: &SELECT,
        summary: "out[0..k] = indices of the k largest x, ordered by (x desc, index asc); NaN ranks last",
        bindings: &[binding(0, "x", Read, R, Product(&["n"])), binding(1, "out", ReadWrite, U32, Product(&["k"]))],
        sizes: &["n", "k"],
        // Exact selection by rank counting: invocation i computes
        // rank(i) = #{j : x[j] ranks before x[i]} and writes out[rank] = i if rank < k —
        // O(n²) work, no sort, ties resolved by index exactly as the reference.
        dispatch: Dispatch::Threads { count: Product(&["n"]), workgroup: 256 },
        domain: k_within_n,
        cpu: top_k_kernel,
    };
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::argmax;

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
