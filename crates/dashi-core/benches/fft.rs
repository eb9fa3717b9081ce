//! Criterion benchmarks of the CPU 2D FFT (group `fft2_cpu`).
//!
//! Measured: the forward 2D FFT of one N×N field,
//! `F[ky][kx] = Σ_{iy,ix} f[iy][ix] · e^{−2πi (kx·ix + ky·iy)/N}` — NumPy's `fft2`
//! convention, unscaled, fields row-major `[iy][ix]` with interleaved complex values:
//!
//! * `c2c_f64/N`, `c2c_f32/N`: `Fft2::fft2_inplace` (the field is reset from a copy
//!   before every call, outside the timed region, so the input stays finite);
//! * `r2c_f64/N`, `r2c_f32/N`: `Fft2::rfft2_into`, real N×N → half spectrum N×(N/2+1);
//! * `ops_cpu_f64/N`: `Fft2Program::forward` + `flush` on the `CpuExecutor` (the op
//!   program the GPU runs; the buffer is re-uploaded before every call, untimed).
//!
//! Throughput is N² elements per transform. `cargo bench -p dashi-core --bench fft`.

use criterion::measurement::WallTime;
use criterion::{BatchSize, BenchmarkGroup, BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use dashi_core::ops::{CpuExecutor, ElemType, Executor, Fft2Program, Precision};
use dashi_core::random::SplitMix64;
use dashi_core::scalar::Real;
use dashi_core::spectral::{Complex, Fft2Planner, Layout, SpectralReal};
use std::hint::black_box;
use std::time::{Duration, Instant};

fn field<T: SpectralReal>(len: usize, seed: u64) -> Vec<T> {
    let mut g = SplitMix64::new(seed);
    (0..len).map(|_| <T as Real>::from_f64(g.normal())).collect()
}

fn spectral<T: SpectralReal>(group: &mut BenchmarkGroup<'_, WallTime>) {
    for n in [64usize, 256, 1024] {
        group.sample_size(if n >= 1024 { 20 } else { 100 });
        let plan = Fft2Planner::<T>::new().plan_n(n).expect("power-of-two N");
        group.throughput(Throughput::Elements((n * n) as u64));

        let re = field::<T>(2 * n * n, 1);
        let complex: Vec<Complex<T>> = re.chunks(2).map(|p| Complex::new(p[0], p[1])).collect();
        group.bench_with_input(BenchmarkId::new(format!("c2c_{}", T::NAME), n), &complex, |b, input| {
            b.iter_batched_ref(
                || input.clone(),
                |data| plan.fft2_inplace(black_box(data)).expect("finite input"),
                BatchSize::LargeInput,
            )
        });

        let real = field::<T>(n * n, 2);
        let mut out = vec![Complex::default(); plan.grid().spectrum_len(Layout::Half)];
        group.bench_with_input(BenchmarkId::new(format!("r2c_{}", T::NAME), n), &real, |b, input| {
            b.iter(|| plan.rfft2_into(black_box(input), &mut out).expect("finite input"))
        });
    }
}

fn ops_program(group: &mut BenchmarkGroup<'_, WallTime>) {
    group.sample_size(100);
    for n in [64usize, 256] {
        let mut exec = CpuExecutor::new(Precision::F64);
        let plan = Fft2Program::new(&mut exec, n, 1).expect("fft2 program");
        let buf = exec.alloc(ElemType::Real, plan.buffer_len()).expect("alloc");
        let data = field::<f64>(plan.buffer_len(), 3);
        group.throughput(Throughput::Elements((n * n) as u64));
        group.bench_function(BenchmarkId::new("ops_cpu_f64", n), |b| {
            b.iter_custom(|iters| {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    exec.upload_real(buf, &data).expect("upload");
                    let start = Instant::now();
                    plan.forward(&mut exec, buf, buf).expect("forward");
                    exec.flush().expect("flush");
                    total += start.elapsed();
                }
                total
            })
        });
    }
}

fn fft2_cpu(c: &mut Criterion) {
    let mut group = c.benchmark_group("fft2_cpu");
    spectral::<f64>(&mut group);
    spectral::<f32>(&mut group);
    ops_program(&mut group);
    group.finish();
}

criterion_group!(benches, fft2_cpu);
criterion_main!(benches);
