//! The embedded bitmap font: proportional 5×7 glyphs (7 rows above the baseline, 2 rows of
//! descender) drawn for this crate, plus a 3×5 superscript digit set.
//!
//! Every glyph sits in a cell [`CELL_HEIGHT`] rows tall (times the integer text scale):
//! row 0 is head-room for superscripts, rows 1–7 hold capitals and digits (the baseline is
//! the bottom of row 7), rows 8–9 hold descenders (`g j p q y ,`). Glyphs are
//! proportional: each advances by its inked width plus one blank column.
//!
//! Covered: printable ASCII 32–126, and `ω ν μ Δ · − ± × °`, the superscripts
//! `⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺`; any other character draws as a hollow box.
//!
//! **Superscripts.** A `^` followed by a run of `-+0123456789.` draws that run as a raised
//! small superscript: `"k^-3"` reads as k⁻³ and `"10^-6"` as 10⁻⁶. A `^` followed by anything
//! else is drawn literally (`"x^p"`).

/// Height of one text cell in unscaled pixels (head-room + cap height + descender).
pub const CELL_HEIGHT: u32 = 10;
/// Distance from the top of the cell to the baseline, unscaled.
pub const BASELINE: u32 = 8;
/// Recommended distance between two lines of text, unscaled.
pub const LINE_HEIGHT: u32 = 12;

/// One glyph: up to 9 rows of up to 8 columns (bit `c` of a row = column `c`).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Glyph {
    pub(crate) rows: [u8; 9],
    /// Leftmost inked column.
    pub(crate) left: u8,
    /// Inked width (0 for blank glyphs).
    pub(crate) width: u8,
}

const fn g(art: &[&str]) -> Glyph {
    let mut rows = [0u8; 9];
    let mut min = 8u8;
    let mut max = 0u8;
    let mut any = false;
    let mut r = 0;
    while r < art.len() {
        let bytes = art[r].as_bytes();
        let mut c = 0;
        while c < bytes.len() {
            if bytes[c] == b'#' {
                rows[r] |= 1 << c;
                any = true;
                if (c as u8) < min {
                    min = c as u8;
                }
                if (c as u8) > max {
                    max = c as u8;
                }
            }
            c += 1;
        }
        r += 1;
    }
    if any { Glyph { rows, left: min, width: max - min + 1 } } else { Glyph { rows, left: 0, width: 0 } }
}

