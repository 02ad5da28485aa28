"""Each page's settings and the URL parameters that carry them: one table a page, bound by `links.bind`."""

from __future__ import annotations

from rnnviz import limits
from rnnviz.lessons.seq2seq import CHANGES
from rnnviz.lessons.stateful import LENGTH_CHOICES
from rnnviz.link_state import Param
from rnnviz.spec import ACTIVATIONS, MERGE_MODES
from rnnviz.tasks import task_names
from rnnviz.training import CELLS
from rnnviz.ui import keys
from rnnviz.ui.links import Binding

KINDS = ("SimpleRNN", "GRU", "LSTM")


def _int(name: str, key: str, low: int, high: int) -> tuple[str, Binding]:
    return name, Binding(key, Param(name, "int", low=low, high=high))


def _choice(name: str, key: str, options: tuple) -> tuple[str, Binding]:
    return name, Binding(key, Param(name, "choice", tuple(options)))


def _switch(name: str, key: str) -> tuple[str, Binding]:
    return name, Binding(key, Param(name, "bool"))


def _float(name: str, key: str, low: float, high: float) -> tuple[str, Binding]:
    return name, Binding(key, Param(name, "float", low=low, high=high))


TRAIN = dict((_choice("task", keys.TRAIN_TASK, tuple(task_names())), _choice("cell", keys.TRAIN_CELL, tuple(CELLS)),
              _int("units", keys.TRAIN_UNITS, 1, limits.MAX_TRAIN_UNITS), _int("seed", keys.TRAIN_SEED, 0, 1_000_000),
              _int("follow", keys.FIND_ROW, 0, 255)))
OUTPUTS = dict((_choice("kind", keys.OUTPUTS_KIND, KINDS), _int("units", keys.OUTPUTS_UNITS, 1, 1024),
                _switch("return_sequences", keys.OUTPUTS_SEQUENCES), _switch("return_state", keys.OUTPUTS_STATE),
                _int("batch", keys.OUTPUTS_BATCH, 1, 256), _int("timesteps", keys.OUTPUTS_TIMESTEPS, 1, 2000),
                _int("features", keys.OUTPUTS_FEATURES, 1, 1024), _int("sample", keys.OUTPUTS_SAMPLE, 0, 255)))
ENCODER_DECODER = dict((_choice("handed", keys.SEQ2SEQ_CHANGE, CHANGES), _float("noise", keys.SEQ2SEQ_NOISE, 0.0, 2.0),
                        _int("sample", keys.SEQ2SEQ_SAMPLE, 0, 1)))
STATEFUL = dict((_choice("length", keys.STATEFUL_LENGTH, LENGTH_CHOICES),
                 _int("chunk", keys.STATEFUL_CHUNK, 1, max(LENGTH_CHOICES)),
                 _int("unit", keys.STATEFUL_UNIT, 0, 63), _int("samples", keys.STATEFUL_SAMPLES, 1, 256)))
BIDIRECTIONAL = dict((_choice("kind", keys.BIDI_KIND, ("LSTM", "GRU", "SimpleRNN")),
                      _int("units", keys.BIDI_UNITS, 1, 256),
                      _choice("merge_mode", keys.BIDI_MERGE, tuple(str(m) for m in MERGE_MODES)),
                      _int("sample", keys.BIDI_SAMPLE, 0, 1)))
CELLS_AND_LAYERS = dict((_choice("kind", keys.CELLS_KIND, ("LSTM", "GRU", "SimpleRNN")),
                         _int("units", keys.CELLS_UNITS, 1, 512),
                         _choice("activation", keys.CELLS_ACTIVATION, ACTIVATIONS),
                         _choice("recurrent_activation", keys.CELLS_RECURRENT_ACTIVATION, ACTIVATIONS),
                         _float("recurrent_dropout", keys.CELLS_RECURRENT_DROPOUT, 0.0, 0.5),
                         _switch("unroll", keys.CELLS_UNROLL), _switch("use_bias", keys.CELLS_USE_BIAS),
                         _switch("reset_after", keys.CELLS_RESET_AFTER)))
STATES = dict((_choice("direction", keys.STATES_DIRECTION, ("forward", "backward")),
               _int("window", keys.STATES_WINDOW, 0, limits.MAX_TIMESTEPS - 1)))
GRADIENTS = dict((_choice("direction", keys.GRADIENTS_DIRECTION, ("forward", "backward")),))
TASK_INPUT = dict((_int("sample_seed", keys.TASK_SEED, 0, 1_000_000), _int("sample", keys.TASK_ROW, 0, 7)))


def choices_of(name: str, key: str, options, *, several: bool = False) -> dict[str, Binding]:
    """A table of one setting whose options come from the model (a layer, its rows, its units)."""
    return {name: Binding(key, Param(name, "choices" if several else "choice", tuple(options)))}
