//! The v5 state `S = (atoms, background)`.
//!
//! **Background.** A small set of low-k Fourier modes of vorticity, stored as the
//! Hermitian half-plane (ky > 0, or ky = 0 and kx > 0; no mean mode):
//!
//! ```text
//! ω_bg(x, y) = Σ_modes 2·Re(c_k e^{i(kx·x + ky·y)}) = Σ 2(re·cos θ − im·sin θ),  θ = k·x
//! ψ̂ = c_k/|k|²,  u_bg = Σ 2·Re(i·ky·c_k/|k|² e^{iθ}),  v_bg = Σ 2·Re(−i·kx·c_k/|k|² e^{iθ})
//! ```
//!
//! With the docs/DESIGN.md §4 FFT (forward unnormalised, e^{−ik·x}), `c_k = ω̂_k / N²`.
//! **Simplification:** the background is frozen by [`crate::step()`] (its update rule
//! `b_{t+1} = B(b_t, A_t)` is the identity here); it advects the atoms but is not
//! advected by them. It carries no Γ: the conservation ledger is about atoms only.

use crate::atom::{Atom, canonical_sort, totals};
use crate::error::AtomError;

/// One stored background mode, `c_k = re + i·im` for wavevector (kx, ky).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Mode {
    /// x wavenumber (integer, box 2π).
    pub kx: i32,
    /// y wavenumber; the stored half-plane is ky > 0, or ky = 0 and kx > 0.
    pub ky: i32,
    /// Re c_k.
    pub re: f64,
    /// Im c_k.
    pub im: f64,
}

/// Low-k Fourier background (see the module docs). Empty by default.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Background {
    modes: Vec<Mode>,
}

impl Background {
    /// A background from modes in the stored half-plane, each wavevector once, finite
    /// coefficients. Modes are kept sorted by (ky, kx).
    pub fn new(mut modes: Vec<Mode>) -> Result<Background, AtomError> {
        for m in &modes {
            if !(m.ky > 0 || (m.ky == 0 && m.kx > 0)) {
                return Err(AtomError::Mode { kx: m.kx, ky: m.ky, requirement: "ky > 0, or ky = 0 and kx > 0" });
            }
            if !(m.re.is_finite() && m.im.is_finite()) {
                return Err(AtomError::Mode { kx: m.kx, ky: m.ky, requirement: "finite coefficient" });
            }
        }
        modes.sort_by_key(|m| (m.ky, m.kx));
        if let Some(w) = modes.windows(2).find(|w| (w[0].kx, w[0].ky) == (w[1].kx, w[1].ky)) {
            return Err(AtomError::Mode { kx: w[0].kx, ky: w[0].ky, requirement: "each wavevector once" });
        }
        Ok(Background { modes })
    }

    /// No background.
    pub fn empty() -> Background {
        Background::default()
    }

    /// The stored modes, sorted by (ky, kx).
    pub fn modes(&self) -> &[Mode] {
        &self.modes
    }

    /// True when there are no modes.
    pub fn is_empty(&self) -> bool {
        self.modes.is_empty()
    }

    /// Floats stored: 2 per mode (the wavevectors are implied by a cutoff |k| ≤ k_bg).
    pub fn floats(&self) -> usize {
        2 * self.modes.len()
    }

    /// ω_bg at a point. O(modes).
    pub fn vorticity_at(&self, p: [f64; 2]) -> f64 {
        self.modes
            .iter()
            .map(|m| {
                let (s, c) = (m.kx as f64 * p[0] + m.ky as f64 * p[1]).sin_cos();
                2.0 * (m.re * c - m.im * s)
            })
            .sum()
    }

    /// (u_bg, v_bg) at a point. O(modes).
    pub fn velocity_at(&self, p: [f64; 2]) -> [f64; 2] {
        let mut vel = [0.0, 0.0];
        for m in &self.modes {
            let (kx, ky) = (m.kx as f64, m.ky as f64);
            let k2 = kx * kx + ky * ky;
            let (s, c) = (kx * p[0] + ky * p[1]).sin_cos();
            // 2·Re(i·c·e^{iθ}) = −2(re·sin θ + im·cos θ)
            let q = -2.0 * (m.re * s + m.im * c) / k2;
            vel[0] += ky * q;
            vel[1] -= kx * q;
        }
        vel
    }
}

/// The state: atoms (kept in canonical order by every operation of this crate) and a
/// background.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AtomState {
    /// The atoms (support: presence in this list).
    pub atoms: Vec<Atom>,
    /// The low-k background.
    pub background: Background,
}

impl AtomState {
    /// A state from atoms (put into canonical order) and a background.
    pub fn new(mut atoms: Vec<Atom>, background: Background) -> AtomState {
        canonical_sort(&mut atoms);
        AtomState { atoms, background }
    }

    /// `(ΣΓ, ΣσΓ)` over the atoms (in the stored order).
    pub fn totals(&self) -> (f64, f64) {
        totals(&self.atoms)
    }

    /// Total vertex count V = Σ V_a (the velocity sum costs O(V²)).
    pub fn vertex_count(&self) -> usize {
        self.atoms.iter().map(Atom::vertex_count).sum()
    }

    /// Floats stored: Σ atom floats + background floats (the state size compared with
    /// the v4 proxy's D).
    pub fn floats(&self) -> usize {
        self.atoms.iter().map(Atom::floats).sum::<usize>() + self.background.floats()
    }
}
