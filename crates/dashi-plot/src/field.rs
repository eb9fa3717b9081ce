//! [`FieldPlot`]: a colour-mapped picture of a real 2D field with a title and a colour bar.
//!
//! Field layout: `data[iy * nx + ix]`, row-major, `ix` along x (left → right) and `iy`
//! along y with **`iy = 0` at the bottom** of the picture (a physicist's y axis, not an
//! image's). Cells are upscaled (or downscaled) to the panel size by nearest neighbour, so
//! every grid cell stays a crisp block. NaN cells are drawn in [`NAN_COLOR`] grey; ±∞
//! saturate to the ends of the colour map.

use crate::axis::format_significant;
use crate::colormap::NAN_COLOR;
use crate::font::{CELL_HEIGHT, LINE_HEIGHT};
use crate::text::{HAlign, TextStyle, VAlign};
use crate::{Canvas, Colormap, PlotError, Rect, Rgb};

const TEXT: Rgb = [25, 25, 25];
const FRAME: Rgb = [60, 60, 60];
/// Colour-bar tick length and tick-to-label gap, in units of the text scale.
const TICK: u32 = 3;
const GAP: u32 = 3;

/// The largest finite `|x|` of `data`; `None` if no value is finite.
pub fn max_abs(data: &[f32]) -> Option<f32> {
    data.iter().filter(|v| v.is_finite()).map(|v| v.abs()).fold(None, |m, v| Some(m.map_or(v, |m: f32| m.max(v))))
}

/// The symmetric limit used for `data` when none is given: `max |x|`, or 1 when the field
/// is all zero / all NaN.
pub fn auto_limit(data: &[f32]) -> f32 {
    match max_abs(data) {
        Some(l) if l > 0.0 => l,
        _ => 1.0,
    }
}

/// How values map onto the colour map.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum FieldScale {
    /// `[−L, +L]`; `None` = `L` computed as `max |x|` of the field.
    Symmetric(Option<f32>),
    /// `[lo, hi]`, for sequential maps of magnitudes.
    Range(f32, f32),
}

/// Where [`FieldPlot::draw`] put things, in the coordinates of the target canvas.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FieldLayout {
    /// Everything drawn: title, panel, colour bar and its labels.
    pub bounds: Rect,
    /// The field itself (`ix = 0` at the left edge, `iy = 0` at the bottom edge).
    pub panel: Rect,
    /// The colour bar strip, when drawn.
    pub colorbar: Option<Rect>,
    /// The value range mapped onto the colour map, `(lo, hi)`.
    pub limits: (f32, f32),
}

/// A colour-mapped field panel; build it, then [`render`](FieldPlot::render) it or
/// [`draw`](FieldPlot::draw) it into a larger canvas.
///
/// ```
/// use dashi_plot::FieldPlot;
/// let (nx, ny) = (32, 16);
/// let omega: Vec<f32> = (0..nx * ny).map(|i| ((i % nx) as f32 * 0.3).sin()).collect();
/// let canvas = FieldPlot::new(&omega, nx, ny).title("ω  t = 1.5").render()?;
/// assert!(canvas.width() > 384);
/// # Ok::<(), dashi_plot::PlotError>(())
/// ```
#[derive(Debug, Clone)]
pub struct FieldPlot<'a> {
    data: &'a [f32],
    nx: usize,
    ny: usize,
    scale: FieldScale,
    colormap: Colormap,
    title: String,
    colorbar: bool,
    colorbar_label: String,
    panel: Option<(u32, u32)>,
    text_scale: u32,
}

impl<'a> FieldPlot<'a> {
    /// A panel of `data`, `nx` cells wide and `ny` tall (`data[iy * nx + ix]`, iy = 0 at the
    /// bottom), diverging colours, symmetric automatic limits, with a colour bar.
    pub fn new(data: &'a [f32], nx: usize, ny: usize) -> Self {
        Self {
            data,
            nx,
            ny,
            scale: FieldScale::Symmetric(None),
            colormap: Colormap::Diverging,
            title: String::new(),
            colorbar: true,
            colorbar_label: String::new(),
            panel: None,
            text_scale: 2,
        }
    }

