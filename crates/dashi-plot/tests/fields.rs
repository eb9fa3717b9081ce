//! Field panels and the triptych: orientation (iy = 0 at the bottom), colours, NaN, shapes.

mod common;

use dashi_plot::colormap::NAN_COLOR;
use dashi_plot::{Canvas, FieldPlot, PlotError, TriptychLimits, triptych};

fn is_red(c: [u8; 3]) -> bool {
    let [r, g, b] = c.map(i32::from);
    r > b + 60 && r > g + 60
}

fn is_blue(c: [u8; 3]) -> bool {
    let [r, g, b] = c.map(i32::from);
    b > r + 60 && b > g + 60
}

/// 16×8 field: a positive blob around (ix, iy) = (3, 1) — left, near the BOTTOM — and a
/// negative one around (12, 6) — right, near the top.
fn blobs() -> (Vec<f32>, usize, usize) {
    let (nx, ny) = (16, 8);
    let mut data = vec![0.0f32; nx * ny];
    for iy in 0..ny {
        for ix in 0..nx {
            let g = |cx: f32, cy: f32| (-((ix as f32 - cx).powi(2) + (iy as f32 - cy).powi(2)) / 2.0).exp();
            data[iy * nx + ix] = g(3.0, 1.0) - g(12.0, 6.0);
        }
    }
    (data, nx, ny)
}

/// Centre pixel of cell (ix, iy) in a rendered panel.
fn cell_pixel(canvas: &Canvas, plot: &FieldPlot, ix: usize, iy: usize, nx: usize, ny: usize) -> [u8; 3] {
    let panel = plot.layout().unwrap().panel;
    let x = panel.x + ((ix as f32 + 0.5) / nx as f32 * panel.width as f32) as i32;
    let y = panel.bottom() - 1 - ((iy as f32 + 0.5) / ny as f32 * panel.height as f32) as i32;
    canvas.pixel(x, y).unwrap()
}

#[test]
fn positive_is_red_at_the_bottom_left_negative_blue_at_the_top_right() {
    let (data, nx, ny) = blobs();
    let plot = FieldPlot::new(&data, nx, ny).title("blobs");
    let canvas = plot.render().unwrap();
    let panel = plot.layout().unwrap().panel;
    assert_eq!((panel.width, panel.height), (384, 192), "16×8 cells upscaled 24×");
    assert!(is_red(cell_pixel(&canvas, &plot, 3, 1, nx, ny)));
    assert!(is_blue(cell_pixel(&canvas, &plot, 12, 6, nx, ny)));
    // Literally: bottom-left quarter of the panel is where the red is.
    let bottom_left = canvas.pixel(panel.x + panel.width as i32 * 3 / 16, panel.bottom() - panel.height as i32 / 8 - 1);
    assert!(is_red(bottom_left.unwrap()), "{bottom_left:?}");
    let top_left = canvas.pixel(panel.x + panel.width as i32 * 3 / 16, panel.y + panel.height as i32 / 8);
    assert!(!is_red(top_left.unwrap()), "iy = 0 is the bottom row, not the top: {top_left:?}");
    // Zero far from both blobs is white.
    assert_eq!(cell_pixel(&canvas, &plot, 15, 0, nx, ny), [255, 255, 255]);
}

#[test]
fn colour_bar_runs_blue_to_red_upwards() {
    let (data, nx, ny) = blobs();
    let plot = FieldPlot::new(&data, nx, ny);
    let canvas = plot.render().unwrap();
    let bar = plot.layout().unwrap().colorbar.unwrap();
    let cx = bar.x + bar.width as i32 / 2;
    assert!(is_red(canvas.pixel(cx, bar.y + 1).unwrap()));
    assert!(is_blue(canvas.pixel(cx, bar.bottom() - 2).unwrap()));
}

#[test]
fn nan_cells_are_grey() {
    let (mut data, nx, ny) = blobs();
    data[2 * nx + 7] = f32::NAN;
    let plot = FieldPlot::new(&data, nx, ny).symmetric_limit(1.0);
    let canvas = plot.render().unwrap();
    assert_eq!(cell_pixel(&canvas, &plot, 7, 2, nx, ny), NAN_COLOR);
    assert_ne!(cell_pixel(&canvas, &plot, 8, 2, nx, ny), NAN_COLOR);
    // An all-NaN field still renders (all grey, limits ±1).
    let nan = vec![f32::NAN; 4];
    let plot = FieldPlot::new(&nan, 2, 2);
    assert_eq!(plot.limits().unwrap(), (-1.0, 1.0));
    let canvas = plot.render().unwrap();
    assert_eq!(cell_pixel(&canvas, &plot, 0, 0, 2, 2), NAN_COLOR);
}

#[test]
fn rendered_field_encodes_as_png() {
    let (data, nx, ny) = blobs();
    let canvas = FieldPlot::new(&data, nx, ny).title("ω").colorbar_label("ω").render().unwrap();
    let (w, h, _) = common::decode_png(&canvas.to_png_bytes().unwrap());
    assert_eq!((w, h), (canvas.width(), canvas.height()));
}

#[test]
fn triptych_shares_the_field_limits_and_checks_shapes() {
    let n = 16;
    let truth: Vec<f32> = (0..n * n).map(|i| if i % n < n / 2 { 1.0 } else { -1.0 }).collect();
    let decoded: Vec<f32> = truth.iter().map(|v| 0.5 * v).collect();
    let error: Vec<f32> = truth.iter().zip(&decoded).map(|(t, d)| d - t).collect();
    let titles = ["truth", "decoded", "error"];
    let canvas = triptych(&truth, &decoded, &error, n, titles, "t = 1", TriptychLimits::default()).unwrap();
    assert!(canvas.width() > 3 * canvas.height() / 2, "three panels side by side");
    // Decoded at half the truth amplitude with shared limits → paler red than truth; the
    // error (−0.5 on the left) saturates its own limits → strong blue.
    let row = canvas.height() as i32 / 2;
    let reds: Vec<(i32, [u8; 3])> = (0..canvas.width() as i32)
        .map(|x| (x, canvas.pixel(x, row).unwrap()))
        .filter(|(_, c)| i32::from(c[0]) > i32::from(c[2]) + 20)
        .collect();
    let darkest = reds.iter().map(|(_, c)| c[1]).min().unwrap();
    let palest = reds.iter().map(|(_, c)| c[1]).max().unwrap();
    assert!(i32::from(palest) > i32::from(darkest) + 50, "decoded should be paler than truth");
    let short = vec![0.0f32; n * n - 1];
    let err = triptych(&truth, &short, &error, n, titles, "", TriptychLimits::default()).unwrap_err();
    assert!(matches!(err, PlotError::ShapeMismatch { .. }) && err.to_string().contains("decoded"), "{err}");
    let bad = TriptychLimits { field: Some(f32::NAN), error: None };
    assert!(matches!(triptych(&truth, &decoded, &error, n, titles, "", bad), Err(PlotError::InvalidParameter { .. })));
}
