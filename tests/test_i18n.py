"""Korean and English: every text the app shows has a Korean translation in the gettext catalogue,
pages never show a text that skips `_()`, and a Korean session looks nothing up in vain."""

import ast
import re
import string
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from streamlit.testing.v1 import AppTest

from rnnviz import i18n
from rnnviz.i18n import _, N_, use_language
from english_text import english_runs, has_hangul

ROOT = Path(__file__).resolve().parents[1]
PO, _MO = i18n.catalogue_paths("ko")
PAGE_FILES = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "pages").glob("*.py"))
# Files whose shown texts must go through _(): the app, its pages and the shared widgets.
SHOWN_FILES = ["app.py", *PAGE_FILES, *sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "rnnviz" / "ui").glob("*.py"))]
# Streamlit calls that put their first argument (and these keywords) on the screen.
TEXT_CALLS = {
    "title", "header", "subheader", "markdown", "caption", "write", "info", "warning", "error", "success",
    "toast", "button", "checkbox", "toggle", "radio", "selectbox", "multiselect", "slider", "select_slider",
    "number_input", "text_input", "text_area", "file_uploader", "download_button", "expander", "tabs",
    "metric", "page_link", "popover", "segmented_control", "pills", "form_submit_button", "link_button",
}
TEXT_KEYWORDS = {"label", "help", "caption", "placeholder"}


def _source_messages() -> dict[str, str]:
    """msgid -> the file it is in, as `pybabel extract -F babel.cfg -k N_` finds them."""
    method_map = [("app.py", "python"), ("pages/**.py", "python"), ("rnnviz/**.py", "python")]
    keywords = {"_": None, "N_": None, "ngettext": (1, 2)}
    found = {}
    for filename, _lineno, message, _comments, _context in extract_from_dir(
            str(ROOT), method_map=method_map, keywords=keywords):
        for msgid in (message if isinstance(message, tuple) else (message,)):
            found.setdefault(msgid, filename)
    return found


def _catalogue():
    with PO.open("rb") as f:
        return read_po(f, locale="ko", domain=i18n.DOMAIN)


def test_every_message_in_the_source_has_a_korean_translation():
    catalogue = _catalogue()
    missing = [f"{where}: {msgid!r}" for msgid, where in _source_messages().items()
               if not (catalogue.get(msgid) and catalogue.get(msgid).string and not catalogue.get(msgid).fuzzy)]
    assert not missing, ("no Korean for these texts; run `make messages`, translate them in "
                         f"{PO.relative_to(ROOT)}:\n" + "\n".join(sorted(missing)))


def _fields(text: str) -> set[str]:
    return {name for _lit, name, _spec, _conv in string.Formatter().parse(text) if name is not None}


def test_korean_keeps_every_placeholder_and_markdown_link():
    wrong = []
    for message in _catalogue():
        if not message.id or not message.string:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for text in strings:
            if _fields(text) != _fields(ids[-1]):
                wrong.append(f"{ids[0]!r}: {_fields(ids[-1])} in English, {_fields(text)} in Korean")
            if re.findall(r"\]\((\S+?)\)", text) != re.findall(r"\]\((\S+?)\)", ids[-1]):
                wrong.append(f"{ids[0]!r}: links differ")
    assert not wrong, "\n".join(wrong)


def _shown_literals(path: str) -> list[str]:
    """Texts in `path` handed to a Streamlit call without `_()`: literals and f-strings with words in them."""
    tree = ast.parse((ROOT / path).read_text(encoding="utf-8"))
    bad = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in TEXT_CALLS):
            continue
        shown = node.args[:1] + [k.value for k in node.keywords if k.arg in TEXT_KEYWORDS]
        for arg in shown:
            literal = (isinstance(arg, ast.Constant) and isinstance(arg.value, str)) or isinstance(arg, ast.JoinedStr)
            if literal and re.search(r"[A-Za-z]{2,}", ast.unparse(arg)):
                bad.append(f"{path}:{arg.lineno}: {ast.unparse(arg)[:80]}")
    return bad


@pytest.mark.parametrize("path", SHOWN_FILES)
def test_pages_show_no_text_that_skips_translation(path):
    bad = _shown_literals(path)
    assert not bad, "wrap these in _() (placeholders filled by .format after it):\n" + "\n".join(bad)


def _built_text(arg: ast.expr) -> bool:
    """A text made where it is translated (an f-string, a concatenation, a .format or % call): no msgid has it."""
    return isinstance(arg, (ast.JoinedStr, ast.BinOp)) or (isinstance(arg, ast.Call) and isinstance(arg.func, ast.Attribute)
                                                           and arg.func.attr in {"format", "join"})


def _translated_fstrings(path: Path) -> list[str]:
    """`N_()` takes one literal; `_()` one literal, or a value marked with `N_()` where it was defined (a table's)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [f"{path.relative_to(ROOT)}:{node.lineno}" for node in ast.walk(tree)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in {"_", "N_"}
            and (len(node.args) != 1 or _built_text(node.args[0])
                 or (node.func.id == "N_" and not isinstance(node.args[0], ast.Constant)))]


def test_translated_texts_are_whole_not_built_before_translation():
    files = [ROOT / "app.py", *(ROOT / "pages").glob("*.py"), *(ROOT / "rnnviz").rglob("*.py")]
    bad = [where for path in files for where in _translated_fstrings(path)]
    assert not bad, "_() takes the whole text (the extractor reads it); fill placeholders with .format after it:\n" + "\n".join(bad)


def test_english_is_the_source_text_and_korean_comes_from_the_catalogue():
    assert _("Build") == "Build"
    with use_language("ko"):
        assert _("Build") == _catalogue().get("Build").string != "Build"
        assert N_("Build") == "Build"  # marked only; translated where it is shown
    with pytest.raises(ValueError, match="choose one of: en, ko"):
        with use_language("fr"):
            pass


def _page_run(page: str, language: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
    at.query_params["lang"] = language
    at.run()
    if page != "pages/start.py":
        at.switch_page(page)
        at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.mark.parametrize("page", PAGE_FILES)
def test_a_korean_session_finds_a_translation_for_every_text_it_looks_up(page):
    with i18n.record_misses() as misses:
        _page_run(page, "ko")
    assert not misses, f"{page} looked these up without a Korean translation:\n" + "\n".join(sorted(misses))


def test_lang_in_the_link_picks_the_language_and_a_bad_one_is_named():
    at = _page_run("pages/start.py", "ko")
    assert at.session_state["lang.choice"] == "ko"
    assert at.query_params["lang"] == ["ko"] or at.query_params["lang"] == "ko"
    at = _page_run("pages/start.py", "xx")
    assert at.session_state["lang.choice"] == "en"
    assert any("xx" in w.value for w in at.sidebar.warning)


def test_a_language_switch_shows_the_traced_layer_s_kernel_reason_in_the_new_language():
    """The session keeps its traces, and a trace holds the kernel's reason as text: a switch to Korean
    must not show the reason the English run traced (the session's trace cache is keyed by language)."""
    at = _page_run("pages/states.py", "en")

    def kernel_caption() -> str:
        with use_language("ko"):
            korean = _("Ran on **{device}** · this layer's own kernel here: **{kernel}** ({reason}) · "
                       "batch row {row} of {rows}").split("**")[0]
        return next(c.value for c in at.caption if c.value.startswith(("Ran on", korean)))

    assert english_runs(kernel_caption())  # the English reason, a sentence
    at.session_state["lang.choice"] = "ko"  # what the sidebar's language box does
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    shown = kernel_caption()
    assert has_hangul(shown) and not english_runs(shown), shown
