//! The main job of dashi-core (until `dashi demo` exists): a kernel pipeline on a
//! synthetic vorticity-like field, the same steps through the KernelOp executor, and a
//! linear rollout with stride jumping — then a short summary.
//!
//! ```text
//! cargo run --release -p dashi-core --example pipeline [-- --n 128 --dim 654 --steps 20000]
//! ```

use dashi_core::carrier::{Field, Neighbourhood, Shape};
use dashi_core::kernel::{Annihilate, CoherenceStats, Fining, Kernel, Majority, Threshold};
use dashi_core::linear::{HashObserver, SnapshotObserver, Stepper, StrideJump, random_orthogonal, rollout};
use dashi_core::ops::{CpuExecutor, ElemType, Executor, Precision, THRESHOLD, ThresholdParams};
use dashi_core::random::SplitMix64;
use dashi_core::{packing, state_hash};
use std::time::Instant;

fn arg(name: &str, default: usize) -> Result<usize, String> {
    let args: Vec<String> = std::env::args().collect();
    match args.iter().position(|a| a == name) {
        None => Ok(default),
        Some(i) => args.get(i + 1).ok_or(format!("{name} needs a value"))?.parse().map_err(|e| format!("{name}: {e}")),
    }
}

/// Periodic Gaussian vortices of random sign plus small noise on an n×n grid of
/// [0, 2π)²: a stand-in for a turbulent vorticity snapshot.
fn synthetic_vorticity(n: usize, seed: u64) -> Field {
    let mut g = SplitMix64::new(seed);
    let two_pi = 2.0 * std::f64::consts::PI;
    let vortices: Vec<(f64, f64, f64, f64)> = (0..24)
        .map(|_| (g.uniform(0.0, two_pi), g.uniform(0.0, two_pi), g.uniform(0.15, 0.5), g.uniform(-1.0, 1.0)))
        .collect();
    let mut values = vec![0.0; n * n];
    for (iy, row) in values.chunks_mut(n).enumerate() {
        let y = two_pi * iy as f64 / n as f64;
        for (ix, v) in row.iter_mut().enumerate() {
            let x = two_pi * ix as f64 / n as f64;
            for &(cx, cy, r, a) in &vortices {
                let dx = (x - cx + std::f64::consts::PI).rem_euclid(two_pi) - std::f64::consts::PI;
                let dy = (y - cy + std::f64::consts::PI).rem_euclid(two_pi) - std::f64::consts::PI;
                *v += a * (-(dx * dx + dy * dy) / (2.0 * r * r)).exp();
            }
            *v += 0.12 * g.normal();
        }
    }
    Field::new(Shape::d2(n, n).expect("n >= 1"), values).expect("finite")
}

fn main() {
    if let Err(e) = run() {
        eprintln!("pipeline: {e}");
        std::process::exit(1);
    }
}

