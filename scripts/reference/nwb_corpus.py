#!/usr/bin/env python3
"""A corpus of small NWB files as labs write them today, with what pynwb reads.

Writes tests/fixtures/nwb/*.nwb and tests/fixtures/nwb/corpus.json, used by
tests/nwb_corpus.rs (the tests never need Python). Every file holds the same
session (3 units with a `location` column, a 2-D Position series, a
CompassDirection series in degrees, two tagged epochs, a `ripples` interval
table and a `peaks` TimeSeries of event times), varied in one way each:

- latest.nwb: current pynwb defaults (cached spec included), HDF5
  libver="latest": superblock v3, object headers v2, every table column
  chunked (data layout v4: fixed array, extensible array and B-tree v2
  chunk indices), the head direction's timestamps a soft link to the
  position series' timestamps (`timestamps=other_series`);
- layouts.nwb: one dataset per chunk index: single chunk, implicit (early
  allocation), fixed array, extensible array, B-tree v2;
- dense_attrs.nwb: more than 8 attributes on the root and on the head
  direction's data, so `unit="degrees"` sits in dense attribute storage;
- deleted_links.nwb: 24 TimeSeries in acquisition (dense link storage), 12 of
  them deleted with `del f[...]`; deleted_links_v0.nwb: the same in a
  symbol-table group, with h5py's default libver (layout v3, B-tree v1) and
  the soft-linked timestamps;
- zero_units.nwb: a units table with 0 rows (pynwb writes only `units/id`);
- float32_be.nwb: float32 and big-endian data, big-endian ids and indices;
- filter_<name>.nwb: the spike times, position and head direction stored
  with one filter each: gzip+shuffle+fletcher32, lzf, scaleoffset (lossy
  for floats: the expected values are what h5py decodes), nbit;
- filter_zstd.nwb, filter_bitshuffle.nwb, filter_blosc_<codec>.nwb (via
  hdf5plugin, 24 units): zstd; bitshuffle without compression, with LZ4 and
  with zstd; blosc with each inner codec (blosclz, lz4, lz4hc, zlib, zstd),
  each file holding byte shuffle, bit shuffle and no shuffle, float64,
  float32 and integer data, chunks that are not a multiple of the blosc or
  bitshuffle block (blosc's block size and splitting forced through its
  BLOSC_BLOCKSIZE and BLOSC_SPLITMODE variables) and chunks too small to
  compress (stored as they are); the byte offset and size of each chunk of
  `units/spike_times`, and where the chunk index stores that size, for the
  damaged-chunk tests; filter_blosc_snappy.nwb, a blosc codec the reader
  does not decode, expected to fail naming it and the path;
- external_link.nwb: the head direction's timestamps an external link
  to `other.nwb`, expected to fail naming that file;
- hostile.h5 (plain HDF5, default libver, patched bytes): `dup`, a chunked
  dataset whose 64 B-tree entries all claim chunk offset 0; `vlen`, 500
  variable-length strings all referencing one 8 KB heap object; `wrap`, a
  (37, 3) dataset whose dims now read (2^63, 2), a product that wraps to 0;
  `esize0`, an int16 dataset whose element size now reads 0.

Usage: python3 scripts/reference/nwb_corpus.py  (creates a git-ignored venv
in .venv-nwb-corpus with h5py, pynwb and hdf5plugin unless run from one).
"""
import datetime
import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
VENV = os.path.join(ROOT, ".venv-nwb-corpus")
OUT = os.path.join(ROOT, "tests", "fixtures", "nwb")


def ensure_venv():
    try:
        import h5py  # noqa: F401
        import hdf5plugin  # noqa: F401
        import pynwb  # noqa: F401

        return
    except ImportError:
        pass
    py = os.path.join(VENV, "bin", "python")
    if sys.executable == py:
        raise SystemExit("h5py, pynwb or hdf5plugin failed to install")
    if not os.path.exists(py):
        subprocess.check_call([sys.executable, "-m", "venv", VENV])
    subprocess.check_call([py, "-m", "pip", "install", "--quiet", "h5py", "pynwb", "hdf5plugin"])
    os.execv(py, [py] + sys.argv)


