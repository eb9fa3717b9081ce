//! Property tests of every kernel's declared invariants (CORE §2.2), 256 cases each.

use dashi_core::carrier::{Carrier, Field, Neighbourhood, Shape, Stencil, Trit};
use dashi_core::kernel::{
    Annihilate, CheckConfig, Fining, FiningKernel, InvariantViolation, Kernel, KernelClass, KernelError, Majority,
    MajorityFusion, Symmetry, Threshold, check_invariants, interface_count,
};
use proptest::prelude::*;

/// A random grid (1D ring or 2D torus, often square), a neighbourhood whose radius
/// fits it, trits at a random density, and translations to check.
#[derive(Debug, Clone)]
struct Case {
    carrier: Carrier,
    nbhd: Neighbourhood,
    shifts: Vec<Vec<isize>>,
    field: Vec<f64>,
}

fn case() -> impl Strategy<Value = Case> {
    let dims = prop_oneof![
        (1usize..48).prop_map(|n| vec![n]),
        (1usize..11, 1usize..11).prop_map(|(a, b)| vec![a, b]),
        (1usize..11).prop_map(|n| vec![n, n]),
    ];
    (dims, any::<u64>(), 0u32..=100, any::<bool>(), 0usize..3).prop_map(|(dims, seed, density, moore, r)| {
        let shape = Shape::new(&dims).unwrap();
        let max_r = dims.iter().filter(|&&d| d > 1).map(|&d| (d - 1) / 2).min().unwrap_or(2);
        let radius = r.min(max_r);
        let stencil = if moore { Stencil::Moore } else { Stencil::VonNeumann };
        let mut g = dashi_core::random::SplitMix64::new(seed);
        let values: Vec<i8> = (0..shape.cells())
            .map(|_| if g.below(100) < u64::from(density) { if g.below(2) == 0 { 1 } else { -1 } } else { 0 })
            .collect();
        let shifts =
            (0..3).map(|_| dims.iter().map(|&d| g.below(2 * d as u64) as isize - d as isize).collect()).collect();
        let field = (0..shape.cells()).map(|_| g.normal()).collect();
        Case {
            carrier: Carrier::from_i8(shape, &values).unwrap(),
            nbhd: Neighbourhood::new(stencil, radius),
            shifts,
            field,
        }
    })
}

fn config(case: &Case) -> CheckConfig {
    CheckConfig { shifts: case.shifts.clone(), max_iterations: None }
}

