//! `dashi atoms`: v5 filament atoms (dashi-atoms, docs/DESIGN.md §2.5) from the command line.
//!
//! - `encode`: one truth frame → an atom state (`atoms.json`, format below) and a picture
//!   of the atoms drawn over the vorticity;
//! - `run`: encode the truth's first frame, evolve the atoms by their own Biot–Savart
//!   velocity with Π_MDL holding the state to `--floats` floats (the v4 proxy's D = 456 by
//!   default, so the two codecs are compared at equal state size), rasterise every frame
//!   and score it against the truth with the same scorer as `dashi decode` (rel-L2,
//!   correlation, energy / enstrophy ratios, LSD, high-correlation time) next to
//!   persistence;
//! - `threads`: the genealogy of an atom run (exact provenance from Π_MDL): thread events
//!   per step (`timeline.csv`, `timeline.png`) and the Γ / σΓ audit (`audit.csv`);
//! - `decode`: an `atoms.json` → ω on an N×N grid (PNG, and `.npy`-free: the PNG is a
//!   chart, the atoms are the state).
//!
//! The atoms run on the CPU (f64); there is no WGSL op for the velocity sum yet, so
//! `--backend` is not offered. `atoms.json`: `{"format": "dashi-atoms", "version": 1,
//! "atoms": [{"sign": ±1, "gamma": Γ, "core": ε, "vertices": [[x, y], …]}, …],
//! "background": [{"kx", "ky", "re", "im"}, …]}` (docs/FORMATS.md).

use crate::output_dir::StagedDir;
use crate::usage::usage;
use anyhow::Context;
use clap::{Args, Subcommand};
use dashi_atoms::{
    Atom, AtomState, Background, EncodeConfig, MdlConfig, Mode, Scheme, Sign, StepConfig, encode, normal_form,
    rasterise, step,
};
use dashi_codec::{FrameScores, Scorer, high_correlation_time};
use dashi_plot::{Canvas, FieldPlot, HAlign, LineStyle, TextStyle, VAlign};
use serde_json::{Value, json};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// `dashi atoms` flags.
#[derive(Debug, Args)]
pub struct AtomsArgs {
    #[command(subcommand)]
    what: AtomsCommand,
    #[command(flatten)]
    output: crate::OutputArgs,
}

#[derive(Debug, Subcommand)]
enum AtomsCommand {
    /// Encode one truth frame into atoms (atoms.json + a picture of the atoms over ω).
    #[command(after_help = "Example:\n  dashi atoms encode --truth latest --frame 0 --out atoms.json --png atoms.png")]
    Encode(EncodeArgs),
    /// Evolve the atoms of the truth's first frame and score every frame against the truth.
    #[command(after_help = "Example:\n  dashi atoms run --truth latest --floats 456 --out atoms-run")]
    Run(RunArgs),
    /// The genealogy of an atom run: thread events per step and the Γ / σΓ conservation audit.
    #[command(after_help = "Example:\n  dashi atoms threads --truth latest --steps 120 --out atoms-threads")]
    Threads(ThreadsArgs),
    /// Rasterise an atoms.json onto an N×N grid (PNG).
    #[command(after_help = "Example:\n  dashi atoms decode --atoms atoms.json --n 256 --out atoms-omega.png")]
    Decode(DecodeArgs),
}

/// Encoder flags shared by `encode` and `run`.
#[derive(Clone, Debug, Args)]
struct EncodeFlags {
    /// Threshold τ as a fraction of max|ω| (0 < τ < 1).
    #[arg(long, default_value_t = 0.1)]
    threshold: f64,
    /// Low-k background |k| ≤ K from the residual (0: none; it does not evolve in `run`).
    #[arg(long, default_value_t = 0)]
    background_k: u32,
}

impl EncodeFlags {
    fn config(&self) -> anyhow::Result<EncodeConfig> {
        if !(self.threshold > 0.0 && self.threshold < 1.0) {
            return usage(format!("--threshold {}: must be in (0, 1)", self.threshold));
        }
        Ok(EncodeConfig { threshold: self.threshold, background_k: self.background_k, ..EncodeConfig::default() })
    }
}

