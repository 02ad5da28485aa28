"""The stack diagram figure (rnnviz/figures/diagram.py): boxes, arrows and labels in fig.layout, for every preset
and for a draft with a broken layer."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from rnnviz import limits
from rnnviz.build import layer_names
from rnnviz.diagram import model_diagram
from rnnviz.figures.diagram import INVALID, LABEL_ROOM, STATES, diagram_figure
from rnnviz.i18n import use_language
from rnnviz.presets import get_preset, preset_names
from rnnviz.spec import InputSpec, ModelSpec, RecurrentSpec, StackSpec


def _named(items, prefix: str) -> dict[str, object]:
    return {item.name[len(prefix):]: item for item in items if item.name and item.name.startswith(prefix)}


def _plain(text: str) -> str:
    return re.sub(r"<[^>]*>", "\n", text)


def _broken_draft() -> ModelSpec:
    """guide-gru-simplernn with the GRU's return_sequences off: the SimpleRNN gets a 2-D input."""
    spec = get_preset("guide-gru-simplernn").spec
    stack = spec.stacks[0]
    layers = (stack.layers[0], replace(stack.layers[1], return_sequences=False), *stack.layers[2:])
    return replace(spec, stacks=(replace(stack, layers=layers),))


def _count(spec: ModelSpec) -> tuple[int, int, int]:
    """Boxes, model outputs and state hand-overs, counted from the spec itself."""
    handed = {s.initial_state_from for s in spec.stacks if s.initial_state_from}
    outputs = sum(1 for s in spec.stacks if s.name not in handed)
    boxes = len(spec.inputs) + sum(len(s.layers) for s in spec.stacks)
    return boxes, outputs, len([s for s in spec.stacks if s.initial_state_from])


@pytest.mark.parametrize("name", [*preset_names(), "broken draft"])
def test_a_box_per_input_and_layer_an_arrow_into_each_and_out_to_each_output(name):
    spec = _broken_draft() if name == "broken draft" else get_preset(name).spec
    names = layer_names(spec)
    fig = diagram_figure(model_diagram(spec, names))
    boxes, outputs, states = _count(spec)
    assert len(_named(fig.layout.shapes, "box:")) == boxes
    assert len(_named(fig.layout.annotations, "node:")) == boxes + outputs
    arrows = _named(fig.layout.annotations, "edge:")
    assert len(arrows) == boxes - len(spec.inputs) + outputs + states
    assert set(_named(fig.layout.annotations, "label:")) == set(arrows)
    texts = {key: _plain(a.text) for key, a in _named(fig.layout.annotations, "node:").items()}
    for stack in spec.stacks:
        for index in range(len(stack.layers)):
            assert names[(stack.name, index)] in texts[f"{stack.name}:{index}"].replace("⚠ ", "")
    for inp in spec.inputs:
        assert f"input {inp.name}" in texts[f"in:{inp.name}"]
    for arrow in arrows.values():  # every arrow points down the page (the y axis runs downwards)
        assert arrow.y > arrow.ay and arrow.showarrow and arrow.arrowhead
    assert fig.layout.height <= 4000 and fig.layout.yaxis.autorange is None


def test_the_arrow_into_a_layer_carries_the_shape_it_reads():
    spec = get_preset("guide-lstm").spec
    labels = {k: a.text for k, a in _named(diagram_figure(model_diagram(spec, layer_names(spec))).layout.annotations,
                                           "label:").items()}
    # Embedding(1000, 64) -> LSTM(128) -> Dense(10): token ids (None, None), then 64 features, then 128 units.
    assert labels == {"in:tokens->main:0": "(None, None)", "main:0->main:1": "(None, None, 64)",
                      "main:1->main:2": "(None, 128)", "main:2->out:main": "(None, 10)"}


def test_the_encoders_states_go_to_the_decoder_in_red_dashes_and_the_decoder_sits_lower():
    spec = get_preset("guide-encoder-decoder").spec
    fig = diagram_figure(model_diagram(spec, layer_names(spec)))
    arrow = _named(fig.layout.annotations, "edge:")["encoder:1->decoder:1"]
    label = _named(fig.layout.annotations, "label:")["encoder:1->decoder:1"]
    line = _named(fig.layout.shapes, "states:")["encoder:1->decoder:1"]
    assert arrow.arrowcolor == STATES and line.line.dash == "dash" and "final states" in label.text
    boxes = _named(fig.layout.shapes, "box:")
    assert boxes["decoder:1"].y0 > boxes["encoder:1"].y1  # below the encoder's last layer
    assert boxes["decoder:1"].x0 > boxes["encoder:1"].x1  # in the next column
    assert [k for k in _named(fig.layout.annotations, "edge:") if k.endswith("out:encoder")] == []


