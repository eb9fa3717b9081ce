//! Output directories written whole or not at all (SPEC §0.5, §9): work goes into
//! `<out>.partial-<pid>` and is renamed to `<out>` at the end; an existing non-empty
//! `<out>` is refused without `--force` (and replaced only after the new one is complete).

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
        let mut name = target.file_name().map(|n| n.to_os_string()).unwrap_or_else(|| "out".into());
        name.push(format!(".partial-{}", std::process::id()));
        let staging = target.with_file_name(name);
        if staging.exists() {
            std::fs::remove_dir_all(&staging).with_context(|| format!("clearing {}", staging.display()))?;
        }
        std::fs::create_dir_all(&staging).with_context(|| format!("{flag}: creating {}", staging.display()))?;
        Ok(StagedDir { target: target.to_path_buf(), staging, force, done: false })
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

impl Drop for StagedDir {
    fn drop(&mut self) {
        if !self.done {
            let _ = std::fs::remove_dir_all(&self.staging);
        }
    }
}
