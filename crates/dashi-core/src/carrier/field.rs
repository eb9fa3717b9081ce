//! [`Field`]: a finite real field on a grid, the input of projections and statistics.

use super::{CarrierError, Shape};

/// A real-valued field over a [`Shape`], row-major, every value finite.
#[derive(Clone, Debug, PartialEq)]
pub struct Field {
    shape: Shape,
    values: Vec<f64>,
}

impl Field {
    /// Wraps `values`, checking the length and that every value is finite.
    pub fn new(shape: Shape, values: Vec<f64>) -> Result<Self, CarrierError> {
        if values.len() != shape.cells() {
            return Err(CarrierError::LengthMismatch { cells: shape.cells(), found: values.len() });
        }
        if let Some((index, &value)) = values.iter().enumerate().find(|(_, v)| !v.is_finite()) {
            return Err(CarrierError::NonFinite { index, value });
        }
        Ok(Field { shape, values })
    }

    /// The grid shape.
    pub fn shape(&self) -> &Shape {
        &self.shape
    }

    /// The values, row-major.
    pub fn values(&self) -> &[f64] {
        &self.values
    }

    /// `max_x |f(x)|`.
    pub fn max_abs(&self) -> f64 {
        self.values.iter().fold(0.0, |m, v| m.max(v.abs()))
    }

    /// Cyclic translation, `g(x + shift) = f(x)`.
    pub fn translate(&self, shift: &[isize]) -> Result<Field, CarrierError> {
        if shift.len() != self.shape.ndim() {
            return Err(CarrierError::DimensionMismatch { expected: self.shape.ndim(), found: shift.len() });
        }
        let mut out = vec![0.0; self.values.len()];
        for (i, &v) in self.values.iter().enumerate() {
            out[self.shape.wrap_offset(i, shift)] = v;
        }
        Ok(Field { shape: self.shape.clone(), values: out })
    }

    /// A dihedral transform of a square 2D field ([`Shape::dihedral_index`]).
    pub fn dihedral(&self, element: u8) -> Result<Field, CarrierError> {
        let mut out = vec![0.0; self.values.len()];
        for (i, &v) in self.values.iter().enumerate() {
            out[self.shape.dihedral_index(i, element)?] = v;
        }
        Ok(Field { shape: self.shape.clone(), values: out })
    }

    /// Periodic box smoothing of half-width `radius` along every non-degenerate axis,
    /// applied separably: `g(x) = mean_{‖o‖∞ ≤ r} f(x + o)`. Axes of extent 1 are left
    /// alone; the radius must satisfy `2r + 1 ≤ extent` on the others.
    pub fn box_smooth(&self, radius: usize) -> Result<Field, CarrierError> {
        crate::carrier::Neighbourhood::new(crate::carrier::Stencil::Moore, radius).check(&self.shape)?;
        let dims = self.shape.dims();
        let mut cur = self.values.clone();
        let mut next = vec![0.0; cur.len()];
        let mut inner = 1usize;
        for axis in (0..dims.len()).rev() {
            let extent = dims[axis];
            if extent > 1 && radius > 0 {
                let outer = cur.len() / (extent * inner);
                let norm = 1.0 / (2 * radius + 1) as f64;
                for o in 0..outer {
                    for i in 0..inner {
                        let base = o * extent * inner + i;
                        for c in 0..extent {
                            let mut sum = 0.0;
                            for d in 0..=2 * radius {
                                let cc = (c + extent + d - radius) % extent;
                                sum += cur[base + cc * inner];
                            }
                            next[base + c * inner] = sum * norm;
                        }
                    }
                }
                std::mem::swap(&mut cur, &mut next);
            }
            inner *= extent;
        }
        Ok(Field { shape: self.shape.clone(), values: cur })
    }
}
