//! Outputs that can never destroy inputs (docs/RELIABILITY.md): before a command writes
//! anything, every path it reads and every path it writes is resolved — made absolute,
//! symlinks of the existing part followed, `.` and `..` of the rest applied — and the
//! command is refused (bad usage, exit 2) when an output
//!
//! - equals an input or another output, or
//! - contains one (a directory output would replace it, `--force` would delete it), or
//! - lies inside one (a file written into a truth directory, a metrics file inside the
//!   folder that is about to be renamed over it).
//!
//! `--force` only ever replaces a previous *output*; it is never a reason to touch an
//! input. Two inputs may nest (a truth directory inside its root).

use crate::usage::usage;
use std::path::{Component, Path, PathBuf};

/// The paths of one command, by flag.
#[derive(Debug, Default)]
pub struct PathGuard {
    inputs: Vec<(String, PathBuf)>,
    outputs: Vec<(String, PathBuf)>,
}

impl PathGuard {
    /// No paths yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// A path the command reads (`flag` names it in errors).
    pub fn input(mut self, flag: &str, path: &Path) -> Self {
        self.inputs.push((flag.to_string(), path.to_path_buf()));
        self
    }

    /// A truth input: the `--truths` root and, where `selector` resolves, the `--truth`
    /// directory (an unresolvable selector is reported by the command's own read).
    pub fn truth(self, selector: &str, root: &Path) -> Self {
        let guard = self.input("--truths", root);
        match crate::truth_input::resolve_dir(selector, root) {
            Ok(dir) => guard.input("--truth", &dir),
            Err(_) => guard,
        }
    }

    /// A path the command writes, if given.
    pub fn output(mut self, flag: &str, path: Option<&Path>) -> Self {
        if let Some(path) = path {
            self.outputs.push((flag.to_string(), path.to_path_buf()));
        }
        self
    }

    /// Refuses the command if an output equals, contains or lies inside an input or
    /// another output.
    pub fn check(&self) -> anyhow::Result<()> {
        let inputs: Vec<_> = self.inputs.iter().map(|(f, p)| (f, p, resolve(p))).collect();
        let outputs: Vec<_> = self.outputs.iter().map(|(f, p)| (f, p, resolve(p))).collect();
        for (i, (flag, path, resolved)) in outputs.iter().enumerate() {
            let others = inputs.iter().map(|x| (x, "input")).chain(outputs[..i].iter().map(|x| (x, "output")));
            for ((other_flag, other_path, other), role) in others {
                let relation = if resolved == other {
                    "is the same path as"
                } else if other.starts_with(resolved) {
                    "contains"
                } else if resolved.starts_with(other) {
                    "lies inside"
                } else {
                    continue;
                };
                return usage(format!(
                    "{flag} {}: {relation} the {role} {other_flag} {}; an output may not equal, contain \
                     or lie inside an input or another output (even with --force); choose another path",
                    path.display(),
                    other_path.display()
                ));
            }
        }
        Ok(())
    }
}

/// `path` made absolute, with its longest existing prefix canonicalised (symlinks
/// followed) and the `.`/`..` components of the rest applied lexically.
pub fn resolve(path: &Path) -> PathBuf {
    let absolute =
        if path.is_absolute() { path.to_path_buf() } else { std::env::current_dir().unwrap_or_default().join(path) };
    let mut existing = absolute.as_path();
    let mut rest = Vec::new();
    let base = loop {
        if let Ok(canonical) = existing.canonicalize() {
            break canonical;
        }
        match (existing.parent(), existing.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name.to_os_string());
                existing = parent;
            }
            _ => break existing.to_path_buf(),
        }
    };
    let mut out = base;
    for name in rest.iter().rev() {
        match Path::new(name).components().next() {
            Some(Component::ParentDir) => {
                out.pop();
            }
            Some(Component::CurDir) | None => {}
            _ => out.push(name),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_equal_containing_and_nested_paths() {
        let dir = std::env::temp_dir().join(format!("dashi-guard-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("truths/t1")).unwrap();
        let root = dir.join("truths");
        let check = |out: &Path| PathGuard::new().input("--truths", &root).output("--out", Some(out)).check();
        assert!(check(&root).is_err(), "equal");
        assert!(check(&dir).is_err(), "contains the input");
        assert!(check(&root.join("t1/omega.npy")).is_err(), "inside the input");
        assert!(check(&root.join("t1/../../truths")).is_err(), "equal after ..");
        assert!(check(&dir.join("decoded")).is_ok(), "a sibling");
        let two = PathGuard::new()
            .output("--out", Some(&dir.join("m.dashi")))
            .output("--metrics-json", Some(&dir.join("./m.dashi")))
            .check();
        assert!(two.unwrap_err().to_string().contains("same path"));
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(&root, dir.join("link")).unwrap();
            assert!(check(&dir.join("link/t1")).is_err(), "through a symlink");
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
