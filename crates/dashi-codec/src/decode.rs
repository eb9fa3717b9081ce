//! Decode z → ω over an [`Executor`] (docs/DESIGN.md §6): one fixed op sequence per frame, the
//! same on every backend, with nothing read back unless the caller asks.
//!
//! ```text
//! Z      = proxy_spectrum(z)            LP + i·RES  (low band | anchors + seeded synthesis)
//! pair   = real_pairs⁻¹(ifft2(Z))       [ω_lp | ω_res]   (one complex inverse FFT, 1/N²)
//! f₁     = B_r ω_lp;   s₀ = M_η( T_{τ·max|f₁|}(f₁) )        seed mask
//! level ℓ = 1..L:  f_ℓ = B_r f_{ℓ−1} (f₁ reused at ℓ = 1)
//!                  s_ℓ = K_ann( M_η( s_{ℓ−1} ∧ T_{τ·max|f_ℓ|}(f_ℓ) ) )
//!                  closure at the first ℓ with |a_ℓ − a_{ℓ−1}| < ε·max(a_{ℓ−1}, 1),  a = |supp s|
//! m      = s_{closure level} (s_L if none);   ω = ω_lp + |m|·ω_res
//! ```
//!
//! The fining levels are exactly [`dashi_core::kernel::Fining::run`] with field ω_lp and
//! seed s₀ (tested); all L levels run on the device and `fining_select`/`fining_closure`
//! keep the mask of the closure level, so the host never waits inside a frame. `max` is
//! `reduce_max_abs` on the device. M_η and K_ann use the Moore neighbourhood of radius 1.

use crate::config::{DecodeConfig, Residual};
use crate::error::CodecError;
use crate::layout::ProxyLayout;
use crate::ops::{
    BOX_SMOOTH, BoxSmoothParams, FINING_CLOSURE, FINING_SELECT, FiningClosureParams, FiningSelectBuffers, MASK_COMBINE,
    PROXY_SPECTRUM, ProxySpectrumBuffers, ProxySpectrumParams, THRESHOLD_GATE, ThresholdGateBuffers,
    ThresholdGateParams,
};
use dashi_core::carrier::Neighbourhood;
use dashi_core::ops::{
    ANNIHILATE, BufferId, COHERENCE_STATS, CoherenceBuffers, ElemType, Executor, Fft2Program, LenParams, MAJORITY,
    PairParams, REAL_PAIRS, REDUCE_MAX_ABS, StencilBuffers, StencilParams,
};

/// Per-level mask statistics of one decoded frame (against ω_lp).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MaskLevel {
    /// Level (0 = the seed mask s₀).
    pub level: u32,
    /// Active (supported) cells.
    pub active: i64,
    /// Sign balance Σ s.
    pub sign_balance: i64,
    /// Interface count I(s) (neighbouring pairs of opposite sign, 4-neighbourhood).
    pub interfaces: i64,
    /// ½·mean of ω_lp² over the support.
    pub energy_on_support: f64,
}

/// Mask statistics of one decoded frame.
#[derive(Clone, Debug, PartialEq)]
pub struct MaskReport {
    /// Seed and every level run (all L levels run on the device; see `closure_level`).
    pub levels: Vec<MaskLevel>,
    /// First level whose active-cell change fell below ε (`None`: budget exhausted).
    pub closure_level: Option<u32>,
}

impl MaskReport {
    /// Statistics of the mask actually used (closure level, or the last level).
    pub fn used(&self) -> &MaskLevel {
        let level = self.closure_level.unwrap_or(self.levels.len() as u32 - 1) as usize;
        &self.levels[level]
    }
}

/// Carrier bit-planes on the device.
#[derive(Clone, Copy, Debug)]
struct Planes {
    support: BufferId,
    sign: BufferId,
}

impl Planes {
    fn alloc<E: Executor + ?Sized>(exec: &mut E, cells: usize) -> Result<Self, CodecError> {
        let words = cells.div_ceil(32);
        Ok(Planes { support: exec.alloc(ElemType::U32, words)?, sign: exec.alloc(ElemType::U32, words)? })
    }
}

/// A decoder bound to one executor and layout.
#[derive(Debug)]
pub struct Decoder {
    layout: ProxyLayout,
    config: DecodeConfig,
    fft: Fft2Program,
    modes: BufferId,
    weights: BufferId,
    spectrum: BufferId,
    pair: BufferId,
    smooth: [BufferId; 2],
    max: BufferId,
    cut: Planes,
    voted: Planes,
    masks: [Planes; 2],
    selected: Planes,
    counts: Vec<BufferId>,
    energies: Vec<BufferId>,
    state: BufferId,
    omega: BufferId,
}

