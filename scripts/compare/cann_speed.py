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


MEASURE = "import resource, subprocess, sys; out = subprocess.check_output(sys.argv[1:], text=True); " \
          "print(out.strip()); print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"


def run_ours(which):
    """Our release example in a fresh process; peak RSS of that process alone."""
    subprocess.check_call(["cargo", "build", "--release", "--quiet", "--example", "cann_timing"], cwd=ROOT)
    target = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
    exe = os.path.join(target, "release", "examples", "cann_timing")
    lines = subprocess.check_output([sys.executable, "-c", MEASURE, exe, which], text=True).strip().splitlines()
    d = json.loads(lines[0])
    d["maxrss_mb"] = int(lines[-1]) / 1024
    return d


def main():
    ensure_venv()
    rows = [("CANN1D 512 neurons, 10^4 steps", run_canns("cann1d"), run_ours("cann1d")),
            ("CANN2D 100x100 neurons, 10^3 steps", run_canns("cann2d"), run_ours("cann2d"))]
    print("| workload | canns: build + input + run | canns peak RSS | ours, end to end | ours peak RSS | speed-up |")
    print("| --- | --- | --- | --- | --- | --- |")
    for name, c, o in rows:
        print(f"| {name} | {c['total']:.2f} s ({c['build']:.2f} + {c['input']:.2f} + {c['run']:.2f}) | {c['maxrss_mb']:.0f} MB "
              f"| {o['seconds']:.3f} s | {o['maxrss_mb']:.0f} MB | {c['total'] / o['seconds']:.0f}x |")


if __name__ == "__main__":
    main()
