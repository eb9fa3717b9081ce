//! `dashi les`: one LES run, written as a truth directory under `--out` (docs/DESIGN.md §5):
//! frames at t = 0 and every `--stride` steps, each with its energy spectrum and
//! diagnostics (energy, enstrophy, palinstrophy, max|ω|, CFL), plus meta.json and the
//! root's manifest.json; with `--png` / `--gif`, pictures of the frames inside it.
//! Nothing appears under the final name unless the run finishes.

use crate::CommonArgs;
use crate::run_config::{LesFlags, RunConfig};
use crate::usage::usage;
use anyhow::Context;
use clap::Args;
use dashi_core::ops::{CpuExecutor, Executor, Precision};
use dashi_les::truth::{Timestamp, TruthError, TruthMeta, TruthWriter, default_truth_id, validate_truth_id};
use dashi_les::{Les, Snapshot};
use serde_json::json;
use std::path::PathBuf;
use std::time::Instant;

/// `dashi les` flags.
#[derive(Debug, Args)]
pub struct LesArgs {
    #[command(flatten)]
    flags: LesFlags,
    /// Steps to take.
    #[arg(long, default_value_t = 1000)]
    steps: u64,
    /// Steps between stored frames (and diagnostics).
    #[arg(long, default_value_t = 10)]
    stride: u64,
    /// Output root: the truth goes to <out>/<id>/ and is listed in <out>/manifest.json.
    #[arg(long, default_value = "truths")]
    out: PathBuf,
    /// Truth id [default: les-<ic>-n<N>-s<seed>-<backend>-<UTC time>].
    #[arg(long)]
    id: Option<String>,
    /// Refuse to start if the CFL number of the initial field exceeds this (0: no check).
    #[arg(long, default_value_t = 1.0)]
    max_cfl: f64,
    /// Precision of the CPU executor: f64 (the reference) or f32 (faster; like-for-like
    /// with f32 peers). GPU runs are always f32.
    #[arg(long, value_name = "f64|f32")]
    cpu_precision: Option<String>,
    #[command(flatten)]
    pictures: PictureFlags,
    #[command(flatten)]
    common: CommonArgs,
}

/// `--png` / `--gif`: pictures of the stored frames, written inside the truth directory.
#[derive(Clone, Debug, Default, Args)]
pub struct PictureFlags {
    /// Write stored frames as PNGs (`<truth>/png/omega_<frame>.png`; diverging colour map,
    /// symmetric limits ±max|ω| of the frame, colour bar).
    #[arg(long)]
    pub png: bool,
    /// With --png: every this many stored frames (the last frame always).
    #[arg(long, default_value_t = 1, value_name = "K")]
    pub png_every: u64,
    /// Write an animated GIF of the stored frames (`<truth>/omega.gif`; one symmetric
    /// limit for all frames, at most 120 frames, fields above 256² box-averaged).
    #[arg(long)]
    pub gif: bool,
}

/// The pictures of one run, collected while it runs.
pub struct LesPictures {
    flags: PictureFlags,
    n: usize,
    frames: u64,
    animation: Option<crate::pictures::FieldAnimation>,
}

impl LesPictures {
    /// Pictures per `flags` of a run of `frames` stored `n × n` frames.
    pub fn new(flags: &PictureFlags, n: usize, frames: u64) -> Self {
        let animation = flags.gif.then(|| crate::pictures::FieldAnimation::new(&["vorticity ω"], n, frames as usize));
        Self { flags: flags.clone(), n, frames, animation }
    }

    /// Takes stored frame `index` (written into `writer`'s staging directory).
    fn frame(&mut self, writer: &TruthWriter, index: u64, snapshot: &Snapshot) -> anyhow::Result<()> {
        let d = snapshot.diagnostics;
        let caption = format!("{}   t = {:.2}   step {}", writer.meta().truth_id, d.time, d.step);
        if self.flags.png && (index.is_multiple_of(self.flags.png_every.max(1)) || index + 1 == self.frames) {
            let dir = writer.staging_dir().join("png");
            std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
            crate::pictures::write_vorticity_png(
                &dir.join(format!("omega_{index:05}.png")),
                self.n,
                &snapshot.omega,
                &format!("ω   t = {:.2}", d.time),
                None,
            )?;
        }
        if let Some(animation) = &mut self.animation {
            animation.offer(caption, &[&snapshot.omega]);
        }
        Ok(())
    }

