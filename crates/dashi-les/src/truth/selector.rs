//! Selectors: naming one truth by directory, id, id prefix or recency.

use super::META_FILE;
use super::error::TruthError;
use super::manifest::{Manifest, ManifestEntry};
use std::path::{Path, PathBuf};

/// Resolves `selector` to exactly one truth directory.
///
/// - a path (absolute or relative to the working directory) to a directory holding
///   `meta.json`: that directory;
/// - otherwise it is looked up in `<root>/manifest.json`:
///   - `latest`: the truth with the newest `created` (a tie is ambiguous);
///   - `latest:<backend>` (e.g. `latest:gpu`, `latest:cpu`): the newest with that
///     `backend_used`;
///   - an exact truth id;
///   - a prefix of exactly one truth id.
///
/// Errors: [`TruthError::NoManifest`] when there is no manifest to look in,
/// [`TruthError::SelectorNotFound`] (listing what exists) when nothing matches,
/// [`TruthError::SelectorAmbiguous`] (listing the matches) when several do, and
/// [`TruthError::Corrupt`] for a corrupt manifest or an entry whose directory has no
/// `meta.json`.
pub fn resolve(root: &Path, selector: &str) -> Result<PathBuf, TruthError> {
    let as_path = Path::new(selector);
    if !selector.is_empty() && as_path.join(META_FILE).is_file() {
        return Ok(as_path.to_path_buf());
    }
    let manifest_path = Manifest::path_in(root);
    let manifest = Manifest::load(root)?
        .ok_or_else(|| TruthError::NoManifest { selector: selector.to_string(), manifest: manifest_path.clone() })?;
    let entry = select(manifest.entries(), selector)?;
    let dir = Manifest::entry_dir(root, entry);
    if !dir.join(META_FILE).is_file() {
        return Err(TruthError::corrupt(
            &manifest_path,
            format!("entry `{}` points to {}, which holds no {META_FILE}", entry.truth_id, dir.display()),
        ));
    }
    // The manifest only claims; meta.json is the truth's own word. A selector that chose
    // by a claim (`latest:gpu`) must not land on a truth that says otherwise.
    let meta_path = dir.join(META_FILE);
    let meta = super::reader::read_meta(&meta_path)?;
    let claims = [
        ("truth_id", entry.truth_id.clone(), meta.truth_id.clone()),
        ("backend_used", entry.backend_used.clone(), meta.backend_used.clone()),
        ("n", entry.n.to_string(), meta.n.to_string()),
        ("solver_id", entry.solver_id.clone(), meta.solver_id.clone()),
    ];
    if let Some((field, listed, actual)) = claims.into_iter().find(|(_, listed, actual)| listed != actual) {
        return Err(TruthError::corrupt(
            &manifest_path,
            format!(
                "entry \"{}\" says {field} = \"{}\" but {} says \"{}\"",
                entry.truth_id.escape_debug(),
                listed.escape_debug(),
                meta_path.display(),
                actual.escape_debug()
            ),
        ));
    }
    Ok(dir)
}

/// A selector after parsing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Selector<'a> {
    /// `latest` (any backend) or `latest:<backend>`.
    Latest { backend: Option<&'a str> },
    /// An exact id or an id prefix.
    Id(&'a str),
}

impl<'a> Selector<'a> {
    fn parse(selector: &'a str) -> Self {
        match selector.strip_prefix("latest") {
            Some("") => Selector::Latest { backend: None },
            Some(rest) if rest.starts_with(':') => Selector::Latest { backend: Some(&rest[1..]) },
            _ => Selector::Id(selector),
        }
    }
}

/// The one entry of `entries` that `selector` names (see [`resolve`]).
fn select<'e>(entries: &'e [ManifestEntry], selector: &str) -> Result<&'e ManifestEntry, TruthError> {
    let ids = |entries: &[&ManifestEntry]| entries.iter().map(|e| e.truth_id.clone()).collect::<Vec<_>>();
    let all: Vec<&ManifestEntry> = entries.iter().collect();
    let not_found = |available| TruthError::SelectorNotFound { selector: selector.to_string(), available };
    let one_of = |matches: Vec<&'e ManifestEntry>, available: Vec<String>| match matches.as_slice() {
        [one] => Ok(*one),
        [] => Err(not_found(available)),
        several => Err(TruthError::SelectorAmbiguous { selector: selector.to_string(), matches: ids(several) }),
    };

    match Selector::parse(selector) {
        Selector::Latest { backend } => {
            let candidates: Vec<&ManifestEntry> =
                all.iter().copied().filter(|e| backend.is_none_or(|b| e.backend_used == b)).collect();
            let newest = candidates.iter().map(|e| e.created).max();
            let tied = candidates.into_iter().filter(|e| Some(e.created) == newest).collect();
            let available = all.iter().map(|e| format!("{} (backend_used = {})", e.truth_id, e.backend_used));
            one_of(tied, available.collect())
        }
        Selector::Id("") => Err(not_found(ids(&all))),
        Selector::Id(id) => {
            let exact: Vec<&ManifestEntry> = all.iter().copied().filter(|e| e.truth_id == id).collect();
            let matches = if exact.is_empty() {
                all.iter().copied().filter(|e| e.truth_id.starts_with(id)).collect()
            } else {
                exact
            };
            one_of(matches, ids(&all))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selector_forms() {
        assert_eq!(Selector::parse("latest"), Selector::Latest { backend: None });
        assert_eq!(Selector::parse("latest:gpu"), Selector::Latest { backend: Some("gpu") });
        assert_eq!(Selector::parse("latest-run"), Selector::Id("latest-run"));
        assert_eq!(Selector::parse("les-tg"), Selector::Id("les-tg"));
    }
}
