//! NumPy `.npy` arrays and `.npz` archives (stored or deflate-compressed, as (documented in the parent module)

use crate::error::{check_memory, Error, Result};
use ndarray::{Array1, Array2, ArrayD, IxDyn, ShapeBuilder};
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

/// The element type of an array, from the header's `descr`.
///
/// # Example
/// ```
/// use canns::data::io::{read_npy_bytes, Dtype};
/// use ndarray_npy::WriteNpyExt;
/// let mut buf = Vec::new();
/// ndarray::arr1(&[1i16, -2, 3]).write_npy(&mut buf).unwrap();
/// let a = read_npy_bytes(&buf, "counts")?;
/// assert_eq!(a.dtype(), Dtype::I16);
/// assert_eq!((a.dtype().name(), a.dtype().size()), ("int16", 2));
/// // 64-bit integers beyond 2^53 do not fit a float exactly.
/// assert!(a.dtype().is_exact_in_f64() && !Dtype::U64.is_exact_in_f64());
/// # Ok::<(), canns::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dtype {
    /// `float64`.
    F64,
    /// `float32`.
    F32,
    /// `int64`.
    I64,
    /// `int32`.
    I32,
    /// `int16`.
    I16,
    /// `int8`.
    I8,
    /// `uint64`.
    U64,
    /// `uint32`.
    U32,
    /// `uint16`.
    U16,
    /// `uint8`.
    U8,
    /// `bool`.
    Bool,
}

impl Dtype {
    /// NumPy's name for it (`"float64"`...).
    pub fn name(self) -> &'static str {
        match self {
            Dtype::F64 => "float64",
            Dtype::F32 => "float32",
            Dtype::I64 => "int64",
            Dtype::I32 => "int32",
            Dtype::I16 => "int16",
            Dtype::I8 => "int8",
            Dtype::U64 => "uint64",
            Dtype::U32 => "uint32",
            Dtype::U16 => "uint16",
            Dtype::U8 => "uint8",
            Dtype::Bool => "bool",
        }
    }
    /// Bytes per element.
    pub fn size(self) -> usize {
        match self {
            Dtype::F64 | Dtype::I64 | Dtype::U64 => 8,
            Dtype::F32 | Dtype::I32 | Dtype::U32 => 4,
            Dtype::I16 | Dtype::U16 => 2,
            Dtype::I8 | Dtype::U8 | Dtype::Bool => 1,
        }
    }
    /// Whether every value converts to `f64` exactly (not `int64`/`uint64`).
    pub fn is_exact_in_f64(self) -> bool {
        !matches!(self, Dtype::I64 | Dtype::U64)
    }
}

/// The values of an array, in C (row-major) order.
///
/// # Example
/// ```
/// use canns::data::io::{read_npy_bytes, NpyData};
/// use ndarray_npy::WriteNpyExt;
/// // Unsigned bytes are widened to u64, float32 to f64.
/// let mut buf = Vec::new();
/// ndarray::arr1(&[7u8, 255]).write_npy(&mut buf).unwrap();
/// assert_eq!(read_npy_bytes(&buf, "b")?.into_data(), NpyData::U64(vec![7, 255]));
/// let mut buf = Vec::new();
/// ndarray::arr1(&[0.5f32, -1.25]).write_npy(&mut buf).unwrap();
/// assert_eq!(read_npy_bytes(&buf, "f")?.data(), &NpyData::F64(vec![0.5, -1.25]));
/// # Ok::<(), canns::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub enum NpyData {
    /// `float64` (also `float32`, widened).
    F64(Vec<f64>),
    /// Signed integers of any width, widened.
    I64(Vec<i64>),
    /// Unsigned integers of any width (and `bool`), widened.
    U64(Vec<u64>),
}

/// One array: its dtype as stored, its shape and its values.
///
/// # Example
/// ```
/// use canns::data::io::{read_npy_bytes, Dtype};
/// use ndarray_npy::WriteNpyExt;
/// let mut buf = Vec::new();
/// ndarray::arr2(&[[1i32, 2, 3], [4, 5, 6]]).write_npy(&mut buf).unwrap();
/// let a = read_npy_bytes(&buf, "m.npy")?;
/// assert_eq!((a.dtype(), a.shape(), a.len()), (Dtype::I32, &[2, 3][..], 6));
/// assert_eq!(a.clone().into_array2("m")?[[1, 2]], 6.0);
/// // Asking for the wrong dimension names the array and its shape.
/// let err = a.into_array1("m").unwrap_err().to_string();
/// assert!(err.contains("`m`") && err.contains("(2, 3)"), "{err}");
/// # Ok::<(), canns::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct NpyArray {
    dtype: Dtype,
    shape: Vec<usize>,
    data: NpyData,
}

