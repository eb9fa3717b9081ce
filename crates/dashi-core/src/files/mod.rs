//! Files, written and read safely (docs/RELIABILITY.md), defined once for every crate:
//! [`write_atomically`] (whole-or-nothing replacement under a unique temporary name) and
//! [`read_bounded`] (regular files only, refused above a stated size before reading).

mod bounded;
mod durable;

pub use bounded::{BoundedReadError, open_regular, read_bounded};
pub use durable::{parent_dir, sync_dir, temporary_sibling, write_atomically};
