#!/usr/bin/env python3
"""Reference values for the NWB / HDF5 readers, as test fixtures.

1. Reads datasets/A2929-200711.nwb with pynwb (and h5py for the raw layout)
   and writes tests/fixtures/data/a2929_reference.json: unit ids, locations,
   electrode groups, spike counts, first/last spike time per unit, epochs,
   head-direction sample count and first/last values, position ranges,
   ripple intervals and ripple peak count.
2. Writes small files that exercise the HDF5 features the real file does not
   use, with their expected contents in JSON:
   - h5_chunked.h5 (h5py default libver): chunked datasets with deflate and
     shuffle, fixed- and variable-length strings, int32 2-D, attributes;
   - h5_v108.h5 (libver v108: superblock v2, object header v2, a group with
     dense link storage in a fractal heap);
   - mini.nwb (written by pynwb): units with a location column, a
     processing module with a 2-D Position series sampled by starting_time +
     rate, a CompassDirection series in degrees, epochs with tags.

Usage (creates its own venv):  python3 scripts/reference/nwb_reference.py
"""
import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
VENV = os.path.join(ROOT, ".venv-ref-nwb")
OUT = os.path.join(ROOT, "tests", "fixtures", "data")
NWB = os.path.join(ROOT, "datasets", "A2929-200711.nwb")


def ensure_venv():
    py = os.path.join(VENV, "bin", "python")
    if sys.executable != py:
        if not os.path.exists(py):
            subprocess.check_call([sys.executable, "-m", "venv", VENV])
        subprocess.check_call([py, "-m", "pip", "install", "--quiet", "h5py", "pynwb"])
        os.execv(py, [py] + sys.argv)


ensure_venv()
import h5py  # noqa: E402
import numpy as np  # noqa: E402
import pynwb  # noqa: E402


def f(x):
    return float(x)


def a2929():
    with pynwb.NWBHDF5IO(NWB, "r") as io:
        nwb = io.read()
        units = nwb.units
        ids = [int(i) for i in units.id[:]]
        loc = [str(x) for x in units["location"][:]]
        groups = [g.name for g in units["electrode_group"][:]]
        trains = [np.asarray(units.get_unit_spike_times(i)) for i in range(len(ids))]
        ep = nwb.epochs
        epochs = [
            {"name": ",".join(ep["tags"][i]), "start": f(ep["start_time"][i]), "stop": f(ep["stop_time"][i])}
            for i in range(len(ep))
        ]
        hd = nwb.acquisition["CompassDirection"].spatial_series["ry"]
        hd_data = np.asarray(hd.data[:])
        hd_t = np.asarray(hd.timestamps[:])
        pos = nwb.acquisition["Position"].spatial_series
        ranges = {k: [f(np.min(pos[k].data[:])), f(np.max(pos[k].data[:]))] for k in ("x", "y", "z")}
        rip = nwb.intervals["sleep_ripples"]
        rip_start = np.asarray(rip["start_time"][:])
        rip_stop = np.asarray(rip["stop_time"][:])
        peaks = np.asarray(nwb.acquisition["sleep_ripples"].timestamps[:])
        other = {name: len(nwb.intervals[name]) for name in nwb.intervals if name not in ("epochs",)}
        ref = {
            "pynwb": pynwb.__version__,
            "h5py": h5py.__version__,
            "nwb_version": nwb.fields.get("nwb_version", None) or str(io._file.attrs["nwb_version"]),
            "unit_ids": ids,
            "locations": loc,
            "electrode_groups": groups,
            "spike_counts": [int(len(t)) for t in trains],
            "first_spike": [f(t[0]) for t in trains],
            "last_spike": [f(t[-1]) for t in trains],
            "spike_time_sums": [f(np.sum(t)) for t in trains],
            "epochs": epochs,
            "hd_count": int(len(hd_data)),
            "hd_first": f(hd_data[0]),
            "hd_last": f(hd_data[-1]),
            "hd_t_first": f(hd_t[0]),
            "hd_t_last": f(hd_t[-1]),
            "hd_sum": f(np.sum(hd_data)),
            "position_ranges": ranges,
            "ripple_count": int(len(rip_start)),
            "ripple_first": [f(rip_start[0]), f(rip_stop[0])],
            "ripple_last": [f(rip_start[-1]), f(rip_stop[-1])],
            "ripple_peak_count": int(len(peaks)),
            "ripple_peak_first": f(peaks[0]),
            "interval_tables": other,
        }
    with open(os.path.join(OUT, "a2929_reference.json"), "w") as fh:
        json.dump(ref, fh, indent=1)


