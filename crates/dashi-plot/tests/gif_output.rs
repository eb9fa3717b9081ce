//! Animated GIFs decode (with the `gif` crate) to the right frames.

mod common;

use dashi_plot::{Canvas, FieldPlot, GifAnimation};

fn decode(bytes: &[u8]) -> (u16, u16, Vec<(u16, Vec<u8>)>, gif::Repeat) {
    let mut options = gif::DecodeOptions::new();
    options.set_color_output(gif::ColorOutput::RGBA);
    let mut decoder = options.read_info(std::io::Cursor::new(bytes)).unwrap();
    let (w, h) = (decoder.width(), decoder.height());
    let mut frames = Vec::new();
    while let Some(frame) = decoder.read_next_frame().unwrap() {
        frames.push((frame.delay, frame.buffer.to_vec()));
    }
    (w, h, frames, decoder.repeat())
}

#[test]
fn frames_round_trip() {
    let mut animation = GifAnimation::new(80);
    let colours = [[255, 0, 0], [0, 255, 0], [0, 0, 255], [250, 250, 250], [10, 20, 30]];
    for c in colours {
        animation.push(Canvas::new(21, 13, c).unwrap()).unwrap();
    }
    let (w, h, frames, repeat) = decode(&animation.to_gif_bytes().unwrap());
    assert_eq!((w, h), (21, 13));
    assert_eq!(frames.len(), 5);
    assert_eq!(repeat, gif::Repeat::Infinite);
    for ((delay, rgba), c) in frames.iter().zip(colours) {
        assert_eq!(*delay, 8);
        assert_eq!(&rgba[..3], &c, "≤ 256 colours are kept exactly");
        assert_eq!(rgba.len(), 21 * 13 * 4);
    }
}

#[test]
fn field_animation_keeps_colours_close() {
    let n = 24;
    let mut animation = GifAnimation::new(50);
    let mut originals = Vec::new();
    for step in 0..6 {
        let phase = step as f32 * 0.4;
        let omega: Vec<f32> = (0..n * n)
            .map(|i| ((i % n) as f32 * 0.3 + phase).sin() * ((i / n) as f32 * 0.2).cos() + 0.01 * (i % 7) as f32)
            .collect();
        let frame = FieldPlot::new(&omega, n, n).symmetric_limit(1.1).title(&format!("step {step}")).render().unwrap();
        originals.push(frame.clone());
        animation.push(frame).unwrap();
    }
    let dir = common::scratch_dir("gif");
    let path = dir.join("omega.gif");
    animation.write_gif_atomic(&path).unwrap();
    let (w, h, frames, _) = decode(&std::fs::read(&path).unwrap());
    assert_eq!((u32::from(w), u32::from(h)), (originals[0].width(), originals[0].height()));
    assert_eq!(frames.len(), 6);
    for ((_, rgba), original) in frames.iter().zip(&originals) {
        let worst = rgba
            .chunks_exact(4)
            .zip(original.pixels().chunks_exact(3))
            .map(|(a, b)| (0..3).map(|k| (i32::from(a[k]) - i32::from(b[k])).abs()).max().unwrap())
            .max()
            .unwrap();
        assert!(worst <= 24, "palette error {worst}");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
