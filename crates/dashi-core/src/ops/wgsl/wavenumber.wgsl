// Wavenumbers of full-layout spectra (dashi_core::spectral): k = fftfreq(n)·n, index
// i ↦ i for i < n/2, else i − n (index n/2 is −n/2).

// Signed wavenumber of index i on an n-point axis.
fn wavenumber(i: u32, n: u32) -> i32 {
    if i < n / 2u {
        return i32(i);
    }
    return i32(i) - i32(n);
}

// |wavenumber(i)|.
fn abs_wavenumber(i: u32, n: u32) -> u32 {
    if i < n / 2u {
        return i;
    }
    return n - i;
}

// wavenumber(i) as f32 (exact: |k| <= n/2 <= 4096).
fn signed_k(i: u32, n: u32) -> f32 {
    if i < n / 2u {
        return f32(i);
    }
    return f32(i) - f32(n);
}
