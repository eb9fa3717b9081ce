//! The ternary carrier.
//!
//! A carrier is a field `s : Ω → T`, `T = {−1, 0, +1}`, over a row-major grid `Ω`
//! (last index fastest; a 2D carrier is indexed `[iy][ix]`). It is stored as two
//! bit-planes of `u32` words, bit `i % 32` of word `i / 32` describing cell `i`:
//!
//! * `support(i) = 1` iff `s(i) ≠ 0`;
//! * `sign(i) = 1` iff `s(i) = −1`.
//!
//! The representation is **canonical**: `sign(i) = 0` wherever `support(i) = 0`, and
//! the unused tail bits of the last word are 0. Canonicality makes equality of
//! carriers equality of their words, which is what the kernels' determinism and
//! parity checks compare. The same word layout is the device (GPU) layout.

mod error;
mod field;
mod neighbourhood;
mod shape;
mod trit;

pub use error::CarrierError;
pub use field::Field;
pub use neighbourhood::{Neighbourhood, Stencil};
pub use shape::Shape;
pub use trit::Trit;

/// Number of `u32` words needed for `cells` bits.
pub const fn words_for(cells: usize) -> usize {
    cells.div_ceil(32)
}

/// A ternary field stored as canonical support and sign bit-planes.
///
/// ```
/// use dashi_core::{Carrier, Shape, Trit};
/// let c = Carrier::from_i8(Shape::d2(2, 3)?, &[1, 0, -1, 0, 0, 1])?;
/// assert_eq!(c.support_count(), 3);
/// assert_eq!(c.sign_balance(), 1);
/// assert_eq!(c.get(2), Trit::Neg);
/// # Ok::<(), dashi_core::CarrierError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Carrier {
    shape: Shape,
    support: Vec<u32>,
    sign: Vec<u32>,
}

impl Carrier {
    /// The all-zero carrier of `shape`.
    pub fn zeros(shape: Shape) -> Self {
        let words = words_for(shape.cells());
        Carrier { shape, support: vec![0; words], sign: vec![0; words] }
    }

    /// Builds a carrier from signed values in {−1, 0, +1} (row-major).
    ///
    /// Errors: [`CarrierError::LengthMismatch`] if `values.len()` is not the number of
    /// cells, [`CarrierError::InvalidTrit`] naming the first bad value and its index.
    pub fn from_i8(shape: Shape, values: &[i8]) -> Result<Self, CarrierError> {
        check_len(&shape, values.len())?;
        let mut c = Carrier::zeros(shape);
        for (index, &value) in values.iter().enumerate() {
            let t = Trit::try_from(value).map_err(|_| CarrierError::InvalidTrit { index, value })?;
            c.set(index, t);
        }
        Ok(c)
    }

    /// Builds a carrier from trits (row-major).
    pub fn from_trits(shape: Shape, trits: &[Trit]) -> Result<Self, CarrierError> {
        check_len(&shape, trits.len())?;
        let mut c = Carrier::zeros(shape);
        for (i, &t) in trits.iter().enumerate() {
            c.set(i, t);
        }
        Ok(c)
    }

    /// Builds a carrier from its two bit-planes, checking the word count and
    /// canonicality (no sign bit without support, no bits past the last cell).
    pub fn from_planes(shape: Shape, support: Vec<u32>, sign: Vec<u32>) -> Result<Self, CarrierError> {
        let words = words_for(shape.cells());
        for (plane, len) in [("support", support.len()), ("sign", sign.len())] {
            if len != words {
                return Err(CarrierError::PlaneLength { plane, expected: words, found: len });
            }
        }
        let tail_mask = tail_mask(shape.cells());
        for (word, (&sup, &sgn)) in support.iter().zip(&sign).enumerate() {
            let valid = if word + 1 == words { tail_mask } else { u32::MAX };
            if sgn & !sup != 0 || (sup | sgn) & !valid != 0 {
                return Err(CarrierError::NonCanonical { word });
            }
        }
        Ok(Carrier { shape, support, sign })
    }

    /// The grid shape.
    pub fn shape(&self) -> &Shape {
        &self.shape
    }

    /// Number of cells.
    pub fn len(&self) -> usize {
        self.shape.cells()
    }

    /// Always false: a [`Shape`] has at least one cell.
    pub fn is_empty(&self) -> bool {
        false
    }

    /// The support bit-plane (bit `i % 32` of word `i / 32` is cell `i`).
    pub fn support_words(&self) -> &[u32] {
        &self.support
    }

    /// The sign bit-plane (1 = negative), zero wherever the support is zero.
    pub fn sign_words(&self) -> &[u32] {
        &self.sign
    }

    /// The trit at row-major `index`. Panics if `index >= self.len()` (like slice
    /// indexing); use [`Carrier::try_get`] for a checked read.
    pub fn get(&self, index: usize) -> Trit {
        assert!(index < self.len(), "cell {index} out of range for {} cells", self.len());
        let (w, b) = (index / 32, index % 32);
        Trit::from_planes((self.support[w] >> b) & 1 == 1, (self.sign[w] >> b) & 1 == 1)
    }

    /// The trit at `index`, or `None` when out of range.
    pub fn try_get(&self, index: usize) -> Option<Trit> {
        (index < self.len()).then(|| self.get(index))
    }

