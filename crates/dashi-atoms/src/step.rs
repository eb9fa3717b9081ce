//! The v5 step `S_{t+Δt} = F(S_t)`:
//!
//! ```text
//! 1. transport   every vertex by dx/dt = u(x) (all atoms + background), RK2 (Heun) or RK4;
//!                sources move with the stage positions; positions wrapped at the end
//! 2. viscosity   core spreading ε² ← ε² + 4νΔt (Gaussian blobs diffuse exactly so in
//!                free space; Γ untouched), capped at MAX_CORE
//! 3. channels    identity (ξ carried; no channel dynamics yet)
//! 4. Π_MDL       prune / split / merge / budget (crate::mdl)
//! ```
//!
//! The background is frozen (see [`crate::state`]). Cost per step: 2 (RK2) or 4 (RK4)
//! velocity evaluations of O(V²) each, plus Π_MDL.

use crate::atom::{Atom, MAX_CORE, canonical_sort};
use crate::error::AtomError;
use crate::geometry::wrap_point;
use crate::ledger::Ledger;
use crate::mdl::{MdlConfig, Trace, normal_form_traced};
use crate::state::AtomState;
use crate::velocity::{Sources, velocities_at};

/// Time integrator for vertex transport.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Scheme {
    /// Heun's method (2nd order, 2 velocity evaluations).
    Rk2,
    /// Classic Runge–Kutta (4th order, 4 velocity evaluations).
    #[default]
    Rk4,
}

/// Step parameters.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct StepConfig {
    /// Time step Δt (> 0).
    pub dt: f64,
    /// Integrator.
    pub scheme: Scheme,
    /// Kinematic viscosity ν ≥ 0 for core spreading (0: inviscid).
    pub viscosity: f64,
    /// Π_MDL parameters (`MdlConfig::default()`: no prune / split / merge / budget).
    pub mdl: MdlConfig,
}

impl StepConfig {
    /// Inviscid RK4 transport with Π_MDL disabled.
    pub fn transport_only(dt: f64) -> StepConfig {
        StepConfig { dt, scheme: Scheme::Rk4, viscosity: 0.0, mdl: MdlConfig::default() }
    }

    fn validate(&self) -> Result<(), AtomError> {
        if !(self.dt.is_finite() && self.dt > 0.0) {
            return Err(AtomError::config("dt", self.dt, "finite and > 0"));
        }
        if !(self.viscosity.is_finite() && self.viscosity >= 0.0) {
            return Err(AtomError::config("viscosity", self.viscosity, "finite and ≥ 0"));
        }
        self.mdl.validate()
    }
}

/// What one step did to the audited quantities.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct StepReport {
    /// (ΣΓ, ΣσΓ) before the step.
    pub before: (f64, f64),
    /// (ΣΓ, ΣσΓ) after the step.
    pub after: (f64, f64),
    /// Per-stage attribution of the change (viscosity entry included).
    pub ledger: Ledger,
}

/// Advances the vertices by one step of the chosen scheme (no viscosity, no Π).
/// The output atoms are in canonical order.
pub fn transport(state: &AtomState, dt: f64, scheme: Scheme) -> Result<AtomState, AtomError> {
    transport_at(state, dt, scheme, 0)
}

fn transport_at(state: &AtomState, dt: f64, scheme: Scheme, step: usize) -> Result<AtomState, AtomError> {
    let mut moved = transport_in_order(state, dt, scheme, step)?;
    canonical_sort(&mut moved.atoms);
    Ok(moved)
}

