//! A small pure-Rust reader for the subset of HDF5 that NWB files written by
//! h5py / pynwb use, so reading NWB needs no system library.
//!
//! Supported: superblock versions 0 to 3; object headers versions 1 and 2
//! (with continuation blocks); groups stored as symbol tables (B-tree v1 +
//! local heap), as link messages (compact storage) or in a fractal heap
//! (dense storage); datasets with compact, contiguous or chunked (B-tree v1,
//! layout message version 3) storage, deflate, shuffle and Fletcher-32
//! filters; fixed-point and floating-point numbers of either byte order,
//! fixed-length and variable-length strings (global heap), object
//! references; attributes (object header messages, versions 1 to 3).
//!
//! Every read is bounds-checked: a truncated or corrupt file gives an error
//! message (naming the byte offset and what was being read), never a panic.
//! Not supported (an error says so): chunk indices of layout version 4
//! (HDF5 1.10 `libver="latest"` chunked datasets), compound and enum
//! types, external storage.
//!
//! # References
//! The HDF Group, *HDF5 File Format Specification Version 3.0*.

use std::collections::HashSet;
use std::io::Read;

/// Errors of this module: a message, wrapped with the file and field by the
/// caller.
pub(crate) type R<T> = std::result::Result<T, String>;

/// Largest decoded dataset accepted, in bytes: a corrupt shape must not
/// make us allocate without bound.
const MAX_BYTES: u64 = 1 << 31;

/// An HDF5 file held in memory.
pub(crate) struct H5 {
    buf: Vec<u8>,
    so: usize,
    sl: usize,
    base: u64,
    root: u64,
}

/// An element type.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Dtype {
    /// Fixed-point integer.
    Int { size: usize, signed: bool, be: bool },
    /// IEEE float.
    Float { size: usize, be: bool },
    /// Fixed-length string of `size` bytes.
    FixedString { size: usize },
    /// Variable-length string (global heap).
    VlenString,
    /// Object reference (an object header address).
    Reference { size: usize },
    /// Anything else: class number and element size.
    Other { class: u8, size: usize },
}

impl Dtype {
    fn size(&self, so: usize) -> usize {
        match self {
            Dtype::Int { size, .. }
            | Dtype::Float { size, .. }
            | Dtype::FixedString { size }
            | Dtype::Reference { size }
            | Dtype::Other { size, .. } => *size,
            Dtype::VlenString => 4 + so + 4,
        }
    }
}

#[derive(Debug, Clone)]
enum Layout {
    Compact(usize, usize),
    Contiguous(u64, u64),
    Chunked(u64, Vec<u64>),
}

#[derive(Debug, Clone)]
struct Filter {
    id: u16,
    optional: bool,
    values: Vec<u32>,
}

/// A dataset's (or attribute's) description and where its bytes are.
#[derive(Debug, Clone)]
pub(crate) struct DatasetInfo {
    /// Dimensions (empty for a scalar).
    pub shape: Vec<u64>,
    /// Element type.
    pub dtype: Dtype,
    layout: Layout,
    filters: Vec<Filter>,
}

impl DatasetInfo {
    /// Number of elements.
    pub fn len(&self) -> u64 {
        self.shape.iter().product()
    }
}

/// One parsed object header: (message type, data start, data length).
struct Header {
    msgs: Vec<(u16, usize, usize)>,
}

/// Bounds-checked little-endian reading at a position.
struct Cur<'a> {
    b: &'a [u8],
    p: usize,
    what: &'static str,
}

impl<'a> Cur<'a> {
    fn new(b: &'a [u8], p: usize, what: &'static str) -> Self {
        Cur { b, p, what }
    }
    fn bytes(&mut self, n: usize) -> R<&'a [u8]> {
        let end = self
            .p
            .checked_add(n)
            .filter(|&e| e <= self.b.len())
            .ok_or_else(|| {
                format!(
                    "truncated or corrupt file: {} needs {n} bytes at offset {} (file has {})",
                    self.what,
                    self.p,
                    self.b.len()
                )
            })?;
        let s = &self.b[self.p..end];
        self.p = end;
        Ok(s)
    }
    fn skip(&mut self, n: usize) -> R<()> {
        self.bytes(n).map(|_| ())
    }
    fn u8(&mut self) -> R<u8> {
        Ok(self.bytes(1)?[0])
    }
    fn u16(&mut self) -> R<u16> {
        let b = self.bytes(2)?;
        Ok(u16::from_le_bytes([b[0], b[1]]))
    }
    fn u32(&mut self) -> R<u32> {
        let b = self.bytes(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }
    fn uint(&mut self, n: usize) -> R<u64> {
        let b = self.bytes(n)?;
        let mut v = 0u64;
        for (i, &x) in b.iter().enumerate().take(8) {
            v |= (x as u64) << (8 * i);
        }
        Ok(v)
    }
    fn sig(&mut self, s: &[u8]) -> R<()> {
        let at = self.p;
        let b = self.bytes(s.len())?;
        if b != s {
            return Err(format!(
                "corrupt file: expected {} signature `{}` at offset {at}",
                self.what,
                String::from_utf8_lossy(s)
            ));
        }
        Ok(())
    }
}

