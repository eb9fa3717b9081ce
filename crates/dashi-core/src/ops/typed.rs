//! Typed ops: an [`Op<P, B>`] carries its parameter type `P` and its buffer set `B`,
//! so enqueuing an op with another op's parameter block, or with the wrong number (or,
//! for named sets, the wrong names) of buffers, does not compile.
//!
//! * [`crate::op_params!`] defines a parameter block once: the `#[repr(C)]` Pod struct
//!   (4-byte `u32`/`f32` fields, zero padding to a multiple of 16 bytes), its
//!   [`ParamsLayout`] (field table, size) and from that the WGSL struct the shaders use
//!   ([`ParamsLayout::wgsl`]).
//! * [`crate::buffer_set!`] defines a named buffer set (`NonlinearBuffers { velocity,
//!   gradient, … }`) for ops whose positional binding lists are error-prone; any op may
//!   instead take `[BufferId; K]`.
//! * [`crate::kernel_op!`] defines an op: its [`OpSpec`] with the CPU kernel and the
//!   typed domain check erased to the byte-level form executors see. [`Op::new`] checks
//!   at compile time that the binding count (and names) match `B`, and that every name
//!   used by a length rule, size list or dispatch rule is a `u32` field of `P`.
//!
//! ```
//! use dashi_core::ops::{AXPY, BufferId, CpuExecutor, ElemType, Executor, Precision, ScalarParams};
//! let mut exec = CpuExecutor::new(Precision::F64);
//! let (x, y) = (exec.alloc(ElemType::Real, 4)?, exec.alloc(ElemType::Real, 4)?);
//! exec.upload_real(x, &[1.0, 2.0, 3.0, 4.0])?;
//! AXPY.run(&mut exec, [x, y], &ScalarParams::new(4, 2.0))?;
//! assert_eq!(exec.download_real(y)?, vec![2.0, 4.0, 6.0, 8.0]);
//! # Ok::<(), dashi_core::ops::ExecError>(())
//! ```
//!
//! Another op's parameter block does not compile (the same call with `GatherParams`):
//!
//! ```compile_fail
//! use dashi_core::ops::{AXPY, CpuExecutor, ElemType, Executor, GatherParams, Precision};
//! let mut exec = CpuExecutor::new(Precision::F64);
//! let (x, y) = (exec.alloc(ElemType::Real, 4).unwrap(), exec.alloc(ElemType::Real, 4).unwrap());
//! AXPY.run(&mut exec, [x, y], &GatherParams::new(4, 4)).unwrap();
//! ```
//!
//! nor does the wrong number of buffers:
//!
//! ```compile_fail
//! use dashi_core::ops::{AXPY, CpuExecutor, ElemType, Executor, Precision, ScalarParams};
//! let mut exec = CpuExecutor::new(Precision::F64);
//! let x = exec.alloc(ElemType::Real, 4).unwrap();
//! AXPY.run(&mut exec, [x], &ScalarParams::new(4, 2.0)).unwrap();
//! ```

use super::spec::{Dispatch, LenRule, OpSpec, ParamField, ParamType};
use super::{BufferId, ExecError, Executor};
use std::marker::PhantomData;

/// The layout of a parameter block: what the executors validate against, what the
/// WGSL struct is generated from, and what docs/ABI.md lists.
#[derive(Debug, PartialEq, Eq)]
pub struct ParamsLayout {
    /// Struct name (also the WGSL struct's name).
    pub name: &'static str,
    /// Fields in order, field `i` at byte offset `4·i`.
    pub fields: &'static [ParamField],
    /// Size in bytes, a multiple of 16.
    pub size: usize,
}

impl ParamsLayout {
    /// The WGSL struct declaration, padding fields `pad0, pad1, …` included:
    /// `struct ScalarParams { n: u32, alpha: f32, pad0: u32, pad1: u32 }`.
    pub fn wgsl(&self) -> String {
        let mut members: Vec<String> = self
            .fields
            .iter()
            .map(|f| {
                let ty = match f.ty {
                    ParamType::U32 => "u32",
                    ParamType::F32 => "f32",
                };
                format!("{}: {ty}", f.name)
            })
            .collect();
        let pads = self.size / 4 - self.fields.len();
        members.extend((0..pads).map(|i| format!("pad{i}: u32")));
        format!("struct {} {{ {} }}", self.name, members.join(", "))
    }

    /// Whether `name` is one of the fields and a `u32`.
    pub const fn has_u32(&self, name: &str) -> bool {
        let mut i = 0;
        while i < self.fields.len() {
            if str_eq(self.fields[i].name, name) {
                return matches!(self.fields[i].ty, ParamType::U32);
            }
            i += 1;
        }
        false
    }
}

