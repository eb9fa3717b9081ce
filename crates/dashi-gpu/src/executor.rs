//! [`GpuExecutor`]: the wgpu implementation of [`Executor`].
//!
//! Recording model: [`Executor::enqueue`] validates the dispatch ([`OpSpec::check`]),
//! appends the parameter block to a host-side arena, and records one compute pass
//! (pipeline, cached bind group with the block's dynamic offset, dispatch) into the
//! open command encoder. Nothing reaches the device until [`Executor::flush`] (or a
//! transfer) writes the arena once and submits the whole batch. Uploads first submit
//! what was recorded before them, so ops always see the data that was current when
//! they were enqueued.

use crate::GpuError;
use crate::adapter::{self, AdapterSelection, AdapterSummary};
use crate::reflect;
use crate::shaders;
use dashi_core::ops::{
    Backend, BufferDesc, BufferId, DeviceInfo, ElemType, ExecError, Executor, Family, OpSpec, OpTiming, Precision,
};
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// Bytes between parameter blocks in the uniform arena (the portable minimum
/// uniform-offset alignment).
const PARAM_STRIDE: u64 = 256;
/// Parameter blocks per batch before an automatic flush.
const ARENA_SLOTS: u64 = 4096;
/// Ops timed per batch (two timestamps each) before an automatic flush.
const TIMED_OPS: u32 = 2048;

struct DeviceBuffer {
    buffer: wgpu::Buffer,
    elem: ElemType,
    len: usize,
}

struct Pipeline {
    pipeline: wgpu::ComputePipeline,
    layout: wgpu::BindGroupLayout,
    pipeline_layout: wgpu::PipelineLayout,
}

struct Timestamps {
    set: wgpu::QuerySet,
    resolve: wgpu::Buffer,
    period_ns: f64,
    /// Readback buffers of submissions not yet waited for, with their ops in order.
    pending: Vec<(wgpu::Buffer, Vec<&'static str>)>,
    /// Readback buffers free for reuse.
    pool: Vec<wgpu::Buffer>,
}

/// Errors raised asynchronously by wgpu (uncaptured validation/OOM, device loss).
#[derive(Default)]
struct Faults {
    errors: Vec<(bool, String)>,
    lost: Option<String>,
}

/// A GPU executor (f32 on the device) on one adapter.
pub struct GpuExecutor {
    device: wgpu::Device,
    queue: wgpu::Queue,
    info: DeviceInfo,
    summary: AdapterSummary,
    limits: wgpu::Limits,
    buffers: BTreeMap<u32, DeviceBuffer>,
    next_id: u32,
    /// Compiled family modules by family name, with the family they were built from.
    modules: HashMap<&'static str, (&'static Family, wgpu::ShaderModule, shaders::ValidatedModule)>,
    pipelines: HashMap<&'static str, Pipeline>,
    /// Pipelines specialised with overridable constants (`OpSpec::overrides`),
    /// sharing the generic pipeline's layouts (so its bind groups).
    specialized: HashMap<(&'static str, [u32; 4]), wgpu::ComputePipeline>,
    bind_groups: HashMap<(&'static str, Vec<u32>), wgpu::BindGroup>,
    arena: wgpu::Buffer,
    arena_host: Vec<u8>,
    encoder: Option<wgpu::CommandEncoder>,
    timed: Vec<&'static str>,
    timestamps: Option<Timestamps>,
    timings: BTreeMap<&'static str, (u64, u64, u64)>,
    faults: Arc<Mutex<Faults>>,
    readback: HashMap<u64, wgpu::Buffer>,
    /// Compute passes recorded into the open encoder.
    recorded: u32,
    /// Earliest begin and latest end timestamp (raw ticks) collected since the last
    /// `reset_timings`.
    timeline: Option<(u64, u64)>,
    /// Submit (without waiting) once this many passes are recorded; 0 = only on flush.
    submit_every: u32,
    /// Whether passes carry timestamp queries (when the adapter has them).
    timing: bool,
}

/// Default of [`GpuExecutor::set_submit_every`]: 0, submit only at a flush or transfer.
/// Recording a pass costs the host 1.4–3.6 µs (measured, fft_step on an H100), so the
/// device idles only briefly before a flush; submitting every 8 passes made wall time
/// up to 10% better at N ≤ 2048 but the device time of the 4096² FFT 28% worse in the
/// same run (docs/BENCHMARKS.md), so slicing stays opt-in.
pub const SUBMIT_EVERY: u32 = 0;

impl std::fmt::Debug for GpuExecutor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GpuExecutor").field("device", &self.info).field("buffers", &self.buffers.len()).finish()
    }
}

