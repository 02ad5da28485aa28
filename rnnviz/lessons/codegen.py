"""The Keras code that reproduces each lesson: plain Python a student can copy, run and check.

Every snippet seeds what the lesson seeds (the input with numpy's `default_rng(seed)`, the
weights with seeded initializers, as `common.initializers` does), so running it prints the
shapes and differences the page shows. Tests run the snippets and compare.
"""

from __future__ import annotations

import inspect
import keyword
from dataclasses import fields

from rnnviz.lessons.bidirectional import BidirectionalLesson
from rnnviz.lessons.cells import CellSettings, MinimalRNNCell
from rnnviz.lessons.outputs import returned_names
from rnnviz.lessons.stateful import StatefulSetup
from rnnviz.build import layer_names
from rnnviz.spec import BidirectionalSpec, DenseSpec, EmbeddingSpec, InputSpec, LayerSpec, ModelSpec, RecurrentSpec
from rnnviz.validate import consumed_stacks

HEADER = "import numpy as np\nimport keras\n"


def _init(seed_expr: str = "seed") -> str:
    return (f"dict(kernel_initializer=keras.initializers.GlorotUniform(seed={seed_expr}),\n"
            f"            recurrent_initializer=keras.initializers.Orthogonal(seed={seed_expr} + 1))")


def _args(*positional: object, **keywords: object) -> str:
    """Arguments as Python source: `64, return_sequences=True`."""
    return ", ".join([*map(repr, positional), *(f"{k}={v!r}" for k, v in keywords.items())])


def _inputs(shape: tuple[int, ...], seed: int) -> str:
    return (f"seed = {seed}\n"
            "# Random input of shape (batch, timesteps, features):\n"
            f"x = np.random.default_rng(seed).random({shape!r}, dtype=np.float32)\n")


def outputs_code(kind: str, units: int, *, return_sequences: bool, return_state: bool, batch: int,
                 timesteps: int, features: int, seed: int) -> str:
    """Code for the "Outputs and states" lesson: the layer, what it returns, and the last-step check."""
    names = [name for name, _ in returned_names(kind, return_sequences, return_state)]
    shapes = [(batch, timesteps, units) if (return_sequences and i == 0) else (batch, units) for i in range(len(names))]
    flags = _args(units, return_sequences=return_sequences, return_state=return_state)
    unpack = names[0] if len(names) == 1 else ", ".join(names)
    prints = "".join(f"print({n}.shape)  # {s}\n" for n, s in zip(names, shapes))
    n_states = 2 if kind == "LSTM" else 1
    states = "h, c" if n_states == 2 else "h"
    return (
        HEADER + "\n" + _inputs((batch, timesteps, features), seed)
        + f"init = {_init()}\n\n"
        f"inputs = keras.Input(shape=({timesteps}, {features}))\n"
        f"layer = keras.layers.{kind}({flags}, **init)\n"
        "# return_state needs the functional API, not Sequential:\n"
        "model = keras.Model(inputs, layer(inputs))\n"
        f"{unpack} = model.predict_on_batch(x)\n" + prints + "\n"
        "# The same weights with both switches on: the last step of the sequence is the final h.\n"
        f"twin = keras.layers.{kind}({_args(units, return_sequences=True, return_state=True)}, **init)\n"
        "twin_model = keras.Model(inputs, twin(inputs))\n"
        "twin.set_weights(layer.get_weights())\n"
        f"sequence, {states} = twin_model.predict_on_batch(x)\n"
        "print(np.abs(sequence[:, -1] - h).max())  # 0: they are the same numbers\n"
    )


