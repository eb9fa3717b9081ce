//! `dashi decode`: roll a model out from the truth's first frame, decode, and score
//! against the truth (docs/DESIGN.md §6, §7), with the persistence and ideal low-pass baselines.

use crate::CommonArgs;
use crate::output_dir::StagedDir;
use crate::pictures::FieldAnimation;
use crate::truth_input::TruthFrames;
use crate::usage::usage;
use anyhow::Context;
use clap::Args;
use dashi_codec::{
    DecodeConfig, Encoder, EvalOptions, FrameRecord, FrameScores, Model, Residual, Scorer, evaluate,
    high_correlation_time,
};
use dashi_core::ops::Executor;
use dashi_gpu::BackendReport;
use serde_json::json;
use std::fmt::Write as _;
use std::path::PathBuf;
use std::time::Instant;

/// Decoder flags shared by `decode` and `sweep`.
#[derive(Clone, Debug, Args)]
pub struct DecodeFlags {
    /// Residual rendering: seeded (anchors + seeded synthesis under the mask) or none (low band only).
    #[arg(long)]
    residual: Option<Residual>,
    /// Decode seed (frame t uses seed + 1000003·t).
    #[arg(long)]
    decode_seed: Option<u32>,
    /// Relative mask threshold τ (of max|B ω_lp|).
    #[arg(long)]
    tau: Option<f64>,
    /// Fining level budget (1..=16; 6 by default).
    #[arg(long)]
    fining_levels: Option<u32>,
}

impl DecodeFlags {
    /// The model's decoder settings with these overrides.
    pub fn apply(&self, base: DecodeConfig) -> DecodeConfig {
        DecodeConfig {
            residual: self.residual.unwrap_or(base.residual),
            decode_seed: self.decode_seed.unwrap_or(base.decode_seed),
            tau: self.tau.unwrap_or(base.tau),
            fining_levels: self.fining_levels.unwrap_or(base.fining_levels),
            ..base
        }
    }
}

/// `dashi decode` flags.
#[derive(Debug, Args)]
pub struct DecodeArgs {
    /// Model file written by `dashi fit`.
    #[arg(long, default_value = "model.dashi")]
    model: PathBuf,
    /// Truth to score against (directory or selector); its first frame is encoded as the start.
    #[arg(long, default_value = "latest")]
    truth: String,
    /// Where selectors are resolved.
    #[arg(long, default_value = "truths")]
    truths: PathBuf,
    /// Output directory (scores.csv, summary.md, PNGs).
    #[arg(long, default_value = "decoded")]
    out: PathBuf,
    /// Decode and score every this many frames.
    #[arg(long, default_value_t = 1)]
    decode_every: usize,
    /// Write a triptych PNG every this many scored frames (0: none).
    #[arg(long, default_value_t = 10)]
    png_every: usize,
    /// Use only the first this many truth frames.
    #[arg(long)]
    frames: Option<usize>,
    /// Also write an animated GIF of truth | decoded (truth_vs_decoded.gif).
    #[arg(long)]
    gif: bool,
    #[command(flatten)]
    decoder: DecodeFlags,
    #[command(flatten)]
    common: CommonArgs,
}

type Pick = fn(&FrameRecord) -> Option<FrameScores>;

/// The methods of the summary, in table order.
/// Each name is the `metrics.json` / `scores.csv` key, with what it is in words.
const METHODS: [(&str, Pick); 4] = [
    ("`rollout` (v4 rollout, decoded)", |r| Some(r.rollout)),
    ("`low_pass` (ideal low-pass of the truth)", |r| r.low_pass),
    ("`persistence` (first frame held)", |r| r.persistence),
    ("`reconstruction` (decode(encode(truth)))", |r| r.reconstruction),
];

