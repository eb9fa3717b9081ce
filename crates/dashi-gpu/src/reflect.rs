//! naga reflection of the WGSL against each op's [`OpSpec`]: the spec and the shader
//! cannot drift apart silently.
//!
//! For op `name` the entry point `name` must exist as a compute shader whose
//! workgroup size equals the spec's dispatch rule; the storage globals it uses must be
//! exactly the spec's bindings (index, `<op>_<binding>` name, read vs read-write
//! access, element type); and its uniform parameter block must be a struct of the
//! spec's fields in order at 4-byte offsets, of the spec's total size.
//!
//! [`check_family`] validates a family's assembled module and checks every op of it —
//! what each crate's tests run for the families it owns, without a device.

use crate::shaders::{self, ValidatedModule};
use dashi_core::ops::{Access, Dispatch, ElemType, ExecError, Family, OpSpec, ParamType};
use naga::{AddressSpace, ScalarKind, StorageAccess, TypeInner};

fn mismatch(spec: &OpSpec, message: String) -> ExecError {
    ExecError::SpecMismatch { op: spec.name.to_string(), message }
}

/// The element type of an `array<T>` / `array<atomic<T>>` storage global; an
/// `array<vec2<f32>>` counts as reals (interleaved complex values, two reals each).
fn element(module: &naga::Module, ty: naga::Handle<naga::Type>) -> Option<(ScalarKind, bool)> {
    match module.types[ty].inner {
        TypeInner::Array { base, .. } => match module.types[base].inner {
            TypeInner::Scalar(s) if s.width == 4 => Some((s.kind, false)),
            TypeInner::Atomic(s) if s.width == 4 => Some((s.kind, true)),
            TypeInner::Vector { size: naga::VectorSize::Bi, scalar }
                if scalar.width == 4 && scalar.kind == ScalarKind::Float =>
            {
                Some((ScalarKind::Float, false))
            }
            _ => None,
        },
        _ => None,
    }
}

fn expected_kind(e: ElemType) -> ScalarKind {
    match e {
        ElemType::Real => ScalarKind::Float,
        ElemType::U32 => ScalarKind::Uint,
        ElemType::I32 => ScalarKind::Sint,
    }
}

/// The workgroup size the spec's dispatch rule implies.
pub fn expected_workgroup(spec: &OpSpec) -> [u32; 3] {
    match spec.dispatch {
        Dispatch::Threads { workgroup, .. } | Dispatch::Single { workgroup } => [workgroup, 1, 1],
        Dispatch::Grid { wx, wy, .. } | Dispatch::Tiled { wx, wy, .. } => [wx, wy, 1],
    }
}