#[derive(Debug, Args)]
struct EncodeArgs {
    /// Truth: a directory or a selector (latest, an id or prefix).
    #[arg(long, default_value = "latest")]
    truth: String,
    /// Where selectors are resolved.
    #[arg(long, default_value = "truths")]
    truths: PathBuf,
    /// Frame index.
    #[arg(long, default_value_t = 0)]
    frame: usize,
    #[command(flatten)]
    encode: EncodeFlags,
    /// Output atom state (JSON).
    #[arg(long, default_value = "atoms.json")]
    out: PathBuf,
    /// Also draw the atoms over the frame's vorticity into this PNG.
    #[arg(long)]
    png: Option<PathBuf>,
}

#[derive(Debug, Args)]
struct RunArgs {
    /// Truth to start from (its first frame) and score against.
    #[arg(long, default_value = "latest")]
    truth: String,
    /// Where selectors are resolved.
    #[arg(long, default_value = "truths")]
    truths: PathBuf,
    /// Use only the first this many truth frames.
    #[arg(long)]
    frames: Option<usize>,
    #[command(flatten)]
    encode: EncodeFlags,
    /// State budget in floats (Π_MDL keeps the best atoms by enstrophy per float); the
    /// v4 proxy's D is 456.
    #[arg(long, default_value_t = 456)]
    floats: usize,
    /// Atom steps per truth frame (dt = frame Δt / substeps).
    #[arg(long, default_value_t = 4)]
    substeps: usize,
    /// Viscosity ν of the core spreading ε² += 4νΔt.
    #[arg(long, default_value_t = 1e-4)]
    nu: f64,
    /// Write a picture (truth with atoms | decoded) every this many frames (0: none).
    #[arg(long, default_value_t = 25)]
    png_every: usize,
    /// Output directory.
    #[arg(long, default_value = "atoms-run")]
    out: PathBuf,
}

#[derive(Debug, Args)]
struct ThreadsArgs {
    /// Truth whose first frame is encoded as the start.
    #[arg(long, default_value = "latest")]
    truth: String,
    /// Where selectors are resolved.
    #[arg(long, default_value = "truths")]
    truths: PathBuf,
    #[command(flatten)]
    encode: EncodeFlags,
    /// Atom steps (dt = frame Δt / 4, as `run` with its default substeps).
    #[arg(long, default_value_t = 120)]
    steps: usize,
    /// State budget in floats.
    #[arg(long, default_value_t = 456)]
    floats: usize,
    /// Output directory (timeline.csv, audit.csv, timeline.png, summary.md).
    #[arg(long, default_value = "atoms-threads")]
    out: PathBuf,
}

#[derive(Debug, Args)]
struct DecodeArgs {
    /// Atom state written by `dashi atoms encode`.
    #[arg(long, default_value = "atoms.json")]
    atoms: PathBuf,
    /// Grid size N.
    #[arg(long, default_value_t = 128)]
    n: usize,
    /// Output PNG.
    #[arg(long, default_value = "atoms-omega.png")]
    out: PathBuf,
}

/// The atom state as JSON (`atoms.json`).
fn state_json(state: &AtomState) -> Value {
    let atoms: Vec<Value> = state
        .atoms
        .iter()
        .map(|a| {
            json!({ "sign": if a.sign() == Sign::Pos { 1 } else { -1 }, "gamma": a.gamma(), "core": a.core(),
                    "vertices": a.vertices() })
        })
        .collect();
    let background: Vec<Value> =
        state.background.modes().iter().map(|m| json!({ "kx": m.kx, "ky": m.ky, "re": m.re, "im": m.im })).collect();
    json!({ "format": "dashi-atoms", "version": 1, "atoms": atoms, "background": background })
}

