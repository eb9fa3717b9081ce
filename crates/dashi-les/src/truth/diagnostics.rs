//! `diagnostics.csv`: one row of scalar diagnostics per stored frame.

use super::error::TruthError;
use std::path::Path;

/// The header line of `diagnostics.csv`.
pub(crate) const CSV_HEADER: &str = "step,time,energy,enstrophy,palinstrophy,max_abs_omega,cfl";

/// Scalar diagnostics of one stored frame (one row of `diagnostics.csv`): the solver's
/// [`crate::Diagnostics`] (definitions there and in docs/DESIGN.md §5), under the name the truth
/// files use.
pub type DiagnosticsRow = crate::Diagnostics;

impl DiagnosticsRow {
    /// The floating-point fields with their column names.
    fn float_fields(&self) -> [(&'static str, f64); 6] {
        [
            ("time", self.time),
            ("energy", self.energy),
            ("enstrophy", self.enstrophy),
            ("palinstrophy", self.palinstrophy),
            ("max_abs_omega", self.max_abs_omega),
            ("cfl", self.cfl),
        ]
    }

    /// The first field that is NaN or infinite.
    pub(crate) fn first_non_finite(&self) -> Option<(&'static str, f64)> {
        self.float_fields().into_iter().find(|(_, value)| !value.is_finite())
    }

    /// The CSV line (without newline); floats in Rust's shortest round-trip `{:e}` form.
    pub(crate) fn to_csv_line(self) -> String {
        let mut line = self.step.to_string();
        for (_, value) in self.float_fields() {
            line.push_str(&format!(",{value:e}"));
        }
        line
    }

    /// Parses one CSV line written by [`to_csv_line`](Self::to_csv_line) (any float
    /// notation Rust parses is accepted).
    pub(crate) fn parse_csv_line(line: &str) -> Result<Self, String> {
        let fields: Vec<&str> = line.split(',').collect();
        if fields.len() != 7 {
            return Err(format!("{} fields, expected 7", fields.len()));
        }
        let float = |i: usize, name: &str| {
            fields[i].trim().parse::<f64>().map_err(|_| format!("{name}: `{}` is not a number", fields[i]))
        };
        Ok(Self {
            step: fields[0].trim().parse().map_err(|_| format!("step: `{}` is not a step number", fields[0]))?,
            time: float(1, "time")?,
            energy: float(2, "energy")?,
            enstrophy: float(3, "enstrophy")?,
            palinstrophy: float(4, "palinstrophy")?,
            max_abs_omega: float(5, "max_abs_omega")?,
            cfl: float(6, "cfl")?,
        })
    }
}

/// Reads and validates `diagnostics.csv`: the exact header, then rows of finite values.
/// `max_bytes` bounds the file (a row is under 200 bytes; the reader passes a cap from
/// the frame count).
pub(crate) fn read_diagnostics_csv(path: &Path, max_bytes: u64) -> Result<Vec<DiagnosticsRow>, TruthError> {
    let bytes = dashi_core::files::read_bounded(path, max_bytes).map_err(|e| super::reader::bounded_error(path, e))?;
    let text = String::from_utf8(bytes).map_err(|_| TruthError::corrupt(path, "not UTF-8 text"))?;
    let mut lines = text.lines();
    if lines.next().map(str::trim_end) != Some(CSV_HEADER) {
        return Err(TruthError::corrupt(path, format!("the first line must be `{CSV_HEADER}`")));
    }
    lines
        .enumerate()
        .map(|(i, line)| {
            let line_number = i + 2;
            let row = DiagnosticsRow::parse_csv_line(line.trim_end())
                .map_err(|reason| TruthError::corrupt(path, format!("line {line_number}: {reason}")))?;
            match row.first_non_finite() {
                Some((name, value)) => {
                    Err(TruthError::corrupt(path, format!("line {line_number}: {name} = {value} is not finite")))
                }
                None => Ok(row),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_line_round_trips_exactly() {
        let row = DiagnosticsRow {
            step: 1200,
            time: 12.000000000000002,
            energy: 0.1 + 0.2,
            enstrophy: 1e-300,
            palinstrophy: 6.02214076e23,
            max_abs_omega: -0.0,
            cfl: f64::MIN_POSITIVE,
        };
        let line = row.to_csv_line();
        assert!(line.starts_with("1200,1.2000000000000002e1,3.0000000000000004e-1,1e-300,"), "{line}");
        let back = DiagnosticsRow::parse_csv_line(&line).unwrap();
        assert_eq!(back, row);
        assert!(back.max_abs_omega.is_sign_negative());
    }

    #[test]
    fn malformed_lines() {
        assert!(DiagnosticsRow::parse_csv_line("1,2,3").is_err());
        assert!(DiagnosticsRow::parse_csv_line("-1,0,0,0,0,0,0").is_err());
        assert!(DiagnosticsRow::parse_csv_line("1,0,0,x,0,0,0").is_err());
    }
}
