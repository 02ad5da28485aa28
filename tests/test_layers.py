"""Imports go one way: core -> figures -> ui/pages (see DESIGN.md)."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CORE = [p for p in (ROOT / "rnnviz").glob("*.py") if not p.name.startswith("figures")]
FIGURES = list((ROOT / "rnnviz").glob("figures*.py")) + list((ROOT / "rnnviz").glob("figures/*.py"))


def imported_roots(path: Path) -> set[str]:
    roots = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            roots |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            roots.add(node.module)
    return roots


def test_there_is_a_core():
    assert len(CORE) >= 5


@pytest.mark.parametrize("path", CORE, ids=lambda p: p.name)
def test_core_imports_neither_streamlit_nor_plotly(path):
    bad = {m for m in imported_roots(path) if m.split(".")[0] in ("streamlit", "plotly") or m.startswith("rnnviz.ui")}
    assert not bad, f"{path.name} imports {bad}"


@pytest.mark.parametrize("path", FIGURES, ids=lambda p: p.name)
def test_figures_call_no_model_and_no_streamlit(path):
    bad = {m for m in imported_roots(path) if m.split(".")[0] in ("streamlit", "keras", "tensorflow")}
    assert not bad, f"{path.name} imports {bad}"


def test_importing_rnnviz_loads_no_ui_library():
    code = "import sys, rnnviz; print(sorted(m for m in ('streamlit', 'plotly') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.strip() == "[]"
