//! NPY arrays: a streamed writer whose first axis grows frame by frame, and a validating
//! reader.
//!
//! Layout written (NPY format 1.0, as `numpy.lib.format` defines it):
//!
//! ```text
//! \x93NUMPY  0x01 0x00  HEADER_LEN (u16 LE)  HEADER (ASCII)  DATA (little-endian, C order)
//! HEADER = "{'descr': '<f4', 'fortran_order': False, 'shape': (T, N, N), }" + spaces + "\n"
//! ```
//!
//! The header is padded so that `10 + HEADER_LEN` is a multiple of 64 and is long enough
//! for any `T` up to `u64::MAX`; the header for the final `T` is therefore rewritten in
//! place when the stream finishes, without moving the data.
//!
//! The reader accepts versions 1.0, 2.0 and 3.0, checks the magic, the `descr` (exactly
//! the one expected), `fortran_order` (`False`, or any value for rank ≤ 1 where both orders
//! coincide), the rank, and that the data is exactly `product(shape)·size` bytes, all
//! before allocating.

use super::error::{NpyProblem, TruthError};
use bytemuck::Pod;
use std::fs::File;
use std::io::{BufWriter, Read, Seek, SeekFrom, Write};
use std::marker::PhantomData;
use std::path::{Path, PathBuf};

const MAGIC: &[u8; 6] = b"\x93NUMPY";
/// Magic, version and the u16 header length of format 1.0.
const PREAMBLE_V1: usize = 10;
/// `numpy.lib.format` aligns the data to 64 bytes.
const ALIGNMENT: usize = 64;
/// Headers longer than this are refused before they are read.
const MAX_HEADER_BYTES: u64 = 1 << 20;

/// An element type stored in NPY files: little-endian IEEE floats.
pub(crate) trait NpyElement: Pod {
    /// The NPY `descr` of the type.
    const DESCR: &'static str;
    /// Converts between native and little-endian byte order (the identity on
    /// little-endian machines; an involution everywhere).
    fn swap_le(self) -> Self;
}

impl NpyElement for f32 {
    const DESCR: &'static str = "<f4";
    fn swap_le(self) -> Self {
        f32::from_bits(self.to_bits().to_le())
    }
}

impl NpyElement for f64 {
    const DESCR: &'static str = "<f8";
    fn swap_le(self) -> Self {
        f64::from_bits(self.to_bits().to_le())
    }
}

/// The shape as a Python tuple literal: `()`, `(3,)`, `(2, 4, 4)`.
fn shape_tuple(shape: &[u64]) -> String {
    match shape {
        [] => "()".to_string(),
        [only] => format!("({only},)"),
        _ => format!("({})", shape.iter().map(u64::to_string).collect::<Vec<_>>().join(", ")),
    }
}

fn header_dict(descr: &str, shape: &[u64]) -> String {
    format!("{{'descr': '{descr}', 'fortran_order': False, 'shape': {}, }}", shape_tuple(shape))
}

/// The full preamble and header (format 1.0) of an array `[frames, frame_shape…]`, padded
/// to the length reserved for `frames = u64::MAX`, so every frame count gives the same
/// length.
pub(crate) fn streamed_header(descr: &str, frames: u64, frame_shape: &[usize]) -> Vec<u8> {
    let shape_with = |first: u64| {
        let mut shape = vec![first];
        shape.extend(frame_shape.iter().map(|&d| d as u64));
        shape
    };
    let longest = header_dict(descr, &shape_with(u64::MAX)).len() + 1;
    let total = (PREAMBLE_V1 + longest).div_ceil(ALIGNMENT) * ALIGNMENT;
    let header_len = total - PREAMBLE_V1;
    let mut text = header_dict(descr, &shape_with(frames));
    text.extend(std::iter::repeat_n(' ', header_len - 1 - text.len()));
    text.push('\n');
    let mut bytes = Vec::with_capacity(total);
    bytes.extend_from_slice(MAGIC);
    bytes.extend_from_slice(&[1, 0]);
    // Rank ≤ 3 with 20-digit axes needs under 200 bytes: always within u16.
    bytes.extend_from_slice(&(header_len as u16).to_le_bytes());
    bytes.extend_from_slice(text.as_bytes());
    bytes
}

