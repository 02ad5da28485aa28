r"""One paragraph per quantity a recurrent layer computes, with its formula, in Keras's conventions.

Texts are Markdown with LaTeX between `$...$` (Streamlit's `st.markdown` renders both). The
formulas use column vectors (W x_t); Keras stores each kernel as (inputs, k·units) and computes
x_t · kernel, which is the same thing transposed (see `KERAS_LAYOUT`). Quantities are named by
their role: hidden, cell; input, forget, candidate, output (LSTM); update, reset, candidate (GRU).
`EXPLANATIONS` and `FORMULAS` are keyed by (kind, quantity), e.g. ("LSTM", "forget").
"""

from __future__ import annotations

from rnnviz.i18n import N_, _

KINDS = ("SimpleRNN", "GRU", "LSTM")

# What each kind computes, in the order a page shows them (gates in Keras's kernel order).
QUANTITIES: dict[str, tuple[str, ...]] = {
    "SimpleRNN": ("hidden",),
    "GRU": ("hidden", "update", "reset", "candidate"),
    "LSTM": ("hidden", "cell", "input", "forget", "candidate", "output"),
}

GATES: dict[str, tuple[str, ...]] = {
    "SimpleRNN": (),
    "GRU": ("update", "reset", "candidate"),
    "LSTM": ("input", "forget", "candidate", "output"),
}

# LaTeX symbol of each quantity at step t.
SYMBOLS: dict[tuple[str, str], str] = {
    ("SimpleRNN", "hidden"): "h_t",
    ("GRU", "hidden"): "h_t",
    ("GRU", "update"): "z_t",
    ("GRU", "reset"): "r_t",
    ("GRU", "candidate"): r"\hat{h}_t",
    ("LSTM", "hidden"): "h_t",
    ("LSTM", "cell"): "c_t",
    ("LSTM", "input"): "i_t",
    ("LSTM", "forget"): "f_t",
    ("LSTM", "candidate"): "g_t",
    ("LSTM", "output"): "o_t",
}

# Plain names for titles and legends.
NAMES: dict[tuple[str, str], str] = {
    ("SimpleRNN", "hidden"): "hidden state h",
    ("GRU", "hidden"): "hidden state h",
    ("GRU", "update"): "update gate z",
    ("GRU", "reset"): "reset gate r",
    ("GRU", "candidate"): "candidate ĥ",
    ("LSTM", "hidden"): "hidden state h",
    ("LSTM", "cell"): "cell state c",
    ("LSTM", "input"): "input gate i",
    ("LSTM", "forget"): "forget gate f",
    ("LSTM", "candidate"): "candidate g",
    ("LSTM", "output"): "output gate o",
}

NOTATION = N_(
    r"$x_t$ is the input at step $t$, $h_{t-1}$ the hidden state after the step before (zeros "
    r"before the first step, unless `initial_state` gives one), $W$ and $U$ the input and "
    r"recurrent weights, $b$ a bias, $\sigma$ the sigmoid $1/(1+e^{-x})$, which lies between 0 "
    r"and 1, and $\odot$ multiplication unit by unit."
)

KERAS_LAYOUT: dict[str, str] = {
    "SimpleRNN": N_(
        "Keras keeps `cell.kernel` (features × units), `cell.recurrent_kernel` (units × units) "
        "and `cell.bias` (units)."
    ),
    "GRU": N_(
        "Keras keeps `cell.kernel` (features × 3·units) and `cell.recurrent_kernel` "
        "(units × 3·units) with column blocks in the order z, r, h. With `reset_after=True` "
        "(the default) `cell.bias` has shape (2, 3·units): row 0 holds the input biases "
        r"$b_z, b_r, b_h$, row 1 the recurrent biases $b_{rz}, b_{rr}, b_{rh}$."
    ),
    "LSTM": N_(
        "Keras keeps `cell.kernel` (features × 4·units), `cell.recurrent_kernel` "
        "(units × 4·units) and `cell.bias` (4·units), with blocks in the order i, f, c, o "
        "(the candidate's block is called c)."
    ),
}

_GATE = r"\sigma"
_IN = {g: rf"W_{g} x_t + U_{g} h_{{t-1}} + b_{g}" for g in "ifgo"}
_GRU_IN = {g: rf"W_{g} x_t + b_{g} + U_{g} h_{{t-1}} + b_{{r{g}}}" for g in "zr"}

