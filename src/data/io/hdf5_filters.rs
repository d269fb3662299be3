//! Decoders of the HDF5 filters outside the HDF Group's built-in set that
//! h5py users meet through `hdf5plugin` and PyTables: LZF (id 32000),
//! blosc (32001), bitshuffle (32008) and zstd (32015). Registered with the
//! `hdf5-reader` crate by [`registry`]; everything here is pure Rust.
//!
//! # Formats
//! - **LZF**: liblzf's format; h5py stores the decoded chunk size in the
//!   filter's client data, slot 2.
//! - **zstd**: the chunk is one (or more) zstd frames, decoded by `ruzstd`;
//!   a frame's content checksum, when present, is verified.
//! - **bitshuffle**: client data are (version major, minor, element size,
//!   block size in elements (0: 8192 bytes' worth, a multiple of 8, at least
//!   128), compression: 0 none, 2 LZ4, 3 zstd). Compressed chunks start with
//!   the decoded size (u64, big-endian) and the block size in bytes (u32,
//!   big-endian); each block is then a u32 big-endian compressed length and
//!   an LZ4 block (or zstd frame). The elements are cut into blocks of the
//!   block size, then one block of the largest multiple of 8 left; the last
//!   `n mod 8` elements are stored as they are. Inside a block of `n`
//!   elements of `s` bytes the bits are transposed: row `8 j + k` holds bit
//!   `k` of byte `j` of every element, element `i` at bit `i mod 8` of the
//!   row's byte `i / 8`.
//! - **blosc** (version-1 library, chunk format 2): a 16-byte header
//!   (format version, codec format version, flags, type size, decoded
//!   size, block size, compressed size; sizes u32 little-endian). Flags: bit
//!   0 byte shuffle, bit 1 stored as is (the data follow the header), bit 2
//!   bit shuffle, bit 3 reserved (0), bit 4 blocks not split, bits 5-7 the
//!   codec (0 blosclz, 1 lz4 and lz4hc, 2 snappy, 3 zlib, 4 zstd). A table
//!   of u32 block offsets (from the chunk's start) follows; a block is one
//!   stream, or one per byte of the type when split (full blocks only, type
//!   size at most 16 and at least 128 elements per block); each stream is
//!   its i32 compressed length and the codec's data, or the bytes as they
//!   are when that length equals the stream's size. Byte shuffle groups the
//!   block's bytes by their position in the element (leftover bytes at the
//!   end as they are); bit shuffle is bitshuffle's transposition, applied
//!   when the block holds a multiple of 8 elements.
//! - **blosclz**: an LZ77 format derived from FastLZ. The first byte's low 5
//!   bits and every control byte below 32 start a literal run of
//!   `ctrl + 1` bytes. A control byte of 32 or more is a match: length
//!   `(ctrl >> 5) + 2`, or, when `ctrl >> 5` is 7, 9 plus the following
//!   bytes up to the first one not 255; then one byte `c`, and the
//!   distance back is `((ctrl & 31) << 8) + c + 1`, or, when `ctrl & 31` is
//!   31 and `c` is 255, 8192 plus the next two bytes (big-endian). A match
//!   must be followed by another control byte (the stream ends after a
//!   literal run).
//!
//! Every length and offset read from a chunk is checked against the chunk
//! and the expected output: a damaged chunk is an error (the reader adds the
//! dataset's path), never a panic, an over-allocation or wrong numbers
//! passed on silently (a byte flipped inside a literal can only be caught by
//! a checksum: Fletcher-32 or zstd's).
//!
//! # References
//! - The HDF Group, *Registered Filter Plugins* (filter ids and client data).
//! - K. Masui et al. (2015), *A compression scheme for radio data in high
//!   performance computing*, Astronomy and Computing 12: 181-190
//!   (bitshuffle).
//! - F. Alted, *Blosc chunk format* (README_CHUNK_FORMAT in c-blosc 1.x).
//! - Y. Collet, M. Kucherawy (2021), *Zstandard Compression and the
//!   'application/zstd' Media Type*, RFC 8878.

use hdf5_reader::error::Error as H5Error;
use hdf5_reader::filters::FilterRegistry;
use std::io::Read;

/// Errors of this module: a message; the reader adds the dataset's path.
type R<T> = std::result::Result<T, String>;

