//! GPU throughput of the linear rollout ops, one JSON line per measurement.
//!
//! ```text
//! cargo run --release -p dashi-gpu --example gpu_bench -- [--dim 654] [--steps 20000] [--batch 4096] [--repeats 5]
//! ```
//!
//! * `device` — the adapter used (backend requested: gpu; no fallback).
//! * `rollout_single` — one trajectory, `z ← z·A` for `steps` steps (f32, A random
//!   orthogonal × 0.9999), every step one gemv dispatch, all steps between the two
//!   observations recorded in one compute pass; `steps_per_s` from host wall time
//!   around the whole rollout (upload of A excluded), `device_ns_per_step` from
//!   timestamp queries where available.
//! * `gemm_batched` — `Z ← Z·A` for `batch` trajectories, a chain of 20 products in one
//!   pass; `gflop_per_s` = 2·M·D²·20 / time (wall and device).
//!
//! * `fft2` — complex f32 2D FFT (`fft_step` passes: rows, then the columns in one or
//!   more steps) of a batch of `n×n` fields filling 128 MiB, n = 256, 1024, 2048, 4096,
//!   with the default column split (`"default":true`) and the alternatives;
//!   `fields_per_s` and the bandwidth the passes achieve (`gb_per_s` counts every byte
//!   read and written by every pass).
//!
//! * `rfft2` — real f32 fields (16 Mi reals per batch) to full complex spectra through
//!   `RealFft2Program` (two real fields per complex FFT); `fields_per_s` by wall time
//!   and by device timeline span (all ops of the program, gaps included).
//! * `fft_pass` — each `fft_step` pass of the default programs alone (and the one-step
//!   column pass), device time and achieved GB/s (bytes read + written).
//!
//! Medians over `repeats`. Every run prints the adapter, so numbers are never
//! attributed to the wrong device.
//!
//! `DASHI_FFT_ONLY=1` runs only `fft2` (the default split and the one-step column
//! transform, three fresh allocations each) and `fft_pass`; `DASHI_FFT_NS=1024,2048`
//! picks the sizes (xtask/device/fft_ab.sh, for A/B runs of kernel variants).

use dashi_core::linear::{HashObserver, random_orthogonal, rollout_on};
use dashi_core::ops::{ElemType, Executor, Fft2Program, GEMM_BATCHED, GemmParams, default_column_radices};
use dashi_gpu::{AdapterSelection, GpuExecutor};
use std::time::Instant;