impl GpuExecutor {
    /// Opens a device on the adapter `selection` picks (see [`AdapterSelection`]).
    /// Requests timestamp queries when the adapter has them, and the adapter's own
    /// limits (so large buffers are allowed).
    pub fn new(selection: &AdapterSelection) -> Result<Self, GpuError> {
        let instance = adapter::instance();
        let (adapter, summary) = adapter::select(adapter::adapters(&instance), selection)?;
        let features = adapter.features() & wgpu::Features::TIMESTAMP_QUERY;
        let limits = adapter.limits();
        let (device, queue) = pollster::block_on(adapter.request_device(&wgpu::DeviceDescriptor {
            label: Some("dashi"),
            required_features: features,
            required_limits: limits.clone(),
            ..Default::default()
        }))
        .map_err(|e| GpuError::RequestDevice { adapter: summary.name.clone(), message: e.to_string() })?;

        let faults = Arc::new(Mutex::new(Faults::default()));
        let sink = Arc::clone(&faults);
        device.on_uncaptured_error(Arc::new(move |e: wgpu::Error| {
            let oom = matches!(e, wgpu::Error::OutOfMemory { .. });
            sink.lock().expect("fault lock").errors.push((oom, e.to_string()));
        }));
        let sink = Arc::clone(&faults);
        device.set_device_lost_callback(move |reason, message| {
            sink.lock().expect("fault lock").lost = Some(format!("{reason:?}: {message}"));
        });

        let timestamps = features.contains(wgpu::Features::TIMESTAMP_QUERY).then(|| {
            let bytes = u64::from(2 * TIMED_OPS) * 8;
            Timestamps {
                set: device.create_query_set(&wgpu::QuerySetDescriptor {
                    label: Some("dashi timestamps"),
                    ty: wgpu::QueryType::Timestamp,
                    count: 2 * TIMED_OPS,
                }),
                resolve: device.create_buffer(&wgpu::BufferDescriptor {
                    label: Some("dashi timestamp resolve"),
                    size: bytes,
                    usage: wgpu::BufferUsages::QUERY_RESOLVE | wgpu::BufferUsages::COPY_SRC,
                    mapped_at_creation: false,
                }),
                period_ns: f64::from(queue.get_timestamp_period()),
                pending: Vec::new(),
                pool: Vec::new(),
            }
        });
        let arena = device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("dashi params arena"),
            size: PARAM_STRIDE * ARENA_SLOTS,
            usage: wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        let ainfo = adapter.get_info();
        let info = DeviceInfo {
            backend: if ainfo.backend == wgpu::Backend::Vulkan { Backend::Vulkan } else { Backend::OtherGpu },
            device_name: ainfo.name.clone(),
            device_type: adapter::device_type(ainfo.device_type),
            driver: format!("{} {}", ainfo.driver, ainfo.driver_info).trim().to_string(),
            precision: Precision::F32,
        };
        Ok(GpuExecutor {
            device,
            queue,
            info,
            summary,
            limits,
            buffers: BTreeMap::new(),
            next_id: 0,
            modules: HashMap::new(),
            pipelines: HashMap::new(),
            specialized: HashMap::new(),
            bind_groups: HashMap::new(),
            arena,
            arena_host: Vec::new(),
            encoder: None,
            timed: Vec::new(),
            timestamps,
            timings: BTreeMap::new(),
            faults,
            readback: HashMap::new(),
            recorded: 0,
            timeline: None,
            submit_every: SUBMIT_EVERY,
            timing: true,
        })
    }

