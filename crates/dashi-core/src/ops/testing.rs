//! The op-test harness every family's tests use (this crate's, `dashi-gpu`'s parity
//! tests, and the LES, codec and atoms families'), so the checks are written once.
//!
//! * [`run`] — one dispatch on any executor with given contents per binding: every
//!   written binding gets [`TAIL`] poisoned elements past its contents, which must keep
//!   their poison (no out-of-range write); every read-only binding must come back
//!   unchanged; all bindings' contents after the op are returned.
//! * [`random_inputs`] — seeded contents for every binding of an op, sized by its
//!   length rules (reals in `[−1, 1)`, random `u32`/`i32` words) — for ops whose
//!   inputs have no structure; structured ops build their own.
//! * [`check_reference`] — the CPU executor in f64 and in f32 against a naive
//!   reference computed on the same (precision-rounded) inputs.
//! * [`check_parity`] — another executor (the GPU) against the CPU executor, with a
//!   stated [`Tolerance`].
//!
//! Everything panics with a message naming the op, binding and element on failure
//! (this is test code).

use super::{Access, BufferId, CpuExecutor, ElemType, ExecError, Executor, OpSpec, Params, Precision};
use crate::random::SplitMix64;

/// Extra elements past each written binding's contents, poisoned and checked.
pub const TAIL: usize = 3;
/// Poison of real elements.
pub const POISON_REAL: f64 = 12345.0;
/// Poison of `u32` elements.
pub const POISON_U32: u32 = 0xDEAD_BEEF;
/// Poison of `i32` elements.
pub const POISON_I32: i32 = -0x2152_4111;

/// One binding's contents.
#[derive(Clone, Debug, PartialEq)]
pub enum Buf {
    /// Reals (rounded to the executor's precision on upload).
    Real(Vec<f64>),
    /// `u32` words.
    U32(Vec<u32>),
    /// `i32` values.
    I32(Vec<i32>),
}

impl Buf {
    /// `len` poison reals.
    pub fn poison_real(len: usize) -> Self {
        Buf::Real(vec![POISON_REAL; len])
    }

    /// `len` poison words.
    pub fn poison_u32(len: usize) -> Self {
        Buf::U32(vec![POISON_U32; len])
    }

    /// `len` poison `i32`s.
    pub fn poison_i32(len: usize) -> Self {
        Buf::I32(vec![POISON_I32; len])
    }

    /// The reals (panics for another type).
    pub fn reals(&self) -> &[f64] {
        match self {
            Buf::Real(v) => v,
            other => panic!("not a real buffer: {other:?}"),
        }
    }

    /// The words (panics for another type).
    pub fn words(&self) -> &[u32] {
        match self {
            Buf::U32(v) => v,
            other => panic!("not a u32 buffer: {other:?}"),
        }
    }

    /// The `i32`s (panics for another type).
    pub fn ints(&self) -> &[i32] {
        match self {
            Buf::I32(v) => v,
            other => panic!("not an i32 buffer: {other:?}"),
        }
    }

    /// Element type.
    pub fn elem(&self) -> ElemType {
        match self {
            Buf::Real(_) => ElemType::Real,
            Buf::U32(_) => ElemType::U32,
            Buf::I32(_) => ElemType::I32,
        }
    }

    /// Number of elements.
    pub fn len(&self) -> usize {
        match self {
            Buf::Real(v) => v.len(),
            Buf::U32(v) => v.len(),
            Buf::I32(v) => v.len(),
        }
    }

    /// Whether empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The contents as an executor of `precision` holds them (reals rounded).
    pub fn rounded(&self, precision: Precision) -> Buf {
        match (self, precision) {
            (Buf::Real(v), Precision::F32) => Buf::Real(v.iter().map(|&x| f64::from(x as f32)).collect()),
            (other, _) => other.clone(),
        }
    }
}

fn upload<E: Executor + ?Sized>(exec: &mut E, buf: BufferId, data: &Buf) -> Result<(), ExecError> {
    match data {
        Buf::Real(v) => exec.upload_real(buf, v),
        Buf::U32(v) => exec.upload_u32(buf, v),
        Buf::I32(v) => exec.upload_i32(buf, v),
    }
}

fn download<E: Executor + ?Sized>(exec: &mut E, buf: BufferId, elem: ElemType) -> Result<Buf, ExecError> {
    Ok(match elem {
        ElemType::Real => Buf::Real(exec.download_real(buf)?),
        ElemType::U32 => Buf::U32(exec.download_u32(buf)?),
        ElemType::I32 => Buf::I32(exec.download_i32(buf)?),
    })
}