impl NpyArray {
    /// The dtype in the file.
    pub fn dtype(&self) -> Dtype {
        self.dtype
    }
    /// The shape (empty for a scalar).
    pub fn shape(&self) -> &[usize] {
        &self.shape
    }
    /// Number of elements.
    pub fn len(&self) -> usize {
        self.shape.iter().product()
    }
    /// Whether the array holds no element.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// The values, widened.
    pub fn data(&self) -> &NpyData {
        &self.data
    }
    /// The values, widened, by value.
    pub fn into_data(self) -> NpyData {
        self.data
    }
    /// The values as `f64` in C order (integers converted; beyond 2^53 they round).
    pub fn into_f64(self) -> Vec<f64> {
        match self.data {
            NpyData::F64(v) => v,
            NpyData::I64(v) => v.into_iter().map(|x| x as f64).collect(),
            NpyData::U64(v) => v.into_iter().map(|x| x as f64).collect(),
        }
    }
    /// The values as bytes, for a `uint8`/`int8` array (text stored as bytes).
    ///
    /// # Errors
    /// [`Error::Invalid`] naming `what` and the dtype for a wider type.
    pub fn into_bytes(self, what: &str) -> Result<Vec<u8>> {
        match (self.dtype, self.data) {
            (Dtype::U8, NpyData::U64(v)) => Ok(v.into_iter().map(|x| x as u8).collect()),
            (Dtype::I8, NpyData::I64(v)) => Ok(v.into_iter().map(|x| x as u8).collect()),
            (d, _) => Err(Error::Invalid(format!(
                "`{what}` must be a uint8 array (got {})",
                d.name()
            ))),
        }
    }
    /// A 1-D array as `f64`.
    ///
    /// # Errors
    /// [`Error::Invalid`] naming `what` and the shape when it is not 1-D.
    pub fn into_array1(self, what: &str) -> Result<Array1<f64>> {
        if self.shape.len() != 1 {
            return Err(Error::Invalid(format!(
                "`{what}` must be a 1-D array (got shape {})",
                shape_text(&self.shape)
            )));
        }
        Ok(Array1::from(self.into_f64()))
    }
    /// A 2-D array as `f64`.
    ///
    /// # Errors
    /// [`Error::Invalid`] naming `what` and the shape when it is not 2-D.
    pub fn into_array2(self, what: &str) -> Result<Array2<f64>> {
        if self.shape.len() != 2 {
            return Err(Error::Invalid(format!(
                "`{what}` must be a 2-D array (got shape {})",
                shape_text(&self.shape)
            )));
        }
        let (r, c) = (self.shape[0], self.shape[1]);
        Ok(Array2::from_shape_vec((r, c), self.into_f64()).expect("length is the shape's product"))
    }
    /// Any shape as `f64`.
    pub fn into_arrayd(self) -> ArrayD<f64> {
        let shape = self.shape.clone();
        ArrayD::from_shape_vec(IxDyn(&shape), self.into_f64())
            .expect("length is the shape's product")
    }
}

