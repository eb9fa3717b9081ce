//! Linear rollout on the GPU, `z_{t+1} = z_t · A` (row-vector convention), for one
//! trajectory (gemv) or `M` trajectories at once (batched gemm, `Z_{t+1} = Z_t · A`
//! with the states as rows of `Z`).
//!
//! The matrix and two state buffers live on the device for the whole rollout; the
//! steps between two observations are recorded as compute passes of ping-ponged
//! dispatches ([`GpuExecutor::enqueue_chain`]), submitted every [`SUBMIT_STEPS`] steps
//! without waiting (the device runs one chunk while the host records the next), and
//! the host reads the state back only at observation times. The same
//! [`Observer`]s as the CPU rollout receive `(t, state)`, the state as f32 (for `M`
//! trajectories, the `M×D` row-major block); hashes of f32 states are the canonical
//! hash of their f64 cast, so they are per backend.
//!
//! NaN/Inf guard: the state is checked at every observation; a non-finite state is an
//! error naming the first *observed* step at or after the event (steps between
//! observations never leave the device).

use crate::GpuExecutor;
use dashi_core::linear::{LinearOperator, Observer, RolloutError, RolloutSummary};
use dashi_core::ops::{
    BufferId, ElemType, ExecError, Executor, GEMM_BATCHED, GEMV_ROW, GemmParams, GemvParams, OpSpec,
};

/// Steps recorded per submission: large enough to amortise a submit, small enough that
/// the device starts working while the host records the rest.
pub const SUBMIT_STEPS: u64 = 256;

/// Errors of a GPU rollout.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum GpuRolloutError {
    /// A rollout-level error (zero stride, bad state length, non-finite state).
    #[error(transparent)]
    Rollout(#[from] RolloutError),
    /// A device/executor error.
    #[error(transparent)]
    Exec(#[from] ExecError),
}

/// Rolls `z0` (one trajectory, length D) forward `steps` steps of `op` on the GPU,
/// observing every `stride`-th state.
pub fn rollout<O: Observer<f32> + ?Sized>(
    exec: &mut GpuExecutor,
    op: &LinearOperator<f64>,
    z0: &[f64],
    steps: u64,
    stride: u64,
    observer: &mut O,
) -> Result<RolloutSummary<f32>, GpuRolloutError> {
    rollout_batched(exec, op, z0, 1, steps, stride, observer)
}

/// Rolls `batch` trajectories (rows of the row-major `batch × D` block `z0`) forward
/// together; each step is one batched gemm `Z · A`.
pub fn rollout_batched<O: Observer<f32> + ?Sized>(
    exec: &mut GpuExecutor,
    op: &LinearOperator<f64>,
    z0: &[f64],
    batch: usize,
    steps: u64,
    stride: u64,
    observer: &mut O,
) -> Result<RolloutSummary<f32>, GpuRolloutError> {
    if stride == 0 {
        return Err(RolloutError::ZeroStride.into());
    }
    let d = op.dim();
    if batch == 0 || z0.len() != batch * d {
        return Err(RolloutError::Operator(dashi_core::linear::OperatorError::StateLength {
            d: batch.max(1) * d,
            found: z0.len(),
        })
        .into());
    }
    if let Some(index) = z0.iter().position(|v| !v.is_finite()) {
        return Err(RolloutError::NonFinite { step: 0, index, value: z0[index] }.into());
    }
    let a = exec.alloc(ElemType::Real, d * d)?;
    let mut buffers = vec![a];
    let result = (|| {
        let s0 = exec.alloc(ElemType::Real, batch * d)?;
        buffers.push(s0);
        let s1 = exec.alloc(ElemType::Real, batch * d)?;
        buffers.push(s1);
        exec.upload_real(a, op.as_slice())?;
        exec.upload_real(s0, z0)?;
        let (spec, params): (&'static OpSpec, Vec<u8>) = if batch == 1 {
            (&GEMV_ROW, bytemuck::bytes_of(&GemvParams::new(d as u32, d as u32)).to_vec())
        } else {
            (&GEMM_BATCHED, bytemuck::bytes_of(&GemmParams::new(batch as u32, d as u32, d as u32)).to_vec())
        };
        let states = [s0, s1];
        let mut parity = 0usize;
        let mut t = 0u64;
        let mut observations = 0u64;
        let mut last: Option<(u64, Vec<f32>)> = None;
        while t < steps {
            let n = (stride - t % stride).min(steps - t);
            // Submit every SUBMIT_STEPS steps without waiting, so the device executes
            // one chunk while the host records the next.
            let mut left = n;
            while left > 0 {
                let chunk = left.min(SUBMIT_STEPS);
                let (cur, next) = (states[parity], states[1 - parity]);
                let forward: [BufferId; 3] = [cur, a, next];
                let backward: [BufferId; 3] = [next, a, cur];
                exec.enqueue_chain(spec, &[&forward, &backward], &params, chunk as usize)?;
                exec.submit()?;
                parity = (parity + chunk as usize) % 2;
                left -= chunk;
            }
            t += n;
            if t % stride == 0 {
                let state = read_state(exec, states[parity], t)?;
                observer.observe(t, &state);
                observations += 1;
                last = Some((t, state));
            }
        }
        let final_state = match last {
            Some((lt, s)) if lt == steps => s,
            _ => read_state(exec, states[parity], steps)?,
        };
        Ok(RolloutSummary { final_state, steps, applications: steps, observations })
    })();
    for b in buffers {
        let _ = exec.free(b);
    }
    result
}

fn read_state(exec: &mut GpuExecutor, buf: BufferId, t: u64) -> Result<Vec<f32>, GpuRolloutError> {
    let wide = exec.download_real(buf)?;
    if let Some(index) = wide.iter().position(|v| !v.is_finite()) {
        return Err(RolloutError::NonFinite { step: t, index, value: wide[index] }.into());
    }
    Ok(wide.into_iter().map(|v| v as f32).collect())
}
