#!/usr/bin/env python3
"""Reference head-direction tuning and decoding from pynapple, as test fixtures.

Loads datasets/A2929-200711.nwb (or ../shared/data when datasets/ lacks it) with
pynapple, restricts to the wake epoch where head direction is tracked
(670.6-1200 s) and writes to
tests/fixtures/analysis/pynapple_hd.json:
  * 60-bin head-direction tuning curves (Hz) of all 15 units
    (nap.compute_tuning_curves over [0, 2 pi), occupancy = samples / fs),
  * Skaggs mutual information (bits/spike) with the occupancy-weighted mean
    rate of each curve (nap.compute_mutual_information),
  * pynapple's Bayesian decoding (nap.decode_bayes, 0.1 s bins, uniform prior)
    of head direction from the 7 ADn units, trained and tested on the whole wake
    epoch, as its median absolute error (degrees).

Also writes tests/fixtures/analysis/a2929_wake.npz: the wake spikes and tracked head
direction (see the end of this script).

Usage (creates its own venv):  python3 scripts/reference/analysis_reference.py
"""
import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
VENV = os.path.join(ROOT, ".venv-ref-analysis")
OUT = os.path.join(ROOT, "tests", "fixtures", "analysis")
PYNAPPLE = os.environ.get("PYNAPPLE_VERSION", "0.11.4")


def ensure_venv():
    py = os.path.join(VENV, "bin", "python")
    if sys.executable != py:
        if not os.path.exists(py):
            subprocess.check_call([sys.executable, "-m", "venv", VENV])
            subprocess.check_call([py, "-m", "pip", "install", "--quiet", f"pynapple=={PYNAPPLE}"])
        os.execv(py, [py] + sys.argv)


if os.environ.get("ANALYSIS_REF_NO_VENV") is None:
    ensure_venv()

import numpy as np  # noqa: E402
import pynapple as nap  # noqa: E402

path = os.path.join(ROOT, "datasets", "A2929-200711.nwb")
if not os.path.exists(path):
    path = os.path.join(ROOT, "..", "shared", "data", "A2929-200711.nwb")
data = nap.load_file(path)
units = data["units"]
wake = nap.IntervalSet(start=600.0, end=1200.0)
hd = data["ry"].restrict(wake)
# Head direction is tracked from 670.6 s only: restrict to the tracked span, or
# pynapple assigns every wake spike before it to the first sample.
tracked = nap.IntervalSet(start=hd.index[0], end=hd.index[-1])
hd = hd.restrict(tracked)
loc = [str(x) for x in units.location]

N_BINS = 60
tc = nap.compute_tuning_curves(units, hd, bins=N_BINS, range=(0, 2 * np.pi), epochs=tracked)
occ = tc.attrs["occupancy"] / tc.attrs["fs"]
curves = tc.values  # (15, 60)
p = occ / occ.sum()
rates = np.nansum(curves * p, axis=1)
mi = nap.compute_mutual_information(tc, rates=rates)["bits/spike"].values

adn = units[[k for k, l in zip(units.keys(), loc) if l == "adn"]]
tc_adn = nap.compute_tuning_curves(adn, hd, bins=N_BINS, range=(0, 2 * np.pi), epochs=tracked)
decoded, _ = nap.decode_bayes(tc_adn, adn, tracked, bin_size=0.1)
truth = hd.bin_average(0.1, tracked)
t = decoded.index.values
ok = np.isfinite(truth.values)
tv = np.interp(t, truth.index.values[ok], np.unwrap(truth.values[ok])) % (2 * np.pi)
err = np.abs((decoded.values - tv + np.pi) % (2 * np.pi) - np.pi)

os.makedirs(OUT, exist_ok=True)
out = {
    "source": f"pynapple {nap.__version__}, scripts/reference/analysis_reference.py",
    "epoch": [600.0, 1200.0],
    "tracked": [float(hd.index[0]), float(hd.index[-1])],
    "n_bins": N_BINS,
    "location": loc,
    "occupancy_s": occ.tolist(),
    "curves_hz": np.where(np.isfinite(curves), curves, -1.0).tolist(),
    "mutual_info_bits_per_spike": mi.tolist(),
    "decode_bayes_bin_s": 0.1,
    "decode_bayes_in_sample_median_error_deg": float(np.degrees(np.nanmedian(err))),
}
with open(os.path.join(OUT, "pynapple_hd.json"), "w") as f:
    json.dump(out, f, indent=1)
print(json.dumps({k: v for k, v in out.items() if k not in ("curves_hz", "occupancy_s")}, indent=1))

# The wake epoch's spikes and tracked head direction as a compact NPZ, so the
# analyses are tested on the real data without an NWB reader:
# spike_t (s), spike_unit (unit index 0-14), unit_is_adn (1 = ADn, 0 = CA1),
# hd_t (s), hd (rad).
spike_t, spike_unit = [], []
for i, k in enumerate(units.keys()):
    s = units[k].restrict(wake).index
    spike_t.append(s)
    spike_unit.append(np.full(len(s), i, dtype=np.uint8))
np.savez(
    os.path.join(OUT, "a2929_wake.npz"),
    spike_t=np.concatenate(spike_t).astype(np.float64),
    spike_unit=np.concatenate(spike_unit),
    unit_is_adn=np.array([1 if l == "adn" else 0 for l in loc], dtype=np.uint8),
    hd_t=hd.index.values.astype(np.float64),
    hd=hd.values.astype(np.float64),
)
