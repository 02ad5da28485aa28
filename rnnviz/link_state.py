"""What a link carries, as plain text: a model description encoded compactly, and typed URL parameters.

`encode_spec` / `decode_spec` turn a `ModelSpec` into a short URL-safe text and back (compact JSON
without the fields left at their defaults, zlib, URL-safe base64), checked on the way in: bounded
length, valid JSON, a model rnnviz can build. `Param` reads and writes one typed URL parameter
(a whole number, a number, a switch, one of a list, several of a list, text), with a message that
names the parameter and what is allowed when its value is not. No Streamlit here.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import json
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from rnnviz.i18n import _
from rnnviz.spec import BidirectionalSpec, DenseSpec, EmbeddingSpec, InputSpec, ModelSpec, RecurrentSpec, StackSpec
from rnnviz.validate import SpecError, validate

MAX_MODEL_PARAM = 4000  # characters of an encoded model in a link (browsers take links of 32k+; ours stay short)
MAX_MODEL_JSON = 64 * 1024  # its JSON once decompressed: a bigger one is refused before it is parsed
MAX_TEXT_PARAM = 2000  # characters of a text parameter (typed input, token ids)
_LAYER_DEFAULTS = {cls.__name__: cls() for cls in (EmbeddingSpec, RecurrentSpec, BidirectionalSpec, DenseSpec)}
_KIND_CLASS = {"Embedding": "EmbeddingSpec", "Recurrent": "RecurrentSpec", "Bidirectional": "BidirectionalSpec",
               "Dense": "DenseSpec"}


def _trim(data: dict[str, Any], default: Any, keep: Sequence[str] = ()) -> dict[str, Any]:
    """`data` without the fields equal to `default`'s (kept: `keep`)."""
    return {k: v for k, v in data.items() if k in keep or getattr(default, k, object()) != v}


def _compact_layer(layer: dict[str, Any]) -> dict[str, Any]:
    default = _LAYER_DEFAULTS[_KIND_CLASS[layer["kind"]]]
    if layer["kind"] == "Bidirectional":
        inner = _trim(layer["layer"], _LAYER_DEFAULTS["RecurrentSpec"], keep=("kind",))
        return {**_trim({k: v for k, v in layer.items() if k != "layer"}, default, keep=("kind",)), "layer": inner}
    return _trim(layer, default, keep=("kind",))


def compact_dict(spec: ModelSpec) -> dict[str, Any]:
    """`spec.to_dict()` without the fields left at their defaults; `ModelSpec.from_dict` reads it back."""
    data = spec.to_dict()
    out = _trim({k: v for k, v in data.items() if k not in ("inputs", "stacks")}, ModelSpec())
    out["inputs"] = [_trim(i, InputSpec()) for i in data["inputs"]]
    out["stacks"] = [{**_trim({k: v for k, v in s.items() if k != "layers"}, StackSpec()),
                      "layers": [_compact_layer(layer) for layer in s["layers"]]} for s in data["stacks"]]
    return out


def encode_spec(spec: ModelSpec) -> str:
    """A URL-safe text for `spec`: compact JSON, zlib, base64 without padding."""
    text = json.dumps(compact_dict(spec), separators=(",", ":"), sort_keys=True)
    return base64.urlsafe_b64encode(zlib.compress(text.encode(), 9)).decode().rstrip("=")


