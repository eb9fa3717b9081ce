//! [`OpSpec`] and its parts: the declarative description of a KernelOp.

use super::{CpuKernel, ExecError, Family, ParamsLayout};

/// Whether a binding is read or written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Access {
    /// `var<storage, read>`.
    Read,
    /// `var<storage, read_write>` (the op writes it, possibly reading it too).
    ReadWrite,
}

/// Element type of a buffer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ElemType {
    /// The executor's real type (f32 on the device; f64 or f32 on the CPU).
    Real,
    /// `u32` (indices, carrier bit-plane words).
    U32,
    /// `i32` (signed counts).
    I32,
}

/// Type of a parameter field.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ParamType {
    /// `u32`.
    U32,
    /// `f32`.
    F32,
}

/// One named 4-byte field of a parameter block, at `4 · position`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ParamField {
    /// Field name (as in the WGSL struct).
    pub name: &'static str,
    /// Field type.
    pub ty: ParamType,
}

/// Minimum length of a binding, from the parameters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LenRule {
    /// The product of the named `u32` parameters.
    Product(&'static [&'static str]),
    /// `⌈p/32⌉` words for the product `p` of the named parameters (carrier planes).
    Words(&'static [&'static str]),
    /// `2·p` reals for the product `p` of the named parameters: `p` complex numbers
    /// stored interleaved `(re, im)`.
    Complex(&'static [&'static str]),
    /// A fixed length.
    Fixed(usize),
}

impl LenRule {
    /// Evaluates the rule, saturating at `usize::MAX` (a huge parameter then fails the
    /// buffer-length check instead of overflowing).
    pub fn eval(&self, params: &Params<'_>) -> usize {
        let product = |names: &[&str]| names.iter().fold(1usize, |acc, n| acc.saturating_mul(params.u32(n) as usize));
        match self {
            LenRule::Product(names) => product(names),
            LenRule::Words(names) => product(names).div_ceil(32),
            LenRule::Complex(names) => product(names).saturating_mul(2),
            LenRule::Fixed(n) => *n,
        }
    }

    /// The rule as text, e.g. `rows·cols` or `⌈n/32⌉`.
    pub fn describe(&self) -> String {
        match self {
            LenRule::Product(names) => names.join("·"),
            LenRule::Words(names) => format!("⌈{}/32⌉", names.join("·")),
            LenRule::Complex(names) => format!("2·{}", names.join("·")),
            LenRule::Fixed(n) => n.to_string(),
        }
    }
}

/// One buffer binding of an op (`@group(0) @binding(index)`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Binding {
    /// Binding index (the parameter block is at index `bindings.len()`).
    pub index: u32,
    /// Name (as in the WGSL declaration).
    pub name: &'static str,
    /// Read or read-write.
    pub access: Access,
    /// Element type.
    pub elem: ElemType,
    /// Minimum length.
    pub len: LenRule,
}

/// How many workgroups a dispatch launches.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Dispatch {
    /// One invocation per element of `count`, in workgroups of `workgroup` along x.
    Threads {
        /// Invocations needed.
        count: LenRule,
        /// Workgroup size along x.
        workgroup: u32,
    },
    /// A 2D grid of invocations `x × y` in workgroups of `wx × wy`.
    Grid {
        /// Invocations along x.
        x: LenRule,
        /// Invocations along y.
        y: LenRule,
        /// Workgroup size along x.
        wx: u32,
        /// Workgroup size along y.
        wy: u32,
    },
    /// A 2D grid where each workgroup of `wx × wy` invocations covers a tile of
    /// `tile_x × tile_y` elements of an `x × y` problem (register tiling).
    Tiled {
        /// Elements along x.
        x: LenRule,
        /// Elements along y.
        y: LenRule,
        /// Elements per workgroup along x.
        tile_x: u32,
        /// Elements per workgroup along y.
        tile_y: u32,
        /// Workgroup size along x.
        wx: u32,
        /// Workgroup size along y.
        wy: u32,
    },
    /// A single workgroup of `workgroup` invocations that loops over the problem.
    Single {
        /// Workgroup size.
        workgroup: u32,
    },
}

impl Dispatch {
    /// Workgroup counts `[x, y, z]` for `params` (each ≥ 1 once [`OpSpec::check`] passed).
    pub fn workgroups(&self, params: &Params<'_>) -> [u32; 3] {
        match self {
            Dispatch::Threads { count, workgroup } => [count.eval(params).div_ceil(*workgroup as usize) as u32, 1, 1],
            Dispatch::Grid { x, y, wx, wy } => {
                [x.eval(params).div_ceil(*wx as usize) as u32, y.eval(params).div_ceil(*wy as usize) as u32, 1]
            }
            Dispatch::Tiled { x, y, tile_x, tile_y, .. } => {
                [x.eval(params).div_ceil(*tile_x as usize) as u32, y.eval(params).div_ceil(*tile_y as usize) as u32, 1]
            }
            Dispatch::Single { .. } => [1, 1, 1],
        }
    }
}

/// A parameter block read through its spec.
#[derive(Clone, Copy, Debug)]
pub struct Params<'a> {
    spec: &'a OpSpec,
    bytes: &'a [u8],
}

