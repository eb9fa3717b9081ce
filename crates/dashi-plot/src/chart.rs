//! [`LineChart`]: named (x, y) series on linear or log₁₀ axes, with ticks, axis titles, a
//! legend, and optional reference lines (horizontal `y = c`, vertical markers, power laws
//! `y = c·xᵖ`).
//!
//! Conventions: data are `f64`; any NaN / ±∞ in a series is an error (the chart refuses to
//! hide bad numbers). On a log axis, points with a non-positive coordinate are skipped —
//! not drawn, and the line is broken there. The x range is tight around the data; a linear
//! y range gets 5 % head-room, a log y range is widened to whole decades. Reference lines
//! widen the range so that they are visible; power laws never do (they are clipped).
//! The legend goes into the plot corner that covers the fewest data points.

use crate::axis::{self, AxisScale};
use crate::font::{CELL_HEIGHT, LINE_HEIGHT};
use crate::line::LineStyle;
use crate::text::{HAlign, TextStyle, VAlign};
use crate::{Canvas, PlotError, Rect, Rgb};

/// Series colours, in order of use (then repeated).
pub const PALETTE: [Rgb; 8] = [
    [0, 94, 184],
    [222, 96, 16],
    [0, 146, 100],
    [196, 32, 110],
    [118, 78, 186],
    [138, 98, 36],
    [0, 168, 210],
    [96, 96, 96],
];

const INK: Rgb = [20, 20, 20];
const FRAME: Rgb = [50, 50, 50];
const GRID: Rgb = [232, 232, 232];
const REFERENCE: Rgb = [90, 90, 90];
const MARKER_LINE: Rgb = [130, 130, 130];

/// One named data series.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    name: String,
    points: Vec<(f64, f64)>,
    color: Option<Rgb>,
    dashed: bool,
    markers: bool,
}

impl Series {
    /// A series of `(x, y)` points, drawn as a solid line in the next palette colour.
    pub fn new(name: impl Into<String>, points: impl IntoIterator<Item = (f64, f64)>) -> Self {
        Self { name: name.into(), points: points.into_iter().collect(), color: None, dashed: false, markers: false }
    }

    /// A series from separate x and y slices; fails with [`PlotError::ShapeMismatch`] when
    /// their lengths differ.
    pub fn from_xy(name: impl Into<String>, xs: &[f64], ys: &[f64]) -> Result<Self, PlotError> {
        let name = name.into();
        if xs.len() != ys.len() {
            return Err(PlotError::ShapeMismatch {
                what: format!("series '{name}' y values (one per x value)"),
                expected: xs.len(),
                got: ys.len(),
            });
        }
        Ok(Self::new(name, xs.iter().copied().zip(ys.iter().copied())))
    }

    /// A fixed colour instead of the palette's.
    pub fn color(mut self, color: Rgb) -> Self {
        self.color = Some(color);
        self
    }

    /// Draw the line dashed.
    pub fn dashed(mut self, on: bool) -> Self {
        self.dashed = on;
        self
    }

    /// Draw a dot at each point as well.
    pub fn markers(mut self, on: bool) -> Self {
        self.markers = on;
        self
    }

    /// The name shown in the legend.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The points.
    pub fn points(&self) -> &[(f64, f64)] {
        &self.points
    }
}

#[derive(Debug, Clone, PartialEq)]
struct Axis {
    title: String,
    scale: AxisScale,
    range: Option<(f64, f64)>,
}

#[derive(Debug, Clone, PartialEq)]
struct Reference {
    value: f64,
    label: String,
}

#[derive(Debug, Clone, PartialEq)]
struct PowerLaw {
    c: f64,
    p: f64,
    label: String,
}

/// A line chart; configure with the builder methods, then [`render`](LineChart::render).
///
/// ```
/// use dashi_plot::{AxisScale, LineChart, Series};
/// let k: Vec<f64> = (1..=64).map(f64::from).collect();
/// let e: Vec<f64> = k.iter().map(|k| 0.1 * k.powi(-3)).collect();
/// let chart = LineChart::new("Energy spectrum")
///     .x_axis("k", AxisScale::Log10)
///     .y_axis("E(k)", AxisScale::Log10)
///     .series(Series::from_xy("truth", &k, &e)?)
///     .power_law(0.1, -3.0, "k^-3");
/// let canvas = chart.render(900, 600)?;
/// assert_eq!((canvas.width(), canvas.height()), (900, 600));
/// # Ok::<(), dashi_plot::PlotError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct LineChart {
    title: String,
    x: Axis,
    y: Axis,
    series: Vec<Series>,
    hlines: Vec<Reference>,
    vlines: Vec<Reference>,
    power_laws: Vec<PowerLaw>,
    legend: bool,
    text_scale: Option<u32>,
}