    /// Symmetric limits `±limit` (must be finite and > 0).
    pub fn symmetric_limit(mut self, limit: f32) -> Self {
        self.scale = FieldScale::Symmetric(Some(limit));
        self
    }

    /// Any [`FieldScale`].
    pub fn scale(mut self, scale: FieldScale) -> Self {
        self.scale = scale;
        self
    }

    /// The colour map (default [`Colormap::Diverging`]).
    pub fn colormap(mut self, colormap: Colormap) -> Self {
        self.colormap = colormap;
        self
    }

    /// A title centred above the panel.
    pub fn title(mut self, title: &str) -> Self {
        self.title = title.to_string();
        self
    }

    /// Whether to draw the colour bar (default yes).
    pub fn colorbar(mut self, on: bool) -> Self {
        self.colorbar = on;
        self
    }

    /// A label written above the colour bar (e.g. `"ω"`).
    pub fn colorbar_label(mut self, label: &str) -> Self {
        self.colorbar_label = label.to_string();
        self
    }

    /// Size of the field panel in pixels (default: the grid upscaled by an integer factor
    /// to about 384 pixels, or shrunk to 1024 pixels on its long side).
    pub fn panel_size(mut self, width: u32, height: u32) -> Self {
        self.panel = Some((width, height));
        self
    }

    /// Integer text scale (default 2).
    pub fn text_scale(mut self, scale: u32) -> Self {
        self.text_scale = scale.max(1);
        self
    }

    fn check(&self) -> Result<(), PlotError> {
        let what = || if self.title.is_empty() { "field".to_string() } else { format!("field '{}'", self.title) };
        if self.nx == 0 || self.ny == 0 {
            return Err(PlotError::empty(format!("{} of {}x{} cells", what(), self.nx, self.ny)));
        }
        let expected =
            self.nx.checked_mul(self.ny).ok_or_else(|| PlotError::size(what(), self.nx as u64, self.ny as u64))?;
        if self.data.len() != expected {
            return Err(PlotError::ShapeMismatch {
                what: format!("{} of {}x{} cells", what(), self.nx, self.ny),
                expected,
                got: self.data.len(),
            });
        }
        Ok(())
    }

    /// The value range `(lo, hi)` mapped onto the colour map.
    pub fn limits(&self) -> Result<(f32, f32), PlotError> {
        self.check()?;
        match self.scale {
            FieldScale::Symmetric(Some(l)) if l.is_finite() && l > 0.0 => Ok((-l, l)),
            FieldScale::Symmetric(Some(l)) => {
                Err(PlotError::param("symmetric colour limit (must be finite and > 0)", l))
            }
            FieldScale::Symmetric(None) => {
                let l = auto_limit(self.data);
                Ok((-l, l))
            }
            FieldScale::Range(lo, hi) if lo.is_finite() && hi.is_finite() && hi > lo => Ok((lo, hi)),
            FieldScale::Range(lo, hi) => {
                Err(PlotError::param("colour range (need finite lo < hi)", format!("[{lo}, {hi}]")))
            }
        }
    }

    fn panel_dims(&self) -> Result<(u32, u32), PlotError> {
        if let Some((w, h)) = self.panel {
            if w == 0 || h == 0 || w > crate::image::MAX_SIDE / 2 || h > crate::image::MAX_SIDE / 2 {
                return Err(PlotError::size("field panel", w, h));
            }
            return Ok((w, h));
        }
        let long = self.nx.max(self.ny);
        if long <= 1024 {
            let f = 384usize.div_ceil(long).max(1);
            let f = if long * f > 1024 { 1 } else { f };
            Ok(((self.nx * f) as u32, (self.ny * f) as u32))
        } else {
            let shrink = |n: usize| ((n * 1024).div_ceil(long)).max(1) as u32;
            Ok((shrink(self.nx), shrink(self.ny)))
        }
    }

    fn ticks(&self, (lo, hi): (f32, f32), bar_height: u32) -> Vec<f32> {
        let five = bar_height >= 40 * self.text_scale * 2;
        let mid = 0.5 * (lo + hi);
        if five { vec![lo, 0.5 * (lo + mid), mid, 0.5 * (mid + hi), hi] } else { vec![lo, mid, hi] }
    }