/// Reads `atoms.json` back (every value checked by the atom constructors).
/// The largest `atoms.json` read (256 MiB; the largest `--background-k` and a dense
/// filament set stay far below).
const MAX_ATOMS_JSON_BYTES: u64 = 256 << 20;

fn read_state(path: &Path) -> anyhow::Result<AtomState> {
    if !path.exists() {
        return usage(format!(
            "--atoms {0}: no such file (write one with `dashi atoms encode --out {0}`)",
            path.display()
        ));
    }
    let text = dashi_core::files::read_bounded(path, MAX_ATOMS_JSON_BYTES)
        .with_context(|| format!("--atoms {}", path.display()))?;
    let v: Value = serde_json::from_slice(&text).with_context(|| format!("--atoms {}: not JSON", path.display()))?;
    let bad = |what: &str| anyhow::anyhow!("--atoms {}: {what}", path.display());
    if v["format"] != "dashi-atoms" || v["version"] != 1 {
        return Err(bad("not a dashi-atoms version 1 file (\"format\", \"version\")"));
    }
    let mut atoms = Vec::new();
    for (i, a) in v["atoms"].as_array().ok_or_else(|| bad("no \"atoms\" array"))?.iter().enumerate() {
        let num = |key: &str| a[key].as_f64().ok_or_else(|| bad(&format!("atom {i}: \"{key}\" is not a number")));
        let sign = match a["sign"].as_i64() {
            Some(1) => Sign::Pos,
            Some(-1) => Sign::Neg,
            _ => return Err(bad(&format!("atom {i}: \"sign\" must be 1 or -1"))),
        };
        let vertices: Vec<[f64; 2]> =
            serde_json::from_value(a["vertices"].clone()).map_err(|e| bad(&format!("atom {i}: \"vertices\": {e}")))?;
        atoms.push(Atom::new(vertices, sign, num("gamma")?, num("core")?).map_err(|e| bad(&format!("atom {i}: {e}")))?);
    }
    let mut modes = Vec::new();
    for (i, m) in v["background"].as_array().into_iter().flatten().enumerate() {
        let int = |key: &str| {
            m[key].as_i64().and_then(|k| i32::try_from(k).ok()).ok_or_else(|| {
                bad(&format!("background mode {i}: \"{key}\" is not an integer wavenumber in the i32 range"))
            })
        };
        let num = |key: &str| m[key].as_f64().ok_or_else(|| bad(&format!("background mode {i}: \"{key}\"")));
        modes.push(Mode { kx: int("kx")?, ky: int("ky")?, re: num("re")?, im: num("im")? });
    }
    let background = Background::new(modes).map_err(|e| bad(&e.to_string()))?;
    Ok(AtomState::new(atoms, background))
}

/// A 384-pixel vorticity panel with a colour bar.
fn panel_plot<'a>(field: &'a [f32], n: usize, title: &str, limit: f32) -> FieldPlot<'a> {
    FieldPlot::new(field, n, n).title(title).symmetric_limit(limit).colorbar_label("ω").panel_size(384, 384)
}

