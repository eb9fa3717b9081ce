//! The solver: state, right-hand side and steppers as KernelOp sequences.

use crate::ops::{
    NonlinearBuffers, NonlinearParams, RhsBuffers, VORTICITY_FIELDS, VORTICITY_NONLINEAR, VORTICITY_RHS,
    VorticityFieldParams, VorticityRhsParams,
};
use crate::{Forcing, LesConfig, LesError, Stepper};
use dashi_core::ops::{
    AXPY, BufferId, COPY, ElemType, Executor, Fft2Program, LenParams, REDUCE_MAX_ABS, REDUCE_SUM_SQ, ScalarParams,
};
use dashi_core::spectral::{Complex, Layout, SpectralGrid, shell_spectrum, shell_spectrum_from_vorticity};

/// The per-stride diagnostics of docs/DESIGN.md §5 (conventions docs/DESIGN.md §4, `⟨·⟩` the box mean):
///
/// ```text
/// energy        E = ½⟨u² + v²⟩ = Σ_{k≠0} |ω̂|²/|k|² / (2N⁴)
/// enstrophy     Z = ½⟨ω²⟩      = Σ_k |ω̂|² / (2N⁴)
/// palinstrophy  P = ½⟨|∇ω|²⟩   = Σ_k |k|²|ω̂|² / (2N⁴)
/// max_abs_omega = max |ω(x)| over the grid
/// cfl           = dt · max(|u|, |v|) / Δx,  Δx = 2π/N
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Diagnostics {
    /// Steps taken.
    pub step: u64,
    /// Simulated time.
    pub time: f64,
    /// Kinetic energy per unit area, `½⟨u² + v²⟩`.
    pub energy: f64,
    /// Enstrophy, `½⟨ω²⟩`.
    pub enstrophy: f64,
    /// Palinstrophy, `½⟨|∇ω|²⟩`.
    pub palinstrophy: f64,
    /// Largest |ω| on the grid.
    pub max_abs_omega: f64,
    /// CFL number `dt·max(|u|, |v|)/Δx`.
    pub cfl: f64,
}

/// Energy, enstrophy and palinstrophy of a full-layout `n×n` vorticity spectrum
/// (interleaved `(re, im)`): the totals of [`shell_spectrum`] (enstrophy, component ω̂)
/// and [`shell_spectrum_from_vorticity`] (energy), so both follow docs/DESIGN.md §4's
/// normalisation; palinstrophy weights each mode by `|k|²`.
pub fn spectral_totals(spectrum: &[f64], n: usize) -> (f64, f64, f64) {
    let grid = SpectralGrid::new(n).expect("a validated grid size");
    let omega: Vec<Complex<f64>> = spectrum.chunks_exact(2).map(|c| Complex::new(c[0], c[1])).collect();
    let total = |shells: Vec<f64>| shells.iter().sum::<f64>();
    let enstrophy = total(shell_spectrum(grid, Layout::Full, &[&omega]).expect("an n×n spectrum"));
    let energy = total(shell_spectrum_from_vorticity(grid, Layout::Full, &omega).expect("an n×n spectrum"));
    let palinstrophy = omega
        .iter()
        .enumerate()
        .map(|(i, w)| grid.k2_at(Layout::Full, i / n, i % n) as f64 * w.norm_sqr())
        .sum::<f64>()
        / (2.0 * (n as f64).powi(4));
    (energy, enstrophy, palinstrophy)
}

/// One stride's output: the vorticity field, its shell spectrum and the diagnostics.
#[derive(Clone, Debug, PartialEq)]
pub struct Snapshot {
    /// ω on the grid, row-major `[iy][ix]`, `n²` values.
    pub omega: Vec<f64>,
    /// Shell-averaged energy spectrum `E(k)`, shells `k = 0, 1, …` (`round(|k|)`;
    /// [`shell_spectrum_from_vorticity`]), summing to the energy.
    pub energy_spectrum: Vec<f64>,
    /// Scalars of this moment.
    pub diagnostics: Diagnostics,
}