def decode_spec(text: str) -> ModelSpec:
    """The model `encode_spec` wrote, checked: rnnviz can build it.

    Raises:
        ValueError: naming what is wrong (too long, not our encoding, not a model, a model that cannot
            be built and why) and what to do.
    """
    if len(text) > MAX_MODEL_PARAM:
        raise ValueError(_("the model in the link is {n} characters long; at most {most} are read. Copy the link "
                           "again with the Copy link box").format(n=f"{len(text):,}", most=f"{MAX_MODEL_PARAM:,}"))
    try:
        packed = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        unpacker = zlib.decompressobj()
        raw = unpacker.decompress(packed, MAX_MODEL_JSON + 1)
    except (binascii.Error, ValueError, zlib.error):
        raise ValueError(_("the model in the link is not one rnnviz wrote (it may have been cut short when it was "
                           "copied). Copy the link again with the Copy link box")) from None
    if len(raw) > MAX_MODEL_JSON or unpacker.unconsumed_tail:
        raise ValueError(_("the model in the link unpacks to more than {most} bytes; it is not one rnnviz "
                           "wrote").format(most=f"{MAX_MODEL_JSON:,}"))
    try:
        spec = ModelSpec.from_dict(json.loads(raw.decode()))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise ValueError(_("the model in the link is not one rnnviz wrote: its description is not JSON")) from None
    try:
        validate(spec)
    except SpecError as err:
        raise ValueError(_("the model in the link cannot be built: {problems}").format(
            problems="; ".join(err.problems))) from None
    except (TypeError, AttributeError) as err:  # a field of the wrong type, e.g. units given as a list
        raise ValueError(_("the model in the link has a field of the wrong type ({error})").format(error=err)) from None
    return spec


@dataclass(frozen=True)
class Param:
    """One typed URL parameter.

    Attributes:
        name: the parameter's name in the URL.
        kind: "int", "float", "bool", "choice", "choices" (several of `options`, split by commas) or "text".
        options: the allowed values of "choice" and "choices", as the widget holds them.
        low: smallest allowed number ("int", "float").
        high: largest allowed number ("int", "float").
    """

    name: str
    kind: str = "int"
    options: tuple = ()
    low: float | None = None
    high: float | None = None

    def allowed(self) -> str:
        """What the parameter may be, in words, for a message."""
        if self.kind in ("choice", "choices"):
            words = ", ".join(str(o) for o in self.options)
            return (_("one of {words}") if self.kind == "choice" else _("some of {words}, split by commas")).format(
                words=words)
        if self.kind == "bool":
            return _("1 or 0")
        if self.kind == "text":
            return _("text of at most {most} characters").format(most=f"{MAX_TEXT_PARAM:,}")
        words = _("a whole number from {low} to {high}") if self.kind == "int" else _("a number from {low} to {high}")
        return words.format(low=_number(self.low), high=_number(self.high))

    def parse(self, raw: str) -> Any:
        """The value `raw` stands for.

        Raises:
            ValueError: "`units` must be a whole number from 1 to 256; the link has `abc`".
        """
        try:
            return self._parse(raw)
        except (ValueError, OverflowError):
            shown = raw if len(raw) <= 40 else raw[:40] + "…"
            raise ValueError(_("`{name}` must be {allowed}; the link has `{value}`").format(
                name=self.name, allowed=self.allowed(), value=shown)) from None

    def _parse(self, raw: str) -> Any:
        if self.kind == "text":
            if len(raw) > MAX_TEXT_PARAM:
                raise ValueError(raw)
            return raw
        if self.kind == "bool":
            return {"1": True, "0": False, "true": True, "false": False}[raw.lower()] if raw.lower() in (
                "1", "0", "true", "false") else _fail(raw)
        if self.kind == "choice":
            return _option(self.options, raw)
        if self.kind == "choices":
            parts = [p for p in raw.split(",") if p != ""]
            if len(parts) > len(self.options):
                raise ValueError(raw)
            return list(dict.fromkeys(_option(self.options, p) for p in parts))
        value = float(raw) if self.kind == "float" else int(raw)
        if (self.low is not None and value < self.low) or (self.high is not None and value > self.high):
            raise ValueError(raw)
        return value

    def format(self, value: Any) -> str | None:
        """`value` as the URL writes it; None when it is not one this parameter can hold."""
        if self.kind == "bool":
            return "1" if value else "0"
        if self.kind == "choices":
            return ",".join(str(v) for v in value) if isinstance(value, (list, tuple)) else None
        if self.kind == "float":
            return f"{float(value):g}"
        if self.kind == "int":
            return str(int(value))
        return str(value)


def _fail(raw: str) -> Any:
    raise ValueError(raw)


def _option(options: tuple, raw: str) -> Any:
    for option in options:
        if str(option) == raw:
            return option
    raise ValueError(raw)


def _number(value: float | None) -> str:
    if value is None:
        return "any"
    return f"{value:g}" if isinstance(value, float) else f"{value}"