/// The vorticity panel of `field` with the atoms drawn over it: positive atoms in black,
/// negative in dark green; each vertex a circle of radius ε, polylines joined.
fn atoms_panel(
    canvas: &mut Canvas,
    (x, y): (i32, i32),
    (field, n): (&[f32], usize),
    title: &str,
    limit: f32,
    state: Option<&AtomState>,
) -> anyhow::Result<i32> {
    let plot = panel_plot(field, n, title, limit);
    let layout = plot.draw(canvas, x, y)?;
    if let Some(state) = state {
        let p = layout.panel;
        let scale = p.width as f64 / dashi_atoms::DOMAIN_LENGTH;
        let to_px =
            |v: [f64; 2]| (p.x as f32 + (v[0] * scale) as f32, (p.y + p.height as i32) as f32 - (v[1] * scale) as f32);
        canvas.set_clip(Some(p));
        for a in &state.atoms {
            let colour = if a.sign() == Sign::Pos { [0, 0, 0] } else { [0, 110, 0] };
            let style = LineStyle::solid(colour, 1.5);
            let points: Vec<(f32, f32)> = a.vertices().iter().map(|&v| to_px(v)).collect();
            // Polyline segments that wrap around the box are not drawn across it.
            for w in points.windows(2) {
                if (w[0].0 - w[1].0).abs() < p.width as f32 / 2.0 && (w[0].1 - w[1].1).abs() < p.height as f32 / 2.0 {
                    canvas.line(w[0], w[1], &style);
                }
            }
            let r = ((a.core() * scale) as f32).max(2.0);
            for &c in &points {
                let circle: Vec<(f32, f32)> = (0..=24)
                    .map(|k| {
                        let t = k as f32 * std::f32::consts::TAU / 24.0;
                        (c.0 + r * t.cos(), c.1 + r * t.sin())
                    })
                    .collect();
                canvas.polyline(&circle, &LineStyle::solid(colour, 1.0));
            }
        }
        canvas.set_clip(None);
    }
    Ok(layout.bounds.width as i32)
}

/// One picture: `panels` side by side (shared limit), a caption above.
fn write_panels(
    path: &Path,
    n: usize,
    caption: &str,
    panels: &[(&[f64], &str, Option<&AtomState>)],
) -> anyhow::Result<()> {
    let fields: Vec<Vec<f32>> = panels.iter().map(|(f, _, _)| f.iter().map(|&v| v as f32).collect()).collect();
    let limit = dashi_plot::field::auto_limit(&fields[0]);
    let panel_width = |f: &[f32]| -> anyhow::Result<u32> { Ok(panel_plot(f, n, "", limit).layout()?.bounds.width) };
    let width = 20 + fields.iter().map(|f| panel_width(f)).sum::<anyhow::Result<u32>>()?;
    let mut canvas = Canvas::new(width, 480, [255, 255, 255])?;
    let mut x = 10;
    for (field, (_, title, state)) in fields.iter().zip(panels) {
        x += atoms_panel(&mut canvas, (x, 36), (field, n), title, limit, *state)?;
    }
    let style = TextStyle::new([0, 0, 0], 2).align(HAlign::Center, VAlign::Top);
    canvas.text(width as i32 / 2, 8, caption, &style);
    canvas.write_png_atomic(path)?;
    Ok(())
}

/// The CPU executor's report (the atoms run on the host in f64).
fn cpu_report() -> anyhow::Result<dashi_gpu::BackendReport> {
    let (_, report) =
        dashi_gpu::executor_for(dashi_gpu::BackendRequest::Cpu, &dashi_gpu::AdapterSelection::from_env())?;
    Ok(report)
}