def seq2seq_code(*, change: str, noise: float, batch: int, encoder_steps: int, decoder_steps: int, seed: int) -> str:
    """Code for the "Encoder to decoder" lesson: the guide's model, seeded as the preset is, and the changed handoff."""
    change_lines = {
        "keep": "changed_h, changed_c = state_h, state_c\n",
        "zero h": "changed_h, changed_c = np.zeros_like(state_h), state_c\n",
        "zero c": "changed_h, changed_c = state_h, np.zeros_like(state_c)\n",
        "zero h and c": "changed_h, changed_c = np.zeros_like(state_h), np.zeros_like(state_c)\n",
        "add noise": (
            f"noise = np.random.default_rng(seed + 7)\n"
            f"changed_h = (state_h + {noise!r} * noise.standard_normal(state_h.shape)).astype(np.float32)\n"
            f"changed_c = (state_c + {noise!r} * noise.standard_normal(state_c.shape)).astype(np.float32)\n"
        ),
    }[change]
    return (
        HEADER + "from keras import layers\n\n"
        f"seed = {seed}\n"
        "rng = np.random.default_rng(seed)\n"
        f"encoder_tokens = rng.integers(1, 1000, ({batch}, {encoder_steps})).astype(np.int32)\n"
        f"decoder_tokens = rng.integers(1, 2000, ({batch}, {decoder_steps})).astype(np.int32)\n\n"
        "# The guide's model with vivid random weights, larger than Keras's initial ones\n"
        "# (rnnviz's preset with Weights: vivid random); seeds 0..8 fix them.\n"
        "normal = lambda s, sd: keras.initializers.RandomNormal(0.0, sd, seed=s)\n"
        "wide = lambda s: keras.initializers.VarianceScaling(6.0, 'fan_avg', 'uniform', seed=s)\n"
        "orthogonal = lambda s: keras.initializers.Orthogonal(gain=1.5, seed=s)\n"
        "lstm_init = lambda s: dict(kernel_initializer=wide(s),\n"
        "                           recurrent_initializer=orthogonal(s + 1),\n"
        "                           bias_initializer=normal(s + 2, 0.5))\n"
        "encoder_input = layers.Input(shape=(None,), dtype='int32')\n"
        "encoder_embedding = layers.Embedding(1000, 64, embeddings_initializer=normal(0, 1.0))\n"
        "encoder_embedded = encoder_embedding(encoder_input)\n"
        "# Return states in addition to output\n"
        "encoder = layers.LSTM(64, return_state=True, name='encoder', **lstm_init(1))\n"
        "output, state_h, state_c = encoder(encoder_embedded)\n"
        "decoder_input = layers.Input(shape=(None,), dtype='int32')\n"
        "decoder_embedding = layers.Embedding(2000, 64, embeddings_initializer=normal(4, 1.0))\n"
        "decoder = layers.LSTM(64, name='decoder', **lstm_init(5))\n"
        "# Pass the 2 states to a new LSTM layer, as initial state\n"
        "decoder_output = decoder(decoder_embedding(decoder_input),\n"
        "                         initial_state=[state_h, state_c])\n"
        "dense = layers.Dense(10, activation='softmax', kernel_initializer=wide(8))\n"
        "model = keras.Model([encoder_input, decoder_input], dense(decoder_output))\n"
        "print(model.count_params())  # 258698\n\n"
        "# What the encoder hands over, as numbers, and a changed copy:\n"
        "handed = keras.Model(encoder_input, [state_h, state_c])\n"
        "state_h, state_c = handed.predict_on_batch(encoder_tokens)\n"
        + change_lines + "\n"
        "def decoder_states(h, c):\n"
        "    \"\"\"Step the decoder's own cell from (h, c); h and c at every step.\"\"\"\n"
        "    x = decoder_embedding(decoder_tokens)\n"
        "    hs, cs = [], []\n"
        "    for t in range(x.shape[1]):\n"
        "        _, (h, c) = decoder.cell(x[:, t], [h, c])\n"
        "        hs.append(np.asarray(h))\n"
        "        cs.append(np.asarray(c))\n"
        "    return np.stack(hs, axis=1), np.stack(cs, axis=1)\n\n"
        "unchanged_h, unchanged_c = decoder_states(state_h, state_c)\n"
        "changed_h_steps, changed_c_steps = decoder_states(changed_h, changed_c)\n"
        "# How far apart the two runs are, step by step:\n"
        "print(np.abs(changed_h_steps - unchanged_h).max(axis=(0, 2)))\n"
        "# The model's own output is Dense on the unchanged decoder's last h:\n"
        "keras_output = model.predict_on_batch([encoder_tokens, decoder_tokens])\n"
        "print(np.abs(keras_output - dense(unchanged_h[:, -1])).max())  # 0\n"
    )


