#!/usr/bin/env python3
"""Fixed-point searches here and in the Python `canns` package (1.5), on this machine, side by side.

Workloads (the same as `benches/replay.rs`, group `fixed_points`):
  * the bistable map x -> tanh(2 x) in R^3 (27 fixed points: 8 stable corners at
    |x_i| = 0.957504, 18 saddles, the origin), 128 initial states sampled from 2000 states
    uniform in [-1.05, 1.05]^3, joint Adam at learning rate 0.05, at most 1000 iterations;
  * the 64-neuron CANN1D ring (defaults k = 8.1, a = 0.5, J0 = 4, tau = 1) as the map of one
    Euler step of 0.1, 64 initial states from bumps cued at 16 positions in [-2.6, 2.6] and
    relaxed, joint Adam, at most 1500 iterations (ours at learning rate 0.05; canns at its
    default 1.0, since at 0.05 none of its points reaches q < 1e-8 within 1500 iterations).
canns: `FixedPointFinder(method="joint", lr_init=..., tol_unique=1e-3, verbose=False)` on a
brainpy `DynamicalSystem` implementing the map, float32, timed around `find_fixed_points`
(optimisation, Jacobians and their eigen-decomposition), best of `--repeats` calls (its
Adam loop runs eagerly from Python, so there is nothing to compile ahead). Its ring states
come from its own CANN1D, whose grid includes the endpoint; ours from `Cann1d`
(endpoint-free grid), so the ring points are alike, not identical. Ours: the criterion
median of `cargo bench --bench replay -- fixed_points` (release build), which covers the
same steps (sampling, Adam, merging, Jacobians, eigenvalues).

Usage:  python3 scripts/compare/fixed_points.py [--repeats N] [--no-bench]
        (creates .venv-compare/ unless canns imports)
"""
import argparse
import json
import os
import re
import subprocess

from canns_peer import ROOT, ensure_canns, run_canns


CANNS = r'''
import json, sys, time, warnings
warnings.filterwarnings("ignore")
import numpy as np
import jax, jax.numpy as jnp
import brainpy as bp
import brainpy.math as bm
from canns.analyzer.slow_points import FixedPointFinder
from canns.models.basic import CANN1D

repeats = int(sys.argv[1])
ring_lr = float(sys.argv[2])
out = {}

class Bistable(bp.DynamicalSystem):
    def __init__(self):
        super().__init__()
        self.W = bm.Variable(2.0 * jnp.eye(3))
    def __call__(self, inputs, hidden):
        h = jnp.tanh(hidden @ self.W.value + 0.0 * inputs[:, 0, :1])
        return h[:, None, :], h

xs = 0.9575040240772687
traj = np.random.RandomState(0).uniform(-1.05, 1.05, (1, 2000, 3)).astype(np.float32)

def run(model, traj, n_inits, max_iters, lr):
    best, res = np.inf, None
    for _ in range(repeats):
        fpf = FixedPointFinder(model, method="joint", max_iters=max_iters, lr_init=lr,
                               tol_unique=1e-3, verbose=False)
        t0 = time.perf_counter()
        uniq, allfp = fpf.find_fixed_points(traj, np.zeros((1, 1), np.float32), n_inits=n_inits)
        best = min(best, time.perf_counter() - t0)
        res = (uniq, allfp)
    uniq, allfp = res
    it = int(allfp.n_iters[0]) if allfp.n else 0
    return best, it, uniq

wall, it, u = run(Bistable(), traj, 128, 1000, 0.05)
lab = np.round(u.xstar / xs).astype(int)
out["bistable"] = {"wall_s": wall, "iters": it, "n_unique": int(u.n),
                   "n_stable": int(np.sum(u.is_stable)),
                   "n_corners": int(np.sum(np.all(lab != 0, 1))),
                   "max_corner_error": float(np.max(np.abs(np.abs(u.xstar[np.all(lab != 0, 1)]) - xs)))}

bm.set_dt(0.1)
N = 64
cann = CANN1D(num=N)
W = np.asarray(cann.conn_mat)
kk, dt = 8.1, 0.1

class RingMap(bp.DynamicalSystem):
    def __init__(self):
        super().__init__()
        self.W = bm.Variable(jnp.asarray(W))
    def __call__(self, inputs, hidden):
        u = hidden
        r = u * u / (1.0 + kk * jnp.sum(u * u, axis=1, keepdims=True))
        un = u + dt * (-u + r @ self.W.value.T + 0.0 * inputs[:, 0, :1])
        return un[:, None, :], un

states = []
for c0 in np.linspace(-2.6, 2.6, 16):
    c2 = CANN1D(num=N)
    stim = np.asarray(c2.get_stimulus_by_pos(c0))
    inp = np.zeros((400, N), np.float32)
    inp[:100] = stim
    def step(i, I):
        c2(I)
        return c2.u.value
    us = np.asarray(bm.for_loop(step, (bm.arange(400), bm.asarray(inp)), progress_bar=False))
    states.append(us[150::10])
traj = np.stack(states).astype(np.float32)
wall, it, u = run(RingMap(), traj, 64, 1500, ring_lr)
ev = np.abs(u.eigval_J_xstar) if u.n else np.zeros((0, 1))
out["ring"] = {"wall_s": wall, "iters": it, "n_unique": int(u.n),
               "n_stable": int(np.sum(u.is_stable)) if u.n else 0,
               "top_abs_eig": [float(ev[:, 0].min()), float(ev[:, 0].max())] if u.n else None}
print(json.dumps(out))
'''


def ours():
    env = dict(os.environ)
    out = subprocess.run(["nice", "-n", "10", "cargo", "bench", "--bench", "replay", "--",
                          "--warm-up-time", "1", "--measurement-time", "4", "fixed_points"],
                         cwd=ROOT, capture_output=True, text=True, check=True, env=env).stdout
    res = {}
    unit = {"ns": 1e-9, "µs": 1e-6, "us": 1e-6, "ms": 1e-3, "s": 1.0}
    for m in re.finditer(r"fixed_points/(\w+)\s+time:\s+\[\S+ \S+ (\S+) (\S+) \S+ \S+\]", out):
        res[m.group(1)] = float(m.group(2)) * unit[m.group(3)]
    return res


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=2)
    ap.add_argument("--ring-lr", type=float, default=1.0,
                    help="canns's learning rate on the ring (its default 1.0; at 0.05 no point "
                         "reaches q < 1e-8 within 1500 iterations)")
    ap.add_argument("--no-bench", action="store_true", help="only the canns side")
    args = ap.parse_args()
    ensure_canns()
    c = run_canns(CANNS, args.repeats, args.ring_lr)
    print(json.dumps(c, indent=1))
    if args.no_bench:
        return
    o = ours()
    print(f"(load average {os.getloadavg()[0]:.2f} after)")
    rows = [("bistable tanh(2x) in R^3, 128 inits", "bistable", "bistable_tanh2x_128_inits"),
            ("CANN1D ring, 64 neurons, 64 inits", "ring", "cann_ring_n64_64_inits")]
    print("| workload | canns 1.5 | canns iterations | ours | speed-up |")
    print("| --- | --- | --- | --- | --- |")
    for label, ck, ok in rows:
        cw, mine = c[ck]["wall_s"], o.get(ok)
        if mine is not None:
            print(f"| {label} | {cw:.2f} s | {c[ck]['iters']} | {mine * 1e3:.2f} ms | {cw / mine:.0f}x |")


if __name__ == "__main__":
    main()
