#!/usr/bin/env python3
"""Side-by-side speed: loading datasets/A2929-200711.nwb and binning all its
spikes in 10 ms bins, with this crate and with pynapple (its documented
`nap.load_file` + `TsGroup.count`), on this machine.

Each side reports the median of 21 runs after a warm-up, in one process.
Ours is the release build of `examples/recording_timing.rs`.

Usage:  python3 scripts/compare/recording_speed.py [--profile release|test]
        (creates .venv-compare-data/ unless run from an interpreter with
        pynapple and pynwb; the default profile is release)
"""
import json
import os
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
VENV = os.path.join(ROOT, ".venv-compare-data")
NWB = os.path.join(ROOT, "datasets", "A2929-200711.nwb")


PROFILE = sys.argv[sys.argv.index("--profile") + 1] if "--profile" in sys.argv else "release"


def ensure_venv():
    try:
        import pynapple  # noqa: F401
        import pynwb  # noqa: F401

        return
    except ImportError:
        pass
    py = os.path.join(VENV, "bin", "python")
    if sys.executable != py:
        if not os.path.exists(py):
            subprocess.check_call([sys.executable, "-m", "venv", VENV])
        subprocess.check_call([py, "-m", "pip", "install", "--quiet", "pynapple", "pynwb"])
        os.execv(py, [py] + sys.argv)


def median(v):
    v = sorted(v)
    return v[len(v) // 2]


def pynapple_times():
    import warnings

    import pynapple as nap

    warnings.filterwarnings("ignore")

    def once():
        t0 = time.perf_counter()
        data = nap.load_file(NWB)
        # every table, as ours reads them all: units, x, y, z, rx, ry, rz, intervals
        tables = {k: data[k] for k in data.keys()}
        units = tables["units"]
        t1 = time.perf_counter()
        counts = units.count(0.01)
        n = float(counts.values.sum())
        t2 = time.perf_counter()
        del tables
        return t1 - t0, t2 - t1, t2 - t0, n

    once()
    runs = [once() for _ in range(21)]
    return {
        "read_s": median([r[0] for r in runs]),
        "bin_s": median([r[1] for r in runs]),
        "total_s": median([r[2] for r in runs]),
        "spikes_binned": runs[0][3],
        "version": nap.__version__,
    }


def ours():
    env = dict(os.environ)
    out = subprocess.check_output(
        ["cargo", "run", "--quiet", "--profile", PROFILE, "--example", "recording_timing"],
        cwd=ROOT,
        env=env,
    )
    return json.loads(out.decode().strip().splitlines()[-1])


if __name__ == "__main__":
    ensure_venv()
    a = ours()
    b = pynapple_times()
    print(f"pynapple {b['version']} vs canns ({PROFILE} profile), A2929-200711.nwb, 10 ms bins, median of 21")
    print(f"{'step':<24}{'pynapple':>12}{'canns':>12}{'speed-up':>10}")
    for k, name in [("read_s", "load NWB"), ("bin_s", "bin all spikes"), ("total_s", "load + bin")]:
        print(f"{name:<24}{b[k] * 1e3:>10.1f}ms{a[k] * 1e3:>10.1f}ms{b[k] / a[k]:>9.1f}x")
    print(f"spikes binned: pynapple {b['spikes_binned']:.0f}, canns {a['spikes_binned']:.0f}")
    print("load average (1, 5, 15 min): " + ", ".join(f"{x:.2f}" for x in os.getloadavg()))