impl<'a> Params<'a> {
    /// Views `bytes` as the parameter block of `spec` (size already checked).
    pub fn new(spec: &'a OpSpec, bytes: &'a [u8]) -> Self {
        Params { spec, bytes }
    }

    fn word(&self, name: &str) -> [u8; 4] {
        let pos = self
            .spec
            .params
            .fields
            .iter()
            .position(|f| f.name == name)
            .unwrap_or_else(|| panic!("op {} has no parameter {name}", self.spec.name));
        self.bytes[4 * pos..4 * pos + 4].try_into().expect("4 bytes")
    }

    /// The `u32` field `name`.
    pub fn u32(&self, name: &str) -> u32 {
        u32::from_le_bytes(self.word(name))
    }

    /// The `f32` field `name`.
    pub fn f32(&self, name: &str) -> f32 {
        f32::from_le_bytes(self.word(name))
    }
}

/// A bound buffer as the validator sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BufferDesc {
    /// Buffer id (for aliasing checks).
    pub id: u32,
    /// Element type.
    pub elem: ElemType,
    /// Length in elements.
    pub len: usize,
}

/// Pipeline-overridable constants of a shader entry point, chosen per parameter block
/// (e.g. one specialised FFT pipeline per length and radix); unused slots are `("", 0)`.
pub type Overrides = [(&'static str, u32); 4];

/// The declarative description of one KernelOp, and its behaviour: the CPU kernel (f64
/// and f32) and the shader family whose entry point `name` runs it on a device.
///
/// Specs are built by [`crate::kernel_op!`] into a typed [`super::Op`], which checks at
/// compile time that the bindings, parameter names and parameter type agree.
#[derive(Debug)]
pub struct OpSpec {
    /// Op name (also the WGSL entry point).
    pub name: &'static str,
    /// The shader family (WGSL module) holding the op's entry point.
    pub family: &'static Family,
    /// One-line definition with the formula.
    pub summary: &'static str,
    /// Buffer bindings, in index order `0 … len−1`.
    pub bindings: &'static [Binding],
    /// The parameter block's layout (the block is bound at index `bindings.len()`).
    pub params: &'static ParamsLayout,
    /// Parameters that are sizes and must be ≥ 1.
    pub sizes: &'static [&'static str],
    /// Dispatch rule.
    pub dispatch: Dispatch,
    /// Op-specific parameter domain check (beyond sizes ≥ 1), on the raw block (the
    /// typed check, erased by [`crate::kernel_op!`]).
    pub domain: fn(&[u8]) -> Result<(), String>,
    /// The CPU reference kernel.
    pub cpu: CpuKernel,
    /// Pipeline constants to specialise the device pipeline with, per parameter block
    /// (`None`: one generic pipeline).
    pub overrides: Option<fn(&[u8]) -> Overrides>,
}

impl PartialEq for OpSpec {
    /// Specs are identities: equal when they are the same static.
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self, other)
    }
}

impl Eq for OpSpec {}

impl OpSpec {
    /// Validates a dispatch: parameter block size, binding count and types, buffer
    /// lengths against the rules, non-zero sizes, aliasing, and the op's domain.
    /// Returns the workgroup counts.
    pub fn check(&self, params: &[u8], buffers: &[BufferDesc]) -> Result<[u32; 3], ExecError> {
        let op = self.name;
        if params.len() != self.params.size {
            return Err(ExecError::ParamsSize { op, expected: self.params.size, found: params.len() });
        }
        if buffers.len() != self.bindings.len() {
            return Err(ExecError::BindingCount { op, expected: self.bindings.len(), found: buffers.len() });
        }
        let p = Params::new(self, params);
        for &param in self.sizes {
            if p.u32(param) == 0 {
                return Err(ExecError::ZeroSize { op, param });
            }
        }
        (self.domain)(params).map_err(|message| ExecError::InvalidParams { op, message })?;
        for (b, desc) in self.bindings.iter().zip(buffers) {
            if b.elem != desc.elem {
                return Err(ExecError::ElemType {
                    op,
                    binding: b.index,
                    name: b.name,
                    expected: b.elem,
                    found: desc.elem,
                });
            }
            let required = b.len.eval(&p);
            if desc.len < required {
                return Err(ExecError::BufferTooSmall {
                    op,
                    binding: b.index,
                    name: b.name,
                    required,
                    found: desc.len,
                });
            }
        }
        for (i, (bi, di)) in self.bindings.iter().zip(buffers).enumerate() {
            for (bj, dj) in self.bindings.iter().zip(buffers).skip(i + 1) {
                let writes = bi.access == Access::ReadWrite || bj.access == Access::ReadWrite;
                if di.id == dj.id && writes {
                    return Err(ExecError::Aliased { op, buffer: di.id, first: bi.name, second: bj.name });
                }
            }
        }
        let groups = self.dispatch.workgroups(&p);
        debug_assert!(groups.iter().all(|&g| g >= 1), "sizes >= 1 imply non-empty dispatch");
        Ok(groups)
    }
}

/// A [`Binding`] (for spec tables: `binding(0, "x", Read, Real, Product(&["n"]))`).
pub const fn binding(index: u32, name: &'static str, access: Access, elem: ElemType, len: LenRule) -> Binding {
    Binding { index, name, access, elem, len }
}