/// Device-resident buffers of one solve.
#[derive(Debug)]
struct Buffers {
    /// The state ω̂.
    omega: BufferId,
    /// Stage state ω̂ + c·dt·k.
    stage: BufferId,
    /// Stage right-hand sides k₁ … k₄ (two used by Heun).
    k: [BufferId; 4],
    /// Packed `u + i·v` (spectral, then real space).
    velocity: BufferId,
    /// Packed `∂xω + i·∂yω`.
    gradient: BufferId,
    /// Packed `S11 + i·S12` (Smagorinsky only; also scratch for ω in real space).
    strain: BufferId,
    /// `∇²ω` (Smagorinsky only).
    laplacian: BufferId,
    /// The real-space nonlinear term, then its spectrum.
    nonlinear: BufferId,
    zeros: BufferId,
    /// F̂ (zero without forcing).
    forcing: BufferId,
    /// One-value outputs of on-device reductions (so only single numbers are read back).
    reduced: [BufferId; 2],
}

/// A 2D incompressible vorticity solve with the Smagorinsky closure (docs/DESIGN.md §5)
///
/// ```text
/// ∂ω/∂t = −(u·∂xω + v·∂yω) + ν₀∇²ω + ν_t·∇²ω + F − μω,   ∇²ψ = −ω,  u = ∂ψ/∂y,  v = −∂ψ/∂x
/// ν_t = (Cs·Δ)²·|S|,  |S| = sqrt(2(S11² + S22² + 2·S12²)),  Δ = 2π/N
/// ```
///
/// pseudo-spectral on the periodic box [0, 2π)²: the state is the full-layout spectrum
/// ω̂ (docs/DESIGN.md §4). Per right-hand side (every step a KernelOp, so the same sequence runs
/// on the CPU in f64 and on the GPU in f32):
///
/// 1. `vorticity_fields`: the packed spectra `û + i·v̂` and `(∂xω)^ + i·(∂yω)^` (and with
///    Cs > 0, `Ŝ11 + i·Ŝ12` and `(∇²ω)^`) — two real fields per complex field;
/// 2. inverse 2D FFTs of those (2, or 4 with Cs > 0);
/// 3. `vorticity_nonlinear`: `−(u·∂xω + v·∂yω) + ν_t·∇²ω` in real space;
/// 4. one forward 2D FFT;
/// 5. `vorticity_rhs`: the 2/3 dealias mask on the transformed nonlinear term, plus
///    `−(ν₀|k|² + μ)·ω̂ + F̂`.
///
/// So 3 complex 2D FFTs per right-hand side without the closure, 5 with it.
#[derive(Debug)]
pub struct Les {
    config: LesConfig,
    fft: Fft2Program,
    buffers: Buffers,
    len: usize,
    step: u64,
}

impl Les {
    /// Allocates the solve on `exec` with the vorticity field `omega` (row-major
    /// `[iy][ix]`, `n²` values) as the initial condition; ω̂ is dealiased once.
    pub fn new<E: Executor + ?Sized>(exec: &mut E, config: LesConfig, omega: &[f64]) -> Result<Self, LesError> {
        config.validate()?;
        let n = config.n;
        if omega.len() != n * n || omega.iter().any(|v| !v.is_finite()) {
            return Err(LesError::InvalidConfig {
                field: "initial vorticity",
                value: format!("{} values", omega.len()),
                rule: "n² finite values",
            });
        }
        let len = 2 * n * n;
        let mut alloc = || exec.alloc(ElemType::Real, len);
        let buffers = Buffers {
            omega: alloc()?,
            stage: alloc()?,
            k: [alloc()?, alloc()?, alloc()?, alloc()?],
            velocity: alloc()?,
            gradient: alloc()?,
            strain: alloc()?,
            laplacian: alloc()?,
            nonlinear: alloc()?,
            zeros: alloc()?,
            forcing: alloc()?,
            reduced: [exec.alloc(ElemType::Real, 1)?, exec.alloc(ElemType::Real, 1)?],
        };
        exec.upload_real(buffers.zeros, &vec![0.0; len])?;
        exec.upload_real(buffers.forcing, &forcing_spectrum(&config))?;
        let complex: Vec<f64> = omega.iter().flat_map(|&w| [w, 0.0]).collect();
        exec.upload_real(buffers.stage, &complex)?;
        let fft = Fft2Program::new(exec, n, 1)?;
        let les = Les { config, fft, buffers, len, step: 0 };
        // ω̂ = D(k)·FFT(ω): the rhs op with ν = μ = 0, no forcing and ω̂ = 0 is exactly
        // the dealias mask applied to its `nonlinear` input.
        let b = &les.buffers;
        les.fft.forward(exec, b.stage, b.stage)?;
        let p = VorticityRhsParams::new(n as u32, 0.0, 0.0);
        VORTICITY_RHS.run(
            exec,
            RhsBuffers { omega: b.zeros, nonlinear: b.stage, forcing: b.zeros, out: b.omega },
            &p,
        )?;
        exec.flush()?;
        Ok(les)
    }

