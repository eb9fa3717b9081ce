//! Issue 5's decaying-turbulence check: McWilliams IC (seed 0, k0 = 4), N = 256,
//! ν0 = 1e-4, Smagorinsky Cs = 0.17, Heun, dt = 0.005, to t = 20 on the CPU f64
//! reference. Prints one JSON line per stride (t, enstrophy, energy, CFL) and a final
//! line with whether the enstrophy decreased monotonically and the least-squares slope
//! of log E(k) against log k over 8 ≤ k ≤ 40 (shell spectrum of the last frame and
//! its average over t ≥ 15), to compare with the k⁻³ enstrophy-cascade range:
//!
//! ```text
//! cargo run --release -p dashi-les --example les_decay [-- --n 256 --t-end 20]
//! ```

use dashi_core::ops::{CpuExecutor, Precision};
use dashi_les::{Les, Preset, Stepper};

fn arg(args: &[String], name: &str, default: f64) -> f64 {
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).map_or(default, |v| v.parse().expect(name))
}

/// Least-squares slope of `log e` against `log k` over shells `lo ..= hi`.
fn log_log_slope(e: &[f64], lo: usize, hi: usize) -> f64 {
    let pts: Vec<(f64, f64)> = (lo..=hi.min(e.len() - 1)).map(|k| ((k as f64).ln(), e[k].ln())).collect();
    let m = pts.len() as f64;
    let (sx, sy) = pts.iter().fold((0.0, 0.0), |(a, b), p| (a + p.0, b + p.1));
    let (mx, my) = (sx / m, sy / m);
    let num: f64 = pts.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum();
    let den: f64 = pts.iter().map(|p| (p.0 - mx).powi(2)).sum();
    num / den
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let n = arg(&args, "--n", 256.0) as usize;
    let t_end = arg(&args, "--t-end", 20.0);
    let dt = arg(&args, "--dt", 0.005);
    let stride = 100u64;
    let config = Preset::McWilliams.config(n, dt, Stepper::Heun, Some(1e-4), Some(0.17))?;
    let mut cpu = CpuExecutor::new(Precision::F64);
    let mut les = Les::new(&mut cpu, config, &Preset::McWilliams.field(n, 0))?;
    let steps = (t_end / dt).round() as u64;
    let mut previous = les.diagnostics(&mut cpu)?.enstrophy;
    let (mut monotone, mut late, mut late_frames) = (true, Vec::<f64>::new(), 0usize);
    let start = std::time::Instant::now();
    let mut last = les.snapshot(&mut cpu)?;
    while les.steps() < steps {
        les.advance(&mut cpu, stride.min(steps - les.steps()))?;
        last = les.snapshot(&mut cpu)?;
        let d = last.diagnostics;
        monotone &= d.enstrophy < previous;
        previous = d.enstrophy;
        if d.time >= 0.75 * t_end {
            late.resize(last.energy_spectrum.len(), 0.0);
            late.iter_mut().zip(&last.energy_spectrum).for_each(|(a, e)| *a += e);
            late_frames += 1;
        }
        println!(
            "{{\"t\":{:.3},\"energy\":{:.6e},\"enstrophy\":{:.6e},\"palinstrophy\":{:.6e},\"max_abs_omega\":{:.4},\"cfl\":{:.4}}}",
            d.time, d.energy, d.enstrophy, d.palinstrophy, d.max_abs_omega, d.cfl
        );
    }
    late.iter_mut().for_each(|e| *e /= late_frames as f64);
    println!(
        "{{\"n\":{n},\"dt\":{dt},\"t_end\":{t_end},\"steps\":{steps},\"enstrophy_monotone\":{monotone},\"slope_last_8_40\":{:.3},\"slope_late_mean_8_40\":{:.3},\"late_frames\":{late_frames},\"wall_s\":{:.1}}}",
        log_log_slope(&last.energy_spectrum, 8, 40),
        log_log_slope(&late, 8, 40),
        start.elapsed().as_secs_f64()
    );
    Ok(())
}
