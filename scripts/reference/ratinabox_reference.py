#!/usr/bin/env python3
"""Reference statistics of RatInABox's random motion and spatial cells, as test
fixtures for tests/navigation.rs.

Walk (``walk``): RatInABox 1.15.3 Agent with default parameters in a 1 m x 1 m
box, dt = 0.01 s, 10^6 steps (solid walls) and 2 x 10^5 steps (periodic).
Writes tests/fixtures/navigation/walk_<boundary>.json with, for speed (norm of the
measured velocity, m/s), rotational velocity (rad/s), distance to the nearest
wall (m, solid box only) and position: mean, standard deviation, quantiles,
the integrated autocorrelation time (in steps, for standard errors from the
effective sample size), histograms on fixed bins, and occupancy on a 10 x 10 grid.

Cells (``cells``): RatInABox place cells (every description), grid cells and
head-direction cells with fixed parameters, their rates at given positions
(and head directions). Writes tests/fixtures/navigation/cells.json.

Usage (creates its own venv, about 10 minutes for the walk):
    python3 scripts/reference/ratinabox_reference.py [walk] [cells]
"""
import json
import os
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
VENV = os.path.join(ROOT, ".venv-ref-nav")
OUT = os.path.join(ROOT, "tests", "fixtures", "navigation")
VERSION = "1.15.3"


def ensure_venv():
    py = os.path.join(VENV, "bin", "python")
    if sys.executable != py:
        if not os.path.exists(py):
            subprocess.check_call([sys.executable, "-m", "venv", VENV])
            subprocess.check_call(
                [py, "-m", "pip", "install", "--quiet", f"ratinabox=={VERSION}"]
            )
        os.execv(py, [py] + sys.argv)


ensure_venv()
import numpy as np  # noqa: E402
import ratinabox  # noqa: E402
from ratinabox.Environment import Environment  # noqa: E402
from ratinabox.Agent import Agent  # noqa: E402
from ratinabox.Neurons import PlaceCells, GridCells, HeadDirectionCells  # noqa: E402

QUANTILES = [0.01, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99]


def autocorrelation_time(x, max_lag=20000):
    """Integrated autocorrelation time (steps), Sokal's window (c = 5)."""
    x = np.asarray(x, dtype=float) - np.mean(x)
    n = len(x)
    f = np.fft.rfft(x, n=2 * n)
    acf = np.fft.irfft(f * np.conj(f))[:n]
    acf /= acf[0]
    tau = 1.0
    for m in range(1, min(max_lag, n)):
        tau = 1.0 + 2.0 * np.sum(acf[1 : m + 1])
        if m >= 5 * tau:
            break
    return float(tau)


def summary(x, lo, hi, bins):
    x = np.asarray(x, dtype=float)
    counts, edges = np.histogram(x, bins=bins, range=(lo, hi))
    return {
        "n": int(len(x)),
        "mean": float(np.mean(x)),
        "std": float(np.std(x)),
        "quantiles": {str(q): float(v) for q, v in zip(QUANTILES, np.quantile(x, QUANTILES))},
        "tau_int": autocorrelation_time(x),
        "hist": {
            "lo": lo,
            "hi": hi,
            "bins": bins,
            "counts": counts.tolist(),
            "below": int(np.sum(x < lo)),
            "above": int(np.sum(x >= hi)),
        },
    }


def walk(boundary, n_steps, seed):
    np.random.seed(seed)
    env = Environment(params={"boundary_conditions": boundary})
    ag = Agent(env, params={"dt": 0.01})
    start = time.time()
    for _ in range(n_steps):
        ag.update()
    elapsed = time.time() - start
    pos = np.array(ag.history["pos"])
    vel = np.array(ag.history["vel"])
    rot = np.array(ag.history["rot_vel"])
    speed = np.linalg.norm(vel, axis=1)
    occ, _, _ = np.histogram2d(pos[:, 0], pos[:, 1], bins=10, range=[[0, 1], [0, 1]])
    out = {
        "peer": f"ratinabox=={VERSION}",
        "numpy": np.__version__,
        "seed": seed,
        "boundary": boundary,
        "dt": 0.01,
        "n_steps": n_steps,
        "params": {k: v for k, v in ag.params.items() if k != "name"},
        "seconds": elapsed,
        "speed": summary(speed, 0.0, 0.5, 50),
        "rotational_velocity": summary(rot, -20.0, 20.0, 80),
        "x": summary(pos[:, 0], 0.0, 1.0, 20),
        "y": summary(pos[:, 1], 0.0, 1.0, 20),
        "occupancy_10x10": (occ / occ.sum()).tolist(),
    }
    if boundary == "solid":
        dist = np.minimum.reduce([pos[:, 0], 1 - pos[:, 0], pos[:, 1], 1 - pos[:, 1]])
        out["distance_to_wall"] = summary(dist, 0.0, 0.5, 50)
    path = os.path.join(OUT, f"walk_{boundary}.json")
    with open(path, "w") as f:
        json.dump(out, f, indent=1)
    print(f"{path}: {n_steps} steps in {elapsed:.1f} s ({1e6 * elapsed / n_steps:.0f} us/step)")