/// A point mapped to pixels, or a break in the line.
type Pixel = Option<(f32, f32)>;

/// Data → pixel transform of one plot area.
#[derive(Debug, Clone, Copy)]
struct Frame {
    area: Rect,
    x: (AxisScale, f64, f64),
    y: (AxisScale, f64, f64),
}

impl Frame {
    fn px(&self, x: f64) -> Option<f32> {
        let (scale, lo, hi) = self.x;
        let u = scale.forward(x)?;
        Some((f64::from(self.area.x) + (u - lo) / (hi - lo) * f64::from(self.area.width)) as f32)
    }

    fn py(&self, y: f64) -> Option<f32> {
        let (scale, lo, hi) = self.y;
        let u = scale.forward(y)?;
        Some((f64::from(self.area.bottom()) - (u - lo) / (hi - lo) * f64::from(self.area.height)) as f32)
    }

    fn point(&self, (x, y): (f64, f64)) -> Pixel {
        Some((self.px(x)?, self.py(y)?))
    }
}

impl LineChart {
    /// An empty chart with a title (may be empty).
    pub fn new(title: impl Into<String>) -> Self {
        let axis = Axis { title: String::new(), scale: AxisScale::Linear, range: None };
        Self {
            title: title.into(),
            x: axis.clone(),
            y: axis,
            series: Vec::new(),
            hlines: Vec::new(),
            vlines: Vec::new(),
            power_laws: Vec::new(),
            legend: true,
            text_scale: None,
        }
    }

    /// Title and scale of the x axis.
    pub fn x_axis(mut self, title: impl Into<String>, scale: AxisScale) -> Self {
        self.x.title = title.into();
        self.x.scale = scale;
        self
    }

    /// Title and scale of the y axis.
    pub fn y_axis(mut self, title: impl Into<String>, scale: AxisScale) -> Self {
        self.y.title = title.into();
        self.y.scale = scale;
        self
    }

    /// A fixed x range instead of the automatic one.
    pub fn x_range(mut self, lo: f64, hi: f64) -> Self {
        self.x.range = Some((lo, hi));
        self
    }

    /// A fixed y range instead of the automatic one.
    pub fn y_range(mut self, lo: f64, hi: f64) -> Self {
        self.y.range = Some((lo, hi));
        self
    }

    /// Adds a series (colours are taken from [`PALETTE`] in order unless set).
    pub fn series(mut self, series: Series) -> Self {
        self.series.push(series);
        self
    }

    /// Adds a dashed horizontal reference line `y = value`, labelled at its right end.
    pub fn hline(mut self, value: f64, label: impl Into<String>) -> Self {
        self.hlines.push(Reference { value, label: label.into() });
        self
    }

    /// Adds a dashed vertical marker `x = value` (e.g. a train | eval split), labelled at
    /// its top.
    pub fn vline(mut self, value: f64, label: impl Into<String>) -> Self {
        self.vlines.push(Reference { value, label: label.into() });
        self
    }

    /// Adds a dashed power-law reference `y = c·x^p` across the plot (a straight line on
    /// log–log axes), labelled beside it (e.g. `"k^-3"`).
    pub fn power_law(mut self, c: f64, p: f64, label: impl Into<String>) -> Self {
        self.power_laws.push(PowerLaw { c, p, label: label.into() });
        self
    }

    /// Whether to draw the legend (default yes; series with empty names are left out).
    pub fn legend(mut self, on: bool) -> Self {
        self.legend = on;
        self
    }

    /// Integer text scale (default: 2, or 1 for charts smaller than 640×400).
    pub fn text_scale(mut self, scale: u32) -> Self {
        self.text_scale = Some(scale.max(1));
        self
    }

    fn what(&self) -> String {
        if self.title.is_empty() { "line chart".into() } else { format!("line chart '{}'", self.title) }
    }

