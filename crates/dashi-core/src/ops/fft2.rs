//! The 2D FFT as a program of KernelOps, written once for every executor.
//!
//! For a batch of `n×n` complex fields (row-major `[iy][ix]`, interleaved `(re, im)`):
//!
//! ```text
//! forward  F̂[ky][kx] = Σ_{iy,ix} f[iy][ix] · e^{−2πi (kx·ix + ky·iy)/n}      (unscaled)
//! inverse  f[iy][ix] = (1/n²) Σ_{ky,kx} F̂[ky][kx] · e^{+2πi (kx·ix + ky·iy)/n}
//! ```
//!
//! — NumPy's `fft2`/`ifft2` (`fft_norm = "backward"`, SPEC §4). Each is two `fft_rows`
//! passes, each writing its `n×n` blocks transposed: rows are transformed, the block
//! is transposed, the former columns are transformed, and the second transpose restores
//! the orientation. The CPU executor runs the same two ops with rustfft per row.

use super::{BufferId, ElemType, ExecError, Executor, FFT_ROWS, FftParams, fft_twiddles};

/// Buffers and sizes for 2D FFTs of `batch` fields of `n×n` on one executor.
#[derive(Debug)]
pub struct Fft2Program {
    n: usize,
    batch: usize,
    twiddles: BufferId,
    scratch: BufferId,
}

impl Fft2Program {
    /// Uploads the twiddles (computed in f64) and allocates one scratch field batch.
    /// `n` must be a power of two in `2..=4096` (checked again by the op's domain).
    pub fn new<E: Executor + ?Sized>(exec: &mut E, n: usize, batch: usize) -> Result<Self, ExecError> {
        if !n.is_power_of_two() || !(2..=super::FFT_MAX_N as usize).contains(&n) || batch == 0 {
            return Err(ExecError::InvalidParams {
                op: FFT_ROWS.name,
                message: format!("fft2 needs n a power of two in 2..=4096 and batch >= 1 (n = {n}, batch = {batch})"),
            });
        }
        let twiddles = exec.alloc(ElemType::Real, n)?;
        exec.upload_real(twiddles, &fft_twiddles(n))?;
        let scratch = exec.alloc(ElemType::Real, 2 * n * n * batch)?;
        Ok(Fft2Program { n, batch, twiddles, scratch })
    }

    /// Length of a field batch buffer in reals (`2·n²·batch`).
    pub fn buffer_len(&self) -> usize {
        2 * self.n * self.n * self.batch
    }

    fn run<E: Executor + ?Sized>(
        &self,
        exec: &mut E,
        src: BufferId,
        dst: BufferId,
        inverse: bool,
    ) -> Result<(), ExecError> {
        let params = FftParams::new(self.n as u32, (self.n * self.batch) as u32, inverse, true);
        let bytes = bytemuck::bytes_of(&params);
        exec.enqueue(&FFT_ROWS, &[src, self.scratch, self.twiddles], bytes)?;
        exec.enqueue(&FFT_ROWS, &[self.scratch, dst, self.twiddles], bytes)
    }

    /// Forward 2D FFT of every field of `src` into `dst` (`dst` may be `src`).
    pub fn forward<E: Executor + ?Sized>(&self, exec: &mut E, src: BufferId, dst: BufferId) -> Result<(), ExecError> {
        self.run(exec, src, dst, false)
    }

    /// Inverse 2D FFT (scaled by `1/n²`) of every field of `src` into `dst`.
    pub fn inverse<E: Executor + ?Sized>(&self, exec: &mut E, src: BufferId, dst: BufferId) -> Result<(), ExecError> {
        self.run(exec, src, dst, true)
    }

    /// Releases the program's buffers.
    pub fn free<E: Executor + ?Sized>(self, exec: &mut E) -> Result<(), ExecError> {
        exec.free(self.twiddles)?;
        exec.free(self.scratch)
    }
}
