//! Rollout + decode throughput of the v4 codec on one backend (issue: frames/s at
//! N = 128, 256, 512 on a GPU and on the CPU). One JSON line per N.
//!
//! ```text
//! codec_bench --backend cpu|gpu [--n 128,256,512] [--frames 100] [--repeats 3]
//! ```
//! The model: the McWilliams initial field of size N encoded with the default settings
//! (k_cut 8, mid_cut 32, K = 128, seeded residual, 6 fining levels) and a random
//! orthogonal operator of the same D (stable; the cost of a step does not depend on the
//! values). A frame is one operator step plus one full decode (one op sequence, no
//! readback inside). Reported: `frames_per_s_resident` (decoded ω stays on the device;
//! one flush at the end) and `frames_per_s_readback` (ω downloaded every frame, the
//! observer `dashi decode` uses), median of the repeats.

use dashi_codec::{DecodeConfig, Decoder, EncodeConfig, Encoder, Rollout};
use dashi_core::ops::{CpuExecutor, Executor, Precision};
use dashi_gpu::{AdapterSelection, BackendRequest, executor_for};
use dashi_les::Preset;
use serde_json::json;
use std::time::Instant;

fn arg(args: &[String], name: &str, default: &str) -> String {
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).cloned().unwrap_or_else(|| default.to_string())
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let backend: BackendRequest = arg(&args, "--backend", "cpu").parse()?;
    let sizes: Vec<usize> = arg(&args, "--n", "128,256,512").split(',').map(str::parse).collect::<Result<_, _>>()?;
    let frames: usize = arg(&args, "--frames", "100").parse()?;
    let repeats: usize = arg(&args, "--repeats", "3").parse()?;
    let (mut exec, report) = if backend == BackendRequest::Cpu {
        let exec = CpuExecutor::new(Precision::F64);
        let device = exec.device().clone();
        (Box::new(exec) as Box<dyn Executor>, format!("cpu ({}, f64 reference)", device.device_name))
    } else {
        let (exec, report) = executor_for(backend, &AdapterSelection::from_env())?;
        (exec, report.to_string())
    };
    exec.set_device_timing(false);
    let exec = exec.as_mut();
    for &n in &sizes {
        let mut encoder = Encoder::new(exec, n, &EncodeConfig::default())?;
        let z0 = encoder.encode(exec, &Preset::McWilliams.field(n, 0))?;
        let layout = encoder.layout().clone();
        encoder.free(exec)?;
        let operator = dashi_core::linear::random_orthogonal(layout.dim(), 1, 1.0)?;
        let mut decoder = Decoder::new(exec, &layout, &DecodeConfig::default())?;
        let mut resident = Vec::new();
        let mut readback = Vec::new();
        for repeat in 0..=repeats {
            for (times, download) in [(&mut resident, false), (&mut readback, true)] {
                let mut rollout = Rollout::new(exec, &operator, &z0, 1, 1)?;
                exec.flush()?;
                let t0 = Instant::now();
                for t in 0..frames {
                    rollout.step(exec)?;
                    decoder.enqueue(exec, rollout.state_buffer(), t as u64)?;
                    if download {
                        std::hint::black_box(decoder.download(exec)?);
                    }
                }
                exec.flush()?;
                let elapsed = t0.elapsed().as_secs_f64();
                rollout.free(exec)?;
                // Repeat 0 warms up (pipelines, caches) and is not counted.
                if repeat > 0 {
                    times.push(frames as f64 / elapsed);
                }
            }
        }
        decoder.free(exec)?;
        println!(
            "{}",
            json!({
                "n": n, "dim": layout.dim(), "frames": frames, "repeats": repeats, "backend": report,
                "frames_per_s_resident": median(resident), "frames_per_s_readback": median(readback),
            })
        );
    }
    Ok(())
}
