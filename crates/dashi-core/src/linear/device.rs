//! Rollout on an executor — the one rollout implementation the GPU crate, the codec
//! and the CLI share: `z_{t+1} = z_t · A` (row-vector convention) with the state
//! device-resident and double-buffered (`gemv_row`), or `Z_{t+1} = Z_t · A` for
//! `batch` trajectories as the rows of `Z` (`gemm_batched`).
//!
//! A [`DeviceRollout`] applies `A^stride` (computed on the host in f64 by repeated
//! squaring, [`LinearOperator::power`]) per step, so with `stride = s` one step
//! advances `s` plain steps (stride jumping). Runs of steps are enqueued as one chain
//! ([`crate::ops::Executor::enqueue_chain`]: one compute pass of ping-ponged dispatches on
//! the GPU) and submitted every [`SUBMIT_STEPS`] steps without waiting, so the device
//! works while the host records; the host reads the state back only when asked
//! ([`DeviceRollout::download`]) — readback is the observer's choice.
//!
//! On the CPU executor in f64 each step is the same [`super::gemv_row`] /
//! [`super::gemm_rows`] as the host rollout, so states and hashes agree bit for bit.

use super::{LinearOperator, Observer, OperatorError, RolloutError, RolloutSummary};
use crate::ops::{BufferId, ElemType, Executor, GEMM_BATCHED, GEMV_ROW, GemmParams, GemvParams};

/// Steps enqueued per submission: large enough to amortise a submit, small enough that
/// the device starts working while the host records the rest.
pub const SUBMIT_STEPS: u64 = 256;

/// A device-resident rollout of `batch` trajectories through `A^stride`.
#[derive(Debug)]
pub struct DeviceRollout {
    dim: usize,
    batch: usize,
    stride: u64,
    operator: BufferId,
    state: [BufferId; 2],
    current: usize,
    applications: u64,
}

impl DeviceRollout {
    /// Uploads `A^stride` and the initial states `z0` (`batch × D`, row-major).
    pub fn new<E: Executor + ?Sized>(
        exec: &mut E,
        operator: &LinearOperator<f64>,
        z0: &[f64],
        batch: usize,
        stride: u64,
    ) -> Result<Self, RolloutError> {
        if stride == 0 {
            return Err(RolloutError::ZeroStride);
        }
        let dim = operator.dim();
        if batch == 0 || z0.len() != batch.saturating_mul(dim) {
            return Err(OperatorError::StateLength { d: batch.max(1) * dim, found: z0.len() }.into());
        }
        if let Some(index) = z0.iter().position(|v| !v.is_finite()) {
            return Err(RolloutError::NonFinite { step: 0, index, value: z0[index] });
        }
        let jump = if stride == 1 { operator.clone() } else { operator.power(stride) };
        let a = exec.alloc(ElemType::Real, dim * dim)?;
        let mut allocated = vec![a];
        let result = (|| {
            exec.upload_real(a, jump.as_slice())?;
            let s0 = exec.alloc(ElemType::Real, batch * dim)?;
            allocated.push(s0);
            let s1 = exec.alloc(ElemType::Real, batch * dim)?;
            allocated.push(s1);
            exec.upload_real(s0, z0)?;
            Ok([s0, s1])
        })();
        match result {
            Ok(state) => Ok(DeviceRollout { dim, batch, stride, operator: a, state, current: 0, applications: 0 }),
            Err(e) => {
                for b in allocated {
                    let _ = exec.free(b);
                }
                Err(RolloutError::Exec(e))
            }
        }
    }

    /// The state dimension D.
    pub fn dim(&self) -> usize {
        self.dim
    }

    /// Trajectories advanced together.
    pub fn batch(&self) -> usize {
        self.batch
    }

    /// Plain steps per application (`A^stride`).
    pub fn stride(&self) -> u64 {
        self.stride
    }

    /// Plain steps advanced so far (applications × stride).
    pub fn frames(&self) -> u64 {
        self.applications * self.stride
    }