    /// Writes the animation (if asked for) into `writer`'s staging directory.
    pub fn finish(&self, writer: &TruthWriter) -> anyhow::Result<()> {
        if let Some(animation) = &self.animation {
            animation.write(&writer.staging_dir().join("omega.gif"), 80)?;
        }
        Ok(())
    }
}

/// What [`simulate`] produced besides the truth's frames.
pub struct LesOutcome {
    /// The first stored frame.
    pub first: Snapshot,
    /// The last stored frame.
    pub last: Snapshot,
    /// Seconds spent advancing the solver (without snapshots and writing).
    pub solve_s: f64,
    /// FFTs per step of the configured scheme.
    pub ffts_per_step: usize,
}

impl LesOutcome {
    /// Steps per second of solve time for a run of `steps` steps.
    pub fn steps_per_s(&self, steps: u64) -> f64 {
        steps as f64 / self.solve_s
    }
}

/// Runs `steps` steps of `run`, storing frame 0 and every `stride` steps into `writer`
/// (and `pictures`); refuses to start when the initial CFL number exceeds `max_cfl` (> 0).
#[allow(clippy::too_many_arguments)]
pub fn simulate(
    exec: &mut dyn Executor,
    run: &RunConfig,
    steps: u64,
    stride: u64,
    max_cfl: f64,
    writer: &mut TruthWriter,
    pictures: &mut LesPictures,
    quiet: bool,
) -> anyhow::Result<LesOutcome> {
    let mut les = Les::new(exec, run.config, &run.field())?;
    let first = les.snapshot(exec)?;
    let cfl0 = first.diagnostics.cfl;
    if max_cfl > 0.0 && cfl0 > max_cfl {
        let suggestion = run.config.dt * 0.5 * max_cfl / cfl0;
        return usage(format!(
            "--dt {}: the initial CFL number is {cfl0:.3} (> --max-cfl {max_cfl}); try --dt {suggestion:.3e}",
            run.config.dt
        ));
    }
    writer.push_frame(&first.omega, &first.energy_spectrum, first.diagnostics)?;
    pictures.frame(writer, 0, &first)?;
    let bar = crate::progress::steps_bar(steps, "les", "steps", quiet);
    let (mut solve_s, mut last) = (0.0, first.clone());
    while les.steps() < steps {
        let chunk = stride.min(steps - les.steps());
        let t0 = Instant::now();
        les.advance(exec, chunk)?;
        solve_s += t0.elapsed().as_secs_f64();
        last = les.snapshot(exec)?;
        let index = writer.frames();
        writer.push_frame(&last.omega, &last.energy_spectrum, last.diagnostics)?;
        pictures.frame(writer, index, &last)?;
        bar.inc(chunk);
        let d = last.diagnostics;
        bar.set_message(format!("t = {:.3}  Z = {:.4e}  CFL = {:.3}", d.time, d.enstrophy, d.cfl));
    }
    bar.finish_and_clear();
    let ffts_per_step = les.ffts_per_step();
    les.free(exec)?;
    Ok(LesOutcome { first, last, solve_s, ffts_per_step })
}

