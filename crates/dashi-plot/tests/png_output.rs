//! PNG encoding round trips through the `png` crate's decoder; atomic writes.

mod common;

use dashi_plot::{Canvas, PlotError, Rect};

#[test]
fn png_bytes_decode_to_the_same_pixels() {
    let mut canvas = Canvas::new(37, 21, [255, 255, 255]).unwrap();
    canvas.fill_rect(Rect::new(3, 4, 5, 6), [200, 10, 30]);
    canvas.set_pixel(36, 20, [1, 2, 3]);
    let (w, h, rgb) = common::decode_png(&canvas.to_png_bytes().unwrap());
    assert_eq!((w, h), (37, 21));
    assert_eq!(rgb, canvas.pixels());
    let at = |x: usize, y: usize| &rgb[(y * 37 + x) * 3..(y * 37 + x) * 3 + 3];
    assert_eq!(at(3, 4), [200, 10, 30]);
    assert_eq!(at(8, 4), [255, 255, 255]);
    assert_eq!(at(36, 20), [1, 2, 3]);
}

#[test]
fn write_png_atomic_replaces_the_file_and_leaves_no_temporaries() {
    let dir = common::scratch_dir("png");
    let path = dir.join("picture.png");
    Canvas::new(4, 3, [0, 0, 0]).unwrap().write_png_atomic(&path).unwrap();
    Canvas::new(9, 2, [0, 0, 0]).unwrap().write_png_atomic(&path).unwrap();
    let (w, h, _) = common::decode_png(&std::fs::read(&path).unwrap());
    assert_eq!((w, h), (9, 2), "the second write replaced the first");
    let names: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(names, vec![std::ffi::OsString::from("picture.png")]);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn io_errors_name_the_path() {
    let path = std::env::temp_dir().join("dashi-plot-no-such-dir-4711").join("x.png");
    let err = Canvas::new(2, 2, [0, 0, 0]).unwrap().write_png_atomic(&path).unwrap_err();
    assert!(matches!(err, PlotError::Io { .. }), "{err}");
    assert!(err.to_string().contains("dashi-plot-no-such-dir-4711"), "{err}");
}