/// Runs `dashi atoms`.
pub fn run(args: AtomsArgs) -> anyhow::Result<()> {
    let metrics = crate::metrics::MetricsFile::check(args.output.metrics_json.clone(), args.output.force)?;
    let guard = crate::path_guard::PathGuard::new();
    let guard = match &args.what {
        AtomsCommand::Encode(a) => {
            guard.truth(&a.truth, &a.truths).output("--out", Some(&a.out)).output("--png", a.png.as_deref())
        }
        AtomsCommand::Run(a) => guard.truth(&a.truth, &a.truths).output("--out", Some(&a.out)),
        AtomsCommand::Threads(a) => guard.truth(&a.truth, &a.truths).output("--out", Some(&a.out)),
        AtomsCommand::Decode(a) => guard.input("--atoms", &a.atoms).output("--out", Some(&a.out)),
    };
    guard.output("--metrics-json", args.output.metrics_json.as_deref()).check()?;
    let report = cpu_report()?;
    let start = Instant::now();
    let (kind, parameters, results) = match &args.what {
        AtomsCommand::Encode(a) => {
            if a.out.exists() && !args.output.force {
                return usage(format!("--out {}: the file exists (use --force to overwrite it)", a.out.display()));
            }
            let config = a.encode.config()?;
            let truth = crate::truth_input::open(&a.truth, &a.truths)?;
            if a.frame >= truth.frame_count() {
                return usage(format!("--frame {}: the truth has {} frames", a.frame, truth.frame_count()));
            }
            let n = truth.n();
            let omega = crate::truth_input::frame_f64(&truth, a.frame)?;
            let state = encode(&omega, n, &config)?;
            let decoded = rasterise(&state, n)?;
            let scores = Scorer::new(n)?.score(&decoded, &omega);
            crate::metrics::MetricsFile::check(Some(a.out.clone()), true)?
                .write(&state_json(&state))
                .with_context(|| format!("--out {}", a.out.display()))?;
            if let Some(png) = &a.png {
                let caption = format!(
                    "frame {}: {} atoms, {} floats   corr(decode, truth) = {:.3}",
                    a.frame,
                    state.atoms.len(),
                    state.floats(),
                    scores.correlation
                );
                write_panels(
                    png,
                    n,
                    &caption,
                    &[(&omega, "truth with atoms", Some(&state)), (&decoded, "decoded atoms", None)],
                )?;
            }
            if !args.output.quiet {
                println!(
                    "{} atoms ({} vertices, {} floats) from frame {} of {} → {}; decode vs truth: corr {:.3}, rel-L2 {:.3}",
                    state.atoms.len(),
                    state.vertex_count(),
                    state.floats(),
                    a.frame,
                    truth.meta().truth_id,
                    a.out.display(),
                    scores.correlation,
                    scores.rel_l2
                );
            }
            (
                "encode",
                json!({ "truth": a.truth, "frame": a.frame, "threshold": config.threshold, "background_k": config.background_k }),
                json!({ "out": a.out.display().to_string(), "atoms": state.atoms.len(), "vertices": state.vertex_count(),
                        "floats": state.floats(), "scores": scores }),
            )
        }
        AtomsCommand::Decode(a) => {
            if a.out.exists() && !args.output.force {
                return usage(format!("--out {}: the file exists (use --force to overwrite it)", a.out.display()));
            }
            if !(16..=dashi_atoms::MAX_GRID).contains(&a.n) {
                return usage(format!("--n {}: must be in 16..={}", a.n, dashi_atoms::MAX_GRID));
            }
            let state = read_state(&a.atoms)?;
            let omega = rasterise(&state, a.n)?;
            let title = format!("ω of {} atoms on {}²", state.atoms.len(), a.n);
            crate::pictures::write_vorticity_png(&a.out, a.n, &omega, &title, None)?;
            if !args.output.quiet {
                println!("{} written", a.out.display());
            }
            (
                "decode",
                json!({ "atoms": a.atoms.display().to_string(), "n": a.n }),
                json!({ "out": a.out.display().to_string(), "atoms": state.atoms.len(),
                        "enstrophy": dashi_atoms::enstrophy(&omega) }),
            )
        }
        AtomsCommand::Run(a) => run_atoms(a, args.output.force, args.output.quiet, &report)?,
        AtomsCommand::Threads(a) => run_threads(a, args.output.force, args.output.quiet)?,
    };
    let mut parameters = parameters;
    parameters["kind"] = json!(kind);
    let mut results = results;
    results["kind"] = json!(kind);
    metrics.write(&crate::metrics::envelope(
        "atoms",
        &[("atoms", &report)],
        "f64",
        parameters,
        json!({ "atoms_s": start.elapsed().as_secs_f64() }),
        results,
    ))
}

/// One scored frame of `dashi atoms run`: frame, time, atom scores, persistence scores,
/// atoms, floats.
type Row = (usize, f64, FrameScores, FrameScores, usize, usize);

