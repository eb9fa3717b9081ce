//! The truth | decoded | error figure of `dashi decode`.
//!
//! Three `n × n` fields side by side (each `data[iy * n + ix]`, iy = 0 at the bottom). Truth
//! and decoded share symmetric limits ±L and one colour bar (right of the decoded panel);
//! the signed error has its own symmetric limits ±E and its own colour bar. Both use the
//! diverging map. A caption line runs across the top.

use crate::field::{FieldPlot, max_abs};
use crate::font::LINE_HEIGHT;
use crate::text::{HAlign, TextStyle, VAlign};
use crate::{Canvas, PlotError};

/// Colour limits of a triptych; `None` = automatic.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct TriptychLimits {
    /// L of truth and decoded (±L); automatic: max |x| over both fields.
    pub field: Option<f32>,
    /// E of the error panel (±E); automatic: max |error|.
    pub error: Option<f32>,
}

/// Draws truth | decoded | error side by side with `titles` above the panels and `caption`
/// above everything (e.g. `"t = 12.5   rel-L2 = 0.31   corr = 0.95"`).
///
/// Fails with [`PlotError::ShapeMismatch`] naming the field whose length is not `n²`,
/// [`PlotError::EmptyData`] for `n = 0`, [`PlotError::InvalidParameter`] for a limit that
/// is not finite and positive.
pub fn triptych(
    truth: &[f32],
    decoded: &[f32],
    error: &[f32],
    n: usize,
    titles: [&str; 3],
    caption: &str,
    limits: TriptychLimits,
) -> Result<Canvas, PlotError> {
    if n == 0 {
        return Err(PlotError::empty("triptych of 0x0 fields"));
    }
    let cells = n.checked_mul(n).ok_or_else(|| PlotError::size("triptych field", n as u64, n as u64))?;
    for (name, field) in [("truth", truth), ("decoded", decoded), ("error", error)] {
        if field.len() != cells {
            return Err(PlotError::ShapeMismatch {
                what: format!("triptych '{name}' field ({n}x{n} cells)"),
                expected: cells,
                got: field.len(),
            });
        }
    }
    let auto = |a: Option<f32>, b: Option<f32>| match (a, b) {
        (Some(x), Some(y)) if x.max(y) > 0.0 => x.max(y),
        (Some(x), None) | (None, Some(x)) if x > 0.0 => x,
        _ => 1.0,
    };
    let field_limit = limits.field.unwrap_or_else(|| auto(max_abs(truth), max_abs(decoded)));
    let error_limit = limits.error.unwrap_or_else(|| auto(max_abs(error), None));
    let s = 2;
    let panels = [
        FieldPlot::new(truth, n, n).title(titles[0]).symmetric_limit(field_limit).colorbar(false).text_scale(s),
        FieldPlot::new(decoded, n, n).title(titles[1]).symmetric_limit(field_limit).colorbar_label("ω").text_scale(s),
        FieldPlot::new(error, n, n).title(titles[2]).symmetric_limit(error_limit).colorbar_label("Δω").text_scale(s),
    ];
    let layouts = panels.iter().map(|p| p.layout()).collect::<Result<Vec<_>, _>>()?;
    let pad = 8 * s as i32;
    let caption_h = if caption.is_empty() { 0 } else { (LINE_HEIGHT * s) as i32 + pad };
    let gap = 4 * s as i32;
    let width = layouts.iter().map(|l| l.bounds.width as i32).sum::<i32>() + 2 * gap + 2 * pad;
    let height = layouts.iter().map(|l| l.bounds.height as i32).max().unwrap_or(0) + caption_h + 2 * pad;
    let mut canvas = Canvas::new(width as u32, height as u32, crate::image::WHITE)?;
    let mut x = pad;
    for (panel, layout) in panels.iter().zip(&layouts) {
        panel.draw(&mut canvas, x, pad + caption_h)?;
        x += layout.bounds.width as i32 + gap;
    }
    if !caption.is_empty() {
        let style = TextStyle::new([0, 0, 0], s).align(HAlign::Center, VAlign::Top);
        canvas.text(width / 2, pad, caption, &style);
    }
    Ok(canvas)
}
