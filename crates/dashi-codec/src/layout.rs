//! The proxy vector's layout (docs/DESIGN.md §6) and the tables the codec ops read.
//!
//! ```text
//! z = [ low_re (L) | low_im (L) | 0, E_mid, E_high, K | anchor_re (K) | anchor_im (K) ]
//! D = 2L + 4 + 2K
//! ```
//!
//! Conventions (docs/DESIGN.md §4): N×N grid, full-layout spectra `[ky][kx]`, integer wavenumbers
//! `k = fftfreq(N)·N`, forward FFT unnormalised (`fft_norm = "backward"`). The coefficients
//! stored are those of ω̂ itself (unnormalised FFT values).
//!
//! **Hermitian halving.** ω is real, so `ω̂(−k) = conj ω̂(k)`: only one mode of each
//! conjugate pair is stored, the *representative* with `ky > 0`, or `ky = 0` and
//! `kx > 0`. The mean `k = 0` is not stored (the vorticity of a periodic flow has zero
//! mean); `k_cut, mid_cut < N/2` keep the Nyquist lines out of the stored bands.
//! Representatives are listed in ascending full-layout index `iy·N + ix`.
//!
//! **Bands** are [`dashi_core::spectral::band_mask`]'s: low `|k| ≤ k_cut`, mid
//! `k_cut < |k| ≤ mid_cut` off the Nyquist lines, high the rest. `E_mid`, `E_high` are
//! the band energies `Σ ½|ω̂|²/N⁴` of ω (= of the residual `R̂ = ω̂ − low band`).
//! **Anchors** are the K mid-band representatives with the largest `|R̂|²` on the
//! first encoded frame (ties → lower index), then frozen; listed in selection order.

use crate::config::EncodeConfig;
use crate::error::{CodecError, config_error};
use dashi_core::spectral::{BandCuts, Layout, SpectralGrid, band_mask};

/// The codes of the layout's tables — one definition, read by the codec ops' CPU
/// kernels and declared to their WGSL from here.
///
/// * **Slot codes** (`proxy_pack`): a code `< 2N²` indexes the interleaved spectrum;
///   `HEADER_BASE + j` writes header entry `j` of z (0, `E_mid`, `E_high`, `K`).
/// * **Mode codes** (`proxy_spectrum`): `class ≪ 28 | conj ≪ 27 | index` per mode of the
///   full layout; class 0 zero (k = 0, Nyquist lines, unsynthesised), 1 low band (index
///   = slot), 2 anchor (index = anchor), 3/4 mid/high band synthesised (index = the
///   conjugate pair's representative mode); the conj bit marks the partner `−k`.
pub mod codes {
    /// Slot codes at or above this value are header entries.
    pub const HEADER_BASE: u32 = 0xFFFF_FF00;
    /// Mode class "zero".
    pub const CLASS_ZERO: u32 = 0;
    /// Mode class "low band": index = slot `j` (`z[j]`, `z[L + j]`).
    pub const CLASS_LOW: u32 = 1;
    /// Mode class "anchor": index = anchor `a` (`z[2L+4+a]`, `z[2L+4+K+a]`).
    pub const CLASS_ANCHOR: u32 = 2;
    /// Mode class "synthesised mid band".
    pub const CLASS_MID: u32 = 3;
    /// Mode class "synthesised high band".
    pub const CLASS_HIGH: u32 = 4;
    /// Bit set on the conjugate partner of a stored mode (the value is conjugated).
    pub const CONJ_BIT: u32 = 1 << 27;
    /// Mask of the index field of a mode code.
    pub const INDEX_MASK: u32 = (1 << 27) - 1;

    /// A mode code: `class << 28 | conj << 27 | index`.
    pub const fn code(class: u32, conj: bool, index: u32) -> u32 {
        class << 28 | if conj { CONJ_BIT } else { 0 } | (index & INDEX_MASK)
    }
}

/// Where the stored coefficients of z live in the spectrum, and the decoder's mode tables.
#[derive(Clone, Debug, PartialEq)]
pub struct ProxyLayout {
    grid: SpectralGrid,
    k_cut: u32,
    mid_cut: u32,
    low: Vec<u32>,
    mid: Vec<u32>,
    anchors: Vec<u32>,
    bands: Vec<u8>,
}