/// `(a, b)` as NumPy prints a shape.
pub fn shape_text(shape: &[usize]) -> String {
    match shape {
        [] => "()".into(),
        [a] => format!("({a},)"),
        _ => format!(
            "({})",
            shape
                .iter()
                .map(|d| d.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// A parsed `.npy` header.
#[derive(Debug, Clone, PartialEq)]
struct Header {
    dtype: Dtype,
    big_endian: bool,
    fortran: bool,
    shape: Vec<usize>,
    /// Bytes of magic, version, length and header text.
    len: usize,
}

impl Header {
    /// Data bytes the header declares, `None` when the product overflows.
    fn data_bytes(&self) -> Option<u64> {
        self.shape
            .iter()
            .try_fold(self.dtype.size() as u64, |acc, &d| {
                acc.checked_mul(d as u64)
            })
    }
    fn describe(&self) -> String {
        format!("shape {} of {}", shape_text(&self.shape), self.dtype.name())
    }
}

const MAGIC: &[u8] = b"\x93NUMPY";
/// NumPy itself refuses headers above 10000 bytes by default.
const MAX_HEADER: usize = 1 << 16;

/// Reads and parses the header from `r`; `avail` is the number of bytes `r`
/// can give (file or member size), checked before reading the header text.
fn read_header(r: &mut impl Read, avail: u64) -> std::result::Result<Header, String> {
    let mut pre = [0u8; 10];
    read_exactly(r, &mut pre[..8], "the .npy magic and version")?;
    if &pre[..6] != MAGIC {
        return Err("not a .npy array (no \\x93NUMPY magic)".into());
    }
    let (major, minor) = (pre[6], pre[7]);
    let (hlen, prefix) = match major {
        1 => {
            read_exactly(r, &mut pre[8..10], "the header length")?;
            (u16::from_le_bytes([pre[8], pre[9]]) as usize, 10)
        }
        2 | 3 => {
            let mut b = [0u8; 4];
            read_exactly(r, &mut b, "the header length")?;
            (u32::from_le_bytes(b) as usize, 12)
        }
        _ => return Err(format!("unsupported .npy version {major}.{minor}")),
    };
    if hlen > MAX_HEADER {
        return Err(format!(
            "header claims {hlen} bytes (more than {MAX_HEADER})"
        ));
    }
    if (prefix + hlen) as u64 > avail {
        return Err(format!(
            "header claims {hlen} bytes but only {} are present",
            avail.saturating_sub(prefix as u64)
        ));
    }
    let mut text = vec![0u8; hlen];
    read_exactly(r, &mut text, "the header")?;
    let text = if major == 3 {
        String::from_utf8(text).map_err(|_| "header is not UTF-8".to_string())?
    } else {
        text.iter()
            .map(|&b| {
                if b.is_ascii() {
                    Ok(b as char)
                } else {
                    Err("header is not ASCII".to_string())
                }
            })
            .collect::<std::result::Result<String, String>>()?
    };
    let mut h = parse_header(&text)?;
    h.len = prefix + hlen;
    Ok(h)
}

fn read_exactly(r: &mut impl Read, buf: &mut [u8], what: &str) -> std::result::Result<(), String> {
    r.read_exact(buf).map_err(|e| {
        if e.kind() == std::io::ErrorKind::UnexpectedEof {
            format!("truncated: ends inside {what}")
        } else {
            format!("reading {what}: {e}")
        }
    })
}

/// A token of the Python literal in the header.
#[derive(Debug, Clone, PartialEq)]
enum Lit {
    Str(String),
    Int(u64),
    Bool(bool),
    Tuple(Vec<Lit>),
    Other(String),
}

struct Parser<'a> {
    s: &'a [u8],
    i: usize,
}

impl Parser<'_> {
    fn ws(&mut self) {
        while self.i < self.s.len() && self.s[self.i].is_ascii_whitespace() {
            self.i += 1;
        }
    }
    fn eat(&mut self, c: u8) -> bool {
        self.ws();
        if self.s.get(self.i) == Some(&c) {
            self.i += 1;
            true
        } else {
            false
        }
    }
    fn expect(&mut self, c: u8) -> std::result::Result<(), String> {
        if self.eat(c) {
            Ok(())
        } else {
            Err(format!(
                "header is not a Python dict: expected `{}` at byte {}",
                c as char, self.i
            ))
        }
    }
    fn value(&mut self, depth: usize) -> std::result::Result<Lit, String> {
        if depth > 8 {
            return Err("header nests too deeply".into());
        }
        self.ws();
        match self.s.get(self.i) {
            Some(&q @ (b'\'' | b'"')) => {
                self.i += 1;
                let start = self.i;
                while self.i < self.s.len() && self.s[self.i] != q {
                    self.i += 1;
                }
                if self.i >= self.s.len() {
                    return Err("header has an unterminated string".into());
                }
                let v = String::from_utf8_lossy(&self.s[start..self.i]).into_owned();
                self.i += 1;
                Ok(Lit::Str(v))
            }
            Some(b'(') | Some(b'[') => {
                let close = if self.s[self.i] == b'(' { b')' } else { b']' };
                self.i += 1;
                let mut items = Vec::new();
                loop {
                    if self.eat(close) {
                        return Ok(Lit::Tuple(items));
                    }
                    items.push(self.value(depth + 1)?);
                    if !self.eat(b',') {
                        self.expect(close)?;
                        return Ok(Lit::Tuple(items));
                    }
                }
            }
            Some(c) if c.is_ascii_digit() => {
                let start = self.i;
                while self.i < self.s.len() && self.s[self.i].is_ascii_digit() {
                    self.i += 1;
                }
                // Python 2 wrote long integers as `3L`.
                if self.s.get(self.i) == Some(&b'L') {
                    self.i += 1;
                }
                let digits = std::str::from_utf8(&self.s[start..self.i])
                    .expect("ASCII digits")
                    .trim_end_matches('L');
                digits
                    .parse::<u64>()
                    .map(Lit::Int)
                    .map_err(|_| format!("header dimension {digits} is too large"))
            }
            Some(_) => {
                let start = self.i;
                while self.i < self.s.len()
                    && (self.s[self.i].is_ascii_alphanumeric() || self.s[self.i] == b'_')
                {
                    self.i += 1;
                }
                let w = String::from_utf8_lossy(&self.s[start..self.i]).into_owned();
                match w.as_str() {
                    "True" => Ok(Lit::Bool(true)),
                    "False" => Ok(Lit::Bool(false)),
                    "" => Err(format!("header: unexpected byte at {}", self.i)),
                    _ => Ok(Lit::Other(w)),
                }
            }
            None => Err("header ends early".into()),
        }
    }
}

fn parse_dtype(descr: &str) -> std::result::Result<(Dtype, bool), String> {
    let b = descr.as_bytes();
    if b.len() < 2 {
        return Err(format!("unsupported dtype `{descr}`"));
    }
    let (order, code) = (b[0], &descr[1..]);
    let big = match order {
        b'<' | b'|' | b'=' => false,
        b'>' => true,
        _ => return Err(format!("unsupported dtype `{descr}`")),
    };
    let d = match code {
        "f8" => Dtype::F64,
        "f4" => Dtype::F32,
        "i8" => Dtype::I64,
        "i4" => Dtype::I32,
        "i2" => Dtype::I16,
        "i1" => Dtype::I8,
        "u8" => Dtype::U64,
        "u4" => Dtype::U32,
        "u2" => Dtype::U16,
        "u1" => Dtype::U8,
        "b1" => Dtype::Bool,
        c if c.starts_with('O') => {
            return Err("object arrays (pickled Python objects) are not read; save numbers".into())
        }
        _ => {
            return Err(format!(
                "unsupported dtype `{descr}` (float64, float32, int8..int64, uint8..uint64, bool)"
            ))
        }
    };
    Ok((d, big && d.size() > 1))
}

fn parse_header(text: &str) -> std::result::Result<Header, String> {
    let mut p = Parser {
        s: text.as_bytes(),
        i: 0,
    };
    p.expect(b'{')?;
    let (mut descr, mut fortran, mut shape) = (None, None, None);
    loop {
        if p.eat(b'}') {
            break;
        }
        let key = match p.value(0)? {
            Lit::Str(k) => k,
            other => return Err(format!("header key is not a string ({other:?})")),
        };
        p.expect(b':')?;
        let v = p.value(0)?;
        match (key.as_str(), v) {
            ("descr", Lit::Str(s)) => descr = Some(s),
            ("descr", _) => {
                return Err("structured dtypes (records) are not read; save plain arrays".into())
            }
            ("fortran_order", Lit::Bool(b)) => fortran = Some(b),
            ("shape", Lit::Tuple(items)) => {
                let mut dims = Vec::with_capacity(items.len().min(32));
                for it in items {
                    match it {
                        Lit::Int(d) => dims.push(
                            usize::try_from(d)
                                .map_err(|_| format!("header dimension {d} is too large"))?,
                        ),
                        other => return Err(format!("header shape holds {other:?}")),
                    }
                }
                shape = Some(dims);
            }
            (k @ ("fortran_order" | "shape"), v) => {
                return Err(format!("header `{k}` is malformed ({v:?})"))
            }
            (k, _) => return Err(format!("header has an unknown key `{k}`")),
        }
        if !p.eat(b',') {
            p.expect(b'}')?;
            break;
        }
    }
    p.ws();
    if p.i != p.s.len() {
        return Err(format!("header has bytes after the dict (at {})", p.i));
    }
    let descr = descr.ok_or("header has no `descr`")?;
    let (dtype, big_endian) = parse_dtype(&descr)?;
    Ok(Header {
        dtype,
        big_endian,
        fortran: fortran.ok_or("header has no `fortran_order`")?,
        shape: shape.ok_or("header has no `shape`")?,
        len: 0,
    })
}

/// Decodes `n` elements of `h.dtype` from `r` into a vector, reading in
/// blocks so that only the result is allocated.
fn read_data(r: &mut impl Read, h: &Header, n: usize) -> std::result::Result<NpyData, String> {
    let size = h.dtype.size();
    let mut buf = vec![0u8; 1 << 16];
    let per = buf.len() / size;
    let mut done = 0usize;
    macro_rules! fill {
        ($vec:ident, $conv:expr) => {{
            while done < n {
                let k = per.min(n - done);
                let b = &mut buf[..k * size];
                read_exactly(r, b, "the array data")?;
                for chunk in b.chunks_exact(size) {
                    let mut e = [0u8; 8];
                    e[..size].copy_from_slice(chunk);
                    if h.big_endian {
                        e[..size].reverse();
                    }
                    $vec.push($conv(e));
                }
                done += k;
            }
        }};
    }
    Ok(match h.dtype {
        Dtype::F64 | Dtype::F32 => {
            let mut v: Vec<f64> = Vec::with_capacity(n);
            let f32s = h.dtype == Dtype::F32;
            fill!(v, |e: [u8; 8]| if f32s {
                f64::from(f32::from_le_bytes([e[0], e[1], e[2], e[3]]))
            } else {
                f64::from_le_bytes(e)
            });
            NpyData::F64(v)
        }
        Dtype::I64 | Dtype::I32 | Dtype::I16 | Dtype::I8 => {
            let mut v: Vec<i64> = Vec::with_capacity(n);
            let bits = (size * 8) as u32;
            fill!(v, |e: [u8; 8]| {
                let u = u64::from_le_bytes(e);
                // sign-extend from `bits`
                ((u << (64 - bits)) as i64) >> (64 - bits)
            });
            NpyData::I64(v)
        }
        Dtype::U64 | Dtype::U32 | Dtype::U16 | Dtype::U8 => {
            let mut v: Vec<u64> = Vec::with_capacity(n);
            fill!(v, u64::from_le_bytes);
            NpyData::U64(v)
        }
        Dtype::Bool => {
            let mut v: Vec<u64> = Vec::with_capacity(n);
            let mut bad = false;
            fill!(v, |e: [u8; 8]| {
                bad |= e[0] > 1;
                u64::from(e[0])
            });
            if bad {
                return Err("a bool element is neither 0 nor 1".into());
            }
            NpyData::U64(v)
        }
    })
}

/// Reorders Fortran-order (column-major) data into C order.
fn to_c_order(h: &Header, data: NpyData) -> NpyData {
    if !h.fortran || h.shape.len() < 2 {
        return data;
    }
    fn reorder<T: Clone>(shape: &[usize], v: Vec<T>) -> Vec<T> {
        let a = ArrayD::from_shape_vec(IxDyn(shape).f(), v).expect("length is the shape's product");
        a.as_standard_layout().iter().cloned().collect()
    }
    match data {
        NpyData::F64(v) => NpyData::F64(reorder(&h.shape, v)),
        NpyData::I64(v) => NpyData::I64(reorder(&h.shape, v)),
        NpyData::U64(v) => NpyData::U64(reorder(&h.shape, v)),
    }
}

/// Reads one `.npy` stream that holds exactly `avail` bytes (a file's length,
/// or a member's size bounded by what its compressed bytes can expand to):
/// the header's claim is checked against it before anything is allocated.
fn read_array(r: &mut impl Read, avail: u64) -> std::result::Result<NpyArray, String> {
    let h = read_header(r, avail)?;
    let claimed = claimed_bytes(&h, avail)?;
    let n = usize::try_from(claimed / h.dtype.size() as u64)
        .map_err(|_| format!("header claims {}: too large for this machine", h.describe()))?;
    let widened = n.saturating_mul(8);
    check_memory(
        &format!("reading an array of {}", h.describe()),
        widened as u64,
        "read a smaller array",
    )
    .map_err(|e| e.to_string())?;
    let data = read_data(r, &h, n)?;
    Ok(NpyArray {
        dtype: h.dtype,
        shape: h.shape.clone(),
        data: to_c_order(&h, data),
    })
}

/// The data bytes `h` declares, checked against the `avail` bytes of the
/// stream it heads.
fn claimed_bytes(h: &Header, avail: u64) -> std::result::Result<u64, String> {
    let claimed = h.data_bytes().ok_or_else(|| {
        format!(
            "header claims {} elements: the byte count overflows",
            h.describe()
        )
    })?;
    let present = avail - h.len as u64;
    if claimed != present {
        return Err(format!(
            "header claims {} = {claimed} bytes, but {present} bytes are present",
            h.describe()
        ));
    }
    Ok(claimed)
}

/// The dtype and shape a `.npy` file declares, from its header alone: the
/// data is not read, but the file must hold exactly the bytes the header
/// claims. Use it to compare lengths or size a request before reading.
///
/// # Examples
/// ```
/// use canns::data::io::{read_npy_header, Dtype};
/// let path = std::env::temp_dir().join("canns_npy_header_doc.npy");
/// ndarray_npy::write_npy(&path, &ndarray::Array1::<u64>::zeros(7)).unwrap();
/// assert_eq!(read_npy_header(&path)?, (Dtype::U64, vec![7]));
/// # Ok::<(), canns::Error>(())
/// ```
///
/// # Errors
/// As [`read_npy`] (but never the memory budget).
pub fn read_npy_header(path: impl AsRef<Path>) -> Result<(Dtype, Vec<usize>)> {
    let path = path.as_ref();
    let f = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let len = f.metadata().map_err(|e| Error::io(path, e))?.len();
    let mut r = std::io::BufReader::new(f);
    let h = read_header(&mut r, len)
        .and_then(|h| claimed_bytes(&h, len).map(|_| h))
        .map_err(|m| Error::data(path.display().to_string(), m))?;
    Ok((h.dtype, h.shape))
}

/// Reads a `.npy` file (any supported dtype and shape).
///
/// # Errors
/// [`Error::Io`] when it cannot be opened; [`Error::Data`] naming the file
/// and the problem (bad magic or header, unsupported dtype, a header that
/// claims more or fewer bytes than the file holds, an array beyond the
/// memory budget).
pub fn read_npy(path: impl AsRef<Path>) -> Result<NpyArray> {
    let path = path.as_ref();
    let name = path.display().to_string();
    let f = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let len = f.metadata().map_err(|e| Error::io(path, e))?.len();
    let mut r = std::io::BufReader::new(f);
    read_array(&mut r, len).map_err(|m| Error::data(name, m))
}

/// Reads a `.npy` array from bytes in memory.
///
/// # Errors
/// As [`read_npy`], naming `name`.
pub fn read_npy_bytes(bytes: &[u8], name: &str) -> Result<NpyArray> {
    read_array(&mut &bytes[..], bytes.len() as u64).map_err(|m| Error::data(name, m))
}

/// Deflate's maximal expansion ratio (a run of one byte codes 258 bytes in
/// about two bits), used to bound what a deflated member can really hold.
const DEFLATE_MAX_RATIO: u64 = 1032;

/// One member of the zip directory.
#[derive(Debug, Clone)]
struct Member {
    name: String,
    method: u16,
    flags: u16,
    crc: u32,
    compressed: u64,
    size: u64,
    offset: u64,
}

/// An `.npz` archive (a zip of `.npy` members), opened for reading.
///
/// # Example
/// ```
/// use canns::data::io::Npz;
/// use std::io::Cursor;
/// // An archive written in memory, as `np.savez` would.
/// let mut w = ndarray_npy::NpzWriter::new(Cursor::new(Vec::new()));
/// w.add_array("t", &ndarray::arr1(&[0.0, 0.1, 0.2])).unwrap();
/// w.add_array("unit", &ndarray::arr1(&[3u32, 3, 8])).unwrap();
/// let bytes = w.finish().unwrap().into_inner();
/// let mut z = Npz::new(Cursor::new(bytes), "session.npz")?;
/// assert_eq!(z.names(), ["t", "unit"]);
/// assert!(z.has("unit") && !z.has("x"));
/// assert_eq!(z.array("unit")?.into_f64(), vec![3.0, 3.0, 8.0]);
/// // A missing array is an error naming the file, the array and what is there.
/// let err = z.array("x").unwrap_err().to_string();
/// assert!(err.contains("session.npz") && err.contains("`x`") && err.contains("t, unit"), "{err}");
/// # Ok::<(), canns::Error>(())
/// ```
#[derive(Debug)]
pub struct Npz<R> {
    r: R,
    len: u64,
    members: Vec<Member>,
    file: String,
}

fn le16(b: &[u8], i: usize) -> u16 {
    u16::from_le_bytes([b[i], b[i + 1]])
}
fn le32(b: &[u8], i: usize) -> u32 {
    u32::from_le_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]])
}
fn le64(b: &[u8], i: usize) -> u64 {
    u64::from_le_bytes(b[i..i + 8].try_into().expect("8 bytes"))
}

