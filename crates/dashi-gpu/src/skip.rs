//! GPU tests that skip by name without an adapter — and fail instead under
//! `DASHI_REQUIRE_GPU=1` (CI installs lavapipe and sets it).

use crate::{AdapterSelection, GpuExecutor};

/// Whether `DASHI_REQUIRE_GPU` is set to a true value (`1`, `true`, `yes`).
pub fn require_gpu() -> bool {
    matches!(
        std::env::var("DASHI_REQUIRE_GPU").as_deref().map(str::to_ascii_lowercase).as_deref(),
        Ok("1" | "true" | "yes")
    )
}

/// A GPU executor for test `name` on the adapter `DASHI_ADAPTER` selects, or `None`
/// after printing `skipped: <name> (…)` when there is none. Panics (fails the test)
/// instead of skipping when `DASHI_REQUIRE_GPU=1`.
pub fn gpu_or_skip(name: &str) -> Option<GpuExecutor> {
    match GpuExecutor::new(&AdapterSelection::from_env()) {
        Ok(gpu) => Some(gpu),
        Err(e) if require_gpu() => panic!("{name}: DASHI_REQUIRE_GPU=1 but no GPU executor: {e}"),
        Err(e) => {
            eprintln!("skipped: {name} (no GPU adapter: {e})");
            None
        }
    }
}
