"""rnnviz: see inside recurrent layers of Keras models, timestep by timestep."""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # keep TensorFlow's start-up chatter out of the page

from rnnviz.device import configure_gpus  # noqa: E402  (must run before TensorFlow first uses a GPU)

configure_gpus()

from rnnviz.build import build_model  # noqa: E402
from rnnviz.presets import build_preset, get_preset, preset_names
from rnnviz.spec import (
    BidirectionalSpec,
    DenseSpec,
    EmbeddingSpec,
    InputSpec,
    ModelSpec,
    RecurrentSpec,
    StackSpec,
)
from rnnviz.summary import format_summary, summarize_model
from rnnviz.validate import SpecError, validate
from rnnviz.trace import trace, Trace, LayerTrace, DirectionTrace
from rnnviz.loading import load_model
from rnnviz.gradients import gradient_over_time, output_saliency, half_life
from rnnviz.tasks import make_task, task_names
from rnnviz.training import train_task
from rnnviz.probe import unit_correlations, linear_probe_r2, find_units
from rnnviz.pretrained import pretrained, pretrained_info