fn is_square(c: &Carrier) -> bool {
    let d = c.shape().dims();
    d.len() == 2 && d[0] == d[1]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn majority_is_contractive_support_preserving_and_equivariant(case in case(), eta in 1u32..5) {
        let k = Majority::new(case.nbhd, eta).unwrap();
        prop_assert_eq!(k.class(), KernelClass::Contractive(dashi_core::kernel::Defect::SupportCount));
        let report = check_invariants(&k, &case.carrier, &config(&case)).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert!(report.iterations_to_fixed_point <= case.carrier.support_count() + 1);
        let expected_checks = 3 + if is_square(&case.carrier) { 7 } else { 0 };
        prop_assert_eq!(report.symmetry_checks, expected_checks);
        // Sign-preserving: every output cell is the input cell or zero.
        let out = k.apply(&case.carrier).unwrap();
        for i in 0..out.len() {
            prop_assert!(out.get(i) == Trit::Zero || out.get(i) == case.carrier.get(i));
        }
    }

    #[test]
    fn annihilate_is_idempotent_and_never_raises_interfaces(case in case()) {
        let k = Annihilate::new(case.nbhd);
        prop_assert_eq!(k.class(), KernelClass::Idempotent);
        check_invariants(&k, &case.carrier, &config(&case)).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let out = k.apply(&case.carrier).unwrap();
        prop_assert!(interface_count(&out) <= interface_count(&case.carrier));
        // With radius >= 1 no supported cell keeps an opposite-signed neighbour.
        if case.nbhd.radius >= 1 {
            for i in 0..out.len() {
                for j in out.neighbours(i, &case.nbhd).unwrap() {
                    prop_assert!(out.value(i) * out.value(j) != -1);
                }
            }
        }
    }

    #[test]
    fn fining_never_creates_support_and_reaches_closure(case in case(), levels in 1usize..=6, tau_rel in 0.05f64..0.6) {
        let shape = case.carrier.shape().clone();
        let field = Field::new(shape, case.field.clone()).unwrap();
        let mut fining = Fining::with_stages(Majority::new(case.nbhd, 1).unwrap(), Annihilate::new(case.nbhd));
        fining.levels = levels;
        fining.tau_rel = tau_rel;
        fining.smooth_radius = case.nbhd.radius.min(1);
        let seed = Threshold::new(0.05).unwrap().project(&field).product(&case.carrier.product(&case.carrier).unwrap()).unwrap();
        let kernel = FiningKernel { fining: &fining, field: &field };
        prop_assert_eq!(kernel.symmetry(), Symmetry::None);
        check_invariants(&kernel, &seed, &CheckConfig::default()).map_err(|e| TestCaseError::fail(e.to_string()))?;

        let outcome = fining.run(&field, &seed).unwrap();
        prop_assert!(!outcome.levels.is_empty() && outcome.levels.len() <= levels);
        if let Some(l) = outcome.closure_level {
            prop_assert_eq!(l, outcome.levels.len());
        } else {
            prop_assert_eq!(outcome.levels.len(), levels);
        }
        let mut previous = seed.support_count() as u64;
        for stats in &outcome.levels {
            prop_assert!(stats.stats.active_cells <= previous, "active cells never grow across levels");
            prop_assert!((0.0..=1.0).contains(&stats.annihilated_fraction));
            previous = stats.stats.active_cells;
        }
        prop_assert!(outcome.mask.support_within(&seed).unwrap());

        // Joint equivariance: moving the field and the seed together moves the mask.
        for shift in &case.shifts {
            let moved = fining.run(&field.translate(shift).unwrap(), &seed.translate(shift).unwrap()).unwrap();
            prop_assert_eq!(&moved.mask, &outcome.mask.translate(shift).unwrap(), "translate {:?}", shift);
        }
        if is_square(&seed) {
            for e in 1..8u8 {
                let moved = fining.run(&field.dihedral(e).unwrap(), &seed.dihedral(e).unwrap()).unwrap();
                prop_assert_eq!(&moved.mask, &outcome.mask.dihedral(e).unwrap(), "dihedral {}", e);
            }
        }
    }

    #[test]
    fn threshold_is_pointwise_monotone_and_idempotent(case in case(), tau in 0.01f64..1.0, tau2 in 0.01f64..2.0) {
        let field = Field::new(case.carrier.shape().clone(), case.field.clone()).unwrap();
        let t = Threshold::new(tau).unwrap();
        let s = t.project(&field);
        prop_assert_eq!(&s, &t.project(&field), "deterministic");
        prop_assert_eq!(s.shape(), field.shape());
        for (i, &x) in field.values().iter().enumerate() {
            let expected = if x >= tau { 1 } else if x <= -tau { -1 } else { 0 };
            prop_assert_eq!(s.value(i), expected);
        }
        // Idempotent on its own output read as reals (τ ≤ 1).
        let as_reals = Field::new(s.shape().clone(), s.to_i8().iter().map(|&v| f64::from(v)).collect()).unwrap();
        prop_assert_eq!(&t.project(&as_reals), &s);
        // Monotone in τ: a higher threshold keeps a subset of the support.
        let (lo, hi) = if tau <= tau2 { (tau, tau2) } else { (tau2, tau) };
        let (s_lo, s_hi) = (Threshold::new(lo).unwrap().project(&field), Threshold::new(hi).unwrap().project(&field));
        prop_assert!(s_hi.support_within(&s_lo).unwrap());
        for shift in &case.shifts {
            prop_assert_eq!(t.project(&field.translate(shift).unwrap()), s.translate(shift).unwrap());
        }
        if is_square(&s) {
            for e in 1..8u8 {
                prop_assert_eq!(t.project(&field.dihedral(e).unwrap()), s.dihedral(e).unwrap());
            }
        }
    }

    #[test]
    fn fusion_votes_without_creating_support(case in case(), k in 1usize..6, seed in any::<u64>()) {
        let mut g = dashi_core::random::SplitMix64::new(seed);
        let shape = case.carrier.shape().clone();
        let channels: Vec<Carrier> = (0..k)
            .map(|c| if c == 0 { case.carrier.clone() } else {
                let v: Vec<i8> = (0..shape.cells()).map(|_| g.below(3) as i8 - 1).collect();
                Carrier::from_i8(shape.clone(), &v).unwrap()
            })
            .collect();
        let fused = MajorityFusion.fuse(&channels).unwrap();
        prop_assert_eq!(&fused, &MajorityFusion.fuse(&channels).unwrap(), "deterministic");
        for i in 0..fused.len() {
            let sum: i32 = channels.iter().map(|c| c.value(i)).sum();
            prop_assert_eq!(fused.value(i), sum.signum(), "vote at {}", i);
            if fused.is_supported(i) {
                prop_assert!(channels.iter().any(|c| c.is_supported(i)), "no support creation");
            }
        }
        let mut reversed = channels.clone();
        reversed.reverse();
        prop_assert_eq!(&MajorityFusion.fuse(&reversed).unwrap(), &fused, "channel order is irrelevant");
        prop_assert_eq!(&MajorityFusion.fuse(&vec![fused.clone(); k]).unwrap(), &fused, "idempotent on agreement");
        for shift in &case.shifts {
            let moved: Vec<Carrier> = channels.iter().map(|c| c.translate(shift).unwrap()).collect();
            prop_assert_eq!(MajorityFusion.fuse(&moved).unwrap(), fused.translate(shift).unwrap());
        }
    }
}

