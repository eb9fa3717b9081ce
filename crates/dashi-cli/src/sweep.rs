//! `dashi sweep`: many rollouts of one model against one truth — z0 noise levels × ridge
//! values (refitted from the model's stored encoded truth) — scored with the same
//! `evaluate` as `dashi decode`; one CSV of scores, a JSON summary and a plot.

use crate::CommonArgs;
use crate::decode::DecodeFlags;
use crate::output_dir::StagedDir;
use crate::usage::usage;
use anyhow::Context;
use clap::Args;
use dashi_codec::{Encoder, EvalOptions, FitConfig, evaluate, fit, high_correlation_time};
use dashi_plot::{AxisScale, LineChart, Series};
use serde_json::json;
use std::fmt::Write as _;
use std::path::PathBuf;
use std::time::Instant;

/// `dashi sweep` flags.
#[derive(Debug, Args)]
pub struct SweepArgs {
    /// Model file written by `dashi fit` (with its encoded truth, as `dashi fit` stores it).
    #[arg(long, default_value = "model.dashi")]
    model: PathBuf,
    /// Truth to score against (directory or selector).
    #[arg(long, default_value = "latest")]
    truth: String,
    /// Where selectors are resolved.
    #[arg(long, default_value = "truths")]
    truths: PathBuf,
    /// Relative z0 noise levels (z0·(1 + σ·ξ), ξ ~ N(0, 1) seeded).
    #[arg(long, value_delimiter = ',', default_value = "0,0.001,0.01")]
    noise: Vec<f64>,
    /// Ridge values to refit with (default: the model's own).
    #[arg(long, value_delimiter = ',')]
    ridge: Vec<f64>,
    /// Decode and score every this many frames.
    #[arg(long, default_value_t = 5)]
    decode_every: usize,
    /// Seed of the z0 noise.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Use only the first this many truth frames.
    #[arg(long)]
    frames: Option<usize>,
    /// Output directory (sweep.csv, sweep.json, sweep.png).
    #[arg(long, default_value = "sweep")]
    out: PathBuf,
    #[command(flatten)]
    decoder: DecodeFlags,
    #[command(flatten)]
    common: CommonArgs,
}

