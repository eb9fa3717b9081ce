//! Colour maps, defined here by anchor colours chosen for this crate and joined by
//! piecewise-linear interpolation in sRGB.
//!
//! * [`Colormap::Diverging`] — dark blue → blue → white → red → dark red. White sits exactly
//!   at `t = 0.5`; the blue half is the red half with the red and blue channels swapped, so
//!   `map(t)` and `map(1 − t)` are mirror images. CIE lightness falls monotonically from
//!   the white centre to both ends (≈ 100 → 20), so the magnitude reads the same way on
//!   both sides. Meant for signed fields with symmetric limits ±L (vorticity, signed error).
//! * [`Colormap::Sequential`] — near-white → straw → orange → crimson → dark plum, lightness
//!   monotonically decreasing; meant for magnitudes that start at 0 (error, energy).
//!
//! Missing values (NaN) are drawn in [`NAN_COLOR`], a neutral grey that neither map uses.

use crate::Rgb;

/// Colour of NaN cells in fields (and of `map(NaN)`).
pub const NAN_COLOR: Rgb = [128, 128, 128];

/// The red half of the diverging map: anchors at |s| = 0, 1/5, …, 1 where s = 2t − 1.
const DIVERGING_RED: [Rgb; 6] =
    [[255, 255, 255], [250, 214, 196], [240, 158, 126], [218, 94, 70], [172, 36, 40], [104, 8, 28]];

/// Sequential anchors at t = 0, 1/5, …, 1.
const SEQUENTIAL: [Rgb; 6] =
    [[253, 252, 244], [248, 226, 150], [244, 172, 76], [222, 104, 52], [164, 38, 62], [74, 10, 68]];

/// A colour map from `t ∈ [0, 1]` to an sRGB colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Colormap {
    /// Blue–white–red, white at 0.5, mirror-symmetric (signed data, limits ±L).
    #[default]
    Diverging,
    /// Near-white to dark plum, lightness decreasing (magnitudes from 0 to L).
    Sequential,
}

impl Colormap {
    /// The colour at `t`; `t` outside `[0, 1]` is clamped, NaN gives [`NAN_COLOR`].
    pub fn map(self, t: f32) -> Rgb {
        if t.is_nan() {
            return NAN_COLOR;
        }
        let t = t.clamp(0.0, 1.0);
        match self {
            Colormap::Diverging => {
                let s = 2.0 * t - 1.0;
                let [r, g, b] = interpolate(&DIVERGING_RED, s.abs());
                if s < 0.0 { [b, g, r] } else { [r, g, b] }
            }
            Colormap::Sequential => interpolate(&SEQUENTIAL, t),
        }
    }

    /// Whether the map is meant for signed data with symmetric limits.
    pub fn is_diverging(self) -> bool {
        matches!(self, Colormap::Diverging)
    }

    /// A short name (`"diverging"`, `"sequential"`).
    pub fn name(self) -> &'static str {
        match self {
            Colormap::Diverging => "diverging",
            Colormap::Sequential => "sequential",
        }
    }
}

fn interpolate(anchors: &[Rgb], u: f32) -> Rgb {
    let segments = (anchors.len() - 1) as f32;
    let pos = u.clamp(0.0, 1.0) * segments;
    let i = (pos.floor() as usize).min(anchors.len() - 2);
    let f = pos - i as f32;
    let (a, b) = (anchors[i], anchors[i + 1]);
    let lerp = |x: u8, y: u8| (f32::from(x) + (f32::from(y) - f32::from(x)) * f).round().clamp(0.0, 255.0) as u8;
    [lerp(a[0], b[0]), lerp(a[1], b[1]), lerp(a[2], b[2])]
}

/// CIE L* (0–100) of an sRGB colour; used to keep the maps perceptually ordered.
pub fn lightness(c: Rgb) -> f32 {
    let lin = |v: u8| {
        let v = f32::from(v) / 255.0;
        if v <= 0.04045 { v / 12.92 } else { ((v + 0.055) / 1.055).powf(2.4) }
    };
    let y = 0.2126 * lin(c[0]) + 0.7152 * lin(c[1]) + 0.0722 * lin(c[2]);
    if y > 216.0 / 24389.0 { 116.0 * y.cbrt() - 16.0 } else { y * 24389.0 / 27.0 }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ends_and_centre() {
        assert_eq!(Colormap::Diverging.map(0.5), [255, 255, 255]);
        let red = Colormap::Diverging.map(1.0);
        let blue = Colormap::Diverging.map(0.0);
        assert!(red[0] > red[2] && red[0] > red[1], "{red:?}");
        assert!(blue[2] > blue[0] && blue[2] > blue[1], "{blue:?}");
        assert_eq!(Colormap::Diverging.map(7.0), red, "clamped");
        assert_eq!(Colormap::Sequential.map(f32::NAN), NAN_COLOR);
    }

    #[test]
    fn lightness_is_monotonic_away_from_white() {
        let steps = 200;
        let mut previous_red = 101.0;
        let mut previous_blue = 101.0;
        let mut previous_seq = 101.0;
        for i in 0..=steps {
            let u = i as f32 / steps as f32;
            let red = lightness(Colormap::Diverging.map(0.5 + 0.5 * u));
            let blue = lightness(Colormap::Diverging.map(0.5 - 0.5 * u));
            let seq = lightness(Colormap::Sequential.map(u));
            assert!(red <= previous_red + 0.3, "red half not monotonic at {u}");
            assert!(blue <= previous_blue + 0.3, "blue half not monotonic at {u}");
            assert!(seq <= previous_seq + 0.3, "sequential not monotonic at {u}");
            (previous_red, previous_blue, previous_seq) = (red, blue, seq);
        }
        assert!(previous_red < 30.0 && previous_blue < 30.0 && previous_seq < 30.0);
    }

    #[test]
    fn nan_grey_is_not_a_map_colour() {
        for i in 0..=1000 {
            let t = i as f32 / 1000.0;
            for map in [Colormap::Diverging, Colormap::Sequential] {
                let c = map.map(t);
                let d: i32 = (0..3).map(|k| (i32::from(c[k]) - i32::from(NAN_COLOR[k])).abs()).sum();
                assert!(d > 40, "{} at {t} is {c:?}, too close to the NaN grey", map.name());
            }
        }
    }
}
