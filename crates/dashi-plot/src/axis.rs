//! Axis scales, tick positions and number labels.
//!
//! * Linear axes get "nice" ticks: multiples of 1, 2 or 5 × 10ᵏ.
//! * Log₁₀ axes get ticks at whole decades (10ᵏ, labelled `10^k`, drawn with a raised
//!   exponent), thinned to every 2nd/3rd… decade when there are more than ten; an axis that
//!   shows fewer than three decades falls back to 1-2-5 mantissas (then 1…9), labelled as
//!   plain numbers.
//! * Numbers are written with a true minus sign (`−`) and, when very large or small, as
//!   `m×10^k`.

/// How data values map to positions along an axis.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AxisScale {
    /// Position proportional to the value.
    #[default]
    Linear,
    /// Position proportional to log₁₀ of the value; non-positive values are not drawn.
    Log10,
}

impl AxisScale {
    /// The value in axis space (the value itself, or its log₁₀); `None` when the value
    /// cannot be shown on this axis (non-positive on a log axis, non-finite).
    pub fn forward(self, v: f64) -> Option<f64> {
        match self {
            AxisScale::Linear => v.is_finite().then_some(v),
            AxisScale::Log10 => (v.is_finite() && v > 0.0).then(|| v.log10()),
        }
    }

    /// The inverse of [`AxisScale::forward`].
    pub fn inverse(self, u: f64) -> f64 {
        match self {
            AxisScale::Linear => u,
            AxisScale::Log10 => 10f64.powf(u),
        }
    }
}

/// The step of "nice" ticks (1, 2 or 5 × 10ᵏ) giving at most `max_ticks` ticks in `[lo, hi]`.
pub fn nice_step(lo: f64, hi: f64, max_ticks: usize) -> f64 {
    let span = (hi - lo).abs();
    if !(span.is_finite() && span > 0.0) {
        return 1.0;
    }
    let raw = span / (max_ticks.max(2) - 1) as f64;
    let magnitude = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0].into_iter().map(|m| m * magnitude).find(|&s| s >= raw * (1.0 - 1e-9));
    step.unwrap_or(10.0 * magnitude)
}

/// Nice ticks (multiples of 1, 2 or 5 × 10ᵏ) inside `[lo, hi]`, at most `max_ticks` (≥ 2)
/// of them, in increasing order. A degenerate range gives the single value `lo`.
pub fn linear_ticks(lo: f64, hi: f64, max_ticks: usize) -> Vec<f64> {
    if !(lo.is_finite() && hi.is_finite()) {
        return Vec::new();
    }
    if hi <= lo {
        return vec![lo];
    }
    let step = nice_step(lo, hi, max_ticks);
    let eps = step * 1e-9;
    let first = (lo / step - 1e-9).ceil() as i64;
    let last = (hi / step + 1e-9).floor() as i64;
    (first..=last)
        .map(|i| {
            let v = i as f64 * step;
            if v.abs() < eps { 0.0 } else { v }
        })
        .collect()
}

/// Ticks for a log₁₀ axis over `[lo, hi]` (both > 0): the decades 10ᵏ inside the range
/// (every n-th decade when there are more than ten), or, for a range holding fewer than
/// three decades, 1-2-5 × 10ᵏ, or 1…9 × 10ᵏ. Empty for an invalid range.
pub fn log_ticks(lo: f64, hi: f64) -> Vec<f64> {
    if !(lo.is_finite() && hi.is_finite() && lo > 0.0 && hi > lo) {
        return Vec::new();
    }
    let k0 = (lo.log10() - 1e-9).ceil() as i32;
    let k1 = (hi.log10() + 1e-9).floor() as i32;
    let decades = (k1 - k0 + 1).max(0) as usize;
    if decades >= 3 {
        let stride = decades.div_ceil(10);
        // Keep 10⁰ (or the decade nearest to it) on the grid when thinning.
        let anchor = 0i32.clamp(k0, k1);
        let offset = (anchor - k0).rem_euclid(stride as i32);
        return (k0..=k1).filter(|k| (k - k0 - offset).rem_euclid(stride as i32) == 0).map(|k| 10f64.powi(k)).collect();
    }
    for mantissas in [&[1.0, 2.0, 5.0][..], &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0][..]] {
        let ticks = mantissa_ticks(lo, hi, mantissas);
        if ticks.len() >= 2 {
            return ticks;
        }
    }
    mantissa_ticks(lo, hi, &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0])
}

/// Values m·10ᵏ (m from `mantissas`) inside `[lo, hi]`.
pub(crate) fn mantissa_ticks(lo: f64, hi: f64, mantissas: &[f64]) -> Vec<f64> {
    let k0 = lo.log10().floor() as i32 - 1;
    let k1 = hi.log10().ceil() as i32;
    let mut out = Vec::new();
    for k in k0..=k1 {
        for &m in mantissas {
            let v = m * 10f64.powi(k);
            if v >= lo * (1.0 - 1e-9) && v <= hi * (1.0 + 1e-9) {
                out.push(v);
            }
        }
    }
    out
}

/// Whether `v` is (numerically) a whole power of ten.
pub(crate) fn is_decade(v: f64) -> bool {
    v > 0.0 && (v.log10() - v.log10().round()).abs() < 1e-9
}

/// Replaces ASCII hyphens with the minus sign `−`.
fn with_minus(s: String) -> String {
    s.replace('-', "−")
}

/// Removes trailing zeros after a decimal point (and the point itself if nothing is left).
fn trim_zeros(s: String) -> String {
    if s.contains('.') { s.trim_end_matches('0').trim_end_matches('.').to_string() } else { s }
}

