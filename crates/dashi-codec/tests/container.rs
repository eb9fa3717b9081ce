//! Tests of the `.dashi` container (`dashi_codec::container`): round trips, the golden byte
//! layout, truncation and corruption at every offset, limits, and the file side.

use dashi_codec::container::{
    Container, ContainerError, CrcPart, Dtype, FORMAT_VERSION, Limits, MAGIC, PREAMBLE_LEN, Section, SectionData,
    SectionProblem,
};
use serde_json::{Map, Value, json};
use std::path::Path;

// ---------------------------------------------------------------------------------------
// Helpers: an independent CRC32 and a raw file builder, so the tests do not trust the code
// under test for the layout.
// ---------------------------------------------------------------------------------------

/// Bitwise CRC32 (IEEE, reflected 0xEDB88320), independent of `crc32fast`.
fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

/// A raw preamble + header with correct CRCs.
fn raw_head(version: u32, header: &[u8], header_len: u32, count: u32) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(b"\x89DASHI\r\n");
    out.extend_from_slice(&version.to_le_bytes());
    out.extend_from_slice(&header_len.to_le_bytes());
    out.extend_from_slice(&count.to_le_bytes());
    let crc = crc32(&out);
    out.extend_from_slice(&crc.to_le_bytes());
    out.extend_from_slice(header);
    out.extend_from_slice(&crc32(header).to_le_bytes());
    out
}

/// A raw section with a correct CRC (the fields may be inconsistent on purpose).
fn raw_section(name: &[u8], dtype: u8, shape: &[u64], payload_len: u64, payload: &[u8]) -> Vec<u8> {
    let mut out = vec![name.len() as u8];
    out.extend_from_slice(name);
    out.push(dtype);
    out.push(shape.len() as u8);
    for n in shape {
        out.extend_from_slice(&n.to_le_bytes());
    }
    out.extend_from_slice(&payload_len.to_le_bytes());
    out.extend_from_slice(payload);
    let crc = crc32(&out);
    out.extend_from_slice(&crc.to_le_bytes());
    out
}

/// A raw file of `{}` and the given sections.
fn raw_file(sections: &[Vec<u8>]) -> Vec<u8> {
    let mut out = raw_head(FORMAT_VERSION, b"{}", 2, sections.len() as u32);
    for s in sections {
        out.extend_from_slice(s);
    }
    out
}

fn hex(text: &str) -> Vec<u8> {
    let digits: Vec<u8> = text.bytes().filter(u8::is_ascii_hexdigit).collect();
    digits.chunks(2).map(|pair| u8::from_str_radix(std::str::from_utf8(pair).unwrap(), 16).unwrap()).collect()
}

fn header(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        _ => panic!("not an object"),
    }
}

/// The golden container: one section of each dtype, ndim 0, 1 and 2.
fn golden_container() -> Container {
    let mut c = Container::new(header(json!({"k": 1})));
    c.push(Section::u8("a", &[2], vec![0x01, 0xFF]).unwrap()).unwrap();
    c.push(Section::f64("x", &[], vec![1.0]).unwrap()).unwrap();
    c.push(Section::u32("u", &[1, 2], vec![7, 0xDEAD_BEEF]).unwrap()).unwrap();
    c.push(Section::f32("f", &[1], vec![-2.0]).unwrap()).unwrap();
    c
}

/// The golden bytes, written by hand from the documented layout (CRCs from zlib.crc32).
const GOLDEN_HEX: &str = "
    89 44 41 53 48 49 0d 0a   01 00 00 00   07 00 00 00   04 00 00 00   e8 77 e9 06
    7b 22 6b 22 3a 31 7d      0e b4 ab 1c
    01 61  04  01  02 00 00 00 00 00 00 00  02 00 00 00 00 00 00 00  01 ff  e4 30 c5 ef
    01 78  01  00  08 00 00 00 00 00 00 00  00 00 00 00 00 00 f0 3f  56 f9 46 25
    01 75  03  02  01 00 00 00 00 00 00 00  02 00 00 00 00 00 00 00
                   08 00 00 00 00 00 00 00  07 00 00 00 ef be ad de  d6 cb 1e e6
    01 66  02  01  01 00 00 00 00 00 00 00  04 00 00 00 00 00 00 00  00 00 00 c0  42 40 8e 84
";

// Offsets in the golden file.
const GOLDEN_HEADER: std::ops::Range<usize> = 24..31;
const GOLDEN_SECTIONS: usize = 35;

// ---------------------------------------------------------------------------------------
// Layout and round trips
// ---------------------------------------------------------------------------------------

#[test]
fn crc_helper_matches_the_check_value() {
    assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
    assert_eq!(crc32fast::hash(b"123456789"), 0xCBF4_3926);
}