def test_the_broken_layer_is_red_and_its_message_is_under_the_diagram():
    fig = diagram_figure(model_diagram(_broken_draft(), layer_names(_broken_draft())))
    boxes = _named(fig.layout.shapes, "box:")
    red = [k for k, b in boxes.items() if b.line.color == INVALID]
    assert red == ["main:2"]
    assert boxes["main:1"].line.color != INVALID
    notes = _named(fig.layout.annotations, "note:")
    assert list(notes) == ["main:2"]
    note = " ".join(_plain(notes["main:2"].text).split())
    assert "return_sequences off; turn it on" in note and note.startswith("⚠ simple_rnn:")
    assert notes["main:2"].y >= max(b.y1 for b in boxes.values())  # under every box
    assert "⚠" in _named(fig.layout.annotations, "node:")["main:2"].text


def test_params_show_in_the_box_when_given():
    spec = get_preset("guide-lstm").spec
    names = layer_names(spec)
    fig = diagram_figure(model_diagram(spec, names, {names[("main", 1)]: 98_816}))
    assert "98,816 params" in _named(fig.layout.annotations, "node:")["main:1"].text


def test_korean_texts_and_hangul_lines_fit_a_box():
    spec = get_preset("guide-bidirectional").spec
    with use_language("ko"):
        fig = diagram_figure(model_diagram(spec, layer_names(spec), {"bidirectional": 38_400}))
    text = _named(fig.layout.annotations, "node:")["main:0"].text
    assert "파라미터 38,400개" in text and "병합 concat" in text
    assert "출력" in _named(fig.layout.annotations, "node:")["out:main"].text
    for line in text.split("<br>"):  # a box 60 % of 440 px holds 29 letters of 9 px; a Hangul syllable is two
        assert sum(2 if "\uac00" <= c <= "\ud7a3" else 1 for c in re.sub(r"<[^>]*>", "", line)) <= 29


def test_two_stacks_wrap_their_switches_to_fit_narrower_boxes():
    spec = get_preset("guide-encoder-decoder").spec
    encoder = replace(spec.stacks[0].layers[1], return_sequences=True, stateful=True)
    draft = replace(spec, stacks=(replace(spec.stacks[0], layers=(spec.stacks[0].layers[0], encoder)),
                                  spec.stacks[1]))
    text = _named(diagram_figure(model_diagram(draft, layer_names(draft))).layout.annotations, "node:")["encoder:1"]
    lines = text.text.split("<br>")
    assert lines[2:] == ["return_sequences,", "return_state,", "stateful"]  # a box 39 % of 440 px: 19 letters
    assert max(len(line) for line in lines[1:]) <= 19


def test_the_largest_model_the_limits_allow_stays_bounded():
    """MAX_STACKS stacks of MAX_LAYERS layers, each starting from the last one's states: the longest diagram."""
    stacks = [StackSpec(f"s{i}", "x", tuple(RecurrentSpec("LSTM", 8, return_sequences=j < limits.MAX_LAYERS - 1,
                                                          return_state=j == limits.MAX_LAYERS - 1)
                                            for j in range(limits.MAX_LAYERS)),
                        initial_state_from=f"s{i - 1}" if i else None) for i in range(limits.MAX_STACKS)]
    spec = ModelSpec(inputs=(InputSpec("x", "vectors", features=4),),
                     stacks=tuple(stacks))
    fig = diagram_figure(model_diagram(spec, layer_names(spec)))
    assert len(_named(fig.layout.shapes, "box:")) == 1 + limits.MAX_STACKS * limits.MAX_LAYERS
    assert fig.layout.xaxis.range[1] - fig.layout.xaxis.range[0] == pytest.approx(limits.MAX_STACKS + LABEL_ROOM)
    assert 3000 < fig.layout.height < 8000  # each chained stack starts below the last: 34 rows


@pytest.mark.parametrize("name", ["guide-encoder-decoder", "broken draft"])
def test_readable_from_the_back_of_a_classroom(name):
    spec = _broken_draft() if name == "broken draft" else get_preset(name).spec
    fig = diagram_figure(model_diagram(spec, layer_names(spec)))
    assert fig.layout.title.text and fig.layout.template.layout.font.size >= 14
    assert all(a.font.size >= 14 for a in fig.layout.annotations if a.text)
