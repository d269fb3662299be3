#!/usr/bin/env python3
"""Per-step time of the path-integration models here and in the Python `canns` package (1.5),
on this machine, side by side.

Models (the sizes of `benches/path_integration.rs`):
  * GridCell2DPosition, 30 x 30 (canns's default length);
  * GridCell2DVelocity, 40 x 40, dt = 0.5 ms;
  * HierarchicalNetwork, 5 modules, 30^2 place cells, dt = 0.05 s.
canns: a jitted `bm.for_loop` over n steps whose step returns one float (so the timer waits
for the result), compile excluded, best of two calls, float32. Ours: the criterion bench's
median (`cargo bench --bench path_integration`, release build).

Usage:  python3 scripts/compare/path_integration.py [--no-bench]
        (creates .venv-compare/ unless canns imports; --no-bench reads the last criterion run
        from target/criterion instead of running the bench)
"""
import json
import os
import subprocess
import sys

from canns_peer import PER_STEP, ROOT, ensure_canns, run_canns
BENCHES = {
    "grid_position_30x30": "GridCell2DPosition, 30 x 30",
    "grid_velocity_40x40": "GridCell2DVelocity, 40 x 40",
    "hierarchical_5_modules_30x30_place": "HierarchicalNetwork, 5 modules, 30^2 place cells",
}


CANNS = PER_STEP + r'''
import json
from canns.models.basic import GridCell2DPosition, GridCell2DVelocity, HierarchicalNetwork

out = {}
bm.set_dt(1.0)
pos = GridCell2DPosition(length=30)
def st_pos(i):
    pos(bm.asarray([0.5, 0.5]))
    return pos.r.value[0]
out["grid_position_30x30"] = per_step(st_pos, 5000)
bm.set_dt(5e-4)
vel = GridCell2DVelocity(length=40)
def st_vel(i):
    vel(bm.asarray([0.1, 0.0]))
    return vel.r.value[0]
out["grid_velocity_40x40"] = per_step(st_vel, 4000)
bm.set_dt(0.05)
hier = HierarchicalNetwork(num_module=5, num_place=30)
def st_hier(i):
    hier(velocity=bm.asarray([0.01, 0.0]), loc=bm.asarray([2.5, 2.5]), loc_input_stre=0.0)
    return hier.decoded_pos.value[0]
out["hierarchical_5_modules_30x30_place"] = per_step(st_hier, 500)
print(json.dumps(out))
'''


def criterion_dir():
    target = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
    return os.path.join(target, "criterion", "path_integration_step")


def ours(run_bench):
    if run_bench:
        subprocess.run(["cargo", "bench", "--bench", "path_integration", "--", "--warm-up-time", "1",
                        "--measurement-time", "3"], cwd=ROOT, capture_output=True, text=True, check=True)
    res = {}
    for key in BENCHES:
        path = os.path.join(criterion_dir(), key, "new", "estimates.json")
        with open(path) as fh:
            res[key] = json.load(fh)["median"]["point_estimate"] * 1e-6  # ns -> ms
    return res


def main():
    ensure_canns()
    c = run_canns(CANNS)
    o = ours("--no-bench" not in sys.argv)
    print("| model | canns 1.5 per step | ours per step | speed-up |")
    print("| --- | --- | --- | --- |")
    for key, label in BENCHES.items():
        ms, mine = c[key], o[key]
        print(f"| {label} | {ms:.4f} ms | {mine:.4f} ms | {ms / mine:.1f}x |")


if __name__ == "__main__":
    main()