#[test]
fn constants() {
    assert_eq!(MAGIC, *b"\x89DASHI\r\n");
    assert_eq!(FORMAT_VERSION, 1);
    assert_eq!(PREAMBLE_LEN, 24);
    let limits = Limits::default();
    assert_eq!(limits.max_header_bytes, 1 << 20);
    assert_eq!(limits.max_sections, 64);
    for (d, code, size) in [(Dtype::F64, 1, 8), (Dtype::F32, 2, 4), (Dtype::U32, 3, 4), (Dtype::U8, 4, 1)] {
        assert_eq!(d.code(), code);
        assert_eq!(d.size(), size);
        assert_eq!(Dtype::from_code(code), Some(d));
    }
    assert_eq!(Dtype::from_code(0), None);
    assert_eq!(Dtype::from_code(5), None);
}

#[test]
fn golden_bytes() {
    let golden = hex(GOLDEN_HEX);
    assert_eq!(golden.len(), 153);
    let bytes = golden_container().to_bytes().unwrap();
    assert_eq!(bytes, golden, "the byte layout drifted from the documented format");
    let decoded = Container::from_bytes(&golden).unwrap();
    assert_eq!(decoded, golden_container());
    assert_eq!(decoded.section("u").unwrap().as_u32(), Some(&[7, 0xDEAD_BEEF][..]));
    assert_eq!(decoded.section("x").unwrap().shape, Vec::<u64>::new());
    assert_eq!(decoded.section("f").unwrap().as_f32(), Some(&[-2.0f32][..]));
    assert_eq!(decoded.section("a").unwrap().as_u8(), Some(&[1u8, 255][..]));
    assert_eq!(decoded.section("a").unwrap().as_f64(), None);
    assert!(decoded.section("missing").is_none());
}

fn shape_for(ndim: usize) -> Vec<u64> {
    [2u64, 3, 1, 2][..ndim].to_vec()
}

/// Values with interesting bit patterns: NaNs with payloads, signalling NaN, ±0, ±inf.
fn f64_values(n: usize) -> Vec<f64> {
    let special = [
        f64::from_bits(0x7FF8_DEAD_BEEF_0001),
        f64::from_bits(0xFFF0_0000_0000_0001), // signalling NaN, sign bit set
        -0.0,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::MIN_POSITIVE / 3.0, // subnormal
        std::f64::consts::PI,
    ];
    (0..n).map(|i| special[i % special.len()]).collect()
}

fn f32_values(n: usize) -> Vec<f32> {
    let special =
        [f32::from_bits(0x7FC0_BEEF), f32::from_bits(0xFF80_0001), -0.0, f32::INFINITY, f32::MIN_POSITIVE / 3.0, 1.5];
    (0..n).map(|i| special[i % special.len()]).collect()
}

#[test]
fn round_trip_every_dtype_and_ndim_bit_exact() {
    let mut c = Container::new(header(json!({
        "name": "round trip", "n": 42, "neg": -7, "big": u64::MAX, "f": 0.25,
        "nested": {"list": [1, "two", null, true, {"x": []}]}, "unicode": "ω ∈ T"
    })));
    for ndim in 0..=4 {
        let shape = shape_for(ndim);
        let n = shape.iter().product::<u64>() as usize;
        c.push(Section::f64(format!("f64_{ndim}"), &shape, f64_values(n)).unwrap()).unwrap();
        c.push(Section::f32(format!("f32_{ndim}"), &shape, f32_values(n)).unwrap()).unwrap();
        c.push(
            Section::u32(format!("u32_{ndim}"), &shape, (0..n as u32).map(|i| i.wrapping_mul(0x9E37_79B9)).collect())
                .unwrap(),
        )
        .unwrap();
        c.push(Section::u8(format!("u8_{ndim}"), &shape, (0..n).map(|i| (i * 37) as u8).collect()).unwrap()).unwrap();
    }
    // Empty payloads.
    c.push(Section::f64("empty", &[0, 3], vec![]).unwrap()).unwrap();
    c.push(Section::u8("empty1", &[0], vec![]).unwrap()).unwrap();
    // Longest name, multi-byte UTF-8.
    let long = "ω".repeat(32);
    assert_eq!(long.len(), 64);
    c.push(Section::u8(long.clone(), &[1], vec![9]).unwrap()).unwrap();
    assert_eq!(c.sections.len(), 23);

    let bytes = c.to_bytes().unwrap();
    let back = Container::from_bytes(&bytes).unwrap();
    assert_eq!(back, c);
    assert_eq!(back.to_bytes().unwrap(), bytes);
    for ndim in 0..=4 {
        let shape = shape_for(ndim);
        let n = shape.iter().product::<u64>() as usize;
        let f = back.section(&format!("f64_{ndim}")).unwrap();
        assert_eq!(f.dtype(), Dtype::F64);
        assert_eq!(f.shape, shape);
        let bits: Vec<u64> = f.as_f64().unwrap().iter().map(|x| x.to_bits()).collect();
        assert_eq!(bits, f64_values(n).iter().map(|x| x.to_bits()).collect::<Vec<_>>());
        let g = back.section(&format!("f32_{ndim}")).unwrap();
        let bits: Vec<u32> = g.as_f32().unwrap().iter().map(|x| x.to_bits()).collect();
        assert_eq!(bits, f32_values(n).iter().map(|x| x.to_bits()).collect::<Vec<_>>());
    }
    assert_eq!(back.section(&long).unwrap().as_u8(), Some(&[9u8][..]));
}

