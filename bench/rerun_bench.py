"""The server's part of the common interactions, before and after, side by side in one run.

Run by hand: `.venv/bin/python bench/rerun_bench.py BEFORE_CHECKOUT [AFTER_CHECKOUT] [--rounds 3]`
(AFTER defaults to this checkout), e.g. with main's commit 449d5b3 checked out as a worktree:
`git worktree add --detach /tmp/rnnviz-before 449d5b3`.

Each round starts one worker process per checkout, in turn (before, after, before, ...), so load
from other processes on a shared machine hits both. A worker imports the app once (a running
server has done that before anyone's click), then times, with Streamlit's AppTest, each script run
an interaction causes, `--repeats` times each:

- first load of a new session (Build, States, `?preset=`), in a process that has served others;
- Build: change a layer's units; States: change the layer; the sidebar's preset on Build and on
  States; opening States and Build from the sidebar.

A run's time is the script thread's: the page script and the cleanup Streamlit does after it
(a live server's `runner.postScriptGC` collection, which AppTest leaves out, is added back here;
Streamlit's own `keras.backend.clear_session()` after the run is counted where a checkout lets it run). Prints the median per interaction,
before and after, and their ratio, in wall-clock seconds and in CPU seconds of the process (every
thread: the script's and TensorFlow's): on a machine shared with others the wall clock also counts
the time others held the cores, CPU seconds only this work. The target is under 0.5 s after.
`--worker CHECKOUT --profile "INTERACTION"` prints cProfile's view of that interaction's runs.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parents[1]
TARGET_S = 0.5


def _worker(root: Path, repeats: int, profile: str | None = None) -> dict[str, list[list[float]]]:
    """Time every interaction in this process against the app in `root`: {interaction: [[wall s, CPU s]]}."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    sys.path.insert(0, str(root))
    os.chdir(root)
    import gc

    import streamlit as st
    from streamlit import config
    from streamlit.testing.v1 import AppTest
    from streamlit.testing.v1.local_script_runner import LocalScriptRunner

    finished = LocalScriptRunner._on_script_finished

    def like_a_server(self, *args, **kwargs):  # what ScriptRunner._on_script_finished does after a run
        finished(self, *args, **kwargs)
        if config.get_option("runner.postScriptGC"):
            gc.collect(2)

    LocalScriptRunner._on_script_finished = like_a_server
    profiled = _profile_script_thread(LocalScriptRunner)
    times: dict[str, list[list[float]]] = {}

    def run(at, label: str):
        profiled["on"] = label == profile
        start, cpu = time.perf_counter(), time.process_time()  # CPU of every thread: the script's, TF's pools
        at.run()
        times.setdefault(label, []).append([time.perf_counter() - start, time.process_time() - cpu])
        if profiled["on"]:
            pstats.Stats(profiled["stats"], stream=sys.stderr).sort_stats("cumulative").print_stats(40)
        if at.exception:
            raise RuntimeError(f"{label}: {[e.value for e in at.exception]}")
        return at

    def new_session(preset: str | None = None) -> AppTest:
        at = AppTest.from_file(str(root / "app.py"), default_timeout=600)
        if preset:
            at.query_params["preset"] = preset
        return at

    def shows(at: AppTest, preset: str) -> None:
        if at.session_state["model.preset"] != preset:
            raise RuntimeError(f"asked for {preset}, the session shows {at.session_state['model.preset']}")

    from rnnviz.presets import preset_names

    sidebars: dict[int, object] = {}

    def pick_preset(at: AppTest, preset: str) -> None:
        """What choosing `preset` in the sidebar's Model box sends. AppTest drops the sidebar's elements
        from its tree after a rerun (streamlit 1.67 with st.navigation), so put back the session's
        Model box where it has gone: a widget's id stays the same from run to run."""
        found = [w for w in at.sidebar.selectbox if w.key == "sidebar.preset"]
        if found:
            sidebars[id(at)] = found[0]
        else:
            box = sidebars[id(at)]
            box.root = at._tree
            at._tree.children[1].children = {0: box}
        box = at.selectbox(key="sidebar.preset")
        box.select_index(preset_names().index(preset))

    run(new_session(), "first load in a new server process")
    st.cache_data.clear()  # a fresh server's caches, but its imports done
    for r in range(repeats):
        at = new_session()
        at.run()  # a new session opens the start page at /; AppTest cannot open it on another one
        sidebars[id(at)] = next(w for w in at.sidebar.selectbox if w.key == "sidebar.preset")  # the Model box
        at.switch_page("pages/build.py")
        run(at, "new session: Build")
        for n in range(3):
            units = next(w.key for w in at.number_input if w.key.endswith("layer.0.1.units"))
            at.number_input(key=units).set_value(100 + 10 * r + n)
            run(at, "Build: change units")
        for preset in ("guide-gru-simplernn", "guide-bidirectional", "guide-lstm"):
            pick_preset(at, preset)
            run(at, "Build: change preset")
            shows(at, preset)
        at.switch_page("pages/states.py")
        run(at, "open States from the sidebar (new model)")
        at.switch_page("pages/build.py")
        run(at, "open Build from the sidebar")
        at.switch_page("pages/states.py")
        run(at, "open States from the sidebar (traced before)")
        pick_preset(at, "guide-gru-simplernn")
        run(at, "States: change preset (new model)")
        shows(at, "guide-gru-simplernn")
        def layer_box():  # its key names the model's layers (keys.for_options)
            (box,) = [w for w in at.selectbox if w.key.startswith("states.layer.")]
            return box

        count = len(layer_box().options)
        for index in [*range(1, count), 0] * 2:
            box = layer_box()
            box.set_value(box.options[index].split(" (")[0])  # shown as "name (kind, units)" (format_func)
            run(at, "States: change layer")
            if layer_box().index != index:
                raise RuntimeError("the States page did not change its layer")
        pick_preset(at, "guide-lstm")
        run(at, "States: change preset (traced before)")
        shows(at, "guide-lstm")
        s = new_session()
        s.run()  # AppTest cannot open a session on another page than the default one
        s.switch_page("pages/states.py")
        run(s, "new session: States (after Build)")
        run(new_session(["guide-bidirectional", "guide-gru-simplernn", "guide-encoder-decoder"][r % 3]),
            "new session: ?preset=")
    return times


