//! Backend selection with an honest report (docs/DESIGN.md §0: no silent fallback).
//!
//! `auto` takes a hardware GPU adapter when one exists. A software Vulkan adapter
//! (llvmpipe/lavapipe, device type CPU) runs the f32 shaders slower than the CPU
//! executor runs f64, so `auto` passes it over — and says so in the report's note;
//! `--backend gpu` (or `DASHI_ADAPTER`) uses it.

use crate::CommonArgs;
use crate::usage::usage;
use anyhow::Context;
use dashi_core::ops::{Backend, DeviceType, Executor};
use dashi_gpu::{AdapterSelection, BackendReport, BackendRequest, executor_for, list_adapters};

/// An executor and what it is.
pub struct Selected {
    /// The executor.
    pub exec: Box<dyn Executor>,
    /// Requested vs used.
    pub report: BackendReport,
}

/// Whether the report's device is a GPU adapter (hardware or software Vulkan).
pub fn is_gpu(report: &BackendReport) -> bool {
    report.used.backend != Backend::Cpu
}

/// The executor for `common.backend`, honouring `--require-gpu`.
pub fn select(common: &CommonArgs) -> anyhow::Result<Selected> {
    if common.require_gpu && common.backend == BackendRequest::Cpu {
        return usage("--require-gpu contradicts --backend cpu");
    }
    let selection = AdapterSelection::from_env();
    let explicit = std::env::var("DASHI_ADAPTER").is_ok_and(|v| !v.trim().is_empty());
    let (exec, report) = match common.backend {
        BackendRequest::Auto if !explicit && !common.require_gpu => {
            let adapters = list_adapters();
            if adapters.iter().any(|a| a.device_type != DeviceType::Cpu) {
                let (exec, mut report) = executor_for(BackendRequest::Gpu, &selection)
                    .context("creating the GPU executor for --backend auto")?;
                report.requested = BackendRequest::Auto;
                (exec, report)
            } else {
                let note = if adapters.is_empty() {
                    "no Vulkan adapter".to_string()
                } else {
                    let names: Vec<&str> = adapters.iter().map(|a| a.name.as_str()).collect();
                    format!("only software Vulkan ({}); --backend gpu uses it", names.join(", "))
                };
                let (exec, mut report) = executor_for(BackendRequest::Cpu, &selection)?;
                report.requested = BackendRequest::Auto;
                report.note = Some(note);
                (exec, report)
            }
        }
        request => executor_for(request, &selection).with_context(|| format!("--backend {request}"))?,
    };
    if common.require_gpu && !is_gpu(&report) {
        anyhow::bail!("--require-gpu: the work would run on {} ({report})", report.used.device_name);
    }
    let mut exec = exec;
    // Production runs: no per-pass timestamp queries (our timings are wall clock).
    exec.set_device_timing(false);
    Ok(Selected { exec, report })
}

/// [`select`], with the backend report printed to stderr unless `--quiet`; returns the
/// selection and a copy of its report.
pub fn select_announced(common: &CommonArgs) -> anyhow::Result<(Selected, BackendReport)> {
    let selected = select(common)?;
    if !common.quiet {
        eprintln!("{}", selected.report);
    }
    let report = selected.report.clone();
    Ok((selected, report))
}

/// The report as JSON (metrics files).
pub fn report_json(report: &BackendReport) -> serde_json::Value {
    serde_json::json!({
        "requested": report.requested.to_string(),
        "used": report.used.backend.to_string(),
        "device": report.used.device_name,
        "device_type": format!("{:?}", report.used.device_type),
        "driver": report.used.driver,
        "precision": report.used.precision.to_string(),
        "note": report.note,
    })
}