impl Npz<std::io::BufReader<std::fs::File>> {
    /// Opens an `.npz` file and reads its directory.
    ///
    /// # Errors
    /// [`Error::Io`] when it cannot be opened; [`Error::Data`] naming the
    /// file for a damaged or unsupported zip directory.
    pub fn open(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let f = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
        Npz::new(std::io::BufReader::new(f), &path.display().to_string())
    }
}

impl<R: Read + Seek> Npz<R> {
    /// Reads the directory of the archive in `r`; `file` names it in errors.
    ///
    /// # Errors
    /// [`Error::Data`] naming `file` for a damaged or unsupported zip.
    pub fn new(mut r: R, file: &str) -> Result<Self> {
        let bad = |m: String| Error::data(file, format!("not a readable .npz archive: {m}"));
        let io = |e: std::io::Error| bad(format!("reading the zip directory: {e}"));
        let len = r.seek(SeekFrom::End(0)).map_err(io)?;
        // The end-of-central-directory record sits in the last 22 + 65535 bytes.
        let tail_len = len.min(22 + 65_535);
        r.seek(SeekFrom::Start(len - tail_len)).map_err(io)?;
        let mut tail = vec![0u8; tail_len as usize];
        r.read_exact(&mut tail).map_err(io)?;
        let eocd = (0..tail.len().saturating_sub(21))
            .rev()
            .find(|&i| {
                le32(&tail, i) == 0x0605_4b50 && i + 22 + le16(&tail, i + 20) as usize == tail.len()
            })
            .ok_or_else(|| bad("no end-of-directory record (truncated?)".into()))?;
        let mut count = u64::from(le16(&tail, eocd + 10));
        let mut cd_size = u64::from(le32(&tail, eocd + 12));
        let mut cd_offset = u64::from(le32(&tail, eocd + 16));
        let eocd_pos = len - tail_len + eocd as u64;
        if count == 0xffff || cd_size == 0xffff_ffff || cd_offset == 0xffff_ffff {
            // Zip64: the locator sits just before the record.
            if eocd < 20 || le32(&tail, eocd - 20) != 0x0706_4b50 {
                return Err(bad("zip64 fields without a zip64 locator".into()));
            }
            let at = le64(&tail, eocd - 12);
            if at.checked_add(56).is_none_or(|e| e > eocd_pos) {
                return Err(bad(format!("zip64 record offset {at} is outside the file")));
            }
            r.seek(SeekFrom::Start(at)).map_err(io)?;
            let mut z = [0u8; 56];
            r.read_exact(&mut z).map_err(io)?;
            if le32(&z, 0) != 0x0606_4b50 {
                return Err(bad("damaged zip64 end-of-directory record".into()));
            }
            count = le64(&z, 32);
            cd_size = le64(&z, 40);
            cd_offset = le64(&z, 48);
        }
        if cd_offset.checked_add(cd_size).is_none_or(|e| e > eocd_pos) {
            return Err(bad(format!(
                "directory at {cd_offset} of {cd_size} bytes lies outside the file ({len} bytes)"
            )));
        }
        // Each entry takes at least 46 bytes: the count cannot exceed that.
        if count > cd_size / 46 {
            return Err(bad(format!(
                "directory claims {count} members in {cd_size} bytes"
            )));
        }
        r.seek(SeekFrom::Start(cd_offset)).map_err(io)?;
        let mut cd = vec![0u8; cd_size as usize];
        r.read_exact(&mut cd).map_err(io)?;
        let mut members = Vec::with_capacity(count as usize);
        let mut i = 0usize;
        for k in 0..count {
            if i + 46 > cd.len() || le32(&cd, i) != 0x0201_4b50 {
                return Err(bad(format!("directory entry {k} is damaged")));
            }
            let (nl, el, cl) = (
                le16(&cd, i + 28) as usize,
                le16(&cd, i + 30) as usize,
                le16(&cd, i + 32) as usize,
            );
            if i + 46 + nl + el + cl > cd.len() {
                return Err(bad(format!("directory entry {k} runs past the directory")));
            }
            let name = std::str::from_utf8(&cd[i + 46..i + 46 + nl])
                .map_err(|_| bad(format!("directory entry {k}: name is not UTF-8")))?
                .to_string();
            let mut m = Member {
                name,
                flags: le16(&cd, i + 8),
                method: le16(&cd, i + 10),
                crc: le32(&cd, i + 16),
                compressed: u64::from(le32(&cd, i + 20)),
                size: u64::from(le32(&cd, i + 24)),
                offset: u64::from(le32(&cd, i + 42)),
            };
            let extra = &cd[i + 46 + nl..i + 46 + nl + el];
            zip64_extra(extra, &mut m).map_err(|e| bad(format!("member `{}`: {e}", m.name)))?;
            members.push(m);
            i += 46 + nl + el + cl;
        }
        if i != cd.len() {
            return Err(bad(format!(
                "directory holds {} bytes after its {count} entries",
                cd.len() - i
            )));
        }
        let mut z = Self {
            r,
            len,
            members,
            file: file.to_string(),
        };
        // A damaged name in the directory would hide an array (read as
        // absent): every name is checked against its local header now.
        for m in z.members.clone() {
            z.local_data_start(&m)
                .map_err(|e| bad(format!("member `{}`: {e}", m.name)))?;
        }
        Ok(z)
    }