# The formula of each quantity, LaTeX without delimiters (for `st.latex`).
FORMULAS: dict[tuple[str, str], str] = {
    ("SimpleRNN", "hidden"): r"h_t = \tanh(W x_t + U h_{t-1} + b)",
    ("LSTM", "input"): rf"i_t = {_GATE}({_IN['i']})",
    ("LSTM", "forget"): rf"f_t = {_GATE}({_IN['f']})",
    ("LSTM", "candidate"): rf"g_t = \tanh({_IN['g']})",
    ("LSTM", "output"): rf"o_t = {_GATE}({_IN['o']})",
    ("LSTM", "cell"): r"c_t = f_t \odot c_{t-1} + i_t \odot g_t",
    ("LSTM", "hidden"): r"h_t = o_t \odot \tanh(c_t)",
    ("GRU", "update"): rf"z_t = {_GATE}({_GRU_IN['z']})",
    ("GRU", "reset"): rf"r_t = {_GATE}({_GRU_IN['r']})",
    ("GRU", "candidate"): r"\hat{h}_t = \tanh(W_h x_t + b_h + r_t \odot (U_h h_{t-1} + b_{rh}))",
    ("GRU", "hidden"): r"h_t = z_t \odot h_{t-1} + (1 - z_t) \odot \hat{h}_t",
}

_GRU_CANDIDATE_BEFORE = r"\hat{h}_t = \tanh(W_h x_t + U_h (r_t \odot h_{t-1}) + b_h)"

_PARAGRAPHS: dict[tuple[str, str], str] = {
    ("SimpleRNN", "hidden"): N_(
        "**Hidden state** $h_t$: the layer's whole memory, and also its output at every step. "
        "Each step adds the new input to the previous state, each through its own weights, and "
        "squashes the sum with tanh, so every unit stays between −1 and 1. Because the same "
        "weights are applied again and again, what happened long ago fades quickly."
    ),
    ("LSTM", "input"): N_(
        "**Input gate** $i_t$: how much of the candidate is written into the cell at this step, "
        "unit by unit: 0 writes nothing, 1 writes all of it."
    ),
    ("LSTM", "forget"): N_(
        "**Forget gate** $f_t$: how much of the old cell state is kept: 1 keeps it, 0 erases it. "
        "Keras starts $b_f$ at 1 (`unit_forget_bias=True`), so a fresh layer remembers by default."
    ),
    ("LSTM", "candidate"): N_(
        "**Candidate** $g_t$: the new content proposed for the cell, between −1 and 1. The input "
        "gate decides how much of it is written. (Keras calls this block c in its weights.)"
    ),
    ("LSTM", "output"): N_(
        "**Output gate** $o_t$: how much of the squashed cell state each unit shows as its hidden "
        "state; 0 hides it, 1 shows it all."
    ),
    ("LSTM", "cell"): N_(
        "**Cell state** $c_t$: the LSTM's long-term memory, carried from step to step by "
        "multiplication with the forget gate and addition of new content. Nothing squashes it, "
        "so it is not bounded by 1: it can grow over many steps, and its colour scale follows "
        "the data. It is the second state `return_state` returns."
    ),
    ("LSTM", "hidden"): N_(
        "**Hidden state** $h_t$: the LSTM's output at each step (and its first returned state): "
        "the cell state squashed by tanh and filtered by the output gate, so it lies between "
        "−1 and 1."
    ),
    ("GRU", "update"): N_(
        "**Update gate** $z_t$: how much of the previous state each unit keeps. In Keras, $z_t$ "
        "near 1 keeps the past and near 0 takes the candidate (some textbooks swap $z$ and "
        "$1-z$)."
    ),
    ("GRU", "reset"): N_(
        "**Reset gate** $r_t$: how much of the previous state goes into the candidate; near 0 "
        "the candidate is computed almost from the input alone."
    ),
    ("GRU", "candidate"): N_(
        r"**Candidate** $\hat{h}_t$: the new state proposed at this step, between −1 and 1. "
        "With `reset_after=True` (Keras's default, the form cuDNN runs) the reset gate scales "
        "the recurrent product after it is computed:"
    ),
    ("GRU", "hidden"): N_(
        "**Hidden state** $h_t$: the GRU's only state and its output at each step: a mix, unit "
        "by unit, of the previous state and the candidate, weighted by the update gate. Since "
        "both lie between −1 and 1, so does the mix."
    ),
}


