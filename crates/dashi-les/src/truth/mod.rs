//! Truth files (docs/DESIGN.md §5): the stored trajectory of an LES run, the manifest of an output
//! root, and selectors that name one truth.
//!
//! # Output root
//!
//! ```text
//! <root>/manifest.json          the truths in this root (below)
//! <root>/<truth_id>/            one finished truth
//! <root>/.<truth_id>.partial/   a truth being written (never read; removed on failure)
//! ```
//!
//! A [`TruthWriter`] writes into the hidden staging directory and renames it to
//! `<truth_id>` only when every file is complete and fsynced, then adds the truth to the
//! manifest, which it replaces atomically (a uniquely named temporary file, then rename).
//! Existing truths are never overwritten. Writers of one root are serialised by
//! `<root>/.lock` wherever they change its names (see [`RootLock`]): concurrent runs never
//! lose manifest entries, and a staging directory whose writer died is removed by the
//! next writer. If the manifest cannot be updated the finished truth is removed again.
//!
//! # A truth directory
//!
//! | file | contents |
//! |---|---|
//! | `omega.npy` | vorticity `[T, N, N]`, `<f4` (little-endian f32), C order, frame `t` row-major `[iy][ix]` |
//! | `t.npy` | simulated time of each frame `[T]`, `<f8` |
//! | `spectrum.npy` | shell-averaged energy spectrum E(k) of each frame `[T, K]`, `<f8` |
//! | `diagnostics.csv` | header `step,time,energy,enstrophy,palinstrophy,max_abs_omega,cfl`, one row per frame |
//! | `meta.json` | [`TruthMeta`]: provenance and every run parameter |
//!
//! The `.npy` files are NPY format 1.0 (`numpy.load` reads them). Their header is padded
//! to a fixed length (a multiple of 64 bytes, room for any `T`) so that it can be
//! rewritten with the final `T` without moving the frames. `diagnostics.csv` writes
//! floats in Rust's shortest round-trip exponent form (`1.2345e-3`), so parsing gives back
//! the exact f64. `time` in `diagnostics.csv` equals `t.npy` bit for bit.
//!
//! `meta.json` (one object; readers ignore unknown keys):
//!
//! ```json
//! {
//!   "truth_id": "les-mcwilliams-n128-s1-gpu-20260501T120000Z",
//!   "solver_id": "spectral_les_v1",
//!   "created": "2026-05-01T12:00:00.123456Z",
//!   "crate_version": "0.1.0",
//!   "fft_norm": "backward",
//!   "dtype": "f32",
//!   "stored_dtype": "f32",
//!   "backend_requested": "auto",
//!   "backend_used": "gpu",
//!   "device": "NVIDIA H100 80GB HBM3",
//!   "n": 128,
//!   "frames": 101,
//!   "params": { "dt": 0.01, "nu": 0.0001, "cs": 0.17, "ic": "mcwilliams", "seed": 1, "...": "..." }
//! }
//! ```
//!
//! `created` is RFC 3339 in UTC ([`Timestamp`]).
//!
//! # `manifest.json`
//!
//! ```json
//! {
//!   "format": "dashi-truth-manifest",
//!   "version": 1,
//!   "truths": [
//!     { "truth_id": "…", "path": "…", "created": "…", "backend_used": "gpu", "n": 128,
//!       "frames": 101, "solver_id": "spectral_les_v1" }
//!   ]
//! }
//! ```
//!
//! `path` is the truth's directory relative to the root. A manifest that does not parse is
//! an error ([`TruthError::Corrupt`]); it is never silently replaced.
//!
//! # Selectors
//!
//! [`resolve`] turns a selector into one directory: a path to a truth directory, `latest`,
//! `latest:<backend>` (`latest:gpu`, `latest:cpu`), an exact id, or a unique id prefix.
//! Several matches or none are errors that list the candidates.
//!
//! ```no_run
//! use dashi_les::truth::{DiagnosticsRow, Truth, TruthMeta, TruthWriter, resolve};
//! # fn main() -> Result<(), dashi_les::truth::TruthError> {
//! let root = std::path::Path::new("out");
//! let meta = TruthMeta::new("my-run", "spectral_les_v1", 64, serde_json::Map::new())
//!     .with_backend("cpu", "cpu", "host CPU");
//! let mut writer = TruthWriter::create(root, meta)?;
//! let row = DiagnosticsRow { step: 0, time: 0.0, energy: 0.5, enstrophy: 1.0, palinstrophy: 2.0,
//!                            max_abs_omega: 2.0, cfl: 0.1 };
//! writer.push_frame(&vec![0.0; 64 * 64], &[0.0; 32], row)?;
//! writer.finish()?;
//! let truth = Truth::open(&resolve(root, "latest")?)?;
//! assert_eq!(truth.frame_count(), 1);
//! # Ok(())
//! # }
//! ```

mod diagnostics;
mod error;
mod manifest;
mod meta;
mod npy;
mod reader;
mod root_lock;
mod selector;
mod timestamp;
mod writer;

pub use diagnostics::DiagnosticsRow;
pub use error::{NpyProblem, TruthError};
pub use manifest::{Manifest, ManifestEntry};
pub use meta::{TruthMeta, default_truth_id, validate_truth_id};
pub use reader::Truth;
pub use root_lock::{ROOT_LOCK_FILE, RootLock, WRITER_LOCK_FILE, remove_stale_staging};
pub use selector::resolve;
pub use timestamp::Timestamp;
pub use writer::TruthWriter;

/// Vorticity frames, `[T, N, N]` `<f4`.
pub const OMEGA_FILE: &str = "omega.npy";
/// Frame times, `[T]` `<f8`.
pub const TIMES_FILE: &str = "t.npy";
/// Shell spectra, `[T, K]` `<f8`.
pub const SPECTRUM_FILE: &str = "spectrum.npy";
/// Per-frame diagnostics (CSV).
pub const DIAGNOSTICS_FILE: &str = "diagnostics.csv";
/// Metadata ([`TruthMeta`] as JSON).
pub const META_FILE: &str = "meta.json";

/// Name of the staging directory of `truth_id`: `.<truth_id>.partial`.
pub(crate) fn staging_dir_name(truth_id: &str) -> String {
    format!(".{truth_id}.partial")
}
