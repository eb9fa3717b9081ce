//! [`GifAnimation`]: canvases → an animated GIF that loops forever.
//!
//! GIF frames hold at most 256 colours. One **global palette** is built for the whole
//! animation by median cut (written here): the colour histogram of all frames is split
//! repeatedly, always cutting the box with the largest √(pixel count) × (widest channel range)
//! at the weighted median of its widest channel, until 256 boxes; each box contributes its
//! weighted mean colour. An animation with ≤ 256 distinct colours keeps them exactly. Every
//! pixel then takes the nearest palette colour (Euclidean in RGB). Colour-mapped fields are
//! one-dimensional curves through RGB space, so 256 colours render them without visible
//! banding.

use std::collections::HashMap;
use std::path::Path;

use crate::{Canvas, PlotError, Rgb, atomic};

/// Frames of equal size and a common frame delay.
#[derive(Debug, Clone, Default)]
pub struct GifAnimation {
    frames: Vec<Canvas>,
    delay_ms: u32,
}

impl GifAnimation {
    /// An empty animation showing each frame for `delay_ms` milliseconds (GIF stores
    /// hundredths of a second: the delay is rounded to 10 ms, and at least 20 ms because
    /// many viewers slow shorter delays down to 100 ms).
    pub fn new(delay_ms: u32) -> Self {
        Self { frames: Vec::new(), delay_ms }
    }

    /// Appends a frame; all frames must have the size of the first one
    /// ([`PlotError::ShapeMismatch`] otherwise) and fit a GIF (≤ 65535 pixels a side).
    pub fn push(&mut self, frame: Canvas) -> Result<(), PlotError> {
        if frame.width() > u32::from(u16::MAX) || frame.height() > u32::from(u16::MAX) {
            return Err(PlotError::size("GIF frame", frame.width(), frame.height()));
        }
        if let Some(first) = self.frames.first()
            && (first.width(), first.height()) != (frame.width(), frame.height())
        {
            return Err(PlotError::ShapeMismatch {
                what: format!(
                    "GIF frame {} ({}x{}; frames must all be {}x{})",
                    self.frames.len(),
                    frame.width(),
                    frame.height(),
                    first.width(),
                    first.height()
                ),
                expected: first.width() as usize * first.height() as usize,
                got: frame.width() as usize * frame.height() as usize,
            });
        }
        self.frames.push(frame);
        Ok(())
    }

    /// Number of frames.
    pub fn len(&self) -> usize {
        self.frames.len()
    }

    /// Whether there are no frames yet.
    pub fn is_empty(&self) -> bool {
        self.frames.is_empty()
    }

    /// The frame delay in GIF units (hundredths of a second).
    pub fn delay_centiseconds(&self) -> u16 {
        (self.delay_ms.saturating_add(5) / 10).clamp(2, u32::from(u16::MAX)) as u16
    }

    /// The animation encoded as a GIF file (global palette, infinite loop).
    pub fn to_gif_bytes(&self) -> Result<Vec<u8>, PlotError> {
        let first = self.frames.first().ok_or_else(|| PlotError::empty("GIF animation with no frames"))?;
        let (w, h) = (first.width() as u16, first.height() as u16);
        let palette = median_cut(&histogram(&self.frames), 256);
        let mut flat: Vec<u8> = palette.iter().flatten().copied().collect();
        // The GIF colour table needs a power-of-two size of at least 2 entries.
        while flat.len() < 6 {
            flat.extend_from_slice(&[0, 0, 0]);
        }
        let mut nearest: HashMap<Rgb, u8> = HashMap::new();
        let mut out = Vec::new();
        {
            let err = |e: ::gif::EncodingError| PlotError::Gif(e.to_string());
            let mut encoder = ::gif::Encoder::new(&mut out, w, h, &flat).map_err(err)?;
            encoder.set_repeat(::gif::Repeat::Infinite).map_err(err)?;
            for frame in &self.frames {
                let indices: Vec<u8> = frame
                    .pixels()
                    .chunks_exact(3)
                    .map(|p| {
                        let c = [p[0], p[1], p[2]];
                        *nearest.entry(c).or_insert_with(|| closest(&palette, c))
                    })
                    .collect();
                let mut gif_frame = ::gif::Frame::from_indexed_pixels(w, h, indices, None);
                gif_frame.delay = self.delay_centiseconds();
                encoder.write_frame(&gif_frame).map_err(err)?;
            }
        }
        Ok(out)
    }

    /// Writes the GIF to `path` atomically (temporary file in the same directory + rename).
    pub fn write_gif_atomic(&self, path: impl AsRef<Path>) -> Result<(), PlotError> {
        atomic::write_atomic(path.as_ref(), &self.to_gif_bytes()?)
    }
}

