import re

import pytest

from rnnviz.presets import build_preset, preset_names
from rnnviz.summary import format_summary, summarize_model


def keras_summary_text(model, monkeypatch):
    monkeypatch.setenv("COLUMNS", "250")  # rich cuts Keras's table at the terminal width
    lines = []
    model.summary(print_fn=lambda line, **_: lines.append(line), line_length=200)
    return "\n".join(lines)


@pytest.mark.parametrize("name", preset_names())
def test_summary_equals_keras_summary(name, monkeypatch):
    model = build_preset(name)
    ours = summarize_model(model)
    theirs = keras_summary_text(model, monkeypatch)
    total = int(re.search(r"Total params: ([\d,]+)", theirs).group(1).replace(",", ""))
    assert ours.total_params == total == model.count_params()
    for row in ours.rows:
        if row.parent:
            continue
        line = next(line for line in theirs.splitlines() if re.search(rf"\b{re.escape(row.name)} \(", line))
        assert f"{row.params:,}" in line or (row.params == 0 and " 0 " in line + " ")
        assert row.output_shape.split(",")[0] in line


def test_bidirectional_halves_add_up():
    rows = summarize_model(build_preset("guide-bidirectional")).rows
    outer = {r.name: r.params for r in rows if r.parent is None}
    halves = [r for r in rows if r.parent == "bidirectional"]
    assert [h.params for h in halves] == [19_200, 19_200]
    assert sum(h.params for h in halves) == outer["bidirectional"] == 38_400


def test_format_summary_lists_totals():
    text = format_summary(summarize_model(build_preset("guide-lstm")))
    assert "Total params: 164,106" in text and "lstm" in text and "(None, 128)" in text