    /// Colour-bar labels: 3 significant digits of the largest, the same decimals for all.
    fn labels(&self, ticks: &[f32]) -> Vec<String> {
        let biggest = ticks.iter().fold(0.0f32, |m, v| m.max(v.abs()));
        let e = if biggest > 0.0 { biggest.log10().floor() as i32 } else { 0 };
        ticks
            .iter()
            .map(|&v| {
                if v == 0.0 {
                    "0".to_string()
                } else if (-3..5).contains(&e) {
                    format!("{:.*}", (2 - e).max(0) as usize, v).replace('-', "−")
                } else {
                    format_significant(f64::from(v), 3)
                }
            })
            .collect()
    }

    /// Where everything goes if drawn with its top-left corner at `(x, y)`.
    pub fn layout_at(&self, x: i32, y: i32) -> Result<FieldLayout, PlotError> {
        let limits = self.limits()?;
        let (pw, ph) = self.panel_dims()?;
        let s = self.text_scale;
        let pad = 6 * s;
        let has_bar_label = self.colorbar && !self.colorbar_label.is_empty();
        let title_h = if self.title.is_empty() && !has_bar_label { 0 } else { LINE_HEIGHT * s + 4 * s };
        // Colour-bar labels are centred on their ticks: half a cell pokes out at the top.
        let top = pad + title_h.max(if self.colorbar { CELL_HEIGHT * s / 2 } else { 0 });
        let panel = Rect::new(x + pad as i32, y + top as i32, pw, ph);
        let (colorbar, right) = if self.colorbar {
            let bar = Rect::new(panel.right() + (6 * s) as i32, panel.y, 7 * s, ph);
            let style = TextStyle::new(TEXT, s);
            let labels_w =
                self.labels(&self.ticks(limits, ph)).iter().map(|l| style.bounds(0, 0, l).width).max().unwrap_or(0);
            let mut right = bar.right() + (TICK * s + GAP * s + labels_w) as i32;
            if has_bar_label {
                let half = crate::font::text_width(&self.colorbar_label, s) as i32 / 2;
                right = right.max(bar.x + bar.width as i32 / 2 + half);
            }
            (Some(bar), right + pad as i32)
        } else {
            (None, panel.right() + pad as i32)
        };
        // A long title may be wider than the panel.
        let title_w = crate::font::text_width(&self.title, s) as i32;
        let right = right.max(panel.x + title_w + pad as i32);
        let bottom = panel.bottom() + (pad + CELL_HEIGHT * s / 2) as i32;
        let bounds = Rect::new(x, y, (right - x) as u32, (bottom - y) as u32);
        Ok(FieldLayout { bounds, panel, colorbar, limits })
    }

    /// Where everything goes in the canvas made by [`render`](FieldPlot::render).
    pub fn layout(&self) -> Result<FieldLayout, PlotError> {
        self.layout_at(0, 0)
    }

    /// Draws the panel onto a new white canvas of exactly the needed size.
    pub fn render(&self) -> Result<Canvas, PlotError> {
        let layout = self.layout()?;
        let mut canvas = Canvas::new(layout.bounds.width, layout.bounds.height, crate::image::WHITE)?;
        self.draw(&mut canvas, 0, 0)?;
        Ok(canvas)
    }

