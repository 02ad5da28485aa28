"""The command line: `python -m rnnviz summary MODEL.keras` and `python -m rnnviz trace MODEL.keras --input X.npy`."""

from __future__ import annotations

import argparse
import sys
import zipfile
from pathlib import Path

import numpy as np

EXIT_USAGE = 2  # a problem with what was given: message on stderr, no traceback


def main(argv: list[str] | None = None) -> int:
    """Run the command line.

    Args:
        argv: the arguments after the program name; `sys.argv[1:]` when None.

    Returns:
        The exit status: 0 on success, 2 for a bad file, input or model (message on stderr).
    """
    args = _parser().parse_args(argv)
    try:
        return args.run(args)
    except ValueError as err:
        print(f"rnnviz: error: {err}", file=sys.stderr)
        return EXIT_USAGE


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m rnnviz", description="Look inside the recurrent layers of a Keras model.")
    commands = parser.add_subparsers(dest="command", required=True)
    summary = commands.add_parser("summary", help="layers, output shapes and parameter counts of a .keras model")
    summary.add_argument("model", help="a .keras file")
    summary.set_defaults(run=_summary)
    trace = commands.add_parser("trace", help="every step's states and gates of the model's recurrent layers")
    trace.add_argument("model", help="a .keras file")
    trace.add_argument(
        "--input",
        action="append",
        required=True,
        metavar="X.npy",
        help="the model's input: a .npy array, or a .npz keyed by input name; repeat for a model with several inputs",
    )
    trace.add_argument("--out", metavar="trace.npz", help="write every array to this .npz, keys like lstm/h, bi/backward/c")
    trace.add_argument("--advance-state", action="store_true", help="store the final states in stateful layers")
    trace.set_defaults(run=_trace)
    return parser


def _summary(args: argparse.Namespace) -> int:
    from rnnviz.loading import load_model
    from rnnviz.summary import format_summary, summarize_model

    model = load_model(args.model)
    print(format_summary(summarize_model(model)))
    return 0


def _trace(args: argparse.Namespace) -> int:
    from rnnviz.loading import load_model
    from rnnviz.trace import trace

    model = load_model(args.model)
    inputs = _read_inputs(args.input)
    tr = trace(model, inputs, advance_state=args.advance_state)
    print(_describe(tr))
    if args.out:
        arrays = tr.arrays()
        try:
            np.savez(args.out, **arrays)
        except OSError as err:
            raise ValueError(f"cannot write {args.out}: {err.strerror or err}") from None
        print(f"wrote {len(arrays)} arrays to {args.out}")
    return 0


def _read_inputs(paths: list[str]) -> object:
    """One array per --input; a single .npz gives a dict by input name (or its arrays in order)."""
    arrays: list[np.ndarray] = []
    for name in paths:
        path = Path(name)
        if not path.is_file():
            raise ValueError(f"no input file at {path}; give a .npy array saved with numpy.save")
        if path.suffix.lower() not in (".npy", ".npz"):
            raise ValueError(f"{path} is not a numpy .npy/.npz file; save the input with numpy.save('x.npy', array)")
        if path.suffix.lower() == ".npz" and len(paths) > 1:
            raise ValueError(f"{path} is an .npz; with several --input give one .npy per input, or a single .npz")
        try:
            if path.suffix.lower() == ".npz":
                _check_npz_shapes(path)
            loaded = np.load(path, allow_pickle=False, mmap_mode="r")  # an .npy is read only once its shape passes
            if isinstance(loaded, np.ndarray):
                arrays.append(loaded)
                continue
            with loaded:
                keys = list(loaded.files)
                if all(k.startswith("arr_") for k in keys):
                    return [loaded[k] for k in keys]
                return {k: loaded[k] for k in keys}
        except (OSError, EOFError, ValueError, zipfile.BadZipFile) as err:
            raise ValueError(f"{path} is not a readable numpy file: {err}") from None
    return arrays[0] if len(arrays) == 1 else arrays


def _check_npz_shapes(path: Path) -> None:
    """Read each member's header, never its data, and refuse one past the trace limits before inflating it."""
    from rnnviz.trace_cost import check_input

    with zipfile.ZipFile(path) as archive:
        for info in archive.infolist():
            with archive.open(info) as member:
                version = np.lib.format.read_magic(member)
                read = np.lib.format.read_array_header_1_0 if version == (1, 0) else np.lib.format.read_array_header_2_0
                shape, _, _ = read(member)
            check_input(f"input '{info.filename.removesuffix('.npy')}' in {path.name}", shape)


def _describe(tr) -> str:
    """A plain-text table of what was traced."""
    lines = [f"traced on {tr.device}"]
    for name in tr.names:
        layer = tr[name]
        halves = [("forward", layer.forward), ("backward", layer.backward)] if layer.backward else [("", layer.forward)]
        batch, steps, units = layer.forward.h.shape
        kind = f"{layer.kind}({layer.inner_kind})" if layer.backward else layer.kind
        lines.append(f"{name}: {kind}, {units} units, batch {batch}, {steps} steps, kernel {layer.kernel} ({layer.kernel_reason})")
        for label, d in halves:
            parts = ["h"] + (["c"] if d.c is not None else []) + [f"gates/{g}" for g in d.gates]
            lines.append(f"  {label + ': ' if label else ''}{', '.join(parts)}  each {d.h.shape}")
        if layer.mask is not None:
            lines.append(f"  mask {layer.mask.shape}: {int((~layer.mask).sum())} masked steps")
    for name, why in tr.skipped.items():
        lines.append(f"{name}: not traced: {why}")
    return "\n".join(lines)