#[test]
fn equality_is_bitwise() {
    let nan = SectionData::F64(vec![f64::NAN]);
    assert_eq!(nan, nan.clone());
    assert_ne!(SectionData::F64(vec![0.0]), SectionData::F64(vec![-0.0]));
    assert_ne!(
        SectionData::F32(vec![f32::from_bits(0x7FC0_0001)]),
        SectionData::F32(vec![f32::from_bits(0x7FC0_0002)])
    );
    assert_ne!(SectionData::U8(vec![1]), SectionData::U32(vec![1]));
}

#[test]
fn empty_container_round_trips() {
    let c = Container::default();
    let bytes = c.to_bytes().unwrap();
    assert_eq!(bytes.len(), PREAMBLE_LEN + 2 + 4);
    assert_eq!(Container::from_bytes(&bytes).unwrap(), c);
}

#[test]
fn header_integers_and_short_floats_round_trip() {
    let c = Container::new(header(json!({
        "i": i64::MIN, "u": u64::MAX, "tau": 0.25, "lambda": 1e-3, "k": 8, "x": 1e300, "s": "a\"b\\c\n\u{0}"
    })));
    assert_eq!(Container::from_bytes(&c.to_bytes().unwrap()).unwrap(), c);
}

/// Full-precision floats in the header only round-trip bit-exactly with `serde_json`'s
/// `float_roundtrip` feature; without it `serde_json` parses best-effort (about 30 % of
/// random f64 come back one ulp off).
#[test]
fn header_full_precision_floats_round_trip() {
    let values: [f64; 4] =
        [0.1 + 0.2, 1.071_566_039_146_582_6e-75, -1.819_967_304_027_17e-179, -1.603_964_615_428_183e143];
    for v in values {
        let c = Container::new(header(json!({ "v": v })));
        let back = Container::from_bytes(&c.to_bytes().unwrap()).unwrap();
        assert_eq!(back.header["v"].as_f64().unwrap().to_bits(), v.to_bits(), "{v:e}");
    }
}

// ---------------------------------------------------------------------------------------
// Truncation and corruption
// ---------------------------------------------------------------------------------------

/// A valid file with a larger payload than the golden one.
fn medium_file() -> Vec<u8> {
    let mut c = Container::new(header(json!({"truth_id": "t", "n": [1, 2, 3]})));
    c.push(Section::f64("A", &[3, 3], f64_values(9)).unwrap()).unwrap();
    c.push(Section::f32("z", &[5], f32_values(5)).unwrap()).unwrap();
    c.to_bytes().unwrap()
}

#[test]
fn truncation_at_every_offset_is_truncated() {
    for file in [hex(GOLDEN_HEX), medium_file()] {
        for len in 0..file.len() {
            match Container::from_bytes(&file[..len]) {
                Err(ContainerError::Truncated { offset, needed, available, what }) => {
                    assert!(offset as usize <= len, "offset {offset} beyond {len}");
                    assert_eq!(available, (len - offset as usize) as u64, "{what}");
                    assert!(needed > available, "{what}: needs {needed}, has {available}");
                }
                other => panic!("prefix of {len} bytes: expected Truncated, got {other:?}"),
            }
        }
        assert!(Container::from_bytes(&file).is_ok());
    }
}

#[test]
fn every_single_byte_corruption_is_an_error() {
    let golden = hex(GOLDEN_HEX);
    for pos in 0..golden.len() {
        for mask in [0x01u8, 0x80, 0xFF, 0x10] {
            let mut bad = golden.clone();
            bad[pos] ^= mask;
            let err = match Container::from_bytes(&bad) {
                Ok(c) => panic!("byte {pos} ^ {mask:#x} decoded: {c:?}"),
                Err(e) => e,
            };
            let _ = err.to_string();
            match pos {
                0..=7 => assert!(matches!(err, ContainerError::BadMagic { .. }), "{pos}: {err:?}"),
                8..=11 => assert!(matches!(err, ContainerError::UnsupportedVersion { .. }), "{pos}: {err:?}"),
                12..=23 => assert!(
                    matches!(err, ContainerError::CrcMismatch { part: CrcPart::Preamble, offset: 20, .. }),
                    "{pos}: {err:?}"
                ),
                24..=34 => assert!(
                    matches!(err, ContainerError::CrcMismatch { part: CrcPart::Header, offset: 31, .. }),
                    "{pos}: {err:?}"
                ),
                _ => {}
            }
        }
    }
    // Payload bytes and the CRCs of sections: always a CRC mismatch of that section.
    let payloads: [(std::ops::Range<usize>, u32, &str); 4] =
        [(55..61, 0, "a"), (73..85, 1, "x"), (113..125, 2, "u"), (145..153, 3, "f")];
    for (range, index, name) in payloads {
        for pos in range {
            let mut bad = golden.clone();
            bad[pos] ^= 0x04;
            match Container::from_bytes(&bad) {
                Err(ContainerError::CrcMismatch { part: CrcPart::Section { index: i, name: n }, .. }) => {
                    assert_eq!((i, n.as_str()), (index, name), "byte {pos}");
                }
                other => panic!("byte {pos}: expected a CRC mismatch of section {name}, got {other:?}"),
            }
        }
    }
}

