//! Known answers: Taylor–Green decay (issue 5: ≤ 1e-6 CPU f64, ≤ 1e-4 GPU f32), the
//! advection term of a two-mode field against its closed form, and input validation.

use dashi_core::ops::{CpuExecutor, Executor, Precision};
use dashi_core::spectral::{Complex, Fft2Planner};
use dashi_les::{Les, LesConfig, LesError, Stepper, initial};

fn taylor_green_ratio_error<E: Executor>(exec: &mut E, stepper: Stepper) -> f64 {
    let config = LesConfig::new(64, 0.01, 0.01, stepper);
    let mut les = Les::new(exec, config, &initial::taylor_green(64)).unwrap();
    let z0 = les.diagnostics(exec).unwrap().enstrophy;
    les.advance(exec, 100).unwrap();
    let d = les.diagnostics(exec).unwrap();
    let want = (-4.0 * config.nu * d.time).exp();
    les.free(exec).unwrap();
    ((d.enstrophy / z0) / want - 1.0).abs()
}

#[test]
fn taylor_green_enstrophy_decays_as_exp_minus_4_nu_t_on_the_cpu() {
    let mut cpu = CpuExecutor::new(Precision::F64);
    for stepper in [Stepper::Heun, Stepper::Rk4] {
        let e = taylor_green_ratio_error(&mut cpu, stepper);
        println!("CPU f64 {stepper:?}: |Z(t)/Z(0) / e^(-4νt) − 1| = {e:.3e}");
        assert!(e <= 1e-6, "{stepper:?}: {e:.3e}");
    }
}

#[test]
fn taylor_green_enstrophy_decays_as_exp_minus_4_nu_t_on_the_gpu() {
    let Some(mut gpu) = dashi_gpu::gpu_or_skip("taylor_green_enstrophy_decays_as_exp_minus_4_nu_t_on_the_gpu") else {
        return;
    };
    for stepper in [Stepper::Heun, Stepper::Rk4] {
        let e = taylor_green_ratio_error(&mut gpu, stepper);
        println!("GPU f32 {stepper:?}: |Z(t)/Z(0) / e^(-4νt) − 1| = {e:.3e}");
        assert!(e <= 1e-4, "{stepper:?}: {e:.3e}");
    }
}

/// ω = a cos x + b cos 2y has ψ = a cos x + (b/4) cos 2y, u = −(b/2) sin 2y, v = a sin x,
/// so ∂ω/∂t = −u·∇ω = (3/2)·a·b·sin x·sin 2y (ν₀ = 0). One RK4 step of dt = 1e-5 must
/// move ω by dt times that, to O(dt) relative.
#[test]
fn advection_of_a_two_mode_field_matches_its_closed_form() {
    let (n, a, b, dt) = (32usize, 0.7, -1.3, 1e-5);
    let h = 2.0 * std::f64::consts::PI / n as f64;
    let at = |i: usize| ((i % n) as f64 * h, (i / n) as f64 * h);
    let omega: Vec<f64> = (0..n * n).map(|i| a * at(i).0.cos() + b * (2.0 * at(i).1).cos()).collect();
    let mut cpu = CpuExecutor::new(Precision::F64);
    let mut les = Les::new(&mut cpu, LesConfig::new(n, dt, 0.0, Stepper::Rk4), &omega).unwrap();
    les.advance(&mut cpu, 1).unwrap();
    let spectrum: Vec<Complex<f64>> =
        les.spectrum(&mut cpu).unwrap().chunks_exact(2).map(|c| Complex::new(c[0], c[1])).collect();
    let after = Fft2Planner::<f64>::new().plan_n(n).unwrap().ifft2(&spectrum).unwrap();
    let (mut err, mut norm) = (0.0f64, 0.0f64);
    for i in 0..n * n {
        let want = 1.5 * a * b * at(i).0.sin() * (2.0 * at(i).1).sin();
        let got = (after[i].re - omega[i]) / dt;
        err += (got - want).powi(2);
        norm += want * want;
    }
    let rel = (err / norm).sqrt();
    assert!(rel <= 1e-4, "advection rel-L2 {rel:.3e}");
}

