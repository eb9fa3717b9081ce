//! Anti-aliased lines, polylines, dashes and discs.
//!
//! Lines are rasterised by coverage: a pixel whose centre lies at distance `d` from the
//! segment gets opacity `clamp(w/2 + 1/2 − d, 0, 1)` (round caps and joins). A polyline
//! first collects the largest coverage per pixel over all its segments and then blends
//! once, so joins are neither darker nor lighter than the strokes. Coordinates are the
//! continuous canvas coordinates of [`crate::image`]: the centre of pixel `(x, y)` is
//! `(x + 0.5, y + 0.5)`.

use crate::{Canvas, Rect, Rgb};

/// How a line is stroked.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LineStyle {
    /// Stroke colour.
    pub color: Rgb,
    /// Stroke width in pixels (may be fractional).
    pub width: f32,
    /// `Some((dash, gap))`: dashed, with dashes and gaps of these lengths in pixels.
    pub dash: Option<(f32, f32)>,
}

impl LineStyle {
    /// A solid line.
    pub fn solid(color: Rgb, width: f32) -> Self {
        Self { color, width, dash: None }
    }

    /// A dashed line with `dash` pixels drawn and `gap` pixels skipped, repeatedly.
    pub fn dashed(color: Rgb, width: f32, dash: f32, gap: f32) -> Self {
        Self { color, width, dash: Some((dash, gap)) }
    }
}

/// Per-pixel coverage over a bounding box, blended onto a canvas in one go.
struct Coverage {
    area: Rect,
    alpha: Vec<f32>,
}

impl Coverage {
    fn new(area: Rect) -> Self {
        Self { area, alpha: vec![0.0; area.width as usize * area.height as usize] }
    }

    /// Adds a capsule (segment with round caps) of half-width `hw`.
    fn capsule(&mut self, (x0, y0): (f32, f32), (x1, y1): (f32, f32), hw: f32, opacity: f32) {
        let reach = hw + 1.0;
        let bx = Rect::new(
            (x0.min(x1) - reach).floor() as i32,
            (y0.min(y1) - reach).floor() as i32,
            ((x0 - x1).abs() + 2.0 * reach).ceil() as u32 + 1,
            ((y0 - y1).abs() + 2.0 * reach).ceil() as u32 + 1,
        );
        let Some(r) = bx.intersect(&self.area) else { return };
        let (dx, dy) = (x1 - x0, y1 - y0);
        let len2 = dx * dx + dy * dy;
        for py in r.y..r.bottom() {
            for px in r.x..r.right() {
                let (cx, cy) = (px as f32 + 0.5, py as f32 + 0.5);
                let t = if len2 > 0.0 { (((cx - x0) * dx + (cy - y0) * dy) / len2).clamp(0.0, 1.0) } else { 0.0 };
                let (ex, ey) = (cx - (x0 + t * dx), cy - (y0 + t * dy));
                let d = (ex * ex + ey * ey).sqrt();
                let a = (hw + 0.5 - d).clamp(0.0, 1.0) * opacity;
                if a > 0.0 {
                    let i = (py - self.area.y) as usize * self.area.width as usize + (px - self.area.x) as usize;
                    if a > self.alpha[i] {
                        self.alpha[i] = a;
                    }
                }
            }
        }
    }

    fn apply(&self, canvas: &mut Canvas, color: Rgb) {
        let w = self.area.width as usize;
        for (i, &a) in self.alpha.iter().enumerate() {
            if a > 0.0 {
                canvas.blend_pixel(self.area.x + (i % w) as i32, self.area.y + (i / w) as i32, color, a);
            }
        }
    }
}

/// The part of the clip rectangle a stroke through `points` can touch.
fn stroke_area(canvas: &Canvas, points: &[(f32, f32)], width: f32) -> Option<Rect> {
    let finite = points.iter().filter(|(x, y)| x.is_finite() && y.is_finite());
    let (mut x0, mut y0, mut x1, mut y1) = (f32::INFINITY, f32::INFINITY, f32::NEG_INFINITY, f32::NEG_INFINITY);
    for &(x, y) in finite {
        (x0, y0, x1, y1) = (x0.min(x), y0.min(y), x1.max(x), y1.max(y));
    }
    if x0 > x1 {
        return None;
    }
    let reach = width / 2.0 + 2.0;
    let clip = canvas.clip();
    // Clamp in f32 first so that far-away points cannot overflow the integer rectangle.
    let lo_x = (x0 - reach).floor().max(clip.x as f32 - 1.0) as i32;
    let lo_y = (y0 - reach).floor().max(clip.y as f32 - 1.0) as i32;
    let hi_x = (x1 + reach).ceil().min(clip.right() as f32 + 1.0) as i32;
    let hi_y = (y1 + reach).ceil().min(clip.bottom() as f32 + 1.0) as i32;
    if hi_x <= lo_x || hi_y <= lo_y {
        return None;
    }
    Rect::new(lo_x, lo_y, (hi_x - lo_x) as u32, (hi_y - lo_y) as u32).intersect(&clip)
}

