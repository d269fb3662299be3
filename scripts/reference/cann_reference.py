#!/usr/bin/env python3
"""Reference bump dynamics from the Python `canns` package, as test fixtures.

Runs canns's CANN1D, CANN1D_SFA and CANN2D on population-coding and smooth-tracking
tasks (dt = 0.1, float64) and writes, per step, the bump centre (population vector of
r = u^2 / (1 + k sum u^2)), height (max u) and width (the Gaussian fit of
canns::analysis::width_1d) to tests/fixtures/cann/*.json.

Each case is run twice:
  * "canns": canns's own neuron grid, linspace(-pi, pi, N) (two neurons at -pi = pi);
  * "exact": the same model with the grid -pi + i 2pi/N, which is the grid of the
    Rust crate, so u must agree to rounding.

Usage (creates its own venv):  python3 scripts/reference/cann_reference.py
"""
import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
VENV = os.path.join(ROOT, ".venv-ref-cann")
CANNS_VERSION = os.environ.get("CANNS_VERSION", "")
OUT = os.path.join(ROOT, "tests", "fixtures", "cann")


def ensure_venv():
    py = os.path.join(VENV, "bin", "python")
    if sys.executable != py:
        if not os.path.exists(py):
            subprocess.check_call([sys.executable, "-m", "venv", VENV])
        spec = "canns" + (f"=={CANNS_VERSION}" if CANNS_VERSION else "")
        subprocess.check_call([py, "-m", "pip", "install", "--quiet", spec])
        os.execv(py, [py] + sys.argv)


ensure_venv()

import jax  # noqa: E402

jax.config.update("jax_enable_x64", True)
import brainpy.math as bm  # noqa: E402
import numpy as np  # noqa: E402
from importlib.metadata import version  # noqa: E402
from canns.models.basic import CANN1D, CANN1D_SFA, CANN2D  # noqa: E402
from canns.task.tracking import PopulationCoding1D, PopulationCoding2D, SmoothTracking1D  # noqa: E402

DT = 0.1
bm.enable_x64()
bm.set_dt(DT)


def circ_centre(x, w):
    c, s = (w * np.cos(x)).sum(), (w * np.sin(x)).sum()
    return float(np.arctan2(s, c)) if w.sum() > 0 else float("nan")


def wrap(d):
    d = np.remainder(d, 2 * np.pi)
    return np.where(d > np.pi, d - 2 * np.pi, d)


def width(x, r, centre):
    """Weighted least squares of ln r on d^2 over r > 5% of peak (as the Rust crate)."""
    peak = r.max()
    if not peak > 0:
        return float("nan")
    keep = r > 0.05 * peak
    if keep.sum() < 3:
        return float("nan")
    d2 = wrap(x[keep] - centre) ** 2
    y = np.log(r[keep] / peak)
    w = r[keep] / peak
    sw, sx, sy = w.sum(), (w * d2).sum(), (w * y).sum()
    sxx, sxy = (w * d2 * d2).sum(), (w * d2 * y).sum()
    det = sw * sxx - sx * sx
    if det <= 0:
        return float("nan")
    slope = (sw * sxy - sx * sy) / det
    return float(np.sqrt(-1.0 / (2 * slope))) if slope < 0 else float("nan")


def use_exact_grid(model):
    n = model.x.shape[0]
    model.x = bm.asarray(-np.pi + np.arange(n) * 2 * np.pi / n)
    model.conn_mat = model.make_conn()
    # canns >= 1.5 precomputes its recurrent matvec backend from conn_mat.
    if hasattr(model, "_setup_accl"):
        model._setup_accl()


