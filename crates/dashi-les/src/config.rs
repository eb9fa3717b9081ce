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
    /// Kolmogorov flow (docs/DESIGN.md §5): `F = −kf·cos(kf·y)`, the curl of the velocity forcing
    /// `(sin(kf·y), 0)`; `kf` in `1 ..= N/3` (inside the dealiased band).
    Kolmogorov {
        /// Forcing wavenumber.
        kf: u32,
    },
}

/// Grid, time step, viscosity, Smagorinsky constant, drag and forcing of a solve
/// (docs/DESIGN.md §5).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LesConfig {
    /// Grid size N (a power of two, 16 ..= 2048: the executor's 2D FFT reaches 4096,
    /// but the solver's element-wise ops over 2·N² values dispatch one workgroup per
    /// 256 values, and 2·4096²/256 exceeds the 65535 workgroups a dispatch may have).
    pub n: usize,
    /// Time step (finite, > 0).
    pub dt: f64,
    /// Kinematic viscosity ν₀ (finite, ≥ 0).
    pub nu: f64,
    /// Time stepper.
    pub stepper: Stepper,
    /// Smagorinsky constant Cs (finite, 0 ..= 1): eddy viscosity `ν_t = (Cs·Δ)²·|S|`,
    /// `Δ = 2π/N`; 0 is plain DNS (docs/DESIGN.md §5's default for LES runs is 0.17).
    pub cs: f64,
    /// Linear drag μ (finite, ≥ 0): the term −μ·ω.
    pub drag: f64,
    /// Body force, if any.
    pub forcing: Option<Forcing>,
}

impl LesConfig {
    /// Grid `n`, step `dt`, viscosity `nu`, `stepper`; no closure (Cs = 0), no drag, no
    /// forcing.
    pub fn new(n: usize, dt: f64, nu: f64, stepper: Stepper) -> Self {
        LesConfig { n, dt, nu, stepper, cs: 0.0, drag: 0.0, forcing: None }
    }

    /// The Smagorinsky closure with constant `cs`.
    pub fn with_smagorinsky(mut self, cs: f64) -> Self {
        self.cs = cs;
        self
    }

    /// Kolmogorov flow as in docs/DESIGN.md §5 and jax-cfd's benchmark: forcing wavenumber `kf`,
    /// drag `drag`.
    pub fn with_kolmogorov(mut self, kf: u32, drag: f64) -> Self {
        self.forcing = Some(Forcing::Kolmogorov { kf });
        self.drag = drag;
        self
    }

    /// Checks every field against its range.
    pub fn validate(&self) -> Result<(), LesError> {
        let bad = |field, value: String, rule| Err(LesError::InvalidConfig { field, value, rule });
        if !self.n.is_power_of_two() || !(16..=2048).contains(&self.n) {
            return bad("n", self.n.to_string(), "a power of two in 16..=2048");
        }
        if !(self.dt.is_finite() && self.dt > 0.0) {
            return bad("dt", self.dt.to_string(), "finite and > 0");
        }
        if !(self.nu.is_finite() && self.nu >= 0.0) {
            return bad("nu", self.nu.to_string(), "finite and >= 0");
        }
        // The viscous term is stepped explicitly: its fastest mode, ν·k_max² with k_max =
        // N/3 (the dealiased band), must lie inside the stepper's stability interval on the
        // negative real axis (Heun: 2, RK4: 2.785), or the run blows up at once.
        let k_max = (self.n / 3) as f64;
        let stiffness = self.nu * k_max * k_max * self.dt;
        let limit = match self.stepper {
            Stepper::Heun => 2.0,
            Stepper::Rk4 => 2.785,
        };
        if stiffness > limit {
            return bad(
                "nu",
                format!("{} (ν·k_max²·dt = {stiffness:.3e} with k_max = N/3 = {k_max}, dt = {})", self.nu, self.dt),
                "small enough that ν·k_max²·dt stays within the explicit stepper's stability limit \
                 (Heun 2, RK4 2.785): lower --nu or --dt",
            );
        }
        if !(self.cs.is_finite() && (0.0..=1.0).contains(&self.cs)) {
            return bad("cs", self.cs.to_string(), "finite, in 0..=1");
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