    /// The adapter in use, as discovered.
    pub fn adapter(&self) -> &AdapterSummary {
        &self.summary
    }

    /// Whether per-op device timings (timestamp queries) are available.
    pub fn has_timestamps(&self) -> bool {
        self.timestamps.is_some()
    }

    /// The device limits in force.
    pub fn limits(&self) -> &wgpu::Limits {
        &self.limits
    }

    /// The raw wgpu device (for crates that add their own ops).
    pub fn wgpu_device(&self) -> &wgpu::Device {
        &self.device
    }

    fn check_faults(&self) -> Result<(), ExecError> {
        let mut f = self.faults.lock().expect("fault lock");
        if let Some(lost) = &f.lost {
            return Err(ExecError::DeviceLost(lost.clone()));
        }
        if let Some((oom, message)) = f.errors.drain(..).next() {
            return Err(if oom {
                ExecError::OutOfMemory { bytes: 0, context: message }
            } else {
                ExecError::Device(message)
            });
        }
        Ok(())
    }

    fn buffer(&self, id: BufferId) -> Result<&DeviceBuffer, ExecError> {
        self.buffers.get(&id.0).ok_or(ExecError::UnknownBuffer(id.0))
    }

    /// The compiled module of `family`, validated with naga on first use (any crate's
    /// family: the registry is open). Two different families with one name are refused.
    fn module(&mut self, family: &'static Family) -> Result<(), ExecError> {
        if let Some((known, ..)) = self.modules.get(family.name) {
            if std::ptr::eq(*known, family) {
                return Ok(());
            }
            return Err(ExecError::Shader {
                family: family.name.into(),
                message: "another family with this name is already compiled on this executor".into(),
            });
        }
        let validated = shaders::validate(family)?;
        let desc = wgpu::ShaderModuleDescriptor {
            label: Some(family.name),
            source: wgpu::ShaderSource::Wgsl(validated.source.clone().into()),
        };
        let module = if family.trusted {
            // SAFETY: a trusted family guards every storage index against the validated
            // parameters, indexes workgroup arrays in range by construction and bounds
            // every loop (see `Family::trusted`); naga validated the module above.
            unsafe { self.device.create_shader_module_trusted(desc, wgpu::ShaderRuntimeChecks::unchecked()) }
        } else {
            self.device.create_shader_module(desc)
        };
        self.modules.insert(family.name, (family, module, validated));
        Ok(())
    }