/// Mean scores of one method over one horizon.
fn horizon_row(name: &str, records: &[&FrameRecord], pick: Pick) -> Option<String> {
    let scores: Vec<FrameScores> = records.iter().map(|r| pick(r)).collect::<Option<_>>()?;
    if scores.is_empty() {
        return None;
    }
    let mean = |f: &dyn Fn(&FrameScores) -> f64| scores.iter().map(f).sum::<f64>() / scores.len() as f64;
    Some(format!(
        "| {name} | {:.4} | {:.4} | {:.3} | {:.3} | {:.3} |\n",
        mean(&|s| s.rel_l2),
        mean(&|s| s.correlation),
        mean(&|s| s.energy_ratio),
        mean(&|s| s.enstrophy_ratio),
        mean(&|s| s.lsd),
    ))
}

/// The summary (markdown): mean scores per horizon — train (frames ≤ `train`), eval
/// (up to the last fitted frame `fitted`), beyond (later frames of a longer truth) — and
/// the high-correlation time of each method over the whole run.
pub fn summary_table(records: &[FrameRecord], train: usize, fitted: usize) -> String {
    let mut out = String::new();
    let horizons = [
        ("train horizon", records.iter().filter(|r| r.frame <= train).collect::<Vec<_>>()),
        ("eval horizon", records.iter().filter(|r| r.frame > train && r.frame <= fitted).collect()),
        ("beyond the fitted frames", records.iter().filter(|r| r.frame > fitted).collect()),
    ];
    for (label, part) in horizons {
        if part.is_empty() {
            continue;
        }
        let (t0, t1) = (part[0].time, part[part.len() - 1].time);
        let _ = writeln!(
            out,
            "**{label}** (frames {}–{}, t = {t0:.2}–{t1:.2}, {} scored)\n",
            part[0].frame,
            part[part.len() - 1].frame,
            part.len()
        );
        out.push_str("| method | rel-L2 | corr | E ratio | Z ratio | LSD |\n|---|---|---|---|---|---|\n");
        for (name, pick) in METHODS {
            out.push_str(&horizon_row(name, &part, pick).unwrap_or_default());
        }
        out.push('\n');
    }
    let times: Vec<f64> = records.iter().map(|r| r.time).collect();
    let horizon = times.last().copied().unwrap_or(0.0);
    out.push_str("**high-correlation time** (first t with corr < 0.95)\n\n| method | time |\n|---|---|\n");
    for (name, pick) in METHODS {
        if let Some(corr) = records.iter().map(|r| pick(r).map(|s| s.correlation)).collect::<Option<Vec<f64>>>() {
            let time = high_correlation_time(&times, &corr)
                .map_or(format!("> {horizon:.2} (never below)"), |t| format!("{t:.2}"));
            let _ = writeln!(out, "| {name} | {time} |");
        }
    }
    out
}

/// What [`decode_and_score`] did.
pub struct DecodeOutcome {
    /// Scores per decoded frame.
    pub records: Vec<FrameRecord>,
    /// The markdown summary (header and tables).
    pub summary: String,
    /// The tables alone (what `dashi decode` prints).
    pub table: String,
    /// Wall seconds of rollout + decode + scoring (pictures included).
    pub decode_s: f64,
    /// Whether the truth is the one the model was fitted on.
    pub same_truth: bool,
}

/// One decode job: a model against a loaded truth.
pub struct DecodeJob<'a> {
    /// The model.
    pub model: &'a Model,
    /// How the model is named in the summary (its path).
    pub model_label: String,
    /// The truth's frames.
    pub input: &'a TruthFrames,
    /// Evaluation settings.
    pub options: EvalOptions,
    /// A triptych PNG every this many scored frames (0: none).
    pub png_every: usize,
    /// No progress bar.
    pub quiet: bool,
    /// Whether the summary names the executor (`dashi demo` names it once, above).
    pub show_executor: bool,
}