/// Printable ASCII, `' '` (32) to `'~'` (126).
#[rustfmt::skip]
static ASCII: [Glyph; 95] = [
    g(&[]), // ' '
    g(&["#", "#", "#", "#", "#", ".", "#"]), // '!'
    g(&["#.#", "#.#", "#.#"]), // '"'
    g(&[
        ".#.#.",
        ".#.#.",
        "#####",
        ".#.#.",
        "#####",
        ".#.#.",
        ".#.#.",
    ]), // '#'
    g(&[
        "..#..",
        ".####",
        "#.#..",
        ".###.",
        "..#.#",
        "####.",
        "..#..",
    ]), // '$'
    g(&[
        "##...",
        "##..#",
        "...#.",
        "..#..",
        ".#...",
        "#..##",
        "...##",
    ]), // '%'
    g(&[
        ".##..",
        "#..#.",
        "#.#..",
        ".#...",
        "#.#.#",
        "#..#.",
        ".##.#",
    ]), // '&'
    g(&["#", "#", "#"]), // '\''
    g(&[
        "..#",
        ".#.",
        "#..",
        "#..",
        "#..",
        ".#.",
        "..#",
    ]), // '('
    g(&[
        "#..",
        ".#.",
        "..#",
        "..#",
        "..#",
        ".#.",
        "#..",
    ]), // ')'
    g(&[
        ".....",
        "..#..",
        "#.#.#",
        ".###.",
        "#.#.#",
        "..#..",
    ]), // '*'
    g(&[
        ".....",
        "..#..",
        "..#..",
        "#####",
        "..#..",
        "..#..",
    ]), // '+'
    g(&["..", "..", "..", "..", "..", "##", "##", ".#", "#."]), // ','
    g(&["....", "....", "....", "####"]), // '-'
    g(&["..", "..", "..", "..", "..", "##", "##"]), // '.'
    g(&[
        "....#",
        "....#",
        "...#.",
        "..#..",
        ".#...",
        "#....",
        "#....",
    ]), // '/'
    g(&[
        ".##.",
        "#..#",
        "#..#",
        "#..#",
        "#..#",
        "#..#",
        ".##.",
    ]), // '0'
    g(&[
        ".#.",
        "##.",
        ".#.",
        ".#.",
        ".#.",
        ".#.",
        "###",
    ]), // '1'
    g(&[
        ".###.",
        "#...#",
        "....#",
        "...#.",
        "..#..",
        ".#...",
        "#####",
    ]), // '2'
    g(&[
        "#####",
        "...#.",
        "..#..",
        "...#.",
        "....#",
        "#...#",
        ".###.",
    ]), // '3'
    g(&[
        "...#.",
        "..##.",
        ".#.#.",
        "#..#.",
        "#####",
        "...#.",
        "...#.",
    ]), // '4'
    g(&[
        "#####",
        "#....",
        "####.",
        "....#",
        "....#",
        "#...#",
        ".###.",
    ]), // '5'
    g(&[
        "..##.",
        ".#...",
        "#....",
        "####.",
        "#...#",
        "#...#",
        ".###.",
    ]), // '6'
    g(&[
        "#####",
        "....#",
        "...#.",
        "..#..",
        ".#...",
        ".#...",
        ".#...",
    ]), // '7'
    g(&[
        ".###.",
        "#...#",
        "#...#",
        ".###.",
        "#...#",
        "#...#",
        ".###.",
    ]), // '8'
    g(&[
        ".###.",
        "#...#",
        "#...#",
        ".####",
        "....#",
        "...#.",
        ".##..",
    ]), // '9'
    g(&["..", "..", "##", "##", "..", "##", "##"]), // ':'
    g(&["..", "..", "##", "##", "..", "##", "##", ".#", "#."]), // ';'
    g(&[
        "...#",
        "..#.",
        ".#..",
        "#...",
        ".#..",
        "..#.",
        "...#",
    ]), // '<'
    g(&[
        ".....",
        ".....",
        "#####",
        ".....",
        "#####",
    ]), // '='
    g(&[
        "#...",
        ".#..",
        "..#.",
        "...#",
        "..#.",
        ".#..",
        "#...",
    ]), // '>'
    g(&[
        ".###.",
        "#...#",
        "....#",
        "...#.",
        "..#..",
        ".....",
        "..#..",
    ]), // '?'
    g(&[
        ".###.",
        "#...#",
        "#.###",
        "#.#.#",
        "#.###",
        "#....",
        ".####",
    ]), // '@'
    g(&[
        ".###.",
        "#...#",
        "#...#",
        "#####",
        "#...#",
        "#...#",
        "#...#",
    ]), // 'A'
    g(&[
        "####.",
        "#...#",
        "#...#",
        "####.",
        "#...#",
        "#...#",
        "####.",
    ]), // 'B'
    g(&[
        ".###.",
        "#...#",
        "#....",
        "#....",
        "#....",
        "#...#",
        ".###.",
    ]), // 'C'
    g(&[
        "####.",
        "#...#",
        "#...#",
        "#...#",
        "#...#",
        "#...#",
        "####.",
    ]), // 'D'
    g(&[
        "#####",
        "#....",
        "#....",
        "####.",
        "#....",
        "#....",
        "#####",
    ]), // 'E'
    g(&[
        "#####",
        "#....",
        "#....",
        "####.",
        "#....",
        "#....",
        "#....",
    ]), // 'F'
    g(&[
        ".###.",
        "#...#",
        "#....",
        "#.###",
        "#...#",
        "#...#",
        ".####",
    ]), // 'G'
    g(&[
        "#...#",
        "#...#",
        "#...#",
        "#####",
        "#...#",
        "#...#",
        "#...#",
    ]), // 'H'
    g(&[
        "###",
        ".#.",
        ".#.",
        ".#.",
        ".#.",
        ".#.",
        "###",
    ]), // 'I'
    g(&[
        "..###",
        "...#.",
        "...#.",
        "...#.",
        "...#.",
        "#..#.",
        ".##..",
    ]), // 'J'
    g(&[
        "#...#",
        "#..#.",
        "#.#..",
        "##...",
        "#.#..",
        "#..#.",
        "#...#",
    ]), // 'K'
    g(&[
        "#....",
        "#....",
        "#....",
        "#....",
        "#....",
        "#....",
        "#####",
    ]), // 'L'
    g(&[
        "#...#",
        "##.##",
        "#.#.#",
        "#.#.#",
        "#...#",
        "#...#",
        "#...#",
    ]), // 'M'
    g(&[
        "#...#",
        "#...#",
        "##..#",
        "#.#.#",
        "#..##",
        "#...#",
        "#...#",
    ]), // 'N'
    g(&[
        ".###.",
        "#...#",
        "#...#",
        "#...#",
        "#...#",
        "#...#",
        ".###.",
    ]), // 'O'
    g(&[
        "####.",
        "#...#",
        "#...#",
        "####.",
        "#....",
        "#....",
        "#....",
    ]), // 'P'
    g(&[
        ".###.",
        "#...#",
        "#...#",
        "#...#",
        "#.#.#",
        "#..#.",
        ".##.#",
    ]), // 'Q'
    g(&[
        "####.",
        "#...#",
        "#...#",
        "####.",
        "#.#..",
        "#..#.",
        "#...#",
    ]), // 'R'
    g(&[
        ".####",
        "#....",
        "#....",
        ".###.",
        "....#",
        "....#",
        "####.",
    ]), // 'S'
    g(&[
        "#####",
        "..#..",
        "..#..",
        "..#..",
        "..#..",
        "..#..",
        "..#..",
    ]), // 'T'
    g(&[
        "#...#",
        "#...#",
        "#...#",
        "#...#",
        "#...#",
        "#...#",
        ".###.",
    ]), // 'U'
    g(&[
        "#...#",
        "#...#",
        "#...#",
        "#...#",
        "#...#",
        ".#.#.",
        "..#..",
    ]), // 'V'
    g(&[
        "#...#",
        "#...#",
        "#...#",
        "#.#.#",
        "#.#.#",
        "#.#.#",
        ".#.#.",
    ]), // 'W'
    g(&[
        "#...#",
        "#...#",
        ".#.#.",
        "..#..",
        ".#.#.",
        "#...#",
        "#...#",
    ]), // 'X'
    g(&[
        "#...#",
        "#...#",
        ".#.#.",
        "..#..",
        "..#..",
        "..#..",
        "..#..",
    ]), // 'Y'
    g(&[
        "#####",
        "....#",
        "...#.",
        "..#..",
        ".#...",
        "#....",
        "#####",
    ]), // 'Z'
    g(&["###", "#..", "#..", "#..", "#..", "#..", "###"]), // '['
    g(&[
        "#....",
        "#....",
        ".#...",
        "..#..",
        "...#.",
        "....#",
        "....#",
    ]), // '\\'
    g(&["###", "..#", "..#", "..#", "..#", "..#", "###"]), // ']'
    g(&["..#..", ".#.#.", "#...#"]), // '^'
    g(&["", "", "", "", "", "", "", "#####"]), // '_'
    g(&["#.", ".#"]), // '`'
    g(&[
        ".....",
        ".....",
        ".###.",
        "....#",
        ".####",
        "#...#",
        ".####",
    ]), // 'a'
    g(&[
        "#....",
        "#....",
        "#.##.",
        "##..#",
        "#...#",
        "#...#",
        "####.",
    ]), // 'b'
    g(&[
        ".....",
        ".....",
        ".###.",
        "#....",
        "#....",
        "#...#",
        ".###.",
    ]), // 'c'
    g(&[
        "....#",
        "....#",
        ".##.#",
        "#..##",
        "#...#",
        "#...#",
        ".####",
    ]), // 'd'
    g(&[
        ".....",
        ".....",
        ".###.",
        "#...#",
        "#####",
        "#....",
        ".###.",
    ]), // 'e'
    g(&[
        "..##",
        ".#..",
        ".#..",
        "###.",
        ".#..",
        ".#..",
        ".#..",
    ]), // 'f'
    g(&[
        ".....",
        ".....",
        ".####",
        "#...#",
        "#...#",
        "#...#",
        ".####",
        "....#",
        ".###.",
    ]), // 'g'
    g(&[
        "#....",
        "#....",
        "#.##.",
        "##..#",
        "#...#",
        "#...#",
        "#...#",
    ]), // 'h'
    g(&[
        ".#.",
        "...",
        "##.",
        ".#.",
        ".#.",
        ".#.",
        "###",
    ]), // 'i'
    g(&[
        "..#",
        "...",
        ".##",
        "..#",
        "..#",
        "..#",
        "..#",
        "#.#",
        ".#.",
    ]), // 'j'
    g(&[
        "#...",
        "#...",
        "#..#",
        "#.#.",
        "##..",
        "#.#.",
        "#..#",
    ]), // 'k'
    g(&[
        "##.",
        ".#.",
        ".#.",
        ".#.",
        ".#.",
        ".#.",
        "###",
    ]), // 'l'
    g(&[
        ".....",
        ".....",
        "##.#.",
        "#.#.#",
        "#.#.#",
        "#.#.#",
        "#.#.#",
    ]), // 'm'
    g(&[
        ".....",
        ".....",
        "#.##.",
        "##..#",
        "#...#",
        "#...#",
        "#...#",
    ]), // 'n'
    g(&[
        ".....",
        ".....",
        ".###.",
        "#...#",
        "#...#",
        "#...#",
        ".###.",
    ]), // 'o'
    g(&[
        ".....",
        ".....",
        "####.",
        "#...#",
        "#...#",
        "#...#",
        "####.",
        "#....",
        "#....",
    ]), // 'p'
    g(&[
        ".....",
        ".....",
        ".####",
        "#...#",
        "#...#",
        "#...#",
        ".####",
        "....#",
        "....#",
    ]), // 'q'
    g(&[
        "....",
        "....",
        "#.##",
        "##..",
        "#...",
        "#...",
        "#...",
    ]), // 'r'
    g(&[
        ".....",
        ".....",
        ".####",
        "#....",
        ".###.",
        "....#",
        "####.",
    ]), // 's'
    g(&[
        ".#..",
        ".#..",
        "###.",
        ".#..",
        ".#..",
        ".#..",
        "..##",
    ]), // 't'
    g(&[
        ".....",
        ".....",
        "#...#",
        "#...#",
        "#...#",
        "#..##",
        ".##.#",
    ]), // 'u'
    g(&[
        ".....",
        ".....",
        "#...#",
        "#...#",
        "#...#",
        ".#.#.",
        "..#..",
    ]), // 'v'
    g(&[
        ".....",
        ".....",
        "#...#",
        "#...#",
        "#.#.#",
        "#.#.#",
        ".#.#.",
    ]), // 'w'
    g(&[
        ".....",
        ".....",
        "#...#",
        ".#.#.",
        "..#..",
        ".#.#.",
        "#...#",
    ]), // 'x'
    g(&[
        ".....",
        ".....",
        "#...#",
        "#...#",
        "#...#",
        "#...#",
        ".####",
        "....#",
        ".###.",
    ]), // 'y'
    g(&[
        ".....",
        ".....",
        "#####",
        "...#.",
        "..#..",
        ".#...",
        "#####",
    ]), // 'z'
    g(&[
        "..##",
        ".#..",
        ".#..",
        "#...",
        ".#..",
        ".#..",
        "..##",
    ]), // '{'
    g(&["#", "#", "#", "#", "#", "#", "#", "#", "#"]), // '|'
    g(&[
        "##..",
        "..#.",
        "..#.",
        "...#",
        "..#.",
        "..#.",
        "##..",
    ]), // '}'
    g(&[
        ".....",
        ".....",
        ".#...",
        "#.#.#",
        "...#.",
    ]), // '~'
];