def run(make_model, make_task, exact, dim, checkpoints):
    model = make_model()
    if exact:
        use_exact_grid(model)
    task = make_task(model)
    task.get_data(progress_bar=False)
    data = np.asarray(task.data)
    x = np.asarray(model.x)
    k = float(model.k)
    assert np.asarray(model.u.value).dtype == np.float64, "canns must run in float64"
    assert data.dtype == np.float64
    stats = {"centre_1": [], "height": [], "width": []}
    if dim == 2:
        stats["centre_2"] = []
    u_at = {}
    for i in range(data.shape[0]):
        model.update(bm.asarray(data[i]))
        u = np.asarray(model.u.value, dtype=np.float64)
        r = u**2 / (1.0 + k * (u**2).sum())
        stats["height"].append(float(u.max()))
        if dim == 1:
            c = circ_centre(x, r)
            stats["centre_1"].append(c)
            stats["width"].append(width(x, r, c))
        else:
            # Row-major (i, j) prefers (x_j, x_i): columns are the first coordinate.
            c1 = circ_centre(x, r.sum(axis=0))
            c2 = circ_centre(x, r.sum(axis=1))
            stats["centre_1"].append(c1)
            stats["centre_2"].append(c2)
            if np.isfinite(c2):
                row = int(np.round((wrap(c2) + np.pi) / (2 * np.pi / len(x)))) % len(x)
                stats["width"].append(width(x, r[row], c1))
            else:
                stats["width"].append(float("nan"))
        if i in checkpoints:
            u_at[str(i)] = u.reshape(-1).tolist()
    return stats, u_at, data.shape[0]


def case(name, make_model, make_task, model_params, task_params, dim=1, checkpoints=()):
    out = {"case": name, "canns_version": version("canns"), "dt": DT, "dim": dim,
           "model": model_params, "task": task_params}
    for grid in ("canns", "exact"):
        stats, u_at, steps = run(make_model, make_task, grid == "exact", dim, set(checkpoints))
        out[grid] = stats
        out["n_steps"] = steps
        if grid == "exact":
            out["exact_u"] = u_at
    for grid in ("canns", "exact"):
        # JSON has no NaN: steps without a bump (no activity yet) are null.
        out[grid] = {k: [v if np.isfinite(v) else None for v in vals] for k, vals in out[grid].items()}
    path = os.path.join(OUT, f"{name}.json")
    with open(path, "w") as f:
        json.dump(out, f, separators=(",", ":"))
    print(f"{name}: {out['n_steps']} steps -> {path} ({os.path.getsize(path) // 1024} KB)")


def main():
    os.makedirs(OUT, exist_ok=True)
    case(
        "population_coding_1d",
        lambda: CANN1D(num=512),
        lambda m: PopulationCoding1D(cann_instance=m, before_duration=1.0, after_duration=40.0,
                                     Iext=1.0, duration=10.0, time_step=DT),
        {"num": 512}, {"position": [1.0], "before": 1.0, "duration": 10.0, "after": 40.0},
        checkpoints=(50, 200, 509),
    )
    case(
        "tracking_1d",
        lambda: CANN1D(num=512),
        lambda m: SmoothTracking1D(cann_instance=m, Iext=(-1.0, 0.5), duration=(75.0,), time_step=DT),
        {"num": 512}, {"keypoints": [[-1.0], [0.5]], "durations": [75.0]},
        checkpoints=(100, 749),
    )
    case(
        "sfa_tracking_1d",
        lambda: CANN1D_SFA(num=512),
        lambda m: SmoothTracking1D(cann_instance=m, Iext=(-1.0, 0.0), duration=(200.0,), time_step=DT),
        {"num": 512, "sfa": True}, {"keypoints": [[-1.0], [0.0]], "durations": [200.0]},
        checkpoints=(1999,),
    )
    case(
        "population_coding_2d",
        lambda: CANN2D(length=32),
        lambda m: PopulationCoding2D(cann_instance=m, before_duration=1.0, after_duration=20.0,
                                     Iext=(0.5, -1.0), duration=10.0, time_step=DT),
        {"length": 32}, {"position": [0.5, -1.0], "before": 1.0, "duration": 10.0, "after": 20.0},
        dim=2, checkpoints=(309,),
    )


if __name__ == "__main__":
    main()