/// Rolls `job.model` out from the truth's first frame, decodes and scores every frame
/// (with baselines), and writes into `out`: triptychs, `scores.csv`, `correlation.png`,
/// `spectrum.png` (truth, decoded and low-pass at the last scored frame) and `summary.md`.
/// Each decoded frame is also offered to `animation` (truth | decoded) if given.
pub fn decode_and_score(
    exec: &mut dyn Executor,
    job: &DecodeJob,
    report: &BackendReport,
    out: &StagedDir,
    mut animation: Option<&mut FieldAnimation>,
) -> anyhow::Result<DecodeOutcome> {
    let (model, input) = (job.model, job.input);
    let n = model.meta.n;
    let count = input.frames.len() / (n * n);
    let start = Instant::now();
    let mut encoder = Encoder::with_layout(exec, model.layout.clone())?;
    let z_start = encoder.encode(exec, &input.frames[..n * n])?;
    encoder.free(exec)?;
    // One colour scale for every triptych (fields and error alike), so frames and GIF
    // frames can be compared; an all-zero truth gets ±1.
    let limit = input.frames.iter().fold(0.0f64, |m, v| m.max(v.abs())) as f32;
    let limit = if limit > 0.0 && limit.is_finite() { limit } else { 1.0 };
    let same_truth = input.truth.meta().truth_id == model.meta.truth_id;
    let bar = crate::progress::steps_bar(count as u64, "decode", "frames", job.quiet);
    let mut scored = 0usize;
    let mut last_decoded = Vec::new();
    let mut train_end: Option<(usize, Vec<f64>)> = None;
    let records = evaluate(exec, model, &input.frames, &z_start, &job.options, |record, decoded, truth| {
        bar.set_position(record.frame as u64 + 1);
        bar.set_message(format!("corr {:.3}", record.rollout.correlation));
        if job.png_every > 0 && (scored.is_multiple_of(job.png_every) || record.frame == count - 1) {
            crate::pictures::write_triptych(
                &out.file(&format!("triptych_{:05}.png", record.frame)),
                n,
                (truth, decoded),
                record,
                horizon(record.frame, model.meta.train_transitions, model.meta.frames, same_truth),
                limit,
            )
            .map_err(|e| dashi_codec::CodecError::Model(format!("writing a triptych: {e:#}")))?;
        }
        if let Some(animation) = animation.as_deref_mut() {
            let caption =
                format!("frame {}   t = {:.2}   corr = {:.3}", record.frame, record.time, record.rollout.correlation);
            animation.offer(caption, &[truth, decoded]);
        }
        last_decoded.clear();
        last_decoded.extend_from_slice(decoded);
        if record.frame == model.meta.train_transitions && record.frame + 1 < count {
            train_end = Some((record.frame, decoded.to_vec()));
        }
        scored += 1;
        Ok(())
    })?;
    bar.finish_and_clear();
    let decode_s = start.elapsed().as_secs_f64();

    let train = model.meta.train_transitions;
    std::fs::write(out.file("scores.csv"), scores_csv(&records, train, model.meta.frames, same_truth))
        .context("writing scores.csv")?;
    let train_time = train as f64 * model.meta.frame_dt;
    crate::pictures::write_score_plot(
        &out.file("correlation.png"),
        "Pearson correlation",
        &crate::pictures::correlation_series(&records),
        same_truth.then_some(train_time),
    )?;
    if let Some(last) = records.last() {
        let scorer = Scorer::new(n)?;
        let truth_at = |frame: usize| &input.frames[frame * n * n..(frame + 1) * n * n];
        let mut curves = Vec::new();
        if let Some((frame, decoded)) = &train_end {
            curves.push((
                format!("truth, t = {:.1} (end of training)", *frame as f64 * model.meta.frame_dt),
                scorer.energy_spectrum(truth_at(*frame)),
            ));
            curves.push((
                format!("decoded, t = {:.1}", *frame as f64 * model.meta.frame_dt),
                scorer.energy_spectrum(decoded),
            ));
        }
        curves.push((format!("truth, t = {:.1}", last.time), scorer.energy_spectrum(truth_at(last.frame))));
        curves.push((format!("decoded, t = {:.1}", last.time), scorer.energy_spectrum(&last_decoded)));
        let named: Vec<(&str, &[f64], bool)> =
            curves.iter().map(|(name, e)| (name.as_str(), e.as_slice(), name.starts_with("decoded"))).collect();
        crate::pictures::write_spectrum_plot(
            &out.file("spectrum.png"),
            n,
            "energy spectrum E(k): truth and decoded rollout",
            &named,
        )?;
    }
    let fitted = model.meta.frames - 1;
    let table = if same_truth { summary_table(&records, train, fitted) } else { summary_table(&records, 0, 0) };
    let residual = match job.options.decode.residual {
        Residual::Seeded => {
            "seeded (anchors plus seeded random-phase synthesis of the unstored modes, scaled to the \
                             stored band energies, under the mask; docs/CODEC.md)"
        }
        Residual::None => "none (low band only: the ideal low-pass of the stored modes)",
    };
    let mut summary = format!(
        "Model `{}`, fitted on truth `{}` (N = {n}, D = {}).\n\
         Scored against truth `{}`: {count} frames; one model step = one frame = {} time units.\n\
         Executor: {}. Residual: {residual}. {}\n\n",
        job.model_label,
        model.meta.truth_id,
        model.meta.dim,
        input.truth.meta().truth_id,
        model.meta.frame_dt,
        if job.show_executor { report.to_string() } else { "as above".to_string() },
        if same_truth {
            format!("Split: frames ≤ {train} are the training horizon.")
        } else {
            "This truth is not the model's own: every frame is generalisation.".to_string()
        },
    );
    summary.push_str(&table);
    Ok(DecodeOutcome { records, summary, table, decode_s, same_truth })
}