impl ProxyLayout {
    /// The layout of an N×N grid under `config`, with no anchors chosen yet.
    pub fn new(n: usize, config: &EncodeConfig) -> Result<Self, CodecError> {
        let grid = SpectralGrid::new(n).map_err(|e| config_error("n", n, e.to_string()))?;
        config.validate(n)?;
        let cuts = BandCuts { k_cut: f64::from(config.k_cut), mid_cut: f64::from(config.mid_cut) };
        let bands =
            band_mask(grid, Layout::Full, cuts).map_err(|e| config_error("k-cut", config.k_cut, e.to_string()))?;
        let (mut low, mut mid) = (Vec::new(), Vec::new());
        for (m, &band) in bands.iter().enumerate() {
            let (iy, ix) = (m / n, m % n);
            if !Self::is_representative(grid, iy, ix) {
                continue;
            }
            match band {
                0 => low.push(m as u32),
                1 => mid.push(m as u32),
                _ => {}
            }
        }
        if config.topk > mid.len() {
            return Err(config_error(
                "topk",
                config.topk,
                format!(
                    "exceeds the {} mid-band modes between k-cut = {} and mid-cut = {}",
                    mid.len(),
                    config.k_cut,
                    config.mid_cut
                ),
            ));
        }
        Ok(ProxyLayout { grid, k_cut: config.k_cut, mid_cut: config.mid_cut, low, mid, anchors: Vec::new(), bands })
    }

    /// Whether mode `(iy, ix)` is the stored half of its conjugate pair.
    fn is_representative(grid: SpectralGrid, iy: usize, ix: usize) -> bool {
        let (ky, kx) = (grid.ky(iy), grid.kx(Layout::Full, ix));
        ky > 0 || (ky == 0 && kx > 0)
    }

    /// Full-layout index of the conjugate partner of mode `m`.
    pub fn partner(&self, m: u32) -> u32 {
        let n = self.grid.n();
        let (iy, ix) = (m as usize / n, m as usize % n);
        (((n - iy) % n) * n + (n - ix) % n) as u32
    }

    /// The same layout with `anchors` (mid-band representatives, distinct) chosen.
    pub fn with_anchors(mut self, anchors: Vec<u32>) -> Result<Self, CodecError> {
        let mut seen = std::collections::BTreeSet::new();
        for &a in &anchors {
            if self.mid.binary_search(&a).is_err() {
                return Err(CodecError::Model(format!(
                    "anchor mode {a} is not a mid-band representative of this grid"
                )));
            }
            if !seen.insert(a) {
                return Err(CodecError::Model(format!("anchor mode {a} listed twice")));
            }
        }
        self.anchors = anchors;
        Ok(self)
    }

    /// Grid size N.
    pub fn n(&self) -> usize {
        self.grid.n()
    }

    /// `(k_cut, mid_cut)`.
    pub fn cuts(&self) -> (u32, u32) {
        (self.k_cut, self.mid_cut)
    }

    /// Low-band representatives (ascending full-layout index).
    pub fn low_modes(&self) -> &[u32] {
        &self.low
    }

    /// Mid-band representatives (the anchor candidates, ascending).
    pub fn mid_modes(&self) -> &[u32] {
        &self.mid
    }

    /// Chosen anchors, in selection order.
    pub fn anchors(&self) -> &[u32] {
        &self.anchors
    }

    /// Proxy dimension `D = 2L + 4 + 2K`.
    pub fn dim(&self) -> usize {
        2 * self.low.len() + 4 + 2 * self.anchors.len()
    }

    /// Offset of the header `(0, E_mid, E_high, K)` in z.
    pub fn header_offset(&self) -> usize {
        2 * self.low.len()
    }

    /// `proxy_pack` slot codes (length D).
    pub fn pack_slots(&self) -> Vec<u32> {
        let re = |m: &u32| 2 * m;
        let im = |m: &u32| 2 * m + 1;
        let header = (0..4).map(|j| codes::HEADER_BASE + j);
        self.low
            .iter()
            .map(re)
            .chain(self.low.iter().map(im))
            .chain(header)
            .chain(self.anchors.iter().map(re))
            .chain(self.anchors.iter().map(im))
            .collect()
    }

    /// `gather` indices of the mid-band representatives' real parts, then imaginary parts.
    pub fn mid_gather(&self) -> (Vec<u32>, Vec<u32>) {
        (self.mid.iter().map(|m| 2 * m).collect(), self.mid.iter().map(|m| 2 * m + 1).collect())
    }

    /// `proxy_spectrum` mode codes (length N²).
    pub fn mode_codes(&self) -> Vec<u32> {
        let n = self.n();
        let mut codes = vec![codes::code(codes::CLASS_ZERO, false, 0); n * n];
        let mut set = |m: u32, class: u32, index: u32| {
            codes[m as usize] = codes::code(class, false, index);
            let partner = self.partner(m);
            codes[partner as usize] = codes::code(class, true, index);
        };
        for (j, &m) in self.low.iter().enumerate() {
            set(m, codes::CLASS_LOW, j as u32);
        }
        for &m in &self.mid {
            set(m, codes::CLASS_MID, m);
        }
        for (a, &m) in self.anchors.iter().enumerate() {
            set(m, codes::CLASS_ANCHOR, a as u32);
        }
        for (m, &band) in self.bands.iter().enumerate() {
            let (iy, ix) = (m / n, m % n);
            if band == 2 && !self.grid.is_nyquist(Layout::Full, iy, ix) && Self::is_representative(self.grid, iy, ix) {
                set(m as u32, codes::CLASS_HIGH, m as u32);
            }
        }
        codes
    }