def stateful_code(setup: StatefulSetup) -> str:
    """Code for the "Stateful" lesson: chunks into a stateful layer, against the whole sequence."""
    s = setup
    layer = f"keras.layers.{s.kind}"
    return (
        HEADER + "\n" + _inputs((s.batch, s.length, s.features), s.seed)
        + f"init = {_init()}\n"
        f"starts = range(0, {s.length}, {s.chunk})  # chunks of {s.chunk} steps\n\n"
        "# Stateful needs a fixed batch size: sample i of each batch continues sample i\n"
        "# of the batch before.\n"
        f"inputs = keras.Input(batch_shape=({s.batch}, None, {s.features}))\n"
        f"stateful_layer = {layer}({_args(s.units, stateful=True, return_sequences=True)}, **init)\n"
        "model = keras.Model(inputs, stateful_layer(inputs))\n"
        f"chunks = [model.predict_on_batch(x[:, t:t + {s.chunk}]) for t in starts]\n"
        "stateful = np.concatenate(chunks, axis=1)\n\n"
        "# The same weights, not stateful: the whole sequence at once, and each chunk from zeros.\n"
        f"any_batch = keras.Input(shape=(None, {s.features}))\n"
        f"plain_layer = {layer}({_args(s.units, return_sequences=True)}, **init)\n"
        "plain = keras.Model(any_batch, plain_layer(any_batch))\n"
        "whole = plain.predict_on_batch(x)\n"
        f"restarted = [plain.predict_on_batch(x[:, t:t + {s.chunk}]) for t in starts]\n"
        "restarted = np.concatenate(restarted, axis=1)\n"
        "print(np.abs(stateful - whole).max())  # 0: the chunks carry the state across\n"
        "print(np.abs(restarted - whole).max())  # large: each chunk started from zeros\n\n"
        "stateful_layer.reset_state()  # back to zeros (Keras 3; Model has no reset_state)\n"
    )


def bidirectional_code(lesson: BidirectionalLesson, *, batch: int, timesteps: int, features: int, seed: int) -> str:
    """Code for the "Bidirectional" lesson: the wrapper, its merged output, and the reversal check."""
    kind, units = lesson.kind, lesson.units
    shapes = [tuple(m.shape) for m in lesson.merged]
    unpack = "merged" if len(shapes) == 1 else "forward_out, backward_out"
    prints = "".join(f"print({n}.shape)  # {s}\n" for n, s in zip(unpack.split(", "), shapes))
    return (
        HEADER + "\n" + _inputs((batch, timesteps, features), seed)
        + "# Vivid random weights, larger than Keras's initial ones: the values spread out.\n"
        "wide = lambda s: keras.initializers.VarianceScaling(6.0, 'fan_avg', 'uniform', seed=s)\n"
        "init = lambda s: dict(\n"
        "    kernel_initializer=wide(s),\n"
        "    recurrent_initializer=keras.initializers.Orthogonal(gain=1.5, seed=s + 1),\n"
        "    bias_initializer=keras.initializers.RandomNormal(0.0, 0.5, seed=s + 1000))\n\n"
        f"inputs = keras.Input(shape=({timesteps}, {features}))\n"
        "# A backward layer of its own: the copy Bidirectional would make of `forward`\n"
        "# would get the same seeded weights.\n"
        f"forward = keras.layers.{kind}({_args(units, return_sequences=True)}, **init(seed))\n"
        f"backward = keras.layers.{kind}({_args(units, return_sequences=True, go_backwards=True)},\n"
        "                              **init(seed + 2))\n"
        "bidi = keras.layers.Bidirectional(forward, backward_layer=backward,\n"
        f"                                  merge_mode={lesson.merge_mode!r})\n"
        "model = keras.Model(inputs, bidi(inputs))\n"
        f"{unpack} = model.predict_on_batch(x)\n" + prints
        + f"print(bidi.count_params())  # {lesson.params}\n\n"
        "# The backward half is a forward layer with its weights, run on the reversed input:\n"
        "backward_model = keras.Model(inputs, bidi.backward_layer(inputs))\n"
        "# Turned back onto the input's time axis, as Bidirectional does:\n"
        "backward_half = backward_model.predict_on_batch(x)[:, ::-1]\n"
        f"one_way = keras.layers.{kind}({_args(units, return_sequences=True)})\n"
        "one_way_model = keras.Model(inputs, one_way(inputs))\n"
        "one_way.set_weights(bidi.backward_layer.get_weights())\n"
        "reversed_run = one_way_model.predict_on_batch(x[:, ::-1])[:, ::-1]\n"
        "print(np.abs(backward_half - reversed_run).max())  # 0\n"
    )


