//! Bad input is a typed error; results do not depend on the thread count.

use dashi_atoms::{
    Atom, AtomError, AtomState, Background, MdlConfig, MergeConfig, Mode, Sign, SplitConfig, StepConfig, normal_form,
    step, vertex_velocities,
};

fn sample() -> AtomState {
    let atoms = (0..40)
        .map(|i| {
            let t = i as f64;
            Atom::new(
                vec![[0.3 + 0.15 * t, 1.0 + (t * 0.7).sin()], [0.35 + 0.15 * t, 1.1 + (t * 0.7).sin()]],
                if i % 3 == 0 { Sign::Neg } else { Sign::Pos },
                0.1 + 0.01 * t,
                0.05,
            )
            .unwrap()
        })
        .collect();
    AtomState::new(atoms, Background::empty())
}

#[test]
fn velocities_are_bitwise_independent_of_the_thread_count() {
    let state = sample();
    let one = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap().install(|| vertex_velocities(&state));
    let three = rayon::ThreadPoolBuilder::new().num_threads(3).build().unwrap().install(|| vertex_velocities(&state));
    assert_eq!(one, three);
}

#[test]
fn bad_settings_are_refused_with_their_names() {
    let state = sample();
    let name = |r: Result<_, AtomError>| match r {
        Err(AtomError::Config { name, .. }) => name,
        other => panic!("expected a Config error, got {other:?}"),
    };
    assert_eq!(name(step(&state, &StepConfig::transport_only(0.0)).map(|_| ())), "dt");
    assert_eq!(name(step(&state, &StepConfig::transport_only(f64::NAN)).map(|_| ())), "dt");
    let bad_visc = StepConfig { viscosity: -1.0, ..StepConfig::transport_only(0.01) };
    assert_eq!(name(step(&state, &bad_visc).map(|_| ())), "viscosity");
    let cases = [
        (MdlConfig { gamma_min: -1.0, ..MdlConfig::default() }, "gamma_min"),
        (
            MdlConfig {
                split: Some(SplitConfig {
                    max_segment: Some(4.0),
                    max_turn: None,
                    self_intersection: false,
                    max_vertices: None,
                }),
                ..MdlConfig::default()
            },
            "max_segment",
        ),
        (
            MdlConfig {
                split: Some(SplitConfig {
                    max_segment: None,
                    max_turn: None,
                    self_intersection: false,
                    max_vertices: Some(1),
                }),
                ..MdlConfig::default()
            },
            "max_vertices",
        ),
        (
            MdlConfig {
                merge: Some(MergeConfig { distance: 0.1, align_cos: 1.5, opposite: false }),
                ..MdlConfig::default()
            },
            "align_cos",
        ),
    ];
    for (cfg, expected) in cases {
        assert_eq!(name(normal_form(state.atoms.clone(), &cfg).map(|_| ())), expected);
    }
}

#[test]
fn background_modes_are_validated() {
    let mode = |kx, ky, re| Mode { kx, ky, re, im: 0.0 };
    assert!(matches!(Background::new(vec![mode(0, 0, 1.0)]), Err(AtomError::Mode { .. })));
    assert!(matches!(Background::new(vec![mode(-1, 0, 1.0)]), Err(AtomError::Mode { .. })));
    assert!(matches!(Background::new(vec![mode(1, 1, f64::NAN)]), Err(AtomError::Mode { .. })));
    assert!(matches!(Background::new(vec![mode(1, 1, 1.0), mode(1, 1, 2.0)]), Err(AtomError::Mode { .. })));
    let ok = Background::new(vec![mode(0, 2, 1.0), mode(1, 0, 1.0)]).unwrap();
    assert_eq!((ok.modes()[0].kx, ok.modes()[0].ky), (1, 0)); // sorted by (ky, kx)
}
