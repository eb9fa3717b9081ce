//! `dashi plot`: redraw any picture from saved data, no computation (docs/DESIGN.md §7).
//!
//! - `field`: one stored vorticity frame of a truth (diverging colour map, symmetric limits
//!   ±max|ω| or `--limit`, colour bar);
//! - `spectrum`: shell spectra E(k) of stored frames (from `spectrum.npy`) on log–log axes
//!   with a k⁻³ reference line;
//! - `diagnostics`: energy, enstrophy and palinstrophy over time, each relative to its
//!   initial value (from `diagnostics.csv`);
//! - `scores`: a score of `dashi decode`'s `scores.csv` against time for every method,
//!   with the 0.95 line for correlations and the train | eval split;
//! - `gif`: an animation of a truth's stored frames (one symmetric limit for all frames).
//!
//! Output files are written atomically and never overwritten without `--force`.

use crate::usage::usage;
use anyhow::Context;
use clap::{Args, Subcommand};
use dashi_les::truth::Truth;
use serde_json::json;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// `dashi plot` flags.
#[derive(Debug, Args)]
pub struct PlotArgs {
    #[command(subcommand)]
    what: PlotKind,
    /// Output file (PNG, or GIF for `gif`).
    #[arg(long, global = true, value_name = "FILE")]
    out: Option<PathBuf>,
    #[command(flatten)]
    output: crate::OutputArgs,
}

/// Which picture.
#[derive(Debug, Subcommand)]
enum PlotKind {
    /// One stored vorticity frame of a truth.
    #[command(after_help = "Example:\n  dashi plot field --truth latest --frame last --out omega.png")]
    Field {
        #[command(flatten)]
        truth: TruthArg,
        /// Frame index, or `last`.
        #[arg(long, default_value = "last")]
        frame: String,
        /// Symmetric colour limit ±L (default: max|ω| of the frame).
        #[arg(long)]
        limit: Option<f32>,
    },
    /// Shell energy spectra E(k) of stored frames, log–log, with k⁻³.
    #[command(after_help = "Example:\n  dashi plot spectrum --truth latest --frame 0,50,last --out spectrum.png")]
    Spectrum {
        #[command(flatten)]
        truth: TruthArg,
        /// Frame indices, comma-separated (`last` allowed).
        #[arg(long, value_delimiter = ',', default_value = "0,last")]
        frame: Vec<String>,
    },
    /// Energy, enstrophy and palinstrophy over time, relative to t = 0.
    #[command(after_help = "Example:\n  dashi plot diagnostics --truth latest --out diagnostics.png")]
    Diagnostics {
        #[command(flatten)]
        truth: TruthArg,
    },
    /// A score from `dashi decode`'s scores.csv against time, every method.
    #[command(
        after_help = "Example:\n  dashi plot scores --scores decoded/scores.csv --metric correlation --out corr.png"
    )]
    Scores {
        /// The scores.csv written by `dashi decode` (or its directory).
        #[arg(long, default_value = "decoded/scores.csv")]
        scores: PathBuf,
        /// Column: correlation, rel_l2, energy_ratio, enstrophy_ratio or lsd.
        #[arg(long, default_value = "correlation")]
        metric: String,
    },
    /// An animated GIF of a truth's stored frames.
    #[command(after_help = "Example:\n  dashi plot gif --truth latest --out omega.gif")]
    Gif {
        #[command(flatten)]
        truth: TruthArg,
        /// Milliseconds per frame.
        #[arg(long, default_value_t = 80)]
        delay_ms: u32,
    },
}

/// `--truth SEL --truths DIR`.
#[derive(Debug, Args)]
struct TruthArg {
    /// Truth: a directory or a selector (latest, latest:gpu, an id or prefix).
    #[arg(long, default_value = "latest")]
    truth: String,
    /// Where selectors are resolved (the `dashi les --out` root).
    #[arg(long, default_value = "truths")]
    truths: PathBuf,
}

impl TruthArg {
    fn open(&self) -> anyhow::Result<Truth> {
        crate::truth_input::open(&self.truth, &self.truths)
    }
}