    /// Draws title, field and colour bar into `canvas` with the top-left corner at `(x, y)`
    /// (the background is left as it is).
    pub fn draw(&self, canvas: &mut Canvas, x: i32, y: i32) -> Result<FieldLayout, PlotError> {
        let layout = self.layout_at(x, y)?;
        let (lo, hi) = layout.limits;
        let panel = layout.panel;
        let s = self.text_scale;
        // The field: pixel (px, py) of the panel samples cell (ix, iy), iy = 0 at the bottom.
        let (w, h) = (panel.width as usize, panel.height as usize);
        let columns: Vec<usize> = (0..w).map(|px| ((2 * px + 1) * self.nx / (2 * w)).min(self.nx - 1)).collect();
        let span = hi - lo;
        for py in 0..h {
            let from_top = ((2 * py + 1) * self.ny / (2 * h)).min(self.ny - 1);
            let iy = self.ny - 1 - from_top;
            let row = &self.data[iy * self.nx..(iy + 1) * self.nx];
            for (px, &ix) in columns.iter().enumerate() {
                let v = row[ix];
                let color = if v.is_nan() { NAN_COLOR } else { self.colormap.map((v - lo) / span) };
                canvas.set_pixel(panel.x + px as i32, panel.y + py as i32, color);
            }
        }
        canvas.stroke_rect(panel.inflate(1), FRAME, 1);
        if !self.title.is_empty() {
            let style = TextStyle::new(TEXT, s).align(HAlign::Center, VAlign::Baseline);
            canvas.text(panel.x + (panel.width / 2) as i32, panel.y - (4 * s + 2 * s) as i32, &self.title, &style);
        }
        if let Some(bar) = layout.colorbar {
            for py in 0..bar.height {
                let t = 1.0 - (py as f32 + 0.5) / bar.height as f32;
                canvas.fill_rect(Rect::new(bar.x, bar.y + py as i32, bar.width, 1), self.colormap.map(t));
            }
            canvas.stroke_rect(bar.inflate(1), FRAME, 1);
            let ticks = self.ticks(layout.limits, bar.height);
            let style = TextStyle::new(TEXT, s).align(HAlign::Left, VAlign::Middle);
            for (v, label) in ticks.iter().zip(self.labels(&ticks)) {
                let ty = bar.bottom() - 1 - (((v - lo) / span) * (bar.height - 1) as f32).round() as i32;
                canvas.fill_rect(Rect::new(bar.right() + 1, ty, TICK * s, 1), FRAME);
                canvas.text(bar.right() + 1 + (TICK * s + GAP * s) as i32, ty, &label, &style);
            }
            if !self.colorbar_label.is_empty() {
                let style = TextStyle::new(TEXT, s).align(HAlign::Center, VAlign::Baseline);
                let cx = bar.x + (bar.width / 2) as i32;
                canvas.text(cx, panel.y - (4 * s + 2 * s) as i32, &self.colorbar_label, &style);
            }
        }
        Ok(layout)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shape_and_limit_errors_name_the_input() {
        let data = vec![0.0f32; 10];
        let err = FieldPlot::new(&data, 4, 3).title("truth").render().unwrap_err();
        assert!(matches!(err, PlotError::ShapeMismatch { expected: 12, got: 10, .. }), "{err}");
        assert!(err.to_string().contains("truth"), "{err}");
        let err = FieldPlot::new(&data, 5, 2).symmetric_limit(-1.0).render().unwrap_err();
        assert!(matches!(err, PlotError::InvalidParameter { .. }), "{err}");
        let err = FieldPlot::new(&data, 0, 2).render().unwrap_err();
        assert!(matches!(err, PlotError::EmptyData { .. }), "{err}");
        let err = FieldPlot::new(&data, 5, 2).scale(FieldScale::Range(1.0, 1.0)).render().unwrap_err();
        assert!(matches!(err, PlotError::InvalidParameter { .. }), "{err}");
    }

    #[test]
    fn automatic_limits() {
        assert_eq!(max_abs(&[1.0, -3.0, f32::NAN, f32::INFINITY]), Some(3.0));
        assert_eq!(max_abs(&[f32::NAN]), None);
        assert_eq!(auto_limit(&[0.0, 0.0]), 1.0);
        let data = [0.5f32, -2.0, 1.0, 0.0];
        assert_eq!(FieldPlot::new(&data, 2, 2).limits().unwrap(), (-2.0, 2.0));
    }

    #[test]
    fn default_panel_sizes() {
        let d = vec![0.0f32; 128 * 64];
        assert_eq!(FieldPlot::new(&d, 128, 64).layout().unwrap().panel.width, 384);
        assert_eq!(FieldPlot::new(&d, 128, 64).layout().unwrap().panel.height, 192);
        let big = vec![0.0f32; 2048 * 2];
        let l = FieldPlot::new(&big, 2048, 2).layout().unwrap();
        assert_eq!((l.panel.width, l.panel.height), (1024, 1));
    }
}
