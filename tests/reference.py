"""The recurrences of LSTM, GRU and SimpleRNN written out in numpy (float64), independent of rnnviz.

`run_layer(layer, x)` reads only a Keras layer's weights and settings, then steps through the
sequence. Arrays come back indexed by input step (for go_backwards: the state after reading
T-1..t); at a masked step the states carry over and the gates are zero, as rnnviz documents.
"""

from __future__ import annotations

import numpy as np

ACTIVATIONS = {
    "tanh": np.tanh,
    "sigmoid": lambda x: 1.0 / (1.0 + np.exp(-x)),
    "relu": lambda x: np.maximum(x, 0.0),
    "hard_sigmoid": lambda x: np.clip(x / 6.0 + 0.5, 0.0, 1.0),  # Keras 3: relu6(x + 3) / 6
    "linear": lambda x: x,
    "softsign": lambda x: x / (1.0 + np.abs(x)),
}


def lstm_step(x, h, c, kernel, recurrent_kernel, bias, act, rec_act):
    """One LSTM step; gates in Keras's order i, f, c, o."""
    z = x @ kernel + h @ recurrent_kernel + (0.0 if bias is None else bias)
    u = h.shape[-1]
    i = rec_act(z[:, :u])
    f = rec_act(z[:, u : 2 * u])
    g = act(z[:, 2 * u : 3 * u])
    o = rec_act(z[:, 3 * u :])
    c = f * c + i * g
    h = o * act(c)
    return (h, c), {"input": i, "forget": f, "candidate": g, "output": o}


def gru_step(x, h, kernel, recurrent_kernel, bias, act, rec_act, reset_after):
    """One GRU step; gates in Keras's order z, r, h. reset_after=True keeps a (2, 3u) bias."""
    u = h.shape[-1]
    if bias is None:
        b_in, b_rec = np.zeros(3 * u), np.zeros(3 * u)
    elif reset_after:
        b_in, b_rec = bias[0], bias[1]
    else:
        b_in, b_rec = bias, np.zeros(3 * u)
    xw = x @ kernel + b_in
    z = rec_act(xw[:, :u] + h @ recurrent_kernel[:, :u] + b_rec[:u])
    r = rec_act(xw[:, u : 2 * u] + h @ recurrent_kernel[:, u : 2 * u] + b_rec[u : 2 * u])
    if reset_after:
        candidate = act(xw[:, 2 * u :] + r * (h @ recurrent_kernel[:, 2 * u :] + b_rec[2 * u :]))
    else:
        candidate = act(xw[:, 2 * u :] + (r * h) @ recurrent_kernel[:, 2 * u :])
    h = z * h + (1.0 - z) * candidate
    return (h,), {"update": z, "reset": r, "candidate": candidate}


def simple_step(x, h, kernel, recurrent_kernel, bias, act):
    """One SimpleRNN step."""
    h = act(x @ kernel + (0.0 if bias is None else bias) + h @ recurrent_kernel)
    return (h,), {}


def run_layer(layer, x, initial=None, mask=None) -> dict:
    """Step a Keras LSTM/GRU/SimpleRNN (or RNN(cell)) layer's recurrence over x in numpy.

    Args:
        layer: the Keras layer; only its weights and config are read.
        x: (batch, timesteps, features) input.
        initial: the initial states, each (batch, units); zeros when None.
        mask: (batch, timesteps) bool or None.

    Returns:
        dict with h, c (or None), gates, final (tuple of states), outputs (Keras's returned sequence,
        in reading order, with the generic path's masking: previous output, zeros before the first
        unmasked step, or zeros everywhere masked when zero_output_for_mask).
    """
    cell = layer.cell
    cfg = cell.get_config()
    kind = type(cell).__name__.replace("Cell", "")
    act = ACTIVATIONS[cfg["activation"]]
    rec_act = ACTIVATIONS.get(cfg.get("recurrent_activation", "sigmoid"))
    kernel = cell.kernel.numpy().astype(np.float64)
    recurrent = cell.recurrent_kernel.numpy().astype(np.float64)
    bias = cell.bias.numpy().astype(np.float64) if cell.bias is not None else None
    x = np.asarray(x, np.float64)
    batch, steps, _ = x.shape
    u = cell.units
    n_states = 2 if kind == "LSTM" else 1
    states = tuple(np.zeros((batch, u)) for _ in range(n_states)) if initial is None else tuple(np.asarray(s, np.float64) for s in initial)
    initial_states = states
    order = range(steps - 1, -1, -1) if layer.go_backwards else range(steps)
    h_all = np.zeros((batch, steps, u))
    c_all = np.zeros((batch, steps, u))
    gates_all: dict[str, np.ndarray] = {}
    outputs = []
    prev_out = np.zeros((batch, u))
    for t in order:
        if kind == "LSTM":
            new, gates = lstm_step(x[:, t], states[0], states[1], kernel, recurrent, bias, act, rec_act)
        elif kind == "GRU":
            new, gates = gru_step(x[:, t], states[0], kernel, recurrent, bias, act, rec_act, cfg["reset_after"])
        else:
            new, gates = simple_step(x[:, t], states[0], kernel, recurrent, bias, act)
        out = new[0]
        if mask is not None:
            keep = np.asarray(mask[:, t], bool)[:, None]
            new = tuple(np.where(keep, n, s) for n, s in zip(new, states))
            gates = {k: np.where(keep, v, 0.0) for k, v in gates.items()}
            fallback = np.zeros_like(out) if layer.zero_output_for_mask else prev_out
            out = np.where(keep, out, fallback)
        states = new
        prev_out = out
        outputs.append(out)
        h_all[:, t] = states[0]
        if kind == "LSTM":
            c_all[:, t] = states[1]
        for k, v in gates.items():
            gates_all.setdefault(k, np.zeros((batch, steps, u)))[:, t] = v
    return {
        "h": h_all,
        "c": c_all if kind == "LSTM" else None,
        "gates": gates_all,
        "initial": initial_states,
        "final": states,
        "outputs": np.stack(outputs, axis=1),
    }
