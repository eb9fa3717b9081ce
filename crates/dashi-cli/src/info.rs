//! `dashi info`: the adapters wgpu finds, the one `--backend auto` picks, and the
//! chosen GPU's features and limits.

use crate::CommonArgs;
use clap::Args;
use dashi_gpu::{AdapterSelection, GpuExecutor, list_adapters};
use serde_json::json;

/// `dashi info` flags.
#[derive(Debug, Args)]
pub struct InfoArgs {
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    common: CommonArgs,
}

/// Runs `dashi info`.
pub fn run(args: InfoArgs) -> anyhow::Result<()> {
    let metrics = crate::metrics::MetricsFile::check(args.common.metrics_json.clone(), args.common.force)?;
    let adapters = list_adapters();
    let selected = crate::backend::select(&args.common)?;
    let selection = AdapterSelection::from_env();
    let gpu = if crate::backend::is_gpu(&selected.report) { GpuExecutor::new(&selection).ok() } else { None };
    let limits = gpu.as_ref().map(|g| {
        let l = g.limits();
        json!({
            "max_buffer_size": l.max_buffer_size,
            "max_storage_buffer_binding_size": l.max_storage_buffer_binding_size,
            "max_compute_workgroups_per_dimension": l.max_compute_workgroups_per_dimension,
            "max_compute_invocations_per_workgroup": l.max_compute_invocations_per_workgroup,
            "max_compute_workgroup_storage_size": l.max_compute_workgroup_storage_size,
        })
    });
    let timestamps = gpu.as_ref().map(|g| g.has_timestamps());
    let listed: Vec<_> = adapters
        .iter()
        .map(|a| {
            json!({
                "index": a.index, "name": a.name, "device_type": format!("{:?}", a.device_type),
                "backend": a.backend, "driver": a.driver,
            })
        })
        .collect();
    let results = json!({
        "adapters": listed,
        "selection": selection.to_string(),
        "chosen": crate::backend::report_json(&selected.report),
        "timestamp_queries": timestamps,
        "limits": limits,
        "cpu_threads": rayon_threads(),
    });
    if args.json {
        println!("{}", serde_json::to_string_pretty(&results)?);
    } else if !args.common.quiet {
        println!("adapters ({}):", adapters.len());
        for a in &adapters {
            println!("  [{}] {} ({:?}, {}, {})", a.index, a.name, a.device_type, a.backend, a.driver);
        }
        if adapters.is_empty() {
            println!("  none (install a Vulkan driver, e.g. Debian's mesa-vulkan-drivers for lavapipe)");
        }
        println!("chosen: {}", selected.report);
        if let (Some(l), Some(t)) = (&limits, timestamps) {
            println!("timestamp queries: {t}");
            println!("limits: {l}");
        }
        println!("cpu executor threads: {}", rayon_threads());
    }
    let device = selected.exec.device().precision.to_string();
    metrics.write(&crate::metrics::envelope(
        "info",
        &[("info", &selected.report)],
        &device,
        json!({ "json": args.json }),
        json!({}),
        results,
    ))
}

fn rayon_threads() -> usize {
    std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1)
}
