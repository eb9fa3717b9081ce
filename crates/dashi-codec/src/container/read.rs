//! Decoding a `.dashi` file from bytes, with bounded allocation.
//!
//! Every length field is checked against the bytes that remain before anything is sliced or
//! allocated, so the memory a decode uses is bounded by a small multiple of the input size
//! whatever the length fields claim.

use super::error::{ContainerError, CrcPart, SectionProblem};
use super::section::{Dtype, Section, SectionData, check_name, payload_bytes};
use super::{Container, FORMAT_VERSION, Limits, MAGIC, MAX_NDIM, PREAMBLE_LEN};
use serde_json::{Map, Value};
use std::collections::HashSet;

/// Smallest possible encoded section: name length, a 1-byte name, dtype, ndim, payload
/// length, CRC (ndim = 0 and an empty payload are impossible together — a scalar has one
/// element — but this is only a bound for pre-allocation).
const MIN_SECTION_LEN: usize = 1 + 1 + 1 + 1 + 8 + 4;

/// A position in the input.
struct Cursor<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn remaining(&self) -> usize {
        self.bytes.len() - self.pos
    }

    /// The next `len` bytes, or [`ContainerError::Truncated`] naming `what` (built lazily).
    fn take(&mut self, len: u64, what: impl FnOnce() -> String) -> Result<&'a [u8], ContainerError> {
        let available = self.remaining();
        match usize::try_from(len) {
            Ok(n) if n <= available => {
                let slice = &self.bytes[self.pos..self.pos + n];
                self.pos += n;
                Ok(slice)
            }
            _ => Err(ContainerError::Truncated {
                what: what(),
                offset: self.pos as u64,
                needed: len,
                available: available as u64,
            }),
        }
    }

    fn u8(&mut self, what: impl FnOnce() -> String) -> Result<u8, ContainerError> {
        Ok(self.take(1, what)?[0])
    }

    fn u32(&mut self, what: impl FnOnce() -> String) -> Result<u32, ContainerError> {
        let mut buf = [0u8; 4];
        buf.copy_from_slice(self.take(4, what)?);
        Ok(u32::from_le_bytes(buf))
    }

    fn u64(&mut self, what: impl FnOnce() -> String) -> Result<u64, ContainerError> {
        let mut buf = [0u8; 8];
        buf.copy_from_slice(self.take(8, what)?);
        Ok(u64::from_le_bytes(buf))
    }

    /// Reads a stored CRC32 and compares it with `crc32(covered)`.
    fn check_crc(&mut self, covered: &[u8], part: impl Fn() -> CrcPart) -> Result<(), ContainerError> {
        let offset = self.pos as u64;
        let stored = self.u32(|| format!("CRC32 of the {}", part()))?;
        let computed = crc32fast::hash(covered);
        if stored == computed {
            Ok(())
        } else {
            Err(ContainerError::CrcMismatch { part: part(), offset, stored, computed })
        }
    }
}

/// Decodes a whole `.dashi` file. See the module documentation for the layout and the order
/// of the checks.
pub(crate) fn decode(bytes: &[u8], limits: &Limits) -> Result<Container, ContainerError> {
    if bytes.len() as u64 > limits.max_file_bytes {
        return Err(ContainerError::FileTooLarge { len: bytes.len() as u64, max: limits.max_file_bytes });
    }
    let mut cur = Cursor { bytes, pos: 0 };

    // Magic: a short file whose bytes differ from the magic is "not a .dashi file", one
    // that matches as far as it goes is truncated.
    let head = &bytes[..bytes.len().min(MAGIC.len())];
    if head != &MAGIC[..head.len()] {
        return Err(ContainerError::BadMagic { found: head.to_vec() });
    }
    cur.take(MAGIC.len() as u64, || "magic".into())?;

    // Version before the preamble CRC: bytes 0..12 are the part of the layout that every
    // version keeps, so a newer file is reported as such and not as corrupt.
    let version = cur.u32(|| "format version".into())?;
    if version != FORMAT_VERSION {
        return Err(ContainerError::UnsupportedVersion { found: version, supported: FORMAT_VERSION });
    }
    let header_len = cur.u32(|| "header length".into())?;
    let section_count = cur.u32(|| "section count".into())?;
    cur.check_crc(&bytes[..cur.pos], || CrcPart::Preamble)?;
    debug_assert_eq!(cur.pos, PREAMBLE_LEN);

    if header_len > limits.max_header_bytes {
        return Err(ContainerError::HeaderTooLarge { len: header_len.into(), max: limits.max_header_bytes });
    }
    if section_count > limits.max_sections {
        return Err(ContainerError::TooManySections { count: section_count.into(), max: limits.max_sections });
    }

    // Header.
    let header_offset = cur.pos as u64;
    let header_bytes = cur.take(header_len.into(), || "header".into())?;
    cur.check_crc(header_bytes, || CrcPart::Header)?;
    let header = parse_header(header_bytes, header_offset)?;

    // Sections. Pre-allocation is bounded by what the remaining bytes can hold.
    let count = section_count as usize;
    let mut sections = Vec::with_capacity(count.min(cur.remaining() / MIN_SECTION_LEN));
    let mut names = HashSet::with_capacity(sections.capacity());
    for index in 0..section_count {
        let section = decode_section(&mut cur, index, &mut names)?;
        sections.push(section);
    }

    if cur.remaining() > 0 {
        return Err(ContainerError::TrailingBytes { offset: cur.pos as u64, count: cur.remaining() as u64 });
    }
    Ok(Container { header, sections })
}

