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
    /// Observe (download, hash) every this many frames; with --jump, step by A^stride.
    #[arg(long, default_value_t = 1000)]
    stride: u64,
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
    /// Single-trajectory steps per second (frames × batch / step_s).
    pub steps_per_s: f64,
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
    let mut rollout = Rollout::new(exec, &model.operator, z0, batch, jump)?;
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
    let steps_per_s = (frames * batch as u64) as f64 / step_s;
    Ok(RolloutOutcome { frames, step_s, observe_s, steps_per_s, hashes })
}

/// Runs `dashi rollout`.
pub fn run(args: RolloutArgs) -> anyhow::Result<()> {
    if args.steps == 0 || args.stride == 0 || args.stride > args.steps {
        return usage(format!("--steps {} --stride {}: need 1 <= stride <= steps", args.steps, args.stride));
    }
    if args.batch == 0 || !(args.noise.is_finite() && args.noise >= 0.0) {
        return usage(format!(
            "--batch {} --noise {}: need batch >= 1 and a finite noise >= 0",
            args.batch, args.noise
        ));
    }
    let metrics = crate::metrics::MetricsFile::check(args.common.metrics_json.clone(), args.common.force)?;
    let model = crate::model_input::read(&args.model)?;
    let (mut selected, report) = crate::backend::select_announced(&args.common)?;
    let exec = selected.exec.as_mut();
    let d = model.meta.dim;
    let z0 = perturbed_states(&model.z0, args.batch, args.noise, args.seed);
    let jump = if args.jump { args.stride } else { 1 };
    let outcome = timed_rollout(exec, &model, &z0, args.batch, args.steps, args.stride, jump, args.common.quiet)?;
    let RolloutOutcome { frames, step_s, observe_s, steps_per_s, hashes } = outcome;
    if !args.common.quiet {
        println!(
            "{} frames × {} trajectories (D = {d}{}) in {step_s:.3} s: {:.0} steps/s, {:.1} ns_per_step; observe {observe_s:.3} s",
            frames,
            args.batch,
            if args.jump { format!(", jumping by A^{}", args.stride) } else { String::new() },
            steps_per_s,
            1e9 / steps_per_s
        );
        if let Some(last) = hashes.last() {
            println!("hash at frame {}: {}", last["frame"], last["hash"].as_str().unwrap_or(""));
        }
    }
    metrics.write(&crate::metrics::envelope(
        "rollout",
        &[("rollout", &report)],
        &report.used.precision.to_string(),
        json!({ "model": args.model.display().to_string(), "steps": args.steps, "stride": args.stride, "jump": args.jump,
                "batch": args.batch, "noise": args.noise, "seed": args.seed, "dim": d }),
        json!({ "step_s": step_s, "observe_s": observe_s }),
        json!({ "frames": frames, "steps_per_s": steps_per_s, "ns_per_step": 1e9 / steps_per_s,
                "simulated_time": frames as f64 * model.meta.frame_dt, "hashes": hashes }),
    ))
}