    /// The configuration.
    pub fn config(&self) -> &LesConfig {
        &self.config
    }

    /// Steps taken.
    pub fn steps(&self) -> u64 {
        self.step
    }

    /// Simulated time `steps · dt`.
    pub fn time(&self) -> f64 {
        self.step as f64 * self.config.dt
    }

    /// Complex 2D FFTs per right-hand side: 3, or 5 with the Smagorinsky closure.
    pub fn ffts_per_rhs(&self) -> usize {
        if self.config.cs > 0.0 { 5 } else { 3 }
    }

    /// Complex 2D FFTs per time step (right-hand sides × [`Les::ffts_per_rhs`]).
    pub fn ffts_per_step(&self) -> usize {
        let stages = match self.config.stepper {
            Stepper::Heun => 2,
            Stepper::Rk4 => 4,
        };
        stages * self.ffts_per_rhs()
    }

    fn len_params(&self) -> LenParams {
        LenParams::new(self.len as u32)
    }

    fn copy<E: Executor + ?Sized>(&self, exec: &mut E, src: BufferId, dst: BufferId) -> Result<(), LesError> {
        Ok(COPY.run(exec, [src, dst], &self.len_params())?)
    }

    /// `y ← y + alpha·x`.
    fn axpy<E: Executor + ?Sized>(&self, exec: &mut E, alpha: f64, x: BufferId, y: BufferId) -> Result<(), LesError> {
        Ok(AXPY.run(exec, [x, y], &ScalarParams::new(self.len as u32, alpha as f32))?)
    }

    /// `out = f_kind(k)·ω̂` (`vorticity_fields`).
    fn field<E: Executor + ?Sized>(
        &self,
        exec: &mut E,
        src: BufferId,
        kind: u32,
        out: BufferId,
    ) -> Result<(), LesError> {
        Ok(VORTICITY_FIELDS.run(exec, [src, out], &VorticityFieldParams::new(self.config.n as u32, kind))?)
    }

    /// `dst = D(k)·(−u·∇ω + ν_t∇²ω)^ − (ν₀|k|² + μ)·ω̂ + F̂` for the spectrum in `src`.
    fn rhs<E: Executor + ?Sized>(&self, exec: &mut E, src: BufferId, dst: BufferId) -> Result<(), LesError> {
        let b = &self.buffers;
        let n = self.config.n as u32;
        let smagorinsky = self.config.cs > 0.0;
        let kinds = [
            (VorticityFieldParams::VELOCITY, b.velocity),
            (VorticityFieldParams::GRADIENT, b.gradient),
            (VorticityFieldParams::STRAIN, b.strain),
            (VorticityFieldParams::LAPLACIAN, b.laplacian),
        ];
        let used = if smagorinsky { &kinds[..] } else { &kinds[..2] };
        for &(kind, field) in used {
            self.field(exec, src, kind, field)?;
        }
        for &(_, field) in used {
            self.fft.inverse(exec, field, field)?;
        }
        let (p, strain, laplacian) = if smagorinsky {
            let delta = 2.0 * std::f64::consts::PI / self.config.n as f64;
            (NonlinearParams::smagorinsky(n, (self.config.cs * delta).powi(2)), b.strain, b.laplacian)
        } else {
            // Not read without the closure; any buffers of the right length will do.
            (NonlinearParams::advection(n), b.velocity, b.gradient)
        };
        let buffers =
            NonlinearBuffers { velocity: b.velocity, gradient: b.gradient, strain, laplacian, out: b.nonlinear };
        VORTICITY_NONLINEAR.run(exec, buffers, &p)?;
        self.fft.forward(exec, b.nonlinear, b.nonlinear)?;
        let p = VorticityRhsParams::new(n, self.config.nu, self.config.drag);
        VORTICITY_RHS.run(exec, RhsBuffers { omega: src, nonlinear: b.nonlinear, forcing: b.forcing, out: dst }, &p)?;
        Ok(())
    }

