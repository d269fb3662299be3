#!/usr/bin/env python3
"""Reference STDP weights from the Python `canns` package, as a test fixture.

Random binary input sequences go through canns's compiled `STDPTrainer` on a
`SpikingLayer` whose weights are set by hand, and through an independent numpy
transcription of the same rule (the order of the compiled path: pre trace,
membrane, spikes, reset, post trace, then the weight update from the traces
of this step). Both final weight matrices go to tests/fixtures/learning/stdp.json;
tests/learning.rs checks the Rust rule against them.

canns runs in float32, so its weights agree with the float64 transcription to
about 1e-6; the transcription is the exact reference.

Usage: python3 scripts/reference/learning_reference.py
(creates .venv-compare/ with canns 1.5 unless canns already imports).
"""
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "compare"))
from canns_peer import ensure_canns  # noqa: E402

ensure_canns()  # before numpy: the venv it may create has it

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "tests", "fixtures", "learning", "stdp.json")


def transcription(w0, xs, lr, a_plus, a_minus, decay, leak, thr, v_reset, w_min, w_max):
    """The compiled STDP rule, step by step, in float64."""
    w = w0.astype(float).copy()
    pre = np.zeros(w.shape[1])
    post = np.zeros(w.shape[0])
    v = np.zeros(w.shape[0])
    for x in xs:
        pre = decay * pre + x
        v = leak * v + w @ x
        s = (v >= thr).astype(float)
        v[s > 0] = v_reset
        post = decay * post + s
        w = w + lr * (a_plus * s[:, None] * pre[None, :] - a_minus * post[:, None] * x[None, :])
        w = np.minimum(np.maximum(w, w_min), w_max)
    return w


def run_canns(w0, xs, cfg):
    import brainpy.math as bm
    from canns.models.brain_inspired import SpikingLayer
    from canns.trainer import STDPTrainer

    layer = SpikingLayer(w0.shape[1], w0.shape[0], threshold=cfg["v_threshold"], v_reset=0.0,
                         leak=cfg["leak"], trace_decay=cfg["trace_decay"])
    layer.W.value = bm.asarray(w0.astype(np.float32))
    layer.reset_state()
    trainer = STDPTrainer(layer, learning_rate=cfg["learning_rate"], A_plus=cfg["a_plus"],
                          A_minus=cfg["a_minus"], w_min=cfg["w_min"], w_max=cfg["w_max"], compiled=True)
    trainer.train([x.astype(np.float32) for x in xs])
    return np.asarray(layer.W.value, dtype=float)


def case(seed, n_in, n_out, n_steps, p_spike, cfg):
    rng = np.random.default_rng(seed)
    xs = (rng.random((n_steps, n_in)) < p_spike).astype(float)
    w0 = np.round(rng.random((n_out, n_in)) * 0.6, 6)
    ref = transcription(w0, xs, cfg["learning_rate"], cfg["a_plus"], cfg["a_minus"], cfg["trace_decay"],
                        cfg["leak"], cfg["v_threshold"], 0.0, cfg["w_min"], cfg["w_max"])
    got = run_canns(w0, xs, cfg)
    return {
        "seed": seed,
        "params": cfg,
        "inputs": xs.astype(int).tolist(),
        "w0": w0.tolist(),
        "w_transcription": ref.tolist(),
        "w_canns": got.tolist(),
        "max_abs_canns_minus_transcription": float(np.abs(got - ref).max()),
    }


def main():
    import canns

    cfgs = [
        dict(learning_rate=0.5, a_plus=0.02, a_minus=0.021, w_min=0.0, w_max=0.9,
             v_threshold=0.7, leak=0.85, trace_decay=0.8),
        dict(learning_rate=1.0, a_plus=0.01, a_minus=0.0105, w_min=0.0, w_max=1.0,
             v_threshold=0.5, leak=0.9, trace_decay=0.9),
    ]
    cases = [case(1, 6, 4, 400, 0.2, cfgs[0]), case(2, 10, 3, 300, 0.15, cfgs[1])]
    out = {"canns_version": canns.__version__, "cases": cases}
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        json.dump(out, f)
    for c in cases:
        print(f"seed {c['seed']}: max |canns - transcription| = {c['max_abs_canns_minus_transcription']:.2e}")


if __name__ == "__main__":
    main()
