//! naga validation of a family's assembled WGSL module ([`Family::source`]).
//!
//! Conventions every shader follows (checked by [`crate::reflect`]):
//! * the entry point of op `name` is `fn name`, with `@workgroup_size` equal to the
//!   op's [`dashi_core::ops::Dispatch`] rule;
//! * its buffers are module-scope `var<storage, …>` named `<op>_<binding>` at
//!   `@group(0) @binding(index)`, `read` or `read_write` as the spec says, of type
//!   `array<f32>`, `array<u32>` or `array<i32>` (or `array<atomic<…>>` when written
//!   atomically, or `array<vec2<f32>>` for interleaved complex reals);
//! * its parameter block is `var<uniform> <op>_params` at binding `bindings.len()`,
//!   of the struct generated from the spec's [`dashi_core::ops::ParamsLayout`].
//!
//! Different ops of one family may reuse binding numbers: bindings are per entry
//! point, and the reflection looks only at the globals each entry point uses.

use dashi_core::ops::{ExecError, Family};

/// A parsed and validated shader family.
#[derive(Debug)]
pub struct ValidatedModule {
    /// Family name.
    pub family: String,
    /// The assembled WGSL source.
    pub source: String,
    /// The naga IR.
    pub module: naga::Module,
    /// naga's analysis (global usage per entry point).
    pub info: naga::valid::ModuleInfo,
}

/// Parses and validates WGSL `source` of `family` with naga.
pub fn validate_source(family: &str, source: String) -> Result<ValidatedModule, ExecError> {
    let err = |message: String| ExecError::Shader { family: family.to_string(), message };
    let module = naga::front::wgsl::parse_str(&source).map_err(|e| err(e.emit_to_string(&source)))?;
    let info = naga::valid::Validator::new(naga::valid::ValidationFlags::all(), naga::valid::Capabilities::empty())
        .validate(&module)
        .map_err(|e| err(e.emit_to_string(&source)))?;
    Ok(ValidatedModule { family: family.to_string(), source, module, info })
}

/// Parses and validates the assembled module of `family`.
pub fn validate(family: &Family) -> Result<ValidatedModule, ExecError> {
    validate_source(family.name, family.source())
}