/// `dashi atoms run`.
fn run_atoms(
    a: &RunArgs,
    force: bool,
    quiet: bool,
    report: &dashi_gpu::BackendReport,
) -> anyhow::Result<(&'static str, Value, Value)> {
    let config = a.encode.config()?;
    if a.substeps == 0 || a.floats < 8 || !(a.nu.is_finite() && a.nu >= 0.0) {
        return usage(format!(
            "--substeps {} --floats {} --nu {}: need substeps ≥ 1, floats ≥ 8, ν ≥ 0",
            a.substeps, a.floats, a.nu
        ));
    }
    let input = crate::truth_input::load(&a.truth, &a.truths, a.frames)?;
    let n = input.truth.n();
    let count = input.frames.len() / (n * n);
    let out = StagedDir::create(&a.out, "--out", force)?;
    if !quiet {
        eprintln!("{report}");
    }
    let mdl = MdlConfig::filaments(a.floats);
    let step_config = StepConfig { dt: input.frame_dt / a.substeps as f64, scheme: Scheme::Rk4, viscosity: a.nu, mdl };
    let frame = |t: usize| &input.frames[t * n * n..(t + 1) * n * n];
    let encoded = encode(frame(0), n, &config)?;
    let mut state = AtomState::new(normal_form(encoded.atoms, &mdl)?.0, Background::empty());
    let scorer = Scorer::new(n)?;
    let bar = crate::progress::steps_bar(count as u64, "atoms", "frames", quiet);
    let clock = Instant::now();
    let mut rows: Vec<Row> = Vec::new();
    for t in 0..count {
        if t > 0 {
            for _ in 0..a.substeps {
                state = step(&state, &step_config)?.0;
            }
        }
        let decoded = rasterise(&state, n)?;
        let (atoms_scores, persistence) = (scorer.score(&decoded, frame(t)), scorer.score(frame(0), frame(t)));
        let time = t as f64 * input.frame_dt;
        if a.png_every > 0 && (t % a.png_every == 0 || t == count - 1) {
            let caption = format!(
                "frame {t}   t = {time:.2}   {} atoms, {} floats   corr = {:.3}",
                state.atoms.len(),
                state.floats(),
                atoms_scores.correlation
            );
            write_panels(
                &out.file(&format!("atoms_{t:05}.png")),
                n,
                &caption,
                &[(frame(t), "truth with atoms", Some(&state)), (&decoded, "decoded atoms", None)],
            )?;
        }
        rows.push((t, time, atoms_scores, persistence, state.atoms.len(), state.floats()));
        bar.set_position(t as u64 + 1);
        bar.set_message(format!("corr {:.3}  atoms {}", atoms_scores.correlation, state.atoms.len()));
    }
    bar.finish_and_clear();
    let run_s = clock.elapsed().as_secs_f64();
    let mut csv = String::from("frame,time,method,rel_l2,correlation,energy_ratio,enstrophy_ratio,lsd,atoms,floats\n");
    for (t, time, s, p, atoms, floats) in &rows {
        for (method, x) in [("atoms", s), ("persistence", p)] {
            let _ = writeln!(
                csv,
                "{t},{time},{method},{},{},{},{},{},{atoms},{floats}",
                x.rel_l2, x.correlation, x.energy_ratio, x.enstrophy_ratio, x.lsd
            );
        }
    }
    std::fs::write(out.file("scores.csv"), csv).context("writing scores.csv")?;
    let times: Vec<f64> = rows.iter().map(|r| r.1).collect();
    let hct = |pick: fn(&Row) -> f64| high_correlation_time(&times, &rows.iter().map(pick).collect::<Vec<_>>());
    let (hct_atoms, hct_persistence) = (hct(|r| r.2.correlation), hct(|r| r.3.correlation));
    let series = [("v5 atoms", false, 2usize), ("persistence", true, 3)]
        .iter()
        .map(|(name, dashed, which)| crate::pictures::ScoreSeries {
            name: name.to_string(),
            points: rows.iter().map(|r| (r.1, if *which == 2 { r.2.correlation } else { r.3.correlation })).collect(),
            dashed: *dashed,
        })
        .collect::<Vec<_>>();
    crate::pictures::write_score_plot(&out.file("correlation.png"), "Pearson correlation", &series, None)?;
    let mean = |f: &dyn Fn(&FrameScores) -> f64| rows.iter().map(|r| f(&r.2)).sum::<f64>() / rows.len() as f64;
    let fmt = |t: Option<f64>| {
        t.map_or(format!("> {:.2} (never below)", times.last().unwrap_or(&0.0)), |t| format!("{t:.2}"))
    };
    let summary = format!(
        "# dashi atoms run\n\ntruth `{}` (N = {n}, {count} frames, Δt = {}); encode τ = {} of max|ω|; state budget {} floats; \
         {} atom steps per frame (RK4, ν = {}); CPU f64.\n\n| | v5 atoms | persistence |\n|---|---|---|\n\
         | high-correlation time | {} | {} |\n| mean rel-L2 | {:.4} | — |\n| mean corr | {:.4} | — |\n| mean LSD | {:.3} | — |\n\n\
         final state: {} atoms, {} floats. Wall {run_s:.1} s.\n",
        input.truth.meta().truth_id,
        input.frame_dt,
        config.threshold,
        a.floats,
        a.substeps,
        a.nu,
        fmt(hct_atoms),
        fmt(hct_persistence),
        mean(&|s| s.rel_l2),
        mean(&|s| s.correlation),
        mean(&|s| s.lsd),
        state.atoms.len(),
        state.floats(),
    );
    std::fs::write(out.file("summary.md"), &summary).context("writing summary.md")?;
    std::fs::write(out.file("final_atoms.json"), serde_json::to_string_pretty(&state_json(&state))? + "\n")
        .context("writing final_atoms.json")?;
    let dir = out.finish()?;
    if !quiet {
        println!("{summary}written to {}", dir.display());
    }
    Ok((
        "run",
        json!({ "truth": a.truth, "truth_id": input.truth.meta().truth_id, "frames": count, "threshold": config.threshold,
                "floats": a.floats, "substeps": a.substeps, "nu": a.nu }),
        json!({ "out": dir.display().to_string(), "high_correlation_time": { "atoms": hct_atoms, "persistence": hct_persistence },
                "mean_rel_l2": mean(&|s| s.rel_l2), "mean_correlation": mean(&|s| s.correlation), "mean_lsd": mean(&|s| s.lsd),
                "final_atoms": state.atoms.len(), "final_floats": state.floats(), "run_s": run_s }),
    ))
}

