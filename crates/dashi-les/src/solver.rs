//! The solver: state, right-hand side and steppers as KernelOp sequences.

use crate::{Forcing, LesConfig, LesError, Stepper};
use dashi_core::ops::{
    ADD, AXPY, BufferId, ElemType, Executor, Fft2Program, LenParams, MUL, REDUCE_MAX_ABS, REDUCE_SUM_SQ, SCALE,
    SPECTRAL_MUL, ScalarParams, SpectralMulParams,
};
use dashi_core::spectral::{Complex, Layout, SpectralGrid, shell_spectrum, shell_spectrum_from_vorticity};

/// Energy and enstrophy of a vorticity spectrum (SPEC §4 conventions):
/// `Z = ½⟨ω²⟩ = Σ_k |ω̂|² / (2N⁴)`, `E = ½⟨u² + v²⟩ = Σ_{k≠0} |ω̂|²/|k|² / (2N⁴)`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Diagnostics {
    /// Simulated time.
    pub time: f64,
    /// Kinetic energy per unit area, `½⟨u² + v²⟩`.
    pub energy: f64,
    /// Enstrophy, `½⟨ω²⟩`.
    pub enstrophy: f64,
}

/// Diagnostics of a full-layout `n×n` vorticity spectrum (interleaved `(re, im)`): the
/// totals of [`shell_spectrum`] (enstrophy, component ω̂) and
/// [`shell_spectrum_from_vorticity`] (energy), so both follow SPEC §4's normalisation.
pub fn diagnostics(spectrum: &[f64], n: usize, time: f64) -> Diagnostics {
    let grid = SpectralGrid::new(n).expect("a validated grid size");
    let omega: Vec<Complex<f64>> = spectrum.chunks_exact(2).map(|c| Complex::new(c[0], c[1])).collect();
    let total = |shells: Vec<f64>| shells.iter().sum::<f64>();
    let enstrophy = total(shell_spectrum(grid, Layout::Full, &[&omega]).expect("an n×n spectrum"));
    let energy = total(shell_spectrum_from_vorticity(grid, Layout::Full, &omega).expect("an n×n spectrum"));
    Diagnostics { time, energy, enstrophy }
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
    psi: BufferId,
    u: BufferId,
    v: BufferId,
    wx: BufferId,
    wy: BufferId,
    nonlinear: BufferId,
    zeros: BufferId,
    /// F̂ (zero without forcing).
    forcing: BufferId,
    /// One-value outputs of on-device reductions (so only single numbers are read back).
    reduced: [BufferId; 2],
}