/// A parameter block: a Pod struct with a [`ParamsLayout`]. Implemented by
/// [`crate::op_params!`]; never by hand.
pub trait OpParams: bytemuck::Pod {
    /// The layout.
    const LAYOUT: &'static ParamsLayout;
}

mod sealed {
    pub trait Sealed {}
    impl Sealed for u32 {}
    impl Sealed for f32 {}
}

/// The two field types a parameter block may hold (sealed: `u32` and `f32`).
pub trait ParamScalar: sealed::Sealed {
    /// Its [`ParamType`].
    const TYPE: ParamType;
}

impl ParamScalar for u32 {
    const TYPE: ParamType = ParamType::U32;
}

impl ParamScalar for f32 {
    const TYPE: ParamType = ParamType::F32;
}

/// Padding words after `fields` 4-byte fields, to a multiple of 16 bytes.
pub const fn pad_words(fields: usize) -> usize {
    (4 - fields % 4) % 4
}

/// Byte-wise string equality in const context.
pub const fn str_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// The buffers of one dispatch, in binding order: `[BufferId; K]`, or a named set made
/// by [`crate::buffer_set!`].
pub trait BufferSet {
    /// Number of buffers.
    const COUNT: usize;
    /// Binding names, for named sets (checked against the spec at compile time).
    const NAMES: Option<&'static [&'static str]>;
    /// The ids in binding order.
    fn ids(&self) -> &[BufferId];
}

impl<const K: usize> BufferSet for [BufferId; K] {
    const COUNT: usize = K;
    const NAMES: Option<&'static [&'static str]> = None;
    fn ids(&self) -> &[BufferId] {
        self
    }
}

/// A typed KernelOp: the [`OpSpec`] with its parameter type `P` and buffer set `B`.
/// It dereferences to the spec.
#[derive(Debug)]
pub struct Op<P, B> {
    spec: OpSpec,
    types: PhantomData<fn(&P, &B)>,
}

impl<P, B> std::ops::Deref for Op<P, B> {
    type Target = OpSpec;
    fn deref(&self) -> &OpSpec {
        &self.spec
    }
}

const fn rule_names(rule: &LenRule) -> &'static [&'static str] {
    match rule {
        LenRule::Product(names) | LenRule::Words(names) | LenRule::Complex(names) => names,
        LenRule::Fixed(_) => &[],
    }
}

const fn check_names(layout: &ParamsLayout, names: &[&str]) {
    let mut i = 0;
    while i < names.len() {
        assert!(layout.has_u32(names[i]), "a rule names a parameter that is not a u32 field of the block");
        i += 1;
    }
}

impl<P: OpParams, B: BufferSet> Op<P, B> {
    /// Wraps `spec`, checking at compile time (when used in a `static`) that
    /// `spec.params` is `P`'s layout, that `B` has one buffer per binding (with the
    /// bindings' names, for a named set) and that every rule names `u32` fields of `P`.
    pub const fn new(spec: OpSpec) -> Self {
        assert!(str_eq(spec.params.name, P::LAYOUT.name), "spec.params is not the layout of P");
        assert!(spec.bindings.len() == B::COUNT, "the buffer set does not have one buffer per binding");
        let mut i = 0;
        while i < spec.bindings.len() {
            let b = &spec.bindings[i];
            assert!(b.index as usize == i, "bindings must be numbered 0, 1, … in order");
            if let Some(names) = B::NAMES {
                assert!(str_eq(names[i], b.name), "a named buffer set must use the bindings' names, in order");
            }
            check_names(P::LAYOUT, rule_names(&b.len));
            i += 1;
        }
        check_names(P::LAYOUT, spec.sizes);
        match &spec.dispatch {
            Dispatch::Threads { count, .. } => check_names(P::LAYOUT, rule_names(count)),
            Dispatch::Grid { x, y, .. } | Dispatch::Tiled { x, y, .. } => {
                check_names(P::LAYOUT, rule_names(x));
                check_names(P::LAYOUT, rule_names(y));
            }
            Dispatch::Single { .. } => {}
        }
        Op { spec, types: PhantomData }
    }