def h5_files():
    rng = np.random.default_rng(5)
    exp = {}
    a = rng.normal(size=1000)
    b = rng.integers(-1000, 1000, size=(37, 5)).astype(np.int32)
    s = [b"ab", b"hello", b"", b"xyz"]
    v = ["adn", "ca1", "", "thalamus"]
    with h5py.File(os.path.join(OUT, "h5_chunked.h5"), "w") as h:
        h.create_dataset("a", data=a, chunks=(64,), compression="gzip", shuffle=True)
        h.create_dataset("g/b", data=b, chunks=(8, 2), compression="gzip")
        h.create_dataset("s", data=np.array(s, dtype="S5"))
        h.create_dataset("v", data=v, dtype=h5py.string_dtype())
        h.create_dataset("c", data=np.arange(5, dtype=np.uint16))
        h["g"].attrs["note"] = "chunked"
        h["g"].attrs["rate"] = 30.0
    exp["h5_chunked.h5"] = {
        "a": a.tolist(), "g/b": b.astype(float).ravel().tolist(),
        "s": [x.decode() for x in s], "v": v, "c": list(range(5)),
        "attrs": {"g": {"note": "chunked", "rate": 30.0}},
    }
    with h5py.File(os.path.join(OUT, "h5_v108.h5"), "w", libver=("v108", "v108")) as h:
        grp = h.create_group("many")
        for i in range(20):
            grp.create_dataset(f"d{i:02d}", data=np.full(3, float(i)))
        h.create_dataset("z", data=np.linspace(0, 1, 300), chunks=(50,), compression="gzip", shuffle=True)
        h.attrs["title"] = "v108"
    exp["h5_v108.h5"] = {
        "many": [f"d{i:02d}" for i in range(20)],
        "many/d07": [7.0, 7.0, 7.0],
        "z": np.linspace(0, 1, 300).tolist(),
    }
    with open(os.path.join(OUT, "h5_reference.json"), "w") as fh:
        json.dump(exp, fh)


def mini_nwb():
    from datetime import datetime, timezone
    from pynwb.behavior import CompassDirection, Position, SpatialSeries

    nwb = pynwb.NWBFile("mini", "mini-1", datetime(2020, 1, 1, tzinfo=timezone.utc))
    nwb.add_unit_column("location", "brain region")
    trains = [[0.1, 0.4, 2.5], [1.0], [0.2, 0.3, 3.9, 4.5]]
    for i, (t, l) in enumerate(zip(trains, ["adn", "ca1", "adn"])):
        nwb.add_unit(id=10 + i, spike_times=t, location=l)
    beh = nwb.create_processing_module("behavior", "behaviour")
    xy = np.stack([np.linspace(0, 1, 50), np.linspace(1, 0, 50)], axis=1)
    beh.add(Position(spatial_series=SpatialSeries(
        name="pos", data=xy, reference_frame="corner", starting_time=0.5, rate=10.0, unit="meters")))
    deg = np.linspace(0, 350, 50)
    beh.add(CompassDirection(spatial_series=SpatialSeries(
        name="head-direction", data=deg, reference_frame="north", starting_time=0.5, rate=10.0, unit="degrees")))
    nwb.add_epoch(0.0, 2.0, ["sleep"])
    nwb.add_epoch(2.0, 5.0, ["wake", "box"])
    path = os.path.join(OUT, "mini.nwb")
    with pynwb.NWBHDF5IO(path, "w") as io:
        io.write(nwb)
    ref = {
        "unit_ids": [10, 11, 12], "locations": ["adn", "ca1", "adn"], "trains": trains,
        "t_first": 0.5, "t_last": 0.5 + 49 / 10.0, "x_last": 1.0, "y_first": 1.0,
        "hd_last_rad": float(np.deg2rad(350.0)),
        "epochs": [["sleep", 0.0, 2.0], ["wake,box", 2.0, 5.0]],
    }
    with open(os.path.join(OUT, "mini_reference.json"), "w") as fh:
        json.dump(ref, fh, indent=1)


if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    a2929()
    h5_files()
    mini_nwb()
    print("wrote", sorted(os.listdir(OUT)))
