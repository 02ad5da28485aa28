"""The input panel, shared by every page that runs a model: text, random vectors or a signal."""

from __future__ import annotations

import streamlit as st

from rnnviz import inputs, limits, own_data
from rnnviz.feeding import InputNeeds
from rnnviz.i18n import N_, _
from rnnviz.inputs import InputChoice, default_choice, make_inputs
from rnnviz.ui import keys, links

_SOURCE_LABELS = {"text": N_("typed text"), "random": N_("random"), "signal": N_("a signal"), "ids": N_("token ids"),
                  "file": N_("a file")}
_MODE_LABELS = {"char": N_("characters"), "word": N_("words")}
_SIGNAL_LABELS = {"sine": N_("sine"), "step": N_("step"), "impulse": N_("impulse"), "count": N_("count")}
_SHOWN_IDS = 40  # ids of typed text listed under it


def _shown(labels: dict[str, str]):
    """A widget's format_func: the labels translated now, in this run (Streamlit may call it from another thread,
    where the session's language is unknown); a KeyError for anything else, as a format_func of its options."""
    return {value: _(label) for value, label in labels.items()}.__getitem__


def input_panel(needs: tuple[InputNeeds, ...]) -> tuple[InputChoice, ...]:
    """Draw the panel in the sidebar, one section per model input; return the valid choices.

    A choice that fails its checks is reported in the panel and the last valid one is used,
    while the widgets keep what the person typed.
    """
    st.sidebar.subheader(_("Input"))
    choices = []
    for index, need in enumerate(needs):
        box = st.sidebar.expander(_("input `{name}`").format(name=need.name), expanded=True) if len(needs) > 1 else st.sidebar
        with box:
            choices.append(_choice_for(need, links.input_prefix(index, need.name)))
    return tuple(choices)


def _choice_for(need: InputNeeds, link_prefix: str) -> InputChoice:
    good: dict = st.session_state.setdefault(keys.INPUT_GOOD, {})
    start = links.linked_input(link_prefix, f"{keys.INPUT_WIDGET}.{need.name}",  # a new link's input, if any
                               good.get(need.name) or default_choice(need.kind))

    def key(field: str) -> str:
        return f"{keys.INPUT_WIDGET}.{need.name}.{field}"

    sources = ("text", "random", "ids", "file") if need.kind == "tokens" else ("random", "signal", "file")
    source = st.radio(_("Feed"), sources, index=sources.index(start.source) if start.source in sources else 0,
                      key=key("source"), format_func=_shown(_SOURCE_LABELS), horizontal=True)
    fields = {"source": source}
    if source == "text":
        fields["text"] = st.text_area(_("Text"), start.text, key=key("text"), height=80,
                                      help=_("Any language or emoji; at most {most} tokens.").format(
                                          most=limits.MAX_TIMESTEPS))
        fields["mode"] = st.radio(_("Tokens are"), inputs.MODES, index=inputs.MODES.index(start.mode), key=key("mode"),
                                  format_func=_shown(_MODE_LABELS), horizontal=True)
    if source == "signal":
        fields["signal"] = st.selectbox(_("Signal"), inputs.SIGNAL_KINDS, index=inputs.SIGNAL_KINDS.index(start.signal),
                                        key=key("signal"), format_func=_shown(_SIGNAL_LABELS))
    own_rows = _own_fields(need, source, start, key, fields)
    if source == "file" and fields["own"] is None:
        st.caption(_("Upload a file of sequences to feed it."))
        return start
    if source in ("random", "signal"):
        fields["seed"] = st.number_input(_("Seed"), 0, inputs.MAX_SEED, start.seed, key=key("seed"))
    c1, c2 = st.columns(2)
    if source == "text":  # one typed sentence is one row; a model with a fixed batch gets it repeated
        fields["batch"] = 1
    elif own_rows is not None:  # typed ids and files bring their own rows
        fields["batch"] = own_rows
    elif need.batch is None:
        rows = start.batch if start.source in ("random", "signal") else InputChoice().batch  # text had one row
        fields["batch"] = c1.number_input(_("Batch"), 1, limits.MAX_BATCH, rows, key=key("batch"),
                                          help=_("Rows in the batch, 1 to {most}.").format(most=limits.MAX_BATCH))
    if need.timesteps is None and source in ("random", "signal"):
        fields["timesteps"] = c2.number_input(_("Timesteps"), 1, limits.MAX_TIMESTEPS, start.timesteps,
                                              key=key("timesteps"), help=_("1 to {most}.").format(most=limits.MAX_TIMESTEPS))
    if need.kind == "vectors" and need.features is None and source != "file":
        fields["features"] = c1.number_input(_("Features"), 1, limits.MAX_FEATURES, start.features, key=key("features"))
    rows = need.batch or fields.get("batch", start.batch)
    fields["row"] = 0
    if rows > 1:
        fields["row"] = st.number_input(_("Batch row to show"), 0, rows - 1, min(start.row, rows - 1),
                                        key=key("row"), help=_("Pages show one sample of the batch."))
    try:
        choice = InputChoice(**{**start.to_dict(), **fields})
        prepared = make_inputs(choice, vocab_size=need.vocab_size, features=need.features, batch=need.batch,
                               timesteps=need.timesteps)  # the text itself may not fit (empty, too long)
    except ValueError as err:
        st.error(_("{problem}. Showing the last input that worked.").format(problem=str(err).rstrip(".")))
        return start
    if prepared.tokenized is not None:
        ids = prepared.tokenized.ids
        shown = f"`{' '.join(map(str, ids[:_SHOWN_IDS]))}`"
        st.caption(_("Token ids: {ids} … ({count} in all)").format(ids=shown, count=ids.size) if ids.size > _SHOWN_IDS
                   else _("Token ids: {ids}").format(ids=shown))
    good[need.name] = choice
    links.write_input(link_prefix, choice)
    return choice


