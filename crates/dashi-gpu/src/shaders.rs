//! The WGSL sources, one file per op family, and their naga validation.
//!
//! Conventions every shader follows (checked by [`crate::reflect`]):
//! * the entry point of op `name` is `fn name`, with `@workgroup_size` equal to the
//!   op's [`dashi_core::ops::Dispatch`] rule;
//! * its buffers are module-scope `var<storage, …>` named `<op>_<binding>` at
//!   `@group(0) @binding(index)`, `read` or `read_write` as the spec says, of type
//!   `array<f32>`, `array<u32>` or `array<i32>` (or `array<atomic<…>>` when written
//!   atomically, or `array<vec2<f32>>` for interleaved complex reals);
//! * its parameter block is `var<uniform> <op>_params` at binding `bindings.len()`,
//!   a struct whose members are the spec's parameters in order (4 bytes each) plus
//!   padding to the spec's size.
//!
//! Different ops of one family may reuse binding numbers: bindings are per entry
//! point, and the reflection looks only at the globals each entry point uses.

use crate::GpuError;

/// `(family, WGSL source)` for every shader file.
pub const FAMILIES: &[(&str, &str)] = &[
    ("elementwise", include_str!("../shaders/elementwise.wgsl")),
    ("linear", include_str!("../shaders/linear.wgsl")),
    ("reduce", include_str!("../shaders/reduce.wgsl")),
    ("select", include_str!("../shaders/select.wgsl")),
    ("gather", include_str!("../shaders/gather.wgsl")),
    ("carrier", include_str!("../shaders/carrier.wgsl")),
    ("fft", include_str!("../shaders/fft.wgsl")),
    ("spectral", include_str!("../shaders/spectral.wgsl")),
    ("vorticity", include_str!("../shaders/vorticity.wgsl")),
    ("codec", include_str!("../shaders/codec.wgsl")),
    ("atoms", include_str!("../shaders/atoms.wgsl")),
];

/// Families compiled without wgpu's injected runtime checks (index clamping, loop
/// bounding) — the hot rollout and FFT paths, where the clamps cost measurable time
/// (see docs/BENCHMARKS.md). Every shader in them guards its storage-buffer indices
/// explicitly against the parameter block, the host checks every buffer against the
/// OpSpec length rules before each dispatch, workgroup-array indices are in range by
/// construction, and every loop is bounded by a parameter; Vulkan's robust buffer
/// access stays enabled underneath. The parity tests poison buffer tails to catch any
/// out-of-range write.
pub const TRUSTED_FAMILIES: &[&str] = &["linear", "fft"];

/// Families whose workgroup memory is not zeroed at workgroup start (wgpu does it by
/// default, as WebGPU requires): `fft` writes every workgroup slot it reads in the same
/// exchange phase (a permutation of the tile), so the zeroing was pure overhead.
pub const NO_ZERO_INIT_FAMILIES: &[&str] = &["fft"];

/// Pipeline-overridable constants to specialise `op`'s pipeline with for the parameter
/// block `params`, or `None` for the one generic pipeline. `fft_step` gets one pipeline
/// per `(n, axis, radix)` (at most 9·2·9), so the driver compiles each Stockham step
/// with its loop counts and shifts known; column steps of radix ≥ [`FFT_WIDE_MIN_RADIX`]
/// take the wide (8192-value) tiles of `fft.wgsl`.
pub fn specialization(op: &dashi_core::ops::OpSpec, params: &[u8]) -> Option<[(&'static str, u32); 4]> {
    if op.name != dashi_core::ops::FFT_STEP.name || params.len() < 16 {
        return None;
    }
    let word = |i: usize| u32::from_le_bytes([params[4 * i], params[4 * i + 1], params[4 * i + 2], params[4 * i + 3]]);
    let (n, axis, radix) = (word(0), word(2), word(3));
    let wide = u32::from(axis == 1 && radix >= FFT_WIDE_MIN_RADIX);
    Some([("FFT_SPEC_N", n), ("FFT_SPEC_AXIS", axis), ("FFT_SPEC_RADIX", radix), ("FFT_SPEC_WIDE", wide)])
}

/// Smallest column-step radix that runs on wide tiles (see `fft.wgsl`): at n = 2048 the
/// one-step column pass on 4 columns per tile took 103 µs where the two-step split
/// took 59 + 58 µs; at radix 1024 (8 columns per tile instead of 4) the wide tiles
/// were slower, 85.8 vs 72.3 µs (H100, same run, docs/BENCHMARKS.md).
pub const FFT_WIDE_MIN_RADIX: u32 = 2048;

/// The WGSL source of a family.
pub fn source(family: &str) -> Option<&'static str> {
    FAMILIES.iter().find(|(f, _)| *f == family).map(|(_, s)| *s)
}

/// A parsed and validated shader family.
#[derive(Debug)]
pub struct ValidatedModule {
    /// Family name.
    pub family: String,
    /// The naga IR.
    pub module: naga::Module,
    /// naga's analysis (global usage per entry point).
    pub info: naga::valid::ModuleInfo,
}

/// Parses and validates WGSL `source` of `family` with naga.
pub fn validate_source(family: &str, source: &str) -> Result<ValidatedModule, GpuError> {
    let err = |message: String| GpuError::Shader { family: family.to_string(), message };
    let module = naga::front::wgsl::parse_str(source).map_err(|e| err(e.emit_to_string(source)))?;
    let info = naga::valid::Validator::new(naga::valid::ValidationFlags::all(), naga::valid::Capabilities::empty())
        .validate(&module)
        .map_err(|e| err(e.emit_to_string(source)))?;
    Ok(ValidatedModule { family: family.to_string(), module, info })
}

/// Parses and validates a built-in family.
pub fn validate(family: &str) -> Result<ValidatedModule, GpuError> {
    let src = source(family)
        .ok_or_else(|| GpuError::Shader { family: family.into(), message: "no such shader family".into() })?;
    validate_source(family, src)
}