/// The undefined address.
const UNDEF: u64 = u64::MAX;

impl H5 {
    /// Parses the superblock of a file held in memory.
    pub fn new(buf: Vec<u8>) -> R<H5> {
        const SIG: &[u8] = b"\x89HDF\r\n\x1a\n";
        // The superblock may sit at 0, 512, 1024, ... (a user block before it).
        let mut at = None;
        let mut p = 0usize;
        while p + 8 <= buf.len() {
            if &buf[p..p + 8] == SIG {
                at = Some(p);
                break;
            }
            p = if p == 0 { 512 } else { p * 2 };
        }
        let at = at.ok_or("not an HDF5 file (no superblock signature)")?;
        let mut c = Cur::new(&buf, at + 8, "superblock");
        let version = c.u8()?;
        let (so, sl, base, root);
        match version {
            0 | 1 => {
                c.skip(4)?;
                so = c.u8()? as usize;
                sl = c.u8()? as usize;
                c.skip(1)?;
                c.skip(4)?; // group leaf / internal K
                c.skip(4)?; // consistency flags
                if version == 1 {
                    c.skip(4)?;
                }
                check_sizes(so, sl)?;
                base = c.uint(so)?;
                c.skip(3 * so)?; // free space, end of file, driver info
                                 // root symbol table entry
                c.skip(so)?;
                root = c.uint(so)?;
            }
            2 | 3 => {
                so = c.u8()? as usize;
                sl = c.u8()? as usize;
                c.skip(1)?;
                check_sizes(so, sl)?;
                base = c.uint(so)?;
                c.skip(2 * so)?; // extension, end of file
                root = c.uint(so)?;
            }
            v => return Err(format!("unsupported HDF5 superblock version {v}")),
        }
        Ok(H5 {
            buf,
            so,
            sl,
            base,
            root,
        })
    }

    fn addr(&self, a: u64, what: &str) -> R<usize> {
        let p = a
            .checked_add(self.base)
            .filter(|&p| a != UNDEF && p < self.buf.len() as u64)
            .ok_or_else(|| {
                format!(
                    "corrupt file: {what} address {a} is outside the file ({} bytes)",
                    self.buf.len()
                )
            })?;
        Ok(p as usize)
    }

