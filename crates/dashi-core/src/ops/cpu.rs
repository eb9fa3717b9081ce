//! [`CpuExecutor`]: runs the CPU reference of every op, eagerly, in f64 or f32.

//!
//! The executor knows no op: each [`OpSpec`] carries its kernel ([`CpuKernel`], one
//! function per precision), which reads and writes the dispatch's buffers through a
//! [`CpuIo`] — read bindings borrowed in place, written bindings taken out of the
//! executor for the duration of the op (aliasing with a read binding was refused by
//! [`OpSpec::check`]).

use super::ExecError;
use super::executor::{Backend, BufferId, DeviceInfo, DeviceType, Executor, OpTiming, Precision};
use super::spec::{Access, BufferDesc, ElemType, OpSpec};
use crate::scalar::Real;
use std::collections::BTreeMap;
use std::marker::PhantomData;
use std::time::Instant;

/// The CPU reference of an op: one kernel per precision (written once, generic over
/// [`Real`], and instantiated twice by [`crate::kernel_op!`]). A kernel gets the raw
/// parameter block (already validated) and the dispatch's buffers; an `Err` is a
/// data-dependent failure ([`ExecError::OpFailed`]).
#[derive(Clone, Copy, Debug)]
pub struct CpuKernel {
    /// The f64 kernel.
    pub f64: fn(&[u8], &mut CpuIo<'_, '_, f64>) -> Result<(), String>,
    /// The f32 kernel.
    pub f32: fn(&[u8], &mut CpuIo<'_, '_, f32>) -> Result<(), String>,
}

#[derive(Clone, Debug)]
enum Storage {
    F32(Vec<f32>),
    F64(Vec<f64>),
    U32(Vec<u32>),
    I32(Vec<i32>),
}

impl Storage {
    fn desc(&self, id: u32) -> BufferDesc {
        let (elem, len) = match self {
            Storage::F32(v) => (ElemType::Real, v.len()),
            Storage::F64(v) => (ElemType::Real, v.len()),
            Storage::U32(v) => (ElemType::U32, v.len()),
            Storage::I32(v) => (ElemType::I32, v.len()),
        };
        BufferDesc { id, elem, len }
    }

    fn reals<T: Real>(&self) -> &[T] {
        match self {
            Storage::F32(v) if T::NAME == "f32" => bytemuck::cast_slice(v),
            Storage::F64(v) if T::NAME == "f64" => bytemuck::cast_slice(v),
            _ => unreachable!("validated: real buffer of the executor's precision"),
        }
    }

    fn reals_mut<T: Real>(&mut self) -> &mut [T] {
        match self {
            Storage::F32(v) if T::NAME == "f32" => bytemuck::cast_slice_mut(v),
            Storage::F64(v) if T::NAME == "f64" => bytemuck::cast_slice_mut(v),
            _ => unreachable!("validated: real buffer of the executor's precision"),
        }
    }

    fn words(&self) -> &[u32] {
        match self {
            Storage::U32(v) => v,
            _ => unreachable!("validated: u32 buffer"),
        }
    }

    fn words_mut(&mut self) -> &mut [u32] {
        match self {
            Storage::U32(v) => v,
            _ => unreachable!("validated: u32 buffer"),
        }
    }

    fn ints(&self) -> &[i32] {
        match self {
            Storage::I32(v) => v,
            _ => unreachable!("validated: i32 buffer"),
        }
    }

    fn ints_mut(&mut self) -> &mut [i32] {
        match self {
            Storage::I32(v) => v,
            _ => unreachable!("validated: i32 buffer"),
        }
    }
}

/// The CPU reference executor. Ops run immediately inside [`Executor::enqueue`];
/// [`Executor::flush`] has nothing to submit. Timings are host wall time per op.
#[derive(Debug)]
pub struct CpuExecutor {
    info: DeviceInfo,
    buffers: Vec<Option<Storage>>,
    timings: BTreeMap<&'static str, (u64, u64)>,
}

impl CpuExecutor {
    /// A CPU executor whose real buffers have `precision`.
    pub fn new(precision: Precision) -> Self {
        CpuExecutor {
            info: DeviceInfo {
                backend: Backend::Cpu,
                device_name: cpu_name(),
                device_type: DeviceType::Cpu,
                driver: format!("dashi-core {} reference", env!("CARGO_PKG_VERSION")),
                precision,
            },
            buffers: Vec::new(),
            timings: BTreeMap::new(),
        }
    }

    fn storage(&self, buf: BufferId) -> Result<&Storage, ExecError> {
        self.buffers.get(buf.0 as usize).and_then(Option::as_ref).ok_or(ExecError::UnknownBuffer(buf.0))
    }

    fn storage_mut(&mut self, buf: BufferId) -> Result<&mut Storage, ExecError> {
        self.buffers.get_mut(buf.0 as usize).and_then(Option::as_mut).ok_or(ExecError::UnknownBuffer(buf.0))
    }

