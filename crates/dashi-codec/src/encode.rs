//! Encode ω → z over an [`Executor`] (docs/DESIGN.md §6).
//!
//! Per frame, as KernelOps: upload ω as a complex field (imaginary part 0), forward
//! FFT (`Fft2Program`, unnormalised, e^{−ik·x}), `band_energies` (E_low, E_mid, E_high
//! of ω̂ with `|k|² ≤ k_cut²`, `≤ mid_cut²` thresholds), `proxy_pack` (z slot by slot,
//! [`crate::layout`]). On the first frame, anchors are chosen before packing:
//! `gather` the mid-band representatives' real and imaginary parts, `mul` + `add` to
//! `|R̂|²`, `top_k` (value descending, index ascending) — the only readback besides z.

use crate::config::EncodeConfig;
use crate::error::CodecError;
use crate::layout::ProxyLayout;
use crate::ops::{PROXY_PACK, ProxyPackBuffers, ProxyPackParams};
use dashi_core::ops::{
    ADD, BAND_ENERGIES, BandParams, BufferId, ElemType, Executor, Fft2Program, GATHER, GatherParams, LenParams, MUL,
    TOP_K, TopKParams,
};

/// An encoder bound to one executor and grid; anchors are chosen on the first frame
/// (or given) and then frozen.
#[derive(Debug)]
pub struct Encoder {
    layout: ProxyLayout,
    topk: usize,
    fft: Fft2Program,
    spectrum: BufferId,
    bands: BufferId,
    slots: Option<BufferId>,
    z: Option<BufferId>,
}

impl Encoder {
    /// An encoder for N×N fields. Anchors are selected from the first frame encoded.
    pub fn new<E: Executor + ?Sized>(exec: &mut E, n: usize, config: &EncodeConfig) -> Result<Self, CodecError> {
        Self::alloc(exec, ProxyLayout::new(n, config)?, config.topk)
    }

    /// An encoder whose anchors are already known (e.g. from a model file).
    pub fn with_layout<E: Executor + ?Sized>(exec: &mut E, layout: ProxyLayout) -> Result<Self, CodecError> {
        let topk = layout.anchors().len();
        let mut encoder = Self::alloc(exec, layout, topk)?;
        encoder.bind_layout(exec)?;
        Ok(encoder)
    }

    /// The FFT program and the per-frame buffers; slots and z come with the anchors.
    fn alloc<E: Executor + ?Sized>(exec: &mut E, layout: ProxyLayout, topk: usize) -> Result<Self, CodecError> {
        let n = layout.n();
        let fft = Fft2Program::new(exec, n, 1)?;
        let spectrum = exec.alloc(ElemType::Real, 2 * n * n)?;
        let bands = exec.alloc(ElemType::Real, 3)?;
        Ok(Encoder { layout, topk, fft, spectrum, bands, slots: None, z: None })
    }

    /// The layout (anchors empty until the first frame is encoded).
    pub fn layout(&self) -> &ProxyLayout {
        &self.layout
    }

    fn bind_layout<E: Executor + ?Sized>(&mut self, exec: &mut E) -> Result<(), CodecError> {
        let slots = self.layout.pack_slots();
        let slot_buf = exec.alloc(ElemType::U32, slots.len())?;
        exec.upload_u32(slot_buf, &slots)?;
        self.slots = Some(slot_buf);
        self.z = Some(exec.alloc(ElemType::Real, slots.len())?);
        Ok(())
    }

