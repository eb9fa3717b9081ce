//! The `gather` family: indexed copies, one invocation per index (`gather.wgsl`).
//!
//! ```text
//! gather   out[i] = x[idx[i]] if idx[i] < n else 0
//! scatter  out[idx[i]] = x[i] for idx[i] < n   (indices distinct; other entries untouched)
//! ```

use super::Access::{Read, ReadWrite};
use super::ElemType::{Real as R, U32};
use super::LenRule::Product;
use super::{BufferId, CpuIo, Dispatch, Family, binding};
use crate::scalar::Real;

crate::op_params! {
    /// `{ n, m }` — `gather`, `scatter`.
    pub struct GatherParams {
        /// Length of the dense side.
        pub n: u32,
        /// Number of indices.
        pub m: u32,
    }
}

impl GatherParams {
    /// Dense length `n`, `m` indices.
    pub fn new(n: u32, m: u32) -> Self {
        GatherParams { n, m, ..bytemuck::Zeroable::zeroed() }
    }
}

/// The family.
pub static GATHER_FAMILY: Family = Family {
    name: "gather",
    owner: "dashi-core",
    doc: "indexed copies",
    wgsl: include_str!("gather.wgsl"),
    imports: &[],
    constants: &[],
    ops: &[GATHER.spec(), SCATTER.spec()],
    trusted: false,
    zero_workgroup_memory: true,
};

const PER_INDEX: Dispatch = Dispatch::Threads { count: Product(&["m"]), workgroup: 256 };

fn any_gather(_: &GatherParams) -> Result<(), String> {
    Ok(())
}

fn gather<T: Real>(p: &GatherParams, io: &mut CpuIo<'_, '_, T>) -> Result<(), String> {
    let (n, m) = (p.n as usize, p.m as usize);
    let (x, idx) = (&io.reals(0)[..n], &io.words(1)[..m]);
    for (o, &i) in io.reals_mut(2)[..m].iter_mut().zip(idx) {
        *o = x.get(i as usize).copied().unwrap_or(T::ZERO);
    }
    Ok(())
}

crate::kernel_op! {
    /// `out[i] = x[idx[i]]`.
    pub static GATHER: Op<GatherParams, [BufferId; 3]> = {
        name: "gather",
        family: &GATHER_FAMILY,
        summary: "out[i] = x[idx[i]] if idx[i] < n else 0",
        bindings: &[
            binding(0, "x", Read, R, Product(&["n"])),
            binding(1, "idx", Read, U32, Product(&["m"])),
            binding(2, "out", ReadWrite, R, Product(&["m"])),
        ],
        sizes: &["n", "m"],
        dispatch: PER_INDEX,
        domain: any_gather,
        cpu: gather,
    };
}

fn scatter<T: Real>(p: &GatherParams, io: &mut CpuIo<'_, '_, T>) -> Result<(), String> {
    let (n, m) = (p.n as usize, p.m as usize);
    let (x, idx) = (&io.reals(0)[..m], &io.words(1)[..m]);
    let mut seen = std::collections::HashSet::with_capacity(m);
    if let Some(dup) = idx.iter().find(|&&i| (i as usize) < n && !seen.insert(i)) {
        return Err(format!("index {dup} appears more than once"));
    }
    let out = &mut io.reals_mut(2)[..n];
    for (&v, &i) in x.iter().zip(idx) {
        if let Some(slot) = out.get_mut(i as usize) {
            *slot = v;
        }
    }
    Ok(())
}

crate::kernel_op! {
    /// `out[idx[i]] = x[i]`.
    pub static SCATTER: Op<GatherParams, [BufferId; 3]> = {
        name: "scatter",
        family: &GATHER_FAMILY,
        summary: "out[idx[i]] = x[i] for idx[i] < n (indices must be distinct; other entries of out untouched)",
        bindings: &[
            binding(0, "x", Read, R, Product(&["m"])),
            binding(1, "idx", Read, U32, Product(&["m"])),
            binding(2, "out", ReadWrite, R, Product(&["n"])),
        ],
        sizes: &["n", "m"],
        dispatch: PER_INDEX,
        domain: any_gather,
        cpu: scatter,
    };
}
