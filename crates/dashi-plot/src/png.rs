//! PNG output of a [`Canvas`] (8-bit RGB, no colour management chunks beyond sRGB).

use std::path::Path;

use crate::{Canvas, PlotError, atomic};

impl Canvas {
    /// The canvas encoded as a PNG file (8-bit RGB).
    pub fn to_png_bytes(&self) -> Result<Vec<u8>, PlotError> {
        let mut out = Vec::new();
        {
            let mut encoder = png::Encoder::new(&mut out, self.width(), self.height());
            encoder.set_color(png::ColorType::Rgb);
            encoder.set_depth(png::BitDepth::Eight);
            encoder.set_source_srgb(png::SrgbRenderingIntent::Perceptual);
            let mut writer = encoder.write_header().map_err(|e| PlotError::Png(e.to_string()))?;
            writer.write_image_data(self.pixels()).map_err(|e| PlotError::Png(e.to_string()))?;
            writer.finish().map_err(|e| PlotError::Png(e.to_string()))?;
        }
        Ok(out)
    }

    /// Writes the canvas as a PNG file at `path`, atomically: the bytes go to a temporary
    /// file in the same directory, which is then renamed over `path`.
    pub fn write_png_atomic(&self, path: impl AsRef<Path>) -> Result<(), PlotError> {
        atomic::write_atomic(path.as_ref(), &self.to_png_bytes()?)
    }
}
