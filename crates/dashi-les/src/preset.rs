//! The named initial conditions of docs/DESIGN.md §5 with the parameters that go with them:
//! `mcwilliams` (decaying turbulence), `taylor-green` (the exact decaying vortex) and
//! `kolmogorov` (forced flow, jax-cfd's benchmark configuration of Kochkov et al. 2021).

use crate::{LesConfig, LesError, Stepper, initial};
use std::fmt;

/// Peak wavenumber `k0` of the McWilliams spectrum used by every preset that draws
/// a random field.
pub const MCWILLIAMS_K0: f64 = 4.0;

/// Kolmogorov forcing wavenumber `kf` (docs/DESIGN.md §5).
pub const KOLMOGOROV_KF: u32 = 4;

/// Kolmogorov linear drag μ (docs/DESIGN.md §5).
pub const KOLMOGOROV_DRAG: f64 = 0.1;

/// A named initial condition and its default physics.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Preset {
    /// Random phases, `E(k) ∝ k⁴·exp(−2(k/k0)²)`, k0 = 4, mean ω² = 1
    /// ([`initial::mcwilliams`]); ν0 = 1e-4, Cs = 0.17 (the prototype's LES defaults).
    McWilliams,
    /// `ω = 2·sin x·sin y` ([`initial::taylor_green`]); ν0 = 1e-4, Cs = 0 (so the decay
    /// `exp(−2ν0t)` is exact).
    TaylorGreen,
    /// Kolmogorov flow: forcing `F = −kf·cos(kf·y)`, kf = 4, drag μ = 0.1, ν0 = 1e-3,
    /// Cs = 0, started from the seeded McWilliams field (k0 = 4).
    Kolmogorov,
}

impl Preset {
    /// Every preset.
    pub const ALL: [Preset; 3] = [Preset::McWilliams, Preset::TaylorGreen, Preset::Kolmogorov];

    /// The name used on the command line and in metadata.
    pub fn name(self) -> &'static str {
        match self {
            Preset::McWilliams => "mcwilliams",
            Preset::TaylorGreen => "taylor-green",
            Preset::Kolmogorov => "kolmogorov",
        }
    }

    /// Default viscosity ν0.
    pub fn default_nu(self) -> f64 {
        match self {
            Preset::Kolmogorov => 1e-3,
            _ => 1e-4,
        }
    }

    /// Default Smagorinsky constant Cs.
    pub fn default_cs(self) -> f64 {
        match self {
            Preset::McWilliams => 0.17,
            _ => 0.0,
        }
    }

    /// The configuration: grid `n`, step `dt`, stepper, `nu` and `cs` (the preset's
    /// defaults where `None`), plus the preset's forcing and drag. Validated.
    pub fn config(
        self,
        n: usize,
        dt: f64,
        stepper: Stepper,
        nu: Option<f64>,
        cs: Option<f64>,
    ) -> Result<LesConfig, LesError> {
        let mut config = LesConfig::new(n, dt, nu.unwrap_or(self.default_nu()), stepper)
            .with_smagorinsky(cs.unwrap_or(self.default_cs()));
        if self == Preset::Kolmogorov {
            config = config.with_kolmogorov(KOLMOGOROV_KF, KOLMOGOROV_DRAG);
        }
        config.validate()?;
        Ok(config)
    }

    /// The initial vorticity on an `n×n` grid (`seed` ignored by `taylor-green`).
    pub fn field(self, n: usize, seed: u64) -> Vec<f64> {
        match self {
            Preset::TaylorGreen => initial::taylor_green(n),
            Preset::McWilliams | Preset::Kolmogorov => initial::mcwilliams(n, seed, MCWILLIAMS_K0),
        }
    }
}

impl fmt::Display for Preset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for Preset {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Preset::ALL
            .into_iter()
            .find(|p| p.name() == s)
            .ok_or_else(|| format!("unknown initial condition {s:?} (expected mcwilliams, taylor-green or kolmogorov)"))
    }
}