#[test]
fn header_bytes_are_crc_checked_before_parsing() {
    let mut bad = hex(GOLDEN_HEX);
    bad[GOLDEN_HEADER.start + 1] = b'K';
    assert!(matches!(
        Container::from_bytes(&bad),
        Err(ContainerError::CrcMismatch { part: CrcPart::Header, stored: 0x1cab_b40e, .. })
    ));
}

// ---------------------------------------------------------------------------------------
// Preamble checks and limits
// ---------------------------------------------------------------------------------------

#[test]
fn bad_magic() {
    for bytes in
        [&b"PK\x03\x04 not a dashi file at all, a zip"[..], b"{\"json\": true}", b"\x89PNG\r\n\x1a\n0000000000000000"]
    {
        let err = Container::from_bytes(bytes).unwrap_err();
        assert!(matches!(err, ContainerError::BadMagic { .. }), "{err:?}");
        assert!(err.to_string().contains("not a .dashi file"), "{err}");
    }
    // Short and different: bad magic; short and matching: truncated.
    assert!(matches!(Container::from_bytes(b"ab"), Err(ContainerError::BadMagic { .. })));
    assert!(matches!(Container::from_bytes(b""), Err(ContainerError::Truncated { .. })));
    assert!(matches!(Container::from_bytes(b"\x89DA"), Err(ContainerError::Truncated { .. })));
}

#[test]
fn unsupported_version() {
    for version in [0, 2, u32::MAX] {
        let file = raw_head(version, b"{}", 2, 0);
        match Container::from_bytes(&file) {
            Err(ContainerError::UnsupportedVersion { found, supported }) => {
                assert_eq!((found, supported), (version, FORMAT_VERSION));
            }
            other => panic!("{other:?}"),
        }
    }
    // Reported even when the rest of the preamble is missing or different in a later version.
    let mut short = b"\x89DASHI\r\n".to_vec();
    short.extend_from_slice(&7u32.to_le_bytes());
    let err = Container::from_bytes(&short).unwrap_err();
    assert!(matches!(err, ContainerError::UnsupportedVersion { found: 7, supported: 1 }), "{err:?}");
    assert!(err.to_string().contains("version 7"), "{err}");
}

#[test]
fn header_too_large_is_refused_without_reading_it() {
    // Only the preamble: the header itself is absent, so reading it would say "truncated".
    let file = raw_head(FORMAT_VERSION, b"", u32::MAX, 0);
    let file = &file[..PREAMBLE_LEN];
    match Container::from_bytes(file) {
        Err(ContainerError::HeaderTooLarge { len, max }) => assert_eq!((len, max), (u64::from(u32::MAX), 1 << 20)),
        other => panic!("{other:?}"),
    }
    let just_over = raw_head(FORMAT_VERSION, b"", (1 << 20) + 1, 0);
    assert!(matches!(
        Container::from_bytes(&just_over[..PREAMBLE_LEN]),
        Err(ContainerError::HeaderTooLarge { len: 1_048_577, .. })
    ));
    // A custom limit.
    let limits = Limits { max_header_bytes: 4, ..Limits::default() };
    assert!(matches!(
        Container::from_bytes_with(&hex(GOLDEN_HEX), &limits),
        Err(ContainerError::HeaderTooLarge { len: 7, max: 4 })
    ));
    // The writer refuses what the reader would refuse.
    assert!(matches!(
        golden_container().to_bytes_with(&limits),
        Err(ContainerError::HeaderTooLarge { len: 7, max: 4 })
    ));
    let big = Container::new(header(json!({"s": "x".repeat(1 << 20)})));
    assert!(matches!(big.to_bytes(), Err(ContainerError::HeaderTooLarge { .. })));
}

#[test]
fn too_many_sections() {
    let file = raw_head(FORMAT_VERSION, b"{}", 2, 65);
    assert!(matches!(Container::from_bytes(&file), Err(ContainerError::TooManySections { count: 65, max: 64 })));
    let file = raw_head(FORMAT_VERSION, b"{}", 2, u32::MAX);
    let limits = Limits { max_sections: u32::MAX, ..Limits::default() };
    // With the limit lifted the claim is simply not backed by bytes.
    assert!(matches!(Container::from_bytes_with(&file, &limits), Err(ContainerError::Truncated { .. })));

    let limits = Limits { max_sections: 3, ..Limits::default() };
    assert!(matches!(
        Container::from_bytes_with(&hex(GOLDEN_HEX), &limits),
        Err(ContainerError::TooManySections { count: 4, max: 3 })
    ));
    assert!(matches!(
        golden_container().to_bytes_with(&limits),
        Err(ContainerError::TooManySections { count: 4, max: 3 })
    ));
}

