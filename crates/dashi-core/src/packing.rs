//! Dense transport form: 5 trits per byte.
//!
//! Trits are taken in row-major order in groups of five, `t₀ … t₄`, and stored as the
//! base-3 number
//!
//! ```text
//! byte = Σ_{j=0}^{4} (t_j + 1) · 3^j      ∈ [0, 242]      (3⁵ = 243 ≤ 256)
//! ```
//!
//! so digit `d = t + 1` maps −1 → 0, 0 → 1, +1 → 2 and the first trit of a group is
//! the least significant digit. The last group is padded with zero trits (digit 1).
//! Packing is lossless; unpacking rejects bytes above 242 and non-zero padding, so
//! every byte string has at most one meaning. Storage is `⌈n/5⌉` bytes, 1.6 bits per
//! trit against the information bound log₂3 ≈ 1.585.

use crate::carrier::{Carrier, CarrierError, Shape, Trit};

/// Trits per packed byte.
pub const TRITS_PER_BYTE: usize = 5;

/// Bytes needed to pack `cells` trits.
pub const fn packed_len(cells: usize) -> usize {
    cells.div_ceil(TRITS_PER_BYTE)
}

/// Packs a sequence of trits (see the module docs for the layout).
pub fn pack_trits(trits: &[Trit]) -> Vec<u8> {
    trits
        .chunks(TRITS_PER_BYTE)
        .map(|group| {
            let mut byte = 0u8;
            let mut place = 1u8;
            for j in 0..TRITS_PER_BYTE {
                let t = group.get(j).copied().unwrap_or(Trit::Zero);
                byte += (t.to_i8() + 1) as u8 * place;
                place = place.wrapping_mul(3);
            }
            byte
        })
        .collect()
}

/// Unpacks `count` trits from `bytes`, which must be exactly `⌈count/5⌉` long.
pub fn unpack_trits(bytes: &[u8], count: usize) -> Result<Vec<Trit>, CarrierError> {
    let expected = packed_len(count);
    if bytes.len() != expected {
        return Err(CarrierError::PackedLength { expected, found: bytes.len(), cells: count });
    }
    let mut out = Vec::with_capacity(count);
    for (offset, &byte) in bytes.iter().enumerate() {
        if byte > 242 {
            return Err(CarrierError::InvalidPackedByte { offset, byte });
        }
        let mut rest = byte;
        for j in 0..TRITS_PER_BYTE {
            let t = Trit::ALL[(rest % 3) as usize];
            rest /= 3;
            if offset * TRITS_PER_BYTE + j < count {
                out.push(t);
            } else if t != Trit::Zero {
                return Err(CarrierError::NonZeroPadding { offset });
            }
        }
    }
    Ok(out)
}

/// Packs a carrier's trits (row-major). The shape is not stored.
pub fn pack(carrier: &Carrier) -> Vec<u8> {
    pack_trits(&carrier.iter().collect::<Vec<_>>())
}

/// Unpacks a carrier of `shape` from bytes made by [`pack`].
pub fn unpack(shape: Shape, bytes: &[u8]) -> Result<Carrier, CarrierError> {
    let trits = unpack_trits(bytes, shape.cells())?;
    Carrier::from_trits(shape, &trits)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layout_is_base3_least_significant_first() {
        assert_eq!(pack_trits(&[Trit::Neg; 5]), vec![0]);
        assert_eq!(pack_trits(&[Trit::Pos; 5]), vec![242]);
        assert_eq!(pack_trits(&[Trit::Pos]), vec![2 + 3 + 9 + 27 + 81]);
        assert_eq!(pack_trits(&[]), Vec::<u8>::new());
    }
}
