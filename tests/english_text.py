"""Finding English sentences in text that should be Korean (tests of `?lang=ko`).

A Korean page keeps Keras names, code and numbers in English, as the Korean Keras guide does, so
"no English" cannot mean "no Latin letters". What a Korean reader must never meet is an English
sentence: here, three or more English words in a row, nothing but spaces between them. A run
ends at anything else: Hangul, a digit, punctuation, a line break, or a token that is a name
rather than a word:

- code: snake_case (return_sequences), dotted names (keras.layers.LSTM), calls with their
  arguments (LSTM(64, return_sequences=True)), kebab-case identifiers (preset names in links),
  web addresses;
- words in capitals or mixed case: acronyms and class names (LSTM, GRU, SimpleRNN, PCA, CPU);
- single letters: the quantities' symbols (h, c, i, f, o, z, r) and x, t, T;
- `NAMES`: Keras classes spelled like English words, Keras's default layer names, argument
  values (merge_mode's concat/sum/mul/ave, activations), product names and units of measure.

Text in code blocks and formulas is left out before it gets here (the browser test skips
`code` and KaTeX elements).
"""

from __future__ import annotations

import re

# Names, not words: each is a Keras class, a Keras default layer name, an argument value, a product
# or a unit. Case-sensitive, so "Input" (the Keras class) is a name and "input" still a word.
NAMES = frozenset({
    # Keras classes that look like English words (acronyms and CamelCase are names already)
    "Bidirectional", "Dense", "Embedding", "Input", "Sequential", "Model", "Masking",
    # Keras's default layer names, as summaries and titles show them
    "lstm", "gru", "bidirectional", "dense", "embedding",
    # argument values: merge_mode, activations, booleans, stateful itself
    "concat", "sum", "mul", "ave", "tanh", "sigmoid", "relu", "softmax", "linear", "softsign",
    "True", "False", "None", "stateful",
    # products and units of measure
    "Keras", "TensorFlow", "Streamlit", "Plotly", "NumPy", "numpy", "ms", "px",
})

_CODE = re.compile(
    r"https?://\S+"  # addresses
    r"|\b\w+\((?:[^()]|\([^()]*\))*\)"  # a call with its arguments, one level of nesting
    r"|\b[A-Za-z_]\w*(?:[._][A-Za-z_0-9]\w*)+"  # snake_case and dotted.names
    r"|\b[A-Za-z]+(?:-[A-Za-z0-9]+)+"  # kebab-case identifiers
)
_WORD = re.compile(r"[A-Z]?[a-z]+(?:'[a-z]+)?")  # an English word: lower case, perhaps capitalised
_SEGMENT = re.compile(r"[A-Za-z' ]+")  # stretches of letters, apostrophes and spaces only
MIN_RUN = 3


def english_runs(text: str) -> list[str]:
    """Every run of at least `MIN_RUN` English words in `text` (empty when it has no English sentence).

    Args:
        text: visible text, lines separated by newlines.

    Returns:
        The runs found, each as its words joined by spaces.
    """
    text = text.replace("\u2019", "'").replace("\u00a0", " ")
    text = _CODE.sub("\u00b7", text)  # a name breaks a run, as punctuation does
    runs = []
    for segment in _SEGMENT.findall(text):
        run: list[str] = []
        for token in segment.split():
            if len(token) == 1:  # a symbol (h, c, x_t's x): neither a word nor a break
                continue
            if _WORD.fullmatch(token) and token not in NAMES:
                run.append(token)
                continue
            if len(run) >= MIN_RUN:
                runs.append(" ".join(run))
            run = []
        if len(run) >= MIN_RUN:
            runs.append(" ".join(run))
    return runs


def has_hangul(text: str) -> bool:
    """Whether `text` holds Hangul syllables."""
    return re.search(r"[\uac00-\ud7a3]", text) is not None