    /// The untyped spec (what executors see).
    pub const fn spec(&'static self) -> &'static OpSpec {
        &self.spec
    }

    /// Validates and enqueues the op on any executor, sized or `dyn`.
    pub fn run<E: Executor + ?Sized>(&'static self, exec: &mut E, buffers: B, params: &P) -> Result<(), ExecError> {
        exec.enqueue(&self.spec, buffers.ids(), bytemuck::bytes_of(params))
    }

    /// Enqueues `repeats` dispatches with the same parameters, the k-th bound to
    /// `sets[k % sets.len()]` (e.g. `[[z0, a, z1], [z1, a, z0]]` ping-pongs a state);
    /// see [`Executor::enqueue_chain`].
    pub fn chain<E: Executor + ?Sized>(
        &'static self,
        exec: &mut E,
        sets: &[B],
        params: &P,
        repeats: usize,
    ) -> Result<(), ExecError> {
        let ids: Vec<&[BufferId]> = sets.iter().map(BufferSet::ids).collect();
        exec.enqueue_chain(&self.spec, &ids, bytemuck::bytes_of(params), repeats)
    }
}

/// Defines a parameter block: a `#[repr(C)]` Pod struct of 4-byte `u32`/`f32` fields,
/// zero-padded (private `pad` field) to a multiple of 16 bytes, with its
/// [`ParamsLayout`](crate::ops::ParamsLayout). Constructors are written beside it, with
/// `..bytemuck::Zeroable::zeroed()` (or `..Default::default()`) for the padding.
///
/// ```
/// dashi_core::op_params! {
///     /// `{ n, alpha }`.
///     pub struct MyParams {
///         /// Elements.
///         pub n: u32,
///         /// Scale.
///         pub alpha: f32,
///     }
/// }
/// use dashi_core::ops::OpParams;
/// assert_eq!(MyParams::LAYOUT.size, 16);
/// assert_eq!(MyParams::LAYOUT.wgsl(), "struct MyParams { n: u32, alpha: f32, pad0: u32, pad1: u32 }");
/// ```
#[macro_export]
macro_rules! op_params {
    ($(#[$meta:meta])* $vis:vis struct $name:ident {
        $($(#[$fmeta:meta])* $fvis:vis $field:ident : $ty:ty),+ $(,)?
    }) => {
        $(#[$meta])*
        #[repr(C)]
        #[derive(Clone, Copy, Debug, Default, PartialEq)]
        $vis struct $name {
            $($(#[$fmeta])* $fvis $field: $ty,)+
            pad: [u32; $crate::ops::pad_words([$(stringify!($field)),+].len())],
        }

        // No padding bytes: `repr(C)`, every field a 4-byte `ParamScalar` (a sealed
        // trait of `u32` and `f32`), the padding an array of `u32` — checked here.
        const _: () = {
            const fn scalar<T: $crate::ops::ParamScalar>() {}
            $(scalar::<$ty>();)+
            assert!(
                ::core::mem::size_of::<$name>()
                    == 4 * ([$(stringify!($field)),+].len() + $crate::ops::pad_words([$(stringify!($field)),+].len()))
            );
        };
        // SAFETY: all-zero bytes are a valid value of every field (u32, f32).
        unsafe impl $crate::bytemuck::Zeroable for $name {}
        // SAFETY: `repr(C)` of 4-byte plain-old-data fields with no padding (checked
        // above); every bit pattern is a valid u32 or f32.
        unsafe impl $crate::bytemuck::Pod for $name {}

        impl $crate::ops::OpParams for $name {
            const LAYOUT: &'static $crate::ops::ParamsLayout = &$crate::ops::ParamsLayout {
                name: stringify!($name),
                fields: &[$($crate::ops::ParamField {
                    name: stringify!($field),
                    ty: <$ty as $crate::ops::ParamScalar>::TYPE,
                }),+],
                size: ::core::mem::size_of::<$name>(),
            };
        }
    };
}

/// Defines a named buffer set: a struct of [`BufferId`](crate::ops::BufferId)s whose
/// field names are the op's binding names in order (checked at compile time by
/// [`Op::new`](crate::ops::Op::new)).
///
/// ```
/// dashi_core::buffer_set! {
///     /// The buffers of `axpy`.
///     pub struct AxpyBuffers { x, y }
/// }
/// ```
#[macro_export]
macro_rules! buffer_set {
    ($(#[$meta:meta])* $vis:vis struct $name:ident { $($field:ident),+ $(,)? }) => {
        $(#[$meta])*
        #[repr(C)]
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        $vis struct $name {
            $(#[allow(missing_docs)] pub $field: $crate::ops::BufferId,)+
        }

        impl $crate::ops::BufferSet for $name {
            const COUNT: usize = [$(stringify!($field)),+].len();
            const NAMES: ::core::option::Option<&'static [&'static str]> = Some(&[$(stringify!($field)),+]);
            fn ids(&self) -> &[$crate::ops::BufferId] {
                // SAFETY: `repr(C)` of COUNT `BufferId`s (each a `repr(transparent)` u32)
                // has the layout of `[BufferId; COUNT]`.
                unsafe { ::core::slice::from_raw_parts(self as *const Self as *const $crate::ops::BufferId, Self::COUNT) }
            }
        }
    };
}

/// Defines a typed KernelOp as a `static`: the spec's declarative fields, its typed
/// domain check `fn(&P) -> Result<(), String>` and its CPU kernel
/// `fn<T: Real>(&P, &mut CpuIo<'_, '_, T>) -> Result<(), String>` (an identifier of a
/// generic function in scope), erased to the byte-level forms of [`OpSpec`](crate::ops::OpSpec).
/// `overrides` (optional) specialises the device pipeline per parameter block.
///
/// ```
/// use dashi_core::ops::{BufferId, CpuIo, Dispatch, ELEMENTWISE, ElemType, LenRule, LenParams, binding};
/// use dashi_core::ops::Access::{Read, ReadWrite};
/// use dashi_core::scalar::Real;
///
/// fn negate<T: Real>(p: &LenParams, io: &mut CpuIo<'_, '_, T>) -> Result<(), String> {
///     let n = p.n as usize;
///     let x = io.reals(0);
///     for (o, &v) in io.reals_mut(1)[..n].iter_mut().zip(&x[..n]) {
///         *o = -v;
///     }
///     Ok(())
/// }
///
/// dashi_core::kernel_op! {
///     /// `out = −x` (an example op; its shader would be an entry point `negate`).
///     pub static NEGATE: Op<LenParams, [BufferId; 2]> = {
///         name: "negate",
///         family: &ELEMENTWISE,
///         summary: "out[i] = −x[i]",
///         bindings: &[
///             binding(0, "x", Read, ElemType::Real, LenRule::Product(&["n"])),
///             binding(1, "out", ReadWrite, ElemType::Real, LenRule::Product(&["n"])),
///         ],
///         sizes: &["n"],
///         dispatch: Dispatch::Threads { count: LenRule::Product(&["n"]), workgroup: 256 },
///         domain: |_: &LenParams| Ok(()),
///         cpu: negate,
///     };
/// }
/// # fn main() -> Result<(), dashi_core::ops::ExecError> {
/// use dashi_core::ops::{CpuExecutor, Executor, Precision};
/// let mut exec = CpuExecutor::new(Precision::F64);
/// let (x, out) = (exec.alloc(ElemType::Real, 2)?, exec.alloc(ElemType::Real, 2)?);
/// exec.upload_real(x, &[1.0, -2.0])?;
/// NEGATE.run(&mut exec, [x, out], &LenParams::new(2))?;
/// assert_eq!(exec.download_real(out)?, vec![-1.0, 2.0]);
/// # Ok(()) }
/// ```
#[macro_export]
macro_rules! kernel_op {
    ($(#[$meta:meta])* $vis:vis static $ident:ident : Op<$params:ty, $buffers:ty> = {
        name: $name:expr,
        family: $family:expr,
        summary: $summary:expr,
        bindings: $bindings:expr,
        sizes: $sizes:expr,
        dispatch: $dispatch:expr,
        domain: $domain:expr,
        cpu: $cpu:ident
        $(, overrides: $overrides:expr)?
        $(,)?
    };) => {
        $(#[$meta])*
        $vis static $ident: $crate::ops::Op<$params, $buffers> = $crate::ops::Op::new($crate::ops::OpSpec {
            name: $name,
            family: $family,
            summary: $summary,
            bindings: $bindings,
            params: <$params as $crate::ops::OpParams>::LAYOUT,
            sizes: $sizes,
            dispatch: $dispatch,
            domain: {
                fn domain(bytes: &[u8]) -> ::core::result::Result<(), ::std::string::String> {
                    let params: $params = $crate::bytemuck::pod_read_unaligned(bytes);
                    let check: fn(&$params) -> ::core::result::Result<(), ::std::string::String> = $domain;
                    check(&params)
                }
                domain
            },
            cpu: $crate::ops::CpuKernel {
                f64: {
                    fn kernel(
                        bytes: &[u8],
                        io: &mut $crate::ops::CpuIo<'_, '_, f64>,
                    ) -> ::core::result::Result<(), ::std::string::String> {
                        let params: $params = $crate::bytemuck::pod_read_unaligned(bytes);
                        $cpu::<f64>(&params, io)
                    }
                    kernel
                },
                f32: {
                    fn kernel(
                        bytes: &[u8],
                        io: &mut $crate::ops::CpuIo<'_, '_, f32>,
                    ) -> ::core::result::Result<(), ::std::string::String> {
                        let params: $params = $crate::bytemuck::pod_read_unaligned(bytes);
                        $cpu::<f32>(&params, io)
                    }
                    kernel
                },
            },
            overrides: $crate::kernel_op!(@overrides $($overrides)?),
        });
    };
    (@overrides) => { None };
    (@overrides $overrides:expr) => { Some($overrides) };
}

/// A coefficient carried as `hi + lo` (both f32): the GPU reads `hi` (its f32 value),
/// the CPU executor reads `hi as f64 + lo as f64`, which is the f64 value to within
/// ~2⁻⁴⁸ relative — so the f64 reference is not rounded through f32.
pub fn split_f64(value: f64) -> (f32, f32) {
    let hi = value as f32;
    (hi, (value - f64::from(hi)) as f32)
}