    fn validate(&self) -> Result<(), PlotError> {
        if self.series.is_empty() {
            return Err(PlotError::empty(format!("{}: no series", self.what())));
        }
        for s in &self.series {
            if s.points.is_empty() {
                return Err(PlotError::empty(format!("{} series '{}'", self.what(), s.name)));
            }
            let what = || format!("{} series '{}' x values", self.what(), s.name);
            crate::error::check_finite(what, s.points.iter().map(|p| p.0))?;
            let what = || format!("{} series '{}' y values", self.what(), s.name);
            crate::error::check_finite(what, s.points.iter().map(|p| p.1))?;
        }
        let what = || format!("{} reference lines", self.what());
        let refs = self.hlines.iter().chain(&self.vlines).map(|r| r.value);
        crate::error::check_finite(what, refs.chain(self.power_laws.iter().flat_map(|p| [p.c, p.p])))?;
        for (axis, name) in [(&self.x, "x"), (&self.y, "y")] {
            if let Some((lo, hi)) = axis.range {
                let positive = axis.scale == AxisScale::Linear || lo > 0.0;
                if !(lo.is_finite() && hi.is_finite() && lo < hi && positive) {
                    return Err(PlotError::param(format!("{} {name} range", self.what()), format!("[{lo}, {hi}]")));
                }
            }
        }
        Ok(())
    }

    /// Range of the axis in axis space (log₁₀ for log axes).
    fn axis_range(&self, axis: &Axis, is_y: bool) -> Result<(f64, f64), PlotError> {
        if let Some((lo, hi)) = axis.range {
            let f = |v| axis.scale.forward(v).unwrap_or(0.0);
            return Ok((f(lo), f(hi)));
        }
        let other = if is_y { &self.x } else { &self.y };
        let mut lo = f64::INFINITY;
        let mut hi = f64::NEG_INFINITY;
        for s in &self.series {
            for &(x, y) in &s.points {
                let (mine, theirs) = if is_y { (y, x) } else { (x, y) };
                if let (Some(u), Some(_)) = (axis.scale.forward(mine), other.scale.forward(theirs)) {
                    (lo, hi) = (lo.min(u), hi.max(u));
                }
            }
        }
        if lo > hi {
            return Err(PlotError::empty(format!(
                "{}: no point has positive coordinates on the log axes (non-positive values are not drawn)",
                self.what()
            )));
        }
        let refs = if is_y { &self.hlines } else { &self.vlines };
        for u in refs.iter().filter_map(|r| axis.scale.forward(r.value)) {
            (lo, hi) = (lo.min(u), hi.max(u));
        }
        if hi - lo < 1e-12 * (1.0 + lo.abs()) {
            let d = match axis.scale {
                AxisScale::Linear => 0.1 * lo.abs().max(1e-3),
                AxisScale::Log10 => 0.5,
            };
            return Ok((lo - d, hi + d));
        }
        if !is_y {
            return Ok((lo, hi));
        }
        Ok(match axis.scale {
            AxisScale::Linear => {
                let d = 0.05 * (hi - lo);
                (lo - d, hi + d)
            }
            AxisScale::Log10 if hi - lo >= 1.0 => ((lo + 1e-9).floor(), (hi - 1e-9).ceil()),
            AxisScale::Log10 => {
                let d = 0.05 * (hi - lo);
                (lo - d, hi + d)
            }
        })
    }

    /// Major ticks (values) and their labels for an axis whose range is `(lo, hi)` in axis
    /// space, with room for about `max_ticks`.
    fn ticks(scale: AxisScale, (lo, hi): (f64, f64), max_ticks: usize) -> (Vec<f64>, Vec<String>) {
        match scale {
            AxisScale::Linear => {
                let ticks = axis::linear_ticks(lo, hi, max_ticks);
                let step = axis::nice_step(lo, hi, max_ticks);
                let labels = axis::linear_tick_labels(&ticks, step);
                (ticks, labels)
            }
            AxisScale::Log10 => {
                let (a, b) = (10f64.powf(lo), 10f64.powf(hi));
                let mut ticks = axis::log_ticks(a, b);
                if ticks.len() > max_ticks.max(2) && ticks.iter().all(|&t| axis::is_decade(t)) {
                    let stride = ticks.len().div_ceil(max_ticks.max(2));
                    ticks = ticks.into_iter().step_by(stride).collect();
                } else if ticks.len() > max_ticks.max(2) {
                    ticks = axis::mantissa_ticks(a, b, &[1.0, 2.0, 5.0]);
                    if ticks.len() > max_ticks.max(2) {
                        ticks = axis::mantissa_ticks(a, b, &[1.0]);
                    }
                }
                let labels = if ticks.iter().all(|&t| axis::is_decade(t)) {
                    ticks.iter().map(|&t| axis::log_tick_label(t)).collect()
                } else {
                    ticks.iter().map(|&t| axis::format_significant(t, 2)).collect()
                };
                (ticks, labels)
            }
        }
    }

