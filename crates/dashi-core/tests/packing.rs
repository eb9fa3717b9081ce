//! Packing: 5 trits per byte, lossless, strict on invalid input.

use dashi_core::carrier::{Carrier, CarrierError, Shape, Trit};
use dashi_core::packing::{pack, pack_trits, packed_len, unpack, unpack_trits};
use proptest::prelude::*;

#[test]
fn all_243_codes_round_trip() {
    for code in 0u16..243 {
        let mut rest = code;
        let trits: Vec<Trit> = (0..5)
            .map(|_| {
                let t = Trit::ALL[(rest % 3) as usize];
                rest /= 3;
                t
            })
            .collect();
        let bytes = pack_trits(&trits);
        assert_eq!(bytes, vec![code as u8], "code {code}");
        assert_eq!(unpack_trits(&bytes, 5).unwrap(), trits);
    }
}

#[test]
fn bytes_above_242_are_typed_errors() {
    for byte in 243u8..=255 {
        assert_eq!(unpack_trits(&[121, byte], 10), Err(CarrierError::InvalidPackedByte { offset: 1, byte }));
    }
}

#[test]
fn padding_must_be_zero_trits_and_length_must_match() {
    // 3 trits: digits 1,1,1 then padding digits must be 1 (zero trit): 1+3+9+27+81 = 121.
    assert_eq!(unpack_trits(&[121], 3).unwrap(), vec![Trit::Zero; 3]);
    assert_eq!(unpack_trits(&[121 + 81], 3), Err(CarrierError::NonZeroPadding { offset: 0 }));
    assert_eq!(unpack_trits(&[121, 121], 3), Err(CarrierError::PackedLength { expected: 1, found: 2, cells: 3 }));
    assert_eq!(packed_len(0), 0);
    assert_eq!(packed_len(11), 3);
}

fn trit() -> impl Strategy<Value = i8> {
    prop_oneof![Just(-1i8), Just(0i8), Just(1i8)]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn random_carriers_of_odd_lengths_round_trip(half in 0usize..300, values in prop::collection::vec(trit(), 601)) {
        let len = 2 * half + 1;
        let c = Carrier::from_i8(Shape::d1(len).unwrap(), &values[..len]).unwrap();
        let bytes = pack(&c);
        prop_assert_eq!(bytes.len(), packed_len(len));
        prop_assert!(bytes.iter().all(|&b| b <= 242));
        prop_assert_eq!(unpack(c.shape().clone(), &bytes).unwrap(), c);
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..40), cells in 1usize..200) {
        match unpack(Shape::d1(cells).unwrap(), &bytes) {
            Ok(c) => prop_assert_eq!(pack(&c), bytes),
            Err(e) => {
                let typed = matches!(
                    e,
                    CarrierError::PackedLength { .. } | CarrierError::InvalidPackedByte { .. } | CarrierError::NonZeroPadding { .. }
                );
                prop_assert!(typed, "unexpected error {:?}", e);
            }
        }
    }
}