/// `index` or `last` among `count` frames.
fn frame_index(text: &str, count: usize) -> anyhow::Result<usize> {
    let index = if text == "last" {
        count.saturating_sub(1)
    } else {
        match text.parse::<usize>() {
            Ok(i) => i,
            Err(_) => return usage(format!("--frame {text:?}: expected a frame index or `last`")),
        }
    };
    if index >= count {
        return usage(format!("--frame {text}: the truth has {count} frames (0..={})", count.saturating_sub(1)));
    }
    Ok(index)
}

/// method → `(time, value)` points.
type ScoresByMethod = BTreeMap<String, Vec<(f64, f64)>>;

/// The scores of one `scores.csv`: method → (time, value) points, and the end of the
/// training horizon (the last `train` time, if any row is past it).
fn read_scores(path: &Path, metric: &str) -> anyhow::Result<(ScoresByMethod, Option<f64>)> {
    let text = std::fs::read_to_string(path).with_context(|| format!("--scores {}", path.display()))?;
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap_or_default().split(',').collect();
    let col = |name: &str| header.iter().position(|h| *h == name);
    let (Some(time), Some(horizon), Some(method)) = (col("time"), col("horizon"), col("method")) else {
        anyhow::bail!("--scores {}: not a dashi decode scores.csv (header {:?})", path.display(), header.join(","));
    };
    let Some(value) = col(metric).filter(|_| !["frame", "time", "horizon", "method"].contains(&metric)) else {
        return usage(format!(
            "--metric {metric:?}: expected one of correlation, rel_l2, energy_ratio, enstrophy_ratio, lsd"
        ));
    };
    let mut series = ScoresByMethod::new();
    let (mut train_end, mut past_train) = (None::<f64>, false);
    for (i, line) in lines.enumerate() {
        let cells: Vec<&str> = line.split(',').collect();
        let number = |c: usize| -> anyhow::Result<f64> {
            cells.get(c).and_then(|v| v.parse().ok()).with_context(|| {
                format!("--scores {}: line {}: column {} is not a number", path.display(), i + 2, header[c])
            })
        };
        let t = number(time)?;
        match cells.get(horizon).copied() {
            Some("train") => train_end = Some(train_end.map_or(t, |e: f64| e.max(t))),
            Some("eval" | "beyond") => past_train = true,
            _ => {}
        }
        series.entry(cells.get(method).copied().unwrap_or("?").to_string()).or_default().push((t, number(value)?));
    }
    if series.is_empty() {
        anyhow::bail!("--scores {}: no rows", path.display());
    }
    Ok((series, train_end.filter(|_| past_train)))
}

