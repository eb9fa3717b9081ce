//! The pictures of the CLI (dashi-plot): vorticity frames and animations (diverging
//! colour map, symmetric limits, colour bar), triptychs (truth | decoded | error),
//! correlation curves with the 0.95 line and the train | eval split, spectra on log–log
//! axes with a k⁻³ line.

use dashi_codec::FrameRecord;
use dashi_plot::{
    AxisScale, Canvas, FieldPlot, HAlign, LineChart, Series, TextStyle, TriptychLimits, VAlign, triptych,
};
use std::path::Path;

/// Writes one triptych PNG; `horizon` (train, eval, …) goes into the caption. All three
/// panels use ±`limit` (the caller passes one limit for every frame of a run), so the
/// error panel shows the error on the field's own scale and frames stay comparable.
pub fn write_triptych(
    path: &Path,
    n: usize,
    (truth, decoded): (&[f64], &[f64]),
    record: &FrameRecord,
    horizon: &str,
    limit: f32,
) -> anyhow::Result<()> {
    let t: Vec<f32> = truth.iter().map(|&v| v as f32).collect();
    let d: Vec<f32> = decoded.iter().map(|&v| v as f32).collect();
    let e: Vec<f32> = decoded.iter().zip(truth).map(|(a, b)| (a - b) as f32).collect();
    let caption = format!(
        "frame {} ({horizon})   t = {:.2}   rel-L2 = {:.3}   corr = {:.3}   LSD (log-spectral distance, k = 1..N/3) = {:.2}",
        record.frame, record.time, record.rollout.rel_l2, record.rollout.correlation, record.rollout.lsd
    );
    let canvas = triptych(
        &t,
        &d,
        &e,
        n,
        ["truth ω", "decoded ω", "error (decoded − truth), same scale"],
        &caption,
        TriptychLimits { field: Some(limit), error: Some(limit) },
    )?;
    canvas.write_png_atomic(path)?;
    Ok(())
}

/// One named curve of a score plot: `(time, value)` points, dashed or solid.
pub struct ScoreSeries {
    /// Legend name.
    pub name: String,
    /// `(time, value)` points.
    pub points: Vec<(f64, f64)>,
    /// Dashed (baselines) or solid.
    pub dashed: bool,
}

/// The correlation curves of decode records: the rollout and every baseline present.
pub fn correlation_series(records: &[FrameRecord]) -> Vec<ScoreSeries> {
    type Correlation = fn(&FrameRecord) -> Option<f64>;
    let methods: [(&str, Correlation, bool); 4] = [
        ("v4 rollout", |r| Some(r.rollout.correlation), false),
        ("ideal low-pass", |r| r.low_pass.map(|s| s.correlation), true),
        ("persistence", |r| r.persistence.map(|s| s.correlation), true),
        ("decode(encode(truth))", |r| r.reconstruction.map(|s| s.correlation), false),
    ];
    methods
        .iter()
        .map(|(name, f, dashed)| ScoreSeries {
            name: name.to_string(),
            points: records.iter().filter_map(|r| f(r).map(|c| (r.time, c))).collect(),
            dashed: *dashed,
        })
        .filter(|s| !s.points.is_empty())
        .collect()
}

/// A score (`metric`, e.g. "Pearson correlation") against time, with the 0.95 line for
/// correlations and a vertical line at the end of the training horizon if given.
pub fn write_score_plot(
    path: &Path,
    metric: &str,
    series: &[ScoreSeries],
    train_end_time: Option<f64>,
) -> anyhow::Result<()> {
    let correlation = metric.contains("correlation");
    let title = if correlation { "correlation with truth".to_string() } else { format!("{metric} against truth") };
    let mut chart = LineChart::new(title).x_axis("time", AxisScale::Linear).y_axis(metric, AxisScale::Linear);
    for s in series {
        chart = chart.series(Series::new(s.name.as_str(), s.points.iter().copied()).dashed(s.dashed));
    }
    if correlation {
        chart = chart.hline(dashi_codec::HIGH_CORRELATION, "0.95");
    }
    if let Some(t) = train_end_time {
        chart = chart.vline(t, "train | eval");
    }
    chart.render(900, 520)?.write_png_atomic(path)?;
    Ok(())
}

