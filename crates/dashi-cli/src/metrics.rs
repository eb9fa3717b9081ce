//! The metrics JSON every command can write (`--metrics-json`; docs/DESIGN.md §7, docs/FORMATS.md):
//!
//! ```json
//! { "command": "les", "version": "0.1.0",
//!   "backend_requested": "auto", "backend_used": { "<stage>": "cpu" | "vulkan" },
//!   "device": { "<stage>": { "device": …, "device_type": …, "driver": …, "precision": …, "note": … } },
//!   "dtype": "f64", "fft_norm": "backward",
//!   "parameters": { … }, "timings": { "<name>_s": seconds }, "results": { … } }
//! ```
//!
//! The file is checked before the work starts (an existing file without `--force` is
//! bad usage) and written atomically at the end (`dashi_core::files::write_atomically`). The same
//! rules serve other small outputs (validate's `--curves` CSV).

use crate::usage::usage;
use dashi_gpu::BackendReport;
use serde_json::{Map, Value, json};
use std::path::PathBuf;

/// Where the metrics go, checked up front.
#[derive(Debug)]
pub struct MetricsFile {
    path: Option<PathBuf>,
}

impl MetricsFile {
    /// Refuses an existing `path` unless `force`.
    pub fn check(path: Option<PathBuf>, force: bool) -> anyhow::Result<Self> {
        if let Some(p) = &path
            && p.exists()
            && !force
        {
            return usage(format!("--metrics-json {}: the file exists (use --force to overwrite it)", p.display()));
        }
        Ok(MetricsFile { path })
    }

    /// Writes `value` as pretty JSON (atomically) if a path was given.
    pub fn write(&self, value: &Value) -> anyhow::Result<()> {
        self.write_bytes((serde_json::to_string_pretty(value)? + "\n").as_bytes())
    }

    /// Writes `bytes` atomically (a uniquely named temporary sibling, then rename) if a
    /// path was given.
    pub fn write_bytes(&self, bytes: &[u8]) -> anyhow::Result<()> {
        let Some(path) = &self.path else { return Ok(()) };
        dashi_core::files::write_atomically(path, bytes)
            .map_err(|(failed, e)| anyhow::anyhow!("writing {}: {e}", failed.display()))
    }
}

/// The common envelope: `stages` names each executor used with its report.
pub fn envelope(
    command: &str,
    stages: &[(&str, &BackendReport)],
    dtype: &str,
    parameters: Value,
    timings: Value,
    results: Value,
) -> Value {
    // Commands without a compute stage (`plot`) report "none".
    let requested = stages.first().map_or_else(|| "none".to_string(), |(_, r)| r.requested.to_string());
    let used: Map<String, Value> =
        stages.iter().map(|(s, r)| (s.to_string(), json!(r.used.backend.to_string()))).collect();
    let devices: Map<String, Value> =
        stages.iter().map(|(s, r)| (s.to_string(), crate::backend::report_json(r))).collect();
    json!({
        "command": command,
        "version": env!("CARGO_PKG_VERSION"),
        "backend_requested": requested,
        "backend_used": used,
        "device": devices,
        "dtype": dtype,
        "fft_norm": "backward",
        "parameters": parameters,
        "timings": timings,
        "results": results,
    })
}