impl Decoder {
    /// A decoder for `layout` (anchors chosen) with `config`.
    pub fn new<E: Executor + ?Sized>(
        exec: &mut E,
        layout: &ProxyLayout,
        config: &DecodeConfig,
    ) -> Result<Self, CodecError> {
        let n = layout.n();
        config.validate(n)?;
        let cells = n * n;
        let fft = Fft2Program::new(exec, n, 1)?;
        let modes = exec.alloc(ElemType::U32, cells)?;
        exec.upload_u32(modes, &layout.mode_codes())?;
        let weights = exec.alloc(ElemType::Real, cells)?;
        exec.upload_real(weights, &layout.synth_weights(config.residual_slope))?;
        let levels = config.fining_levels as usize;
        let counts = (0..=levels).map(|_| exec.alloc(ElemType::I32, 4)).collect::<Result<_, _>>()?;
        let energies = (0..=levels).map(|_| exec.alloc(ElemType::Real, 1)).collect::<Result<_, _>>()?;
        Ok(Decoder {
            layout: layout.clone(),
            config: *config,
            fft,
            modes,
            weights,
            spectrum: exec.alloc(ElemType::Real, 2 * cells)?,
            pair: exec.alloc(ElemType::Real, 2 * cells)?,
            smooth: [exec.alloc(ElemType::Real, cells)?, exec.alloc(ElemType::Real, cells)?],
            max: exec.alloc(ElemType::Real, 1)?,
            cut: Planes::alloc(exec, cells)?,
            voted: Planes::alloc(exec, cells)?,
            masks: [Planes::alloc(exec, cells)?, Planes::alloc(exec, cells)?],
            selected: Planes::alloc(exec, cells)?,
            counts,
            energies,
            state: exec.alloc(ElemType::I32, 4)?,
            omega: exec.alloc(ElemType::Real, cells)?,
        })
    }

    /// The layout decoded.
    pub fn layout(&self) -> &ProxyLayout {
        &self.layout
    }

    /// The seed of frame `t`: `decode_seed + 1000003·t` (wrapping u32).
    pub fn frame_seed(&self, t: u64) -> u32 {
        self.config.decode_seed.wrapping_add((1_000_003u64.wrapping_mul(t) & 0xFFFF_FFFF) as u32)
    }

    /// Enqueues the decode of the proxy in device buffer `z` (length D) as frame `t`;
    /// the result is in [`Decoder::omega_buffer`]. Nothing is read back.
    pub fn enqueue<E: Executor + ?Sized>(&mut self, exec: &mut E, z: BufferId, t: u64) -> Result<(), CodecError> {
        let n = self.layout.n();
        let cells = (n * n) as u32;
        let layout = &self.layout;
        let params = ProxySpectrumParams::new(
            n as u32,
            layout.low_modes().len() as u32,
            layout.anchors().len() as u32,
            self.config.residual == Residual::Seeded,
            self.frame_seed(t),
        );
        let buffers = ProxySpectrumBuffers { z, modes: self.modes, weights: self.weights, out: self.spectrum };
        PROXY_SPECTRUM.run(exec, buffers, &params)?;
        self.fft.inverse(exec, self.spectrum, self.spectrum)?;
        REAL_PAIRS.run(exec, [self.spectrum, self.pair], &PairParams::new(n as u32, 1, true))?;

        let smooth = BoxSmoothParams::new(n as u32, n as u32, self.config.smooth_radius);
        let stencil = |eta| StencilParams::new(n as u32, n as u32, Neighbourhood::EIGHT, eta);
        let tau = self.config.tau as f32;
        let epsilon = self.config.fining_epsilon as f32;
        let len = LenParams::new(cells);
        // Seed: s₀ = M(T(B ω_lp)).
        BOX_SMOOTH.run(exec, [self.pair, self.smooth[0]], &smooth)?;
        REDUCE_MAX_ABS.run(exec, [self.smooth[0], self.max], &len)?;
        let (cut, voted) = (self.cut, self.voted);
        // Ungated: the gate bindings are not read (any other planes will do).
        let gate = ThresholdGateBuffers {
            x: self.smooth[0],
            scale: self.max,
            gate_support: voted.support,
            gate_sign: voted.sign,
            support: cut.support,
            sign: cut.sign,
        };
        THRESHOLD_GATE.run(exec, gate, &ThresholdGateParams::new(cells, tau, false))?;
        let seed = self.masks[0];
        let vote = StencilBuffers {
            support_in: cut.support,
            sign_in: cut.sign,
            support_out: seed.support,
            sign_out: seed.sign,
        };
        MAJORITY.run(exec, vote, &stencil(self.config.majority_eta))?;
        let stats = CoherenceBuffers {
            support: seed.support,
            sign: seed.sign,
            field: self.pair,
            counts: self.counts[0],
            energy: self.energies[0],
        };
        COHERENCE_STATS.run(exec, stats, &stencil(0))?;
        FINING_CLOSURE.run(exec, [self.counts[0], self.state], &FiningClosureParams::new(0, epsilon))?;
        let select = |mask: Planes| FiningSelectBuffers {
            support_in: mask.support,
            sign_in: mask.sign,
            state: self.state,
            support_out: self.selected.support,
            sign_out: self.selected.sign,
        };
        FINING_SELECT.run(exec, select(seed), &len)?;
        for level in 1..=self.config.fining_levels as usize {
            let (prev, next) = (self.masks[(level - 1) % 2], self.masks[level % 2]);
            let field = self.smooth[(level - 1) % 2];
            if level > 1 {
                BOX_SMOOTH.run(exec, [self.smooth[level % 2], field], &smooth)?;
                REDUCE_MAX_ABS.run(exec, [field, self.max], &len)?;
            }
            let gate = ThresholdGateBuffers {
                x: field,
                scale: self.max,
                gate_support: prev.support,
                gate_sign: prev.sign,
                support: cut.support,
                sign: cut.sign,
            };
            THRESHOLD_GATE.run(exec, gate, &ThresholdGateParams::new(cells, tau, true))?;
            let vote = StencilBuffers {
                support_in: cut.support,
                sign_in: cut.sign,
                support_out: voted.support,
                sign_out: voted.sign,
            };
            MAJORITY.run(exec, vote, &stencil(self.config.majority_eta))?;
            let annihilate = StencilBuffers {
                support_in: voted.support,
                sign_in: voted.sign,
                support_out: next.support,
                sign_out: next.sign,
            };
            ANNIHILATE.run(exec, annihilate, &stencil(0))?;
            let stats = CoherenceBuffers {
                support: next.support,
                sign: next.sign,
                field: self.pair,
                counts: self.counts[level],
                energy: self.energies[level],
            };
            COHERENCE_STATS.run(exec, stats, &stencil(0))?;
            FINING_SELECT.run(exec, select(next), &len)?;
            FINING_CLOSURE.run(
                exec,
                [self.counts[level], self.state],
                &FiningClosureParams::new(level as u32, epsilon),
            )?;
        }
        MASK_COMBINE.run(exec, [self.pair, self.selected.support, self.omega], &len)?;
        Ok(())
    }

