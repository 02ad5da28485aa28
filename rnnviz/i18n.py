"""The language rnnviz speaks: English (the source text) or Korean, from gettext catalogues.

Every text a person sees is written in English inside `_("...")` (or `N_("...")` where it is
defined before anyone is looking, such as a module-level table, and translated with `_()` where
it is shown). `pybabel extract` (babel.cfg) collects them into `rnnviz/locale/rnnviz.pot`;
`rnnviz/locale/ko/LC_MESSAGES/rnnviz.po` holds the Korean; `pybabel compile` (`make locales`)
turns it into the `.mo` file read here. Keras names (LSTM, return_sequences) stay in English in
the Korean text too, as the Korean guide keeps them.

Placeholders are named and filled after translation: `_("{n} steps").format(n=n)`, never an
f-string inside `_()` (the extractor could not see it, and the lookup would miss).

Which language: the API and the command line speak English. The app registers a source that
reads the session's choice (`set_language_source`); `use_language` sets it for a block of code
(tests, scripts).
"""

from __future__ import annotations

import contextlib
import contextvars
import gettext
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

DOMAIN = "rnnviz"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
LANGUAGES = {"en": "English", "ko": "한국어"}  # code -> its own name, as the picker shows it
DEFAULT_LANGUAGE = "en"

_LANGUAGE: contextvars.ContextVar[str | None] = contextvars.ContextVar("rnnviz_language", default=None)
_source: Callable[[], str | None] = lambda: None
_misses: set[str] | None = None  # msgids looked up in Korean without a translation, when recording


def set_language_source(source: Callable[[], str | None]) -> None:
    """Where `_()` reads the language when no `use_language` block is active (the app's session)."""
    global _source
    _source = source


@contextlib.contextmanager
def use_language(language: str) -> Iterator[None]:
    """Speak `language` ("en" or "ko") inside the block."""
    token = _LANGUAGE.set(check_language(language))
    try:
        yield
    finally:
        _LANGUAGE.reset(token)


def check_language(language: str) -> str:
    """`language` if rnnviz speaks it, else a ValueError naming the choices."""
    if language not in LANGUAGES:
        raise ValueError(f"language {language!r} is not available: choose one of: {', '.join(LANGUAGES)}")
    return language


def current_language() -> str:
    """The language in force: a `use_language` block's, else the registered source's, else English."""
    chosen = _LANGUAGE.get() or _source()
    return chosen if chosen in LANGUAGES else DEFAULT_LANGUAGE


def _(message: str) -> str:
    """`message` (English source text) in the current language."""
    if current_language() == DEFAULT_LANGUAGE or not message:
        return message
    translated = _catalogue(current_language()).gettext(message)
    if translated is message and _misses is not None:
        _misses.add(message)
    return translated


def N_(message: str) -> str:
    """Mark `message` for translation without translating it now (module-level tables); `_()` it when shown."""
    return message


@dataclass(frozen=True)
class Message:
    """A text kept as its English source and its values, translated each time it is shown: for text
    stored (in session state, in a result) that must follow a later change of language.

    Make one with `later(N_("stopped after epoch {epoch}"), epoch=3)`; `str(message)` is its text in the
    current language.
    """

    msgid: str
    values: tuple[tuple[str, object], ...] = ()

    def __str__(self) -> str:
        return _(self.msgid).format(**dict(self.values))


def later(msgid: str, **values: object) -> Message:
    """`msgid` (marked with `N_`) and its placeholders' values, to be translated when shown."""
    return Message(msgid, tuple(values.items()))


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural of a message with a count, in the current language."""
    if current_language() == DEFAULT_LANGUAGE:
        return singular if n == 1 else plural
    return _catalogue(current_language()).ngettext(singular, plural, n)


@contextlib.contextmanager
def record_misses() -> Iterator[set[str]]:
    """Collect the messages looked up without a translation inside the block (tests)."""
    global _misses
    _misses = set()
    try:
        yield _misses
    finally:
        _misses = None


def catalogue_paths(language: str) -> tuple[Path, Path]:
    """The `.po` source and the compiled `.mo` of `language`."""
    folder = LOCALE_DIR / language / "LC_MESSAGES"
    return folder / f"{DOMAIN}.po", folder / f"{DOMAIN}.mo"


@lru_cache(maxsize=None)
def _catalogue(language: str) -> gettext.GNUTranslations:
    po, mo = catalogue_paths(language)
    if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
        with mo.open("rb") as f:
            return gettext.GNUTranslations(f)
    # `make locales` compiles it; a checkout that has not run it (or edited the .po since) still
    # gets the current text: compile in memory with the same Babel code pybabel uses.
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with po.open("rb") as f:
        catalog = read_po(f, locale=language, domain=DOMAIN)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


def reload_catalogues() -> None:
    """Read the catalogues again (after editing a `.po` in a running process)."""
    _catalogue.cache_clear()
