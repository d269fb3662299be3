#!/usr/bin/env python3
"""Reference sparse circular and toroidal coordinates from DREiMac, as test fixtures.

DREiMac (Perea's sparse circular coordinates; Scoccola et al.'s toroidal coordinates
with lattice reduction) on a noisy circle and a noisy flat torus in R^4, with the same
landmark count, coefficient field and cover parameter (perc = 0.5) as the crate's
defaults. Writes tests/fixtures/signature/dreimac.json; tests/signature.rs compares the
crate's coordinates with these up to rotation and reflection.

Usage (creates its own venv):  python3 scripts/reference/coords_reference.py
"""
import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
VENV = os.path.join(ROOT, ".venv-ref-sig")
OUT = os.path.join(ROOT, "tests", "fixtures", "signature")


def ensure_venv():
    py = os.path.join(VENV, "bin", "python")
    if sys.executable != py:
        if not os.path.exists(py):
            subprocess.check_call([sys.executable, "-m", "venv", VENV])
        subprocess.check_call([py, "-m", "pip", "install", "--quiet", "dreimac==0.3.2"])
        os.execv(py, [py] + sys.argv)


ensure_venv()
import numpy as np  # noqa: E402
from importlib.metadata import version  # noqa: E402
from dreimac import CircularCoords, PartUnity, ToroidalCoords  # noqa: E402

rng = np.random.default_rng(7)

n = 800
t = rng.uniform(0, 2 * np.pi, n)
circle = np.c_[np.cos(t), np.sin(t)] + 0.05 * rng.normal(size=(n, 2))
cc = CircularCoords(circle, 80, prime=47)
circle_theta = cc.get_coordinates(perc=0.5, cocycle_idx=0, partunity_fn=PartUnity.quadratic)

a = rng.uniform(0, 2 * np.pi, n)
b = rng.uniform(0, 2 * np.pi, n)
torus = np.c_[np.cos(a), np.sin(a), np.cos(b), np.sin(b)] + 0.03 * rng.normal(size=(n, 4))
tc = ToroidalCoords(torus, 150, prime=47)
torus_theta = tc.get_coordinates(perc=0.5, cocycle_idxs=[0, 1], partunity_fn=PartUnity.quadratic)

os.makedirs(OUT, exist_ok=True)
with open(os.path.join(OUT, "dreimac.json"), "w") as f:
    json.dump(
        {
            "generator": f"scripts/reference/coords_reference.py, dreimac {version('dreimac')}",
            "circle": {"points": circle.tolist(), "angle": t.tolist(), "n_landmarks": 80,
                       "theta": np.asarray(circle_theta).tolist()},
            "torus": {"points": torus.tolist(), "a": a.tolist(), "b": b.tolist(), "n_landmarks": 150,
                      "theta": np.asarray(torus_theta).T.tolist()},
        },
        f,
    )
print("wrote", os.path.join(OUT, "dreimac.json"))