#[test]
fn file_too_large() {
    let limits = Limits { max_file_bytes: 100, ..Limits::default() };
    let golden = hex(GOLDEN_HEX);
    assert!(matches!(
        Container::from_bytes_with(&golden, &limits),
        Err(ContainerError::FileTooLarge { len: 153, max: 100 })
    ));
    assert!(matches!(
        golden_container().to_bytes_with(&limits),
        Err(ContainerError::FileTooLarge { len: 153, max: 100 })
    ));
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.dashi");
    std::fs::write(&path, &golden).unwrap();
    assert!(matches!(Container::read_with(&path, &limits), Err(ContainerError::FileTooLarge { len: 153, max: 100 })));
    assert_eq!(Container::read(&path).unwrap(), golden_container());
}

#[test]
fn giant_claimed_payload_is_truncated_without_allocating() {
    // 50 bytes claiming 2^60 bytes of u8 payload (and, second, 2^57 f64 = 2^60 bytes).
    for (dtype, shape) in [(4u8, 1u64 << 60), (1, 1 << 57)] {
        let file = raw_file(&[raw_section(b"p", dtype, &[shape], 1 << 60, b"")]);
        let file = &file[..file.len() - 4]; // drop the CRC too: nothing but the descriptor
        assert!(file.len() <= 50, "{}", file.len());
        match Container::from_bytes(file) {
            Err(ContainerError::Truncated { needed, available, offset, what }) => {
                assert_eq!(needed, 1 << 60);
                assert_eq!(available, 0);
                assert_eq!(offset as usize, file.len());
                assert!(what.contains("payload"), "{what}");
            }
            other => panic!("{other:?}"),
        }
    }
    // A claimed payload of u64::MAX bytes.
    let file = raw_file(&[raw_section(b"p", 4, &[u64::MAX], u64::MAX, b"xyz")]);
    assert!(matches!(Container::from_bytes(&file), Err(ContainerError::Truncated { needed: u64::MAX, .. })));
}

#[test]
fn trailing_bytes() {
    let mut file = hex(GOLDEN_HEX);
    file.push(0);
    match Container::from_bytes(&file) {
        Err(err @ ContainerError::TrailingBytes { offset: 153, count: 1 }) => {
            assert!(err.to_string().contains("153"), "{err}");
        }
        other => panic!("{other:?}"),
    }
    let mut file = raw_file(&[]);
    file.extend_from_slice(&hex(GOLDEN_HEX));
    assert!(matches!(Container::from_bytes(&file), Err(ContainerError::TrailingBytes { offset: 30, count: 153 })));
}

// ---------------------------------------------------------------------------------------
// Header and section descriptors
// ---------------------------------------------------------------------------------------

#[test]
fn invalid_headers() {
    let cases: [&[u8]; 8] = [b"", b"[]", b"1", b"null", b"\"s\"", b"{\"a\":1", b"{\"a\":1}x", b"{\"a\":\xff}"];
    for h in cases {
        let file = raw_head(FORMAT_VERSION, h, h.len() as u32, 0);
        match Container::from_bytes(&file) {
            Err(err @ ContainerError::InvalidHeader { .. }) => {
                assert!(err.to_string().contains("invalid .dashi header at byte offset"), "{err}");
            }
            other => panic!("{:?}: {other:?}", String::from_utf8_lossy(h)),
        }
    }
    // The offset points at the bad byte.
    let h = b"{\"a\":\xff}";
    let file = raw_head(FORMAT_VERSION, h, h.len() as u32, 0);
    assert!(matches!(Container::from_bytes(&file), Err(ContainerError::InvalidHeader { offset: 29, .. })));
    let h = b"{\n \"a\": x}";
    let file = raw_head(FORMAT_VERSION, h, h.len() as u32, 0);
    assert!(matches!(Container::from_bytes(&file), Err(ContainerError::InvalidHeader { offset: 32, .. })));
    // Whitespace is fine.
    let h = b" \n{ \"a\" : [1, 2] }\t";
    let file = raw_head(FORMAT_VERSION, h, h.len() as u32, 0);
    assert_eq!(Container::from_bytes(&file).unwrap().header, header(json!({"a": [1, 2]})));
}

fn bad_section_problem(file: &[u8]) -> (u32, u64, SectionProblem) {
    match Container::from_bytes(file) {
        Err(ContainerError::BadSection { index, offset, problem }) => (index, offset, problem),
        other => panic!("expected BadSection, got {other:?}"),
    }
}

