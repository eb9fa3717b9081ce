//! Adapter discovery and selection.

use crate::GpuError;
use dashi_core::ops::DeviceType;

/// Which adapter to use.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub enum AdapterSelection {
    /// Best available: discrete GPU, else integrated, else virtual, else CPU Vulkan.
    #[default]
    Best,
    /// The adapter at this index of [`list_adapters`].
    Index(usize),
    /// The first adapter whose name contains this (case-insensitive).
    Name(String),
}

impl AdapterSelection {
    /// From the `DASHI_ADAPTER` environment variable: unset or empty → [`Best`],
    /// an integer → [`Index`], anything else → [`Name`].
    ///
    /// [`Best`]: AdapterSelection::Best
    /// [`Index`]: AdapterSelection::Index
    /// [`Name`]: AdapterSelection::Name
    pub fn from_env() -> Self {
        match std::env::var("DASHI_ADAPTER") {
            Ok(v) if !v.trim().is_empty() => Self::parse(v.trim()),
            _ => AdapterSelection::Best,
        }
    }

    /// Parses an index or a name substring.
    pub fn parse(s: &str) -> Self {
        match s.parse::<usize>() {
            Ok(i) => AdapterSelection::Index(i),
            Err(_) => AdapterSelection::Name(s.to_string()),
        }
    }
}

impl std::fmt::Display for AdapterSelection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AdapterSelection::Best => f.write_str("the best available adapter"),
            AdapterSelection::Index(i) => write!(f, "adapter index {i}"),
            AdapterSelection::Name(n) => write!(f, "an adapter named like {n:?}"),
        }
    }
}

/// What an adapter says about itself.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AdapterSummary {
    /// Index in discovery order.
    pub index: usize,
    /// Adapter name.
    pub name: String,
    /// Device type (CPU Vulkan is [`DeviceType::Cpu`]).
    pub device_type: DeviceType,
    /// Graphics API backend, e.g. `Vulkan`.
    pub backend: String,
    /// Driver name and info.
    pub driver: String,
}

pub(crate) fn device_type(t: wgpu::DeviceType) -> DeviceType {
    match t {
        wgpu::DeviceType::DiscreteGpu => DeviceType::DiscreteGpu,
        wgpu::DeviceType::IntegratedGpu => DeviceType::IntegratedGpu,
        wgpu::DeviceType::VirtualGpu => DeviceType::VirtualGpu,
        wgpu::DeviceType::Cpu => DeviceType::Cpu,
        wgpu::DeviceType::Other => DeviceType::Other,
    }
}

fn summary(index: usize, a: &wgpu::Adapter) -> AdapterSummary {
    let info = a.get_info();
    AdapterSummary {
        index,
        name: info.name.clone(),
        device_type: device_type(info.device_type),
        backend: format!("{:?}", info.backend),
        driver: format!("{} {}", info.driver, info.driver_info).trim().to_string(),
    }
}

pub(crate) fn instance() -> wgpu::Instance {
    let mut desc = wgpu::InstanceDescriptor::new_without_display_handle_from_env();
    desc.backends = wgpu::Backends::VULKAN;
    wgpu::Instance::new(desc)
}

pub(crate) fn adapters(instance: &wgpu::Instance) -> Vec<wgpu::Adapter> {
    pollster::block_on(instance.enumerate_adapters(wgpu::Backends::VULKAN))
}

/// All Vulkan adapters wgpu can see, in discovery order.
pub fn list_adapters() -> Vec<AdapterSummary> {
    adapters(&instance()).iter().enumerate().map(|(i, a)| summary(i, a)).collect()
}

fn rank(t: DeviceType) -> u8 {
    match t {
        DeviceType::DiscreteGpu => 0,
        DeviceType::IntegratedGpu => 1,
        DeviceType::VirtualGpu => 2,
        DeviceType::Cpu => 3,
        DeviceType::Other => 4,
    }
}

/// Picks an adapter by `selection`, or a typed error listing what exists.
pub(crate) fn select(
    list: Vec<wgpu::Adapter>,
    selection: &AdapterSelection,
) -> Result<(wgpu::Adapter, AdapterSummary), GpuError> {
    let summaries: Vec<AdapterSummary> = list.iter().enumerate().map(|(i, a)| summary(i, a)).collect();
    let chosen = match selection {
        AdapterSelection::Best => summaries.iter().min_by_key(|s| (rank(s.device_type), s.index)).map(|s| s.index),
        AdapterSelection::Index(i) => summaries.get(*i).map(|s| s.index),
        AdapterSelection::Name(n) => {
            let n = n.to_lowercase();
            summaries.iter().find(|s| s.name.to_lowercase().contains(&n)).map(|s| s.index)
        }
    };
    match chosen {
        Some(i) => {
            let s = summaries[i].clone();
            Ok((list.into_iter().nth(i).expect("index from the same list"), s))
        }
        None => Err(GpuError::NoAdapter {
            requested: selection.to_string(),
            available: if summaries.is_empty() {
                "none".into()
            } else {
                summaries
                    .iter()
                    .map(|s| format!("{}: {} ({:?})", s.index, s.name, s.device_type))
                    .collect::<Vec<_>>()
                    .join(", ")
            },
        }),
    }
}