/// The filter registry of the reader: the crate's built-in filters plus
/// LZF, blosc, bitshuffle and zstd. `limit` bounds every chunk's decoded
/// size in bytes (the read budget of the file).
pub(crate) fn registry(limit: usize) -> FilterRegistry {
    let mut r = FilterRegistry::new();
    r.register(
        32000,
        Box::new(|f, data, _| {
            // h5py stores the decoded chunk size in client data slot 2.
            let expect = f.client_data.get(2).copied().unwrap_or(0) as usize;
            if expect == 0 {
                return Err(H5Error::FilterError(
                    "lzf filter without the chunk size in its parameters".into(),
                ));
            }
            lzf_decode(data, expect).map_err(H5Error::DecompressionError)
        }),
    );
    r.register(
        32015,
        Box::new(move |_, data, _| {
            zstd_decode(data, limit)
                .map_err(|e| H5Error::DecompressionError(format!("zstd filter (32015): {e}")))
        }),
    );
    r.register(
        32008,
        Box::new(move |f, data, elem_size| {
            bitshuffle_decode(&f.client_data, data, elem_size, limit).map_err(|e| match e {
                Failure::Unsupported(m) => {
                    H5Error::FilterError(format!("bitshuffle filter (32008): {m}"))
                }
                Failure::Corrupt(m) => {
                    H5Error::DecompressionError(format!("bitshuffle filter (32008): {m}"))
                }
            })
        }),
    );
    r.register(
        32001,
        Box::new(move |_, data, _| {
            blosc_decode(data, limit).map_err(|e| match e {
                Failure::Unsupported(m) => {
                    H5Error::FilterError(format!("blosc filter (32001): {m}"))
                }
                Failure::Corrupt(m) => {
                    H5Error::DecompressionError(format!("blosc filter (32001): {m}"))
                }
            })
        }),
    );
    r
}

/// Why a chunk could not be decoded.
#[derive(Debug)]
enum Failure {
    /// Valid data in a variant this reader does not decode (a codec).
    Unsupported(String),
    /// Damaged data.
    Corrupt(String),
}

impl From<String> for Failure {
    fn from(m: String) -> Self {
        Failure::Corrupt(m)
    }
}

/// A zeroed buffer of `n` bytes, or an error when it cannot be had.
fn zeroed(n: usize) -> R<Vec<u8>> {
    let mut v = Vec::new();
    v.try_reserve_exact(n)
        .map_err(|_| format!("cannot allocate {n} bytes"))?;
    v.resize(n, 0);
    Ok(v)
}