    /// Sets the trit at `index`, keeping the planes canonical. Panics if out of range.
    pub fn set(&mut self, index: usize, t: Trit) {
        assert!(index < self.len(), "cell {index} out of range for {} cells", self.len());
        let (w, bit) = (index / 32, 1u32 << (index % 32));
        self.support[w] &= !bit;
        self.sign[w] &= !bit;
        match t {
            Trit::Zero => {}
            Trit::Pos => self.support[w] |= bit,
            Trit::Neg => {
                self.support[w] |= bit;
                self.sign[w] |= bit;
            }
        }
    }

    /// Whether cell `index` is supported (non-zero).
    pub fn is_supported(&self, index: usize) -> bool {
        (self.support[index / 32] >> (index % 32)) & 1 == 1
    }

    /// The signed value of cell `index` as an integer in {−1, 0, 1}.
    pub fn value(&self, index: usize) -> i32 {
        i32::from(self.get(index).to_i8())
    }

    /// All trits, row-major.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = Trit> + '_ {
        (0..self.len()).map(|i| self.get(i))
    }

    /// All values as `i8` in {−1, 0, 1}, row-major.
    pub fn to_i8(&self) -> Vec<i8> {
        self.iter().map(Trit::to_i8).collect()
    }

    /// `|supp s|`, the number of non-zero cells.
    pub fn support_count(&self) -> usize {
        self.support.iter().map(|w| w.count_ones() as usize).sum()
    }

    /// The sign balance `Σ_x s(x)` = #positive − #negative.
    pub fn sign_balance(&self) -> i64 {
        let negative: i64 = self.sign.iter().map(|w| i64::from(w.count_ones())).sum();
        self.support_count() as i64 - 2 * negative
    }

    /// Whether `supp self ⊆ supp other` (shapes must match).
    pub fn support_within(&self, other: &Carrier) -> Result<bool, CarrierError> {
        self.check_same_shape(other)?;
        Ok(self.support.iter().zip(&other.support).all(|(a, b)| a & !b == 0))
    }

    /// Element-wise product `(s·t)(x) = s(x)·t(x)`: support is the intersection,
    /// sign the exclusive-or of signs on it.
    pub fn product(&self, other: &Carrier) -> Result<Carrier, CarrierError> {
        self.check_same_shape(other)?;
        let support: Vec<u32> = self.support.iter().zip(&other.support).map(|(a, b)| a & b).collect();
        let sign = self.sign.iter().zip(&other.sign).zip(&support).map(|((a, b), s)| (a ^ b) & s).collect();
        Ok(Carrier { shape: self.shape.clone(), support, sign })
    }

    /// Number of cells where the two carriers differ (Hamming distance on trits).
    pub fn hamming_distance(&self, other: &Carrier) -> Result<usize, CarrierError> {
        self.check_same_shape(other)?;
        Ok(self
            .support
            .iter()
            .zip(&other.support)
            .zip(self.sign.iter().zip(&other.sign))
            .map(|((a, b), (c, d))| ((a ^ b) | (c ^ d)).count_ones() as usize)
            .sum())
    }

    /// The row-major indices of the closed neighbourhood `N[x]` (including `x`) on the
    /// periodic torus. Errors if the neighbourhood would wrap onto itself
    /// (`2r + 1 > extent` along an axis of extent > 1; see [`Neighbourhood`]).
    pub fn neighbours(&self, index: usize, nbhd: &Neighbourhood) -> Result<Vec<usize>, CarrierError> {
        if index >= self.len() {
            return Err(CarrierError::IndexOutOfRange { index, cells: self.len() });
        }
        let offsets = nbhd.closed_offsets(&self.shape)?;
        Ok(offsets.iter().map(|o| self.shape.wrap_offset(index, o)).collect())
    }

    /// Cyclic translation: the result `t` satisfies `t(x + shift) = s(x)` (periodic).
    pub fn translate(&self, shift: &[isize]) -> Result<Carrier, CarrierError> {
        if shift.len() != self.shape.ndim() {
            return Err(CarrierError::DimensionMismatch { expected: self.shape.ndim(), found: shift.len() });
        }
        let mut out = Carrier::zeros(self.shape.clone());
        for i in 0..self.len() {
            out.set(self.shape.wrap_offset(i, shift), self.get(i));
        }
        Ok(out)
    }

    /// A 2D dihedral transform of a square carrier ([`Shape::dihedral_index`]).
    pub fn dihedral(&self, element: u8) -> Result<Carrier, CarrierError> {
        let mut out = Carrier::zeros(self.shape.clone());
        for i in 0..self.len() {
            out.set(self.shape.dihedral_index(i, element)?, self.get(i));
        }
        Ok(out)
    }

    /// Errors unless both carriers have the same shape.
    pub fn check_same_shape(&self, other: &Carrier) -> Result<(), CarrierError> {
        if self.shape != other.shape {
            return Err(CarrierError::ShapeMismatch { expected: self.shape.clone(), found: other.shape.clone() });
        }
        Ok(())
    }
}

fn check_len(shape: &Shape, len: usize) -> Result<(), CarrierError> {
    if len != shape.cells() {
        return Err(CarrierError::LengthMismatch { cells: shape.cells(), found: len });
    }
    Ok(())
}

/// Mask of the valid bits in the last word of a plane of `cells` bits.
pub(crate) fn tail_mask(cells: usize) -> u32 {
    match cells % 32 {
        0 => u32::MAX,
        r => (1u32 << r) - 1,
    }
}

#[cfg(test)]
mod tests;
