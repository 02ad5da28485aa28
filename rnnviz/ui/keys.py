"""Every `st.session_state` key rnnviz uses, in one place; prefixed so pages never collide."""

import hashlib


def for_options(prefix: str, labels: tuple[str, ...]) -> str:
    """The key of a widget whose options come from the model (its layers): another model's options
    give another key, so the box starts afresh instead of keeping the last model's label on screen
    (Streamlit knows a keyed selectbox by its key alone and keeps what it showed)."""
    return f"{prefix}.{hashlib.sha256(repr(labels).encode()).hexdigest()[:12]}"

# The current model, shared by every page.
DRAFT_SPEC = "model.draft"  # ModelSpec being edited on the Build page (may be invalid)
GOOD_SPEC = "model.good"  # last valid ModelSpec: what every page shows
PRESET = "model.preset"  # preset name the model came from, or None
EDITED = "model.edited"  # True once the user changed the preset's model
MODELS = "model.built"  # {ModelSpec: keras.Model} built for this session only
PRESET_PICKER = "sidebar.preset"  # the sidebar's preset selectbox
WEIGHTS = "sidebar.weights"  # "vivid" or "keras": how presets draw their untrained weights
SOURCE = "model.source"  # "preset" (a spec, maybe edited) or "upload"
UPLOADED = "model.uploaded"  # UploadedModel opened by this session
UPLOADER = "sidebar.uploader"  # the sidebar's file uploader
UPLOAD_ERROR = "model.upload_error"  # message about the last refused file
OWN_TOKENS = "model.own_tokens"  # {"upload" | "trained": token in rnnviz.kept.KEPT}: this session's kept models
OWN_ERROR = "model.own_error"  # (message, preset shown instead) when ?own= named a model no longer kept
OWN_URL = "model.own_url"  # the last ?own= token this session took (or made), so a changed link is taken once

# Language (rnnviz/ui/language.py).
LANGUAGE = "lang.choice"  # "en" or "ko": the sidebar's language box
LANGUAGE_URL = "lang.url"  # the language the URL last named, so a changed ?lang= is taken once
LANGUAGE_ERROR = "lang.error"  # a ?lang= value rnnviz does not speak, to be said in the sidebar

# Presenter mode (rnnviz/ui/presenter.py).
PRESENT = "present.on"  # True in presenter mode: the sidebar's switch, and ?present=1
PRESENT_URL = "present.url"  # the ?present= value last taken from the URL, so a changed link is taken once
PRESENT_COLLAPSE = "present.collapse"  # True when the mode has just turned on: fold the sidebar away once
PRESENT_SPEED = "present.speed"  # Play's speed on the States page: "slow", "normal" or "fast"

# Build page.
EDITOR_GENERATION = "build.generation"  # bumped on a structural edit so widgets start afresh
EDITOR_PREFIX = "build.w"  # prefix of every editor widget key
ADD_KIND = "build.add_kind"

# Input panel (shared by every page that runs a model).
INPUT_WIDGET = "input.w"  # prefix: input.w.<input name>.<field>
INPUT_GOOD = "input.good"  # {input name: last valid InputChoice}
INPUT_FILES = "input.files"  # {widget key: (uploaded file id, OwnArray or Vocabulary)}: each upload read once
TRACES = "trace.cache"  # {(model key, choices, language): Trace} for this session

# States page.
STATES_LAYER = "states.layer"  # prefix: see for_options
STATES_DIRECTION = "states.direction"
STATES_WINDOW = "states.window"  # first step of the window shown when a sequence is longer than one
STATES_UNITS = "states.units"
STATES_LINE_QUANTITIES = "states.line_quantities"  # which of h, c and the gates the unit lines show
STATES_DOWNLOAD = "states.download"  # the trace's .npz download button
STATES_ROWS = "states.rows"  # prefix: + ".LAYER.DIRECTION", the rows (quantities) the step-through figure shows
STATES_FIGURES = "states.figures"  # session_cache of step-through figures, drawn once per layer, row and window

