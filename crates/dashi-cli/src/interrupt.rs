//! SIGINT, SIGTERM and SIGHUP (docs/RELIABILITY.md): the staging directories this run is
//! writing are removed and the command exits with code 130, so an interrupted or
//! terminated run leaves nothing behind (a SIGKILL cannot be caught: its staging is
//! removed by the next run instead). Uses the `ctrlc` crate (its `termination` feature
//! covers SIGTERM and SIGHUP), which runs the handler on its own thread.
//!
//! A truth staging directory is removed only while its output root's lock is held, so an
//! interrupt never lands between a finished truth's rename and its manifest entry.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

/// Exit code of an interrupted run (128 + SIGINT, the shell convention).
pub const INTERRUPTED_EXIT: i32 = 130;

/// What a staged output needs for cleanup: its directory, and the truth root whose lock
/// must be held while removing it (for truths).
struct Staged {
    dir: PathBuf,
    root: Option<PathBuf>,
}

/// The staging directories of this process, by registration id.
static STAGED: Mutex<Vec<(u64, Staged)>> = Mutex::new(Vec::new());
/// The next registration id.
static NEXT: AtomicU64 = AtomicU64::new(0);

/// Installs the handler (once, at start-up). A failure to install is reported, not fatal.
pub fn install() {
    let installed = ctrlc::set_handler(|| {
        let staged = STAGED.lock().map(|s| s.iter().map(|(_, s)| (s.dir.clone(), s.root.clone())).collect::<Vec<_>>());
        for (dir, root) in staged.unwrap_or_default() {
            let _lock = root.as_deref().and_then(|r| dashi_les::truth::RootLock::acquire(r).ok());
            let _ = std::fs::remove_dir_all(&dir);
        }
        eprintln!("\ninterrupted: removed this run's partial output");
        std::process::exit(INTERRUPTED_EXIT);
    });
    if let Err(e) = installed {
        eprintln!("warning: cannot handle SIGINT/SIGTERM ({e}); an interrupted run leaves its staging directory");
    }
}

/// Removes its directory from the cleanup list when dropped.
#[derive(Debug)]
pub struct Registration(u64);

impl Drop for Registration {
    fn drop(&mut self) {
        if let Ok(mut staged) = STAGED.lock() {
            staged.retain(|(id, _)| *id != self.0);
        }
    }
}

/// Registers `dir` for removal on an interrupt; `root` is the truth root whose lock to
/// take first, if it is a truth's staging directory.
pub fn register(dir: &Path, root: Option<&Path>) -> Registration {
    let id = NEXT.fetch_add(1, Ordering::Relaxed);
    if let Ok(mut staged) = STAGED.lock() {
        staged.push((id, Staged { dir: dir.to_path_buf(), root: root.map(Path::to_path_buf) }));
    }
    Registration(id)
}
