#!/usr/bin/env python3
"""Reference Vietoris-Rips diagrams from ripser.py, as test fixtures.

Writes tests/fixtures/tda/<case>.json with the points (or distance matrix), the
parameters and ripser.py's diagrams (death = null for infinite intervals).
ripser.py computes in float32: compare with a relative tolerance of ~1e-6.

The `compare_r50_300` case is a point cloud of scripts/compare/rips.py (same generator,
same seed), so one speed comparison's diagrams are also checked by the test suite.

Usage (creates its own venv):  python3 scripts/reference/rips_reference.py [--compare-only]
"""
import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
VENV = os.path.join(ROOT, ".venv-ref-tda")
OUT = os.path.join(ROOT, "tests", "fixtures", "tda")


def ensure_venv():
    py = os.path.join(VENV, "bin", "python")
    if sys.executable != py:
        if not os.path.exists(py):
            subprocess.check_call([sys.executable, "-m", "venv", VENV])
        subprocess.check_call([py, "-m", "pip", "install", "--quiet", "ripser"])
        os.execv(py, [py] + sys.argv)


ensure_venv()
import numpy as np  # noqa: E402
from importlib.metadata import version  # noqa: E402
from ripser import ripser  # noqa: E402

rng = np.random.default_rng(2024)


def noisy_circle(n, noise):
    t = rng.uniform(0, 2 * np.pi, n)
    return np.c_[np.cos(t), np.sin(t)] + noise * rng.normal(size=(n, 2))


def torus_r3(n, R=2.0, r=1.0):
    u, v = rng.uniform(0, 2 * np.pi, (2, n))
    return np.c_[(R + r * np.cos(v)) * np.cos(u), (R + r * np.cos(v)) * np.sin(u), r * np.sin(v)]


def clifford_torus(n):
    u, v = rng.uniform(0, 2 * np.pi, (2, n))
    return np.c_[np.cos(u), np.sin(u), np.cos(v), np.sin(v)]


def case(name, data, maxdim=1, coeff=2, thresh=np.inf, distance_matrix=False, n_perm=None):
    res = ripser(data, maxdim=maxdim, coeff=coeff, thresh=thresh, distance_matrix=distance_matrix, n_perm=n_perm)
    dgms = [[[float(b), None if not np.isfinite(d) else float(d)] for b, d in dg] for dg in res["dgms"]]
    out = {
        "case": name, "ripser_version": version("ripser"), "maxdim": maxdim, "coeff": coeff,
        "threshold": None if not np.isfinite(thresh) else float(thresh),
        "distance_matrix": distance_matrix, "data": np.asarray(data).tolist(), "dgms": dgms,
    }
    if n_perm:
        out["n_perm"] = n_perm
        out["idx_perm"] = [int(i) for i in res["idx_perm"]]
        out["r_cover"] = float(res["r_cover"])
    path = os.path.join(OUT, f"{name}.json")
    with open(path, "w") as f:
        json.dump(out, f, separators=(",", ":"))
    print(f"{name}: {[len(d) for d in dgms]} intervals -> {os.path.getsize(path) // 1024} KB")


def main():
    os.makedirs(OUT, exist_ok=True)
    circle = noisy_circle(120, 0.1)
    case("noisy_circle", circle, maxdim=1)
    case("torus_r3", torus_r3(150), maxdim=2)
    case("clifford_torus_r4", clifford_torus(120), maxdim=2)
    emb = clifford_torus(100) @ rng.normal(size=(4, 50))
    case("torus_r50", emb, maxdim=2)
    case("random_r3", rng.uniform(size=(60, 3)), maxdim=2)
    case("random_z3", rng.uniform(size=(50, 2)), maxdim=1, coeff=3)
    case("circle_threshold", circle, maxdim=1, thresh=0.5)
    d = np.sqrt(((circle[:80, None, :] - circle[None, :80, :]) ** 2).sum(-1))
    case("circle_distance_matrix", d, maxdim=1, distance_matrix=True)
    case("circle_n_perm", noisy_circle(400, 0.1), maxdim=1, n_perm=60)


def compare_cases():
    """The workloads of scripts/compare/rips.py (kept identical to its `workloads`)."""
    rng2 = np.random.default_rng(2026)
    t = rng2.uniform(0, 2 * np.pi, 1000)
    circle = np.c_[np.cos(t), np.sin(t)] + 0.1 * rng2.normal(size=(1000, 2))
    u, v = rng2.uniform(0, 2 * np.pi, (2, 1000))
    torus = np.c_[(2 + np.cos(v)) * np.cos(u), (2 + np.cos(v)) * np.sin(u), np.sin(v)]
    r50 = rng2.uniform(size=(300, 50))
    # The circle and the torus take too long for the test suite: only R^50 is a fixture.
    del circle, torus
    case("compare_r50_300", r50, maxdim=2)


if __name__ == "__main__":
    if "--compare-only" not in sys.argv:
        main()
    os.makedirs(OUT, exist_ok=True)
    compare_cases()