fn with_tail(data: &Buf) -> Buf {
    match data {
        Buf::Real(v) => Buf::Real(v.iter().copied().chain([POISON_REAL; TAIL]).collect()),
        Buf::U32(v) => Buf::U32(v.iter().copied().chain([POISON_U32; TAIL]).collect()),
        Buf::I32(v) => Buf::I32(v.iter().copied().chain([POISON_I32; TAIL]).collect()),
    }
}

fn split_tail(op: &str, name: &str, mut data: Buf, len: usize) -> Buf {
    let intact = match &mut data {
        Buf::Real(v) => {
            let ok = v[len..].iter().all(|&x| x == POISON_REAL);
            v.truncate(len);
            ok
        }
        Buf::U32(v) => {
            let ok = v[len..].iter().all(|&x| x == POISON_U32);
            v.truncate(len);
            ok
        }
        Buf::I32(v) => {
            let ok = v[len..].iter().all(|&x| x == POISON_I32);
            v.truncate(len);
            ok
        }
    };
    assert!(intact, "{op}: binding {name} was written past its {len} elements (the poisoned tail changed)");
    data
}

/// Runs `op` once on `exec`, binding `inputs[i]` (uploaded as given) to binding `i`,
/// and returns every binding's contents afterwards. Written bindings get [`TAIL`]
/// poisoned elements past their contents, checked to be untouched; read-only bindings
/// are checked to be unchanged. Buffers are freed before returning.
pub fn run<E: Executor + ?Sized>(
    exec: &mut E,
    op: &'static OpSpec,
    inputs: &[Buf],
    params: &[u8],
) -> Result<Vec<Buf>, ExecError> {
    assert_eq!(inputs.len(), op.bindings.len(), "{}: one input per binding", op.name);
    let mut ids = Vec::with_capacity(inputs.len());
    let result = (|| {
        let mut before = Vec::with_capacity(inputs.len());
        for (data, b) in inputs.iter().zip(op.bindings) {
            let contents = if b.access == Access::ReadWrite { with_tail(data) } else { data.clone() };
            let id = exec.alloc(data.elem(), contents.len())?;
            ids.push(id);
            upload(exec, id, &contents)?;
            before.push(if b.access == Access::Read { Some(download(exec, id, data.elem())?) } else { None });
        }
        exec.enqueue(op, &ids, params)?;
        exec.flush()?;
        let mut out = Vec::with_capacity(inputs.len());
        for ((&id, (data, b)), before) in ids.iter().zip(inputs.iter().zip(op.bindings)).zip(before) {
            let after = download(exec, id, data.elem())?;
            match before {
                Some(before) => {
                    assert!(after == before, "{}: read-only binding {} changed", op.name, b.name);
                    out.push(after);
                }
                None => out.push(split_tail(op.name, b.name, after, data.len())),
            }
        }
        Ok(out)
    })();
    for id in ids {
        let _ = exec.free(id);
    }
    result
}

/// Seeded contents for every binding of `op` under `params`, each as long as its
/// length rule: reals uniform in `[−1, 1)`, `u32` and `i32` uniform words.
pub fn random_inputs(op: &OpSpec, params: &[u8], seed: u64) -> Vec<Buf> {
    let p = Params::new(op, params);
    let mut g = SplitMix64::new(seed);
    op.bindings
        .iter()
        .map(|b| {
            let len = b.len.eval(&p);
            match b.elem {
                ElemType::Real => Buf::Real((0..len).map(|_| 2.0 * g.next_f64() - 1.0).collect()),
                ElemType::U32 => Buf::U32((0..len).map(|_| g.next_u64() as u32).collect()),
                ElemType::I32 => Buf::I32((0..len).map(|_| g.next_u64() as i32).collect()),
            }
        })
        .collect()
}

/// How closely two results must agree.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Tolerance {
    /// Bit for bit (reals compared as the f32 or f64 values they are).
    Exact,
    /// `|got − want| ≤ bound` per element.
    Abs(f64),
    /// `|got − want| ≤ bound·max(|want|, floor)` per element.
    Rel {
        /// Relative bound.
        bound: f64,
        /// Magnitude below which the bound is absolute (`bound·floor`).
        floor: f64,
    },
    /// `‖got − want‖₂ ≤ bound·‖want‖₂` over each binding.
    RelL2(f64),
}

/// `error ≤ bound`, false when either is NaN (so a NaN result always fails a check).
fn within(error: f64, bound: f64) -> bool {
    error <= bound
}

