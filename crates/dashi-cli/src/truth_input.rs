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

/// Resolves and opens `selector` with its frames left on disk (read and checked when a
/// command reads them: [`Truth::frame`]), for commands that need one frame or none.
pub fn open(selector: &str, root: &Path) -> anyhow::Result<Truth> {
    let dir = resolve_dir(selector, root)?;
    Truth::open_lazy(&dir).with_context(|| format!("--truth {selector}: reading {}", dir.display()))
}

/// Frame `i` of `truth` as f64.
pub fn frame_f64(truth: &Truth, i: usize) -> anyhow::Result<Vec<f64>> {
    let frame = truth.frame(i).with_context(|| format!("reading frame {i} of {}", truth.dir().display()))?;
    Ok(frame.iter().map(|&v| f64::from(v)).collect())
}

/// Resolves and loads `selector`; `max_frames` keeps the first frames only.
pub fn load(selector: &str, root: &Path, max_frames: Option<usize>) -> anyhow::Result<TruthFrames> {
    let dir = resolve_dir(selector, root)?;
    let truth = Truth::open_lazy(&dir).with_context(|| format!("--truth {selector}: reading {}", dir.display()))?;
    let n = truth.n();
    let count = max_frames.map_or(truth.frame_count(), |m| m.min(truth.frame_count()));
    if count < 2 {
        anyhow::bail!("--truth {selector}: {} frame(s); at least 2 are needed", truth.frame_count());
    }
    // The f64 copy is reserved fallibly before the f32 frames are read: a truth larger
    // than memory is an error that says so, never an abort.
    let values = count * n * n;
    let mut frames: Vec<f64> = Vec::new();
    if frames.try_reserve_exact(values).is_err() {
        anyhow::bail!(
            "--truth {selector}: {count} frames of {n}×{n} need {:.1} GB as f64, more than can be allocated here; \
             use --frames to read fewer",
            values as f64 * 12.0 / 1e9
        );
    }
    // Read in chunks so that the f32 copy never exceeds a few frames.
    for start in (0..count).step_by(16) {
        let stored = truth
            .frames(start..(start + 16).min(count))
            .with_context(|| format!("--truth {selector}: reading {}", dir.display()))?;
        frames.extend(stored.iter().map(|&v| f64::from(v)));
    }
    // Truth::open_lazy has checked that the times increase strictly.
    let times = truth.times();
    let frame_dt = times[1] - times[0];
    Ok(TruthFrames { truth, frames, frame_dt })
}