    /// Advances `steps` steps (all recorded on the executor; one flush at the end).
    /// Fails with [`LesError::BlowUp`] if the state is non-finite afterwards.
    pub fn advance<E: Executor + ?Sized>(&mut self, exec: &mut E, steps: u64) -> Result<(), LesError> {
        let b = &self.buffers;
        let dt = self.config.dt;
        for _ in 0..steps {
            match self.config.stepper {
                Stepper::Heun => {
                    self.rhs(exec, b.omega, b.k[0])?;
                    self.copy(exec, b.omega, b.stage)?;
                    self.axpy(exec, dt, b.k[0], b.stage)?;
                    self.rhs(exec, b.stage, b.k[1])?;
                    self.axpy(exec, 0.5 * dt, b.k[0], b.omega)?;
                    self.axpy(exec, 0.5 * dt, b.k[1], b.omega)?;
                }
                Stepper::Rk4 => {
                    self.rhs(exec, b.omega, b.k[0])?;
                    for (stage, c) in [(1usize, 0.5), (2, 0.5), (3, 1.0)] {
                        self.copy(exec, b.omega, b.stage)?;
                        self.axpy(exec, c * dt, b.k[stage - 1], b.stage)?;
                        self.rhs(exec, b.stage, b.k[stage])?;
                    }
                    for (stage, w) in [(0usize, 1.0), (1, 2.0), (2, 2.0), (3, 1.0)] {
                        self.axpy(exec, w * dt / 6.0, b.k[stage], b.omega)?;
                    }
                }
            }
            self.step += 1;
        }
        // Blow-up check on the device: Σ|ω̂|² reduced to one number (enstrophy·2N⁴).
        REDUCE_SUM_SQ.run(exec, [b.omega, b.reduced[0]], &self.len_params())?;
        let power = exec.download_real(b.reduced[0])?[0];
        if !power.is_finite() {
            let enstrophy = power / (2.0 * (self.config.n as f64).powi(4));
            return Err(LesError::BlowUp { step: self.step, time: self.time(), enstrophy });
        }
        Ok(())
    }

    /// The CFL number `dt · max(|u|, |v|) / Δx`, `Δx = 2π/N`, of the current state:
    /// the packed `u + i·v` is transformed back and reduced on the executor
    /// (`reduce_max_abs` over both parts); one number leaves it. Reported, not
    /// enforced: an unstable run is caught by the blow-up check of [`Les::advance`].
    pub fn cfl<E: Executor + ?Sized>(&self, exec: &mut E) -> Result<f64, LesError> {
        let b = &self.buffers;
        self.field(exec, b.omega, VorticityFieldParams::VELOCITY, b.velocity)?;
        self.fft.inverse(exec, b.velocity, b.velocity)?;
        let max_velocity = self.max_abs(exec, b.velocity)?;
        let dx = 2.0 * std::f64::consts::PI / self.config.n as f64;
        Ok(self.config.dt * max_velocity / dx)
    }

    fn max_abs<E: Executor + ?Sized>(&self, exec: &mut E, x: BufferId) -> Result<f64, LesError> {
        REDUCE_MAX_ABS.run(exec, [x, self.buffers.reduced[0]], &self.len_params())?;
        Ok(exec.download_real(self.buffers.reduced[0])?[0])
    }

