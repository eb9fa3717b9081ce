//! Adapter selection, device reporting and spec/shader agreement.

use dashi_core::ops::{
    AXPY, Access, Binding, DeviceType, ELEMENTWISE, ElemType, ExecError, Executor, FAMILIES, LenRule, OpParams, OpSpec,
    ParamField, ParamType, ParamsLayout, ScalarParams, WGSL_MODULES, WgslModule,
};
use dashi_gpu::reflect::{check_family, check_op};
use dashi_gpu::shaders::validate;
use dashi_gpu::{AdapterSelection, BackendRequest, GpuError, GpuExecutor, executor_for, gpu_or_skip, list_adapters};

#[test]
fn an_adapter_that_does_not_exist_is_a_typed_error() {
    let err = GpuExecutor::new(&AdapterSelection::Name("no-such-adapter-dashi".into())).unwrap_err();
    assert!(matches!(err, GpuError::NoAdapter { .. }), "{err:?}");
    let message = err.to_string();
    assert!(message.contains("no-such-adapter-dashi") && message.contains("available"), "{message}");
    let err = GpuExecutor::new(&AdapterSelection::Index(9999)).unwrap_err();
    assert!(matches!(err, GpuError::NoAdapter { .. }), "{err:?}");
    // `--backend gpu` cannot silently become the CPU…
    let result = executor_for(BackendRequest::Gpu, &AdapterSelection::Name("no-such-adapter-dashi".into()));
    assert!(matches!(result, Err(GpuError::NoAdapter { .. })));
    // …while `auto` may, and says so.
    let (exec, report) =
        executor_for(BackendRequest::Auto, &AdapterSelection::Name("no-such-adapter-dashi".into())).unwrap();
    assert_eq!(exec.device().device_type, DeviceType::Cpu);
    assert!(report.note.is_some() && report.to_string().contains("requested auto"), "{report}");
    assert_eq!(AdapterSelection::parse("1"), AdapterSelection::Index(1));
    assert_eq!(AdapterSelection::parse("llvm"), AdapterSelection::Name("llvm".into()));
}

#[test]
fn the_device_reports_itself_honestly() {
    let Some(gpu) = gpu_or_skip("the_device_reports_itself_honestly") else { return };
    let info = gpu.device();
    let listed = list_adapters();
    assert!(listed.iter().any(|a| a.name == info.device_name), "{listed:?}");
    // lavapipe/llvmpipe is a CPU device and must say so.
    let name = info.device_name.to_lowercase();
    if name.contains("llvmpipe") || name.contains("lavapipe") {
        assert_eq!(info.device_type, DeviceType::Cpu);
    }
    assert_eq!(info.precision, dashi_core::ops::Precision::F32);
    let (_, report) = executor_for(BackendRequest::Gpu, &AdapterSelection::from_env()).unwrap();
    println!("{report}");
    assert!(report.note.is_none());
}

/// Every core family's assembled module validates and every op's entry point agrees
/// with its spec (no device needed); every shared WGSL module is imported by some family.
#[test]
fn every_core_family_agrees_with_its_specs() {
    for family in FAMILIES {
        assert!(!family.ops.is_empty(), "shader family {} has no op", family.name);
        check_family(family).unwrap_or_else(|e| panic!("{}: {e}", family.name));
    }
    // No orphan shared module: each is imported (directly or not) by a core family.
    fn imports(m: &WgslModule, name: &str) -> bool {
        m.name == name || m.imports.iter().any(|i| imports(i, name))
    }
    for module in WGSL_MODULES {
        assert!(
            FAMILIES.iter().any(|f| f.imports.iter().any(|i| imports(i, module.name))),
            "shared WGSL module {} is imported by no family",
            module.name
        );
    }
}

fn with_bindings(bindings: &'static [Binding]) -> OpSpec {
    OpSpec { bindings, ..copy(&AXPY) }
}

fn copy(s: &OpSpec) -> OpSpec {
    OpSpec {
        name: s.name,
        family: s.family,
        summary: s.summary,
        bindings: s.bindings,
        params: s.params,
        sizes: s.sizes,
        dispatch: s.dispatch,
        domain: s.domain,
        cpu: s.cpu,
        overrides: s.overrides,
    }
}

