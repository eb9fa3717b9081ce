//! docs/ABI.md §6 is generated from the registered op specs of every crate
//! (`dashi_core::ops::abi_tables`); this test fails when the document is out of date and
//! rewrites it when run with `DASHI_BLESS=1`:
//!
//! ```text
//! DASHI_BLESS=1 cargo test -p dashi-cli --test abi_doc
//! ```

use dashi_core::ops::{Family, abi_tables};

const BEGIN: &str = "<!-- BEGIN GENERATED: abi_tables -->";
const END: &str = "<!-- END GENERATED: abi_tables -->";

/// Every crate's families, in documentation order.
fn families() -> Vec<&'static Family> {
    [dashi_core::ops::FAMILIES, dashi_les::ops::FAMILIES, dashi_codec::ops::FAMILIES, dashi_atoms::ops::FAMILIES]
        .concat()
}

#[test]
fn family_names_are_unique_across_crates() {
    let names: Vec<&str> = families().iter().map(|f| f.name).collect();
    let mut sorted = names.clone();
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!(sorted.len(), names.len(), "family names must be unique (the GPU module cache key): {names:?}");
    let ops: Vec<&str> = families().iter().flat_map(|f| f.ops.iter().map(|o| o.name)).collect();
    let mut unique = ops.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(unique.len(), ops.len(), "op names must be unique (they name WGSL entry points and timings)");
}

#[test]
fn abi_doc_is_generated_from_the_specs() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/ABI.md");
    let doc = std::fs::read_to_string(path).expect("docs/ABI.md");
    let (start, end) = (doc.find(BEGIN).expect("begin marker"), doc.find(END).expect("end marker"));
    let generated = format!("{BEGIN}\n\n{}\n{END}", abi_tables(&families()));
    let current = &doc[start..end + END.len()];
    if current == generated {
        return;
    }
    if std::env::var("DASHI_BLESS").as_deref() == Ok("1") {
        let updated = format!("{}{generated}{}", &doc[..start], &doc[end + END.len()..]);
        std::fs::write(path, updated).expect("rewrite docs/ABI.md");
        return;
    }
    panic!(
        "docs/ABI.md §6 is out of date with the registered op specs; regenerate it with\n  DASHI_BLESS=1 cargo test -p dashi-cli --test abi_doc"
    );
}
