#!/usr/bin/env python3
"""Per-step time of the theta-sweep networks here and in the Python `canns` package (1.5),
on this machine, side by side.

Networks (the sizes of `benches/theta_sweep.rs`):
  * DirectionCellNetwork, 100 neurons;
  * GridCellNetwork, 100 x 100 neurons driven by 100 direction cells;
  * PlaceCellNetwork on the T-maze of Chu et al. (2024) at 0.05 m: 3153 cells, with
    Chu et al.'s parameters (a = 0.3 m, noise 0.05).
canns: a jitted `bm.for_loop` over n steps whose step returns one float (so the timer
waits for the result), compile excluded, best of two calls, float32. Ours: the criterion
bench's median (`cargo bench --bench theta_sweep`, release build).

With --place-only, both sides run the place network alone (the other networks are skipped).
The bench inherits the environment (e.g. CANNS_BENCH_CLOCK=cpu RAYON_NUM_THREADS=1).

Usage:  python3 scripts/compare/theta_sweep.py [--place-only]
        (creates .venv-compare/ unless canns imports)
"""
import re
import subprocess
import sys

from canns_peer import PER_STEP, ROOT, ensure_canns, run_canns


CANNS = PER_STEP + r'''
import json
import sys
from canns.models.basic.theta_sweep_model import DirectionCellNetwork, GridCellNetwork, PlaceCellNetwork
from canns.task.open_loop_navigation import TMazeRecessOpenLoopNavigationTask

out = {}
bm.set_dt(1.0)
if "--place-only" not in sys.argv:
    dc = DirectionCellNetwork(num=100)
    def st_dc(i):
        dc(0.3, 1.0)
        return dc.r.value[0]
    out["direction_100"] = per_step(st_dc, 20000)
    gc = GridCellNetwork()
    dact = bm.asarray(np.asarray(dc.r.value))
    def st_gc(i):
        gc(bm.asarray([0.5, 0.5]), dact, 1.0)
        return gc.r.value[0]
    out["grid_100x100"] = per_step(st_gc, 40)
    del gc
tm = TMazeRecessOpenLoopNavigationTask(duration=0.01, w=0.84, l_s=3.64, l_arm=2.36, t=1.0,
    start_pos=(0.0, 0.6), recess_width=0.2, recess_depth=0.2, dt=0.001, rng_seed=0, progress_bar=False)
tm.get_data()
tm.set_grid_resolution(0.05, 0.05)
geo = tm.compute_geodesic_distance_matrix()
pc = PlaceCellNetwork(geo, tau=3.0, tau_v=150.0, noise_strength=0.05, k=1.40, m=1.1, a=0.3,
                      A=2.3, J0=0.25, g=20.0, conn_noise=0.0)
def st_pc(i):
    pc(bm.asarray([0.0, 1.0]), 1.0)
    return pc.r.value[0]
out["place_tmaze_" + str(pc.cell_num)] = per_step(st_pc, 2000)
print(json.dumps(out))
'''


def ours(place_only):
    which = "place_tmaze" if place_only else "direction_100|grid_100x100|place_tmaze"
    out = subprocess.run(["nice", "cargo", "bench", "--bench", "theta_sweep", "--", "--warm-up-time", "1",
                          "--measurement-time", "4", which],
                         cwd=ROOT, capture_output=True, text=True, check=True).stdout
    res = {}
    unit = {"ns": 1e-6, "µs": 1e-3, "us": 1e-3, "ms": 1.0, "s": 1e3}
    for m in re.finditer(r"([\w.-]+)\s+time:\s+\[\S+ \S+ (\S+) (\S+) \S+ \S+\]", out):
        res[m.group(1)] = float(m.group(2)) * unit[m.group(3)]
    return res


def main():
    ensure_canns()
    place_only = "--place-only" in sys.argv
    o = ours(place_only)
    c = run_canns(CANNS, *(["--place-only"] if place_only else []))
    print("| network | canns 1.5 per step | ours per step | speed-up |")
    print("| --- | --- | --- | --- |")
    for name, ms in c.items():
        for label, key in [(name, name), (name + ", every kernel entry kept", name + "_dense"),
                           (name + ", activity_cutoff 1e-3", name + "_activity_1e-3")]:
            mine = o.get(key)
            if mine is not None:
                print(f"| {label} | {ms:.4f} ms | {mine:.4f} ms | {ms / mine:.1f}x |")


if __name__ == "__main__":
    main()