ensure_venv()
import h5py  # noqa: E402
import hdf5plugin  # noqa: E402
import numpy as np  # noqa: E402
import pynwb  # noqa: E402
from hdmf.backends.hdf5.h5_utils import H5DataIO  # noqa: E402
from pynwb import NWBHDF5IO, NWBFile, TimeSeries  # noqa: E402
from pynwb.behavior import CompassDirection, Position  # noqa: E402
from pynwb.epoch import TimeIntervals  # noqa: E402

T0 = datetime.datetime(2024, 5, 1, 12, 0, tzinfo=datetime.timezone.utc)


def libhdf5():
    """h5py's own libhdf5, for the calls h5py does not wrap."""
    import ctypes
    import glob

    libs = os.path.join(os.path.dirname(h5py.__file__), os.pardir, "h5py.libs")
    found = glob.glob(os.path.join(libs, "libhdf5-*.so*"))
    return ctypes.CDLL(found[0]) if found else ctypes.CDLL("libhdf5.so")


def set_nbit(dcpl):
    import ctypes

    lib = libhdf5()
    lib.H5Pset_nbit.argtypes = [ctypes.c_int64]
    if lib.H5Pset_nbit(dcpl.id) < 0:
        raise RuntimeError("H5Pset_nbit failed")


def open_relaxed(path):
    """Opens a file for writing types with unused bits (12-bit integers),
    which HDF5 2.x refuses unless the file integrity checks are relaxed."""
    import ctypes

    fapl = h5py.h5p.create(h5py.h5p.FILE_ACCESS)
    lib = libhdf5()
    if hasattr(lib, "H5Pset_relax_file_integrity_checks"):
        lib.H5Pset_relax_file_integrity_checks.argtypes = [ctypes.c_int64, ctypes.c_uint64]
        lib.H5Pset_relax_file_integrity_checks(fapl.id, 1)
    return h5py.File(h5py.h5f.open(path.encode(), h5py.h5f.ACC_RDWR, fapl=fapl))


def session(n_units=3, soft_link=True, extra_series=0, wrap=None):
    """The common session; `wrap(name, array)` may wrap arrays in H5DataIO."""
    wrap = wrap or (lambda name, a: a)
    rng = np.random.default_rng(7)
    f = NWBFile(session_description="corpus", identifier="corpus", session_start_time=T0)
    dev = f.create_device(name="probe")
    groups = [
        f.create_electrode_group(name=f"shank{i}", description="", location="ADn", device=dev)
        for i in range(2)
    ]
    if n_units:
        f.add_unit_column("location", "brain area")
        for i in range(n_units):
            st = np.sort(rng.uniform(0, 10, 20 + 5 * i)).round(6)
            f.add_unit(
                spike_times=st,
                location=["ADn", "CA1", "PoS"][i % 3],
                electrode_group=groups[i % 2],
                id=10 + i,
            )
    t = np.arange(60) / 6.0
    pos = Position(name="Position")
    xy = pos.create_spatial_series(
        name="xy",
        data=wrap("pos", (rng.uniform(0, 1, (60, 2))).round(4)),
        reference_frame="corner",
        unit="m",
        timestamps=wrap("t", t),
    )
    hd = CompassDirection(name="CompassDirection")
    hd.create_spatial_series(
        name="head_direction",
        data=wrap("hd", rng.uniform(0, 360, 60).round(3)),
        reference_frame="north",
        unit="degrees",
        timestamps=xy if soft_link else t.copy(),
    )
    beh = f.create_processing_module(name="behavior", description="tracking")
    beh.add(pos)
    beh.add(hd)
    f.add_epoch(0.0, 4.0, ["sleep"])
    f.add_epoch(4.0, 9.5, ["wake", "box"])
    rip = TimeIntervals(name="ripples", description="sharp-wave ripples")
    for s in (1.0, 2.5, 7.25):
        rip.add_interval(s, s + 0.1)
    f.add_time_intervals(rip)
    f.add_acquisition(TimeSeries(name="peaks", data=np.ones(4), unit="n/a", timestamps=[1.05, 2.55, 7.3, 8.0]))
    for i in range(extra_series):
        f.add_acquisition(
            TimeSeries(name=f"ev{i:02d}", data=np.ones(2), unit="n/a", timestamps=[i + 0.5, i + 0.75])
        )
    return f


def write(name, f, libver=None, cache_spec=False):
    path = os.path.join(OUT, name)
    if os.path.exists(path):
        os.remove(path)
    kw = {"libver": libver} if libver else {}
    with NWBHDF5IO(path, "w", file=h5py.File(path, "w", **kw)) as io:
        io.write(f, cache_spec=cache_spec)
    return path


