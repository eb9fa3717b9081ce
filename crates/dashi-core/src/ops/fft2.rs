//! The 2D FFT as a program of KernelOps, written once for every executor.
//!
//! For a batch of `n×n` complex fields (row-major `[iy][ix]`, interleaved `(re, im)`):
//!
//! ```text
//! forward  F̂[ky][kx] = Σ_{iy,ix} f[iy][ix] · e^{−2πi (kx·ix + ky·iy)/n}      (unscaled)
//! inverse  f[iy][ix] = (1/n²) Σ_{ky,kx} F̂[ky][kx] · e^{+2πi (kx·ix + ky·iy)/n}
//! ```
//!
//! — NumPy's `fft2`/`ifft2` (`fft_norm = "backward"`, docs/DESIGN.md §4). The program is a
//! sequence of `fft_step` ops (Stockham steps, see [`super::FFT_STEP`]): one radix-`n`
//! step along the rows, then the columns in one radix-`n` step or, for large `n`, in
//! steps `(L₁, 1), (L₂, L₁), …` with `L₁⋯L_k = n`.
//!
//! Why the column split: a column step gathers `4096/L` adjacent columns per
//! workgroup, so a radix-`n` column step at `n = 4096` reads one column (8 bytes) per
//! row segment, while steps of radix 64 read 64 adjacent columns (512 bytes) — one more
//! pass over memory, but every DRAM sector fully used. [`Fft2Program::new`] picks the
//! split measured fastest on an H100/H200 (docs/BENCHMARKS.md);
//! [`Fft2Program::with_column_radices`] sets it explicitly. The CPU executor runs the
//! same steps (rustfft per radix-`L` group).

use super::{BufferId, ElemType, ExecError, Executor, FFT_MAX_N, FFT_MIN_N, FFT_STEP, FftStepParams, fft_twiddles};

/// Buffers and sizes for 2D FFTs of `batch` fields of `n×n` on one executor.
#[derive(Debug)]
pub struct Fft2Program {
    n: usize,
    batch: usize,
    column_radices: Vec<u32>,
    twiddles: BufferId,
    scratch: BufferId,
    /// A second scratch batch, present when the columns take more than one step.
    scratch2: Option<BufferId>,
}

/// The default column split: one step up to `n = 1024` (≥ 4 adjacent columns = one
/// 32-byte sector per row segment), steps `[n/16, 16]` above. Measured on an H100
/// (every two-step split, same run; docs/BENCHMARKS.md): at n = 2048 `[128, 16]` beat
/// one step by 36% and the other splits by 6%; at n = 4096 `[256, 16]` beat one step
/// by 79% and the other splits by 2%.
pub fn default_column_radices(n: usize) -> Vec<u32> {
    if n <= 1024 { vec![n as u32] } else { vec![n as u32 / 16, 16] }
}

impl Fft2Program {
    /// Uploads the twiddles (computed in f64) and allocates the scratch field batch(es),
    /// with the default column split ([`default_column_radices`]). `n` must be a power
    /// of two in `16..=4096`.
    pub fn new<E: Executor + ?Sized>(exec: &mut E, n: usize, batch: usize) -> Result<Self, ExecError> {
        Self::with_column_radices(exec, n, batch, &default_column_radices(n.max(1)))
    }

    /// As [`Fft2Program::new`], with the column transform split into steps of the given
    /// radices (powers of two, each ≥ 16, product `n`).
    pub fn with_column_radices<E: Executor + ?Sized>(
        exec: &mut E,
        n: usize,
        batch: usize,
        column_radices: &[u32],
    ) -> Result<Self, ExecError> {
        let invalid = |message: String| ExecError::InvalidParams { op: FFT_STEP.name, message };
        if !n.is_power_of_two() || !(FFT_MIN_N as usize..=FFT_MAX_N as usize).contains(&n) || batch == 0 {
            return Err(invalid(format!(
                "fft2 needs n a power of two in {FFT_MIN_N}..={FFT_MAX_N} and batch >= 1 (n = {n}, batch = {batch})"
            )));
        }
        let product: u64 = column_radices.iter().map(|&r| u64::from(r)).product();
        if column_radices.is_empty()
            || product != n as u64
            || column_radices.iter().any(|&r| !r.is_power_of_two() || r < FFT_MIN_N)
        {
            return Err(invalid(format!(
                "column radices {column_radices:?} must be powers of two >= {FFT_MIN_N} with product n = {n}"
            )));
        }
        let twiddles = exec.alloc(ElemType::Real, n)?;
        exec.upload_real(twiddles, &fft_twiddles(n))?;
        let scratch = exec.alloc(ElemType::Real, 2 * n * n * batch)?;
        let scratch2 =
            if column_radices.len() > 1 { Some(exec.alloc(ElemType::Real, 2 * n * n * batch)?) } else { None };
        Ok(Fft2Program { n, batch, column_radices: column_radices.to_vec(), twiddles, scratch, scratch2 })
    }

    /// Length of a field batch buffer in reals (`2·n²·batch`).
    pub fn buffer_len(&self) -> usize {
        2 * self.n * self.n * self.batch
    }

    /// The radices of the column steps.
    pub fn column_radices(&self) -> &[u32] {
        &self.column_radices
    }

