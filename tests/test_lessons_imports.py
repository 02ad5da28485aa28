"""The lessons are core: keras, tensorflow and numpy, never streamlit, plotly or the ui (DESIGN.md)."""

import ast
from pathlib import Path

import pytest

LESSONS = sorted((Path(__file__).resolve().parents[1] / "rnnviz" / "lessons").glob("*.py"))


def test_every_lesson_module_is_checked():
    assert {p.stem for p in LESSONS} >= {"outputs", "seq2seq", "stateful", "bidirectional", "cells", "codegen", "gradients"}


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name)
def test_lessons_import_no_ui_library(path):
    roots = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            roots |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            roots.add(node.module)
    bad = {m for m in roots if m.split(".")[0] in ("streamlit", "plotly") or m.startswith(("rnnviz.ui", "rnnviz.figures"))}
    assert not bad, f"{path.name} imports {bad}"