    fn pipeline(&mut self, op: &'static OpSpec) -> Result<&Pipeline, ExecError> {
        if !self.pipelines.contains_key(op.name) {
            self.module(op.family)?;
            reflect::check_op(op, &self.modules[op.family.name].2)?;
            let mut entries: Vec<wgpu::BindGroupLayoutEntry> = op
                .bindings
                .iter()
                .map(|b| wgpu::BindGroupLayoutEntry {
                    binding: b.index,
                    visibility: wgpu::ShaderStages::COMPUTE,
                    ty: wgpu::BindingType::Buffer {
                        ty: wgpu::BufferBindingType::Storage { read_only: b.access == dashi_core::ops::Access::Read },
                        has_dynamic_offset: false,
                        min_binding_size: None,
                    },
                    count: None,
                })
                .collect();
            entries.push(wgpu::BindGroupLayoutEntry {
                binding: op.bindings.len() as u32,
                visibility: wgpu::ShaderStages::COMPUTE,
                ty: wgpu::BindingType::Buffer {
                    ty: wgpu::BufferBindingType::Uniform,
                    has_dynamic_offset: true,
                    min_binding_size: wgpu::BufferSize::new(op.params.size as u64),
                },
                count: None,
            });
            let layout = self
                .device
                .create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor { label: Some(op.name), entries: &entries });
            let pipeline_layout = self.device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
                label: Some(op.name),
                bind_group_layouts: &[Some(&layout)],
                immediate_size: 0,
            });
            let pipeline = self.device.create_compute_pipeline(&wgpu::ComputePipelineDescriptor {
                label: Some(op.name),
                layout: Some(&pipeline_layout),
                module: &self.modules[op.family.name].1,
                entry_point: Some(op.name),
                compilation_options: compilation_options(op, &[]),
                cache: None,
            });
            self.check_faults()?;
            self.pipelines.insert(op.name, Pipeline { pipeline, layout, pipeline_layout });
        }
        Ok(&self.pipelines[op.name])
    }

    /// The pipeline `op` runs with for `params`: the generic one, or the one specialised
    /// for them (created on first use).
    fn pipeline_for(&mut self, op: &'static OpSpec, params: &[u8]) -> Result<&wgpu::ComputePipeline, ExecError> {
        self.pipeline(op)?;
        let Some(spec) = op.overrides.map(|f| f(params)) else {
            return Ok(&self.pipelines[op.name].pipeline);
        };
        let key = (op.name, spec.map(|(_, v)| v));
        if !self.specialized.contains_key(&key) {
            let constants: Vec<(&str, f64)> =
                spec.iter().filter(|(k, _)| !k.is_empty()).map(|&(k, v)| (k, f64::from(v))).collect();
            let pipeline = self.device.create_compute_pipeline(&wgpu::ComputePipelineDescriptor {
                label: Some(op.name),
                layout: Some(&self.pipelines[op.name].pipeline_layout),
                module: &self.modules[op.family.name].1,
                entry_point: Some(op.name),
                compilation_options: compilation_options(op, &constants),
                cache: None,
            });
            self.check_faults()?;
            self.specialized.insert(key, pipeline);
        }
        Ok(&self.specialized[&key])
    }

    /// Submits what was recorded and waits for the device to finish it.
    fn submit_pending(&mut self) -> Result<(), ExecError> {
        self.submit_inner(true)
    }

    /// Device timeline span in nanoseconds since the last `reset_timings`: from the first
    /// timed op's start to the last one's end, gaps between dispatches included — the
    /// quantity a CUDA-event pair around the same work measures. `None` without
    /// timestamp queries or before any timed op completed.
    pub fn device_span_ns(&self) -> Option<u64> {
        let ts = self.timestamps.as_ref()?;
        self.timeline.map(|(b, e)| (e.saturating_sub(b) as f64 * ts.period_ns) as u64)
    }

    /// Turns the per-pass timestamp queries on or off (on by default where supported).
    /// Off, `timings()` reports no device time and `device_span_ns` nothing, and the
    /// passes carry no instrumentation — for wall-clock measurements of the bare work.
    pub fn set_timing(&mut self, on: bool) {
        self.timing = on;
    }

    /// Submits recorded work without waiting whenever `passes` compute passes have been
    /// recorded since the last submission (0: only at a flush or transfer). Results are
    /// identical either way; only the overlap of host recording and device work changes.
    pub fn set_submit_every(&mut self, passes: u32) {
        self.submit_every = passes;
    }

    fn submit_inner(&mut self, wait: bool) -> Result<(), ExecError> {
        self.recorded = 0;
        if let Some(mut encoder) = self.encoder.take() {
            if !self.arena_host.is_empty() {
                self.queue.write_buffer(&self.arena, 0, &self.arena_host);
                self.arena_host.clear();
            }
            let timed = std::mem::take(&mut self.timed);
            if let (Some(ts), false) = (&mut self.timestamps, timed.is_empty()) {
                let count = 2 * timed.len() as u32;
                let readback = ts.pool.pop().unwrap_or_else(|| {
                    self.device.create_buffer(&wgpu::BufferDescriptor {
                        label: Some("dashi timestamp readback"),
                        size: u64::from(2 * TIMED_OPS) * 8,
                        usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
                        mapped_at_creation: false,
                    })
                });
                encoder.resolve_query_set(&ts.set, 0..count, &ts.resolve, 0);
                encoder.copy_buffer_to_buffer(&ts.resolve, 0, &readback, 0, u64::from(count) * 8);
                ts.pending.push((readback, timed));
            }
            self.queue.submit([encoder.finish()]);
        }
        if wait {
            self.wait()?;
            self.collect_timestamps()?;
        }
        self.check_faults()
    }

    /// Reads the timestamps of every submission waited for (call after a wait).
    fn collect_timestamps(&mut self) -> Result<(), ExecError> {
        let Some(ts) = &mut self.timestamps else { return Ok(()) };
        for (readback, ops) in std::mem::take(&mut ts.pending) {
            let bytes = read_mapped(&self.device, &readback, ops.len() as u64 * 16)?;
            let stamps: &[u64] = bytemuck::cast_slice(&bytes);
            if let (Some(&begin), Some(&end)) = (stamps.first(), stamps.get(2 * ops.len() - 1)) {
                let (b, e) = self.timeline.unwrap_or((begin, end));
                self.timeline = Some((b.min(begin), e.max(end)));
            }
            for (i, op) in ops.iter().enumerate() {
                let ns = (stamps[2 * i + 1].saturating_sub(stamps[2 * i]) as f64 * ts.period_ns) as u64;
                self.timings.entry(op).or_insert((0, 0, 0)).2 += ns;
            }
            ts.pool.push(readback);
        }
        Ok(())
    }

    fn wait(&self) -> Result<(), ExecError> {
        self.device.poll(wgpu::PollType::wait_indefinitely()).map_err(|e| ExecError::DeviceLost(e.to_string()))?;
        self.check_faults()
    }

    fn download_bytes(&mut self, id: BufferId) -> Result<(ElemType, Vec<u8>), ExecError> {
        self.submit_pending()?;
        let (elem, size) = {
            let b = self.buffer(id)?;
            (b.elem, b.len as u64 * 4)
        };
        let staging = self.readback.entry(size).or_insert_with(|| {
            self.device.create_buffer(&wgpu::BufferDescriptor {
                label: Some("dashi readback"),
                size,
                usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
                mapped_at_creation: false,
            })
        });
        let mut encoder =
            self.device.create_command_encoder(&wgpu::CommandEncoderDescriptor { label: Some("dashi download") });
        encoder.copy_buffer_to_buffer(&self.buffers[&id.0].buffer, 0, staging, 0, size);
        self.queue.submit([encoder.finish()]);
        let staging = staging.clone();
        self.wait()?;
        Ok((elem, read_mapped(&self.device, &staging, size)?))
    }

    fn upload_bytes(&mut self, id: BufferId, elem: ElemType, len: usize, bytes: &[u8]) -> Result<(), ExecError> {
        let b = self.buffer(id)?;
        if b.elem != elem || b.len != len {
            return Err(ExecError::TransferMismatch { buffer: id.0, elem: b.elem, expected: b.len, found: len });
        }
        // Ops recorded before this upload must read the old contents.
        self.submit_pending()?;
        self.queue.write_buffer(&self.buffers[&id.0].buffer, 0, bytes);
        Ok(())
    }
}