    /// Number of `fft_step` ops (passes over memory) per transform.
    pub fn steps(&self) -> usize {
        1 + self.column_radices.len()
    }

    fn run<E: Executor + ?Sized>(
        &self,
        exec: &mut E,
        src: BufferId,
        dst: BufferId,
        inverse: bool,
    ) -> Result<(), ExecError> {
        let (n, fields) = (self.n as u32, self.batch as u32);
        let rows = FftStepParams::new(n, fields, 0, n, 1, inverse);
        exec.enqueue(&FFT_STEP, &[src, self.scratch, self.twiddles], bytemuck::bytes_of(&rows))?;
        let mut from = self.scratch;
        let mut span = 1;
        for (i, &radix) in self.column_radices.iter().enumerate() {
            let to = if i + 1 == self.column_radices.len() {
                dst
            } else if from == self.scratch {
                self.scratch2.expect("two scratch batches for a split column transform")
            } else {
                self.scratch
            };
            let step = FftStepParams::new(n, fields, 1, radix, span, inverse);
            exec.enqueue(&FFT_STEP, &[from, to, self.twiddles], bytemuck::bytes_of(&step))?;
            span *= radix;
            from = to;
        }
        Ok(())
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
        if let Some(s) = self.scratch2 {
            exec.free(s)?;
        }
        exec.free(self.scratch)
    }
}

/// 2D FFTs of **real** fields at half the complex work: fields `2f` and `2f+1` travel
/// as one complex field `z = a + i·b` (`real_pairs`), one complex [`Fft2Program`] runs
/// on the `fields/2` packed fields, and Hermitian symmetry separates the spectra
/// (`split_pair_spectra`: `A[k] = (Z[k] + Z̄[−k])/2`, `B[k] = (Z[k] − Z̄[−k])/(2i)`).
/// The inverse combines `Z = A + i·B` (`combine_pair_spectra`), inverts, and unpacks
/// `a = Re z`, `b = Im z` — exact when `A` and `B` are spectra of real fields (Hermitian);
/// otherwise the anti-Hermitian parts leak between the pair, as in any `irfft2`.
///
/// Layouts: real fields `[field][iy][ix]` (`fields·n²` reals); spectra full-layout
/// complex `[field][ky][kx]` (`2·fields·n²` reals), conventions of [`Fft2Program`].
#[derive(Debug)]
pub struct RealFft2Program {
    complex: Fft2Program,
    n: usize,
    pairs: usize,
    packed: BufferId,
}

impl RealFft2Program {
    /// A program for `fields` real `n×n` fields (`fields` even and ≥ 2; pad an odd
    /// batch with a zero field).
    pub fn new<E: Executor + ?Sized>(exec: &mut E, n: usize, fields: usize) -> Result<Self, ExecError> {
        if fields == 0 || !fields.is_multiple_of(2) {
            return Err(ExecError::InvalidParams {
                op: super::REAL_PAIRS.name,
                message: format!("real fft2 packs fields in pairs: fields = {fields} must be even and >= 2"),
            });
        }
        let pairs = fields / 2;
        let complex = Fft2Program::new(exec, n, pairs)?;
        let packed = exec.alloc(ElemType::Real, complex.buffer_len())?;
        Ok(RealFft2Program { complex, n, pairs, packed })
    }

    /// Length in reals of the real-field buffer (`fields·n²`).
    pub fn real_len(&self) -> usize {
        2 * self.pairs * self.n * self.n
    }

    /// Length in reals of the spectrum buffer (`2·fields·n²`).
    pub fn spectrum_len(&self) -> usize {
        4 * self.pairs * self.n * self.n
    }

    fn params(&self, unpack: bool) -> super::PairParams {
        super::PairParams::new(self.n as u32, self.pairs as u32, unpack)
    }

    /// Spectra of every real field of `reals` into `spectra`.
    pub fn forward<E: Executor + ?Sized>(
        &self,
        exec: &mut E,
        reals: BufferId,
        spectra: BufferId,
    ) -> Result<(), ExecError> {
        let (pack, split) = (self.params(false), self.params(false));
        exec.enqueue(&super::REAL_PAIRS, &[reals, self.packed], bytemuck::bytes_of(&pack))?;
        self.complex.forward(exec, self.packed, self.packed)?;
        exec.enqueue(&super::SPLIT_PAIR_SPECTRA, &[self.packed, spectra], bytemuck::bytes_of(&split))
    }

    /// Real fields (scaled by `1/n²`, NumPy's `irfft2` convention) of every spectrum.
    pub fn inverse<E: Executor + ?Sized>(
        &self,
        exec: &mut E,
        spectra: BufferId,
        reals: BufferId,
    ) -> Result<(), ExecError> {
        let (combine, unpack) = (self.params(false), self.params(true));
        exec.enqueue(&super::COMBINE_PAIR_SPECTRA, &[spectra, self.packed], bytemuck::bytes_of(&combine))?;
        self.complex.inverse(exec, self.packed, self.packed)?;
        exec.enqueue(&super::REAL_PAIRS, &[self.packed, reals], bytemuck::bytes_of(&unpack))
    }

    /// Releases the program's buffers.
    pub fn free<E: Executor + ?Sized>(self, exec: &mut E) -> Result<(), ExecError> {
        exec.free(self.packed)?;
        self.complex.free(exec)
    }
}
