//! Issue 5's inviscid check on the CPU f64 reference: mcwilliams IC (seed 1, k0 = 4),
//! ν0 = 0, Cs = 0, 2/3 dealiasing, RK4, N = 128, 500 steps of dt = 0.005 — and the same
//! horizon at 2·dt and dt/2 to show how the drift scales. One JSON line per run:
//!
//! ```text
//! cargo run --release -p dashi-les --example les_conservation
//! ```

use dashi_core::ops::{CpuExecutor, Precision};
use dashi_les::{Les, LesConfig, Stepper, initial};
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let n = 128;
    let omega = initial::mcwilliams(n, 1, 4.0);
    let mut cpu = CpuExecutor::new(Precision::F64);
    for (dt, steps) in [(0.01, 250u64), (0.005, 500), (0.0025, 1000)] {
        let config = LesConfig::new(n, dt, 0.0, Stepper::Rk4);
        let mut les = Les::new(&mut cpu, config, &omega)?;
        let d0 = les.diagnostics(&mut cpu)?;
        let start = Instant::now();
        les.advance(&mut cpu, steps)?;
        let wall = start.elapsed().as_secs_f64();
        let d = les.diagnostics(&mut cpu)?;
        println!(
            "{{\"bench\":\"les_conservation\",\"n\":{n},\"stepper\":\"rk4\",\"dt\":{dt},\"steps\":{steps},\"t\":{},\"energy_drift\":{:.3e},\"enstrophy_drift\":{:.3e},\"wall_s\":{wall:.2},\"steps_per_s\":{:.1},\"backend\":\"cpu-f64\"}}",
            d.time,
            (d.energy / d0.energy - 1.0).abs(),
            (d.enstrophy / d0.enstrophy - 1.0).abs(),
            steps as f64 / wall
        );
        les.free(&mut cpu)?;
    }
    Ok(())
}