/// Runs `dashi sweep`.
pub fn run(args: SweepArgs) -> anyhow::Result<()> {
    if args.decode_every == 0 {
        return usage("--decode-every 0: must be at least 1");
    }
    if let Some(s) = args.noise.iter().find(|s| !(s.is_finite() && **s >= 0.0)) {
        return usage(format!("--noise {s}: levels must be finite and >= 0"));
    }
    let metrics = crate::metrics::MetricsFile::check(args.common.metrics_json.clone(), args.common.force)?;
    crate::path_guard::PathGuard::new()
        .input("--model", &args.model)
        .truth(&args.truth, &args.truths)
        .output("--out", Some(&args.out))
        .output("--metrics-json", args.common.metrics_json.as_deref())
        .check()?;
    let model = crate::model_input::read(&args.model)?;
    // A bad ridge the user passed is bad usage naming --ridge (one stored in the model is
    // refused by Model::read, naming the file).
    for &ridge in &args.ridge {
        if let Err(e) = (FitConfig { ridge, ..model.meta.fit }).validate() {
            return usage(format!("--ridge {ridge}: {e}"));
        }
    }
    let ridges = if args.ridge.is_empty() { vec![model.meta.fit.ridge] } else { args.ridge.clone() };
    let z_truth: Option<Vec<f64>> = model.z_truth.as_ref().map(|z| z.iter().map(|&v| f64::from(v)).collect());
    if z_truth.is_none() && !args.ridge.is_empty() {
        return usage(format!("--ridge: {} holds no encoded truth to refit from", args.model.display()));
    }
    let (input, decode) =
        crate::decode::truth_for_model(&model, &args.truth, &args.truths, args.frames, &args.decoder)?;
    let n = model.meta.n;
    let out = StagedDir::create(&args.out, "--out", args.common.force)?;
    let (mut selected, report) = crate::backend::select_announced(&args.common)?;
    let exec = selected.exec.as_mut();
    let start = Instant::now();
    let mut encoder = Encoder::with_layout(exec, model.layout.clone())?;
    let z_start = encoder.encode(exec, &input.frames[..n * n])?;
    encoder.free(exec)?;
    let options = EvalOptions { decode_every: args.decode_every, baselines: false, reconstruction: false, decode };
    let runs = ridges.len() * args.noise.len();
    let bar = crate::progress::steps_bar(runs as u64, "sweep", "runs", args.common.quiet);
    let mut csv = String::from("ridge,noise,frame,time,rel_l2,correlation,energy_ratio,enstrophy_ratio,lsd\n");
    let (mut summary, mut chart) =
        (Vec::new(), LineChart::new("correlation with truth").x_axis("time", AxisScale::Linear));
    chart = chart.y_axis("Pearson correlation", AxisScale::Linear).hline(dashi_codec::HIGH_CORRELATION, "0.95");
    for &ridge in &ridges {
        let mut variant = model.clone();
        if let Some(z) = z_truth.as_ref().filter(|_| ridge != model.meta.fit.ridge) {
            variant.operator = fit(z, model.meta.dim, &FitConfig { ridge, ..model.meta.fit })?.operator;
        }
        for &noise in &args.noise {
            let z0 = crate::rollout::perturbed_states(&z_start, 2, noise, args.seed)[model.meta.dim..].to_vec();
            let records = evaluate(exec, &variant, &input.frames, &z0, &options, |_, _, _| Ok(()))?;
            let times: Vec<f64> = records.iter().map(|r| r.time).collect();
            let corr: Vec<f64> = records.iter().map(|r| r.rollout.correlation).collect();
            for r in &records {
                let s = r.rollout;
                let _ = writeln!(
                    csv,
                    "{ridge},{noise},{},{},{},{},{},{},{}",
                    r.frame, r.time, s.rel_l2, s.correlation, s.energy_ratio, s.enstrophy_ratio, s.lsd
                );
            }
            let hct = high_correlation_time(&times, &corr);
            summary.push(json!({ "ridge": ridge, "noise": noise, "high_correlation_time": hct,
                                 "final_correlation": corr.last(), "horizon": times.last() }));
            chart =
                chart.series(Series::new(format!("ridge {ridge:e}, noise {noise}"), times.iter().copied().zip(corr)));
            bar.inc(1);
        }
    }
    bar.finish_and_clear();
    let sweep_s = start.elapsed().as_secs_f64();
    std::fs::write(out.file("sweep.csv"), csv).context("writing sweep.csv")?;
    std::fs::write(out.file("sweep.json"), serde_json::to_string_pretty(&summary)? + "\n")
        .context("writing sweep.json")?;
    chart.render(900, 520)?.write_png_atomic(out.file("sweep.png"))?;
    let dir = out.finish()?;
    if !args.common.quiet {
        println!("{:>12} {:>10} {:>22} {:>12}", "ridge", "noise", "high-corr time", "final corr");
        for s in &summary {
            let num = |key: &str| s[key].as_f64().unwrap_or(f64::NAN);
            let hct =
                s["high_correlation_time"].as_f64().map_or(format!("> {:.2}", num("horizon")), |t| format!("{t:.2}"));
            println!("{:>12.3e} {:>10} {:>22} {:>12.4}", num("ridge"), num("noise"), hct, num("final_correlation"));
        }
        println!("{runs} rollouts in {sweep_s:.2} s, written to {}", dir.display());
    }
    metrics.write(&crate::metrics::envelope(
        "sweep",
        &[("rollout_decode", &report)],
        &report.used.precision.to_string(),
        json!({ "model": args.model.display().to_string(), "truth": args.truth, "noise": args.noise, "ridge": ridges,
                "decode_every": args.decode_every, "seed": args.seed }),
        json!({ "sweep_s": sweep_s }),
        json!({ "out": dir.display().to_string(), "runs": summary }),
    ))
}