/// Energy spectra on log–log axes with a k⁻³ reference line. The y range spans twelve
/// decades below the largest value: the 2/3-dealiased truth drops to round-off beyond
/// k ≈ N/3·√2, and those values would otherwise squash the inertial range.
/// Each curve is `(name, E(k) by shell k, dashed)`.
///
/// Only the shells the 2/3-dealiased LES resolves are drawn, `1 ≤ k ≤ N/3` (beyond, the
/// corners of the grid hold only round-off), and the energy axis spans what is drawn.
pub fn write_spectrum_plot(path: &Path, n: usize, title: &str, curves: &[(&str, &[f64], bool)]) -> anyhow::Result<()> {
    let mut chart = LineChart::new(title).x_axis("k", AxisScale::Log10).y_axis("E(k)", AxisScale::Log10);
    let mut anchor = None;
    let resolved = (n / 3).max(1);
    let shown = |e: &[f64]| -> Vec<(f64, f64)> {
        e.iter().enumerate().skip(1).take(resolved).filter(|(_, v)| **v > 0.0).map(|(k, v)| (k as f64, *v)).collect()
    };
    let drawn: Vec<f64> = curves.iter().flat_map(|(_, e, _)| shown(e)).map(|(_, v)| v).collect();
    let peak = drawn.iter().fold(0.0f64, |m, v| m.max(*v));
    let floor = drawn.iter().fold(f64::INFINITY, |m, v| m.min(*v)).max(peak * 1e-12);
    for (name, e, dashed) in curves {
        let points = shown(e);
        if anchor.is_none() {
            anchor = points.iter().find(|(k, _)| *k >= 8.0).copied();
        }
        chart = chart.series(Series::new(*name, points).dashed(*dashed));
    }
    if peak > 0.0 {
        chart = chart.y_range(floor * 0.5, peak * 3.0);
    }
    if let Some((k, e)) = anchor {
        chart = chart.power_law(e * k.powi(3), -3.0, "k^-3");
    }
    chart.render(900, 520)?.write_png_atomic(path)?;
    Ok(())
}

/// One vorticity frame as a PNG: diverging colour map, symmetric limits ±`limit`
/// (±max|ω| of the frame when `None`), colour bar labelled ω.
pub fn write_vorticity_png(
    path: &Path,
    n: usize,
    omega: &[f64],
    title: &str,
    limit: Option<f32>,
) -> anyhow::Result<()> {
    let data: Vec<f32> = omega.iter().map(|&v| v as f32).collect();
    let limit = limit.unwrap_or_else(|| dashi_plot::field::auto_limit(&data));
    FieldPlot::new(&data, n, n)
        .title(title)
        .colorbar_label("ω")
        .symmetric_limit(limit)
        .render()?
        .write_png_atomic(path)?;
    Ok(())
}

/// Side length (cells) of the fields kept for an animation: larger grids are box-averaged
/// down to this so a long run's frames fit in memory.
const ANIMATION_SIDE: usize = 256;

/// Frames kept at most per animation (longer runs keep every k-th frame).
pub const ANIMATION_FRAMES: usize = 120;

/// An animated GIF of one or more vorticity panels per frame (e.g. truth | decoded),
/// collected during a run and rendered at the end so that every frame shares one
/// symmetric colour limit ±max|ω| over all kept frames.
pub struct FieldAnimation {
    titles: Vec<String>,
    side: usize,
    every: usize,
    offered: usize,
    frames: Vec<(String, Vec<Vec<f32>>)>,
}

impl FieldAnimation {
    /// An animation of `titles.len()` panels of `n × n` fields, for a run offering
    /// `expected` frames (every k-th is kept so that at most [`ANIMATION_FRAMES`] are).
    pub fn new(titles: &[&str], n: usize, expected: usize) -> Self {
        let side = n.min(ANIMATION_SIDE);
        Self {
            titles: titles.iter().map(|t| t.to_string()).collect(),
            side,
            every: expected.div_ceil(ANIMATION_FRAMES).max(1),
            offered: 0,
            frames: Vec::new(),
        }
    }

    /// Offers one frame (`fields` in panel order, each `n × n`); `caption` runs above it.
    pub fn offer(&mut self, caption: String, fields: &[&[f64]]) {
        let keep = self.offered.is_multiple_of(self.every);
        self.offered += 1;
        if keep {
            let panels = fields.iter().map(|f| box_average(f, self.side)).collect();
            self.frames.push((caption, panels));
        }
    }

