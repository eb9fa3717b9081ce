//! The canonical state hash.
//!
//! `hash(z) = BLAKE2b(z₀ ‖ z₁ ‖ … , digest_size = 16)` over the **little-endian IEEE-754
//! f64 bytes** of the state, unkeyed, no salt or personalisation — exactly Python's
//! `hashlib.blake2b(np.asarray(z, '<f8').tobytes(), digest_size=16)`. An f32 state
//! (GPU) is hashed as its exact f64 cast, so hashes are comparable per backend, not
//! across backends (f32 and f64 rollouts round differently).

use blake2::Blake2b;
use blake2::digest::Digest;
use blake2::digest::consts::U16;
use std::fmt;

/// A 16-byte BLAKE2b digest of a state; `Display` is lowercase hex.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct StateHash(pub [u8; 16]);

impl fmt::Display for StateHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for b in self.0 {
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
}

/// The canonical hash of an f64 state.
pub fn state_hash(state: &[f64]) -> StateHash {
    let mut h = Blake2b::<U16>::new();
    for v in state {
        h.update(v.to_le_bytes());
    }
    StateHash(h.finalize().into())
}

/// The canonical hash of an f32 state: the hash of its exact f64 cast.
pub fn state_hash_f32(state: &[f32]) -> StateHash {
    let mut h = Blake2b::<U16>::new();
    for &v in state {
        h.update(f64::from(v).to_le_bytes());
    }
    StateHash(h.finalize().into())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Golden value computed with CPython 3.11:
    /// `hashlib.blake2b(struct.pack('<4d', 1.0, -2.5, 0.0, 3.25), digest_size=16).hexdigest()`.
    #[test]
    fn matches_python_hashlib_blake2b_16() {
        let h = state_hash(&[1.0, -2.5, 0.0, 3.25]);
        assert_eq!(h.to_string(), "52132c8e0f3f10aa5ab331a73b5cf777");
        assert_eq!(state_hash_f32(&[1.0, -2.5, 0.0, 3.25]), h);
    }

    #[test]
    fn negative_zero_and_order_matter() {
        assert_ne!(state_hash(&[0.0]), state_hash(&[-0.0]));
        assert_ne!(state_hash(&[1.0, 2.0]), state_hash(&[2.0, 1.0]));
    }
}