/// Transport with the identity kept: output atom k is input atom k of the canonically
/// sorted input, moved (not re-sorted).
fn transport_in_order(state: &AtomState, dt: f64, scheme: Scheme, step: usize) -> Result<AtomState, AtomError> {
    if !(dt.is_finite() && dt > 0.0) {
        return Err(AtomError::config("dt", dt, "finite and > 0"));
    }
    let mut atoms = state.atoms.clone();
    canonical_sort(&mut atoms);
    let ordered = AtomState { atoms, background: state.background.clone() };
    let sources = Sources::of(&ordered);
    let x0 = &sources.pos;
    let vel = |p: &[[f64; 2]]| velocities_at(&sources, p, &ordered.background, p);
    let shifted = |k: &[[f64; 2]], h: f64| -> Vec<[f64; 2]> {
        x0.iter().zip(k).map(|(x, v)| [x[0] + h * v[0], x[1] + h * v[1]]).collect()
    };
    let end: Vec<[f64; 2]> = match scheme {
        Scheme::Rk2 => {
            let k1 = vel(x0);
            let k2 = vel(&shifted(&k1, dt));
            x0.iter()
                .zip(k1.iter().zip(&k2))
                .map(|(x, (a, b))| [x[0] + 0.5 * dt * (a[0] + b[0]), x[1] + 0.5 * dt * (a[1] + b[1])])
                .collect()
        }
        Scheme::Rk4 => {
            let k1 = vel(x0);
            let k2 = vel(&shifted(&k1, 0.5 * dt));
            let k3 = vel(&shifted(&k2, 0.5 * dt));
            let k4 = vel(&shifted(&k3, dt));
            (0..x0.len())
                .map(|i| {
                    let f = |c: usize| x0[i][c] + dt / 6.0 * (k1[i][c] + 2.0 * k2[i][c] + 2.0 * k3[i][c] + k4[i][c]);
                    [f(0), f(1)]
                })
                .collect()
        }
    };
    let mut atoms = ordered.atoms;
    let mut next = end.into_iter();
    for (index, atom) in atoms.iter_mut().enumerate() {
        for v in atom.vertices_mut() {
            let p = next.next().unwrap_or([f64::NAN, f64::NAN]);
            if !(p[0].is_finite() && p[1].is_finite()) {
                return Err(AtomError::NonFiniteState { step, atom: index });
            }
            *v = wrap_point(p);
        }
        atom.canonicalise_direction();
    }
    Ok(AtomState { atoms, background: ordered.background })
}

/// One full step (transport → viscosity → channels → Π_MDL) with its conservation report.
pub fn step(state: &AtomState, config: &StepConfig) -> Result<(AtomState, StepReport), AtomError> {
    step_at(state, config, 0)
}

/// [`step`] with the provenance of its Π_MDL: trace input node k is atom k of the
/// canonically sorted input state after transport and core spreading (transport keeps
/// identity exactly), and `trace.outputs[j]` is the node of output atom j.
pub fn step_traced(state: &AtomState, config: &StepConfig) -> Result<(AtomState, StepReport, Trace), AtomError> {
    step_traced_at(state, config, 0)
}

fn step_at(state: &AtomState, config: &StepConfig, index: usize) -> Result<(AtomState, StepReport), AtomError> {
    step_traced_at(state, config, index).map(|(s, r, _)| (s, r))
}

pub(crate) fn step_traced_at(
    state: &AtomState,
    config: &StepConfig,
    index: usize,
) -> Result<(AtomState, StepReport, Trace), AtomError> {
    config.validate()?;
    let mut sorted = state.atoms.clone();
    canonical_sort(&mut sorted);
    let before = crate::atom::totals(&sorted);
    let moved = transport_in_order(state, config.dt, config.scheme, index)?;
    let mut atoms: Vec<Atom> = moved.atoms;
    if config.viscosity > 0.0 {
        for a in &mut atoms {
            let core = (a.core() * a.core() + 4.0 * config.viscosity * config.dt).sqrt().min(MAX_CORE);
            a.set_core(core);
        }
    }
    let (atoms, ledger, trace) = normal_form_traced(atoms, &config.mdl)?;
    let after = crate::atom::totals(&atoms);
    Ok((AtomState { atoms, background: moved.background }, StepReport { before, after, ledger }, trace))
}

/// `steps` steps; one report per step. Errors name the failing step.
pub fn run(state: &AtomState, config: &StepConfig, steps: usize) -> Result<(AtomState, Vec<StepReport>), AtomError> {
    let mut current = state.clone();
    let mut reports = Vec::with_capacity(steps);
    for i in 0..steps {
        let (next, report) = step_at(&current, config, i)?;
        reports.push(report);
        current = next;
    }
    Ok((current, reports))
}
