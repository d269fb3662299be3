#!/usr/bin/env python3
"""Runs per second of a parameter sweep: this crate's `canns sweep` against canns 1.5.

The sweep (scripts/compare/sweep_10k.json): CANN1D with adaptation (canns' CANN1D_SFA
defaults: a = 0.3, A = 0.2, J0 = 1, k = 8.1, tau = 1), 512 neurons, smooth tracking from
-1 to 1 rad over 100 time units at dt = 0.1 (10^3 steps), over m in linspace(0, 0.1, 100)
x tau_v in linspace(20, 50, 100): 10,000 runs, metrics only (tracking lag, bump height).

* ours: the release `canns sweep SPEC --out DIR` on every core (rayon), Parquet dataset
  included; `--runs N` runs the first N runs only (`--limit`) and scales.
* canns, Python loop: per run, a CANN1D_SFA and a SmoothTracking1D are built, the run is
  canns' documented `bm.for_loop` (JIT-compiled), the lag is computed with numpy. One
  process, as a user's loop would be; timed over a subset and scaled to 10,000 runs.
* canns parameters cannot be batched: they are Python attributes of stateful model
  objects, fixed when `for_loop` traces `update`, so `jax.vmap` over (m, tau_v) does not
  apply to canns' models. As an upper bound for anything built on canns, the script also
  times `jax.vmap` of the same update equations written as a pure JAX function, with
  canns' own connection matrix and stimulus (float32, batch of runs per call).

Usage:
  python3 scripts/compare/sweep.py [--runs 2000] [--py-runs 20] [--vmap-runs 500]
Prints one JSON line per engine with runs/s (scaled to the full sweep where subsetted).
"""
import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "compare"))
from canns_peer import ensure_canns  # noqa: E402

ensure_canns()  # before numpy: the venv it may create has it

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SPEC = os.path.join(ROOT, "scripts", "compare", "sweep_10k.json")
N_RUNS = 10_000


def grid():
    ms = np.linspace(0.0, 0.1, 100)
    tvs = np.linspace(20.0, 50.0, 100)
    return [(m, tv) for m in ms for tv in tvs]


def cpu_seconds(who):
    r = resource.getrusage(who)
    return r.ru_utime + r.ru_stime


