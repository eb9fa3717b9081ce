//! Drawing text with the embedded font ([`crate::font`]): horizontal text anchored by
//! [`HAlign`] / [`VAlign`], and text rotated a quarter turn for vertical axis titles.

use crate::font::{self, BASELINE, CELL_HEIGHT};
use crate::{Canvas, Rect, Rgb};

/// Horizontal anchoring of text relative to the given `x`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum HAlign {
    /// The text starts at `x`.
    #[default]
    Left,
    /// The text is centred on `x`.
    Center,
    /// The text ends at `x` (its last pixel is at `x − 1`).
    Right,
}

/// Vertical anchoring of text relative to the given `y`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum VAlign {
    /// `y` is the top of the text cell (superscript head-room included).
    #[default]
    Top,
    /// `y` is the middle of the capital letters / digits (for labels beside tick marks).
    Middle,
    /// `y` is the baseline (the row just below the capitals); descenders hang below it.
    Baseline,
    /// `y` is one past the bottom of the text cell (descenders included).
    Bottom,
}

/// Colour, integer scale and anchoring of a piece of text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TextStyle {
    /// Text colour.
    pub color: Rgb,
    /// Integer magnification of the 5×7 font (1 = 10-pixel cells, 2 = 20-pixel cells…).
    pub scale: u32,
    /// Horizontal anchoring.
    pub halign: HAlign,
    /// Vertical anchoring.
    pub valign: VAlign,
}

impl TextStyle {
    /// Text of this colour and scale, anchored at its top-left corner.
    pub fn new(color: Rgb, scale: u32) -> Self {
        Self { color, scale: scale.max(1), halign: HAlign::Left, valign: VAlign::Top }
    }

    /// The same style with other anchoring.
    pub fn align(self, halign: HAlign, valign: VAlign) -> Self {
        Self { halign, valign, ..self }
    }

    /// The box `text` covers when drawn at `(x, y)` with this style (one full cell tall).
    pub fn bounds(&self, x: i32, y: i32, text: &str) -> Rect {
        let s = self.scale.max(1);
        let width = font::text_width(text, s);
        let height = CELL_HEIGHT * s;
        let left = match self.halign {
            HAlign::Left => x,
            HAlign::Center => x - (width / 2) as i32,
            HAlign::Right => x - width as i32,
        };
        let top = match self.valign {
            VAlign::Top => y,
            // Capitals occupy cell rows 1..=7; their middle is 4.5 rows down.
            VAlign::Middle => y - (9 * s / 2) as i32,
            VAlign::Baseline => y - (BASELINE * s) as i32,
            VAlign::Bottom => y - height as i32,
        };
        Rect::new(left, top, width, height)
    }
}

impl Canvas {
    /// Draws one line of `text` anchored at `(x, y)`; returns the box it occupies.
    ///
    /// `^` followed by digits and signs draws a superscript (`"k^-3"`), see [`crate::font`].
    pub fn text(&mut self, x: i32, y: i32, text: &str, style: &TextStyle) -> Rect {
        let bounds = style.bounds(x, y, text);
        let s = style.scale.max(1) as i32;
        let (placed, _) = font::layout(text);
        for p in placed {
            for (row, bits) in p.glyph.rows.iter().enumerate() {
                for col in 0..8 {
                    if bits & (1 << col) != 0 {
                        let px = bounds.x + (p.x + col) * s;
                        let py = bounds.y + (p.y + row as i32) * s;
                        self.fill_rect(Rect::new(px, py, s as u32, s as u32), style.color);
                    }
                }
            }
        }
        bounds
    }

    /// Draws `text` turned a quarter turn anticlockwise (reading bottom to top, as a y-axis
    /// title), centred on `(cx, cy)`; returns the box it occupies. The style's alignment is
    /// ignored.
    pub fn text_vertical(&mut self, cx: i32, cy: i32, text: &str, style: &TextStyle) -> Rect {
        let s = style.scale.max(1);
        let (w, h) = (font::text_width(text, s), CELL_HEIGHT * s);
        if w == 0 {
            return Rect::new(cx, cy, 0, 0);
        }
        let Ok(mut flat) = Canvas::new(w, h, [0, 0, 0]) else { return Rect::new(cx, cy, 0, 0) };
        flat.text(0, 0, text, &TextStyle::new([255, 255, 255], s));
        let bounds = Rect::new(cx - (h / 2) as i32, cy - (w / 2) as i32, h, w);
        for u in 0..w as i32 {
            for v in 0..h as i32 {
                if flat.pixel(u, v).is_some_and(|p| p[0] != 0) {
                    // (u, v) in the flat text → (v, w − 1 − u) once turned anticlockwise.
                    self.set_pixel(bounds.x + v, bounds.y + w as i32 - 1 - u, style.color);
                }
            }
        }
        bounds
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::image::{BLACK, WHITE};

    fn ink(c: &Canvas) -> Option<Rect> {
        let (mut x0, mut y0, mut x1, mut y1) = (i32::MAX, i32::MAX, i32::MIN, i32::MIN);
        for y in 0..c.height() as i32 {
            for x in 0..c.width() as i32 {
                if c.pixel(x, y) != Some(WHITE) {
                    (x0, y0, x1, y1) = (x0.min(x), y0.min(y), x1.max(x), y1.max(y));
                }
            }
        }
        (x0 <= x1).then(|| Rect::new(x0, y0, (x1 - x0 + 1) as u32, (y1 - y0 + 1) as u32))
    }

    #[test]
    fn capital_sits_on_the_baseline() {
        let mut c = Canvas::new(40, 40, WHITE).unwrap();
        let style = TextStyle::new(BLACK, 2).align(HAlign::Left, VAlign::Baseline);
        c.text(5, 30, "E", &style);
        let r = ink(&c).unwrap();
        assert_eq!(r, Rect::new(5, 30 - 14, 10, 14), "E is 5×7 at scale 2, ending on the baseline");
    }

    #[test]
    fn centred_and_right_aligned() {
        let mut c = Canvas::new(60, 20, WHITE).unwrap();
        c.text(30, 10, "HI", &TextStyle::new(BLACK, 1).align(HAlign::Center, VAlign::Middle));
        let r = ink(&c).unwrap();
        assert!((r.x + r.right() - 60).abs() <= 1, "centred: {r:?}");
        assert!((r.y + r.bottom() - 20).abs() <= 1, "middle: {r:?}");
        let mut c = Canvas::new(60, 20, WHITE).unwrap();
        c.text(50, 0, "7", &TextStyle::new(BLACK, 1).align(HAlign::Right, VAlign::Top));
        assert_eq!(ink(&c).unwrap().right(), 50);
    }

    #[test]
    fn vertical_text_reads_upwards() {
        let mut c = Canvas::new(40, 60, WHITE).unwrap();
        let r = c.text_vertical(20, 30, "L", &TextStyle::new(BLACK, 1));
        assert_eq!((r.width, r.height), (10, 5));
        let ink = ink(&c).unwrap();
        assert_eq!(ink.height, 5, "the L's width runs vertically");
        // The L's foot runs along the bottom of the glyph → the right edge once turned;
        // its stem is at the glyph's left → the bottom row once turned.
        let bottom_row = (ink.x..ink.right()).filter(|&x| c.pixel(x, ink.bottom() - 1) == Some(BLACK)).count();
        assert_eq!(bottom_row, 7);
    }
}