    fn mismatch(buf: BufferId, s: &Storage, found: usize) -> ExecError {
        let d = s.desc(buf.0);
        ExecError::TransferMismatch { buffer: buf.0, elem: d.elem, expected: d.len, found }
    }
}

/// `len` zeroed elements, or `None` when the allocation is refused.
fn zeroed<T: Clone + Default>(len: usize) -> Option<Vec<T>> {
    let mut v = Vec::new();
    v.try_reserve_exact(len).ok()?;
    v.resize(len, T::default());
    Some(v)
}

/// The CPU model name from `/proc/cpuinfo` where readable, else the architecture.
fn cpu_name() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|n| n.trim().to_string())
        })
        .unwrap_or_else(|| std::env::consts::ARCH.to_string())
}

impl Executor for CpuExecutor {
    fn device(&self) -> &DeviceInfo {
        &self.info
    }

    fn alloc(&mut self, elem: ElemType, len: usize) -> Result<BufferId, ExecError> {
        if len == 0 {
            return Err(ExecError::ZeroSizedBuffer);
        }
        let width = if elem == ElemType::Real && self.info.precision == Precision::F64 { 8 } else { 4 };
        let oom = || ExecError::OutOfMemory {
            bytes: (len as u64).saturating_mul(width),
            context: format!("host allocation of {len} elements"),
        };
        let storage = match (elem, self.info.precision) {
            (ElemType::Real, Precision::F32) => Storage::F32(zeroed(len).ok_or_else(oom)?),
            (ElemType::Real, Precision::F64) => Storage::F64(zeroed(len).ok_or_else(oom)?),
            (ElemType::U32, _) => Storage::U32(zeroed(len).ok_or_else(oom)?),
            (ElemType::I32, _) => Storage::I32(zeroed(len).ok_or_else(oom)?),
        };
        let id = u32::try_from(self.buffers.len()).map_err(|_| ExecError::Device("too many buffers".into()))?;
        self.buffers.push(Some(storage));
        Ok(BufferId(id))
    }

    fn free(&mut self, buf: BufferId) -> Result<(), ExecError> {
        self.storage(buf)?;
        self.buffers[buf.0 as usize] = None;
        Ok(())
    }

    fn buffer_desc(&self, buf: BufferId) -> Result<(ElemType, usize), ExecError> {
        let d = self.storage(buf)?.desc(buf.0);
        Ok((d.elem, d.len))
    }

    fn upload_real(&mut self, buf: BufferId, data: &[f64]) -> Result<(), ExecError> {
        super::executor::check_real_upload(buf, data, self.info.precision)?;
        let s = self.storage_mut(buf)?;
        match s {
            Storage::F32(v) if v.len() == data.len() => v.iter_mut().zip(data).for_each(|(d, &x)| *d = x as f32),
            Storage::F64(v) if v.len() == data.len() => v.copy_from_slice(data),
            _ => return Err(Self::mismatch(buf, s, data.len())),
        }
        Ok(())
    }

    fn upload_u32(&mut self, buf: BufferId, data: &[u32]) -> Result<(), ExecError> {
        let s = self.storage_mut(buf)?;
        match s {
            Storage::U32(v) if v.len() == data.len() => v.copy_from_slice(data),
            _ => return Err(Self::mismatch(buf, s, data.len())),
        }
        Ok(())
    }

    fn upload_i32(&mut self, buf: BufferId, data: &[i32]) -> Result<(), ExecError> {
        let s = self.storage_mut(buf)?;
        match s {
            Storage::I32(v) if v.len() == data.len() => v.copy_from_slice(data),
            _ => return Err(Self::mismatch(buf, s, data.len())),
        }
        Ok(())
    }

    fn enqueue(&mut self, op: &'static OpSpec, buffers: &[BufferId], params: &[u8]) -> Result<(), ExecError> {
        let descs = buffers.iter().map(|&b| Ok(self.storage(b)?.desc(b.0))).collect::<Result<Vec<_>, ExecError>>()?;
        op.check(params, &descs)?;
        // Written buffers are taken out for the duration of the op (aliasing with a
        // read binding was refused by `check`), read buffers are borrowed in place.
        let mut written: Vec<(usize, Storage)> = Vec::new();
        for (i, b) in op.bindings.iter().enumerate() {
            if b.access == Access::ReadWrite {
                let slot = &mut self.buffers[buffers[i].0 as usize];
                written.push((i, slot.take().expect("checked above")));
            }
        }
        let start = Instant::now();
        let result = {
            let reads: Vec<Option<&Storage>> = buffers
                .iter()
                .zip(op.bindings)
                .map(|(b, spec)| match spec.access {
                    Access::Read => self.buffers[b.0 as usize].as_ref(),
                    Access::ReadWrite => None,
                })
                .collect();
            match self.info.precision {
                Precision::F64 => (op.cpu.f64)(params, &mut CpuIo { reads, written: &mut written, real: PhantomData }),
                Precision::F32 => (op.cpu.f32)(params, &mut CpuIo { reads, written: &mut written, real: PhantomData }),
            }
            .map_err(|message| ExecError::OpFailed { op: op.name, message })
        };
        let elapsed = start.elapsed().as_nanos() as u64;
        for (i, storage) in written {
            self.buffers[buffers[i].0 as usize] = Some(storage);
        }
        let entry = self.timings.entry(op.name).or_insert((0, 0));
        entry.0 += 1;
        entry.1 += elapsed;
        result
    }

