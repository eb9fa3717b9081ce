use super::*;

#[test]
fn planes_are_canonical_and_round_trip() {
    let values = [1i8, 0, -1, -1, 0, 1, 1];
    let c = Carrier::from_i8(Shape::d1(7).unwrap(), &values).unwrap();
    assert_eq!(c.to_i8(), values);
    assert_eq!(c.support_words(), &[0b110_1101]);
    assert_eq!(c.sign_words(), &[0b000_1100]);
    let again = Carrier::from_planes(c.shape().clone(), c.support_words().to_vec(), c.sign_words().to_vec());
    assert_eq!(again.unwrap(), c);
}

#[test]
fn non_canonical_planes_are_refused() {
    let shape = Shape::d1(3).unwrap();
    assert_eq!(
        Carrier::from_planes(shape.clone(), vec![0b001], vec![0b010]),
        Err(CarrierError::NonCanonical { word: 0 })
    );
    assert_eq!(Carrier::from_planes(shape.clone(), vec![0b1000], vec![0]), Err(CarrierError::NonCanonical { word: 0 }));
    assert!(matches!(Carrier::from_planes(shape, vec![], vec![]), Err(CarrierError::PlaneLength { .. })));
}

#[test]
fn bad_values_and_shapes_are_typed_errors() {
    let shape = Shape::d2(2, 2).unwrap();
    assert_eq!(Carrier::from_i8(shape.clone(), &[0, 1, 2, 0]), Err(CarrierError::InvalidTrit { index: 2, value: 2 }));
    assert_eq!(Carrier::from_i8(shape, &[0, 1]), Err(CarrierError::LengthMismatch { cells: 4, found: 2 }));
    assert!(matches!(Shape::new(&[]), Err(CarrierError::InvalidShape { .. })));
    assert!(matches!(Shape::new(&[3, 0]), Err(CarrierError::InvalidShape { .. })));
    assert!(matches!(Shape::new(&[1 << 20, 1 << 20]), Err(CarrierError::InvalidShape { .. })));
    assert!(matches!(Shape::new(&[usize::MAX, 3]), Err(CarrierError::InvalidShape { .. })));
}

#[test]
fn product_balance_and_support() {
    let s = Shape::d1(4).unwrap();
    let a = Carrier::from_i8(s.clone(), &[1, -1, 0, -1]).unwrap();
    let b = Carrier::from_i8(s.clone(), &[-1, -1, 1, 0]).unwrap();
    assert_eq!(a.product(&b).unwrap().to_i8(), vec![-1, 1, 0, 0]);
    assert_eq!(a.sign_balance(), -1);
    assert_eq!(a.support_count(), 3);
    assert!(Carrier::zeros(s.clone()).support_within(&a).unwrap());
    let other = Carrier::zeros(Shape::d1(5).unwrap());
    assert!(matches!(a.product(&other), Err(CarrierError::ShapeMismatch { .. })));
}

#[test]
fn torus_neighbourhoods_wrap() {
    let c = Carrier::zeros(Shape::d2(5, 5).unwrap());
    let mut four = c.neighbours(0, &Neighbourhood::FOUR).unwrap();
    four.sort();
    assert_eq!(four, vec![0, 1, 4, 5, 20]);
    assert_eq!(c.neighbours(12, &Neighbourhood::EIGHT).unwrap().len(), 9);
    let diamond = c.neighbours(12, &Neighbourhood::new(Stencil::VonNeumann, 2)).unwrap();
    assert_eq!(diamond.len(), 13);
    assert!(matches!(
        c.neighbours(0, &Neighbourhood::new(Stencil::Moore, 3)),
        Err(CarrierError::RadiusTooLarge { radius: 3, .. })
    ));
    let ring = Carrier::zeros(Shape::d2(1, 6).unwrap());
    let mut r = ring.neighbours(0, &Neighbourhood::EIGHT).unwrap();
    r.sort();
    assert_eq!(r, vec![0, 1, 5]);
}

#[test]
fn dihedral_elements_are_distinct_bijections() {
    let shape = Shape::d2(4, 4).unwrap();
    let mut images = std::collections::HashSet::new();
    for e in 0..8u8 {
        let img: Vec<usize> = (0..16).map(|i| shape.dihedral_index(i, e).unwrap()).collect();
        let mut sorted = img.clone();
        sorted.sort();
        assert_eq!(sorted, (0..16).collect::<Vec<_>>(), "element {e} is a bijection");
        images.insert(img);
    }
    assert_eq!(images.len(), 8);
    assert!(matches!(Shape::d2(2, 3).unwrap().dihedral_index(0, 1), Err(CarrierError::NotSquare(_))));
}
