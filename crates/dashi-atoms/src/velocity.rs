//! The induced velocity of a state: direct sum over all vertex blobs plus the background.
//!
//! ```text
//! u(x) = Σ_atoms Σ_{k<V_a} (σ_aΓ_a/V_a) · K_{ε_a}(x − v_{a,k})  +  u_bg(x)
//! ```
//!
//! with K_ε the periodic Gaussian-blob kernel of [`crate::kernel`]. **Complexity**:
//! O(V_targets · V_sources) kernel evaluations (each one `exp`, one `sin_cos`, one `exp_m1`
//! and ~7 divisions; ≈ 40 ns per pair on a busy 2-core machine), O(V²) for
//! the vertex velocities of a state with V vertices, plus O(V · modes) for the background;
//! independent of any grid. Targets are spread over rayon's pool; each target's sum
//! runs over the sources in one fixed order, so results are bitwise reproducible for any
//! thread count.
//!
//! [`vertex_velocities_on`] computes the same velocities with the `biot_savart` KernelOp
//! ([`crate::ops::BIOT_SAVART`], the same kernel) on any [`Executor`] — the CPU
//! reference, or dashi-gpu's `GpuExecutor` (f32 on the device, ≤ 1e-4 relative).

use crate::kernel::{COLUMNS, blob_velocity};
use crate::ops::{BIOT_SAVART, BiotSavartBuffers, BiotSavartParams};
use crate::state::{AtomState, Background};
use dashi_core::ops::{BufferId, ElemType, ExecError, Executor};
use rayon::prelude::*;

/// Flattened sources: position, signed vertex circulation σΓ/V, core ε.
#[derive(Clone, Debug, Default)]
pub(crate) struct Sources {
    pub(crate) pos: Vec<[f64; 2]>,
    pub(crate) strength: Vec<f64>,
    pub(crate) core: Vec<f64>,
}

impl Sources {
    pub(crate) fn of(state: &AtomState) -> Sources {
        let mut s = Sources::default();
        for a in &state.atoms {
            let w = a.vertex_circulation();
            for &v in a.vertices() {
                s.pos.push(v);
                s.strength.push(w);
                s.core.push(a.core());
            }
        }
        s
    }
}

/// Velocity at `targets` of sources at `pos` (same strengths/cores as `sources`).
pub(crate) fn velocities_at(
    sources: &Sources,
    pos: &[[f64; 2]],
    background: &Background,
    targets: &[[f64; 2]],
) -> Vec<[f64; 2]> {
    const MIN_PER_TASK: usize = 16;
    targets
        .par_iter()
        .with_min_len(MIN_PER_TASK)
        .map(|&t| {
            let mut vel = background.velocity_at(t);
            for ((p, &w), &eps) in pos.iter().zip(&sources.strength).zip(&sources.core) {
                let k = blob_velocity(t[0] - p[0], t[1] - p[1], eps);
                vel[0] += w * k[0];
                vel[1] += w * k[1];
            }
            vel
        })
        .collect()
}

/// The velocity the state induces at arbitrary points (atoms + background).
pub fn velocity_at(state: &AtomState, points: &[[f64; 2]]) -> Vec<[f64; 2]> {
    let sources = Sources::of(state);
    velocities_at(&sources, &sources.pos, &state.background, points)
}

/// The velocity of every vertex, in state order (atom by atom, vertex by vertex).
pub fn vertex_velocities(state: &AtomState) -> Vec<[f64; 2]> {
    let sources = Sources::of(state);
    velocities_at(&sources, &sources.pos, &state.background, &sources.pos)
}

/// [`vertex_velocities`] computed by the `biot_savart` KernelOp on `exec`: uploads the
/// vertices as sources and targets, dispatches once, downloads, adds the background on
/// the host. On [`dashi_core::ops::CpuExecutor`] in f64 it agrees with
/// [`vertex_velocities`] to rounding (the background is added after the atom sum
/// instead of before); on an f32 executor to f32 accuracy. A state without vertices
/// returns an empty vector without touching the executor.
///
/// # Errors
/// Any [`ExecError`] of the executor (allocation, transfer, a state too large for the
/// op's `u32` counts); buffers allocated here are freed on every path.
pub fn vertex_velocities_on(exec: &mut dyn Executor, state: &AtomState) -> Result<Vec<[f64; 2]>, ExecError> {
    let sources = Sources::of(state);
    let n = sources.pos.len();
    if n == 0 {
        return Ok(Vec::new());
    }
    let count = u32::try_from(n).map_err(|_| ExecError::InvalidParams {
        op: BIOT_SAVART.name,
        message: format!("{n} vertices exceed the op's u32 counts"),
    })?;
    let pos: Vec<f64> = sources.pos.iter().flatten().copied().collect();
    let blobs: Vec<f64> = sources.strength.iter().zip(&sources.core).flat_map(|(&w, &eps)| [w, eps]).collect();
    let mut ids: Vec<BufferId> = Vec::with_capacity(4);
    let result = (|| {
        for data in [&pos, &blobs, &pos] {
            let id = exec.alloc(ElemType::Real, data.len())?;
            ids.push(id);
            exec.upload_real(id, data)?;
        }
        let out = exec.alloc(ElemType::Real, 2 * n)?;
        ids.push(out);
        let params = BiotSavartParams::new(count, count, COLUMNS as u32);
        let buffers = BiotSavartBuffers { pos: ids[0], blobs: ids[1], targets: ids[2], vel: out };
        BIOT_SAVART.run(exec, buffers, &params)?;
        exec.flush()?;
        exec.download_real(out)
    })();
    for id in ids {
        // Best effort: a failed free must not hide the dispatch's own error.
        let _ = exec.free(id);
    }
    let vel = result?;
    Ok(sources
        .pos
        .iter()
        .zip(vel.chunks_exact(2))
        .map(|(&p, v)| {
            let bg = state.background.velocity_at(p);
            [v[0] + bg[0], v[1] + bg[1]]
        })
        .collect())
}
