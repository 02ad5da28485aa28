"""Check what a model's config.json declares before Keras builds anything: classes, sizes, graph, constants.

Keras allocates every variable a config declares (from each layer's class, arguments and `build_config`)
before it reads a single weight, so memory follows what the config says, not the file's size. This module
reads config.json as data and counts that cost first; `rnnviz.graph_check` bounds the node graph.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import keras
from keras.src.ops.operation import Operation

from rnnviz import graph_check, limits
from rnnviz.i18n import _

MODELS = ("Functional", "Sequential")
_GATES = {"SimpleRNNCell": 1, "GRUCell": 3, "LSTMCell": 4, "SimpleRNN": 1, "GRU": 3, "LSTM": 4}
_NO_WEIGHTS = frozenset({
    "InputLayer", "Dropout", "SpatialDropout1D", "GaussianNoise", "GaussianDropout", "Masking", "Activation", "ReLU",
    "Softmax", "Flatten", "Reshape", "Permute", "RepeatVector", "Concatenate", "Add", "Subtract", "Multiply",
    "Average", "Maximum", "Minimum", "GlobalAveragePooling1D", "GlobalMaxPooling1D",
})
_WRAPPERS = ("RNN", "StackedRNNCells", "Bidirectional", "TimeDistributed", "Dense", "Embedding")
LAYER_CLASSES = tuple(sorted(_NO_WEIGHTS | set(_GATES) | set(_WRAPPERS) | set(MODELS)))  # the allow-list
_ITEMSIZE = {"float32": 4, "mixed_float16": 4, "mixed_bfloat16": 4, "float16": 2, "bfloat16": 2, "float64": 8}
_CONSTANT_DTYPES = frozenset({"bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
                              "float16", "bfloat16", "float32", "float64"})


@dataclass
class Declared:
    """What a checked config will allocate when Keras builds it."""

    shapes: Counter = field(default_factory=Counter)  # variable shape -> how many variables have it
    params: int = 0
    bytes: int = 0
    layers: int = 0


def parse_config(raw: bytes, label: str) -> Any:
    """config.json's bytes as data, with its size capped before parsing and every parse failure named.

    Raises:
        ValueError: over `MAX_CONFIG_BYTES`, not JSON, nested too deeply, an integer past Python's 4,300
            digits, or too large to parse; the message names the file and the fix.
    """
    if len(raw) > limits.MAX_CONFIG_BYTES:
        raise ValueError(_(
            "{label} holds a config.json of {value:.1f} MB; rnnviz reads configs up to {value2} MB (a model's"
            " config takes a few KB per layer)"
        ).format(label=label, value=len(raw) / 1024**2, value2=limits.MAX_CONFIG_BYTES // 1024**2))
    try:
        config = json.loads(raw)
    except RecursionError:
        raise ValueError(_("{label} holds a config.json nested too deeply to be a Keras model").format(label=label)) from None
    except MemoryError:
        raise ValueError(_(
            "{label} holds a config.json too large to read; it is not a model rnnviz can show"
        ).format(label=label)) from None
    except ValueError as err:  # JSON, UTF-8 and Python's integer-digits limit all raise ValueError
        if "digits" in str(err):
            raise ValueError(_(
                "{label} holds a number of more than 4,300 digits in config.json, which no Keras model has; the "
                "file was edited or damaged. Save the model again with model.save."
            ).format(label=label)) from None
        raise ValueError(_(
            "{label} is a damaged Keras archive: config.json is not JSON ({value})"
        ).format(label=label, value=str(err).splitlines()[0][:200])) from None
    _check_shape(config, label)
    return config


def _check_shape(config: Any, label: str) -> None:
    """Count values and depth without recursion, so later walks over the config stay bounded."""
    if not isinstance(config, (dict, list)):
        return
    stack, count = [(config, 1)], 1
    while stack:
        value, depth = stack.pop()
        children = value.values() if isinstance(value, dict) else value
        if not children:
            continue
        count += len(children)  # counted before walking them, so one huge list is refused at once
        if count > limits.MAX_CONFIG_VALUES:
            raise ValueError(_(
                "{label} holds a config.json of more than {MAX_CONFIG_VALUES:,} values; rnnviz reads configs up "
                "to that (a model's takes a few hundred per layer)"
            ).format(label=label, MAX_CONFIG_VALUES=limits.MAX_CONFIG_VALUES))
        if depth >= limits.MAX_CONFIG_DEPTH:
            raise ValueError(_(
                "{label} holds a config.json nested too deeply to be a Keras model (more than {MAX_CONFIG_DEPTH} "
                "levels)"
            ).format(label=label, MAX_CONFIG_DEPTH=limits.MAX_CONFIG_DEPTH))
        stack.extend([(child, depth + 1) for child in children if isinstance(child, (dict, list))])


def check_config(config: Any, label: str) -> Declared:
    """Walk a parsed config.json and refuse it before Keras builds anything it should not.

    Args:
        config: config.json as parsed by `parse_config`.
        label: the file's name, for the messages.

    Returns:
        The variables the model declares (shapes, parameters, bytes), to check the weights file against.

    Raises:
        ValueError: a layer class outside `LAYER_CLASSES`; units, vocabulary, stacks, layers, parameters or
            variable bytes above `rnnviz.limits`; a node graph too large or deep; a constant (`__numpy__`,
            `__tensor__`) of another dtype or more values than `MAX_CONSTANT_VALUES`. The message names the
            layer and the number.
    """
    if not isinstance(config, dict) or config.get("class_name") not in MODELS:
        found = config.get("class_name") if isinstance(config, dict) else type(config).__name__
        raise ValueError(_(
            "{label} could not be loaded as a Keras model: config.json holds {text!r}, not a Functional or "
            "Sequential model"
        ).format(label=label, text=str(found)[:80]))
    _check_constants(config, label)
    walker = _Walker(label)
    walker.layer(config, None, 0)
    return walker.declared


class _Walker:
    def __init__(self, label: str):
        self.label, self.declared = label, Declared()

    def refuse(self, name: str, cls: str, message: str, **fields: Any) -> ValueError:
        """A refusal: `message` (translated, naming {label}, {name} and {cls}) filled with the layer and `fields`."""
        return ValueError(message.format(label=self.label, name=name, cls=cls, **fields))

    def layer(self, obj: Any, dim: int | None, nesting: int) -> int | None:
        """Count one layer object; `dim` is the input size a wrapper hands it. Returns its output size."""
        if not isinstance(obj, dict) or not isinstance(obj.get("class_name"), str) \
                or not isinstance(obj.get("config"), dict):
            raise ValueError(_(
                "{label} could not be loaded as a Keras model: a layer in config.json is not a Keras layer object"
                " (class_name and config)"
            ).format(label=self.label))
        cls, cfg = obj["class_name"], obj["config"]
        name = str(cfg.get("name", obj.get("name", cls)))[:80]
        self.declared.layers += 1
        if self.declared.layers > limits.MAX_MODEL_LAYERS:
            raise self.refuse(name, cls, _(
                "{label}: layer '{name}' ({cls}) is past the limit of {MAX_MODEL_LAYERS} layers in a model "
                "(counting those inside wrappers and nested models)"
            ), MAX_MODEL_LAYERS=limits.MAX_MODEL_LAYERS)
        if nesting > limits.MAX_MODEL_NESTING:
            raise self.refuse(name, cls, _(
                "{label}: layer '{name}' ({cls}) is nested {nesting} levels deep in models and wrappers; rnnviz "
                "opens up to {MAX_MODEL_NESTING}"
            ), nesting=nesting, MAX_MODEL_NESTING=limits.MAX_MODEL_NESTING)
        if "module" not in obj:
            raise self.refuse(name, cls, _(
                "{label}: layer '{name}' ({cls}) is in the legacy (Keras 2) format; save the model again with "
                "Keras 3"
            ))
        if cls in MODELS:
            self.model(cfg, name, cls, nesting)
            return None
        if _is_op(obj.get("module"), cls):
            return None  # an op Keras writes into the graph (NotEqual for a mask): no variables
        if cls not in LAYER_CLASSES:
            raise ValueError(_(
                "{label} holds a layer of class {cls!r} ('{name}'), which rnnviz does not open: it opens models "
                "made of SimpleRNN, GRU, LSTM (layers, cells, RNN), Bidirectional, TimeDistributed, Embedding, "
                "Dense and layers without weights such as Dropout, Masking or Concatenate (the list: "
                "rnnviz.config_check.LAYER_CLASSES)"
            ).format(label=self.label, cls=cls[:80], name=name))
        if cls in _NO_WEIGHTS:
            if cls == "RepeatVector":
                self.count(cfg, "n", name, cls, limits.MAX_TIMESTEPS)
            return None
        dim = _input_dim(obj.get("build_config"), self.label, name, cls) or dim
        return self.weighted(cls, cfg, name, dim, nesting)

    def model(self, cfg: dict, name: str, cls: str, nesting: int) -> None:
        layers = cfg.get("layers")
        if not isinstance(layers, list):
            raise self.refuse(name, cls, _("{label}: layer '{name}' ({cls}) lists no layers"))
        if cls == "Functional":
            graph_check.check_graph(layers, self.label, name)
        elif len(layers) > limits.MAX_GRAPH_DEPTH:
            raise self.refuse(name, cls, _(
                "{label}: layer '{name}' ({cls}) stacks {count:,} layers; rnnviz opens up to {MAX_GRAPH_DEPTH}"
            ), count=len(layers), MAX_GRAPH_DEPTH=limits.MAX_GRAPH_DEPTH)
        for layer in layers:
            self.layer(layer, None, nesting + 1)

    def weighted(self, cls: str, cfg: dict, name: str, dim: int | None, nesting: int) -> int | None:
        if cls == "Embedding":
            vocab = self.count(cfg, "input_dim", name, cls, limits.MAX_VOCAB)
            width = self.count(cfg, "output_dim", name, cls, limits.MAX_UNITS)
            self.variables(cfg, name, cls, [(vocab, width)])
            return width
        if cls == "RNN":
            cell = cfg.get("cell")
            cells = cell if isinstance(cell, list) else [cell]
            return self.stack(cells, name, cls, dim, nesting)
        if cls == "StackedRNNCells":
            cells = cfg.get("cells")
            return self.stack(cells if isinstance(cells, list) else [cells], name, cls, dim, nesting)
        if cls == "Bidirectional":
            forward, backward = cfg.get("layer"), cfg.get("backward_layer")
            out = self.layer(forward, dim, nesting + 1)
            self.layer(forward if backward is None else backward, dim, nesting + 1)  # no backward: a copy
            return None if out is None else 2 * out
        if cls == "TimeDistributed":
            return self.layer(cfg.get("layer"), dim, nesting + 1)
        if dim is None:
            raise self.refuse(name, cls, _(
                "{label}: layer '{name}' ({cls}) does not state the size of its input (no build_config), so its "
                "weights cannot be counted before building; save the model after calling it once"
            ))
        if cls == "Dense":
            units = self.count(cfg, "units", name, cls, limits.MAX_VOCAB)
            self.variables(cfg, name, cls, [(dim, units)] + ([(units,)] if cfg.get("use_bias", True) else []))
            return units
        units = self.count(cfg, "units", name, cls, limits.MAX_UNITS)
        gates = _GATES[cls] * units
        bias = (2, gates) if _GATES[cls] == 3 and cfg.get("reset_after", True) else (gates,)
        self.variables(cfg, name, cls, [(dim, gates), (units, gates)] + ([bias] if cfg.get("use_bias", True) else []))
        return units

    def stack(self, cells: Any, name: str, cls: str, dim: int | None, nesting: int) -> int | None:
        if len(cells) > limits.MAX_LAYERS:
            raise self.refuse(name, cls, _(
                "{label}: layer '{name}' ({cls}) stacks {count:,} cells; rnnviz opens stacks of up to "
                "{MAX_LAYERS}"
            ), count=len(cells), MAX_LAYERS=limits.MAX_LAYERS)
        for cell in cells:
            dim = self.layer(cell, dim, nesting + 1)
        return dim

    def count(self, cfg: dict, key: str, name: str, cls: str, maximum: int) -> int:
        value = cfg.get(key)
        if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= maximum:
            raise self.refuse(name, cls, _(
                "{label}: layer '{name}' ({cls}) declares {key}={show}; rnnviz opens models with {key} from 1 to "
                "{maximum:,}"
            ), key=key, show=_show(value), maximum=maximum)
        return value

    def variables(self, cfg: dict, name: str, cls: str, shapes: list[tuple[int, ...]]) -> None:
        if cfg.get("quantization_config") is not None or cfg.get("lora_rank") is not None:
            raise self.refuse(name, cls, _(
                "{label}: layer '{name}' ({cls}) is quantized or carries LoRA weights; rnnviz opens plain float "
                "layers"
            ))
        itemsize = _itemsize(cfg.get("dtype"))
        if itemsize is None:
            raise self.refuse(name, cls, _(
                "{label}: layer '{name}' ({cls}) has the dtype policy {show}; rnnviz opens float16, bfloat16, "
                "float32, float64 and mixed_* layers"
            ), show=_show(cfg.get('dtype')))
        params = sum(_product(shape) for shape in shapes)
        total = self.declared.params + params
        if total > limits.MAX_PARAMS:
            raise self.refuse(name, cls, _(
                "{label}: layer '{name}' ({cls}) declares {show} parameters (variables {shapes}), which brings "
                "the model to {show2}; rnnviz opens models of at most {MAX_PARAMS:,} parameters"
            ), show=_show(params), shapes=_shapes(shapes), show2=_show(total), MAX_PARAMS=limits.MAX_PARAMS)
        size = self.declared.bytes + params * itemsize
        if size > limits.MAX_WEIGHT_BYTES:
            raise self.refuse(name, cls, _(
                "{label}: layer '{name}' ({cls}) brings the model's variables to {value:.0f} MB; rnnviz opens "
                "models of at most {value2} MB of variables"
            ), value=size / 1024**2, value2=limits.MAX_WEIGHT_BYTES // 1024**2)
        self._check_orthogonal(cfg, name, cls, shapes)
        self.declared.params, self.declared.bytes = total, size
        self.declared.shapes.update(shapes)


    def _check_orthogonal(self, cfg: dict, name: str, cls: str, shapes: list[tuple[int, ...]]) -> None:
        """Keras fills an Orthogonal initializer's matrix through a QR decomposition: cubic in its shorter side."""
        orthogonal = any(isinstance(v, dict) and v.get("class_name") == "Orthogonal" or v == "orthogonal"
                         for k, v in cfg.items() if k.endswith("_initializer"))
        side = max((min(shape) for shape in shapes if len(shape) == 2), default=0)
        if orthogonal and side > limits.MAX_ORTHOGONAL_DIM:
            raise self.refuse(name, cls, _(
                "{label}: layer '{name}' ({cls}) uses the Orthogonal initializer on a matrix whose shorter side "
                "is {side:,}; rnnviz opens such layers up to {MAX_ORTHOGONAL_DIM:,}"
            ), side=side, MAX_ORTHOGONAL_DIM=limits.MAX_ORTHOGONAL_DIM)


