//! `dashi validate`: the GPU-vs-CPU parity gate of docs/DESIGN.md §5. The same configuration and
//! initial field run on the CPU executor (f64, the reference) and on a GPU adapter (f32),
//! the same op sequence on both; every `--stride` steps both fields are compared:
//!
//! ```text
//! rel_l2(t)      = ‖ω_gpu − ω_cpu‖₂ / ‖ω_cpu‖₂                    (over the grid)
//! correlation(t) = Pearson correlation of ω_gpu and ω_cpu
//! energy_dev(t)  = |E_gpu/E_cpu − 1|,  enstrophy_dev(t) = |Z_gpu/Z_cpu − 1|
//! ```
//!
//! Pass: `rel_l2 ≤ --tol-l2` (1e-3) at step `--steps` (100), and energy_dev and
//! enstrophy_dev ≤ `--tol-stats` (1%) at every stride up to `--long-steps` (2000).
//! Exit code 1 on failure. rel_l2(t) keeps growing after the gate: the flow is chaotic,
//! f32 and f64 round differently, and the difference grows like any perturbation.

use crate::CommonArgs;
use crate::run_config::LesFlags;
use crate::usage::usage;
use anyhow::Context;
use clap::Args;
use dashi_core::ops::{CpuExecutor, Executor, Precision};
use dashi_gpu::{AdapterSelection, BackendReport, BackendRequest, executor_for};
use dashi_les::Les;
use serde_json::json;
use std::io::Write;
use std::path::PathBuf;
use std::time::Instant;

/// `dashi validate` flags.
#[derive(Debug, Args)]
pub struct ValidateArgs {
    #[command(flatten)]
    flags: LesFlags,
    /// Step at which rel-L2(ω) is gated.
    #[arg(long, default_value_t = 100)]
    steps: u64,
    /// Steps over which energy and enstrophy are gated.
    #[arg(long, default_value_t = 2000)]
    long_steps: u64,
    /// Steps between comparisons.
    #[arg(long, default_value_t = 10)]
    stride: u64,
    /// Largest rel-L2(ω) allowed at --steps.
    #[arg(long, default_value_t = 1e-3)]
    tol_l2: f64,
    /// Largest relative energy/enstrophy deviation allowed up to --long-steps.
    #[arg(long, default_value_t = 0.01)]
    tol_stats: f64,
    /// Also write the curves as CSV here.
    #[arg(long, value_name = "PATH")]
    curves: Option<PathBuf>,
    #[command(flatten)]
    common: CommonArgs,
}

/// One comparison.
#[derive(Clone, Copy, Debug)]
struct Point {
    step: u64,
    time: f64,
    rel_l2: f64,
    correlation: f64,
    energy_dev: f64,
    enstrophy_dev: f64,
}

fn compare(gpu: &[f64], cpu: &[f64]) -> (f64, f64) {
    let n = cpu.len() as f64;
    let diff: f64 = gpu.iter().zip(cpu).map(|(g, c)| (g - c) * (g - c)).sum();
    let norm: f64 = cpu.iter().map(|c| c * c).sum();
    let (mg, mc) = (gpu.iter().sum::<f64>() / n, cpu.iter().sum::<f64>() / n);
    let (mut sgc, mut sgg, mut scc) = (0.0, 0.0, 0.0);
    for (g, c) in gpu.iter().zip(cpu) {
        sgc += (g - mg) * (c - mc);
        sgg += (g - mg) * (g - mg);
        scc += (c - mc) * (c - mc);
    }
    ((diff / norm).sqrt(), sgc / (sgg * scc).sqrt())
}

