//! [`CpuExecutor`]: runs the CPU reference of every op, eagerly, in f64 or f32.

use super::ExecError;
use super::executor::{Backend, BufferId, DeviceInfo, DeviceType, Executor, OpTiming, Precision};
use super::reference;
use super::spec::{Access, BufferDesc, ElemType, OpId, OpSpec, Params};
use crate::carrier::{Carrier, Neighbourhood, Shape, Stencil};
use crate::kernel::{Annihilate, CoherenceStats, Kernel, Majority, threshold_planes};
use crate::linear::{gemm_rows, gemv_row};
use crate::scalar::Real;
use std::collections::BTreeMap;
use std::time::Instant;

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
        let p = Params::new(op, params);
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
            let mut io = Io { reads, written: &mut written };
            match self.info.precision {
                Precision::F64 => execute::<f64>(op, &p, &mut io),
                Precision::F32 => execute::<f32>(op, &p, &mut io),
            }
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

/// The buffers of one dispatch: read bindings by reference, written ones owned.
struct Io<'a, 'b> {
    reads: Vec<Option<&'a Storage>>,
    written: &'b mut Vec<(usize, Storage)>,
}

impl<'a> Io<'a, '_> {
    /// A read binding; the reference outlives the borrow of `self`, so reads and a
    /// write can be held together without copying.
    fn read(&self, binding: usize) -> &'a Storage {
        self.reads[binding].expect("read binding")
    }

    fn write(&mut self, binding: usize) -> &mut Storage {
        &mut self.written.iter_mut().find(|(i, _)| *i == binding).expect("written binding").1
    }

    /// Two written bindings at once (carrier planes).
    fn write_pair(&mut self, first: usize, second: usize) -> (&mut Storage, &mut Storage) {
        let (mut a, mut b) = (None, None);
        for (i, s) in self.written.iter_mut() {
            if *i == first {
                a = Some(s);
            } else if *i == second {
                b = Some(s);
            }
        }
        (a.expect("written binding"), b.expect("written binding"))
    }
}

fn op_failed(op: &OpSpec, message: impl Into<String>) -> ExecError {
    ExecError::OpFailed { op: op.name, message: message.into() }
}

/// Reads a carrier of a `[height][width]` grid from two plane bindings.
fn carrier_from(op: &OpSpec, p: &Params<'_>, support: &[u32], sign: &[u32]) -> Result<Carrier, ExecError> {
    let shape =
        Shape::d2(p.u32("height") as usize, p.u32("width") as usize).map_err(|e| op_failed(op, e.to_string()))?;
    let words = crate::carrier::words_for(shape.cells());
    Carrier::from_planes(shape, support[..words].to_vec(), sign[..words].to_vec())
        .map_err(|e| op_failed(op, e.to_string()))
}

fn neighbourhood(p: &Params<'_>) -> Neighbourhood {
    let stencil = Stencil::from_code(p.u32("stencil")).expect("validated stencil code");
    Neighbourhood::new(stencil, p.u32("radius") as usize)
}