fn u32_le(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

fn u32_be(b: &[u8], at: usize) -> u32 {
    u32::from_be_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

/// The LZF decompressor of h5py's filter 32000 (liblzf's format); the
/// output is never allowed past `expect` bytes.
pub(crate) fn lzf_decode(input: &[u8], expect: usize) -> R<Vec<u8>> {
    let mut out: Vec<u8> = Vec::with_capacity(expect);
    let mut i = 0;
    while i < input.len() {
        let ctrl = input[i] as usize;
        i += 1;
        if ctrl < 32 {
            let n = ctrl + 1;
            let lit = input
                .get(i..i + n)
                .ok_or("corrupt LZF data: literal run past the end")?;
            if out.len() + n > expect {
                return Err("corrupt LZF data: decodes past the chunk size".into());
            }
            out.extend_from_slice(lit);
            i += n;
        } else {
            let mut len = ctrl >> 5;
            if len == 7 {
                len += *input.get(i).ok_or("corrupt LZF data: truncated match")? as usize;
                i += 1;
            }
            len += 2;
            let lo = *input.get(i).ok_or("corrupt LZF data: truncated match")? as usize;
            i += 1;
            let back = ((ctrl & 0x1f) << 8) + lo + 1;
            if back > out.len() {
                return Err("corrupt LZF data: match before the start".into());
            }
            if out.len() + len > expect {
                return Err("corrupt LZF data: decodes past the chunk size".into());
            }
            let start = out.len() - back;
            for k in 0..len {
                let b = out[start + k];
                out.push(b);
            }
        }
    }
    Ok(out)
}

/// Decodes the zstd frames of `input` (at most `limit` bytes of output),
/// checking each frame's declared content size and checksum.
fn zstd_decode(input: &[u8], limit: usize) -> R<Vec<u8>> {
    let mut src = input;
    let mut out = Vec::new();
    while !src.is_empty() {
        let before = out.len();
        let mut dec = ruzstd::decoding::StreamingDecoder::new(&mut src)
            .map_err(|e| format!("corrupt zstd frame: {e}"))?;
        let room = (limit - out.len()) as u64 + 1;
        (&mut dec)
            .take(room)
            .read_to_end(&mut out)
            .map_err(|e| format!("corrupt zstd data: {e}"))?;
        if out.len() > limit {
            return Err(format!("decodes past the limit of {limit} bytes"));
        }
        let f = &dec.decoder;
        if !f.is_finished() {
            return Err("corrupt zstd data: the frame does not end".into());
        }
        let declared = f.content_size();
        if declared != 0 && declared != (out.len() - before) as u64 {
            return Err(format!(
                "corrupt zstd data: the frame declares {declared} bytes but decodes to {}",
                out.len() - before
            ));
        }
        if let (Some(want), Some(got)) = (f.get_checksum_from_data(), f.get_calculated_checksum()) {
            if want != got {
                return Err("corrupt zstd data: content checksum mismatch".into());
            }
        }
    }
    Ok(out)
}

/// Decodes one zstd frame into exactly `out.len()` bytes.
fn zstd_into(input: &[u8], out: &mut [u8]) -> R<()> {
    let v = zstd_decode(input, out.len())?;
    if v.len() != out.len() {
        return Err(format!(
            "zstd stream decodes to {} bytes, expected {}",
            v.len(),
            out.len()
        ));
    }
    out.copy_from_slice(&v);
    Ok(())
}

/// Decodes one LZ4 block into exactly `out.len()` bytes.
fn lz4_into(input: &[u8], out: &mut [u8]) -> R<()> {
    let n = lz4_flex::block::decompress_into(input, out)
        .map_err(|e| format!("corrupt LZ4 block: {e}"))?;
    if n != out.len() {
        return Err(format!(
            "LZ4 block decodes to {n} bytes, expected {}",
            out.len()
        ));
    }
    Ok(())
}

/// Decodes one zlib stream (header and Adler-32 included) into exactly
/// `out.len()` bytes.
fn zlib_into(input: &[u8], out: &mut [u8]) -> R<()> {
    let mut z = flate2::Decompress::new(true);
    let st = z
        .decompress(input, out, flate2::FlushDecompress::Finish)
        .map_err(|e| format!("corrupt zlib stream: {e}"))?;
    if st != flate2::Status::StreamEnd || z.total_out() != out.len() as u64 {
        return Err(format!(
            "zlib stream decodes to {}{} bytes, expected {}",
            z.total_out(),
            if st == flate2::Status::StreamEnd {
                ""
            } else {
                " or more"
            },
            out.len()
        ));
    }
    Ok(())
}

/// Transposes an 8x8 bit matrix held in a u64 (byte r = row r, bit c =
/// column c): bit c of byte r goes to bit r of byte c.
fn transpose8(mut x: u64) -> u64 {
    let t = (x ^ (x >> 7)) & 0x00AA_00AA_00AA_00AA;
    x ^= t ^ (t << 7);
    let t = (x ^ (x >> 14)) & 0x0000_CCCC_0000_CCCC;
    x ^= t ^ (t << 14);
    let t = (x ^ (x >> 28)) & 0x0000_0000_F0F0_F0F0;
    x ^= t ^ (t << 28);
    x
}

/// Undoes the bit transposition of `n` elements of `size` bytes (`n` a
/// multiple of 8): `src` holds `8 size` rows of `n / 8` bytes, row `8 j +
/// k` holding bit `k` of byte `j` of each element (element `i` at bit
/// `i mod 8` of byte `i / 8`). Both slices are `n size` bytes.
fn untranspose_bits(src: &[u8], dst: &mut [u8], n: usize, size: usize) {
    debug_assert!(n.is_multiple_of(8) && src.len() == n * size && dst.len() == n * size);
    let row = n / 8;
    for j in 0..size {
        let rows = &src[8 * j * row..8 * (j + 1) * row];
        for g in 0..row {
            let mut x = 0u64;
            for k in 0..8 {
                x |= (rows[k * row + g] as u64) << (8 * k);
            }
            let x = transpose8(x);
            for m in 0..8 {
                dst[(8 * g + m) * size + j] = (x >> (8 * m)) as u8;
            }
        }
    }
}

/// bitshuffle's default block: 8192 bytes' worth of elements, a multiple
/// of 8, at least 128.
fn bitshuffle_default_block(size: usize) -> usize {
    (8192 / size / 8 * 8).max(128)
}

/// The bitshuffle filter (32008): client data `cd`, the dataset's element
/// size `elem_size` (used when the client data lack it).
fn bitshuffle_decode(
    cd: &[u32],
    data: &[u8],
    elem_size: usize,
    limit: usize,
) -> Result<Vec<u8>, Failure> {
    let size = match cd.get(2) {
        Some(&s) if s > 0 => s as usize,
        _ => elem_size,
    };
    if size == 0 {
        return Err(Failure::Corrupt("element size 0".into()));
    }
    let codec = cd.get(4).copied().unwrap_or(0);
    let mut block = cd.get(3).copied().unwrap_or(0) as usize;
    let (total, body) = match codec {
        0 => (data.len(), data),
        2 | 3 => {
            if data.len() < 12 {
                return Err(Failure::Corrupt(format!(
                    "chunk of {} bytes, shorter than the 12-byte header",
                    data.len()
                )));
            }
            let total = u64::from_be_bytes(data[..8].try_into().expect("8 bytes"));
            let total = usize::try_from(total).unwrap_or(usize::MAX);
            let bytes = u32_be(data, 8) as usize;
            if !bytes.is_multiple_of(size) {
                return Err(Failure::Corrupt(format!(
                    "block of {bytes} bytes is not a whole number of {size}-byte elements"
                )));
            }
            block = bytes / size;
            (total, &data[12..])
        }
        c => {
            return Err(Failure::Unsupported(format!(
                "compression code {c} is not supported (0 none, 2 LZ4, 3 zstd)"
            )))
        }
    };
    if total > limit {
        return Err(Failure::Corrupt(format!(
            "declares {total} decoded bytes, over the limit of {limit}"
        )));
    }
    if !total.is_multiple_of(size) {
        return Err(Failure::Corrupt(format!(
            "{total} bytes are not a whole number of {size}-byte elements"
        )));
    }
    if block == 0 {
        block = bitshuffle_default_block(size);
    }
    if !block.is_multiple_of(8) {
        return Err(Failure::Corrupt(format!(
            "block of {block} elements is not a multiple of 8"
        )));
    }
    let n = total / size;
    let mut out = zeroed(total)?;
    let mut tmp = Vec::new();
    let mut pos = 0; // read position in `body`
    let mut at = 0; // elements written
    let last = n % block - n % block % 8;
    let blocks = std::iter::repeat_n(block, n / block).chain((last > 0).then_some(last));
    for nb in blocks {
        let bytes = nb * size;
        let dst = &mut out[at * size..(at + nb) * size];
        if codec == 0 {
            untranspose_bits(&body[pos..pos + bytes], dst, nb, size);
            pos += bytes;
        } else {
            let clen = body
                .get(pos..pos + 4)
                .map(|b| u32_be(b, 0) as usize)
                .ok_or_else(|| format!("block {} truncated", at / block))?;
            pos += 4;
            let src = body.get(pos..pos + clen).ok_or_else(|| {
                format!(
                    "block {} declares {clen} bytes, {} left",
                    at / block,
                    body.len() - pos
                )
            })?;
            pos += clen;
            tmp.resize(bytes, 0);
            if codec == 2 {
                lz4_into(src, &mut tmp)?;
            } else {
                zstd_into(src, &mut tmp)?;
            }
            untranspose_bits(&tmp, dst, nb, size);
        }
        at += nb;
    }
    // the last n mod 8 elements are stored as they are
    let rest = (n - at) * size;
    let tail = body
        .get(pos..pos + rest)
        .ok_or_else(|| format!("the last {} elements are truncated", n - at))?;
    out[at * size..].copy_from_slice(tail);
    Ok(out)
}

/// The blosc codecs by their format code (flags bits 5-7).
const BLOSC_CODECS: [&str; 5] = ["blosclz", "lz4", "snappy", "zlib", "zstd"];

/// The blosc filter (32001): one blosc chunk (format version 2).
fn blosc_decode(data: &[u8], limit: usize) -> Result<Vec<u8>, Failure> {
    if data.len() < 16 {
        return Err(Failure::Corrupt(format!(
            "chunk of {} bytes, shorter than the 16-byte header",
            data.len()
        )));
    }
    let (version, codec_version, flags) = (data[0], data[1], data[2]);
    let typesize = data[3] as usize;
    let nbytes = u32_le(data, 4) as usize;
    let blocksize = u32_le(data, 8) as usize;
    let cbytes = u32_le(data, 12) as usize;
    if version != 2 {
        return Err(Failure::Unsupported(format!(
            "chunk format version {version} (this reader decodes version 2, written by blosc 1.x)"
        )));
    }
    if cbytes > data.len() || cbytes < 16 {
        return Err(Failure::Corrupt(format!(
            "the header declares {cbytes} bytes, the chunk holds {}",
            data.len()
        )));
    }
    if nbytes == 0 {
        return Ok(Vec::new());
    }
    if nbytes > limit {
        return Err(Failure::Corrupt(format!(
            "the header declares {nbytes} decoded bytes, over the limit of {limit}"
        )));
    }
    if flags & 0x08 != 0 {
        return Err(Failure::Corrupt(format!(
            "reserved flag set ({flags:#04x})"
        )));
    }
    if blocksize == 0 || typesize == 0 {
        return Err(Failure::Corrupt(format!(
            "block size {blocksize}, type size {typesize}"
        )));
    }
    let src = &data[..cbytes];
    if flags & 0x02 != 0 {
        // stored as is
        if cbytes != nbytes + 16 {
            return Err(Failure::Corrupt(format!(
                "uncompressed chunk of {nbytes} bytes stored in {cbytes}"
            )));
        }
        return Ok(src[16..].to_vec());
    }
    let code = (flags >> 5) as usize;
    let name = BLOSC_CODECS.get(code).copied().unwrap_or("unknown");
    let decode: fn(&[u8], &mut [u8]) -> R<()> = match code {
        0 => blosclz_into,
        1 => lz4_into,
        3 => zlib_into,
        4 => zstd_into,
        _ => {
            return Err(Failure::Unsupported(format!(
                "chunk compressed with codec {code} ({name}), which this reader does not decode (supported: blosclz, lz4, lz4hc, zlib, zstd)"
            )))
        }
    };
    if codec_version != 1 {
        return Err(Failure::Unsupported(format!(
            "{name} format version {codec_version} (this reader decodes version 1)"
        )));
    }
    let nblocks = nbytes.div_ceil(blocksize);
    if 16 + 4 * nblocks > cbytes {
        return Err(Failure::Corrupt(format!(
            "{nblocks} block offsets do not fit in {cbytes} bytes"
        )));
    }
    let byte_shuffle = flags & 0x01 != 0 && typesize > 1;
    let bit_shuffle = flags & 0x04 != 0;
    let may_split = flags & 0x10 == 0;
    let mut out = zeroed(nbytes)?;
    let mut tmp = zeroed(blocksize.min(nbytes))?;
    for b in 0..nblocks {
        let start = b * blocksize;
        let bsize = blocksize.min(nbytes - start);
        let leftover = bsize < blocksize;
        let dest = &mut out[start..start + bsize];
        let shuffled = byte_shuffle || (bit_shuffle && bsize >= typesize);
        let nsplits = if may_split && !leftover && typesize <= 16 && bsize / typesize >= 128 {
            typesize
        } else {
            1
        };
        if !bsize.is_multiple_of(nsplits) {
            return Err(Failure::Corrupt(format!(
                "block of {bsize} bytes cannot be split in {nsplits}"
            )));
        }
        let neblock = bsize / nsplits;
        let mut off = u32_le(src, 16 + 4 * b) as usize;
        {
            let target: &mut [u8] = if shuffled {
                &mut tmp[..bsize]
            } else {
                &mut *dest
            };
            for j in 0..nsplits {
                let err = |what: &str| Failure::Corrupt(format!("block {b}, stream {j}: {what}"));
                if off + 4 > cbytes {
                    return Err(err("offset past the end"));
                }
                let csize = i32::from_le_bytes(src[off..off + 4].try_into().expect("4 bytes"));
                off += 4;
                let csize = usize::try_from(csize)
                    .ok()
                    .filter(|&c| c <= cbytes - off)
                    .ok_or_else(|| err(&format!("compressed size {csize} past the end")))?;
                let piece = &src[off..off + csize];
                let t = &mut target[j * neblock..(j + 1) * neblock];
                if csize == neblock {
                    t.copy_from_slice(piece);
                } else {
                    decode(piece, t).map_err(|e| err(&e))?;
                }
                off += csize;
            }
        }
        if byte_shuffle {
            unshuffle_bytes(&tmp[..bsize], dest, typesize);
        } else if shuffled {
            let n = bsize / typesize;
            if n.is_multiple_of(8) {
                let k = n * typesize;
                untranspose_bits(&tmp[..k], &mut dest[..k], n, typesize);
                dest[k..].copy_from_slice(&tmp[k..bsize]);
            } else {
                dest.copy_from_slice(&tmp[..bsize]);
            }
        }
    }
    Ok(out)
}

/// Undoes blosc's byte shuffle: `src` holds byte `j` of every element, for
/// each `j` in turn; bytes past the last whole element stay in place.
fn unshuffle_bytes(src: &[u8], dst: &mut [u8], size: usize) {
    let n = src.len() / size;
    for j in 0..size {
        let plane = &src[j * n..(j + 1) * n];
        for (i, &b) in plane.iter().enumerate() {
            dst[i * size + j] = b;
        }
    }
    dst[n * size..].copy_from_slice(&src[n * size..]);
}

/// blosclz's largest short distance; far matches add one more than this.
const BLOSCLZ_MAX_DISTANCE: usize = 8191;

/// Decodes a blosclz stream (see the module doc) into exactly `out.len()`
/// bytes.
fn blosclz_into(input: &[u8], out: &mut [u8]) -> R<()> {
    let bad = |what: &str| Err(format!("corrupt blosclz stream: {what}"));
    let Some(&first) = input.first() else {
        return bad("empty");
    };
    let end = input.len();
    let mut ctrl = (first & 31) as usize;
    let (mut ip, mut op) = (1, 0);
    loop {
        if ctrl >= 32 {
            let mut len = (ctrl >> 5) - 1;
            if len == 6 {
                loop {
                    if ip + 1 >= end {
                        return bad("truncated match length");
                    }
                    let c = input[ip];
                    ip += 1;
                    len += c as usize;
                    if c != 255 {
                        break;
                    }
                }
            } else if ip + 1 >= end {
                return bad("truncated match");
            }
            let code = input[ip] as usize;
            ip += 1;
            len += 3;
            let high = (ctrl & 31) << 8;
            let mut dist = high + code + 1;
            if code == 255 && high == 31 << 8 {
                if ip + 1 >= end {
                    return bad("truncated far match");
                }
                dist =
                    ((input[ip] as usize) << 8) + input[ip + 1] as usize + BLOSCLZ_MAX_DISTANCE + 1;
                ip += 2;
            }
            if op + len > out.len() {
                return bad("decodes past the block");
            }
            if dist > op {
                return bad("match before the start");
            }
            if ip >= end {
                return bad("ends in a match");
            }
            ctrl = input[ip] as usize;
            ip += 1;
            let from = op - dist;
            if dist >= len {
                out.copy_within(from..from + len, op);
            } else {
                for k in 0..len {
                    out[op + k] = out[from + k];
                }
            }
            op += len;
        } else {
            let n = ctrl + 1;
            if op + n > out.len() {
                return bad("decodes past the block");
            }
            if ip + n > end {
                return bad("literal run past the end");
            }
            out[op..op + n].copy_from_slice(&input[ip..ip + n]);
            op += n;
            ip += n;
            if ip >= end {
                break;
            }
            ctrl = input[ip] as usize;
            ip += 1;
        }
    }
    if op != out.len() {
        return Err(format!(
            "corrupt blosclz stream: decodes to {op} bytes, expected {}",
            out.len()
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lzf_round_trips_literals_and_back_references() {
        // "abcabcabcabc": 3 literals, then a match of 9 bytes 3 back
        let enc = [2, b'a', b'b', b'c', (7 << 5), 0, 2];
        assert_eq!(lzf_decode(&enc, 12).unwrap(), b"abcabcabcabc");
        assert!(lzf_decode(&enc, 11).unwrap_err().contains("past"));
        assert!(lzf_decode(&[(1 << 5), 5], 10)
            .unwrap_err()
            .contains("before"));
        assert!(lzf_decode(&[5, 1], 10).unwrap_err().contains("literal"));
    }

    /// bitshuffle's transposition written from its definition, bit by bit.
    fn transpose_bits_naive(src: &[u8], n: usize, size: usize) -> Vec<u8> {
        let mut out = vec![0u8; n * size];
        for i in 0..n {
            for j in 0..size {
                for k in 0..8 {
                    let bit = (src[i * size + j] >> k) & 1;
                    let row = j * 8 + k;
                    out[row * (n / 8) + i / 8] |= bit << (i % 8);
                }
            }
        }
        out
    }

    fn noise(n: usize, seed: u64) -> Vec<u8> {
        let mut s = seed;
        (0..n)
            .map(|_| {
                s = s
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1_442_695_040_888_963_407);
                (s >> 56) as u8
            })
            .collect()
    }

    #[test]
    fn bit_untransposition_inverts_the_definition() {
        for (n, size) in [(8, 1), (16, 2), (64, 4), (24, 8), (128, 3)] {
            let raw = noise(n * size, (n * size) as u64);
            let t = transpose_bits_naive(&raw, n, size);
            let mut back = vec![0u8; n * size];
            untranspose_bits(&t, &mut back, n, size);
            assert_eq!(back, raw, "n {n}, size {size}");
        }
    }

    #[test]
    fn uncompressed_bitshuffle_blocks_and_leftovers() {
        // 37 int16 with blocks of 16: 2 blocks of 16, no block of the
        // remaining 5 (fewer than 8), and 5 elements stored as they are
        let raw = noise(74, 3);
        let mut enc = transpose_bits_naive(&raw[..32], 16, 2);
        enc.extend(transpose_bits_naive(&raw[32..64], 16, 2));
        enc.extend_from_slice(&raw[64..]);
        let cd = [0, 3, 2, 16, 0];
        assert_eq!(bitshuffle_decode(&cd, &enc, 2, 1 << 20).unwrap(), raw);
        // truncated inside an element
        let e = bitshuffle_decode(&cd, &enc[..73], 2, 1 << 20).unwrap_err();
        assert!(matches!(e, Failure::Corrupt(_)), "{e:?}");
        assert!(matches!(
            bitshuffle_decode(&[0, 3, 2, 0, 9], &enc, 2, 1 << 20),
            Err(Failure::Unsupported(_))
        ));
    }

    #[test]
    fn blosclz_literals_runs_and_far_matches() {
        // "ab", a match of 6 at distance 2, then the literal "c"
        let enc = [1, b'a', b'b', (4 << 5), 1, 0, b'c'];
        let mut out = [0u8; 9];
        blosclz_into(&enc, &mut out).unwrap();
        assert_eq!(&out, b"ababababc");
        // a long match: ctrl >> 5 == 7, extra length bytes 255 then 1
        let enc = [0, b'z', (7 << 5), 255, 1, 0, 0, b'!'];
        let mut out = vec![0u8; 1 + 6 + 256 + 3 + 1];
        blosclz_into(&enc, &mut out).unwrap();
        assert!(out[..out.len() - 1].iter().all(|&b| b == b'z'));
        assert_eq!(out[out.len() - 1], b'!');
        // a far match: distance 8192 + 1 = 8193
        let mut enc = vec![];
        let mut want = vec![];
        for k in 0..8193usize {
            if k % 32 == 0 {
                enc.push((32.min(8193 - k) - 1) as u8);
            }
            let b = (k * 7 % 251) as u8;
            enc.push(b);
            want.push(b);
        }
        enc.extend([(1 << 5) | 31, 255, 0, 1, 0, b'.']);
        want.extend_from_within(0..3);
        want.push(b'.');
        let mut out = vec![0u8; want.len()];
        blosclz_into(&enc, &mut out).unwrap();
        assert_eq!(out, want);
        // damage: a match reaching before the start, a truncated literal,
        // too short an output, a stream ending in a match
        let mut o = [0u8; 4];
        assert!(blosclz_into(&[0, b'a', (1 << 5), 5, 0, b'x'], &mut o)
            .unwrap_err()
            .contains("before"));
        assert!(blosclz_into(&[3, b'a'], &mut o)
            .unwrap_err()
            .contains("literal"));
        assert!(blosclz_into(&[1, b'a', b'b'], &mut o)
            .unwrap_err()
            .contains("decodes to 2"));
        assert!(blosclz_into(&[0, b'a', (1 << 5), 0], &mut o)
            .unwrap_err()
            .contains("match"));
    }

    fn blosc_header(flags: u8, typesize: u8, nbytes: u32, blocksize: u32, cbytes: u32) -> Vec<u8> {
        let mut h = vec![2, 1, flags, typesize];
        for v in [nbytes, blocksize, cbytes] {
            h.extend(v.to_le_bytes());
        }
        h
    }

    #[test]
    fn blosc_stored_blocks_shuffles_and_unsupported_codecs() {
        // 3 blocks of 8 bytes (the last 4), int16, byte-shuffled, each
        // stream stored as is (compressed size = stream size)
        let raw = noise(20, 9);
        let mut streams = vec![];
        for (b, chunk) in raw.chunks(8).enumerate() {
            let n = chunk.len() / 2;
            let mut s = vec![0u8; chunk.len()];
            for i in 0..n {
                s[i] = chunk[2 * i];
                s[n + i] = chunk[2 * i + 1];
            }
            let _ = b;
            streams.push(s);
        }
        let table = 16 + 4 * 3;
        let mut body = vec![];
        let mut offsets = vec![];
        for s in &streams {
            offsets.push((table + body.len()) as u32);
            body.extend((s.len() as i32).to_le_bytes());
            body.extend(s);
        }
        let total = (table + body.len()) as u32;
        let mut chunk = blosc_header(0x01 | 0x10, 2, 20, 8, total);
        for o in offsets {
            chunk.extend(o.to_le_bytes());
        }
        chunk.extend(&body);
        assert_eq!(blosc_decode(&chunk, 1 << 20).unwrap(), raw);
        // damage: a block offset past the end; the header's sizes
        let mut bad = chunk.clone();
        bad[16..20].copy_from_slice(&9999u32.to_le_bytes());
        assert!(matches!(
            blosc_decode(&bad, 1 << 20),
            Err(Failure::Corrupt(_))
        ));
        assert!(matches!(
            blosc_decode(&chunk[..chunk.len() - 1], 1 << 20),
            Err(Failure::Corrupt(_))
        ));
        assert!(matches!(blosc_decode(&chunk, 10), Err(Failure::Corrupt(_))));
        // snappy (2) and an unknown codec (6) are named
        for (code, name) in [(2u8, "snappy"), (6, "unknown")] {
            let mut c = chunk.clone();
            c[2] |= code << 5;
            match blosc_decode(&c, 1 << 20) {
                Err(Failure::Unsupported(m)) => assert!(m.contains(name), "{m}"),
                r => panic!("{code}: {r:?}"),
            }
        }
        // stored as is (memcpyed)
        let mut m = blosc_header(0x02, 2, 20, 8, 36);
        m.extend(&raw);
        assert_eq!(blosc_decode(&m, 1 << 20).unwrap(), raw);
    }

    #[test]
    fn zstd_frames_are_checked() {
        // a raw-block frame holding "hello": magic, descriptor (single
        // segment, 1-byte content size), size 5, block header (last, raw, 5)
        let mut f = vec![0x28, 0xb5, 0x2f, 0xfd, 0x20, 5];
        let bh: u32 = 1 | (5 << 3);
        f.extend(&bh.to_le_bytes()[..3]);
        f.extend(b"hello");
        assert_eq!(zstd_decode(&f, 100).unwrap(), b"hello");
        assert!(zstd_decode(&f, 4).unwrap_err().contains("limit"));
        assert!(zstd_decode(&f[..8], 100).is_err());
        let mut o = [0u8; 6];
        assert!(zstd_into(&f, &mut o).is_err());
    }
}