def cells():
    np.random.seed(1)
    env = Environment()
    ag = Agent(env)
    rng = np.random.default_rng(2)
    positions = rng.uniform(0, 1, size=(200, 2))
    hds = rng.uniform(-np.pi, np.pi, size=200)
    centres = rng.uniform(0, 1, size=(12, 2))
    out = {"peer": f"ratinabox=={VERSION}", "positions": positions.tolist(), "head_directions": hds.tolist(),
           "place": [], "grid": [], "hd": {}}
    for desc in ["gaussian", "gaussian_threshold", "diff_of_gaussians", "top_hat", "one_hot"]:
        width = 0.2
        pc = PlaceCells(ag, params={"n": 12, "description": desc, "widths": width,
                                    "place_cell_centres": centres, "max_fr": 1, "min_fr": 0,
                                    "wall_geometry": "euclidean", "name": f"pc_{desc}"})
        rates = pc.get_state(evaluate_at=None, pos=positions)  # (n_cells, n_pos)
        out["place"].append({"description": desc, "width": width, "centres": centres.tolist(),
                             "rates": np.asarray(rates).T.tolist()})
    gc_params = {"n": 9, "gridscale": [0.3, 0.3, 0.3, 0.5, 0.5, 0.5, 0.8, 0.8, 0.8],
                 "orientation": [0.0, 0.3, 1.0, 0.1, 0.2, 0.5, 0.0, 0.7, 1.2],
                 "phase_offset": rng.uniform(0, 2 * np.pi, size=(9, 2)).tolist(),
                 "description": "rectified_cosines", "max_fr": 1, "min_fr": 0,
                 "width_ratio": 4 / (3 * np.sqrt(3)), "name": "gc"}
    for desc in ["rectified_cosines", "shifted_cosines"]:
        p = dict(gc_params, description=desc, name=f"gc_{desc}")
        gc = GridCells(ag, params=p)
        rates = gc.get_state(evaluate_at=None, pos=positions)
        out["grid"].append({"description": desc,
                            "gridscale": np.asarray(gc.gridscales).tolist(),
                            "orientation": np.asarray(gc.orientations).tolist(),
                            "phase_offset": np.asarray(gc.phase_offsets).tolist(),
                            "width_ratio": gc_params["width_ratio"],
                            "rates": np.asarray(rates).T.tolist()})
    hd = HeadDirectionCells(ag, params={"n": 8, "angular_spread_degrees": 30, "max_fr": 1, "min_fr": 0, "name": "hd"})
    directions = np.stack([np.cos(hds), np.sin(hds)], axis=1)
    # RatInABox reads the angle of a direction vector as atan2(y, x + 1e-6): the
    # fixture records that angle, so the comparison is exact.
    angles = [float(np.asarray(ratinabox.utils.get_angle(d)).reshape(-1)[0]) for d in directions]
    rates = np.array([hd.get_state(evaluate_at=None, head_direction=d).reshape(-1) for d in directions])
    out["hd"] = {"n": 8, "angular_spread_degrees": 30,
                 "preferred_angles": np.asarray(hd.preferred_angles).tolist(),
                 "angles": angles, "rates": rates.tolist()}
    path = os.path.join(OUT, "cells.json")
    with open(path, "w") as f:
        json.dump(out, f)
    print(path)


if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    what = sys.argv[1:] or ["walk", "cells"]
    if "walk" in what:
        walk("solid", 1_000_000, 0)
        walk("periodic", 200_000, 1)
    if "cells" in what:
        cells()
