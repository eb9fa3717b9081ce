//! ABI checks every crate that owns op families runs over its own ops: this crate's
//! `tests/ops_abi.rs` (`#[path = "common/abi.rs"]`), and the op tests of `dashi-les`,
//! `dashi-codec` and `dashi-atoms`, which include this file by path
//! (`#[path = "../../dashi-core/tests/common/abi.rs"] mod abi;`) so the checks are
//! written once.
//!
//! * [`assert_every_op_tested`] — every op of a crate's families is named by a test in
//!   the crate's op test files.
//! * [`check_spec`] — an op's [`OpSpec`] against its Rust parameter struct (layout,
//!   size, field names, types and offsets, zero padding) and the spec's own
//!   consistency (bindings, sizes, length and dispatch rules, workgroup sizes).
//! * The enqueue fuzz — [`dispatch_strategy`] and [`fuzz_dispatch`]: random ops,
//!   buffers (wrong types and lengths, aliases, freed and unknown ids) and parameter
//!   bytes; `enqueue` must never panic, must report exactly [`OpSpec::check`]'s error,
//!   and must leave every buffer untouched when it fails (read-only ones always).
#![allow(dead_code)]

use dashi_core::ops::{
    Access, BufferDesc, BufferId, CpuExecutor, Dispatch, ElemType, ExecError, Executor, Family, LenRule, OpParams,
    OpSpec, ParamType, Params, ParamsLayout,
};
use dashi_core::random::SplitMix64;
use proptest::prelude::*;
use std::collections::HashSet;
use std::panic::{AssertUnwindSafe, catch_unwind};

// ---------------------------------------------------------------------------------
// Every op has a correctness test
// ---------------------------------------------------------------------------------

/// Every op of `families` must have a correctness test: some source in `sources` (the
/// crate's op test files) holds a `#[test]` naming the op's static (`AXPY` for `axpy`).
/// Nothing lists the ops: a new op's test line is its registration here.
pub fn assert_every_op_tested(families: &[&Family], sources: &[&str]) {
    for op in families.iter().flat_map(|f| f.ops.iter()) {
        let ident = op.name.to_uppercase();
        let named = |s: &&str| {
            s.contains("#[test]")
                && s.match_indices(&ident).any(|(i, _)| {
                    let before = s[..i].chars().next_back().is_none_or(|c| !(c.is_alphanumeric() || c == '_'));
                    let after = s[i + ident.len()..].chars().next().is_none_or(|c| !(c.is_alphanumeric() || c == '_'));
                    before && after
                })
        };
        assert!(sources.iter().any(named), "op {}: no test file names {ident}; add a correctness test", op.name);
    }
}

// ---------------------------------------------------------------------------------
// OpSpec ↔ Rust parameter structs
// ---------------------------------------------------------------------------------

/// A field value of a parameter struct, as the test reads it from the struct.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum FieldValue {
    U(u32),
    F(f32),
}