/// Deliberately wrong specs for `axpy` must each be caught by the reflection.
#[test]
fn a_spec_that_disagrees_with_its_shader_is_caught() {
    let module = validate(&ELEMENTWISE).unwrap();
    check_op(&AXPY, &module).unwrap();
    static WRONG_ACCESS: [Binding; 2] = [
        Binding { index: 0, name: "x", access: Access::ReadWrite, elem: ElemType::Real, len: LenRule::Product(&["n"]) },
        Binding { index: 1, name: "y", access: Access::ReadWrite, elem: ElemType::Real, len: LenRule::Product(&["n"]) },
    ];
    static WRONG_TYPE: [Binding; 2] = [
        Binding { index: 0, name: "x", access: Access::Read, elem: ElemType::U32, len: LenRule::Product(&["n"]) },
        Binding { index: 1, name: "y", access: Access::ReadWrite, elem: ElemType::Real, len: LenRule::Product(&["n"]) },
    ];
    static SWAPPED: [Binding; 2] = [
        Binding { index: 0, name: "y", access: Access::ReadWrite, elem: ElemType::Real, len: LenRule::Product(&["n"]) },
        Binding { index: 1, name: "x", access: Access::Read, elem: ElemType::Real, len: LenRule::Product(&["n"]) },
    ];
    static MISSING: [Binding; 1] =
        [Binding { index: 0, name: "x", access: Access::Read, elem: ElemType::Real, len: LenRule::Product(&["n"]) }];
    // The same fields as ScalarParams in a 32-byte block, and the fields reordered.
    static WRONG_SIZE: ParamsLayout = ParamsLayout { size: 32, ..*<ScalarParams as OpParams>::LAYOUT };
    static WRONG_ORDER: ParamsLayout = ParamsLayout {
        name: "ScalarParams",
        fields: &[ParamField { name: "alpha", ty: ParamType::F32 }, ParamField { name: "n", ty: ParamType::U32 }],
        size: 16,
    };
    let mut cases: Vec<(&str, OpSpec)> = vec![
        ("read-only declared read_write", with_bindings(&WRONG_ACCESS)),
        ("f32 declared u32", with_bindings(&WRONG_TYPE)),
        ("bindings swapped", with_bindings(&SWAPPED)),
        ("binding missing from the spec", with_bindings(&MISSING)),
    ];
    let mut size = copy(&AXPY);
    size.params = &WRONG_SIZE;
    cases.push(("parameter block size", size));
    let mut params = copy(&AXPY);
    params.params = &WRONG_ORDER;
    cases.push(("parameter order", params));
    let mut wg = copy(&AXPY);
    wg.dispatch = dashi_core::ops::Dispatch::Threads { count: LenRule::Product(&["n"]), workgroup: 64 };
    cases.push(("workgroup size", wg));
    let mut name = copy(&AXPY);
    name.name = "axpy_typo";
    cases.push(("entry point name", name));
    for (what, spec) in &cases {
        let err = check_op(spec, &module).expect_err(what);
        assert!(matches!(err, ExecError::SpecMismatch { .. }), "{what}: {err:?}");
        println!("{what}: {err}");
    }
}

/// Allocations beyond what the device can hold come back as typed errors, not panics
/// or device loss; zero-sized buffers never reach the device.
#[test]
fn impossible_allocations_are_typed_errors() {
    let Some(mut gpu) = gpu_or_skip("impossible_allocations_are_typed_errors") else { return };
    let limit = gpu.limits().max_buffer_size.min(gpu.limits().max_storage_buffer_binding_size);
    let too_many = (limit / 4 + 1) as usize;
    let err = gpu.alloc(ElemType::Real, too_many).unwrap_err();
    assert!(matches!(err, dashi_core::ops::ExecError::OutOfMemory { .. }), "{err:?}");
    assert!(err.to_string().contains("limit"), "{err}");
    assert_eq!(gpu.alloc(ElemType::U32, 0), Err(dashi_core::ops::ExecError::ZeroSizedBuffer));
    assert!(gpu.alloc(ElemType::U32, usize::MAX).is_err());
    // The executor is still usable afterwards.
    let b = gpu.alloc(ElemType::U32, 3).unwrap();
    gpu.upload_u32(b, &[1, 2, 3]).unwrap();
    assert_eq!(gpu.download_u32(b).unwrap(), vec![1, 2, 3]);
}