/// Writes `values` little-endian.
fn write_elements<T: NpyElement>(out: &mut impl Write, values: &[T]) -> std::io::Result<()> {
    if cfg!(target_endian = "little") {
        out.write_all(bytemuck::cast_slice(values))
    } else {
        let swapped: Vec<T> = values.iter().map(|&v| v.swap_le()).collect();
        out.write_all(bytemuck::cast_slice(&swapped))
    }
}

/// An NPY file `[T, frame_shape…]` written one frame at a time; [`finish`](Self::finish)
/// writes the final `T` into the header.
#[derive(Debug)]
pub(crate) struct NpyFrameWriter<T: NpyElement> {
    path: PathBuf,
    file: BufWriter<File>,
    frame_shape: Vec<usize>,
    frame_len: usize,
    frames: u64,
    element: PhantomData<T>,
}

impl<T: NpyElement> NpyFrameWriter<T> {
    /// Creates `path` (which must not exist) with a header for zero frames.
    pub(crate) fn create(path: &Path, frame_shape: &[usize]) -> Result<Self, TruthError> {
        let file = File::create_new(path).map_err(TruthError::io(path))?;
        let mut file = BufWriter::new(file);
        file.write_all(&streamed_header(T::DESCR, 0, frame_shape)).map_err(TruthError::io(path))?;
        Ok(Self {
            path: path.to_path_buf(),
            file,
            frame_shape: frame_shape.to_vec(),
            frame_len: frame_shape.iter().product(),
            frames: 0,
            element: PhantomData,
        })
    }

    /// Number of values in one frame.
    pub(crate) fn frame_len(&self) -> usize {
        self.frame_len
    }

    /// Appends one frame; `frame.len()` must be [`frame_len`](Self::frame_len) (the caller
    /// checks, so that a bad frame is refused before anything is written).
    pub(crate) fn append(&mut self, frame: &[T]) -> Result<(), TruthError> {
        debug_assert_eq!(frame.len(), self.frame_len, "frame length checked by the caller");
        write_elements(&mut self.file, frame).map_err(TruthError::io(&self.path))?;
        self.frames += 1;
        Ok(())
    }

    /// Writes the header with the final frame count, flushes and fsyncs.
    pub(crate) fn finish(self) -> Result<(), TruthError> {
        let io = TruthError::io(&self.path);
        let mut file =
            self.file.into_inner().map_err(|e| TruthError::Io { path: self.path.clone(), source: e.into_error() })?;
        let header = streamed_header(T::DESCR, self.frames, &self.frame_shape);
        file.seek(SeekFrom::Start(0)).and_then(|_| file.write_all(&header)).and_then(|_| file.sync_all()).map_err(io)
    }
}

/// An array read from an NPY file.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct NpyArray<T> {
    /// Axis lengths.
    pub(crate) shape: Vec<usize>,
    /// Values in C order.
    pub(crate) data: Vec<T>,
}

/// The three keys of an NPY header.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct NpyHeader {
    pub(crate) descr: String,
    pub(crate) fortran_order: bool,
    pub(crate) shape: Vec<u64>,
}

/// Reads `path` as an array of `T` with `rank` axes, validating everything before
/// allocating (the allocation is bounded by the file size).
pub(crate) fn read_npy<T: NpyElement>(path: &Path, rank: usize) -> Result<NpyArray<T>, TruthError> {
    let npy = NpyFile::<T>::open(path, rank)?;
    let count = npy.shape.iter().product();
    let data = npy.read(0, count)?;
    Ok(NpyArray { shape: npy.shape, data })
}

/// A checked NPY file whose data are read on demand ([`NpyFile::read`]): opening reads
/// only the header, so memory is spent on what a reader asks for, not on the file's size.
#[derive(Clone, Debug)]
pub(crate) struct NpyFile<T> {
    path: PathBuf,
    /// Axis lengths.
    pub(crate) shape: Vec<usize>,
    data_offset: u64,
    element: PhantomData<T>,
}

impl<T: NpyElement> NpyFile<T> {
    /// Opens `path` (a regular file) and checks its header: magic, version, `descr`, C
    /// order, rank `rank`, and a data length exactly as the shape needs.
    pub(crate) fn open(path: &Path, rank: usize) -> Result<Self, TruthError> {
        let (file, file_bytes) = dashi_core::files::open_regular(path).map_err(|e| match e {
            dashi_core::files::BoundedReadError::Io { path, source } => TruthError::Io { path, source },
            other => TruthError::corrupt(path, other.to_string()),
        })?;
        let (shape, data_offset) = read_header::<T>(file, file_bytes, path, rank)?;
        Ok(Self { path: path.to_path_buf(), shape, data_offset, element: PhantomData })
    }