def _profile_script_thread(runner) -> dict:
    """cProfile the script thread's runs while `state["on"]`; the stats land in `state["stats"]`."""
    state = {"on": False, "stats": None}
    original = runner._run_script_thread

    def profiled(self):
        if not state["on"]:
            return original(self)
        state["stats"] = cProfile.Profile()
        state["stats"].enable()
        try:
            return original(self)
        finally:
            state["stats"].disable()

    runner._run_script_thread = profiled
    return state


def _one(root: Path, repeats: int) -> dict[str, list[list[float]]]:
    out = subprocess.run([sys.executable, __file__, "--worker", str(root), "--repeats", str(repeats)],
                         capture_output=True, text=True, check=False)
    if out.returncode != 0:
        raise SystemExit(f"worker for {root} failed:\n{out.stderr[-4000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before", nargs="?", type=Path)
    parser.add_argument("after", nargs="?", type=Path, default=HERE)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--worker", type=Path, help="time one checkout in this process (JSON out)")
    parser.add_argument("--profile", metavar="INTERACTION", help="with --worker: cProfile its runs to stderr")
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(_worker(args.worker.resolve(), args.repeats, args.profile)))
        return
    if args.before is None:
        parser.error("name the checkout to compare with (e.g. a worktree of main)")
    sides = {"before": args.before.resolve(), "after": args.after.resolve()}
    times: dict[str, dict[str, list[list[float]]]] = {side: {} for side in sides}
    for r in range(args.rounds):
        for side in (sides if r % 2 == 0 else reversed(list(sides))):
            started = time.perf_counter()
            for label, seconds in _one(sides[side], args.repeats).items():
                times[side].setdefault(label, []).extend(seconds)
            print(f"round {r + 1}/{args.rounds}: {side} done in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    _report(times)


def _median(samples: list[list[float]], which: int) -> float:
    return statistics.median(sample[which] for sample in samples) if samples else float("nan")


def _report(times: dict[str, dict[str, list[list[float]]]]) -> None:
    """One line per interaction: median wall and CPU seconds, before and after, and after/before."""
    width = max(len(label) for label in times["after"])
    print(f"{'':<{width}}  {'wall-clock s (median)':^29}  {'CPU s, all threads (median)':^29}")
    print(f"{'interaction: its script run':<{width}}  {'before':>7} {'after':>7} {'ratio':>6} {'<0.5':>6}  "
          f"{'before':>7} {'after':>7} {'ratio':>6} {'<0.5':>6}  {'n':>3}")
    for label, after in times["after"].items():
        before = times["before"].get(label, [])
        cells = []
        for which in (0, 1):
            b, a = _median(before, which), _median(after, which)
            cells.append(f"{b:7.2f} {a:7.2f} {a / b:6.2f} {'yes' if a < TARGET_S else 'NO':>6}")
        print(f"{label:<{width}}  {cells[0]}  {cells[1]}  {len(after):3d}")


if __name__ == "__main__":
    main()