/// The horizon of `frame`: train (≤ `train` transitions), eval (up to the model's last
/// fitted frame, `frames` − 1), beyond, or other-truth when scoring a different truth.
fn horizon(frame: usize, train: usize, frames: usize, same_truth: bool) -> &'static str {
    if !same_truth {
        "other-truth"
    } else if frame <= train {
        "train"
    } else if frame < frames {
        "eval"
    } else {
        "beyond"
    }
}

/// `scores.csv`: one row per frame and method (columns in docs/FORMATS.md).
fn scores_csv(records: &[FrameRecord], train: usize, frames: usize, same_truth: bool) -> String {
    let mut csv = String::from(
        "frame,time,horizon,method,rel_l2,correlation,energy_ratio,enstrophy_ratio,lsd,mask_active,closure_level\n",
    );
    for r in records {
        let horizon = horizon(r.frame, train, frames, same_truth);
        let mut row = |method: &str, s: FrameScores| {
            let closure = r.mask.closure_level.map_or(String::new(), |l| l.to_string());
            let _ = writeln!(
                csv,
                "{},{},{horizon},{method},{},{},{},{},{},{},{closure}",
                r.frame,
                r.time,
                s.rel_l2,
                s.correlation,
                s.energy_ratio,
                s.enstrophy_ratio,
                s.lsd,
                r.mask.used().active
            );
        };
        row("rollout", r.rollout);
        for (method, scores) in
            [("low_pass", r.low_pass), ("persistence", r.persistence), ("reconstruction", r.reconstruction)]
        {
            if let Some(s) = scores {
                row(method, s);
            }
        }
    }
    csv
}

/// The high-correlation time (first t with corr < 0.95) of each method, as JSON.
pub fn high_correlation_times(records: &[FrameRecord]) -> serde_json::Value {
    let times: Vec<f64> = records.iter().map(|r| r.time).collect();
    let hct = |pick: Pick| {
        let corr: Option<Vec<f64>> = records.iter().map(|r| pick(r).map(|s| s.correlation)).collect();
        corr.and_then(|c| high_correlation_time(&times, &c))
    };
    json!({ "rollout": hct(METHODS[0].1), "low_pass": hct(METHODS[1].1), "persistence": hct(METHODS[2].1),
            "reconstruction": hct(METHODS[3].1) })
}

