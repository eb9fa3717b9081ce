//! Rollout throughput of the CPU reference, one JSON line on stdout.
//!
//! ```text
//! cargo run --release -p dashi-core --example rollout_bench -- \
//!     [--dim 654] [--steps 20000] [--dtype f64|f32] [--mode plain|jump] [--stride 200] [--repeats 5]
//! ```
//!
//! The operator is a seeded random orthogonal matrix × 0.9999 (so `z·A^t` neither
//! blows up nor reaches denormals in 20,000 steps). `plain` applies `A` every step and
//! observes every `stride`-th state by hash; `jump` steps by `A^stride`, whose
//! one-off computation is timed separately as `precompute_s`. Times are medians over
//! `repeats` runs. `steps_per_s` counts plain steps advanced; in jump mode
//! `snapshots_per_s` is the number that matters.

use dashi_core::linear::{HashObserver, LinearOperator, Stepper, StrideJump, random_orthogonal, rollout};
use dashi_core::scalar::Real;
use std::time::Instant;

struct Args {
    dim: usize,
    steps: u64,
    dtype: String,
    mode: String,
    stride: u64,
    repeats: usize,
}

fn parse() -> Result<Args, String> {
    let mut a = Args { dim: 654, steps: 20_000, dtype: "f64".into(), mode: "plain".into(), stride: 200, repeats: 5 };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next().ok_or(format!("{flag} needs a value"))?;
        let bad = |e: std::num::ParseIntError| format!("{flag} {value}: {e}");
        match flag.as_str() {
            "--dim" => a.dim = value.parse().map_err(bad)?,
            "--steps" => a.steps = value.parse().map_err(bad)?,
            "--stride" => a.stride = value.parse().map_err(bad)?,
            "--repeats" => a.repeats = value.parse().map_err(bad)?,
            "--dtype" if value == "f64" || value == "f32" => a.dtype = value,
            "--mode" if value == "plain" || value == "jump" => a.mode = value,
            _ => return Err(format!("unknown flag or value: {flag} {value}")),
        }
    }
    if a.dim == 0 || a.steps == 0 || a.stride == 0 || a.repeats == 0 {
        return Err("dim, steps, stride and repeats must be >= 1".into());
    }
    Ok(a)
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn run<T: Real>(args: &Args, op: LinearOperator<T>) -> String {
    let z0: Vec<T> = (0..args.dim).map(|i| T::from_f64(((i * 7919) % 1000) as f64 / 1000.0 - 0.5)).collect();
    let mut times = Vec::new();
    let mut precompute = Vec::new();
    let mut last_hash = String::new();
    for _ in 0..args.repeats {
        let mut obs = HashObserver::default();
        let summary = if args.mode == "plain" {
            let mut stepper = Stepper::for_operator(&op);
            let start = Instant::now();
            let s = rollout(&mut stepper, &z0, args.steps, args.stride, &mut obs);
            times.push(start.elapsed().as_secs_f64());
            s
        } else {
            let start = Instant::now();
            let jump = StrideJump::new(&op, args.stride).expect("stride >= 1");
            precompute.push(start.elapsed().as_secs_f64());
            let start = Instant::now();
            let s = jump.rollout(&z0, args.steps, &mut obs);
            times.push(start.elapsed().as_secs_f64());
            s
        };
        summary.expect("rollout of a contraction stays finite");
        last_hash = obs.hashes.last().map(|(_, h)| h.to_string()).unwrap_or_default();
    }
    // `wall_s` is the stepping alone; in jump mode `precompute_s` (A^s, once per
    // operator and stride) is reported separately and included in the `_all_in` rate.
    let wall = median(times);
    let pre = if precompute.is_empty() { 0.0 } else { median(precompute) };
    let all_in = wall + pre;
    let snapshots = args.steps / args.stride;
    format!(
        concat!(
            "{{\"bench\":\"rollout\",\"dim\":{},\"steps\":{},\"dtype\":\"{}\",\"mode\":\"{}\",\"stride\":{},",
            "\"wall_s\":{:.6},\"precompute_s\":{:.6},\"steps_per_s\":{:.3},\"ns_per_step\":{:.3},",
            "\"snapshots\":{},\"snapshots_per_s\":{:.3},\"snapshots_per_s_all_in\":{:.3},\"last_hash\":\"{}\"}}"
        ),
        args.dim,
        args.steps,
        args.dtype,
        args.mode,
        args.stride,
        wall,
        pre,
        args.steps as f64 / wall,
        wall * 1e9 / args.steps as f64,
        snapshots,
        snapshots as f64 / wall,
        snapshots as f64 / all_in,
        last_hash
    )
}

fn main() {
    let args = match parse() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("rollout_bench: {e}");
            std::process::exit(2);
        }
    };
    let op = random_orthogonal(args.dim, 42, 0.9999).expect("dim >= 1");
    let line = if args.dtype == "f64" { run::<f64>(&args, op) } else { run::<f32>(&args, op.cast()) };
    println!("{line}");
}