#[test]
fn bad_section_descriptors() {
    let ok = raw_section(b"ok", 4, &[1], 1, b"!");
    let first = 30u64; // offset of the first section in raw_file

    let (i, off, p) = bad_section_problem(&raw_file(&[raw_section(b"", 4, &[1], 1, b"!")]));
    assert_eq!((i, off, p), (0, first, SectionProblem::EmptyName));

    let (i, _, p) = bad_section_problem(&raw_file(&[ok.clone(), raw_section(&[b'n'; 65], 4, &[1], 1, b"!")]));
    assert_eq!((i, p), (1, SectionProblem::NameTooLong { len: 65 }));

    let (_, off, p) = bad_section_problem(&raw_file(&[raw_section(b"\xff\xfe", 4, &[1], 1, b"!")]));
    assert_eq!((off, p), (first + 1, SectionProblem::NameNotUtf8));

    let (i, _, p) = bad_section_problem(&raw_file(&[ok.clone(), ok.clone()]));
    assert_eq!((i, p), (1, SectionProblem::DuplicateName { name: "ok".into() }));

    for code in [0u8, 5, 255] {
        let (_, off, p) = bad_section_problem(&raw_file(&[raw_section(b"d", code, &[1], 1, b"!")]));
        assert_eq!((off, p), (first + 2, SectionProblem::UnknownDtype { code }));
    }

    let (_, off, p) = bad_section_problem(&raw_file(&[raw_section(b"d", 4, &[1; 5], 1, b"!")]));
    assert_eq!((off, p), (first + 3, SectionProblem::TooManyDims { ndim: 5 }));

    let (_, off, p) = bad_section_problem(&raw_file(&[raw_section(b"d", 1, &[1 << 62, 4], 0, b"")]));
    assert_eq!((off, p), (first + 4, SectionProblem::ShapeOverflow { shape: vec![1 << 62, 4] }));
    // A zero dimension does not hide an overflowing product of the others.
    let (_, _, p) = bad_section_problem(&raw_file(&[raw_section(b"d", 4, &[0, 1 << 32, 1 << 32], 0, b"")]));
    assert!(matches!(p, SectionProblem::ShapeOverflow { .. }));

    let (_, off, p) = bad_section_problem(&raw_file(&[raw_section(b"d", 4, &[2], 3, b"abc")]));
    assert_eq!((off, p), (first + 12, SectionProblem::PayloadLength { expected: 2, found: 3 }));
    let (_, _, p) = bad_section_problem(&raw_file(&[raw_section(b"d", 2, &[2], 4, b"abcd")]));
    assert_eq!(p, SectionProblem::PayloadLength { expected: 8, found: 4 });

    // Valid raw sections decode.
    let c = Container::from_bytes(&raw_file(&[ok, raw_section(b"z", 1, &[0, 5], 0, b"")])).unwrap();
    assert_eq!(c.section("z").unwrap().as_f64(), Some(&[][..]));
}

#[test]
fn section_errors_mention_index_offset_and_problem() {
    let ok = raw_section(b"ok", 4, &[1], 1, b"!");
    let err = Container::from_bytes(&raw_file(&[ok.clone(), ok])).unwrap_err();
    let text = err.to_string();
    assert!(text.contains("section #1") && text.contains("offset 57") && text.contains("duplicate"), "{text}");
}

#[test]
fn invalid_sections_in_memory() {
    let problem = |r: Result<Section, ContainerError>| match r {
        Err(ContainerError::InvalidSection { problem, .. }) => problem,
        other => panic!("{other:?}"),
    };
    assert_eq!(problem(Section::f64("", &[1], vec![1.0])), SectionProblem::EmptyName);
    assert_eq!(problem(Section::u8("n".repeat(65), &[1], vec![1])), SectionProblem::NameTooLong { len: 65 });
    assert_eq!(problem(Section::u8("n", &[1; 5], vec![1])), SectionProblem::TooManyDims { ndim: 5 });
    assert_eq!(
        problem(Section::f32("n", &[2, 2], vec![1.0; 3])),
        SectionProblem::PayloadLength { expected: 16, found: 12 }
    );
    assert_eq!(problem(Section::u32("n", &[], vec![])), SectionProblem::PayloadLength { expected: 4, found: 0 });
    assert!(matches!(problem(Section::f64("n", &[u64::MAX, 2], vec![])), SectionProblem::ShapeOverflow { .. }));

    let mut c = golden_container();
    let dup = Section::f64("x", &[1], vec![2.0]).unwrap();
    let err = c.push(dup.clone()).unwrap_err();
    assert!(matches!(err, ContainerError::InvalidSection { problem: SectionProblem::DuplicateName { .. }, .. }));
    assert_eq!(c, golden_container(), "a failed push leaves the container unchanged");

    // Public fields bypass push; to_bytes validates again.
    c.sections.push(dup);
    assert!(matches!(
        c.to_bytes(),
        Err(ContainerError::InvalidSection { problem: SectionProblem::DuplicateName { .. }, .. })
    ));
    let mut c = golden_container();
    c.sections[0].shape = vec![3];
    assert!(matches!(
        c.to_bytes(),
        Err(ContainerError::InvalidSection { problem: SectionProblem::PayloadLength { expected: 3, found: 2 }, .. })
    ));
    let mut c = golden_container();
    c.sections[1].name.clear();
    assert!(matches!(c.to_bytes(), Err(ContainerError::InvalidSection { problem: SectionProblem::EmptyName, .. })));
}

