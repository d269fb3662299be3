#!/usr/bin/env python3
"""Side-by-side speed of this crate and the Python `canns` package, on this machine.

Workloads (end to end: building the model, generating the task's input, running):
  * CANN1D, 512 neurons, 10^4 steps of smooth tracking (dt = 0.1);
  * CANN2D, 100 x 100 neurons, 10^3 steps of smooth tracking.
canns runs its models under brainpy's JIT-compiled `for_loop` (its documented way),
in its default float32; ours is the release build of `examples/cann_timing.rs`.
Each workload runs in its own process; peak resident memory is reported.

Usage:  python3 scripts/compare/cann_speed.py      (creates .venv-compare/)
"""
import json
import os
import resource
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
VENV = os.path.join(ROOT, ".venv-compare")


def ensure_venv():
    py = os.path.join(VENV, "bin", "python")
    if sys.executable != py:
        if not os.path.exists(py):
            subprocess.check_call([sys.executable, "-m", "venv", VENV])
        subprocess.check_call([py, "-m", "pip", "install", "--quiet", "canns"])
        os.execv(py, [py] + sys.argv)


CANNS_WORKLOAD = r'''
import json, sys, time, resource
t0 = time.perf_counter()
import brainpy.math as bm
from canns.models.basic import CANN1D, CANN2D
from canns.task.tracking import SmoothTracking1D, SmoothTracking2D
t_import = time.perf_counter() - t0
bm.set_dt(0.1)
which = sys.argv[1]
t0 = time.perf_counter()
if which == "cann1d":
    model = CANN1D(num=512)
    task = SmoothTracking1D(cann_instance=model, Iext=(0.0, 3.0), duration=(1000.0,), time_step=0.1)
else:
    model = CANN2D(length=100)
    task = SmoothTracking2D(cann_instance=model, Iext=((0.0, 0.0), (1.0, 1.0)), duration=(100.0,), time_step=0.1)
t_build = time.perf_counter() - t0
t0 = time.perf_counter()
task.get_data(progress_bar=False)
t_input = time.perf_counter() - t0

def step(inp):
    model.update(inp)
    return model.u.value

t0 = time.perf_counter()
us = bm.for_loop(step, task.data, progress_bar=False)
us.block_until_ready()
t_run = time.perf_counter() - t0
print(json.dumps({"build": t_build, "input": t_input, "run": t_run, "steps": int(task.data.shape[0]),
                  "total": t_build + t_input + t_run, "import": t_import,
                  "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
'''


def run_canns(which):
    out = subprocess.check_output([sys.executable, "-c", CANNS_WORKLOAD, which], text=True)
    return json.loads(out.strip().splitlines()[-1])


def run_ours():
    subprocess.check_call(["cargo", "build", "--release", "--quiet", "--example", "cann_timing"], cwd=ROOT)
    target = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
    exe = os.path.join(target, "release", "examples", "cann_timing")
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    out = subprocess.check_output([exe], text=True)
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    rows = {}
    for line in out.splitlines():
        d = json.loads(line)
        rows[d["workload"]] = d
    return rows, max(peak, before) / 1024


def main():
    ensure_venv()
    ours, our_rss = run_ours()
    c1 = run_canns("cann1d")
    c2 = run_canns("cann2d")
    o1 = ours["cann1d_512_10k"]["seconds"]
    o2 = ours["cann2d_100x100_1k"]["seconds"]
    print("| workload | canns (build + input + run) | canns peak RSS | ours (end to end) | ours peak RSS | speed-up |")
    print("| --- | --- | --- | --- | --- | --- |")
    print(f"| CANN1D 512 neurons, 10^4 steps | {c1['total']:.2f} s ({c1['build']:.2f} + {c1['input']:.2f} + {c1['run']:.2f}) "
          f"| {c1['maxrss_mb']:.0f} MB | {o1:.3f} s | {our_rss:.0f} MB (both runs) | {c1['total'] / o1:.0f}x |")
    print(f"| CANN2D 100x100 neurons, 10^3 steps | {c2['total']:.2f} s ({c2['build']:.2f} + {c2['input']:.2f} + {c2['run']:.2f}) "
          f"| {c2['maxrss_mb']:.0f} MB | {o2:.3f} s | {our_rss:.0f} MB (both runs) | {c2['total'] / o2:.0f}x |")


if __name__ == "__main__":
    main()
