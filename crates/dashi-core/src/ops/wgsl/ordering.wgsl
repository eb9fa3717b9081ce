// The reference order of selections (dashi_core::ops argmax / top_k): larger value
// first, ties by lower index, NaN after every number and NaNs among themselves by
// index. NaN is recognised from the bit pattern, not by `v != v`, because WGSL lets
// implementations assume NaN is absent from floating-point arithmetic; integer tests
// cannot be folded away.

// "No candidate yet" in partial selections (indices are < n <= 2^32 - 1).
const NONE: u32 = 0xffffffffu;

fn is_nan(v: f32) -> bool {
    return (bitcast<u32>(v) & 0x7fffffffu) > 0x7f800000u;
}

// Whether candidate (a, ia) ranks strictly before (b, ib); NONE after everything.
fn ranks_before(a: f32, ia: u32, b: f32, ib: u32) -> bool {
    if ia == NONE {
        return false;
    }
    if ib == NONE {
        return true;
    }
    let a_nan = is_nan(a);
    let b_nan = is_nan(b);
    if a_nan || b_nan {
        if a_nan && b_nan {
            return ia < ib;
        }
        return b_nan;
    }
    return a > b || (a == b && ia < ib);
}
