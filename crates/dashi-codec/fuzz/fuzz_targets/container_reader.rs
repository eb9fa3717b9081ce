//! Fuzzes the `.dashi` container reader: arbitrary bytes must decode or fail with an error,
//! never panic or allocate beyond the input's size; whatever decodes must survive a
//! re-encode unchanged (`from_bytes(to_bytes(x)) == x`, payloads compared bitwise).
//!
//! Each input is tried twice: as is, and with every CRC32 it contains recomputed (walking
//! the layout as far as it goes). The second pass lets mutations reach the header and section
//! checks behind the CRCs without weakening the reader itself.

#![no_main]

use dashi_codec::container::Container;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    check(data);
    let mut fixed = data.to_vec();
    fix_crcs(&mut fixed);
    if fixed != data {
        check(&fixed);
    }
});

fn check(data: &[u8]) {
    let Ok(container) = Container::from_bytes(data) else {
        return;
    };
    let bytes = container.to_bytes().expect("a decoded container re-encodes");
    let again = Container::from_bytes(&bytes).expect("a re-encoded container decodes");
    assert_eq!(again, container, "from_bytes(to_bytes(x)) != x");
    // The encoding is canonical once decoded.
    assert_eq!(again.to_bytes().expect("re-encodes"), bytes);
}

/// Overwrites the CRCs of the preamble, the header and each section with the correct values,
/// as far as the length fields allow. Never panics.
fn fix_crcs(b: &mut [u8]) {
    let u32_at = |b: &[u8], at: usize| u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]]);
    let put_crc = |b: &mut [u8], start: usize, at: usize| -> bool {
        if at.checked_add(4).is_none_or(|end| end > b.len()) {
            return false;
        }
        let crc = crc32fast::hash(&b[start..at]);
        b[at..at + 4].copy_from_slice(&crc.to_le_bytes());
        true
    };
    if !put_crc(b, 0, 20) {
        return;
    }
    let header_len = u32_at(b, 12) as usize;
    let sections = u32_at(b, 16);
    let Some(mut pos) = 24usize.checked_add(header_len) else { return };
    if !put_crc(b, 24, pos) {
        return;
    }
    pos += 4;
    for _ in 0..sections.min(1024) {
        let start = pos;
        let Some(&name_len) = b.get(pos) else { return };
        pos += 1 + usize::from(name_len) + 1;
        let Some(&ndim) = b.get(pos) else { return };
        pos += 1 + 8 * usize::from(ndim);
        let Some(len) = b.get(pos..pos + 8) else { return };
        let payload = u64::from_le_bytes(len.try_into().unwrap_or_default());
        let Some(end) = usize::try_from(payload).ok().and_then(|p| (pos + 8).checked_add(p)) else { return };
        pos = end;
        if !put_crc(b, start, pos) {
            return;
        }
        pos += 4;
    }
}
