//! Autonomous rollout of the fitted operator over an [`Executor`]:
//! `z_{t+1} = z_t · A` (row-vector convention, SPEC §2.4), state device-resident and
//! double-buffered (`gemv_row`), or `Z_{t+1} = Z_t · A` for a batch of trajectories
//! (`gemm_batched`). Stride jumping steps by `A^s` (computed on the host in f64 by
//! repeated squaring, [`dashi_core::linear::LinearOperator::power`]).

use crate::dispatch;
use crate::error::CodecError;
use dashi_core::linear::LinearOperator;
use dashi_core::ops::{BufferId, ElemType, Executor, GEMM_BATCHED, GEMV_ROW, GemmParams, GemvParams};

/// A device-resident rollout of `batch` trajectories through `A^stride`.
#[derive(Debug)]
pub struct Rollout {
    dim: usize,
    batch: usize,
    stride: u64,
    operator: BufferId,
    state: [BufferId; 2],
    current: usize,
    steps: u64,
}

impl Rollout {
    /// Uploads `A^stride` and the initial states `z0` (`batch × D`, row-major).
    pub fn new<E: Executor + ?Sized>(
        exec: &mut E,
        operator: &LinearOperator<f64>,
        z0: &[f64],
        batch: usize,
        stride: u64,
    ) -> Result<Self, CodecError> {
        let dim = operator.dim();
        if batch == 0 || z0.len() != batch * dim {
            return Err(CodecError::Shape {
                what: "rollout initial states",
                expected: format!("batch ≥ 1 × D = {dim}"),
                found: z0.len().to_string(),
            });
        }
        if stride == 0 {
            return Err(crate::error::config_error("stride", 0, "must be >= 1"));
        }
        let jump = if stride == 1 { operator.clone() } else { operator.power(stride) };
        let a = exec.alloc(ElemType::Real, dim * dim)?;
        exec.upload_real(a, jump.as_slice())?;
        let state = [exec.alloc(ElemType::Real, batch * dim)?, exec.alloc(ElemType::Real, batch * dim)?];
        exec.upload_real(state[0], z0)?;
        Ok(Rollout { dim, batch, stride, operator: a, state, current: 0, steps: 0 })
    }

    /// Operator steps taken so far (each `stride` frames).
    pub fn frames(&self) -> u64 {
        self.steps * self.stride
    }

    /// Enqueues one step (`stride` frames). Nothing is read back.
    pub fn step<E: Executor + ?Sized>(&mut self, exec: &mut E) -> Result<(), CodecError> {
        let (src, dst) = (self.state[self.current], self.state[1 - self.current]);
        let d = self.dim as u32;
        if self.batch == 1 {
            dispatch(exec, &GEMV_ROW, &[src, self.operator, dst], &GemvParams::new(d, d))?;
        } else {
            dispatch(exec, &GEMM_BATCHED, &[src, self.operator, dst], &GemmParams::new(self.batch as u32, d, d))?;
        }
        self.current = 1 - self.current;
        self.steps += 1;
        Ok(())
    }

    /// The device buffer holding the current states (`batch × D`).
    pub fn state_buffer(&self) -> BufferId {
        self.state[self.current]
    }

    /// Downloads the current states, refusing non-finite ones (the error names the frame).
    pub fn download<E: Executor + ?Sized>(&self, exec: &mut E) -> Result<Vec<f64>, CodecError> {
        let z = exec.download_real(self.state_buffer())?;
        if let Some(index) = z.iter().position(|v| !v.is_finite()) {
            return Err(CodecError::Diverged { step: self.frames(), index, value: z[index] });
        }
        Ok(z)
    }

    /// Releases the device buffers.
    pub fn free<E: Executor + ?Sized>(self, exec: &mut E) -> Result<(), CodecError> {
        exec.free(self.operator)?;
        for b in self.state {
            exec.free(b)?;
        }
        Ok(())
    }
}