    /// The array names, without the `.npy` suffix, in archive order.
    pub fn names(&self) -> Vec<String> {
        self.members
            .iter()
            .map(|m| m.name.strip_suffix(".npy").unwrap_or(&m.name).to_string())
            .collect()
    }

    /// Whether the archive holds an array `name` (without `.npy`).
    pub fn has(&self, name: &str) -> bool {
        self.names().iter().any(|n| n == name)
    }

    /// Reads array `name` (without `.npy`).
    ///
    /// # Errors
    /// [`Error::Data`] naming the file and the array when it is missing,
    /// damaged (CRC, sizes, header), of an unsupported dtype or compression,
    /// or beyond the memory budget.
    pub fn array(&mut self, name: &str) -> Result<NpyArray> {
        let m = self
            .members
            .iter()
            .find(|m| m.name == name || m.name.strip_suffix(".npy") == Some(name))
            .cloned()
            .ok_or_else(|| {
                Error::data(
                    &self.file,
                    format!("no array `{name}` (arrays: {})", self.names().join(", ")),
                )
            })?;
        self.read_member(&m)
            .map_err(|e| Error::data(&self.file, format!("array `{name}`: {e}")))
    }

    fn read_member(&mut self, m: &Member) -> std::result::Result<NpyArray, String> {
        if m.flags & 1 != 0 {
            return Err("encrypted members are not read".into());
        }
        let start = self.local_data_start(m)?;
        if start.checked_add(m.compressed).is_none_or(|e| e > self.len) {
            return Err(format!(
                "member data of {} bytes at {start} runs past the end of the file ({} bytes)",
                m.compressed, self.len
            ));
        }
        let io = |e: std::io::Error| format!("reading the member: {e}");
        self.r.seek(SeekFrom::Start(start)).map_err(io)?;
        self.read_data_at(m)
    }

