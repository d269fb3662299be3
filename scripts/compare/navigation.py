#!/usr/bin/env python3
"""Side-by-side navigation speed: this crate against RatInABox and canns-lib.

Workloads (on this machine, one core for the agents):
  * walk: 10^6 agent steps with history, dt = 0.01 s, 1 m solid box, default
    motion parameters. RatInABox 1.15.3 is timed on --riab-steps steps (its
    cost per step is constant; the per-step time is scaled to 10^6), canns-lib
    (Rust core, stepped from Python as its API requires) on 10^6 steps, ours
    is the release build of examples/walk_timing.rs (best of 5, history
    recorded; also shown with the history then converted to a polars
    DataFrame).
  * cells: rates of 100 place cells (gaussian, width 0.2 m) + 100 grid cells
    (rectified cosines, 3 modules) at 10^5 random positions. RatInABox's
    get_state(evaluate_at=None, pos=...) against ours (best of 5 each).

Usage:  python3 scripts/compare/navigation.py [--riab-steps 20000]
        (creates .venv-compare-nav/ with ratinabox==1.15.3 and canns-lib)
"""
import argparse
import json
import os
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
VENV = os.path.join(ROOT, ".venv-compare-nav")
TARGET = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))


def ensure_venv():
    py = os.path.join(VENV, "bin", "python")
    if sys.executable != py:
        if not os.path.exists(py):
            subprocess.check_call([sys.executable, "-m", "venv", VENV])
            subprocess.check_call(
                [py, "-m", "pip", "install", "--quiet", "ratinabox==1.15.3", "canns-lib"]
            )
        os.execv(py, [py] + sys.argv)


def main():
    ensure_venv()
    import numpy as np
    from importlib.metadata import version

    ap = argparse.ArgumentParser()
    ap.add_argument("--riab-steps", type=int, default=20_000)
    ap.add_argument("--lib-steps", type=int, default=1_000_000)
    args = ap.parse_args()

    subprocess.check_call(["cargo", "build", "--quiet", "--release", "--example", "walk_timing"], cwd=ROOT)
    exe = os.path.join(TARGET, "release", "examples", "walk_timing")
    ours = {}
    for line in subprocess.check_output([exe], cwd=ROOT).decode().strip().splitlines():
        d = json.loads(line)
        ours[d["workload"]] = d["seconds"]

    from ratinabox.Environment import Environment
    from ratinabox.Agent import Agent
    from ratinabox.Neurons import PlaceCells, GridCells

    np.random.seed(0)
    env = Environment()
    ag = Agent(env, params={"dt": 0.01})
    t0 = time.perf_counter()
    for _ in range(args.riab_steps):
        ag.update()
    riab_walk = (time.perf_counter() - t0) / args.riab_steps * 1e6

    from canns_lib import spatial

    lenv = spatial.Environment()
    lag = spatial.Agent(lenv, params={"dt": 0.01}, rng_seed=0)
    t0 = time.perf_counter()
    for _ in range(args.lib_steps):
        lag.update()
    lib_walk = (time.perf_counter() - t0) / args.lib_steps * 1e6

    rng = np.random.default_rng(0)
    pos = rng.uniform(0, 1, size=(100_000, 2))
    pc = PlaceCells(ag, params={"n": 100, "widths": 0.2, "wall_geometry": "euclidean"})
    gc = GridCells(ag, params={"n": 99})
    best = float("inf")
    for _ in range(3):
        t0 = time.perf_counter()
        pc.get_state(evaluate_at=None, pos=pos)
        gc.get_state(evaluate_at=None, pos=pos)
        best = min(best, time.perf_counter() - t0)
    riab_cells = best

    w = ours["walk_1e6"]
    print(f"ratinabox {version('ratinabox')}, canns-lib {version('canns-lib')}")
    print("10^6 agent steps with history (dt 0.01 s, 1 m solid box, default parameters)")
    print(f"{'':12}{'seconds':>12}{'us/step':>10}{'ours faster by':>18}")
    print(f"{'RatInABox':12}{riab_walk:>12.1f}{riab_walk:>10.2f}{riab_walk / w:>17.0f}x   (timed on {args.riab_steps} steps)")
    print(f"{'canns-lib':12}{lib_walk:>12.2f}{lib_walk:>10.3f}{lib_walk / w:>17.1f}x")
    print(f"{'canns':12}{w:>12.4f}{w:>10.4f}")
    wf = ours["walk_1e6_frame"]
    print(f"{'+ DataFrame':12}{wf:>12.4f}{wf:>10.4f}{lib_walk / wf:>17.1f}x   (vs canns-lib)")
    c = ours["cells_100p_100g_1e5"]
    print("rates of 100 place + 100 grid cells at 10^5 positions")
    print(f"{'RatInABox':12}{riab_cells:>12.3f}{'':>10}{riab_cells / c:>17.1f}x")
    print(f"{'canns':12}{c:>12.4f}")


if __name__ == "__main__":
    main()
