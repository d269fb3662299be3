#!/usr/bin/env python3
"""Reference PCA (scikit-learn), UMAP (umap-learn) and trustworthiness numbers,
as test fixtures for tests/embed.rs.

Datasets (seed 0), rounded to float32 so both sides read identical inputs:
  * circle: 2000 points on a unit circle in a random 2-plane of R^50, plus
    N(0, 0.05^2) noise in every dimension;
  * blobs: 4 Gaussian blobs (250 points each, unit variance) in R^20, centres N(0, 5^2);
  * torus: 1000 points on the Clifford torus (cos a, sin a, cos b, sin b) in R^4,
    plus N(0, 0.05^2) noise.

Writes tests/fixtures/embed/<name>.npy (the data), <name>_umap.npy (umap-learn's
2D embedding, float32) and <name>.json: PCA (svd_solver="full") explained
variance, ratio, singular values, mean and the first components; umap-learn's
parameters, fitted (a, b), time, and sklearn's trustworthiness of its embedding
for k = 5 and 15; and find_ab_params for a few (spread, min_dist).

Usage (creates its own venv):  python3 scripts/reference/umap_reference.py
"""
import json
import os
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
VENV = os.path.join(ROOT, ".venv-ref-embed")
OUT = os.path.join(ROOT, "tests", "fixtures", "embed")


def ensure_venv():
    py = os.path.join(VENV, "bin", "python")
    if sys.executable != py:
        if not os.path.exists(py):
            subprocess.check_call([sys.executable, "-m", "venv", VENV])
        subprocess.check_call(
            [py, "-m", "pip", "install", "--quiet", "umap-learn", "scikit-learn", "numpy"]
        )
        os.execv(py, [py] + sys.argv)


ensure_venv()
import numpy as np  # noqa: E402
from importlib.metadata import version  # noqa: E402
from sklearn.decomposition import PCA  # noqa: E402
from sklearn.manifold import trustworthiness  # noqa: E402
import umap  # noqa: E402
from umap.umap_ import find_ab_params  # noqa: E402

rng = np.random.default_rng(0)


def circle(n=2000, dim=50, noise=0.05):
    t = rng.uniform(0, 2 * np.pi, n)
    basis, _ = np.linalg.qr(rng.normal(size=(dim, 2)))
    x = np.c_[np.cos(t), np.sin(t)] @ basis.T + noise * rng.normal(size=(n, dim))
    return x


def blobs(per=250, k=4, dim=20):
    centres = 5.0 * rng.normal(size=(k, dim))
    return np.vstack([c + rng.normal(size=(per, dim)) for c in centres])


def torus(n=1000, noise=0.05):
    a, b = rng.uniform(0, 2 * np.pi, (2, n))
    return np.c_[np.cos(a), np.sin(a), np.cos(b), np.sin(b)] + noise * rng.normal(size=(n, 4))


def main():
    os.makedirs(OUT, exist_ok=True)
    versions = {p: version(p) for p in ("umap-learn", "scikit-learn", "numpy")}
    # JIT warm-up, so the recorded times are steady state.
    umap.UMAP(random_state=1).fit_transform(rng.normal(size=(300, 5)))
    for name, x in (("circle", circle()), ("blobs", blobs()), ("torus", torus())):
        x = x.astype(np.float32)
        np.save(os.path.join(OUT, f"{name}.npy"), x)
        x = x.astype(np.float64)
        k = min(10, x.shape[1])
        pca = PCA(n_components=k, svd_solver="full").fit(x)
        t0 = time.perf_counter()
        reducer = umap.UMAP(n_neighbors=15, min_dist=0.1, n_components=2, random_state=42)
        emb = reducer.fit_transform(x)
        t_umap = time.perf_counter() - t0
        emb = emb.astype(np.float32)
        np.save(os.path.join(OUT, f"{name}_umap.npy"), emb)
        emb64 = emb.astype(np.float64)
        out = {
            "name": name,
            "versions": versions,
            "n": int(x.shape[0]),
            "dim": int(x.shape[1]),
            "data": f"{name}.npy",
            "pca": {
                "n_components": k,
                "explained_variance": pca.explained_variance_.tolist(),
                "explained_variance_ratio": pca.explained_variance_ratio_.tolist(),
                "singular_values": pca.singular_values_.tolist(),
                "mean": pca.mean_.tolist(),
                "components": pca.components_[:3].tolist(),
            },
            "umap": {
                "embedding": f"{name}_umap.npy",
                "n_neighbors": 15,
                "min_dist": 0.1,
                "random_state": 42,
                "a": float(reducer._a),
                "b": float(reducer._b),
                "seconds": t_umap,
                "trustworthiness": {
                    str(kk): float(trustworthiness(x, emb64, n_neighbors=kk)) for kk in (5, 15)
                },
            },
        }
        with open(os.path.join(OUT, f"{name}.json"), "w") as f:
            json.dump(out, f, indent=1)
        print(name, x.shape, "umap", round(t_umap, 2), "s, T(5) =", out["umap"]["trustworthiness"]["5"])
    ab = []
    for spread, min_dist in ((1.0, 0.1), (1.0, 0.0), (1.0, 0.5), (2.0, 0.3), (0.5, 0.01)):
        a, b = find_ab_params(spread, min_dist)
        ab.append({"spread": spread, "min_dist": min_dist, "a": float(a), "b": float(b)})
    with open(os.path.join(OUT, "ab.json"), "w") as f:
        json.dump({"versions": versions, "cases": ab}, f, indent=1)
    print("ab", ab)


main()