impl GpuExecutor {
    /// Records `repeats` dispatches of `op` in **one compute pass** (the GPU body of
    /// [`Executor::enqueue_chain`]), the k-th bound to `sets[k % sets.len()]` with the
    /// same parameter block. Each set is validated once; the pass gets one timestamp
    /// pair (its device time is attributed to `op`, with `repeats` dispatches).
    /// Dispatches in a pass are ordered: each sees the previous one's writes.
    fn record_chain(
        &mut self,
        op: &'static OpSpec,
        sets: &[&[BufferId]],
        params: &[u8],
        repeats: usize,
    ) -> Result<(), ExecError> {
        let start = Instant::now();
        self.check_faults()?;
        if sets.is_empty() || repeats == 0 {
            return Ok(());
        }
        let mut groups = [0u32; 3];
        for buffers in sets {
            let descs = buffers
                .iter()
                .map(|&b| self.buffer(b).map(|d| BufferDesc { id: b.0, elem: d.elem, len: d.len }))
                .collect::<Result<Vec<_>, _>>()?;
            groups = op.check(params, &descs)?;
        }
        let max = self.limits.max_compute_workgroups_per_dimension;
        if groups.iter().any(|&g| g > max) {
            return Err(ExecError::InvalidParams {
                op: op.name,
                message: format!("dispatch of {groups:?} workgroups exceeds the device limit of {max} per dimension"),
            });
        }
        let slots_used = self.arena_host.len() as u64 / PARAM_STRIDE;
        if slots_used >= ARENA_SLOTS || self.timed.len() as u32 >= TIMED_OPS {
            // Submit without waiting, so the device works on this batch while the host
            // records the next: the arena's next upload and the query set's next writes
            // are queued after this submission, whose timestamps were already resolved
            // into their own readback buffer (collected at the next wait). Waiting here
            // serialised host recording and device work: LES at N = 1024 on the H100
            // ran at ~39 µs per dispatch instead of the device's own pace.
            self.submit_inner(false)?;
        }
        let pipeline = self.pipeline_for(op, params)?.clone();
        let keys: Vec<(&'static str, Vec<u32>)> =
            sets.iter().map(|b| (op.name, b.iter().map(|x| x.0).collect::<Vec<_>>())).collect();
        for (key, buffers) in keys.iter().zip(sets) {
            if !self.bind_groups.contains_key(key) {
                let bg = self.create_bind_group(op, buffers);
                self.bind_groups.insert(key.clone(), bg);
            }
        }
        let offset = self.arena_host.len() as u64;
        self.arena_host.extend_from_slice(params);
        self.arena_host.resize((offset + PARAM_STRIDE) as usize, 0);

        let encoder = self.encoder.get_or_insert_with(|| {
            self.device.create_command_encoder(&wgpu::CommandEncoderDescriptor { label: Some("dashi batch") })
        });
        let query = self.timed.len() as u32;
        let timestamp_writes =
            self.timestamps.as_ref().filter(|_| self.timing).map(|ts| wgpu::ComputePassTimestampWrites {
                query_set: &ts.set,
                beginning_of_pass_write_index: Some(2 * query),
                end_of_pass_write_index: Some(2 * query + 1),
            });
        {
            let mut pass =
                encoder.begin_compute_pass(&wgpu::ComputePassDescriptor { label: Some(op.name), timestamp_writes });
            pass.set_pipeline(&pipeline);
            let bind_groups: Vec<&wgpu::BindGroup> = keys.iter().map(|k| &self.bind_groups[k]).collect();
            for k in 0..repeats {
                pass.set_bind_group(0, bind_groups[k % bind_groups.len()], &[offset as u32]);
                pass.dispatch_workgroups(groups[0], groups[1], groups[2]);
            }
        }
        if self.timestamps.is_some() && self.timing {
            self.timed.push(op.name);
        }
        self.recorded += 1;
        let early = self.submit_every > 0 && self.recorded >= self.submit_every;
        if early {
            self.submit_inner(false)?;
        }
        let entry = self.timings.entry(op.name).or_insert((0, 0, 0));
        entry.0 += repeats as u64;
        entry.1 += start.elapsed().as_nanos() as u64;
        Ok(())
    }

    /// Uploads raw f32 bit patterns into a real buffer, **bypassing** the rule that
    /// uploads be finite. For testing how shaders treat NaN and ±∞ (which ops can
    /// produce on the device); solvers use [`Executor::upload_real`].
    pub fn upload_f32_bits(&mut self, buf: BufferId, bits: &[u32]) -> Result<(), ExecError> {
        self.upload_bytes(buf, ElemType::Real, bits.len(), bytemuck::cast_slice(bits))
    }

    fn create_bind_group(&self, op: &'static OpSpec, buffers: &[BufferId]) -> wgpu::BindGroup {
        let mut entries: Vec<wgpu::BindGroupEntry> = buffers
            .iter()
            .zip(op.bindings)
            .map(|(b, spec)| wgpu::BindGroupEntry {
                binding: spec.index,
                resource: self.buffers[&b.0].buffer.as_entire_binding(),
            })
            .collect();
        entries.push(wgpu::BindGroupEntry {
            binding: op.bindings.len() as u32,
            resource: wgpu::BindingResource::Buffer(wgpu::BufferBinding {
                buffer: &self.arena,
                offset: 0,
                size: wgpu::BufferSize::new(op.params.size as u64),
            }),
        });
        self.device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some(op.name),
            layout: &self.pipelines[op.name].layout,
            entries: &entries,
        })
    }
}