/// Runs `dashi plot`.
pub fn run(args: PlotArgs) -> anyhow::Result<()> {
    let metrics = crate::metrics::MetricsFile::check(args.output.metrics_json.clone(), args.output.force)?;
    let default_out = match &args.what {
        PlotKind::Field { .. } => "omega.png",
        PlotKind::Spectrum { .. } => "spectrum.png",
        PlotKind::Diagnostics { .. } => "diagnostics.png",
        PlotKind::Scores { .. } => "scores.png",
        PlotKind::Gif { .. } => "omega.gif",
    };
    let out = args.out.clone().unwrap_or_else(|| PathBuf::from(default_out));
    let mut guard = crate::path_guard::PathGuard::new();
    match &args.what {
        PlotKind::Field { truth, .. }
        | PlotKind::Spectrum { truth, .. }
        | PlotKind::Diagnostics { truth }
        | PlotKind::Gif { truth, .. } => guard = guard.truth(&truth.truth, &truth.truths),
        PlotKind::Scores { scores, .. } => guard = guard.input("--scores", scores),
    }
    guard.output("--out", Some(&out)).output("--metrics-json", args.output.metrics_json.as_deref()).check()?;
    if out.exists() && !args.output.force {
        return usage(format!("--out {}: the file exists (use --force to overwrite it)", out.display()));
    }
    let start = std::time::Instant::now();
    let (kind, parameters) = match &args.what {
        PlotKind::Field { truth: arg, frame, limit } => {
            if let Some(l) = limit.filter(|l| !(l.is_finite() && *l > 0.0)) {
                return usage(format!("--limit {l}: must be finite and > 0"));
            }
            let truth = arg.open()?;
            let i = frame_index(frame, truth.frame_count())?;
            let omega = crate::truth_input::frame_f64(&truth, i)?;
            let title = format!("ω   frame {i}   t = {:.2}", truth.times()[i]);
            crate::pictures::write_vorticity_png(&out, truth.n(), &omega, &title, *limit)?;
            ("field", json!({ "truth": arg.truth, "truth_id": truth.meta().truth_id, "frame": i, "limit": limit }))
        }
        PlotKind::Spectrum { truth: arg, frame } => {
            let truth = arg.open()?;
            let indices =
                frame.iter().map(|f| frame_index(f, truth.frame_count())).collect::<anyhow::Result<Vec<_>>>()?;
            let curves: Vec<(String, &[f64])> = indices
                .iter()
                .map(|&i| (format!("t = {:.2}", truth.times()[i]), truth.spectrum(i).expect("index checked")))
                .collect();
            let named: Vec<(&str, &[f64], bool)> = curves.iter().map(|(n, e)| (n.as_str(), *e, false)).collect();
            let title = format!("energy spectrum E(k) of {}", truth.meta().truth_id);
            crate::pictures::write_spectrum_plot(&out, truth.n(), &title, &named)?;
            ("spectrum", json!({ "truth": arg.truth, "truth_id": truth.meta().truth_id, "frames": indices }))
        }
        PlotKind::Diagnostics { truth: arg } => {
            let truth = arg.open()?;
            crate::pictures::write_diagnostics_plot(&out, &truth)?;
            let rows = truth.diagnostics();
            ("diagnostics", json!({ "truth": arg.truth, "truth_id": truth.meta().truth_id, "rows": rows.len() }))
        }
        PlotKind::Scores { scores, metric } => {
            let path = if scores.is_dir() { scores.join("scores.csv") } else { scores.clone() };
            let (series, train_end) = read_scores(&path, metric)?;
            fn label(method: &str) -> (&str, bool) {
                match method {
                    "rollout" => ("v4 rollout", false),
                    "low_pass" => ("ideal low-pass", true),
                    "persistence" => ("persistence", true),
                    "reconstruction" => ("decode(encode(truth))", false),
                    other => (other, false),
                }
            }
            let mut ordered: Vec<crate::pictures::ScoreSeries> = series
                .into_iter()
                .map(|(method, points)| {
                    let (name, dashed) = label(&method);
                    crate::pictures::ScoreSeries { name: name.to_string(), points, dashed }
                })
                .collect();
            ordered.sort_by_key(|s| !s.name.starts_with("v4"));
            let axis = match metric.as_str() {
                "correlation" => "Pearson correlation",
                "rel_l2" => "relative L2 error",
                "energy_ratio" => "energy ratio (decoded / truth)",
                "enstrophy_ratio" => "enstrophy ratio (decoded / truth)",
                "lsd" => "LSD: rms over k = 1..N/3 of log10(E_decoded + d) − log10(E_truth + d)",
                other => other,
            };
            crate::pictures::write_score_plot(&out, axis, &ordered, train_end)?;
            ("scores", json!({ "scores": path.display().to_string(), "metric": metric }))
        }
        PlotKind::Gif { truth: arg, delay_ms } => {
            let truth = arg.open()?;
            let n = truth.n();
            let mut animation = crate::pictures::FieldAnimation::new(&["vorticity ω"], n, truth.frame_count());
            for i in 0..truth.frame_count() {
                let omega = crate::truth_input::frame_f64(&truth, i)?;
                animation.offer(format!("{}   t = {:.2}", truth.meta().truth_id, truth.times()[i]), &[&omega]);
            }
            animation.write(&out, *delay_ms)?;
            ("gif", json!({ "truth": arg.truth, "truth_id": truth.meta().truth_id, "frames": truth.frame_count() }))
        }
    };
    if !args.output.quiet {
        println!("{} written", out.display());
    }
    let mut parameters = parameters;
    parameters["kind"] = json!(kind);
    metrics.write(&crate::metrics::envelope(
        "plot",
        &[],
        "none",
        parameters,
        json!({ "plot_s": start.elapsed().as_secs_f64() }),
        json!({ "out": out.display().to_string() }),
    ))
}