#[rustfmt::skip]
static OMEGA: Glyph = g(&[
    ".......",
    ".......",
    ".#...#.",
    "#.....#",
    "#..#..#",
    "#..#..#",
    ".##.##.",
]);
#[rustfmt::skip]
static NU: Glyph = g(&[
    ".....",
    ".....",
    "#...#",
    "#...#",
    "#..#.",
    "#.#..",
    "##...",
]);
#[rustfmt::skip]
static MU: Glyph = g(&[
    ".....",
    ".....",
    "#...#",
    "#...#",
    "#...#",
    "#..##",
    "###.#",
    "#....",
    "#....",
]);
#[rustfmt::skip]
static DELTA: Glyph = g(&[
    "..#..",
    "..#..",
    ".#.#.",
    ".#.#.",
    "#...#",
    "#...#",
    "#####",
]);
static MIDDOT: Glyph = g(&["", "", "", "##", "##"]);
static MINUS: Glyph = g(&["", "", "", "#####"]);
#[rustfmt::skip]
static PLUSMINUS: Glyph = g(&[
    "..#..",
    "..#..",
    "#####",
    "..#..",
    "..#..",
    ".....",
    "#####",
]);
#[rustfmt::skip]
static TIMES: Glyph = g(&[
    ".....",
    ".....",
    "#...#",
    ".#.#.",
    "..#..",
    ".#.#.",
    "#...#",
]);
static DEGREE: Glyph = g(&[".##.", "#..#", "#..#", ".##."]);
#[rustfmt::skip]
static MISSING: Glyph = g(&[
    "#####",
    "#...#",
    "#...#",
    "#...#",
    "#...#",
    "#...#",
    "#####",
]);

