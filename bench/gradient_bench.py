"""Cost of rnnviz.gradient_over_time, exact against estimate, and the half-lives of the shipped models.

Run: `nice .venv/bin/python bench/gradient_bench.py [--batch 8] [--rounds 3]`. For each shipped adding-problem
model (SimpleRNN, GRU, LSTM, 32 units, T = 100) it times, interleaved round by round (medians, so load from
other processes hits both alike), `method="exact"` (one pass over a batch copied once per unit) and
`method="estimate"` (one pass over a batch copied `samples` times), after one warm-up call each (the first
call of a layer compiles its graph: printed too), and prints their ratio. Then the half-life of each curve, untrained and trained, exact and estimated, with the norm
at step 0 relative to step 99 (geometric mean over the rows).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from rnnviz.adding import ADDING_CELLS, adding_models, adding_problem  # noqa: E402
from rnnviz.gradients import DEFAULT_SAMPLES, gradient_over_time, half_life  # noqa: E402
from rnnviz.lessons.gradients import geometric_mean_relative  # noqa: E402


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def costs(models: dict, x, rounds: int) -> None:
    print(f"cost per call, batch {x.shape[0]}, T = {x.shape[1]}, estimate with {DEFAULT_SAMPLES} samples "
          f"(median of {rounds}, after a warm-up):")
    print(f"  {'cell':<10}{'exact s':>10}{'estimate s':>12}{'exact/estimate':>16}{'first calls (tracing) s':>26}")
    for cell, model in models.items():
        calls = {m: (lambda m=m: gradient_over_time(model, x, layer=cell.lower(), method=m))
                 for m in ("exact", "estimate")}
        cold = {m: timed(call) for m, call in calls.items()}
        times = {m: [] for m in calls}
        for _ in range(rounds):
            for m, call in calls.items():
                times[m].append(timed(call))
        exact, estimate = (statistics.median(times[m]) for m in ("exact", "estimate"))
        print(f"  {cell:<10}{exact:>10.3f}{estimate:>12.3f}{exact / estimate:>16.2f}"
              f"{cold['exact']:>14.2f} / {cold['estimate']:.2f}")


def half_lives(x) -> None:
    print(f"half-life in steps (log-linear fit, pooled over {x.shape[0]} rows); step 0 / step 99 (exact):")
    print(f"  {'model':<20}{'exact':>8}{'estimate':>10}{'step 0 / 99':>14}")
    for trained in (False, True):
        for cell, model in adding_models(trained=trained).items():
            exact = gradient_over_time(model, x, layer=cell.lower())
            estimate = gradient_over_time(model, x, layer=cell.lower(), method="estimate")
            label = f"{cell} {'trained' if trained else 'untrained'}"
            print(f"  {label:<20}{half_life(exact):>8.2f}{half_life(estimate):>10.2f}"
                  f"{geometric_mean_relative(exact)[0]:>14.2e}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    x, _ = adding_problem(args.batch, seed=2026)
    costs({cell: m for cell, m in adding_models(trained=True).items() if cell in ADDING_CELLS}, x, args.rounds)
    half_lives(x)


if __name__ == "__main__":
    main()