def recreate(h, path, data=None, dtype=None, **kw):
    """Replaces a dataset by one with other storage, keeping its attributes."""
    old = h[path]
    attrs = {k: old.attrs[k] for k in old.attrs}
    if data is None:
        data = old[()]
    if dtype is not None:
        data = np.asarray(data).astype(dtype)
    del h[path]
    d = h.create_dataset(path, data=data, **kw)
    for k, v in attrs.items():
        d.attrs[k] = v
    return d


class edit:
    """Opens a written file for changes; object-reference attributes (e.g. a
    VectorIndex's `target`) are pointed again at their (recreated) targets."""

    def __init__(self, path, relaxed=False, **kw):
        self.h = open_relaxed(path) if relaxed else h5py.File(path, "a", **kw)

    def __enter__(self):
        self.refs = []

        def visit(name, obj):
            for k, v in obj.attrs.items():
                if isinstance(v, h5py.Reference) and v:
                    self.refs.append((name, k, self.h[v].name))

        self.h.visititems(visit)
        return self.h

    def __exit__(self, *exc):
        if exc[0] is None:
            for name, k, target in self.refs:
                if name in self.h and target in self.h:
                    self.h[name].attrs[k] = self.h[target].ref
        self.h.close()


def read(path):
    """What pynwb reads, in the terms the Rust tests check."""
    with NWBHDF5IO(path, "r") as io:
        f = io.read()
        out = {"units": [], "behaviour": {}, "epochs": [], "events": {}}
        if f.units is not None and len(f.units) > 0:
            for i in range(len(f.units)):
                out["units"].append(
                    {
                        "id": int(f.units.id[i]),
                        "location": str(f.units["location"][i]),
                        "electrode_group": f.units["electrode_group"][i].name,
                        "spike_times": [float(x) for x in f.units.get_unit_spike_times(i)],
                    }
                )
        beh = f.processing["behavior"]
        xy = beh["Position"].spatial_series["xy"]
        hd = beh["CompassDirection"].spatial_series["head_direction"]
        data = np.asarray(xy.data[:], dtype=float)
        out["behaviour"] = {
            "t": [float(x) for x in xy.timestamps[:]],
            "x": [float(x) for x in data[:, 0]],
            "y": [float(x) for x in data[:, 1]],
            "hd": [float(x) for x in hd.data[:]],
            "hd_unit": hd.unit,
            "hd_t": [float(x) for x in hd.timestamps[:]],
        }
        ep = f.epochs
        for i in range(len(ep)):
            out["epochs"].append(
                {"name": ",".join(ep["tags"][i]), "start": float(ep["start_time"][i]), "stop": float(ep["stop_time"][i])}
            )
        rip = f.intervals["ripples"]
        for i in range(len(rip)):
            out["epochs"].append(
                {"name": "ripples", "start": float(rip["start_time"][i]), "stop": float(rip["stop_time"][i])}
            )
        for name, ts in f.acquisition.items():
            if type(ts) is TimeSeries and ts.timestamps is not None:
                out["events"][name] = [float(x) for x in ts.timestamps[:]]
        return out


def layouts_of(path):
    """Chunk index of each chunked dataset, as libhdf5 reports it."""
    import ctypes

    lib = libhdf5()
    lib.H5Dget_chunk_index_type.argtypes = [ctypes.c_int64, ctypes.POINTER(ctypes.c_int)]
    names = {0: "btree_v1", 1: "single", 2: "implicit", 3: "fixed_array", 4: "extensible_array", 5: "btree_v2"}
    out = {}

    def visit(name, obj):
        if isinstance(obj, h5py.Dataset) and obj.chunks is not None:
            t = ctypes.c_int(-1)
            lib.H5Dget_chunk_index_type(obj.id.id, ctypes.byref(t))
            out[name] = names.get(t.value, str(t.value))

    with h5py.File(path, "r") as h:
        h.visititems(visit)
    return out


def patch_all(buf, old, new, lo=0, hi=None):
    """Replaces every occurrence of `old` in buf[lo:hi] by `new`; the count."""
    hi = len(buf) if hi is None else hi
    n, i = 0, buf.find(old, lo, hi)
    while i >= 0:
        buf[i : i + len(new)] = new
        n += 1
        i = buf.find(old, i + len(old), hi)
    return n