/// Clips segment `p0 → p1` to `area` grown by `margin` (Liang–Barsky, in f64 so that far-away
/// endpoints keep their precision); `None` if outside.
fn clip_segment(p0: (f32, f32), p1: (f32, f32), area: Rect, margin: f32) -> Option<((f32, f32), (f32, f32))> {
    let m = f64::from(margin);
    let (xmin, ymin) = (f64::from(area.x) - m, f64::from(area.y) - m);
    let (xmax, ymax) = (f64::from(area.right()) + m, f64::from(area.bottom()) + m);
    let (ax, ay) = (f64::from(p0.0), f64::from(p0.1));
    let (dx, dy) = (f64::from(p1.0) - ax, f64::from(p1.1) - ay);
    let (mut t0, mut t1) = (0.0f64, 1.0f64);
    for (p, q) in [(-dx, ax - xmin), (dx, xmax - ax), (-dy, ay - ymin), (dy, ymax - ay)] {
        if p == 0.0 {
            if q < 0.0 {
                return None;
            }
        } else {
            let r = q / p;
            if p < 0.0 {
                t0 = t0.max(r);
            } else {
                t1 = t1.min(r);
            }
        }
    }
    let at = |t: f64| ((ax + t * dx) as f32, (ay + t * dy) as f32);
    (t0 <= t1).then(|| (at(t0), at(t1)))
}

impl Canvas {
    /// Draws the segment from `p0` to `p1`.
    pub fn line(&mut self, p0: (f32, f32), p1: (f32, f32), style: &LineStyle) {
        self.polyline(&[p0, p1], style);
    }

    /// Draws connected segments through `points`; a non-finite point breaks the line (the
    /// segments on either side of it are not drawn). Dashes run on across vertices.
    pub fn polyline(&mut self, points: &[(f32, f32)], style: &LineStyle) {
        if style.width.is_nan() || style.width <= 0.0 || points.len() < 2 {
            return;
        }
        let Some(area) = stroke_area(self, points, style.width) else { return };
        let mut mask = Coverage::new(area);
        let hw = style.width.max(1.0) / 2.0;
        let opacity = style.width.min(1.0);
        // Position within the dash pattern, in pixels of arc length.
        let mut phase = 0.0f32;
        for pair in points.windows(2) {
            let (a, b) = (pair[0], pair[1]);
            if !(a.0.is_finite() && a.1.is_finite() && b.0.is_finite() && b.1.is_finite()) {
                continue;
            }
            let Some((a, b)) = clip_segment(a, b, area, style.width + 2.0) else {
                continue;
            };
            match style.dash {
                None => mask.capsule(a, b, hw, opacity),
                Some((dash, gap)) if dash > 0.0 && gap >= 0.0 => {
                    let period = dash + gap;
                    let len = ((b.0 - a.0).powi(2) + (b.1 - a.1).powi(2)).sqrt();
                    let mut s = 0.0f32;
                    while s < len {
                        let in_period = phase % period;
                        let step = if in_period < dash { dash - in_period } else { period - in_period };
                        let end = (s + step).min(len);
                        if in_period < dash && len > 0.0 {
                            let at = |u: f32| (a.0 + (b.0 - a.0) * u / len, a.1 + (b.1 - a.1) * u / len);
                            mask.capsule(at(s), at(end), hw, opacity);
                        }
                        phase += end - s;
                        s = end;
                    }
                }
                Some(_) => mask.capsule(a, b, hw, opacity),
            }
        }
        mask.apply(self, style.color);
    }

    /// Fills a disc of radius `r` centred at `(cx, cy)`.
    pub fn fill_circle(&mut self, (cx, cy): (f32, f32), r: f32, color: Rgb) {
        if r.is_nan() || r <= 0.0 || !cx.is_finite() || !cy.is_finite() {
            return;
        }
        let Some(area) = stroke_area(self, &[(cx, cy)], 2.0 * r) else { return };
        let mut mask = Coverage::new(area);
        mask.capsule((cx, cy), (cx, cy), r, 1.0);
        mask.apply(self, color);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::image::{BLACK, WHITE};

    #[test]
    fn horizontal_line_is_crisp_on_integer_edges() {
        let mut c = Canvas::new(20, 10, WHITE).unwrap();
        c.line((2.0, 5.0), (18.0, 5.0), &LineStyle::solid(BLACK, 2.0));
        assert_eq!(c.pixel(10, 4), Some(BLACK));
        assert_eq!(c.pixel(10, 5), Some(BLACK));
        assert_eq!(c.pixel(10, 3), Some(WHITE));
        assert_eq!(c.pixel(10, 6), Some(WHITE));
    }

    #[test]
    fn diagonal_is_antialiased_and_continuous() {
        let mut c = Canvas::new(20, 20, WHITE).unwrap();
        c.line((0.0, 0.0), (20.0, 20.0), &LineStyle::solid(BLACK, 1.0));
        for i in 0..20 {
            assert_eq!(c.pixel(i, i), Some(BLACK), "on the diagonal at {i}");
        }
        let edge = c.pixel(5, 6).unwrap();
        assert!(edge[0] > 0 && edge[0] < 255, "neighbour {edge:?} should be partly covered");
    }

    #[test]
    fn dashes_leave_gaps() {
        let mut c = Canvas::new(40, 4, WHITE).unwrap();
        c.line((0.0, 2.0), (40.0, 2.0), &LineStyle::dashed(BLACK, 2.0, 6.0, 4.0));
        let row: Vec<bool> = (0..40).map(|x| c.pixel(x, 1) == Some(BLACK)).collect();
        assert!(row[2] && row[3], "dash");
        assert!(!row[8], "gap");
        assert!(row[12] && row[13], "next dash");
    }

    #[test]
    fn far_away_points_are_clipped_not_overflowed() {
        let mut c = Canvas::new(10, 10, WHITE).unwrap();
        c.line((-1e9, 5.0), (1e9, 5.0), &LineStyle::solid(BLACK, 2.0));
        assert_eq!(c.pixel(0, 5), Some(BLACK));
        c.line((f32::NAN, 0.0), (3.0, 3.0), &LineStyle::solid(BLACK, 2.0));
        c.fill_circle((5.0, 5.0), 2.0, [255, 0, 0]);
        assert_eq!(c.pixel(5, 5), Some([255, 0, 0]));
    }
}
