//! Matched-compression comparison (docs/DESIGN.md §8, `cargo xtask peers --only codec`): our v4
//! codec as a per-snapshot compressor next to the decompressed fields of SZ3 and ZFP,
//! all scored by the same [`dashi_codec::Scorer`].
//!
//! ```text
//! codec_compare --truth DIR --frames a:b[:s] --peers DIR --ratios 20,50,100
//! ```
//! Prints one JSON line per (method, target ratio). Bytes stored by the v4 codec: the
//! proxy z of every frame as f32 (`frames·D·4`) plus the anchor indices once (`K·4`);
//! raw = `frames·N²·4`. For each target R the largest D with raw/stored ≥ R is used:
//! k_cut from 8 down until the low band fits, the rest of the budget as anchors
//! (mid_cut 32 or N/2 − 1). `dashi-v4` decodes with the seeded residual (the default),
//! `dashi-v4-lowpass` with `residual = none` (same bytes).

use dashi_codec::{DecodeConfig, Decoder, EncodeConfig, Encoder, ProxyLayout, Residual, Scorer};
use dashi_core::ops::{CpuExecutor, ElemType, Executor, Precision};
use dashi_les::truth::Truth;
use serde_json::{Value, json};
use std::path::PathBuf;
use std::time::Instant;

fn parse_frames(spec: &str, count: usize) -> Result<Vec<usize>, String> {
    let parts: Vec<&str> = spec.split(':').collect();
    let num = |s: &str| s.parse::<usize>().map_err(|e| format!("--frames {spec}: {e}"));
    let (a, b, s) = match parts.as_slice() {
        [a, b] => (num(a)?, num(b)?, 1),
        [a, b, s] => (num(a)?, num(b)?, num(s)?),
        _ => return Err(format!("--frames {spec}: expected a:b or a:b:s (b excluded)")),
    };
    if s == 0 || a >= b || b > count {
        return Err(format!("--frames {spec}: need a < b <= {count} and s >= 1"));
    }
    Ok((a..b).step_by(s).collect())
}

/// The encoder settings whose stored bytes — `frames·(D_low + 2K)·4` for the proxies plus
/// `K·4` for the anchor indices — fit in `budget` bytes: the largest k_cut ≤ 8 whose
/// low band fits, then as many anchors as the rest allows.
fn config_for(n: usize, frames: usize, budget: usize) -> Option<EncodeConfig> {
    let mid_cut = 32.min(n as u32 / 2 - 1);
    (1..=8u32.min(mid_cut)).rev().find_map(|k_cut| {
        let probe = ProxyLayout::new(n, &EncodeConfig { k_cut, mid_cut, topk: 0 }).ok()?;
        let low_bytes = frames * probe.dim() * 4;
        (low_bytes <= budget).then(|| {
            let topk = ((budget - low_bytes) / (8 * frames + 4)).min(probe.mid_modes().len());
            EncodeConfig { k_cut, mid_cut, topk }
        })
    })
}

fn main() {
    if let Err(e) = run() {
        eprintln!("codec_compare: {e}");
        std::process::exit(1);
    }
}

