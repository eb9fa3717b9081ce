//! The pictures of `dashi decode` / `sweep` (dashi-plot): triptychs (truth | decoded |
//! error) with diverging colour maps and symmetric limits, correlation curves with the
//! 0.95 line and the train | eval split, spectra on log–log axes with a k⁻³ line.

use dashi_codec::FrameRecord;
use dashi_plot::{AxisScale, LineChart, Series, TriptychLimits, triptych};
use std::path::Path;

/// Writes one triptych PNG.
pub fn write_triptych(
    path: &Path,
    n: usize,
    truth: &[f64],
    decoded: &[f64],
    record: &FrameRecord,
    limit: f32,
) -> anyhow::Result<()> {
    let t: Vec<f32> = truth.iter().map(|&v| v as f32).collect();
    let d: Vec<f32> = decoded.iter().map(|&v| v as f32).collect();
    let e: Vec<f32> = decoded.iter().zip(truth).map(|(a, b)| (a - b) as f32).collect();
    let caption = format!(
        "frame {}   t = {:.2}   rel-L2 = {:.3}   corr = {:.3}   LSD = {:.2}",
        record.frame, record.time, record.rollout.rel_l2, record.rollout.correlation, record.rollout.lsd
    );
    let canvas = triptych(
        &t,
        &d,
        &e,
        n,
        ["truth", "decoded", "error (decoded - truth)"],
        &caption,
        TriptychLimits { field: Some(limit), error: None },
    )?;
    canvas.write_png_atomic(path)?;
    Ok(())
}

/// Correlation against time for the rollout and the two baselines.
pub fn write_score_plot(path: &Path, records: &[FrameRecord], train_end_time: f64) -> anyhow::Result<()> {
    let pick = |f: &dyn Fn(&FrameRecord) -> Option<f64>| {
        records.iter().filter_map(|r| f(r).map(|c| (r.time, c))).collect::<Vec<_>>()
    };
    let mut chart = LineChart::new("correlation with truth")
        .x_axis("time", AxisScale::Linear)
        .y_axis("Pearson correlation", AxisScale::Linear)
        .series(Series::new("v4 rollout", pick(&|r| Some(r.rollout.correlation))))
        .hline(dashi_codec::HIGH_CORRELATION, "0.95")
        .vline(train_end_time, "train | eval");
    type Correlation = fn(&FrameRecord) -> Option<f64>;
    let optional: [(&str, Correlation, bool); 3] = [
        ("ideal low-pass", |r| r.low_pass.map(|s| s.correlation), true),
        ("persistence", |r| r.persistence.map(|s| s.correlation), true),
        ("decode(encode(truth))", |r| r.reconstruction.map(|s| s.correlation), false),
    ];
    for (name, f, dashed) in optional {
        let points = pick(&f);
        if !points.is_empty() {
            chart = chart.series(Series::new(name, points).dashed(dashed));
        }
    }
    chart.render(900, 520)?.write_png_atomic(path)?;
    Ok(())
}

/// Energy spectra of one frame on log–log axes, with a k⁻³ reference line.
pub fn write_spectrum_plot(path: &Path, title: &str, curves: &[(&str, &[f64])]) -> anyhow::Result<()> {
    let mut chart = LineChart::new(title).x_axis("k", AxisScale::Log10).y_axis("E(k)", AxisScale::Log10);
    let mut anchor = None;
    for (name, e) in curves {
        let points: Vec<(f64, f64)> =
            e.iter().enumerate().skip(1).filter(|(_, v)| **v > 0.0).map(|(k, v)| (k as f64, *v)).collect();
        if anchor.is_none() {
            anchor = points.iter().find(|(k, _)| *k >= 8.0).copied();
        }
        chart = chart.series(Series::new(*name, points));
    }
    if let Some((k, e)) = anchor {
        chart = chart.power_law(e * k.powi(3), -3.0, "k^-3");
    }
    chart.render(900, 520)?.write_png_atomic(path)?;
    Ok(())
}
