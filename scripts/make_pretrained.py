"""Train the models shipped in rnnviz/pretrained/ and write each one's measurements next to it.

Run from the repository root: `python scripts/make_pretrained.py [task ...]` (all tasks by default).
Each task is trained with LSTM(16), seed 0, and scored on fresh samples (the test set and the
unit-finding samples, neither of which training saw).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from rnnviz.pretrained import HERE  # noqa: E402
from rnnviz.probe import find_units  # noqa: E402
from rnnviz.tasks import task_names  # noqa: E402
from rnnviz.training import train_task  # noqa: E402

CELL, UNITS, SEED = "LSTM", 16, 0


def make(name: str) -> dict:
    """Train task `name`, save its .keras and .json, return the measurements."""
    result = train_task(name, cell=CELL, units=UNITS, seed=SEED)
    report = find_units(result.model, result.untrained, name)
    info = {
        "task": name, "cell": CELL, "units": UNITS, "seed": SEED,
        "epochs": len(result.history), "seconds": round(result.history[-1].seconds, 1),
        "test_accuracy": round(result.test_accuracy, 4),
        "best_unit": {"state": report.trained.best.state, "unit": report.trained.best.unit,
                      "abs_r": round(abs(report.trained.best.r), 3)},
        "untrained_best_abs_r": round(abs(report.untrained.best.r), 3),
        "probe_r2": round(report.trained.probe_r2, 3),
        "untrained_probe_r2": round(report.untrained.probe_r2, 3),
    }
    result.model.save(HERE / f"{name}.keras")
    (HERE / f"{name}.json").write_text(json.dumps(info, indent=1) + "\n")
    return info


if __name__ == "__main__":
    for task in sys.argv[1:] or task_names():
        print(json.dumps(make(task)), flush=True)