fn run() -> Result<(), String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let flag = |name: &str| args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).cloned();
    let truth_dir = PathBuf::from(flag("--truth").ok_or("--truth DIR is required")?);
    let peers_dir = flag("--peers").map(PathBuf::from);
    let ratios: Vec<f64> = flag("--ratios")
        .unwrap_or_else(|| "20,50,100".into())
        .split(',')
        .map(|r| r.parse::<f64>().map_err(|e| format!("--ratios {r}: {e}")))
        .collect::<Result<_, _>>()?;
    let truth = Truth::open(&truth_dir).map_err(|e| e.to_string())?;
    let n = truth.n();
    let n2 = n * n;
    let frames =
        parse_frames(&flag("--frames").unwrap_or_else(|| format!("0:{}", truth.frame_count())), truth.frame_count())?;
    let fields: Vec<Vec<f64>> = frames
        .iter()
        .map(|&f| truth.frame(f).expect("frame in range").iter().map(|&v| f64::from(v)).collect::<Vec<f64>>())
        .collect();
    let raw_bytes = (frames.len() * n2 * 4) as f64;
    let scorer = Scorer::new(n).map_err(|e| e.to_string())?;
    let score_all = |decoded: &[Vec<f64>]| -> Value {
        let s: Vec<_> = decoded.iter().zip(&fields).map(|(d, t)| scorer.score(d, t)).collect();
        let mean = |f: &dyn Fn(&dashi_codec::FrameScores) -> f64| s.iter().map(f).sum::<f64>() / s.len() as f64;
        json!({
            "rel_l2_mean": mean(&|x| x.rel_l2),
            "rel_l2_max": s.iter().map(|x| x.rel_l2).fold(0.0, f64::max),
            "lsd_mean": mean(&|x| x.lsd),
            "corr_mean": mean(&|x| x.correlation),
        })
    };
    let mut exec = CpuExecutor::new(Precision::F64);
    for &target in &ratios {
        let budget = (raw_bytes / target).floor() as usize;
        let Some(config) = config_for(n, frames.len(), budget) else {
            println!(
                "{}",
                json!({ "method": "dashi-v4", "target_ratio": target, "note": format!("no layout fits {budget} bytes") })
            );
            continue;
        };
        let t0 = Instant::now();
        let mut encoder = Encoder::new(&mut exec, n, &config).map_err(|e| e.to_string())?;
        let zs: Vec<Vec<f64>> =
            fields.iter().map(|f| encoder.encode(&mut exec, f)).collect::<Result<_, _>>().map_err(|e| e.to_string())?;
        // What is stored is f32.
        let zs: Vec<Vec<f64>> = zs.iter().map(|z| z.iter().map(|&v| f64::from(v as f32)).collect()).collect();
        let encode_s = t0.elapsed().as_secs_f64();
        let layout = encoder.layout().clone();
        let stored = (frames.len() * layout.dim() * 4 + layout.anchors().len() * 4) as f64;
        for (method, residual) in [("dashi-v4", Residual::Seeded), ("dashi-v4-lowpass", Residual::None)] {
            let t1 = Instant::now();
            let decode = DecodeConfig { residual, ..DecodeConfig::default() };
            let mut decoder = Decoder::new(&mut exec, &layout, &decode).map_err(|e| e.to_string())?;
            let zbuf = exec.alloc(ElemType::Real, layout.dim()).map_err(|e| e.to_string())?;
            let decoded: Vec<Vec<f64>> = zs
                .iter()
                .zip(&frames)
                .map(|(z, &f)| decoder.decode(&mut exec, zbuf, z, f as u64))
                .collect::<Result<_, _>>()
                .map_err(|e| e.to_string())?;
            let decode_s = t1.elapsed().as_secs_f64();
            let mut row = json!({
                "method": method, "target_ratio": target, "achieved_ratio": raw_bytes / stored,
                "encode_s": encode_s, "decode_s": decode_s,
                "note": format!("k_cut {} mid_cut {} K {} D {}", config.k_cut, config.mid_cut, layout.anchors().len(), layout.dim()),
            });
            row.as_object_mut().expect("object").extend(score_all(&decoded).as_object().expect("object").clone());
            println!("{row}");
        }
    }
    // Peers.
    let Some(peers_dir) = peers_dir else { return Ok(()) };
    let text =
        std::fs::read_to_string(peers_dir.join("peers.json")).map_err(|e| format!("{}: {e}", peers_dir.display()))?;
    let peers: Value = serde_json::from_str(&text).map_err(|e| e.to_string())?;
    let listed: Vec<usize> = peers["frames"]
        .as_array()
        .map(|a| a.iter().filter_map(|v| v.as_u64().map(|x| x as usize)).collect())
        .unwrap_or_default();
    if listed != frames {
        return Err(format!("peers.json frames {listed:?} differ from --frames {frames:?}"));
    }
    for entry in peers["entries"].as_array().cloned().unwrap_or_default() {
        let Some(file) = entry["file"].as_str() else { continue };
        let bytes = std::fs::read(peers_dir.join(file)).map_err(|e| format!("{file}: {e}"))?;
        if bytes.len() != frames.len() * n2 * 4 {
            return Err(format!("{file}: {} bytes, expected {}", bytes.len(), frames.len() * n2 * 4));
        }
        let values: Vec<f64> =
            bytes.chunks_exact(4).map(|c| f64::from(f32::from_le_bytes([c[0], c[1], c[2], c[3]]))).collect();
        let decoded: Vec<Vec<f64>> = values.chunks_exact(n2).map(<[f64]>::to_vec).collect();
        let mut row = json!({
            "method": entry["method"], "target_ratio": entry["target_ratio"], "achieved_ratio": entry["achieved_ratio"],
            "encode_s": entry["compress_s"], "decode_s": entry["decompress_s"], "note": entry["note"],
        });
        row.as_object_mut().expect("object").extend(score_all(&decoded).as_object().expect("object").clone());
        println!("{row}");
    }
    Ok(())
}
