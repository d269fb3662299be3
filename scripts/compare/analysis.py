#!/usr/bin/env python3
"""Side-by-side recording analyses: this crate against pynapple, on this machine.

Workload: the recording A2929-200711 (datasets/, or ../shared/data), wake epoch where head
direction is tracked (670.6-1200 s).
  * head-direction tuning curves of the 15 units, 60 bins over [0, 2 pi)
    (pynapple: nap.compute_tuning_curves; ours: Recording::hd_tuning without shuffles);
  * the same with 500 circular-shift shuffles per unit (pynapple has no shuffle
    control: it is timed as 500 calls of compute_tuning_curves + compute_mutual_information
    on shifted spike trains per unit, the loop a user would write);
  * Bayesian decoding of head direction from the 7 ADn units in 0.1 s bins
    (pynapple: nap.decode_bayes trained and tested on the whole epoch; ours:
    5-fold cross-validated, so 5 trainings, without the shuffled control).
Each is the best of several runs; file loading is excluded. Ours is the release build
of examples/analysis_timing.rs, on the same spikes and head direction
(tests/fixtures/analysis/a2929_wake.npz, extracted from the NWB file by
scripts/reference/analysis_reference.py).

Usage:  python3 scripts/compare/analysis.py   (creates .venv-compare-analysis/)
"""
import json
import os
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
VENV = os.path.join(ROOT, ".venv-compare-analysis")


def ensure_venv():
    py = os.path.join(VENV, "bin", "python")
    if sys.executable != py:
        if not os.path.exists(py):
            subprocess.check_call([sys.executable, "-m", "venv", VENV])
            subprocess.check_call([py, "-m", "pip", "install", "--quiet", "pynapple==0.11.4"])
        os.execv(py, [py] + sys.argv)


def best(n, f):
    t = float("inf")
    for _ in range(n):
        s = time.perf_counter()
        f()
        t = min(t, time.perf_counter() - s)
    return t


def main():
    ensure_venv()
    import numpy as np
    import pynapple as nap

    path = os.path.join(ROOT, "datasets", "A2929-200711.nwb")
    if not os.path.exists(path):
        path = os.path.join(ROOT, "..", "shared", "data", "A2929-200711.nwb")
    data = nap.load_file(path)
    units = data["units"]
    hd = data["ry"].restrict(nap.IntervalSet(start=600.0, end=1200.0))
    wake = nap.IntervalSet(start=hd.index[0], end=hd.index[-1])
    hd = hd.restrict(wake)
    tc_args = dict(bins=60, range=(0, 2 * np.pi), epochs=wake)
    tuning = best(5, lambda: nap.compute_tuning_curves(units, hd, **tc_args))

    span = (hd.index[0], hd.index[-1] + np.median(np.diff(hd.index)))
    rng = np.random.default_rng(0)

    def shuffles():
        for k in units.keys():
            s = units[k].restrict(wake).index
            s = s[(s >= span[0]) & (s < span[1])]
            for _ in range(500):
                off = rng.uniform(20, span[1] - span[0] - 20)
                sh = np.sort(span[0] + np.mod(s - span[0] + off, span[1] - span[0]))
                tc = nap.compute_tuning_curves(nap.Ts(sh), hd, **tc_args)
                nap.compute_mutual_information(tc)

    shuffled = best(1, shuffles)
    adn = units[[k for k, l in zip(units.keys(), units.location) if l == "adn"]]
    tc_adn = nap.compute_tuning_curves(adn, hd, **tc_args)
    decode = best(5, lambda: nap.decode_bayes(tc_adn, adn, wake, bin_size=0.1))

    env = dict(os.environ)
    out = subprocess.run(
        ["cargo", "run", "--quiet", "--release", "--example", "analysis_timing"],
        cwd=ROOT, env=env, check=True, capture_output=True, text=True,
    ).stdout
    ours = json.loads(out.strip().splitlines()[-1])
    rows = [
        ("HD tuning, 15 units, 60 bins", tuning, ours["tuning_s"]),
        ("HD tuning + 500 shuffles per unit", shuffled, ours["tuning_500_shuffles_s"]),
        ("Bayesian HD decoding, 7 ADn units, 0.1 s bins", decode, ours["decode_s"]),
    ]
    print(f"pynapple {nap.__version__}; ours: examples/analysis_timing.rs (release)")
    print("| workload | pynapple | canns | speed-up |")
    print("| --- | --- | --- | --- |")
    for name, a, b in rows:
        print(f"| {name} | {a * 1e3:.1f} ms | {b * 1e3:.1f} ms | {a / b:.0f}x |")
    print(json.dumps(ours))


if __name__ == "__main__":
    main()
