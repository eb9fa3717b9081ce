//! Output directories written whole or not at all (docs/DESIGN.md §0 rule 5, §9): work goes into
//! `<out>.partial-<pid>` and is renamed to `<out>` at the end; an existing non-empty
//! `<out>` is refused without `--force` (and replaced only after the new one is complete).
//! A staging directory left by a killed run (its process gone) is removed by the next run.

use crate::usage::usage;
use anyhow::Context;
use std::path::{Path, PathBuf};

/// A directory being written.
#[derive(Debug)]
pub struct StagedDir {
    target: PathBuf,
    staging: PathBuf,
    force: bool,
    done: bool,
    /// Removes the staging directory on SIGINT/SIGTERM.
    _interrupt: crate::interrupt::Registration,
}

impl StagedDir {
    /// Checks `target` (flag name `flag` for errors) and creates the staging directory.
    pub fn create(target: &Path, flag: &str, force: bool) -> anyhow::Result<Self> {
        if target.exists() {
            let empty = target.is_dir() && std::fs::read_dir(target).map(|mut d| d.next().is_none()).unwrap_or(false);
            if !empty && !force {
                return usage(format!(
                    "{flag} {}: exists and is not empty (use --force to replace it)",
                    target.display()
                ));
            }
        }
        let base = target.file_name().map(|n| n.to_os_string()).unwrap_or_else(|| "out".into());
        remove_stale_staging(target, &base.to_string_lossy());
        let mut name = base;
        name.push(format!(".partial-{}", std::process::id()));
        let staging = target.with_file_name(name);
        if staging.exists() {
            std::fs::remove_dir_all(&staging).with_context(|| format!("clearing {}", staging.display()))?;
        }
        std::fs::create_dir_all(&staging).with_context(|| format!("{flag}: creating {}", staging.display()))?;
        let _interrupt = crate::interrupt::register(&staging, None);
        Ok(StagedDir { target: target.to_path_buf(), staging, force, done: false, _interrupt })
    }

    /// A file inside the staging directory.
    pub fn file(&self, name: &str) -> PathBuf {
        self.staging.join(name)
    }

    /// Moves the finished directory to its final name.
    pub fn finish(mut self) -> anyhow::Result<PathBuf> {
        if self.target.exists() {
            if !self.force && !self.target.read_dir().map(|mut d| d.next().is_none()).unwrap_or(true) {
                anyhow::bail!(
                    "{} appeared while the run was writing; the output is left in {}",
                    self.target.display(),
                    self.staging.display()
                );
            }
            std::fs::remove_dir_all(&self.target).with_context(|| format!("replacing {}", self.target.display()))?;
        }
        std::fs::rename(&self.staging, &self.target)
            .with_context(|| format!("renaming {} to {}", self.staging.display(), self.target.display()))?;
        self.done = true;
        Ok(self.target.clone())
    }
}

/// Removes `<base>.partial-<pid>` siblings of `target` left by runs that were killed
/// (SIGKILL gives no chance to clean up): on Linux, those whose process is gone.
fn remove_stale_staging(target: &Path, base: &str) {
    let parent = match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let proc_fs = Path::new("/proc/self");
    let Ok(entries) = std::fs::read_dir(parent) else { return };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name.to_string_lossy().strip_prefix(&format!("{base}.partial-")).map(str::to_owned) else {
            continue;
        };
        let alive = !proc_fs.exists() || Path::new("/proc").join(&pid).exists();
        if pid.parse::<u32>().is_ok() && !alive {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

impl Drop for StagedDir {
    fn drop(&mut self) {
        if !self.done {
            let _ = std::fs::remove_dir_all(&self.staging);
        }
    }
}