def _is_op(module: Any, cls: str) -> bool:
    """Whether Keras resolves `module.cls` to one of its ops (an Operation that is not a Layer: no variables).

    Looked up among modules Keras has already imported, so nothing is imported by a name from the file."""
    if not isinstance(module, str) or not module.startswith("keras.src.ops."):
        return False
    found = vars(sys.modules[module]).get(cls) if module in sys.modules else None
    return isinstance(found, type) and issubclass(found, Operation) and not issubclass(found, keras.layers.Layer)


def _input_dim(build_config: Any, label: str, name: str, cls: str) -> int | None:
    """The largest last dimension among the input shapes a layer's build_config declares (Keras builds with it)."""
    if build_config is None:
        return None
    shapes = build_config.get("input_shape") if isinstance(build_config, dict) else None
    if isinstance(build_config, dict) and isinstance(build_config.get("shapes_dict"), dict):
        shapes = list(build_config["shapes_dict"].values())
    found, stack = [], [shapes]
    while stack:
        value = stack.pop()
        if isinstance(value, list) and value and all(v is None or type(v) is int for v in value):
            if any(v is not None and not 0 <= v <= 2**31 for v in value):
                raise ValueError(_(
                    "{label}: layer '{name}' ({cls}) declares the input shape {show} in its build_config; no "
                    "dimension of a model rnnviz opens is negative or past 2^31"
                ).format(label=label, name=name, cls=cls, show=_show(value)))
            if value[-1] is not None:
                found.append(value[-1])
        elif isinstance(value, list):
            stack.extend(value)
    return max(found) if found else None


