"""Models trained on the toy tasks, shipped inside the package so a class opens one at once.

`<task>.keras` and `<task>.json` (accuracy, seed, best |r| trained and untrained) are made by
`scripts/make_pretrained.py`, which anyone can rerun. They load through rnnviz's safe loader.
"""

from __future__ import annotations

import json
from pathlib import Path

import keras

from rnnviz.loading import load_model
from rnnviz.tasks import make_task

HERE = Path(__file__).resolve().parent


def pretrained_path(name: str) -> Path:
    """The shipped `.keras` file of task `name` (ValueError for an unknown task)."""
    make_task(name)
    return HERE / f"{name}.keras"


def pretrained(name: str) -> keras.Model:
    """A fresh copy of the model shipped for task `name`, trained with scripts/make_pretrained.py.

    Raises:
        ValueError: for an unknown task, or when its file is missing (rerun the script).
    """
    path = pretrained_path(name)
    if not path.exists():
        raise ValueError(f"no pre-trained model for {name!r} is shipped; run scripts/make_pretrained.py")
    return load_model(path)


def pretrained_info(name: str) -> dict:
    """What the script measured for task `name`: cell, units, seed, test accuracy, best |r| and more."""
    return json.loads((HERE / f"{name}.json").read_text())
