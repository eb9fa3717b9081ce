//! Solver configuration and its validation.

use crate::LesError;

/// The explicit time stepper.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stepper {
    /// Heun's method (explicit trapezoid, RK2): two right-hand sides per step.
    Heun,
    /// The classical fourth-order Runge–Kutta method: four right-hand sides per step.
    Rk4,
}

/// A steady body force on the vorticity equation.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Forcing {
    /// Kolmogorov flow (SPEC §5): `F = −kf·cos(kf·y)`, the curl of the velocity forcing
    /// `(sin(kf·y), 0)`; `kf` in `1 ..= N/3` (inside the dealiased band).
    Kolmogorov {
        /// Forcing wavenumber.
        kf: u32,
    },
}

/// Grid, time step, viscosity, drag and forcing of a solve (SPEC §5; the Smagorinsky
/// closure is not implemented yet).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LesConfig {
    /// Grid size N (a power of two, 16 ..= 4096: the range of the executor's 2D FFT).
    pub n: usize,
    /// Time step (finite, > 0).
    pub dt: f64,
    /// Kinematic viscosity ν₀ (finite, ≥ 0).
    pub nu: f64,
    /// Time stepper.
    pub stepper: Stepper,
    /// Linear drag μ (finite, ≥ 0): the term −μ·ω.
    pub drag: f64,
    /// Body force, if any.
    pub forcing: Option<Forcing>,
}

impl LesConfig {
    /// Grid `n`, step `dt`, viscosity `nu`, `stepper`; no drag, no forcing.
    pub fn new(n: usize, dt: f64, nu: f64, stepper: Stepper) -> Self {
        LesConfig { n, dt, nu, stepper, drag: 0.0, forcing: None }
    }

    /// Kolmogorov flow as in SPEC §5 and jax-cfd's benchmark: forcing wavenumber `kf`,
    /// drag `drag`.
    pub fn with_kolmogorov(mut self, kf: u32, drag: f64) -> Self {
        self.forcing = Some(Forcing::Kolmogorov { kf });
        self.drag = drag;
        self
    }

    /// Checks every field against its range.
    pub fn validate(&self) -> Result<(), LesError> {
        let bad = |field, value: String, rule| Err(LesError::InvalidConfig { field, value, rule });
        if !self.n.is_power_of_two() || !(16..=4096).contains(&self.n) {
            return bad("n", self.n.to_string(), "a power of two in 16..=4096");
        }
        if !(self.dt.is_finite() && self.dt > 0.0) {
            return bad("dt", self.dt.to_string(), "finite and > 0");
        }
        if !(self.nu.is_finite() && self.nu >= 0.0) {
            return bad("nu", self.nu.to_string(), "finite and >= 0");
        }
        if !(self.drag.is_finite() && self.drag >= 0.0) {
            return bad("drag", self.drag.to_string(), "finite and >= 0");
        }
        if let Some(Forcing::Kolmogorov { kf }) = self.forcing
            && (kf == 0 || 3 * kf as usize > self.n)
        {
            return bad("kf", kf.to_string(), "in 1..=n/3 (inside the dealiased band)");
        }
        Ok(())
    }
}