def _check_constants(config: Any, label: str) -> None:
    """Refuse arrays written into the config (call arguments) of another dtype or too many values."""
    stack = [config]
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            kind = value.get("class_name")
            if kind == "__typespec__":
                raise ValueError(_(
                    "{label} holds a TensorFlow type spec in config.json; rnnviz's models never need one"
                ).format(label=label))
            if kind in ("__numpy__", "__tensor__"):
                inner = value.get("config") if isinstance(value.get("config"), dict) else {}
                dtype, values = inner.get("dtype"), _leaves(inner.get("value"))
                if dtype not in _CONSTANT_DTYPES or values > limits.MAX_CONSTANT_VALUES:
                    raise ValueError(_(
                        "{label} holds an array in config.json of dtype {show} with {values:,} values; rnnviz accepts "
                        "arrays of numbers up to {MAX_CONSTANT_VALUES:,} values there (a layer call's constant arguments)"
                    ).format(
                        label=label,
                        show=_show(dtype),
                        values=values,
                        MAX_CONSTANT_VALUES=limits.MAX_CONSTANT_VALUES,
                    ))
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)


def _leaves(value: Any) -> int:
    count, stack = 0, [value]
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(item)
        else:
            count += 1
    return count


def _itemsize(dtype: Any) -> int | None:
    if dtype is None:
        return 4
    if isinstance(dtype, dict) and dtype.get("class_name") in ("DTypePolicy", "FloatDTypePolicy"):
        dtype = dtype.get("config", {}).get("name") if isinstance(dtype.get("config"), dict) else None
    return _ITEMSIZE.get(dtype) if isinstance(dtype, str) else None


def _product(shape: tuple[int, ...]) -> int:
    out = 1
    for dim in shape:
        out *= dim
    return out


def _shapes(shapes: list[tuple[int, ...]]) -> str:
    return ", ".join(" x ".join(_show(d) for d in shape) for shape in shapes)


def _show(value: Any) -> str:
    """A config value for a message, short even when it is a 4,000-digit integer or a long string."""
    if type(value) is int:
        if abs(value) < 10**18:
            return f"{value:,}"
        return _("a number of about {digits} digits").format(digits=int(value.bit_length() * 0.30103))
    text = json.dumps(value) if isinstance(value, (list, dict, str, float, bool)) or value is None else str(value)
    return text if len(text) <= 80 else text[:77] + "..."