// ---------------------------------------------------------------------------------------
// Files
// ---------------------------------------------------------------------------------------

fn dir_entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> =
        std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    names
}

#[test]
fn write_atomic_and_read() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("model.dashi");
    let c = golden_container();
    c.write_atomic(&path, false).unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), hex(GOLDEN_HEX));
    assert_eq!(Container::read(&path).unwrap(), c);

    // Refuses to overwrite, leaves the file alone and no temporary file behind.
    let other = Container::new(header(json!({"other": true})));
    match other.write_atomic(&path, false) {
        Err(err @ ContainerError::AlreadyExists { .. }) => {
            assert!(err.to_string().contains("model.dashi"), "{err}");
        }
        r => panic!("{r:?}"),
    }
    assert_eq!(Container::read(&path).unwrap(), c);
    assert_eq!(dir_entries(dir.path()), ["model.dashi"]);

    // Overwrites when asked.
    other.write_atomic(&path, true).unwrap();
    assert_eq!(Container::read(&path).unwrap(), other);
    assert_eq!(dir_entries(dir.path()), ["model.dashi"]);

    // A dangling symbolic link counts as existing.
    #[cfg(unix)]
    {
        let link = dir.path().join("link.dashi");
        std::os::unix::fs::symlink(dir.path().join("nowhere"), &link).unwrap();
        assert!(matches!(c.write_atomic(&link, false), Err(ContainerError::AlreadyExists { .. })));
        std::fs::remove_file(&link).unwrap();
    }

    // A nested directory.
    let nested = dir.path().join("sub");
    std::fs::create_dir(&nested).unwrap();
    c.write_atomic(&nested.join("a.dashi"), false).unwrap();
    assert_eq!(dir_entries(&nested), ["a.dashi"]);
}

#[test]
fn write_atomic_failures_leave_nothing_behind() {
    let dir = tempfile::tempdir().unwrap();
    // Missing directory: I/O error naming the temporary file in it.
    let path = dir.path().join("missing").join("x.dashi");
    match golden_container().write_atomic(&path, false) {
        Err(ContainerError::Io { path: p, .. }) => assert!(p.starts_with(dir.path().join("missing")), "{p:?}"),
        r => panic!("{r:?}"),
    }
    // Invalid container: nothing is written.
    let mut c = golden_container();
    c.sections[0].shape = vec![5];
    assert!(c.write_atomic(&dir.path().join("y.dashi"), false).is_err());
    // Destination is a directory: overwriting fails, the temporary file is removed.
    let sub = dir.path().join("d.dashi");
    std::fs::create_dir(&sub).unwrap();
    std::fs::write(sub.join("keep"), b"x").unwrap();
    assert!(matches!(golden_container().write_atomic(&sub, true), Err(ContainerError::Io { .. })));
    assert!(matches!(golden_container().write_atomic(&sub, false), Err(ContainerError::AlreadyExists { .. })));
    assert_eq!(dir_entries(dir.path()), ["d.dashi"]);
}

#[test]
fn read_missing_path_names_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("no-such-model.dashi");
    match Container::read(&path) {
        Err(err @ ContainerError::Io { .. }) => {
            let ContainerError::Io { path: p, source } = &err else { unreachable!() };
            assert_eq!(p, &path);
            assert_eq!(source.kind(), std::io::ErrorKind::NotFound);
            assert!(err.to_string().contains("no-such-model.dashi"), "{err}");
        }
        r => panic!("{r:?}"),
    }
    // A corrupt file on disk gives the decoding error.
    let bad = dir.path().join("bad.dashi");
    std::fs::write(&bad, b"hello").unwrap();
    assert!(matches!(Container::read(&bad), Err(ContainerError::BadMagic { .. })));
}

#[test]
fn error_messages_name_the_problem() {
    let golden = hex(GOLDEN_HEX);
    let err = Container::from_bytes(&golden[..100]).unwrap_err();
    let text = err.to_string();
    assert!(text.contains("truncated") && text.contains("offset 97") && text.contains("\"u\""), "{text}");
    let mut bad = golden.clone();
    bad[GOLDEN_SECTIONS + 21] ^= 1;
    let text = Container::from_bytes(&bad).unwrap_err().to_string();
    assert!(text.contains("CRC32 mismatch") && text.contains("section #0 \"a\""), "{text}");
}