def hostile():
    """Writes hostile.h5 (see the module doc); returns what each read must say."""
    import struct

    path = os.path.join(OUT, "hostile.h5")
    if os.path.exists(path):
        os.remove(path)
    with h5py.File(path, "w") as h:
        h.create_dataset("dup", data=np.arange(64, dtype="<f8"), chunks=(1,))
        h.create_dataset("ok", data=np.arange(5, dtype="<f8"))
        s = [f"s{i}" for i in range(500)]
        s[7] = "x" * 8000
        h.create_dataset("vlen", data=s, dtype=h5py.string_dtype())
        h.create_dataset("wrap", data=np.zeros((37, 3)))
        h.create_dataset("esize0", data=np.arange(9, dtype="<i2"))
    with h5py.File(path, "r") as h:
        dup = [h["dup"].id.get_chunk_info(i) for i in range(64)]
        vlen_at = h["vlen"].id.get_offset()
    buf = bytearray(open(path, "rb").read())
    # B-tree v1 chunk keys: size u32, mask u32, offset u64, 0 u64 (element
    # offset); each key of `dup` names its chunk's offset (8 x element index)
    n = 0
    for c in dup:
        key = struct.pack("<IIQQ", c.size, 0, c.chunk_offset[0], 0)
        n += patch_all(buf, key, struct.pack("<IIQQ", c.size, 0, 0, 0))
    assert n >= 63, n
    # vlen descriptors: length u32, global heap collection u64, index u32
    desc = [bytes(buf[vlen_at + 16 * i : vlen_at + 16 * i + 16]) for i in range(500)]
    big = desc[7]
    assert struct.unpack("<I", big[:4])[0] == 8000
    buf[vlen_at : vlen_at + 16 * 500] = big * 500
    # dims (37, 3) -> (2^63, 2); int16 element size 2 -> 0
    assert patch_all(buf, struct.pack("<QQ", 37, 3), struct.pack("<QQ", 1 << 63, 2)) >= 1
    i16 = bytes([0x10, 0x08, 0x00, 0x00, 2, 0, 0, 0, 0, 0, 16, 0])
    assert patch_all(buf, i16, bytes([0x10, 0x08, 0x00, 0x00, 0, 0, 0, 0, 0, 0, 16, 0])) == 1
    open(path, "wb").write(buf)
    return {
        "ok": [0.0, 1.0, 2.0, 3.0, 4.0],
        "dup": "duplicate chunk",
        "vlen": "claim",
        "wrap": "overflows",
        "esize0": "size 0",
    }


