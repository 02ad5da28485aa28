"""Open a person's own trained model safely: `.keras` archives only, Keras's safe mode, size caps.

Before Keras sees anything: the archive is read by what is really inside it (`rnnviz.archive_check`),
config.json is checked for code (here) and for cost (`rnnviz.config_check`, `rnnviz.graph_check`), and
model.weights.h5 against the variables the config declares (`rnnviz.weights_check`).
"""

from __future__ import annotations

import os
import tempfile
import zipfile
from pathlib import Path
from typing import Any

import keras

from rnnviz import archive_check, config_check, limits, weights_check
from rnnviz.i18n import _

MAX_MODEL_BYTES = limits.MAX_MODEL_BYTES  # the .keras file itself
MAX_UNPACKED_BYTES = limits.MAX_UNPACKED_BYTES  # the members read, counted as they inflate, against zip bombs
MIN_KERAS = (3, 14)  # older releases can run code from a crafted file even in safe mode


def load_model(path: str | os.PathLike) -> keras.Model:
    """Load a `.keras` model file without running any code it might carry.

    Args:
        path: a `.keras` file (Keras 3's zip archive), at most `MAX_MODEL_BYTES`.

    Returns:
        The model, uncompiled.

    Raises:
        ValueError: the file is missing, not `.keras` (an `.h5` or SavedModel, say), not a Keras
            archive, too large, holds a Lambda layer or anything else that is not Keras's own, or
            cannot be rebuilt; the message says which.
    """
    _check_keras_version()
    if not isinstance(path, (str, os.PathLike)):
        raise ValueError(_(
            "load_model needs the path of a .keras file (a str or Path); got {type_name}"
        ).format(type_name=type(path).__name__))
    try:
        path = Path(path)
        exists, is_file = path.exists(), path.is_file()
    except (OSError, ValueError) as err:  # a name too long, a NUL byte, no permission
        raise ValueError(_("cannot read {text!r}: {error}").format(text=str(path)[:200], error=_first_line(err))) from None
    if not exists:
        raise ValueError(_("no file at {path}; check the path").format(path=path))
    if not is_file:
        raise ValueError(_(
            "{path} is a folder, not a .keras file; a SavedModel folder cannot be opened, save with "
            "model.save('model.keras')"
        ).format(path=path))
    _check_name(path.name)
    size = path.stat().st_size
    if size > MAX_MODEL_BYTES:
        raise ValueError(_(
            "{name} is {value:.1f} MB; rnnviz opens models up to {value2} MB"
        ).format(name=path.name, value=size / 1024**2, value2=MAX_MODEL_BYTES // 1024**2))
    try:
        data = path.read_bytes()
    except OSError as err:
        raise ValueError(_("cannot read {name}: {error}").format(name=path.name, error=_first_line(err))) from None
    return _load_archive(data, path.name)


def load_model_bytes(data: bytes, filename: str) -> keras.Model:
    """Load a `.keras` model from bytes (an upload), with the same checks as `load_model`.

    Args:
        data: the file's contents.
        filename: its name as the person's browser gave it, for the extension check and the messages
            (never used as a path: the bytes go to a fixed name in a fresh temporary folder).

    Returns:
        The model, uncompiled.

    Raises:
        ValueError: as `load_model`.
    """
    _check_keras_version()
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise ValueError(_(
            "load_model_bytes needs the file's bytes; got {type_name}"
        ).format(type_name=type(data).__name__))
    label = _display_name(filename)
    if len(data) > MAX_MODEL_BYTES:
        raise ValueError(_(
            "{label} is {value:.1f} MB; rnnviz opens models up to {value2} MB"
        ).format(label=label, value=len(data) / 1024**2, value2=MAX_MODEL_BYTES // 1024**2))
    _check_name(label)
    return _load_archive(bytes(data), label)


def _display_name(filename: object) -> str:
    """The last part of an uploaded file's name, printable and at most 100 characters."""
    name = str(filename).replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable())
    if len(name) > 100:
        stem, dot, suffix = name.rpartition(".")
        name = f"{stem[:80]}…{dot}{suffix[:10]}" if dot else name[:100]
    return name if name.strip(" .") else "model.keras"


def _check_name(name: str) -> None:
    suffix = Path(name).suffix.lower()
    if suffix != ".keras":
        if suffix in (".h5", ".hdf5"):
            message = _("{name} is not a .keras file (the legacy HDF5 format); rnnviz opens only Keras 3 .keras "
                        "archives. Load it in your own code and save it again with model.save('model.keras').")
        else:
            message = _("{name} is not a .keras file; rnnviz opens only Keras 3 .keras archives. Load it in your "
                        "own code and save it again with model.save('model.keras').")
        raise ValueError(message.format(name=name))


def _load_archive(data: bytes, label: str) -> keras.Model:
    """Check the archive's bytes, then load them in safe mode; every failure is a ValueError naming `label`."""
    try:
        return _load_checked(data, label)
    except ValueError:
        raise
    except MemoryError:
        raise ValueError(_(
            "{label} needs more memory to open than rnnviz allows a model; open a smaller model"
        ).format(label=label)) from None
    except RecursionError:
        raise ValueError(_("{label} holds a config.json nested too deeply to be a Keras model").format(label=label)) from None
    except Exception as err:  # anything else any check or Keras raises: still the page's clear message
        raise ValueError(_(
            "{label} could not be loaded as a Keras model: {error}"
        ).format(label=label, error=_first_line(err))) from None


def _load_checked(data: bytes, label: str) -> keras.Model:
    members = archive_check.read_members(data, label, MAX_UNPACKED_BYTES)
    config = config_check.parse_config(members[archive_check.CONFIG], label)
    try:
        lambdas = _find_classes(config, "Lambda")
        if lambdas:
            raise ValueError(
                _(
                    "{label} holds a Lambda layer ({join}); rnnviz refuses Lambda layers because they carry Python "
                    "code that would run on loading. Replace it with a built-in layer and save again."
                ).format(label=label, join=', '.join(lambdas))
            )
        _refuse_foreign_objects(config, label)
    except RecursionError:
        raise ValueError(_("{label} holds a config.json nested too deeply to be a Keras model").format(label=label)) from None
    weights = _check_cost(config, members[archive_check.WEIGHTS], label)
    return _keras_load(members[archive_check.CONFIG], weights, label)


def _check_cost(config: Any, weights: bytes | None, label: str) -> bytes:
    """What the config declares and what the weights file declares, bounded before Keras builds or reads.

    Returns the checked weights file (a copy holding only what Keras reads)."""
    declared = config_check.check_config(config, label)
    if weights is None:
        raise ValueError(_(
            "{label} could not be loaded as a Keras model: it holds no model.weights.h5. Save the model with "
            "model.save('model.keras')."
        ).format(label=label))
    return weights_check.check_weights(weights, label, declared.shapes)


def _keras_load(config: bytes, weights: bytes, label: str) -> keras.Model:
    """Keras's own safe-mode load of an archive holding only the checked config and weights.

    The archive is written to a fresh temporary folder that is removed whatever happens (Keras extracts
    large weights next to the archive, so inside that folder too); no other member is ever written.
    """
    with tempfile.TemporaryDirectory(prefix="rnnviz-", ignore_cleanup_errors=True) as folder:
        target = Path(folder) / "model.keras"
        with zipfile.ZipFile(target, "w") as archive:
            archive.writestr(archive_check.CONFIG, config)
            archive.writestr(archive_check.WEIGHTS, weights)
        try:
            model = keras.saving.load_model(target, compile=False, safe_mode=True)
        except (MemoryError, RecursionError):
            raise  # named by _load_archive
        except Exception as err:  # Keras raises many types for a file it cannot rebuild
            raise ValueError(_(
                "{label} could not be loaded as a Keras model: {error}"
            ).format(label=label, error=_first_line(err))) from None
    if not isinstance(model, keras.Model):
        raise ValueError(_(
            "{label} holds a {type_name}, not a keras.Model"
        ).format(label=label, type_name=type(model).__name__))
    return model


def _check_keras_version() -> None:
    parts = tuple(int(p) for p in keras.__version__.split(".")[:2] if p.isdigit())
    if parts < MIN_KERAS:
        raise ValueError(
            _(
                "Keras {version} is installed; loading models safely needs keras>={value}.{value2} (older "
                "releases have known code-execution holes through crafted files). Upgrade Keras."
            ).format(version=keras.__version__, value=MIN_KERAS[0], value2=MIN_KERAS[1])
        )


def _refuse_foreign_objects(config: Any, filename: str) -> None:
    """Refuse any object in the config that is not one of Keras's own, before Keras reads it.

    Keras's safe mode refuses these too (keras >= 3.14), with messages that do not say what is wrong;
    this check says it, and does not depend on Keras's checks alone. `compile_config` is skipped:
    Keras discards it unread when loading with compile=False (a compiled model stores its loss there).
    """
    top = {k: v for k, v in config.items() if k != "compile_config"} if isinstance(config, dict) else config
    for where, obj in _objects(top, _("the model")):
        class_name, module = obj.get("class_name"), obj.get("module")
        inner = obj.get("config")
        named = f"{module}.{inner if class_name == 'function' else class_name}"
        if class_name == "__lambda__":
            raise ValueError(
                _(
                    "{filename} holds Python bytecode (a serialized function) in {where}; rnnviz never runs code from"
                    " a file. Use a built-in activation, initializer or layer instead and save again."
                ).format(filename=filename, where=where)
            )
        registered = obj.get("registered_name")
        if isinstance(registered, str) and ">" in registered:
            raise ValueError(
                _(
                    "{filename} uses a custom object registered as '{registered}' in {where}; rnnviz opens only "
                    "models made of Keras's own layers and functions. Replace it with a built-in one and save again."
                ).format(filename=filename, registered=registered, where=where)
            )
        if module is None or (_is_keras_module(module) and class_name != "function"):
            continue
        if class_name == "function" and _is_keras_module(module):
            area = module.split(".")[1] if "." in module else ""
            if area in _MODELING_FUNCTION_MODULES and inner not in _LOOKUP_FUNCTIONS:
                continue
            raise ValueError(
                _(
                    "{filename} names the Keras function '{named}' in {where}, which is not a modeling function (an "
                    "activation, loss, metric, initializer or op); rnnviz refuses it so that loading runs nothing "
                    "else."
                ).format(filename=filename, named=named, where=where)
            )
        if module == "builtins" and class_name == "function" and _is_keras_builtin_function(inner):
            continue  # how Keras writes a built-in function such as tanh passed as an object
        raise ValueError(
            _(
                "{filename} names '{named}' in {where}, which is not part of Keras; rnnviz opens only models made"
                " of Keras's own layers and functions, so nothing from another module is imported or run."
            ).format(filename=filename, named=named, where=where)
        )


def _is_keras_module(module: Any) -> bool:
    return isinstance(module, str) and (module == "keras" or module.startswith("keras."))


_MODELING_FUNCTION_MODULES = ("activations", "constraints", "initializers", "losses", "metrics", "ops", "optimizers",
                              "random", "regularizers")  # keras.<these> may be named as functions in a config
_LOOKUP_FUNCTIONS = ("get", "serialize", "deserialize")  # those modules' helpers, not modeling functions
_KERAS_FUNCTION_MODULES = (keras.activations, keras.constraints, keras.initializers, keras.losses, keras.metrics,
                           keras.optimizers, keras.regularizers)  # where Keras looks up a "builtins" function


def _is_keras_builtin_function(name: Any) -> bool:
    return (isinstance(name, str) and name.isidentifier() and not name.startswith("_")
            and name not in _LOOKUP_FUNCTIONS and any(callable(getattr(m, name, None)) for m in _KERAS_FUNCTION_MODULES))


def _objects(config: Any, where: str) -> Any:
    """(where, dict) for every serialized object (a dict with a class_name) in a Keras config, in order.

    Iterative, so the cost is one step per value whatever the nesting (a recursive generator pays the depth
    at every value)."""
    stack = [(config, where)]
    while stack:
        value, where = stack.pop()
        if isinstance(value, dict):
            if "class_name" in value:
                inner = value.get("config")
                name = inner.get("name") if isinstance(inner, dict) else None
                if isinstance(name, str) and value.get("class_name") not in ("DTypePolicy", "__keras_tensor__"):
                    where = f"{value.get('class_name')} '{name}'"
                yield where, value
            children = list(value.values())
        elif isinstance(value, list):
            children = value
        else:
            continue
        stack.extend((child, where) for child in reversed(children) if isinstance(child, (dict, list)))


def _find_classes(config: Any, class_name: str) -> list[str]:
    """Names of every object of `class_name` anywhere in a Keras config."""
    found = []
    for _where, obj in _objects(config, ""):
        if obj.get("class_name") == class_name:
            inner = obj.get("config")
            found.append(str(inner.get("name", class_name)) if isinstance(inner, dict) else class_name)
    return found


def _first_line(err: Exception) -> str:
    text = str(err).strip() or type(err).__name__
    return text.splitlines()[0][:300]