/// Runs `dashi les`.
pub fn run(args: LesArgs) -> anyhow::Result<()> {
    let run = args.flags.resolve()?;
    if args.steps == 0 {
        return usage("--steps 0: must be at least 1");
    }
    if args.stride == 0 || args.stride > args.steps {
        return usage(format!("--stride {}: must be in 1..=steps ({})", args.stride, args.steps));
    }
    if !(args.max_cfl.is_finite() && args.max_cfl >= 0.0) {
        return usage(format!("--max-cfl {}: must be a finite number > 0, or 0 for no check", args.max_cfl));
    }
    if args.pictures.png_every == 0 {
        return usage("--png-every 0: must be at least 1");
    }
    if let Some(id) = &args.id
        && let Err(e) = validate_truth_id(id)
    {
        return usage(format!("--id: {e}"));
    }
    let metrics = crate::metrics::MetricsFile::check(args.common.metrics_json.clone(), args.common.force)?;
    crate::path_guard::PathGuard::new()
        .output("--out", Some(&args.out))
        .output("--metrics-json", args.common.metrics_json.as_deref())
        .check()?;
    let mut selected = crate::backend::select(&args.common)?;
    match (args.cpu_precision.as_deref(), crate::backend::is_gpu(&selected.report)) {
        (None | Some("f64"), false) => {}
        (Some("f32"), false) => {
            let exec = CpuExecutor::new(Precision::F32);
            selected.report.used = exec.device().clone();
            selected.exec = Box::new(exec);
        }
        (Some(p), true) => {
            return usage(format!(
                "--cpu-precision {p}: the run uses a GPU ({}), which is always f32",
                selected.report
            ));
        }
        (Some(p), false) => return usage(format!("--cpu-precision {p:?}: expected f64 or f32")),
        (None, true) => {}
    }
    let report = selected.report.clone();
    if !args.common.quiet {
        eprintln!("{report}");
    }
    let exec = selected.exec.as_mut();
    let precision = exec.device().precision.to_string();
    let backend_used = if crate::backend::is_gpu(&report) { "gpu" } else { "cpu" };
    std::fs::create_dir_all(&args.out).with_context(|| format!("--out {}: creating it", args.out.display()))?;
    let created = Timestamp::now();
    let mut params = run.parameters();
    params["steps"] = json!(args.steps);
    params["stride"] = json!(args.stride);
    let params_map = params.as_object().cloned().expect("an object");
    let meta_for = |id: &str| {
        TruthMeta::new(id, "spectral_les_v1", run.config.n, params_map.clone())
            .with_backend(report.requested.to_string(), backend_used, report.used.device_name.clone())
            .with_dtype(precision.clone())
    };
    // A default id is ours to make unique: if a concurrent run took it between choosing
    // and creating, choose again. An explicit --id that exists is an error.
    let mut attempts = 0;
    let mut writer = loop {
        let id = args.id.clone().unwrap_or_else(|| {
            default_truth_id(&args.out, run.preset.name(), run.config.n, run.seed, backend_used, created)
        });
        match TruthWriter::create(&args.out, meta_for(&id)) {
            Err(TruthError::AlreadyExists { .. } | TruthError::StagingInUse { .. })
                if args.id.is_none() && attempts < 100 =>
            {
                attempts += 1;
            }
            other => break other.with_context(|| format!("--out {}", args.out.display()))?,
        }
    };
    let id = writer.meta().truth_id.clone();
    let _interrupt = crate::interrupt::register(writer.staging_dir(), Some(&args.out));

    let start = Instant::now();
    let mut pictures = LesPictures::new(&args.pictures, run.config.n, args.steps.div_ceil(args.stride) + 1);
    let outcome =
        simulate(exec, &run, args.steps, args.stride, args.max_cfl, &mut writer, &mut pictures, args.common.quiet)?;
    pictures.finish(&writer)?;
    let dir = writer.finish()?;
    let LesOutcome { first, last, solve_s, ffts_per_step } = outcome;
    let total_s = start.elapsed().as_secs_f64();
    let sim_time = args.steps as f64 * run.config.dt;
    let (d0, d1) = (first.diagnostics, last.diagnostics);
    if !args.common.quiet {
        println!("truth {id} written to {}", dir.display());
        println!(
            "{:>10} {:>14} {:>14} {:>14} {:>12} {:>8}",
            "t", "energy", "enstrophy", "palinstrophy", "max|ω|", "CFL"
        );
        for d in [d0, d1] {
            println!(
                "{:>10.4} {:>14.6e} {:>14.6e} {:>14.6e} {:>12.5} {:>8.4}",
                d.time, d.energy, d.enstrophy, d.palinstrophy, d.max_abs_omega, d.cfl
            );
        }
        println!(
            "{} steps in {:.2} s solve ({:.1} steps/s, {:.4} simulated time per wall second), {:.2} s in all",
            args.steps,
            solve_s,
            args.steps as f64 / solve_s,
            sim_time / solve_s,
            total_s
        );
    }
    metrics.write(&crate::metrics::envelope(
        "les",
        &[("solve", &report)],
        &precision,
        params,
        json!({ "solve_s": solve_s, "total_s": total_s }),
        json!({
            "truth_id": id,
            "path": dir.display().to_string(),
            "frames": args.steps.div_ceil(args.stride) + 1,
            "steps": args.steps,
            "simulated_time": sim_time,
            "steps_per_s": args.steps as f64 / solve_s,
            "sim_time_per_wall_s": sim_time / solve_s,
            "ffts_per_step": ffts_per_step,
            "initial": diagnostics_json(&d0),
            "final": diagnostics_json(&d1),
        }),
    ))
}

/// One diagnostics record as JSON.
pub fn diagnostics_json(d: &dashi_les::Diagnostics) -> serde_json::Value {
    json!({
        "step": d.step, "time": d.time, "energy": d.energy, "enstrophy": d.enstrophy,
        "palinstrophy": d.palinstrophy, "max_abs_omega": d.max_abs_omega, "cfl": d.cfl,
    })
}