def ours(runs, build):
    target = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
    if build:
        subprocess.check_call(["cargo", "build", "--release", "--quiet", "--bin", "canns"], cwd=ROOT)
    exe = os.path.join(target, "release", "canns")
    out = tempfile.mkdtemp(prefix="canns-sweep-bench-")
    try:
        c0 = cpu_seconds(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        text = subprocess.check_output(
            [exe, "sweep", SPEC, "--out", out, "--quiet", "--limit", str(runs)], text=True)
        wall = time.perf_counter() - t0
        cpu = cpu_seconds(resource.RUSAGE_CHILDREN) - c0
    finally:
        shutil.rmtree(out, ignore_errors=True)
    return {"engine": "canns-rs sweep (release, all cores, Parquet included)", "runs": runs,
            "runs_per_s": runs / wall, "cpu_s_per_run": cpu / runs, "threads": os.cpu_count()}


def lag_of(r, target, dt, from_step, x):
    c = np.angle(r @ np.exp(1j * x))
    e = np.angle(np.exp(1j * (c - target)))
    v = np.diff(target) / dt
    moving = np.abs(v) > 1e-12
    e, v = e[:-1], v
    keep = moving.copy()
    keep[:from_step] = False
    off = np.mean(-e[keep] * np.sign(v[keep]))
    return off / np.mean(np.abs(v[keep]))


def canns_loop(n):
    import brainpy.math as bm
    from canns.models.basic import CANN1D_SFA
    from canns.task.tracking import SmoothTracking1D

    bm.set_dt(0.1)
    pts = grid()
    lags = []
    c0 = cpu_seconds(resource.RUSAGE_SELF)
    t0 = time.perf_counter()
    for m, tv in pts[:: max(1, len(pts) // n)][:n]:
        model = CANN1D_SFA(num=512, m=float(m), tau_v=float(tv))
        task = SmoothTracking1D(cann_instance=model, Iext=(-1.0, 1.0), duration=(100.0,), time_step=0.1)
        task.get_data(progress_bar=False)

        def step(inp):
            model.update(inp)
            return model.r.value

        rs = np.asarray(bm.for_loop(step, task.data, progress_bar=False))
        target = np.linspace(-1.0, 1.0, rs.shape[0])
        x = np.asarray(model.x)
        lags.append(lag_of(rs, target, 0.1, 200, x))
    wall = time.perf_counter() - t0
    cpu = cpu_seconds(resource.RUSAGE_SELF) - c0
    return {"engine": "canns 1.5, Python loop (bm.for_loop per run)", "runs": n,
            "runs_per_s": n / wall, "cpu_s_per_run": cpu / n, "mean_lag": float(np.mean(lags))}


def jax_vmap(n, batch):
    import brainpy.math as bm
    import jax
    import jax.numpy as jnp
    from canns.models.basic import CANN1D_SFA
    from canns.task.tracking import SmoothTracking1D

    bm.set_dt(0.1)
    model = CANN1D_SFA(num=512)
    task = SmoothTracking1D(cann_instance=model, Iext=(-1.0, 1.0), duration=(100.0,), time_step=0.1)
    task.get_data(progress_bar=False)
    conn = jnp.asarray(model.conn_mat)
    inputs = jnp.asarray(task.data)
    k, tau, dt = model.k, model.tau, 0.1
    x = jnp.asarray(model.x)
    cx, sx = jnp.cos(x), jnp.sin(x)

    def run(m, tau_v):
        def step(state, inp):
            u, v = state
            r1 = u * u
            r = r1 / (1.0 + k * jnp.sum(r1))
            u = u + (-u + conn @ r + inp - v) / tau * dt
            v = v + (-v + m * u) / tau_v * dt
            return (u, v), jnp.arctan2(r @ sx, r @ cx)

        zero = jnp.zeros(512, dtype=conn.dtype)
        _, centre = jax.lax.scan(step, (zero, zero), inputs)
        return centre

    batched = jax.jit(jax.vmap(run))
    pts = np.array(grid()[:n], dtype=np.float32)
    batched(jnp.asarray(pts[:batch, 0]), jnp.asarray(pts[:batch, 1])).block_until_ready()
    c0 = cpu_seconds(resource.RUSAGE_SELF)
    t0 = time.perf_counter()
    for i in range(0, n, batch):
        c = batched(jnp.asarray(pts[i:i + batch, 0]), jnp.asarray(pts[i:i + batch, 1]))
        c.block_until_ready()
    wall = time.perf_counter() - t0
    cpu = cpu_seconds(resource.RUSAGE_SELF) - c0
    return {"engine": "jax.vmap of the same equations (canns' conn and input; not canns' models)",
            "runs": n, "batch": batch, "runs_per_s": n / wall, "cpu_s_per_run": cpu / n}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=N_RUNS)
    ap.add_argument("--py-runs", type=int, default=20)
    ap.add_argument("--vmap-runs", type=int, default=500)
    ap.add_argument("--batch", type=int, default=100)
    ap.add_argument("--skip", default="", help="comma-separated: ours,loop,vmap")
    ap.add_argument("--no-build", action="store_true", help="use the release binary as it is")
    a = ap.parse_args()
    skip = set(a.skip.split(","))
    results = []
    if "ours" not in skip:
        results.append(ours(a.runs, not a.no_build))
    if "loop" not in skip:
        results.append(canns_loop(a.py_runs))
    if "vmap" not in skip:
        results.append(jax_vmap(a.vmap_runs, a.batch))
    for r in results:
        r["seconds_for_10k_runs"] = N_RUNS / r["runs_per_s"]
        # On a machine shared with other jobs wall time depends on the load; CPU time per run
        # does not, and on 2 idle cores a sweep's rate is about 2 / cpu_s_per_run.
        r["runs_per_s_on_2_idle_cores"] = 2.0 / r["cpu_s_per_run"]
        print(json.dumps(r))
    if len(results) > 1 and results[0]["engine"].startswith("canns-rs"):
        for key in ("runs_per_s", "runs_per_s_on_2_idle_cores"):
            best = max(r[key] for r in results[1:])
            print(json.dumps({"speedup_vs_best_python_" + key: results[0][key] / best}))


if __name__ == "__main__":
    sys.exit(main())