/// Superscript glyphs, 3×5: digits 0–9, then `-`, `+`, `.`.
#[rustfmt::skip]
static SMALL: [Glyph; 13] = [
    g(&["###", "#.#", "#.#", "#.#", "###"]), // 0
    g(&[".#", "##", ".#", ".#", ".#"]),      // 1
    g(&["###", "..#", "###", "#..", "###"]), // 2
    g(&["###", "..#", ".##", "..#", "###"]), // 3
    g(&["#.#", "#.#", "###", "..#", "..#"]), // 4
    g(&["###", "#..", "###", "..#", "###"]), // 5
    g(&["###", "#..", "###", "#.#", "###"]), // 6
    g(&["###", "..#", "..#", ".#.", ".#."]), // 7
    g(&["###", "#.#", "###", "#.#", "###"]), // 8
    g(&["###", "#.#", "###", "..#", "###"]), // 9
    g(&["", "", "###"]),                     // -
    g(&["", ".#.", "###", ".#."]),           // +
    g(&["", "", "", "", "#"]),               // .
];

/// Advance of a space, unscaled.
const SPACE_ADVANCE: i32 = 3;

fn small_index(c: char) -> Option<usize> {
    match c {
        '0'..='9' => Some(c as usize - '0' as usize),
        '⁰' => Some(0),
        '¹' => Some(1),
        '²' => Some(2),
        '³' => Some(3),
        '⁴'..='⁹' => Some(c as usize - '⁴' as usize + 4),
        '-' | '−' | '⁻' => Some(10),
        '+' | '⁺' => Some(11),
        '.' => Some(12),
        _ => None,
    }
}

