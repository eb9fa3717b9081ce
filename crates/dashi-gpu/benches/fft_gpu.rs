//! Criterion benchmark of the GPU 2D FFT (group `fft2_gpu`).
//!
//! Measured: `Fft2Program::forward` + `flush` (submit and wait) on a `GpuExecutor`, the
//! forward 2D FFT of a batch of N×N complex f32 fields,
//! `F[ky][kx] = Σ_{iy,ix} f[iy][ix] · e^{−2πi (kx·ix + ky·iy)/N}` — NumPy's `fft2`
//! convention, unscaled, each field row-major `[iy][ix]` with interleaved `(re, im)`.
//! The transform runs in place on the same buffer every iteration; its cost does not
//! depend on the values (which grow and eventually overflow, as in `gpu_bench`).
//!
//! N ∈ {256, 1024}, plus 2048 on non-CPU adapters. The batch fills ~16 Mi complex values
//! (`max(1, 2^24 / (2N²))` fields) on GPUs and is 1 on CPU devices (lavapipe).
//! Throughput is N²·batch elements per iteration. Without an adapter the benchmark is
//! skipped with a message, unless `DASHI_REQUIRE_GPU=1`.
//!
//! `cargo bench -p dashi-gpu --bench fft_gpu`; select the adapter with `DASHI_ADAPTER`.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use dashi_core::ops::{DeviceType, ElemType, Executor, Fft2Program};
use dashi_core::random::SplitMix64;
use dashi_gpu::{AdapterSelection, GpuExecutor, require_gpu};
use std::time::Duration;

fn fft2_gpu(c: &mut Criterion) {
    let mut gpu = match GpuExecutor::new(&AdapterSelection::from_env()) {
        Ok(gpu) => gpu,
        Err(e) if require_gpu() => panic!("fft_gpu: DASHI_REQUIRE_GPU=1 but no GPU adapter: {e}"),
        Err(e) => {
            eprintln!("fft_gpu: skipped — no GPU adapter ({e})");
            return;
        }
    };
    let info = gpu.device().clone();
    let on_cpu = info.device_type == DeviceType::Cpu;
    eprintln!("fft_gpu: adapter {} ({:?}, {})", info.device_name, info.device_type, info.driver);

    let mut group = c.benchmark_group("fft2_gpu");
    group.sample_size(10).warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(3));
    let sizes: &[usize] = if on_cpu { &[256, 1024] } else { &[256, 1024, 2048] };
    for &n in sizes {
        let batch = if on_cpu { 1 } else { ((16usize << 20) / (2 * n * n)).max(1) };
        let plan = Fft2Program::new(&mut gpu, n, batch).expect("fft2 program");
        let buf = gpu.alloc(ElemType::Real, plan.buffer_len()).expect("alloc");
        let mut g = SplitMix64::new(n as u64);
        let field: Vec<f64> = (0..plan.buffer_len()).map(|_| g.normal()).collect();
        gpu.upload_real(buf, &field).expect("upload");
        // Pipelines and first submission outside the measurement.
        plan.forward(&mut gpu, buf, buf).expect("forward");
        gpu.flush().expect("flush");

        group.throughput(Throughput::Elements((n * n * batch) as u64));
        group.bench_function(BenchmarkId::new(format!("c2c_f32_batch{batch}"), n), |b| {
            b.iter(|| {
                plan.forward(&mut gpu, buf, buf).expect("forward");
                gpu.flush().expect("flush");
            })
        });
        gpu.free(buf).expect("free");
        plan.free(&mut gpu).expect("free plan");
    }
    group.finish();
}

criterion_group!(benches, fft2_gpu);
criterion_main!(benches);