    /// Draws the chart on a new `width × height` white canvas.
    ///
    /// Errors: [`PlotError::EmptyData`] without series, with an empty series, or when a log
    /// axis leaves nothing to draw; [`PlotError::NaN`] / [`PlotError::NonFinite`] naming the
    /// series and point; [`PlotError::InvalidParameter`] for a bad fixed range;
    /// [`PlotError::InvalidSize`] below 160×120 pixels.
    pub fn render(&self, width: u32, height: u32) -> Result<Canvas, PlotError> {
        if width < 160 || height < 120 {
            return Err(PlotError::size(self.what(), width, height));
        }
        self.validate()?;
        let mut canvas = Canvas::new(width, height, crate::image::WHITE)?;
        let s = self.text_scale.unwrap_or(if width >= 640 && height >= 400 { 2 } else { 1 });
        let si = s as i32;
        let lh = (LINE_HEIGHT * s) as i32;
        let cell = (CELL_HEIGHT * s) as i32;
        let pad = 6 * si;
        let tick_len = 4 * si;
        let label_gap = 3 * si;
        let tick_style = TextStyle::new(INK, s);

        let xr = self.axis_range(&self.x, false)?;
        let yr = self.axis_range(&self.y, true)?;

        // Vertical layout first: it fixes the plot height, which fixes the y ticks, whose
        // label widths fix the left margin.
        let marker_labels = self.vlines.iter().any(|r| !r.label.is_empty());
        let top = pad
            + if self.title.is_empty() { 0 } else { lh + 3 * si }
            + if marker_labels { lh + 2 * si } else { cell / 2 };
        let bottom = label_gap + cell + if self.x.title.is_empty() { 0 } else { 2 * si + lh } + pad;
        let plot_h = height as i32 - top - bottom;
        if plot_h < 3 * lh {
            return Err(PlotError::size(format!("{}: plot area", self.what()), width, height));
        }
        let (y_ticks, y_labels) = Self::ticks(self.y.scale, yr, (plot_h / (2 * lh)).max(2) as usize + 1);
        let y_label_w = y_labels.iter().map(|l| tick_style.bounds(0, 0, l).width as i32).max().unwrap_or(0);
        let left = pad + if self.y.title.is_empty() { 0 } else { cell + 3 * si } + y_label_w + label_gap;
        let right = pad + 3 * si * 4;
        let plot_w = width as i32 - left - right;
        if plot_w < 4 * lh {
            return Err(PlotError::size(format!("{}: plot area", self.what()), width, height));
        }
        let area = Rect::new(left, top, plot_w as u32, plot_h as u32);
        let frame = Frame { area, x: (self.x.scale, xr.0, xr.1), y: (self.y.scale, yr.0, yr.1) };
        // Room for one x label of typical width every other label slot.
        let typical = tick_style.bounds(0, 0, "10^-3").width.max(tick_style.bounds(0, 0, "0.000").width) as i32;
        let (x_ticks, x_labels) = Self::ticks(self.x.scale, xr, (plot_w / (typical + 4 * cell)).max(2) as usize + 1);

        // Grid.
        for &t in &x_ticks {
            if let Some(x) = frame.px(t) {
                canvas.fill_rect(Rect::new(x.floor() as i32, area.y, 1, area.height), GRID);
            }
        }
        for &t in &y_ticks {
            if let Some(y) = frame.py(t) {
                canvas.fill_rect(Rect::new(area.x, y.floor() as i32, area.width, 1), GRID);
            }
        }

        // Everything inside the plot area is clipped to it.
        canvas.set_clip(Some(area));
        let mut obstacles: Vec<Rect> = Vec::new();
        let ref_width = (1.25 * s as f32).max(1.0);
        for r in &self.hlines {
            if let Some(y) = frame.py(r.value) {
                let y = y.round();
                let style = LineStyle::dashed(REFERENCE, ref_width, 8.0 * s as f32, 5.0 * s as f32);
                canvas.line((area.x as f32, y), (area.right() as f32, y), &style);
            }
        }
        for r in &self.vlines {
            if let Some(x) = frame.px(r.value) {
                let x = x.round();
                let style = LineStyle::dashed(MARKER_LINE, ref_width, 6.0 * s as f32, 4.0 * s as f32);
                canvas.line((x, area.y as f32), (x, area.bottom() as f32), &style);
            }
        }
        let mut power_segments = Vec::new();
        for law in &self.power_laws {
            let (x0, x1) = (self.x.scale.inverse(xr.0), self.x.scale.inverse(xr.1));
            // Sample the curve: exact for straight lines on log–log axes, smooth otherwise.
            let n = if self.x.scale == AxisScale::Log10 && self.y.scale == AxisScale::Log10 { 1 } else { 256 };
            let pts: Vec<(f32, f32)> = (0..=n)
                .filter_map(|i| {
                    let u = xr.0 + (xr.1 - xr.0) * f64::from(i) / f64::from(n);
                    let x = self.x.scale.inverse(u).clamp(x0.min(x1), x0.max(x1));
                    frame.point((x, law.c * x.powf(law.p)))
                })
                .collect();
            let style = LineStyle::dashed(REFERENCE, ref_width, 10.0 * s as f32, 6.0 * s as f32);
            canvas.polyline(&pts, &style);
            power_segments.push(pts);
        }

        // Series.
        let mut samples: Vec<(f32, f32)> = Vec::new();
        let colors: Vec<Rgb> =
            self.series.iter().enumerate().map(|(i, s)| s.color.unwrap_or(PALETTE[i % PALETTE.len()])).collect();
        let series_width = 1.25 * s as f32 + 0.25;
        for (series, &color) in self.series.iter().zip(&colors) {
            let pixels: Vec<Pixel> = series.points.iter().map(|&p| frame.point(p)).collect();
            let style = if series.dashed {
                LineStyle::dashed(color, series_width, 7.0 * s as f32, 4.0 * s as f32)
            } else {
                LineStyle::solid(color, series_width)
            };
            let line: Vec<(f32, f32)> = pixels.iter().map(|p| p.unwrap_or((f32::NAN, f32::NAN))).collect();
            canvas.polyline(&line, &style);
            for (i, p) in pixels.iter().enumerate() {
                let Some(p) = *p else { continue };
                let isolated = pixels.get(i.wrapping_sub(1)).is_none_or(|q| q.is_none())
                    && pixels.get(i + 1).is_none_or(|q| q.is_none());
                if series.markers || isolated {
                    canvas.fill_circle(p, 2.0 * s as f32 + 0.5, color);
                }
            }
            sample_line(&pixels, 3.0, &mut samples);
        }
        for pts in &power_segments {
            let as_pixels: Vec<Pixel> = pts.iter().map(|&p| Some(p)).collect();
            sample_line(&as_pixels, 3.0, &mut samples);
        }

        // Labels of the reference lines, with a white halo so they stay legible.
        for r in self.hlines.iter().filter(|r| !r.label.is_empty()) {
            let Some(y) = frame.py(r.value) else { continue };
            let y = y.round() as i32;
            // Right or left end, above or below the line: wherever it hides the least data.
            let above = TextStyle::new(REFERENCE, s).align(HAlign::Right, VAlign::Baseline);
            let below = above.align(HAlign::Right, VAlign::Top);
            let candidates = [
                above.bounds(area.right() - pad, y - 3 * si, &r.label),
                below.bounds(area.right() - pad, y + 3 * si, &r.label),
                above.align(HAlign::Left, VAlign::Baseline).bounds(area.x + pad, y - 3 * si, &r.label),
                below.align(HAlign::Left, VAlign::Top).bounds(area.x + pad, y + 3 * si, &r.label),
            ];
            let inner = area.inflate(-2);
            let cost = |rect: &Rect| {
                let outside = if inner.intersect(rect) == Some(*rect) { 0 } else { 100_000 };
                let hidden = samples.iter().filter(|p| rect.inflate(2).contains(p.0 as i32, p.1 as i32)).count();
                outside + 1000 * obstacles.iter().filter(|o| o.overlaps(rect)).count() + hidden
            };
            let rect = candidates.iter().min_by_key(|r| cost(r)).copied().unwrap_or(candidates[0]);
            draw_with_halo(&mut canvas, rect.x, rect.y, &r.label, &TextStyle::new(REFERENCE, s));
            obstacles.push(rect);
        }
        for (law, pts) in self.power_laws.iter().zip(&power_segments) {
            if law.label.is_empty() {
                continue;
            }
            if let Some(rect) = place_power_label(&law.label, pts, area, &obstacles, s) {
                draw_with_halo(&mut canvas, rect.x, rect.y, &law.label, &TextStyle::new(REFERENCE, s));
                obstacles.push(rect);
            }
        }

        // Legend.
        if self.legend {
            let entries: Vec<(&str, Rgb, bool)> = self
                .series
                .iter()
                .zip(&colors)
                .filter(|(s, _)| !s.name.is_empty())
                .map(|(s, &c)| (s.name.as_str(), c, s.dashed))
                .collect();
            if !entries.is_empty() {
                let sample = 14 * si;
                let inner = 5 * si;
                let text_w = entries.iter().map(|e| tick_style.bounds(0, 0, e.0).width as i32).max().unwrap_or(0);
                let w = (inner + sample + 4 * si + text_w + inner) as u32;
                let h = (inner + entries.len() as i32 * lh - (lh - cell) + inner - si) as u32;
                let margin = 4 * si;
                let corners = [
                    (area.right() - margin - w as i32, area.y + margin),
                    (area.x + margin, area.y + margin),
                    (area.right() - margin - w as i32, area.bottom() - margin - h as i32),
                    (area.x + margin, area.bottom() - margin - h as i32),
                ];
                let score = |r: &Rect| {
                    let hits = samples.iter().filter(|p| r.contains(p.0 as i32, p.1 as i32)).count();
                    hits + 1000 * obstacles.iter().filter(|o| o.overlaps(r)).count()
                };
                let boxes = corners.map(|(x, y)| Rect::new(x, y, w, h));
                let best = boxes.iter().min_by_key(|r| score(r)).copied().unwrap_or(boxes[0]);
                canvas.fill_rect(best, crate::image::WHITE);
                canvas.stroke_rect(best, [200, 200, 200], 1);
                for (i, (name, color, dashed)) in entries.iter().enumerate() {
                    let y = best.y + inner + i as i32 * lh;
                    let mid = (y + (9 * s / 2) as i32) as f32 + 0.5;
                    let x0 = (best.x + inner) as f32;
                    let style = if *dashed {
                        LineStyle::dashed(*color, series_width, 6.0 * s as f32, 3.0 * s as f32)
                    } else {
                        LineStyle::solid(*color, series_width)
                    };
                    canvas.line((x0, mid), (x0 + sample as f32, mid), &style);
                    canvas.text(best.x + inner + sample + 4 * si, y, name, &tick_style);
                }
            }
        }
        canvas.set_clip(None);

        // Frame, ticks, tick labels.
        let fw = s.min(2);
        canvas.stroke_rect(area.inflate(fw as i32), FRAME, fw);
        let minor = |scale: AxisScale, (lo, hi): (f64, f64), length_px: i32| -> Vec<f64> {
            if scale != AxisScale::Log10 || hi - lo > length_px as f64 / (8.0 * f64::from(si)) {
                return Vec::new();
            }
            let all = axis::mantissa_ticks(10f64.powf(lo), 10f64.powf(hi), &[2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0]);
            all.into_iter().filter(|v| !axis::is_decade(*v)).collect()
        };
        for t in minor(self.x.scale, xr, plot_w) {
            if let Some(x) = frame.px(t) {
                canvas.fill_rect(
                    Rect::new(x.floor() as i32, area.bottom() - tick_len / 2, 1, (tick_len / 2) as u32),
                    FRAME,
                );
            }
        }
        for t in minor(self.y.scale, yr, plot_h) {
            if let Some(y) = frame.py(t) {
                canvas.fill_rect(Rect::new(area.x, y.floor() as i32, (tick_len / 2) as u32, 1), FRAME);
            }
        }
        let mut last_right = i32::MIN;
        for (&t, label) in x_ticks.iter().zip(&x_labels) {
            let Some(x) = frame.px(t) else { continue };
            let x = x.floor() as i32;
            canvas.fill_rect(Rect::new(x - (fw as i32 - 1) / 2, area.bottom() - tick_len, fw, tick_len as u32), FRAME);
            let style = tick_style.align(HAlign::Center, VAlign::Top);
            let mut rect = style.bounds(x, area.bottom() + fw as i32 + label_gap, label);
            rect.x = rect.x.min(width as i32 - 2 - rect.width as i32);
            if rect.x > last_right + 2 * cell / 2 {
                canvas.text(rect.x, rect.y, label, &tick_style);
                last_right = rect.right();
            }
        }
        for (&t, label) in y_ticks.iter().zip(&y_labels) {
            let Some(y) = frame.py(t) else { continue };
            let y = y.floor() as i32;
            canvas.fill_rect(Rect::new(area.x, y - (fw as i32 - 1) / 2, tick_len as u32, fw), FRAME);
            let style = tick_style.align(HAlign::Right, VAlign::Middle);
            canvas.text(area.x - fw as i32 - label_gap, y, label, &style);
        }

        // Labels of vertical markers sit between the title and the frame, clear of the data.
        for r in self.vlines.iter().filter(|r| !r.label.is_empty()) {
            let Some(x) = frame.px(r.value) else { continue };
            let style = TextStyle::new(MARKER_LINE, s).align(HAlign::Center, VAlign::Baseline);
            let mut rect = style.bounds(x.round() as i32, area.y - fw as i32 - 3 * si, &r.label);
            rect.x = rect.x.clamp(2, (width as i32 - 2 - rect.width as i32).max(2));
            canvas.text(rect.x, rect.y, &r.label, &TextStyle::new(MARKER_LINE, s));
        }

        // Titles.
        if !self.title.is_empty() {
            let style = TextStyle::new([0, 0, 0], s).align(HAlign::Center, VAlign::Top);
            let half = crate::font::text_width(&self.title, s) as i32 / 2 + 2;
            let cx = (area.x + area.width as i32 / 2)
                .clamp(half.min(width as i32 / 2), (width as i32 - half).max(width as i32 / 2));
            canvas.text(cx, pad, &self.title, &style);
            canvas.text(cx + 1, pad, &self.title, &style);
        }
        if !self.x.title.is_empty() {
            let style = TextStyle::new(INK, s).align(HAlign::Center, VAlign::Bottom);
            canvas.text(area.x + area.width as i32 / 2, height as i32 - pad, &self.x.title, &style);
        }
        if !self.y.title.is_empty() {
            canvas.text_vertical(
                pad + cell / 2,
                area.y + area.height as i32 / 2,
                &self.y.title,
                &TextStyle::new(INK, s),
            );
        }
        Ok(canvas)
    }
}