    /// Elements `start .. start + count` in C order. The allocation is reserved
    /// fallibly: a request the machine cannot hold is an error naming its size, not an
    /// abort.
    pub(crate) fn read(&self, start: usize, count: usize) -> Result<Vec<T>, TruthError> {
        let io = |source| TruthError::Io { path: self.path.clone(), source };
        let mut data: Vec<T> = Vec::new();
        data.try_reserve_exact(count).map_err(|_| TruthError::TooLarge {
            what: self.path.display().to_string(),
            bytes: (count as u64).saturating_mul(size_of::<T>() as u64),
        })?;
        data.resize(count, T::zeroed());
        let mut file = File::open(&self.path).map_err(io)?;
        let offset = self.data_offset + (start as u64) * size_of::<T>() as u64;
        file.seek(SeekFrom::Start(offset))
            .and_then(|_| file.read_exact(bytemuck::cast_slice_mut(&mut data)))
            .map_err(io)?;
        if cfg!(target_endian = "big") {
            data.iter_mut().for_each(|v| *v = v.swap_le());
        }
        Ok(data)
    }
}

/// Reads and checks the header of the NPY file `file` (`file_bytes` long): its shape and
/// where the data start.
fn read_header<T: NpyElement>(
    mut file: File,
    file_bytes: u64,
    path: &Path,
    rank: usize,
) -> Result<(Vec<usize>, u64), TruthError> {
    let io = |source| TruthError::Io { path: path.to_path_buf(), source };
    let problem = |problem| TruthError::npy(path, problem);

    let truncated = |needed_bytes| problem(NpyProblem::TruncatedHeader { file_bytes, needed_bytes });
    let mut preamble = [0u8; 12];
    let first = file_bytes.min(12) as usize;
    file.read_exact(&mut preamble[..first]).map_err(io)?;
    let magic_seen = first.min(MAGIC.len());
    if preamble[..magic_seen] != MAGIC[..magic_seen] {
        return Err(problem(NpyProblem::BadMagic));
    }
    if first < MAGIC.len() + 2 {
        return Err(truncated(PREAMBLE_V1 as u64));
    }
    let (major, minor) = (preamble[6], preamble[7]);
    let (preamble_len, header_len) = match (major, minor) {
        (1, 0) if first >= 10 => (10u64, u64::from(u16::from_le_bytes([preamble[8], preamble[9]]))),
        (2 | 3, 0) if first >= 12 => {
            (12u64, u64::from(u32::from_le_bytes([preamble[8], preamble[9], preamble[10], preamble[11]])))
        }
        (1, 0) => return Err(truncated(10)),
        (2 | 3, 0) => return Err(truncated(12)),
        _ => return Err(problem(NpyProblem::UnsupportedVersion { major, minor })),
    };
    if header_len > MAX_HEADER_BYTES {
        return Err(problem(NpyProblem::MalformedHeader {
            reason: format!("header length {header_len} exceeds {MAX_HEADER_BYTES} bytes"),
        }));
    }
    let data_offset = preamble_len + header_len;
    if data_offset > file_bytes {
        return Err(truncated(data_offset));
    }
    let mut header_bytes = vec![0u8; header_len as usize];
    file.seek(SeekFrom::Start(preamble_len)).and_then(|_| file.read_exact(&mut header_bytes)).map_err(io)?;
    let header = parse_header(&header_bytes).map_err(|reason| problem(NpyProblem::MalformedHeader { reason }))?;

    if header.descr != T::DESCR {
        return Err(problem(NpyProblem::UnsupportedDescr { found: header.descr, expected: T::DESCR }));
    }
    if header.fortran_order && header.shape.len() > 1 {
        return Err(problem(NpyProblem::FortranOrder));
    }
    if header.shape.len() != rank {
        return Err(problem(NpyProblem::UnexpectedRank { expected: rank, shape: header.shape }));
    }
    let element_bytes = size_of::<T>() as u64;
    let expected_bytes = header
        .shape
        .iter()
        .try_fold(element_bytes, |acc, &d| acc.checked_mul(d))
        .filter(|&bytes| usize::try_from(bytes).is_ok());
    let Some(expected_bytes) = expected_bytes else {
        return Err(problem(NpyProblem::ShapeOverflow { shape: header.shape }));
    };
    let found_bytes = file_bytes - data_offset;
    if found_bytes != expected_bytes {
        return Err(problem(NpyProblem::DataLength { shape: header.shape, expected_bytes, found_bytes }));
    }
    let Some(shape) = header.shape.iter().map(|&d| usize::try_from(d).ok()).collect::<Option<Vec<usize>>>() else {
        return Err(problem(NpyProblem::ShapeOverflow { shape: header.shape }));
    };
    Ok((shape, data_offset))
}

