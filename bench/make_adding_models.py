"""Train SimpleRNN, GRU and LSTM (32 units) on the adding problem (T = 100) and ship them.

Writes rnnviz/pretrained/adding-<cell>-{untrained,trained}.keras and adding-scores.json (test MSE of
each, with the baseline of predicting the mean, 1/6). Every model starts from Keras's default
initialisation with a fixed seed; the untrained file is that starting point. Training stops at
--seconds per cell (wall clock) or once the validation MSE is below --target.

    nice .venv/bin/python bench/make_adding_models.py --seconds 240
    nice .venv/bin/python bench/make_adding_models.py --cells   # only recompute adding-gradients.npz
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import keras  # noqa: E402
import numpy as np  # noqa: E402

from rnnviz.adding import (  # noqa: E402
    ADDING_BASELINE_MSE, ADDING_CELLS, ADDING_SCORES, ADDING_TIMESTEPS, adding_path, adding_problem,
)
from rnnviz.lessons.gradients import SHIPPED, compute_lesson, save_lesson  # noqa: E402

UNITS = 32


class Budget(keras.callbacks.Callback):
    """Stop after `seconds` of training or once the validation MSE is below `target`."""

    def __init__(self, seconds: float, target: float):
        super().__init__()
        self.seconds, self.target, self.start = seconds, target, time.monotonic()
        self.epochs = 0

    def on_epoch_end(self, epoch, logs=None):
        self.epochs = epoch + 1
        mse = (logs or {}).get("val_loss", np.inf)
        print(f"  epoch {epoch + 1}: loss {logs.get('loss'):.4f} val {mse:.4f} "
              f"({time.monotonic() - self.start:.0f} s)", flush=True)
        if mse < self.target or time.monotonic() - self.start > self.seconds:
            self.model.stop_training = True


def make_model(cell: str, seed: int) -> keras.Model:
    keras.utils.set_random_seed(seed)
    layer = getattr(keras.layers, cell)(UNITS, name=cell.lower())
    return keras.Sequential([keras.Input((ADDING_TIMESTEPS, 2)), layer, keras.layers.Dense(1, name="sum")],
                            name=f"adding_{cell.lower()}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=240.0, help="training time per cell")
    parser.add_argument("--target", type=float, default=0.004, help="stop once the validation MSE is below")
    parser.add_argument("--train", type=int, default=20000, help="training sequences")
    parser.add_argument("--cells", nargs="*", default=list(ADDING_CELLS), help="cells to train (none: --cells)")
    args = parser.parse_args()
    train(args)
    save_lesson(compute_lesson())  # the page's curves and saliency, from the models as shipped
    print(f"wrote {SHIPPED}")


def train(args: argparse.Namespace) -> None:
    x, y = adding_problem(args.train, seed=1)
    x_val, y_val = adding_problem(1000, seed=2)
    x_test, y_test = adding_problem(2000, seed=3)
    scores = json.loads(ADDING_SCORES.read_text()) if ADDING_SCORES.exists() else {}
    for cell in args.cells:
        model = make_model(cell, seed=0)
        model.compile(optimizer=keras.optimizers.Adam(3e-3, clipnorm=1.0), loss="mse")
        untrained = float(model.evaluate(x_test, y_test, verbose=0, batch_size=500))
        model.save(adding_path(cell, trained=False))
        budget = Budget(args.seconds, args.target)
        print(f"{cell}: untrained test MSE {untrained:.4f}", flush=True)
        model.fit(x, y, batch_size=100, epochs=1000, validation_data=(x_val, y_val), verbose=0,
                  callbacks=[budget])
        trained = float(model.evaluate(x_test, y_test, verbose=0, batch_size=500))
        model.save(adding_path(cell, trained=True))
        scores[cell] = {"untrained": round(untrained, 5), "trained": round(trained, 5), "epochs": budget.epochs,
                        "train_sequences": args.train, "seconds": round(time.monotonic() - budget.start)}
        print(f"{cell}: trained test MSE {trained:.4f} after {budget.epochs} epochs", flush=True)
    if not args.cells:
        return
    scores["baseline"] = round(ADDING_BASELINE_MSE, 5)
    scores["timesteps"] = ADDING_TIMESTEPS
    scores["units"] = UNITS
    ADDING_SCORES.write_text(json.dumps(scores, indent=2) + "\n")
    print(json.dumps(scores, indent=2))


if __name__ == "__main__":
    main()
