//! [`Canvas`]: an owned RGB8 raster with a clip rectangle, and [`Rect`].
//!
//! Pixel coordinates: `(0, 0)` is the top-left pixel, `x` grows to the right, `y` grows
//! **downwards**; pixel `(x, y)` covers the square `[x, x+1) × [y, y+1)`, so its centre is
//! `(x + 0.5, y + 0.5)` in the continuous coordinates used by lines and circles. Pixels are
//! stored row-major, top row first, 3 bytes per pixel (R, G, B).

use crate::{PlotError, Rgb};

/// Largest accepted width or height of a canvas, in pixels.
pub const MAX_SIDE: u32 = 16_384;

/// White.
pub const WHITE: Rgb = [255, 255, 255];
/// Black.
pub const BLACK: Rgb = [0, 0, 0];

/// An axis-aligned rectangle of pixels: columns `x .. x + width`, rows `y .. y + height`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Rect {
    /// Left column.
    pub x: i32,
    /// Top row.
    pub y: i32,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
}

impl Rect {
    /// A rectangle from its top-left corner and size.
    pub const fn new(x: i32, y: i32, width: u32, height: u32) -> Self {
        Self { x, y, width, height }
    }

    /// One past the rightmost column.
    pub fn right(&self) -> i32 {
        self.x.saturating_add_unsigned(self.width)
    }

    /// One past the bottom row.
    pub fn bottom(&self) -> i32 {
        self.y.saturating_add_unsigned(self.height)
    }

    /// Whether pixel `(x, y)` lies inside.
    pub fn contains(&self, x: i32, y: i32) -> bool {
        x >= self.x && x < self.right() && y >= self.y && y < self.bottom()
    }

    /// The common part of two rectangles, `None` if they do not overlap.
    pub fn intersect(&self, other: &Rect) -> Option<Rect> {
        let x0 = self.x.max(other.x);
        let y0 = self.y.max(other.y);
        let x1 = self.right().min(other.right());
        let y1 = self.bottom().min(other.bottom());
        (x1 > x0 && y1 > y0).then(|| Rect::new(x0, y0, (x1 - x0) as u32, (y1 - y0) as u32))
    }

    /// Whether the two rectangles share at least one pixel.
    pub fn overlaps(&self, other: &Rect) -> bool {
        self.intersect(other).is_some()
    }

    /// The rectangle grown by `d` pixels on every side (shrunk for negative `d`, never
    /// below zero size).
    pub fn inflate(&self, d: i32) -> Rect {
        let w = (i64::from(self.width) + 2 * i64::from(d)).max(0) as u32;
        let h = (i64::from(self.height) + 2 * i64::from(d)).max(0) as u32;
        Rect::new(self.x - d, self.y - d, w, h)
    }
}

/// An RGB8 picture.
#[derive(Clone, PartialEq, Eq)]
pub struct Canvas {
    width: u32,
    height: u32,
    pixels: Vec<u8>,
    clip: Rect,
}

impl std::fmt::Debug for Canvas {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Canvas")
            .field("width", &self.width)
            .field("height", &self.height)
            .field("clip", &self.clip)
            .finish()
    }
}

impl Canvas {
    /// A `width × height` canvas filled with `background`.
    ///
    /// Fails with [`PlotError::InvalidSize`] for a zero side or a side above [`MAX_SIDE`].
    pub fn new(width: u32, height: u32, background: Rgb) -> Result<Self, PlotError> {
        if width == 0 || height == 0 || width > MAX_SIDE || height > MAX_SIDE {
            return Err(PlotError::size("canvas", width, height));
        }
        let pixels = background.iter().copied().cycle().take(width as usize * height as usize * 3).collect();
        Ok(Self { width, height, pixels, clip: Rect::new(0, 0, width, height) })
    }

    /// A canvas over existing RGB8 pixels (row-major, top row first).
    pub fn from_rgb(width: u32, height: u32, pixels: Vec<u8>) -> Result<Self, PlotError> {
        let mut canvas = Self::new(width, height, BLACK)?;
        if pixels.len() != canvas.pixels.len() {
            return Err(PlotError::ShapeMismatch {
                what: format!("RGB pixels of a {width}x{height} canvas"),
                expected: canvas.pixels.len(),
                got: pixels.len(),
            });
        }
        canvas.pixels = pixels;
        Ok(canvas)
    }

    /// Width in pixels.
    pub fn width(&self) -> u32 {
        self.width
    }

    /// Height in pixels.
    pub fn height(&self) -> u32 {
        self.height
    }

    /// The whole canvas as a rectangle.
    pub fn bounds(&self) -> Rect {
        Rect::new(0, 0, self.width, self.height)
    }

    /// The RGB bytes, row-major, top row first.
    pub fn pixels(&self) -> &[u8] {
        &self.pixels
    }

    /// The colour at `(x, y)`, `None` outside the canvas.
    pub fn pixel(&self, x: i32, y: i32) -> Option<Rgb> {
        self.bounds().contains(x, y).then(|| {
            let i = self.index(x, y);
            [self.pixels[i], self.pixels[i + 1], self.pixels[i + 2]]
        })
    }