def _block(formula: str) -> str:
    return f"\n\n$$\n{formula}\n$$\n"


# Paragraph and formula of each quantity, as Markdown with LaTeX.
EXPLANATIONS: dict[tuple[str, str], str] = {
    key: _PARAGRAPHS[key] + _block(FORMULAS[key]) for key in _PARAGRAPHS
}
_GRU_RESET_BEFORE = N_("With `reset_after=False` it scales the previous state first, and there is one bias:")
EXPLANATIONS[("GRU", "candidate")] += "\n" + _GRU_RESET_BEFORE + _block(_GRU_CANDIDATE_BEFORE)

# The activations whose outputs are bounded, by the range a figure should draw.
_TANH_LIKE = ("tanh", "softsign")
_GATE_LIKE = ("sigmoid", "hard_sigmoid", "softmax")


def _check(kind: str, quantity: str) -> None:
    if kind not in QUANTITIES:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}; got {kind!r}")
    if quantity not in QUANTITIES[kind]:
        raise ValueError(f"a {kind} layer has no quantity {quantity!r}; it has {', '.join(QUANTITIES[kind])}")


def _range_of(activation: str) -> str:
    if activation in _TANH_LIKE:
        return "tanh"
    return "gate" if activation in _GATE_LIKE else "free"


def value_range(kind: str, quantity: str, activation: str = "tanh", recurrent_activation: str = "sigmoid") -> str:
    """Which fixed colour scale suits a quantity: "tanh" (−1..1), "gate" (0..1) or "free".

    The cell state is always "free" (unbounded). The hidden state of GRU and LSTM stays inside
    the candidate's range while the gates stay inside 0..1.

    Args:
        kind: "SimpleRNN", "GRU" or "LSTM".
        quantity: one of `QUANTITIES[kind]`.
        activation: the layer's `activation`.
        recurrent_activation: the layer's `recurrent_activation` (the gates').

    Returns:
        "tanh", "gate" or "free".
    """
    _check(kind, quantity)
    if quantity == "cell":
        return "free"
    if quantity in ("input", "forget", "output", "update", "reset"):
        return _range_of(recurrent_activation)
    squash = _range_of(activation)
    if kind != "SimpleRNN" and quantity == "hidden" and _range_of(recurrent_activation) != "gate":
        return "free"
    return squash


def explanation(kind: str, quantity: str, activation: str = "tanh", recurrent_activation: str = "sigmoid") -> str:
    """The paragraph for one quantity, noting a non-default activation when the layer has one.

    Args:
        kind: "SimpleRNN", "GRU" or "LSTM".
        quantity: one of `QUANTITIES[kind]`.
        activation: the layer's `activation` (stands where the formulas say tanh).
        recurrent_activation: the layer's `recurrent_activation` (stands where they say σ).

    Returns:
        Markdown with LaTeX.
    """
    _check(kind, quantity)
    text = _(_PARAGRAPHS[(kind, quantity)]) + _block(FORMULAS[(kind, quantity)])
    if (kind, quantity) == ("GRU", "candidate"):
        text += "\n" + _(_GRU_RESET_BEFORE) + _block(_GRU_CANDIDATE_BEFORE)
    uses_tanh = "tanh" in FORMULAS[(kind, quantity)] or quantity == "hidden"
    uses_sigma = r"\sigma" in FORMULAS[(kind, quantity)] or (kind != "SimpleRNN" and quantity == "hidden")
    extras = []
    if activation != "tanh" and uses_tanh:
        extras.append(_("This layer uses `{activation}` where the formula says tanh.").format(activation=activation))
    if recurrent_activation != "sigmoid" and uses_sigma and kind != "SimpleRNN":
        extras.append(_("Its gates use `{activation}` where the formulas say $\\sigma$.").format(
            activation=recurrent_activation))
    if value_range(kind, quantity, activation, recurrent_activation) == "free" and quantity != "cell":
        extras.append(_("With these activations the values are not bounded, so the colour scale follows the data."))
    if extras:
        text += "\n" + " ".join(extras)
    return text
