#!/usr/bin/env python3
"""Side-by-side UMAP: this crate against umap-learn, on this machine.

Workload: 10^4 points in R^50, seeded: a noisy torus (two angles drawn uniformly,
embedded as (cos a, sin a, cos b, sin b) through a random 4 x 50 matrix, plus
N(0, 0.05^2) noise per coordinate), written as float64 .npy under
target/compare-embed/. Both run UMAP with n_neighbors 15, min_dist 0.1,
2 components, Euclidean metric, spectral initialisation and their default
number of epochs (200 for more than 10^4 points, else 500).

umap-learn is timed after a warm-up fit on 500 points in the same process, so its
numba JIT compilation is excluded (as the comparison asks); ours is the release
build of `examples/umap_timing.rs` (file reading excluded). Trustworthiness
(k = 15) of both embeddings is computed by scikit-learn on the same data, so the
quality numbers come from one implementation.

Usage:  python3 scripts/compare/embed.py [--n 10000] [--dim 50]   (creates .venv-compare-embed/)
"""
import argparse
import json
import os
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
VENV = os.path.join(ROOT, ".venv-compare-embed")
TARGET = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
WORK = os.path.join(TARGET, "compare-embed")


def ensure_venv():
    py = os.path.join(VENV, "bin", "python")
    if sys.executable != py:
        if not os.path.exists(py):
            subprocess.check_call([sys.executable, "-m", "venv", VENV])
            subprocess.check_call(
                [py, "-m", "pip", "install", "--quiet", "umap-learn", "scikit-learn", "numpy"]
            )
        os.execv(py, [py] + sys.argv)


def main():
    ensure_venv()
    import numpy as np

    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=10_000)
    ap.add_argument("--dim", type=int, default=50)
    args = ap.parse_args()

    os.makedirs(WORK, exist_ok=True)
    rng = np.random.default_rng(0)
    a, b = rng.uniform(0, 2 * np.pi, (2, args.n))
    latent = np.stack([np.cos(a), np.sin(a), np.cos(b), np.sin(b)], axis=1)
    proj = rng.normal(size=(4, args.dim)) / np.sqrt(4)
    x = latent @ proj + rng.normal(scale=0.05, size=(args.n, args.dim))
    path = os.path.join(WORK, f"torus_{args.n}x{args.dim}.npy")
    np.save(path, x.astype(np.float64))

    import umap
    from sklearn.manifold import trustworthiness

    umap.UMAP(random_state=0).fit(x[:500])  # JIT warm-up, not timed
    t0 = time.perf_counter()
    emb_py = umap.UMAP(n_neighbors=15, min_dist=0.1, random_state=42).fit_transform(x)
    t_py = time.perf_counter() - t0
    tw_py = trustworthiness(x, emb_py, n_neighbors=15)

    subprocess.check_call(
        ["cargo", "build", "--quiet", "--release", "--example", "umap_timing"], cwd=ROOT
    )
    exe = os.path.join(TARGET, "release", "examples", "umap_timing")
    ours = json.loads(subprocess.check_output([exe, path, "42"], cwd=ROOT).decode().strip())
    emb_rs = np.load(path + ".canns.npy")
    tw_rs = trustworthiness(x, emb_rs, n_neighbors=15)

    print(f"UMAP of {args.n} points in R^{args.dim} (n_neighbors 15, min_dist 0.1, 2D)")
    print(f"{'':12}{'seconds':>10}{'trustworthiness (sklearn, k=15)':>34}")
    print(f"{'umap-learn':12}{t_py:>10.2f}{tw_py:>34.4f}")
    print(f"{'canns':12}{ours['seconds']:>10.2f}{tw_rs:>34.4f}")
    print(f"speed-up: {t_py / ours['seconds']:.1f}x; trustworthiness difference "
          f"{tw_rs - tw_py:+.4f} (ours computed in Rust: {ours['trustworthiness']:.4f})")


if __name__ == "__main__":
    main()
