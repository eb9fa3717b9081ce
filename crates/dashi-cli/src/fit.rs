//! `dashi fit`: encode a truth and fit the v4 operator on its training prefix.

use crate::CommonArgs;
use crate::usage::usage;
use anyhow::Context;
use clap::Args;
use dashi_codec::{DecodeConfig, EncodeConfig, FitConfig, TrainConfig, TruthInfo, train};
use serde_json::json;
use std::path::PathBuf;
use std::time::Instant;

/// `dashi fit` flags.
#[derive(Debug, Args)]
pub struct FitArgs {
    /// Truth: a directory or a selector (latest, latest:gpu, an id or prefix).
    #[arg(long, default_value = "latest")]
    truth: String,
    /// Where selectors are resolved (the `dashi les --out` root).
    #[arg(long, default_value = "truths")]
    truths: PathBuf,
    /// Fraction of the transitions used for training (the rest is the eval horizon).
    #[arg(long, default_value_t = 0.6)]
    train_frac: f64,
    /// Low band |k| <= k-cut, stored exactly. Default: min(8, N/4).
    #[arg(long)]
    k_cut: Option<u32>,
    /// Mid band k-cut < |k| <= mid-cut, where anchors are chosen. Default: min(32, N/2 − 1).
    #[arg(long)]
    mid_cut: Option<u32>,
    /// Number of anchors (largest mid-band modes of the first frame, then frozen).
    /// Default: min(128, half the mid-band modes).
    #[arg(long)]
    topk: Option<usize>,
    /// Relative ridge λ (penalty λ·T·‖Ã‖² in standardised coordinates).
    #[arg(long, default_value_t = 1e-6)]
    ridge: f64,
    /// What the ridge pulls A towards: zero (λ‖A‖², docs/DESIGN.md §6) or identity (λ‖A − I‖²,
    /// persistence where the training data say nothing).
    #[arg(long, default_value = "zero")]
    prior: dashi_codec::Prior,
    /// Stable by construction: project A onto ‖S·A·S⁻¹‖₂ ≤ 1 in standardised coordinates,
    /// so ρ(A) ≤ 1 and no rollout of any length grows.
    #[arg(long)]
    stable: bool,
    /// Use only the first this many frames of the truth.
    #[arg(long)]
    frames: Option<usize>,
    /// Output model file (.dashi).
    #[arg(long, default_value = "model.dashi")]
    out: PathBuf,
    #[command(flatten)]
    common: CommonArgs,
}

/// Runs `dashi fit`.
pub fn run(args: FitArgs) -> anyhow::Result<()> {
    if args.out.exists() && !args.common.force {
        return usage(format!("--out {}: the file exists (use --force to overwrite it)", args.out.display()));
    }
    let metrics = crate::metrics::MetricsFile::check(args.common.metrics_json.clone(), args.common.force)?;
    crate::path_guard::PathGuard::new()
        .truth(&args.truth, &args.truths)
        .output("--out", Some(&args.out))
        .output("--metrics-json", args.common.metrics_json.as_deref())
        .check()?;
    let input = crate::truth_input::load(&args.truth, &args.truths, args.frames)?;
    let n = input.truth.n();
    let defaults = EncodeConfig::for_grid(n);
    let encode = EncodeConfig {
        k_cut: args.k_cut.unwrap_or(defaults.k_cut),
        mid_cut: args.mid_cut.unwrap_or(defaults.mid_cut),
        topk: args.topk.unwrap_or(defaults.topk),
    };
    let config = TrainConfig {
        encode,
        fit: FitConfig { train_frac: args.train_frac, ridge: args.ridge, prior: args.prior, stable: args.stable },
        decode: DecodeConfig::default(),
    };
    // Settings are checked before any work (bad values are usage errors naming the flag);
    // building the layout validates the encoder settings against N.
    if let Err(e) = config.fit.validate().and(dashi_codec::ProxyLayout::new(n, &config.encode).map(|_| ())) {
        return usage(e.to_string());
    }
    let (mut selected, report) = crate::backend::select_announced(&args.common)?;
    let meta = input.truth.meta();
    let info =
        TruthInfo { truth_id: meta.truth_id.clone(), solver_id: meta.solver_id.clone(), frame_dt: input.frame_dt };
    let count = input.frames.len() / (n * n);
    let bar = crate::progress::steps_bar(count as u64, "encode", "frames", args.common.quiet);
    let start = Instant::now();
    let model = train(selected.exec.as_mut(), n, &input.frames, &info, &config, |done| bar.set_position(done as u64))?;
    bar.finish_and_clear();
    let fit_s = start.elapsed().as_secs_f64();
    model.write(&args.out, args.common.force).with_context(|| format!("--out {}", args.out.display()))?;
    let m = &model.meta;
    if !args.common.quiet {
        println!(
            "model written to {} (truth {}, N = {n}, {count} frames, one step = one frame = {} time units)",
            args.out.display(),
            m.truth_id,
            m.frame_dt
        );
        println!(
            "  z: D = {} = 2·{} low + 4 header + 2·{} anchors  (k_cut {}, mid_cut {})",
            m.dim, m.low_modes, m.anchors, encode.k_cut, encode.mid_cut
        );
        println!("  train: {} transitions, one-step residual {:.3e}", m.train_transitions, m.train_residual);
        match m.eval_residual {
            Some(r) => {
                println!("  eval:  {} transitions, one-step residual {:.3e}", count - 1 - m.train_transitions, r)
            }
            None => println!("  eval:  no transitions left (train-frac {})", args.train_frac),
        }
        match m.spectral_radius {
            Some(r) => {
                println!(
                    "  spectral radius of A: {r:.6}{}",
                    if r > 1.0 {
                        "  (> 1: long rollouts grow; --stable bounds it by 1)"
                    } else if args.stable {
                        "  (stable fit: ≤ 1 by construction)"
                    } else {
                        ""
                    }
                )
            }
            None => println!("  spectral radius of A: not recorded"),
        }
        println!("  encode + fit: {fit_s:.2} s");
    }
    metrics.write(&crate::metrics::envelope(
        "fit",
        &[("encode", &report)],
        &report.used.precision.to_string(),
        json!({ "truth": args.truth, "truth_id": m.truth_id, "train_frac": args.train_frac, "k_cut": encode.k_cut,
                "mid_cut": encode.mid_cut, "topk": encode.topk, "ridge": args.ridge, "prior": format!("{:?}", args.prior).to_lowercase(), "stable": args.stable, "frames": count, "n": n }),
        json!({ "encode_fit_s": fit_s }),
        json!({ "model": args.out.display().to_string(), "dim": m.dim, "low_modes": m.low_modes, "anchors": m.anchors,
                "train_transitions": m.train_transitions, "train_residual": m.train_residual,
                "eval_residual": m.eval_residual, "spectral_radius": m.spectral_radius, "frame_dt": m.frame_dt }),
    ))
}