    /// Checks the local header of `m` against the directory; the offset of
    /// its data.
    fn local_data_start(&mut self, m: &Member) -> std::result::Result<u64, String> {
        let io = |e: std::io::Error| format!("reading the member: {e}");
        if m.offset.checked_add(30).is_none_or(|e| e > self.len) {
            return Err(format!(
                "local header offset {} is outside the file",
                m.offset
            ));
        }
        self.r.seek(SeekFrom::Start(m.offset)).map_err(io)?;
        let mut lh = [0u8; 30];
        self.r.read_exact(&mut lh).map_err(io)?;
        if le32(&lh, 0) != 0x0403_4b50 {
            return Err(format!("no local header at offset {} (damaged)", m.offset));
        }
        let (nl, el) = (le16(&lh, 26) as u64, le16(&lh, 28) as u64);
        let mut name = vec![0u8; nl as usize];
        self.r.read_exact(&mut name).map_err(io)?;
        if name != m.name.as_bytes() {
            return Err(format!(
                "local header names `{}` (damaged directory or header)",
                String::from_utf8_lossy(&name)
            ));
        }
        if le16(&lh, 8) != m.method {
            return Err("local header and directory disagree on the compression".into());
        }
        if m.flags & 8 == 0 && le32(&lh, 14) != m.crc {
            return Err("local header and directory disagree on the CRC".into());
        }
        Ok(m.offset + 30 + nl + el)
    }