/// Maps `size` bytes of a MAP_READ buffer, copies them out and unmaps.
fn read_mapped(device: &wgpu::Device, buffer: &wgpu::Buffer, size: u64) -> Result<Vec<u8>, ExecError> {
    let result = Arc::new(Mutex::new(None));
    let slot = Arc::clone(&result);
    buffer.map_async(wgpu::MapMode::Read, 0..size, move |r| *slot.lock().expect("map lock") = Some(r));
    device.poll(wgpu::PollType::wait_indefinitely()).map_err(|e| ExecError::DeviceLost(e.to_string()))?;
    match result.lock().expect("map lock").take() {
        Some(Ok(())) => {}
        Some(Err(e)) => return Err(ExecError::Device(format!("buffer map failed: {e}"))),
        None => return Err(ExecError::Device("buffer map did not complete".into())),
    }
    let bytes = {
        let view = buffer.get_mapped_range(0..size).map_err(|e| ExecError::Device(format!("mapped range: {e}")))?;
        view.to_vec()
    };
    buffer.unmap();
    Ok(bytes)
}

/// Compilation options of `op`'s pipelines (see [`Family::zero_workgroup_memory`]).
fn compilation_options<'a>(op: &OpSpec, constants: &'a [(&'a str, f64)]) -> wgpu::PipelineCompilationOptions<'a> {
    wgpu::PipelineCompilationOptions { constants, zero_initialize_workgroup_memory: op.family.zero_workgroup_memory }
}

impl Executor for GpuExecutor {
    fn device(&self) -> &DeviceInfo {
        &self.info
    }

    fn alloc(&mut self, elem: ElemType, len: usize) -> Result<BufferId, ExecError> {
        if len == 0 {
            return Err(ExecError::ZeroSizedBuffer);
        }
        let bytes = (len as u64)
            .checked_mul(4)
            .ok_or(ExecError::OutOfMemory { bytes: u64::MAX, context: "size overflow".into() })?;
        let limit = self.limits.max_buffer_size.min(self.limits.max_storage_buffer_binding_size);
        if bytes > limit {
            return Err(ExecError::OutOfMemory {
                bytes,
                context: format!("buffer exceeds the device's storage-buffer limit of {limit} bytes"),
            });
        }
        let scope = self.device.push_error_scope(wgpu::ErrorFilter::OutOfMemory);
        let buffer = self.device.create_buffer(&wgpu::BufferDescriptor {
            label: None,
            size: bytes,
            usage: wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_SRC | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        if let Some(e) = pollster::block_on(scope.pop()) {
            return Err(ExecError::OutOfMemory { bytes, context: e.to_string() });
        }
        let id = self.next_id;
        self.next_id = self.next_id.checked_add(1).ok_or_else(|| ExecError::Device("buffer ids exhausted".into()))?;
        self.buffers.insert(id, DeviceBuffer { buffer, elem, len });
        Ok(BufferId(id))
    }

    fn free(&mut self, buf: BufferId) -> Result<(), ExecError> {
        self.submit_pending()?;
        let b = self.buffers.remove(&buf.0).ok_or(ExecError::UnknownBuffer(buf.0))?;
        self.bind_groups.retain(|(_, ids), _| !ids.contains(&buf.0));
        b.buffer.destroy();
        Ok(())
    }

    fn buffer_desc(&self, buf: BufferId) -> Result<(ElemType, usize), ExecError> {
        let b = self.buffer(buf)?;
        Ok((b.elem, b.len))
    }

    fn upload_real(&mut self, buf: BufferId, data: &[f64]) -> Result<(), ExecError> {
        dashi_core::ops::check_real_upload(buf, data, Precision::F32)?;
        let narrowed: Vec<f32> = data.iter().map(|&v| v as f32).collect();
        self.upload_bytes(buf, ElemType::Real, data.len(), bytemuck::cast_slice(&narrowed))
    }

    fn upload_u32(&mut self, buf: BufferId, data: &[u32]) -> Result<(), ExecError> {
        self.upload_bytes(buf, ElemType::U32, data.len(), bytemuck::cast_slice(data))
    }

    fn upload_i32(&mut self, buf: BufferId, data: &[i32]) -> Result<(), ExecError> {
        self.upload_bytes(buf, ElemType::I32, data.len(), bytemuck::cast_slice(data))
    }

    fn enqueue(&mut self, op: &'static OpSpec, buffers: &[BufferId], params: &[u8]) -> Result<(), ExecError> {
        self.record_chain(op, &[buffers], params, 1)
    }

    fn enqueue_chain(
        &mut self,
        op: &'static OpSpec,
        sets: &[&[BufferId]],
        params: &[u8],
        repeats: usize,
    ) -> Result<(), ExecError> {
        self.record_chain(op, sets, params, repeats)
    }

    fn submit(&mut self) -> Result<(), ExecError> {
        self.submit_inner(false)
    }

    fn flush(&mut self) -> Result<(), ExecError> {
        self.submit_pending()
    }

    fn download_real(&mut self, buf: BufferId) -> Result<Vec<f64>, ExecError> {
        match self.download_bytes(buf)? {
            (ElemType::Real, bytes) => {
                Ok(bytemuck::cast_slice::<u8, f32>(&bytes).iter().map(|&v| f64::from(v)).collect())
            }
            (elem, _) => {
                Err(ExecError::TransferMismatch { buffer: buf.0, elem, expected: self.buffer(buf)?.len, found: 0 })
            }
        }
    }

    fn download_u32(&mut self, buf: BufferId) -> Result<Vec<u32>, ExecError> {
        match self.download_bytes(buf)? {
            (ElemType::U32, bytes) => Ok(bytemuck::cast_slice(&bytes).to_vec()),
            (elem, _) => {
                Err(ExecError::TransferMismatch { buffer: buf.0, elem, expected: self.buffer(buf)?.len, found: 0 })
            }
        }
    }

    fn download_i32(&mut self, buf: BufferId) -> Result<Vec<i32>, ExecError> {
        match self.download_bytes(buf)? {
            (ElemType::I32, bytes) => Ok(bytemuck::cast_slice(&bytes).to_vec()),
            (elem, _) => {
                Err(ExecError::TransferMismatch { buffer: buf.0, elem, expected: self.buffer(buf)?.len, found: 0 })
            }
        }
    }

    fn timings(&self) -> Vec<OpTiming> {
        self.timings
            .iter()
            .map(|(&op, &(dispatches, host_ns, device_ns))| OpTiming {
                op,
                dispatches,
                host_ns,
                device_ns: self.timestamps.as_ref().map(|_| device_ns),
            })
            .collect()
    }

    fn reset_timings(&mut self) {
        self.timings.clear();
        self.timeline = None;
    }

    fn set_device_timing(&mut self, on: bool) {
        self.set_timing(on);
    }
}
