//! `dashi rollout`: kernel-only rollout of a model (`z_{t+1} = z_t·A`), timed, hashed.

use crate::CommonArgs;
use crate::usage::usage;
use clap::Args;
use dashi_codec::{Model, Rollout};
use dashi_core::hash::state_hash;
use dashi_core::ops::Executor;
use serde_json::json;
use std::path::PathBuf;
use std::time::Instant;

/// `dashi rollout` flags.
#[derive(Debug, Args)]
pub struct RolloutArgs {
    /// Model file written by `dashi fit`.
    #[arg(long, default_value = "model.dashi")]
    model: PathBuf,
    /// Operator steps (frames) to advance.
    #[arg(long, default_value_t = 10_000)]
    steps: u64,
    /// Observe (download, hash, print) every this many frames; with --jump, step by
    /// A^stride. Default: min(1000, --steps).
    #[arg(long)]
    stride: Option<u64>,
    /// Step by the precomputed A^stride instead of stride single steps.
    #[arg(long)]
    jump: bool,
    /// Trajectories rolled out at once (batched gemm); z0 of trajectory b is perturbed by
    /// relative noise --noise·ξ (ξ ~ N(0, 1), seeded) for b ≥ 1.
    #[arg(long, default_value_t = 1)]
    batch: usize,
    /// Relative z0 noise of the extra trajectories.
    #[arg(long, default_value_t = 1e-3)]
    noise: f64,
    /// Seed of the z0 noise.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    #[command(flatten)]
    common: CommonArgs,
}

/// `batch` initial states: z0 and perturbed copies `z0·(1 + noise·ξ)`.
pub fn perturbed_states(z0: &[f64], batch: usize, noise: f64, seed: u64) -> Vec<f64> {
    let mut rng = dashi_core::random::SplitMix64::new(seed);
    let mut out = z0.to_vec();
    for _ in 1..batch {
        out.extend(z0.iter().map(|v| v * (1.0 + noise * rng.normal())));
    }
    out
}

/// What [`timed_rollout`] measured.
pub struct RolloutOutcome {
    /// Frames advanced.
    pub frames: u64,
    /// Seconds stepping (flushed to completion), without observations.
    pub step_s: f64,
    /// Seconds downloading and hashing observations.
    pub observe_s: f64,
    /// Single-trajectory steps per second (frames × batch / step_s); with a jump, operator
    /// applications (snapshots) per second instead.
    pub steps_per_s: f64,
    /// Seconds spent building the rollout (with a jump: computing A^jump).
    pub setup_s: f64,
    /// `{frame, hash, norm}` of trajectory 0 at every observation.
    pub hashes: Vec<serde_json::Value>,
}

/// Rolls `batch` trajectories (`z0`: `batch × D`) of `model` for `steps` frames, observing
/// (download + hash of trajectory 0) every `stride` frames, stepping by `A^jump`.
#[allow(clippy::too_many_arguments)]
pub fn timed_rollout(
    exec: &mut dyn Executor,
    model: &Model,
    z0: &[f64],
    batch: usize,
    steps: u64,
    stride: u64,
    jump: u64,
    quiet: bool,
) -> anyhow::Result<RolloutOutcome> {
    let d = model.meta.dim;
    let t_setup = Instant::now();
    let mut rollout = Rollout::new(exec, &model.operator, z0, batch, jump)?;
    exec.flush()?;
    let setup_s = t_setup.elapsed().as_secs_f64();
    let observations = steps / stride;
    let bar = crate::progress::steps_bar(steps, "rollout", "steps", quiet);
    let mut hashes = Vec::new();
    let (mut step_s, mut observe_s) = (0.0, 0.0);
    for _ in 0..observations {
        let t0 = Instant::now();
        for _ in 0..stride / jump {
            rollout.step(exec)?;
        }
        exec.flush()?;
        step_s += t0.elapsed().as_secs_f64();
        let t1 = Instant::now();
        let z = rollout.download(exec)?;
        observe_s += t1.elapsed().as_secs_f64();
        let hash = state_hash(&z[..d]).to_string();
        hashes.push(json!({ "frame": rollout.frames(), "hash": hash, "norm": z[..d].iter().map(|v| v * v).sum::<f64>().sqrt() }));
        bar.set_position(rollout.frames());
    }
    bar.finish_and_clear();
    rollout.free(exec)?;
    let frames = observations * stride;
    let applications = observations * (stride / jump);
    let steps_per_s = (applications * batch as u64) as f64 / step_s;
    Ok(RolloutOutcome { frames, step_s, observe_s, steps_per_s, setup_s, hashes })
}