def codec_files():
    """(file name, note, [(dataset, chunks, filter keywords, blosc env)])."""
    b = "processing/behavior/"
    xy, hd = b + "Position/xy/data", b + "CompassDirection/head_direction/data"
    # blosc's defaults for chunks under 32 kB: a block per chunk
    one = {"BLOSC_BLOCKSIZE": str(1 << 20), "BLOSC_SPLITMODE": "FORWARD_COMPAT"}
    out = [
        (
            "filter_zstd.nwb",
            "zstd on spike times, ids, position (float32) and head direction",
            [
                ("units/spike_times", (700,), dict(hdf5plugin.Zstd(clevel=3)), {}),
                ("units/id", (24,), dict(hdf5plugin.Zstd(clevel=9)), {}),
                (xy, (37, 2), dict(hdf5plugin.Zstd()), {}),
                (hd, (60,), dict(hdf5plugin.Zstd(clevel=1)), {}),
            ],
        ),
        (
            "filter_bitshuffle.nwb",
            "bitshuffle (none, LZ4, zstd) on spike times, ids, position (float32), head direction",
            [
                # 1001 elements: one block of 1000 (default block 1024), 1 stored
                ("units/spike_times", (1001,), dict(hdf5plugin.Bitshuffle(cname="lz4")), {}),
                # 21 elements: 2 blocks of 8, 5 stored
                ("units/id", (21,), dict(hdf5plugin.Bitshuffle(nelems=8, cname="lz4")), {}),
                ("units/spike_times_index", (24,), dict(hdf5plugin.Bitshuffle(cname="lz4")), {}),
                # 74 elements: 4 blocks of 16, one of 8, 2 stored
                (xy, (37, 2), dict(hdf5plugin.Bitshuffle(nelems=16, cname="zstd", clevel=5)), {}),
                (hd, (25,), dict(hdf5plugin.Bitshuffle(cname="none")), {}),
            ],
        ),
    ]
    for codec in ("blosclz", "lz4", "lz4hc", "zlib", "zstd"):
        B = hdf5plugin.Blosc
        out.append(
            (
                f"filter_blosc_{codec}.nwb",
                f"blosc with {codec}: byte shuffle, bit shuffle, no shuffle; forced blocks and splits",
                [
                    # float64 in 5600-byte chunks, each written with other
                    # blosc settings: one block split in 8 streams (one per
                    # byte; zstd does not split); 5 blocks of 1024 bytes and
                    # a leftover of 480, byte-shuffled; the same bit-shuffled
                    # (blocks of 128 elements, a leftover of 60, which blosc
                    # stores without the bit shuffle)
                    ("units/spike_times", (700,), dict(B(cname=codec, shuffle=B.SHUFFLE)), [
                        (0, 700, one),
                        (700, 1400, {"BLOSC_BLOCKSIZE": "1024", "BLOSC_SPLITMODE": "NEVER"}),
                        (1400, None, {"BLOSC_BLOCKSIZE": "1024", "BLOSC_SPLITMODE": "NEVER",
                                      "BLOSC_SHUFFLE": "BITSHUFFLE"}),
                    ]),
                    ("units/id", (24,), dict(B(cname=codec, shuffle=B.NOSHUFFLE, clevel=9)), one),
                    ("units/spike_times_index", (24,), dict(B(cname=codec, shuffle=B.BITSHUFFLE), dtype="<i8"), one),
                    (xy, (40, 2), dict(B(cname=codec, shuffle=B.BITSHUFFLE, clevel=9)), one),
                    (hd, (60,), dict(B(cname=codec, shuffle=B.SHUFFLE)), one),
                ],
            )
        )
    return out


class blosc_env:
    """Sets blosc's environment variables for one write (c-blosc reads them
    at each compression; its block size and split mode then stay set, so
    every blosc write names them)."""

    def __init__(self, env):
        self.env = env

    def __enter__(self):
        self.old = {k: os.environ.get(k) for k in self.env}
        os.environ.update(self.env)

    def __exit__(self, *exc):
        for k, v in self.old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def chunks_of(path, name):
    """Each chunk of a 1-D dataset: byte offset, stored size, and where the
    B-tree (v1) key of the chunk stores that size (for truncation tests)."""
    import struct

    with h5py.File(path, "r") as h:
        d = h[name]
        infos = [d.id.get_chunk_info(i) for i in range(d.id.get_num_chunks())]
    buf = open(path, "rb").read()
    out = []
    for c in infos:
        key = struct.pack("<IIQQQ", c.size, c.filter_mask, c.chunk_offset[0], 0, c.byte_offset)
        at = buf.find(key)
        assert at >= 0 and buf.find(key, at + 1) < 0, "one B-tree key per chunk"
        out.append({"offset": c.byte_offset, "size": c.size, "size_at": at})
    return out