GUIDE_BIDIRECTIONAL_CODE = (
    HEADER + "from keras import layers\n\n"
    "model = keras.Sequential()\n"
    "model.add(keras.Input(shape=(5, 10)))\n"
    "model.add(layers.Bidirectional(layers.LSTM(64, return_sequences=True)))\n"
    "model.add(layers.Bidirectional(layers.LSTM(32)))\n"
    "model.add(layers.Dense(10))\n"
    "# The two Bidirectional layers have 38,400 and 41,216 parameters; 80,266 in all.\n"
    "model.summary()\n"
)


def cells_code(kind: str, units: int, *, settings: CellSettings, batch: int, timesteps: int, features: int,
               seed: int) -> str:
    """Code for the "Cells and layers" lesson: the built-in layer beside RNN(cell) with the same weights."""
    changed = {f.name: getattr(settings, f.name) for f in fields(CellSettings)
               if getattr(settings, f.name) != f.default}
    cell_args = {k: v for k, v in settings.cell_args(kind).items() if k in changed}
    rnn_args = {"return_sequences": True, **({"unroll": True} if settings.unroll else {})}
    lines = "".join(f"    {k}={v!r},\n" for k, v in cell_args.items())
    settings_line = f"settings = dict(\n{lines})\n" if cell_args else "settings = {}  # Keras's defaults\n"
    return (
        HEADER + "\n" + _inputs((batch, timesteps, features), seed)
        + f"init = {_init()}\n" + settings_line + "\n"
        f"inputs = keras.Input(shape=({timesteps}, {features}))\n"
        "# The built-in layer: may run cuDNN on a GPU.\n"
        f"layer = keras.layers.{kind}({_args(units, **rnn_args)}, **settings, **init)\n"
        "# The same cell in the generic RNN loop: never cuDNN.\n"
        f"cell = keras.layers.{kind}Cell({units}, **settings, **init)\n"
        f"wrapped = keras.layers.RNN(cell, {_args(**rnn_args)})\n"
        "layer_model = keras.Model(inputs, layer(inputs))\n"
        "cell_model = keras.Model(inputs, wrapped(inputs))\n"
        "wrapped.set_weights(layer.get_weights())\n"
        "difference = layer_model.predict_on_batch(x) - cell_model.predict_on_batch(x)\n"
        "print(np.abs(difference).max())  # 0: the same maths\n"
    )


def custom_cell_code(units: int, *, batch: int, timesteps: int, features: int, seed: int) -> str:
    """Code for the custom cell: its class, exactly as rnnviz runs it, wrapped by RNN."""
    return (
        HEADER + "\n\n" + inspect.getsource(MinimalRNNCell) + "\n\n"
        + _inputs((batch, timesteps, features), seed)
        + f"inputs = keras.Input(shape=({timesteps}, {features}))\n"
        f"layer = keras.layers.RNN(MinimalRNNCell({units}, seed=seed), return_sequences=True)\n"
        "outputs = keras.Model(inputs, layer(inputs)).predict_on_batch(x)\n"
        f"print(outputs.shape)  # ({batch}, {timesteps}, {units})\n"
    )


_TAKEN = {"x", "outputs", "model", "keras"}  # names the generated code uses itself


def _python_name(name: str) -> str:
    """A Keras name as a Python variable: letters, digits and underscores, not starting with a digit."""
    text = "".join(c if c.isalnum() or c == "_" else "_" for c in name)
    text = text if text[:1].isalpha() or text[:1] == "_" else f"x_{text}"
    return f"{text}_" if keyword.iskeyword(text) or text in _TAKEN else text