/// Distinct colours of all frames with their pixel counts.
fn histogram(frames: &[Canvas]) -> Vec<(Rgb, u64)> {
    let mut counts: HashMap<Rgb, u64> = HashMap::new();
    for frame in frames {
        for p in frame.pixels().chunks_exact(3) {
            *counts.entry([p[0], p[1], p[2]]).or_insert(0) += 1;
        }
    }
    let mut colors: Vec<(Rgb, u64)> = counts.into_iter().collect();
    colors.sort_unstable();
    colors
}

/// Channel with the widest range in `colors`, and that range.
fn widest_channel(colors: &[(Rgb, u64)]) -> (usize, u8) {
    (0..3)
        .map(|ch| {
            let lo = colors.iter().map(|c| c.0[ch]).min().unwrap_or(0);
            let hi = colors.iter().map(|c| c.0[ch]).max().unwrap_or(0);
            (ch, hi - lo)
        })
        .max_by_key(|&(ch, range)| (range, 2 - ch))
        .unwrap_or((0, 0))
}

/// A palette of at most `max` colours for the weighted `colors` (median cut).
pub(crate) fn median_cut(colors: &[(Rgb, u64)], max: usize) -> Vec<Rgb> {
    if colors.len() <= max {
        return colors.iter().map(|c| c.0).collect();
    }
    let priority = |b: &[(Rgb, u64)]| {
        let count: u64 = b.iter().map(|c| c.1).sum();
        // Boxes of one colour cannot be split.
        if b.len() < 2 { 0 } else { (count.max(1) as f64).sqrt() as u64 * u64::from(widest_channel(b).1) + 1 }
    };
    let mut boxes: Vec<(Vec<(Rgb, u64)>, u64)> = vec![(colors.to_vec(), priority(colors))];
    while boxes.len() < max {
        let Some((index, &(_, p))) = boxes.iter().enumerate().max_by_key(|(_, b)| b.1) else { break };
        if p == 0 {
            break;
        }
        let (mut b, _) = boxes.swap_remove(index);
        let (ch, _) = widest_channel(&b);
        b.sort_unstable_by_key(|c| c.0[ch]);
        let total: u64 = b.iter().map(|c| c.1).sum();
        let mut acc = 0;
        let mut cut = 1;
        for (i, c) in b.iter().enumerate() {
            acc += c.1;
            if acc * 2 >= total {
                cut = i + 1;
                break;
            }
        }
        let cut = cut.clamp(1, b.len() - 1);
        let upper = b.split_off(cut);
        let (pb, pu) = (priority(&b), priority(&upper));
        boxes.push((b, pb));
        boxes.push((upper, pu));
    }
    boxes
        .iter()
        .map(|(b, _)| {
            let total: u64 = b.iter().map(|c| c.1).sum::<u64>().max(1);
            let mean = |ch: usize| {
                let sum: u64 = b.iter().map(|c| u64::from(c.0[ch]) * c.1).sum();
                ((sum + total / 2) / total) as u8
            };
            [mean(0), mean(1), mean(2)]
        })
        .collect()
}

/// Index of the palette colour nearest to `c`.
fn closest(palette: &[Rgb], c: Rgb) -> u8 {
    let d = |p: &Rgb| (0..3).map(|k| (i32::from(p[k]) - i32::from(c[k])).pow(2)).sum::<i32>();
    palette.iter().enumerate().min_by_key(|(_, p)| d(p)).map_or(0, |(i, _)| i as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn few_colours_are_kept_exactly() {
        let colors = vec![([1, 2, 3], 5), ([200, 0, 0], 1)];
        assert_eq!(median_cut(&colors, 256), vec![[1, 2, 3], [200, 0, 0]]);
    }

    #[test]
    fn median_cut_spreads_over_a_gradient() {
        let colors: Vec<(Rgb, u64)> = (0..=255u8).flat_map(|r| (0..4u8).map(move |g| ([r, g * 60, 0], 1))).collect();
        let palette = median_cut(&colors, 16);
        assert_eq!(palette.len(), 16);
        let worst = colors.iter().map(|(c, _)| {
            let p = palette[closest(&palette, *c) as usize];
            (0..3).map(|k| (i32::from(p[k]) - i32::from(c[k])).abs()).max().unwrap_or(0)
        });
        assert!(worst.max().unwrap() <= 64);
    }

    #[test]
    fn delays_and_errors() {
        assert_eq!(GifAnimation::new(0).delay_centiseconds(), 2);
        assert_eq!(GifAnimation::new(95).delay_centiseconds(), 10);
        let mut a = GifAnimation::new(100);
        assert!(matches!(a.to_gif_bytes(), Err(PlotError::EmptyData { .. })));
        a.push(Canvas::new(4, 4, [0, 0, 0]).unwrap()).unwrap();
        assert!(matches!(a.push(Canvas::new(4, 5, [0, 0, 0]).unwrap()), Err(PlotError::ShapeMismatch { .. })));
        assert_eq!(a.len(), 1);
    }
}