/// Parses the header bytes (starting at file offset `offset`) as a UTF-8 JSON object.
fn parse_header(bytes: &[u8], offset: u64) -> Result<Map<String, Value>, ContainerError> {
    let text = std::str::from_utf8(bytes).map_err(|e| ContainerError::InvalidHeader {
        offset: offset + e.valid_up_to() as u64,
        reason: format!("not valid UTF-8 ({e})"),
    })?;
    let value: Value = serde_json::from_str(text).map_err(|e| ContainerError::InvalidHeader {
        offset: offset + json_error_offset(text, e.line(), e.column()),
        reason: format!("not valid JSON ({e})"),
    })?;
    match value {
        Value::Object(map) => Ok(map),
        other => Err(ContainerError::InvalidHeader {
            offset,
            reason: format!("the JSON is {}, not an object", json_kind(&other)),
        }),
    }
}

/// Byte offset in `text` of serde_json's 1-based `line` and `column` (a column counts
/// bytes); clamped to the text.
fn json_error_offset(text: &str, line: usize, column: usize) -> u64 {
    let line_start: usize = text.split_inclusive('\n').take(line.saturating_sub(1)).map(str::len).sum();
    (line_start + column.saturating_sub(1)).min(text.len()) as u64
}

fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Decodes section `index` at the cursor; `names` holds the names seen so far.
fn decode_section<'a>(
    cur: &mut Cursor<'a>,
    index: u32,
    names: &mut HashSet<&'a str>,
) -> Result<Section, ContainerError> {
    let start = cur.pos;
    let bad = |offset: usize, problem| ContainerError::BadSection { index, offset: offset as u64, problem };

    let name_len = cur.u8(|| format!("name length of section #{index}"))?;
    let name_offset = cur.pos;
    let name_bytes = cur.take(name_len.into(), || format!("name of section #{index}"))?;
    check_name(name_bytes).map_err(|p| bad(start, p))?;
    let name = std::str::from_utf8(name_bytes).map_err(|_| bad(name_offset, SectionProblem::NameNotUtf8))?;
    if !names.insert(name) {
        return Err(bad(name_offset, SectionProblem::DuplicateName { name: name.to_owned() }));
    }
    let what = |field: &str| format!("{field} of section #{index} {name:?}");

    let dtype_offset = cur.pos;
    let code = cur.u8(|| what("dtype"))?;
    let dtype = Dtype::from_code(code).ok_or_else(|| bad(dtype_offset, SectionProblem::UnknownDtype { code }))?;
    let ndim_offset = cur.pos;
    let ndim = usize::from(cur.u8(|| what("ndim"))?);
    if ndim > MAX_NDIM {
        return Err(bad(ndim_offset, SectionProblem::TooManyDims { ndim }));
    }
    let shape_offset = cur.pos;
    let mut shape = Vec::with_capacity(ndim);
    for _ in 0..ndim {
        shape.push(cur.u64(|| what("shape"))?);
    }
    let expected = payload_bytes(&shape, dtype)
        .ok_or_else(|| bad(shape_offset, SectionProblem::ShapeOverflow { shape: shape.clone() }))?;
    let len_offset = cur.pos;
    let payload_len = cur.u64(|| what("payload length"))?;
    // Truncation first: a length that the file cannot hold is reported as such, and nothing
    // is allocated for it.
    let payload = cur.take(payload_len, || what("payload"))?;
    if payload_len != expected {
        return Err(bad(len_offset, SectionProblem::PayloadLength { expected, found: payload_len }));
    }
    let covered = &cur.bytes[start..cur.pos];
    cur.check_crc(covered, || CrcPart::Section { index, name: name.to_owned() })?;

    let data = match dtype {
        Dtype::F64 => SectionData::F64(decode_elements(payload, f64::from_le_bytes)),
        Dtype::F32 => SectionData::F32(decode_elements(payload, f32::from_le_bytes)),
        Dtype::U32 => SectionData::U32(decode_elements(payload, u32::from_le_bytes)),
        Dtype::U8 => SectionData::U8(payload.to_vec()),
    };
    Ok(Section { name: name.to_owned(), shape, data })
}

/// Little-endian elements of `N` bytes each (`payload.len()` is a multiple of `N`).
fn decode_elements<T, const N: usize>(payload: &[u8], from_le: fn([u8; N]) -> T) -> Vec<T> {
    payload
        .chunks_exact(N)
        .map(|chunk| {
            let mut buf = [0u8; N];
            buf.copy_from_slice(chunk);
            from_le(buf)
        })
        .collect()
}