def _own_fields(need: InputNeeds, source: str, start: InputChoice, key, fields: dict) -> int | None:
    """Typed ids, an uploaded array and a vocabulary file into `fields`; the rows of the data, if own."""
    rows = None
    if source == "ids":
        fields["text"] = st.text_area(_("Token ids"), start.text if start.source == "ids" else "2 3 4 5",
                                      key=key("ids"), height=80,
                                      help=_("Whole numbers split by spaces or commas; rows split by new lines or ';'."))
        rows = _rows_of(lambda: own_data.parse_token_ids(fields["text"]))
    if source == "file":
        shape = "(batch, timesteps)" if need.kind == "tokens" else f"(batch, timesteps, {need.features or 'features'})"
        fresh = key("file") not in st.session_state  # the uploader forgets its file on another page
        fields["own"] = _read_upload(
            key("file"), _("A .npy or .csv file, up to {mb} MB").format(mb=limits.MAX_DATA_BYTES // 1024**2),
            ["npy", "csv"], own_data.load_array,
            help=_("numpy.save('x.npy', array) with shape {shape}; or a .csv with one "
                   "sequence per line, numbers split by commas.").format(shape=shape))
        if fields["own"] is None and fresh and start.own is not None:
            fields["own"] = start.own
            st.caption(_("Feeding **{name}**, uploaded earlier.").format(name=start.own.name))
        rows = _rows_of(lambda: fields["own"].array) if fields["own"] is not None else None
    if need.kind == "tokens" and source != "text":
        fresh = key("vocab") not in st.session_state
        fields["vocab"] = _read_upload(
            key("vocab"), _("Vocabulary (optional): one token per line"), ["txt", "vocab"], own_data.load_vocabulary,
            help=_("Line i names token id i, so the time axis shows words instead of ids."))
        if fields["vocab"] is None and fresh and start.vocab is not None:
            fields["vocab"] = start.vocab
            st.caption(_("Words from **{name}**, uploaded earlier.").format(name=start.vocab.name))
    return rows


def _rows_of(get) -> int | None:
    try:
        array = get()
    except ValueError:
        return None  # the full check below reports it
    return max(1, min(int(array.shape[0]) if array.ndim > 1 else 1, limits.MAX_BATCH))


def _read_upload(key: str, label: str, types: list[str], load, help: str):
    """A file uploader whose file is read and checked once per upload; None (and the reason) when it fails."""
    file = st.file_uploader(label, type=types, key=key, help=help)
    if file is None:
        return None
    files: dict = st.session_state.setdefault(keys.INPUT_FILES, {})
    kept = files.get(key)
    if kept is None or kept[0] != file.file_id:
        try:
            kept = (file.file_id, load(file.getvalue(), file.name))
        except ValueError as err:
            kept = (file.file_id, None, str(err))
        files[key] = kept
    if len(kept) == 3:
        st.error(kept[2].rstrip(".") + ".")  # the loader's own message (rnnviz.own_data)
        return None
    return kept[1]
