//! # dashi-atoms — v5 filament atoms (docs/DESIGN.md §2.5)
//!
//! A sparse state of signed vorticity atoms that evolves by its own induced velocity
//! and is kept in a deterministic minimum-description-length normal form; the grid is
//! only a rendering chart.
//!
//! ```text
//! atom     a = (γ, σ, Γ, ε, ξ): polyline γ = (v_0 … v_{V−1}), sign σ ∈ {−1,+1},
//!          magnitude Γ ≥ 0, core ε, channels ξ; support = presence in the state
//! state    S = (atoms, background)   background: low-k Fourier modes of ω (frozen)
//! velocity u(x) = Σ_a Σ_k (σ_aΓ_a/V_a)·K_{ε_a}(x − v_{a,k}) + u_bg(x)
//!          K_ε: exact periodic point vortex (image columns, coth series, error ≈ 1e-10·Γ)
//!          with the nearest image's core regularised to a Gaussian (Lamb–Oseen) blob
//! step     vertices by RK4/RK2 → core spreading ε² += 4νΔt → Π_MDL
//! Π_MDL    canonicalise → prune → split* → prune → merge* → prune → budget
//!          (deterministic, idempotent, ledger of ΔΓ and ΔσΓ per stage)
//! decode   ω(x) = Σ_a Σ_k (σ_aΓ_a/V_a)·φ_ε(x − v_{a,k}) + ω_bg,  φ_ε = e^{−r²/ε²}/(πε²)
//! encode   threshold |ω| → basins of each local maximum (or connected components) →
//!          one atom each (+ background of the residual)
//! threads  genealogy DAG (t, i) → (t+1, j): continue / split / merge / death / birth,
//!          exact from transport identity + the Π_MDL trace; per-step Γ / σΓ audit
//! ```
//!
//! **Conventions** (shared with dashi-les / dashi-codec, docs/DESIGN.md §4): the periodic box is
//! [0, 2π)² ([`DOMAIN_LENGTH`]); grids are N×N, row-major `[iy][ix]`, x_j = 2πj/N;
//! ∇²ψ = −ω, u = ∂ψ/∂y, v = −∂ψ/∂x (Γ > 0 turns counter-clockwise); enstrophy is
//! 0.5·mean(ω²). The periodic velocity is that of the zero-mean field: a state with net
//! circulation C = ΣσΓ ≠ 0 moves as if a uniform background −C/(2π)² were present (the
//! decoded grid does *not* include that uniform part; its mean is C/(2π)²).
//!
//! **Carrier factorisation.** Support (the atom is in the list), sign ([`Sign`], no zero
//! value) and magnitude (Γ ≥ 0) are separate fields; an atom whose Γ reaches 0 is
//! removed by Π_MDL, never kept with a zero sign ([`Atom::trit`] is never `Zero`).
//!
//! **Determinism.** Every operation sorts atoms by a total order on their content
//! ([`Atom::canonical_cmp`]) and breaks every tie by it, so results do not depend on
//! input order or thread count.
//!
//! **Complexity.** A velocity evaluation is O(V²) in the total vertex count V (direct
//! sum, parallel over targets with rayon) — independent of any grid; the grid appears
//! only in [`rasterise`] (O(V·(ε/h)²) + O(N²·modes)) and [`encode()`] (O(N²·modes)).
//!
//! **Not yet here**: channel dynamics, a background update rule, ridge tracing in the
//! encoder, and `step` on the executor (the velocity sum exists as the `biot_savart`
//! KernelOp, used by [`vertex_velocities_on`]; `step` still sums on the host). The CLI is
//! `dashi atoms`; the v4 head-to-head is in docs/CODEC.md.

#![deny(missing_docs)]

pub mod atom;
pub mod decode;
pub mod encode;
pub mod error;
pub mod geometry;
pub mod kernel;
pub mod ledger;
pub mod mdl;
pub mod ops;
pub mod state;
pub mod step;
pub mod threads;
pub mod velocity;

pub use atom::{Atom, MAX_CORE, Sign, canonical_sort, totals};
pub use decode::{MAX_GRID, enstrophy, rasterise};
pub use encode::{EncodeConfig, encode};
pub use error::AtomError;
pub use geometry::DOMAIN_LENGTH;
pub use ledger::{Balance, Events, Ledger};
pub use mdl::{
    Budget, MdlConfig, MdlEvent, MergeConfig, SplitConfig, Trace, captured_enstrophy, normal_form, normal_form_traced,
};
pub use state::{AtomState, Background, Mode};
pub use step::{Scheme, StepConfig, StepReport, run, step, step_traced, transport};
pub use threads::{
    Cause, Death, DeathCause, Edge, EdgeKind, Genealogy, Lifetime, MatchConfig, Node, Provenance, StepAudit,
    StepEvents, match_atoms, run_with_threads,
};
pub use velocity::{velocity_at, vertex_velocities, vertex_velocities_on};

/// The README's example, compiled and run as a doctest so it cannot rot.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