#[test]
fn bad_configurations_are_typed_errors() {
    let mut cpu = CpuExecutor::new(Precision::F64);
    let tg = initial::taylor_green(64);
    for (config, field) in [
        (LesConfig::new(48, 0.01, 0.01, Stepper::Heun), "n"),
        (LesConfig::new(8, 0.01, 0.01, Stepper::Heun), "n"),
        (LesConfig::new(64, -0.01, 0.01, Stepper::Heun), "dt"),
        (LesConfig::new(64, f64::NAN, 0.01, Stepper::Heun), "dt"),
        (LesConfig::new(64, 0.01, -1.0, Stepper::Rk4), "nu"),
    ] {
        match Les::new(&mut cpu, config, &tg) {
            Err(LesError::InvalidConfig { field: f, .. }) => assert_eq!(f, field),
            other => panic!("{config:?}: {other:?}"),
        }
    }
    let config = LesConfig::new(64, 0.01, 0.01, Stepper::Rk4);
    assert!(Les::new(&mut cpu, config, &tg[1..]).is_err(), "wrong length");
}

/// A time step far beyond stability blows up, and the error names the step.
#[test]
fn blow_up_is_reported_with_its_step() {
    let (n, a, b) = (32usize, 5.0, 7.0);
    let h = 2.0 * std::f64::consts::PI / n as f64;
    let omega: Vec<f64> =
        (0..n * n).map(|i| a * ((i % n) as f64 * h).cos() + b * (2.0 * (i / n) as f64 * h).cos()).collect();
    let mut cpu = CpuExecutor::new(Precision::F64);
    let mut les = Les::new(&mut cpu, LesConfig::new(n, 5.0, 0.0, Stepper::Heun), &omega).unwrap();
    let mut result = Ok(());
    for _ in 0..200 {
        result = les.advance(&mut cpu, 1);
        if result.is_err() {
            break;
        }
    }
    match result {
        Err(LesError::BlowUp { step, .. }) => assert!(step >= 1),
        Err(e) => {
            // The executor may refuse non-finite values first; that error must say so.
            assert!(e.to_string().to_lowercase().contains("finite"), "{e}");
        }
        Ok(()) => panic!("dt = 5 did not blow up in 200 steps"),
    }
}

/// The dealiased inviscid system conserves energy and enstrophy exactly in space; what
/// remains is RK4's time error, which must shrink like dt⁴ (halving dt: ≈ 16× smaller).
/// Small grid and horizon so the debug-build CI stays fast; the N = 128,
/// 500-step run is recorded in docs/BENCHMARKS.md.
#[test]
fn inviscid_dealiased_rk4_conserves_energy_and_enstrophy_to_order_dt4() {
    let n = 32;
    let omega = initial::mcwilliams(n, 7, 4.0);
    let mean_sq = omega.iter().map(|w| w * w).sum::<f64>() / (n * n) as f64;
    assert!((mean_sq - 1.0).abs() < 1e-12, "mcwilliams normalisation: {mean_sq}");
    let mut cpu = CpuExecutor::new(Precision::F64);
    let mut drifts = Vec::new();
    // Large steps on purpose: below dt ≈ 0.05 the drift reaches a ~1e-10 floor set by the
    // f32 rounding of the step coefficients in the ops' parameter blocks (ScalarParams
    // alpha is f32 by the ABI), which breaks the RK4 order conditions at that level.
    for (dt, steps) in [(0.2, 20u64), (0.1, 40)] {
        let mut les = Les::new(&mut cpu, LesConfig::new(n, dt, 0.0, Stepper::Rk4), &omega).unwrap();
        let d0 = les.diagnostics(&mut cpu).unwrap();
        les.advance(&mut cpu, steps).unwrap();
        let d = les.diagnostics(&mut cpu).unwrap();
        let drift = ((d.energy / d0.energy - 1.0).abs(), (d.enstrophy / d0.enstrophy - 1.0).abs());
        println!("dt = {dt}: energy drift {:.3e}, enstrophy drift {:.3e} at t = {}", drift.0, drift.1, d.time);
        drifts.push(drift);
        les.free(&mut cpu).unwrap();
    }
    assert!(drifts[1].0 <= 1e-4 && drifts[1].1 <= 1e-3, "drifts {drifts:?}");
    for (coarse, fine, what) in [(drifts[0].0, drifts[1].0, "energy"), (drifts[0].1, drifts[1].1, "enstrophy")] {
        assert!(coarse / fine >= 8.0, "{what}: drift ratio {:.2} for dt halved (≈ 16 expected)", coarse / fine);
    }
}