/// The Rust parameter struct of an op as a test sees it: the layout the struct
/// declares, `size_of`, the bytes of a sample value and its public fields in order.
#[derive(Debug)]
pub struct ParamStruct {
    pub layout: &'static ParamsLayout,
    pub size: usize,
    pub bytes: Vec<u8>,
    pub fields: Vec<(&'static str, FieldValue)>,
}

impl ParamStruct {
    /// `value` of parameter struct `P`, with its public fields listed by hand.
    pub fn of<P: OpParams>(value: &P, fields: Vec<(&'static str, FieldValue)>) -> Self {
        ParamStruct {
            layout: P::LAYOUT,
            size: std::mem::size_of::<P>(),
            bytes: dashi_core::bytemuck::bytes_of(value).to_vec(),
            fields,
        }
    }
}

pub fn rule_names(rule: &LenRule) -> &'static [&'static str] {
    match rule {
        LenRule::Product(n) | LenRule::Words(n) | LenRule::Complex(n) => n,
        LenRule::Fixed(_) => &[],
    }
}

/// Checks `spec` against its parameter struct `s` and its own consistency.
pub fn check_spec(spec: &'static OpSpec, s: &ParamStruct) {
    let op = spec.name;
    assert!(!spec.summary.is_empty() && !spec.family.name.is_empty(), "{op}: summary and family");
    assert!(
        spec.family.op(op).is_some_and(|o| std::ptr::eq(o, spec)),
        "{op}: not listed in its family {}",
        spec.family.name
    );

    assert_eq!(spec.params.name, s.layout.name, "{op}: parameter struct name");
    assert_eq!(spec.params, s.layout, "{op}: params is not the layout of its struct");
    assert_eq!(spec.params.size, s.size, "{op}: params size vs size_of");
    assert_eq!(spec.params.size % 16, 0, "{op}: params block padded to 16 bytes");
    assert!(4 * spec.params.fields.len() <= spec.params.size, "{op}: fields fit in the block");
    let names: Vec<&str> = spec.params.fields.iter().map(|f| f.name).collect();
    let struct_names: Vec<&str> = s.fields.iter().map(|f| f.0).collect();
    assert_eq!(names, struct_names, "{op}: field list vs struct fields");
    let unique: HashSet<&str> = names.iter().copied().collect();
    assert_eq!(unique.len(), names.len(), "{op}: duplicate parameter names");
    // Each field lives at 4·position with the declared type; the rest is zero padding.
    assert_eq!(s.bytes.len(), spec.params.size, "{op}: sample bytes");
    let p = Params::new(spec, &s.bytes);
    for (f, (_, v)) in spec.params.fields.iter().zip(&s.fields) {
        match (f.ty, v) {
            (ParamType::U32, FieldValue::U(want)) => assert_eq!(p.u32(f.name), *want, "{op}.{}", f.name),
            (ParamType::F32, FieldValue::F(want)) => {
                assert_eq!(p.f32(f.name).to_bits(), want.to_bits(), "{op}.{}", f.name)
            }
            (ty, v) => panic!("{op}.{}: spec type {ty:?}, struct value {v:?}", f.name),
        }
    }
    assert!(s.bytes[4 * spec.params.fields.len()..].iter().all(|&b| b == 0), "{op}: padding is zero");

    // Bindings: indices 0..len in order, unique names.
    let mut bnames = HashSet::new();
    for (i, b) in spec.bindings.iter().enumerate() {
        assert_eq!(b.index as usize, i, "{op}: binding {} out of order", b.name);
        assert!(bnames.insert(b.name), "{op}: duplicate binding name {}", b.name);
    }
    assert!(spec.bindings.iter().any(|b| b.access == Access::ReadWrite), "{op}: writes nothing");

    // Every size, rule and dispatch name is a u32 parameter of this op.
    let is_u32 = |n: &str| spec.params.fields.iter().any(|f| f.name == n && f.ty == ParamType::U32);
    for s in spec.sizes {
        assert!(is_u32(s), "{op}: size {s} is not a u32 parameter");
        // …and bounds some buffer, so a huge size is refused as BufferTooSmall.
        assert!(spec.bindings.iter().any(|b| rule_names(&b.len).contains(s)), "{op}: size {s} bounds no buffer");
    }
    let mut used: Vec<&str> = spec.bindings.iter().flat_map(|b| rule_names(&b.len)).copied().collect();
    match spec.dispatch {
        Dispatch::Threads { count, workgroup } => {
            used.extend(rule_names(&count));
            assert!((1..=256).contains(&workgroup), "{op}: workgroup {workgroup}");
        }
        Dispatch::Grid { x, y, wx, wy } => {
            used.extend(rule_names(&x));
            used.extend(rule_names(&y));
            assert!(wx >= 1 && wy >= 1 && wx * wy <= 256, "{op}: workgroup {wx}×{wy}");
        }
        Dispatch::Tiled { x, y, tile_x, tile_y, wx, wy } => {
            used.extend(rule_names(&x));
            used.extend(rule_names(&y));
            assert!(wx >= 1 && wy >= 1 && wx * wy <= 256, "{op}: workgroup {wx}×{wy}");
            // A tile may be smaller than the workgroup: shell_spectrum reduces one shell
            // (tile 1) with 256 invocations.
            assert!(tile_x >= 1 && tile_y >= 1, "{op}: empty tile {tile_x}×{tile_y}");
        }
        Dispatch::Single { workgroup } => assert!((1..=256).contains(&workgroup), "{op}: workgroup {workgroup}"),
    }
    for n in used {
        assert!(is_u32(n), "{op}: length/dispatch rule uses {n}, not a u32 parameter");
        // A rule over a non-size parameter could evaluate to 0: every rule name is a size.
        assert!(spec.sizes.contains(&n), "{op}: rule name {n} is not in sizes (could be 0)");
    }
}

/// Checks every op of `families` with [`check_spec`] (`params_struct` maps an op name
/// to its parameter struct) and that op names are unique across them.
/// Checks every op of `families` against the Rust struct `params_struct(layout name)`.
pub fn check_specs(families: &[&Family], params_struct: impl Fn(&str) -> ParamStruct) {
    let mut op_names = HashSet::new();
    for spec in families.iter().flat_map(|f| f.ops.iter().copied()) {
        assert!(op_names.insert(spec.name), "duplicate op name {}", spec.name);
        check_spec(spec, &params_struct(spec.params.name));
    }
}

// ---------------------------------------------------------------------------------
// Fuzz: enqueue never panics
// ---------------------------------------------------------------------------------

#[derive(Clone, Debug)]
pub enum LenPlan {
    /// Exactly the length rule (when it evaluates to ≤ 4096), else a random length.
    Fit,
    /// One short of the rule.
    FitMinusOne,
    /// A random length; 0 means "try alloc(0)".
    Random(usize),
}

#[derive(Clone, Debug)]
pub enum BindPlan {
    Fresh {
        elem: Option<u8>,
        len: LenPlan,
        data: u8,
        seed: u64,
    },
    /// The same id as an earlier binding of this dispatch.
    Alias(usize),
    Freed,
    Unknown,
}

#[derive(Clone, Debug)]
pub struct DispatchPlan {
    /// Index into the op list fuzzed.
    pub op: usize,
    /// Tame the domain parameters (stencil code, radius, eta, tau, k, sizes) so that
    /// valid dispatches are common; otherwise the words are used as drawn.
    pub tame: bool,
    pub words: Vec<u32>,
    pub params_len: Option<usize>,
    pub count: Option<usize>,
    pub binds: Vec<BindPlan>,
}

fn word_strategy() -> impl Strategy<Value = u32> {
    prop_oneof![
        4 => 0u32..8,
        3 => 0u32..40,
        1 => Just(u32::MAX),
        1 => any::<u32>(),
        2 => (-4.0f32..4.0).prop_map(f32::to_bits),
    ]
}

fn bind_strategy() -> impl Strategy<Value = BindPlan> {
    let len = prop_oneof![
        4 => Just(LenPlan::Fit),
        1 => Just(LenPlan::FitMinusOne),
        3 => (0usize..70).prop_map(LenPlan::Random),
    ];
    prop_oneof![
        40 => (prop::option::weighted(0.1, 0u8..3), len, 0u8..4, any::<u64>())
            .prop_map(|(elem, len, data, seed)| BindPlan::Fresh { elem, len, data, seed }),
        1 => (0usize..8).prop_map(BindPlan::Alias),
        1 => Just(BindPlan::Freed),
        1 => Just(BindPlan::Unknown),
    ]
}

/// Plans for dispatches of one of `op_count` ops.
pub fn dispatch_strategy(op_count: usize) -> impl Strategy<Value = DispatchPlan> {
    (
        0..op_count,
        any::<bool>(),
        prop::collection::vec(word_strategy(), 12),
        prop::option::weighted(0.1, 0usize..48),
        prop::option::weighted(0.1, 0usize..7),
        prop::collection::vec(bind_strategy(), 7),
    )
        .prop_map(|(op, tame, words, params_len, count, binds)| DispatchPlan {
            op,
            tame,
            words,
            params_len,
            count,
            binds,
        })
}

#[derive(Debug, PartialEq)]
enum Snapshot {
    Real(Vec<u64>),
    U32(Vec<u32>),
    I32(Vec<i32>),
}

fn snapshot(ex: &mut CpuExecutor, id: BufferId) -> Option<Snapshot> {
    let (elem, _) = ex.buffer_desc(id).ok()?;
    Some(match elem {
        ElemType::Real => Snapshot::Real(ex.download_real(id).unwrap().iter().map(|v| v.to_bits()).collect()),
        ElemType::U32 => Snapshot::U32(ex.download_u32(id).unwrap()),
        ElemType::I32 => Snapshot::I32(ex.download_i32(id).unwrap()),
    })
}

/// How a fresh buffer is filled.
#[derive(Clone, Copy)]
struct FillPlan {
    /// 0 leaves it zero (canonical planes); 1 random; 2 canonical-looking planes; 3 small indices.
    data: u8,
    seed: u64,
    /// Shared by every buffer of one dispatch, so planes 0 and 1 pair up.
    dispatch_seed: u64,
    slot: usize,
    /// Cells of the grid (stencil ops with a well-formed params block).
    cells: Option<usize>,
}

/// Fills a fresh buffer per the plan.
fn fill(ex: &mut CpuExecutor, id: BufferId, elem: ElemType, len: usize, plan: FillPlan) {
    let FillPlan { data, seed, dispatch_seed, slot, cells } = plan;
    let mut g = SplitMix64::new(seed);
    match elem {
        ElemType::Real if data != 0 => {
            let scale = [1e-3, 1.0, 1e3][g.below(3) as usize];
            let v: Vec<f64> = (0..len).map(|_| g.normal() * scale).collect();
            ex.upload_real(id, &v).unwrap();
        }
        ElemType::U32 => {
            let v: Vec<u32> = match data {
                0 => return,
                1 => (0..len).map(|_| g.next_u64() as u32).collect(),
                // Canonical-looking plane words, tail bits past `cells` clear. Every buffer
                // of a dispatch draws from the same stream: even slots take `s` (support),
                // odd slots `s & n` (sign ⊆ support).
                2 => {
                    let mut shared = SplitMix64::new(dispatch_seed);
                    (0..len)
                        .map(|w| {
                            let (s, n) = (shared.next_u64() as u32, shared.next_u64() as u32);
                            let valid = match cells {
                                Some(c) if w * 32 >= c => 0,
                                Some(c) if (w + 1) * 32 > c => (1u32 << (c % 32)) - 1,
                                _ => u32::MAX,
                            };
                            if slot % 2 == 0 { s & valid } else { s & n & valid }
                        })
                        .collect()
                }
                _ => (0..len).map(|_| g.below(80) as u32).collect(),
            };
            ex.upload_u32(id, &v).unwrap();
        }
        ElemType::I32 => {
            let v: Vec<i32> = (0..len).map(|_| g.next_u64() as i32).collect();
            ex.upload_i32(id, &v).unwrap();
        }
        ElemType::Real => {}
    }
}

fn elem_of(code: u8) -> ElemType {
    [ElemType::Real, ElemType::U32, ElemType::I32][code as usize % 3]
}

/// Runs one planned dispatch of `ops[plan.op]` through the raw `enqueue` and checks
/// the contract: no panic, exactly `check`'s error, buffers untouched on error and
/// read-only bindings always.
pub fn fuzz_dispatch(ex: &mut CpuExecutor, ops: &[&'static OpSpec], plan: &DispatchPlan) -> Result<(), TestCaseError> {
    let op: &'static OpSpec = ops[plan.op];
    let fields = op.params.fields;
    let mut words = plan.words.clone();
    if plan.tame {
        let n = fields.iter().position(|f| f.name == "n").map(|i| words[i]);
        for (i, f) in fields.iter().enumerate() {
            let w = words[i];
            words[i] = match f.name {
                "stencil" => w & 1,
                "radius" => w % 3,
                "eta" => 1 + w % 4,
                "tau" | "alpha" => (0.05 + (w % 1000) as f32 / 400.0).to_bits(),
                "k" => w.min(n.unwrap_or(w)),
                s if op.sizes.contains(&s) && w > 40 => 1 + w % 40,
                _ => w,
            };
        }
    }
    let mut bytes: Vec<u8> = words.iter().flat_map(|w| w.to_le_bytes()).collect();
    bytes.resize(plan.params_len.unwrap_or(op.params.size), 0xA5);
    let params = (bytes.len() == op.params.size).then(|| Params::new(op, &bytes));
    let cells = params.filter(|_| fields.iter().any(|f| f.name == "width")).and_then(|p| {
        let c = u64::from(p.u32("width")) * u64::from(p.u32("height"));
        usize::try_from(c).ok()
    });
    let count = plan.count.unwrap_or(op.bindings.len());
    let mut ids: Vec<BufferId> = Vec::new();
    for (slot, bind) in plan.binds.iter().take(count).enumerate() {
        let binding = op.bindings.get(slot);
        let required = binding.zip(params).map(|(b, p)| b.len.eval(&p)).filter(|&r| r <= 4096);
        let id = match bind {
            BindPlan::Fresh { elem, len, data, seed } => {
                let elem = elem.map(elem_of).or(binding.map(|b| b.elem)).unwrap_or(ElemType::Real);
                let random = 1 + (*seed % 69) as usize;
                let len = match len {
                    LenPlan::Fit => required.unwrap_or(random),
                    LenPlan::FitMinusOne => required.map_or(random, |r| r.saturating_sub(1)),
                    LenPlan::Random(n) => *n,
                };
                let alloc = catch_unwind(AssertUnwindSafe(|| ex.alloc(elem, len)));
                prop_assert!(alloc.is_ok(), "alloc({elem:?}, {len}) panicked");
                match alloc.unwrap() {
                    Ok(id) => {
                        let dispatch_seed = u64::from(plan.words[0]) << 32 | u64::from(plan.words[1]);
                        // Tame carrier dispatches get canonical-looking planes.
                        let data = if plan.tame && op.family.name == "carrier" { 2 } else { *data };
                        fill(ex, id, elem, len, FillPlan { data, seed: *seed, dispatch_seed, slot, cells });
                        id
                    }
                    Err(e) => {
                        prop_assert_eq!(len, 0);
                        prop_assert_eq!(e, ExecError::ZeroSizedBuffer);
                        BufferId(u32::MAX - slot as u32) // never allocated
                    }
                }
            }
            BindPlan::Alias(k) => ids.get(k % ids.len().max(1)).copied().unwrap_or(BufferId(u32::MAX)),
            BindPlan::Freed => {
                let id = ex.alloc(ElemType::Real, 1).unwrap();
                ex.free(id).unwrap();
                id
            }
            BindPlan::Unknown => BufferId(1_000_000 + slot as u32),
        };
        ids.push(id);
    }

    let before: Vec<Option<Snapshot>> = ids.iter().map(|&id| snapshot(ex, id)).collect();
    let descs: Option<Vec<BufferDesc>> =
        ids.iter().map(|&id| ex.buffer_desc(id).ok().map(|(elem, len)| BufferDesc { id: id.0, elem, len })).collect();
    let expected = descs.as_ref().map(|d| op.check(&bytes, d));

    let outcome = catch_unwind(AssertUnwindSafe(|| ex.enqueue(op, &ids, &bytes)));
    prop_assert!(outcome.is_ok(), "enqueue({}) panicked: params {:?}, buffers {:?}", op.name, bytes, descs);
    let result = outcome.unwrap();
    match expected {
        None => prop_assert!(matches!(result, Err(ExecError::UnknownBuffer(_))), "{}: {:?}", op.name, result),
        Some(Err(e)) => prop_assert_eq!(&result, &Err(e), "{}: enqueue must report check's error", op.name),
        Some(Ok(_)) => prop_assert!(
            matches!(result, Ok(()) | Err(ExecError::OpFailed { .. })),
            "{}: validated dispatch returned {:?}",
            op.name,
            result
        ),
    }
    let after: Vec<Option<Snapshot>> = ids.iter().map(|&id| snapshot(ex, id)).collect();
    for (slot, (b, a)) in before.iter().zip(&after).enumerate() {
        let read_only = op.bindings.get(slot).is_some_and(|b| b.access == Access::Read)
            && !ids
                .iter()
                .enumerate()
                .any(|(j, &id)| id == ids[slot] && op.bindings.get(j).is_some_and(|b| b.access == Access::ReadWrite));
        if result.is_err() || read_only {
            prop_assert_eq!(b, a, "{}: buffer of binding {} changed ({:?})", op.name, slot, result);
        }
    }
    Ok(())
}

/// The ops of `families`, in order (what the fuzz indexes).
pub fn ops_of(families: &[&Family]) -> Vec<&'static OpSpec> {
    families.iter().flat_map(|f| f.ops.iter().copied()).collect()
}

/// A plan with every binding a fresh zero-filled buffer of the given length plan and
/// the parameter words given (the rest zero): for regression cases of the fuzz.
pub fn plain_plan(op: usize, words: &[u32], lens: &[LenPlan]) -> DispatchPlan {
    let mut w = words.to_vec();
    w.resize(12, 0);
    let mut binds: Vec<BindPlan> =
        lens.iter().map(|len| BindPlan::Fresh { elem: None, len: len.clone(), data: 0, seed: 0 }).collect();
    binds.resize(7, BindPlan::Fresh { elem: None, len: LenPlan::Fit, data: 0, seed: 0 });
    DispatchPlan { op, tame: false, words: w, params_len: None, count: None, binds }
}