/// Loads the truth `selector` (first `frames` frames) to score `model` against, checking
/// its N, and the model's decoder settings with `flags` applied and validated.
pub fn truth_for_model(
    model: &Model,
    selector: &str,
    truths: &std::path::Path,
    frames: Option<usize>,
    flags: &DecodeFlags,
) -> anyhow::Result<(TruthFrames, DecodeConfig)> {
    let input = crate::truth_input::load(selector, truths, frames)?;
    let n = model.meta.n;
    if input.truth.n() != n {
        return usage(format!("--truth {selector}: N = {}, but the model was fitted at N = {n}", input.truth.n()));
    }
    // One model step is one frame of its training truth: a truth stored at another
    // spacing would be scored at the wrong times.
    let (truth_dt, model_dt) = (input.frame_dt, model.meta.frame_dt);
    if (truth_dt - model_dt).abs() > 1e-9 * model_dt.abs().max(truth_dt.abs()) {
        return usage(format!(
            "--truth {selector}: frames are {truth_dt} time units apart, but one step of the model is {model_dt} \
             (its training truth's spacing); decode against a truth stored at the model's spacing"
        ));
    }
    let decode = flags.apply(model.meta.decode);
    if let Err(e) = decode.validate(n) {
        return usage(e.to_string());
    }
    Ok((input, decode))
}

/// Runs `dashi decode`.
pub fn run(args: DecodeArgs) -> anyhow::Result<()> {
    if args.decode_every == 0 {
        return usage("--decode-every 0: must be at least 1");
    }
    let metrics = crate::metrics::MetricsFile::check(args.common.metrics_json.clone(), args.common.force)?;
    crate::path_guard::PathGuard::new()
        .input("--model", &args.model)
        .truth(&args.truth, &args.truths)
        .output("--out", Some(&args.out))
        .output("--metrics-json", args.common.metrics_json.as_deref())
        .check()?;
    let model = crate::model_input::read(&args.model)?;
    let (input, decode) = truth_for_model(&model, &args.truth, &args.truths, args.frames, &args.decoder)?;
    let n = model.meta.n;
    let out = StagedDir::create(&args.out, "--out", args.common.force)?;
    let (mut selected, report) = crate::backend::select_announced(&args.common)?;
    let count = input.frames.len() / (n * n);
    let job = DecodeJob {
        model: &model,
        model_label: args.model.display().to_string(),
        input: &input,
        options: EvalOptions { decode_every: args.decode_every, baselines: true, reconstruction: true, decode },
        png_every: args.png_every,
        quiet: args.common.quiet,
        show_executor: true,
    };
    let mut animation =
        args.gif.then(|| FieldAnimation::new(&["truth", "decoded"], n, count.div_ceil(args.decode_every)));
    let outcome = decode_and_score(selected.exec.as_mut(), &job, &report, &out, animation.as_mut())?;
    if let Some(animation) = &animation {
        animation.write(&out.file("truth_vs_decoded.gif"), 100)?;
    }
    let summary = format!("# dashi decode\n\n{}", outcome.summary);
    std::fs::write(out.file("summary.md"), &summary).context("writing summary.md")?;
    let dir = out.finish()?;
    let DecodeOutcome { records, decode_s, same_truth, table, .. } = outcome;
    if !args.common.quiet {
        // The tables only; the whole text is in summary.md.
        println!("{table}");
        println!(
            "written to {} in {decode_s:.2} s ({} frames scored; summary in {})",
            dir.display(),
            records.len(),
            dir.join("summary.md").display()
        );
    }
    metrics.write(&crate::metrics::envelope(
        "decode",
        &[("rollout_decode", &report)],
        &report.used.precision.to_string(),
        json!({ "model": args.model.display().to_string(), "truth": args.truth, "truth_id": input.truth.meta().truth_id,
                "decode_every": args.decode_every, "residual": decode.residual, "decode_seed": decode.decode_seed,
                "tau": decode.tau, "fining_levels": decode.fining_levels, "frames": count }),
        json!({ "decode_s": decode_s }),
        json!({ "out": dir.display().to_string(), "train_transitions": model.meta.train_transitions, "same_truth": same_truth,
                "frames_scored": records.len(), "frames_per_s": records.len() as f64 / decode_s,
                "high_correlation_time": high_correlation_times(&records),
                "final": { "rollout": records.last().map(|r| r.rollout), "low_pass": records.last().and_then(|r| r.low_pass) } }),
    ))
}