/// `dashi atoms threads`.
fn run_threads(a: &ThreadsArgs, force: bool, quiet: bool) -> anyhow::Result<(&'static str, Value, Value)> {
    let config = a.encode.config()?;
    if a.steps == 0 || a.floats < 8 {
        return usage(format!("--steps {} --floats {}: need steps ≥ 1 and floats ≥ 8", a.steps, a.floats));
    }
    let truth = crate::truth_input::open(&a.truth, &a.truths)?;
    let n = truth.n();
    let frame_dt = match truth.times() {
        [t0, t1, ..] => t1 - t0,
        _ => return usage(format!("--truth {}: needs at least two frames (for Δt)", a.truth)),
    };
    let out = StagedDir::create(&a.out, "--out", force)?;
    let omega = crate::truth_input::frame_f64(&truth, 0)?;
    let mdl = MdlConfig::filaments(a.floats);
    let step_config = StepConfig { dt: frame_dt / 4.0, scheme: Scheme::Rk4, viscosity: 1e-4, mdl };
    let start_state = AtomState::new(normal_form(encode(&omega, n, &config)?.atoms, &mdl)?.0, Background::empty());
    let clock = Instant::now();
    let (end, genealogy, _) = dashi_atoms::run_with_threads(&start_state, &step_config, a.steps)?;
    let run_s = clock.elapsed().as_secs_f64();
    std::fs::write(out.file("timeline.csv"), genealogy.timeline_csv()).context("writing timeline.csv")?;
    let mut audit =
        String::from("step,quantity,before,after,change,transport,viscosity,prune,split,merge,budget,residual\n");
    let mut worst: f64 = 0.0;
    for s in genealogy.audits() {
        let (change, residual) = (s.change(), s.residual());
        worst = worst.max(residual.gamma.abs()).max(residual.signed.abs());
        type Pick = fn(&dashi_atoms::Balance) -> f64;
        let quantities: [(&str, Pick); 2] = [("gamma", |b| b.gamma), ("signed_gamma", |b| b.signed)];
        for (name, q) in quantities {
            let _ = writeln!(
                audit,
                "{},{name},{},{},{},{},{},{},{},{},{},{:e}",
                s.step,
                q(&s.before),
                q(&s.after),
                q(&change),
                q(&s.transport),
                q(&s.viscosity),
                q(&s.prune),
                q(&s.split),
                q(&s.merge),
                q(&s.budget),
                q(&residual)
            );
        }
    }
    std::fs::write(out.file("audit.csv"), audit).context("writing audit.csv")?;
    let timeline = genealogy.timeline();
    type Count = fn(&dashi_atoms::StepEvents) -> usize;
    let kinds: [(&str, Count); 5] = [
        ("splits", |e| e.splits),
        ("merges", |e| e.merges),
        ("deaths (prune)", |e| e.deaths_prune),
        ("deaths (budget)", |e| e.deaths_budget),
        ("deaths (annihilation)", |e| e.deaths_annihilation),
    ];
    let mut chart = dashi_plot::LineChart::new("cumulative thread events")
        .x_axis("step", dashi_plot::AxisScale::Linear)
        .y_axis("events since step 0", dashi_plot::AxisScale::Linear);
    for (name, count) in kinds {
        let mut total = 0usize;
        let points: Vec<(f64, f64)> = timeline
            .iter()
            .map(|e| {
                total += count(e);
                ((e.step + 1) as f64, total as f64)
            })
            .collect();
        chart = chart.series(dashi_plot::Series::new(name, points));
    }
    chart.render(900, 520)?.write_png_atomic(out.file("timeline.png"))?;
    let totals = timeline.iter().fold([0usize; 5], |mut t, e| {
        for (slot, v) in t.iter_mut().zip([e.splits, e.merges, e.deaths_prune, e.deaths_budget, e.births]) {
            *slot += v;
        }
        t
    });
    let lifetimes = genealogy.lifetimes();
    let full = lifetimes.iter().filter(|l| l.first == 0 && l.last == a.steps).count();
    let summary = format!(
        "# dashi atoms threads\n\ntruth `{}` frame 0 (N = {n}) → {} atoms; {} steps of dt = {} (RK4, ν = 1e-4), Π_MDL with a \
         budget of {} floats → {} atoms.\n\n| events | splits | merges | deaths (prune) | deaths (budget) | births |\n\
         |---|---|---|---|---|---|\n| total | {} | {} | {} | {} | {} |\n\n{} threads; {full} live through every step. \
         Conservation audit: worst |change − attributed| over all steps, Γ and σΓ: {worst:.1e}. Wall {run_s:.1} s.\n",
        truth.meta().truth_id,
        start_state.atoms.len(),
        a.steps,
        step_config.dt,
        a.floats,
        end.atoms.len(),
        totals[0],
        totals[1],
        totals[2],
        totals[3],
        totals[4],
        genealogy.thread_count(),
    );
    std::fs::write(out.file("summary.md"), &summary).context("writing summary.md")?;
    let dir = out.finish()?;
    if !quiet {
        println!("{summary}written to {}", dir.display());
    }
    Ok((
        "threads",
        json!({ "truth": a.truth, "steps": a.steps, "floats": a.floats, "threshold": config.threshold }),
        json!({ "out": dir.display().to_string(), "threads": genealogy.thread_count(), "full_lifetime_threads": full,
                "splits": totals[0], "merges": totals[1], "deaths_prune": totals[2], "deaths_budget": totals[3],
                "births": totals[4], "worst_audit_residual": worst, "run_s": run_s }),
    ))
}