/// Taylor–Green has u = sin x cos y, v = −cos x sin y: max |u| = 1 exactly on a grid with
/// N divisible by 4 (x = π/2, y = 0 are grid points), so CFL = dt·N/(2π).
#[test]
fn cfl_of_taylor_green_is_dt_n_over_two_pi() {
    let n = 64;
    let mut cpu = CpuExecutor::new(Precision::F64);
    let config = LesConfig::new(n, 0.01, 0.0, Stepper::Heun);
    let les = Les::new(&mut cpu, config, &initial::taylor_green(n)).unwrap();
    let cfl = les.cfl(&mut cpu).unwrap();
    let want = 0.01 * n as f64 / (2.0 * std::f64::consts::PI);
    assert!((cfl / want - 1.0).abs() < 1e-12, "CFL {cfl} vs {want}");
    if let Some(mut gpu) = dashi_gpu::gpu_or_skip("cfl_of_taylor_green_is_dt_n_over_two_pi (GPU part)") {
        let les = Les::new(&mut gpu, config, &initial::taylor_green(n)).unwrap();
        let cfl = les.cfl(&mut gpu).unwrap();
        assert!((cfl / want - 1.0).abs() < 1e-5, "GPU CFL {cfl} vs {want}");
    }
}

/// Kolmogorov forcing from rest: the field stays the single shear mode a(t)·cos(kf·y)
/// (its advection vanishes), with a' = −λa − kf, λ = ν0·kf² + μ, so
/// a(t) = −(kf/λ)(1 − e^{−λt}) exactly; RK4 at dt = 0.01 must reproduce it.
#[test]
fn kolmogorov_forcing_from_rest_follows_the_laminar_solution() {
    let (n, kf, nu, mu, dt, steps) = (32usize, 4u32, 1e-3, 0.1, 0.01, 200u64);
    let mut cpu = CpuExecutor::new(Precision::F64);
    let config = LesConfig::new(n, dt, nu, Stepper::Rk4).with_kolmogorov(kf, mu);
    let mut les = Les::new(&mut cpu, config, &vec![0.0; n * n]).unwrap();
    les.advance(&mut cpu, steps).unwrap();
    let spectrum = les.spectrum(&mut cpu).unwrap();
    let lambda = nu * f64::from(kf * kf) + mu;
    let want = -(f64::from(kf) / lambda) * (1.0 - (-lambda * les.time()).exp());
    let got = 2.0 * spectrum[2 * (kf as usize * n)] / (n * n) as f64;
    assert!((got / want - 1.0).abs() < 1e-7, "a(t) = {got} vs {want}");
    let other: f64 = spectrum
        .chunks_exact(2)
        .enumerate()
        .filter(|(m, _)| *m != kf as usize * n && *m != (n - kf as usize) * n)
        .map(|(_, c)| c[0].abs() + c[1].abs())
        .fold(0.0, f64::max);
    assert!(other < 1e-9 * (n * n) as f64, "energy outside the forced mode: {other}");
}

#[test]
fn bad_drag_and_forcing_are_typed_errors() {
    let mut cpu = CpuExecutor::new(Precision::F64);
    let zero = vec![0.0; 64 * 64];
    for (config, field) in [
        (LesConfig::new(64, 0.01, 1e-3, Stepper::Rk4).with_kolmogorov(4, -0.1), "drag"),
        (LesConfig::new(64, 0.01, 1e-3, Stepper::Rk4).with_kolmogorov(0, 0.1), "kf"),
        (LesConfig::new(64, 0.01, 1e-3, Stepper::Rk4).with_kolmogorov(22, 0.1), "kf"),
    ] {
        match Les::new(&mut cpu, config, &zero) {
            Err(LesError::InvalidConfig { field: f, .. }) => assert_eq!(f, field),
            other => panic!("{config:?}: {other:?}"),
        }
    }
}