// ---------------------------------------------------------------------------------------
// The fuzz seed corpus (crates/dashi-codec/fuzz/corpus/container_reader)
// ---------------------------------------------------------------------------------------

/// The seed corpus: name → bytes. `valid_*` decode, `corrupt_*` do not.
fn seed_corpus() -> Vec<(String, Vec<u8>)> {
    let mut seeds = Vec::new();
    let mut add = |name: &str, c: &Container| seeds.push((format!("valid_{name}.dashi"), c.to_bytes().unwrap()));
    add("empty", &Container::default());
    add("golden", &golden_container());
    let h = || header(json!({"kind": "seed", "k_cut": 8, "tau": 0.25, "anchors": [1, 2, 3]}));
    for (name, data) in [
        ("f64", SectionData::F64(f64_values(6))),
        ("f32", SectionData::F32(f32_values(6))),
        ("u32", SectionData::U32(vec![0, 1, 0xFFFF_FFFF, 42, 7, 9])),
        ("u8", SectionData::U8(vec![0, 1, 2, 253, 254, 255])),
    ] {
        let mut c = Container::new(h());
        c.push(Section::new(name, &[2, 3], data).unwrap()).unwrap();
        add(name, &c);
    }
    let mut c = Container::new(h());
    for ndim in 0..=4 {
        let shape = shape_for(ndim);
        let n = shape.iter().product::<u64>() as usize;
        c.push(Section::f32(format!("nd{ndim}"), &shape, f32_values(n)).unwrap()).unwrap();
    }
    c.push(Section::u8("empty", &[0, 2], vec![]).unwrap()).unwrap();
    add("ndims", &c);
    seeds.push(("valid_medium.dashi".into(), medium_file()));
    // A header with full-precision floats (exact only with serde_json's `float_roundtrip`),
    // escapes and nesting, for the fuzzer to mutate.
    let mut c = Container::new(header(json!({
        "tau": 0.1 + 0.2, "tiny": 1.071_566_039_146_582_6e-75, "huge": -1.603_964_615_428_183e143,
        "int": i64::MIN, "s": "é😀\"\n", "nested": {"a": [null, true, false, {"b": []}]}
    })));
    c.push(Section::u8("m", &[1], vec![1]).unwrap()).unwrap();
    seeds.push(("valid_header_floats.dashi".into(), c.to_bytes().unwrap()));

    let golden = hex(GOLDEN_HEX);
    let mut corrupt = |name: &str, bytes: Vec<u8>| seeds.push((format!("corrupt_{name}.dashi"), bytes));
    corrupt("truncated", golden[..100].to_vec());
    let mut flipped = golden.clone();
    flipped[60] ^= 0x40;
    corrupt("payload_crc", flipped);
    corrupt("version", raw_head(2, b"{}", 2, 0));
    corrupt("header_not_object", raw_head(FORMAT_VERSION, b"[1]", 3, 0));
    corrupt("giant_payload", raw_file(&[raw_section(b"p", 1, &[1 << 57], 1 << 60, b"")]));
    corrupt("duplicate", raw_file(&[raw_section(b"a", 4, &[1], 1, b"1"), raw_section(b"a", 4, &[1], 1, b"2")]));
    corrupt("bad_dtype", raw_file(&[raw_section(b"a", 9, &[1], 1, b"1")]));
    corrupt("payload_length", raw_file(&[raw_section(b"a", 4, &[2], 1, b"1")]));
    let mut trailing = golden;
    trailing.extend_from_slice(b"tail");
    corrupt("trailing", trailing);
    seeds
}

/// Checks the seed corpus against the repository copy; with `DASHI_BLESS_FUZZ_CORPUS=1`
/// (re)writes it instead.
#[test]
fn fuzz_seed_corpus() {
    let seeds = seed_corpus();
    for (name, bytes) in &seeds {
        let decoded = Container::from_bytes(bytes);
        if name.starts_with("valid_") {
            let c = decoded.unwrap_or_else(|e| panic!("{name}: {e}"));
            // Sections only: header floats need `float_roundtrip` (see above).
            assert_eq!(Container::from_bytes(&c.to_bytes().unwrap()).unwrap().sections, c.sections);
        } else {
            assert!(decoded.is_err(), "{name} decoded");
        }
    }
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus/container_reader");
    if std::env::var_os("DASHI_BLESS_FUZZ_CORPUS").is_some() {
        std::fs::create_dir_all(&dir).unwrap();
        for (name, bytes) in &seeds {
            std::fs::write(dir.join(name), bytes).unwrap();
        }
    } else if dir.is_dir() {
        for (name, bytes) in &seeds {
            let stored = std::fs::read(dir.join(name))
                .unwrap_or_else(|e| panic!("{name}: {e}; rerun with DASHI_BLESS_FUZZ_CORPUS=1"));
            assert_eq!(&stored, bytes, "{name} differs; rerun with DASHI_BLESS_FUZZ_CORPUS=1");
        }
    }
}