def _recurrent_source(layer: RecurrentSpec, name: str | None) -> str:
    """`keras.layers.LSTM(64, return_sequences=True, name='lstm')`, or `RNN(LSTMCell(64))` for a wrapped cell."""
    defaults = RecurrentSpec()
    cell = {"activation": layer.activation} if layer.activation != defaults.activation else {}
    if layer.cell_kind != "SimpleRNN" and layer.recurrent_activation != defaults.recurrent_activation:
        cell["recurrent_activation"] = layer.recurrent_activation
    if layer.cell_kind == "GRU" and layer.reset_after != defaults.reset_after:
        cell["reset_after"] = layer.reset_after
    flags = {f: True for f in ("return_sequences", "return_state", "stateful", "go_backwards") if getattr(layer, f)}
    named = {"name": name} if name else {}
    if layer.wrap_cell:
        return (f"keras.layers.RNN(keras.layers.{layer.cell_kind}Cell({_args(layer.units, **cell)}), "
                f"{_args(**flags, **named)})")
    return f"keras.layers.{layer.cell_kind}({_args(layer.units, **cell, **flags, **named)})"


def _layer_source(layer: LayerSpec, name: str) -> str:
    if isinstance(layer, EmbeddingSpec):
        mask = {"mask_zero": True} if layer.mask_zero else {}
        return f"keras.layers.Embedding({_args(layer.input_dim, layer.output_dim, **mask, name=name)})"
    if isinstance(layer, DenseSpec):
        activation = {"activation": layer.activation} if layer.activation else {}
        return f"keras.layers.Dense({_args(layer.units, **activation, name=name)})"
    if isinstance(layer, BidirectionalSpec):
        merge = {} if layer.merge_mode == "concat" else {"merge_mode": layer.merge_mode}
        return f"keras.layers.Bidirectional({_recurrent_source(layer.layer, None)}, {_args(**merge, name=name)})"
    return _recurrent_source(layer, name)


def _input_source(inp: InputSpec) -> str:
    shape = (inp.timesteps,) if inp.kind == "tokens" else (inp.timesteps, inp.features)
    dtype = "int32" if inp.kind == "tokens" else "float32"
    size = f"batch_shape={(inp.batch_size, *shape)!r}" if inp.batch_size is not None else f"shape={shape!r}"
    return f"{_python_name(inp.name)} = keras.Input({size}, dtype={dtype!r}, name={inp.name!r})\n"


def model_code(spec: ModelSpec) -> str:
    """Keras code that builds the model `spec` describes (the Build page's): the same layers, names, shapes
    and parameter counts. Its weights are Keras's own initial ones; the app draws its own from the spec's seed.
    """
    names = layer_names(spec)
    handed = consumed_stacks(spec)
    lines = ["import keras\n\n", *(_input_source(i) for i in spec.inputs), "outputs = []\n"]
    for stack in spec.stacks:
        lines.append(f"\n# Stack {stack.name!r} reads input {stack.input!r}\n")
        lines.append(f"x = {_python_name(stack.input)}\n")
        start = f"{_python_name(stack.initial_state_from)}_states" if stack.initial_state_from else None
        for index, layer in enumerate(stack.layers):
            call = "(x)"
            if start and isinstance(layer, RecurrentSpec):  # its first recurrent layer starts from the states
                call, start = f"(x, initial_state={start})", None
            lines.append(f"x = {_layer_source(layer, names[(stack.name, index)])}{call}\n")
        if stack.name in handed:
            lines.append(f"{_python_name(stack.name)}_states = x[1:]  # the final states it hands on\n")
        else:
            lines.append("outputs += list(x) if isinstance(x, (list, tuple)) else [x]\n")
    inputs = ", ".join(_python_name(i.name) for i in spec.inputs)
    inputs = inputs if len(spec.inputs) == 1 else f"[{inputs}]"
    lines.append(f"\nmodel = keras.Model({inputs}, outputs[0] if len(outputs) == 1 else outputs, name={spec.name!r})\n")
    lines.append("model.summary()\n")
    return "".join(lines)