    /// Chooses the anchors from the spectrum currently in `self.spectrum`.
    fn select_anchors<E: Executor + ?Sized>(&mut self, exec: &mut E) -> Result<(), CodecError> {
        let anchors = if self.topk == 0 {
            Vec::new()
        } else {
            let (re_idx, im_idx) = self.layout.mid_gather();
            let m = re_idx.len();
            let spectrum_len = 2 * self.layout.n() * self.layout.n();
            let bufs: Vec<BufferId> = (0..5).map(|_| exec.alloc(ElemType::Real, m)).collect::<Result<_, _>>()?;
            let (idx_re, idx_im) = (exec.alloc(ElemType::U32, m)?, exec.alloc(ElemType::U32, m)?);
            let picked = exec.alloc(ElemType::U32, self.topk)?;
            exec.upload_u32(idx_re, &re_idx)?;
            exec.upload_u32(idx_im, &im_idx)?;
            let gather = GatherParams::new(spectrum_len as u32, m as u32);
            GATHER.run(exec, [self.spectrum, idx_re, bufs[0]], &gather)?;
            GATHER.run(exec, [self.spectrum, idx_im, bufs[1]], &gather)?;
            let len = LenParams::new(m as u32);
            MUL.run(exec, [bufs[0], bufs[0], bufs[2]], &len)?;
            MUL.run(exec, [bufs[1], bufs[1], bufs[3]], &len)?;
            ADD.run(exec, [bufs[2], bufs[3], bufs[4]], &len)?;
            TOP_K.run(exec, [bufs[4], picked], &TopKParams::new(m as u32, self.topk as u32))?;
            let order = exec.download_u32(picked)?;
            for b in bufs.into_iter().chain([idx_re, idx_im, picked]) {
                exec.free(b)?;
            }
            let mid = self.layout.mid_modes();
            order.iter().map(|&i| mid[i as usize]).collect()
        };
        self.layout = self.layout.clone().with_anchors(anchors)?;
        self.bind_layout(exec)
    }

    /// Encodes one N×N frame (row-major `[iy][ix]`) into the device buffer returned
    /// (length D, valid until the next call). Non-finite values are refused.
    pub fn encode_on_device<E: Executor + ?Sized>(
        &mut self,
        exec: &mut E,
        omega: &[f64],
    ) -> Result<BufferId, CodecError> {
        let n = self.layout.n();
        if omega.len() != n * n {
            return Err(CodecError::Shape {
                what: "encode frame",
                expected: format!("{n}×{n} = {}", n * n),
                found: omega.len().to_string(),
            });
        }
        if let Some(index) = omega.iter().position(|v| !v.is_finite()) {
            return Err(CodecError::NonFinite { what: "encode frame".into(), index, value: omega[index] });
        }
        let mut complex = vec![0.0; 2 * n * n];
        for (c, &w) in complex.chunks_exact_mut(2).zip(omega) {
            c[0] = w;
        }
        exec.upload_real(self.spectrum, &complex)?;
        self.fft.forward(exec, self.spectrum, self.spectrum)?;
        let (k_cut, mid_cut) = self.layout.cuts();
        BAND_ENERGIES.run(
            exec,
            [self.spectrum, self.bands],
            &BandParams::new(n as u32, k_cut * k_cut, mid_cut * mid_cut),
        )?;
        if self.slots.is_none() {
            self.select_anchors(exec)?;
        }
        let (slots, z) = (self.slots.expect("bound above"), self.z.expect("bound above"));
        let d = self.layout.dim() as u32;
        PROXY_PACK.run(
            exec,
            ProxyPackBuffers { spectrum: self.spectrum, slots, bands: self.bands, z },
            &ProxyPackParams::new(n as u32, d, self.layout.anchors().len() as u32),
        )?;
        Ok(z)
    }

    /// Encodes one frame and downloads z.
    pub fn encode<E: Executor + ?Sized>(&mut self, exec: &mut E, omega: &[f64]) -> Result<Vec<f64>, CodecError> {
        let z = self.encode_on_device(exec, omega)?;
        Ok(exec.download_real(z)?)
    }

    /// Encodes every frame of a trajectory `[T][N][N]`, returning `[T][D]` row-major.
    pub fn encode_all<E: Executor + ?Sized>(
        &mut self,
        exec: &mut E,
        frames: &[f64],
        mut progress: impl FnMut(usize),
    ) -> Result<Vec<f64>, CodecError> {
        let n2 = self.layout.n() * self.layout.n();
        let mut out = Vec::new();
        for (t, frame) in frames.chunks_exact(n2).enumerate() {
            out.extend(self.encode(exec, frame)?);
            progress(t + 1);
        }
        Ok(out)
    }

    /// Releases the encoder's device buffers.
    pub fn free<E: Executor + ?Sized>(self, exec: &mut E) -> Result<(), CodecError> {
        for b in [Some(self.spectrum), Some(self.bands), self.slots, self.z].into_iter().flatten() {
            exec.free(b)?;
        }
        self.fft.free(exec)?;
        Ok(())
    }
}
