#!/usr/bin/env python3
"""Side-by-side speed of this crate's learning code and the Python `canns` package (1.5).

Workloads (the same sizes on both sides):
  * AmariHopfieldNetwork(500) with Gaussian weights: one synchronous update, one
    asynchronous sweep of the 500 neurons (canns: a jitted brainpy for_loop, best of 2
    cached calls, compile excluded);
  * Oja, Sanger, BCM on LinearLayer(100, 10) and STDP on SpikingLayer(100, 10), per
    sample over a 1500-sample train() call: in canns the best of two repeated calls
    (compiled stack and scan reused) and, separately, the first call (which compiles for
    this length, as a user pays it); the criterion time of one 1500-sample pass here;
  * Oja on 10^5 samples: canns needs minutes to compile the stack of a long list
    (3 min 52 s at 2 x 10^4 samples on the reference machine), so it runs only with
    --canns-big (at 2 x 10^4 samples);
  * the 1000-neuron LIF ring, 1 s of biological time: canns has no spiking ring.

Our numbers are criterion's (release build):
    nice cargo bench --bench learning -- --warm-up-time 1 --measurement-time 3
which this script runs first unless --no-bench is given (it then reads the last run
from $CARGO_TARGET_DIR/criterion or target/criterion).

With --hopfield-only, only the Hopfield steps run on the canns side (and the bench is
limited to them), so both sides can be measured back to back at the same load.
canns has one float32 network: its times stand beside both our double-precision rows and
our `single_precision(true)` ("f32 weights") rows.

Usage:  python3 scripts/compare/learning.py [--no-bench] [--canns-big] [--hopfield-only]
(creates .venv-compare/ with canns 1.5 unless canns already imports).
"""
import json
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "compare"))
from canns_peer import ensure_canns  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

OURS = {
    "hopfield sync step, N=500": ("hopfield/n500_sync_step", 1),
    "hopfield sync step, N=500, f32 weights": ("hopfield/n500_sync_step_f32", 1),
    "hopfield async sweep, N=500": ("hopfield/n500_async_sweep", 1),
    "hopfield async sweep, N=500, f32 weights": ("hopfield/n500_async_sweep_f32", 1),
    "hebbian, N=500, per pattern": ("hopfield/hebbian_n500_70_patterns", 70),
    "oja per sample (100 -> 10)": ("trainers/oja_100x10_per_1500", 1500),
    "sanger per sample (100 -> 10)": ("trainers/sanger_100x10_per_1500", 1500),
    "bcm per sample (100 -> 10)": ("trainers/bcm_100x10_per_1500", 1500),
    "stdp per sample (100 -> 10)": ("trainers/stdp_100x10_per_1500", 1500),
    "oja, 10^5 samples (whole run)": ("training/oja_100x10_1e5_samples", 1),
    "sanger, 10^5 samples (whole run)": ("training/sanger_100x10_1e5_samples", 1),
    "LIF ring 1000 neurons, 1 s": ("lif_ring/n1000_1s_bump", 1),
}


def criterion_dir():
    target = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
    return os.path.join(target, "criterion")


def ours(run_bench, hopfield_only):
    if run_bench:
        only = ["hopfield/n500_(sync|async)"] if hopfield_only else []
        subprocess.check_call(
            ["nice", "cargo", "bench", "--bench", "learning", "--", "--warm-up-time", "1",
             "--measurement-time", "3", *only], cwd=ROOT)
    out = {}
    for label, (path, per) in OURS.items():
        f = os.path.join(criterion_dir(), path, "new", "estimates.json")
        try:
            with open(f) as fh:
                est = json.load(fh)
            out[label] = est["mean"]["point_estimate"] / per * 1e-9
        except OSError:
            out[label] = None
    return out


def timed_loop(step, n):
    """Per-step time of a jitted brainpy for_loop (best of 2 cached calls)."""
    import brainpy.math as bm
    import jax

    fj = bm.jit(lambda: bm.for_loop(step, bm.arange(n), progress_bar=False))
    jax.block_until_ready(fj())
    best = float("inf")
    for _ in range(2):
        t0 = time.perf_counter()
        jax.block_until_ready(fj())
        best = min(best, time.perf_counter() - t0)
    return best / n