    /// Renders every kept frame and writes the GIF atomically (`delay_ms` per frame). The
    /// colour limit is max|ω| of the first panel (the truth) over all kept frames; other
    /// panels saturate beyond it.
    pub fn write(&self, path: &Path, delay_ms: u32) -> anyhow::Result<()> {
        let limit = self
            .frames
            .iter()
            .filter_map(|(_, panels)| panels.first().and_then(|p| dashi_plot::field::max_abs(p)))
            .fold(0.0f32, f32::max);
        let limit = if limit > 0.0 { limit } else { 1.0 };
        let mut gif = dashi_plot::GifAnimation::new(delay_ms);
        for (caption, panels) in &self.frames {
            gif.push(field_row(panels, self.side, &self.titles, caption, limit)?)?;
        }
        gif.write_gif_atomic(path)?;
        Ok(())
    }
}

/// `panels` side by side (one shared limit, one colour bar at the right) under `caption`.
fn field_row(panels: &[Vec<f32>], n: usize, titles: &[String], caption: &str, limit: f32) -> anyhow::Result<Canvas> {
    let plots: Vec<FieldPlot> = panels
        .iter()
        .zip(titles)
        .enumerate()
        .map(|(i, (p, t))| {
            FieldPlot::new(p, n, n)
                .title(t)
                .symmetric_limit(limit)
                .panel_size(256, 256)
                .colorbar(i + 1 == panels.len())
                .colorbar_label("ω")
        })
        .collect();
    let layouts = plots.iter().map(|p| p.layout()).collect::<Result<Vec<_>, _>>()?;
    let (pad, caption_h) = (12, 28);
    let width = layouts.iter().map(|l| l.bounds.width).sum::<u32>() + 2 * pad;
    let height = layouts.iter().map(|l| l.bounds.height).max().unwrap_or(0) + caption_h + pad;
    let mut canvas = Canvas::new(width, height, [255, 255, 255])?;
    let mut x = pad as i32;
    for (plot, layout) in plots.iter().zip(&layouts) {
        plot.draw(&mut canvas, x, caption_h as i32)?;
        x += layout.bounds.width as i32;
    }
    let style = TextStyle::new([0, 0, 0], 2).align(HAlign::Center, VAlign::Top);
    canvas.text(width as i32 / 2, 8, caption, &style);
    Ok(canvas)
}

/// `field` (`n × n`, row-major) box-averaged to `side × side` (`side` divides `n`).
fn box_average(field: &[f64], side: usize) -> Vec<f32> {
    let n = (field.len() as f64).sqrt() as usize;
    let s = (n / side).max(1);
    let mut out = vec![0.0f32; side * side];
    for (iy, row) in out.chunks_exact_mut(side).enumerate() {
        for (ix, v) in row.iter_mut().enumerate() {
            let mut sum = 0.0;
            for dy in 0..s {
                let start = (iy * s + dy) * n + ix * s;
                sum += field[start..start + s].iter().sum::<f64>();
            }
            *v = (sum / (s * s) as f64) as f32;
        }
    }
    out
}

/// Energy, enstrophy and palinstrophy of a truth over time, each relative to t = 0.
pub fn write_diagnostics_plot(path: &Path, truth: &dashi_les::truth::Truth) -> anyhow::Result<()> {
    let rows = truth.diagnostics();
    let Some(first) = rows.first() else { anyhow::bail!("{}: diagnostics.csv has no rows", truth.dir().display()) };
    type Pick = fn(&dashi_les::truth::DiagnosticsRow) -> f64;
    let quantities: [(&str, Pick); 3] =
        [("energy", |d| d.energy), ("enstrophy", |d| d.enstrophy), ("palinstrophy", |d| d.palinstrophy)];
    let mut chart = LineChart::new(format!("diagnostics of {}", truth.meta().truth_id))
        .x_axis("time", AxisScale::Linear)
        .y_axis("value / value at t = 0", AxisScale::Linear);
    for (name, pick) in quantities {
        let base = pick(first);
        if base > 0.0 {
            chart = chart.series(Series::new(name, rows.iter().map(|d| (d.time, pick(d) / base))));
        }
    }
    chart.render(900, 520)?.write_png_atomic(path)?;
    Ok(())
}
