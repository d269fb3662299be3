#!/usr/bin/env python3
"""Side by side: the attractor-signature pipeline against the Python canns ASA analysis,
and sparse circular coordinates against DREiMac. Prints times and ratios measured in one run.

1. ASA recipe on simulated head-direction cells (8 von Mises cells, Poisson counts in 0.1 s
   bins, 30000 bins): Python `canns.analyzer.data.tda_vis` (every 5th bin, z-score, PCA to 6,
   fuzzy denoising k = 1000 to 1200 points, -ln membership distances with 800 neighbours,
   ripser Z/47, `shuffles` shuffles re-running the whole pipeline) against
   `canns signature counts.npz --preset asa --shuffles N` (the same stages).
2. Circular coordinates of 5000 points on a noisy circle from 100 landmarks: DREiMac
   `CircularCoords` against `canns signature` stage timings are not comparable, so the crate's
   side runs the `sparse_circular` criterion bench; see benches/signature.rs.

Usage: cargo build --release && python3 scripts/compare/signature.py [--shuffles 10]
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
VENV = os.path.join(ROOT, ".venv-cmp-sig")


def ensure_venv():
    py = os.path.join(VENV, "bin", "python")
    if sys.executable != py:
        if not os.path.exists(py):
            subprocess.check_call([sys.executable, "-m", "venv", VENV])
        subprocess.check_call([py, "-m", "pip", "install", "--quiet", "canns==1.5.0", "dreimac==0.3.2"])
        os.execv(py, [py] + sys.argv)


ensure_venv()
import numpy as np  # noqa: E402
from importlib.metadata import version  # noqa: E402

ap = argparse.ArgumentParser()
ap.add_argument("--shuffles", type=int, default=10)
ap.add_argument("--bins", type=int, default=30000)
args = ap.parse_args()

target = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
ours = os.path.join(target, "release", "canns")
if not os.path.exists(ours):
    sys.exit(f"{ours} not found: run `cargo build --release` first")

# Simulated head-direction cells, the model of canns::pipeline::synthetic::head_direction_cells.
rng = np.random.default_rng(1)
dt, n_units = 0.1, 8
omega, phi, angle = 0.0, 0.0, np.empty(args.bins)
for i in range(args.bins):
    omega += -omega * dt + 1.5 * np.sqrt(2 * dt) * rng.normal()
    phi = (phi + omega * dt + np.pi) % (2 * np.pi) - np.pi
    angle[i] = phi
pref = np.arange(n_units) * 2 * np.pi / n_units
rate = 0.5 + 30 * np.exp(3 * (np.cos(angle[:, None] - pref[None, :]) - 1))
counts = rng.poisson(rate * dt).astype(float)

tmp = tempfile.mkdtemp()
npz = os.path.join(tmp, "hd.npz")
np.savez(npz, counts=counts, bin_size=np.array(dt), angle=angle)

# Ours.
report = os.path.join(tmp, "ours.json")
t0 = time.perf_counter()
subprocess.check_call([ours, "signature", npz, "--preset", "asa", "--shuffles", str(args.shuffles),
                       "--out", report], stdout=subprocess.DEVNULL)
t_ours = time.perf_counter() - t0
r = json.load(open(report))

# Python canns, the same stages (smoothing done beforehand with the same Gaussian, 50 ms).
from scipy.ndimage import gaussian_filter1d  # noqa: E402
from canns.analyzer.data import TDAConfig, tda_vis  # noqa: E402

smoothed = gaussian_filter1d(counts, sigma=0.05 / dt, axis=0, mode="nearest")
cfg = TDAConfig(dim=6, num_times=5, active_times=15000, k=1000, n_points=1200, metric="cosine",
                nbs=800, maxdim=1, coeff=47, show=False, do_shuffle=args.shuffles > 0,
                num_shuffles=args.shuffles, shuffle_seed=0, shuffle_workers=2, progress_bar=False)
t0 = time.perf_counter()
res = tda_vis(smoothed, config=cfg)
t_py = time.perf_counter() - t0
h1 = res["persistence"]["dgms"][1]
life = np.sort(h1[:, 1] - h1[:, 0])[::-1]

print(f"ASA pipeline, {args.bins} bins x {n_units} units, {args.shuffles} shuffles")
print(f"  python canns {version('canns')}: {t_py:8.2f} s   longest H1 bars {life[:2].round(3).tolist()}")
h1o = sorted([d - b for b, d in r["diagrams"][1]], reverse=True)
print(f"  canns (Rust):       {t_ours:8.2f} s   longest H1 bars {np.round(h1o[:2], 3).tolist()}")
print(f"  speed-up: {t_py / t_ours:.1f}x")

# DREiMac circular coordinates (the crate's side: cargo bench --bench signature).
from dreimac import CircularCoords, PartUnity  # noqa: E402

t = rng.uniform(0, 2 * np.pi, 5000)
X = np.c_[np.cos(t), np.sin(t)] + 0.1 * (rng.uniform(size=(5000, 2)) - 0.5)
t0 = time.perf_counter()
cc = CircularCoords(X, 100, prime=47)
t_setup = time.perf_counter() - t0
t0 = time.perf_counter()
cc.get_coordinates(perc=0.5, cocycle_idx=0, partunity_fn=PartUnity.quadratic)
t_coords = time.perf_counter() - t0
print(f"DREiMac {version('dreimac')} circular coordinates, 5000 points, 100 landmarks: "
      f"landmarks + persistence {t_setup:.3f} s, coordinates {t_coords:.3f} s "
      "(compare with `cargo bench --bench signature -- sparse`)")
