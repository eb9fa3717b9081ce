//! Line charts: ticks, log axes, NaN refusal, what gets drawn.

mod common;

use dashi_plot::chart::PALETTE;
use dashi_plot::{AxisScale, Canvas, LineChart, PlotError, Series, log_ticks};

fn count(canvas: &Canvas, color: [u8; 3]) -> usize {
    canvas.pixels().chunks_exact(3).filter(|p| *p == color).count()
}

#[test]
fn log_ticks_are_decades() {
    let ticks = log_ticks(1e-6, 1e2);
    let expected: Vec<f64> = (-6..=2).map(|k| 10f64.powi(k)).collect();
    assert_eq!(ticks.len(), expected.len(), "{ticks:?}");
    for (t, e) in ticks.iter().zip(&expected) {
        assert!((t / e - 1.0).abs() < 1e-12, "{t} vs {e}");
    }
}

#[test]
fn nan_in_a_series_is_an_error_naming_it() {
    let chart = LineChart::new("corr").series(Series::new("decoded", [(0.0, 1.0), (1.0, f64::NAN), (2.0, 0.5)]));
    let err = chart.render(800, 500).unwrap_err();
    assert!(matches!(err, PlotError::NaN { index: 1, .. }), "{err}");
    assert!(err.to_string().contains("decoded"), "{err}");
    let chart = LineChart::new("").series(Series::new("x", [(f64::NAN, 1.0)]));
    assert!(matches!(chart.render(800, 500), Err(PlotError::NaN { index: 0, .. })));
    let chart = LineChart::new("").series(Series::new("x", [(1.0, 1.0)])).hline(f64::NAN, "bad");
    assert!(matches!(chart.render(800, 500), Err(PlotError::NaN { .. })));
}

#[test]
fn series_are_drawn_in_their_colours() {
    let xs: Vec<f64> = (0..50).map(f64::from).collect();
    let chart = LineChart::new("two")
        .series(Series::new("a", xs.iter().map(|&x| (x, x.sin()))))
        .series(Series::new("b", xs.iter().map(|&x| (x, x.cos()))));
    let canvas = chart.render(800, 500).unwrap();
    assert!(count(&canvas, PALETTE[0]) > 200, "first series drawn");
    assert!(count(&canvas, PALETTE[1]) > 200, "second series drawn");
    assert_eq!(count(&canvas, PALETTE[2]), 0, "no third series");
    let (w, h, _) = common::decode_png(&canvas.to_png_bytes().unwrap());
    assert_eq!((w, h), (800, 500));
}

#[test]
fn log_axes_skip_non_positive_points() {
    let colour = [10, 200, 10];
    let with_zeros = LineChart::new("spectrum")
        .x_axis("k", AxisScale::Log10)
        .y_axis("E", AxisScale::Log10)
        .series(Series::new("E", [(0.0, 1.0), (1.0, 1.0), (2.0, 0.1), (4.0, 0.0), (8.0, 1e-3)]).color(colour));
    let canvas = with_zeros.render(800, 500).unwrap();
    assert!(count(&canvas, colour) > 50, "the positive part is drawn");
    // Only non-positive points → nothing to draw → an error, not an empty chart.
    let nothing = LineChart::new("").y_axis("", AxisScale::Log10).series(Series::new("z", [(1.0, 0.0), (2.0, -1.0)]));
    assert!(matches!(nothing.render(800, 500), Err(PlotError::EmptyData { .. })));
}

#[test]
fn reference_lines_are_drawn() {
    let pts: Vec<(f64, f64)> = (1..=32).map(|k| (f64::from(k), f64::from(k).powi(-3))).collect();
    let base = LineChart::new("")
        .x_axis("k", AxisScale::Log10)
        .y_axis("E", AxisScale::Log10)
        .series(Series::new("E", pts).color([0, 0, 255]));
    let plain = base.clone().render(800, 500).unwrap();
    let with_ref = base.power_law(2.0, -3.0, "k^-3").hline(1e-2, "floor").vline(4.0, "split").render(800, 500).unwrap();
    let grey = |c: &Canvas| {
        c.pixels().chunks_exact(3).filter(|p| p[0] == p[1] && p[1] == p[2] && p[0] < 200 && p[0] > 60).count()
    };
    assert!(grey(&with_ref) > grey(&plain) + 300, "dashed grey reference lines and labels appear");
}