def main():
    os.makedirs(OUT, exist_ok=True)
    expect = {"pynwb": pynwb.__version__, "h5py": h5py.__version__, "hdf5": h5py.version.hdf5_version, "files": {}}

    def ok(name, note):
        p = os.path.join(OUT, name)
        expect["files"][name] = {"note": note, "expect": read(p)}

    def fails(name, note, *needles):
        expect["files"][name] = {"note": note, "error": list(needles)}

    # 1. current pynwb defaults with libver latest (spec cached, as pynwb does)
    write("latest.nwb", session(), libver="latest", cache_spec=True)
    ok("latest.nwb", "pynwb defaults, libver latest, soft-linked timestamps")
    expect["files"]["latest.nwb"]["layouts"] = layouts_of(os.path.join(OUT, "latest.nwb"))

    # 2. one dataset per chunk index (libver latest)
    p = write("layouts.nwb", session(soft_link=False), libver="latest")
    with edit(p, libver="latest") as h:
        u = "units/spike_times"
        recreate(h, u, chunks=h[u].shape)  # single chunk
        recreate(h, "units/spike_times_index", chunks=(1,))  # fixed array
        recreate(h, "units/id", chunks=(2,), maxshape=(None,))  # extensible array
        b = "processing/behavior/Position/xy/"
        recreate(h, b + "data", chunks=(16, 1), maxshape=(None, None))  # B-tree v2
        recreate(h, b + "timestamps", chunks=(7,), maxshape=(None,))  # extensible array
        hd = "processing/behavior/CompassDirection/head_direction/"
        old = h[hd + "data"]
        attrs = {k: old.attrs[k] for k in old.attrs}
        vals = old[()]
        del h[hd + "data"]
        dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
        dcpl.set_chunk((8,))
        dcpl.set_alloc_time(h5py.h5d.ALLOC_TIME_EARLY)  # implicit index
        space = h5py.h5s.create_simple(vals.shape)
        did = h5py.h5d.create(h.id, (hd + "data").encode(), h5py.h5t.IEEE_F64LE, space, dcpl=dcpl)
        d = h5py.Dataset(did)
        d[...] = vals
        for k, v in attrs.items():
            d.attrs[k] = v
    ok("layouts.nwb", "single chunk, fixed array, extensible array, B-tree v2, implicit")
    expect["files"]["layouts.nwb"]["layouts"] = layouts_of(p)

    # 3. dense attributes on the root and on the head direction's data
    p = write("dense_attrs.nwb", session(), libver="latest")
    with edit(p, libver="latest") as h:
        for i in range(12):
            h.attrs[f"lab_meta_{i:02d}"] = f"value {i}"
        d = h["processing/behavior/CompassDirection/head_direction/data"]
        for i in range(12):
            d.attrs[f"extra_{i:02d}"] = i
    ok("dense_attrs.nwb", "root and series data with >8 attributes (dense storage)")

    # 4. deleted links: dense (libver latest) and symbol-table groups
    p = write("deleted_links.nwb", session(extra_series=24), libver="latest")
    with edit(p) as h:
        for i in range(0, 24, 2):
            del h[f"acquisition/ev{i:02d}"]
    ok("deleted_links.nwb", "12 of 24 series deleted from a dense group")
    p = write("deleted_links_v0.nwb", session(extra_series=10))
    with edit(p) as h:
        for i in range(1, 10, 2):
            del h[f"acquisition/ev{i:02d}"]
    ok("deleted_links_v0.nwb", "5 of 10 series deleted from a symbol-table group")

    # 5. a units table with 0 rows
    f = session(n_units=0)
    f.units = pynwb.misc.Units(name="units", description="no units")
    write("zero_units.nwb", f, libver="latest")
    ok("zero_units.nwb", "units table with 0 rows")

    # 6. float32 and big-endian
    p = write("float32_be.nwb", session(soft_link=False), libver="latest")
    with edit(p) as h:
        recreate(h, "units/spike_times", dtype=">f8")
        recreate(h, "units/spike_times_index", dtype=">u4")
        recreate(h, "units/id", dtype=">i8")
        b = "processing/behavior/"
        recreate(h, b + "Position/xy/data", dtype="<f4")
        recreate(h, b + "CompassDirection/head_direction/data", dtype=">f4")
        recreate(h, b + "CompassDirection/head_direction/timestamps", dtype=">f8")
        recreate(h, "intervals/epochs/start_time", dtype=">f4")
    ok("float32_be.nwb", "float32 and big-endian datasets")

    # 7. filters, each on spike times, position and head direction
    b = "processing/behavior/"
    targets = ["units/spike_times", b + "Position/xy/data", b + "CompassDirection/head_direction/data"]
    filters = {
        "gzip": dict(compression="gzip", compression_opts=6, shuffle=True, fletcher32=True),
        "lzf": dict(compression="lzf", shuffle=True),
        "scaleoffset": dict(scaleoffset=4),
    }
    for fname, kw in filters.items():
        name = f"filter_{fname}.nwb"
        p = write(name, session(soft_link=False), libver="latest")
        with edit(p) as h:
            for t in targets:
                recreate(h, t, chunks=True, **kw)
            # integer scale-offset is lossless
            if fname == "scaleoffset":
                recreate(h, "units/spike_times_index", chunks=True, scaleoffset=0)
        ok(name, f"{fname} on spike times, position and head direction")

    # n-bit: 12-bit unsigned indices and ids, and floats whose precision
    # fills the type (the filter then stores them as they are)
    name = "filter_nbit.nwb"
    p = write(name, session(soft_link=False), libver="latest")
    with edit(p, relaxed=True) as h:
        for path in ("units/spike_times_index", "intervals/epochs/tags_index"):
            old = h[path]
            attrs = {k: old.attrs[k] for k in old.attrs}
            vals = old[()].astype("<u4")
            del h[path]
            tid = h5py.h5t.STD_U32LE.copy()
            tid.set_precision(12)
            dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
            dcpl.set_chunk((2,))
            set_nbit(dcpl)
            space = h5py.h5s.create_simple(vals.shape)
            d = h5py.Dataset(h5py.h5d.create(h.id, path.encode(), tid, space, dcpl=dcpl))
            d[...] = vals
            for k, v in attrs.items():
                d.attrs[k] = v
        for t in targets:
            old = h[t]
            attrs = {k: old.attrs[k] for k in old.attrs}
            vals = old[()]
            del h[t]
            dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
            dcpl.set_chunk(tuple(min(8, n) for n in vals.shape))
            set_nbit(dcpl)
            space = h5py.h5s.create_simple(vals.shape)
            d = h5py.Dataset(h5py.h5d.create(h.id, t.encode(), h5py.h5t.IEEE_F64LE, space, dcpl=dcpl))
            d[...] = vals
            for k, v in attrs.items():
                d.attrs[k] = v
    ok(name, "n-bit on 12-bit indices and on float64 data")

    # filters through hdf5plugin: zstd, bitshuffle, blosc with each codec
    for name, note, plan in codec_files():
        p = write(name, session(n_units=24, soft_link=False), libver="latest")
        with edit(p) as h:
            # compressible values (blosc stores a chunk it cannot shrink
            # without the filter): positions on a 2 cm grid as float32,
            # whole degrees
            xy = b + "Position/xy/data"
            recreate(h, xy, data=np.round(h[xy][()] * 50) / 50, dtype="<f4")
            hd = b + "CompassDirection/head_direction/data"
            recreate(h, hd, data=np.round(h[hd][()]))
            for path, chunks, kw, env in plan:
                if isinstance(env, dict):
                    with blosc_env(env):
                        recreate(h, path, chunks=chunks, **kw)
                    continue
                # written in parts, each with its blosc settings
                data = h[path][()]
                d = recreate(h, path, data=np.zeros(0, dtype=data.dtype), maxshape=(None,), chunks=chunks, **kw)
                d.resize(data.shape)
                for lo, hi, e in env:
                    with blosc_env(e):
                        d[lo:hi] = data[lo:hi]
                        h.flush()  # compressed now, not when the chunk cache is flushed
            for path, *_ in plan:
                masks = {h[path].id.get_chunk_info(i).filter_mask for i in range(h[path].id.get_num_chunks())}
                assert masks == {0}, f"{name}: {path} has chunks stored without the filter"
        expect["files"][name] = {"note": note, "expect": read(p), "chunks": chunks_of(p, "units/spike_times")}
    name = "filter_blosc_snappy.nwb"
    p = write(name, session(n_units=24, soft_link=False), libver="latest")
    with edit(p) as h, blosc_env({"BLOSC_BLOCKSIZE": str(1 << 20), "BLOSC_SPLITMODE": "FORWARD_COMPAT"}):
        d = recreate(h, "units/spike_times", chunks=(700,), **hdf5plugin.Blosc(cname="snappy", shuffle=1))
        assert d.id.get_chunk_info(0).filter_mask == 0, "snappy chunks stored without the filter"
    read(p)  # pynwb (with hdf5plugin loaded) reads it
    fails(name, "blosc with snappy (unsupported) on spike times", "32001", "blosc", "snappy", "units/spike_times")

    # 8. external link
    p = write("external_link.nwb", session(soft_link=False), libver="latest")
    with edit(p) as h:
        t = "processing/behavior/CompassDirection/head_direction/timestamps"
        del h[t]
        h[t] = h5py.ExternalLink("other.nwb", "/timestamps")
    fails("external_link.nwb", "timestamps as an external link", "other.nwb", "head_direction/timestamps")

    expect["hostile"] = hostile()

    with open(os.path.join(OUT, "corpus.json"), "w") as fh:
        json.dump(expect, fh, sort_keys=True, separators=(",", ":"))
    total = sum(os.path.getsize(os.path.join(OUT, n)) for n in os.listdir(OUT))
    print(f"wrote {len(expect['files'])} files to {OUT} ({total} bytes)")


if __name__ == "__main__":
    main()
