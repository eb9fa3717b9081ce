//! A first look at v5 atoms on the McWilliams flow (the v4 codec's truth in docs/CODEC.md):
//! LES N = 128, seed 0, dt = 0.005, frames every 20 steps (Δt = 0.1), Heun, defaults
//! ν0 = 1e-4, Cs = 0.17. For each encoder setting: atoms, floats, decode(encode) quality;
//! then the atoms' own dynamics (no LES) from the encoded frame, with Π_MDL holding the
//! state to at most `floats` floats (default 456 = the v4 proxy's D), scored against the
//! truth for 3 time units, next to persistence. First numbers are in the crate README.
//!
//! `cargo run --release -p dashi-atoms --example atoms_mcwilliams [start_frame] [floats]`

use dashi_atoms::{
    AtomState, Background, EncodeConfig, MdlConfig, Scheme, StepConfig, encode, enstrophy, normal_form, rasterise, step,
};
use dashi_core::ops::{CpuExecutor, Precision};
use dashi_les::{Les, Preset, Stepper};
use std::time::Instant;

fn correlation(a: &[f64], b: &[f64]) -> f64 {
    let n = a.len() as f64;
    let (ma, mb) = (a.iter().sum::<f64>() / n, b.iter().sum::<f64>() / n);
    let (mut sab, mut saa, mut sbb) = (0.0, 0.0, 0.0);
    for (x, y) in a.iter().zip(b) {
        sab += (x - ma) * (y - mb);
        saa += (x - ma) * (x - ma);
        sbb += (y - mb) * (y - mb);
    }
    sab / (saa * sbb).sqrt()
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let start: usize = args.get(1).map_or(Ok(0), |s| s.parse())?;
    let floats: usize = args.get(2).map_or(Ok(456), |s| s.parse())?;
    let (n, frames, stride) = (128, start + 31, 20u64);
    let frame_dt = 0.005 * stride as f64;
    let mut exec = CpuExecutor::new(Precision::F64);
    let config = Preset::McWilliams.config(n, 0.005, Stepper::Heun, None, None)?;
    let mut les = Les::new(&mut exec, config, &Preset::McWilliams.field(n, 0))?;
    let clock = Instant::now();
    let mut truth = Vec::new();
    for _ in 0..frames {
        truth.push(les.snapshot(&mut exec)?.omega);
        les.advance(&mut exec, stride)?;
    }
    println!("truth: {frames} frames from t = 0, {:.1} s", clock.elapsed().as_secs_f64());
    let omega0 = &truth[start];
    println!("start frame {start} (t = {:.1}), state budget {floats} floats", start as f64 * frame_dt);
    println!("| τ | groups | background k | atoms | vertices | floats | corr(decode∘encode) | Z ratio |");
    println!("|---|---|---|---|---|---|---|---|");
    for (&tau, peaks) in [0.5, 0.3, 0.2, 0.1].iter().flat_map(|t| [(t, false), (t, true)]) {
        for &kb in &[0u32, 4] {
            let cfg =
                EncodeConfig { threshold: tau, background_k: kb, split_at_peaks: peaks, ..EncodeConfig::default() };
            let s = encode(omega0, n, &cfg)?;
            let d = rasterise(&s, n)?;
            println!(
                "| {tau} | {} | {kb} | {} | {} | {} | {:.3} | {:.3} |",
                if peaks { "basins" } else { "components" },
                s.atoms.len(),
                s.vertex_count(),
                s.floats(),
                correlation(&d, omega0),
                enstrophy(&d) / enstrophy(omega0)
            );
        }
    }
    // Dynamics: atoms only (a frozen background would not evolve), Π_MDL with the budget.
    let mdl = MdlConfig::filaments(floats);
    let sub = 4;
    let step_config = StepConfig { dt: frame_dt / sub as f64, scheme: Scheme::Rk4, viscosity: 1e-4, mdl };
    for (tau, peaks) in [(0.3, false), (0.3, true), (0.1, true)] {
        let encoded =
            encode(omega0, n, &EncodeConfig { threshold: tau, split_at_peaks: peaks, ..EncodeConfig::default() })?;
        let mut state = AtomState::new(normal_form(encoded.atoms, &mdl)?.0, Background::empty());
        let clock = Instant::now();
        let mut line = Vec::new();
        let mut high = None;
        for (k, frame) in truth[start..].iter().enumerate() {
            let c = correlation(&rasterise(&state, n)?, frame);
            if c < 0.95 && high.is_none() {
                high = Some(k as f64 * frame_dt);
            }
            if k % 5 == 0 {
                let p = correlation(omega0, frame);
                line.push(format!("t+{:.1}: {c:.3} (persistence {p:.3})", k as f64 * frame_dt));
            }
            for _ in 0..sub {
                state = step(&state, &step_config)?.0;
            }
        }
        println!(
            "τ = {tau}, basins {peaks}: {} atoms, {} floats; corr {}; high-correlation time {:?}; {:.1} s",
            state.atoms.len(),
            state.floats(),
            line.join(", "),
            high,
            clock.elapsed().as_secs_f64()
        );
    }
    Ok(())
}