def theirs(big, hopfield_only):
    import brainpy.math as bm
    import jax
    import numpy as np
    from canns.models.brain_inspired import AmariHopfieldNetwork, LinearLayer, SpikingLayer
    from canns.trainer import BCMTrainer, HebbianTrainer, OjaTrainer, SangerTrainer, STDPTrainer

    out = {}
    rng = np.random.RandomState(0)
    w = bm.asarray(rng.randn(500, 500).astype(np.float32))
    net = AmariHopfieldNetwork(500)
    net.W.value = w

    def sync(i):
        net.update(None)
        return net.s.value[0]

    out["hopfield sync step, N=500"] = timed_loop(sync, 2000)
    net2 = AmariHopfieldNetwork(500, asyn=True)
    net2.W.value = w

    def sweep(i):
        net2.update(None)
        return net2.s.value[0]

    out["hopfield async sweep, N=500"] = timed_loop(sweep, 100)
    # One float32 network in canns: the same times beside our f32 rows.
    out["hopfield sync step, N=500, f32 weights"] = out["hopfield sync step, N=500"]
    out["hopfield async sweep, N=500, f32 weights"] = out["hopfield async sweep, N=500"]
    if hopfield_only:
        return out

    pats = list(np.sign(rng.randn(70, 500)).astype(np.float32))
    hn = AmariHopfieldNetwork(500)
    tr = HebbianTrainer(hn)
    tr.train(pats)  # compile
    t0 = time.perf_counter()
    tr.train(pats)
    jax.block_until_ready(hn.W.value)
    out["hebbian, N=500, per pattern"] = (time.perf_counter() - t0) / 70

    x = np.random.RandomState(0).randn(1500, 100).astype(np.float32)
    makers = {
        "oja per sample (100 -> 10)": lambda: OjaTrainer(LinearLayer(100, 10)),
        "sanger per sample (100 -> 10)": lambda: SangerTrainer(LinearLayer(100, 10)),
        "bcm per sample (100 -> 10)": lambda: BCMTrainer(LinearLayer(100, 10, use_bcm_threshold=True)),
        "stdp per sample (100 -> 10)": lambda: STDPTrainer(SpikingLayer(100, 10)),
    }
    for label, make in makers.items():
        tr = make()
        data = list((x > 1.0).astype(np.float32)) if "stdp" in label else list(x)
        ts = []
        for _ in range(3):
            t0 = time.perf_counter()
            tr.train(data)
            jax.block_until_ready(tr.model.W.value)
            ts.append(time.perf_counter() - t0)
        # The first call compiles the stack and the scan for this length;
        # the later ones reuse them: their best is the per-sample work.
        out[label] = min(ts[1:]) / 1500
        out[label.replace("per sample", "first call, per sample")] = ts[0] / 1500
    if big:
        data = list(np.random.RandomState(1).randn(20000, 100).astype(np.float32))
        tr = OjaTrainer(LinearLayer(100, 10))
        t0 = time.perf_counter()
        tr.train(data)
        jax.block_until_ready(tr.model.W.value)
        out["oja, 2 x 10^4 samples (canns, whole run)"] = time.perf_counter() - t0
    return out


def fmt(s):
    if s is None:
        return "-"
    if s >= 1.0:
        return f"{s:.2f} s"
    if s >= 1e-3:
        return f"{s * 1e3:.3f} ms"
    return f"{s * 1e6:.3f} us"


def main():
    ensure_canns()
    run_bench = "--no-bench" not in sys.argv
    big = "--canns-big" in sys.argv
    hopfield_only = "--hopfield-only" in sys.argv
    load = os.getloadavg()[0]
    mine = ours(run_bench, hopfield_only)
    other = theirs(big, hopfield_only)
    print(f"load average {load:.2f} before, {os.getloadavg()[0]:.2f} after")
    labels = [k for k in OURS if k in other or not hopfield_only]
    labels += [k for k in other if k not in OURS]
    print(f"{'workload':44} {'canns 1.5':>14} {'this crate':>14} {'speed-up':>10}")
    for k in labels:
        a, b = other.get(k), mine.get(k)
        ratio = "-" if not (a and b) else f"{a / b:.2f}x" if a / b < 10 else f"{a / b:.0f}x"
        print(f"{k:44} {fmt(a):>14} {fmt(b):>14} {ratio:>10}")
    if not big and not hopfield_only:
        print("canns, Oja on 2 x 10^4 samples: 3 min 52 s of stack compilation on the reference machine "
              "(zoo spec 5.2; run with --canns-big to measure here)")


if __name__ == "__main__":
    main()
