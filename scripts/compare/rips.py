#!/usr/bin/env python3
"""Side-by-side Vietoris-Rips persistence: `canns rips` against ripser.py, on this machine.

Workloads (seeded, written as float64 .npy under $CARGO_TARGET_DIR/compare-rips/):
  circle  H1 of 1000 points on a noisy circle (unit circle + N(0, 0.1^2) per coordinate)
  torus   H<=2 of 1000 points on a torus in R^3 (R = 2, r = 1, angles uniform)
  r50     H<=2 of 300 points uniform in [0, 1]^50
Both use Z/2 coefficients and the default threshold (the enclosing radius).

ripser.py (from PyPI, installed into .venv-compare-rips/) runs in a fresh Python process
per workload and is timed around the `ripser()` call; ours is the release build of
`canns rips` on the same file, timed around `rips()` (file reading excluded, both sides).
Peak memory is the maximum resident set size of each process (/usr/bin/time -v), so
ripser.py's includes the Python interpreter and numpy (about 30-40 MB). The diagrams
are checked to be equal (same number of intervals per dimension, each interval matched
within a relative 1e-5: ripser.py computes in float32, we in float64).

Usage:  python3 scripts/compare/rips.py [--only circle,torus,r50] [--repeat 1] [--canns BINARY]
"""
import argparse
import json
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
VENV = os.path.join(ROOT, ".venv-compare-rips")
TARGET = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
WORK = os.path.join(TARGET, "compare-rips")

RIPSER_RUN = r"""
import json, sys, time
import numpy as np
from ripser import ripser
x = np.load(sys.argv[1])
t = time.perf_counter()
res = ripser(x, maxdim=int(sys.argv[2]))
s = time.perf_counter() - t
dg = [[[float(b), None if not np.isfinite(d) else float(d)] for b, d in d_] for d_ in res["dgms"]]
json.dump({"seconds": s, "dgms": dg}, open(sys.argv[3], "w"))
"""


def ensure_venv():
    py = os.path.join(VENV, "bin", "python")
    if sys.executable != py:
        if not os.path.exists(py):
            subprocess.check_call([sys.executable, "-m", "venv", VENV])
            subprocess.check_call([py, "-m", "pip", "install", "--quiet", "ripser", "numpy"])
        os.execv(py, [py] + sys.argv)


def workloads(np):
    rng = np.random.default_rng(2026)
    t = rng.uniform(0, 2 * np.pi, 1000)
    circle = np.c_[np.cos(t), np.sin(t)] + 0.1 * rng.normal(size=(1000, 2))
    u, v = rng.uniform(0, 2 * np.pi, (2, 1000))
    torus = np.c_[(2 + np.cos(v)) * np.cos(u), (2 + np.cos(v)) * np.sin(u), np.sin(v)]
    r50 = rng.uniform(size=(300, 50))
    return {"circle": (circle, 1), "torus": (torus, 2), "r50": (r50, 2)}


def timed(cmd):
    """Runs cmd under /usr/bin/time -v: (stdout, peak RSS in MB)."""
    p = subprocess.run(["/usr/bin/time", "-v"] + cmd, capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed:\n{p.stdout}\n{p.stderr}")
    kb = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", p.stderr).group(1))
    return p.stdout, kb / 1024


def diagrams_equal(a, b):
    """Each dimension: equal counts and a one-to-one match within a relative 1e-5."""
    def close(x, y):
        if x is None or y is None:
            return x is None and y is None
        return abs(x - y) <= 1e-5 * max(abs(x), abs(y), 1e-3)

    for dim, (da, db) in enumerate(zip(a, b)):
        da = sorted([p for p in da if p[1] is None or p[1] > p[0]], key=lambda p: (p[0], p[1] or 1e300))
        db = sorted([p for p in db if p[1] is None or p[1] > p[0]], key=lambda p: (p[0], p[1] or 1e300))
        if len(da) != len(db):
            return f"H{dim}: {len(da)} vs {len(db)} intervals"
        used = [False] * len(db)
        start = 0
        for p in da:
            # Sorted by birth: candidates lie near the same position.
            for k in range(max(0, start - 50), len(db)):
                if not used[k] and close(p[0], db[k][0]) and close(p[1], db[k][1]):
                    used[k] = True
                    start = k
                    break
            else:
                return f"H{dim}: interval {p} not matched"
    return None


def main():
    ensure_venv()
    import numpy as np

    ap = argparse.ArgumentParser()
    ap.add_argument("--only", default="circle,torus,r50")
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--canns", help="a prebuilt `canns` binary (default: build the release one)")
    args = ap.parse_args()
    os.makedirs(WORK, exist_ok=True)
    env = dict(os.environ, CARGO_TARGET_DIR=TARGET)
    canns = args.canns
    if canns is None:
        subprocess.check_call(["cargo", "build", "--release", "--quiet", "--bin", "canns"], cwd=ROOT, env=env)
        canns = os.path.join(TARGET, "release", "canns")
    from importlib.metadata import version

    print(f"ripser.py {version('ripser')}, {canns}, {os.cpu_count()} cores")
    rows = []
    for name, (x, maxdim) in workloads(np).items():
        if name not in args.only.split(","):
            continue
        path = os.path.join(WORK, f"{name}.npy")
        np.save(path, x)
        for rep in range(args.repeat):
            ref_json = os.path.join(WORK, f"{name}.ripser.json")
            _, ref_mb = timed([sys.executable, "-c", RIPSER_RUN, path, str(maxdim), ref_json])
            ref = json.load(open(ref_json))
            out_json = os.path.join(WORK, f"{name}.canns.json")
            text, our_mb = timed([canns, "rips", path, "--maxdim", str(maxdim), "--out", out_json])
            ours_s = float(re.search(r"in ([0-9.]+) s", text).group(1))
            ours = json.load(open(out_json))["pairs"]
            ours = [[[b, None if d is None or d == float("inf") else d] for b, d in dg] for dg in ours]
            diff = diagrams_equal(ours, ref["dgms"])
            counts = [len([p for p in d if p[1] is None or p[1] > p[0]]) for d in ref["dgms"]]
            row = (name, maxdim, x.shape, counts, ref["seconds"], ref_mb, ours_s, our_mb, diff)
            rows.append(row)
            print(
                f"{name:7s} H<={maxdim} {x.shape[0]}x{x.shape[1]} intervals {counts}: "
                f"ripser.py {ref['seconds']:.2f} s {ref_mb:.0f} MB | canns {ours_s:.2f} s {our_mb:.0f} MB | "
                f"speed-up {ref['seconds'] / ours_s:.1f}x, memory {ref_mb / our_mb:.1f}x less | "
                f"diagrams {'equal' if diff is None else 'DIFFER: ' + diff}",
                flush=True,
            )
    if any(r[-1] is not None for r in rows):
        sys.exit("diagrams differ")


if __name__ == "__main__":
    main()
