//! # dashi-plot — the pictures of the `dashi` CLI
//!
//! A small, dependency-light raster plotting library: everything is drawn by this crate
//! into an RGB8 [`Canvas`] and encoded with the `png` / `gif` crates.
//!
//! * [`Canvas`] ([`image`]) — fills, rectangles, anti-aliased solid and dashed lines
//!   ([`mod@line`]), discs, text in an embedded bitmap font ([`font`], [`text`]) at integer
//!   scales, PNG output ([`Canvas::to_png_bytes`], [`Canvas::write_png_atomic`]).
//! * [`Colormap`] ([`colormap`]) — a diverging blue–white–red map for signed fields and a
//!   sequential map for magnitudes.
//! * [`FieldPlot`] ([`field`]) — a colour-mapped 2D field with title and colour bar.
//! * [`triptych()`] ([`mod@triptych`]) — truth | decoded | error, the figure of `dashi decode`.
//! * [`LineChart`] ([`chart`], [`axis`]) — series on linear / log axes with legend and
//!   reference lines (`y = 0.95`, `k^-3`, a train | eval marker).
//! * [`GifAnimation`] ([`mod@gif`]) — canvases → a looping animated GIF.
//!
//! ## Conventions
//!
//! * **Pixel coordinates**: `(0, 0)` is the top-left pixel, x to the right, y **down**;
//!   the centre of pixel `(x, y)` is `(x + 0.5, y + 0.5)` for lines and discs.
//! * **Fields** are row-major `data[iy * nx + ix]` with `ix` to the right and **`iy = 0` at
//!   the bottom** of the picture, like a physicist's y axis (not an image's).
//! * **Colours** are sRGB triples [`Rgb`]. Colour maps are defined by anchor colours chosen
//!   for this crate (see [`colormap`]); NaN field cells are drawn grey
//!   ([`colormap::NAN_COLOR`]).
//! * **Text** is one line, drawn with the crate's own 5×7 font; `^` followed by digits or
//!   signs makes a superscript (`"k^-3"`, `"10^-6"`). `ω ν μ Δ · − ± × °` are available.
//! * **Errors**: every fallible function returns [`PlotError`], naming the bad input. Charts
//!   refuse NaN; fields draw it grey. Nothing panics on user data.
//! * **Files** are written atomically (temporary sibling + rename).
#![deny(missing_docs)]

mod atomic;
pub mod axis;
pub mod chart;
pub mod colormap;
pub mod error;
pub mod field;
pub mod font;
pub mod gif;
pub mod image;
pub mod line;
mod png;
pub mod text;
pub mod triptych;

pub use crate::gif::GifAnimation;
pub use axis::{AxisScale, linear_ticks, log_ticks};
pub use chart::{LineChart, Series};
pub use colormap::Colormap;
pub use error::PlotError;
pub use field::{FieldLayout, FieldPlot, FieldScale};
pub use image::{Canvas, Rect};
pub use line::LineStyle;
pub use text::{HAlign, TextStyle, VAlign};
pub use triptych::{TriptychLimits, triptych};

/// An sRGB colour, `[red, green, blue]`.
pub type Rgb = [u8; 3];

/// The README's example, compiled and run as a doctest so it cannot rot.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