fn arg(name: &str, default: usize) -> usize {
    let args: Vec<String> = std::env::args().collect();
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// `DASHI_FFT_ONLY=1`: only the complex `fft2` and `fft_pass` sections (device A/B runs).
fn fft_only() -> bool {
    std::env::var("DASHI_FFT_ONLY").is_ok_and(|v| v == "1")
}

/// The FFT sizes (`DASHI_FFT_NS=1024,2048`; default 256, 1024, 2048, 4096).
fn fft_sizes() -> Vec<usize> {
    std::env::var("DASHI_FFT_NS")
        .ok()
        .map(|v| v.split(',').filter_map(|x| x.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![256, 1024, 2048, 4096])
}

/// Seconds of untimed warm-up before each measurement (`DASHI_BENCH_WARMUP_S`, default
/// 0.3; 0 = a single call, the method before 2026-11-22's specialised-pipeline session).
fn warmup_s() -> f64 {
    std::env::var("DASHI_BENCH_WARMUP_S").ok().and_then(|v| v.parse().ok()).unwrap_or(0.3)
}

/// Milliseconds since the Unix epoch (to line results up with `nvidia-smi` clock logs).
fn unix_ms() -> u128 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis())
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn device_ns(gpu: &GpuExecutor, op: &str) -> Option<u64> {
    gpu.timings().into_iter().find(|t| t.op == op).and_then(|t| t.device_ns)
}

/// Medians of one measurement, in seconds per operation.
struct Timing {
    /// Host wall time around the whole body (submission and wait included).
    wall: f64,
    /// Sum of the device times of the op's dispatches (timestamp queries).
    device: f64,
    /// Device timeline from the first dispatch's start to the last one's end, gaps
    /// between dispatches included (what CUDA events around the same work measure).
    span: f64,
}

/// Runs `body` `repeats` times; returns the medians of host wall time, the device time
/// of `op` and the device timeline span (NaN where timestamps are unsupported), divided
/// by `per_call` (the number of operations `body` performs).
fn measure(
    gpu: &mut GpuExecutor,
    repeats: usize,
    op: &str,
    per_call: f64,
    mut body: impl FnMut(&mut GpuExecutor) -> Result<(), Box<dyn std::error::Error>>,
) -> Result<Timing, Box<dyn std::error::Error>> {
    let (mut walls, mut devs, mut spans) = (Vec::new(), Vec::new(), Vec::new());
    // Untimed warm-up: at least one call, and calls for `warmup_s()` seconds. On the
    // H100 the first measurement after a host-side pause (new buffers uploaded, new
    // pipelines compiled) ran up to 2.2× slower with a single warm-up call; the device
    // needs a moment of sustained work to reach its steady state (docs/BENCHMARKS.md).
    let warm = Instant::now();
    body(gpu)?;
    while warm.elapsed().as_secs_f64() < warmup_s() {
        body(gpu)?;
    }
    for _ in 0..repeats {
        gpu.reset_timings();
        let start = Instant::now();
        body(gpu)?;
        walls.push(start.elapsed().as_secs_f64() / per_call);
        devs.push(device_ns(gpu, op).map_or(f64::NAN, |ns| ns as f64 * 1e-9 / per_call));
        spans.push(gpu.device_span_ns().map_or(f64::NAN, |ns| ns as f64 * 1e-9 / per_call));
    }
    Ok(Timing { wall: median(walls), device: median(devs), span: median(spans) })
}

fn linear_benches(
    gpu: &mut GpuExecutor,
    info: &dashi_core::ops::DeviceInfo,
    d: usize,
    steps: u64,
    batch: usize,
    repeats: usize,
) -> Result<(), Box<dyn std::error::Error>> {
    let op = random_orthogonal(d, 42, 0.9999)?;
    let z0: Vec<f64> = (0..d).map(|i| ((i * 7919) % 1000) as f64 / 1000.0 - 0.5).collect();

    // Warm-up (pipeline creation, first allocation).
    rollout_on(gpu, &op, &z0, 1, 100, 100, &mut HashObserver::default())?;
    let mut hash = String::new();
    let Timing { wall, device: dev, .. } = measure(gpu, repeats, "gemv_row", 1.0, |gpu| {
        let mut obs = HashObserver::default();
        rollout_on(gpu, &op, &z0, 1, steps, steps, &mut obs)?;
        hash = obs.hashes.last().map(|(_, h)| h.to_string()).unwrap_or_default();
        Ok(())
    })?;
    println!(
        "{{\"bench\":\"rollout_single\",\"dim\":{d},\"steps\":{steps},\"dtype\":\"f32\",\"wall_s\":{wall:.6},\"steps_per_s\":{:.1},\"ns_per_step\":{:.1},\"device_ns_per_step\":{:.1},\"device\":\"{}\",\"last_hash\":\"{hash}\"}}",
        steps as f64 / wall,
        wall * 1e9 / steps as f64,
        dev * 1e9 / steps as f64,
        info.device_name
    );

    // Batched gemm chain.
    let chain = 20usize;
    let a = gpu.alloc(ElemType::Real, d * d)?;
    let z = gpu.alloc(ElemType::Real, batch * d)?;
    let w = gpu.alloc(ElemType::Real, batch * d)?;
    gpu.upload_real(a, op.as_slice())?;
    let zs: Vec<f64> = (0..batch * d).map(|i| ((i * 2654435761usize) % 2000) as f64 / 1000.0 - 1.0).collect();
    gpu.upload_real(z, &zs)?;
    let params = GemmParams::new(batch as u32, d as u32, d as u32);
    let sets: [&[dashi_core::ops::BufferId]; 2] = [&[z, a, w], &[w, a, z]];
    gpu.enqueue_chain(&GEMM_BATCHED, &sets, bytemuck::bytes_of(&params), 2)?;
    gpu.flush()?;
    let Timing { wall, device: dev, .. } = measure(gpu, repeats, "gemm_batched", 1.0, |gpu| {
        gpu.enqueue_chain(&GEMM_BATCHED, &sets, bytemuck::bytes_of(&params), chain)?;
        Ok(gpu.flush()?)
    })?;
    let flop = 2.0 * batch as f64 * (d * d) as f64 * chain as f64;
    println!(
        "{{\"bench\":\"gemm_batched\",\"batch\":{batch},\"dim\":{d},\"chain\":{chain},\"dtype\":\"f32\",\"wall_s\":{wall:.6},\"device_s\":{dev:.6},\"gflop_per_s_wall\":{:.1},\"gflop_per_s_device\":{:.1},\"device\":\"{}\"}}",
        flop / wall * 1e-9,
        flop / dev * 1e-9,
        info.device_name
    );
    gpu.free(a)?;
    gpu.free(z)?;
    gpu.free(w)?;

    Ok(())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let d = arg("--dim", 654);
    let steps = arg("--steps", 20_000) as u64;
    let batch = arg("--batch", 4096);
    let repeats = arg("--repeats", 5).max(1);
    let mut gpu = GpuExecutor::new(&AdapterSelection::from_env())?;
    let info = gpu.device().clone();
    println!(
        "{{\"bench\":\"device\",\"backend_requested\":\"gpu\",\"backend_used\":\"{}\",\"device\":\"{}\",\"device_type\":\"{:?}\",\"driver\":\"{}\",\"timestamps\":{}}}",
        info.backend,
        info.device_name,
        info.device_type,
        info.driver,
        gpu.has_timestamps()
    );
    if !fft_only() {
        linear_benches(&mut gpu, &info, d, steps, batch, repeats)?;
    }

    for n in fft_sizes() {
        let batch = ((16usize << 20) / (2 * n * n)).max(1);
        let default = default_column_radices(n);
        // The default split first, then one step and every two-step split (radices >= 16);
        // with DASHI_FFT_ONLY the default and one step only, both three times.
        let mut splits = vec![default.clone(), vec![n as u32]];
        if !fft_only() {
            splits.extend((4..n.trailing_zeros() - 3).map(|k| vec![1u32 << k, (n >> k) as u32]));
        }
        let splits: Vec<Vec<u32>> =
            splits.iter().enumerate().filter(|(i, s)| !splits[..*i].contains(s)).map(|(_, s)| s.clone()).collect();
        let every: &[u32] = if fft_only() { &[0] } else { &[0, 8] };
        let runs = splits.iter().flat_map(|r| every.iter().map(move |&e| (r, e)));
        // The default runs three times on fresh allocations: timings on the H100 varied by
        // up to 2× between allocations of the same size (see docs/BENCHMARKS.md).
        let thrice = |r: &Vec<u32>, e: u32| e == 0 && (*r == default || fft_only());
        let runs = runs.flat_map(|(r, e)| (0..if thrice(r, e) { 3 } else { 1 }).map(move |k| (r, e, k)));
        for (radices, submit_every, trial) in runs.filter(|(r, _, _)| r.iter().all(|&x| x >= 16)) {
            gpu.set_submit_every(submit_every);
            let plan = Fft2Program::with_column_radices(&mut gpu, n, batch, radices)?;
            let buf = gpu.alloc(ElemType::Real, plan.buffer_len())?;
            let field: Vec<f64> =
                (0..plan.buffer_len()).map(|i| ((i * 2654435761usize) % 2000) as f64 / 1000.0 - 1.0).collect();
            gpu.upload_real(buf, &field)?;
            plan.forward(&mut gpu, buf, buf)?;
            gpu.flush()?;
            // 50 transforms per submission, as a solver would queue them: the fixed
            // submit-and-wait latency (≈ 0.5 ms) is then ~1% of the wall time.
            let mut fifty = |gpu: &mut GpuExecutor| -> Result<(), Box<dyn std::error::Error>> {
                for _ in 0..50 {
                    plan.forward(gpu, buf, buf)?;
                }
                Ok(gpu.flush()?)
            };
            let Timing { wall, device: dev, span } = measure(&mut gpu, repeats, "fft_step", 50.0, &mut fifty)?;
            // Each pass reads and writes every complex value once.
            let bytes = plan.steps() as f64 * 2.0 * (8 * n * n * batch) as f64;
            let host_us = gpu
                .timings()
                .into_iter()
                .find(|t| t.op == "fft_step")
                .map_or(f64::NAN, |t| t.host_ns as f64 * 1e-3 / t.dispatches as f64);
            println!(
                "{{\"bench\":\"fft2\",\"n\":{n},\"batch\":{batch},\"dtype\":\"c64\",\"columns\":{radices:?},\"default\":{},\"passes\":{},\"wall_s\":{wall:.6},\"device_s\":{dev:.6},\"span_s\":{span:.6},\"fields_per_s_wall\":{:.1},\"fields_per_s_device\":{:.1},\"fields_per_s_span\":{:.1},\"gb_per_s_device\":{:.1},\"host_us_per_dispatch\":{host_us:.2},\"submit_every\":{submit_every},\"trial\":{trial},\"warmup_s\":{},\"t_unix_ms\":{},\"device\":\"{}\"}}",
                *radices == default,
                plan.steps(),
                batch as f64 / wall,
                batch as f64 / dev,
                batch as f64 / span,
                bytes / dev * 1e-9,
                warmup_s(),
                unix_ms(),
                info.device_name
            );
            if *radices == default && submit_every == 0 {
                // The same work without per-pass timestamp queries: host wall time only.
                gpu.set_timing(false);
                let bare = measure(&mut gpu, repeats, "fft_step", 50.0, &mut fifty)?;
                gpu.set_timing(true);
                println!(
                    "{{\"bench\":\"fft2_untimed\",\"n\":{n},\"batch\":{batch},\"columns\":{radices:?},\"trial\":{trial},\"wall_s\":{:.6},\"fields_per_s_wall\":{:.1},\"device\":\"{}\"}}",
                    bare.wall,
                    batch as f64 / bare.wall,
                    info.device_name
                );
            }
            gpu.free(buf)?;
            plan.free(&mut gpu)?;
        }
    }
    gpu.set_submit_every(dashi_gpu::SUBMIT_EVERY);

    // Real fields through RealFft2Program (pairs packed into one complex FFT).
    for n in if fft_only() { vec![] } else { fft_sizes() } {
        let fields = ((16usize << 20) / (n * n)).max(2);
        let program = dashi_core::ops::RealFft2Program::new(&mut gpu, n, fields)?;
        let reals = gpu.alloc(ElemType::Real, program.real_len())?;
        let spectra = gpu.alloc(ElemType::Real, program.spectrum_len())?;
        gpu.upload_real(reals, &vec![0.25; program.real_len()])?;
        program.forward(&mut gpu, reals, spectra)?;
        gpu.flush()?;
        let t = measure(&mut gpu, repeats, "fft_step", 20.0, |gpu| {
            for _ in 0..20 {
                program.forward(gpu, reals, spectra)?;
            }
            Ok(gpu.flush()?)
        })?;
        println!(
            "{{\"bench\":\"rfft2\",\"n\":{n},\"fields\":{fields},\"dtype\":\"f32\",\"output\":\"full complex spectra\",\"wall_s\":{:.6},\"span_s\":{:.6},\"fields_per_s_wall\":{:.1},\"fields_per_s_span\":{:.1},\"device\":\"{}\"}}",
            t.wall,
            t.span,
            fields as f64 / t.wall,
            fields as f64 / t.span,
            info.device_name
        );
        gpu.free(reals)?;
        gpu.free(spectra)?;
        program.free(&mut gpu)?;
    }

    // Each pass of the default programs alone: the bandwidth every step achieves.
    for n in fft_sizes() {
        let batch = ((16usize << 20) / (2 * n * n)).max(1);
        let len = 2 * n * n * batch;
        let (src, dst, tw) =
            (gpu.alloc(ElemType::Real, len)?, gpu.alloc(ElemType::Real, len)?, gpu.alloc(ElemType::Real, n)?);
        gpu.upload_real(src, &vec![0.5; len])?;
        gpu.upload_real(tw, &dashi_core::ops::fft_twiddles(n))?;
        let mut steps = vec![(0u32, n as u32, 1u32)];
        let mut span = 1;
        for r in default_column_radices(n) {
            steps.push((1, r, span));
            span *= r;
        }
        if !steps.contains(&(1, n as u32, 1)) {
            // The one-step column pass too.
            steps.push((1, n as u32, 1));
        }
        for (axis, radix, span) in steps {
            let p = dashi_core::ops::FftStepParams::new(n as u32, batch as u32, axis, radix, span, false);
            let t = measure(&mut gpu, repeats, "fft_step", 50.0, |gpu| {
                for _ in 0..50 {
                    gpu.enqueue(&dashi_core::ops::FFT_STEP, &[src, dst, tw], bytemuck::bytes_of(&p))?;
                }
                Ok(gpu.flush()?)
            })?;
            println!(
                "{{\"bench\":\"fft_pass\",\"n\":{n},\"batch\":{batch},\"axis\":{axis},\"radix\":{radix},\"span\":{span},\"device_s\":{:.9},\"gb_per_s_device\":{:.1},\"device\":\"{}\"}}",
                t.device,
                2.0 * 4.0 * len as f64 / t.device * 1e-9,
                info.device_name
            );
        }
        gpu.free(src)?;
        gpu.free(dst)?;
        gpu.free(tw)?;
    }
    Ok(())
}
