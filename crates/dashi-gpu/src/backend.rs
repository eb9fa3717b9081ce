//! Backend requests and the honest report of what ran (docs/DESIGN.md §0 rule 1: no silent
//! fallback).

use crate::{AdapterSelection, GpuError, GpuExecutor};
use dashi_core::ops::{CpuExecutor, DeviceInfo, DeviceType, Executor, Precision};
use std::fmt;

/// What the user asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BackendRequest {
    /// The CPU reference executor (f64).
    Cpu,
    /// A Vulkan adapter; its absence is an error.
    Gpu,
    /// A Vulkan adapter if one exists, else the CPU — and the report says which.
    Auto,
}

impl fmt::Display for BackendRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            BackendRequest::Cpu => "cpu",
            BackendRequest::Gpu => "gpu",
            BackendRequest::Auto => "auto",
        })
    }
}

impl std::str::FromStr for BackendRequest {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "cpu" => Ok(BackendRequest::Cpu),
            "gpu" => Ok(BackendRequest::Gpu),
            "auto" => Ok(BackendRequest::Auto),
            other => Err(format!("unknown backend {other:?} (expected cpu, gpu or auto)")),
        }
    }
}

/// Backend requested and used for one stage, with the device.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BackendReport {
    /// What was asked for.
    pub requested: BackendRequest,
    /// The device that runs the ops (backend, name, type, driver, precision).
    pub used: DeviceInfo,
    /// Why `auto` ended on the CPU, if it did.
    pub note: Option<String>,
}

impl fmt::Display for BackendReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self.used.device_type {
            DeviceType::Cpu => "CPU",
            DeviceType::DiscreteGpu => "discrete GPU",
            DeviceType::IntegratedGpu => "integrated GPU",
            DeviceType::VirtualGpu => "virtual GPU",
            DeviceType::Other => "other device",
        };
        write!(
            f,
            "backend requested {}, used {} on {} ({kind}, {}, {})",
            self.requested, self.used.backend, self.used.device_name, self.used.driver, self.used.precision
        )?;
        if let Some(note) = &self.note {
            write!(f, " [{note}]")?;
        }
        Ok(())
    }
}

/// An executor for `request`. `Gpu` with no matching adapter (see `DASHI_ADAPTER`)
/// is an error; `Auto` falls back to the CPU only with a note in the report.
pub fn executor_for(
    request: BackendRequest,
    selection: &AdapterSelection,
) -> Result<(Box<dyn Executor>, BackendReport), GpuError> {
    let cpu = |note: Option<String>| {
        let exec = CpuExecutor::new(Precision::F64);
        let used = exec.device().clone();
        (Box::new(exec) as Box<dyn Executor>, BackendReport { requested: request, used, note })
    };
    match request {
        BackendRequest::Cpu => Ok(cpu(None)),
        BackendRequest::Gpu => {
            let exec = GpuExecutor::new(selection)?;
            let used = exec.device().clone();
            Ok((Box::new(exec), BackendReport { requested: request, used, note: None }))
        }
        BackendRequest::Auto => match GpuExecutor::new(selection) {
            Ok(exec) => {
                let used = exec.device().clone();
                Ok((Box::new(exec), BackendReport { requested: request, used, note: None }))
            }
            Err(e) => Ok(cpu(Some(format!("no GPU: {e}")))),
        },
    }
}
