//! `dashi demo`: the embedded default run (docs/DESIGN.md §7), end to end in one folder.
//!
//! 1. **LES** — McWilliams decaying turbulence, N = 128, dt = 0.005, Heun, Smagorinsky
//!    Cs = 0.17, 3000 steps stored every 20 (151 frames, frame Δt = 0.1; above N = 512,
//!    dt shrinks as 512/N and the stride grows to match, keeping the CFL number and the
//!    frame Δt), written as a
//!    truth directory `truth/` with PNGs of every 10th frame;
//! 2. **fit** — encode every frame into the v4 proxy z (|k| ≤ 8 exactly, 128 anchors in
//!    8 < |k| ≤ 32) and fit z_{t+1} = z_t·A by ridge on the first 60 % of the transitions
//!    (`model.dashi`);
//! 3. **rollout** — kernel-only rollout of A from z_0 (steps/s, state hashes);
//! 4. **decode** — roll out from frame 0, decode through the ternary mask pipeline and
//!    score every frame against the truth with the persistence and ideal low-pass
//!    baselines: triptychs, `truth_vs_decoded.gif`, `correlation.png`, `spectrum.png`,
//!    `scores.csv`, and `diagnostics.png` (energy, enstrophy, palinstrophy of the truth);
//! 5. `summary.md` and `metrics.json`, and a short table on stdout.
//!
//! Everything is written into `<out>.partial-<pid>` and renamed to `<out>` at the end.
//! `--n`/`--frames` shrink the run (CI uses `--n 64 --frames 30`).

use crate::CommonArgs;
use crate::decode::{DecodeJob, DecodeOutcome, decode_and_score, high_correlation_times};
use crate::les::{LesOutcome, LesPictures, PictureFlags, simulate};
use crate::output_dir::StagedDir;
use crate::pictures::FieldAnimation;
use crate::rollout::{RolloutOutcome, timed_rollout};
use crate::run_config::LesFlags;
use crate::usage::usage;
use anyhow::Context;
use clap::Args;
use dashi_codec::{DecodeConfig, EncodeConfig, EvalOptions, FitConfig, Prior, TrainConfig, TruthInfo, train};
use dashi_les::truth::{TruthMeta, TruthWriter};
use serde_json::json;
use std::fmt::Write as _;
use std::path::PathBuf;
use std::time::Instant;

/// `dashi demo` flags.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Output folder.
    #[arg(long, default_value = "demo")]
    out: PathBuf,
    /// Grid size N (a power of two, 32..=2048).
    #[arg(long, default_value_t = 128)]
    n: usize,
    /// Frames after the initial one, 0.1 time units apart (20 LES steps of dt = 0.005 each;
    /// above N = 512, dt·512/N and 20·N/512 steps).
    #[arg(long, default_value_t = 150)]
    frames: u64,
    /// Seed of the initial field.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Fraction of the transitions the operator is fitted on.
    #[arg(long, default_value_t = 0.6)]
    train_frac: f64,
    /// Kernel-only rollout steps (stage 3).
    #[arg(long, default_value_t = 10_000)]
    rollout_steps: u64,
    #[command(flatten)]
    common: CommonArgs,
}

/// LES time step and steps per stored frame at `n`: dt = 0.005 and 20 steps up to N = 512,
/// then dt·512/N and 20·N/512 steps (the same CFL number and frame Δt = 0.1).
fn time_step(n: usize) -> (f64, u64) {
    let refine = (n / 512).max(1) as u64;
    (0.005 / refine as f64, 20 * refine)
}

/// Steps of the kernel-only rollout: `requested`, capped (to a multiple of 10) when the
/// fitted A has spectral radius ρ > 1 so that the state grows by at most ρ^s ≤ 10^30 and
/// stays finite in f32 (the GPU's precision; the zero-prior fit often has ρ slightly
/// above 1, e.g. 1.044 → 1580 steps). The cap is reported with the stage.
fn rollout_horizon(requested: u64, spectral_radius: Option<f64>) -> u64 {
    let cap = match spectral_radius {
        Some(rho) if rho > 1.0 => ((30.0 * std::f64::consts::LN_10 / rho.ln()) as u64 / 10 * 10).max(10),
        _ => u64::MAX,
    };
    requested.min(cap) / 10 * 10
}