fn execute<T: Real>(op: &OpSpec, p: &Params<'_>, io: &mut Io<'_, '_>) -> Result<(), ExecError> {
    let n = || p.u32("n") as usize;
    match op.id {
        OpId::Axpy => {
            let alpha = T::from_f64(f64::from(p.f32("alpha")));
            let x = &io.read(0).reals::<T>()[..n()];
            for (y, &xv) in io.write(1).reals_mut::<T>()[..x.len()].iter_mut().zip(x) {
                *y = alpha * xv + *y;
            }
        }
        OpId::Scale => {
            let alpha = T::from_f64(f64::from(p.f32("alpha")));
            let len = n();
            io.write(0).reals_mut::<T>()[..len].iter_mut().for_each(|v| *v = alpha * *v);
        }
        OpId::Add | OpId::Mul => {
            let len = n();
            let (x, y) = (&io.read(0).reals::<T>()[..len], &io.read(1).reals::<T>()[..len]);
            let out = &mut io.write(2).reals_mut::<T>()[..len];
            for ((o, &a), &b) in out.iter_mut().zip(x).zip(y) {
                *o = if op.id == OpId::Add { a + b } else { a * b };
            }
        }
        OpId::GemvRow => {
            let (rows, cols) = (p.u32("rows") as usize, p.u32("cols") as usize);
            let (z, a) = (&io.read(0).reals::<T>()[..rows], &io.read(1).reals::<T>()[..rows * cols]);
            gemv_row(z, a, cols, &mut io.write(2).reals_mut::<T>()[..cols]);
        }
        OpId::GemmBatched => {
            let (m, rows, cols) = (p.u32("batch") as usize, p.u32("rows") as usize, p.u32("cols") as usize);
            let (z, a) = (&io.read(0).reals::<T>()[..m * rows], &io.read(1).reals::<T>()[..rows * cols]);
            gemm_rows(z, a, rows, cols, &mut io.write(2).reals_mut::<T>()[..m * cols]);
        }
        OpId::ReduceSum | OpId::ReduceSumSq | OpId::ReduceMaxAbs => {
            let x = &io.read(0).reals::<T>()[..n()];
            let v = match op.id {
                OpId::ReduceSum => reference::sum(x),
                OpId::ReduceSumSq => reference::sum_sq(x),
                _ => reference::max_abs(x),
            };
            io.write(1).reals_mut::<T>()[0] = v;
        }
        OpId::Argmax => {
            let i = reference::argmax(&io.read(0).reals::<T>()[..n()]).expect("n >= 1");
            io.write(1).words_mut()[0] = i as u32;
        }
        OpId::TopK => {
            let k = p.u32("k") as usize;
            let picked = reference::top_k(&io.read(0).reals::<T>()[..n()], k);
            for (o, i) in io.write(1).words_mut()[..k].iter_mut().zip(picked) {
                *o = i as u32;
            }
        }
        OpId::Gather => {
            let (len, m) = (n(), p.u32("m") as usize);
            let (x, idx) = (&io.read(0).reals::<T>()[..len], &io.read(1).words()[..m]);
            for (o, &i) in io.write(2).reals_mut::<T>()[..m].iter_mut().zip(idx) {
                *o = x.get(i as usize).copied().unwrap_or(T::ZERO);
            }
        }
        OpId::Scatter => {
            let (len, m) = (n(), p.u32("m") as usize);
            let (x, idx) = (&io.read(0).reals::<T>()[..m], &io.read(1).words()[..m]);
            let mut seen = std::collections::HashSet::with_capacity(m);
            if let Some(dup) = idx.iter().find(|&&i| (i as usize) < len && !seen.insert(i)) {
                return Err(op_failed(op, format!("index {dup} appears more than once")));
            }
            let out = &mut io.write(2).reals_mut::<T>()[..len];
            for (&v, &i) in x.iter().zip(idx) {
                if let Some(slot) = out.get_mut(i as usize) {
                    *slot = v;
                }
            }
        }
        OpId::Threshold => {
            let len = n();
            let tau = T::from_f64(f64::from(p.f32("tau")));
            let x = &io.read(0).reals::<T>()[..len];
            let words = crate::carrier::words_for(len);
            let (support, sign) = io.write_pair(1, 2);
            threshold_planes(x, tau, &mut support.words_mut()[..words], &mut sign.words_mut()[..words]);
        }
        OpId::Majority | OpId::Annihilate => {
            let input = carrier_from(op, p, io.read(0).words(), io.read(1).words())?;
            let nbhd = neighbourhood(p);
            let out = if op.id == OpId::Majority {
                Majority::new(nbhd, p.u32("eta")).map_err(|e| op_failed(op, e.to_string()))?.apply(&input)
            } else {
                Annihilate::new(nbhd).apply(&input)
            }
            .map_err(|e| op_failed(op, e.to_string()))?;
            let words = out.support_words().len();
            let (support, sign) = io.write_pair(2, 3);
            support.words_mut()[..words].copy_from_slice(out.support_words());
            sign.words_mut()[..words].copy_from_slice(out.sign_words());
        }
        OpId::FftStep => {
            let step = reference::FftStep {
                n: p.u32("n") as usize,
                fields: p.u32("fields") as usize,
                axis: p.u32("axis"),
                radix: p.u32("radix") as usize,
                span: p.u32("span") as usize,
                inverse: p.u32("inverse") == 1,
            };
            let len = 2 * step.n * step.n * step.fields;
            let twiddles = io.read(2).reals::<T>()[..step.n].to_vec();
            let src = &io.read(0).reals::<T>()[..len];
            let dst = &mut io.write(1).reals_mut::<T>()[..len];
            if T::NAME == "f64" {
                reference::fft_step::<f64>(
                    bytemuck::cast_slice(src),
                    bytemuck::cast_slice_mut(dst),
                    bytemuck::cast_slice(&twiddles),
                    step,
                );
            } else {
                reference::fft_step::<f32>(
                    bytemuck::cast_slice(src),
                    bytemuck::cast_slice_mut(dst),
                    bytemuck::cast_slice(&twiddles),
                    step,
                );
            }
        }
        OpId::SpectralMul => {
            let len = 2 * n() * n() * p.u32("batch") as usize;
            let x = &mut io.write(0).reals_mut::<T>()[..len];
            reference::spectral_mul(x, n(), p.u32("kind"), p.f32("alpha"), p.f32("p")).map_err(|m| op_failed(op, m))?;
        }
        OpId::ShellSpectrum => {
            let shells = p.u32("shells") as usize;
            let x = io.read(0).reals::<T>();
            reference::shell_spectrum(x, n(), &mut io.write(1).reals_mut::<T>()[..shells])
                .map_err(|m| op_failed(op, m))?;
        }
        OpId::RealPairs => {
            let (n2, pairs) = (n() * n(), p.u32("pairs") as usize);
            let src = &io.read(0).reals::<T>()[..2 * n2 * pairs];
            let dst = &mut io.write(1).reals_mut::<T>()[..2 * n2 * pairs];
            reference::real_pairs(src, dst, n2, pairs, p.u32("direction") == 1);
        }
        OpId::SplitPairSpectra => {
            let pairs = p.u32("pairs") as usize;
            let src = &io.read(0).reals::<T>()[..2 * n() * n() * pairs];
            let dst = &mut io.write(1).reals_mut::<T>()[..4 * n() * n() * pairs];
            reference::split_pair_spectra(src, dst, n(), pairs);
        }
        OpId::CombinePairSpectra => {
            let pairs = p.u32("pairs") as usize;
            let src = &io.read(0).reals::<T>()[..4 * n() * n() * pairs];
            let dst = &mut io.write(1).reals_mut::<T>()[..2 * n() * n() * pairs];
            reference::combine_pair_spectra(src, dst, n() * n(), pairs);
        }
        OpId::VorticityFields => {
            let len = 2 * n() * n();
            let omega = &io.read(0).reals::<T>()[..len];
            super::vorticity::vorticity_fields(omega, io.write(1).reals_mut::<T>(), n(), p.u32("kind"));
        }
        OpId::VorticityNonlinear => {
            let len = 2 * n() * n();
            let fields = [0, 1, 2, 3].map(|i| &io.read(i).reals::<T>()[..len]);
            let coeff = f64::from(p.f32("coeff_hi")) + f64::from(p.f32("coeff_lo"));
            let smagorinsky = (p.u32("smagorinsky") == 1).then_some(coeff);
            super::vorticity::vorticity_nonlinear(fields, io.write(4).reals_mut::<T>(), n() * n(), smagorinsky);
        }
        OpId::VorticityRhs => {
            let len = 2 * n() * n();
            let inputs = [0, 1, 2].map(|i| &io.read(i).reals::<T>()[..len]);
            let pair = |hi: &str, lo: &str| f64::from(p.f32(hi)) + f64::from(p.f32(lo));
            let (nu, drag) = (pair("nu_hi", "nu_lo"), pair("drag_hi", "drag_lo"));
            super::vorticity::vorticity_rhs(inputs, io.write(3).reals_mut::<T>(), n(), nu, drag);
        }
        OpId::BandEnergies => {
            let bands = reference::band_energies(io.read(0).reals::<T>(), n(), p.u32("low_k2"), p.u32("mid_k2"))
                .map_err(|m| op_failed(op, m))?;
            io.write(1).reals_mut::<T>()[..3].copy_from_slice(&bands);
        }
        OpId::ProxyPack => {
            let d = p.u32("d") as usize;
            let spectrum = &io.read(0).reals::<T>()[..2 * n() * n()];
            let slots = &io.read(1).words()[..d];
            let bands = &io.read(2).reals::<T>()[..3];
            super::codec::proxy_pack(spectrum, slots, bands, p.u32("anchors"), &mut io.write(3).reals_mut::<T>()[..d]);
        }
        OpId::ProxySpectrum => {
            let params = super::ProxySpectrumParams::new(
                p.u32("n"),
                p.u32("low"),
                p.u32("anchors"),
                p.u32("residual") == 1,
                p.u32("seed"),
            );
            let z = &io.read(0).reals::<T>()[..p.u32("d") as usize];
            let modes = io.read(1).words();
            let weights = io.read(2).reals::<T>();
            super::codec::proxy_spectrum(z, modes, weights, io.write(3).reals_mut::<T>(), n(), params);
        }
        OpId::BoxSmooth => {
            let (w, h) = (p.u32("width") as usize, p.u32("height") as usize);
            let x = io.read(0).reals::<T>();
            super::codec::box_smooth(x, &mut io.write(1).reals_mut::<T>()[..w * h], w, h, p.u32("radius") as usize);
        }
        OpId::ThresholdGate => {
            let len = n();
            let words = crate::carrier::words_for(len);
            let x = &io.read(0).reals::<T>()[..len];
            let scale = io.read(1).reals::<T>()[0];
            let gate = (p.u32("gated") == 1).then(|| (&io.read(2).words()[..words], &io.read(3).words()[..words]));
            let (support, sign) = io.write_pair(4, 5);
            super::codec::threshold_gate(
                x,
                scale,
                p.f32("tau_rel"),
                gate,
                &mut support.words_mut()[..words],
                &mut sign.words_mut()[..words],
            );
        }
        OpId::FiningSelect => {
            let words = crate::carrier::words_for(n());
            if io.read(2).ints()[0] == 0 {
                let (support_in, sign_in) = (&io.read(0).words()[..words], &io.read(1).words()[..words]);
                let (support, sign) = io.write_pair(3, 4);
                support.words_mut()[..words].copy_from_slice(support_in);
                sign.words_mut()[..words].copy_from_slice(sign_in);
            }
        }
        OpId::FiningClosure => {
            let counts = io.read(0).ints();
            super::codec::fining_closure(counts, io.write(1).ints_mut(), p.u32("level"), p.f32("epsilon"));
        }
        OpId::BiotSavart => {
            let (sources, targets) = (p.u32("sources") as usize, p.u32("targets") as usize);
            let pos = &io.read(0).reals::<T>()[..2 * sources];
            let blobs = &io.read(1).reals::<T>()[..2 * sources];
            if let Some(s) = super::biot_savart::bad_core(blobs) {
                return Err(op_failed(
                    op,
                    format!("source {s}: core ε = {:?} must be finite and > 0", blobs[2 * s + 1]),
                ));
            }
            let at = &io.read(2).reals::<T>()[..2 * targets];
            let vel = &mut io.write(3).reals_mut::<T>()[..2 * targets];
            super::biot_savart::biot_savart(pos, blobs, at, vel, p.u32("columns") as usize);
        }
        OpId::MaskCombine => {
            let pair = &io.read(0).reals::<T>()[..2 * n()];
            let support = io.read(1).words();
            super::codec::mask_combine(pair, support, io.write(2).reals_mut::<T>(), n());
        }
        OpId::CoherenceStats => {
            let input = carrier_from(op, p, io.read(0).words(), io.read(1).words())?;
            let cells = input.len();
            let values: Vec<f64> = io.read(2).reals::<T>()[..cells].iter().map(|v| v.to_f64()).collect();
            let field =
                crate::carrier::Field::new(input.shape().clone(), values).map_err(|e| op_failed(op, e.to_string()))?;
            let stats = CoherenceStats::of(&input, &field).map_err(|e| op_failed(op, e.to_string()))?;
            let clamp = |v: i64| i32::try_from(v).map_err(|_| op_failed(op, "count exceeds i32"));
            let counts = [
                clamp(stats.active_cells as i64)?,
                clamp(stats.sign_balance)?,
                clamp(stats.interface_count as i64)?,
                0,
            ];
            io.write(3).ints_mut()[..4].copy_from_slice(&counts);
            io.write(4).reals_mut::<T>()[0] = T::from_f64(stats.energy_on_support);
        }
    }
    Ok(())
}