    fn flush(&mut self) -> Result<(), ExecError> {
        Ok(())
    }

    fn download_real(&mut self, buf: BufferId) -> Result<Vec<f64>, ExecError> {
        match self.storage(buf)? {
            Storage::F32(v) => Ok(v.iter().map(|&x| f64::from(x)).collect()),
            Storage::F64(v) => Ok(v.clone()),
            s => Err(Self::mismatch(buf, s, 0)),
        }
    }

    fn download_u32(&mut self, buf: BufferId) -> Result<Vec<u32>, ExecError> {
        match self.storage(buf)? {
            Storage::U32(v) => Ok(v.clone()),
            s => Err(Self::mismatch(buf, s, 0)),
        }
    }

    fn download_i32(&mut self, buf: BufferId) -> Result<Vec<i32>, ExecError> {
        match self.storage(buf)? {
            Storage::I32(v) => Ok(v.clone()),
            s => Err(Self::mismatch(buf, s, 0)),
        }
    }

    fn timings(&self) -> Vec<OpTiming> {
        self.timings
            .iter()
            .map(|(&op, &(dispatches, host_ns))| OpTiming { op, dispatches, host_ns, device_ns: None })
            .collect()
    }

    fn reset_timings(&mut self) {
        self.timings.clear();
    }
}

/// The buffers of one CPU dispatch, by binding index, as slices of the executor's real
/// type `T` (f64 or f32), `u32` or `i32`. Slices are whole buffers (at least as long as
/// the length rule; a kernel uses only the first rule-many elements). Asking for a
/// binding with the wrong access or element type is a bug in the kernel and panics.
pub struct CpuIo<'a, 'b, T> {
    reads: Vec<Option<&'a Storage>>,
    written: &'b mut Vec<(usize, Storage)>,
    real: PhantomData<T>,
}

impl<T> std::fmt::Debug for CpuIo<'_, '_, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CpuIo").field("bindings", &self.reads.len()).finish()
    }
}

impl<'a, T: Real> CpuIo<'a, '_, T> {
    fn read(&self, binding: usize) -> &'a Storage {
        self.reads[binding].unwrap_or_else(|| panic!("binding {binding} is not a read binding"))
    }

    fn write(&mut self, binding: usize) -> &mut Storage {
        &mut self
            .written
            .iter_mut()
            .find(|(i, _)| *i == binding)
            .unwrap_or_else(|| panic!("binding {binding} is not a written binding"))
            .1
    }

    fn write_pair(&mut self, first: usize, second: usize) -> (&mut Storage, &mut Storage) {
        let (mut a, mut b) = (None, None);
        for (i, s) in self.written.iter_mut() {
            if *i == first {
                a = Some(s);
            } else if *i == second {
                b = Some(s);
            }
        }
        (a.expect("first written binding"), b.expect("second written binding"))
    }

    /// A read real binding. The slice outlives the borrow of `self`, so reads and a
    /// write can be held together without copying.
    pub fn reals(&self, binding: usize) -> &'a [T] {
        self.read(binding).reals::<T>()
    }

    /// A written real binding.
    pub fn reals_mut(&mut self, binding: usize) -> &mut [T] {
        self.write(binding).reals_mut::<T>()
    }

    /// A read `u32` binding.
    pub fn words(&self, binding: usize) -> &'a [u32] {
        self.read(binding).words()
    }

    /// A written `u32` binding.
    pub fn words_mut(&mut self, binding: usize) -> &mut [u32] {
        self.write(binding).words_mut()
    }

    /// Two written `u32` bindings at once (carrier planes).
    pub fn words_pair_mut(&mut self, first: usize, second: usize) -> (&mut [u32], &mut [u32]) {
        let (a, b) = self.write_pair(first, second);
        (a.words_mut(), b.words_mut())
    }

    /// A read `i32` binding.
    pub fn ints(&self, binding: usize) -> &'a [i32] {
        self.read(binding).ints()
    }

    /// A written `i32` binding.
    pub fn ints_mut(&mut self, binding: usize) -> &mut [i32] {
        self.write(binding).ints_mut()
    }
}