/// Checks op `spec` against its entry point in `m`.
pub fn check_op(spec: &OpSpec, m: &ValidatedModule) -> Result<(), ExecError> {
    let module = &m.module;
    let (index, ep) = module
        .entry_points
        .iter()
        .enumerate()
        .find(|(_, ep)| ep.name == spec.name)
        .ok_or_else(|| mismatch(spec, format!("no entry point `{}` in shader family {}", spec.name, m.family)))?;
    if ep.stage != naga::ShaderStage::Compute {
        return Err(mismatch(spec, "entry point is not a compute shader".into()));
    }
    let wg = expected_workgroup(spec);
    if ep.workgroup_size != wg {
        return Err(mismatch(spec, format!("workgroup size {:?}, dispatch rule needs {wg:?}", ep.workgroup_size)));
    }
    let usage = m.info.get_entry_point(index);
    let params_binding = spec.bindings.len() as u32;
    let mut seen = vec![false; spec.bindings.len() + 1];
    for (handle, global) in module.global_variables.iter() {
        let is_resource = matches!(global.space, AddressSpace::Storage { .. } | AddressSpace::Uniform);
        if usage[handle].is_empty() || !is_resource {
            continue;
        }
        let name = global.name.clone().unwrap_or_default();
        let rb = global.binding.as_ref().ok_or_else(|| mismatch(spec, format!("global `{name}` has no binding")))?;
        if rb.group != 0 {
            return Err(mismatch(spec, format!("global `{name}` is in group {}, expected 0", rb.group)));
        }
        if rb.binding == params_binding {
            check_params(spec, module, global, &name)?;
            seen[params_binding as usize] = true;
            continue;
        }
        let b = spec.bindings.iter().find(|b| b.index == rb.binding).ok_or_else(|| {
            mismatch(spec, format!("global `{name}` uses binding {}, which the spec does not have", rb.binding))
        })?;
        let want_name = format!("{}_{}", spec.name, b.name);
        if name != want_name {
            return Err(mismatch(spec, format!("binding {} is `{name}`, spec names it `{want_name}`", b.index)));
        }
        let access = match global.space {
            AddressSpace::Storage { access } => access,
            _ => return Err(mismatch(spec, format!("`{name}` is not a storage buffer"))),
        };
        let writable = access.contains(StorageAccess::STORE);
        match (b.access, writable) {
            (Access::Read, true) => return Err(mismatch(spec, format!("`{name}` is read_write, spec says read"))),
            (Access::ReadWrite, false) => {
                return Err(mismatch(spec, format!("`{name}` is read-only, spec says read_write")));
            }
            _ => {}
        }
        let (kind, _atomic) = element(module, global.ty)
            .ok_or_else(|| mismatch(spec, format!("`{name}` is not an array of 4-byte scalars")))?;
        if kind != expected_kind(b.elem) {
            return Err(mismatch(spec, format!("`{name}` holds {kind:?}, spec says {:?}", b.elem)));
        }
        seen[b.index as usize] = true;
    }
    if let Some(missing) = seen.iter().position(|s| !s) {
        let what = spec.bindings.get(missing).map_or("the parameter block", |b| b.name);
        return Err(mismatch(spec, format!("binding {missing} ({what}) is never used by the entry point")));
    }
    Ok(())
}

fn check_params(
    spec: &OpSpec,
    module: &naga::Module,
    global: &naga::GlobalVariable,
    name: &str,
) -> Result<(), ExecError> {
    if global.space != AddressSpace::Uniform {
        return Err(mismatch(spec, format!("parameter block `{name}` is not a uniform")));
    }
    let want_name = format!("{}_params", spec.name);
    if name != want_name {
        return Err(mismatch(spec, format!("parameter block is `{name}`, expected `{want_name}`")));
    }
    let TypeInner::Struct { members, span } = &module.types[global.ty].inner else {
        return Err(mismatch(spec, "parameter block is not a struct".into()));
    };
    if *span as usize != spec.params.size {
        return Err(mismatch(spec, format!("parameter struct is {span} bytes, spec says {}", spec.params.size)));
    }
    for (i, field) in spec.params.fields.iter().enumerate() {
        let m = members.get(i).ok_or_else(|| mismatch(spec, format!("parameter struct lacks field {}", field.name)))?;
        let kind = match module.types[m.ty].inner {
            TypeInner::Scalar(s) if s.width == 4 => s.kind,
            _ => return Err(mismatch(spec, format!("parameter `{}` is not a 4-byte scalar", field.name))),
        };
        let want = match field.ty {
            ParamType::U32 => ScalarKind::Uint,
            ParamType::F32 => ScalarKind::Float,
        };
        if m.name.as_deref() != Some(field.name) || m.offset as usize != 4 * i || kind != want {
            return Err(mismatch(
                spec,
                format!(
                    "parameter {i} is `{}: {kind:?}` at offset {}, spec says `{}: {want:?}` at {}",
                    m.name.as_deref().unwrap_or("?"),
                    m.offset,
                    field.name,
                    4 * i
                ),
            ));
        }
    }
    Ok(())
}

/// Validates `family`'s assembled module with naga and checks every op's entry point
/// against its spec; also that every op names `family` as its family.
pub fn check_family(family: &Family) -> Result<ValidatedModule, ExecError> {
    let module = shaders::validate(family)?;
    for op in family.ops {
        if !std::ptr::eq(op.family, family) {
            return Err(mismatch(op, format!("listed in family {} but names family {}", family.name, op.family.name)));
        }
        check_op(op, &module)?;
    }
    Ok(module)
}
