"""What the side-by-side scripts share to run the Python `canns` package (1.5).

`ensure_canns()` re-runs the calling script under .venv-compare/ (created and filled from
PyPI on first use) unless `canns` already imports; `PER_STEP` is the source of the timer
the scripts prepend to the code they run with canns: a jitted `bm.for_loop` over n steps
whose step returns one float (so the timer waits for the result), compile excluded, best
of two calls, in ms per step.
"""
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
VENV = os.path.join(ROOT, ".venv-compare")


def ensure_canns():
    try:
        import canns  # noqa: F401
        return
    except ImportError:
        pass
    py = os.path.join(VENV, "bin", "python")
    if not os.path.exists(py):
        subprocess.check_call([sys.executable, "-m", "venv", VENV])
    subprocess.check_call([py, "-m", "pip", "install", "--quiet", "canns==1.5.*"])
    os.execv(py, [py] + sys.argv)


PER_STEP = r'''
import time
import numpy as np
import brainpy.math as bm

def per_step(step, n):
    fj = bm.jit(lambda: bm.for_loop(step, bm.arange(n), progress_bar=False))
    np.asarray(fj())
    best = np.inf
    for _ in range(2):
        t0 = time.perf_counter(); np.asarray(fj()); best = min(best, time.perf_counter() - t0)
    return best / n * 1e3
'''


def run_canns(code, *args):
    """Runs `code` (which prints one JSON line last) with this Python and `args`; returns
    the parsed JSON and prints how long the canns side took, with the load before it."""
    import json
    import time

    load = os.getloadavg()[0]
    t0 = time.time()
    out = subprocess.check_output([sys.executable, "-c", code, *map(str, args)], text=True)
    print(f"(canns side took {time.time() - t0:.0f} s; load average {load:.2f} before)")
    return json.loads(out.strip().splitlines()[-1])