    /// Amplitude shape `w(k) = |k|^(−slope)` of the synthesised modes, normalised per band
    /// so that `Σ_{band} ½w²/N⁴ = 1` over the modes the decoder synthesises (both halves
    /// of each pair): the band's synthesised energy is then exactly `scale²`.
    pub fn synth_weights(&self, slope: f64) -> Vec<f64> {
        let n = self.n();
        let codes = self.mode_codes();
        let mut weights = vec![0.0; n * n];
        let mut totals = [0.0f64; 2];
        let n4 = (n as f64).powi(4);
        for (m, &code) in codes.iter().enumerate() {
            let class = code >> 28;
            if class == codes::CLASS_MID || class == codes::CLASS_HIGH {
                let k2 = self.grid.k2_at(Layout::Full, m / n, m % n) as f64;
                let w = k2.sqrt().powf(-slope);
                weights[m] = w;
                totals[(class - codes::CLASS_MID) as usize] += 0.5 * w * w / n4;
            }
        }
        for (m, &code) in codes.iter().enumerate() {
            let class = code >> 28;
            if class == codes::CLASS_MID || class == codes::CLASS_HIGH {
                let total = totals[(class - codes::CLASS_MID) as usize];
                weights[m] /= total.sqrt();
            }
        }
        weights
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_mode_is_classified_once_and_pairs_agree() {
        let config = EncodeConfig { k_cut: 4, mid_cut: 10, topk: 8 };
        let layout = ProxyLayout::new(32, &config).unwrap();
        let anchors = layout.mid_modes()[..8].to_vec();
        let layout = layout.with_anchors(anchors).unwrap();
        let codes = layout.mode_codes();
        for m in 0..32 * 32u32 {
            let p = layout.partner(m);
            let (c, cp) = (codes[m as usize], codes[p as usize]);
            assert_eq!(c >> 28, cp >> 28, "mode {m} and partner {p} in different classes");
            assert_eq!(c & codes::INDEX_MASK, cp & codes::INDEX_MASK);
            if p != m && c >> 28 != 0 {
                assert_ne!(c & codes::CONJ_BIT, cp & codes::CONJ_BIT);
            }
        }
        // L = representatives with 0 < |k| ≤ 4: 24 of the 48 non-zero lattice points.
        assert_eq!(layout.low_modes().len(), 24);
        assert_eq!(layout.dim(), 2 * 24 + 4 + 16);
        let slots = layout.pack_slots();
        assert_eq!(slots.len(), layout.dim());
        assert_eq!(slots[48..52], [0xFFFF_FF00, 0xFFFF_FF01, 0xFFFF_FF02, 0xFFFF_FF03]);
    }

    #[test]
    fn synth_weights_normalise_each_band() {
        let config = EncodeConfig { k_cut: 4, mid_cut: 10, topk: 8 };
        let layout = ProxyLayout::new(32, &config).unwrap();
        let layout = layout.clone().with_anchors(layout.mid_modes()[3..11].to_vec()).unwrap();
        let (codes, w) = (layout.mode_codes(), layout.synth_weights(1.0));
        for class in [codes::CLASS_MID, codes::CLASS_HIGH] {
            let total: f64 = codes
                .iter()
                .zip(&w)
                .filter(|(c, _)| **c >> 28 == class)
                .map(|(_, w)| 0.5 * w * w / 32f64.powi(4))
                .sum();
            assert!((total - 1.0).abs() < 1e-12, "class {class}: {total}");
        }
    }

    #[test]
    fn bad_cuts_and_topk_are_named() {
        let err = ProxyLayout::new(32, &EncodeConfig { k_cut: 16, ..EncodeConfig::default() }).unwrap_err();
        assert!(err.to_string().contains("k-cut"), "{err}");
        let err = ProxyLayout::new(64, &EncodeConfig { k_cut: 4, mid_cut: 6, topk: 500 }).unwrap_err();
        assert!(err.to_string().contains("topk"), "{err}");
    }

    #[test]
    fn grid_defaults_work_at_every_supported_n() {
        for n in [16, 32, 64, 128, 256, 512] {
            let config = EncodeConfig::for_grid(n);
            let layout = ProxyLayout::new(n, &config).unwrap_or_else(|e| panic!("N = {n}: {config:?}: {e}"));
            assert!(config.topk <= layout.mid_modes().len() && config.topk >= 1, "N = {n}: {config:?}");
            if n >= 128 {
                assert_eq!(config, EncodeConfig::default(), "N = {n}");
            }
        }
    }
}