    /// Reads the data of `m`, the reader standing at its start.
    fn read_data_at(&mut self, m: &Member) -> std::result::Result<NpyArray, String> {
        let raw = (&mut self.r).take(m.compressed);
        let (array, got) = match m.method {
            0 => {
                if m.size != m.compressed {
                    return Err(format!(
                        "stored member of {} bytes claims {} bytes uncompressed",
                        m.compressed, m.size
                    ));
                }
                let mut c = CrcReader::new(raw);
                (read_array(&mut c, m.size)?, c.crc.sum())
            }
            8 => {
                let bound = m.compressed.saturating_mul(DEFLATE_MAX_RATIO);
                if m.size > bound {
                    return Err(format!(
                        "member claims {} bytes uncompressed from {} deflated bytes (at most {bound} possible)",
                        m.size, m.compressed
                    ));
                }
                let mut c = CrcReader::new(flate2::read::DeflateDecoder::new(raw));
                let a = read_array(&mut c, m.size)?;
                let mut rest = [0u8; 1];
                let more = c
                    .read(&mut rest)
                    .map_err(|e| format!("deflated data is damaged: {e}"))?;
                if more != 0 {
                    return Err("deflated data is longer than the directory says".into());
                }
                (a, c.crc.sum())
            }
            other => {
                return Err(format!(
                    "compression method {other} is not read (stored or deflate, as np.savez and np.savez_compressed write)"
                ))
            }
        };
        if got != m.crc {
            return Err(format!(
                "CRC-32 mismatch (data {got:08x}, directory {:08x}): the member is damaged",
                m.crc
            ));
        }
        Ok(array)
    }
}