/// `seconds` in ns, µs or ms, whichever reads best.
fn per_step(seconds: f64) -> String {
    match seconds {
        s if s < 1e-6 => format!("{:.0} ns", s * 1e9),
        s if s < 1e-3 => format!("{:.1} µs", s * 1e6),
        s => format!("{:.2} ms", s * 1e3),
    }
}

/// Runs `dashi demo`.
pub fn run(args: DemoArgs) -> anyhow::Result<()> {
    if !(32..=2048).contains(&args.n) || !args.n.is_power_of_two() {
        return usage(format!("--n {}: must be a power of two in 32..=2048", args.n));
    }
    if args.frames < 5 {
        return usage(format!("--frames {}: need at least 5", args.frames));
    }
    let (dt, stride) = time_step(args.n);
    let steps = args.frames * stride;
    if args.rollout_steps < 10 {
        return usage(format!("--rollout-steps {}: need at least 10", args.rollout_steps));
    }
    let flags = LesFlags {
        n: args.n,
        dt,
        nu: None,
        cs: None,
        ic: "mcwilliams".into(),
        seed: args.seed,
        scheme: "heun".into(),
        dealias: "2/3".into(),
    };
    let run = flags.resolve()?;
    let encode = EncodeConfig::for_grid(args.n);
    let config = TrainConfig {
        encode,
        fit: FitConfig { train_frac: args.train_frac, ridge: 1e-6, prior: Prior::Zero, stable: false },
        decode: DecodeConfig::default(),
    };
    if let Err(e) = config.fit.validate() {
        return usage(e.to_string());
    }
    let metrics = crate::metrics::MetricsFile::check(args.common.metrics_json.clone(), args.common.force)?;
    crate::path_guard::PathGuard::new()
        .output("--out", Some(&args.out))
        .output("--metrics-json", args.common.metrics_json.as_deref())
        .check()?;
    let out = StagedDir::create(&args.out, "--out", args.common.force)?;
    let mut selected = crate::backend::select(&args.common)?;
    let report = selected.report.clone();
    let quiet = args.common.quiet;
    if !quiet {
        eprintln!("{report}");
    }
    let exec = selected.exec.as_mut();
    let precision = exec.device().precision.to_string();
    let started = Instant::now();

    // 1. LES → truth/ (with PNGs of every 10th frame).
    if !quiet {
        eprintln!("[1/4] LES: mcwilliams N = {}, {steps} steps of dt = {dt}", args.n);
    }
    let t0 = Instant::now();
    let frames = args.frames + 1;
    let backend_used = if crate::backend::is_gpu(&report) { "gpu" } else { "cpu" };
    let mut params = run.parameters();
    params["steps"] = json!(steps);
    params["stride"] = json!(stride);
    let meta = TruthMeta::new("truth", "spectral_les_v1", args.n, params.as_object().cloned().expect("an object"))
        .with_backend(report.requested.to_string(), backend_used, report.used.device_name.clone())
        .with_dtype(precision.clone());
    let mut writer = TruthWriter::create(&out.file(""), meta).context("--out: creating the truth")?;
    let png = PictureFlags { png: true, png_every: 10, gif: false };
    let mut pictures = LesPictures::new(&png, args.n, frames);
    let les: LesOutcome = simulate(exec, &run, steps, stride, 1.0, &mut writer, &mut pictures, quiet)?;
    let truth_dir = writer.finish()?;
    let les_s = t0.elapsed().as_secs_f64();

    // 2. Encode + fit → model.dashi.
    if !quiet {
        eprintln!("[2/4] fit: encode {frames} frames, ridge fit on the first {:.0} %", 100.0 * args.train_frac);
    }
    let t0 = Instant::now();
    let input = crate::truth_input::load(&truth_dir.display().to_string(), &out.file(""), None)?;
    crate::pictures::write_diagnostics_plot(&out.file("diagnostics.png"), &input.truth)?;
    let meta = input.truth.meta();
    let info =
        TruthInfo { truth_id: meta.truth_id.clone(), solver_id: meta.solver_id.clone(), frame_dt: input.frame_dt };
    let bar = crate::progress::steps_bar(frames, "encode", "frames", quiet);
    let model = train(exec, args.n, &input.frames, &info, &config, |done| bar.set_position(done as u64))?;
    bar.finish_and_clear();
    model.write(&out.file("model.dashi"), false).context("writing model.dashi")?;
    let fit_s = t0.elapsed().as_secs_f64();

    // 3. Kernel-only rollout.
    let horizon = rollout_horizon(args.rollout_steps, model.meta.spectral_radius);
    if !quiet {
        eprintln!("[3/4] rollout: {horizon} kernel-only steps of z·A (D = {})", model.meta.dim);
    }
    let stride = horizon / 10;
    let rollout: RolloutOutcome =
        timed_rollout(exec, &model, &model.z0, 1, stride * 10, stride, 1, quiet).context("rollout")?;

    // 4. Decode and score every frame, with the animation.
    if !quiet {
        eprintln!("[4/4] decode: roll out from frame 0, decode and score {frames} frames");
    }
    let job = DecodeJob {
        model: &model,
        model_label: "model.dashi".into(),
        input: &input,
        options: EvalOptions { decode_every: 1, baselines: true, reconstruction: true, decode: model.meta.decode },
        png_every: 25,
        quiet,
        show_executor: false,
    };
    let mut animation = FieldAnimation::new(&["truth", "decoded"], args.n, frames as usize);
    let decoded: DecodeOutcome = decode_and_score(exec, &job, &report, &out, Some(&mut animation))?;
    animation.write(&out.file("truth_vs_decoded.gif"), 100)?;
    let decode_s = decoded.decode_s;
    let total_s = started.elapsed().as_secs_f64();

    let m = &model.meta;
    let hct = high_correlation_times(&decoded.records);
    let eval: Vec<_> = decoded.records.iter().filter(|r| r.frame > m.train_transitions).collect();
    let eval_mean = |f: &dyn Fn(&dashi_codec::FrameRecord) -> Option<f64>| {
        let v: Vec<f64> = eval.iter().filter_map(|r| f(r)).collect();
        (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64)
    };
    let eval_corr = json!({
        "rollout": eval_mean(&|r| Some(r.rollout.correlation)),
        "low_pass": eval_mean(&|r| r.low_pass.map(|s| s.correlation)),
        "persistence": eval_mean(&|r| r.persistence.map(|s| s.correlation)),
    });
    let grid = args.n * args.n;
    let stages =
        [("les", les_s), ("fit", fit_s), ("rollout", rollout.step_s + rollout.observe_s), ("decode", decode_s)];
    let mut summary = String::from("# dashi demo\n\n");
    let _ = writeln!(
        summary,
        "LES (mcwilliams, N = {}, {} steps, {frames} frames) → fit on the first {} transitions → rollout → \
         decode → scores. Executor: {report}. Total {total_s:.1} s.\n",
        args.n, steps, m.train_transitions
    );
    summary.push_str("| stage | wall s | what |\n|---|---|---|\n");
    let what = [
        format!(
            "{:.0} steps/s; energy {:.4e} → {:.4e}",
            les.steps_per_s(steps),
            les.first.diagnostics.energy,
            les.last.diagnostics.energy
        ),
        format!(
            "D = {} floats per frame vs {grid} grid values ({:.1}× smaller); train residual {:.2e}",
            m.dim,
            grid as f64 / m.dim as f64,
            m.train_residual
        ),
        format!(
            "{} steps: {:.0} steps/s ({} per step){}",
            rollout.frames,
            rollout.steps_per_s,
            per_step(1.0 / rollout.steps_per_s),
            if horizon < args.rollout_steps {
                format!(
                    "; capped from {}: ρ(A) = {:.4} > 1, ρ^steps ≤ 1e30",
                    args.rollout_steps,
                    model.meta.spectral_radius.unwrap_or(f64::NAN)
                )
            } else {
                String::new()
            }
        ),
        format!("{} frames scored", decoded.records.len()),
    ];
    for ((stage, s), w) in stages.iter().zip(&what) {
        let _ = writeln!(summary, "| {stage} | {s:.2} | {w} |");
    }
    summary.push('\n');
    summary.push_str(&decoded.summary);
    summary.push_str(
        "\n**files**: `truth/` (omega.npy, t.npy, spectrum.npy, diagnostics.csv, meta.json, png/), \
         `model.dashi`, `triptych_*.png`, `truth_vs_decoded.gif`, `correlation.png`, `spectrum.png`, \
         `diagnostics.png`, `scores.csv`, `metrics.json`.\n",
    );
    std::fs::write(out.file("summary.md"), &summary).context("writing summary.md")?;
    let envelope = crate::metrics::envelope(
        "demo",
        &[("les", &report), ("fit", &report), ("rollout", &report), ("decode", &report)],
        &precision,
        json!({ "les": params, "encode": { "k_cut": encode.k_cut, "mid_cut": encode.mid_cut, "topk": encode.topk },
                "fit": { "train_frac": args.train_frac, "ridge": config.fit.ridge, "prior": "zero" },
                "rollout_steps_requested": args.rollout_steps, "rollout_steps": rollout.frames,
                "decode": model.meta.decode }),
        json!({ "les_s": les_s, "fit_s": fit_s, "rollout_s": rollout.step_s + rollout.observe_s, "decode_s": decode_s,
                "total_s": total_s }),
        json!({ "out": args.out.display().to_string(), "frames": frames, "dim": m.dim, "grid_values": grid, "train_transitions": m.train_transitions,
                "train_residual": m.train_residual, "eval_residual": m.eval_residual,
                "spectral_radius": m.spectral_radius, "les_steps_per_s": les.steps_per_s(steps),
                "rollout_steps_per_s": rollout.steps_per_s,
                "rollout_final_hash": rollout.hashes.last().map(|h| h["hash"].clone()),
                "high_correlation_time": hct, "eval_mean_correlation": eval_corr }),
    );
    std::fs::write(out.file("metrics.json"), serde_json::to_string_pretty(&envelope)? + "\n")
        .context("writing metrics.json")?;
    let dir = out.finish()?;
    if !quiet {
        println!("{:<8} {:>8}  result", "stage", "wall s");
        for ((stage, s), w) in stages.iter().zip(&what) {
            println!("{stage:<8} {s:>8.2}  {w}");
        }
        let fmt = |v: &serde_json::Value| v.as_f64().map_or("—".to_string(), |t| format!("{t:.2}"));
        let fmt_corr = |v: &serde_json::Value| v.as_f64().map_or("—".to_string(), |t| format!("{t:.3}"));
        println!();
        println!("{:<16} {:>22} {:>22}", "method", "high-corr. time", "eval-horizon corr.");
        for (label, key) in [("v4 rollout", "rollout"), ("ideal low-pass", "low_pass"), ("persistence", "persistence")]
        {
            println!("{label:<16} {:>22} {:>22}", fmt(&hct[key]), fmt_corr(&eval_corr[key]));
        }
        println!("\nwritten to {} in {total_s:.1} s — open summary.md and truth_vs_decoded.gif", dir.display());
    }
    metrics.write(&envelope)
}