#[test]
fn checkerboard_reaches_a_fixed_point_instead_of_flipping_forever() {
    // Under the flipping rule x ↦ sgn Σ N[x] every cell of a checkerboard is outvoted
    // (4 opposite neighbours against itself) and the pattern would alternate forever.
    let n = 6;
    let values: Vec<i8> = (0..n * n).map(|i| if (i / n + i % n) % 2 == 0 { 1 } else { -1 }).collect();
    let board = Carrier::from_i8(Shape::d2(n, n).unwrap(), &values).unwrap();
    let k = Majority::new(Neighbourhood::FOUR, 1).unwrap();
    let report = check_invariants(&k, &board, &CheckConfig::default()).unwrap();
    assert_eq!(k.apply(&board).unwrap().support_count(), 0);
    assert_eq!(report.iterations_to_fixed_point, 2);
}

#[test]
fn majority_keeps_a_coherent_blob_and_drops_isolated_noise() {
    let n = 8;
    let mut values = vec![0i8; n * n];
    for y in 2..5 {
        for x in 2..5 {
            values[y * n + x] = 1;
        }
    }
    values[7 * n + 7] = -1; // isolated
    let s = Carrier::from_i8(Shape::d2(n, n).unwrap(), &values).unwrap();
    let out = Majority::new(Neighbourhood::EIGHT, 2).unwrap().apply(&s).unwrap();
    assert_eq!(out.get(3 * n + 3), Trit::Pos);
    assert_eq!(out.get(7 * n + 7), Trit::Zero);
    assert_eq!(out.support_count(), 9, "corners of the 3×3 blob see 4 agreeing cells including themselves");
}

/// A kernel that breaks its declared class: flips every sign (no support creation,
/// but `K(K(s)) = s ≠ K(s)`), declared idempotent. The checker must catch it.
struct Flip;

impl Kernel for Flip {
    fn name(&self) -> String {
        "flip".into()
    }
    fn class(&self) -> KernelClass {
        KernelClass::Idempotent
    }
    fn symmetry(&self) -> Symmetry {
        Symmetry::TranslationsAndDihedral
    }
    fn apply(&self, input: &Carrier) -> Result<Carrier, KernelError> {
        let mut out = input.clone();
        for i in 0..input.len() {
            out.set(i, input.get(i).neg());
        }
        Ok(out)
    }
}

/// Creates support at cell 0.
struct Grow;

impl Kernel for Grow {
    fn name(&self) -> String {
        "grow".into()
    }
    fn class(&self) -> KernelClass {
        KernelClass::Idempotent
    }
    fn symmetry(&self) -> Symmetry {
        Symmetry::None
    }
    fn apply(&self, input: &Carrier) -> Result<Carrier, KernelError> {
        let mut out = input.clone();
        out.set(0, Trit::Pos);
        Ok(out)
    }
}

#[test]
fn the_checker_catches_broken_kernels() {
    let s = Carrier::from_i8(Shape::d2(3, 3).unwrap(), &[1, 0, -1, 0, 1, 0, 0, 0, 0]).unwrap();
    assert!(matches!(
        check_invariants(&Flip, &s, &CheckConfig::default()),
        Err(InvariantViolation::NotIdempotent { .. })
    ));
    let z = Carrier::zeros(Shape::d1(4).unwrap());
    assert!(matches!(
        check_invariants(&Grow, &z, &CheckConfig::default()),
        Err(InvariantViolation::SupportCreated { cell: 0, .. })
    ));
}

#[test]
fn kernel_parameters_are_validated() {
    assert!(matches!(Majority::new(Neighbourhood::FOUR, 0), Err(KernelError::InvalidParameter { name: "eta", .. })));
    for tau in [0.0, -1.0, f64::NAN, f64::INFINITY] {
        assert!(Threshold::new(tau).is_err(), "tau {tau}");
    }
    assert_eq!(MajorityFusion.fuse(&[]), Err(KernelError::NoChannels));
    let big = Neighbourhood::new(Stencil::Moore, 5);
    let s = Carrier::zeros(Shape::d2(4, 4).unwrap());
    assert!(matches!(Annihilate::new(big).apply(&s), Err(KernelError::Carrier(_))));
    let field = Field::new(s.shape().clone(), vec![0.5; 16]).unwrap();
    let mut f =
        Fining::with_stages(Majority::new(Neighbourhood::FOUR, 1).unwrap(), Annihilate::new(Neighbourhood::FOUR));
    f.levels = 0;
    assert!(f.run(&field, &s).is_err());
    f.levels = 17;
    assert!(f.run(&field, &s).is_err());
    assert!(Field::new(s.shape().clone(), vec![f64::NAN; 16]).is_err());
}