/// Reads the zip64 extended information of a directory entry.
fn zip64_extra(mut extra: &[u8], m: &mut Member) -> std::result::Result<(), String> {
    while extra.len() >= 4 {
        let (id, n) = (le16(extra, 0), le16(extra, 2) as usize);
        if 4 + n > extra.len() {
            return Err("extra field runs past its entry".into());
        }
        if id == 1 {
            let mut f = &extra[4..4 + n];
            let mut take = |v: &mut u64, full: u64| -> std::result::Result<(), String> {
                if *v == full {
                    if f.len() < 8 {
                        return Err("zip64 extra field is too short".into());
                    }
                    *v = le64(f, 0);
                    f = &f[8..];
                }
                Ok(())
            };
            take(&mut m.size, 0xffff_ffff)?;
            take(&mut m.compressed, 0xffff_ffff)?;
            take(&mut m.offset, 0xffff_ffff)?;
        }
        extra = &extra[4 + n..];
    }
    Ok(())
}

/// Computes the CRC-32 of the bytes read through it.
struct CrcReader<R> {
    r: R,
    crc: flate2::Crc,
}

impl<R> CrcReader<R> {
    fn new(r: R) -> Self {
        Self {
            r,
            crc: flate2::Crc::new(),
        }
    }
}

impl<R: Read> Read for CrcReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let k = self.r.read(buf)?;
        self.crc.update(&buf[..k]);
        Ok(k)
    }
}
