//! The colour maps: white centre, mirror symmetry, ordering.

use dashi_plot::Colormap;
use dashi_plot::colormap::lightness;

#[test]
fn diverging_is_white_at_the_centre() {
    let c = Colormap::Diverging.map(0.5);
    assert!(c.iter().all(|&v| v >= 254), "{c:?}");
}

#[test]
fn diverging_is_mirror_symmetric() {
    for i in 0..=1000 {
        let t = i as f32 / 1000.0;
        let a = Colormap::Diverging.map(t);
        let b = Colormap::Diverging.map(1.0 - t);
        let close = |x: u8, y: u8| (i32::from(x) - i32::from(y)).abs() <= 1;
        assert!(close(a[0], b[2]) && close(a[1], b[1]) && close(a[2], b[0]), "t = {t}: {a:?} vs {b:?}");
    }
}

#[test]
fn diverging_sides_are_red_and_blue_and_darken_outwards() {
    let red = Colormap::Diverging.map(0.9);
    let blue = Colormap::Diverging.map(0.1);
    assert!(red[0] > red[2] + 60, "{red:?}");
    assert!(blue[2] > blue[0] + 60, "{blue:?}");
    assert!(lightness(Colormap::Diverging.map(1.0)) < lightness(Colormap::Diverging.map(0.75)));
    assert!(lightness(Colormap::Diverging.map(0.75)) < lightness(Colormap::Diverging.map(0.5)));
}

#[test]
fn sequential_runs_light_to_dark() {
    assert!(lightness(Colormap::Sequential.map(0.0)) > 95.0);
    assert!(lightness(Colormap::Sequential.map(1.0)) < 30.0);
}
