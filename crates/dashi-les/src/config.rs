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

/// Grid, time step and viscosity of a solve (SPEC §5; Smagorinsky closure, forcing and
/// drag are not implemented yet).
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
}

impl LesConfig {
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
        Ok(())
    }
}
