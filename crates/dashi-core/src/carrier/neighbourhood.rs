//! Neighbourhoods on the periodic torus.
//!
//! The closed neighbourhood of radius `r` of a cell `x` is
//! `N[x] = {x + o : ‖o‖ ≤ r}` with `‖·‖₁` ([`Stencil::VonNeumann`], the 4-neighbourhood
//! in 2D for r = 1) or `‖·‖∞` ([`Stencil::Moore`], the 8-neighbourhood in 2D for r = 1),
//! coordinates taken modulo the extents. It includes `x` itself.
//!
//! An axis of extent 1 is degenerate: offsets along it are 0 (so a `[1, n]` grid
//! behaves as a ring of `n`). Along every other axis we require `2r + 1 ≤ extent`, so
//! no cell is reached by two different offsets — the neighbourhood is a set, not a
//! multiset, and counts over it mean the same on every grid.

use super::{CarrierError, Shape};

/// The norm defining a neighbourhood.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Stencil {
    /// `‖o‖₁ ≤ r` (diamond; 4-neighbourhood at r = 1 in 2D).
    VonNeumann,
    /// `‖o‖∞ ≤ r` (square; 8-neighbourhood at r = 1 in 2D).
    Moore,
}

impl Stencil {
    /// The device code of the stencil (`0` = von Neumann, `1` = Moore).
    pub const fn code(self) -> u32 {
        match self {
            Stencil::VonNeumann => 0,
            Stencil::Moore => 1,
        }
    }

    /// The stencil of a device code.
    pub const fn from_code(code: u32) -> Option<Stencil> {
        match code {
            0 => Some(Stencil::VonNeumann),
            1 => Some(Stencil::Moore),
            _ => None,
        }
    }
}

/// A stencil and a radius.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Neighbourhood {
    /// The norm.
    pub stencil: Stencil,
    /// The radius `r ≥ 0`.
    pub radius: usize,
}

impl Neighbourhood {
    /// The 4-neighbourhood (von Neumann, r = 1).
    pub const FOUR: Neighbourhood = Neighbourhood { stencil: Stencil::VonNeumann, radius: 1 };
    /// The 8-neighbourhood (Moore, r = 1).
    pub const EIGHT: Neighbourhood = Neighbourhood { stencil: Stencil::Moore, radius: 1 };

    /// A neighbourhood of `stencil` and `radius`.
    pub const fn new(stencil: Stencil, radius: usize) -> Self {
        Neighbourhood { stencil, radius }
    }

    /// Checks `2r + 1 ≤ extent` on every non-degenerate axis of `shape`.
    pub fn check(&self, shape: &Shape) -> Result<(), CarrierError> {
        for (axis, &extent) in shape.dims().iter().enumerate() {
            if extent > 1 && 2 * self.radius + 1 > extent {
                return Err(CarrierError::RadiusTooLarge { radius: self.radius, axis, extent });
            }
        }
        Ok(())
    }

    /// All offsets `o` with `‖o‖ ≤ r` (the zero offset included), in lexicographic
    /// order, one `Vec` of length `shape.ndim()` each.
    pub fn closed_offsets(&self, shape: &Shape) -> Result<Vec<Vec<isize>>, CarrierError> {
        self.check(shape)?;
        let r = self.radius as isize;
        let mut out = vec![Vec::new()];
        for &extent in shape.dims() {
            let span = if extent == 1 { 0 } else { r };
            let mut next = Vec::new();
            for prefix in &out {
                for o in -span..=span {
                    let mut v = prefix.clone();
                    v.push(o);
                    next.push(v);
                }
            }
            out = next;
        }
        out.retain(|o| match self.stencil {
            Stencil::VonNeumann => o.iter().map(|c| c.abs()).sum::<isize>() <= r,
            Stencil::Moore => true,
        });
        Ok(out)
    }

    /// For every cell, the row-major indices of its closed neighbourhood, flattened:
    /// cell `i` owns entries `i·k .. (i+1)·k` where `k` is the second return value.
    pub fn table(&self, shape: &Shape) -> Result<(Vec<usize>, usize), CarrierError> {
        let offsets = self.closed_offsets(shape)?;
        let k = offsets.len();
        let mut table = Vec::with_capacity(shape.cells() * k);
        for i in 0..shape.cells() {
            table.extend(offsets.iter().map(|o| shape.wrap_offset(i, o)));
        }
        Ok((table, k))
    }
}