/// Points every `step` pixels along the drawn parts of a line (for legend placement).
fn sample_line(pixels: &[Pixel], step: f32, out: &mut Vec<(f32, f32)>) {
    for (i, p) in pixels.iter().enumerate() {
        let Some(a) = *p else { continue };
        out.push(a);
        if let Some(Some(b)) = pixels.get(i + 1) {
            let len = ((b.0 - a.0).powi(2) + (b.1 - a.1).powi(2)).sqrt();
            let n = (len / step).min(10_000.0) as usize;
            for k in 1..n {
                let f = k as f32 / n as f32;
                out.push((a.0 + (b.0 - a.0) * f, a.1 + (b.1 - a.1) * f));
            }
        }
    }
}

/// Draws text with a one-pixel white outline, so that it reads on top of lines.
fn draw_with_halo(canvas: &mut Canvas, x: i32, y: i32, text: &str, style: &TextStyle) {
    let halo = TextStyle { color: crate::image::WHITE, ..*style };
    for (dx, dy) in [(-1, -1), (0, -1), (1, -1), (-1, 0), (1, 0), (-1, 1), (0, 1), (1, 1)] {
        canvas.text(x + dx, y + dy, text, &halo);
    }
    canvas.text(x, y, text, style);
}

/// A spot for the label of a power law: beside the visible part of the line, inside the
/// plot, clear of other labels.
fn place_power_label(label: &str, pts: &[(f32, f32)], area: Rect, obstacles: &[Rect], s: u32) -> Option<Rect> {
    let inside: Vec<(f32, f32)> = pts
        .windows(2)
        .flat_map(|w| {
            let n = 64;
            (0..n).map(move |k| {
                let f = k as f32 / n as f32;
                (w[0].0 + (w[1].0 - w[0].0) * f, w[0].1 + (w[1].1 - w[0].1) * f)
            })
        })
        .filter(|p| area.inflate(-1).contains(p.0 as i32, p.1 as i32))
        .collect();
    if inside.is_empty() {
        return None;
    }
    let style = TextStyle::new(REFERENCE, s);
    let probe = style.bounds(0, 0, label);
    let d = 4 * s as i32;
    for frac in [0.7, 0.55, 0.85, 0.4, 0.25, 0.95, 0.1] {
        let i = ((inside.len() - 1) as f32 * frac) as usize;
        let (px, py) = (inside[i].0 as i32, inside[i].1 as i32);
        let j = (i + 1).min(inside.len() - 1);
        let k = i.saturating_sub(1);
        let descending = inside[j].1 >= inside[k].1;
        // Above-right of a falling line, below-right of a rising one.
        let rect = if descending {
            Rect::new(px + d, py - d - probe.height as i32 + (2 * s) as i32, probe.width, probe.height)
        } else {
            Rect::new(px + d, py + d, probe.width, probe.height)
        };
        let fits = area.inflate(-(2 * s as i32)).intersect(&rect) == Some(rect);
        if fits && !obstacles.iter().any(|o| o.overlaps(&rect)) {
            return Some(rect);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chart() -> LineChart {
        LineChart::new("t").series(Series::new("a", [(1.0, 1.0), (2.0, 4.0), (3.0, 9.0)]))
    }

    #[test]
    fn renders_requested_size() {
        let c = chart().render(640, 400).unwrap();
        assert_eq!((c.width(), c.height()), (640, 400));
    }

    #[test]
    fn bad_inputs_are_errors() {
        assert!(matches!(LineChart::new("x").render(640, 400), Err(PlotError::EmptyData { .. })));
        let empty = LineChart::new("x").series(Series::new("e", []));
        assert!(matches!(empty.render(640, 400), Err(PlotError::EmptyData { .. })));
        let inf = chart().series(Series::new("inf", [(1.0, f64::INFINITY)]));
        assert!(matches!(inf.render(640, 400), Err(PlotError::NonFinite { index: 0, .. })));
        assert!(matches!(chart().render(100, 400), Err(PlotError::InvalidSize { .. })));
        assert!(matches!(chart().x_range(2.0, 1.0).render(640, 400), Err(PlotError::InvalidParameter { .. })));
        let neg = LineChart::new("x").y_axis("y", AxisScale::Log10).series(Series::new("n", [(1.0, -1.0)]));
        assert!(matches!(neg.render(640, 400), Err(PlotError::EmptyData { .. })));
        assert!(matches!(Series::from_xy("m", &[1.0, 2.0], &[1.0]), Err(PlotError::ShapeMismatch { .. })));
    }

    #[test]
    fn ranges() {
        let c = chart();
        assert_eq!(c.axis_range(&c.x, false).unwrap(), (1.0, 3.0));
        let (lo, hi) = c.axis_range(&c.y, true).unwrap();
        assert!((lo - 0.6).abs() < 1e-12 && (hi - 9.4).abs() < 1e-12);
        let c = chart().hline(20.0, "ref");
        assert!(c.axis_range(&c.y, true).unwrap().1 > 20.0, "reference lines stay visible");
        let c = LineChart::new("")
            .y_axis("", AxisScale::Log10)
            .series(Series::new("s", [(0.0, 3e-7), (1.0, 2e-2), (2.0, 0.0)]));
        assert_eq!(c.axis_range(&c.y, true).unwrap(), (-7.0, -1.0), "widened to whole decades, zero skipped");
    }
}
