//! Criterion benchmarks of the CORE hot paths: carrier packing, kernels, fining, and
//! the rollout step (gemv, serial and two-thread) at D = 654.
//!
//! `cargo bench -p dashi-core` — speed claims come from `cargo xtask peers`, which
//! measures peers in the same run; these track our own regressions.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use dashi_core::carrier::{Carrier, Field, Neighbourhood, Shape};
use dashi_core::kernel::{Annihilate, Fining, Kernel, Majority, Threshold};
use dashi_core::linear::{ParallelStepper, Step, StrideJump, random_orthogonal};
use dashi_core::packing::{pack, unpack};
use dashi_core::random::SplitMix64;
use std::hint::black_box;

fn random_field(n: usize, seed: u64) -> Field {
    let mut g = SplitMix64::new(seed);
    Field::new(Shape::d2(n, n).unwrap(), (0..n * n).map(|_| g.normal()).collect()).unwrap()
}

fn carriers(c: &mut Criterion) {
    let mut group = c.benchmark_group("carrier");
    for n in [64usize, 256] {
        let field = random_field(n, 1);
        let s = Threshold::new(0.5).unwrap().project(&field);
        group.throughput(Throughput::Elements((n * n) as u64));
        group.bench_with_input(BenchmarkId::new("pack", n), &s, |b, s| b.iter(|| pack(black_box(s))));
        let bytes = pack(&s);
        group.bench_with_input(BenchmarkId::new("unpack", n), &bytes, |b, bytes| {
            b.iter(|| unpack(s.shape().clone(), black_box(bytes)).unwrap())
        });
        group.bench_with_input(BenchmarkId::new("threshold", n), &field, |b, f| {
            b.iter(|| Threshold::new(0.5).unwrap().project(black_box(f)))
        });
    }
    group.finish();
}

fn kernels(c: &mut Criterion) {
    let mut group = c.benchmark_group("kernel");
    let n = 128;
    let field = random_field(n, 2);
    let s: Carrier = Threshold::new(0.3).unwrap().project(&field);
    group.throughput(Throughput::Elements((n * n) as u64));
    let majority = Majority::new(Neighbourhood::EIGHT, 2).unwrap();
    let annihilate = Annihilate::new(Neighbourhood::FOUR);
    group.bench_function("majority_8_n128", |b| b.iter(|| majority.apply(black_box(&s)).unwrap()));
    group.bench_function("annihilate_4_n128", |b| b.iter(|| annihilate.apply(black_box(&s)).unwrap()));
    let fining = Fining::with_stages(majority, annihilate);
    group.bench_function("fining_6_levels_n128", |b| b.iter(|| fining.run(black_box(&field), black_box(&s)).unwrap()));
    group.finish();
}

fn rollout(c: &mut Criterion) {
    let mut group = c.benchmark_group("rollout_d654");
    let d = 654;
    let op = random_orthogonal(d, 42, 0.9999).unwrap();
    let z: Vec<f64> = (0..d).map(|i| (i as f64 * 0.37).sin()).collect();
    let mut out = vec![0.0; d];
    group.throughput(Throughput::Elements(1));
    let mut serial = op.clone();
    group.bench_function("step_f64_serial", |b| b.iter(|| serial.step(black_box(&z), &mut out)));
    let mut parallel = ParallelStepper::new(&op).unwrap();
    group.bench_function("step_f64_two_threads", |b| b.iter(|| parallel.step(black_box(&z), &mut out)));
    let op32 = op.cast::<f32>();
    let z32: Vec<f32> = z.iter().map(|&v| v as f32).collect();
    let mut out32 = vec![0.0f32; d];
    let mut serial32 = op32.clone();
    group.bench_function("step_f32_serial", |b| b.iter(|| serial32.step(black_box(&z32), &mut out32)));
    group.sample_size(10);
    group.bench_function("power_s200_precompute", |b| b.iter(|| StrideJump::new(black_box(&op), 200).unwrap()));
    group.finish();
}

criterion_group!(benches, carriers, kernels, rollout);
criterion_main!(benches);
