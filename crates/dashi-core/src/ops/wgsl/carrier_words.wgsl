// Carrier bit-plane helpers (dashi_core::carrier): bit i % 32 of word i / 32 is cell i.

// ceil(cells / 32) without overflowing for cells near 2^32.
fn word_count(cells: u32) -> u32 {
    return cells / 32u + select(0u, 1u, cells % 32u != 0u);
}

// (c + o - r) mod extent for c < extent and o <= 2r, where 2r < extent or r = 0;
// computed without signed arithmetic or overflow.
fn wrap_coord(c: u32, o: u32, r: u32, extent: u32) -> u32 {
    let t = c + o;
    var m = t - r;
    if t < r {
        m = t + (extent - r);
    }
    if m >= extent {
        m = m - extent;
    }
    return m;
}
