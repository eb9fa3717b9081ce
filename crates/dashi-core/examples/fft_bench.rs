//! 2D FFT throughput of the CPU spectral layer, one JSON line per (N, dtype, kind).
//!
//! ```text
//! cargo run --release -p dashi-core --example fft_bench -- \
//!     [--sizes 64,128,256,512,1024] [--dtypes f64,f32] [--kinds c2c,r2c] \
//!     [--repeats 5] [--min-ms 200] [--threads T]
//! ```
//!
//! `c2c` times [`Fft2::fft2`] of a random complex N×N field, `r2c` times
//! [`Fft2::rfft2`] of a random real one — forward, out of place, the output freshly
//! allocated each call, exactly what `np.fft.fft2` / `np.fft.rfft2` do. Each repeat runs
//! the transform back to back for at least `--min-ms` milliseconds (the iteration count
//! is fixed once per case by a calibration run); the line reports the median over
//! `--repeats` of the per-transform time:
//!
//! `{"bench":"fft2","n":…,"dtype":…,"kind":…,"threads":…,"repeats":…,"iters":…,"ms_per_fft2":…,"fft2_per_s":…}`
//!
//! `--threads` caps the worker threads (default: all available cores).

use dashi_core::random::SplitMix64;
use dashi_core::scalar::Real;
use dashi_core::spectral::{Complex, Fft2, Fft2Planner, SpectralReal};
use std::hint::black_box;
use std::time::Instant;

struct Args {
    sizes: Vec<usize>,
    dtypes: Vec<String>,
    kinds: Vec<String>,
    repeats: usize,
    min_ms: f64,
    threads: Option<usize>,
}

fn list(value: &str) -> Vec<String> {
    value.split(',').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect()
}

fn parse() -> Result<Args, String> {
    let mut a = Args {
        sizes: vec![64, 128, 256, 512, 1024],
        dtypes: vec!["f64".into(), "f32".into()],
        kinds: vec!["c2c".into(), "r2c".into()],
        repeats: 5,
        min_ms: 200.0,
        threads: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next().ok_or(format!("{flag} needs a value"))?;
        let bad = |e: &dyn std::fmt::Display| format!("{flag} {value}: {e}");
        match flag.as_str() {
            "--sizes" => {
                a.sizes = list(&value).iter().map(|s| s.parse().map_err(|e| bad(&e))).collect::<Result<_, _>>()?
            }
            "--dtypes" => a.dtypes = list(&value),
            "--kinds" => a.kinds = list(&value),
            "--repeats" => a.repeats = value.parse().map_err(|e| bad(&e))?,
            "--min-ms" => a.min_ms = value.parse().map_err(|e| bad(&e))?,
            "--threads" => a.threads = Some(value.parse().map_err(|e| bad(&e))?),
            _ => return Err(format!("unknown flag {flag}")),
        }
    }
    if a.dtypes.iter().any(|d| d != "f64" && d != "f32") || a.kinds.iter().any(|k| k != "c2c" && k != "r2c") {
        return Err("dtypes are f64,f32; kinds are c2c,r2c".into());
    }
    if a.repeats == 0 || a.sizes.is_empty() || !(a.min_ms.is_finite() && a.min_ms > 0.0) || a.threads == Some(0) {
        return Err("repeats, threads and min-ms must be positive and sizes non-empty".into());
    }
    Ok(a)
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// Median seconds per call of `f` over `repeats` timed runs of `iters` calls.
fn time(repeats: usize, min_ms: f64, mut f: impl FnMut()) -> (f64, usize) {
    // Calibrate (and warm up): how many calls fill `min_ms`.
    let start = Instant::now();
    let mut calls = 0usize;
    while start.elapsed().as_secs_f64() * 1e3 < min_ms.min(100.0) || calls < 2 {
        f();
        calls += 1;
    }
    let per_call = start.elapsed().as_secs_f64() / calls as f64;
    let iters = ((min_ms / 1e3 / per_call).ceil() as usize).max(1);
    let times = (0..repeats)
        .map(|_| {
            let t = Instant::now();
            for _ in 0..iters {
                f();
            }
            t.elapsed().as_secs_f64() / iters as f64
        })
        .collect();
    (median(times), iters)
}

fn bench<T: SpectralReal>(args: &Args, plan: &Fft2<T>, kind: &str) -> String {
    let n = plan.grid().n();
    let mut g = SplitMix64::new(n as u64);
    let (secs, iters) = if kind == "c2c" {
        let input: Vec<Complex<T>> = (0..n * n)
            .map(|_| Complex::new(<T as Real>::from_f64(g.normal()), <T as Real>::from_f64(g.normal())))
            .collect();
        time(args.repeats, args.min_ms, || {
            black_box(plan.fft2(black_box(&input)).expect("valid input"));
        })
    } else {
        let input: Vec<T> = (0..n * n).map(|_| <T as Real>::from_f64(g.normal())).collect();
        time(args.repeats, args.min_ms, || {
            black_box(plan.rfft2(black_box(&input)).expect("valid input"));
        })
    };
    format!(
        "{{\"bench\":\"fft2\",\"n\":{n},\"dtype\":\"{}\",\"kind\":\"{kind}\",\"threads\":{},\"repeats\":{},\
         \"iters\":{iters},\"ms_per_fft2\":{},\"fft2_per_s\":{}}}",
        T::NAME,
        plan.threads(),
        args.repeats,
        secs * 1e3,
        1.0 / secs
    )
}

fn run<T: SpectralReal>(args: &Args, n: usize) -> Result<(), String> {
    let mut planner = Fft2Planner::<T>::new();
    let mut plan = planner.plan_n(n).map_err(|e| e.to_string())?;
    if let Some(t) = args.threads {
        plan = plan.with_threads(t);
    }
    for kind in &args.kinds {
        println!("{}", bench(args, &plan, kind));
    }
    Ok(())
}

fn main() {
    let result = parse().and_then(|args| {
        for &n in &args.sizes {
            for dtype in &args.dtypes {
                if dtype == "f64" { run::<f64>(&args, n)? } else { run::<f32>(&args, n)? }
            }
        }
        Ok(())
    });
    if let Err(e) = result {
        eprintln!("fft_bench: {e}");
        std::process::exit(2);
    }
}
