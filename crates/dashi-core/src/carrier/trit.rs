//! [`Trit`]: one element of `T = {−1, 0, +1}`.

use super::CarrierError;

/// A balanced ternary digit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
#[repr(i8)]
pub enum Trit {
    /// −1
    Neg = -1,
    /// 0 (unsupported)
    #[default]
    Zero = 0,
    /// +1
    Pos = 1,
}

impl Trit {
    /// All three values in ascending order.
    pub const ALL: [Trit; 3] = [Trit::Neg, Trit::Zero, Trit::Pos];

    /// The value as an integer in {−1, 0, 1}.
    pub const fn to_i8(self) -> i8 {
        self as i8
    }

    /// From the factored form: `support` = non-zero, `negative` = sign bit.
    /// A sign bit without support is ignored (canonical form).
    pub const fn from_planes(support: bool, negative: bool) -> Trit {
        match (support, negative) {
            (false, _) => Trit::Zero,
            (true, false) => Trit::Pos,
            (true, true) => Trit::Neg,
        }
    }

    /// The sign of an integer: `sgn(v)`.
    pub const fn signum(v: i64) -> Trit {
        if v > 0 {
            Trit::Pos
        } else if v < 0 {
            Trit::Neg
        } else {
            Trit::Zero
        }
    }

    /// Whether the trit is non-zero.
    pub const fn is_supported(self) -> bool {
        !matches!(self, Trit::Zero)
    }

    /// The product in T (closed under multiplication).
    pub const fn mul(self, other: Trit) -> Trit {
        Trit::signum(self as i64 * other as i64)
    }

    /// `−t`.
    pub const fn neg(self) -> Trit {
        Trit::signum(-(self as i64))
    }
}

impl TryFrom<i8> for Trit {
    type Error = CarrierError;
    fn try_from(value: i8) -> Result<Self, Self::Error> {
        match value {
            -1 => Ok(Trit::Neg),
            0 => Ok(Trit::Zero),
            1 => Ok(Trit::Pos),
            _ => Err(CarrierError::InvalidTrit { index: 0, value }),
        }
    }
}

impl From<Trit> for i8 {
    fn from(t: Trit) -> i8 {
        t.to_i8()
    }
}