/// A 2D incompressible vorticity solve
///
/// ```text
/// ∂ω/∂t + u·∇ω = ν₀ ∇²ω,     u = (∂ψ/∂y, −∂ψ/∂x),  ∇²ψ = −ω,
/// ```
///
/// pseudo-spectral on the periodic box [0, 2π)²: the state is the full-layout spectrum
/// ω̂ (SPEC §4), the advection term is formed in real space from û = i ky ψ̂,
/// v̂ = −i kx ψ̂, ∂xω̂ = i kx ω̂, ∂yω̂ = i ky ω̂ and dealiased by the 2/3 rule, and the
/// viscous term is −ν₀|k|²ω̂. Every operation is a KernelOp on the executor, so the same
/// sequence runs on the CPU (f64 reference) and the GPU (f32). Per right-hand side:
/// 5 complex 2D FFTs (4 inverse, 1 forward).
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
            psi: alloc()?,
            u: alloc()?,
            v: alloc()?,
            wx: alloc()?,
            wy: alloc()?,
            nonlinear: alloc()?,
            zeros: alloc()?,
            forcing: alloc()?,
            reduced: [exec.alloc(ElemType::Real, 1)?, exec.alloc(ElemType::Real, 1)?],
        };
        exec.upload_real(buffers.zeros, &vec![0.0; len])?;
        exec.upload_real(buffers.forcing, &forcing_spectrum(&config))?;
        let complex: Vec<f64> = omega.iter().flat_map(|&w| [w, 0.0]).collect();
        exec.upload_real(buffers.omega, &complex)?;
        let fft = Fft2Program::new(exec, n, 1)?;
        let les = Les { config, fft, buffers, len, step: 0 };
        fft_forward(exec, &les, les.buffers.omega)?;
        les.spectral(exec, les.buffers.omega, SpectralMulParams::DEALIAS)?;
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

    fn len_params(&self) -> LenParams {
        LenParams::new(self.len as u32)
    }

    fn copy<E: Executor + ?Sized>(&self, exec: &mut E, src: BufferId, dst: BufferId) -> Result<(), LesError> {
        let p = self.len_params();
        Ok(exec.enqueue(&ADD, &[src, self.buffers.zeros, dst], bytemuck::bytes_of(&p))?)
    }

    fn spectral<E: Executor + ?Sized>(&self, exec: &mut E, x: BufferId, kind: u32) -> Result<(), LesError> {
        let p = SpectralMulParams::new(self.config.n as u32, 1, kind);
        Ok(exec.enqueue(&SPECTRAL_MUL, &[x], bytemuck::bytes_of(&p))?)
    }

    fn scale<E: Executor + ?Sized>(&self, exec: &mut E, x: BufferId, alpha: f64) -> Result<(), LesError> {
        let p = ScalarParams::new(self.len as u32, alpha as f32);
        Ok(exec.enqueue(&SCALE, &[x], bytemuck::bytes_of(&p))?)
    }

    /// `y ← y + alpha·x`.
    fn axpy<E: Executor + ?Sized>(&self, exec: &mut E, alpha: f64, x: BufferId, y: BufferId) -> Result<(), LesError> {
        let p = ScalarParams::new(self.len as u32, alpha as f32);
        Ok(exec.enqueue(&AXPY, &[x, y], bytemuck::bytes_of(&p))?)
    }

    fn binary<E: Executor + ?Sized>(
        &self,
        exec: &mut E,
        op: &'static dashi_core::ops::OpSpec,
        a: BufferId,
        b: BufferId,
        out: BufferId,
    ) -> Result<(), LesError> {
        let p = self.len_params();
        Ok(exec.enqueue(op, &[a, b, out], bytemuck::bytes_of(&p))?)
    }

    /// `dst = −(u·∇ω)^ (2/3-dealiased) − ν₀|k|² ω̂` for the spectrum in `src`.
    fn rhs<E: Executor + ?Sized>(&self, exec: &mut E, src: BufferId, dst: BufferId) -> Result<(), LesError> {
        let b = &self.buffers;
        self.copy(exec, src, b.psi)?;
        self.spectral(exec, b.psi, SpectralMulParams::INV_K2)?; // ψ̂ = ω̂/|k|²
        self.copy(exec, b.psi, b.u)?;
        self.spectral(exec, b.u, SpectralMulParams::I_KY)?; // û = i ky ψ̂
        self.copy(exec, b.psi, b.v)?;
        self.spectral(exec, b.v, SpectralMulParams::I_KX)?;
        self.scale(exec, b.v, -1.0)?; // v̂ = −i kx ψ̂
        self.copy(exec, src, b.wx)?;
        self.spectral(exec, b.wx, SpectralMulParams::I_KX)?;
        self.copy(exec, src, b.wy)?;
        self.spectral(exec, b.wy, SpectralMulParams::I_KY)?;
        for field in [b.u, b.v, b.wx, b.wy] {
            self.fft.inverse(exec, field, field)?;
        }
        // Real fields stored as complex with zero imaginary part: the elementwise product
        // of the interleaved buffers is (Re a·Re b, Im a·Im b) = (a·b, ≈0).
        self.binary(exec, &MUL, b.u, b.wx, b.nonlinear)?;
        self.binary(exec, &MUL, b.v, b.wy, b.psi)?;
        self.axpy(exec, 1.0, b.psi, b.nonlinear)?;
        fft_forward(exec, self, b.nonlinear)?;
        self.spectral(exec, b.nonlinear, SpectralMulParams::DEALIAS)?;
        self.copy(exec, src, dst)?;
        self.spectral(exec, dst, SpectralMulParams::NEG_K2)?;
        self.scale(exec, dst, self.config.nu)?;
        self.axpy(exec, -1.0, b.nonlinear, dst)?;
        if self.config.drag > 0.0 {
            self.axpy(exec, -self.config.drag, src, dst)?;
        }
        if self.config.forcing.is_some() {
            self.axpy(exec, 1.0, b.forcing, dst)?;
        }
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
        let p = self.len_params();
        exec.enqueue(&REDUCE_SUM_SQ, &[b.omega, b.reduced[0]], bytemuck::bytes_of(&p))?;
        let power = exec.download_real(b.reduced[0])?[0];
        if !power.is_finite() {
            let enstrophy = power / (2.0 * (self.config.n as f64).powi(4));
            return Err(LesError::BlowUp { step: self.step, time: self.time(), enstrophy });
        }
        Ok(())
    }

    /// The CFL number `dt · max(|u|, |v|) / Δx`, `Δx = 2π/N`, of the current state:
    /// û = i ky ψ̂ and v̂ = −i kx ψ̂ are transformed back and reduced on the executor
    /// (`reduce_max_abs`); only two numbers leave it. Reported, not enforced: an
    /// unstable run is caught by the blow-up check of [`Les::advance`].
    pub fn cfl<E: Executor + ?Sized>(&self, exec: &mut E) -> Result<f64, LesError> {
        let b = &self.buffers;
        self.copy(exec, b.omega, b.psi)?;
        self.spectral(exec, b.psi, SpectralMulParams::INV_K2)?;
        self.copy(exec, b.psi, b.u)?;
        self.spectral(exec, b.u, SpectralMulParams::I_KY)?;
        self.copy(exec, b.psi, b.v)?;
        self.spectral(exec, b.v, SpectralMulParams::I_KX)?;
        self.fft.inverse(exec, b.u, b.u)?;
        self.fft.inverse(exec, b.v, b.v)?;
        let p = self.len_params();
        exec.enqueue(&REDUCE_MAX_ABS, &[b.u, b.reduced[0]], bytemuck::bytes_of(&p))?;
        exec.enqueue(&REDUCE_MAX_ABS, &[b.v, b.reduced[1]], bytemuck::bytes_of(&p))?;
        let (u, v) = (exec.download_real(b.reduced[0])?[0], exec.download_real(b.reduced[1])?[0]);
        let dx = 2.0 * std::f64::consts::PI / self.config.n as f64;
        Ok(self.config.dt * u.max(v) / dx)
    }

    /// The vorticity spectrum ω̂ (full layout, interleaved).
    pub fn spectrum<E: Executor + ?Sized>(&self, exec: &mut E) -> Result<Vec<f64>, LesError> {
        Ok(exec.download_real(self.buffers.omega)?)
    }

    /// Energy and enstrophy now (downloads ω̂; computed in f64 on the host).
    pub fn diagnostics<E: Executor + ?Sized>(&self, exec: &mut E) -> Result<Diagnostics, LesError> {
        Ok(diagnostics(&self.spectrum(exec)?, self.config.n, self.time()))
    }

    /// Releases every buffer.
    pub fn free<E: Executor + ?Sized>(self, exec: &mut E) -> Result<(), LesError> {
        let b = self.buffers;
        for id in [b.omega, b.stage, b.psi, b.u, b.v, b.wx, b.wy, b.nonlinear, b.zeros, b.forcing]
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

fn fft_forward<E: Executor + ?Sized>(exec: &mut E, les: &Les, x: BufferId) -> Result<(), LesError> {
    Ok(les.fft.forward(exec, x, x)?)
}