# Guide lesson pages.
OUTPUTS_KIND = "outputs.kind"
OUTPUTS_UNITS = "outputs.units"
OUTPUTS_SEQUENCES = "outputs.return_sequences"
OUTPUTS_STATE = "outputs.return_state"
OUTPUTS_BATCH = "outputs.batch"
OUTPUTS_TIMESTEPS = "outputs.timesteps"
OUTPUTS_FEATURES = "outputs.features"
OUTPUTS_SAMPLE = "outputs.sample"
SEQ2SEQ_CHANGE = "seq2seq.change"
SEQ2SEQ_NOISE = "seq2seq.noise"
SEQ2SEQ_SAMPLE = "seq2seq.sample"
STATEFUL_LENGTH = "stateful.length"
STATEFUL_CHUNK = "stateful.chunk"
STATEFUL_UNIT = "stateful.unit"
STATEFUL_SESSION = "stateful.session"  # StatefulSession: this browser session's own stateful layer
STATEFUL_SAMPLES = "stateful.samples"  # samples in the next batch fed by hand
STATEFUL_FEED = "stateful.feed"
STATEFUL_RESET = "stateful.reset"
STATEFUL_START_OVER = "stateful.start_over"
STATEFUL_ERROR = "stateful.error"  # the message of the last refused batch
BIDI_KIND = "bidi.kind"
BIDI_UNITS = "bidi.units"
BIDI_MERGE = "bidi.merge_mode"
BIDI_SAMPLE = "bidi.sample"
CELLS_KIND = "cells.kind"
CELLS_UNITS = "cells.units"
CELLS_ACTIVATION = "cells.activation"
CELLS_RECURRENT_ACTIVATION = "cells.recurrent_activation"
CELLS_RECURRENT_DROPOUT = "cells.recurrent_dropout"
CELLS_UNROLL = "cells.unroll"
CELLS_USE_BIAS = "cells.use_bias"
CELLS_RESET_AFTER = "cells.reset_after"
CELLS_RETIME = "cells.retime"
CELLS_TIMING_RUN = "cells.timing_run"  # bumped by "time again" so the cached timing is taken afresh
GRADIENTS_LAYER = "gradients.layer"  # which recurrent layer of the current model the own curve is of
GRADIENTS_DIRECTION = "gradients.direction"
GRADIENTS_CACHE = "gradients.cache"  # {(model key, choices, layer, direction): OwnCurve} for this session

# Train page (issue 11) and the trained model as the current one.
TRAINED = "trained.model"  # TrainedModel: this session's trained (or pre-trained) model
TRAINED_CURRENT = "trained.current"  # its CurrentModel, read by model_source.current_model
TRAIN_PARTIAL = "trained.partial"  # (settings, model, untrained, history) of the run in progress
TRAIN_LOCK = "trained.lock"  # threading.Lock: one training run per session
TRAIN_TASK = "train.task"
TRAIN_CELL = "train.cell"
TRAIN_UNITS = "train.units"
TRAIN_SEED = "train.seed"
TRAIN_MESSAGE = "train.message"  # what the last run ended with (stopped, busy server)
UNIT_REPORTS = "trained.units"  # (model id, UnitReport) of the current trained model
TASK_SEED = "trained.sample_seed"  # seed of the task samples the pages feed a trained model
TASK_ROW = "trained.sample_row"  # which of them is shown
FIND_ROW = "train.find_row"  # the sample the Find-the-unit section shows

# Links (rnnviz/ui/links.py): settings bound to URL parameters.
LINK_SEEN = "link.seen"  # {parameter: value last applied or written}: a URL value differing from it is a new link's
LINK_BOUND = "link.bound"  # {parameter: Binding} bound in this run, written again after the page
STATES_STEP = "states.step"  # the step the link names: the States figure opens at it
