"""Every chart of rnnviz.figures speaks Korean in a Korean session: its own words (titles it gives,
axes, legends, hovers, notes, the slider and Play) are Korean, and no English sentence is left;
symbols (h, c, f), Keras names and numbers stay. The texts a caller passes (a title) are the caller's."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest

from english_text import english_runs, has_hangul
from rnnviz.figures import Quantity, bidirectional_heatmaps, state_heatmap, step_bars, step_through, unit_lines
from rnnviz.figures.gradients import Line, adding_saliency, gradient_curves, half_life_text
from rnnviz.figures.lessons import boundary_lines, continuation_diagram, handoff_heatmaps, timing_bars
from rnnviz.figures.training import coloured_tokens, pca_trajectory, training_curve, unit_and_latent
from rnnviz.i18n import use_language
from rnnviz.build import layer_names
from rnnviz.diagram import model_diagram
from rnnviz.figures.diagram import diagram_figure
from rnnviz.presets import get_preset

RNG = np.random.default_rng(3)
H, C, F = np.tanh(RNG.normal(size=(9, 5))), 3 * RNG.normal(size=(9, 5)), RNG.uniform(size=(9, 5))
TOKENS = tuple("안녕하세요 반가워")
SHOWN_KEYS = {"text", "name", "hovertemplate", "label", "prefix", "ticktext", "texttemplate"}

FIGURES = {  # each made inside use_language("ko"); titles given by the caller are Korean, as a page's would be
    "step_through": lambda: step_through([Quantity("은닉 상태 h", H, "tanh"), Quantity("셀 상태 c", C, "free"),
                                          Quantity("망각 게이트 f", F, "gate")], title="제목", labels=TOKENS),
    "step_through, averaged and windowed": lambda: step_through(
        [Quantity("은닉 상태 h", np.tanh(RNG.normal(size=(300, 600))), "tanh")], title="제목", max_cells=3000),
    "state_heatmap, averaged": lambda: state_heatmap(np.tanh(RNG.normal(size=(400, 900))), title="제목"),
    "state_heatmap, tokens": lambda: state_heatmap(np.tanh(RNG.normal(size=(60, 4))), title="제목",
                                                   labels=[f"토큰{t}" for t in range(60)], highlight_step=3),
    "bidirectional_heatmaps": lambda: bidirectional_heatmaps(H, F, highlight_step=2),
    "step_bars": lambda: step_bars({"hidden": H[0], "cell": C[0], "forget": F[0], "candidate": H[1]}, step_label=0),
    "unit_lines": lambda: unit_lines(H, [0, 1], labels=TOKENS, title="제목", name="h", more={"f": F}),
    "handoff_heatmaps": lambda: handoff_heatmaps(H, {"그대로": H[:4]}, title="제목"),
    "boundary_lines": lambda: boundary_lines({"h": H[:, 0]}, title="제목", y_title="h", boundaries=[3]),
    "continuation_diagram": lambda: continuation_diagram(20, [(0, 5), (5, 10), (10, 15), (15, 20), (20, 25)]),
    "timing_bars": lambda: timing_bars({"LSTM(64)": [1.0, 1.2, 1.1], "RNN(LSTMCell(64))": [2.0, 2.5]}, title="제목"),
    "gradient_curves": lambda: gradient_curves([Line("LSTM · " + half_life_text(3.6), H[:, 0] ** 2, "#000")],
                                               title="제목"),
    "adding_saliency": lambda: adding_saliency(F[:, 0], (1, 4), {"LSTM": F[:, 1]}, title="제목"),
    "training_curve": lambda: training_curve([1, 2], [0.7, 0.5], [0.5, 0.8], 10),
    "coloured_tokens": lambda: coloured_tokens([list("안녕")], np.array([[0.1, -0.4]]), "제목"),
    "unit_and_latent": lambda: unit_and_latent(H[:, 0], F[:, 0], TOKENS, "유닛 3", "개수"),
    "diagram_figure": lambda: diagram_figure(model_diagram(
        get_preset("guide-encoder-decoder").spec, layer_names(get_preset("guide-encoder-decoder").spec),
        {"encoder": 33_024})),
    "pca_trajectory": lambda: pca_trajectory(H[:, :2], TOKENS, F[:, 0], np.array([0.6, 0.3]), "개수"),
}


def shown_texts(node, key: str | None = None) -> list[str]:
    """Every string under a key Plotly shows (titles, names, hovers, labels, tick texts), frames included."""
    if isinstance(node, dict):
        return [t for k, v in node.items() for t in shown_texts(v, k)]
    if isinstance(node, (list, tuple)):
        return [t for v in node for t in shown_texts(v, key)]
    if isinstance(node, np.ndarray) and node.dtype.kind in "OU":
        return [t for v in node.ravel() for t in shown_texts(v, key)]
    return [node] if isinstance(node, str) and key in SHOWN_KEYS else []


def readable(text: str) -> str:
    """A hover template or label as a person reads it: no %{...} fields, no HTML tags."""
    return re.sub(r"%\{[^}]*\}|<[^>]*>", " ", text)


@pytest.mark.parametrize("name", FIGURES)
def test_a_korean_chart_has_korean_words_and_no_english_sentence(name):
    with use_language("ko"):
        fig = FIGURES[name]()
    texts = [readable(t) for t in shown_texts(fig.to_plotly_json())]
    english = [run for t in texts for run in english_runs(t)]
    assert not english, f"{name} shows English: {english}"
    own = [t for t in texts if t != "제목"]
    assert any(has_hangul(t) for t in own), f"{name} shows no Korean word of its own: {own[:10]}"


def test_english_stays_the_default_and_korean_is_the_catalogues():
    fig = step_through([Quantity("hidden state h", H, "tanh")], title="t")
    assert [b.label for b in fig.layout.updatemenus[0].buttons] == ["▶ Play", "❚❚ Pause"]
    assert fig.layout.sliders[0].currentvalue.prefix == "Step "
    with use_language("ko"):
        fig = step_through([Quantity("hidden state h", H, "tanh")], title="t")
        assert half_life_text(math.inf) == "감쇠 없음"
    assert [b.label for b in fig.layout.updatemenus[0].buttons] == ["▶ 재생", "❚❚ 일시정지"]
    assert fig.layout.sliders[0].currentvalue.prefix == "스텝 "
    assert fig.layout.xaxis.title.text == "타임스텝"