/// Compares `got` with `want` binding by binding; integer bindings always exactly.
pub fn assert_close(what: &str, names: &[&str], got: &[Buf], want: &[Buf], tolerance: Tolerance) {
    assert_eq!(got.len(), want.len(), "{what}: binding count");
    for ((g, w), name) in got.iter().zip(want).zip(names) {
        match (g, w) {
            (Buf::Real(g), Buf::Real(w)) => {
                assert_eq!(g.len(), w.len(), "{what}: {name} length");
                match tolerance {
                    Tolerance::Exact => {
                        if let Some(i) = (0..g.len()).find(|&i| g[i].to_bits() != w[i].to_bits()) {
                            panic!("{what}: {name}[{i}] = {:e}, want {:e} exactly", g[i], w[i]);
                        }
                    }
                    Tolerance::Abs(bound) => {
                        if let Some(i) = (0..g.len()).find(|&i| !within((g[i] - w[i]).abs(), bound)) {
                            panic!("{what}: {name}[{i}] = {:e}, want {:e} within {bound:e}", g[i], w[i]);
                        }
                    }
                    Tolerance::Rel { bound, floor } => {
                        if let Some(i) =
                            (0..g.len()).find(|&i| !within((g[i] - w[i]).abs(), bound * w[i].abs().max(floor)))
                        {
                            panic!("{what}: {name}[{i}] = {:e}, want {:e} within {bound:e} relative", g[i], w[i]);
                        }
                    }
                    Tolerance::RelL2(bound) => {
                        let diff = g.iter().zip(w).map(|(a, b)| (a - b) * (a - b)).sum::<f64>().sqrt();
                        let norm = w.iter().map(|b| b * b).sum::<f64>().sqrt();
                        assert!(
                            diff <= bound * norm,
                            "{what}: {name} rel-L2 {:e} exceeds {bound:e}",
                            diff / norm.max(f64::MIN_POSITIVE)
                        );
                    }
                }
            }
            (g, w) => assert!(g == w, "{what}: {name} differs: got {g:?}, want {w:?}"),
        }
    }
}

/// The CPU executor in f64 and in f32 against `reference`, which receives the inputs
/// rounded to the precision under test and returns every binding's contents after the
/// op (read-only ones unchanged). f64 must agree within `tolerance`; f32 too (use
/// `Exact` only where the reference runs the same arithmetic in that precision).
pub fn check_reference(
    op: &'static OpSpec,
    params: &[u8],
    inputs: &[Buf],
    reference: impl Fn(&[Buf], Precision) -> Vec<Buf>,
    tolerance: Tolerance,
) {
    let names: Vec<&str> = op.bindings.iter().map(|b| b.name).collect();
    for precision in [Precision::F64, Precision::F32] {
        let mut cpu = CpuExecutor::new(precision);
        let got =
            run(&mut cpu, op, inputs, params).unwrap_or_else(|e| panic!("{} on the CPU ({precision}): {e}", op.name));
        let rounded: Vec<Buf> = inputs.iter().map(|b| b.rounded(precision)).collect();
        let want = reference(&rounded, precision);
        assert_close(&format!("{} CPU {precision} vs reference", op.name), &names, &got, &want, tolerance);
    }
}

/// `device` against the CPU executor on the same inputs: against the f32 CPU kernel
/// when `tolerance` is `Exact` (the device must do the same f32 arithmetic), else
/// against the f64 reference. Returns the device's results.
pub fn check_parity<E: Executor + ?Sized>(
    device: &mut E,
    op: &'static OpSpec,
    params: &[u8],
    inputs: &[Buf],
    tolerance: Tolerance,
) -> Vec<Buf> {
    let names: Vec<&str> = op.bindings.iter().map(|b| b.name).collect();
    let precision = if tolerance == Tolerance::Exact { Precision::F32 } else { Precision::F64 };
    let rounded: Vec<Buf> = inputs.iter().map(|b| b.rounded(Precision::F32)).collect();
    let mut cpu = CpuExecutor::new(precision);
    let want = run(&mut cpu, op, &rounded, params).unwrap_or_else(|e| panic!("{} on the CPU: {e}", op.name));
    let got = run(device, op, &rounded, params)
        .unwrap_or_else(|e| panic!("{} on {}: {e}", op.name, device.device().device_name));
    assert_close(
        &format!("{} {} vs CPU {precision}", op.name, device.device().device_name),
        &names,
        &got,
        &want,
        tolerance,
    );
    got
}
