//! One LES benchmark run, one JSON line: N, steps/s, simulated time per wall second,
//! backend and device. The Kolmogorov configuration of docs/DESIGN.md §5 (kf = 4, μ = 0.1,
//! ν0 = 1e-3, Cs = 0) from the seeded McWilliams field, as `cargo xtask peers` compares
//! against jax-cfd:
//!
//! ```text
//! cargo run --release -p dashi-les --example les_bench -- [--backend cpu|gpu|auto]
//!     [--n 256] [--steps 200] [--dt 0.00175] [--scheme rk4|heun] [--repeats 3] [--op-timings]
//!     [--cpu-f32]
//! ```
//!
//! The first `--warmup` steps (default 5) are not timed; every repeat restarts from the
//! initial condition and ends with the executor's flush and the blow-up check, so the
//! time covers all device work. The median repeat is reported with all of them.
//! `--cpu-f32` runs the CPU executor in f32 (not the f64 reference) for comparisons with
//! f32 peers; `ffts_per_step` counts complex 2D FFTs.

use dashi_core::ops::{CpuExecutor, Executor, Precision};
use dashi_gpu::{AdapterSelection, BackendReport, BackendRequest, executor_for};
use dashi_les::{Les, LesConfig, Stepper, initial};
use std::time::Instant;

fn arg<T: std::str::FromStr>(args: &[String], name: &str, default: T) -> T {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .map(|v| v.parse().unwrap_or_else(|_| panic!("{name}: cannot parse {v:?}")))
        .unwrap_or(default)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let backend: BackendRequest = arg(&args, "--backend", "cpu".to_string()).parse()?;
    let n: usize = arg(&args, "--n", 256);
    let steps: u64 = arg(&args, "--steps", 200);
    let warmup: u64 = arg(&args, "--warmup", 5);
    let repeats: usize = arg(&args, "--repeats", 3);
    let dt: f64 = arg(&args, "--dt", 0.5 * (2.0 * std::f64::consts::PI / n as f64) / 7.0);
    let scheme = arg(&args, "--scheme", "rk4".to_string());
    let stepper = match scheme.as_str() {
        "rk4" => Stepper::Rk4,
        "heun" => Stepper::Heun,
        other => return Err(format!("--scheme {other:?}: expected rk4 or heun").into()),
    };
    let (mut exec, report) = if args.iter().any(|a| a == "--cpu-f32") {
        // The CPU executor in f32 (not the reference; for like-for-like peers in f32).
        let exec = CpuExecutor::new(Precision::F32);
        let used = exec.device().clone();
        (Box::new(exec) as Box<dyn Executor>, BackendReport { requested: BackendRequest::Cpu, used, note: None })
    } else {
        executor_for(backend, &AdapterSelection::from_env())?
    };
    let op_timings = args.iter().any(|a| a == "--op-timings");
    // Device timestamps only when asked for (they instrument every pass).
    exec.set_device_timing(op_timings);
    let config = LesConfig::new(n, dt, 1e-3, stepper).with_kolmogorov(4, 0.1);
    let omega = initial::mcwilliams(n, 0, 4.0);
    let mut walls = Vec::with_capacity(repeats);
    let mut ffts_per_step = 0;
    for _ in 0..repeats {
        let mut les = Les::new(exec.as_mut(), config, &omega)?;
        les.advance(exec.as_mut(), warmup)?;
        exec.reset_timings();
        ffts_per_step = les.ffts_per_step();
        let start = Instant::now();
        les.advance(exec.as_mut(), steps)?;
        walls.push(start.elapsed().as_secs_f64());
        les.free(exec.as_mut())?;
    }
    if op_timings {
        // Per-op totals of the last repeat, on stderr (the JSON line stays alone on stdout).
        for t in exec.timings() {
            let device = t.device_ns.map_or(String::new(), |d| format!(" {:>10.3} ms on the device", d as f64 / 1e6));
            eprintln!("{:>24} {:>8} calls {:>10.3} ms host{device}", t.op, t.dispatches, t.host_ns as f64 / 1e6);
        }
    }
    let mut sorted = walls.clone();
    sorted.sort_by(f64::total_cmp);
    let wall = sorted[sorted.len() / 2];
    println!(
        "{{\"bench\":\"les\",\"n\":{n},\"scheme\":\"{scheme}\",\"dt\":{dt},\"steps\":{steps},\"wall_s\":{wall:.6},\"walls_s\":{walls:?},\"steps_per_s\":{:.3},\"sim_time_per_wall_s\":{:.6},\"ffts_per_step\":{ffts_per_step},\"backend_requested\":\"{backend}\",\"backend_used\":\"{}\",\"device\":\"{}\",\"precision\":\"{}\"}}",
        steps as f64 / wall,
        steps as f64 * dt / wall,
        report.used.backend,
        report.used.device_name,
        report.used.precision
    );
    Ok(())
}