#[cfg(test)]
mod tests {
    use super::{rollout_horizon, time_step};

    #[test]
    fn the_time_step_keeps_cfl_and_frame_spacing_above_n_512() {
        for n in [32, 128, 256, 512, 1024, 2048] {
            let (dt, stride) = time_step(n);
            assert!((dt * stride as f64 - 0.1).abs() < 1e-12, "frame Δt at N = {n}");
            // CFL ∝ dt·N: never above its N = 512 value.
            assert!(dt * n as f64 <= 0.005 * 512.0 + 1e-9, "N = {n}");
        }
        assert_eq!(time_step(128), (0.005, 20));
        assert_eq!(time_step(1024), (0.0025, 40));
    }

    #[test]
    fn the_rollout_horizon_keeps_growing_states_finite_in_f32() {
        assert_eq!(rollout_horizon(10_000, None), 10_000);
        assert_eq!(rollout_horizon(10_000, Some(0.999)), 10_000);
        assert_eq!(rollout_horizon(10_005, Some(1.0)), 10_000);
        let capped = rollout_horizon(10_000, Some(1.044));
        assert!(capped < 10_000 && capped.is_multiple_of(10), "{capped}");
        assert!(1.044f64.powi(capped as i32) <= 1e30 && 1.044f64.powi(capped as i32 + 10) > 1e30);
        assert_eq!(rollout_horizon(10_000, Some(1e6)), 10);
    }
}