/// Parses the header dictionary literal, e.g.
/// `{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }` followed by spaces and a
/// newline. Exactly the keys `descr`, `fortran_order` and `shape`, in any order; strings in
/// single or double quotes; Python 2's `3L` integers are accepted.
pub(crate) fn parse_header(bytes: &[u8]) -> Result<NpyHeader, String> {
    let mut parser = HeaderParser { bytes, pos: 0 };
    let header = parser.dict()?;
    parser.skip_space();
    if parser.pos != bytes.len() {
        return Err(format!("unexpected text after the dictionary at byte {}", parser.pos));
    }
    Ok(header)
}

/// Cursor over the header text.
struct HeaderParser<'a> {
    bytes: &'a [u8],
    pos: usize,
}

/// A value of the header dictionary.
enum HeaderValue {
    Text(String),
    Bool(bool),
    Tuple(Vec<u64>),
}

impl HeaderParser<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn skip_space(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    fn expect(&mut self, byte: u8) -> Result<(), String> {
        self.skip_space();
        if self.peek() == Some(byte) {
            self.pos += 1;
            Ok(())
        } else {
            Err(format!("expected `{}` at byte {}", byte as char, self.pos))
        }
    }

    /// Consumes `byte` (after spaces) if it is next.
    fn accept(&mut self, byte: u8) -> bool {
        self.skip_space();
        let found = self.peek() == Some(byte);
        if found {
            self.pos += 1;
        }
        found
    }

    fn dict(&mut self) -> Result<NpyHeader, String> {
        self.expect(b'{')?;
        let (mut descr, mut fortran_order, mut shape) = (None, None, None);
        while !self.accept(b'}') {
            let key = self.string()?;
            self.expect(b':')?;
            let value = self.value()?;
            let duplicate = match (key.as_str(), value) {
                ("descr", HeaderValue::Text(text)) => descr.replace(text).is_some(),
                ("fortran_order", HeaderValue::Bool(flag)) => fortran_order.replace(flag).is_some(),
                ("shape", HeaderValue::Tuple(axes)) => shape.replace(axes).is_some(),
                ("descr" | "fortran_order" | "shape", _) => return Err(format!("`{key}` has the wrong type")),
                _ => return Err(format!("unexpected key `{key}`")),
            };
            if duplicate {
                return Err(format!("duplicate key `{key}`"));
            }
            if !self.accept(b',') {
                self.expect(b'}')?;
                break;
            }
        }
        match (descr, fortran_order, shape) {
            (Some(descr), Some(fortran_order), Some(shape)) => Ok(NpyHeader { descr, fortran_order, shape }),
            _ => Err("the header needs the keys descr, fortran_order and shape".to_string()),
        }
    }

    fn string(&mut self) -> Result<String, String> {
        self.skip_space();
        let quote = match self.peek() {
            Some(q @ (b'\'' | b'"')) => q,
            _ => return Err(format!("expected a quoted string at byte {}", self.pos)),
        };
        let start = self.pos + 1;
        let len =
            self.bytes[start..].iter().position(|&b| b == quote).ok_or_else(|| "unterminated string".to_string())?;
        let text = std::str::from_utf8(&self.bytes[start..start + len]).map_err(|_| "string is not UTF-8")?;
        if text.contains('\\') {
            return Err("escape sequences are not supported in header strings".to_string());
        }
        self.pos = start + len + 1;
        Ok(text.to_string())
    }

    fn value(&mut self) -> Result<HeaderValue, String> {
        self.skip_space();
        let rest = &self.bytes[self.pos..];
        if rest.starts_with(b"True") {
            self.pos += 4;
            Ok(HeaderValue::Bool(true))
        } else if rest.starts_with(b"False") {
            self.pos += 5;
            Ok(HeaderValue::Bool(false))
        } else if rest.starts_with(b"(") {
            self.tuple().map(HeaderValue::Tuple)
        } else if rest.starts_with(b"'") || rest.starts_with(b"\"") {
            self.string().map(HeaderValue::Text)
        } else if rest.starts_with(b"[") {
            Err("structured dtypes are not supported".to_string())
        } else {
            Err(format!("unexpected value at byte {}", self.pos))
        }
    }

    fn tuple(&mut self) -> Result<Vec<u64>, String> {
        self.expect(b'(')?;
        let mut axes = Vec::new();
        while !self.accept(b')') {
            axes.push(self.integer()?);
            if !self.accept(b',') {
                self.expect(b')')?;
                break;
            }
        }
        Ok(axes)
    }

    fn integer(&mut self) -> Result<u64, String> {
        self.skip_space();
        let start = self.pos;
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.pos += 1;
        }
        let digits = &self.bytes[start..self.pos];
        let value = (!digits.is_empty())
            .then(|| digits.iter().try_fold(0u64, |acc, &d| acc.checked_mul(10)?.checked_add(u64::from(d - b'0'))))
            .flatten()
            .ok_or_else(|| format!("expected an axis length (an integer below 2^64) at byte {start}"))?;
        if self.peek() == Some(b'L') {
            self.pos += 1;
        }
        Ok(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_golden_bytes() {
        let header = streamed_header("<f4", 1, &[2, 2]);
        let mut expected =
            b"\x93NUMPY\x01\x00\x76\x00{'descr': '<f4', 'fortran_order': False, 'shape': (1, 2, 2), }".to_vec();
        expected.resize(127, b' ');
        expected.push(b'\n');
        assert_eq!(header, expected);
    }

    #[test]
    fn header_length_is_fixed_and_aligned() {
        for frame_shape in [&[][..], &[7], &[64, 64], &[4096, 4096]] {
            let short = streamed_header("<f8", 0, frame_shape);
            let long = streamed_header("<f8", u64::MAX, frame_shape);
            assert_eq!(short.len(), long.len());
            assert_eq!(short.len() % ALIGNMENT, 0);
        }
    }

    #[test]
    fn one_dimensional_shape_is_a_one_tuple() {
        let header = streamed_header("<f8", 5, &[]);
        let parsed = parse_header(&header[PREAMBLE_V1..]).unwrap();
        assert_eq!(parsed, NpyHeader { descr: "<f8".into(), fortran_order: false, shape: vec![5] });
        assert!(String::from_utf8_lossy(&header).contains("'shape': (5,), }"));
    }

    #[test]
    fn parser_accepts_numpy_variants() {
        let variants: [&[u8]; 4] = [
            b"{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }    \n",
            b"{\"shape\": (3L, 4L), \"descr\": \"<f4\", \"fortran_order\": False}\n",
            b"{'fortran_order':False,'descr':'<f4','shape':(3,4)}",
            b"{ 'descr' : '<f4' , 'fortran_order' : False , 'shape' : ( 3 , 4 , ) , }\n",
        ];
        for text in variants {
            let parsed = parse_header(text).unwrap_or_else(|e| panic!("{}: {e}", String::from_utf8_lossy(text)));
            assert_eq!(parsed, NpyHeader { descr: "<f4".into(), fortran_order: false, shape: vec![3, 4] });
        }
        assert_eq!(
            parse_header(b"{'descr': '<f8', 'fortran_order': True, 'shape': ()}").unwrap().shape,
            Vec::<u64>::new()
        );
    }

    #[test]
    fn parser_rejects_malformed_headers() {
        let bad: [&[u8]; 9] = [
            b"",
            b"{'descr': '<f4', 'fortran_order': False}",
            b"{'descr': '<f4', 'fortran_order': False, 'shape': (3,), 'extra': 1}",
            b"{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (3,)}",
            b"{'descr': '<f4', 'fortran_order': 0, 'shape': (3,)}",
            b"{'descr': '<f4', 'fortran_order': False, 'shape': (-3,)}",
            b"{'descr': '<f4', 'fortran_order': False, 'shape': (3,)} trailing",
            b"{'descr': '<f4, 'fortran_order': False, 'shape': (3,)}",
            b"{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (3,)}",
        ];
        for text in bad {
            assert!(parse_header(text).is_err(), "accepted {}", String::from_utf8_lossy(text));
        }
    }
}