/// The largest `batch × D` state a rollout allocates (f64 values; 2 GiB on the host).
const MAX_STATE_VALUES: usize = 1 << 28;

/// Observation lines printed before the rest is left to `--metrics-json`.
const PRINTED_OBSERVATIONS: usize = 20;

/// Runs `dashi rollout`.
pub fn run(args: RolloutArgs) -> anyhow::Result<()> {
    let stride = args.stride.unwrap_or(args.steps.min(1000));
    if args.steps == 0 || stride == 0 || stride > args.steps {
        return usage(format!("--steps {} --stride {stride}: need 1 <= stride <= steps", args.steps));
    }
    if args.batch == 0 || !(args.noise.is_finite() && args.noise >= 0.0) {
        return usage(format!(
            "--batch {} --noise {}: need batch >= 1 and a finite noise >= 0",
            args.batch, args.noise
        ));
    }
    let metrics = crate::metrics::MetricsFile::check(args.common.metrics_json.clone(), args.common.force)?;
    crate::path_guard::PathGuard::new()
        .input("--model", &args.model)
        .output("--metrics-json", args.common.metrics_json.as_deref())
        .check()?;
    let model = crate::model_input::read(&args.model)?;
    let d = model.meta.dim;
    match args.batch.checked_mul(d) {
        Some(values) if values <= MAX_STATE_VALUES => {}
        _ => {
            return usage(format!(
                "--batch {}: {} trajectories × D = {d} exceed the {MAX_STATE_VALUES} state values (2 GiB) a rollout may \
                 hold; use --batch <= {}",
                args.batch,
                args.batch,
                MAX_STATE_VALUES / d.max(1)
            ));
        }
    }
    let (mut selected, report) = crate::backend::select_announced(&args.common)?;
    let exec = selected.exec.as_mut();
    let z0 = perturbed_states(&model.z0, args.batch, args.noise, args.seed);
    let jump = if args.jump { stride } else { 1 };
    let outcome = timed_rollout(exec, &model, &z0, args.batch, args.steps, stride, jump, args.common.quiet)?;
    let RolloutOutcome { frames, step_s, observe_s, steps_per_s, setup_s, hashes } = outcome;
    if !args.common.quiet {
        if args.jump {
            // A jump applies A^stride once per observation: its throughput is snapshots
            // per second, and the precompute of A^stride is part of the cost.
            println!(
                "{} snapshots × {} trajectories (D = {d}, one snapshot = A^{stride} = {stride} frames) in {step_s:.3} s: \
                 {:.0} snapshots/s; A^{stride} precompute {setup_s:.3} s; observe {observe_s:.3} s",
                hashes.len(),
                args.batch,
                steps_per_s
            );
        } else {
            println!(
                "{frames} frames × {} trajectories (D = {d}) in {step_s:.3} s: {steps_per_s:.0} steps/s, {:.1} ns_per_step; \
                 observe {observe_s:.3} s",
                args.batch,
                1e9 / steps_per_s
            );
        }
        for h in hashes.iter().take(PRINTED_OBSERVATIONS) {
            println!(
                "  frame {:>10}  hash {}  |z| {:.6e}",
                h["frame"],
                h["hash"].as_str().unwrap_or(""),
                h["norm"].as_f64().unwrap_or(f64::NAN)
            );
        }
        if hashes.len() > PRINTED_OBSERVATIONS {
            let last = &hashes[hashes.len() - 1];
            println!(
                "  … {} more observations (all in --metrics-json); last: frame {} hash {}",
                hashes.len() - PRINTED_OBSERVATIONS,
                last["frame"],
                last["hash"].as_str().unwrap_or("")
            );
        }
    }
    let rate = if args.jump {
        json!({ "snapshots": hashes.len(), "snapshots_per_s": steps_per_s, "precompute_s": setup_s })
    } else {
        json!({ "steps_per_s": steps_per_s, "ns_per_step": 1e9 / steps_per_s })
    };
    let mut results =
        json!({ "frames": frames, "simulated_time": frames as f64 * model.meta.frame_dt, "hashes": hashes });
    if let (Some(results), Some(rate)) = (results.as_object_mut(), rate.as_object()) {
        results.extend(rate.clone());
    }
    metrics.write(&crate::metrics::envelope(
        "rollout",
        &[("rollout", &report)],
        &report.used.precision.to_string(),
        json!({ "model": args.model.display().to_string(), "steps": args.steps, "stride": stride, "jump": args.jump,
                "batch": args.batch, "noise": args.noise, "seed": args.seed, "dim": d }),
        json!({ "step_s": step_s, "observe_s": observe_s, "setup_s": setup_s }),
        results,
    ))
}
