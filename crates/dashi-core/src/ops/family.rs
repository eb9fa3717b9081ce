//! Shader families: one WGSL module per family of ops, owned by the crate that defines
//! the ops, assembled from shared pieces so nothing is written twice.
//!
//! The module a device compiles for a [`Family`] is, in order:
//!
//! 1. its [`WgslModule`] imports (depth first, each once: the shared helpers such as
//!    [`WGSL_CARRIER_WORDS`], [`WGSL_ORDERING`], [`WGSL_WAVENUMBER`]);
//! 2. `const` declarations of the family's [`WgslConst`]s (values defined in Rust, e.g.
//!    the code classes of a layout);
//! 3. the WGSL parameter structs of its ops, generated from their
//!    [`ParamsLayout`](super::ParamsLayout)s ([`ParamsLayout::wgsl`](super::ParamsLayout::wgsl)),
//!    each once;
//! 4. the family's own source: one `@compute` entry point per op, named as the op.
//!
//! Executors compile any family they are handed (the registry is open): the GPU
//! executor validates [`Family::source`] with naga, checks every op's entry point
//! against its spec by reflection, and caches the module by family name.

use super::OpSpec;

/// A piece of shared WGSL (helper functions, constants), imported by families.
#[derive(Debug)]
pub struct WgslModule {
    /// Name (for messages and deduplication).
    pub name: &'static str,
    /// The WGSL text.
    pub source: &'static str,
    /// Modules it needs, included before it.
    pub imports: &'static [&'static WgslModule],
}

/// A WGSL `u32` constant whose value is defined in Rust (one definition).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WgslConst {
    /// The WGSL name.
    pub name: &'static str,
    /// The value.
    pub value: u32,
}

/// A family of ops sharing one WGSL module.
#[derive(Debug)]
pub struct Family {
    /// Family name (unique across crates; the module cache key).
    pub name: &'static str,
    /// The crate that owns it (for docs).
    pub owner: &'static str,
    /// One line on what the family is, for docs/ABI.md.
    pub doc: &'static str,
    /// The family's own WGSL (entry points and private helpers).
    pub wgsl: &'static str,
    /// Shared WGSL it uses.
    pub imports: &'static [&'static WgslModule],
    /// Constants defined in Rust, declared before the source.
    pub constants: &'static [WgslConst],
    /// The ops whose entry points live in this module, in documentation order.
    pub ops: &'static [&'static OpSpec],
    /// Compiled without the device compiler's injected runtime checks (index clamping,
    /// loop bounding): the family guards every storage index against the validated
    /// parameters, indexes workgroup arrays in range by construction and bounds every
    /// loop by a parameter. Only for hot paths where the clamps cost measurable time.
    pub trusted: bool,
    /// Whether the device zeroes workgroup memory at workgroup start (WebGPU's
    /// default); `false` only where every slot read is written first in the same phase.
    pub zero_workgroup_memory: bool,
}

impl Family {
    /// The assembled WGSL module (see the module docs for the order).
    pub fn source(&self) -> String {
        let mut out = String::new();
        let mut seen: Vec<&str> = Vec::new();
        for module in self.imports {
            include(module, &mut seen, &mut out);
        }
        if !self.constants.is_empty() {
            out.push_str(&format!("// ---- constants of family `{}` (defined in Rust)\n", self.name));
            for c in self.constants {
                out.push_str(&format!("const {}: u32 = {:#x}u;\n", c.name, c.value));
            }
            out.push('\n');
        }
        out.push_str(&format!("// ---- parameter blocks of family `{}` (generated from the op specs)\n", self.name));
        let mut structs: Vec<&str> = Vec::new();
        for op in self.ops {
            if !structs.contains(&op.params.name) {
                structs.push(op.params.name);
                out.push_str(&op.params.wgsl());
                out.push('\n');
            }
        }
        out.push_str(&format!("\n// ---- family `{}`\n", self.name));
        out.push_str(self.wgsl);
        out
    }

    /// The op named `name`, if it belongs to this family.
    pub fn op(&self, name: &str) -> Option<&'static OpSpec> {
        self.ops.iter().copied().find(|op| op.name == name)
    }
}

fn include(module: &'static WgslModule, seen: &mut Vec<&'static str>, out: &mut String) {
    if seen.contains(&module.name) {
        return;
    }
    for dep in module.imports {
        include(dep, seen, out);
    }
    seen.push(module.name);
    out.push_str(&format!("// ---- shared module `{}`\n", module.name));
    out.push_str(module.source);
    out.push('\n');
}

/// Carrier bit-plane helpers: `word_count` (⌈cells/32⌉ without overflow) and
/// `wrap_coord` (periodic coordinate offset without signed arithmetic).
pub static WGSL_CARRIER_WORDS: WgslModule =
    WgslModule { name: "carrier_words", source: include_str!("wgsl/carrier_words.wgsl"), imports: &[] };

/// Ordering helpers for selections: `is_nan` (from the bit pattern) and `ranks_before`
/// (value descending, NaN last, index ascending, `NONE` last).
pub static WGSL_ORDERING: WgslModule =
    WgslModule { name: "ordering", source: include_str!("wgsl/ordering.wgsl"), imports: &[] };

/// Wavenumber helpers of full-layout spectra: `wavenumber` (signed `k = fftfreq(n)·n`),
/// `abs_wavenumber`, `signed_k` (as f32).
pub static WGSL_WAVENUMBER: WgslModule =
    WgslModule { name: "wavenumber", source: include_str!("wgsl/wavenumber.wgsl"), imports: &[] };

/// Every shared WGSL module, for validation.
pub static WGSL_MODULES: &[&WgslModule] = &[&WGSL_CARRIER_WORDS, &WGSL_ORDERING, &WGSL_WAVENUMBER];
