"""Seconds to train each toy task and the test accuracy it reaches, with the process's CPU seconds beside.

Run: `.venv/bin/python bench/train_bench.py [task ...]` (all tasks by default; `--seeds 0 1 2` for more
seeds). Each run is `rnnviz.train_task(task)` with its defaults (LSTM, 16 units). Wall seconds include
waiting for a CPU on a shared machine; CPU seconds are the process's own (all threads), so on a
machine with several cores they may exceed the wall time. Target: sentiment and brackets >= 97 %
test accuracy within 10 s of CPU each.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from rnnviz.tasks import task_names  # noqa: E402
from rnnviz.training import train_task  # noqa: E402

TARGET_ACCURACY, TARGET_SECONDS = 0.97, 10.0
TARGET_TASKS = ("sentiment", "brackets")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tasks", nargs="*", default=list(task_names()))
    parser.add_argument("--seeds", nargs="*", type=int, default=[0])
    args = parser.parse_args()
    print(f"{'task':<10} {'seed':>4} {'epochs':>6} {'wall s':>7} {'train s':>8} {'CPU s':>6} {'test acc':>9}  target")
    for task in args.tasks:
        for seed in args.seeds:
            wall, cpu = time.perf_counter(), time.process_time()
            result = train_task(task, seed=seed)
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            trained_s = result.history[-1].seconds
            verdict = ""
            if task in TARGET_TASKS:
                ok = result.test_accuracy >= TARGET_ACCURACY and cpu <= TARGET_SECONDS
                verdict = "met" if ok else f"NOT met (>= {TARGET_ACCURACY:.0%} within {TARGET_SECONDS:g} s CPU)"
            print(f"{task:<10} {seed:>4} {len(result.history):>6} {wall:>7.1f} {trained_s:>8.1f} {cpu:>6.1f} "
                  f"{100 * result.test_accuracy:>8.2f}%  {verdict}", flush=True)


if __name__ == "__main__":
    main()