    /// Enqueues one application (`stride` plain steps). Nothing is read back.
    pub fn step<E: Executor + ?Sized>(&mut self, exec: &mut E) -> Result<(), RolloutError> {
        self.advance(exec, 1)
    }

    /// Enqueues `applications` applications as chains of at most [`SUBMIT_STEPS`],
    /// submitting each without waiting. Nothing is read back.
    pub fn advance<E: Executor + ?Sized>(&mut self, exec: &mut E, applications: u64) -> Result<(), RolloutError> {
        let d = self.dim as u32;
        let mut left = applications;
        while left > 0 {
            let chunk = left.min(SUBMIT_STEPS);
            let (cur, next) = (self.state[self.current], self.state[1 - self.current]);
            let sets = [[cur, self.operator, next], [next, self.operator, cur]];
            if self.batch == 1 {
                GEMV_ROW.chain(exec, &sets, &GemvParams::new(d, d), chunk as usize)?;
            } else {
                GEMM_BATCHED.chain(exec, &sets, &GemmParams::new(self.batch as u32, d, d), chunk as usize)?;
            }
            if applications > 1 {
                exec.submit()?;
            }
            self.current = (self.current + chunk as usize) % 2;
            self.applications += chunk;
            left -= chunk;
        }
        Ok(())
    }

    /// The buffer holding the current states (`batch × D`).
    pub fn state_buffer(&self) -> BufferId {
        self.state[self.current]
    }

    /// Downloads the current states, refusing non-finite ones (the error names the
    /// plain step).
    pub fn download<E: Executor + ?Sized>(&self, exec: &mut E) -> Result<Vec<f64>, RolloutError> {
        let z = exec.download_real(self.state_buffer())?;
        if let Some(index) = z.iter().position(|v| !v.is_finite()) {
            return Err(RolloutError::NonFinite { step: self.frames(), index, value: z[index] });
        }
        Ok(z)
    }

    /// Releases the buffers.
    pub fn free<E: Executor + ?Sized>(self, exec: &mut E) -> Result<(), RolloutError> {
        exec.free(self.operator)?;
        for b in self.state {
            exec.free(b)?;
        }
        Ok(())
    }
}

/// Rolls `batch` trajectories (rows of the row-major `batch × D` block `z0`) forward
/// `steps` plain steps of `op` on `exec`, observing every `stride`-th state (the whole
/// `batch × D` block, widened to f64). Steps between observations never leave the
/// device; the NaN/Inf guard runs at every observation, so a non-finite state is an
/// error naming the first *observed* step at or after the event.
pub fn rollout_on<E: Executor + ?Sized, O: Observer<f64> + ?Sized>(
    exec: &mut E,
    op: &LinearOperator<f64>,
    z0: &[f64],
    batch: usize,
    steps: u64,
    stride: u64,
    observer: &mut O,
) -> Result<RolloutSummary<f64>, RolloutError> {
    if stride == 0 {
        return Err(RolloutError::ZeroStride);
    }
    let mut rollout = DeviceRollout::new(exec, op, z0, batch, 1)?;
    let result = (|| -> Result<RolloutSummary<f64>, RolloutError> {
        let mut observations = 0;
        let mut last: Option<(u64, Vec<f64>)> = None;
        while rollout.frames() < steps {
            let t = rollout.frames();
            let n = (stride - t % stride).min(steps - t);
            rollout.advance(exec, n)?;
            let t = rollout.frames();
            if t % stride == 0 {
                let state = rollout.download(exec)?;
                observer.observe(t, &state);
                observations += 1;
                last = Some((t, state));
            }
        }
        let final_state = match last {
            Some((t, s)) if t == steps => s,
            _ => rollout.download(exec)?,
        };
        Ok(RolloutSummary { final_state, steps, applications: steps, observations })
    })();
    let freed = rollout.free(exec);
    let summary = result?;
    freed?;
    Ok(summary)
}