/// `v` with `sig` significant digits, trailing zeros trimmed: `12.3`, `0.0457`, `−3`, and
/// `4.6×10^-7` (rich text: the exponent is drawn raised) outside `[0.001, 100000)`.
pub fn format_significant(v: f64, sig: usize) -> String {
    if v == 0.0 || !v.is_finite() {
        return if v.is_nan() {
            "NaN".into()
        } else if v == 0.0 {
            "0".into()
        } else {
            with_minus(format!("{v}"))
        };
    }
    let sig = sig.max(1);
    let mut e = v.abs().log10().floor() as i32;
    // Rounding can carry into the next decade (9.996 → 10.0).
    let rounded = |e: i32| {
        let scale = 10f64.powi(sig as i32 - 1 - e);
        (v * scale).round() / scale
    };
    if rounded(e).abs() >= 10f64.powi(e + 1) {
        e += 1;
    }
    if (-3..5).contains(&e) {
        let decimals = (sig as i32 - 1 - e).max(0) as usize;
        with_minus(trim_zeros(format!("{:.*}", decimals, rounded(e))))
    } else {
        let mantissa = rounded(e) / 10f64.powi(e);
        let m = trim_zeros(format!("{:.*}", sig - 1, mantissa));
        let m = if m == "1" {
            String::new()
        } else if m == "-1" {
            "-".into()
        } else {
            format!("{m}×")
        };
        with_minus(format!("{m}10^{e}"))
    }
}

/// Labels for linear ticks spaced by `step`: all with the same number of decimals, or in
/// `m×10^k` form for very large or small values.
pub fn linear_tick_labels(ticks: &[f64], step: f64) -> Vec<String> {
    let biggest = ticks.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    let step_exp = if step > 0.0 && step.is_finite() { step.log10().floor() as i32 } else { 0 };
    if biggest >= 1e5 || step_exp < -4 {
        // Enough significant digits to tell neighbouring ticks apart.
        let sig = if biggest > 0.0 { (biggest.log10().floor() as i32 - step_exp + 1).clamp(1, 6) as usize } else { 1 };
        return ticks.iter().map(|&v| format_significant(v, sig)).collect();
    }
    let decimals = (-step_exp).max(0) as usize;
    ticks.iter().map(|&v| with_minus(format!("{:.*}", decimals, if v == 0.0 { 0.0 } else { v }))).collect()
}

/// Label for a tick on a log axis: `10^k` for decades, else the value with 2 significant
/// digits.
pub fn log_tick_label(v: f64) -> String {
    if is_decade(v) { with_minus(format!("10^{}", v.log10().round() as i32)) } else { format_significant(v, 2) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nice_linear_ticks() {
        let t = linear_ticks(0.0, 1.0, 6);
        let expected = [0.0, 0.2, 0.4, 0.6, 0.8, 1.0];
        assert_eq!(t.len(), expected.len(), "{t:?}");
        assert!(t.iter().zip(expected).all(|(a, b)| (a - b).abs() < 1e-12), "{t:?}");
        assert_eq!(linear_ticks(-3.0, 12.5, 8), vec![0.0, 5.0, 10.0]);
        let t = linear_ticks(0.93, 1.0, 5);
        assert_eq!(t.len(), 4, "{t:?}");
        assert!(linear_ticks(5.0, 5.0, 5) == vec![5.0]);
        for max in 2..12 {
            assert!(linear_ticks(-7.3, 1234.0, max).len() <= max);
        }
    }

    #[test]
    fn decades_for_a_wide_log_range() {
        let t = log_ticks(1e-6, 1e2);
        assert_eq!(t.len(), 9);
        for (k, v) in (-6..=2).zip(&t) {
            assert!((v / 10f64.powi(k) - 1.0).abs() < 1e-12, "{v} vs 1e{k}");
        }
        let wide = log_ticks(1e-30, 1e3);
        assert!(wide.len() <= 10 && wide.len() >= 5, "{wide:?}");
        assert!(wide.iter().any(|&v| (v - 1.0).abs() < 1e-12), "thinned decades keep 1: {wide:?}");
    }

    #[test]
    fn narrow_log_range_falls_back_to_mantissas() {
        assert_eq!(log_ticks(1.5, 30.0), vec![2.0, 5.0, 10.0, 20.0]);
        assert_eq!(log_ticks(2.5, 4.5), vec![3.0, 4.0]);
        assert!(log_ticks(0.0, 1.0).is_empty());
        assert!(log_ticks(2.0, 1.0).is_empty());
    }

    #[test]
    fn labels() {
        assert_eq!(format_significant(12.3456, 3), "12.3");
        assert_eq!(format_significant(-0.045678, 3), "−0.0457");
        assert_eq!(format_significant(9.996, 3), "10");
        assert_eq!(format_significant(4.56e-7, 2), "4.6×10^−7");
        assert_eq!(format_significant(1e8, 3), "10^8");
        assert_eq!(format_significant(0.0, 3), "0");
        assert_eq!(log_tick_label(1e-3), "10^−3");
        assert_eq!(log_tick_label(1.0), "10^0");
        assert_eq!(log_tick_label(20.0), "20");
        assert_eq!(linear_tick_labels(&[-0.5, 0.0, 0.5], 0.5), vec!["−0.5", "0.0", "0.5"]);
        assert_eq!(linear_tick_labels(&[0.0, 5.0, 10.0], 5.0), vec!["0", "5", "10"]);
    }
}