    /// The decoded field's device buffer (N², row-major `[iy][ix]`).
    pub fn omega_buffer(&self) -> BufferId {
        self.omega
    }

    /// Downloads the decoded field.
    pub fn download<E: Executor + ?Sized>(&self, exec: &mut E) -> Result<Vec<f64>, CodecError> {
        Ok(exec.download_real(self.omega)?)
    }

    /// Downloads the low-pass field ω_lp of the last decode.
    pub fn download_low_pass<E: Executor + ?Sized>(&self, exec: &mut E) -> Result<Vec<f64>, CodecError> {
        let cells = self.layout.n() * self.layout.n();
        Ok(exec.download_real(self.pair)?[..cells].to_vec())
    }

    /// Downloads the selected mask of the last decode as trits (−1, 0, +1) per cell.
    pub fn download_mask<E: Executor + ?Sized>(&self, exec: &mut E) -> Result<Vec<i8>, CodecError> {
        let cells = self.layout.n() * self.layout.n();
        let (support, sign) = (exec.download_u32(self.selected.support)?, exec.download_u32(self.selected.sign)?);
        Ok((0..cells)
            .map(|i| {
                let bit = |w: &[u32]| w[i / 32] >> (i % 32) & 1;
                if bit(&support) == 0 {
                    0
                } else if bit(&sign) == 1 {
                    -1
                } else {
                    1
                }
            })
            .collect())
    }

    /// Downloads the mask statistics of the last decode (small readback).
    pub fn mask_report<E: Executor + ?Sized>(&self, exec: &mut E) -> Result<MaskReport, CodecError> {
        let state = exec.download_i32(self.state)?;
        let mut levels = Vec::with_capacity(self.counts.len());
        for (level, (&c, &e)) in self.counts.iter().zip(&self.energies).enumerate() {
            let counts = exec.download_i32(c)?;
            let energy = exec.download_real(e)?[0];
            levels.push(MaskLevel {
                level: level as u32,
                active: i64::from(counts[0]),
                sign_balance: i64::from(counts[1]),
                interfaces: i64::from(counts[2]),
                energy_on_support: energy,
            });
        }
        let closure_level = (state[0] == 1).then_some(state[1] as u32);
        Ok(MaskReport { levels, closure_level })
    }

    /// Releases the decoder's device buffers.
    pub fn free<E: Executor + ?Sized>(self, exec: &mut E) -> Result<(), CodecError> {
        let planes = [self.cut, self.voted, self.masks[0], self.masks[1], self.selected];
        let mut buffers = vec![self.modes, self.weights, self.spectrum, self.pair, self.max, self.state, self.omega];
        buffers.extend(self.smooth);
        buffers.extend(planes.iter().flat_map(|p| [p.support, p.sign]));
        buffers.extend(self.counts.iter().chain(&self.energies));
        for b in buffers {
            exec.free(b)?;
        }
        self.fft.free(exec)?;
        Ok(())
    }

    /// Decodes z (host vector) as frame `t` and downloads ω.
    pub fn decode<E: Executor + ?Sized>(
        &mut self,
        exec: &mut E,
        z_buf: BufferId,
        z: &[f64],
        t: u64,
    ) -> Result<Vec<f64>, CodecError> {
        exec.upload_real(z_buf, z)?;
        self.enqueue(exec, z_buf, t)?;
        self.download(exec)
    }
}
