//! `--model FILE`: a `.dashi` model written by `dashi fit`.

use crate::usage::usage;
use anyhow::Context;
use dashi_codec::Model;
use std::path::Path;

/// Reads the model at `path`; a missing file is bad usage that says how to make one.
pub fn read(path: &Path) -> anyhow::Result<Model> {
    if !path.exists() {
        return usage(format!(
            "--model {0}: no such file (write one with `dashi fit --truth <truth> --out {0}`)",
            path.display()
        ));
    }
    Model::read(path).with_context(|| format!("--model {}", path.display()))
}
