//! [`Shape`]: the extents of a row-major periodic grid.

use super::CarrierError;
use std::fmt;

/// Most axes a shape may have.
pub const MAX_AXES: usize = 8;
/// Most cells a shape may have (device indices are 32-bit).
pub const MAX_CELLS: usize = 1 << 31;

/// Extents of a row-major grid, last axis fastest; every axis is periodic.
///
/// A 2D shape is `[ny, nx]` and cell `(iy, ix)` has index `iy·nx + ix`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Shape {
    dims: Vec<usize>,
}

impl Shape {
    /// A shape with the given extents: 1 to [`MAX_AXES`] axes, each ≥ 1, at most
    /// [`MAX_CELLS`] cells.
    pub fn new(dims: &[usize]) -> Result<Self, CarrierError> {
        let refuse = |reason| Err(CarrierError::InvalidShape { dims: dims.to_vec(), reason });
        if dims.is_empty() {
            return refuse("a shape needs at least one axis");
        }
        if dims.len() > MAX_AXES {
            return refuse("more than 8 axes");
        }
        if dims.contains(&0) {
            return refuse("zero extent (empty carriers are not allowed)");
        }
        let cells = dims.iter().try_fold(1usize, |acc, &d| acc.checked_mul(d));
        match cells {
            Some(c) if c <= MAX_CELLS => Ok(Shape { dims: dims.to_vec() }),
            _ => refuse("more than 2^31 cells"),
        }
    }

    /// A 1D shape of `n` cells.
    pub fn d1(n: usize) -> Result<Self, CarrierError> {
        Shape::new(&[n])
    }

    /// A 2D shape of `ny` rows and `nx` columns.
    pub fn d2(ny: usize, nx: usize) -> Result<Self, CarrierError> {
        Shape::new(&[ny, nx])
    }

    /// The extents.
    pub fn dims(&self) -> &[usize] {
        &self.dims
    }

    /// Number of axes.
    pub fn ndim(&self) -> usize {
        self.dims.len()
    }

    /// Number of cells `Π dims`.
    pub fn cells(&self) -> usize {
        self.dims.iter().product()
    }

    /// Row-major coordinates of cell `index` (written into `coords`).
    pub fn coords_into(&self, mut index: usize, coords: &mut [usize]) {
        for (axis, &extent) in self.dims.iter().enumerate().rev() {
            coords[axis] = index % extent;
            index /= extent;
        }
    }

    /// Row-major index of `coords` (each already in range).
    pub fn index_of(&self, coords: &[usize]) -> usize {
        coords.iter().zip(&self.dims).fold(0, |acc, (&c, &d)| acc * d + c)
    }

    /// The index of `index + offset` on the periodic torus.
    pub fn wrap_offset(&self, index: usize, offset: &[isize]) -> usize {
        let mut rest = index;
        let mut out = 0;
        let mut stride = 1;
        for axis in (0..self.dims.len()).rev() {
            let extent = self.dims[axis];
            let c = rest % extent;
            rest /= extent;
            let moved = (c as isize + offset[axis]).rem_euclid(extent as isize) as usize;
            out += moved * stride;
            stride *= extent;
        }
        out
    }

    /// Image of cell `index` under element `element ∈ 0..8` of the dihedral group of
    /// the square (`[n, n]` shapes only), acting on `(iy, ix)` as
    /// 0 identity, 1 rotation by 90° `(ix, n−1−iy)`, 2 by 180°, 3 by 270°,
    /// 4 reflection `(iy, n−1−ix)`, 5 transpose `(ix, iy)`, 6 reflection `(n−1−iy, ix)`,
    /// 7 anti-transpose `(n−1−ix, n−1−iy)`.
    pub fn dihedral_index(&self, index: usize, element: u8) -> Result<usize, CarrierError> {
        if self.dims.len() != 2 || self.dims[0] != self.dims[1] {
            return Err(CarrierError::NotSquare(self.clone()));
        }
        let n = self.dims[0];
        let (y, x) = (index / n, index % n);
        let m = n - 1;
        let (ny, nx) = match element % 8 {
            0 => (y, x),
            1 => (x, m - y),
            2 => (m - y, m - x),
            3 => (m - x, y),
            4 => (y, m - x),
            5 => (x, y),
            6 => (m - y, x),
            _ => (m - x, m - y),
        };
        Ok(ny * n + nx)
    }
}

impl fmt::Display for Shape {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = self.dims.iter().map(|d| d.to_string()).collect();
        write!(f, "[{}]", parts.join("×"))
    }
}