fn is_unicode_superscript(c: char) -> bool {
    matches!(c, '⁰' | '¹' | '²' | '³' | '⁴'..='⁹' | '⁻' | '⁺')
}

fn glyph(c: char) -> &'static Glyph {
    match c {
        ' '..='~' => &ASCII[c as usize - ' ' as usize],
        'ω' => &OMEGA,
        'ν' => &NU,
        'μ' | 'µ' => &MU,
        'Δ' => &DELTA,
        '·' => &MIDDOT,
        '−' => &MINUS,
        '±' => &PLUSMINUS,
        '×' => &TIMES,
        '°' => &DEGREE,
        _ => &MISSING,
    }
}

/// Whether `c` has a glyph of its own (otherwise it draws as a hollow box).
pub fn has_glyph(c: char) -> bool {
    matches!(c, ' '..='~' | 'ω' | 'ν' | 'μ' | 'µ' | 'Δ' | '·' | '−' | '±' | '×' | '°') || is_unicode_superscript(c)
}

/// One glyph placed by [`layout`], in unscaled pixels relative to the text's top-left corner.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Placed {
    pub(crate) glyph: &'static Glyph,
    /// Column of the glyph's first inked column.
    pub(crate) x: i32,
    /// Row of the glyph's row 0 (1 for normal glyphs, 0 for superscripts).
    pub(crate) y: i32,
}

