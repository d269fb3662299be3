#!/usr/bin/env python3
"""Reference rates of RatInABox's BoundaryVectorCells, as a test fixture for
tests/navigation_bvc.rs.

RatInABox 1.15.3 allocentric boundary vector cells with fixed tuning
(distance d, angle phi, angular spread sigma_theta; distance spread
sigma_d = xi + d / beta, xi = 0.08 m, beta = 12, RatInABox's "diverging"
default), evaluated at 50 seeded positions in two environments: the default
1 m solid box, and the same box with one extra wall.

Two sets of rates per environment:
  * "rates": RatInABox as released (dtheta = 2 deg). Its ray angles are
    [0, 0, 2, 4, ..., 356] deg: 0 twice and 358 missing.
  * "rates_uniform": the same code with the rays at 0, 2, ..., 358 deg (the
    cells' test angles replaced before evaluation, the normalisation
    recomputed the way RatInABox computes it).

Writes tests/fixtures/navigation/bvc.json.

Usage (creates its own venv):
    python3 scripts/reference/bvc_reference.py
"""
import json
import os
import subprocess
import sys

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
from ratinabox import utils  # noqa: E402
from ratinabox.Agent import Agent  # noqa: E402
from ratinabox.Environment import Environment  # noqa: E402
from ratinabox.Neurons import BoundaryVectorCells  # noqa: E402

DTHETA = 2.0
CELLS = {
    "tuning_distance": [0.05, 0.1, 0.15, 0.2, 0.3, 0.08, 0.25, 0.12],
    # degrees; one cell tuned at 0 deg, where the released ray set differs
    "tuning_angle": [0.0, 45.0, 90.0, 135.0, 180.0, 225.0, 270.0, 315.0],
    "sigma_angle": [10.0, 15.0, 20.0, 30.0, 11.25, 25.0, 12.0, 18.0],
}
ENVS = {
    "box": [],
    "box_wall": [[[0.3, 0.5], [0.8, 0.5]]],
}


def uniform_rays(bvc):
    n = int(360 / bvc.dtheta)
    angles = 2 * np.pi * np.arange(n) * bvc.dtheta / 360
    bvc.test_angles = angles
    bvc.test_directions = np.stack([np.cos(angles), np.sin(angles)], axis=1)
    bvc.cell_fr_norm = utils.von_mises(
        theta=bvc.test_angles.reshape(1, -1),
        mu=0,
        sigma=bvc.sigma_angles.reshape(-1, 1),
        norm=1,
    ).sum(axis=1)


def main():
    os.makedirs(OUT, exist_ok=True)
    out = {
        "ratinabox": VERSION,
        "dtheta_degrees": DTHETA,
        "xi": 0.08,
        "beta": 12.0,
        "max_fr": 1.0,
        "min_fr": 0.0,
        "tuning_distance": CELLS["tuning_distance"],
        "tuning_angle_degrees": CELLS["tuning_angle"],
        "sigma_angle_degrees": CELLS["sigma_angle"],
        "environments": {},
    }
    for name, walls in ENVS.items():
        np.random.seed(0)
        env = Environment(params={"scale": 1.0, "aspect": 1.0})
        for w in walls:
            env.add_wall(np.array(w))
        agent = Agent(env)
        bvc = BoundaryVectorCells(
            agent,
            params={
                "n": len(CELLS["tuning_distance"]),
                "dtheta": DTHETA,
                "tuning_distance": list(CELLS["tuning_distance"]),
                "tuning_angle": list(CELLS["tuning_angle"]),
                "sigma_angle": list(CELLS["sigma_angle"]),
                "sigma_distance": (0.08, 12),
                "sigma_distance_distribution": "diverging",
                "max_fr": 1.0,
                "min_fr": 0.0,
            },
        )
        rng = np.random.default_rng(1)
        pos = rng.uniform(0.02, 0.98, size=(50, 2))
        rates = bvc.get_state(evaluate_at=None, pos=pos)  # (n_cells, n_pos)
        sigma_d = list(map(float, bvc.sigma_distances))
        uniform_rays(bvc)
        rates_u = bvc.get_state(evaluate_at=None, pos=pos)
        out["sigma_distance"] = sigma_d
        out["environments"][name] = {
            "walls": walls,
            "positions": pos.tolist(),
            "rates": rates.T.tolist(),
            "rates_uniform": rates_u.T.tolist(),
        }
        print(name, "max rate", rates.max(), "max |released - uniform|",
              np.abs(rates - rates_u).max())
    path = os.path.join(OUT, "bvc.json")
    with open(path, "w") as f:
        json.dump(out, f, indent=1)
    print("wrote", path)


if __name__ == "__main__":
    main()