    /// Restricts all later drawing to `clip` (intersected with the canvas); `None` lifts it.
    pub fn set_clip(&mut self, clip: Option<Rect>) {
        let bounds = self.bounds();
        self.clip = match clip {
            None => bounds,
            Some(r) => r.intersect(&bounds).unwrap_or_default(),
        };
    }

    /// The current clip rectangle.
    pub fn clip(&self) -> Rect {
        self.clip
    }

    fn index(&self, x: i32, y: i32) -> usize {
        (y as usize * self.width as usize + x as usize) * 3
    }

    /// Sets one pixel (ignored outside the clip rectangle).
    pub fn set_pixel(&mut self, x: i32, y: i32, color: Rgb) {
        if self.clip.contains(x, y) {
            let i = self.index(x, y);
            self.pixels[i..i + 3].copy_from_slice(&color);
        }
    }

    /// Mixes `color` into one pixel with opacity `alpha ∈ [0, 1]` (ignored outside the clip).
    pub fn blend_pixel(&mut self, x: i32, y: i32, color: Rgb, alpha: f32) {
        if alpha.is_nan() || alpha <= 0.0 || !self.clip.contains(x, y) {
            return;
        }
        let a = alpha.min(1.0);
        let i = self.index(x, y);
        for (px, &c) in self.pixels[i..i + 3].iter_mut().zip(&color) {
            let old = f32::from(*px);
            *px = (old + (f32::from(c) - old) * a).round() as u8;
        }
    }

    /// Fills the clip rectangle (the whole canvas unless a clip is set).
    pub fn fill(&mut self, color: Rgb) {
        self.fill_rect(self.clip, color);
    }

    /// Fills a rectangle.
    pub fn fill_rect(&mut self, rect: Rect, color: Rgb) {
        let Some(r) = rect.intersect(&self.clip) else { return };
        for y in r.y..r.bottom() {
            let start = self.index(r.x, y);
            for px in self.pixels[start..start + r.width as usize * 3].chunks_exact_mut(3) {
                px.copy_from_slice(&color);
            }
        }
    }

    /// Draws the outline of a rectangle, `thickness` pixels wide, inside the rectangle.
    pub fn stroke_rect(&mut self, rect: Rect, color: Rgb, thickness: u32) {
        let t = thickness.min(rect.width).min(rect.height);
        if t == 0 {
            return;
        }
        self.fill_rect(Rect::new(rect.x, rect.y, rect.width, t), color);
        self.fill_rect(Rect::new(rect.x, rect.bottom() - t as i32, rect.width, t), color);
        self.fill_rect(Rect::new(rect.x, rect.y, t, rect.height), color);
        self.fill_rect(Rect::new(rect.right() - t as i32, rect.y, t, rect.height), color);
    }

    /// Copies `other` with its top-left corner at `(x, y)` (clipped).
    pub fn blit(&mut self, other: &Canvas, x: i32, y: i32) {
        let target = Rect::new(x, y, other.width, other.height);
        let Some(r) = target.intersect(&self.clip) else { return };
        for row in r.y..r.bottom() {
            let src = other.index(r.x - x, row - y);
            let dst = self.index(r.x, row);
            let n = r.width as usize * 3;
            self.pixels[dst..dst + n].copy_from_slice(&other.pixels[src..src + n]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_empty_and_huge_canvases() {
        assert!(matches!(Canvas::new(0, 5, WHITE), Err(PlotError::InvalidSize { .. })));
        assert!(matches!(Canvas::new(5, MAX_SIDE + 1, WHITE), Err(PlotError::InvalidSize { .. })));
        assert!(matches!(Canvas::from_rgb(2, 2, vec![0; 11]), Err(PlotError::ShapeMismatch { .. })));
    }

    #[test]
    fn rects_and_clip() {
        let mut c = Canvas::new(10, 8, WHITE).unwrap();
        c.fill_rect(Rect::new(-3, -3, 5, 5), BLACK);
        assert_eq!(c.pixel(0, 0), Some(BLACK));
        assert_eq!(c.pixel(1, 1), Some(BLACK));
        assert_eq!(c.pixel(2, 2), Some(WHITE));
        c.set_clip(Some(Rect::new(5, 5, 2, 2)));
        c.fill([1, 2, 3]);
        assert_eq!(c.pixel(5, 5), Some([1, 2, 3]));
        assert_eq!(c.pixel(7, 7), Some(WHITE));
        assert_eq!(c.pixel(10, 0), None);
        c.set_clip(None);
        c.stroke_rect(c.bounds(), [9, 9, 9], 1);
        assert_eq!(c.pixel(9, 7), Some([9, 9, 9]));
        assert_eq!(c.pixel(8, 6), Some(WHITE));
    }

    #[test]
    fn blend_and_blit() {
        let mut c = Canvas::new(4, 4, WHITE).unwrap();
        c.blend_pixel(1, 1, BLACK, 0.5);
        assert_eq!(c.pixel(1, 1), Some([128, 128, 128]));
        let mut small = Canvas::new(2, 2, [10, 20, 30]).unwrap();
        small.set_pixel(1, 1, BLACK);
        c.blit(&small, 3, 3);
        assert_eq!(c.pixel(3, 3), Some([10, 20, 30]));
        c.blit(&small, -1, -1);
        assert_eq!(c.pixel(0, 0), Some(BLACK));
    }
}