/// Runs `dashi validate`.
pub fn run(args: ValidateArgs) -> anyhow::Result<()> {
    let run = args.flags.resolve()?;
    if args.common.backend == BackendRequest::Cpu {
        return usage("--backend cpu: validate compares a GPU run against the CPU; use gpu or auto");
    }
    if args.steps == 0 || args.stride == 0 || args.long_steps < args.steps {
        return usage(format!(
            "--steps {} / --long-steps {} / --stride {}: need steps ≥ 1, stride ≥ 1, long-steps ≥ steps",
            args.steps, args.long_steps, args.stride
        ));
    }
    let metrics = crate::metrics::MetricsFile::check(args.common.metrics_json.clone(), args.common.force)?;
    let curves = crate::metrics::MetricsFile::check(args.curves.clone(), args.common.force)?;
    let mut cpu = CpuExecutor::new(Precision::F64);
    let cpu_report = BackendReport { requested: BackendRequest::Cpu, used: cpu.device().clone(), note: None };
    let (mut gpu, gpu_report) = executor_for(BackendRequest::Gpu, &AdapterSelection::from_env())
        .context("validate needs a GPU adapter (see `dashi info`)")?;
    gpu.set_device_timing(false);
    if !args.common.quiet {
        eprintln!("reference: {cpu_report}");
        eprintln!("candidate: {gpu_report}");
    }
    let start = Instant::now();
    let omega = run.field();
    let mut les_cpu = Les::new(&mut cpu, run.config, &omega)?;
    let mut les_gpu = Les::new(gpu.as_mut(), run.config, &omega)?;
    let bar = crate::progress::steps_bar(args.long_steps, "validate", "steps", args.common.quiet);
    let mut points = Vec::new();
    let (mut cpu_s, mut gpu_s) = (0.0, 0.0);
    while les_cpu.steps() < args.long_steps {
        let now = les_cpu.steps();
        let mut next = (now + args.stride).min(args.long_steps);
        if now < args.steps && next > args.steps {
            next = args.steps;
        }
        let t0 = Instant::now();
        les_cpu.advance(&mut cpu, next - now)?;
        let t1 = Instant::now();
        les_gpu.advance(gpu.as_mut(), next - now).context("the GPU run")?;
        let t2 = Instant::now();
        cpu_s += (t1 - t0).as_secs_f64();
        gpu_s += (t2 - t1).as_secs_f64();
        let (c, g) = (les_cpu.snapshot(&mut cpu)?, les_gpu.snapshot(gpu.as_mut())?);
        let (rel_l2, correlation) = compare(&g.omega, &c.omega);
        let (dc, dg) = (c.diagnostics, g.diagnostics);
        points.push(Point {
            step: next,
            time: dc.time,
            rel_l2,
            correlation,
            energy_dev: (dg.energy / dc.energy - 1.0).abs(),
            enstrophy_dev: (dg.enstrophy / dc.enstrophy - 1.0).abs(),
        });
        bar.inc(next - now);
        bar.set_message(format!("rel-L2 = {rel_l2:.2e}"));
    }
    bar.finish_and_clear();
    let at_gate = points.iter().find(|p| p.step == args.steps).copied().expect("a point at --steps");
    let worst_energy = points.iter().map(|p| p.energy_dev).fold(0.0, f64::max);
    let worst_enstrophy = points.iter().map(|p| p.enstrophy_dev).fold(0.0, f64::max);
    let l2_ok = at_gate.rel_l2 <= args.tol_l2;
    let stats_ok = worst_energy <= args.tol_stats && worst_enstrophy <= args.tol_stats;
    if !args.common.quiet {
        println!("{:>8} {:>10} {:>12} {:>12} {:>12} {:>12}", "step", "t", "rel-L2(ω)", "corr(ω)", "ΔE/E", "ΔZ/Z");
        // About 20 rows at round steps: multiples of a print interval that is itself a
        // multiple of --stride, plus the gate step and the last step.
        let interval = args.long_steps.div_ceil(20).div_ceil(args.stride).max(1) * args.stride;
        for (i, p) in points.iter().enumerate() {
            if p.step % interval == 0 || p.step == args.steps || i + 1 == points.len() {
                println!(
                    "{:>8} {:>10.4} {:>12.3e} {:>12.9} {:>12.3e} {:>12.3e}",
                    p.step, p.time, p.rel_l2, p.correlation, p.energy_dev, p.enstrophy_dev
                );
            }
        }
        let verdict = |ok: bool| if ok { "PASS" } else { "FAIL" };
        println!(
            "{}: rel-L2(ω) at step {} = {:.3e} (≤ {:.0e})",
            verdict(l2_ok),
            args.steps,
            at_gate.rel_l2,
            args.tol_l2
        );
        println!(
            "{}: energy within {:.3e}, enstrophy within {:.3e} over {} steps (≤ {})",
            verdict(stats_ok),
            worst_energy,
            worst_enstrophy,
            args.long_steps,
            args.tol_stats
        );
    }
    let mut csv = Vec::new();
    writeln!(csv, "step,time,rel_l2,correlation,energy_dev,enstrophy_dev")?;
    for p in &points {
        writeln!(
            csv,
            "{},{:e},{:e},{:e},{:e},{:e}",
            p.step, p.time, p.rel_l2, p.correlation, p.energy_dev, p.enstrophy_dev
        )?;
    }
    if let Some(path) = &args.curves {
        curves.write_bytes(&csv).with_context(|| format!("--curves {}", path.display()))?;
    }
    let mut parameters = run.parameters();
    for (k, v) in [
        ("steps", json!(args.steps)),
        ("long_steps", json!(args.long_steps)),
        ("stride", json!(args.stride)),
        ("tol_l2", json!(args.tol_l2)),
        ("tol_stats", json!(args.tol_stats)),
    ] {
        parameters[k] = v;
    }
    let column = |f: fn(&Point) -> f64| points.iter().map(f).collect::<Vec<f64>>();
    metrics.write(&crate::metrics::envelope(
        "validate",
        &[("reference", &cpu_report), ("candidate", &gpu_report)],
        "mixed",
        parameters,
        json!({ "cpu_s": cpu_s, "gpu_s": gpu_s, "total_s": start.elapsed().as_secs_f64() }),
        json!({
            "passed": l2_ok && stats_ok,
            "rel_l2_at_steps": at_gate.rel_l2,
            "worst_energy_dev": worst_energy,
            "worst_enstrophy_dev": worst_enstrophy,
            "curves": {
                "step": points.iter().map(|p| p.step).collect::<Vec<_>>(),
                "time": column(|p| p.time),
                "rel_l2": column(|p| p.rel_l2),
                "correlation": column(|p| p.correlation),
                "energy_dev": column(|p| p.energy_dev),
                "enstrophy_dev": column(|p| p.enstrophy_dev),
            },
        }),
    ))?;
    les_cpu.free(&mut cpu)?;
    les_gpu.free(gpu.as_mut())?;
    if l2_ok && stats_ok { Ok(()) } else { anyhow::bail!("GPU-vs-CPU parity failed (see the table above)") }
}
