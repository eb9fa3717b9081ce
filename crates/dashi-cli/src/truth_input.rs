//! `--truth SEL`: a truth directory, or a manifest selector (`latest`, `latest:gpu`,
//! an id or a unique id prefix) resolved under `--truths`.

use crate::usage::usage;
use anyhow::Context;
use dashi_les::truth::{Truth, resolve};
use std::path::{Path, PathBuf};

/// A loaded truth: frames as f64, the time between frames.
pub struct TruthFrames {
    /// The truth (metadata, paths).
    pub truth: Truth,
    /// `[T][N][N]` vorticity frames.
    pub frames: Vec<f64>,
    /// Simulated time between consecutive frames.
    pub frame_dt: f64,
}

/// The directory `selector` names: itself if it holds a `meta.json`, else the manifest
/// entry it selects under `root` (bad usage naming `--truth` if none).
pub fn resolve_dir(selector: &str, root: &Path) -> anyhow::Result<PathBuf> {
    let direct = PathBuf::from(selector);
    if direct.join("meta.json").is_file() {
        return Ok(direct);
    }
    match resolve(root, selector) {
        Ok(dir) => Ok(dir),
        Err(e) => usage(format!(
            "--truth {selector}: {e} (looked in --truths {}; write a truth with `dashi les --out {}`, \
             or pass --truths DIR or a truth directory)",
            root.display(),
            root.display()
        )),
    }
}

/// Resolves and opens `selector` (frames stay f32, as stored).
pub fn open(selector: &str, root: &Path) -> anyhow::Result<Truth> {
    let dir = resolve_dir(selector, root)?;
    Truth::open(&dir).with_context(|| format!("--truth {selector}: reading {}", dir.display()))
}

/// Resolves and loads `selector`; `max_frames` keeps the first frames only.
pub fn load(selector: &str, root: &Path, max_frames: Option<usize>) -> anyhow::Result<TruthFrames> {
    let dir = resolve_dir(selector, root)?;
    let truth = Truth::open(&dir).with_context(|| format!("--truth {selector}: reading {}", dir.display()))?;
    let n = truth.n();
    let count = max_frames.map_or(truth.frame_count(), |m| m.min(truth.frame_count()));
    if count < 2 {
        anyhow::bail!("--truth {selector}: {} frame(s); at least 2 are needed", truth.frame_count());
    }
    let frames: Vec<f64> = truth.omega()[..count * n * n].iter().map(|&v| f64::from(v)).collect();
    if let Some(i) = frames.iter().position(|v| !v.is_finite()) {
        anyhow::bail!(
            "--truth {selector}: omega.npy holds a non-finite value ({}) at frame {}, cell ({}, {})",
            frames[i],
            i / (n * n),
            (i % (n * n)) / n,
            i % n
        );
    }
    let times = truth.times();
    let frame_dt = if times.len() >= 2 { times[1] - times[0] } else { 0.0 };
    if frame_dt.is_nan() || frame_dt <= 0.0 {
        anyhow::bail!(
            "--truth {selector}: t.npy does not increase (t0 = {:?}, t1 = {:?})",
            times.first(),
            times.get(1)
        );
    }
    Ok(TruthFrames { truth, frames, frame_dt })
}