    /// The vorticity spectrum ω̂ (full layout, interleaved).
    pub fn spectrum<E: Executor + ?Sized>(&self, exec: &mut E) -> Result<Vec<f64>, LesError> {
        Ok(exec.download_real(self.buffers.omega)?)
    }

    /// ω on the grid (row-major `[iy][ix]`): inverse FFT on the executor, real parts.
    pub fn vorticity<E: Executor + ?Sized>(&self, exec: &mut E) -> Result<Vec<f64>, LesError> {
        let b = &self.buffers;
        self.fft.inverse(exec, b.omega, b.strain)?;
        Ok(exec.download_real(b.strain)?.chunks_exact(2).map(|c| c[0]).collect())
    }

    /// Every diagnostic of docs/DESIGN.md §5 now ([`Diagnostics`]): energy, enstrophy and
    /// palinstrophy in f64 on the host from ω̂; max|ω| and the CFL number reduced on
    /// the executor.
    pub fn diagnostics<E: Executor + ?Sized>(&self, exec: &mut E) -> Result<Diagnostics, LesError> {
        let spectrum = self.spectrum(exec)?;
        self.fft.inverse(exec, self.buffers.omega, self.buffers.strain)?;
        let max_abs_omega = self.max_abs(exec, self.buffers.strain)?;
        Ok(self.diagnostics_of(&spectrum, max_abs_omega, self.cfl(exec)?))
    }

    /// [`Diagnostics`] of the current step from ω̂ (energy, enstrophy, palinstrophy on
    /// the host) and the two numbers measured on the grid.
    fn diagnostics_of(&self, spectrum: &[f64], max_abs_omega: f64, cfl: f64) -> Diagnostics {
        let (energy, enstrophy, palinstrophy) = spectral_totals(spectrum, self.config.n);
        Diagnostics { step: self.step, time: self.time(), energy, enstrophy, palinstrophy, max_abs_omega, cfl }
    }

    /// The field, its energy spectrum and the diagnostics — what a truth file stores
    /// per stride.
    pub fn snapshot<E: Executor + ?Sized>(&self, exec: &mut E) -> Result<Snapshot, LesError> {
        let spectrum = self.spectrum(exec)?;
        let grid = SpectralGrid::new(self.config.n).expect("a validated grid size");
        let omega_hat: Vec<Complex<f64>> = spectrum.chunks_exact(2).map(|c| Complex::new(c[0], c[1])).collect();
        let energy_spectrum = shell_spectrum_from_vorticity(grid, Layout::Full, &omega_hat).expect("an n×n spectrum");
        let omega = self.vorticity(exec)?;
        let max_abs_omega = omega.iter().fold(0.0f64, |m, w| m.max(w.abs()));
        let diagnostics = self.diagnostics_of(&spectrum, max_abs_omega, self.cfl(exec)?);
        Ok(Snapshot { omega, energy_spectrum, diagnostics })
    }

    /// Releases every buffer.
    pub fn free<E: Executor + ?Sized>(self, exec: &mut E) -> Result<(), LesError> {
        let b = self.buffers;
        for id in [b.omega, b.stage, b.velocity, b.gradient, b.strain, b.laplacian, b.nonlinear, b.zeros, b.forcing]
            .into_iter()
            .chain(b.k)
            .chain(b.reduced)
        {
            exec.free(id)?;
        }
        Ok(self.fft.free(exec)?)
    }
}

/// F̂ of the configured forcing, full layout, interleaved (zeros without forcing).
/// Kolmogorov: `F = −kf·cos(kf·y)` has `F̂ = −kf·N²/2` at `(kx, ky) = (0, ±kf)`.
fn forcing_spectrum(config: &LesConfig) -> Vec<f64> {
    let n = config.n;
    let mut f = vec![0.0; 2 * n * n];
    if let Some(Forcing::Kolmogorov { kf }) = config.forcing {
        let value = -(kf as f64) * (n * n) as f64 / 2.0;
        for ky in [kf as usize, n - kf as usize] {
            f[2 * (ky * n)] = value;
        }
    }
    f
}