fn run() -> Result<(), Box<dyn std::error::Error>> {
    let n = arg("--n", 128)?;
    let dim = arg("--dim", 654)?;
    let steps = arg("--steps", 20_000)? as u64;
    let stride = 200u64;

    println!("== kernel pipeline on a {n}×{n} synthetic vorticity field ==");
    let field = synthetic_vorticity(n, 2026);
    let tau = 0.1 * field.max_abs();
    let seed = Threshold::new(tau)?.project(&field);
    let voted = Majority::new(Neighbourhood::EIGHT, 2)?.apply(&seed)?;
    let cleaned = Annihilate::new(Neighbourhood::FOUR).apply(&voted)?;
    let fining = Fining::with_stages(Majority::new(Neighbourhood::EIGHT, 2)?, Annihilate::new(Neighbourhood::FOUR));
    let outcome = fining.run(&field, &cleaned)?;
    println!("{:<22} {:>8} {:>9} {:>10} {:>14}", "stage", "active", "balance", "interfaces", "energy_on_supp");
    for (name, c) in [("threshold τ=0.1·max", &seed), ("majority (8, η=2)", &voted), ("annihilate (4)", &cleaned)] {
        let s = CoherenceStats::of(c, &field)?;
        println!(
            "{name:<22} {:>8} {:>9} {:>10} {:>14.5}",
            s.active_cells, s.sign_balance, s.interface_count, s.energy_on_support
        );
    }
    for l in &outcome.levels {
        let s = l.stats;
        println!(
            "{:<22} {:>8} {:>9} {:>10} {:>14.5}   annihilated {:.2}%",
            format!("fining level {}", l.level),
            s.active_cells,
            s.sign_balance,
            s.interface_count,
            s.energy_on_support,
            100.0 * l.annihilated_fraction
        );
    }
    match outcome.closure_level {
        Some(l) => println!("fining closed at level {l} (of at most {})", fining.levels),
        None => println!("fining used its whole budget of {} levels without closing", fining.levels),
    }
    let packed = packing::pack(&outcome.mask);
    println!("mask packed: {} cells → {} bytes (5 trits/byte)", outcome.mask.len(), packed.len());

    // The same threshold through the KernelOp ABI, in f32 as the device would run it.
    let mut exec = CpuExecutor::new(Precision::F32);
    let cells = n * n;
    let words = cells.div_ceil(32);
    let x = exec.alloc(ElemType::Real, cells)?;
    let (sup, sgn) = (exec.alloc(ElemType::U32, words)?, exec.alloc(ElemType::U32, words)?);
    exec.upload_real(x, field.values())?;
    THRESHOLD.run(&mut exec, [x, sup, sgn], &ThresholdParams::new(cells as u32, tau as f32))?;
    let (sup_w, sgn_w) = (exec.download_u32(sup)?, exec.download_u32(sgn)?);
    let via_executor = dashi_core::Carrier::from_planes(seed.shape().clone(), sup_w, sgn_w)?;
    let differ = via_executor.hamming_distance(&seed)?;
    println!(
        "threshold via CpuExecutor(f32) on {}: {} of {} cells differ from the f64 kernel (values within f32 rounding of τ)",
        exec.device().device_name,
        differ,
        cells
    );

    println!("\n== linear rollout z_(t+1) = z_t · A, D = {dim}, A = orthogonal × 0.9999 ==");
    let op = random_orthogonal(dim, 42, 0.9999)?;
    let mut g = SplitMix64::new(7);
    let z0: Vec<f64> = (0..dim).map(|_| g.normal()).collect();
    let mut stepper = Stepper::for_operator(&op);
    let mut plain = (HashObserver::default(), SnapshotObserver::default());
    let start = Instant::now();
    let summary = rollout(&mut stepper, &z0, steps, stride, &mut plain)?;
    let plain_s = start.elapsed().as_secs_f64();
    let start = Instant::now();
    let jump = StrideJump::new(&op, stride)?;
    let pre_s = start.elapsed().as_secs_f64();
    let mut jumped = SnapshotObserver::default();
    let start = Instant::now();
    jump.rollout(&z0, steps, &mut jumped)?;
    let jump_s = start.elapsed().as_secs_f64();
    let worst = plain
        .1
        .snapshots
        .iter()
        .zip(&jumped.snapshots)
        .map(|((_, a), (_, b))| {
            let num: f64 = a.iter().zip(b).map(|(x, y)| (x - y) * (x - y)).sum();
            (num / a.iter().map(|x| x * x).sum::<f64>()).sqrt()
        })
        .fold(0.0, f64::max);
    println!(
        "plain stepping ({}): {steps} steps in {plain_s:.3} s = {:.0} steps_per_s, {:.0} ns_per_step",
        if stepper.is_parallel() { "2 threads" } else { "1 thread" },
        steps as f64 / plain_s,
        plain_s * 1e9 / steps as f64
    );
    println!(
        "stride jumping (s = {stride}): A^s in {pre_s:.3} s, then {} snapshots in {jump_s:.4} s; worst rel-L2 vs plain {worst:.2e}",
        jumped.snapshots.len()
    );
    if let Some((t, h)) = plain.0.hashes.last() {
        println!("state hash (BLAKE2b-128, f64 LE) at t = {t}: {h}");
    }
    println!("final state hash: {}", state_hash(&summary.final_state));
    Ok(())
}