    fn cur(&self, a: u64, what: &'static str) -> R<Cur<'_>> {
        Ok(Cur::new(&self.buf, self.addr(a, what)?, what))
    }

    /// Parses an object header (versions 1 and 2) with its continuations.
    fn header(&self, a: u64) -> R<Header> {
        let mut msgs = Vec::new();
        let p = self.addr(a, "object header")?;
        let mut blocks: Vec<(usize, usize, u8)> = Vec::new();
        let version;
        if self.buf.get(p..p + 4) == Some(b"OHDR") {
            let mut c = Cur::new(&self.buf, p + 4, "object header");
            version = c.u8()?;
            if version != 2 {
                return Err(format!("unsupported object header version {version}"));
            }
            let flags = c.u8()?;
            if flags & 0x20 != 0 {
                c.skip(16)?;
            }
            if flags & 0x10 != 0 {
                c.skip(4)?;
            }
            let n = c.uint(1 << (flags & 3))? as usize;
            blocks.push((c.p, n, flags));
        } else {
            let mut c = Cur::new(&self.buf, p, "object header");
            version = c.u8()?;
            if version != 1 {
                return Err(format!(
                    "corrupt file: unknown object header version {version} at offset {p}"
                ));
            }
            c.skip(1)?;
            c.u16()?;
            c.u32()?;
            let size = c.u32()? as usize;
            blocks.push((p + 16, size, 0));
        }
        let mut seen = HashSet::new();
        let mut i = 0;
        while i < blocks.len() {
            let (start, len, flags) = blocks[i];
            i += 1;
            if !seen.insert(start) || blocks.len() > 10_000 {
                return Err("corrupt file: object header continuations loop".into());
            }
            let end = start
                .checked_add(len)
                .filter(|&e| e <= self.buf.len())
                .ok_or_else(|| format!("truncated or corrupt file: object header block at {start} of {len} bytes runs past the end"))?;
            let mut c = Cur::new(&self.buf[..end], start, "object header message");
            // v2 blocks end with a checksum; v1 messages are 8-byte aligned
            let stop = if version == 2 {
                end.saturating_sub(4)
            } else {
                end
            };
            while c.p + if version == 2 { 4 } else { 8 } <= stop {
                let (t, size) = if version == 2 {
                    let t = c.u8()? as u16;
                    let size = c.u16()? as usize;
                    let f = c.u8()?;
                    if flags & 0x04 != 0 {
                        c.skip(2)?;
                    }
                    let _ = f;
                    (t, size)
                } else {
                    let t = c.u16()?;
                    let size = c.u16()? as usize;
                    c.skip(4)?;
                    (t, size)
                };
                let d = c.p;
                c.skip(size)?;
                if t == 0x10 {
                    let mut m = Cur::new(&self.buf, d, "continuation message");
                    let off = m.uint(self.so)?;
                    let l = m.uint(self.sl)? as usize;
                    let mut q = self.addr(off, "continuation block")?;
                    let mut l2 = l;
                    if version == 2 {
                        let mut s = Cur::new(&self.buf, q, "continuation block");
                        s.sig(b"OCHK")?;
                        q += 4;
                        l2 = l.saturating_sub(4);
                    }
                    blocks.push((q, l2, flags));
                } else if t != 0 {
                    msgs.push((t, d, size));
                }
            }
        }
        Ok(Header { msgs })
    }

    /// The root group's object header address.
    pub fn root(&self) -> u64 {
        self.root
    }

    /// The members of a group: (name, object header address).
    pub fn members(&self, group: u64) -> R<Vec<(String, u64)>> {
        let h = self.header(group)?;
        let mut out = Vec::new();
        for &(t, d, _) in &h.msgs {
            match t {
                0x11 => {
                    let mut c = Cur::new(&self.buf, d, "symbol table message");
                    let btree = c.uint(self.so)?;
                    let heap = c.uint(self.so)?;
                    let heap_data = self.local_heap(heap)?;
                    let mut seen = HashSet::new();
                    self.group_btree(btree, heap_data, &mut out, &mut seen, 0)?;
                }
                0x06 => {
                    if let Some(l) = self.link(d)? {
                        out.push(l);
                    }
                }
                0x02 => {
                    let mut c = Cur::new(&self.buf, d, "link info message");
                    c.u8()?;
                    let flags = c.u8()?;
                    if flags & 1 != 0 {
                        c.skip(8)?;
                    }
                    let heap = c.uint(self.so)?;
                    if heap != UNDEF {
                        self.dense_links(heap, &mut out)?;
                    }
                }
                _ => {}
            }
        }
        Ok(out)
    }

    fn local_heap(&self, a: u64) -> R<usize> {
        let mut c = self.cur(a, "local heap")?;
        c.sig(b"HEAP")?;
        c.skip(4)?;
        c.uint(self.sl)?;
        c.uint(self.sl)?;
        let data = c.uint(self.so)?;
        self.addr(data, "local heap data")
    }

    fn cstr(&self, p: usize, what: &str) -> R<String> {
        let s = self
            .buf
            .get(p..)
            .ok_or_else(|| format!("corrupt file: {what} at {p} is outside the file"))?;
        let n = s
            .iter()
            .position(|&b| b == 0)
            .ok_or_else(|| format!("corrupt file: unterminated {what} at {p}"))?;
        Ok(String::from_utf8_lossy(&s[..n]).into_owned())
    }

    fn group_btree(
        &self,
        a: u64,
        heap: usize,
        out: &mut Vec<(String, u64)>,
        seen: &mut HashSet<u64>,
        depth: usize,
    ) -> R<()> {
        if !seen.insert(a) || depth > 64 {
            return Err("corrupt file: group B-tree loops".into());
        }
        let mut c = self.cur(a, "group B-tree node")?;
        c.sig(b"TREE")?;
        let kind = c.u8()?;
        if kind != 0 {
            return Err(format!("corrupt file: group B-tree node of type {kind}"));
        }
        let level = c.u8()?;
        let n = c.u16()? as usize;
        c.skip(2 * self.so)?;
        for _ in 0..n {
            c.uint(self.sl)?; // key
            let child = c.uint(self.so)?;
            if level > 0 {
                self.group_btree(child, heap, out, seen, depth + 1)?;
            } else {
                let mut s = self.cur(child, "symbol table node")?;
                s.sig(b"SNOD")?;
                s.skip(2)?;
                let k = s.u16()? as usize;
                for _ in 0..k {
                    let name_off = s.uint(self.so)?;
                    let obj = s.uint(self.so)?;
                    s.skip(24)?;
                    if obj == UNDEF {
                        // a soft link (cache type 2): not followed
                        continue;
                    }
                    let p = heap
                        .checked_add(name_off as usize)
                        .ok_or("corrupt file: link name offset overflows")?;
                    out.push((self.cstr(p, "link name")?, obj));
                }
            }
        }
        Ok(())
    }

    /// A link message: hard links give (name, address); others are skipped.
    fn link(&self, d: usize) -> R<Option<(String, u64)>> {
        let mut c = Cur::new(&self.buf, d, "link message");
        let v = c.u8()?;
        if v != 1 {
            return Err(format!("unsupported link message version {v}"));
        }
        let flags = c.u8()?;
        let kind = if flags & 0x08 != 0 { c.u8()? } else { 0 };
        if flags & 0x04 != 0 {
            c.skip(8)?;
        }
        if flags & 0x10 != 0 {
            c.skip(1)?;
        }
        let n = c.uint(1 << (flags & 3))? as usize;
        let name = String::from_utf8_lossy(c.bytes(n)?).into_owned();
        if kind != 0 {
            return Ok(None);
        }
        Ok(Some((name, c.uint(self.so)?)))
    }

    /// Links stored in a fractal heap (dense group storage): every managed
    /// object of the heap is a link message.
    fn dense_links(&self, heap: u64, out: &mut Vec<(String, u64)>) -> R<()> {
        let mut c = self.cur(heap, "fractal heap header")?;
        c.sig(b"FRHP")?;
        c.u8()?;
        let id_len = c.u16()?;
        let io_filter_len = c.u16()?;
        let heap_flags = c.u8()?;
        c.u32()?; // max managed object size
        c.uint(self.sl)?; // next huge id
        c.uint(self.so)?; // huge btree
        c.uint(self.sl)?; // free space
        c.uint(self.so)?; // free space manager
        c.uint(self.sl)?; // managed space
        c.uint(self.sl)?; // allocated managed space
        c.uint(self.sl)?; // iterator offset
        c.uint(self.sl)?; // managed objects
        c.uint(self.sl)?; // huge size
        c.uint(self.sl)?; // huge count
        c.uint(self.sl)?; // tiny size
        c.uint(self.sl)?; // tiny count
        let width = c.u16()? as usize;
        let start_block = c.uint(self.sl)?;
        let max_direct = c.uint(self.sl)?;
        let max_heap_bits = c.u16()? as u32;
        c.u16()?; // starting rows in root indirect block
        let root = c.uint(self.so)?;
        let rows = c.u16()? as usize;
        let _ = id_len;
        if io_filter_len != 0 {
            return Err("filtered fractal heaps are not supported".into());
        }
        let ctx = Frhp {
            width,
            start_block,
            max_direct,
            offset_bytes: (max_heap_bits as usize).div_ceil(8),
            checksum: heap_flags & 2 != 0,
        };
        if root == UNDEF {
            return Ok(());
        }
        let mut seen = HashSet::new();
        if rows == 0 {
            self.direct_block(root, start_block, &ctx, out)
        } else {
            self.indirect_block(root, rows, &ctx, out, &mut seen, 0)
        }
    }

    fn direct_block(&self, a: u64, size: u64, ctx: &Frhp, out: &mut Vec<(String, u64)>) -> R<()> {
        let p = self.addr(a, "fractal heap direct block")?;
        let mut c = Cur::new(&self.buf, p, "fractal heap direct block");
        c.sig(b"FHDB")?;
        c.u8()?;
        c.uint(self.so)?;
        c.uint(ctx.offset_bytes)?;
        if ctx.checksum {
            c.skip(4)?;
        }
        // objects are link messages (version 1) until free space (zeros)
        let end = p
            .checked_add(size as usize)
            .filter(|&e| e <= self.buf.len())
            .ok_or("truncated or corrupt file: fractal heap direct block runs past the end")?;
        let mut q = c.p;
        while q + 2 < end && self.buf[q] == 1 {
            let mut m = Cur::new(&self.buf[..end], q, "dense link");
            // parse a link message and advance past it
            m.u8()?;
            let flags = m.u8()?;
            let kind = if flags & 0x08 != 0 { m.u8()? } else { 0 };
            if flags & 0x04 != 0 {
                m.skip(8)?;
            }
            if flags & 0x10 != 0 {
                m.skip(1)?;
            }
            let n = m.uint(1 << (flags & 3))? as usize;
            let name = String::from_utf8_lossy(m.bytes(n)?).into_owned();
            match kind {
                0 => out.push((name, m.uint(self.so)?)),
                1 => {
                    let l = m.u16()? as usize;
                    m.skip(l)?;
                }
                _ => {
                    let l = m.u16()? as usize;
                    m.skip(l)?;
                }
            }
            q = m.p;
        }
        Ok(())
    }

    fn indirect_block(
        &self,
        a: u64,
        rows: usize,
        ctx: &Frhp,
        out: &mut Vec<(String, u64)>,
        seen: &mut HashSet<u64>,
        depth: usize,
    ) -> R<()> {
        if !seen.insert(a) || depth > 32 {
            return Err("corrupt file: fractal heap blocks loop".into());
        }
        let mut c = self.cur(a, "fractal heap indirect block")?;
        c.sig(b"FHIB")?;
        c.u8()?;
        c.uint(self.so)?;
        c.uint(ctx.offset_bytes)?;
        let max_direct_rows = (ctx.max_direct.max(1) / ctx.start_block.max(1))
            .max(1)
            .ilog2() as usize
            + 2;
        for r in 0..rows {
            let size = ctx.start_block << r.saturating_sub(1).min(60);
            for _ in 0..ctx.width {
                let child = c.uint(self.so)?;
                if child == UNDEF {
                    continue;
                }
                if r < max_direct_rows {
                    self.direct_block(child, size, ctx, out)?;
                } else {
                    let sub_rows = (size / ctx.start_block.max(1) / ctx.width.max(1) as u64)
                        .max(1)
                        .ilog2() as usize
                        + 1;
                    self.indirect_block(child, sub_rows, ctx, out, seen, depth + 1)?;
                }
            }
        }
        Ok(())
    }

    /// The object at a slash-separated path from the root.
    pub fn resolve(&self, path: &str) -> R<u64> {
        let mut a = self.root;
        for part in path.split('/').filter(|s| !s.is_empty()) {
            let m = self.members(a)?;
            a = m
                .into_iter()
                .find(|(n, _)| n == part)
                .map(|x| x.1)
                .ok_or_else(|| format!("missing `{path}` (no `{part}`)"))?;
        }
        Ok(a)
    }

    /// True when the object at `a` is a dataset (has a layout message).
    pub fn is_dataset(&self, a: u64) -> R<bool> {
        Ok(self.header(a)?.msgs.iter().any(|m| m.0 == 0x08))
    }

    fn dtype(&self, d: usize) -> R<Dtype> {
        let mut c = Cur::new(&self.buf, d, "datatype message");
        let cv = c.u8()?;
        let class = cv & 0x0f;
        let b0 = c.u8()?;
        c.skip(2)?;
        let size = c.u32()? as usize;
        Ok(match class {
            0 => Dtype::Int {
                size,
                signed: b0 & 0x08 != 0,
                be: b0 & 1 != 0,
            },
            1 => Dtype::Float {
                size,
                be: b0 & 1 != 0,
            },
            3 => Dtype::FixedString { size },
            7 => Dtype::Reference { size },
            9 if b0 & 0x0f == 1 => Dtype::VlenString,
            _ => Dtype::Other { class, size },
        })
    }

    fn dataspace(&self, d: usize) -> R<Vec<u64>> {
        let mut c = Cur::new(&self.buf, d, "dataspace message");
        let v = c.u8()?;
        let rank = c.u8()? as usize;
        let _flags = c.u8()?;
        match v {
            1 => c.skip(5)?,
            2 => {
                let kind = c.u8()?;
                if kind == 2 {
                    return Ok(vec![0]);
                }
            }
            _ => return Err(format!("unsupported dataspace version {v}")),
        }
        (0..rank).map(|_| c.uint(self.sl)).collect()
    }

    /// Describes the dataset at `a`.
    pub fn dataset(&self, a: u64) -> R<DatasetInfo> {
        let h = self.header(a)?;
        let find = |t: u16| h.msgs.iter().find(|m| m.0 == t).map(|m| m.1);
        let shape = self.dataspace(find(0x01).ok_or("not a dataset (no dataspace)")?)?;
        let dtype = self.dtype(find(0x03).ok_or("not a dataset (no datatype)")?)?;
        let ld = find(0x08).ok_or("not a dataset (no data layout)")?;
        let mut c = Cur::new(&self.buf, ld, "data layout message");
        let v = c.u8()?;
        if v != 3 {
            return Err(format!(
                "unsupported data layout version {v} (write the file with h5py's default libver)"
            ));
        }
        let layout = match c.u8()? {
            0 => {
                let n = c.u16()? as usize;
                Layout::Compact(c.p, n)
            }
            1 => Layout::Contiguous(c.uint(self.so)?, c.uint(self.sl)?),
            2 => {
                let rank = c.u8()? as usize;
                let bt = c.uint(self.so)?;
                let dims: Vec<u64> = (0..rank)
                    .map(|_| c.u32().map(u64::from))
                    .collect::<R<_>>()?;
                Layout::Chunked(bt, dims)
            }
            k => return Err(format!("unsupported data layout class {k}")),
        };
        let mut filters = Vec::new();
        if let Some(fd) = find(0x0B) {
            let mut c = Cur::new(&self.buf, fd, "filter pipeline message");
            let v = c.u8()?;
            let n = c.u8()?;
            if v == 1 {
                c.skip(6)?;
            }
            for _ in 0..n {
                let id = c.u16()?;
                let name_len = if v == 1 || id >= 256 {
                    c.u16()? as usize
                } else {
                    0
                };
                let flags = c.u16()?;
                let nv = c.u16()? as usize;
                if v == 1 {
                    c.skip(name_len.div_ceil(8) * 8)?;
                } else {
                    c.skip(name_len)?;
                }
                let values = (0..nv).map(|_| c.u32()).collect::<R<Vec<_>>>()?;
                if v == 1 && nv % 2 == 1 {
                    c.skip(4)?;
                }
                filters.push(Filter {
                    id,
                    optional: flags & 1 != 0,
                    values,
                });
            }
        }
        Ok(DatasetInfo {
            shape,
            dtype,
            layout,
            filters,
        })
    }

    /// The raw bytes of a dataset (all elements, row-major).
    pub fn raw(&self, info: &DatasetInfo) -> R<Vec<u8>> {
        let es = info.dtype.size(self.so) as u64;
        let total = info
            .len()
            .checked_mul(es)
            .filter(|&t| t <= MAX_BYTES)
            .ok_or("corrupt file: dataset shape too large")?;
        match &info.layout {
            Layout::Compact(p, n) => {
                let b = self
                    .buf
                    .get(*p..p + n)
                    .ok_or("truncated or corrupt file: compact data outside the file")?;
                if (b.len() as u64) < total {
                    return Err(format!(
                        "corrupt file: compact data has {} bytes, the shape needs {total}",
                        b.len()
                    ));
                }
                Ok(b[..total as usize].to_vec())
            }
            Layout::Contiguous(a, size) => {
                if total == 0 {
                    return Ok(Vec::new());
                }
                if *size < total {
                    return Err(format!(
                        "corrupt file: data has {size} bytes, the shape needs {total}"
                    ));
                }
                let mut c = self.cur(*a, "dataset data")?;
                Ok(c.bytes(total as usize)?.to_vec())
            }
            Layout::Chunked(bt, dims) => self.chunked(info, *bt, dims, total as usize),
        }
    }

    fn chunked(&self, info: &DatasetInfo, bt: u64, dims: &[u64], total: usize) -> R<Vec<u8>> {
        let rank = info.shape.len();
        if rank == 0 || dims.len() != rank + 1 || dims[..rank].contains(&0) {
            return Err("corrupt file: chunk dimensions do not fit the dataspace".into());
        }
        let es = dims[rank] as usize;
        if es != info.dtype.size(self.so) {
            return Err(format!(
                "corrupt file: chunk element size {es} differs from the datatype's {}",
                info.dtype.size(self.so)
            ));
        }
        let chunk_elems: u64 = dims[..rank].iter().product();
        let chunk_bytes = (chunk_elems as usize)
            .checked_mul(es)
            .filter(|&b| b as u64 <= MAX_BYTES)
            .ok_or("corrupt file: chunk too large")?;
        let mut out = vec![0u8; total];
        let mut chunks = Vec::new();
        let mut seen = HashSet::new();
        self.chunk_btree(bt, rank, &mut chunks, &mut seen, 0)?;
        for (offs, mask, addr, size) in chunks {
            let mut c = self.cur(addr, "chunk")?;
            let raw = c.bytes(size as usize)?;
            let data = self.unfilter(raw, mask, &info.filters, es, chunk_bytes)?;
            if data.len() < chunk_bytes {
                return Err(format!(
                    "corrupt file: chunk decodes to {} bytes, expected {chunk_bytes}",
                    data.len()
                ));
            }
            // copy the chunk into place, row by row along the last dimension
            let n_rows = chunk_elems / dims[rank - 1].max(1);
            for r in 0..n_rows {
                let mut rem = r;
                let mut idx = vec![0u64; rank];
                for d in (0..rank - 1).rev() {
                    idx[d] = rem % dims[d];
                    rem /= dims[d];
                }
                let mut lin = 0u64;
                let mut inside = true;
                for d in 0..rank - 1 {
                    let g = offs[d] + idx[d];
                    if g >= info.shape[d] {
                        inside = false;
                    }
                    lin = lin * info.shape[d] + g;
                }
                let g0 = offs[rank - 1];
                if !inside || g0 >= info.shape[rank - 1] {
                    continue;
                }
                let len = dims[rank - 1].min(info.shape[rank - 1] - g0) as usize;
                let dst = ((lin * info.shape[rank - 1] + g0) as usize) * es;
                let src = (r as usize) * dims[rank - 1] as usize * es;
                out[dst..dst + len * es].copy_from_slice(&data[src..src + len * es]);
            }
        }
        Ok(out)
    }

    #[allow(clippy::type_complexity)]
    fn chunk_btree(
        &self,
        a: u64,
        rank: usize,
        out: &mut Vec<(Vec<u64>, u32, u64, u64)>,
        seen: &mut HashSet<u64>,
        depth: usize,
    ) -> R<()> {
        if a == UNDEF {
            return Ok(());
        }
        if !seen.insert(a) || depth > 64 {
            return Err("corrupt file: chunk B-tree loops".into());
        }
        let mut c = self.cur(a, "chunk B-tree node")?;
        c.sig(b"TREE")?;
        let kind = c.u8()?;
        if kind != 1 {
            return Err(format!("corrupt file: chunk B-tree node of type {kind}"));
        }
        let level = c.u8()?;
        let n = c.u16()? as usize;
        c.skip(2 * self.so)?;
        for _ in 0..n {
            let size = c.u32()? as u64;
            let mask = c.u32()?;
            let offs: Vec<u64> = (0..=rank).map(|_| c.uint(8)).collect::<R<_>>()?;
            let child = c.uint(self.so)?;
            if level > 0 {
                self.chunk_btree(child, rank, out, seen, depth + 1)?;
            } else {
                out.push((offs[..rank].to_vec(), mask, child, size));
            }
        }
        Ok(())
    }

    fn unfilter(
        &self,
        raw: &[u8],
        mask: u32,
        filters: &[Filter],
        es: usize,
        expect: usize,
    ) -> R<Vec<u8>> {
        let mut data = raw.to_vec();
        for (i, f) in filters.iter().enumerate().rev() {
            if mask & (1 << i) != 0 {
                continue;
            }
            data = match f.id {
                1 => {
                    let mut out = Vec::with_capacity(expect);
                    flate2::read::ZlibDecoder::new(&data[..])
                        .take(expect as u64 + 1)
                        .read_to_end(&mut out)
                        .map_err(|e| format!("corrupt file: deflate failed ({e})"))?;
                    out
                }
                2 => {
                    let s = f.values.first().map_or(es, |&v| v as usize).max(1);
                    let n = data.len() / s;
                    let mut out = data.clone();
                    for b in 0..s {
                        for k in 0..n {
                            out[k * s + b] = data[b * n + k];
                        }
                    }
                    out
                }
                3 => {
                    let n = data.len().saturating_sub(4);
                    data.truncate(n);
                    data
                }
                id if f.optional => {
                    let _ = id;
                    data
                }
                id => return Err(format!("unsupported HDF5 filter {id}")),
            };
        }
        Ok(data)
    }

    /// A dataset's elements as `f64` (integers and floats).
    pub fn read_f64(&self, info: &DatasetInfo) -> R<Vec<f64>> {
        let raw = self.raw(info)?;
        numbers(&raw, &info.dtype)
    }

    /// A dataset's elements as strings (fixed or variable length), or
    /// object references as the referenced address in decimal.
    pub fn read_strings(&self, info: &DatasetInfo) -> R<Vec<String>> {
        let raw = self.raw(info)?;
        self.strings(&raw, &info.dtype, info.len() as usize)
    }

    fn strings(&self, raw: &[u8], dt: &Dtype, n: usize) -> R<Vec<String>> {
        match dt {
            Dtype::FixedString { size } => Ok(raw
                .chunks(*size.max(&1))
                .take(n)
                .map(|s| {
                    let e = s.iter().position(|&b| b == 0).unwrap_or(s.len());
                    String::from_utf8_lossy(&s[..e]).trim_end().to_string()
                })
                .collect()),
            Dtype::VlenString => raw
                .chunks(4 + self.so + 4)
                .take(n)
                .map(|e| {
                    let mut c = Cur::new(e, 0, "variable-length string");
                    let len = c.u32()? as usize;
                    let coll = c.uint(self.so)?;
                    let idx = c.u32()?;
                    self.global(coll, idx, len)
                })
                .collect(),
            Dtype::Reference { size } => Ok(raw
                .chunks(*size.max(&1))
                .take(n)
                .map(|s| {
                    let mut v = 0u64;
                    for (i, &b) in s.iter().enumerate().take(8) {
                        v |= (b as u64) << (8 * i);
                    }
                    v.to_string()
                })
                .collect()),
            Dtype::Int { .. } | Dtype::Float { .. } => {
                Ok(numbers(raw, dt)?.iter().map(|v| format!("{v}")).collect())
            }
            Dtype::Other { class, .. } => Err(format!("unsupported datatype class {class}")),
        }
    }

    fn global(&self, coll: u64, idx: u32, len: usize) -> R<String> {
        if len == 0 {
            return Ok(String::new());
        }
        let mut c = self.cur(coll, "global heap")?;
        c.sig(b"GCOL")?;
        c.skip(4)?;
        let size = c.uint(self.sl)? as usize;
        let start = c.p - 8 - self.sl;
        let end = start.saturating_add(size).min(self.buf.len());
        while c.p + 8 + self.sl <= end {
            let i = c.u16()?;
            c.skip(6)?;
            let n = c.uint(self.sl)? as usize;
            if i == 0 {
                break;
            }
            if i as u32 == idx {
                let b = c.bytes(n)?;
                let b = &b[..len.min(n)];
                return Ok(String::from_utf8_lossy(b).into_owned());
            }
            c.skip(n.div_ceil(8) * 8)?;
        }
        Err(format!("corrupt file: global heap object {idx} not found"))
    }

    /// The attributes of an object: (name, datatype, shape, raw bytes).
    #[allow(clippy::type_complexity)]
    fn attributes(&self, a: u64) -> R<Vec<(String, Dtype, Vec<u64>, Vec<u8>)>> {
        let h = self.header(a)?;
        let mut out = Vec::new();
        for &(t, d, size) in &h.msgs {
            if t != 0x0C {
                continue;
            }
            let end = d + size;
            let mut c = Cur::new(&self.buf[..end.min(self.buf.len())], d, "attribute message");
            let v = c.u8()?;
            c.u8()?;
            let nl = c.u16()? as usize;
            let tl = c.u16()? as usize;
            let sl = c.u16()? as usize;
            if v == 3 {
                c.u8()?;
            }
            let pad = |n: usize| if v == 1 { n.div_ceil(8) * 8 } else { n };
            let name_b = c.bytes(pad(nl))?;
            let name_b = &name_b[..nl.min(name_b.len())];
            let e = name_b.iter().position(|&b| b == 0).unwrap_or(name_b.len());
            let name = String::from_utf8_lossy(&name_b[..e]).into_owned();
            let tp = c.p;
            c.skip(pad(tl))?;
            let sp = c.p;
            c.skip(pad(sl))?;
            let dt = self.dtype(tp)?;
            let shape = self.dataspace(sp)?;
            let n: u64 = shape.iter().product();
            let nbytes = (n as usize).saturating_mul(dt.size(self.so));
            let data = c.bytes(nbytes)?.to_vec();
            out.push((name, dt, shape, data));
        }
        Ok(out)
    }

    /// A text attribute (first element when it is an array); `None` when absent.
    pub fn attr_string(&self, a: u64, name: &str) -> R<Option<String>> {
        for (n, dt, shape, data) in self.attributes(a)? {
            if n == name {
                let k: u64 = shape.iter().product();
                let v = self.strings(&data, &dt, k.max(1) as usize)?;
                return Ok(v.into_iter().next());
            }
        }
        Ok(None)
    }

    /// Every element of a text attribute; `None` when absent.
    pub fn attr_strings(&self, a: u64, name: &str) -> R<Option<Vec<String>>> {
        for (n, dt, shape, data) in self.attributes(a)? {
            if n == name {
                let k: u64 = shape.iter().product();
                return self.strings(&data, &dt, k as usize).map(Some);
            }
        }
        Ok(None)
    }

    /// A numeric attribute's values; `None` when absent.
    pub fn attr_f64(&self, a: u64, name: &str) -> R<Option<Vec<f64>>> {
        for (n, dt, _, data) in self.attributes(a)? {
            if n == name {
                return numbers(&data, &dt).map(Some);
            }
        }
        Ok(None)
    }
}

struct Frhp {
    width: usize,
    start_block: u64,
    max_direct: u64,
    offset_bytes: usize,
    checksum: bool,
}

fn check_sizes(so: usize, sl: usize) -> R<()> {
    if ![2, 4, 8].contains(&so) || ![2, 4, 8].contains(&sl) {
        return Err(format!(
            "corrupt file: sizes of offsets ({so}) and lengths ({sl}) must be 2, 4 or 8"
        ));
    }
    Ok(())
}

fn numbers(raw: &[u8], dt: &Dtype) -> R<Vec<f64>> {
    let get = |s: &[u8], be: bool| -> u64 {
        let mut v = 0u64;
        let n = s.len().min(8);
        for i in 0..n {
            let b = if be { s[n - 1 - i] } else { s[i] };
            v |= (b as u64) << (8 * i);
        }
        v
    };
    match *dt {
        Dtype::Float { size: 8, be } => Ok(raw
            .chunks_exact(8)
            .map(|s| f64::from_bits(get(s, be)))
            .collect()),
        Dtype::Float { size: 4, be } => Ok(raw
            .chunks_exact(4)
            .map(|s| f32::from_bits(get(s, be) as u32) as f64)
            .collect()),
        Dtype::Int { size, signed, be } if (1..=8).contains(&size) => Ok(raw
            .chunks_exact(size)
            .map(|s| {
                let v = get(s, be);
                if signed {
                    let shift = 64 - 8 * size as u32;
                    (((v << shift) as i64) >> shift) as f64
                } else {
                    v as f64
                }
            })
            .collect()),
        ref d => Err(format!("not a numeric dataset ({d:?})")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn open(name: &str) -> (H5, serde_json::Value) {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/data");
        let h = H5::new(std::fs::read(dir.join(name)).unwrap()).unwrap();
        let all: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join("h5_reference.json")).unwrap())
                .unwrap();
        (h, all[name].clone())
    }

    fn f64s(v: &serde_json::Value) -> Vec<f64> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_f64().unwrap())
            .collect()
    }

    #[test]
    fn chunked_deflate_shuffle_strings_and_attributes() {
        let (h, r) = open("h5_chunked.h5");
        for name in ["a", "g/b", "c"] {
            let info = h.dataset(h.resolve(name).unwrap()).unwrap();
            assert_eq!(h.read_f64(&info).unwrap(), f64s(&r[name]), "{name}");
        }
        let b = h.dataset(h.resolve("g/b").unwrap()).unwrap();
        assert_eq!(b.shape, vec![37, 5]);
        for name in ["s", "v"] {
            let info = h.dataset(h.resolve(name).unwrap()).unwrap();
            let want: Vec<String> = serde_json::from_value(r[name].clone()).unwrap();
            assert_eq!(h.read_strings(&info).unwrap(), want, "{name}");
        }
        let g = h.resolve("g").unwrap();
        assert_eq!(h.attr_string(g, "note").unwrap().unwrap(), "chunked");
        assert_eq!(h.attr_f64(g, "rate").unwrap().unwrap(), vec![30.0]);
        assert!(h.resolve("nope").unwrap_err().contains("nope"));
    }

    #[test]
    fn superblock_v2_object_header_v2_and_dense_links() {
        let (h, r) = open("h5_v108.h5");
        let mut names: Vec<String> = h
            .members(h.resolve("many").unwrap())
            .unwrap()
            .into_iter()
            .map(|m| m.0)
            .collect();
        names.sort();
        let want: Vec<String> = serde_json::from_value(r["many"].clone()).unwrap();
        assert_eq!(names, want);
        let d = h.dataset(h.resolve("many/d07").unwrap()).unwrap();
        assert_eq!(h.read_f64(&d).unwrap(), f64s(&r["many/d07"]));
        let z = h.dataset(h.resolve("z").unwrap()).unwrap();
        assert_eq!(h.read_f64(&z).unwrap(), f64s(&r["z"]));
        assert_eq!(h.attr_string(h.root(), "title").unwrap().unwrap(), "v108");
    }
}
