"""Facts about a recurrent layer of a built model that the pages explain (activations)."""

from __future__ import annotations

import keras

from rnnviz.i18n import _


def _name(fn) -> str:
    return getattr(fn, "__name__", str(fn))


def activations(model: keras.Model, layer_name: str) -> tuple[str, str]:
    """The (activation, recurrent_activation) names of a recurrent layer's cell.

    SimpleRNN has no recurrent activation; "sigmoid" stands in for it.

    Raises:
        ValueError: if the model has no such layer.
    """
    try:
        layer = model.get_layer(layer_name)
    except ValueError:
        raise ValueError(_("the model has no layer '{layer_name}'").format(layer_name=layer_name)) from None
    if isinstance(layer, keras.layers.Bidirectional):
        layer = layer.forward_layer
    cell = getattr(layer, "cell", layer)
    return _name(cell.activation), _name(getattr(cell, "recurrent_activation", keras.activations.sigmoid))
