//! The LES flags shared by `dashi les` and `dashi validate`, turned into a validated
//! [`LesConfig`] and an initial field.

use crate::usage::usage;
use clap::Args;
use dashi_les::{LesConfig, Preset, Stepper};
use serde_json::{Value, json};

/// Physics and numerics of one LES run.
#[derive(Clone, Debug, Args)]
pub struct LesFlags {
    /// Grid size N (a power of two, 16..=2048).
    #[arg(long, default_value_t = 128)]
    pub n: usize,
    /// Time step.
    #[arg(long, default_value_t = 0.005)]
    pub dt: f64,
    /// Viscosity ν0 [default: 1e-4; 1e-3 for kolmogorov].
    #[arg(long)]
    pub nu: Option<f64>,
    /// Smagorinsky constant Cs, 0 = DNS [default: 0.17 for mcwilliams, else 0].
    #[arg(long)]
    pub cs: Option<f64>,
    /// Initial condition: mcwilliams, taylor-green, kolmogorov (forced, μ = 0.1, kf = 4).
    #[arg(long, default_value = "mcwilliams")]
    pub ic: String,
    /// Seed of the random initial field.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Time stepper: heun (RK2) or rk4.
    #[arg(long, default_value = "heun")]
    pub scheme: String,
    /// Dealiasing of the nonlinear term (the 2/3 rule is the only one implemented).
    #[arg(long, default_value = "2/3")]
    pub dealias: String,
}

/// A validated run: preset, configuration and its parameters as JSON.
#[derive(Clone, Debug)]
pub struct RunConfig {
    /// The initial condition.
    pub preset: Preset,
    /// The solver configuration.
    pub config: LesConfig,
    /// The seed.
    pub seed: u64,
}

impl LesFlags {
    /// Checks every flag (bad usage names the flag) and builds the configuration.
    pub fn resolve(&self) -> anyhow::Result<RunConfig> {
        let preset: Preset = match self.ic.parse() {
            Ok(p) => p,
            Err(e) => return usage(format!("--ic: {e}")),
        };
        let stepper = match self.scheme.as_str() {
            "heun" => Stepper::Heun,
            "rk4" => Stepper::Rk4,
            other => return usage(format!("--scheme {other:?}: expected heun or rk4")),
        };
        if self.dealias != "2/3" {
            return usage(format!("--dealias {:?}: only the 2/3 rule (\"2/3\") is implemented", self.dealias));
        }
        match preset.config(self.n, self.dt, stepper, self.nu, self.cs) {
            Ok(config) => Ok(RunConfig { preset, config, seed: self.seed }),
            Err(dashi_les::LesError::InvalidConfig { field, value, rule }) => {
                usage(format!("--{field} {value}: must be {rule}"))
            }
            Err(e) => Err(e.into()),
        }
    }
}

impl RunConfig {
    /// The initial vorticity.
    pub fn field(&self) -> Vec<f64> {
        self.preset.field(self.config.n, self.seed)
    }

    /// Every parameter, for metadata and metrics.
    pub fn parameters(&self) -> Value {
        let c = &self.config;
        json!({
            "n": c.n,
            "dt": c.dt,
            "nu": c.nu,
            "cs": c.cs,
            "ic": self.preset.name(),
            "seed": self.seed,
            "k0": dashi_les::MCWILLIAMS_K0,
            "scheme": match c.stepper { Stepper::Heun => "heun", Stepper::Rk4 => "rk4" },
            "dealias": "2/3",
            "drag": c.drag,
            "forcing": match c.forcing {
                Some(dashi_les::Forcing::Kolmogorov { kf }) => json!({ "kind": "kolmogorov", "kf": kf }),
                None => Value::Null,
            },
        })
    }
}
