//! Writes sample pictures into the directory given as the first argument:
//!
//! * `triptych.png` — truth | decoded | error of a synthetic vorticity field;
//! * `spectrum.png` — a log–log energy spectrum with a k^-3 reference line;
//! * `correlation.png` — correlation against time with a 0.95 line and a train | eval marker;
//! * `field.png` — one field panel with a labelled colour bar;
//! * `vortices.gif` — a short animation of drifting vortices.
//!
//! ```text
//! cargo run -p dashi-plot --example gallery -- /tmp/dashi-plot-gallery
//! ```

use std::f32::consts::PI;
use std::path::PathBuf;

use dashi_plot::{AxisScale, FieldPlot, GifAnimation, LineChart, PlotError, Series, TriptychLimits, triptych};

/// A tiny deterministic generator (64-bit LCG), enough for sample data.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> f32 {
        self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 40) as f32 / (1u64 << 24) as f32
    }
}

/// Gaussian vortices on a periodic n×n grid (iy = 0 at the bottom), shifted by `drift`.
fn vortices(n: usize, seed: u64, drift: f32) -> Vec<f32> {
    let mut rng = Lcg(seed);
    let blobs: Vec<(f32, f32, f32, f32)> = (0..28)
        .map(|_| {
            let (x, y) = (rng.next() * n as f32, rng.next() * n as f32);
            let r = 3.0 + 9.0 * rng.next();
            let sign = if rng.next() < 0.5 { -1.0 } else { 1.0 };
            (x, y, r, sign * (0.6 + 0.8 * rng.next()))
        })
        .collect();
    let mut w = vec![0.0f32; n * n];
    for iy in 0..n {
        for ix in 0..n {
            let mut v = 0.0;
            for &(x, y, r, a) in &blobs {
                let wrap = |d: f32| (d + n as f32 / 2.0).rem_euclid(n as f32) - n as f32 / 2.0;
                let dx = wrap(ix as f32 - x - drift * a.signum() * r * 0.3);
                let dy = wrap(iy as f32 - y - drift * 0.5);
                v += a * (-(dx * dx + dy * dy) / (2.0 * r * r)).exp();
            }
            // Thin filaments between the vortices.
            let (fx, fy) = (ix as f32 / n as f32, iy as f32 / n as f32);
            v += 0.15 * (2.0 * PI * (3.0 * fx + 5.0 * fy) + drift).sin() * (2.0 * PI * 2.0 * fy).cos();
            w[iy * n + ix] = v;
        }
    }
    w
}

/// A 3×3 periodic box blur, `times` times: a stand-in for a decoder that loses small scales.
fn blur(field: &[f32], n: usize, times: usize) -> Vec<f32> {
    let mut f = field.to_vec();
    for _ in 0..times {
        let g = f.clone();
        for iy in 0..n {
            for ix in 0..n {
                let mut s = 0.0;
                for dy in [n - 1, 0, 1] {
                    for dx in [n - 1, 0, 1] {
                        s += g[((iy + dy) % n) * n + (ix + dx) % n];
                    }
                }
                f[iy * n + ix] = s / 9.0;
            }
        }
    }
    f
}

fn main() -> Result<(), PlotError> {
    let dir = PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| "dashi-plot-gallery".into()));
    std::fs::create_dir_all(&dir).map_err(|source| PlotError::Io { path: dir.clone(), source })?;

    // Triptych.
    let n = 128;
    let truth = vortices(n, 7, 0.0);
    let mut rng = Lcg(99);
    let blurred = blur(&truth, n, 4);
    // A decoder that smooths, lags by a couple of cells, and adds a little noise.
    let decoded: Vec<f32> = (0..n * n)
        .map(|i| {
            let (ix, iy) = (i % n, i / n);
            0.9 * blurred[((iy + 1) % n) * n + (ix + 2) % n] + 0.12 * (rng.next() - 0.5)
        })
        .collect();
    let error: Vec<f32> = decoded.iter().zip(&truth).map(|(d, t)| d - t).collect();
    let norm = |v: &[f32]| v.iter().map(|x| f64::from(*x).powi(2)).sum::<f64>().sqrt();
    let rel = norm(&error) / norm(&truth);
    let dot: f64 = truth.iter().zip(&decoded).map(|(a, b)| f64::from(*a) * f64::from(*b)).sum();
    let corr = dot / (norm(&truth) * norm(&decoded));
    let caption = format!("t = 12.5    rel-L2 = {rel:.3}    corr = {corr:.3}");
    let titles = ["truth ω", "decoded ω", "error (decoded − truth)"];
    let canvas = triptych(&truth, &decoded, &error, n, titles, &caption, TriptychLimits::default())?;
    canvas.write_png_atomic(dir.join("triptych.png"))?;

    // Spectrum: E(k) ~ k^-3 in the inertial range, decoded falling off at high k.
    let k: Vec<f64> = (1..=64).map(f64::from).collect();
    let e_truth: Vec<f64> =
        k.iter().map(|&k| 2e-2 * k.powi(-3) * (1.0 + 0.15 * (k * 0.7).sin()) * (-(k / 50.0).powi(4)).exp()).collect();
    let e_dec: Vec<f64> = e_truth.iter().zip(&k).map(|(e, k)| 0.9 * e / (1.0 + (k / 14.0).powi(4))).collect();
    let spectrum = LineChart::new("Energy spectrum, t = 12.5")
        .x_axis("wavenumber k", AxisScale::Log10)
        .y_axis("E(k)", AxisScale::Log10)
        .series(Series::from_xy("truth", &k, &e_truth)?)
        .series(Series::from_xy("decoded", &k, &e_dec)?)
        .power_law(4e-2, -3.0, "k^-3");
    spectrum.render(1000, 680)?.write_png_atomic(dir.join("spectrum.png"))?;

    // Correlation against time, training window then evaluation.
    let t: Vec<f64> = (0..=100).map(|i| f64::from(i) * 0.25).collect();
    let corr_dec: Vec<f64> =
        t.iter().map(|&t| if t <= 10.0 { 0.995 - 0.0008 * t } else { 0.987 - 0.012 * (t - 10.0) }).collect();
    let corr_pers: Vec<f64> = t.iter().map(|&t| (-t / 9.0).exp() * 0.999).collect();
    let correlation = LineChart::new("Correlation with truth")
        .x_axis("time t", AxisScale::Linear)
        .y_axis("corr", AxisScale::Linear)
        .series(Series::from_xy("decoded", &t, &corr_dec)?)
        .series(Series::from_xy("persistence", &t, &corr_pers)?.dashed(true))
        .hline(0.95, "0.95")
        .vline(10.0, "train | eval");
    correlation.render(1000, 620)?.write_png_atomic(dir.join("correlation.png"))?;

    // One panel with a labelled colour bar.
    let single = FieldPlot::new(&truth, n, n).title("vorticity ω, t = 12.5").colorbar_label("ω");
    single.render()?.write_png_atomic(dir.join("field.png"))?;

    // A short animation with fixed limits.
    let mut animation = GifAnimation::new(120);
    let limit = dashi_plot::field::auto_limit(&truth);
    for step in 0..12 {
        let w = vortices(64, 7, step as f32 * 0.5);
        let frame = FieldPlot::new(&w, 64, 64).symmetric_limit(limit).title(&format!("ω, step {step}"));
        animation.push(frame.render()?)?;
    }
    animation.write_gif_atomic(dir.join("vortices.gif"))?;

    for name in ["triptych.png", "spectrum.png", "correlation.png", "field.png", "vortices.gif"] {
        println!("{}", dir.join(name).display());
    }
    Ok(())
}