/// Lays out one line of text; returns the glyphs and the unscaled width.
pub(crate) fn layout(text: &str) -> (Vec<Placed>, u32) {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::with_capacity(chars.len());
    let mut x = 0i32;
    let mut i = 0;
    let mut superscript = false;
    while i < chars.len() {
        let c = chars[i];
        if c == '^' && !superscript && chars.get(i + 1).is_some_and(|&n| small_index(n).is_some()) {
            superscript = true;
            i += 1;
            continue;
        }
        if superscript && small_index(c).is_none() {
            superscript = false;
        }
        if superscript || is_unicode_superscript(c) {
            let glyph = &SMALL[small_index(c).unwrap_or(0)];
            out.push(Placed { glyph, x, y: 0 });
            x += i32::from(glyph.width) + 1;
        } else if c == ' ' {
            x += SPACE_ADVANCE;
        } else {
            let glyph = glyph(c);
            out.push(Placed { glyph, x: x - i32::from(glyph.left), y: 1 });
            x += i32::from(glyph.width) + 1;
        }
        i += 1;
    }
    // The last glyph's trailing blank column is not part of the text.
    let width = if text.ends_with(' ') { x } else { (x - 1).max(0) };
    (out, width as u32)
}

/// Width in pixels of `text` drawn at integer `scale` (superscripts included).
pub fn text_width(text: &str, scale: u32) -> u32 {
    layout(text).1 * scale
}

/// Height in pixels of one text cell at integer `scale` ([`CELL_HEIGHT`] × scale).
pub fn text_height(scale: u32) -> u32 {
    CELL_HEIGHT * scale
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_printable_ascii_char_but_space_has_ink() {
        for c in '!'..='~' {
            let glyph = glyph(c);
            assert!(glyph.width > 0, "{c:?} is blank");
            assert!(glyph.width <= 5, "{c:?} is {} wide", glyph.width);
            assert!(has_glyph(c));
        }
        assert!(!has_glyph('€'));
    }

    #[test]
    fn digits_are_distinct() {
        let rows: Vec<[u8; 9]> = ('0'..='9').map(|c| glyph(c).rows).collect();
        for i in 0..rows.len() {
            for j in i + 1..rows.len() {
                assert_ne!(rows[i], rows[j], "digits {i} and {j} look alike");
            }
        }
    }

    #[test]
    fn superscript_run_is_raised_and_small() {
        let (placed, _) = layout("k^-3");
        assert_eq!(placed.len(), 3, "the caret is not drawn");
        assert_eq!(placed[0].y, 1);
        assert_eq!(placed[1].y, 0);
        assert_eq!(placed[2].y, 0);
        let (literal, _) = layout("x^p");
        assert_eq!(literal.len(), 3, "a caret before a letter is literal");
        assert_eq!(layout("k⁻³").1, layout("k^-3").1);
    }

    #[test]
    fn widths_add_up() {
        assert_eq!(text_width("", 2), 0);
        assert_eq!(text_width("1", 1), 3);
        assert_eq!(text_width("11", 1), 7);
        assert_eq!(text_width("11", 3), 21);
        assert!(text_width("ω", 1) > text_width("w", 1));
    }
}
